/* clock.c - the aiotone-clock core. See clock.h. */
#include "clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Positions a hair past a whole frame still count as that frame: the
 * product of a rounded period and a pulse number must not push a pulse
 * that is exactly on a frame one frame late. */
#define CK_EPS 1e-7

struct Ck {
    CkConfig cfg;
    uint64_t now;  /* absolute frame at the start of the current cycle */
    double period; /* frames per pulse */
    bool running;
    uint64_t pulses;      /* pulses sent since START; the next one has this index */
    uint64_t anchor;      /* absolute frame where the phase was last fixed */
    double anchor_phase;  /* phase (in pulses) at the anchor */
    double stopped_phase; /* phase where STOP left it, for CONTINUE */
    /* Commands for the start of the next cycle. */
    bool pending_bpm;
    double next_bpm;
    int pending_cmd; /* -1 none, else a CkCommand */
    bool switched;   /* the source changed: stop, forget the position */
    /* Transport following. */
    bool was_rolling;
    double expect_phase; /* where the transport should be next cycle if it
                            rolls on without a relocation */
    int32_t held;        /* sixteenth the followers stand on while stopped
                            (the last SPP, or the pulses they got), -1 none */
    AtMidiBuf *out;
    CkReport *report;
    CkReport scratch;
};

static const char *const source_names[] = {"internal", "transport", "midi"};

const char *ck_source_name(CkSource source)
{
    return (unsigned)source < 3 ? source_names[source] : "?";
}

void ck_config_default(CkConfig *cfg, uint32_t rate)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->rate = rate;
    cfg->bpm = 120.0;
    cfg->source = CK_SOURCE_INTERNAL;
    cfg->follow_input = true;
}

bool ck_config_check(const CkConfig *cfg, char *err, size_t errlen)
{
    const char *why = NULL;
    if (cfg->rate == 0)
        why = "sample rate must not be 0";
    else if (!(cfg->bpm >= CK_BPM_MIN && cfg->bpm <= CK_BPM_MAX))
        why = "bpm must be 20..400";
    else if ((unsigned)cfg->source > CK_SOURCE_MIDI)
        why = "unknown clock source";
    if (why && err && errlen)
        snprintf(err, errlen, "%s", why);
    return why == NULL;
}

static double period_for(uint32_t rate, double bpm)
{
    return (double)rate * 60.0 / (bpm * CK_PPQN);
}

Ck *ck_new(const CkConfig *cfg)
{
    if (!ck_config_check(cfg, NULL, 0))
        return NULL;
    Ck *ck = calloc(1, sizeof *ck);
    if (!ck)
        return NULL;
    ck->cfg = *cfg;
    ck->period = period_for(cfg->rate, cfg->bpm);
    ck->pending_cmd = -1;
    ck->report = &ck->scratch;
    ck->held = 0; /* followers start at the song's start */
    return ck;
}

void ck_free(Ck *ck)
{
    free(ck);
}

static double clamp_bpm(double bpm)
{
    if (!(bpm >= CK_BPM_MIN)) /* also NaN */
        return CK_BPM_MIN;
    return bpm > CK_BPM_MAX ? CK_BPM_MAX : bpm;
}

void ck_set_bpm(Ck *ck, double bpm)
{
    ck->pending_bpm = true;
    ck->next_bpm = clamp_bpm(bpm);
}

void ck_set_source(Ck *ck, CkSource source)
{
    if ((unsigned)source > CK_SOURCE_MIDI || source == ck->cfg.source)
        return;
    ck->cfg.source = source;
    ck->switched = true; /* handled at the start of the next cycle */
}

void ck_set_follow_input(Ck *ck, bool follow)
{
    ck->cfg.follow_input = follow;
}

void ck_command(Ck *ck, CkCommand cmd)
{
    ck->pending_cmd = (int)cmd;
}

bool ck_running(const Ck *ck)
{
    return ck->running;
}

double ck_bpm(const Ck *ck)
{
    return ck->cfg.bpm;
}

uint64_t ck_pulse_count(const Ck *ck)
{
    return ck->pulses;
}

double ck_frames_per_pulse(const Ck *ck)
{
    return ck->period;
}

/* ---- output ------------------------------------------------------------ */

static void put(Ck *ck, uint64_t abs, uint8_t status)
{
    if (at_midi_buf_add3(ck->out, (uint32_t)(abs - ck->now), 1, status, 0, 0)) {
        if (status == AT_MIDI_CLOCK)
            ck->report->pulses++;
    } else {
        ck->report->dropped++;
    }
}

/* ---- the internal clock ------------------------------------------------ */

/* Phase (in pulses) at absolute frame abs. */
static double phase_at(const Ck *ck, uint64_t abs)
{
    return ck->anchor_phase + (double)(abs - ck->anchor) / ck->period;
}

/* Absolute frame of pulse n: the first whole frame at or after it. */
static uint64_t pulse_frame(const Ck *ck, uint64_t n)
{
    double off = ((double)n - ck->anchor_phase) * ck->period;
    if (off <= 0)
        return ck->anchor;
    return ck->anchor + (uint64_t)ceil(off - CK_EPS);
}

/* Write every pulse due before absolute frame until. Pulses overdue after
 * an xrun go out at the cycle's first frame, unless they are more than a
 * beat late (then they are skipped: followers could not use a burst). */
static void run_pulses(Ck *ck, uint64_t until)
{
    while (ck->running) {
        uint64_t f = pulse_frame(ck, ck->pulses);
        if (f >= until)
            return;
        if (f < ck->now) {
            if (pulse_frame(ck, ck->pulses + CK_PPQN) < ck->now) {
                ck->pulses++;
                continue;
            }
            f = ck->now;
        }
        put(ck, f, AT_MIDI_CLOCK);
        ck->pulses++;
    }
}

void ck_skip(Ck *ck, uint32_t frames)
{
    ck->now += frames;
    /* The transport rolled on through the gap: that is no relocation. */
    ck->expect_phase += (double)frames / ck->period;
}

static void set_tempo(Ck *ck, uint64_t abs, double bpm)
{
    if (ck->running) { /* keep the phase: re-anchor here */
        ck->anchor_phase = phase_at(ck, abs);
        ck->anchor = abs;
    }
    ck->cfg.bpm = bpm;
    ck->period = period_for(ck->cfg.rate, bpm);
}

static void do_start(Ck *ck, uint64_t abs)
{
    put(ck, abs, AT_MIDI_START);
    ck->running = true;
    ck->pulses = 0;
    ck->anchor = abs;
    ck->anchor_phase = 0;
    run_pulses(ck, abs + 1); /* the downbeat pulse goes with the START */
}

static void do_stop(Ck *ck, uint64_t abs)
{
    if (ck->running) {
        ck->stopped_phase = phase_at(ck, abs);
        ck->running = false;
    }
    put(ck, abs, AT_MIDI_STOP); /* also when stopped: a harmless panic for followers */
}

static void do_continue(Ck *ck, uint64_t abs)
{
    if (ck->running)
        return;
    put(ck, abs, AT_MIDI_CONTINUE);
    /* The pulse count must match the phase (it may not after a source
     * switch): resume with the first pulse at or after it. */
    double first = ceil(ck->stopped_phase - CK_EPS);
    if ((double)ck->pulses + 1.0 < first || (double)ck->pulses > first + 1.0)
        ck->pulses = (uint64_t)first;
    ck->running = true;
    ck->anchor = abs;
    ck->anchor_phase = ck->stopped_phase;
    run_pulses(ck, abs + 1);
}

static void command(Ck *ck, uint64_t abs, int cmd)
{
    switch (cmd) {
    case CK_CMD_START:
        do_start(ck, abs);
        break;
    case CK_CMD_STOP:
        do_stop(ck, abs);
        break;
    case CK_CMD_CONTINUE:
        do_continue(ck, abs);
        break;
    default:
        break;
    }
}

/* ---- input ------------------------------------------------------------- */

static void ignored(Ck *ck, const AtMidiEvent *e)
{
    ck->report->ignored++;
    ck->report->ignored_status = e->size ? e->data[0] : -1;
}

static int command_of(uint8_t status)
{
    switch (status) {
    case AT_MIDI_START:
        return CK_CMD_START;
    case AT_MIDI_STOP:
        return CK_CMD_STOP;
    case AT_MIDI_CONTINUE:
        return CK_CMD_CONTINUE;
    default:
        return -1;
    }
}

/* An input event in internal or transport mode. */
static void handle_input(Ck *ck, const AtMidiEvent *e)
{
    int cmd = e->size == 1 ? command_of(e->data[0]) : -1;
    if (e->size == 1 && e->data[0] == AT_MIDI_ACTIVE_SENSING)
        return;
    if (cmd < 0 || !ck->cfg.follow_input) {
        ignored(ck, e);
        return;
    }
    if (ck->cfg.source == CK_SOURCE_TRANSPORT)
        ck->report->transport_request = cmd == CK_CMD_STOP ? -1 : 1;
    else
        command(ck, ck->now + e->frame, cmd);
}

/* MIDI source: clock and transport messages pass through at their frames. */
static void pass_input(Ck *ck, const AtMidiEvent *e)
{
    if (e->size == 3 && e->data[0] == AT_MIDI_SONG_POSITION && ck->cfg.follow_input &&
        at_midi_event_well_formed(e)) {
        if (at_midi_buf_add3(ck->out, e->frame, 3, e->data[0], e->data[1], e->data[2]))
            ck->report->positions++;
        else
            ck->report->dropped++;
        return;
    }
    if (e->size != 1) {
        ignored(ck, e);
        return;
    }
    uint8_t s = e->data[0];
    if (s == AT_MIDI_CLOCK) {
        put(ck, ck->now + e->frame, s);
        ck->pulses += ck->running;
    } else if (command_of(s) >= 0 && ck->cfg.follow_input) {
        put(ck, ck->now + e->frame, s);
        ck->running = s != AT_MIDI_STOP;
        if (s == AT_MIDI_START)
            ck->pulses = 0;
    } else if (s != AT_MIDI_ACTIVE_SENSING) {
        ignored(ck, e);
    }
}

/* ---- transport --------------------------------------------------------- */

/* The transport's position in pulses and its frames per pulse. */
static double transport_phase(const Ck *ck, const CkTransport *t, double *period)
{
    double bpm = t->bbt_valid && t->bpm > 0 ? clamp_bpm(t->bpm) : ck->cfg.bpm;
    *period = period_for(ck->cfg.rate, bpm);
    double phase = t->bbt_valid ? t->beats * CK_PPQN : (double)t->frame / *period;
    return phase > 0 ? phase : 0;
}

/* The first sixteenth at or after a phase: where followers can resume,
 * since Song Position Pointer counts sixteenths (6 pulses). */
static uint64_t sixteenth_at(double phase)
{
    return (uint64_t)ceil(phase / CK_PULSES_PER_SIXTEENTH - CK_EPS);
}

/* Song Position Pointer (14 bits, LSB first; a later position than the
 * largest one says the largest). Followers then stand on it. */
static void put_spp(Ck *ck, uint64_t sixteenth)
{
    uint32_t v = sixteenth > CK_SPP_MAX ? CK_SPP_MAX : (uint32_t)sixteenth;
    if (at_midi_buf_add3(ck->out, 0, 3, AT_MIDI_SONG_POSITION, v & 0x7F, (v >> 7) & 0x7F)) {
        ck->report->positions++;
        ck->held = (int32_t)v;
    } else {
        ck->report->dropped++;
        ck->held = -1;
    }
}

/* Start following a rolling transport at phase, at frame 0 of the cycle:
 * from the very start, START (and the downbeat pulse); from anywhere else,
 * the followers are stopped, so Song Position Pointer tells them where,
 * then CONTINUE, and the next pulse is the one at that sixteenth. */
static void roll_from(Ck *ck, double phase)
{
    uint64_t s = sixteenth_at(phase);
    if (ceil(phase - CK_EPS) == 0) {
        put(ck, ck->now, AT_MIDI_START);
        ck->pulses = 0;
    } else {
        put_spp(ck, s);
        put(ck, ck->now, AT_MIDI_CONTINUE);
        ck->pulses = s * CK_PULSES_PER_SIXTEENTH;
    }
    ck->held = -1;
    ck->running = true;
}

/* While stopped: a locate moves the followers too (SPP while stopped, as
 * the convention has it) when the transport's sixteenth is not where they
 * stand. */
static void follow_stopped(Ck *ck, const CkTransport *t)
{
    double period;
    uint64_t s = sixteenth_at(transport_phase(ck, t, &period));
    if (s > CK_SPP_MAX)
        s = CK_SPP_MAX;
    if (ck->held < 0 || (uint64_t)ck->held != s)
        put_spp(ck, s);
}

static void follow_transport(Ck *ck, const CkTransport *t, uint32_t nframes)
{
    if (!t || !t->rolling) {
        if (ck->was_rolling) {
            ck->running = false;
            put(ck, ck->now, AT_MIDI_STOP);
            /* The followers stand after the last pulse they got. */
            ck->held = ck->pulses % CK_PULSES_PER_SIXTEENTH == 0
                           ? (int32_t)(ck->pulses / CK_PULSES_PER_SIXTEENTH)
                           : -1;
        }
        ck->was_rolling = false;
        if (t)
            follow_stopped(ck, t);
        return;
    }
    double period;
    double phase = transport_phase(ck, t, &period);
    if (!ck->was_rolling) {
        roll_from(ck, phase);
    } else if (fabs(phase - ck->expect_phase) > 1.0) {
        /* Relocated while rolling: the followers hear STOP, then where to
         * go (SPP is only for stopped followers), then CONTINUE. */
        put(ck, ck->now, AT_MIDI_STOP);
        roll_from(ck, phase);
    }
    ck->was_rolling = true;
    ck->anchor = ck->now;
    ck->anchor_phase = phase;
    ck->period = period;
    ck->expect_phase = phase + (double)nframes / period;
    run_pulses(ck, ck->now + nframes);
}

/* ---- cycle ------------------------------------------------------------- */

static void begin(Ck *ck, AtMidiBuf *out, CkReport *report)
{
    ck->out = out;
    ck->report = report ? report : &ck->scratch;
    memset(ck->report, 0, sizeof *ck->report);
    ck->report->ignored_status = -1;
}

static void pending_command(Ck *ck, int cmd);

/* Commands queued from outside, at frame 0. */
static void apply_pending(Ck *ck)
{
    if (ck->switched) {
        /* The new source decides when to run; positions of the old one mean
         * nothing to it. */
        ck->switched = false;
        if (ck->running || ck->was_rolling)
            put(ck, ck->now, AT_MIDI_STOP);
        ck->running = false;
        ck->was_rolling = false;
        ck->pulses = 0;
        ck->held = -1;
        ck->stopped_phase = 0;
    }
    if (ck->pending_bpm) {
        ck->pending_bpm = false;
        set_tempo(ck, ck->now, ck->next_bpm);
    }
    int cmd = ck->pending_cmd;
    ck->pending_cmd = -1;
    if (cmd >= 0)
        pending_command(ck, cmd);
}

static void pending_command(Ck *ck, int cmd)
{
    if (ck->cfg.source == CK_SOURCE_TRANSPORT) {
        ck->report->transport_request = cmd == CK_CMD_STOP ? -1 : 1;
    } else if (ck->cfg.source == CK_SOURCE_MIDI) {
        static const uint8_t status[] = {AT_MIDI_START, AT_MIDI_STOP, AT_MIDI_CONTINUE};
        put(ck, ck->now, status[cmd]);
        ck->running = cmd != CK_CMD_STOP;
    } else {
        command(ck, ck->now, cmd);
    }
}

void ck_process(Ck *ck, const AtMidiEvent *in, size_t n, uint32_t nframes,
                const CkTransport *transport, AtMidiBuf *out, CkReport *report)
{
    begin(ck, out, report);
    apply_pending(ck);
    if (ck->cfg.source == CK_SOURCE_TRANSPORT)
        follow_transport(ck, transport, nframes);
    uint32_t last = 0;
    for (size_t i = 0; i < n; i++) {
        AtMidiEvent e = in[i];
        if (e.frame >= nframes) /* keep outputs inside the cycle and in order */
            e.frame = nframes ? nframes - 1 : 0;
        if (e.frame < last)
            e.frame = last;
        last = e.frame;
        if (ck->cfg.source == CK_SOURCE_MIDI) {
            pass_input(ck, &e);
            continue;
        }
        if (ck->cfg.source == CK_SOURCE_INTERNAL)
            run_pulses(ck, ck->now + e.frame);
        handle_input(ck, &e);
    }
    if (ck->cfg.source == CK_SOURCE_INTERNAL)
        run_pulses(ck, ck->now + nframes);
    ck->now += nframes;
}

void ck_shutdown(Ck *ck, uint32_t frame, AtMidiBuf *out)
{
    CkReport scratch;
    begin(ck, out, &scratch);
    if (ck->running || ck->was_rolling)
        at_midi_buf_add3(out, frame, 1, AT_MIDI_STOP, 0, 0);
    ck->running = false;
    ck->was_rolling = false;
    ck->report = &ck->scratch;
}
