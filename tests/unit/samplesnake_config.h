/* samplesnake_config.h - the sampling machine configuration the unit tests
 * start from (test_samplesnake, test_samplesnake_edges): a threshold set
 * by hand, 100 frames of silence end a take, a 50-frame cooldown, takes of
 * up to 100000 frames; the channel, threshold, hold, noise-measurement
 * and wait lengths given. */
#ifndef AT_SAMPLESNAKE_CONFIG_H
#define AT_SAMPLESNAKE_CONFIG_H

#include "clients/samplesnake/machine.h"

static inline SnMachineConfig sn_test_config(uint8_t channel, float threshold, uint32_t hold,
                                             uint32_t noise, uint32_t wait)
{
    SnMachineConfig c = {
        .channel = channel,
        .auto_threshold = false,
        .threshold = threshold,
        .silence_frames = 100,
        .cooldown_frames = 50,
        .hold_frames = hold,
        .max_frames = 100000,
        .noise_frames = noise,
        .wait_frames = wait,
    };
    return c;
}

#endif
