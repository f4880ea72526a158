/* ttlcache: open-addressing hash map (linear probing) of key -> (expiry, in-flight fetch) (L2).
 * Expired entries are purged when the table fills, so memory follows the live key set. */
#include "ttlcache.h"

#include "xmem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    uint64_t key;
    double expiry; /* -INFINITY: nothing stored */
    void *pending; /* in-flight fetch (coalescing only) */
    bool used;
} entry;

struct ttlcache {
    entry *tab;
    size_t cap, n; /* cap is a power of two */
    bool coalesce;
    double now;
};

static size_t slot_of(const ttlcache *c, uint64_t key)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h ^ (h >> 29)) & (c->cap - 1);
}

ttlcache *ttlcache_new(bool coalesce)
{
    ttlcache *c = xcalloc(1, sizeof *c);
    c->cap = 64;
    c->tab = xcalloc(c->cap, sizeof *c->tab);
    c->coalesce = coalesce;
    c->now = -INFINITY;
    return c;
}

void ttlcache_free(ttlcache *c)
{
    if (!c)
        return;
    free(c->tab);
    free(c);
}

static entry *find(const ttlcache *c, uint64_t key)
{
    for (size_t i = slot_of(c, key);; i = (i + 1) & (c->cap - 1)) {
        entry *e = &c->tab[i];
        if (!e->used)
            return NULL;
        if (e->key == key)
            return e;
    }
}

static entry *insert_slot(ttlcache *c, uint64_t key)
{
    size_t i = slot_of(c, key);
    while (c->tab[i].used && c->tab[i].key != key)
        i = (i + 1) & (c->cap - 1);
    return &c->tab[i];
}

/* Rebuilds the table without dead entries, growing it if the live ones still fill half. */
static void rebuild(ttlcache *c)
{
    entry *old = c->tab;
    size_t oldcap = c->cap, live = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].used && (old[i].expiry > c->now || old[i].pending))
            live++;
    size_t cap = 64;
    while (cap < 4 * live)
        cap *= 2;
    c->tab = xcalloc(cap, sizeof *c->tab);
    c->cap = cap;
    c->n = 0;
    for (size_t i = 0; i < oldcap; i++) {
        entry *e = &old[i];
        if (e->used && (e->expiry > c->now || e->pending)) {
            *insert_slot(c, e->key) = *e;
            c->n++;
        }
    }
    free(old);
}

static entry *get_or_add(ttlcache *c, uint64_t key)
{
    entry *e = find(c, key);
    if (e)
        return e;
    if (2 * (c->n + 1) > c->cap)
        rebuild(c);
    e = insert_slot(c, key);
    e->used = true;
    e->key = key;
    e->expiry = -INFINITY;
    e->pending = NULL;
    c->n++;
    return e;
}

enum ttlcache_result ttlcache_lookup(ttlcache *c, uint64_t key, double now, void **pending)
{
    c->now = now;
    entry *e = find(c, key);
    if (e && e->expiry > now)
        return TTLCACHE_HIT;
    if (c->coalesce && e && e->pending) {
        if (pending)
            *pending = e->pending;
        return TTLCACHE_JOIN;
    }
    return TTLCACHE_MISS;
}

void ttlcache_set_pending(ttlcache *c, uint64_t key, double now, void *pending)
{
    c->now = now;
    if (c->coalesce)
        get_or_add(c, key)->pending = pending;
}

void ttlcache_fill(ttlcache *c, uint64_t key, double now, double ttl_s)
{
    c->now = now;
    entry *e = ttl_s > 0.0 ? get_or_add(c, key) : find(c, key);
    if (!e)
        return;
    e->pending = NULL;
    if (ttl_s > 0.0)
        e->expiry = now + ttl_s;
}

void ttlcache_flush(ttlcache *c)
{
    for (size_t i = 0; i < c->cap; i++)
        c->tab[i].expiry = -INFINITY;
}

void ttlcache_clear(ttlcache *c)
{
    memset(c->tab, 0, c->cap * sizeof *c->tab);
    c->n = 0;
}

size_t ttlcache_size(const ttlcache *c)
{
    return c->n;
}
