/* supervise.c - the session manager's processes: launch the clients and
 * the MIDI bridge, reap them, restart the ones that die (with back-off),
 * report how far the session has come, stop everything in order. */
#include "child.h"
#include "control.h"
#include "jack.h"
#include "log.h"
#include "netmaster.h"
#include "remote.h"
#include "supervise.h"
#include "monotime.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ANNOUNCE_WAIT 5.0

static const SsClientDef *def_of(SmMgr *m, int i)
{
    return &m->s.clients[i];
}

void sm_launch(SmMgr *m, int i)
{
    const SsClientDef *d = def_of(m, i);
    SmClient *c = &m->cl[i];
    if (ss_remote_client(m, i)) /* its host's agent starts it (netmaster.c) */
        return;
    if (!ss_resolve_command(d->command, m->self_dir, getenv("PATH"), c->exe, sizeof c->exe)) {
        at_error("client '%s': program '%s' not found (next to aiotone-session or on PATH)", d->id,
                 d->command);
        nc_launched(&m->core, i, -1, "program not found");
        return;
    }
    char *argv[SS_MAX_ARGS + 2], url[64];
    sm_client_argv(d, argv);
    sm_nsm_url(url, sizeof url, at_osc_port(m->osc));
    pid_t pid =
        sm_spawn(m->dir, m->server, c->exe, argv, SIGTERM, d->nsm ? url : NULL, &c->out, d->id);
    if (pid < 0) {
        at_error("client '%s': cannot start %s: %s", d->id, c->exe, strerror(errno));
        nc_launched(&m->core, i, -1, NULL);
        return;
    }
    c->launched_at = at_mono_now();
    c->announce_warned = false;
    nc_launched(&m->core, i, pid, NULL);
    at_info("started client '%s' (%s, pid %d)", d->id, c->exe, (int)pid);
}

void sm_spawn_bridge(SmMgr *m)
{
    if (access("/dev/snd/seq", F_OK) != 0) {
        at_warn("MIDI bridge: no ALSA sequencer here (/dev/snd/seq is missing); carrying on "
                "without hardware MIDI");
        m->s.bridge = SS_BRIDGE_NONE; /* nothing to supervise (the file keeps its setting) */
        m->bridge_pid = -1;
        return;
    }
    char exe[4096];
    if (!ss_resolve_command("a2jmidid", NULL, getenv("PATH"), exe, sizeof exe)) {
        at_warn("MIDI bridge: a2jmidid is not installed (Debian: apt install a2jmidid)");
        m->bridge_pid = -1;
        return;
    }
    /* a2jmidid ignores $JACK_DEFAULT_SERVER: without -j it opens "default". */
    char *argv[] = {"a2jmidid", "-j", m->server, "-e", NULL};
    m->bridge_pid =
        sm_spawn(m->dir, m->server, exe, argv, SIGTERM, NULL, &m->bridge_out, "a2jmidid");
    m->bridge_started_at = at_mono_now();
    at_info("MIDI bridge: started a2jmidid -j %s -e (pid %d)", m->server, (int)m->bridge_pid);
}

/* The bridge watch (docs/sessions.md, "Hardware MIDI"): a device named in
 * a connection that the sequencer has and a2jmidid never bridged (it
 * misses a port that comes back at the same address before its JACK cycle
 * has dropped the old one: a fast replug) gets a2jmidid restarted, which
 * bridges every port there is when it starts. Twice a second, and only
 * for the session's own a2jmidid. */
#define BRIDGE_WATCH_S 0.5

static void watch_bridge(SmMgr *m)
{
    double now = at_mono_now();
    if (m->s.bridge != SS_BRIDGE_A2J || m->bridge_pid <= 0 || m->bridge_rescan ||
        now < m->bridge_watch_at)
        return;
    m->bridge_watch_at = now + BRIDGE_WATCH_S;
    int client = -1;
    double waited = 0;
    const char *spec = sj_bridge_missed(m, now, &client, &waited);
    if (!spec)
        return;
    at_warn("MIDI bridge: '%s' (ALSA client %d) has been in the sequencer for %.1f s and "
            "a2jmidid has no port for it (it misses a device that comes back at the same "
            "address too fast); restarting a2jmidid so it bridges every port again",
            spec, client, waited);
    sj_bridge_rescanned(m);
    m->bridge_rescan = true;
    m->bridge_rescan_at = now;
    m->bridge_kill_at = now + SM_STOP_WAIT;
    kill(-m->bridge_pid, SIGTERM);
}

/* The MIDI bridge ended (how: what ended it). */
static void bridge_exit(SmMgr *m, const char *how)
{
    m->bridge_pid = 0;
    sm_out_finish(&m->bridge_out);
    if (m->quitting)
        return;
    if (m->bridge_rescan) { /* ended by the bridge watch: start it again now */
        m->bridge_rescan = false;
        m->bridge_restart_at = at_mono_now();
        return;
    }
    double d = ss_backoff_death(&m->bridge_backoff, at_mono_now());
    if (d < 0) {
        at_error("MIDI bridge a2jmidid keeps dying (%s); giving up on it", how);
        m->bridge_pid = -1;
    } else {
        at_warn("MIDI bridge a2jmidid %s; restarting in %.2f s", how, d);
        m->bridge_restart_at = at_mono_now() + d;
    }
}

/* Client i ended with status (how: in words): done, FAILED, or restart
 * after its back-off delay. */
static void client_exit(SmMgr *m, int i, int status, const char *how)
{
    SmClient *c = &m->cl[i];
    const NcClient *n = &m->core.cl[i];
    const SsClientDef *d = def_of(m, i);
    sm_out_finish(&c->out); /* its last words come before the verdict */
    if (m->quitting || m->closing) {
        nc_exited(&m->core, i, NC_STOPPED, NULL);
        return;
    }
    if (n->stopping) { /* a GUI stopped it */
        at_info("client '%s' stopped (%s); not restarted until resumed", d->id, how);
        nc_exited(&m->core, i, NC_STOPPED, NULL);
        return;
    }
    SsEnd end = ss_end_of(status);
    char msg[sizeof n->message];
    if (end == SS_END_DONE) {
        at_info("client '%s' finished (exit status 0): done%s", d->id,
                d->job ? "" : "; not restarted (a client that exits 0 has ended its work)");
        nc_exited(&m->core, i, NC_DONE, "finished (exit status 0)");
        return;
    }
    if (end == SS_END_CONFIG) {
        at_error("client '%s' exited with status 2: its configuration or state file is wrong "
                 "(see its messages above; check with 'aiotone-session check'); FAILED, not "
                 "restarted",
                 d->id);
        if (strncmp(n->message, "open failed: ", 13) == 0) /* its reply came first */
            snprintf(msg, sizeof msg, "exit status 2: configuration error: %.200s", n->message);
        else
            snprintf(msg, sizeof msg, "exit status 2: configuration error");
        nc_exited(&m->core, i, NC_FAILED, msg);
        return;
    }
    double delay = ss_backoff_death(&c->backoff, at_mono_now());
    if (delay < 0) {
        at_error("client '%s' died %d times within %.0f s (%s); GIVING UP on it - "
                 "see its messages above",
                 d->id, SS_BACKOFF_LIMIT, SS_BACKOFF_WINDOW, how);
        snprintf(msg, sizeof msg, "gave up: kept dying (%s)", how);
        nc_exited(&m->core, i, NC_FAILED, msg);
        return;
    }
    at_warn("client '%s' %s; restarting in %.2f s", d->id, how, delay);
    nc_exited(&m->core, i, NC_RESTART, how);
    c->restart_at = at_mono_now() + delay;
}

static void on_child_exit(SmMgr *m, pid_t pid, int status)
{
    char how[64];
    if (WIFSIGNALED(status))
        snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(status));
    if (pid == m->jackd_pid) {
        m->jackd_pid = 0;
        sm_out_finish(&m->jackd_out);
        if (!m->quitting)
            at_error("the JACK server ended (%s)", how);
        return;
    }
    if (pid == m->bridge_pid) {
        bridge_exit(m, how);
        return;
    }
    int i = nc_by_pid(&m->core, pid);
    if (i >= 0)
        client_exit(m, i, status, how);
}

void sm_reap(SmMgr *m)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        on_child_exit(m, pid, status);
}

/* ---------------- the run loop ---------------- */

/* Has every client reached a settled state (open, done or FAILED)? */
static bool all_settled(SmMgr *m)
{
    for (int i = 0; i < m->s.n_clients; i++) {
        NcState st = m->core.cl[i].state;
        if (st != NC_OPEN && st != NC_FAILED && st != NC_DONE)
            return false;
    }
    return true;
}

/* "" when every client is open, else e.g. " ('sampler' done, 'fm' FAILED)". */
static int not_open(SmMgr *m, char *out, size_t outlen)
{
    int n_open = 0;
    out[0] = 0;
    for (int i = 0; i < m->s.n_clients; i++) {
        const NcClient *c = &m->core.cl[i];
        if (c->state == NC_OPEN) {
            n_open++;
            continue;
        }
        size_t l = strlen(out);
        snprintf(out + l, outlen - l, "%s'%s' %s", l ? ", " : " (", c->id, nc_state_name(c->state));
    }
    if (out[0]) {
        size_t l = strlen(out);
        snprintf(out + l, outlen - l, ")");
    }
    return n_open;
}

void sm_report_progress(SmMgr *m, int made)
{
    double now = at_mono_now();
    char others[1024];
    int n_open = not_open(m, others, sizeof others);
    if (!m->reported_open && all_settled(m)) {
        m->reported_open = true;
        m->all_open_at = now;
        if (n_open == m->s.n_clients)
            at_info("all %d clients open in %.0f ms", m->s.n_clients, (now - m->t0) * 1000.0);
        else
            at_log(strstr(others, "FAILED") ? AT_LOG_ERROR : AT_LOG_INFO,
                   "%d of %d clients open in %.0f ms%s", n_open, m->s.n_clients,
                   (now - m->t0) * 1000.0, others);
    }
    if (m->reported_open && !m->reported_conns && made == m->s.n_conns) {
        m->reported_conns = true;
        if (n_open == m->s.n_clients)
            at_info("session open: %d clients, all %d connections made in %.0f ms", m->s.n_clients,
                    made, (now - m->t0) * 1000.0);
        else
            at_info("session open: %d of %d clients%s, all %d connections made in %.0f ms", n_open,
                    m->s.n_clients, others, made, (now - m->t0) * 1000.0);
        nc_loaded(&m->core); /* as nsmd does once every client is open */
    }
    if (m->bridge_rescan_at > 0 && made == m->s.n_conns) {
        at_info("MIDI bridge: all %d connections made again %.1f s after a2jmidid was restarted",
                made, now - m->bridge_rescan_at);
        m->bridge_rescan_at = 0;
    }
    if (m->reported_open && !m->reported_conns && !m->reported_waiting &&
        now - m->all_open_at > 2.0) {
        m->reported_waiting = true;
        at_info("session open: %d of %d connections made in %.0f ms; the rest wait for their "
                "ports to appear",
                made, m->s.n_conns, (m->all_open_at - m->t0) * 1000.0);
        nc_loaded(&m->core);
    }
}

/* on-jobs-done = "stop": once every job has finished (done or FAILED),
 * stop the session; run then exits 0, or 1 when a job failed. */
static void check_jobs(SmMgr *m)
{
    if (m->s.on_jobs_done != SS_JOBS_STOP || m->quitting)
        return;
    int jobs = 0, failed = 0;
    char names[1024] = "";
    for (int i = 0; i < m->s.n_clients; i++) {
        const NcClient *c = &m->core.cl[i];
        if (!def_of(m, i)->job)
            continue;
        if (c->state != NC_DONE && c->state != NC_FAILED)
            return;
        jobs++;
        failed += c->state == NC_FAILED;
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s'%s' %s", l ? ", " : "", c->id,
                 nc_state_name(c->state));
    }
    if (!jobs)
        return;
    at_log(failed ? AT_LOG_ERROR : AT_LOG_INFO,
           "%s: %s; stopping the session (on-jobs-done = \"stop\")",
           failed      ? "a job FAILED"
           : jobs == 1 ? "the job is done"
                       : "all jobs are done",
           names);
    m->jobs_status = failed ? 1 : 0;
    m->quitting = true;
}

void sm_supervise(SmMgr *m)
{
    double now = at_mono_now();
    for (int i = 0; i < m->s.n_clients; i++) {
        SmClient *c = &m->cl[i];
        NcState st = m->core.cl[i].state;
        if (st == NC_RESTART && now >= c->restart_at) {
            c->restarts++;
            sm_launch(m, i);
        } else if (st == NC_LAUNCHED && !c->announce_warned &&
                   now - c->launched_at > ANNOUNCE_WAIT) {
            c->announce_warned = true;
            at_warn("client '%s' has not announced itself within %.0f s: is %s an NSM client? "
                    "(nsm = false; starts a plain program)",
                    def_of(m, i)->id, ANNOUNCE_WAIT, def_of(m, i)->command);
        }
    }
    if (m->s.bridge == SS_BRIDGE_A2J && m->bridge_pid == 0 && m->bridge_restart_at > 0 &&
        now >= m->bridge_restart_at) {
        m->bridge_restart_at = 0;
        sm_spawn_bridge(m);
    }
    if (m->bridge_rescan && m->bridge_pid > 0 && now >= m->bridge_kill_at) {
        at_warn("MIDI bridge a2jmidid ignored SIGTERM for %.0f s; killing it", SM_STOP_WAIT);
        kill(-m->bridge_pid, SIGKILL);
        m->bridge_kill_at = now + 60.0;
    }
    watch_bridge(m);
    nc_tick(&m->core, now);
    sm_carry_out(m);
    check_jobs(m);
}
/* Wait up to secs for *pid to be reaped (reap() zeroes it). */
static bool wait_gone(SmMgr *m, pid_t *pid, double secs)
{
    double end = at_mono_now() + secs;
    while (*pid > 0 && at_mono_now() < end) {
        sm_pump(m);
        sm_reap(m);
        if (*pid > 0)
            usleep(5000);
    }
    return *pid <= 0;
}

/* End one child: SIGTERM to its process group, SIGKILL if it lingers.
 * A JACK client that does not end after SIGTERM is almost always stuck
 * in jack_client_close on a wedged server, and the next ones would be
 * too: once one was killed, the others of this stop get SM_STOP_WAIT_HUNG
 * seconds, so stopping a session stays short. */
static void stop_one(SmMgr *m, pid_t *pid, const char *what)
{
    if (*pid <= 0)
        return;
    double wait = m->stop_hung ? SM_STOP_WAIT_HUNG : SM_STOP_WAIT;
    kill(-*pid, SIGTERM);
    if (wait_gone(m, pid, wait))
        return;
    at_warn("%s ignored SIGTERM for %.0f s; killing it%s", what, wait,
            m->stop_hung ? "" : " (is the JACK server stuck?)");
    m->stop_hung = true;
    kill(-*pid, SIGKILL);
    wait_gone(m, pid, 60.0);
}

/* End the clients one at a time, last started first: jackd 1.9.21 can
 * deadlock when several clients close at the same moment (seen here with
 * six at once), and then nothing, not even `stop`, gets an answer. */
void sm_stop_clients(SmMgr *m)
{
    m->stop_hung = false;
    for (int i = m->s.n_clients - 1; i >= 0; i--) {
        char what[96];
        snprintf(what, sizeof what, "client '%s'", m->s.clients[i].id);
        stop_one(m, &m->core.cl[i].pid, what);
    }
}

void sm_stop_client(SmMgr *m, int i)
{
    m->stop_hung = false;
    char what[96];
    snprintf(what, sizeof what, "client '%s'", m->s.clients[i].id);
    stop_one(m, &m->core.cl[i].pid, what);
}

void sm_resume_client(SmMgr *m, int i)
{
    m->cl[i].backoff = (SsBackoff){0}; /* a fresh start: earlier deaths do not count */
    sm_launch(m, i);
}

void sm_drop_client(SmMgr *m, int i)
{
    SsClientDef *d = &m->s.clients[i];
    for (int k = 0; k < d->n_args; k++)
        free(d->args[k]);
    sm_out_finish(&m->cl[i].out);
    int after = m->s.n_clients - i - 1;
    memmove(d, d + 1, (size_t)after * sizeof *d);
    memmove(&m->cl[i], &m->cl[i + 1], (size_t)after * sizeof m->cl[0]);
    m->s.n_clients--;
}

void sm_stop_children(SmMgr *m)
{
    m->quitting = true;
    sm_stop_clients(m);
    stop_one(m, &m->bridge_pid, "the MIDI bridge");
}

void sm_stop_server(SmMgr *m)
{
    if (m->jackd_pid <= 0)
        return;
    at_info("stopping the JACK server '%s' this session started", m->server);
    kill(m->jackd_pid, SIGTERM);
    for (int i = 0; i < 250 && m->jackd_pid > 0; i++) {
        usleep(20000);
        sm_reap(m);
    }
    if (m->jackd_pid > 0) {
        kill(m->jackd_pid, SIGKILL);
        waitpid(m->jackd_pid, NULL, 0);
    }
}
