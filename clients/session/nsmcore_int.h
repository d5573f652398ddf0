/* nsmcore_int.h - what the files of the NSM server core share (nsmcore.c:
 * the core, its clients and the actions out; nsmrecv.c: the messages in;
 * nsmsave.c: the save; nsmsession.c: the whole session's part); not for
 * the shell. */
#ifndef NC_NSMCORE_INT_H
#define NC_NSMCORE_INT_H

#include "nsmcore.h"

/* A new action at the end (NULL when out of memory: it is dropped). */
NcAction *nc_act_push(NcCore *c, NcKind kind);
/* Send path to `to` (nothing when to->len is 0) with arguments by a type
 * string: 's' const char *, 'i' int, 'f' double. */
void nc_act_send(NcCore *c, const NcAddr *to, const char *path, const char *types, ...);
/* /reply for_path text, /error for_path code text. */
void nc_act_reply(NcCore *c, const NcAddr *to, const char *for_path, const char *text);
void nc_act_error(NcCore *c, const NcAddr *to, const char *for_path, int code, const char *text);
/* Log a line at level (an NC_LOG action). */
void nc_logf(NcCore *c, AtLogLevel level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Is a a known address, and the same as b? */
bool nc_same_addr(const NcAddr *a, const NcAddr *b);
/* Client i is dirty or clean now (a GUI is told of a change). */
void nc_set_dirty(NcCore *c, int i, bool dirty);
/* dir, conf, name and root for the session folder dir. */
void nc_set_dir(NcCore *c, const char *dir);
/* Client i's state changes to st (a GUI is told). */
void nc_set_state(NcCore *c, int i, NcState st);
/* Tell a GUI client i's status. */
void nc_gui_client_status(NcCore *c, int i);
/* The save before a request is written (ok: session.conf was; text: the
 * save's report): carry the request out, or refuse it. */
void nc_op_saved(NcCore *c, bool ok, const char *text);

#endif
