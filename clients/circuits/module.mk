# circuits: the packages it links (the JACK shell in common/app.c needs jack,
# liblo, libconfig and alsa) and libm.
circuits_PKGS := jack alsa libconfig liblo
circuits_LIBS := -lm
