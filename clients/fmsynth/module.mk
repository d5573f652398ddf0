# fmsynth: the DSP core is vectorized across samples; -O3 lets gcc do it.
fmsynth_CFLAGS = -O3
