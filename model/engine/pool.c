/* pool: slab-backed object pools with generation counters (L0). */
#include "pool.h"

#include "err.h"
#include "xmem.h"

#include <stdlib.h>
#include <string.h>

/* The free-list link of a free object: the pointer after its header. */
static inline void **link_of(pool_hdr *h)
{
    return (void **)(h + 1);
}

void pool_init(pool *p, size_t size)
{
    memset(p, 0, sizeof *p);
    if (size < sizeof(pool_hdr) + sizeof(void *))
        size = sizeof(pool_hdr) + sizeof(void *);
    p->size = (size + 7) & ~(size_t)7;
    /* Slabs of at most 16 KiB (at least 64 objects), a power of two objects each. */
    p->shift = 6;
    while (((size_t)2 << p->shift) * p->size <= 16384)
        p->shift++;
}

void pool_destroy(pool *p)
{
    for (size_t i = 0; i < p->nslabs; i++)
        free(p->slabs[i]);
    free(p->slabs);
    memset(p, 0, sizeof *p);
}

static void grow(pool *p)
{
    size_t per_slab = (size_t)1 << p->shift;
    ensure(((p->nslabs + 1) << p->shift) <= UINT32_MAX, 0.0, "object pool exhausted");
    if (p->nslabs == p->slabs_cap) {
        p->slabs_cap = p->slabs_cap ? 2 * p->slabs_cap : 8;
        p->slabs = xrealloc(p->slabs, p->slabs_cap * sizeof *p->slabs);
    }
    char *slab = xcalloc(per_slab, p->size);
    uint32_t base = (uint32_t)(p->nslabs << p->shift);
    p->slabs[p->nslabs++] = slab;
    /* Thread the new objects onto the free list so that they come out in address order. */
    for (size_t i = per_slab; i-- > 0;) {
        pool_hdr *h = (pool_hdr *)(slab + i * p->size);
        h->gen = 0;
        h->id = base + (uint32_t)i;
        *link_of(h) = p->free;
        p->free = h;
    }
}

void *pool_get(pool *p)
{
    if (!p->free)
        grow(p);
    pool_hdr *h = p->free;
    p->free = *link_of(h);
    pool_hdr keep = *h;
    memset(h, 0, p->size);
    h->gen = keep.gen + 1;
    h->id = keep.id;
    p->live++;
    return h;
}

void pool_put(pool *p, void *obj)
{
    pool_hdr *h = obj;
    h->gen++;
    *link_of(h) = p->free;
    p->free = h;
    p->live--;
}

void pool_each(pool *p, void (*fn)(void *obj, void *ctx), void *ctx)
{
    size_t per_slab = (size_t)1 << p->shift;
    for (size_t s = 0; s < p->nslabs; s++)
        for (size_t i = 0; i < per_slab; i++) {
            pool_hdr *h = (pool_hdr *)(p->slabs[s] + i * p->size);
            if (pool_is_live(h))
                fn(h, ctx);
        }
}
