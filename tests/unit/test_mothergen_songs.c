/* test_mothergen_songs.c - real MIDI songs (OpenTTD's openmsx set) as the
 * musician's input to the mothergen core, with MIDI clock interleaved at
 * 24 pulses per quarter note as a DAW would send it. Checks, per song, the
 * the routing counts of docs/mothergen.md (CC64, CC123, pitch bend, CC1, CC11 from channel 1
 * only), the final key (the last channel-1 note-on), every clock forwarded,
 * every note's velocity, and no stuck notes after STOP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "clients/mothergen/mothergen.h"
#include "dest_bufs.h"
#include "mothergen_config.h"

#include <string.h>

#define CAP 4096
DEST_BUFS(MG_DEST_COUNT, CAP);

/* Output tallies per destination, accumulated over flushed cycles. */
typedef struct {
    SongTally all;
    long cc64, cc123, bend, cc1, notes_on;
    bool bad_velocity;
} Tally;
static Tally tally[MG_DEST_COUNT];

static void flush(void)
{
    for (int d = 0; d < MG_DEST_COUNT; d++) {
        Tally *t = &tally[d];
        for (size_t i = 0; i < bufs[d].count; i++) {
            const AtMidiEvent *e = &bufs[d].events[i];
            song_tally_event(&t->all, e);
            uint8_t type = e->data[0] & 0xF0;
            if (type == 0xB0 && e->data[1] == 64)
                t->cc64++;
            else if (type == 0xB0 && e->data[1] == 123)
                t->cc123++;
            else if (type == 0xB0 && e->data[1] == 1)
                t->cc1++;
            else if (type == 0xE0)
                t->bend++;
            else if (type == 0x90) {
                t->notes_on++;
                t->bad_velocity |= e->data[2] != MG_VELOCITY;
            }
        }
        at_midi_buf_clear(&bufs[d]);
    }
}

/* Input tallies of channel 1. */
typedef struct {
    long clocks, cc64, cc123, bend, cc1, cc11, other_channel;
    int last_note;
} InTally;

static uint32_t frame;
static Mg mg;
static long routed_total, transposed_songs; /* so the songs exercise the rules */

static void feed(void *ctx, const uint8_t *data, int size, bool clock)
{
    InTally *in = ctx;
    AtMidiEvent e = {frame, (uint8_t)(size > 3 ? 3 : size), {0}};
    memcpy(e.data, data, e.size);
    mg_event(&mg, &e, out);
    if (++frame == 256) { /* one JACK cycle's worth */
        frame = 0;
        flush();
    }
    in->clocks += clock;
    if (size < 1 || data[0] < 0x80 || data[0] >= 0xF0)
        return;
    if ((data[0] & 0x0F) != 0) {
        in->other_channel++;
        return;
    }
    uint8_t type = data[0] & 0xF0;
    if (type == 0xB0 && size == 3) {
        in->cc64 += data[1] == 64;
        in->cc123 += data[1] == 123;
        in->cc1 += data[1] == 1;
        in->cc11 += data[1] == 11;
    } else if (type == 0xE0) {
        in->bend++;
    } else if (type == 0x90 && size == 3 && data[2] > 0) {
        in->last_note = data[1];
    }
}

static void play_song(const char *path)
{
    smf_t *smf = smf_load(path);
    assert_non_null(smf);
    MgConfig cfg = mg_test_config(11);
    mg_init(&mg, &cfg);
    memset(tally, 0, sizeof tally);
    dest_bufs_init(bufs, out, &store[0][0], MG_DEST_COUNT, CAP);
    InTally in = {.last_note = -1};
    frame = 0;
    song_play(smf, feed, &in);
    flush();
    smf_delete(smf);

    assert_true(in.clocks > 24);
    for (int d = 0; d < MG_DEST_COUNT; d++) {
        Tally *t = &tally[d];
        assert_int_equal(t->all.clocks, in.clocks);
        assert_int_equal(t->cc64, in.cc64);
        assert_int_equal(t->cc123, in.cc123 + 1); /* + STOP's */
        assert_int_equal(t->bend, in.bend);
        assert_false(t->bad_velocity);
        assert_true(t->notes_on > 0);
        song_tally_assert_clean(&t->all);
    }
    assert_int_equal(tally[MG_RED].cc1, in.cc1);
    assert_int_equal(tally[MG_BLUE].cc1, in.cc11);
    assert_int_equal(tally[MG_GREEN].cc1, 0);
    assert_int_equal(mg.ignored_channel, in.other_channel);
    assert_int_equal(mg.cfg.key, in.last_note >= 0 ? in.last_note % 12 : 5);
    routed_total += in.cc64 + in.bend + in.cc1 + in.cc11;
    transposed_songs += in.last_note >= 0;
}

static void test_openmsx_songs(void **state)
{
    (void)state;
    songs_each(play_song);
    print_message("routed controls: %ld; songs with channel-1 notes: %ld\n", routed_total,
                  transposed_songs);
    assert_true(routed_total > 0);
    assert_true(transposed_songs > 0);
}

TU_MAIN(cmocka_unit_test(test_openmsx_songs))
