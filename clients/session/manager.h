/* manager.h - the running session manager's state, shared by its shell
 * files (main.c: run and the loop; supervise.c: the processes; remote.c:
 * the NSM server's I/O and the commands on its port; jack.c: the JACK
 * server and the patchbay). The NSM server's state lives in the pure core
 * (nsmcore.h). Control thread only, except the atomics that JACK's
 * notification thread sets. */
#ifndef SM_MANAGER_H
#define SM_MANAGER_H

#include "nsmcore.h"
#include "osc.h"
#include "sessconf.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

/* A child's stdout and stderr, read by the manager and printed line by
 * line with the child's name in front. */
typedef struct {
    int fd[2]; /* read ends (stdout, stderr); -1 when closed */
    SsLines lines[2];
    char name[SS_ID_MAX];
} SmOut;

/* The process side of client i (its NSM side is core.cl[i]). */
typedef struct {
    char exe[4096];
    double launched_at, restart_at;
    SmOut out;
    SsBackoff backoff;
    int restarts;
    bool announce_warned;
} SmClient;

typedef struct SmMgr {
    char dir[4096];
    char conf[4200];
    char urlfile[4200];
    char self_dir[4096];
    char server[64];
    SsSession s;
    NcCore core; /* the NSM server's state (nsmcore.h) */
    SmClient cl[SS_MAX_CLIENTS];
    AtOsc *osc;
    void *jack; /* jack_client_t * */
    pid_t jackd_pid, bridge_pid;
    SmOut jackd_out, bridge_out;
    SsBackoff bridge_backoff;
    double bridge_restart_at;
    double bridge_started_at; /* when a2jmidid was last started */
    bool bridge_rescan;       /* a2jmidid is being restarted to rescan (not a death) */
    double bridge_kill_at;    /* ... SIGKILL it if it has not ended by then */
    double bridge_watch_at;   /* the bridge watch looks again at this time */
    double bridge_rescan_at;  /* when it last restarted a2jmidid (0: reported back) */
    int wake[2];
    atomic_int jack_changed, server_gone;
    atomic_int ports_gone;  /* JACK ports removed so far (a replug removes and re-adds) */
    atomic_int port_events; /* JACK ports registered or removed so far */
    int port_events_seen;   /* the bridge watch: port_events when it last looked */
    double port_change_at;  /* ... and when it first saw that count */
    bool sync_again;        /* a connection failed (port not active yet): retry soon */
    double t0;
    bool reported_open, reported_conns, reported_waiting;
    int jobs_status; /* exit status of run after on-jobs-done = "stop": 0, or 1 if a job failed */
    double all_open_at;
    bool quitting;
    bool stop_hung; /* a child of the current stop ignored SIGTERM */
    bool closing;   /* the clients are being stopped to open another session */
} SmMgr;

#endif
