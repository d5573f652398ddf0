/* at-srcq - sample rate conversion quality, for comparing aiotone-sampletrim
 * with `sox rate -h` (tests/integration/test_sampletrim_quality.sh and
 * tests/bench/bench_sampletrim.sh).
 *
 *   at-srcq gen DIR          write the test signals into DIR: 48 kHz float
 *                            mono WAVs, 1.2 s each, amplitude 0.5: tones
 *                            t<Hz>.wav in the passband, tones a<Hz>.wav
 *                            and a sweep sweep.wav above 22.05 kHz (they
 *                            must not come through at 44.1 kHz)
 *   at-srcq measure DIR      read the converted files (same names, any
 *                            rate) from DIR and print three figures:
 *     ripple_db  passband ripple: max - min gain of the tones 20 Hz..20 kHz
 *     alias_db   alias rejection: input level over output level of the
 *                worst of the stopband tones and the sweep (higher is better)
 *     thdn_db    THD+N: residual after removing the fitted tone, relative
 *                to the tone, worst over the passband tones (lower is better)
 *
 * Amplitudes come from a least-squares fit of sin, cos and a constant at
 * the tone's exact frequency over the middle of the file (0.15 s left out
 * at each end), so no alignment between converters is needed. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IN_RATE 48000
#define SECONDS 1.2
#define AMP 0.5
#define EDGE 0.15

static const int pass_tones[] = {20,   50,    100,   500,   1000,  2000,
                                 5000, 10000, 15000, 18000, 19000, 20000};
static const int stop_tones[] = {22500, 23000, 23500};
#define NPASS (sizeof pass_tones / sizeof *pass_tones)
#define NSTOP (sizeof stop_tones / sizeof *stop_tones)
#define SWEEP_LO 22100.0
#define SWEEP_HI 23950.0

static int write_wav(const char *path, const float *x, size_t n)
{
    SF_INFO info = {
        .samplerate = IN_RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    if (!sf) {
        fprintf(stderr, "at-srcq: %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    sf_count_t w = sf_write_float(sf, x, (sf_count_t)n);
    sf_close(sf);
    return w == (sf_count_t)n ? 0 : -1;
}

static int gen(const char *dir)
{
    size_t n = (size_t)(SECONDS * IN_RATE);
    float *x = malloc(n * sizeof *x);
    char path[4096];
    int rc = 0;
    if (!x)
        return 1;
    for (size_t k = 0; k < NPASS + NSTOP; k++) {
        int f = k < NPASS ? pass_tones[k] : stop_tones[k - NPASS];
        for (size_t i = 0; i < n; i++)
            x[i] = (float)(AMP * sin(2.0 * M_PI * f * (double)i / IN_RATE));
        snprintf(path, sizeof path, "%s/%c%d.wav", dir, k < NPASS ? 't' : 'a', f);
        rc |= write_wav(path, x, n);
    }
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / IN_RATE;
        double ph = SWEEP_LO * t + (SWEEP_HI - SWEEP_LO) * t * t / (2.0 * SECONDS);
        x[i] = (float)(AMP * sin(2.0 * M_PI * ph));
    }
    snprintf(path, sizeof path, "%s/sweep.wav", dir);
    rc |= write_wav(path, x, n);
    free(x);
    return rc ? 1 : 0;
}

/* The middle of a converted file, as doubles. */
typedef struct {
    double *x;
    size_t n;
    int rate;
} Seg;

static int read_mid(const char *dir, char kind, int f, Seg *s)
{
    char path[4096];
    if (kind == 's')
        snprintf(path, sizeof path, "%s/sweep.wav", dir);
    else
        snprintf(path, sizeof path, "%s/%c%d.wav", dir, kind, f);
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf || info.channels != 1) {
        fprintf(stderr, "at-srcq: %s: %s\n", path, sf ? "not mono" : sf_strerror(NULL));
        if (sf)
            sf_close(sf);
        return -1;
    }
    size_t total = (size_t)info.frames, edge = (size_t)(EDGE * info.samplerate);
    if (total < 4 * edge) {
        fprintf(stderr, "at-srcq: %s: too short (%zu frames)\n", path, total);
        sf_close(sf);
        return -1;
    }
    double *all = malloc(total * sizeof *all);
    if (!all || sf_read_double(sf, all, (sf_count_t)total) != (sf_count_t)total) {
        fprintf(stderr, "at-srcq: %s: read failed\n", path);
        free(all);
        sf_close(sf);
        return -1;
    }
    sf_close(sf);
    s->n = total - 2 * edge;
    s->x = malloc(s->n * sizeof *s->x);
    if (!s->x) {
        free(all);
        return -1;
    }
    memcpy(s->x, all + edge, s->n * sizeof *s->x);
    free(all);
    s->rate = info.samplerate;
    return 0;
}

/* Least-squares fit of a sin + b cos + c at frequency f: returns the
 * amplitude; *res_rms gets the RMS of what the fit leaves. */
static double fit(const Seg *s, double f, double *res_rms)
{
    double m[3][4] = {{0}};
    double w = 2.0 * M_PI * f / s->rate;
    for (size_t i = 0; i < s->n; i++) {
        double b[3] = {sin(w * i), cos(w * i), 1.0};
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++)
                m[r][c] += b[r] * b[c];
            m[r][3] += b[r] * s->x[i];
        }
    }
    /* Gauss-Jordan on the 3x3 normal equations (well conditioned here). */
    for (int p = 0; p < 3; p++) {
        for (int r = 0; r < 3; r++) {
            if (r == p)
                continue;
            double k = m[r][p] / m[p][p];
            for (int c = p; c < 4; c++)
                m[r][c] -= k * m[p][c];
        }
    }
    double a = m[0][3] / m[0][0], bb = m[1][3] / m[1][1], cc = m[2][3] / m[2][2];
    double e = 0.0;
    for (size_t i = 0; i < s->n; i++) {
        double d = s->x[i] - (a * sin(w * i) + bb * cos(w * i) + cc);
        e += d * d;
    }
    *res_rms = sqrt(e / (double)s->n);
    return hypot(a, bb);
}

static double rms(const Seg *s)
{
    double e = 0.0;
    for (size_t i = 0; i < s->n; i++)
        e += s->x[i] * s->x[i];
    return sqrt(e / (double)s->n);
}

static int measure(const char *dir)
{
    double gmin = INFINITY, gmax = -INFINITY, thdn = -INFINITY, alias = INFINITY;
    for (size_t k = 0; k < NPASS; k++) {
        Seg s;
        double res;
        if (read_mid(dir, 't', pass_tones[k], &s))
            return 1;
        double amp = fit(&s, pass_tones[k], &res);
        double g = 20.0 * log10(amp / AMP);
        double d = 20.0 * log10(res / (amp / sqrt(2.0)));
        if (getenv("AT_SRCQ_VERBOSE"))
            fprintf(stderr, "tone %5d Hz: gain %+.5f dB, THD+N %.2f dB\n", pass_tones[k], g, d);
        gmin = g < gmin ? g : gmin;
        gmax = g > gmax ? g : gmax;
        thdn = d > thdn ? d : thdn;
        free(s.x);
    }
    for (size_t k = 0; k <= NSTOP; k++) {
        Seg s;
        if (read_mid(dir, k < NSTOP ? 'a' : 's', k < NSTOP ? stop_tones[k] : 0, &s))
            return 1;
        double r = 20.0 * log10((AMP / sqrt(2.0)) / fmax(rms(&s), 1e-12));
        if (getenv("AT_SRCQ_VERBOSE"))
            fprintf(stderr, "stopband %s: %.2f dB down\n", k < NSTOP ? "tone" : "sweep", r);
        alias = r < alias ? r : alias;
        free(s.x);
    }
    printf("ripple_db %.4f\nalias_db %.2f\nthdn_db %.2f\n", gmax - gmin, alias, thdn);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "gen"))
        return gen(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "measure"))
        return measure(argv[2]);
    fprintf(stderr, "usage: at-srcq gen DIR | at-srcq measure DIR\n");
    return 2;
}
