/* test_tbucket: token bucket with uncancellable FIFO reservations, on a hand-set clock. */
#include "testutil.h"

#include "tbucket.h"

static void test_burst_then_rate(void **state)
{
    (void)state;
    tbucket b;
    tbucket_init(&b, 50.0, 100.0, 0.0);
    for (int i = 0; i < 100; i++)
        assert_near(tbucket_reserve(&b, 0.0), 0.0, 0.0); /* the burst is free */
    /* Then one token each 20 ms, in FIFO order: the k-th extra waits k x 20 ms. */
    for (int k = 1; k <= 10; k++)
        assert_near(tbucket_reserve(&b, 0.0), 0.02 * k, 1e-12);
    assert_near(tbucket_backlog(&b, 0.0), 10.0, 1e-12);
    assert_near(tbucket_backlog(&b, 0.1), 5.0, 1e-9);
    /* A reservation can not be cancelled: a newcomer at 0.1 s still waits behind all ten. */
    assert_near(tbucket_reserve(&b, 0.1), 0.12 - 0.0, 1e-9);
}

static void test_refill_capped_at_burst(void **state)
{
    (void)state;
    tbucket b;
    tbucket_init(&b, 10.0, 3.0, 0.0);
    for (int i = 0; i < 3; i++)
        tbucket_reserve(&b, 0.0);
    /* After 100 s idle only `burst` tokens are there. */
    for (int i = 0; i < 3; i++)
        assert_near(tbucket_reserve(&b, 100.0), 0.0, 0.0);
    assert_near(tbucket_reserve(&b, 100.0), 0.1, 1e-12);
    assert_near(tbucket_backlog(&b, 100.0), 1.0, 1e-12);
    assert_near(tbucket_backlog(&b, 100.2), 0.0, 0.0);
}

static void test_unlimited(void **state)
{
    (void)state;
    tbucket b;
    tbucket_init(&b, 0.0, 100.0, 0.0);
    for (int i = 0; i < 1000; i++)
        assert_near(tbucket_reserve(&b, 0.0), 0.0, 0.0);
    assert_near(tbucket_backlog(&b, 0.0), 0.0, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_rate),
        cmocka_unit_test(test_refill_capped_at_burst),
        cmocka_unit_test(test_unlimited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
