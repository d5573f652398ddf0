/* test_params_snapshot.c - undo in the parameter registry
 * (common/params.c): a copied value survives changes to the registry, a
 * snapshot puts one value or all back after a load, and tells which
 * values a load changed (the way the tool shell's at_app_load_values
 * uses it, common/app_params.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "params.h"

#include <string.h>

static const AtParamDef defs[] = {
    AT_INT("a.int", 0, 100, 10, NULL, .osc = "int"),
    AT_FLOAT("a.float", -10, 10, 1, NULL),
    AT_STRING("a.name", "first", NULL),
    AT_STRLIST("a.peers", "x:1, y:2", NULL),
    AT_INTLIST("a.notes", 0, 127, "60, 64", NULL),
};
#define N (sizeof defs / sizeof defs[0])

static AtParams *fresh(void)
{
    AtParams *p = at_params_new("t", defs, N);
    assert_non_null(p);
    return p;
}

static void copy_is_deep(void **state)
{
    (void)state;
    AtParams *p = fresh();
    AtParamValue name, peers;
    at_params_value_copy(&name, at_params_get(p, 2));
    at_params_value_copy(&peers, at_params_get(p, 3));
    assert_true(at_params_set_string(p, 2, "second", NULL, 0));
    const char *one[] = {"z:9"};
    assert_true(at_params_set_strlist(p, 3, one, 1, NULL, 0));
    assert_string_equal(name.s, "first");
    assert_int_equal(peers.count, 2);
    assert_string_equal(peers.list[1], "y:2");
    at_params_store(p, 2, &name);
    at_params_store(p, 3, &peers);
    assert_string_equal(at_params_get(p, 2)->s, "first");
    assert_int_equal(at_params_get(p, 3)->count, 2);
    at_params_value_free(&name);
    at_params_value_free(&peers);
    at_params_free(p);
}

static void restore_all_after_a_load(void **state)
{
    (void)state;
    AtParams *p = fresh();
    AtParamsSnapshot *s = at_params_snapshot(p);
    assert_non_null(s);
    char err[256];
    assert_int_equal(at_params_load_string(p,
                                           "a = { int = 42; float = -2.5; name = \"other\";"
                                           " peers = [\"q:1\"]; notes = [1, 2, 3]; };",
                                           "t.conf", err, sizeof err),
                     AT_OK);
    for (int i = 0; i < (int)N; i++)
        assert_true(at_params_changed_since(p, s, i));
    at_params_restore(p, s, -1);
    for (int i = 0; i < (int)N; i++)
        assert_false(at_params_changed_since(p, s, i));
    assert_int_equal(at_params_get(p, 0)->i, 10);
    assert_string_equal(at_params_get(p, 2)->s, "first");
    assert_int_equal(at_params_get(p, 4)->count, 2);
    at_params_snapshot_free(s);
    at_params_free(p);
}

static void restore_one_and_see_which_changed(void **state)
{
    (void)state;
    AtParams *p = fresh();
    AtParamsSnapshot *s = at_params_snapshot(p);
    char err[256];
    assert_int_equal(
        at_params_load_string(p, "a = { int = 42; name = \"other\"; };", "t.conf", err, sizeof err),
        AT_OK);
    assert_true(at_params_changed_since(p, s, 0));
    assert_false(at_params_changed_since(p, s, 1));
    assert_true(at_params_changed_since(p, s, 2));
    assert_false(at_params_changed_since(p, s, 3));
    at_params_restore(p, s, 0);
    assert_int_equal(at_params_get(p, 0)->i, 10);
    assert_string_equal(at_params_get(p, 2)->s, "other");
    /* the same value set again is no change */
    assert_true(at_params_set_string(p, 2, "first", NULL, 0));
    assert_false(at_params_changed_since(p, s, 2));
    at_params_snapshot_free(s);
    at_params_snapshot_free(NULL);
    at_params_free(p);
}

TU_MAIN(cmocka_unit_test(copy_is_deep), cmocka_unit_test(restore_all_after_a_load),
        cmocka_unit_test(restore_one_and_see_which_changed))
