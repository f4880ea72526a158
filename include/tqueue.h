/* tqueue: timeouts whose deadlines arrive in the order they are armed (L2, on the engine).
 * All timeouts of one kind (the 30 s create timeout, the 60 s filter, a client's 10 s) share a
 * FIFO ring and one pending engine event for its head, so arming is O(1) and "cancelling" is
 * letting the object's generation move on: an expired entry whose object has another gen is
 * skipped. An entry is 16 bytes: the deadline and the owner's (id, gen) of its object. */
#ifndef AVALANCHE_TQUEUE_H
#define AVALANCHE_TQUEUE_H

#include "sim.h"

#include <stdbool.h>
#include <stdint.h>

/* Called at the deadline with what was pushed; the callee checks gen against its object. */
typedef void (*tqueue_fn)(void *ctx, uint32_t id, uint32_t gen);
/* Optional: whether an entry can still matter. Dead entries at the head are dropped without an
 * engine event (most timeouts belong to requests long finished), and dead entries are squeezed
 * out before the ring grows. */
typedef bool (*tqueue_live_fn)(void *ctx, uint32_t id, uint32_t gen);

typedef struct tqueue_item {
    double deadline;
    uint32_t id, gen;
} tqueue_item;

/* The entries live in 4 KiB blocks held by a circular array of block pointers, so memory follows
 * the entries (to within a block) and growing never copies them. */
#define TQUEUE_BLOCK 256

typedef struct tqueue {
    sim *s;
    tqueue_fn fn;
    tqueue_live_fn live;
    void *ctx;
    tqueue_item **blk; /* circular: blk[(b0 + i) & (blk_cap - 1)] is the i-th block in use */
    size_t b0, nblk, blk_cap;
    tqueue_item *spare; /* one emptied block kept for the next push */
    size_t off;         /* the head entry's index in the first block */
    size_t n;           /* entries from the head on */
    size_t limit;       /* with a liveness test: squeeze dead entries out when n reaches this */
    double last;        /* the newest deadline pushed */
    bool armed;
} tqueue;

void tqueue_init(tqueue *q, sim *s, tqueue_fn fn, void *ctx);
/* Sets the liveness test (NULL: every entry fires). */
void tqueue_set_live(tqueue *q, tqueue_live_fn live);
void tqueue_destroy(tqueue *q);
/* Arms a timeout; deadline must be >= every deadline pushed before (checked). */
void tqueue_push(tqueue *q, double deadline, uint32_t id, uint32_t gen);
/* Entries waiting (stale ones included). */
size_t tqueue_len(const tqueue *q);
/* Bytes held by the entry blocks. */
size_t tqueue_bytes(const tqueue *q);

#endif
