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
}

static void free_blocks(tqueue *q)
{
    for (size_t i = 0; i < q->nblk; i++)
        free(q->blk[(q->b0 + i) & (q->blk_cap - 1)]);
    q->nblk = q->b0 = q->off = q->n = 0;
}

void tqueue_destroy(tqueue *q)
{
    free_blocks(q);
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
    return (q->nblk + (q->spare != NULL)) * sizeof(tqueue_block);
}

/* The block and index of the i-th entry from the head. */
static inline tqueue_block *block_of(const tqueue *q, size_t i, size_t *k)
{
    size_t p = q->off + i;
    *k = p % BLOCK;
    return q->blk[(q->b0 + p / BLOCK) & (q->blk_cap - 1)];
}

static double deadline_at(const tqueue *q, size_t i)
{
    size_t k;
    return block_of(q, i, &k)->deadline[k];
}

/* Drops the head entry; an emptied first block goes to the spare (or is freed). */
static void pop_head(tqueue *q)
{
    q->n--;
    if (++q->off < BLOCK && q->n > 0)
        return;
    if (q->off == BLOCK) {
        tqueue_block *b = q->blk[q->b0];
        if (q->spare)
            free(b);
        else
            q->spare = b;
        q->b0 = (q->b0 + 1) & (q->blk_cap - 1);
        q->nblk--;
    }
    q->off = 0; /* an empty queue starts its block afresh */
}

static void fire(sim *s, void *obj, uint64_t arg);

static void arm(tqueue *q)
{
    q->ev = q->n > 0 ? sim_at(q->s, deadline_at(q, 0), fire, q, 0) : 0;
}

static void fire(sim *s, void *obj, uint64_t arg)
{
    (void)arg;
    tqueue *q = obj;
    double now = sim_now(s);
    while (q->n > 0 && deadline_at(q, 0) <= now) {
        size_t k;
        uint32_t id = block_of(q, 0, &k)->id[k];
        pop_head(q);
        q->fn(q->ctx, id);
    }
    arm(q);
}

void tqueue_push(tqueue *q, double deadline, uint32_t id)
{
    ensure(q->n == 0 || deadline >= q->last, sim_now(q->s),
           "timeout deadlines out of order (%.17g < %.17g)", deadline, q->last);
    q->last = deadline;
    if (q->off + q->n == q->nblk * BLOCK) {
        /* the last block is full (or there is none): add one */
        if (q->nblk == q->blk_cap) {
            size_t ncap = 2 * q->blk_cap;
            tqueue_block **nb = xmalloc(ncap * sizeof *nb);
            for (size_t i = 0; i < q->nblk; i++)
                nb[i] = q->blk[(q->b0 + i) & (q->blk_cap - 1)];
            free(q->blk);
            q->blk = nb;
            q->blk_cap = ncap;
            q->b0 = 0;
        }
        tqueue_block *b = q->spare ? q->spare : xmalloc(sizeof *b);
        q->spare = NULL;
        q->blk[(q->b0 + q->nblk++) & (q->blk_cap - 1)] = b;
    }
    size_t k;
    tqueue_block *b = block_of(q, q->n, &k);
    b->deadline[k] = deadline;
    b->id[k] = id;
    q->n++;
    if (!q->ev) /* inside fire, ev still names the running event: fire re-arms */
        arm(q);
}

void tqueue_clear(tqueue *q)
{
    if (q->ev)
        sim_cancel(q->s, q->ev);
    q->ev = 0;
    free_blocks(q);
}
