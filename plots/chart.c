/* chart: figures written to PNG/SVG/PDF, text (wrapped), legends, print fonts (plots, L4).
 * Hinting is off so the 2x PNG and the vector files share one layout. Axes are in chart_axis.c,
 * lines, bands and symbols in chart_draw.c. */
#include "chart.h"

#include "chart_int.h"
#include "text.h"
#include "xmem.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEG_KEY_W 18.0
#define LEG_GAP 4.0
#define LEG_SEP 12.0

void chart_record(chart_fig *f, const char *s)
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
        chart_record(f, s);
    return w;
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
            if (s.width > 0 || k[i].symbol == CHART_SYM_NONE) {
                chart_apply_style(f, s);
                cairo_move_to(cr, x, y);
                cairo_line_to(cr, x + key_w, y);
                cairo_stroke(cr);
            }
        }
        if (k[i].symbol != CHART_SYM_NONE) {
            chart_style ss = s;
            ss.width = 1.1;
            chart_symbol_at(f, x + key_w / 2, y, ss, k[i].symbol, 0.32 * font);
        }
        cairo_restore(cr);
        x += key_w + gap;
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        x += chart_text(f, x, y, k[i].label, font, 0, 0, 0.5, 0, 1) + sep;
    }
    return left;
}

double chart_legend_row_h(double font)
{
    return 1.5 * font;
}

double chart_legend_flow(chart_fig *f, double x, double y_top, double width, const chart_key *k,
                         int n, double font, double halign, int draw)
{
    if (n <= 0)
        return 0;
    double pitch = chart_legend_row_h(font);
    int rows = 0, first = 0;
    while (first < n) {
        /* as many keys as fit on this row (at least one) */
        int last = first + 1;
        while (last < n && chart_legend_width(f, k + first, last + 1 - first, font) <= width)
            last++;
        if (draw) {
            double rw = chart_legend_width(f, k + first, last - first, font);
            double right = x + rw + halign * (width - rw);
            chart_legend_row(f, right, y_top + pitch * (rows + 0.5), k + first, last - first, font);
        }
        rows++;
        first = last;
    }
    return rows * pitch;
}

/* UTF-8 middle dot: a separator kept at the end of a line, never at the start of one */
#define MIDDOT "\xc2\xb7"

double chart_text_wrap(chart_fig *f, double x, double y_top, double width, const char *s,
                       double size, int bold, double halign, int draw)
{
    if (!s || !*s)
        return 0;
    size_t len = strlen(s);
    char *line = xmalloc(len + 1), *trial = xmalloc(len + 1);
    double pitch = 1.3 * size;
    int lines = 0;
    size_t i = 0;
    line[0] = '\0';
    while (i < len) {
        while (i < len && s[i] == ' ')
            i++;
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        if (j == i)
            break;
        if (j - i == 2 && memcmp(s + i, MIDDOT, 2) == 0 && line[0]) {
            strcat(line, " " MIDDOT);
        } else {
            snprintf(trial, len + 1, "%s%s%.*s", line, line[0] ? " " : "", (int)(j - i), s + i);
            if (line[0] && chart_text_width(f, trial, size, bold) > width) {
                if (draw)
                    chart_text(f, x, y_top + lines * pitch, line, size, bold, halign, 0, 0, 0);
                lines++;
                snprintf(line, len + 1, "%.*s", (int)(j - i), s + i);
            } else {
                memcpy(line, trial, strlen(trial) + 1);
            }
        }
        i = j;
    }
    if (line[0]) {
        if (draw)
            chart_text(f, x, y_top + lines * pitch, line, size, bold, halign, 0, 0, 0);
        lines++;
    }
    if (draw)
        chart_record(f, s);
    free(line);
    free(trial);
    return lines * pitch;
}

chart_fonts chart_fonts_for(double w_pt)
{
    static const chart_fonts wide = {13.0, 9.5, 9.5, 8.0, 8.0};
    static const chart_fonts narrow = {9.5, 7.5, 8.0, 7.0, 7.0};
    const double w1 = 600, w0 = 260;
    if (!(w_pt > 0) || w_pt >= w1)
        return wide;
    double t = w_pt <= w0 ? 0 : (w_pt - w0) / (w1 - w0);
    chart_fonts c = {narrow.title + t * (wide.title - narrow.title),
                     narrow.subtitle + t * (wide.subtitle - narrow.subtitle),
                     narrow.panel + t * (wide.panel - narrow.panel),
                     narrow.tick + t * (wide.tick - narrow.tick),
                     narrow.legend + t * (wide.legend - narrow.legend)};
    return c;
}

static void font_options(cairo_t *cr)
{
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
}

void chart_scratch(chart_fig *f, double w_pt, double h_pt)
{
    memset(f, 0, sizeof *f);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    f->cr = cairo_create(s);
    cairo_surface_destroy(s); /* the context holds a reference */
    font_options(f->cr);
    f->w = w_pt;
    f->h = h_pt;
}

void chart_scratch_free(chart_fig *f)
{
    cairo_destroy(f->cr);
    free(f->text);
    memset(f, 0, sizeof *f);
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
    size_t n;
    char *buf = text_read_file(path, SIZE_MAX, &n);
    if (!buf)
        return -1;
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
    FILE *fp = fopen(path, "wb");
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
    font_options(f.cr);
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
