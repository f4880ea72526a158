/* test_axes: categorical sweep axes (enum keys, config files) and the third axis, through the
 * binary: names in the CSV files, the classes of ordinary runs of those points, resume and
 * shards giving the bytes of one process, a three-axis sweep equal to its two-axis slices, one
 * map panel per z value, and the refusals (MPI not run here: test_mpi.c covers the wire). */
#include "sweeptest.h"

#include "config.h"
#include "params.h"
#include "sweep.h"

#define AUTH "tests/data/sweep/auth.cfg"
#define CFGAXIS "tests/data/sweep/config-axis.cfg"
#define THREE "tests/data/sweep/three.cfg"
#define TWO "tests/data/sweep/two.cfg"

static int sweep_to(const char *cfg, const char *out, const char *const *more)
{
    const char *argv[24] = {AVALANCHE_BIN, "sweep", cfg, "--out", out, "-j", "2", "--quiet"};
    int n = 8;
    for (int i = 0; more && more[i]; i++)
        argv[n++] = more[i];
    argv[n] = NULL;
    return run(argv);
}

static char *file_in(const char *dir, const char *name)
{
    char path[320];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = slurp(path, NULL);
    if (!s)
        fail_msg("cannot read %s", path);
    return s;
}

/* The lines of text (the header first), split in place; *n their number. */
static char **lines_of(char *text, size_t *n)
{
    size_t cap = 16, k = 0;
    char **v = malloc(cap * sizeof *v);
    for (char *s = text, *e; *s; s = e + 1) {
        e = strchr(s, '\n');
        if (!e)
            break;
        *e = '\0';
        if (k == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[k++] = s;
    }
    *n = k;
    return v;
}

/* The part of line after its first k fields. */
static const char *after_fields(const char *line, int k)
{
    for (; k > 0 && line; k--) {
        line = strchr(line, ',');
        line = line ? line + 1 : NULL;
    }
    assert_non_null(line);
    return line;
}

/* Field k of line into buf. */
static const char *field(const char *line, int k, char *buf, size_t n)
{
    const char *s = after_fields(line, k);
    size_t len = strcspn(s, ",");
    snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), s);
    return buf;
}

/* The run in out has the seed, replication and class of the sweep's row line (whose summary
 * columns start after 6 fields). The counts differ: a sweep's run stops at its verdict. */
static void same_class(const char *out, const char *line)
{
    char *sum = file_in(out, "summary.csv");
    char *row = strchr(sum, '\n') + 1;
    char a[64], b[64];
    for (int k = 0; k < 3; k++)
        if (strcmp(field(row, k, a, sizeof a), field(line, 6 + k, b, sizeof b)) != 0)
            fail_msg("sweep row %s\n  run row %s", after_fields(line, 6), row);
    free(sum);
}

static void test_parse(void **state)
{
    (void)state;
    params *p = malloc(sizeof *p);
    err e;
    err_clear(&e);
    assert_int_equal(config_load(p, AUTH, NULL, 0, &e), 0);
    assert_int_equal(p->sweep.y.ncats, 2);
    assert_string_equal(p->sweep.y.cats[0], "token");
    assert_string_equal(p->sweep.y.cats[1], "certificate");
    /* --set takes quoted names; a bool axis; an unknown name lists the allowed ones */
    const char *sets[] = {"sweep.y.key=apiserver.token_cache.coalesce",
                          "sweep.y.values=\"false\",\"true\""};
    assert_int_equal(config_load(p, AUTH, sets, 2, &e), 0);
    assert_int_equal(p->sweep.y.ncats, 2);
    sweep_grid *g = sweep_grid_new(p, &e);
    assert_non_null(g);
    assert_int_equal(sweep_grid_count(g), 6);
    params *q = malloc(sizeof *q);
    assert_int_equal(sweep_point_params(g, p, 5, q, &e), 0);
    assert_true(q->apiserver.token_cache.coalesce);
    assert_int_equal(sweep_point_params(g, p, 0, q, &e), 0);
    assert_false(q->apiserver.token_cache.coalesce);
    sweep_grid_free(g);
    const char *bad[] = {"sweep.y.key=apiserver.sa_lookup.mode",
                         "sweep.y.values=\"loopback\",\"cache\""};
    assert_int_equal(config_load(p, AUTH, bad, 2, &e), -1);
    assert_string_equal(e.msg, "--set sweep.y.values=\"loopback\",\"cache\": sweep.y.values[1]: "
                               "apiserver.sa_lookup.mode: expected one of \"loopback\", "
                               "\"informer\", \"unlimited\" (got \"cache\")");
    err_clear(&e);
    const char *grid[] = {"sweep.y.from=1"};
    assert_int_equal(config_load(p, AUTH, grid, 1, &e), -1);
    assert_string_equal(e.msg, "--set sweep.y.from=1: sweep.y.from: expected no grid on the "
                               "categorical axis over metrics_server.auth (got 1); drop "
                               "sweep.y.from and list the categories in sweep.y.values");
    /* the resolved config reads back as the same sweep */
    err_clear(&e);
    assert_int_equal(config_load(p, CFGAXIS, NULL, 0, &e), 0);
    assert_int_equal(p->sweep.y.ncats, 2);
    assert_int_equal(p->sweep.y.cats[0][0], '/'); /* kept as absolute paths */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(config_dump_resolved(p, f), 0);
    fclose(f);
    const char *tmp = at("resolved.cfg");
    f = fopen(tmp, "w");
    fputs(text, f);
    fclose(f);
    assert_int_equal(config_load(q, tmp, NULL, 0, &e), 0);
    assert_string_equal(q->sweep.y.cats[1], p->sweep.y.cats[1]);
    assert_null(strstr(text, "y = { key = \"config\"; from"));
    free(text);
    free(q);
    free(p);
}

/* Refinement splits the numeric axis within a category whose neighbours disagree, never the
 * categorical axis, and never compares two categories. */
static void test_refine_categorical(void **state)
{
    (void)state;
    const char *sets[] = {"sweep.x.key=cluster.nodes", "sweep.x.values=0,100,200",
                          "sweep.y.key=metrics_server.auth",
                          "sweep.y.values=\"token\",\"certificate\"", "sweep.refine=1"};
    params *p = malloc(sizeof *p);
    err e;
    err_clear(&e);
    if (config_load(p, NULL, sets, 5, &e) != 0)
        fail_msg("%s", e.msg);
    sweep_grid *g = sweep_grid_new(p, &e);
    assert_non_null(g);
    assert_int_equal(sweep_grid_count(g), 6);
    /* token: 0 | 0 | 1 (a boundary between 100 and 200); certificate all 1, so every
     * token/certificate pair disagrees at 0 and 100 nodes but that is no boundary */
    int maj[6] = {0, 0, 1, 1, 1, 1};
    assert_int_equal(sweep_grid_refine(g, maj), 1);
    const sweep_point *pt = sweep_grid_point(g, 6);
    assert_true(pt->x == 150 && pt->y == 0 && pt->level == 1);
    double ext[4];
    sweep_grid_extent(g, 1, ext); /* category bands are one wide */
    assert_true(ext[2] == -0.5 && ext[3] == 0.5);
    sweep_grid_free(g);
    free(p);
}

/* Every row of a categorical sweep names its category, and is the row `avalanche run` writes for
 * that point and replication. */
static void test_rows_are_runs(void **state)
{
    (void)state;
    const char *dir = at("auth");
    assert_int_equal(sweep_to(AUTH, dir, NULL), 0);
    char *pts = file_in(dir, "points.csv");
    size_t n;
    char **ln = lines_of(pts, &n);
    assert_int_equal(n, 1 + 6 * 2);
    const char *head = "point,level,x,y,apiserver.loopback.qps,metrics_server.auth,seed,";
    assert_int_equal(strncmp(ln[0], head, strlen(head)), 0);
    assert_int_equal(strncmp(ln[1], "0,0,2,0,2,token,", 16), 0);
    assert_int_equal(strncmp(ln[12], "5,0,12,1,12,certificate,", 24), 0);
    char *reg = file_in(dir, "regions.csv");
    assert_non_null(strstr(reg, "\n4,0,6,1,6,certificate,4,9,0.5,1.5,"));
    free(reg);
    static const char *const rows[] = {"3", "8", "12"}; /* lines: token/12, cert/2, cert/12 */
    for (int i = 0; i < 3; i++) {
        const char *line = ln[atoi(rows[i])];
        char qps[32], auth[32], rep[8], set1[64], set2[64];
        field(line, 4, qps, sizeof qps);
        field(line, 5, auth, sizeof auth);
        field(line, 7, rep, sizeof rep);
        snprintf(set1, sizeof set1, "apiserver.loopback.qps=%s", qps);
        snprintf(set2, sizeof set2, "metrics_server.auth=\"%s\"", auth);
        const char *out = at("one-run");
        const char *argv[] = {AVALANCHE_BIN,   "run", AUTH,      "--set", set1, "--set", set2,
                              "--replication", rep,   "--quiet", "--out", out,  NULL};
        assert_int_equal(run(argv), 0);
        same_class(out, line);
    }
    free(ln);
    free(pts);
}

/* Interrupted and resumed, or in three shards merged: the bytes of one process. */
static void test_resume_and_merge(void **state)
{
    (void)state;
    const char *one = at("auth1");
    assert_int_equal(sweep_to(AUTH, one, NULL), 0);
    char *full = file_in(one, "points.csv");
    const char *cut = at("auth-cut");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && cp '%s/config.resolved.cfg' '%s'",
             cut, cut, one, cut);
    assert_int_equal(system(cmd), 0);
    char path[320];
    snprintf(path, sizeof path, "%s/points.csv", cut);
    FILE *f = fopen(path, "wb");
    fwrite(full, 1, strlen(full) * 6 / 10, f);
    fclose(f);
    const char *resume[] = {"--resume", NULL};
    assert_int_equal(sweep_to(AUTH, cut, resume), 0);
    same_file(one, cut, "points.csv");
    same_file(one, cut, "regions.csv");
    same_file(one, cut, "cells.csv");
    const char *s1 = at("auth-s1"), *s2 = at("auth-s2"), *s3 = at("auth-s3");
    const char *k1[] = {"--shard", "1/3", NULL}, *k2[] = {"--shard", "2/3", NULL},
               *k3[] = {"--shard", "3/3", NULL};
    assert_int_equal(sweep_to(AUTH, s1, k1), 0);
    assert_int_equal(sweep_to(AUTH, s2, k2), 0);
    assert_int_equal(sweep_to(AUTH, s3, k3), 0);
    const char *m = at("auth-merged");
    const char *argv[] = {AVALANCHE_BIN, "merge", s2, s1, s3, "--out", m, NULL};
    assert_int_equal(run(argv), 0);
    same_file(one, m, "points.csv");
    same_file(one, m, "regions.csv");
    same_file(one, m, "cells.csv");
    /* and `plot` redraws it from the files */
    const char *plot[] = {AVALANCHE_BIN, "plot", m, NULL};
    assert_int_equal(run(plot), 0);
    /* no boundary to overlay along a categorical axis: refused as usage */
    const char *over[] = {AVALANCHE_BIN, "plot", m, "--overlay", one, NULL};
    assert_int_equal(run(over), 2);
    output_has("err.txt", "the map's y axis (metrics_server.auth) is categorical");
    free(full);
}

/* A config-file axis: each point is its file loaded in full with the sweep's seed. */
static void test_config_axis(void **state)
{
    (void)state;
    const char *dir = at("cfgaxis");
    assert_int_equal(sweep_to(CFGAXIS, dir, NULL), 0);
    char *pts = file_in(dir, "points.csv");
    size_t n;
    char **ln = lines_of(pts, &n);
    assert_int_equal(n, 1 + 4 * 2);
    assert_int_equal(strncmp(ln[0], "point,level,x,y,apiserver.loopback.qps,config,seed,", 51), 0);
    assert_int_equal(strncmp(ln[6], "2,0,2,1,2,informer.cfg,7,1,", 27), 0);
    const char *out = at("cfg-run");
    const char *argv[] = {AVALANCHE_BIN,
                          "run",
                          "tests/data/sweep/presets/informer.cfg",
                          "--set",
                          "apiserver.loopback.qps=2",
                          "--set",
                          "sim.seed=7",
                          "--replication",
                          "1",
                          "--quiet",
                          "--out",
                          out,
                          NULL};
    assert_int_equal(run(argv), 0);
    same_class(out, ln[6]);
    free(ln);
    free(pts);
    /* the fluid method and refinement of a three-axis sweep are refused before anything runs */
    const char *fluid[] = {"--method", "fluid", NULL};
    assert_int_equal(sweep_to(CFGAXIS, at("cfg-fluid"), fluid), 2);
    output_has("err.txt", "--method fluid: sweep.y: a categorical axis");
    assert_false(exists(at("cfg-fluid")));
    const char *refine[] = {"--set", "sweep.refine=1", NULL};
    assert_int_equal(sweep_to(THREE, at("three-refine"), refine), 2);
    output_has("err.txt", "sweep.refine: expected 0 on a three-axis sweep (got 1)");
    const char *dry[] = {"--dry-run", NULL};
    assert_int_equal(sweep_to(THREE, at("three-dry"), dry), 0);
    output_has("out.txt", "z = metrics_server.auth: 2 categories, token .. certificate");
    output_has("out.txt", "12 points x 2 replications = 24 runs");
}

/* The rows of a three-axis sweep are those of the two-axis sweep of each z value, and the chart
 * has one panel per z value, titled by it. */
static void test_third_axis(void **state)
{
    (void)state;
    char dir[256]; /* at()'s buffers are reused below */
    snprintf(dir, sizeof dir, "%s", at("three"));
    assert_int_equal(sweep_to(THREE, dir, NULL), 0);
    char *pts = file_in(dir, "points.csv");
    size_t n;
    char **ln = lines_of(pts, &n);
    assert_int_equal(n, 1 + 12 * 2);
    const char *head = "point,level,x,y,z,apiserver.loopback.qps,cluster.nodes,"
                       "metrics_server.auth,seed,";
    assert_int_equal(strncmp(ln[0], head, strlen(head)), 0);
    static const char *const names[] = {"token", "certificate"};
    for (int z = 0; z < 2; z++) {
        char set[64];
        snprintf(set, sizeof set, "metrics_server.auth=\"%s\"", names[z]);
        const char *more[] = {"--set", set, NULL};
        const char *slice = at(z ? "slice1" : "slice0");
        assert_int_equal(sweep_to(TWO, slice, more), 0);
        char *two = file_in(slice, "points.csv");
        size_t m;
        char **tl = lines_of(two, &m);
        assert_int_equal(m, 1 + 6 * 2);
        for (size_t i = 1; i < m; i++) {
            const char *row = ln[(size_t)z * 12 + i];
            char a[64], b[64], zs[8], name[32];
            /* x, y; z; the keys' values; then the summary */
            for (int k = 2; k < 4; k++)
                assert_string_equal(field(row, k, a, sizeof a), field(tl[i], k, b, sizeof b));
            assert_int_equal(atoi(field(row, 4, zs, sizeof zs)), z);
            for (int k = 0; k < 2; k++)
                assert_string_equal(field(row, 5 + k, a, sizeof a),
                                    field(tl[i], 4 + k, b, sizeof b));
            assert_string_equal(field(row, 7, name, sizeof name), names[z]);
            assert_string_equal(after_fields(row, 8), after_fields(tl[i], 6));
        }
        free(tl);
        free(two);
    }
    free(ln);
    free(pts);
    /* one panel per z value: its title in the SVG, the panels side by side in the PNG */
    char *svg = file_in(dir, "stability.svg");
    assert_non_null(strstr(svg, "metrics-server authentication = token"));
    assert_non_null(strstr(svg, "metrics-server authentication = certificate"));
    int titles = 0;
    for (const char *s = svg; (s = strstr(s, "metrics-server authentication = ")); s++)
        titles++;
    assert_int_equal(titles, 2);
    free(svg);
    /* two shards merged: the same bytes */
    const char *k1[] = {"--shard", "1/2", NULL}, *k2[] = {"--shard", "2/2", NULL};
    assert_int_equal(sweep_to(THREE, at("three-s1"), k1), 0);
    assert_int_equal(sweep_to(THREE, at("three-s2"), k2), 0);
    const char *merged = at("three-m");
    const char *merge[] = {AVALANCHE_BIN, "merge", at("three-s1"), at("three-s2"), "--out",
                           merged,        NULL};
    assert_int_equal(run(merge), 0);
    same_file(dir, merged, "points.csv");
    same_file(dir, merged, "regions.csv");
    same_file(dir, merged, "cells.csv");
    /* another sweep over the same three axes overlays every panel; other axes are refused */
    const char *over[] = {AVALANCHE_BIN, "plot", dir, "--overlay", at("slice0"), NULL};
    assert_int_equal(run(over), 2);
    output_has("err.txt", "not the same axes");
    /* a numeric z on a narrow chart: three panels, titles that fit (the unit dropped) */
    const char *narrow = at("three-narrow");
    const char *more[] = {"--set", "sweep.z.key=apiserver.max_mutating_requests_inflight",
                          "--set", "sweep.z.values=100,200,400",
                          "--set", "plot.width=500",
                          "--set", "plot.formats=\"svg\"",
                          NULL};
    assert_int_equal(sweep_to(THREE, narrow, more), 0);
    svg = file_in(narrow, "stability.svg");
    assert_non_null(strstr(svg, "mutating inflight cap = 100"));
    assert_non_null(strstr(svg, "mutating inflight cap = 200"));
    assert_non_null(strstr(svg, "mutating inflight cap = 400"));
    assert_null(strstr(svg, "(requests) = "));
    free(svg);
    char *reg = file_in(dir, "regions.csv");
    assert_int_equal(strncmp(reg, "point,level,x,y,z,apiserver.loopback.qps,", 41), 0);
    assert_non_null(strstr(reg, "\n11,0,12,200,1,12,200,certificate,"));
    free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),         cmocka_unit_test(test_refine_categorical),
        cmocka_unit_test(test_rows_are_runs), cmocka_unit_test(test_resume_and_merge),
        cmocka_unit_test(test_config_axis),   cmocka_unit_test(test_third_axis),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
