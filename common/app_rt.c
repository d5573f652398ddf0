/* app_rt.c - the tool shell's RT cycle (JACK's process thread) and JACK's
 * notifications. Nothing here blocks, allocates, locks or prints; it talks
 * to the control thread through the rings of struct AtApp only. See
 * app_priv.h and docs/threads.md. */
#include "app_priv.h"

#include <jack/midiport.h>

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
    AtLogMsg m = {fmt, a, b};
    rt_push(cycle->app->logs, &m, sizeof m);
}

void at_cycle_quit(AtCycle *cycle, int status)
{
    atomic_store(&cycle->app->quit_status, status + 1);
}

static void rt_read_midi(AtApp *app, AtAppPort *p, jack_nframes_t nframes)
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

static void rt_write_midi(AtApp *app, AtAppPort *p, jack_nframes_t nframes)
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

static bool rt_live(AtAppPort *p)
{
    return atomic_load_explicit(&p->live, memory_order_acquire) != 0;
}

/* Give the tool this cycle's inputs and empty outputs. */
static void rt_ports_in(AtApp *app, jack_nframes_t nframes)
{
    AtCycle *c = &app->cycle;
    for (int i = 0; i < app->n_ports; i++) {
        AtAppPort *p = &app->ports[i];
        if (!rt_live(p)) {
            /* not registered yet (see register_ports in app_ports.c):
             * nothing comes in, what goes out is dropped */
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
}

/* Apply the parameter changes the control thread sent. */
static void rt_take_params(AtApp *app)
{
    AtParamMsg m;
    while (jack_ringbuffer_read_space(app->to_rt) >= sizeof m) {
        jack_ringbuffer_read(app->to_rt, (char *)&m, sizeof m);
        if (app->tool->param)
            app->tool->param(app->core, &m, &app->cycle);
        if (m.ptr)
            rt_push(app->garbage, &m, sizeof m);
    }
}

/* A new connection is seen here, in the first cycle whose graph carries
 * it, not from JACK's connect notification: that one comes before the
 * server switches to the new graph (jackd applies graph changes at the
 * start of a cycle, and keeps the old graph for a cycle that starts while
 * the previous one still runs, as on a loaded machine), and whatever a port
 * writes before the switch never reaches the new peer. jack_port_connected
 * reads the current graph without waiting in the RT thread. A disconnection
 * and a connection within one cycle leave the count as it was: the new peer
 * is not told, as it has heard nothing. */
static void rt_see_connections(AtApp *app)
{
    for (int i = 0; i < app->n_ports; i++) {
        AtAppPort *p = &app->ports[i];
        if (p->kind != AT_PORT_MIDI_OUT || !rt_live(p))
            continue;
        int n = jack_port_connected(p->port), before = p->rt_connections;
        p->rt_connections = n;
        if (n > before && app->tool->connected)
            app->tool->connected(app->core, i, &app->cycle);
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
    atomic_fetch_add_explicit(&app->cycles, 1, memory_order_relaxed);
    if (nframes > app->scratch_frames) {
        /* a period longer than the stand-ins: wait for the ports */
        for (int i = 0; i < app->n_ports; i++)
            if (!rt_live(&app->ports[i]))
                return 0;
    }
    rt_ports_in(app, nframes);
    rt_take_params(app);
    rt_see_connections(app);
    if (atomic_load(&app->shutdown_req) && !atomic_load(&app->shutdown_done)) {
        if (app->tool->shutdown)
            app->tool->shutdown(app->core, c);
        atomic_store(&app->shutdown_done, 1);
    } else if (!atomic_load(&app->shutdown_done)) {
        app->tool->process(app->core, c);
    }
    for (int i = 0; i < app->n_ports; i++)
        if (app->ports[i].kind == AT_PORT_MIDI_OUT && rt_live(&app->ports[i]))
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
        at_app_wake(app);
    }
}

static void on_shutdown(void *arg)
{
    AtApp *app = arg;
    atomic_store(&app->server_gone, 1);
    at_app_wake(app);
}

void at_app_rt_callbacks(AtApp *app)
{
    jack_set_process_callback(app->client, rt_process, app);
    jack_set_xrun_callback(app->client, on_xrun, app);
    jack_set_port_registration_callback(app->client, on_registration, app);
    jack_on_shutdown(app->client, on_shutdown, app);
}
