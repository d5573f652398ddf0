# session: JACK connections, ALSA sequencer, session files (libconfig),
# NSM and OSC (liblo); no libm.
session_PKGS := jack alsa libconfig liblo
