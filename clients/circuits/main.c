/* main.c - aiotone-circuits: the JACK shell around the circuits core.
 * Declares the parameters once (config keys, OSC, saved state), maps the
 * Circuit (drums) and the Mono Station (bass) onto ports (the same port
 * name = one shared port) and hands each cycle's input to the core. */
#include "app.h"
#include "circuits.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

enum {
    P_IN_CHANNEL,
    P_IN_CONNECT,
    P_CIRCUIT_PORT,
    P_CIRCUIT_CHANNEL,
    P_CIRCUIT_CONNECT,
    P_MONO_PORT,
    P_MONO_CHANNEL,
    P_MONO_CONNECT,
    P_SEED,
    P_KEY_NOTE,
    P_PANIC,
    P_COUNT,
};

static const AtParamDef params[P_COUNT] = {
    [P_IN_CHANNEL] = {.key = "input.channel",
                      .type = AT_PARAM_INT,
                      .min = 1,
                      .max = 16,
                      .def = 1,
                      .doc = "note-ons on this channel set the bass key note"},
    [P_IN_CONNECT] = {.key = "input.connect",
                      .type = AT_PARAM_STRLIST,
                      .doc = "ports to take the Circuit's clock and notes from"},
    [P_CIRCUIT_PORT] = {.key = "circuit.port",
                        .type = AT_PARAM_STRING,
                        .def_str = "circuit",
                        .doc = "MIDI output port towards the Circuit (drums)"},
    [P_CIRCUIT_CHANNEL] = {.key = "circuit.channel",
                           .type = AT_PARAM_INT,
                           .min = 1,
                           .max = 16,
                           .def = 10,
                           .doc = "MIDI channel of the Circuit's drums"},
    [P_CIRCUIT_CONNECT] = {.key = "circuit.connect",
                           .type = AT_PARAM_STRLIST,
                           .doc = "ports to connect the drums output to"},
    [P_MONO_PORT] = {.key = "monostation.port",
                     .type = AT_PARAM_STRING,
                     .def_str = "monostation",
                     .doc = "MIDI output port towards the Mono Station (bass; clock, start, "
                            "stop)"},
    [P_MONO_CHANNEL] = {.key = "monostation.channel",
                        .type = AT_PARAM_INT,
                        .min = 1,
                        .max = 16,
                        .def = 1,
                        .doc = "MIDI channel of the Mono Station (the next one gets CC123 too)"},
    [P_MONO_CONNECT] = {.key = "monostation.connect",
                        .type = AT_PARAM_STRLIST,
                        .doc = "ports to connect the bass output to"},
    [P_SEED] = {.key = "seed",
                .osc = "seed",
                .type = AT_PARAM_INT,
                .flags = AT_PARAM_LIVE,
                .min = 0,
                .max = 2147483647,
                .def = 0,
                .doc = "random seed: the same seed and input replay the same music; 0 = random "
                       "(the seed used is logged)"},
    [P_KEY_NOTE] = {.key = "key-note",
                    .osc = "key-note",
                    .type = AT_PARAM_INT,
                    .flags = AT_PARAM_LIVE,
                    .min = 0,
                    .max = 127,
                    .def = 48,
                    .doc = "bass key note (48 = C3); a note-on on the input channel sets it"},
    [P_PANIC] = {.key = "panic",
                 .osc = "panic",
                 .type = AT_PARAM_ACTION,
                 .doc = "stop the sequencers and silence both devices"},
};

typedef struct {
    Ci ci;
    int in;
    int out[CI_DEST_COUNT];
    uint32_t seen_malformed;
} Shell;

static uint64_t effective_seed(int seed)
{
    if (seed > 0)
        return (uint64_t)seed;
    return 1 + at_rand_entropy_seed() % 2147483646u;
}

static const AtDest dests[CI_DEST_COUNT] = {
    {"circuit.port", "Circuit drums", "circuit.connect"},
    {"monostation.port", "Mono Station bass", "monostation.connect"},
};

static AtStatus setup(AtApp *app, void **core, char *err, size_t errlen)
{
    const AtParams *p = at_app_params(app);
    Shell *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return AT_ERR_RUNTIME;
    }
    CiConfig cfg = {
        .drum_channel = (uint8_t)(at_params_int(p, "circuit.channel") - 1),
        .bass_channel = (uint8_t)(at_params_int(p, "monostation.channel") - 1),
        .key_channel = (uint8_t)(at_params_int(p, "input.channel") - 1),
        .key_note = at_params_int(p, "key-note"),
        .seed = effective_seed(at_params_int(p, "seed")),
    };
    ci_init(&s->ci, &cfg);
    at_info("seed %llu%s", (unsigned long long)cfg.seed,
            at_params_int(p, "seed") ? "" : " (random; set seed to replay)");
    s->in =
        at_app_add_port(app, "midi_in", AT_PORT_MIDI_IN, "From the Circuit", NULL, "input.connect");
    AtStatus st = s->in < 0 ? AT_ERR_RUNTIME
                            : at_app_add_dests(app, dests, CI_DEST_COUNT, s->out, err, errlen);
    if (st != AT_OK) {
        if (!*err)
            snprintf(err, errlen, "cannot declare the JACK port 'midi_in'");
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

static void outputs(Shell *s, AtCycle *c, AtMidiBuf *out[CI_DEST_COUNT])
{
    at_cycle_dest_outs(c, s->out, CI_DEST_COUNT, out);
}

static void process(void *core, AtCycle *c)
{
    Shell *s = core;
    AtMidiBuf *out[CI_DEST_COUNT];
    outputs(s, c, out);
    const AtMidiBuf *in = c->midi[s->in];
    ci_process(&s->ci, in->events, in->count, out);
    if (s->ci.key_changed) {
        s->ci.key_changed = false;
        at_cycle_report(c, P_KEY_NOTE, s->ci.cfg.key_note, 0);
    }
    /* The Circuit sends much that has no job here: only malformed input
     * is worth a line. */
    if (s->ci.malformed != s->seen_malformed) {
        at_cycle_log(c, "dropped %d malformed MIDI message(s) (total %d)",
                     (int)(s->ci.malformed - s->seen_malformed), (int)s->ci.malformed);
        s->seen_malformed = s->ci.malformed;
    }
}

static void param(void *core, AtParamMsg *m, AtCycle *c)
{
    Shell *s = core;
    AtMidiBuf *out[CI_DEST_COUNT];
    switch (m->index) {
    case P_KEY_NOTE:
        ci_set_key_note(&s->ci, m->i);
        break;
    case P_SEED: {
        uint64_t seed = effective_seed(m->i);
        ci_set_seed(&s->ci, seed);
        if (m->i == 0 && c->app)
            at_cycle_log(c, "seed 0: using seed %d (set seed = %d to replay)", (int)seed,
                         (int)seed);
        break;
    }
    case P_PANIC:
        outputs(s, c, out);
        ci_shutdown(&s->ci, 0, out);
        break;
    default:
        break;
    }
}

static void connected(void *core, int handle, AtCycle *c)
{
    Shell *s = core;
    AtMidiBuf *out[CI_DEST_COUNT];
    outputs(s, c, out);
    unsigned mask = 0;
    for (int d = 0; d < CI_DEST_COUNT; d++)
        if (s->out[d] == handle)
            mask |= 1u << d;
    ci_setup_dests(&s->ci, mask, 0, out);
}

static void on_shutdown(void *core, AtCycle *c)
{
    Shell *s = core;
    AtMidiBuf *out[CI_DEST_COUNT];
    outputs(s, c, out);
    ci_shutdown(&s->ci, 0, out);
}

const AtTool circuits_tool = {
    .name = "circuits",
    .summary = "Drums for a Novation Circuit and a bass line for a Circuit Mono Station, "
               "driven by the Circuit's MIDI clock on midi_in.",
    .params = params,
    .n_params = P_COUNT,
    .setup = setup,
    .teardown = teardown,
    .process = process,
    .param = param,
    .connected = connected,
    .shutdown = on_shutdown,
};

int main(int argc, char **argv)
{
    return at_app_main(&circuits_tool, argc, argv);
}
