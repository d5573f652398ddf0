/* sessconf.h - the session file (DIR/session.conf): parse and validate it
 * (sessparse.c), write it back atomically (sesswrite.c), resolve client
 * commands to programs (sessconf.c), and the pure rules of the session
 * manager (sessrules.c: restart back-off, which connections a save keeps).
 * No JACK here. */
#ifndef SS_SESSCONF_H
#define SS_SESSCONF_H

#include "clients/session/hosts.h"
#include "params.h"

#include <stdbool.h>
#include <stddef.h>

#define SS_MAX_CLIENTS 64
#define SS_MAX_ARGS 32
#define SS_ID_MAX 64
#define SS_CMD_MAX 128

typedef enum { SS_DRIVER_AUTO, SS_DRIVER_ALSA, SS_DRIVER_DUMMY } SsDriver;
typedef enum { SS_BRIDGE_NONE, SS_BRIDGE_A2J, SS_BRIDGE_SEQ } SsBridge;
/* What the session does once every job client has finished. */
typedef enum { SS_JOBS_KEEP_RUNNING, SS_JOBS_STOP } SsJobsDone;

/* One client: a program started with args; nsm = it speaks NSM. */
typedef struct {
    char id[SS_ID_MAX];
    char command[SS_CMD_MAX];
    char *args[SS_MAX_ARGS];
    int n_args;
    bool nsm;
    bool job; /* it finishes by itself (exit 0 = done); on-jobs-done waits for it */
    char host[SS_HOST_NAME_MAX]; /* a name from hosts; "" = this machine */
} SsClientDef;

/* The bridge watch's view of one "alsa:CLIENT:PORT" end of a connection
 * (see ss_bridge_missed). */
typedef struct {
    double since;   /* when first seen in the sequencer with no JACK port bridging it (0: not) */
    bool rescanned; /* the bridge was restarted for it since it appeared: not again */
} SsBridgeMiss;

/* One connection, spelled as the user wrote it (full name, alias or
 * pretty name). */
typedef struct {
    char *from, *to;
    bool made;            /* the manager made it (or found it) while both ports existed */
    int seen_gone;        /* jack.c: port removals counted when last seen made (replug detection) */
    double undone_at;     /* jack.c: when first seen undone with no port removed (0: not) */
    SsBridgeMiss miss[2]; /* jack.c: the bridge watch of from [0] and to [1] */
} SsConn;

typedef struct {
    char server[64]; /* "" = $JACK_DEFAULT_SERVER or "default" */
    SsDriver driver;
    int rate, period; /* 0 = jackd's default */
    SsBridge bridge;
    SsJobsDone on_jobs_done;
    SsClientDef clients[SS_MAX_CLIENTS];
    int n_clients;
    SsHostDef hosts[SS_MAX_HOSTS]; /* remote hosts (hosts.h) */
    int n_hosts;
    SsConn *conns;
    int n_conns, cap_conns;
} SsSession;

/* Parse and validate a session file. On error returns AT_ERR_USAGE with
 * "FILE:LINE: key 'K': what is wrong: what is allowed" in err and leaves
 * *s empty. */
AtStatus ss_session_load(SsSession *s, const char *path, char *err, size_t errlen);
/* The same from a string (name is used in messages). */
AtStatus ss_session_parse(SsSession *s, const char *text, const char *name, char *err,
                          size_t errlen);
/* Write the session to path atomically (temporary file, fsync, rename). */
AtStatus ss_session_save(const SsSession *s, const char *path, char *err, size_t errlen);
/* Write text to path atomically (temporary file, fsync, rename). */
AtStatus ss_session_write_text(const char *text, const char *path, char *err, size_t errlen);
/* Format the session as libconfig text into a malloc'd string. */
char *ss_session_format(const SsSession *s);
/* Free what the session owns and empty it. */
void ss_session_free(SsSession *s);
/* Add a client (copies args). False with a reason when invalid or full. */
bool ss_session_add_client(SsSession *s, const char *id, const char *command,
                           const char *const *args, int n_args, bool nsm, char *err, size_t errlen);
/* Do two sessions say the same (server, driver, rate, period, bridge,
 * on-jobs-done, hosts, clients and connections in order)? */
bool ss_session_same(const SsSession *a, const SsSession *b);
/* The text of a session file for s, written over old_text (the file as
 * the user left it, parsed as old): when nothing changed, a copy of
 * old_text; else old_text with only the top-level settings that changed
 * replaced (their comments are lost, every other byte is kept) and the
 * missing ones appended. Falls back to ss_session_format after old_text's
 * leading comment block when the edit would not read back as s. Returns
 * a malloc'd string, NULL on no memory. */
char *ss_session_update_text(const char *old_text, const SsSession *old, const SsSession *s);
/* Read a whole file into a malloc'd NUL-terminated string, its length in
 * *len when len is not NULL (NULL + errno; EISDIR for a directory, EFBIG
 * over 16 MiB). */
char *ss_read_file(const char *path, size_t *len);
/* "FILE:LINE: key 'KEY': what" into err: the form of every error in a
 * session file (confread.c; the readers of sessfile.h make them). */
void ss_conf_error(char *err, size_t errlen, const char *file, int line, const char *key,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Add a connection unless the same pair is there; false on no memory. */
bool ss_session_add_conn(SsSession *s, const char *from, const char *to);
/* Index of client id, or -1. */
int ss_session_find(const SsSession *s, const char *id);

/* Is id usable as a client id ([A-Za-z0-9_-]+, at most 63 chars)? Such an
 * id cannot make a state file path leave the session directory. */
bool ss_valid_id(const char *id);
/* Is cmd a bare program name (no path, no shell syntax)? */
bool ss_valid_command(const char *cmd);
/* Find the program for a bare command: aiotone-* next to self_dir first,
 * then each directory of path_env. Writes the full path to out; false
 * when not found or not allowed. */
bool ss_resolve_command(const char *cmd, const char *self_dir, const char *path_env, char *out,
                        size_t outlen);

/* Restart back-off for a client that keeps dying. */
typedef struct {
    double deaths[8]; /* times of the recent deaths, oldest first */
    int n;
} SsBackoff;

#define SS_BACKOFF_WINDOW 30.0 /* seconds over which deaths are counted */
#define SS_BACKOFF_LIMIT 5     /* this many deaths in the window: give up */

/* A client died at time now (seconds): the delay before restarting it, or
 * a negative number when it died too often and must be given up. */
double ss_backoff_death(SsBackoff *b, double now);

/* What a client's end means (from its waitpid status). */
typedef enum {
    SS_END_DONE,    /* exit status 0: finished its work; not restarted */
    SS_END_CONFIG,  /* exit status 2: bad configuration or state; restarting cannot help */
    SS_END_RESTART, /* any other status or a signal: restart with back-off */
} SsEnd;

/* Classify a child's end from its waitpid() status. */
SsEnd ss_end_of(int wait_status);

/* A child's output, split into lines for prefixing with its client id. */
#define SS_LINE_MAX 1024
typedef struct {
    char buf[SS_LINE_MAX];
    size_t len;
} SsLines;

/* Append n bytes of output; emit(ctx, line, len) is called for every
 * complete line (without its newline), and for a line longer than
 * SS_LINE_MAX in pieces of that size. */
void ss_lines_feed(SsLines *l, const char *data, size_t n,
                   void (*emit)(void *ctx, const char *line, size_t len), void *ctx);
/* Emit what is left (a last line without a newline) and empty l. */
void ss_lines_flush(SsLines *l, void (*emit)(void *ctx, const char *line, size_t len), void *ctx);

/* The bridge watch (docs/sessions.md, "Hardware MIDI"). a2jmidid misses a
 * sequencer port that comes back at the same client:port address before
 * its JACK cycle has removed the old one (a fast replug): it sees the
 * address as already bridged and never makes its port. A port the
 * sequencer has had for SS_BRIDGE_MISS_S with no JACK port bridging it
 * counts as missed once no JACK port has come or gone for SS_BRIDGE_MISS_S
 * either (a bridge still making ports is not stuck) and the bridge has run
 * for SS_BRIDGE_START_S. */
#define SS_BRIDGE_MISS_S 3.0
#define SS_BRIDGE_START_S 10.0

/* One look at an ALSA-named end at time now (seconds): in_seq = the
 * sequencer has the port (in the direction the connection needs), bridged
 * = a JACK port bridges it, last_port_change = when a JACK port last came
 * or went, bridge_started = when the bridge was last (re)started. True
 * when the bridge has missed the port and must rescan; false again for it
 * once b->rescanned is set (the caller sets it when it restarts the
 * bridge), until the port is bridged or leaves the sequencer. */
bool ss_bridge_missed(SsBridgeMiss *b, bool in_seq, bool bridged, double now,
                      double last_port_change, double bridge_started);

/* State of a remembered connection when saving. */
typedef enum {
    SS_CONN_ABSENT,      /* one of its ports does not exist now: keep it */
    SS_CONN_MADE,        /* both exist and are connected: keep it */
    SS_CONN_DISCONNECTED /* both exist but are not connected: the user undid it */
} SsConnState;

/* The connections a save writes: remembered ones that are absent or made
 * (in their original spelling), then every current connection (full
 * names) that no remembered one stands for. resolved[i] is remembered
 * connection i with full port names (fields NULL when absent). Returns a
 * malloc'd array (strings shared with the inputs, not copied) and its
 * length in *n_out. */
SsConn *ss_conns_for_save(const SsConn *remembered, const SsConnState *state,
                          const SsConn *resolved, int n_remembered, const SsConn *current,
                          int n_current, int *n_out);

#endif
