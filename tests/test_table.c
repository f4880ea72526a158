/* test_table: the CSV reader: empty fields, string columns, line ends, row-length errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void write_tmp(char *path, const char *text)
{
    strcpy(path, "/tmp/avalanche-table-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
}

static void test_read_fields(void **state)
{
    (void)state;
    char path[64];
    write_tmp(path, "t,class,value\n1,stable,0.5\n2,,\n3,metastable,1e-3\n\n4,overloaded,abc\n");
    err e = {0};
    table *t = table_read(path, &e);
    assert_non_null(t);
    assert_int_equal(table_rows(t), 4);
    assert_int_equal(table_cols(t), 3);
    int ct = table_col(t, "t"), cc = table_col(t, "class"), cv = table_col(t, "value");
    assert_int_equal(ct, 0);
    assert_int_equal(cc, 1);
    assert_int_equal(cv, 2);
    assert_int_equal(table_col(t, "missing"), -1);
    assert_string_equal(table_col_name(t, 2), "value");
    assert_true(table_num(t, 0, cv) == 0.5);
    assert_true(isnan(table_num(t, 1, cv))); /* empty */
    assert_true(table_num(t, 2, cv) == 1e-3);
    assert_true(isnan(table_num(t, 3, cv)));  /* not a number */
    assert_true(isnan(table_num(t, 0, cc)));  /* a string column */
    assert_true(isnan(table_num(t, 0, -1)));  /* absent column */
    assert_true(isnan(table_num(t, 99, ct))); /* out of range */
    assert_string_equal(table_str(t, 0, cc), "stable");
    assert_string_equal(table_str(t, 1, cc), "");
    assert_string_equal(table_str(t, 3, cc), "overloaded");
    assert_string_equal(table_str(t, 0, -1), "");
    assert_true(table_num(t, 3, ct) == 4);
    table_free(t);
    unlink(path);
}

static void test_crlf_and_no_final_newline(void **state)
{
    (void)state;
    char path[64];
    write_tmp(path, "a,b\r\n1,2\r\n3,4");
    err e = {0};
    table *t = table_read(path, &e);
    assert_non_null(t);
    assert_int_equal(table_rows(t), 2);
    assert_true(table_num(t, 0, table_col(t, "b")) == 2);
    assert_true(table_num(t, 1, 1) == 4);
    table_free(t);
    unlink(path);
}

static void test_header_only(void **state)
{
    (void)state;
    char path[64];
    write_tmp(path, "x,y\n");
    err e = {0};
    table *t = table_read(path, &e);
    assert_non_null(t);
    assert_int_equal(table_rows(t), 0);
    assert_int_equal(table_col(t, "y"), 1);
    table_free(t);
    unlink(path);
}

static void test_bad_row(void **state)
{
    (void)state;
    char path[64], want[128];
    write_tmp(path, "a,b,c\n1,2,3\n4,5\n");
    err e = {0};
    assert_null(table_read(path, &e));
    snprintf(want, sizeof want, "%s:3: expected 3 fields (got 2)", path);
    assert_string_equal(e.msg, want);
    unlink(path);

    write_tmp(path, "a,b\n1,2\n\n1,2,3\n");
    err_clear(&e);
    assert_null(table_read(path, &e));
    snprintf(want, sizeof want, "%s:4: expected 2 fields (got 3)", path);
    assert_string_equal(e.msg, want);
    unlink(path);
}

static void test_missing_and_empty(void **state)
{
    (void)state;
    err e = {0};
    assert_null(table_read("/nonexistent/avalanche.csv", &e));
    assert_non_null(strstr(e.msg, "/nonexistent/avalanche.csv: cannot open"));
    char path[64];
    write_tmp(path, "");
    err_clear(&e);
    assert_null(table_read(path, &e));
    assert_non_null(strstr(e.msg, "empty file"));
    unlink(path);
    table_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_fields),       cmocka_unit_test(test_crlf_and_no_final_newline),
        cmocka_unit_test(test_header_only),       cmocka_unit_test(test_bad_row),
        cmocka_unit_test(test_missing_and_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
