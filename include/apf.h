/* apf: API Priority and Fairness as a plain state machine with a hand-set clock (L2).
 * The admission side of the apiserver's APF filter as of Kubernetes 1.28: priority levels with
 * concurrency limits from shares (apf_controller.go), shuffle sharding (shufflesharding.Dealer),
 * fair queuing by virtual finish time in seat-seconds (fairqueuing/queueset/queueset.go), 429s
 * for queue-full / concurrency-limit / time-out, cancellation of a queued request, and seat
 * borrowing between levels driven by an explicit apf_rebalance every 10 s. Classification into
 * a level and a flow (FlowSchemas) is the caller's: it passes a level index and a flow key.
 *
 * Time is in seconds and must not decrease across calls (checked). The module owns its memory
 * (a pool of request slots that grows by doubling; no allocation per request once grown); the
 * caller owns the ids it passes. Deterministic: no RNG, no clock reads, no globals.
 *
 * Callbacks and re-entry: the functions that can dispatch queued requests (apf_admit,
 * apf_finish, apf_rebalance) report each dispatch through a callback, and apf_expire reports
 * each time-out through one, synchronously, before returning. While a callback runs the apf is
 * busy: calling any function that changes it (admit, finish, cancel, expire, rebalance, reset)
 * from inside a callback is a broken invariant and aborts; the read-only accessors are fine. The
 * caller records or schedules what a callback reports and acts on it after the call returns (on
 * the engine: one event per dispatched request, at its completion time).
 *
 * One level with queues = 1, hand_size = 1, queue_length_limit = K, lendable_percent = 0 and
 * shares giving it concurrency c, fed width-1 requests with no wait limit, is exactly the
 * M/M/c/(c+K) FCFS queue when arrivals are Poisson and service exponential: nothing rounds the
 * limit up or down (it is ceil(server * shares / sum) = c when the level holds all the shares),
 * a request is rejected iff c seats are busy and K wait, and a seat freed by apf_finish goes at
 * once to the head of the queue. */
#ifndef AVALANCHE_APF_H
#define AVALANCHE_APF_H

#include "err.h"

#include <stdbool.h>
#include <stdint.h>

/* queueset.go Complete: estimatedServiceDuration, the initial guess G of a seat's service. */
#define APF_ESTIMATED_SERVICE_S 0.003
/* apf_controller.go borrowingAdjustmentPeriod: call apf_rebalance this often. */
#define APF_BORROWING_PERIOD_S 10.0
/* shufflesharding.Dealer.Deal: the largest hand the entropy bound allows. */
#define APF_MAX_HAND 15
/* Queues per level (a queue index is 16 bits). */
#define APF_MAX_QUEUES 65534
/* Seats per request (a width is 16 bits). */
#define APF_MAX_WIDTH 65535

typedef struct apf apf;

/* A queued or executing request: what apf_cancel and apf_finish take. Never 0. Void once the
 * request is rejected, cancelled or finished, and after apf_reset. */
typedef uint64_t apf_ticket;

/* apiserver_flowcontrol_rejected_requests_total{reason=...} */
enum apf_reason {
    APF_QUEUE_FULL,        /* "queue-full": the chosen queue holds queue_length_limit requests */
    APF_CONCURRENCY_LIMIT, /* "concurrency-limit": a level with queues = 0 is at its limit */
    APF_TIME_OUT,          /* "time-out": waited max_queue_wait_s in its queue */
    APF_CANCELLED,         /* "cancelled": the client left while the request was queued */
    APF_REASON_COUNT
};

enum apf_admit {
    APF_EXECUTE, /* dispatched now: seats taken, call apf_finish(ticket) when it completes */
    APF_QUEUED,  /* waiting: dispatched later through a callback, or expired or cancelled */
    APF_REJECTED /* 429; *reason says why; no ticket */
};

typedef struct apf_level_config {
    const char *name; /* copied */
    bool exempt;      /* no limit, never queues, never rejects (system:masters, loopback) */
    /* Nominal concurrency shares (NominalConcurrencyShares, AssuredConcurrencyShares before
     * 1.26), >= 0. The shares of every level, exempt ones included (1.28), are the divisor. */
    int shares;
    int queues;             /* 0: no queuing, reject at the limit; else 1..APF_MAX_QUEUES */
    int hand_size;          /* queues > 0: 1..min(queues, APF_MAX_HAND), entropy <= 60 bits */
    int queue_length_limit; /* queues > 0: requests per queue, >= 1 */
    int lendable_percent;   /* 0..100: seats others may borrow */
    /* BorrowingLimitPercent: false (nil, the default) lets the level borrow up to the whole
     * server; exempt levels have no such limit. */
    bool borrowing_limited;
    int borrowing_limit_percent; /* >= 0 when borrowing_limited */
} apf_level_config;

typedef struct apf_config {
    /* max_requests_inflight + max_mutating_requests_inflight (600 by default), >= 1 */
    int server_concurrency;
    /* Longest wait in a queue, > 0 (INFINITY: none). 1.28 passes RequestTimeout / 4 (15 s). */
    double max_queue_wait_s;
    /* G, > 0; APF_ESTIMATED_SERVICE_S in the source. */
    double estimated_service_s;
    const apf_level_config *levels;
    int nlevels; /* 1..65535 */
} apf_config;

/* Gauges and counters of one level, named after the apiserver's metrics. */
typedef struct apf_level_stats {
    int current_executing_requests; /* apiserver_flowcontrol_current_executing_requests */
    int current_executing_seats;    /* apiserver_flowcontrol_current_executing_seats */
    int current_inqueue_requests;   /* apiserver_flowcontrol_current_inqueue_requests */
    int current_inqueue_seats;      /* apiserver_flowcontrol_current_inqueue_seats */
    int nominal_limit_seats;        /* apiserver_flowcontrol_nominal_limit_seats */
    int lower_limit_seats;          /* apiserver_flowcontrol_lower_limit_seats */
    int upper_limit_seats;          /* apiserver_flowcontrol_upper_limit_seats */
    int current_limit_seats;        /* apiserver_flowcontrol_current_limit_seats */
    /* Running totals since apf_new; apf_reset keeps them (a real restart zeroes them). */
    uint64_t dispatched_requests_total; /* apiserver_flowcontrol_dispatched_requests_total */
    uint64_t rejected_requests_total[APF_REASON_COUNT];
} apf_level_stats;

/* A queued request was dispatched (it now holds its seats; finish it with t). */
typedef void (*apf_dispatch_fn)(void *ctx, uint32_t id, apf_ticket t);
/* A queued request was rejected (apf_expire: APF_TIME_OUT). Its ticket is void. */
typedef void (*apf_reject_fn)(void *ctx, uint32_t id, enum apf_reason reason);

/* A new module at time now. Bad configuration: NULL, one line in e. */
apf *apf_new(const apf_config *cfg, double now, err *e);
void apf_free(apf *a);

/* A request of width seats (>= 1) from flow (the hash of FlowSchema name and distinguisher)
 * arrives at level. On APF_EXECUTE or APF_QUEUED *ticket is set; on APF_REJECTED *reason is
 * (either may be NULL when not wanted). Other queued requests it lets through go to cb. */
enum apf_admit apf_admit(apf *a, int level, uint64_t flow, int width, uint32_t id, double now,
                         apf_dispatch_fn cb, void *ctx, apf_ticket *ticket,
                         enum apf_reason *reason);
/* An executing request completed at now: frees its seats, corrects its queue's virtual start by
 * its real service time, and dispatches what now fits, in fair-queuing order, through cb. */
void apf_finish(apf *a, apf_ticket t, double now, apf_dispatch_fn cb, void *ctx);
/* The client of a queued request left: removes it (rejected, reason "cancelled") and returns
 * true. An executing request is not affected (returns false): finish it as usual. As in the
 * source, removing a request dispatches nothing. */
bool apf_cancel(apf *a, apf_ticket t, double now);
/* The earliest instant a queued request's wait limit expires; INFINITY if none. */
double apf_next_deadline(const apf *a);
/* Rejects (reason "time-out") every queued request whose deadline is <= now, oldest first,
 * through cb. Dispatches nothing. */
void apf_expire(apf *a, double now, apf_reject_fn cb, void *ctx);
/* Borrowing: recomputes every level's current limit from its seat demand since the previous
 * call, and dispatches what the new limits let through, via cb. */
void apf_rebalance(apf *a, double now, apf_dispatch_fn cb, void *ctx);
/* A new server concurrency at now (max_requests_inflight + max_mutating_requests_inflight
 * changed by an intervention), >= 1: recomputes every level's limits as apf_new does and
 * dispatches, via cb, what the new limits let through. Executing requests keep their seats. */
void apf_set_concurrency(apf *a, int server_concurrency, double now, apf_dispatch_fn cb, void *ctx);
/* An apiserver restart at now: drops every queued and executing request without callbacks
 * (every ticket is void), zeroes the gauges, the virtual clocks and the demand statistics, and
 * computes the limits afresh. Counters keep running. */
void apf_reset(apf *a, double now);

/* Whether t names a queued or executing request (false once void). */
bool apf_ticket_live(const apf *a, apf_ticket t);
int apf_nlevels(const apf *a);
/* The index of the level with this name, or -1. */
int apf_level_index(const apf *a, const char *name);
const apf_level_stats *apf_stats(const apf *a, int level);
/* The hand of flow at level (queues > 0): fills hand[0..hand_size) in deal order, returns
 * hand_size. */
int apf_hand(const apf *a, int level, uint64_t flow, int *hand);
/* Requests waiting in one queue of level. */
int apf_queue_length(const apf *a, int level, int queue);
/* "queue-full", "concurrency-limit", "time-out", "cancelled". */
const char *apf_reason_name(enum apf_reason r);

#endif
