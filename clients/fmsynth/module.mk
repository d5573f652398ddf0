# fmsynth: the JACK shell's packages (the Makefile's COMMON_PKGS and
# COMMON_LIBS) and the offline renderer's (sndfile, smf with glib).
fmsynth_PKGS := $(COMMON_PKGS) sndfile smf
fmsynth_LIBS := $(COMMON_LIBS)
# fmsynth: the DSP core is vectorized across samples; -O3 lets gcc do it
# (no -ffast-math: NaN and denormal rules stay standard). AT_PREFIX tells
# main.c where installed presets live (PREFIX/share/aiotone/presets).
fmsynth_CFLAGS = -O3 -DAT_PREFIX=\"$(PREFIX)\"
# The bare FM kernel in bench_fmsynth is built like the core (-O3), so the
# compiler vectorizes it as well as it can.
bench_fmsynth_CFLAGS = -O3
