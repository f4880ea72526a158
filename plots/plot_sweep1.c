/* plot_sweep1: the one-axis sweep chart (plots, L4): the probability of each class and of a
 * recovery within the window with 95 % Clopper-Pearson bands, over the median recovery time
 * with its 95 % interval on a log axis of seconds and the recovery window as a reference. */
#include "plot_sweep.h"

#include "plot_util.h"
#include "xmem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int CLASS_DASH[PAL_CLASS_N] = {CHART_SOLID, CHART_DASHED, CHART_DASHDOT, CHART_DOTTED};
static const chart_style WINDOW_STYLE = {{0.1, 0.1, 0.1}, 1.4, CHART_DOTTED, 0};
static const chart_style REC_STYLE = {{0.1, 0.1, 0.1}, 1.1, CHART_SOLID, 0};
static const chart_style BAR_STYLE = {{0.35, 0.35, 0.35}, 0.9, CHART_SOLID, 0};

/* Line colour of a class: the map's colour, but a full sky blue for unresolved (its pale map
 * fill would vanish as a line on white). */
static rgb class_line(int k)
{
    return k == PAL_CLASS_UNRESOLVED ? palette_okabe_ito(PAL_SKY_BLUE) : palette_class(k);
}

typedef struct s1 {
    const sweep *sw;
    chart_fonts fn;
    int cats;
    chart_key ka[PAL_CLASS_N + 1 + PLOT_OVERLAY_MAX], kb[5];
    int nka, nkb;
    char ov_key[PLOT_OVERLAY_MAX][160];
    char win_label[64];
    int any_zero, any_none, any_rec;
    double r_sym; /* marker radius: smaller on a narrow chart */
    double *x, *med, *lo, *hi, *zero, *none;
    /* layout */
    double ml, mr, top, head_a, head_b, gap, bottom, pw, pha, phb, h;
    chart_axis xa, ya, yb;
} s1;

static void s1_free(s1 *c)
{
    free(c->x);
    free(c->med);
    free(c->lo);
    free(c->hi);
    free(c->zero);
    free(c->none);
}

static void s1_data(s1 *c)
{
    const sweep *sw = c->sw;
    size_t n = sw->n, m = n ? n : 1;
    c->x = xmalloc(m * sizeof *c->x);
    c->med = xmalloc(m * sizeof *c->med);
    c->lo = xmalloc(m * sizeof *c->lo);
    c->hi = xmalloc(m * sizeof *c->hi);
    c->zero = xmalloc(m * sizeof *c->zero);
    c->none = xmalloc(m * sizeof *c->none);
    for (size_t i = 0; i < n; i++) {
        const sw_point *q = &sw->pt[i];
        c->x[i] = q->x;
        c->med[i] = q->rec_med > 0 ? q->rec_med : NAN;
        c->lo[i] = q->rec_lo > 0 ? q->rec_lo : NAN;
        c->hi[i] = q->rec_hi > 0 ? q->rec_hi : NAN;
        c->zero[i] = q->rec_med == 0 ? 1 : NAN; /* placed at the floor when drawing */
        /* replicated, none recovered: marked at the top */
        int none = (q->n_rec == 0 || (isnan(q->rec_med) && q->reps > 0)) && sw->has_recovery;
        c->none[i] = none ? 1 : NAN;
        c->any_zero |= q->rec_med == 0;
        c->any_none |= none;
        c->any_rec |= q->rec_med > 0;
    }
}

/* Overlay i's P(stable) line: thinner than the classes' own. */
static chart_style overlay_line(int i)
{
    chart_style s = sweep_overlay_style(i);
    s.width = s.dash == CHART_DOTTED ? 1.5 : 1.1;
    return s;
}

static void s1_keys(s1 *c)
{
    const sweep *sw = c->sw;
    c->nka = 0;
    for (int k = 0; k < PAL_CLASS_N; k++) {
        if (!sw->cols[k])
            continue;
        chart_key *key = &c->ka[c->nka++];
        key->label = palette_class_name(k);
        key->s = (chart_style){class_line(k), 1.8, CLASS_DASH[k], 0};
        key->kind = CHART_KEY_BAND;
        key->symbol = CHART_SYM_NONE;
    }
    if (sw->has_window) {
        chart_key *key = &c->ka[c->nka++];
        key->label = "recovered within the window";
        key->s = WINDOW_STYLE;
        key->kind = CHART_KEY_LINE;
        key->symbol = CHART_SYM_NONE;
    }
    for (int i = 0; i < sw->nov; i++) {
        snprintf(c->ov_key[i], sizeof c->ov_key[i], "stable, %s", sw->ov_label[i]);
        c->ka[c->nka++] =
            (chart_key){c->ov_key[i], overlay_line(i), CHART_KEY_LINE, CHART_SYM_NONE};
    }
    c->nkb = 0;
    if (c->any_rec) {
        c->kb[c->nkb++] = (chart_key){"median", REC_STYLE, CHART_KEY_LINE, CHART_SYM_CIRCLE};
        c->kb[c->nkb++] =
            (chart_key){"95 % interval (6+ recoveries)", BAR_STYLE, CHART_KEY_LINE, CHART_SYM_NONE};
    }
    if (c->any_zero)
        c->kb[c->nkb++] = (chart_key){"0 s: no outage (at the bottom)",
                                      (chart_style){PLOT_INK, 0, CHART_SOLID, 0}, CHART_KEY_LINE,
                                      CHART_SYM_TRIANGLE_DOWN};
    if (c->any_none)
        c->kb[c->nkb++] =
            (chart_key){"no run recovered (at the top)",
                        (chart_style){palette_okabe_ito(PAL_VERMILLION), 0, CHART_SOLID, 0},
                        CHART_KEY_LINE, CHART_SYM_CROSS};
}

static void fit_rec_axis(chart_fig *f, s1 *c, double h)
{
    double lo = INFINITY, hi = -INFINITY;
    size_t n = c->sw->n;
    plot_range(c->med, n, &lo, &hi);
    plot_range(c->lo, n, &lo, &hi);
    plot_range(c->hi, n, &lo, &hi);
    double win = c->sw->info->recovery_window_s;
    if (win > 0) {
        lo = fmin(lo, win);
        hi = fmax(hi, win);
    }
    if (!isfinite(lo)) {
        lo = 10;
        hi = 1000;
    }
    /* room at the bottom for "no outage" and at the top for "none recovered" */
    chart_axis_fit_time(f, &c->yb, lo / 2.2, hi * 2.2, h, 0, c->fn.tick);
}

static const char *TITLE_A = "(a) Probability of each outcome, 95 % Clopper-Pearson bands";
static const char *TITLE_B = "(b) Median time to recover after the trigger, runs that recovered "
                             "(log scale)";

static void layout(chart_fig *f, s1 *c, double w, double h)
{
    const sweep *sw = c->sw;
    const plot_sweep_info *in = sw->info;
    c->fn = chart_fonts_for(w);
    const chart_fonts *fn = &c->fn;
    c->cats = in->x_cats != NULL;
    c->ml = 7 * fn->tick;
    c->mr = 1.5 * PLOT_PAD;
    c->gap = 1.2 * fn->panel + 4;
    for (int round = 0; round < 3; round++) {
        c->pw = w - c->ml - c->mr;
        c->r_sym = fmax(1.5, fmin(2.4, 2.4 * c->pw / 500));
        if (c->cats) {
            chart_axis_cats(f, &c->xa, in->x_cats, in->nx_cats, c->pw, 1, fn->tick);
        } else {
            double lo = sw->x_lo, hi = sw->x_hi;
            plot_range(c->x, sw->n, &lo, &hi);
            if (!isfinite(lo)) {
                lo = in->x_log ? 1 : 0;
                hi = in->x_log ? 10 : 1;
            }
            chart_axis_fit(f, &c->xa, lo, hi, in->x_log, 0, 8, c->pw, 1, fn->tick);
        }
        c->top = 1.2 * fn->title;
        c->top += plot_titles(f, c->ml, c->top, w - c->ml - PLOT_PAD,
                              in->title ? in->title : "class probabilities", in->subtitle, fn, 0);
        c->top += 0.6 * fn->panel;
        c->head_a = plot_header(f, 0, 0, c->pw, TITLE_A, c->ka, c->nka, fn, 0);
        c->head_b = plot_header(f, 0, 0, c->pw, TITLE_B, c->kb, c->nkb, fn, 0);
        c->bottom = chart_axis_extent(f, &c->xa, 1) + 1.3 * (fn->tick + 1) + 0.6 * PLOT_PAD;
        double fixed = c->top + c->head_a + c->gap + c->head_b + c->bottom;
        double both;
        if (h > 0)
            both = fmax(80, h - fixed);
        else
            both = fmin(300, fmax(150, 0.5 * w));
        c->pha = 0.56 * both;
        c->phb = both - c->pha;
        c->h = fixed + both;
        plot_unit_axis(f, &c->ya, c->pha, fn->tick);
        fit_rec_axis(f, c, c->phb);
        double ext = fmax(chart_axis_extent(f, &c->ya, 0), chart_axis_extent(f, &c->yb, 0));
        c->ml = ext + 6 + CHART_CAP_EM * (fn->tick + 1) + 0.6 * PLOT_PAD;
        char last[128];
        chart_axis_label(&c->xa, c->xa.t.v[c->xa.t.n > 0 ? c->xa.t.n - 1 : 0], last, sizeof last);
        c->mr = fmax(1.2 * PLOT_PAD, chart_text_width(f, last, fn->tick, 0) / 2 + 2);
    }
}

static void draw_probabilities(s1 *c, const chart_panel *p)
{
    const sweep *sw = c->sw;
    size_t n = sw->n, m = n ? n : 1;
    double *xd = xmalloc(m * sizeof *xd), *v = xmalloc(m * sizeof *v),
           *lo = xmalloc(m * sizeof *lo), *hi = xmalloc(m * sizeof *hi);
    chart_grid(p, 1, 1);
    int series = 0;
    for (int k = 0; k <= PAL_CLASS_N; k++)
        series += k < PAL_CLASS_N ? sw->cols[k] : sw->has_window;
    int s = 0;
    /* bands first, then the lines on top; on a categorical axis the classes are dodged apart
     * with error bars instead of bands */
    for (int pass = 0; pass < 2; pass++) {
        s = 0;
        for (int k = 0; k <= PAL_CLASS_N; k++) {
            int win = k == PAL_CLASS_N;
            if (win ? !sw->has_window : !sw->cols[k])
                continue;
            double dodge = c->cats ? (s - (series - 1) / 2.0) * fmin(0.6 / series, 0.12) : 0;
            for (size_t i = 0; i < n; i++) {
                const sw_point *q = &sw->pt[i];
                xd[i] = c->x[i] + dodge;
                v[i] = win ? q->pw : q->p[k];
                lo[i] = win ? q->pw_lo : q->lo[k];
                hi[i] = win ? q->pw_hi : q->hi[k];
            }
            chart_style line =
                win ? WINDOW_STYLE : (chart_style){class_line(k), 1.8, CLASS_DASH[k], 0};
            if (pass == 0 && !c->cats && !win) {
                chart_style band = {line.c, 0, CHART_SOLID, 0.15};
                chart_band(p, xd, lo, hi, n, band);
            } else if (pass == 1) {
                if (win && !c->cats) { /* its band as two hairlines: a fifth fill would muddy */
                    chart_style edge = {line.c, 0.6, CHART_DOTTED, 0};
                    chart_line(p, xd, lo, n, 0, edge, 0);
                    chart_line(p, xd, hi, n, 0, edge, 0);
                }
                if (c->cats) {
                    chart_style bar = line;
                    bar.width = 1.0;
                    bar.dash = CHART_SOLID;
                    chart_errorbars(p, xd, lo, hi, n, bar, 3);
                } else {
                    chart_line(p, xd, v, n, 0, line, 0);
                }
                chart_style mk = {line.c, 1.2, CHART_SOLID, 0};
                chart_symbols(p, xd, v, n, 0, mk, win ? CHART_SYM_DOT : CHART_SYM_CIRCLE,
                              win ? 0.66 * c->r_sym : c->r_sym);
            }
            s++;
        }
    }
    /* the overlays' P(stable) over everything of this sweep */
    for (int i = 0; i < sw->nov; i++) {
        const sweep *o = &sw->ov[i];
        double *ox = xmalloc((o->n ? o->n : 1) * sizeof *ox);
        double *op = xmalloc((o->n ? o->n : 1) * sizeof *op);
        for (size_t j = 0; j < o->n; j++) {
            ox[j] = o->pt[j].x;
            op[j] = o->pt[j].p[PAL_CLASS_STABLE];
        }
        chart_line(p, ox, op, o->n, 0, overlay_line(i), 0);
        free(ox);
        free(op);
    }
    if (s == 0)
        chart_no_data(p, c->fn.panel);
    free(xd);
    free(v);
    free(lo);
    free(hi);
}

static void draw_recovery(s1 *c, const chart_panel *p)
{
    const sweep *sw = c->sw;
    size_t n = sw->n;
    chart_grid(p, 1, 1);
    double win = sw->info->recovery_window_s;
    if (win > 0) {
        char d[32];
        chart_fmt_duration(win, d, sizeof d);
        snprintf(c->win_label, sizeof c->win_label, "recovery window %s", d);
        chart_hline(p, win, 0, (chart_style){{0.3, 0.3, 0.3}, 0.9, CHART_DASHED, 0}, c->win_label,
                    c->fn.legend);
    }
    chart_errorbars(p, c->x, c->lo, c->hi, n, BAR_STYLE, c->cats ? 5 : 3.5);
    if (!c->cats)
        chart_line(p, c->x, c->med, n, 0, REC_STYLE, 0);
    chart_symbols(p, c->x, c->med, n, 0, REC_STYLE, CHART_SYM_CIRCLE, c->r_sym);
    /* 0 s just above the bottom edge, "none recovered" just under the top */
    double bottom = c->yb.lo * pow(c->yb.hi / c->yb.lo, 0.06);
    double top = c->yb.hi * pow(c->yb.lo / c->yb.hi, 0.06);
    double *y = xmalloc((n ? n : 1) * sizeof *y);
    for (size_t i = 0; i < n; i++)
        y[i] = c->zero[i] == 1 ? bottom : NAN;
    chart_symbols(p, c->x, y, n, 0, (chart_style){PLOT_INK, 1.1, CHART_SOLID, 0},
                  CHART_SYM_TRIANGLE_DOWN, 1.15 * c->r_sym);
    for (size_t i = 0; i < n; i++)
        y[i] = c->none[i] == 1 ? top : NAN;
    chart_symbols(p, c->x, y, n, 0,
                  (chart_style){palette_okabe_ito(PAL_VERMILLION), 1.3, CHART_SOLID, 0},
                  CHART_SYM_CROSS, 1.1 * c->r_sym);
    free(y);
    if (!c->any_rec && !c->any_zero && !c->any_none)
        chart_no_data(p, c->fn.panel);
}

static void s1_setup(s1 *c, const sweep *sw)
{
    memset(c, 0, sizeof *c);
    c->sw = sw;
    s1_data(c);
    s1_keys(c);
}

void draw_sweep1(chart_fig *f, void *ctx)
{
    const sweep *sw = ctx;
    const plot_sweep_info *in = sw->info;
    s1 c;
    s1_setup(&c, sw);
    layout(f, &c, f->w, f->h);
    const chart_fonts *fn = &c.fn;
    plot_titles(f, c.ml, 1.2 * fn->title, f->w - c.ml - PLOT_PAD,
                in->title ? in->title : "class probabilities", in->subtitle, fn, 1);
    chart_panel a = {.f = f, .x = c.ml, .y = c.top + c.head_a, .w = c.pw, .h = c.pha};
    a.xa = c.xa;
    a.ya = c.ya;
    chart_panel b = {.f = f, .x = c.ml, .y = a.y + a.h + c.gap + c.head_b, .w = c.pw, .h = c.phb};
    b.xa = c.xa;
    b.ya = c.yb;
    draw_probabilities(&c, &a);
    chart_axes(&a, NULL, "probability", PLOT_INK, NULL, PLOT_INK);
    plot_header(f, a.x, a.y - c.head_a, a.w, TITLE_A, c.ka, c.nka, fn, 1);
    draw_recovery(&c, &b);
    chart_axes(&b, in->x_label ? in->x_label : "x", "recovery time", PLOT_INK, NULL, PLOT_INK);
    plot_header(f, b.x, b.y - c.head_b, b.w, TITLE_B, c.kb, c.nkb, fn, 1);
    s1_free(&c);
}

double sweep1_height(const sweep *sw, double w)
{
    chart_fig f;
    chart_scratch(&f, w, 0);
    s1 c;
    s1_setup(&c, sw);
    layout(&f, &c, w, 0);
    double h = c.h;
    s1_free(&c);
    chart_scratch_free(&f);
    return ceil(h);
}
