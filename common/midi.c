/* midi.c - MIDI helpers and the running-status parser. */
#include "midi.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void at_midi_buf_init(AtMidiBuf *buf, AtMidiEvent *storage, size_t capacity)
{
    buf->events = storage;
    buf->capacity = capacity;
    buf->count = 0;
    buf->dropped = 0;
}

void at_midi_buf_clear(AtMidiBuf *buf)
{
    buf->count = 0;
}

bool at_midi_buf_add(AtMidiBuf *buf, uint32_t frame, const uint8_t *data, size_t size)
{
    if (size == 0 || size > AT_MIDI_MAX_SIZE || buf->count >= buf->capacity) {
        buf->dropped++;
        return false;
    }
    AtMidiEvent *e = &buf->events[buf->count++];
    e->frame = frame;
    e->size = (uint8_t)size;
    memset(e->data, 0, sizeof e->data);
    memcpy(e->data, data, size);
    return true;
}

bool at_midi_buf_add3(AtMidiBuf *buf, uint32_t frame, uint8_t size, uint8_t b0, uint8_t b1,
                      uint8_t b2)
{
    const uint8_t d[3] = {b0, b1, b2};
    return at_midi_buf_add(buf, frame, d, size);
}

void at_midi_buf_sort(AtMidiBuf *buf)
{
    /* Insertion sort: stable, no allocation, and outputs are nearly sorted
     * already because tools handle input in frame order. */
    for (size_t i = 1; i < buf->count; i++) {
        AtMidiEvent e = buf->events[i];
        size_t j = i;
        while (j > 0 && buf->events[j - 1].frame > e.frame) {
            buf->events[j] = buf->events[j - 1];
            j--;
        }
        buf->events[j] = e;
    }
}

int at_midi_message_size(uint8_t status)
{
    if (status < 0x80)
        return 0;
    if (status < 0xF0) {
        uint8_t t = status & 0xF0;
        return (t == AT_MIDI_PROGRAM || t == AT_MIDI_CHANNEL_PRESSURE) ? 2 : 3;
    }
    switch (status) {
    case AT_MIDI_MTC:
    case AT_MIDI_SONG_SELECT:
        return 2;
    case AT_MIDI_SONG_POSITION:
        return 3;
    case AT_MIDI_SYSEX:
    case 0xF4:
    case 0xF5:
    case AT_MIDI_SYSEX_END:
        return 0;
    default:
        return 1; /* tune request, realtime */
    }
}

bool at_midi_event_well_formed(const AtMidiEvent *ev)
{
    if (ev->size == 0 || ev->size > AT_MIDI_MAX_SIZE || ev->data[0] < 0x80)
        return false;
    int need = at_midi_message_size(ev->data[0]);
    if (need == 0 || ev->size < need)
        return false;
    for (int i = 1; i < need; i++)
        if (ev->data[i] & 0x80)
            return false;
    return true;
}

bool at_midi_is_realtime(uint8_t status)
{
    return status >= 0xF8;
}

bool at_midi_is_channel_message(uint8_t status)
{
    return status >= 0x80 && status < 0xF0;
}

uint8_t at_midi_type(const uint8_t *data)
{
    return at_midi_is_channel_message(data[0]) ? (uint8_t)(data[0] & 0xF0) : data[0];
}

uint8_t at_midi_channel(const uint8_t *data)
{
    return data[0] & 0x0F;
}

bool at_midi_is_note_on(const uint8_t *data, size_t size)
{
    return size >= 3 && (data[0] & 0xF0) == AT_MIDI_NOTE_ON && data[2] > 0;
}

bool at_midi_is_note_off(const uint8_t *data, size_t size)
{
    if (size < 3)
        return false;
    uint8_t t = data[0] & 0xF0;
    return t == AT_MIDI_NOTE_OFF || (t == AT_MIDI_NOTE_ON && data[2] == 0);
}

uint16_t at_midi_14bit(uint8_t msb, uint8_t lsb)
{
    return (uint16_t)(((msb & 0x7F) << 7) | (lsb & 0x7F));
}

int at_midi_pitch_bend_value(const uint8_t *data)
{
    return (int)at_midi_14bit(data[2], data[1]) - 8192;
}

double at_midi_note_hz(double note)
{
    return 440.0 * pow(2.0, (note - 69.0) / 12.0);
}

static const char *const pc_names[12] = {"C",  "C#", "D",  "D#", "E",  "F",
                                         "F#", "G",  "G#", "A",  "A#", "B"};

/* Parse a letter with optional accidentals; returns pitch class (may be
 * -1 or 12 for Cb/B#, normalised by callers) and advances *s. */
static int parse_pitch(const char **s, bool *ok)
{
    static const int base[7] = {9, 11, 0, 2, 4, 5, 7}; /* A..G */
    const char *p = *s;
    char c = *p;
    if (c >= 'a' && c <= 'g')
        c = (char)(c - 'a' + 'A');
    if (c < 'A' || c > 'G') {
        *ok = false;
        return 0;
    }
    int pc = base[c - 'A'];
    p++;
    if (*p == '#') {
        pc++;
        p++;
    } else if (*p == 'b') {
        pc--;
        p++;
    }
    *s = p;
    *ok = true;
    return pc;
}

int at_midi_pitch_class_from_name(const char *name)
{
    bool ok;
    const char *p = name;
    while (*p == ' ')
        p++;
    int pc = parse_pitch(&p, &ok);
    while (*p == ' ')
        p++;
    if (!ok || *p != '\0')
        return -1;
    return (pc + 12) % 12;
}

int at_midi_note_from_name(const char *name)
{
    bool ok;
    const char *p = name;
    int pc = parse_pitch(&p, &ok);
    if (!ok)
        return -1;
    int sign = 1;
    if (*p == '-') {
        sign = -1;
        p++;
    }
    if (*p < '0' || *p > '9')
        return -1;
    int octave = 0;
    while (*p >= '0' && *p <= '9') {
        octave = octave * 10 + (*p - '0');
        if (octave > 20)
            return -1;
        p++;
    }
    if (*p != '\0')
        return -1;
    int note = (sign * octave + 1) * 12 + pc;
    return (note < 0 || note > 127) ? -1 : note;
}

char *at_midi_note_name(int note, char *out, size_t outlen)
{
    if (note < 0 || note > 127) {
        snprintf(out, outlen, "?");
        return out;
    }
    snprintf(out, outlen, "%s%d", pc_names[note % 12], note / 12 - 1);
    return out;
}

const char *at_midi_pitch_class_name(int pc)
{
    return pc_names[((pc % 12) + 12) % 12];
}

void at_midi_parser_init(AtMidiParser *p)
{
    memset(p, 0, sizeof *p);
}

bool at_midi_parser_feed(AtMidiParser *p, uint8_t byte, uint8_t out[AT_MIDI_MAX_SIZE],
                         uint8_t *size)
{
    if (at_midi_is_realtime(byte)) {
        if (byte == 0xF9 || byte == 0xFD) /* undefined realtime */
            return false;
        out[0] = byte;
        *size = 1;
        return true;
    }
    if (byte & 0x80) {
        if (p->in_sysex && byte == AT_MIDI_SYSEX_END) {
            p->in_sysex = false;
            p->have = 0;
            return false;
        }
        p->in_sysex = false;
        if (byte == AT_MIDI_SYSEX) {
            p->in_sysex = true;
            p->sysex_skipped++;
            p->running = 0;
            p->have = 0;
            return false;
        }
        int n = at_midi_message_size(byte);
        if (byte >= 0xF0) /* system common cancels running status */
            p->running = 0;
        else
            p->running = byte;
        if (n == 0) { /* undefined 0xF4/0xF5 or stray 0xF7 */
            p->have = 0;
            return false;
        }
        p->buf[0] = byte;
        p->have = 1;
        p->need = (uint8_t)n;
        if (n == 1) {
            p->have = 0;
            out[0] = byte;
            *size = 1;
            return true;
        }
        return false;
    }
    /* data byte */
    if (p->in_sysex)
        return false;
    if (p->have == 0) {
        if (p->running == 0) {
            p->stray_bytes++;
            return false;
        }
        p->buf[0] = p->running;
        p->have = 1;
        p->need = (uint8_t)at_midi_message_size(p->running);
    }
    p->buf[p->have++] = byte;
    if (p->have < p->need)
        return false;
    memcpy(out, p->buf, p->need);
    *size = p->need;
    p->have = 0;
    return true;
}
