/* rand.h - a small seedable PRNG (splitmix64 seeding a xoshiro256**), the
 * same sequence on every machine for the same seed. RT safe. */
#ifndef AT_RAND_H
#define AT_RAND_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} AtRand;

/* Seed the generator; seed 0 is valid (and differs from 1). */
void at_rand_seed(AtRand *r, uint64_t seed);
/* Next 64 random bits. */
uint64_t at_rand_next(AtRand *r);
/* Uniform integer in [0, n) for n >= 1 (unbiased). */
uint32_t at_rand_below(AtRand *r, uint32_t n);
/* Uniform double in [0, 1). */
double at_rand_unit(AtRand *r);
/* A seed from the clock and pid, for config seed = 0 ("random"). */
uint64_t at_rand_entropy_seed(void);

#endif
