/* chart: drawing primitives and multi-format output over cairo (plots, L4). Hinting is off so
 * the 2x PNG and the vector files share one layout. */
#include "chart.h"

#include "xmem.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP_HEIGHT 0.729 /* DejaVu Sans capital height, em */
#define TICK_LEN 3.5
#define AXIS_GREY 0.25
#define LEG_KEY_W 18.0
#define LEG_GAP 4.0
#define LEG_SEP 12.0

static void record(chart_fig *f, const char *s)
{
    size_t n = strlen(s);
    if (f->len + n + 2 > f->cap) {
        f->cap = 2 * (f->len + n + 2) + 256;
        f->text = xrealloc(f->text, f->cap);
    }
    memcpy(f->text + f->len, s, n);
    f->len += n;
    f->text[f->len++] = '\n';
    f->text[f->len] = '\0';
}

void chart_set_source(chart_fig *f, rgb c, double alpha)
{
    if (alpha > 0 && alpha < 1)
        cairo_set_source_rgba(f->cr, c.r, c.g, c.b, alpha);
    else
        cairo_set_source_rgb(f->cr, c.r, c.g, c.b);
}

static void set_font(chart_fig *f, double size, int bold)
{
    cairo_select_font_face(f->cr, CHART_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(f->cr, size);
}

double chart_text_width(chart_fig *f, const char *s, double size, int bold)
{
    cairo_text_extents_t ext;
    set_font(f, size, bold);
    cairo_text_extents(f->cr, s, &ext);
    return ext.x_advance;
}

double chart_text(chart_fig *f, double x, double y, const char *s, double size, int bold,
                  double halign, double valign, double angle, int rec)
{
    cairo_t *cr = f->cr;
    double w = chart_text_width(f, s, size, bold);
    double cap = CAP_HEIGHT * size;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (angle != 0)
        cairo_rotate(cr, angle);
    cairo_move_to(cr, -halign * w, cap * (1 - valign));
    cairo_show_text(cr, s);
    cairo_new_path(cr);
    cairo_restore(cr);
    if (rec)
        record(f, s);
    return w;
}

/* ---- axes ---- */

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

static int labels_fit(chart_fig *f, const chart_axis *a, double length, int horizontal)
{
    const ticks *t = &a->t;
    double prev_pos = 0, prev_half = 0;
    for (int i = 0; i < t->n; i++) {
        char buf[48];
        ticks_format(t, t->v[i], buf, sizeof buf);
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
    for (double e = e0; e <= e1; e++)
        for (int m = 2; m <= 9; m++) {
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

/* Tick marks and labels of a vertical axis; returns the widest label. */
static double y_ticks(const chart_panel *p, const chart_axis *a, int right)
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
        char buf[48];
        ticks_format(&a->t, a->t.v[i], buf, sizeof buf);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        double w =
            chart_text(f, x + d * (TICK_LEN + 2), y, buf, a->font, 0, right ? 0 : 1, 0.5, 0, 0);
        widest = fmax(widest, w);
    }
    cairo_set_source_rgb(cr, AXIS_GREY, AXIS_GREY, AXIS_GREY);
    minor_ticks(p, a, right ? 2 : 1);
    return widest;
}

void chart_axes(const chart_panel *p, const char *xlabel, const char *ylabel, rgb ycol,
                const char *y2label, rgb y2col)
{
    chart_fig *f = p->f;
    cairo_t *cr = f->cr;
    cairo_save(cr);
    cairo_set_line_width(cr, 0.8);
    cairo_set_source_rgb(cr, AXIS_GREY, AXIS_GREY, AXIS_GREY);
    /* frame: left and bottom always; top and right as thin lines for a closed panel */
    cairo_rectangle(cr, p->x, p->y, p->w, p->h);
    cairo_stroke(cr);
    double lab = p->xa.font;
    /* x ticks (marks always, labels only with a title) */
    for (int i = 0; i < p->xa.t.n; i++) {
        double fr = chart_axis_frac(&p->xa, p->xa.t.v[i]);
        if (!(fr >= -1e-9 && fr <= 1 + 1e-9))
            continue;
        double x = p->x + fr * p->w;
        cairo_set_source_rgb(cr, AXIS_GREY, AXIS_GREY, AXIS_GREY);
        cairo_move_to(cr, x, p->y + p->h);
        cairo_line_to(cr, x, p->y + p->h + TICK_LEN);
        cairo_stroke(cr);
        if (xlabel) {
            char buf[48];
            ticks_format(&p->xa.t, p->xa.t.v[i], buf, sizeof buf);
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            chart_text(f, x, p->y + p->h + TICK_LEN + 3, buf, lab, 0, 0.5, 0, 0, 0);
        }
    }
    cairo_set_source_rgb(cr, AXIS_GREY, AXIS_GREY, AXIS_GREY);
    minor_ticks(p, &p->xa, 0);
    double title = lab + 1;
    if (xlabel) {
        cairo_set_source_rgb(cr, 0, 0, 0);
        chart_text(f, p->x + p->w / 2, p->y + p->h + TICK_LEN + 3 + 1.6 * lab, xlabel, title, 0,
                   0.5, 0, 0, 1);
    }
    double wl = y_ticks(p, &p->ya, 0);
    if (ylabel) {
        chart_set_source(f, ycol, 1);
        chart_text(f, p->x - TICK_LEN - 2 - wl - 6, p->y + p->h / 2, ylabel, title, 0, 0.5, 1,
                   -M_PI / 2, 1);
    }
    if (p->has_y2) {
        double wr = y_ticks(p, &p->y2a, 1);
        if (y2label) {
            chart_set_source(f, y2col, 1);
            chart_text(f, p->x + p->w + TICK_LEN + 2 + wr + 6, p->y + p->h / 2, y2label, title, 0,
                       0.5, 1, M_PI / 2, 1);
        }
    }
    cairo_restore(cr);
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

static void apply_style(chart_fig *f, chart_style s)
{
    cairo_t *cr = f->cr;
    chart_set_source(f, s.c, s.alpha);
    cairo_set_line_width(cr, s.width > 0 ? s.width : 1);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    double w = s.width > 0 ? s.width : 1;
    double dashed[] = {4 * w, 2.5 * w}, dotted[] = {1 * w, 1.8 * w},
           dashdot[] = {4 * w, 1.8 * w, 1 * w, 1.8 * w};
    switch (s.dash) {
    case CHART_DASHED:
        cairo_set_dash(cr, dashed, 2, 0);
        break;
    case CHART_DOTTED:
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_set_dash(cr, dotted, 2, 0);
        break;
    case CHART_DASHDOT:
        cairo_set_dash(cr, dashdot, 4, 0);
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
    apply_style(p->f, s);
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
    apply_style(p->f, s);
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
        apply_style(p->f, s);
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

void chart_hline(const chart_panel *p, double y, int right, chart_style s, const char *label,
                 double font)
{
    double py = chart_py(p, y, right);
    if (isnan(py) || py < p->y - 0.01 || py > p->y + p->h + 0.01)
        return;
    cairo_t *cr = p->f->cr;
    cairo_save(cr);
    apply_style(p->f, s);
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

double chart_legend_width(chart_fig *f, const chart_key *k, int n, double font)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += LEG_KEY_W + LEG_GAP + chart_text_width(f, k[i].label, font, 0) + (i ? LEG_SEP : 0);
    return total;
}

double chart_legend_col(chart_fig *f, double x_left, double y_top, const chart_key *k, int n,
                        double font)
{
    double y = y_top + font * 0.6;
    for (int i = 0; i < n; i++, y += 1.5 * font)
        chart_legend_row(f, x_left + chart_legend_width(f, k + i, 1, font), y, k + i, 1, font);
    return y - font * 0.9;
}

double chart_legend_row(chart_fig *f, double x_right, double y, const chart_key *k, int n,
                        double font)
{
    cairo_t *cr = f->cr;
    const double key_w = LEG_KEY_W, gap = LEG_GAP, sep = LEG_SEP;
    double x = x_right - chart_legend_width(f, k, n, font);
    double left = x;
    for (int i = 0; i < n; i++) {
        cairo_save(cr);
        chart_style s = k[i].s;
        switch (k[i].kind) {
        case CHART_KEY_PATCH:
        case CHART_KEY_SPAN:
            chart_set_source(f, s.c, s.alpha);
            cairo_rectangle(cr, x, y - font * 0.45, key_w, font * 0.9);
            cairo_fill(cr);
            if (k[i].kind == CHART_KEY_PATCH) {
                cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
                cairo_set_line_width(cr, 0.4);
                cairo_rectangle(cr, x, y - font * 0.45, key_w, font * 0.9);
                cairo_stroke(cr);
            }
            break;
        case CHART_KEY_BAND:
            chart_set_source(f, s.c, 0.25);
            cairo_rectangle(cr, x, y - font * 0.45, key_w, font * 0.9);
            cairo_fill(cr);
            /* fall through - the line over the band */
        default:
            apply_style(f, s);
            cairo_move_to(cr, x, y);
            cairo_line_to(cr, x + key_w, y);
            cairo_stroke(cr);
        }
        cairo_restore(cr);
        x += key_w + gap;
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        x += chart_text(f, x, y, k[i].label, font, 0, 0, 0.5, 0, 1) + sep;
    }
    return left;
}

/* ---- output ---- */

static void xml_escaped(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '&':
            fputs("&amp;", fp);
            break;
        default:
            fputc(*s, fp);
        }
    }
}

/* cairo 1.16 writes SVG text as glyph outlines; add <title> and <desc> (every label drawn) so
 * the chart is searchable and accessible. */
static int svg_add_text(const char *path, const char *title, const char *desc)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = xmalloc(cap);
    while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    fclose(fp);
    char *svg = NULL;
    for (size_t i = 0; i + 4 <= n; i++)
        if (memcmp(buf + i, "<svg", 4) == 0) {
            svg = buf + i;
            break;
        }
    char *gt = svg ? memchr(svg, '>', (size_t)(buf + n - svg)) : NULL;
    if (!gt) {
        free(buf);
        return -1;
    }
    size_t head = (size_t)(gt + 1 - buf);
    fp = fopen(path, "wb");
    if (!fp) {
        free(buf);
        return -1;
    }
    fwrite(buf, 1, head, fp);
    fputs("\n<title>", fp);
    xml_escaped(fp, title ? title : "");
    fputs("</title>\n<desc>", fp);
    xml_escaped(fp, desc ? desc : "");
    fputs("</desc>", fp);
    fwrite(buf + head, 1, n - head, fp);
    /* a failed fwrite (full disk) is sticky in ferror; fclose alone can still succeed */
    int bad = ferror(fp), saved = errno;
    free(buf);
    int rc = fclose(fp);
    if (bad) {
        errno = saved ? saved : EIO;
        return -1;
    }
    return rc == 0 ? 0 : -1;
}

static int render_one(const char *path, const char *tmp, unsigned fmt, double w, double h,
                      const char *title, const char *subject, chart_draw_fn draw, void *ctx, err *e)
{
    cairo_surface_t *s;
    if (fmt == CHART_PNG)
        s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)ceil(2 * w), (int)ceil(2 * h));
    else if (fmt == CHART_SVG)
        s = cairo_svg_surface_create(tmp, w, h);
    else
        s = cairo_pdf_surface_create(tmp, w, h);
    if (fmt == CHART_PDF && cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title ? title : "");
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, subject ? subject : "");
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "avalanche");
    }
    chart_fig f = {0};
    f.cr = cairo_create(s);
    f.w = w;
    f.h = h;
    if (fmt == CHART_PNG)
        cairo_scale(f.cr, 2, 2);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_set_font_options(f.cr, fo);
    cairo_font_options_destroy(fo);
    cairo_set_source_rgb(f.cr, 1, 1, 1);
    cairo_paint(f.cr);
    draw(&f, ctx);
    if (fmt == CHART_PDF && f.text) {
        /* the labels as keywords: PDF text is glyph ids, this keeps the words searchable */
        char *kw = xstrdup(f.text);
        for (char *c = kw; *c; c++)
            if (*c == '\n')
                *c = c[1] ? ';' : '\0';
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS, kw);
        free(kw);
    }
    cairo_status_t st = cairo_status(f.cr);
    cairo_destroy(f.cr);
    if (st == CAIRO_STATUS_SUCCESS && fmt == CHART_PNG)
        st = cairo_surface_write_to_png(s, tmp);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    int rc = 0;
    if (st != CAIRO_STATUS_SUCCESS) {
        rc = err_set(e, "%s: cannot write chart: %s", path, cairo_status_to_string(st));
    } else if (fmt == CHART_SVG && svg_add_text(tmp, title, f.text) != 0) {
        rc = err_set(e, "%s: cannot write chart: %s", path, strerror(errno));
    }
    free(f.text);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = err_set(e, "%s: cannot rename from %s: %s", path, tmp, strerror(errno));
    if (rc != 0)
        remove(tmp);
    return rc;
}

int chart_render(const char *out_base, unsigned formats, double w_pt, double h_pt,
                 const char *title, const char *subject, chart_draw_fn draw, void *ctx, err *e)
{
    static const struct {
        unsigned bit;
        const char *ext;
    } fmts[] = {{CHART_PNG, "png"}, {CHART_SVG, "svg"}, {CHART_PDF, "pdf"}};
    size_t n = strlen(out_base) + 16;
    char *path = xmalloc(n), *tmp = xmalloc(n);
    int rc = 0;
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0] && rc == 0; i++) {
        if (!(formats & fmts[i].bit))
            continue;
        snprintf(path, n, "%s.%s", out_base, fmts[i].ext);
        snprintf(tmp, n, "%s.%s.tmp", out_base, fmts[i].ext);
        rc = render_one(path, tmp, fmts[i].bit, w_pt, h_pt, title, subject, draw, ctx, e);
    }
    free(path);
    free(tmp);
    return rc;
}
