/* plot_map: the two-axis stability map (plots, L4): the partition of the swept area painted
 * cell by cell, each cell filled and textured in one go so that no texture strokes over a
 * neighbour of another class; coloured by majority class or, for stable cells, by median
 * recovery time; small multiples over a third axis; a legend at the side or below. */
#include "plot_sweep.h"

#include "plot_util.h"
#include "xmem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rgb NO_DATA = {0.94, 0.94, 0.94};

typedef struct map {
    const sweep *sw;
    const plot_sweep_info *in;
    chart_fonts fn;
    int recovery;
    double rlo, rhi;          /* recovery colour scale, s (log) */
    int any_zero;             /* a stable cell with recovery 0: no outage */
    int any_pos;              /* a stable cell with a recovery time > 0 (else no scale to show) */
    int any_nodata;           /* part of some panel is not painted */
    int contour[PAL_CLASS_N]; /* a 50 % contour exists on some panel */
    int ov_contour[PLOT_OVERLAY_MAX];   /* the overlay's contour exists on some panel */
    char ov_key[PLOT_OVERLAY_MAX][160]; /* its legend entry */
    int present[PAL_CLASS_N];           /* the class is a majority somewhere or has its column */
    /* layout */
    int side;  /* legend right of the maps (else below) */
    double kw; /* legend block width */
    double ml, top, pw, ph, cgap, ztitle, bottom, xext;
    double *rgap; /* gap under each row */
    int ncols, nrows;
    double legend_h; /* below: height of the legend */
    chart_axis xa, ya;
    double h; /* total height */
} map;

/* ---------------- colours and textures ---------------- */

/* The shade of a cell: the class colour, blended toward white as its probability falls from 1
 * to 1/3 (the least a majority of three can have), keeping 25 % of the hue at 1/3. */
static rgb class_shade(int cls, double p)
{
    if (isnan(p))
        p = 1;
    double t = (p - 1.0 / 3) / (2.0 / 3);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return palette_mix(PLOT_WHITE, palette_class(cls), 0.25 + 0.75 * t);
}

static double rec_frac(const map *m, double v)
{
    if (!(v > m->rlo))
        return 0; /* 0 s (no outage) and the shortest time: the floor */
    double t = (log10(v) - log10(m->rlo)) / (log10(m->rhi) - log10(m->rlo));
    return t > 1 ? 1 : t;
}

/* Fill of a point's cells; 0 when it has none (no data). */
static int cell_fill(const map *m, const sw_point *q, rgb *c)
{
    if (q->major < 0)
        return 0;
    if (!m->recovery) {
        *c = class_shade(q->major, q->p[q->major]);
        return 1;
    }
    if (q->major == PAL_CLASS_STABLE) {
        if (isnan(q->rec_med))
            return 0;
        *c = palette_recovery(rec_frac(m, q->rec_med));
        return 1;
    }
    *c = palette_class(q->major);
    return 1;
}

/* Texture per class so the classes stay apart in greyscale print and for every colour vision:
 * none for stable, dark "/" lines for metastable, light "\" lines for overloaded, dots for
 * unresolved. Lines lie on one lattice anchored at (ox, oy) so neighbouring cells of a class
 * continue each other's pattern. Draws over the box [x0, x1] x [y0, y1] (the caller clips). */
static void texture(cairo_t *cr, double ox, double oy, double x0, double y0, double x1, double y1,
                    int cls)
{
    const double step = 5;
    if (cls == PAL_CLASS_METASTABLE || cls == PAL_CLASS_OVERLOADED) {
        int up = cls == PAL_CLASS_METASTABLE; /* "/": x + y constant; "\": x - y constant */
        if (up)
            cairo_set_source_rgba(cr, 0.35, 0.2, 0, 0.5);
        else
            cairo_set_source_rgba(cr, 1, 1, 1, 0.45);
        cairo_set_line_width(cr, 0.6);
        double c0 = up ? x0 + y0 - ox - oy : x0 - y1 - ox + oy;
        double c1 = up ? x1 + y1 - ox - oy : x1 - y0 - ox + oy;
        for (double c = floor(c0 / step) * step; c <= c1 + step; c += step) {
            if (up) { /* x + y = c + ox + oy */
                cairo_move_to(cr, c + ox + oy - y1, y1);
                cairo_line_to(cr, c + ox + oy - y0, y0);
            } else { /* x - y = c + ox - oy */
                cairo_move_to(cr, c + ox - oy + y0, y0);
                cairo_line_to(cr, c + ox - oy + y1, y1);
            }
        }
        cairo_stroke(cr);
    } else if (cls == PAL_CLASS_UNRESOLVED) {
        const double d = 4;
        cairo_set_source_rgba(cr, 0.2, 0.2, 0.2, 0.75);
        for (double y = oy + floor((y0 - oy) / d) * d; y <= y1 + d; y += d) {
            long row = lround((y - oy) / d);
            double shift = (row & 1) ? d / 2 : 0;
            for (double x = ox + floor((x0 - ox) / d) * d + shift; x <= x1 + d; x += d) {
                cairo_new_sub_path(cr);
                cairo_arc(cr, x, y, 0.6, 0, 2 * M_PI);
            }
        }
        cairo_fill(cr);
    }
}

static int cell_texture(const sw_point *q)
{
    return q->major > PAL_CLASS_STABLE ? q->major : -1;
}

/* A legend swatch: the fill and the texture of a class. */
static void swatch(chart_fig *f, double x, double y, double w, double h, rgb c, int cls)
{
    cairo_t *cr = f->cr;
    cairo_save(cr);
    chart_set_source(f, c, 1);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill_preserve(cr);
    cairo_clip(cr);
    texture(cr, x, y, x, y, x + w, y + h, cls);
    cairo_restore(cr);
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, x, y, w, h);
    cairo_stroke(cr);
}

/* ---------------- one map ---------------- */

typedef struct run {
    long own;
    size_t j, i0, i1;
} run;

static int cmp_run(const void *a, const void *b)
{
    const run *u = a, *v = b;
    if (u->own != v->own)
        return (u->own > v->own) - (u->own < v->own);
    if (u->j != v->j)
        return (u->j > v->j) - (u->j < v->j);
    return (u->i0 > v->i0) - (u->i0 < v->i0);
}

static void run_rect(const chart_panel *p, const egrid *g, const run *r, double *x, double *y,
                     double *w, double *h)
{
    double a = chart_px(p, g->ex[r->i0]), b = chart_px(p, g->ex[r->i1]);
    double c = chart_py(p, g->ey[r->j], 0), d = chart_py(p, g->ey[r->j + 1], 0);
    *x = fmin(a, b);
    *y = fmin(c, d);
    *w = fabs(b - a);
    *h = fabs(d - c);
}

static void add_runs(cairo_t *cr, const chart_panel *p, const egrid *g, const run *r, size_t n,
                     double *bx0, double *by0, double *bx1, double *by1)
{
    *bx0 = *by0 = INFINITY;
    *bx1 = *by1 = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        double x, y, w, h;
        run_rect(p, g, &r[k], &x, &y, &w, &h);
        if (isnan(x + y + w + h))
            continue;
        cairo_rectangle(cr, x, y, w, h);
        *bx0 = fmin(*bx0, x);
        *by0 = fmin(*by0, y);
        *bx1 = fmax(*bx1, x + w);
        *by1 = fmax(*by1, y + h);
    }
}

static double class_p(const sw_point *q, int k)
{
    return q->p[k];
}

static const int CONTOUR_DASH[PAL_CLASS_N] = {CHART_SOLID, CHART_DASHED, CHART_DOTTED,
                                              CHART_DASHDOT};

static chart_style contour_style(int k)
{
    chart_style s = {{0, 0, 0}, CONTOUR_DASH[k] == CHART_DOTTED ? 2.0 : 1.4, CONTOUR_DASH[k], 0};
    return s;
}

enum {
    SLOTS = PAL_CLASS_N + PLOT_OVERLAY_MAX
};

/* The contours of panel zi over its grid g: slot k < PAL_CLASS_N the 50 % contour of class k
 * (P(stable)'s alone in recovery mode), slot PAL_CLASS_N + i overlay i's P(stable) = 0.5 on its
 * own grid at this panel's z. An empty slot has n = 0; free each with sw_contour_free. */
static void panel_contours(const map *m, int zi, const egrid *g, sw_contour *c, chart_style *st)
{
    const sweep *sw = m->sw;
    memset(c, 0, SLOTS * sizeof *c);
    for (int k = 0; k < PAL_CLASS_N; k++) {
        st[k] = contour_style(k);
        if (sw->cols[k] && (!m->recovery || k == PAL_CLASS_STABLE))
            sweep_contour(sw, g, class_p, k, 0.5, &c[k]);
    }
    for (int i = 0; i < sw->nov; i++) {
        const sweep *o = &sw->ov[i];
        int oz = sweep_panel(o, sw->zv[zi]);
        st[PAL_CLASS_N + i] = sweep_overlay_style(i);
        if (oz < 0)
            continue;
        egrid og;
        egrid_build(o, oz, &og);
        sweep_contour(o, &og, class_p, PAL_CLASS_STABLE, 0.5, &c[PAL_CLASS_N + i]);
        egrid_free(&og);
    }
}

/* Paints the cells of panel zi, their edges and contours. */
static void draw_cells(chart_fig *f, const map *m, const chart_panel *p, int zi)
{
    const sweep *sw = m->sw;
    cairo_t *cr = f->cr;
    chart_set_source(f, NO_DATA, 1);
    cairo_rectangle(cr, p->x, p->y, p->w, p->h);
    cairo_fill(cr);
    egrid g;
    egrid_build(sw, zi, &g);
    if (g.nx == 0) {
        chart_no_data(p, m->fn.panel);
        return;
    }
    /* runs of one owner along each row: one path per point, filled and textured together */
    run *runs = xmalloc(g.nx * g.ny * sizeof *runs);
    size_t nr = 0;
    for (size_t j = 0; j < g.ny; j++)
        for (size_t i = 0; i < g.nx;) {
            long o = g.own[j * g.nx + i];
            size_t i1 = i + 1;
            while (i1 < g.nx && g.own[j * g.nx + i1] == o)
                i1++;
            if (o >= 0)
                runs[nr++] = (run){o, j, i, i1};
            i = i1;
        }
    qsort(runs, nr, sizeof *runs, cmp_run);
    chart_clip(p);
    for (size_t a = 0; a < nr;) {
        size_t b = a + 1;
        while (b < nr && runs[b].own == runs[a].own)
            b++;
        const sw_point *q = &sw->pt[runs[a].own];
        rgb c;
        if (cell_fill(m, q, &c)) {
            double x0, y0, x1, y1;
            cairo_save(cr);
            /* no antialiasing inside the partition: neighbouring fills meet without a seam */
            cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
            add_runs(cr, p, &g, runs + a, b - a, &x0, &y0, &x1, &y1);
            chart_set_source(f, c, 1);
            int tex = cell_texture(q);
            if (tex >= 0) {
                cairo_fill_preserve(cr);
                cairo_clip(cr);
                cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
                texture(cr, p->x, p->y, x0, y0, x1, y1, tex);
            } else {
                cairo_fill(cr);
            }
            cairo_restore(cr);
        }
        a = b;
    }
    /* thin edges where two points' cells meet, nowhere else */
    cairo_save(cr);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.7);
    cairo_set_line_width(cr, 0.45);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    for (size_t i = 0; i + 1 < g.nx; i++) /* vertical edges at ex[i + 1] */
        for (size_t j = 0; j < g.ny;) {
            if (g.own[j * g.nx + i] == g.own[j * g.nx + i + 1]) {
                j++;
                continue;
            }
            size_t j1 = j + 1;
            while (j1 < g.ny && g.own[j1 * g.nx + i] != g.own[j1 * g.nx + i + 1])
                j1++;
            double x = chart_px(p, g.ex[i + 1]);
            cairo_move_to(cr, x, chart_py(p, g.ey[j], 0));
            cairo_line_to(cr, x, chart_py(p, g.ey[j1], 0));
            j = j1;
        }
    for (size_t j = 0; j + 1 < g.ny; j++) /* horizontal edges at ey[j + 1] */
        for (size_t i = 0; i < g.nx;) {
            if (g.own[j * g.nx + i] == g.own[(j + 1) * g.nx + i]) {
                i++;
                continue;
            }
            size_t i1 = i + 1;
            while (i1 < g.nx && g.own[j * g.nx + i1] != g.own[(j + 1) * g.nx + i1])
                i1++;
            double y = chart_py(p, g.ey[j + 1], 0);
            cairo_move_to(cr, chart_px(p, g.ex[i]), y);
            cairo_line_to(cr, chart_px(p, g.ex[i1]), y);
            i = i1;
        }
    cairo_stroke(cr);
    cairo_restore(cr);
    chart_unclip(p);
    /* every casing under every line: where two boundaries coincide, both stay visible */
    sw_contour c[SLOTS];
    chart_style st[SLOTS];
    panel_contours(m, zi, &g, c, st);
    for (int casing = 1; casing >= 0; casing--)
        for (int k = 0; k < SLOTS; k++)
            sw_contour_stroke(p, &c[k], st[k], casing);
    for (int k = 0; k < SLOTS; k++)
        sw_contour_free(&c[k]);
    free(runs);
    egrid_free(&g);
}

/* ---------------- legend ---------------- */

/* Each block draws at (x, y) within width w and returns its height; draw 0 measures. */

static double block_classes(chart_fig *f, const map *m, double x, double y, double w, int draw)
{
    const chart_fonts *fn = &m->fn;
    cairo_t *cr = f->cr;
    double y0 = y, bar = 1.25 * fn->legend;
    if (draw)
        cairo_set_source_rgb(cr, 0, 0, 0);
    y += chart_text_wrap(f, x, y, w, "majority class", fn->panel, 1, 0, draw);
    if (draw)
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    y += chart_text_wrap(f, x, y, w, "shade: its probability", fn->legend, 0, 0, draw);
    y += 0.5 * fn->legend;
    for (int k = 0; k < PAL_CLASS_N; k++) {
        if (!m->present[k])
            continue;
        if (draw) {
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            chart_text(f, x, y, palette_class_name(k), fn->legend, 0, 0, 0, 0, 1);
        }
        y += 1.25 * fn->legend;
        if (draw) {
            const int steps = 48;
            for (int s = 0; s < steps; s++) {
                double pr = 1.0 / 3 + (2.0 / 3) * (s + 0.5) / steps;
                chart_set_source(f, class_shade(k, pr), 1);
                cairo_rectangle(cr, x + w * s / steps, y, w / steps + 0.3, bar);
                cairo_fill(cr);
            }
            cairo_save(cr);
            cairo_rectangle(cr, x, y, w, bar);
            cairo_clip(cr);
            texture(cr, x, y, x, y, x + w, y + bar, k == PAL_CLASS_STABLE ? -1 : k);
            cairo_restore(cr);
            cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
            cairo_set_line_width(cr, 0.5);
            cairo_rectangle(cr, x, y, w, bar);
            cairo_stroke(cr);
        }
        y += bar + 0.6 * fn->legend;
    }
    if (draw) {
        static const struct {
            double p;
            const char *s;
        } pt[] = {{1.0 / 3, "1/3"}, {0.5, "0.5"}, {0.75, "0.75"}, {1, "1"}};
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        cairo_set_line_width(cr, 0.5);
        for (size_t i = 0; i < sizeof pt / sizeof pt[0]; i++) {
            double px = x + w * (pt[i].p - 1.0 / 3) / (2.0 / 3);
            cairo_move_to(cr, px, y - 0.6 * fn->legend - 3);
            cairo_line_to(cr, px, y - 0.6 * fn->legend + 1);
            cairo_stroke(cr);
            chart_text(f, px, y - 0.6 * fn->legend + 2, pt[i].s, fn->tick, 0,
                       i == 0   ? 0.2
                       : i == 3 ? 0.8
                                : 0.5,
                       0, 0, 0);
        }
    }
    y += 1.3 * fn->tick;
    return y - y0;
}

static double block_contours(chart_fig *f, const map *m, double x, double y, double w, int draw)
{
    static const char *name[PAL_CLASS_N] = {"P(stable)", "P(metastable)", "P(overloaded)",
                                            "P(unresolved)"};
    const sweep *sw = m->sw;
    chart_key k[SLOTS];
    int n = 0;
    for (int c = 0; c < PAL_CLASS_N; c++) {
        int main_line = m->recovery && c == PAL_CLASS_STABLE;
        /* with overlays, the recovery map names its own boundary even where it has none */
        if (!(m->recovery ? main_line && (m->contour[c] || sw->nov > 0) : m->contour[c]))
            continue;
        k[n].label = !main_line      ? name[c]
                     : m->contour[c] ? "P(stable) = 0.5"
                                     : "P(stable) = 0.5 (none on the map)";
        k[n].s = contour_style(c);
        k[n].kind = CHART_KEY_LINE;
        k[n++].symbol = CHART_SYM_NONE;
    }
    for (int i = 0; i < sw->nov; i++)
        k[n++] = (chart_key){m->ov_key[i], sweep_overlay_style(i), CHART_KEY_LINE, CHART_SYM_NONE};
    if (n == 0)
        return 0;
    double y0 = y;
    if (draw)
        cairo_set_source_rgb(f->cr, 0, 0, 0);
    y += chart_text_wrap(f, x, y, w, m->recovery ? "contour" : "50 % contours", m->fn.panel, 1, 0,
                         draw);
    y += 0.2 * m->fn.legend;
    for (int i = 0; i < n; i++)
        y += chart_legend_flow(f, x, y, w, &k[i], 1, m->fn.legend, 0, draw);
    return y - y0;
}

static double block_recovery(chart_fig *f, const map *m, double x, double y, double w, int draw)
{
    const chart_fonts *fn = &m->fn;
    cairo_t *cr = f->cr;
    double y0 = y, bar = 1.4 * fn->legend;
    if (draw)
        cairo_set_source_rgb(cr, 0, 0, 0);
    y += chart_text_wrap(f, x, y, w, "median recovery time", fn->panel, 1, 0, draw);
    if (draw)
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    y += chart_text_wrap(f, x, y, w,
                         m->any_pos ? "cells with a stable majority; log scale"
                                    : "cells with a stable majority",
                         fn->legend, 0, 0, draw);
    if (!m->any_pos) { /* no scale to show: every stable cell recovered at once */
        y += 0.4 * fn->legend;
        double sw = 2.2 * fn->legend, sh = 1.3 * fn->legend;
        if (draw)
            swatch(f, x, y, sw, sh, palette_recovery(0), -1);
        if (draw)
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        double th = chart_text_wrap(f, x + sw + 4, y, w - sw - 4,
                                    m->any_zero ? "0 s: no outage (every stable cell)"
                                                : "no recovery times",
                                    fn->legend, 0, 0, draw);
        return y + fmax(sh, th) - y0;
    }
    double win = m->in->recovery_window_s;
    int show_win = win >= m->rlo && win <= m->rhi;
    y += 0.4 * fn->legend + (show_win ? 0.7 * fn->legend : 0);
    chart_axis a;
    chart_axis_fit_time(f, &a, m->rlo, m->rhi, w, 1, fn->tick);
    if (draw) {
        const int steps = 64;
        for (int s = 0; s < steps; s++) {
            chart_set_source(f, palette_recovery((s + 0.5) / steps), 1);
            cairo_rectangle(cr, x + w * s / steps, y, w / steps + 0.3, bar);
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        cairo_set_line_width(cr, 0.5);
        cairo_rectangle(cr, x, y, w, bar);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        for (int i = 0; i < a.t.n; i++) {
            double px = x + chart_axis_frac(&a, a.t.v[i]) * w;
            char buf[32];
            chart_axis_label(&a, a.t.v[i], buf, sizeof buf);
            cairo_move_to(cr, px, y + bar);
            cairo_line_to(cr, px, y + bar + 3);
            cairo_stroke(cr);
            double ha = px - x < 12 ? 0.15 : x + w - px < 12 ? 0.85 : 0.5;
            chart_text(f, px, y + bar + 4.5, buf, fn->tick, 0, ha, 0, 0, 0);
        }
        if (show_win) {
            double px = x + chart_axis_frac(&a, win) * w;
            chart_style s = {{0, 0, 0}, 0.8, CHART_SOLID, 0};
            chart_symbol_at(f, px, y - 0.45 * fn->legend, s, CHART_SYM_TRIANGLE_DOWN,
                            0.35 * fn->legend);
        }
    }
    y += bar + 4.5 + 1.4 * fn->tick;
    if (draw)
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    if (show_win) {
        char buf[80], d[32];
        chart_fmt_duration(win, d, sizeof d);
        snprintf(buf, sizeof buf, "\xe2\x96\xbc recovery window (%s)", d);
        y += chart_text_wrap(f, x, y, w, buf, fn->legend, 0, 0, draw);
    }
    if (m->any_zero)
        y += chart_text_wrap(f, x, y, w, "0 s (no outage): the lightest colour", fn->legend, 0, 0,
                             draw);
    return y - y0;
}

static double block_others(chart_fig *f, const map *m, double x, double y, double w, int draw)
{
    const chart_fonts *fn = &m->fn;
    double y0 = y;
    if (draw)
        cairo_set_source_rgb(f->cr, 0, 0, 0);
    y += chart_text_wrap(f, x, y, w, "other majorities", fn->panel, 1, 0, draw);
    y += 0.3 * fn->legend;
    double sw = 2.2 * fn->legend, sh = 1.3 * fn->legend;
    for (int k = PAL_CLASS_METASTABLE; k < PAL_CLASS_N; k++) {
        if (!m->present[k])
            continue;
        if (draw) {
            swatch(f, x, y, sw, sh, palette_class(k), k);
            cairo_set_source_rgb(f->cr, 0.1, 0.1, 0.1);
            chart_text(f, x + sw + 4, y + sh / 2, palette_class_name(k), fn->legend, 0, 0, 0.5, 0,
                       1);
        }
        y += sh + 0.45 * fn->legend;
    }
    return y - y0;
}

static double block_notes(chart_fig *f, const map *m, double x, double y, double w, int draw)
{
    if (draw)
        cairo_set_source_rgb(f->cr, 0.3, 0.3, 0.3);
    double h =
        chart_text_wrap(f, x, y, w, "thin edges: cells of the sweep points (smaller = refined)",
                        m->fn.legend, 0, 0, draw);
    if (m->any_nodata)
        h += chart_text_wrap(f, x, y + h, w,
                             m->recovery ? "plain grey: no data (or no recovery time)"
                                         : "plain grey: no data",
                             m->fn.legend, 0, 0, draw);
    return h;
}

typedef double (*block_fn)(chart_fig *, const map *, double, double, double, int);

static int blocks(const map *m, block_fn *b)
{
    int n = 0;
    if (m->recovery) {
        b[n++] = block_recovery;
        b[n++] = block_others;
    } else {
        b[n++] = block_classes;
    }
    b[n++] = block_contours;
    b[n++] = block_notes;
    return n;
}

/* Side: blocks stacked from (x, y). Below: blocks side by side, wrapping. Returns the height. */
static double legend(chart_fig *f, const map *m, double x, double y, double avail_w, int draw)
{
    block_fn b[6];
    int n = blocks(m, b);
    double gap = 1.6 * m->fn.legend;
    if (m->side) {
        double y0 = y;
        for (int i = 0; i < n; i++) {
            double h = b[i](f, m, x, y, m->kw, 0);
            if (h > 0) {
                b[i](f, m, x, y, m->kw, draw);
                y += h + gap;
            }
        }
        return y - y0 - gap;
    }
    double cx = x, row_h = 0, total = 0, colgap = 2 * m->fn.legend;
    for (int i = 0; i < n; i++) {
        double h = b[i](f, m, cx, y + total, m->kw, 0);
        if (h <= 0)
            continue;
        if (cx > x && cx + m->kw > x + avail_w) {
            total += row_h + gap;
            cx = x;
            row_h = 0;
        }
        b[i](f, m, cx, y + total, m->kw, draw);
        row_h = fmax(row_h, h);
        cx += m->kw + colgap;
    }
    return total + row_h;
}

/* ---------------- layout ---------------- */

static void scan(map *m)
{
    const sweep *sw = m->sw;
    m->recovery = m->in->mode == PLOT_MAP_RECOVERY;
    for (int k = 0; k < PAL_CLASS_N; k++)
        m->present[k] = sw->cols[k];
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < sw->n; i++) {
        const sw_point *q = &sw->pt[i];
        if (q->major >= 0)
            m->present[q->major] = 1;
        if (q->major == PAL_CLASS_STABLE && isfinite(q->rec_med)) {
            if (q->rec_med > 0) {
                lo = fmin(lo, q->rec_med);
                hi = fmax(hi, q->rec_med);
                m->any_pos = 1;
            } else {
                m->any_zero = 1;
            }
        }
    }
    if (!isfinite(lo)) {
        lo = 1;
        hi = 10;
    }
    if (hi <= lo * 1.01) {
        lo /= 2;
        hi *= 2;
    }
    m->rlo = lo;
    m->rhi = hi;
    for (int z = 0; z < sw->nz; z++) {
        egrid g;
        egrid_build(sw, z, &g);
        sw_contour cs[SLOTS];
        chart_style st[SLOTS];
        panel_contours(m, z, &g, cs, st);
        for (int k = 0; k < SLOTS; k++) {
            if (k < PAL_CLASS_N)
                m->contour[k] |= cs[k].n > 0;
            else
                m->ov_contour[k - PAL_CLASS_N] |= cs[k].n > 0;
            sw_contour_free(&cs[k]);
        }
        rgb c;
        for (size_t i = 0; i < g.nx * g.ny && !m->any_nodata; i++)
            m->any_nodata = g.own[i] < 0 || !cell_fill(m, &sw->pt[g.own[i]], &c);
        m->any_nodata |= g.nx == 0;
        egrid_free(&g);
    }
    for (int i = 0; i < sw->nov; i++)
        snprintf(m->ov_key[i], sizeof m->ov_key[i], "%s%s%s", m->recovery ? "" : "P(stable), ",
                 sw->ov_label[i], m->ov_contour[i] ? "" : " (none on the map)");
}

static void fit_axes(chart_fig *f, map *m)
{
    const sweep *sw = m->sw;
    const plot_sweep_info *in = m->in;
    double xlo = sw->x_lo, xhi = sw->x_hi, ylo = sw->y_lo, yhi = sw->y_hi;
    if (!isfinite(xlo)) {
        xlo = in->x_log ? 1 : 0;
        xhi = in->x_log ? 10 : 1;
    }
    if (!isfinite(ylo)) {
        ylo = in->y_log ? 1 : 0;
        yhi = in->y_log ? 10 : 1;
    }
    if (in->x_cats)
        chart_axis_cats(f, &m->xa, in->x_cats, in->nx_cats, m->pw, 1, m->fn.tick);
    else
        chart_axis_fit(f, &m->xa, xlo, xhi, in->x_log, 0, 8, m->pw, 1, m->fn.tick);
    if (in->y_cats)
        chart_axis_cats(f, &m->ya, in->y_cats, in->ny_cats, m->ph, 0, m->fn.tick);
    else
        chart_axis_fit(f, &m->ya, ylo, yhi, in->y_log, 0, 8, m->ph, 0, m->fn.tick);
}

/* Lays out the figure for width w and height h (0: natural); fills m. */
static void layout(chart_fig *f, map *m, double w, double h)
{
    const sweep *sw = m->sw;
    m->fn = chart_fonts_for(w);
    const chart_fonts *fn = &m->fn;
    m->side = w >= 480;
    m->kw = m->side ? fmin(150, fmax(110, 0.19 * w)) : fmin(150, w - 2 * PLOT_PAD);
    int nz = sw->nz;
    m->ztitle = nz > 1 ? 1.6 * fn->panel : 0;
    m->ml = 7 * fn->tick;
    m->pw = w / 2;
    m->ph = h > 0 ? h / 2 : w / 2;
    free(m->rgap);
    m->rgap = NULL;
    for (int round = 0; round < 3; round++) {
        fit_axes(f, m);
        double right = m->side ? m->kw + 2.6 * fn->panel + PLOT_PAD : PLOT_PAD;
        double gw = w - m->ml - right;
        char last[128];
        chart_axis_label(&m->xa, m->xa.t.v[m->xa.t.n > 0 ? m->xa.t.n - 1 : 0], last, sizeof last);
        m->cgap = fmax(10, chart_text_width(f, last, fn->tick, 0) + 4);
        m->ncols = nz == 1 ? 1 : (int)ceil(sqrt((double)nz));
        while (m->ncols > 1 && (gw - (m->ncols - 1) * m->cgap) / m->ncols < 100)
            m->ncols--;
        m->nrows = (nz + m->ncols - 1) / m->ncols;
        m->pw = (gw - (m->ncols - 1) * m->cgap) / m->ncols;
        m->top = 1.2 * fn->title;
        m->top += plot_titles(f, m->ml, m->top, w - m->ml - PLOT_PAD, m->in->title, m->in->subtitle,
                              fn, 0);
        m->top += 0.9 * fn->panel + m->ztitle;
        m->xext = chart_axis_extent(f, &m->xa, 1);
        free(m->rgap);
        m->rgap = xcalloc((size_t)m->nrows, sizeof *m->rgap);
        double gaps = 0;
        for (int r = 0; r + 1 < m->nrows; r++) {
            /* x tick labels under a panel with none below it (an incomplete last row) */
            int labels = (r + 2) * m->ncols > nz;
            m->rgap[r] = (labels ? m->xext : 4) + m->ztitle + 0.6 * fn->panel;
            gaps += m->rgap[r];
        }
        m->bottom = m->xext + 1.3 * (fn->tick + 1) + 0.6 * PLOT_PAD;
        m->legend_h =
            m->side ? 0 : legend(f, m, m->ml, 0, w - m->ml - PLOT_PAD, 0) + 1.2 * fn->panel;
        double fixed = m->top + gaps + m->bottom + m->legend_h;
        if (h > 0)
            m->ph = fmax(40, (h - fixed) / m->nrows);
        else
            m->ph = nz == 1 ? fmax(0.72 * m->pw, 120) : fmax(0.75 * m->pw, 80);
        if (m->side) { /* the legend beside the maps must fit */
            double lh = legend(f, m, 0, 0, 0, 0);
            if (h <= 0 && m->nrows * m->ph + gaps < lh)
                m->ph = (lh - gaps) / m->nrows;
        }
        m->h = fixed + m->nrows * m->ph;
        fit_axes(f, m);
        m->ml =
            chart_axis_extent(f, &m->ya, 0) + 6 + CHART_CAP_EM * (fn->tick + 1) + 0.6 * PLOT_PAD;
    }
}

static void panel_of(const map *m, chart_fig *f, int z, chart_panel *p)
{
    memset(p, 0, sizeof *p);
    int r = z / m->ncols, c = z % m->ncols;
    double y = m->top;
    for (int k = 0; k < r; k++)
        y += m->ph + m->rgap[k];
    p->f = f;
    p->x = m->ml + c * (m->pw + m->cgap);
    p->y = y;
    p->w = m->pw;
    p->h = m->ph;
    p->xa = m->xa;
    p->ya = m->ya;
}

void draw_map(chart_fig *f, void *ctx)
{
    const sweep *sw = ctx;
    map m;
    memset(&m, 0, sizeof m);
    m.sw = sw;
    m.in = sw->info;
    scan(&m);
    layout(f, &m, f->w, f->h);
    const chart_fonts *fn = &m.fn;
    const plot_sweep_info *in = m.in;
    const char *title = in->title ? in->title : "stability map";
    plot_titles(f, m.ml, 1.2 * fn->title, f->w - m.ml - PLOT_PAD, title, in->subtitle, fn, 1);
    double grid_bottom = 0;
    for (int z = 0; z < sw->nz; z++) {
        chart_panel p;
        panel_of(&m, f, z, &p);
        draw_cells(f, &m, &p, z);
        int below = z + m.ncols < sw->nz;
        int first_col = z % m.ncols == 0;
        chart_axes_ex(&p, !below, NULL, first_col, NULL, PLOT_INK, NULL, PLOT_INK);
        if (sw->nz > 1) {
            char v[96], buf[192];
            sweep_value_label(sw->zv[z], in->z_cats, in->nz_cats, v, sizeof v);
            const char *zl = in->z_label ? in->z_label : "z";
            snprintf(buf, sizeof buf, "%s = %s", zl, v);
            /* A title wider than its panel would run into the next one: drop the unit, then
             * shrink the type (to 70 %), then keep only "= value". */
            double size = fn->panel;
            const char *unit = strstr(zl, " (");
            if (chart_text_width(f, buf, size, 1) > p.w && unit)
                snprintf(buf, sizeof buf, "%.*s = %s", (int)(unit - zl), zl, v);
            while (chart_text_width(f, buf, size, 1) > p.w && size > 0.7 * fn->panel)
                size -= 0.5;
            if (chart_text_width(f, buf, size, 1) > p.w)
                snprintf(buf, sizeof buf, "= %s", v);
            cairo_set_source_rgb(f->cr, 0, 0, 0);
            chart_text(f, p.x, p.y - 0.5 * fn->panel, buf, size, 1, 0, 1, 0, 1);
        }
        grid_bottom = fmax(grid_bottom, p.y + p.h);
    }
    /* axis titles once for the grid */
    double gx = m.ml, gw = m.ncols * m.pw + (m.ncols - 1) * m.cgap;
    double gy = m.top, gh = grid_bottom - m.top;
    cairo_set_source_rgb(f->cr, 0, 0, 0);
    chart_text(f, gx + gw / 2, grid_bottom + m.xext, in->x_label ? in->x_label : "x", fn->tick + 1,
               0, 0.5, 0, 0, 1);
    chart_text(f, gx - chart_axis_extent(f, &m.ya, 0) - 6, gy + gh / 2,
               in->y_label ? in->y_label : "y", fn->tick + 1, 0, 0.5, 1, -M_PI / 2, 1);
    if (m.side)
        legend(f, &m, gx + gw + 2.6 * fn->panel, m.top, 0, 1);
    else
        legend(f, &m, m.ml, grid_bottom + m.bottom - 0.6 * PLOT_PAD + 0.6 * fn->panel,
               f->w - m.ml - PLOT_PAD, 1);
    free(m.rgap);
}

double map_height(const sweep *sw, double w)
{
    chart_fig f;
    chart_scratch(&f, w, 0);
    map m;
    memset(&m, 0, sizeof m);
    m.sw = sw;
    m.in = sw->info;
    scan(&m);
    layout(&f, &m, w, 0);
    double h = m.h;
    free(m.rgap);
    chart_scratch_free(&f);
    return ceil(h);
}
