/* plan.h - samplesnake's sampling plan: which notes, velocities and round
 * robins to record, in which order, under which file names. Pure code. */
#ifndef SN_PLAN_H
#define SN_PLAN_H

#include "status.h"

#include <stdbool.h>
#include <stddef.h>

/* Longest sample name (without ".wav"), including the terminator. */
#define SN_NAME_MAX 128
/* Most pitch classes, octaves or velocities a plan may list. */
#define SN_LIST_MAX 128
/* Most round robins per note and velocity. */
#define SN_RR_MAX 64
/* Longest sample-name prefix: the longest suffix ("-C#-1-v127-rr64") must
 * still fit a take name of SN_NAME_MAX bytes, or two takes would share a
 * name and the second overwrite the first. */
#define SN_PREFIX_MAX 96

/* One recording of the plan. */
typedef struct {
    int note;               /* MIDI note 0..127 */
    int velocity;           /* 1..127 */
    int rr;                 /* round robin 1..rr_count */
    int rr_count;           /* round robins per note and velocity */
    char name[SN_NAME_MAX]; /* file name without ".wav", already sanitised */
    bool skip;              /* already on disk (resume): not recorded again */
} SnTake;

/* What to sample, as read from the configuration. */
typedef struct {
    const char *prefix; /* sample-name prefix, may be NULL or "" */
    const char *notes;  /* pitch classes in playing order: "C, D#, F" */
    const int *octaves; /* octave numbers (C4 = MIDI note 60) */
    size_t n_octaves;
    const int *velocities; /* 1..127 */
    size_t n_velocities;
    int round_robins; /* 1..SN_RR_MAX */
} SnPlanSpec;

typedef struct {
    SnTake *takes;
    size_t count;
} SnPlan;

/* Parse a comma- or space-separated list of pitch classes ("C, D#, Eb")
 * into pcs[] (0..11, in listed order); rejects empty lists, bad names and
 * repeats with a reason in err. */
AtStatus sn_parse_notes(const char *text, int *pcs, size_t cap, size_t *n, char *err,
                        size_t errlen);
/* True when prefix (NULL or "" allowed) is short enough for every take
 * name to stay distinct; else false with a reason in err. */
bool sn_prefix_ok(const char *prefix, char *err, size_t errlen);
/* Build the plan: notes in listed order, then octaves ascending, then
 * velocities ascending, then round robins 1..N (innermost). Allocates
 * plan->takes; free with sn_plan_free. */
AtStatus sn_plan_build(const SnPlanSpec *spec, SnPlan *plan, char *err, size_t errlen);
/* Free the takes of a plan built by sn_plan_build. */
void sn_plan_free(SnPlan *plan);
/* Number of takes that are not skipped. */
size_t sn_plan_pending(const SnPlan *plan);

/* Write the sample name PREFIX-NOTE-vVELOCITY (no prefix: NOTE-vVELOCITY),
 * with a -rrN suffix when rr_count > 1, sanitised, into out. */
void sn_take_name(const char *prefix, int note, int velocity, int rr, int rr_count, char *out,
                  size_t outlen);
/* Make a name safe as one file name inside the sample directory: path
 * separators, control characters and shell-hostile bytes become '_', no
 * "..", no leading '.' or '-', never empty. */
void sn_sanitize_name(const char *in, char *out, size_t outlen);

/* Parse a silence threshold: "auto", a linear level ("0.000001", "1e-6")
 * or a level in dBFS ("-120dB"). Linear levels must be in (0, 1). */
bool sn_parse_threshold(const char *s, double *level, bool *is_auto);

#endif
