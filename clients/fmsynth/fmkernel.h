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

/* One operator over n (1..FM_BLOCK) frames: for frame i the read position
 * is ph0 + inc * (k0 + i + 1) (+ mod[i] when mod is not NULL) cycles and
 *   out[i] = amp * env[i] * (a + fr * d)
 * with linear interpolation between table points. */
typedef void (*FmOpFn)(const FmPoint *tab, float ph0, float inc, int k0, const float *mod,
                       const float *env, float amp, float *out, int n);

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

/* The kernels of a path (NULL when this build or CPU lacks it). */
const FmKernels *fm_kernels(FmSimd path);

#endif
