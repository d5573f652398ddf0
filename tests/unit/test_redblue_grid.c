/* test_redblue_grid.c - redblue's monome grid display (docs/redblue.md,
 * "Monome grid"): the keyboard map, the levels of held and unheld keys,
 * the mode keys, the 8x8 quads, messages from the RT side, and the core's
 * held-note map that feeds it (regular, power chord, duophonic red/blue,
 * STOP and shutdown). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clients/redblue/grid.h"
#include "clients/redblue/redblue.h"

#include <string.h>

/* The map by its definition: row y is octave 9 - y, column x < 12 the
 * pitch class, so the top left is note 108 and the bottom row
 * starts at note 24. */
static void test_keyboard_map(void **state)
{
    (void)state;
    assert_int_equal(rb_grid_note_at(0, 0), 108);
    assert_int_equal(rb_grid_note_at(11, 0), 119);
    assert_int_equal(rb_grid_note_at(0, 7), 24);
    assert_int_equal(rb_grid_note_at(0, 4), 60); /* C4, middle C */
    assert_int_equal(rb_grid_note_at(9, 4), 69); /* A4 */
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 16; x++)
            assert_int_equal(rb_grid_note_at(x, y), x < 12 ? 12 * (9 - y) + x : -1);
    assert_int_equal(rb_grid_note_at(-1, 0), -1);
    assert_int_equal(rb_grid_note_at(0, 8), -1);
}

/* Unheld keys show the keyboard: 2 on white keys, 1 on black keys; the
 * columns right of the keyboard are dark except the three mode keys. */
static void test_background(void **state)
{
    (void)state;
    RbGrid g;
    rb_grid_init(&g);
    static const int row[16] = {2, 1, 2, 1, 2, 2, 1, 2, 1, 2, 1, 2, 0, 0, 0, 0};
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 16; x++) {
            int want = row[x];
            if (y == 7 && x >= 12 && x <= 14)
                want = x == 12 ? 8 : 3; /* regular in use */
            assert_int_equal(rb_grid_level(&g, x, y), want);
        }
    assert_int_equal(rb_grid_level(&g, 16, 0), 0);
    assert_int_equal(rb_grid_level(&g, 0, -1), 0);
}

static void note(RbGrid *g, int n, RbGridHeld h)
{
    RbGridMsg m = {.kind = RB_GRID_MSG_NOTE, .note = (uint8_t)n, .value = (uint8_t)h};
    rb_grid_apply(g, &m);
}

/* Held notes: 15 for regular, power chord and red, 11 for blue; released
 * keys go back to the keyboard. */
static void test_held_levels(void **state)
{
    (void)state;
    RbGrid g;
    rb_grid_init(&g);
    note(&g, 60, RB_GRID_BOTH);  /* C4: (0, 4) */
    note(&g, 61, RB_GRID_POWER); /* C#4: (1, 4) */
    note(&g, 38, RB_GRID_RED);   /* D: (2, 6) */
    note(&g, 111, RB_GRID_BLUE); /* D#8: (3, 0) */
    assert_int_equal(rb_grid_level(&g, 0, 4), 15);
    assert_int_equal(rb_grid_level(&g, 1, 4), 15);
    assert_int_equal(rb_grid_level(&g, 2, 6), 15);
    assert_int_equal(rb_grid_level(&g, 3, 0), 11);
    assert_int_equal(rb_grid_level(&g, 2, 4), 2); /* D4 not held */
    note(&g, 61, RB_GRID_NONE);
    assert_int_equal(rb_grid_level(&g, 1, 4), 1);
    note(&g, 111, RB_GRID_NONE);
    assert_int_equal(rb_grid_level(&g, 3, 0), 1);
    /* Notes off the map (below 24, above 119) light nothing. */
    note(&g, 23, RB_GRID_BOTH);
    note(&g, 127, RB_GRID_BOTH);
    int lit = 0;
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 12; x++)
            lit += rb_grid_level(&g, x, y) >= 11;
    assert_int_equal(lit, 2); /* 60 and 38 */
    /* Bad messages change nothing. */
    RbGridMsg bad[] = {{RB_GRID_MSG_NOTE, 200, RB_GRID_BOTH},
                       {RB_GRID_MSG_NOTE, 62, 9},
                       {RB_GRID_MSG_MODE, 0, 3},
                       {7, 62, RB_GRID_BOTH}};
    RbGrid before = g;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        rb_grid_apply(&g, &bad[i]);
    assert_memory_equal(&g, &before, sizeof g);
}

/* The mode keys: bottom row, columns 12 (regular), 13 (duophonic), 14
 * (power chord); the one in use at 8, the others at 3. */
static void test_mode_keys(void **state)
{
    (void)state;
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 16; x++) {
            int want = (y == 7 && x >= 12 && x <= 14) ? x - 12 : -1;
            assert_int_equal(rb_grid_mode_key(x, y), want);
        }
    RbGrid g;
    rb_grid_init(&g);
    for (int mode = 0; mode < 3; mode++) {
        RbGridMsg m = {.kind = RB_GRID_MSG_MODE, .value = (uint8_t)mode};
        rb_grid_apply(&g, &m);
        for (int k = 0; k < 3; k++)
            assert_int_equal(rb_grid_level(&g, 12 + k, 7), k == mode ? 8 : 3);
    }
}

/* The quads /grid/led/level/map sends: 64 levels row by row. */
static void test_quads(void **state)
{
    (void)state;
    RbGrid g;
    rb_grid_init(&g);
    note(&g, 66, RB_GRID_BLUE); /* F#4: (6, 4) */
    note(&g, 35, RB_GRID_BOTH); /* B2: (11, 7) */
    uint8_t q[64];
    rb_grid_quad(&g, 0, 0, q);
    for (int r = 0; r < 8; r++)
        for (int c = 0; c < 8; c++)
            assert_int_equal(q[r * 8 + c], rb_grid_level(&g, c, r));
    assert_int_equal(q[4 * 8 + 6], 11);
    rb_grid_quad(&g, 8, 0, q);
    assert_int_equal(q[7 * 8 + 3], 15); /* (11, 7) */
    assert_int_equal(q[7 * 8 + 4], 8);  /* (12, 7): regular in use */
    assert_int_equal(q[0 * 8 + 7], 0);  /* (15, 0) */
}

/* ---- the core's held-note map, which the display follows ---- */

static AtMidiEvent store[2][256];

static void play(Rb *rb, const uint8_t (*msgs)[3], size_t n)
{
    AtMidiBuf b[2];
    AtMidiBuf *out[2] = {&b[0], &b[1]};
    at_midi_buf_init(&b[0], store[0], 256);
    at_midi_buf_init(&b[1], store[1], 256);
    AtMidiEvent in[16];
    for (size_t i = 0; i < n; i++) {
        in[i].frame = (uint32_t)i;
        in[i].size = (uint8_t)(msgs[i][0] >= 0xF8 ? 1 : 3);
        memcpy(in[i].data, msgs[i], 3);
    }
    rb_process(rb, in, n, 64, out, NULL);
}

static void test_core_held_map(void **state)
{
    (void)state;
    RbConfig cfg;
    rb_config_default(&cfg, 48000);
    Rb *rb = rb_new(&cfg);
    assert_non_null(rb);
    uint8_t map[128];
    static const uint8_t regular[][3] = {{0x90, 60, 100}, {0x90, 64, 90}, {0x80, 60, 0}};
    play(rb, regular, 3);
    rb_held_map(rb, map);
    for (int k = 0; k < 128; k++)
        assert_int_equal(map[k], k == 64 ? RB_HELD_BOTH : RB_HELD_NONE);
    static const uint8_t power[][3] = {{0x90, 23, 100}, {0x80, 23, 0}, {0x90, 50, 100}};
    play(rb, power, 3); /* the mode key itself is never held */
    rb_held_map(rb, map);
    assert_int_equal(map[23], RB_HELD_NONE);
    assert_int_equal(map[50], RB_HELD_POWER);
    assert_int_equal(map[64], RB_HELD_BOTH); /* stays where it went */
    static const uint8_t duo[][3] = {{0x90, 22, 100}, {0x80, 64, 0},   {0x80, 50, 0},
                                     {0x90, 40, 100}, {0x90, 41, 100}, {0x90, 43, 0}};
    play(rb, duo, 6); /* 40 -> red (first), 41 -> blue; 43 is a note-off */
    rb_held_map(rb, map);
    assert_int_equal(map[40], RB_HELD_RED);
    assert_int_equal(map[41], RB_HELD_BLUE);
    int held = 0;
    for (int k = 0; k < 128; k++)
        held += map[k] != RB_HELD_NONE;
    assert_int_equal(held, 2);
    static const uint8_t stop[][3] = {{0xFC, 0, 0}};
    play(rb, stop, 1); /* STOP forgets every held note */
    rb_held_map(rb, map);
    for (int k = 0; k < 128; k++)
        assert_int_equal(map[k], RB_HELD_NONE);
    static const uint8_t again[][3] = {{0x90, 70, 100}};
    play(rb, again, 1);
    AtMidiBuf b[2];
    AtMidiBuf *out[2] = {&b[0], &b[1]};
    at_midi_buf_init(&b[0], store[0], 256);
    at_midi_buf_init(&b[1], store[1], 256);
    rb_shutdown(rb, 0, out);
    rb_held_map(rb, map);
    assert_int_equal(map[70], RB_HELD_NONE);
    rb_free(rb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyboard_map), cmocka_unit_test(test_background),
        cmocka_unit_test(test_held_levels),  cmocka_unit_test(test_mode_keys),
        cmocka_unit_test(test_quads),        cmocka_unit_test(test_core_held_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
