/* test_retry: wait.Backoff delays and attempt counting. */
#include "testutil.h"

#include "retry.h"

static void test_delays_1_12_webhook(void **state)
{
    (void)state;
    retry r = {5, 0.5, 1.5, 0.0};
    double want[] = {0.5, 0.75, 1.125, 1.6875};
    for (int k = 0; k < 4; k++)
        assert_near(retry_delay_s(&r, k, NULL), want[k], 1e-12);
    assert_true(retry_more(&r, 3));
    assert_false(retry_more(&r, 4)); /* 5 attempts in all */
}

static void test_jitter_range(void **state)
{
    (void)state;
    retry r = {5, 0.5, 1.5, 0.2};
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    double total_min = 1e9, total_max = 0;
    for (int i = 0; i < 2000; i++) {
        double total = 0;
        for (int k = 0; k < 4; k++) {
            double d = retry_delay_s(&r, k, g), base = 0.5 * pow(1.5, k);
            assert_true(d >= base && d < base * 1.2);
            total += d;
        }
        total_min = fmin(total_min, total);
        total_max = fmax(total_max, total);
    }
    /* k8s-facts: 4.06 - 4.88 s of sleep in all */
    assert_true(total_min >= 4.0625 && total_max < 4.875);
    gsl_rng_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delays_1_12_webhook),
        cmocka_unit_test(test_jitter_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
