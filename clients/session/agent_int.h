/* agent_int.h - what the files of the session agent share (agent.c: the
 * command line, opening and closing, the loop; agentcmd.c: the master's
 * commands and their check; agentproc.c: the processes it starts, their
 * NSM server side, their supervision and the legs on the slave server);
 * not for the rest of the shell. See docs/sessions.md "Studios across
 * machines". Prefix ag_. */
#ifndef SS_AGENT_INT_H
#define SS_AGENT_INT_H

#include "osc.h"
#include "sessconf.h"

#include <jack/jack.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#define AG_MAX_LEGS 128
#define AG_PORT_MAX 320

/* A connection to keep on the slave server (a leg of a route across
 * hosts, docs/sessions.md): made whenever both ports exist. */
typedef struct {
    char from[AG_PORT_MAX], to[AG_PORT_MAX];
} AgLeg;

typedef struct {
    pid_t pid;
    struct sockaddr_storage nsm_addr; /* where its NSM messages come from */
    socklen_t nsm_len;                /* 0: not announced (yet) */
    bool save_asked;
    bool want; /* started by the master and not stopped: restart when it dies */
    SsBackoff backoff;
    double restart_at;
} AgClient;

typedef struct {
    AtOsc *osc;
    AtOsc *nsm;                     /* on loopback: the NSM server side for its clients */
    struct sockaddr_storage master; /* who asked for the last save */
    socklen_t master_len;
    char secret[SS_SECRET_MAX];
    char dir[PATH_MAX]; /* where state files from the master are written */
    char server[64];    /* the slave's JACK server name */
    char self_dir[PATH_MAX];
    SsSession s;
    bool have_session;
    int host; /* index in s.hosts */
    pid_t slave_pid;
    AgClient cl[SS_MAX_CLIENTS];
    jack_client_t *jack; /* on the slave server, to make the legs */
    atomic_int jack_gone;
    double jack_tried_at;
    AgLeg legs[AG_MAX_LEGS];
    int n_legs;
} Agent;

/* Start exe; it gets die_sig when the agent ends, even by SIGKILL (the
 * slave jackd SIGKILL: one left behind would keep the server's name). */
pid_t ag_spawn(const char *exe, char *const argv[], const char *server, const char *nsm_url,
               int die_sig);
/* Start client k of the session (it is on this host). */
bool ag_launch(Agent *g, int k);
/* SIGTERM, then SIGKILL after 5 s; reaps it (nothing for pid <= 0). */
void ag_stop_pid(pid_t pid);
/* Reap children; restart a wanted client that died, with back-off. */
void ag_supervise(Agent *g);
/* Make every kept connection whose ports exist on the slave server. */
void ag_keep_legs(Agent *g);
/* The NSM server side, for the clients this agent started (loopback). */
void ag_on_nsm(void *user, AtOsc *osc, const AtOscMsg *msg);
/* A message from the master: checked (allow-list, secret), then run. */
void ag_on_message(void *user, AtOsc *osc, const AtOscMsg *msg);

#endif
