/* admission_maxinflight: the max-inflight policy behind the admission interface (L2): 1.12
 * filters/maxinflight.go, one pool per requestKind, a loss system each (a full pool answers 429 at
 * once), system:masters exempt. The seats held are the common part's count (admission_impl.h);
 * the policy keeps only the caps. Never queues, so it never calls a hook and has nothing to
 * advance. Includes the admission headers and L0 only. */
#include "admission.h"

#include "admission_impl.h"
#include "xmem.h"

#include <stdlib.h>

typedef struct maxinflight {
    int cap[ADMISSION_KIND_COUNT];
} maxinflight;

static maxinflight *mi_of(const admission *a)
{
    return a->impl;
}

/* The rule of maxinflight.go (and of parts/inflight.c, the pool its tests check): a seat while
 * fewer than cap are held, else exempt requests go without one and the others are rejected. */
static enum admission_result mi_acquire(admission *a, admission_class c, uint32_t id, double now,
                                        enum admission_reason *why)
{
    (void)id;
    if (a->inflight[c.kind] < mi_of(a)->cap[c.kind]) {
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
    (void)a;
    (void)now;
}

/* A lowered cap keeps what is admitted: mi_acquire compares the seats held with the cap. */
static void mi_set_limits(admission *a, double now)
{
    (void)now;
    mi_of(a)->cap[ADMISSION_READONLY] = a->limits.max_requests_inflight;
    mi_of(a)->cap[ADMISSION_MUTATING] = a->limits.max_mutating_requests_inflight;
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
    mi->cap[ADMISSION_READONLY] = l.max_requests_inflight;
    mi->cap[ADMISSION_MUTATING] = l.max_mutating_requests_inflight;
    return admission_alloc(&maxinflight_ops, mi, l, hooks, now);
}
