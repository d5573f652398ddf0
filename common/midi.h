/* midi.h - MIDI messages, note names, 14-bit values and a running-status
 * byte parser. Pure code: no JACK, no allocation after set-up. */
#ifndef AT_MIDI_H
#define AT_MIDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Status bytes (high nibble for channel messages). */
enum {
    AT_MIDI_NOTE_OFF = 0x80,
    AT_MIDI_NOTE_ON = 0x90,
    AT_MIDI_POLY_PRESSURE = 0xA0,
    AT_MIDI_CC = 0xB0,
    AT_MIDI_PROGRAM = 0xC0,
    AT_MIDI_CHANNEL_PRESSURE = 0xD0,
    AT_MIDI_PITCH_BEND = 0xE0,
    AT_MIDI_SYSEX = 0xF0,
    AT_MIDI_MTC = 0xF1,
    AT_MIDI_SONG_POSITION = 0xF2,
    AT_MIDI_SONG_SELECT = 0xF3,
    AT_MIDI_TUNE_REQUEST = 0xF6,
    AT_MIDI_SYSEX_END = 0xF7,
    AT_MIDI_CLOCK = 0xF8,
    AT_MIDI_START = 0xFA,
    AT_MIDI_CONTINUE = 0xFB,
    AT_MIDI_STOP = 0xFC,
    AT_MIDI_ACTIVE_SENSING = 0xFE,
    AT_MIDI_RESET = 0xFF,
};

/* Controller numbers used across the tools. */
enum {
    AT_CC_MOD_WHEEL = 1,
    AT_CC_FOOT = 4,
    AT_CC_PORTAMENTO_TIME = 5,
    AT_CC_EXPRESSION = 11,
    AT_CC_MOD_WHEEL_LSB = 33,
    AT_CC_EXPRESSION_LSB = 43,
    AT_CC_SUSTAIN = 64,
    AT_CC_PORTAMENTO = 65,
    AT_CC_ALL_NOTES_OFF = 123,
};

/* Largest message an AtMidiEvent holds (channel messages, realtime, the
 * short system common messages). Longer messages (sysex) are not carried. */
#define AT_MIDI_MAX_SIZE 3

/* One MIDI message at a frame offset within the current process cycle
 * (or, offline, within the current render block). */
typedef struct {
    uint32_t frame;
    uint8_t size;
    uint8_t data[AT_MIDI_MAX_SIZE];
} AtMidiEvent;

/* A fixed-capacity list of events that can be appended in any order and is
 * then put in frame order (stable: events at the same frame keep the order
 * in which they were added). Storage is owned by the caller. */
typedef struct {
    AtMidiEvent *events;
    size_t count;
    size_t capacity;
    size_t dropped; /* events refused because the list was full */
} AtMidiBuf;

/* Point buf at caller-owned storage of capacity events and empty it. */
void at_midi_buf_init(AtMidiBuf *buf, AtMidiEvent *storage, size_t capacity);
/* Empty the list (dropped counter is kept). */
void at_midi_buf_clear(AtMidiBuf *buf);
/* Append a message of size bytes at frame; false (and dropped++) when full
 * or when size is 0 or larger than AT_MIDI_MAX_SIZE. */
bool at_midi_buf_add(AtMidiBuf *buf, uint32_t frame, const uint8_t *data, size_t size);
/* Append a 1..3 byte message given as separate bytes (size says how many). */
bool at_midi_buf_add3(AtMidiBuf *buf, uint32_t frame, uint8_t size, uint8_t b0, uint8_t b1,
                      uint8_t b2);
/* Stable sort by frame; insertion sort, no allocation (RT safe). */
void at_midi_buf_sort(AtMidiBuf *buf);

/* True when ev is one complete message: a status byte first, all the data
 * bytes its status calls for, each below 0x80 (sysex is not carried). */
bool at_midi_event_well_formed(const AtMidiEvent *ev);
/* Number of bytes of a complete message starting with status byte s
 * (1, 2 or 3), 0 for sysex (variable) and for data bytes. */
int at_midi_message_size(uint8_t status);
/* True for 0xF8..0xFF. */
bool at_midi_is_realtime(uint8_t status);
/* True for 0x80..0xEF. */
bool at_midi_is_channel_message(uint8_t status);
/* The message type (status & 0xF0 for channel messages, status otherwise). */
uint8_t at_midi_type(const uint8_t *data);
/* The channel 0..15 of a channel message. */
uint8_t at_midi_channel(const uint8_t *data);
/* True for a note-on with velocity > 0. */
bool at_midi_is_note_on(const uint8_t *data, size_t size);
/* True for a note-off, or a note-on with velocity 0 (the same thing). */
bool at_midi_is_note_off(const uint8_t *data, size_t size);
/* Combine a 7-bit MSB and LSB into a 14-bit value 0..16383. */
uint16_t at_midi_14bit(uint8_t msb, uint8_t lsb);
/* Pitch-bend message bytes -> -8192..8191. */
int at_midi_pitch_bend_value(const uint8_t *data);

/* Frequency in Hz of a (possibly fractional) MIDI note; 69 = 440 Hz. */
double at_midi_note_hz(double note);
/* Parse a note name such as "C#3", "Db-1", "A0" (C4 = 60) into 0..127;
 * returns -1 on a malformed or out-of-range name. */
int at_midi_note_from_name(const char *name);
/* Parse a pitch class "C", "C#", "Db", ..., "B" into 0..11, -1 if bad. */
int at_midi_pitch_class_from_name(const char *name);
/* Write the name of note 0..127 with sharps ("C#3") into out (at least 5
 * bytes); returns out. */
char *at_midi_note_name(int note, char *out, size_t outlen);
/* Name of pitch class 0..11 with sharps ("F#"). */
const char *at_midi_pitch_class_name(int pc);

/* Incremental byte-stream parser with running status. Realtime bytes are
 * delivered at once, even in the middle of another message; sysex is
 * skipped (counted); stray data bytes without a status are dropped. */
typedef struct {
    uint8_t running; /* current running status, 0 if none */
    uint8_t buf[AT_MIDI_MAX_SIZE];
    uint8_t have; /* bytes collected for the message in progress */
    uint8_t need; /* bytes the message in progress needs */
    bool in_sysex;
    size_t sysex_skipped;
    size_t stray_bytes;
} AtMidiParser;

/* Reset the parser to its initial state. */
void at_midi_parser_init(AtMidiParser *p);
/* Feed one byte; when it completes a message, copy it to out (size in
 * *size) and return true. */
bool at_midi_parser_feed(AtMidiParser *p, uint8_t byte, uint8_t out[AT_MIDI_MAX_SIZE],
                         uint8_t *size);

#endif
