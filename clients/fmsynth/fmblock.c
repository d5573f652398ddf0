/* fmblock.c - the FM engine's block render: envelopes filled per block,
 * operators rendered over a whole block of up to FM_BLOCK frames (so the
 * compiler vectorizes across samples), feedback lanes, the mix, and
 * fm_synth_process. */
#include "fmsynth_int.h"

#include <math.h>
#if defined(__SSE2__) && !defined(FM_NO_SIMD)
#include <emmintrin.h>
#endif
#include <string.h>

/* ---- operators ---- */

/* The weights of a fade begun at frame start, for the n frames of the
 * chunk from s->clock; true when the fade ends within the chunk. */
static bool fade_fill(const FmSynth *s, uint64_t start, int n, float *w)
{
    for (int i = 0; i < n; i++)
        w[i] = fade_weight(s, s->clock + (uint64_t)i + 1 - start);
    return s->clock + (uint64_t)n >= start + s->fade_len;
}

/* A level ramp folded into the envelope: env[i] becomes (vel * level[i]) *
 * env[i] and the operator's amplitude 1, which is bit for bit what the
 * usual amp = vel * level gives wherever level[i] is the patch level.
 * Returns that amplitude. */
static inline float ramp_into_env(float vel, const float *level, float *env, int n)
{
    for (int i = 0; i < n; i++)
        env[i] = (vel * level[i]) * env[i];
    return 1.0f;
}

/* Op 4 with self-feedback: each output feeds the next sample through a
 * long chain of dependent instructions (table index, load,
 * interpolation), so a lone voice would wait on it; the kernels render
 * several voices side by side, one per SIMD lane (render_feedback). The
 * modulation is the mean of the last two outputs (as Yamaha chips do, so
 * it does not oscillate at Nyquist). */
typedef struct {
    const FmPoint *tab;
    const float *env;
    float ph0, inc, amp;
    int k0;
    float *fb, *out;
} FbChain;

/* Op 4 with self-feedback for one voice while its wave crossfades from
 * otab to c->tab with new-wave weights w (rare: scalar, one voice). */
static void op_feedback_fade(const FbChain *c, const FmPoint *otab, const float *w, float fbk,
                             int n)
{
    float y1 = c->fb[0], y2 = c->fb[1];
    for (int i = 0; i < n; i++) {
        float p = (c->ph0 + c->inc * (float)(c->k0 + i + 1) + fbk * 0.5f * (y1 + y2)) *
                  (float)FM_TABLE_SIZE;
        int32_t k = (int32_t)p;
        k -= (p < (float)k);
        float fr = p - (float)k;
        int32_t idx = k & (FM_TABLE_SIZE - 1);
        float x_new = c->tab[idx].a + fr * c->tab[idx].d;
        float x_old = otab[idx].a + fr * otab[idx].d;
        y2 = y1;
        y1 = c->out[i] = fade_mix(c->amp * c->env[i] * x_old, c->amp * c->env[i] * x_new, w[i]);
    }
    c->fb[0] = y1;
    c->fb[1] = y2;
}

static bool voice_silent(const FmVoice *v, int alg)
{
    for (int op = 0; op < FM_OPS; op++)
        if ((alg_carriers[alg] >> op & 1) && v->env[op].stage != ENV_IDLE)
            return false;
    return true;
}

/* At the end of a grid block: the phases move on to the next one. The
 * four at once where SSE2 is (every x86-64): floor through a truncation,
 * the same value as floorf wherever the phase is positive and below 2^23
 * (always: it is below 1 plus at most a block of increments), where
 * floorf without SSE4.1 is a long sequence per operator. */
static void voice_next_block(FmVoice *v)
{
    const float k = (float)(FM_BLOCK - v->base);
    v->base = 0;
#if defined(__SSE2__) && !defined(FM_NO_SIMD)
    const __m128 nph =
        _mm_add_ps(_mm_loadu_ps(v->phase), _mm_mul_ps(_mm_loadu_ps(v->inc), _mm_set1_ps(k)));
    const __m128 in_range =
        _mm_and_ps(_mm_cmpgt_ps(nph, _mm_setzero_ps()), _mm_cmplt_ps(nph, _mm_set1_ps(8388608.0f)));
    if (_mm_movemask_ps(in_range) == 0xF) {
        _mm_storeu_ps(v->phase, _mm_sub_ps(nph, _mm_cvtepi32_ps(_mm_cvttps_epi32(nph))));
        return;
    }
#endif
    for (int op = 0; op < FM_OPS; op++) {
        float nph1 = v->phase[op] + v->inc[op] * k;
        v->phase[op] = nph1 - floorf(nph1);
    }
}

/* Render frames off..off+n of the current grid block of one voice (mono)
 * into vout; false when it made no sound (all carriers silent). */
/* The envelope of the next n frames as one linear segment (e0, de, en:
 * value max(e0 + de * (en + i + 1), 0) at frame i, what env_fill would
 * write) when no stage ends within them; advances the envelope. False
 * when a stage ends within them (then env_fill renders them). */
static inline bool env_segment(FmEnv *e, int n, float *e0, float *de, int32_t *en)
{
    if (e->stage == ENV_SUSTAIN || e->stage == ENV_IDLE) {
        *e0 = e->value;
        *de = 0.0f;
        *en = 0;
        return true;
    }
    if ((uint32_t)n >= e->len - e->n || e->n > (uint32_t)INT32_MAX - FM_BLOCK - 1)
        return false;
    *e0 = e->start;
    *de = e->inc;
    *en = (int32_t)e->n;
    e->n += (uint32_t)n;
    e->value = clamp0(e->start + e->inc * (float)e->n);
    return true;
}

/* What a voice made in a chunk. */
enum { VOICE_SILENT, VOICE_OUT, VOICE_MIXED };

/* The output of operator op of voice vi in this chunk. */
static inline const float *op_src(FmSynth *s, int vi, int op)
{
    return op == FM_OPS - 1 && s->has_fb ? s->fb_out[s->fb_slot[vi]] : s->op_out[vi][op];
}

/* Start a voice's chunk: only operator 4 with feedback is rendered yet. */
static inline void voice_begin(FmSynth *s, int vi)
{
    s->live[vi] = s->has_fb && s->fb_live[vi] ? 1u << (FM_OPS - 1) : 0;
}

/* The kernel arguments of operator op of voice vi over frames off..off+n
 * of the current grid block (its envelope, when not one linear segment,
 * written to env, which must live until the kernel runs), into s->op_out
 * (its live bit set); with l not NULL, operator 1 (a carrier in every
 * algorithm) also sums the carriers and mixes the voice into l and r.
 * False, and nothing changed, when the operator's envelope is idle. */
static inline bool op_args(FmSynth *s, FmVoice *v, int vi, int op, int alg, int off, int n,
                           float *l, float *r, FmOpArgs *a, float *env)
{
    FmEnv *e = &v->env[op];
    if (e->stage == ENV_IDLE)
        return false;
    const bool fade = s->fading >> op & 1;
    a->tab = s->op_tab[op];
    a->ph0 = v->phase[op];
    a->inc = v->inc[op];
    a->k0 = off - (int)v->base;
    a->amp = v->vel * s->op_level[op];
    a->env = NULL;
    if ((s->ramping >> op & 1) || fade || !env_segment(e, n, &a->e0, &a->de, &a->en)) {
        env_fill(s, e, &s->patch.op[op], env, n);
        a->env = env;
        if (s->ramping >> op & 1)
            a->amp = ramp_into_env(v->vel, s->lvl_ramp[op], env, n);
    }
    const unsigned live = s->live[vi];
    a->depth = s->mod_depth;
    a->nmod = 0;
    for (unsigned m = alg_mods[alg][op] & live; m; m &= m - 1) /* in operator order */
        a->mod[a->nmod++] = op_src(s, vi, __builtin_ctz(m));
    a->l = NULL;
    a->out = s->op_out[vi][op];
    s->live[vi] |= 1u << op;
    if (l) {
        /* the other live carriers, in operator order */
        a->nadd = 0;
        for (unsigned c = alg_carriers[alg] & live & ~1u; c; c &= c - 1)
            a->add[a->nadd++] = op_src(s, vi, __builtin_ctz(c));
        a->l = l;
        a->r = r;
        a->gl = v->gl; /* settled: what voice_gains gives */
        a->gr = v->gr;
    }
    return true;
}

/* Operator op of voice vi over frames off..off+n of the current grid
 * block, alone, through the kernel of the SIMD path in use, into
 * s->op_out (its live bit set when its envelope sounds). When l is not
 * NULL and it does not fade, operator 1 also mixes the voice into l and
 * r: true then. */
static bool render_op(FmSynth *s, FmVoice *v, int vi, int op, int alg, int off, int n, float *l,
                      float *r)
{
    const bool fade = s->fading >> op & 1;
    float env[FM_BLOCK], old[FM_BLOCK];
    FmOpArgs a;
    if (!op_args(s, v, vi, op, alg, off, n, op == 0 && !fade ? l : NULL, r, &a, env))
        return false;
    s->k->op(&a, 1, n);
    if (a.l)
        return true;
    if (fade) {
        float *out = a.out;
        a.tab = s->fade_tab[op];
        a.out = old;
        s->k->op(&a, 1, n);
        const float *w = s->fade_w[op];
        for (int i = 0; i < n; i++)
            out[i] = fade_mix(old[i], out[i], w[i]);
    }
    return false;
}

/* The sum of a voice's sounding carriers into vout. */
static int voice_sum(FmSynth *s, int vi, int alg, float *restrict vout, int n)
{
    const unsigned car = alg_carriers[alg] & s->live[vi];
    if (!car)
        return VOICE_SILENT;
    for (int i = 0; i < n; i++)
        vout[i] = 0.0f;
    for (int op = 0; op < FM_OPS; op++)
        if (car >> op & 1) {
            const float *src = op_src(s, vi, op);
            for (int i = 0; i < n; i++)
                vout[i] += src[i];
        }
    return VOICE_OUT;
}

/* One whole voice over the chunk (during an algorithm crossfade). */
static int voice_render(FmSynth *s, FmVoice *v, int vi, float *restrict vout, int off, int n,
                        int alg)
{
    voice_begin(s, vi);
    for (int op = s->has_fb ? FM_OPS - 2 : FM_OPS - 1; op >= 0; op--)
        render_op(s, v, vi, op, alg, off, n, NULL, NULL);
    return voice_sum(s, vi, alg, vout, n);
}

/* ---- rendering ---- */

/* Add a voice's block to the mix; after a polyphony change its pan and
 * mix gains glide to their new values over the block instead of jumping. */
static void mix_voice(FmSynth *s, FmVoice *v, int vi, const float *restrict vout, float *restrict l,
                      float *restrict r, int n)
{
    float gl, gr;
    voice_gains(s, vi, &gl, &gr);
    if (gl == v->gl && gr == v->gr) {
        for (int i = 0; i < n; i++) {
            l[i] += gl * vout[i];
            r[i] += gr * vout[i];
        }
        return;
    }
    const float l0 = v->gl, r0 = v->gr, dl = (gl - l0) / (float)n, dr = (gr - r0) / (float)n;
    for (int i = 0; i < n; i++) {
        l[i] += (l0 + dl * (float)(i + 1)) * vout[i];
        r[i] += (r0 + dr * (float)(i + 1)) * vout[i];
    }
    v->gl = gl;
    v->gr = gr;
}

/* Operator 4 with feedback for the voices in slots base..base+g-1, one
 * per lane (silent lanes pad a partial group): their envelopes are
 * transposed into frame-major lanes, rendered, and the outputs transposed
 * back into their slots. */
typedef struct {
    float ph0[FM_FB_LANES_MAX], inc[FM_FB_LANES_MAX], amp[FM_FB_LANES_MAX];
    float y1[FM_FB_LANES_MAX], y2[FM_FB_LANES_MAX];
    int32_t k0[FM_FB_LANES_MAX];
    int vi[FM_FB_LANES_MAX];
} FbLanes;

static void feedback_lanes(FmSynth *s, FbLanes *fl, int base, int g, float fbk, int n)
{
    const int lanes = s->k->fb_lanes;
    const int n4 = (n + 3) & ~3; /* tiles of 4 x 4 */
    for (int j = g; j < lanes; j++) {
        fl->ph0[j] = fl->inc[j] = fl->amp[j] = fl->y1[j] = fl->y2[j] = 0.0f;
        fl->k0[j] = 0;
        memset(s->fb_voice_env[base + j], 0, sizeof s->fb_voice_env[0]);
    }
    fm_transpose(s->fb_voice_env[base], FM_BLOCK, s->fb_env, lanes, lanes, n4);
    s->k->fb(s->points[s->patch.op[FM_OPS - 1].wave], fbk, fl->ph0, fl->inc, fl->k0, fl->amp,
             fl->y1, fl->y2, s->fb_env, s->fb_lane_out, n);
    fm_transpose(s->fb_lane_out, lanes, s->fb_out[base], FM_BLOCK, n4, lanes);
    for (int j = 0; j < g; j++) {
        FmVoice *v = &s->voices->v[fl->vi[j]];
        v->fb[0] = fl->y1[j];
        v->fb[1] = fl->y2[j];
    }
}

/* Operator 4 of every sounding voice into s->fb_out (used when the patch
 * has feedback), a kernel's lanes of voices at a time. */
static void render_feedback(FmSynth *s, int off, int n)
{
    FbLanes fl;
    const int lanes = s->k->fb_lanes;
    const FmOpPatch *o = &s->patch.op[FM_OPS - 1];
    const float fbk = (float)s->patch.feedback;
    int slot = 0, base = 0;
    for (int k = 0; k < s->n_act; k++) {
        const int vi = s->act[k];
        FmVoice *v = &s->voices->v[vi];
        s->fb_live[vi] = false;
        float *env = s->fb_voice_env[slot];
        if (!env_fill(s, &v->env[FM_OPS - 1], o, env, n))
            continue;
        s->fb_live[vi] = true;
        s->fb_slot[vi] = slot;
        float amp = v->vel * (float)o->level;
        if (s->ramping >> (FM_OPS - 1) & 1)
            amp = ramp_into_env(v->vel, s->lvl_ramp[FM_OPS - 1], env, n);
        if (s->fading >> (FM_OPS - 1) & 1) {
            /* rare (every voice in this chunk): one at a time, scalar */
            FbChain c = {s->points[o->wave], env,   v->phase[FM_OPS - 1], v->inc[FM_OPS - 1], amp,
                         off - (int)v->base, v->fb, s->fb_out[slot]};
            op_feedback_fade(&c, s->fade_tab[FM_OPS - 1], s->fade_w[FM_OPS - 1], fbk, n);
            slot++;
            continue;
        }
        const int g = slot - base;
        fl.ph0[g] = v->phase[FM_OPS - 1];
        fl.inc[g] = v->inc[FM_OPS - 1];
        fl.amp[g] = amp;
        fl.y1[g] = v->fb[0];
        fl.y2[g] = v->fb[1];
        fl.k0[g] = off - (int)v->base;
        fl.vi[g] = vi;
        if (++slot - base == lanes) {
            feedback_lanes(s, &fl, base, lanes, fbk, n);
            base = slot;
        }
    }
    if (slot > base && !(s->fading >> (FM_OPS - 1) & 1))
        feedback_lanes(s, &fl, base, slot - base, fbk, n);
}

static void render(FmSynth *s, float *restrict l, float *restrict r, int off, int n)
{
    const bool block_end = off + n == FM_BLOCK;
    float vout[FM_BLOCK];
    for (int i = 0; i < n; i++)
        l[i] = r[i] = 0.0f;
    if (s->act_stale) {
        int na = 0;
        for (int vi = 0; vi < s->voices->count; vi++)
            if (s->voices->v[vi].note >= 0)
                s->act[na++] = vi;
        s->n_act = na;
        s->act_stale = false;
    }
    const int na = s->n_act;
    const int *act = s->act;
    s->fading = 0;
    s->ramping = 0;
    for (int op = 0; op < FM_OPS; op++) {
        if (s->fade_from[op] >= 0) {
            s->fading |= 1u << op;
            s->fade_tab[op] = s->points[s->fade_from[op]];
            if (fade_fill(s, s->fade_start[op], n, s->fade_w[op]))
                s->fade_from[op] = -1; /* ends within this chunk */
        }
        if (s->lvl_moving[op]) {
            s->ramping |= 1u << op;
            float *lv = s->lvl_ramp[op];
            const float from = s->lvl_from[op], to = (float)s->patch.op[op].level;
            if (fade_fill(s, s->lvl_start[op], n, lv))
                s->lvl_moving[op] = false;
            for (int i = 0; i < n; i++) /* weights -> levels */
                lv[i] = lv[i] >= 1.0f ? to : from + (to - from) * lv[i];
        }
    }
    s->alg_fading = s->alg_from >= 0;
    if (s->alg_fading) {
        s->alg_old = s->alg_from;
        if (fade_fill(s, s->alg_start, n, s->alg_w))
            s->alg_from = -1;
    }
    if (s->has_fb)
        render_feedback(s, off, n);
    if (s->alg_fading) {
        for (int k = 0; k < na; k++) {
            const int vi = act[k];
            FmVoice *v = &s->voices->v[vi];
            /* Both routings from the same envelope values: the first
             * render advances the envelopes, so they are put back. */
            FmEnv saved[FM_OPS];
            float vold[FM_BLOCK];
            memcpy(saved, v->env, sizeof saved);
            int was = voice_render(s, v, vi, vold, off, n, s->alg_old);
            memcpy(v->env, saved, sizeof saved);
            int is = voice_render(s, v, vi, vout, off, n, s->patch.algorithm);
            for (int i = 0; i < n; i++)
                vout[i] = fade_mix(was ? vold[i] : 0.0f, is ? vout[i] : 0.0f, s->alg_w[i]);
            if (was || is)
                mix_voice(s, v, vi, vout, l, r, n);
        }
    } else {
        /* Operator-major across the voices: consecutive kernel calls are
         * independent, so the core overlaps one voice's table reads with
         * the next one's. Voices are mixed in order, by operator 1. */
        const int alg = s->patch.algorithm;
        for (int k = 0; k < na; k++)
            voice_begin(s, act[k]);
        for (int op = s->has_fb ? FM_OPS - 2 : FM_OPS - 1; op > 0; op--) {
            if (s->fading >> op & 1) { /* rare: one voice at a time */
                for (int k = 0; k < na; k++)
                    render_op(s, &s->voices->v[act[k]], act[k], op, alg, off, n, NULL, NULL);
                continue;
            }
            int m = 0;
            for (int k = 0; k < na; k++)
                m += op_args(s, &s->voices->v[act[k]], act[k], op, alg, off, n, NULL, NULL,
                             &s->batch[m], s->batch_env[m]);
            if (m)
                s->k->op(s->batch, m, n);
        }
        /* Operator 1 sums the carriers and mixes each voice, by the kernel
         * in batches; a voice whose pan still glides, whose operator 1 is
         * silent, or all while operator 1 fades are mixed one at a time,
         * after the batch before them (the mix stays in voice order). */
        int m = 0;
        for (int k = 0; k < na; k++) {
            const int vi = act[k];
            FmVoice *v = &s->voices->v[vi];
            float gl, gr;
            voice_gains(s, vi, &gl, &gr);
            const bool settled = gl == v->gl && gr == v->gr;
            if (settled && !(s->fading & 1) &&
                op_args(s, v, vi, 0, alg, off, n, l, r, &s->batch[m], s->batch_env[m])) {
                m++;
                continue;
            }
            if (m)
                s->k->op(s->batch, m, n);
            m = 0;
            if (!render_op(s, v, vi, 0, alg, off, n, settled ? l : NULL, r) &&
                voice_sum(s, vi, alg, vout, n) == VOICE_OUT)
                mix_voice(s, v, vi, vout, l, r, n);
        }
        if (m)
            s->k->op(s->batch, m, n);
    }
    for (int k = 0; k < na; k++) {
        FmVoice *v = &s->voices->v[act[k]];
        if (block_end)
            voice_next_block(v);
        if (voice_silent(v, s->patch.algorithm) &&
            (!s->alg_fading || voice_silent(v, s->alg_old))) {
            fm_voice_silence(v);
            s->act_stale = true;
        }
    }
    /* Master gain slews so expression and volume steps do not click. */
    float g = s->gain;
    const float tgt = s->gain_target, slew = s->gain_slew;
    if (g == tgt) {
        /* at rest (each step would add 0): a plain scale, vectorized */
        for (int i = 0; i < n; i++) {
            l[i] *= g;
            r[i] *= g;
        }
        return;
    }
    for (int i = 0; i < n; i++) {
        float d = tgt - g;
        g += d > slew ? slew : (d < -slew ? -slew : d);
        l[i] *= g;
        r[i] *= g;
    }
    s->gain = g;
}

void fm_synth_process(FmSynth *s, const AtMidiEvent *ev, size_t n_ev, float *out_l, float *out_r,
                      uint32_t nframes)
{
    uint32_t pos = 0;
    size_t e = 0;
    while (pos < nframes) {
        while (e < n_ev && (ev[e].frame < nframes ? ev[e].frame : nframes - 1) <= pos) {
            fm_synth_midi(s, ev[e].data, ev[e].size);
            e++;
        }
        uint32_t in_block = (uint32_t)(s->clock % FM_BLOCK);
        if (in_block == 0)
            fm_control_tick(s);
        uint32_t end = pos + (FM_BLOCK - in_block);
        if (end > nframes)
            end = nframes;
        if (e < n_ev) {
            uint32_t f = ev[e].frame < nframes ? ev[e].frame : nframes - 1;
            if (f < end)
                end = f;
        }
        render(s, out_l + pos, out_r + pos, (int)in_block, (int)(end - pos));
        s->clock += end - pos;
        pos = end;
    }
    for (; e < n_ev; e++)
        fm_synth_midi(s, ev[e].data, ev[e].size);
}
