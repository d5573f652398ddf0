/* fmkernel.c - operator kernels per instruction set (see fmkernel.h).
 *
 * One formula everywhere, per sample and lane, in this order:
 *   p  = (ph0 + inc * (float)(k0 + i + 1) [+ mod]) * 2048
 *   k  = floor(p) as an integer: trunc(p) minus 1 where p < trunc(p)
 *        (SSE2, scalar), trunc(floor(p)) (AVX2, AVX-512): the same k
 *        for every reachable p (|p| < 2^31) and NaN
 *   fr = p - k; t = table point k & 2047
 *   y  = (amp * env) * (t.a + fr * t.d)
 * Each step is one IEEE single operation (no FMA: none is written, and
 * -std=c11 keeps gcc from contracting), so SSE2, AVX2, AVX-512 and the
 * scalar tails give identical bits. The table is read as 64-bit points
 * (value, slope): one gather of 8-byte elements fetches both, half the
 * element loads of two 4-byte gathers. */
#include "fmkernel.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* -DFM_NO_SIMD builds the plain C path on x86 too (to test it). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(FM_NO_SIMD)
#define FM_X86 1
#include <immintrin.h>
#endif

#define TSIZE ((float)FM_TABLE_SIZE)
#define TMASK (FM_TABLE_SIZE - 1)
/* Below this an envelope's frame count plus a block converts to float
 * exactly, so adding to the converted value equals converting the sum. */
#define SMALL_INT ((1 << 24) - 2 * FM_BLOCK)

/* ---- scalar reference (tails, and the whole path off x86) ---- */

static inline float wave_at(const FmPoint *tab, float p, float amp, float env)
{
    p *= TSIZE;
    int32_t k = (int32_t)p;
    k -= (p < (float)k);
    float fr = p - (float)k;
    const FmPoint *t = &tab[k & TMASK];
    return amp * env * (t->a + fr * t->d);
}

/* Frames from..n-1 of an operator, one at a time. */
static inline void op_scalar(const FmOpArgs *a, int from, int n)
{
    for (int i = from; i < n; i++) {
        float p = a->ph0 + a->inc * (float)(a->k0 + i + 1);
        if (a->nmod > 0) {
            float m = 0.0f;
            for (int j = 0; j < a->nmod; j++)
                m += a->depth * a->mod[j][i];
            p += m;
        }
        float e;
        if (a->env) {
            e = a->env[i];
        } else {
            e = a->e0 + a->de * (float)(a->en + i + 1);
            e = e > 0.0f ? e : 0.0f;
        }
        float y = wave_at(a->tab, p, a->amp, e);
        if (a->l) {
            float v = 0.0f + y;
            for (int j = 0; j < a->nadd; j++)
                v += a->add[j][i];
            a->l[i] += a->gl * v;
            a->r[i] += a->gr * v;
        } else {
            a->out[i] = y;
        }
    }
}

#ifndef FM_X86
#define C_FB_LANES 4
static void op_c(const FmOpArgs *a, int count, int n)
{
    for (int k = 0; k < count; k++)
        op_scalar(&a[k], 0, n);
}

static void fb_c(const FmPoint *tab, float fbk, const float *ph0, const float *inc,
                 const int32_t *k0, const float *amp, float *y1, float *y2, const float *env,
                 float *out, int n)
{
    float a[C_FB_LANES], b[C_FB_LANES];
    memcpy(a, y1, sizeof a);
    memcpy(b, y2, sizeof b);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < C_FB_LANES; j++) {
            float p = ph0[j] + inc[j] * (float)(k0[j] + i + 1) + fbk * 0.5f * (a[j] + b[j]);
            float y = wave_at(tab, p, amp[j], env[i * C_FB_LANES + j]);
            out[i * C_FB_LANES + j] = y;
            b[j] = a[j];
            a[j] = y;
        }
    memcpy(y1, a, sizeof a);
    memcpy(y2, b, sizeof b);
}

static const FmKernels k_c = {op_c, fb_c, C_FB_LANES};
#endif

#ifdef FM_X86

/* ---- SSE2: 4 lanes; no gathers, so two 64-bit loads per register
 * half, then the values and slopes are unzipped ---- */

static inline __m128 sse2_phase(__m128 p, __m128 *fr, __m128i *idx)
{
    p = _mm_mul_ps(p, _mm_set1_ps(TSIZE));
    __m128i k = _mm_cvttps_epi32(p);
    k = _mm_add_epi32(k, _mm_castps_si128(_mm_cmplt_ps(p, _mm_cvtepi32_ps(k))));
    *fr = _mm_sub_ps(p, _mm_cvtepi32_ps(k));
    *idx = _mm_and_si128(k, _mm_set1_epi32(TMASK));
    return p;
}

static inline __m128 sse2_wave(const FmPoint *tab, __m128 fr, __m128i idx)
{
    int32_t i[4];
    _mm_storeu_si128((__m128i *)i, idx);
    __m128 lo = _mm_castpd_ps(
        _mm_loadh_pd(_mm_load_sd((const double *)&tab[i[0]]), (const double *)&tab[i[1]]));
    __m128 hi = _mm_castpd_ps(
        _mm_loadh_pd(_mm_load_sd((const double *)&tab[i[2]]), (const double *)&tab[i[3]]));
    __m128 a = _mm_shuffle_ps(lo, hi, 0x88), d = _mm_shuffle_ps(lo, hi, 0xDD);
    return _mm_add_ps(a, _mm_mul_ps(fr, d));
}

static inline __attribute__((always_inline)) void op_sse2_one(const FmOpArgs *a, int n)
{
    const __m128 ph0 = _mm_set1_ps(a->ph0), inc = _mm_set1_ps(a->inc), amp = _mm_set1_ps(a->amp);
    const __m128 depth = _mm_set1_ps(a->depth), e0 = _mm_set1_ps(a->e0), de = _mm_set1_ps(a->de);
    const __m128 gl = _mm_set1_ps(a->gl), gr = _mm_set1_ps(a->gr);
    const __m128i step = _mm_setr_epi32(1, 2, 3, 4);
    /* the arguments in locals: known not to change in the loop */
    const int nmod = a->nmod, nadd = a->nadd;
    const float *const env = a->env;
    float *const l = a->l, *const r = a->r, *const out = a->out;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 t = _mm_cvtepi32_ps(_mm_add_epi32(step, _mm_set1_epi32(a->k0 + i)));
        __m128 p = _mm_add_ps(ph0, _mm_mul_ps(inc, t));
        if (nmod > 0) {
            __m128 m = _mm_setzero_ps();
            for (int j = 0; j < nmod; j++)
                m = _mm_add_ps(m, _mm_mul_ps(depth, _mm_loadu_ps(a->mod[j] + i)));
            p = _mm_add_ps(p, m);
        }
        __m128 e;
        if (env) {
            e = _mm_loadu_ps(env + i);
        } else {
            __m128 te = _mm_cvtepi32_ps(_mm_add_epi32(step, _mm_set1_epi32(a->en + i)));
            e = _mm_max_ps(_mm_add_ps(e0, _mm_mul_ps(de, te)), _mm_setzero_ps());
        }
        __m128 fr;
        __m128i idx;
        sse2_phase(p, &fr, &idx);
        __m128 y = _mm_mul_ps(_mm_mul_ps(amp, e), sse2_wave(a->tab, fr, idx));
        if (l) {
            __m128 v = _mm_add_ps(_mm_setzero_ps(), y);
            for (int j = 0; j < nadd; j++)
                v = _mm_add_ps(v, _mm_loadu_ps(a->add[j] + i));
            _mm_storeu_ps(l + i, _mm_add_ps(_mm_loadu_ps(l + i), _mm_mul_ps(gl, v)));
            _mm_storeu_ps(r + i, _mm_add_ps(_mm_loadu_ps(r + i), _mm_mul_ps(gr, v)));
        } else {
            _mm_storeu_ps(out + i, y);
        }
    }
    op_scalar(a, i, n);
}

static void op_sse2(const FmOpArgs *a, int count, int n)
{
    for (int k = 0; k < count; k++)
        op_sse2_one(&a[k], n);
}

/* Feedback, SSE2: two registers of 4 voices, interleaved so one chain's
 * table reads overlap the other's arithmetic. */
#define SSE2_FB_LANES 8
static void fb_sse2(const FmPoint *tab, float fbk, const float *ph0, const float *inc,
                    const int32_t *k0, const float *amp, float *y1, float *y2, const float *env,
                    float *out, int n)
{
    const __m128 half = _mm_set1_ps(fbk * 0.5f);
    __m128 ph[2], in[2], am[2], a[2], b[2];
    __m128i k[2];
    for (int h = 0; h < 2; h++) {
        ph[h] = _mm_loadu_ps(ph0 + 4 * h);
        in[h] = _mm_loadu_ps(inc + 4 * h);
        am[h] = _mm_loadu_ps(amp + 4 * h);
        a[h] = _mm_loadu_ps(y1 + 4 * h);
        b[h] = _mm_loadu_ps(y2 + 4 * h);
        k[h] = _mm_loadu_si128((const __m128i *)(k0 + 4 * h));
    }
    for (int i = 0; i < n; i++)
        for (int h = 0; h < 2; h++) {
            __m128 t = _mm_cvtepi32_ps(_mm_add_epi32(k[h], _mm_set1_epi32(i + 1)));
            __m128 p = _mm_add_ps(_mm_add_ps(ph[h], _mm_mul_ps(in[h], t)),
                                  _mm_mul_ps(half, _mm_add_ps(a[h], b[h])));
            __m128 fr;
            __m128i idx;
            sse2_phase(p, &fr, &idx);
            __m128 x = sse2_wave(tab, fr, idx);
            const int o = i * SSE2_FB_LANES + 4 * h;
            __m128 y = _mm_mul_ps(_mm_mul_ps(am[h], _mm_loadu_ps(env + o)), x);
            _mm_storeu_ps(out + o, y);
            b[h] = a[h];
            a[h] = y;
        }
    for (int h = 0; h < 2; h++) {
        _mm_storeu_ps(y1 + 4 * h, a[h]);
        _mm_storeu_ps(y2 + 4 * h, b[h]);
    }
}

static const FmKernels k_sse2 = {op_sse2, fb_sse2, SSE2_FB_LANES};

/* ---- AVX2: 8 lanes, 64-bit gathers ---- */

#define AVX2 __attribute__((target("avx2")))

AVX2 static inline __m256 avx2_wave(const FmPoint *tab, __m256 p)
{
    p = _mm256_mul_ps(p, _mm256_set1_ps(TSIZE));
    /* floor, then the integer: the same k as truncating and stepping
     * down for p below 2^31 in size (and for NaN), in fewer instructions */
    __m256i k = _mm256_cvttps_epi32(_mm256_floor_ps(p));
    __m256 fr = _mm256_sub_ps(p, _mm256_cvtepi32_ps(k));
    __m256i idx = _mm256_and_si256(k, _mm256_set1_epi32(TMASK));
    const double *t = (const double *)tab;
    __m256 lo = _mm256_castpd_ps(_mm256_i32gather_pd(t, _mm256_castsi256_si128(idx), 8));
    __m256 hi = _mm256_castpd_ps(_mm256_i32gather_pd(t, _mm256_extracti128_si256(idx, 1), 8));
    /* lo = a0 d0 a1 d1 | a2 d2 a3 d3, hi = a4 d4 a5 d5 | a6 d6 a7 d7 */
    const __m256i order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
    __m256 a = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(lo, hi, 0x88), order);
    __m256 d = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(lo, hi, 0xDD), order);
    return _mm256_add_ps(a, _mm256_mul_ps(fr, d));
}

AVX2 static inline __attribute__((always_inline)) void op_avx2_one(const FmOpArgs *a, int n)
{
    const __m256 ph0 = _mm256_set1_ps(a->ph0), inc = _mm256_set1_ps(a->inc);
    const __m256 amp = _mm256_set1_ps(a->amp), depth = _mm256_set1_ps(a->depth);
    const __m256 e0 = _mm256_set1_ps(a->e0), de = _mm256_set1_ps(a->de);
    const __m256 gl = _mm256_set1_ps(a->gl), gr = _mm256_set1_ps(a->gr);
    const __m256i step = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8);
    const __m256 eight = _mm256_set1_ps(8.0f);
    /* frame numbers as floats, stepped by adding 8: exact below 2^24 */
    const bool en_small = a->en < SMALL_INT;
    __m256 t = _mm256_cvtepi32_ps(_mm256_add_epi32(step, _mm256_set1_epi32(a->k0)));
    __m256 te = _mm256_cvtepi32_ps(_mm256_add_epi32(step, _mm256_set1_epi32(en_small ? a->en : 0)));
    /* the arguments in locals: known not to change in the loop */
    const int nmod = a->nmod, nadd = a->nadd;
    const float *const env = a->env;
    float *const l = a->l, *const r = a->r, *const out = a->out;
    int i = 0;
    for (; i + 8 <= n; i += 8, t = _mm256_add_ps(t, eight), te = _mm256_add_ps(te, eight)) {
        __m256 p = _mm256_add_ps(ph0, _mm256_mul_ps(inc, t));
        if (nmod > 0) {
            __m256 m = _mm256_setzero_ps();
            for (int j = 0; j < nmod; j++)
                m = _mm256_add_ps(m, _mm256_mul_ps(depth, _mm256_loadu_ps(a->mod[j] + i)));
            p = _mm256_add_ps(p, m);
        }
        __m256 e;
        if (env) {
            e = _mm256_loadu_ps(env + i);
        } else {
            if (!en_small)
                te = _mm256_cvtepi32_ps(_mm256_add_epi32(step, _mm256_set1_epi32(a->en + i)));
            e = _mm256_max_ps(_mm256_add_ps(e0, _mm256_mul_ps(de, te)), _mm256_setzero_ps());
        }
        __m256 y = _mm256_mul_ps(_mm256_mul_ps(amp, e), avx2_wave(a->tab, p));
        if (l) {
            __m256 v = _mm256_add_ps(_mm256_setzero_ps(), y);
            for (int j = 0; j < nadd; j++)
                v = _mm256_add_ps(v, _mm256_loadu_ps(a->add[j] + i));
            _mm256_storeu_ps(l + i, _mm256_add_ps(_mm256_loadu_ps(l + i), _mm256_mul_ps(gl, v)));
            _mm256_storeu_ps(r + i, _mm256_add_ps(_mm256_loadu_ps(r + i), _mm256_mul_ps(gr, v)));
        } else {
            _mm256_storeu_ps(out + i, y);
        }
    }
    op_scalar(a, i, n);
}

AVX2 static void op_avx2(const FmOpArgs *a, int count, int n)
{
    for (int k = 0; k < count; k++)
        op_avx2_one(&a[k], n);
}

#define AVX2_FB_LANES 16
AVX2 static void fb_avx2(const FmPoint *tab, float fbk, const float *ph0, const float *inc,
                         const int32_t *k0, const float *amp, float *y1, float *y2,
                         const float *env, float *out, int n)
{
    const __m256 half = _mm256_set1_ps(fbk * 0.5f);
    __m256 ph[2], in[2], am[2], a[2], b[2];
    __m256i k[2];
    for (int h = 0; h < 2; h++) {
        ph[h] = _mm256_loadu_ps(ph0 + 8 * h);
        in[h] = _mm256_loadu_ps(inc + 8 * h);
        am[h] = _mm256_loadu_ps(amp + 8 * h);
        a[h] = _mm256_loadu_ps(y1 + 8 * h);
        b[h] = _mm256_loadu_ps(y2 + 8 * h);
        k[h] = _mm256_loadu_si256((const __m256i *)(k0 + 8 * h));
    }
    for (int i = 0; i < n; i++)
        for (int h = 0; h < 2; h++) {
            __m256 t = _mm256_cvtepi32_ps(_mm256_add_epi32(k[h], _mm256_set1_epi32(i + 1)));
            __m256 p = _mm256_add_ps(_mm256_add_ps(ph[h], _mm256_mul_ps(in[h], t)),
                                     _mm256_mul_ps(half, _mm256_add_ps(a[h], b[h])));
            __m256 x = avx2_wave(tab, p);
            const int o = i * AVX2_FB_LANES + 8 * h;
            __m256 y = _mm256_mul_ps(_mm256_mul_ps(am[h], _mm256_loadu_ps(env + o)), x);
            _mm256_storeu_ps(out + o, y);
            b[h] = a[h];
            a[h] = y;
        }
    for (int h = 0; h < 2; h++) {
        _mm256_storeu_ps(y1 + 8 * h, a[h]);
        _mm256_storeu_ps(y2 + 8 * h, b[h]);
    }
}

static const FmKernels k_avx2 = {op_avx2, fb_avx2, AVX2_FB_LANES};

/* ---- AVX-512F: 16 lanes, masked tails ---- */

#define AVX512 __attribute__((target("avx512f")))

AVX512 static inline __m512 avx512_wave(const FmPoint *tab, __m512 p, __mmask16 m)
{
    p = _mm512_mul_ps(p, _mm512_set1_ps(TSIZE));
    /* floor, then the integer (as in avx2_wave) */
    __m512i k =
        _mm512_cvttps_epi32(_mm512_roundscale_ps(p, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC));
    __m512 fr = _mm512_sub_ps(p, _mm512_cvtepi32_ps(k));
    __m512i idx = _mm512_and_si512(k, _mm512_set1_epi32(TMASK));
    const double *t = (const double *)tab;
    __m512d lo = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), (__mmask8)m,
                                          _mm512_castsi512_si256(idx), t, 8);
    __m512d hi = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), (__mmask8)(m >> 8),
                                          _mm512_extracti64x4_epi64(idx, 1), t, 8);
    const __m512i even =
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd =
        _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    __m512 a = _mm512_permutex2var_ps(_mm512_castpd_ps(lo), even, _mm512_castpd_ps(hi));
    __m512 d = _mm512_permutex2var_ps(_mm512_castpd_ps(lo), odd, _mm512_castpd_ps(hi));
    return _mm512_add_ps(a, _mm512_mul_ps(fr, d));
}

AVX512 static inline __attribute__((always_inline)) void op_avx512_one(const FmOpArgs *a, int n)
{
    const __m512 ph0 = _mm512_set1_ps(a->ph0), inc = _mm512_set1_ps(a->inc);
    const __m512 amp = _mm512_set1_ps(a->amp), depth = _mm512_set1_ps(a->depth);
    const __m512 e0 = _mm512_set1_ps(a->e0), de = _mm512_set1_ps(a->de);
    const __m512 gl = _mm512_set1_ps(a->gl), gr = _mm512_set1_ps(a->gr);
    const __m512i step = _mm512_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    const __m512 sixteen = _mm512_set1_ps(16.0f);
    /* frame numbers as floats, stepped by adding 16: exact below 2^24 */
    const bool en_small = a->en < SMALL_INT;
    __m512 t = _mm512_cvtepi32_ps(_mm512_add_epi32(step, _mm512_set1_epi32(a->k0)));
    __m512 te = _mm512_cvtepi32_ps(_mm512_add_epi32(step, _mm512_set1_epi32(en_small ? a->en : 0)));
    /* the arguments in locals: known not to change in the loop */
    const int nmod = a->nmod, nadd = a->nadd;
    const float *const env = a->env;
    float *const l = a->l, *const r = a->r, *const out = a->out;
    for (int i = 0; i < n;
         i += 16, t = _mm512_add_ps(t, sixteen), te = _mm512_add_ps(te, sixteen)) {
        const __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        __m512 p = _mm512_add_ps(ph0, _mm512_mul_ps(inc, t));
        if (nmod > 0) {
            __m512 md = _mm512_setzero_ps();
            for (int j = 0; j < nmod; j++)
                md = _mm512_add_ps(md,
                                   _mm512_mul_ps(depth, _mm512_maskz_loadu_ps(m, a->mod[j] + i)));
            p = _mm512_add_ps(p, md);
        }
        __m512 e;
        if (env) {
            e = _mm512_maskz_loadu_ps(m, env + i);
        } else {
            if (!en_small)
                te = _mm512_cvtepi32_ps(_mm512_add_epi32(step, _mm512_set1_epi32(a->en + i)));
            e = _mm512_max_ps(_mm512_add_ps(e0, _mm512_mul_ps(de, te)), _mm512_setzero_ps());
        }
        __m512 y = _mm512_mul_ps(_mm512_mul_ps(amp, e), avx512_wave(a->tab, p, m));
        if (l) {
            __m512 v = _mm512_add_ps(_mm512_setzero_ps(), y);
            for (int j = 0; j < nadd; j++)
                v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, a->add[j] + i));
            _mm512_mask_storeu_ps(
                l + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, l + i), _mm512_mul_ps(gl, v)));
            _mm512_mask_storeu_ps(
                r + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, r + i), _mm512_mul_ps(gr, v)));
        } else {
            _mm512_mask_storeu_ps(out + i, m, y);
        }
    }
}

AVX512 static void op_avx512(const FmOpArgs *a, int count, int n)
{
    for (int k = 0; k < count; k++)
        op_avx512_one(&a[k], n);
}

#define AVX512_FB_LANES 32
AVX512 static void fb_avx512(const FmPoint *tab, float fbk, const float *ph0, const float *inc,
                             const int32_t *k0, const float *amp, float *y1, float *y2,
                             const float *env, float *out, int n)
{
    const __m512 half = _mm512_set1_ps(fbk * 0.5f);
    __m512 ph[2], in[2], am[2], a[2], b[2];
    __m512i k[2];
    for (int h = 0; h < 2; h++) {
        ph[h] = _mm512_loadu_ps(ph0 + 16 * h);
        in[h] = _mm512_loadu_ps(inc + 16 * h);
        am[h] = _mm512_loadu_ps(amp + 16 * h);
        a[h] = _mm512_loadu_ps(y1 + 16 * h);
        b[h] = _mm512_loadu_ps(y2 + 16 * h);
        k[h] = _mm512_loadu_si512(k0 + 16 * h);
    }
    for (int i = 0; i < n; i++)
        for (int h = 0; h < 2; h++) {
            __m512 t = _mm512_cvtepi32_ps(_mm512_add_epi32(k[h], _mm512_set1_epi32(i + 1)));
            __m512 p = _mm512_add_ps(_mm512_add_ps(ph[h], _mm512_mul_ps(in[h], t)),
                                     _mm512_mul_ps(half, _mm512_add_ps(a[h], b[h])));
            __m512 x = avx512_wave(tab, p, (__mmask16)0xFFFF);
            const int o = i * AVX512_FB_LANES + 16 * h;
            __m512 y = _mm512_mul_ps(_mm512_mul_ps(am[h], _mm512_loadu_ps(env + o)), x);
            _mm512_storeu_ps(out + o, y);
            b[h] = a[h];
            a[h] = y;
        }
    for (int h = 0; h < 2; h++) {
        _mm512_storeu_ps(y1 + 16 * h, a[h]);
        _mm512_storeu_ps(y2 + 16 * h, b[h]);
    }
}

static const FmKernels k_avx512 = {op_avx512, fb_avx512, AVX512_FB_LANES};

#endif /* FM_X86 */

void fm_transpose(const float *src, int sstride, float *dst, int dstride, int rows, int cols)
{
    for (int r = 0; r < rows; r += 4)
        for (int c = 0; c < cols; c += 4) {
#ifdef FM_X86
            __m128 a = _mm_loadu_ps(src + r * sstride + c);
            __m128 b = _mm_loadu_ps(src + (r + 1) * sstride + c);
            __m128 x = _mm_loadu_ps(src + (r + 2) * sstride + c);
            __m128 y = _mm_loadu_ps(src + (r + 3) * sstride + c);
            _MM_TRANSPOSE4_PS(a, b, x, y);
            _mm_storeu_ps(dst + c * dstride + r, a);
            _mm_storeu_ps(dst + (c + 1) * dstride + r, b);
            _mm_storeu_ps(dst + (c + 2) * dstride + r, x);
            _mm_storeu_ps(dst + (c + 3) * dstride + r, y);
#else
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    dst[(c + j) * dstride + r + i] = src[(r + i) * sstride + c + j];
#endif
        }
}

const FmKernels *fm_kernels(FmSimd path)
{
#ifdef FM_X86
    __builtin_cpu_init();
    switch (path) {
    case FM_SIMD_BASE:
        return &k_sse2;
    case FM_SIMD_AVX2:
        return __builtin_cpu_supports("avx2") ? &k_avx2 : NULL;
    case FM_SIMD_AVX512:
        return __builtin_cpu_supports("avx512f") ? &k_avx512 : NULL;
    default:
        return NULL;
    }
#else
    return path == FM_SIMD_BASE ? &k_c : NULL;
#endif
}
