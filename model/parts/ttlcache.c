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
    int32_t lru;   /* its slot in its stripe's LRU (-1: none) */
    bool used, fail;
} entry;

/* One stripe's LRU: per slot the key held (or none) and the time of its last use. Slots are
 * found by a scan of the stripe (128 in 1.12), done only when a new key is stored. */
typedef struct stripe {
    uint64_t *key;
    uint64_t *stamp; /* 0: free slot */
} stripe;

struct ttlcache {
    entry *tab;
    size_t cap, n; /* cap is a power of two */
    bool coalesce;
    double now;
    size_t per_stripe; /* 0: unbounded */
    stripe stripes[TTLCACHE_STRIPES];
    uint64_t clock, evictions;
};

static size_t slot_of(const ttlcache *c, uint64_t key)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h ^ (h >> 29)) & (c->cap - 1);
}

ttlcache *ttlcache_new(bool coalesce, size_t max_entries)
{
    ttlcache *c = xcalloc(1, sizeof *c);
    c->cap = 64;
    c->tab = xcalloc(c->cap, sizeof *c->tab);
    c->coalesce = coalesce;
    c->now = -INFINITY;
    c->per_stripe = (max_entries + TTLCACHE_STRIPES - 1) / TTLCACHE_STRIPES;
    for (int i = 0; c->per_stripe > 0 && i < TTLCACHE_STRIPES; i++) {
        c->stripes[i].key = xcalloc(c->per_stripe, sizeof *c->stripes[i].key);
        c->stripes[i].stamp = xcalloc(c->per_stripe, sizeof *c->stripes[i].stamp);
    }
    return c;
}

void ttlcache_free(ttlcache *c)
{
    if (!c)
        return;
    for (int i = 0; c->per_stripe > 0 && i < TTLCACHE_STRIPES; i++) {
        free(c->stripes[i].key);
        free(c->stripes[i].stamp);
    }
    free(c->tab);
    free(c);
}

/* The stripe of a key: 1.12 hashes the token with FNV; any fixed mixer spreads ids alike. */
static stripe *stripe_of(ttlcache *c, uint64_t key)
{
    uint64_t h = (key ^ 0xcbf29ce484222325ULL) * 0x100000001b3ULL;
    return &c->stripes[(h ^ (h >> 32)) % TTLCACHE_STRIPES];
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
    e->lru = -1;
    e->fail = false;
    c->n++;
    return e;
}

/* The stored result of e is dropped (expired on lookup, or evicted): its LRU slot is freed. */
static void drop_result(ttlcache *c, entry *e)
{
    e->expiry = -INFINITY;
    if (e->lru >= 0)
        stripe_of(c, e->key)->stamp[e->lru] = 0;
    e->lru = -1;
}

/* e's stored result was just used or stored: most recent in its stripe; a new one takes a free
 * slot or evicts the least recent. */
static void lru_touch(ttlcache *c, entry *e)
{
    if (c->per_stripe == 0)
        return;
    stripe *st = stripe_of(c, e->key);
    if (e->lru < 0) {
        size_t best = 0;
        for (size_t i = 0; i < c->per_stripe && st->stamp[best] != 0; i++)
            if (st->stamp[i] < st->stamp[best])
                best = i;
        if (st->stamp[best] != 0) { /* full: evict the least recent */
            entry *old = find(c, st->key[best]);
            if (old && old->lru == (int32_t)best) { /* else the key came back in a new slot */
                old->lru = -1;
                old->expiry = -INFINITY;
            }
            c->evictions++;
        }
        st->key[best] = e->key;
        e->lru = (int32_t)best;
    }
    st->stamp[e->lru] = ++c->clock;
}

uint64_t ttlcache_evictions(const ttlcache *c)
{
    return c->evictions;
}

enum ttlcache_result ttlcache_lookup(ttlcache *c, uint64_t key, double now, void **pending)
{
    c->now = now;
    entry *e = find(c, key);
    if (e && e->expiry > now) {
        lru_touch(c, e);
        return e->fail ? TTLCACHE_HIT_FAIL : TTLCACHE_HIT;
    }
    if (e && e->lru >= 0)
        drop_result(c, e);
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

void ttlcache_fill(ttlcache *c, uint64_t key, double now, double ttl_s, bool ok)
{
    c->now = now;
    entry *e = ttl_s > 0.0 ? get_or_add(c, key) : find(c, key);
    if (!e)
        return;
    e->pending = NULL;
    if (ttl_s > 0.0) {
        e->expiry = now + ttl_s;
        e->fail = !ok;
        lru_touch(c, e);
    }
}

static void lru_reset(ttlcache *c)
{
    for (int i = 0; c->per_stripe > 0 && i < TTLCACHE_STRIPES; i++)
        memset(c->stripes[i].stamp, 0, c->per_stripe * sizeof *c->stripes[i].stamp);
}

void ttlcache_flush(ttlcache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        c->tab[i].expiry = -INFINITY;
        c->tab[i].lru = -1;
    }
    lru_reset(c);
}

void ttlcache_clear(ttlcache *c)
{
    memset(c->tab, 0, c->cap * sizeof *c->tab);
    c->n = 0;
    lru_reset(c);
}

size_t ttlcache_size(const ttlcache *c)
{
    return c->n;
}
