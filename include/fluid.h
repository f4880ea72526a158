/* fluid: a mean-field (fluid) model of the system model/k8s/ simulates, as ODEs solved with GSL's
 * gsl_odeiv2 (stiff BDF): equilibria and their stability, and the trajectory through the trigger,
 * classified with the DES's vocabulary (L3). The equations and every approximation are derived
 * in model/fluid/fluid.md. Times in seconds, rates per second, counts of requests, GET
 * reservations, slots, loops and nodes as expected values (not integers). No globals: calls are
 * independent and may run on several threads. */
#ifndef AVALANCHE_FLUID_H
#define AVALANCHE_FLUID_H

#include "err.h"
#include "params.h"

#include <stddef.h>

enum fluid_class {
    FLUID_STABLE,     /* healthy at the horizon after the trigger; recovery_s says when */
    FLUID_METASTABLE, /* unhealthy at the horizon and the outstanding work is not draining */
    FLUID_OVERLOADED, /* unhealthy at the trigger time already: no healthy operating point */
    FLUID_UNRESOLVED, /* unhealthy at the horizon but draining (projected_recovery_s) */
    FLUID_CLASS_COUNT
};
/* "stable", "metastable", "overloaded", "unresolved". */
const char *fluid_class_name(enum fluid_class c);

/* A state of the fluid model, summarised (the quantities the DES samples). */
typedef struct fluid_point {
    double backlog;        /* loopback GET reservations waiting, B = max(x, 0) */
    double tokens;         /* loopback tokens available, max(-x, 0) */
    double wait_s;         /* W: sojourn of an SA validation started now (all its GETs) */
    double validations;    /* SA validations started through the loopback, per second */
    double gets;           /* loopback GET reservations per second */
    double mutating;       /* mutating inflight occupancy, slots */
    double readonly;       /* read-only inflight occupancy, slots */
    double mut_reject;     /* fraction of mutating requests answered 429 */
    double sa_hit;         /* apiserver token-cache hit ratio of SA-token requests (NAN: none) */
    double tr_hit;         /* ... of TokenReviews of metrics-server's token (NAN: none) */
    double kubelet_hit;    /* kubelet webhook-cache hit ratio of scrapes (NAN: no scrapes) */
    double loops;          /* kubelet webhook retry loops in progress */
    double not_ready;      /* NotReady nodes */
    double hb_success;     /* heartbeat cycles succeeding (NAN: no nodes) */
    double scrape_success; /* scrapes succeeding (NAN: no scrapes) */
    double sa_success;     /* SA-token client calls succeeding (NAN: no SA traffic) */
    int healthy;           /* the health predicate on these instantaneous ratios */
} fluid_point;

#define FLUID_MAX_FIXED 8

/* An equilibrium (f(y) = 0) of the autonomous system without trigger, or the open end of the
 * scan when the loopback backlog grows without bound. */
typedef struct fluid_fixed {
    fluid_point at;
    int unbounded;       /* not an equilibrium: dB/dt > 0 up to the end of the scan */
    double growth_per_s; /* unbounded: dB/dt there, GET reservations per second */
    int stable;          /* every eigenvalue of the Jacobian has a negative real part */
    int unstable_dims;   /* eigenvalues with a positive real part (1 for a saddle), beyond
                          * 1e-9 of the spectral radius */
    double max_re;       /* the largest real part, 1/s (the slowest mode when stable) */
} fluid_fixed;

typedef struct fluid_result {
    enum fluid_class cls;          /* judged as the DES judges (classify.h): at
                                    * sim.duration, or when still unhealthy and draining there,
                                    * on up to sim.max_duration */
    double trigger_end_s;          /* trigger.at + trigger.duration */
    double recovery_s;             /* stable: trigger end -> first sample after which health
                                    * holds (0 if never unhealthy); NAN otherwise */
    int recovered_within_window;   /* stable with recovery_s <= health.recovery_window (the
                                    * DES's current criterion) */
    double projected_recovery_s;   /* unresolved: recovery time found by integrating on past
                                    * sim.max_duration up to FLUID_MAX_HORIZON_S; NAN if none */
    enum fluid_class extended_cls; /* the class judged at the extended horizon (unresolved) */
    double peak_backlog;           /* max B after the trigger, GET reservations */
    double peak_mutating;          /* max mutating occupancy after the trigger, slots */
    fluid_point baseline;          /* the state at trigger.at */
    fluid_point end;               /* the state at the horizon */
    int nfixed;
    fluid_fixed fixed[FLUID_MAX_FIXED]; /* in order of backlog; the unbounded end last */
    int fixed_failures;                 /* steps of the equilibrium search that failed (0: the
                                         * list is complete along the slow manifold) */
    size_t dim;                         /* ODE dimension (health counters integrated beside) */
    size_t steps, failed_steps;         /* accepted and rejected ODE steps, all phases */
    size_t rhs_evals, jac_evals;        /* right-hand side and Jacobian evaluations */
} fluid_result;

/* Integrations stop at this simulated time at the latest (unresolved runs are continued to it
 * for projected_recovery_s). */
#define FLUID_MAX_HORIZON_S 14400.0

/* Classifies p: integrates from the warm steady state (as the DES starts: caches filled,
 * limiter full, pools empty) to trigger.at, applies the trigger (cache_flush, burst,
 * apiserver_restart), integrates to sim.duration and judges health on a grid of
 * sim.sample_interval with the trailing window health.window, as stats.c does. Also finds the
 * equilibria of the system without trigger and their stability. Returns 0, or -1 with e set
 * for parameters the fluid model does not cover (cpu.cores > 0, gets_per_validation > 8) or a
 * failed integration. */
int fluid_classify(const params *p, fluid_result *r, err *e);

/* Only the equilibria (the fixed-point part of fluid_classify): r->fixed, r->nfixed,
 * r->fixed_failures and the evaluation counts. Returns 0 or -1 with e set. */
int fluid_fixed_points(const params *p, fluid_result *r, err *e);

/* The trajectory of fluid_classify sampled every dt_out seconds from 0 to sim.duration. */
typedef struct fluid_trace {
    size_t n;
    double *t;
    double *backlog, *wait_s, *gets, *mutating, *readonly, *mut_reject;
    double *sa_hit, *tr_hit, *kubelet_hit, *loops, *not_ready;
    double *hb_success, *scrape_success, *sa_success; /* instantaneous ratios */
    signed char *healthy; /* windowed predicate at t (as stats_health): 1, 0, -1 not judged */
} fluid_trace;

/* Fills t (caller frees with fluid_trace_free). dt_out > 0. The windowed health uses dt_out as
 * the sample interval. Returns 0 or -1 with e set (t is then empty). */
int fluid_trajectory(const params *p, double dt_out, fluid_trace *t, err *e);
void fluid_trace_free(fluid_trace *t); /* NULL is a no-op */

/* Building blocks, exposed for their tests. One token with Poisson requests at rate lambda_per_s,
 * a success TTL ttl_s fixed at insertion and refreshed by every completed validation, each
 * validation taking wait_s, no coalescing: validations (= misses) per second, from the renewal
 * cycle idle -> miss window -> cached (model/fluid/fluid.md, section 3). wait_s = 0 gives
 * lambda / (1 + lambda ttl). */
double fluid_token_validation_rate(double lambda_per_s, double ttl_s, double wait_s);

#endif
