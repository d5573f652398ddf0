# sampletrim: an offline tool, no JACK: WAV in and out (sndfile), rate
# conversion with libsoxr and libm (the tests and fuzz targets, which link
# every core, get them too).
sampletrim_PKGS := sndfile soxr
sampletrim_LIBS := -lm
