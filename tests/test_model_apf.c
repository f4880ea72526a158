/* test_model_apf: API Priority and Fairness through the full model (apiserver.admission = "apf"):
 * one level with one queue is M/M/c/(c+K) (its 429 fraction and its mean wait against the closed
 * forms, at two parameter points), heartbeats in their own level are not rejected while a flood
 * fills another, two backlogged flows share a level fairly. Each closed-form check runs R
 * replications with fixed seeds and needs the formula within mean +- 4 standard errors. Prints
 * one "validation:" row per check. */
#include "testutil.h"

#include "model.h"
#include "openmetrics.h"
#include "params.h"
#include "plot.h"
#include "stats.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    R = 10
};

#define Z 4.0

/* ---- M/M/c/N, N = c + K: p_n = p_0 a^n / n! (n <= c), p_0 a^n / (c! c^(n-c)) (c < n <= N) ---- */

typedef struct mmck {
    double block; /* p_N: the 429 fraction (PASTA) */
    double lq;    /* mean number waiting */
    double wq;    /* mean wait of an admitted request, Lq / (lambda (1 - p_N)) (Little) */
} mmck;

static mmck mmck_of(int c, int k, double lambda, double mu)
{
    double a = lambda / mu, term = 1.0, sum = 0.0;
    int n_max = c + k;
    double *p = calloc((size_t)n_max + 1, sizeof *p);
    for (int n = 0; n <= n_max; n++) {
        if (n > 0)
            term *= a / (n <= c ? n : c);
        p[n] = term;
        sum += term;
    }
    mmck m = {0, 0, 0};
    for (int n = 0; n <= n_max; n++)
        p[n] /= sum;
    m.block = p[n_max];
    for (int n = c; n <= n_max; n++)
        m.lq += (n - c) * p[n];
    m.wq = m.lq / (lambda * (1.0 - m.block));
    free(p);
    return m;
}

#define assert_in_ci_z(name, c, expected)                                                          \
    do {                                                                                           \
        ci c_ = (c);                                                                               \
        double e_ = (expected);                                                                    \
        printf("validation: %-44s formula %.6g  simulated %.6g  z=4 interval [%.6g, %.6g]\n",      \
               name, e_, c_.mean, c_.mean - c_.half, c_.mean + c_.half);                           \
        if (!(fabs(c_.mean - e_) <= c_.half))                                                      \
            fail_msg("%s: %.6g outside %.6g +- %.3g", name, e_, c_.mean, c_.half);                 \
    } while (0)

/* ---- scenarios ---- */

/* Everything off: no nodes, no metrics-server, no trigger; APF with no levels yet. */
static void quiet(params *p, double duration)
{
    params_defaults(p);
    p->cluster.nodes = 0;
    p->metrics_server.enabled = false;
    p->trigger.kind = TRIGGER_NONE;
    p->sim.duration_s = duration;
    p->sim.max_duration_s = duration;
    p->sim.warmup_s = 100.0;
    p->trigger.at_s = duration;
    p->sim.seed = 2040;
    p->apiserver.admission = ADMISSION_POLICY_APF;
}

static apf_level_param *add_level(params *p, const char *name, int shares, int queues, int hand,
                                  int qlen)
{
    apf_level_param *l = &p->apiserver.apf.levels[p->apiserver.apf.nlevels++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    l->shares = shares;
    l->queues = queues;
    l->hand_size = hand;
    l->queue_length_limit = qlen;
    l->borrowing_limit_percent = -1;
    return l;
}

static void add_schema(params *p, const char *name, const char *level, int precedence,
                       unsigned match, enum flow_distinguisher d)
{
    apf_schema_param *s = &p->apiserver.apf.schemas[p->apiserver.apf.nschemas++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->level, sizeof s->level, "%s", level);
    s->precedence = precedence;
    s->match = match;
    s->distinguisher = d;
}

#define ALL_CLASSES ((1u << CLIENT_CLASS_COUNT) - 1u)

/* Level index of name among model_apf_level_name. */
static int level_of(const params *p, const char *name)
{
    for (int k = 0; k < model_apf_levels(p); k++)
        if (strcmp(model_apf_level_name(p, k), name) == 0)
            return k;
    fail_msg("no level %s", name);
    return -1;
}

/* Mean of series s of level over the samples after the warm-up. */
static double series_mean(const params *p, const run_output *o, int level, enum apf_series s)
{
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < o->nsamples; i++)
        if (o->samples[i].t > p->sim.warmup_s) {
            sum += o->apf[(i * (size_t)o->apf_levels + (size_t)level) * APF_SERIES_COUNT + s];
            n++;
        }
    return n ? sum / (double)n : NAN;
}

/* One level, queues 1, hand 1, queue length K, concurrency c = max_requests_inflight +
 * max_mutating_requests_inflight (the implicit exempt level has 0 shares, so the level's limit is
 * c and borrowing leaves it there: it lends nothing); Poisson background mutating requests at
 * lambda, no retries, exponential service of mean 1/mu; no wait limit or timeout in reach. */
static void mmck_model(int c, int k, double lambda, double mu, const char *block_name,
                       const char *wait_name)
{
    params p;
    quiet(&p, 2100.0);
    p.apiserver.max_requests_inflight = 1;
    p.apiserver.max_mutating_requests_inflight = c - 1;
    p.apiserver.request_timeout_s = 1e6;
    p.apiserver.apf.max_queue_wait_s = 1e6;
    dist_set(&p.apiserver.service_time, DIST_EXPONENTIAL, 1.0 / mu, 1.0);
    add_level(&p, "l", 1, 1, 1, k);
    add_schema(&p, "all", "l", 1000, ALL_CLASSES, DISTINGUISH_NONE);
    p.background.mutating_rate = lambda;
    p.background.retry_429 = false;
    int lv = level_of(&p, "l");
    double x[R], y[R];
    for (int i = 0; i < R; i++) {
        run_output o;
        summary s;
        model_run(&p, (uint64_t)i, 0, NULL, NULL, &o);
        stats_summarize(&p, (uint64_t)i, &o, &s);
        x[i] = s.total[C_REJ_MUT] / s.total[C_REQ_MUT];
        double admitted = (s.total[C_REQ_MUT] - s.total[C_REJ_MUT]) / s.measured_s;
        /* Little on the queue: mean wait = mean queue length / admission rate */
        y[i] = series_mean(&p, &o, lv, APF_S_INQUEUE) / admitted;
        run_output_free(&o);
    }
    mmck m = mmck_of(c, k, lambda, mu);
    assert_in_ci_z(block_name, ci_z(x, R, Z), m.block);
    assert_in_ci_z(wait_name, ci_z(y, R, Z), m.wq);
}

static void test_mmck_model(void **state)
{
    (void)state;
    mmck_model(4, 6, 36.0, 10.0, "M/M/4/(4+6) 429 fraction a=3.6 (model, apf)",
               "M/M/4/(4+6) mean wait a=3.6 (model, apf)");
    mmck_model(2, 3, 25.0, 10.0, "M/M/2/(2+3) 429 fraction a=2.5 (model, apf)",
               "M/M/2/(2+3) mean wait a=2.5 (model, apf)");
}

/* Isolation: heartbeats of 200 nodes in level "system" (12 of 40 seats), a background flood
 * (1000/s of 50 ms requests: 50 seats busy on average) in level "flood" (28 seats). The flood's
 * level rejects; the heartbeats' never does. No retries (one try per heartbeat cycle, one
 * client-go try), so that every 429 a heartbeat gets shows: the same load under max-inflight
 * rejects heartbeats too (the PATCHes share the mutating pool with the flood), so the test can
 * fail. */
static void isolation_params(params *p)
{
    quiet(p, 700.0);
    p->cluster.nodes = 200;
    p->apiserver.max_requests_inflight = 20;
    p->apiserver.max_mutating_requests_inflight = 20;
    dist_set(&p->apiserver.service_time, DIST_EXPONENTIAL, 0.05, 1.0);
    p->background.mutating_rate = 1000.0;
    p->background.retry_429 = false;
    p->kubelet.heartbeat.tries = 1;
    p->client_go.max_tries = 1;
    add_level(p, "system", 30, 64, 6, 50);
    add_level(p, "flood", 70, 128, 6, 50);
    add_schema(p, "nodes", "system", 500, 1u << CLIENT_HEARTBEAT | 1u << CLIENT_TOKENREVIEW,
               DISTINGUISH_USER);
    add_schema(p, "rest", "flood", 9000,
               1u << CLIENT_SA | 1u << CLIENT_BACKGROUND | 1u << CLIENT_BURST, DISTINGUISH_USER);
}

static void test_isolation(void **state)
{
    (void)state;
    params p;
    isolation_params(&p);
    run_output o;
    summary s;
    model_run(&p, 0, 0, NULL, NULL, &o);
    stats_summarize(&p, 0, &o, &s);
    int sys = level_of(&p, "system"), fl = level_of(&p, "flood");
    double rej_sys = 0, rej_fl = 0;
    for (size_t i = 0; i < o.nsamples; i++) {
        rej_sys +=
            o.apf[(i * (size_t)o.apf_levels + (size_t)sys) * APF_SERIES_COUNT + APF_S_REJECTED];
        rej_fl +=
            o.apf[(i * (size_t)o.apf_levels + (size_t)fl) * APF_SERIES_COUNT + APF_S_REJECTED];
    }
    printf("isolation (apf): heartbeat success %.4f, system 429s %.0f, flood 429s %.0f\n",
           s.hb_ratio, rej_sys, rej_fl);
    assert_true(rej_fl > 1000);
    assert_true(rej_sys == 0);
    assert_true(s.hb_ratio == 1.0);
    run_output_free(&o);

    p.apiserver.admission = ADMISSION_POLICY_MAX_INFLIGHT;
    model_run(&p, 0, 0, NULL, NULL, &o);
    stats_summarize(&p, 0, &o, &s);
    printf("isolation (max-inflight, same load): heartbeat success %.4f\n", s.hb_ratio);
    assert_true(s.hb_ratio < 0.9);
    run_output_free(&o);
}

/* Fairness: one level of 10 seats (100/s of 100 ms requests), two flows (one FlowSchema each,
 * distinguisher none): background at 140/s and SA clients at 60/s plus their 429 retries. Both
 * stay backlogged, so fair queuing serves each about half of the level, 50/s, although one
 * offers more than twice the other. */
static void test_fair_share(void **state)
{
    (void)state;
    params p;
    quiet(&p, 1100.0);
    p.apiserver.max_requests_inflight = 5;
    p.apiserver.max_mutating_requests_inflight = 5;
    dist_set(&p.apiserver.service_time, DIST_EXPONENTIAL, 0.1, 1.0);
    p.apiserver.sa_lookup.mode = SA_LOOKUP_INFORMER; /* local, immediate authentication */
    p.sa_clients.tokens = 1;
    p.sa_clients.rate = 60.0;
    p.background.mutating_rate = 140.0;
    p.background.retry_429 = false;
    add_level(&p, "shared", 1, 16, 4, 50);
    add_schema(&p, "bg", "shared", 1000, 1u << CLIENT_BACKGROUND | 1u << CLIENT_BURST,
               DISTINGUISH_NONE);
    add_schema(&p, "sa", "shared", 1000,
               1u << CLIENT_SA | 1u << CLIENT_HEARTBEAT | 1u << CLIENT_TOKENREVIEW,
               DISTINGUISH_NONE);
    run_output o;
    summary s;
    model_run(&p, 0, 0, NULL, NULL, &o);
    stats_summarize(&p, 0, &o, &s);
    double bg = s.total[C_BG_OK] / s.measured_s, sa = s.total[C_SA_OK] / s.measured_s;
    printf("fair share: background served %.2f/s, SA clients %.2f/s (ratio %.3f)\n", bg, sa,
           bg / sa);
    assert_true(bg + sa > 90.0); /* the level is busy */
    assert_true(fabs(bg / sa - 1.0) <= 0.10);
    run_output_free(&o);
}

/* A TokenReview that waited in a queue starts its create handler's timeout when it is dispatched:
 * one level of 2 seats, TokenReview creates (the trigger's burst, fresh tokens validated from
 * informers at once) at 3/s for 200 s, each handled in 1 s, a create timeout of 1.5 s. The
 * queue grows (2/s served), so most wait far longer than 1.5 s, yet none times out in its
 * handler: each runs 1 s from its dispatch. */
static void test_queued_tokenreview(void **state)
{
    (void)state;
    params p;
    quiet(&p, 500.0);
    p.trigger.kind = TRIGGER_BURST;
    p.trigger.target = BURST_TOKENREVIEW;
    p.trigger.at_s = 200.0;
    p.trigger.duration_s = 200.0;
    p.trigger.rate = 3.0;
    p.apiserver.max_requests_inflight = 1;
    p.apiserver.max_mutating_requests_inflight = 1;
    p.apiserver.create_timeout_s = 1.5;
    p.apiserver.sa_lookup.mode = SA_LOOKUP_INFORMER;
    dist_set(&p.apiserver.service_time, DIST_DETERMINISTIC, 1.0, 0.0);
    add_level(&p, "l", 1, 1, 1, 1000);
    add_schema(&p, "all", "l", 1000, ALL_CLASSES, DISTINGUISH_NONE);
    run_output o;
    summary s;
    model_run(&p, 0, 0, NULL, NULL, &o);
    stats_summarize(&p, 0, &o, &s);
    double waited = series_mean(&p, &o, level_of(&p, "l"), APF_S_INQUEUE);
    printf("queued TokenReviews: %.0f created, %.0f answered 201, %.0f 504, mean queue %.1f\n",
           s.total[C_TR], s.total[C_TR_OK], s.total[C_TR_TIMEOUT], waited);
    assert_true(waited > 10.0); /* a queue of > 10 at 2/s: waits of > 5 s */
    assert_true(s.total[C_TR_OK] > 300);
    assert_true(s.total[C_TR_TIMEOUT] == 0);
    run_output_free(&o);
}

static char *timeseries_text(const params *p, const run_output *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    stats_write_timeseries(f, p, o);
    fclose(f);
    return buf;
}

/* The per-level columns exist with admission "apf" only, in timeseries.csv and the run's
 * summary.csv, and the dashboard draws them. */
static void test_apf_columns(void **state)
{
    (void)state;
    params p;
    isolation_params(&p);
    p.sim.duration_s = p.sim.max_duration_s = p.trigger.at_s = 200.0;
    run_output o;
    summary s;
    model_run(&p, 0, 0, NULL, NULL, &o);
    stats_summarize(&p, 0, &o, &s);
    char *ts = timeseries_text(&p, &o);
    const char *want[] = {",apiserver_flowcontrol_current_inqueue_requests_system,",
                          ",apiserver_flowcontrol_current_executing_requests_flood,",
                          ",apiserver_flowcontrol_rejected_requests_per_s_exempt"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(ts, want[i]))
            fail_msg("timeseries header lacks %s", want[i]);
    char tmpl[] = "/tmp/test_model_apf_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char csv[64], base[64], png[64];
    snprintf(csv, sizeof csv, "%s/timeseries.csv", tmpl);
    snprintf(base, sizeof base, "%s/timeseries", tmpl);
    snprintf(png, sizeof png, "%s/timeseries.png", tmpl);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs(ts, f);
    fclose(f);
    err e;
    err_clear(&e);
    if (plot_dashboard(csv, base, PLOT_PNG, NULL, &e) < 0)
        fail_msg("plot_dashboard: %s", e.msg);
    assert_int_equal(access(png, R_OK), 0);
    table *tb = table_read(csv, &e);
    assert_non_null(tb);
    char *om = NULL;
    size_t omlen = 0;
    FILE *mf = open_memstream(&om, &omlen);
    assert_int_equal(openmetrics_write(mf, tb, 0.0), 0);
    fclose(mf);
    assert_non_null(strstr(om, "# TYPE avalanche_apiserver_flowcontrol_current_inqueue_requests "
                               "gauge\n"));
    assert_non_null(
        strstr(om, "avalanche_apiserver_flowcontrol_rejected_requests_per_second{priority_level="
                   "\"flood\"}"));
    free(om);
    table_free(tb);
    unlink(png);
    unlink(csv);
    rmdir(tmpl);
    free(ts);
    char *sum = NULL;
    size_t len = 0;
    f = open_memstream(&sum, &len);
    stats_summary_header_run(f, &p, &o);
    stats_summary_row_run(f, &s, &p, &o);
    fclose(f);
    assert_non_null(strstr(sum, ",apiserver_flowcontrol_rejected_requests_total_flood"));
    assert_non_null(strstr(sum, ",mean_apiserver_flowcontrol_current_inqueue_requests_system"));
    free(sum);
    run_output_free(&o);

    p.apiserver.admission = ADMISSION_POLICY_MAX_INFLIGHT;
    model_run(&p, 0, 0, NULL, NULL, &o);
    assert_int_equal(o.apf_levels, 0);
    ts = timeseries_text(&p, &o);
    assert_null(strstr(ts, "apiserver_flowcontrol"));
    free(ts);
    run_output_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mmck_model),  cmocka_unit_test(test_isolation),
        cmocka_unit_test(test_fair_share),  cmocka_unit_test(test_queued_tokenreview),
        cmocka_unit_test(test_apf_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
