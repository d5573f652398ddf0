/* Unit tests for the parameter bindings (common/params: lookups by index,
 * AT_BIND fields filled at set-up and written by live changes, seeds,
 * former keys read with a warning) and the shells' shared pieces
 * (common/shellutil: destination masks, xrun gaps, rate-limited warnings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "params.h"
#include "shellutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A tool's config struct, as a core would have it. */
typedef enum { MODE_A, MODE_B, MODE_C } Mode;
typedef struct {
    bool start_stop;
    Mode mode;
    int level;
    double bpm;
    uint8_t channel[2];
    uint64_t seed;
    int untouched;
} Cfg;

enum { P_START_STOP, P_MODE, P_LEVEL, P_BPM, P_A_CHANNEL, P_B_CHANNEL, P_SEED, P_NAME, P_COUNT };

static const AtParamDef defs[P_COUNT] = {
    [P_START_STOP] =
        AT_BOOL("input.start-stop", 1, NULL, .field = AT_BIND(Cfg, start_stop, AT_FIELD_BOOL)),
    [P_MODE] = AT_ENUM("mode", ("a", "b", "c"), 1, NULL, AT_LIVE("mode", Cfg, mode, AT_FIELD_INT)),
    [P_LEVEL] = AT_INT("input.level", 0, 127, 64, NULL, .field = AT_BIND(Cfg, level, AT_FIELD_INT)),
    [P_BPM] =
        AT_FLOAT("clock.bpm", 20, 300, 120.5, NULL, .field = AT_BIND(Cfg, bpm, AT_FIELD_DOUBLE)),
    [P_A_CHANNEL] =
        AT_INT("a.channel", 1, 16, 2, NULL, .field = AT_BIND(Cfg, channel[0], AT_FIELD_CHANNEL)),
    [P_B_CHANNEL] =
        AT_INT("b.channel", 1, 16, 16, NULL, .field = AT_BIND(Cfg, channel[1], AT_FIELD_CHANNEL)),
    [P_SEED] = AT_SEED_PARAM(AT_BIND(Cfg, seed, AT_FIELD_SEED), .old_key = "input.seed"),
    [P_NAME] = AT_STRING("name", "red", NULL),
};

static AtParams *mk(void)
{
    AtParams *p = at_params_new("bindtest", defs, P_COUNT);
    assert_non_null(p);
    return p;
}

/* Run fn with stderr going to a file; return what was written (static). */
static const char *stderr_of(void (*fn)(void *), void *arg)
{
    static char text[4096];
    fflush(stderr);
    int saved = dup(2);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    dup2(fileno(tmp), 2);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(text, 1, sizeof text - 1, tmp);
    text[n] = 0;
    fclose(tmp);
    return text;
}

static void test_lookup_by_index(void **state)
{
    (void)state;
    AtParams *p = mk();
    assert_int_equal(at_params_int_at(p, P_LEVEL), 64);
    assert_true(at_params_bool_at(p, P_START_STOP));
    assert_true(at_params_float_at(p, P_BPM) == 120.5);
    assert_string_equal(at_params_str_at(p, P_MODE), "b");
    assert_string_equal(at_params_str_at(p, P_NAME), "red");
    assert_string_equal(at_params_key(p, P_A_CHANNEL), "a.channel");
    /* the same values as the lookups by key */
    assert_int_equal(at_params_int_at(p, P_LEVEL), at_params_int(p, "input.level"));
    assert_string_equal(at_params_str_at(p, P_MODE), at_params_str(p, "mode"));
    at_params_free(p);
}

static void fill_cfg(void *arg)
{
    void **a = arg;
    at_params_fill(a[0], a[1]);
}

static void test_fill_writes_bound_fields(void **state)
{
    (void)state;
    AtParams *p = mk();
    char err[512];
    assert_int_equal(at_params_load_string(p,
                                           "input = { start-stop = false; level = 7; };\n"
                                           "mode = \"c\"; clock = { bpm = 99.25; };\n"
                                           "a = { channel = 1; }; seed = 42;\n",
                                           "t.conf", err, sizeof err),
                     AT_OK);
    Cfg c;
    memset(&c, 0xAB, sizeof c);
    c.untouched = 12345;
    void *arg[2] = {p, &c};
    const char *log = stderr_of(fill_cfg, arg);
    assert_false(c.start_stop);
    assert_int_equal(c.mode, MODE_C);
    assert_int_equal(c.level, 7);
    assert_true(c.bpm == 99.25);
    assert_int_equal(c.channel[0], 0);  /* channel 1 on the wire */
    assert_int_equal(c.channel[1], 15); /* channel 16 */
    assert_int_equal(c.seed, 42);
    assert_int_equal(c.untouched, 12345); /* unbound fields are left alone */
    assert_non_null(strstr(log, "seed 42"));
    assert_null(strstr(log, "random"));
    at_params_free(p);
}

static void test_fill_resolves_seed_zero(void **state)
{
    (void)state;
    AtParams *p = mk();
    Cfg c = {0};
    void *arg[2] = {p, &c};
    const char *log = stderr_of(fill_cfg, arg);
    assert_true(c.seed >= 1 && c.seed <= 2147483646u);
    /* the log names the seed and the key to set to replay it */
    char want[128];
    snprintf(want, sizeof want, "seed %llu (random; set seed to replay)",
             (unsigned long long)c.seed);
    assert_non_null(strstr(log, want));
    /* the registry still says "random" (saved state keeps 0) */
    assert_int_equal(at_params_int_at(p, P_SEED), 0);
    for (int k = 0; k < 100; k++) {
        int32_t s = at_params_random_seed();
        assert_true(s >= 1 && s <= 2147483646);
    }
    at_params_free(p);
}

static void test_apply_live_change(void **state)
{
    (void)state;
    Cfg c = {0};
    assert_true(at_params_apply(&defs[P_MODE], &c, MODE_B, 0));
    assert_int_equal(c.mode, MODE_B);
    assert_true(at_params_apply(&defs[P_BPM], &c, 0, 133.5));
    assert_true(c.bpm == 133.5);
    assert_true(at_params_apply(&defs[P_B_CHANNEL], &c, 10, 10));
    assert_int_equal(c.channel[1], 9);
    assert_int_equal(c.channel[0], 0);
    assert_true(at_params_apply(&defs[P_START_STOP], &c, 1, 1));
    assert_true(c.start_stop);
    assert_true(at_params_apply(&defs[P_SEED], &c, 77, 77));
    assert_int_equal(c.seed, 77);
    /* an entry without a field is refused and nothing moves */
    Cfg before = c;
    assert_false(at_params_apply(&defs[P_NAME], &c, 3, 3));
    assert_memory_equal(&before, &c, sizeof c);
}

typedef struct {
    AtParams *p;
    const char *text;
    AtStatus st;
    char err[512];
} LoadArg;

static void load_text(void *arg)
{
    LoadArg *a = arg;
    a->st = at_params_load_string(a->p, a->text, "old.conf", a->err, sizeof a->err);
}

static void test_old_key_still_read_with_warning(void **state)
{
    (void)state;
    LoadArg a = {.p = mk(), .text = "input = {\n  level = 3;\n  seed = 7;\n};\n"};
    const char *log = stderr_of(load_text, &a);
    assert_int_equal(a.st, AT_OK);
    assert_int_equal(at_params_int_at(a.p, P_SEED), 7);
    assert_int_equal(at_params_int_at(a.p, P_LEVEL), 3);
    /* file, line, the old key and the new one */
    assert_non_null(strstr(log, "old.conf:3: key 'input.seed' is the old name of 'seed'"));
    assert_non_null(strstr(log, "write 'seed' instead"));
    /* where it came from, for messages */
    const char *file;
    int line;
    assert_true(at_params_origin(a.p, P_SEED, &file, &line));
    assert_int_equal(line, 3);
    /* saving writes the new key only */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    at_params_write(a.p, f, false, true);
    fclose(f);
    assert_non_null(strstr(text, "\nseed = 7;"));
    assert_null(strstr(text, "    seed"));
    free(text);
    at_params_free(a.p);

    /* the new key: no warning */
    LoadArg b = {.p = mk(), .text = "seed = 9;\n"};
    log = stderr_of(load_text, &b);
    assert_int_equal(b.st, AT_OK);
    assert_int_equal(at_params_int_at(b.p, P_SEED), 9);
    assert_null(strstr(log, "old name"));
    at_params_free(b.p);

    /* the old key is checked like the new one */
    LoadArg c = {.p = mk(), .text = "input = { seed = -1; };\n"};
    stderr_of(load_text, &c);
    assert_int_equal(c.st, AT_ERR_USAGE);
    assert_non_null(strstr(c.err, "old.conf:1: key 'input.seed': bad value -1"));
    at_params_free(c.p);

    /* a near miss of the old key is still an unknown key */
    LoadArg d = {.p = mk(), .text = "input = { sed = 1; };\n"};
    stderr_of(load_text, &d);
    assert_int_equal(d.st, AT_ERR_USAGE);
    assert_non_null(strstr(d.err, "unknown key"));
    at_params_free(d.p);
}

static void test_dest_mask(void **state)
{
    (void)state;
    AtShellPorts ports = {.in = 0, .out = {4, 5, 4}, .n = 3};
    assert_int_equal(at_shell_dest_mask(&ports, 4), 0x5);
    assert_int_equal(at_shell_dest_mask(&ports, 5), 0x2);
    assert_int_equal(at_shell_dest_mask(&ports, 6), 0);
    ports.n = 2; /* only the destinations there are */
    assert_int_equal(at_shell_dest_mask(&ports, 4), 0x1);
}

static void test_store_live_only(void **state)
{
    (void)state;
    Cfg c = {0};
    AtParamMsg m = {.index = P_MODE, .i = MODE_C, .f = MODE_C};
    assert_true(at_shell_store(defs, P_COUNT, &m, &c)); /* LIVE and bound */
    assert_int_equal(c.mode, MODE_C);
    m = (AtParamMsg){.index = P_LEVEL, .i = 9, .f = 9};
    assert_false(at_shell_store(defs, P_COUNT, &m, &c)); /* not LIVE */
    assert_int_equal(c.level, 0);
    m = (AtParamMsg){.index = P_COUNT, .i = 1};
    assert_false(at_shell_store(defs, P_COUNT, &m, &c)); /* not in the table */
    m = (AtParamMsg){.index = -1, .i = 1};
    assert_false(at_shell_store(defs, P_COUNT, &m, &c));
}

static void test_skipped_frames(void **state)
{
    (void)state;
    AtShellGap g = {0};
    AtCycle c = {.nframes = 256, .rate = 48000, .frame_time = 1000};
    assert_int_equal(at_shell_skipped(&g, &c), 0); /* the first cycle */
    c.frame_time += 256;
    assert_int_equal(at_shell_skipped(&g, &c), 0); /* on time */
    c.frame_time += 256 + 512;
    assert_int_equal(at_shell_skipped(&g, &c), 512); /* two periods lost */
    /* JACK's 32-bit frame time wraps: still the real gap */
    g = (AtShellGap){0};
    c.frame_time = 0xFFFFFF00u;
    at_shell_skipped(&g, &c);
    c.frame_time = (uint64_t)(uint32_t)(0xFFFFFF00u + 256 + 64);
    assert_int_equal(at_shell_skipped(&g, &c), 64);
    /* a step backwards is not a gap */
    c.frame_time -= 1000;
    assert_int_equal(at_shell_skipped(&g, &c), 0);
}

static void test_warn_due_once_a_second(void **state)
{
    (void)state;
    AtShellWarn w = {0};
    AtCycle c = {.nframes = 256, .rate = 48000, .frame_time = 0};
    int n = -1;
    assert_false(at_shell_warn_due(&w, &c, 0, &n)); /* nothing to tell */
    assert_true(at_shell_warn_due(&w, &c, 3, &n));  /* the first: at once */
    assert_int_equal(n, 3);
    c.frame_time = 1000;
    assert_false(at_shell_warn_due(&w, &c, 2, &n)); /* within the second: counted */
    c.frame_time = 47999;
    assert_false(at_shell_warn_due(&w, &c, 1, &n));
    c.frame_time = 48000;
    assert_true(at_shell_warn_due(&w, &c, 0, &n)); /* a second on: all told */
    assert_int_equal(n, 3);
    c.frame_time = 200000;
    assert_false(at_shell_warn_due(&w, &c, 0, &n)); /* nothing pending */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_by_index),
        cmocka_unit_test(test_fill_writes_bound_fields),
        cmocka_unit_test(test_fill_resolves_seed_zero),
        cmocka_unit_test(test_apply_live_change),
        cmocka_unit_test(test_old_key_still_read_with_warning),
        cmocka_unit_test(test_dest_mask),
        cmocka_unit_test(test_store_live_only),
        cmocka_unit_test(test_skipped_frames),
        cmocka_unit_test(test_warn_due_once_a_second),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
