/* circuits.c - the circuits core: transport, key note and five clock-driven
 * track state machines. See circuits.h and docs/circuits.md. */
#include "circuits.h"

#include <string.h>

/* A step of a track: a note (or -1 for a rest) held on_len of length
 * pulses. */
typedef struct {
    int note;
    uint8_t velocity;
    uint8_t length;
    uint8_t on_len;
} CiStep;

/* Arpeggio notes (C2, F1, G1 two octaves up) and lengths; the repeats in
 * the length list are its weights. */
static const uint8_t arp_notes[] = {72, 65, 67};
static const uint8_t arp_lengths[] = {6, 6, 6, 12};
#define CI_BAR 96
#define CI_ALL_DESTS ((1u << CI_DEST_COUNT) - 1)

static CiDest track_dest(CiTrackId t)
{
    return t <= CI_HATS ? CI_DRUMS : CI_BASS;
}

static uint8_t dest_channel(const Ci *ci, CiDest d)
{
    return d == CI_DRUMS ? ci->cfg.drum_channel : ci->cfg.bass_channel;
}

static CiStep note_step(int note, uint8_t velocity, uint8_t length, uint8_t on_len)
{
    CiStep s = {note, velocity, length, on_len};
    return s;
}

/* The next step of track t; advances the track's pattern position. Gate
 * 0.5 holds half the length (round(6 * 0.5) = 3 and so on). */
static CiStep next_step(Ci *ci, CiTrackId t)
{
    CiTrack *tr = &ci->track[t];
    uint32_t i = tr->index++;
    switch (t) {
    case CI_KICK:
        return note_step(CI_NOTE_KICK, CI_DRUM_VELOCITY, 24, 12);
    case CI_SNARE: /* wait 24, then a 24-pulse note: every second beat */
        return i % 2 == 0 ? note_step(-1, 0, 24, 0)
                          : note_step(CI_NOTE_SNARE, CI_DRUM_VELOCITY, 24, 12);
    case CI_HATS:
        return i % 3 < 2 ? note_step(CI_NOTE_HAT_CLOSED, CI_DRUM_VELOCITY, 6, 3)
                         : note_step(CI_NOTE_HAT_OPEN, CI_DRUM_VELOCITY, 12, 6);
    case CI_KEY: /* gate 1.0: held for the whole bar */
        return note_step(ci->cfg.key_note, CI_KEY_VELOCITY, CI_BAR, CI_BAR);
    case CI_ARP: {
        uint8_t len = arp_lengths[at_rand_below(&ci->rng, sizeof arp_lengths)];
        uint32_t played = tr->total;
        tr->total += len;
        /* Rest (the note is skipped) whenever the running length is a
         * multiple of a bar, as the original did. */
        if (played % CI_BAR == 0)
            return note_step(-1, 0, len, 0);
        return note_step(arp_notes[i % sizeof arp_notes], CI_ARP_VELOCITY, len, len / 2);
    }
    default:
        return note_step(-1, 0, 1, 0);
    }
}

static bool put(AtMidiBuf *b, uint32_t frame, uint8_t size, uint8_t b0, uint8_t b1, uint8_t b2)
{
    return at_midi_buf_add3(b, frame, size, b0, b1, b2);
}

/* Note-off; when the buffer is full the note stays marked as sounding so
 * the next chance (a step, STOP, shutdown) retries. */
static void track_note_off(Ci *ci, CiTrackId t, uint32_t frame, AtMidiBuf *const out[])
{
    CiTrack *tr = &ci->track[t];
    CiDest d = track_dest(t);
    if (tr->sounding < 0)
        return;
    if (put(out[d], frame, 3, (uint8_t)(AT_MIDI_NOTE_OFF | dest_channel(ci, d)),
            (uint8_t)tr->sounding, 0))
        tr->sounding = -1;
}

static void track_begin(Ci *ci, CiTrackId t, uint32_t frame, AtMidiBuf *const out[])
{
    CiTrack *tr = &ci->track[t];
    CiDest d = track_dest(t);
    CiStep s = next_step(ci, t);
    track_note_off(ci, t, frame, out);
    tr->length = s.length;
    tr->on_len = s.on_len;
    /* A rest, or a note-off that did not fit and is still owed (never
     * lose track of it by starting another note). */
    if (s.note < 0 || s.note > 127 || s.on_len == 0 || tr->sounding >= 0) {
        tr->gate = false;
        tr->wait = s.length;
        return;
    }
    if (put(out[d], frame, 3, (uint8_t)(AT_MIDI_NOTE_ON | dest_channel(ci, d)), (uint8_t)s.note,
            s.velocity))
        tr->sounding = s.note;
    tr->gate = true;
    tr->wait = s.on_len;
}

/* One clock pulse: count down and run every transition due now. */
static void track_tick(Ci *ci, CiTrackId t, uint32_t frame, AtMidiBuf *const out[])
{
    CiTrack *tr = &ci->track[t];
    if (tr->wait > 0)
        tr->wait--;
    for (int guard = 0; tr->wait == 0 && guard < 4; guard++) {
        if (tr->gate) {
            track_note_off(ci, t, frame, out);
            tr->gate = false;
            tr->wait = (uint32_t)(tr->length - tr->on_len);
        } else {
            track_begin(ci, t, frame, out);
        }
    }
}

static void tracks_reset(Ci *ci)
{
    for (int t = 0; t < CI_TRACKS; t++) {
        int sounding = ci->track[t].sounding;
        memset(&ci->track[t], 0, sizeof ci->track[t]);
        ci->track[t].sounding = sounding;
    }
}

static void notes_off(Ci *ci, uint32_t frame, AtMidiBuf *const out[])
{
    for (int t = 0; t < CI_TRACKS; t++)
        track_note_off(ci, (CiTrackId)t, frame, out);
}

int ci_bass_channel2(const Ci *ci)
{
    return ci->cfg.bass_channel < 15 ? ci->cfg.bass_channel + 1 : -1;
}

static void cc(AtMidiBuf *b, uint32_t frame, int channel, uint8_t num, uint8_t v)
{
    if (channel >= 0)
        put(b, frame, 3, (uint8_t)(AT_MIDI_CC | channel), num, v);
}

/* CC123 on the drum channel and on both Mono Station channels. */
static void all_notes_off(Ci *ci, uint32_t frame, AtMidiBuf *const out[])
{
    cc(out[CI_DRUMS], frame, ci->cfg.drum_channel, AT_CC_ALL_NOTES_OFF, 0);
    cc(out[CI_BASS], frame, ci->cfg.bass_channel, AT_CC_ALL_NOTES_OFF, 0);
    cc(out[CI_BASS], frame, ci_bass_channel2(ci), AT_CC_ALL_NOTES_OFF, 0);
}

static void on_clock(Ci *ci, uint32_t frame, AtMidiBuf *const out[])
{
    put(out[CI_BASS], frame, 1, AT_MIDI_CLOCK, 0, 0);
    if (!ci->running)
        return;
    for (int t = 0; t < CI_TRACKS; t++)
        track_tick(ci, (CiTrackId)t, frame, out);
    ci->pulse++;
}

/* START (re)starts the tracks; their first step is on the next clock
 * pulse, as MIDI slaves start on the first clock after START. */
static void on_start(Ci *ci, uint32_t frame, AtMidiBuf *const out[])
{
    notes_off(ci, frame, out);
    put(out[CI_BASS], frame, 1, AT_MIDI_START, 0, 0);
    tracks_reset(ci);
    ci->pulse = 0;
    ci->running = true;
}

static void on_stop(Ci *ci, uint32_t frame, AtMidiBuf *const out[])
{
    ci->running = false;
    put(out[CI_BASS], frame, 1, AT_MIDI_STOP, 0, 0);
    notes_off(ci, frame, out);
    all_notes_off(ci, frame, out);
}

void ci_event(Ci *ci, const AtMidiEvent *ev, AtMidiBuf *const out[CI_DEST_COUNT])
{
    if (!at_midi_event_well_formed(ev)) {
        ci->malformed++;
        return;
    }
    const uint8_t *m = ev->data;
    switch (m[0]) {
    case AT_MIDI_CLOCK:
        on_clock(ci, ev->frame, out);
        return;
    case AT_MIDI_START:
        on_start(ci, ev->frame, out);
        return;
    case AT_MIDI_STOP:
        on_stop(ci, ev->frame, out);
        return;
    default:
        break;
    }
    if (at_midi_is_note_on(m, ev->size) && at_midi_channel(m) == ci->cfg.key_channel) {
        if (m[1] != ci->cfg.key_note) {
            ci->cfg.key_note = m[1];
            ci->key_changed = true;
        }
        return;
    }
    ci->ignored++; /* the Circuit sends much else: no job here */
}

void ci_process(Ci *ci, const AtMidiEvent *in, size_t n, AtMidiBuf *const out[CI_DEST_COUNT])
{
    for (size_t i = 0; i < n; i++)
        ci_event(ci, &in[i], out);
}

void ci_init(Ci *ci, const CiConfig *cfg)
{
    memset(ci, 0, sizeof *ci);
    ci->cfg = *cfg;
    ci->cfg.drum_channel &= 0x0F;
    ci->cfg.bass_channel &= 0x0F;
    ci->cfg.key_channel &= 0x0F;
    if (ci->cfg.key_note < 0 || ci->cfg.key_note > 127)
        ci->cfg.key_note = CI_DEFAULT_KEY_NOTE;
    at_rand_seed(&ci->rng, cfg->seed);
    for (int t = 0; t < CI_TRACKS; t++)
        ci->track[t].sounding = -1;
}

/* CC64 = 0 and CC123 = 0 on the destination's channels. */
static void silence_channels(Ci *ci, CiDest d, uint32_t frame, AtMidiBuf *const out[])
{
    int ch2 = d == CI_BASS ? ci_bass_channel2(ci) : -1;
    cc(out[d], frame, dest_channel(ci, d), AT_CC_SUSTAIN, 0);
    cc(out[d], frame, dest_channel(ci, d), AT_CC_ALL_NOTES_OFF, 0);
    cc(out[d], frame, ch2, AT_CC_SUSTAIN, 0);
    cc(out[d], frame, ch2, AT_CC_ALL_NOTES_OFF, 0);
}

void ci_setup_dests(Ci *ci, unsigned dest_mask, uint32_t frame, AtMidiBuf *const out[CI_DEST_COUNT])
{
    if (dest_mask & (1u << CI_BASS))
        put(out[CI_BASS], frame, 1, AT_MIDI_STOP, 0, 0);
    for (int d = 0; d < CI_DEST_COUNT; d++)
        if (dest_mask & (1u << d))
            silence_channels(ci, (CiDest)d, frame, out);
}

void ci_shutdown(Ci *ci, uint32_t frame, AtMidiBuf *const out[CI_DEST_COUNT])
{
    ci->running = false;
    notes_off(ci, frame, out);
    put(out[CI_BASS], frame, 1, AT_MIDI_STOP, 0, 0);
    if (out[CI_DRUMS] != out[CI_BASS])
        put(out[CI_DRUMS], frame, 1, AT_MIDI_STOP, 0, 0);
    all_notes_off(ci, frame, out);
}

void ci_set_key_note(Ci *ci, int note)
{
    if (note >= 0 && note <= 127)
        ci->cfg.key_note = note;
}

void ci_set_seed(Ci *ci, uint64_t seed)
{
    ci->cfg.seed = seed;
    at_rand_seed(&ci->rng, seed);
}
