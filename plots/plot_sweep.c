/* plot_sweep: reading a sweep for the stability charts, the elementary grid of its cells, the
 * 50 % contours, and plot_stability (plots, L4). Reads result CSV files through table.h only. */
#include "plot_sweep.h"

#include "contour.h"
#include "csv.h"
#include "plot_util.h"
#include "table.h"
#include "xmem.h"

#include <errno.h>
#include <gsl/gsl_sort_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double axis_t(double v, int log)
{
    return log ? log10(v) : v;
}

static double axis_inv(double u, int log)
{
    return log ? pow(10.0, u) : u;
}

static int near(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1, fmax(fabs(a), fabs(b)));
}

/* Sorted distinct values (within a relative tolerance) of v[0..n), NaNs dropped (before the
 * sort: NaN has no place in an order); returns the count. */
static size_t unique(double *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[k++] = v[i];
    gsl_sort(v, 1, k);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m > 0 && near(v[i], v[m - 1]))
            continue;
        v[m++] = v[i];
    }
    return m;
}

/* Index of the value nearest to x in the increasing v[0..n). */
static size_t nearest(const double *v, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    if (lo + 1 < n && fabs(v[lo + 1] - x) < fabs(v[lo] - x))
        lo++;
    return lo;
}

void sweep_value_label(double v, const char *const *cats, int n, char *buf, size_t len)
{
    long i = lround(v);
    if (cats && i >= 0 && i < n && cats[i])
        snprintf(buf, len, "%s", cats[i]);
    else
        snprintf(buf, len, "%g", v);
}

/* ---------------- elementary grid ---------------- */

void egrid_build(const sweep *sw, int zi, egrid *g)
{
    memset(g, 0, sizeof *g);
    size_t m = 0;
    double *ex = xmalloc((2 * sw->nr + 2) * sizeof *ex),
           *ey = xmalloc((2 * sw->nr + 2) * sizeof *ey);
    for (size_t r = 0; r < sw->nr; r++) {
        const sw_rect *c = &sw->r[r];
        if (sw->pt[c->pt].zi != zi)
            continue;
        ex[2 * m] = c->x0;
        ex[2 * m + 1] = c->x1;
        ey[2 * m] = c->y0;
        ey[2 * m + 1] = c->y1;
        m++;
    }
    size_t mx = unique(ex, 2 * m), my = unique(ey, 2 * m);
    if (mx < 2 || my < 2) {
        free(ex);
        free(ey);
        return;
    }
    g->nx = mx - 1;
    g->ny = my - 1;
    g->ex = ex;
    g->ey = ey;
    g->own = xmalloc(g->nx * g->ny * sizeof *g->own);
    for (size_t k = 0; k < g->nx * g->ny; k++)
        g->own[k] = -1;
    for (size_t r = 0; r < sw->nr; r++) {
        const sw_rect *c = &sw->r[r];
        if (sw->pt[c->pt].zi != zi)
            continue;
        size_t i0 = nearest(ex, mx, c->x0), i1 = nearest(ex, mx, c->x1);
        size_t j0 = nearest(ey, my, c->y0), j1 = nearest(ey, my, c->y1);
        for (size_t j = j0; j < j1; j++)
            for (size_t i = i0; i < i1; i++)
                g->own[j * g->nx + i] = (long)c->pt;
    }
}

void egrid_free(egrid *g)
{
    free(g->ex);
    free(g->ey);
    free(g->own);
    memset(g, 0, sizeof *g);
}

/* ---------------- contours ---------------- */

/* Joins segments sharing end points into polylines and strokes them. */
static void stroke_contours(const chart_panel *p, contour_seg *s, size_t n, int xlog, int ylog)
{
    cairo_t *cr = p->f->cr;
    char *used = xcalloc(n ? n : 1, 1);
    size_t *chain = xmalloc((2 * n + 2) * sizeof *chain);
    int *rev = xmalloc((2 * n + 2) * sizeof *rev);
    for (size_t i = 0; i < n; i++) {
        if (used[i])
            continue;
        used[i] = 1;
        /* grow forward from s[i] end, then backward from its start */
        size_t len = 0;
        chain[len] = i;
        rev[len++] = 0;
        for (int dir = 0; dir < 2; dir++) {
            for (;;) {
                size_t end = dir == 0 ? chain[len - 1] : chain[0];
                int r = dir == 0 ? rev[len - 1] : rev[0];
                double ex, ey;
                if ((dir == 0) != (r != 0)) {
                    ex = s[end].x1, ey = s[end].y1;
                } else {
                    ex = s[end].x0, ey = s[end].y0;
                }
                size_t found = n;
                int frev = 0;
                for (size_t j = 0; j < n && found == n; j++) {
                    if (used[j])
                        continue;
                    if (s[j].x0 == ex && s[j].y0 == ey)
                        found = j, frev = dir == 1;
                    else if (s[j].x1 == ex && s[j].y1 == ey)
                        found = j, frev = dir == 0;
                }
                if (found == n)
                    break;
                used[found] = 1;
                if (dir == 0) {
                    chain[len] = found;
                    rev[len++] = frev;
                } else {
                    memmove(chain + 1, chain, len * sizeof *chain);
                    memmove(rev + 1, rev, len * sizeof *rev);
                    chain[0] = found;
                    rev[0] = frev;
                    len++;
                }
            }
        }
        for (size_t k = 0; k < len; k++) {
            const contour_seg *g = &s[chain[k]];
            double ax = rev[k] ? g->x1 : g->x0, ay = rev[k] ? g->y1 : g->y0;
            double bx = rev[k] ? g->x0 : g->x1, by = rev[k] ? g->y0 : g->y1;
            double px = chart_px(p, axis_inv(ax, xlog)), py = chart_py(p, axis_inv(ay, ylog), 0);
            if (k == 0)
                cairo_move_to(cr, px, py);
            else
                cairo_line_to(cr, px, py);
            if (k == len - 1)
                cairo_line_to(cr, chart_px(p, axis_inv(bx, xlog)),
                              chart_py(p, axis_inv(by, ylog), 0));
        }
    }
    free(used);
    free(chain);
    free(rev);
}

int sweep_contour(const sweep *sw, const egrid *g, double (*v)(const sw_point *, int), int k,
                  double level, sw_contour *c)
{
    const plot_sweep_info *in = sw->info;
    memset(c, 0, sizeof *c);
    c->x_log = in->x_log;
    c->y_log = in->y_log;
    if (in->x_cats || in->y_cats || g->nx < 2 || g->ny < 2)
        return 0;
    size_t nx = g->nx, ny = g->ny;
    double *xs = xmalloc(nx * sizeof *xs), *ys = xmalloc(ny * sizeof *ys);
    for (size_t i = 0; i < nx; i++)
        xs[i] = (axis_t(g->ex[i], in->x_log) + axis_t(g->ex[i + 1], in->x_log)) / 2;
    for (size_t j = 0; j < ny; j++)
        ys[j] = (axis_t(g->ey[j], in->y_log) + axis_t(g->ey[j + 1], in->y_log)) / 2;
    double *z = xmalloc(nx * ny * sizeof *z);
    for (size_t i = 0; i < nx * ny; i++)
        z[i] = g->own[i] >= 0 ? v(&sw->pt[g->own[i]], k) : NAN;
    c->n = contour_lines(z, xs, ys, nx, ny, level, &c->seg);
    free(z);
    free(xs);
    free(ys);
    return c->n > 0;
}

void sw_contour_stroke(const chart_panel *p, const sw_contour *c, chart_style st, int casing)
{
    if (c->n == 0)
        return;
    cairo_t *cr = p->f->cr;
    chart_clip(p);
    cairo_save(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    stroke_contours(p, c->seg, c->n, c->x_log, c->y_log);
    if (casing) {
        cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
        cairo_set_line_width(cr, st.width + 2.2);
    } else {
        static const chart_dashes dashes = {{5, 3}, {0.1, 3}, {6, 2.5, 0.1, 2.5}};
        chart_set_dash(cr, st.dash, &dashes);
        chart_set_source(p->f, st.c, 1);
        cairo_set_line_width(cr, st.width);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
    chart_unclip(p);
}

void sw_contour_free(sw_contour *c)
{
    free(c->seg);
    memset(c, 0, sizeof *c);
}

chart_style sweep_overlay_style(int i)
{
    static const int dash[PLOT_OVERLAY_MAX] = {CHART_DASHED, CHART_DOTTED, CHART_DASHDOT,
                                               CHART_SOLID};
    int d = dash[i % PLOT_OVERLAY_MAX];
    chart_style s = {palette_okabe_ito(PAL_REDDISH_PURPLE), d == CHART_DOTTED ? 2.0 : 1.6, d, 0};
    return s;
}

/* ---------------- reading ---------------- */

static const char *const PCOL[PAL_CLASS_N][3] = {
    {"p_stable", "p_stable_lo", "p_stable_hi"},
    {"p_metastable", "p_metastable_lo", "p_metastable_hi"},
    {"p_overloaded", "p_overloaded_lo", "p_overloaded_hi"},
    {"p_unresolved", "p_unresolved_lo", "p_unresolved_hi"}};

static void read_points(sweep *sw, const table *t)
{
    sw->n = table_rows(t);
    sw->pt = xcalloc(sw->n ? sw->n : 1, sizeof *sw->pt);
    int cid = table_col(t, "point"), clev = table_col(t, "level"), cx = table_col(t, "x"),
        cy = table_col(t, "y"), cz = table_col(t, "z"), cmaj = table_col(t, "majority"),
        creps = table_col(t, "replications"), cnrec = table_col(t, "n_recovered"),
        cmed = table_col(t, "recovery_median"), clo = table_col(t, "recovery_lo"),
        chi = table_col(t, "recovery_hi"), cpw = table_col(t, "p_within_window"),
        cpwl = table_col(t, "p_within_window_lo"), cpwh = table_col(t, "p_within_window_hi");
    for (int k = 0; k < PAL_CLASS_N; k++)
        sw->cols[k] = table_col(t, PCOL[k][0]) >= 0;
    sw->has_window = cpw >= 0;
    sw->has_recovery = cmed >= 0;
    for (size_t i = 0; i < sw->n; i++) {
        sw_point *q = &sw->pt[i];
        q->id = cid >= 0 ? table_num(t, i, cid) : (double)i;
        q->level = table_num(t, i, clev);
        q->x = table_num(t, i, cx);
        q->y = table_num(t, i, cy);
        q->z = table_num(t, i, cz);
        for (int k = 0; k < PAL_CLASS_N; k++) {
            q->p[k] = table_num(t, i, table_col(t, PCOL[k][0]));
            q->lo[k] = table_num(t, i, table_col(t, PCOL[k][1]));
            q->hi[k] = table_num(t, i, table_col(t, PCOL[k][2]));
        }
        q->major = -1;
        for (int k = 0; k < PAL_CLASS_N; k++)
            if (strcmp(table_str(t, i, cmaj), palette_class_name(k)) == 0)
                q->major = k;
        q->reps = table_num(t, i, creps);
        q->n_rec = table_num(t, i, cnrec);
        q->rec_med = table_num(t, i, cmed);
        q->rec_lo = table_num(t, i, clo);
        q->rec_hi = table_num(t, i, chi);
        q->pw = table_num(t, i, cpw);
        q->pw_lo = table_num(t, i, cpwl);
        q->pw_hi = table_num(t, i, cpwh);
    }
}

static void add_rect(sweep *sw, size_t *cap, size_t pt, double x0, double x1, double y0, double y1)
{
    if (sw->nr == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        sw->r = xrealloc(sw->r, *cap * sizeof *sw->r);
    }
    sw_rect *r = &sw->r[sw->nr++];
    r->x0 = fmin(x0, x1);
    r->x1 = fmax(x0, x1);
    r->y0 = fmin(y0, y1);
    r->y1 = fmax(y0, y1);
    r->pt = pt;
}

static size_t point_index(const sweep *sw, double id)
{
    if (id >= 0 && id < (double)sw->n && sw->pt[(size_t)id].id == id)
        return (size_t)id;
    for (size_t i = 0; i < sw->n; i++)
        if (sw->pt[i].id == id)
            return i;
    return sw->n;
}

/* cells.csv: the partition. Returns 1 when read, 0 when absent, -1 on error. */
static int read_cells(sweep *sw, const char *path, int two_axis, err *e)
{
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return errno == ENOENT ? 0 : err_set(e, "%s: cannot open: %s", path, strerror(errno));
    fclose(probe);
    table *t = table_read(path, e);
    if (!t)
        return -1;
    int cp = table_col(t, "point"), cxl = table_col(t, "x_lo"), cxh = table_col(t, "x_hi"),
        cyl = table_col(t, "y_lo"), cyh = table_col(t, "y_hi");
    if (cp < 0 || cxl < 0 || cxh < 0) {
        table_free(t);
        return err_set(e, "%s: expected columns point, x_lo, x_hi, y_lo, y_hi", path);
    }
    size_t cap = 0;
    int rc = 1;
    for (size_t i = 0; i < table_rows(t) && rc == 1; i++) {
        double id = table_num(t, i, cp);
        size_t k = point_index(sw, id);
        double x0 = table_num(t, i, cxl), x1 = table_num(t, i, cxh);
        double y0 = two_axis ? table_num(t, i, cyl) : 0, y1 = two_axis ? table_num(t, i, cyh) : 1;
        if (k == sw->n)
            rc = err_set(e, "%s: row %zu: point %g is not in regions.csv", path, i + 2, id);
        else if (isnan(x0 + x1 + y0 + y1))
            rc = err_set(e, "%s: row %zu: a cell needs x_lo, x_hi%s", path, i + 2,
                         two_axis ? ", y_lo, y_hi" : "");
        else
            add_rect(sw, &cap, k, x0, x1, y0, y1);
    }
    table_free(t);
    return rc;
}

typedef struct ordered {
    double level;
    size_t seq;
    sw_rect r;
} ordered;

static int cmp_ordered(const void *a, const void *b)
{
    const ordered *u = a, *v = b;
    double la = isnan(u->level) ? 0 : u->level, lb = isnan(v->level) ? 0 : v->level;
    if (la != lb)
        return (la > lb) - (la < lb);
    return (u->seq > v->seq) - (u->seq < v->seq);
}

/* Older sweeps: x_lo..y_hi in regions.csv, refined (higher level) cells painted over coarser
 * ones. Returns 1 when every point has its cell. */
static int old_cells(sweep *sw, const table *t, int two_axis)
{
    int cxl = table_col(t, "x_lo"), cxh = table_col(t, "x_hi"), cyl = table_col(t, "y_lo"),
        cyh = table_col(t, "y_hi");
    if (cxl < 0 || cxh < 0 || (two_axis && (cyl < 0 || cyh < 0)))
        return 0;
    ordered *o = xmalloc((sw->n ? sw->n : 1) * sizeof *o);
    for (size_t i = 0; i < sw->n; i++) {
        double x0 = table_num(t, i, cxl), x1 = table_num(t, i, cxh);
        double y0 = two_axis ? table_num(t, i, cyl) : 0, y1 = two_axis ? table_num(t, i, cyh) : 1;
        if (isnan(x0 + x1 + y0 + y1)) {
            free(o);
            return 0;
        }
        o[i].level = sw->pt[i].level;
        o[i].seq = i;
        o[i].r = (sw_rect){fmin(x0, x1), fmax(x0, x1), fmin(y0, y1), fmax(y0, y1), i};
    }
    qsort(o, sw->n, sizeof *o, cmp_ordered);
    size_t cap = 0;
    for (size_t i = 0; i < sw->n; i++)
        add_rect(sw, &cap, o[i].r.pt, o[i].r.x0, o[i].r.x1, o[i].r.y0, o[i].r.y1);
    free(o);
    return 1;
}

/* Cell edges halfway between distinct grid values (in the axis' own scale), the outer ones as
 * far out as the first inner one. */
static void mid_edges(const double *v, size_t n, int log, int cats, double x, double *a, double *b)
{
    size_t i = nearest(v, n, x);
    if (cats) {
        *a = x - 0.5;
        *b = x + 0.5;
        return;
    }
    double u = axis_t(v[i], log);
    double left = i > 0 ? (u + axis_t(v[i - 1], log)) / 2 : NAN;
    double right = i + 1 < n ? (u + axis_t(v[i + 1], log)) / 2 : NAN;
    if (isnan(left) && isnan(right)) {
        left = u - (log ? 0.1 : fmax(0.5, 0.1 * fabs(u)));
        right = u + (log ? 0.1 : fmax(0.5, 0.1 * fabs(u)));
    } else if (isnan(left)) {
        left = 2 * u - right;
    } else if (isnan(right)) {
        right = 2 * u - left;
    }
    *a = axis_inv(left, log);
    *b = axis_inv(right, log);
}

/* Cells around the grid points of the first level only (refined points between them would cut
 * the grid into slivers). */
static void derived_cells(sweep *sw, int two_axis)
{
    const plot_sweep_info *in = sw->info;
    double *xs = xmalloc((sw->n ? sw->n : 1) * sizeof *xs);
    double *ys = xmalloc((sw->n ? sw->n : 1) * sizeof *ys);
    size_t m = 0;
    for (size_t i = 0; i < sw->n; i++)
        if (!(sw->pt[i].level > 0)) {
            xs[m] = sw->pt[i].x;
            ys[m++] = sw->pt[i].y;
        }
    size_t nx = unique(xs, m), ny = two_axis ? unique(ys, m) : 0;
    size_t cap = 0;
    for (size_t i = 0; i < sw->n && nx > 0; i++) {
        if (sw->pt[i].level > 0)
            continue;
        double x0, x1, y0 = 0, y1 = 1;
        mid_edges(xs, nx, in->x_log, in->x_cats != NULL, sw->pt[i].x, &x0, &x1);
        if (two_axis && ny > 0)
            mid_edges(ys, ny, in->y_log, in->y_cats != NULL, sw->pt[i].y, &y0, &y1);
        add_rect(sw, &cap, i, x0, x1, y0, y1);
    }
    free(xs);
    free(ys);
}

static void sweep_free(sweep *sw)
{
    for (int i = 0; i < sw->nov; i++) {
        sweep_free(&sw->ov[i]);
        free(sw->ov_label[i]);
    }
    free(sw->ov);
    free(sw->pt);
    free(sw->r);
    free(sw->zv);
}

static int cmp_point_x(const void *a, const void *b)
{
    const sw_point *u = a, *v = b;
    return (u->x > v->x) - (u->x < v->x);
}

int sweep_panel(const sweep *sw, double z)
{
    if (!sw->has_z)
        return 0;
    if (isnan(z))
        return -1;
    size_t i = nearest(sw->zv, (size_t)sw->nz, z);
    return near(sw->zv[i], z) ? (int)i : -1;
}

/* Reads regions_csv and its cells into sw with the axes of info (NULL: plain numeric axes).
 * Returns 0, or -1 with e naming the file; sweep_free releases sw either way. */
static int sweep_load(sweep *sw, const char *regions_csv, const plot_sweep_info *info, err *e)
{
    memset(sw, 0, sizeof *sw);
    if (info)
        sw->in = *info;
    sw->info = &sw->in;
    plot_sweep_info *in = &sw->in;
    table *t = table_read(regions_csv, e);
    if (!t)
        return -1;
    if (table_col(t, "x") < 0) {
        table_free(t);
        return err_set(e, "%s: no column 'x'", regions_csv);
    }
    if (in->nx_cats <= 0) /* labels without a count: a numeric axis */
        in->x_cats = NULL;
    if (in->ny_cats <= 0)
        in->y_cats = NULL;
    if (in->nz_cats <= 0)
        in->z_cats = NULL;
    read_points(sw, t);
    int two_axis = 0, has_z = 0, rc = 0;
    for (size_t i = 0; i < sw->n; i++) {
        two_axis |= !isnan(sw->pt[i].y);
        has_z |= !isnan(sw->pt[i].z);
    }
    if (!two_axis && has_z) {
        /* x and z swept without y: draw z as the map's y axis */
        for (size_t i = 0; i < sw->n; i++) {
            sw->pt[i].y = sw->pt[i].z;
            sw->pt[i].z = NAN;
        }
        in->y_label = in->z_label;
        in->y_cats = in->z_cats;
        in->ny_cats = in->nz_cats;
        in->y_log = 0;
        in->z_label = NULL;
        in->z_cats = NULL;
        in->nz_cats = 0;
        two_axis = 1;
        has_z = 0;
    }
    sw->two_axis = two_axis;
    sw->has_z = has_z;
    for (size_t i = 0; i < sw->n && rc == 0; i++) {
        const sw_point *q = &sw->pt[i];
        if (isnan(q->x))
            rc = err_set(e, "%s: row %zu: empty x", regions_csv, i + 2);
        else if (two_axis && isnan(q->y))
            rc = err_set(e, "%s: row %zu: a 2-axis sweep needs y", regions_csv, i + 2);
        else if (in->x_log && !in->x_cats && !(q->x > 0))
            rc = err_set(e, "%s: row %zu: log x axis needs positive x, x_lo, x_hi", regions_csv,
                         i + 2);
        else if (two_axis && in->y_log && !in->y_cats && !(q->y > 0))
            rc = err_set(e, "%s: row %zu: log y axis needs positive y, y_lo, y_hi", regions_csv,
                         i + 2);
    }
    /* panels: the distinct z values */
    sw->zv = xmalloc((sw->n + 1) * sizeof *sw->zv);
    for (size_t i = 0; i < sw->n; i++)
        sw->zv[i] = sw->pt[i].z;
    sw->nz = has_z ? (int)unique(sw->zv, sw->n) : 0;
    if (sw->nz == 0) {
        sw->nz = 1;
        sw->zv[0] = NAN;
    }
    for (size_t i = 0; i < sw->n; i++)
        sw->pt[i].zi =
            has_z ? (isnan(sw->pt[i].z) ? -1 : (int)nearest(sw->zv, (size_t)sw->nz, sw->pt[i].z))
                  : 0;
    /* cells: cells.csv, else the old columns, else halfway between grid values */
    if (rc == 0) {
        char *cells =
            in->cells_csv ? xstrdup(in->cells_csv) : plot_sibling(regions_csv, "cells.csv");
        int got = read_cells(sw, cells, two_axis, e);
        free(cells);
        if (got < 0)
            rc = -1;
        else if (got == 0 && !old_cells(sw, t, two_axis))
            derived_cells(sw, two_axis);
    }
    table_free(t);
    /* categorical axes: one band per category whatever the cells say */
    for (size_t r = 0; r < sw->nr && rc == 0; r++) {
        sw_rect *c = &sw->r[r];
        const sw_point *q = &sw->pt[c->pt];
        if (in->x_cats) {
            c->x0 = round(q->x) - 0.5;
            c->x1 = round(q->x) + 0.5;
        }
        if (two_axis && in->y_cats) {
            c->y0 = round(q->y) - 0.5;
            c->y1 = round(q->y) + 0.5;
        }
        if (in->x_log && !in->x_cats && !(c->x0 > 0))
            rc = err_set(e, "%s: point %g: log x axis needs positive x, x_lo, x_hi", regions_csv,
                         q->id);
        else if (two_axis && in->y_log && !in->y_cats && !(c->y0 > 0))
            rc = err_set(e, "%s: point %g: log y axis needs positive y, y_lo, y_hi", regions_csv,
                         q->id);
    }
    sw->x_lo = sw->y_lo = INFINITY;
    sw->x_hi = sw->y_hi = -INFINITY;
    for (size_t r = 0; r < sw->nr; r++) {
        sw->x_lo = fmin(sw->x_lo, sw->r[r].x0);
        sw->x_hi = fmax(sw->x_hi, sw->r[r].x1);
        sw->y_lo = fmin(sw->y_lo, sw->r[r].y0);
        sw->y_hi = fmax(sw->y_hi, sw->r[r].y1);
    }
    if (!two_axis) {
        /* the one-axis chart draws the points by x (the rectangles index them: dropped) */
        sw->nr = 0;
        qsort(sw->pt, sw->n, sizeof *sw->pt, cmp_point_x);
    }
    return rc;
}

static int within(double v, double lo, double hi)
{
    return (v >= lo && v <= hi) || near(v, lo) || near(v, hi);
}

static const char *axes_name(const sweep *sw)
{
    return sw->has_z ? "x, y and z" : sw->two_axis ? "x and y" : "x alone";
}

/* Overlay o, read from path, fits sw's chart: swept over as many axes, every point inside the
 * range of sw's cells and at the z of one of its panels. */
static int overlay_fits(const sweep *sw, const sweep *o, const char *path, err *e)
{
    if (o->two_axis != sw->two_axis || o->has_z != sw->has_z)
        return err_set(e, "overlay %s: a sweep over %s, the chart's over %s: not the same axes",
                       path, axes_name(o), axes_name(sw));
    if (!(sw->x_lo <= sw->x_hi)) /* nothing drawn: no range to hold it to */
        return 0;
    for (size_t i = 0; i < o->n; i++) {
        const sw_point *q = &o->pt[i];
        if (!within(q->x, sw->x_lo, sw->x_hi) ||
            (sw->two_axis && !within(q->y, sw->y_lo, sw->y_hi))) {
            char at[80], range[128];
            if (sw->two_axis) {
                snprintf(at, sizeof at, "x = %g, y = %g", q->x, q->y);
                snprintf(range, sizeof range, "x %g..%g, y %g..%g", sw->x_lo, sw->x_hi, sw->y_lo,
                         sw->y_hi);
            } else {
                snprintf(at, sizeof at, "x = %g", q->x);
                snprintf(range, sizeof range, "x %g..%g", sw->x_lo, sw->x_hi);
            }
            return err_set(e,
                           "overlay %s: point %g (%s) lies outside the chart's range (%s): not a "
                           "sweep over the same axes",
                           path, q->id, at, range);
        }
        if (sweep_panel(sw, q->z) < 0)
            return err_set(e, "overlay %s: point %g: no panel of the chart has z = %g", path, q->id,
                           q->z);
    }
    return 0;
}

/* The name of the directory that holds path ("a/b/regions.csv": "b"), else path. */
static char *dir_name(const char *path)
{
    char *dir = plot_sibling(path, "");
    char *base = path_base(dir);
    free(dir);
    if (*base == '\0') {
        free(base);
        return xstrdup(path);
    }
    return base;
}

/* info's overlays, each read as sw was (its cells.csv beside it) and fitted to sw's chart. */
static int load_overlays(sweep *sw, const plot_sweep_info *info, err *e)
{
    int n = info ? info->n_overlays : 0;
    if (n <= 0)
        return 0;
    if (n > PLOT_OVERLAY_MAX || !info->overlay_csvs)
        return err_set(e, "%d overlays: expected 1 to %d regions.csv files", n, PLOT_OVERLAY_MAX);
    if (sw->in.x_cats || sw->in.y_cats)
        return err_set(e, "overlay %s: a categorical axis has no boundary to draw",
                       info->overlay_csvs[0] ? info->overlay_csvs[0] : "(none)");
    plot_sweep_info oi = *info;
    oi.cells_csv = NULL;
    oi.overlay_csvs = NULL;
    oi.overlay_labels = NULL;
    oi.n_overlays = 0;
    sw->ov = xcalloc((size_t)n, sizeof *sw->ov);
    for (int i = 0; i < n; i++) {
        const char *path = info->overlay_csvs[i];
        const char *label = info->overlay_labels ? info->overlay_labels[i] : NULL;
        if (!path)
            return err_set(e, "overlay %d of %d: no file given", i + 1, n);
        sw->nov = i + 1;
        sw->ov_label[i] = label ? xstrdup(label) : dir_name(path);
        err oe;
        err_clear(&oe);
        if (sweep_load(&sw->ov[i], path, &oi, &oe) != 0)
            return err_set(e, "overlay %s", oe.msg);
        if (overlay_fits(sw, &sw->ov[i], path, e) != 0)
            return -1;
    }
    return 0;
}

int plot_stability(const char *regions_csv, const char *out_base, unsigned formats,
                   const plot_sweep_info *info, err *e)
{
    sweep sw;
    int rc = sweep_load(&sw, regions_csv, info, e);
    if (rc == 0)
        rc = load_overlays(&sw, info, e);
    if (rc == 0) {
        const plot_sweep_info *in = sw.info;
        double w, h;
        if (sw.two_axis) {
            plot_size(in->width_pt, in->height_pt, PLOT_MAP_W, PLOT_MAP_H, &w, &h);
            if (h <= 0 || (sw.nz > 1 && in->height_pt <= 0))
                h = map_height(&sw, w);
            rc = chart_render(out_base, formats, w, h, in->title, in->subtitle, draw_map, &sw, e);
        } else {
            plot_size(in->width_pt, in->height_pt, PLOT_SWEEP1_W, PLOT_SWEEP1_H, &w, &h);
            if (h <= 0)
                h = sweep1_height(&sw, w);
            rc =
                chart_render(out_base, formats, w, h, in->title, in->subtitle, draw_sweep1, &sw, e);
        }
    }
    sweep_free(&sw);
    return rc;
}
