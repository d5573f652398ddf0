/* fmsynth_int.h - private to the FM engine (fmsynth.c, fmnote.c,
 * fmblock.c): the synth's state, the voices, and what the pieces share.
 * Not part of the API (fmsynth.h is). */
#ifndef AIOTONE_FMSYNTH_INT_H
#define AIOTONE_FMSYNTH_INT_H

#include "fmkernel.h"
#include "fmsynth.h"

#include <stdbool.h>
#include <stdint.h>

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

/* Between the files of the engine (declared here, defined once). */

/* fmnote.c: envelope stages, voices, controllers. */
float fm_env_next_stage(const FmSynth *s, FmEnv *e, const FmOpPatch *op);
void fm_voice_silence(FmVoice *v);
void fm_update_pan(FmSynth *s);
void fm_update_gain_target(FmSynth *s);
void fm_reset_controllers(FmSynth *s);
void fm_control_tick(FmSynth *s);

/* Pan (linear law) times the mix gain 1/min(P, 8) of voice i, computed
 * when the polyphony changes (fm_update_pan). */
static inline void voice_gains(const FmSynth *s, int i, float *gl, float *gr)
{
    *gl = s->pan[i][0];
    *gr = s->pan[i][1];
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
            e->value = out[i - 1] = fm_env_next_stage(s, e, op);
    }
    return sounding;
}

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

#endif
