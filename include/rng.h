/* rng: independent GSL random streams per (seed, replication, point, purpose) (L1).
 * Streams are seeded by hashing with a 64-bit mixer, never seed + i, and always use the named
 * generator mt19937 (GSL's environment variables are never read). */
#ifndef AVALANCHE_RNG_H
#define AVALANCHE_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* One stream per purpose, so that changing one traffic source leaves the others' draws alone. */
enum rng_stream {
    RNG_INIT,       /* initial phases and cache expiries */
    RNG_SERVICE,    /* handler and loopback GET service times */
    RNG_BACKGROUND, /* background client arrivals */
    RNG_SA,         /* SA-token client arrivals and token choice */
    RNG_SCRAPE,     /* metrics-server start delays */
    RNG_RETRY,      /* backoff jitter */
    RNG_TRIGGER,    /* burst arrivals */
    RNG_LOOKUP,     /* informer hit or miss */
    RNG_REPLICA,    /* apiserver replica choices (used only with more than one replica) */
    RNG_STREAM_COUNT
};

/* splitmix64 finaliser: a bijective 64-bit mixer. */
uint64_t rng_mix(uint64_t x);
/* Hash of (seed, replication, point, stream); point is 0 under common random numbers. */
uint64_t rng_seed_of(uint64_t seed, uint64_t replication, uint64_t point, unsigned stream);
/* A new mt19937 stream seeded with rng_seed_of(...). Free with gsl_rng_free. */
gsl_rng *rng_new(uint64_t seed, uint64_t replication, uint64_t point, unsigned stream);

#endif
