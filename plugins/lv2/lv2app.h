/* lv2app.h - the LV2 shell's side of common/app.h: the same AtTool a JACK
 * tool hands to at_app_main() runs inside an LV2 plugin. lv2app.c
 * implements app.h's functions for a plugin instance (ports declared by the
 * tool's setup become LV2 ports, RT logs go to a ring the plugin drains
 * through its worker), and describes each plugin's ports from the tool's
 * own table and setup, so the Turtle generator (gen-ttl.c) and the plugin
 * (plugin.c) derive the same port list from one place. No LV2 header here:
 * only plugin.c speaks LV2. See docs/lv2.md. */
#ifndef AT_LV2APP_H
#define AT_LV2APP_H

#include "app.h"
#include "hostclock.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define AT_LV2_URI_PREFIX "urn:aiotone:"
#define AT_LV2_MAX_PORTS 64
#define AT_LV2_MAX_LOGS 16
/* Version of the saved state's layout; a newer one is refused. */
#define AT_LV2_STATE_VERSION 1

/* One plugin: which tool, and what the LV2 shell adds to its table. */
typedef struct {
    const char *name;  /* "fmsynth": URI urn:aiotone:fmsynth */
    const char *label; /* human name */
    const char *klass; /* lv2 class: "InstrumentPlugin", "MIDIPlugin" */
    const AtTool *tool;
    const char *const *state_only; /* live keys kept as state, not ports (NULL-ended) */
    bool transport;                /* a sequencer: follows the host's time:Position */
} AtLv2Plugin;

/* The fields that follow from the tool's name t (fmsynth: URI
 * urn:aiotone:fmsynth, label "aiotone fmsynth", its AtTool fmsynth_tool)
 * and its lv2 class klass_. */
#define AT_LV2_PLUGIN(t, klass_)                                                                   \
    .name = #t, .label = "aiotone " #t, .klass = klass_, .tool = &t##_tool

/* The plugins of the bundle, NULL-terminated. */
extern const AtLv2Plugin *const at_lv2_plugins[];

typedef enum {
    AT_LV2_PORT_MIDI_IN,   /* atom sequence in (MIDI, time:Position) */
    AT_LV2_PORT_MIDI_OUT,  /* atom sequence out (MIDI) */
    AT_LV2_PORT_AUDIO_OUT, /* audio out */
    AT_LV2_PORT_CONTROL,   /* control in, one per live parameter */
    AT_LV2_PORT_TRIGGER,   /* control in, an action (panic) */
} AtLv2PortKind;

/* One LV2 port. */
typedef struct {
    AtLv2PortKind kind;
    char symbol[64];
    char name[128];
    int handle; /* MIDI/audio: the tool's port handle */
    int param;  /* CONTROL/TRIGGER: registry index */
} AtLv2Port;

/* A logged line from the RT thread, formatted later. */
typedef struct {
    const char *fmt;
    int a, b;
} AtLv2Log;

/* The plugin instance as app.h sees it. */
struct AtApp {
    const AtLv2Plugin *plug;
    AtParams *params;
    uint32_t rate;
    void *core;
    /* ports declared by the tool's setup, by handle */
    int n_tool_ports;
    AtPortKind tool_kind[AT_APP_MAX_PORTS];
    char tool_symbol[AT_APP_MAX_PORTS][64];
    char tool_pretty[AT_APP_MAX_PORTS][128];
    AtCycle cycle;
    AtMidiBuf bufs[AT_APP_MAX_PORTS];
    AtMidiEvent *storage; /* AT_APP_MIDI_CAPACITY events per port */
    AtLv2Log logs[AT_LV2_MAX_LOGS];
    int n_logs;
    uint32_t logs_lost;
    /* live values as the RT thread last applied them (read by state save,
     * which may run at the same time as run()) */
    _Atomic int32_t *live_i;
    _Atomic double *live_f;
};

/* LV2 port symbol of a config key: dots and dashes become underscores and
 * a leading "patch." or "input." is dropped ("patch.op2.ratio" ->
 * "op2_ratio", "input.start-stop" -> "start_stop"). */
void at_lv2_symbol(const char *key, char *out, size_t outlen);
/* The tool's parameter table. */
const AtParamDef *at_lv2_defs(const AtLv2Plugin *plug, size_t *n);
/* True when registry parameter i of plug is a control (or trigger) port. */
bool at_lv2_is_port_param(const AtLv2Plugin *plug, const AtParamDef *d);

/* Make an instance: a registry at its defaults, the tool's core (setup)
 * for rate. NULL with a reason in err on failure. */
AtApp *at_lv2_app_new(const AtLv2Plugin *plug, uint32_t rate, char *err, size_t errlen);
/* Free an instance and its core. */
void at_lv2_app_free(AtApp *app);
/* Replace the registry by reg (taken over) and rebuild the core from it;
 * on failure the instance is unchanged, reg is freed and err says why. */
bool at_lv2_app_rebuild(AtApp *app, AtParams *reg, char *err, size_t errlen);
/* The instance's LV2 ports in index order; returns their count. */
int at_lv2_ports(const AtApp *app, AtLv2Port *ports, int max);
/* The control value of registry parameter i for a port. */
float at_lv2_param_port_value(const AtParams *reg, int i);
/* A port value as a parameter message (clamped to the range, whole
 * numbers rounded); false for NaN. */
bool at_lv2_param_msg(const AtParams *reg, int i, float v, AtParamMsg *msg);
/* Record a value applied in RT (for state save). */
void at_lv2_live_store(AtApp *app, const AtParamMsg *m);
/* Copy the live values into the registry (state save). */
void at_lv2_live_to_registry(AtApp *app);
/* The registry written as the tool's NSM state file (malloc'ed). */
char *at_lv2_state_text(const AtParams *reg);

#endif
