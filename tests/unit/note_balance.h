/* note_balance.h - for unit tests of the MIDI sequencer cores: a running
 * note-on/note-off count per destination, channel and note over output
 * buffers flushed as JACK cycles would flush them. A note-off without its
 * note-on fails at once; note_balance_assert_zero checks nothing sounds. */
#ifndef AT_NOTE_BALANCE_H
#define AT_NOTE_BALANCE_H

#include "midi.h"

typedef int AtNoteBalance[16][128];

/* Count what bufs[0..n) hold into bal[0..n), then empty the buffers. */
static void note_balance_flush(AtNoteBalance *bal, AtMidiBuf *bufs, int n)
{
    for (int d = 0; d < n; d++) {
        for (size_t i = 0; i < bufs[d].count; i++) {
            const AtMidiEvent *e = &bufs[d].events[i];
            uint8_t t = e->data[0] & 0xF0, ch = e->data[0] & 0x0F;
            if (t == 0x90)
                bal[d][ch][e->data[1]]++;
            else if (t == 0x80)
                assert_true(--bal[d][ch][e->data[1]] >= 0);
        }
        at_midi_buf_clear(&bufs[d]);
    }
}

static void note_balance_assert_zero(AtNoteBalance *bal, int n)
{
    for (int d = 0; d < n; d++)
        for (int c = 0; c < 16; c++)
            for (int k = 0; k < 128; k++)
                assert_int_equal(bal[d][c][k], 0);
}

#endif
