/* admission_apf: API Priority and Fairness behind the admission interface (L2), over the APF
 * state machine (apf.h), as the mapping notes at the end of include/admission.h lay out. The
 * FlowSchemas arrive resolved to one route per client class; the loopback client
 * (system:masters) goes to the exempt level. Includes the admission headers, apf.h and L0 only.
 *
 * Flow keys (the FlowSchema's distinguisher, flowcontrol/v1 FlowDistinguisherMethod):
 *   ByUser       the user: a kubelet is its node (system:node:<name>), a pod its ServiceAccount
 *                (the token's id); the background clients and the trigger's plain mutating burst
 *                carry no identity in the model, so they are one user.
 *   ByNamespace  the request's namespace. The model has no namespaces; the assumption: a
 *                ServiceAccount's requests go to its own namespace, one namespace per
 *                ServiceAccount (so the flow is the ServiceAccount, as ByUser); kubelets'
 *                requests (GET node, PATCH node/status, TokenReview create) are cluster-scoped,
 *                so one flow (the empty namespace), as are the background clients.
 *   none         one flow per FlowSchema.
 * The key hashes (schema index, distinguisher value), as the apiserver hashes the schema's name
 * with the distinguisher (apf_filter.go computeFlowDistinguisher / hashFlowID).
 *
 * Tickets: two tables by the caller's id, one for the exempt class and one for the others, since
 * the loopback's ids (SA validations) and the requests' ids are names in different pools. Only
 * non-exempt requests ever queue, so the callbacks look in the second. */
#include "admission.h"

#include "admission_impl.h"
#include "apf.h"
#include "xmem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct held {
    apf_ticket t; /* 0: none */
    uint8_t kind; /* enum admission_kind, for the common part's counts */
    uint16_t level;
} held;

typedef struct table {
    held *h;
    uint32_t cap;
} table;

/* What apf reported from inside a call: replayed once it has returned. */
typedef struct pending {
    uint32_t id;
    bool reject;
    enum admission_reason why;
} pending;

typedef struct apfadm {
    apf *a;
    admission_apf_route *routes;
    int nroutes;
    int exempt_level;
    table tab[2]; /* [0] others, [1] exempt */
    pending *pend;
    size_t npend, cap_pend, next_pend;
    bool flushing;
    double next_rebalance_s, woken_s;
    gauge *g_inqueue, *g_exec; /* per level */
    int nlevels;
} apfadm;

static apfadm *ap_of(const admission *a)
{
    return a->impl;
}

static held *slot_at(table *t, uint32_t id)
{
    if (id >= t->cap) {
        uint32_t n = t->cap ? t->cap : 256;
        while (n <= id)
            n *= 2;
        t->h = xrealloc(t->h, n * sizeof *t->h);
        memset(t->h + t->cap, 0, (n - t->cap) * sizeof *t->h);
        t->cap = n;
    }
    return &t->h[id];
}

static void level_sync(admission *a, int k, double now)
{
    apfadm *x = ap_of(a);
    const apf_level_stats *st = apf_stats(x->a, k);
    gauge_set(&x->g_inqueue[k], now, st->current_inqueue_requests);
    gauge_set(&x->g_exec[k], now, st->current_executing_requests);
}

static void levels_sync(admission *a, double now)
{
    for (int k = 0; k < ap_of(a)->nlevels; k++)
        level_sync(a, k, now);
}

/* ---- what apf reports during a call ---- */

static void push(apfadm *x, pending p)
{
    if (x->npend == x->cap_pend) {
        x->cap_pend = x->cap_pend ? 2 * x->cap_pend : 64;
        x->pend = xrealloc(x->pend, x->cap_pend * sizeof *x->pend);
    }
    x->pend[x->npend++] = p;
}

static void on_dispatch(void *ctx, uint32_t id, apf_ticket t)
{
    apfadm *x = ctx;
    held *h = slot_at(&x->tab[0], id);
    h->t = t;
    push(x, (pending){id, false, ADMISSION_REASON_COUNT});
}

static enum admission_reason reason_of(enum apf_reason r)
{
    switch (r) {
    case APF_QUEUE_FULL:
        return ADMISSION_QUEUE_FULL;
    case APF_CONCURRENCY_LIMIT:
        return ADMISSION_CONCURRENCY_LIMIT;
    case APF_TIME_OUT:
        return ADMISSION_TIME_OUT;
    default:
        return ADMISSION_CANCELLED;
    }
}

static void on_reject(void *ctx, uint32_t id, enum apf_reason r)
{
    apfadm *x = ctx;
    push(x, (pending){id, true, reason_of(r)});
}

/* Replays what apf reported, in order, now that it has returned. A hook may come back in (a
 * dispatched TokenReview starts a validation, whose loopback GET is an exempt acquire; a release
 * dispatches more): the outermost flush picks up what those append. */
static void flush(admission *a, double now)
{
    apfadm *x = ap_of(a);
    if (x->flushing)
        return;
    x->flushing = true;
    while (x->next_pend < x->npend) {
        pending p = x->pend[x->next_pend++];
        held *h = slot_at(&x->tab[0], p.id);
        unsigned kind = h->kind;
        if (p.reject) {
            h->t = 0;
            admission_report_reject(a, kind, p.id, p.why, now);
        } else {
            admission_report_dispatch(a, kind, p.id, now);
        }
    }
    x->npend = x->next_pend = 0;
    x->flushing = false;
}

/* hooks.wake at the earlier of the next queue deadline and the next rebalance, when it moved. */
static void rewake(admission *a)
{
    apfadm *x = ap_of(a);
    double t = fmin(apf_next_deadline(x->a), x->next_rebalance_s);
    if (t != x->woken_s) {
        x->woken_s = t;
        if (a->hooks.wake)
            a->hooks.wake(a->hooks.ctx, t);
    }
}

/* ---- the policy ---- */

static uint64_t mix64(uint64_t z)
{
    /* splitmix64's finalizer */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t flow_key(const admission_apf_route *r, admission_class c)
{
    uint64_t v = 0;
    if (r->distinguisher == ADMISSION_BY_USER)
        v = c.user;
    else if (r->distinguisher == ADMISSION_BY_NAMESPACE)
        v = c.subject == ADMISSION_SERVICE_ACCOUNTS ? c.user : 0;
    return mix64(mix64(r->schema + 1u) ^ v);
}

static enum admission_result ap_acquire(admission *a, admission_class c, uint32_t id, double now,
                                        enum admission_reason *why)
{
    apfadm *x = ap_of(a);
    int level;
    uint64_t flow;
    if (c.exempt) {
        level = x->exempt_level;
        flow = 0;
    } else {
        if (c.flow_class >= x->nroutes)
            admission_broken(a, now, "a client class with no route");
        const admission_apf_route *r = &x->routes[c.flow_class];
        level = r->level;
        flow = flow_key(r, c);
    }
    apf_ticket t = 0;
    enum apf_reason ar = APF_REASON_COUNT;
    enum apf_admit res = apf_admit(x->a, level, flow, 1, id, now, on_dispatch, x, &t, &ar);
    enum admission_result out;
    if (res == APF_REJECTED) {
        admission_rejected_at_once(a, c, reason_of(ar), now, why);
        out = ADMISSION_REJECTED;
    } else {
        held *h = slot_at(&x->tab[c.exempt], id);
        if (h->t)
            admission_broken(a, now, "an id acquired twice");
        *h = (held){t, c.kind, (uint16_t)level};
        if (res == APF_EXECUTE) {
            admission_seat_taken(a, c.kind, now);
            out = ADMISSION_EXECUTE;
        } else {
            admission_queued(a, c, now);
            out = ADMISSION_QUEUED;
        }
    }
    level_sync(a, level, now);
    flush(a, now);
    rewake(a);
    return out;
}

static void ap_release(admission *a, admission_class c, uint32_t id, double now)
{
    apfadm *x = ap_of(a);
    held *h = slot_at(&x->tab[c.exempt], id);
    if (!h->t)
        admission_broken(a, now, "release of an id that holds no seat");
    apf_ticket t = h->t;
    int level = h->level;
    h->t = 0;
    admission_seat_freed(a, c.kind, now);
    apf_finish(x->a, t, now, on_dispatch, x);
    level_sync(a, level, now);
    flush(a, now);
    rewake(a);
}

static bool ap_cancel(admission *a, admission_class c, uint32_t id, double now)
{
    apfadm *x = ap_of(a);
    if (c.exempt)
        return false;
    held *h = slot_at(&x->tab[0], id);
    if (!h->t || !apf_cancel(x->a, h->t, now))
        return false;
    h->t = 0;
    admission_report_cancel(a, c.kind, now);
    level_sync(a, h->level, now);
    rewake(a);
    return true;
}

static void ap_reset(admission *a, double now)
{
    apfadm *x = ap_of(a);
    apf_reset(x->a, now);
    for (int k = 0; k < 2; k++)
        if (x->tab[k].cap)
            memset(x->tab[k].h, 0, x->tab[k].cap * sizeof *x->tab[k].h);
    x->npend = x->next_pend = 0;
    x->next_rebalance_s = now + APF_BORROWING_PERIOD_S;
    levels_sync(a, now);
    rewake(a);
}

static int server_concurrency(admission_limits l)
{
    long s = (long)l.max_requests_inflight + l.max_mutating_requests_inflight;
    return s > 1000000000L ? 1000000000 : (int)s;
}

static void ap_set_limits(admission *a, double now)
{
    apfadm *x = ap_of(a);
    apf_set_concurrency(x->a, server_concurrency(a->limits), now, on_dispatch, x);
    levels_sync(a, now);
    flush(a, now);
    rewake(a);
}

static void ap_advance(admission *a, double now)
{
    apfadm *x = ap_of(a);
    x->woken_s = INFINITY; /* the wake-up that brought us here is spent */
    apf_expire(x->a, now, on_reject, x);
    if (now >= x->next_rebalance_s) {
        apf_rebalance(x->a, now, on_dispatch, x);
        while (x->next_rebalance_s <= now)
            x->next_rebalance_s += APF_BORROWING_PERIOD_S;
    }
    levels_sync(a, now);
    flush(a, now);
    rewake(a);
}

static void ap_free(admission *a)
{
    apfadm *x = ap_of(a);
    apf_free(x->a);
    free(x->routes);
    free(x->tab[0].h);
    free(x->tab[1].h);
    free(x->pend);
    free(x->g_inqueue);
    free(x->g_exec);
    free(x);
}

static const admission_ops apf_ops = {
    "apf", ap_acquire, ap_release, ap_cancel, ap_reset, ap_set_limits, ap_advance, ap_free,
};

admission *admission_apf_new(admission_limits l, const admission_apf_config *cfg,
                             const admission_hooks *hooks, double now, err *e)
{
    int exempt = -1;
    for (int k = 0; k < cfg->nlevels && exempt < 0; k++)
        if (cfg->levels[k].exempt)
            exempt = k;
    if (exempt < 0) {
        err_set(e, "apf: levels: no exempt level for the loopback client (system:masters)");
        return NULL;
    }
    for (int r = 0; r < cfg->nroutes; r++)
        if (cfg->routes[r].level < 0 || cfg->routes[r].level >= cfg->nlevels) {
            err_set(e, "apf: route %d: no level %d", r, cfg->routes[r].level);
            return NULL;
        }
    apf_config ac = {.server_concurrency = server_concurrency(l),
                     .max_queue_wait_s = cfg->max_queue_wait_s,
                     .estimated_service_s = APF_ESTIMATED_SERVICE_S,
                     .levels = cfg->levels,
                     .nlevels = cfg->nlevels};
    apf *p = apf_new(&ac, now, e);
    if (!p)
        return NULL;
    apfadm *x = xcalloc(1, sizeof *x);
    x->a = p;
    x->exempt_level = exempt;
    x->nroutes = cfg->nroutes;
    x->routes = xmalloc((size_t)(cfg->nroutes ? cfg->nroutes : 1) * sizeof *x->routes);
    memcpy(x->routes, cfg->routes, (size_t)cfg->nroutes * sizeof *x->routes);
    x->nlevels = cfg->nlevels;
    x->g_inqueue = xcalloc((size_t)x->nlevels, sizeof *x->g_inqueue);
    x->g_exec = xcalloc((size_t)x->nlevels, sizeof *x->g_exec);
    for (int k = 0; k < x->nlevels; k++)
        x->g_inqueue[k].last = x->g_exec[k].last = now;
    x->next_rebalance_s = now + APF_BORROWING_PERIOD_S;
    x->woken_s = INFINITY;
    admission *a = admission_alloc(&apf_ops, x, l, hooks, now);
    rewake(a);
    return a;
}

int admission_apf_nlevels(const admission *a)
{
    return a->ops == &apf_ops ? ap_of(a)->nlevels : 0;
}

void admission_apf_sample(admission *a, int level, double now, double span_s, double *inqueue,
                          double *executing)
{
    apfadm *x = ap_of(a);
    *inqueue = gauge_take(&x->g_inqueue[level], now, span_s);
    *executing = gauge_take(&x->g_exec[level], now, span_s);
}

uint64_t admission_apf_rejected(const admission *a, int level)
{
    const apf_level_stats *st = apf_stats(ap_of(a)->a, level);
    uint64_t n = 0;
    for (int r = 0; r < APF_REASON_COUNT; r++)
        n += st->rejected_requests_total[r];
    return n;
}
