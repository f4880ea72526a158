/* admission_impl: what an admission policy implements and may use (L2, internal to the policies
 * in model/k8s/admission*.c, like Redis's aeApi* behind ae.c). A policy decides; the common part
 * (admission.c) keeps the counts, the gauges and the rejection counters from what it decides, so
 * that every policy reports them alike. */
#ifndef AVALANCHE_K8S_ADMISSION_IMPL_H
#define AVALANCHE_K8S_ADMISSION_IMPL_H

#include "admission.h"
#include "gauge.h"

typedef struct admission_ops {
    const char *name;
    /* Sets *why on REJECTED. The common part counts EXECUTE, QUEUED and REJECTED itself. */
    enum admission_result (*acquire)(admission *a, admission_class c, uint32_t id, double now,
                                     enum admission_reason *why);
    void (*release)(admission *a, admission_class c, uint32_t id, double now);
    bool (*cancel)(admission *a, admission_class c, uint32_t id, double now);
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
/* For a policy that queues: a queued request of kind now holds a seat, or was rejected. Each
 * updates the counts and calls the hook; call them only where a hook may run (see hooks). */
void admission_report_dispatch(admission *a, int kind, uint32_t id, double now);
void admission_report_reject(admission *a, int kind, uint32_t id, enum admission_reason why,
                             double now);

#endif
