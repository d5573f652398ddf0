/* fuzz_clock.c - libFuzzer target for the clock core's event handler.
 * The first bytes pick a configuration; the rest is a sequence of cycles
 * with a length, raw (possibly malformed) input events, commands, tempo and
 * source changes and a transport state. Invariants (abort on failure):
 * only single realtime bytes and well-formed Song Position Pointers come
 * out, offsets are inside the cycle and in frame order, no two pulses of
 * the internal clock are closer than the period allows, and the tempo
 * stays in range. */
#include "clients/clock/clock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CAP 4096
#define MAX_IN 128

static AtMidiEvent store[CAP];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    CkConfig cfg;
    ck_config_default(&cfg, 8000 + 8000u * (data[0] & 7));
    cfg.bpm = CK_BPM_MIN + (CK_BPM_MAX - CK_BPM_MIN) * data[1] / 255.0;
    cfg.source = (CkSource)(data[2] % 3);
    cfg.follow_input = data[2] & 4;
    Ck *ck = ck_new(&cfg);
    if (!ck)
        abort();
    AtMidiBuf out;
    at_midi_buf_init(&out, store, CAP);
    CkTransport t = {0};
    uint64_t now = 0, last_pulse = 0;
    bool any_pulse = false;
    AtMidiEvent in[MAX_IN];
    size_t pos = 4;
    while (pos + 2 <= size) {
        uint8_t head = data[pos++];
        uint32_t nframes = 1 + (uint32_t)data[pos++] * 8;
        size_t n = 0;
        for (size_t k = 0; k < (head & 15u) && pos + 3 <= size && n < MAX_IN; k++) {
            in[n].frame = data[pos] * 5u;
            in[n].size = data[pos + 1] & 3;
            in[n].data[0] = data[pos + 2];
            in[n].data[1] = data[pos + 1];
            in[n].data[2] = data[pos];
            pos += 3;
            n++;
        }
        CkSource src = cfg.source;
        if ((head & 0x10) && pos < size)
            ck_command(ck, (CkCommand)(data[pos++] % 3));
        if ((head & 0x20) && pos < size) {
            ck_set_bpm(ck, data[pos] == 255 ? NAN : data[pos] * 2.0);
            pos++;
        }
        if ((head & 0x40) && pos < size) {
            src = (CkSource)(data[pos++] % 3);
            ck_set_source(ck, src);
            cfg.source = src;
        }
        /* Input, commands and changes may restart the pulse grid anywhere
         * in this cycle: its pulses are not checked against each other. */
        bool steady = n == 0 && !(head & 0x70);
        if ((head & 15) == 15) { /* an xrun: frames skipped */
            ck_skip(ck, nframes * 3);
            now += nframes * 3;
            steady = false;
            any_pulse = false;
        }
        if ((head & 0x80) && pos + 2 <= size) {
            t.rolling = data[pos] & 1;
            t.bbt_valid = data[pos] & 2;
            t.bpm = data[pos + 1];
            t.beats = data[pos] * 0.37;
            t.frame = (uint64_t)data[pos + 1] * 1000;
            pos += 2;
        } else if (t.rolling) {
            t.frame += nframes;
            t.beats += nframes / 24000.0;
        }
        at_midi_buf_clear(&out);
        CkReport rep;
        ck_process(ck, in, n, nframes, &t, &out, &rep);
        uint32_t last = 0;
        for (size_t i = 0; i < out.count; i++) {
            const AtMidiEvent *e = &out.events[i];
            bool spp = e->size == 3 && e->data[0] == AT_MIDI_SONG_POSITION && e->data[1] < 0x80 &&
                       e->data[2] < 0x80;
            if ((!spp && (e->size != 1 || e->data[0] < 0xF8)) || e->frame >= nframes ||
                e->frame < last)
                abort();
            last = e->frame;
            if (e->data[0] != AT_MIDI_CLOCK)
                continue;
            uint64_t abs = now + e->frame;
            /* Internal pulses on an undisturbed grid never come closer than
             * one period (minus the whole-frame rounding). */
            if (steady && any_pulse && src == CK_SOURCE_INTERNAL &&
                (double)(abs - last_pulse) < ck_frames_per_pulse(ck) - 1.0)
                abort();
            last_pulse = abs;
            any_pulse = true;
        }
        if (!steady) /* nor the first pulse after it: the grid may glide to a new tempo */
            any_pulse = false;
        if (!(ck_bpm(ck) >= CK_BPM_MIN && ck_bpm(ck) <= CK_BPM_MAX))
            abort();
        now += nframes;
    }
    at_midi_buf_clear(&out);
    ck_shutdown(ck, 0, &out);
    if (out.count > 1 || ck_running(ck))
        abort();
    ck_free(ck);
    return 0;
}
