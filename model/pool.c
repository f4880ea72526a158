/* pool: slab-backed object pools with generation counters (L0). */
#include "pool.h"

#include "xmem.h"

#include <stdlib.h>
#include <string.h>

void pool_init(pool *p, size_t size)
{
    memset(p, 0, sizeof *p);
    p->size = (size + 15) & ~(size_t)15;
    p->per_slab = 4096 / p->size > 16 ? 4096 / p->size * 4 : 64;
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
    if (p->nslabs == p->slabs_cap) {
        p->slabs_cap = p->slabs_cap ? 2 * p->slabs_cap : 8;
        p->slabs = xrealloc(p->slabs, p->slabs_cap * sizeof *p->slabs);
    }
    char *slab = xcalloc(p->per_slab, p->size);
    p->slabs[p->nslabs++] = slab;
    /* Thread the new objects onto the free list so that they come out in address order. */
    for (size_t i = p->per_slab; i-- > 0;) {
        pool_hdr *h = (pool_hdr *)(slab + i * p->size);
        h->gen = 1;
        h->next_free = p->free;
        p->free = h;
    }
}

void *pool_get(pool *p)
{
    if (!p->free)
        grow(p);
    pool_hdr *h = p->free;
    p->free = h->next_free;
    uint32_t gen = h->gen;
    memset(h, 0, p->size);
    h->gen = gen;
    h->live = 1;
    p->live++;
    return h;
}

void pool_put(pool *p, void *obj)
{
    pool_hdr *h = obj;
    h->gen++;
    h->live = 0;
    h->next_free = p->free;
    p->free = h;
    p->live--;
}

void pool_each(pool *p, void (*fn)(void *obj, void *ctx), void *ctx)
{
    for (size_t s = 0; s < p->nslabs; s++)
        for (size_t i = 0; i < p->per_slab; i++) {
            pool_hdr *h = (pool_hdr *)(p->slabs[s] + i * p->size);
            if (h->live)
                fn(h, ctx);
        }
}
