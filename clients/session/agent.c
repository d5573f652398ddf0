/* agent.c - `aiotone-session agent`: the remote end of a multi-host
 * session (docs/sessions.md "Studios across machines").
 *
 * It listens for OSC over UDP on the address it is given. Every message
 * must come from an address on its allow-list and carry the shared secret
 * as its first argument; anything else is logged and does nothing. The
 * master sends the session file and this host's name, then asks it to
 * join (start a NetJACK2 slave, `jackd -d net`, with the host's settings)
 * and to start clients. Only a client that the session names with
 * host = this host is ever started, by the same rules as local ones: a
 * bare program name, resolved next to aiotone-session or on PATH. */
#include "agent.h"
#include "child.h"
#include "fileio.h"

#include "log.h"
#include "osc.h"
#include "sessconf.h"
#include "sigpipe.h"
#include "monotime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jack/jack.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define AG_MAX_ALLOW 16
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

/* Compare without stopping at the first difference (no timing hint). */
static bool secret_ok(const char *want, const char *got)
{
    size_t a = strlen(want), b = strlen(got);
    unsigned diff = (unsigned)(a ^ b);
    for (size_t i = 0; i < a; i++)
        diff |= (unsigned)(want[i] ^ got[i < b ? i : 0]);
    return diff == 0 && b > 0;
}

static void sender_text(const AtOscMsg *msg, char *out, size_t outlen)
{
    char host[64] = "?";
    if (msg->from.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&msg->from;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(out, outlen, "%s:%d", host, ntohs(in->sin_port));
    } else if (msg->from.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in = (const struct sockaddr_in6 *)&msg->from;
        inet_ntop(AF_INET6, &in->sin6_addr, host, sizeof host);
        snprintf(out, outlen, "[%s]:%d", host, ntohs(in->sin6_port));
    } else {
        snprintf(out, outlen, "?");
    }
}

static void reply(Agent *g, const AtOscMsg *msg, const char *path, const char *a, const char *b)
{
    lo_message m = lo_message_new();
    if (!m)
        return;
    lo_message_add_string(m, a);
    if (b)
        lo_message_add_string(m, b);
    at_osc_send_to(g->osc, &msg->from, msg->fromlen, path, m);
    lo_message_free(m);
}

static void refuse(Agent *g, const AtOscMsg *msg, const char *why)
{
    char who[96];
    sender_text(msg, who, sizeof who);
    at_warn("agent: refused %s from %s: %s", msg->path, who, why);
    reply(g, msg, "/aiotone/agent/error", msg->path, why);
}

/* Start exe; it gets die_sig when the agent ends, even by SIGKILL (the
 * slave jackd SIGKILL: one left behind would keep the server's name). */
static pid_t spawn(const char *exe, char *const argv[], const char *server, const char *nsm_url,
                   int die_sig)
{
    pid_t agent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, die_sig);
        if (getppid() != agent)
            _exit(127);
        if (server)
            setenv("JACK_DEFAULT_SERVER", server, 1);
        if (nsm_url)
            setenv("NSM_URL", nsm_url, 1);
        else
            unsetenv("NSM_URL");
        setenv("JACK_NO_START_SERVER", "1", 1);
        execv(exe, argv);
        fprintf(stderr, "aiotone-session agent: cannot run %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    return pid;
}

static void do_session(Agent *g, const AtOscMsg *msg)
{
    if (msg->argc != 3 || strcmp(msg->types, "sss")) {
        refuse(g, msg, "expects s:secret s:host-name s:session-text");
        return;
    }
    const char *name = at_osc_arg_str(msg->argv[1]), *text = at_osc_arg_str(msg->argv[2]);
    SsSession s;
    char err[512];
    if (ss_session_parse(&s, text, "session.conf (from the master)", err, sizeof err) != AT_OK) {
        refuse(g, msg, err);
        return;
    }
    int h = ss_hosts_find(s.hosts, s.n_hosts, name);
    if (h < 0) {
        ss_session_free(&s);
        refuse(g, msg, "the session has no host of that name");
        return;
    }
    for (int i = 0; i < SS_MAX_CLIENTS; i++)
        if (g->cl[i].pid > 0) {
            ss_session_free(&s);
            refuse(g, msg, "clients of the last session still run: stop them first");
            return;
        }
    if (g->have_session)
        ss_session_free(&g->s);
    g->s = s;
    g->host = h;
    g->have_session = true;
    memset(g->cl, 0, sizeof g->cl);
    int here = 0;
    for (int i = 0; i < s.n_clients; i++)
        here += !strcmp(s.clients[i].host, name);
    at_info("agent: session received: this is host '%s' (%d clients here)", name, here);
    reply(g, msg, "/aiotone/agent/ok", "session", name);
}

static const SsHostDef *host_of(const Agent *g)
{
    return &g->s.hosts[g->host];
}

static void do_join(Agent *g, const AtOscMsg *msg)
{
    if (!g->have_session) {
        refuse(g, msg, "no session yet: send /aiotone/agent/session first");
        return;
    }
    if (g->slave_pid > 0) {
        reply(g, msg, "/aiotone/agent/ok", "join", "already running");
        return;
    }
    const SsHostDef *h = host_of(g);
    char exe[PATH_MAX];
    if (!ss_resolve_command("jackd", NULL, getenv("PATH"), exe, sizeof exe)) {
        refuse(g, msg, "jackd (JACK2) is not installed on this host");
        return;
    }
    char c[16], p[16], i[16], o[16], l[16];
    snprintf(c, sizeof c, "%d", h->audio_send);
    snprintf(p, sizeof p, "%d", h->audio_return);
    snprintf(i, sizeof i, "%d", h->midi_send);
    snprintf(o, sizeof o, "%d", h->midi_return);
    snprintf(l, sizeof l, "%d", h->latency);
    char *argv[] = {"jackd", "-n", g->server, "-d", "net",           "-C", c, "-P", p, "-i",
                    i,       "-o", o,         "-n", (char *)h->name, "-l", l, NULL};
    g->slave_pid = spawn(exe, argv, NULL, NULL, SIGKILL);
    if (g->slave_pid < 0) {
        refuse(g, msg, strerror(errno));
        return;
    }
    at_info("agent: NetJACK2 slave started: jackd -n %s -d net -C %s -P %s -i %s -o %s -n %s "
            "-l %s (pid %d)",
            g->server, c, p, i, o, h->name, l, (int)g->slave_pid);
    reply(g, msg, "/aiotone/agent/ok", "join", g->server);
}

/* Start client k of the session (it is on this host). */
static bool launch(Agent *g, int k)
{
    const SsClientDef *d = &g->s.clients[k];
    char exe[PATH_MAX];
    if (!ss_resolve_command(d->command, g->self_dir, getenv("PATH"), exe, sizeof exe)) {
        at_error("agent: client '%s': program '%s' not found (next to aiotone-session or on "
                 "PATH)",
                 d->id, d->command);
        return false;
    }
    /* The rules of local clients (docs/sessions.md): an NSM client gets
     * NSM_URL (this agent) and opens DIR/ID, loading DIR/ID.conf; a plain
     * one only its args. */
    char *argv[SS_MAX_ARGS + 2], url[64];
    sm_client_argv(d, argv);
    sm_nsm_url(url, sizeof url, at_osc_port(g->nsm));
    g->cl[k].nsm_len = 0;
    g->cl[k].save_asked = false;
    g->cl[k].pid = spawn(exe, argv, g->server, d->nsm ? url : NULL, SIGTERM);
    if (g->cl[k].pid < 0)
        return false;
    char line[1024];
    size_t len = (size_t)snprintf(line, sizeof line, "%s", exe);
    for (int i = 1; argv[i] && len < sizeof line; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, " %s", argv[i]);
    at_info("agent: started client '%s' (%s, pid %d%s)", d->id, line, (int)g->cl[k].pid,
            d->nsm ? ", NSM" : "");
    return true;
}

static void do_start(Agent *g, const AtOscMsg *msg)
{
    if (msg->argc < 2 || msg->argc > 3 || strncmp(msg->types, "ss", 2) ||
        (msg->argc == 3 && msg->types[2] != 's')) {
        refuse(g, msg, "expects s:secret s:client-id [s:state-text]");
        return;
    }
    if (!g->have_session) {
        refuse(g, msg, "no session yet: send /aiotone/agent/session first");
        return;
    }
    const char *id = at_osc_arg_str(msg->argv[1]);
    int k = ss_session_find(&g->s, id);
    if (k < 0 || strcmp(g->s.clients[k].host, host_of(g)->name)) {
        refuse(g, msg, "the session names no such client on this host");
        return;
    }
    if (g->cl[k].pid > 0) {
        reply(g, msg, "/aiotone/agent/ok", "start", "already running");
        return;
    }
    if (msg->argc == 3) {
        char path[PATH_MAX + 80], err[512];
        snprintf(path, sizeof path, "%s/%s.conf", g->dir, id);
        if (ss_session_write_text(at_osc_arg_str(msg->argv[2]), path, err, sizeof err) != AT_OK) {
            refuse(g, msg, err);
            return;
        }
    }
    if (!launch(g, k)) {
        refuse(g, msg, "cannot start the program");
        return;
    }
    g->cl[k].want = true;
    memset(&g->cl[k].backoff, 0, sizeof g->cl[k].backoff);
    reply(g, msg, "/aiotone/agent/ok", "start", id);
}

static void stop_pid(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 50; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        usleep(100000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void do_stop(Agent *g, const AtOscMsg *msg)
{
    if (msg->argc != 2 || strcmp(msg->types, "ss")) {
        refuse(g, msg, "expects s:secret s:client-id");
        return;
    }
    int k = g->have_session ? ss_session_find(&g->s, at_osc_arg_str(msg->argv[1])) : -1;
    if (k < 0) {
        refuse(g, msg, "no such client");
        return;
    }
    g->cl[k].want = false;
    if (g->cl[k].pid > 0)
        at_info("agent: stopping client '%s' (pid %d): the master asked", g->s.clients[k].id,
                (int)g->cl[k].pid);
    stop_pid(g->cl[k].pid);
    g->cl[k].pid = 0;
    reply(g, msg, "/aiotone/agent/ok", "stop", g->s.clients[k].id);
}

static void do_status(Agent *g, const AtOscMsg *msg)
{
    char line[256];
    snprintf(line, sizeof line, "host %s slave %s", g->have_session ? host_of(g)->name : "-",
             g->slave_pid > 0 ? "running" : "not running");
    reply(g, msg, "/aiotone/agent/status", line, NULL);
    for (int i = 0; g->have_session && i < g->s.n_clients; i++) {
        if (strcmp(g->s.clients[i].host, host_of(g)->name))
            continue;
        snprintf(line, sizeof line, "client %s %s", g->s.clients[i].id,
                 g->cl[i].pid > 0 ? "running"
                 : g->cl[i].want  ? "restarting"
                                  : "stopped");
        reply(g, msg, "/aiotone/agent/status", line, NULL);
    }
}

static void do_connect(Agent *g, const AtOscMsg *msg)
{
    if (msg->argc != 3 || strcmp(msg->types, "sss")) {
        refuse(g, msg, "expects s:secret s:from-port s:to-port");
        return;
    }
    const char *from = at_osc_arg_str(msg->argv[1]), *to = at_osc_arg_str(msg->argv[2]);
    for (int i = 0; i < g->n_legs; i++)
        if (!strcmp(g->legs[i].from, from) && !strcmp(g->legs[i].to, to)) {
            reply(g, msg, "/aiotone/agent/ok", "connect", "known");
            return;
        }
    if (g->n_legs == AG_MAX_LEGS || strlen(from) >= AG_PORT_MAX || strlen(to) >= AG_PORT_MAX) {
        refuse(g, msg, "too many connections or a port name too long");
        return;
    }
    snprintf(g->legs[g->n_legs].from, AG_PORT_MAX, "%s", from);
    snprintf(g->legs[g->n_legs].to, AG_PORT_MAX, "%s", to);
    g->n_legs++;
    at_info("agent: keeping %s -> %s on the slave", from, to);
    reply(g, msg, "/aiotone/agent/ok", "connect", "kept");
}

static void send_msg(AtOsc *osc, const struct sockaddr_storage *to, socklen_t len, const char *path,
                     const char *a, const char *b, const char *c)
{
    lo_message m = lo_message_new();
    if (!m)
        return;
    at_osc_add_strings(m, a, b, c);
    at_osc_send_to(osc, to, len, path, m);
    lo_message_free(m);
}

/* /aiotone/agent/save: every NSM client saves; each one's state file goes
 * to the master as /aiotone/agent/state s:id s:text once it has. */
static void do_save(Agent *g, const AtOscMsg *msg)
{
    memcpy(&g->master, &msg->from, msg->fromlen);
    g->master_len = msg->fromlen;
    int asked = 0;
    for (int k = 0; g->have_session && k < g->s.n_clients; k++) {
        if (g->cl[k].pid <= 0 || !g->cl[k].nsm_len)
            continue;
        lo_message m = lo_message_new();
        at_osc_send_to(g->nsm, &g->cl[k].nsm_addr, g->cl[k].nsm_len, "/nsm/client/save", m);
        lo_message_free(m);
        g->cl[k].save_asked = true;
        asked++;
    }
    char n[16];
    snprintf(n, sizeof n, "%d", asked);
    reply(g, msg, "/aiotone/agent/ok", "save", n);
}

static int client_by_pid(const Agent *g, pid_t pid)
{
    for (int k = 0; g->have_session && k < g->s.n_clients; k++)
        if (g->cl[k].pid == pid && pid > 0)
            return k;
    return -1;
}

static int client_by_nsm_addr(const Agent *g, const AtOscMsg *msg)
{
    for (int k = 0; g->have_session && k < g->s.n_clients; k++)
        if (g->cl[k].nsm_len == msg->fromlen &&
            !memcmp(&g->cl[k].nsm_addr, &msg->from, msg->fromlen))
            return k;
    return -1;
}

/* The NSM server side, for the clients this agent started (loopback). */
static void on_nsm(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    Agent *g = user;
    if (!msg->allowed)
        return;
    if (!strcmp(msg->path, "/nsm/server/announce")) {
        int k = !strcmp(msg->types, "sssiii") ? client_by_pid(g, at_osc_arg_i32(msg->argv[5])) : -1;
        if (k < 0) {
            lo_message m = lo_message_new();
            lo_message_add_string(m, "/nsm/server/announce");
            lo_message_add_int32(m, -1);
            lo_message_add_string(m, "this agent did not launch you");
            at_osc_send_to(osc, &msg->from, msg->fromlen, "/error", m);
            lo_message_free(m);
            return;
        }
        memcpy(&g->cl[k].nsm_addr, &msg->from, msg->fromlen);
        g->cl[k].nsm_len = msg->fromlen;
        send_msg(osc, &msg->from, msg->fromlen, "/reply", "/nsm/server/announce",
                 "welcome to aiotone-session agent", "aiotone-session");
        char path[PATH_MAX + 80];
        const char *id = g->s.clients[k].id;
        snprintf(path, sizeof path, "%s/%s", g->dir, id);
        send_msg(osc, &msg->from, msg->fromlen, "/nsm/client/open", path, id, id);
        return;
    }
    int k = client_by_nsm_addr(g, msg);
    if (k < 0 || msg->argc < 1 || msg->types[0] != 's')
        return;
    const char *id = g->s.clients[k].id, *what = at_osc_arg_str(msg->argv[0]);
    bool ok = !strcmp(msg->path, "/reply");
    if (!ok && strcmp(msg->path, "/error"))
        return; /* is_dirty, messages: nothing to do here */
    if (!strcmp(what, "/nsm/client/open")) {
        if (ok)
            at_info("agent: client '%s' is open", id);
        else
            at_error("agent: client '%s' could not open its state", id);
    } else if (!strcmp(what, "/nsm/client/save") && g->cl[k].save_asked) {
        g->cl[k].save_asked = false;
        char path[PATH_MAX + 80];
        snprintf(path, sizeof path, "%s/%s.conf", g->dir, id);
        char *text = ok ? ss_read_file(path, NULL) : NULL;
        if (text)
            send_msg(g->osc, &g->master, g->master_len, "/aiotone/agent/state", id, text, NULL);
        else
            send_msg(g->osc, &g->master, g->master_len, "/aiotone/agent/state-error", id,
                     ok ? "the state file cannot be read" : "the client could not save", NULL);
        at_info("agent: client '%s' saved%s", id, text ? "; state sent to the master" : " NOT");
        free(text);
    }
}

static void on_jack_gone(void *arg)
{
    Agent *g = arg;
    atomic_store(&g->jack_gone, 1);
}

/* Make every kept connection whose ports exist on the slave server. */
static void keep_legs(Agent *g)
{
    if (g->jack && atomic_load(&g->jack_gone)) {
        jack_client_close(g->jack);
        g->jack = NULL;
    }
    if (!g->n_legs || g->slave_pid <= 0)
        return;
    double now = at_mono_now();
    if (!g->jack) {
        if (now - g->jack_tried_at < 1.0)
            return;
        g->jack_tried_at = now;
        jack_status_t st;
        g->jack =
            jack_client_open("aiotone-agent", JackNoStartServer | JackServerName, &st, g->server);
        if (!g->jack)
            return;
        atomic_store(&g->jack_gone, 0);
        jack_on_shutdown(g->jack, on_jack_gone, g);
        if (jack_activate(g->jack)) {
            jack_client_close(g->jack);
            g->jack = NULL;
            return;
        }
    }
    for (int i = 0; i < g->n_legs; i++) {
        jack_port_t *p = jack_port_by_name(g->jack, g->legs[i].from);
        if (!p || !jack_port_by_name(g->jack, g->legs[i].to) ||
            jack_port_connected_to(p, g->legs[i].to))
            continue;
        int r = jack_connect(g->jack, g->legs[i].from, g->legs[i].to);
        if (r == 0 || r == EEXIST)
            at_info("agent: connected %s -> %s", g->legs[i].from, g->legs[i].to);
    }
}

/* What the master may ask of the agent (docs/sessions.md). */
static const struct {
    const char *path;
    void (*run)(Agent *g, const AtOscMsg *msg);
} commands[] = {
    {"/aiotone/agent/session", do_session}, {"/aiotone/agent/join", do_join},
    {"/aiotone/agent/start", do_start},     {"/aiotone/agent/stop", do_stop},
    {"/aiotone/agent/status", do_status},   {"/aiotone/agent/connect", do_connect},
    {"/aiotone/agent/save", do_save},
};

static void on_message(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    (void)osc;
    Agent *g = user;
    if (!msg->allowed) {
        refuse(g, msg, "sender not on the allow-list");
        return;
    }
    if (msg->argc < 1 || msg->types[0] != 's' ||
        !secret_ok(g->secret, at_osc_arg_str(msg->argv[0]))) {
        refuse(g, msg, "wrong or missing secret");
        return;
    }
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        if (!strcmp(msg->path, commands[k].path)) {
            commands[k].run(g, msg);
            return;
        }
    }
    refuse(g, msg, "unknown message");
}

/* Reap children; restart a wanted client that died, with back-off. */
static void supervise(Agent *g)
{
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        if (pid == g->slave_pid) {
            at_warn("agent: the NetJACK2 slave ended (status %d)", st);
            g->slave_pid = 0;
            continue;
        }
        for (int k = 0; k < SS_MAX_CLIENTS; k++) {
            if (g->cl[k].pid != pid)
                continue;
            g->cl[k].pid = 0;
            if (!g->cl[k].want || ss_end_of(st) != SS_END_RESTART)
                break;
            double d = ss_backoff_death(&g->cl[k].backoff, at_mono_now());
            if (d < 0) {
                at_error("agent: client '%s' died too often: given up", g->s.clients[k].id);
                g->cl[k].want = false;
            } else {
                at_warn("agent: client '%s' died: restarting in %.1f s", g->s.clients[k].id, d);
                g->cl[k].restart_at = at_mono_now() + d;
            }
        }
    }
    for (int k = 0; g->have_session && k < g->s.n_clients; k++)
        if (g->cl[k].want && g->cl[k].pid == 0 && at_mono_now() >= g->cl[k].restart_at &&
            !launch(g, k))
            g->cl[k].want = false;
}

static void agent_usage(FILE *f)
{
    fprintf(f, "usage: aiotone-session agent --listen ADDR:PORT --secret-file FILE\n"
               "                             [--allow NET]... [--dir DIR] [--server NAME]\n"
               "Serve a multi-host session's master: start a NetJACK2 slave and the clients\n"
               "the session puts on this host. Only senders on --allow (address or a.b.c.d/nn;\n"
               "loopback always) that know the secret (first line of FILE) are obeyed.\n"
               "See docs/sessions.md, \"Studios across machines\".\n");
}

static bool read_secret(const char *path, char *out, size_t outlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        at_error("agent: --secret-file %s: %s", path, strerror(errno));
        return false;
    }
    bool ok = fgets(out, (int)outlen, f) != NULL;
    fclose(f);
    out[ok ? strcspn(out, "\r\n") : 0] = 0;
    if (!ok || !ss_valid_secret(out)) {
        at_error("agent: --secret-file %s: the first line must be the session's secret (8..127 "
                 "printable characters, no space, quote or backslash)",
                 path);
        return false;
    }
    return true;
}

/* The command line. */
typedef struct {
    const char *listen, *secret_file, *allow[AG_MAX_ALLOW];
    int n_allow;
    char addr[64];
    int port;
} AgOptions;

/* Read argv into o and g (dir, server); -1 to go on, else an exit status. */
static int parse_options(int argc, char **argv, AgOptions *o, Agent *g)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            agent_usage(stdout);
            return 0;
        }
        if (!v) {
            at_error("agent: %s: unknown option or missing value", a);
            agent_usage(stderr);
            return 2;
        }
        i++;
        if (!strcmp(a, "--listen"))
            o->listen = v;
        else if (!strcmp(a, "--secret-file"))
            o->secret_file = v;
        else if (!strcmp(a, "--dir"))
            snprintf(g->dir, sizeof g->dir, "%s", v);
        else if (!strcmp(a, "--server"))
            snprintf(g->server, sizeof g->server, "%s", v);
        else if (!strcmp(a, "--allow") && o->n_allow == AG_MAX_ALLOW) {
            at_error("agent: --allow %s: at most %d --allow networks", v, AG_MAX_ALLOW);
            return 2;
        } else if (!strcmp(a, "--allow"))
            o->allow[o->n_allow++] = v;
        else {
            at_error("agent: %s: unknown option (--listen, --allow, --secret-file, --dir, "
                     "--server)",
                     a);
            return 2;
        }
    }
    const char *colon = o->listen ? strrchr(o->listen, ':') : NULL;
    o->port = colon ? atoi(colon + 1) : 0;
    if (!colon || o->port <= 0 || o->port > 65535 ||
        (size_t)(colon - o->listen) >= sizeof o->addr) {
        at_error("agent: --listen ADDR:PORT is required (e.g. 10.0.0.2:%d)", SS_AGENT_PORT);
        return 2;
    }
    snprintf(o->addr, sizeof o->addr, "%.*s", (int)(colon - o->listen), o->listen);
    if (!o->secret_file) {
        at_error("agent: --secret-file FILE is required (the secret of the session's host entry)");
        return 2;
    }
    return -1;
}

/* The secret, the state folder, the sockets and the signal pipe; -1 to
 * go on, else an exit status (nothing left open). */
static int agent_open(Agent *g, const AgOptions *o)
{
    if (!read_secret(o->secret_file, g->secret, sizeof g->secret))
        return 2;
    if (mkdir(g->dir, 0700) != 0 && errno != EEXIST) {
        at_error("agent: --dir %s: %s", g->dir, strerror(errno));
        return 1;
    }
    at_exe_dir(g->self_dir, sizeof g->self_dir);
    char real[PATH_MAX];
    if (realpath(g->dir, real))
        snprintf(g->dir, sizeof g->dir, "%s", real);
    char err[256];
    g->nsm = at_osc_open("127.0.0.1", 0, NULL, 0, on_nsm, g, err, sizeof err);
    if (!g->nsm) {
        at_error("agent: cannot open the NSM socket on loopback: %s", err);
        return 1;
    }
    g->osc = at_osc_open(o->addr, o->port, o->allow, o->n_allow, on_message, g, err, sizeof err);
    if (!g->osc) {
        at_error("agent: cannot listen on %s:%d: %s", o->addr, o->port, err);
        at_osc_close(g->nsm);
        return 1;
    }
    if (!at_sigpipe_open(0)) {
        at_error("agent: cannot create the signal pipe: %s", strerror(errno));
        at_osc_close(g->osc);
        at_osc_close(g->nsm);
        return 1;
    }
    at_info("agent: listening on %s:%d (%d allowed networks and loopback)", o->addr,
            at_osc_port(g->osc), o->n_allow);
    return -1;
}

/* Stop what the agent started, last client first, then the slave. */
static void agent_close(Agent *g)
{
    at_info("agent: stopping");
    if (g->jack)
        jack_client_close(g->jack);
    for (int k = SS_MAX_CLIENTS - 1; k >= 0; k--) {
        g->cl[k].want = false;
        stop_pid(g->cl[k].pid);
    }
    stop_pid(g->slave_pid);
    at_osc_close(g->osc);
    at_osc_close(g->nsm);
    if (g->have_session)
        ss_session_free(&g->s);
    at_sigpipe_close();
}

int ss_agent_main(int argc, char **argv)
{
    static Agent g; /* large; one per process */
    AgOptions o = {0};
    snprintf(g.server, sizeof g.server, "aiotone-net");
    snprintf(g.dir, sizeof g.dir, "aiotone-agent");
    int rc = parse_options(argc, argv, &o, &g);
    if (rc < 0)
        rc = agent_open(&g, &o);
    if (rc >= 0)
        return rc;
    while (!*at_sigpipe_flag()) {
        struct pollfd p[3] = {{at_osc_fd(g.osc), POLLIN, 0},
                              {at_osc_fd(g.nsm), POLLIN, 0},
                              {at_sigpipe_fd(), POLLIN, 0}};
        if (poll(p, 3, 100) > 0) {
            at_osc_receive(g.osc);
            at_osc_receive(g.nsm);
        }
        supervise(&g);
        keep_legs(&g);
    }
    agent_close(&g);
    return 0;
}
