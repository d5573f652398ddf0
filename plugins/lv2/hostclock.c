/* hostclock.c - MIDI clock from a host's transport (see hostclock.h). */
#include "hostclock.h"

#include <math.h>

/* Positions this close below a pulse (in pulses) count as on it: float
 * rounding in the host's beat. */
#define EPS 1e-6

void at_hostclock_init(AtHostClock *c, uint32_t rate)
{
    *c = (AtHostClock){.rate = rate, .bpm = 120.0};
}

static int64_t first_pulse(double pulse)
{
    return (int64_t)ceil(pulse - EPS);
}

void at_hostclock_position(AtHostClock *c, uint32_t frame, double speed, double bpm, bool has_beat,
                           double beat, AtMidiBuf *out)
{
    bool roll = speed > 0.0;
    if (bpm > 0.0 && isfinite(bpm))
        c->bpm = bpm;
    c->speed = isfinite(speed) ? speed : 0.0;
    if (has_beat && isfinite(beat)) {
        double p = beat * 24.0;
        /* A small difference is the host's rounding: keep counting from
         * the pulses already sent. A jump is a relocation. */
        if (!c->rolling || !roll || fabs(p - c->pulse) > 1.0)
            c->next = first_pulse(p);
        c->pulse = p;
    }
    if (roll && !c->rolling) {
        at_midi_buf_add3(out, frame, 1, AT_MIDI_START, 0, 0);
        c->next = first_pulse(c->pulse);
    } else if (!roll && c->rolling) {
        at_midi_buf_add3(out, frame, 1, AT_MIDI_STOP, 0, 0);
    }
    c->rolling = roll;
}

void at_hostclock_run(AtHostClock *c, uint32_t from, uint32_t to, AtMidiBuf *out)
{
    if (!c->rolling || to <= from || c->bpm <= 0.0 || c->rate == 0)
        return;
    double per_frame = c->bpm / 60.0 * 24.0 * c->speed / c->rate;
    for (;;) {
        /* frames until the next pulse; a position a hair short of it
         * (the host's rounding) is on it */
        double d = ((double)c->next - c->pulse - EPS) / per_frame;
        uint32_t k = d <= 0.0 ? 0 : (uint32_t)ceil(d);
        if (d > (double)(to - from) || from + k >= to)
            break;
        if (c->next >= 0)
            at_midi_buf_add3(out, from + k, 1, AT_MIDI_CLOCK, 0, 0);
        c->next++;
    }
    c->pulse += per_frame * (to - from);
}
