/* test_redblue_edges.c - redblue rules at their edges (docs/redblue.md),
 * written where mutation testing (make mutate, docs/mutation.md) showed
 * that test_redblue.c let a changed rule pass: partial damper values,
 * ties and limits of the duophonic choice, expression scaling and slews,
 * the configuration checks and live settings.
 *
 * Defaults (docs/redblue.md): red on wire channel 1 (status 0x?1), blue on
 * wire channel 2 (0x?2), damper portamento with max 88, accent 92,
 * expression 32..96, red takes the mod wheel, blue the expression. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/redblue/redblue.h"

#define RATE 48000
#define NFRAMES 256
#define CAP 4096

static AtMidiEvent red_store[CAP], blue_store[CAP];
static AtMidiBuf red_buf, blue_buf;
static AtMidiBuf *out[RB_DESTS];

static void clear_out(void)
{
    at_midi_buf_init(&red_buf, red_store, CAP);
    at_midi_buf_init(&blue_buf, blue_store, CAP);
    out[RB_RED] = &red_buf;
    out[RB_BLUE] = &blue_buf;
}

static Rb *make(RbPorta porta, RbMode mode)
{
    RbConfig c;
    rb_config_default(&c, RATE);
    c.portamento = porta;
    c.mode = mode;
    Rb *rb = rb_new(&c);
    assert_non_null(rb);
    clear_out();
    return rb;
}

/* Feed one 3-byte message at frame f in a cycle of its own (outputs kept). */
static void feed3(Rb *rb, uint32_t f, uint8_t a, uint8_t b, uint8_t c, RbReport *rep)
{
    AtMidiEvent e = {.frame = f, .size = 3, .data = {a, b, c}};
    rb_process(rb, &e, 1, NFRAMES, out, rep);
}

static void feed1(Rb *rb, uint32_t f, uint8_t a, RbReport *rep)
{
    AtMidiEvent e = {.frame = f, .size = 1, .data = {a, 0, 0}};
    rb_process(rb, &e, 1, NFRAMES, out, rep);
}

/* Index of the first event in b with these bytes (size 3), -1 if none. */
static int find3(const AtMidiBuf *b, uint8_t s, uint8_t d1, uint8_t d2)
{
    for (size_t i = 0; i < b->count; i++)
        if (b->events[i].size == 3 && b->events[i].data[0] == s && b->events[i].data[1] == d1 &&
            b->events[i].data[2] == d2)
            return (int)i;
    return -1;
}

static int count_status(const AtMidiBuf *b, uint8_t s)
{
    int n = 0;
    for (size_t i = 0; i < b->count; i++)
        n += b->events[i].data[0] == s;
    return n;
}

/* The note-ons on a buffer, as note numbers in order. */
static int note_ons(const AtMidiBuf *b, int *notes, int max)
{
    int n = 0;
    for (size_t i = 0; i < b->count && n < max; i++)
        if ((b->events[i].data[0] & 0xF0) == 0x90 && b->events[i].data[2] > 0)
            notes[n++] = b->events[i].data[1];
    return n;
}

/* ---- the gap: damper portamento engages at any CC64 value above 0 ---- */

static void damper_portamento_engages_with_a_partial_pedal(void **state)
{
    (void)state;
    /* Duophonic, mode damper. 60 -> red, 64 -> blue (pedal up: they
     * alternate). A half-down pedal (40, below the 64 a switch would
     * need) engages portamento: 62 is 2 from 60 and from 64, so it goes to
     * the synth of the newest (64, blue); alternation would pick red. */
    Rb *rb = make(RB_PORTA_DAMPER, RB_MODE_DUOPHONIC);
    feed3(rb, 1, 0x90, 60, 70, NULL);
    feed3(rb, 2, 0x90, 64, 70, NULL);
    feed3(rb, 3, 0xB0, 64, 40, NULL);
    /* 88 * 40 / 127 = 27.7 -> 27 */
    assert_true(find3(&red_buf, 0xB1, 65, 127) >= 0);
    assert_true(find3(&red_buf, 0xB1, 5, 27) >= 0);
    assert_true(find3(&blue_buf, 0xB2, 5, 27) >= 0);
    feed3(rb, 4, 0x90, 62, 70, NULL);
    assert_true(find3(&blue_buf, 0x92, 62, 70) >= 0);
    assert_int_equal(find3(&red_buf, 0x91, 62, 70), -1);
    rb_free(rb);

    /* The same with mode sustain and the smallest value, 1. */
    rb = make(RB_PORTA_SUSTAIN, RB_MODE_DUOPHONIC);
    feed3(rb, 1, 0x90, 60, 70, NULL);
    feed3(rb, 2, 0x90, 64, 70, NULL);
    feed3(rb, 3, 0xB0, 64, 1, NULL);
    assert_true(find3(&red_buf, 0xB1, 64, 1) >= 0); /* sustain forwards CC64 */
    feed3(rb, 4, 0x90, 63, 70, NULL);               /* nearest: 64 (blue) */
    assert_true(find3(&blue_buf, 0x92, 63, 70) >= 0);
    /* Pedal up (0): alternation again. Last blue, both busy -> red. */
    feed3(rb, 5, 0xB0, 64, 0, NULL);
    feed3(rb, 6, 0x90, 65, 70, NULL);
    assert_true(find3(&red_buf, 0x91, 65, 70) >= 0);
    rb_free(rb);
}

/* ---- duophonic choice ---------------------------------------------------- */

static void engaged_portamento_picks_the_nearest_not_the_newest(void **state)
{
    (void)state;
    /* Pedal down from the start: 40 (nothing held -> alternation: red),
     * 70 (nearest held 40 -> red too), then 41: 40 (red) is 1 away, 70 is
     * 29 away -> red, though 70 is newer. */
    Rb *rb = make(RB_PORTA_DAMPER, RB_MODE_DUOPHONIC);
    feed3(rb, 0, 0xB0, 64, 127, NULL);
    feed3(rb, 1, 0x90, 40, 70, NULL);
    feed3(rb, 2, 0x90, 70, 70, NULL);
    feed3(rb, 3, 0x90, 41, 70, NULL);
    int n[8];
    assert_int_equal(note_ons(&red_buf, n, 8), 3);
    assert_int_equal(note_ons(&blue_buf, n, 8), 0);
    rb_free(rb);

    /* Held notes in power-chord or unison routes do not count: a note held
     * from regular mode is on both, so the duophonic choice alternates. */
    rb = make(RB_PORTA_DAMPER, RB_MODE_REGULAR);
    feed3(rb, 0, 0x90, 50, 70, NULL); /* regular: both */
    feed3(rb, 1, 0x90, 22, 1, NULL);  /* duophonic */
    feed3(rb, 2, 0xB0, 64, 127, NULL);
    clear_out();
    feed3(rb, 3, 0x90, 51, 70, NULL); /* no red/blue note held: last blue -> red */
    assert_true(find3(&red_buf, 0x91, 51, 70) >= 0);
    assert_int_equal(find3(&blue_buf, 0x92, 51, 70), -1);
    rb_free(rb);
}

static void duophonic_note_off_then_alternation_counts_only_held(void **state)
{
    (void)state;
    /* 60 red; release; 62: last red, blue free -> blue; 64 while 62 held:
     * last blue, red free -> red. */
    Rb *rb = make(RB_PORTA_OFF, RB_MODE_DUOPHONIC);
    feed3(rb, 0, 0x90, 60, 70, NULL);
    feed3(rb, 1, 0x80, 60, 0, NULL);
    feed3(rb, 2, 0x90, 62, 70, NULL);
    feed3(rb, 3, 0x90, 64, 70, NULL);
    assert_true(find3(&red_buf, 0x91, 60, 70) >= 0);
    assert_true(find3(&red_buf, 0x81, 60, 0) >= 0);
    assert_true(find3(&blue_buf, 0x92, 62, 70) >= 0);
    assert_true(find3(&red_buf, 0x91, 64, 70) >= 0);
    assert_int_equal(rb_held_count(rb), 2);
    /* Note-off of 62 goes to blue only, velocity 0. */
    feed3(rb, 4, 0x80, 62, 33, NULL);
    assert_true(find3(&blue_buf, 0x82, 62, 0) >= 0);
    assert_int_equal(find3(&red_buf, 0x81, 62, 0), -1);
    assert_int_equal(rb_held_count(rb), 1);
    rb_free(rb);
}

static void many_held_notes_release_in_any_order(void **state)
{
    (void)state;
    /* Hold 40 notes in power-chord mode, release them from the middle out:
     * each note-off goes to the note and its fifth, nothing else. */
    Rb *rb = make(RB_PORTA_OFF, RB_MODE_POWER);
    for (int k = 0; k < 40; k++)
        feed3(rb, 0, 0x90, (uint8_t)(30 + k), 90, NULL);
    assert_int_equal(rb_held_count(rb), 40);
    clear_out();
    for (int k = 0; k < 40; k++) {
        int note = 30 + (k * 17) % 40;
        feed3(rb, 0, 0x80, (uint8_t)note, 0, NULL);
        assert_int_equal(rb_held_count(rb), 39 - k);
    }
    assert_int_equal(red_buf.count, 40);
    assert_int_equal(blue_buf.count, 40);
    for (size_t i = 0; i < red_buf.count; i++) {
        assert_int_equal(red_buf.events[i].data[0], 0x81);
        assert_int_equal(blue_buf.events[i].data[0], 0x82);
        assert_int_equal(blue_buf.events[i].data[1], red_buf.events[i].data[1] + 7);
    }
    rb_free(rb);
}

/* ---- legato ---------------------------------------------------------------- */

static void legato_after_a_repeated_key(void **state)
{
    (void)state;
    /* Legato, regular. 60 then 60 again while held: the first is ended,
     * and with nothing else held there is no glide for the repeat. */
    Rb *rb = make(RB_PORTA_LEGATO, RB_MODE_REGULAR);
    feed3(rb, 0, 0x90, 60, 70, NULL);
    clear_out();
    feed3(rb, 1, 0x90, 60, 80, NULL);
    assert_int_equal(red_buf.count, 4); /* off, CC65 0, CC5 0, on */
    assert_int_equal(red_buf.events[0].data[0], 0x81);
    assert_true(find3(&red_buf, 0xB1, 65, 0) >= 0);
    assert_true(find3(&red_buf, 0xB1, 5, 0) >= 0);
    assert_int_equal(rb_held_count(rb), 1);
    rb_free(rb);
}

/* ---- expression and accent ----------------------------------------------- */

static int last_cc1(const AtMidiBuf *b)
{
    int v = -1;
    for (size_t i = 0; i < b->count; i++)
        if (b->events[i].data[0] == 0xB2 && b->events[i].data[1] == 1)
            v = b->events[i].data[2];
    return v;
}

/* The expression value blue got at frame f, -1 if none. */
static int cc1_at(const AtMidiBuf *b, uint32_t f)
{
    for (size_t i = 0; i < b->count; i++)
        if (b->events[i].data[0] == 0xB2 && b->events[i].data[1] == 1 && b->events[i].frame == f)
            return b->events[i].data[2];
    return -1;
}

static void expression_scales_every_input(void **state)
{
    (void)state;
    /* First value out at once, scaled: lo + (hi - lo) * raw / 127 floored.
     * Fresh core per value, so each is a first value. */
    for (int raw = 0; raw <= 127; raw++) {
        Rb *rb = make(RB_PORTA_DAMPER, RB_MODE_REGULAR);
        feed3(rb, 0, 0xB0, 11, (uint8_t)raw, NULL);
        assert_int_equal(last_cc1(&blue_buf), (32 * 127 + 64 * raw) / 127);
        assert_int_equal(red_buf.count, 0);
        rb_free(rb);
    }
}

static void expression_slew_reaches_the_target_in_128_steps(void **state)
{
    (void)state;
    /* 0 -> 127: 32 at first, then a slew of 128 steps 1 ms (48 frames)
     * apart towards 96. Step k (from 1) is due 48 * (k - 1) frames after
     * the change, value 32 + round(64 * k / 128); an unchanged value is not
     * re-sent, so value 33 + i goes out at step 2i + 1. */
    Rb *rb = make(RB_PORTA_DAMPER, RB_MODE_REGULAR);
    feed3(rb, 0, 0xB0, 11, 0, NULL);
    clear_out();
    AtMidiEvent e = {.frame = 10, .size = 3, .data = {0xB0, 11, 127}};
    int n = 0;
    for (int c = 0; c < 40; c++) {
        clear_out();
        rb_process(rb, &e, c == 0 ? 1 : 0, NFRAMES, out, NULL);
        for (size_t i = 0; i < blue_buf.count; i++, n++) {
            const AtMidiEvent *x = &blue_buf.events[i];
            assert_int_equal(x->data[0], 0xB2);
            assert_int_equal(x->data[1], 1);
            assert_int_equal(x->data[2], 33 + n);
            assert_int_equal(c * NFRAMES + (int)x->frame, 10 + 96 * n);
        }
        assert_int_equal(red_buf.count, 0);
    }
    assert_int_equal(n, 64);
    rb_free(rb);
}

static void slew_from_zero_to_the_exact_target(void **state)
{
    (void)state;
    /* Expression range 0..127 (the input as it is). 0 goes out at once; a
     * change from 0 is a slew like any other (0 is a value sent), and its
     * last step lands exactly on the target: 0 -> 100 ends at 100, though
     * 127 of 128 steps would round to 99. */
    Rb *rb = make(RB_PORTA_OFF, RB_MODE_REGULAR);
    rb_set(rb, RB_SET_EXPRESSION_MIN, 0);
    rb_set(rb, RB_SET_EXPRESSION_MAX, 127);
    feed3(rb, 0, 0xB0, 11, 0, NULL);
    assert_int_equal(cc1_at(&blue_buf, 0), 0);
    clear_out();
    feed3(rb, 0, 0xB0, 11, 100, NULL);
    assert_int_equal(cc1_at(&blue_buf, 0), 1); /* step 1: round(100 / 128) */
    int last = -1;
    for (int c = 0; c < 40; c++) {
        clear_out();
        rb_process(rb, NULL, 0, NFRAMES, out, NULL);
        if (last_cc1(&blue_buf) >= 0)
            last = last_cc1(&blue_buf);
    }
    assert_int_equal(last, 100);
    rb_free(rb);
}

static void power_chord_fifth_up_to_the_top_note(void **state)
{
    (void)state;
    /* a fifth up while it fits (120 -> 127), a fourth down above that */
    Rb *rb = make(RB_PORTA_OFF, RB_MODE_POWER);
    feed3(rb, 0, 0x90, 120, 90, NULL);
    feed3(rb, 1, 0x90, 121, 90, NULL);
    assert_true(find3(&blue_buf, 0x92, 127, 90) >= 0);
    assert_true(find3(&blue_buf, 0x92, 116, 90) >= 0);
    feed3(rb, 2, 0x80, 120, 0, NULL);
    assert_true(find3(&blue_buf, 0x82, 127, 0) >= 0);
    rb_free(rb);
}

static void accent_needs_the_threshold_velocity(void **state)
{
    (void)state;
    /* accent-volume 92: velocity 91 is no accent, 92 is. An accent jumps
     * the expression to scaled + 32 (64 + 32 = 96 at the default input
     * 64: 32 + 64 * 64 / 127 = 64). */
    Rb *rb = make(RB_PORTA_OFF, RB_MODE_REGULAR);
    feed3(rb, 5, 0x90, 60, 91, NULL);
    assert_int_equal(last_cc1(&blue_buf), -1);
    feed3(rb, 6, 0x80, 60, 0, NULL);
    clear_out();
    feed3(rb, 7, 0x90, 60, 92, NULL);
    assert_true(find3(&blue_buf, 0xB2, 1, 96) >= 0);
    assert_int_equal(blue_buf.events[0].frame, 7);
    rb_free(rb);

    /* Near the top the jump is capped at 127. */
    rb = make(RB_PORTA_OFF, RB_MODE_REGULAR);
    rb_set(rb, RB_SET_EXPRESSION_MAX, 127);
    rb_set(rb, RB_SET_EXPRESSION_MIN, 120);
    feed3(rb, 0, 0xB0, 11, 127, NULL);
    assert_int_equal(last_cc1(&blue_buf), 127);
    clear_out();
    feed3(rb, 1, 0x90, 60, 127, NULL);
    assert_int_equal(last_cc1(&blue_buf), -1); /* 127 again: not re-sent */
    rb_free(rb);
}

static void accent_lasts_while_notes_are_held_legato(void **state)
{
    (void)state;
    Rb *rb = make(RB_PORTA_OFF, RB_MODE_REGULAR);
    feed3(rb, 0, 0x90, 60, 100, NULL); /* accent: jump to 96 */
    feed3(rb, 1, 0x90, 62, 10, NULL);  /* held legato: accent stays */
    feed3(rb, 2, 0x80, 60, 0, NULL);   /* 62 still held: accent stays */
    for (int c = 0; c < 40; c++)
        rb_process(rb, NULL, 0, NFRAMES, out, NULL);
    clear_out();
    feed3(rb, 3, 0x90, 64, 10, NULL); /* still legato: no new jump */
    assert_int_equal(last_cc1(&blue_buf), -1);
    feed3(rb, 4, 0x80, 62, 0, NULL);
    feed3(rb, 5, 0x80, 64, 0, NULL); /* all up: accent ends */
    clear_out();
    feed3(rb, 6, 0x90, 65, 10, NULL); /* a soft note: no accent */
    assert_int_equal(last_cc1(&blue_buf), -1);
    feed3(rb, 7, 0x80, 65, 0, NULL);
    feed3(rb, 8, 0x90, 66, 120, NULL); /* a loud one: accent again */
    assert_int_equal(cc1_at(&blue_buf, 8), 96);
    rb_free(rb);
}

/* ---- controllers, system messages, reports ------------------------------ */

static void reports_name_what_was_ignored(void **state)
{
    (void)state;
    Rb *rb = make(RB_PORTA_OFF, RB_MODE_REGULAR);
    RbReport rep;
    feed3(rb, 0, 0xB0, 7, 100, &rep);
    assert_int_equal(rep.unhandled, 1);
    assert_int_equal(rep.unhandled_status, 0xB0);
    assert_int_equal(rep.unhandled_data, 7);
    assert_int_equal(rep.wrong_channel, 0);
    assert_int_equal(rep.malformed, 0);
    feed3(rb, 0, 0x93, 60, 100, &rep);
    assert_int_equal(rep.wrong_channel, 1);
    assert_int_equal(rep.wrong_channel_last, 3);
    assert_int_equal(rep.unhandled, 0);
    assert_int_equal(rep.unhandled_status, -1);
    feed1(rb, 0, 0xF6, &rep);
    assert_int_equal(rep.unhandled, 1);
    assert_int_equal(rep.unhandled_status, 0xF6);
    assert_int_equal(rep.unhandled_data, -1);
    feed1(rb, 0, 0xFE, &rep); /* active sensing: nothing to report */
    assert_int_equal(rep.unhandled, 0);
    feed3(rb, 0, 0xA0, 60, 10, &rep); /* poly pressure */
    assert_int_equal(rep.unhandled, 1);
    assert_int_equal(rep.unhandled_data, 60);
    feed1(rb, 0, 0x90, &rep); /* truncated */
    assert_int_equal(rep.malformed, 1);
    assert_int_equal(red_buf.count + blue_buf.count, 0);
    /* a mode key is reported even when the mode does not change */
    feed3(rb, 0, 0x90, 21, 1, &rep);
    assert_true(rep.mode_changed);
    feed3(rb, 0, 0x90, 60, 1, &rep);
    assert_false(rep.mode_changed);
    rb_free(rb);
}

static void continue_passes_with_start_stop(void **state)
{
    (void)state;
    Rb *rb = make(RB_PORTA_OFF, RB_MODE_REGULAR);
    feed1(rb, 3, 0xFB, NULL);
    assert_int_equal(red_buf.count, 1);
    assert_int_equal(red_buf.events[0].data[0], 0xFB);
    assert_int_equal(blue_buf.events[0].data[0], 0xFB);
    rb_set(rb, RB_SET_START_STOP, 0);
    clear_out();
    feed1(rb, 3, 0xFB, NULL);
    feed1(rb, 3, 0xFA, NULL);
    assert_int_equal(red_buf.count + blue_buf.count, 0);
    rb_set(rb, RB_SET_PASS_CLOCK, 1);
    feed1(rb, 4, 0xF8, NULL);
    assert_int_equal(count_status(&red_buf, 0xF8), 1);
    assert_int_equal(count_status(&blue_buf, 0xF8), 1);
    rb_free(rb);
}

static void stop_ends_the_accent(void **state)
{
    (void)state;
    Rb *rb = make(RB_PORTA_OFF, RB_MODE_REGULAR);
    feed3(rb, 0, 0x90, 60, 120, NULL); /* accent */
    feed1(rb, 1, 0xFC, NULL);
    assert_int_equal(rb_held_count(rb), 0);
    for (int c = 0; c < 40; c++)
        rb_process(rb, NULL, 0, NFRAMES, out, NULL);
    clear_out();
    feed3(rb, 2, 0x90, 61, 120, NULL); /* a new accent: jumps again */
    assert_int_equal(cc1_at(&blue_buf, 2), 96);
    rb_free(rb);
}

static void silence_each_destination(void **state)
{
    (void)state;
    Rb *rb = make(RB_PORTA_OFF, RB_MODE_REGULAR);
    rb_silence(rb, 1u << RB_BLUE, 9, out);
    assert_int_equal(red_buf.count, 0);
    assert_int_equal(blue_buf.count, 3);
    assert_int_equal(blue_buf.events[0].data[0], 0xFC);
    assert_true(find3(&blue_buf, 0xB2, 64, 0) >= 0);
    assert_true(find3(&blue_buf, 0xB2, 123, 0) >= 0);
    assert_int_equal(blue_buf.events[2].frame, 9);
    clear_out();
    rb_silence(rb, 1u << RB_RED, 2, out);
    assert_int_equal(blue_buf.count, 0);
    assert_int_equal(red_buf.count, 3);
    /* shutdown: both, and the held notes are forgotten */
    feed3(rb, 0, 0x90, 60, 10, NULL);
    clear_out();
    rb_shutdown(rb, 5, out);
    assert_int_equal(red_buf.count, 3);
    assert_int_equal(blue_buf.count, 3);
    assert_int_equal(rb_held_count(rb), 0);
    rb_free(rb);
}

static void shared_port_different_channels(void **state)
{
    (void)state;
    /* Red and blue on one port, channels 2 and 3: mod wheel to both
     * mod-wheel destinations, CC64 to both channels, STOP once. */
    RbConfig c;
    rb_config_default(&c, RATE);
    c.portamento = RB_PORTA_OFF;
    c.dest[RB_BLUE].mod_wheel = true;
    Rb *rb = rb_new(&c);
    clear_out();
    out[RB_BLUE] = &red_buf;
    AtMidiEvent in[] = {{.frame = 1, .size = 3, .data = {0xB0, 1, 9}},
                        {.frame = 2, .size = 3, .data = {0xB0, 64, 127}},
                        {.frame = 3, .size = 1, .data = {0xFC}}};
    rb_process(rb, in, 3, NFRAMES, out, NULL);
    assert_true(find3(&red_buf, 0xB1, 1, 9) >= 0);
    assert_true(find3(&red_buf, 0xB2, 1, 9) >= 0);
    assert_true(find3(&red_buf, 0xB1, 64, 127) >= 0);
    assert_true(find3(&red_buf, 0xB2, 64, 127) >= 0);
    assert_int_equal(count_status(&red_buf, 0xFC), 1);
    /* silence both on the shared port: STOP once, CC64/CC123 per channel */
    at_midi_buf_init(&red_buf, red_store, CAP);
    rb_silence(rb, 3, 0, out);
    assert_int_equal(count_status(&red_buf, 0xFC), 1);
    assert_int_equal(red_buf.count, 5);
    rb_free(rb);

    /* Same port and channel: silence goes out once. */
    rb_config_default(&c, RATE);
    c.dest[RB_BLUE].channel = c.dest[RB_RED].channel;
    rb = rb_new(&c);
    clear_out();
    out[RB_BLUE] = &red_buf;
    rb_silence(rb, 3, 0, out);
    assert_int_equal(red_buf.count, 3);
    rb_free(rb);
}

/* ---- configuration and settings ----------------------------------------- */

static void config_checks_every_limit(void **state)
{
    (void)state;
    RbConfig c;
    char err[128];
    rb_config_default(&c, RATE);
    assert_true(rb_config_check(&c, err, sizeof err));
    assert_int_equal(c.damper_portamento_max, 88);
    assert_int_equal(c.accent_volume, 92);
    assert_int_equal(c.expression_min, 32);
    assert_int_equal(c.expression_max, 96);
    assert_int_equal(c.dest[RB_RED].channel, 1);
    assert_int_equal(c.dest[RB_BLUE].channel, 2);
    assert_true(c.start_stop);
    assert_false(c.pass_clock);
    assert_int_equal(c.portamento, RB_PORTA_DAMPER);
    assert_int_equal(c.mode, RB_MODE_REGULAR);

    struct {
        int field, value;
        bool ok;
        const char *why;
    } cases[] = {
        {0, 0, false, "sample rate"},
        {1, 1, false, "channel 1"},
        {2, 4, false, "portamento"},
        {3, 3, false, "play mode"},
        {4, -1, false, "damper"},
        {4, 128, false, "damper"},
        {4, 0, true, ""},
        {4, 127, true, ""},
        {5, 0, false, "accent"},
        {5, 1, true, ""},
        {5, 127, true, ""},
        {5, 128, false, "accent"},
        {6, -1, false, "expression"},
        {6, 0, true, ""},
        {6, 128, false, "expression"},
        {7, 127, true, ""},
        {7, 128, false, "expression"},
        {7, -1, false, "expression"},
        {8, 15, true, ""},
        {8, 16, false, "channels"},
        {9, 15, true, ""},
        {9, 16, false, "channels"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rb_config_default(&c, RATE);
        switch (cases[i].field) {
        case 0:
            c.rate = (uint32_t)cases[i].value;
            break;
        case 1:
            c.input_channel = (uint8_t)cases[i].value;
            break;
        case 2:
            c.portamento = (RbPorta)cases[i].value;
            break;
        case 3:
            c.mode = (RbMode)cases[i].value;
            break;
        case 4:
            c.damper_portamento_max = cases[i].value;
            break;
        case 5:
            c.accent_volume = cases[i].value;
            break;
        case 6:
            c.expression_min = cases[i].value;
            break;
        case 7:
            c.expression_max = cases[i].value;
            break;
        case 8:
            c.dest[RB_RED].channel = (uint8_t)cases[i].value;
            break;
        case 9:
            c.dest[RB_BLUE].channel = (uint8_t)cases[i].value;
            break;
        }
        err[0] = 0;
        bool ok = rb_config_check(&c, err, sizeof err);
        if (ok != cases[i].ok || (!ok && !strstr(err, cases[i].why)))
            fail_msg("case %zu: ok %d, error '%s'", i, ok, err);
        Rb *rb = rb_new(&c);
        assert_true((rb != NULL) == cases[i].ok);
        rb_free(rb);
    }
}

static void settings_clamp_and_apply(void **state)
{
    (void)state;
    Rb *rb = make(RB_PORTA_DAMPER, RB_MODE_REGULAR);
    const RbConfig *c = rb_config(rb);
    rb_set(rb, RB_SET_MODE, 9);
    assert_int_equal(rb_mode(rb), RB_MODE_POWER);
    rb_set(rb, RB_SET_MODE, -3);
    assert_int_equal(rb_mode(rb), RB_MODE_REGULAR);
    rb_set(rb, RB_SET_MODE, 1);
    assert_int_equal(rb_mode(rb), RB_MODE_DUOPHONIC);
    rb_set(rb, RB_SET_PORTAMENTO, 7);
    assert_int_equal(c->portamento, RB_PORTA_OFF);
    rb_set(rb, RB_SET_PORTAMENTO, -1);
    assert_int_equal(c->portamento, RB_PORTA_LEGATO);
    rb_set(rb, RB_SET_PORTAMENTO, 1);
    assert_int_equal(c->portamento, RB_PORTA_SUSTAIN);
    rb_set(rb, RB_SET_DAMPER_PORTAMENTO_MAX, 200);
    assert_int_equal(c->damper_portamento_max, 127);
    rb_set(rb, RB_SET_DAMPER_PORTAMENTO_MAX, -5);
    assert_int_equal(c->damper_portamento_max, 0);
    rb_set(rb, RB_SET_DAMPER_PORTAMENTO_MAX, 50);
    assert_int_equal(c->damper_portamento_max, 50);
    rb_set(rb, RB_SET_ACCENT_VOLUME, 0);
    assert_int_equal(c->accent_volume, 1);
    rb_set(rb, RB_SET_ACCENT_VOLUME, 300);
    assert_int_equal(c->accent_volume, 127);
    rb_set(rb, RB_SET_EXPRESSION_MIN, -1);
    assert_int_equal(c->expression_min, 0);
    rb_set(rb, RB_SET_EXPRESSION_MIN, 200);
    assert_int_equal(c->expression_min, 127);
    rb_set(rb, RB_SET_EXPRESSION_MIN, 10);
    assert_int_equal(c->expression_min, 10);
    rb_set(rb, RB_SET_EXPRESSION_MAX, 128);
    assert_int_equal(c->expression_max, 127);
    rb_set(rb, RB_SET_EXPRESSION_MAX, 100);
    assert_int_equal(c->expression_max, 100);
    rb_set(rb, RB_SET_START_STOP, 0);
    assert_false(c->start_stop);
    rb_set(rb, RB_SET_START_STOP, 5);
    assert_true(c->start_stop);
    rb_set(rb, RB_SET_PASS_CLOCK, 1);
    assert_true(c->pass_clock);
    rb_set(rb, RB_SET_PASS_CLOCK, 0);
    assert_false(c->pass_clock);
    rb_set(rb, RB_SET_RED_MOD_WHEEL, 0);
    assert_false(c->dest[RB_RED].mod_wheel);
    rb_set(rb, RB_SET_BLUE_MOD_WHEEL, 1);
    assert_true(c->dest[RB_BLUE].mod_wheel);
    rb_set(rb, RB_SET_RED_EXPRESSION_PEDAL, 1);
    assert_true(c->dest[RB_RED].expression_pedal);
    rb_set(rb, RB_SET_BLUE_EXPRESSION_PEDAL, 0);
    assert_false(c->dest[RB_BLUE].expression_pedal);
    /* the new values act: sustain mode, damper max 50 */
    rb_set(rb, RB_SET_PORTAMENTO, RB_PORTA_DAMPER);
    feed3(rb, 0, 0xB0, 64, 127, NULL);
    assert_true(find3(&red_buf, 0xB1, 5, 50) >= 0);
    /* mod wheel now to blue only; expression to red only, 10..100 */
    feed3(rb, 1, 0xB0, 1, 3, NULL);
    assert_true(find3(&blue_buf, 0xB2, 1, 3) >= 0);
    assert_int_equal(find3(&red_buf, 0xB1, 1, 3), -1);
    feed3(rb, 2, 0xB0, 11, 127, NULL);
    assert_true(find3(&red_buf, 0xB1, 1, 100) >= 0);
    rb_free(rb);
}

static void names_of_modes(void **state)
{
    (void)state;
    assert_string_equal(rb_mode_name(RB_MODE_REGULAR), "regular");
    assert_string_equal(rb_mode_name(RB_MODE_DUOPHONIC), "duophonic");
    assert_string_equal(rb_mode_name(RB_MODE_POWER), "power-chord");
    assert_string_equal(rb_mode_name((RbMode)3), "?");
    assert_string_equal(rb_porta_name(RB_PORTA_LEGATO), "legato");
    assert_string_equal(rb_porta_name(RB_PORTA_OFF), "off");
    assert_string_equal(rb_porta_name((RbPorta)4), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(damper_portamento_engages_with_a_partial_pedal),
        cmocka_unit_test(engaged_portamento_picks_the_nearest_not_the_newest),
        cmocka_unit_test(duophonic_note_off_then_alternation_counts_only_held),
        cmocka_unit_test(many_held_notes_release_in_any_order),
        cmocka_unit_test(legato_after_a_repeated_key),
        cmocka_unit_test(expression_scales_every_input),
        cmocka_unit_test(expression_slew_reaches_the_target_in_128_steps),
        cmocka_unit_test(slew_from_zero_to_the_exact_target),
        cmocka_unit_test(power_chord_fifth_up_to_the_top_note),
        cmocka_unit_test(accent_needs_the_threshold_velocity),
        cmocka_unit_test(accent_lasts_while_notes_are_held_legato),
        cmocka_unit_test(reports_name_what_was_ignored),
        cmocka_unit_test(continue_passes_with_start_stop),
        cmocka_unit_test(stop_ends_the_accent),
        cmocka_unit_test(silence_each_destination),
        cmocka_unit_test(shared_port_different_channels),
        cmocka_unit_test(config_checks_every_limit),
        cmocka_unit_test(settings_clamp_and_apply),
        cmocka_unit_test(names_of_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
