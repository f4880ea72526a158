/* test_tqueue: FIFO timeouts on the engine, stale entries skipped by generation, growth with a
 * wrapped ring, and dead entries squeezed out before growing. */
#include "testutil.h"

#include "tqueue.h"

typedef struct obj {
    uint32_t gen;
    int fired;
    double at;
} obj;

/* Entries name objects by their index in objs. */
enum {
    NOBJ = 5000
};
static obj objs[NOBJ];
static sim *clock_of;

static void reset(void)
{
    for (int i = 0; i < NOBJ; i++)
        objs[i] = (obj){1, 0, 0.0};
}

static void on_expire(void *ctx, uint32_t id, uint32_t gen)
{
    (void)ctx;
    obj *x = &objs[id];
    if (x->gen != gen)
        return; /* the object moved on: this timeout was "cancelled" */
    x->fired++;
    x->at = sim_now(clock_of);
}

static bool is_live(void *ctx, uint32_t id, uint32_t gen)
{
    (void)ctx;
    return objs[id].gen == gen;
}

/* Pushes object arg with the constant 30 s delay, as the model does. */
static void push_later(sim *s, void *q, uint64_t arg)
{
    tqueue_push(q, sim_now(s) + 30.0, (uint32_t)arg, objs[arg].gen);
}

static void test_order_and_staleness(void **state)
{
    (void)state;
    reset();
    sim *s = clock_of = sim_new();
    tqueue q;
    tqueue_init(&q, s, on_expire, NULL);
    tqueue_push(&q, 30.0, 0, objs[0].gen); /* a */
    tqueue_push(&q, 30.0, 1, objs[1].gen); /* b */
    sim_at(s, 5.0, push_later, &q, 3);     /* late */
    sim_at(s, 10.0, push_later, &q, 2);    /* c */
    objs[1].gen++;                         /* b finished before its timeout */
    sim_run(s, 100.0);
    assert_int_equal(objs[0].fired, 1);
    assert_near(objs[0].at, 30.0, 0.0);
    assert_int_equal(objs[1].fired, 0);
    assert_int_equal(objs[2].fired, 1);
    assert_near(objs[2].at, 40.0, 0.0);
    assert_int_equal(objs[3].fired, 1);
    assert_near(objs[3].at, 35.0, 0.0);
    assert_int_equal(tqueue_len(&q), 0);
    tqueue_destroy(&q);
    sim_free(s);
}

/* Pops some, pushes many: the ring wraps, then grows; every deadline fires in order, once. */
static void pop_then_push(sim *s, void *q, uint64_t arg)
{
    (void)arg;
    for (int i = 100; i < NOBJ; i++)
        tqueue_push(q, sim_now(s) + 1.0 + i * 0.001, (uint32_t)i, 1);
}

static void test_growth(void **state)
{
    (void)state;
    reset();
    sim *s = clock_of = sim_new();
    tqueue q;
    tqueue_init(&q, s, on_expire, NULL);
    for (int i = 0; i < 100; i++)
        tqueue_push(&q, 1.0 + i * 0.001, (uint32_t)i, 1);
    sim_at(s, 1.05, pop_then_push, &q, 0); /* half of the first 100 have fired: head > 0 */
    sim_run(s, 100.0);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(objs[i].fired, 1);
        assert_near(objs[i].at, 1.0 + i * 0.001, 0.0);
    }
    for (int i = 100; i < NOBJ; i++) {
        assert_int_equal(objs[i].fired, 1);
        assert_near(objs[i].at, 2.05 + i * 0.001, 1e-12);
    }
    tqueue_destroy(&q);
    sim_free(s);
}

/* With a liveness test, a full ring of mostly dead entries is squeezed instead of growing, and
 * the live entries keep their order and deadlines. */
static void test_squeeze(void **state)
{
    (void)state;
    reset();
    sim *s = clock_of = sim_new();
    tqueue q;
    tqueue_init(&q, s, on_expire, NULL);
    tqueue_set_live(&q, is_live);
    for (int i = 0; i < NOBJ; i++) {
        tqueue_push(&q, 10.0 + i * 0.001, (uint32_t)i, 1);
        if (i % 10 != 0)
            objs[i].gen++; /* finished before its timeout */
    }
    /* 500 live entries: the queue never held all 5000 */
    assert_true(tqueue_len(&q) < 2000);
    assert_true(tqueue_bytes(&q) <= 2048 * sizeof(tqueue_item));
    sim_run(s, 100.0);
    for (int i = 0; i < NOBJ; i++) {
        assert_int_equal(objs[i].fired, i % 10 == 0);
        if (i % 10 == 0)
            assert_near(objs[i].at, 10.0 + i * 0.001, 0.0);
    }
    tqueue_destroy(&q);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_staleness),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_squeeze),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
