# clock: the packages it links (the JACK shell in common/app.c needs jack,
# liblo, libconfig and alsa) and libm.
clock_PKGS := jack alsa libconfig liblo
clock_LIBS := -lm
