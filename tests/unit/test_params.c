/* Unit tests for common/params: defaults, validation, libconfig loading
 * with precise errors, writing and reading back, durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "params.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const AtParamDef defs[] = {
    AT_INT("patch.algorithm", 0, 11, 10, "algorithm", .osc = "algorithm", .flags = AT_PARAM_LIVE),
    AT_FLOAT("patch.op1.ratio", 0, 32, 0.999, "ratio", .osc = "op/1/ratio", .flags = AT_PARAM_LIVE),
    AT_ENUM("patch.op1.wave", ("sine", "sine12", "saw", "square"), 2, "wave", .osc = "op/1/wave"),
    AT_BOOL("input.start-stop", 1, "pass start/stop"),
    AT_STRLIST("input.connect", "a:b, c:d", "peers"),
    AT_INTLIST("sampling.octaves", -1, 9, "2,3", "octaves"),
    AT_DURATION("sampling.hold", 0, 60, 0.2, "hold"),
    AT_STRING("sampling.prefix", "handpan", "prefix"),
    AT_ACTION_PARAM("panic", "all notes off"),
};
#define N_DEFS (sizeof defs / sizeof defs[0])

static AtParams *mk(void)
{
    AtParams *p = at_params_new("test", defs, N_DEFS);
    assert_non_null(p);
    return p;
}

/* A test with a file: two registries p and q as mk() makes them, a file
 * name in a folder of its own, room for an error. */
#define ERR_LEN 512
typedef struct {
    AtParams *p, *q;
    TuTemp t;
    char err[ERR_LEN];
} Fx;

static int fx_setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->p = mk();
    f->q = mk();
    tu_temp(&f->t, "state.conf");
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    Fx *f = *state;
    tu_temp_remove(&f->t);
    at_params_free(f->p);
    at_params_free(f->q);
    free(f);
    return 0;
}

static void test_defaults(void **s)
{
    (void)s;
    AtParams *p = mk();
    assert_int_equal(at_params_int(p, "patch.algorithm"), 10);
    assert_true(fabs(at_params_float(p, "patch.op1.ratio") - 0.999) < 1e-12);
    assert_string_equal(at_params_str(p, "patch.op1.wave"), "saw");
    assert_true(at_params_bool(p, "input.start-stop"));
    const AtParamValue *l = at_params_value(p, "input.connect");
    assert_int_equal(l->count, 2);
    assert_string_equal(l->list[1], "c:d");
    const AtParamValue *o = at_params_value(p, "sampling.octaves");
    assert_int_equal(o->count, 2);
    assert_int_equal(o->ilist[1], 3);
    assert_string_equal(at_params_str(p, "sampling.prefix"), "handpan");
    /* the common keys come with every registry */
    assert_int_equal(at_params_int(p, "osc.port"), 0);
    assert_string_equal(at_params_str(p, "osc.bind"), "127.0.0.1");
    assert_int_equal(at_params_find_osc(p, "/op/1/ratio"), 1);
    assert_int_equal(at_params_find_osc(p, "nope"), -1);
    at_params_free(p);
}

static void test_load_good(void **s)
{
    (void)s;
    AtParams *p = mk();
    char err[512] = "";
    const char *text = "patch = { algorithm = 3; op1 = { ratio = 2; wave = \"SINE\"; }; };\n"
                       "input = { start-stop = false; connect = [\"x:y\"]; };\n"
                       "sampling = { octaves = [-1, 9]; hold = \"250ms\"; prefix = \"\"; };\n";
    assert_int_equal(at_params_load_string(p, text, "t.conf", err, sizeof err), AT_OK);
    assert_int_equal(at_params_int(p, "patch.algorithm"), 3);
    assert_true(at_params_float(p, "patch.op1.ratio") == 2.0); /* an int is a fine float */
    assert_string_equal(at_params_str(p, "patch.op1.wave"), "sine");
    assert_false(at_params_bool(p, "input.start-stop"));
    assert_int_equal(at_params_value(p, "input.connect")->count, 1);
    assert_int_equal(at_params_value(p, "sampling.octaves")->ilist[0], -1);
    assert_true(fabs(at_params_float(p, "sampling.hold") - 0.25) < 1e-12);
    assert_string_equal(at_params_str(p, "sampling.prefix"), "");
    /* a number where text is allowed is kept as its text */
    assert_int_equal(
        at_params_load_string(p, "sampling = { prefix = 0.000001; };", "t.conf", err, sizeof err),
        AT_OK);
    assert_string_equal(at_params_str(p, "sampling.prefix"), "1e-06");
    at_params_free(p);
}

typedef struct {
    const char *text;
    const char *expect; /* substring of the error */
} BadCase;

static void test_load_errors_name_file_line_key(void **s)
{
    (void)s;
    const BadCase cases[] = {
        {"patch = {\n  algorithm = 12;\n};",
         "t.conf:2: key 'patch.algorithm': bad value 12: must be a whole number 0..11"},
        {"patch = {\n  algorithm = 2.5;\n};",
         "t.conf:2: key 'patch.algorithm': bad value 2.5: must be a whole number 0..11"},
        {"patch = { algoritm = 2; };", "t.conf:1: key 'patch.algoritm': unknown key (did you mean "
                                       "'patch.algorithm'?); known here: algorithm, op1"},
        {"patch = { op1 = { wave = \"tri\"; }; };",
         "key 'patch.op1.wave': bad value \"tri\": must be one of \"sine\", \"sine12\", \"saw\", "
         "\"square\""},
        {"patch = { op1 = { ratio = \"2\"; }; };",
         "key 'patch.op1.ratio': bad value \"2\": must be a number 0..32"},
        {"input = { start-stop = 1; };",
         "key 'input.start-stop': bad value 1: must be true or false"},
        {"input = { connect = [1, 2]; };",
         "key 'input.connect': bad item 1: 1: must be a list of strings"},
        {"sampling = { octaves = [2, 10]; };",
         "key 'sampling.octaves': bad item 2: 10: must be a list of whole numbers -1..9"},
        {"sampling = { hold = \"2 fortnights\"; };",
         "key 'sampling.hold': bad value \"2 fortnights\""},
        {"sampling = { hold = -1; };", "key 'sampling.hold': bad value -1"},
        {"patch = 3;", "key 'patch': must be a group"},
        {"panic = true;", "key 'panic': unknown key"},
        {"\n\nfoo = 1;",
         "t.conf:3: key 'foo': unknown key; known here: patch, input, sampling, osc"},
        {"patch = {\n algorithm = = 3; };", "t.conf:2: syntax error"},
        {"osc = { port = 70000; };",
         "key 'osc.port': bad value 70000: must be a whole number 0..65535"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        AtParams *p = mk();
        char err[1024] = "";
        AtStatus st = at_params_load_string(p, cases[i].text, "t.conf", err, sizeof err);
        if (st != AT_ERR_USAGE || !strstr(err, cases[i].expect))
            fail_msg("case %zu: status %d, error '%s', expected '%s'", i, st, err, cases[i].expect);
        at_params_free(p);
    }
}

static void test_bad_value_changes_nothing_after_it(void **s)
{
    (void)s;
    AtParams *p = mk();
    char err[512];
    /* Keys after the bad one, in its group, in a nested group and in a
     * later group, must all keep their values: loading stops at the error. */
    const char *text = "patch = { algorithm = 99; op1 = { ratio = 3.0; wave = \"sine\"; }; };\n"
                       "input = { start-stop = false; connect = [\"x:y\"]; };\n"
                       "sampling = { hold = 5; prefix = \"new\"; };\n";
    assert_int_equal(at_params_load_string(p, text, "t", err, sizeof err), AT_ERR_USAGE);
    assert_non_null(strstr(err, "t:1: key 'patch.algorithm': bad value 99"));
    assert_int_equal(at_params_int(p, "patch.algorithm"), 10);
    assert_true(fabs(at_params_float(p, "patch.op1.ratio") - 0.999) < 1e-12);
    assert_string_equal(at_params_str(p, "patch.op1.wave"), "saw");
    assert_true(at_params_bool(p, "input.start-stop"));
    assert_int_equal(at_params_value(p, "input.connect")->count, 2);
    assert_true(fabs(at_params_float(p, "sampling.hold") - 0.2) < 1e-12);
    assert_string_equal(at_params_str(p, "sampling.prefix"), "handpan");
    at_params_free(p);
}

static void test_set_number_and_string(void **s)
{
    (void)s;
    AtParams *p = mk();
    char err[256];
    int alg = at_params_find_key(p, "patch.algorithm");
    assert_true(at_params_set_number(p, alg, 4.6, err, sizeof err)); /* rounds */
    assert_int_equal(at_params_int(p, "patch.algorithm"), 5);
    assert_false(at_params_set_number(p, alg, 11.6, err, sizeof err));
    assert_string_equal(err, "must be a whole number 0..11");
    assert_false(at_params_set_number(p, alg, NAN, err, sizeof err));
    int ratio = at_params_find_key(p, "patch.op1.ratio");
    assert_false(at_params_set_number(p, ratio, INFINITY, err, sizeof err));
    assert_true(at_params_set_string(p, ratio, "1.5", err, sizeof err));
    assert_false(at_params_set_string(p, ratio, "1.5x", err, sizeof err));
    int wave = at_params_find_key(p, "patch.op1.wave");
    assert_true(at_params_set_number(p, wave, 1, err, sizeof err));
    assert_string_equal(at_params_str(p, "patch.op1.wave"), "sine12");
    assert_false(at_params_set_number(p, wave, 4, err, sizeof err));
    int hold = at_params_find_key(p, "sampling.hold");
    assert_true(at_params_set_string(p, hold, "500us", err, sizeof err));
    assert_true(fabs(at_params_float(p, "sampling.hold") - 0.0005) < 1e-12);
    at_params_free(p);
}

static void test_durations(void **s)
{
    (void)s;
    double v;
    assert_true(at_parse_duration("30s", &v) && v == 30.0);
    assert_true(at_parse_duration("200ms", &v) && fabs(v - 0.2) < 1e-12);
    assert_true(at_parse_duration("500us", &v) && fabs(v - 0.0005) < 1e-12);
    assert_true(at_parse_duration("1.5", &v) && v == 1.5);
    assert_true(at_parse_duration(" 2 s", &v) && v == 2.0);
    assert_false(at_parse_duration("", &v));
    assert_false(at_parse_duration("s", &v));
    assert_false(at_parse_duration("-1s", &v));
    assert_false(at_parse_duration("3h", &v));
    assert_false(at_parse_duration("nan", &v));
}

static void test_write_reads_back(void **s)
{
    (void)s;
    AtParams *p = mk();
    char err[512];
    const char *text = "patch = { algorithm = 7; op1 = { ratio = 0.1; wave = \"square\"; }; };\n"
                       "input = { connect = [\"we \\\"quote\\\"\", \"b\"]; };\n"
                       "sampling = { octaves = []; hold = 1.25; prefix = \"a\\\\b\"; };\n";
    assert_int_equal(at_params_load_string(p, text, "t", err, sizeof err), AT_OK);
    char *buf = NULL;
    size_t len = 0;
    for (int commented = 0; commented < 2; commented++) {
        FILE *f = open_memstream(&buf, &len);
        at_params_write(p, f, commented, false);
        fclose(f);
        AtParams *q = mk();
        if (at_params_load_string(q, buf, "written", err, sizeof err) != AT_OK)
            fail_msg("written config does not load: %s\n%s", err, buf);
        for (size_t i = 0; i < at_params_count(p); i++) {
            char a[512], b[512];
            at_params_format(p, (int)i, a, sizeof a);
            at_params_format(q, (int)i, b, sizeof b);
            assert_string_equal(a, b);
        }
        at_params_free(q);
        free(buf);
        buf = NULL;
    }
    at_params_free(p);
}

static void test_save_file_is_atomic_and_loads(void **s)
{
    Fx *f = *s;
    AtParams *p = f->p, *q = f->q;
    char *err = f->err;
    const char *path = f->t.path;
    int alg = at_params_find_key(p, "patch.algorithm");
    at_params_set_number(p, alg, 2, err, ERR_LEN);
    assert_int_equal(at_params_save_file(p, path, err, ERR_LEN), AT_OK);
    assert_int_equal(at_params_load_file(q, path, err, ERR_LEN), AT_OK);
    assert_int_equal(at_params_int(q, "patch.algorithm"), 2);
    char missing[700];
    snprintf(missing, sizeof missing, "%s/none/state.conf", f->t.dir);
    assert_int_equal(at_params_save_file(p, missing, err, ERR_LEN), AT_ERR_RUNTIME);
    assert_int_equal(at_params_load_file(q, missing, err, ERR_LEN), AT_ERR_USAGE);
    assert_non_null(strstr(err, "cannot open"));
}

/* A save keeps the leading comment block the user wrote (once, without
 * doubling the tool's own header line); settings' values are rewritten. */
static void test_save_keeps_leading_comments(void **s)
{
    Fx *f = *s;
    AtParams *p = f->p, *q = f->q;
    char *err = f->err;
    const char *path = f->t.path;
    tu_write(path, "# My bell patch: op 4 is the clang.\n// tuned on the Reface\n\n"
                   "patch = { algorithm = 3; }; # not kept: a setting's comment\n");
    assert_int_equal(at_params_load_file(p, path, err, ERR_LEN), AT_OK);
    int alg = at_params_find_key(p, "patch.algorithm");
    at_params_set_number(p, alg, 5, err, ERR_LEN);
    for (int round = 0; round < 2; round++) /* a second save does not pile up headers */
        assert_int_equal(at_params_save_file(p, path, err, ERR_LEN), AT_OK);
    char text[8192];
    assert_true(tu_read(path, text, sizeof text));
    assert_int_equal(
        strncmp(text, "# My bell patch: op 4 is the clang.\n// tuned on the Reface\n\n# ", 61), 0);
    char *hdr = strstr(text, "state, saved by the tool");
    assert_non_null(hdr);
    assert_null(strstr(hdr + 1, "state, saved by the tool"));
    assert_int_equal(at_params_load_file(q, path, err, ERR_LEN), AT_OK);
    assert_int_equal(at_params_int(q, "patch.algorithm"), 5);
}

/* A UTF-8 byte-order mark is skipped (file and string); a directory is
 * named as such; a syntax error names file and line once. */
static void test_load_file_bom_dir_syntax(void **s)
{
    Fx *f = *s;
    AtParams *p = f->p;
    char *err = f->err;
    const char *path = f->t.path, *dir = f->t.dir;
    tu_write(path, "\xEF\xBB\xBFpatch = { algorithm = 4; };\n");
    assert_int_equal(at_params_load_file(p, path, err, ERR_LEN), AT_OK);
    assert_int_equal(at_params_int(p, "patch.algorithm"), 4);
    assert_int_equal(
        at_params_load_string(p, "\xEF\xBB\xBFpatch = { algorithm = 3; };", "x", err, ERR_LEN),
        AT_OK);
    assert_int_equal(at_params_int(p, "patch.algorithm"), 3);
    err[0] = 0;
    assert_int_equal(at_params_load_file(p, dir, err, ERR_LEN), AT_ERR_USAGE);
    assert_non_null(strstr(err, dir));
    assert_non_null(strstr(err, "is a directory"));
    tu_write(path, "patch = {\n  algorithm = ;\n};\n");
    assert_int_equal(at_params_load_file(p, path, err, ERR_LEN), AT_ERR_USAGE);
    char want[700];
    snprintf(want, sizeof want, "%s:2: syntax error", path);
    assert_string_equal(err, want);
}

/* A tool's own check of a value can name where it came from. */
static void test_origin_of_values(void **s)
{
    (void)s;
    AtParams *p = mk();
    char err[512], where[256];
    at_params_where(p, "sampling.prefix", where, sizeof where);
    assert_string_equal(where, "key 'sampling.prefix'");
    assert_int_equal(at_params_load_string(p, "sampling = {\n  hold = 1.0;\n  prefix = \"x\";\n};",
                                           "s.conf", err, sizeof err),
                     AT_OK);
    at_params_where(p, "sampling.prefix", where, sizeof where);
    assert_string_equal(where, "s.conf:3: key 'sampling.prefix'");
    const char *file;
    int line;
    assert_true(at_params_origin(p, at_params_find_key(p, "sampling.hold"), &file, &line));
    assert_string_equal(file, "s.conf");
    assert_int_equal(line, 2);
    assert_false(at_params_origin(p, at_params_find_key(p, "patch.algorithm"), &file, &line));
    at_params_free(p);
}

#define FX(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
TU_MAIN(cmocka_unit_test(test_defaults), cmocka_unit_test(test_load_good),
        cmocka_unit_test(test_load_errors_name_file_line_key),
        cmocka_unit_test(test_bad_value_changes_nothing_after_it),
        cmocka_unit_test(test_set_number_and_string), cmocka_unit_test(test_durations),
        cmocka_unit_test(test_write_reads_back), FX(test_save_file_is_atomic_and_loads),
        FX(test_save_keeps_leading_comments), FX(test_load_file_bom_dir_syntax),
        cmocka_unit_test(test_origin_of_values))
