/* test_capacity: the bisection with sequential stopping on synthetic classifiers whose
 * threshold is known: a step, a smooth logistic, a non-monotone one, and the range's ends. */
#include "testutil.h"

#include "capacity.h"

#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

typedef struct synth {
    double theta, width; /* P(stable) = 1 / (1 + exp((v - theta) / width)); width 0: a step */
    int nonmono;         /* stable on [0, 30] and [50, 70] only */
    int rising;          /* a step the other way: stable from theta on */
} synth;

/* A Bernoulli draw decided by (v, rep) alone, whatever thread runs it. */
static int draw(const synth *s, double v, uint64_t rep)
{
    double p;
    if (s->nonmono)
        p = (v <= 30 || (v >= 50 && v <= 70)) ? 1 : 0;
    else if (s->rising)
        p = v >= s->theta ? 1 : 0;
    else if (s->width == 0)
        p = v <= s->theta ? 1 : 0;
    else
        p = 1 / (1 + exp((v - s->theta) / s->width));
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, (unsigned long)(rep * 1000003u) ^ (unsigned long)(v * 7919));
    int ok = gsl_rng_uniform(r) < p;
    gsl_rng_free(r);
    return ok;
}

static int probe(void *ctx, double v, uint64_t rep)
{
    return draw(ctx, v, rep);
}

static capacity_spec spec(void)
{
    capacity_spec s = {.from = 0,
                       .to = 100,
                       .is_int = 1,
                       .tol = 0,
                       .decreasing = 1,
                       .target = 0.9,
                       .confidence = 0.95,
                       .batch = 8,
                       .max_runs = 64,
                       .max_probes = 40};
    return s;
}

static void test_step_threshold(void **state)
{
    (void)state;
    synth sy = {.theta = 37.4};
    capacity_spec s = spec();
    capacity_result r;
    err e;
    err_clear(&e);
    assert_int_equal(capacity_search(&s, probe, &sy, 2, &r, &e), 0);
    /* integer key: stops at adjacent integers around the threshold */
    assert_near(r.answer, 37, 0);
    assert_near(r.unsafe_v, 38, 0);
    assert_int_equal(r.contradictions, 0);
    /* a clear verdict takes few runs: one batch gives CP lo >= 0.9 only with 8/8... */
    for (int i = 0; i < r.nprobes; i++)
        assert_true(r.probes[i].verdict != CAPACITY_UNDECIDED);
    printf("capacity: step at 37.4: answer %g, bracket (%g, %g), %d probes, %u runs\n", r.answer,
           r.safe_v, r.unsafe_v, r.nprobes, r.runs);
}

static void test_smooth_threshold(void **state)
{
    (void)state;
    /* P = 0.9 at v* = theta - width ln 9 */
    synth sy = {.theta = 60, .width = 2};
    double vstar = 60 - 2 * log(9.0);
    capacity_spec s = spec();
    s.max_runs = 400;
    capacity_result r;
    err e;
    err_clear(&e);
    assert_int_equal(capacity_search(&s, probe, &sy, 2, &r, &e), 0);
    printf("capacity: logistic, P = 0.9 at %.2f: answer %g, bracket (%g, %g), %u runs\n", vstar,
           r.answer, r.safe_v, r.unsafe_v, r.runs);
    /* the safe end lies below v* (P >= 0.9 shown at 95 %), the unsafe end not far above it */
    assert_true(r.safe_v <= vstar + 1);
    assert_true(r.unsafe_v >= vstar - 4 && r.unsafe_v <= 60 + 6);
    assert_int_equal(r.contradictions, 0);
}

static void test_nonmonotone(void **state)
{
    (void)state;
    synth sy = {.nonmono = 1};
    capacity_spec s = spec();
    capacity_result r;
    err e;
    err_clear(&e);
    assert_int_equal(capacity_search(&s, probe, &sy, 1, &r, &e), 0);
    printf("capacity: non-monotone: answer %g; %s\n", r.answer, r.note);
    assert_true(r.contradictions > 0);
    assert_true(r.answer <= 30); /* the edge of the safe region at the safe end */
    assert_non_null(strstr(r.note, "not monotone"));
}

static void test_range_ends_and_errors(void **state)
{
    (void)state;
    capacity_result r;
    err e;
    err_clear(&e);
    synth below = {.theta = -5}, above = {.theta = 500};
    capacity_spec s = spec();
    assert_int_equal(capacity_search(&s, probe, &below, 2, &r, &e), 0);
    assert_true(r.below_range && isnan(r.answer));
    assert_int_equal(capacity_search(&s, probe, &above, 2, &r, &e), 0);
    assert_true(r.above_range);
    assert_near(r.answer, 100, 0);
    /* the other direction (a TTL: smaller is worse): the smallest safe value */
    synth ttl = {.theta = 20, .rising = 1};
    capacity_spec t = spec();
    t.decreasing = 0;
    t.from = 100;
    t.to = 0;
    assert_int_equal(capacity_search(&t, probe, &ttl, 2, &r, &e), 0);
    assert_near(r.answer, 20, 0);
    assert_near(r.unsafe_v, 19, 0);
    assert_int_equal(r.contradictions, 0);
    s.target = 1.5;
    assert_int_equal(capacity_search(&s, probe, &ttl, 2, &r, &e), -1);
    assert_non_null(strstr(e.msg, "target"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_threshold),
        cmocka_unit_test(test_smooth_threshold),
        cmocka_unit_test(test_nonmonotone),
        cmocka_unit_test(test_range_ends_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
