/* test_ps: processor sharing by virtual time against hand-computed schedules. */
#include "testutil.h"

#include "ps.h"

static void test_single_core(void **state)
{
    (void)state;
    ps p;
    ps_init(&p, 1, 0.0);
    int a, b;
    ps_add(&p, 0.0, 1.0, &a, 1);
    ps_add(&p, 0.0, 2.0, &b, 2);
    /* Two jobs share one core: a needs 1 s of CPU at half speed, ends at 2; then b alone has
     * 1 s left, ends at 3. */
    assert_near(ps_next_s(&p), 2.0, 1e-12);
    ps_job j = ps_pop(&p, 2.0);
    assert_ptr_equal(j.obj, &a);
    assert_near(ps_next_s(&p), 3.0, 1e-12);
    j = ps_pop(&p, 3.0);
    assert_ptr_equal(j.obj, &b);
    assert_true(isinf(ps_next_s(&p)));
    assert_near(p.busy_s, 3.0, 1e-12);
    ps_destroy(&p);
}

static void test_two_cores_and_late_arrival(void **state)
{
    (void)state;
    ps p;
    ps_init(&p, 2, 0.0);
    int a, b, c;
    ps_add(&p, 0.0, 2.0, &a, 1);
    ps_add(&p, 0.0, 3.0, &b, 2);
    /* Both run at full speed until c arrives at 1; then three share two cores at 2/3 each:
     * a has 1 s left -> 1.5 s, ends at 2.5. */
    ps_add(&p, 1.0, 1.0, &c, 3);
    assert_near(ps_next_s(&p), 2.5, 1e-12);
    ps_job j = ps_pop(&p, 2.5);
    assert_ptr_equal(j.obj, &a);
    /* At 2.5: b has 3 - 1 - 1 = 1 left, c has 1 - 1 = 0 left: c ends now. */
    assert_near(ps_next_s(&p), 2.5, 1e-12);
    j = ps_pop(&p, 2.5);
    assert_ptr_equal(j.obj, &c);
    assert_near(ps_next_s(&p), 3.5, 1e-12);
    ps_clear(&p, 3.0);
    assert_true(isinf(ps_next_s(&p)));
    ps_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_core),
        cmocka_unit_test(test_two_cores_and_late_arrival),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
