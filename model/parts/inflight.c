/* model/parts/ (layer L2): the queueing components the model is built from, each a small
 * module with its own test program: max-inflight pools (inflight, this file), API Priority and
 * Fairness (apf), processor sharing (ps), the token bucket with reservations (tbucket), the TTL
 * cache (ttlcache), client-go backoff (retry), distributions (dist). They include engine/
 * headers and libc/GSL only; none knows the Kubernetes model or the config. */
/* inflight: max-inflight pool with 429 and system:masters exemption (L2). */
#include "inflight.h"

#include "err.h"

void inflight_init(inflight *p, int cap)
{
    p->cap = cap;
    p->used = 0;
}

enum inflight_admit inflight_acquire(inflight *p, bool exempt)
{
    if (p->used < p->cap) {
        p->used++;
        return INFLIGHT_SLOT;
    }
    return exempt ? INFLIGHT_EXEMPT : INFLIGHT_REJECTED;
}

void inflight_release(inflight *p)
{
    ensure(p->used > 0, 0.0, "inflight release with no slot taken (cap %d)", p->cap);
    p->used--;
}
