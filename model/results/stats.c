/* model/results/ (layers L3-L4): from a run's samples to files and back: the health predicate and
 * stability class (classify), the time series and summary row (stats, this file), exact numbers
 * and atomic files (csv), the result-file reader the charts use (table), OpenMetrics (openmetrics).
 * They include model.h, params.h and engine/ headers; nothing from sweep/ or cli/. */
/* stats: time series, health predicate, classification and summary of one run (L3). */
#include "stats.h"

#include "csv.h"
#include "xmem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double ratio(double ok, double fail)
{
    return ok + fail > 0.0 ? ok / (ok + fail) : NAN;
}

static double per_s(double n, double span)
{
    return span > 0.0 ? n / span : NAN;
}

static void phase_bounds(const params *p, double end, double lo[PHASE_COUNT],
                         double hi[PHASE_COUNT])
{
    double te = classify_trigger_end(p);
    lo[PHASE_BASELINE] = p->sim.warmup_s;
    hi[PHASE_BASELINE] = p->trigger.at_s;
    lo[PHASE_TRIGGER] = p->trigger.at_s;
    hi[PHASE_TRIGGER] = te;
    lo[PHASE_RECOVERY] = te;
    hi[PHASE_RECOVERY] = end;
}

static void phase_stats(const params *p, const run_output *o, summary *s)
{
    double lo[PHASE_COUNT], hi[PHASE_COUNT];
    phase_bounds(p, o->end_s, lo, hi);
    for (int ph = 0; ph < PHASE_COUNT; ph++) {
        double n = 0, mut = 0, ro = 0, lbq = 0, tr = 0, trt = 0, rej = 0, nr = 0;
        double hbo = 0, hbf = 0, sco = 0, scf = 0, span = 0;
        for (size_t k = 0; k < o->nsamples; k++) {
            const sample *x = &o->samples[k];
            if (!(x->t > lo[ph] && x->t <= hi[ph]))
                continue;
            double dt = x->t - (k > 0 ? o->samples[k - 1].t : 0.0);
            n++;
            span += dt;
            mut += x->inflight_mut;
            ro += x->inflight_ro;
            lbq += x->lb_queue;
            nr += x->not_ready;
            tr += x->c[C_TR];
            trt += x->c[C_TR_TIMEOUT];
            rej += x->c[C_REJ_MUT] + x->c[C_REJ_RO];
            hbf += x->stale; /* node-samples with a stale status, of hbo */
            hbo += p->cluster.nodes;
            sco += x->c[C_SCRAPE_OK];
            scf += x->c[C_SCRAPE_FAIL];
        }
        phase_means *pm = &s->phase[ph];
        pm->inflight_mut = n > 0 ? mut / n : NAN;
        pm->inflight_ro = n > 0 ? ro / n : NAN;
        pm->lb_queue = n > 0 ? lbq / n : NAN;
        pm->not_ready = n > 0 ? nr / n : NAN;
        pm->tr_per_s = per_s(tr, span);
        pm->tr_timeouts_per_s = per_s(trt, span);
        pm->rejected_per_s = per_s(rej, span);
        pm->hb_ratio = hbo > 0 ? 1.0 - hbf / hbo : NAN;
        pm->scrape_ratio = ratio(sco, scf);
    }
}

void stats_summarize(const params *p, uint64_t replication, const run_output *o, summary *s)
{
    memset(s, 0, sizeof *s);
    s->seed = p->sim.seed;
    s->replication = replication;
    s->events = o->events;
    s->end_s = o->end_s;
    s->stopped_early = o->stopped_early;
    int hb = p->cluster.nodes > 0, scrape = hb && p->metrics_server.enabled;
    int sa = p->sa_clients.rate + p->sa_clients.rate_per_node * p->cluster.nodes > 0.0;
    snprintf(s->judged, sizeof s->judged, "%s%s%s%s", hb ? "heartbeat;" : "",
             scrape ? "scrape;" : "", sa ? "sa;" : "", "inflight");

    classify *c = classify_new(p);
    for (size_t k = 0; k < o->nsamples; k++)
        classify_push(c, &o->samples[k]);
    verdict v;
    classify_verdict(c, o->stopped_early, &v);
    classify_free(c);
    s->cls = v.cls;
    s->recovery_s = v.recovery_s;
    s->projected_s = v.projected_s;
    s->within_window = v.within_window;
    s->work_end = v.work_end;
    s->work_rate_per_s = v.work_rate_per_s;

    double lat = 0, wait = 0, lbq = 0, mut = 0, ro = 0, prev_t = p->sim.warmup_s;
    double hb_stale = 0, hb_nodes = 0;
    s->max_not_ready = s->max_orphaned = 0;
    for (size_t k = 0; k < o->nsamples; k++) {
        const sample *x = &o->samples[k];
        if (x->t <= p->sim.warmup_s * (1 + 1e-12))
            continue;
        for (int c = 0; c < C_COUNTER_COUNT; c++)
            s->total[c] += x->c[c];
        lat += x->tr_latency_sum_s;
        wait += x->lb_wait_sum_s;
        lbq += x->lb_queue * (x->t - prev_t);
        mut += x->inflight_mut * (x->t - prev_t);
        ro += x->inflight_ro * (x->t - prev_t);
        prev_t = x->t;
        if (x->not_ready > s->max_not_ready)
            s->max_not_ready = x->not_ready;
        if (x->orphaned > s->max_orphaned)
            s->max_orphaned = x->orphaned;
        hb_stale += x->stale;
        hb_nodes += p->cluster.nodes;
    }
    s->measured_s = prev_t - p->sim.warmup_s;
    const double *t = s->total;
    double answered = t[C_TR_OK] + t[C_TR_TIMEOUT];
    s->tr_mean_latency_s = answered > 0 ? lat / answered : NAN;
    s->lb_mean_wait_s = t[C_LB_RESERVE] > 0 ? wait / t[C_LB_RESERVE] : NAN;
    s->lb_mean_queue = s->measured_s > 0 ? lbq / s->measured_s : NAN;
    s->inflight_mut_mean = s->measured_s > 0 ? mut / s->measured_s : NAN;
    s->inflight_ro_mean = s->measured_s > 0 ? ro / s->measured_s : NAN;
    s->hb_ratio = hb_nodes > 0 ? 1.0 - hb_stale / hb_nodes : NAN;
    s->scrape_ratio = ratio(t[C_SCRAPE_OK], t[C_SCRAPE_FAIL]);
    s->sa_ratio = ratio(t[C_SA_OK], t[C_SA_FAIL]);
    s->bg_ratio = ratio(t[C_BG_OK], t[C_BG_FAIL]);
    phase_stats(p, o, s);
}

void stats_interventions(const params *p, const run_output *o, intervention_outcome *out)
{
    size_t n = o->nsamples;
    signed char *h = xmalloc(n ? n : 1);
    classify_health(p, o, h);
    for (int i = 0; i < p->ninterventions; i++) {
        double at = p->interventions[i].at_s;
        double next = i + 1 < p->ninterventions ? p->interventions[i + 1].at_s : INFINITY;
        out[i].recovered = 0;
        out[i].recovery_s = NAN;
        /* the last sample at or before the next intervention */
        long last = -1;
        for (size_t k = 0; k < n && o->samples[k].t <= next; k++)
            last = (long)k;
        if (last < 0 || o->samples[last].t <= at || h[last] != 1)
            continue;
        long first = last;
        while (first > 0 && h[first - 1] == 1 && o->samples[first - 1].t > at)
            first--;
        int before = first > 0 && h[first - 1] == 1; /* healthy at the intervention already */
        out[i].recovered = 1;
        out[i].recovery_s = before ? 0.0 : o->samples[first].t - at;
    }
    free(h);
}

void stats_write_interventions(FILE *f, const params *p, const run_output *o)
{
    intervention_outcome *r =
        xmalloc((size_t)(p->ninterventions ? p->ninterventions : 1) * sizeof *r);
    stats_interventions(p, o, r);
    fputs("index,at,what,recovered,recovery_time\n", f);
    for (int i = 0; i < p->ninterventions; i++) {
        char what[INTERVENTION_SETS_MAX * INTERVENTION_TEXT_MAX + 64];
        intervention_describe(&p->interventions[i], what, sizeof what);
        fprintf(f, "%d,", i);
        csv_num(f, p->interventions[i].at_s);
        fputc(',', f);
        csv_str(f, what);
        fprintf(f, ",%d,", r[i].recovered);
        csv_num(f, r[i].recovery_s);
        fputc('\n', f);
    }
    free(r);
}

/* ---- CSV ---- */

static const char *const ts_cols[] = {"t",
                                      "apiserver_current_inflight_requests_mutating",
                                      "apiserver_current_inflight_requests_readonly",
                                      "apiserver_dropped_requests_mutating_per_s",
                                      "apiserver_dropped_requests_readonly_per_s",
                                      "tokenreviews_per_s",
                                      "tokenreview_timeouts_per_s",
                                      "request_timeouts_per_s",
                                      "tokenreview_latency_s",
                                      "token_cache_hit_ratio",
                                      "kubelet_cache_hit_ratio",
                                      "loopback_queue_length",
                                      "loopback_wait_s",
                                      "loopback_gets_per_s",
                                      "orphaned_validations",
                                      "scrape_success_ratio",
                                      "heartbeat_success_ratio",
                                      "not_ready_nodes",
                                      "goodput_tokenreview_per_s",
                                      "goodput_heartbeat_per_s",
                                      "goodput_sa_per_s",
                                      "goodput_background_per_s",
                                      "cpu_utilization",
                                      "sa_success_ratio",
                                      "outstanding_work",
                                      "outstanding_calls",
                                      "outstanding_validations",
                                      "outstanding_requests",
                                      "healthy"};

void stats_write_timeseries(FILE *f, const params *p, const run_output *o)
{
    size_t ncols = sizeof ts_cols / sizeof ts_cols[0];
    for (size_t i = 0; i < ncols; i++)
        fprintf(f, "%s%s", i ? "," : "", ts_cols[i]);
    fputc('\n', f);
    signed char *h = xmalloc(o->nsamples ? o->nsamples : 1);
    classify_health(p, o, h);
    double prev = 0.0;
    for (size_t k = 0; k < o->nsamples; k++) {
        const sample *x = &o->samples[k];
        const double *c = x->c;
        double dt = x->t - prev;
        prev = x->t;
        double answered = c[C_TR_OK] + c[C_TR_TIMEOUT];
        double v[] = {x->t,
                      x->inflight_mut,
                      x->inflight_ro,
                      per_s(c[C_REJ_MUT], dt),
                      per_s(c[C_REJ_RO], dt),
                      per_s(c[C_TR], dt),
                      per_s(c[C_TR_TIMEOUT], dt),
                      per_s(c[C_REQ_TIMEOUT], dt),
                      answered > 0 ? x->tr_latency_sum_s / answered : NAN,
                      ratio(c[C_TC_HIT], c[C_TC_MISS]),
                      ratio(c[C_KC_HIT], c[C_KC_MISS]),
                      x->lb_queue,
                      c[C_LB_RESERVE] > 0 ? x->lb_wait_sum_s / c[C_LB_RESERVE] : NAN,
                      per_s(c[C_LB_GETS], dt),
                      x->orphaned,
                      ratio(c[C_SCRAPE_OK], c[C_SCRAPE_FAIL]),
                      p->cluster.nodes > 0 ? 1.0 - x->stale / p->cluster.nodes : NAN,
                      x->not_ready,
                      per_s(c[C_TR_OK], dt),
                      per_s(c[C_HB_OK], dt),
                      per_s(c[C_SA_OK], dt),
                      per_s(c[C_BG_OK], dt),
                      x->cpu_util,
                      ratio(c[C_SA_OK], c[C_SA_FAIL]),
                      x->out_calls + x->out_vals + x->out_reqs,
                      x->out_calls,
                      x->out_vals,
                      x->out_reqs,
                      h[k] < 0 ? NAN : (double)h[k]};
        for (size_t i = 0; i < ncols; i++) {
            if (i)
                fputc(',', f);
            csv_num(f, v[i]);
        }
        fputc('\n', f);
    }
    free(h);
}

static const char *const phase_names[PHASE_COUNT] = {"baseline", "trigger", "recovery"};
static const char *const phase_cols[] = {
    "mean_inflight_mutating",  "mean_inflight_readonly",     "mean_loopback_queue",
    "tokenreviews_per_s",      "tokenreview_timeouts_per_s", "rejected_per_s",
    "heartbeat_success_ratio", "scrape_success_ratio",       "mean_not_ready_nodes"};
#define NPHASE_COLS (sizeof phase_cols / sizeof phase_cols[0])

static const char *const head_cols[] = {"seed",
                                        "replication",
                                        "class",
                                        "recovery_time",
                                        "recovered_within_window",
                                        "projected_recovery_time",
                                        "judged",
                                        "requests_mutating",
                                        "rejected_mutating",
                                        "requests_readonly",
                                        "rejected_readonly",
                                        "tokenreviews",
                                        "tokenreviews_ok",
                                        "tokenreview_timeouts",
                                        "request_timeouts",
                                        "tokenreview_mean_latency_s",
                                        "validations",
                                        "validations_failed",
                                        "loopback_reservations",
                                        "loopback_gets",
                                        "loopback_mean_wait_s",
                                        "loopback_mean_queue",
                                        "mean_inflight_mutating",
                                        "mean_inflight_readonly",
                                        "token_cache_hits",
                                        "token_cache_misses",
                                        "kubelet_cache_hits",
                                        "kubelet_cache_misses",
                                        "webhook_loops",
                                        "webhook_attempts",
                                        "heartbeat_success_ratio",
                                        "scrape_success_ratio",
                                        "sa_success_ratio",
                                        "background_success_ratio",
                                        "max_not_ready_nodes",
                                        "max_orphaned_validations",
                                        "outstanding_work_end",
                                        "outstanding_work_trend_per_s",
                                        "measured_seconds"};
#define NHEAD_COLS (sizeof head_cols / sizeof head_cols[0])

void stats_summary_header(FILE *f)
{
    for (size_t i = 0; i < NHEAD_COLS; i++)
        fprintf(f, "%s%s", i ? "," : "", head_cols[i]);
    for (int ph = 0; ph < PHASE_COUNT; ph++)
        for (size_t i = 0; i < NPHASE_COLS; i++)
            fprintf(f, ",%s_%s", phase_cols[i], phase_names[ph]);
    fputs(",events,end_time,stopped_early\n", f);
}

void stats_summary_row(FILE *f, const summary *s)
{
    const double *t = s->total;
    fprintf(f, "%llu,%llu,%s,", (unsigned long long)s->seed, (unsigned long long)s->replication,
            run_class_name(s->cls));
    csv_num(f, s->recovery_s);
    fprintf(f, ",%d,", s->within_window);
    csv_num(f, s->projected_s);
    fprintf(f, ",%s", s->judged);
    double v[] = {t[C_REQ_MUT],
                  t[C_REJ_MUT],
                  t[C_REQ_RO],
                  t[C_REJ_RO],
                  t[C_TR],
                  t[C_TR_OK],
                  t[C_TR_TIMEOUT],
                  t[C_REQ_TIMEOUT],
                  s->tr_mean_latency_s,
                  t[C_VALIDATIONS],
                  t[C_VAL_FAIL],
                  t[C_LB_RESERVE],
                  t[C_LB_GETS],
                  s->lb_mean_wait_s,
                  s->lb_mean_queue,
                  s->inflight_mut_mean,
                  s->inflight_ro_mean,
                  t[C_TC_HIT],
                  t[C_TC_MISS],
                  t[C_KC_HIT],
                  t[C_KC_MISS],
                  t[C_WLOOPS],
                  t[C_TR_ATTEMPTS],
                  s->hb_ratio,
                  s->scrape_ratio,
                  s->sa_ratio,
                  s->bg_ratio,
                  s->max_not_ready,
                  s->max_orphaned,
                  s->work_end,
                  s->work_rate_per_s,
                  s->measured_s};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        fputc(',', f);
        csv_num(f, v[i]);
    }
    for (int ph = 0; ph < PHASE_COUNT; ph++) {
        const phase_means *m = &s->phase[ph];
        double pv[] = {m->inflight_mut, m->inflight_ro,       m->lb_queue,
                       m->tr_per_s,     m->tr_timeouts_per_s, m->rejected_per_s,
                       m->hb_ratio,     m->scrape_ratio,      m->not_ready};
        for (size_t i = 0; i < NPHASE_COLS; i++) {
            fputc(',', f);
            csv_num(f, pv[i]);
        }
    }
    fprintf(f, ",%llu,", (unsigned long long)s->events);
    csv_num(f, s->end_s);
    fprintf(f, ",%d\n", s->stopped_early);
}
