/* child.h - the session manager's children: spawn a program in its own
 * process group with its output read through pipes, and print that output
 * line by line with the child's name in front. Prefix sm_. */
#ifndef SM_CHILD_H
#define SM_CHILD_H

#include "manager.h"

#include <sys/types.h>

/* Client d's command line for execv into argv (SS_MAX_ARGS + 2 entries):
 * its command, its args, NULL. */
void sm_client_argv(const SsClientDef *d, char *argv[]);
/* The NSM_URL of the NSM server (this manager or an agent) on UDP port
 * osc_port of this machine. */
void sm_nsm_url(char *url, size_t len, int osc_port);
/* Spawn a child in its own process group (dies with the manager: it gets
 * die_sig when the manager ends, even by SIGKILL): exe
 * with argv, environment plus NSM_URL (when nsm_url) and
 * JACK_DEFAULT_SERVER=server, working directory dir. Its stdout and
 * stderr go through pipes into out (printed by sm_out_pump with name in
 * front). Returns the pid or -1. */
pid_t sm_spawn(const char *dir, const char *server, const char *exe, char *const argv[],
               int die_sig, const char *nsm_url, SmOut *out, const char *name);
/* Print what a child wrote so far, line by line (stdout to stdout,
 * stderr to stderr); at end of file print a last unfinished line. */
void sm_out_pump(SmOut *o);
/* The child has ended: print everything left and close the pipes. */
void sm_out_finish(SmOut *o);
/* sm_out_pump for every child of the session. */
void sm_pump(SmMgr *m);

#endif
