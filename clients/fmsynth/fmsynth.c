/* fmsynth.c - the FM engine: envelopes, operators, algorithms, voices and
 * MIDI handling. Each operator is rendered over a whole block of up to
 * FM_BLOCK frames so the compiler vectorizes across samples. */
#include "fmsynth.h"
#include "fmkernel.h"

#include <math.h>
#if defined(__SSE2__) && !defined(FM_NO_SIMD)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

enum { ENV_IDLE, ENV_ATTACK, ENV_DECAY, ENV_SUSTAIN, ENV_RELEASE };

/* Kinds of ignored input, each logged once (a controller sending a stream
 * of an unused CC or aftertouch must not flood the log): CC numbers
 * 0..127, then channel message types, system status bytes, malformed. */
enum { IGN_TYPE = 128, IGN_SYSTEM = IGN_TYPE + 16, IGN_MALFORMED = IGN_SYSTEM + 16, IGN_KINDS };

/* A linear envelope: within a stage the value after n samples is
 * start + inc * n (computed, not accumulated, so it is exact to the sample
 * whatever the block splits are). */
typedef struct {
    float start, inc, value;
    uint32_t n, len;
    int stage;
} FmEnv;

typedef struct {
    FmEnv env[FM_OPS];
    /* Phase (cycles) of each operator at grid frame `base` of the current
     * FM_BLOCK grid block, and its increment per frame for this block: the
     * read position of frame k of the block is phase + inc * (k - base + 1),
     * so splitting the block at events does not change a single bit. */
    float phase[FM_OPS];
    float inc[FM_OPS];
    uint32_t base;
    float fb[2];    /* op 4's last two outputs, for feedback */
    float vel;      /* velocity / 127 */
    float gl, gr;   /* current pan * mix gains (glide after a polyphony change) */
    double hz;      /* note frequency including pitch bend */
    int note;       /* -1 when silent */
    bool key_down;  /* false once released */
    uint64_t stamp; /* last use, for least-recently-used allocation */
} FmVoice;

struct FmVoiceSet {
    int count;
    FmVoice v[];
};

struct FmSynth {
    uint32_t rate;
    double inv_rate;
    FmPatch patch;
    FmVoiceSet *voices;
    uint64_t clock; /* frames rendered since creation: the control grid */
    uint64_t stamp;
    int channel;
    bool pedal;
    bool pending_off[128];
    double bend, bend_target, bend_step;
    uint8_t mod_msb, mod_lsb, expr_msb, expr_lsb;
    float mod_depth;
    float gain, gain_target; /* volume * expression, slewed per sample */
    float gain_slew;
    uint32_t glide_blocks;
    FmLogFn log;
    void *log_ctx;
    uint64_t ignored;
    bool logged[IGN_KINDS];
    /* The operator kernels of the SIMD path in use (fmkernel.h). */
    FmSimd simd;
    const FmKernels *k;
    FmPoint points[FM_WAVE_COUNT][FM_TABLE_SIZE];
    /* Operator 4 outputs of the current block when it has feedback:
     * computed for several voices at once (see render_feedback), in
     * lanes (frame-major: frame i of lane j at [i * lanes + j]). */
    float fb_env[FM_BLOCK * FM_FB_LANES_MAX], fb_lane_out[FM_BLOCK * FM_FB_LANES_MAX];
    /* ... and per voice: the k-th sounding voice of the chunk has slot k,
     * its envelope in fb_voice_env[k] and its output in fb_out[k] (a lane
     * group's rows are contiguous, so they are transposed in tiles). */
    float fb_out[FM_MAX_POLYPHONY + FM_FB_LANES_MAX][FM_BLOCK];
    float fb_voice_env[FM_MAX_POLYPHONY + FM_FB_LANES_MAX][FM_BLOCK];
    int fb_slot[FM_MAX_POLYPHONY];
    bool fb_live[FM_MAX_POLYPHONY];
    /* Each voice's operator outputs in the current chunk, and which of
     * them sound (bit k = op k + 1). */
    float op_out[FM_MAX_POLYPHONY][FM_OPS][FM_BLOCK];
    unsigned live[FM_MAX_POLYPHONY];
    float pan[FM_MAX_POLYPHONY][2]; /* each voice's left and right gain */
    /* The sounding voices, in voice order: every voice loop of a chunk
     * walks only them (a synth of 64 voices playing 16 skips the other
     * 48). Made again at the next chunk when act_stale says a voice
     * started or went silent (or the voice set changed). */
    int act[FM_MAX_POLYPHONY];
    int n_act;
    bool act_stale;
    /* The kernel arguments of one operator of every sounding voice, run
     * in one kernel call, and the envelopes they read. */
    FmOpArgs batch[FM_MAX_POLYPHONY];
    float batch_env[FM_MAX_POLYPHONY][FM_BLOCK];
    /* A patch change moved an operator ratio: the next grid block retunes
     * every voice (else only a pitch-bend glide does). */
    bool retune;
    /* What each kernel call reads of the patch, kept with it (set_patch):
     * each operator's table and level as a float, and whether operator 4
     * has feedback. */
    const FmPoint *op_tab[FM_OPS];
    float op_level[FM_OPS];
    bool has_fb;
    /* A wave change crossfades from the old table to the new one over
     * fade_len frames (5 ms) from frame fade_start: a switch between two
     * tables at the same phase would be a step in the output, a click.
     * The weights depend only on the frame number, so the result does
     * not depend on how the frames are split into blocks. */
    int fade_from[FM_OPS]; /* the old wave, or -1 */
    uint64_t fade_start[FM_OPS];
    uint32_t fade_len;
    unsigned fading;                 /* ops fading in the current chunk: */
    const FmPoint *fade_tab[FM_OPS]; /* their old tables */
    float fade_w[FM_OPS][FM_BLOCK];  /* and new-wave weights, per frame */
    /* A level change ramps linearly from the level of the moment to the
     * new one over the same fade_len frames from frame lvl_start, so a
     * fader moved on a control surface does not step (zipper noise). */
    bool lvl_moving[FM_OPS];
    float lvl_from[FM_OPS];
    uint64_t lvl_start[FM_OPS];
    unsigned ramping;                 /* ops whose level moves in this chunk: */
    float lvl_ramp[FM_OPS][FM_BLOCK]; /* their level, per frame */
    /* An algorithm change crossfades each voice from its output under the
     * old routing to its output under the new, over fade_len frames. */
    int alg_from; /* the old algorithm, or -1 */
    uint64_t alg_start;
    int alg_old;           /* in the current chunk: the old algorithm, */
    bool alg_fading;       /* whether it fades, */
    float alg_w[FM_BLOCK]; /* and the new routing's weight per frame */
};

static void update_pan(FmSynth *s);

/* What the kernels read of the patch, kept with it (every patch change
 * goes through here). */
static void patch_cache(FmSynth *s)
{
    for (int op = 0; op < FM_OPS; op++) {
        s->op_tab[op] = s->points[s->patch.op[op].wave];
        s->op_level[op] = (float)s->patch.op[op].level;
    }
    s->has_fb = s->patch.feedback > 0.0;
}

/* Modulators of each operator (bit k = op k+1) and carriers, per algorithm;
 * the table in docs/fmsynth.md (Rules). Modulators always have higher numbers than their
 * carriers, so rendering ops 4, 3, 2, 1 in turn has every input ready. */
static const uint8_t alg_mods[FM_ALGORITHMS][FM_OPS] = {
    {0x2, 0x4, 0x8, 0}, /* 0: 4 -> 3 -> 2 -> 1 */
    {0x2, 0xC, 0, 0},   /* 1: (3 + 4) -> 2 -> 1 */
    {0xA, 0x4, 0, 0},   /* 2: 3 -> 2, (2 + 4) -> 1 */
    {0x6, 0x8, 0x8, 0}, /* 3: 4 -> 2, 4 -> 3, (2 + 3) -> 1 */
    {0xE, 0, 0, 0},     /* 4: (2 + 3 + 4) -> 1 */
    {0, 0x4, 0x8, 0},   /* 5: 4 -> 3 -> 2; 1 + 2 */
    {0x4, 0x4, 0x8, 0}, /* 6: 4 -> 3; 3 -> 1, 3 -> 2; 1 + 2 */
    {0x4, 0x8, 0, 0},   /* 7: 3 -> 1, 4 -> 2; 1 + 2 */
    {0x8, 0x8, 0x8, 0}, /* 8: 4 -> 1, 2, 3; 1 + 2 + 3 */
    {0, 0x8, 0x8, 0},   /* 9: 4 -> 2, 4 -> 3; 1 + 2 + 3 */
    {0, 0, 0x8, 0},     /* 10: 4 -> 3; 1 + 2 + 3 */
    {0, 0, 0, 0},       /* 11: 1 + 2 + 3 + 4 */
};
static const uint8_t alg_carriers[FM_ALGORITHMS] = {0x1, 0x1, 0x1, 0x1, 0x1, 0x3,
                                                    0x3, 0x3, 0x7, 0x7, 0x7, 0xF};

const char *fm_strerror(FmStatus s)
{
    switch (s) {
    case FM_OK:
        return "ok";
    case FM_ERR_ARG:
        return "argument out of range";
    case FM_ERR_NOMEM:
        return "out of memory";
    case FM_ERR_IO:
        return "input/output error";
    case FM_ERR_STOP:
        return "stopped";
    }
    return "unknown error";
}

unsigned fm_algorithm_carriers(int alg)
{
    return (alg >= 0 && alg < FM_ALGORITHMS) ? alg_carriers[alg] : 0;
}

unsigned fm_algorithm_modulators(int alg, int op)
{
    if (alg < 0 || alg >= FM_ALGORITHMS || op < 0 || op >= FM_OPS)
        return 0;
    return alg_mods[alg][op];
}

/* ---- envelopes ---- */

static uint32_t samples(const FmSynth *s, double seconds)
{
    double n = round(seconds * s->rate);
    return n <= 0 ? 0 : (n > 4e9 ? 4000000000u : (uint32_t)n);
}

static void env_stage(FmEnv *e, int stage, float start, float inc, uint32_t len)
{
    e->stage = stage;
    e->start = start;
    e->inc = inc;
    e->len = len;
    e->n = 0;
    e->value = start;
}

/* Enter the decay, or what follows it when it is empty. */
static void env_decay(const FmSynth *s, FmEnv *e, const FmOpPatch *op)
{
    uint32_t d = samples(s, op->decay);
    float sus = (float)op->sustain;
    if (d > 0)
        env_stage(e, ENV_DECAY, 1.0f, -(1.0f - sus) / (float)d, d);
    else if (sus > 0.0f)
        env_stage(e, ENV_SUSTAIN, sus, 0.0f, 0);
    else
        env_stage(e, ENV_IDLE, 0.0f, 0.0f, 0);
}

static void env_attack(const FmSynth *s, FmEnv *e, const FmOpPatch *op)
{
    uint32_t a = samples(s, op->attack);
    if (a > 0)
        env_stage(e, ENV_ATTACK, 0.0f, 1.0f / (float)a, a);
    else
        env_decay(s, e, op);
}

static void env_release(const FmSynth *s, FmEnv *e, const FmOpPatch *op)
{
    if (e->stage == ENV_IDLE || e->stage == ENV_RELEASE)
        return;
    uint32_t r = samples(s, op->release);
    float v = e->value;
    if (r == 0 || v <= 0.0f) {
        env_stage(e, ENV_IDLE, 0.0f, 0.0f, 0);
        return;
    }
    uint32_t len = (uint32_t)ceil((double)v * r - 1e-9);
    env_stage(e, ENV_RELEASE, v, -1.0f / (float)r, len < 1 ? 1 : len);
}

/* The end of a timed stage: land exactly on its target, go on. */
static float env_next_stage(const FmSynth *s, FmEnv *e, const FmOpPatch *op)
{
    if (e->stage == ENV_ATTACK) {
        env_decay(s, e, op);
        return 1.0f;
    }
    if (e->stage == ENV_DECAY && op->sustain > 0.0) {
        env_stage(e, ENV_SUSTAIN, (float)op->sustain, 0.0f, 0);
        return e->value;
    }
    env_stage(e, ENV_IDLE, 0.0f, 0.0f, 0);
    return 0.0f;
}

/* max(x, 0) that compiles to one instruction (fmaxf is a libm call
 * without -ffast-math because of its NaN rules). */
static inline float clamp0(float x)
{
    return x > 0.0f ? x : 0.0f;
}

/* Fill out[0..n) with the next n envelope values; false when all zero. */
/* Inlined in both callers: a call per operator per block costs more than
 * the fill itself. */
static inline __attribute__((always_inline)) bool
env_fill(const FmSynth *s, FmEnv *e, const FmOpPatch *op, float *restrict out, int n)
{
    int i = 0;
    bool sounding = e->stage != ENV_IDLE;
    while (i < n) {
        if (e->stage == ENV_IDLE || e->stage == ENV_SUSTAIN) {
            for (int j = i; j < n; j++)
                out[j] = e->value;
            return sounding;
        }
        uint32_t left = e->len - e->n;
        int k = (uint32_t)(n - i) < left ? n - i : (int)left;
        const float start = e->start, inc = e->inc;
        const uint32_t n0 = e->n;
        for (int j = 0; j < k; j++)
            out[i + j] = clamp0(start + inc * (float)(n0 + (uint32_t)j + 1));
        e->n += (uint32_t)k;
        i += k;
        e->value = out[i - 1];
        if (e->n >= e->len)
            e->value = out[i - 1] = env_next_stage(s, e, op);
    }
    return sounding;
}

/* ---- operators ---- */

/* A crossfade's value with new-side weight w: the new value itself once
 * w reaches 1, bit for bit, so the frames after a fade do not depend on
 * whether they were rendered in the fade's last chunk or after it. */
static inline float fade_mix(float old, float new_, float w)
{
    return w >= 1.0f ? new_ : old + w * (new_ - old);
}

/* Weight of the new side after `done` frames of a fade (0..1). */
static inline float fade_weight(const FmSynth *s, uint64_t done)
{
    return done >= s->fade_len ? 1.0f : (float)done / (float)s->fade_len;
}

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

/* ---- voices ---- */

FmVoiceSet *fm_voice_set_new(int polyphony)
{
    if (polyphony < 1 || polyphony > FM_MAX_POLYPHONY)
        return NULL;
    FmVoiceSet *set = calloc(1, sizeof *set + (size_t)polyphony * sizeof(FmVoice));
    if (!set)
        return NULL;
    set->count = polyphony;
    for (int i = 0; i < polyphony; i++)
        set->v[i].note = -1;
    return set;
}

void fm_voice_set_free(FmVoiceSet *set)
{
    free(set);
}

FmVoiceSet *fm_synth_swap_voices(FmSynth *s, FmVoiceSet *set)
{
    FmVoiceSet *old = s->voices;
    if (!set)
        return NULL;
    int keep = old->count < set->count ? old->count : set->count;
    memcpy(set->v, old->v, (size_t)keep * sizeof(FmVoice));
    for (int i = keep; i < set->count; i++) {
        memset(&set->v[i], 0, sizeof(FmVoice));
        set->v[i].note = -1;
    }
    s->voices = set;
    s->act_stale = true;
    update_pan(s);
    return old;
}

int fm_synth_polyphony(const FmSynth *s)
{
    return s->voices->count;
}

static double note_hz(const FmSynth *s, int note)
{
    return 440.0 * exp2((note - 69 + s->bend) / 12.0);
}

static void voice_silence(FmVoice *v)
{
    for (int op = 0; op < FM_OPS; op++)
        env_stage(&v->env[op], ENV_IDLE, 0.0f, 0.0f, 0);
    v->note = -1;
    v->key_down = false;
}

static void voice_release(FmSynth *s, FmVoice *v)
{
    v->key_down = false;
    for (int op = 0; op < FM_OPS; op++)
        env_release(s, &v->env[op], &s->patch.op[op]);
}

/* Pan (linear law) times the mix gain 1/min(P, 8) of voice i, computed
 * when the polyphony changes (update_pan). */
static void voice_gains(const FmSynth *s, int i, float *gl, float *gr)
{
    *gl = s->pan[i][0];
    *gr = s->pan[i][1];
}

static void update_pan(FmSynth *s)
{
    const int p = s->voices->count;
    const float mix = 1.0f / (float)(p < 8 ? p : 8);
    for (int i = 0; i < p; i++) {
        float pan = p > 1 ? 2.0f * (float)i / (float)(p - 1) - 1.0f : 0.0f;
        s->pan[i][0] = (1.0f - pan) * 0.5f * mix;
        s->pan[i][1] = (1.0f + pan) * 0.5f * mix;
    }
}

/* Least recently used among: silent voices, else released ones, else all. */
static FmVoice *voice_alloc(FmSynth *s)
{
    FmVoice *best[3] = {NULL, NULL, NULL};
    for (int i = 0; i < s->voices->count; i++) {
        FmVoice *v = &s->voices->v[i];
        int cls = v->note < 0 ? 0 : (!v->key_down ? 1 : 2);
        if (!best[cls] || v->stamp < best[cls]->stamp)
            best[cls] = v;
    }
    return best[0] ? best[0] : (best[1] ? best[1] : best[2]);
}

/* Operator increments from the voice's frequency and the patch ratios. */
static void voice_tune(const FmSynth *s, FmVoice *v)
{
    for (int op = 0; op < FM_OPS; op++)
        v->inc[op] = (float)(v->hz * s->patch.op[op].ratio * s->inv_rate);
}

static void note_on(FmSynth *s, int note, int vel)
{
    FmVoice *v = voice_alloc(s);
    s->act_stale = true;
    s->pending_off[note] = false;
    v->note = note;
    v->key_down = true;
    v->vel = (float)vel / 127.0f;
    v->stamp = ++s->stamp;
    v->hz = note_hz(s, note);
    voice_tune(s, v);
    v->base = (uint32_t)(s->clock % FM_BLOCK);
    voice_gains(s, (int)(v - s->voices->v), &v->gl, &v->gr);
    v->fb[0] = v->fb[1] = 0.0f;
    for (int op = 0; op < FM_OPS; op++) {
        v->phase[op] = 0.0f;
        env_attack(s, &v->env[op], &s->patch.op[op]);
    }
}

static void release_note(FmSynth *s, int note)
{
    for (int i = 0; i < s->voices->count; i++) {
        FmVoice *v = &s->voices->v[i];
        if (v->note == note && v->key_down)
            voice_release(s, v);
    }
}

static void note_off(FmSynth *s, int note)
{
    if (s->pedal)
        s->pending_off[note] = true;
    else
        release_note(s, note);
}

static void pedal(FmSynth *s, bool down)
{
    s->pedal = down;
    if (down)
        return;
    for (int n = 0; n < 128; n++)
        if (s->pending_off[n]) {
            s->pending_off[n] = false;
            release_note(s, n);
        }
}

void fm_synth_all_notes_off(FmSynth *s)
{
    for (int i = 0; i < s->voices->count; i++)
        voice_silence(&s->voices->v[i]);
    s->act_stale = true;
    memset(s->pending_off, 0, sizeof s->pending_off);
}

void fm_synth_release_all(FmSynth *s)
{
    pedal(s, false);
    for (int i = 0; i < s->voices->count; i++)
        if (s->voices->v[i].note >= 0)
            voice_release(s, &s->voices->v[i]);
}

/* ---- controllers ---- */

static void update_gain_target(FmSynth *s)
{
    /* 14-bit expression: MSB 127 alone means full level. */
    double x = (s->expr_msb * 128.0 + s->expr_lsb) / (127.0 * 128.0);
    s->gain_target = (float)(s->patch.volume * (x > 1.0 ? 1.0 : x));
}

static void update_mod_depth(FmSynth *s)
{
    double x = (s->mod_msb * 128.0 + s->mod_lsb) / (127.0 * 128.0);
    s->mod_depth = (float)(1.0 + (FM_MOD_WHEEL_MAX_DEPTH - 1.0) * (x > 1.0 ? 1.0 : x));
}

static void reset_controllers(FmSynth *s)
{
    s->mod_msb = s->mod_lsb = 0;
    s->expr_msb = 127;
    s->expr_lsb = 0;
    update_mod_depth(s);
    update_gain_target(s);
    s->bend_target = 0.0;
    s->bend_step = fabs(s->bend - s->bend_target) / s->glide_blocks;
    pedal(s, false);
}

static void ignored(FmSynth *s, int kind, const char *fmt, int a, int b)
{
    s->ignored++;
    if (s->log && !s->logged[kind]) {
        s->logged[kind] = true;
        s->log(s->log_ctx, fmt, a, b);
    }
}

static void control_change(FmSynth *s, int cc, int val)
{
    switch (cc) {
    case AT_CC_MOD_WHEEL:
        s->mod_msb = (uint8_t)val;
        s->mod_lsb = 0; /* a new MSB restarts the LSB (MIDI 1.0) */
        update_mod_depth(s);
        break;
    case AT_CC_MOD_WHEEL_LSB:
        s->mod_lsb = (uint8_t)val;
        update_mod_depth(s);
        break;
    case AT_CC_EXPRESSION:
        s->expr_msb = (uint8_t)val;
        s->expr_lsb = 0;
        update_gain_target(s);
        break;
    case AT_CC_EXPRESSION_LSB:
        s->expr_lsb = (uint8_t)val;
        update_gain_target(s);
        break;
    case AT_CC_SUSTAIN:
        pedal(s, val >= 64);
        break;
    case 120: /* all sound off */
    case AT_CC_ALL_NOTES_OFF:
        fm_synth_all_notes_off(s);
        break;
    case 121:
        reset_controllers(s);
        break;
    default:
        ignored(s, cc, "fmsynth: ignored CC %d (value %d; logged once)", cc, val);
    }
}

static void pitch_bend(FmSynth *s, const uint8_t *d)
{
    s->bend_target = FM_BEND_RANGE * at_midi_pitch_bend_value(d) / 8192.0;
    s->bend_step = fabs(s->bend_target - s->bend) / s->glide_blocks;
}

void fm_synth_midi(FmSynth *s, const uint8_t *d, size_t size)
{
    if (size == 0)
        return;
    uint8_t st = d[0];
    if (at_midi_is_realtime(st))
        return; /* clock, start, stop: not ours */
    int need = at_midi_message_size(st);
    if (need == 0 || (size_t)need > size) {
        ignored(s, st >= 0xF0 ? IGN_SYSTEM + (st & 0xF) : IGN_TYPE + (st >> 4 & 0xF),
                "fmsynth: ignored message 0x%x (%d bytes; logged once)", st, (int)size);
        return;
    }
    for (int i = 1; i < need; i++)
        if (d[i] & 0x80) {
            ignored(s, IGN_MALFORMED, "fmsynth: malformed message 0x%x (logged once)", st, 0);
            return;
        }
    if (!at_midi_is_channel_message(st)) {
        ignored(s, IGN_SYSTEM + (st & 0xF), "fmsynth: ignored system message 0x%x (logged once)",
                st, 0);
        return;
    }
    if (s->channel > 0 && at_midi_channel(d) != s->channel - 1)
        return;
    switch (st & 0xF0) {
    case AT_MIDI_NOTE_ON:
        if (d[2] > 0)
            note_on(s, d[1], d[2]);
        else
            note_off(s, d[1]); /* velocity 0 is a note-off */
        break;
    case AT_MIDI_NOTE_OFF:
        note_off(s, d[1]);
        break;
    case AT_MIDI_CC:
        control_change(s, d[1], d[2]);
        break;
    case AT_MIDI_PITCH_BEND:
        pitch_bend(s, d);
        break;
    default:
        ignored(s, IGN_TYPE + (st >> 4 & 0xF), "fmsynth: ignored message 0x%x (logged once)", st,
                0);
    }
}

/* ---- rendering ---- */

/* At the start of a grid block: move the pitch bend one step along its
 * glide and retune the voices (ratio changes also take effect here). */
static void control_tick(FmSynth *s)
{
    bool bent = s->bend != s->bend_target;
    if (!bent && !s->retune)
        return; /* the increments note_on and the last retune set still hold */
    s->retune = false;
    if (fabs(s->bend_target - s->bend) <= s->bend_step)
        s->bend = s->bend_target;
    else
        s->bend += s->bend < s->bend_target ? s->bend_step : -s->bend_step;
    for (int i = 0; i < s->voices->count; i++) {
        FmVoice *v = &s->voices->v[i];
        if (v->note < 0)
            continue;
        if (bent)
            v->hz = note_hz(s, v->note);
        voice_tune(s, v);
    }
}

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
            voice_silence(v);
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
            control_tick(s);
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

/* ---- set-up and inspection ---- */

static bool patch_valid(const FmPatch *p)
{
    if (p->algorithm < 0 || p->algorithm >= FM_ALGORITHMS)
        return false;
    if (!(p->feedback >= 0.0 && p->feedback <= 1.0) || !(p->volume >= 0.0 && p->volume <= 16.0))
        return false;
    for (int op = 0; op < FM_OPS; op++) {
        const FmOpPatch *o = &p->op[op];
        if ((int)o->wave < 0 || o->wave >= FM_WAVE_COUNT)
            return false;
        if (!(o->ratio >= 0.0 && o->ratio <= 64.0) || !(o->attack >= 0.0) || !(o->decay >= 0.0) ||
            !(o->release >= 0.0) || !(o->sustain >= 0.0) || !(o->sustain <= 1.0) ||
            !(o->level >= 0.0 && o->level <= 16.0))
            return false;
    }
    return true;
}

FmStatus fm_synth_new(FmSynth **out, uint32_t rate, int polyphony, const FmPatch *patch)
{
    *out = NULL;
    FmPatch def;
    if (!patch) {
        fm_patch_default(&def);
        patch = &def;
    }
    if (rate < 1000 || rate > 768000 || !patch_valid(patch))
        return FM_ERR_ARG;
    FmVoiceSet *set = fm_voice_set_new(polyphony);
    if (!set)
        return polyphony < 1 || polyphony > FM_MAX_POLYPHONY ? FM_ERR_ARG : FM_ERR_NOMEM;
    FmSynth *s = calloc(1, sizeof *s);
    if (!s) {
        fm_voice_set_free(set);
        return FM_ERR_NOMEM;
    }
    s->rate = rate;
    s->inv_rate = 1.0 / rate;
    s->voices = set;
    s->act_stale = true;
    s->patch = *patch;
    for (int w = 0; w < FM_WAVE_COUNT; w++) {
        float t[FM_TABLE_SIZE + 1];
        fm_wave_fill((FmWave)w, t);
        for (int i = 0; i < FM_TABLE_SIZE; i++)
            s->points[w][i] = (FmPoint){t[i], t[i + 1] - t[i]};
    }
    update_pan(s);
    patch_cache(s);
    s->simd = fm_simd_best();
    s->k = fm_kernels(s->simd);
    s->glide_blocks = (uint32_t)lround(FM_GLIDE_SECONDS * rate / FM_BLOCK);
    if (s->glide_blocks < 1)
        s->glide_blocks = 1;
    /* A full-scale gain change takes 5 ms. */
    s->gain_slew = 1.0f / (0.005f * (float)rate);
    s->fade_len = (uint32_t)lround(FM_CHANGE_FADE_SECONDS * rate);
    if (s->fade_len < 1)
        s->fade_len = 1;
    for (int op = 0; op < FM_OPS; op++)
        s->fade_from[op] = -1;
    s->alg_from = -1;
    reset_controllers(s);
    s->gain = s->gain_target;
    *out = s;
    return FM_OK;
}

void fm_synth_free(FmSynth *s)
{
    if (!s)
        return;
    fm_voice_set_free(s->voices);
    free(s);
}

void fm_synth_set_patch(FmSynth *s, const FmPatch *patch)
{
    if (!patch_valid(patch))
        return;
    if (patch->algorithm != s->patch.algorithm) {
        s->alg_from = s->patch.algorithm;
        s->alg_start = s->clock;
    }
    for (int op = 0; op < FM_OPS; op++) {
        if (patch->op[op].wave != s->patch.op[op].wave) {
            s->fade_from[op] = (int)s->patch.op[op].wave;
            s->fade_start[op] = s->clock;
        }
        if (patch->op[op].ratio != s->patch.op[op].ratio)
            s->retune = true;
        if (patch->op[op].level != s->patch.op[op].level) {
            /* from the level of the last frame rendered */
            float now = (float)s->patch.op[op].level;
            if (s->lvl_moving[op]) {
                float w = fade_weight(s, s->clock - s->lvl_start[op]);
                if (w < 1.0f)
                    now = s->lvl_from[op] + (now - s->lvl_from[op]) * w;
            }
            s->lvl_from[op] = now;
            s->lvl_start[op] = s->clock;
            s->lvl_moving[op] = true;
        }
    }
    s->patch = *patch;
    patch_cache(s);
    update_gain_target(s);
}

static const char *const simd_names[FM_SIMD_COUNT] = {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(FM_NO_SIMD)
    "sse2",
#else
    "c",
#endif
    "avx2", "avx512"};

const char *fm_simd_name(FmSimd p)
{
    return p >= 0 && p < FM_SIMD_COUNT ? simd_names[p] : "?";
}

bool fm_simd_supported(FmSimd p)
{
    return p >= 0 && p < FM_SIMD_COUNT && fm_kernels(p) != NULL;
}

FmSimd fm_simd_best(void)
{
    for (int p = FM_SIMD_COUNT - 1; p > FM_SIMD_BASE; p--)
        if (fm_simd_supported((FmSimd)p))
            return (FmSimd)p;
    return FM_SIMD_BASE;
}

FmStatus fm_synth_set_simd(FmSynth *s, FmSimd p)
{
    if (!fm_simd_supported(p))
        return FM_ERR_ARG;
    s->simd = p;
    s->k = fm_kernels(p);
    return FM_OK;
}

FmSimd fm_synth_simd(const FmSynth *s)
{
    return s->simd;
}

const FmPatch *fm_synth_patch(const FmSynth *s)
{
    return &s->patch;
}

void fm_synth_set_channel(FmSynth *s, int channel)
{
    s->channel = channel >= 0 && channel <= 16 ? channel : 0;
}

void fm_synth_set_logger(FmSynth *s, FmLogFn fn, void *ctx)
{
    s->log = fn;
    s->log_ctx = ctx;
}

int fm_synth_active_voices(const FmSynth *s)
{
    int n = 0;
    for (int i = 0; i < s->voices->count; i++)
        n += s->voices->v[i].note >= 0;
    return n;
}

int fm_synth_voice_note(const FmSynth *s, int i, bool *key_down)
{
    if (i < 0 || i >= s->voices->count)
        return -1;
    if (key_down)
        *key_down = s->voices->v[i].key_down;
    return s->voices->v[i].note;
}

float fm_synth_voice_env(const FmSynth *s, int i, int op)
{
    if (i < 0 || i >= s->voices->count || op < 0 || op >= FM_OPS)
        return 0.0f;
    return s->voices->v[i].env[op].value;
}

double fm_synth_bend(const FmSynth *s)
{
    return s->bend;
}

double fm_synth_mod_depth(const FmSynth *s)
{
    return s->mod_depth;
}

double fm_synth_expression(const FmSynth *s)
{
    return s->patch.volume > 0 ? s->gain_target / s->patch.volume : 0.0;
}

uint64_t fm_synth_ignored(const FmSynth *s)
{
    return s->ignored;
}
