/* at-waitport - wait until a JACK port exists, or two ports are connected,
 * with one client for the whole wait.
 *   at-waitport [-t SECONDS] PORT            exit 0 once PORT exists
 *   at-waitport [-t SECONDS] PORT OTHER      exit 0 once PORT is connected to OTHER
 * Exit 1 when it does not happen within SECONDS (default 10), 2 on bad
 * usage. The whole run, a wedged server included, ends by SECONDS + 5.
 *
 * Why not jack_lsp in a loop: every jack_lsp opens and closes a client,
 * and a client that closes while another one opens can leave that one
 * with a stale wake-up entry in libjack 1.9.21, so the graph stops (see
 * docs/sessions.md, "When JACK itself wedges"). Polling twenty times a
 * second while a tool opens its client is the way to hit that; this tool
 * opens once, polls inside, and closes once the tool's port is there,
 * which is after the tool's own open has returned. */
#include "monotime.h"
#include "tools/toolutil.h"
#include <jack/jack.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: at-waitport [-t SECONDS] PORT [OTHER_PORT]\n");
}

static void quiet(const char *msg)
{
    (void)msg;
}

/* Is the wait over: the port there, or (with other) connected to it? */
static bool found(jack_client_t *c, const char *port, const char *other)
{
    jack_port_t *p = jack_port_by_name(c, port);
    if (!p)
        return false;
    return !other || jack_port_connected_to(p, other);
}

int main(int argc, char **argv)
{
    double secs = 10;
    int opt;
    while ((opt = getopt(argc, argv, "t:h")) != -1) {
        if (opt == 't')
            secs = atof(optarg);
        else
            return tt_usage_exit(usage, opt);
    }
    if (optind >= argc || argc - optind > 2 || secs <= 0)
        return tt_usage_exit(usage, '?');
    const char *port = argv[optind], *other = argc - optind == 2 ? argv[optind + 1] : NULL;
    alarm((unsigned)secs + 5);
    jack_set_error_function(quiet);
    jack_set_info_function(quiet);
    double end = at_mono_now() + secs;
    jack_client_t *c = NULL;
    /* The server may not be up yet: try again until the time is over. */
    while (!c && at_mono_now() < end) {
        jack_status_t st;
        c = jack_client_open("waitport", JackNoStartServer, &st);
        if (!c)
            usleep(100000);
    }
    if (!c) {
        fprintf(stderr, "at-waitport: no JACK server answered within %g s\n", secs);
        return 1;
    }
    bool ok = found(c, port, other);
    while (!ok && at_mono_now() < end) {
        usleep(20000);
        ok = found(c, port, other);
    }
    jack_client_close(c);
    if (!ok) {
        if (other)
            fprintf(stderr, "at-waitport: %s is not connected to %s within %g s\n", port, other,
                    secs);
        else
            fprintf(stderr, "at-waitport: port %s did not appear within %g s\n", port, secs);
    }
    return ok ? 0 : 1;
}
