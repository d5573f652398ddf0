/* manager.h - the running session manager's state, shared by main.c (the
 * NSM server, process supervision, control commands) and jack.c (the JACK
 * server and the patchbay). Control thread only, except the atomics that
 * JACK's notification thread sets. */
#ifndef SS_MANAGER_H
#define SS_MANAGER_H

#include "osc.h"
#include "sessconf.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

typedef enum {
    CL_IDLE,     /* not started yet */
    CL_LAUNCHED, /* running; an NSM client has not announced yet */
    CL_OPENING,  /* announced; /nsm/client/open sent */
    CL_OPEN,     /* open (or a plain program that is running) */
    CL_RESTART,  /* died; waiting for its back-off delay */
    CL_FAILED,   /* died too often, or the program is missing: given up */
    CL_STOPPED,  /* ended by stop */
    CL_DONE,     /* exited with status 0 by itself: finished, not restarted */
} ClState;

/* A child's stdout and stderr, read by the manager and printed line by
 * line with the child's name in front. */
typedef struct {
    int fd[2]; /* read ends (stdout, stderr); -1 when closed */
    SsLines lines[2];
    char name[SS_ID_MAX];
} ChildOut;

typedef struct {
    int def; /* index in the session's clients */
    char exe[4096];
    pid_t pid;
    ClState state;
    bool dirty, save_pending, save_failed;
    struct sockaddr_storage addr; /* where its NSM messages come from */
    socklen_t addrlen;
    double launched_at, restart_at;
    ChildOut out;
    SsBackoff backoff;
    int restarts;
    bool announce_warned;
    char message[256]; /* last thing worth telling (error, NSM message) */
} Client;

typedef struct Mgr {
    char dir[4096];
    char conf[4200];
    char urlfile[4200];
    char self_dir[4096];
    char server[64];
    SsSession s;
    Client cl[SS_MAX_CLIENTS];
    AtOsc *osc;
    void *jack; /* jack_client_t * */
    pid_t jackd_pid, bridge_pid;
    ChildOut jackd_out, bridge_out;
    SsBackoff bridge_backoff;
    double bridge_restart_at;
    int wake[2];
    atomic_int jack_changed, server_gone;
    atomic_int ports_gone; /* JACK ports removed so far (a replug removes and re-adds) */
    bool sync_again;       /* a connection failed (port not active yet): retry soon */
    double t0;
    bool reported_open, reported_conns, reported_waiting;
    bool loaded_sent; /* /nsm/client/session_is_loaded went to the open clients */
    int jobs_status;  /* exit status of run after on-jobs-done = "stop": 0, or 1 if a job failed */
    double all_open_at;
    /* a save in progress and who asked for it */
    bool saving;
    double save_deadline;
    struct sockaddr_storage save_req;
    socklen_t save_req_len;
    bool quitting;
} Mgr;

/* Seconds on the monotonic clock. */
double ss_now(void);
/* Spawn a child in its own process group (dies with the manager): exe
 * with argv, environment plus NSM_URL (when nsm_url) and
 * JACK_DEFAULT_SERVER, working directory dir. Its stdout and stderr go
 * through pipes into out (printed by ss_pump with out->name in front).
 * Returns the pid or -1. */
pid_t ss_spawn(Mgr *m, const char *exe, char *const argv[], const char *nsm_url, ChildOut *out,
               const char *name);
/* Print what the children wrote so far, line by line, each line with its
 * child's name in front (stdout to stdout, stderr to stderr). */
void ss_pump(Mgr *m);

/* jack.c: is a JACK server running under this name? */
bool sj_server_running(const char *server);
/* jack.c: start jackd for the session (driver, rate, period, seq bridge)
 * and wait until it answers. */
bool sj_start_server(Mgr *m, char *err, size_t errlen);
/* jack.c: open the manager's own JACK client (watches ports). */
bool sj_open(Mgr *m, char *err, size_t errlen);
/* jack.c: close the manager's JACK client. */
void sj_close(Mgr *m);
/* jack.c: make every remembered connection whose ports exist, once per
 * appearance of its ports (one the user undoes stays undone, as in a
 * patchbay); returns how many of them are connected now. */
int sj_sync(Mgr *m);
/* jack.c: the remembered connection i: made / absent / undone. */
SsConnState sj_conn_state(Mgr *m, int i);
/* jack.c: replace the session's connections by what a save keeps. */
bool sj_collect(Mgr *m);
/* jack.c: append the ports of JACK client name to out (space separated). */
void sj_client_ports(Mgr *m, const char *name, char *out, size_t outlen);

#endif
