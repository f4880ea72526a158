/* inflight: the apiserver's max-inflight pool, a loss system with no queue (L2).
 * 1.12 filters/maxinflight.go: a request takes a slot or is rejected at once (429). Exempt
 * requests (group system:masters, e.g. the loopback client) take a slot when one is free and
 * are served without one when the pool is full. */
#ifndef AVALANCHE_INFLIGHT_H
#define AVALANCHE_INFLIGHT_H

#include <stdbool.h>

typedef struct inflight {
    int cap;  /* slots, >= 1 */
    int used; /* slots taken */
} inflight;

enum inflight_admit {
    INFLIGHT_REJECTED = -1, /* 429 */
    INFLIGHT_EXEMPT = 0,    /* admitted without a slot: do not release */
    INFLIGHT_SLOT = 1       /* admitted with a slot: release when the handler returns */
};

void inflight_init(inflight *p, int cap);
enum inflight_admit inflight_acquire(inflight *p, bool exempt);
void inflight_release(inflight *p);

#endif
