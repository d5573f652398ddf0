# lsdev: lists JACK ports and ALSA sequencer clients (common/jackutil.c and
# alsaseq.c, not the shell of app.h); nothing else.
lsdev_PKGS := jack alsa
