/* netmaster.h - the master's side of a multi-host session (docs/sessions.md
 * "Studios across machines"): netmanager in this machine's JACK server,
 * the agents on the hosts (session, join, start), the routes of
 * connections across hosts, and the hosts in status. Control thread. */
#ifndef SS_NETMASTER_H
#define SS_NETMASTER_H

#include "manager.h"

#include <stddef.h>

/* Once the JACK server runs: load netmanager and contact every host's
 * agent. Does nothing for a session without hosts. */
void ss_remote_begin(SmMgr *m);
/* Is client i (of the session) run by a remote host? Then sm_launch()
 * leaves it to this module. */
bool ss_remote_client(const SmMgr *m, int i);
/* Called often from the run loop: answers from agents, hosts joining and
 * leaving, remote clients started, connections across hosts kept. */
void ss_remote_tick(SmMgr *m);
/* A save began (the core's NC_SAVE_REMOTE actions): ask every joined
 * host's agent for its clients' state (they stay save_pending until it
 * arrives in DIR/<id>.conf: nc_saved); a client whose host is not joined
 * is answered for at once (not saved). */
void ss_remote_save(SmMgr *m);
/* Append each host (address, state, latency in frames, clients) to out. */
void ss_remote_status(SmMgr *m, char *out, size_t outlen);
/* At stop: ask the agents to stop their clients; close the socket. */
void ss_remote_end(SmMgr *m);

#endif
