/* test_replicas: several apiserver replicas through the full model. (a) requests
 * spread per request over R replicas, each with its own cap and no queue: each replica's 429
 * fraction is Erlang B(c, a / R); (b) a restart of one replica moves its kubelets to the others,
 * half each in expectation, and none come back; (c) replicas = 1 reproduces, byte for byte, the
 * CSV files the model wrote before replicas existed. Intervals: mean +- 4 standard errors over
 * independent replications (fixed seeds). Prints one "validation:" row per check. */
#include "testutil.h"

#include "classify.h"
#include "config.h"
#include "err.h"
#include "metrics.h"
#include "model.h"
#include "openmetrics.h"
#include "params.h"
#include "plot.h"
#include "stats.h"

#include <cairo.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA "tests/data/replicas/"
#define Z 4.0

enum {
    NREP = 8 /* replications per check */
};

static double erlang_b(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

static void check_in(const char *name, ci c, double expected)
{
    printf("validation: %-52s formula %.6g  simulated %.6g  z=4 interval [%.6g, %.6g]\n", name,
           expected, c.mean, c.mean - c.half, c.mean + c.half);
    if (!(fabs(c.mean - expected) <= c.half))
        fail_msg("%s: %.6g outside %.6g +- %.3g", name, expected, c.mean, c.half);
}

/* Everything off but what a test switches on: no nodes, no metrics-server, no trigger. */
static void quiet(params *p, double duration)
{
    params_defaults(p);
    p->cluster.nodes = 0;
    p->metrics_server.enabled = false;
    p->trigger.kind = TRIGGER_NONE;
    p->sim.duration_s = duration;
    p->sim.max_duration_s = duration; /* a fixed run length */
    p->sim.warmup_s = 100.0;
    p->trigger.at_s = duration;
    p->sim.seed = 4242;
}

/* ---- (a) Erlang B per replica ---- */

/* Sums of replica k's requests and 429s over the samples in (from, to]. */
static void replica_counts(const run_output *o, int k, double from, double to, double *req,
                           double *rej)
{
    *req = *rej = 0.0;
    for (size_t i = 0; i < o->nsamples; i++) {
        if (!(o->samples[i].t > from && o->samples[i].t <= to))
            continue;
        const replica_sample *r = &o->rsamples[i * (size_t)o->replicas + (size_t)k];
        *req += r->requests;
        *rej += r->rejected;
    }
}

static void erlang_replicas(int nrep, int c, double lambda, double mean_s)
{
    params p;
    quiet(&p, 1600.0);
    p.apiserver.replicas = nrep;
    p.apiserver.max_mutating_requests_inflight = c;
    dist_set(&p.apiserver.service_time, DIST_EXPONENTIAL, mean_s, 1.0);
    p.background.mutating_rate = lambda;
    p.background.retry_429 = false; /* a retry is not a Poisson arrival */
    double x[APISERVER_REPLICAS_MAX][NREP], share[APISERVER_REPLICAS_MAX][NREP];
    for (int i = 0; i < NREP; i++) {
        run_output o;
        model_run(&p, (uint64_t)i, 0, NULL, NULL, &o);
        assert_int_equal(o.replicas, nrep);
        if (nrep == 1) {
            assert_null(o.rsamples); /* one replica: no per-replica data */
            summary s;
            stats_summarize(&p, (uint64_t)i, &o, &s);
            x[0][i] = s.total[C_REJ_MUT] / s.total[C_REQ_MUT];
            share[0][i] = 1.0;
        } else {
            double all = 0.0, req[APISERVER_REPLICAS_MAX], rej;
            for (int k = 0; k < nrep; k++) {
                replica_counts(&o, k, p.sim.warmup_s, p.sim.duration_s, &req[k], &rej);
                x[k][i] = rej / req[k];
                all += req[k];
            }
            for (int k = 0; k < nrep; k++)
                share[k][i] = req[k] / all;
        }
        run_output_free(&o);
    }
    double a = lambda * mean_s;
    for (int k = 0; k < nrep; k++) {
        char name[96];
        snprintf(name, sizeof name, "Erlang B, replica %d of %d, c=%d a/R=%g", k, nrep, c,
                 a / nrep);
        check_in(name, ci_z(x[k], NREP, Z), erlang_b(c, a / nrep));
        if (nrep > 1) {
            snprintf(name, sizeof name, "share of requests, replica %d of %d", k, nrep);
            check_in(name, ci_z(share[k], NREP, Z), 1.0 / nrep);
        }
    }
}

static void test_erlang_b_per_replica(void **state)
{
    (void)state;
    erlang_replicas(1, 10, 80.0, 0.1);  /* a = 8 */
    erlang_replicas(3, 10, 240.0, 0.1); /* a = 24, 8 per replica */
    erlang_replicas(3, 5, 90.0, 0.1);   /* a = 9, 3 per replica */
}

/* ---- (b) a restart of one replica moves its kubelets ---- */

/* Replica k's mean request rate over the samples in (from, to]. */
static double replica_rate(const run_output *o, int k, double from, double to)
{
    double req, rej;
    replica_counts(o, k, from, to, &req, &rej);
    return req / (to - from);
}

static void test_restart_moves_kubelets(void **state)
{
    (void)state;
    params p;
    quiet(&p, 1500.0);
    p.cluster.nodes = 3000; /* heartbeats only: GET and PATCH every 10 s per node */
    p.apiserver.replicas = 3;
    p.apiserver.max_requests_inflight = p.apiserver.max_mutating_requests_inflight = 100000;
    p.trigger.kind = TRIGGER_APISERVER_RESTART;
    p.trigger.replica = 0;
    p.trigger.at_s = 600.0;
    p.trigger.duration_s = 60.0;
    double moved[NREP][2], kept[NREP], before0[NREP];
    for (int i = 0; i < NREP; i++) {
        run_output o;
        model_run(&p, (uint64_t)i, 0, NULL, NULL, &o);
        double b[3], a[3];
        for (int k = 0; k < 3; k++) {
            b[k] = replica_rate(&o, k, 200.0, 600.0);
            a[k] = replica_rate(&o, k, 800.0, 1500.0);
        }
        /* replica 0 is back from 660 s on, and gets none of its kubelets back */
        assert_true(a[0] == 0.0);
        assert_true(b[0] > 0.0);
        for (int k = 1; k < 3; k++)
            moved[i][k - 1] = (a[k] - b[k]) / b[0];
        kept[i] = (a[1] + a[2]) / (b[0] + b[1] + b[2]);
        before0[i] = b[0] / (b[0] + b[1] + b[2]);
        run_output_free(&o);
    }
    double m1[NREP], m2[NREP];
    for (int i = 0; i < NREP; i++) {
        m1[i] = moved[i][0];
        m2[i] = moved[i][1];
    }
    check_in("replica 0's kubelets onto replica 1 (share)", ci_z(m1, NREP, Z), 0.5);
    check_in("replica 0's kubelets onto replica 2 (share)", ci_z(m2, NREP, Z), 0.5);
    check_in("heartbeat load kept by replicas 1, 2 (fraction)", ci_z(kept, NREP, Z), 1.0);
    check_in("kubelets on replica 0 before (share)", ci_z(before0, NREP, Z), 1.0 / 3.0);
}

/* ---- (c) replicas = 1 is the model before replicas ---- */

/* The two files `avalanche run` writes, as it writes them (the same hook stops the run). */
static void run_csv(const params *p, char **ts, char **sum)
{
    run_output o;
    summary s;
    classify *c = classify_new(p);
    model_run(p, 0, 0, classify_hook, c, &o);
    classify_free(c);
    stats_summarize(p, 0, &o, &s);
    size_t n;
    FILE *f = open_memstream(ts, &n);
    stats_write_timeseries(f, p, &o);
    fclose(f);
    f = open_memstream(sum, &n);
    stats_summary_header(f);
    stats_summary_row(f, &s);
    fclose(f);
    run_output_free(&o);
}

static void test_one_replica_is_the_old_model(void **state)
{
    (void)state;
    const char *sets[][1] = {{"sim.seed=3"}, {"apiserver.replicas=1"}};
    char *want_ts = test_read_text(DATA "one-timeseries.csv"),
         *want_sum = test_read_text(DATA "one-summary.csv");
    assert_non_null(want_ts);
    assert_non_null(want_sum);
    const char *both[] = {sets[0][0], sets[1][0]};
    for (int variant = 0; variant < 2; variant++) {
        params p;
        err e;
        err_clear(&e);
        if (config_load(&p, DATA "one.cfg", both, variant + 1, &e) < 0)
            fail_msg("%s", e.msg);
        assert_int_equal(p.apiserver.replicas, 1);
        char *ts, *sum;
        run_csv(&p, &ts, &sum);
        assert_string_equal(ts, want_ts);
        assert_string_equal(sum, want_sum);
        free(ts);
        free(sum);
    }
    free(want_ts);
    free(want_sum);
}

/* The same seed gives the same bytes with three replicas too (the replica choices have their
 * own stream), and a run with three replicas differs from one with one. */
static void test_three_replicas_repeat(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    const char *sets[] = {"sim.seed=3", "apiserver.replicas=3"};
    if (config_load(&p, DATA "one.cfg", sets, 2, &e) < 0)
        fail_msg("%s", e.msg);
    char *ts1, *sum1, *ts2, *sum2;
    run_csv(&p, &ts1, &sum1);
    run_csv(&p, &ts2, &sum2);
    assert_string_equal(ts1, ts2);
    assert_string_equal(sum1, sum2);
    char *want = test_read_text(DATA "one-summary.csv");
    assert_non_null(want);
    assert_string_not_equal(sum1, want);
    free(want);
    free(ts1);
    free(sum1);
    free(ts2);
    free(sum2);
}

/* With three replicas the per-replica gauges sum to the cluster's, and the time series has them
 * as columns. */
static void test_three_replicas_columns(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    const char *sets[] = {"sim.seed=3", "apiserver.replicas=3"};
    if (config_load(&p, DATA "one.cfg", sets, 2, &e) < 0)
        fail_msg("%s", e.msg);
    run_output o;
    model_run(&p, 0, 0, NULL, NULL, &o);
    assert_non_null(o.rsamples);
    for (size_t i = 0; i < o.nsamples; i++) {
        double mut = 0, ro = 0;
        for (int k = 0; k < 3; k++) {
            mut += o.rsamples[i * 3 + (size_t)k].inflight_mut;
            ro += o.rsamples[i * 3 + (size_t)k].inflight_ro;
        }
        assert_near(mut, o.samples[i].inflight_mut, 1e-9 * (1 + mut));
        assert_near(ro, o.samples[i].inflight_ro, 1e-9 * (1 + ro));
    }
    /* the header gains NAME_rK for every per-replica metric and replica, after the cluster's */
    char *ts = NULL;
    size_t n;
    FILE *f = open_memstream(&ts, &n);
    stats_write_timeseries(f, &p, &o);
    fclose(f);
    char *eol = strchr(ts, '\n');
    assert_non_null(eol);
    *eol = '\0';
    assert_non_null(strstr(ts, ",healthy,apiserver_current_inflight_requests_mutating_r0,"));
    assert_non_null(strstr(ts, ",apiserver_current_inflight_requests_readonly_r2,"));
    assert_non_null(strstr(ts, ",apiserver_requests_per_s_r1,"));
    int commas = 0;
    for (const char *q = ts; *q; q++)
        commas += *q == ',';
    assert_int_equal(commas + 1, TS_COUNT + RS_COUNT * 3);
    free(ts);
    run_output_free(&o);
}

/* ---- the dashboard ---- */

static int png_height(const char *path)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    int h = cairo_image_surface_get_height(s);
    cairo_surface_destroy(s);
    return h;
}

/* With replicas timeseries.om labels the per-replica series by replica, and the dashboard gains
 * panel (f), each replica's inflight: a taller chart; the CSV of one replica draws the five
 * panels as before. */
static void test_openmetrics_and_dashboard(void **state)
{
    (void)state;
    char dir[] = "/tmp/avalanche-test-replicas.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char csv[128], base1[128], base3[128], png[160];
    snprintf(csv, sizeof csv, "%s/timeseries.csv", dir);
    snprintf(base1, sizeof base1, "%s/one", dir);
    snprintf(base3, sizeof base3, "%s/three", dir);
    params p;
    err e;
    err_clear(&e);
    const char *sets[] = {"sim.seed=3", "apiserver.replicas=3"};
    if (config_load(&p, DATA "one.cfg", sets, 2, &e) < 0)
        fail_msg("%s", e.msg);
    run_output o;
    model_run(&p, 0, 0, NULL, NULL, &o);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    stats_write_timeseries(f, &p, &o);
    fclose(f);
    run_output_free(&o);
    /* OpenMetrics: each per-replica column a series of its family, labelled by replica */
    table *tb = table_read(csv, &e);
    assert_non_null(tb);
    char *om = NULL;
    size_t oml;
    FILE *mf = open_memstream(&om, &oml);
    assert_int_equal(openmetrics_write(mf, tb, 0.0), 0);
    fclose(mf);
    table_free(tb);
    assert_non_null(strstr(om,
                           "\navalanche_apiserver_replica_current_inflight_requests{request_kind="
                           "\"readOnly\",replica=\"2\"} "));
    assert_non_null(
        strstr(om, "\navalanche_apiserver_replica_requests_per_second{replica=\"1\"} "));
    assert_null(strstr(om, "_r0"));
    free(om);
    plot_run_info info = {
        .mutating_cap = 300, .readonly_cap = 1200, .trigger_start_s = 500, .trigger_end_s = 560};
    if (plot_dashboard(csv, base3, PLOT_PNG, &info, &e) != 0)
        fail_msg("%s", e.msg);
    info.mutating_cap = 100;
    info.readonly_cap = 400;
    if (plot_dashboard(DATA "one-timeseries.csv", base1, PLOT_PNG, &info, &e) != 0)
        fail_msg("%s", e.msg);
    snprintf(png, sizeof png, "%s.png", base3);
    int h3 = png_height(png);
    remove(png);
    snprintf(png, sizeof png, "%s.png", base1);
    int h1 = png_height(png);
    remove(png);
    remove(csv);
    rmdir(dir);
    assert_true(h3 > h1 + 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_replica_is_the_old_model),
        cmocka_unit_test(test_three_replicas_repeat),
        cmocka_unit_test(test_three_replicas_columns),
        cmocka_unit_test(test_erlang_b_per_replica),
        cmocka_unit_test(test_restart_moves_kubelets),
        cmocka_unit_test(test_openmetrics_and_dashboard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
