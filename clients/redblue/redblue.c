/* redblue.c - the redblue core: routing, play modes, portamento, accent and
 * the expression slew. See redblue.h and docs/redblue.md. */
#include "redblue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a held note was sent, so its note-off goes to the same place. */
typedef enum { ROUTE_BOTH, ROUTE_RED, ROUTE_BLUE, ROUTE_POWER } Route;

typedef struct {
    uint8_t note;
    uint8_t route;
} Held;

struct Rb {
    RbConfig cfg;
    Held held[128]; /* in press order, oldest first; a note appears at most once */
    int nheld;
    Route last_color; /* duophonic alternation: the last synth used */
    bool accent;
    int sustain;   /* last CC64 value (damper portamento is engaged while > 0) */
    int expr_raw;  /* last expression input 0..127 */
    int expr_out;  /* last expression value sent, -1 before the first */
    uint64_t now;  /* frames since the core started, at the current cycle start */
    uint32_t step; /* slew step length in frames */
    /* The slew in progress: step k (1..RB_SLEW_STEPS) is due at frame
     * slew_start + (k - 1) * step and has value from + (to - from) * k / STEPS. */
    bool slewing;
    int slew_from, slew_to, slew_k;
    uint64_t slew_start;
    AtMidiBuf **out;  /* outputs of the cycle in progress */
    RbReport *report; /* report of the cycle in progress */
    RbReport scratch; /* used when the caller passes no report */
};

static const char *const mode_names[] = {"regular", "duophonic", "power-chord"};
static const char *const porta_names[] = {"legato", "sustain", "damper", "off"};

const char *rb_mode_name(RbMode mode)
{
    return (unsigned)mode < 3 ? mode_names[mode] : "?";
}

const char *rb_porta_name(RbPorta porta)
{
    return (unsigned)porta < 4 ? porta_names[porta] : "?";
}

void rb_config_default(RbConfig *cfg, uint32_t rate)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->rate = rate;
    cfg->input_channel = 0;
    cfg->start_stop = true;
    cfg->pass_clock = false;
    cfg->portamento = RB_PORTA_DAMPER;
    cfg->damper_portamento_max = 88;
    cfg->accent_volume = 92;
    cfg->expression_min = 32;
    cfg->expression_max = 96;
    cfg->mode = RB_MODE_REGULAR;
    cfg->dest[RB_RED] = (RbDest){.channel = 1, .mod_wheel = true, .expression_pedal = false};
    cfg->dest[RB_BLUE] = (RbDest){.channel = 2, .mod_wheel = false, .expression_pedal = true};
}

static bool in_range(int v, int lo, int hi)
{
    return v >= lo && v <= hi;
}

bool rb_config_check(const RbConfig *cfg, char *err, size_t errlen)
{
    const char *why = NULL;
    if (cfg->rate == 0)
        why = "sample rate must not be 0";
    else if (cfg->input_channel != 0)
        why = "input channel must be 1 (redblue listens on channel 1 only)";
    else if ((unsigned)cfg->portamento > RB_PORTA_OFF || (unsigned)cfg->mode > RB_MODE_POWER)
        why = "unknown portamento or play mode";
    else if (!in_range(cfg->damper_portamento_max, 0, 127))
        why = "damper-portamento-max must be 0..127";
    else if (!in_range(cfg->accent_volume, 1, 127))
        why = "accent-volume must be 1..127";
    else if (!in_range(cfg->expression_min, 0, 127) || !in_range(cfg->expression_max, 0, 127))
        why = "expression-min and expression-max must be 0..127";
    else if (cfg->dest[RB_RED].channel > 15 || cfg->dest[RB_BLUE].channel > 15)
        why = "destination channels must be 1..16";
    if (why && err && errlen)
        snprintf(err, errlen, "%s", why);
    return why == NULL;
}

Rb *rb_new(const RbConfig *cfg)
{
    if (!rb_config_check(cfg, NULL, 0))
        return NULL;
    Rb *rb = calloc(1, sizeof *rb);
    if (!rb)
        return NULL;
    rb->cfg = *cfg;
    rb->last_color = ROUTE_BLUE; /* so the first duophonic note goes to red */
    rb->expr_raw = 64;
    rb->expr_out = -1;
    rb->step = (cfg->rate + 500) / 1000;
    if (rb->step == 0)
        rb->step = 1;
    rb->report = &rb->scratch;
    return rb;
}

void rb_free(Rb *rb)
{
    free(rb);
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void rb_set(Rb *rb, RbSetting what, int value)
{
    RbConfig *c = &rb->cfg;
    switch (what) {
    case RB_SET_MODE:
        c->mode = (RbMode)clamp(value, RB_MODE_REGULAR, RB_MODE_POWER);
        break;
    case RB_SET_PORTAMENTO:
        c->portamento = (RbPorta)clamp(value, RB_PORTA_LEGATO, RB_PORTA_OFF);
        break;
    case RB_SET_START_STOP:
        c->start_stop = value != 0;
        break;
    case RB_SET_PASS_CLOCK:
        c->pass_clock = value != 0;
        break;
    case RB_SET_DAMPER_PORTAMENTO_MAX:
        c->damper_portamento_max = clamp(value, 0, 127);
        break;
    case RB_SET_ACCENT_VOLUME:
        c->accent_volume = clamp(value, 1, 127);
        break;
    case RB_SET_EXPRESSION_MIN:
        c->expression_min = clamp(value, 0, 127);
        break;
    case RB_SET_EXPRESSION_MAX:
        c->expression_max = clamp(value, 0, 127);
        break;
    case RB_SET_RED_MOD_WHEEL:
        c->dest[RB_RED].mod_wheel = value != 0;
        break;
    case RB_SET_BLUE_MOD_WHEEL:
        c->dest[RB_BLUE].mod_wheel = value != 0;
        break;
    case RB_SET_RED_EXPRESSION_PEDAL:
        c->dest[RB_RED].expression_pedal = value != 0;
        break;
    case RB_SET_BLUE_EXPRESSION_PEDAL:
        c->dest[RB_BLUE].expression_pedal = value != 0;
        break;
    }
}

const RbConfig *rb_config(const Rb *rb)
{
    return &rb->cfg;
}

RbMode rb_mode(const Rb *rb)
{
    return rb->cfg.mode;
}

int rb_held_count(const Rb *rb)
{
    return rb->nheld;
}

/* ---- output helpers ---------------------------------------------------- */

static void put(Rb *rb, int d, uint32_t frame, uint8_t size, uint8_t b0, uint8_t b1, uint8_t b2)
{
    if (!at_midi_buf_add3(rb->out[d], frame, size, b0, b1, b2))
        rb->report->dropped++;
}

/* A channel message to destination d on its channel. */
static void send_to(Rb *rb, int d, uint32_t frame, uint8_t type, uint8_t b1, uint8_t b2)
{
    put(rb, d, frame, 3, (uint8_t)(type | rb->cfg.dest[d].channel), b1, b2);
}

/* True when both destinations are one device: same port, same channel. A
 * message for "both" then goes out once. */
static bool same_device(const Rb *rb)
{
    return rb->out[RB_RED] == rb->out[RB_BLUE] &&
           rb->cfg.dest[RB_RED].channel == rb->cfg.dest[RB_BLUE].channel;
}

static void send_both(Rb *rb, uint32_t frame, uint8_t type, uint8_t b1, uint8_t b2)
{
    send_to(rb, RB_RED, frame, type, b1, b2);
    if (!same_device(rb))
        send_to(rb, RB_BLUE, frame, type, b1, b2);
}

/* A channel-agnostic message (clock, start, stop): once per port. */
static void send_once(Rb *rb, unsigned mask, uint32_t frame, uint8_t status)
{
    if (mask & (1u << RB_RED))
        put(rb, RB_RED, frame, 1, status, 0, 0);
    if ((mask & (1u << RB_BLUE)) &&
        !((mask & (1u << RB_RED)) && rb->out[RB_RED] == rb->out[RB_BLUE]))
        put(rb, RB_BLUE, frame, 1, status, 0, 0);
}

/* ---- expression -------------------------------------------------------- */

/* Input 0..127 -> expression-min..expression-max, rounded down. */
static int expr_scale(const Rb *rb, int raw)
{
    int lo = rb->cfg.expression_min, hi = rb->cfg.expression_max;
    return (lo * 127 + (hi - lo) * raw) / 127; /* numerator >= 0: floors */
}

/* Send an expression value (CC1) to the expression-pedal destinations,
 * unless it is the value last sent. */
static void expr_send(Rb *rb, uint32_t frame, int value)
{
    if (value == rb->expr_out)
        return;
    rb->expr_out = value;
    bool sent_red = false;
    for (int d = 0; d < RB_DESTS; d++) {
        if (!rb->cfg.dest[d].expression_pedal)
            continue;
        if (d == RB_BLUE && sent_red && same_device(rb))
            continue;
        send_to(rb, d, frame, AT_MIDI_CC, AT_CC_MOD_WHEEL, (uint8_t)value);
        sent_red = sent_red || d == RB_RED;
    }
}

/* Round-to-nearest of a / b for b > 0 (halves away from zero). */
static int div_round(int a, int b)
{
    return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b);
}

/* Start a slew from the current output to value, first step at abs frame. */
static void slew_start(Rb *rb, uint64_t abs, int from, int to)
{
    rb->slewing = true;
    rb->slew_from = from;
    rb->slew_to = to;
    rb->slew_k = 1;
    rb->slew_start = abs;
}

/* Write every pending slew step due before abs frame `until` (exclusive).
 * Steps overdue after an xrun collapse into the latest one, at frame 0. */
static void slew_run(Rb *rb, uint64_t until)
{
    while (rb->slewing) {
        uint64_t due = rb->slew_start + (uint64_t)(rb->slew_k - 1) * rb->step;
        if (due >= until)
            return;
        if (due < rb->now) {
            uint64_t last = (rb->now - 1 - rb->slew_start) / rb->step + 1;
            rb->slew_k = last > RB_SLEW_STEPS ? RB_SLEW_STEPS : (int)last;
            due = rb->now;
        }
        int v =
            rb->slew_from + div_round((rb->slew_to - rb->slew_from) * rb->slew_k, RB_SLEW_STEPS);
        expr_send(rb, (uint32_t)(due - rb->now), v);
        if (++rb->slew_k > RB_SLEW_STEPS)
            rb->slewing = false;
    }
}

/* The expression output goes towards the scaled input; an accent first
 * jumps it 32 higher (at most 127), then it slews down. */
static void expr_update(Rb *rb, uint32_t frame, bool jump)
{
    uint64_t abs = rb->now + frame;
    int target = expr_scale(rb, rb->expr_raw);
    if (jump) {
        int peak = target + 32 > 127 ? 127 : target + 32;
        expr_send(rb, frame, peak);
        slew_start(rb, abs + rb->step, peak, target);
        return;
    }
    if (rb->expr_out < 0) { /* nothing sent yet: no known start to slew from */
        rb->slewing = false;
        expr_send(rb, frame, target);
        return;
    }
    slew_start(rb, abs, rb->expr_out, target);
    slew_run(rb, abs + 1); /* the first step belongs to this frame */
}

static void set_accent(Rb *rb, uint32_t frame, bool accent)
{
    if (accent == rb->accent)
        return;
    rb->accent = accent;
    expr_update(rb, frame, accent);
}

/* ---- notes ------------------------------------------------------------- */

static int held_find(const Rb *rb, uint8_t note)
{
    for (int i = 0; i < rb->nheld; i++)
        if (rb->held[i].note == note)
            return i;
    return -1;
}

static void held_remove(Rb *rb, int i)
{
    memmove(&rb->held[i], &rb->held[i + 1], (size_t)(rb->nheld - i - 1) * sizeof rb->held[0]);
    rb->nheld--;
}

/* Blue's note in power-chord mode: a fifth up, or a fourth down when a
 * fifth up would leave the MIDI range (the same pitch class). */
static uint8_t power_fifth(uint8_t note)
{
    return (uint8_t)(note + 7 <= 127 ? note + 7 : note - 5);
}

static void note_off_route(Rb *rb, uint32_t frame, uint8_t note, Route route)
{
    switch (route) {
    case ROUTE_RED:
        send_to(rb, RB_RED, frame, AT_MIDI_NOTE_OFF, note, 0);
        break;
    case ROUTE_BLUE:
        send_to(rb, RB_BLUE, frame, AT_MIDI_NOTE_OFF, note, 0);
        break;
    case ROUTE_POWER:
        send_to(rb, RB_RED, frame, AT_MIDI_NOTE_OFF, note, 0);
        send_to(rb, RB_BLUE, frame, AT_MIDI_NOTE_OFF, power_fifth(note), 0);
        break;
    default:
        send_both(rb, frame, AT_MIDI_NOTE_OFF, note, 0);
        break;
    }
}

/* Legato portamento: glide (CC65 127, CC5 64 up / 80 down) when other notes
 * are held, else no glide. `from` and `to` are the pitches of the move. */
static void legato(Rb *rb, uint32_t frame, bool glide, int from, int to)
{
    if (rb->cfg.portamento != RB_PORTA_LEGATO)
        return;
    send_both(rb, frame, AT_MIDI_CC, AT_CC_PORTAMENTO, glide ? 127 : 0);
    send_both(rb, frame, AT_MIDI_CC, AT_CC_PORTAMENTO_TIME, !glide ? 0 : to > from ? 64 : 80);
}

/* Whether a glide is engaged for the note about to sound. */
static bool portamento_engaged(const Rb *rb)
{
    switch (rb->cfg.portamento) {
    case RB_PORTA_LEGATO:
        return rb->nheld > 0;
    case RB_PORTA_SUSTAIN:
    case RB_PORTA_DAMPER:
        return rb->sustain > 0;
    default:
        return false;
    }
}

/* Duophonic: which synth plays note. */
static Route duo_pick(Rb *rb, uint8_t note)
{
    if (portamento_engaged(rb)) {
        int best = -1, best_dist = 999;
        for (int i = rb->nheld - 1; i >= 0; i--) { /* newest first: ties go to it */
            const Held *h = &rb->held[i];
            int dist = abs((int)h->note - (int)note);
            if ((h->route == ROUTE_RED || h->route == ROUTE_BLUE) && dist < best_dist) {
                best = i;
                best_dist = dist;
            }
        }
        if (best >= 0)
            return (Route)rb->held[best].route;
    }
    int red = 0, blue = 0;
    for (int i = 0; i < rb->nheld; i++) {
        red += rb->held[i].route == ROUTE_RED;
        blue += rb->held[i].route == ROUTE_BLUE;
    }
    if (rb->last_color == ROUTE_RED)
        return !blue ? ROUTE_BLUE : !red ? ROUTE_RED : ROUTE_BLUE;
    return !red ? ROUTE_RED : !blue ? ROUTE_BLUE : ROUTE_RED;
}

static void mode_key(Rb *rb, uint8_t note)
{
    RbMode m = note == RB_KEY_REGULAR     ? RB_MODE_REGULAR
               : note == RB_KEY_DUOPHONIC ? RB_MODE_DUOPHONIC
                                          : RB_MODE_POWER;
    rb->cfg.mode = m;
    rb->report->mode_changed = true; /* reported even when unchanged: surfaces resync */
}

static bool is_mode_key(uint8_t note)
{
    return note >= RB_KEY_REGULAR && note <= RB_KEY_POWER;
}

static void note_on(Rb *rb, uint32_t frame, uint8_t note, uint8_t vel)
{
    if (is_mode_key(note)) {
        mode_key(rb, note);
        return;
    }
    int i = held_find(rb, note);
    if (i >= 0) { /* pressed again without a release: end the old one first */
        note_off_route(rb, frame, note, (Route)rb->held[i].route);
        held_remove(rb, i);
    }
    if (rb->nheld > 0)
        legato(rb, frame, true, rb->held[rb->nheld - 1].note, note);
    else
        legato(rb, frame, false, note, note);
    set_accent(rb, frame, (rb->accent && rb->nheld > 0) || vel >= rb->cfg.accent_volume);

    Route r = ROUTE_BOTH;
    if (rb->cfg.mode == RB_MODE_POWER) {
        r = ROUTE_POWER;
        send_to(rb, RB_RED, frame, AT_MIDI_NOTE_ON, note, vel);
        send_to(rb, RB_BLUE, frame, AT_MIDI_NOTE_ON, power_fifth(note), vel);
    } else if (rb->cfg.mode == RB_MODE_DUOPHONIC) {
        r = duo_pick(rb, note);
        rb->last_color = r;
        send_to(rb, r == ROUTE_RED ? RB_RED : RB_BLUE, frame, AT_MIDI_NOTE_ON, note, vel);
    } else {
        send_both(rb, frame, AT_MIDI_NOTE_ON, note, vel);
    }
    rb->held[rb->nheld++] = (Held){.note = note, .route = (uint8_t)r};
}

static void note_off(Rb *rb, uint32_t frame, uint8_t note)
{
    if (is_mode_key(note))
        return;
    int i = held_find(rb, note);
    Route r = ROUTE_BOTH; /* not held (e.g. pressed before a STOP): end it everywhere */
    if (i >= 0) {
        r = (Route)rb->held[i].route;
        held_remove(rb, i);
    }
    note_off_route(rb, frame, note, r);
    if (rb->nheld > 0)
        legato(rb, frame, true, note, rb->held[rb->nheld - 1].note);
    else
        legato(rb, frame, false, note, note);
    if (rb->nheld == 0)
        set_accent(rb, frame, false); /* the accent lasts while notes are held legato */
}

/* ---- controllers and system messages ----------------------------------- */

static void damper(Rb *rb, uint32_t frame, uint8_t value)
{
    RbPorta p = rb->cfg.portamento;
    rb->sustain = value;
    if (p == RB_PORTA_SUSTAIN || p == RB_PORTA_DAMPER) {
        send_both(rb, frame, AT_MIDI_CC, AT_CC_PORTAMENTO, value ? 127 : 0);
        send_both(rb, frame, AT_MIDI_CC, AT_CC_PORTAMENTO_TIME,
                  (uint8_t)(value ? rb->cfg.damper_portamento_max * value / 127 : 0));
    }
    if (p != RB_PORTA_DAMPER)
        send_both(rb, frame, AT_MIDI_CC, AT_CC_SUSTAIN, value);
}

static void unhandled(Rb *rb, const uint8_t *d, int data1)
{
    rb->report->unhandled++;
    rb->report->unhandled_status = d[0];
    rb->report->unhandled_data = data1;
}

static void control_change(Rb *rb, uint32_t frame, const uint8_t *d)
{
    uint8_t cc = d[1], v = d[2];
    switch (cc) {
    case AT_CC_MOD_WHEEL:
        for (int k = 0; k < RB_DESTS; k++)
            if (rb->cfg.dest[k].mod_wheel &&
                !(k == RB_BLUE && rb->cfg.dest[RB_RED].mod_wheel && same_device(rb)))
                send_to(rb, k, frame, AT_MIDI_CC, AT_CC_MOD_WHEEL, v);
        break;
    case AT_CC_EXPRESSION:
    case AT_CC_FOOT:
        rb->expr_raw = v;
        expr_update(rb, frame, false);
        break;
    case AT_CC_SUSTAIN:
        damper(rb, frame, v);
        break;
    case AT_CC_ALL_NOTES_OFF:
        send_both(rb, frame, AT_MIDI_CC, AT_CC_ALL_NOTES_OFF, v);
        break;
    default:
        unhandled(rb, d, cc);
        break;
    }
}

static void stop(Rb *rb, uint32_t frame)
{
    if (rb->cfg.start_stop)
        send_once(rb, 3, frame, AT_MIDI_STOP);
    send_both(rb, frame, AT_MIDI_CC, AT_CC_ALL_NOTES_OFF, 0);
    rb->nheld = 0;
    set_accent(rb, frame, false);
}

static void system_message(Rb *rb, uint32_t frame, const uint8_t *d)
{
    switch (d[0]) {
    case AT_MIDI_CLOCK:
        if (rb->cfg.pass_clock)
            send_once(rb, 3, frame, AT_MIDI_CLOCK);
        break;
    case AT_MIDI_START:
    case AT_MIDI_CONTINUE:
        if (rb->cfg.start_stop)
            send_once(rb, 3, frame, d[0]);
        break;
    case AT_MIDI_STOP:
        stop(rb, frame);
        break;
    case AT_MIDI_ACTIVE_SENSING:
        break; /* link keep-alive: nothing to do, nothing to warn about */
    default:
        unhandled(rb, d, -1);
        break;
    }
}

/* True when the event is a complete, well-formed MIDI message. */
static bool well_formed(const AtMidiEvent *e)
{
    if (e->size == 0 || e->size > AT_MIDI_MAX_SIZE || e->data[0] < 0x80)
        return false;
    int need = at_midi_message_size(e->data[0]);
    if (need == 0) /* sysex pieces: well formed enough to be ignored */
        return true;
    if (e->size < need)
        return false;
    for (int i = 1; i < need; i++)
        if (e->data[i] >= 0x80)
            return false;
    return true;
}

static void channel_message(Rb *rb, uint32_t frame, const uint8_t *d)
{
    if (at_midi_channel(d) != rb->cfg.input_channel) {
        rb->report->wrong_channel++;
        rb->report->wrong_channel_last = at_midi_channel(d);
        return;
    }
    switch (d[0] & 0xF0) {
    case AT_MIDI_NOTE_ON:
        if (d[2] > 0)
            note_on(rb, frame, d[1], d[2]);
        else
            note_off(rb, frame, d[1]); /* velocity 0 is a note-off */
        break;
    case AT_MIDI_NOTE_OFF:
        note_off(rb, frame, d[1]);
        break;
    case AT_MIDI_CC:
        control_change(rb, frame, d);
        break;
    case AT_MIDI_PITCH_BEND:
        send_both(rb, frame, AT_MIDI_PITCH_BEND, d[1], d[2]);
        break;
    default:
        unhandled(rb, d, d[1]);
        break;
    }
}

static void handle(Rb *rb, const AtMidiEvent *e)
{
    if (!well_formed(e)) {
        rb->report->malformed++;
        return;
    }
    if (at_midi_is_channel_message(e->data[0]))
        channel_message(rb, e->frame, e->data);
    else
        system_message(rb, e->frame, e->data);
}

/* ---- cycle ------------------------------------------------------------- */

static void begin(Rb *rb, AtMidiBuf *out[RB_DESTS], RbReport *report)
{
    rb->out = out;
    rb->report = report ? report : &rb->scratch;
    memset(rb->report, 0, sizeof *rb->report);
    rb->report->wrong_channel_last = -1;
    rb->report->unhandled_status = -1;
    rb->report->unhandled_data = -1;
}

void rb_process(Rb *rb, const AtMidiEvent *in, size_t n, uint32_t nframes, AtMidiBuf *out[RB_DESTS],
                RbReport *report)
{
    begin(rb, out, report);
    uint32_t last = 0;
    for (size_t i = 0; i < n; i++) {
        AtMidiEvent e = in[i];
        /* Out-of-order or out-of-cycle offsets would break the frame order of
         * the outputs: clamp them into the cycle, never before the last one. */
        if (e.frame >= nframes)
            e.frame = nframes ? nframes - 1 : 0;
        if (e.frame < last)
            e.frame = last;
        last = e.frame;
        slew_run(rb, rb->now + e.frame);
        handle(rb, &e);
    }
    slew_run(rb, rb->now + nframes);
    rb->now += nframes;
}

void rb_skip(Rb *rb, uint32_t frames)
{
    rb->now += frames;
}

void rb_silence(Rb *rb, unsigned mask, uint32_t frame, AtMidiBuf *out[RB_DESTS])
{
    RbReport scratch;
    begin(rb, out, &scratch);
    if (rb->cfg.start_stop)
        send_once(rb, mask, frame, AT_MIDI_STOP);
    for (int d = 0; d < RB_DESTS; d++) {
        if (!(mask & (1u << d)))
            continue;
        if (d == RB_BLUE && (mask & 1u) && same_device(rb))
            continue;
        send_to(rb, d, frame, AT_MIDI_CC, AT_CC_SUSTAIN, 0);
        send_to(rb, d, frame, AT_MIDI_CC, AT_CC_ALL_NOTES_OFF, 0);
    }
    rb->report = &rb->scratch; /* scratch above goes out of scope */
}

void rb_shutdown(Rb *rb, uint32_t frame, AtMidiBuf *out[RB_DESTS])
{
    rb_silence(rb, 3, frame, out);
    rb->nheld = 0;
    rb->accent = false;
    rb->slewing = false;
}
