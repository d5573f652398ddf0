/* alsaseq.c - ALSA sequencer listing and bridge name matching (see alsaseq.h).
 *
 * Bridges sanitize ALSA names before making JACK port names, each its own
 * way, and the matching below redoes exactly that rather than guessing:
 * - a2jmidid 9 (Debian 12): "%s [%d] (%s): %s" (client name, client number,
 *   capture|playback, port name); bytes other than ASCII letters, digits and
 *   / _ ( ) - [ ] become ' ' (upstream's source; Debian 12's a2jmidid 9
 *   keeps ':', as seen in tests/vm). With -u, and in older versions, the
 *   " [%d]" part is absent (older ones also turn '-' into ' '). JACK's port
 *   name limit (320) is above any ALSA client + port name, so no cutting.
 * - jackd2's seq bridge: aliases "alsa_pcm:%s/midi_%s_%d" and "%s:midi/%s_%d"
 *   (client name, "playback" for data FROM the device (sic), port number + 1),
 *   bytes other than letters, digits and / _ : ( ) become '-', truncated to
 *   63 bytes.
 * - PipeWire's JACK layer: "Midi-Bridge:%s:(%s_%d) %s" (client name,
 *   capture|playback, port number, port name), unsanitized (from its
 *   documentation and users' listings; not tested here: no PipeWire). */
#include "alsaseq.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SEQ_DEVICE "/dev/snd/seq"
#define JACKD_ALIAS_MAX 63

static bool ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Which bytes jackd's seq bridge keeps in an alias. */
static bool jackd_keeps(unsigned char c)
{
    return ascii_alnum(c) || strchr("/_:()", c) != NULL;
}

/* Advance *s over raw as a2jmidid writes it; false if it is not there. A
 * byte a2jmidid might replace may appear as itself or as ' ', which covers
 * every a2jmidid version's character set. */
static bool eat_a2j(const char **s, const char *raw)
{
    const char *p = *s;
    for (const unsigned char *r = (const unsigned char *)raw; *r; r++, p++) {
        if ((unsigned char)*p == *r)
            continue;
        if (*p == ' ' && !ascii_alnum(*r))
            continue;
        return false;
    }
    *s = p;
    return true;
}

/* Advance *s over the literal lit; false if it is not there. */
static bool eat(const char **s, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*s, lit, n) != 0)
        return false;
    *s += n;
    return true;
}

/* Advance *s over one or more decimal digits. */
static bool eat_digits(const char **s)
{
    const char *p = *s;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == *s)
        return false;
    *s = p;
    return true;
}

/* The part of a full JACK port name after the client name. */
static const char *short_name(const char *full)
{
    const char *c = strchr(full, ':');
    return c ? c + 1 : full;
}

/* a2jmidid: "CLIENT [N] (capture): PORT", "[N] " optional. */
static bool match_a2j(const char *cl, const char *po, bool capture, const char *name)
{
    const char *p = short_name(name);
    if (!eat_a2j(&p, cl))
        return false;
    const char *q = p;
    if (eat(&q, " [") && eat_digits(&q) && eat(&q, "]"))
        p = q;
    if (!eat(&p, capture ? " (capture)" : " (playback)"))
        return false;
    if (*p != ':' && *p != ' ')
        return false;
    p++;
    return eat(&p, " ") && eat_a2j(&p, po) && *p == '\0';
}

/* PipeWire: "Midi-Bridge:CLIENT:(capture_N) PORT". */
static bool match_pipewire(const char *cl, const char *po, bool capture, const char *name)
{
    const char *p = name;
    return eat(&p, "Midi-Bridge:") && eat(&p, cl) &&
           eat(&p, capture ? ":(capture_" : ":(playback_") && eat_digits(&p) && eat(&p, ") ") &&
           eat(&p, po) && *p == '\0';
}

/* Build one jackd alias the way jackd does: format, sanitize, truncate. */
static void jackd_alias(char *buf, size_t len, bool pcm_form, const char *cl, bool capture,
                        int port)
{
    /* jackd calls data from the device "playback" (its ALSA-side name). */
    const char *dir = capture ? "playback" : "capture";
    if (pcm_form)
        snprintf(buf, len, "alsa_pcm:%s/midi_%s_%d", cl, dir, port + 1);
    else
        snprintf(buf, len, "%s:midi/%s_%d", cl, dir, port + 1);
    for (char *c = buf; *c; c++)
        if (!jackd_keeps((unsigned char)*c))
            *c = '-';
    if (strlen(buf) > JACKD_ALIAS_MAX)
        buf[JACKD_ALIAS_MAX] = '\0';
}

static bool match_jackd(const AtSeqPort *p, bool capture, const char *name)
{
    char want[2 * AT_SEQ_NAME_MAX + 64];
    for (int form = 0; form < 2; form++) {
        jackd_alias(want, sizeof want, form == 0, p->client_name, capture, p->port);
        if (strcmp(want, name) == 0)
            return true;
    }
    return false;
}

/* Does one JACK name (port name or alias) bridge the ALSA port? */
static bool match_one(const char *cl, const char *po, bool capture, const char *name)
{
    return name && (match_a2j(cl, po, capture, name) || match_pipewire(cl, po, capture, name));
}

bool at_seq_bridge_match(const char *client_name, const char *port_name, bool capture,
                         const char *jack_port, const char *const *aliases, int n_aliases)
{
    if (!client_name || !port_name || !*client_name)
        return false;
    if (match_one(client_name, port_name, capture, jack_port))
        return true;
    for (int i = 0; aliases && i < n_aliases; i++)
        if (match_one(client_name, port_name, capture, aliases[i]))
            return true;
    return false;
}

bool at_seq_bridge_match_port(const AtSeqPort *p, bool capture, const char *jack_port,
                              const char *const *aliases, int n_aliases)
{
    if (!p)
        return false;
    if (at_seq_bridge_match(p->client_name, p->port_name, capture, jack_port, aliases, n_aliases))
        return true;
    if (!p->client_name[0] || p->port < 0)
        return false;
    if (jack_port && match_jackd(p, capture, jack_port))
        return true;
    for (int i = 0; aliases && i < n_aliases; i++)
        if (aliases[i] && match_jackd(p, capture, aliases[i]))
            return true;
    return false;
}

/* Copy s[0..n) into buf without spaces at either end; false if too long. */
static bool copy_trimmed(char *buf, size_t len, const char *s, size_t n)
{
    while (n > 0 && *s == ' ') {
        s++;
        n--;
    }
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n + 1 > len)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return true;
}

bool at_seq_parse_spec(const char *spec, char *client, size_t cl, char *port, size_t pl)
{
    if (!spec || !client || !port || strncmp(spec, "alsa:", 5) != 0)
        return false;
    const char *s = spec + 5;
    char name[AT_SEQ_NAME_MAX * 2];
    size_t n = 0;
    /* Client name up to the first unescaped ':' ("\:" is a literal ':',
     * "\\" a literal backslash). */
    for (; *s && *s != ':'; s++) {
        if (s[0] == '\\' && (s[1] == ':' || s[1] == '\\'))
            s++;
        if (n + 1 >= sizeof name)
            return false;
        name[n++] = *s;
    }
    if (*s != ':')
        return false;
    s++;
    if (!copy_trimmed(client, cl, name, n) || !copy_trimmed(port, pl, s, strlen(s)))
        return false;
    return client[0] != '\0' && port[0] != '\0';
}

/* Does ports[i] carry these names (spaces around the spec's names ignored)? */
static int find_names(const AtSeqPort *ports, int n, const char *cl, const char *po)
{
    for (int i = 0; i < n; i++)
        if (strcmp(ports[i].client_name, cl) == 0 && strcmp(ports[i].port_name, po) == 0)
            return i;
    return -1;
}

int at_seq_find(const AtSeqPort *ports, int n, const char *spec)
{
    char cl[AT_SEQ_NAME_MAX], po[AT_SEQ_NAME_MAX];
    if (!ports || !spec || strncmp(spec, "alsa:", 5) != 0)
        return -1;
    /* The escaped form first, then every ':' as the separator. */
    if (at_seq_parse_spec(spec, cl, sizeof cl, po, sizeof po)) {
        int i = find_names(ports, n, cl, po);
        if (i >= 0)
            return i;
    }
    const char *body = spec + 5;
    for (const char *c = strchr(body, ':'); c; c = strchr(c + 1, ':')) {
        if (!copy_trimmed(cl, sizeof cl, body, (size_t)(c - body)) ||
            !copy_trimmed(po, sizeof po, c + 1, strlen(c + 1)))
            continue;
        int i = find_names(ports, n, cl, po);
        if (i >= 0)
            return i;
    }
    return -1;
}

bool at_seq_format_spec(const AtSeqPort *p, char *buf, size_t len)
{
    size_t n = 0;
    if (!p || !buf || len == 0)
        return false;
    int w = snprintf(buf, len, "alsa:");
    if (w < 0 || (size_t)w >= len)
        return false;
    n = (size_t)w;
    for (const char *c = p->client_name; *c; c++) {
        if (n + 3 > len)
            return false;
        if (*c == ':' || *c == '\\')
            buf[n++] = '\\';
        buf[n++] = *c;
    }
    w = snprintf(buf + n, len - n, ":%s", p->port_name);
    return w >= 0 && (size_t)w < len - n;
}

/* ALSA prints its own errors on stderr; the caller gets ours in err. */
static void quiet_alsa(const char *file, int line, const char *function, int err, const char *fmt,
                       ...)
{
    (void)file;
    (void)line;
    (void)function;
    (void)err;
    (void)fmt;
}

static snd_seq_t *open_seq(char *err, size_t errlen)
{
    snd_seq_t *seq = NULL;
    if (access(SEQ_DEVICE, F_OK) != 0) {
        snprintf(err, errlen,
                 "ALSA sequencer not available (" SEQ_DEVICE " is missing: no ALSA in this "
                 "kernel, or snd-seq not loaded)");
        return NULL;
    }
    snd_lib_error_handler_t saved = snd_lib_error;
    snd_lib_error_set_handler(quiet_alsa);
    int rc = snd_seq_open(&seq, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);
    snd_lib_error_set_handler(saved);
    if (rc < 0) {
        snprintf(err, errlen, "ALSA sequencer not available (cannot open " SEQ_DEVICE ": %s)",
                 snd_strerror(rc));
        return NULL;
    }
    return seq;
}

/* Fill one AtSeqPort from ALSA's client and port info. */
static void fill_port(AtSeqPort *p, snd_seq_client_info_t *ci, const snd_seq_port_info_t *pi)
{
    unsigned caps = snd_seq_port_info_get_capability(pi);
    unsigned rd = SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ;
    unsigned wr = SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE;
    memset(p, 0, sizeof *p);
    p->client = snd_seq_client_info_get_client(ci);
    p->port = snd_seq_port_info_get_port(pi);
    snprintf(p->client_name, sizeof p->client_name, "%s", snd_seq_client_info_get_name(ci));
    snprintf(p->port_name, sizeof p->port_name, "%s", snd_seq_port_info_get_name(pi));
    p->readable = (caps & rd) == rd;
    p->writable = (caps & wr) == wr;
    p->hardware = snd_seq_client_info_get_type(ci) == SND_SEQ_KERNEL_CLIENT;
    p->system = p->client == SND_SEQ_CLIENT_SYSTEM;
}

int at_seq_list(AtSeqPort *out, int n, char *err, size_t errlen)
{
    snd_seq_client_info_t *ci = NULL;
    snd_seq_port_info_t *pi = NULL;
    int count = -1;
    char dummy[8];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    snd_seq_t *seq = open_seq(err, errlen);
    if (!seq)
        goto out;
    if (snd_seq_client_info_malloc(&ci) < 0 || snd_seq_port_info_malloc(&pi) < 0) {
        snprintf(err, errlen, "out of memory listing the ALSA sequencer");
        goto out_close;
    }
    count = 0;
    snd_seq_client_info_set_client(ci, -1);
    while (count < n && snd_seq_query_next_client(seq, ci) >= 0) {
        snd_seq_port_info_set_client(pi, snd_seq_client_info_get_client(ci));
        snd_seq_port_info_set_port(pi, -1);
        while (count < n && snd_seq_query_next_port(seq, pi) >= 0)
            fill_port(&out[count++], ci, pi);
    }
out_close:
    snd_seq_port_info_free(pi);
    snd_seq_client_info_free(ci);
    snd_seq_close(seq);
out:
    return count;
}
