/* batch.c - aiotone-sampletrim's batch of files, worker threads and
 * progress. Each file is read, run through the core chain (sampletrim.h)
 * and written by one worker thread; files are independent, so workers
 * share only the batch counters (mutex). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rand.h"
#include "batch.h"
#include "sampletrim.h"
#include "sampletrim_io.h"
#include "monotime.h"

/* Print one message for job j under the lock, keeping the progress line
 * intact. */
static void report(Batch *b, FILE *f, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void report(Batch *b, FILE *f, const char *fmt, ...)
{
    va_list ap;
    if (b->progress && b->tty)
        fputs("\r\033[K", stderr);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fflush(f);
}

void fail(Batch *b, Job *j, const char *what, const char *detail)
{
    j->failed = true;
    pthread_mutex_lock(&b->lock);
    if (detail && *detail)
        report(b, stderr, PROG ": %s: %s (%s)\n", j->input, what, detail);
    else
        report(b, stderr, PROG ": %s: %s\n", j->input, what);
    pthread_mutex_unlock(&b->lock);
}

/* A file finished (or failed): count it and show the count. */
static void progress_step(Batch *b, const Job *j)
{
    pthread_mutex_lock(&b->lock);
    if (!b->measuring)
        b->done++;
    if (b->progress && !b->measuring) {
        if (b->tty)
            fprintf(stderr, "\r\033[K[%zu/%zu] %s", b->done, b->n, j->input);
        else
            fprintf(stderr, "[%zu/%zu] %s\n", b->done, b->n, j->input);
        fflush(stderr);
    }
    pthread_mutex_unlock(&b->lock);
}

/* Progress within a file, from the core: a percentage of the whole file
 * (reading, converting and writing weighted by their usual cost). On a
 * terminal the line is redrawn at most 10 times a second; elsewhere long
 * files get a line at every 10%. */
static void progress_within(void *user, StrimStage stage, size_t done, size_t total)
{
    Job *j = user;
    Batch *b = j->batch;
    if (!b->progress || total == 0)
        return;
    if (stage == STRIM_STAGE_READ && total >= LONG_FILE_FRAMES)
        j->long_file = true;
    /* Reading 0-40%, converting 40-70% (when the rate changes), writing
     * the rest; --same-gain's first pass is the first half of all that. */
    double lo[3] = {0.0, 0.4, j->resampling ? 0.7 : 0.4};
    double hi[3] = {0.4, 0.7, 1.0};
    if (!j->resampling)
        hi[0] = 0.4;
    double f = done >= total ? 1.0 : (double)done / (double)total;
    double all = lo[stage] + (hi[stage] - lo[stage]) * f;
    if (b->same_gain)
        all = b->measuring ? all * 0.5 : 0.5 + all * 0.5;
    int pct = (int)(all * 100.0);
    pthread_mutex_lock(&b->lock);
    if (b->tty) {
        double t = at_mono_now();
        if (t - b->last_draw >= 0.1 && pct != j->shown) {
            b->last_draw = t;
            j->shown = pct;
            fprintf(stderr, "\r\033[K[%zu/%zu] %s %d%%", b->done, b->n, j->input, pct);
            fflush(stderr);
        }
    } else if (j->long_file && pct / 10 > j->shown / 10 && pct < 100) {
        j->shown = pct / 10 * 10;
        fprintf(stderr, "[%zu/%zu] %s %d%%\n", b->done, b->n, j->input, j->shown);
        fflush(stderr);
    }
    pthread_mutex_unlock(&b->lock);
}

static void verbose_line(Batch *b, const Job *j, const StrimAudio *a, const StrimReport *r)
{
    pthread_mutex_lock(&b->lock);
    report(b, stdout,
           "%s -> %s: %d Hz -> %d Hz, %d ch, gain %+.2f dB, kept frames %zu..%zu of %zu, "
           "%s\n",
           j->input, j->output, r->in_rate, a->rate, a->channels, 20.0 * log10(r->gain),
           r->trim_start, r->trim_end, r->resampled_frames,
           r->faded ? "faded" : "not faded (last frame silent)");
    pthread_mutex_unlock(&b->lock);
}

/* Say what normalization could not do: a raise limited by --max-gain, or
 * samples clipped because the level was kept (--no-normalize). */
static void level_warnings(Batch *b, const Job *j, const StrimReport *r)
{
    pthread_mutex_lock(&b->lock);
    if (r->gain_capped)
        report(b, stderr,
               PROG ": %s: warning: reaching full scale needs %+.1f dB, more than the maximum "
                    "gain %+.1f dB (--max-gain): raised by %+.1f dB only\n",
               j->input, 20.0 * log10(r->wanted_gain), 20.0 * log10(b->opt.max_gain),
               20.0 * log10(r->gain));
    if (r->clipped)
        report(b, stderr,
               PROG ": %s: warning: %zu samples clipped: the peak is %+.2f dBFS after a gain of "
                    "%+.2f dB%s\n",
               j->input, r->clipped,
               20.0 * log10((r->peak_pos > r->peak_neg ? r->peak_pos : r->peak_neg) * r->gain),
               20.0 * log10(r->gain), b->opt.normalize ? "" : " (--no-normalize keeps the level)");
    pthread_mutex_unlock(&b->lock);
}

/* Check the input exists and is a regular file, for a clearer message
 * than the decoder's. */
static bool check_input(Batch *b, Job *j)
{
    struct stat s;
    if (stat(j->input, &s) != 0) {
        fail(b, j, strerror(errno), NULL);
        return false;
    }
    if (S_ISDIR(s.st_mode)) {
        fail(b, j, "is a directory", NULL);
        return false;
    }
    return true;
}

/* Whether two paths name the same existing file. */
bool same_file(const char *x, const char *y)
{
    struct stat a, c;
    return stat(x, &a) == 0 && stat(y, &c) == 0 && a.st_dev == c.st_dev && a.st_ino == c.st_ino;
}

/* Read the file of job j into a (the first step of both passes). */
static bool read_input(Batch *b, Job *j, StrimAudio *a, const StrimProgress *pr)
{
    char detail[1024] = "";
    if (j->failed || !check_input(b, j))
        return false;
    StrimStatus st = strim_read_file(j->input, STRIM_MAX_SAMPLES, a, detail, sizeof detail, pr);
    if (st) {
        fail(b, j, strim_strerror(st), detail);
        return false;
    }
    j->resampling = a->rate != b->opt.rate;
    return true;
}

/* What strim_process's refusal means for the user. */
static const char *process_detail(StrimStatus st)
{
    return st == STRIM_ERR_DAMAGED ? "NaN or infinite samples" : NULL;
}

/* --same-gain's first pass: the peaks of the file after rate conversion
 * (where the gain is applied), so the set's loudest peak is exact. */
static void measure_job(Batch *b, size_t idx)
{
    Job *j = &b->jobs[idx];
    StrimAudio a = {0};
    StrimProgress pr = {progress_within, j};
    StrimOptions o = b->opt;
    StrimReport rep;
    StrimStatus st;
    if (!read_input(b, j, &a, &pr))
        goto out;
    /* The chain without a gain: its report carries the peaks. */
    o.normalize = false;
    o.fixed_gain = 0.0;
    o.progress = &pr;
    if ((st = strim_process(&a, &o, &rep))) {
        fail(b, j, strim_strerror(st), process_detail(st));
        goto out;
    }
    j->peak_pos = rep.peak_pos;
    j->peak_neg = rep.peak_neg;
    j->measured = true;
out:
    strim_audio_free(&a);
    progress_step(b, j);
}

static void run_job(Batch *b, size_t idx)
{
    Job *j = &b->jobs[idx];
    char detail[1024] = "";
    StrimAudio a = {0};
    StrimReport rep;
    StrimProgress pr = {progress_within, j};
    StrimOptions o = b->opt;
    AtRand r;
    StrimStatus st;
    j->shown = 0;
    if (!read_input(b, j, &a, &pr))
        goto out;
    o.progress = &pr;
    if ((st = strim_process(&a, &o, &rep))) {
        fail(b, j, strim_strerror(st), process_detail(st));
        goto out;
    }
    if (mkdir(j->dir, 0777) != 0 && errno != EEXIST) {
        snprintf(detail, sizeof detail, "%s: %s", j->dir, strerror(errno));
        fail(b, j, "cannot create the output folder", detail);
        goto out;
    }
    if (same_file(j->input, j->output)) {
        fail(b, j, "the output would overwrite the input, skipped", j->output);
        goto out;
    }
    /* A seed per file position: the output does not depend on --jobs. */
    at_rand_seed(&r, b->seed + idx * UINT64_C(0x9E3779B97F4A7C15));
    st = strim_write_wav(j->output, &a, b->opt.bits, b->opt.dither ? &r : NULL, detail,
                         sizeof detail, &pr);
    if (st) {
        fail(b, j, strim_strerror(st), detail);
        goto out;
    }
    j->written = true;
    j->in_rate = rep.in_rate;
    j->trim_start = rep.trim_start;
    j->out_frames = a.frames;
    level_warnings(b, j, &rep);
    if (b->verbose)
        verbose_line(b, j, &a, &rep);
out:
    strim_audio_free(&a);
    progress_step(b, j);
}

static void *worker(void *arg)
{
    Batch *b = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&b->next, 1);
        if (i >= b->n)
            return NULL;
        if (b->measuring)
            measure_job(b, i);
        else
            run_job(b, i);
    }
}

static int cmp_output(const void *x, const void *y)
{
    const Job *p = *(const Job *const *)x, *q = *(const Job *const *)y;
    int d = strcmp(p->output ? p->output : "", q->output ? q->output : "");
    return d ? d : (p < q ? -1 : p > q);
}

/* Two inputs mapping to one output (kick.wav and kick.flac) would race and
 * overwrite each other: keep the first on the command line, fail the rest. */
static StrimStatus mark_duplicates(Batch *b)
{
    Job **sorted = malloc(b->n * sizeof *sorted);
    if (!sorted)
        return STRIM_ERR_NOMEM;
    for (size_t i = 0; i < b->n; i++)
        sorted[i] = &b->jobs[i];
    qsort(sorted, b->n, sizeof *sorted, cmp_output);
    /* Equal outputs sort by command-line position: first of a run wins. */
    size_t first = 0;
    for (size_t i = 1; i < b->n; i++) {
        if (!sorted[i]->output ||
            strcmp(sorted[i]->output, sorted[first]->output ? sorted[first]->output : "")) {
            first = i;
            continue;
        }
        char detail[512];
        snprintf(detail, sizeof detail, "%s is also written from %s", sorted[i]->output,
                 sorted[first]->input);
        fail(b, sorted[i], "output name clash, skipped", detail);
    }
    free(sorted);
    return STRIM_OK;
}

StrimStatus plan_jobs(Batch *b, char **files, size_t n)
{
    b->jobs = calloc(n, sizeof *b->jobs);
    if (!b->jobs)
        return STRIM_ERR_NOMEM;
    b->n = n;
    for (size_t i = 0; i < n; i++) {
        Job *j = &b->jobs[i];
        j->input = files[i];
        j->batch = b;
        StrimStatus st =
            strim_output_path(files[i], b->out_dir, b->opt.rate, b->opt.bits, &j->output, &j->dir);
        if (st == STRIM_ERR_NOMEM)
            return st;
        if (st != STRIM_OK)
            fail(b, j, "not a file name", NULL);
    }
    return mark_duplicates(b);
}

/* Run every job on nthreads workers (the calling thread is one of them). */
static void run_workers(Batch *b, long nthreads)
{
    pthread_t tid[MAX_JOBS];
    long started = 0;
    atomic_store(&b->next, 0);
    if ((size_t)nthreads > b->n)
        nthreads = (long)b->n;
    for (long i = 1; i < nthreads; i++) {
        if (pthread_create(&tid[started], NULL, worker, b) != 0)
            break; /* fewer threads is still correct */
        started++;
    }
    worker(b);
    for (long i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
}

/* --same-gain: the one gain that brings the set's loudest peak to the
 * target, under the same rules as a single file's normalization. */
static void same_gain(Batch *b)
{
    float pos = 0.0f, neg = 0.0f;
    size_t loudest = 0, measured = 0;
    for (size_t i = 0; i < b->n; i++) {
        const Job *j = &b->jobs[i];
        if (!j->measured)
            continue;
        float p = j->peak_pos > j->peak_neg ? j->peak_pos : j->peak_neg;
        if (measured++ == 0 || p > (pos > neg ? pos : neg))
            loudest = i;
        pos = j->peak_pos > pos ? j->peak_pos : pos;
        neg = j->peak_neg > neg ? j->peak_neg : neg;
    }
    bool capped;
    double t = strim_full_scale(b->opt.bits);
    double want = strim_level_gain(pos, neg, b->opt.normalize_skip, t, INFINITY, NULL);
    double g = strim_level_gain(pos, neg, b->opt.normalize_skip, t, b->opt.max_gain, &capped);
    b->opt.fixed_gain = g;
    if (capped)
        fprintf(stderr,
                PROG ": warning: --same-gain: the loudest file needs %+.1f dB, more than the "
                     "maximum gain %+.1f dB (--max-gain): raised by %+.1f dB only\n",
                20.0 * log10(want), 20.0 * log10(b->opt.max_gain), 20.0 * log10(g));
    if (b->verbose && measured)
        printf("--same-gain: gain %+.2f dB for %zu files (loudest peak %+.2f dBFS: %s)\n",
               20.0 * log10(g), measured, 20.0 * log10(pos > neg ? pos : neg),
               b->jobs[loudest].input);
}

void run_batch(Batch *b, long nthreads)
{
    if (b->same_gain) {
        b->measuring = true;
        run_workers(b, nthreads);
        b->measuring = false;
        same_gain(b);
    }
    run_workers(b, nthreads);
    if (b->progress && b->tty)
        fputs("\n", stderr);
}
