# samplesnake: the JACK shell (common/app.c: jack, liblo, libconfig, alsa),
# WAV writing (sndfile) and libm.
samplesnake_PKGS := jack alsa sndfile libconfig liblo
samplesnake_LIBS := -lm
