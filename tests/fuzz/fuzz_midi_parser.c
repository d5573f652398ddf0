/* Fuzz the running-status MIDI byte parser and the event list: any byte
 * stream must give only well-formed messages (a status byte first, data
 * bytes below 0x80, the size the status calls for). */
#include "midi.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    AtMidiParser p;
    at_midi_parser_init(&p);
    AtMidiEvent store[64];
    AtMidiBuf buf;
    at_midi_buf_init(&buf, store, 64);
    for (size_t i = 0; i < size; i++) {
        uint8_t msg[AT_MIDI_MAX_SIZE], n;
        if (!at_midi_parser_feed(&p, data[i], msg, &n))
            continue;
        if (n == 0 || n > AT_MIDI_MAX_SIZE || !(msg[0] & 0x80))
            abort();
        if (at_midi_message_size(msg[0]) != n)
            abort();
        for (int k = 1; k < n; k++)
            if (msg[k] & 0x80)
                abort();
        at_midi_buf_add(&buf, (uint32_t)(data[i] * 7u) % 256u, msg, n);
        (void)at_midi_is_note_on(msg, n);
        (void)at_midi_is_note_off(msg, n);
    }
    at_midi_buf_sort(&buf);
    for (size_t i = 1; i < buf.count; i++)
        if (buf.events[i - 1].frame > buf.events[i].frame)
            abort();
    /* note names round-trip */
    if (size > 0 && size < 12) {
        char name[16];
        for (size_t i = 0; i < size; i++)
            name[i] = (char)data[i];
        name[size] = 0;
        int note = at_midi_note_from_name(name);
        if (note < -1 || note > 127)
            abort();
        char back[8];
        if (note >= 0 && at_midi_note_from_name(at_midi_note_name(note, back, sizeof back)) != note)
            abort();
    }
    return 0;
}
