/* sweep: grid values, the refinement plan, interval statistics and early classification (L4).
 * The command itself (threads, files, resume, progress) is in sweep_run.c. */
#include "sweep.h"

#include "classify.h"
#include "config.h"
#include "xmem.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int sweep_axis_values(const params *p, const axis *a, const char *name, double **values, size_t *n,
                      err *e)
{
    *values = NULL;
    *n = 0;
    if (a->ncats > 0) { /* categorical: the indices of the names, checked by the loader */
        double *v = xmalloc((size_t)a->ncats * sizeof *v);
        for (int i = 0; i < a->ncats; i++)
            v[i] = i;
        *values = v;
        *n = (size_t)a->ncats;
        return 0;
    }
    int is_int;
    if (config_key_numeric(a->key, &is_int, e) < 0)
        return -1;
    /* The defaults of an axis are from = to = 0 with one step: an axis that sets only its key
     * would otherwise sweep the single value 0 and look like a finished sweep. */
    if (a->nvalues == 0 && a->steps == 1 && a->from == 0 && a->to == 0)
        return err_set(e,
                       "sweep.%s: %s: expected values = [ ... ] or from, to and steps (got only "
                       "key)",
                       name, a->key);
    size_t m = a->nvalues > 0 ? (size_t)a->nvalues : (size_t)(a->steps > 0 ? a->steps : 0);
    if (m == 0)
        return err_set(e, "sweep.%s: expected values or steps >= 1 (got none)", name);
    if (a->nvalues == 0 && a->scale == SCALE_LOG && !(a->from > 0 && a->to > 0))
        return err_set(e, "sweep.%s: expected from > 0 and to > 0 for scale \"log\"", name);
    double *v = xmalloc(m * sizeof *v);
    for (size_t i = 0; i < m; i++) {
        if (a->nvalues > 0)
            v[i] = a->values[i];
        else if (m == 1)
            v[i] = a->from;
        else if (i == m - 1)
            v[i] = a->to; /* exact end, whatever the rounding of the spacing */
        else if (a->scale == SCALE_LOG)
            v[i] = exp(log(a->from) + (log(a->to) - log(a->from)) * (double)i / (double)(m - 1));
        else
            v[i] = a->from + (a->to - a->from) * (double)i / (double)(m - 1);
        if (is_int)
            v[i] = round(v[i]);
    }
    gsl_sort(v, 1, m);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (k == 0 || v[i] != v[k - 1])
            v[k++] = v[i];
    params *tmp = xmalloc(sizeof *tmp);
    for (size_t i = 0; i < k; i++) {
        *tmp = *p;
        char origin[AXIS_KEY_MAX + 64];
        snprintf(origin, sizeof origin, "sweep.%s value %.17g", name, v[i]);
        if (!isfinite(v[i]) || config_set_number(tmp, a->key, v[i], origin, e) < 0) {
            if (!isfinite(v[i]))
                err_set(e, "%s: %s: expected a finite number", origin, a->key);
            free(tmp);
            free(v);
            return -1;
        }
    }
    free(tmp);
    *values = v;
    *n = k;
    return 0;
}

const char *sweep_category_label(const axis *a, int i)
{
    const char *c = a->cats[i];
    const char *slash = strcmp(a->key, AXIS_CONFIG) == 0 ? strrchr(c, '/') : NULL;
    return slash ? slash + 1 : c;
}

/* ---- the grid -------------------------------------------------------------------------------- */

typedef struct gaxis {
    int is_int, log;
    int cat;     /* categorical: is_int too, so that no midpoint splits a cell; cells of width 1 */
    double **lv; /* lv[l]: the values of level l (level l-1 with every midpoint inserted) */
    size_t *nlv;
    int nlevels;
} gaxis;

typedef struct cellr {
    double x0, x1, y0, y1;
} cellr;

struct sweep_grid {
    int naxes;
    gaxis ax[3];
    sweep_point *pts;
    size_t n, cap;
    cellr *cells; /* cells made at the last level */
    size_t ncells;
    int levels;
};

/* Midpoint of a cell edge where a new point goes. */
static double point_mid(const gaxis *a, double lo, double hi)
{
    double m = a->log ? sqrt(lo) * sqrt(hi) : lo + (hi - lo) / 2;
    return a->is_int ? round(m) : m;
}

/* Half-way between neighbours, for cell extents (never rounded). */
static double extent_mid(const gaxis *a, double lo, double hi)
{
    return a->log ? sqrt(lo) * sqrt(hi) : lo + (hi - lo) / 2;
}

static void axis_add_level(gaxis *a)
{
    int l = a->nlevels;
    size_t n = a->nlv[l - 1];
    const double *s = a->lv[l - 1];
    double *d = xmalloc((2 * n + 1) * sizeof *d);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        d[k++] = s[i];
        if (i + 1 < n) {
            double m = point_mid(a, s[i], s[i + 1]);
            if (m > s[i] && m < s[i + 1])
                d[k++] = m;
        }
    }
    a->lv = xrealloc(a->lv, (size_t)(l + 1) * sizeof *a->lv);
    a->nlv = xrealloc(a->nlv, (size_t)(l + 1) * sizeof *a->nlv);
    a->lv[l] = d;
    a->nlv[l] = k;
    a->nlevels = l + 1;
}

static void add_point_z(sweep_grid *g, double x, double y, double z, int level)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 64;
        g->pts = xrealloc(g->pts, g->cap * sizeof *g->pts);
    }
    g->pts[g->n++] = (sweep_point){x, y, level, z};
}

static void add_point(sweep_grid *g, double x, double y, int level)
{
    add_point_z(g, x, y, NAN, level);
}

static int same_z(const sweep_grid *g, double a, double b)
{
    return g->naxes < 3 || a == b;
}

/* Index of the point at (x, y, z) (exact: every coordinate is computed the same way), or -1. */
static long find_point_z(const sweep_grid *g, double x, double y, double z)
{
    for (size_t k = 0; k < g->n; k++)
        if (g->pts[k].x == x && (g->naxes == 1 || g->pts[k].y == y) && same_z(g, g->pts[k].z, z))
            return (long)k;
    return -1;
}

static long find_point(const sweep_grid *g, double x, double y)
{
    return find_point_z(g, x, y, NAN);
}

sweep_grid *sweep_grid_new(const params *p, err *e)
{
    if (!p->sweep.x.present) {
        err_set(e, "sweep.x: expected an axis to sweep (got no sweep.x group)");
        return NULL;
    }
    if (p->sweep.z.present && !p->sweep.y.present) {
        err_set(e, "sweep.z: expected sweep.x and sweep.y too (got sweep.z without sweep.y)");
        return NULL;
    }
    sweep_grid *g = xcalloc(1, sizeof *g);
    g->naxes = p->sweep.z.present ? 3 : p->sweep.y.present ? 2 : 1;
    for (int i = 0; i < g->naxes; i++) {
        const axis *a = i == 0 ? &p->sweep.x : i == 1 ? &p->sweep.y : &p->sweep.z;
        gaxis *ga = &g->ax[i];
        double *v;
        size_t n;
        if (sweep_axis_values(p, a, i == 0 ? "x" : i == 1 ? "y" : "z", &v, &n, e) < 0) {
            sweep_grid_free(g);
            return NULL;
        }
        ga->cat = a->ncats > 0;
        if (ga->cat)
            ga->is_int = 1;
        else
            config_key_numeric(a->key, &ga->is_int, e);
        /* A log axis refines geometrically; explicit positive values count as log when asked. */
        ga->log = !ga->cat && a->scale == SCALE_LOG && v[0] > 0;
        ga->lv = xmalloc(sizeof *ga->lv);
        ga->nlv = xmalloc(sizeof *ga->nlv);
        ga->lv[0] = v;
        ga->nlv[0] = n;
        ga->nlevels = 1;
    }
    const gaxis *ax = &g->ax[0], *ay = &g->ax[1];
    size_t ny = g->naxes >= 2 ? ay->nlv[0] : 1, nz = g->naxes == 3 ? g->ax[2].nlv[0] : 1;
    for (size_t l = 0; l < nz; l++)
        for (size_t j = 0; j < ny; j++)
            for (size_t i = 0; i < ax->nlv[0]; i++)
                add_point_z(g, ax->lv[0][i], g->naxes >= 2 ? ay->lv[0][j] : NAN,
                            g->naxes == 3 ? g->ax[2].lv[0][l] : NAN, 0);
    if (g->naxes == 3)
        return g; /* never refined (config.c refuses sweep.refine > 0): no cells to split */
    size_t cx = ax->nlv[0] > 1 ? ax->nlv[0] - 1 : 0;
    size_t cy = g->naxes == 2 ? (ay->nlv[0] > 1 ? ay->nlv[0] - 1 : 0) : 1;
    int catx = ax->cat, caty = g->naxes == 2 && ay->cat;
    /* Beside a categorical axis the cells are segments of the numeric axis, one row (column)
     * per category: neighbouring categories are not compared, as no boundary lies between
     * them, so refinement looks for boundaries along the numeric axis within each category. */
    if (catx && g->naxes == 2)
        cx = caty ? 0 : ax->nlv[0];
    if (caty)
        cy = ay->nlv[0];
    g->cells = xmalloc((cx * cy + 1) * sizeof *g->cells);
    for (size_t j = 0; j < cy; j++)
        for (size_t i = 0; i < cx; i++)
            g->cells[g->ncells++] =
                (cellr){ax->lv[0][i], ax->lv[0][catx && g->naxes == 2 ? i : i + 1],
                        g->naxes == 2 ? ay->lv[0][j] : NAN,
                        g->naxes == 2 ? ay->lv[0][caty ? j : j + 1] : NAN};
    return g;
}

void sweep_grid_free(sweep_grid *g)
{
    if (!g)
        return;
    for (int i = 0; i < 3; i++) {
        for (int l = 0; l < g->ax[i].nlevels; l++)
            free(g->ax[i].lv[l]);
        free(g->ax[i].lv);
        free(g->ax[i].nlv);
    }
    free(g->pts);
    free(g->cells);
    free(g);
}

int sweep_grid_axes(const sweep_grid *g)
{
    return g->naxes;
}

size_t sweep_grid_count(const sweep_grid *g)
{
    return g->n;
}

const sweep_point *sweep_grid_point(const sweep_grid *g, size_t k)
{
    return &g->pts[k];
}

int sweep_grid_levels(const sweep_grid *g)
{
    return g->levels;
}

size_t sweep_grid_refine(sweep_grid *g, const int *majority)
{
    if (g->naxes == 3)
        return 0;
    size_t before = g->n;
    int level = g->levels + 1;
    cellr *next = NULL;
    size_t nnext = 0, capnext = 0;
    const gaxis *ax = &g->ax[0], *ay = &g->ax[1];
    for (size_t c = 0; c < g->ncells; c++) {
        cellr r = g->cells[c];
        double xs[2] = {r.x0, r.x1}, ys[2] = {r.y0, r.y1};
        int ncorner = g->naxes == 2 ? 4 : 2, first = -1, disagree = 0;
        for (int q = 0; q < ncorner; q++) {
            long k = find_point(g, xs[q & 1], ys[q >> 1]);
            if (k < 0 || (size_t)k >= before)
                continue; /* not measured yet (cannot happen for a cell of the last level) */
            if (first < 0)
                first = majority[k];
            else if (majority[k] != first)
                disagree = 1;
        }
        if (!disagree)
            continue;
        double xm = point_mid(ax, r.x0, r.x1);
        int splitx = xm > r.x0 && xm < r.x1;
        double ym = g->naxes == 2 ? point_mid(ay, r.y0, r.y1) : NAN;
        int splity = g->naxes == 2 && ym > r.y0 && ym < r.y1;
        if (!splitx && !splity)
            continue;
        /* Sub-cell edges, and the new points on them row by row (y, then x). */
        double ex[3] = {r.x0, xm, r.x1}, ey[3] = {r.y0, ym, r.y1};
        int nx = splitx ? 2 : 1, ny = g->naxes == 1 ? 0 : splity ? 2 : 1;
        if (!splitx)
            ex[1] = r.x1;
        if (!splity)
            ey[1] = r.y1;
        for (int j = 0; j <= ny; j++)
            for (int i = 0; i <= nx; i++) {
                double x = ex[i], y = g->naxes == 2 ? ey[j] : NAN;
                if (find_point(g, x, y) < 0)
                    add_point(g, x, y, level);
            }
        for (int j = 0; j < (ny ? ny : 1); j++)
            for (int i = 0; i < nx; i++) {
                if (nnext == capnext) {
                    capnext = capnext ? 2 * capnext : 16;
                    next = xrealloc(next, capnext * sizeof *next);
                }
                next[nnext++] = (cellr){ex[i], ex[i + 1], g->naxes == 2 ? ey[j] : NAN,
                                        g->naxes == 2 ? ey[j + 1] : NAN};
            }
    }
    if (nnext == 0) {
        /* no cell disagrees: the grid, its cells and its levels stay as they are (the cells of
         * cells.csv must stay those of regions.csv's extents) */
        free(next);
        return 0;
    }
    free(g->cells);
    g->cells = next;
    g->ncells = nnext;
    g->levels = level;
    for (int i = 0; i < g->naxes; i++)
        while (g->ax[i].nlevels <= level)
            axis_add_level(&g->ax[i]);
    return g->n - before;
}

/* [lo, hi] around v on the sorted values s[0..n): half-way to each neighbour, mirrored at ends. */
static void extent_1(const gaxis *a, const double *s, size_t n, double v, double *lo, double *hi)
{
    size_t i = 0;
    while (i + 1 < n && s[i] < v)
        i++;
    if (a->cat) { /* a band of width 1 around each category's index */
        *lo = v - 0.5;
        *hi = v + 0.5;
        return;
    }
    if (n < 2) {
        *lo = a->log ? v / 1.25 : v - fmax(fabs(v) * 0.1, 0.5);
        *hi = a->log ? v * 1.25 : v + fmax(fabs(v) * 0.1, 0.5);
        return;
    }
    /* Edge cells end at the swept range, so the chart never shows values nobody asked for
     * (a mirrored half-step below 500 nodes would be negative). */
    *lo = i > 0 ? extent_mid(a, s[i - 1], v) : v;
    *hi = i + 1 < n ? extent_mid(a, v, s[i + 1]) : v;
}

void sweep_grid_extent(const sweep_grid *g, size_t k, double ext[4])
{
    const sweep_point *pt = &g->pts[k];
    int l = pt->level;
    const gaxis *ax = &g->ax[0];
    int lx = l < ax->nlevels ? l : ax->nlevels - 1;
    extent_1(ax, ax->lv[lx], ax->nlv[lx], pt->x, &ext[0], &ext[1]);
    ext[2] = ext[3] = NAN;
    if (g->naxes >= 2) {
        const gaxis *ay = &g->ax[1];
        int ly = l < ay->nlevels ? l : ay->nlevels - 1;
        extent_1(ay, ay->lv[ly], ay->nlv[ly], pt->y, &ext[2], &ext[3]);
    }
}

static int contains(double lo, double hi, double v)
{
    return v >= lo && v <= hi;
}

static int cell_cmp(const void *a, const void *b)
{
    const sweep_cell *x = a, *y = b;
    if (x->point != y->point)
        return x->point < y->point ? -1 : 1;
    if (!isnan(x->y_lo) && x->y_lo != y->y_lo) /* y is NAN in a one-axis sweep */
        return x->y_lo < y->y_lo ? -1 : 1;
    return (x->x_lo > y->x_lo) - (x->x_lo < y->x_lo);
}

/* The cells of the slice at z (NAN: the whole grid of one or two axes), appended to *out. */
static void slice_cells(const sweep_grid *g, double z, sweep_cell **out_, size_t *n_, size_t *cap_)
{
    const gaxis *ax = &g->ax[0], *ay = &g->ax[1];
    const double *xv = ax->lv[ax->nlevels - 1],
                 *yv = g->naxes >= 2 ? ay->lv[ay->nlevels - 1] : NULL;
    size_t nx = ax->nlv[ax->nlevels - 1], ny = g->naxes >= 2 ? ay->nlv[ay->nlevels - 1] : 1;
    /* owner of every finest grid value (row-major, x fastest) */
    size_t *own = xmalloc(nx * ny * sizeof *own);
    double(*ext)[4] = xmalloc((g->n ? g->n : 1) * sizeof *ext);
    for (size_t k = 0; k < g->n; k++)
        sweep_grid_extent(g, k, ext[k]);
    for (size_t j = 0; j < ny; j++)
        for (size_t i = 0; i < nx; i++) {
            long at = find_point_z(g, xv[i], yv ? yv[j] : NAN, z);
            size_t best = at >= 0 ? (size_t)at : SIZE_MAX; /* a point owns its own value */
            for (size_t k = 0; k < g->n && at < 0; k++) {
                if (!same_z(g, g->pts[k].z, z))
                    continue;
                if (!contains(ext[k][0], ext[k][1], xv[i]) ||
                    (yv && !contains(ext[k][2], ext[k][3], yv[j])))
                    continue;
                if (best == SIZE_MAX || g->pts[k].level > g->pts[best].level)
                    best = k;
            }
            own[j * nx + i] = best;
        }
    /* cell edges of the finest values */
    double *xl = xmalloc(nx * sizeof *xl), *xh = xmalloc(nx * sizeof *xh);
    double *yl = xmalloc(ny * sizeof *yl), *yh = xmalloc(ny * sizeof *yh);
    for (size_t i = 0; i < nx; i++)
        extent_1(ax, xv, nx, xv[i], &xl[i], &xh[i]);
    for (size_t j = 0; j < ny; j++) {
        if (yv)
            extent_1(ay, yv, ny, yv[j], &yl[j], &yh[j]);
        else
            yl[j] = yh[j] = NAN;
    }
    /* runs along x, then rows merged with the run of the same owner and x extent just below */
    sweep_cell *out = *out_;
    size_t n = *n_, cap = *cap_;
    size_t *open_ =
        xmalloc(nx * sizeof *open_); /* index in out of the run starting at i, row j-1 */
    size_t *next = xmalloc(nx * sizeof *next);
    for (size_t i = 0; i < nx; i++)
        open_[i] = SIZE_MAX;
    for (size_t j = 0; j < ny; j++) {
        for (size_t i = 0; i < nx; i++)
            next[i] = SIZE_MAX;
        for (size_t i = 0; i < nx;) {
            size_t e = i + 1, o = own[j * nx + i];
            while (e < nx && own[j * nx + e] == o)
                e++;
            size_t prev = open_[i];
            if (o != SIZE_MAX && prev != SIZE_MAX && out[prev].point == o &&
                out[prev].x_hi == xh[e - 1]) {
                out[prev].y_hi = yh[j];
                next[i] = prev;
            } else if (o != SIZE_MAX) {
                if (n == cap) {
                    cap = cap ? 2 * cap : 64;
                    out = xrealloc(out, cap * sizeof *out);
                }
                out[n] = (sweep_cell){o, xl[i], xh[e - 1], yl[j], yh[j]};
                next[i] = n++;
            }
            i = e;
        }
        size_t *t = open_;
        open_ = next;
        next = t;
    }
    free(open_);
    free(next);
    free(xl);
    free(xh);
    free(yl);
    free(yh);
    free(own);
    free(ext);
    *out_ = out;
    *n_ = n;
    *cap_ = cap;
}

size_t sweep_grid_cells(const sweep_grid *g, sweep_cell **cells)
{
    sweep_cell *out = NULL;
    size_t n = 0, cap = 0;
    if (g->naxes < 3)
        slice_cells(g, NAN, &out, &n, &cap);
    else
        for (size_t l = 0; l < g->ax[2].nlv[0]; l++)
            slice_cells(g, g->ax[2].lv[0][l], &out, &n, &cap);
    if (n > 1)
        qsort(out, n, sizeof *out, cell_cmp);
    *cells = out;
    return n;
}

int sweep_point_params(const sweep_grid *g, const params *base, size_t k, params *out, err *e)
{
    return sweep_point_apply(base, &g->pts[k], out, e);
}

/* "sweep.x value 5000" or "sweep.x value \"certificate\"" */
static void value_text(const axis *a, double v, char *buf, size_t n)
{
    if (a->ncats > 0 && v >= 0 && v < a->ncats)
        snprintf(buf, n, "\"%s\"", a->cats[(int)v]);
    else
        snprintf(buf, n, "%.17g", v);
}

static int apply_one(const axis *a, const char *name, double v, params *out, err *e)
{
    char origin[AXIS_CAT_MAX + 64], val[AXIS_CAT_MAX + 8];
    value_text(a, v, val, sizeof val);
    snprintf(origin, sizeof origin, "sweep.%s value %s", name, val);
    if (a->ncats > 0)
        return config_set_category(out, a, (int)v, origin, e);
    return config_set_number(out, a->key, v, origin, e);
}

int sweep_point_apply(const params *base, const sweep_point *pt, params *out, err *e)
{
    const axis *ax[3] = {&base->sweep.x, &base->sweep.y, &base->sweep.z};
    const double v[3] = {pt->x, pt->y, pt->z};
    static const char *const names[3] = {"x", "y", "z"};
    int naxes = base->sweep.z.present ? 3 : base->sweep.y.present ? 2 : 1;
    *out = *base;
    /* a config-file axis first: it replaces the base that the other axes then change */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < naxes; i++)
            if ((strcmp(ax[i]->key, AXIS_CONFIG) == 0) == (pass == 0) &&
                apply_one(ax[i], names[i], v[i], out, e) < 0)
                return -1;
    err e2;
    err_clear(&e2);
    if (config_validate(out, &e2) < 0) {
        char at[3 * (AXIS_KEY_MAX + AXIS_CAT_MAX + 8)] = "", val[AXIS_CAT_MAX + 8];
        size_t used = 0;
        for (int i = 0; i < naxes; i++) {
            value_text(ax[i], v[i], val, sizeof val);
            used += (size_t)snprintf(at + used, used < sizeof at ? sizeof at - used : 0,
                                     "%s%s = %s", i ? ", " : "", ax[i]->key, val);
        }
        return err_set(e, "sweep point %s: %s", at, e2.msg);
    }
    return 0;
}

/* ---- statistics ------------------------------------------------------------------------------ */

void sweep_clopper_pearson(unsigned x, unsigned n, double conf, double *lo, double *hi)
{
    double a = (1 - conf) / 2;
    if (n == 0) {
        *lo = *hi = NAN;
        return;
    }
    *lo = x == 0 ? 0.0 : gsl_cdf_beta_Pinv(a, x, (double)(n - x) + 1);
    *hi = x >= n ? 1.0 : gsl_cdf_beta_Pinv(1 - a, (double)x + 1, (double)(n - x));
}

void sweep_median_ci(double *v, size_t n, double conf, double *median, double *lo, double *hi)
{
    *median = *lo = *hi = NAN;
    if (n == 0)
        return;
    gsl_sort(v, 1, n);
    *median = n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
    /* P(X(l) <= m <= X(n+1-l)) = 1 - 2 P(B <= l-1), B ~ binomial(n, 1/2). */
    size_t best = 0;
    for (size_t l = 1; 2 * l <= n + 1; l++)
        if (1 - 2 * gsl_cdf_binomial_P((unsigned)(l - 1), 0.5, (unsigned)n) >= conf)
            best = l;
    if (best > 0) {
        *lo = v[best - 1];
        *hi = v[n - best];
    }
}

int sweep_majority(const unsigned *counts)
{
    /* from the best class to the worst: a later class wins a tie */
    static const int order[CLASS_COUNT] = {CLASS_STABLE, CLASS_UNRESOLVED, CLASS_METASTABLE,
                                           CLASS_OVERLOADED};
    int best = order[0];
    for (int i = 1; i < CLASS_COUNT; i++)
        if (counts[order[i]] >= counts[best])
            best = order[i];
    return best;
}
