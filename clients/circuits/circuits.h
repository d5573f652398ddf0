/* circuits.h - the pure core of aiotone-circuits: a drum machine for a
 * Novation Circuit (drums channel) and a bass line for a Circuit Mono
 * Station, driven by the Circuit's MIDI clock. No JACK: events in with frame
 * offsets, events out with the same offsets. Each of the original's
 * coroutines is an explicit state machine ticked by clock pulses. RT safe:
 * no allocation, no locks, no I/O. */
#ifndef CI_CIRCUITS_H
#define CI_CIRCUITS_H

#include "midi.h"
#include "rand.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Destinations, in the order of the out[] arrays below. */
typedef enum {
    CI_DRUMS, /* the Circuit */
    CI_BASS,  /* the Mono Station */
    CI_DEST_COUNT,
} CiDest;

/* The sequencer tracks, in the order they run on each pulse. */
typedef enum {
    CI_KICK,
    CI_SNARE,
    CI_HATS,
    CI_KEY, /* the bass key note, held for 96 pulses */
    CI_ARP, /* the arpeggio over it */
    CI_TRACKS,
} CiTrackId;

/* Drum notes of the Circuit's default kit and the arpeggio notes. */
enum {
    CI_NOTE_KICK = 60,
    CI_NOTE_SNARE = 62,
    CI_NOTE_HAT_CLOSED = 64,
    CI_NOTE_HAT_OPEN = 65,
    CI_DRUM_VELOCITY = 127,
    CI_KEY_VELOCITY = 127,
    CI_ARP_VELOCITY = 32,
    CI_DEFAULT_KEY_NOTE = 48,
};

/* Set-up values (from the parameter registry). */
typedef struct {
    uint8_t drum_channel; /* wire channel 0..15 (Circuit drums: 9) */
    uint8_t bass_channel; /* wire channel 0..15 (Mono Station: 0) */
    uint8_t key_channel;  /* input channel whose note-ons set the key (0) */
    int key_note;         /* bass key note 0..127 (48) */
    uint64_t seed;        /* effective PRNG seed */
} CiConfig;

/* One track: a note gated for on_len of length pulses, or a rest. */
typedef struct {
    uint32_t wait;  /* pulses until the next transition */
    int sounding;   /* note currently on, -1 if none */
    uint8_t length; /* pulses of the current step */
    uint8_t on_len; /* pulses its note is held */
    bool gate;      /* true while the note's gate is open */
    uint32_t index; /* position in the track's pattern */
    uint32_t total; /* pulses played so far (the arpeggio's "length") */
} CiTrack;

/* Clock pulses per sixteenth note, the unit of Song Position Pointer. */
#define CI_PULSES_PER_SIXTEENTH 6

typedef struct {
    CiConfig cfg;
    AtRand rng;
    AtRand song_rng; /* the generator at the song's start (the last START, or
                        set-up / a new seed): positions count from it */
    bool running;
    uint32_t pulse; /* song position in pulses: the next clock plays it */
    CiTrack track[CI_TRACKS];
    uint32_t ignored;   /* messages with no job here (counted, not fatal) */
    uint32_t malformed; /* truncated or stray-data events */
    bool key_changed;   /* set when a note-on moved the key; shell clears */
} Ci;

/* Start a core from cfg (seeds the PRNG with cfg->seed); stopped. */
void ci_init(Ci *ci, const CiConfig *cfg);
/* Handle one input event; outputs go to out[dest] at ev->frame. The two
 * buffers are the same pointer when both devices share a port. */
void ci_event(Ci *ci, const AtMidiEvent *ev, AtMidiBuf *const out[CI_DEST_COUNT]);
/* Handle n input events in frame order. */
void ci_process(Ci *ci, const AtMidiEvent *in, size_t n, AtMidiBuf *const out[CI_DEST_COUNT]);
/* Silence the destinations in dest_mask (bit 1 << CiDest) when their port
 * gets connected: the Mono Station gets STOP (once per port), then CC64 = 0
 * and CC123 = 0 on each used channel. The Circuit, the clock master, gets
 * no STOP here (that would stop the studio when the tool starts). */
void ci_setup_dests(Ci *ci, unsigned dest_mask, uint32_t frame,
                    AtMidiBuf *const out[CI_DEST_COUNT]);
/* Exit: note-offs for sounding notes, STOP to both devices (once per
 * port), CC123 on the drum channel and both bass channels. */
void ci_shutdown(Ci *ci, uint32_t frame, AtMidiBuf *const out[CI_DEST_COUNT]);

/* Move the stopped tracks to song position `pulses` (clock pulses from
 * the song's start) as if they had played that far from START, sending
 * nothing: the generator is rewound to the song's start and the arpeggio's
 * lengths drawn again. The next clock then plays pulse `pulses`. Ignored
 * (false) while running. Cost: a few operations per step, not per pulse. */
bool ci_locate(Ci *ci, uint32_t pulses);
/* Set the bass key note 0..127 (out of range is ignored). */
void ci_set_key_note(Ci *ci, int note);
/* Reseed the PRNG (the arpeggio continues from the new stream, which also
 * becomes the song's start for song positions). */
void ci_set_seed(Ci *ci, uint64_t seed);
/* The second Mono Station channel (the one after the bass channel), or -1
 * when the bass channel is 16. */
int ci_bass_channel2(const Ci *ci);

#endif
