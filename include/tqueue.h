/* tqueue: timeouts whose deadlines arrive in the order they are armed (L2, on the engine).
 * All timeouts of one kind (a 429's Retry-After, a loopback reservation, the heartbeat period)
 * share a FIFO queue and one pending engine event for its head, so arming is O(1). An entry is
 * 12 bytes: its deadline and the id of its object. The owner sees to it that an id still means
 * the same object when it fires (an object that can end while queued is the owner's to check,
 * or the queue is cleared). */
#ifndef AVALANCHE_TQUEUE_H
#define AVALANCHE_TQUEUE_H

#include "sim.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called at the deadline with the id that was pushed. */
typedef void (*tqueue_fn)(void *ctx, uint32_t id);

/* Entries live in blocks (struct of arrays, 3 KiB) held by a circular array of block pointers,
 * so memory follows the entries to within a block and growing never copies them. */
#define TQUEUE_BLOCK 256

typedef struct tqueue_block {
    double deadline[TQUEUE_BLOCK];
    uint32_t id[TQUEUE_BLOCK];
} tqueue_block;

typedef struct tqueue {
    sim *s;
    tqueue_fn fn;
    void *ctx;
    tqueue_block **blk; /* circular: blk[(b0 + i) & (blk_cap - 1)] is the i-th block in use */
    size_t b0, nblk, blk_cap;
    tqueue_block *spare; /* one emptied block kept for the next push */
    size_t off;          /* the head entry's index in the first block */
    size_t n;            /* entries from the head on */
    double last;         /* the newest deadline pushed */
    sim_handle ev;       /* the pending event for the head; 0: none */
} tqueue;

void tqueue_init(tqueue *q, sim *s, tqueue_fn fn, void *ctx);
void tqueue_destroy(tqueue *q);
/* Arms a timeout; deadline must be >= every deadline pushed before (checked). */
void tqueue_push(tqueue *q, double deadline, uint32_t id);
/* Drops every entry (none fires). */
void tqueue_clear(tqueue *q);
/* Entries waiting. */
size_t tqueue_len(const tqueue *q);
/* Bytes held by the entry blocks. */
size_t tqueue_bytes(const tqueue *q);

#endif
