# session: JACK connections, ALSA sequencer, session files (libconfig),
# NSM and OSC (liblo); not app.h's shell, no libm. The shell is split by
# concern (docs/sessions.md); the NSM server's core (nsmcore.c), the
# session file (sessconf.c), the hosts list (hosts.c) and the routes
# across hosts (netroute.c) are the core.
session_PKGS := jack alsa libconfig liblo
session_SHELL = agent.c child.c control.c folders.c netmaster.c remote.c supervise.c
