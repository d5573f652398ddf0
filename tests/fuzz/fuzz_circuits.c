/* fuzz_circuits.c - libFuzzer target for the circuits core's event
 * handler. The first bytes pick a configuration; the rest is either a MIDI
 * byte stream (through the running-status parser) or raw, possibly
 * malformed, events. Small output buffers are flushed every few events
 * (as JACK cycles would), some full, to reach the dropped-event paths.
 * Invariants checked (abort on failure): every output byte is valid, a
 * note-off never outnumbers its note-ons, and after STOP nothing sounds. */
#include "clients/circuits/circuits.h"

#include <stdlib.h>
#include <string.h>

#define OUT_CAP 64

static int balance[CI_DEST_COUNT][16][128];

static void check_and_flush(AtMidiBuf *bufs, int nbuf)
{
    for (int d = 0; d < nbuf; d++) {
        for (size_t i = 0; i < bufs[d].count; i++) {
            const AtMidiEvent *e = &bufs[d].events[i];
            if (e->size < 1 || e->size > 3 || e->data[0] < 0x80)
                abort();
            for (int j = 1; j < e->size; j++)
                if (e->data[j] & 0x80)
                    abort();
            uint8_t t = e->data[0] & 0xF0, ch = e->data[0] & 0x0F;
            if (t == 0x90 && e->data[2])
                balance[d][ch][e->data[1]]++;
            else if (t == 0x80 && --balance[d][ch][e->data[1]] < 0)
                abort();
        }
        at_midi_buf_clear(&bufs[d]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    memset(balance, 0, sizeof balance);
    CiConfig cfg = {
        .drum_channel = data[1] & 15,
        .bass_channel = data[2] & 15,
        .key_channel = data[3] & 15,
        .key_note = data[4] & 0x7F,
        .seed = (uint64_t)data[5] << 8 | data[6],
    };
    bool shared = data[0] & 8, raw = data[0] & 16;
    int cap = (data[0] & 32) ? 4 : OUT_CAP;
    Ci ci;
    ci_init(&ci, &cfg);
    static AtMidiEvent store[CI_DEST_COUNT][OUT_CAP * 4];
    AtMidiBuf bufs[CI_DEST_COUNT];
    AtMidiBuf *out[CI_DEST_COUNT];
    for (int d = 0; d < CI_DEST_COUNT; d++) {
        at_midi_buf_init(&bufs[d], store[d], (size_t)cap);
        out[d] = shared ? &bufs[0] : &bufs[d];
    }
    int nbuf = shared ? 1 : CI_DEST_COUNT;
    ci_setup_dests(&ci, data[7] & 3, 0, out);
    check_and_flush(bufs, nbuf);
    AtMidiParser parser;
    at_midi_parser_init(&parser);
    uint32_t frame = 0;
    size_t events = 0;
    for (size_t i = 8; i < size;) {
        AtMidiEvent ev = {.frame = frame};
        if (raw) {
            ev.size = data[i++] & 3;
            for (int j = 0; j < 3 && i < size; j++)
                ev.data[j] = data[i++];
        } else {
            if (!at_midi_parser_feed(&parser, data[i++], ev.data, &ev.size))
                continue;
        }
        ci_event(&ci, &ev, out);
        if (++events % 8 == 0) {
            check_and_flush(bufs, nbuf);
            frame = 0;
        } else {
            frame += ev.data[0] & 7;
        }
    }
    check_and_flush(bufs, nbuf);
    /* Room again, then STOP: nothing may stay sounding. */
    for (int d = 0; d < CI_DEST_COUNT; d++)
        bufs[d].capacity = OUT_CAP * 4;
    AtMidiEvent stop = {0, 1, {AT_MIDI_STOP, 0, 0}};
    ci_event(&ci, &stop, out);
    check_and_flush(bufs, nbuf);
    for (int t = 0; t < CI_TRACKS; t++)
        if (ci.track[t].sounding >= 0)
            abort();
    for (int d = 0; d < nbuf; d++)
        for (int c = 0; c < 16; c++)
            for (int n = 0; n < 128; n++)
                if (balance[d][c][n] != 0)
                    abort();
    return 0;
}
