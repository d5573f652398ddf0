/* Fuzz the config loader: any text must give AT_OK or a usage error with a
 * message, never a crash; what loads must write out and load back. */
#include "fuzz/fuzz_text.h"
#include "params.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const AtParamDef defs[] = {
    AT_INT("patch.algorithm", 0, 11, 10, "algorithm", .osc = "algorithm"),
    AT_FLOAT("patch.op1.ratio", 0, 32, 1, "r"),
    AT_ENUM("patch.op1.wave", ("sine", "saw"), 0, "w"),
    AT_BOOL("input.start-stop", 1, "s"),
    AT_CONNECT_PARAM("input.connect", "c"),
    AT_INTLIST("sampling.octaves", 0, 9, NULL, "o"),
    AT_DURATION("sampling.hold", 0, 60, 0, "h"),
    AT_STRING("sampling.prefix", NULL, "p"),
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
