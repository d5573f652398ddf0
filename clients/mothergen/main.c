/* main.c - aiotone-mothergen: the JACK shell around the mothergen core.
 * Declares the parameters once (config keys, OSC, saved state), maps the
 * three destinations onto ports (destinations naming the same port share
 * it) and hands each cycle's input to the core. */
#include "app.h"
#include "mothergen.h"
#include "seqshell.h"

#include <stddef.h>

/* The core this shell drives (common/seqshell.h). */
AT_SEQ_CORE(mg, Mg, MgConfig);

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

static const AtShellDest dests[MG_DEST_COUNT] = {
    {P_RED_PORT, P_RED_CONNECT, "Red Mother-32"},
    {P_BLUE_PORT, P_BLUE_CONNECT, "Blue Mother-32"},
    {P_GREEN_PORT, P_GREEN_CONNECT, "Subharmonicon"},
};

static const AtSeqShell shell = AT_SEQ_SHELL(
    mg, "Clock and controls", P_KEY, cfg.key,
    AT_SEQ_COUNT(Mg, ignored_channel, "ignored %d message(s) not on channel 1 (total %d)"),
    AT_SEQ_COUNT(Mg, unhandled,
                 "ignored %d message(s) with no job here (unknown CC, program change, "
                 "continue or song position while running...; total %d)"),
    AT_SEQ_COUNT(Mg, malformed, "dropped %d malformed MIDI message(s) (total %d)"));

AT_SEQ_TOOL(mothergen, shell,
            "Self-generating sequences for two Mother-32s (red, blue) and a Subharmonicon "
            "(green), driven by MIDI clock on midi_in.");
