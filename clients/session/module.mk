# session: JACK connections, ALSA sequencer, session files (libconfig),
# NSM and OSC (liblo); not app.h's shell, no libm. The shell is split by
# concern (docs/sessions.md; the agent is agent.c, agentcmd.c and
# agentproc.c); the NSM server's core (nsmcore.c, nsmrecv.c, nsmsave.c,
# nsmsession.c), the session file (sessconf.c: the model; sessparse.c:
# reading; sesswrite.c: writing; confread.c: the readers it shares with
# hosts.c; sessrules.c: the manager's pure rules), the hosts list
# (hosts.c) and the routes across hosts (netroute.c) are the core (every
# file not named in session_SHELL, main.c or jack.c).
session_PKGS := jack alsa libconfig liblo
session_SHELL = agent.c agentcmd.c agentproc.c child.c control.c folders.c netmaster.c remote.c supervise.c
