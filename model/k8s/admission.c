/* admission: the common part of the admission interface (L2): the entry points, which go
 * straight to the policy, and the counts, gauges and rejection counters that every policy
 * reports into (admission_impl.h). Includes only the interface, its policy-side header and L0. */
#include "admission.h"

#include "admission_impl.h"
#include "err.h"
#include "xmem.h"

#include <stdlib.h>

admission *admission_alloc(const admission_ops *ops, void *impl, admission_limits l,
                           const admission_hooks *hooks, double now)
{
    admission *a = xcalloc(1, sizeof *a);
    a->ops = ops;
    a->impl = impl;
    a->limits = l;
    if (hooks)
        a->hooks = *hooks;
    for (int k = 0; k < ADMISSION_KIND_COUNT; k++) {
        a->g_inflight[k].last = now;
        a->g_inqueue[k].last = now;
    }
    return a;
}

void admission_free(admission *a)
{
    if (!a)
        return;
    a->ops->free(a);
    free(a);
}

const char *admission_policy(const admission *a)
{
    return a->ops->name;
}

_Noreturn void admission_broken(const admission *a, double now, const char *what)
{
    err_panic(__FILE__, __LINE__, now, "admission", "%s: %s", a->ops->name, what);
}

/* ---- the entry points ---- */

enum admission_result admission_acquire(admission *a, admission_class c, uint32_t id, double now,
                                        enum admission_reason *why)
{
    return a->ops->acquire(a, c, id, now, why);
}

void admission_release(admission *a, admission_class c, uint32_t id, double now)
{
    a->ops->release(a, c, id, now);
}

bool admission_cancel(admission *a, admission_class c, uint32_t id, double now)
{
    return a->ops->cancel(a, c, id, now);
}

void admission_reset(admission *a, double now)
{
    a->ops->reset(a, now);
    for (int k = ADMISSION_KIND_COUNT; k-- > 0;) {
        a->inflight[k] = a->inqueue[k] = 0;
        gauge_set(&a->g_inflight[k], now, 0.0);
        gauge_set(&a->g_inqueue[k], now, 0.0);
    }
}

void admission_set_limits(admission *a, admission_limits l, double now)
{
    a->limits = l;
    a->ops->set_limits(a, now);
}

admission_limits admission_limits_of(const admission *a)
{
    return a->limits;
}

void admission_advance(admission *a, double now)
{
    a->ops->advance(a, now);
}

/* ---- what a policy that queues reports ---- */

static void inqueue_add(admission *a, unsigned kind, int d, double now)
{
    if ((a->inqueue[kind] += d) < 0)
        admission_broken(a, now, "queue below 0");
    gauge_set(&a->g_inqueue[kind], now, a->inqueue[kind]);
}

void admission_queued(admission *a, admission_class c, double now)
{
    if (c.exempt)
        admission_broken(a, now, "an exempt request queued");
    inqueue_add(a, c.kind, 1, now);
}

void admission_report_cancel(admission *a, unsigned kind, double now)
{
    inqueue_add(a, kind, -1, now);
    a->rejected[ADMISSION_CANCELLED]++;
}

void admission_report_dispatch(admission *a, unsigned kind, uint32_t id, double now)
{
    inqueue_add(a, kind, -1, now);
    admission_seat_taken(a, kind, now);
    if (a->hooks.dispatch)
        a->hooks.dispatch(a->hooks.ctx, id);
}

void admission_report_reject(admission *a, unsigned kind, uint32_t id, enum admission_reason why,
                             double now)
{
    inqueue_add(a, kind, -1, now);
    a->rejected[why]++;
    if (a->hooks.reject)
        a->hooks.reject(a->hooks.ctx, id, why);
}

/* ---- gauges and counters ---- */

void admission_current(const admission *a, admission_gauges *g)
{
    for (int k = 0; k < ADMISSION_KIND_COUNT; k++) {
        g->inflight[k] = a->inflight[k];
        g->inqueue[k] = a->inqueue[k];
    }
}

void admission_sample(admission *a, double now, double span_s, admission_gauges *avg)
{
    for (int k = 0; k < ADMISSION_KIND_COUNT; k++) {
        avg->inflight[k] = gauge_take(&a->g_inflight[k], now, span_s);
        avg->inqueue[k] = gauge_take(&a->g_inqueue[k], now, span_s);
    }
}

uint64_t admission_rejected(const admission *a, enum admission_reason why)
{
    return a->rejected[why];
}

const char *admission_reason_name(enum admission_reason why)
{
    static const char *const names[ADMISSION_REASON_COUNT] = {"concurrency-limit", "queue-full",
                                                              "time-out", "cancelled"};
    return (unsigned)why < ADMISSION_REASON_COUNT ? names[why] : "?";
}
