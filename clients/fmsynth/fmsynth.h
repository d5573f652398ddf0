/* fmsynth.h - the pure core of aiotone-fmsynth: a polyphonic 4-operator FM
 * synthesizer as a function of its state and MIDI events with frame
 * offsets. No JACK, no I/O; after fm_synth_new nothing allocates.
 *
 * Rendering runs on a fixed grid of FM_BLOCK frames counted from the
 * synth's first frame (plus splits at event frames), so the same events
 * at the same frames give bit-identical output whatever the caller's
 * period is (live JACK cycles and offline --render agree). */
#ifndef FM_SYNTH_H
#define FM_SYNTH_H

#include "midi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FM_OPS 4
#define FM_ALGORITHMS 12
#define FM_TABLE_SIZE 2048
/* Control grid in frames: glide and frequency updates happen on it. */
#define FM_BLOCK 32
#define FM_MAX_POLYPHONY 256
/* Pitch-bend range in semitones (either way). */
#define FM_BEND_RANGE 12.0
/* Time a pitch-bend step takes to glide, in seconds. */
#define FM_GLIDE_SECONDS 0.128
/* Patch changes on sounding notes take this long: a wave or algorithm
 * change crossfades from the old to the new, a level change ramps. */
#define FM_CHANGE_FADE_SECONDS 0.005
/* Modulation depth at full mod wheel (1.0 at rest). */
#define FM_MOD_WHEEL_MAX_DEPTH 2.0

typedef enum {
    FM_OK = 0,
    FM_ERR_ARG,   /* an argument out of range */
    FM_ERR_NOMEM, /* allocation failed */
    FM_ERR_IO,    /* a file could not be read or written */
    FM_ERR_STOP,  /* stopped on request (a signal) */
} FmStatus;

typedef enum {
    FM_WAVE_SINE,
    FM_WAVE_SINE12,
    FM_WAVE_SAW,
    FM_WAVE_SQUARE,
    FM_WAVE_COUNT,
} FmWave;

/* One operator's settings; times in seconds. */
typedef struct {
    FmWave wave;
    double ratio;   /* frequency = note frequency * ratio */
    double attack;  /* 0 -> 1 */
    double decay;   /* 1 -> sustain */
    double sustain; /* 0..1; 0 = the envelope ends after the decay */
    double release; /* seconds per unit of level after note-off */
    double level;   /* output scale; a modulator at 1.0 moves its carrier by 1 cycle */
} FmOpPatch;

/* A sound. */
typedef struct {
    int algorithm;   /* 0..11, see SPEC.md */
    double feedback; /* op 4 self-modulation 0..1 */
    double volume;   /* output gain */
    FmOpPatch op[FM_OPS];
} FmPatch;

typedef struct FmSynth FmSynth;
/* A set of voices made outside the RT thread (polyphony changes). */
typedef struct FmVoiceSet FmVoiceSet;

/* RT logger: fmt is a literal with at most two integer conversions. */
typedef void (*FmLogFn)(void *ctx, const char *fmt, int a, int b);

/* Text for a status code. */
const char *fm_strerror(FmStatus s);
/* The default patch of SPEC.md (the original's only sound). */
void fm_patch_default(FmPatch *p);
/* Name of a wave ("sine", "sine12", "saw", "square"). */
const char *fm_wave_name(FmWave w);
/* Wave from its name; -1 if unknown. */
int fm_wave_from_name(const char *name);
/* Fill table (FM_TABLE_SIZE + 1 samples, the last a copy of the first) with
 * one cycle of wave w. */
void fm_wave_fill(FmWave w, float *table);

/* Make a synth for a sample rate and polyphony (1..FM_MAX_POLYPHONY). */
FmStatus fm_synth_new(FmSynth **out, uint32_t rate, int polyphony, const FmPatch *patch);
/* Free a synth (NULL is fine). */
void fm_synth_free(FmSynth *s);
/* Render nframes of stereo output (overwriting out_l/out_r), applying each
 * event at its frame (events in frame order; frames >= nframes are applied
 * at the last frame). RT safe. */
void fm_synth_process(FmSynth *s, const AtMidiEvent *events, size_t n_events, float *out_l,
                      float *out_r, uint32_t nframes);
/* Apply one MIDI message now (between renders). RT safe. */
void fm_synth_midi(FmSynth *s, const uint8_t *data, size_t size);

/* Replace the whole patch (RT safe: a copy). */
void fm_synth_set_patch(FmSynth *s, const FmPatch *patch);
/* The current patch. */
const FmPatch *fm_synth_patch(const FmSynth *s);
/* MIDI channel to listen to: 0 = omni, 1..16. */
void fm_synth_set_channel(FmSynth *s, int channel);
/* Install a logger for ignored/unknown messages (RT: must not block). */
void fm_synth_set_logger(FmSynth *s, FmLogFn fn, void *ctx);
/* Silence every voice at once and forget held notes (panic, CC123). */
void fm_synth_all_notes_off(FmSynth *s);
/* Lift the pedal and release every voice, as if every key went up (the
 * end of a rendered song: the release tails still sound). */
void fm_synth_release_all(FmSynth *s);

/* Voices, for polyphony changes: make a set (control thread), swap it in
 * (RT; voice states carry over so held notes keep sounding; returns the old
 * set to free in the control thread), free a set. */
FmVoiceSet *fm_voice_set_new(int polyphony);
FmVoiceSet *fm_synth_swap_voices(FmSynth *s, FmVoiceSet *set);
void fm_voice_set_free(FmVoiceSet *set);
/* Current polyphony. */
int fm_synth_polyphony(const FmSynth *s);

/* Inspection (tests, render). */
/* Number of voices not silent. */
int fm_synth_active_voices(const FmSynth *s);
/* Note held by voice i (-1 when silent), and whether its key is still down. */
int fm_synth_voice_note(const FmSynth *s, int i, bool *key_down);
/* Envelope level of operator op (0..3) of voice i. */
float fm_synth_voice_env(const FmSynth *s, int i, int op);
/* Current pitch bend in semitones (after glide). */
double fm_synth_bend(const FmSynth *s);
/* Modulation depth (mod wheel) and expression gain (1.0 = full). */
double fm_synth_mod_depth(const FmSynth *s);
double fm_synth_expression(const FmSynth *s);
/* Count of MIDI messages ignored as unknown or malformed. */
uint64_t fm_synth_ignored(const FmSynth *s);
/* Bit mask of the carriers (bit 0 = op 1) of algorithm alg, and of the
 * modulators of operator op (0..3) in it. */
unsigned fm_algorithm_carriers(int alg);
unsigned fm_algorithm_modulators(int alg, int op);

#endif
