/* sweeptest: helpers of the sweep tests that drive the binaries (test_shard, test_mpi): a scratch
 * directory, a child process with its output in files, whole-file comparisons. */
#ifndef AVALANCHE_SWEEPTEST_H
#define AVALANCHE_SWEEPTEST_H

#include "testutil.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AVALANCHE_BIN
#define AVALANCHE_BIN "build/avalanche"
#endif

#define TINY "tests/data/sweep/tiny.cfg"

static char scratch[64];

static int scratch_setup(void **state)
{
    (void)state;
    strcpy(scratch, "/tmp/avalanche-sweeptest-XXXXXX");
    return mkdtemp(scratch) ? 0 : -1;
}

static int scratch_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

/* scratch/name in a static buffer of its own (up to 8 live at once). */
static const char *at(const char *name)
{
    static char buf[8][256];
    static int i;
    char *b = buf[i++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s", scratch, name);
    return b;
}

/* Starts argv[0] with argv (NULL-terminated), stdout and stderr to scratch/out.txt and
 * scratch/err.txt. Returns the pid. */
static pid_t spawn(const char *const *argv)
{
    char out[128], errp[128];
    snprintf(out, sizeof out, "%s/out.txt", scratch);
    snprintf(errp, sizeof errp, "%s/err.txt", scratch);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(out, "w", stdout) || !freopen(errp, "w", stderr))
            _exit(127);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* Exit status of pid: the code, or 128 + the signal that ended it. */
static int reap(pid_t pid)
{
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run(const char *const *argv)
{
    return reap(spawn(argv));
}

/* The whole file, NUL-terminated (NULL when it cannot be read); *len its size when len. Read to
 * the end, so that /proc files (of size 0 to stat) work too. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = 0, cap = 4096;
    char *s = malloc(cap + 1);
    for (size_t got; (got = fread(s + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap)
            s = realloc(s, (cap *= 2) + 1);
    }
    s[n] = '\0';
    fclose(f);
    if (len)
        *len = n;
    return s;
}

/* The child's stderr or stdout must contain needle. */
static void output_has(const char *which, const char *needle)
{
    char *s = slurp(at(which), NULL);
    if (!s || !strstr(s, needle))
        fail_msg("%s lacks '%s': %s", which, needle, s ? s : "(unreadable)");
    free(s);
}

static void same_file(const char *a, const char *b, const char *name)
{
    char pa[320], pb[320];
    snprintf(pa, sizeof pa, "%s/%s", a, name);
    snprintf(pb, sizeof pb, "%s/%s", b, name);
    size_t na, nb;
    char *x = slurp(pa, &na), *y = slurp(pb, &nb);
    if (!x || !y || na != nb || memcmp(x, y, na) != 0)
        fail_msg("%s and %s differ", pa, pb);
    free(x);
    free(y);
}

static inline void same_results(const char *a, const char *b)
{
    same_file(a, b, "points.csv");
    same_file(a, b, "regions.csv");
    same_file(a, b, "cells.csv");
    same_file(a, b, "config.resolved.cfg");
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

#endif
