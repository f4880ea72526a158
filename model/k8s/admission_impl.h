/* admission_impl: what an admission policy implements and may use (L2, internal to the policies
 * in model/k8s/admission*.c, like Redis's aeApi* behind ae.c). A policy decides; the common part
 * (admission.c) keeps the counts, the gauges and the rejection counters from what it decides, so
 * that every policy reports them alike. Includes admission.h and gauge.h only; a policy file
 * includes this header, the L2 component it wraps (inflight.h, apf.h) and L0. */
#ifndef AVALANCHE_K8S_ADMISSION_IMPL_H
#define AVALANCHE_K8S_ADMISSION_IMPL_H

#include "admission.h"
#include "gauge.h"

typedef struct admission_ops {
    const char *name;
    /* The admission_* entry points go straight here; each reports what it decided through the
     * helpers below (a seat taken or freed, a request queued, rejected or dispatched). */
    enum admission_result (*acquire)(admission *a, admission_class c, uint32_t id, double now,
                                     enum admission_reason *why);
    void (*release)(admission *a, admission_class c, uint32_t id, double now);
    bool (*cancel)(admission *a, admission_class c, uint32_t id, double now);
    /* Drops the policy's own state; the common part zeroes the counts after. */
    void (*reset)(admission *a, double now);
    /* a->limits already holds the new limits */
    void (*set_limits)(admission *a, double now);
    void (*advance)(admission *a, double now);
    void (*free)(admission *a);
} admission_ops;

struct admission {
    const admission_ops *ops;
    void *impl; /* the policy's state */
    admission_hooks hooks;
    admission_limits limits;
    int inflight[ADMISSION_KIND_COUNT], inqueue[ADMISSION_KIND_COUNT];
    gauge g_inflight[ADMISSION_KIND_COUNT], g_inqueue[ADMISSION_KIND_COUNT];
    uint64_t rejected[ADMISSION_REASON_COUNT];
};

/* A new admission of policy ops with state impl (owned: ops->free releases it). */
admission *admission_alloc(const admission_ops *ops, void *impl, admission_limits l,
                           const admission_hooks *hooks, double now);
/* A count went below 0, or an exempt request was rejected or queued: aborts. */
_Noreturn void admission_broken(const admission *a, double now, const char *what);

/* ---- what a policy reports (inline: acquire and release are on every request's path) ---- */

/* A request of kind took a seat (acquire returns EXECUTE). */
static inline void admission_seat_taken(admission *a, unsigned kind, double now)
{
    gauge_set(&a->g_inflight[kind], now, ++a->inflight[kind]);
}

/* A seat of kind was released. */
static inline void admission_seat_freed(admission *a, unsigned kind, double now)
{
    if (--a->inflight[kind] < 0)
        admission_broken(a, now, "inflight below 0");
    gauge_set(&a->g_inflight[kind], now, a->inflight[kind]);
}

/* A request of class c was rejected at arrival (acquire returns REJECTED). */
static inline void admission_rejected_at_once(admission *a, admission_class c,
                                              enum admission_reason why, double now,
                                              enum admission_reason *out)
{
    if (c.exempt)
        admission_broken(a, now, "an exempt request rejected");
    a->rejected[why]++;
    if (out)
        *out = why;
}

/* A request of class c was queued (acquire returns QUEUED). */
void admission_queued(admission *a, admission_class c, double now);
/* A queued request of kind left the queue: it was cancelled (cancel returns true), or now holds
 * a seat, or was rejected; the last two call the hook. Call them only where a hook may run (see
 * admission_hooks). */
void admission_report_cancel(admission *a, unsigned kind, double now);
void admission_report_dispatch(admission *a, unsigned kind, uint32_t id, double now);
void admission_report_reject(admission *a, unsigned kind, uint32_t id, enum admission_reason why,
                             double now);

#endif
