/* test_cli: the avalanche binary end to end: outputs, exit codes, byte-identical reruns, and the
 * resolved config read back by `check` giving the same config. Runs from the repo root. */
#include "testutil.h"

#include "cli.h"

#include <errno.h>
#include <pty.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AVALANCHE_BIN
#define AVALANCHE_BIN "build/avalanche"
#endif

/* A small, fast incident: 300 nodes, a flush at 400 s, 1000 s in all. */
static const char *const tiny[] = {
    "--set", "cluster.nodes=300", "--set", "sim.duration=1000",          "--set", "sim.warmup=200",
    "--set", "trigger.at=400",    "--set", "health.recovery_window=500", NULL};

/* Runs the binary with args (NULL-terminated), stdout and stderr to files; returns exit status. */
static int run_bin(const char *const *args, const char *out_path, const char *err_path)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *argv[64];
        int n = 0;
        argv[n++] = AVALANCHE_BIN;
        for (; args[n - 1]; n++)
            argv[n] = args[n - 1];
        argv[n] = NULL;
        if (!freopen(out_path, "w", stdout) || !freopen(err_path, "w", stderr))
            _exit(127);
        execv(AVALANCHE_BIN, (char *const *)argv);
        _exit(127);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

static char dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/avalanche-cli-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void tiny_run(const char *out, const char *extra)
{
    const char *args[32];
    int n = 0;
    args[n++] = "run";
    for (int i = 0; tiny[i]; i++)
        args[n++] = tiny[i];
    if (extra) {
        args[n++] = "--set";
        args[n++] = extra;
    }
    args[n++] = "--out";
    args[n++] = out;
    args[n] = NULL;
    char o[128], e[128];
    snprintf(o, sizeof o, "%s/stdout", dir);
    snprintf(e, sizeof e, "%s/stderr", dir);
    assert_int_equal(run_bin(args, o, e), 0);
}

static void test_run_outputs_and_determinism(void **state)
{
    (void)state;
    char a[128], b[128], p[256];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b/nested", dir);
    tiny_run(a, NULL);
    tiny_run(b, NULL);
    const char *files[] = {"timeseries.csv",      "summary.csv",    "timing.csv",
                           "config.resolved.cfg", "timeseries.png", "timeseries.svg",
                           "timeseries.pdf"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", a, files[i]);
        assert_int_equal(stat(p, &st), 0);
        assert_true(st.st_size > 0);
    }
    /* Same config and seed: byte-identical CSV files. */
    const char *same[] = {"timeseries.csv", "summary.csv", "config.resolved.cfg"};
    for (size_t i = 0; i < 3; i++) {
        char pa[256], pb[256];
        snprintf(pa, sizeof pa, "%s/%s", a, same[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, same[i]);
        char *x = slurp(pa), *y = slurp(pb);
        assert_non_null(x);
        assert_non_null(y);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    /* The human summary names the class. */
    snprintf(p, sizeof p, "%s/stdout", dir);
    char *out = slurp(p);
    assert_non_null(strstr(out, "class: "));
    free(out);
    /* The summary header carries the contract's columns. */
    snprintf(p, sizeof p, "%s/summary.csv", a);
    char *sum = slurp(p);
    const char *cols[] = {"seed,",
                          "class,",
                          "recovery_time,",
                          "requests_mutating,",
                          "rejected_mutating,",
                          "tokenreviews,",
                          "tokenreview_timeouts,",
                          "loopback_gets,",
                          "token_cache_hits,",
                          "kubelet_cache_misses,",
                          "heartbeat_success_ratio,",
                          "scrape_success_ratio,",
                          "max_not_ready_nodes,",
                          "events,"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        assert_non_null(strstr(sum, cols[i]));
    free(sum);
}

static void test_resolved_config_round_trips(void **state)
{
    (void)state;
    char a[128], cfg[256], o1[256], o2[256], e[256];
    snprintf(a, sizeof a, "%s/rt", dir);
    tiny_run(a, "sa_clients.rate=12.5");
    snprintf(cfg, sizeof cfg, "%s/config.resolved.cfg", a);
    snprintf(o1, sizeof o1, "%s/check1.cfg", dir);
    snprintf(o2, sizeof o2, "%s/check2.cfg", dir);
    snprintf(e, sizeof e, "%s/check.err", dir);
    const char *c1[] = {"check", cfg, NULL};
    assert_int_equal(run_bin(c1, o1, e), 0);
    const char *c2[] = {"check", o1, NULL};
    assert_int_equal(run_bin(c2, o2, e), 0);
    char *x = slurp(cfg), *y = slurp(o1), *z = slurp(o2);
    /* the resolved config is check's output after one line naming the build */
    assert_int_equal(strncmp(x, "# avalanche ", 12), 0);
    char *body = strchr(x, '\n') + 1;
    assert_string_equal(body, y);
    assert_string_equal(y, z);
    assert_non_null(strstr(x, "rate = 12.5;"));
    free(x);
    free(y);
    free(z);
    /* Running the resolved config repeats the run byte for byte. */
    char b[128];
    snprintf(b, sizeof b, "%s/rerun", dir);
    const char *r[] = {"run", cfg, "--out", b, "--quiet", NULL};
    assert_int_equal(run_bin(r, o1, e), 0);
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/timeseries.csv", a);
    snprintf(pb, sizeof pb, "%s/timeseries.csv", b);
    x = slurp(pa);
    y = slurp(pb);
    assert_string_equal(x, y);
    free(x);
    free(y);
}

static void test_plot_redraws(void **state)
{
    (void)state;
    char a[128], png[256], o[256], e[256];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(png, sizeof png, "%s/timeseries.png", a);
    snprintf(o, sizeof o, "%s/plot.out", dir);
    snprintf(e, sizeof e, "%s/plot.err", dir);
    assert_int_equal(unlink(png), 0);
    const char *args[] = {"plot", a, NULL};
    assert_int_equal(run_bin(args, o, e), 0);
    struct stat st;
    assert_int_equal(stat(png, &st), 0);
}

static void expect_error(const char *const *args, int status, const char *fragment)
{
    char o[256], e[256];
    snprintf(o, sizeof o, "%s/err.out", dir);
    snprintf(e, sizeof e, "%s/err.err", dir);
    assert_int_equal(run_bin(args, o, e), status);
    char *msg = slurp(e);
    if (!strstr(msg, fragment))
        fail_msg("stderr '%s' lacks '%s'", msg, fragment);
    free(msg);
}

static void test_errors_and_exit_codes(void **state)
{
    (void)state;
    const char *a1[] = {"run", "--set", "apiserver.loopback.qpss=5", NULL};
    expect_error(a1, 2, "did you mean");
    const char *a2[] = {"run", "no/such/file.cfg", NULL};
    expect_error(a2, 2, "no/such/file.cfg");
    const char *a3[] = {"frobnicate", NULL};
    expect_error(a3, 2, "unknown command");
    const char *a4[] = {"run", "--seed", "-3", NULL};
    expect_error(a4, 2, "--seed");
    const char *a5[] = {"run", "--bogus", NULL};
    expect_error(a5, 2, "unknown option");
    const char *a6[] = {"check", NULL};
    expect_error(a6, 2, "CONFIG");
    char f[256];
    snprintf(f, sizeof f, "%s/a/summary.csv", dir);
    const char *a7[] = {"run", "--set", "cluster.nodes=10", "--out", f, NULL};
    expect_error(a7, 2, "not a directory");
    const char *a8[] = {"--version", NULL};
    expect_error(a8, 0, "");
}

/* Runs the binary with args and expects status 0 (stdout and stderr in scratch files). */
static void run_ok(const char *const *args)
{
    char o[256], e[256];
    snprintf(o, sizeof o, "%s/ok.out", dir);
    snprintf(e, sizeof e, "%s/ok.err", dir);
    int st = run_bin(args, o, e);
    if (st != 0) {
        char *msg = slurp(e);
        fail_msg("avalanche %s: status %d: %s", args[0], st, msg);
    }
}

/* `plot DIR --overlay DIR2`: the fluid model's boundary over the simulated map of the same
 * config, a new chart in DIR; refused (2) on a run directory, for a missing DIR2, for a sweep
 * over other keys and for a --label without its --overlay. */
static void test_plot_overlay(void **state)
{
    (void)state;
    char des[128], fl[128], other[128], png[256], missing[128], run[128];
    snprintf(des, sizeof des, "%s/ov-des", dir);
    snprintf(fl, sizeof fl, "%s/ov-fluid", dir);
    snprintf(other, sizeof other, "%s/ov-other", dir);
    snprintf(missing, sizeof missing, "%s/ov-missing", dir);
    snprintf(run, sizeof run, "%s/a", dir); /* test_run_outputs_and_determinism's */
    snprintf(png, sizeof png, "%s/stability.png", des);
    const char *sweep_des[] = {"sweep",   "tests/data/sweep/tiny.cfg",
                               "--set",   "sweep.replications=1",
                               "--set",   "sweep.refine=0",
                               "--quiet", "--out",
                               des,       NULL};
    const char *sweep_fl[] = {
        "sweep", "tests/data/sweep/tiny.cfg", "--method", "fluid", "--quiet", "--out", fl, NULL};
    const char *sweep_other[] = {"sweep",    "tests/data/fluid/stability-flush.cfg",
                                 "--method", "fluid",
                                 "--set",    "sweep.refine=0",
                                 "--quiet",  "--out",
                                 other,      NULL};
    run_ok(sweep_des);
    run_ok(sweep_fl);
    run_ok(sweep_other);
    char *plain = slurp(png);
    assert_non_null(plain);
    struct stat st;
    assert_int_equal(stat(png, &st), 0);
    size_t plain_len = (size_t)st.st_size;
    assert_int_equal(unlink(png), 0);
    const char *over[] = {"plot", des, "--overlay", fl, NULL};
    run_ok(over);
    assert_int_equal(stat(png, &st), 0);
    char *drawn = slurp(png);
    assert_true((size_t)st.st_size != plain_len || memcmp(plain, drawn, plain_len) != 0);
    free(drawn);
    free(plain);
    const char *labelled[] = {"plot",      des, "--overlay", fl,          "--label", "ODE",
                              "--overlay", des, "--label",   "DES again", NULL};
    run_ok(labelled);
    const char *on_run[] = {"plot", run, "--overlay", fl, NULL};
    expect_error(on_run, 2, "run directory");
    const char *absent[] = {"plot", des, "--overlay", missing, NULL};
    expect_error(absent, 2, missing);
    const char *not_sweep[] = {"plot", des, "--overlay", run, NULL};
    expect_error(not_sweep, 2, "no regions.csv");
    const char *other_axes[] = {"plot", des, "--overlay", other, NULL};
    expect_error(other_axes, 2, "not the same axes");
    const char *stray[] = {"plot", des, "--label", "x", "--overlay", fl, NULL};
    expect_error(stray, 2, "--label x: no --overlay before it");
}

static int exists(const char *d, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", d, name);
    struct stat st;
    return stat(p, &st) == 0;
}

/* A directory that run writes into holds only that run's files: a second run with one chart
 * format and no interventions leaves no SVG or PDF dashboard and no interventions.csv of the
 * first. A sweep's directory is refused. */
static void test_rerun_leaves_no_stale_files(void **state)
{
    (void)state;
    char cfg[128], out[128], o[256], e[256];
    snprintf(cfg, sizeof cfg, "%s/iv.cfg", dir);
    snprintf(out, sizeof out, "%s/same", dir);
    snprintf(o, sizeof o, "%s/stale.out", dir);
    snprintf(e, sizeof e, "%s/stale.err", dir);
    FILE *f = fopen(cfg, "w");
    fputs("interventions = ( { at = 700.0; set = [ \"sa_clients.rate = 1\" ]; } );\n", f);
    fclose(f);
    const char *first[32];
    int n = 0;
    first[n++] = "run";
    first[n++] = cfg;
    for (int i = 0; tiny[i]; i++)
        first[n++] = tiny[i];
    first[n++] = "--out";
    first[n++] = out;
    first[n++] = "--quiet";
    first[n] = NULL;
    assert_int_equal(run_bin(first, o, e), 0);
    assert_true(exists(out, "timeseries.svg") && exists(out, "timeseries.pdf"));
    assert_true(exists(out, "interventions.csv"));
    const char *second[32];
    n = 0;
    second[n++] = "run";
    for (int i = 0; tiny[i]; i++)
        second[n++] = tiny[i];
    second[n++] = "--set";
    second[n++] = "cluster.nodes=200";
    second[n++] = "--set";
    second[n++] = "plot.formats=png";
    second[n++] = "--out";
    second[n++] = out;
    second[n++] = "--quiet";
    second[n] = NULL;
    assert_int_equal(run_bin(second, o, e), 0);
    assert_true(exists(out, "timeseries.png") && exists(out, "timeseries.csv"));
    assert_false(exists(out, "timeseries.svg"));
    assert_false(exists(out, "timeseries.pdf"));
    assert_false(exists(out, "interventions.csv"));
    char p[256];
    snprintf(p, sizeof p, "%s/config.resolved.cfg", out);
    char *text = slurp(p);
    assert_non_null(strstr(text, "nodes = 200;"));
    free(text);

    /* a sweep's directory is not a run's */
    char sw[128];
    snprintf(sw, sizeof sw, "%s/sweepdir", dir);
    mkdir(sw, 0777);
    snprintf(p, sizeof p, "%s/points.csv", sw);
    f = fopen(p, "w");
    fputs("point\n", f);
    fclose(f);
    const char *a[] = {"run", "--set", "cluster.nodes=10", "--out", sw, NULL};
    expect_error(a, 2, "holds a sweep (points.csv)");
    assert_false(exists(sw, "timeseries.csv"));
}

/* Every output directory records the version and commit: the first line of config.resolved.cfg
 * and provenance.csv, the same as --version; the CSV files of one config and seed stay
 * byte-identical (test_run_outputs_and_determinism). */
static void test_provenance(void **state)
{
    (void)state;
    char o[256], e[256], p[256];
    snprintf(o, sizeof o, "%s/version.out", dir);
    snprintf(e, sizeof e, "%s/version.err", dir);
    const char *v[] = {"--version", NULL};
    assert_int_equal(run_bin(v, o, e), 0);
    char *version = slurp(o);
    assert_int_equal(strncmp(version, "avalanche ", 10), 0);
    assert_non_null(strstr(version, " (commit "));
    snprintf(p, sizeof p, "%s/a/config.resolved.cfg", dir);
    char *cfg = slurp(p);
    assert_int_equal(strncmp(cfg, "# ", 2), 0);
    assert_int_equal(strncmp(cfg + 2, version, strlen(version)), 0); /* the line, its newline */
    snprintf(p, sizeof p, "%s/a/provenance.csv", dir);
    char *csv = slurp(p);
    /* "avalanche 0.2.0 (commit abc)" -> "avalanche,0.2.0,abc" */
    char want[256];
    char ver[64], commit[128];
    assert_int_equal(sscanf(version, "avalanche %63s (commit %127[^)])", ver, commit), 2);
    snprintf(want, sizeof want, "program,version,commit\navalanche,%s,%s\n", ver, commit);
    assert_string_equal(csv, want);
    free(csv);
    free(cfg);
    free(version);
}

/* The dashboard's title is plot.title: the config file's name by default. */
static void test_dashboard_title(void **state)
{
    (void)state;
    char cfg[128], out[128], o[256], e[256], p[256];
    snprintf(cfg, sizeof cfg, "%s/my-scenario.cfg", dir);
    snprintf(out, sizeof out, "%s/titled", dir);
    snprintf(o, sizeof o, "%s/title.out", dir);
    snprintf(e, sizeof e, "%s/title.err", dir);
    FILE *f = fopen(cfg, "w");
    fputs("plot = { formats = [ \"svg\" ]; };\n", f);
    fclose(f);
    const char *args[32];
    int n = 0;
    args[n++] = "run";
    args[n++] = cfg;
    for (int i = 0; tiny[i]; i++)
        args[n++] = tiny[i];
    args[n++] = "--out";
    args[n++] = out;
    args[n++] = "--quiet";
    args[n] = NULL;
    assert_int_equal(run_bin(args, o, e), 0);
    snprintf(p, sizeof p, "%s/timeseries.svg", out);
    char *svg = slurp(p);
    assert_non_null(strstr(svg, "<title>my-scenario.cfg</title>"));
    free(svg);
    args[n++] = "--set";
    args[n++] = "plot.title=Webhook TTL 30 s";
    args[n] = NULL;
    assert_int_equal(run_bin(args, o, e), 0);
    svg = slurp(p);
    assert_non_null(strstr(svg, "<title>Webhook TTL 30 s</title>"));
    free(svg);
    /* plot redraws it from the resolved config */
    assert_int_equal(unlink(p), 0);
    const char *replot[] = {"plot", out, NULL};
    assert_int_equal(run_bin(replot, o, e), 0);
    svg = slurp(p);
    assert_non_null(strstr(svg, "<title>Webhook TTL 30 s</title>"));
    free(svg);
}

/* compare: two runs on one dashboard, in the first run's formats, labelled; errors exit 2. */
static void test_compare(void **state)
{
    (void)state;
    char base[128], mit[128], out[128], o[256], e[256], p[256];
    snprintf(base, sizeof base, "%s/cmp-base", dir);
    snprintf(mit, sizeof mit, "%s/cmp-cert/", dir); /* a trailing slash: the label drops it */
    snprintf(out, sizeof out, "%s/cmp-out", dir);
    snprintf(o, sizeof o, "%s/cmp.out", dir);
    snprintf(e, sizeof e, "%s/cmp.err", dir);
    const char *args[32];
    int n = 0;
    args[n++] = "run";
    for (int i = 0; tiny[i]; i++)
        args[n++] = tiny[i];
    args[n++] = "--set";
    args[n++] = "plot.formats=png,svg";
    args[n++] = "--quiet";
    args[n++] = "--out";
    args[n++] = base;
    args[n] = NULL;
    assert_int_equal(run_bin(args, o, e), 0);
    args[n - 1] = mit;
    args[n++] = "--set";
    args[n++] = "metrics_server.auth=certificate";
    args[n++] = "--set";
    args[n++] = "apiserver.max_mutating_requests_inflight=400";
    args[n] = NULL;
    assert_int_equal(run_bin(args, o, e), 0);

    const char *c1[] = {"compare", base, mit, "--label", "1.12 base", "--out", out, NULL};
    assert_int_equal(run_bin(c1, o, e), 0);
    char *text = slurp(o);
    assert_non_null(strstr(text, "2 runs (1.12 base, cmp-cert)"));
    free(text);
    assert_true(exists(out, "compare.png") && exists(out, "compare.svg"));
    assert_false(exists(out, "compare.pdf")); /* the first run's plot.formats */
    assert_true(exists(out, "provenance.csv"));
    snprintf(p, sizeof p, "%s/compare.png", out);
    FILE *f = fopen(p, "rb");
    unsigned char sig[8] = {0};
    assert_int_equal(fread(sig, 1, 8, f), 8);
    fclose(f);
    assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", 8);
    snprintf(p, sizeof p, "%s/compare.svg", out);
    text = slurp(p);
    assert_non_null(strstr(text, "<title>1.12 base vs cmp-cert</title>"));
    free(text);

    /* errors: not a run, no run at all, too many labels, into a run's directory */
    const char *c2[] = {"compare", base, dir, "--out", out, NULL};
    expect_error(c2, 2, "not a run directory (no timeseries.csv");
    const char *c3[] = {"compare", "--out", out, NULL};
    expect_error(c3, 2, "missing DIR");
    const char *c4[] = {"compare", base, "--label", "a", "--label", "b", "--out", out, NULL};
    expect_error(c4, 2, "more labels (2) than runs (1)");
    const char *c5[] = {"compare", base, mit, "--out", base, NULL};
    expect_error(c5, 2, "holds a run");
    const char *c6[] = {"compare", base, "--frob", NULL};
    expect_error(c6, 2, "unknown option");
}

/* capacity on the tiny sweep config, searching the loopback qps downward: the answer is a safe
 * probe whose unsafe (or undecided) neighbour lies within the tolerance; every probe's count of
 * stable runs is what `run --replication r` gives at that value for r = 0 .. runs-1 (the
 * search's runs are the ordinary runs); -j 1 and -j 2 write the same bytes. */
static const char *const cap_sets[] = {
    "--set", "cluster.nodes=0",     "--set", "capacity.key=apiserver.loopback.qps",
    "--set", "capacity.from=12",    "--set", "capacity.to=2",
    "--set", "capacity.target=0.5", "--set", "capacity.batch=4",
    "--set", "capacity.max_runs=8", "--set", "capacity.tolerance=0.05",
    NULL};

static void capacity_into(const char *out, const char *jobs)
{
    const char *args[40];
    int n = 0;
    args[n++] = "capacity";
    args[n++] = "tests/data/sweep/tiny.cfg";
    for (int i = 0; cap_sets[i]; i++)
        args[n++] = cap_sets[i];
    args[n++] = "-j";
    args[n++] = jobs;
    args[n++] = "--quiet";
    args[n++] = "--out";
    args[n++] = out;
    args[n] = NULL;
    char o[256], e[256];
    snprintf(o, sizeof o, "%s/cap.out", dir);
    snprintf(e, sizeof e, "%s/cap.err", dir);
    assert_int_equal(run_bin(args, o, e), 0);
}

/* The number of stable runs among replications 0 .. n-1 of the tiny config at qps v. */
static unsigned stable_runs_at(const char *v, unsigned n)
{
    unsigned k = 0;
    for (unsigned r = 0; r < n; r++) {
        char set[128], rep[16], out[256], o[256], e[256], p[512];
        snprintf(set, sizeof set, "apiserver.loopback.qps=%s", v);
        snprintf(rep, sizeof rep, "%u", r);
        snprintf(out, sizeof out, "%s/cap-run", dir);
        snprintf(o, sizeof o, "%s/cap.out", dir);
        snprintf(e, sizeof e, "%s/cap.err", dir);
        const char *args[] = {"run",
                              "tests/data/sweep/tiny.cfg",
                              "--set",
                              "cluster.nodes=0",
                              "--set",
                              set,
                              "--set",
                              "plot.formats=svg",
                              "--replication",
                              rep,
                              "--quiet",
                              "--out",
                              out,
                              NULL};
        assert_int_equal(run_bin(args, o, e), 0);
        snprintf(p, sizeof p, "%s/summary.csv", out);
        char *t = slurp(p);
        char *row = strchr(t, '\n');
        assert_non_null(row);
        /* seed,replication,class,... */
        char *c = strchr(strchr(row + 1, ',') + 1, ',') + 1;
        k += strncmp(c, "stable,", 7) == 0;
        free(t);
    }
    return k;
}

/* The index of column name in the header line that starts text, or -1. */
static int csv_field_index(const char *text, const char *name)
{
    size_t n = strlen(name);
    int i = 0;
    for (const char *c = text; *c && *c != '\n'; i++) {
        const char *end = c + strcspn(c, ",\n");
        if ((size_t)(end - c) == n && strncmp(c, name, n) == 0)
            return i;
        c = *end == ',' ? end + 1 : end;
    }
    return -1;
}

/* Field i of the CSV line at line, as a number (no quoting in these files). */
static double csv_field_num(const char *line, int i)
{
    for (; i > 0; i--)
        line = strchr(line, ',') + 1;
    return strtod(line, NULL);
}

static void test_capacity_command(void **state)
{
    (void)state;
    char a[128], b[128], p[256], q[256];
    snprintf(a, sizeof a, "%s/cap-j1", dir);
    snprintf(b, sizeof b, "%s/cap-j2", dir);
    capacity_into(a, "1");
    capacity_into(b, "2");
    const char *same[] = {"capacity.csv", "probes.csv", "config.resolved.cfg"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", a, same[i]);
        snprintf(q, sizeof q, "%s/%s", b, same[i]);
        char *x = slurp(p), *y = slurp(q);
        assert_non_null(x);
        assert_non_null(y);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    assert_true(exists(a, "capacity.png") && exists(a, "provenance.csv"));

    /* capacity.csv: config,key,answer,safe_value,unsafe_value,... */
    snprintf(p, sizeof p, "%s/capacity.csv", a);
    char *cap = slurp(p);
    char *row = strchr(cap, '\n') + 1;
    assert_int_equal(strncmp(row, "tiny.cfg,apiserver.loopback.qps,", 32), 0);
    double answer, safe, unsafe;
    assert_int_equal(sscanf(row + 32, "%lf,%lf,%lf", &answer, &safe, &unsafe), 3);
    free(cap);
    assert_true(answer == safe);
    assert_true(unsafe < safe && safe - unsafe <= 0.05 * 10);

    /* probes.csv: config,index,value,runs,stable,p_stable,p_stable_lo,p_stable_hi,verdict */
    snprintf(p, sizeof p, "%s/probes.csv", a);
    char *probes = slurp(p);
    int checked = 0, saw_answer = 0, saw_unsafe = 0;
    for (char *line = strchr(probes, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        char v[64], verdict[16];
        unsigned runs, stable;
        int idx;
        assert_int_equal(sscanf(line, "tiny.cfg,%d,%63[^,],%u,%u,%*[^,],%*[^,],%*[^,],%15s", &idx,
                                v, &runs, &stable, verdict),
                         5);
        double x = strtod(v, NULL);
        if (x == answer) {
            saw_answer = 1;
            assert_string_equal(verdict, "safe");
        }
        if (x == unsafe) {
            saw_unsafe = 1;
            assert_string_not_equal(verdict, "safe");
        }
        if (x == answer || x == unsafe) {
            assert_int_equal(stable_runs_at(v, runs), stable);
            checked++;
        }
    }
    free(probes);
    assert_true(saw_answer && saw_unsafe);
    assert_int_equal(checked, 2);

    /* the dense grid: its boundary, between the largest grid value that is not safe by the same
     * rule (Clopper-Pearson lower bound at least the target) and the smallest from which every
     * value is safe, meets capacity's bracket [unsafe, answer] */
    char g[128], o[256], e[256];
    snprintf(g, sizeof g, "%s/cap-grid", dir);
    snprintf(o, sizeof o, "%s/cap.out", dir);
    snprintf(e, sizeof e, "%s/cap.err", dir);
    const char *sw[] = {
        "sweep", "tests/data/capacity/dense-qps.cfg", "-j", "2", "--quiet", "--out", g, NULL};
    assert_int_equal(run_bin(sw, o, e), 0);
    snprintf(p, sizeof p, "%s/regions.csv", g);
    char *regions = slurp(p);
    double g_unsafe = -1, g_safe = -1;
    int rows = 0;
    int cx = csv_field_index(regions, "x"), clo = csv_field_index(regions, "p_stable_lo");
    assert_true(cx >= 0 && clo >= 0);
    for (char *line = strchr(regions, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        double x = csv_field_num(line, cx), lo = csv_field_num(line, clo);
        rows++;
        if (lo >= 0.5) {
            if (g_safe < 0)
                g_safe = x;
        } else {
            g_unsafe = x;
            g_safe = -1;
        }
    }
    free(regions);
    assert_int_equal(rows, 17);
    assert_true(g_unsafe > 0 && g_safe > g_unsafe);
    if (!(g_unsafe <= answer && unsafe <= g_safe))
        fail_msg("the grid's boundary [%g, %g] misses capacity's bracket [%g, %g]", g_unsafe,
                 g_safe, unsafe, answer);

    /* no capacity group: a usage error that says what to add */
    const char *c1[] = {"capacity", "tests/data/sweep/tiny.cfg", "--out", a, NULL};
    expect_error(c1, 2, "capacity.key: expected the key to search");
    const char *c2[] = {"capacity", "--out", a, NULL};
    expect_error(c2, 2, "missing CONFIG");
    const char *c3[] = {
        "capacity", "tests/data/sweep/tiny.cfg", "--set", "capacity.key=sim.seedx", "--out", a,
        NULL};
    expect_error(c3, 2, "sim.seedx");
}

/* plot.width and plot.height set the print size of the dashboard: the PNG is drawn at twice the
 * size in points (a width alone: the height the layout needs). */
static void png_size(const char *path, unsigned *w, unsigned *h)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char b[24];
    assert_int_equal(fread(b, 1, 24, f), 24);
    fclose(f);
    *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
}

static void test_print_size(void **state)
{
    (void)state;
    char out[128], p[256];
    unsigned w, h, w0, h0;
    snprintf(out, sizeof out, "%s/size", dir);
    snprintf(p, sizeof p, "%s/timeseries.png", out);
    tiny_run(out, "plot.formats=png");
    png_size(p, &w0, &h0);
    tiny_run(out, "plot.width=300");
    png_size(p, &w, &h);
    assert_int_equal(w, 600);
    assert_true(h > 0 && w0 > w);
    const char *args[32];
    int n = 0;
    args[n++] = "run";
    for (int i = 0; tiny[i]; i++)
        args[n++] = tiny[i];
    const char *more[] = {"--set",   "plot.width=400", "--set", "plot.height=250",
                          "--quiet", "--out",          out,     NULL};
    for (int i = 0; more[i]; i++)
        args[n++] = more[i];
    args[n] = NULL;
    char o[256], e[256];
    snprintf(o, sizeof o, "%s/size.out", dir);
    snprintf(e, sizeof e, "%s/size.err", dir);
    assert_int_equal(run_bin(args, o, e), 0);
    png_size(p, &w, &h);
    assert_int_equal(w, 800);
    assert_int_equal(h, 500);
}

/* Every command answers --help with its usage on stdout and status 0. */
static void test_help_of_every_command(void **state)
{
    (void)state;
    const char *cmds[] = {"run",     "sweep",    "plot",  "check", "keys",
                          "compare", "capacity", "merge", "help"};
    char o[256], e[256];
    snprintf(o, sizeof o, "%s/help.out", dir);
    snprintf(e, sizeof e, "%s/help.err", dir);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *forms[3][4] = {
            {cmds[i], "--help", NULL}, {cmds[i], "-h", NULL}, {"help", cmds[i], NULL}};
        for (int j = 0; j < 3; j++) {
            int st = run_bin(forms[j], o, e);
            char *out = slurp(o);
            char want[64];
            snprintf(want, sizeof want, "usage: avalanche %s", cmds[i]);
            if (st != 0 || (strcmp(cmds[i], "help") != 0 && !strstr(out, want)) ||
                !strstr(out, "usage"))
                fail_msg("avalanche %s %s: status %d, stdout:\n%s", forms[j][0], forms[j][1], st,
                         out);
            free(out);
        }
    }
    const char *top[] = {"--help", NULL};
    assert_int_equal(run_bin(top, o, e), 0);
    char *out = slurp(o);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "avalanche %s ", cmds[i]);
        if (!strstr(out, want))
            fail_msg("avalanche --help does not list %s", cmds[i]);
    }
    /* the built-in defaults are the 1.12 defaults, not the incident config */
    assert_null(strstr(out, "incident"));
    free(out);
    const char *run[] = {"run", "--help", NULL};
    assert_int_equal(run_bin(run, o, e), 0);
    out = slurp(o);
    assert_non_null(strstr(out, "Kubernetes\n1.12 defaults"));
    assert_non_null(strstr(out, "no other ServiceAccount-token"));
    free(out);
}

/* `avalanche keys PATTERN`: every matching key with its type, default, range and meaning. */
static void test_keys_command(void **state)
{
    (void)state;
    char o[256], e[256];
    snprintf(o, sizeof o, "%s/keys.out", dir);
    snprintf(e, sizeof e, "%s/keys.err", dir);
    const char *a1[] = {"keys", "webhook_cache", NULL};
    assert_int_equal(run_bin(a1, o, e), 0);
    char *out = slurp(o);
    assert_string_equal(
        out, "kubelet.webhook_cache_ttl: number (s), default 120, >= 0; mid-run: yes\n"
             "    --authentication-token-webhook-cache-ttl: how long a kubelet caches a\n"
             "    TokenReview answer (120: kubelet config v1beta1 defaults.go)\n"
             "    when set mid-run: reviews cached from now on\n");
    free(out);
    const char *a2[] = {"keys", "apiserver.loopback.*", "--names", NULL};
    assert_int_equal(run_bin(a2, o, e), 0);
    out = slurp(o);
    assert_string_equal(out, "apiserver.loopback.qps\napiserver.loopback.burst\n");
    free(out);
    const char *a3[] = {"keys", "apiserver.loopback.qps", NULL};
    assert_int_equal(run_bin(a3, o, e), 0);
    out = slurp(o);
    assert_non_null(strstr(out, "mid-run: at apiserver_restart"));
    free(out);
    const char *a4[] = {"keys", "no_such_key", NULL};
    expect_error(a4, 2, "no key matches 'no_such_key'");
    const char *a5[] = {"keys", "--frobnicate", NULL};
    expect_error(a5, 2, "unknown option");
    /* every key once */
    const char *a6[] = {"keys", "--names", NULL};
    assert_int_equal(run_bin(a6, o, e), 0);
    out = slurp(o);
    assert_non_null(strstr(out, "sim.duration\n"));
    assert_non_null(strstr(out, "interventions[].at\n"));
    assert_null(strstr(strstr(out, "cluster.nodes\n") + 1, "\ncluster.nodes\n"));
    free(out);
}

/* The progress meter: sparse lines off a terminal, a bar redrawn in place on one, none quiet. */
static void test_progress_meter(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_progress pr;
    cli_progress_init(&pr, f, 0, 0, 100.0);
    cli_progress_update(&pr, "run", 100, 1800, "s", 101.0, 0); /* too soon */
    cli_progress_update(&pr, "run", 600, 1800, "s", 106.0, 0);
    cli_progress_update(&pr, "run", 700, 1800, "s", 107.0, 0); /* too soon */
    cli_progress_update(&pr, "run", 1800, 1800, "s", 108.0, 1);
    cli_progress_end(&pr);
    fclose(f);
    assert_string_equal(buf, "run: 600/1800 s, 100 s/s, ETA 0:12\n"
                             "run: 1800/1800 s, 225 s/s, ETA 0:00\n");
    free(buf);

    f = open_memstream(&buf, &len);
    cli_progress_init(&pr, f, 1, 0, 0.0);
    cli_progress_update(&pr, "run", 900, 1800, "s", 1.0, 0);
    cli_progress_end(&pr);
    fclose(f);
    assert_string_equal(buf, "\r\033[Krun [###############...............] 900/1800 s  900 s/s  "
                             "ETA 0:01\n");
    free(buf);

    f = open_memstream(&buf, &len);
    cli_progress_init(&pr, f, 1, 1, 0.0);
    cli_progress_update(&pr, "run", 900, 1800, "s", 10.0, 1);
    cli_progress_end(&pr);
    fclose(f);
    assert_string_equal(buf, "");
    free(buf);
}

/* Runs the binary with stderr on a pseudo-terminal; returns what the terminal showed. */
static char *run_on_tty(const char *const *args, int *status)
{
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *argv[64];
        int n = 0;
        argv[n++] = AVALANCHE_BIN;
        for (; args[n - 1]; n++)
            argv[n] = args[n - 1];
        argv[n] = NULL;
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execv(AVALANCHE_BIN, (char *const *)argv);
        _exit(127);
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + 1 == cap)
            buf = realloc(buf, cap *= 2);
        ssize_t got = read(master, buf + len, cap - len - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break; /* EIO once the child has gone */
        len += (size_t)got;
    }
    buf[len] = '\0';
    close(master);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return buf;
}

/* `run` shows the same bar with ETA on a terminal that `sweep` does; --quiet silences it. */
static void test_run_progress_on_a_terminal(void **state)
{
    (void)state;
    char out[128];
    snprintf(out, sizeof out, "%s/tty", dir);
    /* long enough for a few redraws (0.2 s apart) */
    const char *args[] = {"run",   "configs/k8s-1.14-informer.cfg",
                          "--set", "cluster.nodes=10000",
                          "--set", "plot.formats=png",
                          "--out", out,
                          NULL};
    int st;
    char *tty = run_on_tty(args, &st);
    assert_int_equal(st, 0);
    if (!strstr(tty, "\r\033[Krun [") || !strstr(tty, " s/s  ETA ") || !strstr(tty, "1800/1800 s"))
        fail_msg("no progress bar on the terminal:\n%s", tty);
    free(tty);
    const char *quiet[] = {"run",     "configs/k8s-1.14-informer.cfg",
                           "--set",   "cluster.nodes=10000",
                           "--set",   "plot.formats=png",
                           "--quiet", "--out",
                           out,       NULL};
    tty = run_on_tty(quiet, &st);
    assert_int_equal(st, 0);
    assert_null(strstr(tty, "ETA"));
    free(tty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_outputs_and_determinism),
        cmocka_unit_test(test_resolved_config_round_trips),
        cmocka_unit_test(test_plot_redraws),
        cmocka_unit_test(test_plot_overlay),
        cmocka_unit_test(test_errors_and_exit_codes),
        cmocka_unit_test(test_help_of_every_command),
        cmocka_unit_test(test_keys_command),
        cmocka_unit_test(test_progress_meter),
        cmocka_unit_test(test_provenance),
        cmocka_unit_test(test_dashboard_title),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_print_size),
        cmocka_unit_test(test_capacity_command),
        cmocka_unit_test(test_rerun_leaves_no_stale_files),
        cmocka_unit_test(test_run_progress_on_a_terminal),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
