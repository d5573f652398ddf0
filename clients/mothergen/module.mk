# mothergen: the packages it links (the JACK shell in common/app.c needs jack,
# liblo, libconfig and alsa) and libm.
mothergen_PKGS := jack alsa libconfig liblo
mothergen_LIBS := -lm
