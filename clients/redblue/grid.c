/* grid.c - the monome grid display model. See grid.h and docs/redblue.md. */
#include "grid.h"

#include <string.h>

void rb_grid_init(RbGrid *g)
{
    memset(g, 0, sizeof *g);
}

void rb_grid_apply(RbGrid *g, const RbGridMsg *m)
{
    if (m->kind == RB_GRID_MSG_NOTE && m->note < 128 && m->value <= RB_GRID_POWER)
        g->held[m->note] = m->value;
    else if (m->kind == RB_GRID_MSG_MODE && m->value <= 2)
        g->mode = m->value;
}

bool rb_grid_is_black(int pitch_class)
{
    static const bool black[12] = {0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0};
    return pitch_class >= 0 && pitch_class < 12 && black[pitch_class];
}

int rb_grid_note_at(int x, int y)
{
    if (x < 0 || x >= RB_GRID_KEYS || y < 0 || y >= RB_GRID_H)
        return -1;
    return 12 * (9 - y) + x;
}

int rb_grid_mode_key(int x, int y)
{
    if (y != RB_GRID_H - 1 || x < RB_GRID_KEYS || x > RB_GRID_KEYS + 2)
        return -1;
    return x - RB_GRID_KEYS;
}

int rb_grid_level(const RbGrid *g, int x, int y)
{
    int mode = rb_grid_mode_key(x, y);
    if (mode >= 0)
        return mode == g->mode ? RB_LEVEL_MODE_ON : RB_LEVEL_MODE;
    int note = rb_grid_note_at(x, y);
    if (note < 0)
        return RB_LEVEL_OFF;
    switch (g->held[note]) {
    case RB_GRID_NONE:
        return rb_grid_is_black(x) ? RB_LEVEL_BLACK_KEY : RB_LEVEL_WHITE_KEY;
    case RB_GRID_BLUE:
        return RB_LEVEL_BLUE;
    default:
        return RB_LEVEL_HELD;
    }
}

void rb_grid_quad(const RbGrid *g, int x_off, int y_off, uint8_t levels[64])
{
    for (int r = 0; r < 8; r++)
        for (int c = 0; c < 8; c++)
            levels[r * 8 + c] = (uint8_t)rb_grid_level(g, x_off + c, y_off + r);
}
