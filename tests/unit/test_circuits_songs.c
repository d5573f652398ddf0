/* test_circuits_songs.c - real MIDI songs (OpenTTD's openmsx set) as the
 * Circuit's output into the circuits core, with MIDI clock interleaved at
 * 24 pulses per quarter note. Checks, per song: every clock forwarded to
 * the Mono Station and none to the Circuit, the kick on every 24th pulse,
 * the key note from the last channel-1 note-on, the bytes in range, and no
 * stuck notes after STOP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "clients/circuits/circuits.h"
#include "dest_bufs.h"

#include <string.h>

#define CAP 4096
DEST_BUFS(CI_DEST_COUNT, CAP);

typedef struct {
    SongTally all;
    long kicks;
} Tally;
static Tally tally[CI_DEST_COUNT];
static uint32_t frame;
static long clocks_in;
static int last_note;
static Ci ci;

static void flush(void)
{
    for (int d = 0; d < CI_DEST_COUNT; d++) {
        for (size_t i = 0; i < bufs[d].count; i++) {
            const AtMidiEvent *e = &bufs[d].events[i];
            song_tally_event(&tally[d].all, e);
            tally[d].kicks += e->data[0] == 0x99 && e->data[1] == CI_NOTE_KICK;
        }
        at_midi_buf_clear(&bufs[d]);
    }
}

static void feed(void *ctx, const uint8_t *data, int size, bool clock)
{
    (void)ctx;
    (void)clock;
    AtMidiEvent e = {frame, (uint8_t)(size > 3 ? 3 : size), {0}};
    memcpy(e.data, data, e.size);
    ci_event(&ci, &e, out);
    if (++frame == 256) {
        frame = 0;
        flush();
    }
    clocks_in += size == 1 && data[0] == 0xF8;
    if (size == 3 && data[0] == 0x90 && data[2] > 0)
        last_note = data[1];
}

static void play_song(const char *path)
{
    smf_t *smf = smf_load(path);
    assert_non_null(smf);
    CiConfig cfg = {
        .drum_channel = 9, .bass_channel = 0, .key_channel = 0, .key_note = 48, .seed = 3};
    ci_init(&ci, &cfg);
    memset(tally, 0, sizeof tally);
    dest_bufs_init(bufs, out, &store[0][0], CI_DEST_COUNT, CAP);
    frame = 0;
    clocks_in = 0;
    last_note = -1;
    song_play(smf, feed, NULL);
    flush();
    smf_delete(smf);

    assert_true(clocks_in > 24);
    assert_int_equal(tally[CI_BASS].all.clocks, clocks_in);
    assert_int_equal(tally[CI_DRUMS].all.clocks, 0);
    assert_int_equal(tally[CI_DRUMS].kicks, (clocks_in + 23) / 24);
    assert_int_equal(ci.cfg.key_note, last_note >= 0 ? last_note : 48);
    for (int d = 0; d < CI_DEST_COUNT; d++)
        song_tally_assert_clean(&tally[d].all);
}

static void test_openmsx_songs(void **state)
{
    (void)state;
    songs_each(play_song);
}

TU_MAIN(cmocka_unit_test(test_openmsx_songs))
