/* tqueue: FIFO timeout queue in blocks, with one engine event for its head (L2). */
#include "tqueue.h"

#include "err.h"
#include "xmem.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK TQUEUE_BLOCK

void tqueue_init(tqueue *q, sim *s, tqueue_fn fn, void *ctx)
{
    memset(q, 0, sizeof *q);
    q->s = s;
    q->fn = fn;
    q->ctx = ctx;
    q->blk_cap = 4;
    q->blk = xcalloc(q->blk_cap, sizeof *q->blk);
    q->limit = 4 * BLOCK;
}

void tqueue_set_live(tqueue *q, tqueue_live_fn live)
{
    q->live = live;
}

void tqueue_destroy(tqueue *q)
{
    for (size_t i = 0; i < q->nblk; i++)
        free(q->blk[(q->b0 + i) & (q->blk_cap - 1)]);
    free(q->blk);
    free(q->spare);
    memset(q, 0, sizeof *q);
}

size_t tqueue_len(const tqueue *q)
{
    return q->n;
}

size_t tqueue_bytes(const tqueue *q)
{
    return (q->nblk + (q->spare != NULL)) * BLOCK * sizeof(tqueue_item);
}

/* The i-th entry from the head. */
static inline tqueue_item *at(const tqueue *q, size_t i)
{
    size_t p = q->off + i;
    return &q->blk[(q->b0 + p / BLOCK) & (q->blk_cap - 1)][p % BLOCK];
}

static void block_release(tqueue *q, tqueue_item *b)
{
    if (q->spare)
        free(b);
    else
        q->spare = b;
}

/* Drops the head entry; an emptied first block is released. */
static void pop_head(tqueue *q)
{
    q->n--;
    if (++q->off == BLOCK || q->n == 0) {
        /* the first block is done (or the queue is empty: start its block afresh) */
        if (q->off == BLOCK || q->nblk > 1) {
            block_release(q, q->blk[q->b0]);
            q->b0 = (q->b0 + 1) & (q->blk_cap - 1);
            q->nblk--;
        }
        q->off = 0;
    }
}

/* Keeps the first `keep` blocks in use and releases the rest. */
static void trim_blocks(tqueue *q, size_t keep)
{
    while (q->nblk > keep) {
        q->nblk--;
        block_release(q, q->blk[(q->b0 + q->nblk) & (q->blk_cap - 1)]);
    }
}

static void fire(sim *s, void *obj, uint64_t arg);

static void arm(tqueue *q)
{
    if (q->live)
        while (q->n > 0 && !q->live(q->ctx, at(q, 0)->id, at(q, 0)->gen))
            pop_head(q);
    q->armed = q->n > 0;
    if (q->armed)
        sim_at(q->s, at(q, 0)->deadline, fire, q, 0);
}

static void fire(sim *s, void *obj, uint64_t arg)
{
    (void)arg;
    tqueue *q = obj;
    double now = sim_now(s);
    while (q->n > 0 && at(q, 0)->deadline <= now) {
        tqueue_item it = *at(q, 0);
        pop_head(q);
        q->fn(q->ctx, it.id, it.gen);
    }
    arm(q);
}

/* Squeezes out the entries that can no longer matter, order kept, so the queue follows the
 * requests still in flight, not every request of the last minute. The next squeeze waits until
 * the queue has doubled, so squeezing is amortised O(1) per push. */
static void squeeze(tqueue *q)
{
    size_t k = 0;
    for (size_t i = 0; i < q->n; i++) {
        tqueue_item it = *at(q, i);
        if (q->live(q->ctx, it.id, it.gen))
            *at(q, k++) = it;
    }
    q->n = k;
    trim_blocks(q, (q->off + k + BLOCK - 1) / BLOCK);
    if (q->nblk == 0)
        q->off = 0;
    q->limit = 2 * k > 4 * BLOCK ? 2 * k : 4 * BLOCK;
}

void tqueue_push(tqueue *q, double deadline, uint32_t id, uint32_t gen)
{
    ensure(q->n == 0 || deadline >= q->last, sim_now(q->s),
           "timeout deadlines out of order (%.17g < %.17g)", deadline, q->last);
    q->last = deadline;
    if (q->live && q->n >= q->limit)
        squeeze(q);
    if (q->off + q->n == q->nblk * BLOCK) {
        /* the last block is full (or there is none): add one */
        if (q->nblk == q->blk_cap) {
            size_t ncap = 2 * q->blk_cap;
            tqueue_item **nb = xmalloc(ncap * sizeof *nb);
            for (size_t i = 0; i < q->nblk; i++)
                nb[i] = q->blk[(q->b0 + i) & (q->blk_cap - 1)];
            free(q->blk);
            q->blk = nb;
            q->blk_cap = ncap;
            q->b0 = 0;
        }
        tqueue_item *b = q->spare ? q->spare : xmalloc(BLOCK * sizeof *b);
        q->spare = NULL;
        q->blk[(q->b0 + q->nblk++) & (q->blk_cap - 1)] = b;
    }
    *at(q, q->n) = (tqueue_item){deadline, id, gen};
    q->n++;
    if (!q->armed)
        arm(q);
}
