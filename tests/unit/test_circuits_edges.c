/* test_circuits_edges.c - the circuits core (docs/circuits.md) at its
 * edges, written where mutation testing (make mutate, docs/mutation.md)
 * showed that test_circuits.c let a changed rule pass: a key note at the
 * bottom of the MIDI range, and the key_changed flag the shell uses to
 * tell the control surfaces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dest_bufs.h"
#include "testutil.h"

#include <string.h>

#include "clients/circuits/circuits.h"

#define CAP 8192

DEST_BUFS(CI_DEST_COUNT, CAP);

static void clear(void)
{
    dest_bufs_init(bufs, out, &store[0][0], CI_DEST_COUNT, CAP);
}

static Ci make(void)
{
    CiConfig c = {
        .drum_channel = 9, .bass_channel = 0, .key_channel = 0, .key_note = 48, .seed = 7};
    Ci ci;
    ci_init(&ci, &c);
    clear();
    return ci;
}

static void send(Ci *ci, uint8_t size, uint8_t a, uint8_t b, uint8_t c)
{
    AtMidiEvent e = {.frame = 0, .size = size, .data = {a, b, c}};
    ci_event(ci, &e, out);
}

static bool bass_note_on(uint8_t note)
{
    for (size_t i = 0; i < bufs[CI_BASS].count; i++) {
        const AtMidiEvent *e = &bufs[CI_BASS].events[i];
        if (e->data[0] == 0x90 && e->data[1] == note && e->data[2] > 0)
            return true;
    }
    return false;
}

static void key_note_zero_plays(void **state)
{
    (void)state;
    /* The Circuit's note-on on channel 1 sets the key, any note 0..127;
     * the bass holds it from the first pulse after START. */
    Ci ci = make();
    send(&ci, 3, 0x90, 0, 100);
    assert_int_equal(ci.cfg.key_note, 0);
    send(&ci, 1, 0xFA, 0, 0);
    send(&ci, 1, 0xF8, 0, 0);
    assert_true(bass_note_on(0));
    /* and the top note */
    ci = make();
    ci_set_key_note(&ci, 127);
    send(&ci, 1, 0xFA, 0, 0);
    send(&ci, 1, 0xF8, 0, 0);
    assert_true(bass_note_on(127));
    /* out of range: ignored */
    ci_set_key_note(&ci, 128);
    ci_set_key_note(&ci, -1);
    assert_int_equal(ci.cfg.key_note, 127);
}

static void key_changed_only_when_the_key_moves(void **state)
{
    (void)state;
    Ci ci = make();
    send(&ci, 3, 0x90, 48, 100); /* the key already */
    assert_false(ci.key_changed);
    send(&ci, 3, 0x91, 50, 100); /* another channel: not the key */
    assert_false(ci.key_changed);
    assert_int_equal(ci.cfg.key_note, 48);
    send(&ci, 3, 0x90, 50, 0); /* velocity 0: a note-off */
    assert_false(ci.key_changed);
    send(&ci, 3, 0x90, 50, 1);
    assert_true(ci.key_changed);
    assert_int_equal(ci.cfg.key_note, 50);
    assert_int_equal(ci.ignored, 2);
}

static void init_keeps_channels_and_key_in_range(void **state)
{
    (void)state;
    CiConfig c = {.drum_channel = 0x19,
                  .bass_channel = 0x1F,
                  .key_channel = 0x10,
                  .key_note = 300,
                  .seed = 1};
    Ci ci;
    ci_init(&ci, &c);
    assert_int_equal(ci.cfg.drum_channel, 9);
    assert_int_equal(ci.cfg.bass_channel, 15);
    assert_int_equal(ci.cfg.key_channel, 0);
    assert_int_equal(ci.cfg.key_note, CI_DEFAULT_KEY_NOTE);
    assert_int_equal(ci_bass_channel2(&ci), -1);
    c.key_note = -5;
    ci_init(&ci, &c);
    assert_int_equal(ci.cfg.key_note, CI_DEFAULT_KEY_NOTE);
    assert_false(ci.running);
    for (int t = 0; t < CI_TRACKS; t++)
        assert_int_equal(ci.track[t].sounding, -1);
}

TU_MAIN(cmocka_unit_test(key_note_zero_plays),
        cmocka_unit_test(key_changed_only_when_the_key_moves),
        cmocka_unit_test(init_keeps_channels_and_key_in_range))
