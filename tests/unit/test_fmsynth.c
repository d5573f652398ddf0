/* test_fmsynth - the rules of docs/fmsynth.md, on the pure core. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "clients/fmsynth/fmsynth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000
#define MAXF (RATE * 2)

static float L[MAXF], R[MAXF], L2[MAXF], R2[MAXF];

/* A patch where only the listed operators sound, each a plain sine with a
 * flat envelope (attack 0, decay 0, sustain 1, release 0). */
static FmPatch flat_patch(int alg, unsigned audible)
{
    FmPatch p;
    fm_patch_default(&p);
    p.algorithm = alg;
    for (int op = 0; op < FM_OPS; op++) {
        p.op[op] = (FmOpPatch){
            FM_WAVE_SINE, 1.0 + 0.37 * op, 0.0, 0.0, 1.0, 0.0, (audible >> op & 1) ? 0.5 : 0.0};
    }
    return p;
}

static FmSynth *synth(int poly, const FmPatch *p)
{
    FmSynth *s = NULL;
    assert_int_equal(fm_synth_new(&s, RATE, poly, p), FM_OK);
    return s;
}

static void midi(FmSynth *s, uint8_t a, uint8_t b, uint8_t c)
{
    uint8_t d[3] = {a, b, c};
    fm_synth_midi(s, d, at_midi_message_size(a) ? (size_t)at_midi_message_size(a) : 1);
}

static AtMidiEvent ev(uint32_t frame, uint8_t a, uint8_t b, uint8_t c)
{
    AtMidiEvent e = {frame, 3, {a, b, c}};
    return e;
}

/* Render n frames in periods of period frames; events use absolute frames. */
static void render(FmSynth *s, const AtMidiEvent *events, size_t n_ev, float *l, float *r,
                   uint32_t n, uint32_t period)
{
    size_t e = 0;
    for (uint32_t pos = 0; pos < n; pos += period) {
        uint32_t len = n - pos < period ? n - pos : period;
        AtMidiEvent local[64];
        size_t k = 0;
        while (e < n_ev && events[e].frame < pos + len && k < 64) {
            local[k] = events[e++];
            local[k].frame -= pos;
            k++;
        }
        fm_synth_process(s, local, k, l + pos, r + pos, len);
    }
}

static double peak(const float *x, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(x[i]));
    return m;
}

static double max_diff(const float *a, const float *b, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i] - b[i]));
    return m;
}

/* Frequency from rising zero crossings (linear interpolation). */
static double frequency(const float *x, size_t n)
{
    double first = -1, last = -1;
    int count = 0;
    for (size_t i = 1; i < n; i++)
        if (x[i - 1] < 0 && x[i] >= 0) {
            double t = (i - 1) + x[i - 1] / (x[i - 1] - x[i]);
            if (first < 0)
                first = t;
            last = t;
            count++;
        }
    return count > 1 ? (count - 1) * (double)RATE / (last - first) : 0.0;
}

/* ---- patch and waves ---- */

static void test_default_patch(void **state)
{
    FmPatch p;
    fm_patch_default(&p);
    assert_int_equal(p.algorithm, 10);
    const double ratio[4] = {0.999, 1.003, 1.0, 19.0};
    const double level[4] = {0.0312, 0.45, 0.324, 0.224};
    const double decay[4] = {2.0, 3.0, 4.0, 1.0 / 9.0};
    const double release[4] = {0.33, 0.25, 0.5, 1.0 / 9.0};
    const FmWave wave[4] = {FM_WAVE_SAW, FM_WAVE_SINE12, FM_WAVE_SINE, FM_WAVE_SINE};
    for (int op = 0; op < 4; op++) {
        assert_int_equal(p.op[op].wave, wave[op]);
        assert_true(fabs(p.op[op].ratio - ratio[op]) < 1e-12);
        assert_true(fabs(p.op[op].level - level[op]) < 1e-12);
        assert_true(fabs(p.op[op].decay - decay[op]) < 1e-12);
        assert_true(fabs(p.op[op].release - release[op]) < 1e-12);
        assert_true(p.op[op].sustain == 0.0);
    }
    assert_true(fabs(p.op[0].attack - 0.1) < 1e-12);
    for (int op = 1; op < 4; op++) /* 48 samples at 48 kHz */
        assert_int_equal((int)lround(p.op[op].attack * RATE), 48);
}

static void test_wave_tables(void **state)
{
    float t[FM_TABLE_SIZE + 1];
    for (int w = 0; w < FM_WAVE_COUNT; w++) {
        fm_wave_fill((FmWave)w, t);
        assert_true(t[FM_TABLE_SIZE] == t[0]); /* guard point for interpolation */
        assert_int_equal(fm_wave_from_name(fm_wave_name((FmWave)w)), w);
        /* Fundamental in phase with the sine: positive sine coefficient,
         * no cosine part. */
        double s1 = 0, c1 = 0, s2 = 0, s3 = 0, pk = 0;
        for (int i = 0; i < FM_TABLE_SIZE; i++) {
            double x = 2 * M_PI * i / FM_TABLE_SIZE;
            s1 += t[i] * sin(x) * 2 / FM_TABLE_SIZE;
            c1 += t[i] * cos(x) * 2 / FM_TABLE_SIZE;
            s2 += t[i] * sin(2 * x) * 2 / FM_TABLE_SIZE;
            s3 += t[i] * sin(3 * x) * 2 / FM_TABLE_SIZE;
            pk = fmax(pk, fabs(t[i]));
        }
        assert_true(s1 > 0.3);
        assert_true(fabs(c1) < 1e-4);
        assert_true(pk <= 1.0 + 1e-6);
        switch (w) {
        case FM_WAVE_SINE:
            assert_true(fabs(s1 - 1) < 1e-6 && fabs(s2) < 1e-6);
            assert_true(fabs(t[FM_TABLE_SIZE / 4] - 1.0f) < 1e-6);
            break;
        case FM_WAVE_SINE12:
            assert_true(fabs(s1 - 0.5) < 1e-6 && fabs(s2 - 0.5) < 1e-6 && fabs(s3) < 1e-6);
            break;
        case FM_WAVE_SAW: {
            /* Saw harmonics fall as 1/k with alternating sign, further
             * damped by the smoothing window; no jump larger than a
             * triangular window of half-width 256 allows. */
            assert_true(s2 < 0 && s3 > 0 && fabs(s2) < s1 / 2);
            double step = 0;
            for (int i = 0; i < FM_TABLE_SIZE; i++)
                step = fmax(step, fabs(t[i + 1] - t[i]));
            assert_true(step < 2.0 / 256 + 1e-3);
            assert_true(fabs(t[0]) < 1e-6); /* rises through 0 at phase 0 */
            break;
        }
        case FM_WAVE_SQUARE:
            assert_true(fabs(s2) < 1e-5 && s3 > 0.05);
            assert_true(t[FM_TABLE_SIZE / 4] > 0.9 && t[3 * FM_TABLE_SIZE / 4] < -0.9);
            break;
        }
    }
}

/* ---- algorithms ---- */

/* Carriers and direct modulators of each algorithm, from the table in docs/fmsynth.md
 * (bit k = operator k + 1), written out independently of the code. */
static const unsigned spec_carriers[12] = {1, 1, 1, 1, 1, 3, 3, 3, 7, 7, 7, 15};
static const char *const spec_edges[12] = {"43 32 21", "32 42 21", "32 21 41", "42 43 21 31",
                                           "21 31 41", "43 32",    "43 31 32", "31 42",
                                           "41 42 43", "42 43",    "43",       ""};

static bool spec_modulates(int alg, int m, int c)
{
    char pair[3] = {(char)('1' + m), (char)('1' + c), 0};
    return strstr(spec_edges[alg], pair) != NULL;
}

static void render_flat(int alg, unsigned audible, float *l, float *r, int frames)
{
    FmPatch p = flat_patch(alg, audible);
    FmSynth *s = synth(1, &p);
    AtMidiEvent on = ev(0, 0x90, 69, 127);
    render(s, &on, 1, l, r, (uint32_t)frames, 256);
    fm_synth_free(s);
}

/* With one operator audible, the output is that operator alone when it is
 * a carrier, and silence when it is a modulator. */
static void test_algorithm_single_operator(void **state)
{
    const int n = 2048;
    for (int alg = 0; alg < 12; alg++)
        for (int op = 0; op < 4; op++) {
            render_flat(alg, 1u << op, L, R, n);
            if (spec_carriers[alg] >> op & 1) {
                /* 0.5 (mono pan) * level 0.5 * sin(2 pi f t) */
                double f = 440.0 * (1.0 + 0.37 * op), err = 0;
                for (int i = 0; i < n; i++)
                    err = fmax(err, fabs(L[i] - 0.25 * sin(2 * M_PI * f * (i + 1) / RATE)));
                assert_true(err < 1e-4);
            } else {
                assert_true(peak(L, n) == 0.0);
            }
        }
}

/* A modulator changes the output only when it directly modulates an
 * audible carrier; carriers mix by addition. */
static void test_algorithm_routing(void **state)
{
    const int n = 2048;
    for (int alg = 0; alg < 12; alg++)
        for (int c = 0; c < 4; c++) {
            if (!(spec_carriers[alg] >> c & 1))
                continue;
            render_flat(alg, 1u << c, L, R, n);
            for (int m = 0; m < 4; m++) {
                if (m == c)
                    continue;
                render_flat(alg, (1u << c) | (1u << m), L2, R2, n);
                if (spec_carriers[alg] >> m & 1) {
                    /* Two carriers: the sum of each alone. */
                    static float only_m[2048], dummy[2048];
                    render_flat(alg, 1u << m, only_m, dummy, n);
                    for (int i = 0; i < n; i++)
                        only_m[i] += L[i];
                    assert_true(max_diff(L2, only_m, n) < 1e-5);
                } else if (spec_modulates(alg, m, c)) {
                    assert_true(max_diff(L, L2, n) > 0.05);
                } else {
                    assert_true(max_diff(L, L2, n) < 1e-7);
                }
            }
        }
}

/* A full-scale modulator moves the read position by one whole cycle:
 * check against the formula computed in double precision. */
static void test_modulation_depth(void **state)
{
    FmPatch p = flat_patch(0, 0x3);
    p.op[1].level = 1.0;
    p.op[0].level = 1.0;
    FmSynth *s = synth(1, &p);
    AtMidiEvent on = ev(0, 0x90, 69, 127);
    render(s, &on, 1, L, R, 4096, 256);
    fm_synth_free(s);
    double err = 0;
    for (int i = 0; i < 4096; i++) {
        double t = (i + 1) / (double)RATE;
        double m = sin(2 * M_PI * 440.0 * 1.37 * t);
        double y = 0.5 * sin(2 * M_PI * (440.0 * t + m));
        err = fmax(err, fabs(L[i] - y));
    }
    assert_true(err < 2e-3);
}

/* ---- envelopes ---- */

/* Envelope of op 1 after each sample, read through the inspection API. */
static void env_trace(FmSynth *s, float *out, int n)
{
    float l, r;
    for (int i = 0; i < n; i++) {
        fm_synth_process(s, NULL, 0, &l, &r, 1);
        out[i] = fm_synth_voice_env(s, 0, 0);
    }
}

static void test_envelope_adsr(void **state)
{
    FmPatch p = flat_patch(11, 1);
    /* attack 48 samples, decay 96 samples to 0.25, release 200 samples */
    p.op[0].attack = 48.0 / RATE;
    p.op[0].decay = 96.0 / RATE;
    p.op[0].sustain = 0.25;
    p.op[0].release = 200.0 / RATE;
    FmSynth *s = synth(1, &p);
    static float e[1000];
    midi(s, 0x90, 60, 100);
    env_trace(s, e, 300);
    for (int n = 1; n <= 48; n++)
        assert_true(fabsf(e[n - 1] - n / 48.0f) < 1e-6);
    assert_true(e[47] == 1.0f);
    for (int n = 1; n <= 96; n++)
        assert_true(fabsf(e[48 + n - 1] - (1.0f - n * 0.75f / 96)) < 1e-6);
    for (int i = 48 + 96; i < 300; i++)
        assert_true(e[i] == 0.25f); /* sustain holds */
    midi(s, 0x80, 60, 0);
    env_trace(s, e, 100);
    /* release falls by 1/r per sample from where it was */
    for (int n = 1; n <= 50; n++)
        assert_true(fabsf(e[n - 1] - (0.25f - n / 200.0f)) < 1e-6);
    assert_true(e[49] == 0.0f);
    assert_int_equal(fm_synth_active_voices(s), 0);
    fm_synth_free(s);
}

static void test_envelope_zero_sustain_finishes(void **state)
{
    FmPatch p = flat_patch(11, 1);
    p.op[0].attack = 10.0 / RATE;
    p.op[0].decay = 20.0 / RATE;
    p.op[0].sustain = 0.0;
    for (int op = 1; op < 4; op++) /* other carriers end at once */
        p.op[op].sustain = 0.0;
    FmSynth *s = synth(1, &p);
    static float e[100];
    midi(s, 0x90, 60, 100);
    env_trace(s, e, 40);
    assert_true(e[9] == 1.0f);
    assert_true(fabsf(e[19] - 0.5f) < 1e-6);
    assert_true(e[29] == 0.0f);
    assert_int_equal(fm_synth_active_voices(s), 0); /* finished though key down */
    fm_synth_free(s);
}

/* Release from the middle of the attack starts from the current level; a
 * new note-on restarts the envelope from 0. */
static void test_envelope_release_in_attack_and_restart(void **state)
{
    FmPatch p = flat_patch(11, 1);
    p.op[0].attack = 100.0 / RATE;
    p.op[0].release = 100.0 / RATE;
    FmSynth *s = synth(1, &p);
    static float e[200];
    midi(s, 0x90, 60, 100);
    env_trace(s, e, 40);
    assert_true(fabsf(e[39] - 0.4f) < 1e-6);
    midi(s, 0x90, 60, 0); /* velocity 0 = note-off */
    env_trace(s, e, 10);
    assert_true(fabsf(e[9] - 0.3f) < 1e-6);
    midi(s, 0x90, 60, 100);
    env_trace(s, e, 1);
    assert_true(fabsf(e[0] - 0.01f) < 1e-6);
    fm_synth_free(s);
}

/* ---- timing ---- */

static void test_frame_accurate_onset(void **state)
{
    FmPatch def;
    fm_patch_default(&def);
    for (uint32_t k = 0; k < 256; k += 37) {
        FmSynth *s = synth(16, &def);
        AtMidiEvent on = ev(k, 0x90, 60, 100);
        fm_synth_process(s, &on, 1, L, R, 256);
        for (uint32_t i = 0; i < k; i++)
            assert_true(L[i] == 0.0f && R[i] == 0.0f);
        assert_true(L[k] != 0.0f);
        fm_synth_free(s);
    }
    /* A note-off at frame 100 starts the release at frame 100. */
    FmPatch p = flat_patch(11, 1);
    p.op[0].release = 10.0 / RATE;
    FmSynth *s = synth(1, &p);
    AtMidiEvent evs[2] = {ev(0, 0x90, 69, 127), ev(100, 0x80, 69, 0)};
    fm_synth_process(s, evs, 2, L, R, 256);
    assert_true(L[99] != 0.0f);
    for (int i = 110; i < 256; i++)
        assert_true(L[i] == 0.0f);
    fm_synth_free(s);
}

/* The output depends on the events' absolute frames, not on the period
 * (any period, even odd ones): live (JACK periods) and offline rendering
 * agree sample for sample. */
static void test_period_independence(void **state)
{
    FmPatch def;
    fm_patch_default(&def);
    def.feedback = 0.3;
    const AtMidiEvent evs[] = {
        ev(5, 0x90, 60, 100),    ev(300, 0x90, 64, 90),   ev(301, 0xE0, 0, 80),
        ev(777, 0xB0, 64, 127),  ev(1000, 0x80, 60, 0),   ev(1500, 0xB0, 1, 100),
        ev(2047, 0x90, 67, 120), ev(3000, 0xB0, 64, 0),   ev(4000, 0xB0, 11, 40),
        ev(5000, 0x80, 64, 0),   ev(6000, 0xE0, 0, 64),   ev(9000, 0x80, 67, 0),
        ev(9001, 0x90, 40, 127), ev(9033, 0x90, 41, 127), ev(15000, 0xB0, 123, 0),
    };
    const size_t n = sizeof evs / sizeof evs[0];
    const uint32_t frames = 24000;
    const uint32_t periods[] = {16, 7, 48, 100, 1000, 64};
    FmSynth *a = synth(16, &def);
    render(a, evs, n, L, R, frames, 1024);
    assert_true(peak(L, frames) > 0.01);
    fm_synth_free(a);
    for (size_t k = 0; k < sizeof periods / sizeof periods[0]; k++) {
        FmSynth *b = synth(16, &def);
        render(b, evs, n, L2, R2, frames, periods[k]);
        assert_memory_equal(L, L2, frames * sizeof(float));
        assert_memory_equal(R, R2, frames * sizeof(float));
        fm_synth_free(b);
    }
}

/* ---- voices ---- */

/* Four voices of a sine whose release lasts a second: released voices
 * keep sounding. */
static FmSynth *held_voices(void)
{
    FmPatch p = flat_patch(11, 1);
    p.op[0].release = 1.0;
    return synth(4, &p);
}

static void test_allocation_order_and_stealing(void **state)
{
    FmSynth *s = held_voices(); /* released voices keep sounding */
    bool down;
    for (int i = 0; i < 4; i++)
        midi(s, 0x90, (uint8_t)(60 + i), 100);
    for (int i = 0; i < 4; i++)
        assert_int_equal(fm_synth_voice_note(s, i, &down), 60 + i);
    /* all keys down: steal the least recently used (voice 0) */
    midi(s, 0x90, 70, 100);
    assert_int_equal(fm_synth_voice_note(s, 0, &down), 70);
    /* a released voice is preferred to an older held one */
    midi(s, 0x80, 63, 0);
    midi(s, 0x80, 62, 0);
    midi(s, 0x90, 71, 100); /* voices 2 and 3 released; 3 was released
                               first, but 2 was used less recently */
    assert_int_equal(fm_synth_voice_note(s, 2, &down), 71);
    assert_true(down);
    assert_int_equal(fm_synth_voice_note(s, 3, &down), 63);
    assert_false(down);
    /* a silent voice is preferred to a released one */
    midi(s, 0xB0, 123, 0);
    midi(s, 0x90, 80, 100);
    midi(s, 0x90, 81, 100);
    midi(s, 0x80, 80, 0);
    fm_synth_process(s, NULL, 0, L, R, 64);
    midi(s, 0x90, 82, 100);
    int released = -1, fresh = -1;
    for (int i = 0; i < 4; i++) {
        int note = fm_synth_voice_note(s, i, &down);
        if (note == 80)
            released = i;
        if (note == 82)
            fresh = i;
    }
    assert_true(released >= 0 && fresh >= 0 && fresh != released);
    fm_synth_free(s);
}

static void test_note_off_releases_all_voices_of_note(void **state)
{
    FmSynth *s = held_voices();
    bool down;
    midi(s, 0x90, 60, 100);
    midi(s, 0x90, 60, 100);
    midi(s, 0x90, 62, 100);
    midi(s, 0x80, 60, 64);
    fm_synth_voice_note(s, 0, &down);
    assert_false(down);
    fm_synth_voice_note(s, 1, &down);
    assert_false(down);
    fm_synth_voice_note(s, 2, &down);
    assert_true(down);
    fm_synth_free(s);
}

static void test_sustain_pedal(void **state)
{
    FmSynth *s = held_voices();
    bool down;
    midi(s, 0xB0, 64, 127);
    midi(s, 0x90, 60, 100);
    midi(s, 0x90, 62, 100);
    midi(s, 0x80, 60, 0);
    midi(s, 0x90, 62, 0);
    fm_synth_voice_note(s, 0, &down);
    assert_true(down);      /* remembered, not applied */
    midi(s, 0x90, 62, 100); /* forgets the remembered note-off of 62 */
    midi(s, 0xB0, 64, 0);
    assert_int_equal(fm_synth_voice_note(s, 0, &down), 60);
    assert_false(down);
    assert_int_equal(fm_synth_voice_note(s, 1, &down), 62);
    assert_true(down);
    assert_int_equal(fm_synth_voice_note(s, 2, &down), 62);
    assert_true(down);
    /* pedal up without remembered notes releases nothing */
    midi(s, 0xB0, 64, 100);
    midi(s, 0xB0, 64, 10);
    fm_synth_voice_note(s, 1, &down);
    assert_true(down);
    fm_synth_free(s);
}

static void test_all_notes_off(void **state)
{
    FmPatch def;
    fm_patch_default(&def);
    FmSynth *s = synth(16, &def);
    AtMidiEvent evs[] = {ev(0, 0x90, 60, 100), ev(0, 0x90, 64, 100), ev(10, 0xB0, 64, 127),
                         ev(20, 0x80, 60, 0), ev(128, 0xB0, 123, 0)};
    fm_synth_process(s, evs, 5, L, R, 256);
    assert_true(peak(L, 128) > 0.0);
    assert_true(peak(L + 128, 128) == 0.0 && peak(R + 128, 128) == 0.0);
    assert_int_equal(fm_synth_active_voices(s), 0);
    /* the remembered note-off was forgotten: a new 60 survives pedal up */
    midi(s, 0x90, 60, 100);
    midi(s, 0xB0, 64, 0);
    bool down = false;
    int found = 0;
    for (int i = 0; i < 16; i++)
        if (fm_synth_voice_note(s, i, &down) == 60) {
            assert_true(down);
            found++;
        }
    assert_int_equal(found, 1);
    fm_synth_free(s);
}

static void test_velocity(void **state)
{
    FmPatch p = flat_patch(11, 1);
    FmSynth *a = synth(1, &p), *b = synth(1, &p);
    AtMidiEvent loud = ev(0, 0x90, 69, 127), soft = ev(0, 0x90, 69, 32);
    render(a, &loud, 1, L, R, 1024, 256);
    render(b, &soft, 1, L2, R2, 1024, 256);
    for (int i = 0; i < 1024; i++)
        assert_true(fabsf(L2[i] - L[i] * 32.0f / 127.0f) < 1e-6);
    fm_synth_free(a);
    fm_synth_free(b);
}

static void test_pan_and_mix(void **state)
{
    FmPatch p = flat_patch(11, 1);
    const int polys[] = {1, 2, 3, 8, 16};
    for (size_t k = 0; k < 5; k++) {
        int poly = polys[k];
        for (int v = 0; v < poly; v++) {
            FmSynth *s = synth(poly, &p);
            /* occupy voices 0..v-1, play on voice v, then free the others
             * (release 0: silent at once) */
            for (int i = 0; i < v; i++)
                midi(s, 0x90, (uint8_t)(20 + i), 127);
            midi(s, 0x90, 69, 127);
            for (int i = 0; i < v; i++)
                midi(s, 0x80, (uint8_t)(20 + i), 0);
            assert_int_equal(fm_synth_voice_note(s, v, NULL), 69);
            fm_synth_process(s, NULL, 0, L, R, 512);
            double pan = poly > 1 ? 2.0 * v / (poly - 1) - 1.0 : 0.0;
            double mix = 1.0 / (poly < 8 ? poly : 8);
            double err = 0;
            for (int i = 0; i < 512; i++) {
                double x = 0.5 * sin(2 * M_PI * 440.0 * (i + 1) / RATE);
                err = fmax(err, fabs(L[i] - x * (1 - pan) / 2 * mix));
                err = fmax(err, fabs(R[i] - x * (1 + pan) / 2 * mix));
            }
            assert_true(err < 1e-4);
            fm_synth_free(s);
        }
    }
}

static void test_pitch_bend_range_and_glide(void **state)
{
    FmPatch p = flat_patch(11, 1);
    FmSynth *s = synth(1, &p);
    midi(s, 0xE0, 0x7F, 0x7F);
    render(s, NULL, 0, L, R, RATE / 2, 256);
    assert_true(fabs(fm_synth_bend(s) - 12.0 * 8191 / 8192) < 1e-9);
    midi(s, 0xE0, 0, 0);
    render(s, NULL, 0, L, R, RATE / 2, 256);
    assert_true(fabs(fm_synth_bend(s) + 12.0) < 1e-9);
    midi(s, 0xE0, 0, 64);
    /* glide: not there after 100 ms, there after 128 ms + one grid block */
    render(s, NULL, 0, L, R, RATE / 10, 64);
    assert_true(fm_synth_bend(s) < -1.0 && fm_synth_bend(s) > -11.0);
    render(s, NULL, 0, L, R, (uint32_t)(RATE * 0.028) + FM_BLOCK, 64);
    assert_true(fabs(fm_synth_bend(s)) < 1e-9);
    fm_synth_free(s);

    /* A4 bent +2 semitones sounds at 493.9 Hz; no step on the way. */
    s = synth(1, &p);
    midi(s, 0x90, 69, 127);
    render(s, NULL, 0, L, R, RATE / 2, 256);
    assert_true(fabs(frequency(L, RATE / 2) - 440.0) < 0.1);
    midi(s, 0xE0, (8192 + 1365) & 0x7F, (8192 + 1365) >> 7);
    render(s, NULL, 0, L, R, RATE / 2, 256);
    assert_true(fabs(frequency(L + RATE / 4, RATE / 4) - 493.88) < 0.2);
    double jump = 0;
    for (int i = 1; i < RATE / 4; i++)
        jump = fmax(jump, fabs(L[i] - L[i - 1]));
    assert_true(jump < 0.25 * 2 * M_PI * 500 / RATE * 1.1);
    fm_synth_free(s);
}

/* Mod wheel deepens the modulation; expression scales the output. */
static void test_mod_wheel_and_expression(void **state)
{
    FmPatch p = flat_patch(0, 0x3);
    FmSynth *a = synth(1, &p), *b = synth(1, &p);
    assert_true(fm_synth_mod_depth(a) == 1.0);
    assert_true(fm_synth_expression(a) == 1.0);
    midi(b, 0xB0, 1, 127);
    midi(b, 0xB0, 33, 0);
    assert_true(fabs(fm_synth_mod_depth(b) - FM_MOD_WHEEL_MAX_DEPTH) < 1e-6);
    midi(b, 0xB0, 1, 64);
    midi(b, 0xB0, 33, 64); /* 14-bit: the LSB adds a fine step */
    double d = fm_synth_mod_depth(b);
    assert_true(d > 1.5 && d < 1.51);
    AtMidiEvent on = ev(0, 0x90, 69, 127);
    render(a, &on, 1, L, R, 2048, 256);
    render(b, &on, 1, L2, R2, 2048, 256);
    assert_true(max_diff(L, L2, 2048) > 0.05);
    fm_synth_free(b);

    /* expression 0 -> silence after the slew; 64 -> about half */
    midi(a, 0xB0, 11, 0);
    render(a, NULL, 0, L, R, 2048, 256);
    assert_true(peak(L + 1024, 1024) == 0.0);
    midi(a, 0xB0, 11, 64);
    midi(a, 0xB0, 43, 0);
    assert_true(fabs(fm_synth_expression(a) - 64.0 / 127.0) < 1e-6);
    fm_synth_free(a);
}

static void test_feedback(void **state)
{
    FmPatch p = flat_patch(11, 0x8);
    FmSynth *a = synth(1, &p);
    p.feedback = 0.8;
    FmSynth *b = synth(1, &p);
    AtMidiEvent on = ev(0, 0x90, 69, 127);
    render(a, &on, 1, L, R, 2048, 256);
    render(b, &on, 1, L2, R2, 2048, 256);
    assert_true(max_diff(L, L2, 2048) > 0.01);
    assert_true(peak(L2, 2048) <= 0.25 + 1e-4); /* feedback bends, never boosts */
    fm_synth_free(a);
    fm_synth_free(b);
}

/* Clock and transport are ignored silently; unknown, malformed and system
 * messages are counted (and logged), and the synth keeps playing. */
static int log_calls;
static void count_log(void *ctx, const char *fmt, int a, int b)
{
    log_calls++;
}

static void test_bad_input(void **state)
{
    FmPatch def;
    fm_patch_default(&def);
    FmSynth *s = synth(16, &def);
    fm_synth_set_logger(s, count_log, NULL);
    midi(s, 0x90, 60, 100);
    uint8_t clock = 0xF8, start = 0xFA, sysex[3] = {0xF0, 0x7E, 0x7F}, trunc[2] = {0x90, 60};
    uint8_t bad[3] = {0x90, 0x80, 0x40}, prog[2] = {0xC0, 5};
    fm_synth_midi(s, &clock, 1);
    fm_synth_midi(s, &start, 1);
    assert_int_equal(fm_synth_ignored(s), 0);
    fm_synth_midi(s, sysex, 3);
    fm_synth_midi(s, trunc, 2);
    fm_synth_midi(s, bad, 3);
    fm_synth_midi(s, prog, 2);
    midi(s, 0xB0, 77, 3);
    assert_int_equal(fm_synth_ignored(s), 5);
    assert_int_equal(log_calls, 5);
    /* a stream of the same unused CC is counted, logged once */
    for (int i = 0; i < 100; i++)
        midi(s, 0xB0, 77, (uint8_t)i);
    assert_int_equal(fm_synth_ignored(s), 105);
    assert_int_equal(log_calls, 5);
    fm_synth_process(s, NULL, 0, L, R, 1024);
    assert_int_equal(fm_synth_active_voices(s), 1);
    assert_true(peak(L, 1024) > 0.0);
    /* events past the end of the period are applied at its last frame */
    AtMidiEvent late = ev(5000, 0xB0, 123, 0);
    fm_synth_process(s, &late, 1, L, R, 256);
    assert_true(L[254] != 0.0f && L[255] == 0.0f);
    fm_synth_free(s);
}

static void test_channel_filter(void **state)
{
    FmPatch def;
    fm_patch_default(&def);
    FmSynth *s = synth(4, &def);
    fm_synth_set_channel(s, 2);
    midi(s, 0x90, 60, 100); /* channel 1 */
    assert_int_equal(fm_synth_active_voices(s), 0);
    midi(s, 0x91, 60, 100); /* channel 2 */
    assert_int_equal(fm_synth_active_voices(s), 1);
    fm_synth_set_channel(s, 0);
    midi(s, 0x9F, 61, 100);
    assert_int_equal(fm_synth_active_voices(s), 2);
    fm_synth_free(s);
}

/* A voice is silent once all its carriers are, even when a modulator's
 * envelope still runs. */
static void test_silent_when_carriers_silent(void **state)
{
    FmPatch p = flat_patch(10, 0x9);
    p.op[0].sustain = 0.0;
    p.op[0].decay = 64.0 / RATE;
    p.op[1].sustain = p.op[2].sustain = 0.0;
    p.op[3].sustain = 1.0; /* the modulator would hold forever */
    FmSynth *s = synth(2, &p);
    midi(s, 0x90, 60, 100);
    fm_synth_process(s, NULL, 0, L, R, 256);
    assert_int_equal(fm_synth_active_voices(s), 0);
    fm_synth_free(s);
}

static void test_polyphony_swap_keeps_notes(void **state)
{
    FmPatch def;
    fm_patch_default(&def);
    FmSynth *s = synth(4, &def);
    midi(s, 0x90, 60, 100);
    midi(s, 0x90, 64, 100);
    fm_synth_process(s, NULL, 0, L, R, 256);
    FmVoiceSet *big = fm_voice_set_new(32);
    assert_non_null(big);
    FmVoiceSet *old = fm_synth_swap_voices(s, big);
    assert_non_null(old);
    fm_voice_set_free(old);
    assert_int_equal(fm_synth_polyphony(s), 32);
    assert_int_equal(fm_synth_active_voices(s), 2);
    fm_synth_process(s, NULL, 0, L, R, 256);
    assert_true(peak(L, 256) > 0.0);
    FmVoiceSet *one = fm_voice_set_new(1);
    fm_voice_set_free(fm_synth_swap_voices(s, one));
    assert_int_equal(fm_synth_active_voices(s), 1);
    assert_null(fm_voice_set_new(0));
    assert_null(fm_voice_set_new(FM_MAX_POLYPHONY + 1));
    fm_synth_free(s);
}

/* A polyphony change moves pans and the mix gain (1/min(P, 8)): they
 * glide over a block instead of stepping (no click). */
static double max_step(const float *x, size_t from, size_t to)
{
    double m = 0.0;
    for (size_t i = from; i < to; i++)
        m = fmax(m, fabs((double)x[i] - x[i - 1]));
    return m;
}

static void test_polyphony_swap_no_click(void **state)
{
    FmPatch p = flat_patch(11, 1);
    for (int when = 0; when < 8; when++) {
        FmSynth *s = synth(2, &p);
        midi(s, 0x90, 69, 127);
        fm_synth_process(s, NULL, 0, L, R, (uint32_t)(256 + 7 * when) & ~31u);
        float last = L[((256 + 7 * when) & ~31) - 1];
        fm_voice_set_free(fm_synth_swap_voices(s, fm_voice_set_new(3)));
        fm_synth_process(s, NULL, 0, L, R, 64);
        /* sine slope bound 0.25 * 2 pi 440 / 48000 = 0.0144, plus the glide
         * of the gain from 1/2 to 1/3 over 32 frames */
        double step = fmax(fabs(L[0] - last), max_step(L, 1, 64));
        assert_true(step < 0.0144 + 0.5 * (0.5 - 1.0 / 3) / 32 + 1e-4);
        /* then the new gain: hard left at 1/3 */
        fm_synth_process(s, NULL, 0, L, R, 512);
        assert_true(fabs(peak(L, 512) - 0.5 / 3) < 1e-3);
        fm_synth_free(s);
    }
}

/* One note (A4) from frame 0 under patch `from` into L and under `to` into
 * L2, and into C under `from` with a switch to `to` at frame `at` (other
 * period splits before and after the switch). */
static float C[MAXF], CR[MAXF];
static void change_midway(const FmPatch *from, const FmPatch *to, uint32_t at, uint32_t total)
{
    FmSynth *a = synth(1, from), *b = synth(1, to), *c = synth(1, from);
    AtMidiEvent on = ev(0, 0x90, 69, 127);
    render(a, &on, 1, L, R, total, 256);
    render(b, &on, 1, L2, R2, total, 256);
    render(c, &on, 1, C, CR, at, 100);
    fm_synth_set_patch(c, to);
    render(c, NULL, 0, C + at, CR + at, total - at, 77);
    fm_synth_free(a);
    fm_synth_free(b);
    fm_synth_free(c);
}

/* A wave change while a note sounds crossfades over 5 ms (240 frames at
 * 48 kHz) from the old wave to the new: the output is exactly the old
 * wave's output before the change, the mix of both with the new wave's
 * weight (k + 1) / 240 at frame k of the fade, and the new wave's after.
 * An instant switch would step by the difference of the two waves. */
static void test_wave_change_crossfades(void **state)
{
    (void)state;
    const uint32_t at = 1025, fade = 240, total = 1700; /* at: phase 0.4 */
    FmPatch pa = flat_patch(11, 1), pb = pa;
    pb.op[0].wave = FM_WAVE_SQUARE;
    change_midway(&pa, &pb, at, total);
    assert_true(fabs(L2[at] - L[at]) > 0.1); /* what an instant switch would step */
    assert_true(max_diff(C, L, at) == 0.0);
    for (uint32_t k = 0; k < fade; k++) {
        double w = (k + 1.0) / fade;
        double want = L[at + k] + w * (L2[at + k] - L[at + k]);
        assert_true(fabs(C[at + k] - want) < 1e-5);
    }
    assert_true(max_diff(C + at + fade, L2 + at + fade, total - at - fade) == 0.0);
    assert_true(fabs(C[at] - C[at - 1]) < 0.02);

    /* Operator 4 with feedback (its own rendering path) fades too: no step
     * larger than the two waves' own steepest steps over the same frames. */
    pa = flat_patch(11, 0x8);
    pa.feedback = 0.3;
    pa.op[3].ratio = 0.5; /* 220 Hz */
    pb = pa;
    pb.op[3].wave = FM_WAVE_SAW;
    FmSynth *a = synth(1, &pa), *b = synth(1, &pb);
    AtMidiEvent on = ev(0, 0x90, 69, 127);
    render(a, &on, 1, L, R, total, 256);
    render(b, &on, 1, L2, R2, total, 256);
    fm_synth_free(a);
    fm_synth_free(b);
    uint32_t sw = 1000; /* where an instant switch would step the most */
    for (uint32_t f = 1000; f < 1300; f++)
        if (fabs(L2[f] - L[f - 1]) > fabs(L2[sw] - L[sw - 1]))
            sw = f;
    change_midway(&pa, &pb, sw, total);
    assert_true(max_diff(C, L, sw) == 0.0);
    double own = fmax(max_step(L, sw, sw + fade), max_step(L2, sw, sw + fade));
    assert_true(fabs(L2[sw] - L[sw - 1]) > 2.0 * own); /* an instant switch: a step */
    assert_true(max_step(C, sw, sw + fade) <= 1.2 * own);
}

/* A ratio change while a note sounds retunes the operator at the next
 * grid block (FM_BLOCK frames): the output is exactly the old patch's
 * before the change, and at the new frequency from the next block on
 * (a synth that skipped the retune would go on at the old one). */
static void test_ratio_change_retunes(void **state)
{
    (void)state;
    const uint32_t at = 1030, total = 4000;
    FmPatch pa = flat_patch(11, 1), pb = pa;
    pb.op[0].ratio = 2.0;
    change_midway(&pa, &pb, at, total);
    assert_true(max_diff(C, L, at) == 0.0);
    const uint32_t next = (at / FM_BLOCK + 1) * FM_BLOCK;
    assert_true(fabs(frequency(C, at) - 440.0) < 1.0);
    assert_true(fabs(frequency(C + next, total - next) - 880.0) < 1.0);
    assert_true(fabs(frequency(L2, total) - 880.0) < 1.0);
}

/* An operator level change ramps linearly to the new level over 5 ms:
 * the output is the old level's output scaled by ramp / old level, and
 * the new level's output once the ramp is done; a second change during
 * a ramp starts from the level of that moment. */
static void test_level_change_ramps(void **state)
{
    (void)state;
    const uint32_t at = 1025, fade = 240, total = 1700;
    FmPatch pa = flat_patch(11, 1), pb = pa;
    pb.op[0].level = 0.25;
    change_midway(&pa, &pb, at, total);
    assert_true(max_diff(C, L, at) == 0.0);
    for (uint32_t k = 0; k < fade; k++) {
        double lvl = 0.5 + (0.25 - 0.5) * (k + 1.0) / fade;
        assert_true(fabs(C[at + k] - L[at + k] * lvl / 0.5) < 1e-6);
    }
    assert_true(max_diff(C + at + fade, L2 + at + fade, total - at - fade) == 0.0);
    /* Half-way through a ramp to 1.0, back to 0.5: from 0.75, not from 0.5. */
    FmSynth *d = synth(1, &pa);
    AtMidiEvent on = ev(0, 0x90, 69, 127);
    FmPatch pc = pa;
    pc.op[0].level = 1.0;
    render(d, &on, 1, C, CR, at, 100);
    fm_synth_set_patch(d, &pc);
    render(d, NULL, 0, C + at, CR + at, fade / 2, 100);
    fm_synth_set_patch(d, &pa);
    render(d, NULL, 0, C + at + fade / 2, CR + at + fade / 2, fade, 100);
    for (uint32_t k = 0; k < fade; k++) {
        double lvl = 0.75 + (0.5 - 0.75) * (k + 1.0) / fade;
        uint32_t f = at + fade / 2 + k;
        assert_true(fabs(C[f] - L[f] * lvl / 0.5) < 1e-6);
    }
    fm_synth_free(d);
}

/* An algorithm change crossfades each voice from the old routing's output
 * to the new one's over 5 ms: exactly the mix, with the same envelopes. */
static void test_algorithm_change_crossfades(void **state)
{
    (void)state;
    const uint32_t at = 1025, fade = 240, total = 1700;
    FmPatch pa = flat_patch(11, 0xF), pb = pa; /* four carriers */
    pb.algorithm = 0;                          /* 4 -> 3 -> 2 -> 1 */
    change_midway(&pa, &pb, at, total);
    assert_true(max_diff(C, L, at) == 0.0);
    double jump = 0.0;
    for (uint32_t k = 0; k < fade; k++) {
        double w = (k + 1.0) / fade;
        double want = L[at + k] + w * (L2[at + k] - L[at + k]);
        assert_true(fabs(C[at + k] - want) < 1e-5);
        jump = fmax(jump, fabs(L2[at + k] - L[at + k]));
    }
    assert_true(jump > 0.1); /* the two routings sound different */
    assert_true(max_diff(C + at + fade, L2 + at + fade, total - at - fade) == 0.0);
}

/* Random patch changes (waves, levels, algorithms, feedback) on a sounding
 * chord, at the same frames but rendered in other period splits: the same
 * bits (the fades go by frame number), always finite. */
static uint32_t xs = 2463534242u;
static uint32_t rnd(uint32_t n)
{
    xs ^= xs << 13;
    xs ^= xs >> 17;
    xs ^= xs << 5;
    return xs % n;
}

static void render_with_changes(FmSynth *s, const FmPatch *pt, const uint32_t *when, int n_ch,
                                float *l, float *r, uint32_t frames, uint32_t period)
{
    AtMidiEvent chord[3] = {ev(0, 0x90, 57, 100), ev(0, 0x90, 64, 90), ev(0, 0x90, 69, 80)};
    render(s, chord, 3, l, r, when[0], period);
    for (int k = 0; k < n_ch; k++) {
        fm_synth_set_patch(s, &pt[k]);
        uint32_t end = k + 1 < n_ch ? when[k + 1] : frames;
        render(s, NULL, 0, l + when[k], r + when[k], end - when[k], period);
    }
}

static void test_patch_changes_period_independent(void **state)
{
    (void)state;
    enum { N = 60 };
    FmPatch pt[N];
    uint32_t when[N];
    uint32_t f = 300;
    for (int k = 0; k < N; k++) {
        pt[k] = flat_patch((int)rnd(FM_ALGORITHMS), 0xF);
        for (int op = 0; op < FM_OPS; op++) {
            pt[k].op[op].wave = (FmWave)rnd(FM_WAVE_COUNT);
            pt[k].op[op].level = rnd(5) * 0.25;
        }
        pt[k].feedback = rnd(4) * 0.25;
        when[k] = f;
        f += 1 + rnd(400); /* some changes come in the middle of a fade */
    }
    const uint32_t frames = f + 2000;
    assert_true(frames <= MAXF);
    FmPatch start = flat_patch(11, 0xF);
    FmSynth *a = synth(8, &start), *b = synth(8, &start), *c = synth(8, &start);
    render_with_changes(a, pt, when, N, L, R, frames, 1024);
    render_with_changes(b, pt, when, N, L2, R2, frames, 37);
    assert_memory_equal(L, L2, frames * sizeof(float));
    render_with_changes(c, pt, when, N, L2, R2, frames, 5);
    assert_memory_equal(L, L2, frames * sizeof(float));
    assert_memory_equal(R, R2, frames * sizeof(float));
    for (uint32_t i = 0; i < frames; i++)
        assert_true(isfinite(L[i]) && isfinite(R[i]));
    assert_true(peak(L, frames) > 0.01);
    fm_synth_free(a);
    fm_synth_free(b);
    fm_synth_free(c);
}

/* Every SIMD path this CPU has gives the same bits, at every period: a
 * song-like stream (40 voices, more than a lane group of every path;
 * notes with decays and releases ending inside blocks, pitch bends, the
 * pedal, mod wheel, expression) and then patch changes (waves, levels,
 * algorithms, feedback) with their fades, against the baseline path at
 * 1024-frame periods. */
static float SL[MAXF], SR[MAXF];
static void render_stream(FmSimd path, uint32_t period, float *l, float *r, uint32_t frames)
{
    FmPatch p;
    fm_patch_default(&p);
    p.feedback = 0.4;
    p.algorithm = 8; /* 4 -> 1, 2, 3 */
    FmSynth *s = synth(40, &p);
    assert_int_equal(fm_synth_set_simd(s, path), FM_OK);
    assert_int_equal(fm_synth_simd(s), path);
    xs = 88172645u;
    enum { NEV = 400 };
    static AtMidiEvent evs[NEV];
    uint32_t f = 0;
    for (int k = 0; k < NEV; k++) {
        f += rnd(frames / 2 / NEV * 2);
        switch (rnd(10)) {
        case 0:
            evs[k] = ev(f, 0xE0, (uint8_t)rnd(128), (uint8_t)rnd(128));
            break;
        case 1:
            evs[k] = ev(f, 0xB0, 64, rnd(2) ? 127 : 0);
            break;
        case 2:
            evs[k] = ev(f, 0xB0, rnd(2) ? 1 : 11, (uint8_t)rnd(128));
            break;
        case 3:
        case 4:
            evs[k] = ev(f, 0x80, (uint8_t)(36 + rnd(48)), 0);
            break;
        default:
            evs[k] = ev(f, 0x90, (uint8_t)(36 + rnd(48)), (uint8_t)(1 + rnd(127)));
        }
    }
    const uint32_t half = frames / 2;
    render(s, evs, NEV, l, r, half, period);
    /* patch changes every 700 frames: fades run into each other */
    for (uint32_t at = half; at < frames; at += 700) {
        FmPatch q = *fm_synth_patch(s);
        q.algorithm = (int)rnd(FM_ALGORITHMS);
        q.feedback = rnd(3) * 0.3;
        for (int op = 0; op < FM_OPS; op++) {
            q.op[op].wave = (FmWave)rnd(FM_WAVE_COUNT);
            q.op[op].level = 0.1 + rnd(4) * 0.2;
            q.op[op].sustain = rnd(3) * 0.4;
        }
        fm_synth_set_patch(s, &q);
        uint32_t n = frames - at < 700 ? frames - at : 700;
        render(s, NULL, 0, l + at, r + at, n, period);
    }
    fm_synth_free(s);
}

static void test_simd_paths_same_bits(void **state)
{
    (void)state;
    const uint32_t frames = RATE * 3 / 2;
    static const uint32_t periods[] = {1024, 64, 37, 5};
    render_stream(FM_SIMD_BASE, 1024, L, R, frames);
    for (uint32_t i = 0; i < frames; i++)
        assert_true(isfinite(L[i]) && isfinite(R[i]));
    assert_true(peak(L, frames / 2) > 0.05 && peak(R + frames / 2, frames / 2) > 0.01);
    int paths = 0;
    for (int p = 0; p < FM_SIMD_COUNT; p++) {
        if (!fm_simd_supported((FmSimd)p)) {
            print_message("SIMD path %s: not supported here, not tested\n",
                          fm_simd_name((FmSimd)p));
            continue;
        }
        paths++;
        for (size_t k = 0; k < sizeof periods / sizeof *periods; k++) {
            memset(SL, 0xFF, frames * sizeof(float));
            render_stream((FmSimd)p, periods[k], SL, SR, frames);
            assert_memory_equal(L, SL, frames * sizeof(float));
            assert_memory_equal(R, SR, frames * sizeof(float));
        }
    }
    assert_true(paths >= 1);
    /* the path picked for new synths is one of them; others are refused */
    FmSynth *s = synth(4, NULL);
    assert_int_equal(fm_synth_simd(s), fm_simd_best());
    assert_true(fm_simd_supported(fm_simd_best()));
    assert_int_equal(fm_synth_set_simd(s, FM_SIMD_COUNT), FM_ERR_ARG);
    assert_int_equal(fm_synth_set_simd(s, (FmSimd)-1), FM_ERR_ARG);
    assert_string_equal(fm_simd_name(FM_SIMD_AVX512), "avx512");
    assert_string_equal(fm_simd_name(FM_SIMD_COUNT), "?");
    fm_synth_free(s);
}

static void test_bad_arguments(void **state)
{
    FmSynth *s = NULL;
    FmPatch p;
    fm_patch_default(&p);
    assert_int_equal(fm_synth_new(&s, RATE, 0, &p), FM_ERR_ARG);
    p.algorithm = 12;
    assert_int_equal(fm_synth_new(&s, RATE, 4, &p), FM_ERR_ARG);
    fm_patch_default(&p);
    p.op[2].sustain = NAN;
    assert_int_equal(fm_synth_new(&s, RATE, 4, &p), FM_ERR_ARG);
    assert_null(s);
    assert_int_equal(fm_synth_new(&s, RATE, 4, NULL), FM_OK);
    p.algorithm = -1;
    fm_synth_set_patch(s, &p); /* refused: the patch stays valid */
    assert_int_equal(fm_synth_patch(s)->algorithm, 10);
    fm_synth_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_patch),
        cmocka_unit_test(test_wave_tables),
        cmocka_unit_test(test_algorithm_single_operator),
        cmocka_unit_test(test_algorithm_routing),
        cmocka_unit_test(test_modulation_depth),
        cmocka_unit_test(test_envelope_adsr),
        cmocka_unit_test(test_envelope_zero_sustain_finishes),
        cmocka_unit_test(test_envelope_release_in_attack_and_restart),
        cmocka_unit_test(test_frame_accurate_onset),
        cmocka_unit_test(test_period_independence),
        cmocka_unit_test(test_allocation_order_and_stealing),
        cmocka_unit_test(test_note_off_releases_all_voices_of_note),
        cmocka_unit_test(test_sustain_pedal),
        cmocka_unit_test(test_all_notes_off),
        cmocka_unit_test(test_velocity),
        cmocka_unit_test(test_pan_and_mix),
        cmocka_unit_test(test_pitch_bend_range_and_glide),
        cmocka_unit_test(test_mod_wheel_and_expression),
        cmocka_unit_test(test_feedback),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_channel_filter),
        cmocka_unit_test(test_silent_when_carriers_silent),
        cmocka_unit_test(test_polyphony_swap_keeps_notes),
        cmocka_unit_test(test_polyphony_swap_no_click),
        cmocka_unit_test(test_wave_change_crossfades),
        cmocka_unit_test(test_ratio_change_retunes),
        cmocka_unit_test(test_level_change_ramps),
        cmocka_unit_test(test_algorithm_change_crossfades),
        cmocka_unit_test(test_patch_changes_period_independent),
        cmocka_unit_test(test_simd_paths_same_bits),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
