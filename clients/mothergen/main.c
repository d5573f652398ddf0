/* main.c - aiotone-mothergen: the JACK shell around the mothergen core.
 * Declares the parameters once (config keys, OSC, saved state), maps the
 * three destinations onto ports (destinations naming the same port share
 * it) and hands each cycle's input to the core. */
#include "app.h"
#include "log.h"
#include "mothergen.h"
#include "shellutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    P_CHANNEL,
    P_START_STOP,
    P_PORTAMENTO,
    P_PORTA_MAX,
    P_SEED,
    P_KEY,
    P_PANIC,
    P_IN_CONNECT,
    AT_DEST_ENUM(P_RED),
    AT_DEST_ENUM(P_BLUE),
    AT_DEST_ENUM(P_GREEN),
    P_COUNT,
};

static const AtParamDef params[P_COUNT] = {
    [P_CHANNEL] = AT_INT("input.channel", 1, 1, 1,
                         "input MIDI channel (must be 1; other channels are ignored)"),
    [P_START_STOP] = AT_BOOL("input.start-stop", 1, "pass START/STOP to the destinations",
                             AT_LIVE("start-stop", MgConfig, start_stop, AT_FIELD_BOOL)),
    [P_PORTAMENTO] = AT_ENUM("input.portamento", ("rez", "resonance", "modwheel", "off"), 0,
                             "mod wheel drives portamento (rez/resonance/modwheel) or not (off)",
                             AT_LIVE("portamento", MgConfig, portamento, AT_FIELD_INT)),
    [P_PORTA_MAX] =
        AT_INT("input.portamento-max", 0, 127, 32, "portamento time (CC5) at full mod wheel",
               AT_LIVE("portamento-max", MgConfig, portamento_max, AT_FIELD_INT)),
    [P_SEED] = AT_SEED_PARAM(AT_BIND(MgConfig, seed, AT_FIELD_SEED), .old_key = "input.seed"),
    [P_KEY] =
        AT_ENUM("input.key", ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"), 5,
                "key of the sequences; a note-on on channel 1 sets it",
                AT_LIVE("key", MgConfig, key, AT_FIELD_INT)),
    [P_PANIC] = AT_ACTION_PARAM("panic", "stop the sequencers and silence every destination"),
    [P_IN_CONNECT] =
        AT_CONNECT_PARAM("input.connect", "ports to take clock, transport and controls from"),
    AT_DEST_DEFS(P_RED, "red", 2, AT_BIND(MgConfig, channel[MG_RED], AT_FIELD_CHANNEL),
                 "the red Mother-32"),
    AT_DEST_DEFS(P_BLUE, "blue", 3, AT_BIND(MgConfig, channel[MG_BLUE], AT_FIELD_CHANNEL),
                 "the blue Mother-32"),
    AT_DEST_DEFS(P_GREEN, "green", 4, AT_BIND(MgConfig, channel[MG_GREEN], AT_FIELD_CHANNEL),
                 "the Subharmonicon"),
};

typedef struct {
    Mg mg;
    AtShellPorts ports;
    uint32_t seen_ignored, seen_unhandled, seen_malformed;
} Shell;

static const AtShellDest dests[MG_DEST_COUNT] = {
    {P_RED_PORT, P_RED_CONNECT, "Red Mother-32"},
    {P_BLUE_PORT, P_BLUE_CONNECT, "Blue Mother-32"},
    {P_GREEN_PORT, P_GREEN_CONNECT, "Subharmonicon"},
};

static AtStatus setup(AtApp *app, void **core, char *err, size_t errlen)
{
    Shell *s = calloc(1, sizeof *s);
    if (!s)
        return at_shell_oom(err, errlen);
    MgConfig cfg = {0};
    at_params_fill(at_app_params(app), &cfg);
    mg_init(&s->mg, &cfg);
    AtStatus st = at_shell_midi_ports(app, "Clock and controls", P_IN_CONNECT, dests, MG_DEST_COUNT,
                                      &s->ports, err, errlen);
    if (st != AT_OK) {
        free(s);
        return st;
    }
    *core = s;
    return AT_OK;
}

static void teardown(void *core)
{
    free(core);
}

/* Turn the core's counters into log lines (formatted later, off RT). */
static void log_counters(Shell *s, AtCycle *c)
{
    Mg *mg = &s->mg;
    at_shell_count(c, mg->ignored_channel, &s->seen_ignored,
                   "ignored %d message(s) not on channel 1 (total %d)");
    at_shell_count(c, mg->unhandled, &s->seen_unhandled,
                   "ignored %d message(s) with no job here (unknown CC, program change, "
                   "continue or song position while running...; total %d)");
    at_shell_count(c, mg->malformed, &s->seen_malformed,
                   "dropped %d malformed MIDI message(s) (total %d)");
}

static void process(void *core, AtCycle *c)
{
    Shell *s = core;
    const AtMidiBuf *in = at_shell_input(&s->ports, c);
    mg_process(&s->mg, in->events, in->count, at_shell_outs(&s->ports, c));
    at_shell_report_if(c, &s->mg.key_changed, P_KEY, s->mg.cfg.key);
    log_counters(s, c);
}

/* Stop the sequencers and silence every destination (exit, panic). */
static void on_shutdown(void *core, AtCycle *c)
{
    Shell *s = core;
    mg_shutdown(&s->mg, 0, at_shell_outs(&s->ports, c));
}

/* The bound live values go into the core's config; a new seed also
 * restarts the generator. */
static void param(void *core, AtParamMsg *m, AtCycle *c)
{
    Shell *s = core;
    if (m->index == P_SEED)
        mg_set_seed(&s->mg, (uint64_t)m->i);
    else if (m->index == P_PANIC)
        on_shutdown(core, c);
    else
        at_shell_store(params, P_COUNT, m, &s->mg.cfg);
}

/* Silence and set up the destinations a new connection reaches. */
static void connected(void *core, int handle, AtCycle *c)
{
    Shell *s = core;
    mg_setup_dests(&s->mg, at_shell_dest_mask(&s->ports, handle), 0, at_shell_outs(&s->ports, c));
}

AT_TOOL(mothergen, params,
        "Self-generating sequences for two Mother-32s (red, blue) and a Subharmonicon "
        "(green), driven by MIDI clock on midi_in.",
        .connected = connected, .shutdown = on_shutdown);
