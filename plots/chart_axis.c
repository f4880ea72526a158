/* chart_axis: axes of the chart layer (plots, L4): ticks that never collide, log axes with
 * minor ticks, durations and categories as labels, the room labels need, frames and titles. */
#include "chart.h"

#include "chart_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static double tfm(const chart_axis *a, double v)
{
    return a->log ? log10(v) : v;
}

double chart_axis_frac(const chart_axis *a, double v)
{
    if (isnan(v) || (a->log && !(v > 0)))
        return NAN;
    double lo = tfm(a, a->lo), hi = tfm(a, a->hi);
    return hi != lo ? (tfm(a, v) - lo) / (hi - lo) : 0.5;
}

void chart_axis_label(const chart_axis *a, double v, char *buf, size_t n)
{
    if (a->cats) {
        long i = lround(v);
        snprintf(buf, n, "%s", i >= 0 && i < a->ncats && a->cats[i] ? a->cats[i] : "");
    } else if (a->fmt) {
        a->fmt(v, buf, n);
    } else {
        ticks_format(&a->t, v, buf, n);
    }
}

static int labels_fit(chart_fig *f, const chart_axis *a, double length, int horizontal)
{
    const ticks *t = &a->t;
    double prev_pos = 0, prev_half = 0;
    for (int i = 0; i < t->n; i++) {
        char buf[128];
        chart_axis_label(a, t->v[i], buf, sizeof buf);
        double half = horizontal ? chart_text_width(f, buf, a->font, 0) / 2 : 0.75 * a->font;
        double pos = chart_axis_frac(a, t->v[i]) * length;
        if (i > 0 && pos - prev_pos < prev_half + half + 0.8 * a->font)
            return 0;
        prev_pos = pos;
        prev_half = half;
    }
    return 1;
}

void chart_axis_fit(chart_fig *f, chart_axis *a, double lo, double hi, int log, int loose,
                    int target, double length_pt, int horizontal, double font)
{
    a->log = log;
    a->font = font;
    a->fmt = NULL;
    a->cats = NULL;
    a->ncats = 0;
    a->rotate = 0;
    for (int k = target; k >= 2; k--) {
        if (log)
            ticks_log(lo, hi, k, loose, &a->t);
        else
            ticks_linear(lo, hi, k, loose, &a->t);
        a->lo = a->t.lo;
        a->hi = a->t.hi;
        if (labels_fit(f, a, length_pt, horizontal))
            return;
    }
    /* Still crowded with 2 targets: keep the first and last ticks only. */
    if (a->t.n > 2) {
        a->t.v[1] = a->t.v[a->t.n - 1];
        a->t.n = 2;
    }
}

void chart_fmt_duration(double v, char *buf, size_t n)
{
    if (v == 0)
        snprintf(buf, n, "0 s");
    else if (v < 59.5)
        snprintf(buf, n, "%.3g s", v);
    else if (v < 3599)
        snprintf(buf, n, "%.3g min", v / 60);
    else
        snprintf(buf, n, "%.3g h", v / 3600);
}

static void fmt_seconds(double v, char *buf, size_t n)
{
    snprintf(buf, n, "%.4g s", v);
}

void chart_axis_fit_time(chart_fig *f, chart_axis *a, double lo_s, double hi_s, double length_pt,
                         int horizontal, double font)
{
    /* tiers from dense to sparse; the densest whose labels fit wins */
    static const double t1[] = {1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05,  0.1,   0.2,  0.5,
                                1,    2,    5,    10,   20,   30,    60,    120,  300,
                                600,  1200, 1800, 3600, 7200, 18000, 36000, 86400};
    static const double t2[] = {1e-3, 0.01, 0.1, 1, 10, 30, 60, 300, 600, 1800, 3600, 18000, 36000};
    static const double t3[] = {1e-3, 0.01, 0.1, 1, 10, 60, 600, 3600, 36000};
    static const double t4[] = {1e-3, 1, 60, 3600, 86400};
    static const struct {
        const double *v;
        int n;
    } tiers[] = {{t1, sizeof t1 / sizeof t1[0]},
                 {t2, sizeof t2 / sizeof t2[0]},
                 {t3, sizeof t3 / sizeof t3[0]},
                 {t4, sizeof t4 / sizeof t4[0]}};
    if (!(lo_s > 0) || !isfinite(lo_s))
        lo_s = 1;
    if (!(hi_s > lo_s) || !isfinite(hi_s))
        hi_s = lo_s * 10;
    memset(a, 0, sizeof *a);
    a->log = 1;
    a->font = font;
    a->lo = lo_s;
    a->hi = hi_s;
    a->t.log = 1;
    a->t.lo = lo_s;
    a->t.hi = hi_s;
    a->fmt = chart_fmt_duration;
    const double tol = 1e-9;
    for (size_t k = 0; k < sizeof tiers / sizeof tiers[0]; k++) {
        int n = 0;
        for (int i = 0; i < tiers[k].n && n < TICKS_MAX; i++)
            if (tiers[k].v[i] >= lo_s * (1 - tol) && tiers[k].v[i] <= hi_s * (1 + tol))
                a->t.v[n++] = tiers[k].v[i];
        if (n < 2) {
            if (k == 0)
                break; /* too narrow for the ladder */
            continue;
        }
        a->t.n = n;
        if (labels_fit(f, a, length_pt, horizontal))
            return;
    }
    if (a->t.n >= 2) { /* even the sparsest tier is crowded: its two ends */
        a->t.v[1] = a->t.v[a->t.n - 1];
        a->t.n = 2;
        return;
    }
    /* narrower than two ladder values: linear ticks in seconds */
    for (int k = 5; k >= 2; k--) {
        ticks_linear(lo_s, hi_s, k, 0, &a->t);
        a->t.log = 1;
        a->t.lo = lo_s;
        a->t.hi = hi_s;
        a->fmt = fmt_seconds;
        if (labels_fit(f, a, length_pt, horizontal))
            return;
    }
}

void chart_axis_cats(chart_fig *f, chart_axis *a, const char *const *cats, int n, double length_pt,
                     int horizontal, double font)
{
    memset(a, 0, sizeof *a);
    if (n < 1)
        n = 1;
    a->lo = -0.5;
    a->hi = n - 0.5;
    a->font = font;
    a->cats = cats;
    a->ncats = cats ? n : 0;
    a->t.lo = a->lo;
    a->t.hi = a->hi;
    a->t.step = 1;
    double band = length_pt / n, widest = 0;
    for (int i = 0; i < n && cats; i++)
        widest = fmax(widest, chart_text_width(f, cats[i] ? cats[i] : "", font, 0));
    double need; /* spacing along the axis that one label needs */
    if (!horizontal) {
        need = 1.3 * font;
    } else if (widest + 0.6 * font <= band) {
        need = 0;
    } else {
        a->rotate = 1;
        need = 1.3 * font / sin(M_PI / 4);
    }
    int k = 1;
    while ((need > 0 && k * band < need) || (n + k - 1) / k > TICKS_MAX)
        k++;
    for (int i = 0; i < n; i += k)
        a->t.v[a->t.n++] = i;
}

double chart_axis_extent(chart_fig *f, const chart_axis *a, int horizontal)
{
    double widest = 0;
    for (int i = 0; i < a->t.n; i++) {
        char buf[128];
        chart_axis_label(a, a->t.v[i], buf, sizeof buf);
        widest = fmax(widest, chart_text_width(f, buf, a->font, 0));
    }
    if (!horizontal)
        return TICK_LEN + 2 + widest;
    if (a->rotate)
        return TICK_LEN + 3 + (widest + CAP_HEIGHT * a->font) * sin(M_PI / 4) + 0.5 * a->font;
    return TICK_LEN + 3 + 1.6 * a->font;
}

double chart_px(const chart_panel *p, double x)
{
    return p->x + chart_axis_frac(&p->xa, x) * p->w;
}

double chart_py(const chart_panel *p, double y, int right)
{
    return p->y + p->h - chart_axis_frac(right ? &p->y2a : &p->ya, y) * p->h;
}

static int decade_ticks(const ticks *t)
{
    return t->log && t->step == 0 && t->n >= 2 && t->v[1] / t->v[0] > 9.5;
}

void chart_grid(const chart_panel *p, int vertical, int horizontal)
{
    cairo_t *cr = p->f->cr;
    cairo_save(cr);
    cairo_set_line_width(cr, 0.5);
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    if (vertical)
        for (int i = 0; i < p->xa.t.n; i++) {
            double x = chart_px(p, p->xa.t.v[i]);
            cairo_move_to(cr, x, p->y);
            cairo_line_to(cr, x, p->y + p->h);
        }
    if (horizontal)
        for (int i = 0; i < p->ya.t.n; i++) {
            double y = chart_py(p, p->ya.t.v[i], 0);
            cairo_move_to(cr, p->x, y);
            cairo_line_to(cr, p->x + p->w, y);
        }
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* Minor ticks at 2..9 x 10^k between decade ticks of a log axis. */
static void minor_ticks(const chart_panel *p, const chart_axis *a, int which)
{
    if (!decade_ticks(&a->t))
        return;
    cairo_t *cr = p->f->cr;
    double e0 = floor(log10(a->lo)), e1 = ceil(log10(a->hi));
    /* ticks a decade apart: minor ticks at 2..9; further apart: at the unlabelled decades */
    int sparse = a->t.v[1] / a->t.v[0] > 11;
    for (double e = e0; e <= e1; e++)
        for (int m = sparse ? 1 : 2; m <= (sparse ? 1 : 9); m++) {
            double v = m * pow(10.0, e);
            double fr = chart_axis_frac(a, v);
            if (!(fr >= 0 && fr <= 1))
                continue;
            if (which == 0) {
                double x = p->x + fr * p->w;
                cairo_move_to(cr, x, p->y + p->h);
                cairo_line_to(cr, x, p->y + p->h + TICK_LEN * 0.6);
            } else {
                double y = p->y + p->h - fr * p->h;
                double x = which == 1 ? p->x : p->x + p->w;
                double d = which == 1 ? -1 : 1;
                cairo_move_to(cr, x, y);
                cairo_line_to(cr, x + d * TICK_LEN * 0.6, y);
            }
        }
    cairo_stroke(cr);
}

/* Tick marks and (labels != 0) labels of a vertical axis; returns the widest label. */
static double y_ticks(const chart_panel *p, const chart_axis *a, int right, int labels)
{
    chart_fig *f = p->f;
    cairo_t *cr = f->cr;
    double x = right ? p->x + p->w : p->x, d = right ? 1 : -1, widest = 0;
    for (int i = 0; i < a->t.n; i++) {
        double fr = chart_axis_frac(a, a->t.v[i]);
        if (!(fr >= -1e-9 && fr <= 1 + 1e-9))
            continue;
        double y = p->y + p->h - fr * p->h;
        cairo_set_source_rgb(cr, AXIS_GREY, AXIS_GREY, AXIS_GREY);
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + d * TICK_LEN, y);
        cairo_stroke(cr);
        if (!labels)
            continue;
        char buf[128];
        chart_axis_label(a, a->t.v[i], buf, sizeof buf);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        double w = chart_text(f, x + d * (TICK_LEN + 2), y, buf, a->font, 0, right ? 0 : 1, 0.5, 0,
                              a->cats != NULL);
        widest = fmax(widest, w);
    }
    cairo_set_source_rgb(cr, AXIS_GREY, AXIS_GREY, AXIS_GREY);
    minor_ticks(p, a, right ? 2 : 1);
    return widest;
}

void chart_axes_ex(const chart_panel *p, int x_ticks, const char *xlabel, int y_ticks_on,
                   const char *ylabel, rgb ycol, const char *y2label, rgb y2col)
{
    chart_fig *f = p->f;
    cairo_t *cr = f->cr;
    cairo_save(cr);
    cairo_set_line_width(cr, 0.8);
    cairo_set_source_rgb(cr, AXIS_GREY, AXIS_GREY, AXIS_GREY);
    cairo_rectangle(cr, p->x, p->y, p->w, p->h);
    cairo_stroke(cr);
    const chart_axis *xa = &p->xa;
    double lab = xa->font;
    for (int i = 0; i < xa->t.n; i++) {
        double fr = chart_axis_frac(xa, xa->t.v[i]);
        if (!(fr >= -1e-9 && fr <= 1 + 1e-9))
            continue;
        double x = p->x + fr * p->w;
        cairo_set_source_rgb(cr, AXIS_GREY, AXIS_GREY, AXIS_GREY);
        cairo_move_to(cr, x, p->y + p->h);
        cairo_line_to(cr, x, p->y + p->h + TICK_LEN);
        cairo_stroke(cr);
        if (!x_ticks)
            continue;
        char buf[128];
        chart_axis_label(xa, xa->t.v[i], buf, sizeof buf);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        int rec = xa->cats != NULL;
        if (xa->rotate)
            chart_text(f, x + 0.3 * lab, p->y + p->h + TICK_LEN + 2, buf, lab, 0, 1, 0.5, -M_PI / 4,
                       rec);
        else
            chart_text(f, x, p->y + p->h + TICK_LEN + 3, buf, lab, 0, 0.5, 0, 0, rec);
    }
    cairo_set_source_rgb(cr, AXIS_GREY, AXIS_GREY, AXIS_GREY);
    minor_ticks(p, xa, 0);
    double title = lab + 1;
    if (xlabel) {
        double off = x_ticks ? chart_axis_extent(f, xa, 1) : TICK_LEN + 3;
        cairo_set_source_rgb(cr, 0, 0, 0);
        chart_text(f, p->x + p->w / 2, p->y + p->h + off, xlabel, title, 0, 0.5, 0, 0, 1);
    }
    double wl = y_ticks(p, &p->ya, 0, y_ticks_on);
    if (ylabel) {
        chart_set_source(f, ycol, 1);
        chart_text(f, p->x - TICK_LEN - 2 - wl - 6, p->y + p->h / 2, ylabel, title, 0, 0.5, 1,
                   -M_PI / 2, 1);
    }
    if (p->has_y2) {
        double wr = y_ticks(p, &p->y2a, 1, 1);
        if (y2label) {
            chart_set_source(f, y2col, 1);
            chart_text(f, p->x + p->w + TICK_LEN + 2 + wr + 6, p->y + p->h / 2, y2label, title, 0,
                       0.5, 1, M_PI / 2, 1);
        }
    }
    cairo_restore(cr);
}

void chart_axes(const chart_panel *p, const char *xlabel, const char *ylabel, rgb ycol,
                const char *y2label, rgb y2col)
{
    chart_axes_ex(p, xlabel != NULL, xlabel, 1, ylabel, ycol, y2label, y2col);
}

void chart_no_data(const chart_panel *p, double font)
{
    cairo_set_source_rgb(p->f->cr, 0.45, 0.45, 0.45);
    chart_text(p->f, p->x + p->w / 2, p->y + p->h / 2, "no data", font, 0, 0.5, 0.5, 0, 1);
}

void chart_clip(const chart_panel *p)
{
    cairo_save(p->f->cr);
    cairo_rectangle(p->f->cr, p->x, p->y, p->w, p->h);
    cairo_clip(p->f->cr);
}

void chart_unclip(const chart_panel *p)
{
    cairo_restore(p->f->cr);
}
