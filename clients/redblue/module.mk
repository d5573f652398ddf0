# redblue: the packages it links: those of the JACK shell (common/, the
# Makefile's COMMON_PKGS and COMMON_LIBS) and nothing more.
redblue_PKGS := $(COMMON_PKGS)
redblue_LIBS := $(COMMON_LIBS)
