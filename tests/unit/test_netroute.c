/* test_netroute.c - connections across hosts (clients/session/netroute.c,
 * docs/sessions.md "Studios across machines"): which legs a connection
 * takes, which NetJACK2 channel carries which port, and the error when a
 * host has no channel left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdbool.h>
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

/* One test's session and the last route asked for. */
typedef struct {
    SsSession s;
    SsLeg l[SS_ROUTE_MAX_LEGS];
    int n;
    char err[256];
} Fx;

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    load(&f->s);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    ss_session_free(&f->s);
    free(f);
    return 0;
}

/* Route from -> to into f->l / f->n / f->err. */
static bool route(Fx *f, const char *from, const char *to, bool midi)
{
    return ss_route(&f->s, &ch, from, to, midi, f->l, &f->n, f->err, sizeof f->err);
}

/* The route from -> to must be found and take n legs. */
static void expect_route(Fx *f, const char *from, const char *to, bool midi, int n)
{
    assert_true(route(f, from, to, midi));
    assert_int_equal(f->n, n);
}

static void expect_leg(const SsLeg *l, int host, const char *from, const char *to)
{
    assert_int_equal(l->host, host);
    assert_string_equal(l->from, from);
    assert_string_equal(l->to, to);
}

static void hosts_of_ports(void **state)
{
    Fx *f = *state;
    assert_int_equal(ss_route_host_of(&f->s, "fm:out_L"), 0);
    assert_int_equal(ss_route_host_of(&f->s, "fx:out_R"), 1);
    assert_int_equal(ss_route_host_of(&f->s, "gen:red"), -1);
    assert_int_equal(ss_route_host_of(&f->s, "system:playback_1"), -1);
    assert_int_equal(ss_route_host_of(&f->s, "no-colon"), -1);
}

static void local_and_same_host(void **state)
{
    Fx *f = *state;
    expect_route(f, "gen:red", "system:midi_playback_1", true, 1);
    expect_leg(&f->l[0], -1, "gen:red", "system:midi_playback_1");
    expect_route(f, "fm:out_L", "fm2:in", false, 1);
    expect_leg(&f->l[0], 0, "fm:out_L", "fm2:in"); /* made on pi alone */
}

static void remote_to_local_and_back(void **state)
{
    Fx *f = *state;
    expect_route(f, "fm:out_L", "system:playback_1", false, 2);
    expect_leg(&f->l[0], 0, "fm:out_L", "system:playback_1");
    expect_leg(&f->l[1], -1, "pi:from_slave_1", "system:playback_1");
    assert_true(route(f, "fm:out_R", "system:playback_2", false));
    expect_leg(&f->l[0], 0, "fm:out_R", "system:playback_2");
    expect_leg(&f->l[1], -1, "pi:from_slave_2", "system:playback_2");
    /* The same source again keeps its channel. */
    assert_true(route(f, "fm:out_L", "rec:in_L", false));
    expect_leg(&f->l[1], -1, "pi:from_slave_1", "rec:in_L");
    /* MIDI into the host: to the net port here, from its capture there. */
    expect_route(f, "gen:red", "fm:midi_in", true, 2);
    expect_leg(&f->l[0], -1, "gen:red", "pi:midi_to_slave_1");
    expect_leg(&f->l[1], 0, "system:midi_capture_1", "fm:midi_in");
    assert_true(route(f, "gen:red", "fm2:midi_in", true));
    expect_leg(&f->l[1], 0, "system:midi_capture_1", "fm2:midi_in");
}

static void host_to_host_and_full(void **state)
{
    Fx *f = *state;
    expect_route(f, "fm:out_L", "fx:in", false, 3);
    expect_leg(&f->l[0], 0, "fm:out_L", "system:playback_1");
    expect_leg(&f->l[1], -1, "pi:from_slave_1", "mac:to_slave_1");
    expect_leg(&f->l[2], 1, "system:capture_1", "fx:in");
    /* mac has one audio-send channel: a second source finds none. */
    assert_false(route(f, "fm:out_R", "fx:in", false));
    assert_int_equal(f->n, 0);
    assert_string_equal(f->err, "no free NetJACK2 channel for pi:from_slave_2 on host 'mac': its 1 "
                                "audio-send channels are taken; raise audio-send of that host");
    /* and no MIDI channel at all towards mac */
    assert_false(route(f, "gen:red", "fx:midi_in", true));
    assert_non_null(strstr(f->err, "its 0 midi-send channels are taken"));
    /* pi has two audio-return channels */
    assert_true(route(f, "fm2:out_L", "system:playback_1", false));
    assert_false(route(f, "fm2:out_R", "system:playback_2", false));
    assert_non_null(strstr(f->err, "on host 'pi': its 2 audio-return channels are taken"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
TU_MAIN(T(hosts_of_ports), T(local_and_same_host), T(remote_to_local_and_back),
        T(host_to_host_and_full))
