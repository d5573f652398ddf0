/* dest_bufs.h - for unit tests of the MIDI generator cores (circuits,
 * mothergen): one output buffer per destination, and real MIDI songs
 * (OpenTTD's openmsx set) played into a core with MIDI clock interleaved
 * at 24 pulses per quarter note, their output tallied per destination.
 * Include it after cmocka.h. */
#ifndef AT_DEST_BUFS_H
#define AT_DEST_BUFS_H

#include "midi.h"

#include <glob.h>
#include <smf.h>
#include <stdbool.h>

/* The static buffers of n destinations, cap events each: store, the
 * buffers bufs and the pointers out a core writes through. */
#define DEST_BUFS(n, cap)                                                                          \
    static AtMidiEvent store[n][cap];                                                              \
    static AtMidiBuf bufs[n];                                                                      \
    static AtMidiBuf *out[n]

/* Empty buffers bufs[0..n), each over its cap events of store (n * cap
 * events), and point out[d] at bufs[d]. */
static inline void dest_bufs_init(AtMidiBuf *bufs, AtMidiBuf **out, AtMidiEvent *store, int n,
                                  size_t cap)
{
    for (int d = 0; d < n; d++) {
        at_midi_buf_init(&bufs[d], store + (size_t)d * cap, cap);
        out[d] = &bufs[d];
    }
}

/* What one destination sent over a song: clocks, notes sounding per
 * channel and note, a note-off without its note-on, a data byte >= 0x80. */
typedef struct {
    long clocks;
    int balance[16][128];
    bool negative, bad_byte;
} SongTally;

/* Count e into t. */
static inline void song_tally_event(SongTally *t, const AtMidiEvent *e)
{
    for (int j = 1; j < e->size; j++)
        t->bad_byte |= (e->data[j] & 0x80) != 0;
    uint8_t type = e->data[0] & 0xF0, ch = e->data[0] & 0x0F;
    if (e->data[0] == 0xF8)
        t->clocks++;
    else if (type == 0x90)
        t->balance[ch][e->data[1]]++;
    else if (type == 0x80)
        t->negative |= --t->balance[ch][e->data[1]] < 0;
}

/* Every note-off had its note-on, every note ended, every byte in range. */
static inline void song_tally_assert_clean(const SongTally *t)
{
    assert_false(t->negative);
    assert_false(t->bad_byte);
    for (int c = 0; c < 16; c++)
        for (int n = 0; n < 128; n++)
            assert_int_equal(t->balance[c][n], 0);
}

/* A message of a song to the core: clock is true for the MIDI clocks
 * song_play puts in. */
typedef void SongFeed(void *ctx, const uint8_t *data, int size, bool clock);

/* Play smf into feed: START, the song's messages (metadata left out) with
 * a clock every 1/24 quarter note up to each of them, STOP. */
static inline void song_play(smf_t *smf, SongFeed *feed, void *ctx)
{
    static const uint8_t start = 0xFA, stop = 0xFC, clk = 0xF8;
    feed(ctx, &start, 1, false);
    int per_clock = smf->ppqn / 24 > 0 ? smf->ppqn / 24 : 1;
    long next_clock = 0;
    smf_event_t *ev;
    while ((ev = smf_get_next_event(smf)) != NULL) {
        if (smf_event_is_metadata(ev))
            continue;
        for (; next_clock <= ev->time_pulses; next_clock += per_clock)
            feed(ctx, &clk, 1, true);
        feed(ctx, ev->midi_buffer, ev->midi_buffer_length, false);
    }
    feed(ctx, &stop, 1, false);
}

/* play(path) for each openmsx song installed (at least 10); skips the
 * test when there are none. */
static inline void songs_each(void (*play)(const char *path))
{
    glob_t g;
    if (glob("/usr/share/games/openttd/baseset/openmsx*/*.mid", 0, NULL, &g) != 0) {
        print_message("openmsx songs not installed\n");
        skip();
    }
    assert_true(g.gl_pathc >= 10);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        print_message("song: %s\n", g.gl_pathv[i]);
        play(g.gl_pathv[i]);
    }
    globfree(&g);
}

#endif
