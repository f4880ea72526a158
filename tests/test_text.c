/* test_text: shortest round-trip numbers (every double read back exactly, the fewest digits, the
 * precision floor) and whole files into memory (contents, the size bound, missing files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "text.h"

#include <errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_shortest_reads_back(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    char buf[40];
    for (int i = 0; i < 100000; i++) {
        /* random bit patterns: every exponent, subnormals included */
        uint64_t bits = ((uint64_t)gsl_rng_get(r) << 32) ^ gsl_rng_get(r);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            continue;
        int p = text_shortest(buf, sizeof buf, v, 1);
        assert_true(strtod(buf, NULL) == v);
        if (p > 1) { /* one digit fewer does not read back */
            char less[400];
            snprintf(less, sizeof less, "%.*g", p - 1, v);
            assert_true(strtod(less, NULL) != v);
        }
    }
    gsl_rng_free(r);
}

static void test_shortest_examples(void **state)
{
    (void)state;
    char buf[40];
    assert_int_equal(text_shortest(buf, sizeof buf, 0.1, 1), 1);
    assert_string_equal(buf, "0.1");
    text_shortest(buf, sizeof buf, 0.1 + 0.2, 1);
    assert_string_equal(buf, "0.30000000000000004");
    text_shortest(buf, sizeof buf, 100000, 1);
    assert_string_equal(buf, "1e+05");
    text_shortest(buf, sizeof buf, 100000, 6); /* the CSV floor keeps small integers whole */
    assert_string_equal(buf, "100000");
    assert_int_equal(text_shortest(buf, sizeof buf, NAN, 1), 17);
    assert_string_equal(buf, "nan");
}

static void tmp_with(char *path, const char *text, size_t n)
{
    strcpy(path, "/tmp/avalanche-text-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
}

static void test_read_file(void **state)
{
    (void)state;
    char path[64];
    /* larger than the first buffer, with a NUL inside */
    size_t n = 200000;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    big[1000] = '\0';
    tmp_with(path, big, n);
    size_t len = 0;
    char *got = text_read_file(path, SIZE_MAX, &len);
    assert_non_null(got);
    assert_int_equal(len, n);
    assert_memory_equal(got, big, n);
    assert_int_equal(got[n], '\0');
    free(got);
    /* over the bound: EFBIG, nothing returned */
    errno = 0;
    assert_null(text_read_file(path, n - 1, &len));
    assert_int_equal(errno, EFBIG);
    got = text_read_file(path, n, &len);
    assert_non_null(got);
    free(got);
    unlink(path);
    free(big);
    /* empty and missing files */
    tmp_with(path, "", 0);
    got = text_read_file(path, 10, &len);
    assert_non_null(got);
    assert_int_equal(len, 0);
    assert_string_equal(got, "");
    free(got);
    unlink(path);
    errno = 0;
    assert_null(text_read_file("/nonexistent/avalanche.txt", 10, &len));
    assert_int_equal(errno, ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shortest_reads_back),
        cmocka_unit_test(test_shortest_examples),
        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
