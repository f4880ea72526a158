/* test_pool: slab-backed object pools: ids stable for life, generations, zeroed objects from
 * get, reuse after put, pool_each order (and puts from inside it), growth over many slabs. */
#include "testutil.h"

#include "pool.h"

#include <stdlib.h>
#include <string.h>

typedef struct obj {
    pool_hdr h;
    uint64_t payload;
    uint32_t tag;
} obj;

/* Objects per slab of a pool of obj (the slab size is the pool's business: read it back). */
static size_t per_slab(const pool *p)
{
    return (size_t)1 << p->shift;
}

static void test_size_rounding(void **state)
{
    (void)state;
    pool p;
    pool_init(&p, 9); /* below header + free link: raised to 16 */
    assert_int_equal(p.size, 16);
    pool_destroy(&p);
    pool_init(&p, 21); /* rounded up to a multiple of 8 */
    assert_int_equal(p.size, 24);
    assert_true(per_slab(&p) >= 64);
    assert_true(per_slab(&p) * p.size <= 16384);
    pool_destroy(&p);
    pool_init(&p, 4096); /* a big object: still at least 64 a slab */
    assert_int_equal(per_slab(&p), 64);
    pool_destroy(&p);
}

static void test_get_zeroed_and_live(void **state)
{
    (void)state;
    pool p;
    pool_init(&p, sizeof(obj));
    obj *a = pool_get(&p);
    assert_true(pool_is_live(a));
    assert_true(a->h.gen & 1u);
    assert_int_equal(a->payload, 0);
    assert_int_equal(p.live, 1);
    a->payload = 0xdeadbeef;
    a->tag = 7;
    pool_put(&p, a);
    assert_false(pool_is_live(a));
    assert_int_equal(p.live, 0);
    obj *b = pool_get(&p); /* the same object again, zeroed */
    assert_ptr_equal(a, b);
    assert_int_equal(b->payload, 0);
    assert_int_equal(b->tag, 0);
    pool_destroy(&p);
}

static void test_generations(void **state)
{
    (void)state;
    pool p;
    pool_init(&p, sizeof(obj));
    obj *a = pool_get(&p);
    uint32_t g1 = a->h.gen, id = a->h.id;
    assert_true(pool_alive(a, g1));
    pool_put(&p, a);
    uint32_t g_free = a->h.gen;
    assert_int_equal(g_free, g1 + 1);
    assert_false(g_free & 1u);
    assert_false(pool_alive(a, g1));     /* a stored (object, gen) sees it is gone */
    assert_false(pool_alive(a, g_free)); /* an even gen is never alive */
    obj *b = pool_get(&p);
    assert_ptr_equal(a, b);
    assert_int_equal(b->h.id, id); /* the id is kept */
    assert_int_equal(b->h.gen, g1 + 2);
    assert_true(pool_alive(b, b->h.gen));
    assert_false(pool_alive(b, g1)); /* another incarnation */
    pool_destroy(&p);
}

static void test_ids_stable_and_at(void **state)
{
    (void)state;
    pool p;
    pool_init(&p, sizeof(obj));
    enum {
        N = 100
    };
    obj *o[N];
    for (int i = 0; i < N; i++) {
        o[i] = pool_get(&p);
        o[i]->tag = (uint32_t)i;
    }
    /* a fresh pool hands its objects out in id order */
    for (int i = 0; i < N; i++) {
        assert_int_equal(o[i]->h.id, i);
        assert_ptr_equal(pool_at(&p, o[i]->h.id), o[i]);
    }
    /* ids outlive puts and gets of other objects */
    for (int i = 0; i < N; i += 2)
        pool_put(&p, o[i]);
    for (int i = 0; i < N; i += 2)
        o[i] = pool_get(&p);
    for (int i = 1; i < N; i += 2) {
        assert_int_equal(o[i]->h.id, i);
        assert_int_equal(o[i]->tag, i);
        assert_ptr_equal(pool_at(&p, (uint32_t)i), o[i]);
    }
    pool_destroy(&p);
}

static void test_reuse_lifo(void **state)
{
    (void)state;
    pool p;
    pool_init(&p, sizeof(obj));
    obj *a = pool_get(&p), *b = pool_get(&p), *c = pool_get(&p);
    pool_put(&p, a);
    pool_put(&p, c);
    /* the free list is LIFO: the last object put comes back first */
    assert_ptr_equal(pool_get(&p), c);
    assert_ptr_equal(pool_get(&p), a);
    obj *d = pool_get(&p); /* then a never-used one, next in id order */
    assert_int_equal(d->h.id, 3);
    assert_true(pool_is_live(b));
    assert_int_equal(p.live, 4);
    pool_destroy(&p);
}

typedef struct visit {
    uint32_t ids[4096];
    size_t n;
    pool *p;
    bool put_odd;
} visit;

static void record(void *o, void *ctx)
{
    visit *v = ctx;
    obj *x = o;
    v->ids[v->n++] = x->h.id;
    if (v->put_odd && (x->h.id & 1u))
        pool_put(v->p, x);
}

static void test_each_order(void **state)
{
    (void)state;
    pool p;
    pool_init(&p, sizeof(obj));
    size_t n = 3 * per_slab(&p) + 5; /* four slabs */
    assert_true(n <= 4096);
    obj **o = malloc(n * sizeof *o);
    for (size_t i = 0; i < n; i++)
        o[i] = pool_get(&p);
    /* free some, and get one of them back: live objects are visited in slab (id) order,
     * whatever the order they were got in */
    pool_put(&p, o[n - 1]);
    pool_put(&p, o[1]);
    pool_put(&p, o[per_slab(&p)]);
    pool_put(&p, o[0]);
    o[0] = pool_get(&p); /* id 0 again */
    assert_int_equal(o[0]->h.id, 0);
    visit v = {.n = 0, .p = &p, .put_odd = false};
    pool_each(&p, record, &v);
    assert_int_equal(v.n, n - 3);
    for (size_t k = 1; k < v.n; k++)
        assert_true(v.ids[k - 1] < v.ids[k]);
    assert_int_equal(v.ids[0], 0);
    assert_int_equal(v.ids[1], 2);
    /* fn may put the object it is given: every live object is still visited once */
    visit w = {.n = 0, .p = &p, .put_odd = true};
    pool_each(&p, record, &w);
    assert_int_equal(w.n, n - 3);
    assert_memory_equal(w.ids, v.ids, v.n * sizeof v.ids[0]);
    size_t odd = 0;
    for (size_t k = 0; k < w.n; k++)
        odd += w.ids[k] & 1u;
    assert_int_equal(p.live, n - 3 - odd);
    visit z = {.n = 0, .p = &p, .put_odd = false};
    pool_each(&p, record, &z);
    assert_int_equal(z.n, n - 3 - odd);
    for (size_t k = 0; k < z.n; k++)
        assert_false(z.ids[k] & 1u);
    free(o);
    pool_destroy(&p);
}

static void test_growth_over_slabs(void **state)
{
    (void)state;
    pool p;
    pool_init(&p, sizeof(obj));
    size_t n = 20 * per_slab(&p) + 3; /* past the first slab-pointer array (8) too */
    obj **o = malloc(n * sizeof *o);
    for (size_t i = 0; i < n; i++) {
        o[i] = pool_get(&p);
        o[i]->payload = 1000 + i;
    }
    assert_int_equal(p.nslabs, 21);
    assert_int_equal(p.live, n);
    /* growing never moves an object: the early pointers still hold their payloads */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(o[i]->h.id, i);
        assert_ptr_equal(pool_at(&p, (uint32_t)i), o[i]);
        assert_int_equal(o[i]->payload, 1000 + i);
    }
    /* a slab's objects are contiguous, one size apart */
    assert_int_equal((char *)o[1] - (char *)o[0], (ptrdiff_t)p.size);
    /* everything put back, then got again: no new slab */
    for (size_t i = 0; i < n; i++)
        pool_put(&p, o[i]);
    assert_int_equal(p.live, 0);
    for (size_t i = 0; i < n; i++)
        pool_get(&p);
    assert_int_equal(p.nslabs, 21);
    for (size_t i = 0; i < per_slab(&p) - 3; i++) /* the last slab fills up */
        pool_get(&p);
    assert_int_equal(p.nslabs, 21);
    obj *next = pool_get(&p); /* and the next object opens a new slab */
    assert_int_equal(p.nslabs, 22);
    assert_int_equal(next->h.id, 21 * per_slab(&p));
    assert_int_equal(p.live, 21 * per_slab(&p) + 1);
    free(o);
    pool_destroy(&p);
    assert_int_equal(p.nslabs, 0);
    assert_null(p.slabs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_rounding),     cmocka_unit_test(test_get_zeroed_and_live),
        cmocka_unit_test(test_generations),       cmocka_unit_test(test_ids_stable_and_at),
        cmocka_unit_test(test_reuse_lifo),        cmocka_unit_test(test_each_order),
        cmocka_unit_test(test_growth_over_slabs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
