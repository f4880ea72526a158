/* model/results/ (layers L3-L4): from a run's samples to files and back: the health predicate and
 * stability class (classify), the time series and summary row (stats, this file), exact numbers
 * and atomic files (csv), the result-file reader the charts use (table), OpenMetrics (openmetrics).
 * They include model.h, params.h and engine/ headers; nothing from sweep/ or cli/. */
/* stats: time series, health predicate, classification and summary of one run (L3). */
#include "stats.h"

#include "csv.h"
#include "metrics.h"
#include "timecmp.h"
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
    int sa = params_sa_rate(p) > 0.0;
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
        if (!time_after(x->t, p->sim.warmup_s))
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

/* The columns of timeseries.csv and summary.csv are the rows of metrics.h's tables; the value
 * expressions there are written in the terms of these loops. */
_Static_assert(PHASE_COUNT == sizeof metric_phase_suffix / sizeof metric_phase_suffix[0],
               "metrics.h names every phase");

/* APF's per-level columns (apiserver.admission = "apf" only, so that max-inflight files keep
 * their columns): the apiserver's metric name, suffixed by the level's name with '-' as '_'. */
static const char *const apf_col[APF_SERIES_COUNT] = {
    [APF_S_INQUEUE] = "apiserver_flowcontrol_current_inqueue_requests",
    [APF_S_EXECUTING] = "apiserver_flowcontrol_current_executing_requests",
    [APF_S_REJECTED] = "apiserver_flowcontrol_rejected_requests_per_s",
};

static void apf_col_name(FILE *f, const char *metric, const char *level)
{
    fprintf(f, ",%s_", metric);
    for (const char *c = level; *c; c++)
        fputc(*c == '-' || *c == '.' ? '_' : *c, f);
}

static double apf_value(const run_output *o, size_t k, int level, enum apf_series s)
{
    return o->apf[(k * (size_t)o->apf_levels + (size_t)level) * APF_SERIES_COUNT + s];
}

void stats_write_timeseries(FILE *f, const params *p, const run_output *o)
{
    for (int i = 0; i < TS_COUNT; i++)
        fprintf(f, "%s%s", i ? "," : "", metric_ts_name[i]);
    int nr = o->rsamples ? o->replicas : 0; /* per-replica columns only with replicas > 1 */
    for (int i = 0; i < RS_COUNT; i++)
        for (int r = 0; r < nr; r++)
            fprintf(f, ",%s_r%d", metric_replica_name[i], r);
    for (int s = 0; s < APF_SERIES_COUNT; s++)
        for (int l = 0; l < o->apf_levels; l++)
            apf_col_name(f, apf_col[s], model_apf_level_name(p, l));
    fputc('\n', f);
    signed char *h = xmalloc(o->nsamples ? o->nsamples : 1);
    classify_health(p, o, h);
    double prev = 0.0;
    for (size_t k = 0; k < o->nsamples; k++) {
        const sample *x = &o->samples[k];
        const double *c = x->c;
        double dt = x->t - prev;
        prev = x->t;
#define TS_VALUE(id, name, value, family, label, unit, help) [id] = (value),
        double v[TS_COUNT] = {METRICS_TIMESERIES(TS_VALUE)};
#undef TS_VALUE
        for (int i = 0; i < TS_COUNT; i++) {
            if (i)
                fputc(',', f);
            csv_num(f, v[i]);
        }
#define RS_VALUE(id, name, value, family, label, help) (value),
        for (int i = 0; i < RS_COUNT; i++)
            for (int q = 0; q < nr; q++) {
                const replica_sample *r = &o->rsamples[k * (size_t)nr + (size_t)q];
                double rv[RS_COUNT] = {METRICS_REPLICA(RS_VALUE)};
                fputc(',', f);
                csv_num(f, rv[i]);
            }
#undef RS_VALUE
        for (int s = 0; s < APF_SERIES_COUNT; s++)
            for (int l = 0; l < o->apf_levels; l++) {
                double y = apf_value(o, k, l, (enum apf_series)s);
                fputc(',', f);
                csv_num(f, s == APF_S_REJECTED ? per_s(y, dt) : y);
            }
        fputc('\n', f);
    }
    free(h);
}

static void summary_header_cols(FILE *f)
{
    for (int i = 0; i < SUM_TAIL_FIRST; i++)
        fprintf(f, "%s%s", i ? "," : "", metric_summary_name[i]);
    for (int ph = 0; ph < PHASE_COUNT; ph++)
        for (int i = 0; i < PH_COUNT; i++)
            fprintf(f, ",%s_%s", metric_phase_name[i], metric_phase_suffix[ph]);
    for (int i = SUM_TAIL_FIRST; i < SUM_COUNT; i++)
        fprintf(f, ",%s", metric_summary_name[i]);
}

void stats_summary_header(FILE *f)
{
    summary_header_cols(f);
    fputc('\n', f);
}

/* APF's per-level totals over the measured period (after the warm-up): the time-average of
 * requests waiting and executing, and the 429s. */
static const char *const apf_sum_col[APF_SERIES_COUNT] = {
    [APF_S_INQUEUE] = "mean_apiserver_flowcontrol_current_inqueue_requests",
    [APF_S_EXECUTING] = "mean_apiserver_flowcontrol_current_executing_requests",
    [APF_S_REJECTED] = "apiserver_flowcontrol_rejected_requests_total",
};

void stats_summary_header_run(FILE *f, const params *p, const run_output *o)
{
    summary_header_cols(f);
    for (int s = 0; s < APF_SERIES_COUNT; s++)
        for (int l = 0; l < o->apf_levels; l++)
            apf_col_name(f, apf_sum_col[s], model_apf_level_name(p, l));
    fputc('\n', f);
}

/* One summary field of metrics.h's kind. */
#define SUM_WRITE_U64(v) fprintf(f, "%llu", (unsigned long long)(v))
#define SUM_WRITE_INT(v) fprintf(f, "%d", (int)(v))
#define SUM_WRITE_NAME(v) fputs((v), f)
#define SUM_WRITE_NUM(v) csv_num(f, (v))
#define SUM_FIELD(id, name, kind, value)                                                           \
    if (id)                                                                                        \
        fputc(',', f);                                                                             \
    SUM_WRITE_##kind(value);

static void summary_row_cols(FILE *f, const summary *s);

void stats_summary_row(FILE *f, const summary *s)
{
    summary_row_cols(f, s);
    fputc('\n', f);
}

void stats_summary_row_run(FILE *f, const summary *s, const params *p, const run_output *o)
{
    summary_row_cols(f, s);
    for (int sr = 0; sr < APF_SERIES_COUNT; sr++)
        for (int l = 0; l < o->apf_levels; l++) {
            double sum = 0, span = 0, prev = 0;
            for (size_t k = 0; k < o->nsamples; k++) {
                double t = o->samples[k].t, dt = t - prev;
                prev = t;
                if (!(t > p->sim.warmup_s))
                    continue;
                double y = apf_value(o, k, l, (enum apf_series)sr);
                sum += sr == APF_S_REJECTED ? y : y * dt; /* the gauges: time-weighted */
                span += dt;
            }
            fputc(',', f);
            csv_num(f, sr == APF_S_REJECTED ? sum : (span > 0 ? sum / span : NAN));
        }
    fputc('\n', f);
}

static void summary_row_cols(FILE *f, const summary *s)
{
    const double *t = s->total;
    METRICS_SUMMARY_HEAD(SUM_FIELD)
    for (int ph = 0; ph < PHASE_COUNT; ph++) {
        const phase_means *m = &s->phase[ph];
#define PH_VALUE(id, name, value) [id] = (value),
        double pv[PH_COUNT] = {METRICS_PHASE(PH_VALUE)};
#undef PH_VALUE
        for (int i = 0; i < PH_COUNT; i++) {
            fputc(',', f);
            csv_num(f, pv[i]);
        }
    }
    METRICS_SUMMARY_TAIL(SUM_FIELD)
}
