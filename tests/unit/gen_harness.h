/* gen_harness.h - what the unit tests of the MIDI generator cores
 * (test_circuits, test_mothergen) share: one output buffer per
 * destination (separate ports or all on one), events written as tables
 * and compared byte for byte, a note balance over buffers that overflow,
 * and the recording of a song from a song position (frames say which
 * clock pulse caused an event: pulse k at frame k + 1).
 *
 * Define GEN_DESTS (how many destinations the core has) before including
 * it, after cmocka.h. */
#ifndef AT_GEN_HARNESS_H
#define AT_GEN_HARNESS_H

#include "dest_bufs.h"
#include "note_balance.h"

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

/* The note balance of the overflowing-buffer property tests. */
static AtNoteBalance tiny_bal[GEN_DESTS];

static void flush_into_balance(void)
{
    note_balance_flush(tiny_bal, bufs, GEN_DESTS);
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

#endif
