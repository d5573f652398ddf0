/* test_params_edges.c - the parameter registry (common/params) at its
 * edges, written where mutation testing (make mutate, docs/mutation.md)
 * showed that test_params.c let a changed rule pass: an enum index below
 * 0 over OSC, ranges at both ends, every string form a value may take,
 * the errors for groups and lists, what a saved state leaves out, and
 * the text a value is written as. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "params.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const AtParamDef defs[] = {
    AT_INT("patch.algorithm", 0, 11, 10, "algorithm", .osc = "algorithm", .flags = AT_PARAM_LIVE,
           .unit = ""),
    AT_FLOAT("patch.volume", -1, 2, 1, "volume", .osc = "volume", .flags = AT_PARAM_LIVE,
             .unit = "dB"),
    AT_ENUM("patch.op1.wave", ("sine", "sine12", "saw", "square"), 2, "wave", .osc = "op/1/wave",
            .flags = AT_PARAM_LIVE),
    AT_BOOL("input.start-stop", 1, "pass start/stop"),
    AT_STRLIST("input.connect", " a:b ,, c:d ", "peers"),
    AT_INTLIST("sampling.octaves", -1, 9, "2,3", "octaves"),
    AT_DURATION("sampling.hold", 0.001, 60, 0.2, "hold"),
    AT_STRING("sampling.prefix", "handpan", "prefix"),
    AT_STRING("sampling.secret", "x", "not saved", .flags = AT_PARAM_NOSAVE),
    AT_ACTION_PARAM("panic", "all notes off"),
};
#define N_DEFS (sizeof defs / sizeof defs[0])

static AtParams *mk(void)
{
    AtParams *p = at_params_new("tool", defs, N_DEFS);
    assert_non_null(p);
    return p;
}

static int key(const AtParams *p, const char *k)
{
    int i = at_params_find_key(p, k);
    assert_true(i >= 0);
    return i;
}

/* ---- the gap: an enum index below 0 (OSC "i -1") is refused ------------- */

static void enum_index_below_zero_is_refused(void **state)
{
    (void)state;
    AtParams *p = mk();
    char err[256] = "";
    int wave = key(p, "patch.op1.wave");
    /* what /tool/op/1/wave i -1 hands the registry */
    assert_false(at_params_set_number(p, wave, -1, err, sizeof err));
    assert_string_equal(err, "must be one of \"sine\", \"sine12\", \"saw\", \"square\" "
                             "(or its index 0..3)");
    assert_int_equal(at_params_get(p, wave)->i, 2);
    assert_string_equal(at_params_str(p, "patch.op1.wave"), "saw");
    assert_false(at_params_set_number(p, wave, -0.4, err, sizeof err));
    assert_false(at_params_set_number(p, wave, -1e9, err, sizeof err));
    assert_false(at_params_set_number(p, wave, NAN, err, sizeof err));
    assert_int_equal(at_params_get(p, wave)->i, 2);
    /* the ends of the index range; floats are rounded */
    assert_true(at_params_set_number(p, wave, 0, err, sizeof err));
    assert_string_equal(at_params_str(p, "patch.op1.wave"), "sine");
    assert_true(at_params_set_number(p, wave, 3, err, sizeof err));
    assert_string_equal(at_params_str(p, "patch.op1.wave"), "square");
    assert_true(at_params_set_number(p, wave, 0.6, err, sizeof err));
    assert_int_equal(at_params_get(p, wave)->i, 1);
    assert_false(at_params_set_number(p, wave, 3.5, err, sizeof err));
    assert_int_equal(at_params_get(p, wave)->i, 1);
    at_params_free(p);
}

/* ---- numbers at both ends -------------------------------------------------- */

static void numbers_at_both_ends(void **state)
{
    (void)state;
    AtParams *p = mk();
    char err[256] = "";
    int alg = key(p, "patch.algorithm"), vol = key(p, "patch.volume");
    assert_true(at_params_set_number(p, alg, 0, err, sizeof err));
    assert_int_equal(at_params_int(p, "patch.algorithm"), 0);
    assert_true(at_params_float(p, "patch.algorithm") == 0.0);
    assert_true(at_params_set_number(p, alg, 11, err, sizeof err));
    assert_true(at_params_float(p, "patch.algorithm") == 11.0);
    assert_true(at_params_set_number(p, alg, -0.4, err, sizeof err)); /* rounds to 0 */
    assert_int_equal(at_params_int(p, "patch.algorithm"), 0);
    assert_false(at_params_set_number(p, alg, -0.6, err, sizeof err));
    assert_string_equal(err, "must be a whole number 0..11");
    assert_false(at_params_set_number(p, alg, 12, err, sizeof err));
    assert_int_equal(at_params_int(p, "patch.algorithm"), 0);
    assert_true(at_params_set_number(p, vol, -1, err, sizeof err));
    assert_true(at_params_set_number(p, vol, 2, err, sizeof err));
    assert_true(at_params_float(p, "patch.volume") == 2.0);
    assert_false(at_params_set_number(p, vol, 2.0000001, err, sizeof err));
    assert_string_equal(err, "must be a number -1..2");
    assert_false(at_params_set_number(p, vol, -1.0000001, err, sizeof err));
    assert_false(at_params_set_number(p, vol, NAN, err, sizeof err));
    assert_true(at_params_float(p, "patch.volume") == 2.0);
    /* a bool takes any number, not NaN */
    int ss = key(p, "input.start-stop");
    assert_true(at_params_set_number(p, ss, 0, err, sizeof err));
    assert_false(at_params_bool(p, "input.start-stop"));
    assert_true(at_params_set_number(p, ss, 0.5, err, sizeof err));
    assert_true(at_params_bool(p, "input.start-stop"));
    assert_false(at_params_set_number(p, ss, NAN, err, sizeof err));
    assert_string_equal(err, "must be true or false");
    /* a string or list takes no number */
    assert_false(at_params_set_number(p, key(p, "sampling.prefix"), 1, err, sizeof err));
    assert_string_equal(err, "must be a string");
    /* a duration's range is its min..max */
    int hold = key(p, "sampling.hold");
    assert_false(at_params_set_number(p, hold, 0, err, sizeof err));
    assert_true(at_params_set_number(p, hold, 60, err, sizeof err));
    assert_false(at_params_set_number(p, hold, 61, err, sizeof err));
    assert_non_null(strstr(err, "a duration 0.001s..60s"));
    at_params_free(p);
}

/* ---- strings ---------------------------------------------------------------- */

static void every_string_form(void **state)
{
    (void)state;
    AtParams *p = mk();
    char err[256] = "";
    int ss = key(p, "input.start-stop");
    const char *yes[] = {"true", "TRUE", "on", "On", "1"};
    const char *no[] = {"false", "False", "off", "OFF", "0"};
    for (int k = 0; k < 5; k++) {
        assert_true(at_params_set_string(p, ss, no[k], err, sizeof err));
        assert_false(at_params_bool(p, "input.start-stop"));
        assert_true(at_params_set_string(p, ss, yes[k], err, sizeof err));
        assert_true(at_params_bool(p, "input.start-stop"));
    }
    assert_false(at_params_set_string(p, ss, "yes", err, sizeof err));
    assert_string_equal(err, "must be true or false");
    assert_false(at_params_set_string(p, ss, "2", err, sizeof err));
    /* numbers as text, with spaces after; not before a sign error */
    int alg = key(p, "patch.algorithm");
    assert_true(at_params_set_string(p, alg, "7 ", err, sizeof err));
    assert_int_equal(at_params_int(p, "patch.algorithm"), 7);
    assert_false(at_params_set_string(p, alg, "", err, sizeof err));
    assert_string_equal(err, "must be a whole number 0..11");
    assert_false(at_params_set_string(p, alg, "7x", err, sizeof err));
    assert_false(at_params_set_string(p, alg, "1e999", err, sizeof err)); /* overflow */
    assert_false(at_params_set_string(p, alg, "12", err, sizeof err));
    assert_int_equal(at_params_int(p, "patch.algorithm"), 7);
    /* enum names, any case */
    int wave = key(p, "patch.op1.wave");
    assert_true(at_params_set_string(p, wave, "SQUARE", err, sizeof err));
    assert_int_equal(at_params_get(p, wave)->i, 3);
    assert_true(at_params_set_string(p, wave, "sine", err, sizeof err));
    assert_int_equal(at_params_get(p, wave)->i, 0);
    assert_false(at_params_set_string(p, wave, "sin", err, sizeof err));
    assert_int_equal(at_params_get(p, wave)->i, 0);
    /* durations as text */
    int hold = key(p, "sampling.hold");
    assert_true(at_params_set_string(p, hold, "2min", err, sizeof err) == false); /* 120 s > 60 */
    assert_true(at_params_set_string(p, hold, "1min", err, sizeof err));
    assert_true(at_params_float(p, "sampling.hold") == 60.0);
    assert_false(at_params_set_string(p, hold, "fast", err, sizeof err));
    assert_non_null(strstr(err, "\"200ms\""));
    /* a list from one string */
    int con = key(p, "input.connect");
    assert_true(at_params_set_string(p, con, "x:y", err, sizeof err));
    assert_int_equal(at_params_value(p, "input.connect")->count, 1);
    assert_string_equal(at_params_value(p, "input.connect")->list[0], "x:y");
    /* no string for an int list or an action */
    assert_false(at_params_set_string(p, key(p, "sampling.octaves"), "1", err, sizeof err));
    assert_non_null(strstr(err, "a list of whole numbers -1..9"));
    at_params_free(p);
}

static void durations_every_unit(void **state)
{
    (void)state;
    double v = -1;
    assert_true(at_parse_duration("2min", &v) && v == 120.0);
    assert_true(at_parse_duration("0", &v) && v == 0.0);
    assert_true(at_parse_duration("  7 ms", &v) && fabs(v - 0.007) < 1e-15);
    assert_true(at_parse_duration("3 us", &v) && fabs(v - 3e-6) < 1e-18);
    v = 5;
    static const char *const bad[] = {"1e999", "inf", "-0.5", "1 mss", "1 m", "1s2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (at_parse_duration(bad[i], &v))
            fail_msg("the duration \"%s\" was taken", bad[i]);
    assert_true(v == 5); /* untouched on failure */
}

/* ---- lists ------------------------------------------------------------------ */

static void lists_and_their_limits(void **state)
{
    (void)state;
    AtParams *p = mk();
    char err[256] = "";
    /* the default " a:b ,, c:d " splits into trimmed items */
    const AtParamValue *l = at_params_value(p, "input.connect");
    assert_int_equal(l->count, 2);
    assert_string_equal(l->list[0], "a:b");
    assert_string_equal(l->list[1], "c:d");
    int con = key(p, "input.connect"), oct = key(p, "sampling.octaves");
    const char *items[AT_PARAM_MAX_LIST + 1];
    for (int k = 0; k <= AT_PARAM_MAX_LIST; k++)
        items[k] = "p:q";
    assert_true(at_params_set_strlist(p, con, items, AT_PARAM_MAX_LIST, err, sizeof err));
    assert_int_equal(at_params_value(p, "input.connect")->count, AT_PARAM_MAX_LIST);
    assert_false(at_params_set_strlist(p, con, items, AT_PARAM_MAX_LIST + 1, err, sizeof err));
    assert_string_equal(err, "at most 64 items");
    assert_int_equal(at_params_value(p, "input.connect")->count, AT_PARAM_MAX_LIST);
    assert_true(at_params_set_strlist(p, con, items, 0, err, sizeof err));
    assert_int_equal(at_params_value(p, "input.connect")->count, 0);
    int ints[AT_PARAM_MAX_LIST + 1];
    for (int k = 0; k <= AT_PARAM_MAX_LIST; k++)
        ints[k] = k % 11 - 1;
    assert_true(at_params_set_intlist(p, oct, ints, AT_PARAM_MAX_LIST, err, sizeof err));
    assert_int_equal(at_params_value(p, "sampling.octaves")->count, AT_PARAM_MAX_LIST);
    assert_int_equal(at_params_value(p, "sampling.octaves")->ilist[63], 63 % 11 - 1);
    assert_false(at_params_set_intlist(p, oct, ints, AT_PARAM_MAX_LIST + 1, err, sizeof err));
    const int bad[] = {3, 10};
    assert_false(at_params_set_intlist(p, oct, bad, 2, err, sizeof err));
    assert_string_equal(err, "must be a list of whole numbers -1..9, e.g. [1, 2]");
    const int low[] = {-2};
    assert_false(at_params_set_intlist(p, oct, low, 1, err, sizeof err));
    const int ends[] = {-1, 9};
    assert_true(at_params_set_intlist(p, oct, ends, 2, err, sizeof err));
    assert_int_equal(at_params_value(p, "sampling.octaves")->ilist[1], 9);
    assert_int_equal(at_params_value(p, "sampling.octaves")->count, 2);
    at_params_free(p);
}

static void config_lists(void **state)
{
    (void)state;
    AtParams *p = mk();
    char err[512] = "";
    assert_int_equal(
        at_params_load_string(p, "input = { connect = \"one:port\"; };", "t", err, sizeof err),
        AT_OK);
    assert_int_equal(at_params_value(p, "input.connect")->count, 1);
    assert_string_equal(at_params_value(p, "input.connect")->list[0], "one:port");
    assert_int_equal(at_params_load_string(p, "input = { connect = (\"a\", \"b\", \"c\"); };", "t",
                                           err, sizeof err),
                     AT_OK);
    assert_int_equal(at_params_value(p, "input.connect")->count, 3);
    assert_string_equal(at_params_value(p, "input.connect")->list[2], "c");
    assert_int_equal(
        at_params_load_string(p, "sampling = { octaves = [-1, 0, 9]; };", "t", err, sizeof err),
        AT_OK);
    assert_int_equal(at_params_value(p, "sampling.octaves")->count, 3);
    assert_int_equal(at_params_value(p, "sampling.octaves")->ilist[0], -1);
    /* too many items, items out of range at both ends, wrong types */
    char big[1024] = "sampling = { octaves = [";
    for (int k = 0; k < 65; k++)
        strcat(big, k ? ", 1" : "1");
    strcat(big, "]; };");
    assert_int_equal(at_params_load_string(p, big, "t", err, sizeof err), AT_ERR_USAGE);
    assert_non_null(strstr(err, "too many items (65): at most 64"));
    assert_int_equal(
        at_params_load_string(p, "sampling = { octaves = [9, -2]; };", "t", err, sizeof err),
        AT_ERR_USAGE);
    assert_non_null(strstr(err, "bad item 2: -2"));
    assert_int_equal(
        at_params_load_string(p, "sampling = { octaves = [1.5]; };", "t", err, sizeof err),
        AT_ERR_USAGE);
    assert_non_null(strstr(err, "bad item 1: 1.5"));
    assert_int_equal(at_params_load_string(p, "sampling = { octaves = 3; };", "t", err, sizeof err),
                     AT_ERR_USAGE);
    assert_non_null(strstr(err, "key 'sampling.octaves': bad value 3: must be a list"));
    assert_int_equal(at_params_value(p, "sampling.octaves")->count, 3); /* unchanged */
    assert_int_equal(
        at_params_load_string(p, "input = { connect = [\"a\"]; }; sampling = { octaves = []; };",
                              "t", err, sizeof err),
        AT_OK);
    assert_int_equal(at_params_value(p, "sampling.octaves")->count, 0);
    at_params_free(p);
}

/* ---- loading: types, groups, where the error is ---------------------------- */

static void config_types_and_groups(void **state)
{
    (void)state;
    const struct {
        const char *text, *expect;
    } bad[] = {
        {"patch = { volume = true; };", "key 'patch.volume': bad value true: must be a number"},
        {"patch = { volume = \"1\"; };", "key 'patch.volume': bad value \"1\": must be a number"},
        {"patch = { op1 = { wave = 2; }; };", "key 'patch.op1.wave': bad value 2: must be one of"},
        {"patch = { algorithm = { x = 1; }; };",
         "key 'patch.algorithm': unknown group (expected a value); known here: algorithm, "
         "volume, op1"},
        {"patch = { op1 = 4; };", "key 'patch.op1': must be a group { ... }; known here: "
                                  "algorithm, volume, op1"},
        {"patch = { op2 = { wave = \"sine\"; }; };", "key 'patch.op2': unknown group; known here"},
        {"sampling = { prefix = [\"a\"]; };", "key 'sampling.prefix': bad value (a list)"},
        {"sampling = { prefix = { a = 1; }; };", "key 'sampling.prefix': unknown group"},
        {"sampling = { hold = \"0s\"; };", "key 'sampling.hold': bad value \"0s\""},
        {"sampling = { hold = 0; };", "key 'sampling.hold': bad value 0"},
        {"input = { start-stop = \"true\"; };",
         "key 'input.start-stop': bad value \"true\": must be true or false"},
        /* an action is no config key: not listed */
        {"zzzzzzzzz = 1;", "key 'zzzzzzzzz': unknown key; known here: patch, input, sampling, osc"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        AtParams *p = mk();
        char err[1024] = "";
        AtStatus st = at_params_load_string(p, bad[i].text, "t.conf", err, sizeof err);
        if (st != AT_ERR_USAGE || !strstr(err, bad[i].expect))
            fail_msg("case %zu: status %d, error '%s', expected '%s'", i, st, err, bad[i].expect);
        at_params_free(p);
    }
    /* good: a float where an int is fine for a float key, a whole number
     * for a duration, a 64-bit literal */
    AtParams *p = mk();
    char err[512] = "";
    assert_int_equal(at_params_load_string(p,
                                           "patch = { volume = -1; algorithm = 3L; };\n"
                                           "sampling = { hold = 2; prefix = 12; };",
                                           "t", err, sizeof err),
                     AT_OK);
    assert_true(at_params_float(p, "patch.volume") == -1.0);
    assert_int_equal(at_params_int(p, "patch.algorithm"), 3);
    assert_true(at_params_float(p, "sampling.hold") == 2.0);
    assert_string_equal(at_params_str(p, "sampling.prefix"), "12");
    at_params_free(p);
}

static void errors_name_the_file_and_line(void **state)
{
    (void)state;
    TuTemp t;
    tu_temp(&t, "x.conf");
    const char *path = t.path;
    tu_write(path, "# a comment\n\npatch = {\n  volume = 0.5;\n  algorithm = 40;\n};\n");
    AtParams *p = mk();
    char err[1024] = "";
    assert_int_equal(at_params_load_file(p, path, err, sizeof err), AT_ERR_USAGE);
    char want[800];
    snprintf(want, sizeof want, "%s:5: key 'patch.algorithm': bad value 40", path);
    assert_contains(err, want);
    tu_write(path, "patch = {\n\n  volume = ;\n};\n");
    assert_int_equal(at_params_load_file(p, path, err, sizeof err), AT_ERR_USAGE);
    snprintf(want, sizeof want, "%s:3: syntax error", path);
    assert_contains(err, want);
    tu_write(path, "patch = { volume = 1.5; };\n");
    assert_int_equal(at_params_load_file(p, path, err, sizeof err), AT_OK);
    assert_true(at_params_float(p, "patch.volume") == 1.5);
    tu_temp_remove(&t);
    at_params_free(p);
}

static void typo_suggestions_only_when_close(void **state)
{
    (void)state;
    AtParams *p = mk();
    char err[1024] = "";
    assert_int_equal(at_params_load_string(p, "patch = { volum = 1; };", "t", err, sizeof err),
                     AT_ERR_USAGE);
    assert_non_null(strstr(err, "did you mean 'patch.volume'?"));
    assert_int_equal(at_params_load_string(p, "patch = { vol = 1; };", "t", err, sizeof err),
                     AT_ERR_USAGE);
    assert_null(strstr(err, "did you mean"));
    assert_int_equal(
        at_params_load_string(p, "input = { start-stpo = true; };", "t", err, sizeof err),
        AT_ERR_USAGE);
    assert_non_null(strstr(err, "did you mean 'input.start-stop'?"));
    assert_non_null(strstr(err, "known here: start-stop, connect"));
    assert_int_equal(at_params_load_string(p, "pani = 1;", "t", err, sizeof err), AT_ERR_USAGE);
    assert_null(strstr(err, "'panic'")); /* an action is no config key */
    at_params_free(p);
}

/* ---- lookup ------------------------------------------------------------------- */

static void lookup(void **state)
{
    (void)state;
    AtParams *p = mk();
    size_t nc;
    at_params_common_defs(&nc);
    assert_int_equal(nc, 3);
    assert_int_equal(at_params_count(p), N_DEFS + nc);
    assert_string_equal(at_params_tool(p), "tool");
    assert_int_equal(at_params_find_osc(p, "//volume"), 1);
    assert_int_equal(at_params_find_osc(p, "algorithm"), 0);
    assert_int_equal(at_params_find_osc(p, "panic"), 9);
    assert_int_equal(at_params_find_osc(p, "patch.volume"), -1);
    assert_int_equal(at_params_find_key(p, "osc.allow"), (int)N_DEFS + 2);
    assert_int_equal(at_params_find_key(p, "volume"), -1);
    assert_null(at_params_def(p, -1));
    assert_null(at_params_def(p, (int)(N_DEFS + nc)));
    assert_non_null(at_params_def(p, (int)(N_DEFS + nc - 1)));
    assert_string_equal(at_params_def(p, 0)->key, "patch.algorithm");
    AtParams *q = at_params_new("bare", NULL, 0); /* only the common keys */
    assert_non_null(q);
    assert_int_equal(at_params_count(q), nc);
    assert_int_equal(at_params_find_key(q, "osc.port"), 0);
    at_params_free(q);
    at_params_free(NULL);
    at_params_free(p);
}

/* ---- writing ------------------------------------------------------------------ */

static char *written(const AtParams *p, bool commented, bool state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    at_params_write(p, f, commented, state);
    fclose(f);
    return buf;
}

/* The value of key k, formatted, must read want. */
static void expect_format(const AtParams *p, const char *k, const char *want)
{
    char out[512];
    at_params_format(p, key(p, k), out, sizeof out);
    assert_string_equal(out, want);
}

static void formats_of_each_type(void **state)
{
    (void)state;
    AtParams *p = mk();
    char err[256];
    expect_format(p, "patch.volume", "1.0");
    at_params_set_number(p, key(p, "patch.volume"), 0.125, err, sizeof err);
    expect_format(p, "patch.volume", "0.125");
    at_params_set_number(p, key(p, "patch.volume"), 1e-7 * 3, err, sizeof err);
    expect_format(p, "patch.volume", "3e-07");
    expect_format(p, "patch.algorithm", "10");
    expect_format(p, "sampling.hold", "\"0.2s\"");
    expect_format(p, "input.start-stop", "true");
    expect_format(p, "patch.op1.wave", "\"saw\"");
    expect_format(p, "input.connect", "[ \"a:b\", \"c:d\" ]");
    expect_format(p, "sampling.octaves", "[2, 3]");
    expect_format(p, "panic", "-");
    const char *none[1] = {NULL};
    at_params_set_strlist(p, key(p, "input.connect"), none, 0, err, sizeof err);
    expect_format(p, "input.connect", "[]");
    at_params_set_intlist(p, key(p, "sampling.octaves"), NULL, 0, err, sizeof err);
    expect_format(p, "sampling.octaves", "[]");
    /* control characters and quotes are escaped */
    at_params_set_string(p, key(p, "sampling.prefix"), "a\"b\\c\x01", err, sizeof err);
    expect_format(p, "sampling.prefix", "\"a\\\"b\\\\c\\x01\"");
    at_params_free(p);
}

static void written_config_and_state(void **state)
{
    (void)state;
    AtParams *p = mk();
    char *full = written(p, true, false);
    assert_non_null(strstr(full, "# aiotone-tool configuration"));
    assert_non_null(strstr(full, "patch = {\n"));
    assert_non_null(strstr(full, "    op1 = {\n        # wave.\n"));
    assert_non_null(strstr(full, "    # volume.\n    # Allowed: a number -1..2 (dB).\n"
                                 "    volume = 1.0;\n"));
    assert_non_null(strstr(full, "# Allowed: a whole number 0..11.\n    algorithm = 10;\n"));
    assert_non_null(strstr(full, "secret = \"x\";"));
    assert_null(strstr(full, "panic"));
    free(full);
    char *st = written(p, false, true);
    assert_null(strstr(st, "secret")); /* NOSAVE */
    assert_null(strstr(st, "#"));      /* no comments */
    assert_non_null(strstr(st, "prefix = \"handpan\";"));
    assert_non_null(strstr(st, "osc = {\n    port = 0;\n"));
    free(st);
    at_params_free(p);
}

static void store_copies_values(void **state)
{
    (void)state;
    AtParams *p = mk();
    AtParamValue v = {0};
    v.i = 5;
    v.f = 5.0;
    at_params_store(p, key(p, "patch.algorithm"), &v);
    assert_int_equal(at_params_int(p, "patch.algorithm"), 5);
    AtParamValue s = {0};
    s.s = "stored";
    at_params_store(p, key(p, "sampling.prefix"), &s);
    assert_string_equal(at_params_str(p, "sampling.prefix"), "stored");
    s.s = NULL;
    at_params_store(p, key(p, "sampling.prefix"), &s);
    assert_string_equal(at_params_str(p, "sampling.prefix"), "");
    char *items[] = {"q:r", "s:t"};
    AtParamValue l = {0};
    l.list = items;
    l.count = 2;
    at_params_store(p, key(p, "input.connect"), &l);
    assert_int_equal(at_params_value(p, "input.connect")->count, 2);
    assert_string_equal(at_params_value(p, "input.connect")->list[1], "s:t");
    assert_true(at_params_value(p, "input.connect")->list[1] != items[1]); /* a copy */
    AtParamValue il = {0};
    il.ilist[0] = 4;
    il.ilist[1] = 5;
    il.ilist[2] = 6;
    il.count = 3;
    at_params_store(p, key(p, "sampling.octaves"), &il);
    assert_int_equal(at_params_value(p, "sampling.octaves")->count, 3);
    assert_int_equal(at_params_value(p, "sampling.octaves")->ilist[2], 6);
    at_params_free(p);
}

static void unreadable_file_is_reported(void **state)
{
    (void)state;
    /* a file that opens but cannot be read (the kernel refuses reads at
     * address 0 of /proc/self/mem): the error names the file and why */
    AtParams *p = mk();
    char err[512] = "";
    assert_int_equal(at_params_load_file(p, "/proc/self/mem", err, sizeof err), AT_ERR_USAGE);
    assert_non_null(strstr(err, "/proc/self/mem: cannot read: "));
    at_params_free(p);
}

static void free_gives_everything_back(void **state)
{
    (void)state;
    /* at_params_free releases all that at_params_new and a load took,
     * the per-key origins (which file set each key) included */
    char path[] = "/tmp/at-params-edges-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "patch = { algorithm = 5; };\nsampling = { prefix = \"x\"; };\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    size_t before = 0;
    for (int round = 0; round < 2; round++) {
        /* round 0 warms up what the C library keeps for itself */
        if (round == 1)
            before = mallinfo2().uordblks;
        AtParams *p = mk();
        char err[512] = "";
        assert_int_equal(at_params_load_file(p, path, err, sizeof err), AT_OK);
        assert_int_equal(at_params_int(p, "patch.algorithm"), 5);
        at_params_free(p);
    }
    assert_int_equal(mallinfo2().uordblks, before);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(enum_index_below_zero_is_refused),
        cmocka_unit_test(numbers_at_both_ends),
        cmocka_unit_test(every_string_form),
        cmocka_unit_test(durations_every_unit),
        cmocka_unit_test(lists_and_their_limits),
        cmocka_unit_test(config_lists),
        cmocka_unit_test(config_types_and_groups),
        cmocka_unit_test(errors_name_the_file_and_line),
        cmocka_unit_test(typo_suggestions_only_when_close),
        cmocka_unit_test(lookup),
        cmocka_unit_test(formats_of_each_type),
        cmocka_unit_test(written_config_and_state),
        cmocka_unit_test(store_copies_values),
        cmocka_unit_test(unreadable_file_is_reported),
        cmocka_unit_test(free_gives_everything_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
