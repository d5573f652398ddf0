/* fmsynth.c - the FM engine's set-up and inspection: creation, the patch,
 * the voice set, the SIMD path and the read-only accessors. The engine's
 * other pieces: fmnote.c (envelope stages, voices, MIDI) and fmblock.c
 * (the block render); their shared state is in fmsynth_int.h. */
#include "fmsynth_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    fm_update_pan(s);
    return old;
}

int fm_synth_polyphony(const FmSynth *s)
{
    return s->voices->count;
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
    fm_update_pan(s);
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
    fm_reset_controllers(s);
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
    fm_update_gain_target(s);
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
