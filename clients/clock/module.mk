# clock: the packages it links: those of the JACK shell (common/, the
# Makefile's COMMON_PKGS and COMMON_LIBS) and nothing more.
clock_PKGS := $(COMMON_PKGS)
clock_LIBS := $(COMMON_LIBS)
