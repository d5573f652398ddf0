/* at-grab - connect two JACK ports the moment the connection can be made:
 * tries every half millisecond until both ports exist and JACK accepts the
 * connection (it refuses ports of a client that is not active yet). A
 * patchbay that is quick off the mark, for tests of what a tool does with
 * a connection made the instant it starts.
 *
 *   at-grab SOURCE DESTINATION [SECONDS]     exit 0 once connected */
#include "monotime.h"
#include <jack/jack.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void quiet(const char *msg)
{
    (void)msg; /* "cannot connect ports owned by inactive clients", expected */
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: at-grab SOURCE DESTINATION [SECONDS]\n");
        return 2;
    }
    double limit = argc == 4 ? atof(argv[3]) : 20.0;
    jack_set_error_function(quiet);
    jack_client_t *c = jack_client_open("at-grab", JackNoStartServer, NULL);
    if (!c) {
        fprintf(stderr, "at-grab: no JACK server\n");
        return 1;
    }
    double end = at_mono_now() + limit;
    int rc = 1;
    for (;;) {
        int r = jack_connect(c, argv[1], argv[2]);
        if (r == 0 || r == EEXIST) {
            rc = 0;
            break;
        }
        if (at_mono_now() > end) {
            fprintf(stderr, "at-grab: could not connect %s -> %s in %g s\n", argv[1], argv[2],
                    limit);
            break;
        }
        usleep(500);
    }
    jack_client_close(c);
    return rc;
}
