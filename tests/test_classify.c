/* test_classify: the trend test on hand-built series, the classifier on hand-built sample
 * series (slow drain, flat bad state, relapse, unresolved, overloaded), and through the model:
 * a backlog with a closed-form drain time, a growing backlog, and early decisions against runs
 * to the horizon. */
#include "testutil.h"

#include "classify.h"
#include "config.h"
#include "err.h"
#include "model.h"
#include "params.h"
#include "stats.h"
#include "xmem.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

/* ---- the trend test ---- */

static gsl_rng *rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

/* level + slope t + a sawtooth of the given period and amplitude + AR(1) noise (phi, sd). */
static void series(double *w, size_t n, double level, double slope, double period, double amp,
                   double phi, double sd, gsl_rng *r)
{
    double e = 0;
    for (size_t i = 0; i < n; i++) {
        e = phi * e + gsl_ran_gaussian(r, sd);
        double saw = period > 0 ? amp * (fmod((double)i, period) / period - 0.5) : 0;
        w[i] = level + slope * (double)i + saw + e;
    }
}

static void test_trend_flat_and_rising(void **state)
{
    (void)state;
    double w[600];
    trend t;
    for (size_t i = 0; i < 600; i++)
        w[i] = 5000;
    classify_trend(w, 600, 1.0, &t);
    assert_true(t.ok);
    assert_false(t.draining); /* a stationary bad state is sustained */
    assert_near(t.rate_per_s, 0, 1e-12);
    /* noisy, autocorrelated and wavy flat states: sustained nearly always */
    gsl_rng *r = rng(1);
    int drain_iid = 0, drain_ar = 0, drain_wave = 0;
    for (int s = 0; s < 200; s++) {
        series(w, 600, 5000, 0, 0, 0, 0, 200, r);
        classify_trend(w, 600, 1.0, &t);
        drain_iid += t.draining;
        series(w, 600, 5000, 0, 0, 0, 0.9, 60, r); /* correlation time of 19 samples */
        classify_trend(w, 600, 1.0, &t);
        drain_ar += t.draining;
        series(w, 600, 5000, 0, 60, 2000, 0.5, 100, r);
        classify_trend(w, 600, 1.0, &t);
        drain_wave += t.draining;
    }
    printf("trend: flat states read as draining: iid %d/200, AR(1) %d/200, waves %d/200\n",
           drain_iid, drain_ar, drain_wave);
    assert_true(drain_iid <= 6);
    assert_true(drain_ar <= 10);
    assert_true(drain_wave <= 6);
    /* rising: never a drain */
    for (int s = 0; s < 50; s++) {
        series(w, 600, 5000, 3, 60, 2000, 0.5, 100, r);
        classify_trend(w, 600, 1.0, &t);
        assert_false(t.draining);
        assert_true(t.rate_per_s > 0);
    }
    gsl_rng_free(r);
}

static void test_trend_drains(void **state)
{
    (void)state;
    double w[600];
    trend t;
    /* exact linear drain: the rate is recovered exactly */
    for (size_t i = 0; i < 600; i++)
        w[i] = 10000 - 2.0 * (double)i;
    classify_trend(w, 600, 1.0, &t);
    assert_true(t.ok && t.draining);
    assert_near(t.rate_per_s, -2.0, 1e-9);
    gsl_rng *r = rng(2);
    for (int s = 0; s < 100; s++) {
        /* slow: 10 % over the window, a drain that would take another hour and a half */
        series(w, 600, 10000, -1000.0 / 600, 0, 0, 0, 100, r);
        classify_trend(w, 600, 1.0, &t);
        assert_true(t.draining);
        /* noisy: waves of +-1000 and noise of 1000 on a drain of 3000 over the window */
        series(w, 600, 10000, -3000.0 / 600, 60, 2000, 0.3, 1000, r);
        classify_trend(w, 600, 1.0, &t);
        assert_true(t.draining);
    }
    gsl_rng_free(r);
    /* too short to judge */
    classify_trend(w, 8, 1.0, &t);
    assert_false(t.ok);
}

/* ---- the classifier on hand-built samples ---- */

/* SA clients only, judged by their success; the outstanding work is out_vals. */
static void synth_params(params *p)
{
    params_defaults(p);
    p->cluster.nodes = 0;
    p->metrics_server.enabled = false;
    p->sa_clients.tokens = 1;
    p->sa_clients.rate = 10;
    p->sim.warmup_s = 100;
    p->sim.duration_s = 1000;
    p->sim.max_duration_s = 3000;
    p->trigger.at_s = 300;
    p->health.recovery_window_s = 200;
}

/* One sample at t: healthy (10 ok) or not (10 failed), outstanding work w. One failed sample
 * in a 60-sample window is 1.7 % failures: unhealthy, so health returns 59 samples after the
 * last failed one. */
static void push(classify *c, double t, int healthy, double w)
{
    sample x;
    memset(&x, 0, sizeof x);
    x.t = t;
    x.c[C_SA_OK] = healthy ? 10 : 0;
    x.c[C_SA_FAIL] = healthy ? 0 : 10;
    x.out_vals = w;
    classify_push(c, &x);
}

/* Feeds samples t = 1, 2, ... while the run would go on; returns the time it stops at. */
typedef int (*synth_fn)(double t, double *w, void *ctx);

static double feed(classify *c, const params *p, synth_fn fn, void *ctx, int early)
{
    double horizon = classify_horizon(p);
    for (double t = 1;; t++) {
        double w;
        int h = fn(t, &w, ctx);
        push(c, t, h, w);
        if (classify_done(c, early) || t >= horizon)
            return t;
    }
}

static int healthy_always(double t, double *w, void *ctx)
{
    (void)t;
    (void)ctx;
    *w = 10;
    return 1;
}

/* unhealthy from the trigger until `until`, the work draining linearly to 10 there */
typedef struct drain {
    double until, from_w;
    gsl_rng *r;
    double noise;
} drain;

static int drains(double t, double *w, void *ctx)
{
    drain *d = ctx;
    double frac = (t - 300) / (d->until - 300);
    *w = t <= 300 ? 10 : t < d->until ? d->from_w * (1 - frac) + 10 * frac : 10;
    if (d->r && t > 300 && t < d->until)
        *w += gsl_ran_gaussian(d->r, d->noise);
    return t <= 300 || t >= d->until;
}

/* The trace of a backlog that holds level for an hour and then drains (1.12 with today's APF
 * objects, paper/figures.sh 5e): a slow drain of 2/s from 6000 down to the baseline at 3295 s,
 * under waves of 12000 for 40 s every 300 s and noise of 1500. No 600 s window sees it fall. */
static int spiky_drain(double t, double *w, void *ctx)
{
    gsl_rng *r = ctx;
    double until = 300 + (6000 - 10) / 2.0;
    if (t <= 300 || t >= until) {
        *w = 10;
        return 1;
    }
    *w = 6000 - 2 * (t - 300) + (fmod(t, 300) < 40 ? 12000 : 0) + gsl_ran_gaussian(r, 1500);
    if (*w < 0)
        *w = 0;
    return 0;
}

/* a bad state whose work grows by 1/s under noise of 100 */
static int growing_bad(double t, double *w, void *ctx)
{
    gsl_rng *r = ctx;
    *w = t <= 300 ? 10 : 5000 + (t - 300) + gsl_ran_gaussian(r, 100);
    return t <= 300;
}

static int flat_bad(double t, double *w, void *ctx)
{
    gsl_rng *r = ctx;
    *w = t <= 300 ? 10 : 5000 + gsl_ran_gaussian(r, 100);
    return t <= 300;
}

/* bad 300-500 (draining), healthy 500-900 (health holds from 559: a real recovery), bad again
 * from 900: flat, or draining until 1150 */
static int relapse(double t, double *w, void *ctx)
{
    int heals = *(int *)ctx;
    if (t <= 300 || (t >= 500 && t <= 900)) {
        *w = 10;
        return 1;
    }
    if (t < 500) {
        *w = 5000 - 20 * (t - 300);
        return 0;
    }
    if (!heals) {
        *w = 3000 + 50 * sin(t / 7);
        return 0;
    }
    *w = t < 1150 ? 3000 - 10 * (t - 900) : 10;
    return t >= 1150;
}

/* recurring outages after the trigger: every 180 s a wave of work that drains within 70 s, with
 * health back in between for about two minutes, never for health.hold */
static int flicker(double t, double *w, void *ctx)
{
    (void)ctx;
    if (t <= 300) {
        *w = 10;
        return 1;
    }
    double ph = fmod(t - 300, 180);
    *w = ph < 8 ? 10 + 1000 * ph : ph < 70 ? 8010 - 8000 * (ph - 8) / 62 : 10;
    return ph >= 8;
}

static int unresolved_drain(double t, double *w, void *ctx)
{
    (void)ctx;
    *w = t <= 300 ? 10 : 100000 - 10 * (t - 300);
    return t <= 300;
}

static int overloaded(double t, double *w, void *ctx)
{
    (void)ctx;
    *w = 50;
    return !(t >= 200 && t < 230); /* unhealthy for a while in the baseline */
}

static void test_judge_hand_built(void **state)
{
    (void)state;
    params p;
    synth_params(&p);
    params q;
    verdict v;
    classify *c;

    /* healthy all along: stops at sim.duration, stable, no outage */
    c = classify_new(&p);
    assert_near(feed(c, &p, healthy_always, NULL, 1), 1000, 0);
    classify_verdict(c, 1, &v);
    assert_int_equal(v.cls, CLASS_STABLE);
    assert_near(v.recovery_s, 0, 0);
    assert_true(v.within_window);
    classify_free(c);

    /* slow drain past sim.duration: the run goes on, recovers at 1200 and stops once health has
     * held health.hold = 300 s; its recovery time is measured, beyond the operator's window */
    drain d = {1200, 10000, NULL, 0};
    c = classify_new(&p);
    double stop = feed(c, &p, drains, &d, 1);
    classify_verdict(c, 1, &v);
    assert_int_equal(v.cls, CLASS_STABLE);
    assert_near(v.recovery_s, 1200 + 59 - 300, 0);
    assert_false(v.within_window);
    assert_near(stop, 1259 + 300, 0);
    classify_free(c);

    /* the same drain with noise of 5 % of its level: never mistaken for sustained */
    gsl_rng *r = rng(3);
    for (int s = 0; s < 20; s++) {
        drain dn = {1400, 10000, r, 500};
        c = classify_new(&p);
        feed(c, &p, drains, &dn, 1);
        classify_verdict(c, 1, &v);
        assert_int_equal(v.cls, CLASS_STABLE);
        assert_near(v.recovery_s, 1400 + 59 - 300, 0);
        classify_free(c);
    }

    /* flat bad state: metastable, but judged only at the horizon: "not falling" is no evidence
     * that it will not fall later */
    c = classify_new(&p);
    stop = feed(c, &p, flat_bad, r, 1);
    classify_verdict(c, 1, &v);
    assert_int_equal(v.cls, CLASS_METASTABLE);
    assert_near(stop, classify_horizon(&p), 0);
    assert_true(isnan(v.recovery_s));
    classify_free(c);

    /* growing bad state: metastable, decided once it has sustained itself for CLASSIFY_SUSTAIN
     * trend windows from the trigger's end (the first verdicts need a few samples) */
    c = classify_new(&p);
    stop = feed(c, &p, growing_bad, r, 1);
    classify_verdict(c, 1, &v);
    assert_int_equal(v.cls, CLASS_METASTABLE);
    double sustain = CLASSIFY_SUSTAIN * p.health.trend_window_s;
    assert_true(stop >= 300 + sustain && stop <= 300 + sustain + 60);
    assert_near(v.work_rate_per_s, 1, 0.1);
    classify_free(c);

    /* a slow drain hidden in waves: each 600 s window reads "sustained", yet the fastest drain the
     * last 30 minutes allow could clear the backlog before the horizon, so the run goes on, and
     * it recovers: stable, never stopped as metastable */
    q = p;
    q.sim.max_duration_s = 4000;
    for (int s = 0; s < 5; s++) {
        c = classify_new(&q);
        stop = feed(c, &q, spiky_drain, r, 1);
        classify_verdict(c, 1, &v);
        assert_int_equal(v.cls, CLASS_STABLE);
        assert_true(stop >= 3295);
        classify_free(c);
    }

    /* relapse after a healthy stretch: the run ends unhealthy and sustained: metastable */
    int heals = 0;
    c = classify_new(&p);
    feed(c, &p, relapse, &heals, 1);
    classify_verdict(c, 1, &v);
    assert_int_equal(v.cls, CLASS_METASTABLE);
    classify_free(c);
    /* ... and when the relapse drains too, the recovery time counts from the last recovery */
    heals = 1;
    c = classify_new(&p);
    feed(c, &p, relapse, &heals, 1);
    classify_verdict(c, 1, &v);
    assert_int_equal(v.cls, CLASS_STABLE);
    assert_near(v.recovery_s, 1150 + 59 - 300, 0);
    classify_free(c);

    /* recurring outages never hold a recovery: metastable at the horizon (their work does not
     * grow), and also when the horizon happens to end in a healthy gap */
    c = classify_new(&p);
    stop = feed(c, &p, flicker, NULL, 1);
    classify_verdict(c, 1, &v);
    assert_int_equal(v.cls, CLASS_METASTABLE);
    assert_near(stop, classify_horizon(&p), 0);
    classify_free(c);
    q = p;
    q.sim.max_duration_s = 1000 + 150; /* the last samples are healthy (phase 130..), not held */
    c = classify_new(&q);
    for (double t = 1; t <= 1150; t++) {
        double w;
        int h = flicker(t, &w, NULL);
        push(c, t, h, w);
    }
    classify_verdict(c, 0, &v);
    assert_int_equal(v.cls, CLASS_METASTABLE);
    classify_free(c);

    /* still draining at the horizon: unresolved, with the projected recovery time of the drain
     * (work 100000 falling 10/s from t = 300 reaches the baseline level 10 at 10299, plus the
     * health window) */
    c = classify_new(&p);
    stop = feed(c, &p, unresolved_drain, NULL, 1);
    assert_near(stop, 3000, 0);
    classify_verdict(c, 0, &v);
    assert_int_equal(v.cls, CLASS_UNRESOLVED);
    assert_near(v.projected_s, 10299 + 60 - 300, 0.01 * 10000);
    assert_near(v.work_rate_per_s, -10, 1e-6);
    classify_free(c);

    /* overloaded: unhealthy in the baseline (once its window is after the warm-up); a sweep
     * stops there, a run goes on to sim.duration */
    c = classify_new(&p);
    assert_near(feed(c, &p, overloaded, NULL, 1), 200, 0);
    classify_verdict(c, 1, &v);
    assert_int_equal(v.cls, CLASS_OVERLOADED);
    classify_free(c);
    c = classify_new(&p);
    assert_near(feed(c, &p, overloaded, NULL, 0), 1000, 0);
    classify_verdict(c, 1, &v);
    assert_int_equal(v.cls, CLASS_OVERLOADED);
    classify_free(c);
    gsl_rng_free(r);
}

/* ---- through the model ---- */

static summary run(const params *p, uint64_t rep, int early, run_output *keep)
{
    run_output o;
    classify *c = early ? classify_new(p) : NULL;
    model_run(p, rep, 0, early ? classify_hook : NULL, c, &o);
    classify_free(c);
    summary s;
    stats_summarize(p, rep, &o, &s);
    if (keep)
        *keep = o;
    else
        run_output_free(&o);
    return s;
}

/* No other traffic: pods with one SA token (1 request/s, coalesced misses, 1 s request timeout,
 * so a request fails whenever its validation waits more than a second) and a burst of fresh
 * tokens, each a validation of 2 GETs, nothing retried. */
static void drain_params(params *p, double burst_rate)
{
    params_defaults(p);
    p->cluster.nodes = 0;
    p->metrics_server.enabled = false;
    p->sa_clients.tokens = 1;
    p->sa_clients.rate = 1;
    p->apiserver.token_cache.coalesce = true;
    p->apiserver.request_timeout_s = 1;
    p->sim.warmup_s = 100;
    p->sim.duration_s = 600;
    p->sim.max_duration_s = 3600;
    p->trigger.kind = TRIGGER_BURST;
    p->trigger.target = BURST_SA_REQUESTS;
    p->trigger.at_s = 200;
    p->trigger.duration_s = 60;
    p->trigger.rate = burst_rate;
    p->health.recovery_window_s = 300;
}

static void test_drain_closed_form(void **state)
{
    (void)state;
    double rates[] = {200, 300};
    for (int i = 0; i < 2; i++) {
        params p;
        drain_params(&p, rates[i]);
        summary s = run(&p, 0, 1, NULL);
        /* N burst validations need 2N loopback tokens: the bucket's burst at once, the rest at
         * qps, all queued in FIFO order, so the backlog is gone at trigger.at + (2N - burst) /
         * qps. The last request to wait longer than its 1 s timeout came just before; health
         * returns a health window later. Recovery counts from the burst's end. */
        double n = s.total[C_BURST_OK] + s.total[C_BURST_FAIL];
        double drain_end =
            p.trigger.at_s + (2 * n - p.apiserver.loopback.burst) / p.apiserver.loopback.qps;
        double want = drain_end - p.apiserver.request_timeout_s + p.health.window_s -
                      classify_trigger_end(&p);
        printf("validation: drain of %.0f validations: recovery formula %.1f s simulated %.1f s "
               "(%.1f %%)\n",
               n, want, s.recovery_s, 100 * (s.recovery_s - want) / want);
        assert_int_equal(s.cls, CLASS_STABLE);
        assert_true(want > p.health.recovery_window_s);
        assert_near(s.recovery_s, want, 0.1 * want);
        assert_false(s.within_window);
        assert_true(s.end_s > p.sim.duration_s); /* went on past sim.duration to measure it */
    }
}

/* 150 SA tokens at 200 requests/s and no coalescing, the incident's SA traffic without the
 * cluster: after a cache flush every expiring token's miss window fills with validations, about
 * 200/s against the 25/s the loopback admits. */
static void growing_params(params *p)
{
    params_defaults(p);
    p->cluster.nodes = 0;
    p->metrics_server.enabled = false;
    p->sa_clients.tokens = 150;
    p->sa_clients.rate = 200;
    p->sim.warmup_s = 100;
    p->sim.duration_s = 600;
    p->sim.max_duration_s = 3600;
    p->trigger.at_s = 200;
    p->health.recovery_window_s = 300;
}

static void test_growing_backlog_decided_early(void **state)
{
    (void)state;
    params p;
    growing_params(&p);
    run_output o;
    summary s = run(&p, 0, 1, &o);
    assert_int_equal(s.cls, CLASS_METASTABLE);
    assert_true(o.stopped_early);
    assert_true(s.end_s < p.sim.max_duration_s);
    /* sustained for CLASSIFY_SUSTAIN trend windows since soon after the flush */
    assert_true(s.end_s <= p.trigger.at_s + (CLASSIFY_SUSTAIN + 1) * p.health.trend_window_s);
    assert_true(s.work_rate_per_s > 10); /* the backlog grows by validations per second */
    run_output_free(&o);
}

/* Early decisions against runs to the horizon without early stop: every class must agree. */
typedef struct pair_case {
    const char *what;
    void (*set)(params *p);
} pair_case;

static void c_sa150(params *p)
{
    growing_params(p);
}
static void c_sa60(params *p)
{
    growing_params(p);
    p->sa_clients.rate = 60;
}
static void c_sa100(params *p)
{
    growing_params(p);
    p->sa_clients.rate = 100;
}
static void c_sa_coalesced(params *p)
{
    growing_params(p);
    p->apiserver.token_cache.coalesce = true;
}
static void c_burst200(params *p)
{
    drain_params(p, 200);
}
static void c_burst400(params *p)
{
    drain_params(p, 400);
}
static void c_burst_small(params *p)
{
    drain_params(p, 30);
}
static void c_overloaded(params *p)
{
    growing_params(p);
    p->sa_clients.tokens = 2000;
    p->sa_clients.rate = 400;
}
static void c_nodes_flush(params *p)
{
    growing_params(p);
    p->cluster.nodes = 300;
    p->metrics_server.enabled = true;
    p->sa_clients.tokens = 20;
    p->sa_clients.rate = 20;
}
static void c_nodes_restart(params *p)
{
    c_nodes_flush(p);
    p->trigger.kind = TRIGGER_APISERVER_RESTART;
    p->trigger.duration_s = 30;
}
static void c_nodes_sa(params *p)
{
    c_nodes_flush(p);
    p->sa_clients.tokens = 150;
    p->sa_clients.rate = 200;
}

static void test_early_agrees_with_horizon(void **state)
{
    (void)state;
    static const pair_case cases[] = {
        {"SA 150 tokens 200/s, flush", c_sa150},     {"SA 150 tokens 60/s, flush", c_sa60},
        {"SA 150 tokens 100/s, flush", c_sa100},     {"SA 200/s coalesced, flush", c_sa_coalesced},
        {"burst 200/s for 60 s", c_burst200},        {"burst 400/s for 60 s", c_burst400},
        {"burst 30/s for 60 s", c_burst_small},      {"SA 2000 tokens 400/s", c_overloaded},
        {"300 nodes, flush", c_nodes_flush},         {"300 nodes, restart 30 s", c_nodes_restart},
        {"300 nodes + SA 200/s, flush", c_nodes_sa},
    };
    size_t ncases = sizeof cases / sizeof cases[0];
    unsigned by[CLASS_COUNT] = {0}, agree = 0, pairs = 0, slow = 0;
    for (size_t i = 0; i < ncases; i++)
        for (uint64_t rep = 0; rep < 3; rep++) {
            params p;
            cases[i].set(&p);
            summary e = run(&p, rep, 1, NULL);
            summary l = run(&p, rep, 0, NULL);
            pairs++;
            agree += e.cls == l.cls;
            by[l.cls]++;
            slow += e.cls == CLASS_STABLE && e.recovery_s > p.health.recovery_window_s;
            printf("agreement: %-30s rep %llu: early %-10s (stopped at %6.0f s) horizon %-10s "
                   "(%6.0f s)\n",
                   cases[i].what, (unsigned long long)rep, run_class_name(e.cls), e.end_s,
                   run_class_name(l.cls), l.end_s);
            if (e.cls != l.cls)
                fail_msg("%s rep %llu: early %s, horizon %s", cases[i].what,
                         (unsigned long long)rep, run_class_name(e.cls), run_class_name(l.cls));
        }
    /* runs of the paper's 5000-node configs where a weaker early stop went wrong or a class is
     * rare: a plateau under waves that drains after 1.6 h (the old "not falling for 30 minutes"
     * stopped it as metastable), a backlog that grows for half an hour below the trigger's peak
     * and still drains at its 2 h horizon, a backlog that grows without end, and an incident run
     * still draining at 4 h */
    static const struct {
        const char *what, *path;
        uint64_t rep;
    } files[] = {
        {"1.12 + today's APF objects", "configs/paper-apf-current-only.cfg", 5},
        {"mechanism point, cap 1000", "configs/paper-mechanisms.cfg", 11},
        {"cap 2000 mitigation", "configs/mitigation-inflight-2000.cfg", 0},
        {"1.12 incident", "configs/k8s-1.12-incident.cfg", 0},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        params p;
        err e;
        if (config_load(&p, files[i].path, NULL, 0, &e) != 0)
            fail_msg("%s: %s", files[i].path, e.msg);
        summary es = run(&p, files[i].rep, 1, NULL);
        summary l = run(&p, files[i].rep, 0, NULL);
        pairs++;
        agree += es.cls == l.cls;
        by[l.cls]++;
        printf("agreement: %-30s rep %llu: early %-10s (stopped at %6.0f s) horizon %-10s "
               "(%6.0f s)\n",
               files[i].what, (unsigned long long)files[i].rep, run_class_name(es.cls), es.end_s,
               run_class_name(l.cls), l.end_s);
        if (es.cls != l.cls)
            fail_msg("%s rep %llu: early %s, horizon %s", files[i].what,
                     (unsigned long long)files[i].rep, run_class_name(es.cls),
                     run_class_name(l.cls));
    }
    printf("agreement: %u of %u pairs agree (stable %u of which slow %u, metastable %u, "
           "overloaded %u, unresolved %u)\n",
           agree, pairs, by[CLASS_STABLE], slow, by[CLASS_METASTABLE], by[CLASS_OVERLOADED],
           by[CLASS_UNRESOLVED]);
    assert_true(pairs >= 30);
    assert_true(by[CLASS_STABLE] > 0 && by[CLASS_METASTABLE] > 0 && by[CLASS_OVERLOADED] > 0 &&
                by[CLASS_UNRESOLVED] > 0);
    assert_true(slow > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trend_flat_and_rising),
        cmocka_unit_test(test_trend_drains),
        cmocka_unit_test(test_judge_hand_built),
        cmocka_unit_test(test_drain_closed_form),
        cmocka_unit_test(test_growing_backlog_decided_early),
        cmocka_unit_test(test_early_agrees_with_horizon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
