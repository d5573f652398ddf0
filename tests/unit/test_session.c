/* test_session.c - the session manager's pure parts: the session file
 * (parse, validate with clear errors, write back), what a client command
 * may be, where programs come from, restart back-off, and which
 * connections a save keeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clients/session/sessconf.h"

static const char *good =
    "jack = { server = \"studio\"; driver = \"dummy\"; rate = 44100; period = 128;\n"
    "         midi-bridge = \"a2jmidid\"; };\n"
    "clients = (\n"
    "  { id = \"clock\"; command = \"aiotone-clock\"; },\n"
    "  { id = \"fm_1\"; command = \"aiotone-fmsynth\"; args = [\"--osc-port\", \"9000\"]; },\n"
    "  { id = \"dump\"; command = \"jack_midi_dump\"; nsm = false; }\n"
    ");\n"
    "connections = ( { from = \"clock:midi_out\"; to = \"fm_1:midi_in\"; },\n"
    "                { from = \"fm_1:out_L\"; to = \"system:playback_1\"; } );\n";

static void parses_a_good_session(void **state)
{
    (void)state;
    SsSession s;
    char err[512] = "";
    assert_int_equal(ss_session_parse(&s, good, "good.conf", err, sizeof err), AT_OK);
    assert_string_equal(s.server, "studio");
    assert_int_equal(s.driver, SS_DRIVER_DUMMY);
    assert_int_equal(s.rate, 44100);
    assert_int_equal(s.period, 128);
    assert_int_equal(s.bridge, SS_BRIDGE_A2J);
    assert_int_equal(s.n_clients, 3);
    assert_string_equal(s.clients[1].id, "fm_1");
    assert_string_equal(s.clients[1].command, "aiotone-fmsynth");
    assert_int_equal(s.clients[1].n_args, 2);
    assert_string_equal(s.clients[1].args[1], "9000");
    assert_true(s.clients[0].nsm);
    assert_false(s.clients[2].nsm);
    assert_int_equal(s.n_conns, 2);
    assert_string_equal(s.conns[1].from, "fm_1:out_L");
    assert_string_equal(s.conns[1].to, "system:playback_1");
    ss_session_free(&s);
}

static void defaults_when_jack_is_absent(void **state)
{
    (void)state;
    SsSession s;
    char err[512] = "";
    assert_int_equal(ss_session_parse(&s, "clients = ();", "d.conf", err, sizeof err), AT_OK);
    assert_string_equal(s.server, "");
    assert_int_equal(s.driver, SS_DRIVER_AUTO);
    assert_int_equal(s.bridge, SS_BRIDGE_NONE);
    assert_int_equal(s.rate, 0);
    assert_int_equal(s.n_clients, 0);
    ss_session_free(&s);
}

typedef struct {
    const char *text;
    const char *expect; /* substring of the error */
} Bad;

static const Bad bad_cases[] = {
    {"clients = (\n { id = \"a\"; command = ; }\n);", "bad.conf:2: syntax error"},
    {"clients = ();\ncolour = 3;", "bad.conf:2: key 'colour': unknown key: allowed are jack, "
                                   "hosts, clients, connections, on-jobs-done"},
    {"clients = (\n { id = \"../etc\"; command = \"aiotone-fmsynth\"; }\n);",
     "bad.conf:2: key 'clients.[0].id': bad value \"../etc\""},
    {"clients = (\n { id = \"a/b\"; command = \"aiotone-fmsynth\"; }\n);", "key 'clients.[0].id'"},
    {"clients = (\n { id = \"\"; command = \"aiotone-fmsynth\"; }\n);", "key 'clients.[0].id'"},
    {"clients = (\n { id = \"a\";\n   command = \"/bin/sh\"; }\n);",
     "bad.conf:3: key 'clients.[0].command': bad value \"/bin/sh\": must be a bare program name"},
    {"clients = (\n { id = \"a\"; command = \"sh -c 'rm -rf /'\"; }\n);",
     "key 'clients.[0].command'"},
    {"clients = (\n { id = \"a\"; command = \"../bin/x\"; }\n);", "key 'clients.[0].command'"},
    {"clients = (\n { id = \"a\"; command = \"x\"; },\n { id = \"a\"; command = \"y\"; }\n);",
     "bad.conf:3: key 'clients.[1].id': client id \"a\" is used twice"},
    {"clients = (\n { id = \"a\"; }\n);", "bad.conf:2: key 'clients.[0]': missing 'command'"},
    {"clients = (\n { id = \"a\"; command = \"x\"; nsm = 1; }\n);",
     "key 'clients.[0].nsm': must be true or false"},
    {"clients = (\n { id = \"a\"; command = \"x\"; args = [ 1 ]; }\n);",
     "key 'clients.[0].args': item 1 must be a string"},
    {"clients = (\n { id = \"a\"; command = \"x\"; cmd = \"y\"; }\n);",
     "key 'clients.[0].cmd': unknown key: allowed are id, command, args, nsm, job"},
    {"clients = (\n { id = \"a\"; command = \"x\";\n   job = \"yes\"; }\n);",
     "bad.conf:3: key 'clients.[0].job': must be true or false"},
    {"clients = ();\non-jobs-done = \"quit\";",
     "bad.conf:2: key 'on-jobs-done': bad value \"quit\": allowed are \"keep-running\" (the "
     "default), \"stop\""},
    {"on-jobs-done = true;", "key 'on-jobs-done': bad value (not a string)"},
    {"jack = {\n driver = \"coreaudio\"; };",
     "bad.conf:2: key 'jack.driver': bad value \"coreaudio\": allowed are \"auto\", \"alsa\", "
     "\"dummy\""},
    {"jack = { midi-bridge = \"yes\"; };", "key 'jack.midi-bridge': bad value \"yes\""},
    {"jack = { period = 300; };", "key 'jack.period': bad value 300: must be a power of two"},
    {"jack = { rate = 10; };", "key 'jack.rate': bad value 10"},
    {"jack = { rate = \"48k\"; };", "key 'jack.rate': must be a whole number"},
    {"jack = { server = \"\"; };", "key 'jack.server'"},
    {"jack = 3;", "key 'jack': must be a group"},
    {"clients = { id = \"a\"; };", "key 'clients': must be a list"},
    {"connections = (\n { from = \"a:b\"; });", "bad.conf:2: key 'connections.[0]': missing 'to'"},
    {"connections = (\n { from = \"a:b\"; to = \"c:d\"; via = \"e\"; });",
     "key 'connections.[0].via': unknown key"},
};

static void broken_sessions_say_where_and_what(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        SsSession s;
        char err[512] = "";
        AtStatus st = ss_session_parse(&s, bad_cases[i].text, "bad.conf", err, sizeof err);
        if (st != AT_ERR_USAGE || !strstr(err, bad_cases[i].expect)) {
            fprintf(stderr, "case %zu: status %d, error \"%s\", wanted \"%s\"\n", i, st, err,
                    bad_cases[i].expect);
            fail();
        }
        assert_int_equal(s.n_clients, 0); /* nothing half-loaded */
    }
}

static void writes_what_it_reads(void **state)
{
    (void)state;
    SsSession s, t;
    char err[512] = "";
    assert_int_equal(ss_session_parse(&s, good, "good.conf", err, sizeof err), AT_OK);
    const char *odd[] = {"say \"hi\"", "back\\slash", "tab\there"};
    assert_true(ss_session_add_client(&s, "odd", "prog", odd, 3, false, err, sizeof err));
    assert_true(ss_session_add_conn(&s, "Pretty \"Out\"", "x:in"));
    char *text = ss_session_format(&s);
    assert_non_null(text);
    assert_int_equal(ss_session_parse(&t, text, "written", err, sizeof err), AT_OK);
    assert_string_equal(t.server, s.server);
    assert_int_equal(t.driver, s.driver);
    assert_int_equal(t.rate, s.rate);
    assert_int_equal(t.period, s.period);
    assert_int_equal(t.bridge, s.bridge);
    assert_int_equal(t.n_clients, s.n_clients);
    for (int i = 0; i < s.n_clients; i++) {
        assert_string_equal(t.clients[i].id, s.clients[i].id);
        assert_string_equal(t.clients[i].command, s.clients[i].command);
        assert_int_equal(t.clients[i].nsm, s.clients[i].nsm);
        assert_int_equal(t.clients[i].n_args, s.clients[i].n_args);
        for (int k = 0; k < s.clients[i].n_args; k++)
            assert_string_equal(t.clients[i].args[k], s.clients[i].args[k]);
    }
    assert_int_equal(t.n_conns, s.n_conns);
    for (int i = 0; i < s.n_conns; i++) {
        assert_string_equal(t.conns[i].from, s.conns[i].from);
        assert_string_equal(t.conns[i].to, s.conns[i].to);
    }
    free(text);
    ss_session_free(&s);
    ss_session_free(&t);
}

static void odd_files(void **state)
{
    (void)state;
    SsSession s;
    char err[512] = "";
    /* a UTF-8 byte-order mark (some editors write one) is accepted */
    assert_int_equal(ss_session_parse(&s,
                                      "\xEF\xBB\xBF"
                                      "clients = ( { id = \"a\"; command = \"x\"; } );",
                                      "bom.conf", err, sizeof err),
                     AT_OK);
    assert_int_equal(s.n_clients, 1);
    ss_session_free(&s);
    /* a bare syntax error is said once */
    assert_int_equal(
        ss_session_parse(&s, "clients = (\n{ id = ; }\n);", "syn.conf", err, sizeof err),
        AT_ERR_USAGE);
    assert_string_equal(err, "syn.conf:2: syntax error");
    char dir[] = "/tmp/test_session_odd.XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    /* a file with a NUL byte is not read as the text before it */
    snprintf(path, sizeof path, "%s/session.conf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fwrite("\0\1\2clients = ();", 1, 16, f);
    fclose(f);
    assert_int_equal(ss_session_load(&s, path, err, sizeof err), AT_ERR_USAGE);
    assert_contains(err, "holds a NUL byte at offset 0: not a text file");
    unlink(path);
    /* a directory named session.conf */
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(ss_session_load(&s, path, err, sizeof err), AT_ERR_USAGE);
    assert_contains(err, "session.conf: Is a directory");
    rmdir(path);
    rmdir(dir);
}

static void saves_atomically(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_session.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], err[512] = "";
    snprintf(path, sizeof path, "%s/session.conf", dir);
    SsSession s, t;
    assert_int_equal(ss_session_parse(&s, good, "good.conf", err, sizeof err), AT_OK);
    assert_int_equal(ss_session_save(&s, path, err, sizeof err), AT_OK);
    assert_int_equal(ss_session_load(&t, path, err, sizeof err), AT_OK);
    assert_int_equal(t.n_clients, 3);
    assert_int_equal(t.n_conns, 2);
    /* only session.conf is left: no temporary file */
    char cmd[300];
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1", dir);
    assert_int_equal(system(cmd), 0);
    /* an unwritable place fails with a message and leaves nothing */
    assert_int_equal(ss_session_save(&s, "/nonexistent-dir/session.conf", err, sizeof err),
                     AT_ERR_RUNTIME);
    assert_contains(err, "/nonexistent-dir/session.conf");
    unlink(path);
    rmdir(dir);
    ss_session_free(&s);
    ss_session_free(&t);
}

static void ids_and_commands(void **state)
{
    (void)state;
    assert_true(ss_valid_id("fmsynth"));
    assert_true(ss_valid_id("fm_2-left"));
    assert_false(ss_valid_id(""));
    assert_false(ss_valid_id(".."));
    assert_false(ss_valid_id("a/b"));
    assert_false(ss_valid_id("a b"));
    assert_false(ss_valid_id("a.conf"));
    char longid[SS_ID_MAX + 1];
    memset(longid, 'a', SS_ID_MAX);
    longid[SS_ID_MAX] = 0;
    assert_false(ss_valid_id(longid));
    assert_true(ss_valid_command("aiotone-fmsynth"));
    assert_true(ss_valid_command("jack_midi_dump"));
    assert_true(ss_valid_command("python3.11"));
    assert_false(ss_valid_command("/usr/bin/jackd"));
    assert_false(ss_valid_command("./x"));
    assert_false(ss_valid_command(".."));
    assert_false(ss_valid_command("-rf"));
    assert_false(ss_valid_command("a;b"));
    assert_false(ss_valid_command("a b"));
    assert_false(ss_valid_command("$(x)"));
    assert_false(ss_valid_command(""));
}

static void make_exe(const char *dir, const char *name, int mode)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("#!/bin/sh\n", f);
    fclose(f);
    chmod(p, (mode_t)mode);
}

/* The folders programs_come_from_the_allowed_places makes, and the folder
 * it changes into: the teardown restores and removes them even when an
 * assertion fails halfway. */
static char places_cwd[512];
static char self[] = "/tmp/test_session_self.XXXXXX", path1[] = "/tmp/test_session_p1.XXXXXX",
            path2[] = "/tmp/test_session_p2.XXXXXX", work[] = "/tmp/test_session_cwd.XXXXXX";

static int places_teardown(void **state)
{
    (void)state;
    if (places_cwd[0] && chdir(places_cwd) != 0)
        return -1;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s %s %s", self, path1, path2, work);
    return system(cmd) == 0 ? 0 : -1;
}

static void programs_come_from_the_allowed_places(void **state)
{
    (void)state;
    assert_non_null(getcwd(places_cwd, sizeof places_cwd));
    assert_non_null(mkdtemp(self));
    assert_non_null(mkdtemp(path1));
    assert_non_null(mkdtemp(path2));
    make_exe(self, "aiotone-fmsynth", 0755);
    make_exe(path1, "aiotone-fmsynth", 0755);
    make_exe(self, "helper", 0755); /* not aiotone-*: never taken from self_dir */
    make_exe(path1, "noexec", 0644);
    make_exe(path2, "noexec", 0755);
    /* Real programs in the places PATH may name but we never search: the
     * current folder (as "." and as an empty entry) and a relative folder.
     * "here" exists only there; "noexec" also runs from path2. */
    assert_non_null(mkdtemp(work));
    assert_int_equal(chdir(work), 0);
    assert_int_equal(mkdir("relative", 0755), 0);
    make_exe(".", "here", 0755);
    make_exe("relative", "here", 0755);
    make_exe(".", "noexec", 0755);
    make_exe("relative", "noexec", 0755);
    make_exe(".", "aiotone-clock", 0755);
    char env[256], out[512], want[512];
    snprintf(env, sizeof env, ".::relative:%s:%s", path1, path2);
    assert_false(ss_resolve_command("here", self, env, out, sizeof out));
    assert_false(ss_resolve_command("here", self, "relative", out, sizeof out));
    assert_false(ss_resolve_command("here", self, ":", out, sizeof out));
    assert_false(ss_resolve_command("here", self, "", out, sizeof out));
    assert_false(ss_resolve_command("aiotone-clock", self, env, out, sizeof out));
    assert_false(ss_resolve_command("aiotone-clock", ".", env, out, sizeof out));
    assert_true(ss_resolve_command("aiotone-fmsynth", self, env, out, sizeof out));
    snprintf(want, sizeof want, "%s/aiotone-fmsynth", self);
    assert_string_equal(out, want);
    assert_true(ss_resolve_command("aiotone-fmsynth", "/nonexistent", env, out, sizeof out));
    snprintf(want, sizeof want, "%s/aiotone-fmsynth", path1);
    assert_string_equal(out, want);
    assert_false(ss_resolve_command("helper", self, env, out, sizeof out));
    assert_true(ss_resolve_command("noexec", self, env, out, sizeof out));
    snprintf(want, sizeof want, "%s/noexec", path2);
    assert_string_equal(out, want);
    assert_false(ss_resolve_command("../p1/noexec", self, env, out, sizeof out));
    assert_false(ss_resolve_command("missing", self, env, out, sizeof out));
}

static void backoff_grows_then_gives_up(void **state)
{
    (void)state;
    SsBackoff b = {0};
    double t = 100.0;
    assert_true(ss_backoff_death(&b, t) == 0.25);
    assert_true(ss_backoff_death(&b, t + 1) == 0.5);
    assert_true(ss_backoff_death(&b, t + 2) == 1.0);
    assert_true(ss_backoff_death(&b, t + 4) == 2.0);
    assert_true(ss_backoff_death(&b, t + 7) < 0); /* 5 deaths in 30 s */
    /* deaths far apart never add up */
    SsBackoff c = {0};
    for (int i = 0; i < 50; i++)
        assert_true(ss_backoff_death(&c, 1000.0 + i * (SS_BACKOFF_WINDOW + 1)) == 0.25);
    /* an old burst is forgotten after the window */
    SsBackoff d = {0};
    for (int i = 0; i < 4; i++)
        assert_true(ss_backoff_death(&d, 10.0 + i) > 0);
    assert_true(ss_backoff_death(&d, 10.0 + 3 + SS_BACKOFF_WINDOW + 0.5) == 0.25);
}

/* The bridge watch: a port the sequencer has and no JACK port bridges is
 * missed after SS_BRIDGE_MISS_S of that and of no port change, once the
 * bridge has run SS_BRIDGE_START_S; once per appearance. */
static void bridge_watch_finds_a_missed_port_once(void **state)
{
    (void)state;
    const double M = SS_BRIDGE_MISS_S, S = SS_BRIDGE_START_S;
    double t0 = 1000.0, started = t0 - S - 1, quiet = t0 - M - 1;
    SsBridgeMiss b = {0};
    /* bridged, or absent from the sequencer: never missed */
    for (double t = t0; t < t0 + 5 * M; t += 0.5) {
        assert_false(ss_bridge_missed(&b, true, true, t, quiet, started));
        assert_false(ss_bridge_missed(&b, false, false, t, quiet, started));
    }
    /* in the sequencer, unbridged: missed after MISS_S, not before */
    assert_false(ss_bridge_missed(&b, true, false, t0, quiet, started));
    assert_true(b.since == t0);
    assert_false(ss_bridge_missed(&b, true, false, t0 + M - 0.1, quiet, started));
    assert_true(ss_bridge_missed(&b, true, false, t0 + M, quiet, started));
    /* the caller restarted the bridge: not again for this appearance... */
    b.rescanned = true;
    b.since = 0;
    for (double t = t0 + M; t < t0 + 10 * M; t += 0.5)
        assert_false(ss_bridge_missed(&b, true, false, t, quiet, started));
    /* ...but for the next one (it left the sequencer and came back) */
    assert_false(ss_bridge_missed(&b, false, false, t0 + 20 * M, quiet, started));
    assert_false(b.rescanned);
    assert_false(ss_bridge_missed(&b, true, false, t0 + 21 * M, quiet, started));
    assert_true(ss_bridge_missed(&b, true, false, t0 + 22 * M, quiet, started));
    /* bridged meanwhile also starts afresh */
    SsBridgeMiss c = {.since = t0, .rescanned = true};
    assert_false(ss_bridge_missed(&c, true, true, t0 + M, quiet, started));
    assert_true(c.since == 0 && !c.rescanned);

    /* JACK ports still coming or going (the bridge is busy making them): wait */
    SsBridgeMiss d = {0};
    assert_false(ss_bridge_missed(&d, true, false, t0, t0, started));
    assert_false(ss_bridge_missed(&d, true, false, t0 + M, t0 + 1, started));
    assert_false(ss_bridge_missed(&d, true, false, t0 + M + 0.9, t0 + 1, started));
    assert_true(ss_bridge_missed(&d, true, false, t0 + M + 1, t0 + 1, started));

    /* a bridge that has just (re)started gets SS_BRIDGE_START_S */
    SsBridgeMiss e = {0};
    assert_false(ss_bridge_missed(&e, true, false, t0, quiet, t0 - 1));
    assert_false(ss_bridge_missed(&e, true, false, t0 + M, quiet, t0 - 1));
    assert_false(ss_bridge_missed(&e, true, false, t0 + S - 1.1, quiet, t0 - 1));
    assert_true(ss_bridge_missed(&e, true, false, t0 + S - 1, quiet, t0 - 1));
}

static void save_keeps_absent_and_made_drops_undone(void **state)
{
    (void)state;
    SsConn remembered[] = {{.from = "clock:midi_out", .to = "fm:midi_in"}, /* made */
                           {.from = "fm:out_L", .to = "Speakers Left"}, /* made, by pretty name */
                           {.from = "fm:out_R", .to = "ghost:in"},      /* absent now */
                           {.from = "clock:midi_out", .to = "dump:input"}}; /* undone by the user */
    SsConnState st[] = {SS_CONN_MADE, SS_CONN_MADE, SS_CONN_ABSENT, SS_CONN_DISCONNECTED};
    SsConn resolved[] = {{.from = "clock:midi_out", .to = "fm:midi_in"},
                         {.from = "fm:out_L", .to = "system:playback_1"},
                         {.from = NULL, .to = NULL},
                         {.from = "clock:midi_out", .to = "dump:input"}};
    SsConn current[] = {
        {.from = "clock:midi_out", .to = "fm:midi_in"},
        {.from = "fm:out_L", .to = "system:playback_1"},
        {.from = "fm:out_R", .to = "system:playback_2"}, /* made by hand in a patchbay */
        {.from = "fm:out_R", .to = "system:playback_2"}};
    int n = 0;
    SsConn *out = ss_conns_for_save(remembered, st, resolved, 4, current, 4, &n);
    assert_non_null(out);
    assert_int_equal(n, 4);
    assert_string_equal(out[0].to, "fm:midi_in");
    assert_string_equal(out[1].to, "Speakers Left"); /* the user's spelling is kept */
    assert_string_equal(out[2].to, "ghost:in");
    assert_string_equal(out[3].from, "fm:out_R");
    assert_string_equal(out[3].to, "system:playback_2");
    free(out);
}

static void jobs_and_when_they_end(void **state)
{
    (void)state;
    SsSession s, t;
    char err[512] = "";
    const char *text = "clients = (\n { id = \"fm\"; command = \"aiotone-fmsynth\"; },\n"
                       " { id = \"snake\"; command = \"aiotone-samplesnake\"; job = true; }\n);\n"
                       "on-jobs-done = \"stop\";\n";
    assert_int_equal(ss_session_parse(&s, text, "jobs.conf", err, sizeof err), AT_OK);
    assert_false(s.clients[0].job);
    assert_true(s.clients[1].job);
    assert_int_equal(s.on_jobs_done, SS_JOBS_STOP);
    /* written back, it says the same */
    char *w = ss_session_format(&s);
    assert_non_null(w);
    assert_int_equal(ss_session_parse(&t, w, "written", err, sizeof err), AT_OK);
    assert_true(ss_session_same(&s, &t));
    assert_true(t.clients[1].job);
    assert_int_equal(t.on_jobs_done, SS_JOBS_STOP);
    free(w);
    ss_session_free(&t);
    /* the default keeps running and marks nothing a job */
    assert_int_equal(ss_session_parse(&t, good, "good.conf", err, sizeof err), AT_OK);
    assert_int_equal(t.on_jobs_done, SS_JOBS_KEEP_RUNNING);
    assert_false(t.clients[0].job);
    assert_false(ss_session_same(&s, &t));
    ss_session_free(&s);
    ss_session_free(&t);
}

/* waitpid statuses as the kernel makes them: exit code << 8, or the signal. */
#define EXITED(code) ((code) << 8)
#define KILLED(sig) (sig)

static void how_a_client_ended(void **state)
{
    (void)state;
    assert_int_equal(ss_end_of(EXITED(0)), SS_END_DONE);   /* finished: not restarted */
    assert_int_equal(ss_end_of(EXITED(2)), SS_END_CONFIG); /* bad config: FAILED at once */
    assert_int_equal(ss_end_of(EXITED(1)), SS_END_RESTART);
    assert_int_equal(ss_end_of(EXITED(3)), SS_END_RESTART);
    assert_int_equal(ss_end_of(EXITED(127)), SS_END_RESTART);
    assert_int_equal(ss_end_of(KILLED(9)), SS_END_RESTART);
    assert_int_equal(ss_end_of(KILLED(11)), SS_END_RESTART);
    assert_int_equal(ss_end_of(KILLED(15)), SS_END_RESTART);
}

typedef struct {
    char text[4096];
    int lines;
} Collected;

static void collect(void *ctx, const char *line, size_t len)
{
    Collected *c = ctx;
    size_t l = strlen(c->text);
    snprintf(c->text + l, sizeof c->text - l, "<%.*s>", (int)len, line);
    c->lines++;
}

static void output_is_split_into_lines(void **state)
{
    (void)state;
    SsLines l = {.len = 0};
    Collected c = {"", 0};
    ss_lines_feed(&l, "one\ntw", 6, collect, &c);
    assert_string_equal(c.text, "<one>");
    ss_lines_feed(&l, "o\n\nthree", 8, collect, &c);
    assert_string_equal(c.text, "<one><two><>");
    ss_lines_flush(&l, collect, &c); /* a last line without its newline */
    assert_string_equal(c.text, "<one><two><><three>");
    ss_lines_flush(&l, collect, &c); /* nothing left */
    assert_int_equal(c.lines, 4);
    /* a line longer than the buffer comes out in pieces, nothing lost */
    Collected d = {"", 0};
    char big[SS_LINE_MAX * 2 + 11];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\n';
    ss_lines_feed(&l, big, sizeof big, collect, &d);
    assert_int_equal(d.lines, 3);
    assert_int_equal(strlen(d.text), sizeof big - 1 + 2 * 3);
}

static const char *user_conf =
    "# My studio. Keep this note: the Mother is on USB port 2.\n"
    "jack = { server = \"studio\"; driver = \"dummy\"; }; # inline note\n"
    "\n"
    "clients = (\n"
    "  { id = \"fm\"; command = \"aiotone-fmsynth\"; }, // the synth\n"
    "  /* the sampler */ { id = \"snake\"; command = \"aiotone-samplesnake\"; job = true; }\n"
    ");\n"
    "# wiring (edited by hand)\n"
    "connections = (\n"
    "  { from = \"snake:midi_out\"; to = \"fm:midi_in\"; }  # notes\n"
    ");\n"
    "# the end\n";

/* text parses to a session the same as s. */
static void assert_reads_back(const char *text, const SsSession *s)
{
    SsSession back;
    char err[512] = "";
    assert_int_equal(ss_session_parse(&back, text, "edited", err, sizeof err), AT_OK);
    assert_true(ss_session_same(&back, s));
    ss_session_free(&back);
}

static void save_keeps_the_users_text(void **state)
{
    (void)state;
    SsSession old, s;
    char err[512] = "";
    assert_int_equal(ss_session_parse(&old, user_conf, "u.conf", err, sizeof err), AT_OK);
    assert_int_equal(ss_session_parse(&s, user_conf, "u.conf", err, sizeof err), AT_OK);
    /* nothing changed: the text stays byte for byte */
    char *t = ss_session_update_text(user_conf, &old, &s);
    assert_non_null(t);
    assert_string_equal(t, user_conf);
    free(t);
    /* a new connection: only the connections setting is rewritten */
    assert_true(ss_session_add_conn(&s, "fm:out_L", "snake:in_L"));
    t = ss_session_update_text(user_conf, &old, &s);
    assert_non_null(t);
    assert_contains(t, "# My studio. Keep this note: the Mother is on USB port 2.\n");
    assert_contains(t, "}; # inline note\n");
    assert_contains(t, "// the synth\n  /* the sampler */ { id = \"snake\"");
    assert_contains(t, "# wiring (edited by hand)\nconnections = (\n");
    assert_contains(t, "{ from = \"fm:out_L\"; to = \"snake:in_L\"; }");
    assert_contains(t, ");\n# the end\n");
    assert_reads_back(t, &s);
    free(t);
    /* a setting the file did not have is appended; the rest is kept */
    s.on_jobs_done = SS_JOBS_STOP;
    t = ss_session_update_text(user_conf, &old, &s);
    assert_non_null(t);
    assert_contains(t, "# the end\non-jobs-done = \"stop\";\n");
    assert_contains(t, "# My studio.");
    assert_reads_back(t, &s);
    free(t);
    /* text the scanner cannot follow: a whole rewrite that still keeps the
     * leading comment block and reads back right */
    const char *odd = "# keep me\n// and me\nclients = ();\n@include \"other.conf\"\n";
    SsSession o2;
    assert_int_equal(ss_session_parse(&o2, "clients = ();", "x", err, sizeof err), AT_OK);
    t = ss_session_update_text(odd, &o2, &s);
    assert_non_null(t);
    assert_int_equal(strncmp(t, "# keep me\n// and me\njack = {", 28), 0);
    assert_null(strstr(t, "@include"));
    assert_reads_back(t, &s);
    ss_session_free(&o2);
    free(t);
    ss_session_free(&old);
    ss_session_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_good_session),
        cmocka_unit_test(defaults_when_jack_is_absent),
        cmocka_unit_test(broken_sessions_say_where_and_what),
        cmocka_unit_test(writes_what_it_reads),
        cmocka_unit_test(saves_atomically),
        cmocka_unit_test(odd_files),
        cmocka_unit_test(ids_and_commands),
        cmocka_unit_test_teardown(programs_come_from_the_allowed_places, places_teardown),
        cmocka_unit_test(backoff_grows_then_gives_up),
        cmocka_unit_test(bridge_watch_finds_a_missed_port_once),
        cmocka_unit_test(save_keeps_absent_and_made_drops_undone),
        cmocka_unit_test(jobs_and_when_they_end),
        cmocka_unit_test(how_a_client_ended),
        cmocka_unit_test(output_is_split_into_lines),
        cmocka_unit_test(save_keeps_the_users_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
