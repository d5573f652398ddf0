/* hostclock.h - MIDI clock from a plugin host's transport: the host tells
 * the plugin where its timeline is (speed, tempo, beat) at a frame, and
 * this turns it into the messages the sequencer cores already follow:
 * START when the transport starts rolling, a clock pulse (24 per beat) at
 * the frame where the beat crosses each 24th, STOP when it stops. Pure: no
 * LV2 header, no allocation; the LV2 shell feeds it time:Position. */
#ifndef AT_HOSTCLOCK_H
#define AT_HOSTCLOCK_H

#include "midi.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint32_t rate;
    bool rolling; /* the host's transport plays forward */
    double bpm;   /* beats per minute */
    double speed; /* 1.0 = playing, 0 = stopped */
    double pulse; /* position in pulses (beat * 24) at the current frame */
    int64_t next; /* the next pulse to send */
} AtHostClock;

/* A stopped clock at sample rate rate, 120 BPM. */
void at_hostclock_init(AtHostClock *c, uint32_t rate);
/* The host's position at frame: speed, bpm (<= 0: unchanged) and, when
 * has_beat, the beat (quarter notes from the start). Appends START to out
 * when the transport starts rolling, STOP when it stops. Call
 * at_hostclock_run up to frame first. */
void at_hostclock_position(AtHostClock *c, uint32_t frame, double speed, double bpm, bool has_beat,
                           double beat, AtMidiBuf *out);
/* Advance from frame from to frame to, appending a clock pulse at each
 * frame where the position reaches the next 24th of a beat. */
void at_hostclock_run(AtHostClock *c, uint32_t from, uint32_t to, AtMidiBuf *out);

#endif
