# circuits: the packages it links: those of the JACK shell (common/, the
# Makefile's COMMON_PKGS and COMMON_LIBS) and nothing more.
circuits_PKGS := $(COMMON_PKGS)
circuits_LIBS := $(COMMON_LIBS)
