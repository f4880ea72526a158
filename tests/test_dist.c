/* test_dist: every distribution has the configured mean and cv (large-sample checks). */
#include "testutil.h"

#include "dist.h"
#include "rng.h"

static void check(dist_kind k, double mean, double cv)
{
    dist d;
    dist_set(&d, k, mean, cv);
    gsl_rng *r = rng_new(1, 0, 0, RNG_SERVICE);
    enum {
        N = 200000
    };
    static double x[N];
    for (int i = 0; i < N; i++) {
        x[i] = dist_sample(&d, r);
        assert_true(x[i] >= 0.0);
    }
    double m = gsl_stats_mean(x, 1, N), sd = gsl_stats_sd_m(x, 1, N, m);
    /* 5 standard errors of the mean; the sd within 3 % (or exactly 0). */
    assert_near(m, mean, 5 * mean * d.cv / sqrt(N) + 1e-15);
    assert_near(sd / m, d.cv, 0.03 * (d.cv > 0 ? d.cv : 1) + 1e-12);
    gsl_rng_free(r);
}

static void test_moments(void **state)
{
    (void)state;
    check(DIST_EXPONENTIAL, 0.002, 7.0); /* cv forced to 1 */
    check(DIST_DETERMINISTIC, 0.005, 3.0);
    check(DIST_UNIFORM, 1.0, 0.5);
    check(DIST_LOGNORMAL, 0.005, 1.0);
    check(DIST_LOGNORMAL, 2.0, 0.3);
    check(DIST_GAMMA, 0.005, 2.0);
    check(DIST_GAMMA, 1.0, 0.0);
}

static void test_names(void **state)
{
    (void)state;
    for (int k = 0; k < DIST_KIND_COUNT; k++)
        assert_int_equal(dist_kind_parse(dist_kind_name(k)), k);
    assert_int_equal(dist_kind_parse("normal"), -1);
}

static void test_rng_streams(void **state)
{
    (void)state;
    /* Hashed seeds: distinct for neighbouring inputs, stable across calls. */
    assert_true(rng_seed_of(1, 0, 0, 0) != rng_seed_of(1, 0, 0, 1));
    assert_true(rng_seed_of(1, 0, 0, 0) != rng_seed_of(1, 1, 0, 0));
    assert_true(rng_seed_of(1, 0, 0, 0) != rng_seed_of(2, 0, 0, 0));
    assert_true(rng_seed_of(1, 1, 0, 0) != rng_seed_of(1, 0, 1, 0));
    assert_int_equal(rng_seed_of(5, 6, 7, 3), rng_seed_of(5, 6, 7, 3));
    gsl_rng *a = rng_new(9, 2, 0, RNG_SA), *b = rng_new(9, 2, 0, RNG_SA);
    for (int i = 0; i < 100; i++)
        assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
    gsl_rng_free(a);
    gsl_rng_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_rng_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
