/* osc.c - a UDP OSC endpoint with allow-list and surface feedback. */
#include "osc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AT_OSC_MAX_ALLOW 32
#define AT_OSC_PACKET 65536

struct AtOsc {
    int fd;
    int port;
    char *allow[AT_OSC_MAX_ALLOW];
    int n_allow;
    struct sockaddr_storage surfaces[AT_OSC_MAX_SURFACES];
    socklen_t surface_len[AT_OSC_MAX_SURFACES];
    int n_surfaces;
    int next_surface; /* replaced round-robin when full */
    AtOscHandler handler;
    void *user;
    unsigned bad;
    unsigned char buf[AT_OSC_PACKET];
};

static void put_err(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, a, b);
}

AtOsc *at_osc_open(const char *bind_addr, int port, const char *const *allow, int n_allow,
                   AtOscHandler handler, void *user, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_DGRAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    const char *host = (bind_addr && *bind_addr) ? bind_addr : "127.0.0.1";
    int rc = getaddrinfo(host, portstr, &hints, &ai);
    if (rc != 0) {
        put_err(err, errlen, "OSC bind address '%s' is not an IP address: %s", host,
                gai_strerror(rc));
        return NULL;
    }
    AtOsc *o = calloc(1, sizeof *o);
    if (!o) {
        freeaddrinfo(ai);
        put_err(err, errlen, "%s%s", "out of memory", "");
        return NULL;
    }
    o->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (o->fd < 0 || bind(o->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        char what[64];
        snprintf(what, sizeof what, "%s:%d", host, port);
        put_err(err, errlen, "cannot open OSC port %s: %s", what, strerror(errno));
        freeaddrinfo(ai);
        if (o->fd >= 0)
            close(o->fd);
        free(o);
        return NULL;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(o->fd, (struct sockaddr *)&ss, &sl);
    o->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    for (int i = 0; i < n_allow && o->n_allow < AT_OSC_MAX_ALLOW; i++)
        o->allow[o->n_allow++] = strdup(allow[i]);
    o->handler = handler;
    o->user = user;
    return o;
}

void at_osc_close(AtOsc *o)
{
    if (!o)
        return;
    close(o->fd);
    for (int i = 0; i < o->n_allow; i++)
        free(o->allow[i]);
    free(o);
}

int at_osc_fd(const AtOsc *o)
{
    return o->fd;
}

int at_osc_port(const AtOsc *o)
{
    return o->port;
}

unsigned at_osc_bad_packets(const AtOsc *o)
{
    return o->bad;
}

int at_osc_surface_count(const AtOsc *o)
{
    return o->n_surfaces;
}

const char *at_osc_arg_str(const lo_arg *a)
{
    return (const char *)a;
}

/* The numeric readers: liblo's argument may not be aligned for its type,
 * so each copies the bytes out. */
#define AT_OSC_ARG_READER(name, type)                                                              \
    type name(const lo_arg *a)                                                                     \
    {                                                                                              \
        type v;                                                                                    \
        memcpy(&v, a, sizeof v);                                                                   \
        return v;                                                                                  \
    }
AT_OSC_ARG_READER(at_osc_arg_i32, int32_t)
AT_OSC_ARG_READER(at_osc_arg_f32, float)
AT_OSC_ARG_READER(at_osc_arg_f64, double)
AT_OSC_ARG_READER(at_osc_arg_i64, int64_t)

static bool is_loopback(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
    if (a->ss_family == AF_INET6) {
        const struct in6_addr *x = &((const struct sockaddr_in6 *)a)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(x))
            return true;
        if (IN6_IS_ADDR_V4MAPPED(x))
            return x->s6_addr[12] == 127;
    }
    return false;
}

bool at_osc_addr_match(const char *rule, const struct sockaddr_storage *addr)
{
    char ip[64];
    int bits = -1;
    snprintf(ip, sizeof ip, "%s", rule);
    char *slash = strchr(ip, '/');
    if (slash) {
        *slash = 0;
        bits = atoi(slash + 1);
    }
    unsigned char want[16], have[16];
    int len;
    if (inet_pton(AF_INET, ip, want) == 1) {
        len = 4;
        if (addr->ss_family == AF_INET) {
            memcpy(have, &((const struct sockaddr_in *)addr)->sin_addr, 4);
        } else if (addr->ss_family == AF_INET6 &&
                   IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)addr)->sin6_addr)) {
            memcpy(have, ((const struct sockaddr_in6 *)addr)->sin6_addr.s6_addr + 12, 4);
        } else {
            return false;
        }
    } else if (inet_pton(AF_INET6, ip, want) == 1) {
        len = 16;
        if (addr->ss_family != AF_INET6)
            return false;
        memcpy(have, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
    } else {
        return false;
    }
    if (bits < 0 || bits > len * 8)
        bits = len * 8;
    for (int b = 0; b < bits; b++) {
        int byte = b / 8, mask = 0x80 >> (b % 8);
        if ((want[byte] & mask) != (have[byte] & mask))
            return false;
    }
    return true;
}

static bool allowed(const AtOsc *o, const struct sockaddr_storage *from)
{
    if (is_loopback(from))
        return true;
    for (int i = 0; i < o->n_allow; i++)
        if (at_osc_addr_match(o->allow[i], from))
            return true;
    return false;
}

static bool same_addr(const struct sockaddr_storage *a, socklen_t al,
                      const struct sockaddr_storage *b, socklen_t bl)
{
    return al == bl && memcmp(a, b, al) == 0;
}

static void remember_surface(AtOsc *o, const struct sockaddr_storage *from, socklen_t len)
{
    for (int i = 0; i < o->n_surfaces; i++)
        if (same_addr(&o->surfaces[i], o->surface_len[i], from, len))
            return;
    int slot;
    if (o->n_surfaces < AT_OSC_MAX_SURFACES) {
        slot = o->n_surfaces++;
    } else {
        slot = o->next_surface;
        o->next_surface = (o->next_surface + 1) % AT_OSC_MAX_SURFACES;
    }
    o->surfaces[slot] = *from;
    o->surface_len[slot] = len;
}

/* Length of the OSC string at p (with padding), or 0 if not terminated. */
static size_t osc_string_len(const unsigned char *p, size_t avail)
{
    const unsigned char *z = memchr(p, 0, avail);
    if (!z)
        return 0;
    size_t n = (size_t)(z - p) + 1;
    n = (n + 3) & ~(size_t)3;
    return n <= avail ? n : 0;
}

static int dispatch(AtOsc *o, unsigned char *data, size_t size, const struct sockaddr_storage *from,
                    socklen_t fromlen, int depth)
{
    if (size < 8 || depth > 8) {
        o->bad++;
        return 0;
    }
    if (memcmp(data, "#bundle", 8) == 0) {
        /* Timetags are ignored: a control surface wants changes now. */
        size_t pos = 16;
        int n = 0;
        while (pos + 4 <= size) {
            uint32_t len;
            memcpy(&len, data + pos, 4);
            len = ntohl(len);
            pos += 4;
            if (len > size - pos || (len & 3)) {
                o->bad++;
                return n;
            }
            n += dispatch(o, data + pos, len, from, fromlen, depth + 1);
            pos += len;
        }
        return n;
    }
    if (data[0] != '/' || osc_string_len(data, size) == 0) {
        o->bad++;
        return 0;
    }
    int result = 0;
    lo_message m = lo_message_deserialise(data, size, &result);
    if (!m) {
        o->bad++;
        return 0;
    }
    remember_surface(o, from, fromlen);
    AtOscMsg msg = {
        .path = (const char *)data,
        .types = lo_message_get_types(m),
        .argv = lo_message_get_argv(m),
        .argc = lo_message_get_argc(m),
        .allowed = allowed(o, from),
        .from = *from,
        .fromlen = fromlen,
    };
    if (!msg.types)
        msg.types = "";
    o->handler(o->user, o, &msg);
    lo_message_free(m);
    return 1;
}

int at_osc_dispatch_packet(AtOsc *o, unsigned char *data, size_t size,
                           const struct sockaddr_storage *from, socklen_t fromlen)
{
    return dispatch(o, data, size, from, fromlen, 0);
}

int at_osc_receive(AtOsc *o)
{
    int n = 0;
    for (;;) {
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof from;
        ssize_t got =
            recvfrom(o->fd, o->buf, sizeof o->buf - 1, 0, (struct sockaddr *)&from, &fromlen);
        if (got < 0)
            break;
        o->buf[got] = 0;
        n += dispatch(o, o->buf, (size_t)got, &from, fromlen, 0);
    }
    return n;
}

void at_osc_add_strings(lo_message m, const char *a, const char *b, const char *c)
{
    const char *s[] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (s[i])
            lo_message_add_string(m, s[i]);
}

bool at_osc_send_to(AtOsc *o, const struct sockaddr_storage *to, socklen_t tolen, const char *path,
                    lo_message m)
{
    size_t size = 0;
    void *data = lo_message_serialise(m, path, NULL, &size);
    if (!data)
        return false;
    ssize_t sent = sendto(o->fd, data, size, 0, (const struct sockaddr *)to, tolen);
    free(data);
    return sent == (ssize_t)size;
}

void at_osc_send_surfaces(AtOsc *o, const char *path, lo_message m)
{
    for (int i = 0; i < o->n_surfaces; i++)
        at_osc_send_to(o, &o->surfaces[i], o->surface_len[i], path, m);
}
