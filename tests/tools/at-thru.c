/* at-thru - the smallest tool built on common/app: MIDI in -> MIDI out at
 * the same frame offset, with a live transpose. Tests the shared shell
 * (options, config, OSC, NSM, connect-by-name, metadata) without any
 * particular tool's rules. */
#include "app.h"

#include <stdlib.h>

typedef struct {
    int in, out;
    int transpose;
    int channel; /* 0 = all */
} Thru;

enum { P_TRANSPOSE, P_CHANNEL, P_GAIN, P_MODE, P_PANIC, P_CONNECT_IN, P_CONNECT_OUT };

static const AtParamDef params[] = {
    [P_TRANSPOSE] = AT_INT("thru.transpose", -24, 24, 0, "semitones added to every note",
                           .osc = "transpose", .flags = AT_PARAM_LIVE, .unit = "semitones"),
    [P_CHANNEL] =
        AT_INT("thru.channel", 0, 16, 0, "only pass this channel (0 = all)", .osc = "channel"),
    [P_GAIN] =
        AT_FLOAT("thru.gain", 0, 2, 1, "a float to test", .osc = "gain", .flags = AT_PARAM_LIVE),
    [P_MODE] = AT_ENUM("thru.mode", ("plain", "fancy"), 0, "an enum to test", .osc = "mode",
                       .flags = AT_PARAM_LIVE),
    [P_PANIC] = AT_ACTION_PARAM("panic", "send all notes off"),
    [P_CONNECT_IN] = AT_CONNECT_PARAM("thru.connect", "ports to take MIDI from"),
    [P_CONNECT_OUT] = AT_CONNECT_PARAM("out.connect", "ports to send MIDI to"),
};

static AtStatus setup(AtApp *app, void **core, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    Thru *t = calloc(1, sizeof *t);
    if (!t)
        return AT_ERR_RUNTIME;
    t->transpose = at_params_int(at_app_params(app), "thru.transpose");
    t->channel = at_params_int(at_app_params(app), "thru.channel");
    t->in = at_app_add_port(app, "midi_in", AT_PORT_MIDI_IN, "MIDI In", NULL, "thru.connect");
    t->out = at_app_add_port(app, "midi_out", AT_PORT_MIDI_OUT, "MIDI Out", NULL, "out.connect");
    *core = t;
    return AT_OK;
}

static void teardown(void *core)
{
    free(core);
}

static void process(void *core, AtCycle *c)
{
    Thru *t = core;
    AtMidiBuf *in = c->midi[t->in], *out = c->midi[t->out];
    for (size_t i = 0; i < in->count; i++) {
        AtMidiEvent e = in->events[i];
        if (t->channel && at_midi_is_channel_message(e.data[0]) &&
            at_midi_channel(e.data) != t->channel - 1)
            continue;
        uint8_t type = at_midi_type(e.data);
        if (type == AT_MIDI_NOTE_ON || type == AT_MIDI_NOTE_OFF) {
            int n = e.data[1] + t->transpose;
            if (n < 0 || n > 127)
                continue;
            e.data[1] = (uint8_t)n;
        }
        at_midi_buf_add(out, e.frame, e.data, e.size);
    }
}

static void param(void *core, AtParamMsg *m, AtCycle *c)
{
    Thru *t = core;
    if (m->index == P_TRANSPOSE)
        t->transpose = m->i;
    else if (m->index == P_PANIC)
        at_midi_buf_add3(c->midi[t->out], 0, 3, 0xB0, 123, 0);
}

static void connected(void *core, int handle, AtCycle *c)
{
    Thru *t = core;
    if (handle == t->out)
        at_midi_buf_add3(c->midi[t->out], 0, 3, 0xB0, 123, 0);
}

AT_TOOL(thru, params, "MIDI thru with transpose (a test tool for the shared shell)",
        .connected = connected);
