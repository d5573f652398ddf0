/* test_session_edges.c - the session file rules (clients/session/sessconf,
 * docs/sessions.md) at their edges, written where mutation testing (make
 * mutate, docs/mutation.md) showed that test_session.c let a changed rule
 * pass: a '/' in the JACK server name, the ends of every range, the
 * limits on ids, commands, arguments and clients, where each error points,
 * how values are written back, the restart back-off and which connections
 * a save keeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clients/session/sessconf.h"

static AtStatus parse(SsSession *s, const char *text, char *err, size_t errlen)
{
    err[0] = 0;
    return ss_session_parse(s, text, "s.conf", err, errlen);
}

static void expect_error(const char *text, const char *want)
{
    SsSession s;
    char err[1024];
    AtStatus st = parse(&s, text, err, sizeof err);
    if (st != AT_ERR_USAGE || !strstr(err, want))
        fail_msg("'%s': status %d, error '%s', wanted '%s'", text, st, err, want);
    assert_int_equal(s.n_clients, 0);
    assert_int_equal(s.n_conns, 0);
}

/* ---- the gap: a JACK server name with '/' ---------------------------------- */

static void server_names(void **state)
{
    (void)state;
    expect_error("jack = {\n  server = \"a/b\"; };",
                 "s.conf:2: key 'jack.server': bad value \"a/b\": a JACK server name (1..63 "
                 "chars, no '/')");
    expect_error("jack = { server = \"/\"; };", "key 'jack.server'");
    expect_error("jack = { server = \"studio/\"; };", "key 'jack.server'");
    expect_error("jack = { server = 3; };", "key 'jack.server': must be a string");
    char text[200], name[80];
    memset(name, 'x', 64);
    name[64] = 0;
    snprintf(text, sizeof text, "jack = { server = \"%s\"; };", name);
    expect_error(text, "key 'jack.server'");
    name[63] = 0; /* 63 characters: the longest name */
    snprintf(text, sizeof text, "jack = { server = \"%s\"; };", name);
    SsSession s;
    char err[512];
    assert_int_equal(parse(&s, text, err, sizeof err), AT_OK);
    assert_string_equal(s.server, name);
    ss_session_free(&s);
    assert_int_equal(parse(&s, "jack = { server = \"a.b-c_d e\"; };", err, sizeof err), AT_OK);
    assert_string_equal(s.server, "a.b-c_d e");
    ss_session_free(&s);
}

/* ---- ranges ---------------------------------------------------------------- */

static void rates_and_periods_at_their_ends(void **state)
{
    (void)state;
    SsSession s;
    char err[512];
    assert_int_equal(parse(&s, "jack = { rate = 8000; period = 16; };", err, sizeof err), AT_OK);
    assert_int_equal(s.rate, 8000);
    assert_int_equal(s.period, 16);
    ss_session_free(&s);
    assert_int_equal(parse(&s, "jack = { rate = 192000; period = 8192; };", err, sizeof err),
                     AT_OK);
    assert_int_equal(s.rate, 192000);
    assert_int_equal(s.period, 8192);
    ss_session_free(&s);
    assert_int_equal(parse(&s, "jack = { rate = 44100L; period = 1024L; };", err, sizeof err),
                     AT_OK);
    assert_int_equal(s.rate, 44100);
    assert_int_equal(s.period, 1024);
    ss_session_free(&s);
    expect_error("jack = { rate = 7999; };",
                 "key 'jack.rate': bad value 7999: must be a whole number 8000..192000");
    expect_error("jack = { rate = 192001; };", "key 'jack.rate': bad value 192001");
    expect_error("jack = { rate = 48000.0; };",
                 "key 'jack.rate': must be a whole number 8000..192000");
    expect_error("jack = {\n period = 8; };",
                 "s.conf:2: key 'jack.period': bad value 8: must be a power of two 16..8192");
    expect_error("jack = { period = 16384; };", "key 'jack.period': bad value 16384");
    expect_error("jack = { period = 96; };", "key 'jack.period': bad value 96");
    expect_error("jack = { period = 3000000000; };", "key 'jack.period': bad value");
    for (int p = 16; p <= 8192; p *= 2) {
        char text[64];
        snprintf(text, sizeof text, "jack = { period = %d; };", p);
        assert_int_equal(parse(&s, text, err, sizeof err), AT_OK);
        assert_int_equal(s.period, p);
        ss_session_free(&s);
    }
}

static void every_driver_and_bridge(void **state)
{
    (void)state;
    const char *drivers[] = {"auto", "alsa", "dummy"};
    const char *bridges[] = {"none", "a2jmidid", "seq"};
    for (int i = 0; i < 3; i++) {
        SsSession s;
        char err[512], text[128];
        snprintf(text, sizeof text, "jack = { driver = \"%s\"; midi-bridge = \"%s\"; };",
                 drivers[i], bridges[i]);
        assert_int_equal(parse(&s, text, err, sizeof err), AT_OK);
        assert_int_equal(s.driver, i);
        assert_int_equal(s.bridge, i);
        char *out = ss_session_format(&s);
        char want[64];
        snprintf(want, sizeof want, "  driver = \"%s\";\n", drivers[i]);
        assert_contains(out, want);
        snprintf(want, sizeof want, "  midi-bridge = \"%s\";\n", bridges[i]);
        assert_contains(out, want);
        free(out);
        ss_session_free(&s);
    }
    expect_error("jack = { driver = \"ALSA\"; };",
                 "key 'jack.driver': bad value \"ALSA\": allowed are \"auto\", \"alsa\", "
                 "\"dummy\"");
    expect_error("jack = {\n\n midi-bridge = \"a2j\"; };",
                 "s.conf:3: key 'jack.midi-bridge': bad value \"a2j\": allowed are \"none\", "
                 "\"a2jmidid\", \"seq\"");
    expect_error("jack = { driver = 1; };", "key 'jack.driver': must be a string");
    expect_error("jack = { server = \"x\"; port = 1; };",
                 "key 'jack.port': unknown key: allowed are server, driver, rate, period, "
                 "midi-bridge");
}

/* ---- clients ---------------------------------------------------------------- */

static void client_errors_point_at_their_line(void **state)
{
    (void)state;
    expect_error("clients = (\n { id = \"a\"; command = \"x\"; },\n \"b\"\n);",
                 "key 'clients.[1]': each client must be a group");
    expect_error("clients = (\n { command = \"x\"; }\n);",
                 "s.conf:2: key 'clients.[0]': missing 'id' (a string)");
    expect_error("clients = (\n { id = 1; command = \"x\"; }\n);",
                 "key 'clients.[0].id': must be a string in double quotes");
    expect_error("clients = (\n { id = \"a\";\n\n   command = \"a b\"; }\n);",
                 "s.conf:4: key 'clients.[0].command': bad value \"a b\"");
    expect_error("clients = (\n { id = \"a\"; command = \"x\";\n   args = \"-v\"; }\n);",
                 "s.conf:3: key 'clients.[0].args': must be a list of at most 32 strings");
    expect_error("clients = (\n { id = \"a\"; command = \"x\"; args = { v = 1; }; }\n);",
                 "key 'clients.[0].args': must be a list");
    expect_error("clients = (\n { id = \"a\"; command = \"x\"; args = (\"1\", \"2\", 3); }\n);",
                 "key 'clients.[0].args': item 3 must be a string");
    expect_error("clients = (\n { id = \"a\"; command = \"x\"; nsm = \"no\"; }\n);",
                 "key 'clients.[0].nsm': must be true or false");
    expect_error("clients = 1;", "s.conf:1: key 'clients': must be a list ( {...}, {...} )");
    expect_error("clients = [ \"a\" ];", "key 'clients': must be a list");
    expect_error("clients = (\n { id = \"a\"; command = \"x\"; },\n { id = \"b\"; command = "
                 "\"y\"; },\n { id = \"a\"; command = \"z\"; }\n);",
                 "s.conf:4: key 'clients.[2].id': client id \"a\" is used twice");
    expect_error("connections = (\n 3 );",
                 "s.conf:2: key 'connections.[0]': each connection must be a group");
    expect_error("connections = ( { from = \"\"; to = \"b:c\"; } );",
                 "key 'connections.[0]': port names must not be empty");
    expect_error("connections = ( { from = \"a:b\"; to = \"\"; } );",
                 "key 'connections.[0]': port names must not be empty");
    expect_error("connections = ( { from = 1; to = \"b:c\"; } );",
                 "key 'connections.[0].from': must be a string");
}

static void argument_and_client_limits(void **state)
{
    (void)state;
    /* 32 arguments are fine, 33 are not */
    char text[4096] = "clients = ( { id = \"a\"; command = \"x\"; args = [";
    for (int i = 0; i < SS_MAX_ARGS; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s\"%d\"", i ? ", " : "", i);
    char more[4200];
    snprintf(more, sizeof more, "%s, \"x\"]; } );", text);
    strcat(text, "]; } );");
    SsSession s;
    char err[512];
    assert_int_equal(parse(&s, text, err, sizeof err), AT_OK);
    assert_int_equal(s.clients[0].n_args, SS_MAX_ARGS);
    assert_string_equal(s.clients[0].args[SS_MAX_ARGS - 1], "31");
    ss_session_free(&s);
    expect_error(more, "key 'clients.[0].args': must be a list of at most 32 strings");

    /* 64 clients are fine, the 65th is refused */
    static char big[16384];
    strcpy(big, "clients = (");
    for (int i = 0; i <= SS_MAX_CLIENTS; i++)
        snprintf(big + strlen(big), sizeof big - strlen(big),
                 "%s\n { id = \"c%d\"; command = \"x\"; }", i ? "," : "", i);
    strcat(big, ");");
    expect_error(big, "s.conf:66: key 'clients.[64]': too many clients (max 64)");
    memset(&s, 0, sizeof s);
    for (int i = 0; i < SS_MAX_CLIENTS; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        assert_true(ss_session_add_client(&s, id, "x", NULL, 0, true, err, sizeof err));
    }
    assert_false(ss_session_add_client(&s, "one-more", "x", NULL, 0, true, err, sizeof err));
    assert_contains(err, "too many clients");
    assert_int_equal(s.n_clients, SS_MAX_CLIENTS);
    assert_int_equal(ss_session_find(&s, "c0"), 0);
    assert_int_equal(ss_session_find(&s, "c63"), 63);
    assert_int_equal(ss_session_find(&s, "c64"), -1);
    ss_session_free(&s);

    const char *args[SS_MAX_ARGS + 1];
    for (int i = 0; i <= SS_MAX_ARGS; i++)
        args[i] = "a";
    memset(&s, 0, sizeof s);
    assert_false(ss_session_add_client(&s, "a", "x", args, SS_MAX_ARGS + 1, true, err, sizeof err));
    assert_true(ss_session_add_client(&s, "a", "x", args, SS_MAX_ARGS, false, err, sizeof err));
    assert_false(s.clients[0].nsm);
    assert_false(ss_session_add_client(&s, "b c", "x", NULL, 0, true, err, sizeof err));
    assert_contains(err, "bad client id \"b c\"");
    assert_false(ss_session_add_client(&s, "b", "/bin/x", NULL, 0, true, err, sizeof err));
    assert_contains(err, "bad command \"/bin/x\"");
    assert_false(ss_session_add_client(&s, "a", "x", NULL, 0, true, err, sizeof err));
    assert_contains(err, "client id \"a\" is used twice");
    assert_int_equal(s.n_clients, 1);
    ss_session_free(&s);
}

static void ids_and_commands_at_their_limits(void **state)
{
    (void)state;
    char id[SS_ID_MAX + 1];
    memset(id, 'z', SS_ID_MAX - 1);
    id[SS_ID_MAX - 1] = 0;
    assert_true(ss_valid_id(id)); /* 63 */
    assert_true(ss_valid_id("A-Z_09"));
    assert_false(ss_valid_id("a:b"));
    assert_false(ss_valid_id("é"));
    char cmd[SS_CMD_MAX + 1];
    memset(cmd, 'c', SS_CMD_MAX - 1);
    cmd[SS_CMD_MAX - 1] = 0;
    assert_true(ss_valid_command(cmd)); /* 127 */
    memset(cmd, 'c', SS_CMD_MAX);
    cmd[SS_CMD_MAX] = 0;
    assert_false(ss_valid_command(cmd)); /* 128 */
    assert_true(ss_valid_command("g++"));
    assert_true(ss_valid_command("a-b.c_d"));
    assert_false(ss_valid_command(".hidden"));
    assert_false(ss_valid_command("a/b"));
    assert_false(ss_valid_command("a|b"));
    assert_false(ss_valid_command("~x"));
    /* commands that are not valid are never looked up */
    char out[256];
    assert_false(ss_resolve_command("/bin/sh", "/bin", "/bin", out, sizeof out));
    assert_false(ss_resolve_command("-x", "/bin", "/bin", out, sizeof out));
}

static void lookup_on_path(void **state)
{
    (void)state;
    /* sh is on every machine in /bin or /usr/bin (an absolute PATH entry) */
    char out[512];
    assert_true(ss_resolve_command("sh", NULL, "/nonexistent:/usr/bin:/bin", out, sizeof out));
    assert_true(!strcmp(out, "/usr/bin/sh") || !strcmp(out, "/bin/sh"));
    assert_true(ss_resolve_command("sh", "/nonexistent", "/bin", out, sizeof out));
    assert_string_equal(out, "/bin/sh");
    assert_false(ss_resolve_command("sh", "/bin", NULL, out, sizeof out)); /* not aiotone-* */
    assert_false(ss_resolve_command("sh", NULL, "", out, sizeof out));
    /* a folder is not a program */
    assert_false(ss_resolve_command("bin", NULL, "/", out, sizeof out));
    /* an out buffer too small for the path finds nothing */
    char tiny[6];
    assert_false(ss_resolve_command("sh", NULL, "/bin", tiny, sizeof tiny));
    /* the last PATH entry counts, with or without a trailing ':' */
    assert_true(ss_resolve_command("sh", NULL, "/nonexistent:/bin", out, sizeof out));
    assert_string_equal(out, "/bin/sh");
    assert_true(ss_resolve_command("sh", NULL, "/nonexistent:/bin:", out, sizeof out));
    assert_string_equal(out, "/bin/sh");
}

/* ---- writing back ------------------------------------------------------------ */

static void writes_only_what_is_set(void **state)
{
    (void)state;
    SsSession s;
    char err[512];
    assert_int_equal(parse(&s,
                           "clients = ( { id = \"a\"; command = \"x\"; },\n"
                           "            { id = \"b\"; command = \"y\"; nsm = false; } );",
                           err, sizeof err),
                     AT_OK);
    char *out = ss_session_format(&s);
    assert_non_null(out);
    assert_null(strstr(out, "server"));
    assert_null(strstr(out, "rate"));
    assert_null(strstr(out, "period"));
    assert_contains(out, "  driver = \"auto\";\n");
    assert_contains(out, "  { id = \"a\"; command = \"x\"; },\n");
    assert_contains(out, "  { id = \"b\"; command = \"y\"; nsm = false; }\n);");
    assert_contains(out, "connections = (\n);");
    free(out);
    /* control characters and DEL are escaped so the file reads back */
    const char *odd[] = {"\x01\x7f\"\\"};
    assert_true(ss_session_add_client(&s, "c", "z", odd, 1, true, err, sizeof err));
    const char *plain[] = {"two words ~!"};
    assert_true(ss_session_add_client(&s, "d", "z", plain, 1, true, err, sizeof err));
    assert_true(ss_session_add_conn(&s, "a:out", "b:in"));
    assert_true(ss_session_add_conn(&s, "a:out", "b:in")); /* once only */
    assert_true(ss_session_add_conn(&s, "a:out", "c:in"));
    assert_int_equal(s.n_conns, 2);
    /* a connection just read or added was not made by anyone yet */
    assert_false(s.conns[0].made);
    assert_false(s.conns[1].made);
    assert_int_equal(s.conns[1].seen_gone, 0);
    out = ss_session_format(&s);
    assert_contains(out, "args = [ \"\\x01\\x7f\\\"\\\\\" ];");
    /* printable text, spaces too, is written as it is */
    assert_contains(out, "args = [ \"two words ~!\" ];");
    assert_non_null(strstr(out, "  { from = \"a:out\"; to = \"b:in\"; },\n"
                                "  { from = \"a:out\"; to = \"c:in\"; }\n);"));
    SsSession t;
    assert_int_equal(parse(&t, out, err, sizeof err), AT_OK);
    assert_string_equal(t.clients[2].args[0], odd[0]);
    free(out);
    ss_session_free(&t);
    /* many connections (the list grows) all come back */
    for (int i = 0; i < 100; i++) {
        char to[32];
        snprintf(to, sizeof to, "d:in_%d", i);
        assert_true(ss_session_add_conn(&s, "a:out", to));
    }
    assert_int_equal(s.n_conns, 102);
    out = ss_session_format(&s);
    assert_int_equal(parse(&t, out, err, sizeof err), AT_OK);
    assert_int_equal(t.n_conns, 102);
    assert_string_equal(t.conns[101].to, "d:in_99");
    free(out);
    ss_session_free(&t);
    ss_session_free(&s);
}

static void load_reads_a_long_file(void **state)
{
    (void)state;
    TuTemp t;
    tu_temp(&t, "session.conf");
    const char *path = t.path;
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    /* more than 8 KiB: comments, then the settings at the end */
    for (int i = 0; i < 400; i++)
        fprintf(f, "# comment line %03d to make the file long enough\n", i);
    fprintf(f, "jack = { server = \"long\"; };\nclients = ( { id = \"a\"; command = \"x\"; } );\n");
    fclose(f);
    SsSession s;
    char err[512];
    assert_int_equal(ss_session_load(&s, path, err, sizeof err), AT_OK);
    assert_string_equal(s.server, "long");
    assert_int_equal(s.n_clients, 1);
    ss_session_free(&s);
    tu_write(path, "jack = {\n rate = 5; };\n");
    assert_int_equal(ss_session_load(&s, path, err, sizeof err), AT_ERR_USAGE);
    char want[300];
    snprintf(want, sizeof want, "%s:2: key 'jack.rate'", path);
    assert_contains(err, want);
    unlink(path);
    assert_int_equal(ss_session_load(&s, path, err, sizeof err), AT_ERR_USAGE);
    assert_contains(err, path);
    tu_temp_remove(&t);
}

/* ---- restart back-off ------------------------------------------------------- */

static void backoff_counts_deaths_in_the_window(void **state)
{
    (void)state;
    /* the window is 30 s: a death 29.9 s after the first still counts */
    SsBackoff b = {0};
    assert_true(ss_backoff_death(&b, 0.0) == 0.25);
    assert_true(ss_backoff_death(&b, 10.0) == 0.5);
    assert_true(ss_backoff_death(&b, 20.0) == 1.0);
    assert_true(ss_backoff_death(&b, 29.9) == 2.0);
    assert_true(ss_backoff_death(&b, 29.95) < 0);
    /* exactly 30 s later the first is forgotten */
    SsBackoff c = {0};
    ss_backoff_death(&c, 0.0);
    ss_backoff_death(&c, 1.0);
    assert_true(ss_backoff_death(&c, 30.0) == 0.5); /* 1.0 and 30.0 */
    assert_int_equal(c.n, 2);
    /* many deaths in a row never overflow the memory of them */
    SsBackoff d = {0};
    for (int i = 0; i < 20; i++) {
        double r = ss_backoff_death(&d, 100.0 + i * 0.1);
        assert_true(i < 4 ? r > 0 : r < 0);
        assert_true(d.n <= 8);
    }
    assert_true(d.deaths[d.n - 1] == 100.0 + 19 * 0.1);
}

/* ---- connections kept by a save ------------------------------------------------ */

static void save_keeps_one_copy_of_each_connection(void **state)
{
    (void)state;
    /* Nothing remembered: every current connection, each once, in order. */
    SsConn cur[] = {
        {.from = "a:o", .to = "b:i"}, {.from = "a:o", .to = "c:i"}, {.from = "a:o", .to = "b:i"}};
    int n = -1;
    SsConn *out = ss_conns_for_save(NULL, NULL, NULL, 0, cur, 3, &n);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].to, "b:i");
    assert_string_equal(out[1].to, "c:i");
    free(out);
    /* A remembered one made under another spelling stands for its current
     * connection; an absent one does not stand for anything. */
    SsConn rem[] = {{.from = "A", .to = "B"}, {.from = "a:o", .to = "c:i"}};
    SsConnState st[] = {SS_CONN_MADE, SS_CONN_ABSENT};
    SsConn res[] = {{.from = "a:o", .to = "b:i"}, {.from = NULL, .to = NULL}};
    out = ss_conns_for_save(rem, st, res, 2, cur, 3, &n);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].from, "A");
    assert_string_equal(out[1].to, "c:i"); /* the absent one, as remembered */
    free(out);
    /* A remembered connection undone by the user is dropped, and its
     * resolved names stand for nothing. */
    SsConnState undone[] = {SS_CONN_DISCONNECTED, SS_CONN_DISCONNECTED};
    out = ss_conns_for_save(rem, undone, res, 2, cur, 3, &n);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].to, "b:i");
    assert_string_equal(out[1].to, "c:i");
    free(out);
    /* nothing at all */
    out = ss_conns_for_save(NULL, NULL, NULL, 0, NULL, 0, &n);
    assert_non_null(out);
    assert_int_equal(n, 0);
    free(out);
}

/* ---- the in-place editor (docs/sessions.md, "keeping the file as the user
 * wrote it") ------------------------------------------------------------- */

static const char *edit_conf =
    "# studio notes\n"
    "jack = { server = \"studio\"; rate = 48000; };\n"
    "# the players\n"
    "clients = (\n"
    "  { id = \"fm\"; command = \"aiotone-fmsynth\"; args = [ \"-v\" ]; }\n"
    ");\n"
    "# wiring\n"
    "connections = ();\n";

static void edit_and_read_back(const char *old_text, const SsSession *old, const SsSession *s,
                               char **out)
{
    SsSession back;
    char err[512] = "";
    *out = ss_session_update_text(old_text, old, s);
    assert_non_null(*out);
    if (ss_session_parse(&back, *out, "edited", err, sizeof err) != AT_OK)
        fail_msg("edited text does not parse: %s\n%s", err, *out);
    assert_true(ss_session_same(&back, s));
    ss_session_free(&back);
}

static void edits_only_what_changed(void **state)
{
    (void)state;
    SsSession old, s;
    char err[512] = "";
    char *t;
    assert_int_equal(parse(&old, edit_conf, err, sizeof err), AT_OK);
    /* only an argument's value changed (same count): the file must change */
    assert_int_equal(parse(&s, edit_conf, err, sizeof err), AT_OK);
    free(s.clients[0].args[0]);
    s.clients[0].args[0] = strdup("-q");
    assert_non_null(s.clients[0].args[0]);
    edit_and_read_back(edit_conf, &old, &s, &t);
    assert_contains(t, "\"-q\"");
    assert_null(strstr(t, "\"-v\""));
    /* the other settings and their comments stay where they were */
    assert_non_null(strstr(t, "# studio notes\njack = { server = \"studio\"; rate = 48000; };\n"
                              "# the players\nclients = "));
    assert_contains(t, "# wiring\nconnections = ();\n");
    free(t);
    ss_session_free(&s);
    /* only the JACK settings changed: jack is replaced, the comments
     * between the other settings stay */
    assert_int_equal(parse(&s, edit_conf, err, sizeof err), AT_OK);
    s.rate = 44100;
    edit_and_read_back(edit_conf, &old, &s, &t);
    assert_contains(t, "44100");
    assert_non_null(strstr(t, "# the players\nclients = (\n  { id = \"fm\"; command = "
                              "\"aiotone-fmsynth\"; args = [ \"-v\" ]; }\n);\n# wiring\n"));
    free(t);
    ss_session_free(&s);
    ss_session_free(&old);
}

static void whole_rewrite_keeps_indented_leading_comments(void **state)
{
    (void)state;
    /* a file the editor cannot follow (@include) is written whole, after
     * the leading comment block: comment lines indented with tabs or
     * spaces and blank lines (also CRLF ones) belong to it */
    const char *odd = "\t# tab-indented note\r\n"
                      "  // space-indented note\n"
                      "\r\n"
                      "\t\n"
                      "clients = ();\n"
                      "@include \"other.conf\"\n";
    const char *keep = "\t# tab-indented note\r\n  // space-indented note\n\r\n\t\n";
    SsSession old, s;
    char err[512] = "";
    char *t;
    assert_int_equal(parse(&old, "clients = ();", err, sizeof err), AT_OK);
    assert_int_equal(parse(&s, "clients = ();", err, sizeof err), AT_OK);
    s.on_jobs_done = SS_JOBS_STOP;
    edit_and_read_back(odd, &old, &s, &t);
    assert_int_equal(strncmp(t, keep, strlen(keep)), 0);
    assert_int_equal(strncmp(t + strlen(keep), "jack = {", 8), 0);
    assert_null(strstr(t, "@include"));
    free(t);
    ss_session_free(&s);
    ss_session_free(&old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(server_names),
        cmocka_unit_test(rates_and_periods_at_their_ends),
        cmocka_unit_test(every_driver_and_bridge),
        cmocka_unit_test(client_errors_point_at_their_line),
        cmocka_unit_test(argument_and_client_limits),
        cmocka_unit_test(ids_and_commands_at_their_limits),
        cmocka_unit_test(lookup_on_path),
        cmocka_unit_test(writes_only_what_is_set),
        cmocka_unit_test(load_reads_a_long_file),
        cmocka_unit_test(backoff_counts_deaths_in_the_window),
        cmocka_unit_test(save_keeps_one_copy_of_each_connection),
        cmocka_unit_test(edits_only_what_changed),
        cmocka_unit_test(whole_rewrite_keeps_indented_leading_comments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
