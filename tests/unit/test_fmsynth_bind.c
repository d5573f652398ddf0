/* test_fmsynth_bind - fmsynth's patch entries are bound (AT_BIND) each to
 * the FmPatch field its key names: patch.NAME to FmPatch.NAME and
 * patch.opN.NAME to FmPatch.op[N - 1].NAME, and nothing else is bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "clients/fmsynth/fmparams.h"
#include "clients/fmsynth/fmsynth.h"

#include <stdio.h>
#include <string.h>

/* The address of the field a patch key names, read from the key alone. */
static void *field_of_key(FmPatch *p, const char *key)
{
    static const char *const op_names[] = {"wave",    "ratio",   "attack", "decay",
                                           "sustain", "release", "level"};
    int op;
    char name[32];
    if (sscanf(key, "patch.op%d.%31s", &op, name) == 2) {
        assert_true(op >= 1 && op <= FM_OPS);
        FmOpPatch *o = &p->op[op - 1];
        void *fields[] = {&o->wave,    &o->ratio,   &o->attack, &o->decay,
                          &o->sustain, &o->release, &o->level};
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
            if (!strcmp(name, op_names[k]))
                return fields[k];
        fail_msg("no operator field for %s", key);
    }
    if (!strcmp(key, "patch.algorithm"))
        return &p->algorithm;
    if (!strcmp(key, "patch.feedback"))
        return &p->feedback;
    if (!strcmp(key, "patch.volume"))
        return &p->volume;
    fail_msg("no patch field for %s", key);
    return NULL;
}

static void test_each_patch_key_writes_its_own_field(void **state)
{
    (void)state;
    size_t n;
    const AtParamDef *d = fm_param_defs(&n);
    int bound = 0;
    for (size_t i = 0; i < n; i++) {
        bool patch = !strncmp(d[i].key, "patch.", 6);
        assert_int_equal(fm_param_is_patch((int)i), patch);
        if (!patch)
            continue;
        bound++;
        FmPatch zero, p;
        memset(&zero, 0, sizeof zero);
        memset(&p, 0, sizeof p);
        bool whole = d[i].type == AT_PARAM_INT || d[i].type == AT_PARAM_ENUM;
        assert_true(fm_param_apply(&p, (int)i, 0.375, 3));
        /* the named field has the value ... */
        void *f = field_of_key(&p, d[i].key);
        if (whole) {
            int v;
            memcpy(&v, f, sizeof v);
            assert_int_equal(v, 3);
            memset(f, 0, sizeof v);
        } else {
            double v;
            memcpy(&v, f, sizeof v);
            assert_true(v == 0.375);
            memset(f, 0, sizeof v);
        }
        /* ... and no other byte of the patch changed */
        assert_memory_equal(&p, &zero, sizeof p);
    }
    assert_int_equal(bound, 3 + FM_OPS * FM_P_PER_OP);
    FmPatch p;
    memset(&p, 0, sizeof p);
    assert_false(fm_param_apply(&p, FM_P_POLYPHONY, 8, 8));
    assert_false(fm_param_apply(&p, FM_P_COUNT, 8, 8));
    assert_false(fm_param_apply(&p, -1, 8, 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_patch_key_writes_its_own_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
