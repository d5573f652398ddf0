/* seq_fuzz.h - the part the sequencer fuzz targets (fuzz_mothergen,
 * fuzz_circuits) share: feed a core the input bytes as events, either as a
 * MIDI byte stream (through the running-status parser) or raw, possibly
 * malformed, events; flush small output buffers every few events (as JACK
 * cycles would), some full, to reach the dropped-event paths; then make
 * room and send STOP. Invariants checked (abort on failure): every output
 * byte is valid, a note-off never outnumbers its note-ons, and after STOP
 * every note is off. The caller checks its own core's state afterwards.
 *
 * A target includes this once and calls seq_fuzz_run with its core behind
 * the SeqFuzzCore callbacks. */
#ifndef AT_SEQ_FUZZ_H
#define AT_SEQ_FUZZ_H

#include "common/midi.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEQ_FUZZ_MAX_DESTS 8
#define SEQ_FUZZ_OUT_CAP 64

typedef struct {
    void *core;
    int n_dests;
    /* silence/set up the destinations in mask, as on a new connection */
    void (*setup)(void *core, unsigned mask, AtMidiBuf *const out[]);
    /* one input event */
    void (*event)(void *core, const AtMidiEvent *e, AtMidiBuf *const out[]);
} SeqFuzzCore;

/* The two callbacks for a core whose functions are SETUP(core, mask, 0,
 * out) (silence the destinations in mask) and EVENT(core, e, out), as
 * circuits' and mothergen's are: seq_fuzz_setup and seq_fuzz_event. */
#define SEQ_FUZZ_CALLBACKS(SETUP, EVENT)                                                           \
    static void seq_fuzz_setup(void *core, unsigned mask, AtMidiBuf *const out[])                  \
    {                                                                                              \
        SETUP(core, mask, 0, out);                                                                 \
    }                                                                                              \
    static void seq_fuzz_event(void *core, const AtMidiEvent *e, AtMidiBuf *const out[])           \
    {                                                                                              \
        EVENT(core, e, out);                                                                       \
    }

static int seq_fuzz_balance[SEQ_FUZZ_MAX_DESTS][16][128];

static void seq_fuzz_check_and_flush(AtMidiBuf *bufs, int nbuf)
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
                seq_fuzz_balance[d][ch][e->data[1]]++;
            else if (t == 0x80 && --seq_fuzz_balance[d][ch][e->data[1]] < 0)
                abort();
        }
        at_midi_buf_clear(&bufs[d]);
    }
}

/* flags: bit 3 = all destinations share one port, bit 4 = raw events,
 * bit 5 = tiny output buffers. setup_mask: destinations to set up first.
 * data[first..] are the events. */
static void seq_fuzz_run(const SeqFuzzCore *c, uint8_t flags, unsigned setup_mask,
                         const uint8_t *data, size_t size, size_t first)
{
    memset(seq_fuzz_balance, 0, sizeof seq_fuzz_balance);
    bool shared = flags & 8, raw = flags & 16;
    int cap = (flags & 32) ? 4 : SEQ_FUZZ_OUT_CAP;
    static AtMidiEvent store[SEQ_FUZZ_MAX_DESTS][SEQ_FUZZ_OUT_CAP * 4];
    AtMidiBuf bufs[SEQ_FUZZ_MAX_DESTS];
    AtMidiBuf *out[SEQ_FUZZ_MAX_DESTS];
    if (c->n_dests < 1 || c->n_dests > SEQ_FUZZ_MAX_DESTS)
        abort();
    for (int d = 0; d < c->n_dests; d++) {
        at_midi_buf_init(&bufs[d], store[d], (size_t)cap);
        out[d] = shared ? &bufs[0] : &bufs[d];
    }
    int nbuf = shared ? 1 : c->n_dests;
    c->setup(c->core, setup_mask, out);
    seq_fuzz_check_and_flush(bufs, nbuf);
    AtMidiParser parser;
    at_midi_parser_init(&parser);
    uint32_t frame = 0;
    size_t events = 0;
    for (size_t i = first; i < size;) {
        AtMidiEvent ev = {.frame = frame};
        if (raw) {
            ev.size = data[i++] & 3;
            for (int j = 0; j < 3 && i < size; j++)
                ev.data[j] = data[i++];
        } else {
            if (!at_midi_parser_feed(&parser, data[i++], ev.data, &ev.size))
                continue;
        }
        c->event(c->core, &ev, out);
        if (++events % 8 == 0) {
            seq_fuzz_check_and_flush(bufs, nbuf);
            frame = 0;
        } else {
            frame += ev.data[0] & 7;
        }
    }
    seq_fuzz_check_and_flush(bufs, nbuf);
    /* Room again, then STOP: nothing may stay sounding. */
    for (int d = 0; d < c->n_dests; d++)
        bufs[d].capacity = SEQ_FUZZ_OUT_CAP * 4;
    AtMidiEvent stop = {0, 1, {AT_MIDI_STOP, 0, 0}};
    c->event(c->core, &stop, out);
    seq_fuzz_check_and_flush(bufs, nbuf);
    for (int d = 0; d < nbuf; d++)
        for (int ch = 0; ch < 16; ch++)
            for (int n = 0; n < 128; n++)
                if (seq_fuzz_balance[d][ch][n] != 0)
                    abort();
}

#endif
