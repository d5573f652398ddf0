/* mothergen.h - the pure core of aiotone-mothergen: self-generating
 * sequences for two Moog Mother-32s (red, blue) and a Subharmonicon (green),
 * driven by MIDI clock. No JACK: events in with frame offsets, events out
 * with the same offsets. The original's coroutines ("wait N pulses") are
 * explicit state machines ticked by clock pulses. RT safe: no allocation,
 * no locks, no I/O. */
#ifndef MG_MOTHERGEN_H
#define MG_MOTHERGEN_H

#include "midi.h"
#include "rand.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Destinations, in the order of the out[] arrays below. */
typedef enum {
    MG_RED,
    MG_BLUE,
    MG_GREEN,
    MG_DEST_COUNT,
} MgDest;

/* Portamento modes (the registry's enum order). REZ, RESONANCE and MODWHEEL
 * all map the mod wheel onto portamento; OFF leaves portamento alone. */
typedef enum {
    MG_PORTA_REZ,
    MG_PORTA_RESONANCE,
    MG_PORTA_MODWHEEL,
    MG_PORTA_OFF,
} MgPortamento;

/* Velocity of every sequenced note (as in the original). */
#define MG_VELOCITY 64
/* Number of steps in the decay walk 0.20 .. 0.48 .. 0.20. */
#define MG_DECAY_STEPS 30
/* Pulses per Subharmonicon loop. */
#define MG_GREEN_LOOP 36
/* Entries in the Subharmonicon divider list (8i+5 for i in 0..15, 127). */
#define MG_DIVIDERS 17

/* Set-up values (from the parameter registry). */
typedef struct {
    bool start_stop;                /* pass START/STOP to the destinations */
    MgPortamento portamento;        /* what the mod wheel does to portamento */
    int portamento_max;             /* 0..127: CC5 at full mod wheel */
    uint8_t channel[MG_DEST_COUNT]; /* wire channels 0..15 */
    int key;                        /* pitch class 0..11 (F = 5) */
    uint64_t seed;                  /* effective PRNG seed (never "random" here) */
} MgConfig;

/* One Mother-32 "simple mother" sequencer: a note of a random octave,
 * length and interval, gated by the decay walk, then a rest. */
typedef struct {
    uint32_t wait;  /* pulses until the next transition */
    int sounding;   /* note currently on, -1 if none */
    uint8_t length; /* length of the current step in pulses */
    uint8_t on_len; /* pulses the current note is held */
    uint8_t decay;  /* index into the decay walk */
    bool gate;      /* true while the note's gate is open */
} MgMother;

/* The Subharmonicon sequencer: a 36-pulse loop of one held note with the
 * sub-oscillator dividers stepped at 12 and 24 pulses. */
typedef struct {
    uint32_t pos;   /* pulse within the loop, 0..35 */
    int sounding;   /* note currently on, -1 if none */
    uint8_t value;  /* divider value of the current loop */
    uint8_t div_at; /* index (1..16) of the next divider to use */
} MgGreen;

/* Clock pulses per sixteenth note, the unit of Song Position Pointer. */
#define MG_PULSES_PER_SIXTEENTH 6

typedef struct {
    MgConfig cfg;
    AtRand rng;
    AtRand song_rng;    /* the generator at the song's start (the last START,
                           or set-up / a new seed): positions count from it */
    bool running;       /* between START (or CONTINUE) and STOP */
    uint32_t pulse;     /* song position in pulses: the next clock plays it */
    MgMother mother[2]; /* red, blue */
    MgGreen green;
    /* Counters the shell turns into log lines (never reset by the core). */
    uint32_t ignored_channel; /* channel messages not on channel 1 */
    uint32_t unhandled;       /* messages with no job (unknown CC, CONTINUE or
                                 song position while running, ...) */
    uint32_t malformed;       /* truncated or stray-data events */
    bool key_changed;         /* set when a note-on transposed; shell clears */
} Mg;

/* Start a core from cfg (seeds the PRNG with cfg->seed); stopped. */
void mg_init(Mg *mg, const MgConfig *cfg);
/* Handle one input event; outputs go to out[dest] at ev->frame. Buffers of
 * destinations sharing a device port are the same pointer: channel-agnostic
 * messages are then written to it once. */
void mg_event(Mg *mg, const AtMidiEvent *ev, AtMidiBuf *const out[MG_DEST_COUNT]);
/* Handle n input events in frame order. */
void mg_process(Mg *mg, const AtMidiEvent *in, size_t n, AtMidiBuf *const out[MG_DEST_COUNT]);
/* Set-up of the destinations in dest_mask (bit 1 << MgDest): silence them
 * (STOP once per port if start-stop, CC64 = 0, CC123 = 0), CC1 = 0, then
 * CC65 = 0 and CC5 = 0. Called when their port gets connected. */
void mg_setup_dests(Mg *mg, unsigned dest_mask, uint32_t frame,
                    AtMidiBuf *const out[MG_DEST_COUNT]);
/* Stop the sequencers (note-offs for sounding notes) and silence every
 * destination: the last words before exit. */
void mg_shutdown(Mg *mg, uint32_t frame, AtMidiBuf *const out[MG_DEST_COUNT]);

/* Live parameter changes (RT safe). */
/* Set the key to pitch class 0..11 (out of range is ignored). */
void mg_set_key(Mg *mg, int pitch_class);
/* Reseed the PRNG (the sequence continues from the new stream, which also
 * becomes the song's start for song positions). */
void mg_set_seed(Mg *mg, uint64_t seed);
/* Change portamento mode / maximum / start-stop passing. */
void mg_set_portamento(Mg *mg, MgPortamento mode);
void mg_set_portamento_max(Mg *mg, int max);
void mg_set_start_stop(Mg *mg, bool on);

/* Move the stopped sequencers to song position `pulses` (clock pulses from
 * the song's start) as if they had played that far from START, sending
 * nothing: the generator is rewound to the song's start and run forward.
 * The next clock then plays pulse `pulses`. Ignored (false) while running.
 * Cost: a few operations per step of the three sequencers, not per pulse. */
bool mg_locate(Mg *mg, uint32_t pulses);
/* Decay walk value i (0..MG_DECAY_STEPS-1) in hundredths (20..48). */
int mg_decay_percent(int i);
/* The Subharmonicon divider list entry i (0..MG_DIVIDERS-1). */
int mg_divider(int i);
/* MIDI note of pitch class pc in octave oct (C0 = 12, so F1 = 29). */
int mg_note_in_octave(int pc, int oct);

#endif
