# mothergen: the packages it links: those of the JACK shell (common/, the
# Makefile's COMMON_PKGS and COMMON_LIBS) and nothing more.
mothergen_PKGS := $(COMMON_PKGS)
mothergen_LIBS := $(COMMON_LIBS)
