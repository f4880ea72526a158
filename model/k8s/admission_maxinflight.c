/* admission_maxinflight: the max-inflight policy behind the admission interface (L2), over the
 * inflight pool (inflight.h; its acquire rule inline, below): 1.12 filters/maxinflight.go, one
 * pool per requestKind, a loss system each (a full pool answers 429 at once), system:masters
 * exempt. Never queues, so it never calls a hook and has nothing to advance. Includes the
 * admission headers, inflight.h and L0 only. */
#include "admission.h"

#include "admission_impl.h"
#include "inflight.h"
#include "xmem.h"

#include <stdlib.h>

typedef struct maxinflight {
    inflight pool[ADMISSION_KIND_COUNT];
} maxinflight;

static maxinflight *mi_of(const admission *a)
{
    return a->impl;
}

/* inflight_acquire, inline: this is on every request's path, and a call here would cost the
 * policy a frame of its own (a quarter of the 429 path's instructions). Same rule: a slot while
 * used < cap, else exempt requests go without one and the others are rejected. */
static enum admission_result mi_acquire(admission *a, admission_class c, uint32_t id, double now,
                                        enum admission_reason *why)
{
    (void)id;
    inflight *pool = &mi_of(a)->pool[c.kind];
    if (pool->used < pool->cap) {
        pool->used++;
        admission_seat_taken(a, c.kind, now);
        return ADMISSION_EXECUTE;
    }
    if (c.exempt)
        return ADMISSION_EXEMPT;
    /* tooManyRequests, Retry-After: 1 */
    admission_rejected_at_once(a, c, ADMISSION_CONCURRENCY_LIMIT, now, why);
    return ADMISSION_REJECTED;
}

static void mi_release(admission *a, admission_class c, uint32_t id, double now)
{
    (void)id;
    inflight_release(&mi_of(a)->pool[c.kind]);
    admission_seat_freed(a, c.kind, now);
}

static bool mi_cancel(admission *a, admission_class c, uint32_t id, double now)
{
    (void)a;
    (void)c;
    (void)id;
    (void)now;
    return false; /* nothing waits */
}

static void mi_reset(admission *a, double now)
{
    (void)now;
    for (int k = 0; k < ADMISSION_KIND_COUNT; k++)
        mi_of(a)->pool[k].used = 0;
}

/* A lowered cap keeps what is admitted: inflight_acquire compares used < cap. */
static void mi_set_limits(admission *a, double now)
{
    (void)now;
    mi_of(a)->pool[ADMISSION_READONLY].cap = a->limits.max_requests_inflight;
    mi_of(a)->pool[ADMISSION_MUTATING].cap = a->limits.max_mutating_requests_inflight;
}

static void mi_advance(admission *a, double now)
{
    (void)a;
    (void)now;
}

static void mi_free(admission *a)
{
    free(a->impl);
}

static const admission_ops maxinflight_ops = {
    "max-inflight", mi_acquire, mi_release, mi_cancel, mi_reset, mi_set_limits, mi_advance, mi_free,
};

admission *admission_maxinflight_new(admission_limits l, const admission_hooks *hooks, double now)
{
    maxinflight *mi = xcalloc(1, sizeof *mi);
    inflight_init(&mi->pool[ADMISSION_READONLY], l.max_requests_inflight);
    inflight_init(&mi->pool[ADMISSION_MUTATING], l.max_mutating_requests_inflight);
    return admission_alloc(&maxinflight_ops, mi, l, hooks, now);
}
