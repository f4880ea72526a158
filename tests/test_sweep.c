/* test_sweep: grid expansion, refinement on a synthetic classifier, interval statistics, early
 * classification, and `avalanche sweep` end to end: -j invariance, resume, refusal. */
#include "testutil.h"

#include "config.h"
#include "err.h"
#include "model.h"
#include "params.h"
#include "stats.h"
#include "sweep.h"
#include "xmem.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TINY "tests/data/sweep/tiny.cfg"

static params *load(const char *const *sets, int n)
{
    params *p = xmalloc(sizeof *p);
    err e;
    err_clear(&e);
    if (config_load(p, NULL, sets, n, &e) != 0)
        fail_msg("config: %s", e.msg);
    return p;
}

static void expect_values(const char *const *sets, int nsets, const double *want, size_t nwant)
{
    params *p = load(sets, nsets);
    double *v;
    size_t n;
    err e;
    err_clear(&e);
    if (sweep_axis_values(p, &p->sweep.x, "x", &v, &n, &e) != 0)
        fail_msg("%s", e.msg);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_near(v[i], want[i], 1e-9 * fabs(want[i]));
    free(v);
    free(p);
}

static void test_grid_values(void **state)
{
    (void)state;
    const char *lin[] = {"sweep.x.key=kubelet.webhook_cache_ttl", "sweep.x.from=10",
                         "sweep.x.to=50", "sweep.x.steps=5"};
    expect_values(lin, 4, (double[]){10, 20, 30, 40, 50}, 5);
    const char *lg[] = {"sweep.x.key=kubelet.webhook_cache_ttl", "sweep.x.from=1",
                        "sweep.x.to=1000", "sweep.x.steps=4", "sweep.x.scale=log"};
    expect_values(lg, 5, (double[]){1, 10, 100, 1000}, 4);
    const char *ex[] = {"sweep.x.key=kubelet.webhook_cache_ttl", "sweep.x.values=300,5,60,5"};
    expect_values(ex, 2, (double[]){5, 60, 300}, 3);
    /* integer key: 0, 0.5, 1, 1.5, 2 -> round (half away from zero) -> 0, 1, 1, 2, 2 -> 0, 1, 2 */
    const char *in[] = {"sweep.x.key=cluster.nodes", "sweep.x.from=0", "sweep.x.to=2",
                        "sweep.x.steps=5"};
    expect_values(in, 4, (double[]){0, 1, 2}, 3);
    const char *il[] = {"sweep.x.key=cluster.nodes", "sweep.x.from=1", "sweep.x.to=10",
                        "sweep.x.steps=10", "sweep.x.scale=log"};
    expect_values(il, 5, (double[]){1, 2, 3, 4, 5, 6, 8, 10}, 8);
}

static void expect_bad(const char *const *sets, int nsets, const char *needle)
{
    params *p = load(sets, nsets);
    err e;
    err_clear(&e);
    sweep_grid *g = sweep_grid_new(p, &e);
    assert_null(g);
    if (!strstr(e.msg, needle))
        fail_msg("message '%s' lacks '%s'", e.msg, needle);
    free(p);
}

/* An axis with only its key sweeps nothing the user chose: an error naming the axis and what is
 * missing, from the file, --set, and either axis; from = 0 with steps or values still works. */
static void test_key_only_axis(void **state)
{
    (void)state;
    const char *x[] = {"sweep.x.key=cluster.nodes"};
    expect_bad(x, 1,
               "sweep.x: cluster.nodes: expected values = [ ... ] or from, to and steps "
               "(got only key)");
    const char *y[] = {"sweep.x.key=cluster.nodes", "sweep.x.values=1,2",
                       "sweep.y.key=kubelet.webhook_cache_ttl"};
    expect_bad(y, 3, "sweep.y: kubelet.webhook_cache_ttl: expected values");
    const char *zero[] = {"sweep.x.key=cluster.nodes", "sweep.x.values=0"};
    expect_values(zero, 2, (double[]){0}, 1);
    const char *grid[] = {"sweep.x.key=cluster.nodes", "sweep.x.to=10", "sweep.x.steps=2"};
    expect_values(grid, 3, (double[]){0, 10}, 2);
    /* the command: exit 2, before anything is written */
    char *argv[] = {(char *)"tests/data/sweep/key-only.cfg", (char *)"--out",
                    (char *)"/tmp/avalanche-key-only-never", (char *)"--quiet", NULL};
    assert_int_equal(sweep_command(4, argv), 2);
    assert_int_equal(access("/tmp/avalanche-key-only-never", F_OK), -1);
    char *dry[] = {(char *)"tests/data/sweep/key-only.cfg", (char *)"--dry-run", NULL};
    assert_int_equal(sweep_command(2, dry), 2);
}

/* A refinement level in which no cell disagrees adds nothing and changes nothing: the map's
 * cells stay those of the coarse grid (before, they moved to the finer grid and no longer matched
 * the extents in regions.csv). */
static void test_refine_nothing_to_do(void **state)
{
    (void)state;
    const char *in[] = {"sweep.x.key=apiserver.loopback.qps", "sweep.x.values=11,12",
                        "sweep.y.key=cluster.nodes", "sweep.y.values=0,200"};
    params *p = load(in, 4);
    err e;
    err_clear(&e);
    sweep_grid *g = sweep_grid_new(p, &e);
    assert_non_null(g);
    sweep_cell *before, *after;
    size_t nb = sweep_grid_cells(g, &before);
    int maj[4] = {0, 0, 0, 0};
    assert_int_equal(sweep_grid_refine(g, maj), 0);
    assert_int_equal(sweep_grid_levels(g), 0);
    size_t na = sweep_grid_cells(g, &after);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        double ext[4];
        sweep_grid_extent(g, after[i].point, ext);
        assert_true(after[i].x_lo == before[i].x_lo && after[i].x_hi == before[i].x_hi);
        assert_true(after[i].y_lo == before[i].y_lo && after[i].y_hi == before[i].y_hi);
        assert_true(after[i].x_lo == ext[0] && after[i].x_hi == ext[1]);
        assert_true(after[i].y_lo == ext[2] && after[i].y_hi == ext[3]);
    }
    free(before);
    free(after);
    sweep_grid_free(g);
    free(p);
}

static void test_grid_errors(void **state)
{
    (void)state;
    const char *none[] = {"cluster.nodes=10"};
    expect_bad(none, 1, "sweep.x");
    /* set directly (bypassing --set checks) to reach the sweep's own validation */
    params *p = load(NULL, 0);
    err e;
    err_clear(&e);
    p->sweep.x.present = true;
    snprintf(p->sweep.x.key, sizeof p->sweep.x.key, "cluster.nodes");
    p->sweep.x.nvalues = 2;
    p->sweep.x.values[0] = 100;
    p->sweep.x.values[1] = -5;
    sweep_grid *g = sweep_grid_new(p, &e);
    assert_null(g);
    if (!strstr(e.msg, "sweep.x value -5") || !strstr(e.msg, "cluster.nodes"))
        fail_msg("message '%s'", e.msg);
    err_clear(&e);
    snprintf(p->sweep.x.key, sizeof p->sweep.x.key, "cluster.nodez");
    assert_null(sweep_grid_new(p, &e));
    if (!strstr(e.msg, "cluster.nodez"))
        fail_msg("message '%s'", e.msg);
    err_clear(&e);
    snprintf(p->sweep.x.key, sizeof p->sweep.x.key, "kubelet.webhook_cache_ttl");
    p->sweep.x.nvalues = 0;
    p->sweep.x.from = 0;
    p->sweep.x.to = 10;
    p->sweep.x.steps = 3;
    g = sweep_grid_new(p, &e); /* from 0 is fine on a linear axis */
    assert_non_null(g);
    sweep_grid_free(g);
    p->sweep.x.steps = 3;
    p->sweep.x.scale = SCALE_LOG;
    assert_null(sweep_grid_new(p, &e));
    if (!strstr(e.msg, "sweep.x") || !strstr(e.msg, "log"))
        fail_msg("message '%s'", e.msg);
    free(p);
}

/* Synthetic classifier: class by which side of a circle (or threshold) a point is on. */
static int synth(const sweep_point *pt, int two)
{
    if (!two)
        return pt->x >= 37 ? 1 : 0;
    return (pt->x - 0) * (pt->x - 0) + (pt->y - 0) * (pt->y - 0) < 50.0 * 50.0 ? 0 : 2;
}

static void classify_all(const sweep_grid *g, int *maj)
{
    for (size_t k = 0; k < sweep_grid_count(g); k++)
        maj[k] = synth(sweep_grid_point(g, k), sweep_grid_axes(g) == 2);
}

static void test_refine_1d(void **state)
{
    (void)state;
    const char *s[] = {"sweep.x.key=cluster.nodes", "sweep.x.from=0", "sweep.x.to=100",
                       "sweep.x.steps=5"};
    params *p = load(s, 4);
    err e;
    err_clear(&e);
    sweep_grid *g = sweep_grid_new(p, &e);
    assert_non_null(g);
    assert_int_equal(sweep_grid_count(g), 5); /* 0 25 50 75 100 */
    int maj[256];
    /* threshold 37: only the cell [25, 50] disagrees; levels: 38 (37.5 rounded), 31/44, ... */
    size_t total_new = 0;
    for (int level = 1; level <= 10; level++) {
        classify_all(g, maj);
        size_t added = sweep_grid_refine(g, maj);
        if (level == 1)
            assert_int_equal(added, 1);
        total_new += added;
        if (added == 0)
            break;
    }
    /* Bisection of [25, 50] down to the integers 36, 37: the boundary is bracketed exactly. */
    int has36 = 0, has37 = 0;
    for (size_t k = 0; k < sweep_grid_count(g); k++) {
        const sweep_point *pt = sweep_grid_point(g, k);
        assert_true(pt->x >= 0 && pt->x <= 100);
        if (k >= 5)
            assert_true(pt->x > 25 && pt->x < 50); /* only the disagreeing cell was split */
        has36 |= pt->x == 36;
        has37 |= pt->x == 37;
    }
    assert_true(has36 && has37);
    assert_true(total_new <= 5);
    /* extents: the edge cell of level-0 point 0 ends at the swept range */
    double ext[4];
    sweep_grid_extent(g, 0, ext);
    assert_near(ext[0], 0.0, 1e-12);
    assert_near(ext[1], 12.5, 1e-12);
    assert_true(isnan(ext[2]) && isnan(ext[3]));
    sweep_grid_free(g);
    free(p);
}

static void test_refine_2d(void **state)
{
    (void)state;
    const char *s[] = {"sweep.x.key=kubelet.webhook_cache_ttl",
                       "sweep.x.from=0",
                       "sweep.x.to=100",
                       "sweep.x.steps=5",
                       "sweep.y.key=kubelet.webhook_failure_ttl",
                       "sweep.y.from=0",
                       "sweep.y.to=100",
                       "sweep.y.steps=5"};
    params *p = load(s, 8);
    err e;
    err_clear(&e);
    sweep_grid *g = sweep_grid_new(p, &e);
    assert_non_null(g);
    assert_int_equal(sweep_grid_count(g), 25);
    /* x fastest */
    assert_near(sweep_grid_point(g, 1)->x, 25, 0);
    assert_near(sweep_grid_point(g, 1)->y, 0, 0);
    int *maj = xcalloc(4096, sizeof *maj);
    classify_all(g, maj);
    /* The cells crossing the quarter circle r = 50 are the only ones to split. */
    int disagree = 0;
    for (int j = 0; j < 4; j++)
        for (int i = 0; i < 4; i++) {
            int c[4] = {maj[j * 5 + i], maj[j * 5 + i + 1], maj[(j + 1) * 5 + i],
                        maj[(j + 1) * 5 + i + 1]};
            disagree += !(c[0] == c[1] && c[1] == c[2] && c[2] == c[3]);
        }
    size_t added = sweep_grid_refine(g, maj);
    assert_true(disagree > 0 && disagree < 16);
    assert_true(added > 0 && added <= (size_t)disagree * 5);
    for (size_t k = 25; k < sweep_grid_count(g); k++) {
        const sweep_point *pt = sweep_grid_point(g, k);
        assert_int_equal(pt->level, 1);
        /* every new point lies in (the closure of) a disagreeing coarse cell */
        int ok = 0;
        for (int cj = 0; cj < 4; cj++)
            for (int ci = 0; ci < 4; ci++) {
                if (pt->x < 25 * ci || pt->x > 25 * (ci + 1) || pt->y < 25 * cj ||
                    pt->y > 25 * (cj + 1))
                    continue;
                int c[4] = {maj[cj * 5 + ci], maj[cj * 5 + ci + 1], maj[(cj + 1) * 5 + ci],
                            maj[(cj + 1) * 5 + ci + 1]};
                ok |= !(c[0] == c[1] && c[1] == c[2] && c[2] == c[3]);
            }
        assert_true(ok);
    }
    /* Deterministic: the same plan from scratch gives the same points in the same order. */
    sweep_grid *h = sweep_grid_new(p, &e);
    classify_all(h, maj);
    sweep_grid_refine(h, maj);
    assert_int_equal(sweep_grid_count(h), sweep_grid_count(g));
    for (size_t k = 0; k < sweep_grid_count(g); k++) {
        assert_true(sweep_grid_point(g, k)->x == sweep_grid_point(h, k)->x);
        assert_true(sweep_grid_point(g, k)->y == sweep_grid_point(h, k)->y);
    }
    /* Refining again only splits level-1 cells; an all-agreeing grid adds nothing. */
    classify_all(g, maj);
    size_t more = sweep_grid_refine(g, maj);
    assert_true(more > 0);
    for (size_t k = 0; k < sweep_grid_count(h); k++)
        maj[k] = 0;
    assert_int_equal(sweep_grid_refine(h, maj), 0);
    /* level-1 extents are half as wide as level-0 ones */
    double e0[4], e1[4];
    sweep_grid_extent(g, 6, e0);
    sweep_grid_extent(g, 25, e1);
    assert_near(e0[1] - e0[0], 25, 1e-12);
    assert_near(e1[1] - e1[0], 12.5, 1e-12);
    sweep_grid_free(g);
    sweep_grid_free(h);
    free(maj);
    free(p);
}

/* The map's cells tile the swept range without overlap, and every point owns its own value. */
static void check_partition(const sweep_grid *g, double x0, double x1, double y0, double y1)
{
    sweep_cell *c;
    size_t n = sweep_grid_cells(g, &c);
    double area = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(c[i].x_lo < c[i].x_hi && c[i].y_lo < c[i].y_hi);
        area += (c[i].x_hi - c[i].x_lo) * (c[i].y_hi - c[i].y_lo);
        for (size_t j = i + 1; j < n; j++) {
            double ox = fmin(c[i].x_hi, c[j].x_hi) - fmax(c[i].x_lo, c[j].x_lo);
            double oy = fmin(c[i].y_hi, c[j].y_hi) - fmax(c[i].y_lo, c[j].y_lo);
            if (ox > 1e-9 && oy > 1e-9)
                fail_msg("cells %zu and %zu overlap", i, j);
        }
    }
    assert_near(area, (x1 - x0) * (y1 - y0), 1e-6 * (x1 - x0) * (y1 - y0));
    for (size_t k = 0; k < sweep_grid_count(g); k++) {
        const sweep_point *pt = sweep_grid_point(g, k);
        int owns = 0;
        for (size_t i = 0; i < n; i++)
            owns |= c[i].point == k && pt->x >= c[i].x_lo && pt->x <= c[i].x_hi &&
                    pt->y >= c[i].y_lo && pt->y <= c[i].y_hi;
        if (!owns)
            fail_msg("point %zu owns no cell at its own value", k);
    }
    free(c);
}

static void test_cells_partition(void **state)
{
    (void)state;
    const char *s[] = {"sweep.x.key=kubelet.webhook_cache_ttl",
                       "sweep.x.from=0",
                       "sweep.x.to=100",
                       "sweep.x.steps=5",
                       "sweep.y.key=kubelet.webhook_failure_ttl",
                       "sweep.y.from=0",
                       "sweep.y.to=100",
                       "sweep.y.steps=5"};
    params *p = load(s, 8);
    err e;
    err_clear(&e);
    sweep_grid *g = sweep_grid_new(p, &e);
    check_partition(g, 0, 100, 0, 100);
    sweep_cell *c;
    assert_int_equal(sweep_grid_cells(g, &c), 25); /* unrefined: one cell per point */
    free(c);
    int *maj = xcalloc(4096, sizeof *maj);
    for (int level = 0; level < 3; level++) {
        classify_all(g, maj);
        sweep_grid_refine(g, maj);
        check_partition(g, 0, 100, 0, 100);
    }
    /* a point of the last level owns the whole of its own cell: finer levels win over the
     * coarse cells they lie in */
    size_t n = sweep_grid_cells(g, &c);
    size_t k = sweep_grid_count(g) - 1;
    double ext[4], owned = 0;
    sweep_grid_extent(g, k, ext);
    for (size_t i = 0; i < n; i++)
        if (c[i].point == k) {
            assert_true(c[i].x_lo >= ext[0] && c[i].x_hi <= ext[1] && c[i].y_lo >= ext[2] &&
                        c[i].y_hi <= ext[3]);
            owned += (c[i].x_hi - c[i].x_lo) * (c[i].y_hi - c[i].y_lo);
        }
    assert_near(owned, (ext[1] - ext[0]) * (ext[3] - ext[2]), 1e-9);
    free(c);
    sweep_grid_free(g);
    free(maj);
    free(p);
    /* one axis, by hand: 0 and 100, refined at 50 (level 1), then at 25 (level 2). The finest
     * values 0, 25, 50, 75, 100 have cells cut half-way; 75 lies in the cells of 100 (level 0,
     * [50, 100]) and of 50 (level 1, [25, 75]): the finer owns it. */
    const char *s1[] = {"sweep.x.key=kubelet.webhook_cache_ttl", "sweep.x.from=0", "sweep.x.to=100",
                        "sweep.x.steps=2"};
    p = load(s1, 4);
    g = sweep_grid_new(p, &e);
    int m1[8] = {0, 1};
    assert_int_equal(sweep_grid_refine(g, m1), 1); /* 50 */
    int m2[8] = {0, 1, 1};
    assert_int_equal(sweep_grid_refine(g, m2), 1); /* 25 */
    n = sweep_grid_cells(g, &c);
    assert_int_equal(n, 4);
    const double want[4][3] = {{0, 0, 12.5}, {1, 87.5, 100}, {2, 37.5, 87.5}, {3, 12.5, 37.5}};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(c[i].point, (size_t)want[i][0]);
        assert_near(c[i].x_lo, want[i][1], 1e-12);
        assert_near(c[i].x_hi, want[i][2], 1e-12);
        assert_true(isnan(c[i].y_lo) && isnan(c[i].y_hi));
    }
    free(c);
    sweep_grid_free(g);
    free(p);
}

static void test_refine_log(void **state)
{
    (void)state;
    const char *s[] = {"sweep.x.key=kubelet.webhook_cache_ttl", "sweep.x.from=1", "sweep.x.to=100",
                       "sweep.x.steps=3", "sweep.x.scale=log"};
    params *p = load(s, 5);
    err e;
    err_clear(&e);
    sweep_grid *g = sweep_grid_new(p, &e);
    int maj[8] = {0, 1, 1};
    assert_int_equal(sweep_grid_refine(g, maj), 1);
    assert_near(sweep_grid_point(g, 3)->x, sqrt(10.0), 1e-12); /* geometric midpoint */
    double ext[4];
    sweep_grid_extent(g, 0, ext); /* 1: neighbour 10 -> hi sqrt(10), lo clipped at 1 */
    assert_near(ext[1], sqrt(10.0), 1e-12);
    assert_near(ext[0], 1.0, 1e-12);
    sweep_grid_free(g);
    free(p);
}

static void test_clopper_pearson(void **state)
{
    (void)state;
    double lo, hi;
    sweep_clopper_pearson(0, 10, 0.95, &lo, &hi);
    assert_near(lo, 0, 0);
    assert_near(hi, 0.3085, 1e-4);
    sweep_clopper_pearson(5, 10, 0.95, &lo, &hi);
    assert_near(lo, 0.1871, 1e-4);
    assert_near(hi, 0.8129, 1e-4);
    sweep_clopper_pearson(10, 10, 0.95, &lo, &hi);
    assert_near(lo, 0.6915, 1e-4);
    assert_near(hi, 1, 0);
    sweep_clopper_pearson(1, 20, 0.95, &lo, &hi);
    assert_near(lo, 0.001265, 1e-5);
    assert_near(hi, 0.2487, 1e-4);
}

static void test_median_ci(void **state)
{
    (void)state;
    double v[10], med, lo, hi;
    for (int i = 0; i < 10; i++)
        v[i] = 10 - i;
    /* n = 10: P(B <= 1) = 11/1024, coverage 0.9785 with l = 2: (X(2), X(9)) */
    sweep_median_ci(v, 10, 0.95, &med, &lo, &hi);
    assert_near(med, 5.5, 0);
    assert_near(lo, 2, 0);
    assert_near(hi, 9, 0);
    sweep_median_ci(v, 5, 0.95, &med, &lo, &hi); /* too few for 95 % */
    assert_true(!isnan(med) && isnan(lo) && isnan(hi));
    sweep_median_ci(v, 0, 0.95, &med, &lo, &hi);
    assert_true(isnan(med));
    unsigned c[CLASS_COUNT] = {2, 2, 1, 0};
    assert_int_equal(sweep_majority(c), CLASS_METASTABLE); /* ties go to the worse class */
    unsigned d[CLASS_COUNT] = {3, 1, 1, 0};
    assert_int_equal(sweep_majority(d), CLASS_STABLE);
    unsigned u[CLASS_COUNT] = {2, 0, 0, 2};
    assert_int_equal(sweep_majority(u), CLASS_UNRESOLVED);
    unsigned w[CLASS_COUNT] = {0, 2, 0, 2};
    assert_int_equal(sweep_majority(w), CLASS_METASTABLE);
}

/* Early stop: overloaded and metastable runs classify as the run to its horizon does. */
static int hook(void *ctx, const run_output *o)
{
    classify_push(ctx, &o->samples[o->nsamples - 1]);
    return classify_done(ctx, 1);
}

static void early_case(const char *qps, enum run_class want)
{
    char set[64];
    snprintf(set, sizeof set, "apiserver.loopback.qps=%s", qps);
    const char *sets[] = {set};
    params *p = xmalloc(sizeof *p);
    err e;
    err_clear(&e);
    if (config_load(p, TINY, sets, 1, &e) != 0)
        fail_msg("%s", e.msg);
    for (uint64_t r = 0; r < 2; r++) {
        run_output full, early;
        summary sf, se;
        model_run(p, r, 0, NULL, NULL, &full);
        classify *c = classify_new(p);
        model_run(p, r, 0, hook, c, &early);
        classify_free(c);
        stats_summarize(p, r, &full, &sf);
        stats_summarize(p, r, &early, &se);
        assert_int_equal(sf.cls, want);
        assert_int_equal(se.cls, sf.cls);
        assert_true(early.stopped_early);
        assert_true(early.end_s < full.end_s);
        run_output_free(&full);
        run_output_free(&early);
    }
    free(p);
}

static void test_early_stop(void **state)
{
    (void)state;
    early_case("2", CLASS_OVERLOADED);
    early_case("7", CLASS_METASTABLE);
    /* stable runs go to the end */
    params *p = xmalloc(sizeof *p);
    err e;
    err_clear(&e);
    assert_int_equal(config_load(p, TINY, NULL, 0, &e), 0);
    run_output o;
    classify *c = classify_new(p);
    model_run(p, 0, 0, hook, c, &o);
    classify_free(c);
    assert_true(o.stopped_early); /* a stable run stops at sim.duration, not the horizon */
    assert_near(o.end_s, p->sim.duration_s, 0);
    run_output_free(&o);
    free(p);
}

/* ---- end to end ---- */

static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_sweep.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static int sweep(const char *out, const char *jobs, int resume, const char *extra)
{
    char *argv[12];
    int n = 0;
    argv[n++] = (char *)TINY;
    argv[n++] = (char *)"--out";
    argv[n++] = (char *)out;
    argv[n++] = (char *)"-j";
    argv[n++] = (char *)jobs;
    argv[n++] = (char *)"--quiet";
    if (resume)
        argv[n++] = (char *)"--resume";
    if (extra) {
        argv[n++] = (char *)"--set";
        argv[n++] = (char *)extra;
    }
    argv[n] = NULL;
    return sweep_command(n, argv);
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = xmalloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void same_file(const char *a, const char *b, const char *name)
{
    size_t na, nb;
    char *x = slurp(a, name, &na), *y = slurp(b, name, &nb);
    if (na != nb || memcmp(x, y, na) != 0)
        fail_msg("%s/%s and %s/%s differ", a, name, b, name);
    free(x);
    free(y);
}

static void test_jobs_identical(void **state)
{
    (void)state;
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/j1", tmpdir);
    snprintf(b, sizeof b, "%s/j2", tmpdir);
    assert_int_equal(sweep(a, "1", 0, NULL), 0);
    assert_int_equal(sweep(b, "3", 0, NULL), 0);
    same_file(a, b, "points.csv");
    same_file(a, b, "regions.csv");
    same_file(a, b, "config.resolved.cfg");
    /* the swept keys name columns holding the point's values, right after point,level,x,y */
    size_t n;
    char *pts = slurp(a, "points.csv", &n);
    const char *head = "point,level,x,y,apiserver.loopback.qps,cluster.nodes,seed,";
    assert_int_equal(strncmp(pts, head, strlen(head)), 0);
    char *row = strchr(pts, '\n') + 1;
    assert_int_equal(strncmp(row, "0,0,2,0,2,0,", 12), 0);
    row = strstr(pts, "\n6,0,");
    assert_non_null(row);
    assert_int_equal(strncmp(row, "\n6,0,2,200,2,200,", 17), 0);
    free(pts);
    /* refinement happened, and all three classes are present */
    char *r = slurp(a, "regions.csv", &n);
    head = "point,level,x,y,apiserver.loopback.qps,cluster.nodes,x_lo,";
    assert_int_equal(strncmp(r, head, strlen(head)), 0);
    assert_non_null(strstr(r, ",1,")); /* a level-1 row */
    assert_non_null(strstr(r, ",overloaded,"));
    assert_non_null(strstr(r, ",metastable,"));
    assert_non_null(strstr(r, ",stable,"));
    free(r);
    char png[160];
    snprintf(png, sizeof png, "%s/stability.png", a);
    assert_int_equal(access(png, R_OK), 0);
    /* same config again without --resume: starts over, same bytes */
    assert_int_equal(sweep(a, "2", 0, NULL), 0);
    same_file(a, b, "points.csv");
}

static void test_resume(void **state)
{
    (void)state;
    char a[128], b[128], path[160];
    snprintf(a, sizeof a, "%s/full", tmpdir);
    snprintf(b, sizeof b, "%s/cut", tmpdir);
    assert_int_equal(sweep(a, "2", 0, NULL), 0);
    size_t n;
    char *full = slurp(a, "points.csv", &n);
    /* Cuts at several places: mid-row in the coarse level, in the refined level, after the
     * header, and with regions.csv not yet written. */
    double fracs[] = {0.3, 0.85, 0.0};
    for (int i = 0; i < 3; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd,
                 "rm -rf '%s' && mkdir -p '%s' && cp '%s/config.resolved.cfg' '%s'", b, b, a, b);
        assert_int_equal(system(cmd), 0);
        size_t cut = (size_t)(fracs[i] * (double)n);
        if (i == 2)
            cut = (size_t)(strchr(full, '\n') - full) + 1 + 7; /* header + 7 bytes of a row */
        snprintf(path, sizeof path, "%s/points.csv", b);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(full, 1, cut, f);
        fclose(f);
        assert_int_equal(sweep(b, "2", 1, NULL), 0);
        same_file(a, b, "points.csv");
        same_file(a, b, "regions.csv");
    }
    free(full);
    /* a different config: refused, with and without --resume; files untouched */
    assert_int_equal(sweep(b, "2", 1, "sim.seed=8"), 2);
    assert_int_equal(sweep(b, "2", 0, "sim.seed=8"), 2);
    same_file(a, b, "points.csv");
    /* nothing to resume */
    snprintf(path, sizeof path, "%s/empty", tmpdir);
    assert_int_equal(sweep(path, "1", 1, NULL), 2);
}

/* Sends SIGINT once points.csv holds a few rows. */
static void *interrupter(void *arg)
{
    const char *path = arg;
    struct stat st;
    for (int i = 0; i < 20000; i++) {
        if (stat(path, &st) == 0 && st.st_size > 3000)
            break;
        usleep(500);
    }
    raise(SIGINT);
    return NULL;
}

static void test_sigint(void **state)
{
    (void)state;
    char a[128], b[128], path[160];
    snprintf(a, sizeof a, "%s/ref", tmpdir);
    snprintf(b, sizeof b, "%s/int", tmpdir);
    assert_int_equal(sweep(a, "2", 0, NULL), 0);
    /* A SIGINT arriving after the sweep has restored the old disposition is then ignored. */
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ign, &old);
    snprintf(path, sizeof path, "%s/points.csv", b);
    pthread_t th;
    pthread_create(&th, NULL, interrupter, path);
    int rc = sweep(b, "2", 0, NULL);
    pthread_join(th, NULL);
    sigaction(SIGINT, &old, NULL);
    assert_true(rc == 130 || rc == 0);
    if (rc == 130) {
        size_t n, m;
        char *x = slurp(b, "points.csv", &n), *y = slurp(a, "points.csv", &m);
        assert_true(n < m && memcmp(x, y, n) == 0); /* a prefix of whole rows */
        assert_true(n > 0 && x[n - 1] == '\n');
        free(x);
        free(y);
        assert_int_equal(sweep(b, "1", 1, NULL), 0);
    }
    same_file(a, b, "points.csv");
    same_file(a, b, "regions.csv");
}

/* --dry-run: the grid, the run count and an estimate on stdout; nothing written. */
static void test_dry_run(void **state)
{
    (void)state;
    char out[128], path[160];
    snprintf(out, sizeof out, "%s/dry/never", tmpdir);
    snprintf(path, sizeof path, "%s/dry.txt", tmpdir);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    dup2(fileno(f), STDOUT_FILENO);
    char *argv[] = {(char *)TINY, (char *)"--out",     out, (char *)"-j",
                    (char *)"2",  (char *)"--dry-run", NULL};
    int rc = sweep_command(6, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    fclose(f);
    assert_int_equal(rc, 0);
    snprintf(out, sizeof out, "%s/dry", tmpdir);
    assert_int_equal(access(out, F_OK), -1);
    size_t n;
    char *text = slurp(tmpdir, "dry.txt", &n);
    const char *want[] = {"x = apiserver.loopback.qps: 6 values, 2 .. 12",
                          "y = cluster.nodes: 2 values, 0 .. 200",
                          "point  apiserver.loopback.qps  cluster.nodes",
                          "\n      11                      12            200\n",
                          "12 points x 3 replications = 36 runs",
                          "refine = 1: at most 99 runs in all",
                          "estimated wall time on 2 threads"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(text, want[i]))
            fail_msg("dry run output lacks '%s':\n%s", want[i], text);
    free(text);
}

static void test_usage(void **state)
{
    (void)state;
    char *a1[] = {(char *)"-j", (char *)"0", (char *)TINY, NULL};
    assert_int_equal(sweep_command(3, a1), 2);
    char *a2[] = {(char *)"--bogus", NULL};
    assert_int_equal(sweep_command(1, a2), 2);
    char *a3[] = {NULL};
    assert_int_equal(sweep_command(0, a3), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_values),
        cmocka_unit_test(test_grid_errors),
        cmocka_unit_test(test_key_only_axis),
        cmocka_unit_test(test_dry_run),
        cmocka_unit_test(test_refine_1d),
        cmocka_unit_test(test_refine_2d),
        cmocka_unit_test(test_refine_nothing_to_do),
        cmocka_unit_test(test_refine_log),
        cmocka_unit_test(test_cells_partition),
        cmocka_unit_test(test_clopper_pearson),
        cmocka_unit_test(test_median_ci),
        cmocka_unit_test(test_early_stop),
        cmocka_unit_test(test_jobs_identical),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_sigint),
        cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
