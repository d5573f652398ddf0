/* jack.c - the session manager's JACK side: start a server when none
 * runs, watch port registrations, keep the session's connections made
 * (a patchbay), and read back the connections for a save. */
#include "alsaseq.h"
#include "jackutil.h"
#include "log.h"
#include "child.h"
#include "jack.h"
#include "monotime.h"

#include <errno.h>
#include <jack/jack.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void quiet(const char *msg)
{
    (void)msg;
}

bool sj_server_running(const char *server)
{
    jack_set_error_function(quiet);
    jack_set_info_function(quiet);
    jack_status_t st = 0;
    jack_client_t *c =
        jack_client_open("aiotone-session-probe", JackNoStartServer | JackServerName, &st, server);
    if (!c)
        return false;
    jack_client_close(c);
    return true;
}

/* A sound card exists when /proc/asound/cards lists one ("--- no
 * soundcards ---" otherwise, or no file at all). */
static bool have_sound_card(void)
{
    FILE *f = fopen("/proc/asound/cards", "r");
    if (!f)
        return false;
    char line[256];
    bool card = false;
    while (!card && fgets(line, sizeof line, f)) {
        int n;
        card = sscanf(line, " %d [", &n) == 1 && strchr(line, '[');
    }
    fclose(f);
    return card;
}

bool sj_start_server(SmMgr *m, char *err, size_t errlen)
{
    const SsSession *s = &m->s;
    bool alsa = s->driver == SS_DRIVER_ALSA || (s->driver == SS_DRIVER_AUTO && have_sound_card());
    char rate[16], period[16];
    snprintf(rate, sizeof rate, "%d", s->rate ? s->rate : 48000);
    snprintf(period, sizeof period, "%d", s->period ? s->period : 256);
    const char *argv[16];
    int n = 0;
    argv[n++] = "jackd";
    argv[n++] = "-n";
    argv[n++] = m->server;
    if (s->bridge == SS_BRIDGE_SEQ) {
        if (access("/dev/snd/seq", F_OK) == 0) {
            argv[n++] = "-X";
            argv[n++] = "seq";
        } else {
            at_warn("MIDI bridge: no ALSA sequencer here (/dev/snd/seq is missing); "
                    "carrying on without hardware MIDI");
        }
    }
    argv[n++] = "-d";
    argv[n++] = alsa ? "alsa" : "dummy";
    argv[n++] = "-r";
    argv[n++] = rate;
    argv[n++] = "-p";
    argv[n++] = period;
    argv[n] = NULL;
    char exe[4096];
    if (!ss_resolve_command("jackd", NULL, getenv("PATH"), exe, sizeof exe)) {
        snprintf(err, errlen, "jackd is not installed (Debian: apt install jackd2)");
        return false;
    }
    at_info("starting JACK server '%s' (%s backend, %s Hz, %s frames)", m->server, argv[n - 5],
            rate, period);
    /* SIGKILL if the manager dies: a server left behind keeps the session's
     * name, and one wedged by a JACK race answers no client ever again (see
     * docs/sessions.md, "When JACK itself wedges"). */
    m->jackd_pid = sm_spawn(m->dir, m->server, exe, (char *const *)argv, SIGKILL, NULL,
                            &m->jackd_out, "jackd");
    if (m->jackd_pid < 0) {
        snprintf(err, errlen, "cannot start jackd: %s", strerror(errno));
        return false;
    }
    for (int i = 0; i < 200; i++) {
        sm_out_pump(&m->jackd_out);
        if (sj_server_running(m->server))
            return true;
        int status;
        if (waitpid(m->jackd_pid, &status, WNOHANG) == m->jackd_pid) {
            m->jackd_pid = 0;
            sm_out_pump(&m->jackd_out);
            snprintf(err, errlen, "jackd exited at start-up (see its messages above)");
            return false;
        }
        usleep(50000);
    }
    snprintf(err, errlen, "jackd did not answer within 10 s");
    return false;
}

static void poke(SmMgr *m)
{
    atomic_store(&m->jack_changed, 1);
    char c = 1;
    ssize_t r = write(m->wake[1], &c, 1);
    (void)r;
}

static void on_port(jack_port_id_t id, int reg, void *arg)
{
    SmMgr *m = arg;
    (void)id;
    if (!reg)
        atomic_fetch_add(&m->ports_gone, 1);
    atomic_fetch_add(&m->port_events, 1);
    poke(m);
}

static void on_connect(jack_port_id_t a, jack_port_id_t b, int connect, void *arg)
{
    (void)a;
    (void)b;
    (void)connect;
    poke(arg);
}

static void on_shutdown(void *arg)
{
    SmMgr *m = arg;
    atomic_store(&m->server_gone, 1);
    poke(m);
}

bool sj_open(SmMgr *m, char *err, size_t errlen)
{
    jack_set_error_function(quiet);
    jack_set_info_function(quiet);
    jack_client_t *c = at_jack_open("aiotone-session", m->server, err, errlen);
    if (!c)
        return false;
    jack_set_port_registration_callback(c, on_port, m);
    jack_set_port_connect_callback(c, on_connect, m);
    jack_on_shutdown(c, on_shutdown, m);
    if (jack_activate(c) != 0) {
        jack_client_close(c);
        snprintf(err, errlen, "cannot activate the manager's JACK client");
        return false;
    }
    m->jack = c;
    /* A server we did not start keeps its own settings: say so when they
     * differ from the session's. */
    jack_nframes_t rate = jack_get_sample_rate(c), period = jack_get_buffer_size(c);
    if ((m->s.rate && (jack_nframes_t)m->s.rate != rate) ||
        (m->s.period && (jack_nframes_t)m->s.period != period))
        at_warn("the JACK server '%s' runs at %u Hz, %u frames; the session asks for %d Hz, %d "
                "frames (only used when the session starts the server)",
                m->server, rate, period, m->s.rate, m->s.period);
    return true;
}

void sj_close(SmMgr *m)
{
    if (!m->jack)
        return;
    if (!atomic_load(&m->server_gone))
        jack_deactivate(m->jack);
    jack_client_close(m->jack);
    m->jack = NULL;
}

/* Is full port name owned by one of the session's clients? */
static bool ours(const SmMgr *m, const char *port)
{
    const char *colon = strchr(port, ':');
    if (!colon)
        return false;
    for (int i = 0; i < m->s.n_clients; i++) {
        size_t n = strlen(m->s.clients[i].id);
        if ((size_t)(colon - port) == n && !strncmp(port, m->s.clients[i].id, n))
            return true;
    }
    return false;
}

/* A spec "ID:port" for one of the session's clients is a full JACK name
 * (the id is the client name), so it needs no alias or pretty-name search,
 * which costs a metadata lookup per port and is slow while clients are
 * still coming up. Returns the full name, or NULL when absent now. */
static char *resolve(SmMgr *m, const char *spec, const char *type, unsigned long flag)
{
    if (ours(m, spec)) {
        jack_port_t *p = jack_port_by_name(m->jack, spec);
        bool ok = p && (jack_port_flags(p) & flag) && !strcmp(jack_port_type(p), type);
        return ok ? strdup(spec) : NULL;
    }
    return at_jack_resolve(m->jack, spec, type, flag);
}

/* Resolve an output spec (MIDI first, then audio) and an input spec of the
 * same type. Both NULL unless both exist. */
static void resolve_pair(SmMgr *m, const SsConn *conn, char **from, char **to)
{
    static const char *const types[] = {JACK_DEFAULT_MIDI_TYPE, JACK_DEFAULT_AUDIO_TYPE};
    *from = *to = NULL;
    for (int t = 0; t < 2 && !*to; t++) {
        free(*from);
        *from = resolve(m, conn->from, types[t], JackPortIsOutput);
        if (*from)
            *to = resolve(m, conn->to, types[t], JackPortIsInput);
    }
    if (!*to) {
        free(*from);
        *from = NULL;
    }
}

static bool connected(jack_client_t *c, const char *from, const char *to)
{
    jack_port_t *p = jack_port_by_name(c, from);
    return p && jack_port_connected_to(p, to);
}

#define UNDONE (-1) /* SsConn.seen_gone: the user undid the connection */
/* A connection found undone while no port has gone is taken for the user's
 * doing only once it has stayed so this long: JACK removes a port's
 * connections a moment before the port itself (a device unplugged, a
 * bridge removing its ports), and a sync in between must not mistake that
 * for an undo, or the connection would never come back. */
#define UNDO_SETTLE_S 0.5

int sj_sync(SmMgr *m)
{
    jack_client_t *c = m->jack;
    int made = 0;
    m->sync_again = false;
    if (!c || atomic_load(&m->server_gone))
        return 0;
    int gone = atomic_load(&m->ports_gone);
    for (int i = 0; i < m->s.n_conns; i++) {
        SsConn *conn = &m->s.conns[i];
        char *from, *to;
        resolve_pair(m, conn, &from, &to);
        if (!from) {
            conn->made = false; /* a port is absent: make it when it returns */
            conn->undone_at = 0;
        } else if (connected(c, from, to)) {
            conn->made = true;
            conn->seen_gone = gone;
            conn->undone_at = 0;
            made++;
        } else if (conn->made && conn->seen_gone != gone && conn->seen_gone != UNDONE) {
            /* Made, now undone, and ports were removed since it was last seen
             * made: a port went away and came back (a replug faster than one
             * sync, or under another ALSA client number), not the user. */
            conn->made = false;
            conn->undone_at = 0;
        } else if (conn->made && conn->seen_gone != UNDONE) {
            double now = at_mono_now();
            if (conn->undone_at == 0)
                conn->undone_at = now;
            if (now - conn->undone_at >= UNDO_SETTLE_S)
                conn->seen_gone = UNDONE; /* the user undid it: leave it so */
            else
                m->sync_again = true; /* look again in a moment */
        }
        if (from && !conn->made) {
            int r = jack_connect(c, from, to);
            if (r == 0 || r == EEXIST) {
                at_info("connected %s -> %s", from, to);
                conn->made = true;
                conn->seen_gone = gone;
                made++;
            } else {
                at_debug("cannot connect %s -> %s yet (error %d)", from, to, r);
                m->sync_again = true;
            }
        }
        free(from);
        free(to);
    }
    return made;
}

/* Does the bridge have a JACK port for this ALSA-named end of a connection
 * (from = the device's output: a JACK output port)? */
static bool bridged(SmMgr *m, const char *spec, bool from)
{
    char *p = at_jack_resolve(m->jack, spec, JACK_DEFAULT_MIDI_TYPE,
                              from ? JackPortIsOutput : JackPortIsInput);
    bool found = p != NULL;
    free(p);
    return found;
}

static bool is_alsa(const char *spec)
{
    return strncmp(spec, "alsa:", 5) == 0;
}

const char *sj_bridge_missed(SmMgr *m, double now, int *client, double *waited)
{
    if (!m->jack || atomic_load(&m->server_gone))
        return NULL;
    int events = atomic_load(&m->port_events);
    if (events != m->port_events_seen || m->port_change_at == 0) {
        m->port_events_seen = events;
        m->port_change_at = now;
    }
    bool look = false;
    for (int i = 0; i < m->s.n_conns && !look; i++) {
        const SsConn *c = &m->s.conns[i];
        look = !c->made && (is_alsa(c->from) || is_alsa(c->to));
    }
    AtSeqPort seq[256];
    char err[256];
    int n = look ? at_seq_list(seq, 256, err, sizeof err) : 0;
    const char *missed = NULL;
    for (int i = 0; i < m->s.n_conns; i++) {
        SsConn *c = &m->s.conns[i];
        for (int e = 0; e < 2; e++) {
            const char *spec = e ? c->to : c->from;
            if (!is_alsa(spec))
                continue;
            /* A made connection has both its ports: nothing missed. */
            int k = n > 0 && !c->made ? at_seq_find(seq, n, spec) : -1;
            bool in_seq = k >= 0 && (e ? seq[k].writable : seq[k].readable);
            bool have = !in_seq || bridged(m, spec, e == 0);
            if (ss_bridge_missed(&c->miss[e], in_seq, have, now, m->port_change_at,
                                 m->bridge_started_at) &&
                !missed) {
                missed = spec;
                *client = seq[k].client;
                *waited = now - c->miss[e].since;
            }
        }
    }
    return missed;
}

void sj_bridge_rescanned(SmMgr *m)
{
    for (int i = 0; i < m->s.n_conns; i++)
        for (int e = 0; e < 2; e++) {
            SsBridgeMiss *b = &m->s.conns[i].miss[e];
            if (b->since > 0)
                b->rescanned = true;
            b->since = 0;
        }
}

static SsConnState sj_conn_state_of(SmMgr *m, const SsConn *conn)
{
    char *from, *to;
    if (!m->jack)
        return SS_CONN_ABSENT;
    resolve_pair(m, conn, &from, &to);
    SsConnState st = !from                          ? SS_CONN_ABSENT
                     : connected(m->jack, from, to) ? SS_CONN_MADE
                                                    : SS_CONN_DISCONNECTED;
    free(from);
    free(to);
    return st;
}

SsConnState sj_conn_state(SmMgr *m, int i)
{
    return sj_conn_state_of(m, &m->s.conns[i]);
}

/* Is full port name one of a remote host's NetJACK2 ports? Connections to
 * them are legs of routes across hosts (netmaster.c), not the user's. */
static bool of_host(const SmMgr *m, const char *port)
{
    const char *colon = strchr(port, ':');
    for (int h = 0; colon && h < m->s.n_hosts; h++) {
        size_t n = strlen(m->s.hosts[h].name);
        if ((size_t)(colon - port) == n && !strncmp(port, m->s.hosts[h].name, n))
            return true;
    }
    return false;
}

/* Every current connection that touches a session client, full names
 * (the legs of routes across hosts left out). */
static SsConn *current_connections(SmMgr *m, int *n_out)
{
    jack_client_t *c = m->jack;
    const char **outs = jack_get_ports(c, NULL, NULL, JackPortIsOutput);
    SsConn *cur = NULL;
    int n = 0, cap = 0;
    for (int i = 0; outs && outs[i]; i++) {
        jack_port_t *p = jack_port_by_name(c, outs[i]);
        const char **to = p ? jack_port_get_all_connections(c, p) : NULL;
        for (int k = 0; to && to[k]; k++) {
            if ((!ours(m, outs[i]) && !ours(m, to[k])) || of_host(m, outs[i]) || of_host(m, to[k]))
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                SsConn *t = realloc(cur, (size_t)cap * sizeof *t);
                if (!t)
                    break;
                cur = t;
            }
            cur[n].from = strdup(outs[i]);
            cur[n].to = strdup(to[k]);
            n++;
        }
        if (to)
            jack_free(to);
    }
    if (outs)
        jack_free(outs);
    *n_out = n;
    return cur;
}

static void free_conns(SsConn *c, int n)
{
    for (int i = 0; i < n; i++) {
        free(c[i].from);
        free(c[i].to);
    }
    free(c);
}

bool sj_collect(SmMgr *m)
{
    if (!m->jack || atomic_load(&m->server_gone))
        return true; /* keep what we remember */
    sj_sync(m);
    int nr = m->s.n_conns, nc = 0;
    SsConnState *state = calloc((size_t)nr + 1, sizeof *state);
    SsConn *resolved = calloc((size_t)nr + 1, sizeof *resolved);
    SsConn *cur = current_connections(m, &nc);
    bool ok = state && resolved;
    for (int i = 0; ok && i < nr; i++) {
        resolve_pair(m, &m->s.conns[i], &resolved[i].from, &resolved[i].to);
        state[i] = !resolved[i].from                                      ? SS_CONN_ABSENT
                   : connected(m->jack, resolved[i].from, resolved[i].to) ? SS_CONN_MADE
                                                                          : SS_CONN_DISCONNECTED;
    }
    int n = 0;
    SsConn *keep = ok ? ss_conns_for_save(m->s.conns, state, resolved, nr, cur, nc, &n) : NULL;
    if (keep) {
        /* Rebuild the list: keep[] points into the old list and cur[]. */
        SsSession fresh = {0};
        for (int i = 0; i < n && ok; i++)
            ok = ss_session_add_conn(&fresh, keep[i].from, keep[i].to);
        if (ok) {
            for (int i = 0; i < fresh.n_conns; i++)
                fresh.conns[i].made = sj_conn_state_of(m, &fresh.conns[i]) == SS_CONN_MADE;
            free_conns(m->s.conns, m->s.n_conns);
            m->s.conns = fresh.conns;
            m->s.n_conns = fresh.n_conns;
            m->s.cap_conns = fresh.cap_conns;
        } else {
            free_conns(fresh.conns, fresh.n_conns);
        }
    }
    free(keep);
    if (resolved)
        free_conns(resolved, nr);
    free(state);
    free_conns(cur, nc);
    return ok && keep;
}

void sj_client_ports(SmMgr *m, const char *name, char *out, size_t outlen)
{
    out[0] = 0;
    if (!m->jack || atomic_load(&m->server_gone))
        return;
    char re[128];
    snprintf(re, sizeof re, "^%s:", name); /* ids have no regex metacharacters but - and _ */
    const char **ports = jack_get_ports(m->jack, re, NULL, 0);
    size_t len = 0;
    for (int i = 0; ports && ports[i]; i++) {
        int w = snprintf(out + len, outlen - len, "%s%s", i ? " " : "", ports[i]);
        if (w < 0 || (size_t)w >= outlen - len)
            break;
        len += (size_t)w;
    }
    if (ports)
        jack_free(ports);
}
