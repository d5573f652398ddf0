# redblue: the packages it links (the JACK shell in common/app.c needs jack,
# liblo, libconfig and alsa) and libm.
redblue_PKGS := jack alsa libconfig liblo
redblue_LIBS := -lm
