/* main.c - aiotone-sampletrim: options and usage. An offline tool: no
 * JACK. The batch of files, worker threads and progress are in batch.c,
 * the instrument files beside the inputs in instruments.c. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "rand.h"
#include "batch.h"
#include "sampletrim.h"

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
