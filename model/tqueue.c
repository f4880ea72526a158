/* tqueue: FIFO timeout ring with one engine event for its head (L2). */
#include "tqueue.h"

#include "err.h"
#include "xmem.h"

#include <stdlib.h>
#include <string.h>

void tqueue_init(tqueue *q, sim *s, tqueue_fn fn, void *ctx)
{
    q->s = s;
    q->fn = fn;
    q->live = NULL;
    q->ctx = ctx;
    q->cap = 64;
    q->ring = xmalloc(q->cap * sizeof *q->ring);
    q->head = q->n = 0;
    q->armed = false;
}

void tqueue_set_live(tqueue *q, tqueue_live_fn live)
{
    q->live = live;
}

void tqueue_destroy(tqueue *q)
{
    free(q->ring);
    q->ring = NULL;
    q->n = q->cap = 0;
}

size_t tqueue_len(const tqueue *q)
{
    return q->n;
}

static void fire(sim *s, void *obj, uint64_t arg);

static void arm(tqueue *q)
{
    if (q->live)
        while (q->n > 0 && !q->live(q->ctx, q->ring[q->head].id, q->ring[q->head].gen)) {
            q->head = (q->head + 1) & (q->cap - 1);
            q->n--;
        }
    q->armed = q->n > 0;
    if (q->armed)
        sim_at(q->s, q->ring[q->head].deadline, fire, q, 0);
}

static void fire(sim *s, void *obj, uint64_t arg)
{
    (void)arg;
    tqueue *q = obj;
    double now = sim_now(s);
    while (q->n > 0 && q->ring[q->head].deadline <= now) {
        tqueue_item it = q->ring[q->head];
        q->head = (q->head + 1) & (q->cap - 1);
        q->n--;
        q->fn(q->ctx, it.id, it.gen);
    }
    arm(q);
}

void tqueue_push(tqueue *q, double deadline, uint32_t id, uint32_t gen)
{
    if (q->n > 0) {
        double last = q->ring[(q->head + q->n - 1) & (q->cap - 1)].deadline;
        ensure(deadline >= last, sim_now(q->s), "timeout deadlines out of order (%.17g < %.17g)",
               deadline, last);
    }
    bool grow = q->n == q->cap;
    if (grow && q->live) {
        /* Full: squeeze out entries that can no longer matter (order kept) before growing, so
         * the ring follows the requests still in flight, not every request of the last minute.
         * Grow anyway when more than half are live, so squeezing stays amortised O(1). */
        size_t k = 0;
        for (size_t i = 0; i < q->n; i++) {
            tqueue_item it = q->ring[(q->head + i) & (q->cap - 1)];
            if (q->live(q->ctx, it.id, it.gen))
                q->ring[(q->head + k++) & (q->cap - 1)] = it;
        }
        q->n = k;
        grow = k > q->cap / 2;
    }
    if (grow) {
        /* realloc (large blocks move by remapping, without a second copy alive), then the
         * wrapped-around part [0, head + n - cap) goes after the old end. */
        size_t old = q->cap;
        q->ring = xrealloc(q->ring, 2 * old * sizeof *q->ring);
        q->cap = 2 * old;
        if (q->head + q->n > old)
            memcpy(q->ring + old, q->ring, (q->head + q->n - old) * sizeof *q->ring);
    }
    q->ring[(q->head + q->n) & (q->cap - 1)] = (tqueue_item){deadline, id, gen};
    q->n++;
    if (!q->armed)
        arm(q);
}
