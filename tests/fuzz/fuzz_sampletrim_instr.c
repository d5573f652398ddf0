/* fuzz_sampletrim_instr.c - libFuzzer target for the instrument files
 * sampletrim rewrites (clients/sampletrim/instrfile.c): arbitrary text as
 * an SFZ or a DecentSampler .dspreset (the first byte picks which and how
 * the samples were trimmed). Must never crash, leak or read out of bounds;
 * the output keeps every byte that is not a rewritten value. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/sampletrim/instrfile.h"

#define check(ok) check_at((ok), #ok, __LINE__)

static void check_at(int ok, const char *what, int line)
{
    if (!ok) {
        fprintf(stderr, "fuzz_sampletrim_instr.c:%d: failed: %s\n", line, what);
        abort();
    }
}

typedef struct {
    uint8_t mode;
    size_t calls;
} Ctx;

/* Samples whose name starts with 'x' were not trimmed; the others were,
 * to a name of varying length (longer, shorter, with XML specials), or to
 * the very string looked up (the rewriter must not free it first). */
static bool lookup(void *user, const char *sample, StrimSampleMap *m)
{
    Ctx *c = user;
    static const char *const names[4] = {"t.wav", "a much longer/trimmed name.wav", "&<\"'>.wav",
                                         ""};
    check(sample != NULL);
    c->calls++;
    if (sample[0] == 'x')
        return false;
    *m = (StrimSampleMap){.path = (c->mode & 64) ? sample : names[c->mode & 3],
                          .ratio = (c->mode & 4) ? 44100.0 / 48000.0 : 2.0,
                          .trim_start = (c->mode & 8) ? 1000 : 0,
                          .frames = (c->mode & 16) ? 0 : 5000};
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    Ctx c = {.mode = data[0]};
    StrimInstrKind kind = (data[0] & 32) ? STRIM_INSTR_DSPRESET : STRIM_INSTR_SFZ;
    /* The text is not NUL terminated: the rewriter must respect len. */
    char *text = malloc(size - 1 ? size - 1 : 1);
    check(text != NULL);
    memcpy(text, data + 1, size - 1);
    char *out = NULL, detail[256] = "";
    size_t len = 0, samples = 0, clamped = 0;
    StrimStatus st = strim_instr_rewrite(text, size - 1, kind, lookup, &c, &out, &len, &samples,
                                         &clamped, detail, sizeof detail);
    check(st == STRIM_OK || st == STRIM_ERR_ARG || st == STRIM_ERR_NOMEM);
    if (st == STRIM_OK) {
        check(out != NULL && strlen(out) <= len && out[len] == 0);
        check(samples <= c.calls);
        if (samples == 0)
            check(len <= size - 1); /* only default_path values can change */
    } else {
        check(out == NULL && detail[0] != 0);
    }
    free(out);
    free(text);
    return 0;
}
