/* aiotone-lsdev - list what a config file can connect to: JACK audio and
 * MIDI ports (aliases, pretty names, connections) and ALSA sequencer ports
 * with the JACK ports that bridge them. */
#include "jackutil.h"
#include "log.h"
#include "lsdev.h"

#include <getopt.h>
#include <jack/jack.h>
#include <jack/metadata.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AT_VERSION
#define AT_VERSION "0"
#endif

#define MAX_SEQ_PORTS 512

static void usage(FILE *f)
{
    fprintf(f, "Usage: aiotone-lsdev [OPTIONS]\n"
               "List the JACK audio and MIDI ports and the ALSA sequencer ports that\n"
               "aiotone config files and sessions can connect to.\n\n"
               "Options:\n"
               "  -s, --server NAME  JACK server (default: $JACK_DEFAULT_SERVER or 'default')\n"
               "      --json         print one JSON object (for scripts)\n"
               "      --dot          print the JACK connection graph for Graphviz\n"
               "      --jack-only    skip the ALSA sequencer\n"
               "      --alsa-only    skip JACK\n"
               "  -h, --help         show this help and exit\n"
               "  -V, --version      show the version and exit\n\n"
               "A port may be named in a config by its full name, an alias, its pretty\n"
               "name, or (ALSA hardware) as alsa:CLIENT:PORT with the names shown.\n"
               "See aiotone-lsdev(1).\n");
}

static char *pretty_of(jack_port_t *p)
{
    char *value = NULL, *type = NULL;
    if (jack_get_property(jack_port_uuid(p), JACK_METADATA_PRETTY_NAME, &value, &type) != 0)
        return NULL;
    char *copy = value ? strdup(value) : NULL;
    jack_free(value);
    jack_free(type);
    return copy;
}

static bool gather_jack(LsModel *m, const char *server)
{
    char err[512];
    jack_client_t *c = at_jack_open("lsdev", server, err, sizeof err);
    const char *env = getenv("JACK_DEFAULT_SERVER");
    snprintf(m->jack_server, sizeof m->jack_server, "%s",
             server ? server : (env && *env ? env : "default"));
    if (!c) {
        snprintf(m->jack_why, sizeof m->jack_why, "%s", err);
        return false;
    }
    m->jack_ok = true;
    const char **names = jack_get_ports(c, NULL, NULL, 0);
    int n = 0;
    while (names && names[n])
        n++;
    m->jports = calloc((size_t)(n ? n : 1), sizeof *m->jports);
    for (int i = 0; m->jports && i < n; i++) {
        jack_port_t *p = jack_port_by_name(c, names[i]);
        if (!p)
            continue;
        LsJackPort *lp = &m->jports[m->n_jports++];
        int flags = jack_port_flags(p);
        lp->name = strdup(names[i]);
        lp->midi = strcmp(jack_port_type(p), JACK_DEFAULT_MIDI_TYPE) == 0;
        lp->input = (flags & JackPortIsInput) != 0;
        lp->physical = (flags & JackPortIsPhysical) != 0;
        lp->pretty = pretty_of(p);
        char a1[jack_port_name_size()], a2[jack_port_name_size()];
        char *al[2] = {a1, a2};
        int na = jack_port_get_aliases(p, al);
        for (int k = 0; k < na && k < LS_MAX_ALIASES; k++)
            lp->aliases[lp->n_aliases++] = strdup(al[k]);
        const char **conns = jack_port_get_all_connections(c, p);
        int nc = 0;
        while (conns && conns[nc])
            nc++;
        if (nc) {
            lp->conns = calloc((size_t)nc, sizeof *lp->conns);
            for (int k = 0; lp->conns && k < nc; k++)
                lp->conns[lp->n_conns++] = strdup(conns[k]);
        }
        if (conns)
            jack_free(conns);
    }
    if (names)
        jack_free(names);
    jack_client_close(c);
    return true;
}

static void gather_seq(LsModel *m)
{
    m->sports = calloc(MAX_SEQ_PORTS, sizeof *m->sports);
    if (!m->sports) {
        snprintf(m->seq_why, sizeof m->seq_why, "out of memory");
        return;
    }
    int n = at_seq_list(m->sports, MAX_SEQ_PORTS, m->seq_why, sizeof m->seq_why);
    if (n < 0)
        return;
    m->seq_ok = true;
    m->n_sports = n;
}

typedef struct {
    const char *server;
    bool json, dot, want_jack, want_seq;
} LsArgs;

/* -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, LsArgs *a)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        {"server", required_argument, NULL, 's'}, {"json", no_argument, NULL, 'j'},
        {"dot", no_argument, NULL, 'd'},          {"jack-only", no_argument, NULL, 'J'},
        {"alsa-only", no_argument, NULL, 'A'},    {NULL, 0, NULL, 0},
    };
    opterr = 0;
    int c;
    for (int before = 1; (c = getopt_long(argc, argv, "-:hVs:", opts, NULL)) != -1;
         before = optind) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        } else if (c == 'V') {
            printf("aiotone-lsdev %s\n", AT_VERSION);
            return 0;
        } else if (c == 's') {
            a->server = optarg;
        } else if (c == 'j') {
            a->json = true;
        } else if (c == 'd') {
            a->dot = true;
        } else if (c == 'J') {
            a->want_seq = false;
        } else if (c == 'A') {
            a->want_jack = false;
        } else { /* unknown, not an option, or -s without its value */
            fprintf(stderr, "aiotone-lsdev: unknown argument '%s' (see --help)\n",
                    argv[optind > before ? optind - 1 : optind]);
            return 2;
        }
    }
    if (optind < argc) { /* after a "--" */
        fprintf(stderr, "aiotone-lsdev: unknown argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    if (a->json && a->dot) {
        fprintf(stderr, "aiotone-lsdev: choose one of --json and --dot\n");
        return 2;
    }
    return -1;
}

int main(int argc, char **argv)
{
    at_log_init("aiotone-lsdev", AT_LOG_WARN);
    LsArgs a = {.want_jack = true, .want_seq = true};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    LsModel m = {0};
    if (a.want_jack)
        gather_jack(&m, a.server);
    else
        snprintf(m.jack_why, sizeof m.jack_why, "not asked (--alsa-only)");
    if (a.want_seq)
        gather_seq(&m);
    else
        snprintf(m.seq_why, sizeof m.seq_why, "not asked (--jack-only)");
    ls_model_match_bridges(&m);
    if (a.json)
        ls_write_json(&m, stdout);
    else if (a.dot)
        ls_write_dot(&m, stdout);
    else
        ls_write_text(&m, stdout);
    ls_model_free(&m);
    return 0;
}
