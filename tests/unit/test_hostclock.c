/* Unit tests of plugins/lv2/hostclock.c: MIDI clock from a plugin host's
 * transport (docs/lv2.md, "The host's transport"). At 120 BPM and 48 kHz a
 * pulse (1/24 beat) is 1000 frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plugins/lv2/hostclock.c"

#include <string.h>

#define CAP 4096
static AtMidiEvent storage[CAP];
static AtMidiBuf buf;

static void reset(void)
{
    at_midi_buf_init(&buf, storage, CAP);
}

/* c at 48 kHz, the buffer empty. */
static void fresh(AtHostClock *c)
{
    reset();
    at_hostclock_init(c, 48000);
}

/* The host's position at frame (speed, bpm, beat), then the clock run
 * from there to frame to. */
static void host_run(AtHostClock *c, uint32_t frame, double speed, double bpm, double beat,
                     uint32_t to)
{
    at_hostclock_position(c, frame, speed, bpm, true, beat, &buf);
    at_hostclock_run(c, frame, to, &buf);
}

/* Frames of the events with status st, in order. */
static int frames_of(uint8_t st, uint32_t *out, int max)
{
    int n = 0;
    for (size_t i = 0; i < buf.count && n < max; i++)
        if (buf.events[i].data[0] == st)
            out[n++] = buf.events[i].frame;
    return n;
}

static void test_stopped_sends_nothing(void **state)
{
    AtHostClock c;
    fresh(&c);
    at_hostclock_run(&c, 0, 48000, &buf);
    host_run(&c, 100, 0.0, 120.0, 3.0, 48000);
    assert_int_equal(buf.count, 0);
}

static void test_start_then_pulses_every_1000_frames(void **state)
{
    AtHostClock c;
    fresh(&c);
    host_run(&c, 100, 1.0, 120.0, 0.0, 48000);
    assert_int_equal(buf.events[0].data[0], AT_MIDI_START);
    assert_int_equal(buf.events[0].frame, 100);
    uint32_t f[64];
    int n = frames_of(AT_MIDI_CLOCK, f, 64);
    assert_int_equal(n, 48); /* pulses at 100, 1100, ..., 47100 */
    for (int k = 0; k < n; k++)
        assert_int_equal(f[k], 100 + 1000 * (uint32_t)k);
}

/* The same timeline cut into blocks of 37 frames gives the same frames. */
static void test_blocks_do_not_matter(void **state)
{
    AtHostClock c;
    uint32_t whole[64], cut[64];
    fresh(&c);
    host_run(&c, 250, 1.0, 100.0, 0.3, 40000);
    int n = frames_of(AT_MIDI_CLOCK, whole, 64);
    fresh(&c);
    uint32_t base = 0;
    for (uint32_t pos = 0; pos < 40000; pos += 37) {
        uint32_t len = 40000 - pos < 37 ? 40000 - pos : 37;
        AtMidiEvent blk_storage[64];
        AtMidiBuf blk;
        at_midi_buf_init(&blk, blk_storage, 64);
        uint32_t from = 0;
        if (pos <= 250 && 250 < pos + len) {
            at_hostclock_run(&c, 0, 250 - pos, &blk);
            at_hostclock_position(&c, 250 - pos, 1.0, 100.0, true, 0.3, &blk);
            from = 250 - pos;
        }
        at_hostclock_run(&c, from, len, &blk);
        for (size_t i = 0; i < blk.count; i++)
            at_midi_buf_add(&buf, base + blk.events[i].frame, blk.events[i].data,
                            blk.events[i].size);
        base += len;
    }
    assert_int_equal(frames_of(AT_MIDI_CLOCK, cut, 64), n);
    assert_true(n > 10);
    assert_memory_equal(whole, cut, (size_t)n * sizeof *whole);
}

/* Starting between pulses: the first pulse comes where the timeline
 * reaches the next 24th of a beat (0.24 pulse in: 760 frames later). */
static void test_start_between_pulses(void **state)
{
    AtHostClock c;
    uint32_t f[8];
    fresh(&c);
    host_run(&c, 0, 1.0, 120.0, 0.01, 3000);
    assert_int_equal(frames_of(AT_MIDI_CLOCK, f, 8), 3);
    assert_int_equal(f[0], 760);
    assert_int_equal(f[1], 1760);
}

static void test_tempo_change_and_stop(void **state)
{
    AtHostClock c;
    uint32_t f[64], s[4];
    fresh(&c);
    host_run(&c, 0, 1.0, 120.0, 0.0, 10000);
    /* at pulse 10 the tempo halves: pulses 2000 frames apart */
    at_hostclock_position(&c, 10000, 1.0, 60.0, true, 10.0 / 24.0, &buf);
    at_hostclock_run(&c, 10000, 20000, &buf);
    at_hostclock_position(&c, 20000, 0.0, 60.0, true, 15.0 / 24.0, &buf);
    at_hostclock_run(&c, 20000, 30000, &buf);
    int n = frames_of(AT_MIDI_CLOCK, f, 64);
    assert_int_equal(n, 15); /* 0..9000 by 1000, 10000..18000 by 2000 */
    assert_int_equal(f[9], 9000);
    assert_int_equal(f[10], 10000);
    assert_int_equal(f[14], 18000);
    assert_int_equal(frames_of(AT_MIDI_STOP, s, 4), 1);
    assert_int_equal(s[0], 20000);
}

/* A host's position a little off the count (rounding) neither repeats nor
 * skips a pulse; a jump is a relocation. */
static void test_rounding_and_relocation(void **state)
{
    AtHostClock c;
    uint32_t f[64];
    fresh(&c);
    host_run(&c, 0, 1.0, 120.0, 0.0, 5000); /* pulses 0..4 */
    at_hostclock_position(&c, 5000, 1.0, 120.0, true, 5.0 / 24.0 - 1e-9, &buf);
    at_hostclock_run(&c, 5000, 5500, &buf); /* pulse 5 at 5000, once */
    at_hostclock_position(&c, 5500, 1.0, 120.0, true, 5.5 / 24.0 + 1e-9, &buf);
    at_hostclock_run(&c, 5500, 7000, &buf); /* pulse 6 at 6000 */
    assert_int_equal(frames_of(AT_MIDI_CLOCK, f, 64), 7);
    assert_int_equal(f[5], 5000);
    assert_int_equal(f[6], 6000);
    /* relocate to pulse 100.5: the next pulse is 101, 500 frames on */
    at_hostclock_position(&c, 7000, 1.0, 120.0, true, 100.5 / 24.0, &buf);
    at_hostclock_run(&c, 7000, 8000, &buf);
    assert_int_equal(frames_of(AT_MIDI_CLOCK, f, 64), 8);
    assert_int_equal(f[7], 7500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stopped_sends_nothing),
        cmocka_unit_test(test_start_then_pulses_every_1000_frames),
        cmocka_unit_test(test_blocks_do_not_matter),
        cmocka_unit_test(test_start_between_pulses),
        cmocka_unit_test(test_tempo_change_and_stop),
        cmocka_unit_test(test_rounding_and_relocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
