/* test_mothergen.c - unit tests of the mothergen core against docs/mothergen.md:
 * routing tables (exact bytes, channels, frame offsets), transport, the
 * set-up/shutdown silencing, the sequencers' patterns and distributions,
 * seeding, bad input and stuck-note properties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clients/mothergen/mothergen.h"
#define GEN_DESTS MG_DEST_COUNT
#define GEN_CORE Mg
#define GEN_EVENT mg_event
#define GEN_PROCESS mg_process
#define GEN_SET_SEED mg_set_seed
#include "gen_harness.h"
#include "mothergen_config.h"

#include <stdio.h>
#include <string.h>

/* mg_test_config(42) with seed. */
static void gen_init(Mg *mg, uint64_t seed)
{
    MgConfig cfg = mg_test_config(42);
    cfg.seed = seed;
    mg_init(mg, &cfg);
}

/* Expected event: size 0 ends a list. */

/* ---- routing: one table row = config + input -> exact outputs ---- */

typedef struct {
    const char *name;
    bool start_stop;
    MgPortamento porta;
    int porta_max;
    Ev in[6];
    Ev red[8], blue[8], green[16];
    int key;          /* expected key afterwards */
    uint32_t ignored; /* expected ignored_channel count */
    uint32_t bad;     /* expected unhandled + malformed count */
} RouteCase;

#define CC3(f, ch, n, v)                                                                           \
    {                                                                                              \
        f, 3,                                                                                      \
        {                                                                                          \
            0xB0 | (ch), n, v                                                                      \
        }                                                                                          \
    }
static const RouteCase route_cases[] = {
    {"mod wheel, rez: CC1 to red, portamento on to all",
     true,
     MG_PORTA_REZ,
     32,
     {{5, 3, {0xB0, 1, 64}}},
     {CC3(5, 1, 1, 64), CC3(5, 1, 65, 127), CC3(5, 1, 5, 16)},
     {CC3(5, 2, 65, 127), CC3(5, 2, 5, 16)},
     {CC3(5, 3, 65, 127), CC3(5, 3, 5, 16)},
     5,
     0,
     0},
    {"mod wheel 0, resonance: portamento off to all",
     true,
     MG_PORTA_RESONANCE,
     32,
     {{7, 3, {0xB0, 1, 0}}},
     {CC3(7, 1, 1, 0), CC3(7, 1, 65, 0), CC3(7, 1, 5, 0)},
     {CC3(7, 2, 65, 0), CC3(7, 2, 5, 0)},
     {CC3(7, 3, 65, 0), CC3(7, 3, 5, 0)},
     5,
     0,
     0},
    {"mod wheel 127, modwheel mode, max 127",
     true,
     MG_PORTA_MODWHEEL,
     127,
     {{0, 3, {0xB0, 1, 127}}},
     {CC3(0, 1, 1, 127), CC3(0, 1, 65, 127), CC3(0, 1, 5, 127)},
     {CC3(0, 2, 65, 127), CC3(0, 2, 5, 127)},
     {CC3(0, 3, 65, 127), CC3(0, 3, 5, 127)},
     5,
     0,
     0},
    {"mod wheel 100, max 88: CC5 = 88 * 100 / 127 = 69",
     true,
     MG_PORTA_REZ,
     88,
     {{3, 3, {0xB0, 1, 100}}},
     {CC3(3, 1, 1, 100), CC3(3, 1, 65, 127), CC3(3, 1, 5, 69)},
     {CC3(3, 2, 65, 127), CC3(3, 2, 5, 69)},
     {CC3(3, 3, 65, 127), CC3(3, 3, 5, 69)},
     5,
     0,
     0},
    {"mod wheel, portamento off: red CC1 only",
     true,
     MG_PORTA_OFF,
     32,
     {{9, 3, {0xB0, 1, 90}}},
     {CC3(9, 1, 1, 90)},
     {{0}},
     {{0}},
     5,
     0,
     0},
    {"expression CC11 -> blue CC1",
     true,
     MG_PORTA_REZ,
     32,
     {{11, 3, {0xB0, 11, 77}}},
     {{0}},
     {CC3(11, 2, 1, 77)},
     {{0}},
     5,
     0,
     0},
    {"sustain and all-notes-off to all",
     true,
     MG_PORTA_REZ,
     32,
     {{1, 3, {0xB0, 64, 127}}, {2, 3, {0xB0, 123, 0}}},
     {CC3(1, 1, 64, 127), CC3(2, 1, 123, 0)},
     {CC3(1, 2, 64, 127), CC3(2, 2, 123, 0)},
     {CC3(1, 3, 64, 127), CC3(2, 3, 123, 0)},
     5,
     0,
     0},
    {"pitch bend to all on their channels",
     true,
     MG_PORTA_REZ,
     32,
     {{13, 3, {0xE0, 0x12, 0x34}}},
     {{13, 3, {0xE1, 0x12, 0x34}}},
     {{13, 3, {0xE2, 0x12, 0x34}}},
     {{13, 3, {0xE3, 0x12, 0x34}}},
     5,
     0,
     0},
    {"note-on transposes, makes no sound",
     true,
     MG_PORTA_REZ,
     32,
     {{4, 3, {0x90, 66, 100}}},
     {{0}},
     {{0}},
     {{0}},
     6,
     0,
     0},
    {"note-on velocity 0 is a note-off: no transposition",
     true,
     MG_PORTA_REZ,
     32,
     {{4, 3, {0x90, 62, 0}}, {5, 3, {0x80, 64, 0}}},
     {{0}},
     {{0}},
     {{0}},
     5,
     0,
     0},
    {"other channels are ignored",
     true,
     MG_PORTA_REZ,
     32,
     {{1, 3, {0x91, 62, 100}}, {2, 3, {0xB3, 1, 50}}, {3, 3, {0xEF, 0, 64}}},
     {{0}},
     {{0}},
     {{0}},
     5,
     3,
     0},
    {"unknown CC, program change, aftertouch: counted, no output",
     true,
     MG_PORTA_REZ,
     32,
     {{1, 3, {0xB0, 7, 100}}, {2, 2, {0xC0, 5, 0}}, {3, 2, {0xD0, 9, 0}}},
     {{0}},
     {{0}},
     {{0}},
     5,
     0,
     3},
    {"truncated, stray data, sysex: counted, no output",
     true,
     MG_PORTA_REZ,
     32,
     {{1, 2, {0x90, 64, 0}},
      {2, 3, {0x40, 0x40, 0x40}},
      {3, 3, {0xF0, 0x7E, 0x7F}},
      {4, 3, {0xB0, 0x81, 1}},
      {5, 0, {0}}},
     {{0}},
     {{0}},
     {{0}},
     5,
     0,
     5},
    {"clock while stopped: forwarded once per port, no notes",
     true,
     MG_PORTA_REZ,
     32,
     {{8, 1, {0xF8}}},
     {{8, 1, {0xF8}}},
     {{8, 1, {0xF8}}},
     {{8, 1, {0xF8}}},
     5,
     0,
     0},
    {"stop: STOP forwarded, CC123 to every destination",
     true,
     MG_PORTA_REZ,
     32,
     {{6, 1, {0xFC}}},
     {{6, 1, {0xFC}}, CC3(6, 1, 123, 0)},
     {{6, 1, {0xFC}}, CC3(6, 2, 123, 0)},
     {{6, 1, {0xFC}}, CC3(6, 3, 123, 0)},
     5,
     0,
     0},
    {"stop without start-stop: CC123 only",
     false,
     MG_PORTA_REZ,
     32,
     {{6, 1, {0xFC}}},
     {CC3(6, 1, 123, 0)},
     {CC3(6, 2, 123, 0)},
     {CC3(6, 3, 123, 0)},
     5,
     0,
     0},
    {"start: START forwarded, Subharmonicon preamble",
     true,
     MG_PORTA_REZ,
     32,
     {{2, 1, {0xFA}}},
     {{2, 1, {0xFA}}},
     {{2, 1, {0xFA}}},
     {{2, 1, {0xFA}},
      CC3(2, 3, 4, 64),
      CC3(2, 3, 36, 64),
      CC3(2, 3, 12, 38),
      CC3(2, 3, 44, 64),
      CC3(2, 3, 23, 0),
      CC3(2, 3, 55, 0),
      CC3(2, 3, 24, 8),
      CC3(2, 3, 56, 0),
      CC3(2, 3, 28, 8),
      CC3(2, 3, 60, 0),
      CC3(2, 3, 29, 8),
      CC3(2, 3, 61, 0)},
     5,
     0,
     0},
    {"start without start-stop: preamble only",
     false,
     MG_PORTA_REZ,
     32,
     {{2, 1, {0xFA}}},
     {{0}},
     {{0}},
     {CC3(2, 3, 4, 64), CC3(2, 3, 36, 64), CC3(2, 3, 12, 38), CC3(2, 3, 44, 64), CC3(2, 3, 23, 0),
      CC3(2, 3, 55, 0), CC3(2, 3, 24, 8), CC3(2, 3, 56, 0), CC3(2, 3, 28, 8), CC3(2, 3, 60, 0),
      CC3(2, 3, 29, 8), CC3(2, 3, 61, 0)},
     5,
     0,
     0},
    {"song position while stopped: passed on; active sensing: no output",
     true,
     MG_PORTA_REZ,
     32,
     {{2, 3, {0xF2, 5, 1}}, {3, 1, {0xFE}}},
     {{2, 3, {0xF2, 5, 1}}},
     {{2, 3, {0xF2, 5, 1}}},
     {{2, 3, {0xF2, 5, 1}}},
     5,
     0,
     0},
    {"continue: passed on, green preamble; then song position and continue while running: no job",
     true,
     MG_PORTA_REZ,
     32,
     {{1, 1, {0xFB}}, {2, 3, {0xF2, 0, 0}}, {3, 1, {0xFB}}},
     {{1, 1, {0xFB}}},
     {{1, 1, {0xFB}}},
     {{1, 1, {0xFB}},
      CC3(1, 3, 4, 64),
      CC3(1, 3, 36, 64),
      CC3(1, 3, 12, 38),
      CC3(1, 3, 44, 64),
      CC3(1, 3, 23, 0),
      CC3(1, 3, 55, 0),
      CC3(1, 3, 24, 8),
      CC3(1, 3, 56, 0),
      CC3(1, 3, 28, 8),
      CC3(1, 3, 60, 0),
      CC3(1, 3, 29, 8),
      CC3(1, 3, 61, 0)},
     5,
     0,
     2},
    {"continue and song position without start-stop: only green's preamble",
     false,
     MG_PORTA_REZ,
     32,
     {{1, 3, {0xF2, 1, 0}}, {2, 1, {0xFB}}},
     {{0}},
     {{0}},
     {CC3(2, 3, 4, 64), CC3(2, 3, 36, 64), CC3(2, 3, 12, 38), CC3(2, 3, 44, 64), CC3(2, 3, 23, 0),
      CC3(2, 3, 55, 0), CC3(2, 3, 24, 8), CC3(2, 3, 56, 0), CC3(2, 3, 28, 8), CC3(2, 3, 60, 0),
      CC3(2, 3, 29, 8), CC3(2, 3, 61, 0)},
     5,
     0,
     0},
};

static void test_routing_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof route_cases / sizeof route_cases[0]; i++) {
        const RouteCase *c = &route_cases[i];
        print_message("case: %s\n", c->name);
        MgConfig cfg = mg_test_config(42);
        cfg.start_stop = c->start_stop;
        cfg.portamento = c->porta;
        cfg.portamento_max = c->porta_max;
        Mg mg;
        mg_init(&mg, &cfg);
        outputs(false);
        AtMidiEvent in[6];
        size_t n = 0;
        for (; n < 6; n++) {
            const Ev *e = &c->in[n];
            if (e->frame == 0 && e->size == 0 && e->b[0] == 0)
                break; /* an all-zero entry ends the list */
            in[n] = mk(e->frame, e->size, e->b[0], e->b[1], e->b[2]);
        }
        mg_process(&mg, in, n, out);
        expect_events(&bufs[MG_RED], c->red, "red");
        expect_events(&bufs[MG_BLUE], c->blue, "blue");
        expect_events(&bufs[MG_GREEN], c->green, "green");
        assert_int_equal(mg.cfg.key, c->key);
        assert_int_equal(mg.key_changed, c->key != 5);
        assert_int_equal(mg.ignored_channel, c->ignored);
        assert_int_equal(mg.unhandled + mg.malformed, c->bad);
    }
}

/* ---- shared ports, set-up and shutdown ---- */

static void test_shared_port_clock_once(void **state)
{
    (void)state;
    Mg mg;
    gen_fresh(&mg, 42, true);
    send(&mg, 3, 1, 0xF8, 0, 0);
    send(&mg, 4, 1, 0xFA, 0, 0);
    send(&mg, 9, 1, 0xFC, 0, 0);
    int clocks = 0, starts = 0, stops = 0;
    for (size_t i = 0; i < bufs[0].count; i++) {
        clocks += bufs[0].events[i].data[0] == 0xF8;
        starts += bufs[0].events[i].data[0] == 0xFA;
        stops += bufs[0].events[i].data[0] == 0xFC;
    }
    assert_int_equal(clocks, 1);
    assert_int_equal(starts, 1);
    assert_int_equal(stops, 1);
    /* CC123 still reaches each channel on the shared port. */
    int cc123 = 0;
    for (size_t i = 0; i < bufs[0].count; i++)
        cc123 += bufs[0].events[i].size == 3 && (bufs[0].events[i].data[0] & 0xF0) == 0xB0 &&
                 bufs[0].events[i].data[1] == 123;
    assert_int_equal(cc123, 3);
}

static void test_setup_separate_ports(void **state)
{
    (void)state;
    Mg mg;
    gen_fresh(&mg, 42, false);
    mg_setup_dests(&mg, 1u << MG_BLUE, 0, out);
    static const Ev blue[] = {{0, 1, {0xFC}},  CC3(0, 2, 64, 0), CC3(0, 2, 123, 0),
                              CC3(0, 2, 1, 0), CC3(0, 2, 65, 0), CC3(0, 2, 5, 0),
                              {0, 0, {0}}};
    static const Ev none[] = {{0, 0, {0}}};
    expect_events(&bufs[MG_BLUE], blue, "blue");
    expect_events(&bufs[MG_RED], none, "red");
    expect_events(&bufs[MG_GREEN], none, "green");
}

static void test_setup_shared_port(void **state)
{
    (void)state;
    MgConfig cfg = mg_test_config(42);
    cfg.start_stop = true;
    Mg mg;
    mg_init(&mg, &cfg);
    outputs(true);
    mg_setup_dests(&mg, 7, 10, out);
    static const Ev want[] = {{10, 1, {0xFC}},    CC3(10, 1, 64, 0),  CC3(10, 1, 123, 0),
                              CC3(10, 2, 64, 0),  CC3(10, 2, 123, 0), CC3(10, 3, 64, 0),
                              CC3(10, 3, 123, 0), CC3(10, 1, 1, 0),   CC3(10, 2, 1, 0),
                              CC3(10, 3, 1, 0),   CC3(10, 1, 65, 0),  CC3(10, 2, 65, 0),
                              CC3(10, 3, 65, 0),  CC3(10, 1, 5, 0),   CC3(10, 2, 5, 0),
                              CC3(10, 3, 5, 0),   {0, 0, {0}}};
    expect_events(&bufs[0], want, "shared");
}

static void test_setup_without_start_stop(void **state)
{
    (void)state;
    MgConfig cfg = mg_test_config(42);
    cfg.start_stop = false;
    Mg mg;
    mg_init(&mg, &cfg);
    outputs(false);
    mg_setup_dests(&mg, 1u << MG_RED, 0, out);
    static const Ev red[] = {CC3(0, 1, 64, 0), CC3(0, 1, 123, 0), CC3(0, 1, 1, 0),
                             CC3(0, 1, 65, 0), CC3(0, 1, 5, 0),   {0, 0, {0}}};
    expect_events(&bufs[MG_RED], red, "red");
}

static void test_shutdown_releases_notes(void **state)
{
    (void)state;
    Mg mg;
    gen_fresh(&mg, 42, false);
    send(&mg, 0, 1, 0xFA, 0, 0);
    send(&mg, 1, 1, 0xF8, 0, 0); /* pulse 0: every sequencer sounds a note */
    int red_note = mg.mother[0].sounding;
    assert_true(red_note >= 0);
    clear_outputs();
    mg_shutdown(&mg, 0, out);
    const Ev red[] = {{0, 3, {0x81, (uint8_t)red_note, 0}},
                      {0, 1, {0xFC}},
                      CC3(0, 1, 64, 0),
                      CC3(0, 1, 123, 0),
                      {0, 0, {0}}};
    expect_events(&bufs[MG_RED], red, "red");
    const Ev green[] = {
        {0, 3, {0x83, 65, 0}}, {0, 1, {0xFC}}, CC3(0, 3, 64, 0), CC3(0, 3, 123, 0), {0, 0, {0}}};
    expect_events(&bufs[MG_GREEN], green, "green");
    assert_false(mg.running);
}

/* ---- sequencers ---- */

/* A log of note events per destination decoded from the outputs of a run
 * where clock k (k = 0, 1, ...) is at frame k + 1 and START at frame 0. */
typedef struct {
    int pulse;
    bool on;
    int note;
    int velocity;
    int channel;
} NoteEv;

static size_t notes_of(const AtMidiBuf *b, NoteEv *log, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < b->count && n < max; i++) {
        const AtMidiEvent *e = &b->events[i];
        uint8_t t = e->data[0] & 0xF0;
        if (e->size != 3 || (t != 0x80 && t != 0x90))
            continue;
        NoteEv ne = {(int)e->frame - 1, t == 0x90 && e->data[2] > 0, e->data[1], e->data[2],
                     e->data[0] & 0x0F};
        log[n++] = ne;
    }
    return n;
}

static NoteEv notelog[CAP];

static void test_decay_walk_values(void **state)
{
    (void)state;
    static const int want[MG_DECAY_STEPS] = {20, 22, 24, 26, 28, 30, 32, 34, 36, 38,
                                             40, 42, 44, 46, 48, 48, 46, 44, 42, 40,
                                             38, 36, 34, 32, 30, 28, 26, 24, 22, 20};
    for (int i = 0; i < MG_DECAY_STEPS; i++)
        assert_int_equal(mg_decay_percent(i), want[i]);
    assert_int_equal(mg_decay_percent(MG_DECAY_STEPS), 20); /* cycles */
    assert_int_equal(mg_note_in_octave(5, 1), 29);          /* F1 */
    assert_int_equal(mg_note_in_octave(5, 4), 65);          /* F4 */
}

/* Each mother step: note-on at pulse p, note-off at p + round(L * decay_k),
 * next note-on at p + L with L in {12, 24}; decay_k follows the walk; the
 * note is key + 12 * (octave + 1) + interval. Checked on both mothers. */
static void check_mother_steps(MgDest d, int key, int pulses, int *octaves, int *lengths,
                               int *intervals, int *steps)
{
    size_t n = notes_of(&bufs[d], notelog, CAP);
    int k = 0;
    for (size_t i = 0; i + 2 < n; i += 2) {
        NoteEv on = notelog[i], off = notelog[i + 1], next = notelog[i + 2];
        assert_true(on.on);
        assert_false(off.on);
        assert_true(next.on);
        assert_int_equal(on.note, off.note);
        assert_int_equal(on.velocity, MG_VELOCITY);
        assert_int_equal(on.channel, 1 + d);
        int len = next.pulse - on.pulse;
        assert_true(len == 12 || len == 24);
        int decay = mg_decay_percent(k);
        int gate = (len * decay + 50) / 100;
        assert_int_equal(off.pulse - on.pulse, gate);
        int rel = on.note - key - 12;
        int oct = rel / 12, interval = rel % 12;
        assert_in_range(oct, 1, 6);
        assert_true(interval == 0 || interval == 5 || interval == 7 || interval == 10);
        octaves[oct]++;
        lengths[len]++;
        intervals[interval]++;
        k++;
    }
    assert_int_equal(notelog[0].pulse, 0);
    assert_true(k > pulses / 25);
    *steps += k;
}

static void test_mother_steps_and_distributions(void **state)
{
    (void)state;
    MgConfig cfg = mg_test_config(42);
    cfg.seed = 7;
    Mg mg;
    mg_init(&mg, &cfg);
    outputs(false);
    int pulses = 24 * 4 * 600;
    run_pulses(&mg, pulses);
    int octaves[8] = {0}, lengths[25] = {0}, intervals[12] = {0}, steps = 0;
    check_mother_steps(MG_RED, 5, pulses, octaves, lengths, intervals, &steps);
    check_mother_steps(MG_BLUE, 5, pulses, octaves, lengths, intervals, &steps);
    /* Uniform octaves 1..6; lengths 24:12 = 4:2; intervals 0:7:5:10 =
     * 10:4:2:1. Tolerances are many standard deviations wide. */
    double n = steps;
    for (int o = 1; o <= 6; o++)
        assert_in_range(octaves[o], (int)(n / 6 * 0.9), (int)(n / 6 * 1.1));
    assert_in_range(lengths[24], (int)(n * 4 / 6 * 0.95), (int)(n * 4 / 6 * 1.05));
    assert_in_range(intervals[0], (int)(n * 10 / 17 * 0.93), (int)(n * 10 / 17 * 1.07));
    assert_in_range(intervals[7], (int)(n * 4 / 17 * 0.88), (int)(n * 4 / 17 * 1.12));
    assert_in_range(intervals[5], (int)(n * 2 / 17 * 0.85), (int)(n * 2 / 17 * 1.15));
    assert_in_range(intervals[10], (int)(n / 17 * 0.8), (int)(n / 17 * 1.2));
}

/* The Subharmonicon: key in octave 4 held 36 pulses (off then on at each
 * loop start), dividers 13, 21, ..., 125, 127, 13, ... at +12 (CC103/104)
 * and +24 (CC105/106). */
static void test_green_loop(void **state)
{
    (void)state;
    Mg mg;
    gen_fresh(&mg, 42, false);
    int loops = 18;
    run_pulses(&mg, loops * MG_GREEN_LOOP);
    const AtMidiBuf *g = &bufs[MG_GREEN];
    size_t i = 13; /* after START and the preamble (checked in the routing table) */
    for (int l = 0; l < loops; l++) {
        uint32_t base = (uint32_t)(l * MG_GREEN_LOOP) + 1;
        int value = l % 16 == 15 ? 127 : 8 * (l % 16 + 1) + 5;
        Ev want[8] = {{0}};
        int w = 0;
        if (l > 0)
            want[w++] = (Ev){base, 3, {0x83, 65, 0}};
        want[w++] = (Ev){base, 3, {0x93, 65, 64}};
        want[w++] = (Ev){base + 12, 3, {0xB3, 103, (uint8_t)value}};
        want[w++] = (Ev){base + 12, 3, {0xB3, 104, (uint8_t)value}};
        want[w++] = (Ev){base + 24, 3, {0xB3, 105, (uint8_t)value}};
        want[w++] = (Ev){base + 24, 3, {0xB3, 106, (uint8_t)value}};
        for (int j = 0; j < w; j++) {
            while (i < g->count && g->events[i].size == 1)
                i++; /* clocks */
            assert_true(i < g->count);
            assert_int_equal(g->events[i].frame, want[j].frame);
            assert_memory_equal(g->events[i].data, want[j].b, 3);
            i++;
        }
    }
}

/* A note-on transposes every sequencer from its next note on. */
static void test_transpose(void **state)
{
    (void)state;
    MgConfig cfg = mg_test_config(42);
    Mg mg;
    mg_init(&mg, &cfg);
    outputs(false);
    run_pulses(&mg, 10);
    send(&mg, 11, 3, 0x90, 50, 90); /* D3 -> key D */
    assert_int_equal(mg.cfg.key, 2);
    assert_true(mg.key_changed);
    for (int k = 10; k < 300; k++)
        send(&mg, (uint32_t)k + 1, 1, 0xF8, 0, 0);
    size_t n = notes_of(&bufs[MG_GREEN], notelog, CAP);
    assert_int_equal(notelog[0].note, 65); /* F4, before */
    int ons = 0;
    for (size_t i = 1; i < n; i++) {
        if (notelog[i].on) {
            assert_int_equal(notelog[i].note, 62); /* D4 */
            ons++;
        } else {
            /* the note-off is for the note that sounded */
            assert_int_equal(notelog[i].note, i == 1 ? 65 : 62);
        }
    }
    assert_true(ons >= 7);
    n = notes_of(&bufs[MG_RED], notelog, CAP);
    for (size_t i = 0; i < n; i++)
        if (notelog[i].on && notelog[i].pulse > 10)
            assert_true((notelog[i].note - 2) % 12 == 0 || (notelog[i].note - 2) % 12 == 5 ||
                        (notelog[i].note - 2) % 12 == 7 || (notelog[i].note - 2) % 12 == 10);
}

/* Outputs keep the frame offset of the clock that caused them, also when
 * many clocks share one cycle. */
static void test_zero_latency_offsets(void **state)
{
    (void)state;
    Mg mg;
    gen_fresh(&mg, 42, false);
    static const uint32_t frames[] = {17, 100, 101, 255};
    send(&mg, 3, 1, 0xFA, 0, 0);
    for (size_t k = 0; k < 4; k++)
        send(&mg, frames[k], 1, 0xF8, 0, 0);
    for (int d = 0; d < MG_DEST_COUNT; d++) {
        const AtMidiBuf *b = &bufs[d];
        for (size_t i = 0; i < b->count; i++) {
            uint32_t f = b->events[i].frame;
            assert_true(f == 3 || f == 17 || f == 100 || f == 101 || f == 255);
            if (i > 0)
                assert_true(b->events[i - 1].frame <= f);
        }
    }
    /* pulse 0 is the first clock after START: the first notes are there */
    assert_int_equal(bufs[MG_RED].events[2].frame, 17);
    assert_int_equal(bufs[MG_RED].events[2].data[0], 0x91);
}

static void test_thousand_events_one_cycle(void **state)
{
    (void)state;
    Mg mg;
    gen_init(&mg, 42);
    const AtMidiBuf *b = gen_thousand_events(&mg);
    for (int d = 0; d < MG_DEST_COUNT; d++) {
        int clocks = 0;
        for (size_t i = 0; i < b[d].count; i++)
            clocks += b[d].events[i].data[0] == 0xF8;
        assert_int_equal(clocks, 999);
    }
    assert_int_equal(mg.pulse, 999);
}

/* ---- seeds ---- */

static void test_same_seed_same_stream(void **state)
{
    (void)state;
    seeds_repeat(1234, true, 0, 2000);
}

static void test_reseed_replays(void **state)
{
    (void)state;
    seed_live(5, 99, true, 0, 2000);
}

/* ---- properties: no stuck notes, outputs in range ---- */

/* Random input: clocks, transport, notes, CCs, bends, garbage, any channel. */
static uint8_t mostly_channel_1(AtRand *r)
{
    return (uint8_t)(at_rand_below(r, 4) == 0 ? at_rand_below(r, 16) : 0);
}

static AtMidiEvent random_event(AtRand *r, uint32_t frame)
{
    static const RndKind kinds[] = {
        RND_CLOCK, RND_CLOCK, RND_CLOCK,   RND_CLOCK,    RND_CLOCK, RND_CLOCK,   RND_CLOCK,
        RND_CLOCK, RND_CLOCK, RND_CLOCK,   RND_START,    RND_STOP,  RND_NOTE_ON, RND_NOTE_OFF,
        RND_CC,    RND_BEND,  RND_GARBAGE, RND_CONTINUE, RND_SPP,   RND_SENSING};
    static const uint8_t ccs[] = {1, 11, 64, 123, 7, 5, 65};
    static const RndMix mix = {kinds, 20, mostly_channel_1, 0x0F, ccs, sizeof ccs};
    return random_mix(&mix, r, frame);
}

/* Channel messages on a channel of a destination in the buffer (ctx is
 * the MgConfig); note-ons at the configured velocity. */
static void check_channel_velocity(const void *ctx, bool shared, int d, const AtMidiEvent *e)
{
    const MgConfig *cfg = ctx;
    if (e->size == 3 && e->data[0] < 0xF0) { /* a channel message */
        int ch = e->data[0] & 0x0F;
        bool ours = false;
        for (int x = 0; x < MG_DEST_COUNT; x++)
            ours |= (shared || x == d) && cfg->channel[x] == ch;
        assert_true(ours);
    }
    if ((e->data[0] & 0xF0) == 0x90)
        assert_int_equal(e->data[2], MG_VELOCITY);
}

static void test_property_no_stuck_notes(void **state)
{
    (void)state;
    AtRand r;
    at_rand_seed(&r, 2024);
    for (int trial = 0; trial < 300; trial++) {
        MgConfig cfg = mg_test_config(42);
        cfg.seed = at_rand_next(&r);
        cfg.start_stop = at_rand_below(&r, 2);
        cfg.portamento = (MgPortamento)at_rand_below(&r, 4);
        cfg.portamento_max = (int)at_rand_below(&r, 128);
        cfg.key = (int)at_rand_below(&r, 12);
        bool same_channel = at_rand_below(&r, 4) == 0;
        for (int d = 0; d < MG_DEST_COUNT; d++)
            cfg.channel[d] = (uint8_t)(same_channel ? 5 : at_rand_below(&r, 16));
        bool shared = at_rand_below(&r, 2);
        Mg mg;
        mg_init(&mg, &cfg);
        outputs(shared);
        int n = (int)at_rand_below(&r, 3000);
        gen_feed_random(&mg, &r, n, random_event);
        gen_check_balance(shared, false, check_channel_velocity, &cfg);
        /* STOP (or shutdown) releases everything. */
        if (trial % 2)
            send(&mg, (uint32_t)n, 1, 0xFC, 0, 0);
        else
            mg_shutdown(&mg, (uint32_t)n, out);
        gen_check_balance(shared, true, check_channel_velocity, &cfg);
        assert_int_equal(mg.mother[0].sounding, -1);
        assert_int_equal(mg.green.sounding, -1);
        /* Clocks after STOP make no notes. */
        size_t before = bufs[0].count;
        send(&mg, (uint32_t)n + 1, 1, 0xF8, 0, 0);
        assert_int_equal(bufs[0].count, before + 1);
    }
}

/* Output buffers that overflow every cycle drop events, yet no note is
 * left sounding: an owed note-off is retried and blocks the next note. */
static void test_property_overflowing_buffers(void **state)
{
    (void)state;
    gen_overflowing_buffers(77, random_event);
}

/* A full output buffer drops events, but a dropped note-off is retried so
 * nothing sticks once room is back. */
static void test_full_buffer_no_stuck_note(void **state)
{
    (void)state;
    Mg mg;
    gen_fresh(&mg, 42, false);
    run_pulses(&mg, 5);
    int note = mg.mother[0].sounding;
    assert_true(note >= 0);
    bufs[MG_RED].capacity = bufs[MG_RED].count; /* full */
    send(&mg, 100, 1, 0xFC, 0, 0);
    assert_int_equal(mg.mother[0].sounding, note); /* still owed */
    bufs[MG_RED].capacity = CAP;
    clear_outputs();
    send(&mg, 101, 1, 0xFC, 0, 0);
    assert_int_equal(mg.mother[0].sounding, -1);
    assert_int_equal(bufs[MG_RED].events[0].data[0], 0x81);
    assert_int_equal(bufs[MG_RED].events[0].data[1], note);
}

static void test_restart_releases_notes(void **state)
{
    (void)state;
    Mg mg;
    gen_fresh(&mg, 42, false);
    run_pulses(&mg, 2); /* gates last at least 2 pulses */
    int note = mg.mother[1].sounding;
    assert_true(note >= 0);
    clear_outputs();
    send(&mg, 50, 1, 0xFA, 0, 0);
    assert_int_equal(bufs[MG_BLUE].events[0].data[0], 0x82);
    assert_int_equal(bufs[MG_BLUE].events[0].data[1], note);
    assert_int_equal(bufs[MG_BLUE].events[1].data[0], 0xFA);
    assert_int_equal(mg.pulse, 0);
}

/* ---- Song Position Pointer and CONTINUE ---- */

/* At the position: SPP and CONTINUE passed on, green's preamble. */
static void spp_continue_and_preamble(const Mg *mg, uint32_t s)
{
    (void)mg;
    assert_int_equal(bufs[0].count, 2 + 12);
    assert_int_equal(bufs[0].events[0].data[0], 0xF2);
    assert_int_equal(bufs[0].events[0].data[1], s & 0x7F);
    assert_int_equal(bufs[0].events[0].data[2], s >> 7);
    assert_int_equal(bufs[0].events[1].data[0], 0xFB);
    assert_int_equal(bufs[0].events[2].data[0], 0xB3);
}

/* SPP at the sixteenth s then CONTINUE on a fresh core (or one reseeded
 * live to the seed) plays exactly what a run from START plays from that
 * pulse on, at the same frames: the notes begun before the position are
 * not replayed, everything from it on is. */
static void test_song_position_resumes_the_song(void **state)
{
    (void)state;
    static const uint32_t sixteenths[] = {0, 1, 2, 3, 5, 6, 17, 40, 100, 333};
    song_positions_resume(sixteenths, sizeof sixteenths / sizeof sixteenths[0], 77, 3, 600,
                          spp_continue_and_preamble);
}

/* The same song twice in one run: play, STOP, locate back, CONTINUE. The
 * position counts from the last START, not from where the generator is. */
static void test_song_position_replays_after_stop(void **state)
{
    (void)state;
    uint32_t s = 24, pos = 6 * s, n = 500;
    Mg mg;
    song_replay_after_stop(&mg, 4242, s, n);
    /* A new START begins a new song: the generator goes on. */
    send(&mg, 0, 1, 0xFA, 0, 0);
    at_midi_buf_clear(&bufs[0]);
    song_nb = 0;
    memset(held, 0, sizeof held);
    song_clocks(&mg, 0, pos + n, song_b, &song_nb, pos);
    assert_true(song_na != song_nb || memcmp(song_a, song_b, song_na * sizeof song_a[0]) != 0);
}

/* CONTINUE without a song position resumes where STOP left off, at any
 * pulse: the notes from there on are those of an uninterrupted run. */
static void test_continue_resumes_where_stopped(void **state)
{
    (void)state;
    for (uint32_t stop_at = 1; stop_at < 80; stop_at += 7) {
        Mg mg;
        song_stop_at(&mg, 9, stop_at, 300);
        assert_int_equal(mg.pulse, stop_at);
        song_continue(&mg, stop_at);
        assert_int_equal(bufs[0].events[0].data[0], 0xFB);
        song_resume(&mg, stop_at, 300);
    }
}

/* The state after SPP equals the state after START and that many clocks,
 * up to the largest position (16383 sixteenths). */
static void test_song_position_state_up_to_the_end(void **state)
{
    (void)state;
    static const uint32_t sixteenths[] = {0, 1, 7, 1000, 4095, 16383};
    for (size_t i = 0; i < sizeof sixteenths / sizeof sixteenths[0]; i++) {
        uint32_t s = sixteenths[i];
        Mg a, b;
        song_two_ways(&a, &b, 31337, s);
        assert_int_equal(b.pulse, 6 * s);
        assert_int_equal(a.pulse, b.pulse);
        assert_memory_equal(&a.rng, &b.rng, sizeof a.rng);
        for (int m = 0; m < 2; m++) {
            assert_int_equal(a.mother[m].wait, b.mother[m].wait);
            assert_int_equal(a.mother[m].length, b.mother[m].length);
            assert_int_equal(a.mother[m].on_len, b.mother[m].on_len);
            assert_int_equal(a.mother[m].decay, b.mother[m].decay);
            assert_int_equal(a.mother[m].gate, b.mother[m].gate);
        }
        assert_int_equal(a.green.pos, b.green.pos);
        assert_int_equal(a.green.value, b.green.value);
        assert_int_equal(a.green.div_at, b.green.div_at);
        assert_int_equal(b.unhandled, 0);
    }
}

/* The convention: SPP while running and CONTINUE while running are not
 * obeyed (counted as having no job); the song goes on untouched. */
static void test_song_position_ignored_while_running(void **state)
{
    (void)state;
    song_reference(5, 0, 200);
    Mg mg;
    gen_init(&mg, 5);
    song_begin();
    send(&mg, 0, 1, 0xFA, 0, 0);
    song_take(&song_nb, song_b, 0);
    song_clocks(&mg, 0, 100, song_b, &song_nb, 0);
    send(&mg, 101, 3, 0xF2, 8, 0);
    send(&mg, 101, 1, 0xFB, 0, 0);
    assert_int_equal(bufs[0].count, 0);
    assert_int_equal(mg.unhandled, 2);
    song_clocks(&mg, 100, 100, song_b, &song_nb, 0);
    assert_same_song();
}

static void test_live_setters(void **state)
{
    (void)state;
    MgConfig cfg = mg_test_config(42);
    Mg mg;
    mg_init(&mg, &cfg);
    outputs(false);
    mg_set_key(&mg, 11);
    mg_set_key(&mg, 12); /* ignored */
    assert_int_equal(mg.cfg.key, 11);
    mg_set_portamento(&mg, MG_PORTA_OFF);
    send(&mg, 0, 3, 0xB0, 1, 10);
    assert_int_equal(bufs[MG_RED].count, 1);
    mg_set_portamento(&mg, MG_PORTA_REZ);
    mg_set_portamento_max(&mg, 127);
    mg_set_portamento_max(&mg, 128); /* ignored */
    send(&mg, 0, 3, 0xB0, 1, 127);
    assert_int_equal(bufs[MG_RED].events[3].data[2], 127);
    mg_set_start_stop(&mg, false);
    clear_outputs();
    send(&mg, 0, 1, 0xFA, 0, 0);
    assert_int_equal(bufs[MG_RED].count, 0);
    send(&mg, 1, 1, 0xF8, 0, 0);
    /* key B: green plays B4 = 71 */
    assert_int_equal(mg.green.sounding, 71);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing_table),
        cmocka_unit_test(test_shared_port_clock_once),
        cmocka_unit_test(test_setup_separate_ports),
        cmocka_unit_test(test_setup_shared_port),
        cmocka_unit_test(test_setup_without_start_stop),
        cmocka_unit_test(test_shutdown_releases_notes),
        cmocka_unit_test(test_decay_walk_values),
        cmocka_unit_test(test_mother_steps_and_distributions),
        cmocka_unit_test(test_green_loop),
        cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_zero_latency_offsets),
        cmocka_unit_test(test_thousand_events_one_cycle),
        cmocka_unit_test(test_same_seed_same_stream),
        cmocka_unit_test(test_reseed_replays),
        cmocka_unit_test(test_property_no_stuck_notes),
        cmocka_unit_test(test_full_buffer_no_stuck_note),
        cmocka_unit_test(test_property_overflowing_buffers),
        cmocka_unit_test(test_restart_releases_notes),
        cmocka_unit_test(test_live_setters),
        cmocka_unit_test(test_song_position_resumes_the_song),
        cmocka_unit_test(test_song_position_replays_after_stop),
        cmocka_unit_test(test_continue_resumes_where_stopped),
        cmocka_unit_test(test_song_position_state_up_to_the_end),
        cmocka_unit_test(test_song_position_ignored_while_running),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
