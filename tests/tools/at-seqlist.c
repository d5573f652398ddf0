/* at-seqlist - test helper over common/alsaseq: lists the ALSA sequencer
 * ports, finds one by "alsa:CLIENT:PORT", and shows which JACK ports bridge
 * each one. Used by the VM tests (tests/vm) where a real sequencer runs. */
#include "tools/toolutil.h"
#include "alsaseq.h"

#include <alsa/asoundlib.h>
#include <jack/jack.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PORTS 512

static void usage(FILE *f)
{
    fprintf(f,
            "usage: at-seqlist                    list sequencer ports, one a line:\n"
            "                                     CLIENT:PORT<TAB>client name<TAB>port name"
            "<TAB>flags\n"
            "                                     (flags: out = readable, in = writable,\n"
            "                                     hw = kernel client, system)\n"
            "       at-seqlist --find SPEC        print CLIENT:PORT of alsa:CLIENT NAME:PORT "
            "NAME\n"
            "       at-seqlist --bridges [SERVER] per ALSA port and direction, the JACK MIDI\n"
            "                                     ports bridging it:\n"
            "                                     SPEC<TAB>capture|playback<TAB>JACK port\n"
            "       at-seqlist --virtual CLIENT PORT  be a userspace sequencer client with one\n"
            "                                     duplex port until SIGTERM; prints CLIENT:PORT\n"
            "exit status: 0 ok, 1 not found / no sequencer / no JACK, 2 bad usage\n");
}

static int list(const AtSeqPort *p, int n)
{
    for (int i = 0; i < n; i++)
        printf("%d:%d\t%s\t%s\t%s%s%s%s\n", p[i].client, p[i].port, p[i].client_name,
               p[i].port_name, p[i].readable ? "out," : "", p[i].writable ? "in," : "",
               p[i].hardware ? "hw" : "sw", p[i].system ? ",system" : "");
    return 0;
}

static int find(const AtSeqPort *p, int n, const char *spec)
{
    int i = at_seq_find(p, n, spec);
    if (i < 0) {
        fprintf(stderr, "at-seqlist: no port %s\n", spec);
        return 1;
    }
    printf("%d:%d\n", p[i].client, p[i].port);
    return 0;
}

/* Print every (ALSA port, direction, JACK port) triple that matches, for
 * all ports (only < 0) or ports[only] alone; returns how many. */
static int bridges_of(jack_client_t *c, const AtSeqPort *p, int n, const char *name, int only,
                      FILE *out)
{
    int found = 0;
    jack_port_t *jp = jack_port_by_name(c, name);
    if (!jp)
        return 0;
    int size = jack_port_name_size();
    char *buf[2] = {calloc(1, (size_t)size), calloc(1, (size_t)size)};
    if (!buf[0] || !buf[1])
        goto out;
    int na = jack_port_get_aliases(jp, buf);
    const char *aliases[2] = {buf[0], buf[1]};
    /* Data from a device enters JACK through an output port of the bridge. */
    bool capture = (jack_port_flags(jp) & JackPortIsOutput) != 0;
    char spec[2 * AT_SEQ_NAME_MAX + 16];
    for (int i = only < 0 ? 0 : only; i < (only < 0 ? n : only + 1); i++) {
        if (!at_seq_bridge_match_port(&p[i], capture, name, aliases, na < 0 ? 0 : na))
            continue;
        if (at_seq_format_spec(&p[i], spec, sizeof spec))
            fprintf(out, "%s\t%s\t%s\n", spec, capture ? "capture" : "playback", name);
        found++;
    }
out:
    free(buf[0]);
    free(buf[1]);
    return found;
}

/* All bridge triples (or those of ports[only]) into out; -1 without JACK. */
static int all_bridges(jack_client_t *c, const AtSeqPort *p, int n, int only, FILE *out)
{
    int found = 0;
    const char **names = jack_get_ports(c, NULL, JACK_DEFAULT_MIDI_TYPE, 0);
    for (int i = 0; names && names[i]; i++)
        found += bridges_of(c, p, n, names[i], only, out);
    jack_free(names);
    return found;
}

static jack_client_t *open_jack(const char *server)
{
    jack_status_t st;
    jack_options_t opt = JackNoStartServer | (server ? JackServerName : JackNullOption);
    jack_client_t *c = jack_client_open("at-seqlist", opt, &st, server);
    if (!c)
        fprintf(stderr, "at-seqlist: no JACK server (status 0x%x)\n", (unsigned)st);
    return c;
}

static int bridges(const AtSeqPort *p, int n, const char *server)
{
    jack_client_t *c = open_jack(server);
    if (!c)
        return 1;
    all_bridges(c, p, n, -1, stdout);
    jack_client_close(c);
    return 0;
}

/* Same JACK client: the part before the first ':' is equal. */
static bool same_client(const char *a, const char *b)
{
    size_t la = strcspn(a, ":"), lb = strcspn(b, ":");
    return la == lb && !strncmp(a, b, la);
}

/* One look for --expect: does want bridge spec in direction dir, with no
 * other port of want's JACK client doing so (a stale a2jmidid port)? With
 * want NULL: does any port bridge it? The lines seen go to seen. */
static bool expect_once(jack_client_t *c, const char *spec, const char *dir, const char *want,
                        char *seen, size_t seenlen)
{
    static AtSeqPort ports[MAX_PORTS];
    char err[256], line[1024];
    seen[0] = '\0';
    int n = at_seq_list(ports, MAX_PORTS, err, sizeof err);
    int i = n < 0 ? -1 : at_seq_find(ports, n, spec);
    if (i < 0) {
        snprintf(seen, seenlen, "no sequencer port %s\n", spec);
        return false;
    }
    FILE *f = fmemopen(seen, seenlen, "w");
    if (!f)
        return false;
    all_bridges(c, ports, n, i, f);
    fclose(f);
    bool found = false, rival = false;
    for (const char *l = seen; *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        snprintf(line, sizeof line, "%.*s", (int)len, l);
        l += len + (e ? 1 : 0);
        char *d = strchr(line, '\t');
        char *j = d ? strchr(d + 1, '\t') : NULL;
        if (!j)
            continue;
        *j++ = '\0';
        if (strcmp(d + 1, dir) != 0)
            continue;
        if (!want || !strcmp(j, want))
            found = true;
        else if (same_client(j, want))
            rival = true;
    }
    return found && !rival;
}

/* --expect: poll (every 0.1 s, one JACK client) until spec is bridged as
 * wanted: much cheaper than a shell loop of commands under emulation. */
static int expect(double seconds, const char *spec, const char *dir, const char *want)
{
    char seen[8192];
    jack_client_t *c = open_jack(NULL);
    if (!c)
        return 1;
    bool ok = false;
    for (double t = 0; !ok && t <= seconds; t += 0.1) {
        ok = expect_once(c, spec, dir, want, seen, sizeof seen);
        if (!ok)
            usleep(100000);
    }
    jack_client_close(c);
    if (!ok) {
        fprintf(stderr, "at-seqlist: %s %s is not bridged %s%s; bridges seen:\n%s", spec, dir,
                want ? "by " : "by any port", want ? want : "", seen);
        return 1;
    }
    fputs(seen, stdout);
    return 0;
}

/* A software "device" whose client number the sequencer picks (the first
 * free one from 128): restarting it next to other clients renumbers it. */
static int virtual_client(const char *client, const char *port)
{
    snd_seq_t *seq;
    if (snd_seq_open(&seq, "default", SND_SEQ_OPEN_DUPLEX, 0) < 0) {
        fprintf(stderr, "at-seqlist: cannot open the sequencer\n");
        return 1;
    }
    snd_seq_set_client_name(seq, client);
    unsigned caps = SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ | SND_SEQ_PORT_CAP_WRITE |
                    SND_SEQ_PORT_CAP_SUBS_WRITE;
    int p = snd_seq_create_simple_port(
        seq, port, caps, SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION);
    if (p < 0) {
        fprintf(stderr, "at-seqlist: cannot create port %s\n", port);
        snd_seq_close(seq);
        return 1;
    }
    printf("%d:%d\n", snd_seq_client_id(seq), p);
    fflush(stdout);
    tt_catch_signals();
    while (!quit)
        pause();
    snd_seq_close(seq);
    return 0;
}

int main(int argc, char **argv)
{
    static AtSeqPort ports[MAX_PORTS];
    char err[256];
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "--virtual"))
        return virtual_client(argv[2], argv[3]);
    if ((argc == 5 || argc == 6) && !strcmp(argv[1], "--expect") &&
        (!strcmp(argv[4], "capture") || !strcmp(argv[4], "playback")))
        return expect(atof(argv[2]), argv[3], argv[4], argc == 6 ? argv[5] : NULL);
    if (argc > 3 || (argc == 3 && strcmp(argv[1], "--find") && strcmp(argv[1], "--bridges")) ||
        (argc == 2 && strcmp(argv[1], "--bridges"))) {
        usage(stderr);
        return 2;
    }
    int n = at_seq_list(ports, MAX_PORTS, err, sizeof err);
    if (n < 0) {
        fprintf(stderr, "at-seqlist: %s\n", err);
        return 1;
    }
    if (argc == 1)
        return list(ports, n);
    if (!strcmp(argv[1], "--find"))
        return find(ports, n, argv[2]);
    return bridges(ports, n, argc == 3 ? argv[2] : NULL);
}
