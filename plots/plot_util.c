/* plot_util: helpers shared by the avalanche charts (plots, L4). */
#include "plot_util.h"

#include "xmem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const rgb PLOT_INK = {0.1, 0.1, 0.1};
const rgb PLOT_WHITE = {1, 1, 1};
const rgb PLOT_GREY_SPAN = {0.45, 0.45, 0.45};
const double PLOT_SPAN_ALPHA = 0.14;

double *plot_column(const table *t, const char *name)
{
    size_t n = table_rows(t);
    double *v = xmalloc((n ? n : 1) * sizeof *v);
    int c = table_col(t, name);
    for (size_t i = 0; i < n; i++)
        v[i] = table_num(t, i, c);
    return v;
}

double *plot_column_sum(const table *t, const char *a, const char *b)
{
    double *u = plot_column(t, a), *v = plot_column(t, b);
    for (size_t i = 0; i < table_rows(t); i++)
        if (isnan(u[i]))
            u[i] = v[i];
        else if (!isnan(v[i]))
            u[i] += v[i];
    free(v);
    return u;
}

int plot_has_data(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            return 1;
    return 0;
}

void plot_range(const double *v, size_t n, double *lo, double *hi)
{
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            *lo = fmin(*lo, v[i]);
            *hi = fmax(*hi, v[i]);
        }
}

double plot_titles(chart_fig *f, double x, double y_top, double width, const char *title,
                   const char *subtitle, const chart_fonts *fn, int draw)
{
    double y = y_top;
    if (title && *title) {
        cairo_set_source_rgb(f->cr, 0, 0, 0);
        y += chart_text_wrap(f, x, y, width, title, fn->title, 1, 0, draw);
    }
    if (subtitle && *subtitle) {
        y += 0.35 * fn->subtitle;
        cairo_set_source_rgb(f->cr, 0.3, 0.3, 0.3);
        y += chart_text_wrap(f, x, y, width, subtitle, fn->subtitle, 0, 0, draw);
    }
    return y - y_top;
}

double plot_header(chart_fig *f, double x, double top, double width, const char *title,
                   const chart_key *k, int nk, const chart_fonts *fn, int draw)
{
    if (!title)
        title = "";
    double tw = chart_text_width(f, title, fn->panel, 1);
    double lw = chart_legend_width(f, k, nk, fn->legend);
    if (tw + 12 + lw <= width) {
        double h = fmax(1.9 * fn->panel, chart_legend_row_h(fn->legend) + 0.4 * fn->panel);
        if (draw) {
            double hy = top + h / 2 - 0.1 * fn->panel;
            cairo_set_source_rgb(f->cr, 0, 0, 0);
            chart_text(f, x, hy, title, fn->panel, 1, 0, 0.5, 0, 1);
            chart_legend_row(f, x + width, hy, k, nk, fn->legend);
        }
        return h;
    }
    if (draw)
        cairo_set_source_rgb(f->cr, 0, 0, 0);
    double th = chart_text_wrap(f, x, top, width, title, fn->panel, 1, 0, draw);
    return th + chart_legend_flow(f, x, top + th, width, k, nk, fn->legend, 0, draw) +
           0.5 * fn->panel;
}

void plot_unit_axis(chart_fig *f, chart_axis *a, double length, double font)
{
    chart_axis_fit(f, a, 0, 1, 0, 0, 6, length, 0, font);
    a->lo = -0.03;
    a->hi = 1.03;
}

char *plot_sibling(const char *path, const char *name)
{
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path + 1) : 0;
    size_t n = dir + strlen(name) + 1;
    char *s = xmalloc(n);
    memcpy(s, path, dir);
    memcpy(s + dir, name, strlen(name) + 1);
    return s;
}

void plot_size(double width_pt, double height_pt, double def_w, double def_h, double *w, double *h)
{
    *w = width_pt > 0 ? width_pt : def_w;
    *h = height_pt > 0 ? height_pt : (width_pt > 0 ? 0 : def_h);
}
