/* remote.h - the NSM server's I/O and the commands on the manager's port
 * (remote.c). Prefix sm_. */
#ifndef SM_REMOTE_H
#define SM_REMOTE_H

#include "manager.h"

/* The OSC handler of the manager's port (user: the SmMgr). */
void sm_on_osc(void *user, AtOsc *osc, const AtOscMsg *msg);
/* Carry out the core's actions (send, log, write session.conf). */
void sm_carry_out(SmMgr *m);

#endif
