/* main.c - aiotone-session: run a session directory (start JACK when
 * needed, launch the clients as NSM clients, keep their connections,
 * restart the ones that die), and the save/status/stop commands that
 * talk to the running manager over OSC on loopback. The run's parts:
 * supervise.c (processes), remote.c + nsmcore.c (the NSM server),
 * jack.c (JACK and the patchbay), control.c (the other commands). */
#include "agent.h"
#include "child.h"
#include "control.h"
#include "fileio.h"
#include "jack.h"
#include "log.h"
#include "netmaster.h"
#include "remote.h"
#include "sigpipe.h"
#include "supervise.h"
#include "monotime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef AT_VERSION
#define AT_VERSION "0"
#endif

/* Add the open pipes of o to p; returns the new count. */
static int poll_out(const SmOut *o, struct pollfd *p, int n)
{
    for (int k = 0; k < 2; k++)
        if (o->fd[k] >= 0)
            p[n++] = (struct pollfd){.fd = o->fd[k], .events = POLLIN};
    return n;
}

static void run_loop(SmMgr *m)
{
    double last_sync = 0;
    int made = 0;
    static struct pollfd p[3 + 2 * (SS_MAX_CLIENTS + 2)];
    while (!m->quitting) {
        p[0] = (struct pollfd){.fd = at_osc_fd(m->osc), .events = POLLIN};
        p[1] = (struct pollfd){.fd = at_sigpipe_fd(), .events = POLLIN};
        p[2] = (struct pollfd){.fd = m->wake[0], .events = POLLIN};
        int n = 3;
        for (int i = 0; i < m->s.n_clients; i++)
            n = poll_out(&m->cl[i].out, p, n);
        n = poll_out(&m->jackd_out, p, n);
        n = poll_out(&m->bridge_out, p, n);
        poll(p, (nfds_t)n, 50);
        char buf[64];
        if (p[1].revents & POLLIN)
            at_sigpipe_drain();
        if (p[2].revents & POLLIN)
            while (read(m->wake[0], buf, sizeof buf) > 0) {
            }
        sm_pump(m);
        if (*at_sigpipe_flag()) {
            at_info("signal %d: stopping the session", (int)*at_sigpipe_flag());
            break;
        }
        sm_reap(m);
        at_osc_receive(m->osc);
        sm_supervise(m);
        if (atomic_load(&m->server_gone)) {
            at_error("the JACK server went away; stopping the session");
            break;
        }
        double now = at_mono_now();
        if (atomic_exchange(&m->jack_changed, 0) || m->sync_again || now - last_sync > 1.0) {
            made = sj_sync(m);
            last_sync = now;
        }
        ss_remote_tick(m);
        sm_report_progress(m, made);
        sm_carry_out(m);
    }
}

/* Paths, session.conf, the lock of a running manager, the programs and
 * the JACK server name: everything checked before anything starts.
 * Returns 0, the exit status, or minus the exit status when nothing
 * was loaded (nothing to free). */
static int prepare(SmMgr *m, const char *arg)
{
    char err[2048];
    if (!sm_resolve_dir(arg, m->dir, sizeof m->dir)) {
        at_error("session directory %s: %s", arg, strerror(errno));
        return -2;
    }
    if (snprintf(m->conf, sizeof m->conf, "%s/session.conf", m->dir) >= (int)sizeof m->conf ||
        snprintf(m->urlfile, sizeof m->urlfile, "%s/" SM_URL_FILE, m->dir) >=
            (int)sizeof m->urlfile) {
        at_error("session directory path too long");
        return -2;
    }
    nc_init(&m->core, m->dir);
    if (ss_session_load(&m->s, m->conf, err, sizeof err) != AT_OK) {
        at_error("%s", err);
        at_error("nothing was started");
        return -2;
    }
    int port;
    pid_t other;
    if (sm_read_url_file(m->urlfile, &port, &other) && other != getpid()) {
        if (sm_manager_alive(other)) {
            at_error("a session is already running in %s (pid %d); use 'aiotone-session stop %s'",
                     m->dir, (int)other, arg);
            return 1;
        }
        at_warn("%s: a stale lock: the session manager that wrote it (pid %d) is gone (killed "
                "or crashed); taking the session over",
                m->urlfile, (int)other);
    }
    at_exe_dir(m->self_dir, sizeof m->self_dir);
    for (int i = 0; i < m->s.n_clients; i++) {
        m->cl[i] = (SmClient){.out = {.fd = {-1, -1}}};
        nc_add(&m->core, m->s.clients[i].id, m->s.clients[i].command, m->s.clients[i].nsm);
        if (m->s.clients[i].host[0]) {
            nc_remote(&m->core, i, false);
            continue; /* found on its host by the agent */
        }
        if (!ss_resolve_command(m->s.clients[i].command, m->self_dir, getenv("PATH"), m->cl[i].exe,
                                sizeof m->cl[i].exe)) {
            at_error("%s: client '%s': program '%s' not found (next to aiotone-session or on "
                     "PATH); nothing was started",
                     m->conf, m->s.clients[i].id, m->s.clients[i].command);
            return 2;
        }
    }
    const char *env_server = getenv("JACK_DEFAULT_SERVER");
    const char *server = m->s.server[0]              ? m->s.server
                         : env_server && *env_server ? env_server
                                                     : "default";
    if (strlen(server) >= sizeof m->server) {
        at_error("JACK server name too long: %s", server);
        return 2;
    }
    memcpy(m->server, server, strlen(server) + 1);
    return 0;
}

/* The manager's port, the JACK server (started when none runs) and the
 * URL file; then the bridge and the clients. */
static bool start(SmMgr *m)
{
    char err[2048];
    if (pipe2(m->wake, O_CLOEXEC | O_NONBLOCK) ||
        !at_sigpipe_open(AT_SIGPIPE_CHILD | AT_SIGPIPE_RESTART)) {
        at_error("cannot create pipes: %s", strerror(errno));
        return false;
    }
    m->osc = at_osc_open("127.0.0.1", 0, NULL, 0, sm_on_osc, m, err, sizeof err);
    if (!m->osc) {
        at_error("%s", err);
        return false;
    }
    /* Our own JACK client doubles as the "is a server running?" probe. */
    bool running = sj_open(m, err, sizeof err);
    if (!running && (!sj_start_server(m, err, sizeof err) || !sj_open(m, err, sizeof err))) {
        at_error("%s", err);
        return false;
    }
    if (running && m->s.bridge == SS_BRIDGE_SEQ)
        at_warn("midi-bridge = \"seq\" is jackd's own bridge: it needs the session to start the "
                "server, but '%s' was already running (use \"a2jmidid\" instead)",
                m->server);
    if (!sm_write_url_file(m->urlfile, at_osc_port(m->osc), err, sizeof err)) {
        at_error("%s", err);
        return false;
    }
    at_info("session %s on JACK server '%s'; NSM_URL=osc.udp://127.0.0.1:%d/", m->dir, m->server,
            at_osc_port(m->osc));
    if (m->s.bridge == SS_BRIDGE_A2J)
        sm_spawn_bridge(m);
    ss_remote_begin(m);
    for (int i = 0; i < m->s.n_clients; i++)
        sm_launch(m, i);
    if (m->s.on_jobs_done == SS_JOBS_STOP) {
        int jobs = 0;
        for (int i = 0; i < m->s.n_clients; i++)
            jobs += m->s.clients[i].job;
        if (!jobs)
            at_warn("%s: on-jobs-done = \"stop\" but no client has job = true: the session runs "
                    "until stop",
                    m->conf);
    }
    return true;
}

/* Stop everything this run started, in order, and free the rest. */
static void finish(SmMgr *m, int rc)
{
    ss_remote_end(m);
    sm_stop_children(m);
    /* A client that had to be killed was stuck closing on a wedged server;
     * closing this manager's own client there would hang the same way, so
     * the server it started goes first (docs/sessions.md). */
    if (m->stop_hung)
        sm_stop_server(m);
    sj_close(m);
    sm_stop_server(m);
    if (m->osc) {
        int p;
        pid_t who;
        if (sm_read_url_file(m->urlfile, &p, &who) && who == getpid())
            unlink(m->urlfile);
        at_osc_close(m->osc);
    }
    sm_pump(m);
    if (rc == 0 || m->jobs_status)
        at_info("session stopped");
    ss_session_free(&m->s);
    for (int i = 0; i < 2; i++)
        if (m->wake[i] >= 0)
            close(m->wake[i]);
    at_sigpipe_close();
    nc_free(&m->core);
}

static int cmd_run(const char *arg)
{
    static SmMgr mgr;
    SmMgr *m = &mgr;
    m->t0 = at_mono_now();
    m->wake[0] = m->wake[1] = -1;
    m->jackd_out = m->bridge_out = (SmOut){.fd = {-1, -1}};
    int rc = prepare(m, arg);
    if (rc < 0)
        return -rc;
    if (rc == 0) {
        rc = 1;
        if (start(m)) {
            run_loop(m);
            rc = m->jobs_status;
        }
    }
    finish(m, rc);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: aiotone-session COMMAND DIR  (duplicate: SRC DST)\n"
               "Run a studio session: a directory with session.conf and one state file per\n"
               "client (CLIENT-ID.conf). See aiotone-session(1) and docs/sessions.md.\n"
               "\n"
               "  run DIR     start the session (a JACK server too when none runs under its\n"
               "              name), launch its clients as NSM clients, make and keep its\n"
               "              connections, restart clients that die; runs until stop/^C\n"
               "  save DIR    ask every client to save its state and write the current\n"
               "              connections back to DIR/session.conf\n"
               "  status DIR  list clients, their state, ports and connections\n"
               "  stop DIR    end the clients (SIGTERM), then the JACK server if the session\n"
               "              started it\n"
               "  duplicate SRC DST  copy the session SRC to the new folder DST with every\n"
               "              client's state; when SRC runs, its clients save first and the\n"
               "              manager opens the copy (DST must not exist)\n"
               "  check DIR   validate DIR/session.conf, find its programs and load each\n"
               "              aiotone client's state file with the tool's own rules\n"
               "              (--check-config); starts nothing\n"
               "  agent ...   serve a multi-host session on a remote machine\n"
               "              (aiotone-session agent --help)\n"
               "  -h, --help  this text;  --version  the version\n"
               "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad session file,\n"
               "3 no session running in DIR.\n");
}

int main(int argc, char **argv)
{
    at_log_init("aiotone-session", AT_LOG_INFO);
    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "--version")) {
        printf("aiotone-session %s\n", AT_VERSION);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "agent"))
        return ss_agent_main(argc - 2, argv + 2);
    if (argc == 4 && !strcmp(argv[1], "duplicate"))
        return sm_cmd_duplicate(argv[2], argv[3]);
    if (argc != 3) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1], *dir = argv[2];
    if (!strcmp(cmd, "run"))
        return cmd_run(dir);
    if (!strcmp(cmd, "save"))
        return sm_cmd_simple(dir, "/nsm/server/save", SM_SAVE_WAIT + 5.0);
    if (!strcmp(cmd, "status"))
        return sm_cmd_simple(dir, "/aiotone/session/status", 5.0);
    if (!strcmp(cmd, "stop"))
        return sm_cmd_stop(dir);
    if (!strcmp(cmd, "check"))
        return sm_cmd_check(dir);
    at_error("unknown command '%s' (run, save, status, stop, duplicate, check)", cmd);
    usage(stderr);
    return 2;
}
