/* fmkernel.h - the operator kernels of the fmsynth core, written once per
 * instruction set (x86-64: SSE2 baseline, AVX2, AVX-512F; elsewhere plain
 * C) and picked at run time. Every path computes the same IEEE operations
 * in the same order per sample (no FMA, no reassociation), so they give
 * the same bits; see docs/fmsynth.md. Internal to the fmsynth core. */
#ifndef FM_KERNEL_H
#define FM_KERNEL_H

#include "fmsynth.h"

#include <stdint.h>

/* A wave table point and the slope to the next one (table[i + 1] -
 * table[i], the same float the interpolation would compute), so one
 * 64-bit read gives both. */
typedef struct {
    float a, d;
} FmPoint;

/* One operator over n (1..FM_BLOCK) frames. For frame i:
 *   e   = env[i], or when env is NULL the envelope segment
 *         max(e0 + de * (float)(en + i + 1), 0)
 *   mod = 0 + depth * mod[0][i] + depth * mod[1][i] + ... (nmod terms)
 *   p   = ph0 + inc * (float)(k0 + i + 1) (+ mod when nmod > 0), cycles
 *   y   = amp * e * wave(p), linear interpolation between table points
 * then out[i] = y, or when l is not NULL the voice is mixed at once:
 *   v = 0 + y + add[0][i] + ... (nadd terms); l[i] += gl * v; r[i] += gr * v
 * Each sum is evaluated left to right, as written. */
typedef struct {
    const FmPoint *tab;
    float ph0, inc;
    int k0;
    float amp;
    const float *env;
    float e0, de;
    int32_t en;
    int nmod;
    float depth;
    const float *mod[FM_OPS - 1];
    float *out;
    int nadd;
    const float *add[FM_OPS - 1];
    float gl, gr;
    float *l, *r;
} FmOpArgs;

/* count operators a[0..count) over the same n frames, one after the
 * other (in order: voices mixed into the same l and r add up in it). One
 * call for the operators of all the voices of a chunk: the per-call
 * set-up (constants, the call itself) is paid once per batch. */
typedef void (*FmOpFn)(const FmOpArgs *a, int count, int n);

/* Operator 4 with self-feedback for `lanes` voices side by side (one per
 * lane; each an independent chain). Per lane j and frame i:
 *   p = (ph0[j] + inc[j] * (k0[j] + i + 1) + fbk * 0.5 * (y1[j] + y2[j]))
 *   y = amp[j] * env[i * lanes + j] * wave(p), written to out[i * lanes + j]
 * and y1, y2 (the last two outputs) updated. */
typedef void (*FmFbFn)(const FmPoint *tab, float fbk, const float *ph0, const float *inc,
                       const int32_t *k0, const float *amp, float *y1, float *y2, const float *env,
                       float *out, int n);

typedef struct {
    FmOpFn op;
    FmFbFn fb;
    int fb_lanes; /* voices per fb call (FM_FB_LANES_MAX at most) */
} FmKernels;

#define FM_FB_LANES_MAX 32

/* dst[c * dstride + r] = src[r * sstride + c] for r < rows, c < cols
 * (both multiples of 4). */
void fm_transpose(const float *src, int sstride, float *dst, int dstride, int rows, int cols);

/* The kernels of a path (NULL when this build or CPU lacks it). */
const FmKernels *fm_kernels(FmSimd path);

#endif
