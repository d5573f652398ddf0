/* test_clock_edges.c - the aiotone-clock core (clients/clock/clock.h) at
 * its edges, written where mutation testing (make mutate,
 * docs/mutation.md) showed that test_clock.c let a changed rule pass:
 * the one-beat limit on late pulses, the downbeat pulse going with a
 * CONTINUE, active sensing, events past the cycle, transport positions
 * before zero and a timebase master without a tempo, and the commands a
 * transport-following clock hands to the shell.
 *
 * 48 kHz at 125 BPM gives exactly 960 frames per pulse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "clients/clock/clock.h"

#define CAP 4096

static AtMidiEvent store[CAP];
static AtMidiBuf buf;

static Ck *make(double bpm, CkSource src)
{
    CkConfig c;
    ck_config_default(&c, 48000);
    c.bpm = bpm;
    c.source = src;
    Ck *ck = ck_new(&c);
    assert_non_null(ck);
    return ck;
}

static void run(Ck *ck, const AtMidiEvent *in, size_t n, uint32_t nframes, const CkTransport *t,
                CkReport *rep)
{
    at_midi_buf_init(&buf, store, CAP);
    ck_process(ck, in, n, nframes, t, &buf, rep);
}

static int count(uint8_t status, uint32_t frame)
{
    int k = 0;
    for (size_t i = 0; i < buf.count; i++)
        k += buf.events[i].data[0] == status && buf.events[i].frame == frame;
    return k;
}

/* ---- late pulses: at most a beat's worth goes out ----------------------- */

static void late_pulses_up_to_one_beat(void **state)
{
    (void)state;
    /* START at 0 in a 960-frame cycle: pulse 0 at 0; pulse 1 is due at 960.
     * A gap of 23040 frames (24 pulses) puts the next cycle at 24000, where
     * pulse 25 is due: pulses 1..24 are late by at most a beat, so they all
     * go out at frame 0, with pulse 25. */
    for (int extra = 0; extra <= 1; extra++) {
        Ck *ck = make(125.0, CK_SOURCE_INTERNAL);
        ck_command(ck, CK_CMD_START);
        run(ck, NULL, 0, 960, NULL, NULL);
        assert_int_equal(count(0xF8, 0), 1);
        ck_skip(ck, 23040 + (uint32_t)extra);
        run(ck, NULL, 0, 960, NULL, NULL);
        if (extra == 0) {
            assert_int_equal(count(0xF8, 0), 25);
        } else {
            /* one frame later pulse 1 is more than a beat late: dropped;
             * pulses 2..25 go out at frame 0, pulse 26 on time */
            assert_int_equal(count(0xF8, 0), 24);
            assert_int_equal(count(0xF8, 959), 1);
        }
        assert_int_equal(ck_pulse_count(ck), 26 + (uint64_t)extra);
        ck_free(ck);
    }
}

/* ---- CONTINUE carries the pulse of its frame -------------------------- */

static void continue_on_a_pulse_sends_it_at_once(void **state)
{
    (void)state;
    /* STOP exactly on pulse 3 (frame 2880): pulse 3 is not sent. A later
     * CONTINUE resumes from that phase: pulse 3 goes with the CONTINUE,
     * in the same frame, even when a STOP follows in that frame. */
    Ck *ck = make(125.0, CK_SOURCE_INTERNAL);
    AtMidiEvent start = {.frame = 0, .size = 1, .data = {0xFA}};
    AtMidiEvent stop = {.frame = 880, .size = 1, .data = {0xFC}};
    run(ck, &start, 1, 2000, NULL, NULL); /* pulses 0, 1, 2 at 0, 960, 1920 */
    assert_int_equal(count(0xF8, 1920), 1);
    run(ck, &stop, 1, 2000, NULL, NULL); /* STOP at 2880, where pulse 3 is due */
    assert_int_equal(buf.count, 1);
    assert_false(ck_running(ck));
    assert_int_equal(ck_pulse_count(ck), 3);
    AtMidiEvent cs[2] = {{.frame = 100, .size = 1, .data = {0xFB}},
                         {.frame = 100, .size = 1, .data = {0xFC}}};
    run(ck, cs, 2, 960, NULL, NULL);
    assert_int_equal(buf.count, 3);
    assert_int_equal(buf.events[0].data[0], 0xFB);
    assert_int_equal(buf.events[1].data[0], 0xF8);
    assert_int_equal(buf.events[1].frame, 100);
    assert_int_equal(buf.events[2].data[0], 0xFC);
    assert_int_equal(ck_pulse_count(ck), 4);
    ck_free(ck);
}

/* ---- input ------------------------------------------------------------- */

static void active_sensing_is_not_ignored_input(void **state)
{
    (void)state;
    for (int src = CK_SOURCE_INTERNAL; src <= CK_SOURCE_MIDI; src++) {
        Ck *ck = make(120.0, (CkSource)src);
        CkReport rep;
        CkTransport t = {0};
        AtMidiEvent as = {.frame = 3, .size = 1, .data = {0xFE}};
        run(ck, &as, 1, 256, &t, &rep);
        assert_int_equal(rep.ignored, 0);
        assert_int_equal(rep.ignored_status, -1);
        assert_int_equal(buf.count, 0);
        /* a note is ignored, and named */
        AtMidiEvent note = {.frame = 3, .size = 3, .data = {0x90, 60, 1}};
        run(ck, &note, 1, 256, &t, &rep);
        assert_int_equal(rep.ignored, 1);
        assert_int_equal(rep.ignored_status, 0x90);
        ck_free(ck);
    }
}

static void events_past_the_cycle_stay_inside_it(void **state)
{
    (void)state;
    Ck *ck = make(120.0, CK_SOURCE_INTERNAL);
    AtMidiEvent late = {.frame = 300, .size = 1, .data = {0xFA}};
    run(ck, &late, 1, 256, NULL, NULL);
    assert_true(buf.count >= 1);
    assert_int_equal(buf.events[0].data[0], 0xFA);
    assert_int_equal(buf.events[0].frame, 255);
    for (size_t i = 0; i < buf.count; i++)
        assert_true(buf.events[i].frame < 256);
    /* MIDI source too */
    Ck *m = make(120.0, CK_SOURCE_MIDI);
    AtMidiEvent clk = {.frame = 1000, .size = 1, .data = {0xF8}};
    run(m, &clk, 1, 128, NULL, NULL);
    assert_int_equal(buf.count, 1);
    assert_int_equal(buf.events[0].frame, 127);
    /* an empty cycle puts what it must at frame 0 */
    run(m, &clk, 1, 0, NULL, NULL);
    assert_int_equal(buf.count, 1);
    assert_int_equal(buf.events[0].frame, 0);
    ck_free(ck);
    ck_free(m);
}

/* ---- transport --------------------------------------------------------- */

static void transport_before_zero_starts_from_the_top(void **state)
{
    (void)state;
    /* A transport rolling from a position before its start (a count-in:
     * negative beats) is treated as the start: START, pulse 0 at once. */
    Ck *ck = make(125.0, CK_SOURCE_TRANSPORT);
    CkTransport t = {.rolling = true, .bbt_valid = true, .bpm = 125.0, .beats = -0.5};
    run(ck, NULL, 0, 256, &t, NULL);
    assert_int_equal(buf.events[0].data[0], 0xFA);
    assert_int_equal(count(0xF8, 0), 1);
    assert_int_equal(ck_pulse_count(ck), 1);
    ck_free(ck);
}

static void timebase_without_tempo_uses_the_configured_one(void **state)
{
    (void)state;
    /* BBT valid but a tempo of 0: the clock's own tempo (125 BPM, 960
     * frames a pulse) sets the pulse spacing. */
    Ck *ck = make(125.0, CK_SOURCE_TRANSPORT);
    CkTransport t = {.rolling = true, .bbt_valid = true, .bpm = 0.0, .beats = 0.0};
    run(ck, NULL, 0, 2000, &t, NULL);
    assert_int_equal(count(0xF8, 0), 1);
    assert_int_equal(count(0xF8, 960), 1);
    assert_int_equal(count(0xF8, 1920), 1);
    assert_true(ck_frames_per_pulse(ck) == 960.0);
    ck_free(ck);
}

static void transport_commands_go_to_the_shell(void **state)
{
    (void)state;
    Ck *ck = make(120.0, CK_SOURCE_TRANSPORT);
    CkTransport t = {0};
    CkReport rep;
    const CkCommand cmds[3] = {CK_CMD_START, CK_CMD_CONTINUE, CK_CMD_STOP};
    const int want[3] = {1, 1, -1};
    for (int k = 0; k < 3; k++) {
        ck_command(ck, cmds[k]);
        run(ck, NULL, 0, 256, &t, &rep);
        assert_int_equal(rep.transport_request, want[k]);
        assert_int_equal(buf.count, 0); /* the transport decides */
        run(ck, NULL, 0, 256, &t, &rep);
        assert_int_equal(rep.transport_request, 0); /* asked once */
    }
    /* the same from the input */
    const uint8_t st[3] = {0xFA, 0xFB, 0xFC};
    for (int k = 0; k < 3; k++) {
        AtMidiEvent e = {.frame = 0, .size = 1, .data = {st[k]}};
        run(ck, &e, 1, 256, &t, &rep);
        assert_int_equal(rep.transport_request, want[k]);
    }
    ck_free(ck);
}

static void midi_source_commands_go_out_at_once(void **state)
{
    (void)state;
    /* Following MIDI clock, the clock has no tempo of its own: a command
     * (OSC) is passed on at the next cycle's first frame. */
    Ck *ck = make(120.0, CK_SOURCE_MIDI);
    const CkCommand cmds[3] = {CK_CMD_START, CK_CMD_STOP, CK_CMD_CONTINUE};
    const uint8_t want[3] = {0xFA, 0xFC, 0xFB};
    for (int k = 0; k < 3; k++) {
        ck_command(ck, cmds[k]);
        run(ck, NULL, 0, 256, NULL, NULL);
        assert_int_equal(buf.count, 1);
        assert_int_equal(buf.events[0].data[0], want[k]);
        assert_int_equal(buf.events[0].frame, 0);
        assert_true(ck_running(ck) == (cmds[k] != CK_CMD_STOP));
    }
    ck_free(ck);
}

/* ---- configuration ----------------------------------------------------- */

static void config_limits_and_names(void **state)
{
    (void)state;
    CkConfig c;
    char err[64];
    ck_config_default(&c, 48000);
    assert_true(c.bpm == 120.0 && c.source == CK_SOURCE_INTERNAL && c.follow_input);
    c.bpm = 20.0;
    assert_true(ck_config_check(&c, err, sizeof err));
    c.bpm = 400.0;
    assert_true(ck_config_check(&c, err, sizeof err));
    c.bpm = 19.99;
    assert_false(ck_config_check(&c, err, sizeof err));
    assert_string_equal(err, "bpm must be 20..400");
    c.bpm = 400.01;
    assert_false(ck_config_check(&c, err, sizeof err));
    c.bpm = 120.0;
    c.source = (CkSource)3;
    assert_false(ck_config_check(&c, err, sizeof err));
    assert_string_equal(err, "unknown clock source");
    c.source = CK_SOURCE_MIDI;
    c.rate = 0;
    assert_false(ck_config_check(&c, err, sizeof err));
    assert_null(ck_new(&c));
    assert_string_equal(ck_source_name(CK_SOURCE_INTERNAL), "internal");
    assert_string_equal(ck_source_name(CK_SOURCE_TRANSPORT), "transport");
    assert_string_equal(ck_source_name(CK_SOURCE_MIDI), "midi");
    assert_string_equal(ck_source_name((CkSource)3), "?");
    /* tempo changes are clamped to the range */
    Ck *ck = make(120.0, CK_SOURCE_INTERNAL);
    ck_set_bpm(ck, 1000.0);
    run(ck, NULL, 0, 16, NULL, NULL);
    assert_true(ck_bpm(ck) == 400.0);
    ck_set_bpm(ck, 1.0);
    run(ck, NULL, 0, 16, NULL, NULL);
    assert_true(ck_bpm(ck) == 20.0);
    assert_true(ck_frames_per_pulse(ck) == 48000.0 * 60.0 / (20.0 * 24.0));
    ck_free(ck);
}

static void shutdown_stops_a_running_clock_only(void **state)
{
    (void)state;
    Ck *ck = make(120.0, CK_SOURCE_INTERNAL);
    at_midi_buf_init(&buf, store, CAP);
    ck_shutdown(ck, 5, &buf);
    assert_int_equal(buf.count, 0);
    ck_command(ck, CK_CMD_START);
    run(ck, NULL, 0, 256, NULL, NULL);
    at_midi_buf_init(&buf, store, CAP);
    ck_shutdown(ck, 7, &buf);
    assert_int_equal(buf.count, 1);
    assert_int_equal(buf.events[0].data[0], 0xFC);
    assert_int_equal(buf.events[0].frame, 7);
    assert_false(ck_running(ck));
    ck_free(ck);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(late_pulses_up_to_one_beat),
        cmocka_unit_test(continue_on_a_pulse_sends_it_at_once),
        cmocka_unit_test(active_sensing_is_not_ignored_input),
        cmocka_unit_test(events_past_the_cycle_stay_inside_it),
        cmocka_unit_test(transport_before_zero_starts_from_the_top),
        cmocka_unit_test(timebase_without_tempo_uses_the_configured_one),
        cmocka_unit_test(transport_commands_go_to_the_shell),
        cmocka_unit_test(midi_source_commands_go_out_at_once),
        cmocka_unit_test(config_limits_and_names),
        cmocka_unit_test(shutdown_stops_a_running_clock_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
