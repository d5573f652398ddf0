/* machine.h - samplesnake's real-time state machine, driven by frames:
 *
 *   [measure noise] -> wait for silence -> cooldown -> note-on (recording
 *   starts at that very frame: the pre-roll) -> hold -> note-off -> record
 *   until the input, having crossed the threshold, has been below it for
 *   the silence window (100 ms), or max-length is reached -> next take ...
 *   -> done. A take that never crosses the threshold ends wait_frames
 *   after its note-off and is reported silent. If the input is still loud
 *   for twice max-length after a take, the note-off is taken as lost: it is sent
 *   again with an All Notes Off.
 *
 * Pure code: the caller feeds each cycle's stereo input; the machine adds
 * note-on/off at exact frame offsets to a MIDI list and reports what to do
 * with the audio as a list of events (begin a file, append frames, end the
 * file). No allocation, no I/O: it runs in the JACK process callback. */
#ifndef SN_MACHINE_H
#define SN_MACHINE_H

#include "midi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the silence that ends a recording, in seconds. */
#define SN_SILENCE_WINDOW 0.1
/* How long the noise floor is measured before the first note (auto). */
#define SN_NOISE_WINDOW 0.5
/* The auto threshold is the measured noise peak times this (+6 dB)... */
#define SN_NOISE_MARGIN 2.0
/* ...but never below this level (-120 dBFS). */
#define SN_NOISE_MIN 1e-6
/* Default wait for a first sound after the note-off, in seconds. */
#define SN_WAIT_FOR_SOUND 1.0

typedef struct {
    uint8_t channel;          /* MIDI channel 0..15 */
    bool auto_threshold;      /* measure the noise floor first */
    float threshold;          /* linear level; ignored when auto_threshold */
    uint32_t silence_frames;  /* silence that ends a take / allows the next */
    uint32_t cooldown_frames; /* pause after silence before the next note */
    uint32_t hold_frames;     /* note-on to note-off */
    uint32_t max_frames;      /* longest recording */
    uint32_t noise_frames;    /* noise-floor measurement length */
    uint32_t wait_frames;     /* after note-off, how long to wait for a first
                                 sound (a slow or latent instrument) before
                                 calling the take silent */
} SnMachineConfig;

/* One note to play and record; id is handed back in events. */
typedef struct {
    uint8_t note, velocity;
    int32_t id;
} SnNote;

typedef enum {
    SN_EV_BEGIN, /* a take starts at frame `from` (its note-on) */
    SN_EV_AUDIO, /* frames [from, to) of this cycle belong to take id */
    SN_EV_END,   /* the take ends before frame `from`; status says how */
    SN_EV_NOISE, /* noise floor measured: value = peak, threshold in value2 */
    SN_EV_DONE,  /* every take recorded and the input is silent */
    SN_EV_STUCK, /* take id's note still sounds: note-off sent again */
} SnEventKind;

typedef enum {
    SN_END_OK,         /* the input fell silent after the note */
    SN_END_MAX_LENGTH, /* cut at max-length */
    SN_END_SILENT,     /* nothing crossed the threshold: no file */
    SN_END_ABORTED,    /* the run was stopped: no file */
    SN_END_RETRY,      /* audio was lost (an xrun): no file, recorded again */
} SnEndStatus;

typedef struct {
    SnEventKind kind;
    int32_t id;
    uint32_t from, to;
    int status; /* SnEndStatus for SN_EV_END */
    float value, value2;
} SnEvent;

#define SN_MAX_EVENTS 32
typedef struct {
    SnEvent ev[SN_MAX_EVENTS];
    size_t count;
    size_t dropped;
} SnEvents;

typedef enum {
    SN_ST_NOISE,
    SN_ST_WAIT_SILENCE,
    SN_ST_COOLDOWN,
    SN_ST_HOLD,
    SN_ST_RELEASE,
    SN_ST_DONE,
    SN_ST_STOPPED,
} SnState;

typedef struct {
    SnMachineConfig cfg;
    const SnNote *notes;
    size_t n_notes;
    size_t next; /* index of the current / next note */
    SnState state;
    float threshold;
    float noise_peak;
    uint32_t count;   /* frames in the current state (noise, cooldown, hold) */
    uint32_t quiet;   /* consecutive frames below the threshold */
    uint32_t rec_len; /* frames recorded in the current take */
    bool recording;
    bool heard;              /* the current take crossed the threshold */
    bool note_sounding;      /* a note-on was sent without its note-off */
    uint32_t rec_from;       /* first frame of this cycle's recorded range */
    uint32_t stuck_releases; /* note-offs sent again for a stuck note */
} SnMachine;

/* Set up the machine for notes (owned by the caller, kept). */
void sn_machine_init(SnMachine *m, const SnMachineConfig *cfg, const SnNote *notes, size_t n);
/* Run one cycle of nframes stereo input frames: note-on/off go to midi (at
 * their frame offsets), recording instructions to ev (cleared first). */
void sn_machine_process(SnMachine *m, const float *left, const float *right, uint32_t nframes,
                        AtMidiBuf *midi, SnEvents *ev);
/* Stop at frame: silence a sounding note, abandon the current take (an
 * SN_END_ABORTED event), play nothing more. Events are appended to ev. */
void sn_machine_stop(SnMachine *m, uint32_t frame, AtMidiBuf *midi, SnEvents *ev);
/* The input skipped frames before this cycle (an xrun: JACK did not run
 * the callback): a take being recorded has a hole, so it is dropped (an
 * SN_END_RETRY event; note-off at frame 0) and recorded again after the
 * next silence. Call before sn_machine_process; events are appended. */
void sn_machine_gap(SnMachine *m, AtMidiBuf *midi, SnEvents *ev);
/* True once every note was recorded and the input fell silent. */
bool sn_machine_done(const SnMachine *m);

#endif
