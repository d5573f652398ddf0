/* test_netroute.c - connections across hosts (clients/session/netroute.c,
 * docs/sessions.md "Studios across machines"): which legs a connection
 * takes, which NetJACK2 channel carries which port, and the error when a
 * host has no channel left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/session/netroute.h"

static SsChannels ch;

static void load(SsSession *s)
{
    char err[512];
    memset(&ch, 0, sizeof ch);
    int st = ss_session_parse(
        s,
        "hosts = ( { name = \"pi\"; address = \"10.0.0.2\"; secret = \"s3cret-42\"; },\n"
        "  { name = \"mac\"; address = \"10.0.0.3\"; secret = \"s3cret-43\"; audio-send = 1;\n"
        "    midi-send = 0; } );\n"
        "clients = ( { id = \"fm\"; command = \"aiotone-fmsynth\"; host = \"pi\"; },\n"
        "  { id = \"fm2\"; command = \"aiotone-fmsynth\"; host = \"pi\"; },\n"
        "  { id = \"fx\"; command = \"aiotone-fmsynth\"; host = \"mac\"; },\n"
        "  { id = \"gen\"; command = \"aiotone-mothergen\"; } );",
        "s.conf", err, sizeof err);
    if (st != AT_OK)
        fail_msg("%s", err);
}

static void expect_leg(const SsLeg *l, int host, const char *from, const char *to)
{
    assert_int_equal(l->host, host);
    assert_string_equal(l->from, from);
    assert_string_equal(l->to, to);
}

static void hosts_of_ports(void **state)
{
    (void)state;
    SsSession s;
    load(&s);
    assert_int_equal(ss_route_host_of(&s, "fm:out_L"), 0);
    assert_int_equal(ss_route_host_of(&s, "fx:out_R"), 1);
    assert_int_equal(ss_route_host_of(&s, "gen:red"), -1);
    assert_int_equal(ss_route_host_of(&s, "system:playback_1"), -1);
    assert_int_equal(ss_route_host_of(&s, "no-colon"), -1);
    ss_session_free(&s);
}

static void local_and_same_host(void **state)
{
    (void)state;
    SsSession s;
    SsLeg l[SS_ROUTE_MAX_LEGS];
    int n;
    char err[256];
    load(&s);
    assert_true(ss_route(&s, &ch, "gen:red", "system:midi_playback_1", true, l, &n, err, 256));
    assert_int_equal(n, 1);
    expect_leg(&l[0], -1, "gen:red", "system:midi_playback_1");
    assert_true(ss_route(&s, &ch, "fm:out_L", "fm2:in", false, l, &n, err, 256));
    assert_int_equal(n, 1);
    expect_leg(&l[0], 0, "fm:out_L", "fm2:in"); /* made on pi alone */
    ss_session_free(&s);
}

static void remote_to_local_and_back(void **state)
{
    (void)state;
    SsSession s;
    SsLeg l[SS_ROUTE_MAX_LEGS];
    int n;
    char err[256];
    load(&s);
    assert_true(ss_route(&s, &ch, "fm:out_L", "system:playback_1", false, l, &n, err, 256));
    assert_int_equal(n, 2);
    expect_leg(&l[0], 0, "fm:out_L", "system:playback_1");
    expect_leg(&l[1], -1, "pi:from_slave_1", "system:playback_1");
    assert_true(ss_route(&s, &ch, "fm:out_R", "system:playback_2", false, l, &n, err, 256));
    expect_leg(&l[0], 0, "fm:out_R", "system:playback_2");
    expect_leg(&l[1], -1, "pi:from_slave_2", "system:playback_2");
    /* The same source again keeps its channel. */
    assert_true(ss_route(&s, &ch, "fm:out_L", "rec:in_L", false, l, &n, err, 256));
    expect_leg(&l[1], -1, "pi:from_slave_1", "rec:in_L");
    /* MIDI into the host: to the net port here, from its capture there. */
    assert_true(ss_route(&s, &ch, "gen:red", "fm:midi_in", true, l, &n, err, 256));
    assert_int_equal(n, 2);
    expect_leg(&l[0], -1, "gen:red", "pi:midi_to_slave_1");
    expect_leg(&l[1], 0, "system:midi_capture_1", "fm:midi_in");
    assert_true(ss_route(&s, &ch, "gen:red", "fm2:midi_in", true, l, &n, err, 256));
    expect_leg(&l[1], 0, "system:midi_capture_1", "fm2:midi_in");
    ss_session_free(&s);
}

static void host_to_host_and_full(void **state)
{
    (void)state;
    SsSession s;
    SsLeg l[SS_ROUTE_MAX_LEGS];
    int n;
    char err[256];
    load(&s);
    assert_true(ss_route(&s, &ch, "fm:out_L", "fx:in", false, l, &n, err, 256));
    assert_int_equal(n, 3);
    expect_leg(&l[0], 0, "fm:out_L", "system:playback_1");
    expect_leg(&l[1], -1, "pi:from_slave_1", "mac:to_slave_1");
    expect_leg(&l[2], 1, "system:capture_1", "fx:in");
    /* mac has one audio-send channel: a second source finds none. */
    assert_false(ss_route(&s, &ch, "fm:out_R", "fx:in", false, l, &n, err, 256));
    assert_int_equal(n, 0);
    assert_string_equal(err, "no free NetJACK2 channel for pi:from_slave_2 on host 'mac': its 1 "
                             "audio-send channels are taken; raise audio-send of that host");
    /* and no MIDI channel at all towards mac */
    assert_false(ss_route(&s, &ch, "gen:red", "fx:midi_in", true, l, &n, err, 256));
    assert_non_null(strstr(err, "its 0 midi-send channels are taken"));
    /* pi has two audio-return channels */
    assert_true(ss_route(&s, &ch, "fm2:out_L", "system:playback_1", false, l, &n, err, 256));
    assert_false(ss_route(&s, &ch, "fm2:out_R", "system:playback_2", false, l, &n, err, 256));
    assert_non_null(strstr(err, "on host 'pi': its 2 audio-return channels are taken"));
    ss_session_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hosts_of_ports),
        cmocka_unit_test(local_and_same_host),
        cmocka_unit_test(remote_to_local_and_back),
        cmocka_unit_test(host_to_host_and_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
