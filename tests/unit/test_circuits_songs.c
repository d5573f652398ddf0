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

#include "clients/circuits/circuits.h"

#include <glob.h>
#include <smf.h>
#include <string.h>

#define CAP 4096
static AtMidiEvent store[CI_DEST_COUNT][CAP];
static AtMidiBuf bufs[CI_DEST_COUNT];
static AtMidiBuf *out[CI_DEST_COUNT];

typedef struct {
    long clocks, kicks;
    int balance[16][128];
    bool negative, bad_byte;
} Tally;
static Tally tally[CI_DEST_COUNT];
static uint32_t frame;
static long clocks_in;
static int last_note;
static Ci ci;

static void flush(void)
{
    for (int d = 0; d < CI_DEST_COUNT; d++) {
        Tally *t = &tally[d];
        for (size_t i = 0; i < bufs[d].count; i++) {
            const AtMidiEvent *e = &bufs[d].events[i];
            for (int j = 1; j < e->size; j++)
                t->bad_byte |= (e->data[j] & 0x80) != 0;
            uint8_t type = e->data[0] & 0xF0, ch = e->data[0] & 0x0F;
            if (e->data[0] == 0xF8)
                t->clocks++;
            else if (type == 0x90) {
                t->kicks += e->data[1] == CI_NOTE_KICK && ch == 9;
                t->balance[ch][e->data[1]]++;
            } else if (type == 0x80) {
                t->negative |= --t->balance[ch][e->data[1]] < 0;
            }
        }
        at_midi_buf_clear(&bufs[d]);
    }
}

static void feed(const uint8_t *data, int size)
{
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
    for (int d = 0; d < CI_DEST_COUNT; d++) {
        at_midi_buf_init(&bufs[d], store[d], CAP);
        out[d] = &bufs[d];
    }
    frame = 0;
    clocks_in = 0;
    last_note = -1;
    static const uint8_t start = 0xFA, stop = 0xFC, clk = 0xF8;
    feed(&start, 1);
    int per_clock = smf->ppqn / 24 > 0 ? smf->ppqn / 24 : 1;
    long next_clock = 0;
    smf_event_t *ev;
    while ((ev = smf_get_next_event(smf)) != NULL) {
        if (smf_event_is_metadata(ev))
            continue;
        for (; next_clock <= ev->time_pulses; next_clock += per_clock)
            feed(&clk, 1);
        feed(ev->midi_buffer, ev->midi_buffer_length);
    }
    feed(&stop, 1);
    flush();
    smf_delete(smf);

    assert_true(clocks_in > 24);
    assert_int_equal(tally[CI_BASS].clocks, clocks_in);
    assert_int_equal(tally[CI_DRUMS].clocks, 0);
    assert_int_equal(tally[CI_DRUMS].kicks, (clocks_in + 23) / 24);
    assert_int_equal(ci.cfg.key_note, last_note >= 0 ? last_note : 48);
    for (int d = 0; d < CI_DEST_COUNT; d++) {
        assert_false(tally[d].negative);
        assert_false(tally[d].bad_byte);
        for (int c = 0; c < 16; c++)
            for (int n = 0; n < 128; n++)
                assert_int_equal(tally[d].balance[c][n], 0);
    }
}

static void test_openmsx_songs(void **state)
{
    (void)state;
    glob_t g;
    if (glob("/usr/share/games/openttd/baseset/openmsx*/*.mid", 0, NULL, &g) != 0) {
        print_message("openmsx songs not installed\n");
        skip();
    }
    assert_true(g.gl_pathc >= 10);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        print_message("song: %s\n", g.gl_pathv[i]);
        play_song(g.gl_pathv[i]);
    }
    globfree(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openmsx_songs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
