/* nsmcore.h - the session manager's NSM server as a pure core: events in
 * (a message from a client or a GUI, a save request, a client started or
 * ended, the clock), actions out (send this message there, log this,
 * write session.conf now), as plain data. No liblo, no JACK, no I/O: the
 * shell (remote.c) turns OSC into events and carries the actions out.
 * See docs/sessions.md, "NSM". One prefix: nc_. */
#ifndef NC_NSMCORE_H
#define NC_NSMCORE_H

#include "log.h"
#include "sessconf.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define NC_MAX_ARGS 8
#define NC_SAVE_WAIT 10.0 /* seconds a save waits for the clients' answers */

typedef enum {
    NC_IDLE,     /* not started yet */
    NC_LAUNCHED, /* running; an NSM client has not announced yet */
    NC_OPENING,  /* announced; /nsm/client/open sent */
    NC_OPEN,     /* open (or a plain program that is running) */
    NC_RESTART,  /* died; waiting for its back-off delay */
    NC_FAILED,   /* died too often, or the program is missing: given up */
    NC_STOPPED,  /* ended by stop */
    NC_DONE,     /* exited with status 0 by itself: finished, not restarted */
} NcState;

/* A peer's UDP address (plain bytes; len 0 = nobody). */
typedef struct {
    struct sockaddr_storage a;
    socklen_t len;
} NcAddr;

/* One OSC argument: type 's' (s), 'i' (i) or 'f' (f). */
typedef struct {
    char type;
    int32_t i;
    float f;
    char *s;
} NcArg;

/* A message in (arguments owned by the caller) or out (owned by the core). */
typedef struct {
    char path[64];
    int argc;
    NcArg argv[NC_MAX_ARGS];
} NcMsg;

typedef enum {
    NC_SEND,        /* send msg to `to` */
    NC_LOG,         /* log text at level */
    NC_OPENED,      /* client `client` opened its state (the shell logs timing, re-syncs ports) */
    NC_WRITE_CONF,  /* collect the connections and write session.conf, then nc_save_written */
    NC_DO,          /* the session is saved: carry out op (with arg), then nc_done */
    NC_SAVE_REMOTE, /* ask client `client`'s host to save it; its answer: nc_saved */
    NC_STOP,        /* end client `client`'s process (it ends NC_STOPPED: nc_exited) */
    NC_RESUME,      /* start client `client` again (sm_launch, then nc_launched) */
    NC_REMOVE,      /* the core dropped client `client` (the later ones moved down
                     * by one): the shell drops it from its tables too */
} NcKind;

/* Requests that act on the whole session (docs/sessions.md, "NSM server
 * commands"): all but abort save the session first. */
typedef enum {
    NC_OP_NONE,
    NC_OP_DUPLICATE, /* copy the session folder to arg, open the copy */
    NC_OP_OPEN,      /* open the session arg instead */
    NC_OP_NEW,       /* create an empty session arg and open it */
    NC_OP_CLOSE,     /* end the session (the manager with it) */
    NC_OP_QUIT,      /* the same */
    NC_OP_ABORT,     /* end it without saving */
} NcOp;

typedef struct {
    NcKind kind;
    NcAddr to;        /* NC_SEND: where; NC_DO: who asked */
    NcMsg msg;        /* NC_SEND */
    NcOp op;          /* NC_DO */
    int client;       /* NC_OPENED */
    AtLogLevel level; /* NC_LOG */
    char *text;       /* NC_LOG: the line; NC_DO: the request's argument */
} NcAction;

typedef struct {
    char id[SS_ID_MAX];
    char command[256]; /* what a GUI shows until the client announces */
    char app[256];     /* the name it announced */
    bool nsm;          /* an NSM client (false: a plain program) */
    bool remote;       /* run on another host by its agent (docs/sessions.md) */
    int pid;           /* the process we launched; 0 when none runs */
    NcState state;
    NcAddr addr; /* where its NSM messages come from */
    bool dirty, save_pending, save_failed;
    bool stopping;     /* a GUI asked to stop it: its end is NC_STOPPED */
    NcAddr save_one;   /* who asked to save only this client (len 0: nobody) */
    char message[256]; /* last thing worth telling (error, NSM message) */
    char label[128];   /* /nsm/client/label */
    float progress;    /* /nsm/client/progress, 0..1 */
} NcClient;

typedef struct {
    char dir[4096];  /* the session folder: client i's state is dir/id */
    char conf[4200]; /* dir/session.conf */
    char name[256];  /* the session's name: the folder's last part */
    char root[4096]; /* the folder it is in (the sessions /nsm/server/list lists) */
    NcClient cl[SS_MAX_CLIENTS];
    int n;
    bool loaded_sent; /* /nsm/client/session_is_loaded went to the open clients */
    bool saving;      /* a save in progress ... */
    double save_deadline;
    NcAddr save_req; /* ... and who asked for it (len 0: nobody to answer) */
    char save_problems[1024];
    NcOp op;           /* a session request waiting for its save ... */
    NcAddr op_req;     /* ... who asked ... */
    char op_arg[4096]; /* ... and its argument */
    NcAddr gui;        /* the GUI that announced (len 0: none) */
    NcAction *act;     /* the actions not taken yet */
    int n_act, cap_act;
} NcCore;

/* Start empty for the session folder dir (session.conf inside it). */
void nc_init(NcCore *c, const char *dir);
/* Another session folder: the clients of this one are gone (a GUI is
 * told they are removed); the GUI stays and is told the new name; a
 * request that switched is answered by nc_done afterwards. */
void nc_switch(NcCore *c, const char *dir);
/* Free the actions. */
void nc_free(NcCore *c);
/* Add client id running command (nsm: an NSM client); returns its
 * index, -1 when full. */
int nc_add(NcCore *c, const char *id, const char *command, bool nsm);
/* Drop the actions carried out (the shell calls this after taking them). */
void nc_clear(NcCore *c);

/* Client i was started as pid (NC_LAUNCHED for an NSM client, else
 * NC_OPEN), or could not be (pid <= 0: NC_FAILED with message why). */
void nc_launched(NcCore *c, int i, int pid, const char *why);
/* Client i ended: its new state (NC_RESTART, NC_FAILED, NC_DONE,
 * NC_STOPPED) and what to tell (NULL keeps the message). */
void nc_exited(NcCore *c, int i, NcState st, const char *message);
/* A message from `from`: an announce, a GUI's request on one client
 * (/nsm/gui/client/stop, resume, remove, save), /nsm/server/broadcast, or
 * one from a client that announced. Returns false when it is none of
 * these (a command for the shell). */
bool nc_receive(NcCore *c, const NcAddr *from, const NcMsg *msg);
/* Save the session: ask every open NSM client, then (once all answered
 * or NC_SAVE_WAIT is over) NC_WRITE_CONF. req: who asked (NULL: nobody
 * to answer). Refused with /error -8 while a save runs. */
void nc_save(NcCore *c, const NcAddr *req, double now);
/* The clock: a save whose clients did not answer in time goes on. */
void nc_tick(NcCore *c, double now);
/* The shell wrote session.conf (ok; unchanged: nothing in it changed;
 * err: why not; n_conns: the connections it holds now). */
void nc_save_written(NcCore *c, bool ok, bool unchanged, const char *err, int n_conns);
/* A request on the whole session from req with its argument (a session
 * name or path; "" for close/quit/abort): saves first (not abort), then
 * NC_DO. Refused with /error -8 while a save or another request runs. */
void nc_request(NcCore *c, NcOp op, const NcAddr *req, const char *arg, double now);
/* The shell carried out the NC_DO: answer the requester (ok: /reply
 * with text, else /error code text). */
void nc_done(NcCore *c, bool ok, int code, const char *text);
/* A GUI announced from `from` (/nsm/gui/gui_announce): it gets "hi",
 * the session root and name and every client, and from now on each
 * change (client new/status/label/progress/dirty). */
void nc_gui_announce(NcCore *c, const NcAddr *from);
/* The path a request answers for ("/nsm/server/duplicate", ...). */
const char *nc_op_path(NcOp op);
/* The session is loaded: tell the open NSM clients (once). */
void nc_loaded(NcCore *c);

/* Client i runs on another host (its agent starts it and saves it);
 * open: the host has started it. */
void nc_remote(NcCore *c, int i, bool open);
/* Client i's answer to a save (a remote client's, through its host). */
void nc_saved(NcCore *c, int i, bool ok, const char *text);

/* The client launched as pid, or -1. */
int nc_by_pid(const NcCore *c, int pid);
/* The client whose messages come from `from`, or -1. */
int nc_by_addr(const NcCore *c, const NcAddr *from);
/* "open", "FAILED", ... */
const char *nc_state_name(NcState s);

#endif
