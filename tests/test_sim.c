/* test_sim: the engine: time order, FIFO ties, cancellation, horizon, stop, context. */
#include "testutil.h"

#include "sim.h"

#include <gsl/gsl_rng.h>
#include <stdlib.h>

typedef struct evlog {
    double t[4096];
    uint64_t id[4096];
    int n;
} evlog;

static void record(sim *s, void *obj, uint64_t arg)
{
    evlog *l = obj;
    l->t[l->n] = sim_now(s);
    l->id[l->n++] = arg;
}

static void test_time_order(void **state)
{
    (void)state;
    sim *s = sim_new();
    static evlog l;
    l.n = 0;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (uint64_t i = 0; i < 3000; i++)
        sim_at(s, gsl_rng_uniform(r) * 100.0, record, &l, i);
    assert_int_equal(sim_pending(s), 3000);
    assert_int_equal(sim_run(s, 1000.0), 3000);
    assert_int_equal(l.n, 3000);
    for (int i = 1; i < l.n; i++)
        assert_true(l.t[i - 1] <= l.t[i]);
    assert_near(sim_now(s), 1000.0, 0.0);
    gsl_rng_free(r);
    sim_free(s);
}

static void test_fifo_ties(void **state)
{
    (void)state;
    sim *s = sim_new();
    static evlog l;
    l.n = 0;
    /* Same time, interleaved with other times: ties run in insertion order. */
    for (uint64_t i = 0; i < 1000; i++)
        sim_at(s, (i % 3) == 0 ? 5.0 : 7.0, record, &l, i);
    sim_run(s, 10.0);
    uint64_t last5 = 0, last7 = 0;
    int first5 = 1, first7 = 1;
    for (int i = 0; i < l.n; i++) {
        if (l.t[i] == 5.0) {
            assert_true(first5 || l.id[i] > last5);
            last5 = l.id[i];
            first5 = 0;
        } else {
            assert_true(first7 || l.id[i] > last7);
            last7 = l.id[i];
            first7 = 0;
        }
    }
    assert_int_equal(l.n, 1000);
    sim_free(s);
}

static void schedule_at_now(sim *s, void *obj, uint64_t arg)
{
    record(s, obj, arg);
    if (arg < 5)
        sim_after(s, 0.0, schedule_at_now, obj, arg + 1);
}

static void test_zero_delay_runs_after_pending_ties(void **state)
{
    (void)state;
    sim *s = sim_new();
    static evlog l;
    l.n = 0;
    sim_at(s, 1.0, schedule_at_now, &l, 0);
    sim_at(s, 1.0, record, &l, 100);
    sim_run(s, 2.0);
    /* 0 runs, then 100 (scheduled earlier at the same time), then 1..5. */
    uint64_t want[] = {0, 100, 1, 2, 3, 4, 5};
    assert_int_equal(l.n, 7);
    for (int i = 0; i < 7; i++)
        assert_int_equal(l.id[i], want[i]);
    sim_free(s);
}

static void test_cancel(void **state)
{
    (void)state;
    sim *s = sim_new();
    static evlog l;
    l.n = 0;
    sim_handle h[100];
    for (uint64_t i = 0; i < 100; i++)
        h[i] = sim_at(s, (double)i, record, &l, i);
    for (int i = 0; i < 100; i += 2)
        assert_int_equal(sim_cancel(s, h[i]), 1);
    assert_int_equal(sim_cancel(s, h[0]), 0); /* twice */
    assert_int_equal(sim_cancel(s, 0), 0);    /* never valid */
    assert_int_equal(sim_pending(s), 50);
    sim_run(s, 1000.0);
    assert_int_equal(l.n, 50);
    for (int i = 0; i < l.n; i++)
        assert_int_equal(l.id[i] % 2, 1);
    /* A handle whose event ran is stale, even after its slot is reused. */
    sim_handle again = sim_at(s, 2000.0, record, &l, 7);
    assert_int_equal(sim_cancel(s, h[1]), 0);
    assert_int_equal(sim_cancel(s, again), 1);
    assert_int_equal(sim_pending(s), 0);
    sim_free(s);
}

static void test_horizon(void **state)
{
    (void)state;
    sim *s = sim_new();
    static evlog l;
    l.n = 0;
    sim_at(s, 1.0, record, &l, 1);
    sim_at(s, 5.0, record, &l, 5);
    sim_at(s, 5.0 + 1e-9, record, &l, 6);
    assert_int_equal(sim_run(s, 5.0), 2); /* events at exactly the horizon run */
    assert_near(sim_now(s), 5.0, 0.0);
    assert_int_equal(sim_pending(s), 1);
    assert_int_equal(sim_run(s, 10.0), 1);
    assert_near(sim_now(s), 10.0, 0.0);
    assert_int_equal(sim_events(s), 3);
    sim_free(s);
}

static void stopper(sim *s, void *obj, uint64_t arg)
{
    record(s, obj, arg);
    if (arg == 3)
        sim_stop(s);
}

static void test_stop_and_context(void **state)
{
    (void)state;
    sim *s = sim_new();
    static evlog l;
    l.n = 0;
    int owner = 42;
    sim_set_context(s, &owner);
    assert_ptr_equal(sim_context(s), &owner);
    for (uint64_t i = 0; i < 10; i++)
        sim_at(s, (double)i, stopper, &l, i);
    assert_int_equal(sim_run(s, 100.0), 4);
    assert_near(sim_now(s), 3.0, 0.0); /* stopped at the event, not at the horizon */
    assert_int_equal(sim_run(s, 100.0), 6);
    sim_free(s);
}

/* Two engines in one process do not share anything. */
static void test_independent_engines(void **state)
{
    (void)state;
    sim *a = sim_new(), *b = sim_new();
    static evlog la, lb;
    la.n = lb.n = 0;
    sim_at(a, 1.0, record, &la, 1);
    sim_at(b, 2.0, record, &lb, 2);
    sim_run(a, 10.0);
    assert_int_equal(la.n, 1);
    assert_int_equal(lb.n, 0);
    assert_near(sim_now(b), 0.0, 0.0);
    sim_free(a);
    sim_free(b);
    sim_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_order),
        cmocka_unit_test(test_fifo_ties),
        cmocka_unit_test(test_zero_delay_runs_after_pending_ties),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_horizon),
        cmocka_unit_test(test_stop_and_context),
        cmocka_unit_test(test_independent_engines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
