/* seqshell.h - the one JACK shell of the clock-driven MIDI sequencers
 * (circuits, mothergen; docs/architecture.md, "Sequencer tools"): one
 * input port for clock, transport and controls, a MIDI destination per
 * device (destinations naming the same port share it), and a pure core
 * with five functions:
 *
 *   void X_init(Core *, const Config *);
 *   void X_process(Core *, const AtMidiEvent *in, size_t n, AtMidiBuf *const out[]);
 *   void X_setup_dests(Core *, unsigned dest_mask, uint32_t frame, AtMidiBuf *const out[]);
 *   void X_shutdown(Core *, uint32_t frame, AtMidiBuf *const out[]);
 *   void X_set_seed(Core *, uint64_t seed);
 *
 * A tool's main.c declares its parameters and destinations as every tool
 * does, describes the rest in an AtSeqShell and ends with AT_SEQ_TOOL:
 *
 *   AT_SEQ_CORE(mg, Mg, MgConfig);
 *   static const AtSeqShell shell = AT_SEQ_SHELL(mg, "Clock and controls", P_KEY, cfg.key,
 *       AT_SEQ_COUNT(Mg, malformed, "dropped %d malformed MIDI message(s) (total %d)"));
 *   AT_SEQ_TOOL(mothergen, shell, "Self-generating sequences ...");
 *
 * What the shell does with it: set-up fills the Config from the
 * parameters, starts the core and declares the ports; each cycle hands
 * the input to X_process, reports the key when the core moved it and
 * turns the core's counters into log lines; a live parameter is stored
 * into the core's config (AT_BIND), the seed parameter reseeds the core,
 * the panic parameter and the last cycle call X_shutdown, and a new
 * connection of a destination's port calls X_setup_dests for it. */
#ifndef AT_SEQSHELL_H
#define AT_SEQSHELL_H

#include "app.h"
#include "shellutil.h"

#include <stddef.h>
#include <stdint.h>

/* The core's five functions, called with the core (and its config) as
 * void pointers, the sizes of both and where in the core its config (the
 * member cfg, where the bound live values go) and its key_changed flag
 * (a bool the core sets when it moved the key) are. AT_SEQ_CORE makes
 * one. */
typedef struct {
    void (*init)(void *core, const void *config);
    void (*process)(void *core, const AtMidiEvent *in, size_t n, AtMidiBuf *const *out);
    void (*setup_dests)(void *core, unsigned dest_mask, uint32_t frame, AtMidiBuf *const *out);
    void (*shutdown)(void *core, uint32_t frame, AtMidiBuf *const *out);
    void (*set_seed)(void *core, uint64_t seed);
    size_t core_size, config_size;
    size_t config, key_changed; /* offsetof(Core, cfg), offsetof(Core, key_changed) */
} AtSeqCore;

/* A counter of the core (a uint32_t that only grows) the shell turns into
 * log lines: message has two %d, the new ones and the total. */
typedef struct {
    size_t offset; /* offsetof(Core, member) */
    const char *message;
} AtSeqCounter;

#define AT_SEQ_MAX_COUNTERS 4

typedef struct {
    const AtSeqCore *core;
    const char *input; /* midi_in's pretty name */
    /* The key the core moves by itself (a note-on): parameter key is
     * reported with the int at key_value (an offset into the core) when the
     * core's key_changed is set. */
    int key;
    size_t key_value;
    AtSeqCounter counters[AT_SEQ_MAX_COUNTERS]; /* in the order the lines come; unused: NULL */
} AtSeqShell;

/* What AT_SEQ_TOOL takes from the tool's main.c by name: its parameter
 * table, its destinations and three of its parameters. */
typedef struct {
    const AtParamDef *params; /* params[] */
    int n_params;
    const AtShellDest *dests; /* dests[] */
    int n_dests;
    int in_connect; /* P_IN_CONNECT: STRLIST of peers for midi_in */
    int seed;       /* P_SEED: the SEED parameter */
    int panic;      /* P_PANIC: the action parameter */
} AtSeqNames;

/* The hooks (app.h's AtTool): set-up in the control thread, the rest RT. */
AtStatus at_seq_setup(const AtSeqShell *d, const AtSeqNames *names, AtApp *app, void **state,
                      char *err, size_t errlen);
void at_seq_teardown(void *state);
void at_seq_process(void *state, AtCycle *c);
void at_seq_param(void *state, AtParamMsg *m, AtCycle *c);
void at_seq_connected(void *state, int handle, AtCycle *c);
void at_seq_shutdown(void *state, AtCycle *c);

/* Defines prefix_seq_core, the AtSeqCore of the core whose functions are
 * prefix_init ... prefix_set_seed (core type Core, config type Config):
 * each is called through a small adapter that takes void pointers. Once
 * per main.c, before its AtSeqShell. */
#define AT_SEQ_CORE(prefix, Core, Config)                                                          \
    typedef Core prefix##_seq_type;                                                                \
    static void prefix##_seq_init(void *core, const void *config)                                  \
    {                                                                                              \
        prefix##_init((Core *)core, (const Config *)config);                                       \
    }                                                                                              \
    static void prefix##_seq_process(void *core, const AtMidiEvent *in, size_t n,                  \
                                     AtMidiBuf *const *out)                                        \
    {                                                                                              \
        prefix##_process((Core *)core, in, n, out);                                                \
    }                                                                                              \
    static void prefix##_seq_setup_dests(void *core, unsigned mask, uint32_t frame,                \
                                         AtMidiBuf *const *out)                                    \
    {                                                                                              \
        prefix##_setup_dests((Core *)core, mask, frame, out);                                      \
    }                                                                                              \
    static void prefix##_seq_shutdown(void *core, uint32_t frame, AtMidiBuf *const *out)           \
    {                                                                                              \
        prefix##_shutdown((Core *)core, frame, out);                                               \
    }                                                                                              \
    static void prefix##_seq_set_seed(void *core, uint64_t seed)                                   \
    {                                                                                              \
        prefix##_set_seed((Core *)core, seed);                                                     \
    }                                                                                              \
    static const AtSeqCore prefix##_seq_core = {                                                   \
        prefix##_seq_init,     prefix##_seq_process,  prefix##_seq_setup_dests,                    \
        prefix##_seq_shutdown, prefix##_seq_set_seed, sizeof(Core),                                \
        sizeof(Config),        offsetof(Core, cfg),   offsetof(Core, key_changed)}

/* The AtSeqShell of the core prefix (AT_SEQ_CORE): midi_in's pretty name,
 * the parameter the core's key moves and the core's member that holds it,
 * then its counters (AT_SEQ_COUNT), in the order their lines come. */
#define AT_SEQ_SHELL(prefix, input_, key_, key_member, ...)                                        \
    {                                                                                              \
        .core = &prefix##_seq_core, .input = (input_), .key = (key_),                              \
        .key_value = offsetof(prefix##_seq_type, key_member), .counters = {                        \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }
/* A counter of core type Core: its member and its log line (two %d: the
 * new ones, the total). */
#define AT_SEQ_COUNT(Core, member, message)                                                        \
    {                                                                                              \
        offsetof(Core, member), (message)                                                          \
    }

/* The tool, as AT_TOOL (app.h) makes it, with the hooks above and shell_
 * its AtSeqShell. As AT_TOOL takes the hooks by their names, this takes
 * the table params, the destinations dests and the parameters
 * P_IN_CONNECT, P_SEED and P_PANIC by theirs. After the summary, further
 * AtTool fields. */
#define AT_SEQ_TOOL(name_, shell_, ...)                                                            \
    static AtStatus setup(AtApp *app, void **state, char *err, size_t errlen)                      \
    {                                                                                              \
        const AtSeqNames names = {                                                                 \
            params, (int)AT_COUNT_(params), dests, (int)AT_COUNT_(dests), P_IN_CONNECT, P_SEED,    \
            P_PANIC};                                                                              \
        return at_seq_setup(&(shell_), &names, app, state, err, errlen);                           \
    }                                                                                              \
    AT_TOOL_WITH_(name_, params, setup, at_seq_teardown, at_seq_process, at_seq_param,             \
                  .connected = at_seq_connected, .shutdown = at_seq_shutdown,                      \
                  .summary = __VA_ARGS__)

#endif
