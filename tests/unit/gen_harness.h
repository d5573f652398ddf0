/* gen_harness.h - what the unit tests of the MIDI generator cores
 * (test_circuits, test_mothergen) share: one output buffer per
 * destination (separate ports or all on one), events written as tables
 * and compared byte for byte, a note balance over buffers that overflow,
 * and the recording of a song from a song position (frames say which
 * clock pulse caused an event: pulse k at frame k + 1).
 *
 * Before including it (after cmocka.h) define GEN_DESTS (how many
 * destinations the core has), GEN_CORE (its type), GEN_EVENT and
 * GEN_PROCESS (its event and cycle calls), GEN_SET_SEED (its live reseed); the test file then
 * defines gen_init (the core in the file's usual configuration, with a seed). */
#ifndef AT_GEN_HARNESS_H
#define AT_GEN_HARNESS_H

#include "dest_bufs.h"
#include "note_balance.h"
#include "rand.h"

#include <stdbool.h>
#include <string.h>

#define CAP 65536
DEST_BUFS(GEN_DESTS, CAP);

/* Separate ports, or all destinations on one port (shared = true). */
static void outputs(bool shared)
{
    dest_bufs_init(bufs, out, &store[0][0], GEN_DESTS, CAP);
    if (shared)
        for (int d = 0; d < GEN_DESTS; d++)
            out[d] = &bufs[0];
}

static void clear_outputs(void)
{
    for (int d = 0; d < GEN_DESTS; d++)
        at_midi_buf_clear(&bufs[d]);
}

static AtMidiEvent mk(uint32_t frame, uint8_t size, uint8_t b0, uint8_t b1, uint8_t b2)
{
    AtMidiEvent e = {frame, size, {b0, b1, b2}};
    return e;
}

static void gen_init(GEN_CORE *core, uint64_t seed);

/* One event into core. */
static void send(GEN_CORE *core, uint32_t frame, uint8_t size, uint8_t b0, uint8_t b1, uint8_t b2)
{
    AtMidiEvent e = mk(frame, size, b0, b1, b2);
    GEN_EVENT(core, &e, out);
}

/* core in the file's configuration with seed, its outputs empty (all on
 * one port when shared). */
static void gen_fresh(GEN_CORE *core, uint64_t seed, bool shared)
{
    gen_init(core, seed);
    outputs(shared);
}

/* START at frame 0, clock k at frame k + 1: pulse = frame - 1. */
static void run_pulses(GEN_CORE *core, int pulses)
{
    send(core, 0, 1, 0xFA, 0, 0);
    for (int k = 0; k < pulses; k++)
        send(core, (uint32_t)k + 1, 1, 0xF8, 0, 0);
}

/* Expected event: size 0 ends a list. */
typedef struct {
    uint32_t frame;
    uint8_t size;
    uint8_t b[3];
} Ev;

/* b must hold exactly the events of want (what names it in messages). */
static void expect_events(const AtMidiBuf *b, const Ev *want, const char *what)
{
    size_t n = 0;
    while (want[n].size)
        n++;
    if (b->count != n) {
        for (size_t i = 0; i < b->count; i++)
            print_message("%s got[%zu] @%u %02x %02x %02x\n", what, i, b->events[i].frame,
                          b->events[i].data[0], b->events[i].data[1], b->events[i].data[2]);
    }
    assert_int_equal(b->count, n);
    for (size_t i = 0; i < n; i++) {
        const AtMidiEvent *e = &b->events[i];
        if (e->frame != want[i].frame || e->size != want[i].size ||
            memcmp(e->data, want[i].b, want[i].size) != 0)
            print_message("%s event %zu: got @%u %02x %02x %02x want @%u %02x %02x %02x\n", what, i,
                          e->frame, e->data[0], e->data[1], e->data[2], want[i].frame, want[i].b[0],
                          want[i].b[1], want[i].b[2]);
        assert_int_equal(e->frame, want[i].frame);
        assert_int_equal(e->size, want[i].size);
        assert_memory_equal(e->data, want[i].b, want[i].size);
    }
}

/* ---- seeds: the streams of buffer buf after START and some pulses ---- */

static AtMidiEvent seed_a[CAP], seed_b[CAP];

/* A core seeded with first and, when seed differs, reseeded live to seed;
 * what buffer buf holds after START and pulses, copied into dst. */
static size_t seed_run(uint64_t first, uint64_t seed, bool shared, int buf, int pulses,
                       AtMidiEvent *dst)
{
    GEN_CORE core;
    gen_init(&core, first);
    if (seed != first)
        GEN_SET_SEED(&core, seed);
    outputs(shared);
    run_pulses(&core, pulses);
    memcpy(dst, bufs[buf].events, bufs[buf].count * sizeof *dst);
    return bufs[buf].count;
}

/* The same seed gives the same stream (over 500 events), the next seed
 * another. */
static void seeds_repeat(uint64_t seed, bool shared, int buf, int pulses)
{
    size_t a = seed_run(seed, seed, shared, buf, pulses, seed_a);
    size_t b = seed_run(seed, seed, shared, buf, pulses, seed_b);
    assert_true(a > 500);
    assert_int_equal(a, b);
    assert_memory_equal(seed_a, seed_b, a * sizeof seed_a[0]);
    b = seed_run(seed + 1, seed + 1, shared, buf, pulses, seed_b);
    assert_true(a != b || memcmp(seed_a, seed_b, a * sizeof seed_a[0]) != 0);
}

/* A core seeded with other and reseeded live to seed plays seed's
 * stream. */
static void seed_live(uint64_t other, uint64_t seed, bool shared, int buf, int pulses)
{
    size_t a = seed_run(seed, seed, shared, buf, pulses, seed_a);
    size_t b = seed_run(other, seed, shared, buf, pulses, seed_b);
    assert_int_equal(b, a);
    assert_memory_equal(seed_b, seed_a, a * sizeof seed_a[0]);
}

/* ---- random input ---- */

/* The kinds of event random_mix makes. */
typedef enum {
    RND_CLOCK,
    RND_START,
    RND_STOP,
    RND_CONTINUE,
    RND_SENSING, /* active sensing, 0xFE */
    RND_NOTE_ON,
    RND_NOTE_OFF,
    RND_CC,
    RND_BEND,
    RND_GARBAGE, /* 1 to 3 random bytes */
    RND_SPP,
} RndKind;

/* A mix of random input: the kind is kinds[at_rand_below(r, n)], then the
 * channel is channel(r), then two data bytes 0..127; notes go to the
 * channel & note_mask; a CC's number is the first data byte, or one of
 * ccs[0..nccs) when there are any. */
typedef struct {
    const RndKind *kinds;
    uint32_t n;
    uint8_t (*channel)(AtRand *r);
    uint8_t note_mask;
    const uint8_t *ccs;
    uint32_t nccs;
} RndMix;

static AtMidiEvent random_mix(const RndMix *m, AtRand *r, uint32_t frame)
{
    RndKind kind = m->kinds[at_rand_below(r, m->n)];
    uint8_t ch = m->channel(r);
    uint8_t a = (uint8_t)at_rand_below(r, 128), b = (uint8_t)at_rand_below(r, 128);
    switch (kind) {
    case RND_CLOCK:
        return mk(frame, 1, 0xF8, 0, 0);
    case RND_START:
        return mk(frame, 1, 0xFA, 0, 0);
    case RND_STOP:
        return mk(frame, 1, 0xFC, 0, 0);
    case RND_CONTINUE:
        return mk(frame, 1, 0xFB, 0, 0);
    case RND_SENSING:
        return mk(frame, 1, 0xFE, 0, 0);
    case RND_NOTE_ON:
        return mk(frame, 3, (uint8_t)(0x90 | (ch & m->note_mask)), a, b);
    case RND_NOTE_OFF:
        return mk(frame, 3, (uint8_t)(0x80 | (ch & m->note_mask)), a, b);
    case RND_CC:
        return mk(frame, 3, (uint8_t)(0xB0 | ch), m->nccs ? m->ccs[at_rand_below(r, m->nccs)] : a,
                  b);
    case RND_BEND:
        return mk(frame, 3, (uint8_t)(0xE0 | ch), a, b);
    case RND_GARBAGE:
        return mk(frame, (uint8_t)(1 + at_rand_below(r, 3)), (uint8_t)at_rand_next(r),
                  (uint8_t)at_rand_next(r), (uint8_t)at_rand_next(r));
    case RND_SPP:
        return mk(frame, 3, 0xF2, a, (uint8_t)at_rand_below(r, 4));
    }
    fail_msg("unknown kind %d", (int)kind);
    return mk(frame, 0, 0, 0, 0);
}

/* n events from random_event(r, k) into core, event k at frame k. */
static void gen_feed_random(GEN_CORE *core, AtRand *r, int n,
                            AtMidiEvent (*random_event)(AtRand *r, uint32_t frame))
{
    for (int k = 0; k < n; k++) {
        AtMidiEvent e = random_event(r, (uint32_t)k);
        GEN_EVENT(core, &e, out);
    }
}

/* A test's own rule for each event of destination buffer d (every
 * destination is in buffer 0 when shared). */
typedef void GenCheck(const void *ctx, bool shared, int d, const AtMidiEvent *e);

/* What the buffers hold: every status byte >= 0x80 and data byte < 0x80,
 * check(ctx, ...) for every event, the note balance per (buffer, channel,
 * note) never below zero and, at_end, zero. */
static void gen_check_balance(bool shared, bool at_end, GenCheck *check, const void *ctx)
{
    static int bal[GEN_DESTS][16][128];
    memset(bal, 0, sizeof bal);
    int nbuf = shared ? 1 : GEN_DESTS;
    for (int d = 0; d < nbuf; d++) {
        for (size_t i = 0; i < bufs[d].count; i++) {
            const AtMidiEvent *e = &bufs[d].events[i];
            assert_true(e->data[0] >= 0x80);
            for (int j = 1; j < e->size; j++)
                assert_true(e->data[j] < 0x80);
            check(ctx, shared, d, e);
            uint8_t t = e->data[0] & 0xF0, ch = e->data[0] & 0x0F;
            if (t == 0x90) {
                bal[d][ch][e->data[1]]++;
            } else if (t == 0x80) {
                bal[d][ch][e->data[1]]--;
                assert_true(bal[d][ch][e->data[1]] >= 0);
            }
        }
    }
    if (!at_end)
        return;
    for (int d = 0; d < nbuf; d++)
        for (int c = 0; c < 16; c++)
            for (int n = 0; n < 128; n++)
                assert_int_equal(bal[d][c][n], 0);
}

/* The note balance of the overflowing-buffer property tests. */
static AtNoteBalance tiny_bal[GEN_DESTS];

static void flush_into_balance(void)
{
    note_balance_flush(tiny_bal, bufs, GEN_DESTS);
}

/* Output buffers that overflow every cycle drop events, yet no note is
 * left sounding: 100 cores seeded from rng_seed, 3000 events each from
 * random_event into buffers of 1 to 3 events, flushed every 5 events,
 * then STOP with room again: every note ended. */
static void gen_overflowing_buffers(uint64_t rng_seed,
                                    AtMidiEvent (*random_event)(AtRand *r, uint32_t frame))
{
    AtRand r;
    at_rand_seed(&r, rng_seed);
    for (int trial = 0; trial < 100; trial++) {
        GEN_CORE core;
        gen_init(&core, at_rand_next(&r));
        outputs(false);
        memset(tiny_bal, 0, sizeof tiny_bal);
        for (int d = 0; d < GEN_DESTS; d++)
            bufs[d].capacity = 1 + at_rand_below(&r, 3);
        for (int k = 0; k < 3000; k++) {
            AtMidiEvent e = random_event(&r, (uint32_t)k);
            GEN_EVENT(&core, &e, out);
            if (k % 5 == 4)
                flush_into_balance();
        }
        flush_into_balance();
        for (int d = 0; d < GEN_DESTS; d++)
            bufs[d].capacity = CAP;
        send(&core, 0, 1, 0xFC, 0, 0);
        flush_into_balance();
        note_balance_assert_zero(tiny_bal, GEN_DESTS);
    }
}

/* START and 999 clocks in one cycle, with room for all that comes out:
 * nothing dropped, each destination's frames in order. Returns the
 * destinations' buffers. */
static const AtMidiBuf *gen_thousand_events(GEN_CORE *core)
{
    static AtMidiEvent small[GEN_DESTS][2048];
    static AtMidiBuf b[GEN_DESTS];
    AtMidiBuf *o[GEN_DESTS];
    for (int d = 0; d < GEN_DESTS; d++) {
        at_midi_buf_init(&b[d], small[d], 2048);
        o[d] = &b[d];
    }
    static AtMidiEvent in[1000];
    in[0] = mk(0, 1, 0xFA, 0, 0);
    for (int k = 1; k < 1000; k++)
        in[k] = mk((uint32_t)k, 1, 0xF8, 0, 0);
    GEN_PROCESS(core, in, 1000, o);
    for (int d = 0; d < GEN_DESTS; d++) {
        assert_int_equal(b[d].dropped, 0);
        for (size_t i = 1; i < b[d].count; i++)
            assert_true(b[d].events[i - 1].frame <= b[d].events[i].frame);
    }
    return b;
}

/* ---- a song from a position: a reference run from START (song_a) and a
 * located one (song_b), compared event by event ---- */

#define SONG_CAP 200000
static AtMidiEvent song_a[SONG_CAP], song_b[SONG_CAP];
static size_t song_na, song_nb;
static int held[16][128];

static void song_add(AtMidiEvent *dst, size_t *n, const AtMidiEvent *e)
{
    assert_true(*n < SONG_CAP);
    dst[(*n)++] = *e;
}

/* Move what bufs[0] holds into dst when its frame is above `from`;
 * earlier events only update `held`, and the note-off of a note begun
 * before the position (held then) is left out. */
static void song_take(size_t *n, AtMidiEvent *dst, uint32_t from)
{
    for (size_t i = 0; i < bufs[0].count; i++) {
        const AtMidiEvent *e = &bufs[0].events[i];
        uint8_t t = e->data[0] & 0xF0, ch = e->data[0] & 0x0F;
        if (e->frame <= from) {
            if (t == 0x90)
                held[ch][e->data[1]]++;
            else if (t == 0x80)
                held[ch][e->data[1]]--;
            continue;
        }
        if (t == 0x80 && held[ch][e->data[1]] > 0) {
            held[ch][e->data[1]]--;
            continue;
        }
        song_add(dst, n, e);
    }
    at_midi_buf_clear(&bufs[0]);
}

static void assert_same_song(void)
{
    if (song_na != song_nb)
        print_message("reference %zu events, located run %zu\n", song_na, song_nb);
    size_t n = song_na < song_nb ? song_na : song_nb;
    for (size_t i = 0; i < n; i++) {
        const AtMidiEvent *a = &song_a[i], *b = &song_b[i];
        if (a->frame != b->frame || a->size != b->size || memcmp(a->data, b->data, a->size))
            print_message("event %zu: reference @%u %02x %02x %02x, located @%u %02x %02x %02x\n",
                          i, a->frame, a->data[0], a->data[1], a->data[2], b->frame, b->data[0],
                          b->data[1], b->data[2]);
        assert_int_equal(a->frame, b->frame);
        assert_int_equal(a->size, b->size);
        assert_memory_equal(a->data, b->data, a->size);
    }
    assert_int_equal(song_na, song_nb);
}

/* Clock pulses first..first+n-1 into core, taking what comes out into
 * dst (see song_take). */
static void song_clocks(GEN_CORE *core, uint32_t first, uint32_t n, AtMidiEvent *dst, size_t *count,
                        uint32_t from)
{
    for (uint32_t k = first; k < first + n; k++) {
        send(core, k + 1, 1, 0xF8, 0, 0);
        song_take(count, dst, from);
    }
}

/* START then pulses 0..pos+n-1 on a core seeded with seed: the reference
 * song_a, kept from pulse pos on. */
static void song_reference(uint64_t seed, uint32_t pos, uint32_t n)
{
    GEN_CORE core;
    gen_init(&core, seed);
    outputs(true);
    memset(held, 0, sizeof held);
    song_na = 0;
    send(&core, 0, 1, 0xFA, 0, 0);
    song_take(&song_na, song_a, pos);
    song_clocks(&core, 0, pos + n, song_a, &song_na, pos);
}

/* Begin the located run song_b: all on one port, nothing held. */
static void song_begin(void)
{
    outputs(true);
    memset(held, 0, sizeof held);
    song_nb = 0;
}

/* Song position s (sixteenths) then CONTINUE, at frame 6 * s. */
static void song_locate(GEN_CORE *core, uint32_t s)
{
    send(core, 6 * s, 3, 0xF2, (uint8_t)(s & 0x7F), (uint8_t)(s >> 7));
    send(core, 6 * s, 1, 0xFB, 0, 0);
}

/* For each of the song positions sixteenths[0..count) (in sixteenths), on
 * a core seeded with seed and on one seeded with other and reseeded live
 * to seed: the song position then CONTINUE, checked by at_position (on
 * what bufs[0] holds), then n pulses play exactly what a run from START
 * played from that pulse on, at the same frames (more than n events). */
static void song_positions_resume(const uint32_t *sixteenths, size_t count, uint64_t seed,
                                  uint64_t other, uint32_t n,
                                  void (*at_position)(const GEN_CORE *core, uint32_t s))
{
    for (size_t i = 0; i < count; i++) {
        for (int live = 0; live < 2; live++) {
            uint32_t s = sixteenths[i], pos = 6 * s;
            song_reference(seed, pos, n);
            GEN_CORE core;
            gen_init(&core, live ? other : seed);
            if (live)
                GEN_SET_SEED(&core, seed);
            song_begin();
            song_locate(&core, s);
            at_position(&core, s);
            assert_int_equal(core.pulse, pos);
            at_midi_buf_clear(&bufs[0]);
            song_clocks(&core, pos, n, song_b, &song_nb, pos);
            assert_same_song();
            assert_true(song_na > n);
        }
    }
}

/* core, seeded with seed, plays 6 * s + n pulses from START and STOPs,
 * is located back to s and CONTINUEs: the next n pulses play what the
 * reference (song_reference(seed, 6 * s, n)) played from there. */
static void song_replay_after_stop(GEN_CORE *core, uint64_t seed, uint32_t s, uint32_t n)
{
    uint32_t pos = 6 * s;
    song_reference(seed, pos, n);
    gen_init(core, seed);
    outputs(true);
    send(core, 0, 1, 0xFA, 0, 0);
    for (uint32_t k = 0; k < pos + n; k++) {
        send(core, k + 1, 1, 0xF8, 0, 0);
        at_midi_buf_clear(&bufs[0]);
    }
    send(core, pos + n + 1, 1, 0xFC, 0, 0);
    song_begin();
    song_locate(core, s);
    at_midi_buf_clear(&bufs[0]);
    song_clocks(core, pos, n, song_b, &song_nb, pos);
    assert_same_song();
}

/* The reference of seed from stop_at on (n pulses); core seeded with
 * seed: START and the pulses before stop_at into song_b, then STOP. */
static void song_stop_at(GEN_CORE *core, uint64_t seed, uint32_t stop_at, uint32_t n)
{
    song_reference(seed, stop_at, n);
    gen_init(core, seed);
    song_begin();
    send(core, 0, 1, 0xFA, 0, 0);
    song_clocks(core, 0, stop_at, song_b, &song_nb, stop_at);
    send(core, stop_at, 1, 0xFC, 0, 0);
}

/* CONTINUE at stop_at, into an empty bufs[0]; STOP ended every note. */
static void song_continue(GEN_CORE *core, uint32_t stop_at)
{
    at_midi_buf_clear(&bufs[0]);
    memset(held, 0, sizeof held);
    send(core, stop_at, 1, 0xFB, 0, 0);
}

/* After song_continue: n pulses from stop_at play on as the reference. */
static void song_resume(GEN_CORE *core, uint32_t stop_at, uint32_t n)
{
    at_midi_buf_clear(&bufs[0]);
    song_clocks(core, stop_at, n, song_b, &song_nb, stop_at);
    assert_same_song();
}

/* a: START, 6 * s clocks, STOP; b: the song position s. Both fresh cores
 * seeded with seed, to be compared. */
static void song_two_ways(GEN_CORE *a, GEN_CORE *b, uint64_t seed, uint32_t s)
{
    gen_init(a, seed);
    gen_init(b, seed);
    outputs(true);
    send(a, 0, 1, 0xFA, 0, 0);
    for (uint32_t k = 0; k < 6 * s; k++) {
        send(a, 1, 1, 0xF8, 0, 0);
        at_midi_buf_clear(&bufs[0]);
    }
    send(a, 2, 1, 0xFC, 0, 0);
    send(b, 0, 3, 0xF2, (uint8_t)(s & 0x7F), (uint8_t)(s >> 7));
}

#endif
