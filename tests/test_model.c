/* test_model: determinism and the model's mechanisms, each switched on and off. */
#include "testutil.h"

#include "config.h"
#include "model.h"
#include "params.h"
#include "stats.h"

#include <stdlib.h>
#include <string.h>

/* Runs p and returns the summary; optionally the CSV text of timeseries + summary. */
static summary run(const params *p, char **csv)
{
    run_output o;
    summary s;
    classify *c = classify_new(p);
    model_run(p, 0, 0, classify_hook, c, &o);
    classify_free(c);
    stats_summarize(p, 0, &o, &s);
    if (csv) {
        size_t n;
        FILE *f = open_memstream(csv, &n);
        stats_write_timeseries(f, p, &o);
        stats_summary_header(f);
        stats_summary_row(f, &s);
        fclose(f);
    }
    run_output_free(&o);
    return s;
}

static void small(params *p)
{
    params_defaults(p);
    p->cluster.nodes = 800;
    p->sim.duration_s = 1500.0;
    p->sim.warmup_s = 200.0;
    p->trigger.at_s = 500.0;
}

static void test_determinism(void **state)
{
    (void)state;
    params p;
    small(&p);
    p.sa_clients.tokens = 40;
    p.sa_clients.rate = 30;
    p.background.mutating_rate = 20;
    char *a, *b, *c;
    run(&p, &a);
    run(&p, &b);
    assert_string_equal(a, b);
    p.sim.seed = 2;
    run(&p, &c);
    assert_true(strcmp(a, c) != 0);
    free(a);
    free(b);
    free(c);
}

static void test_certificate_auth_makes_no_tokenreviews(void **state)
{
    (void)state;
    params p;
    small(&p);
    summary s = run(&p, NULL);
    assert_true(s.total[C_TR] > 0);
    assert_true(s.total[C_KC_MISS] > 0);
    p.metrics_server.auth = MS_AUTH_CERTIFICATE;
    s = run(&p, NULL);
    assert_near(s.total[C_TR], 0, 0);
    assert_near(s.scrape_ratio, 1.0, 0.0);
    /* scrapes: 800 nodes each 60 s over the measured 1300 s */
    assert_near(s.total[C_SCRAPE_OK], 800 * 1300 / 60.0, 800 * 1.5);
}

static void test_lookup_modes(void **state)
{
    (void)state;
    params p;
    small(&p);
    p.sa_clients.tokens = 20;
    p.sa_clients.rate = 50;
    summary s = run(&p, NULL);
    assert_true(s.total[C_LB_GETS] > 0);
    /* two GETs per validation (Secret, then ServiceAccount) */
    assert_near(s.total[C_LB_GETS], 2 * s.total[C_VALIDATIONS], 2 * 2 + 1e-9);
    p.apiserver.sa_lookup.mode = SA_LOOKUP_INFORMER;
    s = run(&p, NULL);
    assert_near(s.total[C_LB_GETS], 0, 0);
    assert_true(s.total[C_VALIDATIONS] > 0);
    p.apiserver.sa_lookup.informer_miss = 0.5;
    s = run(&p, NULL);
    double share = s.total[C_LB_GETS] / (2 * s.total[C_VALIDATIONS]);
    assert_near(share, 0.5, 0.06);
    p.apiserver.sa_lookup.mode = SA_LOOKUP_UNLIMITED;
    s = run(&p, NULL);
    assert_true(s.total[C_LB_GETS] > 0);
    assert_near(s.total[C_LB_RESERVE], 0, 0); /* no limiter: no reservations */
}

static void test_coalescing_reduces_validations(void **state)
{
    (void)state;
    params p;
    small(&p);
    p.cluster.nodes = 0;
    p.metrics_server.enabled = false;
    p.sa_clients.tokens = 1;
    p.sa_clients.rate = 200;
    p.apiserver.loopback.qps = 5; /* a slow validation, so misses overlap */
    p.apiserver.loopback.burst = 1;
    p.trigger.kind = TRIGGER_NONE;
    summary plain = run(&p, NULL);
    p.apiserver.token_cache.coalesce = true;
    summary co = run(&p, NULL);
    assert_true(co.total[C_VALIDATIONS] * 5 < plain.total[C_VALIDATIONS]);
    assert_true(co.total[C_VALIDATIONS] > 0);
}

static void test_restart_recovers_small_cluster(void **state)
{
    (void)state;
    params p;
    small(&p);
    p.trigger.kind = TRIGGER_APISERVER_RESTART;
    p.trigger.duration_s = 60.0;
    run_output o;
    classify *c = classify_new(&p);
    model_run(&p, 0, 0, classify_hook, c, &o);
    classify_free(c);
    summary s;
    stats_summarize(&p, 0, &o, &s);
    /* While it is down every heartbeat fails and nodes go NotReady after 40 s. */
    double hb_fail = 0, max_nr = 0;
    for (size_t k = 0; k < o.nsamples; k++)
        if (o.samples[k].t > 510 && o.samples[k].t <= 560) {
            hb_fail += o.samples[k].c[C_HB_FAIL];
            assert_near(o.samples[k].c[C_HB_OK], 0, 0);
        }
    for (size_t k = 0; k < o.nsamples; k++)
        max_nr = fmax(max_nr, o.samples[k].not_ready);
    assert_true(hb_fail > 0);
    assert_true(max_nr > 700); /* most of the 800 nodes */
    /* Stale status counts beats that fail or never finish: none before the restart, every node
     * from interval + timeout after it went down, never more than the nodes. */
    for (size_t k = 0; k < o.nsamples; k++) {
        const sample *x = &o.samples[k];
        assert_true(x->stale >= 0 && x->stale <= p.cluster.nodes);
        if (x->t > 300 && x->t < 500)
            assert_near(x->stale, 0, 0);
        if (x->t >= 521 && x->t <= 560)
            assert_near(x->stale, p.cluster.nodes, 0);
    }
    assert_true(s.hb_ratio < 0.99);
    assert_int_equal(s.cls, CLASS_STABLE);
    assert_true(s.recovery_s > 0 && s.recovery_s < 300);
    assert_near(o.samples[o.nsamples - 1].not_ready, 0, 0);
    run_output_free(&o);
}

static void test_burst_overload_of_mutating_pool(void **state)
{
    (void)state;
    params p;
    small(&p);
    p.trigger.kind = TRIGGER_BURST;
    p.trigger.target = BURST_MUTATING;
    p.trigger.rate = 60000; /* offered load 300 slots against 200 */
    p.trigger.duration_s = 30;
    p.background.retry_429 = false;
    summary s = run(&p, NULL);
    assert_true(s.phase[PHASE_TRIGGER].rejected_per_s > 1000);
    assert_int_equal(s.cls, CLASS_STABLE); /* plain writes hold no loopback: it clears */
}

/* The incident mechanism: 5000 nodes and other SA-token traffic (150 ServiceAccounts, 200
 * requests/s) on the loopback bucket. A cache flush tips 1.12 into a state that persists, with
 * the mutating pool near its cap and TokenReviews timing out (O1, O2); a cap of 800 does not help
 * (O3); 1.14's informer lookups and 1.17's unlimited loopback recover. Certificate auth removes
 * the TokenReviews and the heartbeat failure, but this SA traffic stays degraded by itself (the
 * #71811 symptom), so the run is still not healthy: the test pins that down. */
static void incident(params *p)
{
    params_defaults(p);
    p->sa_clients.tokens = 150;
    p->sa_clients.rate = 200;
}

static void test_incident_mechanism(void **state)
{
    (void)state;
    params p;
    incident(&p);
    summary s = run(&p, NULL);
    assert_int_equal(s.cls, CLASS_METASTABLE);
    assert_true(s.phase[PHASE_BASELINE].inflight_mut < 20);
    assert_true(s.phase[PHASE_RECOVERY].inflight_mut > 100);
    assert_true(s.phase[PHASE_RECOVERY].tr_timeouts_per_s > 1);
    incident(&p);
    p.apiserver.max_mutating_requests_inflight = 800;
    s = run(&p, NULL);
    assert_int_equal(s.cls, CLASS_METASTABLE);
    assert_true(s.phase[PHASE_RECOVERY].inflight_mut > 400);
    incident(&p);
    p.apiserver.sa_lookup.mode = SA_LOOKUP_INFORMER;
    assert_int_equal(run(&p, NULL).cls, CLASS_STABLE);
    incident(&p);
    p.apiserver.sa_lookup.mode = SA_LOOKUP_UNLIMITED;
    assert_int_equal(run(&p, NULL).cls, CLASS_STABLE);
    incident(&p);
    p.metrics_server.auth = MS_AUTH_CERTIFICATE;
    s = run(&p, NULL);
    assert_near(s.total[C_TR], 0, 0);
    assert_true(s.phase[PHASE_RECOVERY].hb_ratio >= 0.99);
    assert_true(s.sa_ratio < 0.9);
    assert_int_equal(s.cls, CLASS_METASTABLE);
}

static void test_overloaded_baseline(void **state)
{
    (void)state;
    params p;
    small(&p);
    p.background.mutating_rate = 50000; /* far beyond 200 slots / 5 ms */
    p.background.retry_429 = false;
    p.sim.duration_s = 1200;
    p.trigger.at_s = 400;
    p.health.recovery_window_s = 300;
    assert_int_equal(run(&p, NULL).cls, CLASS_OVERLOADED);
}

/* Interventions act on the running state, each as its key documents. An intervention set as the
 * config layer resolves it: the field's offset, its type (0 int, 1 double, 3 enum), the value. */
static intervention_set iv_set(const char *key, size_t off, int type, double v)
{
    intervention_set x;
    memset(&x, 0, sizeof x);
    snprintf(x.key, sizeof x.key, "%s", key);
    snprintf(x.text, sizeof x.text, "%s = %g", key, v);
    x.off = off;
    x.type = type;
    x.value = v;
    return x;
}

static double window_sum(const run_output *o, enum counter c, double t0, double t1)
{
    double n = 0;
    for (size_t k = 0; k < o->nsamples; k++)
        if (o->samples[k].t > t0 && o->samples[k].t <= t1)
            n += o->samples[k].c[c];
    return n;
}

static void test_interventions(void **state)
{
    (void)state;
    err e;
    params p;
    /* 1. The SA-token feedback alone (nodes off): metastable after a flush; switching the lookup
     * to 1.17's unlimited loopback at 900 s heals it (reservations already waiting wait it out);
     * a later cap change is recorded and does nothing here. */
    const char *cfg = "tests/data/config/interventions.cfg";
    if (config_load(&p, cfg, NULL, 0, &e) != 0)
        fail_msg("%s", e.msg);
    run_output o;
    classify *c = classify_new(&p);
    model_run(&p, 0, 0, classify_hook, c, &o);
    classify_free(c);
    summary s;
    stats_summarize(&p, 0, &o, &s);
    intervention_outcome r[4];
    stats_interventions(&p, &o, r);
    assert_int_equal(s.cls, CLASS_STABLE);
    assert_true(s.recovery_s > 900 - p.trigger.at_s);
    assert_true(r[0].recovered);
    assert_true(r[0].recovery_s > 0 && r[0].recovery_s < 600);
    /* before the switch the backlog grows; after it, new validations bypass the limiter */
    double gets_before = window_sum(&o, C_LB_GETS, 800, 900) / 100;
    assert_true(gets_before <= p.apiserver.loopback.qps * 1.05);
    char *csv = NULL;
    size_t len;
    FILE *f = open_memstream(&csv, &len);
    stats_write_interventions(f, &p, &o);
    fclose(f);
    assert_non_null(strstr(csv, "index,at,what,recovered,recovery_time\n0,900,"
                                "\"apiserver.sa_lookup.mode = \"\"unlimited\"\"\",1,"));
    free(csv);
    run_output_free(&o);

    /* 2. A certificate switch mid-failure stops new TokenReviews once the webhook loops that were
     * running have finished; a restart intervention drops everything (nothing served while down)
     * and brings the new loopback rate. */
    small(&p);
    p.trigger.kind = TRIGGER_NONE;
    p.sim.duration_s = 1400;
    p.sim.max_duration_s = 1400;
    p.metrics_server.resolution_s = 20; /* many TokenReviews */
    p.kubelet.webhook_cache_ttl_s = 5;
    p.ninterventions = 2;
    intervention *a = &p.interventions[0], *b = &p.interventions[1];
    memset(a, 0, 2 * sizeof *a);
    a->at_s = 800;
    a->kind = INTERVENE_SET;
    a->nsets = 1;
    a->sets[0] = iv_set("metrics_server.auth", offsetof(params, metrics_server.auth), 3,
                        MS_AUTH_CERTIFICATE);
    b->at_s = 1000;
    b->kind = INTERVENE_RESTART;
    b->duration_s = 60;
    b->nsets = 1;
    b->sets[0] = iv_set("apiserver.max_mutating_requests_inflight",
                        offsetof(params, apiserver.max_mutating_requests_inflight), 0, 7);
    model_run(&p, 0, 0, NULL, NULL, &o);
    assert_true(window_sum(&o, C_TR, 700, 800) > 100);
    assert_near(window_sum(&o, C_TR, 900, 1400), 0, 0);
    assert_near(window_sum(&o, C_HB_OK, 1001, 1060), 0, 0); /* down */
    assert_true(window_sum(&o, C_HB_OK, 1100, 1200) > 0);   /* back */
    double maxmut = 0;
    for (size_t k = 0; k < o.nsamples; k++)
        if (o.samples[k].t > 1100)
            maxmut = fmax(maxmut, o.samples[k].inflight_mut);
    assert_true(maxmut <= 7); /* the new process's cap */
    run_output_free(&o);

    /* 3. A ramp moves a rate linearly: the SA request rate follows it. */
    small(&p);
    p.cluster.nodes = 0;
    p.metrics_server.enabled = false;
    p.trigger.kind = TRIGGER_NONE;
    p.sa_clients.tokens = 10;
    p.sa_clients.rate = 10;
    p.apiserver.loopback.qps = 0; /* no feedback: count requests only */
    p.sim.duration_s = p.sim.max_duration_s = 1500;
    p.ninterventions = 1;
    a = &p.interventions[0];
    memset(a, 0, sizeof *a);
    a->at_s = 500;
    a->kind = INTERVENE_RAMP;
    a->duration_s = 500;
    a->nsets = 1;
    a->sets[0] = iv_set("sa_clients.rate", offsetof(params, sa_clients.rate), 1, 110);
    model_run(&p, 0, 0, NULL, NULL, &o);
    double before = window_sum(&o, C_SA_OK, 300, 500) / 200;
    double mid = window_sum(&o, C_SA_OK, 700, 800) / 100; /* the ramp at 60 +- 10 */
    double after = window_sum(&o, C_SA_OK, 1100, 1500) / 400;
    printf("ramp: %.1f/s before, %.1f/s in the middle, %.1f/s after\n", before, mid, after);
    assert_near(before, 10, 4 * sqrt(10.0 / 200));
    assert_near(mid, 60, 4 * sqrt(60.0 / 100) + 1);
    assert_near(after, 110, 4 * sqrt(110.0 / 400));
    run_output_free(&o);
}

/* ASSUMPTION apiserver.sa_lookup.fail_after: a validation still waiting for its GET that long
 * after it started fails. Its reservation's token is spent but the GET is not sent; TokenReviews
 * answer authenticated = false, which the kubelets cache for webhook_failure_ttl (scrapes fail
 * with 401 meanwhile, not retried); 1.12 caches nothing on the apiserver (failure_ttl 0). */
static void test_failing_validations(void **state)
{
    (void)state;
    params p;
    small(&p);
    p.sa_clients.tokens = 150;
    p.sa_clients.rate = 200;
    p.apiserver.sa_lookup.fail_after_s = 5;
    p.sim.max_duration_s = p.sim.duration_s;
    run_output o;
    model_run(&p, 0, 0, NULL, NULL, &o);
    summary s;
    stats_summarize(&p, 0, &o, &s);
    assert_true(s.total[C_VAL_FAIL] > 100);
    /* spent tokens without a GET: fewer GETs than reservations granted */
    double waiting = o.samples[o.nsamples - 1].lb_queue;
    assert_true(s.total[C_LB_GETS] + waiting < 0.99 * s.total[C_LB_RESERVE]);
    assert_true(s.total[C_KC_HIT] > 0);
    double scrape_fail = window_sum(&o, C_SCRAPE_FAIL, 500, 1500);
    assert_true(scrape_fail > 0);
    run_output_free(&o);
    /* without the assumption nothing fails */
    p.apiserver.sa_lookup.fail_after_s = 0;
    model_run(&p, 0, 0, NULL, NULL, &o);
    stats_summarize(&p, 0, &o, &s);
    assert_near(s.total[C_VAL_FAIL], 0, 0);
    run_output_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_certificate_auth_makes_no_tokenreviews),
        cmocka_unit_test(test_lookup_modes),
        cmocka_unit_test(test_coalescing_reduces_validations),
        cmocka_unit_test(test_restart_recovers_small_cluster),
        cmocka_unit_test(test_burst_overload_of_mutating_pool),
        cmocka_unit_test(test_incident_mechanism),
        cmocka_unit_test(test_overloaded_baseline),
        cmocka_unit_test(test_interventions),
        cmocka_unit_test(test_failing_validations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
