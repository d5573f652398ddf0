/* rand.c - xoshiro256** seeded by splitmix64 (public-domain algorithms by
 * Blackman and Vigna, written here from their description). */
#define _POSIX_C_SOURCE 200809L
#include "rand.h"

#include <time.h>
#include <unistd.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void at_rand_seed(AtRand *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t at_rand_next(AtRand *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t at_rand_below(AtRand *r, uint32_t n)
{
    if (n <= 1)
        return 0;
    /* Rejection sampling keeps the result unbiased. */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    uint64_t v;
    do {
        v = at_rand_next(r);
    } while (v >= limit);
    return (uint32_t)(v % n);
}

double at_rand_unit(AtRand *r)
{
    return (double)(at_rand_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t at_rand_entropy_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16);
    uint64_t s = splitmix64(&x);
    return s ? s : 1;
}
