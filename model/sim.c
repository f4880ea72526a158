/* sim: clock and pending-event set (L1): a 4-ary min-heap of compact (time, sequence, slot)
 * entries over a pool of event slots. Cancellation marks the slot; the heap entry is dropped
 * when it reaches the top (lazy deletion), so cancel is O(1) and no sift is needed. */
#include "sim.h"

#include "err.h"
#include "xmem.h"

#include <math.h>
#include <stdlib.h>

typedef struct entry {
    double t;
    uint64_t seq;
    uint32_t slot;
} entry;

typedef struct slot {
    sim_fn fn; /* NULL: cancelled (still in the heap) or free */
    void *obj;
    uint64_t arg;
    uint32_t gen; /* bumped when the slot is freed, so old handles go stale */
    uint32_t next_free;
} slot;

struct sim {
    double now;
    uint64_t seq;
    uint64_t events;
    entry *heap;
    size_t n, cap;
    slot *slots;
    uint32_t nslots, slots_cap,
        free_head; /* free list threaded through next_free; UINT32_MAX: none */
    size_t cancelled;
    int stop;
    void *ctx;
};

#define NO_SLOT UINT32_MAX

sim *sim_new(void)
{
    sim *s = xcalloc(1, sizeof *s);
    s->cap = 1024;
    s->heap = xmalloc(s->cap * sizeof *s->heap);
    s->slots_cap = 1024;
    s->slots = xmalloc(s->slots_cap * sizeof *s->slots);
    s->free_head = NO_SLOT;
    return s;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    free(s->heap);
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

static inline int before(const entry *a, const entry *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
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
        s->slots_cap *= 2;
        s->slots = xrealloc(s->slots, s->slots_cap * sizeof *s->slots);
    }
    s->slots[s->nslots].gen = 1;
    return s->nslots++;
}

static void slot_free(sim *s, uint32_t i)
{
    slot *sl = &s->slots[i];
    sl->fn = NULL;
    sl->gen++;
    sl->next_free = s->free_head;
    s->free_head = i;
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
    if (s->n == s->cap) {
        s->cap *= 2;
        s->heap = xrealloc(s->heap, s->cap * sizeof *s->heap);
    }
    /* Sift up with a hole: move parents down until the new entry fits. */
    entry e = {t, s->seq++, i};
    size_t k = s->n++;
    while (k > 0) {
        size_t p = (k - 1) / 4;
        if (!before(&e, &s->heap[p]))
            break;
        s->heap[k] = s->heap[p];
        k = p;
    }
    s->heap[k] = e;
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

/* Removes the top entry: sift the last entry down from the root with a hole. */
static void pop_top(sim *s)
{
    entry last = s->heap[--s->n];
    size_t n = s->n, k = 0;
    if (n == 0)
        return;
    for (;;) {
        size_t c = 4 * k + 1;
        if (c >= n)
            break;
        size_t best = c, end = c + 4 < n ? c + 4 : n;
        for (size_t j = c + 1; j < end; j++)
            if (before(&s->heap[j], &s->heap[best]))
                best = j;
        if (!before(&s->heap[best], &last))
            break;
        s->heap[k] = s->heap[best];
        k = best;
    }
    s->heap[k] = last;
}

uint64_t sim_run(sim *s, double horizon)
{
    uint64_t ran = 0;
    s->stop = 0;
    while (s->n > 0 && s->heap[0].t <= horizon) {
        entry top = s->heap[0];
        pop_top(s);
        slot *sl = &s->slots[top.slot];
        sim_fn fn = sl->fn;
        void *obj = sl->obj;
        uint64_t arg = sl->arg;
        if (fn == NULL)
            s->cancelled--;
        slot_free(s, top.slot);
        if (fn == NULL)
            continue;
        s->now = top.t;
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
