/* stats: from one run's samples to the time series, the health predicate, the stability class
 * and the summary row (L3).
 *
 * Health at sample k judges the trailing window of health.window seconds ending at t_k:
 *  - every client class present in the run (heartbeats when nodes > 0, scrapes when
 *    metrics-server is on and nodes > 0, SA-token clients when their rate > 0) with at least
 *    one outcome in the window must have a success ratio >= its minimum (a class with no
 *    outcome in the window is not judged there);
 *  - the mutating inflight time-average of every sample in the window must stay below
 *    max_mutating_fraction x the mutating cap.
 * Class: overloaded if the window ending at trigger.at is unhealthy; otherwise stable if, from
 * some sample no later than trigger end + recovery_window, every sample to the end of the run is
 * healthy (recovery_time = that sample's time - trigger end, 0 if never unhealthy); otherwise
 * metastable. */
#ifndef AVALANCHE_STATS_H
#define AVALANCHE_STATS_H

#include "model.h"
#include "params.h"

#include <stdio.h>

enum run_class {
    CLASS_STABLE,
    CLASS_METASTABLE,
    CLASS_OVERLOADED,
    CLASS_COUNT
};
const char *run_class_name(enum run_class c);

enum phase {
    PHASE_BASELINE,
    PHASE_TRIGGER,
    PHASE_RECOVERY,
    PHASE_COUNT
};

/* Per-phase means (NAN when the phase has no sample). */
typedef struct phase_means {
    double inflight_mut, inflight_ro, lb_queue, tr_per_s, tr_timeouts_per_s, rejected_per_s;
    double hb_ratio, scrape_ratio, not_ready;
} phase_means;

typedef struct summary {
    uint64_t seed, replication;
    enum run_class cls;
    double recovery_s; /* NAN: none */
    char judged[64];   /* client classes the predicate could judge, e.g. "heartbeat;scrape" */
    double total[C_COUNTER_COUNT]; /* over the measured period (after warm-up) */
    double measured_s;
    double tr_mean_latency_s, lb_mean_wait_s, lb_mean_queue;
    double inflight_mut_mean, inflight_ro_mean;        /* time-averages over the measured period */
    double hb_ratio, scrape_ratio, sa_ratio, bg_ratio; /* NAN when no outcome */
    double max_not_ready, max_orphaned;
    phase_means phase[PHASE_COUNT];
    uint64_t events;
    double end_s;
    int stopped_early;
} summary;

/* Health of each sample: 1 healthy, 0 unhealthy, -1 not yet judgeable (window not full). */
void stats_health(const params *p, const run_output *o, signed char *healthy);
/* Classifies and summarises one run. */
void stats_summarize(const params *p, uint64_t replication, const run_output *o, summary *s);

/* The time series: header and one row per sample (columns documented in README). */
void stats_write_timeseries(FILE *f, const params *p, const run_output *o);
void stats_summary_header(FILE *f);
void stats_summary_row(FILE *f, const summary *s);

#endif
