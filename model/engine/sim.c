/* model/engine/ (layers L0-L1): what every run stands on and knows nothing of Kubernetes: errors
 * (err), allocation (xmem), object pools (pool), the clock and event set (sim, this file), the
 * random streams (rng), FIFO timeout queues (tqueue) and the version compiled in (version).
 * Files here include libc, GSL and each other's headers in include/; nothing from parts/ up. */
/* sim: clock and pending-event set (L1): a 4-ary min-heap of 16-byte (time, sequence, slot)
 * keys over a pool of event slots. Cancellation marks the slot; the heap entry is dropped
 * when it reaches the top (lazy deletion), so cancel is O(1) and no sift is needed. With many
 * events pending, the two costs are cache misses: down the heap in pop_top (hidden in part by
 * prefetching the grandchildren) and on the slot of the event about to run (hidden by loading
 * it one event ahead, in sim_run). */
#include "sim.h"

#include "err.h"
#include "xmem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A heap entry is one 128-bit key: high word the bits of the time, low word (seq << 32 | slot).
 * Times are >= 0 (sim_at checks t >= now >= 0 and turns -0 into +0), and non-negative doubles
 * order like their bit patterns, so one unsigned compare orders by (time, seq): FIFO ties.
 * Sixteen bytes means a node's four children fill one 64-byte line (the array is offset so that
 * entry 1 starts a line), so a level of the sift-down costs one cache miss, not two or three. */
__extension__ typedef unsigned __int128 key;

/* seq is 32 bits in the key; when it runs out the pending keys are renumbered (renumber).
 * Overridable only to test renumbering with a small limit. */
#ifndef SIM_SEQ_LIMIT
#define SIM_SEQ_LIMIT ((uint64_t)1 << 32)
#endif

typedef struct slot {
    sim_fn fn; /* NULL: cancelled (still in the heap) or free */
    void *obj;
    uint64_t arg;
    uint32_t gen; /* bumped when the slot is freed, so old handles go stale */
    uint32_t next_free;
} slot;

struct sim {
    double now;
    uint64_t seq; /* < SIM_SEQ_LIMIT */
    uint64_t events;
    key *heap; /* inside heap_mem, aligned so that &heap[1] is on a 64-byte boundary */
    void *heap_mem;
    size_t n, cap;
    slot *slots;
    uint32_t nslots, slots_cap,
        free_head; /* free list threaded through next_free; UINT32_MAX: none */
    size_t cancelled;
    int stop;
    void *ctx;
};

#define NO_SLOT UINT32_MAX

static inline key make_key(double t, uint64_t seq, uint32_t slot)
{
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    return ((key)bits << 64) | (key)(seq << 32 | slot);
}

static inline double key_time(key k)
{
    uint64_t bits = (uint64_t)(k >> 64);
    double t;
    memcpy(&t, &bits, sizeof t);
    return t;
}

static inline uint32_t key_slot(key k)
{
    return (uint32_t)k;
}

static void heap_grow(sim *s, size_t cap)
{
    void *mem = xmalloc(cap * sizeof(key) + 64);
    uintptr_t a = (uintptr_t)mem + sizeof(key);
    key *heap = (key *)(((a + 63) & ~(uintptr_t)63) - sizeof(key));
    if (s->n > 0)
        memcpy(heap, s->heap, s->n * sizeof(key));
    free(s->heap_mem);
    s->heap_mem = mem;
    s->heap = heap;
    s->cap = cap;
}

sim *sim_new(void)
{
    sim *s = xcalloc(1, sizeof *s);
    heap_grow(s, 1024);
    s->slots_cap = 1024;
    s->slots = xmalloc(s->slots_cap * sizeof *s->slots);
    s->free_head = NO_SLOT;
    return s;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    free(s->heap_mem);
    free(s->slots);
    free(s);
}

void sim_set_context(sim *s, void *ctx)
{
    s->ctx = ctx;
}

void *sim_context(const sim *s)
{
    return s->ctx;
}

double sim_now(const sim *s)
{
    return s->now;
}

uint64_t sim_events(const sim *s)
{
    return s->events;
}

size_t sim_pending(const sim *s)
{
    return s->n - s->cancelled;
}

static uint32_t slot_alloc(sim *s)
{
    uint32_t i = s->free_head;
    if (i != NO_SLOT) {
        s->free_head = s->slots[i].next_free;
        return i;
    }
    if (s->nslots == s->slots_cap) {
        ensure(s->slots_cap < NO_SLOT / 2, s->now, "too many pending events");
        s->slots_cap += s->slots_cap / 2; /* 1.5x: less slack at the peak than doubling */
        s->slots = xrealloc(s->slots, s->slots_cap * sizeof *s->slots);
    }
    s->slots[s->nslots].gen = 1;
    return s->nslots++;
}

static int key_cmp(const void *a, const void *b)
{
    key x = *(const key *)a, y = *(const key *)b;
    return (x > y) - (x < y);
}

/* After 2^32 insertions: sort the pending keys (a sorted array is a heap) and number them
 * 0..n-1 in that order, which keeps their relative order, then continue from n. Amortised over
 * 2^32 insertions this costs nothing; pending entries stay below 2^32 (slot_alloc). */
static void renumber(sim *s)
{
    qsort(s->heap, s->n, sizeof(key), key_cmp);
    for (size_t i = 0; i < s->n; i++)
        s->heap[i] = make_key(key_time(s->heap[i]), i, key_slot(s->heap[i]));
    s->seq = s->n;
}

sim_handle sim_at(sim *s, double t, sim_fn fn, void *obj, uint64_t arg)
{
    ensure(t >= s->now, s->now, "event scheduled in the past (t=%.17g)", t);
    ensure(fn != NULL, s->now, "event without callback");
    uint32_t i = slot_alloc(s);
    slot *sl = &s->slots[i];
    sl->fn = fn;
    sl->obj = obj;
    sl->arg = arg;
    if (s->n == s->cap)
        heap_grow(s, s->cap + s->cap / 2);
    if (s->seq >= SIM_SEQ_LIMIT)
        renumber(s);
    /* t + 0.0 turns -0.0 into +0.0, whose bits order correctly. */
    key e = make_key(t + 0.0, s->seq++, i);
    key *h = s->heap;
    /* Sift up with a hole: move parents down until the new entry fits. */
    size_t k = s->n++;
    while (k > 0) {
        size_t p = (k - 1) / 4;
        if (e >= h[p])
            break;
        h[k] = h[p];
        k = p;
    }
    h[k] = e;
    return ((uint64_t)sl->gen << 32) | (uint64_t)(i + 1);
}

sim_handle sim_after(sim *s, double dt, sim_fn fn, void *obj, uint64_t arg)
{
    return sim_at(s, s->now + dt, fn, obj, arg);
}

int sim_cancel(sim *s, sim_handle h)
{
    uint32_t i = (uint32_t)(h & 0xffffffffu);
    if (i == 0 || i > s->nslots)
        return 0;
    slot *sl = &s->slots[i - 1];
    if (sl->gen != (uint32_t)(h >> 32) || sl->fn == NULL)
        return 0;
    sl->fn = NULL;
    s->cancelled++;
    return 1;
}

/* Removes the top entry. Floyd's variant: walk the hole from the root down to a leaf along the
 * smaller child without comparing against the last entry, then sift the last entry up from
 * there. The last entry came from the bottom and nearly always belongs near it, so this saves
 * one compare per level and the walk's branches follow only the min-of-4 selections. */
static void pop_top(sim *s)
{
    size_t n = --s->n;
    if (n == 0)
        return;
    key *h = s->heap;
    key last = h[n];
    size_t k = 0;
    for (;;) {
        size_t c = 4 * k + 1;
        if (c + 3 < n) {
            /* The sixteen grandchildren are contiguous (16k+5 .. 16k+20): four lines. Load them
             * while this level's compares run, whichever child wins. */
            const char *g = (const char *)&h[4 * c + 1];
            __builtin_prefetch(g);
            __builtin_prefetch(g + 64);
            __builtin_prefetch(g + 128);
            __builtin_prefetch(g + 192);
            key k0 = h[c], k1 = h[c + 1], k2 = h[c + 2], k3 = h[c + 3];
            size_t i01 = k1 < k0 ? c + 1 : c;
            key m01 = k1 < k0 ? k1 : k0;
            size_t i23 = k3 < k2 ? c + 3 : c + 2;
            key m23 = k3 < k2 ? k3 : k2;
            size_t b = m23 < m01 ? i23 : i01;
            h[k] = m23 < m01 ? m23 : m01;
            k = b;
        } else {
            if (c < n) {
                size_t b = c;
                for (size_t j = c + 1; j < n; j++)
                    if (h[j] < h[b])
                        b = j;
                h[k] = h[b];
                k = b;
            }
            break;
        }
    }
    while (k > 0) {
        size_t p = (k - 1) / 4;
        if (last >= h[p])
            break;
        h[k] = h[p];
        k = p;
    }
    h[k] = last;
}

/* Below this many pending entries the slots (32 B each) and the top of the heap sit in L1, and
 * looking ahead costs more than it hides. */
#define LOOKAHEAD_MIN 1024

uint64_t sim_run(sim *s, double horizon)
{
    uint64_t ran = 0;
    s->stop = 0;
    while (s->n > 0 && key_time(s->heap[0]) <= horizon) {
        key top = s->heap[0];
        uint32_t i = key_slot(top);
        slot *sl = &s->slots[i];
        sim_fn fn = sl->fn;
        void *obj = sl->obj;
        uint64_t arg = sl->arg;
        /* Free the slot before the callback so that the event it schedules reuses it, hot. */
        sl->fn = NULL;
        sl->gen++;
        sl->next_free = s->free_head;
        s->free_head = i;
        pop_top(s);
        /* The slot of an event is read when it runs, at a random place in a large array: a
         * cache miss per event unless it is already on its way. Start loading the slots of the
         * next event (heap[0]) and of the one after it (the least of heap[1..4], whose line is
         * hot): the latter then has a whole callback and a pop to arrive, not just a callback.
         * A callback that schedules an earlier event only wastes a prefetch. */
        key *h = s->heap;
        if (s->n > LOOKAHEAD_MIN) {
            key m01 = h[2] < h[1] ? h[2] : h[1], m23 = h[4] < h[3] ? h[4] : h[3];
            __builtin_prefetch(&s->slots[key_slot(m23 < m01 ? m23 : m01)]);
        }
        if (s->n > 0)
            __builtin_prefetch(&s->slots[key_slot(h[0])]);
        if (fn == NULL) {
            s->cancelled--;
            continue;
        }
        s->now = key_time(top);
        fn(s, obj, arg);
        ran++;
        s->events++;
        if (s->stop)
            return ran;
    }
    if (horizon > s->now && isfinite(horizon))
        s->now = horizon;
    return ran;
}

void sim_stop(sim *s)
{
    s->stop = 1;
}
