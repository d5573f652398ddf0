# session: the shell is split by concern (docs/sessions.md); the NSM
# server's core (nsmcore.c) and the session file (sessconf.c) are the core.
session_SHELL = child.c control.c folders.c remote.c supervise.c
