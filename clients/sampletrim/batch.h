/* batch.h - private to aiotone-sampletrim's program (main.c, batch.c,
 * instruments.c): the batch of files and what its pieces share. */
#ifndef STRIM_BATCH_H
#define STRIM_BATCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sampletrim.h"

#define PROG "aiotone-sampletrim"
#define MAX_JOBS 256

/* Files of at least this many frames get percentages on a progress line
 * that is not a terminal (a terminal always shows them). */
#define LONG_FILE_FRAMES ((size_t)1 << 20)

struct Batch;

/* One input file and what became of it. */
typedef struct {
    const char *input;
    char *output;
    char *dir;
    bool failed;
    float peak_pos, peak_neg; /* --same-gain: measured in the first pass */
    bool measured;            /* the peaks above are valid */
    /* Once written: what the instrument files need to follow it. */
    bool written;
    int in_rate;
    size_t trim_start, out_frames;
    /* Progress within the file (guarded by the batch lock). */
    struct Batch *batch;
    bool resampling;
    bool long_file;
    int shown; /* last percentage printed */
} Job;

/* The whole run: options, jobs, shared progress state. */
typedef struct Batch {
    StrimOptions opt;
    const char *out_dir;
    uint64_t seed;
    bool verbose;
    bool progress;
    bool tty;
    bool same_gain;
    bool measuring;   /* --same-gain's first pass is running */
    double last_draw; /* monotonic seconds of the last terminal redraw */
    Job *jobs;
    size_t n;
    atomic_size_t next;
    size_t done;
    pthread_mutex_t lock; /* guards done and all terminal output */
} Batch;

/* batch.c */
void fail(Batch *b, Job *j, const char *what, const char *detail);
bool same_file(const char *x, const char *y);
StrimStatus plan_jobs(Batch *b, char **files, size_t n);
void run_batch(Batch *b, long nthreads);

/* instruments.c */
bool instruments(Batch *b);

#endif
