/* agent.c - `aiotone-session agent`: the remote end of a multi-host
 * session (docs/sessions.md "Studios across machines").
 *
 * It listens for OSC over UDP on the address it is given. Every message
 * must come from an address on its allow-list and carry the shared secret
 * as its first argument; anything else is logged and does nothing. The
 * master sends the session file and this host's name, then asks it to
 * join (start a NetJACK2 slave, `jackd -d net`, with the host's settings)
 * and to start clients. Only a client that the session names with
 * host = this host is ever started, by the same rules as local ones: a
 * bare program name, resolved next to aiotone-session or on PATH.
 *
 * This file: the command line, opening and closing, and the loop; the
 * master's commands are in agentcmd.c, the processes in agentproc.c
 * (agent_int.h). */
#include "agent.h"
#include "agent_int.h"
#include "fileio.h"

#include "log.h"
#include "sigpipe.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define AG_MAX_ALLOW 16

static void agent_usage(FILE *f)
{
    fprintf(f, "usage: aiotone-session agent --listen ADDR:PORT --secret-file FILE\n"
               "                             [--allow NET]... [--dir DIR] [--server NAME]\n"
               "Serve a multi-host session's master: start a NetJACK2 slave and the clients\n"
               "the session puts on this host. Only senders on --allow (address or a.b.c.d/nn;\n"
               "loopback always) that know the secret (first line of FILE) are obeyed.\n"
               "See docs/sessions.md, \"Studios across machines\".\n");
}

static bool read_secret(const char *path, char *out, size_t outlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        at_error("agent: --secret-file %s: %s", path, strerror(errno));
        return false;
    }
    bool ok = fgets(out, (int)outlen, f) != NULL;
    fclose(f);
    out[ok ? strcspn(out, "\r\n") : 0] = 0;
    if (!ok || !ss_valid_secret(out)) {
        at_error("agent: --secret-file %s: the first line must be the session's secret (8..127 "
                 "printable characters, no space, quote or backslash)",
                 path);
        return false;
    }
    return true;
}

/* The command line. */
typedef struct {
    const char *listen, *secret_file, *allow[AG_MAX_ALLOW];
    int n_allow;
    char addr[64];
    int port;
} AgOptions;

/* Read argv into o and g (dir, server); -1 to go on, else an exit status. */
static int parse_options(int argc, char **argv, AgOptions *o, Agent *g)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            agent_usage(stdout);
            return 0;
        }
        if (!v) {
            at_error("agent: %s: unknown option or missing value", a);
            agent_usage(stderr);
            return 2;
        }
        i++;
        if (!strcmp(a, "--listen"))
            o->listen = v;
        else if (!strcmp(a, "--secret-file"))
            o->secret_file = v;
        else if (!strcmp(a, "--dir"))
            snprintf(g->dir, sizeof g->dir, "%s", v);
        else if (!strcmp(a, "--server"))
            snprintf(g->server, sizeof g->server, "%s", v);
        else if (!strcmp(a, "--allow") && o->n_allow == AG_MAX_ALLOW) {
            at_error("agent: --allow %s: at most %d --allow networks", v, AG_MAX_ALLOW);
            return 2;
        } else if (!strcmp(a, "--allow"))
            o->allow[o->n_allow++] = v;
        else {
            at_error("agent: %s: unknown option (--listen, --allow, --secret-file, --dir, "
                     "--server)",
                     a);
            return 2;
        }
    }
    const char *colon = o->listen ? strrchr(o->listen, ':') : NULL;
    o->port = colon ? atoi(colon + 1) : 0;
    if (!colon || o->port <= 0 || o->port > 65535 ||
        (size_t)(colon - o->listen) >= sizeof o->addr) {
        at_error("agent: --listen ADDR:PORT is required (e.g. 10.0.0.2:%d)", SS_AGENT_PORT);
        return 2;
    }
    snprintf(o->addr, sizeof o->addr, "%.*s", (int)(colon - o->listen), o->listen);
    if (!o->secret_file) {
        at_error("agent: --secret-file FILE is required (the secret of the session's host entry)");
        return 2;
    }
    return -1;
}

/* The secret, the state folder, the sockets and the signal pipe; -1 to
 * go on, else an exit status (nothing left open). */
static int agent_open(Agent *g, const AgOptions *o)
{
    if (!read_secret(o->secret_file, g->secret, sizeof g->secret))
        return 2;
    if (mkdir(g->dir, 0700) != 0 && errno != EEXIST) {
        at_error("agent: --dir %s: %s", g->dir, strerror(errno));
        return 1;
    }
    at_exe_dir(g->self_dir, sizeof g->self_dir);
    char real[PATH_MAX];
    if (realpath(g->dir, real))
        snprintf(g->dir, sizeof g->dir, "%s", real);
    char err[256];
    g->nsm = at_osc_open("127.0.0.1", 0, NULL, 0, ag_on_nsm, g, err, sizeof err);
    if (!g->nsm) {
        at_error("agent: cannot open the NSM socket on loopback: %s", err);
        return 1;
    }
    g->osc = at_osc_open(o->addr, o->port, o->allow, o->n_allow, ag_on_message, g, err, sizeof err);
    if (!g->osc) {
        at_error("agent: cannot listen on %s:%d: %s", o->addr, o->port, err);
        at_osc_close(g->nsm);
        return 1;
    }
    if (!at_sigpipe_open(0)) {
        at_error("agent: cannot create the signal pipe: %s", strerror(errno));
        at_osc_close(g->osc);
        at_osc_close(g->nsm);
        return 1;
    }
    at_info("agent: listening on %s:%d (%d allowed networks and loopback)", o->addr,
            at_osc_port(g->osc), o->n_allow);
    return -1;
}

/* Stop what the agent started, last client first, then the slave. */
static void agent_close(Agent *g)
{
    at_info("agent: stopping");
    if (g->jack)
        jack_client_close(g->jack);
    for (int k = SS_MAX_CLIENTS - 1; k >= 0; k--) {
        g->cl[k].want = false;
        ag_stop_pid(g->cl[k].pid);
    }
    ag_stop_pid(g->slave_pid);
    at_osc_close(g->osc);
    at_osc_close(g->nsm);
    if (g->have_session)
        ss_session_free(&g->s);
    at_sigpipe_close();
}

int ss_agent_main(int argc, char **argv)
{
    static Agent g; /* large; one per process */
    AgOptions o = {0};
    snprintf(g.server, sizeof g.server, "aiotone-net");
    snprintf(g.dir, sizeof g.dir, "aiotone-agent");
    int rc = parse_options(argc, argv, &o, &g);
    if (rc < 0)
        rc = agent_open(&g, &o);
    if (rc >= 0)
        return rc;
    while (!*at_sigpipe_flag()) {
        struct pollfd p[3] = {{at_osc_fd(g.osc), POLLIN, 0},
                              {at_osc_fd(g.nsm), POLLIN, 0},
                              {at_sigpipe_fd(), POLLIN, 0}};
        if (poll(p, 3, 100) > 0) {
            at_osc_receive(g.osc);
            at_osc_receive(g.nsm);
        }
        ag_supervise(&g);
        ag_keep_legs(&g);
    }
    agent_close(&g);
    return 0;
}
