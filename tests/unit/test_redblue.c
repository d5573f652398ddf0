/* test_redblue.c - the redblue core, rule by rule (docs/redblue.md).
 *
 * Table-driven: each case is a configuration, an input event list with frame
 * offsets and the exact events expected on red and on blue. Defaults follow
 * docs/redblue.md: red on channel 2 (wire 1, status 0x?1), blue on channel 3
 * (wire 2, status 0x?2), red takes the mod wheel, blue the expression. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/redblue/redblue.h"
#include "rand.h"

#define NFRAMES 256
#define RATE 48000
#define MAXEV 48
#define CAP 4096

typedef struct {
    uint32_t f;
    uint8_t n;
    uint8_t b[3];
} Ev;

#define E1(f, a)                                                                                   \
    {                                                                                              \
        f, 1,                                                                                      \
        {                                                                                          \
            a, 0, 0                                                                                \
        }                                                                                          \
    }
#define E3(f, a, b, c)                                                                             \
    {                                                                                              \
        f, 3,                                                                                      \
        {                                                                                          \
            a, b, c                                                                                \
        }                                                                                          \
    }

/* Configuration variants. */
enum {
    CFG_DEFAULT = 0,
    CFG_LEGATO = 1 << 0,
    CFG_SUSTAIN = 1 << 1,
    CFG_PORTA_OFF = 1 << 2,
    CFG_NO_START_STOP = 1 << 3,
    CFG_PASS_CLOCK = 1 << 4,
    CFG_SHARED = 1 << 5,       /* red and blue share one port */
    CFG_SAME_CHANNEL = 1 << 6, /* ... and one channel */
    CFG_MOD_BOTH = 1 << 7,
    CFG_EXPR_BOTH = 1 << 8,
};

typedef struct {
    const char *name;
    int cfg;
    Ev in[MAXEV];
    Ev red[MAXEV];
    Ev blue[MAXEV]; /* ignored when CFG_SHARED: everything is in red */
} Case;

static AtMidiEvent red_store[CAP], blue_store[CAP];
static AtMidiBuf red_buf, blue_buf;

static void make_config(RbConfig *c, int flags)
{
    rb_config_default(c, RATE);
    if (flags & CFG_LEGATO)
        c->portamento = RB_PORTA_LEGATO;
    if (flags & CFG_SUSTAIN)
        c->portamento = RB_PORTA_SUSTAIN;
    if (flags & CFG_PORTA_OFF)
        c->portamento = RB_PORTA_OFF;
    if (flags & CFG_NO_START_STOP)
        c->start_stop = false;
    if (flags & CFG_PASS_CLOCK)
        c->pass_clock = true;
    if (flags & CFG_SAME_CHANNEL)
        c->dest[RB_BLUE].channel = c->dest[RB_RED].channel;
    if (flags & CFG_MOD_BOTH)
        c->dest[RB_BLUE].mod_wheel = true;
    if (flags & CFG_EXPR_BOTH)
        c->dest[RB_RED].expression_pedal = true;
}

static void outputs(int flags, AtMidiBuf *out[RB_DESTS])
{
    at_midi_buf_init(&red_buf, red_store, CAP);
    at_midi_buf_init(&blue_buf, blue_store, CAP);
    out[RB_RED] = &red_buf;
    out[RB_BLUE] = (flags & CFG_SHARED) ? &red_buf : &blue_buf;
}

static size_t to_events(const Ev *src, AtMidiEvent *dst)
{
    size_t n = 0;
    for (; n < MAXEV && src[n].n; n++) {
        dst[n].frame = src[n].f;
        dst[n].size = src[n].n;
        memset(dst[n].data, 0, sizeof dst[n].data);
        memcpy(dst[n].data, src[n].b, src[n].n);
    }
    return n;
}

static void print_buf(const char *label, const AtMidiBuf *b)
{
    fprintf(stderr, "  %s:", label);
    for (size_t i = 0; i < b->count; i++) {
        const AtMidiEvent *e = &b->events[i];
        fprintf(stderr, " %u:", e->frame);
        for (int k = 0; k < e->size; k++)
            fprintf(stderr, "%02x", e->data[k]);
    }
    fprintf(stderr, "\n");
}

/* Compare a buffer with the expected list; prints both on a mismatch. */
static bool same(const AtMidiBuf *b, const Ev *want, const char *label, const char *name)
{
    AtMidiEvent w[MAXEV];
    size_t n = to_events(want, w);
    bool ok = b->count == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = b->events[i].frame == w[i].frame && b->events[i].size == w[i].size &&
             memcmp(b->events[i].data, w[i].data, w[i].size) == 0;
    if (!ok) {
        AtMidiBuf wb = {w, n, MAXEV, 0};
        fprintf(stderr, "case '%s', %s differs\n", name, label);
        print_buf("want", &wb);
        print_buf("got ", b);
    }
    return ok;
}

static void run_case(const Case *c)
{
    RbConfig cfg;
    make_config(&cfg, c->cfg);
    Rb *rb = rb_new(&cfg);
    assert_non_null(rb);
    AtMidiBuf *out[RB_DESTS];
    outputs(c->cfg, out);
    AtMidiEvent in[MAXEV];
    size_t n = to_events(c->in, in);
    rb_process(rb, in, n, NFRAMES, out, NULL);
    bool ok = same(&red_buf, c->red, "red", c->name);
    if (!(c->cfg & CFG_SHARED))
        ok = same(&blue_buf, c->blue, "blue", c->name) && ok;
    rb_free(rb);
    assert_true(ok);
}

/* Input is channel 1 (0x90, 0x80, 0xB0, 0xE0). */
static const Case routing_cases[] = {
    {"regular: note-on and note-off to both, off velocity 0, offsets kept",
     CFG_DEFAULT,
     {E3(5, 0x90, 60, 64), E3(200, 0x80, 60, 50)},
     {E3(5, 0x91, 60, 64), E3(200, 0x81, 60, 0)},
     {E3(5, 0x92, 60, 64), E3(200, 0x82, 60, 0)}},
    {"note-on velocity 0 is a note-off",
     CFG_DEFAULT,
     {E3(0, 0x90, 60, 64), E3(10, 0x90, 60, 0)},
     {E3(0, 0x91, 60, 64), E3(10, 0x81, 60, 0)},
     {E3(0, 0x92, 60, 64), E3(10, 0x82, 60, 0)}},
    {"mode keys A0 A#0 B0 and their note-offs make no sound",
     CFG_DEFAULT,
     {E3(1, 0x90, 21, 64), E3(2, 0x80, 21, 0), E3(3, 0x90, 22, 64), E3(4, 0x90, 22, 0),
      E3(5, 0x90, 23, 64), E3(6, 0x80, 23, 0), E3(7, 0x90, 21, 64), E3(8, 0x80, 21, 0)},
     {{0}},
     {{0}}},
    {"power chord: red the note, blue a fifth up; off to both",
     CFG_DEFAULT,
     {E3(0, 0x90, 23, 1), E3(9, 0x90, 60, 70), E3(99, 0x80, 60, 0)},
     {E3(9, 0x91, 60, 70), E3(99, 0x81, 60, 0)},
     {E3(9, 0x92, 67, 70), E3(99, 0x82, 67, 0)}},
    {"power chord: a fifth up out of range becomes a fourth down",
     CFG_DEFAULT,
     {E3(0, 0x90, 23, 1), E3(9, 0x90, 125, 70), E3(99, 0x80, 125, 0)},
     {E3(9, 0x91, 125, 70), E3(99, 0x81, 125, 0)},
     {E3(9, 0x92, 120, 70), E3(99, 0x82, 120, 0)}},
    {"duophonic: alternate, prefer the free synth, note-off follows its note-on",
     CFG_PORTA_OFF,
     {E3(0, 0x90, 22, 1), E3(1, 0x90, 60, 70), E3(2, 0x90, 64, 71), E3(3, 0x90, 67, 72),
      E3(4, 0x80, 64, 0), E3(5, 0x90, 72, 73), E3(6, 0x80, 60, 0), E3(7, 0x80, 67, 0),
      E3(8, 0x80, 72, 0), E3(9, 0x90, 50, 74), E3(10, 0x90, 52, 74)},
     /* 60: last blue (initial) -> red. 64: last red -> blue is free.
      * 67: last blue, both busy -> red. 72: last red, blue free -> blue.
      * 50: last blue, both free -> red. 52: last red -> blue. */
     {E3(1, 0x91, 60, 70), E3(3, 0x91, 67, 72), E3(6, 0x81, 60, 0), E3(7, 0x81, 67, 0),
      E3(9, 0x91, 50, 74)},
     {E3(2, 0x92, 64, 71), E3(4, 0x82, 64, 0), E3(5, 0x92, 72, 73), E3(8, 0x82, 72, 0),
      E3(10, 0x92, 52, 74)}},
    {"duophonic: last red and both busy -> blue",
     CFG_PORTA_OFF,
     {E3(0, 0x90, 22, 1), E3(1, 0x90, 60, 70), E3(2, 0x90, 64, 70), E3(3, 0x90, 67, 70),
      E3(4, 0x90, 69, 70)},
     /* 60 red, 64 blue, 67 red (both busy, last blue), 69: last red, both busy -> blue */
     {E3(1, 0x91, 60, 70), E3(3, 0x91, 67, 70)},
     {E3(2, 0x92, 64, 70), E3(4, 0x92, 69, 70)}},
    {"duophonic + damper portamento engaged: the synth with the nearest note, ties to newest",
     CFG_DEFAULT,
     {E3(0, 0x90, 22, 1), E3(1, 0x90, 60, 70), E3(2, 0x90, 64, 70), E3(3, 0xB0, 64, 127),
      E3(4, 0x90, 62, 70), E3(5, 0x90, 61, 70), E3(6, 0x90, 59, 70)},
     /* 60 red, 64 blue (pedal up: alternation). Pedal down: 62 is 2 from both
      * 60 and 64 -> the newest (64, blue). 61: 60 (red) and 62 (blue) are 1
      * away -> newest (62, blue). 59: nearest is 60 -> red. */
     {E3(1, 0x91, 60, 70), E3(3, 0xB1, 65, 127), E3(3, 0xB1, 5, 88), E3(6, 0x91, 59, 70)},
     {E3(2, 0x92, 64, 70), E3(3, 0xB2, 65, 127), E3(3, 0xB2, 5, 88), E3(4, 0x92, 62, 70),
      E3(5, 0x92, 61, 70)}},
    {"duophonic + legato: a legato note goes to the synth with the nearest held note",
     CFG_LEGATO,
     {E3(0, 0x90, 22, 1), E3(1, 0x90, 60, 70), E3(2, 0x90, 67, 70), E3(3, 0x80, 60, 0),
      E3(4, 0x80, 67, 0), E3(5, 0x90, 48, 70)},
     /* 60: nothing held -> red. 67: 60 held, glide engaged -> red too.
      * After all released: 48, last red -> blue. */
     {E3(1, 0xB1, 65, 0), E3(1, 0xB1, 5, 0), E3(1, 0x91, 60, 70), E3(2, 0xB1, 65, 127),
      E3(2, 0xB1, 5, 64), E3(2, 0x91, 67, 70), E3(3, 0x81, 60, 0), E3(3, 0xB1, 65, 127),
      E3(3, 0xB1, 5, 64), E3(4, 0x81, 67, 0), E3(4, 0xB1, 65, 0), E3(4, 0xB1, 5, 0),
      E3(5, 0xB1, 65, 0), E3(5, 0xB1, 5, 0)},
     {E3(1, 0xB2, 65, 0), E3(1, 0xB2, 5, 0), E3(2, 0xB2, 65, 127), E3(2, 0xB2, 5, 64),
      E3(3, 0xB2, 65, 127), E3(3, 0xB2, 5, 64), E3(4, 0xB2, 65, 0), E3(4, 0xB2, 5, 0),
      E3(5, 0xB2, 65, 0), E3(5, 0xB2, 5, 0), E3(5, 0x92, 48, 70)}},
    {"duophonic: a key pressed twice ends its first note first",
     CFG_PORTA_OFF,
     {E3(0, 0x90, 22, 1), E3(1, 0x90, 60, 70), E3(2, 0x90, 60, 80), E3(3, 0x80, 60, 0)},
     {E3(1, 0x91, 60, 70), E3(2, 0x81, 60, 0)},
     {E3(2, 0x92, 60, 80), E3(3, 0x82, 60, 0)}},
    {"mode switch while a note is held: its note-off goes where its note-on went",
     CFG_DEFAULT,
     {E3(0, 0x90, 23, 1), E3(1, 0x90, 60, 70), E3(2, 0x90, 21, 1), E3(3, 0x80, 60, 0),
      E3(4, 0x90, 62, 70)},
     {E3(1, 0x91, 60, 70), E3(3, 0x81, 60, 0), E3(4, 0x91, 62, 70)},
     {E3(1, 0x92, 67, 70), E3(3, 0x82, 67, 0), E3(4, 0x92, 62, 70)}},
};

static const Case porta_cases[] = {
    {"legato: CC65/CC5 before each note-on, after each note-off; 64 up, 80 down",
     CFG_LEGATO,
     {E3(0, 0x90, 60, 70), E3(10, 0x90, 64, 70), E3(20, 0x90, 62, 70), E3(30, 0x80, 62, 0),
      E3(40, 0x80, 60, 0), E3(50, 0x80, 64, 0)},
     /* 60 alone: no glide. 64 over 60: up (64). 62 below the last held 64:
      * down (80). Release 62: back to 64, up. Release 60: to 64, up.
      * Release 64: nothing held, glide off. */
     {E3(0, 0xB1, 65, 0), E3(0, 0xB1, 5, 0), E3(0, 0x91, 60, 70), E3(10, 0xB1, 65, 127),
      E3(10, 0xB1, 5, 64), E3(10, 0x91, 64, 70), E3(20, 0xB1, 65, 127), E3(20, 0xB1, 5, 80),
      E3(20, 0x91, 62, 70), E3(30, 0x81, 62, 0), E3(30, 0xB1, 65, 127), E3(30, 0xB1, 5, 64),
      E3(40, 0x81, 60, 0), E3(40, 0xB1, 65, 127), E3(40, 0xB1, 5, 64), E3(50, 0x81, 64, 0),
      E3(50, 0xB1, 65, 0), E3(50, 0xB1, 5, 0)},
     {E3(0, 0xB2, 65, 0), E3(0, 0xB2, 5, 0), E3(0, 0x92, 60, 70), E3(10, 0xB2, 65, 127),
      E3(10, 0xB2, 5, 64), E3(10, 0x92, 64, 70), E3(20, 0xB2, 65, 127), E3(20, 0xB2, 5, 80),
      E3(20, 0x92, 62, 70), E3(30, 0x82, 62, 0), E3(30, 0xB2, 65, 127), E3(30, 0xB2, 5, 64),
      E3(40, 0x82, 60, 0), E3(40, 0xB2, 65, 127), E3(40, 0xB2, 5, 64), E3(50, 0x82, 64, 0),
      E3(50, 0xB2, 65, 0), E3(50, 0xB2, 5, 0)}},
    {"legato: release to a lower held note glides down",
     CFG_LEGATO,
     {E3(0, 0x90, 60, 70), E3(1, 0x90, 55, 70), E3(2, 0x80, 55, 0)},
     {E3(0, 0xB1, 65, 0), E3(0, 0xB1, 5, 0), E3(0, 0x91, 60, 70), E3(1, 0xB1, 65, 127),
      E3(1, 0xB1, 5, 80), E3(1, 0x91, 55, 70), E3(2, 0x81, 55, 0), E3(2, 0xB1, 65, 127),
      E3(2, 0xB1, 5, 64)},
     {E3(0, 0xB2, 65, 0), E3(0, 0xB2, 5, 0), E3(0, 0x92, 60, 70), E3(1, 0xB2, 65, 127),
      E3(1, 0xB2, 5, 80), E3(1, 0x92, 55, 70), E3(2, 0x82, 55, 0), E3(2, 0xB2, 65, 127),
      E3(2, 0xB2, 5, 64)}},
    {"damper: CC64 drives CC65/CC5 (max * v / 127) and is not forwarded",
     CFG_DEFAULT,
     {E3(0, 0xB0, 64, 127), E3(1, 0xB0, 64, 64), E3(2, 0xB0, 64, 1), E3(3, 0xB0, 64, 0)},
     /* 88 * 64 / 127 = 44.3 -> 44; 88 * 1 / 127 -> 0 */
     {E3(0, 0xB1, 65, 127), E3(0, 0xB1, 5, 88), E3(1, 0xB1, 65, 127), E3(1, 0xB1, 5, 44),
      E3(2, 0xB1, 65, 127), E3(2, 0xB1, 5, 0), E3(3, 0xB1, 65, 0), E3(3, 0xB1, 5, 0)},
     {E3(0, 0xB2, 65, 127), E3(0, 0xB2, 5, 88), E3(1, 0xB2, 65, 127), E3(1, 0xB2, 5, 44),
      E3(2, 0xB2, 65, 127), E3(2, 0xB2, 5, 0), E3(3, 0xB2, 65, 0), E3(3, 0xB2, 5, 0)}},
    {"sustain: CC64 drives CC65/CC5 and is forwarded to both",
     CFG_SUSTAIN,
     {E3(7, 0xB0, 64, 127), E3(8, 0xB0, 64, 0)},
     {E3(7, 0xB1, 65, 127), E3(7, 0xB1, 5, 88), E3(7, 0xB1, 64, 127), E3(8, 0xB1, 65, 0),
      E3(8, 0xB1, 5, 0), E3(8, 0xB1, 64, 0)},
     {E3(7, 0xB2, 65, 127), E3(7, 0xB2, 5, 88), E3(7, 0xB2, 64, 127), E3(8, 0xB2, 65, 0),
      E3(8, 0xB2, 5, 0), E3(8, 0xB2, 64, 0)}},
    {"legato mode: CC64 is forwarded to both, no portamento CCs",
     CFG_LEGATO,
     {E3(7, 0xB0, 64, 100)},
     {E3(7, 0xB1, 64, 100)},
     {E3(7, 0xB2, 64, 100)}},
    {"portamento off: CC64 forwarded, notes without portamento CCs",
     CFG_PORTA_OFF,
     {E3(7, 0xB0, 64, 100), E3(8, 0x90, 60, 10), E3(9, 0x90, 62, 10)},
     {E3(7, 0xB1, 64, 100), E3(8, 0x91, 60, 10), E3(9, 0x91, 62, 10)},
     {E3(7, 0xB2, 64, 100), E3(8, 0x92, 60, 10), E3(9, 0x92, 62, 10)}},
};

static const Case control_cases[] = {
    {"mod wheel to the mod-wheel destinations only",
     CFG_DEFAULT,
     {E3(3, 0xB0, 1, 99)},
     {E3(3, 0xB1, 1, 99)},
     {{0}}},
    {"mod wheel to both when both have mod-wheel on",
     CFG_MOD_BOTH,
     {E3(3, 0xB0, 1, 99)},
     {E3(3, 0xB1, 1, 99)},
     {E3(3, 0xB2, 1, 99)}},
    {"first expression value goes out at once, scaled into min..max",
     CFG_DEFAULT,
     {E3(4, 0xB0, 11, 127)},
     {{0}},
     {E3(4, 0xB2, 1, 96)}},
    {"foot pedal CC4 is expression too; bottom maps to expression-min",
     CFG_EXPR_BOTH,
     {E3(4, 0xB0, 4, 0)},
     {E3(4, 0xB1, 1, 32)},
     {E3(4, 0xB2, 1, 32)}},
    {"pitch bend and CC123 to both",
     CFG_DEFAULT,
     {E3(1, 0xE0, 0x12, 0x34), E3(2, 0xB0, 123, 0)},
     {E3(1, 0xE1, 0x12, 0x34), E3(2, 0xB1, 123, 0)},
     {E3(1, 0xE2, 0x12, 0x34), E3(2, 0xB2, 123, 0)}},
    {"START and STOP pass (start-stop on); STOP adds CC123 to both",
     CFG_DEFAULT,
     {E1(1, 0xFA), E1(2, 0xFB), E1(3, 0xFC)},
     {E1(1, 0xFA), E1(2, 0xFB), E1(3, 0xFC), E3(3, 0xB1, 123, 0)},
     {E1(1, 0xFA), E1(2, 0xFB), E1(3, 0xFC), E3(3, 0xB2, 123, 0)}},
    {"start-stop off: START/STOP not passed, STOP still sends CC123",
     CFG_NO_START_STOP,
     {E1(1, 0xFA), E1(3, 0xFC)},
     {E3(3, 0xB1, 123, 0)},
     {E3(3, 0xB2, 123, 0)}},
    {"STOP forgets held notes: a later note-off for them goes to both",
     CFG_DEFAULT,
     {E3(0, 0x90, 23, 1), E3(1, 0x90, 60, 70), E1(2, 0xFC), E3(3, 0x80, 60, 0)},
     {E3(1, 0x91, 60, 70), E1(2, 0xFC), E3(2, 0xB1, 123, 0), E3(3, 0x81, 60, 0)},
     {E3(1, 0x92, 67, 70), E1(2, 0xFC), E3(2, 0xB2, 123, 0), E3(3, 0x82, 60, 0)}},
    {"CLOCK not passed by default", CFG_DEFAULT, {E1(1, 0xF8), E1(2, 0xF8)}, {{0}}, {{0}}},
    {"CLOCK passed with pass-clock",
     CFG_PASS_CLOCK,
     {E1(1, 0xF8), E1(2, 0xF8)},
     {E1(1, 0xF8), E1(2, 0xF8)},
     {E1(1, 0xF8), E1(2, 0xF8)}},
    {"shared port: clock/start/stop once, channel messages per channel",
     CFG_SHARED | CFG_PASS_CLOCK,
     {E1(1, 0xFA), E1(2, 0xF8), E3(3, 0x90, 60, 9), E1(4, 0xFC)},
     {E1(1, 0xFA), E1(2, 0xF8), E3(3, 0x91, 60, 9), E3(3, 0x92, 60, 9), E1(4, 0xFC),
      E3(4, 0xB1, 123, 0), E3(4, 0xB2, 123, 0)},
     {{0}}},
    {"shared port and channel: messages for both go out once",
     CFG_SHARED | CFG_SAME_CHANNEL | CFG_MOD_BOTH | CFG_EXPR_BOTH,
     {E3(3, 0x90, 60, 9), E3(4, 0xB0, 1, 5), E3(5, 0xB0, 11, 127), E3(6, 0x80, 60, 0)},
     {E3(3, 0x91, 60, 9), E3(4, 0xB1, 1, 5), E3(5, 0xB1, 1, 96), E3(6, 0x81, 60, 0)},
     {{0}}},
};

static const Case bad_cases[] = {
    {"other input channels are ignored",
     CFG_DEFAULT,
     {E3(1, 0x91, 60, 64), E3(2, 0xB5, 64, 127), E3(3, 0xEF, 0, 0x40), E3(4, 0x81, 60, 0)},
     {{0}},
     {{0}}},
    {"unknown CCs, program change, pressure, sysex, song position are dropped",
     CFG_DEFAULT,
     {E3(1, 0xB0, 7, 100), E3(2, 0xC0, 5, 0), E3(3, 0xD0, 50, 0), E1(4, 0xF0), E3(5, 0xF2, 1, 2),
      E1(6, 0xFE), E1(7, 0xFF), E1(8, 0xF6)},
     {{0}},
     {{0}}},
    {"truncated messages, stray data bytes and bad data bytes are dropped",
     CFG_DEFAULT,
     {{1, 2, {0x90, 60, 0}},
      {2, 1, {0xB0, 0, 0}},
      {3, 3, {0x40, 60, 10}},
      {4, 3, {0x90, 0x80, 10}},
      {5, 3, {0x90, 60, 0xFF}},
      E3(6, 0x90, 61, 10)},
     {E3(6, 0x91, 61, 10)},
     {E3(6, 0x92, 61, 10)}},
    {"realtime bytes between a note-on and its note-off change nothing",
     CFG_DEFAULT,
     {E3(1, 0x90, 60, 64), E1(1, 0xF8), E1(2, 0xFE), E3(2, 0x80, 60, 0)},
     {E3(1, 0x91, 60, 64), E3(2, 0x81, 60, 0)},
     {E3(1, 0x92, 60, 64), E3(2, 0x82, 60, 0)}},
};

static void run_table(const Case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        run_case(&cases[i]);
}

static void test_routing(void **state)
{
    run_table(routing_cases, sizeof routing_cases / sizeof routing_cases[0]);
}

static void test_portamento(void **state)
{
    run_table(porta_cases, sizeof porta_cases / sizeof porta_cases[0]);
}

static void test_controls(void **state)
{
    run_table(control_cases, sizeof control_cases / sizeof control_cases[0]);
}

static void test_bad_input(void **state)
{
    run_table(bad_cases, sizeof bad_cases / sizeof bad_cases[0]);
}

/* ---- reports ------------------------------------------------------------ */

static Rb *new_default(int flags)
{
    RbConfig cfg;
    make_config(&cfg, flags);
    Rb *rb = rb_new(&cfg);
    assert_non_null(rb);
    return rb;
}

static void process_one(Rb *rb, AtMidiBuf *out[RB_DESTS], Ev e, RbReport *rep)
{
    Ev list[2] = {e, {0}};
    AtMidiEvent in[2];
    size_t n = to_events(list, in);
    rb_process(rb, in, n, NFRAMES, out, rep);
}

static void test_reports(void **state)
{
    Rb *rb = new_default(CFG_DEFAULT);
    AtMidiBuf *out[RB_DESTS];
    RbReport rep;
    outputs(0, out);

    process_one(rb, out, (Ev)E3(0, 0x93, 60, 1), &rep);
    assert_int_equal(rep.wrong_channel, 1);
    assert_int_equal(rep.wrong_channel_last, 3);
    assert_false(rep.mode_changed);

    process_one(rb, out, (Ev)E3(0, 0xB0, 7, 1), &rep);
    assert_int_equal(rep.unhandled, 1);
    assert_int_equal(rep.unhandled_status, 0xB0);
    assert_int_equal(rep.unhandled_data, 7);
    assert_int_equal(rep.wrong_channel, 0); /* reset every cycle */

    process_one(rb, out, (Ev){0, 2, {0x90, 60, 0}}, &rep);
    assert_int_equal(rep.malformed, 1);

    process_one(rb, out, (Ev)E3(0, 0x90, 22, 1), &rep);
    assert_true(rep.mode_changed);
    assert_int_equal(rb_mode(rb), RB_MODE_DUOPHONIC);
    process_one(rb, out, (Ev)E3(0, 0x90, 23, 1), &rep);
    assert_int_equal(rb_mode(rb), RB_MODE_POWER);
    process_one(rb, out, (Ev)E3(0, 0x90, 21, 1), &rep);
    assert_int_equal(rb_mode(rb), RB_MODE_REGULAR);
    process_one(rb, out, (Ev)E3(0, 0x80, 21, 1), &rep);
    assert_false(rep.mode_changed); /* the key's release is not a switch */
    rb_free(rb);
}

/* ---- silencing ---------------------------------------------------------- */

static void test_silence(void **state)
{
    Rb *rb = new_default(CFG_DEFAULT);
    AtMidiBuf *out[RB_DESTS];
    outputs(0, out);
    rb_silence(rb, 1u << RB_RED, 17, out);
    assert_true(same(&red_buf, (Ev[]){E1(17, 0xFC), E3(17, 0xB1, 64, 0), E3(17, 0xB1, 123, 0), {0}},
                     "red", "silence red"));
    assert_int_equal(blue_buf.count, 0);

    outputs(0, out);
    rb_silence(rb, 1u << RB_BLUE, 0, out);
    assert_int_equal(red_buf.count, 0);
    assert_true(same(&blue_buf, (Ev[]){E1(0, 0xFC), E3(0, 0xB2, 64, 0), E3(0, 0xB2, 123, 0), {0}},
                     "blue", "silence blue"));
    rb_free(rb);

    /* Shared port: one STOP, both channels silenced. */
    rb = new_default(CFG_SHARED | CFG_NO_START_STOP);
    outputs(CFG_SHARED, out);
    rb_silence(rb, 3, 0, out);
    assert_true(same(
        &red_buf,
        (Ev[]){
            E3(0, 0xB1, 64, 0), E3(0, 0xB1, 123, 0), E3(0, 0xB2, 64, 0), E3(0, 0xB2, 123, 0), {0}},
        "shared", "silence shared, no start-stop"));
    rb_free(rb);

    rb = new_default(CFG_SHARED);
    outputs(CFG_SHARED, out);
    process_one(rb, out, (Ev)E3(0, 0x90, 60, 10), NULL);
    assert_int_equal(rb_held_count(rb), 1);
    outputs(CFG_SHARED, out);
    rb_shutdown(rb, 5, out);
    assert_true(same(&red_buf,
                     (Ev[]){E1(5, 0xFC),
                            E3(5, 0xB1, 64, 0),
                            E3(5, 0xB1, 123, 0),
                            E3(5, 0xB2, 64, 0),
                            E3(5, 0xB2, 123, 0),
                            {0}},
                     "shared", "shutdown shared"));
    assert_int_equal(rb_held_count(rb), 0);
    rb_free(rb);
}

/* ---- expression slew ---------------------------------------------------- */

typedef struct {
    uint64_t frame; /* absolute */
    int value;
} Cc1;

/* Run `cycles` cycles of NFRAMES with the given events at absolute frames and
 * collect blue's CC1 outputs with absolute frames. */
static size_t run_expr(Rb *rb, const Ev *events, size_t nev, int cycles, Cc1 *got, size_t max)
{
    size_t ngot = 0, next = 0;
    for (int c = 0; c < cycles; c++) {
        AtMidiBuf *out[RB_DESTS];
        outputs(0, out);
        AtMidiEvent in[MAXEV];
        size_t n = 0;
        while (next < nev && events[next].f < (uint32_t)(c + 1) * NFRAMES) {
            Ev e = events[next++];
            e.f -= (uint32_t)c * NFRAMES;
            Ev list[2] = {e, {0}};
            n += to_events(list, &in[n]);
        }
        rb_process(rb, in, n, NFRAMES, out, NULL);
        uint32_t last = 0;
        for (size_t i = 0; i < blue_buf.count; i++) {
            const AtMidiEvent *e = &blue_buf.events[i];
            assert_true(e->frame < NFRAMES);
            assert_true(e->frame >= last); /* appended in frame order */
            last = e->frame;
            if (e->data[0] == 0xB2 && e->data[1] == 1 && ngot < max)
                got[ngot++] = (Cc1){(uint64_t)c * NFRAMES + e->frame, e->data[2]};
        }
    }
    return ngot;
}

/* Check a slew from `from` to `to` whose step k is due at start+(k-1)*step;
 * a complete one ends on `to` at step RB_SLEW_STEPS. */
static void check_slew_part(const Cc1 *got, size_t n, uint64_t start, int from, int to,
                            bool complete)
{
    const uint64_t step = RATE / 1000;
    assert_true(n > 0);
    int prev = from;
    for (size_t i = 0; i < n; i++) {
        assert_true(got[i].frame >= start);
        assert_int_equal((got[i].frame - start) % step, 0); /* on the 1 ms grid */
        uint64_t k = (got[i].frame - start) / step + 1;
        assert_true(k >= 1 && k <= RB_SLEW_STEPS);
        /* The value at step k is the linear interpolation, to the nearest. */
        double exact = from + (double)(to - from) * (double)k / RB_SLEW_STEPS;
        assert_true(got[i].value >= (int)exact - 1 && got[i].value <= (int)exact + 1);
        assert_int_not_equal(got[i].value, prev); /* an unchanged value is not re-sent */
        assert_true(to < from ? got[i].value < prev : got[i].value > prev);
        prev = got[i].value;
    }
    if (!complete)
        return;
    /* The target is reached by the last step (earlier when rounding gets there). */
    assert_int_equal(got[n - 1].value, to);
    assert_true(got[n - 1].frame <= start + (RB_SLEW_STEPS - 1) * step);
    double k_last = (double)((got[n - 1].frame - start) / step + 1);
    double exact_last = from + (double)(to - from) * k_last / RB_SLEW_STEPS;
    assert_true(exact_last - to <= 0.5 && to - exact_last <= 0.5); /* not early */
}

static void check_slew(const Cc1 *got, size_t n, uint64_t start, int from, int to)
{
    check_slew_part(got, n, start, from, to, true);
}

static void test_expression_slew(void **state)
{
    Rb *rb = new_default(CFG_DEFAULT);
    /* 127 at frame 10 jumps to 96 (no previous value); 0 at frame 1000 slews
     * 96 -> 32 in 128 steps of 48 frames, across about 24 cycles. */
    Ev ev[] = {E3(10, 0xB0, 11, 127), E3(1000, 0xB0, 11, 0)};
    Cc1 got[300];
    size_t n = run_expr(rb, ev, 2, 40, got, 300);
    assert_true(n >= 2);
    assert_int_equal(got[0].frame, 10);
    assert_int_equal(got[0].value, 96);
    assert_int_equal(got[1].frame, 1000); /* the first step is at the input's frame */
    check_slew(got + 1, n - 1, 1000, 96, 32);
    assert_int_equal(n - 1, 64); /* 64 distinct values between 96 and 32 */

    /* The same value again: nothing is sent. */
    Ev again[] = {E3(0, 0xB0, 11, 0)};
    assert_int_equal(run_expr(rb, again, 1, 4, got, 300), 0);
    rb_free(rb);
}

static void test_expression_retarget(void **state)
{
    Rb *rb = new_default(CFG_DEFAULT);
    /* A new value in the middle of a slew slews on from where the output is. */
    Ev ev[] = {E3(0, 0xB0, 11, 0), E3(100, 0xB0, 11, 127), E3(100 + 48 * 40, 0xB0, 11, 0)};
    Cc1 got[400];
    size_t n = run_expr(rb, ev, 3, 60, got, 400);
    assert_int_equal(got[0].value, 32);
    size_t split = 1;
    while (split < n && got[split].frame < 100 + 48 * 40)
        split++;
    int reached = got[split - 1].value;
    assert_true(reached > 32 && reached < 96);
    check_slew_part(got + 1, split - 1, 100, 32, 96, false);
    assert_true(got[split - 1].frame < 100 + 48 * 40);
    check_slew(got + split, n - split, 100 + 48 * 40, reached, 32);
    rb_free(rb);
}

static void test_accent(void **state)
{
    Rb *rb = new_default(CFG_PORTA_OFF);
    /* Expression 64 -> scaled 64. A note at velocity >= 92 jumps to 96 at its
     * frame, then slews down to 64 starting 1 ms later. A legato note, even a
     * hard one, does not jump again; after all notes are released a hard
     * note accents again. */
    const uint32_t on1 = 300, on2 = 400, off = 9000, on3 = 9100;
    Ev ev[] = {E3(5, 0xB0, 11, 64),  E3(on1, 0x90, 60, 100), E3(on2, 0x90, 62, 127),
               E3(off, 0x80, 60, 0), E3(off, 0x80, 62, 0),   E3(on3, 0x90, 64, 92)};
    Cc1 got[400];
    size_t n = run_expr(rb, ev, sizeof ev / sizeof ev[0], 80, got, 400);
    assert_int_equal(got[0].value, 64);
    assert_int_equal(got[1].frame, on1);
    assert_int_equal(got[1].value, 96);
    size_t i = 2;
    while (i < n && got[i].frame < on3)
        i++;
    check_slew(got + 2, i - 2, on1 + 48, 96, 64);
    assert_true(i < n);
    assert_int_equal(got[i].frame, on3);
    assert_int_equal(got[i].value, 96);
    check_slew(got + i + 1, n - i - 1, on3 + 48, 96, 64);
    rb_free(rb);

    /* Soft notes never accent; the accent peak saturates at 127. */
    rb = new_default(CFG_PORTA_OFF);
    Ev soft[] = {E3(0, 0xB0, 11, 127), E3(10, 0x90, 60, 91), E3(20, 0x80, 60, 0),
                 E3(30, 0x90, 60, 127)};
    n = run_expr(rb, soft, 4, 40, got, 400);
    assert_int_equal(got[0].value, 96);
    assert_int_equal(got[1].frame, 30);
    assert_int_equal(got[1].value, 127);
    check_slew(got + 2, n - 2, 30 + 48, 127, 96);
    rb_free(rb);
}

/* An xrun: JACK skipped frames in the middle of a slew. The steps that fell
 * into the gap collapse into the latest one at frame 0; later steps stay on
 * the 1 ms grid of the real timeline. */
static void test_expression_xrun(void **state)
{
    Rb *rb = new_default(CFG_DEFAULT);
    Ev ev[] = {E3(0, 0xB0, 11, 127), E3(256, 0xB0, 11, 0)}; /* 96, then slew to 32 from 256 */
    Cc1 got[300];
    size_t n = run_expr(rb, ev, 2, 2, got, 300); /* cycles 0, 1: steps 1..6 (256..496) */
    assert_true(n >= 2 && got[n - 1].frame <= 496);
    rb_skip(rb, 2048); /* frames 512..2560 lost: steps up to k = 48 (2512) overdue */
    AtMidiBuf *out[RB_DESTS];
    outputs(0, out);
    rb_process(rb, NULL, 0, NFRAMES, out, NULL);
    assert_true(blue_buf.count >= 1);
    assert_int_equal(blue_buf.events[0].frame, 0);
    assert_int_equal(blue_buf.events[0].data[2], 96 - 24); /* step 48: 96 - 64 * 48 / 128 */
    for (size_t i = 1; i < blue_buf.count; i++)
        assert_int_equal((2560 + blue_buf.events[i].frame - 256) % 48, 0);
    rb_free(rb);
}

/* ---- live settings ------------------------------------------------------ */

static void test_settings(void **state)
{
    Rb *rb = new_default(CFG_DEFAULT);
    rb_set(rb, RB_SET_MODE, RB_MODE_POWER);
    assert_int_equal(rb_mode(rb), RB_MODE_POWER);
    rb_set(rb, RB_SET_MODE, 99);
    assert_int_equal(rb_mode(rb), RB_MODE_POWER); /* clamped */
    rb_set(rb, RB_SET_PORTAMENTO, RB_PORTA_OFF);
    rb_set(rb, RB_SET_DAMPER_PORTAMENTO_MAX, 500);
    rb_set(rb, RB_SET_EXPRESSION_MIN, -3);
    rb_set(rb, RB_SET_RED_EXPRESSION_PEDAL, 1);
    rb_set(rb, RB_SET_BLUE_MOD_WHEEL, 1);
    const RbConfig *c = rb_config(rb);
    assert_int_equal(c->portamento, RB_PORTA_OFF);
    assert_int_equal(c->damper_portamento_max, 127);
    assert_int_equal(c->expression_min, 0);
    assert_true(c->dest[RB_RED].expression_pedal);
    assert_true(c->dest[RB_BLUE].mod_wheel);
    rb_free(rb);

    RbConfig cfg;
    char err[128];
    rb_config_default(&cfg, RATE);
    assert_true(rb_config_check(&cfg, err, sizeof err));
    cfg.input_channel = 1;
    assert_false(rb_config_check(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "channel"));
    assert_null(rb_new(&cfg));
    rb_config_default(&cfg, RATE);
    cfg.accent_volume = 0;
    assert_false(rb_config_check(&cfg, err, sizeof err));
    rb_config_default(&cfg, RATE);
    cfg.expression_max = 128;
    assert_false(rb_config_check(&cfg, err, sizeof err));
    assert_string_equal(rb_mode_name(RB_MODE_DUOPHONIC), "duophonic");
    assert_string_equal(rb_porta_name(RB_PORTA_DAMPER), "damper");
}

/* ---- properties --------------------------------------------------------- */

typedef struct {
    int on[2][16][128]; /* notes sounding per output buffer, channel, note */
} Sounding;

/* Check range and order of one buffer and track its notes. */
static void scan(const AtMidiBuf *b, int which, Sounding *s, uint32_t nframes)
{
    uint32_t last = 0;
    for (size_t i = 0; i < b->count; i++) {
        const AtMidiEvent *e = &b->events[i];
        assert_true(e->frame < nframes);
        assert_true(e->frame >= last);
        last = e->frame;
        assert_true(e->size >= 1 && e->size <= 3);
        assert_true(e->data[0] >= 0x80);
        for (int k = 1; k < e->size; k++)
            assert_true(e->data[k] < 0x80);
        uint8_t t = e->data[0] & 0xF0, ch = e->data[0] & 0x0F;
        if (t == 0x90 && e->data[2] > 0)
            s->on[which][ch][e->data[1]] = 1;
        else if (t == 0x80 || t == 0x90)
            s->on[which][ch][e->data[1]] = 0;
        else if (t == 0xB0 && e->data[1] == 123)
            memset(s->on[which][ch], 0, sizeof s->on[which][ch]);
    }
}

static int sounding(const Sounding *s)
{
    int n = 0;
    for (int w = 0; w < 2; w++)
        for (int c = 0; c < 16; c++)
            for (int k = 0; k < 128; k++)
                n += s->on[w][c][k];
    return n;
}

static AtMidiEvent random_event(AtRand *r, uint32_t frame, bool *keys)
{
    AtMidiEvent e = {.frame = frame, .size = 3};
    uint32_t kind = at_rand_below(r, 100);
    uint8_t note = (uint8_t)(18 + at_rand_below(r, 50)); /* includes the mode keys */
    if (kind < 40) {
        e.data[0] = 0x90;
        e.data[1] = note;
        e.data[2] = (uint8_t)(1 + at_rand_below(r, 127));
        keys[note] = true;
    } else if (kind < 70) {
        e.data[0] = at_rand_below(r, 2) ? 0x80 : 0x90;
        e.data[1] = note;
        e.data[2] = 0;
        keys[note] = false;
    } else if (kind < 85) {
        static const uint8_t ccs[] = {1, 4, 11, 64, 123, 7, 65};
        e.data[0] = 0xB0;
        e.data[1] = ccs[at_rand_below(r, sizeof ccs)];
        e.data[2] = (uint8_t)at_rand_below(r, 128);
    } else if (kind < 92) {
        static const uint8_t rt[] = {0xF8, 0xFA, 0xFB, 0xFC, 0xFE};
        e.size = 1;
        e.data[0] = rt[at_rand_below(r, sizeof rt)];
    } else if (kind < 96) {
        e.data[0] = (uint8_t)(0x90 | (1 + at_rand_below(r, 15))); /* ignored channel */
        e.data[1] = note;
        e.data[2] = 100;
    } else {
        e.size = (uint8_t)(1 + at_rand_below(r, 3)); /* junk */
        for (int k = 0; k < 3; k++)
            e.data[k] = (uint8_t)at_rand_below(r, 256);
    }
    return e;
}

/* Random play (modes, portamento modes, live changes, junk), then every key
 * still down is released: every note-on that went out has had its note-off.
 * Or, instead of releasing the keys, a STOP: nothing is left sounding. */
static void property_run(uint64_t seed, bool end_with_stop)
{
    AtRand r;
    at_rand_seed(&r, seed);
    int flags = (int)at_rand_below(&r, 1 << 9);
    RbConfig cfg;
    make_config(&cfg, flags);
    cfg.mode = (RbMode)at_rand_below(&r, 3);
    Rb *rb = rb_new(&cfg);
    assert_non_null(rb);
    static Sounding s;
    memset(&s, 0, sizeof s);
    bool keys[128] = {0};
    bool shared = (flags & CFG_SHARED) != 0;
    for (int c = 0; c < 60; c++) {
        AtMidiBuf *out[RB_DESTS];
        outputs(flags, out);
        AtMidiEvent in[64];
        size_t n = at_rand_below(&r, 40);
        uint32_t f = 0;
        for (size_t i = 0; i < n; i++) {
            f += at_rand_below(&r, 3) == 0 ? 0 : at_rand_below(&r, 12);
            if (f >= NFRAMES)
                f = NFRAMES - 1;
            in[i] = random_event(&r, f, keys);
        }
        if (at_rand_below(&r, 10) == 0)
            rb_set(rb, (RbSetting)at_rand_below(&r, 12), (int)at_rand_below(&r, 128));
        rb_process(rb, in, n, NFRAMES, out, NULL);
        scan(&red_buf, 0, &s, NFRAMES);
        if (!shared)
            scan(&blue_buf, 1, &s, NFRAMES);
    }
    AtMidiBuf *out[RB_DESTS];
    outputs(flags, out);
    AtMidiEvent in[130];
    size_t n = 0;
    if (end_with_stop) {
        in[n++] = (AtMidiEvent){.frame = 0, .size = 1, .data = {0xFC}};
    } else {
        for (int k = 0; k < 128; k++)
            if (keys[k])
                in[n++] = (AtMidiEvent){.frame = 0, .size = 3, .data = {0x80, (uint8_t)k, 0}};
    }
    rb_process(rb, in, n, NFRAMES, out, NULL);
    scan(&red_buf, 0, &s, NFRAMES);
    if (!shared)
        scan(&blue_buf, 1, &s, NFRAMES);
    if (sounding(&s) != 0)
        fprintf(stderr, "seed %llu flags %x: %d notes left sounding\n", (unsigned long long)seed,
                flags, sounding(&s));
    assert_int_equal(sounding(&s), 0);
    assert_int_equal(rb_held_count(rb), end_with_stop ? 0 : rb_held_count(rb));
    rb_free(rb);
}

static void test_property_no_stuck_notes(void **state)
{
    for (uint64_t seed = 1; seed <= 400; seed++)
        property_run(seed, false);
}

static void test_property_stop_silences(void **state)
{
    for (uint64_t seed = 1000; seed <= 1400; seed++)
        property_run(seed, true);
}

/* 1000 events in one cycle: all handled, frame order kept, nothing lost. */
static void test_flood(void **state)
{
    Rb *rb = new_default(CFG_PORTA_OFF);
    AtMidiBuf *out[RB_DESTS];
    outputs(0, out);
    static AtMidiEvent in[1000];
    for (int i = 0; i < 1000; i++) {
        uint8_t note = (uint8_t)(30 + (i / 2) % 90);
        in[i] = (AtMidiEvent){.frame = (uint32_t)(i * NFRAMES / 1000),
                              .size = 3,
                              .data = {0x90, note, (uint8_t)(i % 2 ? 0 : 50)}};
    }
    RbReport rep;
    rb_process(rb, in, 1000, NFRAMES, out, &rep);
    assert_int_equal(red_buf.count, 1000);
    assert_int_equal(blue_buf.count, 1000);
    assert_int_equal(rep.dropped, 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(red_buf.events[i].frame, in[i].frame);
    assert_int_equal(rb_held_count(rb), 0);

    /* A buffer too small: events are dropped and counted, never overrun. */
    AtMidiEvent small_store[10];
    AtMidiBuf small;
    at_midi_buf_init(&small, small_store, 10);
    out[RB_RED] = &small;
    rb_process(rb, in, 1000, NFRAMES, out, &rep);
    assert_int_equal(small.count, 10);
    assert_int_equal(rep.dropped, 990);
    rb_free(rb);
}

/* Input offsets out of order or past the cycle are clamped, keeping the
 * output in frame order. */
static void test_bad_offsets(void **state)
{
    Rb *rb = new_default(CFG_PORTA_OFF);
    AtMidiBuf *out[RB_DESTS];
    outputs(0, out);
    AtMidiEvent in[3] = {
        {100, 3, {0x90, 60, 10}}, {50, 3, {0x80, 60, 0}}, {9999, 3, {0x90, 61, 10}}};
    rb_process(rb, in, 3, NFRAMES, out, NULL);
    assert_true(same(
        &red_buf,
        (Ev[]){E3(100, 0x91, 60, 10), E3(100, 0x81, 60, 0), E3(NFRAMES - 1, 0x91, 61, 10), {0}},
        "red", "bad offsets"));
    rb_free(rb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_portamento),
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_reports),
        cmocka_unit_test(test_silence),
        cmocka_unit_test(test_expression_slew),
        cmocka_unit_test(test_expression_retarget),
        cmocka_unit_test(test_accent),
        cmocka_unit_test(test_expression_xrun),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_property_no_stuck_notes),
        cmocka_unit_test(test_property_stop_silences),
        cmocka_unit_test(test_flood),
        cmocka_unit_test(test_bad_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
