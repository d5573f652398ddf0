/* at-passthrough - the reference for "zero added latency": a minimal JACK
 * client that copies every MIDI event from midi_in to out at its input
 * offset, in the same process cycle. jack_midi_latency_test through it
 * measures the floor a router can reach (one period, no jitter).
 *
 *   at-passthrough [-n NAME]     ports NAME:midi_in and NAME:out
 * Runs until SIGINT/SIGTERM. */
#include "tools/toolutil.h"
#include <jack/jack.h>
#include <jack/midiport.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static jack_port_t *in_port, *out_port;

static int process(jack_nframes_t nframes, void *arg)
{
    (void)arg;
    void *in = jack_port_get_buffer(in_port, nframes);
    void *out = jack_port_get_buffer(out_port, nframes);
    jack_midi_clear_buffer(out);
    uint32_t n = jack_midi_get_event_count(in);
    for (uint32_t i = 0; i < n; i++) {
        jack_midi_event_t e;
        if (jack_midi_event_get(&e, in, i) == 0)
            jack_midi_event_write(out, e.time, e.buffer, e.size);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *name = "passthrough";
    int c;
    while ((c = getopt(argc, argv, "n:h")) != -1) {
        if (c == 'n') {
            name = optarg;
        } else {
            fprintf(c == 'h' ? stdout : stderr, "usage: at-passthrough [-n NAME]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    jack_status_t st;
    jack_client_t *client = jack_client_open(name, JackNoStartServer, &st);
    if (!client) {
        fprintf(stderr, "at-passthrough: cannot connect to JACK (status 0x%x)\n", st);
        return 1;
    }
    in_port = jack_port_register(client, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    out_port = jack_port_register(client, "out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    if (!in_port || !out_port || jack_set_process_callback(client, process, NULL) != 0 ||
        jack_activate(client) != 0) {
        fprintf(stderr, "at-passthrough: cannot set up the JACK client\n");
        jack_client_close(client);
        return 1;
    }
    tt_catch_signals();
    while (!quit)
        usleep(50000);
    jack_deactivate(client);
    jack_client_close(client);
    return 0;
}
