/* main.c - aiotone-clock: the JACK shell around the clock core.
 * Declares the parameters once (config keys, OSC, saved state), owns the
 * midi_in and midi_out ports, and is the only place that talks to the JACK
 * transport: it queries it each cycle and hands (rolling, position, tempo)
 * to the core, and starts/stops it when the core asks. */
#include "app.h"
#include "clock.h"
#include "log.h"
#include "shellutil.h"

#include <jack/jack.h>
#include <jack/transport.h>
#include <stdio.h>
#include <stdlib.h>

enum {
    P_BPM,
    P_SOURCE,
    P_FOLLOW,
    P_AUTOSTART,
    P_IN_CONNECT,
    P_OUT_CONNECT,
    P_START,
    P_STOP,
    P_CONTINUE,
    P_COUNT,
};

static const AtParamDef params[P_COUNT] = {
    [P_BPM] = AT_FLOAT("clock.bpm", CK_BPM_MIN, CK_BPM_MAX, 120,
                       "tempo in quarter notes per minute (24 clock pulses each)", .unit = "BPM",
                       AT_LIVE("bpm", CkConfig, bpm, AT_FIELD_DOUBLE)),
    [P_SOURCE] = AT_ENUM("clock.source", ("internal", "transport", "midi"), CK_SOURCE_INTERNAL,
                         "internal: own tempo; transport: follow JACK transport rolling and "
                         "tempo; midi: pass the clock arriving on midi_in",
                         AT_LIVE("source", CkConfig, source, AT_FIELD_INT)),
    [P_FOLLOW] =
        AT_BOOL("clock.follow-input", 1, "obey START, STOP and CONTINUE arriving on midi_in",
                AT_LIVE("follow-input", CkConfig, follow_input, AT_FIELD_BOOL)),
    [P_AUTOSTART] =
        AT_BOOL("clock.autostart", 0,
                "internal source: START 50 ms after midi_out gets its first connection"),
    [P_IN_CONNECT] =
        AT_CONNECT_PARAM("input.connect", "ports to take START/STOP/CONTINUE (and clock) from"),
    [P_OUT_CONNECT] = AT_CONNECT_PARAM("output.connect", "ports to send the clock to"),
    [P_START] = AT_ACTION_PARAM("start", "send START and run from the first pulse"),
    [P_STOP] = AT_ACTION_PARAM("stop", "send STOP"),
    [P_CONTINUE] = AT_ACTION_PARAM("continue", "send CONTINUE and run on from where STOP left off"),
};

typedef struct {
    Ck *ck;
    int in, out;
    bool autostart, started;
    int64_t start_in;    /* autostart: frames until START is due (0: none) */
    AtShellWarn ignored; /* ignored input messages */
    AtShellGap gap;
} Shell;

static void teardown(void *core)
{
    Shell *s = core;
    if (!s)
        return;
    ck_free(s->ck);
    free(s);
}

static AtStatus setup(AtApp *app, void **core, char *err, size_t errlen)
{
    const AtParams *p = at_app_params(app);
    CkConfig cfg;
    ck_config_default(&cfg, at_app_rate(app));
    at_params_fill(p, &cfg);
    if (!ck_config_check(&cfg, err, errlen))
        return AT_ERR_USAGE;
    Shell *s = calloc(1, sizeof *s);
    if (s)
        s->ck = ck_new(&cfg);
    if (!s || !s->ck) {
        free(s);
        return at_shell_oom(err, errlen);
    }
    s->autostart = at_params_bool_at(p, P_AUTOSTART);
    s->in = at_app_add_port(app, "midi_in", AT_PORT_MIDI_IN, "Transport from a controller", NULL,
                            at_params_key(p, P_IN_CONNECT));
    s->out = at_app_add_port(app, "midi_out", AT_PORT_MIDI_OUT, "MIDI clock", NULL,
                             at_params_key(p, P_OUT_CONNECT));
    if (s->in < 0 || s->out < 0) {
        snprintf(err, errlen, "cannot register the JACK ports");
        teardown(s);
        return AT_ERR_RUNTIME;
    }
    *core = s;
    return AT_OK;
}

/* The transport as the core wants it: quarter notes and quarter-note BPM. */
static void query_transport(AtCycle *c, CkTransport *t)
{
    jack_position_t pos;
    jack_transport_state_t st = jack_transport_query((jack_client_t *)c->jack_client, &pos);
    t->rolling = st == JackTransportRolling;
    t->frame = pos.frame;
    t->bbt_valid = (pos.valid & JackPositionBBT) && pos.beats_per_bar > 0 &&
                   pos.ticks_per_beat > 0 && pos.beats_per_minute > 0;
    if (!t->bbt_valid)
        return;
    double quarter = pos.beat_type > 0 ? 4.0 / pos.beat_type : 1.0;
    double beats =
        (pos.bar - 1) * (double)pos.beats_per_bar + (pos.beat - 1) + pos.tick / pos.ticks_per_beat;
    t->beats = beats * quarter;
    t->bpm = pos.beats_per_minute * quarter;
}

static void warn_ignored(Shell *s, AtCycle *c, const CkReport *r)
{
    int n;
    if (at_shell_warn_due(&s->ignored, c, r->ignored, &n))
        at_cycle_log(c, "ignored %d input message(s) (last status 0x%x)", n, r->ignored_status);
}

static void process(void *core, AtCycle *c)
{
    Shell *s = core;
    uint32_t gap = at_shell_skipped(&s->gap, c);
    if (gap)
        ck_skip(s->ck, gap);
    if (s->start_in > 0) { /* autostart: START in the cycle it falls due */
        s->start_in -= gap;
        if (s->start_in <= (int64_t)c->nframes) {
            s->start_in = 0;
            ck_command(s->ck, CK_CMD_START);
        } else {
            s->start_in -= c->nframes;
        }
    }
    const AtMidiBuf *in = c->midi[s->in];
    CkTransport t = {0};
    if (c->jack_client)
        query_transport(c, &t);
    CkReport rep;
    ck_process(s->ck, in->events, in->count, c->nframes, &t, c->midi[s->out], &rep);
    if (rep.transport_request > 0 && c->jack_client)
        jack_transport_start((jack_client_t *)c->jack_client);
    else if (rep.transport_request < 0 && c->jack_client)
        jack_transport_stop((jack_client_t *)c->jack_client);
    warn_ignored(s, c, &rep);
    if (rep.dropped)
        at_cycle_log(c, "%d clock event(s) lost: output buffer full", (int)rep.dropped, 0);
}

static void param(void *core, AtParamMsg *m, AtCycle *c)
{
    Shell *s = core;
    switch (m->index) {
    case P_BPM:
        ck_set_bpm(s->ck, m->f);
        break;
    case P_SOURCE:
        ck_set_source(s->ck, (CkSource)m->i);
        break;
    case P_FOLLOW:
        ck_set_follow_input(s->ck, m->i != 0);
        break;
    case P_START:
        ck_command(s->ck, CK_CMD_START);
        break;
    case P_STOP:
        ck_command(s->ck, CK_CMD_STOP);
        break;
    case P_CONTINUE:
        ck_command(s->ck, CK_CMD_CONTINUE);
        break;
    default:
        break;
    }
}

#define AUTOSTART_MS 50

static void connected(void *core, int handle, AtCycle *c)
{
    Shell *s = core;
    if (handle != s->out || !s->autostart || s->started)
        return;
    /* Messages before a connection are lost, and so are those that reach a
     * tool started a moment ago and connected at once, before it hears its
     * new port (the window between JACK registering a port and the tool
     * being able to read it): START a little later. */
    s->started = true;
    s->start_in = (int64_t)c->rate * AUTOSTART_MS / 1000;
    if (s->start_in < 1)
        s->start_in = 1;
}

static void on_shutdown(void *core, AtCycle *c)
{
    Shell *s = core;
    ck_shutdown(s->ck, 0, c->midi[s->out]);
}

AT_TOOL(clock, params,
        "MIDI clock master (24 ppqn, START/STOP/CONTINUE) at a set BPM, or a follower of "
        "the JACK transport, sample-accurate.",
        .connected = connected, .shutdown = on_shutdown);
