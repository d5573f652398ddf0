/* plugin.c - the LV2 shell: fmsynth, redblue, mothergen and circuits as
 * LV2 plugins. The tool's own AtTool runs here as under the JACK shell
 * (common/app.c): the same setup, the same RT hooks, the same parameter
 * table. This file only speaks LV2: atom MIDI in and out, control ports
 * (parameter changes at the start of run(), as the JACK shell applies them
 * at the start of a cycle), the host's transport (time:Position, turned
 * into MIDI clock for the sequencers by hostclock.c), state (the tool's NSM
 * state file as one string) and log lines through the worker.
 *
 * run() is real-time safe: no allocation, lock or I/O; everything it
 * touches is allocated in instantiate() or restore(). See docs/lv2.md. */
#include "hostclock.h"
#include "log.h"
#include "lv2app.h"

#include <lv2/atom/atom.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/log/logger.h>
#include <lv2/midi/midi.h>
#include <lv2/state/state.h>
#include <lv2/time/time.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATE_CONFIG AT_LV2_URI_PREFIX "state#config"
#define STATE_VERSION AT_LV2_URI_PREFIX "state#version"

typedef struct {
    LV2_URID atom_sequence, atom_object, atom_blank, atom_float, atom_double, atom_int, atom_long,
        atom_string, midi_event, time_position, time_speed, time_bpm, time_bar, time_bar_beat,
        time_beats_per_bar, time_beat, state_config, state_version;
} Urids;

typedef struct {
    AtApp *app;
    const AtLv2Plugin *plug;
    LV2_URID_Map *map;
    LV2_Log_Logger logger;
    LV2_Worker_Schedule *sched;
    Urids u;
    int n_ports;
    AtLv2Port ports[AT_LV2_MAX_PORTS];
    void *data[AT_LV2_MAX_PORTS];   /* connect_port pointers */
    float shadow[AT_LV2_MAX_PORTS]; /* control values last applied */
    int midi_in;                    /* LV2 index of the MIDI input, -1 if none */
    /* The LV2 indexes of the control and trigger ports, the audio outputs
     * and the MIDI outputs: run() walks these short lists, not every
     * port's description. */
    int n_ctl, n_audio, n_mout;
    int ctl[AT_LV2_MAX_PORTS], audio[AT_LV2_MAX_PORTS], mout[AT_LV2_MAX_PORTS];
    AtHostClock clock;
    bool fresh;          /* the core has not run yet: silence its outputs */
    bool adopt;          /* a state was restored: take the next control values as they are */
    uint64_t frames;     /* frames run since activate */
    int32_t random_seed; /* what a seed port set to 0 ("random") means: drawn off RT */
} Plugin;

/* ---- set-up (not RT) ---- */

static void map_urids(Plugin *p)
{
    LV2_URID_Map *m = p->map;
    Urids *u = &p->u;
    u->atom_sequence = m->map(m->handle, LV2_ATOM__Sequence);
    u->atom_object = m->map(m->handle, LV2_ATOM__Object);
    u->atom_blank = m->map(m->handle, LV2_ATOM__Blank);
    u->atom_float = m->map(m->handle, LV2_ATOM__Float);
    u->atom_double = m->map(m->handle, LV2_ATOM__Double);
    u->atom_int = m->map(m->handle, LV2_ATOM__Int);
    u->atom_long = m->map(m->handle, LV2_ATOM__Long);
    u->atom_string = m->map(m->handle, LV2_ATOM__String);
    u->midi_event = m->map(m->handle, LV2_MIDI__MidiEvent);
    u->time_position = m->map(m->handle, LV2_TIME__Position);
    u->time_speed = m->map(m->handle, LV2_TIME__speed);
    u->time_bpm = m->map(m->handle, LV2_TIME__beatsPerMinute);
    u->time_bar = m->map(m->handle, LV2_TIME__bar);
    u->time_bar_beat = m->map(m->handle, LV2_TIME__barBeat);
    u->time_beats_per_bar = m->map(m->handle, LV2_TIME__beatsPerBar);
    u->time_beat = m->map(m->handle, LV2_TIME__beat);
    u->state_config = m->map(m->handle, STATE_CONFIG);
    u->state_version = m->map(m->handle, STATE_VERSION);
}

/* Control ports start at the registry's values: a host that sets them to
 * the same values changes nothing (and keeps the exact double a state or
 * preset gave, which a float port cannot carry). */
static void shadows_from_registry(Plugin *p)
{
    for (int i = 0; i < p->n_ports; i++)
        if (p->ports[i].kind == AT_LV2_PORT_CONTROL)
            p->shadow[i] = at_lv2_param_port_value(p->app->params, p->ports[i].param);
        else
            p->shadow[i] = 0.0f;
}

static LV2_Handle instantiate(const LV2_Descriptor *desc, double rate, const char *bundle,
                              const LV2_Feature *const *features)
{
    (void)bundle;
    const AtLv2Plugin *plug = NULL;
    for (const AtLv2Plugin *const *q = at_lv2_plugins; *q; q++)
        if (!strcmp(desc->URI + strlen(AT_LV2_URI_PREFIX), (*q)->name))
            plug = *q;
    Plugin *p = calloc(1, sizeof *p);
    if (!p || !plug)
        goto fail;
    p->random_seed = at_params_random_seed();
    LV2_Log_Log *log = NULL;
    for (int i = 0; features && features[i]; i++) {
        if (!strcmp(features[i]->URI, LV2_URID__map))
            p->map = features[i]->data;
        else if (!strcmp(features[i]->URI, LV2_LOG__log))
            log = features[i]->data;
        else if (!strcmp(features[i]->URI, LV2_WORKER__schedule))
            p->sched = features[i]->data;
    }
    lv2_log_logger_init(&p->logger, p->map, log);
    if (!p->map) {
        lv2_log_error(&p->logger, "aiotone %s: the host gives no urid:map\n", plug->name);
        goto fail;
    }
    map_urids(p);
    at_log_init("aiotone.lv2", AT_LOG_WARN);
    char err[512];
    p->plug = plug;
    p->app = at_lv2_app_new(plug, (uint32_t)lrint(rate), err, sizeof err);
    if (!p->app) {
        lv2_log_error(&p->logger, "aiotone %s: %s\n", plug->name, err);
        goto fail;
    }
    p->n_ports = at_lv2_ports(p->app, p->ports, AT_LV2_MAX_PORTS);
    p->midi_in = -1;
    for (int i = 0; i < p->n_ports; i++)
        switch (p->ports[i].kind) {
        case AT_LV2_PORT_MIDI_IN:
            p->midi_in = i;
            break;
        case AT_LV2_PORT_MIDI_OUT:
            p->mout[p->n_mout++] = i;
            break;
        case AT_LV2_PORT_AUDIO_OUT:
            p->audio[p->n_audio++] = i;
            break;
        case AT_LV2_PORT_CONTROL:
        case AT_LV2_PORT_TRIGGER:
            p->ctl[p->n_ctl++] = i;
            break;
        }
    shadows_from_registry(p);
    at_hostclock_init(&p->clock, p->app->rate);
    p->fresh = true;
    return p;
fail:
    if (p)
        at_lv2_app_free(p->app);
    free(p);
    return NULL;
}

static void connect_port(LV2_Handle h, uint32_t index, void *data)
{
    Plugin *p = h;
    if (index < (uint32_t)p->n_ports)
        p->data[index] = data;
}

static void activate(LV2_Handle h)
{
    Plugin *p = h;
    at_hostclock_init(&p->clock, p->app->rate);
    p->fresh = true;
    p->frames = 0;
}

static void deactivate(LV2_Handle h)
{
    (void)h;
}

static void cleanup(LV2_Handle h)
{
    Plugin *p = h;
    at_lv2_app_free(p->app);
    free(p);
}

/* ---- run (RT) ---- */

static double atom_number(const Urids *u, const LV2_Atom *a, bool *ok)
{
    union {
        float f;
        double d;
        int32_t i;
        int64_t l;
    } v;
    *ok = (a->type == u->atom_float && a->size == sizeof v.f) ||
          (a->type == u->atom_double && a->size == sizeof v.d) ||
          (a->type == u->atom_int && a->size == sizeof v.i) ||
          (a->type == u->atom_long && a->size == sizeof v.l);
    if (!*ok)
        return 0.0;
    memcpy(&v, a + 1, a->size); /* copied out: the body may not be aligned */
    if (a->type == u->atom_float)
        return v.f;
    if (a->type == u->atom_double)
        return v.d;
    if (a->type == u->atom_int)
        return v.i;
    return (double)v.l;
}

/* A time:Position at frame: where the host's timeline is. */
static void position(Plugin *p, const LV2_Atom_Object *obj, uint32_t frame, AtMidiBuf *in)
{
    const Urids *u = &p->u;
    const LV2_Atom *speed = NULL, *bpm = NULL, *bar = NULL, *bar_beat = NULL, *per_bar = NULL,
                   *beat = NULL;
    lv2_atom_object_get(obj, u->time_speed, &speed, u->time_bpm, &bpm, u->time_bar, &bar,
                        u->time_bar_beat, &bar_beat, u->time_beats_per_bar, &per_bar, u->time_beat,
                        &beat, 0);
    bool ok1, ok2, ok3;
    double s = speed ? atom_number(u, speed, &ok1) : (p->clock.rolling ? 1.0 : 0.0);
    double b = bpm ? atom_number(u, bpm, &ok1) : 0.0;
    double at = 0.0;
    bool has = false;
    if (bar && bar_beat && per_bar) {
        double nbar = atom_number(u, bar, &ok1), bb = atom_number(u, bar_beat, &ok2),
               pb = atom_number(u, per_bar, &ok3);
        has = ok1 && ok2 && ok3;
        at = nbar * pb + bb;
    } else if (beat) {
        at = atom_number(u, beat, &has);
    }
    at_hostclock_position(&p->clock, frame, s, b, has, at, in);
}

/* The MIDI input (and, for a sequencer, the host's clock) as the tool's
 * input list, in frame order. */
static void read_input(Plugin *p, uint32_t nframes)
{
    AtApp *app = p->app;
    int h = p->ports[p->midi_in].handle;
    AtMidiBuf *in = app->cycle.midi[h];
    at_midi_buf_clear(in);
    const LV2_Atom_Sequence *seq = p->data[p->midi_in];
    uint32_t done = 0;
    /* Events are read through copies: a host's buffer is not always
     * 8-byte aligned (jalv's is not), and the frame time is 64-bit. */
    const uint8_t *at = seq ? (const uint8_t *)(seq + 1) : NULL;
    const uint8_t *end = seq ? (const uint8_t *)&seq->body + seq->atom.size : NULL;
    while (at && at + sizeof(LV2_Atom_Event) <= end) {
        LV2_Atom_Event ev;
        memcpy(&ev, at, sizeof ev);
        const uint8_t *d = at + sizeof ev;
        at += sizeof ev + lv2_atom_pad_size(ev.body.size);
        if (d + ev.body.size > end)
            break;
        int64_t t = ev.time.frames;
        uint32_t frame = t < 0 ? 0 : t >= (int64_t)nframes ? nframes - 1 : (uint32_t)t;
        if (p->plug->transport && frame > done) {
            at_hostclock_run(&p->clock, done, frame, in);
            done = frame;
        }
        if (ev.body.type == p->u.midi_event) {
            uint32_t size = ev.body.size;
            if (size == 0 || size > AT_MIDI_MAX_SIZE || at_midi_message_size(d[0]) != (int)size)
                continue; /* sysex, or a length that does not match its status */
            /* while the host's transport rolls, it is the clock */
            if (p->plug->transport && p->clock.rolling && d[0] == AT_MIDI_CLOCK)
                continue;
            at_midi_buf_add(in, frame, d, size);
        } else if (p->plug->transport &&
                   (ev.body.type == p->u.atom_object || ev.body.type == p->u.atom_blank)) {
            const LV2_Atom_Object *obj = (const LV2_Atom_Object *)(d - sizeof(LV2_Atom));
            if (ev.body.size >= sizeof(LV2_Atom_Object_Body) &&
                obj->body.otype == p->u.time_position)
                position(p, obj, frame, in);
        }
    }
    if (p->plug->transport)
        at_hostclock_run(&p->clock, done, nframes, in);
}

/* Control ports that moved since the last cycle become parameter changes,
 * applied before the cycle's events (as the JACK shell does). */
static void read_controls(Plugin *p, AtCycle *c)
{
    AtApp *app = p->app;
    if (p->adopt)
        for (int k = 0; k < p->n_ctl; k++) {
            const int i = p->ctl[k];
            if (p->ports[i].kind == AT_LV2_PORT_CONTROL && p->data[i])
                p->shadow[i] = *(const float *)p->data[i];
        }
    for (int k = 0; k < p->n_ctl; k++) {
        const int i = p->ctl[k];
        const float *d = p->data[i];
        if (!d)
            continue;
        float v = *d;
        /* the same bits: unchanged (the usual case, one integer compare);
         * else as floats (-0 is 0; NaN is no value) */
        uint32_t vb, sb;
        memcpy(&vb, &v, sizeof vb);
        memcpy(&sb, &p->shadow[i], sizeof sb);
        if (vb == sb || v == p->shadow[i] || isnan(v))
            continue;
        AtLv2Port *port = &p->ports[i];
        float was = p->shadow[i];
        p->shadow[i] = v;
        AtParamMsg m;
        if (!at_lv2_param_msg(app->params, port->param, v, &m))
            continue;
        if (port->kind == AT_LV2_PORT_TRIGGER) {
            if (!(v >= 0.5f && !(was >= 0.5f)))
                continue;
        } else {
            at_lv2_live_store(app, &m);
            if (at_params_def(app->params, port->param)->field.kind == AT_FIELD_SEED && m.i == 0) {
                m.i = p->random_seed;
                at_cycle_log(c, "seed 0: using seed %d", m.i, 0);
            }
        }
        if (app->plug->tool->param)
            app->plug->tool->param(app->core, &m, c);
    }
}

static void write_outputs(Plugin *p, uint32_t nframes)
{
    AtApp *app = p->app;
    for (int o = 0; o < p->n_mout; o++) {
        const int i = p->mout[o];
        if (!p->data[i])
            continue;
        LV2_Atom_Sequence *seq = p->data[i];
        uint32_t capacity = seq->atom.size;
        lv2_atom_sequence_clear(seq);
        seq->atom.type = p->u.atom_sequence;
        AtMidiBuf *b = app->cycle.midi[p->ports[i].handle];
        at_midi_buf_sort(b);
        for (size_t k = 0; k < b->count; k++) {
            const AtMidiEvent *e = &b->events[k];
            struct {
                LV2_Atom_Event ev;
                uint8_t data[8];
            } out;
            out.ev.time.frames = e->frame < nframes ? e->frame : nframes - 1;
            out.ev.body.size = e->size;
            out.ev.body.type = p->u.midi_event;
            memcpy(out.data, e->data, e->size);
            if (!lv2_atom_sequence_append_event(seq, capacity, &out.ev))
                break; /* the host's buffer is full */
        }
    }
}

static void run(LV2_Handle h, uint32_t nframes)
{
    Plugin *p = h;
    AtApp *app = p->app;
    AtCycle *c = &app->cycle;
    c->nframes = nframes;
    c->frame_time = p->frames;
    for (int k = 0; k < p->n_audio; k++)
        c->audio[p->ports[p->audio[k]].handle] = p->data[p->audio[k]];
    for (int k = 0; k < p->n_mout; k++)
        at_midi_buf_clear(c->midi[p->ports[p->mout[k]].handle]);
    read_controls(p, c);
    p->adopt = false;
    if (p->fresh) {
        /* a new core: silence its destinations first, as the JACK tool
         * does when its ports get connected */
        for (int k = 0; k < p->n_mout; k++)
            if (app->plug->tool->connected)
                app->plug->tool->connected(app->core, p->ports[p->mout[k]].handle, c);
        p->fresh = false;
    }
    if (p->midi_in >= 0)
        read_input(p, nframes);
    app->plug->tool->process(app->core, c);
    write_outputs(p, nframes);
    if (app->logs_lost) {
        app->logs[app->n_logs++] =
            (AtLv2Log){"%d more log line(s) in one block not shown", (int)app->logs_lost, 0};
        app->logs_lost = 0;
    }
    if (app->n_logs && p->sched)
        p->sched->schedule_work(p->sched->handle, (uint32_t)(app->n_logs * sizeof(AtLv2Log)),
                                app->logs);
    app->n_logs = 0;
    p->frames += nframes;
}

/* ---- worker: log lines from run(), formatted here ---- */

static LV2_Worker_Status work(LV2_Handle h, LV2_Worker_Respond_Function respond,
                              LV2_Worker_Respond_Handle rh, uint32_t size, const void *data)
{
    (void)respond;
    (void)rh;
    Plugin *p = h;
    /* the host's copy of the lines need not be aligned: copy each out */
    for (uint32_t k = 0; k < size / sizeof(AtLv2Log); k++) {
        AtLv2Log l;
        memcpy(&l, (const char *)data + k * sizeof l, sizeof l);
        char line[512];
        snprintf(line, sizeof line, l.fmt, l.a, l.b);
        lv2_log_warning(&p->logger, "aiotone %s: %s\n", p->plug->name, line);
    }
    return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status work_response(LV2_Handle h, uint32_t size, const void *body)
{
    (void)h;
    (void)size;
    (void)body;
    return LV2_WORKER_SUCCESS;
}

/* ---- state: the tool's NSM state file, as one string ---- */

static LV2_State_Status save(LV2_Handle h, LV2_State_Store_Function store, LV2_State_Handle sh,
                             uint32_t flags, const LV2_Feature *const *features)
{
    (void)flags;
    (void)features;
    Plugin *p = h;
    at_lv2_live_to_registry(p->app);
    char *text = at_lv2_state_text(p->app->params);
    if (!text) {
        lv2_log_error(&p->logger, "aiotone %s: cannot write the state: out of memory\n",
                      p->plug->name);
        return LV2_STATE_ERR_UNKNOWN;
    }
    int32_t version = AT_LV2_STATE_VERSION;
    LV2_State_Status st = store(sh, p->u.state_version, &version, sizeof version, p->u.atom_int,
                                LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
    if (st == LV2_STATE_SUCCESS)
        st = store(sh, p->u.state_config, text, strlen(text) + 1, p->u.atom_string,
                   LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
    free(text);
    return st;
}

/* A state (a saved session, a preset) is checked whole before anything
 * changes: a newer layout, a missing or mistyped value, an unknown key or
 * a value out of range is refused with the reason logged, and the plugin
 * keeps what it had. Keys the state does not name keep their values; a
 * state without the settings string (only control values) changes nothing
 * here. */
static LV2_State_Status restore(LV2_Handle h, LV2_State_Retrieve_Function retrieve,
                                LV2_State_Handle sh, uint32_t flags,
                                const LV2_Feature *const *features)
{
    (void)flags;
    (void)features;
    Plugin *p = h;
    const char *who = p->plug->name;
    size_t size;
    uint32_t type, vflags;
    const void *v = retrieve(sh, p->u.state_version, &size, &type, &vflags);
    if (v && (type != p->u.atom_int || size != sizeof(int32_t))) {
        lv2_log_error(&p->logger, "aiotone %s: state refused: its version is not an atom:Int\n",
                      who);
        return LV2_STATE_ERR_BAD_TYPE;
    }
    if (v && *(const int32_t *)v > AT_LV2_STATE_VERSION) {
        lv2_log_error(&p->logger,
                      "aiotone %s: state refused: it was saved by a newer version (state "
                      "version %d; this plugin reads up to %d)\n",
                      who, (int)*(const int32_t *)v, AT_LV2_STATE_VERSION);
        return LV2_STATE_ERR_UNKNOWN;
    }
    const char *text = retrieve(sh, p->u.state_config, &size, &type, &vflags);
    if (!text)
        return LV2_STATE_SUCCESS; /* a state with only control values (a host's default) */
    if (type != p->u.atom_string || size == 0 || memchr(text, 0, size) != text + size - 1) {
        lv2_log_error(&p->logger,
                      "aiotone %s: state refused: %s is not a string (atom:String with one "
                      "final NUL)\n",
                      who, STATE_CONFIG);
        return LV2_STATE_ERR_BAD_TYPE;
    }
    size_t n;
    const AtParamDef *defs = at_lv2_defs(p->plug, &n);
    AtParams *reg = at_params_new(who, defs, n);
    char err[4200];
    at_lv2_live_to_registry(p->app);
    char *now = at_lv2_state_text(p->app->params);
    if (!reg || !now ||
        at_params_load_string(reg, now, "current state", err, sizeof err) != AT_OK) {
        lv2_log_error(&p->logger, "aiotone %s: state refused: out of memory\n", who);
        free(now);
        at_params_free(reg);
        return LV2_STATE_ERR_UNKNOWN;
    }
    free(now);
    if (at_params_load_string(reg, text, "LV2 state", err, sizeof err) != AT_OK) {
        lv2_log_error(&p->logger, "aiotone %s: state refused: %s\n", who, err);
        at_params_free(reg);
        return LV2_STATE_ERR_UNKNOWN;
    }
    if (!at_lv2_app_rebuild(p->app, reg, err, sizeof err)) {
        lv2_log_error(&p->logger, "aiotone %s: state refused: %s\n", who, err);
        return LV2_STATE_ERR_UNKNOWN;
    }
    /* The state holds the exact values, also of what the core changed by
     * itself (a mode key, a transposition), which the host's saved control
     * values do not know of: the control values the host sets with it are
     * taken as they are, not as changes. */
    shadows_from_registry(p);
    p->adopt = true;
    p->fresh = true;
    return LV2_STATE_SUCCESS;
}

static const void *extension_data(const char *uri)
{
    static const LV2_State_Interface state = {save, restore};
    static const LV2_Worker_Interface worker = {work, work_response, NULL};
    if (!strcmp(uri, LV2_STATE__interface))
        return &state;
    if (!strcmp(uri, LV2_WORKER__interface))
        return &worker;
    return NULL;
}

/* One descriptor per entry of at_lv2_plugins (plugins.c). */
#define MAX_PLUGINS 8
static LV2_Descriptor descriptors[MAX_PLUGINS];
static char uris[MAX_PLUGINS][64];

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
    for (uint32_t i = 0; i <= index; i++)
        if (i >= MAX_PLUGINS || !at_lv2_plugins[i])
            return NULL;
    if (!descriptors[index].URI) {
        snprintf(uris[index], sizeof uris[index], "%s%s", AT_LV2_URI_PREFIX,
                 at_lv2_plugins[index]->name);
        descriptors[index] =
            (LV2_Descriptor){uris[index], instantiate, connect_port, activate,
                             run,         deactivate,  cleanup,      extension_data};
    }
    return &descriptors[index];
}
