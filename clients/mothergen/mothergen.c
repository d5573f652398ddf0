/* mothergen.c - the mothergen core: input routing and three clock-driven
 * sequencer state machines. See mothergen.h and docs/mothergen.md. */
#include "mothergen.h"

#include <string.h>

/* Octave, length and interval choices of the "simple mother" sequencer,
 * picked uniformly from these lists (the repeats are the weights). */
static const uint8_t mother_lengths[] = {24, 24, 24, 24, 12, 12};
static const uint8_t mother_intervals[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 7, 7, 7, 5, 5, 10};
#define MG_OCTAVE_MIN 1
#define MG_OCTAVES 6
#define MG_GREEN_OCTAVE 4

/* The Subharmonicon preamble: VCO1, VCO2 (MSB, LSB), VCF and VCA envelope
 * attack/decay (MSB, LSB), as (controller, value) pairs. */
static const uint8_t green_preamble[][2] = {
    {4, 64}, {36, 64}, {12, 38}, {44, 64}, {23, 0}, {55, 0},
    {24, 8}, {56, 0},  {28, 8},  {60, 0},  {29, 8}, {61, 0},
};

int mg_decay_percent(int i)
{
    /* 20, 22 .. 48, then 48, 46 .. 20 (the original's list plus its
     * reverse, so both ends are played twice). */
    int half = MG_DECAY_STEPS / 2;
    i %= MG_DECAY_STEPS;
    if (i < 0)
        i += MG_DECAY_STEPS;
    return i < half ? 20 + 2 * i : 20 + 2 * (MG_DECAY_STEPS - 1 - i);
}

int mg_divider(int i)
{
    return i >= 16 ? 127 : 8 * i + 5;
}

int mg_note_in_octave(int pc, int oct)
{
    return 12 * (oct + 1) + pc;
}

/* Write to one buffer; a full buffer drops the event (counted there). */
static bool put(AtMidiBuf *b, uint32_t frame, uint8_t size, uint8_t b0, uint8_t b1, uint8_t b2)
{
    return at_midi_buf_add3(b, frame, size, b0, b1, b2);
}

static void send_cc(Mg *mg, MgDest d, uint32_t frame, AtMidiBuf *const out[], uint8_t cc, uint8_t v)
{
    put(out[d], frame, 3, (uint8_t)(AT_MIDI_CC | mg->cfg.channel[d]), cc, v);
}

static void send_cc_all(Mg *mg, uint32_t frame, AtMidiBuf *const out[], uint8_t cc, uint8_t v)
{
    for (int d = 0; d < MG_DEST_COUNT; d++)
        send_cc(mg, (MgDest)d, frame, out, cc, v);
}

/* True when out[d] is the first destination in mask using its buffer, so
 * a channel-agnostic message goes to each device port once. */
static bool first_on_port(AtMidiBuf *const out[], unsigned mask, int d)
{
    for (int e = 0; e < d; e++)
        if ((mask & (1u << e)) && out[e] == out[d])
            return false;
    return true;
}

/* A 1-byte realtime message once per port among the destinations in mask. */
static void send_once(uint32_t frame, AtMidiBuf *const out[], unsigned mask, uint8_t status)
{
    for (int d = 0; d < MG_DEST_COUNT; d++)
        if ((mask & (1u << d)) && first_on_port(out, mask, d))
            put(out[d], frame, 1, status, 0, 0);
}

#define MG_ALL_DESTS ((1u << MG_DEST_COUNT) - 1)

/* Note-off for a sounding note; when the buffer is full the note stays
 * marked as sounding so the next chance (a step, STOP, shutdown) retries. */
static void note_off(Mg *mg, MgDest d, int *sounding, uint32_t frame, AtMidiBuf *const out[])
{
    if (*sounding < 0)
        return;
    if (put(out[d], frame, 3, (uint8_t)(AT_MIDI_NOTE_OFF | mg->cfg.channel[d]), (uint8_t)*sounding,
            0))
        *sounding = -1;
}

static void note_on(Mg *mg, MgDest d, int *sounding, int note, uint32_t frame,
                    AtMidiBuf *const out[])
{
    note_off(mg, d, sounding, frame, out);
    /* A note-off that did not fit is still owed: never lose track of it
     * by starting another note. */
    if (*sounding >= 0 || note < 0 || note > 127)
        return;
    if (put(out[d], frame, 3, (uint8_t)(AT_MIDI_NOTE_ON | mg->cfg.channel[d]), (uint8_t)note,
            MG_VELOCITY))
        *sounding = note;
}

/* ---- the "simple mother" sequencer ---- */

static void mother_reset(MgMother *m)
{
    m->wait = 0;
    m->gate = false;
    m->decay = 0;
    m->length = 0;
    m->on_len = 0;
}

/* Begin a step: pick octave, length, interval (in the original's order),
 * take the next decay of the walk and sound the note. */
static void mother_begin(Mg *mg, MgDest d, uint32_t frame, AtMidiBuf *const out[])
{
    MgMother *m = &mg->mother[d];
    int oct = MG_OCTAVE_MIN + (int)at_rand_below(&mg->rng, MG_OCTAVES);
    uint8_t len = mother_lengths[at_rand_below(&mg->rng, sizeof mother_lengths)];
    int interval = mother_intervals[at_rand_below(&mg->rng, sizeof mother_intervals)];
    int decay = mg_decay_percent(m->decay);
    m->decay = (uint8_t)((m->decay + 1) % MG_DECAY_STEPS);
    /* round(len * decay): never a tie for these lengths and decays. */
    m->length = len;
    m->on_len = (uint8_t)((len * decay + 50) / 100);
    note_on(mg, d, &m->sounding, mg_note_in_octave(mg->cfg.key, oct) + interval, frame, out);
    m->gate = true;
    m->wait = m->on_len;
}

/* One clock pulse: count down, and run every transition that is due now. */
static void mother_tick(Mg *mg, MgDest d, uint32_t frame, AtMidiBuf *const out[])
{
    MgMother *m = &mg->mother[d];
    if (m->wait > 0)
        m->wait--;
    for (int guard = 0; m->wait == 0 && guard < 4; guard++) {
        if (m->gate) {
            note_off(mg, d, &m->sounding, frame, out);
            m->gate = false;
            m->wait = (uint32_t)(m->length - m->on_len);
        } else {
            mother_begin(mg, d, frame, out);
        }
    }
}

/* ---- the Subharmonicon sequencer ---- */

static void green_reset(MgGreen *g)
{
    g->pos = 0;
    g->value = 0;
    g->div_at = 1;
}

/* Move the second entry of the divider list to the end and use it: the
 * first entry never moves, so this walks entries 1..16 round and round. */
static uint8_t green_next_divider(MgGreen *g)
{
    uint8_t v = (uint8_t)mg_divider(g->div_at);
    g->div_at = (uint8_t)(g->div_at % (MG_DIVIDERS - 1) + 1);
    return v;
}

static void green_preamble_send(Mg *mg, uint32_t frame, AtMidiBuf *const out[])
{
    for (size_t i = 0; i < sizeof green_preamble / sizeof green_preamble[0]; i++)
        send_cc(mg, MG_GREEN, frame, out, green_preamble[i][0], green_preamble[i][1]);
}

static void green_tick(Mg *mg, uint32_t frame, AtMidiBuf *const out[])
{
    MgGreen *g = &mg->green;
    if (g->pos == 0) {
        note_on(mg, MG_GREEN, &g->sounding, mg_note_in_octave(mg->cfg.key, MG_GREEN_OCTAVE), frame,
                out);
        g->value = green_next_divider(g);
    } else if (g->pos == 12) {
        send_cc(mg, MG_GREEN, frame, out, 103, g->value);
        send_cc(mg, MG_GREEN, frame, out, 104, g->value);
    } else if (g->pos == 24) {
        send_cc(mg, MG_GREEN, frame, out, 105, g->value);
        send_cc(mg, MG_GREEN, frame, out, 106, g->value);
    }
    g->pos = (g->pos + 1) % MG_GREEN_LOOP;
}

/* ---- transport ---- */

static void notes_off(Mg *mg, uint32_t frame, AtMidiBuf *const out[])
{
    note_off(mg, MG_RED, &mg->mother[0].sounding, frame, out);
    note_off(mg, MG_BLUE, &mg->mother[1].sounding, frame, out);
    note_off(mg, MG_GREEN, &mg->green.sounding, frame, out);
}

static void on_clock(Mg *mg, uint32_t frame, AtMidiBuf *const out[])
{
    send_once(frame, out, MG_ALL_DESTS, AT_MIDI_CLOCK);
    if (!mg->running)
        return;
    mother_tick(mg, MG_RED, frame, out);
    mother_tick(mg, MG_BLUE, frame, out);
    green_tick(mg, frame, out);
    mg->pulse++;
}

/* START (re)starts the three sequencers; their first step is on the next
 * clock pulse, as MIDI slaves start on the first clock after START. */
static void on_start(Mg *mg, uint32_t frame, AtMidiBuf *const out[])
{
    notes_off(mg, frame, out);
    if (mg->cfg.start_stop)
        send_once(frame, out, MG_ALL_DESTS, AT_MIDI_START);
    mg->pulse = 0;
    mother_reset(&mg->mother[0]);
    mother_reset(&mg->mother[1]);
    green_reset(&mg->green);
    green_preamble_send(mg, frame, out);
    mg->running = true;
}

static void on_stop(Mg *mg, uint32_t frame, AtMidiBuf *const out[])
{
    mg->running = false;
    notes_off(mg, frame, out);
    if (mg->cfg.start_stop)
        send_once(frame, out, MG_ALL_DESTS, AT_MIDI_STOP);
    send_cc_all(mg, frame, out, AT_CC_ALL_NOTES_OFF, 0);
}

static void on_system(Mg *mg, const AtMidiEvent *ev, AtMidiBuf *const out[])
{
    switch (ev->data[0]) {
    case AT_MIDI_CLOCK:
        on_clock(mg, ev->frame, out);
        break;
    case AT_MIDI_START:
        on_start(mg, ev->frame, out);
        break;
    case AT_MIDI_STOP:
        on_stop(mg, ev->frame, out);
        break;
    case AT_MIDI_CONTINUE:
        mg->unhandled++; /* no job: the sequencers have no song position */
        break;
    default:
        break; /* active sensing, song position, MTC...: nothing to do */
    }
}

/* ---- the musician's controls (channel 1) ---- */

static void on_mod_wheel(Mg *mg, uint8_t v, uint32_t frame, AtMidiBuf *const out[])
{
    send_cc(mg, MG_RED, frame, out, AT_CC_MOD_WHEEL, v);
    if (mg->cfg.portamento == MG_PORTA_OFF)
        return;
    if (v == 0) {
        send_cc_all(mg, frame, out, AT_CC_PORTAMENTO, 0);
        send_cc_all(mg, frame, out, AT_CC_PORTAMENTO_TIME, 0);
    } else {
        send_cc_all(mg, frame, out, AT_CC_PORTAMENTO, 127);
        send_cc_all(mg, frame, out, AT_CC_PORTAMENTO_TIME,
                    (uint8_t)(mg->cfg.portamento_max * v / 127));
    }
}

static void on_cc(Mg *mg, uint8_t cc, uint8_t v, uint32_t frame, AtMidiBuf *const out[])
{
    switch (cc) {
    case AT_CC_MOD_WHEEL:
        on_mod_wheel(mg, v, frame, out);
        break;
    case AT_CC_EXPRESSION:
        send_cc(mg, MG_BLUE, frame, out, AT_CC_MOD_WHEEL, v);
        break;
    case AT_CC_SUSTAIN:
    case AT_CC_ALL_NOTES_OFF:
        send_cc_all(mg, frame, out, cc, v);
        break;
    default:
        mg->unhandled++;
        break;
    }
}

static void on_channel(Mg *mg, const AtMidiEvent *ev, AtMidiBuf *const out[])
{
    const uint8_t *m = ev->data;
    if (at_midi_channel(m) != 0) {
        mg->ignored_channel++;
        return;
    }
    switch (at_midi_type(m)) {
    case AT_MIDI_NOTE_ON:
        if (at_midi_is_note_on(m, ev->size) && m[1] % 12 != mg->cfg.key) {
            mg->cfg.key = m[1] % 12;
            mg->key_changed = true;
        }
        break;
    case AT_MIDI_NOTE_OFF:
        break; /* the key stays where the last note-on put it */
    case AT_MIDI_CC:
        on_cc(mg, m[1], m[2], ev->frame, out);
        break;
    case AT_MIDI_PITCH_BEND:
        for (int d = 0; d < MG_DEST_COUNT; d++)
            put(out[d], ev->frame, 3, (uint8_t)(AT_MIDI_PITCH_BEND | mg->cfg.channel[d]), m[1],
                m[2]);
        break;
    default:
        mg->unhandled++;
        break;
    }
}

void mg_event(Mg *mg, const AtMidiEvent *ev, AtMidiBuf *const out[MG_DEST_COUNT])
{
    if (!at_midi_event_well_formed(ev)) {
        mg->malformed++;
        return;
    }
    if (at_midi_is_channel_message(ev->data[0]))
        on_channel(mg, ev, out);
    else
        on_system(mg, ev, out);
}

void mg_process(Mg *mg, const AtMidiEvent *in, size_t n, AtMidiBuf *const out[MG_DEST_COUNT])
{
    for (size_t i = 0; i < n; i++)
        mg_event(mg, &in[i], out);
}

void mg_init(Mg *mg, const MgConfig *cfg)
{
    memset(mg, 0, sizeof *mg);
    mg->cfg = *cfg;
    mg->cfg.key = ((cfg->key % 12) + 12) % 12;
    at_rand_seed(&mg->rng, cfg->seed);
    mg->mother[0].sounding = -1;
    mg->mother[1].sounding = -1;
    mg->green.sounding = -1;
    mother_reset(&mg->mother[0]);
    mother_reset(&mg->mother[1]);
    green_reset(&mg->green);
}

/* Silence = STOP (if start-stop, once per port), CC64 = 0, CC123 = 0. */
static void silence(Mg *mg, unsigned mask, uint32_t frame, AtMidiBuf *const out[])
{
    if (mg->cfg.start_stop)
        send_once(frame, out, mask, AT_MIDI_STOP);
    for (int d = 0; d < MG_DEST_COUNT; d++) {
        if (!(mask & (1u << d)))
            continue;
        send_cc(mg, (MgDest)d, frame, out, AT_CC_SUSTAIN, 0);
        send_cc(mg, (MgDest)d, frame, out, AT_CC_ALL_NOTES_OFF, 0);
    }
}

void mg_setup_dests(Mg *mg, unsigned dest_mask, uint32_t frame, AtMidiBuf *const out[MG_DEST_COUNT])
{
    dest_mask &= MG_ALL_DESTS;
    silence(mg, dest_mask, frame, out);
    static const uint8_t resets[] = {AT_CC_MOD_WHEEL, AT_CC_PORTAMENTO, AT_CC_PORTAMENTO_TIME};
    for (size_t r = 0; r < sizeof resets; r++)
        for (int d = 0; d < MG_DEST_COUNT; d++)
            if (dest_mask & (1u << d))
                send_cc(mg, (MgDest)d, frame, out, resets[r], 0);
}

void mg_shutdown(Mg *mg, uint32_t frame, AtMidiBuf *const out[MG_DEST_COUNT])
{
    mg->running = false;
    notes_off(mg, frame, out);
    silence(mg, MG_ALL_DESTS, frame, out);
}

void mg_set_key(Mg *mg, int pitch_class)
{
    if (pitch_class >= 0 && pitch_class < 12)
        mg->cfg.key = pitch_class;
}

void mg_set_seed(Mg *mg, uint64_t seed)
{
    mg->cfg.seed = seed;
    at_rand_seed(&mg->rng, seed);
}

void mg_set_portamento(Mg *mg, MgPortamento mode)
{
    if (mode >= MG_PORTA_REZ && mode <= MG_PORTA_OFF)
        mg->cfg.portamento = mode;
}

void mg_set_portamento_max(Mg *mg, int max)
{
    if (max >= 0 && max <= 127)
        mg->cfg.portamento_max = max;
}

void mg_set_start_stop(Mg *mg, bool on)
{
    mg->cfg.start_stop = on;
}
