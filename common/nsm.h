/* nsm.h - the client side of the NSM (Non/New Session Manager) protocol,
 * API 1.1, for the control thread: announce, wait for open, answer save,
 * report dirty/clean. Runs on one UDP socket (the server tells clients
 * apart by source port). */
#ifndef AT_NSM_H
#define AT_NSM_H

#include "status.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct AtNsm AtNsm;

typedef struct {
    /* Write state for the session path given at open (the client adds its
     * own extension). */
    AtStatus (*save)(void *user, const char *path, char *err, size_t errlen);
    /* Optional (offers :switch:): a later /nsm/client/open moves the client
     * to another session (path, client_id) without a restart. */
    AtStatus (*switch_to)(void *user, const char *path, const char *client_id, char *err,
                          size_t errlen);
    /* Optional: the server says the session is loaded (every client open,
     * /nsm/client/session_is_loaded). */
    void (*loaded)(void *user);
    void *user;
} AtNsmHooks;

/* Read NSM_URL, open a socket and announce app_name/exe. NULL + message if
 * NSM_URL is unusable. */
AtNsm *at_nsm_open(const char *app_name, const char *exe, const AtNsmHooks *hooks, char *err,
                   size_t errlen);
/* Block until the server sends /nsm/client/open (or *stop is set, or the
 * server refuses the announce, or 30 s pass). Fills client_id and path. */
bool at_nsm_wait_open(AtNsm *n, char *client_id, size_t idlen, char *path, size_t pathlen,
                      volatile sig_atomic_t *stop);
/* Answer the pending open: success, or an error with msg. */
void at_nsm_open_reply(AtNsm *n, bool ok, const char *msg);
/* The socket to poll. */
int at_nsm_fd(const AtNsm *n);
/* Handle what arrived (save requests, replies). */
void at_nsm_receive(AtNsm *n);
/* Tell the server the state has unsaved changes (true) or not. */
void at_nsm_dirty(AtNsm *n, bool dirty);
/* The server's name from its announce reply ("" until then). */
const char *at_nsm_server_name(const AtNsm *n);
/* Close the socket and free. */
void at_nsm_close(AtNsm *n);

#endif
