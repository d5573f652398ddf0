# fmsynth: the DSP core is vectorized across samples; -O3 lets gcc do it
# (no -ffast-math: NaN and denormal rules stay standard). AT_PREFIX tells
# main.c where installed presets live (PREFIX/share/aiotone/presets).
fmsynth_CFLAGS = -O3 -DAT_PREFIX=\"$(PREFIX)\"
