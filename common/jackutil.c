/* jackutil.c - JACK client helpers. */
#include "jackutil.h"

#include "alsaseq.h"
#include "log.h"

#include <jack/metadata.h>
#include <jack/uuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void jack_quiet(const char *msg)
{
    at_debug("JACK: %s", msg);
}

static void jack_loud(const char *msg)
{
    at_warn("JACK: %s", msg);
}

jack_client_t *at_jack_open(const char *name, const char *server, char *err, size_t errlen)
{
    /* libjack prints several lines of its own when no server runs; our
     * one message says it better. */
    jack_set_error_function(jack_quiet);
    jack_set_info_function(jack_quiet);
    jack_status_t st = 0;
    jack_options_t opts = JackNoStartServer;
    jack_client_t *c;
    if (server && *server)
        c = jack_client_open(name, opts | JackServerName, &st, server);
    else
        c = jack_client_open(name, opts, &st);
    if (c) {
        jack_set_error_function(jack_loud);
        return c;
    }
    const char *srv = server && *server ? server : getenv("JACK_DEFAULT_SERVER");
    if (st & JackServerFailed)
        snprintf(err, errlen,
                 "cannot connect to the JACK server '%s': no server is running.\n"
                 "  Start one first, e.g. 'jackd -d alsa' (sound card), 'jackd -d dummy' (none),\n"
                 "  QjackCtl or Carla; or run the tools through aiotone-session, which starts one.",
                 srv ? srv : "default");
    else if (st & JackNameNotUnique)
        snprintf(err, errlen, "the JACK client name '%s' is taken; choose another with --name",
                 name);
    else
        snprintf(err, errlen, "cannot open a JACK client '%s' (JACK status 0x%x)", name,
                 (unsigned)st);
    return NULL;
}

static void set_prop(jack_client_t *c, jack_uuid_t uuid, const char *key, const char *value,
                     const char *type)
{
    if (value)
        jack_set_property(c, uuid, key, value, type);
}

void at_jack_port_meta(jack_client_t *c, jack_port_t *port, const char *pretty, const char *group,
                       int order)
{
    jack_uuid_t uuid = jack_port_uuid(port);
    set_prop(c, uuid, JACK_METADATA_PRETTY_NAME, pretty, "text/plain");
    set_prop(c, uuid, JACK_METADATA_PORT_GROUP, group, "text/plain");
    if (order >= 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", order);
        set_prop(c, uuid, JACK_METADATA_ORDER, v, "http://www.w3.org/2001/XMLSchema#int");
    }
}

static jack_uuid_t client_uuid(jack_client_t *c)
{
    jack_uuid_t uuid = 0;
    char *s = jack_get_uuid_for_client_name(c, jack_get_client_name(c));
    if (s) {
        jack_uuid_parse(s, &uuid);
        jack_free(s);
    }
    return uuid;
}

void at_jack_client_meta(jack_client_t *c, const char *pretty, const char *icon)
{
    jack_uuid_t uuid = client_uuid(c);
    if (jack_uuid_empty(uuid))
        return;
    set_prop(c, uuid, JACK_METADATA_PRETTY_NAME, pretty, "text/plain");
    set_prop(c, uuid, JACK_METADATA_ICON_NAME, icon, "text/plain");
}

void at_jack_clear_meta(jack_client_t *c, jack_port_t **ports, int n)
{
    for (int i = 0; i < n; i++)
        if (ports[i])
            jack_remove_properties(c, jack_port_uuid(ports[i]));
    jack_uuid_t uuid = client_uuid(c);
    if (!jack_uuid_empty(uuid))
        jack_remove_properties(c, uuid);
}

/* The pretty-name of a uuid, or NULL (free with jack_free). */
static char *pretty_of(jack_uuid_t uuid)
{
    char *value = NULL, *type = NULL;
    if (jack_get_property(uuid, JACK_METADATA_PRETTY_NAME, &value, &type) != 0)
        return NULL;
    jack_free(type);
    return value;
}

static bool client_pretty_match(jack_client_t *c, const char *full, const char *spec,
                                const char *port_pretty)
{
    const char *colon = strchr(full, ':');
    if (!colon)
        return false;
    char cname[256];
    size_t l = (size_t)(colon - full);
    if (l >= sizeof cname)
        return false;
    memcpy(cname, full, l);
    cname[l] = 0;
    char *us = jack_get_uuid_for_client_name(c, cname);
    if (!us)
        return false;
    jack_uuid_t uuid;
    bool ok = false;
    if (jack_uuid_parse(us, &uuid) == 0) {
        char *cp = pretty_of(uuid);
        if (cp) {
            char both[600];
            snprintf(both, sizeof both, "%s:%s", cp, port_pretty ? port_pretty : colon + 1);
            ok = strcmp(both, spec) == 0;
            jack_free(cp);
        }
    }
    jack_free(us);
    return ok;
}

/* Whether the port q (full name, aliases) is the one wanted. */
typedef bool (*PortMatch)(jack_client_t *c, jack_port_t *q, const char *name,
                          const char *const *aliases, int n_aliases, const void *want);

/* The first port of type with flag that match accepts (its full name, to
 * free), or NULL. */
static char *find_port(jack_client_t *c, const char *type, unsigned long flag, PortMatch match,
                       const void *want)
{
    const char **names = jack_get_ports(c, NULL, type, flag);
    char *found = NULL;
    for (int i = 0; names && names[i] && !found; i++) {
        jack_port_t *q = jack_port_by_name(c, names[i]);
        if (!q)
            continue;
        char a1[jack_port_name_size()], a2[jack_port_name_size()];
        char *aliases[2] = {a1, a2};
        int na = jack_port_get_aliases(q, aliases);
        if (match(c, q, names[i], (const char *const *)aliases, na, want))
            found = strdup(names[i]);
    }
    if (names)
        jack_free(names);
    return found;
}

/* An ALSA port sought through its JACK bridge port. */
typedef struct {
    char client[AT_SEQ_NAME_MAX], port[AT_SEQ_NAME_MAX];
    bool have_names;      /* client and port parsed from the spec */
    bool capture;         /* the JACK port carries the device's output */
    const AtSeqPort *seq; /* the sequencer's port the spec names, or NULL */
} AlsaWant;

static bool alsa_match(jack_client_t *c, jack_port_t *q, const char *name,
                       const char *const *aliases, int na, const void *want)
{
    (void)c;
    (void)q;
    const AlsaWant *w = want;
    if (w->seq)
        return at_seq_bridge_match_port(w->seq, w->capture, name, aliases, na);
    return w->have_names && at_seq_bridge_match(w->client, w->port, w->capture, name, aliases, na);
}

/* The JACK port that bridges the ALSA port named by spec ("alsa:CLIENT:PORT"),
 * found by names only so a device that came back under another client
 * number is found again. capture: the JACK port carries the device's
 * output (a JACK output port). */
static char *resolve_alsa(jack_client_t *c, const char *spec, const char *type, unsigned long flag)
{
    AlsaWant w = {.capture = (flag & JackPortIsOutput) != 0};
    if (strcmp(type, JACK_DEFAULT_MIDI_TYPE) != 0)
        return NULL;
    w.have_names = at_seq_parse_spec(spec, w.client, sizeof w.client, w.port, sizeof w.port);
    /* jackd's own seq bridge names ports by number: for it, ask the
     * sequencer (when there is one here) which port the names mean. */
    AtSeqPort seq[256];
    char err[256];
    int n_seq = at_seq_list(seq, 256, err, sizeof err);
    int found_seq = n_seq > 0 ? at_seq_find(seq, n_seq, spec) : -1;
    if (found_seq >= 0)
        w.seq = &seq[found_seq];
    return find_port(c, type, flag, alsa_match, &w);
}

/* A port named by one of its aliases, its pretty name or its client's
 * pretty name and its own ("Client pretty:port pretty"). */
static bool name_match(jack_client_t *c, jack_port_t *q, const char *name,
                       const char *const *aliases, int na, const void *want)
{
    const char *spec = want;
    for (int k = 0; k < na; k++)
        if (strcmp(aliases[k], spec) == 0)
            return true;
    char *pretty = pretty_of(jack_port_uuid(q));
    bool hit = (pretty && strcmp(pretty, spec) == 0) ||
               (strchr(spec, ':') && client_pretty_match(c, name, spec, pretty));
    if (pretty)
        jack_free(pretty);
    return hit;
}

char *at_jack_resolve(jack_client_t *c, const char *spec, const char *type, unsigned long flag)
{
    if (strncmp(spec, "alsa:", 5) == 0)
        return resolve_alsa(c, spec, type, flag);
    jack_port_t *p = jack_port_by_name(c, spec);
    if (p && (jack_port_flags(p) & flag) && strcmp(jack_port_type(p), type) == 0)
        return strdup(spec);
    return find_port(c, type, flag, name_match, spec);
}
