/* Unit tests for common/osc: allow-list matching, loopback binding,
 * dispatch of messages and bundles, malformed packets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "osc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A socket address for ip (IPv4 dotted or IPv6), port 0. */
static struct sockaddr_storage addr(const char *ip)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    int ok;
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        ok = inet_pton(AF_INET6, ip, &a->sin6_addr);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        ok = inet_pton(AF_INET, ip, &a->sin_addr);
    }
    if (ok != 1)
        fail_msg("bad address in the test: %s", ip);
    return ss;
}

static void test_addr_match(void **s)
{
    (void)s;
    struct sockaddr_storage a = addr("192.168.1.20"), b = addr("192.168.2.20");
    assert_true(at_osc_addr_match("192.168.1.20", &a));
    assert_false(at_osc_addr_match("192.168.1.21", &a));
    assert_true(at_osc_addr_match("192.168.1.0/24", &a));
    assert_false(at_osc_addr_match("192.168.1.0/24", &b));
    assert_true(at_osc_addr_match("192.168.0.0/16", &b));
    assert_true(at_osc_addr_match("0.0.0.0/0", &b));
    assert_false(at_osc_addr_match("not-an-ip", &a));
    struct sockaddr_storage m = addr("::ffff:192.168.1.20"), x = addr("fe80::1");
    assert_true(at_osc_addr_match("192.168.1.20", &m));
    assert_true(at_osc_addr_match("fe80::/10", &x));
    assert_false(at_osc_addr_match("fe80::1", &a));
}

typedef struct {
    int calls;
    char last_path[64];
    char last_types[16];
    int last_i;
    bool allowed;
} Seen;

static void handler(void *user, AtOsc *osc, const AtOscMsg *msg)
{
    (void)osc;
    Seen *seen = user;
    seen->calls++;
    snprintf(seen->last_path, sizeof seen->last_path, "%s", msg->path);
    snprintf(seen->last_types, sizeof seen->last_types, "%s", msg->types);
    seen->last_i = msg->argc > 0 && msg->types[0] == 'i' ? at_osc_arg_i32(msg->argv[0]) : -1;
    seen->allowed = msg->allowed;
}

static size_t build(unsigned char *buf, const char *path, int value)
{
    lo_message m = lo_message_new();
    lo_message_add_int32(m, value);
    size_t size = 0;
    lo_message_serialise(m, path, buf, &size);
    lo_message_free(m);
    return size;
}

static void test_dispatch_messages_bundles_and_junk(void **s)
{
    (void)s;
    Seen seen = {0};
    char err[256];
    const char *allow[] = {"10.0.0.0/8"};
    AtOsc *o = at_osc_open("127.0.0.1", 0, allow, 1, handler, &seen, err, sizeof err);
    assert_non_null(o);
    assert_true(at_osc_port(o) > 0);
    unsigned char buf[512];
    struct sockaddr_storage lo = addr("127.0.0.1"), lan = addr("10.1.2.3"), far = addr("8.8.8.8");
    size_t n = build(buf, "/t/x", 42);
    buf[n] = 0;
    assert_int_equal(at_osc_dispatch_packet(o, buf, n, &lo, sizeof lo), 1);
    assert_string_equal(seen.last_path, "/t/x");
    assert_string_equal(seen.last_types, "i");
    assert_int_equal(seen.last_i, 42);
    assert_true(seen.allowed);
    at_osc_dispatch_packet(o, buf, n, &lan, sizeof lan);
    assert_true(seen.allowed);
    at_osc_dispatch_packet(o, buf, n, &far, sizeof far);
    assert_false(seen.allowed); /* delivered, but marked: changes are refused */
    assert_int_equal(at_osc_surface_count(o), 3);

    /* a bundle of two messages */
    unsigned char bundle[512];
    memcpy(bundle, "#bundle\0", 8);
    memset(bundle + 8, 0, 8);
    size_t pos = 16;
    for (int k = 0; k < 2; k++) {
        unsigned char one[128];
        size_t len = build(one, "/t/y", 7 + k);
        uint32_t be = htonl((uint32_t)len);
        memcpy(bundle + pos, &be, 4);
        memcpy(bundle + pos + 4, one, len);
        pos += 4 + len;
    }
    bundle[pos] = 0;
    seen.calls = 0;
    assert_int_equal(at_osc_dispatch_packet(o, bundle, pos, &lo, sizeof lo), 2);
    assert_int_equal(seen.last_i, 8);

    /* junk: no leading slash, truncated arguments, lying bundle length */
    seen.calls = 0;
    unsigned char junk[64] = "hello world, not OSC";
    at_osc_dispatch_packet(o, junk, 20, &lo, sizeof lo);
    memcpy(junk, "/t/x\0\0\0\0,i\0\0", 12);
    at_osc_dispatch_packet(o, junk, 12, &lo, sizeof lo);
    bundle[16] = 0x7f; /* element length far past the end */
    at_osc_dispatch_packet(o, bundle, pos, &lo, sizeof lo);
    assert_int_equal(seen.calls, 0);
    assert_true(at_osc_bad_packets(o) >= 3);
    at_osc_close(o);
}

static void test_bad_bind_address(void **s)
{
    (void)s;
    Seen seen = {0};
    char err[256] = "";
    assert_null(at_osc_open("localhost-ish", 0, NULL, 0, handler, &seen, err, sizeof err));
    assert_non_null(strstr(err, "not an IP address"));
}

TU_MAIN(cmocka_unit_test(test_addr_match),
        cmocka_unit_test(test_dispatch_messages_bundles_and_junk),
        cmocka_unit_test(test_bad_bind_address))
