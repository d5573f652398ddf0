/* folders.h - session folders for the NSM server commands (folders.c):
 * names under the session root, listing, atomic copy and creation.
 * Prefix sm_. */
#ifndef SM_FOLDERS_H
#define SM_FOLDERS_H

#include "manager.h"

#include <stdbool.h>
#include <stddef.h>

/* The folder of session name: root/name, or name itself when it is an
 * absolute path; a name is letters, digits, space and _.+- and does not
 * start with '.'. False with a message in err otherwise. */
bool sm_session_path(const char *root, const char *name, char *out, size_t outlen, char *err,
                     size_t errlen);
/* The sessions in root (its folders with a session.conf), sorted by
 * name; at most max. Returns how many. */
int sm_list_sessions(const char *root, char (*names)[256], int max);
/* Copy the session folder src to dst (which must not exist) with every
 * file in it but the manager's URL file: built in a hidden folder next to
 * dst and renamed into place, so a failure leaves nothing behind and src
 * is only read. */
bool sm_copy_session(const char *src, const char *dst, char *err, size_t errlen);
/* Create dst (which must not exist) as a session without clients. */
bool sm_new_session(const char *dst, char *err, size_t errlen);

/* Open the session in dir instead of the running one: checked first
 * (its file, its programs, no live manager there), then the clients are
 * stopped, the new ones launched, the URL file moved. False with a
 * message in err when dir does not open (the running session stays). */
bool sm_switch(SmMgr *m, const char *dir, char *err, size_t errlen);

#endif
