/* writer.h - samplesnake's writer: it reads the messages the process
 * callback puts in the recording ring (take begins, audio frames, take
 * ends, noise floor, done) and writes each take as a 32-bit float stereo
 * WAV. A file is written under a temporary name and renamed only when
 * complete, so a failed or interrupted run never leaves a truncated file
 * under a final name. Runs in its own thread (or, in tests, by polling).
 * No JACK include: the ring is reached through SnSource. */
#ifndef SN_WRITER_H
#define SN_WRITER_H

#include "plan.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

/* A take whose audio JACK dropped this many times fails the run. */
#define SN_MAX_RETRIES 10

/* One ring message; SN_EV_AUDIO is followed by `frames` left samples, then
 * `frames` right samples (float). kind is an SnEventKind. */
typedef struct {
    uint32_t kind;
    int32_t id;      /* take index in the plan */
    uint32_t frames; /* SN_EV_AUDIO: frames that follow */
    int32_t status;  /* SN_EV_END: SnEndStatus */
    float value, value2;
} SnMsg;

/* The reading end of a single-reader ring of bytes. */
typedef struct {
    size_t (*read_space)(void *ring);
    size_t (*read)(void *ring, char *dst, size_t n);
    void *ring;
} SnSource;

/* Flags shared with the process callback. */
typedef struct {
    atomic_int overflow; /* set by RT: a message did not fit, audio was lost */
    atomic_int stop;     /* set by the writer: play no more notes */
} SnShared;

typedef struct {
    const char *dir;                         /* sample directory (exists, writable) */
    const SnPlan *plan;                      /* takes; skip = already on disk */
    uint32_t rate;                           /* WAV sample rate */
    const char *instrument;                  /* base name of the .sfz / .dspreset files */
    bool sfz, dspreset;                      /* which instrument files to write */
    unsigned delay_us;                       /* test hook: sleep this long per audio message */
    FILE *out;                               /* progress lines */
    FILE *err;                               /* error messages */
    void (*finished)(void *ctx, int status); /* done (0) or failed (1) */
    void *ctx;
} SnWriterConfig;

typedef struct SnWriter SnWriter;

/* Make a writer; NULL on allocation failure. */
SnWriter *sn_writer_new(const SnWriterConfig *cfg, const SnSource *src, SnShared *shared);
/* Handle every complete message now in the ring. Returns the status:
 * -1 still running, 0 done, 1 failed. */
int sn_writer_poll(SnWriter *w);
/* Run the writer in its own thread. */
AtStatus sn_writer_start(SnWriter *w);
/* Stop the thread after draining the ring; an unfinished take is
 * abandoned (its temporary file removed). */
void sn_writer_join(SnWriter *w);
/* Free the writer (joins first). */
void sn_writer_free(SnWriter *w);
/* -1 running, 0 done, 1 failed. */
int sn_writer_status(const SnWriter *w);
/* Takes saved by this run. */
size_t sn_writer_saved(const SnWriter *w);

/* Create dir (and parents) if missing and check that files can be
 * created in it; a reason in err otherwise. */
AtStatus sn_prepare_dir(const char *dir, char *err, size_t errlen);
/* Mark the takes whose DIR/NAME.wav exists as skipped (resume). Returns
 * how many were marked. */
size_t sn_plan_mark_existing(SnPlan *plan, const char *dir);

#endif
