/* plot_capacity: the capacity search's probes (plots, L4): P(stable) with 95 % intervals against
 * the searched value, per config, with the target and the answers. */
#include "plot.h"

#include "chart.h"
#include "plot_util.h"
#include "table.h"
#include "xmem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP_W 600
#define CAP_H 380
#define CAP_MAX 8

typedef struct cap_chart {
    const plot_capacity_info *info;
    int n; /* configs */
    const char *names[CAP_MAX];
    size_t np[CAP_MAX];
    double *x[CAP_MAX], *p[CAP_MAX], *lo[CAP_MAX], *hi[CAP_MAX];
} cap_chart;

static const int COLOUR[CAP_MAX] = {PAL_BLUE,           PAL_VERMILLION, PAL_BLUISH_GREEN,
                                    PAL_REDDISH_PURPLE, PAL_ORANGE,     PAL_SKY_BLUE,
                                    PAL_BLACK,          PAL_YELLOW};

static void draw(chart_fig *f, void *ctx)
{
    cap_chart *c = ctx;
    const plot_capacity_info *in = c->info;
    chart_fonts fn = chart_fonts_for(f->w);
    double ml = 7 * fn.tick, mr = 2 * PLOT_PAD, top = 1.2 * fn.title;
    top += plot_titles(f, ml, top, f->w - ml - PLOT_PAD, in->title ? in->title : "capacity",
                       in->subtitle, &fn, 1);
    chart_key keys[CAP_MAX + 1];
    int nk = 0;
    for (int i = 0; i < c->n; i++)
        keys[nk++] =
            (chart_key){in->labels && i < in->n && in->labels[i] ? in->labels[i] : c->names[i],
                        {palette_okabe_ito(COLOUR[i]), 1.3, CHART_SOLID, 0},
                        CHART_KEY_LINE,
                        CHART_SYM_CIRCLE};
    keys[nk++] =
        (chart_key){"target", {PLOT_INK, 1.0, CHART_DASHED, 0}, CHART_KEY_LINE, CHART_SYM_NONE};
    double head =
        plot_header(f, ml, top + 0.4 * fn.panel, f->w - ml - mr,
                    "P(stable) at each probe; vertical line: the answer", keys, nk, &fn, 0);
    chart_panel p = {.f = f, .x = ml, .y = top + 0.4 * fn.panel + head, .w = f->w - ml - mr};
    p.h = f->h - p.y - 3.2 * fn.tick - PLOT_PAD;
    double xlo = INFINITY, xhi = -INFINITY;
    for (int i = 0; i < c->n; i++)
        plot_range(c->x[i], c->np[i], &xlo, &xhi);
    if (!isfinite(xlo)) {
        xlo = 0;
        xhi = 1;
    }
    chart_axis_fit(f, &p.xa, xlo, xhi, 0, 1, 8, p.w, 1, fn.tick);
    plot_unit_axis(f, &p.ya, p.h, fn.tick);
    plot_header(f, ml, top + 0.4 * fn.panel, p.w,
                "P(stable) at each probe; vertical line: the answer", keys, nk, &fn, 1);
    chart_grid(&p, 1, 1);
    chart_hline(&p, in->target, 0, (chart_style){PLOT_INK, 1.0, CHART_DASHED, 0}, NULL, fn.legend);
    for (int i = 0; i < c->n; i++) {
        rgb col = palette_okabe_ito(COLOUR[i]);
        double dodge = (i - (c->n - 1) / 2.0) * 0.004 * (xhi - xlo);
        double *xd = xmalloc((c->np[i] ? c->np[i] : 1) * sizeof *xd);
        for (size_t k = 0; k < c->np[i]; k++)
            xd[k] = c->x[i][k] + dodge;
        chart_errorbars(&p, xd, c->lo[i], c->hi[i], c->np[i], (chart_style){col, 1.0, 0, 0}, 3);
        chart_symbols(&p, xd, c->p[i], c->np[i], 0, (chart_style){col, 1.2, 0, 0}, CHART_SYM_CIRCLE,
                      2.4);
        free(xd);
        if (in->answers && i < in->n && isfinite(in->answers[i]))
            chart_vspan(&p, in->answers[i], in->answers[i], col, 0.9);
    }
    if (c->n == 0)
        chart_no_data(&p, fn.panel);
    chart_axes(&p, in->x_label ? in->x_label : "value", "P(stable)", PLOT_INK, NULL, PLOT_INK);
}

int plot_capacity(const char *probes_csv, const char *out_base, unsigned formats,
                  const plot_capacity_info *info, err *e)
{
    static const plot_capacity_info none = {0};
    if (!info)
        info = &none;
    table *t = table_read(probes_csv, e);
    if (!t)
        return -1;
    cap_chart c = {.info = info};
    size_t rows = table_rows(t);
    int cc = table_col(t, "config");
    double *v = plot_column(t, "value"), *pp = plot_column(t, "p_stable"),
           *lo = plot_column(t, "p_stable_lo"), *hi = plot_column(t, "p_stable_hi");
    for (size_t r = 0; r < rows; r++) {
        const char *name = table_str(t, r, cc);
        int i = 0;
        while (i < c.n && strcmp(c.names[i], name ? name : "") != 0)
            i++;
        if (i == c.n) {
            if (c.n == CAP_MAX)
                continue;
            c.names[c.n] = xstrdup(name ? name : "");
            c.x[i] = xmalloc(rows * sizeof(double));
            c.p[i] = xmalloc(rows * sizeof(double));
            c.lo[i] = xmalloc(rows * sizeof(double));
            c.hi[i] = xmalloc(rows * sizeof(double));
            c.n++;
        }
        size_t k = c.np[i]++;
        c.x[i][k] = v[r];
        c.p[i][k] = pp[r];
        c.lo[i][k] = lo[r];
        c.hi[i][k] = hi[r];
    }
    table_free(t);
    free(v);
    free(pp);
    free(lo);
    free(hi);
    double w, h;
    plot_size(info->width_pt, info->height_pt, CAP_W, CAP_H, &w, &h);
    if (h <= 0)
        h = w * CAP_H / CAP_W;
    int rc = chart_render(out_base, formats, w, h, info->title ? info->title : "capacity",
                          "avalanche capacity search", draw, &c, e);
    for (int i = 0; i < c.n; i++) {
        free((char *)c.names[i]);
        free(c.x[i]);
        free(c.p[i]);
        free(c.lo[i]);
        free(c.hi[i]);
    }
    return rc;
}
