/* test_fmsynth_edges.c - fmsynth rules at their edges (docs/fmsynth.md),
 * written where mutation testing (make mutate,
 * docs/mutation.md) showed that test_fmsynth.c let a changed rule pass:
 * the algorithm table as data, the limits of every patch value and of
 * the sample rate, expression as output level, one log line per kind of
 * ignored system message, and operator 4's wave crossfade with feedback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "clients/fmsynth/fmsynth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000
#define N 4096

static float L[N], R[N], L2[N], R2[N], C[N], CR[N];

static FmPatch flat_patch(int alg, unsigned audible)
{
    FmPatch p;
    fm_patch_default(&p);
    p.algorithm = alg;
    for (int op = 0; op < FM_OPS; op++)
        p.op[op] = (FmOpPatch){
            FM_WAVE_SINE, 1.0 + 0.37 * op, 0.0, 0.0, 1.0, 0.0, (audible >> op & 1) ? 0.5 : 0.0};
    return p;
}

static FmSynth *synth(const FmPatch *p)
{
    FmSynth *s = NULL;
    assert_int_equal(fm_synth_new(&s, RATE, 1, p), FM_OK);
    return s;
}

static void note_on(FmSynth *s)
{
    const uint8_t on[3] = {0x90, 69, 127};
    fm_synth_midi(s, on, 3);
}

/* ---- the algorithm table of docs/fmsynth.md, as data ----------------------------- */

static void algorithm_table(void **state)
{
    (void)state;
    /* carriers and the modulators of each operator (bit k = op k + 1) */
    static const unsigned carriers[12] = {1, 1, 1, 1, 1, 3, 3, 3, 7, 7, 7, 15};
    static const unsigned mods[12][4] = {
        {2, 4, 8, 0},         /* 0: 4 -> 3 -> 2 -> 1 */
        {2, 12, 0, 0},        /* 1: (3 + 4) -> 2 -> 1 */
        {2 | 8, 4, 0, 0},     /* 2: 3 -> 2, (2 + 4) -> 1 */
        {2 | 4, 8, 8, 0},     /* 3: 4 -> 2, 4 -> 3, (2 + 3) -> 1 */
        {2 | 4 | 8, 0, 0, 0}, /* 4: (2 + 3 + 4) -> 1 */
        {0, 4, 8, 0},         /* 5: 4 -> 3 -> 2; carriers 1 + 2 */
        {4, 4, 8, 0},         /* 6: 4 -> 3; 3 -> 1 and 3 -> 2 */
        {4, 8, 0, 0},         /* 7: 3 -> 1, 4 -> 2 */
        {8, 8, 8, 0},         /* 8: 4 -> 1, 2, 3 */
        {0, 8, 8, 0},         /* 9: 4 -> 2, 4 -> 3 */
        {0, 0, 8, 0},         /* 10: 4 -> 3 */
        {0, 0, 0, 0},         /* 11: no modulation */
    };
    for (int alg = 0; alg < 12; alg++) {
        assert_int_equal(fm_algorithm_carriers(alg), carriers[alg]);
        for (int op = 0; op < FM_OPS; op++)
            if (fm_algorithm_modulators(alg, op) != mods[alg][op])
                fail_msg("algorithm %d op %d: modulators %x, want %x", alg, op + 1,
                         fm_algorithm_modulators(alg, op), mods[alg][op]);
    }
}

/* ---- limits of a patch and of the rate ---------------------------------- */

static bool accepted(const FmPatch *p, uint32_t rate, int poly)
{
    FmSynth *s = NULL;
    FmStatus st = fm_synth_new(&s, rate, poly, p);
    fm_synth_free(s);
    assert_true(st == FM_OK || st == FM_ERR_ARG);
    return st == FM_OK;
}

/* Field f of o set to v: 0 ratio, 1 attack, 2 decay, 3 sustain, 4
 * release, 5 level, any other the wave. */
static void set_op_field(FmOpPatch *o, int f, double v)
{
    double *const numbers[] = {&o->ratio,   &o->attack,  &o->decay,
                               &o->sustain, &o->release, &o->level};
    if (f >= 0 && f < (int)(sizeof numbers / sizeof numbers[0]))
        *numbers[f] = v;
    else
        o->wave = (FmWave)(int)v;
}

/* One patch-wide field of p set to v. */
typedef void SetPatch(FmPatch *p, double v);

static void set_algorithm(FmPatch *p, double v)
{
    p->algorithm = (int)v;
}

static void set_feedback(FmPatch *p, double v)
{
    p->feedback = v;
}

static void set_volume(FmPatch *p, double v)
{
    p->volume = v;
}

/* def with set(top) is accepted; with set(above) or set(below) refused. */
static void expect_range(const FmPatch *def, SetPatch *set, double top, double above, double below)
{
    FmPatch p = *def;
    set(&p, top);
    assert_true(accepted(&p, RATE, 1));
    set(&p, above);
    assert_false(accepted(&p, RATE, 1));
    set(&p, below);
    assert_false(accepted(&p, RATE, 1));
}

static void patch_limits_for_every_operator(void **state)
{
    (void)state;
    FmPatch def;
    fm_patch_default(&def);
    assert_true(accepted(&def, RATE, 16));
    assert_true(accepted(NULL, RATE, 16)); /* no patch: the default one */
    for (int op = 0; op < FM_OPS; op++) {
        struct {
            int field; /* 0 ratio 1 attack 2 decay 3 sustain 4 release 5 level 6 wave */
            double v;
            bool ok;
        } cases[] = {
            {0, 0.0, true},
            {0, 64.0, true},
            {0, 64.01, false},
            {0, -0.01, false},
            {0, NAN, false},
            {1, 0.0, true},
            {1, -0.001, false},
            {1, NAN, false},
            {2, 0.0, true},
            {2, -1.0, false},
            {3, 0.0, true},
            {3, 1.0, true},
            {3, -0.01, false},
            {3, 1.01, false},
            {4, 0.0, true},
            {4, -0.5, false},
            {5, 0.0, true},
            {5, 16.0, true},
            {5, 16.5, false},
            {5, -0.1, false},
            {6, FM_WAVE_COUNT - 1, true},
            {6, FM_WAVE_COUNT, false},
            {6, -1, false},
        };
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            FmPatch p = def;
            double v = cases[k].v;
            set_op_field(&p.op[op], cases[k].field, v);
            if (accepted(&p, RATE, 4) != cases[k].ok)
                fail_msg("op %d case %zu (field %d value %g): accepted %d", op + 1, k,
                         cases[k].field, v, !cases[k].ok);
        }
    }
    expect_range(&def, set_algorithm, 11, 12, -1);
    expect_range(&def, set_feedback, 1.0, 1.01, -0.01);
    expect_range(&def, set_volume, 16.0, 16.01, -0.01);
}

static void rate_and_polyphony_limits(void **state)
{
    (void)state;
    assert_true(accepted(NULL, 1000, 1));
    assert_false(accepted(NULL, 999, 1));
    assert_true(accepted(NULL, 768000, 1));
    assert_false(accepted(NULL, 768001, 1));
    assert_true(accepted(NULL, RATE, FM_MAX_POLYPHONY));
    assert_false(accepted(NULL, RATE, FM_MAX_POLYPHONY + 1));
    assert_false(accepted(NULL, RATE, 0));
}

/* ---- expression is the output level ------------------------------------- */

static void expression_scales_the_output(void **state)
{
    (void)state;
    /* A steady sine (op 1 alone, flat envelope): with expression 64 (MSB
     * only) the output is 64/127 of the full-level output, once the 5 ms
     * slew is over; 0 is silence. */
    FmPatch p = flat_patch(11, 1);
    FmSynth *a = synth(&p), *b = synth(&p);
    const uint8_t half[3] = {0xB0, 11, 64};
    fm_synth_midi(b, half, 3);
    note_on(a);
    note_on(b);
    fm_synth_process(a, NULL, 0, L, R, N);
    fm_synth_process(b, NULL, 0, L2, R2, N);
    double k = 64.0 / 127.0;
    for (int i = 2048; i < N; i++) {
        assert_true(fabs(L2[i] - k * L[i]) < 1e-5);
        assert_true(fabs(R2[i] - k * R[i]) < 1e-5);
    }
    /* and with the LSB: (64 * 128 + 64) / (127 * 128) */
    const uint8_t lsb[3] = {0xB0, 43, 64};
    fm_synth_midi(b, lsb, 3);
    fm_synth_process(a, NULL, 0, L, R, N);
    fm_synth_process(b, NULL, 0, L2, R2, N);
    k = (64.0 * 128 + 64) / (127.0 * 128);
    for (int i = 2048; i < N; i++)
        assert_true(fabs(L2[i] - k * L[i]) < 1e-5);
    fm_synth_free(a);
    fm_synth_free(b);
}

/* ---- ignored system messages: one log line per kind -------------------- */

static int log_calls;
static void count_log(void *ctx, const char *fmt, int a, int b)
{
    (void)ctx;
    (void)fmt;
    (void)a;
    (void)b;
    log_calls++;
}

static void each_kind_of_system_message_is_logged_once(void **state)
{
    (void)state;
    FmSynth *s = synth(NULL);
    fm_synth_set_logger(s, count_log, NULL);
    log_calls = 0;
    const uint8_t mtc[2] = {0xF1, 0x10}, spp[3] = {0xF2, 1, 2}, sel[2] = {0xF3, 4},
                  tune[1] = {0xF6};
    for (int round = 0; round < 3; round++) {
        fm_synth_midi(s, mtc, 2);
        fm_synth_midi(s, spp, 3);
        fm_synth_midi(s, sel, 2);
        fm_synth_midi(s, tune, 1);
    }
    assert_int_equal(fm_synth_ignored(s), 12);
    assert_int_equal(log_calls, 4);
    /* a truncated song position is counted; its kind was logged already */
    fm_synth_midi(s, spp, 2);
    assert_int_equal(fm_synth_ignored(s), 13);
    assert_int_equal(log_calls, 4);
    /* two unused CCs: one line each, however often they come */
    const uint8_t cc7[3] = {0xB0, 7, 1}, cc8[3] = {0xB0, 8, 1};
    for (int round = 0; round < 3; round++) {
        fm_synth_midi(s, cc7, 3);
        fm_synth_midi(s, cc8, 3);
    }
    assert_int_equal(log_calls, 6);
    fm_synth_free(s);
}

/* ---- operator 4's wave crossfade with feedback ------------------------------ */

static void feedback_operator_wave_crossfade_is_the_mix(void **state)
{
    (void)state;
    /* Op 4 alone with a feedback too small to hear (it keeps op 4 on its
     * own rendering path): a wave change mid-note gives exactly the mix of
     * the old wave's output and the new one's, the new wave's weight
     * growing (k + 1) / 240 over the 5 ms fade (as for the other
     * operators, test_fmsynth's test_wave_change_crossfades). */
    const uint32_t at = 1025, fade = 240, total = 1700;
    FmPatch pa = flat_patch(11, 0x8);
    pa.feedback = 1e-7;
    pa.op[3].wave = FM_WAVE_SAW;
    FmPatch pb = pa;
    pb.op[3].wave = FM_WAVE_SINE12;
    FmSynth *a = synth(&pa), *b = synth(&pb), *c = synth(&pa);
    note_on(a);
    note_on(b);
    note_on(c);
    fm_synth_process(a, NULL, 0, L, R, total);
    fm_synth_process(b, NULL, 0, L2, R2, total);
    fm_synth_process(c, NULL, 0, C, CR, at);
    fm_synth_set_patch(c, &pb);
    fm_synth_process(c, NULL, 0, C + at, CR + at, total - at);
    for (uint32_t k = 0; k < at; k++)
        assert_true(C[k] == L[k]);
    assert_true(fabs(L2[at] - L[at]) > 0.05); /* the two waves differ */
    for (uint32_t k = 0; k < fade; k++) {
        double w = (k + 1.0) / fade;
        double want = L[at + k] + w * (L2[at + k] - L[at + k]);
        if (fabs(C[at + k] - want) > 2e-5)
            fail_msg("frame %u of the fade: %g, want %g", k, C[at + k], want);
    }
    for (uint32_t k = at + fade; k < total; k++)
        assert_true(fabs(C[k] - L2[k]) < 2e-5);
    fm_synth_free(a);
    fm_synth_free(b);
    fm_synth_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(algorithm_table),
        cmocka_unit_test(patch_limits_for_every_operator),
        cmocka_unit_test(rate_and_polyphony_limits),
        cmocka_unit_test(expression_scales_the_output),
        cmocka_unit_test(each_kind_of_system_message_is_logged_once),
        cmocka_unit_test(feedback_operator_wave_crossfade_is_the_mix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
