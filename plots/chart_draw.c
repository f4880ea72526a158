/* chart_draw: data on a panel (plots, L4): lines (stepped or not) broken at NaN, bands, error
 * bars, symbols, rectangles, spans and reference lines. */
#include "chart.h"

#include "chart_int.h"

#include <math.h>

void chart_apply_style(chart_fig *f, chart_style s)
{
    cairo_t *cr = f->cr;
    chart_set_source(f, s.c, s.alpha);
    cairo_set_line_width(cr, s.width > 0 ? s.width : 1);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    double w = s.width > 0 ? s.width : 1;
    chart_dashes d = {{4 * w, 2.5 * w}, {1 * w, 1.8 * w}, {4 * w, 1.8 * w, 1 * w, 1.8 * w}};
    if (s.dash == CHART_DOTTED)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    chart_set_dash(cr, s.dash, &d);
}

void chart_set_dash(cairo_t *cr, int kind, const chart_dashes *d)
{
    switch (kind) {
    case CHART_DASHED:
        cairo_set_dash(cr, d->dashed, 2, 0);
        break;
    case CHART_DOTTED:
        cairo_set_dash(cr, d->dotted, 2, 0);
        break;
    case CHART_DASHDOT:
        cairo_set_dash(cr, d->dashdot, 4, 0);
        break;
    default:
        cairo_set_dash(cr, NULL, 0, 0);
    }
}

void chart_line(const chart_panel *p, const double *x, const double *y, size_t n, int right,
                chart_style s, int step)
{
    cairo_t *cr = p->f->cr;
    chart_clip(p);
    chart_apply_style(p->f, s);
    int down = 0; /* pen down: the previous sample was drawn */
    for (size_t i = 0; i < n; i++) {
        double px = chart_px(p, x[i]), py = chart_py(p, y[i], right);
        if (isnan(px) || isnan(py)) {
            down = 0;
            continue;
        }
        if (step) {
            /* hold y[i] over (x[i-1], x[i]]; the first sample's interval is assumed as long
             * as the next one */
            double xprev = i > 0 ? x[i - 1] : (n > 1 ? 2 * x[0] - x[1] : x[0]);
            double pprev = chart_px(p, xprev);
            if (isnan(pprev))
                pprev = px;
            if (down)
                cairo_line_to(cr, pprev, py);
            else
                cairo_move_to(cr, pprev, py);
            cairo_line_to(cr, px, py);
        } else if (down) {
            cairo_line_to(cr, px, py);
        } else {
            cairo_move_to(cr, px, py);
        }
        down = 1;
    }
    cairo_stroke(cr);
    chart_unclip(p);
}

void chart_band(const chart_panel *p, const double *x, const double *lo, const double *hi, size_t n,
                chart_style s)
{
    cairo_t *cr = p->f->cr;
    chart_clip(p);
    chart_set_source(p->f, s.c, s.alpha);
    size_t i = 0;
    while (i < n) {
        /* one run of consecutive drawable samples */
        size_t a = i;
        while (a < n && (isnan(chart_px(p, x[a])) || isnan(chart_py(p, lo[a], 0)) ||
                         isnan(chart_py(p, hi[a], 0))))
            a++;
        size_t b = a;
        while (b < n && !(isnan(chart_px(p, x[b])) || isnan(chart_py(p, lo[b], 0)) ||
                          isnan(chart_py(p, hi[b], 0))))
            b++;
        if (b > a) {
            for (size_t k = a; k < b; k++)
                cairo_line_to(cr, chart_px(p, x[k]), chart_py(p, hi[k], 0));
            for (size_t k = b; k-- > a;)
                cairo_line_to(cr, chart_px(p, x[k]), chart_py(p, lo[k], 0));
            cairo_close_path(cr);
            cairo_fill(cr);
        }
        i = b > a ? b : a + 1;
    }
    chart_unclip(p);
}

void chart_markers(const chart_panel *p, const double *x, const double *y, size_t n, chart_style s,
                   double radius)
{
    cairo_t *cr = p->f->cr;
    for (size_t i = 0; i < n; i++) {
        double px = chart_px(p, x[i]), py = chart_py(p, y[i], 0);
        if (isnan(px) || isnan(py))
            continue;
        cairo_new_sub_path(cr);
        cairo_arc(cr, px, py, radius, 0, 2 * M_PI);
    }
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    chart_apply_style(p->f, s);
    cairo_stroke(cr);
}

void chart_rect(const chart_panel *p, double x0, double x1, double y0, double y1, rgb fill)
{
    double a = chart_px(p, x0), b = chart_px(p, x1), c = chart_py(p, y0, 0), d = chart_py(p, y1, 0);
    if (isnan(a) || isnan(b) || isnan(c) || isnan(d))
        return;
    chart_set_source(p->f, fill, 1);
    cairo_rectangle(p->f->cr, fmin(a, b), fmin(c, d), fabs(b - a), fabs(d - c));
    cairo_fill(p->f->cr);
}

void chart_vspan(const chart_panel *p, double x0, double x1, rgb c, double alpha)
{
    if (isnan(x0) || isnan(x1))
        return;
    cairo_t *cr = p->f->cr;
    double a = chart_px(p, fmin(x0, x1)), b = chart_px(p, fmax(x0, x1));
    if (isnan(a) || isnan(b))
        return;
    chart_clip(p);
    if (b - a < 0.5) {
        chart_style s = {c, 1.0, CHART_DASHED, 0};
        chart_apply_style(p->f, s);
        cairo_move_to(cr, a, p->y);
        cairo_line_to(cr, a, p->y + p->h);
        cairo_stroke(cr);
    } else {
        chart_set_source(p->f, c, alpha);
        cairo_rectangle(cr, a, p->y, b - a, p->h);
        cairo_fill(cr);
    }
    chart_unclip(p);
}

void chart_vline(const chart_panel *p, double x, chart_style s)
{
    double a = chart_px(p, x);
    if (isnan(a) || a < p->x - 0.01 || a > p->x + p->w + 0.01)
        return;
    cairo_t *cr = p->f->cr;
    cairo_save(cr);
    chart_apply_style(p->f, s);
    cairo_move_to(cr, a, p->y);
    cairo_line_to(cr, a, p->y + p->h);
    cairo_stroke(cr);
    cairo_restore(cr);
}

void chart_errorbars(const chart_panel *p, const double *x, const double *lo, const double *hi,
                     size_t n, chart_style s, double cap_pt)
{
    cairo_t *cr = p->f->cr;
    chart_clip(p);
    chart_apply_style(p->f, s);
    for (size_t i = 0; i < n; i++) {
        double px = chart_px(p, x[i]), a = chart_py(p, lo[i], 0), b = chart_py(p, hi[i], 0);
        if (isnan(px) || isnan(a) || isnan(b))
            continue;
        cairo_move_to(cr, px, a);
        cairo_line_to(cr, px, b);
        cairo_move_to(cr, px - cap_pt / 2, a);
        cairo_line_to(cr, px + cap_pt / 2, a);
        cairo_move_to(cr, px - cap_pt / 2, b);
        cairo_line_to(cr, px + cap_pt / 2, b);
    }
    cairo_stroke(cr);
    chart_unclip(p);
}

void chart_symbol_at(chart_fig *f, double cx, double cy, chart_style s, int symbol, double r)
{
    cairo_t *cr = f->cr;
    cairo_save(cr);
    chart_style solid = s;
    solid.dash = CHART_SOLID;
    switch (symbol) {
    case CHART_SYM_CIRCLE:
    case CHART_SYM_DOT:
        cairo_new_sub_path(cr);
        cairo_arc(cr, cx, cy, r, 0, 2 * M_PI);
        if (symbol == CHART_SYM_CIRCLE)
            cairo_set_source_rgb(cr, 1, 1, 1);
        else
            chart_set_source(f, s.c, s.alpha);
        cairo_fill_preserve(cr);
        break;
    case CHART_SYM_TRIANGLE_DOWN:
        cairo_move_to(cr, cx - r, cy - 0.6 * r);
        cairo_line_to(cr, cx + r, cy - 0.6 * r);
        cairo_line_to(cr, cx, cy + r);
        cairo_close_path(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        break;
    case CHART_SYM_CROSS:
        cairo_move_to(cr, cx - r, cy - r);
        cairo_line_to(cr, cx + r, cy + r);
        cairo_move_to(cr, cx - r, cy + r);
        cairo_line_to(cr, cx + r, cy - r);
        break;
    default:
        cairo_restore(cr);
        return;
    }
    chart_apply_style(f, solid);
    cairo_stroke(cr);
    cairo_restore(cr);
}

void chart_symbols(const chart_panel *p, const double *x, const double *y, size_t n, int right,
                   chart_style s, int symbol, double radius)
{
    for (size_t i = 0; i < n; i++) {
        double px = chart_px(p, x[i]), py = chart_py(p, y[i], right);
        if (isnan(px) || isnan(py) || py < p->y - radius || py > p->y + p->h + radius)
            continue;
        chart_symbol_at(p->f, px, py, s, symbol, radius);
    }
}

void chart_hline(const chart_panel *p, double y, int right, chart_style s, const char *label,
                 double font)
{
    double py = chart_py(p, y, right);
    if (isnan(py) || py < p->y - 0.01 || py > p->y + p->h + 0.01)
        return;
    cairo_t *cr = p->f->cr;
    cairo_save(cr);
    chart_apply_style(p->f, s);
    cairo_move_to(cr, p->x, py);
    cairo_line_to(cr, p->x + p->w, py);
    cairo_stroke(cr);
    if (label) {
        double w = chart_text_width(p->f, label, font, 0);
        double x1 = p->x + p->w - 4, cap = CAP_HEIGHT * font;
        /* above the line unless that leaves the panel */
        double base = py - 3 - cap >= p->y + 1 ? py - 3 : py + 3 + cap;
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_rectangle(cr, x1 - w - 2, base - cap - 1.5, w + 4, cap + 3);
        cairo_fill(cr);
        chart_set_source(p->f, s.c, 1);
        chart_text(p->f, x1, base, label, font, 0, 1, 1, 0, 1);
    }
    cairo_restore(cr);
}
