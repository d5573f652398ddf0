/* app.c - the shell shared by every JACK tool. See app.h and
 * docs/threads.md for who owns what. */
#include "app.h"
#include "alsaseq.h"

#include "jackutil.h"
#include "log.h"
#include "nsm.h"
#include "osc.h"
#include "touchosc.h"

#include <errno.h>
#include <fcntl.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef AT_VERSION
#define AT_VERSION "0"
#endif

#define RING_MSGS 1024

typedef struct {
    const char *fmt;
    int a, b;
} LogMsg;

typedef struct {
    char name[64];
    AtPortKind kind;
    jack_port_t *port;
    char *pretty, *group; /* metadata, set when the port is registered */
    atomic_int live;      /* registered: the RT thread may use port */
    AtMidiBuf buf;
    AtMidiEvent *storage;
    char **peers;
    int n_peers;
    int rt_connections; /* peers in the graph of the last cycle (RT only) */
} Port;

struct AtApp {
    const AtTool *tool;
    AtParams *params;
    void *core;
    bool core_made;
    jack_client_t *client;
    char client_name[128];
    const char *server;
    const char *config;    /* -c FILE, or NULL */
    int osc_port_override; /* --osc-port, or -1 */
    uint32_t rate;
    Port ports[AT_APP_MAX_PORTS];
    int n_ports;
    atomic_int rt_started;    /* the process callback has been called */
    float *silence, *scratch; /* stand-ins for audio ports not yet registered */
    uint32_t scratch_frames;
    jack_ringbuffer_t *to_rt, *reports, *garbage, *logs;
    atomic_int shutdown_req, shutdown_done, server_gone, rescan, quit_status;
    atomic_uint xruns, midi_dropped, sysex_ignored, late_writes;
    AtOsc *osc;
    AtNsm *nsm;
    char nsm_path[4096]; /* "" when standalone */
    int wake[2];
    bool dirty;
    int exit_status;
    AtCycle cycle;
};

static volatile sig_atomic_t got_signal;
static int signal_fd = -1;

static void on_signal(int sig)
{
    got_signal = sig;
    if (signal_fd >= 0) {
        char c = 1;
        ssize_t r = write(signal_fd, &c, 1);
        (void)r;
    }
}

static void wake(AtApp *app)
{
    char c = 1;
    ssize_t r = write(app->wake[1], &c, 1);
    (void)r;
}

/* ---------------- RT side ---------------- */

static void rt_push(jack_ringbuffer_t *rb, const void *msg, size_t size)
{
    if (jack_ringbuffer_write_space(rb) >= size)
        jack_ringbuffer_write(rb, msg, size);
}

void at_cycle_report(AtCycle *cycle, int index, int32_t i, double f)
{
    AtParamMsg m = {.index = index, .i = i, .f = f};
    rt_push(cycle->app->reports, &m, sizeof m);
}

void at_cycle_log(AtCycle *cycle, const char *fmt, int a, int b)
{
    LogMsg m = {fmt, a, b};
    rt_push(cycle->app->logs, &m, sizeof m);
}

void at_cycle_quit(AtCycle *cycle, int status)
{
    atomic_store(&cycle->app->quit_status, status + 1);
}

static void rt_read_midi(AtApp *app, Port *p, jack_nframes_t nframes)
{
    void *jb = jack_port_get_buffer(p->port, nframes);
    at_midi_buf_clear(&p->buf);
    uint32_t n = jack_midi_get_event_count(jb);
    for (uint32_t k = 0; k < n; k++) {
        jack_midi_event_t ev;
        if (jack_midi_event_get(&ev, jb, k) != 0 || ev.size == 0)
            continue;
        if (ev.size > AT_MIDI_MAX_SIZE || at_midi_message_size(ev.buffer[0]) != (int)ev.size) {
            /* sysex, or a message whose length does not match its status */
            atomic_fetch_add(&app->sysex_ignored, 1);
            continue;
        }
        if (!at_midi_buf_add(&p->buf, ev.time, ev.buffer, ev.size))
            atomic_fetch_add(&app->midi_dropped, 1);
    }
}

static void rt_write_midi(AtApp *app, Port *p, jack_nframes_t nframes)
{
    void *jb = jack_port_get_buffer(p->port, nframes);
    jack_midi_clear_buffer(jb);
    at_midi_buf_sort(&p->buf);
    for (size_t k = 0; k < p->buf.count; k++) {
        const AtMidiEvent *e = &p->buf.events[k];
        uint32_t t = e->frame < nframes ? e->frame : nframes - 1;
        if (jack_midi_event_write(jb, t, e->data, e->size) != 0)
            atomic_fetch_add(&app->midi_dropped, 1);
    }
    if (p->buf.dropped) {
        atomic_fetch_add(&app->midi_dropped, (unsigned)p->buf.dropped);
        p->buf.dropped = 0;
    }
}

static int rt_process(jack_nframes_t nframes, void *arg)
{
    AtApp *app = arg;
    AtCycle *c = &app->cycle;
    c->nframes = nframes;
    c->frame_time = jack_last_frame_time(app->client);
    if (!atomic_load_explicit(&app->rt_started, memory_order_relaxed))
        atomic_store(&app->rt_started, 1);
    if (nframes > app->scratch_frames) {
        /* a period longer than the stand-ins: wait for the ports */
        for (int i = 0; i < app->n_ports; i++)
            if (!atomic_load_explicit(&app->ports[i].live, memory_order_acquire))
                return 0;
    }
    for (int i = 0; i < app->n_ports; i++) {
        Port *p = &app->ports[i];
        if (!atomic_load_explicit(&p->live, memory_order_acquire)) {
            /* not registered yet (see register_ports): nothing comes in,
             * what goes out is dropped */
            if (p->kind == AT_PORT_MIDI_IN || p->kind == AT_PORT_MIDI_OUT)
                at_midi_buf_clear(&p->buf);
            else if (p->kind == AT_PORT_AUDIO_IN)
                c->audio[i] = app->silence;
            else
                c->audio[i] = app->scratch;
            continue;
        }
        switch (p->kind) {
        case AT_PORT_MIDI_IN:
            rt_read_midi(app, p, nframes);
            break;
        case AT_PORT_MIDI_OUT:
            at_midi_buf_clear(&p->buf);
            break;
        default:
            c->audio[i] = jack_port_get_buffer(p->port, nframes);
            break;
        }
    }
    AtParamMsg m;
    while (jack_ringbuffer_read_space(app->to_rt) >= sizeof m) {
        jack_ringbuffer_read(app->to_rt, (char *)&m, sizeof m);
        if (app->tool->param)
            app->tool->param(app->core, &m, c);
        if (m.ptr)
            rt_push(app->garbage, &m, sizeof m);
    }
    /* A new connection is seen here, in the first cycle whose graph carries
     * it, not from JACK's connect notification: that one comes before the
     * server switches to the new graph (jackd applies graph changes at the
     * start of a cycle, and keeps the old graph for a cycle that starts
     * while the previous one still runs, as on a loaded machine), and
     * whatever a port writes before the switch never reaches the new peer.
     * jack_port_connected reads the current graph without waiting in the RT
     * thread. A disconnection and a connection within one cycle leave the
     * count as it was: the new peer is not told, as it has heard nothing. */
    for (int i = 0; i < app->n_ports; i++) {
        Port *p = &app->ports[i];
        if (p->kind != AT_PORT_MIDI_OUT || !atomic_load_explicit(&p->live, memory_order_acquire))
            continue;
        int n = jack_port_connected(p->port), before = p->rt_connections;
        p->rt_connections = n;
        if (n > before) {
            if (app->tool->connected)
                app->tool->connected(app->core, i, c);
        }
    }
    if (atomic_load(&app->shutdown_req) && !atomic_load(&app->shutdown_done)) {
        if (app->tool->shutdown)
            app->tool->shutdown(app->core, c);
        atomic_store(&app->shutdown_done, 1);
    } else if (!atomic_load(&app->shutdown_done)) {
        app->tool->process(app->core, c);
    }
    for (int i = 0; i < app->n_ports; i++)
        if (app->ports[i].kind == AT_PORT_MIDI_OUT &&
            atomic_load_explicit(&app->ports[i].live, memory_order_acquire))
            rt_write_midi(app, &app->ports[i], nframes);
    return 0;
}

/* ---------------- JACK notifications (JACK's thread) ---------------- */

static int on_xrun(void *arg)
{
    AtApp *app = arg;
    atomic_fetch_add(&app->xruns, 1);
    return 0;
}

static void on_registration(jack_port_id_t id, int reg, void *arg)
{
    AtApp *app = arg;
    (void)id;
    if (reg) {
        atomic_store(&app->rescan, 1);
        wake(app);
    }
}

static void on_shutdown(void *arg)
{
    AtApp *app = arg;
    atomic_store(&app->server_gone, 1);
    wake(app);
}

/* ---------------- ports and connections ---------------- */

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
    Port *p = &app->ports[handle];
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
        Port *p = &app->ports[h];
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
        Port *p = &app->ports[h];
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
static void connect_pending(AtApp *app)
{
    for (int i = 0; i < app->n_ports; i++) {
        Port *p = &app->ports[i];
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

/* ---------------- parameters from outside ---------------- */

AtParams *at_app_params(AtApp *app)
{
    return app->params;
}

uint32_t at_app_rate(const AtApp *app)
{
    return app->rate;
}

const char *at_app_session_path(const AtApp *app)
{
    return app->nsm_path[0] ? app->nsm_path : NULL;
}

const char *at_app_client_name(const AtApp *app)
{
    return app->client_name;
}

void *at_app_core(AtApp *app)
{
    return app->core;
}

void at_app_quit(AtApp *app, int status)
{
    app->exit_status = status;
    got_signal = SIGTERM;
    if (signal_fd >= 0)
        on_signal(SIGTERM);
}

static bool rt_running(const AtApp *app)
{
    return app->to_rt != NULL;
}

/* Send parameter i's value to the RT thread (preparing resources first). */
static bool push_param(AtApp *app, int i, char *err, size_t errlen)
{
    const AtParamDef *d = at_params_def(app->params, i);
    const AtParamValue *v = at_params_get(app->params, i);
    AtParamMsg m = {.index = i, .i = v->i, .f = v->f};
    if (d->type == AT_PARAM_STRING || d->type == AT_PARAM_STRLIST || d->type == AT_PARAM_INTLIST)
        m.i = v->count;
    if (d->field.kind == AT_FIELD_SEED && m.i == 0) {
        /* "random": picked here, off the RT thread (params.h) */
        m.i = at_params_random_seed();
        at_warn("seed 0: using seed %d (set %s = %d to replay)", (int)m.i, d->key, (int)m.i);
    }
    if (app->tool->prepare && app->core_made) {
        bool fail = false;
        m.ptr = app->tool->prepare(app->core, app->params, i, &fail);
        if (fail) {
            snprintf(err, errlen, "cannot prepare the change (out of memory?)");
            return false;
        }
    }
    if (!rt_running(app)) {
        /* Before JACK runs (e.g. offline): apply directly. */
        if (app->tool->param && app->core_made)
            app->tool->param(app->core, &m, &app->cycle);
        if (m.ptr && app->tool->release)
            app->tool->release(m.ptr);
        return true;
    }
    if (jack_ringbuffer_write_space(app->to_rt) < sizeof m) {
        snprintf(err, errlen, "busy: too many changes at once, try again");
        if (m.ptr && app->tool->release)
            app->tool->release(m.ptr);
        return false;
    }
    jack_ringbuffer_write(app->to_rt, (const char *)&m, sizeof m);
    return true;
}

static lo_message value_message(AtApp *app, int i)
{
    const AtParamDef *d = at_params_def(app->params, i);
    const AtParamValue *v = at_params_get(app->params, i);
    lo_message m = lo_message_new();
    switch (d->type) {
    case AT_PARAM_INT:
    case AT_PARAM_BOOL:
        lo_message_add_int32(m, v->i);
        break;
    case AT_PARAM_FLOAT:
    case AT_PARAM_DURATION:
        lo_message_add_float(m, (float)v->f);
        break;
    case AT_PARAM_ENUM:
        lo_message_add_string(m, d->choices[v->i]);
        break;
    case AT_PARAM_STRING:
        lo_message_add_string(m, v->s ? v->s : "");
        break;
    case AT_PARAM_STRLIST:
        for (int k = 0; k < v->count; k++)
            lo_message_add_string(m, v->list[k]);
        break;
    case AT_PARAM_INTLIST:
        for (int k = 0; k < v->count; k++)
            lo_message_add_int32(m, v->ilist[k]);
        break;
    case AT_PARAM_ACTION:
        break;
    }
    return m;
}

static void osc_path_of(AtApp *app, int i, char *out, size_t outlen)
{
    snprintf(out, outlen, "/%s/%s", app->tool->name, at_params_def(app->params, i)->osc);
}

/* Tell every surface the current value of parameter i. */
static void echo_param(AtApp *app, int i)
{
    const AtParamDef *d = at_params_def(app->params, i);
    if (!app->osc || !d->osc || d->type == AT_PARAM_ACTION)
        return;
    char path[256];
    osc_path_of(app, i, path, sizeof path);
    lo_message m = value_message(app, i);
    at_osc_send_surfaces(app->osc, path, m);
    lo_message_free(m);
}

static void mark_dirty(AtApp *app)
{
    if (!app->dirty) {
        app->dirty = true;
        if (app->nsm)
            at_nsm_dirty(app->nsm, true);
    }
}

/* Copy of a value for undo (strings and lists duplicated). */
static void value_copy(AtParamValue *dst, const AtParamValue *src)
{
    *dst = *src;
    dst->s = src->s ? strdup(src->s) : NULL;
    dst->list = NULL;
    if (src->list && src->count) {
        dst->list = calloc((size_t)src->count, sizeof *dst->list);
        for (int k = 0; dst->list && k < src->count; k++)
            dst->list[k] = strdup(src->list[k]);
    }
}

static void value_release(AtParamValue *v)
{
    free(v->s);
    for (int k = 0; v->list && k < v->count; k++)
        free(v->list[k]);
    free(v->list);
}

/* After the registry's value of i changed: consult the tool, tell RT,
 * echo, mark dirty. On refusal restore old. */
static bool commit_change(AtApp *app, int i, AtParamValue *old, char *err, size_t errlen)
{
    if (app->tool->changed && app->core_made &&
        !app->tool->changed(app, app->core, i, err, errlen)) {
        at_params_store(app->params, i, old);
        return false;
    }
    if (!push_param(app, i, err, errlen)) {
        at_params_store(app->params, i, old);
        return false;
    }
    echo_param(app, i);
    if (!(at_params_def(app->params, i)->flags & AT_PARAM_NOSAVE))
        mark_dirty(app);
    return true;
}

AtStatus at_app_set_number(AtApp *app, int index, double value, char *err, size_t errlen)
{
    const AtParamDef *d = at_params_def(app->params, index);
    if (!d || !(d->flags & AT_PARAM_LIVE)) {
        snprintf(err, errlen, "not a live parameter");
        return AT_ERR_USAGE;
    }
    AtParamValue old;
    value_copy(&old, at_params_get(app->params, index));
    bool ok = at_params_set_number(app->params, index, value, err, errlen) &&
              commit_change(app, index, &old, err, errlen);
    value_release(&old);
    return ok ? AT_OK : AT_ERR_USAGE;
}

AtStatus at_app_load_values(AtApp *app, const char *path, char *err, size_t errlen)
{
    size_t n = at_params_count(app->params);
    AtParamValue *before = calloc(n, sizeof *before);
    char *fmt_before = calloc(n, 512), *fmt_after = malloc(512);
    if (!before || !fmt_before || !fmt_after) {
        free(before);
        free(fmt_before);
        free(fmt_after);
        snprintf(err, errlen, "out of memory");
        return AT_ERR_RUNTIME;
    }
    for (size_t i = 0; i < n; i++) {
        value_copy(&before[i], at_params_get(app->params, (int)i));
        at_params_format(app->params, (int)i, fmt_before + i * 512, 512);
    }
    AtStatus st = at_params_load_file(app->params, path, err, errlen);
    if (st != AT_OK) {
        for (size_t i = 0; i < n; i++)
            at_params_store(app->params, (int)i, &before[i]);
    } else {
        for (size_t i = 0; i < n; i++) {
            at_params_format(app->params, (int)i, fmt_after, 512);
            if (strcmp(fmt_after, fmt_before + i * 512) == 0)
                continue;
            const AtParamDef *d = at_params_def(app->params, (int)i);
            if (!(d->flags & AT_PARAM_LIVE) && rt_running(app)) {
                /* Keep the registry telling the truth about what runs. */
                at_warn("%s: '%s' is not live; set it in the config and restart", path, d->key);
                at_params_store(app->params, (int)i, &before[i]);
                continue;
            }
            char why[256];
            if (!push_param(app, (int)i, why, sizeof why))
                at_warn("%s: '%s': %s", path, d->key, why);
            echo_param(app, (int)i);
            mark_dirty(app);
        }
    }
    for (size_t i = 0; i < n; i++)
        value_release(&before[i]);
    free(before);
    free(fmt_before);
    free(fmt_after);
    return st;
}

/* ---------------- OSC ---------------- */

static void osc_error(AtApp *app, AtOsc *osc, const AtOscMsg *msg, const char *path,
                      const char *reason)
{
    char addr[160];
    snprintf(addr, sizeof addr, "/%s/error", app->tool->name);
    lo_message m = lo_message_new();
    lo_message_add_string(m, path);
    lo_message_add_string(m, reason);
    at_osc_send_to(osc, &msg->from, msg->fromlen, addr, m);
    lo_message_free(m);
    at_warn("OSC %s: %s", path, reason);
}

static void osc_reply_value(AtApp *app, AtOsc *osc, const AtOscMsg *msg, int i)
{
    char path[256];
    osc_path_of(app, i, path, sizeof path);
    lo_message m = value_message(app, i);
    at_osc_send_to(osc, &msg->from, msg->fromlen, path, m);
    lo_message_free(m);
}

static const char *type_word(AtParamType t)
{
    static const char *const w[] = {"int",      "float",   "bool", "enum",  "string",
                                    "duration", "strings", "ints", "action"};
    return w[t];
}

static void osc_list(AtApp *app, AtOsc *osc, const AtOscMsg *msg)
{
    char addr[160];
    snprintf(addr, sizeof addr, "/%s/list", app->tool->name);
    for (size_t i = 0; i < at_params_count(app->params); i++) {
        const AtParamDef *d = at_params_def(app->params, (int)i);
        if (!d->osc)
            continue;
        lo_message m = lo_message_new();
        char path[256];
        osc_path_of(app, (int)i, path, sizeof path);
        lo_message_add_string(m, path);
        lo_message_add_string(m, type_word(d->type));
        double lo = d->min, hi = d->max;
        if (d->type == AT_PARAM_ENUM) {
            lo = 0;
            hi = 0;
            while (hi < AT_PARAM_MAX_CHOICES && d->choices[(int)hi])
                hi++;
            hi--;
        } else if (d->type == AT_PARAM_BOOL) {
            lo = 0;
            hi = 1;
        }
        lo_message_add_float(m, (float)lo);
        lo_message_add_float(m, (float)hi);
        char val[1024];
        at_params_format(app->params, (int)i, val, sizeof val);
        lo_message_add_string(m, val);
        lo_message_add_string(m, d->unit ? d->unit : "");
        at_osc_send_to(osc, &msg->from, msg->fromlen, addr, m);
        lo_message_free(m);
    }
}

static bool arg_number(char t, lo_arg *a, double *v)
{
    switch (t) {
    case 'i':
        *v = at_osc_arg_i32(a);
        return true;
    case 'f':
        *v = at_osc_arg_f32(a);
        return true;
    case 'd':
        *v = at_osc_arg_f64(a);
        return true;
    case 'h':
        *v = (double)at_osc_arg_i64(a);
        return true;
    case 'T':
        *v = 1;
        return true;
    case 'F':
        *v = 0;
        return true;
    default:
        return false;
    }
}

static void osc_set(AtApp *app, AtOsc *osc, const AtOscMsg *msg, int i, const char *path)
{
    const AtParamDef *d = at_params_def(app->params, i);
    char why[512];
    if (!msg->allowed) {
        osc_error(app, osc, msg, path, "not allowed: this address is not in osc.allow");
        return;
    }
    if (d->type == AT_PARAM_ACTION) {
        AtParamValue old = {0};
        commit_change(app, i, &old, why, sizeof why);
        return;
    }
    if (msg->argc == 0) {
        osc_reply_value(app, osc, msg, i);
        return;
    }
    if (!(d->flags & AT_PARAM_LIVE)) {
        osc_error(app, osc, msg, path, "not live: set it in the config file and restart");
        return;
    }
    AtParamValue old;
    value_copy(&old, at_params_get(app->params, i));
    bool ok;
    double num;
    char t = msg->types[0];
    if (msg->argc != 1 && d->type != AT_PARAM_STRLIST) {
        snprintf(why, sizeof why, "expects one argument");
        ok = false;
    } else if (t == 's' || t == 'S') {
        ok = at_params_set_string(app->params, i, at_osc_arg_str(msg->argv[0]), why, sizeof why);
    } else if (arg_number(t, msg->argv[0], &num)) {
        ok = at_params_set_number(app->params, i, num, why, sizeof why);
    } else {
        snprintf(why, sizeof why, "argument of OSC type '%c' not accepted", t);
        ok = false;
    }
    if (ok)
        ok = commit_change(app, i, &old, why, sizeof why);
    if (!ok)
        osc_error(app, osc, msg, path, why);
    value_release(&old);
}

static void on_osc(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    AtApp *app = user;
    size_t tl = strlen(app->tool->name);
    const char *path = msg->path;
    if (path[0] != '/' || strncmp(path + 1, app->tool->name, tl) != 0 || path[tl + 1] != '/') {
        osc_error(app, osc, msg, path, "unknown address");
        return;
    }
    const char *rest = path + tl + 2;
    if (strcmp(rest, "list") == 0) {
        osc_list(app, osc, msg);
        return;
    }
    if (strcmp(rest, "get") == 0) {
        if (msg->argc < 1 || msg->types[0] != 's') {
            osc_error(app, osc, msg, path, "expects s PATH");
            return;
        }
        const char *want = at_osc_arg_str(msg->argv[0]);
        char prefix[160];
        snprintf(prefix, sizeof prefix, "/%s/", app->tool->name);
        if (strncmp(want, prefix, strlen(prefix)) == 0)
            want += strlen(prefix);
        int i = at_params_find_osc(app->params, want);
        if (i < 0)
            osc_error(app, osc, msg, want, "unknown parameter");
        else
            osc_reply_value(app, osc, msg, i);
        return;
    }
    int i = at_params_find_osc(app->params, rest);
    if (i < 0) {
        osc_error(app, osc, msg, path, "unknown parameter");
        return;
    }
    osc_set(app, osc, msg, i, path);
}

/* ---------------- options ---------------- */

static void usage(const AtTool *t, FILE *f)
{
    fprintf(f,
            "Usage: aiotone-%s [OPTIONS]\n%s\n\n"
            "Options:\n"
            "  -c, --config FILE   load the configuration (libconfig syntax) from FILE\n"
            "      --make-config   print a commented default configuration and exit\n"
            "  -n, --name NAME     JACK client name (default: %s)\n"
            "  -s, --server NAME   JACK server (default: $JACK_DEFAULT_SERVER or 'default')\n"
            "      --osc-port N    OSC UDP port, 0 = off (overrides osc.port)\n"
            "      --touchosc-layout FILE\n"
            "                      write a TouchOSC layout for every live parameter and exit\n"
            "      --check-config FILE\n"
            "                      load FILE (over -c) with every check the tool makes,\n"
            "                      print what is wrong; exit 0 good, 2 bad (no JACK)\n"
            "  -v, --verbose       more messages\n"
            "  -q, --quiet         only warnings and errors\n"
            "  -h, --help          show this help and exit\n"
            "  -V, --version       show the version and exit\n",
            t->name, t->summary, t->name);
    if (t->usage_extra)
        fprintf(f, "%s", t->usage_extra);
    fprintf(f,
            "\nOSC: /%s/<parameter> sets, /%s/get s PATH reads, /%s/list lists.\n"
            "Under NSM (NSM_URL set) the state is kept by the session manager, which may\n"
            "switch the running tool to another session (:switch:).\n"
            "See aiotone-%s(1).\n",
            t->name, t->name, t->name, t->name);
}

typedef struct {
    const char *config;
    const char *name;
    const char *server;
    const char *touchosc;
    const char *check; /* --check-config FILE */
    int osc_port;      /* -1: from config */
    bool make_config;
    int verbosity;
    char **rest;
    int n_rest;
} Options;

/* Returns -1 to go on, or an exit status. */
static int parse_options(const AtTool *t, int argc, char **argv, Options *o)
{
    o->osc_port = -1;
    o->verbosity = AT_LOG_INFO;
    o->rest = calloc((size_t)argc + 1, sizeof *o->rest);
    if (!o->rest)
        return 1;
    o->rest[o->n_rest++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        char key[64];
        const char *eq = strchr(a, '=');
        if (a[0] == '-' && a[1] == '-' && eq && (size_t)(eq - a) < sizeof key) {
            memcpy(key, a, (size_t)(eq - a));
            key[eq - a] = 0;
            val = eq + 1;
        } else {
            snprintf(key, sizeof key, "%s", a);
        }
        bool takes = !strcmp(key, "-c") || !strcmp(key, "--config") || !strcmp(key, "-n") ||
                     !strcmp(key, "--name") || !strcmp(key, "-s") || !strcmp(key, "--server") ||
                     !strcmp(key, "--osc-port") || !strcmp(key, "--touchosc-layout") ||
                     !strcmp(key, "--check-config");
        if (takes && !val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "aiotone-%s: option %s needs a value (see --help)\n", t->name, key);
                return 2;
            }
            val = argv[++i];
        }
        if (!strcmp(key, "-h") || !strcmp(key, "--help")) {
            usage(t, stdout);
            return 0;
        } else if (!strcmp(key, "-V") || !strcmp(key, "--version")) {
            printf("aiotone-%s %s\n", t->name, AT_VERSION);
            return 0;
        } else if (!strcmp(key, "-c") || !strcmp(key, "--config")) {
            o->config = val;
        } else if (!strcmp(key, "-n") || !strcmp(key, "--name")) {
            o->name = val;
        } else if (!strcmp(key, "-s") || !strcmp(key, "--server")) {
            o->server = val;
        } else if (!strcmp(key, "--osc-port")) {
            char *end;
            long p = strtol(val, &end, 10);
            if (*end || p < 0 || p > 65535) {
                fprintf(stderr, "aiotone-%s: --osc-port: '%s' is not a port 0..65535\n", t->name,
                        val);
                return 2;
            }
            o->osc_port = (int)p;
        } else if (!strcmp(key, "--touchosc-layout")) {
            o->touchosc = val;
        } else if (!strcmp(key, "--check-config")) {
            o->check = val;
        } else if (!strcmp(key, "--make-config")) {
            o->make_config = true;
        } else if (!strcmp(key, "-v") || !strcmp(key, "--verbose")) {
            o->verbosity = AT_LOG_DEBUG;
        } else if (!strcmp(key, "-q") || !strcmp(key, "--quiet")) {
            o->verbosity = AT_LOG_WARN;
        } else {
            o->rest[o->n_rest++] = argv[i];
        }
    }
    return -1;
}

/* --check-config FILE: load FILE over the -c config the way a session
 * state file is loaded, then the tool's own checks; no JACK. */
static int check_config(AtApp *app, const char *file)
{
    char err[2048] = "";
    if (access(file, F_OK) != 0) {
        at_error("%s: %s", file, strerror(errno));
        return 2;
    }
    if (at_params_load_file(app->params, file, err, sizeof err) != AT_OK ||
        (app->tool->validate && app->tool->validate(app, err, sizeof err) != AT_OK)) {
        at_error("%s", err);
        return 2;
    }
    printf("%s: ok\n", file);
    return 0;
}

/* ---------------- control loop ---------------- */

static void drain_rt(AtApp *app)
{
    LogMsg lm;
    while (jack_ringbuffer_read_space(app->logs) >= sizeof lm) {
        jack_ringbuffer_read(app->logs, (char *)&lm, sizeof lm);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        char text[512];
        snprintf(text, sizeof text, lm.fmt, lm.a, lm.b);
#pragma GCC diagnostic pop
        at_warn("%s", text);
    }
    AtParamMsg m;
    while (jack_ringbuffer_read_space(app->reports) >= sizeof m) {
        jack_ringbuffer_read(app->reports, (char *)&m, sizeof m);
        const AtParamDef *d = at_params_def(app->params, m.index);
        if (!d)
            continue;
        AtParamValue v = *at_params_get(app->params, m.index);
        v.i = m.i;
        v.f = m.f;
        if (d->type != AT_PARAM_STRING && d->type != AT_PARAM_STRLIST)
            at_params_store(app->params, m.index, &v);
        echo_param(app, m.index);
        if (!(d->flags & AT_PARAM_NOSAVE))
            mark_dirty(app);
    }
    while (jack_ringbuffer_read_space(app->garbage) >= sizeof m) {
        jack_ringbuffer_read(app->garbage, (char *)&m, sizeof m);
        if (m.ptr && app->tool->release)
            app->tool->release(m.ptr);
    }
}

static unsigned report_counter(atomic_uint *c, unsigned *seen, const char *what)
{
    unsigned now = atomic_load(c);
    if (now != *seen) {
        at_warn("%u %s (total %u)", now - *seen, what, now);
        *seen = now;
    }
    return now;
}

static int control_loop(AtApp *app, int sigpipe)
{
    unsigned seen_xruns = 0, seen_dropped = 0, seen_sysex = 0;
    while (!got_signal) {
        struct pollfd fds[4];
        int n = 0;
        fds[n++] = (struct pollfd){.fd = sigpipe, .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = app->wake[0], .events = POLLIN};
        int osc_i = -1, nsm_i = -1;
        if (app->osc) {
            osc_i = n;
            fds[n++] = (struct pollfd){.fd = at_osc_fd(app->osc), .events = POLLIN};
        }
        if (app->nsm) {
            nsm_i = n;
            fds[n++] = (struct pollfd){.fd = at_nsm_fd(app->nsm), .events = POLLIN};
        }
        int r = poll(fds, (nfds_t)n, 20);
        if (r < 0 && errno != EINTR)
            break;
        char junk[64];
        if (r > 0 && (fds[1].revents & POLLIN))
            while (read(app->wake[0], junk, sizeof junk) > 0) {
            }
        if (osc_i >= 0 && (fds[osc_i].revents & POLLIN))
            at_osc_receive(app->osc);
        if (nsm_i >= 0 && (fds[nsm_i].revents & POLLIN))
            at_nsm_receive(app->nsm);
        drain_rt(app);
        if (atomic_exchange(&app->rescan, 0))
            connect_pending(app);
        report_counter(&app->xruns, &seen_xruns, "xruns");
        report_counter(&app->midi_dropped, &seen_dropped, "MIDI events dropped (buffer full)");
        report_counter(&app->sysex_ignored, &seen_sysex,
                       "MIDI messages ignored (sysex or malformed)");
        if (app->tool->idle)
            app->tool->idle(app, app->core);
        int q = atomic_load(&app->quit_status);
        if (q) {
            app->exit_status = q - 1;
            break;
        }
        if (atomic_load(&app->server_gone)) {
            at_error("the JACK server went away; exiting");
            app->exit_status = 1;
            return 1;
        }
    }
    return 0;
}

/* ---------------- NSM glue ---------------- */

/* Load the session state <path>.conf into p when it exists; --osc-port
 * still wins over the file's osc.port, as at start. */
static AtStatus load_nsm_state(AtApp *app, AtParams *p, const char *path, char *err, size_t errlen)
{
    char file[4200];
    snprintf(file, sizeof file, "%s.conf", path);
    if (access(file, F_OK) == 0 && at_params_load_file(p, file, err, errlen) != AT_OK)
        return AT_ERR_USAGE;
    if (app->osc_port_override >= 0)
        at_params_set_number(p, at_params_find_key(p, "osc.port"), app->osc_port_override, NULL, 0);
    return AT_OK;
}

static AtStatus nsm_save(void *user, const char *path, char *err, size_t errlen)
{
    AtApp *app = user;
    char file[4096];
    snprintf(file, sizeof file, "%s.conf", path);
    AtStatus st = at_params_save_file(app->params, file, err, errlen);
    if (st == AT_OK)
        app->dirty = false;
    return st;
}

/* ---------------- main ---------------- */

static bool make_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
        return false;
    return true;
}

static AtStatus start_osc(AtApp *app, char *err, size_t errlen)
{
    int port = at_params_int(app->params, "osc.port");
    if (port == 0)
        return AT_OK;
    const AtParamValue *allow = at_params_value(app->params, "osc.allow");
    app->osc =
        at_osc_open(at_params_str(app->params, "osc.bind"), port, (const char *const *)allow->list,
                    allow->count, on_osc, app, err, errlen);
    if (!app->osc)
        return AT_ERR_RUNTIME;
    at_info("OSC on %s:%d (/%s/...)", at_params_str(app->params, "osc.bind"), at_osc_port(app->osc),
            app->tool->name);
    return AT_OK;
}

/* Close the JACK client and free what came with it (the core, the ports,
 * the rings), so open_jack can start again (NSM :switch:) or the program
 * can end. */
static void close_jack(AtApp *app)
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
        drain_rt(app);
    if (app->core_made && app->tool->teardown)
        app->tool->teardown(app->core);
    app->core_made = false;
    app->core = NULL;
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
    atomic_store(&app->shutdown_req, 0);
    atomic_store(&app->shutdown_done, 0);
    atomic_store(&app->rt_started, 0);
    atomic_store(&app->rescan, 0);
}

static void cleanup(AtApp *app)
{
    close_jack(app);
    at_osc_close(app->osc);
    at_nsm_close(app->nsm);
    at_params_free(app->params);
    if (app->wake[0] >= 0) {
        close(app->wake[0]);
        close(app->wake[1]);
    }
}

static void install_signals(int fd)
{
    signal_fd = fd;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* libjack 1.9.21 can hang for good in jack_deactivate/jack_client_close
 * when several clients of a server close at once (seen in tests). The
 * work is done by then, so a watchdog ends the process if closing takes
 * longer than AT_CLOSE_TIMEOUT seconds. */
#define AT_CLOSE_TIMEOUT 15
static int watchdog_status;

static void *close_watchdog(void *arg)
{
    (void)arg;
    sleep(AT_CLOSE_TIMEOUT);
    static const char msg[] = ": closing the JACK client hung; exiting anyway\n";
    ssize_t r = write(2, at_log_prog(), strlen(at_log_prog()));
    r = write(2, msg, sizeof msg - 1);
    (void)r;
    _exit(watchdog_status);
}

static void start_close_watchdog(int status)
{
    pthread_t t;
    watchdog_status = status;
    if (pthread_create(&t, NULL, close_watchdog, NULL) == 0)
        pthread_detach(t);
}

/* Shut down politely: let the tool silence its destinations in one last
 * cycle, then stop. */
static void graceful_stop(AtApp *app)
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

static AtStatus open_jack(AtApp *app, const char *name, char *err, size_t errlen)
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
    size_t sz = RING_MSGS * sizeof(AtParamMsg);
    app->to_rt = jack_ringbuffer_create(sz);
    app->reports = jack_ringbuffer_create(sz);
    app->garbage = jack_ringbuffer_create(sz);
    app->logs = jack_ringbuffer_create(RING_MSGS * sizeof(LogMsg));
    app->scratch_frames = jack_get_buffer_size(app->client);
    if (app->scratch_frames < 8192)
        app->scratch_frames = 8192;
    app->silence = calloc(app->scratch_frames, sizeof(float));
    app->scratch = calloc(app->scratch_frames, sizeof(float));
    if (!app->to_rt || !app->reports || !app->garbage || !app->logs || !app->silence ||
        !app->scratch) {
        snprintf(err, errlen, "out of memory");
        return AT_ERR_RUNTIME;
    }
    jack_set_process_callback(app->client, rt_process, app);
    jack_set_xrun_callback(app->client, on_xrun, app);
    jack_set_port_registration_callback(app->client, on_registration, app);
    jack_on_shutdown(app->client, on_shutdown, app);
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
    st = register_ports(app, err, errlen);
    if (st != AT_OK)
        return st;
    connect_pending(app);
    at_info("running as JACK client '%s' at %u Hz, %u frames per period", app->client_name,
            app->rate, jack_get_buffer_size(app->client));
    return AT_OK;
}

/* NSM :switch: a later /nsm/client/open moves the tool to another session:
 * the new values (defaults, the -c config, then <path>.conf) are checked
 * first, so a bad file leaves the running session alone; then the JACK
 * client closes (silencing its destinations) and opens again under the new
 * client id. The OSC server stays as it is. */
static AtStatus nsm_switch(void *user, const char *path, const char *client_id, char *err,
                           size_t errlen)
{
    AtApp *app = user;
    AtParams *np = at_params_new(app->tool->name, app->tool->params, app->tool->n_params);
    if (!np) {
        snprintf(err, errlen, "out of memory");
        return AT_ERR_RUNTIME;
    }
    if ((app->config && at_params_load_file(np, app->config, err, errlen) != AT_OK) ||
        load_nsm_state(app, np, path, err, errlen) != AT_OK) {
        at_params_free(np);
        at_error("NSM: cannot switch to '%s': %s", client_id, err);
        return AT_ERR_USAGE;
    }
    at_info("NSM: switching from '%s' to '%s'", app->client_name, client_id);
    graceful_stop(app);
    close_jack(app);
    snprintf(app->nsm_path, sizeof app->nsm_path, "%s", path);
    at_params_free(app->params);
    app->params = np;
    app->dirty = false;
    AtStatus st = open_jack(app, client_id, err, errlen);
    if (st != AT_OK) {
        at_error("NSM: switching to '%s' failed: %s", client_id, err);
        at_app_quit(app, 1);
        return st;
    }
    for (int i = 0; i < (int)app->tool->n_params; i++)
        echo_param(app, i); /* surfaces follow the new values */
    return AT_OK;
}

static void nsm_loaded(void *user)
{
    AtApp *app = user;
    if (app->core_made && app->tool->session_loaded)
        app->tool->session_loaded(app, app->core);
}

int at_app_main(const AtTool *tool, int argc, char **argv)
{
    static char prog[96];
    snprintf(prog, sizeof prog, "aiotone-%s", tool->name);
    at_log_init(prog, AT_LOG_INFO);
    AtApp *app = calloc(1, sizeof *app);
    if (!app)
        return 1;
    app->tool = tool;
    app->wake[0] = app->wake[1] = -1;
    Options o = {0};
    int rc = parse_options(tool, argc, argv, &o);
    char err[2048] = "";
    int sigpipe[2] = {-1, -1};
    if (rc >= 0)
        goto out;
    at_log_set_level((AtLogLevel)o.verbosity);
    app->params = at_params_new(tool->name, tool->params, tool->n_params);
    if (!app->params) {
        rc = 1;
        goto out;
    }
    if (o.make_config) {
        at_params_write(app->params, stdout, true, false);
        rc = 0;
        goto out;
    }
    if (o.config && at_params_load_file(app->params, o.config, err, sizeof err) != AT_OK) {
        at_error("%s", err);
        rc = 2;
        goto out;
    }
    if (o.check) {
        rc = check_config(app, o.check);
        goto out;
    }
    if (o.touchosc) {
        rc = at_touchosc_write(app->params, o.touchosc, err, sizeof err) == AT_OK ? 0 : 1;
        if (rc)
            at_error("%s", err);
        else
            at_info("wrote TouchOSC layout %s", o.touchosc);
        goto out;
    }
    if (o.osc_port >= 0) {
        int i = at_params_find_key(app->params, "osc.port");
        at_params_set_number(app->params, i, o.osc_port, NULL, 0);
    }
    app->server = o.server;
    app->config = o.config;
    app->osc_port_override = o.osc_port;
    if (o.n_rest > 1 || tool->offline) {
        if (!tool->offline) {
            at_error("unexpected argument '%s' (see --help)", o.rest[1]);
            rc = 2;
            goto out;
        }
        rc = tool->offline(app, o.n_rest, o.rest);
        if (rc >= 0)
            goto out;
    }
    if (!make_pipe(app->wake) || !make_pipe(sigpipe)) {
        at_error("cannot create pipes: %s", strerror(errno));
        rc = 1;
        goto out;
    }
    install_signals(sigpipe[1]);
    const char *name = o.name ? o.name : tool->name;
    char nsm_name[128] = "";
    if (getenv("NSM_URL") && *getenv("NSM_URL")) {
        AtNsmHooks hooks = {
            .save = nsm_save, .switch_to = nsm_switch, .loaded = nsm_loaded, .user = app};
        app->nsm = at_nsm_open(prog, argv[0], &hooks, err, sizeof err);
        if (!app->nsm) {
            at_error("NSM: %s", err);
            rc = 1;
            goto out;
        }
        char path[4096];
        if (!at_nsm_wait_open(app->nsm, nsm_name, sizeof nsm_name, path, sizeof path,
                              &got_signal)) {
            rc = got_signal ? 0 : 1;
            goto out;
        }
        if (load_nsm_state(app, app->params, path, err, sizeof err) != AT_OK) {
            at_nsm_open_reply(app->nsm, false, err);
            at_error("%s", err);
            rc = 2;
            goto out;
        }
        name = nsm_name;
        snprintf(app->nsm_path, sizeof app->nsm_path, "%s", path);
    }
    AtStatus st = open_jack(app, name, err, sizeof err);
    if (app->nsm)
        at_nsm_open_reply(app->nsm, st == AT_OK, st == AT_OK ? "opened" : err);
    if (st != AT_OK) {
        at_error("%s", err);
        rc = st == AT_ERR_USAGE ? 2 : 1;
        goto out;
    }
    if (start_osc(app, err, sizeof err) != AT_OK) {
        at_error("%s", err);
        rc = 1;
        goto out;
    }
    rc = control_loop(app, sigpipe[0]);
    if (rc == 0)
        rc = app->exit_status;
    start_close_watchdog(rc);
    graceful_stop(app);
out:
    cleanup(app);
    free(o.rest);
    if (sigpipe[0] >= 0) {
        close(sigpipe[0]);
        close(sigpipe[1]);
    }
    signal_fd = -1;
    free(app);
    return rc;
}
