# sampletrim: rate conversion with libsoxr (linked into this tool only;
# the tests and fuzz targets, which link every core, get it too).
sampletrim_CFLAGS = $(shell pkg-config --cflags soxr)
sampletrim_LIBS = $(shell pkg-config --libs soxr)
