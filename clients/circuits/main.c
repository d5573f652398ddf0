/* main.c - aiotone-circuits: the JACK shell around the circuits core.
 * Declares the parameters once (config keys, OSC, saved state), maps the
 * Circuit (drums) and the Mono Station (bass) onto ports (the same port
 * name = one shared port) and hands each cycle's input to the core. */
#include "app.h"
#include "circuits.h"
#include "log.h"
#include "shellutil.h"

#include <stdlib.h>
#include <string.h>

enum {
    P_IN_CHANNEL,
    P_IN_CONNECT,
    AT_DEST_ENUM(P_CIRCUIT),
    AT_DEST_ENUM(P_MONO),
    P_SEED,
    P_KEY_NOTE,
    P_PANIC,
    P_COUNT,
};

static const AtParamDef params[P_COUNT] = {
    [P_IN_CHANNEL] =
        AT_INT("input.channel", 1, 16, 1, "note-ons on this channel set the bass key note",
               .field = AT_BIND(CiConfig, key_channel, AT_FIELD_CHANNEL)),
    [P_IN_CONNECT] =
        AT_CONNECT_PARAM("input.connect", "ports to take the Circuit's clock and notes from"),
    AT_DEST_DEFS(P_CIRCUIT, "circuit", 10, AT_BIND(CiConfig, drum_channel, AT_FIELD_CHANNEL),
                 "the Circuit (drums)"),
    AT_DEST_DEFS(P_MONO, "monostation", 1, AT_BIND(CiConfig, bass_channel, AT_FIELD_CHANNEL),
                 "the Mono Station (bass)"),
    [P_SEED] = AT_SEED_PARAM(AT_BIND(CiConfig, seed, AT_FIELD_SEED)),
    [P_KEY_NOTE] =
        AT_INT("key-note", 0, 127, 48,
               "bass key note (48 = C3); a note-on on the input channel sets it", .osc = "key-note",
               .flags = AT_PARAM_LIVE, .field = AT_BIND(CiConfig, key_note, AT_FIELD_INT)),
    [P_PANIC] = AT_ACTION_PARAM("panic", "stop the sequencers and silence both devices"),
};

typedef struct {
    Ci ci;
    AtShellPorts ports;
    uint32_t seen_malformed;
} Shell;

static const AtShellDest dests[CI_DEST_COUNT] = {
    {P_CIRCUIT_PORT, P_CIRCUIT_CONNECT, "Circuit drums"},
    {P_MONO_PORT, P_MONO_CONNECT, "Mono Station bass"},
};

static AtStatus setup(AtApp *app, void **core, char *err, size_t errlen)
{
    Shell *s = calloc(1, sizeof *s);
    if (!s)
        return at_shell_oom(err, errlen);
    CiConfig cfg = {0};
    at_params_fill(at_app_params(app), &cfg);
    ci_init(&s->ci, &cfg);
    AtStatus st = at_shell_midi_ports(app, "From the Circuit", P_IN_CONNECT, dests, CI_DEST_COUNT,
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

static void process(void *core, AtCycle *c)
{
    Shell *s = core;
    const AtMidiBuf *in = at_shell_input(&s->ports, c);
    ci_process(&s->ci, in->events, in->count, at_shell_outs(&s->ports, c));
    at_shell_report_if(c, &s->ci.key_changed, P_KEY_NOTE, s->ci.cfg.key_note);
    /* The Circuit sends much that has no job here: only malformed input
     * is worth a line. */
    at_shell_count(c, s->ci.malformed, &s->seen_malformed,
                   "dropped %d malformed MIDI message(s) (total %d)");
}

/* Stop the sequencers, silence both devices (exit, panic). */
static void on_shutdown(void *core, AtCycle *c)
{
    Shell *s = core;
    ci_shutdown(&s->ci, 0, at_shell_outs(&s->ports, c));
}

/* The key note goes into the core's config; a new seed also restarts
 * the generator. */
static void param(void *core, AtParamMsg *m, AtCycle *c)
{
    Shell *s = core;
    if (m->index == P_SEED)
        ci_set_seed(&s->ci, (uint64_t)m->i);
    else if (m->index == P_PANIC)
        on_shutdown(core, c);
    else
        at_shell_store(params, P_COUNT, m, &s->ci.cfg);
}

/* Silence the destinations a new connection reaches (not STOP to the
 * Circuit: it is the clock master). */
static void connected(void *core, int handle, AtCycle *c)
{
    Shell *s = core;
    ci_setup_dests(&s->ci, at_shell_dest_mask(&s->ports, handle), 0, at_shell_outs(&s->ports, c));
}

AT_TOOL(circuits, params,
        "Drums for a Novation Circuit and a bass line for a Circuit Mono Station, "
        "driven by the Circuit's MIDI clock on midi_in.",
        .connected = connected, .shutdown = on_shutdown);
