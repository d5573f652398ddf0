# sampletrim: an offline tool, no JACK: WAV in and out (sndfile), rate
# conversion with libsoxr and libm (the tests and fuzz targets, which link
# every core, get them too).
sampletrim_PKGS := sndfile soxr
sampletrim_LIBS := -lm
# The program's own files beyond main.c (the batch and the instrument files
# beside the inputs): linked into aiotone-sampletrim only, not into the core.
sampletrim_SHELL := batch.c instruments.c
