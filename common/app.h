/* app.h - the shell every JACK tool shares: options, config, JACK client
 * and ports (with metadata and connect-by-name), the RT process callback,
 * OSC, NSM, signals and a clean shutdown.
 *
 * A tool supplies an AtTool, its parameter table and callbacks, defined
 * with AT_TOOL (below) at the end of its main.c. The RT callbacks
 * (process, param, connected, shutdown) run in JACK's process thread and
 * must not block, allocate, lock or print: they only touch the core and
 * the AtCycle they are given. Everything else runs in the control
 * (main) thread. Threads talk through jack_ringbuffers only; see
 * docs/threads.md. */
#ifndef AT_APP_H
#define AT_APP_H

#include "midi.h"
#include "params.h"

#include <stdbool.h>
#include <stdint.h>

#define AT_APP_MAX_PORTS 16
/* The exit status of a tool JACK stopped calling while running under NSM
 * (docs/threads.md, "A client JACK stops waking"); the session manager
 * restarts it like any client that died. */
#define AT_EXIT_STALLED 75
/* Capacity of each MIDI port's event list per cycle. */
#define AT_APP_MIDI_CAPACITY 2048

typedef enum {
    AT_PORT_MIDI_IN,
    AT_PORT_MIDI_OUT,
    AT_PORT_AUDIO_IN,
    AT_PORT_AUDIO_OUT,
} AtPortKind;

typedef struct AtApp AtApp;

/* A parameter change on its way to the RT thread. */
typedef struct {
    int32_t index; /* parameter index in the registry */
    int32_t i;     /* INT, BOOL, ENUM value */
    double f;      /* FLOAT, DURATION value */
    void *ptr;     /* resource made by AtTool.prepare, or NULL */
} AtParamMsg;

/* What the RT callbacks see in one process cycle. */
typedef struct AtCycle {
    uint32_t nframes;
    uint32_t rate;
    uint64_t frame_time;               /* frame count at the start of the cycle */
    AtMidiBuf *midi[AT_APP_MAX_PORTS]; /* MIDI ports by handle: inputs filled in
                                          frame order, outputs empty to be filled
                                          in any order (sorted before writing) */
    float *audio[AT_APP_MAX_PORTS];    /* audio ports by handle */
    void *jack_client;                 /* jack_client_t*, for transport queries */
    AtApp *app;
} AtCycle;

typedef struct {
    const char *name;        /* "fmsynth": program aiotone-fmsynth, OSC /fmsynth */
    const char *summary;     /* one line for --help */
    const char *usage_extra; /* extra --help text (options the tool adds), or NULL */
    const AtParamDef *params;
    size_t n_params;

    /* Control thread, after the config is loaded and before JACK runs:
     * make the core (from the registry's values and the sample rate) and
     * declare ports with at_app_add_port. */
    AtStatus (*setup)(AtApp *app, void **core, char *err, size_t errlen);
    /* Control thread, after JACK is closed: free the core. */
    void (*teardown)(void *core);

    /* RT: one cycle. */
    void (*process)(void *core, AtCycle *cycle);
    /* RT: apply a parameter change (already validated). If the message
     * carries a prepared resource, the callback may swap it in and put the
     * resource to free back into msg->ptr (or set it to NULL). */
    void (*param)(void *core, AtParamMsg *msg, AtCycle *cycle);
    /* RT, optional: a MIDI output port (handle) got a new connection, in
     * the first cycle whose graph carries it, so what the tool writes now
     * reaches the new listener (called for every connection made to it, so
     * each new listener is silenced). */
    void (*connected)(void *core, int handle, AtCycle *cycle);
    /* RT, optional: last cycle before shutdown (silence destinations). */
    void (*shutdown)(void *core, AtCycle *cycle);

    /* Control thread, optional: prepare a resource for a parameter change
     * (e.g. allocate voices for a new polyphony). Returns NULL when none is
     * needed; sets *fail on an allocation failure. */
    void *(*prepare)(void *core, const AtParams *params, int index, bool *fail);
    /* Control thread, optional: free a resource handed back by param. */
    void (*release)(void *resource);

    /* Control thread, optional: parameter index was just set in the
     * registry from outside (OSC, NSM, a loaded preset), before the RT
     * thread hears of it. Return false with a reason in err to refuse it
     * (the old value is then restored). */
    bool (*changed)(AtApp *app, void *core, int index, char *err, size_t errlen);

    /* Optional: handle a tool-specific command-line mode before JACK
     * (e.g. fmsynth --render). Called with the leftover arguments after
     * the common options; returns -1 to go on with the JACK client, or an
     * exit status. */
    int (*offline)(AtApp *app, int argc, char **argv);

    /* Control thread, optional: called about every 20 ms while running
     * (progress lines, supervising a writer thread). */
    void (*idle)(AtApp *app, void *core);

    /* Optional: check the loaded values as a whole, beyond what the
     * registry checks key by key (e.g. a note list), without JACK; used by
     * --check-config. Returns AT_ERR_USAGE with the key and what is wrong
     * in err. */
    AtStatus (*validate)(AtApp *app, char *err, size_t errlen);

    /* Control thread, optional: the NSM server said the session is loaded
     * (every client open, its connections made). */
    void (*session_loaded)(AtApp *app, void *core);
} AtTool;

/* Run the tool: parse options, load the config, run as a JACK client (or
 * under NSM) until SIGINT/SIGTERM. Returns the process exit status. */
int at_app_main(const AtTool *tool, int argc, char **argv);

/* The one way to define a tool, at the end of its main.c:
 *
 *   AT_TOOL(mothergen, params, "Self-generating sequences for ...",
 *           .connected = connected, .shutdown = on_shutdown);
 *
 * defines the AtTool mothergen_tool (the name the LV2 bundle's plugins.c
 * knows it by) and main(), which runs it with at_app_main. Its name is
 * "mothergen"; its parameters are the array params (n_params its length);
 * its hooks setup, teardown, process and param are the file's functions of
 * those names (every tool has these four); after the summary come the
 * tool's other fields as designated initialisers: the optional hooks it
 * has (connected, shutdown, prepare, release, changed, offline, idle,
 * validate, session_loaded) and usage_extra. The LV2 build (AT_LV2_SHELL,
 * plugins/lv2/) gets no main(): a plugin has no command line. */
#define AT_TOOL(name_, params_, ...)                                                               \
    AT_TOOL_WITH_(name_, params_, setup, teardown, process, param, .summary = __VA_ARGS__)
/* AT_TOOL with the four hooks named (a shared shell's, as seqshell.h's);
 * after them, the other fields. */
#define AT_TOOL_WITH_(name_, params_, setup_, teardown_, process_, param_, ...)                    \
    extern const AtTool name_##_tool;                                                              \
    AT_TOOL_MAIN_(name_)                                                                           \
    const AtTool name_##_tool = {.name = #name_,                                                   \
                                 .params = (params_),                                              \
                                 .n_params = AT_COUNT_(params_),                                   \
                                 .setup = (setup_),                                                \
                                 .teardown = (teardown_),                                          \
                                 .process = (process_),                                            \
                                 .param = (param_),                                                \
                                 __VA_ARGS__}
/* The number of elements of array a. */
#define AT_COUNT_(a) (sizeof(a) / sizeof((a)[0]))
#ifdef AT_LV2_SHELL
#define AT_TOOL_MAIN_(name_)
#else
#define AT_TOOL_MAIN_(name_)                                                                       \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        return at_app_main(&name_##_tool, argc, argv);                                             \
    }
#endif

/* Declare a port during setup (JACK registers it once the client runs its
 * process callback; until then the tool's process gets a stand-in). connect_key names a STRLIST
 * parameter whose entries are peers to connect to (full name, alias or pretty name), or NULL.
 * pretty and group are JACK metadata (pretty-name, port-group; may be NULL). Two MIDI outputs with
 * the same short name share one port: the same handle is returned. Returns the handle (>= 0) or -1.
 */
int at_app_add_port(AtApp *app, const char *short_name, AtPortKind kind, const char *pretty,
                    const char *group, const char *connect_key);
/* A MIDI destination whose output port is named by a parameter, as in
 * redblue (red, blue), mothergen (red, blue, green) and circuits. */
typedef struct {
    const char *port_key;    /* STRING parameter: the port's short name */
    const char *pretty;      /* this destination's pretty name */
    const char *connect_key; /* STRLIST parameter of peers to connect, or NULL */
} AtDest;
/* Declare the output ports of n destinations during setup; handles[d] gets
 * destination d's port. Destinations that name the same port share it, and
 * its pretty name lists them all ("Red Mother-32 + Subharmonicon"). A name
 * must be a short JACK port name (not empty, no ':') that no port of
 * another kind has: else AT_ERR_USAGE with the key and the value. */
AtStatus at_app_add_dests(AtApp *app, const AtDest *dests, int n, int *handles, char *err,
                          size_t errlen);
/* RT: out[d] = the output list of destination d's port (handles from
 * at_app_add_dests). */
void at_cycle_dest_outs(const AtCycle *c, const int *handles, int n, AtMidiBuf **out);

/* Add peers to connect port handle to (also usable during setup). */
void at_app_add_connect(AtApp *app, int handle, const char *peer);

/* Control thread: load a config file (e.g. a preset) into the registry
 * and send every parameter it set to the RT thread; surfaces are told. */
AtStatus at_app_load_values(AtApp *app, const char *path, char *err, size_t errlen);
/* Control thread: set live parameter index to a number (an enum's index,
 * 0/1 for a bool) the way an OSC message does: validated, offered to the
 * tool's changed hook, sent to the RT thread, echoed to surfaces, saved
 * state marked dirty. AT_ERR_USAGE with the reason in err when refused. */
AtStatus at_app_set_number(AtApp *app, int index, double value, char *err, size_t errlen);
/* Control thread: the tool's core pointer (after setup). */
void *at_app_core(AtApp *app);

/* The registry (control thread only). */
AtParams *at_app_params(AtApp *app);
/* The JACK sample rate (valid from setup on). */
uint32_t at_app_rate(const AtApp *app);
/* The JACK client name in use. */
const char *at_app_client_name(const AtApp *app);
/* Under NSM: the client's session path from /nsm/client/open (the tool
 * keeps its data there: PATH.conf, or the folder PATH/); NULL when
 * standalone. Valid from setup on (it changes on an NSM switch). */
const char *at_app_session_path(const AtApp *app);

/* Control thread: end the run (as if SIGTERM came) with exit status. */
void at_app_quit(AtApp *app, int status);
/* RT: ask the control thread to end the run with exit status. */
void at_cycle_quit(AtCycle *cycle, int status);

/* RT: report that the core changed a parameter by itself (a mode key, a
 * transposition), so surfaces and saved state follow. */
void at_cycle_report(AtCycle *cycle, int index, int32_t i, double f);
/* RT: log a message. fmt must be a string literal (it is formatted later
 * in the control thread) with at most two %d/%u/%x/%c conversions. */
void at_cycle_log(AtCycle *cycle, const char *fmt, int a, int b);

#endif
