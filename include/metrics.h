/* metrics: the results contract in one place (L3). Each table below is an X-macro with one row
 * per column of a result file: an id, the column's name, and what the writer computes for it. The
 * ids (an enum), the names (arrays), the CSV headers and rows (model/results/stats.c), the
 * OpenMetrics families (model/results/openmetrics.c), the dashboard's and the sweep's lookups
 * (plots/, model/sweep/) are all generated from these rows, so a column renamed or added here is
 * renamed or added everywhere, and a reader that names a column by id cannot drift from the
 * writer. tests/test_metrics.c checks the files against the tables.
 *
 * The value expressions are written in the terms of the writer's loop in stats.c: `x` the
 * sample, `c` its counters, `dt` its interval, `p` the params, `h` the health of each sample, `k`
 * the sample's index (time series); `s` the summary and `t` its totals (summary); `m` a phase's
 * means (phases). Other includers pass a macro that ignores them. */
#ifndef AVALANCHE_METRICS_H
#define AVALANCHE_METRICS_H

/* timeseries.csv, one column per row: X(id, name, value, OpenMetrics family, label, unit, help).
 * The family has no avalanche_ prefix; the unit (NULL, "seconds" or "ratio") ends its name; rows of
 * one family are adjacent and only the first carries the help. Names follow the apiserver's own
 * metrics where one exists (paper/k8s-facts.md). */
#define METRICS_TIMESERIES(X)                                                                      \
    X(TS_T, "t", x->t, NULL, NULL, NULL, NULL)                                                     \
    X(TS_INFLIGHT_MUT, "apiserver_current_inflight_requests_mutating", x->inflight_mut,            \
      "apiserver_current_inflight_requests", "request_kind=\"mutating\"", NULL,                    \
      "Requests in the max-inflight pools, time-average over the sample interval "                 \
      "(the apiserver's apiserver_current_inflight_requests)")                                     \
    X(TS_INFLIGHT_RO, "apiserver_current_inflight_requests_readonly", x->inflight_ro,              \
      "apiserver_current_inflight_requests", "request_kind=\"readOnly\"", NULL, NULL)              \
    X(TS_DROPPED_MUT, "apiserver_dropped_requests_mutating_per_s", per_s(c[C_REJ_MUT], dt),        \
      "apiserver_dropped_requests_per_second", "request_kind=\"mutating\"", NULL,                  \
      "Requests the max-inflight filter rejected with 429, per second (the rate of the "           \
      "apiserver's apiserver_dropped_requests)")                                                   \
    X(TS_DROPPED_RO, "apiserver_dropped_requests_readonly_per_s", per_s(c[C_REJ_RO], dt),          \
      "apiserver_dropped_requests_per_second", "request_kind=\"readOnly\"", NULL, NULL)            \
    X(TS_TR, "tokenreviews_per_s", per_s(c[C_TR], dt), "tokenreviews_per_second", NULL, NULL,      \
      "TokenReview creates received per second")                                                   \
    X(TS_TR_TIMEOUTS, "tokenreview_timeouts_per_s", per_s(c[C_TR_TIMEOUT], dt),                    \
      "tokenreview_timeouts_per_second", NULL, NULL,                                               \
      "TokenReviews answered 504 (create or filter timeout) per second")                           \
    X(TS_REQ_TIMEOUTS, "request_timeouts_per_s", per_s(c[C_REQ_TIMEOUT], dt),                      \
      "request_timeouts_per_second", NULL, NULL,                                                   \
      "Other requests answered 504 by the timeout filter, per second")                             \
    X(TS_TR_LATENCY, "tokenreview_latency_s",                                                      \
      c[C_TR_OK] + c[C_TR_TIMEOUT] > 0 ? x->tr_latency_sum_s / (c[C_TR_OK] + c[C_TR_TIMEOUT])      \
                                       : NAN,                                                      \
      "tokenreview_latency_seconds", NULL, "seconds",                                              \
      "Mean latency of the TokenReviews answered in the interval")                                 \
    X(TS_TOKEN_HIT, "token_cache_hit_ratio", ratio(c[C_TC_HIT], c[C_TC_MISS]),                     \
      "token_cache_hit_ratio", NULL, "ratio", "Hit ratio of the apiserver's token cache")          \
    X(TS_KUBELET_HIT, "kubelet_cache_hit_ratio", ratio(c[C_KC_HIT], c[C_KC_MISS]),                 \
      "kubelet_cache_hit_ratio", NULL, "ratio",                                                    \
      "Hit ratio of the kubelets' webhook caches for metrics-server's token")                      \
    X(TS_LB_QUEUE, "loopback_queue_length", x->lb_queue, "loopback_queue_length", NULL, NULL,      \
      "Loopback token-bucket reservations waiting, time-average")                                  \
    X(TS_LB_WAIT, "loopback_wait_s",                                                               \
      c[C_LB_RESERVE] > 0 ? x->lb_wait_sum_s / c[C_LB_RESERVE] : NAN, "loopback_wait_seconds",     \
      NULL, "seconds", "Mean wait of the loopback reservations made in the interval")              \
    X(TS_LB_GETS, "loopback_gets_per_s", per_s(c[C_LB_GETS], dt), "loopback_gets_per_second",      \
      NULL, NULL, "Loopback GETs started per second")                                              \
    X(TS_ORPHANED, "orphaned_validations", x->orphaned, "orphaned_validations", NULL, NULL,        \
      "ServiceAccount validations nobody waits for any more")                                      \
    X(TS_SCRAPE, "scrape_success_ratio", ratio(c[C_SCRAPE_OK], c[C_SCRAPE_FAIL]),                  \
      "scrape_success_ratio", NULL, "ratio", "Share of metrics-server scrapes that succeeded")     \
    X(TS_HEARTBEAT, "heartbeat_success_ratio",                                                     \
      p->cluster.nodes > 0 ? 1.0 - x->stale / p->cluster.nodes : NAN, "heartbeat_success_ratio",   \
      NULL, "ratio", "Share of nodes whose status is fresh")                                       \
    X(TS_NOT_READY, "not_ready_nodes", x->not_ready, "not_ready_nodes", NULL, NULL,                \
      "Nodes the node controller marks NotReady")                                                  \
    X(TS_GOOD_TR, "goodput_tokenreview_per_s", per_s(c[C_TR_OK], dt), "goodput_per_second",        \
      "client=\"tokenreview\"", NULL, "Successful calls per second, by client")                    \
    X(TS_GOOD_HB, "goodput_heartbeat_per_s", per_s(c[C_HB_OK], dt), "goodput_per_second",          \
      "client=\"heartbeat\"", NULL, NULL)                                                          \
    X(TS_GOOD_SA, "goodput_sa_per_s", per_s(c[C_SA_OK], dt), "goodput_per_second",                 \
      "client=\"sa\"", NULL, NULL)                                                                 \
    X(TS_GOOD_BG, "goodput_background_per_s", per_s(c[C_BG_OK], dt), "goodput_per_second",         \
      "client=\"background\"", NULL, NULL)                                                         \
    X(TS_CPU, "cpu_utilization", x->cpu_util, "cpu_utilization_ratio", NULL, "ratio",              \
      "Busy fraction of the apiserver's cores (absent without a CPU model)")                       \
    X(TS_SA, "sa_success_ratio", ratio(c[C_SA_OK], c[C_SA_FAIL]), "sa_success_ratio", NULL,        \
      "ratio", "Share of the SA-token clients' calls that succeeded")                              \
    X(TS_WORK, "outstanding_work", x->out_calls + x->out_vals + x->out_reqs, "outstanding_work",   \
      NULL, NULL,                                                                                  \
      "Outstanding work, the series the stability trend test judges: calls + validations + "       \
      "requests")                                                                                  \
    X(TS_WORK_CALLS, "outstanding_calls", x->out_calls, "outstanding_calls", NULL, NULL,           \
      "Client-go calls in progress, waits to retry included")                                      \
    X(TS_WORK_VALS, "outstanding_validations", x->out_vals, "outstanding_validations", NULL, NULL, \
      "ServiceAccount validations in progress (the loopback backlog included)")                    \
    X(TS_WORK_REQS, "outstanding_requests", x->out_reqs, "outstanding_requests", NULL, NULL,       \
      "Requests inside the apiserver")                                                             \
    X(TS_HEALTHY, "healthy", h[k] < 0 ? NAN : (double)h[k], "healthy", NULL, NULL,                 \
      "1 when the health predicate holds over the trailing health.window, 0 when not")

/* summary.csv before the phases: X(id, name, kind, value). The kind says how the value is
 * written: U64 an unsigned integer, INT an int, NAME a bare word, NUM a number (csv_num). */
#define METRICS_SUMMARY_HEAD(X)                                                                    \
    X(SUM_SEED, "seed", U64, s->seed)                                                              \
    X(SUM_REPLICATION, "replication", U64, s->replication)                                         \
    X(SUM_CLASS, "class", NAME, run_class_name(s->cls))                                            \
    X(SUM_RECOVERY, "recovery_time", NUM, s->recovery_s)                                           \
    X(SUM_WITHIN, "recovered_within_window", INT, s->within_window)                                \
    X(SUM_PROJECTED, "projected_recovery_time", NUM, s->projected_s)                               \
    X(SUM_JUDGED, "judged", NAME, s->judged)                                                       \
    X(SUM_REQ_MUT, "requests_mutating", NUM, t[C_REQ_MUT])                                         \
    X(SUM_REJ_MUT, "rejected_mutating", NUM, t[C_REJ_MUT])                                         \
    X(SUM_REQ_RO, "requests_readonly", NUM, t[C_REQ_RO])                                           \
    X(SUM_REJ_RO, "rejected_readonly", NUM, t[C_REJ_RO])                                           \
    X(SUM_TR, "tokenreviews", NUM, t[C_TR])                                                        \
    X(SUM_TR_OK, "tokenreviews_ok", NUM, t[C_TR_OK])                                               \
    X(SUM_TR_TIMEOUTS, "tokenreview_timeouts", NUM, t[C_TR_TIMEOUT])                               \
    X(SUM_REQ_TIMEOUTS, "request_timeouts", NUM, t[C_REQ_TIMEOUT])                                 \
    X(SUM_TR_LATENCY, "tokenreview_mean_latency_s", NUM, s->tr_mean_latency_s)                     \
    X(SUM_VALIDATIONS, "validations", NUM, t[C_VALIDATIONS])                                       \
    X(SUM_VAL_FAIL, "validations_failed", NUM, t[C_VAL_FAIL])                                      \
    X(SUM_LB_RESERVE, "loopback_reservations", NUM, t[C_LB_RESERVE])                               \
    X(SUM_LB_GETS, "loopback_gets", NUM, t[C_LB_GETS])                                             \
    X(SUM_LB_WAIT, "loopback_mean_wait_s", NUM, s->lb_mean_wait_s)                                 \
    X(SUM_LB_QUEUE, "loopback_mean_queue", NUM, s->lb_mean_queue)                                  \
    X(SUM_INFLIGHT_MUT, "mean_inflight_mutating", NUM, s->inflight_mut_mean)                       \
    X(SUM_INFLIGHT_RO, "mean_inflight_readonly", NUM, s->inflight_ro_mean)                         \
    X(SUM_TC_HIT, "token_cache_hits", NUM, t[C_TC_HIT])                                            \
    X(SUM_TC_MISS, "token_cache_misses", NUM, t[C_TC_MISS])                                        \
    X(SUM_KC_HIT, "kubelet_cache_hits", NUM, t[C_KC_HIT])                                          \
    X(SUM_KC_MISS, "kubelet_cache_misses", NUM, t[C_KC_MISS])                                      \
    X(SUM_WLOOPS, "webhook_loops", NUM, t[C_WLOOPS])                                               \
    X(SUM_ATTEMPTS, "webhook_attempts", NUM, t[C_TR_ATTEMPTS])                                     \
    X(SUM_HEARTBEAT, "heartbeat_success_ratio", NUM, s->hb_ratio)                                  \
    X(SUM_SCRAPE, "scrape_success_ratio", NUM, s->scrape_ratio)                                    \
    X(SUM_SA, "sa_success_ratio", NUM, s->sa_ratio)                                                \
    X(SUM_BG, "background_success_ratio", NUM, s->bg_ratio)                                        \
    X(SUM_MAX_NOT_READY, "max_not_ready_nodes", NUM, s->max_not_ready)                             \
    X(SUM_MAX_ORPHANED, "max_orphaned_validations", NUM, s->max_orphaned)                          \
    X(SUM_WORK_END, "outstanding_work_end", NUM, s->work_end)                                      \
    X(SUM_WORK_TREND, "outstanding_work_trend_per_s", NUM, s->work_rate_per_s)                     \
    X(SUM_MEASURED, "measured_seconds", NUM, s->measured_s)

/* summary.csv's per-phase means, each written once per phase as NAME_PHASE (e.g.
 * mean_inflight_mutating_recovery): X(id, name, value). */
#define METRICS_PHASE(X)                                                                           \
    X(PH_INFLIGHT_MUT, "mean_inflight_mutating", m->inflight_mut)                                  \
    X(PH_INFLIGHT_RO, "mean_inflight_readonly", m->inflight_ro)                                    \
    X(PH_LB_QUEUE, "mean_loopback_queue", m->lb_queue)                                             \
    X(PH_TR, "tokenreviews_per_s", m->tr_per_s)                                                    \
    X(PH_TR_TIMEOUTS, "tokenreview_timeouts_per_s", m->tr_timeouts_per_s)                          \
    X(PH_REJECTED, "rejected_per_s", m->rejected_per_s)                                            \
    X(PH_HEARTBEAT, "heartbeat_success_ratio", m->hb_ratio)                                        \
    X(PH_SCRAPE, "scrape_success_ratio", m->scrape_ratio)                                          \
    X(PH_NOT_READY, "mean_not_ready_nodes", m->not_ready)

/* summary.csv after the phases: X(id, name, kind, value). */
#define METRICS_SUMMARY_TAIL(X)                                                                    \
    X(SUM_EVENTS, "events", U64, s->events)                                                        \
    X(SUM_END, "end_time", NUM, s->end_s)                                                          \
    X(SUM_STOPPED_EARLY, "stopped_early", INT, s->stopped_early)

#define METRICS_ID(id, ...) id,
enum metric_ts {
    METRICS_TIMESERIES(METRICS_ID) TS_COUNT
};
/* summary.csv's named columns, the head's then the tail's (the phases go between). */
enum metric_summary {
    METRICS_SUMMARY_HEAD(METRICS_ID) METRICS_SUMMARY_TAIL(METRICS_ID) SUM_COUNT
};
enum metric_phase {
    METRICS_PHASE(METRICS_ID) PH_COUNT
};
#define SUM_TAIL_FIRST SUM_EVENTS

/* An OpenMetrics family of a time-series column. */
typedef struct metric_om {
    const char *family; /* without the avalanche_ prefix; NULL: not exported (t) */
    const char *label;  /* NULL, or label="value" */
    const char *unit;   /* NULL, "seconds" or "ratio" */
    const char *help;   /* NULL: the family's first column has it */
} metric_om;

extern const char *const metric_ts_name[TS_COUNT];
extern const metric_om metric_ts_om[TS_COUNT];
extern const char *const metric_summary_name[SUM_COUNT];
extern const char *const metric_phase_name[PH_COUNT];
/* The phases of a run as summary.csv suffixes them, in enum phase order (stats.h). */
extern const char *const metric_phase_suffix[3];

/* "NAME_PHASE" of phase column id in phase ph, into buf (n bytes); returns buf. */
char *metric_phase_column(enum metric_phase id, int ph, char *buf, unsigned n);

#endif
