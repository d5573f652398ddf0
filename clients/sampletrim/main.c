/* main.c - aiotone-sampletrim: options, the batch of files, worker threads
 * and progress. An offline tool: no JACK. Each file is read, run through
 * the core chain (sampletrim.h) and written by one worker thread; files
 * are independent, so workers share only the batch counters (mutex). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "fileio.h"
#include "instrfile.h"
#include "rand.h"
#include "sampletrim.h"
#include "sampletrim_io.h"
#include "monotime.h"

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

/* The options, as --help shows them and as they are read
 * (common/cmdline.h): a line that starts with spaces and "-" is an option. */
#define USAGE                                                                                      \
    "Usage: " PROG " [options] FILE...\n"                                                          \
    "Convert samples to 44.1 kHz 16-bit with TPDF dither, normalize, trim silence at\n"            \
    "both ends, fade out the tail, and write each as a WAV with the same name into\n"              \
    "a 44100_16bit/ folder beside the input (named after --rate and --bits).\n"                    \
    "\n"                                                                                           \
    "  -r, --rate HZ              output sample rate (default 44100)\n"                            \
    "  -b, --bits N               output bit depth: 8, 16 or 24 (default 16)\n"                    \
    "  -s, --start-threshold PCT  trim the start at the first window peaking above\n"              \
    "                             PCT%% of full scale (default 0.5)\n"                             \
    "  -e, --end-threshold PCT    trim the end after the last window peaking above\n"              \
    "                             PCT%% of full scale (default 0.1)\n"                             \
    "  -w, --window FRAMES        trim window length in frames (default 16)\n"                     \
    "  -f, --fade FRAMES          fade-out length in frames, 0 = none (default 44)\n"              \
    "      --same-gain            one gain for all the files given (velocity layers\n"             \
    "                             keep their levels): the loudest peak meets full scale\n"         \
    "      --max-gain DB          raise a file by at most DB decibels (default 40)\n"              \
    "      --normalize-skip PCT   leave the level alone when the peak is already\n"                \
    "                             >= PCT%% of full scale (default 99)\n"                           \
    "      --no-normalize         never change the level\n"                                        \
    "      --no-dither            round without dither\n"                                          \
    "      --seed N               dither seed; the same seed gives the same output\n"              \
    "                             (default 1; 0 = a different seed every run)\n"                   \
    "  -q, --quality Q            resampler: best, medium or fast (default medium)\n"              \
    "  -o, --output-dir DIR       write every output into DIR instead\n"                           \
    "  -j, --jobs N               files processed in parallel (default: CPUs)\n"                   \
    "      --progress             show a progress line even when stderr is not a tty\n"            \
    "      --no-progress          never show the progress line\n"                                  \
    "  -v, --verbose              print what was done to each file on stdout\n"                    \
    "  -h, --help                 this help\n"                                                     \
    "  -V, --version              print the version\n"                                             \
    "\n"                                                                                           \
    "Missing, unreadable and damaged (truncated, empty, 0-frame) files are reported\n"             \
    "and skipped. Exit status: 0 all files written, 1 some file failed, 2 bad usage.\n"

static void usage(FILE *f)
{
    fprintf(f, USAGE);
}

/* Parse a whole-string number in [lo, hi]; false on junk or out of range. */
static bool parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static int bad_value(const char *opt, const char *val, const char *allowed)
{
    fprintf(stderr, PROG ": bad value '%s' for --%s (allowed: %s)\n", val, opt, allowed);
    return 2;
}

/* The options whose value is a number in a range, and what the error
 * names as allowed: whole numbers, then any. */
typedef struct {
    const char *opt;
    double lo, hi;
    const char *allowed;
} Range;

static const Range whole_opts[] = {
    {"rate", 1000, 768000, "1000..768000 Hz"},
    {"bits", 8, 24, "8, 16 or 24"},
    {"window", 1, 1000000, "1..1000000 frames"},
    {"fade", 0, 10000000, "0..10000000 frames"},
    {"jobs", 1, MAX_JOBS, "1..256"},
};
static const Range real_opts[] = {
    {"start-threshold", 0, 100, "0..100 percent"},
    {"end-threshold", 0, 100, "0..100 percent"},
    {"normalize-skip", 0, 100, "0..100 percent"},
    {"max-gain", 0, 200, "0..200 dB"},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Option opt's number into *l (a whole one) or *v: -1 to go on (also when
 * opt takes no number), or 2 after saying what is wrong. */
static int number(const char *opt, const char *arg, long *l, double *v)
{
    for (size_t i = 0; i < N_OF(whole_opts); i++) {
        const Range *r = &whole_opts[i];
        if (!strcmp(opt, r->opt) && !parse_int(arg, (long)r->lo, (long)r->hi, l))
            return bad_value(opt, arg, r->allowed);
    }
    for (size_t i = 0; i < N_OF(real_opts); i++) {
        const Range *r = &real_opts[i];
        if (!strcmp(opt, r->opt) && !parse_num(arg, r->lo, r->hi, v))
            return bad_value(opt, arg, r->allowed);
    }
    return -1;
}

/* The output format and where a sample is cut (--rate, --bits, the
 * thresholds, --window, --fade) into b->opt from the number l or v; -1 to
 * go on, an exit status, or -2 when opt is none of them. */
static int sound_option(const char *opt, const char *arg, long l, double v, Batch *b)
{
    if (!strcmp(opt, "rate")) {
        b->opt.rate = (int)l;
    } else if (!strcmp(opt, "bits")) {
        if (l != 8 && l != 16 && l != 24)
            return bad_value(opt, arg, "8, 16 or 24");
        b->opt.bits = (int)l;
    } else if (!strcmp(opt, "start-threshold")) {
        b->opt.start_threshold = v / 100.0;
    } else if (!strcmp(opt, "end-threshold")) {
        b->opt.end_threshold = v / 100.0;
    } else if (!strcmp(opt, "window")) {
        b->opt.window = (size_t)l;
    } else if (!strcmp(opt, "fade")) {
        b->opt.fade = (size_t)l;
    } else {
        return -2;
    }
    return -1;
}

/* --seed N: 0 draws one. */
static int seed_option(const char *arg, Batch *b)
{
    char *end;
    errno = 0;
    unsigned long long s = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-')
        return bad_value("seed", arg, "0..18446744073709551615");
    b->seed = s ? (uint64_t)s : at_rand_entropy_seed();
    return -1;
}

/* The level (normalizing, gain), the dither and its seed, the resampling
 * quality; the same returns as sound_option. */
static int level_option(const char *opt, const char *arg, double v, Batch *b)
{
    if (!strcmp(opt, "normalize-skip"))
        b->opt.normalize_skip = v / 100.0;
    else if (!strcmp(opt, "no-normalize"))
        b->opt.normalize = false;
    else if (!strcmp(opt, "same-gain"))
        b->same_gain = true;
    else if (!strcmp(opt, "max-gain"))
        b->opt.max_gain = pow(10.0, v / 20.0);
    else if (!strcmp(opt, "no-dither"))
        b->opt.dither = false;
    else if (!strcmp(opt, "seed"))
        return seed_option(arg, b);
    else if (strcmp(opt, "quality"))
        return -2;
    else if (!strcmp(arg, "best"))
        b->opt.quality = STRIM_Q_BEST;
    else if (!strcmp(arg, "medium"))
        b->opt.quality = STRIM_Q_MEDIUM;
    else if (!strcmp(arg, "fast"))
        b->opt.quality = STRIM_Q_FAST;
    else
        return bad_value(opt, arg, "best, medium, fast");
    return -1;
}

/* Apply one option (by its long name; "" for one getopt_long refused) to
 * b/jobs; returns -1 to go on, else an exit status. */
static int apply_option(const char *opt, const char *arg, Batch *b, long *jobs, int *progress)
{
    long l = 0;
    double v = 0;
    int r = number(opt, arg, &l, &v);
    if (r < 0)
        r = sound_option(opt, arg, l, v, b);
    if (r == -2)
        r = level_option(opt, arg, v, b);
    if (r != -2)
        return r;
    if (!strcmp(opt, "output-dir")) {
        b->out_dir = arg;
    } else if (!strcmp(opt, "jobs")) {
        *jobs = l;
    } else if (!strcmp(opt, "progress") || !strcmp(opt, "no-progress")) {
        *progress = !strcmp(opt, "progress");
    } else if (!strcmp(opt, "verbose")) {
        b->verbose = true;
    } else if (!strcmp(opt, "help")) {
        usage(stdout);
        return 0;
    } else if (!strcmp(opt, "version")) {
        printf(PROG " " AT_VERSION "\n");
        return 0;
    } else {
        fprintf(stderr, "Try '" PROG " --help' for more information.\n");
        return 2;
    }
    return -1;
}

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

static void fail(Batch *b, Job *j, const char *what, const char *detail)
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
static bool same_file(const char *x, const char *y)
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

static StrimStatus plan_jobs(Batch *b, char **files, size_t n)
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

/* --- instrument files (SFZ, DecentSampler) beside the inputs ------------ */

/* Largest instrument file read. */
#define MAX_INSTRUMENT_BYTES ((size_t)16 << 20)

/* The folder part of path ("." when none), malloc'ed. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* The path of file `to` relative to the folder from_dir (both folders
 * must exist: they are resolved with realpath), malloc'ed. */
static char *relative_path(const char *from_dir, const char *to)
{
    char *to_dir = dir_of(to);
    const char *base = strrchr(to, '/') ? strrchr(to, '/') + 1 : to;
    char *a = to_dir ? realpath(from_dir, NULL) : NULL, *c = to_dir ? realpath(to_dir, NULL) : NULL;
    char *out = NULL;
    if (a && c) {
        /* The root is the empty path here, so every component starts with '/'. */
        if (!strcmp(a, "/"))
            a[0] = 0;
        if (!strcmp(c, "/"))
            c[0] = 0;
        size_t i = 0, common = 0;
        for (;; i++) {
            if (a[i] != c[i]) {
                if ((!a[i] && c[i] == '/') || (!c[i] && a[i] == '/'))
                    common = i;
                break;
            }
            if (!a[i]) {
                common = i;
                break;
            }
            if (a[i] == '/')
                common = i;
        }
        size_t ups = 0;
        for (const char *p = a + common; *p; p++)
            ups += *p == '/';
        const char *rest = c[common] == '/' ? c + common + 1 : c + common;
        size_t n = ups * 3 + strlen(rest) + strlen(base) + 2;
        out = malloc(n);
        if (out) {
            out[0] = 0;
            for (size_t k = 0; k < ups; k++)
                strcat(out, "../");
            if (*rest) {
                strcat(out, rest);
                strcat(out, "/");
            }
            strcat(out, base);
        }
    }
    free(a);
    free(c);
    free(to_dir);
    return out;
}

/* What the lookup of an instrument's samples found. */
typedef struct {
    Batch *b;
    const char *dir;     /* the instrument's folder */
    const char *out_dir; /* where the new instrument goes */
    size_t found, missing;
    char first_missing[512];
    char *paths[4096]; /* relative paths handed out (freed after) */
    size_t npaths;
} InstrCtx;

static bool lookup_sample(void *user, const char *sample, StrimSampleMap *m)
{
    InstrCtx *x = user;
    size_t n = strlen(x->dir) + strlen(sample) + 2;
    char *full = malloc(n);
    struct stat s;
    bool ok = false;
    *m = (StrimSampleMap){.path = sample, .ratio = 1.0};
    if (!full)
        return true;
    snprintf(full, n, "%s/%s", sample[0] == '/' ? "" : x->dir, sample);
    if (stat(sample[0] == '/' ? sample : full, &s) == 0) {
        for (size_t i = 0; i < x->b->n; i++) {
            const Job *j = &x->b->jobs[i];
            struct stat js;
            if (!j->written || stat(j->input, &js) != 0 || js.st_dev != s.st_dev ||
                js.st_ino != s.st_ino)
                continue;
            char *rel = x->npaths < sizeof x->paths / sizeof *x->paths
                            ? relative_path(x->out_dir, j->output)
                            : NULL;
            if (!rel)
                break;
            x->paths[x->npaths++] = rel;
            *m = (StrimSampleMap){.path = rel,
                                  .ratio = (double)x->b->opt.rate / (double)j->in_rate,
                                  .trim_start = j->trim_start,
                                  .frames = j->out_frames};
            ok = true;
            break;
        }
    }
    free(full);
    if (ok) {
        x->found++;
    } else if (x->missing++ == 0) {
        snprintf(x->first_missing, sizeof x->first_missing, "%s", sample);
    }
    return true; /* go on: count them all, decide after */
}

/* Rewrite one instrument file found beside the inputs; false on an error
 * that must fail the run (it could not be written). */
static bool instrument(Batch *b, const char *dir, const char *name, StrimInstrKind kind)
{
    size_t pl = strlen(dir) + strlen(name) + 2;
    char *path = malloc(pl), *out_path = NULL, *out_dir = NULL, *text = NULL, *res = NULL;
    char detail[1024] = "";
    bool ok = true;
    size_t len, rlen, nsamples = 0, clamped = 0;
    InstrCtx x = {.b = b, .dir = dir};
    if (!path)
        return false;
    snprintf(path, pl, "%s/%s", dir, name);
    if (strim_output_path(path, b->out_dir, b->opt.rate, b->opt.bits, &out_path, &out_dir)) {
        ok = false;
        goto out;
    }
    /* strim_output_path names a .wav: keep the instrument's own name. */
    free(out_path);
    size_t ol = strlen(out_dir) + strlen(name) + 2;
    out_path = malloc(ol);
    if (!out_path) {
        ok = false;
        goto out;
    }
    snprintf(out_path, ol, "%s/%s", out_dir, name);
    x.out_dir = out_dir;
    text = at_file_read(path, MAX_INSTRUMENT_BYTES, &len, NULL, 0);
    if (!text) {
        fprintf(stderr, PROG ": %s: warning: cannot read this instrument file (%s)\n", path,
                errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
        goto out;
    }
    /* The folder may not exist yet when none of its samples was written;
     * then the instrument is not about this run anyway (found == 0). */
    mkdir(out_dir, 0777);
    StrimStatus st = strim_instr_rewrite(text, len, kind, lookup_sample, &x, &res, &rlen, &nsamples,
                                         &clamped, detail, sizeof detail);
    if (st != STRIM_OK) {
        fprintf(stderr, PROG ": %s: instrument not written: %s\n", path, detail);
        ok = false;
        goto out;
    }
    if (x.found == 0) /* none of its samples in this run: not ours to touch */
        goto out;
    if (x.missing) {
        fprintf(stderr,
                PROG ": %s: warning: instrument not written: %zu of its %zu samples were not "
                     "trimmed in this run (first: %s)\n",
                path, x.missing, x.found + x.missing, x.first_missing);
        goto out;
    }
    if (same_file(path, out_path)) {
        fprintf(stderr, PROG ": %s: instrument not written: it would overwrite itself\n", path);
        ok = false;
        goto out;
    }
    if (at_file_write_atomic(out_path, res, rlen, NULL, 0) != AT_OK) {
        fprintf(stderr, PROG ": %s: cannot write the trimmed instrument (%s: %s)\n", path, out_path,
                strerror(errno));
        ok = false;
        goto out;
    }
    if (clamped)
        fprintf(stderr,
                PROG ": %s: warning: %zu loop or offset positions fell in the trimmed part and "
                     "were moved to the trimmed file's ends\n",
                out_path, clamped);
    if (b->verbose)
        printf("%s -> %s: instrument, %zu samples\n", path, out_path, nsamples);
out:
    for (size_t i = 0; i < x.npaths; i++)
        free(x.paths[i]);
    free(res);
    free(text);
    free(out_dir);
    free(out_path);
    free(path);
    return ok;
}

/* Instrument files in the inputs' folders that name the trimmed samples
 * get a trimmed copy beside the outputs. Returns false when one could not
 * be written. */
static bool instruments(Batch *b)
{
    bool ok = true, any = false;
    for (size_t i = 0; i < b->n; i++)
        any = any || b->jobs[i].written;
    if (!any)
        return true;
    char **dirs = calloc(b->n, sizeof *dirs);
    size_t nd = 0;
    if (!dirs)
        return false;
    for (size_t i = 0; i < b->n; i++) {
        char *d = dir_of(b->jobs[i].input);
        bool seen = !d;
        for (size_t k = 0; k < nd && !seen; k++)
            seen = !strcmp(dirs[k], d);
        if (seen) {
            free(d);
            continue;
        }
        dirs[nd++] = d;
        /* Sorted, so messages come in a stable order. */
        struct dirent **names;
        int n = scandir(d, &names, NULL, alphasort);
        for (int k = 0; k < n; k++) {
            StrimInstrKind kind;
            if (strim_instr_kind(names[k]->d_name, &kind))
                ok = instrument(b, d, names[k]->d_name, kind) && ok;
            free(names[k]);
        }
        if (n >= 0)
            free(names);
    }
    for (size_t k = 0; k < nd; k++)
        free(dirs[k]);
    free(dirs);
    return ok;
}

static void run_batch(Batch *b, long nthreads)
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

int main(int argc, char **argv)
{
    Batch b = {.seed = 1};
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    int progress = -1; /* -1: when stderr is a tty */
    int c, rc = 0;
    AtCmdline cl;
    if (!at_cmdline_init(&cl, USAGE, ""))
        return 1;
    strim_options_default(&b.opt);
    while ((c = getopt_long(argc, argv, cl.shorts, cl.longs, NULL)) != -1) {
        int r = apply_option(at_cmdline_name(&cl, c), optarg, &b, &jobs, &progress);
        if (r >= 0)
            return r;
    }
    if (b.same_gain && !b.opt.normalize) {
        fprintf(stderr, PROG ": --same-gain and --no-normalize exclude each other\n");
        return 2;
    }
    if (optind >= argc) {
        fprintf(stderr, PROG ": no input files\nTry '" PROG " --help' for more information.\n");
        return 2;
    }
    if (jobs < 1)
        jobs = 1;
    if (jobs > MAX_JOBS)
        jobs = MAX_JOBS;
    b.tty = isatty(STDERR_FILENO);
    b.progress = progress < 0 ? b.tty : progress;
    pthread_mutex_init(&b.lock, NULL);
    if (plan_jobs(&b, argv + optind, (size_t)(argc - optind)) != STRIM_OK) {
        fprintf(stderr, PROG ": out of memory\n");
        rc = 1;
        goto out;
    }
    run_batch(&b, jobs);
    for (size_t i = 0; i < b.n; i++)
        rc |= b.jobs[i].failed;
    rc |= !instruments(&b);
out:
    for (size_t i = 0; i < b.n; i++) {
        free(b.jobs[i].output);
        free(b.jobs[i].dir);
    }
    free(b.jobs);
    pthread_mutex_destroy(&b.lock);
    return rc ? 1 : 0;
}
