/* main.c - aiotone-mothergen: the JACK shell around the mothergen core.
 * Declares the parameters once (config keys, OSC, saved state), maps the
 * three destinations onto ports (destinations naming the same port share
 * it) and hands each cycle's input to the core. */
#include "app.h"
#include "log.h"
#include "mothergen.h"

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
    P_RED_PORT,
    P_RED_CHANNEL,
    P_RED_CONNECT,
    P_BLUE_PORT,
    P_BLUE_CHANNEL,
    P_BLUE_CONNECT,
    P_GREEN_PORT,
    P_GREEN_CHANNEL,
    P_GREEN_CONNECT,
    P_COUNT,
};

#define DEST_PARAMS(P, name, port, ch, what)                                                       \
    [P##_PORT] = {.key = name ".port",                                                             \
                  .type = AT_PARAM_STRING,                                                         \
                  .def_str = port,                                                                 \
                  .doc = "MIDI output port towards " what " (same name = shared port)"},           \
    [P##_CHANNEL] = {.key = name ".channel",                                                       \
                     .type = AT_PARAM_INT,                                                         \
                     .min = 1,                                                                     \
                     .max = 16,                                                                    \
                     .def = ch,                                                                    \
                     .doc = "MIDI channel of " what},                                              \
    [P##_CONNECT] = {.key = name ".connect",                                                       \
                     .type = AT_PARAM_STRLIST,                                                     \
                     .doc = "ports to connect the output towards " what " to"}

static const AtParamDef params[P_COUNT] = {
    [P_CHANNEL] = {.key = "input.channel",
                   .type = AT_PARAM_INT,
                   .min = 1,
                   .max = 1,
                   .def = 1,
                   .doc = "input MIDI channel (must be 1; other channels are ignored)"},
    [P_START_STOP] = {.key = "input.start-stop",
                      .osc = "start-stop",
                      .type = AT_PARAM_BOOL,
                      .flags = AT_PARAM_LIVE,
                      .def = 1,
                      .doc = "pass START/STOP to the destinations"},
    [P_PORTAMENTO] = {.key = "input.portamento",
                      .osc = "portamento",
                      .type = AT_PARAM_ENUM,
                      .flags = AT_PARAM_LIVE,
                      .def = 0,
                      .choices = {"rez", "resonance", "modwheel", "off"},
                      .doc = "mod wheel drives portamento (rez/resonance/modwheel) or not (off)"},
    [P_PORTA_MAX] = {.key = "input.portamento-max",
                     .osc = "portamento-max",
                     .type = AT_PARAM_INT,
                     .flags = AT_PARAM_LIVE,
                     .min = 0,
                     .max = 127,
                     .def = 32,
                     .doc = "portamento time (CC5) at full mod wheel"},
    [P_SEED] = {.key = "input.seed",
                .osc = "seed",
                .type = AT_PARAM_INT,
                .flags = AT_PARAM_LIVE,
                .min = 0,
                .max = 2147483647,
                .def = 0,
                .doc = "random seed: the same seed and input replay the same music; 0 = random "
                       "(the seed used is logged)"},
    [P_KEY] = {.key = "input.key",
               .osc = "key",
               .type = AT_PARAM_ENUM,
               .flags = AT_PARAM_LIVE,
               .def = 5,
               .choices = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"},
               .doc = "key of the sequences; a note-on on channel 1 sets it"},
    [P_PANIC] = {.key = "panic",
                 .osc = "panic",
                 .type = AT_PARAM_ACTION,
                 .doc = "stop the sequencers and silence every destination"},
    [P_IN_CONNECT] = {.key = "input.connect",
                      .type = AT_PARAM_STRLIST,
                      .doc = "ports to take clock, transport and controls from"},
    DEST_PARAMS(P_RED, "red", "red", 2, "the red Mother-32"),
    DEST_PARAMS(P_BLUE, "blue", "blue", 3, "the blue Mother-32"),
    DEST_PARAMS(P_GREEN, "green", "green", 4, "the Subharmonicon"),
};

typedef struct {
    Mg mg;
    int in;
    int out[MG_DEST_COUNT]; /* port handle of each destination */
    uint32_t seen_ignored, seen_unhandled, seen_malformed;
} Shell;

static const AtDest dests[MG_DEST_COUNT] = {
    {"red.port", "Red Mother-32", "red.connect"},
    {"blue.port", "Blue Mother-32", "blue.connect"},
    {"green.port", "Subharmonicon", "green.connect"},
};

/* Seeds 0 means "random": pick one that fits the seed parameter, so the
 * logged value can be put in the config to replay the run. */
static uint64_t effective_seed(int seed)
{
    if (seed > 0)
        return (uint64_t)seed;
    return 1 + at_rand_entropy_seed() % 2147483646u;
}

static MgConfig config_from(const AtParams *p)
{
    MgConfig c = {
        .start_stop = at_params_bool(p, "input.start-stop"),
        .portamento = (MgPortamento)at_params_int(p, "input.portamento"),
        .portamento_max = at_params_int(p, "input.portamento-max"),
        .channel = {(uint8_t)(at_params_int(p, "red.channel") - 1),
                    (uint8_t)(at_params_int(p, "blue.channel") - 1),
                    (uint8_t)(at_params_int(p, "green.channel") - 1)},
        .key = at_params_int(p, "input.key"),
        .seed = effective_seed(at_params_int(p, "input.seed")),
    };
    return c;
}

static AtStatus setup(AtApp *app, void **core, char *err, size_t errlen)
{
    const AtParams *p = at_app_params(app);
    Shell *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return AT_ERR_RUNTIME;
    }
    MgConfig cfg = config_from(p);
    mg_init(&s->mg, &cfg);
    at_info("seed %llu%s", (unsigned long long)cfg.seed,
            at_params_int(p, "input.seed") ? "" : " (random; set input.seed to replay)");
    s->in = at_app_add_port(app, "midi_in", AT_PORT_MIDI_IN, "Clock and controls", NULL,
                            "input.connect");
    AtStatus st = s->in < 0 ? AT_ERR_RUNTIME
                            : at_app_add_dests(app, dests, MG_DEST_COUNT, s->out, err, errlen);
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

static void outputs(Shell *s, AtCycle *c, AtMidiBuf *out[MG_DEST_COUNT])
{
    at_cycle_dest_outs(c, s->out, MG_DEST_COUNT, out);
}

/* Turn the core's counters into log lines (formatted later, off RT). */
static void log_counters(Shell *s, AtCycle *c)
{
    Mg *mg = &s->mg;
    if (mg->ignored_channel != s->seen_ignored) {
        at_cycle_log(c, "ignored %d message(s) not on channel 1 (total %d)",
                     (int)(mg->ignored_channel - s->seen_ignored), (int)mg->ignored_channel);
        s->seen_ignored = mg->ignored_channel;
    }
    if (mg->unhandled != s->seen_unhandled) {
        at_cycle_log(c,
                     "ignored %d message(s) with no job here (unknown CC, program change, "
                     "continue or song position while running...; total %d)",
                     (int)(mg->unhandled - s->seen_unhandled), (int)mg->unhandled);
        s->seen_unhandled = mg->unhandled;
    }
    if (mg->malformed != s->seen_malformed) {
        at_cycle_log(c, "dropped %d malformed MIDI message(s) (total %d)",
                     (int)(mg->malformed - s->seen_malformed), (int)mg->malformed);
        s->seen_malformed = mg->malformed;
    }
}

static void process(void *core, AtCycle *c)
{
    Shell *s = core;
    AtMidiBuf *out[MG_DEST_COUNT];
    outputs(s, c, out);
    const AtMidiBuf *in = c->midi[s->in];
    mg_process(&s->mg, in->events, in->count, out);
    if (s->mg.key_changed) {
        s->mg.key_changed = false;
        at_cycle_report(c, P_KEY, s->mg.cfg.key, 0);
    }
    log_counters(s, c);
}

static void param(void *core, AtParamMsg *m, AtCycle *c)
{
    Shell *s = core;
    AtMidiBuf *out[MG_DEST_COUNT];
    switch (m->index) {
    case P_START_STOP:
        mg_set_start_stop(&s->mg, m->i != 0);
        break;
    case P_PORTAMENTO:
        mg_set_portamento(&s->mg, (MgPortamento)m->i);
        break;
    case P_PORTA_MAX:
        mg_set_portamento_max(&s->mg, m->i);
        break;
    case P_KEY:
        mg_set_key(&s->mg, m->i);
        break;
    case P_SEED: {
        uint64_t seed = effective_seed(m->i);
        mg_set_seed(&s->mg, seed);
        if (m->i == 0 && c->app)
            at_cycle_log(c, "seed 0: using seed %d (set input.seed = %d to replay)", (int)seed,
                         (int)seed);
        break;
    }
    case P_PANIC:
        outputs(s, c, out);
        mg_shutdown(&s->mg, 0, out);
        break;
    default:
        break;
    }
}

static unsigned dests_on(const Shell *s, int handle)
{
    unsigned mask = 0;
    for (int d = 0; d < MG_DEST_COUNT; d++)
        if (s->out[d] == handle)
            mask |= 1u << d;
    return mask;
}

static void connected(void *core, int handle, AtCycle *c)
{
    Shell *s = core;
    AtMidiBuf *out[MG_DEST_COUNT];
    outputs(s, c, out);
    mg_setup_dests(&s->mg, dests_on(s, handle), 0, out);
}

static void on_shutdown(void *core, AtCycle *c)
{
    Shell *s = core;
    AtMidiBuf *out[MG_DEST_COUNT];
    outputs(s, c, out);
    mg_shutdown(&s->mg, 0, out);
}

const AtTool mothergen_tool = {
    .name = "mothergen",
    .summary = "Self-generating sequences for two Mother-32s (red, blue) and a Subharmonicon "
               "(green), driven by MIDI clock on midi_in.",
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
    return at_app_main(&mothergen_tool, argc, argv);
}
