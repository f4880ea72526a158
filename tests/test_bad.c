/* test_bad: the bad-input catalogue of tests/data/bad and output under a full disk (tests, L4).
 * Runs the avalanche binary (AVALANCHE_BIN, from the repo root) on every case: NAME.cfg (checked
 * with `avalanche check`) or NAME.args (one argument a line; @DIR@ is a fresh temp dir, @BAD@ is
 * tests/data/bad), against NAME.expect (line 1: exit status, line 2: a fragment of stderr).
 * Every failure must print exactly one line on stderr and leave no output file behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AVALANCHE_BIN
#define AVALANCHE_BIN "build/avalanche"
#endif

#define BAD_DIR "tests/data/bad"
#define MAX_ARGS 64

/* A small run (50 nodes, 700 s) that takes a fraction of a second. */
static const char *const tiny_run[] = {
    "run",   "--quiet",        "--set", "cluster.nodes=50", "--set", "sim.duration=700",
    "--set", "sim.warmup=100", "--set", "trigger.at=400",   "--set", "health.recovery_window=200",
    NULL};

/* ---- helpers --------------------------------------------------------------------------------- */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1024, n = 0, got;
    char *buf = malloc(cap);
    assert_non_null(buf);
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), cap = strlen(s) + 1;
    for (const char *p = strstr(s, from); p; p = strstr(p + nf, from))
        cap += nt;
    char *out = malloc(cap), *o = out;
    assert_non_null(out);
    for (const char *p; (p = strstr(s, from)); s = p + nf) {
        memcpy(o, s, (size_t)(p - s));
        o += p - s;
        memcpy(o, to, nt);
        o += nt;
    }
    strcpy(o, s);
    return out;
}

static char *make_temp_dir(void)
{
    char *d = strdup("/tmp/avalanche-test-bad.XXXXXX");
    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

/* Counts the entries under dir, recursively (directories too); lists them on stderr. */
static int count_entries(const char *dir, int verbose)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (verbose)
            fprintf(stderr, "  left behind: %s\n", path);
        n++;
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            n += count_entries(path, verbose);
    }
    closedir(d);
    return n;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

typedef struct result {
    int status; /* exit status, or 128 + signal */
    char *err;  /* everything the child wrote on stderr */
} result;

/* Runs the binary with argv (argv[0] is supplied) and stdout to stdout_path. fsize_limit > 0:
 * RLIMIT_FSIZE in the child, with SIGXFSZ ignored, so writes fail with EFBIG like a full disk. */
static result spawn(const char *const *args, const char *stdout_path, long fsize_limit)
{
    const char *argv[MAX_ARGS + 2];
    int n = 0;
    argv[n++] = AVALANCHE_BIN;
    for (; args[n - 1] && n <= MAX_ARGS; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int out = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (out < 0)
            _exit(126);
        dup2(out, 1);
        dup2(pipefd[1], 2);
        close(out);
        close(pipefd[0]);
        close(pipefd[1]);
        /* Under ASan, LSan lists the suppressions it used on stderr: not the program's output. */
        const char *lsan = getenv("LSAN_OPTIONS");
        if (lsan) {
            char opts[2048];
            snprintf(opts, sizeof opts, "%s:print_suppressions=0", lsan);
            setenv("LSAN_OPTIONS", opts, 1);
        }
        if (fsize_limit > 0) {
            struct rlimit rl = {(rlim_t)fsize_limit, (rlim_t)fsize_limit};
            signal(SIGXFSZ, SIG_IGN);
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
                _exit(126);
        }
        execv(AVALANCHE_BIN, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (len + 1 == cap) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
        ssize_t got = read(pipefd[0], buf + len, cap - len - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    buf[len] = '\0';
    close(pipefd[0]);
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        assert_int_equal(errno, EINTR);
    result r = {WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws), buf};
    return r;
}

/* stderr must be exactly one line: text, then one final newline. Returns 0 or -1 (explained). */
static int one_line(const char *what, const char *err)
{
    size_t n = strlen(err);
    const char *nl = strchr(err, '\n');
    if (n > 0 && nl == err + n - 1)
        return 0;
    fprintf(stderr, "%s: expected exactly one line on stderr, got:\n%s<end>\n", what, err);
    return -1;
}

/* ---- the catalogue --------------------------------------------------------------------------- */

static void run_case(void **state)
{
    const char *name = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/%s.expect", BAD_DIR, name);
    char *expect = read_text(path);
    assert_non_null(expect);
    char *nl = strchr(expect, '\n');
    assert_non_null(nl);
    *nl = '\0';
    int want_status = atoi(expect);
    char *fragment = nl + 1;
    fragment[strcspn(fragment, "\n")] = '\0';
    assert_true(*fragment != '\0');

    char *dir = make_temp_dir();
    char *args_text = NULL;
    const char *args[MAX_ARGS + 1];
    char cfg[512];
    int n = 0;
    snprintf(path, sizeof path, "%s/%s.args", BAD_DIR, name);
    char *raw = read_text(path);
    if (raw) {
        char *a = replace_all(raw, "@DIR@", dir);
        args_text = replace_all(a, "@BAD@", BAD_DIR);
        free(a);
        free(raw);
        for (char *s = args_text, *e; *s && n < MAX_ARGS; s = e + 1) {
            e = strchr(s, '\n');
            if (!e) {
                args[n++] = s;
                break;
            }
            *e = '\0';
            args[n++] = s;
        }
    } else {
        snprintf(cfg, sizeof cfg, "%s/%s.cfg", BAD_DIR, name);
        args[n++] = "check";
        args[n++] = cfg;
    }
    args[n] = NULL;

    char out_path[600];
    snprintf(out_path, sizeof out_path, "%s.stdout", dir);
    result r = spawn(args, out_path, 0);
    int bad = 0;
    if (r.status != want_status || !strstr(r.err, fragment)) {
        fprintf(stderr, "%s: expected status %d and stderr containing\n  %s\ngot status %d:\n%s",
                name, want_status, fragment, r.status, r.err);
        bad = 1;
    }
    if (want_status != 0) {
        bad |= one_line(name, r.err) != 0;
        if (count_entries(dir, 1) != 0) {
            fprintf(stderr, "%s: a failed run left files in %s\n", name, dir);
            bad = 1;
        }
    }
    unlink(out_path);
    remove_tree(dir);
    free(r.err);
    free(args_text);
    free(dir);
    free(expect);
    if (bad)
        fail();
}

/* ---- a full disk ----------------------------------------------------------------------------- */

/* Does the file end with these bytes (trailing blanks aside for text formats)? */
static int ends_with(const char *path, const void *tail, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char buf[64];
    int ok = 0;
    if (n <= sizeof buf && fseek(f, -(long)n, SEEK_END) == 0 && fread(buf, 1, n, f) == n)
        ok = memcmp(buf, tail, n) == 0;
    fclose(f);
    return ok;
}

/* Every file of a failed run's output dir is complete (it reads back) or absent: no temporaries,
 * no torn CSV. Returns how many final files there are, or -1 (explained on stderr). */
static int check_out_dir(const char *out, const char *stdout_path)
{
    DIR *d = opendir(out);
    if (!d)
        return 0; /* nothing written at all */
    int n = 0, bad = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *nm = de->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", out, nm);
        size_t len = strlen(nm);
        if (nm[0] == '.' || strstr(nm, ".tmp")) {
            fprintf(stderr, "temporary left behind: %s\n", path);
            bad = 1;
        } else if (strcmp(nm, "config.resolved.cfg") == 0) {
            const char *args[] = {"check", path, NULL};
            result r = spawn(args, stdout_path, 0);
            if (r.status != 0) {
                fprintf(stderr, "%s does not read back: %s", path, r.err);
                bad = 1;
            }
            free(r.err);
        } else if (len > 4 &&
                   (strcmp(nm + len - 4, ".png") == 0 || strcmp(nm + len - 4, ".svg") == 0 ||
                    strcmp(nm + len - 4, ".pdf") == 0)) {
            /* complete chart: the format's own end marker is there */
            static const unsigned char iend[] = {0,   0,   0,    0,    'I',  'E',
                                                 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
            const char *ext = nm + len - 3;
            const void *tail = strcmp(ext, "png") == 0   ? (const void *)iend
                               : strcmp(ext, "svg") == 0 ? (const void *)"</svg>\n"
                                                         : (const void *)"%%EOF\n";
            size_t tl = strcmp(ext, "png") == 0 ? sizeof iend : strlen(tail);
            if (!ends_with(path, tail, tl)) {
                fprintf(stderr, "torn chart: %s\n", path);
                bad = 1;
            }
        } else if (len > 3 && strcmp(nm + len - 3, ".om") == 0) {
            if (!ends_with(path, "# EOF\n", 6)) {
                fprintf(stderr, "torn OpenMetrics file: %s\n", path);
                bad = 1;
            }
        } else if (len > 4 && strcmp(nm + len - 4, ".csv") == 0) {
            /* complete CSV: ends in a newline and every row has the header's field count */
            char *t = read_text(path);
            size_t tl = t ? strlen(t) : 0;
            int fields = -1, rowf = 1, torn = tl == 0 || t[tl - 1] != '\n';
            for (const char *c = t; c && *c && !torn; c++) {
                if (*c == ',') {
                    rowf++;
                } else if (*c == '\n') {
                    if (fields < 0)
                        fields = rowf;
                    torn = rowf != fields;
                    rowf = 1;
                }
            }
            if (torn) {
                fprintf(stderr, "torn CSV: %s\n", path);
                bad = 1;
            }
            free(t);
        }
        n++;
    }
    closedir(d);
    return bad ? -1 : n;
}

static long file_size(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Runs tiny_run into a fresh DIR/out; fsize_limit as for spawn. Fills out (size n). */
static result run_tiny(char *dir, char *out, size_t n, const char *stdout_path, long fsize_limit)
{
    snprintf(out, n, "%s/out", dir);
    const char *args[MAX_ARGS + 1];
    int k = 0;
    for (; tiny_run[k]; k++)
        args[k] = tiny_run[k];
    args[k++] = "--out";
    args[k++] = out;
    args[k] = NULL;
    return spawn(args, stdout_path, fsize_limit);
}

static void test_full_disk(void **state)
{
    (void)state;
    /* A clean run gives each output's size; a file size limit just under one of them makes that
     * write fail like a full disk, the files written before it being smaller. */
    char *dir = make_temp_dir();
    char out[600], so[600];
    snprintf(so, sizeof so, "%s.stdout", dir);
    result r = run_tiny(dir, out, sizeof out, so, 0);
    long cfg = file_size(out, "config.resolved.cfg"), ts = file_size(out, "timeseries.csv");
    long png = file_size(out, "timeseries.png"), svg = file_size(out, "timeseries.svg");
    free(r.err);
    unlink(so);
    remove_tree(dir);
    free(dir);
    assert_int_equal(r.status, 0);
    assert_true(cfg > 0 && ts > cfg && png > ts && svg > png);
    /* svg - 100: cairo's SVG fits, the <title>/<desc> added after it does not */
    const long limits[] = {1, cfg - 1, ts - 1, png - 1, svg - 1, svg - 100};
    int bad = 0;
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        dir = make_temp_dir();
        snprintf(so, sizeof so, "%s.stdout", dir);
        r = run_tiny(dir, out, sizeof out, so, limits[i]);
        /* The message names the file and says why (EFBIG here; ENOSPC on a real full disk). */
        if (r.status != 1 || !strstr(r.err, out) ||
            (!strstr(r.err, "File too large") && !strstr(r.err, "cannot write chart"))) {
            fprintf(stderr,
                    "RLIMIT_FSIZE %ld: expected status 1 and a message naming a file in %s,"
                    " got status %d:\n%s",
                    limits[i], out, r.status, r.err);
            bad = 1;
        }
        bad |= r.status == 1 && one_line("full disk", r.err) != 0;
        int files = check_out_dir(out, so);
        bad |= files < 0;
        fprintf(stderr, "RLIMIT_FSIZE %ld: %d complete files; %s%s", limits[i], files, r.err,
                *r.err ? "" : "\n");
        unlink(so);
        remove_tree(dir);
        free(r.err);
        free(dir);
    }
    if (bad)
        fail();
}

static void test_stdout_full(void **state)
{
    (void)state;
    const char *args[] = {"check", "configs/k8s-1.12-incident.cfg", NULL};
    result r = spawn(args, "/dev/full", 0);
    int ok = r.status == 1 && strstr(r.err, "standard output") && strstr(r.err, "No space") &&
             one_line("check > /dev/full", r.err) == 0;
    if (!ok)
        fprintf(stderr,
                "check > /dev/full: expected status 1 and one line naming standard output "
                "and the cause, got status %d:\n%s",
                r.status, r.err);
    free(r.err);
    assert_true(ok);
}

/* The run's human summary goes to stdout: losing it is an I/O failure too. */
static void test_run_stdout_full(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    char out[600];
    snprintf(out, sizeof out, "%s/out", dir);
    const char *args[MAX_ARGS + 1];
    int n = 0;
    for (int i = 0; tiny_run[i]; i++)
        if (strcmp(tiny_run[i], "--quiet") != 0) /* a summary to write */
            args[n++] = tiny_run[i];
    args[n++] = "--out";
    args[n++] = out;
    args[n] = NULL;
    result r = spawn(args, "/dev/full", 0);
    int ok = r.status == 1 && strstr(r.err, "standard output") && strstr(r.err, "No space") &&
             one_line("run > /dev/full", r.err) == 0;
    if (!ok)
        fprintf(stderr,
                "run > /dev/full: expected status 1 and one line naming standard output "
                "and the cause, got status %d:\n%s",
                r.status, r.err);
    remove_tree(dir);
    free(r.err);
    free(dir);
    assert_true(ok);
}

/* The tiny run itself succeeds and writes every file, so the failures above are the limit's. */
static void test_tiny_run_ok(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    char out[600], so[600];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(so, sizeof so, "%s.stdout", dir);
    const char *args[MAX_ARGS + 1];
    int n = 0;
    for (; tiny_run[n]; n++)
        args[n] = tiny_run[n];
    args[n++] = "--out";
    args[n++] = out;
    args[n] = NULL;
    result r = spawn(args, so, 0);
    int status = r.status, files = check_out_dir(out, so);
    if (status != 0)
        fprintf(stderr, "%s", r.err);
    unlink(so);
    remove_tree(dir);
    free(r.err);
    free(dir);
    assert_int_equal(status, 0);
    /* config.resolved.cfg, provenance.csv, timeseries.csv, timeseries.om, summary.csv,
     * timing.csv and the dashboard in three formats */
    assert_int_equal(files, 9);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    DIR *d = opendir(BAD_DIR);
    if (!d) {
        fprintf(stderr, "test_bad: cannot open %s (run from the repo root)\n", BAD_DIR);
        return 1;
    }
    size_t cap = 64, n = 0;
    char **names = malloc(cap * sizeof *names);
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= 7 || strcmp(de->d_name + len - 7, ".expect") != 0)
            continue;
        if (n == cap)
            names = realloc(names, (cap *= 2) * sizeof *names);
        names[n++] = strndup(de->d_name, len - 7);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);

    struct CMUnitTest *tests = calloc(n + 4, sizeof *tests);
    for (size_t i = 0; i < n; i++) {
        tests[i].name = names[i];
        tests[i].test_func = run_case;
        tests[i].initial_state = names[i];
    }
    tests[n].name = "tiny_run_ok";
    tests[n].test_func = test_tiny_run_ok;
    tests[n + 1].name = "full_disk";
    tests[n + 1].test_func = test_full_disk;
    tests[n + 2].name = "stdout_full";
    tests[n + 2].test_func = test_stdout_full;
    tests[n + 3].name = "run_stdout_full";
    tests[n + 3].test_func = test_run_stdout_full;
    fprintf(stderr, "test_bad: %zu catalogue cases in %s\n", n, BAD_DIR);
    int rc = _cmocka_run_group_tests("bad", tests, n + 4, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(tests);
    return rc;
}
