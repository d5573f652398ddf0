/* at-nsm-client - a third-party NSM client, written only against liblo
 * and libjack (none of aiotone's common code), to check that
 * aiotone-session drives NSM clients it did not write. It announces,
 * waits for /nsm/client/open, opens a JACK client named by the client id
 * with a MIDI pass-through (midi_in -> midi_out), keeps its state in
 * PATH.txt (a line "count N", incremented at each save), and exits on
 * SIGTERM. Each argument adds a MIDI output port of that name (silent), so
 * a test can imitate a bridge's ports (e.g. a2jmidid's
 * "Keyboard [20] (capture): Keyboard MIDI 1" under client id "a2j"). */
#include "tools/toolutil.h"
#include <jack/jack.h>
#include <jack/midiport.h>
#include <lo/lo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static jack_client_t *jc;
static jack_port_t *in, *out;
static lo_address server;
static lo_server srv;
static char state_file[4200];
static int count;
static char **extra;
static int n_extra;
static jack_port_t *extra_ports[8];

static int process(jack_nframes_t n, void *arg)
{
    (void)arg;
    void *ib = jack_port_get_buffer(in, n), *ob = jack_port_get_buffer(out, n);
    jack_midi_clear_buffer(ob);
    for (int k = 0; k < n_extra; k++)
        if (extra_ports[k])
            jack_midi_clear_buffer(jack_port_get_buffer(extra_ports[k], n));
    for (uint32_t i = 0; i < jack_midi_get_event_count(ib); i++) {
        jack_midi_event_t e;
        if (jack_midi_event_get(&e, ib, i) == 0)
            jack_midi_event_write(ob, e.time, e.buffer, e.size);
    }
    return 0;
}

static int on_open(const char *path, const char *types, lo_arg **argv, int argc, lo_message m,
                   void *user)
{
    (void)path, (void)types, (void)argc, (void)m, (void)user;
    /* strings read through char pointers: OSC args are only 4-byte aligned */
    const char *where = (const char *)argv[0], *id = (const char *)argv[2];
    snprintf(state_file, sizeof state_file, "%s.txt", where);
    FILE *f = fopen(state_file, "r");
    if (f) {
        if (fscanf(f, "count %d", &count) != 1)
            count = 0;
        fclose(f);
        fprintf(stderr, "at-nsm-client: loaded count %d from %s\n", count, state_file);
    }
    jack_status_t st;
    if (!jc) {
        jc = jack_client_open(id, JackNoStartServer | JackUseExactName, &st);
        if (!jc) {
            lo_send_from(server, srv, LO_TT_IMMEDIATE, "/error", "sis", "/nsm/client/open", -1,
                         "cannot open a JACK client");
            return 0;
        }
        in = jack_port_register(jc, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
        out = jack_port_register(jc, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
        for (int k = 0; k < n_extra; k++)
            extra_ports[k] =
                jack_port_register(jc, extra[k], JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
        jack_set_process_callback(jc, process, NULL);
        jack_activate(jc);
    }
    lo_send_from(server, srv, LO_TT_IMMEDIATE, "/reply", "ss", "/nsm/client/open", "ready");
    return 0;
}

static int on_save(const char *path, const char *types, lo_arg **argv, int argc, lo_message m,
                   void *user)
{
    (void)path, (void)types, (void)argv, (void)argc, (void)m, (void)user;
    FILE *f = fopen(state_file, "w");
    if (!f) {
        lo_send_from(server, srv, LO_TT_IMMEDIATE, "/error", "sis", "/nsm/client/save", -1,
                     "cannot write");
        return 0;
    }
    fprintf(f, "count %d\n", ++count);
    fclose(f);
    lo_send_from(server, srv, LO_TT_IMMEDIATE, "/reply", "ss", "/nsm/client/save", "saved");
    return 0;
}

int main(int argc, char **argv)
{
    extra = argv + 1;
    n_extra = argc - 1 > 8 ? 8 : argc - 1;
    const char *url = getenv("NSM_URL");
    if (!url) {
        fprintf(stderr, "at-nsm-client: NSM_URL is not set; I only run under NSM\n");
        return 1;
    }
    tt_catch_signals();
    server = lo_address_new_from_url(url);
    srv = lo_server_new(NULL, NULL);
    if (!server || !srv)
        return 1;
    lo_server_add_method(srv, "/nsm/client/open", "sss", on_open, NULL);
    lo_server_add_method(srv, "/nsm/client/save", "", on_save, NULL);
    lo_send_from(server, srv, LO_TT_IMMEDIATE, "/nsm/server/announce", "sssiii", "at-nsm-client",
                 ":dirty:", argv[0], 1, 1, (int)getpid());
    while (!quit)
        lo_server_recv_noblock(srv, 50);
    if (jc)
        jack_client_close(jc);
    lo_server_free(srv);
    lo_address_free(server);
    return 0;
}
