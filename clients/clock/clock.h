/* clock.h - a MIDI clock master (24 pulses per quarter note) with START,
 * STOP and CONTINUE: the pure core of aiotone-clock.
 *
 * Pulse positions come from a running fractional position (an anchor frame
 * and the pulse phase there), so no rounding accumulates and a tempo change
 * does not drift: pulse n lands on the first whole frame at or after its
 * exact position. Sources: the internal tempo, the JACK transport (the shell
 * queries it and hands the result in: the core has no JACK include), or
 * MIDI clock arriving on the input (passed through). */
#ifndef CK_CLOCK_H
#define CK_CLOCK_H

#include "midi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the tempo and the start/stop come from (registry choice order). */
typedef enum { CK_SOURCE_INTERNAL, CK_SOURCE_TRANSPORT, CK_SOURCE_MIDI } CkSource;

#define CK_PPQN 24
/* Song Position Pointer counts sixteenth notes, up to 14 bits. */
#define CK_PULSES_PER_SIXTEENTH 6
#define CK_SPP_MAX 16383
#define CK_BPM_MIN 20.0
#define CK_BPM_MAX 400.0

typedef struct {
    uint32_t rate; /* sample rate, Hz */
    double bpm;    /* internal tempo (also transport tempo without BBT) */
    CkSource source;
    bool follow_input; /* obey START/STOP/CONTINUE arriving on the input */
} CkConfig;

/* The JACK transport state at the start of a cycle. */
typedef struct {
    bool rolling;
    uint64_t frame; /* transport position, frames */
    bool bbt_valid; /* bar/beat/tick and tempo below are meaningful */
    double bpm;     /* tempo from the timebase master */
    double beats;   /* position in quarter notes from the start (from BBT) */
} CkTransport;

/* Commands from outside the audio stream (OSC), applied at frame 0 of the
 * next cycle. */
typedef enum { CK_CMD_START, CK_CMD_STOP, CK_CMD_CONTINUE } CkCommand;

/* What the shell may want to act on or log after a cycle. */
typedef struct {
    uint32_t pulses;       /* clock pulses written this cycle */
    uint32_t ignored;      /* input messages not used (wrong source, junk) */
    int ignored_status;    /* status byte of the last one, -1 if none */
    int transport_request; /* in transport mode a START/STOP/CONTINUE asks the
                              shell to roll (1) or stop (-1) the transport; 0 */
    uint32_t dropped;      /* output events lost because the buffer was full */
    uint32_t positions;    /* Song Position Pointers written this cycle */
} CkReport;

typedef struct Ck Ck;

/* Defaults: 120 BPM, internal source, follow input. */
void ck_config_default(CkConfig *cfg, uint32_t rate);
/* Check a configuration; false with a reason in err. */
bool ck_config_check(const CkConfig *cfg, char *err, size_t errlen);
/* Make a core (the only allocation); NULL on a bad config or no memory. */
Ck *ck_new(const CkConfig *cfg);
/* Free a core. */
void ck_free(Ck *ck);

/* Queue a tempo change for frame 0 of the next cycle (clamped to range). */
void ck_set_bpm(Ck *ck, double bpm);
/* Change the source (takes effect at the next cycle; stops a running clock). */
void ck_set_source(Ck *ck, CkSource source);
/* Obey the input's START/STOP/CONTINUE or not. */
void ck_set_follow_input(Ck *ck, bool follow);
/* Queue a command for frame 0 of the next cycle. */
void ck_command(Ck *ck, CkCommand cmd);

/* Process one cycle: in holds n input events in frame order (< nframes);
 * transport is the transport state (may be NULL unless the source is the
 * transport). Writes START/STOP/CONTINUE/CLOCK to out in frame order. */
void ck_process(Ck *ck, const AtMidiEvent *in, size_t n, uint32_t nframes,
                const CkTransport *transport, AtMidiBuf *out, CkReport *report);
/* JACK skipped frames (an xrun) since the last ck_process: the clock stays
 * on the real timeline. Pulses that fell into the gap go out at frame 0 of
 * the next cycle (at most a beat's worth; older ones are dropped). */
void ck_skip(Ck *ck, uint32_t frames);
/* Last cycle: a STOP at frame when the clock runs. */
void ck_shutdown(Ck *ck, uint32_t frame, AtMidiBuf *out);

/* State, for the shell and tests. */
bool ck_running(const Ck *ck);
double ck_bpm(const Ck *ck);
/* Pulses sent since the last START. */
uint64_t ck_pulse_count(const Ck *ck);
/* Frames per pulse at the current tempo. */
double ck_frames_per_pulse(const Ck *ck);
/* Name of a source (the registry's choice names). */
const char *ck_source_name(CkSource source);

#endif
