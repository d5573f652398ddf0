/* test_session_touchosc.c - the TouchOSC layout generated from a
 * parameter registry (common/touchosc.c): one control per live OSC
 * parameter with its address and range, a valid zip that `unzip` reads
 * back to the same index.xml. With --write FILE it writes the fmsynth's
 * layout (how docs/touchosc/fmsynth.touchosc is made). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clients/fmsynth/fmparams.h"
#include "touchosc.h"

static const AtParamDef defs[] = {
    AT_FLOAT("a.level", 0, 4, 1, "a float", .osc = "level", .flags = AT_PARAM_LIVE),
    AT_INT("a.algorithm", 0, 11, 0, "an int", .osc = "algorithm", .flags = AT_PARAM_LIVE),
    AT_ENUM("a.wave", ("sine", "sine12", "saw", "square"), 0, "an enum", .osc = "op/1/wave",
            .flags = AT_PARAM_LIVE),
    AT_BOOL("a.on", 0, "a bool", .osc = "on", .flags = AT_PARAM_LIVE),
    AT_INT("a.fixed", 0, 3, 0, "not live: no control", .osc = "fixed"),
    AT_FLOAT("a.hidden", 0, 1, 0, "not on OSC: no control", .flags = AT_PARAM_LIVE),
    AT_STRING("a.name", NULL, "a string: no control", .osc = "name", .flags = AT_PARAM_LIVE),
    AT_ACTION_PARAM("panic", "an action"),
};

/* "/tool/level" etc. as TouchOSC stores them (base64). */
static int has_b64(const char *xml, const char *attr, const char *plain)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char enc[512] = "";
    size_t n = strlen(plain), k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)plain[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)plain[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)plain[i + 2];
        enc[k++] = tab[(v >> 18) & 63];
        enc[k++] = tab[(v >> 12) & 63];
        enc[k++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        enc[k++] = i + 2 < n ? tab[v & 63] : '=';
    }
    enc[k] = 0;
    char want[600];
    snprintf(want, sizeof want, "%s=\"%s\"", attr, enc);
    return strstr(xml, want) != NULL;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void one_control_per_live_osc_parameter(void **state)
{
    (void)state;
    AtParams *p = at_params_new("tool", defs, sizeof defs / sizeof defs[0]);
    assert_non_null(p);
    char *xml = at_touchosc_xml(p);
    assert_non_null(xml);
    assert_non_null(strstr(xml, "<layout version=\"17\""));
    assert_int_equal(count(xml, "type=\"faderv\""), 3);
    assert_int_equal(count(xml, "type=\"toggle\""), 1);
    assert_int_equal(count(xml, "type=\"push\""), 1);
    assert_int_equal(count(xml, "type=\"labelh\""), 5);
    assert_true(has_b64(xml, "osc_cs", "/tool/level"));
    assert_true(has_b64(xml, "osc_cs", "/tool/algorithm"));
    assert_true(has_b64(xml, "osc_cs", "/tool/op/1/wave"));
    assert_true(has_b64(xml, "osc_cs", "/tool/on"));
    assert_true(has_b64(xml, "osc_cs", "/tool/panic"));
    assert_false(has_b64(xml, "osc_cs", "/tool/fixed"));
    assert_false(has_b64(xml, "osc_cs", "/tool/name"));
    assert_true(has_b64(xml, "text", "op/1/wave"));
    /* ranges: the parameter's own, enums over their indexes */
    assert_non_null(strstr(xml, "scalef=\"0\" scalet=\"4\""));
    assert_non_null(strstr(xml, "scalef=\"0\" scalet=\"11\""));
    assert_non_null(strstr(xml, "scalef=\"0\" scalet=\"3\""));
    free(xml);
    at_params_free(p);
}

static void crc32_known_values(void **state)
{
    (void)state;
    assert_int_equal(at_touchosc_crc32((const unsigned char *)"", 0), 0);
    assert_int_equal(at_touchosc_crc32((const unsigned char *)"123456789", 9), 0xcbf43926UL);
    assert_int_equal(at_touchosc_crc32((const unsigned char *)"The quick brown fox jumps over "
                                                              "the lazy dog",
                                       43),
                     0x414fa339UL);
}

static void fmsynth_layout_is_a_valid_zip(void **state)
{
    (void)state;
    size_t n;
    const AtParamDef *fd = fm_param_defs(&n);
    AtParams *p = at_params_new("fmsynth", fd, n);
    assert_non_null(p);
    char dir[] = "/tmp/test_touchosc.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], err[256] = "", cmd[600];
    snprintf(path, sizeof path, "%s/fmsynth.touchosc", dir);
    assert_int_equal(at_touchosc_write(p, path, err, sizeof err), AT_OK);
    snprintf(cmd, sizeof cmd,
             "cd %s && unzip -tq fmsynth.touchosc >/dev/null && unzip -p fmsynth.touchosc "
             "index.xml > got.xml",
             dir);
    assert_int_equal(system(cmd), 0);
    char *xml = at_touchosc_xml(p);
    snprintf(path, sizeof path, "%s/got.xml", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *got = calloc(1, strlen(xml) + 16);
    size_t r = fread(got, 1, strlen(xml) + 8, f);
    fclose(f);
    assert_int_equal(r, strlen(xml));
    assert_string_equal(got, xml);
    assert_true(has_b64(xml, "osc_cs", "/fmsynth/op/2/ratio"));
    assert_true(has_b64(xml, "osc_cs", "/fmsynth/algorithm"));
    assert_true(has_b64(xml, "osc_cs", "/fmsynth/panic"));
    assert_true(count(xml, "<tabpage") >= 2); /* 16 controls a page */
    free(got);
    free(xml);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    at_params_free(p);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write")) {
        size_t n;
        const AtParamDef *fd = fm_param_defs(&n);
        AtParams *p = at_params_new("fmsynth", fd, n);
        char err[512];
        AtStatus st = p ? at_touchosc_write(p, argv[2], err, sizeof err) : AT_ERR_RUNTIME;
        if (st != AT_OK)
            fprintf(stderr, "%s\n", p ? err : "out of memory");
        at_params_free(p);
        return st == AT_OK ? 0 : 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_control_per_live_osc_parameter),
        cmocka_unit_test(crc32_known_values),
        cmocka_unit_test(fmsynth_layout_is_a_valid_zip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
