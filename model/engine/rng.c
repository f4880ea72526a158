/* rng: hashed seeding of per-purpose GSL streams (L1). */
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>

uint64_t rng_mix(uint64_t x)
{
    /* splitmix64 (Steele, Lea, Flood 2014): add the golden gamma, then two xor-multiply rounds. */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t rng_seed_of(uint64_t seed, uint64_t replication, uint64_t point, unsigned stream)
{
    uint64_t h = rng_mix(seed);
    h = rng_mix(h ^ replication);
    h = rng_mix(h ^ point);
    return rng_mix(h ^ (uint64_t)stream);
}

gsl_rng *rng_new(uint64_t seed, uint64_t replication, uint64_t point, unsigned stream)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) {
        fputs("avalanche: out of memory (gsl_rng_alloc)\n", stderr);
        abort();
    }
    uint64_t h = rng_seed_of(seed, replication, point, stream);
    /* mt19937 takes a 32-bit seed; fold the hash so every bit counts. Seed 0 means 4357 in GSL,
     * which is fine: it is just another seed. */
    gsl_rng_set(r, (unsigned long)((h ^ (h >> 32)) & 0xffffffffUL));
    return r;
}
