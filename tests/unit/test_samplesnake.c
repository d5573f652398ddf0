/* Unit tests for samplesnake's pure core: plan order, naming, sanitising,
 * thresholds, the frame-driven state machine, instrument files, writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clients/samplesnake/instrument.h"
#include "clients/samplesnake/machine.h"
#include "clients/samplesnake/plan.h"
#include "clients/samplesnake/ssparams.h"
#include "clients/samplesnake/writer.h"
#include "midi.h"
#include "rand.h"
#include "samplesnake_config.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- plan and names ---------------------------------------------------- */

static void build(SnPlan *plan, const char *prefix, const char *notes, const int *oct, size_t no,
                  const int *vel, size_t nv, int rr)
{
    SnPlanSpec spec = {prefix, notes, oct, no, vel, nv, rr};
    char err[256] = "";
    assert_int_equal(sn_plan_build(&spec, plan, err, sizeof err), AT_OK);
}

static void test_plan_order(void **state)
{
    (void)state;
    /* Notes in listed order (E before C), octaves and velocities ascending
     * whatever their order in the config, round robins innermost. */
    const int oct[] = {4, 2};
    const int vel[] = {127, 64};
    SnPlan plan;
    build(&plan, "pad", "E, C", oct, 2, vel, 2, 2);
    assert_int_equal(plan.count, 2 * 2 * 2 * 2);
    const int pcs[] = {4, 0};
    const int octs[] = {2, 4};
    const int vels[] = {64, 127};
    size_t k = 0;
    for (int p = 0; p < 2; p++) {
        for (int o = 0; o < 2; o++) {
            for (int v = 0; v < 2; v++) {
                for (int rr = 1; rr <= 2; rr++, k++) {
                    const SnTake *t = &plan.takes[k];
                    assert_int_equal(t->note, (octs[o] + 1) * 12 + pcs[p]);
                    assert_int_equal(t->velocity, vels[v]);
                    assert_int_equal(t->rr, rr);
                    assert_int_equal(t->rr_count, 2);
                    assert_false(t->skip);
                }
            }
        }
    }
    assert_string_equal(plan.takes[0].name, "pad-E2-v64-rr1");
    assert_string_equal(plan.takes[15].name, "pad-C4-v127-rr2");
    assert_int_equal(sn_plan_pending(&plan), 16);
    sn_plan_free(&plan);
}

static void test_names(void **state)
{
    (void)state;
    char name[SN_NAME_MAX];
    sn_take_name("handpan", 49, 127, 1, 1, name, sizeof name);
    assert_string_equal(name, "handpan-C#3-v127");
    sn_take_name("", 49, 127, 1, 1, name, sizeof name);
    assert_string_equal(name, "C#3-v127");
    sn_take_name(NULL, 60, 5, 1, 1, name, sizeof name);
    assert_string_equal(name, "C4-v5");
    sn_take_name("kit", 0, 100, 3, 4, name, sizeof name);
    assert_string_equal(name, "kit-C-1-v100-rr3");
    /* Flats are named with sharps, one name per note. */
    const int oct[] = {3};
    const int vel[] = {127};
    SnPlan plan;
    build(&plan, "x", "Db", oct, 1, vel, 1, 1);
    assert_string_equal(plan.takes[0].name, "x-C#3-v127");
    assert_int_equal(plan.takes[0].note, 49);
    sn_plan_free(&plan);
}

/* The longest prefix allowed still leaves every take its own name, with
 * its note, velocity and round robin (the longest suffix: note -1, v127,
 * rr64); one byte more is refused, so no take can overwrite another. */
static void test_plan_long_prefix(void **state)
{
    (void)state;
    char prefix[SN_PREFIX_MAX + 2];
    memset(prefix, 'p', SN_PREFIX_MAX);
    prefix[SN_PREFIX_MAX] = '\0';
    const int oct[] = {-1, 9};
    int vel[127];
    for (int i = 0; i < 127; i++)
        vel[i] = i + 1;
    SnPlan plan;
    build(&plan, prefix, "C#, G", oct, 2, vel, 127, SN_RR_MAX);
    for (size_t i = 0; i < plan.count; i++) {
        const char *suffix = plan.takes[i].name + SN_PREFIX_MAX;
        char want[32];
        char note[8];
        at_midi_note_name(plan.takes[i].note, note, sizeof note);
        snprintf(want, sizeof want, "-%s-v%d-rr%d", note, plan.takes[i].velocity, plan.takes[i].rr);
        assert_string_equal(suffix, want);
        if (i > 0)
            assert_string_not_equal(plan.takes[i].name, plan.takes[i - 1].name);
    }
    sn_plan_free(&plan);
    prefix[SN_PREFIX_MAX] = 'p';
    prefix[SN_PREFIX_MAX + 1] = '\0';
    SnPlanSpec spec = {prefix, "C", oct, 1, vel, 1, 1};
    char err[256] = "";
    assert_int_equal(sn_plan_build(&spec, &plan, err, sizeof err), AT_ERR_USAGE);
    assert_null(plan.takes);
    assert_non_null(strstr(err, "prefix is 97 bytes long: at most 96"));
}

static void expect_plan_error(const char *notes, const int *oct, size_t no, const int *vel,
                              size_t nv, int rr, const char *needle)
{
    SnPlanSpec spec = {"p", notes, oct, no, vel, nv, rr};
    SnPlan plan;
    char err[256] = "";
    assert_int_equal(sn_plan_build(&spec, &plan, err, sizeof err), AT_ERR_USAGE);
    assert_null(plan.takes);
    if (!strstr(err, needle))
        fail_msg("error '%s' does not mention '%s'", err, needle);
}

static void test_plan_errors(void **state)
{
    (void)state;
    const int oct[] = {2, 3};
    const int vel[] = {127};
    expect_plan_error("C, H", oct, 2, vel, 1, 1, "'H'");
    expect_plan_error("", oct, 2, vel, 1, 1, "no notes");
    expect_plan_error(" , ,", oct, 2, vel, 1, 1, "no notes");
    expect_plan_error("C, D, C", oct, 2, vel, 1, 1, "twice");
    const int oct_dup[] = {3, 3};
    expect_plan_error("C", oct_dup, 2, vel, 1, 1, "twice");
    expect_plan_error("C", oct, 0, vel, 1, 1, "octaves");
    const int bad_vel[] = {0};
    expect_plan_error("C", oct, 2, bad_vel, 1, 1, "1..127");
    const int big_vel[] = {128};
    expect_plan_error("C", oct, 2, big_vel, 1, 1, "1..127");
    expect_plan_error("C", oct, 2, vel, 1, 0, "round-robins");
    const int high[] = {9};
    expect_plan_error("G#", high, 1, vel, 1, 1, "0..127");
    /* G9 is note 127, the highest: fine. */
    SnPlan plan;
    build(&plan, "p", "G", high, 1, vel, 1, 1);
    assert_int_equal(plan.takes[0].note, 127);
    sn_plan_free(&plan);
}

static void test_parse_notes_values(void **state)
{
    (void)state;
    int pcs[12];
    size_t n;
    char err[128];
    assert_int_equal(sn_parse_notes("C, D#,F  A;Bb", pcs, 12, &n, err, sizeof err), AT_OK);
    assert_int_equal(n, 5);
    const int want[] = {0, 3, 5, 9, 10};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(pcs[i], want[i]);
    assert_int_equal(sn_parse_notes("D#, Eb", pcs, 12, &n, err, sizeof err), AT_ERR_USAGE);
    assert_int_equal(sn_parse_notes("C, D", pcs, 1, &n, err, sizeof err), AT_ERR_USAGE);
    assert_int_equal(sn_parse_notes("C4", pcs, 12, &n, err, sizeof err), AT_ERR_USAGE);
}

/* A sanitised name is one file name: no separator, no "..", no leading
 * '.' or '-', not empty, no control characters. */
static void assert_safe_name(const char *s)
{
    assert_true(s[0] != '\0');
    assert_null(strchr(s, '/'));
    assert_null(strchr(s, '\\'));
    assert_null(strstr(s, ".."));
    assert_true(s[0] != '.' && s[0] != '-');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        assert_true(*p >= 0x20 && *p != 0x7f);
}

static void test_sanitize(void **state)
{
    (void)state;
    char out[SN_NAME_MAX];
    const char *bad[] = {"../../etc/passwd", "..",   ".", "/abs", "a/b\\c",      ".hidden", "-rf",
                         "x\ny\tz",          "....", "",  "a..b", "ok-name_1.2#"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sn_sanitize_name(bad[i], out, sizeof out);
        assert_safe_name(out);
    }
    sn_sanitize_name("ok-name_1.2#", out, sizeof out);
    assert_string_equal(out, "ok-name_1.2#");
    sn_sanitize_name("", out, sizeof out);
    assert_string_equal(out, "sample");
    /* Truncation keeps the terminator inside the buffer. */
    char small[6];
    sn_sanitize_name("abcdefghij", small, sizeof small);
    assert_string_equal(small, "abcde");
    /* A hostile prefix goes through the take name too. */
    sn_take_name("../up", 60, 100, 1, 1, out, sizeof out);
    assert_safe_name(out);
    /* Random bytes. */
    AtRand r;
    at_rand_seed(&r, 42);
    for (int k = 0; k < 2000; k++) {
        char in[40];
        size_t len = at_rand_below(&r, sizeof in);
        for (size_t i = 0; i < len; i++)
            in[i] = (char)(1 + at_rand_below(&r, 255));
        in[len] = '\0';
        sn_sanitize_name(in, out, sizeof out);
        assert_safe_name(out);
    }
}

static void test_threshold(void **state)
{
    (void)state;
    double v;
    bool is_auto;
    assert_true(sn_parse_threshold("auto", &v, &is_auto));
    assert_true(is_auto);
    assert_true(sn_parse_threshold("0.000001", &v, &is_auto));
    assert_false(is_auto);
    assert_true(fabs(v - 1e-6) < 1e-12);
    assert_true(sn_parse_threshold("-60dB", &v, &is_auto));
    assert_true(fabs(v - 1e-3) < 1e-9);
    assert_true(sn_parse_threshold(" -120 dBFS", &v, &is_auto));
    assert_true(fabs(v - 1e-6) < 1e-12);
    assert_false(sn_parse_threshold("loud", &v, &is_auto));
    assert_false(sn_parse_threshold("0", &v, &is_auto));
    assert_false(sn_parse_threshold("1.5", &v, &is_auto));
    assert_false(sn_parse_threshold("3dB", &v, &is_auto));
    assert_false(sn_parse_threshold("0.1x", &v, &is_auto));
    assert_false(sn_parse_threshold("", &v, &is_auto));
}

/* ---- configuration: keys, durations ------------------------------------ */

static AtParams *load_config(const char *text, AtStatus *st, char *err, size_t errlen)
{
    size_t n;
    const AtParamDef *defs = sn_param_table(&n);
    AtParams *p = at_params_new("samplesnake", defs, n);
    assert_non_null(p);
    *st = at_params_load_string(p, text, "test.conf", err, errlen);
    return p;
}

static void test_config_durations(void **state)
{
    (void)state;
    char err[512] = "";
    AtStatus st;
    /* Durations accept 30s, 200ms, 500us or a bare number of seconds. */
    AtParams *p = load_config("sampling = { max-length = \"30s\"; hold = \"200ms\";\n"
                              "cooldown = \"500us\"; wait-for-sound = 2.5; };",
                              &st, err, sizeof err);
    assert_int_equal(st, AT_OK);
    assert_true(fabs(at_params_float(p, "sampling.max-length") - 30.0) < 1e-9);
    assert_true(fabs(at_params_float(p, "sampling.hold") - 0.2) < 1e-9);
    assert_true(fabs(at_params_float(p, "sampling.cooldown") - 0.0005) < 1e-12);
    assert_true(fabs(at_params_float(p, "sampling.wait-for-sound") - 2.5) < 1e-9);
    at_params_free(p);
    p = load_config("sampling = { hold = \"long\"; };", &st, err, sizeof err);
    assert_int_equal(st, AT_ERR_USAGE);
    assert_non_null(strstr(err, "hold"));
    at_params_free(p);
    /* Defaults of docs/config/samplesnake.conf. */
    p = load_config("", &st, err, sizeof err);
    assert_int_equal(st, AT_OK);
    assert_string_equal(at_params_str(p, "sampling.notes"), "C, D, E, F, G, A, B");
    assert_int_equal(at_params_value(p, "sampling.octaves")->count, 4);
    assert_int_equal(at_params_value(p, "sampling.velocities")->ilist[0], 127);
    assert_true(fabs(at_params_float(p, "sampling.hold") - 0.2) < 1e-9);
    assert_int_equal(at_params_int(p, "midi.channel"), 1);
    double thr;
    bool is_auto;
    assert_true(sn_parse_threshold(at_params_str(p, "sampling.silence-threshold"), &thr, &is_auto));
    assert_true(fabs(thr - 1e-6) < 1e-12);
    at_params_free(p);
    /* Velocities outside 1..127 and unknown keys are refused. */
    p = load_config("sampling = { velocities = [0]; };", &st, err, sizeof err);
    assert_int_equal(st, AT_ERR_USAGE);
    at_params_free(p);
    p = load_config("sampling = { velocity = [64]; };", &st, err, sizeof err);
    assert_int_equal(st, AT_ERR_USAGE);
    at_params_free(p);
}

/* ---- the state machine against a simulated instrument ------------------ */

#define SIM_LATENCY 300 /* frames from a MIDI event to its sound */
#define SIM_RELEASE 100 /* linear release after the note-off, frames */
#define SIM_MAX_NOTES 64
#define SIM_FRAMES 20000

typedef struct {
    int64_t on, off; /* absolute frames of note-on / note-off (-1: none) */
    float amp;
} SimNote;

typedef struct {
    SimNote notes[SIM_MAX_NOTES];
    int n;
    float noise;   /* constant-magnitude alternating noise */
    int lose_offs; /* note-offs to ignore (lost in transit) */
} Sim;

static float sim_level(const Sim *s, int64_t t)
{
    float v = (t & 1) ? s->noise : -s->noise;
    float best = 0.0f;
    for (int i = 0; i < s->n; i++) {
        const SimNote *n = &s->notes[i];
        int64_t a = t - SIM_LATENCY;
        float x = 0.0f;
        if (a >= n->on && (n->off < 0 || a < n->off))
            x = n->amp;
        else if (n->off >= 0 && a >= n->off && a < n->off + SIM_RELEASE)
            x = n->amp * (1.0f - (float)(a - n->off) / SIM_RELEASE);
        if (x > best)
            best = x;
    }
    return best > 0.0f ? best : v;
}

static void sim_midi(Sim *s, int64_t t, const AtMidiEvent *e)
{
    if (at_midi_is_note_on(e->data, e->size) && s->n < SIM_MAX_NOTES) {
        s->notes[s->n++] = (SimNote){t, -1, e->data[2] / 127.0f};
    } else if (at_midi_is_note_off(e->data, e->size) ||
               (at_midi_type(e->data) == AT_MIDI_CC && e->data[1] == AT_CC_ALL_NOTES_OFF)) {
        if (s->lose_offs > 0) {
            s->lose_offs--;
            return;
        }
        for (int i = 0; i < s->n; i++) {
            if (s->notes[i].off < 0)
                s->notes[i].off = t;
        }
    }
}

static int sim_lose_offs; /* for the next run_machine */

/* What a run produced, on absolute frames. */
typedef struct {
    int64_t on[16], off[16], begin[16], end[16];
    int end_status[16];
    int n_on, n_off, n_begin, n_end;
    int64_t all_off[16];
    int n_all_off, n_stuck;
    int64_t done;
    int64_t audio_frames[16];
    int audio_mismatch;
    int64_t last_audio_end;
    float noise_threshold;
    int n_noise;
} Trace;

static void run_machine(const SnMachineConfig *cfg, const SnNote *notes, size_t n_notes,
                        uint32_t block, float noise, int64_t stop_at, Trace *tr)
{
    SnMachine m;
    Sim sim = {.n = 0, .noise = noise, .lose_offs = sim_lose_offs};
    memset(tr, 0, sizeof *tr);
    tr->done = -1;
    tr->last_audio_end = -1;
    sn_machine_init(&m, cfg, notes, n_notes);
    AtMidiEvent storage[64];
    AtMidiBuf midi;
    at_midi_buf_init(&midi, storage, 64);
    float *l = malloc(block * sizeof *l), *r = malloc(block * sizeof *r);
    SnEvents ev;
    for (int64_t t0 = 0; t0 < SIM_FRAMES; t0 += block) {
        for (uint32_t i = 0; i < block; i++) {
            l[i] = sim_level(&sim, t0 + i);
            r[i] = -l[i] * 0.5f;
        }
        at_midi_buf_clear(&midi);
        ev.count = 0;
        ev.dropped = 0;
        if (stop_at >= 0 && t0 >= stop_at) {
            sn_machine_stop(&m, 0, &midi, &ev);
        } else {
            sn_machine_process(&m, l, r, block, &midi, &ev);
        }
        assert_int_equal(ev.dropped, 0);
        at_midi_buf_sort(&midi);
        for (size_t i = 0; i < midi.count; i++) {
            const AtMidiEvent *e = &midi.events[i];
            assert_true(e->frame < block);
            assert_int_equal(at_midi_channel(e->data), cfg->channel);
            if (at_midi_is_note_on(e->data, e->size))
                tr->on[tr->n_on++] = t0 + e->frame;
            else if (at_midi_is_note_off(e->data, e->size))
                tr->off[tr->n_off++] = t0 + e->frame;
            else if (at_midi_type(e->data) == AT_MIDI_CC && e->data[1] == AT_CC_ALL_NOTES_OFF)
                tr->all_off[tr->n_all_off++] = t0 + e->frame;
            sim_midi(&sim, t0 + e->frame, e);
        }
        for (size_t i = 0; i < ev.count; i++) {
            const SnEvent *e = &ev.ev[i];
            switch (e->kind) {
            case SN_EV_BEGIN:
                tr->begin[tr->n_begin++] = t0 + e->from;
                tr->last_audio_end = t0 + e->from;
                break;
            case SN_EV_AUDIO:
                assert_true(e->from < e->to && e->to <= block);
                /* Contiguous with what came before for this take. */
                if (tr->last_audio_end != t0 + e->from)
                    tr->audio_mismatch++;
                tr->last_audio_end = t0 + e->to;
                tr->audio_frames[e->id] += e->to - e->from;
                break;
            case SN_EV_END:
                tr->end_status[tr->n_end] = e->status;
                tr->end[tr->n_end++] = t0 + e->from;
                if (e->status != SN_END_ABORTED && tr->last_audio_end != t0 + e->from)
                    tr->audio_mismatch++;
                break;
            case SN_EV_NOISE:
                tr->n_noise++;
                tr->noise_threshold = e->value2;
                break;
            case SN_EV_DONE:
                tr->done = t0 + e->from;
                break;
            case SN_EV_STUCK:
                tr->n_stuck++;
                break;
            }
        }
    }
    free(l);
    free(r);
}

static SnMachineConfig base_cfg(void)
{
    return sn_test_config(3, 1e-3f, 200, 500, 1000);
}

static const SnNote two_notes[] = {{60, 127, 0}, {64, 64, 1}};

/* Timeline the spec asks for: silence window, cooldown, note-on (the file
 * starts there), hold, note-off; the file ends once the input was below
 * the threshold for the silence window after the instrument's tail. */
static void check_timeline(const SnMachineConfig *c, const Trace *tr)
{
    assert_int_equal(tr->n_on, 2);
    assert_int_equal(tr->n_off, 2);
    assert_int_equal(tr->n_begin, 2);
    assert_int_equal(tr->n_end, 2);
    assert_int_equal(tr->audio_mismatch, 0);
    int64_t on = c->silence_frames + c->cooldown_frames;
    for (int k = 0; k < 2; k++) {
        int64_t off = on + c->hold_frames;
        int64_t end = off + SIM_LATENCY + SIM_RELEASE + c->silence_frames;
        assert_int_equal(tr->on[k], on);
        assert_int_equal(tr->begin[k], on);
        assert_int_equal(tr->off[k], off);
        assert_int_equal(tr->end[k], end);
        assert_int_equal(tr->end_status[k], SN_END_OK);
        assert_int_equal(tr->audio_frames[k], end - on);
        on = end + c->cooldown_frames;
    }
    assert_int_equal(tr->done, tr->end[1]);
}

static void test_machine_timeline(void **state)
{
    (void)state;
    SnMachineConfig c = base_cfg();
    Trace tr;
    run_machine(&c, two_notes, 2, 64, 0.0f, -1, &tr);
    check_timeline(&c, &tr);
}

/* Silence is measured in frames, not buffers: any cycle size gives the
 * same events on the same absolute frames. */
static void test_machine_block_sizes(void **state)
{
    (void)state;
    SnMachineConfig c = base_cfg();
    const uint32_t blocks[] = {1, 7, 64, 100, 256};
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++) {
        Trace tr;
        run_machine(&c, two_notes, 2, blocks[i], 0.0f, -1, &tr);
        check_timeline(&c, &tr);
    }
    c.cooldown_frames = 0;
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++) {
        Trace tr;
        run_machine(&c, two_notes, 2, blocks[i], 0.0f, -1, &tr);
        check_timeline(&c, &tr);
    }
}

static void test_machine_max_length(void **state)
{
    (void)state;
    SnMachineConfig c = base_cfg();
    c.hold_frames = 1000;
    c.max_frames = 400; /* shorter than the hold: note-off comes with the cut */
    Trace tr;
    run_machine(&c, two_notes, 1, 32, 0.0f, -1, &tr);
    assert_int_equal(tr.n_end, 1);
    assert_int_equal(tr.end_status[0], SN_END_MAX_LENGTH);
    assert_int_equal(tr.end[0] - tr.begin[0], 400);
    assert_int_equal(tr.audio_frames[0], 400);
    assert_int_equal(tr.n_off, 1);
    assert_int_equal(tr.off[0], tr.end[0]);
    /* Done only after the instrument fell silent again. */
    assert_true(tr.done >= tr.off[0] + SIM_LATENCY + SIM_RELEASE + c.silence_frames);
}

static void test_machine_silent_take(void **state)
{
    (void)state;
    SnMachineConfig c = base_cfg();
    c.threshold = 0.9f; /* the velocity-64 note never reaches it */
    const SnNote quiet[] = {{64, 64, 7}};
    Trace tr;
    run_machine(&c, quiet, 1, 64, 0.0f, -1, &tr);
    assert_int_equal(tr.n_end, 1);
    assert_int_equal(tr.end_status[0], SN_END_SILENT);
    /* Given up wait_frames after the note-off. */
    assert_int_equal(tr.end[0], tr.off[0] + c.wait_frames);
}

/* A note that sounds only after the note-off (latency longer than the
 * hold) is still recorded whole. */
static void test_machine_late_sound(void **state)
{
    (void)state;
    SnMachineConfig c = base_cfg();
    c.hold_frames = 10; /* < SIM_LATENCY - silence window */
    Trace tr;
    run_machine(&c, two_notes, 1, 64, 0.0f, -1, &tr);
    assert_int_equal(tr.end_status[0], SN_END_OK);
    assert_int_equal(tr.end[0], tr.off[0] + SIM_LATENCY + SIM_RELEASE + c.silence_frames);
}

static void test_machine_auto_noise(void **state)
{
    (void)state;
    SnMachineConfig c = base_cfg();
    c.auto_threshold = true;
    c.threshold = 0.5f; /* ignored */
    Trace tr;
    run_machine(&c, two_notes, 2, 64, 0.01f, -1, &tr);
    assert_int_equal(tr.n_noise, 1);
    assert_true(fabsf(tr.noise_threshold - 0.01f * (float)SN_NOISE_MARGIN) < 1e-6f);
    /* Measured first, then silence (the noise is below the threshold). */
    assert_int_equal(tr.on[0], c.noise_frames + c.silence_frames + c.cooldown_frames);
    assert_int_equal(tr.n_end, 2);
    assert_int_equal(tr.end_status[0], SN_END_OK);
    /* Digital silence: the threshold floor. */
    run_machine(&c, two_notes, 2, 64, 0.0f, -1, &tr);
    assert_true(fabsf(tr.noise_threshold - (float)SN_NOISE_MIN) < 1e-9f);
}

/* Noise during the cooldown restarts the wait for silence. */
static void test_machine_cooldown_restart(void **state)
{
    (void)state;
    SnMachineConfig c = base_cfg();
    c.cooldown_frames = 400;
    c.threshold = 0.5f;
    SnMachine m;
    const SnNote one[] = {{60, 100, 0}};
    sn_machine_init(&m, &c, one, 1);
    AtMidiEvent storage[8];
    AtMidiBuf midi;
    at_midi_buf_init(&midi, storage, 8);
    SnEvents ev;
    float quiet[1000] = {0}, loud[1000];
    for (int i = 0; i < 1000; i++)
        loud[i] = 0.0f;
    loud[300] = 0.9f; /* one loud frame at 300: inside the cooldown (100..500) */
    sn_machine_process(&m, loud, quiet, 1000, &midi, &ev);
    assert_int_equal(midi.count, 1);
    /* Silence again from 301: window ends at 401, cooldown at 801. */
    assert_int_equal(midi.events[0].frame, 301 + c.silence_frames + c.cooldown_frames);
}

static void test_machine_stop(void **state)
{
    (void)state;
    SnMachineConfig c = base_cfg();
    Trace tr;
    run_machine(&c, two_notes, 2, 50, 0.0f, 200, &tr); /* stop mid-hold of note 1 */
    assert_int_equal(tr.n_on, 1);
    assert_int_equal(tr.n_off, 1);
    assert_int_equal(tr.off[0], 200);
    assert_int_equal(tr.n_end, 1);
    assert_int_equal(tr.end_status[0], SN_END_ABORTED);
    assert_int_equal(tr.done, -1);
}

/* An xrun in the middle of a take: the take is dropped, the note
 * released, and the same note recorded again after a fresh silence. */
static void test_machine_gap(void **state)
{
    (void)state;
    SnMachineConfig c = base_cfg();
    c.threshold = 0.5f;
    const SnNote one[] = {{60, 100, 4}};
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    AtMidiEvent storage[8];
    AtMidiBuf midi;
    at_midi_buf_init(&midi, storage, 8);
    SnEvents ev = {.count = 0, .dropped = 0};
    float zero[400] = {0};
    /* A gap while waiting changes nothing. */
    sn_machine_gap(&m, &midi, &ev);
    assert_int_equal(ev.count, 0);
    sn_machine_process(&m, zero, zero, 200, &midi, &ev); /* note-on at 150 */
    assert_int_equal(midi.count, 1);
    at_midi_buf_clear(&midi);
    ev.count = 0;
    sn_machine_gap(&m, &midi, &ev);
    assert_int_equal(ev.count, 1);
    assert_int_equal(ev.ev[0].kind, SN_EV_END);
    assert_int_equal(ev.ev[0].status, SN_END_RETRY);
    assert_int_equal(ev.ev[0].id, 4);
    assert_int_equal(midi.count, 1);
    assert_true(at_midi_is_note_off(midi.events[0].data, midi.events[0].size));
    at_midi_buf_clear(&midi);
    /* Again: silence window, cooldown, the same note. */
    sn_machine_process(&m, zero, zero, 300, &midi, &ev);
    assert_int_equal(midi.count, 1);
    assert_true(at_midi_is_note_on(midi.events[0].data, midi.events[0].size));
    assert_int_equal(midi.events[0].data[1], 60);
    assert_int_equal(midi.events[0].frame, c.silence_frames + c.cooldown_frames);
    assert_int_equal(ev.ev[0].kind, SN_EV_BEGIN);
    assert_int_equal(ev.ev[0].id, 4);
}

/* A lost note-off: the note sounds on after its take; 2 max-lengths later
 * the machine releases it again (note-off and All Notes Off) and goes on. */
static void test_machine_stuck_note(void **state)
{
    (void)state;
    SnMachineConfig c = base_cfg();
    c.max_frames = 2000;
    Trace tr;
    sim_lose_offs = 1;
    run_machine(&c, two_notes, 1, 64, 0.0f, -1, &tr);
    sim_lose_offs = 0;
    assert_int_equal(tr.n_end, 1);
    assert_int_equal(tr.end_status[0], SN_END_MAX_LENGTH);
    assert_int_equal(tr.end[0], tr.on[0] + c.max_frames);
    assert_int_equal(tr.n_off, 2);
    assert_int_equal(tr.n_all_off, 1);
    assert_int_equal(tr.off[1], tr.end[0] + 2 * c.max_frames);
    assert_int_equal(tr.all_off[0], tr.off[1]);
    assert_int_equal(tr.n_stuck, 1);
    assert_int_equal(tr.done, tr.off[1] + SIM_LATENCY + SIM_RELEASE + c.silence_frames);
}

static void test_machine_no_notes(void **state)
{
    (void)state;
    SnMachineConfig c = base_cfg();
    Trace tr;
    run_machine(&c, two_notes, 0, 64, 0.0f, -1, &tr);
    assert_int_equal(tr.n_on, 0);
    assert_int_equal(tr.done, c.silence_frames);
}

/* ---- instrument files ------------------------------------------------- */

typedef struct {
    char sample[SN_NAME_MAX + 8];
    int lokey, hikey, key, lovel, hivel, len, pos;
} Region;

static int parse_sfz(const char *text, Region *out, int cap)
{
    int n = 0;
    for (const char *p = strstr(text, "<region>"); p && n < cap; p = strstr(p + 1, "<region>")) {
        Region *r = &out[n];
        r->len = r->pos = 0;
        int got = sscanf(p,
                         "<region> sample=%s lokey=%d hikey=%d pitch_keycenter=%d lovel=%d "
                         "hivel=%d seq_length=%d seq_position=%d",
                         r->sample, &r->lokey, &r->hikey, &r->key, &r->lovel, &r->hivel, &r->len,
                         &r->pos);
        assert_true(got == 6 || got == 8);
        n++;
    }
    return n;
}

static char *capture(AtStatus (*fn)(FILE *, const SnTake *, const bool *, size_t),
                     const SnPlan *plan, const bool *present)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(fn(f, plan->takes, present, plan->count), AT_OK);
    fclose(f);
    return buf;
}

static void test_sfz(void **state)
{
    (void)state;
    const int oct[] = {3};
    const int vel[] = {127, 64};
    SnPlan plan;
    build(&plan, "hp", "C, E, A", oct, 1, vel, 2, 2);
    bool present[12];
    for (int i = 0; i < 12; i++)
        present[i] = true;
    char *text = capture(sn_write_sfz, &plan, present);
    Region reg[16];
    int n = parse_sfz(text, reg, 16);
    assert_int_equal(n, 12);
    /* C3 = 48, E3 = 52, A3 = 57: gaps split in the middle, ties go up. */
    const int lo[] = {0, 50, 55}, hi[] = {49, 54, 127}, key[] = {48, 52, 57};
    for (int i = 0; i < 12; i++) {
        int note = i / 4, v = (i / 2) % 2, rr = i % 2 + 1;
        char want[SN_NAME_MAX + 8];
        snprintf(want, sizeof want, "%s.wav", plan.takes[i].name);
        assert_string_equal(reg[i].sample, want);
        assert_int_equal(reg[i].lokey, lo[note]);
        assert_int_equal(reg[i].hikey, hi[note]);
        assert_int_equal(reg[i].key, key[note]);
        assert_int_equal(reg[i].lovel, v == 0 ? 1 : 65);
        assert_int_equal(reg[i].hivel, v == 0 ? 64 : 127);
        assert_int_equal(reg[i].len, 2);
        assert_int_equal(reg[i].pos, rr);
    }
    free(text);
    /* A missing round robin: its sibling plays alone, no sequence. */
    present[1] = false;
    text = capture(sn_write_sfz, &plan, present);
    n = parse_sfz(text, reg, 16);
    assert_int_equal(n, 11);
    assert_int_equal(reg[0].len, 0);
    assert_int_equal(reg[1].len, 2);
    free(text);
    sn_plan_free(&plan);
}

static int xml_attr(const char *line, const char *name)
{
    char key[32];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *p = strstr(line, key);
    assert_non_null(p);
    return atoi(p + strlen(key));
}

static void test_dspreset(void **state)
{
    (void)state;
    const int oct[] = {2, 4};
    const int vel[] = {100};
    SnPlan plan;
    build(&plan, "a&b", "G", oct, 2, vel, 1, 3);
    bool present[6] = {true, true, true, true, true, true};
    char *text = capture(sn_write_dspreset, &plan, present);
    assert_non_null(strstr(text, "<DecentSampler"));
    assert_non_null(strstr(text, "seqMode=\"round_robin\""));
    assert_null(strstr(text, "a&b")); /* & never raw in XML */
    int n = 0;
    for (const char *p = strstr(text, "<sample "); p; p = strstr(p + 1, "<sample ")) {
        const char *eol = strchr(p, '\n');
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(eol - p), p);
        int note = plan.takes[n].note;
        assert_int_equal(xml_attr(line, "rootNote"), note);
        assert_int_equal(xml_attr(line, "loNote"), n < 3 ? 0 : 43 + (67 - 43 - 1) / 2 + 1);
        assert_int_equal(xml_attr(line, "hiNote"), n < 3 ? 43 + (67 - 43 - 1) / 2 : 127);
        assert_int_equal(xml_attr(line, "loVel"), 1);
        assert_int_equal(xml_attr(line, "hiVel"), 127);
        assert_int_equal(xml_attr(line, "seqLength"), 3);
        assert_int_equal(xml_attr(line, "seqPosition"), n % 3 + 1);
        char path[SN_NAME_MAX + 16];
        snprintf(path, sizeof path, "path=\"%s.wav\"", plan.takes[n].name);
        assert_non_null(strstr(line, path));
        n++;
    }
    assert_int_equal(n, 6);
    assert_non_null(strstr(text, "</DecentSampler>"));
    free(text);
    sn_plan_free(&plan);
}

/* ---- the writer, fed through an in-memory ring -------------------------- */

typedef struct {
    char *data;
    size_t len, pos;
} MemRing;

static size_t mem_space(void *ring)
{
    MemRing *m = ring;
    return m->len - m->pos;
}

static size_t mem_read(void *ring, char *dst, size_t n)
{
    MemRing *m = ring;
    memcpy(dst, m->data + m->pos, n);
    m->pos += n;
    return n;
}

static void mem_put(MemRing *m, const void *p, size_t n)
{
    m->data = realloc(m->data, m->len + n);
    memcpy(m->data + m->len, p, n);
    m->len += n;
}

static void put_msg(MemRing *m, SnEventKind kind, int id, uint32_t frames, int status, float base)
{
    SnMsg msg = {(uint32_t)kind, id, frames, status, 0.0f, 0.0f};
    mem_put(m, &msg, sizeof msg);
    for (int ch = 0; ch < 2; ch++) {
        for (uint32_t i = 0; i < frames; i++) {
            float v = base + (float)i * 1e-4f * (ch ? -1.0f : 1.0f);
            mem_put(m, &v, sizeof v);
        }
    }
}

static int finished_status = -2;
static void on_finished(void *ctx, int status)
{
    (void)ctx;
    finished_status = status;
}

typedef struct {
    char dir[256];
    SnPlan plan;
    MemRing ring;
    SnShared shared;
    SnWriter *w;
    char *out_text, *err_text;
    size_t out_len, err_len;
    FILE *out, *err;
} WriterFixture;

static void writer_setup(WriterFixture *fx)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/ss-unit-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    const int oct[] = {3};
    const int vel[] = {90};
    build(&fx->plan, "t", "C, D", oct, 1, vel, 1, 1);
    fx->out = open_memstream(&fx->out_text, &fx->out_len);
    fx->err = open_memstream(&fx->err_text, &fx->err_len);
    SnWriterConfig cfg = {fx->dir, &fx->plan, 44100,   "t",         true, true,
                          0,       fx->out,   fx->err, on_finished, NULL};
    SnSource src = {mem_space, mem_read, &fx->ring};
    atomic_init(&fx->shared.overflow, 0);
    atomic_init(&fx->shared.stop, 0);
    finished_status = -2;
    fx->w = sn_writer_new(&cfg, &src, &fx->shared);
    assert_non_null(fx->w);
}

static void writer_teardown(WriterFixture *fx);

/* A take of id for the writer: BEGIN, frames of audio at level, END with
 * status. */
static void put_take(MemRing *ring, int id, uint32_t frames, float level, int status)
{
    put_msg(ring, SN_EV_BEGIN, id, 0, 0, 0);
    put_msg(ring, SN_EV_AUDIO, id, frames, 0, level);
    put_msg(ring, SN_EV_END, id, 0, status, 0);
}

/* What the writer wrote to its error stream holds text. */
static void expect_err(WriterFixture *fx, const char *text)
{
    fflush(fx->err);
    assert_non_null(strstr(fx->err_text, text));
}

/* cmocka setup and teardown of a writer test: a WriterFixture as state. */
static int writer_fixture(void **state)
{
    WriterFixture *fx = malloc(sizeof *fx);
    assert_non_null(fx);
    writer_setup(fx);
    *state = fx;
    return 0;
}

static int writer_fixture_free(void **state)
{
    writer_teardown(*state);
    free(*state);
    return 0;
}

static void writer_teardown(WriterFixture *fx)
{
    sn_writer_free(fx->w);
    fclose(fx->out);
    fclose(fx->err);
    free(fx->out_text);
    free(fx->err_text);
    free(fx->ring.data);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    sn_plan_free(&fx->plan);
}

static bool exists(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static int count_entries(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

static void test_writer_files(void **state)
{
    WriterFixture *fx = *state;
    put_msg(&fx->ring, SN_EV_BEGIN, 0, 0, 0, 0);
    put_msg(&fx->ring, SN_EV_AUDIO, 0, 100, 0, 0.25f);
    /* Half a message: the writer waits for the rest. */
    put_msg(&fx->ring, SN_EV_AUDIO, 0, 50, 0, 0.5f);
    size_t full = fx->ring.len;
    fx->ring.len -= 50 * sizeof(float);
    assert_int_equal(sn_writer_poll(fx->w), -1);
    assert_false(exists(fx->dir, "t-C3-v90.wav"));
    assert_true(exists(fx->dir, ".t-C3-v90.wav.part"));
    fx->ring.len = full;
    put_msg(&fx->ring, SN_EV_END, 0, 0, SN_END_OK, 0);
    assert_int_equal(sn_writer_poll(fx->w), -1);
    assert_true(exists(fx->dir, "t-C3-v90.wav"));
    assert_false(exists(fx->dir, ".t-C3-v90.wav.part"));
    /* A silent take leaves nothing. */
    put_take(&fx->ring, 1, 10, 0.0f, SN_END_SILENT);
    put_msg(&fx->ring, SN_EV_DONE, -1, 0, 0, 0);
    assert_int_equal(sn_writer_poll(fx->w), 0);
    assert_int_equal(finished_status, 0);
    assert_false(exists(fx->dir, "t-D3-v90.wav"));
    assert_true(exists(fx->dir, "t.sfz"));
    assert_true(exists(fx->dir, "t.dspreset"));
    assert_int_equal(count_entries(fx->dir), 3);
    assert_int_equal(sn_writer_saved(fx->w), 1);
    fflush(fx->out);
    assert_non_null(strstr(fx->out_text, "[1/2] t-C3-v90"));
    assert_non_null(strstr(fx->out_text, "[2/2] t-D3-v90"));
    assert_non_null(strstr(fx->out_text, "done"));
    expect_err(fx, "t-D3-v90");

    /* The file: float, stereo, the rate, every frame in order. */
    char path[512];
    snprintf(path, sizeof path, "%s/t-C3-v90.wav", fx->dir);
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    assert_non_null(f);
    assert_int_equal(info.channels, 2);
    assert_int_equal(info.samplerate, 44100);
    assert_int_equal(info.format, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    assert_int_equal(info.frames, 150);
    float buf[300];
    assert_int_equal(sf_readf_float(f, buf, 150), 150);
    sf_close(f);
    for (int i = 0; i < 150; i++) {
        float base = i < 100 ? 0.25f : 0.5f;
        int k = i < 100 ? i : i - 100;
        assert_true(buf[2 * i] == base + (float)k * 1e-4f);
        assert_true(buf[2 * i + 1] == base - (float)k * 1e-4f);
    }
    /* The SFZ names only the saved sample. */
    snprintf(path, sizeof path, "%s/t.sfz", fx->dir);
    FILE *s = fopen(path, "r");
    char text[2048] = "";
    size_t n = fread(text, 1, sizeof text - 1, s);
    text[n] = '\0';
    fclose(s);
    assert_non_null(strstr(text, "sample=t-C3-v90.wav"));
    assert_null(strstr(text, "t-D3-v90"));
}

static void test_writer_overflow(void **state)
{
    WriterFixture *fx = *state;
    put_msg(&fx->ring, SN_EV_BEGIN, 0, 0, 0, 0);
    put_msg(&fx->ring, SN_EV_AUDIO, 0, 100, 0, 0.25f);
    atomic_store(&fx->shared.overflow, 1);
    assert_int_equal(sn_writer_poll(fx->w), 1);
    assert_int_equal(finished_status, 1);
    assert_int_equal(atomic_load(&fx->shared.stop), 1);
    assert_int_equal(count_entries(fx->dir), 0); /* no truncated file, no temp */
    expect_err(fx, "overflow");
    assert_non_null(strstr(fx->err_text, "t-C3-v90"));
}

static void test_writer_write_error(void **state)
{
    WriterFixture *fx = *state;
    /* The temporary file is a full disk. */
    char path[512];
    snprintf(path, sizeof path, "%s/.t-C3-v90.wav.part", fx->dir);
    assert_int_equal(symlink("/dev/full", path), 0);
    put_msg(&fx->ring, SN_EV_BEGIN, 0, 0, 0, 0);
    for (int i = 0; i < 50; i++)
        put_msg(&fx->ring, SN_EV_AUDIO, 0, 1024, 0, 0.25f);
    put_msg(&fx->ring, SN_EV_END, 0, 0, SN_END_OK, 0);
    assert_int_equal(sn_writer_poll(fx->w), 1);
    assert_int_equal(finished_status, 1);
    assert_false(exists(fx->dir, "t-C3-v90.wav"));
    expect_err(fx, "error");
}

/* Interrupted mid-take: the temporary file goes, nothing is renamed. */
static void test_writer_interrupted(void **state)
{
    WriterFixture *fx = *state;
    put_msg(&fx->ring, SN_EV_BEGIN, 1, 0, 0, 0);
    put_msg(&fx->ring, SN_EV_AUDIO, 1, 10, 0, 0.25f);
    assert_int_equal(sn_writer_poll(fx->w), -1);
    assert_int_equal(count_entries(fx->dir), 1);
    sn_writer_join(fx->w);
    assert_int_equal(count_entries(fx->dir), 0);
}

/* A plan in which every take was silent fails: nothing is connected. */
static void test_writer_all_silent(void **state)
{
    WriterFixture *fx = *state;
    for (int id = 0; id < 2; id++) {
        put_take(&fx->ring, id, 10, 0.0f, SN_END_SILENT);
    }
    put_msg(&fx->ring, SN_EV_DONE, -1, 0, 0, 0);
    assert_int_equal(sn_writer_poll(fx->w), 1);
    assert_int_equal(finished_status, 1);
    assert_int_equal(count_entries(fx->dir), 0); /* no empty instrument files */
    expect_err(fx, "nothing was recorded");
}

/* A take lost to an xrun is recorded again; too many losses fail. */
static void test_writer_retry(void **state)
{
    WriterFixture *fx = *state;
    put_take(&fx->ring, 0, 10, 0.25f, SN_END_RETRY);
    assert_int_equal(sn_writer_poll(fx->w), -1);
    assert_int_equal(count_entries(fx->dir), 0);
    put_take(&fx->ring, 0, 10, 0.25f, SN_END_OK);
    assert_int_equal(sn_writer_poll(fx->w), -1);
    assert_true(exists(fx->dir, "t-C3-v90.wav"));
    fflush(fx->out);
    /* Counted once in the progress: [1/2] twice, never [2/2] for it. */
    assert_null(strstr(fx->out_text, "[2/2] t-C3"));
    for (int i = 0; i <= SN_MAX_RETRIES; i++) {
        put_msg(&fx->ring, SN_EV_BEGIN, 1, 0, 0, 0);
        put_msg(&fx->ring, SN_EV_END, 1, 0, SN_END_RETRY, 0);
    }
    assert_int_equal(sn_writer_poll(fx->w), 1);
    assert_int_equal(atomic_load(&fx->shared.stop), 1);
    expect_err(fx, "xrun");
}

static void test_prepare_dir_and_resume(void **state)
{
    (void)state;
    char base[64], path[256], err[256];
    snprintf(base, sizeof base, "/tmp/ss-unit-XXXXXX");
    assert_non_null(mkdtemp(base));
    snprintf(path, sizeof path, "%s/a/b/c", base);
    assert_int_equal(sn_prepare_dir(path, err, sizeof err), AT_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* Below a regular file: refused with a reason. */
    snprintf(path, sizeof path, "%s/file", base);
    FILE *f = fopen(path, "w");
    fclose(f);
    snprintf(path, sizeof path, "%s/file/sub", base);
    assert_int_not_equal(sn_prepare_dir(path, err, sizeof err), AT_OK);
    assert_non_null(strstr(err, "file/sub") ? strstr(err, "file") : strstr(err, "file"));
    snprintf(path, sizeof path, "%s/file", base);
    assert_int_not_equal(sn_prepare_dir(path, err, sizeof err), AT_OK);
    /* Resume: existing files are skipped. */
    const int oct[] = {3};
    const int vel[] = {10, 20};
    SnPlan plan;
    build(&plan, "r", "C", oct, 1, vel, 2, 1);
    snprintf(path, sizeof path, "%s/a/b/c/r-C3-v20.wav", base);
    f = fopen(path, "w");
    fclose(f);
    snprintf(path, sizeof path, "%s/a/b/c", base);
    assert_int_equal(sn_plan_mark_existing(&plan, path), 1);
    assert_false(plan.takes[0].skip);
    assert_true(plan.takes[1].skip);
    assert_int_equal(sn_plan_pending(&plan), 1);
    sn_plan_free(&plan);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_order),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_plan_errors),
        cmocka_unit_test(test_plan_long_prefix),
        cmocka_unit_test(test_parse_notes_values),
        cmocka_unit_test(test_sanitize),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_config_durations),
        cmocka_unit_test(test_machine_timeline),
        cmocka_unit_test(test_machine_block_sizes),
        cmocka_unit_test(test_machine_max_length),
        cmocka_unit_test(test_machine_silent_take),
        cmocka_unit_test(test_machine_late_sound),
        cmocka_unit_test(test_machine_auto_noise),
        cmocka_unit_test(test_machine_cooldown_restart),
        cmocka_unit_test(test_machine_stop),
        cmocka_unit_test(test_machine_gap),
        cmocka_unit_test(test_machine_stuck_note),
        cmocka_unit_test(test_machine_no_notes),
        cmocka_unit_test_setup_teardown(test_writer_retry, writer_fixture, writer_fixture_free),
        cmocka_unit_test_setup_teardown(test_writer_all_silent, writer_fixture,
                                        writer_fixture_free),
        cmocka_unit_test(test_sfz),
        cmocka_unit_test(test_dspreset),
        cmocka_unit_test_setup_teardown(test_writer_files, writer_fixture, writer_fixture_free),
        cmocka_unit_test_setup_teardown(test_writer_overflow, writer_fixture, writer_fixture_free),
        cmocka_unit_test_setup_teardown(test_writer_write_error, writer_fixture,
                                        writer_fixture_free),
        cmocka_unit_test_setup_teardown(test_writer_interrupted, writer_fixture,
                                        writer_fixture_free),
        cmocka_unit_test(test_prepare_dir_and_resume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
