/* test_tqueue: FIFO timeouts on the engine: order and deadlines, ties in push order, pushes
 * from inside a firing, growth over many blocks with the head moving, memory that follows the
 * entries, and clear. */
#include "testutil.h"

#include "tqueue.h"

#include <string.h>

enum {
    NOBJ = 16384,
    GROW_N = 5000
};

typedef struct rec {
    int fired;
    double at;
    int order; /* position in the firing sequence */
} rec;

static rec recs[NOBJ];
static int nfired;
static sim *clock_of;

static void reset(void)
{
    memset(recs, 0, sizeof recs);
    nfired = 0;
}

static void on_expire(void *ctx, uint32_t id)
{
    (void)ctx;
    recs[id].fired++;
    recs[id].at = sim_now(clock_of);
    recs[id].order = nfired++;
}

/* Pushes object arg with the constant 30 s delay, as the model does. */
static void push_later(sim *s, void *q, uint64_t arg)
{
    tqueue_push(q, sim_now(s) + 30.0, (uint32_t)arg);
}

static void test_order_and_ties(void **state)
{
    (void)state;
    reset();
    sim *s = clock_of = sim_new();
    tqueue q;
    tqueue_init(&q, s, on_expire, NULL);
    tqueue_push(&q, 30.0, 0);
    tqueue_push(&q, 30.0, 1); /* a tie: fires after 0 */
    sim_at(s, 5.0, push_later, &q, 3);
    sim_at(s, 10.0, push_later, &q, 2);
    sim_run(s, 100.0);
    assert_int_equal(recs[0].fired, 1);
    assert_near(recs[0].at, 30.0, 0.0);
    assert_int_equal(recs[1].fired, 1);
    assert_near(recs[1].at, 30.0, 0.0);
    assert_true(recs[0].order < recs[1].order);
    assert_near(recs[3].at, 35.0, 0.0);
    assert_near(recs[2].at, 40.0, 0.0);
    assert_int_equal(tqueue_len(&q), 0);
    tqueue_destroy(&q);
    sim_free(s);
}

/* A firing that pushes again (the heartbeat cycle does): the new entry waits its turn. */
static tqueue *chain_q;
static void on_expire_chain(void *ctx, uint32_t id)
{
    on_expire(ctx, id);
    if (id + 1 < 10)
        tqueue_push(chain_q, sim_now(clock_of) + 1.0, id + 1);
    if (id == 0)
        tqueue_push(chain_q, sim_now(clock_of) + 1.0, NOBJ - 1); /* a tie, pushed after */
}

static void test_push_while_firing(void **state)
{
    (void)state;
    reset();
    sim *s = clock_of = sim_new();
    tqueue q;
    chain_q = &q;
    tqueue_init(&q, s, on_expire_chain, NULL);
    tqueue_push(&q, 1.0, 0);
    assert_int_equal(sim_pending(s), 1);
    for (int k = 1; k <= 12; k++) {
        sim_run(s, k + 0.5);
        assert_true(sim_pending(s) <= 1); /* never armed twice */
    }
    for (int i = 0; i < 10; i++) {
        assert_int_equal(recs[i].fired, 1);
        assert_near(recs[i].at, 1.0 + i, 0.0);
    }
    assert_int_equal(recs[NOBJ - 1].fired, 1);
    assert_near(recs[NOBJ - 1].at, 2.0, 0.0);
    assert_int_equal(recs[NOBJ - 1].order, recs[1].order + 1);
    /* one engine event per distinct deadline: 1, 2, ..., 10 */
    assert_int_equal(sim_events(s), 10);
    tqueue_destroy(&q);
    sim_free(s);
}

/* Pops some, pushes many: the head moves through the first block, then blocks are added; every
 * deadline fires in order, once, and the emptied blocks are given back. */
static void pop_then_push(sim *s, void *q, uint64_t arg)
{
    (void)arg;
    for (int i = 100; i < GROW_N; i++)
        tqueue_push(q, sim_now(s) + 1.0 + i * 0.001, (uint32_t)i);
    /* 50 of the first 100 are still queued, and the 4900 new ones */
    assert_int_equal(tqueue_len(q), 4950);
    assert_true(tqueue_bytes(q) <= (4950 / TQUEUE_BLOCK + 2) * sizeof(tqueue_block));
}

static void test_growth(void **state)
{
    (void)state;
    reset();
    sim *s = clock_of = sim_new();
    tqueue q;
    tqueue_init(&q, s, on_expire, NULL);
    for (int i = 0; i < 100; i++)
        tqueue_push(&q, 1.0 + i * 0.001, (uint32_t)i);
    sim_at(s, 1.0495, pop_then_push, &q, 0); /* 50 of the first 100 have fired */
    sim_run(s, 100.0);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(recs[i].fired, 1);
        assert_near(recs[i].at, 1.0 + i * 0.001, 0.0);
    }
    for (int i = 100; i < GROW_N; i++) {
        assert_int_equal(recs[i].fired, 1);
        assert_near(recs[i].at, 2.0495 + i * 0.001, 1e-12);
        assert_int_equal(recs[i].order, i);
    }
    assert_int_equal(tqueue_len(&q), 0);
    assert_true(tqueue_bytes(&q) <= 2 * sizeof(tqueue_block));
    tqueue_destroy(&q);
    sim_free(s);
}

/* The circular block array wraps and then grows: with the head many blocks on (so the array's
 * first block is not at index 0), a burst of pushes must add blocks in order behind the tail. */
static void test_wrap_then_grow(void **state)
{
    (void)state;
    reset();
    sim *s = clock_of = sim_new();
    tqueue q;
    tqueue_init(&q, s, on_expire, NULL);
    /* about 2.5 blocks queued while the head walks on, until the array has wrapped */
    uint32_t id = 0;
    const uint32_t keep = 5 * TQUEUE_BLOCK / 2;
    while (id < 20 * TQUEUE_BLOCK || q.b0 == 0) {
        tqueue_push(&q, (double)id, id);
        if (id >= keep)
            sim_run(s, (double)(id - keep));
        id++;
        assert_true(id < NOBJ);
    }
    size_t left = tqueue_len(&q);
    int before = nfired;
    /* the burst: the array must grow while it wraps */
    uint32_t end = id + 8 * TQUEUE_BLOCK;
    assert_true(end <= NOBJ);
    for (; id < end; id++)
        tqueue_push(&q, (double)id, id);
    assert_int_equal(tqueue_len(&q), left + 8 * TQUEUE_BLOCK);
    sim_run(s, 1e9);
    assert_int_equal(nfired - before, (int)left + 8 * TQUEUE_BLOCK);
    for (uint32_t k = 0; k < end; k++) {
        assert_int_equal(recs[k].fired, 1);
        assert_near(recs[k].at, (double)k, 0.0);
        assert_int_equal(recs[k].order, (int)k);
    }
    tqueue_destroy(&q);
    sim_free(s);
}

/* clear drops everything, cancels the pending event, and the queue works on afterwards. */
static void clear_now(sim *s, void *q, uint64_t arg)
{
    (void)s;
    (void)arg;
    tqueue_clear(q);
    tqueue_push(q, 7.0, 4); /* earlier than the dropped head's 10 s */
}

static void test_clear(void **state)
{
    (void)state;
    reset();
    sim *s = clock_of = sim_new();
    tqueue q;
    tqueue_init(&q, s, on_expire, NULL);
    for (uint32_t i = 0; i < 4; i++)
        tqueue_push(&q, 10.0 + i, i);
    sim_at(s, 5.0, clear_now, &q, 0);
    sim_run(s, 100.0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(recs[i].fired, 0);
    assert_int_equal(recs[4].fired, 1);
    assert_near(recs[4].at, 7.0, 0.0);
    assert_int_equal(sim_pending(s), 0);
    tqueue_destroy(&q);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_ties), cmocka_unit_test(test_push_while_firing),
        cmocka_unit_test(test_growth),         cmocka_unit_test(test_wrap_then_grow),
        cmocka_unit_test(test_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
