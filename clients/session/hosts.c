/* hosts.c - session.conf's `hosts` list: parse, validate, write back. */
#include "hosts.h"
#include "sessconf.h"
#include "sessfile.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ss_host_default(SsHostDef *h, const char *name)
{
    memset(h, 0, sizeof *h);
    snprintf(h->name, sizeof h->name, "%s", name);
    h->port = SS_AGENT_PORT;
    h->audio_send = 2;
    h->audio_return = 2;
    h->midi_send = 1;
    h->midi_return = 1;
    h->latency = SS_HOST_LATENCY;
}

bool ss_valid_secret(const char *s)
{
    size_t n = strlen(s);
    if (n < 8 || n >= SS_SECRET_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\')
            return false;
    return true;
}

/* A host name is checked as a client id (ss_conf_id): the same rule. */
_Static_assert(SS_HOST_NAME_MAX == SS_ID_MAX, "host names and client ids have one length limit");

static bool parse_host(const SsConfCtx *x, const char *where, const config_setting_t *c,
                       SsHostDef *h)
{
    static const char *const keys[] = {
        "name",         "address",   "port",        "secret",  "audio-send",
        "audio-return", "midi-send", "midi-return", "latency", NULL};
    if (!config_setting_is_group(c)) {
        ss_conf_error(x->err, x->errlen, x->file, ss_conf_line(c), where,
                      "each host must be a group { name = \"...\"; address = \"10.0.0.2\"; "
                      "secret = \"...\"; }");
        return false;
    }
    const char *name, *addr, *secret;
    if (!ss_conf_only_keys(x, c, where, keys,
                           "name, address, port, secret, audio-send, audio-return, midi-send, "
                           "midi-return, latency") ||
        !ss_conf_string(x, c, where, "name", true, &name) ||
        !ss_conf_string(x, c, where, "address", true, &addr) ||
        !ss_conf_string(x, c, where, "secret", true, &secret))
        return false;
    if (!ss_conf_id(x, c, where, "name", "host name", name))
        return false;
    ss_host_default(h, name);
    struct in_addr a;
    if (strlen(addr) >= sizeof h->address || inet_pton(AF_INET, addr, &a) != 1) {
        ss_conf_member_error(x, c, where, "address",
                             "bad value \"%s\": an IPv4 address such as \"10.0.0.2\"", addr);
        return false;
    }
    snprintf(h->address, sizeof h->address, "%s", addr);
    if (!ss_valid_secret(secret)) {
        ss_conf_member_error(x, c, where, "secret",
                             "bad value: a shared secret is 8..127 printable characters, no "
                             "space, quote or backslash");
        return false;
    }
    snprintf(h->secret, sizeof h->secret, "%s", secret);
    return ss_conf_int(x, c, where, "port", 1, 65535, SS_INT_RANGE, &h->port) &&
           ss_conf_int(x, c, where, "audio-send", 0, 64, SS_INT_RANGE, &h->audio_send) &&
           ss_conf_int(x, c, where, "audio-return", 0, 64, SS_INT_RANGE, &h->audio_return) &&
           ss_conf_int(x, c, where, "midi-send", 0, 16, SS_INT_RANGE, &h->midi_send) &&
           ss_conf_int(x, c, where, "midi-return", 0, 16, SS_INT_RANGE, &h->midi_return) &&
           ss_conf_int(x, c, where, "latency", 0, 10, SS_INT_RANGE, &h->latency);
}

bool ss_hosts_parse(const config_setting_t *l, const char *file, SsHostDef *out, int *n, char *err,
                    size_t errlen)
{
    SsConfCtx x = {file, err, errlen};
    *n = 0;
    if (config_setting_type(l) != CONFIG_TYPE_LIST) {
        ss_conf_error(err, errlen, file, ss_conf_line(l), "hosts",
                      "must be a list ( { name = ...; address = ...; secret = ...; }, ... )");
        return false;
    }
    int len = config_setting_length(l);
    if (len > SS_MAX_HOSTS) {
        ss_conf_error(err, errlen, file, ss_conf_line(l), "hosts",
                      "%d hosts: at most %d are allowed", len, SS_MAX_HOSTS);
        return false;
    }
    for (int i = 0; i < len; i++) {
        const config_setting_t *c = config_setting_get_elem(l, (unsigned)i);
        char where[48];
        snprintf(where, sizeof where, "hosts.[%d]", i);
        if (!parse_host(&x, where, c, &out[i]))
            return false;
        if (ss_hosts_find(out, i, out[i].name) >= 0) {
            ss_conf_member_error(&x, c, where, "name",
                                 "host name \"%s\" is used twice: names must be unique",
                                 out[i].name);
            return false;
        }
        *n = i + 1;
    }
    return true;
}

int ss_hosts_find(const SsHostDef *h, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(h[i].name, name))
            return i;
    return -1;
}

bool ss_hosts_same(const SsHostDef *a, int na, const SsHostDef *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++) {
        const SsHostDef *x = &a[i], *y = &b[i];
        if (strcmp(x->name, y->name) || strcmp(x->address, y->address) ||
            strcmp(x->secret, y->secret) || x->port != y->port || x->audio_send != y->audio_send ||
            x->audio_return != y->audio_return || x->midi_send != y->midi_send ||
            x->midi_return != y->midi_return || x->latency != y->latency)
            return false;
    }
    return true;
}

char *ss_hosts_format(const SsHostDef *h, int n)
{
    size_t cap = 64 + (size_t)n * 512, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    len += (size_t)snprintf(buf + len, cap - len, "hosts = (\n");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len,
                                "  { name = \"%s\"; address = \"%s\"; port = %d; secret = \"%s\";\n"
                                "    audio-send = %d; audio-return = %d; midi-send = %d; "
                                "midi-return = %d; latency = %d; }%s\n",
                                h[i].name, h[i].address, h[i].port, h[i].secret, h[i].audio_send,
                                h[i].audio_return, h[i].midi_send, h[i].midi_return, h[i].latency,
                                i + 1 < n ? "," : "");
    snprintf(buf + len, cap - len, ");\n");
    return buf;
}
