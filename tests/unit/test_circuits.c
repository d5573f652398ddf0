/* test_circuits.c - unit tests of the circuits core against docs/circuits.md: the
 * drum patterns on their exact pulses, the bass key note and arpeggio,
 * transport routing (exact bytes, channels, frame offsets), set-up and
 * shutdown, seeding, bad input and stuck-note properties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clients/circuits/circuits.h"
#define GEN_DESTS CI_DEST_COUNT
#define GEN_CORE Ci
#define GEN_EVENT ci_event
#define GEN_PROCESS ci_process
#define GEN_SET_SEED ci_set_seed
#include "gen_harness.h"

#include <string.h>

/* Drums on channel 10, bass on channel 1, key from channel 1. */
static CiConfig default_config(void)
{
    CiConfig c = {
        .drum_channel = 9, .bass_channel = 0, .key_channel = 0, .key_note = 48, .seed = 42};
    return c;
}

/* The default configuration with seed. */
static void gen_init(Ci *ci, uint64_t seed)
{
    CiConfig cfg = default_config();
    cfg.seed = seed;
    ci_init(ci, &cfg);
}

/* Pulses at which note `note` goes on (on = true) or off, on channel ch,
 * in buffer b; returns how many. */
static int pulses_of(const AtMidiBuf *b, int ch, int note, bool on, int *dst, int max)
{
    int n = 0;
    for (size_t i = 0; i < b->count && n < max; i++) {
        const AtMidiEvent *e = &b->events[i];
        if (e->size != 3 || (e->data[0] & 0x0F) != ch || e->data[1] != note)
            continue;
        bool is_on = (e->data[0] & 0xF0) == 0x90 && e->data[2] > 0;
        bool is_off = (e->data[0] & 0xF0) == 0x80 || ((e->data[0] & 0xF0) == 0x90 && !e->data[2]);
        if ((on && is_on) || (!on && is_off))
            dst[n++] = (int)e->frame - 1;
    }
    return n;
}

/* ---- drums: each row = a note and the pulses of its ons and offs in the
 * first bar and a half ---- */

typedef struct {
    const char *name;
    int note;
    int on[16];
    int off[16];
} DrumCase;

static const DrumCase drum_cases[] = {
    {"kick every 24 pulses, gate 0.5",
     60,
     {0, 24, 48, 72, 96, 120, -1},
     {12, 36, 60, 84, 108, 132, -1}},
    {"snare on every second beat", 62, {24, 72, 120, -1}, {36, 84, 132, -1}},
    {"closed hats: 6, 6 of each 24",
     64,
     {0, 6, 24, 30, 48, 54, 72, 78, 96, 102, 120, 126, -1},
     {3, 9, 27, 33, 51, 57, 75, 81, 99, 105, 123, 129, -1}},
    {"open hat: at 12 of each 24",
     65,
     {12, 36, 60, 84, 108, 132, -1},
     {18, 42, 66, 90, 114, 138, -1}},
};

static void test_drum_patterns(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof drum_cases / sizeof drum_cases[0]; c++) {
        const DrumCase *dc = &drum_cases[c];
        print_message("case: %s\n", dc->name);
        Ci ci;
        gen_fresh(&ci, 42, false);
        run_pulses(&ci, 140);
        int got[64];
        int n = pulses_of(&bufs[CI_DRUMS], 9, dc->note, true, got, 64);
        int k = 0;
        for (; dc->on[k] >= 0; k++) {
            assert_true(k < n);
            assert_int_equal(got[k], dc->on[k]);
        }
        assert_int_equal(n, k);
        n = pulses_of(&bufs[CI_DRUMS], 9, dc->note, false, got, 64);
        for (k = 0; dc->off[k] >= 0; k++) {
            assert_true(k < n);
            assert_int_equal(got[k], dc->off[k]);
        }
        assert_int_equal(n, k);
    }
}

/* The first pulses of the drum channel, byte for byte. */
static void test_drums_exact_bytes(void **state)
{
    (void)state;
    Ci ci;
    gen_fresh(&ci, 42, false);
    run_pulses(&ci, 13);
    static const Ev want[] = {
        {1, 3, {0x99, 60, 127}},  {1, 3, {0x99, 64, 127}},
        {4, 3, {0x89, 64, 0}},    {7, 3, {0x99, 64, 127}},
        {10, 3, {0x89, 64, 0}},   {13, 3, {0x89, 60, 0}},
        {13, 3, {0x99, 65, 127}}, {0, 0, {0}},
    };
    expect_events(&bufs[CI_DRUMS], want, "drums");
}

/* ---- bass ---- */

static void test_bass_key_note(void **state)
{
    (void)state;
    Ci ci;
    gen_fresh(&ci, 42, false);
    run_pulses(&ci, 200);
    int on[8], off[8];
    int n_on = pulses_of(&bufs[CI_BASS], 0, 48, true, on, 8);
    int n_off = pulses_of(&bufs[CI_BASS], 0, 48, false, off, 8);
    assert_int_equal(n_on, 3);
    assert_int_equal(n_off, 2);
    assert_int_equal(on[0], 0);
    assert_int_equal(on[1], 96);
    assert_int_equal(on[2], 192);
    assert_int_equal(off[0], 96);
    assert_int_equal(off[1], 192);
    /* at a bar line, the note-off comes before the new note-on */
    for (size_t i = 0; i < bufs[CI_BASS].count; i++) {
        const AtMidiEvent *e = &bufs[CI_BASS].events[i];
        if (e->frame == 97 && e->data[0] == 0x80 && e->data[1] == 48) {
            assert_int_equal(bufs[CI_BASS].events[i + 1].data[0], 0x90);
            assert_int_equal(bufs[CI_BASS].events[i + 1].data[1], 48);
            assert_int_equal(bufs[CI_BASS].events[i + 1].data[2], 127);
        }
    }
}

/* A note-on on channel 1 moves the key note from the next bar on; other
 * channels and velocity 0 do not. */
static void test_key_note_from_channel_1(void **state)
{
    (void)state;
    CiConfig cfg = default_config();
    Ci ci;
    ci_init(&ci, &cfg);
    outputs(false);
    send(&ci, 0, 3, 0x91, 40, 100);
    send(&ci, 0, 3, 0x99, 41, 100);
    send(&ci, 0, 3, 0x90, 42, 0);
    assert_int_equal(ci.cfg.key_note, 48);
    assert_false(ci.key_changed);
    run_pulses(&ci, 10);
    send(&ci, 11, 3, 0x90, 43, 90);
    assert_int_equal(ci.cfg.key_note, 43);
    assert_true(ci.key_changed);
    for (int k = 10; k < 100; k++)
        send(&ci, (uint32_t)k + 1, 1, 0xF8, 0, 0);
    int on[4], off[4];
    assert_int_equal(pulses_of(&bufs[CI_BASS], 0, 48, false, off, 4), 1);
    assert_int_equal(off[0], 96);
    assert_int_equal(pulses_of(&bufs[CI_BASS], 0, 43, true, on, 4), 1);
    assert_int_equal(on[0], 96);
    assert_int_equal(bufs[CI_DRUMS].count > 0, 1);
    for (size_t i = 0; i < bufs[CI_DRUMS].count; i++)
        assert_true(bufs[CI_DRUMS].events[i].data[1] != 40);
}

/* The arpeggio: notes 72, 65, 67 in turn (a rest consumes its note), vel
 * 32, gate 0.5, lengths 6 or 12 (3:1), a rest whenever the running length
 * is a multiple of 96, never a note there. */
static void test_arpeggio(void **state)
{
    (void)state;
    Ci ci;
    gen_fresh(&ci, 3, false);
    int pulses = 96 * 400;
    run_pulses(&ci, pulses);
    static const int cycle[] = {72, 65, 67};
    int prev_pulse = -1, prev_len = 0, prev_idx = -1, notes = 0, sixes = 0, rests = 0;
    const AtMidiBuf *b = &bufs[CI_BASS];
    for (size_t i = 0; i < b->count; i++) {
        const AtMidiEvent *e = &b->events[i];
        if (e->data[0] != 0x90 || e->data[1] == 48)
            continue;
        int p = (int)e->frame - 1;
        assert_int_equal(e->data[2], CI_ARP_VELOCITY);
        assert_true(p % 96 != 0);
        /* its note-off: 3 or 6 pulses later */
        int gate = -1;
        for (size_t j = i + 1; j < b->count; j++)
            if (b->events[j].data[0] == 0x80 && b->events[j].data[1] == e->data[1]) {
                gate = (int)b->events[j].frame - 1 - p;
                break;
            }
        if (p + 6 < pulses) {
            assert_true(gate == 3 || gate == 6);
            sixes += gate == 3;
        }
        int idx = -1;
        for (int c = 0; c < 3; c++)
            if (cycle[c] == e->data[1])
                idx = c;
        assert_true(idx >= 0);
        if (prev_pulse < 0) {
            /* pulse 0 is a rest (running length 0): the first note is the
             * second of the cycle, at 6 or 12 */
            assert_true(p == 6 || p == 12);
            assert_int_equal(idx, 1);
        } else if (p == prev_pulse + prev_len) {
            assert_int_equal(idx, (prev_idx + 1) % 3);
        } else {
            int rest = p - prev_pulse - prev_len;
            assert_true(rest == 6 || rest == 12);
            assert_int_equal((prev_pulse + prev_len) % 96, 0);
            assert_int_equal(idx, (prev_idx + 2) % 3);
            rests++;
        }
        prev_pulse = p;
        prev_len = gate * 2;
        prev_idx = idx;
        notes++;
    }
    assert_true(notes > 2000);
    assert_true(rests > 50);
    assert_in_range(sixes, (int)(notes * 0.75 * 0.93), (int)(notes * 0.75 * 1.07));
}

/* ---- transport routing table ---- */

typedef struct {
    const char *name;
    Ev in[4];
    Ev drums[8];
    Ev bass[8];
} RouteCase;

static const RouteCase route_cases[] = {
    {"clock to the Mono Station only", {{5, 1, {0xF8}}}, {{0}}, {{5, 1, {0xF8}}}},
    {"start to the Mono Station", {{6, 1, {0xFA}}}, {{0}}, {{6, 1, {0xFA}}}},
    {"stop: STOP, CC123 on drums and bass channels 1 and 2",
     {{7, 1, {0xFC}}},
     {{7, 3, {0xB9, 123, 0}}},
     {{7, 1, {0xFC}}, {7, 3, {0xB0, 123, 0}}, {7, 3, {0xB1, 123, 0}}}},
    {"notes, CCs, bends: no output",
     {{1, 3, {0x80, 48, 0}}, {2, 3, {0xB0, 1, 5}}, {3, 3, {0xE0, 1, 5}}},
     {{0}},
     {{0}}},
    {"song position and continue while stopped: to the Mono Station",
     {{1, 3, {0xF2, 3, 1}}, {2, 1, {0xFB}}},
     {{0}},
     {{1, 3, {0xF2, 3, 1}}, {2, 1, {0xFB}}}},
    {"song position and continue while running: no job",
     {{1, 1, {0xFA}}, {2, 3, {0xF2, 3, 1}}, {3, 1, {0xFB}}},
     {{0}},
     {{1, 1, {0xFA}}}},
    {"bad input: truncated, stray data, sysex, size 0",
     {{1, 2, {0x90, 50, 0}}, {2, 3, {0x30, 0x30, 0x30}}, {3, 3, {0xF0, 1, 2}}, {4, 0, {0xF8}}},
     {{0}},
     {{0}}},
};

static void test_routing_table(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof route_cases / sizeof route_cases[0]; c++) {
        const RouteCase *rc = &route_cases[c];
        print_message("case: %s\n", rc->name);
        CiConfig cfg = default_config();
        Ci ci;
        ci_init(&ci, &cfg);
        outputs(false);
        for (int i = 0; i < 4; i++) {
            const Ev *e = &rc->in[i];
            if (e->frame == 0 && e->size == 0 && e->b[0] == 0)
                break;
            send(&ci, e->frame, e->size, e->b[0], e->b[1], e->b[2]);
        }
        expect_events(&bufs[CI_DRUMS], rc->drums, "drums");
        expect_events(&bufs[CI_BASS], rc->bass, "bass");
        assert_int_equal(ci.cfg.key_note, 48);
    }
}

static void test_bad_input_counted(void **state)
{
    (void)state;
    Ci ci;
    gen_fresh(&ci, 42, false);
    send(&ci, 1, 2, 0x90, 50, 0);
    send(&ci, 2, 3, 0x30, 0x30, 0x30);
    send(&ci, 3, 3, 0xF0, 1, 2);
    send(&ci, 4, 0, 0xF8, 0, 0);
    send(&ci, 5, 3, 0x90, 0x90, 0x40);
    assert_int_equal(ci.malformed, 5);
    send(&ci, 6, 3, 0xB0, 7, 7);
    assert_int_equal(ci.ignored, 1);
}

static void test_bass_channel_16_has_no_second(void **state)
{
    (void)state;
    CiConfig cfg = default_config();
    cfg.bass_channel = 15;
    Ci ci;
    ci_init(&ci, &cfg);
    outputs(false);
    assert_int_equal(ci_bass_channel2(&ci), -1);
    send(&ci, 0, 1, 0xFC, 0, 0);
    static const Ev bass[] = {{0, 1, {0xFC}}, {0, 3, {0xBF, 123, 0}}, {0, 0, {0}}};
    expect_events(&bufs[CI_BASS], bass, "bass");
}

static void test_shared_port(void **state)
{
    (void)state;
    Ci ci;
    gen_fresh(&ci, 42, true);
    send(&ci, 0, 1, 0xF8, 0, 0);
    assert_int_equal(bufs[0].count, 1);
    clear_outputs();
    ci_shutdown(&ci, 0, out);
    static const Ev want[] = {{0, 1, {0xFC}},
                              {0, 3, {0xB9, 123, 0}},
                              {0, 3, {0xB0, 123, 0}},
                              {0, 3, {0xB1, 123, 0}},
                              {0, 0, {0}}};
    expect_events(&bufs[0], want, "shared");
}

static void test_setup_dests(void **state)
{
    (void)state;
    Ci ci;
    gen_fresh(&ci, 42, false);
    ci_setup_dests(&ci, 1u << CI_DRUMS, 4, out);
    static const Ev drums[] = {{4, 3, {0xB9, 64, 0}}, {4, 3, {0xB9, 123, 0}}, {0, 0, {0}}};
    static const Ev none[] = {{0, 0, {0}}};
    expect_events(&bufs[CI_DRUMS], drums, "drums");
    expect_events(&bufs[CI_BASS], none, "bass");
    clear_outputs();
    ci_setup_dests(&ci, 1u << CI_BASS, 0, out);
    static const Ev bass[] = {{0, 1, {0xFC}},        {0, 3, {0xB0, 64, 0}},  {0, 3, {0xB0, 123, 0}},
                              {0, 3, {0xB1, 64, 0}}, {0, 3, {0xB1, 123, 0}}, {0, 0, {0}}};
    expect_events(&bufs[CI_BASS], bass, "bass");
    expect_events(&bufs[CI_DRUMS], none, "drums");
}

static void test_shutdown_while_playing(void **state)
{
    (void)state;
    Ci ci;
    gen_fresh(&ci, 42, false);
    run_pulses(&ci, 1); /* pulse 0: kick, closed hat and the key note sound */
    clear_outputs();
    ci_shutdown(&ci, 9, out);
    static const Ev drums[] = {{9, 3, {0x89, 60, 0}},
                               {9, 3, {0x89, 64, 0}},
                               {9, 1, {0xFC}},
                               {9, 3, {0xB9, 123, 0}},
                               {0, 0, {0}}};
    static const Ev bass[] = {{9, 3, {0x80, 48, 0}},
                              {9, 1, {0xFC}},
                              {9, 3, {0xB0, 123, 0}},
                              {9, 3, {0xB1, 123, 0}},
                              {0, 0, {0}}};
    expect_events(&bufs[CI_DRUMS], drums, "drums");
    expect_events(&bufs[CI_BASS], bass, "bass");
}

/* ---- seeds ---- */

static void test_seeds(void **state)
{
    (void)state;
    seeds_repeat(77, false, CI_BASS, 3000);
    /* reseeding live gives the stream of that seed */
    seed_live(1, 77, false, CI_BASS, 3000);
}

/* ---- properties ---- */

static uint8_t any_channel(AtRand *r)
{
    return (uint8_t)at_rand_below(r, 16);
}

/* Random input: mostly clocks, transport, notes on channels 1 and 2, CCs,
 * garbage, song positions. */
static AtMidiEvent random_event(AtRand *r, uint32_t frame)
{
    static const RndKind kinds[] = {RND_CLOCK, RND_CLOCK,   RND_CLOCK, RND_CLOCK,
                                    RND_CLOCK, RND_CLOCK,   RND_CLOCK, RND_CLOCK,
                                    RND_CLOCK, RND_START,   RND_STOP,  RND_NOTE_ON,
                                    RND_CC,    RND_GARBAGE, RND_SPP,   RND_CONTINUE};
    static const RndMix mix = {kinds, 16, any_channel, 0x01, NULL, 0};
    return random_mix(&mix, r, frame);
}

/* Separate ports: notes on the drums' channel 10 or the bass' channel 1. */
static void check_channel(const void *ctx, bool shared, int d, const AtMidiEvent *e)
{
    (void)ctx;
    if ((e->data[0] & 0xF0) == 0x90 && !shared)
        assert_int_equal(e->data[0] & 0x0F, d == CI_DRUMS ? 9 : 0);
}

static void test_property_no_stuck_notes(void **state)
{
    (void)state;
    AtRand r;
    at_rand_seed(&r, 99);
    for (int trial = 0; trial < 300; trial++) {
        Ci ci;
        gen_init(&ci, at_rand_next(&r));
        bool shared = at_rand_below(&r, 2);
        outputs(shared);
        int n = (int)at_rand_below(&r, 4000);
        gen_feed_random(&ci, &r, n, random_event);
        gen_check_balance(shared, false, check_channel, NULL);
        if (trial % 2)
            send(&ci, (uint32_t)n, 1, 0xFC, 0, 0);
        else
            ci_shutdown(&ci, (uint32_t)n, out);
        gen_check_balance(shared, true, check_channel, NULL);
        for (int t = 0; t < CI_TRACKS; t++)
            assert_int_equal(ci.track[t].sounding, -1);
    }
}

/* Output buffers that overflow every cycle drop events, yet no note is
 * left sounding: an owed note-off is retried and blocks the next note. */
static void test_property_overflowing_buffers(void **state)
{
    (void)state;
    gen_overflowing_buffers(5, random_event);
}

static void test_thousand_events_one_cycle(void **state)
{
    (void)state;
    Ci ci;
    gen_init(&ci, 42);
    gen_thousand_events(&ci);
    assert_int_equal(ci.pulse, 999);
}

/* ---- Song Position Pointer and CONTINUE ---- */

/* At the position: SPP and CONTINUE passed on. */
static void spp_and_continue_passed_on(const Ci *ci, uint32_t s)
{
    (void)ci;
    (void)s;
    assert_int_equal(bufs[0].count, 2);
}

/* SPP at sixteenth s then CONTINUE plays what a run from START plays from
 * that pulse on, at the same frames: drums, key note and the seeded
 * arpeggio (also after a live reseed to the same seed). */
static void test_song_position_resumes_the_song(void **state)
{
    (void)state;
    static const uint32_t sixteenths[] = {0, 1, 2, 3, 4, 5, 15, 16, 17, 33, 100, 1001};
    song_positions_resume(sixteenths, sizeof sixteenths / sizeof sixteenths[0], 808, 1, 400,
                          spp_and_continue_passed_on);
}

/* Played, stopped, located back and continued: the same bars again. */
static void test_song_position_replays_after_stop(void **state)
{
    (void)state;
    Ci ci;
    song_replay_after_stop(&ci, 2024, 21, 400);
}

/* CONTINUE without SPP resumes at the pulse where STOP left off. */
static void test_continue_resumes_where_stopped(void **state)
{
    (void)state;
    for (uint32_t stop_at = 1; stop_at < 200; stop_at += 13) {
        Ci ci;
        song_stop_at(&ci, 17, stop_at, 300);
        song_continue(&ci, stop_at);
        assert_int_equal(bufs[0].count, 1);
        song_resume(&ci, stop_at, 300);
    }
}

/* The state after SPP equals the state after START and as many clocks,
 * up to the largest position. */
static void test_song_position_state_up_to_the_end(void **state)
{
    (void)state;
    static const uint32_t sixteenths[] = {1, 5, 16, 999, 16383};
    for (size_t i = 0; i < sizeof sixteenths / sizeof sixteenths[0]; i++) {
        uint32_t s = sixteenths[i];
        Ci a, b;
        song_two_ways(&a, &b, 42, s);
        assert_int_equal(a.pulse, b.pulse);
        assert_memory_equal(&a.rng, &b.rng, sizeof a.rng);
        for (int t = 0; t < CI_TRACKS; t++) {
            assert_int_equal(a.track[t].wait, b.track[t].wait);
            assert_int_equal(a.track[t].gate, b.track[t].gate);
            assert_int_equal(a.track[t].length, b.track[t].length);
            assert_int_equal(a.track[t].on_len, b.track[t].on_len);
            assert_int_equal(a.track[t].index, b.track[t].index);
            assert_int_equal(a.track[t].total, b.track[t].total);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drum_patterns),
        cmocka_unit_test(test_drums_exact_bytes),
        cmocka_unit_test(test_bass_key_note),
        cmocka_unit_test(test_key_note_from_channel_1),
        cmocka_unit_test(test_arpeggio),
        cmocka_unit_test(test_routing_table),
        cmocka_unit_test(test_bad_input_counted),
        cmocka_unit_test(test_bass_channel_16_has_no_second),
        cmocka_unit_test(test_shared_port),
        cmocka_unit_test(test_setup_dests),
        cmocka_unit_test(test_shutdown_while_playing),
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_property_no_stuck_notes),
        cmocka_unit_test(test_thousand_events_one_cycle),
        cmocka_unit_test(test_property_overflowing_buffers),
        cmocka_unit_test(test_song_position_resumes_the_song),
        cmocka_unit_test(test_song_position_replays_after_stop),
        cmocka_unit_test(test_continue_resumes_where_stopped),
        cmocka_unit_test(test_song_position_state_up_to_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
