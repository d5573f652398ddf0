/* mothergen_config.h - the mothergen configuration the unit tests start
 * from (test_mothergen, test_mothergen_edges, test_mothergen_songs): the
 * tool's defaults (start/stop on, rez portamento up to 32, key F) with the
 * wire channels of red 2, blue 3, green 4 (1, 2, 3) and the seed given. */
#ifndef AT_MOTHERGEN_CONFIG_H
#define AT_MOTHERGEN_CONFIG_H

#include "clients/mothergen/mothergen.h"

static inline MgConfig mg_test_config(uint64_t seed)
{
    MgConfig c = {
        .start_stop = true,
        .portamento = MG_PORTA_REZ,
        .portamento_max = 32,
        .channel = {1, 2, 3},
        .key = 5,
        .seed = seed,
    };
    return c;
}

#endif
