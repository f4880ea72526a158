/* admission: the apiserver's admission stage (what decides, after authentication, whether a
 * request runs now, waits, or gets a 429), one interface over swappable policies (L2 in
 * contract: a plain state machine that takes `now`, knows nothing of the engine or of the
 * requests beyond their class and an id). Policies: max-inflight (1.12, filters/maxinflight.go:
 * two loss pools) in model/k8s/admission_maxinflight.c; API Priority and Fairness over apf.h is
 * the second, in model/k8s/admission_apf.c (how it maps, at the end of this header). The common
 * part (the entry points, the gauges and counters every policy reports into) is
 * model/k8s/admission.c; what a policy implements and reports through, model/k8s/admission_impl.h.
 *
 * Times in seconds, non-decreasing across calls. The module owns its memory; admission_free
 * releases it (NULL: no-op). Broken invariants (releasing what is not held) abort. */
#ifndef AVALANCHE_ADMISSION_H
#define AVALANCHE_ADMISSION_H

#include "apf.h"
#include "err.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct admission admission;

/* requestKind of apiserver_current_inflight_requests: which max-inflight pool a request takes. */
enum admission_kind {
    ADMISSION_READONLY,
    ADMISSION_MUTATING,
    ADMISSION_KIND_COUNT
};

/* Who sends a request, as far as admission may care (APF's FlowSchemas match on it). */
enum admission_subject {
    ADMISSION_MASTERS,          /* group system:masters: the apiserver's loopback client */
    ADMISSION_NODES,            /* group system:nodes: kubelets */
    ADMISSION_SERVICE_ACCOUNTS, /* group system:serviceaccounts: pods with their own token */
    ADMISSION_USERS,            /* everyone else: controllers, users, certificate clients */
    ADMISSION_SUBJECT_COUNT
};

/* A request's class, fixed for its life: pass the same kind, subject, exempt and flow_class to
 * acquire, release and cancel (user is read by acquire only). */
typedef struct admission_class {
    uint8_t kind;       /* enum admission_kind */
    uint8_t subject;    /* enum admission_subject */
    bool exempt;        /* never rejected, never queued (system:masters in both policies) */
    uint8_t flow_class; /* the caller's client class: APF's FlowSchemas match on it (an index
                         * of admission_apf_config.routes); max-inflight ignores it */
    uint64_t user;      /* the requesting user (a node, a ServiceAccount): APF's flow key */
} admission_class;

enum admission_result {
    ADMISSION_REJECTED, /* 429 now; *why says why; nothing is held */
    ADMISSION_EXEMPT,   /* admitted holding nothing: never release it */
    ADMISSION_EXECUTE,  /* admitted holding a seat: admission_release when the handler returns */
    ADMISSION_QUEUED    /* waiting: hooks.dispatch (it then holds a seat) or hooks.reject comes
                         * later, unless admission_cancel takes it out first */
};

/* Why a request was rejected: apiserver_flowcontrol_rejected_requests_total{reason}. A full
 * max-inflight pool is "concurrency-limit", as an APF level without queues at its limit. */
enum admission_reason {
    ADMISSION_CONCURRENCY_LIMIT,
    ADMISSION_QUEUE_FULL,
    ADMISSION_TIME_OUT, /* waited its queue's wait limit */
    ADMISSION_CANCELLED,
    ADMISSION_REASON_COUNT
};

/* The caps, as the apiserver's flags name them (APF: their sum is the server's concurrency). */
typedef struct admission_limits {
    int max_requests_inflight;          /* read-only, >= 1 */
    int max_mutating_requests_inflight; /* mutating, >= 1 */
} admission_limits;

/* How a policy that queues reaches its caller. Called synchronously from inside acquire,
 * release, cancel and advance, after the admission's own state is consistent: a hook may call
 * any admission function (a policy whose engine forbids re-entry, as apf.h does, records what
 * it reports and runs the hooks once that engine has returned). Max-inflight never calls them;
 * any of them may be NULL for it. */
typedef struct admission_hooks {
    void *ctx;
    /* The queued request id now holds a seat: release it like one admitted with EXECUTE. */
    void (*dispatch)(void *ctx, uint32_t id);
    /* The queued request id was rejected (its wait limit: ADMISSION_TIME_OUT). */
    void (*reject)(void *ctx, uint32_t id, enum admission_reason why);
    /* Call admission_advance at time t (queue wait limits, periodic rebalancing). A new wake
     * replaces the one before; INFINITY: nothing to wake for. */
    void (*wake)(void *ctx, double t);
} admission_hooks;

/* Gauges, by admission_kind. */
typedef struct admission_gauges {
    double inflight[ADMISSION_KIND_COUNT]; /* holding a seat: apiserver_current_inflight_requests */
    double inqueue[ADMISSION_KIND_COUNT];  /* waiting in a queue (max-inflight: always 0) */
} admission_gauges;

/* Max-inflight: two pools, a loss system each, no queue. A request takes a slot of its kind's
 * pool or is rejected at once; an exempt request takes a slot when one is free and is served
 * without one (EXEMPT) when the pool is full. Never QUEUED. */
admission *admission_maxinflight_new(admission_limits l, const admission_hooks *hooks, double now);
void admission_free(admission *a);
/* "max-inflight" */
const char *admission_policy(const admission *a);

/* Request id of class c arrives at now. id is the caller's name for it, unique among the
 * requests this admission holds or queues; the hooks report it back. *why (may be NULL) is set
 * on REJECTED. */
enum admission_result admission_acquire(admission *a, admission_class c, uint32_t id, double now,
                                        enum admission_reason *why);
/* The handler of a request admitted with EXECUTE (or dispatched) returned: frees its seat. A
 * policy that queues may dispatch waiting requests through hooks.dispatch. */
void admission_release(admission *a, admission_class c, uint32_t id, double now);
/* The client of a queued request left: takes it out (rejected, reason cancelled) and returns
 * true; false when id is not queued (it holds a seat, or the policy never queues). */
bool admission_cancel(admission *a, admission_class c, uint32_t id, double now);
/* An apiserver restart: drops every held and queued request without calling a hook; gauges go
 * to 0; the rejection counters keep running. The limits stay. */
void admission_reset(admission *a, double now);
/* New caps, at once (an intervention). Requests already admitted keep their seats: a lowered
 * cap admits nothing until fewer than it hold one; a raised one admits at once (a policy that
 * queues dispatches what now fits). */
void admission_set_limits(admission *a, admission_limits l, double now);
admission_limits admission_limits_of(const admission *a);
/* Time-driven work due by now (wait limits, rebalancing); see hooks.wake. */
void admission_advance(admission *a, double now);

/* The gauges' values now. */
void admission_current(const admission *a, admission_gauges *g);
/* Time-averages over (now - span_s, now] of the gauges, then starts new averages at now: call
 * once per sample interval with the span since the previous call (span_s <= 0: the values now).
 * Accumulated at every change, so exact for piecewise-constant gauges. */
void admission_sample(admission *a, double now, double span_s, admission_gauges *avg);
/* Rejections by reason since admission_*_new (counted at acquire, reject and cancel). */
uint64_t admission_rejected(const admission *a, enum admission_reason why);
/* "concurrency-limit", "queue-full", "time-out", "cancelled". */
const char *admission_reason_name(enum admission_reason why);

/* API Priority and Fairness (model/k8s/admission_apf.c over apf.h). The FlowSchemas come
 * resolved: for each client class (admission_class.flow_class) the level its matching schema of
 * the lowest precedence sends it to, that schema's index (part of the flow key) and its
 * distinguisher. The loopback client (exempt) goes to the first exempt level, which cfg must
 * have. */
enum admission_distinguisher {
    ADMISSION_BY_USER,      /* ByUser: one flow per user (node, ServiceAccount) */
    ADMISSION_BY_NAMESPACE, /* ByNamespace: one flow per namespace (see admission_apf.c) */
    ADMISSION_BY_NONE,      /* no distinguisher: one flow per FlowSchema */
    ADMISSION_DISTINGUISHER_COUNT
};

typedef struct admission_apf_route {
    int level;             /* index of cfg->levels */
    uint32_t schema;       /* the FlowSchema's index */
    uint8_t distinguisher; /* enum admission_distinguisher */
} admission_apf_route;

typedef struct admission_apf_config {
    const apf_level_config *levels; /* copied; at least one exempt */
    int nlevels;
    double max_queue_wait_s; /* > 0: the queue wait limit (request_timeout / 4 by default) */
    const admission_apf_route *routes; /* copied; by flow_class */
    int nroutes;
} admission_apf_config;

/* Bad configuration: NULL, one line in e. The server concurrency is the sum of l's caps. */
admission *admission_apf_new(admission_limits l, const admission_apf_config *cfg,
                             const admission_hooks *hooks, double now, err *e);
/* Per priority level (in cfg->levels order), for the metrics (0 levels for other policies): the
 * time-averages since the previous call (as admission_sample; call once per sample interval)
 * of apiserver_flowcontrol_current_inqueue_requests and _current_executing_requests, and the
 * running total of apiserver_flowcontrol_rejected_requests_total over every reason. */
int admission_apf_nlevels(const admission *a);
void admission_apf_sample(admission *a, int level, double now, double span_s, double *inqueue,
                          double *executing);
uint64_t admission_apf_rejected(const admission *a, int level);

/* How API Priority and Fairness (apf.h) maps onto this interface, for model/k8s/admission_apf.c:
 *
 *  - admission_apf_new(limits, apf level configs and FlowSchemas, hooks, now): apf_new with
 *    server_concurrency = max_requests_inflight + max_mutating_requests_inflight and
 *    max_queue_wait_s = request_timeout / 4, plus the FlowSchemas as a small table matched in
 *    precedence order on (subject, kind): exempt -> the exempt level, nodes -> "system",
 *    service accounts -> "workload-low", users -> "global-default" (default.go of the modelled
 *    release). The flow key is hash(FlowSchema, c.user) (distinguisher ByUser).
 *  - acquire -> apf_admit(level, flow, width 1, id, now): APF_EXECUTE -> EXECUTE (exempt
 *    levels too: they hold seats in APF's accounting, so EXEMPT is never returned);
 *    APF_QUEUED -> QUEUED; APF_REJECTED -> REJECTED with the reason mapped one to one. The
 *    ticket is kept by the adapter in a table indexed by id (the caller never sees tickets).
 *  - release -> apf_finish(ticket of id); cancel -> apf_cancel; reset -> apf_reset (and the
 *    ticket table cleared); set_limits -> a new server concurrency (apf.h has no live change
 *    yet: add apf_set_concurrency, which recomputes the level limits and dispatches what fits).
 *  - apf_admit, apf_finish and apf_rebalance report dispatches through a callback during which
 *    apf is busy: the adapter appends them to a list and, once apf has returned, reports each
 *    in order with admission_report_dispatch (which moves the counts from inqueue to inflight
 *    and calls hooks.dispatch). apf_expire's time-outs go to admission_report_reject the same
 *    way; acquire reports admission_seat_taken, admission_queued or admission_rejected_at_once,
 *    release admission_seat_freed, cancel admission_report_cancel (admission_impl.h).
 *  - wake -> min(apf_next_deadline, next rebalance every APF_BORROWING_PERIOD_S); advance ->
 *    apf_expire then, when due, apf_rebalance; then wake again.
 *  - the gauges stay per requestKind (the APF filter keeps apiserver_current_inflight_requests
 *    by mutating / readOnly too); per-level gauges are apf_stats, for whoever wants them.
 * What the caller (the apiserver) already does for it: it handles QUEUED (the request waits
 * holding nothing, in the filter timeout list), dispatch (as an admission at that time), reject
 * (a 429, as at arrival), cancel (a request freed while queued) and wake (an engine event).
 * What it does not yet: a TokenReview dispatched after waiting would need its own create-handler
 * start time (the create timeout list keys on arrival; apiserver.c checks it). */

#endif
