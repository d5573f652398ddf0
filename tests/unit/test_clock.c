/* test_clock.c - the aiotone-clock core: exact pulse frames for a tempo and
 * a rate over many cycles (no drift), tempo changes mid-run, START / STOP /
 * CONTINUE from commands and from the input, the transport and MIDI sources,
 * and bad input. Expected frames are computed with exact integer arithmetic
 * (frames per pulse = rate * 60 / (bpm * 24) as a fraction), independently
 * of the core's floating point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/clock/clock.h"
#include "rand.h"

#define CAP 4096

static AtMidiEvent store[CAP];
static AtMidiBuf buf;

typedef struct {
    uint64_t frame; /* absolute */
    uint8_t status;
    uint16_t value; /* Song Position Pointer: the sixteenth */
} Out;

typedef struct {
    Out *ev;
    size_t n, cap;
} Log;

static void log_add(Log *l, uint64_t frame, uint8_t status, uint16_t value)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->ev = realloc(l->ev, l->cap * sizeof *l->ev);
        assert_non_null(l->ev);
    }
    l->ev[l->n++] = (Out){frame, status, value};
}

/* One cycle; appends the output to log with absolute frames and checks
 * range and order. */
static void cycle(Ck *ck, uint64_t *now, uint32_t nframes, const AtMidiEvent *in, size_t n,
                  const CkTransport *t, Log *log, CkReport *rep)
{
    at_midi_buf_init(&buf, store, CAP);
    ck_process(ck, in, n, nframes, t, &buf, rep);
    uint32_t last = 0;
    for (size_t i = 0; i < buf.count; i++) {
        const AtMidiEvent *e = &buf.events[i];
        assert_true(e->frame < nframes);
        assert_true(e->frame >= last);
        uint16_t value = 0;
        if (e->data[0] == 0xF2) { /* Song Position Pointer, LSB first */
            assert_int_equal(e->size, 3);
            assert_true(e->data[1] < 0x80 && e->data[2] < 0x80);
            value = (uint16_t)(e->data[1] | e->data[2] << 7);
        } else {
            assert_int_equal(e->size, 1);
            assert_true(e->data[0] >= 0xF8);
        }
        last = e->frame;
        log_add(log, *now + e->frame, e->data[0], value);
    }
    *now += nframes;
}

/* Exact frame of pulse n after a START at frame start: start + ceil(n * num
 * / den), with frames per pulse = num / den = rate * 60 * 10 / (bpm10 * 24)
 * (bpm10 = tempo in tenths of a BPM). */
static uint64_t exact_pulse(uint64_t start, uint64_t n, uint64_t rate, uint64_t bpm10)
{
    uint64_t num = rate * 600, den = bpm10 * 24;
    return start + (n * num + den - 1) / den;
}

static Ck *new_clock(uint32_t rate, double bpm)
{
    CkConfig cfg;
    ck_config_default(&cfg, rate);
    cfg.bpm = bpm;
    Ck *ck = ck_new(&cfg);
    assert_non_null(ck);
    return ck;
}

/* A clock at 48 kHz with the default tempo, following source. */
static Ck *clock_from(CkSource source)
{
    CkConfig cfg;
    ck_config_default(&cfg, 48000);
    cfg.source = source;
    Ck *ck = ck_new(&cfg);
    assert_non_null(ck);
    return ck;
}

static void finish(Ck *ck, Log *log)
{
    free(log->ev);
    ck_free(ck);
}

/* Collect the CLOCK frames of a log. */
static size_t pulses_of(const Log *l, uint64_t *frames, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->ev[i].status == 0xF8 && n < max)
            frames[n++] = l->ev[i].frame;
    return n;
}

typedef struct {
    uint32_t rate;
    uint32_t bpm10;
    uint32_t period; /* JACK period */
    uint32_t start;  /* offset of the START in the first cycle */
} TempoCase;

static const TempoCase tempo_cases[] = {
    {48000, 1200, 256, 0},                             /* 1000 frames per pulse */
    {48000, 1200, 256, 10},    {44100, 1280, 512, 77}, /* 861.328125 */
    {48000, 1333, 128, 5},                             /* 900.225... (periodic decimal) */
    {96000, 1747, 1024, 1000},                         /* 1373.78... */
    {48000, 200, 64, 3},                               /* 20 BPM: slowest */
    {48000, 4000, 256, 255},                           /* 400 BPM: fastest, 300 frames */
    {22050, 999, 333, 100},                            /* odd period */
};

/* START sent by a command, then many cycles: every pulse on its exact
 * frame, the count exact, no drift after a million frames. */
static void test_tempo_table(void **state)
{
    for (size_t c = 0; c < sizeof tempo_cases / sizeof tempo_cases[0]; c++) {
        const TempoCase *tc = &tempo_cases[c];
        Ck *ck = new_clock(tc->rate, tc->bpm10 / 10.0);
        Log log = {0};
        uint64_t now = 0;
        AtMidiEvent start = {.frame = tc->start, .size = 1, .data = {0xFA}};
        cycle(ck, &now, tc->period, &start, 1, NULL, &log, NULL);
        while (now < 2000000)
            cycle(ck, &now, tc->period, NULL, 0, NULL, &log, NULL);
        assert_true(log.n > 0);
        assert_int_equal(log.ev[0].status, 0xFA);
        assert_int_equal(log.ev[0].frame, tc->start);
        static uint64_t frames[200000];
        size_t n = pulses_of(&log, frames, 200000);
        /* Count: pulses whose exact frame is before the end. */
        size_t want = 0;
        while (exact_pulse(tc->start, want, tc->rate, tc->bpm10) < now)
            want++;
        if (n != want)
            fprintf(stderr, "case %zu: %zu pulses, want %zu\n", c, n, want);
        assert_int_equal(n, want);
        for (size_t i = 0; i < n; i++) {
            uint64_t w = exact_pulse(tc->start, i, tc->rate, tc->bpm10);
            if (frames[i] != w)
                fprintf(stderr, "case %zu pulse %zu at %llu, want %llu\n", c, i,
                        (unsigned long long)frames[i], (unsigned long long)w);
            assert_int_equal(frames[i], w);
        }
        assert_int_equal(ck_pulse_count(ck), n);
        finish(ck, &log);
    }
}

/* The pulse frames do not depend on the JACK period. */
static void test_period_independent(void **state)
{
    static const uint32_t periods[] = {16, 64, 256, 1000, 4096};
    static uint64_t ref[20000], got[20000];
    size_t nref = 0;
    for (size_t p = 0; p < 5; p++) {
        Ck *ck = new_clock(48000, 137.3);
        ck_command(ck, CK_CMD_START);
        Log log = {0};
        uint64_t now = 0;
        while (now < 1000000)
            cycle(ck, &now, periods[p], NULL, 0, NULL, &log, NULL);
        size_t n = pulses_of(&log, got, 20000);
        size_t keep = 0;
        while (keep < n && got[keep] < 1000000 - 4096)
            keep++;
        if (p == 0) {
            memcpy(ref, got, keep * sizeof *got);
            nref = keep;
        } else {
            assert_true(keep >= nref - 2 && keep <= nref + 2);
            for (size_t i = 0; i < keep && i < nref; i++)
                assert_int_equal(got[i], ref[i]);
        }
        finish(ck, &log);
    }
}

/* A tempo change mid-run keeps the phase: the pulse in progress finishes at
 * the new tempo, later pulses follow the new period, nothing drifts. */
static void test_tempo_change(void **state)
{
    Ck *ck = new_clock(48000, 120.0); /* 1000 frames per pulse */
    Log log = {0};
    uint64_t now = 0;
    ck_command(ck, CK_CMD_START);
    for (int i = 0; i < 10; i++) /* 2560 frames: pulses 0, 1000, 2000 */
        cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    ck_set_bpm(ck, 240.0);            /* 500 frames per pulse, from frame 2560 */
    assert_true(ck_bpm(ck) == 120.0); /* queued for the next cycle */
    while (now < 2560 + 500 * 1000)
        cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_true(ck_bpm(ck) == 240.0);
    static uint64_t f[5000];
    size_t n = pulses_of(&log, f, 5000);
    assert_int_equal(f[0], 0);
    assert_int_equal(f[1], 1000);
    assert_int_equal(f[2], 2000);
    /* Phase at 2560 is 2.56 pulses; pulse 3 is 0.44 * 500 = 220 frames later. */
    for (size_t i = 3; i < n; i++)
        assert_int_equal(f[i], 2560 + 220 + (i - 3) * 500);
    assert_int_equal(n, 3 + (now - 2780 + 499) / 500); /* every pulse before the end */

    /* And back to a tempo with a fractional period: still exact from the
     * new anchor (pulse i after the change at frame a, phase p). */
    uint64_t a = now;
    size_t before = n;
    uint64_t phase500 = 1500 + (a - 2780); /* phase * 500: 2780 is pulse 3 */
    ck_set_bpm(ck, 128.0);                 /* 937.5 = 15/8 * 500 frames per pulse */
    while (now < a + 937500)
        cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    n = pulses_of(&log, f, 5000);
    uint64_t next = (uint64_t)before;
    for (size_t i = before; i < n; i++, next++) {
        /* exact: a + ceil((next - phase) * 937.5) = a + ceil((next * 500 -
         * phase500) * 15 / 8) */
        uint64_t w = a + ((next * 500 - phase500) * 15 + 7) / 8;
        assert_int_equal(f[i], w);
    }
    finish(ck, &log);
}

/* START, STOP, CONTINUE from the input at their offsets; the first pulse
 * goes with the START; CONTINUE resumes the phase where STOP left it. */
static void test_input_transport_messages(void **state)
{
    Ck *ck = new_clock(48000, 120.0);
    Log log = {0};
    uint64_t now = 0;
    AtMidiEvent start = {.frame = 100, .size = 1, .data = {0xFA}};
    cycle(ck, &now, 256, &start, 1, NULL, &log, NULL);
    assert_true(ck_running(ck));
    assert_int_equal(log.n, 2);
    assert_int_equal(log.ev[0].status, 0xFA);
    assert_int_equal(log.ev[0].frame, 100);
    assert_int_equal(log.ev[1].status, 0xF8);
    assert_int_equal(log.ev[1].frame, 100);
    while (now < 2560)
        cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);         /* pulses 1100, 2100 */
    AtMidiEvent stop = {.frame = 40, .size = 1, .data = {0xFC}}; /* 2600: phase 2.5 */
    cycle(ck, &now, 256, &stop, 1, NULL, &log, NULL);
    assert_false(ck_running(ck));
    size_t mark = log.n;
    for (int i = 0; i < 20; i++) /* stopped: nothing */
        cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_int_equal(log.n, mark);
    AtMidiEvent cont = {.frame = 7, .size = 1, .data = {0xFB}};
    uint64_t at = now + 7;
    cycle(ck, &now, 256, &cont, 1, NULL, &log, NULL);
    while (now < at + 3000)
        cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    static const uint8_t want_status[] = {0xFA, 0xF8, 0xF8, 0xF8, 0xFC, 0xFB, 0xF8, 0xF8, 0xF8};
    uint64_t want_frame[] = {100, 100, 1100, 2100, 2600, at, at + 500, at + 1500, at + 2500};
    assert_int_equal(log.n, 9);
    for (size_t i = 0; i < 9; i++) {
        assert_int_equal(log.ev[i].status, want_status[i]);
        assert_int_equal(log.ev[i].frame, want_frame[i]);
    }
    assert_int_equal(ck_pulse_count(ck), 6);

    /* CONTINUE while running does nothing; STOP while stopped is passed. */
    log.n = 0;
    AtMidiEvent again = {.frame = 0, .size = 1, .data = {0xFB}};
    cycle(ck, &now, 256, &again, 1, NULL, &log, NULL);
    for (size_t i = 0; i < log.n; i++)
        assert_int_equal(log.ev[i].status, 0xF8);

    /* follow-input off: the input's START is ignored and reported. */
    ck_set_follow_input(ck, false);
    ck_command(ck, CK_CMD_STOP);
    cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    log.n = 0;
    CkReport rep;
    AtMidiEvent s2 = {.frame = 3, .size = 1, .data = {0xFA}};
    cycle(ck, &now, 256, &s2, 1, NULL, &log, &rep);
    assert_int_equal(log.n, 0);
    assert_int_equal(rep.ignored, 1);
    assert_int_equal(rep.ignored_status, 0xFA);
    finish(ck, &log);
}

/* Commands (OSC) act at frame 0 of the next cycle. */
static void test_commands(void **state)
{
    Ck *ck = new_clock(48000, 120.0);
    Log log = {0};
    uint64_t now = 0;
    cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_int_equal(log.n, 0);
    ck_command(ck, CK_CMD_START);
    cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.ev[0].frame, 256);
    assert_int_equal(log.ev[0].status, 0xFA);
    assert_int_equal(log.ev[1].frame, 256);
    ck_command(ck, CK_CMD_STOP);
    cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.ev[2].frame, 512);
    assert_int_equal(log.ev[2].status, 0xFC);
    ck_command(ck, CK_CMD_CONTINUE);
    cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    /* stopped at phase 0.256: CONTINUE at 768, next pulse at 768 + 744 */
    assert_int_equal(log.n, 4);
    assert_int_equal(log.ev[3].status, 0xFB);
    while (now < 768 + 745)
        cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_int_equal(log.n, 5);
    assert_int_equal(log.ev[4].frame, 768 + 744);

    /* Shutdown while running: a STOP. */
    at_midi_buf_init(&buf, store, CAP);
    ck_shutdown(ck, 9, &buf);
    assert_int_equal(buf.count, 1);
    assert_int_equal(buf.events[0].frame, 9);
    assert_int_equal(buf.events[0].data[0], 0xFC);
    at_midi_buf_init(&buf, store, CAP);
    ck_shutdown(ck, 9, &buf); /* not running: nothing */
    assert_int_equal(buf.count, 0);
    finish(ck, &log);
}

/* Transport: START when it rolls from 0, pulses on the transport's
 * position, STOP when it stops, CONTINUE when it rolls from elsewhere. */
static void test_transport(void **state)
{
    Ck *ck = clock_from(CK_SOURCE_TRANSPORT);
    Log log = {0};
    uint64_t now = 0;
    CkTransport t = {.rolling = false};
    for (int i = 0; i < 4; i++)
        cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    assert_int_equal(log.n, 0);
    /* Rolls from 0 at frame 1024 (no BBT: config tempo, 1000 frames). */
    t.rolling = true;
    for (int i = 0; i < 40; i++) {
        cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
        t.frame += 256;
    }
    assert_int_equal(log.ev[0].status, 0xFA);
    assert_int_equal(log.ev[0].frame, 1024);
    for (size_t i = 1; i < log.n; i++) {
        assert_int_equal(log.ev[i].status, 0xF8);
        assert_int_equal(log.ev[i].frame, 1024 + (i - 1) * 1000);
    }
    assert_int_equal(log.n, 1 + 11); /* 10240 frames rolled: pulses 0..10 */
    /* It stops at 10.24 pulses: STOP, and since the followers got 11
     * pulses (between two sixteenths) the sixteenth to resume from, 2. */
    t.rolling = false;
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    assert_int_equal(log.n, 1 + 11 + 2);
    assert_int_equal(log.ev[12].status, 0xFC);
    assert_int_equal(log.ev[12].frame, now - 256);
    assert_int_equal(log.ev[13].status, 0xF2);
    assert_int_equal(log.ev[13].value, 2);
    assert_int_equal(log.ev[13].frame, now - 256);
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL); /* still there: nothing */
    assert_int_equal(log.n, 1 + 11 + 2);

    /* Rolls again from beat 2.25 with BBT at 90 BPM: SPP 9 (54 pulses),
     * CONTINUE, then pulses on the beat grid (48000*60/(90*24) = 1333.33
     * frames). The SPP goes out while stopped (the transport locates), and
     * again with the CONTINUE. */
    log.n = 0;
    t = (CkTransport){.rolling = false, .bbt_valid = true, .bpm = 90.0, .beats = 2.25};
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.ev[0].status, 0xF2);
    assert_int_equal(log.ev[0].value, 9);
    log.n = 0;
    t.rolling = true;
    uint64_t at = now;
    for (int i = 0; i < 30; i++) {
        cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
        t.beats += 256.0 / (48000.0 * 60.0 / 90.0);
    }
    assert_int_equal(log.ev[0].status, 0xF2);
    assert_int_equal(log.ev[0].value, 9);
    assert_int_equal(log.ev[0].frame, at);
    assert_int_equal(log.ev[1].status, 0xFB);
    assert_int_equal(log.ev[1].frame, at);
    for (size_t i = 2; i < log.n; i++) {
        /* pulse 54 + (i - 2) at ceil((i - 2) * 4000 / 3) */
        uint64_t k = i - 2;
        assert_int_equal(log.ev[i].status, 0xF8);
        assert_int_equal(log.ev[i].frame, at + (k * 4000 + 2) / 3);
    }
    assert_int_equal(log.n, 2 + 6); /* 7680 frames: pulses at 0..6667 */

    /* Relocation while rolling: STOP, SPP, CONTINUE, then the pulses of
     * the new position. */
    log.n = 0;
    t.beats = 100.0; /* phase 2400 = sixteenth 400: a pulse right at the cycle start */
    uint64_t reloc = now;
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    assert_int_equal(log.n, 4);
    static const uint8_t want[] = {0xFC, 0xF2, 0xFB, 0xF8};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(log.ev[i].status, want[i]);
        assert_int_equal(log.ev[i].frame, reloc);
    }
    assert_int_equal(log.ev[1].value, 400);
    assert_int_equal(ck_pulse_count(ck), 2401);

    /* A START on the input asks the shell to roll the transport. */
    CkReport rep;
    AtMidiEvent stop = {.frame = 0, .size = 1, .data = {0xFC}};
    cycle(ck, &now, 256, &stop, 1, &t, &log, &rep);
    assert_int_equal(rep.transport_request, -1);
    ck_command(ck, CK_CMD_START);
    cycle(ck, &now, 256, NULL, 0, &t, &log, &rep);
    assert_int_equal(rep.transport_request, 1);
    finish(ck, &log);
}

/* Transport locates: the followers get Song Position Pointer while the
 * transport is stopped, each time it moves to another sixteenth; rolling
 * from a position between two sixteenths sends SPP for the next one, then
 * CONTINUE, and the first pulse is the one of that sixteenth. An xrun is
 * no relocation. */
static void test_transport_song_position(void **state)
{
    Ck *ck = clock_from(CK_SOURCE_TRANSPORT); /* 120 BPM: 1000 frames per pulse */
    Log log = {0};
    uint64_t now = 0;
    CkTransport t = {.rolling = false, .frame = 0};
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    assert_int_equal(log.n, 0); /* at the start: followers are there */
    t.frame = 13500;            /* pulse 13.5: resume at sixteenth 3 (pulse 18) */
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.ev[0].status, 0xF2);
    assert_int_equal(log.ev[0].value, 3);
    t.frame = 17000; /* pulse 17: still sixteenth 3, nothing new */
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    assert_int_equal(log.n, 1);
    t.frame = 6000 * 16384.0 + 5; /* past the largest position: 16383 */
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.ev[1].value, 16383);
    t.frame = 6000 * 16383.0 + 1;
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    assert_int_equal(log.n, 2); /* also 16383 */

    /* Rolls from pulse 13.5: SPP 3 + CONTINUE at frame 0, no pulse before
     * pulse 18, which lands 4500 frames later; then every 1000. */
    log.n = 0;
    t = (CkTransport){.rolling = true, .frame = 13500};
    uint64_t at = now;
    for (int i = 0; i < 40; i++) {
        cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
        t.frame += 256;
    }
    assert_int_equal(log.ev[0].status, 0xF2);
    assert_int_equal(log.ev[0].value, 3);
    assert_int_equal(log.ev[0].frame, at);
    assert_int_equal(log.ev[1].status, 0xFB);
    assert_int_equal(log.ev[1].frame, at);
    size_t k = 0;
    for (size_t i = 2; i < log.n; i++, k++) {
        assert_int_equal(log.ev[i].status, 0xF8);
        assert_int_equal(log.ev[i].frame, at + 4500 + k * 1000);
    }
    assert_int_equal(k, 6); /* 10240 frames: pulses 18..23 */
    assert_int_equal(ck_pulse_count(ck), 24);

    /* An xrun of 3000 frames: the transport rolled on; no relocation, the
     * overdue pulses go out at frame 0 and the count goes on. */
    log.n = 0;
    ck_skip(ck, 3000);
    now += 3000;
    t.frame += 3000;
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    for (size_t i = 0; i < log.n; i++)
        assert_int_equal(log.ev[i].status, 0xF8);
    assert_int_equal(ck_pulse_count(ck), 27); /* pulses up to 26.74 */

    /* Relocated back to 0 while rolling: STOP, START and the downbeat. */
    log.n = 0;
    t.frame = 0;
    uint64_t reloc = now;
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.ev[0].status, 0xFC);
    assert_int_equal(log.ev[1].status, 0xFA);
    assert_int_equal(log.ev[2].status, 0xF8);
    assert_int_equal(log.ev[2].frame, reloc);
    t.frame += 256;

    /* Relocated to pulse 100.2: STOP, SPP 17 (pulse 102), CONTINUE; the
     * next pulse is 102, 1800 frames on. */
    log.n = 0;
    t.frame = 100200;
    reloc = now;
    for (int i = 0; i < 10; i++) {
        cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
        t.frame += 256;
    }
    assert_int_equal(log.ev[0].status, 0xFC);
    assert_int_equal(log.ev[1].status, 0xF2);
    assert_int_equal(log.ev[1].value, 17);
    assert_int_equal(log.ev[2].status, 0xFB);
    assert_int_equal(log.ev[3].status, 0xF8);
    assert_int_equal(log.ev[3].frame, reloc + 1800);

    /* Stopped on a sixteenth the followers reached (pulse count a multiple
     * of 6): STOP only, no SPP. */
    while (ck_pulse_count(ck) % 6 != 0) {
        cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
        t.frame += 256;
    }
    log.n = 0;
    t.rolling = false;
    t.frame = (ck_pulse_count(ck) - 1) * 1000 + 300; /* between its last pulse and the next */
    cycle(ck, &now, 256, NULL, 0, &t, &log, NULL);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.ev[0].status, 0xFC);
    finish(ck, &log);
}

/* MIDI source: clock and transport messages from the input pass through at
 * their offsets; everything else is dropped. */
static void test_midi_source(void **state)
{
    Ck *ck = clock_from(CK_SOURCE_MIDI);
    Log log = {0};
    uint64_t now = 0;
    AtMidiEvent in[] = {{1, 1, {0xFA}},      {1, 1, {0xF8}},         {50, 3, {0x90, 60, 1}},
                        {51, 1, {0xFE}},     {99, 1, {0xF8}},        {200, 1, {0xFC}},
                        {201, 2, {0xF2, 1}}, {201, 3, {0xF2, 5, 1}}, {202, 1, {0xFB}}};
    CkReport rep;
    cycle(ck, &now, 256, in, 9, NULL, &log, &rep);
    static const Out want[] = {{1, 0xFA, 0},   {1, 0xF8, 0},     {99, 0xF8, 0},
                               {200, 0xFC, 0}, {201, 0xF2, 133}, {202, 0xFB, 0}};
    assert_int_equal(log.n, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(log.ev[i].frame, want[i].frame);
        assert_int_equal(log.ev[i].status, want[i].status);
        assert_int_equal(log.ev[i].value, want[i].value);
    }
    assert_int_equal(rep.positions, 1);
    assert_int_equal(rep.ignored, 2);
    assert_int_equal(rep.pulses, 2);
    assert_true(ck_running(ck));
    finish(ck, &log);
}

/* Junk on the input of the internal clock: ignored, pulses unaffected. */
static void test_bad_input(void **state)
{
    Ck *ck = new_clock(48000, 120.0);
    Log log = {0};
    uint64_t now = 0;
    AtRand r;
    at_rand_seed(&r, 42);
    ck_command(ck, CK_CMD_START);
    for (int c = 0; c < 400; c++) {
        AtMidiEvent in[40];
        size_t n = at_rand_below(&r, 40);
        uint32_t f = 0;
        for (size_t i = 0; i < n; i++) {
            f += at_rand_below(&r, 8);
            in[i].frame = f; /* may run past the cycle: clamped */
            in[i].size = (uint8_t)at_rand_below(&r, 4);
            for (int k = 0; k < 3; k++) {
                in[i].data[k] = (uint8_t)at_rand_below(&r, 256);
                if (in[i].data[k] >= 0xFA && in[i].data[k] <= 0xFC)
                    in[i].data[k] = 0xF8; /* no transport commands here */
            }
        }
        cycle(ck, &now, 256, in, n, NULL, &log, NULL);
    }
    static uint64_t f[1000];
    size_t n = pulses_of(&log, f, 1000);
    assert_int_equal(n, 103); /* 102400 frames at 1000 per pulse from 0 */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f[i], i * 1000);

    /* Bad settings are clamped; bad configs are refused with a reason. */
    ck_set_bpm(ck, 1e9);
    cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_true(ck_bpm(ck) == CK_BPM_MAX);
    ck_set_bpm(ck, NAN);
    cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_true(ck_bpm(ck) == CK_BPM_MIN);
    finish(ck, &log);

    CkConfig cfg;
    char err[100];
    ck_config_default(&cfg, 48000);
    cfg.bpm = 10;
    assert_false(ck_config_check(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "bpm"));
    assert_null(ck_new(&cfg));
    ck_config_default(&cfg, 0);
    assert_false(ck_config_check(&cfg, err, sizeof err));
    assert_string_equal(ck_source_name(CK_SOURCE_TRANSPORT), "transport");
}

/* Switching the source stops a running clock. */
static void test_source_switch(void **state)
{
    Ck *ck = new_clock(48000, 120.0);
    Log log = {0};
    uint64_t now = 0;
    ck_command(ck, CK_CMD_START);
    cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    ck_set_source(ck, CK_SOURCE_MIDI);
    cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_int_equal(log.ev[log.n - 1].status, 0xFC);
    assert_false(ck_running(ck));

    /* Back to internal after external pulses: CONTINUE starts from the top
     * with one pulse, not a burst for the pulses counted meanwhile. */
    AtMidiEvent ext[3] = {{0, 1, {0xFA}}, {10, 1, {0xF8}}, {20, 1, {0xF8}}};
    cycle(ck, &now, 256, ext, 3, NULL, &log, NULL);
    ck_set_source(ck, CK_SOURCE_INTERNAL);
    ck_command(ck, CK_CMD_CONTINUE);
    log.n = 0;
    cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_int_equal(log.n, 3); /* STOP (switch), CONTINUE, the first pulse */
    assert_int_equal(log.ev[0].status, 0xFC);
    assert_int_equal(log.ev[1].status, 0xFB);
    assert_int_equal(log.ev[2].status, 0xF8);
    assert_int_equal(ck_pulse_count(ck), 1);
    finish(ck, &log);
}

/* An xrun: JACK skipped frames. Pulses stay on the real timeline; the one
 * that fell into the gap goes out at the first frame after it. */
static void test_xrun_skip(void **state)
{
    Ck *ck = new_clock(48000, 120.0);
    Log log = {0};
    uint64_t now = 0;
    ck_command(ck, CK_CMD_START);
    for (int i = 0; i < 3; i++) /* 0..768: pulse 0 */
        cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    ck_skip(ck, 512); /* frames 768..1280 never processed: pulse 1 (1000) lost */
    now += 512;
    while (now < 3000)
        cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_int_equal(log.n, 5); /* START, pulses 0, 1 (late), 2, 3 */
    assert_int_equal(log.ev[1].frame, 0);
    assert_int_equal(log.ev[2].frame, 1280);
    assert_int_equal(log.ev[3].frame, 2000);
    assert_int_equal(log.ev[4].frame, 3000);
    /* A gap of more than a beat drops the pulses it swallowed. */
    ck_skip(ck, 48000);
    now += 48000;
    log.n = 0;
    while (now < 3000 + 48000 + 2000)
        cycle(ck, &now, 256, NULL, 0, NULL, &log, NULL);
    assert_true(log.n <= 24 + 3);
    uint64_t last = log.ev[log.n - 1].frame;
    assert_int_equal(last % 1000, 0); /* back on the grid */
    finish(ck, &log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tempo_table),
        cmocka_unit_test(test_period_independent),
        cmocka_unit_test(test_tempo_change),
        cmocka_unit_test(test_input_transport_messages),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_transport),
        cmocka_unit_test(test_transport_song_position),
        cmocka_unit_test(test_midi_source),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_source_switch),
        cmocka_unit_test(test_xrun_skip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
