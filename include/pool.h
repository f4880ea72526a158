/* pool: fixed-size object pools with free lists and generation counters (L0).
 * Keeps allocation out of the simulator's hot path. Every pooled object begins with a
 * `pool_hdr`; its `gen` changes each time the object is freed, so an event or timeout that
 * stored (pointer, gen) can tell that its object is gone. */
#ifndef AVALANCHE_POOL_H
#define AVALANCHE_POOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct pool_hdr {
    uint32_t gen;
    uint32_t live;
    void *next_free;
} pool_hdr;

typedef struct pool {
    size_t size;     /* object size, header included */
    size_t per_slab; /* objects per slab */
    char **slabs;
    size_t nslabs, slabs_cap;
    void *free;
    size_t live;
} pool;

void pool_init(pool *p, size_t size);
void pool_destroy(pool *p);
/* A zeroed object (its header's gen preserved, live = 1). */
void *pool_get(pool *p);
/* Returns obj to the pool and bumps its gen. */
void pool_put(pool *p, void *obj);
/* Calls fn(obj, ctx) for every live object (any order that is deterministic for a given
 * history: slab order). fn may pool_put the object it is given. */
void pool_each(pool *p, void (*fn)(void *obj, void *ctx), void *ctx);

#endif
