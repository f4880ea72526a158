/* test_fluid: the fluid model's building blocks against closed forms, its equilibria against a
 * case solved by hand, and its classification of the shipped scenarios. */
#include "testutil.h"

#include "config.h"
#include "fluid.h"
#include "params.h"

#include <string.h>
#include <time.h>

/* A cluster with nothing in it: no nodes, no metrics-server, no SA traffic, no trigger. Each
 * test switches on what it measures. */
static void empty(params *p)
{
    params_defaults(p);
    p->cluster.nodes = 0;
    p->metrics_server.enabled = false;
    p->sa_clients.tokens = 0;
    p->sa_clients.rate = 0.0;
    p->trigger.kind = TRIGGER_NONE;
    p->trigger.at_s = 100.0;
    p->sim.warmup_s = 0.0;
    p->sim.duration_s = 400.0;
}

static void load(params *p, const char *path)
{
    err e;
    err_clear(&e);
    if (config_load(p, path, NULL, 0, &e))
        fail_msg("%s", e.msg);
}

static fluid_trace trajectory(const params *p, double dt)
{
    fluid_trace t;
    err e;
    err_clear(&e);
    if (fluid_trajectory(p, dt, &t, &e))
        fail_msg("%s", e.msg);
    assert_true(t.n > 0);
    return t;
}

static fluid_result classify(const params *p)
{
    fluid_result r;
    err e;
    err_clear(&e);
    if (fluid_classify(p, &r, &e))
        fail_msg("%s", e.msg);
    return r;
}

/* ---- building blocks ---- */

/* TTL cache with expiry fixed at insertion, Poisson requests: hit ratio lT / (1 + lT). First
 * the renewal formula the model is built from, then the ODE's own stationary state. */
static void test_ttl_cache_hit_ratio(void **state)
{
    (void)state;
    const double lam[] = {0.05, 0.5, 2.0, 20.0}, ttl[] = {1.0, 10.0, 120.0};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 3; j++) {
            double l = lam[i], T = ttl[j], miss = fluid_token_validation_rate(l, T, 0.0) / l;
            assert_near(1.0 - miss, l * T / (1.0 + l * T), 1e-12);
        }
    /* 100 tokens, 50 requests/s: 0.5/s each, TTL 10 s -> 5/6; validations take ~2 us */
    params p;
    empty(&p);
    p.sa_clients.tokens = 100;
    p.sa_clients.rate = 50.0;
    p.apiserver.sa_lookup.mode = SA_LOOKUP_UNLIMITED;
    dist_set(&p.apiserver.sa_lookup.get_time, DIST_EXPONENTIAL, 1e-6, 1.0);
    fluid_trace t = trajectory(&p, 1.0);
    double hit = t.sa_hit[t.n - 1];
    printf("fluid: SA token cache hit ratio %.6f, closed form %.6f\n", hit, 5.0 / 6.0);
    assert_near(hit, 5.0 / 6.0, 1e-4);
    fluid_trace_free(&t);
}

/* A loss pool in the fluid limit: offered a = lambda s, occupancy min(a, c), blocking
 * max(0, 1 - c/a) (the limit of Erlang B with a/c fixed), up to the last slot's granularity. */
static void test_loss_pool_fluid_limit(void **state)
{
    (void)state;
    const int cap[] = {200, 200, 200, 2000};
    const double offered[] = {100.0, 190.0, 400.0, 4000.0};
    for (int k = 0; k < 4; k++) {
        params p;
        empty(&p);
        p.apiserver.max_mutating_requests_inflight = cap[k];
        p.background.retry_429 = false;
        p.background.mutating_rate = offered[k] / p.apiserver.service_time.mean;
        fluid_trace t = trajectory(&p, 1.0);
        double occ = t.mutating[t.n - 1], blk = t.mut_reject[t.n - 1];
        double c = cap[k], a = offered[k];
        printf("fluid: pool c = %4.0f a = %6.0f: occupancy %8.3f (fluid %6.1f), blocking %.5f "
               "(fluid %.5f)\n",
               c, a, occ, fmin(a, c), blk, fmax(0.0, 1.0 - c / a));
        assert_near(occ, fmin(a, c), 5.0);
        assert_near(blk, fmax(0.0, 1.0 - c / a), 2.0 / c);
        fluid_trace_free(&t);
    }
}

/* A backlog B0 served at capacity mu with inflow lambda < mu empties at B0 / (mu - lambda).
 * The backlog comes from a burst of fresh-token SA requests (one GET each); the inflow is SA
 * traffic spread over so many tokens that nearly every request validates (lambda_token T ~ 1e-5,
 * so the inflow is 10/s within 1e-4). */
static void test_drain_time(void **state)
{
    (void)state;
    params p;
    empty(&p);
    p.apiserver.sa_lookup.gets_per_validation = 1;
    p.sa_clients.tokens = 1000000;
    p.sa_clients.rate = 10.0;
    p.apiserver.request_timeout_s = 1e6; /* no SA failures: only the queue is measured */
    p.trigger.kind = TRIGGER_BURST;
    p.trigger.target = BURST_SA_REQUESTS;
    p.trigger.at_s = 50.0;
    p.trigger.duration_s = 20.0;
    p.trigger.rate = 100.0;
    p.sim.duration_s = 300.0;
    double dt = 0.05;
    fluid_trace t = trajectory(&p, dt);
    size_t ke = (size_t)floor(70.0 / dt + 0.5) - 1, k = ke;
    assert_near(t.t[ke], 70.0, 1e-9);
    double b0 = t.backlog[ke];
    while (k < t.n && t.backlog[k] > 0.0)
        k++;
    assert_true(k < t.n);
    double drain = t.t[k] - t.t[ke], expect = b0 / (p.apiserver.loopback.qps - 10.0);
    printf("fluid: backlog %.1f at the burst's end drains in %.2f s, B0/(mu - lambda) = %.2f s\n",
           b0, drain, expect);
    /* the backlog at the end of the burst: (100 + 10 - 50) x 20 less the bucket's 100 */
    assert_near(b0, 60.0 * 20.0 - 100.0, 2.0);
    assert_near(drain, expect, 2 * dt + 0.002 * expect);
    fluid_trace_free(&t);
}

/* ---- equilibria: a case solved by hand ----
 * Only SA clients: K = 100 tokens, 200 requests/s (lambda = 2/s per token), success TTL
 * T = 10 s, 2 GETs per validation through a 50 qps / burst 100 bucket, GETs of 0.1 ms,
 * pools large enough that nothing is rejected. One token's renewal cycle (fluid.c section 3)
 * with a validation taking W: idle 1/lambda, miss window W (1 + lambda W validations), cached
 * W - (1 - e^{-lambda W})/lambda + T, so validations per token and second
 *   nu(W) = (1 + lambda W) / (1/lambda + 2W + T - (1 - e^{-lambda W})/lambda).
 * GET demand 2 K nu(W) against 50/s:
 *   - B = 0 (W ~ 0): nu = lambda/(1 + lambda T) = 2/21, demand 400/21 = 19.05/s < 50: a healthy
 *     equilibrium, the bucket at x* = -100 + 19.05/50 = -99.619 (tokens available 99.619);
 *   - 2 K nu(W) = 50, i.e. nu = 1/4: 1 + 2W = (10 + 2W + e^{-2W}/2)/4, W = 1 + e^{-2W}/12,
 *     by iteration W* = 1.01103 s, B* = W* qps / 2 = 25.276: the saddle;
 *   - W -> inf: nu -> lambda/2 = 1, demand 200/s > 50: the backlog grows without bound; at the
 *     scan's end (W = 1e4 s) nu = 20001/20010, growth 2 K nu - 50 = 149.91/s. */
static void hand_case(params *p)
{
    empty(p);
    p->sa_clients.tokens = 100;
    p->sa_clients.rate = 200.0;
    p->apiserver.max_requests_inflight = 1000000;
    p->apiserver.max_mutating_requests_inflight = 1000000;
    dist_set(&p->apiserver.sa_lookup.get_time, DIST_EXPONENTIAL, 1e-4, 1.0);
}

static void test_fixed_points_by_hand(void **state)
{
    (void)state;
    params p;
    hand_case(&p);
    fluid_result r;
    err e;
    err_clear(&e);
    if (fluid_fixed_points(&p, &r, &e))
        fail_msg("%s", e.msg);
    for (int k = 0; k < r.nfixed; k++) {
        const fluid_fixed *f = &r.fixed[k];
        printf("fluid: equilibrium %d: %s B = %.4f tokens = %.4f W = %.5f s, GETs %.3f/s, "
               "%s (%d unstable, max Re %.4g /s), growth %.3f/s\n",
               k, f->unbounded ? "unbounded" : "fixed", f->at.backlog, f->at.tokens, f->at.wait_s,
               f->at.gets, f->stable ? "stable" : "unstable", f->unstable_dims, f->max_re,
               f->growth_per_s);
    }
    assert_int_equal(r.nfixed, 3);
    assert_int_equal(r.fixed_failures, 0);
    const fluid_fixed *h = &r.fixed[0], *s = &r.fixed[1], *u = &r.fixed[2];
    assert_false(h->unbounded);
    assert_true(h->stable);
    assert_true(h->at.healthy);
    /* with B = 0 a validation still takes its two GETs, W0 = 0.2 ms: nu(W0) = 2/21 (1 + 4e-4) */
    double nu0 = fluid_token_validation_rate(2.0, 10.0, 2e-4);
    assert_near(nu0, 2.0 / 21.0, 1e-4);
    assert_near(h->at.backlog, 0.0, 0.0);
    assert_near(h->at.gets, 200.0 * nu0, 1e-7);
    assert_near(h->at.tokens, 100.0 - 200.0 * nu0 / 50.0, 1e-8);
    assert_near(h->at.sa_hit, 1.0 - nu0 / 2.0, 1e-9);
    double w = 1.0;
    for (int i = 0; i < 50; i++)
        w = 1.0 + exp(-2.0 * w) / 12.0;
    assert_false(s->unbounded);
    assert_false(s->stable);
    assert_int_equal(s->unstable_dims, 1);
    assert_near(s->at.wait_s, w, 1e-6);
    assert_near(s->at.backlog, 25.0 * (w - 2e-4), 1e-4); /* W = 2 (B / 50 + 0.1 ms) */
    assert_near(s->at.gets, 50.0, 1e-6);
    assert_true(u->unbounded);
    assert_near(u->growth_per_s, 200.0 * 20001.0 / 20010.0 - 50.0, 0.05);
}

/* ---- behaviour on the shipped scenarios ---- */

static void test_unlimited_loopback_recovers(void **state)
{
    (void)state;
    params p;
    load(&p, "tests/data/fluid/incident-flush.cfg");
    fluid_result r = classify(&p);
    printf("fluid: incident: %s, peak backlog %.0f\n", fluid_class_name(r.cls), r.peak_backlog);
    assert_int_equal(r.cls, FLUID_METASTABLE);
    p.apiserver.sa_lookup.mode = SA_LOOKUP_UNLIMITED;
    r = classify(&p);
    printf("fluid: incident without loopback limit: %s, recovery %.0f s\n", fluid_class_name(r.cls),
           r.recovery_s);
    assert_int_equal(r.cls, FLUID_STABLE);
    assert_true(r.recovered_within_window);
    /* one equilibrium, healthy and stable */
    assert_int_equal(r.nfixed, 1);
    assert_true(r.fixed[0].stable && r.fixed[0].at.healthy);
}

static void test_stability_chart_ends(void **state)
{
    (void)state;
    params p;
    load(&p, "tests/data/fluid/stability-flush.cfg");
    p.cluster.nodes = 1000;
    fluid_result r = classify(&p);
    printf("fluid: stability.cfg 1000 nodes: %s\n", fluid_class_name(r.cls));
    assert_int_equal(r.cls, FLUID_STABLE);
    p.cluster.nodes = 8000;
    r = classify(&p);
    printf("fluid: stability.cfg 8000 nodes: %s\n", fluid_class_name(r.cls));
    assert_true(r.cls == FLUID_METASTABLE || r.cls == FLUID_OVERLOADED);
    /* bistable: a healthy stable equilibrium, a saddle, and growth without bound */
    assert_int_equal(r.nfixed, 3);
    assert_true(r.fixed[0].stable && r.fixed[0].at.healthy);
    assert_int_equal(r.fixed[1].unstable_dims, 1);
    assert_true(r.fixed[2].unbounded);
}

/* Other triggers run and end where they should: a restart of the apiserver (everything lost,
 * down 30 s) and a burst, on a small cluster without SA traffic. */
static void test_other_triggers(void **state)
{
    (void)state;
    params p;
    load(&p, "tests/data/fluid/stability-flush.cfg");
    p.cluster.nodes = 1000;
    p.sa_clients.tokens_per_node = 0.0;
    p.sa_clients.rate_per_node = 0.0;
    p.trigger.kind = TRIGGER_APISERVER_RESTART;
    p.trigger.duration_s = 30.0;
    fluid_result r = classify(&p);
    printf("fluid: restart for 30 s: %s, recovery %.0f s\n", fluid_class_name(r.cls), r.recovery_s);
    assert_int_equal(r.cls, FLUID_STABLE);
    assert_true(r.recovery_s > 0.0);
    p.trigger.kind = TRIGGER_BURST;
    p.trigger.target = BURST_TOKENREVIEW;
    p.trigger.rate = 100.0;
    p.trigger.duration_s = 20.0;
    r = classify(&p);
    printf("fluid: TokenReview burst: %s, peak backlog %.0f\n", fluid_class_name(r.cls),
           r.peak_backlog);
    assert_true(r.peak_backlog > 100.0);
}

/* Parameters outside the model are refused with a message, not guessed. */
static void test_refuses_unmodelled(void **state)
{
    (void)state;
    params p;
    params_defaults(&p);
    p.apiserver.cpu.cores = 4;
    fluid_result r;
    err e;
    err_clear(&e);
    assert_int_equal(fluid_classify(&p, &r, &e), -1);
    assert_non_null(strstr(e.msg, "cpu.cores"));
    /* an LRU bound that binds: 10 000 tokens at 1 request/s each, cached 10 s */
    params_defaults(&p);
    p.sa_clients.tokens = 10000;
    p.sa_clients.rate = 10000.0;
    err_clear(&e);
    assert_int_equal(fluid_classify(&p, &r, &e), -1);
    assert_non_null(strstr(e.msg, "max_entries = 4096"));
    p.apiserver.token_cache.max_entries = 0; /* unbounded: modelled */
    p.sim.duration_s = p.trigger.at_s + 120.0;
    p.sim.max_duration_s = p.sim.duration_s;
    err_clear(&e);
    assert_int_equal(fluid_classify(&p, &r, &e), 0);
    /* interventions, failed validations */
    params_defaults(&p);
    p.ninterventions = 1;
    err_clear(&e);
    assert_int_equal(fluid_classify(&p, &r, &e), -1);
    assert_non_null(strstr(e.msg, "interventions"));
    params_defaults(&p);
    p.apiserver.sa_lookup.fail_after_s = 60.0;
    err_clear(&e);
    assert_int_equal(fluid_classify(&p, &r, &e), -1);
    assert_non_null(strstr(e.msg, "fail_after"));
}

/* 100 classifications of the stock chart's kind (10 cluster sizes x 10 webhook TTLs). Prints
 * the time; asserts only that every call succeeds. */
static void test_hundred_classifications(void **state)
{
    (void)state;
    params p;
    load(&p, "tests/data/fluid/stability-flush.cfg");
    struct timespec a, b, ca, cb;
    clock_gettime(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
    int n = 0, cls[FLUID_CLASS_COUNT] = {0};
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++) {
            p.cluster.nodes = 500 + 1000 * i;
            p.kubelet.webhook_cache_ttl_s = 5.0 * pow(60.0, j / 9.0);
            fluid_result r = classify(&p);
            cls[r.cls]++;
            n++;
        }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
    double cpu = (double)(cb.tv_sec - ca.tv_sec) + 1e-9 * (double)(cb.tv_nsec - ca.tv_nsec);
    printf("fluid: %d classifications in %.3f s wall, %.3f s CPU (%.2f ms each): %d stable, "
           "%d metastable, %d overloaded, %d unresolved\n",
           n, s, cpu, 1e3 * cpu / n, cls[FLUID_STABLE], cls[FLUID_METASTABLE],
           cls[FLUID_OVERLOADED], cls[FLUID_UNRESOLVED]);
    assert_int_equal(n, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ttl_cache_hit_ratio),
        cmocka_unit_test(test_loss_pool_fluid_limit),
        cmocka_unit_test(test_drain_time),
        cmocka_unit_test(test_fixed_points_by_hand),
        cmocka_unit_test(test_unlimited_loopback_recovers),
        cmocka_unit_test(test_stability_chart_ends),
        cmocka_unit_test(test_other_triggers),
        cmocka_unit_test(test_refuses_unmodelled),
        cmocka_unit_test(test_hundred_classifications),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
