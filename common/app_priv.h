/* app_priv.h - what the parts of the tool shell (common/app*.c) share:
 * struct AtApp and the functions one part calls in another. Not for the
 * tools: they see app.h only. The parts, by concern (docs/architecture.md):
 *   app.c         accessors, the control loop, main
 *   app_rt.c      the RT cycle and JACK's notifications
 *   app_ports.c   the JACK client, its ports and connections
 *   app_params.c  parameter changes from outside and from the RT thread
 *   app_osc.c     the OSC surface
 *   app_nsm.c     NSM glue (save, switch)
 *   app_options.c the command line
 * Threads: docs/threads.md. */
#ifndef AT_APP_PRIV_H
#define AT_APP_PRIV_H

#include "app.h"
#include "nsm.h"
#include "osc.h"

#include <jack/jack.h>
#include <jack/ringbuffer.h>
#include <stdatomic.h>

#define AT_APP_RING_MSGS 1024

/* A message the RT thread logs (at_cycle_log), printed by the control
 * thread. */
typedef struct {
    const char *fmt;
    int a, b;
} AtLogMsg;

typedef struct {
    char name[64];
    AtPortKind kind;
    jack_port_t *port;
    char *pretty, *group; /* metadata, set when the port is registered */
    atomic_int live;      /* registered: the RT thread may use port */
    AtMidiBuf buf;
    AtMidiEvent *storage;
    char **peers;
    int n_peers;
    int rt_connections; /* peers in the graph of the last cycle (RT only) */
} AtAppPort;

/* The control thread's watch for a client JACK stopped calling
 * (app_stall.c). */
typedef struct {
    double since;   /* when cycles last changed (monotonic s), 0: not watching */
    unsigned seen;  /* cycles then */
    uint32_t frame; /* the server's frame time then */
    double suspect; /* when the stall was first seen long enough, 0: not yet */
    uint32_t suspect_frame;
    bool reported; /* said, and not called since */
} AtStall;

struct AtApp {
    const AtTool *tool;
    AtParams *params;
    void *core;
    bool core_made;
    jack_client_t *client;
    char client_name[128];
    const char *server;
    const char *config;    /* -c FILE, or NULL */
    int osc_port_override; /* --osc-port, or -1 */
    uint32_t rate;
    AtAppPort ports[AT_APP_MAX_PORTS];
    int n_ports;
    atomic_int rt_started; /* the process callback has been called */
    atomic_uint cycles;    /* process calls (app_stall.c watches it) */
    AtStall stall;
    float *silence, *scratch; /* stand-ins for audio ports not yet registered */
    uint32_t scratch_frames;
    jack_ringbuffer_t *to_rt, *reports, *garbage, *logs;
    atomic_int shutdown_req, shutdown_done, server_gone, rescan, quit_status;
    atomic_uint xruns, midi_dropped, sysex_ignored, late_writes;
    AtOsc *osc;
    AtNsm *nsm;
    char nsm_path[4096]; /* "" when standalone */
    int wake[2];
    bool dirty;
    int exit_status;
    AtCycle cycle;
};

/* The command line (app_options.c). */
typedef struct {
    const char *config;
    const char *name;
    const char *server;
    const char *touchosc;
    const char *check; /* --check-config FILE */
    int osc_port;      /* -1: from config */
    bool make_config;
    int verbosity;
    char **rest; /* rest[0] = argv[0], then the words the shell does not know */
    int n_rest;
    char **words; /* the copy getopt_long reads (values point into it) */
    int n_words;
} AtAppOptions;

/* app.c */
void at_app_wake(AtApp *app);
/* Print what the RT thread logged, take its parameter reports, free what
 * it handed back. */
void at_app_drain_rt(AtApp *app);

/* app_rt.c: set the process callback and JACK's notifications. */
void at_app_rt_callbacks(AtApp *app);

/* app_ports.c */
AtStatus at_app_open_jack(AtApp *app, const char *name, char *err, size_t errlen);
void at_app_close_jack(AtApp *app);
void at_app_graceful_stop(AtApp *app);
/* Make every wanted connection whose peer exists now. */
void at_app_connect_pending(AtApp *app);

/* app_stall.c: called by the control loop; reports a client JACK has not
 * called for 3 s while the server ran, and under NSM exits with
 * AT_EXIT_STALLED. */
void at_app_check_stall(AtApp *app);

/* app_params.c */
/* The RT thread runs (changes go through the ring). */
bool at_app_rt_running(const AtApp *app);
/* After the registry's value of i changed: consult the tool, tell RT,
 * echo, mark dirty. On refusal restore old. */
bool at_app_commit_change(AtApp *app, int i, AtParamValue *old, char *err, size_t errlen);
void at_app_mark_dirty(AtApp *app);

/* app_osc.c */
AtStatus at_app_start_osc(AtApp *app, char *err, size_t errlen);
/* Tell every surface the current value of parameter i. */
void at_app_echo_param(AtApp *app, int i);

/* app_nsm.c: wait for NSM's open when NSM_URL is set; name becomes the
 * client id. Returns -1 to go on, or an exit status. */
int at_app_nsm_start(AtApp *app, const char *prog, const char *argv0, const char **name,
                     char *name_buf, size_t name_len, char *err, size_t errlen);

/* app_options.c: returns -1 to go on, or an exit status. */
int at_app_parse_options(const AtTool *t, int argc, char **argv, AtAppOptions *o);
void at_app_free_options(AtAppOptions *o);
/* The modes that end before JACK (--make-config, -c errors, --check-config,
 * --touchosc-layout, the tool's offline modes); -1 to go on. */
int at_app_early_modes(AtApp *app, const AtAppOptions *o);

#endif
