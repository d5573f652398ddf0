# lsdev: lists JACK ports and ALSA sequencer clients; nothing else.
lsdev_PKGS := jack alsa
