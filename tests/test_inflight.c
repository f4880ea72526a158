/* test_inflight: max-inflight pool: cap, 429, system:masters exemption. */
#include "testutil.h"

#include "inflight.h"

static void test_cap_and_reject(void **state)
{
    (void)state;
    inflight p;
    inflight_init(&p, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(inflight_acquire(&p, false), INFLIGHT_SLOT);
    assert_int_equal(inflight_acquire(&p, false), INFLIGHT_REJECTED);
    assert_int_equal(p.used, 3);
    inflight_release(&p);
    assert_int_equal(inflight_acquire(&p, false), INFLIGHT_SLOT);
}

static void test_exemption(void **state)
{
    (void)state;
    inflight p;
    inflight_init(&p, 2);
    /* With room an exempt request takes a slot like any other... */
    assert_int_equal(inflight_acquire(&p, true), INFLIGHT_SLOT);
    assert_int_equal(inflight_acquire(&p, false), INFLIGHT_SLOT);
    /* ...and when full it is served without one. */
    assert_int_equal(inflight_acquire(&p, true), INFLIGHT_EXEMPT);
    assert_int_equal(p.used, 2);
    assert_int_equal(inflight_acquire(&p, false), INFLIGHT_REJECTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_and_reject),
        cmocka_unit_test(test_exemption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
