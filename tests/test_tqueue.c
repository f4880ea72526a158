/* test_tqueue: FIFO timeouts on the engine, stale entries skipped by generation. */
#include "testutil.h"

#include "tqueue.h"

typedef struct obj {
    uint32_t gen;
    int fired;
    double at;
} obj;

static void on_expire(void *ctx, void *o, uint32_t gen)
{
    sim *s = ctx;
    obj *x = o;
    if (x->gen != gen)
        return; /* the object moved on: this timeout was "cancelled" */
    x->fired++;
    x->at = sim_now(s);
}

static obj late = {1, 0, 0}, c = {1, 0, 0};

/* Pushes `late` (arg 0) or `c` (arg 1) with the constant 30 s delay, as the model does. */
static void push_later(sim *s, void *q, uint64_t arg)
{
    obj *o = arg ? &c : &late;
    tqueue_push(q, sim_now(s) + 30.0, o, o->gen);
}

static void test_order_and_staleness(void **state)
{
    (void)state;
    sim *s = sim_new();
    tqueue q;
    tqueue_init(&q, s, on_expire, s);
    obj a = {1, 0, 0}, b = {1, 0, 0};
    tqueue_push(&q, 30.0, &a, a.gen);
    tqueue_push(&q, 30.0, &b, b.gen);
    sim_at(s, 5.0, push_later, &q, 0);
    sim_at(s, 10.0, push_later, &q, 1);
    b.gen++; /* b finished before its timeout */
    sim_run(s, 100.0);
    assert_int_equal(a.fired, 1);
    assert_near(a.at, 30.0, 0.0);
    assert_int_equal(b.fired, 0);
    assert_int_equal(c.fired, 1);
    assert_near(c.at, 40.0, 0.0);
    assert_int_equal(late.fired, 1);
    assert_near(late.at, 35.0, 0.0);
    assert_int_equal(tqueue_len(&q), 0);
    tqueue_destroy(&q);
    sim_free(s);
}

static void test_growth(void **state)
{
    (void)state;
    sim *s = sim_new();
    tqueue q;
    tqueue_init(&q, s, on_expire, s);
    static obj o[5000];
    for (int i = 0; i < 5000; i++) {
        o[i].gen = 1;
        tqueue_push(&q, 1.0 + i * 0.001, &o[i], 1);
    }
    sim_run(s, 100.0);
    for (int i = 0; i < 5000; i++)
        assert_near(o[i].at, 1.0 + i * 0.001, 0.0);
    tqueue_destroy(&q);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_staleness),
        cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
