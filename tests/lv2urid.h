/* lv2urid.h - the URID map (and unmap) a test LV2 host hands a plugin,
 * shared by tests/tools/at-lv2host.c, tests/bench/bench_lv2.c and
 * tests/fuzz/fuzz_lv2state.c: URIs are numbered from 1 in the order first
 * seen; a full table (or no memory) aborts, as a test must not go on with a
 * wrong number. Header-only; include it once per program. */
#ifndef TESTS_LV2URID_H
#define TESTS_LV2URID_H

#include <lv2/urid/urid.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TU_MAX_URIS 4096

static char *tu_uris[TU_MAX_URIS];
static uint32_t tu_n_uris;

static inline LV2_URID tu_map_uri(LV2_URID_Map_Handle h, const char *uri)
{
    (void)h;
    for (uint32_t i = 0; i < tu_n_uris; i++)
        if (!strcmp(tu_uris[i], uri))
            return i + 1;
    if (tu_n_uris == TU_MAX_URIS || !(tu_uris[tu_n_uris] = strdup(uri)))
        abort();
    return ++tu_n_uris;
}

static inline const char *tu_unmap_uri(LV2_URID_Unmap_Handle h, LV2_URID u)
{
    (void)h;
    return u >= 1 && u <= tu_n_uris ? tu_uris[u - 1] : NULL;
}

/* Forget every URI (free their copies). */
static inline void tu_free_uris(void)
{
    for (uint32_t i = 0; i < tu_n_uris; i++)
        free(tu_uris[i]);
    tu_n_uris = 0;
}

#endif
