/* jack.h - the session manager's JACK side (jack.c): start a server,
 * watch ports, keep the session's connections (a patchbay), read them
 * back for a save. Uses manager.h and child.h, nothing else of the shell. */
#ifndef SM_JACK_H
#define SM_JACK_H

#include "manager.h"

/* Is a JACK server running under this name? */
bool sj_server_running(const char *server);
/* Start jackd for the session (driver, rate, period, seq bridge)
 * and wait until it answers. */
bool sj_start_server(SmMgr *m, char *err, size_t errlen);
/* Open the manager's own JACK client (watches ports). */
bool sj_open(SmMgr *m, char *err, size_t errlen);
/* Close the manager's JACK client. */
void sj_close(SmMgr *m);
/* Make every remembered connection whose ports exist, once per
 * appearance of its ports (one the user undoes stays undone, as in a
 * patchbay); returns how many of them are connected now. */
int sj_sync(SmMgr *m);
/* The bridge watch, at time now: look at each "alsa:CLIENT:PORT"
 * end of the connections not made (ss_bridge_missed; the sequencer is
 * listed only when there is such an end). Returns the connection end the bridge has
 * missed (its spec, and in *client the ALSA client number and in *waited
 * how long it has waited), or NULL. */
const char *sj_bridge_missed(SmMgr *m, double now, int *client, double *waited);
/* After a bridge restart, every end now missing is marked
 * rescanned (not restarted for again until it is bridged or leaves). */
void sj_bridge_rescanned(SmMgr *m);
/* The remembered connection i: made / absent / undone. */
SsConnState sj_conn_state(SmMgr *m, int i);
/* Replace the session's connections by what a save keeps. */
bool sj_collect(SmMgr *m);
/* Append the ports of JACK client name to out (space separated). */
void sj_client_ports(SmMgr *m, const char *name, char *out, size_t outlen);

#endif
