/* test_ttlcache: expiry fixed at insertion, refresh by later fills, flush, coalescing, growth. */
#include "testutil.h"

#include "ttlcache.h"

static void test_expiry_fixed_at_insertion(void **state)
{
    (void)state;
    ttlcache *c = ttlcache_new(false, 0);
    assert_int_equal(ttlcache_lookup(c, 7, 0.0, NULL), TTLCACHE_MISS);
    ttlcache_fill(c, 7, 1.0, 10.0, true);
    assert_int_equal(ttlcache_lookup(c, 7, 5.0, NULL), TTLCACHE_HIT);
    /* Hits do not extend the entry: it dies at 11 whatever happens before. */
    assert_int_equal(ttlcache_lookup(c, 7, 10.999, NULL), TTLCACHE_HIT);
    assert_int_equal(ttlcache_lookup(c, 7, 11.0, NULL), TTLCACHE_MISS);
    /* A later fill (an orphaned validation finishing) stores a new expiry. */
    ttlcache_fill(c, 7, 12.0, 10.0, true);
    assert_int_equal(ttlcache_lookup(c, 7, 21.5, NULL), TTLCACHE_HIT);
    /* A zero TTL (failures in 1.12) stores nothing and leaves a stored entry alone. */
    ttlcache_fill(c, 7, 13.0, 0.0, true);
    assert_int_equal(ttlcache_lookup(c, 7, 21.5, NULL), TTLCACHE_HIT);
    ttlcache_fill(c, 8, 13.0, 0.0, true);
    assert_int_equal(ttlcache_lookup(c, 8, 13.0, NULL), TTLCACHE_MISS);
    ttlcache_free(c);
    ttlcache_free(NULL);
}

static void test_coalescing(void **state)
{
    (void)state;
    int fetch;
    void *p = NULL;
    ttlcache *plain = ttlcache_new(false, 0), *co = ttlcache_new(true, 0);
    /* Without coalescing every concurrent miss fetches. */
    assert_int_equal(ttlcache_lookup(plain, 1, 0.0, &p), TTLCACHE_MISS);
    ttlcache_set_pending(plain, 1, 0.0, &fetch);
    assert_int_equal(ttlcache_lookup(plain, 1, 0.1, &p), TTLCACHE_MISS);
    /* With it, the second waits for the first. */
    assert_int_equal(ttlcache_lookup(co, 1, 0.0, &p), TTLCACHE_MISS);
    ttlcache_set_pending(co, 1, 0.0, &fetch);
    assert_int_equal(ttlcache_lookup(co, 1, 0.1, &p), TTLCACHE_JOIN);
    assert_ptr_equal(p, &fetch);
    ttlcache_fill(co, 1, 0.2, 10.0, true);
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
    ttlcache *c = ttlcache_new(false, 0);
    for (uint64_t k = 0; k < 10000; k++)
        ttlcache_fill(c, k, (double)k, 5.0, true);
    for (uint64_t k = 9995; k < 10000; k++)
        assert_int_equal(ttlcache_lookup(c, k, 9999.5, NULL), TTLCACHE_HIT);
    assert_int_equal(ttlcache_lookup(c, 9994, 9999.5, NULL), TTLCACHE_MISS);
    /* Expired entries were purged while the table grew: far fewer than 10000 remain. */
    assert_true(ttlcache_size(c) < 200);
    ttlcache_free(c);
}

/* 1.13+ caches errors for the failure TTL: a stored failure answers HIT_FAIL until it expires. */
static void test_failures(void **state)
{
    (void)state;
    ttlcache *c = ttlcache_new(false, 0);
    ttlcache_fill(c, 5, 0.0, 2.0, false);
    assert_int_equal(ttlcache_lookup(c, 5, 1.0, NULL), TTLCACHE_HIT_FAIL);
    assert_int_equal(ttlcache_lookup(c, 5, 2.0, NULL), TTLCACHE_MISS);
    ttlcache_fill(c, 5, 3.0, 0.0, false); /* failure TTL 0 (1.12): nothing stored */
    assert_int_equal(ttlcache_lookup(c, 5, 3.0, NULL), TTLCACHE_MISS);
    ttlcache_fill(c, 5, 3.0, 10.0, true); /* a success replaces a failure */
    ttlcache_fill(c, 6, 3.0, 10.0, false);
    assert_int_equal(ttlcache_lookup(c, 5, 4.0, NULL), TTLCACHE_HIT);
    assert_int_equal(ttlcache_lookup(c, 6, 4.0, NULL), TTLCACHE_HIT_FAIL);
    ttlcache_free(c);
}

/* The 1.12 bound: 32 stripes of LRU; a full stripe evicts its least recently used entry. */
static void test_lru_bound(void **state)
{
    (void)state;
    ttlcache *c = ttlcache_new(false, 2 * TTLCACHE_STRIPES); /* 2 per stripe */
    /* keys that land in one stripe: fill many, the stripe keeps only two */
    ttlcache_fill(c, 1, 0.0, 100.0, true);
    uint64_t same[3];
    int found = 0;
    for (uint64_t k = 2; found < 3 && k < 100000; k++) {
        ttlcache *probe = ttlcache_new(false, TTLCACHE_STRIPES); /* 1 per stripe */
        ttlcache_fill(probe, 1, 0.0, 100.0, true);
        ttlcache_fill(probe, k, 0.0, 100.0, true);
        if (ttlcache_evictions(probe) == 1) /* k evicted 1: same stripe */
            same[found++] = k;
        ttlcache_free(probe);
    }
    assert_int_equal(found, 3);
    ttlcache_fill(c, same[0], 1.0, 100.0, true);
    assert_int_equal(ttlcache_lookup(c, 1, 2.0, NULL), TTLCACHE_HIT); /* 1 is now the most recent */
    ttlcache_fill(c, same[1], 3.0, 100.0, true);                      /* evicts same[0] */
    assert_int_equal(ttlcache_evictions(c), 1);
    assert_int_equal(ttlcache_lookup(c, same[0], 4.0, NULL), TTLCACHE_MISS);
    assert_int_equal(ttlcache_lookup(c, 1, 4.0, NULL), TTLCACHE_HIT);
    assert_int_equal(ttlcache_lookup(c, same[1], 4.0, NULL), TTLCACHE_HIT);
    /* an expired entry is dropped when looked up: its slot is free again, no eviction */
    ttlcache_fill(c, same[2], 5.0, 1.0, true); /* evicts the least recent: 1 (looked up at 4) */
    assert_int_equal(ttlcache_evictions(c), 2);
    assert_int_equal(ttlcache_lookup(c, same[2], 7.0, NULL), TTLCACHE_MISS);
    ttlcache_fill(c, 1, 8.0, 100.0, true);
    assert_int_equal(ttlcache_evictions(c), 2);
    assert_int_equal(ttlcache_lookup(c, same[1], 9.0, NULL), TTLCACHE_HIT);
    assert_int_equal(ttlcache_lookup(c, 1, 9.0, NULL), TTLCACHE_HIT);
    ttlcache_free(c);
    /* unbounded: no evictions */
    c = ttlcache_new(false, 0);
    for (uint64_t k = 0; k < 10000; k++)
        ttlcache_fill(c, k, 0.0, 100.0, true);
    assert_int_equal(ttlcache_evictions(c), 0);
    assert_int_equal(ttlcache_lookup(c, 0, 1.0, NULL), TTLCACHE_HIT);
    ttlcache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_lru_bound),
        cmocka_unit_test(test_expiry_fixed_at_insertion),
        cmocka_unit_test(test_coalescing),
        cmocka_unit_test(test_many_keys_and_purge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
