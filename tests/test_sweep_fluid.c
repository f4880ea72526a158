/* test_sweep_fluid: `avalanche sweep --method fluid` end to end: every point's class is what
 * fluid_classify gives at that point, regions.csv agrees with fluid.csv, the same bytes at any
 * -j, and the refusals (--resume, --shard, a simulated sweep's directory, an unknown method,
 * what the fluid model does not cover). */
#include "sweeptest.h"

#include "config.h"
#include "fluid.h"
#include "xmem.h"

#define FLUID_CFG "tests/data/fluid/stability-flush.cfg"

static int fluid_sweep(const char *out, const char *jobs)
{
    const char *argv[] = {AVALANCHE_BIN, "sweep",   FLUID_CFG, "--method", "fluid", "-j",
                          jobs,          "--quiet", "--out",   out,        NULL};
    return run(argv);
}

/* Column index of name in the header line of text, or -1. */
static int col(const char *text, const char *name)
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

/* Field i of line into buf. */
static void field(const char *line, int i, char *buf, size_t cap)
{
    for (; i > 0; i--)
        line = strchr(line, ',') + 1;
    size_t n = strcspn(line, ",\n");
    snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), line);
}

static void test_classes_are_fluid_classify(void **state)
{
    (void)state;
    const char *a = at("f1"), *b = at("f2");
    assert_int_equal(fluid_sweep(a, "1"), 0);
    assert_int_equal(fluid_sweep(b, "2"), 0);
    const char *files[] = {"fluid.csv", "regions.csv", "cells.csv", "config.resolved.cfg"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        same_file(a, b, files[i]);
    char p[320];
    snprintf(p, sizeof p, "%s/stability.png", a);
    assert_true(exists(p));
    snprintf(p, sizeof p, "%s/points.csv", a);
    assert_false(exists(p));

    snprintf(p, sizeof p, "%s/fluid.csv", a);
    char *fl = slurp(p, NULL);
    snprintf(p, sizeof p, "%s/regions.csv", a);
    char *rg = slurp(p, NULL);
    assert_non_null(fl);
    assert_non_null(rg);
    int fx = col(fl, "x"), fy = col(fl, "y"), fc = col(fl, "class"), fr = col(fl, "recovery_time");
    int rc_ = col(rg, "majority"), rr = col(rg, "replications");
    assert_true(fx >= 0 && fy >= 0 && fc >= 0 && fr >= 0 && rc_ >= 0 && rr >= 0);
    int rows = 0, refined = 0, classes[FLUID_CLASS_COUNT] = {0};
    const char *fl_line = strchr(fl, '\n') + 1, *rg_line = strchr(rg, '\n') + 1;
    for (; *fl_line; fl_line = strchr(fl_line, '\n') + 1, rg_line = strchr(rg_line, '\n') + 1) {
        assert_true(*rg_line);
        char x[64], y[64], cls[32], rec[64], maj[32], reps[16], lvl[8];
        field(fl_line, fx, x, sizeof x);
        field(fl_line, fy, y, sizeof y);
        field(fl_line, fc, cls, sizeof cls);
        field(fl_line, fr, rec, sizeof rec);
        field(fl_line, 1, lvl, sizeof lvl);
        field(rg_line, rc_, maj, sizeof maj);
        field(rg_line, rr, reps, sizeof reps);
        assert_string_equal(cls, maj);
        assert_string_equal(reps, "1");
        refined += strcmp(lvl, "0") != 0;
        /* the same point through the library */
        char sx[96], sy[96];
        snprintf(sx, sizeof sx, "cluster.nodes=%s", x);
        snprintf(sy, sizeof sy, "kubelet.webhook_cache_ttl=%s", y);
        const char *sets[] = {sx, sy};
        params *q = xmalloc(sizeof *q);
        err e;
        err_clear(&e);
        if (config_load(q, FLUID_CFG, sets, 2, &e) < 0)
            fail_msg("%s", e.msg);
        fluid_result r;
        if (fluid_classify(q, &r, &e) < 0)
            fail_msg("%s", e.msg);
        assert_string_equal(fluid_class_name(r.cls), cls);
        classes[r.cls]++;
        if (r.cls == FLUID_STABLE)
            assert_true(fabs(strtod(rec, NULL) - r.recovery_s) <= 1e-9 * (1 + r.recovery_s));
        free(q);
        rows++;
    }
    assert_false(*rg_line);
    /* 5 x 6 coarse points and a refined level; the chart's scenario has both ends */
    assert_true(rows > 30 && refined > 0);
    assert_true(classes[FLUID_STABLE] > 0 && classes[FLUID_METASTABLE] > 0);
    free(fl);
    free(rg);
}

static void test_refusals(void **state)
{
    (void)state;
    const char *d = at("r");
    const char *a1[] = {AVALANCHE_BIN, "sweep", FLUID_CFG, "--method", "fluid",
                        "--resume",    "--out", d,         NULL};
    assert_int_equal(run(a1), 2);
    output_has("err.txt", "--method fluid: expected no --resume");
    const char *a2[] = {AVALANCHE_BIN, "sweep", FLUID_CFG, "--method=fluid",
                        "--shard",     "1/2",   "--set",   "sweep.refine=0",
                        "--out",       d,       NULL};
    assert_int_equal(run(a2), 2);
    output_has("err.txt", "expected no --shard");
    const char *a3[] = {AVALANCHE_BIN, "sweep", FLUID_CFG, "--method", "ode", "--out", d, NULL};
    assert_int_equal(run(a3), 2);
    output_has("err.txt", "--method: expected des or fluid (got \"ode\")");
    /* a simulated sweep's directory is not overwritten */
    const char *s = at("des");
    const char *a4[] = {AVALANCHE_BIN, "sweep",          TINY,      "--set", "sweep.replications=1",
                        "--set",       "sweep.refine=0", "--quiet", "--out", s,
                        NULL};
    assert_int_equal(run(a4), 0);
    const char *a5[] = {AVALANCHE_BIN, "sweep", TINY, "--method", "fluid", "--out", s, NULL};
    assert_int_equal(run(a5), 2);
    output_has("err.txt", "holds a simulated sweep (points.csv)");
    /* what the fluid model does not cover: exit 2, naming the point and the reason */
    const char *a6[] = {AVALANCHE_BIN,           "sweep", FLUID_CFG, "--method", "fluid", "--set",
                        "apiserver.cpu.cores=4", "--out", d,         NULL};
    assert_int_equal(run(a6), 2);
    output_has("err.txt", "at point 0 (cluster.nodes = 500, kubelet.webhook_cache_ttl = 5)");
    output_has("err.txt", "cpu.cores");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes_are_fluid_classify),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
