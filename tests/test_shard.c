/* test_shard: static shards (`sweep --shard K/N`) and `avalanche merge` through the binary: three
 * shards merged give the bytes of one process; a missing, duplicated, foreign or incomplete shard
 * is refused (exit 2) and leaves --out untouched; refinement is refused with shards. */
#include "sweeptest.h"

/* The tiny sweep without refinement, the only kind shards take. */
static int shard(const char *out, const char *which, const char *jobs, const char *extra)
{
    const char *argv[20] = {AVALANCHE_BIN, "sweep", TINY, "--set", "sweep.refine=0",
                            "--out",       out,     "-j", jobs,    "--quiet"};
    int n = 10;
    if (which) {
        argv[n++] = "--shard";
        argv[n++] = which;
    }
    if (extra) {
        argv[n++] = "--set";
        argv[n++] = extra;
    }
    argv[n] = NULL;
    return run(argv);
}

static int merge(const char *out, const char *a, const char *b, const char *c)
{
    const char *argv[] = {AVALANCHE_BIN, "merge", a, b, c, "--out", out, NULL};
    if (!c) {
        argv[4] = "--out";
        argv[5] = out;
        argv[6] = NULL;
    }
    return run(argv);
}

static char one[256], p1[256], p2[256], p3[256];

static void test_merge_identical(void **state)
{
    (void)state;
    snprintf(one, sizeof one, "%s", at("one"));
    snprintf(p1, sizeof p1, "%s", at("p1"));
    snprintf(p2, sizeof p2, "%s", at("p2"));
    snprintf(p3, sizeof p3, "%s", at("p3"));
    assert_int_equal(shard(one, NULL, "1", NULL), 0);
    assert_int_equal(shard(p1, "1/3", "2", NULL), 0);
    assert_int_equal(shard(p2, "2/3", "1", NULL), 0);
    assert_int_equal(shard(p3, "3/3", "2", NULL), 0);
    /* a shard holds its part only: no map of a third of the grid */
    char path[320];
    snprintf(path, sizeof path, "%s/regions.csv", p2);
    assert_false(exists(path));
    /* round-robin: shard 2/3 holds tasks 1, 4, 7, ... (point 0 replication 1, point 1 rep 1) */
    snprintf(path, sizeof path, "%s/points.csv", p2);
    char *rows = slurp(path, NULL);
    assert_non_null(rows);
    char *r1 = strchr(rows, '\n') + 1, *r2 = strchr(r1, '\n') + 1;
    assert_true(strncmp(r1, "0,0,", 4) == 0 && strncmp(r2, "1,0,", 4) == 0);
    free(rows);
    /* given in any order */
    const char *m = at("merged");
    assert_int_equal(merge(m, p3, p1, p2), 0);
    same_results(one, m);
    snprintf(path, sizeof path, "%s/stability.png", m);
    assert_true(exists(path));
    /* merging again into the same directory gives the same bytes */
    assert_int_equal(merge(m, p1, p2, p3), 0);
    same_results(one, m);
}

/* The merge is refused with exit 2, a message naming what is wrong, and nothing in out. */
static void refused(const char *a, const char *b, const char *c, const char *needle)
{
    const char *out = at("refused");
    assert_int_equal(merge(out, a, b, c), 2);
    output_has("err.txt", needle);
    assert_false(exists(out));
}

static void test_merge_refusals(void **state)
{
    (void)state;
    char msg[1024];
    refused(p1, p2, NULL, "shard 3/3 missing");
    snprintf(msg, sizeof msg, "%s and %s are both shard 2/3", p2, p2);
    refused(p1, p2, p2, msg);
    /* another config's shard */
    const char *foreign = at("foreign");
    assert_int_equal(shard(foreign, "3/3", "2", "sim.seed=99"), 0);
    snprintf(msg, sizeof msg, "%s: a shard of another sweep", foreign);
    refused(p1, p2, foreign, msg);
    /* another split of the same sweep */
    const char *other = at("other");
    assert_int_equal(shard(other, "2/2", "2", NULL), 0);
    snprintf(msg, sizeof msg, "%s: shard 2/2, but %s is shard 1/3", other, p1);
    refused(p1, p2, other, msg);
    /* the whole grid is no shard */
    snprintf(msg, sizeof msg, "%s: not a shard", one);
    refused(p1, p2, one, msg);
    /* an interrupted shard (a torn last row), refused until resumed */
    const char *cut = at("cut");
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s' && cp '%s/shard.csv' '%s/config.resolved.cfg' '%s' && "
             "head -c 2500 '%s/points.csv' > '%s/points.csv'",
             cut, p3, p3, cut, p3, cut);
    assert_int_equal(system(cmd), 0);
    snprintf(msg, sizeof msg, "%s/points.csv: ends in a partial row", cut);
    refused(p1, p2, cut, msg);
    snprintf(cmd, sizeof cmd, "head -c 2500 '%s/points.csv' | sed '$d' > '%s/points.csv'", p3, cut);
    assert_int_equal(system(cmd), 0);
    snprintf(msg, sizeof msg, "%s: shard 3/3 is incomplete", cut);
    refused(p1, p2, cut, msg);
    /* resuming it as another shard is refused; as itself, it completes to the same bytes */
    const char *res[] = {AVALANCHE_BIN, "sweep", TINY,  "--set",   "sweep.refine=0", "--out", cut,
                         "--shard",     "2/3",   "-j2", "--quiet", "--resume",       NULL};
    assert_int_equal(run(res), 2);
    output_has("err.txt", "holds shard 3/3 of this sweep, not shard 2/3");
    res[8] = "3/3";
    assert_int_equal(run(res), 0);
    same_file(p3, cut, "points.csv");
    const char *m = at("merged2");
    assert_int_equal(merge(m, p1, p2, cut), 0);
    same_results(one, m);
    /* --out must not be a shard */
    assert_int_equal(merge(p1, p1, p2, p3), 2);
    output_has("err.txt", "is one of the shards");
}

static void test_shard_usage(void **state)
{
    (void)state;
    /* refinement needs every coarse result: refused, saying why and what to do */
    const char *ref[] = {AVALANCHE_BIN, "sweep", TINY, "--shard", "1/2", "--out", at("ref"), NULL};
    assert_int_equal(run(ref), 2);
    output_has("err.txt", "sweep.refine = 1");
    output_has("err.txt", "--set sweep.refine=0");
    assert_false(exists(at("ref")));
    const char *bad[] = {"0/3", "4/3", "1/0", "a/3", "2", "1/3x", "-1/3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = {AVALANCHE_BIN,    "sweep",   TINY,   "--set",
                              "sweep.refine=0", "--shard", bad[i], NULL};
        assert_int_equal(run(argv), 2);
        output_has("err.txt", "expected K/N with 1 <= K <= N");
    }
    const char *none[] = {AVALANCHE_BIN, "merge", "--out", at("m"), NULL};
    assert_int_equal(run(none), 2);
    output_has("err.txt", "expected the shard directories");
    const char *help[] = {AVALANCHE_BIN, "merge", "--help", NULL};
    assert_int_equal(run(help), 0);
    output_has("out.txt", "usage: avalanche merge DIR... --out DIR");
}

/* --dry-run with --shard: the shard's share of the runs, nothing written. */
static void test_shard_dry_run(void **state)
{
    (void)state;
    const char *argv[] = {AVALANCHE_BIN,    "sweep",     TINY,  "--set",
                          "sweep.refine=0", "--shard",   "2/5", "--out",
                          at("dry"),        "--dry-run", NULL};
    assert_int_equal(run(argv), 0);
    output_has("out.txt", "36 runs");
    output_has("out.txt", "shard 2/5: 7 of the 36 runs");
    assert_false(exists(at("dry")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_identical),
        cmocka_unit_test(test_merge_refusals),
        cmocka_unit_test(test_shard_usage),
        cmocka_unit_test(test_shard_dry_run),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
