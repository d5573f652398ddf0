/* test_mothergen_edges.c - the mothergen core (docs/mothergen.md) at its
 * edges, written where mutation testing (make mutate, docs/mutation.md)
 * showed that test_mothergen.c let a changed rule pass: a second START
 * restarts the Subharmonicon sequence from its beginning, and a port
 * shared by two of three destinations gets its STOP once when only those
 * two are set up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dest_bufs.h"
#include "testutil.h"

#include <stdbool.h>
#include <string.h>

#include "clients/mothergen/mothergen.h"
#include "mothergen_config.h"

#define CAP 16384

DEST_BUFS(MG_DEST_COUNT, CAP);

static void clear(void)
{
    dest_bufs_init(bufs, out, &store[0][0], MG_DEST_COUNT, CAP);
}

static void send1(Mg *mg, uint8_t status)
{
    AtMidiEvent e = {.frame = 0, .size = 1, .data = {status, 0, 0}};
    mg_event(mg, &e, out);
}

/* mg as set up by mg_test_config(42), its buffers empty, after START. */
static void start_fresh(Mg *mg)
{
    MgConfig c = mg_test_config(42);
    mg_init(mg, &c);
    clear();
    send1(mg, 0xFA);
}

/* The green destination's output as text-free bytes, into copy. */
static size_t green_copy(AtMidiEvent *copy, size_t cap)
{
    size_t n = bufs[MG_GREEN].count < cap ? bufs[MG_GREEN].count : cap;
    memcpy(copy, bufs[MG_GREEN].events, n * sizeof *copy);
    return n;
}

static void second_start_restarts_the_subharmonicon(void **state)
{
    (void)state;
    /* START, 100 pulses, STOP, START, 100 pulses: after the second START
     * the green output is what it was after the first (its loop and its
     * divider list start over; it has no randomness). */
    static AtMidiEvent first[CAP], second[CAP];
    Mg mg;
    start_fresh(&mg);
    for (int p = 0; p < 100; p++)
        send1(&mg, 0xF8);
    size_t n1 = green_copy(first, CAP);
    send1(&mg, 0xFC);
    clear();
    send1(&mg, 0xFA);
    for (int p = 0; p < 100; p++)
        send1(&mg, 0xF8);
    size_t n2 = green_copy(second, CAP);
    /* the second run starts with note-offs of what STOP left: none, as
     * STOP ended every note; so the two outputs are the same */
    assert_int_equal(n1, n2);
    for (size_t i = 0; i < n1; i++) {
        assert_int_equal(first[i].size, second[i].size);
        assert_memory_equal(first[i].data, second[i].data, first[i].size);
    }
    assert_true(n1 > 12 + 2); /* the preamble and at least a loop */
}

static void stop_once_per_shared_port(void **state)
{
    (void)state;
    /* red and green on one port, blue on its own: setting up red and
     * green sends one STOP on their port, none to blue. */
    MgConfig c = mg_test_config(42);
    Mg mg;
    mg_init(&mg, &c);
    clear();
    out[MG_GREEN] = &bufs[MG_RED];
    mg_setup_dests(&mg, (1u << MG_RED) | (1u << MG_GREEN), 0, out);
    int stops = 0;
    for (size_t i = 0; i < bufs[MG_RED].count; i++)
        stops += bufs[MG_RED].events[i].data[0] == 0xFC;
    assert_int_equal(stops, 1);
    assert_int_equal(bufs[MG_BLUE].count, 0);
    /* blue and green on one port, red alone: setting up all three sends a
     * STOP to each port once */
    clear();
    out[MG_GREEN] = &bufs[MG_BLUE];
    mg_setup_dests(&mg, 7, 0, out);
    for (int d = 0; d < 2; d++) {
        stops = 0;
        for (size_t i = 0; i < bufs[d].count; i++)
            stops += bufs[d].events[i].data[0] == 0xFC;
        assert_int_equal(stops, 1);
    }
}

/* The note-ons of destination d, in order, as (frame, note, velocity)
 * into copy; returns how many. */
static size_t note_ons(int d, uint32_t (*copy)[3], size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < bufs[d].count && n < cap; i++) {
        const AtMidiEvent *e = &bufs[d].events[i];
        if ((e->data[0] & 0xF0) == 0x90 && e->data[2] > 0) {
            copy[n][0] = e->frame;
            copy[n][1] = e->data[1];
            copy[n][2] = e->data[2];
            n++;
        }
    }
    return n;
}

/* One clock pulse, stamped with frame p: the output shows which pulse
 * played each note. */
static void clock_at(Mg *mg, uint32_t p)
{
    AtMidiEvent e = {.frame = p, .size = 1, .data = {0xF8, 0, 0}};
    mg_event(mg, &e, out);
}

static void locate_to_zero_replays_the_song(void **state)
{
    (void)state;
    /* docs/mothergen.md: after a STOP and a locate back the same bars come
     * again. START, 200 pulses, STOP, SPP 0, CONTINUE, 200 pulses: every
     * destination plays the same notes on the same pulses as after START */
    static uint32_t first[MG_DEST_COUNT][CAP][3], again[MG_DEST_COUNT][CAP][3];
    size_t n1[MG_DEST_COUNT], n2[MG_DEST_COUNT];
    Mg mg;
    start_fresh(&mg);
    for (uint32_t p = 0; p < 200; p++)
        clock_at(&mg, p);
    for (int d = 0; d < MG_DEST_COUNT; d++)
        n1[d] = note_ons(d, first[d], CAP);
    send1(&mg, 0xFC);
    assert_int_equal(mg.pulse, 200); /* the song position: STOP keeps it */
    clear();
    AtMidiEvent spp = {.frame = 0, .size = 3, .data = {0xF2, 0, 0}};
    mg_event(&mg, &spp, out);
    assert_int_equal(mg.pulse, 0);
    send1(&mg, 0xFB);
    for (uint32_t p = 0; p < 200; p++)
        clock_at(&mg, p);
    for (int d = 0; d < MG_DEST_COUNT; d++) {
        n2[d] = note_ons(d, again[d], CAP);
        assert_true(n1[d] > 0);
        assert_int_equal(n1[d], n2[d]);
        assert_memory_equal(first[d], again[d], n1[d] * sizeof first[d][0]);
    }
}

static void no_note_off_before_its_note_on(void **state)
{
    (void)state;
    /* a fresh generator has nothing sounding: every note-off it sends
     * (also at STOP) ends a note it turned on */
    MgConfig c = mg_test_config(42);
    c.channel[MG_GREEN] = 4; /* three ports apart by channel */
    Mg mg;
    mg_init(&mg, &c);
    clear();
    send1(&mg, 0xFA);
    for (int p = 0; p < 300; p++)
        send1(&mg, 0xF8);
    send1(&mg, 0xFC);
    for (int d = 0; d < MG_DEST_COUNT; d++) {
        bool on[128] = {false};
        size_t offs = 0;
        for (size_t i = 0; i < bufs[d].count; i++) {
            const AtMidiEvent *e = &bufs[d].events[i];
            uint8_t kind = e->data[0] & 0xF0;
            if (kind == 0x90 && e->data[2] > 0) {
                on[e->data[1]] = true;
            } else if (kind == 0x80 || kind == 0x90) {
                if (!on[e->data[1]])
                    fail_msg("destination %d: note-off %d before its note-on", d, e->data[1]);
                on[e->data[1]] = false;
                offs++;
            }
        }
        assert_true(offs > 0);
    }
}

TU_MAIN(cmocka_unit_test(second_start_restarts_the_subharmonicon),
        cmocka_unit_test(stop_once_per_shared_port),
        cmocka_unit_test(locate_to_zero_replays_the_song),
        cmocka_unit_test(no_note_off_before_its_note_on))
