/* fuzz_redblue.c - libFuzzer target for the redblue core's event handler.
 * The first bytes pick a configuration (modes, portamento, shared port,
 * channels); the rest is a sequence of cycles, each with a length and
 * events that are either a MIDI byte stream (through the running-status
 * parser) or raw, possibly malformed, events with arbitrary offsets, plus
 * live parameter changes and silencing. Invariants (abort on failure):
 * every output byte is valid, offsets are inside the cycle and in frame
 * order per buffer, and once every key still down is released nothing
 * sounds. */
#include "clients/redblue/redblue.h"

#include <stdlib.h>
#include <string.h>

#define CAP 4096
#define MAX_IN 256

static AtMidiEvent store[2][CAP];
static bool sounding[2][16][128];
static bool keys[128];

static void check(const AtMidiBuf *b, int which, uint32_t nframes)
{
    uint32_t last = 0;
    for (size_t i = 0; i < b->count; i++) {
        const AtMidiEvent *e = &b->events[i];
        if (e->size < 1 || e->size > 3 || e->data[0] < 0x80 || e->frame >= nframes ||
            e->frame < last)
            abort();
        last = e->frame;
        for (int j = 1; j < e->size; j++)
            if (e->data[j] & 0x80)
                abort();
        uint8_t t = e->data[0] & 0xF0, ch = e->data[0] & 0x0F;
        if (t == 0x90 && e->data[2])
            sounding[which][ch][e->data[1]] = true;
        else if (t == 0x80 || t == 0x90)
            sounding[which][ch][e->data[1]] = false;
        else if (t == 0xB0 && e->data[1] == 123)
            memset(sounding[which][ch], 0, sizeof sounding[which][ch]);
    }
}

/* Track which input keys are down (channel 1 note messages). */
static void track(const AtMidiEvent *e)
{
    if (e->size < 3 || e->data[0] >= 0xF0 || (e->data[0] & 0x0F) || e->data[1] >= 0x80)
        return;
    uint8_t t = e->data[0] & 0xF0;
    if (e->data[2] >= 0x80)
        return;
    if (t == 0x90 && e->data[2])
        keys[e->data[1]] = true;
    else if (t == 0x80 || t == 0x90)
        keys[e->data[1]] = false;
}

static void run_cycle(Rb *rb, AtMidiBuf *out[2], bool shared, const AtMidiEvent *in, size_t n,
                      uint32_t nframes)
{
    at_midi_buf_clear(out[0]);
    at_midi_buf_clear(out[1]);
    RbReport rep;
    rb_process(rb, in, n, nframes, out, &rep);
    check(out[0], 0, nframes);
    if (!shared)
        check(out[1], 1, nframes);
    for (size_t i = 0; i < n; i++)
        track(&in[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 6)
        return 0;
    RbConfig cfg;
    rb_config_default(&cfg, 8000 + 8000u * (data[0] & 7));
    cfg.mode = (RbMode)(data[1] % 3);
    cfg.portamento = (RbPorta)((data[1] >> 2) % 4);
    cfg.start_stop = data[1] & 0x40;
    cfg.pass_clock = data[1] & 0x80;
    cfg.dest[RB_RED].channel = data[2] & 15;
    cfg.dest[RB_BLUE].channel = data[2] >> 4;
    cfg.dest[RB_RED].mod_wheel = data[3] & 1;
    cfg.dest[RB_BLUE].mod_wheel = data[3] & 2;
    cfg.dest[RB_RED].expression_pedal = data[3] & 4;
    cfg.dest[RB_BLUE].expression_pedal = data[3] & 8;
    bool shared = data[3] & 16;
    cfg.accent_volume = 1 + data[4] % 127;
    cfg.expression_min = data[5] & 127;
    cfg.expression_max = (data[5] * 7) & 127;
    Rb *rb = rb_new(&cfg);
    if (!rb)
        abort();
    AtMidiBuf bufs[2];
    at_midi_buf_init(&bufs[0], store[0], CAP);
    at_midi_buf_init(&bufs[1], store[1], CAP);
    AtMidiBuf *out[2] = {&bufs[0], shared ? &bufs[0] : &bufs[1]};
    memset(sounding, 0, sizeof sounding);
    memset(keys, 0, sizeof keys);

    AtMidiEvent in[MAX_IN];
    AtMidiParser parser;
    at_midi_parser_init(&parser);
    size_t pos = 6;
    while (pos + 2 <= size) {
        uint8_t head = data[pos++];
        uint32_t nframes = 1 + (uint32_t)data[pos++] * 4;
        size_t n = 0;
        size_t len = head & 63;
        if (head & 0x40) { /* a byte stream through the parser */
            for (size_t k = 0; k < len && pos < size && n < MAX_IN; k++) {
                uint8_t msg[AT_MIDI_MAX_SIZE], msize;
                if (at_midi_parser_feed(&parser, data[pos++], msg, &msize)) {
                    in[n] =
                        (AtMidiEvent){.frame = (uint32_t)(k * nframes / (len + 1)), .size = msize};
                    memcpy(in[n].data, msg, msize);
                    n++;
                }
            }
        } else { /* raw events: offset, size, bytes (offsets may be wild) */
            for (size_t k = 0; k < len && pos + 4 <= size && n < MAX_IN; k++) {
                in[n].frame = data[pos] * 3u;
                in[n].size = data[pos + 1] & 3;
                in[n].data[0] = data[pos + 2] | (data[pos + 1] & 4 ? 0 : 0x80);
                in[n].data[1] = data[pos + 3] & (data[pos + 1] & 8 ? 0xFF : 0x7F);
                in[n].data[2] = data[pos + 1] & 0xF0 ? (uint8_t)(data[pos + 1] >> 1) : 0;
                pos += 4;
                n++;
            }
        }
        if (head & 0x80) { /* a live change or a silence between cycles */
            uint8_t what = pos < size ? data[pos++] : 0;
            if (what & 0x80) {
                at_midi_buf_clear(out[0]);
                at_midi_buf_clear(out[1]);
                rb_silence(rb, what & 3, 0, out);
                check(out[0], 0, 1);
                if (!shared)
                    check(out[1], 1, 1);
            } else if ((what & 0x60) == 0x60) {
                rb_skip(rb, what * 37u); /* an xrun */
            } else {
                rb_set(rb, (RbSetting)(what % 12), what >> 2);
            }
        }
        run_cycle(rb, out, shared, in, n, nframes);
    }
    /* Release every key still down: nothing may be left sounding. */
    size_t n = 0;
    for (int k = 0; k < 128; k++)
        if (keys[k])
            in[n++] = (AtMidiEvent){.frame = 0, .size = 3, .data = {0x80, (uint8_t)k, 0}};
    run_cycle(rb, out, shared, in, n, 64);
    for (int w = 0; w < 2; w++)
        for (int c = 0; c < 16; c++)
            for (int k = 0; k < 128; k++)
                if (sounding[w][c][k])
                    abort();
    rb_free(rb);
    return 0;
}
