/* model: the Kubernetes 1.12 apiserver, kubelets, metrics-server and clients wired on the engine
 * (L3). One call runs one replication and returns its samples; stats turns them into the
 * time series, the summary and the stability class. */
#ifndef AVALANCHE_MODEL_H
#define AVALANCHE_MODEL_H

#include "err.h"
#include "params.h"

#include <stddef.h>
#include <stdint.h>

/* Counters, per sample interval (differences of running totals). */
enum counter {
    C_REQ_MUT, /* requests reaching the mutating max-inflight filter */
    C_REJ_MUT, /* ... rejected with 429 */
    C_REQ_RO,  /* same for the read-only pool (loopback GETs not included) */
    C_REJ_RO,
    C_TR,          /* TokenReview creates received */
    C_TR_OK,       /* ... answered 201 */
    C_TR_TIMEOUT,  /* ... answered 504 (create timeout or filter timeout) */
    C_REQ_TIMEOUT, /* other requests answered 504 by the timeout filter */
    C_TC_HIT,      /* apiserver token cache lookups that hit */
    C_TC_MISS,     /* ... that missed (coalesced joins included) */
    C_VALIDATIONS, /* SA validations started (informer hits included) */
    C_KC_HIT,      /* kubelet webhook cache lookups for metrics-server's token that hit */
    C_KC_MISS,
    C_LB_RESERVE, /* loopback token-bucket reservations */
    C_LB_GETS,    /* loopback GETs started */
    C_SCRAPE_OK,
    C_SCRAPE_FAIL, /* scrape timeout, 401 or exhausted retries */
    C_HB_OK,       /* heartbeat cycles ending with a successful status PATCH */
    C_HB_FAIL,
    C_SA_OK, /* SA-token client calls (background, not the burst) succeeding */
    C_SA_FAIL,
    C_BG_OK, /* background client calls succeeding */
    C_BG_FAIL,
    C_BURST_OK, /* burst calls */
    C_BURST_FAIL,
    C_WLOOPS,      /* kubelet webhook retry loops started */
    C_TR_ATTEMPTS, /* webhook attempts (client-go calls) started */
    C_VAL_FAIL,    /* SA validations that failed (apiserver.sa_lookup.fail_after) */
    C_COUNTER_COUNT
};

/* One sample interval (t - sample_interval, t]. */
typedef struct sample {
    double t;
    double c[C_COUNTER_COUNT];
    double inflight_mut, inflight_ro; /* time-averages over the interval */
    double lb_queue;                  /* time-average loopback backlog (reservations waiting) */
    double cpu_util;                  /* time-average busy fraction; NAN without CPU model */
    double tr_latency_sum_s;          /* over TokenReviews answered in the interval */
    double lb_wait_sum_s;             /* over reservations made in the interval */
    double orphaned;                  /* validations nobody waits for, at t */
    double not_ready;                 /* NotReady nodes at t */
    double stale;                     /* nodes without a successful status PATCH for
                                         heartbeat.interval + heartbeat.timeout, at t */
    /* Outstanding work at t, what the classifier's trend test judges: client-go calls in
     * progress (sending, in flight, waiting out a Retry-After or a webhook backoff), SA
     * validations in progress (the loopback backlog and those doing a GET), and requests inside
     * the apiserver. */
    double out_calls, out_vals, out_reqs;
} sample;

/* One apiserver replica's part of a sample (run_output.rsamples, with more than one replica). */
typedef struct replica_sample {
    double inflight_mut, inflight_ro; /* time-averages over the interval */
    double requests, rejected;        /* requests reaching its admission, and its 429s */
} replica_sample;
/* APF's per-level series (apiserver.admission = "apf"), per sample and priority level. */
enum apf_series {
    APF_S_INQUEUE,   /* apiserver_flowcontrol_current_inqueue_requests: time-average */
    APF_S_EXECUTING, /* apiserver_flowcontrol_current_executing_requests: time-average */
    APF_S_REJECTED,  /* apiserver_flowcontrol_rejected_requests_total: 429s in the interval */
    APF_SERIES_COUNT
};

typedef struct run_output {
    sample *samples; /* owned; one per interval, in time order */
    size_t nsamples;
    int replicas;             /* apiserver replicas; rsamples only when more than one */
    replica_sample *rsamples; /* owned; nsamples x replicas, sample-major (NULL: one replica) */
    /* APF only (else 0 and NULL, owned): apf[(i * apf_levels + level) * APF_SERIES_COUNT + s] is
     * series s of level (model_apf_level_name) in sample i, summed over the replicas. */
    int apf_levels;
    double *apf;
    uint64_t events;   /* engine events executed */
    double end_s;      /* simulated time reached */
    int stopped_early; /* the hook asked to stop */
    size_t peak_pending;
} run_output;

/* Called after each sample; return nonzero to stop the run there (early classification). */
typedef int (*model_sample_hook)(void *ctx, const run_output *sofar);

/* Config keys an intervention may set while the model runs, and what happens to the work in
 * flight when they change. Keys marked at_restart are process configuration: they change only
 * in the set list of an "apiserver_restart" action, when the apiserver comes back. */
typedef struct model_settable {
    const char *key;
    bool at_restart;
    const char *in_flight;
} model_settable;

/* The table (n entries); the config layer checks intervention keys against it. */
const model_settable *model_settables(size_t *n);
/* The entry for key, or NULL when key can not change during a run. */
const model_settable *model_settable_find(const char *key);

/* Runs one replication of p up to max(sim.duration, sim.max_duration), sampling every
 * sim.sample_interval; the hook may stop it after any sample. Streams are seeded from
 * (p->sim.seed, replication, point). */
void model_run(const params *p, uint64_t replication, uint64_t point, model_sample_hook hook,
               void *hook_ctx, run_output *out);
void run_output_free(run_output *o);

/* The priority levels the model runs with apiserver.admission = "apf" (0 otherwise): those of
 * apiserver.apf.priority_levels, then an "exempt" level when none of them is exempt. */
int model_apf_levels(const params *p);
const char *model_apf_level_name(const params *p, int level);

#endif
