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

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clients/samplesnake/machine.h"
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
    SnMachineConfig c = {
        .channel = 2,
        .auto_threshold = false,
        .threshold = 0.01f,
        .silence_frames = 100,
        .cooldown_frames = 50,
        .hold_frames = 1000,
        .max_frames = 100000,
        .noise_frames = 200,
        .wait_frames = 500,
    };
    return c;
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
        const Span s[] = {{150, 400, 0.5f}};
        g_spans = s;
        g_nspans = 1;
        g_side = 0;
        SnMachineConfig c = cfg();
        SnMachine m;
        sn_machine_init(&m, &c, one, 1);
        Rec r = {0};
        run(&m, 3000, block, &r);
        const Ev *b = find_ev(&r, SN_EV_BEGIN, 0);
        const Ev *e = find_ev(&r, SN_EV_END, 0);
        assert_non_null(b);
        assert_non_null(e);
        assert_int_equal(b->from, 150);
        assert_int_equal(e->from, 1150 + 100);
        assert_int_equal(e->status, SN_END_OK);
        uint32_t first = 0;
        assert_int_equal(audio_span(&r, 7, &first), 1250);
        assert_int_equal(first, 150);
        /* note-on at 150 (channel 3 on the wire is 2), note-off at 1150 */
        assert_int_equal(r.n_midi, 2);
        assert_int_equal(r.midi[0].at, 150);
        assert_int_equal(r.midi[0].b[0], 0x92);
        assert_int_equal(r.midi[0].b[1], 60);
        assert_int_equal(r.midi[0].b[2], 100);
        assert_int_equal(r.midi[1].at, 1150);
        assert_int_equal(r.midi[1].b[0], 0x82);
        assert_int_equal(r.midi[1].b[1], 60);
        assert_int_equal(r.midi[1].b[2], 0);
        /* the input is silent already: done at once */
        const Ev *d = find_ev(&r, SN_EV_DONE, 0);
        assert_non_null(d);
        assert_int_equal(d->from, 1250);
        assert_true(sn_machine_done(&m));
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
    g_spans = s;
    g_nspans = 2;
    g_side = 0;
    SnMachineConfig c = cfg();
    SnMachine m;
    sn_machine_init(&m, &c, two, 2);
    Rec r = {0};
    run(&m, 4000, 64, &r);
    assert_int_equal(find_ev(&r, SN_EV_BEGIN, 0)->from, 150);
    assert_int_equal(find_ev(&r, SN_EV_END, 0)->from, 1400);
    assert_int_equal(find_ev(&r, SN_EV_BEGIN, 1)->from, 1450);
    assert_int_equal(find_ev(&r, SN_EV_BEGIN, 1)->id, 8);
    assert_int_equal(find_ev(&r, SN_EV_END, 1)->from, 2550);
    assert_int_equal(find_ev(&r, SN_EV_END, 1)->status, SN_END_OK);
    assert_int_equal(find_ev(&r, SN_EV_DONE, 0)->from, 2550); /* silent already */
    for (int i = 0; i < r.n_ev; i++) /* only the noise event carries levels */
        assert_true(r.ev[i].value == 0.0f && r.ev[i].value2 == 0.0f);
    uint32_t first = 0;
    assert_int_equal(audio_span(&r, 8, &first), 2550);
    assert_int_equal(first, 1450);
    assert_int_equal(r.n_midi, 4);
    assert_int_equal(r.midi[2].at, 1450);
    assert_int_equal(r.midi[2].b[1], 62);
    assert_int_equal(r.midi[2].b[2], 90);
    assert_int_equal(r.midi[3].at, 2450);
}

static void threshold_is_inclusive_and_either_channel_counts(void **state)
{
    (void)state;
    /* A level exactly at the threshold is sound; on the left or on the
     * right alone too. The sound runs 150..1300: the take ends at 1400. */
    for (int side = 0; side < 3; side++) {
        const Span s[] = {{150, 1300, 0.01f}};
        g_spans = s;
        g_nspans = 1;
        g_side = side;
        SnMachineConfig c = cfg();
        SnMachine m;
        sn_machine_init(&m, &c, one, 1);
        Rec r = {0};
        run(&m, 3000, 128, &r);
        assert_int_equal(find_ev(&r, SN_EV_END, 0)->from, 1400);
        assert_int_equal(find_ev(&r, SN_EV_END, 0)->status, SN_END_OK);
    }
    /* Just below it is silence: the take is silent, ends wait_frames
     * (500) after the note-off. */
    const Span q[] = {{150, 1300, 0.0099f}};
    g_spans = q;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    Rec r = {0};
    run(&m, 3000, 128, &r);
    assert_int_equal(find_ev(&r, SN_EV_END, 0)->from, 1150 + 500);
    assert_int_equal(find_ev(&r, SN_EV_END, 0)->status, SN_END_SILENT);
}

static void late_sound_within_the_wait(void **state)
{
    (void)state;
    /* Nothing until 1600, 450 frames after the note-off (wait 500): the
     * take is heard and ends 100 quiet frames after 1700. */
    const Span s[] = {{1600, 1700, 0.5f}};
    g_spans = s;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    Rec r = {0};
    run(&m, 3000, 100, &r);
    assert_int_equal(find_ev(&r, SN_EV_END, 0)->from, 1800);
    assert_int_equal(find_ev(&r, SN_EV_END, 0)->status, SN_END_OK);
}

static void loud_cooldown_waits_again(void **state)
{
    (void)state;
    /* Silence 0..100 -> cooldown from 100; a click at 120 interrupts it:
     * wait for 100 quiet frames again (121..220), cooldown 220..270:
     * note-on at 270. */
    const Span s[] = {{120, 121, 0.5f}};
    g_spans = s;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    Rec r = {0};
    run(&m, 400, 32, &r);
    assert_int_equal(find_ev(&r, SN_EV_BEGIN, 0)->from, 121 + 100 + 50);
    assert_int_equal(r.midi[0].at, 271);
}

static void an_interrupted_cooldown_waits_a_whole_stuck_window(void **state)
{
    (void)state;
    /* max-length 100, so a sound that never stops counts as a stuck note
     * after 200 loud frames of waiting. Silence 0..100, cooldown from 100;
     * sound from 249 on, one frame before the cooldown (150) is over: the
     * machine waits for silence again, and the stuck window starts there:
     * the first release is at 250 + 200, not earlier. */
    const Span s[] = {{249, 100000, 0.5f}};
    g_spans = s;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    c.max_frames = 100;
    c.cooldown_frames = 150;
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    Rec r = {0};
    run(&m, 700, 50, &r);
    assert_null(find_ev(&r, SN_EV_BEGIN, 0));
    const Ev *st = find_ev(&r, SN_EV_STUCK, 0);
    assert_non_null(st);
    assert_int_equal(st->from, 450);
    assert_int_equal(st->id, -1);
}

static void zero_cooldown_and_hold_chain_in_one_frame(void **state)
{
    (void)state;
    /* cooldown 0: the note-on comes at the frame the silence is complete. */
    const Span none[] = {{0, 0, 0}};
    g_spans = none;
    g_nspans = 0;
    g_side = 0;
    SnMachineConfig c = cfg();
    c.cooldown_frames = 0;
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    Rec r = {0};
    run(&m, 200, 64, &r);
    assert_int_equal(find_ev(&r, SN_EV_BEGIN, 0)->from, 100);
}

/* ---- max length ------------------------------------------------------------ */

static void max_length_cuts_and_waits_for_a_fresh_silence(void **state)
{
    (void)state;
    /* max 300 frames: the take starting at 150 is cut at 450 (while the
     * note is held: its note-off goes out then). The sound goes on to 600;
     * the next take needs 100 quiet frames after that (700) and the
     * cooldown (750). */
    const Span s[] = {{150, 600, 0.5f}};
    g_spans = s;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    c.max_frames = 300;
    SnMachine m;
    sn_machine_init(&m, &c, two, 2);
    Rec r = {0};
    run(&m, 3000, 64, &r);
    const Ev *e = find_ev(&r, SN_EV_END, 0);
    assert_int_equal(e->from, 450);
    assert_int_equal(e->status, SN_END_MAX_LENGTH);
    assert_int_equal(r.midi[1].at, 450);
    assert_int_equal(r.midi[1].b[0], 0x82);
    uint32_t first = 0;
    assert_int_equal(audio_span(&r, 7, &first), 450);
    assert_int_equal(first, 150);
    assert_int_equal(find_ev(&r, SN_EV_BEGIN, 1)->from, 750);
    /* the second take (silent) is also cut at max-length: 300 frames */
    assert_int_equal(find_ev(&r, SN_EV_END, 1)->from, 1050);
    assert_int_equal(find_ev(&r, SN_EV_END, 1)->status, SN_END_MAX_LENGTH);
}

static void a_cut_take_waits_a_silence_window_after_its_note_off(void **state)
{
    (void)state;
    /* max 300: the take from 150 is cut at 450, where its note-off goes
     * out. The instrument fell silent at 300 already, but a release may
     * follow a note-off: the next take waits for a whole silence window
     * after the cut (450 + 100) and the cooldown (50): note-on at 600. */
    const Span s[] = {{150, 300, 0.5f}};
    g_spans = s;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    c.max_frames = 300;
    SnMachine m;
    sn_machine_init(&m, &c, two, 2);
    Rec r = {0};
    run(&m, 1000, 64, &r);
    assert_int_equal(find_ev(&r, SN_EV_END, 0)->from, 450);
    assert_int_equal(find_ev(&r, SN_EV_END, 0)->status, SN_END_MAX_LENGTH);
    assert_int_equal(find_ev(&r, SN_EV_BEGIN, 1)->from, 600);
}

static void ringing_past_twice_max_length_releases_the_note(void **state)
{
    (void)state;
    /* max 300: cut at 450; the input stays loud. After the cut the
     * machine waits for silence; loud frames counted up to twice max
     * (600) -> the note-off is sent again with All Notes Off, at 1050, and
     * again every 600 loud frames. */
    const Span s[] = {{150, 100000, 0.5f}};
    g_spans = s;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    c.max_frames = 300;
    SnMachine m;
    sn_machine_init(&m, &c, two, 2);
    Rec r = {0};
    run(&m, 2000, 50, &r);
    assert_int_equal(count_ev(&r, SN_EV_STUCK), 2);
    const Ev *st = find_ev(&r, SN_EV_STUCK, 0);
    assert_int_equal(st->from, 1050);
    assert_int_equal(st->id, 7);
    assert_int_equal(find_ev(&r, SN_EV_STUCK, 1)->from, 1650);
    assert_int_equal(m.stuck_releases, 2);
    /* MIDI: on 150, off 450 (the cut), off + CC123 at 1050 and 1650 */
    assert_int_equal(r.n_midi, 6);
    assert_int_equal(r.midi[2].at, 1050);
    assert_int_equal(r.midi[2].b[0], 0x82);
    assert_int_equal(r.midi[2].b[1], 60);
    assert_int_equal(r.midi[3].b[0], 0xB2);
    assert_int_equal(r.midi[3].b[1], 123);
    assert_int_equal(r.midi[3].b[2], 0);
    assert_null(find_ev(&r, SN_EV_BEGIN, 1)); /* never silent: no next take */
}

static void stuck_before_any_take_only_sends_all_notes_off(void **state)
{
    (void)state;
    /* Loud from the start (something else sounds): no take was played, so
     * only CC123 goes out, with id -1. */
    const Span s[] = {{0, 100000, 0.5f}};
    g_spans = s;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    c.max_frames = 100;
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    Rec r = {0};
    run(&m, 250, 50, &r);
    assert_int_equal(count_ev(&r, SN_EV_STUCK), 1);
    assert_int_equal(find_ev(&r, SN_EV_STUCK, 0)->id, -1);
    assert_int_equal(find_ev(&r, SN_EV_STUCK, 0)->from, 200);
    assert_int_equal(r.n_midi, 1);
    assert_int_equal(r.midi[0].b[0], 0xB2);
}

/* ---- auto threshold ------------------------------------------------------- */

static void noise_floor_sets_the_threshold(void **state)
{
    (void)state;
    /* Noise 0.001 for the 200 measured frames (peak 0.001 -> threshold
     * 0.002); then a take at level 0.0015 is silence, 0.002 is sound. */
    const Span s[] = {{0, 200, 0.001f}, {350, 400, 0.002f}};
    g_spans = s;
    g_nspans = 2;
    g_side = 0;
    SnMachineConfig c = cfg();
    c.auto_threshold = true;
    c.threshold = 0.5f; /* ignored */
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    Rec r = {0};
    run(&m, 3000, 64, &r);
    const Ev *n = find_ev(&r, SN_EV_NOISE, 0);
    assert_non_null(n);
    assert_true(n->value == 0.001f);
    assert_true(n->value2 == 0.001f * 2.0f);
    assert_true(m.threshold == 0.002f);
    /* measuring 0..200, silence 200..300, cooldown: note-on at 350 */
    assert_int_equal(find_ev(&r, SN_EV_BEGIN, 0)->from, 350);
    assert_int_equal(find_ev(&r, SN_EV_END, 0)->status, SN_END_OK);
    assert_int_equal(find_ev(&r, SN_EV_END, 0)->from, 1350 + 100);

    /* A silent line: the threshold is the floor, -120 dBFS. */
    g_nspans = 0;
    sn_machine_init(&m, &c, one, 1);
    Rec q = {0};
    run(&m, 300, 64, &q);
    assert_true(find_ev(&q, SN_EV_NOISE, 0)->value == 0.0f);
    assert_true(m.threshold == 1e-6f);
}

/* ---- stop, gap, init ------------------------------------------------------ */

static void stop_while_recording_and_after(void **state)
{
    (void)state;
    const Span s[] = {{150, 2000, 0.5f}};
    g_spans = s;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    Rec r = {0};
    run(&m, 300, 100, &r); /* note-on at 150 */
    AtMidiEvent store[8];
    AtMidiBuf midi;
    at_midi_buf_init(&midi, store, 8);
    SnEvents ev = {0};
    sn_machine_stop(&m, 17, &midi, &ev);
    assert_int_equal(midi.count, 1);
    assert_int_equal(midi.events[0].frame, 17);
    assert_int_equal(midi.events[0].data[0], 0x82);
    assert_int_equal(ev.count, 1);
    assert_int_equal(ev.ev[0].kind, SN_EV_END);
    assert_int_equal(ev.ev[0].status, SN_END_ABORTED);
    assert_int_equal(ev.ev[0].id, 7);
    /* a second stop and later cycles do nothing */
    sn_machine_stop(&m, 0, &midi, &ev);
    assert_int_equal(midi.count, 1);
    assert_int_equal(ev.count, 1);
    Rec q = {0};
    run(&m, 3000, 100, &q);
    assert_int_equal(q.n_midi + q.n_ev, 0);
    assert_false(sn_machine_done(&m));

    /* Stop while waiting: no note-off, no event. */
    sn_machine_init(&m, &c, one, 1);
    at_midi_buf_init(&midi, store, 8);
    ev.count = 0;
    sn_machine_stop(&m, 3, &midi, &ev);
    assert_int_equal(midi.count + ev.count, 0);
}

static void gap_during_release_retries_the_take(void **state)
{
    (void)state;
    /* An xrun after the note-off (the note is no longer sounding): the
     * take is dropped (RETRY) without a second note-off; the same note is
     * played again after a fresh silence. */
    const Span s[] = {{150, 1200, 0.5f}};
    g_spans = s;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    Rec r = {0};
    run(&m, 1180, 59, &r); /* note-off at 1150 */
    assert_int_equal(r.n_midi, 2);
    AtMidiEvent store[8];
    AtMidiBuf midi;
    at_midi_buf_init(&midi, store, 8);
    SnEvents ev = {0};
    sn_machine_gap(&m, &midi, &ev);
    assert_int_equal(midi.count, 0);
    assert_int_equal(ev.count, 1);
    assert_int_equal(ev.ev[0].status, SN_END_RETRY);
    assert_int_equal(ev.ev[0].id, 7);
    /* silence from 1200 (absolute timeline of the input continues): the
     * retry's note-on needs 100 quiet frames + 50 cooldown */
    const Span q[] = {{0, 20, 0.5f}};
    g_spans = q;
    Rec r2 = {0};
    run(&m, 300, 50, &r2);
    assert_int_equal(find_ev(&r2, SN_EV_BEGIN, 0)->from, 20 + 100 + 50);
    assert_int_equal(find_ev(&r2, SN_EV_BEGIN, 0)->id, 7);
    /* a gap while waiting changes nothing */
    SnMachine w;
    sn_machine_init(&w, &c, one, 1);
    ev.count = 0;
    sn_machine_gap(&w, &midi, &ev);
    assert_int_equal(ev.count, 0);
}

static void after_a_gap_the_stuck_window_starts_afresh(void **state)
{
    (void)state;
    /* max-length 100: a note ringing on for 200 loud frames of waiting is
     * taken as stuck. An xrun during a take drops it (the note-off goes
     * out at once); the 200 frames count from there. */
    const Span s[] = {{150, 100000, 0.5f}};
    g_spans = s;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    c.max_frames = 100;
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    Rec r = {0};
    run(&m, 200, 50, &r); /* note-on at 150 */
    AtMidiEvent store[8];
    AtMidiBuf midi;
    at_midi_buf_init(&midi, store, 8);
    SnEvents ev = {0};
    sn_machine_gap(&m, &midi, &ev);
    assert_int_equal(midi.count, 1); /* the note-off */
    assert_int_equal(midi.events[0].frame, 0);
    const Span loud[] = {{0, 100000, 0.5f}};
    g_spans = loud;
    Rec r2 = {0};
    run(&m, 400, 50, &r2);
    assert_int_equal(find_ev(&r2, SN_EV_STUCK, 0)->from, 200);
}

static void a_stopped_machine_ignores_gaps(void **state)
{
    (void)state;
    const Span s[] = {{150, 2000, 0.5f}};
    g_spans = s;
    g_nspans = 1;
    g_side = 0;
    SnMachineConfig c = cfg();
    SnMachine m;
    sn_machine_init(&m, &c, one, 1);
    Rec r = {0};
    run(&m, 300, 100, &r); /* recording */
    AtMidiEvent store[8];
    AtMidiBuf midi;
    at_midi_buf_init(&midi, store, 8);
    SnEvents ev = {0};
    sn_machine_stop(&m, 0, &midi, &ev);
    ev.count = 0;
    at_midi_buf_init(&midi, store, 8);
    sn_machine_gap(&m, &midi, &ev);
    assert_int_equal(ev.count + midi.count, 0);
    g_nspans = 0;
    Rec q = {0};
    run(&m, 3000, 100, &q); /* silence: still nothing, no new take */
    assert_int_equal(q.n_midi + q.n_ev, 0);
}

static void init_keeps_windows_positive(void **state)
{
    (void)state;
    SnMachineConfig c = cfg();
    c.channel = 0x13; /* masked to 3 */
    c.silence_frames = 0;
    c.max_frames = 0;
    c.noise_frames = 0;
    c.wait_frames = 0;
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
    SnMachineConfig c = cfg();
    c.silence_frames = 1;
    c.cooldown_frames = 0;
    c.hold_frames = 1;
    c.max_frames = 1;
    c.wait_frames = 1;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(take_whose_sound_stops_before_the_note_off),
        cmocka_unit_test(two_takes_exact_frames),
        cmocka_unit_test(threshold_is_inclusive_and_either_channel_counts),
        cmocka_unit_test(late_sound_within_the_wait),
        cmocka_unit_test(loud_cooldown_waits_again),
        cmocka_unit_test(an_interrupted_cooldown_waits_a_whole_stuck_window),
        cmocka_unit_test(zero_cooldown_and_hold_chain_in_one_frame),
        cmocka_unit_test(max_length_cuts_and_waits_for_a_fresh_silence),
        cmocka_unit_test(a_cut_take_waits_a_silence_window_after_its_note_off),
        cmocka_unit_test(ringing_past_twice_max_length_releases_the_note),
        cmocka_unit_test(stuck_before_any_take_only_sends_all_notes_off),
        cmocka_unit_test(noise_floor_sets_the_threshold),
        cmocka_unit_test(stop_while_recording_and_after),
        cmocka_unit_test(gap_during_release_retries_the_take),
        cmocka_unit_test(after_a_gap_the_stuck_window_starts_afresh),
        cmocka_unit_test(a_stopped_machine_ignores_gaps),
        cmocka_unit_test(init_keeps_windows_positive),
        cmocka_unit_test(events_never_overflow_silently),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
