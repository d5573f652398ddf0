/* bench_fmsynth - fmsynth against a bare FM kernel, side by side.
 *
 * The bare kernel (below) is the floor: 4 operators, a 2048-point table
 * read with linear interpolation, a phase accumulator, a linear envelope,
 * the serial algorithm 4 -> 3 -> 2 -> 1 and a stereo pan, each operator
 * rendered over the whole period (operator-major), written plainly for
 * the compiler to vectorize (built for AVX-512, AVX2 and the baseline and
 * picked at load time, so it gets the best this CPU offers). fmsynth must
 * be at least as fast with all its features on (goal >= 1.0x), with
 * operator 4 feedback at least 0.8x its own plain figure, and 16 voices at
 * a 64-frame period must take under 0.3% of a core.
 *
 * Workload: N voices held on a patch with sustain > 0 on every operator
 * (every operator sounds all the time), algorithm 0 (the kernel's) and
 * 10 (the default). The runs alternate (fmsynth, kernel, fmsynth with
 * feedback, ...) ROUNDS times; each ratio is taken within a round and the
 * medians are printed, so load on the shared machine hits both sides.
 * CPU time is the process's (CLOCK_PROCESS_CPUTIME_ID). */
#include "bench/bench.h"
#include "clients/fmsynth/fmsynth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE 48000
#define VOICES 64
#define ROUNDS 15
#define MAXP 4096

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(const double *x, int n)
{
    double t[64];
    memcpy(t, x, (size_t)n * sizeof *t);
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

/* ---- the bare kernel ---- */

#define K_OPS 4
#define K_TABLE 2048

typedef struct {
    float phase[K_OPS]; /* cycles, 0..1 */
    float inc[K_OPS];   /* cycles per frame */
    float env[K_OPS];   /* envelope value */
    float slope[K_OPS]; /* envelope change per frame */
    float amp[K_OPS];   /* velocity * level */
    float gl, gr;       /* pan */
} KVoice;

static float k_table[K_TABLE + 1];

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define K_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define K_CLONES
#endif

/* One period of every voice: per voice, ops 4, 3, 2, 1 each over the
 * whole period, each modulating the next; the last is the carrier. */
K_CLONES static void kernel_process(KVoice *vs, int nv, float *restrict l, float *restrict r, int n)
{
    float mod[MAXP], out[MAXP];
    for (int i = 0; i < n; i++)
        l[i] = r[i] = 0.0f;
    for (int vi = 0; vi < nv; vi++) {
        KVoice *v = &vs[vi];
        for (int op = K_OPS - 1; op >= 0; op--) {
            const float ph = v->phase[op], inc = v->inc[op], e0 = v->env[op], de = v->slope[op];
            const float amp = v->amp[op];
            const bool modulated = op < K_OPS - 1;
            for (int i = 0; i < n; i++) {
                float p = ph + inc * (float)(i + 1);
                if (modulated)
                    p += mod[i];
                p *= (float)K_TABLE;
                int32_t k = (int32_t)p;
                k -= (p < (float)k);
                float fr = p - (float)k;
                int32_t idx = k & (K_TABLE - 1);
                float a = k_table[idx], b = k_table[idx + 1];
                float e = e0 + de * (float)(i + 1);
                e = e > 0.0f ? e : 0.0f;
                out[i] = amp * e * (a + fr * (b - a));
            }
            float nph = ph + inc * (float)n;
            v->phase[op] = nph - floorf(nph);
            float ne = e0 + de * (float)n;
            v->env[op] = ne > 0.0f ? ne : 0.0f;
            memcpy(mod, out, (size_t)n * sizeof(float));
        }
        const float gl = v->gl, gr = v->gr;
        for (int i = 0; i < n; i++) {
            l[i] += gl * out[i];
            r[i] += gr * out[i];
        }
    }
}

static KVoice k_voices[VOICES];

static void kernel_init(int voices)
{
    for (int i = 0; i <= K_TABLE; i++)
        k_table[i] = (float)sin(2.0 * M_PI * (i % K_TABLE) / K_TABLE);
    static const float ratio[K_OPS] = {0.999f, 1.003f, 1.0f, 19.0f};
    static const float level[K_OPS] = {0.0312f, 0.45f, 0.324f, 0.224f};
    for (int v = 0; v < voices; v++) {
        KVoice *k = &k_voices[v];
        float hz = 440.0f * exp2f((float)(36 + v % 60 - 69) / 12.0f);
        float pan = 2.0f * (float)v / (float)(voices - 1) - 1.0f;
        k->gl = (1.0f - pan) * 0.5f / 8.0f;
        k->gr = (1.0f + pan) * 0.5f / 8.0f;
        for (int op = 0; op < K_OPS; op++) {
            k->phase[op] = 0.0f;
            k->inc[op] = hz * ratio[op] / (float)RATE;
            k->env[op] = 0.7f;
            /* a slow decay: the envelope moves all the time */
            k->slope[op] = -1e-7f;
            k->amp[op] = 100.0f / 127.0f * level[op];
        }
    }
}

static double run_kernel(int voices, double seconds, int period, float *sink)
{
    static float l[MAXP], r[MAXP];
    long cycles = (long)(seconds * RATE / period);
    double t0 = cpu_seconds();
    for (long c = 0; c < cycles; c++) {
        kernel_process(k_voices, voices, l, r, period);
        *sink += l[c % period] + r[0];
    }
    return cpu_seconds() - t0;
}

/* ---- fmsynth ---- */

static FmSynth *held_synth(int voices, int alg, double feedback)
{
    FmPatch p;
    fm_patch_default(&p);
    p.algorithm = alg;
    p.feedback = feedback;
    for (int op = 0; op < FM_OPS; op++)
        p.op[op].sustain = 0.7;
    FmSynth *s = NULL;
    if (fm_synth_new(&s, RATE, voices, &p) != FM_OK) {
        fprintf(stderr, "bench_fmsynth: cannot make a synth\n");
        exit(1);
    }
    for (int v = 0; v < voices; v++) {
        uint8_t on[3] = {0x90, (uint8_t)(36 + v % 60), 100};
        fm_synth_midi(s, on, 3);
    }
    return s;
}

/* Render seconds of audio in periods of period frames; returns CPU s. */
static double run(FmSynth *s, double seconds, uint32_t period, float *sink)
{
    static float l[MAXP], r[MAXP];
    long cycles = (long)(seconds * RATE / period);
    double t0 = cpu_seconds();
    for (long c = 0; c < cycles; c++) {
        fm_synth_process(s, NULL, 0, l, r, period);
        *sink += l[c % period] + r[0];
    }
    return cpu_seconds() - t0;
}

static void check_sounding(FmSynth *s, int voices)
{
    if (fm_synth_active_voices(s) != voices) {
        fprintf(stderr, "bench_fmsynth: only %d of %d voices sounding\n", fm_synth_active_voices(s),
                voices);
        exit(1);
    }
}

static const char *verdict(bool ok)
{
    return ok ? "met" : "NOT MET";
}

int main(int argc, char **argv)
{
    /* seconds of audio per run */
    double seconds = argc > 1 ? atof(argv[1]) : 4.0;
    const int period = 256;
    float sink = 0.0f;
    double vk[ROUNDS], v0[ROUNDS], v10[ROUNDS], vfb[ROUNDS];
    double r0[ROUNDS], r10[ROUNDS], rfb[ROUNDS], small[ROUNDS];

    kernel_init(VOICES);
    FmSynth *s0 = held_synth(VOICES, 0, 0.0), *s10 = held_synth(VOICES, 10, 0.0);
    FmSynth *fb = held_synth(VOICES, 0, 0.5), *s16 = held_synth(16, 10, 0.0);
    /* warm up: past the attacks and decays */
    run(s0, 0.2, period, &sink);
    run(s10, 0.2, period, &sink);
    run(fb, 0.2, period, &sink);
    run(s16, 0.2, 64, &sink);
    run_kernel(VOICES, 0.2, period, &sink);
    for (int k = 0; k < ROUNDS; k++) {
        double c0 = run(s0, seconds, period, &sink);
        double ck = run_kernel(VOICES, seconds, period, &sink);
        double cfb = run(fb, seconds, period, &sink);
        double c10 = run(s10, seconds, period, &sink);
        double c16 = run(s16, seconds, 64, &sink);
        v0[k] = VOICES * seconds / c0;
        vk[k] = VOICES * seconds / ck;
        vfb[k] = VOICES * seconds / cfb;
        v10[k] = VOICES * seconds / c10;
        r0[k] = ck / c0;
        r10[k] = ck / c10;
        rfb[k] = c0 / cfb;
        small[k] = 100.0 * c16 / seconds;
    }
    check_sounding(s0, VOICES);
    check_sounding(s10, VOICES);
    check_sounding(fb, VOICES);
    check_sounding(s16, 16);
    fm_synth_free(s0);
    fm_synth_free(s10);
    fm_synth_free(fb);
    fm_synth_free(s16);

    printf("fmsynth: %d held voices, period %d, %.1f s of audio per run, %d alternating rounds, "
           "medians (fmsynth SIMD path: %s)\n",
           VOICES, period, seconds, ROUNDS, fm_simd_name(fm_simd_best()));
    printf("  voices in real time on one core: fmsynth alg 0 %.0f, alg 10 %.0f, "
           "alg 0 + op 4 feedback %.0f; bare kernel %.0f\n",
           median(v0, ROUNDS), median(v10, ROUNDS), median(vfb, ROUNDS), median(vk, ROUNDS));
    double m0 = median(r0, ROUNDS), m10 = median(r10, ROUNDS), mfb = median(rfb, ROUNDS);
    double m16 = median(small, ROUNDS);
    printf("  fmsynth / bare kernel (alg 0, same routing): %.2fx (goal >= 1.0x: %s)\n", m0,
           verdict(m0 >= 1.0));
    printf("  fmsynth / bare kernel (alg 10, the default): %.2fx\n", m10);
    printf("  op 4 feedback / plain (alg 0): %.2fx (goal >= 0.8x: %s)\n", mfb, verdict(mfb >= 0.8));
    printf("  16 voices at a 64-frame period: %.3f%% of one core = %.2fx the budget of 0.3%% "
           "(goal < 1.0x: %s)\n",
           m16, m16 / 0.3, verdict(m16 < 0.3));
    return sink == 12345.0f ? 2 : 0;
}
