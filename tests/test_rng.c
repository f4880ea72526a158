/* test_rng: hashed seeding of the per-purpose streams: the same (seed, replication, point, stream)
 * gives the same draws, any one coordinate changed gives another stream; the mixer is a bijection
 * on the values it is given (no collisions over a grid of coordinates); the streams are mt19937
 * whatever GSL_RNG_TYPE says; neighbouring seeds' streams are uncorrelated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void test_same_coordinates_same_draws(void **state)
{
    (void)state;
    gsl_rng *a = rng_new(42, 3, 7, RNG_SERVICE), *b = rng_new(42, 3, 7, RNG_SERVICE);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
    assert_string_equal(gsl_rng_name(a), "mt19937");
    gsl_rng_free(a);
    gsl_rng_free(b);
}

static void test_each_coordinate_changes_the_stream(void **state)
{
    (void)state;
    uint64_t base = rng_seed_of(42, 3, 7, RNG_SERVICE);
    assert_true(rng_seed_of(43, 3, 7, RNG_SERVICE) != base);
    assert_true(rng_seed_of(42, 4, 7, RNG_SERVICE) != base);
    assert_true(rng_seed_of(42, 3, 8, RNG_SERVICE) != base);
    assert_true(rng_seed_of(42, 3, 7, RNG_RETRY) != base);
    /* swapping coordinates is another stream too (no seed + i) */
    assert_true(rng_seed_of(3, 42, 7, RNG_SERVICE) != base);
    assert_true(rng_seed_of(42, 7, 3, RNG_SERVICE) != base);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_no_collisions_over_a_grid(void **state)
{
    (void)state;
    enum {
        S = 16,
        R = 32,
        P = 16
    };
    size_t n = (size_t)S * R * P * RNG_STREAM_COUNT, k = 0;
    uint64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (uint64_t s = 0; s < S; s++)
        for (uint64_t r = 0; r < R; r++)
            for (uint64_t p = 0; p < P; p++)
                for (unsigned st = 0; st < RNG_STREAM_COUNT; st++)
                    v[k++] = rng_seed_of(s, r, p, st);
    qsort(v, n, sizeof *v, cmp_u64);
    for (size_t i = 1; i < n; i++)
        assert_true(v[i] != v[i - 1]);
    free(v);
    /* the mixer itself is a bijection: distinct inputs, distinct outputs, on a run of inputs */
    uint64_t m[4096];
    for (uint64_t i = 0; i < 4096; i++)
        m[i] = rng_mix(i);
    qsort(m, 4096, sizeof m[0], cmp_u64);
    for (size_t i = 1; i < 4096; i++)
        assert_true(m[i] != m[i - 1]);
}

static void test_environment_ignored(void **state)
{
    (void)state;
    gsl_rng *a = rng_new(1, 0, 0, RNG_INIT);
    unsigned long first = gsl_rng_get(a);
    gsl_rng_free(a);
    setenv("GSL_RNG_TYPE", "ranlux", 1);
    setenv("GSL_RNG_SEED", "12345", 1);
    gsl_rng *b = rng_new(1, 0, 0, RNG_INIT);
    assert_string_equal(gsl_rng_name(b), "mt19937");
    assert_int_equal(gsl_rng_get(b), first);
    gsl_rng_free(b);
    unsetenv("GSL_RNG_TYPE");
    unsetenv("GSL_RNG_SEED");
}

/* Neighbouring seeds (the replications of one point) give uncorrelated uniforms: the sample
 * correlation of 20 000 pairs has sd 1/sqrt(n) = 0.0071; |r| < 4 sd for every pair of the 8. */
static void test_neighbours_uncorrelated(void **state)
{
    (void)state;
    enum {
        N = 20000,
        K = 8
    };
    static double u[K][N];
    for (int r = 0; r < K; r++) {
        gsl_rng *g = rng_new(7, (uint64_t)r, 0, RNG_BACKGROUND);
        for (int i = 0; i < N; i++)
            u[r][i] = gsl_rng_uniform(g);
        gsl_rng_free(g);
    }
    for (int a = 0; a < K; a++)
        for (int b = 0; b < a; b++) {
            double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
            for (int i = 0; i < N; i++) {
                sa += u[a][i];
                sb += u[b][i];
                sab += u[a][i] * u[b][i];
                saa += u[a][i] * u[a][i];
                sbb += u[b][i] * u[b][i];
            }
            double cov = sab / N - (sa / N) * (sb / N);
            double r =
                cov / sqrt((saa / N - (sa / N) * (sa / N)) * (sbb / N - (sb / N) * (sb / N)));
            if (fabs(r) > 4.0 / sqrt((double)N))
                fail_msg("replications %d and %d: correlation %.4f", a, b, r);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_coordinates_same_draws),
        cmocka_unit_test(test_each_coordinate_changes_the_stream),
        cmocka_unit_test(test_no_collisions_over_a_grid),
        cmocka_unit_test(test_environment_ignored),
        cmocka_unit_test(test_neighbours_uncorrelated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
