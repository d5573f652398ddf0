/* at-ports - a JACK client that only owns MIDI ports with the names given,
 * to stand in for bridges (a2jmidid's long names) and hardware in tests.
 *   at-ports -n CLIENT [-o OUTPUT_NAME]... [-i INPUT_NAME]... [-a ALIAS]...
 * Runs until SIGTERM/SIGINT. -a adds an alias to the last port named. */
#include "tools/toolutil.h"
#include <jack/jack.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Like a real bridge, it runs in every cycle: a client without a process
 * callback that feeds another one makes JACK2 report that one late in
 * every other cycle (measured: ~100 xruns a second). */
static int process(jack_nframes_t nframes, void *arg)
{
    (void)nframes;
    (void)arg;
    return 0;
}

int main(int argc, char **argv)
{
    const char *name = "ports";
    for (int i = 1; i + 1 < argc; i += 2)
        if (!strcmp(argv[i], "-n"))
            name = argv[i + 1];
    jack_status_t st;
    jack_client_t *c = jack_client_open(name, JackNoStartServer, &st);
    if (!c) {
        fprintf(stderr, "at-ports: cannot open JACK client (0x%x)\n", st);
        return 1;
    }
    jack_port_t *last = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *opt = argv[i], *val = argv[i + 1];
        if (!strcmp(opt, "-o") || !strcmp(opt, "-i")) {
            unsigned long flags = !strcmp(opt, "-o") ? JackPortIsOutput : JackPortIsInput;
            last = jack_port_register(c, val, JACK_DEFAULT_MIDI_TYPE, flags, 0);
            if (!last) {
                fprintf(stderr, "at-ports: cannot register '%s'\n", val);
                return 1;
            }
        } else if (!strcmp(opt, "-a") && last) {
            jack_port_set_alias(last, val);
        } else if (strcmp(opt, "-n")) {
            fprintf(stderr, "usage: at-ports -n CLIENT [-o NAME]... [-i NAME]... [-a ALIAS]\n");
            return 2;
        }
    }
    tt_catch_signals();
    jack_set_process_callback(c, process, NULL);
    if (jack_activate(c) != 0)
        return 1;
    printf("ready\n");
    fflush(stdout);
    while (!quit)
        usleep(20000);
    jack_client_close(c);
    return 0;
}
