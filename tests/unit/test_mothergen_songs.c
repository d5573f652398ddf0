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

#include "clients/mothergen/mothergen.h"
#include "mothergen_config.h"

#include <glob.h>
#include <smf.h>
#include <string.h>

#define CAP 4096
static AtMidiEvent store[MG_DEST_COUNT][CAP];
static AtMidiBuf bufs[MG_DEST_COUNT];
static AtMidiBuf *out[MG_DEST_COUNT];

/* Output tallies per destination, accumulated over flushed cycles. */
typedef struct {
    long clocks, cc64, cc123, bend, cc1, notes_on;
    int balance[16][128];
    bool negative, bad_velocity, bad_byte;
} Tally;
static Tally tally[MG_DEST_COUNT];

static void flush(void)
{
    for (int d = 0; d < MG_DEST_COUNT; d++) {
        Tally *t = &tally[d];
        for (size_t i = 0; i < bufs[d].count; i++) {
            const AtMidiEvent *e = &bufs[d].events[i];
            for (int j = 1; j < e->size; j++)
                t->bad_byte |= (e->data[j] & 0x80) != 0;
            uint8_t type = e->data[0] & 0xF0, ch = e->data[0] & 0x0F;
            if (e->data[0] == 0xF8)
                t->clocks++;
            else if (type == 0xB0 && e->data[1] == 64)
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
                t->balance[ch][e->data[1]]++;
            } else if (type == 0x80) {
                t->negative |= --t->balance[ch][e->data[1]] < 0;
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

static void feed(const uint8_t *data, int size, InTally *in)
{
    AtMidiEvent e = {frame, (uint8_t)(size > 3 ? 3 : size), {0}};
    memcpy(e.data, data, e.size);
    mg_event(&mg, &e, out);
    if (++frame == 256) { /* one JACK cycle's worth */
        frame = 0;
        flush();
    }
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

static void clock_to(long *next_clock, int until, int per_clock, InTally *in)
{
    static const uint8_t clk = 0xF8;
    while (*next_clock <= until) {
        feed(&clk, 1, in);
        in->clocks++;
        *next_clock += per_clock;
    }
}

static void play_song(const char *path)
{
    smf_t *smf = smf_load(path);
    assert_non_null(smf);
    MgConfig cfg = mg_test_config(11);
    mg_init(&mg, &cfg);
    memset(tally, 0, sizeof tally);
    for (int d = 0; d < MG_DEST_COUNT; d++) {
        at_midi_buf_init(&bufs[d], store[d], CAP);
        out[d] = &bufs[d];
    }
    InTally in = {.last_note = -1};
    frame = 0;
    static const uint8_t start = 0xFA, stop = 0xFC;
    feed(&start, 1, &in);
    int per_clock = smf->ppqn / 24 > 0 ? smf->ppqn / 24 : 1;
    long next_clock = 0;
    smf_event_t *ev;
    while ((ev = smf_get_next_event(smf)) != NULL) {
        if (smf_event_is_metadata(ev))
            continue;
        clock_to(&next_clock, ev->time_pulses, per_clock, &in);
        feed(ev->midi_buffer, ev->midi_buffer_length, &in);
    }
    feed(&stop, 1, &in);
    flush();
    smf_delete(smf);

    assert_true(in.clocks > 24);
    for (int d = 0; d < MG_DEST_COUNT; d++) {
        Tally *t = &tally[d];
        assert_int_equal(t->clocks, in.clocks);
        assert_int_equal(t->cc64, in.cc64);
        assert_int_equal(t->cc123, in.cc123 + 1); /* + STOP's */
        assert_int_equal(t->bend, in.bend);
        assert_false(t->negative);
        assert_false(t->bad_velocity);
        assert_false(t->bad_byte);
        assert_true(t->notes_on > 0);
        for (int c = 0; c < 16; c++)
            for (int n = 0; n < 128; n++)
                assert_int_equal(t->balance[c][n], 0);
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
    glob_t g;
    int rc = glob("/usr/share/games/openttd/baseset/openmsx*/*.mid", 0, NULL, &g);
    if (rc != 0) {
        print_message("openmsx songs not installed\n");
        skip();
    }
    assert_true(g.gl_pathc >= 10);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        print_message("song: %s\n", g.gl_pathv[i]);
        play_song(g.gl_pathv[i]);
    }
    globfree(&g);
    print_message("routed controls: %ld; songs with channel-1 notes: %ld\n", routed_total,
                  transposed_songs);
    assert_true(routed_total > 0);
    assert_true(transposed_songs > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openmsx_songs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
