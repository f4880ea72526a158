/* test_validation: the closed forms of README "Validation", each at two parameter points, on the
 * components and through the full model configured to match the formula's assumptions. Each
 * check runs R independent replications with fixed seeds and requires the formula inside the
 * 95 % Student-t interval of the replication means. Prints one "validation:" row per check. */
#include "testutil.h"

#include "inflight.h"
#include "model.h"
#include "params.h"
#include "retry.h"
#include "rng.h"
#include "sim.h"
#include "stats.h"
#include "tbucket.h"
#include "ttlcache.h"

#include <gsl/gsl_randist.h>
#include <string.h>

enum {
    R = 10
};

/* Erlang B by the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)). */
static double erlang_b(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

/* ---- components on a bare engine ---- */

typedef struct loss {
    inflight pool;
    gsl_rng *r;
    double lambda, mean_s;
    double offered, rejected;
} loss;

static void departure(sim *s, void *obj, uint64_t arg)
{
    (void)s;
    (void)arg;
    inflight_release(&((loss *)obj)->pool);
}

static void arrival(sim *s, void *obj, uint64_t arg)
{
    loss *l = obj;
    (void)arg;
    l->offered++;
    if (inflight_acquire(&l->pool, false) == INFLIGHT_SLOT)
        sim_after(s, gsl_ran_lognormal(l->r, log(l->mean_s) - 0.5 * log(5.0), sqrt(log(5.0))),
                  departure, l, 0);
    else
        l->rejected++;
    sim_after(s, gsl_ran_exponential(l->r, 1.0 / l->lambda), arrival, l, 0);
}

/* Erlang B is insensitive to the service distribution: use lognormal with cv 2. */
static void erlang_component(int c, double a, const char *name)
{
    double x[R];
    for (int i = 0; i < R; i++) {
        loss l = {.lambda = 100.0, .mean_s = a / 100.0};
        inflight_init(&l.pool, c);
        l.r = rng_new(11, (uint64_t)i, 0, RNG_BACKGROUND);
        sim *s = sim_new();
        sim_at(s, 0.0, arrival, &l, 0);
        sim_run(s, 50.0);
        l.offered = l.rejected = 0;
        sim_run(s, 1050.0);
        x[i] = l.rejected / l.offered;
        sim_free(s);
        gsl_rng_free(l.r);
    }
    assert_in_ci(name, ci95(x, R), erlang_b(c, a));
}

static void test_erlang_b_component(void **state)
{
    (void)state;
    erlang_component(10, 8.0, "Erlang B, pool c=10 a=8 (component)");
    erlang_component(5, 6.0, "Erlang B, pool c=5 a=6 (component)");
}

static void ttl_component(double l, double ttl, const char *name)
{
    double x[R];
    for (int i = 0; i < R; i++) {
        gsl_rng *r = rng_new(12, (uint64_t)i, 0, RNG_SA);
        ttlcache *c = ttlcache_new(false, 0);
        double t = 0, hits = 0, n = 0;
        for (int k = 0; k < 40000; k++) {
            t += gsl_ran_exponential(r, 1.0 / l);
            n++;
            if (ttlcache_lookup(c, 1, t, NULL) == TTLCACHE_HIT)
                hits++;
            else
                ttlcache_fill(c, 1, t, ttl, true);
        }
        x[i] = hits / n;
        ttlcache_free(c);
        gsl_rng_free(r);
    }
    assert_in_ci(name, ci95(x, R), l * ttl / (1.0 + l * ttl));
}

static void test_ttl_component(void **state)
{
    (void)state;
    ttl_component(1.0, 10.0, "TTL hit ratio l=1 T=10 (component)");
    ttl_component(0.5, 2.0, "TTL hit ratio l=0.5 T=2 (component)");
}

static void md1_component(double lambda, double rate, const char *name)
{
    double x[R];
    for (int i = 0; i < R; i++) {
        gsl_rng *r = rng_new(13, (uint64_t)i, 0, RNG_SA);
        tbucket b;
        tbucket_init(&b, rate, 1.0, 0.0);
        double t = 0, wait = 0;
        int n = 400000; /* long: at rho = 0.8 the waits are strongly autocorrelated */
        for (int k = 0; k < n; k++) {
            t += gsl_ran_exponential(r, 1.0 / lambda);
            wait += tbucket_reserve(&b, t);
        }
        x[i] = wait / n;
        gsl_rng_free(r);
    }
    double rho = lambda / rate;
    assert_in_ci(name, ci95(x, R), rho / (2.0 * rate * (1.0 - rho)));
}

static void test_md1_component(void **state)
{
    (void)state;
    md1_component(25.0, 50.0, "token bucket burst 1 = M/D/1 rho=0.5 (component)");
    md1_component(8.0, 10.0, "token bucket burst 1 = M/D/1 rho=0.8 (component)");
}

static void retry_component(double p, int attempts, const char *name)
{
    retry pol = {attempts, 0.5, 1.5, 0.2};
    double x[R];
    for (int i = 0; i < R; i++) {
        gsl_rng *r = rng_new(14, (uint64_t)i, 0, RNG_RETRY);
        double total = 0;
        int n = 20000;
        for (int k = 0; k < n; k++) {
            for (int failed = 0;; failed++) {
                total++;
                if (gsl_rng_uniform(r) >= p || !retry_more(&pol, failed))
                    break;
            }
        }
        x[i] = total / n;
        gsl_rng_free(r);
    }
    int N = attempts - 1;
    assert_in_ci(name, ci95(x, R), (1.0 - pow(p, N + 1)) / (1.0 - p));
}

static void test_retry_component(void **state)
{
    (void)state;
    retry_component(0.3, 5, "retry amplification p=0.3 N=4 (component)");
    retry_component(0.8, 10, "retry amplification p=0.8 N=9 (component)");
}

/* ---- through the full model ---- */

/* Everything off: no nodes, no metrics-server, no trigger. */
static void quiet(params *p, double duration)
{
    params_defaults(p);
    p->cluster.nodes = 0;
    p->metrics_server.enabled = false;
    p->trigger.kind = TRIGGER_NONE;
    p->sim.duration_s = duration;
    p->sim.max_duration_s = duration; /* a fixed run length, whatever the class */
    p->sim.warmup_s = 100.0;
    p->trigger.at_s = duration;
    p->sim.seed = 2026;
}

typedef double (*metric)(const summary *s);

static void replicate(const params *p, metric m, double *x)
{
    for (int i = 0; i < R; i++) {
        run_output o;
        summary s;
        model_run(p, (uint64_t)i, 0, NULL, NULL, &o);
        stats_summarize(p, (uint64_t)i, &o, &s);
        x[i] = m(&s);
        run_output_free(&o);
    }
}

static double m_reject_mut(const summary *s)
{
    return s->total[C_REJ_MUT] / s->total[C_REQ_MUT];
}

static double m_inflight_mut(const summary *s)
{
    return s->inflight_mut_mean;
}

static double m_little_pool(const summary *s)
{
    /* lambda (admitted) x mean service time 0.1 s */
    return (s->total[C_REQ_MUT] - s->total[C_REJ_MUT]) / s->measured_s * 0.1;
}

static void erlang_model(int c, double lambda, const char *name, const char *little)
{
    params p;
    quiet(&p, 2100.0);
    p.apiserver.max_mutating_requests_inflight = c;
    dist_set(&p.apiserver.service_time, DIST_EXPONENTIAL, 0.1, 1.0);
    p.background.mutating_rate = lambda;
    p.background.retry_429 = false;
    double x[R], y[R];
    replicate(&p, m_reject_mut, x);
    assert_in_ci(name, ci95(x, R), erlang_b(c, lambda * 0.1));
    /* Little's law on the pool: L = lambda_admitted x E[S]. */
    replicate(&p, m_inflight_mut, x);
    replicate(&p, m_little_pool, y);
    assert_in_ci(little, ci95(x, R), gsl_stats_mean(y, 1, R));
}

static void test_erlang_b_model(void **state)
{
    (void)state;
    erlang_model(10, 80.0, "Erlang B, mutating pool c=10 a=8 (model)",
                 "Little, mutating pool c=10 (model)");
    erlang_model(5, 60.0, "Erlang B, mutating pool c=5 a=6 (model)",
                 "Little, mutating pool c=5 (model)");
}

static double m_tc_hit(const summary *s)
{
    return s->total[C_TC_HIT] / (s->total[C_TC_HIT] + s->total[C_TC_MISS]);
}

static void ttl_model(double l, double ttl, const char *name)
{
    params p;
    quiet(&p, 4100.0);
    p.sa_clients.tokens = 1;
    p.sa_clients.rate = l;
    /* informer lookups validate instantly: the entry is stored at the miss, as the formula has */
    p.apiserver.sa_lookup.mode = SA_LOOKUP_INFORMER;
    p.apiserver.token_cache.success_ttl_s = ttl;
    double x[R];
    replicate(&p, m_tc_hit, x);
    assert_in_ci(name, ci95(x, R), l * ttl / (1.0 + l * ttl));
}

static void test_ttl_model(void **state)
{
    (void)state;
    ttl_model(1.0, 10.0, "apiserver token cache hit ratio l=1 T=10 (model)");
    ttl_model(0.5, 2.0, "apiserver token cache hit ratio l=0.5 T=2 (model)");
}

static double m_lb_wait(const summary *s)
{
    return s->lb_mean_wait_s;
}

static double m_lb_queue(const summary *s)
{
    return s->lb_mean_queue;
}

static double m_little_lb(const summary *s)
{
    return s->total[C_LB_RESERVE] / s->measured_s * s->lb_mean_wait_s;
}

static void md1_model(double lambda, double rate, const char *name, const char *little)
{
    params p;
    quiet(&p, 4100.0);
    p.sa_clients.tokens = 1;
    p.sa_clients.rate = lambda;
    p.apiserver.token_cache.success_ttl_s = 0.0; /* every request validates */
    p.apiserver.sa_lookup.gets_per_validation = 1;
    p.apiserver.loopback.qps = rate;
    p.apiserver.loopback.burst = 1;
    double x[R], y[R];
    replicate(&p, m_lb_wait, x);
    double rho = lambda / rate;
    assert_in_ci(name, ci95(x, R), rho / (2.0 * rate * (1.0 - rho)));
    /* Little's law on the loopback queue: L = lambda W. */
    replicate(&p, m_lb_queue, x);
    replicate(&p, m_little_lb, y);
    assert_in_ci(little, ci95(x, R), gsl_stats_mean(y, 1, R));
}

static void test_md1_model(void **state)
{
    (void)state;
    md1_model(25.0, 50.0, "loopback burst 1 = M/D/1 rho=0.5 (model)",
              "Little, loopback queue rho=0.5 (model)");
    md1_model(8.0, 10.0, "loopback burst 1 = M/D/1 rho=0.8 (model)",
              "Little, loopback queue rho=0.8 (model)");
}

/* Processor sharing on one core with Poisson arrivals and exponential work is M/M/1-PS: the
 * mean number in service is rho / (1 - rho), whatever the order of service. */
static void ps_model(double rho, const char *name)
{
    params p;
    quiet(&p, 4100.0);
    p.apiserver.max_mutating_requests_inflight = 1000000; /* no 429: only the CPU queues */
    dist_set(&p.apiserver.service_time, DIST_EXPONENTIAL, 0.01, 1.0);
    p.apiserver.cpu.cores = 1;
    p.background.mutating_rate = rho / 0.01;
    double x[R];
    replicate(&p, m_inflight_mut, x);
    assert_in_ci(name, ci95(x, R), rho / (1.0 - rho));
}

static void test_processor_sharing_model(void **state)
{
    (void)state;
    ps_model(0.5, "M/M/1-PS mean in system rho=0.5 (model, cpu)");
    ps_model(0.8, "M/M/1-PS mean in system rho=0.8 (model, cpu)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erlang_b_component), cmocka_unit_test(test_ttl_component),
        cmocka_unit_test(test_md1_component),      cmocka_unit_test(test_retry_component),
        cmocka_unit_test(test_erlang_b_model),     cmocka_unit_test(test_ttl_model),
        cmocka_unit_test(test_md1_model),          cmocka_unit_test(test_processor_sharing_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
