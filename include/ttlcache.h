/* ttlcache: a keyed TTL cache with expiry fixed at insertion and optional coalescing of
 * concurrent misses (L2). Models the apiserver's cached token authenticator
 * (k8s.io/apiserver/pkg/authentication/token/cache): a stored result lives ttl seconds from the
 * moment it is stored, whoever stores it; 1.18 added singleflight (PR #85242), which is
 * `coalesce`. Results are successes or failures (a failure is stored only with a failure TTL,
 * as 1.13+ caches errors for TokenFailureCacheTTL, which is 0 by default). The cache may be
 * bounded as 1.9-1.16 bound it: 32 stripes, each an LRU of max_entries / 32 entries (4096 = 32 x
 * 128 in 1.12), a key's stripe chosen by a hash of the key; a lookup or a fill makes an entry
 * the most recent, an expired entry is dropped when looked up (lruexpirecache Get), and a fill
 * into a full stripe evicts its least recent entry. Times in seconds; `now` must not decrease
 * across calls. */
#ifndef AVALANCHE_TTLCACHE_H
#define AVALANCHE_TTLCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ttlcache ttlcache;

enum ttlcache_result {
    TTLCACHE_HIT,      /* a stored success has not expired */
    TTLCACHE_HIT_FAIL, /* a stored failure has not expired */
    TTLCACHE_MISS,     /* the caller must fetch, then call ttlcache_fill */
    TTLCACHE_JOIN      /* coalescing: a fetch for this key is in flight; wait for it */
};

#define TTLCACHE_STRIPES 32

/* max_entries 0: unbounded; otherwise rounded up to a multiple of TTLCACHE_STRIPES. */
ttlcache *ttlcache_new(bool coalesce, size_t max_entries);
void ttlcache_free(ttlcache *c);

/* Looks key up at now. On JOIN, *pending is the pointer given to ttlcache_set_pending. */
enum ttlcache_result ttlcache_lookup(ttlcache *c, uint64_t key, double now, void **pending);
/* Coalescing: registers the in-flight fetch started after a MISS (non-NULL). */
void ttlcache_set_pending(ttlcache *c, uint64_t key, double now, void *pending);
/* A fetch for key completed at now with result ok: stores it until now + ttl_s when ttl_s > 0 (a
 * later fill overwrites the result and its expiry) and ends the in-flight fetch. */
void ttlcache_fill(ttlcache *c, uint64_t key, double now, double ttl_s, bool ok);
/* Entries evicted by the LRU bound so far. */
uint64_t ttlcache_evictions(const ttlcache *c);
/* Drops every stored result; in-flight fetches stay registered (a cache-flush trigger). */
void ttlcache_flush(ttlcache *c);
/* Drops everything, in-flight fetches too (an apiserver restart). */
void ttlcache_clear(ttlcache *c);
/* Entries held (stored or in flight, expired ones not yet purged included). */
size_t ttlcache_size(const ttlcache *c);

#endif
