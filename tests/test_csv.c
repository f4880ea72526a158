/* test_csv: numbers that read back (NaN empty, the six-digit floor), quoted strings (RFC 4180),
 * files that appear whole or not at all (commit, abort, a directory that does not exist), paths,
 * mkdir -p, and file_read's messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "csv.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef void (*writer)(FILE *f, const void *arg);

/* What fn writes, as a string (caller frees). */
static char *capture(writer fn, const void *arg)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    fn(f, arg);
    long n = ftell(f);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    rewind(f);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void put_num(FILE *f, const void *arg)
{
    csv_num(f, *(const double *)arg);
}

static void put_str(FILE *f, const void *arg)
{
    csv_str(f, arg);
}

static void num_is(double v, const char *want)
{
    char *got = capture(put_num, &v);
    assert_string_equal(got, want);
    free(got);
}

static void str_is(const char *s, const char *want)
{
    char *got = capture(put_str, s);
    assert_string_equal(got, want);
    free(got);
}

static void test_numbers(void **state)
{
    (void)state;
    num_is(NAN, "");
    num_is(0.0, "0");
    num_is(-0.0, "0");
    num_is(100000, "100000");
    num_is(1800, "1800");
    num_is(0.1, "0.1");
    num_is(1.0 / 3.0, "0.3333333333333333");
    num_is(INFINITY, "inf");
    for (double v = 1e-9; v < 1e12; v *= 7.3) {
        char *got = capture(put_num, &v);
        assert_true(strtod(got, NULL) == v);
        free(got);
    }
}

static void test_strings(void **state)
{
    (void)state;
    str_is("plain", "plain");
    str_is("", "");
    str_is("a,b", "\"a,b\"");
    str_is("say \"hi\"", "\"say \"\"hi\"\"\"");
    str_is("two\nlines", "\"two\nlines\"");
}

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void test_atomic_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/avalanche-csv-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = path_join(dir, "out.csv");
    err e = {0};
    afile a;
    assert_int_equal(afile_open(&a, path, &e), 0);
    fputs("a,b\n1,2\n", a.f);
    assert_int_equal(access(path, F_OK), -1); /* not there before the commit */
    assert_int_equal(afile_commit(&a, &e), 0);
    size_t len;
    char *text = file_read(path, &len, &e);
    assert_non_null(text);
    assert_string_equal(text, "a,b\n1,2\n");
    free(text);
    assert_int_equal(entries(dir), 1); /* no temporary left */
    /* an abandoned file leaves the old one and no temporary */
    assert_int_equal(afile_open(&a, path, &e), 0);
    fputs("half", a.f);
    afile_abort(&a);
    text = file_read(path, &len, &e);
    assert_string_equal(text, "a,b\n1,2\n");
    free(text);
    assert_int_equal(entries(dir), 1);
    afile_abort(&a); /* twice is fine */
    /* a directory that is not there: an error naming the file */
    char *bad = path_join(dir, "missing/out.csv");
    assert_int_equal(afile_open(&a, bad, &e), -1);
    assert_non_null(strstr(e.msg, "missing/out.csv"));
    free(bad);
    unlink(path);
    free(path);
    rmdir(dir);
}

static void test_paths(void **state)
{
    (void)state;
    char *s = path_join("results", "run");
    assert_string_equal(s, "results/run");
    free(s);
    s = path_join("results/", "run");
    assert_string_equal(s, "results/run");
    free(s);
    s = path_join("", "run");
    assert_string_equal(s, "run");
    free(s);
    s = path_base("results/a/");
    assert_string_equal(s, "a");
    free(s);
    s = path_base("a");
    assert_string_equal(s, "a");
    free(s);
}

static void test_dir_make_and_read_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/avalanche-csv-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *deep = path_join(dir, "x/y/z");
    err e = {0};
    assert_int_equal(dir_make(deep, &e), 0);
    struct stat st;
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* a file in the way */
    char *file = path_join(dir, "x/y/z/f");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    char *under = path_join(file, "sub");
    assert_int_equal(dir_make(under, &e), -1);
    assert_non_null(strstr(e.msg, "--out"));
    err_clear(&e);
    size_t len;
    assert_null(file_read("/nonexistent/avalanche.csv", &len, &e));
    assert_non_null(strstr(e.msg, "/nonexistent/avalanche.csv: cannot open"));
    unlink(file);
    char *y = path_join(dir, "x/y"), *x = path_join(dir, "x");
    rmdir(deep);
    rmdir(y);
    rmdir(x);
    rmdir(dir);
    free(deep);
    free(file);
    free(under);
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_atomic_files),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_dir_make_and_read_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
