/* test_ttlcache: expiry fixed at insertion, refresh by later fills, flush, coalescing, growth. */
#include "testutil.h"

#include "ttlcache.h"

static void test_expiry_fixed_at_insertion(void **state)
{
    (void)state;
    ttlcache *c = ttlcache_new(false);
    assert_int_equal(ttlcache_lookup(c, 7, 0.0, NULL), TTLCACHE_MISS);
    ttlcache_fill(c, 7, 1.0, 10.0);
    assert_int_equal(ttlcache_lookup(c, 7, 5.0, NULL), TTLCACHE_HIT);
    /* Hits do not extend the entry: it dies at 11 whatever happens before. */
    assert_int_equal(ttlcache_lookup(c, 7, 10.999, NULL), TTLCACHE_HIT);
    assert_int_equal(ttlcache_lookup(c, 7, 11.0, NULL), TTLCACHE_MISS);
    /* A later fill (an orphaned validation finishing) stores a new expiry. */
    ttlcache_fill(c, 7, 12.0, 10.0);
    assert_int_equal(ttlcache_lookup(c, 7, 21.5, NULL), TTLCACHE_HIT);
    /* A zero TTL (failures in 1.12) stores nothing and leaves a stored entry alone. */
    ttlcache_fill(c, 7, 13.0, 0.0);
    assert_int_equal(ttlcache_lookup(c, 7, 21.5, NULL), TTLCACHE_HIT);
    ttlcache_fill(c, 8, 13.0, 0.0);
    assert_int_equal(ttlcache_lookup(c, 8, 13.0, NULL), TTLCACHE_MISS);
    ttlcache_free(c);
    ttlcache_free(NULL);
}

static void test_coalescing(void **state)
{
    (void)state;
    int fetch;
    void *p = NULL;
    ttlcache *plain = ttlcache_new(false), *co = ttlcache_new(true);
    /* Without coalescing every concurrent miss fetches. */
    assert_int_equal(ttlcache_lookup(plain, 1, 0.0, &p), TTLCACHE_MISS);
    ttlcache_set_pending(plain, 1, 0.0, &fetch);
    assert_int_equal(ttlcache_lookup(plain, 1, 0.1, &p), TTLCACHE_MISS);
    /* With it, the second waits for the first. */
    assert_int_equal(ttlcache_lookup(co, 1, 0.0, &p), TTLCACHE_MISS);
    ttlcache_set_pending(co, 1, 0.0, &fetch);
    assert_int_equal(ttlcache_lookup(co, 1, 0.1, &p), TTLCACHE_JOIN);
    assert_ptr_equal(p, &fetch);
    ttlcache_fill(co, 1, 0.2, 10.0);
    assert_int_equal(ttlcache_lookup(co, 1, 0.3, &p), TTLCACHE_HIT);
    /* A flush drops results but keeps fetches in flight; a clear drops both. */
    ttlcache_set_pending(co, 2, 0.3, &fetch);
    ttlcache_flush(co);
    assert_int_equal(ttlcache_lookup(co, 1, 0.4, &p), TTLCACHE_MISS);
    assert_int_equal(ttlcache_lookup(co, 2, 0.4, &p), TTLCACHE_JOIN);
    ttlcache_clear(co);
    assert_int_equal(ttlcache_lookup(co, 2, 0.4, &p), TTLCACHE_MISS);
    ttlcache_free(plain);
    ttlcache_free(co);
}

static void test_many_keys_and_purge(void **state)
{
    (void)state;
    ttlcache *c = ttlcache_new(false);
    for (uint64_t k = 0; k < 10000; k++)
        ttlcache_fill(c, k, (double)k, 5.0);
    for (uint64_t k = 9995; k < 10000; k++)
        assert_int_equal(ttlcache_lookup(c, k, 9999.5, NULL), TTLCACHE_HIT);
    assert_int_equal(ttlcache_lookup(c, 9994, 9999.5, NULL), TTLCACHE_MISS);
    /* Expired entries were purged while the table grew: far fewer than 10000 remain. */
    assert_true(ttlcache_size(c) < 200);
    ttlcache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expiry_fixed_at_insertion),
        cmocka_unit_test(test_coalescing),
        cmocka_unit_test(test_many_keys_and_purge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
