/* Unit tests for common/midi: message classes, note names, 14-bit values,
 * the event list and the running-status parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "midi.h"
#include "midi_text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void test_message_sizes(void **s)
{
    (void)s;
    assert_int_equal(at_midi_message_size(0x90), 3);
    assert_int_equal(at_midi_message_size(0x8F), 3);
    assert_int_equal(at_midi_message_size(0xC3), 2);
    assert_int_equal(at_midi_message_size(0xD0), 2);
    assert_int_equal(at_midi_message_size(0xE0), 3);
    assert_int_equal(at_midi_message_size(0xF2), 3);
    assert_int_equal(at_midi_message_size(0xF1), 2);
    assert_int_equal(at_midi_message_size(0xF3), 2);
    assert_int_equal(at_midi_message_size(0xF8), 1);
    assert_int_equal(at_midi_message_size(0xF0), 0);
    assert_int_equal(at_midi_message_size(0x40), 0);
}

static void test_note_on_velocity_zero_is_note_off(void **s)
{
    (void)s;
    const uint8_t on[] = {0x92, 60, 100}, zero[] = {0x92, 60, 0}, off[] = {0x82, 60, 64};
    assert_true(at_midi_is_note_on(on, 3));
    assert_false(at_midi_is_note_off(on, 3));
    assert_false(at_midi_is_note_on(zero, 3));
    assert_true(at_midi_is_note_off(zero, 3));
    assert_true(at_midi_is_note_off(off, 3));
    assert_false(at_midi_is_note_on(on, 2)); /* truncated */
    assert_int_equal(at_midi_channel(on), 2);
    assert_int_equal(at_midi_type(on), 0x90);
}

static void test_note_names(void **s)
{
    (void)s;
    char b[8];
    static const NameCase notes[] = {{"C4", 60}, {"A4", 69},  {"A0", 21},  {"A#0", 22}, {"Bb0", 22},
                                     {"B0", 23}, {"C-1", 0},  {"G9", 127}, {"G#9", -1}, {"H2", -1},
                                     {"C", -1},  {"C4x", -1}, {"", -1}};
    expect_lookups(at_midi_note_from_name, notes, sizeof notes / sizeof notes[0]);
    assert_string_equal(at_midi_note_name(61, b, sizeof b), "C#4");
    assert_string_equal(at_midi_note_name(21, b, sizeof b), "A0");
    assert_string_equal(at_midi_note_name(0, b, sizeof b), "C-1");
    for (int n = 0; n < 128; n++)
        assert_int_equal(at_midi_note_from_name(at_midi_note_name(n, b, sizeof b)), n);
    static const NameCase classes[] = {{"F#", 6}, {"Gb", 6},  {"Cb", 11},
                                       {"B#", 0}, {" D ", 2}, {"X", -1}};
    expect_lookups(at_midi_pitch_class_from_name, classes, sizeof classes / sizeof classes[0]);
    assert_string_equal(at_midi_pitch_class_name(5), "F");
    assert_string_equal(at_midi_pitch_class_name(-1), "B");
}

static void test_frequencies(void **s)
{
    (void)s;
    assert_true(fabs(at_midi_note_hz(69) - 440.0) < 1e-9);
    assert_true(fabs(at_midi_note_hz(81) - 880.0) < 1e-9);
    assert_true(fabs(at_midi_note_hz(71) - 493.8833) < 1e-3);
}

static void test_14bit_and_bend(void **s)
{
    (void)s;
    assert_int_equal(at_midi_14bit(127, 127), 16383);
    assert_int_equal(at_midi_14bit(64, 0), 8192);
    assert_int_equal(at_midi_14bit(0xFF, 0xFF), 16383); /* high bits ignored */
    const uint8_t center[] = {0xE0, 0x00, 0x40}, top[] = {0xE0, 0x7F, 0x7F},
                  bottom[] = {0xE0, 0, 0};
    assert_int_equal(at_midi_pitch_bend_value(center), 0);
    assert_int_equal(at_midi_pitch_bend_value(top), 8191);
    assert_int_equal(at_midi_pitch_bend_value(bottom), -8192);
}

static void test_buf_sort_is_stable_and_bounded(void **s)
{
    (void)s;
    AtMidiEvent store[6];
    AtMidiBuf b;
    at_midi_buf_init(&b, store, 6);
    assert_true(at_midi_buf_add3(&b, 50, 3, 0x90, 1, 1));
    assert_true(at_midi_buf_add3(&b, 10, 3, 0x90, 2, 1));
    assert_true(at_midi_buf_add3(&b, 50, 3, 0x90, 3, 1));
    assert_true(at_midi_buf_add3(&b, 0, 1, 0xF8, 0, 0));
    assert_true(at_midi_buf_add3(&b, 10, 3, 0x90, 4, 1));
    assert_true(at_midi_buf_add3(&b, 50, 3, 0x90, 5, 1));
    assert_false(at_midi_buf_add3(&b, 1, 3, 0x90, 6, 1)); /* full */
    assert_int_equal(b.dropped, 1);
    assert_false(at_midi_buf_add(&b, 1, store[0].data, 4)); /* too long */
    at_midi_buf_sort(&b);
    const uint32_t frames[] = {0, 10, 10, 50, 50, 50};
    const uint8_t notes[] = {0, 2, 4, 1, 3, 5};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(b.events[i].frame, frames[i]);
        if (i)
            assert_int_equal(b.events[i].data[1], notes[i]);
    }
    at_midi_buf_clear(&b);
    assert_int_equal(b.count, 0);
}

static ParseCase test_parser_running_status =
    PARSE_CASE("90 3c 64;90 3e 64;90 40 00;", 0x90, 60, 100, 62, 100, 64, 0);

static ParseCase test_parser_realtime_inside_message =
    PARSE_CASE("f8;90 3c 64;fa;fe;90 3e 5a;", 0x90, 60, 0xF8, 100, 0xFA, 62, 0xFE, 90);

static void test_parser_sysex_and_stray(void **s)
{
    (void)s;
    AtMidiParser p;
    /* stray data, sysex with realtime inside, then a program change with
     * running status, a system common message cancelling running status */
    const uint8_t b[] = {0x10, 0x20, 0xF0, 0x7E, 0xF8, 0x01, 0xF7, 0xC1,
                         5,    6,    0xF3, 2,    7,    0xB0, 7,    0x7F};
    expect_parse(NULL, b, sizeof b, "f8;c1 05;c1 06;f3 02;b0 07 7f;");
    at_midi_parser_init(&p);
    uint8_t m[3], sz;
    at_midi_parser_feed(&p, 0x10, m, &sz);
    assert_int_equal(p.stray_bytes, 1);
}

/* the truncated note-on is dropped; the unfinished bend is pending */
static ParseCase test_parser_truncated_then_new_status =
    PARSE_CASE("80 3c 00;", 0x90, 60, 0x80, 60, 0, 0xE0, 0x00);

static void test_event_well_formed(void **s)
{
    (void)s;
    const struct {
        uint8_t size, d0, d1, d2;
        bool ok;
    } cases[] = {
        {3, 0x90, 60, 100, true},  {2, 0x90, 60, 0, false},  /* truncated */
        {3, 0x90, 0x80, 1, false},                           /* data byte with the high bit */
        {2, 0xC0, 5, 0, true},     {3, 0xC0, 5, 0x90, true}, /* extra byte past the need */
        {1, 0xF8, 0, 0, true},     {1, 0xF0, 0, 0, false},   /* sysex not carried */
        {1, 0x40, 0, 0, false},    {0, 0x90, 0, 0, false},   {3, 0xF2, 1, 2, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        AtMidiEvent e = {
            .frame = 0, .size = cases[i].size, .data = {cases[i].d0, cases[i].d1, cases[i].d2}};
        if (at_midi_event_well_formed(&e) != cases[i].ok)
            fail_msg("case %zu", i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_sizes),
        cmocka_unit_test(test_note_on_velocity_zero_is_note_off),
        cmocka_unit_test(test_note_names),
        cmocka_unit_test(test_frequencies),
        cmocka_unit_test(test_14bit_and_bend),
        cmocka_unit_test(test_buf_sort_is_stable_and_bounded),
        PARSE_TEST(test_parser_running_status),
        PARSE_TEST(test_parser_realtime_inside_message),
        cmocka_unit_test(test_parser_sysex_and_stray),
        PARSE_TEST(test_parser_truncated_then_new_status),
        cmocka_unit_test(test_event_well_formed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
