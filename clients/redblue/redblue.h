/* redblue.h - two Moog Mother-32s played as one instrument: the pure core.
 *
 * The core is a state machine fed with MIDI events carrying frame offsets
 * within the current cycle; every output it writes keeps the frame offset of
 * the input that caused it (zero added latency). Expression slews advance on
 * audio time: pending steps are carried across cycles and each one is written
 * at its exact frame. No JACK, no allocation after rb_new, no I/O. */
#ifndef RB_REDBLUE_H
#define RB_REDBLUE_H

#include "midi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Destinations. */
enum { RB_RED = 0, RB_BLUE = 1, RB_DESTS = 2 };

/* Play modes (the order is the order of the registry's choices). */
typedef enum { RB_MODE_REGULAR, RB_MODE_DUOPHONIC, RB_MODE_POWER } RbMode;

/* Portamento modes (the order is the order of the registry's choices). */
typedef enum { RB_PORTA_LEGATO, RB_PORTA_SUSTAIN, RB_PORTA_DAMPER, RB_PORTA_OFF } RbPorta;

/* Mode keys: the three lowest keys of an 88-key keyboard. */
enum { RB_KEY_REGULAR = 21, RB_KEY_DUOPHONIC = 22, RB_KEY_POWER = 23 };

/* Expression slew: this many steps, one about every millisecond. */
#define RB_SLEW_STEPS 128

/* One destination (a Mother-32). */
typedef struct {
    uint8_t channel;       /* wire channel 0..15 (config channel - 1) */
    bool mod_wheel;        /* receives the mod wheel (CC1) */
    bool expression_pedal; /* receives the scaled expression as CC1 */
} RbDest;

/* Everything the core needs to know from the configuration. */
typedef struct {
    uint32_t rate;         /* sample rate in Hz (sets the slew step length) */
    uint8_t input_channel; /* wire channel listened to (0 = channel 1) */
    bool start_stop;       /* pass START/STOP (and CONTINUE) */
    bool pass_clock;       /* pass CLOCK */
    RbPorta portamento;
    int damper_portamento_max; /* 0..127 */
    int accent_volume;         /* velocity threshold 1..127 */
    int expression_min;        /* 0..127 */
    int expression_max;        /* 0..127 */
    RbMode mode;
    RbDest dest[RB_DESTS];
} RbConfig;

/* Live parameters settable through rb_set. */
typedef enum {
    RB_SET_MODE = 1, /* from 1: 0 is "no setter" in a table entry (AtParamDef.set) */
    RB_SET_PORTAMENTO,
    RB_SET_START_STOP,
    RB_SET_PASS_CLOCK,
    RB_SET_DAMPER_PORTAMENTO_MAX,
    RB_SET_ACCENT_VOLUME,
    RB_SET_EXPRESSION_MIN,
    RB_SET_EXPRESSION_MAX,
    RB_SET_RED_MOD_WHEEL,
    RB_SET_BLUE_MOD_WHEEL,
    RB_SET_RED_EXPRESSION_PEDAL,
    RB_SET_BLUE_EXPRESSION_PEDAL,
} RbSetting;

/* What happened in one rb_process call that the shell may want to tell the
 * user or the control surfaces about (the core itself never logs). */
typedef struct {
    bool mode_changed;      /* a mode key was pressed: new mode in rb_mode() */
    uint32_t wrong_channel; /* channel messages ignored: not the input channel */
    int wrong_channel_last; /* wire channel of the last one */
    uint32_t unhandled;     /* messages ignored: unknown CCs, sysex, ... */
    int unhandled_status;   /* status byte of the last one */
    int unhandled_data;     /* its first data byte (the CC number), or -1 */
    uint32_t malformed;     /* truncated messages, stray data bytes */
    uint32_t dropped;       /* output events lost because a buffer was full */
} RbReport;

typedef struct Rb Rb;

/* Default configuration (docs/redblue.md) for sample rate rate. */
void rb_config_default(RbConfig *cfg, uint32_t rate);
/* Check a configuration; false with a reason in err when it is unusable. */
bool rb_config_check(const RbConfig *cfg, char *err, size_t errlen);
/* Make a core (the only allocation); NULL when out of memory. */
Rb *rb_new(const RbConfig *cfg);
/* Free a core. */
void rb_free(Rb *rb);
/* Change a live parameter; out-of-range values are clamped. */
void rb_set(Rb *rb, RbSetting what, int value);
/* The current configuration (reflects rb_set and mode keys). */
const RbConfig *rb_config(const Rb *rb);
/* The current play mode. */
RbMode rb_mode(const Rb *rb);
/* Number of notes currently held on the input. */
int rb_held_count(const Rb *rb);
/* Where a held note sounds. */
typedef enum { RB_HELD_NONE, RB_HELD_BOTH, RB_HELD_RED, RB_HELD_BLUE, RB_HELD_POWER } RbHeld;
/* map[note] = where each input note sounds (RB_HELD_NONE when not held).
 * RT safe: for displays (the monome grid). */
void rb_held_map(const Rb *rb, uint8_t map[128]);

/* Process one cycle: in holds n events in frame order, all < nframes;
 * out[RB_RED] and out[RB_BLUE] receive the destinations' events (they may be
 * the same buffer when the destinations share a port: channel-agnostic
 * messages are then written once). Outputs are appended in frame order per
 * destination; report (may be NULL) is reset and filled. */
void rb_process(Rb *rb, const AtMidiEvent *in, size_t n, uint32_t nframes, AtMidiBuf *out[RB_DESTS],
                RbReport *report);
/* JACK skipped frames (an xrun) since the last rb_process: slews stay on
 * the real timeline (the latest overdue step goes out at frame 0). */
void rb_skip(Rb *rb, uint32_t frames);
/* Silence the destinations in mask (1 << RB_RED | 1 << RB_BLUE) at frame:
 * STOP once per port (when start-stop is on), then CC64 = 0 and CC123 = 0
 * on each destination's channel. Does not forget held notes. */
void rb_silence(Rb *rb, unsigned mask, uint32_t frame, AtMidiBuf *out[RB_DESTS]);
/* Last cycle: silence both destinations and forget every held note. */
void rb_shutdown(Rb *rb, uint32_t frame, AtMidiBuf *out[RB_DESTS]);

/* Name of a mode / portamento mode (the registry's choice names). */
const char *rb_mode_name(RbMode mode);
const char *rb_porta_name(RbPorta porta);

#endif
