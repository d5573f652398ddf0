/* main.c - aiotone-session: run a session directory (start JACK when
 * needed, launch the clients as NSM clients, keep their connections,
 * restart the ones that die), and the save/status/stop commands that
 * talk to the running manager over OSC on loopback. */
#include "fileio.h"
#include "log.h"
#include "manager.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AT_VERSION
#define AT_VERSION "0"
#endif

#define URL_FILE ".aiotone-session.url"
#define ANNOUNCE_WAIT 5.0
#define SAVE_WAIT 10.0
#define STOP_WAIT 5.0

extern char **environ;
static volatile sig_atomic_t got_signal;
static int signal_fd = -1;

double ss_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void on_signal(int sig)
{
    if (sig != SIGCHLD)
        got_signal = sig;
    if (signal_fd >= 0) {
        char c = 1;
        ssize_t r = write(signal_fd, &c, 1);
        (void)r;
    }
}

/* ---------------- children ---------------- */

/* The environment for a child, built before fork (no malloc after it). */
static char **child_env(const char *nsm_url, const char *server)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 3, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "NSM_URL=", 8) && strncmp(environ[i], "JACK_DEFAULT_SERVER=", 20))
            env[k++] = environ[i];
    if (nsm_url && asprintf(&env[k], "NSM_URL=%s", nsm_url) > 0)
        k++;
    if (asprintf(&env[k], "JACK_DEFAULT_SERVER=%s", server) > 0)
        k++;
    env[k] = NULL;
    return env;
}

static void free_env(char **env)
{
    if (!env)
        return;
    for (size_t i = 0; env[i]; i++)
        if (!strncmp(env[i], "NSM_URL=", 8) || !strncmp(env[i], "JACK_DEFAULT_SERVER=", 20))
            free(env[i]); /* ours; the rest belong to environ */
    free(env);
}

static void out_close(ChildOut *o, int k)
{
    if (o->fd[k] >= 0)
        close(o->fd[k]);
    o->fd[k] = -1;
}

typedef struct {
    const ChildOut *o;
    FILE *f;
} EmitCtx;

static void emit_line(void *ctx, const char *line, size_t len)
{
    const EmitCtx *e = ctx;
    fprintf(e->f, "[%s] %.*s\n", e->o->name, (int)len, line);
    fflush(e->f);
}

/* Read what a child wrote (until the pipe is empty); at EOF print a last
 * unfinished line and close the pipe. */
static void out_pump(ChildOut *o)
{
    for (int k = 0; k < 2; k++) {
        EmitCtx ctx = {o, k ? stderr : stdout};
        while (o->fd[k] >= 0) {
            char buf[4096];
            ssize_t r = read(o->fd[k], buf, sizeof buf);
            if (r > 0) {
                ss_lines_feed(&o->lines[k], buf, (size_t)r, emit_line, &ctx);
                continue;
            }
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0 && errno == EAGAIN)
                break;
            ss_lines_flush(&o->lines[k], emit_line, &ctx);
            out_close(o, k);
        }
    }
}

/* The child has ended: print everything left, close the pipes (a
 * grandchild still holding them would only keep them open). */
static void out_finish(ChildOut *o)
{
    out_pump(o);
    for (int k = 0; k < 2; k++) {
        EmitCtx ctx = {o, k ? stderr : stdout};
        ss_lines_flush(&o->lines[k], emit_line, &ctx);
        out_close(o, k);
    }
}

void ss_pump(Mgr *m)
{
    for (int i = 0; i < m->s.n_clients; i++)
        out_pump(&m->cl[i].out);
    out_pump(&m->jackd_out);
    out_pump(&m->bridge_out);
}

pid_t ss_spawn(Mgr *m, const char *exe, char *const argv[], const char *nsm_url, ChildOut *out,
               const char *name)
{
    int p[2][2] = {{-1, -1}, {-1, -1}};
    char **env = child_env(nsm_url, m->server);
    if (!env || pipe2(p[0], O_CLOEXEC) || pipe2(p[1], O_CLOEXEC)) {
        for (int k = 0; k < 4; k++)
            if (p[k / 2][k % 2] >= 0)
                close(p[k / 2][k % 2]);
        free_env(env);
        return -1;
    }
    out_finish(out); /* a previous run's pipes */
    snprintf(out->name, sizeof out->name, "%s", name);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        /* Own process group (a ^C on the terminal reaches only the
         * manager, which then stops everyone in order); die with it. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        for (int s = 1; s < NSIG; s++)
            sigaction(s, &dfl, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (dup2(p[0][1], 1) < 0 || dup2(p[1][1], 2) < 0 || chdir(m->dir) != 0)
            _exit(127);
        close_range(3, ~0U, 0);
        execve(exe, argv, env);
        _exit(127);
    }
    int e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free_env(env);
    close(p[0][1]);
    close(p[1][1]);
    if (pid < 0) {
        close(p[0][0]);
        close(p[1][0]);
        errno = e;
        return -1;
    }
    for (int k = 0; k < 2; k++) {
        fcntl(p[k][0], F_SETFL, O_NONBLOCK);
        out->fd[k] = p[k][0];
        out->lines[k].len = 0;
    }
    return pid;
}

static const SsClientDef *def_of(Mgr *m, const Client *c)
{
    return &m->s.clients[c->def];
}

static void launch(Mgr *m, Client *c)
{
    const SsClientDef *d = def_of(m, c);
    if (!ss_resolve_command(d->command, m->self_dir, getenv("PATH"), c->exe, sizeof c->exe)) {
        at_error("client '%s': program '%s' not found (next to aiotone-session or on PATH)", d->id,
                 d->command);
        snprintf(c->message, sizeof c->message, "program not found");
        c->state = CL_FAILED;
        return;
    }
    char *argv[SS_MAX_ARGS + 2];
    int n = 0;
    argv[n++] = (char *)d->command;
    for (int i = 0; i < d->n_args; i++)
        argv[n++] = d->args[i];
    argv[n] = NULL;
    char url[64];
    snprintf(url, sizeof url, "osc.udp://127.0.0.1:%d/", at_osc_port(m->osc));
    c->pid = ss_spawn(m, c->exe, argv, d->nsm ? url : NULL, &c->out, d->id);
    if (c->pid < 0) {
        at_error("client '%s': cannot start %s: %s", d->id, c->exe, strerror(errno));
        c->state = CL_FAILED;
        return;
    }
    c->launched_at = ss_now();
    c->addrlen = 0;
    c->announce_warned = false;
    c->state = d->nsm ? CL_LAUNCHED : CL_OPEN;
    at_info("started client '%s' (%s, pid %d)", d->id, c->exe, (int)c->pid);
}

static void spawn_bridge(Mgr *m)
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
    m->bridge_pid = ss_spawn(m, exe, argv, NULL, &m->bridge_out, "a2jmidid");
    m->bridge_started_at = ss_now();
    at_info("MIDI bridge: started a2jmidid -j %s -e (pid %d)", m->server, (int)m->bridge_pid);
}

/* The bridge watch (docs/sessions.md, "Hardware MIDI"): a device named in
 * a connection that the sequencer has and a2jmidid never bridged (it
 * misses a port that comes back at the same address before its JACK cycle
 * has dropped the old one: a fast replug) gets a2jmidid restarted, which
 * bridges every port there is when it starts. Twice a second, and only
 * for the session's own a2jmidid. */
#define BRIDGE_WATCH_S 0.5

static void watch_bridge(Mgr *m)
{
    double now = ss_now();
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
    m->bridge_kill_at = now + STOP_WAIT;
    kill(-m->bridge_pid, SIGTERM);
}

static Client *client_by_pid(Mgr *m, pid_t pid)
{
    for (int i = 0; i < m->s.n_clients; i++)
        if (m->cl[i].pid == pid && pid > 0)
            return &m->cl[i];
    return NULL;
}

static void on_child_exit(Mgr *m, pid_t pid, int status)
{
    char how[64];
    if (WIFSIGNALED(status))
        snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(status));
    if (pid == m->jackd_pid) {
        m->jackd_pid = 0;
        out_finish(&m->jackd_out);
        if (!m->quitting)
            at_error("the JACK server ended (%s)", how);
        return;
    }
    if (pid == m->bridge_pid) {
        m->bridge_pid = 0;
        out_finish(&m->bridge_out);
        if (m->quitting)
            return;
        if (m->bridge_rescan) { /* ended by the bridge watch: start it again now */
            m->bridge_rescan = false;
            m->bridge_restart_at = ss_now();
            return;
        }
        double d = ss_backoff_death(&m->bridge_backoff, ss_now());
        if (d < 0) {
            at_error("MIDI bridge a2jmidid keeps dying (%s); giving up on it", how);
            m->bridge_pid = -1;
        } else {
            at_warn("MIDI bridge a2jmidid %s; restarting in %.2f s", how, d);
            m->bridge_restart_at = ss_now() + d;
        }
        return;
    }
    Client *c = client_by_pid(m, pid);
    if (!c)
        return;
    out_finish(&c->out); /* its last words come before the verdict */
    c->pid = 0;
    c->save_pending = false;
    const SsClientDef *d = def_of(m, c);
    if (m->quitting) {
        c->state = CL_STOPPED;
        return;
    }
    SsEnd end = ss_end_of(status);
    if (end == SS_END_DONE) {
        at_info("client '%s' finished (exit status 0): done%s", d->id,
                d->job ? "" : "; not restarted (a client that exits 0 has ended its work)");
        snprintf(c->message, sizeof c->message, "finished (exit status 0)");
        c->state = CL_DONE;
        return;
    }
    if (end == SS_END_CONFIG) {
        at_error("client '%s' exited with status 2: its configuration or state file is wrong "
                 "(see its messages above; check with 'aiotone-session check'); FAILED, not "
                 "restarted",
                 d->id);
        if (strncmp(c->message, "open failed: ", 13) == 0) { /* its reply came first */
            char why[sizeof c->message];
            snprintf(why, sizeof why, "%s", c->message);
            snprintf(c->message, sizeof c->message, "exit status 2: configuration error: %.200s",
                     why);
        } else {
            snprintf(c->message, sizeof c->message, "exit status 2: configuration error");
        }
        c->state = CL_FAILED;
        return;
    }
    double delay = ss_backoff_death(&c->backoff, ss_now());
    if (delay < 0) {
        at_error("client '%s' died %d times within %.0f s (%s); GIVING UP on it - "
                 "see its messages above",
                 d->id, SS_BACKOFF_LIMIT, SS_BACKOFF_WINDOW, how);
        snprintf(c->message, sizeof c->message, "gave up: kept dying (%s)", how);
        c->state = CL_FAILED;
        return;
    }
    at_warn("client '%s' %s; restarting in %.2f s", d->id, how, delay);
    snprintf(c->message, sizeof c->message, "%s", how);
    c->state = CL_RESTART;
    c->restart_at = ss_now() + delay;
}

static void reap(Mgr *m)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        on_child_exit(m, pid, status);
}

/* ---------------- NSM server ---------------- */
/* OSC arguments are only 4-byte aligned while lo_arg wants 8: read them
 * through char pointers and memcpy, not union member access. */
static const char *arg_s(const AtOscMsg *msg, int i)
{
    return (const char *)msg->argv[i];
}

static int32_t arg_i(const AtOscMsg *msg, int i)
{
    int32_t v;
    memcpy(&v, msg->argv[i], sizeof v);
    return v;
}

static void send_to(Mgr *m, const struct sockaddr_storage *to, socklen_t len, const char *path,
                    lo_message msg)
{
    at_osc_send_to(m->osc, to, len, path, msg);
    lo_message_free(msg);
}

static void reply(Mgr *m, const AtOscMsg *to, const char *for_path, const char *text)
{
    lo_message r = lo_message_new();
    lo_message_add_string(r, for_path);
    lo_message_add_string(r, text);
    send_to(m, &to->from, to->fromlen, "/reply", r);
}

static void error_to(Mgr *m, const struct sockaddr_storage *to, socklen_t len, const char *for_path,
                     int code, const char *text)
{
    lo_message r = lo_message_new();
    lo_message_add_string(r, for_path);
    lo_message_add_int32(r, code);
    lo_message_add_string(r, text);
    send_to(m, to, len, "/error", r);
}

static bool same_addr(const struct sockaddr_storage *a, socklen_t alen,
                      const struct sockaddr_storage *b, socklen_t blen)
{
    return alen && alen == blen && !memcmp(a, b, alen);
}

static Client *client_by_addr(Mgr *m, const AtOscMsg *msg)
{
    for (int i = 0; i < m->s.n_clients; i++)
        if (same_addr(&m->cl[i].addr, m->cl[i].addrlen, &msg->from, msg->fromlen))
            return &m->cl[i];
    return NULL;
}

/* The announcing process is the one we launched (same pid), or, for a
 * wrapper that execs something else, the only client still waiting. */
static Client *match_announce(Mgr *m, int pid)
{
    Client *c = client_by_pid(m, pid), *waiting = NULL;
    if (c && (c->state == CL_LAUNCHED || c->state == CL_OPEN || c->state == CL_OPENING))
        return c;
    int n = 0;
    for (int i = 0; i < m->s.n_clients; i++)
        if (m->cl[i].state == CL_LAUNCHED) {
            waiting = &m->cl[i];
            n++;
        }
    return n == 1 ? waiting : NULL;
}

static void on_announce(Mgr *m, const AtOscMsg *msg)
{
    if (strcmp(msg->types, "sssiii")) {
        error_to(m, &msg->from, msg->fromlen, "/nsm/server/announce", -1,
                 "announce takes sssiii (name, capabilities, executable, major, minor, pid)");
        return;
    }
    if (arg_i(msg, 3) != 1) {
        error_to(m, &msg->from, msg->fromlen, "/nsm/server/announce", -2,
                 "incompatible API version (this server speaks 1.x)");
        return;
    }
    Client *c = match_announce(m, arg_i(msg, 5));
    if (!c) {
        error_to(m, &msg->from, msg->fromlen, "/nsm/server/announce", -1,
                 "this session did not launch you (add clients with /nsm/server/add)");
        return;
    }
    const SsClientDef *d = def_of(m, c);
    memcpy(&c->addr, &msg->from, msg->fromlen);
    c->addrlen = msg->fromlen;
    c->state = CL_OPENING;
    at_info("client '%s' announced as %s (capabilities %s)", d->id, arg_s(msg, 0), arg_s(msg, 1));
    lo_message r = lo_message_new();
    lo_message_add_string(r, "/nsm/server/announce");
    lo_message_add_string(r, "welcome to aiotone-session");
    lo_message_add_string(r, "aiotone-session");
    lo_message_add_string(r, ":server-control:");
    send_to(m, &msg->from, msg->fromlen, "/reply", r);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", m->dir, d->id);
    lo_message o = lo_message_new();
    lo_message_add_string(o, path);
    lo_message_add_string(o, d->id);
    lo_message_add_string(o, d->id);
    send_to(m, &msg->from, msg->fromlen, "/nsm/client/open", o);
}

static void finish_save(Mgr *m);

static void on_client_reply(Mgr *m, Client *c, const AtOscMsg *msg, bool ok)
{
    const char *what = arg_s(msg, 0);
    const SsClientDef *d = def_of(m, c);
    const char *text = ok ? (msg->argc > 1 && msg->types[1] == 's' ? arg_s(msg, 1) : "")
                          : (msg->argc > 2 && msg->types[2] == 's' ? arg_s(msg, 2) : "");
    if (!strcmp(what, "/nsm/client/open")) {
        if (ok) {
            c->state = CL_OPEN;
            if (c->restarts)
                at_info("client '%s' is open (%.0f ms after restart %d)", d->id,
                        (ss_now() - c->launched_at) * 1000.0, c->restarts);
            else
                at_info("client '%s' is open (%.0f ms after start)", d->id,
                        (ss_now() - m->t0) * 1000.0);
            atomic_store(&m->jack_changed, 1);
            if (m->loaded_sent) /* the session is loaded already: tell the newcomer */
                send_to(m, &c->addr, c->addrlen, "/nsm/client/session_is_loaded", lo_message_new());
        } else {
            at_error("client '%s' could not open its state: %s", d->id, text);
            snprintf(c->message, sizeof c->message, "%sopen failed: %.200s",
                     c->state == CL_FAILED && !strncmp(c->message, "exit status 2", 13)
                         ? "exit status 2: configuration error: "
                         : "",
                     text);
        }
    } else if (!strcmp(what, "/nsm/client/save")) {
        c->save_pending = false;
        c->save_failed = !ok;
        if (ok)
            c->dirty = false;
        else
            at_error("client '%s' could not save: %s", d->id, text);
        snprintf(c->message, sizeof c->message, "%s%s", ok ? "" : "save failed: ", text);
        finish_save(m);
    }
}

static void on_client_message(Mgr *m, Client *c, const AtOscMsg *msg)
{
    if (!strcmp(msg->path, "/nsm/client/is_dirty"))
        c->dirty = true;
    else if (!strcmp(msg->path, "/nsm/client/is_clean"))
        c->dirty = false;
    else if (!strcmp(msg->path, "/nsm/client/message") && !strcmp(msg->types, "is"))
        snprintf(c->message, sizeof c->message, "%s", arg_s(msg, 1));
    else if ((!strcmp(msg->path, "/reply") || !strcmp(msg->path, "/error")) && msg->argc >= 1 &&
             msg->types[0] == 's')
        on_client_reply(m, c, msg, !strcmp(msg->path, "/reply"));
}

/* ---------------- commands ---------------- */

static void start_save(Mgr *m, const AtOscMsg *req)
{
    if (req) {
        memcpy(&m->save_req, &req->from, req->fromlen);
        m->save_req_len = req->fromlen;
    } else {
        m->save_req_len = 0;
    }
    m->saving = true;
    m->save_deadline = ss_now() + SAVE_WAIT;
    for (int i = 0; i < m->s.n_clients; i++) {
        Client *c = &m->cl[i];
        c->save_failed = false;
        c->save_pending = c->state == CL_OPEN && def_of(m, c)->nsm && c->addrlen;
        if (c->save_pending)
            send_to(m, &c->addr, c->addrlen, "/nsm/client/save", lo_message_new());
    }
    finish_save(m);
}

/* Write session.conf for a save, keeping the user's text: untouched when
 * nothing in it changed, else only the settings that changed are
 * rewritten (see ss_session_update_text). */
static AtStatus write_conf(Mgr *m, bool *unchanged, char *err, size_t errlen)
{
    char *old_text = ss_read_file(m->conf, NULL);
    SsSession old;
    char why[1024];
    *unchanged = false;
    if (!old_text || ss_session_parse(&old, old_text, m->conf, why, sizeof why) != AT_OK) {
        /* gone or broken meanwhile: write the session as it runs */
        free(old_text);
        return ss_session_save(&m->s, m->conf, err, errlen);
    }
    AtStatus st = AT_OK;
    if (ss_session_same(&old, &m->s)) {
        *unchanged = true;
    } else {
        char *text = ss_session_update_text(old_text, &old, &m->s);
        if (!text) {
            snprintf(err, errlen, "out of memory");
            st = AT_ERR_RUNTIME;
        } else {
            st = ss_session_write_text(text, m->conf, err, errlen);
        }
        free(text);
    }
    ss_session_free(&old);
    free(old_text);
    return st;
}

/* Once every client answered (or the wait is over): write session.conf. */
static void finish_save(Mgr *m)
{
    if (!m->saving)
        return;
    bool late = ss_now() >= m->save_deadline;
    char problems[1024] = "";
    for (int i = 0; i < m->s.n_clients; i++) {
        Client *c = &m->cl[i];
        if (c->save_pending && !late)
            return;
        if (c->save_pending || c->save_failed)
            snprintf(problems + strlen(problems), sizeof problems - strlen(problems), "%s'%s' %s",
                     problems[0] ? ", " : "", def_of(m, c)->id,
                     c->save_pending ? "did not answer" : "could not save");
        c->save_pending = false;
    }
    m->saving = false;
    char err[1024] = "";
    sj_collect(m);
    bool unchanged = false;
    AtStatus st = write_conf(m, &unchanged, err, sizeof err);
    char text[8192];
    if (st != AT_OK)
        snprintf(text, sizeof text, "%s", err);
    else if (unchanged && !problems[0])
        snprintf(text, sizeof text, "saved %s (%d clients, %d connections; session.conf unchanged)",
                 m->conf, m->s.n_clients, m->s.n_conns);
    else if (problems[0])
        snprintf(text, sizeof text, "saved %s, but client %s", m->conf, problems);
    else
        snprintf(text, sizeof text, "saved %s (%d clients, %d connections)", m->conf,
                 m->s.n_clients, m->s.n_conns);
    at_log(st == AT_OK && !problems[0] ? AT_LOG_INFO : AT_LOG_WARN, "%s", text);
    if (!m->save_req_len)
        return;
    if (st == AT_OK && !problems[0]) {
        lo_message r = lo_message_new();
        lo_message_add_string(r, "/nsm/server/save");
        lo_message_add_string(r, text);
        send_to(m, &m->save_req, m->save_req_len, "/reply", r);
    } else {
        error_to(m, &m->save_req, m->save_req_len, "/nsm/server/save", -1, text);
    }
}

static const char *state_name(ClState s)
{
    static const char *const names[] = {"idle",       "launched", "opening", "open",
                                        "restarting", "FAILED",   "stopped", "done"};
    return names[s];
}

static char *status_text(Mgr *m)
{
    size_t cap = 65536, len = 0;
    char *t = malloc(cap);
    if (!t)
        return NULL;
#define OUT(...)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(t + len, cap - len, __VA_ARGS__);                                        \
        if (w_ > 0)                                                                                \
            len = len + (size_t)w_ < cap ? len + (size_t)w_ : cap - 1;                             \
    } while (0)
    OUT("session %s\n  manager pid %d, OSC osc.udp://127.0.0.1:%d/, JACK server '%s'%s\n", m->dir,
        (int)getpid(), at_osc_port(m->osc), m->server,
        m->jackd_pid > 0 ? " (started by this session)" : "");
    OUT("clients:\n");
    for (int i = 0; i < m->s.n_clients; i++) {
        Client *c = &m->cl[i];
        const SsClientDef *d = def_of(m, c);
        OUT("  %-14s %-10s %s pid %d restarts %d%s%s%s%s%s\n", d->id, state_name(c->state),
            d->command, (int)c->pid, c->restarts, d->nsm ? "" : " (plain)", d->job ? " (job)" : "",
            c->dirty ? " dirty" : "", c->message[0] ? " - " : "", c->message);
        char ports[4096];
        sj_client_ports(m, d->id, ports, sizeof ports);
        OUT("      ports: %s\n", ports[0] ? ports : "(none)");
    }
    OUT("connections:\n");
    static const char *const st[] = {"waiting (port absent)", "made", "NOT CONNECTED"};
    for (int i = 0; i < m->s.n_conns; i++)
        OUT("  %s -> %s  %s\n", m->s.conns[i].from, m->s.conns[i].to, st[sj_conn_state(m, i)]);
#undef OUT
    return t;
}

/* /nsm/server/add s EXECUTABLE: a new NSM client under a fresh id. */
static void cmd_add(Mgr *m, const AtOscMsg *msg)
{
    char err[512];
    if (strcmp(msg->types, "s")) {
        error_to(m, &msg->from, msg->fromlen, "/nsm/server/add", -1, "add takes s EXECUTABLE");
        return;
    }
    const char *exe = arg_s(msg, 0);
    char probe[4096], id[SS_ID_MAX];
    if (!ss_resolve_command(exe, m->self_dir, getenv("PATH"), probe, sizeof probe)) {
        error_to(m, &msg->from, msg->fromlen, "/nsm/server/add", -4,
                 "not an allowed program (a bare name next to aiotone-session or on PATH)");
        return;
    }
    const char *base = !strncmp(exe, "aiotone-", 8) ? exe + 8 : exe;
    for (int k = 1;; k++) {
        snprintf(id, sizeof id, k == 1 ? "%.40s" : "%.40s-%d", base, k);
        for (char *p = id; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *p))
                *p = '_';
        if (ss_session_find(&m->s, id) < 0)
            break;
    }
    if (!ss_session_add_client(&m->s, id, exe, NULL, 0, true, err, sizeof err)) {
        error_to(m, &msg->from, msg->fromlen, "/nsm/server/add", -1, err);
        return;
    }
    int i = m->s.n_clients - 1;
    m->cl[i] = (Client){.def = i, .out = {.fd = {-1, -1}}};
    launch(m, &m->cl[i]);
    char text[128];
    snprintf(text, sizeof text, "added as '%s'", id);
    reply(m, msg, "/nsm/server/add", text);
}

static void on_command(Mgr *m, const AtOscMsg *msg)
{
    if (!strcmp(msg->path, "/nsm/server/save")) {
        if (m->saving)
            error_to(m, &msg->from, msg->fromlen, "/nsm/server/save", -8, "a save is running");
        else
            start_save(m, msg);
    } else if (!strcmp(msg->path, "/nsm/server/quit") || !strcmp(msg->path, "/nsm/server/close")) {
        reply(m, msg, msg->path, "stopping");
        m->quitting = true;
    } else if (!strcmp(msg->path, "/nsm/server/list")) {
        for (int i = 0; i < m->s.n_clients; i++)
            reply(m, msg, "/nsm/server/list", m->s.clients[i].id);
        reply(m, msg, "/nsm/server/list", "");
    } else if (!strcmp(msg->path, "/nsm/server/add")) {
        cmd_add(m, msg);
    } else if (!strcmp(msg->path, "/aiotone/session/status")) {
        char *t = status_text(m);
        reply(m, msg, "/aiotone/session/status", t ? t : "out of memory");
        free(t);
    } else if (!strncmp(msg->path, "/nsm/server/", 12)) {
        error_to(m, &msg->from, msg->fromlen, msg->path, -1, "not supported by aiotone-session");
    }
}

static void on_osc(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    Mgr *m = user;
    (void)osc;
    if (!msg->allowed)
        return; /* only loopback (the socket is bound there anyway) */
    if (!strcmp(msg->path, "/nsm/server/announce")) {
        on_announce(m, msg);
        return;
    }
    Client *c = client_by_addr(m, msg);
    if (c)
        on_client_message(m, c, msg);
    else
        on_command(m, msg);
}

/* ---------------- the run loop ---------------- */

/* Has every client reached a settled state (open, done or FAILED)? */
static bool all_settled(Mgr *m)
{
    for (int i = 0; i < m->s.n_clients; i++)
        if (m->cl[i].state != CL_OPEN && m->cl[i].state != CL_FAILED && m->cl[i].state != CL_DONE)
            return false;
    return true;
}

/* "" when every client is open, else e.g. " ('sampler' done, 'fm' FAILED)". */
static int not_open(Mgr *m, char *out, size_t outlen)
{
    int n_open = 0;
    out[0] = 0;
    for (int i = 0; i < m->s.n_clients; i++) {
        const Client *c = &m->cl[i];
        if (c->state == CL_OPEN) {
            n_open++;
            continue;
        }
        size_t l = strlen(out);
        snprintf(out + l, outlen - l, "%s'%s' %s", l ? ", " : " (", def_of(m, c)->id,
                 state_name(c->state));
    }
    if (out[0]) {
        size_t l = strlen(out);
        snprintf(out + l, outlen - l, ")");
    }
    return n_open;
}

/* Tell the open NSM clients that the session is loaded (as nsmd does
 * once every client is open): the clients are open and the connections
 * made, or the rest wait for ports that are absent. */
static void send_loaded(Mgr *m)
{
    if (m->loaded_sent)
        return;
    m->loaded_sent = true;
    for (int i = 0; i < m->s.n_clients; i++) {
        Client *c = &m->cl[i];
        if (c->state == CL_OPEN && def_of(m, c)->nsm && c->addrlen)
            send_to(m, &c->addr, c->addrlen, "/nsm/client/session_is_loaded", lo_message_new());
    }
}

static void report_progress(Mgr *m, int made)
{
    double now = ss_now();
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
        send_loaded(m);
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
        send_loaded(m);
    }
}

/* on-jobs-done = "stop": once every job has finished (done or FAILED),
 * stop the session; run then exits 0, or 1 when a job failed. */
static void check_jobs(Mgr *m)
{
    if (m->s.on_jobs_done != SS_JOBS_STOP || m->quitting)
        return;
    int jobs = 0, failed = 0;
    char names[1024] = "";
    for (int i = 0; i < m->s.n_clients; i++) {
        const Client *c = &m->cl[i];
        if (!def_of(m, c)->job)
            continue;
        if (c->state != CL_DONE && c->state != CL_FAILED)
            return;
        jobs++;
        failed += c->state == CL_FAILED;
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s'%s' %s", l ? ", " : "", def_of(m, c)->id,
                 state_name(c->state));
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

static void supervise(Mgr *m)
{
    double now = ss_now();
    for (int i = 0; i < m->s.n_clients; i++) {
        Client *c = &m->cl[i];
        if (c->state == CL_RESTART && now >= c->restart_at) {
            c->restarts++;
            launch(m, c);
        } else if (c->state == CL_LAUNCHED && !c->announce_warned &&
                   now - c->launched_at > ANNOUNCE_WAIT) {
            c->announce_warned = true;
            at_warn("client '%s' has not announced itself within %.0f s: is %s an NSM client? "
                    "(nsm = false; starts a plain program)",
                    def_of(m, c)->id, ANNOUNCE_WAIT, def_of(m, c)->command);
        }
    }
    if (m->s.bridge == SS_BRIDGE_A2J && m->bridge_pid == 0 && m->bridge_restart_at > 0 &&
        now >= m->bridge_restart_at) {
        m->bridge_restart_at = 0;
        spawn_bridge(m);
    }
    if (m->bridge_rescan && m->bridge_pid > 0 && now >= m->bridge_kill_at) {
        at_warn("MIDI bridge a2jmidid ignored SIGTERM for %.0f s; killing it", STOP_WAIT);
        kill(-m->bridge_pid, SIGKILL);
        m->bridge_kill_at = now + 60.0;
    }
    watch_bridge(m);
    if (m->saving)
        finish_save(m);
    check_jobs(m);
}

/* Add the open pipes of o to p; returns the new count. */
static int poll_out(const ChildOut *o, struct pollfd *p, int n)
{
    for (int k = 0; k < 2; k++)
        if (o->fd[k] >= 0)
            p[n++] = (struct pollfd){.fd = o->fd[k], .events = POLLIN};
    return n;
}

static void run_loop(Mgr *m, int sigfd)
{
    double last_sync = 0;
    int made = 0;
    static struct pollfd p[3 + 2 * (SS_MAX_CLIENTS + 2)];
    while (!m->quitting) {
        p[0] = (struct pollfd){.fd = at_osc_fd(m->osc), .events = POLLIN};
        p[1] = (struct pollfd){.fd = sigfd, .events = POLLIN};
        p[2] = (struct pollfd){.fd = m->wake[0], .events = POLLIN};
        int n = 3;
        for (int i = 0; i < m->s.n_clients; i++)
            n = poll_out(&m->cl[i].out, p, n);
        n = poll_out(&m->jackd_out, p, n);
        n = poll_out(&m->bridge_out, p, n);
        poll(p, (nfds_t)n, 50);
        char buf[64];
        if (p[1].revents & POLLIN)
            while (read(sigfd, buf, sizeof buf) > 0) {
            }
        if (p[2].revents & POLLIN)
            while (read(m->wake[0], buf, sizeof buf) > 0) {
            }
        ss_pump(m);
        if (got_signal) {
            at_info("signal %d: stopping the session", (int)got_signal);
            break;
        }
        reap(m);
        at_osc_receive(m->osc);
        supervise(m);
        if (atomic_load(&m->server_gone)) {
            at_error("the JACK server went away; stopping the session");
            break;
        }
        double now = ss_now();
        if (atomic_exchange(&m->jack_changed, 0) || m->sync_again || now - last_sync > 1.0) {
            made = sj_sync(m);
            last_sync = now;
        }
        report_progress(m, made);
    }
}

/* Wait up to secs for *pid to be reaped (reap() zeroes it). */
static bool wait_gone(Mgr *m, pid_t *pid, double secs)
{
    double end = ss_now() + secs;
    while (*pid > 0 && ss_now() < end) {
        ss_pump(m);
        reap(m);
        if (*pid > 0)
            usleep(5000);
    }
    return *pid <= 0;
}

/* End one child: SIGTERM to its process group, SIGKILL if it lingers. */
static void stop_one(Mgr *m, pid_t *pid, const char *what)
{
    if (*pid <= 0)
        return;
    kill(-*pid, SIGTERM);
    if (wait_gone(m, pid, STOP_WAIT))
        return;
    at_warn("%s ignored SIGTERM for %.0f s; killing it", what, STOP_WAIT);
    kill(-*pid, SIGKILL);
    wait_gone(m, pid, 60.0);
}

/* End the clients one at a time, last started first: jackd 1.9.21 can
 * deadlock when several clients close at the same moment (seen here with
 * six at once), and then nothing, not even `stop`, gets an answer. */
static void stop_children(Mgr *m)
{
    m->quitting = true;
    for (int i = m->s.n_clients - 1; i >= 0; i--) {
        char what[96];
        snprintf(what, sizeof what, "client '%s'", m->s.clients[i].id);
        stop_one(m, &m->cl[i].pid, what);
    }
    stop_one(m, &m->bridge_pid, "the MIDI bridge");
}

static void stop_server(Mgr *m)
{
    if (m->jackd_pid <= 0)
        return;
    at_info("stopping the JACK server '%s' this session started", m->server);
    kill(m->jackd_pid, SIGTERM);
    for (int i = 0; i < 250 && m->jackd_pid > 0; i++) {
        usleep(20000);
        reap(m);
    }
    if (m->jackd_pid > 0) {
        kill(m->jackd_pid, SIGKILL);
        waitpid(m->jackd_pid, NULL, 0);
    }
}

/* ---------------- finding the running manager ---------------- */

/* Is pid alive and an aiotone-session (not a recycled pid)? */
static bool manager_alive(pid_t pid)
{
    if (pid <= 0 || kill(pid, 0) != 0)
        return false;
    char path[64], cmd[256] = "";
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return true;
    size_t n = fread(cmd, 1, sizeof cmd - 1, f);
    fclose(f);
    cmd[n] = 0;
    return strstr(cmd, "aiotone-session") != NULL;
}

/* Read DIR/.aiotone-session.url: "osc.udp://127.0.0.1:PORT/\nPID\n". */
static bool read_url_file(const char *file, int *port, pid_t *pid)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return false;
    int p = 0, id = 0;
    bool ok = fscanf(f, "osc.udp://127.0.0.1:%d/ %d", &p, &id) == 2;
    fclose(f);
    *port = p;
    *pid = id;
    return ok && p > 0 && p < 65536;
}

static bool write_url_file(Mgr *m, char *err, size_t errlen)
{
    char text[64];
    int port = at_osc_port(m->osc);
    snprintf(text, sizeof text, "osc.udp://127.0.0.1:%d/\n%d\n", port, (int)getpid());
    if (at_file_write_atomic(m->urlfile, text, strlen(text), NULL, 0) != AT_OK) {
        int e = errno;
        snprintf(err, errlen, "cannot write the manager's URL file: %s", strerror(e));
        at_error("(%s)", m->urlfile);
        return false;
    }
    return true;
}

/* ---------------- run ---------------- */

static bool resolve_dir(const char *arg, char *dir, size_t dirlen)
{
    char real[PATH_MAX];
    if (!realpath(arg, real))
        return false;
    snprintf(dir, dirlen, "%s", real);
    return true;
}

static void self_dir(char *out, size_t outlen)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    out[0] = 0;
    if (n <= 0)
        return;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    snprintf(out, outlen, "%s", exe);
}

static int cmd_run(const char *arg)
{
    static Mgr mgr;
    Mgr *m = &mgr;
    int rc = 1, sigpipe[2] = {-1, -1};
    char err[2048];
    m->t0 = ss_now();
    m->wake[0] = m->wake[1] = -1;
    m->jackd_out = m->bridge_out = (ChildOut){.fd = {-1, -1}};
    if (!resolve_dir(arg, m->dir, sizeof m->dir)) {
        at_error("session directory %s: %s", arg, strerror(errno));
        return 2;
    }
    if (snprintf(m->conf, sizeof m->conf, "%s/session.conf", m->dir) >= (int)sizeof m->conf ||
        snprintf(m->urlfile, sizeof m->urlfile, "%s/" URL_FILE, m->dir) >= (int)sizeof m->urlfile) {
        at_error("session directory path too long");
        return 2;
    }
    if (ss_session_load(&m->s, m->conf, err, sizeof err) != AT_OK) {
        at_error("%s", err);
        at_error("nothing was started");
        return 2;
    }
    int port;
    pid_t other;
    if (read_url_file(m->urlfile, &port, &other) && other != getpid() && manager_alive(other)) {
        at_error("a session is already running in %s (pid %d); use 'aiotone-session stop %s'",
                 m->dir, (int)other, arg);
        rc = 1;
        goto out;
    }
    self_dir(m->self_dir, sizeof m->self_dir);
    for (int i = 0; i < m->s.n_clients; i++) {
        m->cl[i] = (Client){.def = i, .out = {.fd = {-1, -1}}};
        if (!ss_resolve_command(m->s.clients[i].command, m->self_dir, getenv("PATH"), m->cl[i].exe,
                                sizeof m->cl[i].exe)) {
            at_error("%s: client '%s': program '%s' not found (next to aiotone-session or on "
                     "PATH); nothing was started",
                     m->conf, m->s.clients[i].id, m->s.clients[i].command);
            rc = 2;
            goto out;
        }
    }
    const char *env_server = getenv("JACK_DEFAULT_SERVER");
    const char *server = m->s.server[0]              ? m->s.server
                         : env_server && *env_server ? env_server
                                                     : "default";
    if (strlen(server) >= sizeof m->server) {
        at_error("JACK server name too long: %s", server);
        rc = 2;
        goto out;
    }
    memcpy(m->server, server, strlen(server) + 1);
    if (pipe2(m->wake, O_CLOEXEC | O_NONBLOCK) || pipe2(sigpipe, O_CLOEXEC | O_NONBLOCK)) {
        at_error("cannot create pipes: %s", strerror(errno));
        goto out;
    }
    signal_fd = sigpipe[1];
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    m->osc = at_osc_open("127.0.0.1", 0, NULL, 0, on_osc, m, err, sizeof err);
    if (!m->osc) {
        at_error("%s", err);
        goto out;
    }
    /* Our own JACK client doubles as the "is a server running?" probe. */
    bool running = sj_open(m, err, sizeof err);
    if (!running && (!sj_start_server(m, err, sizeof err) || !sj_open(m, err, sizeof err))) {
        at_error("%s", err);
        goto out;
    }
    if (running && m->s.bridge == SS_BRIDGE_SEQ)
        at_warn("midi-bridge = \"seq\" is jackd's own bridge: it needs the session to start the "
                "server, but '%s' was already running (use \"a2jmidid\" instead)",
                m->server);
    if (!write_url_file(m, err, sizeof err)) {
        at_error("%s", err);
        goto out;
    }
    at_info("session %s on JACK server '%s'; NSM_URL=osc.udp://127.0.0.1:%d/", m->dir, m->server,
            at_osc_port(m->osc));
    if (m->s.bridge == SS_BRIDGE_A2J)
        spawn_bridge(m);
    for (int i = 0; i < m->s.n_clients; i++)
        launch(m, &m->cl[i]);
    if (m->s.on_jobs_done == SS_JOBS_STOP) {
        int jobs = 0;
        for (int i = 0; i < m->s.n_clients; i++)
            jobs += m->s.clients[i].job;
        if (!jobs)
            at_warn("%s: on-jobs-done = \"stop\" but no client has job = true: the session runs "
                    "until stop",
                    m->conf);
    }
    run_loop(m, sigpipe[0]);
    rc = m->jobs_status;
out:
    stop_children(m);
    sj_close(m);
    stop_server(m);
    if (m->osc) {
        int p;
        pid_t who;
        if (read_url_file(m->urlfile, &p, &who) && who == getpid())
            unlink(m->urlfile);
        at_osc_close(m->osc);
    }
    ss_pump(m);
    if (rc == 0 || m->jobs_status)
        at_info("session stopped");
    ss_session_free(&m->s);
    for (int i = 0; i < 2; i++) {
        if (m->wake[i] >= 0)
            close(m->wake[i]);
        if (sigpipe[i] >= 0)
            close(sigpipe[i]);
    }
    signal_fd = -1;
    return rc;
}

/* Load a client's state file with the tool's own rules: run
 * `exe ARGS... --check-config FILE` (the tool prints what is wrong).
 * Returns its exit status (0 good, 2 bad), or -1 when it could not run. */
static int check_state(const char *exe, const SsClientDef *d, const char *file)
{
    char *argv[SS_MAX_ARGS + 4];
    int n = 0;
    argv[n++] = (char *)d->command;
    for (int i = 0; i < d->n_args; i++)
        argv[n++] = d->args[i];
    argv[n++] = "--check-config";
    argv[n++] = (char *)file;
    argv[n] = NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        unsetenv("NSM_URL");
        execv(exe, argv);
        _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* check DIR: validate session.conf, find every program and load every
 * aiotone client's state file; start nothing. */
static int cmd_check(const char *arg)
{
    static SsSession s;
    char dir[PATH_MAX], conf[PATH_MAX + 16], err[2048], self[PATH_MAX], exe[4096];
    if (!resolve_dir(arg, dir, sizeof dir)) {
        at_error("session directory %s: %s", arg, strerror(errno));
        return 2;
    }
    snprintf(conf, sizeof conf, "%s/session.conf", dir);
    if (ss_session_load(&s, conf, err, sizeof err) != AT_OK) {
        at_error("%s", err);
        return 2;
    }
    self_dir(self, sizeof self);
    int rc = 0, states = 0;
    for (int i = 0; i < s.n_clients; i++) {
        const SsClientDef *d = &s.clients[i];
        if (!ss_resolve_command(d->command, self, getenv("PATH"), exe, sizeof exe)) {
            at_error("%s: client '%s': program '%s' not found (next to aiotone-session or on "
                     "PATH)",
                     conf, d->id, d->command);
            rc = 2;
            continue;
        }
        char state[PATH_MAX + 80];
        snprintf(state, sizeof state, "%s/%s.conf", dir, d->id);
        if (strncmp(d->command, "aiotone-", 8) || !d->nsm || access(state, F_OK) != 0)
            continue; /* only aiotone tools read <id>.conf, and only under NSM */
        states++;
        int st = check_state(exe, d, state);
        if (st != 0) {
            at_error("%s: client '%s': its state file %s does not load in %s (%s %d); the "
                     "session would mark it FAILED",
                     conf, d->id, state, d->command, st < 0 ? "could not run it:" : "exit status",
                     st);
            rc = 2;
        }
    }
    if (rc == 0)
        printf("%s: ok (%d clients, %d connections, %d state files)\n", conf, s.n_clients,
               s.n_conns, states);
    ss_session_free(&s);
    return rc;
}

/* ---------------- save / status / stop (talk to the manager) ---------------- */

typedef struct {
    const char *want; /* the /reply for-path we wait for */
    int done;         /* 1 reply, -1 error */
    char text[65536];
} Talk;

static void on_talk(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    Talk *t = user;
    (void)osc;
    if (msg->argc < 2 || msg->types[0] != 's' || strcmp(arg_s(msg, 0), t->want))
        return;
    if (!strcmp(msg->path, "/reply") && msg->types[1] == 's') {
        snprintf(t->text, sizeof t->text, "%s", arg_s(msg, 1));
        t->done = 1;
    } else if (!strcmp(msg->path, "/error") && msg->argc >= 3 && msg->types[2] == 's') {
        snprintf(t->text, sizeof t->text, "%s", arg_s(msg, 2));
        t->done = -1;
    }
}

/* Send path to the manager of dir and wait for its answer. Returns 0 on
 * a /reply, 1 on an /error or no answer, 3 when no manager runs. */
static int talk(const char *arg, const char *path, double timeout, Talk *t, pid_t *pid_out)
{
    char dir[PATH_MAX], file[PATH_MAX + 64], err[512];
    int port;
    pid_t pid;
    if (!resolve_dir(arg, dir, sizeof dir)) {
        at_error("session directory %s: %s", arg, strerror(errno));
        return 2;
    }
    snprintf(file, sizeof file, "%s/" URL_FILE, dir);
    if (!read_url_file(file, &port, &pid)) {
        at_error("no session is running in %s (no %s)", dir, URL_FILE);
        return 3;
    }
    if (!manager_alive(pid)) {
        at_error("no session is running in %s (pid %d is gone; removed the stale %s)", dir,
                 (int)pid, URL_FILE);
        unlink(file);
        return 3;
    }
    t->want = path;
    AtOsc *o = at_osc_open("127.0.0.1", 0, NULL, 0, on_talk, t, err, sizeof err);
    if (!o) {
        at_error("%s", err);
        return 1;
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct sockaddr_storage ss;
    memcpy(&ss, &to, sizeof to);
    lo_message msg = lo_message_new();
    at_osc_send_to(o, &ss, sizeof to, path, msg);
    lo_message_free(msg);
    double end = ss_now() + timeout;
    while (!t->done && ss_now() < end) {
        struct pollfd p = {.fd = at_osc_fd(o), .events = POLLIN};
        poll(&p, 1, 50);
        at_osc_receive(o);
    }
    at_osc_close(o);
    if (pid_out)
        *pid_out = pid;
    if (!t->done) {
        at_error("the session manager (pid %d) did not answer %s", (int)pid, path);
        return 1;
    }
    return t->done > 0 ? 0 : 1;
}

static int cmd_simple(const char *arg, const char *path, double timeout)
{
    static Talk t;
    int rc = talk(arg, path, timeout, &t, NULL);
    if (t.done > 0)
        printf("%s\n", t.text);
    else if (t.done < 0)
        at_error("%s", t.text);
    return rc;
}

static int cmd_stop(const char *arg)
{
    static Talk t;
    pid_t pid = 0;
    int rc = talk(arg, "/nsm/server/quit", 5.0, &t, &pid);
    if (rc != 0)
        return rc; /* 3: nothing runs in DIR (the error says so) */
    for (int i = 0; i < 600 && kill(pid, 0) == 0; i++) {
        char path[64], st = 0;
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (f) {
            int r = fscanf(f, "%*d %*s %c", &st);
            fclose(f);
            if (r == 1 && st == 'Z')
                break; /* ended; its parent has not reaped it yet */
        }
        usleep(50000);
    }
    printf("session stopped\n");
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: aiotone-session COMMAND DIR\n"
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
               "  check DIR   validate DIR/session.conf, find its programs and load each\n"
               "              aiotone client's state file with the tool's own rules\n"
               "              (--check-config); starts nothing\n"
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
    if (argc != 3) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1], *dir = argv[2];
    if (!strcmp(cmd, "run"))
        return cmd_run(dir);
    if (!strcmp(cmd, "save"))
        return cmd_simple(dir, "/nsm/server/save", SAVE_WAIT + 5.0);
    if (!strcmp(cmd, "status"))
        return cmd_simple(dir, "/aiotone/session/status", 5.0);
    if (!strcmp(cmd, "stop"))
        return cmd_stop(dir);
    if (!strcmp(cmd, "check"))
        return cmd_check(dir);
    at_error("unknown command '%s' (run, save, status, stop, check)", cmd);
    usage(stderr);
    return 2;
}
