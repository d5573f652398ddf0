/* fmnote.c - the FM engine's envelope stages, voice allocation, note
 * handling, controllers and MIDI (the render is in fmblock.c). */
#include "fmsynth_int.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

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
float fm_env_next_stage(const FmSynth *s, FmEnv *e, const FmOpPatch *op)
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

static double note_hz(const FmSynth *s, int note)
{
    return 440.0 * exp2((note - 69 + s->bend) / 12.0);
}

void fm_voice_silence(FmVoice *v)
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

void fm_update_pan(FmSynth *s)
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
        fm_voice_silence(&s->voices->v[i]);
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

void fm_update_gain_target(FmSynth *s)
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

void fm_reset_controllers(FmSynth *s)
{
    s->mod_msb = s->mod_lsb = 0;
    s->expr_msb = 127;
    s->expr_lsb = 0;
    update_mod_depth(s);
    fm_update_gain_target(s);
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
        fm_update_gain_target(s);
        break;
    case AT_CC_EXPRESSION_LSB:
        s->expr_lsb = (uint8_t)val;
        fm_update_gain_target(s);
        break;
    case AT_CC_SUSTAIN:
        pedal(s, val >= 64);
        break;
    case 120: /* all sound off */
    case AT_CC_ALL_NOTES_OFF:
        fm_synth_all_notes_off(s);
        break;
    case 121:
        fm_reset_controllers(s);
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

/* At the start of a grid block: move the pitch bend one step along its
 * glide and retune the voices (ratio changes also take effect here). */
void fm_control_tick(FmSynth *s)
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
