/* plot: the stability charts on the chart layer (L4): stability map, one-axis class
 * probabilities (the dashboard is in plot_dash.c). Reads result CSV files through table.h only. */
#include "plot.h"

#include "chart.h"
#include "contour.h"
#include "palette.h"
#include "table.h"
#include "xmem.h"

#include <gsl/gsl_sort_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FONT_TITLE 13.0
#define FONT_SUBTITLE 9.5
#define FONT_PANEL 9.5
#define FONT_TICK 8.0
#define FONT_LEGEND 8.0
#define MARGIN_L 72.0
#define MARGIN_R 72.0

static const rgb WHITE = {1, 1, 1};
static const rgb INK = {0.1, 0.1, 0.1};

static void figure_titles(chart_fig *f, const char *title, const char *subtitle)
{
    cairo_set_source_rgb(f->cr, 0, 0, 0);
    chart_text(f, MARGIN_L, 16, title ? title : "", FONT_TITLE, 1, 0, 0, 0, 1);
    if (subtitle && *subtitle) {
        cairo_set_source_rgb(f->cr, 0.3, 0.3, 0.3);
        chart_text(f, MARGIN_L, 36, subtitle, FONT_SUBTITLE, 0, 0, 0, 0, 1);
    }
}

/* A [0, 1] axis with a little room beyond both ends so lines at 0 or 1 are not clipped. */
static void unit_axis(chart_fig *f, chart_axis *a, double length)
{
    chart_axis_fit(f, a, 0, 1, 0, 0, 6, length, 0, FONT_TICK);
    a->lo = -0.03;
    a->hi = 1.03;
}

/* ---------------- stability ---------------- */

typedef struct cell {
    double x, y, x_lo, x_hi, y_lo, y_hi;
    double p[PAL_CLASS_N], lo[PAL_CLASS_N], hi[PAL_CLASS_N];
    int major; /* -1: unknown */
} cell;

typedef struct sweep {
    const plot_sweep_info *info;
    size_t n;
    cell *c;
} sweep;

static double axis_t(double v, int log)
{
    return log ? log10(v) : v;
}

static double axis_inv(double u, int log)
{
    return log ? pow(10.0, u) : u;
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
        if (m > 0 && fabs(v[i] - v[m - 1]) <= 1e-9 * fmax(1, fabs(v[i])))
            continue;
        v[m++] = v[i];
    }
    return m;
}

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

static const int CONTOUR_DASH[PAL_CLASS_N] = {CHART_SOLID, CHART_DASHED, CHART_DOTTED};

/* 50 % contours of each class on the finest grid: refined cells are resampled onto the grid
 * of all distinct cell edges (in axis coordinates, so log axes give straight interpolation). */
static void draw_contours(const chart_panel *p, const sweep *sw)
{
    const plot_sweep_info *in = sw->info;
    size_t n = sw->n;
    double *ex = xmalloc(2 * n * sizeof *ex), *ey = xmalloc(2 * n * sizeof *ey);
    for (size_t i = 0; i < n; i++) {
        ex[2 * i] = axis_t(sw->c[i].x_lo, in->x_log);
        ex[2 * i + 1] = axis_t(sw->c[i].x_hi, in->x_log);
        ey[2 * i] = axis_t(sw->c[i].y_lo, in->y_log);
        ey[2 * i + 1] = axis_t(sw->c[i].y_hi, in->y_log);
    }
    size_t mx = unique(ex, 2 * n), my = unique(ey, 2 * n);
    if (mx < 3 || my < 3) {
        free(ex);
        free(ey);
        return;
    }
    size_t nx = mx - 1, ny = my - 1;
    double *xs = xmalloc(nx * sizeof *xs), *ys = xmalloc(ny * sizeof *ys);
    for (size_t i = 0; i < nx; i++)
        xs[i] = (ex[i] + ex[i + 1]) / 2;
    for (size_t j = 0; j < ny; j++)
        ys[j] = (ey[j] + ey[j + 1]) / 2;
    double *z = xmalloc(PAL_CLASS_N * nx * ny * sizeof *z);
    for (size_t k = 0; k < PAL_CLASS_N * nx * ny; k++)
        z[k] = NAN;
    for (size_t r = 0; r < n; r++) {
        const cell *c = &sw->c[r];
        double x0 = axis_t(c->x_lo, in->x_log), x1 = axis_t(c->x_hi, in->x_log);
        double y0 = axis_t(c->y_lo, in->y_log), y1 = axis_t(c->y_hi, in->y_log);
        for (size_t j = 0; j < ny; j++) {
            if (!(ys[j] > fmin(y0, y1) && ys[j] < fmax(y0, y1)))
                continue;
            for (size_t i = 0; i < nx; i++)
                if (xs[i] > fmin(x0, x1) && xs[i] < fmax(x0, x1))
                    for (int k = 0; k < PAL_CLASS_N; k++)
                        z[(k * ny + j) * nx + i] = c->p[k];
        }
    }
    cairo_t *cr = p->f->cr;
    chart_clip(p);
    for (int k = 0; k < PAL_CLASS_N; k++) {
        contour_seg *segs;
        size_t ns = contour_lines(z + k * ny * nx, xs, ys, nx, ny, 0.5, &segs);
        if (ns == 0)
            continue;
        cairo_save(cr);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        /* white casing keeps the line visible on every cell colour */
        stroke_contours(p, segs, ns, in->x_log, in->y_log);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
        cairo_set_line_width(cr, 3.6);
        cairo_stroke_preserve(cr);
        double dashed[] = {5, 3}, dotted[] = {0.1, 3};
        if (CONTOUR_DASH[k] == CHART_DASHED)
            cairo_set_dash(cr, dashed, 2, 0);
        else if (CONTOUR_DASH[k] == CHART_DOTTED)
            cairo_set_dash(cr, dotted, 2, 0);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, CONTOUR_DASH[k] == CHART_DOTTED ? 2.0 : 1.4);
        cairo_stroke(cr);
        cairo_restore(cr);
        free(segs);
    }
    chart_unclip(p);
    free(z);
    free(xs);
    free(ys);
    free(ex);
    free(ey);
}

/* The shade of a cell: the class colour, blended toward white as its probability falls from 1
 * to 1/3 (the least a majority can have), keeping 25 % of the hue at 1/3. */
static rgb cell_colour(int cls, double p)
{
    double t = (p - 1.0 / 3) / (2.0 / 3);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return palette_mix(WHITE, palette_class(cls), 0.25 + 0.75 * t);
}

/* Texture per class so the classes stay apart in greyscale print, where a pale stable cell
 * and a mid-grey overloaded one can have the same lightness: none for stable, dark "/" lines
 * for metastable, light "\\" lines for overloaded. */
static void hatch_class(chart_fig *f, const chart_panel *p, int cls)
{
    /* lines over the whole panel, clipped to the current path: neighbouring cells share one
     * continuous pattern */
    cairo_t *cr = f->cr;
    if (cls == PAL_CLASS_STABLE) {
        cairo_new_path(cr);
        return;
    }
    cairo_clip(cr);
    if (cls == PAL_CLASS_METASTABLE)
        cairo_set_source_rgba(cr, 0.35, 0.2, 0, 0.45);
    else
        cairo_set_source_rgba(cr, 1, 1, 1, 0.4);
    cairo_set_line_width(cr, 0.6);
    double d = cls == PAL_CLASS_METASTABLE ? 1 : -1;
    for (double u = -p->h; u < p->w + p->h; u += 5) {
        cairo_move_to(cr, p->x + u, d > 0 ? p->y + p->h : p->y);
        cairo_line_to(cr, p->x + u + p->h, d > 0 ? p->y : p->y + p->h);
    }
    cairo_stroke(cr);
}

static void draw_map(chart_fig *f, void *ctx)
{
    const sweep *sw = ctx;
    const plot_sweep_info *in = sw->info;
    figure_titles(f, in->title ? in->title : "stability map", in->subtitle);
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t i = 0; i < sw->n; i++) {
        xlo = fmin(xlo, fmin(sw->c[i].x_lo, sw->c[i].x_hi));
        xhi = fmax(xhi, fmax(sw->c[i].x_lo, sw->c[i].x_hi));
        ylo = fmin(ylo, fmin(sw->c[i].y_lo, sw->c[i].y_hi));
        yhi = fmax(yhi, fmax(sw->c[i].y_lo, sw->c[i].y_hi));
    }
    chart_panel p = {
        .f = f, .x = MARGIN_L, .y = 62, .w = f->w - MARGIN_L - 170, .h = f->h - 62 - 50};
    chart_axis_fit(f, &p.xa, xlo, xhi, in->x_log, 0, 8, p.w, 1, FONT_TICK);
    chart_axis_fit(f, &p.ya, ylo, yhi, in->y_log, 0, 8, p.h, 0, FONT_TICK);
    cairo_t *cr = f->cr;
    cairo_set_source_rgb(cr, 0.94, 0.94, 0.94); /* "no data" */
    cairo_rectangle(cr, p.x, p.y, p.w, p.h);
    cairo_fill(cr);
    for (size_t i = 0; i < sw->n; i++) {
        const cell *c = &sw->c[i];
        if (c->major >= 0)
            chart_rect(&p, c->x_lo, c->x_hi, c->y_lo, c->y_hi,
                       cell_colour(c->major, c->p[c->major]));
    }
    for (int k = PAL_CLASS_METASTABLE; k < PAL_CLASS_N; k++) {
        cairo_save(cr);
        int any = 0;
        for (size_t i = 0; i < sw->n; i++) {
            const cell *c = &sw->c[i];
            if (c->major != k)
                continue;
            double a = chart_px(&p, c->x_lo), b = chart_px(&p, c->x_hi);
            double u = chart_py(&p, c->y_lo, 0), v = chart_py(&p, c->y_hi, 0);
            cairo_rectangle(cr, fmin(a, b), fmin(u, v), fabs(b - a), fabs(v - u));
            any = 1;
        }
        if (any)
            hatch_class(f, &p, k);
        cairo_new_path(cr);
        cairo_restore(cr);
    }
    /* thin white cell edges show the refinement */
    cairo_save(cr);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
    cairo_set_line_width(cr, 0.5);
    for (size_t i = 0; i < sw->n; i++) {
        const cell *c = &sw->c[i];
        double a = chart_px(&p, c->x_lo), b = chart_px(&p, c->x_hi);
        double u = chart_py(&p, c->y_lo, 0), v = chart_py(&p, c->y_hi, 0);
        if (!isnan(a + b + u + v))
            cairo_rectangle(cr, fmin(a, b), fmin(u, v), fabs(b - a), fabs(v - u));
    }
    cairo_stroke(cr);
    cairo_restore(cr);
    draw_contours(&p, sw);
    chart_axes(&p, in->x_label ? in->x_label : "x", in->y_label ? in->y_label : "y", INK, NULL,
               INK);

    /* key: one colour bar per class over the majority probability 1/3..1, then the contours */
    double kx = p.x + p.w + 22, kw = f->w - kx - 18, ky = p.y;
    cairo_set_source_rgb(cr, 0, 0, 0);
    chart_text(f, kx, ky, "majority class", FONT_PANEL, 1, 0, 0, 0, 1);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    chart_text(f, kx, ky + 13, "shade: its probability", FONT_LEGEND, 0, 0, 0, 0, 1);
    ky += 30;
    for (int k = 0; k < PAL_CLASS_N; k++) {
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        chart_text(f, kx, ky, palette_class_name(k), FONT_LEGEND, 0, 0, 0, 0, 1);
        ky += 10;
        const int steps = 48;
        for (int s = 0; s < steps; s++) {
            double pr = 1.0 / 3 + (2.0 / 3) * (s + 0.5) / steps;
            chart_set_source(f, cell_colour(k, pr), 1);
            cairo_rectangle(cr, kx + kw * s / steps, ky, kw / steps + 0.3, 10);
            cairo_fill(cr);
        }
        cairo_save(cr);
        cairo_rectangle(cr, kx, ky, kw, 10);
        chart_panel kp = p;
        kp.x = kx, kp.y = ky, kp.w = kw, kp.h = 10;
        hatch_class(f, &kp, k);
        cairo_restore(cr);
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        cairo_set_line_width(cr, 0.5);
        cairo_rectangle(cr, kx, ky, kw, 10);
        cairo_stroke(cr);
        ky += 16;
    }
    /* probability scale under the bars */
    static const struct {
        double p;
        const char *s;
    } pt[] = {{1.0 / 3, "1/3"}, {0.5, "0.5"}, {0.75, "0.75"}, {1, "1"}};
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    for (size_t i = 0; i < sizeof pt / sizeof pt[0]; i++) {
        double x = kx + kw * (pt[i].p - 1.0 / 3) / (2.0 / 3);
        cairo_move_to(cr, x, ky - 6);
        cairo_line_to(cr, x, ky - 2);
        cairo_stroke(cr);
        chart_text(f, x, ky, pt[i].s, FONT_TICK, 0, i == 0 ? 0.2 : i == 3 ? 0.8 : 0.5, 0, 0, 0);
    }
    ky += 28;
    cairo_set_source_rgb(cr, 0, 0, 0);
    chart_text(f, kx, ky, "50 % contours", FONT_PANEL, 1, 0, 0, 0, 1);
    ky += 14;
    chart_key keys[PAL_CLASS_N];
    static const char *klabel[PAL_CLASS_N] = {"P(stable)", "P(metastable)", "P(overloaded)"};
    for (int k = 0; k < PAL_CLASS_N; k++) {
        keys[k].label = klabel[k];
        keys[k].s =
            (chart_style){INK, CONTOUR_DASH[k] == CHART_DOTTED ? 2.0 : 1.4, CONTOUR_DASH[k], 0};
        keys[k].kind = CHART_KEY_LINE;
    }
    ky = chart_legend_col(f, kx, ky, keys, PAL_CLASS_N, FONT_LEGEND);
    ky += 16;
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    chart_text(f, kx, ky, "white edges: grid cells", FONT_LEGEND, 0, 0, 0, 0, 1);
    chart_text(f, kx, ky + 12, "(smaller = refined)", FONT_LEGEND, 0, 0, 0, 0, 1);
}

static int cmp_cell_x(const void *a, const void *b)
{
    double x = ((const cell *)a)->x, y = ((const cell *)b)->x;
    return (x > y) - (x < y);
}

static void draw_sweep1(chart_fig *f, void *ctx)
{
    const sweep *sw = ctx;
    const plot_sweep_info *in = sw->info;
    figure_titles(f, in->title ? in->title : "class probabilities", in->subtitle);
    size_t n = sw->n;
    double *x = xmalloc((n ? n : 1) * sizeof *x);
    double *v = xmalloc(3 * (n ? n : 1) * sizeof *v), *lo = v + n, *hi = v + 2 * n;
    double xlo = INFINITY, xhi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        x[i] = sw->c[i].x;
        double a = isnan(sw->c[i].x_lo) ? x[i] : sw->c[i].x_lo;
        double b = isnan(sw->c[i].x_hi) ? x[i] : sw->c[i].x_hi;
        xlo = fmin(xlo, fmin(a, x[i]));
        xhi = fmax(xhi, fmax(b, x[i]));
    }
    chart_panel p = {
        .f = f, .x = MARGIN_L, .y = 74, .w = f->w - MARGIN_L - 30, .h = f->h - 74 - 52};
    chart_axis_fit(f, &p.xa, xlo, xhi, in->x_log, 0, 8, p.w, 1, FONT_TICK);
    unit_axis(f, &p.ya, p.h);
    chart_grid(&p, 1, 1);
    chart_key keys[PAL_CLASS_N + 1];
    static const int mdash[PAL_CLASS_N] = {CHART_SOLID, CHART_DASHED, CHART_DASHDOT};
    for (int k = 0; k < PAL_CLASS_N; k++) {
        for (size_t i = 0; i < n; i++) {
            v[i] = sw->c[i].p[k];
            lo[i] = sw->c[i].lo[k];
            hi[i] = sw->c[i].hi[k];
        }
        chart_style band = {palette_class(k), 0, CHART_SOLID, 0.16};
        chart_band(&p, x, lo, hi, n, band);
    }
    for (int k = 0; k < PAL_CLASS_N; k++) {
        for (size_t i = 0; i < n; i++)
            v[i] = sw->c[i].p[k];
        chart_style line = {palette_class(k), 1.8, mdash[k], 0};
        chart_line(&p, x, v, n, 0, line, 0);
        chart_style mk = {palette_class(k), 1.2, CHART_SOLID, 0};
        chart_markers(&p, x, v, n, mk, 2.4);
        keys[k].label = palette_class_name(k);
        keys[k].s = line;
        keys[k].kind = CHART_KEY_BAND;
    }
    chart_axes(&p, in->x_label ? in->x_label : "x", "probability of class", INK, NULL, INK);
    cairo_set_source_rgb(f->cr, 0.3, 0.3, 0.3);
    chart_text(f, p.x, p.y - 10, "lines: estimated probability; bands: 95 % Clopper-Pearson",
               FONT_LEGEND, 0, 0, 0.5, 0, 1);
    chart_legend_row(f, p.x + p.w, p.y - 10, keys, PAL_CLASS_N, FONT_LEGEND);
    free(x);
    free(v);
}

int plot_stability(const char *regions_csv, const char *out_base, unsigned formats,
                   const plot_sweep_info *info, err *e)
{
    static const plot_sweep_info none = {NULL, NULL, NULL, NULL, 0, 0};
    static const char *need[] = {"x",
                                 "p_stable",
                                 "p_metastable",
                                 "p_overloaded",
                                 "majority",
                                 "p_stable_lo",
                                 "p_stable_hi",
                                 "p_metastable_lo",
                                 "p_metastable_hi",
                                 "p_overloaded_lo",
                                 "p_overloaded_hi"};
    table *t = table_read(regions_csv, e);
    if (!t)
        return -1;
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (table_col(t, need[i]) < 0) {
            table_free(t);
            return err_set(e, "%s: no column '%s'", regions_csv, need[i]);
        }
    sweep sw = {0};
    sw.info = info ? info : &none;
    sw.n = table_rows(t);
    sw.c = xcalloc(sw.n ? sw.n : 1, sizeof *sw.c);
    static const char *pc[PAL_CLASS_N][3] = {
        {"p_stable", "p_stable_lo", "p_stable_hi"},
        {"p_metastable", "p_metastable_lo", "p_metastable_hi"},
        {"p_overloaded", "p_overloaded_lo", "p_overloaded_hi"}};
    int cx = table_col(t, "x"), cy = table_col(t, "y"), cmaj = table_col(t, "majority");
    int cxl = table_col(t, "x_lo"), cxh = table_col(t, "x_hi");
    int cyl = table_col(t, "y_lo"), cyh = table_col(t, "y_hi");
    int two_axis = 0, rc = 0;
    for (size_t i = 0; i < sw.n && rc == 0; i++) {
        cell *c = &sw.c[i];
        c->x = table_num(t, i, cx);
        c->y = table_num(t, i, cy);
        c->x_lo = table_num(t, i, cxl);
        c->x_hi = table_num(t, i, cxh);
        c->y_lo = table_num(t, i, cyl);
        c->y_hi = table_num(t, i, cyh);
        for (int k = 0; k < PAL_CLASS_N; k++) {
            c->p[k] = table_num(t, i, table_col(t, pc[k][0]));
            c->lo[k] = table_num(t, i, table_col(t, pc[k][1]));
            c->hi[k] = table_num(t, i, table_col(t, pc[k][2]));
        }
        c->major = -1;
        for (int k = 0; k < PAL_CLASS_N; k++)
            if (strcmp(table_str(t, i, cmaj), palette_class_name(k)) == 0)
                c->major = k;
        if (!isnan(c->y))
            two_axis = 1;
        if (isnan(c->x))
            rc = err_set(e, "%s: row %zu: empty x", regions_csv, i + 2);
    }
    table_free(t);
    const plot_sweep_info *in = sw.info;
    for (size_t i = 0; i < sw.n && rc == 0; i++) {
        cell *c = &sw.c[i];
        if (two_axis && (isnan(c->y) || isnan(c->x_lo + c->x_hi + c->y_lo + c->y_hi)))
            rc = err_set(e, "%s: row %zu: a 2-axis sweep needs y, x_lo, x_hi, y_lo, y_hi",
                         regions_csv, i + 2);
        else if (in->x_log && (!(c->x > 0) || c->x_lo <= 0 || c->x_hi <= 0))
            rc = err_set(e, "%s: row %zu: log x axis needs positive x, x_lo, x_hi", regions_csv,
                         i + 2);
        else if (two_axis && in->y_log && (!(c->y > 0) || c->y_lo <= 0 || c->y_hi <= 0))
            rc = err_set(e, "%s: row %zu: log y axis needs positive y, y_lo, y_hi", regions_csv,
                         i + 2);
    }
    if (rc == 0 && sw.n == 0)
        rc = err_set(e, "%s: no grid points", regions_csv);
    if (rc == 0) {
        if (two_axis) {
            rc = chart_render(out_base, formats, PLOT_MAP_W, PLOT_MAP_H, in->title, in->subtitle,
                              draw_map, &sw, e);
        } else {
            qsort(sw.c, sw.n, sizeof *sw.c, cmp_cell_x);
            rc = chart_render(out_base, formats, PLOT_SWEEP1_W, PLOT_SWEEP1_H, in->title,
                              in->subtitle, draw_sweep1, &sw, e);
        }
    }
    free(sw.c);
    return rc;
}
