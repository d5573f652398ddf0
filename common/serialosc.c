/* serialosc.c - a serialosc client: see serialosc.h and docs/redblue.md
 * ("Monome grid"). The protocol: to serialosc, /serialosc/list si HOST PORT
 * (answered with /serialosc/device ssi ID TYPE PORT per device) and
 * /serialosc/notify si HOST PORT (the next /serialosc/add or
 * /serialosc/remove goes there, once: ask again after each); to a device,
 * /sys/port i, /sys/host s, /sys/prefix s; from it /<prefix>/grid/key iii. */
#include "serialosc.h"

#include "osc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AT_SERIALOSC_RETRY_MS 1000
#define AT_SERIALOSC_HOST "127.0.0.1"

struct AtSerialosc {
    AtSerialoscConfig cfg;
    char *prefix;
    char key_path[128];
    AtOsc *osc;
    struct sockaddr_storage daemon, device;
    socklen_t addrlen;
    bool connected;
    char id[64];
    uint64_t asked_at; /* when we last asked serialosc (ms), 0 never */
    bool ask_now;
};

static struct sockaddr_storage loopback(int port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ss;
}

static void send_msg(AtSerialosc *s, const struct sockaddr_storage *to, const char *path,
                     lo_message m)
{
    at_osc_send_to(s->osc, to, s->addrlen, path, m);
    lo_message_free(m);
}

/* Ask serialosc for its devices and for the next change. */
static void ask(AtSerialosc *s, uint64_t now_ms)
{
    static const char *const paths[] = {"/serialosc/list", "/serialosc/notify"};
    for (int i = 0; i < 2; i++) {
        lo_message m = lo_message_new();
        lo_message_add_string(m, AT_SERIALOSC_HOST);
        lo_message_add_int32(m, at_osc_port(s->osc));
        send_msg(s, &s->daemon, paths[i], m);
    }
    s->asked_at = now_ms ? now_ms : 1;
    s->ask_now = false;
}

/* Point a device's messages at us. */
static void take(AtSerialosc *s, const char *id, const char *type, int port)
{
    s->device = loopback(port);
    snprintf(s->id, sizeof s->id, "%s", id);
    lo_message m = lo_message_new();
    lo_message_add_int32(m, at_osc_port(s->osc));
    send_msg(s, &s->device, "/sys/port", m);
    m = lo_message_new();
    lo_message_add_string(m, AT_SERIALOSC_HOST);
    send_msg(s, &s->device, "/sys/host", m);
    m = lo_message_new();
    lo_message_add_string(m, s->prefix);
    send_msg(s, &s->device, "/sys/prefix", m);
    s->connected = true;
    if (s->cfg.device)
        s->cfg.device(s->cfg.user, true, id, type);
}

static void drop(AtSerialosc *s)
{
    if (!s->connected)
        return;
    s->connected = false;
    if (s->cfg.device)
        s->cfg.device(s->cfg.user, false, s->id, "");
    s->id[0] = 0;
}

static bool types_are(const AtOscMsg *m, const char *want)
{
    return m->types && strncmp(m->types, want, strlen(want)) == 0;
}

static void on_message(void *user, AtOsc *osc, const AtOscMsg *m)
{
    (void)osc;
    AtSerialosc *s = user;
    if (!m->allowed)
        return; /* only loopback talks to us */
    if (strcmp(m->path, "/serialosc/device") == 0 && types_are(m, "ssi")) {
        const char *type = at_osc_arg_str(m->argv[1]);
        /* A grid, not an arc (which has no keys to light). */
        if (!s->connected && !strstr(type, "arc"))
            take(s, at_osc_arg_str(m->argv[0]), type, at_osc_arg_i32(m->argv[2]));
    } else if (strcmp(m->path, "/serialosc/add") == 0 && types_are(m, "s")) {
        s->ask_now = true; /* list again (and keep being told) */
    } else if (strcmp(m->path, "/serialosc/remove") == 0 && types_are(m, "s")) {
        if (s->connected && strcmp(at_osc_arg_str(m->argv[0]), s->id) == 0)
            drop(s);
        s->ask_now = true;
    } else if (strcmp(m->path, s->key_path) == 0 && types_are(m, "iii")) {
        if (s->connected && s->cfg.key)
            s->cfg.key(s->cfg.user, at_osc_arg_i32(m->argv[0]), at_osc_arg_i32(m->argv[1]),
                       at_osc_arg_i32(m->argv[2]));
    }
}

AtSerialosc *at_serialosc_open(const AtSerialoscConfig *cfg, char *err, size_t errlen)
{
    AtSerialosc *s = calloc(1, sizeof *s);
    if (!s || !cfg->prefix || cfg->prefix[0] != '/') {
        snprintf(err, errlen, "%s", s ? "the grid prefix must start with '/'" : "out of memory");
        free(s);
        return NULL;
    }
    s->cfg = *cfg;
    s->prefix = strdup(cfg->prefix);
    snprintf(s->key_path, sizeof s->key_path, "%s/grid/key", cfg->prefix);
    s->osc = at_osc_open(AT_SERIALOSC_HOST, 0, NULL, 0, on_message, s, err, errlen);
    if (!s->prefix || !s->osc) {
        free(s->prefix);
        free(s);
        return NULL;
    }
    s->daemon = loopback(cfg->port);
    s->addrlen = sizeof(struct sockaddr_in);
    s->ask_now = true;
    return s;
}

void at_serialosc_poll(AtSerialosc *s, uint64_t now_ms)
{
    at_osc_receive(s->osc);
    if (s->ask_now || (!s->connected && now_ms - s->asked_at >= AT_SERIALOSC_RETRY_MS))
        ask(s, now_ms);
}

bool at_serialosc_connected(const AtSerialosc *s)
{
    return s->connected;
}

int at_serialosc_port(const AtSerialosc *s)
{
    return at_osc_port(s->osc);
}

/* Send m to the grid at the device's prefix + what ("/grid/led/level/all"). */
static void send_grid(AtSerialosc *s, const char *what, lo_message m)
{
    char path[160];
    snprintf(path, sizeof path, "%s%s", s->prefix, what);
    send_msg(s, &s->device, path, m);
}

void at_serialosc_level_map(AtSerialosc *s, int x_off, int y_off, const uint8_t levels[64])
{
    if (!s->connected)
        return;
    lo_message m = lo_message_new();
    lo_message_add_int32(m, x_off);
    lo_message_add_int32(m, y_off);
    for (int i = 0; i < 64; i++)
        lo_message_add_int32(m, levels[i]);
    send_grid(s, "/grid/led/level/map", m);
}

void at_serialosc_level_all(AtSerialosc *s, int level)
{
    if (!s->connected)
        return;
    lo_message m = lo_message_new();
    lo_message_add_int32(m, level);
    send_grid(s, "/grid/led/level/all", m);
}

void at_serialosc_close(AtSerialosc *s)
{
    if (!s)
        return;
    at_serialosc_level_all(s, 0);
    at_osc_close(s->osc);
    free(s->prefix);
    free(s);
}
