/* supervise.h - the session manager's processes (supervise.c). Prefix sm_. */
#ifndef SM_SUPERVISE_H
#define SM_SUPERVISE_H

#include "manager.h"

#define SM_STOP_WAIT 5.0      /* seconds a child has to end after SIGTERM */
#define SM_STOP_WAIT_HUNG 1.0 /* the same once a child of this stop had to be killed */

/* Start client i (its program, with NSM_URL when it is an NSM client). */
void sm_launch(SmMgr *m, int i);
/* Start a2jmidid for the session (when there is a sequencer to bridge). */
void sm_spawn_bridge(SmMgr *m);
/* Reap the children that ended: restart, give up or mark them done. */
void sm_reap(SmMgr *m);
/* The periodic work: restarts due, announce warnings, the bridge watch,
 * a save's deadline, on-jobs-done. */
void sm_supervise(SmMgr *m);
/* Log how far the session has come (made: connections made now), and
 * tell the clients once the session is loaded. */
void sm_report_progress(SmMgr *m, int made);
/* End the clients one at a time, last started first (they are marked
 * stopped when m->quitting or m->closing is set). */
void sm_stop_clients(SmMgr *m);
/* A GUI's requests on client i (docs/sessions.md, "NSM server commands"):
 * end its process (SIGTERM, SIGKILL after SM_STOP_WAIT; the core marks
 * it stopped); start it again; forget it (the core dropped it already:
 * the later clients move down by one). */
void sm_stop_client(SmMgr *m, int i);
void sm_resume_client(SmMgr *m, int i);
void sm_drop_client(SmMgr *m, int i);
/* The end of the session: quitting, the clients, then the bridge. */
void sm_stop_children(SmMgr *m);
/* End the JACK server when this session started it. */
void sm_stop_server(SmMgr *m);

#endif
