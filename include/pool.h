/* pool: fixed-size object pools with free lists and generation counters (L0).
 * Keeps allocation out of the simulator's hot path. Every pooled object begins with a
 * `pool_hdr`. Its `gen` is odd while the object is live and moves on each time the object is
 * got or freed, so an event or timeout that stored (object, gen) can tell that its object is
 * gone or is another incarnation. Its `id` names it within the pool for life, so a reference
 * can be 8 bytes (id, gen) instead of 12 or 16. A free object keeps its free-list link just
 * after the header, in what is payload while it is live. */
#ifndef AVALANCHE_POOL_H
#define AVALANCHE_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pool_hdr {
    uint32_t gen; /* odd: live */
    uint32_t id;  /* index in the pool, for pool_at */
} pool_hdr;

typedef struct pool {
    size_t size;    /* object size, header included, a multiple of 8 and >= 16 */
    unsigned shift; /* objects per slab: 1 << shift */
    char **slabs;
    size_t nslabs, slabs_cap;
    void *free;
    size_t live;
} pool;

void pool_init(pool *p, size_t size);
void pool_destroy(pool *p);
/* A zeroed object (its header kept: id, and gen made odd). */
void *pool_get(pool *p);
/* Returns obj to the pool and moves its gen on (to even). */
void pool_put(pool *p, void *obj);
/* The object with this id (live or not); id must come from an object of p. */
static inline void *pool_at(const pool *p, uint32_t id)
{
    size_t mask = ((size_t)1 << p->shift) - 1;
    return p->slabs[id >> p->shift] + (id & mask) * p->size;
}
/* Whether obj is live and is the incarnation whose gen was recorded. */
static inline bool pool_alive(const void *obj, uint32_t gen)
{
    return ((const pool_hdr *)obj)->gen == gen && (gen & 1u);
}
static inline bool pool_is_live(const void *obj)
{
    return ((const pool_hdr *)obj)->gen & 1u;
}
/* Calls fn(obj, ctx) for every live object (any order that is deterministic for a given
 * history: slab order). fn may pool_put the object it is given. */
void pool_each(pool *p, void (*fn)(void *obj, void *ctx), void *ctx);

#endif
