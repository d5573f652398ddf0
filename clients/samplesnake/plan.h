/* plan.h - samplesnake's sampling plan: which notes, velocities and round
 * robins to record, in which order, under which file names. Pure code. */
#ifndef SS_PLAN_H
#define SS_PLAN_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    SS_OK = 0,
    SS_ERR_USAGE = 2,   /* bad configuration */
    SS_ERR_RUNTIME = 1, /* I/O or allocation failure */
} SsStatus;

/* Longest sample name (without ".wav"), including the terminator. */
#define SS_NAME_MAX 128
/* Most pitch classes, octaves or velocities a plan may list. */
#define SS_LIST_MAX 128
/* Most round robins per note and velocity. */
#define SS_RR_MAX 64
/* Longest sample-name prefix: the longest suffix ("-C#-1-v127-rr64") must
 * still fit a take name of SS_NAME_MAX bytes, or two takes would share a
 * name and the second overwrite the first. */
#define SS_PREFIX_MAX 96

/* One recording of the plan. */
typedef struct {
    int note;               /* MIDI note 0..127 */
    int velocity;           /* 1..127 */
    int rr;                 /* round robin 1..rr_count */
    int rr_count;           /* round robins per note and velocity */
    char name[SS_NAME_MAX]; /* file name without ".wav", already sanitised */
    bool skip;              /* already on disk (resume): not recorded again */
} SsTake;

/* What to sample, as read from the configuration. */
typedef struct {
    const char *prefix; /* sample-name prefix, may be NULL or "" */
    const char *notes;  /* pitch classes in playing order: "C, D#, F" */
    const int *octaves; /* octave numbers (C4 = MIDI note 60) */
    size_t n_octaves;
    const int *velocities; /* 1..127 */
    size_t n_velocities;
    int round_robins; /* 1..SS_RR_MAX */
} SsPlanSpec;

typedef struct {
    SsTake *takes;
    size_t count;
} SsPlan;

/* Parse a comma- or space-separated list of pitch classes ("C, D#, Eb")
 * into pcs[] (0..11, in listed order); rejects empty lists, bad names and
 * repeats with a reason in err. */
SsStatus ss_parse_notes(const char *text, int *pcs, size_t cap, size_t *n, char *err,
                        size_t errlen);
/* True when prefix (NULL or "" allowed) is short enough for every take
 * name to stay distinct; else false with a reason in err. */
bool ss_prefix_ok(const char *prefix, char *err, size_t errlen);
/* Build the plan: notes in listed order, then octaves ascending, then
 * velocities ascending, then round robins 1..N (innermost). Allocates
 * plan->takes; free with ss_plan_free. */
SsStatus ss_plan_build(const SsPlanSpec *spec, SsPlan *plan, char *err, size_t errlen);
/* Free the takes of a plan built by ss_plan_build. */
void ss_plan_free(SsPlan *plan);
/* Number of takes that are not skipped. */
size_t ss_plan_pending(const SsPlan *plan);

/* Write the sample name PREFIX-NOTE-vVELOCITY (no prefix: NOTE-vVELOCITY),
 * with a -rrN suffix when rr_count > 1, sanitised, into out. */
void ss_take_name(const char *prefix, int note, int velocity, int rr, int rr_count, char *out,
                  size_t outlen);
/* Make a name safe as one file name inside the sample directory: path
 * separators, control characters and shell-hostile bytes become '_', no
 * "..", no leading '.' or '-', never empty. */
void ss_sanitize_name(const char *in, char *out, size_t outlen);

/* Parse a silence threshold: "auto", a linear level ("0.000001", "1e-6")
 * or a level in dBFS ("-120dB"). Linear levels must be in (0, 1). */
bool ss_parse_threshold(const char *s, double *level, bool *is_auto);

#endif
