/* test_sessconf_hosts.c - session.conf's `hosts` list and the per-client
 * `host` key (clients/session/hosts.c, docs/sessions.md "Studios across
 * machines"): defaults, every range, every error (file, line, key, value,
 * what is allowed), and writing back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/session/sessconf.h"

static void expect_error(const char *text, const char *want)
{
    SsSession s;
    char err[1024] = "";
    AtStatus st = ss_session_parse(&s, text, "s.conf", err, sizeof err);
    if (st != AT_ERR_USAGE || !strstr(err, want))
        fail_msg("'%s': status %d, error '%s', wanted '%s'", text, st, err, want);
    assert_int_equal(s.n_clients, 0);
    assert_int_equal(s.n_hosts, 0);
}

/* Host h's numbers: port, audio-send, audio-return, midi-send,
 * midi-return, latency. */
static void expect_numbers(const SsHostDef *h, int port, int audio_send, int audio_return,
                           int midi_send, int midi_return, int latency)
{
    assert_int_equal(h->port, port);
    assert_int_equal(h->audio_send, audio_send);
    assert_int_equal(h->audio_return, audio_return);
    assert_int_equal(h->midi_send, midi_send);
    assert_int_equal(h->midi_return, midi_return);
    assert_int_equal(h->latency, latency);
}

#define PI "{ name = \"pi\"; address = \"10.0.0.2\"; secret = \"s3cret-42\"; }"

static void defaults(void **state)
{
    (void)state;
    SsSession s;
    char err[512];
    assert_int_equal(ss_session_parse(&s,
                                      "hosts = ( " PI " );\n"
                                      "clients = ( { id = \"fm\"; command = \"aiotone-fmsynth\"; "
                                      "host = \"pi\"; },\n"
                                      "  { id = \"clock\"; command = \"aiotone-clock\"; } );",
                                      "s.conf", err, sizeof err),
                     AT_OK);
    assert_int_equal(s.n_hosts, 1);
    const SsHostDef *h = &s.hosts[0];
    assert_string_equal(h->name, "pi");
    assert_string_equal(h->address, "10.0.0.2");
    assert_string_equal(h->secret, "s3cret-42");
    expect_numbers(h, 7780, 2, 2, 1, 1, 2);
    assert_string_equal(s.clients[0].host, "pi");
    assert_string_equal(s.clients[1].host, ""); /* default: this machine */
    ss_session_free(&s);
}

static void every_key(void **state)
{
    (void)state;
    SsSession s;
    char err[512];
    assert_int_equal(ss_session_parse(&s,
                                      "hosts = ( { name = \"room-2\"; address = \"192.168.1.20\"; "
                                      "port = 9000; secret = \"abcdefgh\"; audio-send = 0; "
                                      "audio-return = 64; midi-send = 16; midi-return = 0; "
                                      "latency = 10; } );",
                                      "s.conf", err, sizeof err),
                     AT_OK);
    const SsHostDef *h = &s.hosts[0];
    expect_numbers(h, 9000, 0, 64, 16, 0, 10);
    ss_session_free(&s);
}

static void errors(void **state)
{
    (void)state;
    expect_error("hosts = 3;", "s.conf:1: key 'hosts': must be a list");
    expect_error("hosts = ( 3 );", "key 'hosts.[0]': each host must be a group");
    expect_error("hosts = ( { address = \"10.0.0.2\"; secret = \"s3cret-42\"; } );",
                 "key 'hosts.[0]': missing 'name' (a string)");
    expect_error("hosts = ( { name = \"pi\"; secret = \"s3cret-42\"; } );", "missing 'address'");
    expect_error("hosts = ( { name = \"pi\"; address = \"10.0.0.2\"; } );", "missing 'secret'");
    expect_error(
        "hosts = (\n { name = \"p i\"; address = \"10.0.0.2\"; secret = \"s3cret-42\"; } );",
        "s.conf:2: key 'hosts.[0].name': bad value \"p i\": a host name uses only "
        "letters, digits, _ and -");
    expect_error("hosts = ( { name = \"pi\"; address = \"pi.local\"; secret = \"s3cret-42\"; } );",
                 "key 'hosts.[0].address': bad value \"pi.local\": an IPv4 address");
    expect_error(
        "hosts = ( { name = \"pi\"; address = \"10.0.0.256\"; secret = \"s3cret-42\"; } );",
        "key 'hosts.[0].address'");
    expect_error("hosts = ( { name = \"pi\"; address = \"10.0.0.2\"; secret = \"short\"; } );",
                 "key 'hosts.[0].secret': bad value: a shared secret is 8..127 printable");
    expect_error("hosts = ( { name = \"pi\"; address = \"10.0.0.2\"; secret = \"has space\"; } );",
                 "key 'hosts.[0].secret'");
    expect_error("hosts = ( { name = \"pi\"; address = \"10.0.0.2\"; secret = \"s3cret-42\"; "
                 "latency = 11; } );",
                 "key 'hosts.[0].latency': bad value 11: must be 0..10");
    expect_error("hosts = ( { name = \"pi\"; address = \"10.0.0.2\"; secret = \"s3cret-42\"; "
                 "port = 0; } );",
                 "key 'hosts.[0].port': bad value 0: must be 1..65535");
    expect_error("hosts = ( { name = \"pi\"; address = \"10.0.0.2\"; secret = \"s3cret-42\"; "
                 "audio-send = 65; } );",
                 "key 'hosts.[0].audio-send': bad value 65: must be 0..64");
    expect_error("hosts = ( { name = \"pi\"; address = \"10.0.0.2\"; secret = \"s3cret-42\"; "
                 "midi-return = 17; } );",
                 "key 'hosts.[0].midi-return': bad value 17: must be 0..16");
    expect_error("hosts = ( { name = \"pi\"; address = \"10.0.0.2\"; secret = \"s3cret-42\"; "
                 "latency = \"2\"; } );",
                 "key 'hosts.[0].latency': must be a whole number 0..10");
    expect_error("hosts = ( { name = \"pi\"; address = \"10.0.0.2\"; secret = \"s3cret-42\"; "
                 "channels = 2; } );",
                 "key 'hosts.[0].channels': unknown key: allowed are name, address, port, secret");
    expect_error("hosts = ( " PI ",\n " PI " );",
                 "s.conf:2: key 'hosts.[1].name': host name \"pi\" is used twice");
    expect_error("clients = ( { id = \"fm\"; command = \"aiotone-fmsynth\"; host = \"pi\"; } );",
                 "key 'clients.[0].host': bad value \"pi\": not a host of this session: allowed "
                 "are the names in hosts (none here)");
    expect_error("hosts = ( " PI " );\nclients = ( { id = \"fm\"; command = \"aiotone-fmsynth\";\n"
                 " host = \"mac\"; } );",
                 "s.conf:3: key 'clients.[0].host': bad value \"mac\": not a host of this "
                 "session: allowed are the names in hosts: \"pi\"");
    expect_error("hosts = ( " PI " );\nclients = ( { id = \"fm\"; command = \"aiotone-fmsynth\"; "
                 "host = 2; } );",
                 "key 'clients.[0].host': must be a string");
    expect_error("hosts = ( " PI
                 " );\nclients = ( { id = \"pi\"; command = \"aiotone-fmsynth\"; } );",
                 "key 'clients.[0].id': client id \"pi\" is also a host's name");
}

static void written_back(void **state)
{
    (void)state;
    const char *text =
        "# my studio\nhosts = ( { name = \"pi\"; address = \"10.0.0.2\"; secret = "
        "\"s3cret-42\"; latency = 4; } );\n"
        "clients = ( { id = \"fm\"; command = \"aiotone-fmsynth\"; host = \"pi\"; } );\n";
    SsSession a, b, c;
    char err[512];
    assert_int_equal(ss_session_parse(&a, text, "s.conf", err, sizeof err), AT_OK);
    char *out = ss_session_format(&a);
    assert_non_null(out);
    assert_int_equal(ss_session_parse(&b, out, "out", err, sizeof err), AT_OK);
    assert_true(ss_session_same(&a, &b));
    assert_int_equal(b.hosts[0].latency, 4);
    assert_string_equal(b.clients[0].host, "pi");
    /* A save that adds a connection keeps the hosts text as written. */
    assert_true(ss_session_add_conn(&b, "fm:out_L", "system:playback_1"));
    char *edit = ss_session_update_text(text, &a, &b);
    assert_non_null(edit);
    assert_non_null(strstr(edit, "secret = \"s3cret-42\"; latency = 4; } );"));
    assert_int_equal(ss_session_parse(&c, edit, "edit", err, sizeof err), AT_OK);
    assert_true(ss_session_same(&b, &c));
    /* A different host is a different session. */
    c.hosts[0].latency = 3;
    assert_false(ss_session_same(&b, &c));
    snprintf(c.hosts[0].name, sizeof c.hosts[0].name, "pi");
    c.hosts[0].latency = 4;
    c.clients[0].host[0] = 0;
    assert_false(ss_session_same(&b, &c));
    free(out);
    free(edit);
    ss_session_free(&a);
    ss_session_free(&b);
    ss_session_free(&c);
}

TU_MAIN(cmocka_unit_test(defaults), cmocka_unit_test(every_key), cmocka_unit_test(errors),
        cmocka_unit_test(written_back))
