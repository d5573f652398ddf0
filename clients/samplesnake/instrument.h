/* instrument.h - the instrument files written beside the samples: SFZ and
 * DecentSampler (.dspreset), mapping notes and velocity layers to files,
 * with round robins in sequence. Pure code over a FILE*. */
#ifndef SN_INSTRUMENT_H
#define SN_INSTRUMENT_H

#include "plan.h"

#include <stdbool.h>
#include <stdio.h>

/* Where one sample sounds: key range around its note, velocity layer, and
 * its place among the round robins of its note and velocity. */
typedef struct {
    int lokey, hikey, keycenter;
    int lovel, hivel;
    int seq_length, seq_position; /* 1-based; length 1 = no round robin */
} SnZone;

/* Compute the zone of every present take (present[i] false: take i has no
 * file and gets no zone). Key ranges split the keyboard between the sampled
 * notes (the lowest reaches down to 0, the highest up to 127); a velocity
 * layer reaches from just above the layer below up to its own velocity
 * (the top one up to 127). */
void sn_zones(const SnTake *takes, const bool *present, size_t n, SnZone *zones);
/* Write an SFZ instrument: one <region> per present take. */
AtStatus sn_write_sfz(FILE *f, const SnTake *takes, const bool *present, size_t n);
/* Write a DecentSampler .dspreset: one <sample> per present take. */
AtStatus sn_write_dspreset(FILE *f, const SnTake *takes, const bool *present, size_t n);

#endif
