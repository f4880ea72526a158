/* test_err: the first error wins, err_clear starts over, long messages are cut at ERR_MAX, and
 * err_set always returns -1 (so `return err_set(...)` reports failure); a broken ensure() aborts
 * with the file, the line, the simulated time and the condition on stderr (in a child). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "err.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int vset(err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = err_vset(e, fmt, ap);
    va_end(ap);
    return rc;
}

static void test_first_error_wins(void **state)
{
    (void)state;
    err e = {0};
    assert_false(e.set);
    assert_int_equal(err_set(&e, "%s:%d: first", "a.cfg", 3), -1);
    assert_true(e.set);
    assert_int_equal(err_set(&e, "second"), -1);
    assert_string_equal(e.msg, "a.cfg:3: first");
    assert_int_equal(vset(&e, "third %d", 3), -1);
    assert_string_equal(e.msg, "a.cfg:3: first");
    err_clear(&e);
    assert_false(e.set);
    assert_string_equal(e.msg, "");
    assert_int_equal(vset(&e, "after clear %d", 4), -1);
    assert_string_equal(e.msg, "after clear 4");
}

static void test_long_message_cut(void **state)
{
    (void)state;
    char big[2 * ERR_MAX];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err e = {0};
    err_set(&e, "%s", big);
    assert_int_equal(strlen(e.msg), ERR_MAX - 1);
}

static void test_ensure_aborts(void **state)
{
    (void)state;
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        int queued = 3;
        ensure(queued == 0, 12.5, "queue not empty (%d)", queued);
        _exit(0); /* not reached */
    }
    close(fd[1]);
    char buf[1024];
    ssize_t n, got = 0;
    while ((n = read(fd[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0)
        got += n;
    buf[got] = '\0';
    close(fd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(buf, "test_err.c"));
    assert_non_null(strstr(buf, "queued == 0"));
    assert_non_null(strstr(buf, "queue not empty (3)"));
    assert_non_null(strstr(buf, "12.5"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_error_wins),
        cmocka_unit_test(test_long_message_cut),
        cmocka_unit_test(test_ensure_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
