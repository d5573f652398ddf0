fmsynth_CFLAGS = -O3
