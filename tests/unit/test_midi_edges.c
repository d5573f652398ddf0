/* test_midi_edges.c - common/midi at its edges, written where mutation
 * testing (make mutate, docs/mutation.md) showed that test_midi.c let a
 * changed rule pass: SysEx and system common messages cancel running
 * status, every status byte's size and class, undefined bytes, note names
 * at the ends of the range, the event list's limits. The MIDI 1.0 rules
 * asserted here are the ones common/midi.h documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "midi.h"
#include "midi_text.h"

/* ---- the gap: SysEx cancels running status ------------------------------ */

static void sysex_cancels_running_status(void **state)
{
    (void)state;
    AtMidiParser p;
    at_midi_parser_init(&p);
    const uint8_t b[] = {0x90, 0x3c, 0x64, 0xF0, 0x01, 0xF7, 0x3e, 0x64};
    /* one note-on only: 3e 64 after the SysEx have no status */
    expect_parse(&p, b, sizeof b, "90 3c 64;");
    assert_int_equal(p.sysex_skipped, 1);
    assert_int_equal(p.stray_bytes, 2);
    assert_int_equal(p.running, 0);
    /* a new status afterwards works as usual, with running status */
    const uint8_t c[] = {0x80, 0x3c, 0x00, 0x3e, 0x00};
    expect_parse(&p, c, sizeof c, "80 3c 00;80 3e 00;");
}

static void sysex_without_end_is_ended_by_the_next_status(void **state)
{
    (void)state;
    AtMidiParser p;
    at_midi_parser_init(&p);
    /* F0 data... then a note-on status (no F7): the SysEx is over, the
     * note-on is parsed; its data bytes are not taken as SysEx. */
    const uint8_t b[] = {0xB0, 7, 100, 0xF0, 0x7E, 0x01, 0x90, 0x40, 0x50, 0x41, 0x51};
    expect_parse(&p, b, sizeof b, "b0 07 64;90 40 50;90 41 51;");
    assert_false(p.in_sysex);
    assert_int_equal(p.stray_bytes, 0);
    /* an F7 outside a SysEx is a stray end: it cancels running status too */
    const uint8_t c[] = {0xF7, 0x42, 0x52};
    expect_parse(&p, c, sizeof c, "");
    assert_int_equal(p.stray_bytes, 2);
}

static ParseCase sysex_in_the_middle_of_a_message_drops_it =
    PARSE_CASE("90 3d 10;", 0x90, 0x3c, 0xF0, 0x64, 0xF7, 0x64, 0x90, 0x3d, 0x10);

static void system_common_cancels_running_status(void **state)
{
    (void)state;
    AtMidiParser p;
    /* tune request (1 byte) is delivered at once and cancels running status */
    at_midi_parser_init(&p);
    const uint8_t a[] = {0x90, 0x3c, 0x64, 0xF6, 0x3e, 0x64};
    expect_parse(&p, a, sizeof a, "90 3c 64;f6;");
    assert_int_equal(p.stray_bytes, 2);
    /* MTC quarter frame (2 bytes), song position (3), song select (2) */
    at_midi_parser_init(&p);
    const uint8_t b[] = {0xF1, 0x21, 0xF2, 0x01, 0x02, 0xF3, 0x05, 0x06};
    expect_parse(&p, b, sizeof b, "f1 21;f2 01 02;f3 05;");
    assert_int_equal(p.stray_bytes, 1);
    /* undefined F4 and F5: no message, running status gone */
    for (uint8_t s = 0xF4; s <= 0xF5; s++) {
        at_midi_parser_init(&p);
        const uint8_t c[] = {0xC0, 0x01, s, 0x02, 0x03};
        expect_parse(&p, c, sizeof c, "c0 01;");
        assert_int_equal(p.stray_bytes, 2);
    }
}

/* F9 and FD are undefined: nothing; FF reset is delivered */
static ParseCase realtime_keeps_running_status_and_undefined_is_dropped = PARSE_CASE(
    "90 3c 64;ff;90 3d 65;fb;fc;", 0x90, 0x3c, 0xF9, 0x64, 0xFD, 0x3d, 0xFF, 0x65, 0xFB, 0xFC);

static ParseCase two_byte_running_status =
    PARSE_CASE("d5 10;d5 11;d5 12;c2 01;c2 02;", 0xD5, 0x10, 0x11, 0x12, 0xC2, 0x01, 0x02);

/* ---- classes and sizes of every status byte ----------------------------- */

static void every_status_byte(void **state)
{
    (void)state;
    for (int s = 0; s < 256; s++) {
        int want;
        if (s < 0x80)
            want = 0;
        else if (s < 0xF0)
            want = ((s & 0xF0) == 0xC0 || (s & 0xF0) == 0xD0) ? 2 : 3;
        else if (s == 0xF1 || s == 0xF3)
            want = 2;
        else if (s == 0xF2)
            want = 3;
        else if (s == 0xF0 || s == 0xF4 || s == 0xF5 || s == 0xF7)
            want = 0;
        else
            want = 1;
        if (at_midi_message_size((uint8_t)s) != want)
            fail_msg("status %02x: size %d, want %d", s, at_midi_message_size((uint8_t)s), want);
        assert_true(at_midi_is_realtime((uint8_t)s) == (s >= 0xF8));
        assert_true(at_midi_is_channel_message((uint8_t)s) == (s >= 0x80 && s < 0xF0));
        uint8_t d[3] = {(uint8_t)s, 1, 2};
        if (s >= 0x80 && s < 0xF0) {
            assert_int_equal(at_midi_type(d), s & 0xF0);
            assert_int_equal(at_midi_channel(d), s & 0x0F);
        } else if (s >= 0xF0) {
            assert_int_equal(at_midi_type(d), s);
        }
    }
}

static void note_on_and_off_need_three_bytes(void **state)
{
    (void)state;
    const uint8_t on[] = {0x9F, 0x00, 0x01};
    const uint8_t off[] = {0x80, 0x7F, 0x40};
    const uint8_t cc[] = {0xB0, 0x40, 0x00};
    assert_true(at_midi_is_note_on(on, 3));
    assert_false(at_midi_is_note_on(on, 2));
    assert_true(at_midi_is_note_off(off, 3));
    assert_false(at_midi_is_note_off(off, 2));
    assert_false(at_midi_is_note_on(off, 3));
    assert_false(at_midi_is_note_on(cc, 3));
    assert_false(at_midi_is_note_off(cc, 3));
    const uint8_t on0[] = {0x93, 0x40, 0x00};
    assert_false(at_midi_is_note_on(on0, 3));
    assert_true(at_midi_is_note_off(on0, 3));
    assert_false(at_midi_is_note_off(on0, 2));
}

static void fourteen_bit_order(void **state)
{
    (void)state;
    assert_int_equal(at_midi_14bit(1, 0), 128);
    assert_int_equal(at_midi_14bit(0, 1), 1);
    assert_int_equal(at_midi_14bit(0x80, 0x80), 0);
    /* pitch bend: LSB first on the wire */
    const uint8_t a[] = {0xE0, 0x7F, 0x3F}; /* 63 * 128 + 127 = 8191 -> -1 */
    const uint8_t b[] = {0xE0, 0x01, 0x40}; /* 8193 -> 1 */
    assert_int_equal(at_midi_pitch_bend_value(a), -1);
    assert_int_equal(at_midi_pitch_bend_value(b), 1);
}

static void frequencies_on_the_equal_tempered_scale(void **state)
{
    (void)state;
    for (int n = 0; n < 128; n++) {
        double want = 440.0 * pow(2.0, (n - 69) / 12.0);
        assert_true(fabs(at_midi_note_hz(n) - want) < 1e-9 * want);
    }
    assert_true(fabs(at_midi_note_hz(60) - 261.6255653) < 1e-6);
    assert_true(fabs(at_midi_note_hz(69.5) - 440.0 * pow(2.0, 0.5 / 12.0)) < 1e-9);
}

/* ---- note names ----------------------------------------------------------- */

static void note_names_every_spelling(void **state)
{
    (void)state;
    static const char *const letters[] = {"C",  "C#", "D",  "D#", "E",  "F",
                                          "F#", "G",  "G#", "A",  "A#", "B"};
    char b[16];
    for (int n = 0; n < 128; n++) {
        char want[16];
        snprintf(want, sizeof want, "%s%d", letters[n % 12], n / 12 - 1);
        assert_string_equal(at_midi_note_name(n, b, sizeof b), want);
        assert_int_equal(at_midi_note_from_name(want), n);
    }
    assert_string_equal(at_midi_note_name(-1, b, sizeof b), "?");
    assert_string_equal(at_midi_note_name(128, b, sizeof b), "?");
    /* lower case, flats, the ends */
    static const NameCase spellings[] = {
        {"c4", 60}, {"g9", 127}, {"Db4", 61}, {"Cb4", 59}, {"B#3", 60}};
    expect_lookups(at_midi_note_from_name, spellings, sizeof spellings / sizeof spellings[0]);
    /* no note: below 0 (Cb-1), above 127, malformed */
    static const NameCase no_note[] = {
        {"Cb-1", -1},          {"C-2", -1}, {"C10", -1}, {"C-", -1}, {"C#", -1},  {"C4 ", -1},
        {"C999999999999", -1}, {"I4", -1},  {"@4", -1},  {"h4", -1}, {"C/4", -1}, {"C:", -1}};
    expect_lookups(at_midi_note_from_name, no_note, sizeof no_note / sizeof no_note[0]);
}

static void pitch_classes(void **state)
{
    (void)state;
    static const char *const sharp[] = {"C",  "C#", "D",  "D#", "E",  "F",
                                        "F#", "G",  "G#", "A",  "A#", "B"};
    static const char *const flat[] = {"C",  "Db", "D",  "Eb", "E",  "F",
                                       "Gb", "G",  "Ab", "A",  "Bb", "B"};
    for (int pc = 0; pc < 12; pc++) {
        assert_int_equal(at_midi_pitch_class_from_name(sharp[pc]), pc);
        assert_int_equal(at_midi_pitch_class_from_name(flat[pc]), pc);
        assert_string_equal(at_midi_pitch_class_name(pc), sharp[pc]);
        assert_string_equal(at_midi_pitch_class_name(pc + 12), sharp[pc]);
        assert_string_equal(at_midi_pitch_class_name(pc - 12), sharp[pc]);
    }
    static const NameCase classes[] = {{"a", 9}, {"  g#", 8}, {"E#", 5},   {"Fb", 4},
                                       {"", -1}, {"C4", -1},  {"C##", -1}, {"H", -1}};
    expect_lookups(at_midi_pitch_class_from_name, classes, sizeof classes / sizeof classes[0]);
}

/* ---- event list ------------------------------------------------------------ */

static void event_list_limits(void **state)
{
    (void)state;
    AtMidiEvent store[3];
    AtMidiBuf b;
    memset(store, 0x55, sizeof store);
    at_midi_buf_init(&b, store, 3);
    assert_int_equal(b.count, 0);
    assert_int_equal(b.dropped, 0);
    assert_int_equal(b.capacity, 3);
    const uint8_t d[4] = {0x90, 1, 2, 3};
    assert_false(at_midi_buf_add(&b, 0, d, 0)); /* empty */
    assert_int_equal(b.dropped, 1);
    assert_true(at_midi_buf_add(&b, 7, d, 3));
    assert_true(at_midi_buf_add(&b, 8, d, 1));
    /* bytes past size are zero, not what was in the storage */
    assert_int_equal(b.events[1].size, 1);
    assert_int_equal(b.events[1].data[0], 0x90);
    assert_int_equal(b.events[1].data[1], 0);
    assert_int_equal(b.events[1].data[2], 0);
    assert_int_equal(b.events[0].frame, 7);
    assert_int_equal(b.events[0].data[2], 2);
    assert_true(at_midi_buf_add3(&b, 9, 2, 0xC0, 5, 9));
    assert_int_equal(b.events[2].data[2], 0);
    assert_false(at_midi_buf_add3(&b, 9, 2, 0xC0, 5, 0)); /* full */
    assert_int_equal(b.count, 3);
    assert_int_equal(b.dropped, 2);
    at_midi_buf_clear(&b);
    assert_int_equal(b.dropped, 2); /* clear keeps the count of drops */
    assert_true(at_midi_buf_add3(&b, 1, 3, 0x80, 1, 0));
    at_midi_buf_init(&b, store, 3);
    assert_int_equal(b.dropped, 0);
}

static void sort_is_stable_on_long_lists(void **state)
{
    (void)state;
    enum { N = 200 };
    AtMidiEvent store[N];
    AtMidiBuf b;
    at_midi_buf_init(&b, store, N);
    for (int i = 0; i < N; i++)
        at_midi_buf_add3(&b, (uint32_t)((i * 37) % 11), 3, 0x90, (uint8_t)(i % 128),
                         (uint8_t)(i / 128));
    at_midi_buf_sort(&b);
    for (int i = 1; i < N; i++) {
        const AtMidiEvent *x = &b.events[i - 1], *y = &b.events[i];
        assert_true(x->frame <= y->frame);
        if (x->frame == y->frame) { /* added earlier comes first */
            int ix = x->data[1] + 128 * x->data[2], iy = y->data[1] + 128 * y->data[2];
            assert_true(ix < iy);
        }
    }
    assert_int_equal(b.events[0].frame, 0);
    assert_int_equal(b.events[N - 1].frame, 10);
    /* an empty and a one-event list */
    at_midi_buf_init(&b, store, N);
    at_midi_buf_sort(&b);
    assert_int_equal(b.count, 0);
    at_midi_buf_add3(&b, 4, 1, 0xF8, 0, 0);
    at_midi_buf_sort(&b);
    assert_int_equal(b.events[0].frame, 4);
}

static void well_formed_checks_every_data_byte(void **state)
{
    (void)state;
    AtMidiEvent e = {.frame = 0, .size = 3, .data = {0x90, 0x40, 0x80}};
    assert_false(at_midi_event_well_formed(&e));
    e.data[2] = 0x7F;
    assert_true(at_midi_event_well_formed(&e));
    e.size = 4; /* larger than any carried message */
    assert_false(at_midi_event_well_formed(&e));
    AtMidiEvent pc = {.frame = 0, .size = 2, .data = {0xC0, 0x80, 0}};
    assert_false(at_midi_event_well_formed(&pc));
    AtMidiEvent f7 = {.frame = 0, .size = 1, .data = {0xF7, 0, 0}};
    assert_false(at_midi_event_well_formed(&f7));
    AtMidiEvent ff = {.frame = 0, .size = 1, .data = {0xFF, 0, 0}};
    assert_true(at_midi_event_well_formed(&ff));
    AtMidiEvent sp = {.frame = 0, .size = 2, .data = {0xF2, 1, 0}};
    assert_false(at_midi_event_well_formed(&sp)); /* song position needs 3 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sysex_cancels_running_status),
        cmocka_unit_test(sysex_without_end_is_ended_by_the_next_status),
        PARSE_TEST(sysex_in_the_middle_of_a_message_drops_it),
        cmocka_unit_test(system_common_cancels_running_status),
        PARSE_TEST(realtime_keeps_running_status_and_undefined_is_dropped),
        PARSE_TEST(two_byte_running_status),
        cmocka_unit_test(every_status_byte),
        cmocka_unit_test(note_on_and_off_need_three_bytes),
        cmocka_unit_test(fourteen_bit_order),
        cmocka_unit_test(frequencies_on_the_equal_tempered_scale),
        cmocka_unit_test(note_names_every_spelling),
        cmocka_unit_test(pitch_classes),
        cmocka_unit_test(event_list_limits),
        cmocka_unit_test(sort_is_stable_on_long_lists),
        cmocka_unit_test(well_formed_checks_every_data_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
