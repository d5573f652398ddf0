/* machine.c - the frame-driven sampling state machine (see machine.h). */
#include "machine.h"

#include <math.h>
#include <string.h>

static void push(SnEvents *ev, SnEventKind kind, int32_t id, uint32_t from, uint32_t to, int status)
{
    if (ev->count >= SN_MAX_EVENTS) {
        ev->dropped++;
        return;
    }
    SnEvent *e = &ev->ev[ev->count++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->id = id;
    e->from = from;
    e->to = to;
    e->status = status;
}

void sn_machine_init(SnMachine *m, const SnMachineConfig *cfg, const SnNote *notes, size_t n)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->cfg.channel &= 0x0F;
    /* Zero-length windows would end takes before they start. */
    if (m->cfg.silence_frames < 1)
        m->cfg.silence_frames = 1;
    if (m->cfg.max_frames < 1)
        m->cfg.max_frames = 1;
    if (m->cfg.noise_frames < 1)
        m->cfg.noise_frames = 1;
    if (m->cfg.wait_frames < m->cfg.silence_frames)
        m->cfg.wait_frames = m->cfg.silence_frames;
    m->notes = notes;
    m->n_notes = n;
    m->threshold = cfg->threshold;
    m->state = cfg->auto_threshold ? SN_ST_NOISE : SN_ST_WAIT_SILENCE;
}

static void note_off(SnMachine *m, uint32_t frame, AtMidiBuf *midi)
{
    if (!m->note_sounding)
        return;
    const SnNote *n = &m->notes[m->next];
    at_midi_buf_add3(midi, frame, 3, (uint8_t)(AT_MIDI_NOTE_OFF | m->cfg.channel), n->note, 0);
    m->note_sounding = false;
}

static void begin_take(SnMachine *m, uint32_t frame, AtMidiBuf *midi, SnEvents *ev)
{
    const SnNote *n = &m->notes[m->next];
    at_midi_buf_add3(midi, frame, 3, (uint8_t)(AT_MIDI_NOTE_ON | m->cfg.channel), n->note,
                     n->velocity);
    push(ev, SN_EV_BEGIN, n->id, frame, frame, 0);
    m->note_sounding = true;
    m->state = SN_ST_HOLD;
    m->count = 0;
    m->quiet = 0;
    m->recording = true;
    m->rec_from = frame;
    m->rec_len = 0;
    m->heard = false;
}

/* End the current take before frame: flush its audio of this cycle. */
static void end_take(SnMachine *m, uint32_t frame, SnEndStatus status, AtMidiBuf *midi,
                     SnEvents *ev)
{
    int32_t id = m->notes[m->next].id;
    note_off(m, frame, midi);
    if (frame > m->rec_from)
        push(ev, SN_EV_AUDIO, id, m->rec_from, frame, 0);
    if (status == SN_END_OK && !m->heard)
        status = SN_END_SILENT;
    push(ev, SN_EV_END, id, frame, frame, (int)status);
    m->recording = false;
    m->next++;
    m->state = SN_ST_WAIT_SILENCE;
    m->count = 0;
    /* Cut while sounding: the instrument must fall silent again first. */
    if (status == SN_END_MAX_LENGTH)
        m->quiet = 0;
}

static void finish_noise(SnMachine *m, SnEvents *ev)
{
    float thr = m->noise_peak * (float)SN_NOISE_MARGIN;
    if (!(thr >= (float)SN_NOISE_MIN))
        thr = (float)SN_NOISE_MIN;
    m->threshold = thr;
    if (ev->count < SN_MAX_EVENTS) {
        push(ev, SN_EV_NOISE, -1, 0, 0, 0);
        ev->ev[ev->count - 1].value = m->noise_peak;
        ev->ev[ev->count - 1].value2 = thr;
    }
    m->state = SN_ST_WAIT_SILENCE;
    m->count = 0;
    m->quiet = 0;
}

/* Still sounding long after the last take: its note-off was lost
 * (an xrun in the instrument's client, a dropped MIDI byte). Release it
 * again, and everything else on the channel, then keep waiting. */
static void release_stuck(SnMachine *m, uint32_t i, AtMidiBuf *midi, SnEvents *ev)
{
    int32_t id = -1;
    if (m->next > 0) {
        const SnNote *n = &m->notes[m->next - 1];
        at_midi_buf_add3(midi, i, 3, (uint8_t)(AT_MIDI_NOTE_OFF | m->cfg.channel), n->note, 0);
        id = n->id;
    }
    /* Only a warning: never let it crowd out the takes' own events. */
    if (ev->count < SN_MAX_EVENTS / 2)
        push(ev, SN_EV_STUCK, id, i, i, 0);
    at_midi_buf_add3(midi, i, 3, (uint8_t)(AT_MIDI_CC | m->cfg.channel), AT_CC_ALL_NOTES_OFF, 0);
    m->count = 0;
    m->stuck_releases++;
}

/* Transitions due at the start of frame i, before its sample is read.
 * Loops because one frame may chain several (silence -> zero cooldown ->
 * note-on). */
static void tick(SnMachine *m, uint32_t i, AtMidiBuf *midi, SnEvents *ev)
{
    for (;;) {
        const SnMachineConfig *c = &m->cfg;
        if (m->recording && m->rec_len >= c->max_frames) {
            end_take(m, i, SN_END_MAX_LENGTH, midi, ev);
            continue;
        }
        switch (m->state) {
        case SN_ST_NOISE:
            if (m->count < c->noise_frames)
                return;
            finish_noise(m, ev);
            continue;
        case SN_ST_WAIT_SILENCE:
            /* Twice max-length: a take cut at max-length may ring on. */
            if (m->count / 2 >= c->max_frames) {
                release_stuck(m, i, midi, ev);
                return;
            }
            if (m->quiet < c->silence_frames)
                return;
            if (m->next >= m->n_notes) {
                push(ev, SN_EV_DONE, -1, i, i, 0);
                m->state = SN_ST_DONE;
                return;
            }
            m->state = SN_ST_COOLDOWN;
            m->count = 0;
            continue;
        case SN_ST_COOLDOWN:
            if (m->count < c->cooldown_frames)
                return;
            begin_take(m, i, midi, ev);
            continue;
        case SN_ST_HOLD:
            if (m->count < c->hold_frames)
                return;
            note_off(m, i, midi);
            /* Always record a full silence window after the note-off. */
            m->quiet = 0;
            m->count = 0;
            m->state = SN_ST_RELEASE;
            continue;
        case SN_ST_RELEASE:
            if (m->heard ? m->quiet < c->silence_frames : m->count < c->wait_frames)
                return;
            end_take(m, i, SN_END_OK, midi, ev);
            continue;
        case SN_ST_DONE:
        case SN_ST_STOPPED:
            return;
        }
    }
}

/* Read one input frame's level into the counters. */
static void consume(SnMachine *m, float level)
{
    if (m->state == SN_ST_NOISE) {
        if (level > m->noise_peak)
            m->noise_peak = level;
        m->count++;
        return;
    }
    bool loud = level >= m->threshold;
    if (loud)
        m->quiet = 0;
    else if (m->quiet < UINT32_MAX)
        m->quiet++;
    if (m->recording) {
        m->rec_len++;
        m->heard |= loud;
    }
    if (m->state == SN_ST_COOLDOWN) {
        if (loud) {
            m->state = SN_ST_WAIT_SILENCE; /* not silent after all: wait again */
            m->count = 0;
        } else {
            m->count++;
        }
    } else if (m->state == SN_ST_HOLD || m->state == SN_ST_RELEASE ||
               (m->state == SN_ST_WAIT_SILENCE && loud)) {
        m->count++;
    }
}

void sn_machine_process(SnMachine *m, const float *left, const float *right, uint32_t nframes,
                        AtMidiBuf *midi, SnEvents *ev)
{
    ev->count = 0;
    ev->dropped = 0;
    m->rec_from = 0;
    if (m->state == SN_ST_DONE || m->state == SN_ST_STOPPED)
        return;
    for (uint32_t i = 0; i < nframes; i++) {
        tick(m, i, midi, ev);
        if (m->state == SN_ST_DONE)
            return;
        float l = fabsf(left[i]), r = fabsf(right[i]);
        consume(m, l > r ? l : r);
    }
    /* Transitions due right at the end wait for the next cycle's frame 0. */
    if (m->recording && nframes > m->rec_from)
        push(ev, SN_EV_AUDIO, m->notes[m->next].id, m->rec_from, nframes, 0);
}

void sn_machine_stop(SnMachine *m, uint32_t frame, AtMidiBuf *midi, SnEvents *ev)
{
    if (m->state == SN_ST_STOPPED)
        return;
    if (m->recording) {
        int32_t id = m->notes[m->next].id;
        note_off(m, frame, midi);
        push(ev, SN_EV_END, id, frame, frame, SN_END_ABORTED);
        m->recording = false;
    }
    m->state = SN_ST_STOPPED;
}

void sn_machine_gap(SnMachine *m, AtMidiBuf *midi, SnEvents *ev)
{
    if (!m->recording)
        return; /* waiting or measuring: a hole only delays the next note */
    int32_t id = m->notes[m->next].id;
    note_off(m, 0, midi);
    push(ev, SN_EV_END, id, 0, 0, SN_END_RETRY);
    m->recording = false;
    m->state = SN_ST_WAIT_SILENCE;
    m->count = 0;
    m->quiet = 0; /* the instrument may still sound: wait for a fresh silence */
}

bool sn_machine_done(const SnMachine *m)
{
    return m->state == SN_ST_DONE;
}
