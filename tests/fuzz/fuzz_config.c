/* Fuzz the config loader: any text must give AT_OK or a usage error with a
 * message, never a crash; what loads must write out and load back. */
#include "fuzz/fuzz_text.h"
#include "params.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const AtParamDef defs[] = {
    {.key = "patch.algorithm",
     .osc = "algorithm",
     .type = AT_PARAM_INT,
     .min = 0,
     .max = 11,
     .def = 10,
     .doc = "algorithm"},
    {.key = "patch.op1.ratio", .type = AT_PARAM_FLOAT, .min = 0, .max = 32, .def = 1, .doc = "r"},
    {.key = "patch.op1.wave", .type = AT_PARAM_ENUM, .choices = {"sine", "saw"}, .doc = "w"},
    {.key = "input.start-stop", .type = AT_PARAM_BOOL, .def = 1, .doc = "s"},
    {.key = "input.connect", .type = AT_PARAM_STRLIST, .doc = "c"},
    {.key = "sampling.octaves", .type = AT_PARAM_INTLIST, .min = 0, .max = 9, .doc = "o"},
    {.key = "sampling.hold", .type = AT_PARAM_DURATION, .min = 0, .max = 60, .doc = "h"},
    {.key = "sampling.prefix", .type = AT_PARAM_STRING, .doc = "p"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    if (!text)
        return 0;
    AtParams *p = at_params_new("fuzz", defs, sizeof defs / sizeof defs[0]);
    char err[2048] = "";
    AtStatus st = at_params_load_string(p, text, "fuzz.conf", err, sizeof err);
    if (st != AT_OK && st != AT_ERR_USAGE)
        abort();
    if (st != AT_OK && !strstr(err, "fuzz.conf:"))
        abort();
    if (st == AT_OK) {
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        at_params_write(p, f, true, false);
        fclose(f);
        AtParams *q = at_params_new("fuzz", defs, sizeof defs / sizeof defs[0]);
        if (at_params_load_string(q, out, "written", err, sizeof err) != AT_OK)
            abort();
        at_params_free(q);
        free(out);
    }
    at_params_free(p);
    free(text);
    return 0;
}
