/* test_samplesnake_edges.c - samplesnake's sampling state machine
 * (clients/samplesnake/machine.h, docs/samplesnake.md) at its edges,
 * written where mutation testing (make mutate, docs/mutation.md) showed
 * that test_samplesnake.c let a changed rule pass: a take whose sound
 * stops before its note-off, the exact frames of each transition, the
 * thresholds' boundaries, max-length, the stuck-note release, stop and
 * gap in every state.
 *
 * The input is a level per absolute frame (the same on both channels, or
 * on one channel only); the driver records MIDI and machine events with
 * absolute frames, in blocks of a chosen size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clients/samplesnake/machine.h"
#include "samplesnake_config.h"
#include "midi.h"

#define MAXREC 4096

typedef struct {
    uint32_t at;  /* absolute frame */
    uint8_t b[3]; /* MIDI bytes */
} Midi;

typedef struct {
    SnEventKind kind;
    int32_t id;
    uint32_t from, to; /* absolute */
    int status;
    float value, value2;
} Ev;

typedef struct {
    Midi midi[MAXREC];
    int n_midi;
    Ev ev[MAXREC];
    int n_ev;
} Rec;

/* Input level at absolute frame t: loud (0.5) inside one of the spans. */
typedef struct {
    uint32_t from, to;
    float level;
} Span;

static const Span *g_spans;
static int g_nspans;
static int g_side; /* 0: both channels, 1: left only, 2: right only */

static float level_at(uint32_t t)
{
    for (int k = 0; k < g_nspans; k++)
        if (t >= g_spans[k].from && t < g_spans[k].to)
            return g_spans[k].level;
    return 0.0f;
}

static void collect(Rec *r, uint32_t base, const AtMidiBuf *midi, const SnEvents *ev)
{
    for (size_t i = 0; i < midi->count && r->n_midi < MAXREC; i++) {
        Midi *m = &r->midi[r->n_midi++];
        m->at = base + midi->events[i].frame;
        memcpy(m->b, midi->events[i].data, 3);
    }
    for (size_t i = 0; i < ev->count && r->n_ev < MAXREC; i++) {
        const SnEvent *e = &ev->ev[i];
        Ev *x = &r->ev[r->n_ev++];
        x->kind = e->kind;
        x->id = e->id;
        x->from = base + e->from;
        x->to = base + e->to;
        x->status = e->status;
        x->value = e->value;
        x->value2 = e->value2;
    }
}

/* Run m for total frames in blocks of block frames. */
static void run(SnMachine *m, uint32_t total, uint32_t block, Rec *r)
{
    static float l[4096], rr[4096];
    AtMidiEvent store[64];
    AtMidiBuf midi;
    SnEvents ev;
    for (uint32_t base = 0; base < total; base += block) {
        uint32_t n = total - base < block ? total - base : block;
        for (uint32_t i = 0; i < n; i++) {
            float v = level_at(base + i);
            l[i] = g_side == 2 ? 0.0f : (i & 1 ? -v : v);
            rr[i] = g_side == 1 ? 0.0f : v;
        }
        at_midi_buf_init(&midi, store, 64);
        sn_machine_process(m, l, rr, n, &midi, &ev);
        collect(r, base, &midi, &ev);
    }
}

static SnMachineConfig cfg(void)
{
    return sn_test_config(2, 0.01f, 1000, 200, 500);
}

static const Ev *find_ev(const Rec *r, SnEventKind kind, int nth)
{
    for (int i = 0; i < r->n_ev; i++)
        if (r->ev[i].kind == kind && nth-- == 0)
            return &r->ev[i];
    return NULL;
}

static int count_ev(const Rec *r, SnEventKind kind)
{
    int n = 0;
    for (int i = 0; i < r->n_ev; i++)
        n += r->ev[i].kind == kind;
    return n;
}

/* Frames of take id covered by AUDIO events, checking they are contiguous
 * from *first. */
static uint32_t audio_span(const Rec *r, int32_t id, uint32_t *first)
{
    uint32_t end = 0;
    bool any = false;
    for (int i = 0; i < r->n_ev; i++) {
        const Ev *e = &r->ev[i];
        if (e->kind != SN_EV_AUDIO || e->id != id)
            continue;
        if (!any)
            *first = e->from;
        else
            assert_int_equal(e->from, end);
        assert_true(e->to > e->from);
        end = e->to;
        any = true;
    }
    assert_true(any);
    return end;
}

/* The input from now on: spans[0..n) loud, on both channels (side 0),
 * the left (1) or the right (2) only. */
static void input(const Span *spans, int n, int side)
{
    g_spans = spans;
    g_nspans = n;
    g_side = side;
}

/* A machine and what it sent. */
typedef struct {
    SnMachine m;
    Rec r;
} Take;

/* The test's configuration (cfg() at its start) and its take. */
static SnMachineConfig c;
static Take t;

/* What sn_machine_stop and sn_machine_gap write. */
static AtMidiEvent out_store[8];
static AtMidiBuf out_midi;
static SnEvents out_ev;

static void out_clear(void)
{
    at_midi_buf_init(&out_midi, out_store, 8);
    memset(&out_ev, 0, sizeof out_ev);
}

/* Each test starts with cfg() and no input. */
static int fresh(void **state)
{
    (void)state;
    c = cfg();
    input(NULL, 0, 0);
    return 0;
}

/* Start t's machine with c and notes[0..n), the input spans[0..nspans) on
 * side, and run it total frames in blocks of block frames, recording into
 * t.r (emptied first). */
static void play(const SnNote *notes, int n, const Span *spans, int nspans, int side,
                 uint32_t total, uint32_t block)
{
    input(spans, nspans, side);
    sn_machine_init(&t.m, &c, notes, n);
    memset(&t.r, 0, sizeof t.r);
    run(&t.m, total, block, &t.r);
}

/* The nth BEGIN event of r: at frame from. */
static void expect_begin(const Rec *r, int nth, uint32_t from)
{
    const Ev *e = find_ev(r, SN_EV_BEGIN, nth);
    assert_non_null(e);
    assert_int_equal(e->from, from);
}

/* The nth END event of r: at frame from, with status. */
static void expect_end(const Rec *r, int nth, uint32_t from, int status)
{
    const Ev *e = find_ev(r, SN_EV_END, nth);
    assert_non_null(e);
    assert_int_equal(e->from, from);
    assert_int_equal(e->status, status);
}

/* MIDI message i of r: at frame at, bytes b0 b1 b2. */
static void expect_midi(const Rec *r, int i, uint32_t at, uint8_t b0, uint8_t b1, uint8_t b2)
{
    assert_int_equal(r->midi[i].at, at);
    assert_int_equal(r->midi[i].b[0], b0);
    assert_int_equal(r->midi[i].b[1], b1);
    assert_int_equal(r->midi[i].b[2], b2);
}

static const SnNote one[] = {{60, 100, 7}};
static const SnNote two[] = {{60, 100, 7}, {62, 90, 8}};

/* ---- the gap: the silence window after the note-off ------------------- */

static void take_whose_sound_stops_before_the_note_off(void **state)
{
    (void)state;
    /* Silence 100 frames -> cooldown 50 -> note-on at 150. The instrument
     * sounds from 150 to 400 only, long before the note-off at 1150. The
     * recording still runs a full silence window after the note-off:
     * it ends at 1250, not at the note-off. */
    for (uint32_t block = 1; block <= 256; block *= 4) {
        play(one, 1, &(Span){150, 400, 0.5f}, 1, 0, 3000, block);
        const Ev *b = find_ev(&t.r, SN_EV_BEGIN, 0);
        const Ev *e = find_ev(&t.r, SN_EV_END, 0);
        assert_non_null(b);
        assert_non_null(e);
        assert_int_equal(b->from, 150);
        assert_int_equal(e->from, 1150 + 100);
        assert_int_equal(e->status, SN_END_OK);
        uint32_t first = 0;
        assert_int_equal(audio_span(&t.r, 7, &first), 1250);
        assert_int_equal(first, 150);
        /* note-on at 150 (channel 3 on the wire is 2), note-off at 1150 */
        assert_int_equal(t.r.n_midi, 2);
        expect_midi(&t.r, 0, 150, 0x92, 60, 100);
        expect_midi(&t.r, 1, 1150, 0x82, 60, 0);
        /* the input is silent already: done at once */
        const Ev *d = find_ev(&t.r, SN_EV_DONE, 0);
        assert_non_null(d);
        assert_int_equal(d->from, 1250);
        assert_true(sn_machine_done(&t.m));
    }
}

/* ---- the timeline to the frame ------------------------------------------ */

static void two_takes_exact_frames(void **state)
{
    (void)state;
    /* Take 1 sounds 150..1300 (past its note-off at 1150): ends 100 quiet
     * frames after the sound stops, at 1400. Take 2 waits for 100 quiet
     * frames (already there at 1400), then the cooldown: note-on at 1450,
     * sound 1450..1500, note-off 2450, end 2550. */
    const Span s[] = {{150, 1300, 0.5f}, {1450, 1500, 0.02f}};
    play(two, 2, s, 2, 0, 4000, 64);
    expect_begin(&t.r, 0, 150);
    assert_int_equal(find_ev(&t.r, SN_EV_END, 0)->from, 1400);
    expect_begin(&t.r, 1, 1450);
    assert_int_equal(find_ev(&t.r, SN_EV_BEGIN, 1)->id, 8);
    expect_end(&t.r, 1, 2550, SN_END_OK);
    assert_int_equal(find_ev(&t.r, SN_EV_DONE, 0)->from, 2550); /* silent already */
    for (int i = 0; i < t.r.n_ev; i++) /* only the noise event carries levels */
        assert_true(t.r.ev[i].value == 0.0f && t.r.ev[i].value2 == 0.0f);
    uint32_t first = 0;
    assert_int_equal(audio_span(&t.r, 8, &first), 2550);
    assert_int_equal(first, 1450);
    assert_int_equal(t.r.n_midi, 4);
    assert_int_equal(t.r.midi[2].at, 1450);
    assert_int_equal(t.r.midi[2].b[1], 62);
    assert_int_equal(t.r.midi[2].b[2], 90);
    assert_int_equal(t.r.midi[3].at, 2450);
}

static void threshold_is_inclusive_and_either_channel_counts(void **state)
{
    (void)state;
    /* A level exactly at the threshold is sound; on the left or on the
     * right alone too. The sound runs 150..1300: the take ends at 1400. */
    for (int side = 0; side < 3; side++) {
        play(one, 1, &(Span){150, 1300, 0.01f}, 1, side, 3000, 128);
        expect_end(&t.r, 0, 1400, SN_END_OK);
    }
    /* Just below it is silence: the take is silent, ends wait_frames
     * (500) after the note-off. */
    play(one, 1, &(Span){150, 1300, 0.0099f}, 1, 0, 3000, 128);
    expect_end(&t.r, 0, 1150 + 500, SN_END_SILENT);
}

static void late_sound_within_the_wait(void **state)
{
    (void)state;
    /* Nothing until 1600, 450 frames after the note-off (wait 500): the
     * take is heard and ends 100 quiet frames after 1700. */
    play(one, 1, &(Span){1600, 1700, 0.5f}, 1, 0, 3000, 100);
    expect_end(&t.r, 0, 1800, SN_END_OK);
}

static void loud_cooldown_waits_again(void **state)
{
    (void)state;
    /* Silence 0..100 -> cooldown from 100; a click at 120 interrupts it:
     * wait for 100 quiet frames again (121..220), cooldown 220..270:
     * note-on at 270. */
    play(one, 1, &(Span){120, 121, 0.5f}, 1, 0, 400, 32);
    expect_begin(&t.r, 0, 121 + 100 + 50);
    assert_int_equal(t.r.midi[0].at, 271);
}

static void an_interrupted_cooldown_waits_a_whole_stuck_window(void **state)
{
    (void)state;
    /* max-length 100, so a sound that never stops counts as a stuck note
     * after 200 loud frames of waiting. Silence 0..100, cooldown from 100;
     * sound from 249 on, one frame before the cooldown (150) is over: the
     * machine waits for silence again, and the stuck window starts there:
     * the first release is at 250 + 200, not earlier. */
    c.max_frames = 100;
    c.cooldown_frames = 150;
    play(one, 1, &(Span){249, 100000, 0.5f}, 1, 0, 700, 50);
    assert_null(find_ev(&t.r, SN_EV_BEGIN, 0));
    const Ev *st = find_ev(&t.r, SN_EV_STUCK, 0);
    assert_non_null(st);
    assert_int_equal(st->from, 450);
    assert_int_equal(st->id, -1);
}

static void zero_cooldown_and_hold_chain_in_one_frame(void **state)
{
    (void)state;
    /* cooldown 0: the note-on comes at the frame the silence is complete. */
    const Span none[] = {{0, 0, 0}};
    c.cooldown_frames = 0;
    play(one, 1, none, 0, 0, 200, 64);
    expect_begin(&t.r, 0, 100);
}

/* ---- max length ------------------------------------------------------------ */

static void max_length_cuts_and_waits_for_a_fresh_silence(void **state)
{
    (void)state;
    /* max 300 frames: the take starting at 150 is cut at 450 (while the
     * note is held: its note-off goes out then). The sound goes on to 600;
     * the next take needs 100 quiet frames after that (700) and the
     * cooldown (750). */
    c.max_frames = 300;
    play(two, 2, &(Span){150, 600, 0.5f}, 1, 0, 3000, 64);
    const Ev *e = find_ev(&t.r, SN_EV_END, 0);
    assert_int_equal(e->from, 450);
    assert_int_equal(e->status, SN_END_MAX_LENGTH);
    assert_int_equal(t.r.midi[1].at, 450);
    assert_int_equal(t.r.midi[1].b[0], 0x82);
    uint32_t first = 0;
    assert_int_equal(audio_span(&t.r, 7, &first), 450);
    assert_int_equal(first, 150);
    expect_begin(&t.r, 1, 750);
    /* the second take (silent) is also cut at max-length: 300 frames */
    expect_end(&t.r, 1, 1050, SN_END_MAX_LENGTH);
}

static void a_cut_take_waits_a_silence_window_after_its_note_off(void **state)
{
    (void)state;
    /* max 300: the take from 150 is cut at 450, where its note-off goes
     * out. The instrument fell silent at 300 already, but a release may
     * follow a note-off: the next take waits for a whole silence window
     * after the cut (450 + 100) and the cooldown (50): note-on at 600. */
    c.max_frames = 300;
    play(two, 2, &(Span){150, 300, 0.5f}, 1, 0, 1000, 64);
    expect_end(&t.r, 0, 450, SN_END_MAX_LENGTH);
    expect_begin(&t.r, 1, 600);
}

static void ringing_past_twice_max_length_releases_the_note(void **state)
{
    (void)state;
    /* max 300: cut at 450; the input stays loud. After the cut the
     * machine waits for silence; loud frames counted up to twice max
     * (600) -> the note-off is sent again with All Notes Off, at 1050, and
     * again every 600 loud frames. */
    c.max_frames = 300;
    play(two, 2, &(Span){150, 100000, 0.5f}, 1, 0, 2000, 50);
    assert_int_equal(count_ev(&t.r, SN_EV_STUCK), 2);
    const Ev *st = find_ev(&t.r, SN_EV_STUCK, 0);
    assert_int_equal(st->from, 1050);
    assert_int_equal(st->id, 7);
    assert_int_equal(find_ev(&t.r, SN_EV_STUCK, 1)->from, 1650);
    assert_int_equal(t.m.stuck_releases, 2);
    /* MIDI: on 150, off 450 (the cut), off + CC123 at 1050 and 1650 */
    assert_int_equal(t.r.n_midi, 6);
    assert_int_equal(t.r.midi[2].at, 1050);
    assert_int_equal(t.r.midi[2].b[0], 0x82);
    assert_int_equal(t.r.midi[2].b[1], 60);
    assert_int_equal(t.r.midi[3].b[0], 0xB2);
    assert_int_equal(t.r.midi[3].b[1], 123);
    assert_int_equal(t.r.midi[3].b[2], 0);
    assert_null(find_ev(&t.r, SN_EV_BEGIN, 1)); /* never silent: no next take */
}

static void stuck_before_any_take_only_sends_all_notes_off(void **state)
{
    (void)state;
    /* Loud from the start (something else sounds): no take was played, so
     * only CC123 goes out, with id -1. */
    c.max_frames = 100;
    play(one, 1, &(Span){0, 100000, 0.5f}, 1, 0, 250, 50);
    assert_int_equal(count_ev(&t.r, SN_EV_STUCK), 1);
    assert_int_equal(find_ev(&t.r, SN_EV_STUCK, 0)->id, -1);
    assert_int_equal(find_ev(&t.r, SN_EV_STUCK, 0)->from, 200);
    assert_int_equal(t.r.n_midi, 1);
    assert_int_equal(t.r.midi[0].b[0], 0xB2);
}

/* ---- auto threshold ------------------------------------------------------- */

static void noise_floor_sets_the_threshold(void **state)
{
    (void)state;
    /* Noise 0.001 for the 200 measured frames (peak 0.001 -> threshold
     * 0.002); then a take at level 0.0015 is silence, 0.002 is sound. */
    const Span s[] = {{0, 200, 0.001f}, {350, 400, 0.002f}};
    c.auto_threshold = true;
    c.threshold = 0.5f; /* ignored */
    play(one, 1, s, 2, 0, 3000, 64);
    const Ev *n = find_ev(&t.r, SN_EV_NOISE, 0);
    assert_non_null(n);
    assert_true(n->value == 0.001f);
    assert_true(n->value2 == 0.001f * 2.0f);
    assert_true(t.m.threshold == 0.002f);
    /* measuring 0..200, silence 200..300, cooldown: note-on at 350 */
    expect_begin(&t.r, 0, 350);
    expect_end(&t.r, 0, 1350 + 100, SN_END_OK);

    /* A silent line: the threshold is the floor, -120 dBFS. */
    g_nspans = 0;
    sn_machine_init(&t.m, &c, one, 1);
    Rec q = {0};
    run(&t.m, 300, 64, &q);
    assert_true(find_ev(&q, SN_EV_NOISE, 0)->value == 0.0f);
    assert_true(t.m.threshold == 1e-6f);
}

/* ---- stop, gap, init ------------------------------------------------------ */

static void stop_while_recording_and_after(void **state)
{
    (void)state;
    play(one, 1, &(Span){150, 2000, 0.5f}, 1, 0, 300, 100); /* note-on at 150 */
    out_clear();
    sn_machine_stop(&t.m, 17, &out_midi, &out_ev);
    assert_int_equal(out_midi.count, 1);
    assert_int_equal(out_midi.events[0].frame, 17);
    assert_int_equal(out_midi.events[0].data[0], 0x82);
    assert_int_equal(out_ev.count, 1);
    assert_int_equal(out_ev.ev[0].kind, SN_EV_END);
    assert_int_equal(out_ev.ev[0].status, SN_END_ABORTED);
    assert_int_equal(out_ev.ev[0].id, 7);
    /* a second stop and later cycles do nothing */
    sn_machine_stop(&t.m, 0, &out_midi, &out_ev);
    assert_int_equal(out_midi.count, 1);
    assert_int_equal(out_ev.count, 1);
    Rec q = {0};
    run(&t.m, 3000, 100, &q);
    assert_int_equal(q.n_midi + q.n_ev, 0);
    assert_false(sn_machine_done(&t.m));

    /* Stop while waiting: no note-off, no event. */
    sn_machine_init(&t.m, &c, one, 1);
    at_midi_buf_init(&out_midi, out_store, 8);
    out_ev.count = 0;
    sn_machine_stop(&t.m, 3, &out_midi, &out_ev);
    assert_int_equal(out_midi.count + out_ev.count, 0);
}

static void gap_during_release_retries_the_take(void **state)
{
    (void)state;
    /* An xrun after the note-off (the note is no longer sounding): the
     * take is dropped (RETRY) without a second note-off; the same note is
     * played again after a fresh silence. */
    const Span s[] = {{150, 1200, 0.5f}};
    play(one, 1, s, 1, 0, 1180, 59); /* note-off at 1150 */
    assert_int_equal(t.r.n_midi, 2);
    out_clear();
    sn_machine_gap(&t.m, &out_midi, &out_ev);
    assert_int_equal(out_midi.count, 0);
    assert_int_equal(out_ev.count, 1);
    assert_int_equal(out_ev.ev[0].status, SN_END_RETRY);
    assert_int_equal(out_ev.ev[0].id, 7);
    /* silence from 1200 (absolute timeline of the input continues): the
     * retry's note-on needs 100 quiet frames + 50 cooldown */
    const Span q[] = {{0, 20, 0.5f}};
    g_spans = q;
    Rec r2 = {0};
    run(&t.m, 300, 50, &r2);
    expect_begin(&r2, 0, 20 + 100 + 50);
    assert_int_equal(find_ev(&r2, SN_EV_BEGIN, 0)->id, 7);
    /* a gap while waiting changes nothing */
    SnMachine w;
    sn_machine_init(&w, &c, one, 1);
    out_ev.count = 0;
    sn_machine_gap(&w, &out_midi, &out_ev);
    assert_int_equal(out_ev.count, 0);
}

static void after_a_gap_the_stuck_window_starts_afresh(void **state)
{
    (void)state;
    /* max-length 100: a note ringing on for 200 loud frames of waiting is
     * taken as stuck. An xrun during a take drops it (the note-off goes
     * out at once); the 200 frames count from there. */
    c.max_frames = 100;
    play(one, 1, &(Span){150, 100000, 0.5f}, 1, 0, 200, 50); /* note-on at 150 */
    out_clear();
    sn_machine_gap(&t.m, &out_midi, &out_ev);
    assert_int_equal(out_midi.count, 1); /* the note-off */
    assert_int_equal(out_midi.events[0].frame, 0);
    const Span loud[] = {{0, 100000, 0.5f}};
    g_spans = loud;
    Rec r2 = {0};
    run(&t.m, 400, 50, &r2);
    assert_int_equal(find_ev(&r2, SN_EV_STUCK, 0)->from, 200);
}

static void a_stopped_machine_ignores_gaps(void **state)
{
    (void)state;
    play(one, 1, &(Span){150, 2000, 0.5f}, 1, 0, 300, 100); /* recording */
    out_clear();
    sn_machine_stop(&t.m, 0, &out_midi, &out_ev);
    out_ev.count = 0;
    at_midi_buf_init(&out_midi, out_store, 8);
    sn_machine_gap(&t.m, &out_midi, &out_ev);
    assert_int_equal(out_ev.count + out_midi.count, 0);
    g_nspans = 0;
    Rec q = {0};
    run(&t.m, 3000, 100, &q); /* silence: still nothing, no new take */
    assert_int_equal(q.n_midi + q.n_ev, 0);
}

static void init_keeps_windows_positive(void **state)
{
    (void)state;
    c.channel = 0x13; /* masked to 3 */
    c.silence_frames = c.max_frames = c.noise_frames = c.wait_frames = 0;
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    assert_int_equal(m.cfg.channel, 3);
    assert_int_equal(m.cfg.silence_frames, 1);
    assert_int_equal(m.cfg.max_frames, 1);
    assert_int_equal(m.cfg.noise_frames, 1);
    assert_int_equal(m.cfg.wait_frames, 1);
    assert_int_equal(m.state, SN_ST_WAIT_SILENCE);
    c = cfg();
    c.wait_frames = 40; /* shorter than the silence window: raised to it */
    sn_machine_init(&m, &c, one, 1);
    assert_int_equal(m.cfg.wait_frames, 100);
    c.auto_threshold = true;
    sn_machine_init(&m, &c, one, 1);
    assert_int_equal(m.state, SN_ST_NOISE);
}

static void events_never_overflow_silently(void **state)
{
    (void)state;
    /* One frame per take (hold 1, max 1, silence 1, cooldown 0) and 40
     * notes in one 256-frame cycle: more events than fit are counted as
     * dropped, never written past the end. */
    static SnNote many[40];
    for (int i = 0; i < 40; i++)
        many[i] = (SnNote){(uint8_t)(40 + i), 100, i};
    c.silence_frames = c.hold_frames = c.max_frames = c.wait_frames = 1;
    c.cooldown_frames = 0;
    SnMachine m;
    sn_machine_init(&m, &c, many, 40);
    static float z[256];
    AtMidiEvent store[256];
    AtMidiBuf midi;
    at_midi_buf_init(&midi, store, 256);
    SnEvents ev;
    sn_machine_process(&m, z, z, 256, &midi, &ev);
    assert_int_equal(ev.count, SN_MAX_EVENTS);
    assert_true(ev.dropped > 0);
    /* the next cycle starts with a clean list */
    sn_machine_process(&m, z, z, 1, &midi, &ev);
    assert_true(ev.count < SN_MAX_EVENTS);
    assert_int_equal(ev.dropped, 0);
}

#define T(f) cmocka_unit_test_setup(f, fresh)
TU_MAIN(T(take_whose_sound_stops_before_the_note_off), T(two_takes_exact_frames),
        T(threshold_is_inclusive_and_either_channel_counts), T(late_sound_within_the_wait),
        T(loud_cooldown_waits_again), T(an_interrupted_cooldown_waits_a_whole_stuck_window),
        T(zero_cooldown_and_hold_chain_in_one_frame),
        T(max_length_cuts_and_waits_for_a_fresh_silence),
        T(a_cut_take_waits_a_silence_window_after_its_note_off),
        T(ringing_past_twice_max_length_releases_the_note),
        T(stuck_before_any_take_only_sends_all_notes_off), T(noise_floor_sets_the_threshold),
        T(stop_while_recording_and_after), T(gap_during_release_retries_the_take),
        T(after_a_gap_the_stuck_window_starts_afresh), T(a_stopped_machine_ignores_gaps),
        T(init_keeps_windows_positive), T(events_never_overflow_silently))
