/* app_ports.c - the tool shell's JACK client: open and close it, declare
 * and register its ports (with metadata), and make the connections asked
 * for by name. Control thread. See app_priv.h and docs/threads.md. */
#include "app_priv.h"
#include "alsaseq.h"
#include "jackutil.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *kind_type(AtPortKind k)
{
    return (k == AT_PORT_MIDI_IN || k == AT_PORT_MIDI_OUT) ? JACK_DEFAULT_MIDI_TYPE
                                                           : JACK_DEFAULT_AUDIO_TYPE;
}

static bool kind_is_input(AtPortKind k)
{
    return k == AT_PORT_MIDI_IN || k == AT_PORT_AUDIO_IN;
}

/* An "alsa:CLIENT:PORT" peer where there is no ALSA sequencer: say so, once
 * (bridged JACK ports are then found by their names only). */
static void warn_no_seq(const char *peer)
{
    static bool warned;
    if (warned || strncmp(peer, "alsa:", 5) != 0)
        return;
    AtSeqPort one[1];
    char err[256];
    if (at_seq_list(one, 1, err, sizeof err) >= 0)
        return;
    warned = true;
    at_warn("connect '%s': %s; ALSA ports are found by the names of their bridged JACK ports "
            "only",
            peer, err);
}

void at_app_add_connect(AtApp *app, int handle, const char *peer)
{
    if (handle < 0 || handle >= app->n_ports || !peer || !*peer)
        return;
    AtAppPort *p = &app->ports[handle];
    for (int k = 0; k < p->n_peers; k++)
        if (strcmp(p->peers[k], peer) == 0)
            return;
    char **np = realloc(p->peers, sizeof *np * (size_t)(p->n_peers + 1));
    if (!np)
        return;
    p->peers = np;
    warn_no_seq(peer);
    p->peers[p->n_peers] = strdup(peer);
    if (p->peers[p->n_peers])
        p->n_peers++;
    atomic_store(&app->rescan, 1);
}

int at_app_add_port(AtApp *app, const char *short_name, AtPortKind kind, const char *pretty,
                    const char *group, const char *connect_key)
{
    int h = -1;
    for (int i = 0; i < app->n_ports; i++)
        if (strcmp(app->ports[i].name, short_name) == 0 && app->ports[i].kind == kind)
            h = i;
    if (h < 0) {
        if (app->n_ports >= AT_APP_MAX_PORTS) {
            at_error("too many ports (at most %d)", AT_APP_MAX_PORTS);
            return -1;
        }
        h = app->n_ports;
        AtAppPort *p = &app->ports[h];
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "%s", short_name);
        p->kind = kind;
        p->pretty = pretty ? strdup(pretty) : NULL;
        p->group = group ? strdup(group) : NULL;
        if ((pretty && !p->pretty) || (group && !p->group)) {
            at_error("out of memory");
            return -1;
        }
        if (kind == AT_PORT_MIDI_IN || kind == AT_PORT_MIDI_OUT) {
            p->storage = calloc(AT_APP_MIDI_CAPACITY, sizeof *p->storage);
            if (!p->storage) {
                at_error("out of memory");
                return -1;
            }
            at_midi_buf_init(&p->buf, p->storage, AT_APP_MIDI_CAPACITY);
            app->cycle.midi[h] = &p->buf;
        }
        app->n_ports++;
    }
    if (connect_key) {
        const AtParamValue *v = at_params_value(app->params, connect_key);
        for (int k = 0; k < v->count; k++)
            at_app_add_connect(app, h, v->list[k]);
    }
    return h;
}

AtStatus at_app_add_dests(AtApp *app, const AtDest *dests, int n, int *handles, char *err,
                          size_t errlen)
{
    for (int d = 0; d < n; d++) {
        const char *name = at_params_str(app->params, dests[d].port_key);
        bool clash = false;
        for (int i = 0; name && i < app->n_ports; i++)
            clash |=
                app->ports[i].kind != AT_PORT_MIDI_OUT && strcmp(app->ports[i].name, name) == 0;
        if (!name || !*name) {
            snprintf(err, errlen, "%s: the port name must not be empty", dests[d].port_key);
            return AT_ERR_USAGE;
        }
        if (strchr(name, ':') || clash) {
            snprintf(err, errlen, "%s: bad port name '%s': %s", dests[d].port_key, name,
                     clash ? "that is the name of another port of this tool"
                           : "give the short name, without ':' (JACK adds the client's)");
            return AT_ERR_USAGE;
        }
        char pretty[256] = "";
        for (int e = 0; e < n; e++) {
            const char *other = at_params_str(app->params, dests[e].port_key);
            size_t len = strlen(pretty);
            if (other && strcmp(other, name) == 0 && dests[e].pretty)
                snprintf(pretty + len, sizeof pretty - len, "%s%s", len ? " + " : "",
                         dests[e].pretty);
        }
        handles[d] = at_app_add_port(app, name, AT_PORT_MIDI_OUT, pretty[0] ? pretty : NULL, NULL,
                                     dests[d].connect_key);
        if (handles[d] < 0) {
            snprintf(err, errlen, "cannot declare the JACK port '%s'", name);
            return AT_ERR_RUNTIME;
        }
    }
    return AT_OK;
}

void at_cycle_dest_outs(const AtCycle *c, const int *handles, int n, AtMidiBuf **out)
{
    for (int d = 0; d < n; d++)
        out[d] = c->midi[handles[d]];
}

/* JACK2 runs a client's first cycle after activation as a dummy: the
 * process callback is not called, and whatever arrives at the client's
 * inputs in that cycle is lost. A port that others can connect to before
 * the tool processes would lose, say, the START a clock sends the moment it
 * is connected (seen as an intermittently silent demo). So the ports are
 * registered only once the process callback has run: the client is
 * activated without them, and until a port is registered the RT thread
 * gives the tool a stand-in (silence in, a scratch buffer out). */
static bool wait_first_cycle(AtApp *app)
{
    for (int k = 0; k < 2500 && !atomic_load(&app->rt_started); k++) { /* 5 s */
        if (atomic_load(&app->server_gone))
            return false;
        usleep(2000);
    }
    return atomic_load(&app->rt_started) != 0;
}

static AtStatus register_ports(AtApp *app, char *err, size_t errlen)
{
    for (int h = 0; h < app->n_ports; h++) {
        AtAppPort *p = &app->ports[h];
        unsigned long flags = kind_is_input(p->kind) ? JackPortIsInput : JackPortIsOutput;
        p->port = jack_port_register(app->client, p->name, kind_type(p->kind), flags, 0);
        if (!p->port) {
            snprintf(err, errlen, "cannot register JACK port '%s'", p->name);
            return AT_ERR_RUNTIME;
        }
        /* live at once: a peer may connect as soon as it sees the port */
        atomic_store_explicit(&p->live, 1, memory_order_release);
    }
    for (int h = 0; h < app->n_ports; h++)
        at_jack_port_meta(app->client, app->ports[h].port, app->ports[h].pretty,
                          app->ports[h].group, h);
    return AT_OK;
}

/* Make every wanted connection whose peer exists now. */
void at_app_connect_pending(AtApp *app)
{
    for (int i = 0; i < app->n_ports; i++) {
        AtAppPort *p = &app->ports[i];
        if (!p->port)
            continue;
        bool in = kind_is_input(p->kind);
        for (int k = 0; k < p->n_peers; k++) {
            char *peer = at_jack_resolve(app->client, p->peers[k], kind_type(p->kind),
                                         in ? JackPortIsOutput : JackPortIsInput);
            if (!peer)
                continue;
            const char *mine = jack_port_name(p->port);
            if (!jack_port_connected_to(p->port, peer)) {
                int rc = in ? jack_connect(app->client, peer, mine)
                            : jack_connect(app->client, mine, peer);
                if (rc == 0)
                    at_info("connected %s %s %s", mine, in ? "<-" : "->", peer);
                else if (rc != EEXIST)
                    at_warn("cannot connect %s and %s", mine, peer);
            }
            free(peer);
        }
    }
}

/* Free the ports, the stand-ins and the rings. */
static void free_ports(AtApp *app)
{
    free(app->silence);
    free(app->scratch);
    app->silence = app->scratch = NULL;
    for (int i = 0; i < app->n_ports; i++) {
        free(app->ports[i].storage);
        free(app->ports[i].pretty);
        free(app->ports[i].group);
        for (int k = 0; k < app->ports[i].n_peers; k++)
            free(app->ports[i].peers[k]);
        free(app->ports[i].peers);
    }
    memset(app->ports, 0, sizeof app->ports);
    app->n_ports = 0;
    memset(&app->cycle, 0, sizeof app->cycle);
    jack_ringbuffer_t *rings[] = {app->to_rt, app->reports, app->garbage, app->logs};
    for (size_t i = 0; i < sizeof rings / sizeof rings[0]; i++)
        if (rings[i])
            jack_ringbuffer_free(rings[i]);
    app->to_rt = app->reports = app->garbage = app->logs = NULL;
}

/* Close the JACK client and free what came with it (the core, the ports,
 * the rings), so at_app_open_jack can start again (NSM :switch:) or the program
 * can end. */
void at_app_close_jack(AtApp *app)
{
    if (app->client) {
        jack_port_t *ports[AT_APP_MAX_PORTS];
        int n = 0;
        for (int i = 0; i < app->n_ports; i++)
            if (app->ports[i].port)
                ports[n++] = app->ports[i].port;
        if (!atomic_load(&app->server_gone)) {
            jack_deactivate(app->client);
            at_jack_clear_meta(app->client, ports, n);
        }
        jack_client_close(app->client);
        app->client = NULL;
    }
    if (app->to_rt)
        at_app_drain_rt(app);
    if (app->core_made && app->tool->teardown)
        app->tool->teardown(app->core);
    app->core_made = false;
    app->core = NULL;
    free_ports(app);
    atomic_store(&app->shutdown_req, 0);
    atomic_store(&app->shutdown_done, 0);
    atomic_store(&app->rt_started, 0);
    atomic_store(&app->rescan, 0);
}

/* Shut down politely: let the tool silence its destinations in one last
 * cycle, then stop. */
void at_app_graceful_stop(AtApp *app)
{
    if (!app->client || atomic_load(&app->server_gone))
        return;
    atomic_store(&app->shutdown_req, 1);
    for (int i = 0; i < 50 && !atomic_load(&app->shutdown_done); i++)
        usleep(10000);
    /* One more period so the last events reach the peers. */
    usleep((useconds_t)(1e6 * jack_get_buffer_size(app->client) / (app->rate ? app->rate : 48000)) +
           5000);
}

/* The rings to and from the RT thread and the stand-in buffers. */
static bool make_rings(AtApp *app)
{
    size_t sz = AT_APP_RING_MSGS * sizeof(AtParamMsg);
    app->to_rt = jack_ringbuffer_create(sz);
    app->reports = jack_ringbuffer_create(sz);
    app->garbage = jack_ringbuffer_create(sz);
    app->logs = jack_ringbuffer_create(AT_APP_RING_MSGS * sizeof(AtLogMsg));
    app->scratch_frames = jack_get_buffer_size(app->client);
    if (app->scratch_frames < 8192)
        app->scratch_frames = 8192;
    app->silence = calloc(app->scratch_frames, sizeof(float));
    app->scratch = calloc(app->scratch_frames, sizeof(float));
    return app->to_rt && app->reports && app->garbage && app->logs && app->silence && app->scratch;
}

/* Activate the client, then register its ports once it runs (see
 * wait_first_cycle) and connect them. */
static AtStatus activate(AtApp *app, char *err, size_t errlen)
{
    at_app_rt_callbacks(app);
    at_jack_client_meta(app->client, NULL, "audio-x-generic");
    if (jack_activate(app->client) != 0) {
        snprintf(err, errlen, "cannot activate the JACK client");
        return AT_ERR_RUNTIME;
    }
    if (!wait_first_cycle(app)) {
        if (atomic_load(&app->server_gone)) {
            snprintf(err, errlen, "the JACK server went away");
            return AT_ERR_RUNTIME;
        }
        at_warn("JACK has not run this client yet (a stalled server?): its ports may miss "
                "the first messages");
    }
    AtStatus st = register_ports(app, err, errlen);
    if (st != AT_OK)
        return st;
    at_app_connect_pending(app);
    return AT_OK;
}

AtStatus at_app_open_jack(AtApp *app, const char *name, char *err, size_t errlen)
{
    app->client = at_jack_open(name, app->server, err, errlen);
    if (!app->client)
        return AT_ERR_RUNTIME;
    snprintf(app->client_name, sizeof app->client_name, "%s", jack_get_client_name(app->client));
    app->rate = jack_get_sample_rate(app->client);
    app->cycle.rate = app->rate;
    app->cycle.jack_client = app->client;
    app->cycle.app = app;
    AtStatus st = app->tool->setup(app, &app->core, err, errlen);
    if (st != AT_OK)
        return st;
    app->core_made = true;
    if (!make_rings(app)) {
        snprintf(err, errlen, "out of memory");
        return AT_ERR_RUNTIME;
    }
    st = activate(app, err, errlen);
    if (st != AT_OK)
        return st;
    at_info("running as JACK client '%s' at %u Hz, %u frames per period", app->client_name,
            app->rate, jack_get_buffer_size(app->client));
    return AT_OK;
}
