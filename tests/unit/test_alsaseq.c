/* test_alsaseq.c - unit tests of common/alsaseq: which JACK port bridges an
 * ALSA sequencer port (a2jmidid, jackd's seq bridge, PipeWire), whatever the
 * client number; "alsa:CLIENT:PORT" specs; and, on a machine without a
 * sequencer, the clear error of at_seq_list. The names below are the ones
 * the bridges made in the test VM (tests/vm) for snd-virmidi ports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alsaseq.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define VM_CLIENT "Virtual Raw MIDI 0-0"
#define VM_PORT "VirMIDI 0-0"

static bool a2j(const char *cl, const char *po, bool capture, const char *jack)
{
    return at_seq_bridge_match(cl, po, capture, jack, NULL, 0);
}

static AtSeqPort port_of(int client, int port, const char *cl, const char *po)
{
    AtSeqPort p;
    memset(&p, 0, sizeof p);
    p.client = client;
    p.port = port;
    snprintf(p.client_name, sizeof p.client_name, "%s", cl);
    snprintf(p.port_name, sizeof p.port_name, "%s", po);
    p.readable = p.writable = p.hardware = true;
    return p;
}

/* a2jmidid -e in the VM: "CLIENT [N] (capture): PORT". */
static void a2j_names_match_their_port_and_direction(void **state)
{
    (void)state;
    assert_true(
        a2j(VM_CLIENT, VM_PORT, true, "a2j:Virtual Raw MIDI 0-0 [16] (capture): VirMIDI 0-0"));
    assert_true(
        a2j(VM_CLIENT, VM_PORT, false, "a2j:Virtual Raw MIDI 0-0 [16] (playback): VirMIDI 0-0"));
    assert_false(
        a2j(VM_CLIENT, VM_PORT, false, "a2j:Virtual Raw MIDI 0-0 [16] (capture): VirMIDI 0-0"));
    assert_false(
        a2j(VM_CLIENT, VM_PORT, true, "a2j:Virtual Raw MIDI 0-0 [16] (playback): VirMIDI 0-0"));
}

/* The point of matching by name: a replug gives the client another number. */
static void a2j_match_ignores_the_client_number(void **state)
{
    (void)state;
    const char *names[] = {"a2j:Virtual Raw MIDI 0-0 [20] (capture): VirMIDI 0-0",
                           "a2j:Virtual Raw MIDI 0-0 [128] (capture): VirMIDI 0-0",
                           "a2j:Virtual Raw MIDI 0-0 (capture): VirMIDI 0-0"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_true(a2j(VM_CLIENT, VM_PORT, true, names[i]));
    /* ... but the number must be a number. */
    assert_false(
        a2j(VM_CLIENT, VM_PORT, true, "a2j:Virtual Raw MIDI 0-0 [] (capture): VirMIDI 0-0"));
    assert_false(
        a2j(VM_CLIENT, VM_PORT, true, "a2j:Virtual Raw MIDI 0-0 [x] (capture): VirMIDI 0-0"));
}

/* Neighbouring devices and name prefixes must not match each other. */
static void a2j_match_needs_the_whole_names(void **state)
{
    (void)state;
    const char *jack = "a2j:Virtual Raw MIDI 0-1 [17] (capture): VirMIDI 0-1";
    assert_false(a2j(VM_CLIENT, VM_PORT, true, jack));
    assert_true(a2j("Virtual Raw MIDI 0-1", "VirMIDI 0-1", true, jack));
    assert_false(a2j("Virtual Raw MIDI 0", "VirMIDI 0-1", true, jack));
    assert_false(a2j("Virtual Raw MIDI 0-1", "VirMIDI 0", true, jack));
    assert_false(a2j("Virtual Raw MIDI 0-1", "VirMIDI 0-1 ", true, jack));
    assert_false(a2j("Virtual Raw MIDI 0-1", "VirMIDI 0-10", true, jack));
    assert_false(a2j("", "", true, jack));
    assert_false(a2j(VM_CLIENT, VM_PORT, true, ""));
    assert_false(a2j(VM_CLIENT, VM_PORT, true, NULL));
}

/* a2jmidid turns bytes outside its set into spaces: ':' '.' '\'' and every
 * byte of a UTF-8 character; older versions also '-' '[' ']'. */
static void a2j_sanitized_names_match(void **state)
{
    (void)state;
    assert_true(a2j("Arturia KeyStep 32", "Arturia KeyStep 32 MIDI 1", true,
                    "a2j:Arturia KeyStep 32 [24] (capture): Arturia KeyStep 32 MIDI 1"));
    assert_true(a2j("M-Audio Keystation 49 MK3", "Keystation 49 MK3 MIDI 1", false,
                    "a2j:M-Audio Keystation 49 MK3 [28] (playback): Keystation 49 MK3 MIDI 1"));
    assert_true(a2j("Dr. Ant's Box", "out:1", true, "a2j:Dr  Ant s Box [30] (capture)  out 1"));
    assert_true(a2j("Caf\xc3\xa9", "Port", true, "a2j:Caf   [31] (capture)  Port"));
    /* Older a2jmidid: ':' kept, '-' replaced, no client number. */
    assert_true(a2j(VM_CLIENT, VM_PORT, true, "a2j:Virtual Raw MIDI 0 0 (capture): VirMIDI 0 0"));
    /* A letter is never a replacement. */
    assert_false(a2j("Caf\xc3\xa9", "Port", true, "a2j:Cafe  [31] (capture)  Port"));
    assert_false(a2j("Dr. Ant's Box", "out:1", true, "a2j:Dr  Ant s Box [30] (capture)  out 2"));
}

/* The match may come from an alias rather than the port's own name. */
static void aliases_are_searched(void **state)
{
    (void)state;
    const char *aliases[] = {"something:else",
                             "a2j:Virtual Raw MIDI 0-0 [16] (capture): VirMIDI 0-0"};
    assert_true(at_seq_bridge_match(VM_CLIENT, VM_PORT, true, "renamed:port", aliases, 2));
    assert_false(at_seq_bridge_match(VM_CLIENT, VM_PORT, true, "renamed:port", aliases, 1));
    assert_false(at_seq_bridge_match(VM_CLIENT, VM_PORT, false, "renamed:port", aliases, 2));
}

/* jackd -X seq in the VM: "system:midi_capture_2" (data FROM the device)
 * has aliases "alsa_pcm:Virtual-Raw-MIDI-0-0/midi_playback_1" and
 * "Virtual-Raw-MIDI-0-0:midi/playback_1" (jackd's own naming, sic). */
static void jackd_seq_aliases_match_by_client_name_and_port_number(void **state)
{
    (void)state;
    AtSeqPort p = port_of(16, 0, VM_CLIENT, VM_PORT);
    const char *cap[] = {"alsa_pcm:Virtual-Raw-MIDI-0-0/midi_playback_1",
                         "Virtual-Raw-MIDI-0-0:midi/playback_1"};
    const char *play[] = {"alsa_pcm:Virtual-Raw-MIDI-0-0/midi_capture_1",
                          "Virtual-Raw-MIDI-0-0:midi/capture_1"};
    for (int i = 0; i < 2; i++) {
        assert_true(at_seq_bridge_match_port(&p, true, "system:midi_capture_2", &cap[i], 1));
        assert_false(at_seq_bridge_match_port(&p, false, "system:midi_capture_2", &cap[i], 1));
        assert_true(at_seq_bridge_match_port(&p, false, "system:midi_playback_2", &play[i], 1));
        assert_false(at_seq_bridge_match_port(&p, true, "system:midi_playback_2", &play[i], 1));
    }
    /* Another client number, same device: still a match. */
    p.client = 24;
    assert_true(at_seq_bridge_match_port(&p, true, "system:midi_capture_7", cap, 2));
    /* Port 1 of the same client is "_2". */
    p.port = 1;
    assert_false(at_seq_bridge_match_port(&p, true, "system:midi_capture_2", cap, 2));
    const char *second[] = {"alsa_pcm:Virtual-Raw-MIDI-0-0/midi_playback_2"};
    assert_true(at_seq_bridge_match_port(&p, true, "system:midi_capture_3", second, 1));
    /* The names-only match cannot know port numbers, so it never claims these. */
    assert_false(at_seq_bridge_match(VM_CLIENT, VM_PORT, true, "system:midi_capture_2", cap, 2));
}

/* jackd keeps the alias in 64 bytes: a long client name is cut. */
static void jackd_truncated_alias_matches(void **state)
{
    (void)state;
    const char *cl = "A Very Long Client Name Of Some USB MIDI Interface With Extras";
    AtSeqPort p = port_of(20, 0, cl, "MIDI 1");
    char alias[128];
    snprintf(alias, sizeof alias, "alsa_pcm:%s/midi_playback_1", cl);
    for (char *c = alias; *c; c++)
        if (*c == ' ')
            *c = '-';
    alias[63] = '\0';
    const char *a[] = {alias};
    assert_true(at_seq_bridge_match_port(&p, true, "system:midi_capture_1", a, 1));
    alias[62] = '\0'; /* one byte shorter than jackd makes it: not this port */
    assert_false(at_seq_bridge_match_port(&p, true, "system:midi_capture_1", a, 1));
}

/* at_seq_bridge_match_port also knows the a2jmidid names. */
static void match_port_covers_a2j(void **state)
{
    (void)state;
    AtSeqPort p = port_of(20, 0, VM_CLIENT, VM_PORT);
    assert_true(at_seq_bridge_match_port(
        &p, true, "a2j:Virtual Raw MIDI 0-0 [16] (capture): VirMIDI 0-0", NULL, 0));
    assert_false(at_seq_bridge_match_port(NULL, true, "a2j:x", NULL, 0));
}

/* PipeWire's JACK layer: "Midi-Bridge:CLIENT:(capture_N) PORT". */
static void pipewire_names_match(void **state)
{
    (void)state;
    assert_true(a2j("Arturia KeyStep 32", "Arturia KeyStep 32 MIDI 1", true,
                    "Midi-Bridge:Arturia KeyStep 32:(capture_0) Arturia KeyStep 32 MIDI 1"));
    assert_true(a2j("Arturia KeyStep 32", "Arturia KeyStep 32 MIDI 1", false,
                    "Midi-Bridge:Arturia KeyStep 32:(playback_0) Arturia KeyStep 32 MIDI 1"));
    assert_false(a2j("Arturia KeyStep 32", "Arturia KeyStep 32 MIDI 1", true,
                     "Midi-Bridge:Arturia KeyStep 32:(playback_0) Arturia KeyStep 32 MIDI 1"));
    assert_false(a2j("Arturia KeyStep", "32 MIDI 1", true,
                     "Midi-Bridge:Arturia KeyStep 32:(capture_0) Arturia KeyStep 32 MIDI 1"));
}

static void parse_spec_splits_client_and_port(void **state)
{
    (void)state;
    char cl[64], po[64];
    assert_true(
        at_seq_parse_spec("alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0", cl, sizeof cl, po, sizeof po));
    assert_string_equal(cl, VM_CLIENT);
    assert_string_equal(po, VM_PORT);
    /* Spaces around the names (as aconnect pads them) are not part of them. */
    assert_true(at_seq_parse_spec("alsa: Midi Through : Midi Through Port-0   ", cl, sizeof cl, po,
                                  sizeof po));
    assert_string_equal(cl, "Midi Through");
    assert_string_equal(po, "Midi Through Port-0");
    /* The first ':' separates; a later one belongs to the port name. */
    assert_true(at_seq_parse_spec("alsa:Box:out:1", cl, sizeof cl, po, sizeof po));
    assert_string_equal(cl, "Box");
    assert_string_equal(po, "out:1");
    /* "\:" is a ':' inside the client name. */
    assert_true(at_seq_parse_spec("alsa:A\\:B:C", cl, sizeof cl, po, sizeof po));
    assert_string_equal(cl, "A:B");
    assert_string_equal(po, "C");
}

static void parse_spec_rejects_other_forms(void **state)
{
    (void)state;
    char cl[64], po[64];
    const char *bad[] = {"",
                         "alsa:",
                         "alsa:Midi Through",
                         "alsa::Midi Through Port-0",
                         "alsa:Midi Through:",
                         "alsa:Midi Through:   ",
                         "a2j:Midi Through:Port",
                         "Alsa:X:Y",
                         "system:midi_capture_1",
                         "alsa:A\\:B"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(at_seq_parse_spec(bad[i], cl, sizeof cl, po, sizeof po));
    assert_false(at_seq_parse_spec(NULL, cl, sizeof cl, po, sizeof po));
    /* Names that do not fit the caller's buffers are refused, not cut. */
    char small[4];
    assert_false(at_seq_parse_spec("alsa:Midi Through:P", small, sizeof small, po, sizeof po));
    assert_false(at_seq_parse_spec("alsa:M:Port-0", cl, sizeof cl, small, sizeof small));
    assert_true(at_seq_parse_spec("alsa:Mid:Por", small, sizeof small, po, sizeof po));
}

/* at_seq_find tries every ':' against the real ports, and follows a port
 * through renumbering because it never looks at numbers. */
static void find_uses_names_only(void **state)
{
    (void)state;
    AtSeqPort ports[] = {
        port_of(0, 0, "System", "Timer"),   port_of(14, 0, "Midi Through", "Midi Through Port-0"),
        port_of(16, 0, VM_CLIENT, VM_PORT), port_of(17, 0, "Virtual Raw MIDI 0-1", "VirMIDI 0-1"),
        port_of(20, 0, "Box", "out:1"),     port_of(21, 1, "Odd:Client", "in")};
    int n = (int)(sizeof ports / sizeof ports[0]);
    assert_int_equal(at_seq_find(ports, n, "alsa:Virtual Raw MIDI 0-1:VirMIDI 0-1"), 3);
    assert_int_equal(at_seq_find(ports, n, "alsa:Midi Through:Midi Through Port-0"), 1);
    assert_int_equal(at_seq_find(ports, n, "alsa:Box:out:1"), 4);
    assert_int_equal(at_seq_find(ports, n, "alsa:Odd:Client:in"), 5);
    assert_int_equal(at_seq_find(ports, n, "alsa:Odd\\:Client:in"), 5);
    assert_int_equal(at_seq_find(ports, n, "alsa:Virtual Raw MIDI 0-2:VirMIDI 0-2"), -1);
    assert_int_equal(at_seq_find(ports, n, "16:0"), -1);
    assert_int_equal(at_seq_find(ports, n, "alsa:Box:out"), -1);
    /* Renumbered (replug): same spec, new index and client number. */
    AtSeqPort after[] = {port_of(14, 0, "Midi Through", "Midi Through Port-0"),
                         port_of(24, 0, VM_CLIENT, VM_PORT)};
    int i = at_seq_find(after, 2, "alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0");
    assert_int_equal(i, 1);
    assert_int_equal(after[i].client, 24);
}

static void format_spec_round_trips(void **state)
{
    (void)state;
    AtSeqPort ports[] = {port_of(16, 0, VM_CLIENT, VM_PORT), port_of(21, 1, "Odd:Client", "in:2")};
    char spec[160], cl[64], po[64];
    for (int i = 0; i < 2; i++) {
        assert_true(at_seq_format_spec(&ports[i], spec, sizeof spec));
        assert_true(at_seq_parse_spec(spec, cl, sizeof cl, po, sizeof po));
        assert_string_equal(cl, ports[i].client_name);
        assert_string_equal(po, ports[i].port_name);
        assert_int_equal(at_seq_find(ports, 2, spec), i);
    }
    assert_true(at_seq_format_spec(&ports[0], spec, sizeof spec));
    assert_string_equal(spec, "alsa:Virtual Raw MIDI 0-0:VirMIDI 0-0");
    assert_false(at_seq_format_spec(&ports[0], spec, 10));
}

/* This machine has no ALSA: the listing must fail with the clear message
 * (the VM tests check the listing itself on a real sequencer). */
static void list_without_sequencer_says_why(void **state)
{
    (void)state;
    if (access("/dev/snd/seq", F_OK) == 0)
        skip();
    AtSeqPort ports[8];
    char err[256] = "unchanged";
    assert_int_equal(at_seq_list(ports, 8, err, sizeof err), -1);
    assert_non_null(strstr(err, "ALSA sequencer not available"));
    assert_non_null(strstr(err, "/dev/snd/seq is missing"));
    assert_int_equal(at_seq_list(ports, 8, NULL, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a2j_names_match_their_port_and_direction),
        cmocka_unit_test(a2j_match_ignores_the_client_number),
        cmocka_unit_test(a2j_match_needs_the_whole_names),
        cmocka_unit_test(a2j_sanitized_names_match),
        cmocka_unit_test(aliases_are_searched),
        cmocka_unit_test(jackd_seq_aliases_match_by_client_name_and_port_number),
        cmocka_unit_test(jackd_truncated_alias_matches),
        cmocka_unit_test(match_port_covers_a2j),
        cmocka_unit_test(pipewire_names_match),
        cmocka_unit_test(parse_spec_splits_client_and_port),
        cmocka_unit_test(parse_spec_rejects_other_forms),
        cmocka_unit_test(find_uses_names_only),
        cmocka_unit_test(format_spec_round_trips),
        cmocka_unit_test(list_without_sequencer_says_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
