/* netmaster.c - the master's side of a multi-host session. */
#include "netmaster.h"

#include "log.h"
#include "netroute.h"
#include "remote.h"
#include "monotime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jack/intclient.h>
#include <jack/jack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESEND_S 2.0     /* ask a host again after this long without an answer */
#define NO_ANSWER_S 10.0 /* then say it does not answer (and keep asking) */

typedef enum { H_NEW, H_SESSION, H_JOIN, H_JOINED } HostStep;

typedef struct {
    HostStep step;
    double asked_at, first_ask;
    bool reported_silent, present, ever_present;
    struct sockaddr_storage addr;
    socklen_t addrlen;
} HostRt;

typedef struct {
    bool routed, failed;
    SsLeg legs[SS_ROUTE_MAX_LEGS];
    int n;
} RouteRt;

static struct {
    bool on;
    AtOsc *osc;
    SsChannels ch;
    HostRt h[SS_MAX_HOSTS];
    RouteRt *routes;
    int n_routes;
} R;

bool ss_remote_client(const SmMgr *m, int i)
{
    return m->s.clients[i].host[0] != 0;
}

static void send_host(int h, const SsHostDef *hd, const char *path, const char *a, const char *b,
                      const char *c)
{
    lo_message msg = lo_message_new();
    if (!msg)
        return;
    lo_message_add_string(msg, hd->secret);
    at_osc_add_strings(msg, a, b, c);
    at_osc_send_to(R.osc, &R.h[h].addr, R.h[h].addrlen, path, msg);
    lo_message_free(msg);
}

static int host_by_addr(const SmMgr *m, const AtOscMsg *msg)
{
    for (int h = 0; h < m->s.n_hosts; h++) {
        const struct sockaddr_in *a = (const void *)&R.h[h].addr, *b = (const void *)&msg->from;
        if (msg->from.ss_family == AF_INET && a->sin_addr.s_addr == b->sin_addr.s_addr &&
            a->sin_port == b->sin_port)
            return h;
    }
    return -1;
}

static void on_answer(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    (void)osc;
    SmMgr *m = user;
    int h = host_by_addr(m, msg);
    if (h < 0 || !msg->allowed)
        return;
    const SsHostDef *hd = &m->s.hosts[h];
    const char *a0 = msg->argc > 0 && msg->types[0] == 's' ? at_osc_arg_str(msg->argv[0]) : "";
    const char *a1 = msg->argc > 1 && msg->types[1] == 's' ? at_osc_arg_str(msg->argv[1]) : "";
    if (!strcmp(msg->path, "/aiotone/agent/ok")) {
        if (R.h[h].reported_silent)
            at_info("host '%s' answers again", hd->name);
        R.h[h].reported_silent = false;
        if (!strcmp(a0, "session") && R.h[h].step == H_SESSION) {
            R.h[h].step = H_JOIN;
            R.h[h].asked_at = 0;
        } else if (!strcmp(a0, "join") && R.h[h].step == H_JOIN) {
            R.h[h].step = H_JOINED;
            at_info("host '%s': NetJACK2 slave started (%s)", hd->name, a1);
        }
    } else if (!strcmp(msg->path, "/aiotone/agent/state") ||
               !strcmp(msg->path, "/aiotone/agent/state-error")) {
        int i = ss_session_find(&m->s, a0);
        if (i < 0 || strcmp(m->s.clients[i].host, hd->name) || !m->core.cl[i].save_pending)
            return;
        char path[4400], err[512] = "";
        bool ok = false;
        snprintf(path, sizeof path, "%s/%s.conf", m->dir, a0);
        if (!strcmp(msg->path, "/aiotone/agent/state-error"))
            snprintf(err, sizeof err, "%s", a1);
        else if (ss_session_write_text(a1, path, err, sizeof err) == AT_OK)
            ok = true;
        if (ok)
            at_info("client '%s' on host '%s' saved: state written to %s", a0, hd->name, path);
        char text[600];
        snprintf(text, sizeof text, "%s%.500s", ok ? "" : "on its host: ", ok ? "" : err);
        nc_saved(&m->core, i, ok, text);
        sm_carry_out(m);
    } else if (!strcmp(msg->path, "/aiotone/agent/error")) {
        at_error("host '%s' refused %s: %s", hd->name, a0, a1);
    }
}

void ss_remote_begin(SmMgr *m)
{
    if (!m->s.n_hosts)
        return;
    R.on = true;
    jack_status_t st = 0;
    jack_intclient_t ic = jack_internal_client_handle(m->jack, "netmanager", &st);
    if (!ic) {
        ic = jack_internal_client_load(m->jack, "netmanager", JackLoadName, &st, "netmanager");
        if (!ic)
            at_error("cannot load JACK2's netmanager into server '%s' (status 0x%x): remote "
                     "hosts cannot join",
                     m->server, (unsigned)st);
        else
            at_info("loaded netmanager into JACK server '%s' (NetJACK2 master)", m->server);
    }
    const char *allow[SS_MAX_HOSTS];
    for (int h = 0; h < m->s.n_hosts; h++) {
        allow[h] = m->s.hosts[h].address;
        struct sockaddr_in *a = (struct sockaddr_in *)&R.h[h].addr;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)m->s.hosts[h].port);
        inet_pton(AF_INET, m->s.hosts[h].address, &a->sin_addr);
        R.h[h].addrlen = sizeof *a;
    }
    char err[256];
    R.osc = at_osc_open("0.0.0.0", 0, allow, m->s.n_hosts, on_answer, m, err, sizeof err);
    if (!R.osc)
        at_error("cannot open a socket for the remote hosts: %s", err);
    R.n_routes = m->s.n_conns;
    R.routes = calloc((size_t)(R.n_routes ? R.n_routes : 1), sizeof *R.routes);
}

static bool host_present(SmMgr *m, const SsHostDef *hd)
{
    char port[SS_HOST_NAME_MAX + 32];
    snprintf(port, sizeof port, "%s:from_slave_1", hd->name);
    if (jack_port_by_name(m->jack, port))
        return true;
    snprintf(port, sizeof port, "%s:midi_from_slave_1", hd->name);
    if (jack_port_by_name(m->jack, port))
        return true;
    snprintf(port, sizeof port, "%s:to_slave_1", hd->name);
    return jack_port_by_name(m->jack, port) != NULL;
}

/* Start the host's clients (with their state from the session folder)
 * and send it its legs of every route. */
static void host_joined(SmMgr *m, int h)
{
    const SsHostDef *hd = &m->s.hosts[h];
    for (int i = 0; i < m->s.n_clients; i++) {
        const SsClientDef *d = &m->s.clients[i];
        if (strcmp(d->host, hd->name))
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s.conf", m->dir, d->id);
        char *state = ss_read_file(path, NULL);
        send_host(h, hd, "/aiotone/agent/start", d->id, state, NULL);
        free(state);
        nc_remote(&m->core, i, true);
    }
    for (int r = 0; r < R.n_routes; r++)
        for (int k = 0; R.routes[r].routed && k < R.routes[r].n; k++)
            if (R.routes[r].legs[k].host == h)
                send_host(h, hd, "/aiotone/agent/connect", R.routes[r].legs[k].from,
                          R.routes[r].legs[k].to, NULL);
}

static void tick_host(SmMgr *m, int h, double now)
{
    const SsHostDef *hd = &m->s.hosts[h];
    HostRt *r = &R.h[h];
    if (r->step == H_NEW) {
        r->step = H_SESSION;
        r->first_ask = now;
    }
    if ((r->step == H_SESSION || r->step == H_JOIN) && now - r->asked_at >= RESEND_S) {
        if (r->step == H_SESSION) {
            char *text = ss_read_file(m->conf, NULL);
            if (text)
                send_host(h, hd, "/aiotone/agent/session", hd->name, text, NULL);
            free(text);
        } else {
            send_host(h, hd, "/aiotone/agent/join", NULL, NULL, NULL);
        }
        r->asked_at = now;
        if (!r->reported_silent && now - r->first_ask >= NO_ANSWER_S) {
            at_error("host '%s' (%s port %d) does not answer: its clients are not running; the "
                     "rest of the session runs (still asking)",
                     hd->name, hd->address, hd->port);
            r->reported_silent = true;
        }
    }
    bool present = host_present(m, hd);
    if (present && !r->present) {
        jack_nframes_t period = jack_get_buffer_size(m->jack);
        at_info("host '%s' joined: NetJACK2 adds %d periods = %u frames per round trip", hd->name,
                hd->latency, (unsigned)(hd->latency * period));
        host_joined(m, h);
    } else if (!present && r->present) {
        at_warn("host '%s': the NetJACK2 link is lost (its slave left this server); its "
                "connections are made again when it rejoins",
                hd->name);
    }
    r->present = present;
    r->ever_present |= present;
}

/* Route connection i once the type of its local end can be seen. */
static void route_conn(SmMgr *m, int i)
{
    RouteRt *rt = &R.routes[i];
    const SsConn *c = &m->s.conns[i];
    int hf = ss_route_host_of(&m->s, c->from), ht = ss_route_host_of(&m->s, c->to);
    if (rt->routed || rt->failed || (hf < 0 && ht < 0))
        return;
    bool midi;
    if (hf >= 0 && ht >= 0) {
        midi = strstr(c->from, "midi") != NULL; /* no local end to look at */
    } else {
        jack_port_t *p = jack_port_by_name(m->jack, hf < 0 ? c->from : c->to);
        if (!p)
            return; /* later */
        midi = !strcmp(jack_port_type(p), JACK_DEFAULT_MIDI_TYPE);
    }
    char err[512];
    if (!ss_route(&m->s, &R.ch, c->from, c->to, midi, rt->legs, &rt->n, err, sizeof err)) {
        at_error("connection %s -> %s: %s", c->from, c->to, err);
        rt->failed = true;
        return;
    }
    rt->routed = true;
    for (int k = 0; k < rt->n; k++) {
        at_info("connection %s -> %s: leg %s -> %s on %s", c->from, c->to, rt->legs[k].from,
                rt->legs[k].to,
                rt->legs[k].host < 0 ? "this machine" : m->s.hosts[rt->legs[k].host].name);
        int h = rt->legs[k].host;
        if (h >= 0 && R.h[h].present)
            send_host(h, &m->s.hosts[h], "/aiotone/agent/connect", rt->legs[k].from, rt->legs[k].to,
                      NULL);
    }
}

void ss_remote_tick(SmMgr *m)
{
    if (!R.on || !R.osc || !m->jack)
        return;
    at_osc_receive(R.osc);
    double now = at_mono_now();
    for (int h = 0; h < m->s.n_hosts; h++)
        tick_host(m, h, now);
    for (int i = 0; i < R.n_routes && i < m->s.n_conns; i++) {
        route_conn(m, i);
        RouteRt *rt = &R.routes[i];
        for (int k = 0; rt->routed && k < rt->n; k++) {
            const SsLeg *l = &rt->legs[k];
            if (l->host >= 0)
                continue;
            jack_port_t *p = jack_port_by_name(m->jack, l->from);
            if (!p || !jack_port_by_name(m->jack, l->to) || jack_port_connected_to(p, l->to))
                continue;
            int r = jack_connect(m->jack, l->from, l->to);
            if (r == 0 || r == EEXIST)
                at_info("connected %s -> %s (across hosts)", l->from, l->to);
        }
    }
}

void ss_remote_save(SmMgr *m)
{
    bool ask[SS_MAX_HOSTS] = {false};
    for (int i = 0; i < m->s.n_clients; i++) {
        const SsClientDef *d = &m->s.clients[i];
        int h = ss_hosts_find(m->s.hosts, m->s.n_hosts, d->host);
        if (h < 0 || !m->core.cl[i].save_pending)
            continue;
        if (R.on && R.osc && R.h[h].present) {
            ask[h] = true;
            continue;
        }
        /* its last saved state stays in the folder */
        char why[SS_HOST_NAME_MAX + 32];
        snprintf(why, sizeof why, "host '%s' is not joined", m->s.hosts[h].name);
        nc_saved(&m->core, i, false, why);
    }
    for (int h = 0; h < m->s.n_hosts; h++)
        if (ask[h])
            send_host(h, &m->s.hosts[h], "/aiotone/agent/save", NULL, NULL, NULL);
}

void ss_remote_status(SmMgr *m, char *out, size_t outlen)
{
    size_t len = strlen(out);
    if (!m->s.n_hosts)
        return;
    jack_nframes_t period = m->jack ? jack_get_buffer_size(m->jack) : 0;
    len += (size_t)snprintf(out + len, outlen > len ? outlen - len : 0, "hosts:\n");
    for (int h = 0; h < m->s.n_hosts && len < outlen; h++) {
        const SsHostDef *hd = &m->s.hosts[h];
        const HostRt *r = &R.h[h];
        const char *state = r->present            ? "joined"
                            : r->ever_present     ? "LINK LOST"
                            : r->reported_silent  ? "NOT ANSWERING"
                            : r->step == H_JOINED ? "joining"
                                                  : "contacting";
        len += (size_t)snprintf(out + len, outlen - len,
                                "  %-14s %s port %d  %s  latency %d periods = %u frames\n      "
                                "clients:",
                                hd->name, hd->address, hd->port, state, hd->latency,
                                (unsigned)(hd->latency * period));
        for (int i = 0; i < m->s.n_clients && len < outlen; i++)
            if (!strcmp(m->s.clients[i].host, hd->name))
                len += (size_t)snprintf(out + len, outlen - len, " %s", m->s.clients[i].id);
        if (len < outlen)
            len += (size_t)snprintf(out + len, outlen - len, "\n");
    }
}

void ss_remote_end(SmMgr *m)
{
    if (!R.on)
        return;
    for (int i = 0; R.osc && i < m->s.n_clients; i++) {
        int h = ss_hosts_find(m->s.hosts, m->s.n_hosts, m->s.clients[i].host);
        if (h >= 0)
            send_host(h, &m->s.hosts[h], "/aiotone/agent/stop", m->s.clients[i].id, NULL, NULL);
    }
    if (R.osc)
        at_osc_close(R.osc);
    free(R.routes);
    memset(&R, 0, sizeof R);
}
