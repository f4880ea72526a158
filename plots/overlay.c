/* overlay: several sweeps on one chart (see overlay.h). */
#include "overlay.h"

#include "chart.h"
#include "contour.h"
#include "table.h"
#include "xmem.h"

#include <gsl/gsl_sort_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OV_W 400.0
#define OV_H 300.0
#define OV_ML 56.0
#define OV_MR 112.0
#define OV_TOP 52.0
#define OV_BOTTOM 46.0
#define OV_MAX 12

typedef struct series {
    const char *label;
    size_t n; /* points */
    double *x, *y, *p, *lo, *hi;
} series;

typedef struct ov {
    const overlay_info *in;
    series s[OV_MAX];
    int n;
    int two_axis;
} ov;

static int cmp_dbl(const void *a, const void *b) /* for bsearch */
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

static size_t uniq(double *v, size_t n)
{
    gsl_sort(v, 1, n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || v[i] != v[m - 1])
            v[m++] = v[i];
    return m;
}

static double tr(double v, int lg)
{
    return lg ? log10(v) : v;
}
static double untr(double v, int lg)
{
    return lg ? pow(10, v) : v;
}

static rgb colour(int i)
{
    /* Okabe-Ito without yellow (too pale on white); black first */
    static const int order[] = {PAL_BLACK,          PAL_VERMILLION, PAL_BLUE,    PAL_BLUISH_GREEN,
                                PAL_REDDISH_PURPLE, PAL_ORANGE,     PAL_SKY_BLUE};
    return palette_okabe_ito(order[i % 7]);
}

static int dash_of(int i)
{
    return i % 4;
}

static void free_series(series *s)
{
    free(s->x);
    free(s->y);
    free(s->p);
    free(s->lo);
    free(s->hi);
}

static int load(series *s, const char *path, const char *label, err *e)
{
    memset(s, 0, sizeof *s);
    s->label = label;
    table *t = table_read(path, e);
    if (!t)
        return -1;
    size_t rows = table_rows(t);
    int cl = table_col(t, "level"), cx = table_col(t, "x"), cy = table_col(t, "y");
    int cp = table_col(t, "p_stable"), clo = table_col(t, "p_stable_lo"),
        chi = table_col(t, "p_stable_hi");
    if (cx < 0 || cp < 0) {
        table_free(t);
        return err_set(e, "%s: expected columns x and p_stable", path);
    }
    s->x = xmalloc((rows + 1) * sizeof *s->x);
    s->y = xmalloc((rows + 1) * sizeof *s->y);
    s->p = xmalloc((rows + 1) * sizeof *s->p);
    s->lo = xmalloc((rows + 1) * sizeof *s->lo);
    s->hi = xmalloc((rows + 1) * sizeof *s->hi);
    for (size_t r = 0; r < rows; r++) {
        double lv = table_num(t, r, cl);
        if (!isnan(lv) && lv != 0)
            continue;
        s->x[s->n] = table_num(t, r, cx);
        s->y[s->n] = table_num(t, r, cy);
        s->p[s->n] = table_num(t, r, cp);
        s->lo[s->n] = table_num(t, r, clo);
        s->hi[s->n] = table_num(t, r, chi);
        s->n++;
    }
    table_free(t);
    return 0;
}

static void key_of(chart_key *k, const ov *o, int i)
{
    k->label = o->s[i].label;
    /* coincident lines stay visible: earlier series are drawn wider, later ones on top */
    double w = 3.4 - 0.45 * i;
    k->s = (chart_style){colour(i), w < 1.0 ? 1.0 : w, dash_of(i), 0};
    k->kind = CHART_KEY_LINE;
}

static void titles(chart_fig *f, const overlay_info *in)
{
    cairo_set_source_rgb(f->cr, 0, 0, 0);
    chart_text(f, OV_ML, 14, in->title ? in->title : "", 11.0, 1, 0, 0, 0, 1);
    if (in->subtitle && *in->subtitle) {
        cairo_set_source_rgb(f->cr, 0.3, 0.3, 0.3);
        chart_text(f, OV_ML, 30, in->subtitle, 8.0, 0, 0, 0, 0, 1);
    }
}

static void legend(chart_fig *f, const chart_panel *p, const ov *o, const char *head)
{
    chart_key k[OV_MAX];
    for (int i = 0; i < o->n; i++)
        key_of(&k[i], o, i);
    double kx = p->x + p->w + 10;
    cairo_set_source_rgb(f->cr, 0, 0, 0);
    chart_text(f, kx, p->y, head, 9.0, 1, 0, 0, 0, 1);
    chart_legend_col(f, kx, p->y + 16, k, o->n, 8.0);
}

static void draw_boundaries(chart_fig *f, void *ctx)
{
    ov *o = ctx;
    const overlay_info *in = o->in;
    titles(f, in);
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int i = 0; i < o->n; i++)
        for (size_t k = 0; k < o->s[i].n; k++) {
            xlo = fmin(xlo, o->s[i].x[k]);
            xhi = fmax(xhi, o->s[i].x[k]);
            ylo = fmin(ylo, o->s[i].y[k]);
            yhi = fmax(yhi, o->s[i].y[k]);
        }
    chart_panel p = {
        .f = f, .x = OV_ML, .y = OV_TOP, .w = f->w - OV_ML - OV_MR, .h = f->h - OV_TOP - OV_BOTTOM};
    chart_axis_fit(f, &p.xa, xlo, xhi, in->x_log, 0, 7, p.w, 1, 8.0);
    chart_axis_fit(f, &p.ya, ylo, yhi, in->y_log, 0, 7, p.h, 0, 8.0);
    chart_grid(&p, 1, 1);
    cairo_t *cr = f->cr;
    chart_clip(&p);
    for (int i = 0; i < o->n; i++) {
        series *s = &o->s[i];
        double *xs = xmalloc((s->n + 1) * sizeof *xs), *ys = xmalloc((s->n + 1) * sizeof *ys);
        memcpy(xs, s->x, s->n * sizeof *xs);
        memcpy(ys, s->y, s->n * sizeof *ys);
        size_t nx = uniq(xs, s->n), ny = uniq(ys, s->n);
        double *z = xmalloc((nx * ny + 1) * sizeof *z);
        for (size_t k = 0; k < nx * ny; k++)
            z[k] = NAN;
        for (size_t k = 0; k < s->n; k++) {
            double *px = bsearch(&s->x[k], xs, nx, sizeof *xs, cmp_dbl);
            double *py = bsearch(&s->y[k], ys, ny, sizeof *ys, cmp_dbl);
            if (px && py)
                z[(size_t)(py - ys) * nx + (size_t)(px - xs)] = s->p[k];
        }
        for (size_t k = 0; k < nx; k++)
            xs[k] = tr(xs[k], in->x_log);
        for (size_t k = 0; k < ny; k++)
            ys[k] = tr(ys[k], in->y_log);
        contour_seg *segs = NULL;
        size_t ns = nx >= 2 && ny >= 2 ? contour_lines(z, xs, ys, nx, ny, 0.5, &segs) : 0;
        chart_key k;
        key_of(&k, o, i);
        cairo_save(cr);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        for (size_t m = 0; m < ns; m++) {
            cairo_move_to(cr, chart_px(&p, untr(segs[m].x0, in->x_log)),
                          chart_py(&p, untr(segs[m].y0, in->y_log), 0));
            cairo_line_to(cr, chart_px(&p, untr(segs[m].x1, in->x_log)),
                          chart_py(&p, untr(segs[m].y1, in->y_log), 0));
        }
        static const chart_dashes dashes = {{6, 3}, {1, 3}, {6, 3, 1, 3}};
        chart_set_dash(cr, k.s.dash, &dashes);
        chart_set_source(f, k.s.c, 0);
        cairo_set_line_width(cr, k.s.width);
        cairo_stroke(cr);
        cairo_restore(cr);
        /* grid points: filled where P(stable) > 0.5 */
        /* grid points with P(stable) > 0.5: concentric rings, the first series outermost */
        chart_style ring = k.s;
        ring.dash = CHART_SOLID;
        ring.width = 1.1;
        cairo_save(cr);
        for (size_t m = 0; m < s->n; m++) {
            double px = chart_px(&p, s->x[m]), py = chart_py(&p, s->y[m], 0);
            if (!(s->p[m] > 0.5) || isnan(px) || isnan(py))
                continue;
            cairo_new_sub_path(cr);
            cairo_arc(cr, px, py, 2.0 + 1.6 * (o->n - 1 - i), 0, 2 * M_PI);
        }
        chart_set_source(f, ring.c, 0);
        cairo_set_line_width(cr, ring.width);
        cairo_stroke(cr);
        cairo_restore(cr);
        free(segs);
        free(z);
        free(xs);
        free(ys);
    }
    chart_unclip(&p);
    chart_axes(&p, in->x_label ? in->x_label : "x", in->y_label ? in->y_label : "y",
               (rgb){0.1, 0.1, 0.1}, NULL, (rgb){0.1, 0.1, 0.1});
    legend(f, &p, o, "P(stable) = 0.5");
}

static void draw_curves(chart_fig *f, void *ctx)
{
    ov *o = ctx;
    const overlay_info *in = o->in;
    titles(f, in);
    double xlo = INFINITY, xhi = -INFINITY;
    for (int i = 0; i < o->n; i++)
        for (size_t k = 0; k < o->s[i].n; k++) {
            xlo = fmin(xlo, o->s[i].x[k]);
            xhi = fmax(xhi, o->s[i].x[k]);
        }
    chart_panel p = {
        .f = f, .x = OV_ML, .y = OV_TOP, .w = f->w - OV_ML - OV_MR, .h = f->h - OV_TOP - OV_BOTTOM};
    chart_axis_fit(f, &p.xa, xlo, xhi, in->x_log, 0, 7, p.w, 1, 8.0);
    chart_axis_fit(f, &p.ya, -0.06, 1.06, 0, 0, 6, p.h, 0, 8.0);
    chart_grid(&p, 1, 1);
    chart_clip(&p);
    for (int i = 0; i < o->n; i++) {
        series *s = &o->s[i];
        chart_key k;
        key_of(&k, o, i);
        /* a small vertical offset per series keeps coincident curves apart */
        double off = (i - (o->n - 1) / 2.0) * 0.012;
        double *y = xmalloc((s->n + 1) * sizeof *y);
        for (size_t m = 0; m < s->n; m++)
            y[m] = s->p[m] + off;
        if (o->n <= 2) { /* bands only where they stay readable */
            chart_style b = k.s;
            b.alpha = 0.12;
            chart_band(&p, s->x, s->lo, s->hi, s->n, b);
        }
        chart_line(&p, s->x, y, s->n, 0, k.s, 0);
        chart_style m = k.s;
        m.dash = CHART_SOLID;
        m.width = 1.2;
        chart_markers(&p, s->x, y, s->n, m, 2.4);
        free(y);
    }
    chart_unclip(&p);
    chart_style half = {{0.4, 0.4, 0.4}, 0.8, CHART_DASHED, 0};
    chart_hline(&p, 0.5, 0, half, "0.5", 8.0);
    chart_axes(&p, in->x_label ? in->x_label : "x", in->y_label ? in->y_label : "P(stable)",
               (rgb){0.1, 0.1, 0.1}, NULL, (rgb){0.1, 0.1, 0.1});
    legend(f, &p, o, "version");
}

static int overlay(const char *const *files, const char *const *labels, int n, const char *out,
                   unsigned formats, const overlay_info *in, int two_axis, err *e)
{
    if (n < 1 || n > OV_MAX)
        return err_set(e, "overlay: expected 1 to %d files (got %d)", OV_MAX, n);
    ov o = {0};
    o.in = in;
    o.two_axis = two_axis;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        rc = load(&o.s[i], files[i], labels[i], e);
        if (rc == 0)
            o.n++;
    }
    if (rc == 0)
        rc = chart_render(out, formats, OV_W, OV_H, in->title ? in->title : "overlay",
                          in->subtitle ? in->subtitle : "",
                          two_axis ? draw_boundaries : draw_curves, &o, e);
    for (int i = 0; i < o.n; i++)
        free_series(&o.s[i]);
    return rc;
}

int overlay_boundaries(const char *const *regions_csv, const char *const *labels, int n,
                       const char *out_base, unsigned formats, const overlay_info *info, err *e)
{
    return overlay(regions_csv, labels, n, out_base, formats, info, 1, e);
}

int overlay_curves(const char *const *regions_csv, const char *const *labels, int n,
                   const char *out_base, unsigned formats, const overlay_info *info, err *e)
{
    return overlay(regions_csv, labels, n, out_base, formats, info, 0, e);
}
