/* grid.h - redblue's monome grid display as a pure model: which key of a
 * 16x8 varibright grid is lit at which level, from the held notes and the
 * play mode, and what a grid key means. No I/O: the shell feeds it with
 * the messages the RT thread reports and sends its levels to serialosc.
 * See docs/redblue.md, "Monome grid". */
#ifndef RB_GRID_MODEL_H
#define RB_GRID_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define RB_GRID_W 16
#define RB_GRID_H 8
/* Columns 0..11 are the pitch classes of the keyboard map. */
#define RB_GRID_KEYS 12

/* LED levels (0..15). */
enum {
    RB_LEVEL_OFF = 0,
    RB_LEVEL_BLACK_KEY = 1, /* an unheld black key */
    RB_LEVEL_WHITE_KEY = 2, /* an unheld white key */
    RB_LEVEL_MODE = 3,      /* a mode key not in use */
    RB_LEVEL_MODE_ON = 8,   /* the mode key in use */
    RB_LEVEL_BLUE = 11,     /* a held note blue plays alone */
    RB_LEVEL_HELD = 15,     /* a held note red plays (regular, power chord, red) */
};

/* Where a held note sounds (what the core reports). */
typedef enum {
    RB_GRID_NONE,  /* not held */
    RB_GRID_BOTH,  /* regular: both synths */
    RB_GRID_RED,   /* duophonic: red */
    RB_GRID_BLUE,  /* duophonic: blue */
    RB_GRID_POWER, /* power chord: red + blue a fifth up */
} RbGridHeld;

/* A message from the RT thread to the display (small, fixed size). */
typedef enum { RB_GRID_MSG_NOTE, RB_GRID_MSG_MODE } RbGridMsgKind;
typedef struct {
    uint8_t kind;  /* RbGridMsgKind */
    uint8_t note;  /* NOTE: the MIDI note */
    uint8_t value; /* NOTE: RbGridHeld; MODE: the play mode (RbMode order) */
} RbGridMsg;

typedef struct {
    uint8_t held[128]; /* RbGridHeld per note */
    int mode;          /* play mode 0..2 (regular, duophonic, power chord) */
} RbGrid;

/* An empty display: nothing held, regular mode. */
void rb_grid_init(RbGrid *g);
/* Apply one message from the RT thread (out-of-range values ignored). */
void rb_grid_apply(RbGrid *g, const RbGridMsg *m);
/* The note at key (x, y): 12 * (9 - y) + x for x < 12, else -1. */
int rb_grid_note_at(int x, int y);
/* The mode a key switches to (0..2), or -1: the three mode keys sit in
 * the bottom row's free columns 12, 13, 14 (regular, duophonic, power
 * chord), because the map's notes 21..23 (row 8) are off the grid. */
int rb_grid_mode_key(int x, int y);
/* The level of key (x, y), 0..15 (0 outside the grid). */
int rb_grid_level(const RbGrid *g, int x, int y);
/* The 64 levels of the 8x8 quad at (x_off, y_off), row by row, as
 * /grid/led/level/map sends them. */
void rb_grid_quad(const RbGrid *g, int x_off, int y_off, uint8_t levels[64]);
/* True for the black keys' pitch classes (C# D# F# G# A#). */
bool rb_grid_is_black(int pitch_class);

#endif
