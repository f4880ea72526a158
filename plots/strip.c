/* strip: stacked time panels (plots, L4). The layout is computed twice: the margins depend on
 * the tick labels, which depend on the panel heights, which depend on the margins. */
#include "strip.h"

#include "plot_util.h"
#include "xmem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_ROWS 3  /* rows of intervention labels before they are numbered instead */
#define NUM_ROWS 4   /* rows of numbers before they may overlap */
#define LEADER_GAP 2 /* label text to its marker line, pt */

static const chart_style MARK_STYLE = {{0.25, 0.25, 0.25}, 0.8, CHART_DASHDOT, 0};

typedef struct mplace {
    double x, a, b; /* marker position; label extent */
    int row;
} mplace;

typedef struct layout {
    chart_fonts fn;
    double w, h;
    double ml, mr, gap, bottom;
    double titles_y, titles_h;
    double keys_y, keys_h;
    double note_y, note_h; /* numbered interventions' key */
    double marks_y, marks_h;
    chart_axis xa;
    int nm;        /* marks inside the time range */
    int *mi;       /* their indices, by time */
    mplace *mp;    /* their placement */
    char **mlabel; /* drawn at the marker (the label or its number) */
    char *note;    /* "1 label; 2 label" when numbered */
    int mrows;
} layout;

static void layout_free(layout *L)
{
    for (int i = 0; i < L->nm; i++)
        free(L->mlabel[i]);
    free(L->mlabel);
    free(L->mi);
    free(L->mp);
    free(L->note);
}

/* ---- intervention labels ---- */

static int conflicts(const mplace *p, int k, int n, double gap)
{
    for (int j = 0; j < n; j++) {
        if (j == k || p[j].row < 0)
            continue;
        if (p[j].row == p[k].row && p[k].a < p[j].b + gap && p[j].a < p[k].b + gap)
            return 1;
        /* a leader runs down from its label through every lower row */
        if (p[j].row < p[k].row && p[k].x > p[j].a - 1 && p[k].x < p[j].b + 1)
            return 1;
        if (p[j].row > p[k].row && p[j].x > p[k].a - 1 && p[j].x < p[k].b + 1)
            return 1;
    }
    return 0;
}

/* Extent of label k: right of its marker (alt 0) or left of it (alt 1), inside [lo, hi]. */
static int extent(mplace *p, const double *x, const double *w, int k, int alt, double lo, double hi)
{
    p[k].x = x[k];
    if (alt == 0) {
        p[k].a = x[k] + LEADER_GAP;
        p[k].b = p[k].a + w[k];
        return p[k].b <= hi;
    }
    p[k].b = x[k] - LEADER_GAP;
    p[k].a = p[k].b - w[k];
    return p[k].a >= lo;
}

/* Rows for labels at x (increasing) of widths w inside [lo, hi], each in the lowest row where
 * neither it nor its leader touches another; labels go right of their marker where they fit,
 * else left of it. Tries placing right to left and left to right (stacks of labels left of
 * their markers need the latter). Returns the rows used, or 0 when some label needs more than
 * maxrows. */
static int place(mplace *p, const double *x, const double *w, int n, double lo, double hi,
                 double gap, int maxrows)
{
    mplace *best = xmalloc((size_t)n * sizeof *best);
    int best_rows = 0;
    for (int order = 0; order < 2; order++) {
        for (int k = 0; k < n; k++)
            p[k].row = -1;
        int rows = 0, ok = 1;
        for (int step = 0; step < n && ok; step++) {
            int k = order == 0 ? n - 1 - step : step;
            int done = 0;
            for (int r = 0; r < maxrows && !done; r++)
                for (int alt = 0; alt < 2 && !done; alt++) {
                    if (!extent(p, x, w, k, alt, lo, hi))
                        continue;
                    p[k].row = r;
                    if (conflicts(p, k, n, gap))
                        p[k].row = -1;
                    else
                        done = 1;
                }
            if (!done)
                ok = 0;
            else if (p[k].row + 1 > rows)
                rows = p[k].row + 1;
        }
        if (ok && (best_rows == 0 || rows < best_rows)) {
            best_rows = rows;
            memcpy(best, p, (size_t)n * sizeof *p);
        }
    }
    if (best_rows > 0)
        memcpy(p, best, (size_t)n * sizeof *p);
    free(best);
    return best_rows;
}

static void layout_marks(chart_fig *f, const strip *s, layout *L, double x0, double pw)
{
    layout_free(L);
    L->nm = 0;
    L->mi = NULL;
    L->mp = NULL;
    L->mlabel = NULL;
    L->note = NULL;
    L->mrows = 0;
    if (!s->marks || s->nmarks <= 0)
        return;
    L->mi = xmalloc((size_t)s->nmarks * sizeof *L->mi);
    for (int i = 0; i < s->nmarks; i++) {
        double fr = chart_axis_frac(&L->xa, s->marks[i].at_s);
        if (fr >= -1e-9 && fr <= 1 + 1e-9)
            L->mi[L->nm++] = i;
    }
    /* by time (insertion sort: a handful) */
    for (int i = 1; i < L->nm; i++)
        for (int j = i; j > 0 && s->marks[L->mi[j]].at_s < s->marks[L->mi[j - 1]].at_s; j--) {
            int t = L->mi[j];
            L->mi[j] = L->mi[j - 1];
            L->mi[j - 1] = t;
        }
    int n = L->nm;
    if (n == 0)
        return;
    L->mp = xmalloc((size_t)n * sizeof *L->mp);
    L->mlabel = xcalloc((size_t)n, sizeof *L->mlabel);
    double *x = xmalloc((size_t)n * sizeof *x), *w = xmalloc((size_t)n * sizeof *w);
    double font = L->fn.legend, gap = 0.8 * font;
    for (int k = 0; k < n; k++) {
        const plot_mark *m = &s->marks[L->mi[k]];
        x[k] = x0 + chart_axis_frac(&L->xa, m->at_s) * pw;
        w[k] = chart_text_width(f, m->label ? m->label : "", font, 0);
    }
    int rows = place(L->mp, x, w, n, PLOT_PAD * 0.5, L->w - PLOT_PAD * 0.5, gap, MARK_ROWS);
    if (rows > 0) {
        for (int k = 0; k < n; k++)
            L->mlabel[k] = xstrdup(s->marks[L->mi[k]].label ? s->marks[L->mi[k]].label : "");
    } else {
        /* numbered markers and a key under the titles */
        size_t cap = 64;
        for (int k = 0; k < n; k++) {
            char num[16];
            snprintf(num, sizeof num, "%d", k + 1);
            L->mlabel[k] = xstrdup(num);
            w[k] = chart_text_width(f, num, font, 1);
            const char *lab = s->marks[L->mi[k]].label;
            cap += strlen(lab ? lab : "") + 48;
        }
        rows = place(L->mp, x, w, n, PLOT_PAD * 0.5, L->w - PLOT_PAD * 0.5, 0.4 * font, NUM_ROWS);
        if (rows == 0) { /* crowded beyond help: cycle through the rows */
            rows = NUM_ROWS;
            for (int k = 0; k < n; k++) {
                L->mp[k].x = x[k];
                L->mp[k].a = x[k] + LEADER_GAP;
                L->mp[k].b = L->mp[k].a + w[k];
                L->mp[k].row = k % NUM_ROWS;
            }
        }
        L->note = xmalloc(cap);
        size_t len = 0;
        len += (size_t)snprintf(L->note + len, cap - len, "Interventions:");
        for (int k = 0; k < n; k++) {
            const plot_mark *m = &s->marks[L->mi[k]];
            len += (size_t)snprintf(L->note + len, cap - len, "%s %d at %g s: %s", k ? ";" : "",
                                    k + 1, m->at_s, m->label ? m->label : "");
        }
    }
    L->mrows = rows;
    free(x);
    free(w);
}

/* ---- axes ---- */

static void fit_y(chart_fig *f, const strip_panel *sp, int right, double h, double font,
                  chart_axis *a)
{
    int scale = right ? sp->scale2 : sp->scale;
    if (scale == STRIP_UNIT) {
        plot_unit_axis(f, a, h, font);
        return;
    }
    double lo = INFINITY, hi = -INFINITY, pos = INFINITY;
    for (int k = 0; k < sp->ns; k++) {
        if (sp->s[k].right != right)
            continue;
        plot_range(sp->s[k].y, sp->s[k].n, &lo, &hi);
        for (size_t i = 0; i < sp->s[k].n; i++)
            if (sp->s[k].y[i] > 0 && sp->s[k].y[i] < pos)
                pos = sp->s[k].y[i];
    }
    if (!right && sp->extra_hi > 0)
        hi = isfinite(hi) ? fmax(hi, sp->extra_hi) : sp->extra_hi;
    if (scale == STRIP_LOG) {
        /* floor at the decade below the smallest positive value, between 0.01 and 1 per s (a
         * rate sampled every 1-100 s); ceiling at the decade above the largest */
        double fl = isfinite(pos) ? pow(10.0, floor(log10(pos) + 1e-9)) : 0.1;
        fl = fmin(fmax(fl, 0.01), 1.0);
        double top = isfinite(hi) && hi > fl ? hi * 1.2 : fl * 100;
        chart_axis_fit(f, a, fl, top, 1, 1, 5, h, 0, font);
        return;
    }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    if (lo > 0)
        lo = 0; /* counts and rates: keep zero in view */
    if (hi <= lo)
        hi = lo + 1;
    chart_axis_fit(f, a, lo, hi + 0.04 * (hi - lo), 0, 1, 5, h, 0, font);
}

static int has_right(const strip_panel *sp)
{
    for (int k = 0; k < sp->ns; k++)
        if (sp->s[k].right)
            return 1;
    return 0;
}

static int panel_keys(const strip_panel *sp, chart_key *k)
{
    int n = 0;
    for (int i = 0; i < sp->ns; i++)
        if (sp->s[i].label) {
            k[n].label = sp->s[i].label;
            k[n].s = sp->s[i].st;
            k[n].s.width = fmax(k[n].s.width, 1.6);
            k[n].kind = CHART_KEY_LINE;
            k[n++].symbol = CHART_SYM_NONE;
        }
    for (int i = 0; i < sp->nextra; i++)
        k[n++] = sp->extra[i];
    return n;
}

static double header_height(chart_fig *f, strip_panel *sp, double pw, const chart_fonts *fn)
{
    chart_key k[STRIP_SERIES + STRIP_KEYS];
    int nk = panel_keys(sp, k);
    return plot_header(f, 0, 0, pw, sp->title, k, nk, fn, 0);
}

/* Fills L and every panel's p for a figure w wide and h high (h 0: natural height, returned). */
static double lay_out(chart_fig *f, strip *s, layout *L, double w, double h)
{
    L->w = w;
    L->fn = chart_fonts_for(w);
    const chart_fonts *fn = &L->fn;
    int any_right = 0;
    for (int i = 0; i < s->np; i++)
        any_right |= has_right(&s->pan[i]);
    double tlo = INFINITY, thi = -INFINITY;
    for (int i = 0; i < s->np; i++)
        for (int k = 0; k < s->pan[i].ns; k++) {
            const strip_series *q = &s->pan[i].s[k];
            plot_range(q->t, q->n, &tlo, &thi);
            if (q->n > 1 && isfinite(q->t[0]) && isfinite(q->t[1]))
                tlo = fmin(tlo, fmax(0, q->t[0] - (q->t[1] - q->t[0])));
        }
    if (!isfinite(tlo)) {
        tlo = 0;
        thi = 1;
    }
    L->ml = 7.5 * fn->tick;
    L->mr = any_right ? 7.5 * fn->tick : 1.5 * PLOT_PAD;
    L->gap = 1.2 * fn->panel + 4;
    double ph = 0, total = 0;
    for (int round = 0; round < 3; round++) {
        double pw = w - L->ml - L->mr;
        chart_axis_fit(f, &L->xa, tlo, thi, 0, 0, 10, pw, 1, fn->tick);
        layout_marks(f, s, L, L->ml, pw);
        double y = 1.2 * fn->title;
        L->titles_y = y;
        L->titles_h = plot_titles(f, L->ml, y, w - L->ml - PLOT_PAD, s->title, s->subtitle, fn, 0);
        y += L->titles_h + 0.6 * fn->panel;
        L->keys_y = y;
        L->keys_h = chart_legend_flow(f, L->ml, y, pw, s->fig_keys, s->nfig_keys, fn->legend, 0, 0);
        y += L->keys_h + (L->keys_h > 0 ? 0.4 * fn->panel : 0);
        L->note_y = y;
        L->note_h = L->note ? chart_text_wrap(f, L->ml, y, pw, L->note, fn->legend, 0, 0, 0) +
                                  0.3 * fn->panel
                            : 0;
        y += L->note_h;
        double heads = 0;
        for (int i = 0; i < s->np; i++) {
            s->pan[i].head_h = header_height(f, &s->pan[i], pw, fn);
            heads += s->pan[i].head_h;
        }
        L->marks_h = L->mrows * 1.35 * fn->legend + (L->mrows ? 2 : 0);
        L->bottom = chart_axis_extent(f, &L->xa, 1) + 1.3 * (fn->tick + 1) + 0.6 * PLOT_PAD;
        double fixed = y + heads + L->marks_h + (s->np - 1) * L->gap + L->bottom;
        if (h > 0)
            ph = fmax(24, (h - fixed) / s->np);
        else
            ph = fmin(104, fmax(56, 0.145 * w));
        total = fixed + s->np * ph;
        /* panels */
        double py = y;
        double need_l = 0, need_r = 0;
        for (int i = 0; i < s->np; i++) {
            strip_panel *sp = &s->pan[i];
            sp->head_y = py;
            py += sp->head_h;
            if (i == 0) {
                L->marks_y = py;
                py += L->marks_h;
            }
            chart_panel *p = &sp->p;
            memset(p, 0, sizeof *p);
            p->f = f;
            p->x = L->ml;
            p->y = py;
            p->w = pw;
            p->h = ph;
            p->xa = L->xa;
            fit_y(f, sp, 0, ph, fn->tick, &p->ya);
            need_l = fmax(need_l, chart_axis_extent(f, &p->ya, 0));
            if (has_right(sp)) {
                p->has_y2 = 1;
                fit_y(f, sp, 1, ph, fn->tick, &p->y2a);
                need_r = fmax(need_r, chart_axis_extent(f, &p->y2a, 0));
            }
            py += ph + L->gap;
        }
        /* axis titles are (tick + 1) pt, 6 pt from the labels */
        L->ml = need_l + 6 + CHART_CAP_EM * (fn->tick + 1) + 0.6 * PLOT_PAD;
        char last[48];
        chart_axis_label(&L->xa, L->xa.t.v[L->xa.t.n > 0 ? L->xa.t.n - 1 : 0], last, sizeof last);
        double half = chart_text_width(f, last, fn->tick, 0) / 2 + 2;
        L->mr = any_right ? need_r + 6 + CHART_CAP_EM * (fn->tick + 1) + 0.6 * PLOT_PAD
                          : fmax(half, 1.2 * PLOT_PAD);
    }
    return total;
}

/* ---- drawing ---- */

static void draw_spans(const strip_panel *sp)
{
    if (!sp->span_t || !sp->span_on)
        return;
    const chart_panel *p = &sp->p;
    size_t i = 0;
    while (i < sp->nspan) {
        if (!(sp->span_on[i] > 0.5)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < sp->nspan && sp->span_on[j + 1] > 0.5)
            j++;
        /* samples hold over (t[i-1], t[i]] */
        double t0 = i > 0 ? sp->span_t[i - 1]
                          : (sp->nspan > 1 ? 2 * sp->span_t[0] - sp->span_t[1] : sp->span_t[0]);
        double t1 = sp->span_t[j];
        if (isfinite(t0) && isfinite(t1) && t1 > t0)
            chart_vspan(p, t0, t1, sp->span_c, sp->span_alpha);
        i = j + 1;
    }
}

static void draw_header(chart_fig *f, strip_panel *sp, const chart_fonts *fn)
{
    const chart_panel *p = &sp->p;
    chart_key k[STRIP_SERIES + STRIP_KEYS];
    int nk = panel_keys(sp, k);
    plot_header(f, p->x, sp->head_y, p->w, sp->title, k, nk, fn, 1);
}

static void draw_marks(chart_fig *f, const strip *s, const layout *L)
{
    if (L->nm == 0)
        return;
    cairo_t *cr = f->cr;
    double pitch = 1.35 * L->fn.legend;
    double panel_top = s->pan[0].p.y;
    for (int k = 0; k < L->nm; k++) {
        const mplace *m = &L->mp[k];
        double cy = L->marks_y + (L->mrows - 1 - m->row + 0.5) * pitch;
        cairo_save(cr);
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        cairo_set_line_width(cr, 0.6);
        cairo_move_to(cr, m->x, cy - 0.5 * pitch + 1);
        cairo_line_to(cr, m->x, panel_top);
        cairo_stroke(cr);
        cairo_restore(cr);
        cairo_set_source_rgb(cr, PLOT_INK.r, PLOT_INK.g, PLOT_INK.b);
        chart_text(f, m->a, cy, L->mlabel[k], L->fn.legend, L->note != NULL, 0, 0.5, 0, 1);
    }
    if (L->note) {
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        chart_text_wrap(f, L->ml, L->note_y, s->pan[0].p.w, L->note, L->fn.legend, 0, 0, 1);
    }
}

void strip_draw(chart_fig *f, strip *s)
{
    layout L;
    memset(&L, 0, sizeof L);
    lay_out(f, s, &L, f->w, f->h);
    const chart_fonts *fn = &L.fn;
    plot_titles(f, L.ml, L.titles_y, f->w - L.ml - PLOT_PAD, s->title, s->subtitle, fn, 1);
    if (s->nfig_keys > 0)
        chart_legend_flow(f, L.ml, L.keys_y, f->w - L.ml - L.mr, s->fig_keys, s->nfig_keys,
                          fn->legend, 0, 1);
    for (int i = 0; i < s->np; i++) {
        strip_panel *sp = &s->pan[i];
        chart_panel *p = &sp->p;
        chart_grid(p, 1, 1);
        chart_vspan(p, s->trig0, s->trig1, PLOT_GREY_SPAN, PLOT_SPAN_ALPHA);
        draw_spans(sp);
        for (int k = 0; k < L.nm; k++)
            chart_vline(p, s->marks[L.mi[k]].at_s, MARK_STYLE);
        for (int k = 0; k < sp->nr; k++)
            chart_hline(p, sp->r[k].y, sp->r[k].right, sp->r[k].st, sp->r[k].label, fn->legend);
        int any = 0;
        /* right-axis series last so a dashed line stays visible where the two coincide */
        for (int pass = 0; pass <= 1; pass++)
            for (int k = 0; k < sp->ns; k++)
                if (sp->s[k].right == pass) {
                    chart_line(p, sp->s[k].t, sp->s[k].y, sp->s[k].n, pass, sp->s[k].st, 1);
                    any |= plot_has_data(sp->s[k].y, sp->s[k].n);
                }
        if (!any)
            chart_no_data(p, fn->panel);
        int last = i == s->np - 1;
        chart_axes(p, last ? (s->xlabel ? s->xlabel : "time (s)") : NULL, sp->ylabel, sp->ycol,
                   sp->y2label, sp->y2col);
        draw_header(f, sp, fn);
    }
    draw_marks(f, s, &L);
    layout_free(&L);
}

double strip_height(const strip *s, double w)
{
    chart_fig f;
    chart_scratch(&f, w, 0);
    strip copy = *s;
    strip_panel *pan = xmalloc((size_t)(s->np > 0 ? s->np : 1) * sizeof *pan);
    memcpy(pan, s->pan, (size_t)s->np * sizeof *pan);
    copy.pan = pan;
    layout L;
    memset(&L, 0, sizeof L);
    double h = lay_out(&f, &copy, &L, w, 0);
    layout_free(&L);
    free(pan);
    chart_scratch_free(&f);
    return ceil(h);
}

void strip_prune(strip_panel *p)
{
    int m = 0;
    for (int k = 0; k < p->ns; k++)
        if (plot_has_data(p->s[k].y, p->s[k].n))
            p->s[m++] = p->s[k];
    p->ns = m;
}
