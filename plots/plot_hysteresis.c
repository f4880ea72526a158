/* plot_hysteresis: a ramp experiment (plots, L4): the outstanding work against a config value
 * moved slowly up in one run and down in another, so that a bistable range shows as two
 * branches over the same values. */
#include "plot.h"

#include "chart.h"
#include "metrics.h"
#include "plot_util.h"
#include "table.h"
#include "xmem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HYST_W 560
#define HYST_H 360
#define HYST_MAX 4

typedef struct hrun {
    size_t n;
    double *x, *y, *bad; /* bad: y where the sample is unhealthy, NAN elsewhere */
} hrun;

typedef struct hyst {
    const plot_ramp_run *runs;
    const plot_hysteresis_info *info;
    hrun r[HYST_MAX];
    int n;
} hyst;

static const int RUN_COLOUR[HYST_MAX] = {PAL_BLUE, PAL_VERMILLION, PAL_BLUISH_GREEN,
                                         PAL_REDDISH_PURPLE};
static const int RUN_DASH[HYST_MAX] = {CHART_SOLID, CHART_DASHED, CHART_DASHDOT, CHART_DOTTED};

/* The run's samples inside its ramp, smoothed by a trailing moving average. */
static int load_run(const plot_ramp_run *rr, const char *column, double smooth_s, hrun *out, err *e)
{
    memset(out, 0, sizeof *out);
    table *t = table_read(rr->timeseries_csv, e);
    if (!t)
        return -1;
    size_t n = table_rows(t);
    double *ts = plot_column(t, metric_ts_name[TS_T]), *v = plot_column(t, column),
           *h = plot_column(t, metric_ts_name[TS_HEALTHY]);
    table_free(t);
    out->x = xmalloc((n ? n : 1) * sizeof *out->x);
    out->y = xmalloc((n ? n : 1) * sizeof *out->y);
    out->bad = xmalloc((n ? n : 1) * sizeof *out->bad);
    double sum = 0;
    size_t lo = 0, cnt = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(v[i])) {
            sum += v[i];
            cnt++;
        }
        while (lo < i && ts[i] - ts[lo] >= smooth_s) {
            if (!isnan(v[lo])) {
                sum -= v[lo];
                cnt--;
            }
            lo++;
        }
        if (ts[i] < rr->t0_s || ts[i] > rr->t1_s || cnt == 0)
            continue;
        double frac = rr->t1_s > rr->t0_s ? (ts[i] - rr->t0_s) / (rr->t1_s - rr->t0_s) : 1;
        double y = fmax(1.0, sum / (double)cnt); /* on a log axis: 1 stands for "none" */
        out->x[out->n] = rr->v0 + (rr->v1 - rr->v0) * frac;
        out->y[out->n] = y;
        out->bad[out->n] = h[i] == 0 ? y : NAN;
        out->n++;
    }
    free(ts);
    free(v);
    free(h);
    return 0;
}

static void draw(chart_fig *f, void *ctx)
{
    hyst *c = ctx;
    const plot_hysteresis_info *in = c->info;
    chart_fonts fn = chart_fonts_for(f->w);
    double top = 1.2 * fn.title;
    top += plot_titles(f, 7 * fn.tick, top, f->w - 7 * fn.tick - PLOT_PAD,
                       in->title ? in->title : "hysteresis", in->subtitle, &fn, 1);
    chart_key keys[HYST_MAX + 1];
    int nk = 0;
    for (int i = 0; i < c->n; i++)
        keys[nk++] = (chart_key){c->runs[i].label,
                                 {palette_okabe_ito(RUN_COLOUR[i]), 1.6, RUN_DASH[i], 0},
                                 CHART_KEY_LINE,
                                 CHART_SYM_NONE};
    keys[nk++] = (chart_key){
        "thick: unhealthy", {PLOT_INK, 3.2, CHART_SOLID, 0}, CHART_KEY_LINE, CHART_SYM_NONE};
    double xlo = INFINITY, xhi = -INFINITY, ylo = 1, yhi = 10;
    for (int i = 0; i < c->n; i++) {
        plot_range(c->r[i].x, c->r[i].n, &xlo, &xhi);
        plot_range(c->r[i].y, c->r[i].n, &ylo, &yhi);
    }
    if (!isfinite(xlo)) {
        xlo = 0;
        xhi = 1;
    }
    double ml = 9 * fn.tick, mr = 2 * PLOT_PAD;
    double head = plot_header(f, ml, top + 0.4 * fn.panel, f->w - ml - mr, "state along the ramp",
                              keys, nk, &fn, 0);
    chart_panel p = {.f = f, .x = ml, .y = top + 0.4 * fn.panel + head, .w = f->w - ml - mr};
    p.h = f->h - p.y - 3.2 * fn.tick - PLOT_PAD;
    chart_axis_fit(f, &p.xa, xlo, xhi, 0, 0, 8, p.w, 1, fn.tick);
    chart_axis_fit(f, &p.ya, ylo, yhi * 1.5, 1, 1, 6, p.h, 0, fn.tick);
    plot_header(f, ml, top + 0.4 * fn.panel, p.w, "state along the ramp", keys, nk, &fn, 1);
    chart_grid(&p, 1, 1);
    chart_clip(&p);
    for (int i = 0; i < c->n; i++) {
        rgb col = palette_okabe_ito(RUN_COLOUR[i]);
        chart_line(&p, c->r[i].x, c->r[i].bad, c->r[i].n, 0, (chart_style){col, 3.2, 0, 0.55}, 0);
        chart_line(&p, c->r[i].x, c->r[i].y, c->r[i].n, 0, (chart_style){col, 1.4, RUN_DASH[i], 0},
                   0);
    }
    chart_unclip(&p);
    if (c->n == 0)
        chart_no_data(&p, fn.panel);
    chart_axes(&p, in->x_label ? in->x_label : "ramped value",
               in->y_label ? in->y_label : "SA validations in progress", PLOT_INK, NULL, PLOT_INK);
}

int plot_hysteresis(const plot_ramp_run *runs, int n, const char *out_base, unsigned formats,
                    const plot_hysteresis_info *info, err *e)
{
    if (n < 0 || n > HYST_MAX)
        return err_set(e, "%s: expected 0 to %d ramp runs (got %d)", out_base, HYST_MAX, n);
    static const plot_hysteresis_info none = {0};
    hyst c = {.runs = runs, .info = info ? info : &none, .n = n};
    const char *col = c.info->column ? c.info->column : metric_ts_name[TS_WORK_VALS];
    double smooth = c.info->smooth_s > 0 ? c.info->smooth_s : 60;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = load_run(&runs[i], col, smooth, &c.r[i], e);
    if (rc == 0) {
        double w, h;
        plot_size(c.info->width_pt, c.info->height_pt, HYST_W, HYST_H, &w, &h);
        if (h <= 0)
            h = w * HYST_H / HYST_W;
        rc = chart_render(out_base, formats, w, h, c.info->title ? c.info->title : "hysteresis",
                          "avalanche ramp experiment", draw, &c, e);
    }
    for (int i = 0; i < n; i++) {
        free(c.r[i].x);
        free(c.r[i].y);
        free(c.r[i].bad);
    }
    return rc;
}
