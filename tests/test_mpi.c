/* test_mpi: `mpirun -n N avalanche-mpi sweep` on localhost: byte-identical to `avalanche sweep
 * -j 1` for several layouts (refinement included); a rank killed with SIGKILL mid-run leaves whole
 * rows that --resume completes to the same bytes (with another rank count); Ctrl-C; ranks that
 * disagree on the config; usage errors. Needs `make mpi` (check-tests builds it). */
#include "sweeptest.h"

#include "sweep_wire.h"

#include <dirent.h>
#include <limits.h>

#define MPI_BIN AVALANCHE_BIN "-mpi"

/* mpirun -n ranks avalanche-mpi sweep TINY --out out -j jobs [--set extra] [--resume] */
static pid_t mpi_start(int ranks, const char *out, const char *jobs, const char *extra, int resume)
{
    static char n[16];
    snprintf(n, sizeof n, "%d", ranks);
    const char *argv[24] = {"mpirun",
                            "--allow-run-as-root",
                            "--oversubscribe",
                            "-n",
                            n,
                            MPI_BIN,
                            "sweep",
                            TINY,
                            "--out",
                            out,
                            "-j",
                            jobs};
    int k = 12;
    if (extra) {
        argv[k++] = "--set";
        argv[k++] = extra;
    }
    if (resume)
        argv[k++] = "--resume";
    argv[k] = NULL;
    return spawn(argv);
}

static int mpi_sweep(int ranks, const char *out, const char *jobs, const char *extra, int resume)
{
    return reap(mpi_start(ranks, out, jobs, extra, resume));
}

static int one_process(const char *out, const char *jobs, const char *extra)
{
    const char *argv[] = {AVALANCHE_BIN, "sweep", TINY,         "--out",   out, "-j",
                          jobs,          "--set", "sim.seed=7", "--quiet", NULL};
    if (extra)
        argv[8] = extra;
    return run(argv);
}

/* The message bytes, in one process: every field comes back bit for bit (NAN and -0 included),
 * and a message cut anywhere reads as bad, never past its end. */
static void test_wire(void **state)
{
    (void)state;
    char row[] = "3,1,2.5,,2.5,overloaded,\n";
    sweep_result x = {.task = 12345678901ull,
                      .done = 1,
                      .cls = 2,
                      .stopped_early = 1,
                      .within_window = 0,
                      .recovery_s = NAN,
                      .m = {1.5, -0.0, INFINITY, 0.1 + 0.2},
                      .wall_s = 0.25,
                      .line = row};
    sweep_job j = {.task = 77, .pt = {0.1 + 0.2, NAN, 3, 2.0}};
    sweep_wbuf b = {0};
    sweep_wire_head(&b, 4, 2, 1, -7);
    sweep_wire_result(&b, &x);
    sweep_wire_job(&b, &j);
    sweep_rbuf r = {b.p, b.n, 0, 0};
    sweep_whead h = sweep_wire_read_head(&r);
    assert_true(h.type == 4 && h.count == 2 && h.want == 1 && h.code == -7);
    sweep_result y;
    assert_int_equal(sweep_wire_read_result(&r, &y), 0);
    assert_true(y.task == x.task && y.done && y.cls == 2 && y.stopped_early == 1 &&
                y.within_window == 0);
    assert_int_equal(memcmp(&y.recovery_s, &x.recovery_s, sizeof x.recovery_s), 0);
    assert_int_equal(memcmp(y.m, x.m, sizeof x.m), 0);
    assert_int_equal(memcmp(&y.wall_s, &x.wall_s, sizeof x.wall_s), 0);
    assert_string_equal(y.line, row);
    free(y.line);
    sweep_job k;
    sweep_wire_read_job(&r, &k);
    assert_true(k.task == 77 && k.pt.x == j.pt.x && isnan(k.pt.y) && k.pt.level == 3 &&
                k.pt.z == 2.0);
    assert_false(r.bad);
    assert_int_equal(r.off, b.n);
    for (size_t n = 0; n < b.n; n++) {
        sweep_rbuf t = {b.p, n, 0, 0};
        sweep_wire_read_head(&t);
        sweep_result z;
        if (sweep_wire_read_result(&t, &z) == 0)
            free(z.line);
        sweep_job q;
        sweep_wire_read_job(&t, &q);
        if (!t.bad)
            fail_msg("a message cut at %zu of %zu bytes reads as whole", n, b.n);
    }
    /* a class out of range is refused */
    b.n = 0;
    x.cls = 9;
    sweep_wire_result(&b, &x);
    sweep_rbuf t = {b.p, b.n, 0, 0};
    assert_int_equal(sweep_wire_read_result(&t, &y), -1);
    assert_true(t.bad);
    free(b.p);
}

static void test_mpi_built(void **state)
{
    (void)state;
    if (access(MPI_BIN, X_OK) != 0)
        fail_msg("%s missing: `make mpi` builds it (make test and check-tests do)", MPI_BIN);
    const char *argv[] = {"mpirun", "--version", NULL};
    if (run(argv) != 0)
        fail_msg("mpirun not found: `make deps-mpi` installs openmpi-bin");
}

/* 3 ranks, and other layouts, write exactly what one thread does; refinement included. */
static void test_mpi_identical(void **state)
{
    (void)state;
    const char *ref = at("ref");
    assert_int_equal(one_process(ref, "1", NULL), 0);
    const char *m3 = at("m3");
    assert_int_equal(mpi_sweep(3, m3, "1", NULL, 0), 0);
    same_results(ref, m3);
    output_has("out.txt", "MPI: 3 ranks, 3 worker threads: 66 runs this session");
    output_has("out.txt", "22 points (1 refinement levels), 66 runs");
    char png[320];
    snprintf(png, sizeof png, "%s/stability.png", m3);
    assert_true(exists(png));
    /* 2 ranks of 2 threads; 1 rank alone */
    const char *m2 = at("m2");
    assert_int_equal(mpi_sweep(2, m2, "2", NULL, 0), 0);
    same_results(ref, m2);
    const char *m1 = at("m1");
    assert_int_equal(mpi_sweep(1, m1, "1", NULL, 0), 0);
    same_results(ref, m1);
}

/* The pid of rank r among mpirun's children (OMPI_COMM_WORLD_RANK in its environment), or -1.
 * Any of mpirun's threads may have started it: every task's children are looked at. */
static pid_t rank_pid(pid_t mpirun, int r)
{
    char path[320], want[40];
    snprintf(want, sizeof want, "OMPI_COMM_WORLD_RANK=%d", r);
    snprintf(path, sizeof path, "/proc/%d/task", (int)mpirun);
    DIR *tasks = opendir(path);
    if (!tasks)
        return -1;
    pid_t found = -1;
    struct dirent *t;
    while (found < 0 && (t = readdir(tasks))) {
        if (t->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%s/children", (int)mpirun, t->d_name);
        FILE *f = fopen(path, "r");
        int pid;
        while (f && found < 0 && fscanf(f, "%d", &pid) == 1) {
            snprintf(path, sizeof path, "/proc/%d/environ", pid);
            size_t n;
            char *env = slurp(path, &n);
            for (size_t i = 0; env && i < n; i += strlen(env + i) + 1)
                if (strcmp(env + i, want) == 0)
                    found = pid;
            free(env);
        }
        if (f)
            fclose(f);
    }
    closedir(tasks);
    return found;
}

static off_t size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : 0;
}

/* points.csv of cut is a proper prefix of ref's, of whole rows. */
static void whole_prefix(const char *cut, const char *ref)
{
    char a[320], b[320];
    snprintf(a, sizeof a, "%s/points.csv", cut);
    snprintf(b, sizeof b, "%s/points.csv", ref);
    size_t n, m;
    char *x = slurp(a, &n), *y = slurp(b, &m);
    assert_non_null(x);
    assert_non_null(y);
    if (!(n < m && memcmp(x, y, n) == 0 && n > 0 && x[n - 1] == '\n'))
        fail_msg("%s (%zu bytes) is not a prefix of whole rows of %s (%zu bytes)", a, n, b, m);
    free(x);
    free(y);
}

/* Waits until path grows past bytes (at most 30 s). */
static void wait_for(const char *path, off_t bytes, pid_t pid)
{
    for (int i = 0; i < 30000 && size_of(path) <= bytes; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            fail_msg("the sweep ended before %s reached %ld bytes", path, (long)bytes);
        usleep(1000);
    }
}

/* The reference of the interrupted sweeps, one process: 20 replications (440 runs), so that a
 * sweep on 2 or 3 ranks outlasts mpirun's second between a Ctrl-C and the SIGTERM it sends. */
#define REPS "sweep.replications=20"
static const char *ref20(void)
{
    static char ref[256];
    if (!ref[0]) {
        snprintf(ref, sizeof ref, "%s", at("ref20"));
        assert_int_equal(one_process(ref, "2", REPS), 0);
    }
    return ref;
}

/* The runs the last sweep did in its session (its MPI summary line), to tell a resume from a
 * sweep started over. */
static long session_runs(void)
{
    char *out = slurp(at("out.txt"), NULL);
    const char *k = out ? strstr(out, "worker threads: ") : NULL;
    long n = k ? strtol(k + strlen("worker threads: "), NULL, 10) : -1;
    free(out);
    return n;
}

/* Rank 1 killed with SIGKILL mid-run: whole rows only; --resume on 2 ranks gives the bytes of
 * one process. */
/* Categorical axes (an enum, config files) and a third axis: the bytes of one process. */
static void test_mpi_axes(void **state)
{
    (void)state;
    static const char *const cfgs[] = {"tests/data/sweep/three.cfg",
                                       "tests/data/sweep/config-axis.cfg"};
    for (int i = 0; i < 2; i++) {
        const char *ref = at(i ? "axes-ref1" : "axes-ref0"), *m = at(i ? "axes-m1" : "axes-m0");
        const char *one[] = {AVALANCHE_BIN, "sweep", cfgs[i],   "--out", ref,
                             "-j",          "2",     "--quiet", NULL};
        assert_int_equal(run(one), 0);
        const char *argv[] = {"mpirun",
                              "--allow-run-as-root",
                              "--oversubscribe",
                              "-n",
                              "3",
                              MPI_BIN,
                              "sweep",
                              cfgs[i],
                              "--out",
                              m,
                              "-j",
                              "1",
                              NULL};
        assert_int_equal(run(argv), 0);
        same_results(ref, m);
    }
}

static void test_mpi_killed(void **state)
{
    (void)state;
    const char *reps = REPS;
    const char *ref = ref20(), *cut = at("killed");
    pid_t mp = mpi_start(3, cut, "1", reps, 0);
    char pts[320];
    snprintf(pts, sizeof pts, "%s/points.csv", cut);
    wait_for(pts, 12000, mp);
    pid_t r1 = -1;
    for (int i = 0; i < 1000 && r1 < 0; i++, usleep(1000))
        r1 = rank_pid(mp, 1);
    assert_true(r1 > 0);
    assert_int_equal(kill(r1, SIGKILL), 0);
    assert_true(reap(mp) != 0);
    whole_prefix(cut, ref);
    output_has("err.txt", "--resume");
    assert_int_equal(mpi_sweep(2, cut, "1", reps, 1), 0);
    same_results(ref, cut);
    long n = session_runs();
    assert_true(n > 0 && n < 440);
}

/* Ctrl-C on mpirun: it sends SIGTERM to every rank a second later (and SIGKILL one more second
 * later). Whole rows, the command to resume; resumed on one rank. */
static void test_mpi_interrupted(void **state)
{
    (void)state;
    const char *reps = REPS;
    const char *ref = ref20(), *cut = at("ctrl-c");
    pid_t mp = mpi_start(2, cut, "1", reps, 0);
    char pts[320];
    snprintf(pts, sizeof pts, "%s/points.csv", cut);
    wait_for(pts, 12000, mp);
    assert_int_equal(kill(mp, SIGINT), 0);
    assert_true(reap(mp) != 0);
    whole_prefix(cut, ref);
    output_has("err.txt", "avalanche-mpi sweep: interrupted;");
    output_has("err.txt", "continue with: mpirun -n 2 avalanche-mpi sweep " TINY
                          " --set 'sweep.replications=20' --out ");
    assert_int_equal(mpi_sweep(1, cut, "2", reps, 1), 0);
    same_results(ref, cut);
    long n = session_runs();
    assert_true(n > 0 && n < 440);
}

/* Ranks that resolve the config differently, --shard, a bad config, --dry-run: exit 2 (0 for
 * the dry run) with the message, nothing written. */
static void test_mpi_refusals(void **state)
{
    (void)state;
    const char *out = at("never");
    const char *mpmd[] = {"mpirun",
                          "--allow-run-as-root",
                          "--oversubscribe",
                          "-n",
                          "1",
                          MPI_BIN,
                          "sweep",
                          TINY,
                          "--out",
                          out,
                          ":",
                          "-n",
                          "1",
                          MPI_BIN,
                          "sweep",
                          TINY,
                          "--out",
                          out,
                          "--set",
                          "sim.seed=9",
                          NULL};
    assert_int_equal(run(mpmd), 2);
    output_has("err.txt", "rank 1 (");
    output_has("err.txt", "resolves to another config here than on rank 0");
    assert_false(exists(out));
    const char *shard[] = {"mpirun",
                           "--allow-run-as-root",
                           "--oversubscribe",
                           "-n",
                           "2",
                           MPI_BIN,
                           "sweep",
                           TINY,
                           "--shard",
                           "1/2",
                           NULL};
    assert_int_equal(run(shard), 2);
    output_has("err.txt", "--shard: static parts are for job arrays");
    const char *bad[] = {
        "mpirun", "--allow-run-as-root",           "--oversubscribe", "-n", "2", MPI_BIN,
        "sweep",  "tests/data/sweep/key-only.cfg", "--out",           out,  NULL};
    assert_int_equal(run(bad), 2);
    output_has("err.txt", "sweep.x: apiserver.loopback.qps: expected values");
    assert_false(exists(out));
    const char *dry[] = {"mpirun",
                         "--allow-run-as-root",
                         "--oversubscribe",
                         "-n",
                         "2",
                         MPI_BIN,
                         "sweep",
                         TINY,
                         "-j",
                         "2",
                         "--out",
                         out,
                         "--dry-run",
                         NULL};
    assert_int_equal(run(dry), 0);
    output_has("out.txt", "36 runs");
    output_has("out.txt", "estimated wall time on 4 threads");
    assert_false(exists(out));
}

int main(void)
{
    alarm(300); /* a hung sweep fails the test instead of the whole of CI */
    /* Under `make asan` the ranks are sanitized too: OpenMPI's own allocations, kept until exit,
     * are suppressed by module, which needs full stacks. Ignored by a plain build. */
    char supp[PATH_MAX + 32], *abs = realpath("tests/data/sweep/lsan-mpi.supp", NULL);
    if (abs) {
        snprintf(supp, sizeof supp, "suppressions=%s", abs);
        setenv("LSAN_OPTIONS", supp, 1);
        free(abs);
    }
    const char *asan = getenv("ASAN_OPTIONS");
    char opts[1024];
    snprintf(opts, sizeof opts, "%s%sfast_unwind_on_malloc=0", asan ? asan : "", asan ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire),          cmocka_unit_test(test_mpi_built),
        cmocka_unit_test(test_mpi_identical), cmocka_unit_test(test_mpi_axes),
        cmocka_unit_test(test_mpi_killed),    cmocka_unit_test(test_mpi_interrupted),
        cmocka_unit_test(test_mpi_refusals),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
