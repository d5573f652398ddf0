# session: JACK connections, ALSA sequencer, session files (libconfig),
# NSM and OSC (liblo); not app.h's shell, no libm.
session_PKGS := jack alsa libconfig liblo
