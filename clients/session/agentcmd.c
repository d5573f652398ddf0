/* agentcmd.c - what the master may ask of the session agent (see
 * agent_int.h and docs/sessions.md "Studios across machines"): every
 * message must come from an address on the allow-list and carry the
 * shared secret as its first argument; anything else is logged, answered
 * with /aiotone/agent/error and does nothing. */
#include "agent_int.h"

#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    g->slave_pid = ag_spawn(exe, argv, NULL, NULL, SIGKILL);
    if (g->slave_pid < 0) {
        refuse(g, msg, strerror(errno));
        return;
    }
    at_info("agent: NetJACK2 slave started: jackd -n %s -d net -C %s -P %s -i %s -o %s -n %s "
            "-l %s (pid %d)",
            g->server, c, p, i, o, h->name, l, (int)g->slave_pid);
    reply(g, msg, "/aiotone/agent/ok", "join", g->server);
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
    if (!ag_launch(g, k)) {
        refuse(g, msg, "cannot start the program");
        return;
    }
    g->cl[k].want = true;
    memset(&g->cl[k].backoff, 0, sizeof g->cl[k].backoff);
    reply(g, msg, "/aiotone/agent/ok", "start", id);
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
    ag_stop_pid(g->cl[k].pid);
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

void ag_on_message(void *user, AtOsc *osc, const AtOscMsg *msg)
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
