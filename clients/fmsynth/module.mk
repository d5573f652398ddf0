# fmsynth: the JACK shell (common/app.c: jack, liblo, libconfig, alsa), the
# offline renderer (sndfile, smf with glib) and libm.
fmsynth_PKGS := jack alsa sndfile libconfig liblo smf
fmsynth_LIBS := -lm
# fmsynth: the DSP core is vectorized across samples; -O3 lets gcc do it
# (no -ffast-math: NaN and denormal rules stay standard). AT_PREFIX tells
# main.c where installed presets live (PREFIX/share/aiotone/presets).
fmsynth_CFLAGS = -O3 -DAT_PREFIX=\"$(PREFIX)\"
# The bare FM kernel in bench_fmsynth is built like the core (-O3), so the
# compiler vectorizes it as well as it can.
bench_fmsynth_CFLAGS = -O3
