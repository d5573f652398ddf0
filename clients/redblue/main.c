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
#include "shellutil.h"
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

/* A live whole number of the input section: key input.NAME, OSC NAME,
 * lo..hi, default dflt, bound to RbConfig.member and set through SET. */
#define RB_INPUT_INT(NAME, lo, hi, dflt, doc, member, SET)                                         \
    AT_INT("input." NAME, lo, hi, dflt, doc, AT_LIVE(NAME, RbConfig, member, AT_FIELD_INT),        \
           .set = (SET))

/* What one Mother (d: RB_RED, config group section) takes from the input:
 * the entries P##_MOD (mod wheel, default mod) and P##_EXPR (expression
 * pedal, default expr), set through SET##_MOD_WHEEL and
 * SET##_EXPRESSION_PEDAL. */
#define RB_ROUTE_DEFS(P, section, d, mod, expr, SET)                                               \
    [P##_MOD] = AT_BOOL(section ".mod-wheel", mod, section " receives the mod wheel (CC1)",        \
                        AT_LIVE(section "/mod-wheel", RbConfig, dest[d].mod_wheel, AT_FIELD_BOOL), \
                        .set = SET##_MOD_WHEEL),                                                   \
    [P##_EXPR] = AT_BOOL(                                                                          \
        section ".expression-pedal", expr, section " receives the scaled expression pedal as CC1", \
        AT_LIVE(section "/expression-pedal", RbConfig, dest[d].expression_pedal, AT_FIELD_BOOL),   \
        .set = SET##_EXPRESSION_PEDAL)

static const AtParamDef params[P_COUNT] = {
    [P_MODE] = AT_ENUM("mode", ("regular", "duophonic", "power-chord"), RB_MODE_REGULAR,
                       "play mode (also the silent keys A0 = regular, A#0 = duophonic, "
                       "B0 = power chord)",
                       AT_LIVE("mode", RbConfig, mode, AT_FIELD_INT), .set = RB_SET_MODE),
    [P_IN_CHANNEL] = AT_INT("input.channel", 1, 16, 1,
                            "input MIDI channel; must be 1 (other channels are ignored)",
                            .field = AT_BIND(RbConfig, input_channel, AT_FIELD_CHANNEL)),
    [P_START_STOP] = AT_BOOL(
        "input.start-stop", 1, "pass START, STOP, CONTINUE and song position to the Mothers",
        AT_LIVE("start-stop", RbConfig, start_stop, AT_FIELD_BOOL), .set = RB_SET_START_STOP),
    [P_PASS_CLOCK] = AT_BOOL("input.pass-clock", 0, "pass MIDI clock to the Mothers",
                             AT_LIVE("pass-clock", RbConfig, pass_clock, AT_FIELD_BOOL),
                             .set = RB_SET_PASS_CLOCK),
    [P_PORTAMENTO] = AT_ENUM(
        "input.portamento", ("legato", "sustain", "damper", "off"), RB_PORTA_DAMPER,
        "glide from legato playing, from the sustain pedal (sustain: pedal "
        "still sustains; damper: it only glides), or off",
        AT_LIVE("portamento", RbConfig, portamento, AT_FIELD_INT), .set = RB_SET_PORTAMENTO),
    [P_DAMPER_MAX] = RB_INPUT_INT("damper-portamento-max", 0, 127, 88,
                                  "portamento time (CC5) with the pedal fully down",
                                  damper_portamento_max, RB_SET_DAMPER_PORTAMENTO_MAX),
    [P_ACCENT] =
        RB_INPUT_INT("accent-volume", 1, 127, 92, "note-on velocity from which a note is accented",
                     accent_volume, RB_SET_ACCENT_VOLUME),
    [P_EXPR_MIN] =
        RB_INPUT_INT("expression-min", 0, 127, 32, "expression output (CC1) with the pedal up",
                     expression_min, RB_SET_EXPRESSION_MIN),
    [P_EXPR_MAX] =
        RB_INPUT_INT("expression-max", 0, 127, 96, "expression output (CC1) with the pedal down",
                     expression_max, RB_SET_EXPRESSION_MAX),
    [P_IN_CONNECT] = AT_CONNECT_PARAM("input.connect", "ports to take the keyboard or DAW from"),
    RB_ROUTE_DEFS(P_RED, "red", RB_RED, 1, 0, RB_SET_RED),
    AT_DEST_DEFS(P_RED, "red", 2, AT_BIND(RbConfig, dest[RB_RED].channel, AT_FIELD_CHANNEL), "red"),
    RB_ROUTE_DEFS(P_BLUE, "blue", RB_BLUE, 0, 1, RB_SET_BLUE),
    AT_DEST_DEFS(P_BLUE, "blue", 3, AT_BIND(RbConfig, dest[RB_BLUE].channel, AT_FIELD_CHANNEL),
                 "blue"),
    [P_PANIC] = AT_ACTION_PARAM("panic", "silence both Mothers and forget held notes"),
    [P_GRID_ENABLED] = AT_BOOL("grid.enabled", 0,
                               "show the held notes on a monome grid found through serialosc; "
                               "its three mode keys switch the play mode"),
    [P_GRID_PORT] =
        AT_INT("grid.serialosc-port", 1, 65535, 12002, "UDP port of serialosc on this machine"),
};

/* The core's held-note routes are the display's. */
_Static_assert(RB_HELD_NONE == (int)RB_GRID_NONE && RB_HELD_BOTH == (int)RB_GRID_BOTH &&
                   RB_HELD_RED == (int)RB_GRID_RED && RB_HELD_BLUE == (int)RB_GRID_BLUE &&
                   RB_HELD_POWER == (int)RB_GRID_POWER,
               "RbHeld and RbGridHeld differ");

typedef struct {
    Rb *rb;
    AtShellPorts ports;
    AtShellWarn channel, unhandled, malformed, dropped;
    AtShellGap gap;
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

static const AtShellDest dests[RB_DESTS] = {
    {P_RED_PORT, P_RED_CONNECT, "To Mother-32 red"},
    {P_BLUE_PORT, P_BLUE_CONNECT, "To Mother-32 blue"},
};

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
/* A plugin host calls no idle hook. */
static void idle(AtApp *app, void *core)
{
    (void)app;
    (void)core;
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
    if (!s->grid_ring)
        return at_shell_oom(err, errlen);
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

static void teardown(void *core)
{
    Shell *s = core;
    if (!s)
        return;
    grid_close(s);
    rb_free(s->rb);
    free(s);
}

/* The core from the loaded values, or NULL with *st and err saying why
 * (a combination the core refuses: AT_ERR_USAGE; out of memory). */
static Rb *make_core(AtApp *app, AtStatus *st, char *err, size_t errlen)
{
    RbConfig cfg;
    rb_config_default(&cfg, at_app_rate(app));
    at_params_fill(at_app_params(app), &cfg);
    if (!rb_config_check(&cfg, err, errlen)) {
        *st = AT_ERR_USAGE;
        return NULL;
    }
    Rb *rb = rb_new(&cfg);
    *st = rb ? AT_OK : at_shell_oom(err, errlen);
    return rb;
}

static AtStatus setup(AtApp *app, void **core, char *err, size_t errlen)
{
    AtStatus st;
    Rb *rb = make_core(app, &st, err, errlen);
    if (!rb)
        return st;
    Shell *s = calloc(1, sizeof *s);
    if (!s) {
        rb_free(rb);
        return at_shell_oom(err, errlen);
    }
    s->rb = rb;
    st = at_shell_midi_ports(app, "From keyboard (channel 1)", P_IN_CONNECT, dests, RB_DESTS,
                             &s->ports, err, errlen);
    if (st != AT_OK)
        goto fail;
    if (s->ports.out[RB_RED] == s->ports.out[RB_BLUE])
        at_info("red and blue share the port '%s'",
                at_params_str_at(at_app_params(app), P_RED_PORT));
    s->app = app;
    if (at_params_bool_at(at_app_params(app), P_GRID_ENABLED)) {
        st = grid_open(s, at_params_int_at(at_app_params(app), P_GRID_PORT), err, errlen);
        if (st != AT_OK)
            goto fail;
    }
    *core = s;
    return AT_OK;

fail:
    teardown(s);
    return st;
}

static void tell(Shell *s, AtCycle *c, const RbReport *r)
{
    int n;
    if (at_shell_warn_due(&s->channel, c, r->wrong_channel, &n))
        at_cycle_log(c, "ignored %d message(s) not on channel 1 (last on channel %d)", n,
                     r->wrong_channel_last >= 0 ? r->wrong_channel_last + 1 : 0);
    if (at_shell_warn_due(&s->unhandled, c, r->unhandled, &n)) {
        if ((r->unhandled_status & 0xF0) == AT_MIDI_CC)
            at_cycle_log(c, "ignored %d message(s) with no use here (last: CC %d)", n,
                         r->unhandled_data);
        else
            at_cycle_log(c, "ignored %d message(s) with no use here (last status 0x%x)", n,
                         r->unhandled_status);
    }
    if (at_shell_warn_due(&s->malformed, c, r->malformed, &n))
        at_cycle_log(c, "dropped %d malformed MIDI message(s)", n, 0);
    if (at_shell_warn_due(&s->dropped, c, r->dropped, &n))
        at_cycle_log(c, "%d output event(s) lost: output buffer full", n, 0);
}

static void process(void *core, AtCycle *c)
{
    Shell *s = core;
    uint32_t gap = at_shell_skipped(&s->gap, c);
    if (gap)
        rb_skip(s->rb, gap);
    const AtMidiBuf *in = at_shell_input(&s->ports, c);
    RbReport rep;
    rb_process(s->rb, in->events, in->count, c->nframes, at_shell_outs(&s->ports, c), &rep);
    if (rep.mode_changed)
        at_cycle_report(c, P_MODE, (int32_t)rb_mode(s->rb), 0);
    tell(s, c, &rep);
    grid_report(s);
}

static void param(void *core, AtParamMsg *m, AtCycle *c)
{
    Shell *s = core;
    if (m->index == P_PANIC) {
        AtMidiBuf **out = at_shell_outs(&s->ports, c);
        if (out[RB_RED] && out[RB_BLUE])
            rb_shutdown(s->rb, 0, out);
        return;
    }
    if (m->index >= 0 && m->index < P_COUNT && params[m->index].set)
        rb_set(s->rb, (RbSetting)params[m->index].set, m->i);
}

static void connected(void *core, int handle, AtCycle *c)
{
    Shell *s = core;
    unsigned mask = at_shell_dest_mask(&s->ports, handle);
    if (mask)
        rb_silence(s->rb, mask, 0, at_shell_outs(&s->ports, c));
}

static void on_shutdown(void *core, AtCycle *c)
{
    Shell *s = core;
    rb_shutdown(s->rb, 0, at_shell_outs(&s->ports, c));
}

AT_TOOL(redblue, params,
        "Two Moog Mother-32s played as one instrument: unison, duophonic and power-chord "
        "modes, legato or pedal portamento, accents and expression.",
        .connected = connected, .shutdown = on_shutdown, .idle = idle);
