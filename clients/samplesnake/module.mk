# samplesnake: the JACK shell's packages (the Makefile's COMMON_PKGS and
# COMMON_LIBS) and WAV writing (sndfile).
samplesnake_PKGS := $(COMMON_PKGS) sndfile
samplesnake_LIBS := $(COMMON_LIBS)
