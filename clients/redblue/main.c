/* main.c - aiotone-redblue: the JACK shell around the redblue core.
 * Declares the parameters once (config keys, OSC, saved state), maps red and
 * blue onto ports (the same port name = one shared port), hands each cycle's
 * input to the core, silences a destination when its port gets connected
 * and both at shutdown, and turns the core's reports into rate-limited log
 * lines and mode feedback for control surfaces. With grid.enabled it also
 * shows the held notes on a monome grid (docs/redblue.md, "Monome grid"):
 * the RT thread reports held-note and mode changes through a ring, the
 * control thread keeps the display model and talks to serialosc. */
#include "app.h"
#include "grid.h"
#include "log.h"
#include "redblue.h"
#ifndef AT_LV2_SHELL
#include "serialosc.h"
#endif

#ifndef AT_LV2_SHELL
#include <jack/ringbuffer.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    P_MODE,
    P_IN_CHANNEL,
    P_START_STOP,
    P_PASS_CLOCK,
    P_PORTAMENTO,
    P_DAMPER_MAX,
    P_ACCENT,
    P_EXPR_MIN,
    P_EXPR_MAX,
    P_IN_CONNECT,
    P_RED_PORT,
    P_RED_CHANNEL,
    P_RED_MOD,
    P_RED_EXPR,
    P_RED_CONNECT,
    P_BLUE_PORT,
    P_BLUE_CHANNEL,
    P_BLUE_MOD,
    P_BLUE_EXPR,
    P_BLUE_CONNECT,
    P_PANIC,
    P_GRID_ENABLED,
    P_GRID_PORT,
    P_COUNT,
};

#define LIVE AT_PARAM_LIVE

static const AtParamDef params[P_COUNT] = {
    [P_MODE] = {.key = "mode",
                .osc = "mode",
                .type = AT_PARAM_ENUM,
                .flags = LIVE,
                .def = RB_MODE_REGULAR,
                .choices = {"regular", "duophonic", "power-chord"},
                .doc = "play mode (also the silent keys A0 = regular, A#0 = duophonic, "
                       "B0 = power chord)"},
    [P_IN_CHANNEL] = {.key = "input.channel",
                      .type = AT_PARAM_INT,
                      .min = 1,
                      .max = 16,
                      .def = 1,
                      .doc = "input MIDI channel; must be 1 (other channels are ignored)"},
    [P_START_STOP] = {.key = "input.start-stop",
                      .osc = "start-stop",
                      .type = AT_PARAM_BOOL,
                      .flags = LIVE,
                      .def = 1,
                      .doc = "pass START, STOP, CONTINUE and song position to the Mothers"},
    [P_PASS_CLOCK] = {.key = "input.pass-clock",
                      .osc = "pass-clock",
                      .type = AT_PARAM_BOOL,
                      .flags = LIVE,
                      .def = 0,
                      .doc = "pass MIDI clock to the Mothers"},
    [P_PORTAMENTO] = {.key = "input.portamento",
                      .osc = "portamento",
                      .type = AT_PARAM_ENUM,
                      .flags = LIVE,
                      .def = RB_PORTA_DAMPER,
                      .choices = {"legato", "sustain", "damper", "off"},
                      .doc = "glide from legato playing, from the sustain pedal (sustain: pedal "
                             "still sustains; damper: it only glides), or off"},
    [P_DAMPER_MAX] = {.key = "input.damper-portamento-max",
                      .osc = "damper-portamento-max",
                      .type = AT_PARAM_INT,
                      .flags = LIVE,
                      .min = 0,
                      .max = 127,
                      .def = 88,
                      .doc = "portamento time (CC5) with the pedal fully down"},
    [P_ACCENT] = {.key = "input.accent-volume",
                  .osc = "accent-volume",
                  .type = AT_PARAM_INT,
                  .flags = LIVE,
                  .min = 1,
                  .max = 127,
                  .def = 92,
                  .doc = "note-on velocity from which a note is accented"},
    [P_EXPR_MIN] = {.key = "input.expression-min",
                    .osc = "expression-min",
                    .type = AT_PARAM_INT,
                    .flags = LIVE,
                    .min = 0,
                    .max = 127,
                    .def = 32,
                    .doc = "expression output (CC1) with the pedal up"},
    [P_EXPR_MAX] = {.key = "input.expression-max",
                    .osc = "expression-max",
                    .type = AT_PARAM_INT,
                    .flags = LIVE,
                    .min = 0,
                    .max = 127,
                    .def = 96,
                    .doc = "expression output (CC1) with the pedal down"},
    [P_IN_CONNECT] = {.key = "input.connect",
                      .type = AT_PARAM_STRLIST,
                      .doc = "ports to take the keyboard or DAW from"},
    [P_RED_PORT] = {.key = "red.port",
                    .type = AT_PARAM_STRING,
                    .def_str = "red",
                    .doc = "MIDI output port towards red (same name as blue's = one shared port)"},
    [P_RED_CHANNEL] = {.key = "red.channel",
                       .type = AT_PARAM_INT,
                       .min = 1,
                       .max = 16,
                       .def = 2,
                       .doc = "red's MIDI channel"},
    [P_RED_MOD] = {.key = "red.mod-wheel",
                   .osc = "red/mod-wheel",
                   .type = AT_PARAM_BOOL,
                   .flags = LIVE,
                   .def = 1,
                   .doc = "red receives the mod wheel (CC1)"},
    [P_RED_EXPR] = {.key = "red.expression-pedal",
                    .osc = "red/expression-pedal",
                    .type = AT_PARAM_BOOL,
                    .flags = LIVE,
                    .def = 0,
                    .doc = "red receives the scaled expression pedal as CC1"},
    [P_RED_CONNECT] = {.key = "red.connect",
                       .type = AT_PARAM_STRLIST,
                       .doc = "ports to connect red's output to"},
    [P_BLUE_PORT] = {.key = "blue.port",
                     .type = AT_PARAM_STRING,
                     .def_str = "blue",
                     .doc = "MIDI output port towards blue"},
    [P_BLUE_CHANNEL] = {.key = "blue.channel",
                        .type = AT_PARAM_INT,
                        .min = 1,
                        .max = 16,
                        .def = 3,
                        .doc = "blue's MIDI channel"},
    [P_BLUE_MOD] = {.key = "blue.mod-wheel",
                    .osc = "blue/mod-wheel",
                    .type = AT_PARAM_BOOL,
                    .flags = LIVE,
                    .def = 0,
                    .doc = "blue receives the mod wheel (CC1)"},
    [P_BLUE_EXPR] = {.key = "blue.expression-pedal",
                     .osc = "blue/expression-pedal",
                     .type = AT_PARAM_BOOL,
                     .flags = LIVE,
                     .def = 1,
                     .doc = "blue receives the scaled expression pedal as CC1"},
    [P_BLUE_CONNECT] = {.key = "blue.connect",
                        .type = AT_PARAM_STRLIST,
                        .doc = "ports to connect blue's output to"},
    [P_PANIC] = {.key = "panic",
                 .osc = "panic",
                 .type = AT_PARAM_ACTION,
                 .doc = "silence both Mothers and forget held notes"},
    [P_GRID_ENABLED] = {.key = "grid.enabled",
                        .type = AT_PARAM_BOOL,
                        .def = 0,
                        .doc = "show the held notes on a monome grid found through serialosc; "
                               "its three mode keys switch the play mode"},
    [P_GRID_PORT] = {.key = "grid.serialosc-port",
                     .type = AT_PARAM_INT,
                     .min = 1,
                     .max = 65535,
                     .def = 12002,
                     .doc = "UDP port of serialosc on this machine"},
};

/* The core's held-note routes are the display's. */
_Static_assert(RB_HELD_NONE == (int)RB_GRID_NONE && RB_HELD_BOTH == (int)RB_GRID_BOTH &&
                   RB_HELD_RED == (int)RB_GRID_RED && RB_HELD_BLUE == (int)RB_GRID_BLUE &&
                   RB_HELD_POWER == (int)RB_GRID_POWER,
               "RbHeld and RbGridHeld differ");

/* One kind of warning, printed at most once a second with a count. */
typedef struct {
    uint64_t last; /* frame time of the last line */
    int pending;   /* occurrences not yet told */
    bool told;     /* at least one line was printed */
} Warn;

typedef struct {
    Rb *rb;
    int in;
    int out[RB_DESTS];
    Warn channel, unhandled, malformed, dropped;
    uint32_t last_time, last_nframes; /* the previous cycle, to see xruns */
    bool have_time;
    AtApp *app;
#ifndef AT_LV2_SHELL
    /* The monome grid (NULL ring: off). RT side: what was reported. */
    jack_ringbuffer_t *grid_ring; /* RT -> control, RbGridMsg */
    uint8_t shown[128];           /* RT: held map as last reported */
    int shown_mode;               /* RT: mode as last reported, -1 none */
    /* Control side. */
    RbGrid grid;
    AtSerialosc *serialosc;
    uint64_t next_draw; /* ms (monotonic) of the next redraw */
#endif
} Shell;

static const RbSetting settings[P_COUNT] = {
    [P_MODE] = RB_SET_MODE,
    [P_START_STOP] = RB_SET_START_STOP,
    [P_PASS_CLOCK] = RB_SET_PASS_CLOCK,
    [P_PORTAMENTO] = RB_SET_PORTAMENTO,
    [P_DAMPER_MAX] = RB_SET_DAMPER_PORTAMENTO_MAX,
    [P_ACCENT] = RB_SET_ACCENT_VOLUME,
    [P_EXPR_MIN] = RB_SET_EXPRESSION_MIN,
    [P_EXPR_MAX] = RB_SET_EXPRESSION_MAX,
    [P_RED_MOD] = RB_SET_RED_MOD_WHEEL,
    [P_BLUE_MOD] = RB_SET_BLUE_MOD_WHEEL,
    [P_RED_EXPR] = RB_SET_RED_EXPRESSION_PEDAL,
    [P_BLUE_EXPR] = RB_SET_BLUE_EXPRESSION_PEDAL,
};

static void read_config(const AtParams *p, uint32_t rate, RbConfig *cfg)
{
    rb_config_default(cfg, rate);
    cfg->input_channel = (uint8_t)(at_params_int(p, "input.channel") - 1);
    cfg->start_stop = at_params_bool(p, "input.start-stop");
    cfg->pass_clock = at_params_bool(p, "input.pass-clock");
    cfg->portamento = (RbPorta)at_params_int(p, "input.portamento");
    cfg->damper_portamento_max = at_params_int(p, "input.damper-portamento-max");
    cfg->accent_volume = at_params_int(p, "input.accent-volume");
    cfg->expression_min = at_params_int(p, "input.expression-min");
    cfg->expression_max = at_params_int(p, "input.expression-max");
    cfg->mode = (RbMode)at_params_int(p, "mode");
    cfg->dest[RB_RED].channel = (uint8_t)(at_params_int(p, "red.channel") - 1);
    cfg->dest[RB_RED].mod_wheel = at_params_bool(p, "red.mod-wheel");
    cfg->dest[RB_RED].expression_pedal = at_params_bool(p, "red.expression-pedal");
    cfg->dest[RB_BLUE].channel = (uint8_t)(at_params_int(p, "blue.channel") - 1);
    cfg->dest[RB_BLUE].mod_wheel = at_params_bool(p, "blue.mod-wheel");
    cfg->dest[RB_BLUE].expression_pedal = at_params_bool(p, "blue.expression-pedal");
}

static const AtDest dests[RB_DESTS] = {
    {"red.port", "To Mother-32 red", "red.connect"},
    {"blue.port", "To Mother-32 blue", "blue.connect"},
};

static AtStatus add_ports(AtApp *app, Shell *s, char *err, size_t errlen)
{
    s->in = at_app_add_port(app, "midi_in", AT_PORT_MIDI_IN, "From keyboard (channel 1)", NULL,
                            "input.connect");
    if (s->in < 0) {
        snprintf(err, errlen, "cannot declare the JACK port 'midi_in'");
        return AT_ERR_RUNTIME;
    }
    return at_app_add_dests(app, dests, RB_DESTS, s->out, err, errlen);
}

/* ---- the monome grid ---------------------------------------------------- */

/* The grid is drawn by the JACK tool's control loop; a plugin host has no
 * such loop and the plugin links neither liblo nor libjack, so the LV2
 * build (plugins/lv2/module.mk defines AT_LV2_SHELL) refuses grid.enabled
 * with a clear message instead (docs/lv2.md). */
#ifdef AT_LV2_SHELL
static void grid_report(Shell *s)
{
    (void)s;
}
static void grid_close(Shell *s)
{
    (void)s;
}
static AtStatus grid_open(Shell *s, int port, char *err, size_t errlen)
{
    (void)s;
    (void)port;
    snprintf(err, errlen,
             "grid.enabled: the monome grid display is a feature of the JACK tool "
             "aiotone-redblue, not of the plugin");
    return AT_ERR_USAGE;
}
#else

/* Messages the ring holds: a cycle that changes every note twice still
 * fits; when it is full the rest waits for the next cycle. */
#define GRID_RING_MSGS 1024
/* Redraw about 30 times a second, as the original did. */
#define GRID_FRAME_MS 33

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* RT: report what changed since the last report (held notes, mode). A
 * message that does not fit stays unreported and goes out next cycle. */
static void grid_report(Shell *s)
{
    if (!s->grid_ring)
        return;
    uint8_t map[128];
    rb_held_map(s->rb, map);
    for (int n = 0; n < 128; n++) {
        if (map[n] == s->shown[n])
            continue;
        RbGridMsg m = {.kind = RB_GRID_MSG_NOTE, .note = (uint8_t)n, .value = map[n]};
        if (jack_ringbuffer_write_space(s->grid_ring) < sizeof m)
            return;
        jack_ringbuffer_write(s->grid_ring, (const char *)&m, sizeof m);
        s->shown[n] = map[n];
    }
    int mode = (int)rb_mode(s->rb);
    if (mode != s->shown_mode) {
        RbGridMsg m = {.kind = RB_GRID_MSG_MODE, .value = (uint8_t)mode};
        if (jack_ringbuffer_write_space(s->grid_ring) < sizeof m)
            return;
        jack_ringbuffer_write(s->grid_ring, (const char *)&m, sizeof m);
        s->shown_mode = mode;
    }
}

/* A grid key: a mode key switches the play mode the way OSC does (the
 * registry, the RT thread, the surfaces); other keys do nothing. */
static void grid_key(void *user, int x, int y, int state)
{
    Shell *s = user;
    int mode = rb_grid_mode_key(x, y);
    if (state != 1 || mode < 0)
        return;
    char err[256];
    if (at_app_set_number(s->app, P_MODE, mode, err, sizeof err) != AT_OK)
        at_warn("grid: mode key: %s", err);
}

static void grid_device(void *user, bool present, const char *id, const char *type)
{
    Shell *s = user;
    if (present) {
        at_info("grid: showing held notes on %s (%s)", id, type);
        s->next_draw = 0; /* at once */
    } else {
        at_info("grid: %s went away; waiting for a grid", id);
    }
}

static AtStatus grid_open(Shell *s, int port, char *err, size_t errlen)
{
    rb_grid_init(&s->grid);
    s->shown_mode = -1;
    s->grid_ring = jack_ringbuffer_create(GRID_RING_MSGS * sizeof(RbGridMsg));
    if (!s->grid_ring) {
        snprintf(err, errlen, "out of memory");
        return AT_ERR_RUNTIME;
    }
    AtSerialoscConfig cfg = {
        .port = port, .prefix = "/redblue", .key = grid_key, .device = grid_device, .user = s};
    char why[256];
    s->serialosc = at_serialosc_open(&cfg, why, sizeof why);
    if (!s->serialosc) {
        snprintf(err, errlen, "grid: %s", why);
        return AT_ERR_RUNTIME;
    }
    at_info("grid: asking serialosc on port %d", port);
    return AT_OK;
}

/* Control thread, about every 20 ms: follow the RT reports, talk to
 * serialosc, redraw. */
static void idle(AtApp *app, void *core)
{
    (void)app;
    Shell *s = core;
    if (!s->serialosc)
        return;
    RbGridMsg m;
    while (jack_ringbuffer_read_space(s->grid_ring) >= sizeof m) {
        jack_ringbuffer_read(s->grid_ring, (char *)&m, sizeof m);
        rb_grid_apply(&s->grid, &m);
    }
    uint64_t now = now_ms();
    at_serialosc_poll(s->serialosc, now);
    if (!at_serialosc_connected(s->serialosc) || now < s->next_draw)
        return;
    uint8_t levels[64];
    for (int x = 0; x < RB_GRID_W; x += 8) {
        rb_grid_quad(&s->grid, x, 0, levels);
        at_serialosc_level_map(s->serialosc, x, 0, levels);
    }
    s->next_draw =
        s->next_draw + GRID_FRAME_MS > now ? s->next_draw + GRID_FRAME_MS : now + GRID_FRAME_MS;
}

/* Dark the grid (also at exit) and free. */
static void grid_close(Shell *s)
{
    at_serialosc_close(s->serialosc);
    s->serialosc = NULL;
    if (s->grid_ring)
        jack_ringbuffer_free(s->grid_ring);
    s->grid_ring = NULL;
}

#endif /* AT_LV2_SHELL */

static AtStatus setup(AtApp *app, void **core, char *err, size_t errlen)
{
    RbConfig cfg;
    read_config(at_app_params(app), at_app_rate(app), &cfg);
    if (!rb_config_check(&cfg, err, errlen))
        return AT_ERR_USAGE;
    Shell *s = calloc(1, sizeof *s);
    if (!s)
        goto oom;
    s->rb = rb_new(&cfg);
    if (!s->rb)
        goto oom_shell;
    AtStatus st = add_ports(app, s, err, errlen);
    if (st != AT_OK)
        goto fail;
    if (s->out[RB_RED] == s->out[RB_BLUE])
        at_info("red and blue share the port '%s'", at_params_str(at_app_params(app), "red.port"));
    s->app = app;
    if (at_params_bool(at_app_params(app), "grid.enabled")) {
        st = grid_open(s, at_params_int(at_app_params(app), "grid.serialosc-port"), err, errlen);
        if (st != AT_OK)
            goto fail;
    }
    *core = s;
    return AT_OK;

fail:
    grid_close(s);
    rb_free(s->rb);
    free(s);
    return st;
oom_shell:
    free(s);
oom:
    snprintf(err, errlen, "out of memory");
    return AT_ERR_RUNTIME;
}

static void teardown(void *core)
{
    Shell *s = core;
    if (!s)
        return;
    grid_close(s);
    rb_free(s->rb);
    free(s);
}

static void outputs(Shell *s, AtCycle *c, AtMidiBuf *out[RB_DESTS])
{
    at_cycle_dest_outs(c, s->out, RB_DESTS, out);
}

/* Count n occurrences; true when a line is due (the first one at once, then
 * at most one a second). *count gets the occurrences to tell. */
static bool warn_due(Warn *w, AtCycle *c, uint32_t n, int *count)
{
    w->pending += (int)n;
    if (w->pending == 0)
        return false;
    if (w->told && c->frame_time - w->last < c->rate)
        return false;
    *count = w->pending;
    w->pending = 0;
    w->last = c->frame_time;
    w->told = true;
    return true;
}

static void tell(Shell *s, AtCycle *c, const RbReport *r)
{
    int n;
    if (warn_due(&s->channel, c, r->wrong_channel, &n))
        at_cycle_log(c, "ignored %d message(s) not on channel 1 (last on channel %d)", n,
                     r->wrong_channel_last >= 0 ? r->wrong_channel_last + 1 : 0);
    if (warn_due(&s->unhandled, c, r->unhandled, &n)) {
        if ((r->unhandled_status & 0xF0) == AT_MIDI_CC)
            at_cycle_log(c, "ignored %d message(s) with no use here (last: CC %d)", n,
                         r->unhandled_data);
        else
            at_cycle_log(c, "ignored %d message(s) with no use here (last status 0x%x)", n,
                         r->unhandled_status);
    }
    if (warn_due(&s->malformed, c, r->malformed, &n))
        at_cycle_log(c, "dropped %d malformed MIDI message(s)", n, 0);
    if (warn_due(&s->dropped, c, r->dropped, &n))
        at_cycle_log(c, "%d output event(s) lost: output buffer full", n, 0);
}

/* Frames JACK skipped since the previous cycle (an xrun), so slews stay on
 * the real timeline. JACK frame times are 32-bit and wrap. */
static uint32_t skipped(Shell *s, const AtCycle *c)
{
    uint32_t gap = 0;
    if (s->have_time)
        gap = (uint32_t)c->frame_time - s->last_time - s->last_nframes;
    s->last_time = (uint32_t)c->frame_time;
    s->last_nframes = c->nframes;
    s->have_time = true;
    return gap < 0x80000000u ? gap : 0;
}

static void process(void *core, AtCycle *c)
{
    Shell *s = core;
    AtMidiBuf *out[RB_DESTS];
    outputs(s, c, out);
    uint32_t gap = skipped(s, c);
    if (gap)
        rb_skip(s->rb, gap);
    const AtMidiBuf *in = c->midi[s->in];
    RbReport rep;
    rb_process(s->rb, in->events, in->count, c->nframes, out, &rep);
    if (rep.mode_changed)
        at_cycle_report(c, P_MODE, (int32_t)rb_mode(s->rb), 0);
    tell(s, c, &rep);
    grid_report(s);
}

static void param(void *core, AtParamMsg *m, AtCycle *c)
{
    Shell *s = core;
    if (m->index == P_PANIC) {
        AtMidiBuf *out[RB_DESTS];
        outputs(s, c, out);
        if (out[RB_RED] && out[RB_BLUE])
            rb_shutdown(s->rb, 0, out);
        return;
    }
    if (m->index >= 0 && m->index < P_COUNT && params[m->index].flags & AT_PARAM_LIVE)
        rb_set(s->rb, settings[m->index], m->i);
}

static void connected(void *core, int handle, AtCycle *c)
{
    Shell *s = core;
    AtMidiBuf *out[RB_DESTS];
    outputs(s, c, out);
    unsigned mask = 0;
    for (int d = 0; d < RB_DESTS; d++)
        if (s->out[d] == handle)
            mask |= 1u << d;
    if (mask)
        rb_silence(s->rb, mask, 0, out);
}

static void on_shutdown(void *core, AtCycle *c)
{
    Shell *s = core;
    AtMidiBuf *out[RB_DESTS];
    outputs(s, c, out);
    rb_shutdown(s->rb, 0, out);
}

const AtTool redblue_tool = {
    .name = "redblue",
    .summary = "Two Moog Mother-32s played as one instrument: unison, duophonic and power-chord "
               "modes, legato or pedal portamento, accents and expression.",
    .params = params,
    .n_params = P_COUNT,
    .setup = setup,
    .teardown = teardown,
    .process = process,
    .param = param,
    .connected = connected,
    .shutdown = on_shutdown,
#ifndef AT_LV2_SHELL
    .idle = idle,
#endif
};

int main(int argc, char **argv)
{
    return at_app_main(&redblue_tool, argc, argv);
}
