/* stats: from one run's samples to the time series and the summary row (L3). The health
 * predicate and the stability class are classify's (classify.h). */
#ifndef AVALANCHE_STATS_H
#define AVALANCHE_STATS_H

#include "classify.h"
#include "model.h"
#include "params.h"

#include <stdio.h>

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
    double recovery_s;                /* NAN: none */
    double projected_s;               /* unresolved: projected recovery time; NAN: none */
    int within_window;                /* recovered within health.recovery_window */
    double work_end, work_rate_per_s; /* outstanding work at the end, and its trend */
    char judged[64]; /* client classes the predicate could judge, e.g. "heartbeat;scrape" */
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

/* Classifies (classify_verdict: stopped early or at its horizon, as o says) and summarises one
 * run. */
void stats_summarize(const params *p, uint64_t replication, const run_output *o, summary *s);

/* The outcome of each intervention: healthy again before the next intervention (or the end of
 * the run) and still healthy then; recovery_s from the intervention's time to the first sample of
 * that last healthy stretch (0 when it was healthy all along), NAN when not recovered. */
typedef struct intervention_outcome {
    int recovered;
    double recovery_s;
} intervention_outcome;
void stats_interventions(const params *p, const run_output *o, intervention_outcome *out);
/* interventions.csv: index,at,what,recovered,recovery_time. */
void stats_write_interventions(FILE *f, const params *p, const run_output *o);

/* The time series: header and one row per sample (columns documented in README). */
void stats_write_timeseries(FILE *f, const params *p, const run_output *o);
void stats_summary_header(FILE *f);
void stats_summary_row(FILE *f, const summary *s);
/* The summary.csv of `run`: the same columns, then (apiserver.admission = "apf" only) APF's
 * per-level totals: mean_apiserver_flowcontrol_current_{inqueue,executing}_requests_LEVEL and
 * apiserver_flowcontrol_rejected_requests_total_LEVEL ('-' in a level's name as '_'). The sweep
 * files keep the fixed columns. */
void stats_summary_header_run(FILE *f, const params *p, const run_output *o);
void stats_summary_row_run(FILE *f, const summary *s, const params *p, const run_output *o);

#endif
