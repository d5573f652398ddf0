/* main.c - aiotone-circuits: the JACK shell around the circuits core.
 * Declares the parameters once (config keys, OSC, saved state), maps the
 * Circuit (drums) and the Mono Station (bass) onto ports (the same port
 * name = one shared port) and hands each cycle's input to the core. */
#include "app.h"
#include "circuits.h"
#include "seqshell.h"

#include <stddef.h>

/* The core this shell drives (common/seqshell.h). */
AT_SEQ_CORE(ci, Ci, CiConfig);

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

static const AtShellDest dests[CI_DEST_COUNT] = {
    {P_CIRCUIT_PORT, P_CIRCUIT_CONNECT, "Circuit drums"},
    {P_MONO_PORT, P_MONO_CONNECT, "Mono Station bass"},
};

/* The Circuit sends much that has no job here: only malformed input is
 * worth a line. Not STOP to the Circuit when its port gets connected: it
 * is the clock master (ci_setup_dests). */
static const AtSeqShell shell =
    AT_SEQ_SHELL(ci, "From the Circuit", P_KEY_NOTE, cfg.key_note,
                 AT_SEQ_COUNT(Ci, malformed, "dropped %d malformed MIDI message(s) (total %d)"));

AT_SEQ_TOOL(circuits, shell,
            "Drums for a Novation Circuit and a bass line for a Circuit Mono Station, "
            "driven by the Circuit's MIDI clock on midi_in.");
