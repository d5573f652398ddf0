/* shellutil.h - what the MIDI tool shells (redblue, mothergen, circuits,
 * clock) need around their cores, written once: the table entries and the
 * ports of a destination (a port, a channel, a connect list), which
 * destinations a newly connected port carries, frames lost to an xrun, and
 * the cores' counters turned into log lines. The RT functions only read
 * and write the structs they are given and the cycle's log ring. */
#ifndef AT_SHELLUTIL_H
#define AT_SHELLUTIL_H

#include "app.h"

#include <stdbool.h>
#include <stdint.h>

/* The three table entries of the destination name ("red"): P##_PORT
 * (key name.port, its output port's short name, default name),
 * P##_CHANNEL (name.channel, 1..16, default channel, bound to field, an
 * AT_BIND of kind AT_FIELD_CHANNEL) and P##_CONNECT (name.connect, the
 * peers to connect its port to); what names the device in the docs ("the
 * red Mother-32"). The enum gets the three indexes from AT_DEST_ENUM(P). */
#define AT_DEST_DEFS(P, name, channel, bind, what)                                                 \
    [P##_PORT] = AT_STRING(name ".port", name,                                                     \
                           "MIDI output port towards " what " (same name = shared port)"),         \
    [P##_CHANNEL] =                                                                                \
        AT_INT(name ".channel", 1, 16, channel, "MIDI channel of " what, .field = bind),           \
    [P##_CONNECT] =                                                                                \
        AT_CONNECT_PARAM(name ".connect", "ports to connect the output towards " what " to")
#define AT_DEST_ENUM(P) P##_PORT, P##_CHANNEL, P##_CONNECT

/* The entry of a generator's random seed: top-level key "seed", live on
 * OSC "seed", 0..2147483647, 0 = random (resolved off the RT thread and
 * logged, see params.h); the arguments are its .field (an AT_BIND of kind
 * AT_FIELD_SEED), then any other fields:
 * [P_SEED] = AT_SEED_PARAM(AT_BIND(Cfg, seed, AT_FIELD_SEED)). */
#define AT_SEED_PARAM(...)                                                                         \
    AT_INT("seed", 0, 2147483647, 0,                                                               \
           "random seed: the same seed and input replay the same music; 0 = random (the seed "     \
           "used is logged)",                                                                      \
           .osc = "seed", .flags = AT_PARAM_LIVE, .field = __VA_ARGS__)

/* A destination by its table indexes (P##_PORT, P##_CONNECT). */
typedef struct {
    int port;           /* STRING parameter: the output port's short name */
    int connect;        /* STRLIST parameter: peers to connect it to */
    const char *pretty; /* the destination's pretty name */
} AtShellDest;

/* A MIDI tool's ports: midi_in and the output port of each destination. */
typedef struct {
    int in;                            /* midi_in's handle */
    int out[AT_APP_MAX_PORTS];         /* destination d's port handle */
    int n;                             /* destinations */
    AtMidiBuf *bufs[AT_APP_MAX_PORTS]; /* RT: the output lists at_shell_outs last saw */
} AtShellPorts;

/* Set-up: declare midi_in (pretty name in_pretty, peers from the STRLIST
 * parameter in_connect) and the output ports of n destinations
 * (at_app_add_dests: the same name = one shared port) into ports.
 * AT_ERR_USAGE for a bad port name, AT_ERR_RUNTIME when JACK refuses, with
 * the reason in err. */
AtStatus at_shell_midi_ports(AtApp *app, const char *in_pretty, int in_connect,
                             const AtShellDest *dests, int n, AtShellPorts *ports, char *err,
                             size_t errlen);

/* Set-up: "out of memory" into err; returns AT_ERR_RUNTIME. */
AtStatus at_shell_oom(char *err, size_t errlen);

/* RT: this cycle's input list. */
const AtMidiBuf *at_shell_input(const AtShellPorts *ports, const AtCycle *c);
/* RT: the destinations' output lists this cycle (element d: destination
 * d's), kept in ports->bufs until the next call. */
AtMidiBuf **at_shell_outs(AtShellPorts *ports, const AtCycle *c);
/* RT: when the core has set *changed (it moved parameter index by itself,
 * e.g. the key on a note-on), clear it and report the value i so surfaces
 * and saved state follow. */
void at_shell_report_if(AtCycle *c, bool *changed, int index, int32_t i);
/* RT: the destinations (bit d for destination d) whose output port is
 * handle, e.g. the ones a new connection of handle reaches. */
unsigned at_shell_dest_mask(const AtShellPorts *ports, int handle);

/* RT: a live change of a LIVE entry of table (n entries) bound to a field
 * (AT_BIND) is stored into cfg, the core's config struct; false when m is
 * not such a change (an action, a setter's job). */
bool at_shell_store(const AtParamDef *table, int n, const AtParamMsg *m, void *cfg);

/* The previous cycle, to see frames JACK skipped (zero it at set-up). */
typedef struct {
    uint32_t last_time, last_nframes;
    bool have_time;
} AtShellGap;

/* RT: frames JACK skipped between the previous cycle and this one (an
 * xrun), so timelines (slews, clock pulses) stay on real time. JACK frame
 * times are 32-bit and wrap; a step backwards counts as none. */
uint32_t at_shell_skipped(AtShellGap *g, const AtCycle *c);

/* RT: when a core's running count total has moved past *seen, log fmt (a
 * literal with two %d: the new ones, the total) and remember total. */
void at_shell_count(AtCycle *c, uint32_t total, uint32_t *seen, const char *fmt);

/* One kind of warning, told at most once a second with a count (zero it
 * at set-up). */
typedef struct {
    uint64_t last; /* frame time of the last line */
    int pending;   /* occurrences not yet told */
    bool told;     /* at least one line was told */
} AtShellWarn;

/* RT: count n occurrences; true when a line is due (the first at once,
 * then at most one a second), with *count the occurrences to tell. */
bool at_shell_warn_due(AtShellWarn *w, const AtCycle *c, uint32_t n, int *count);

#endif
