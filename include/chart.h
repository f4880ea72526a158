/* chart: a small chart layer over cairo (plots, L4): figures written to PNG/SVG/PDF, text,
 * axes with nice non-colliding tick labels, lines, bands, rectangles, reference lines, legends.
 * Knows nothing of the simulator; plot.c builds the avalanche charts on it.
 * Coordinates are points (1/72 in) from the figure's top-left corner. */
#ifndef AVALANCHE_CHART_H
#define AVALANCHE_CHART_H

#include "err.h"
#include "palette.h"
#include "ticks.h"

#include <cairo.h>
#include <stddef.h>

#define CHART_FONT "DejaVu Sans"
#define CHART_CAP_EM 0.729 /* DejaVu Sans capital height, em */
#define CHART_PNG 1        /* same values as PLOT_FMT_* */
#define CHART_SVG 2
#define CHART_PDF 4

typedef struct chart_fig {
    cairo_t *cr;
    double w, h; /* points */
    char *text;  /* every recorded label, one per line (SVG <desc>, PDF keywords) */
    size_t len, cap;
} chart_fig;

typedef void (*chart_draw_fn)(chart_fig *f, void *ctx);

/* Draws the figure once per format bit (CHART_PNG at 2x device scale) into out_base.<ext>.tmp
 * and renames it to out_base.<ext>. title and subject become document metadata (SVG <title>
 * and <desc>, PDF Title/Subject). On a cairo or I/O error removes the temp file, fills e naming
 * the file, returns -1. */
int chart_render(const char *out_base, unsigned formats, double w_pt, double h_pt,
                 const char *title, const char *subject, chart_draw_fn draw, void *ctx, err *e);

enum chart_dash {
    CHART_SOLID,
    CHART_DASHED,
    CHART_DOTTED,
    CHART_DASHDOT
};

/* The on/off lengths (pt) of each dash kind; each chart picks its own, chart_set_dash applies them.
 */
typedef struct chart_dashes {
    double dashed[2], dotted[2], dashdot[4];
} chart_dashes;
/* Sets cr's dash to kind (enum chart_dash) with the lengths of d; solid clears it. */
void chart_set_dash(cairo_t *cr, int kind, const chart_dashes *d);

typedef struct chart_style {
    rgb c;
    double width; /* line width, pt */
    int dash;     /* enum chart_dash */
    double alpha; /* 0 means opaque */
} chart_style;

/* Draws s with its anchor at (x, y): halign 0 left, 0.5 centre, 1 right; valign 0 top of the
 * capitals, 0.5 their middle, 1 the baseline. angle in radians (text rotated about the anchor).
 * record != 0 appends s to f->text. Returns the advance width. */
double chart_text(chart_fig *f, double x, double y, const char *s, double size, int bold,
                  double halign, double valign, double angle, int record);
double chart_text_width(chart_fig *f, const char *s, double size, int bold);

typedef struct chart_axis {
    double lo, hi; /* data range shown */
    int log;
    ticks t;
    double font; /* tick label size, pt */
    /* Set by chart_axis_fit_time / chart_axis_cats (chart_axis_fit clears them): */
    void (*fmt)(double v, char *buf, size_t n); /* tick labels (NULL: ticks_format) */
    const char *const *cats;                    /* categorical: band i labelled cats[i] */
    int ncats;
    int rotate; /* horizontal category labels drawn at 45 degrees (too wide to stand level) */
} chart_axis;

/* Chooses ticks for [lo, hi] so that labels at font size `font` never collide along an axis
 * `length_pt` long (horizontal: widths; vertical: line heights), starting from `target` ticks
 * and thinning. loose != 0 widens the range to the outer ticks. */
void chart_axis_fit(chart_fig *f, chart_axis *a, double lo, double hi, int log, int loose,
                    int target, double length_pt, int horizontal, double font);
/* Position of v along the axis: 0 at lo, 1 at hi; NAN for v <= 0 on a log axis or NAN v. */
double chart_axis_frac(const chart_axis *a, double v);
/* A log axis of durations in seconds over [lo_s, hi_s] (kept, not widened), ticks on the
 * 1-2-5 ladder of seconds, minutes and hours labelled "30 s", "2 min", "1 h". */
void chart_axis_fit_time(chart_fig *f, chart_axis *a, double lo_s, double hi_s, double length_pt,
                         int horizontal, double font);
/* A categorical axis: n equal bands centred on 0, 1, ..., n-1 (range [-0.5, n - 0.5]), each
 * labelled cats[i] (recorded in f->text). Labels too wide to stand level along a horizontal
 * axis are rotated; too many for the length are thinned (every k-th). */
void chart_axis_cats(chart_fig *f, chart_axis *a, const char *const *cats, int n, double length_pt,
                     int horizontal, double font);
/* Room the tick labels need beside the axis, pt: their widest width for a vertical axis, their
 * height (rotated labels: their drop) for a horizontal one. Includes the tick mark. */
double chart_axis_extent(chart_fig *f, const chart_axis *a, int horizontal);
/* A duration in seconds as "0.5 s", "30 s", "2 min", "1.5 h" (3 significant digits). */
void chart_fmt_duration(double v, char *buf, size_t n);
/* The label of tick value v (formatter, category or ticks_format). */
void chart_axis_label(const chart_axis *a, double v, char *buf, size_t n);

typedef struct chart_panel {
    chart_fig *f;
    double x, y, w, h; /* plot area, top-left corner and size */
    chart_axis xa, ya, y2a;
    int has_y2; /* a right-hand y axis (y2a) is in use */
} chart_panel;

double chart_px(const chart_panel *p, double x);
double chart_py(const chart_panel *p, double y, int right);

/* Light grid lines at the ticks; draw before the data. */
void chart_grid(const chart_panel *p, int vertical, int horizontal);
/* Frame, tick marks and labels, axis titles; draw after the data. xlabel NULL: no x tick
 * labels nor title (panels sharing a time axis). y2label is used when has_y2. The y titles
 * take the given colours (match the series on twin axes). */
void chart_axes(const chart_panel *p, const char *xlabel, const char *ylabel, rgb ycol,
                const char *y2label, rgb y2col);
/* The same, with the parts chosen: x_ticks / y_ticks draw the tick labels (marks always),
 * titles NULL are left out (small multiples share one title per row or column). */
void chart_axes_ex(const chart_panel *p, int x_ticks, const char *xlabel, int y_ticks,
                   const char *ylabel, rgb ycol, const char *y2label, rgb y2col);
/* "no data" in grey in the middle of the plot area (recorded). */
void chart_no_data(const chart_panel *p, double font);

void chart_clip(const chart_panel *p); /* cairo_save + clip to the plot area */
void chart_unclip(const chart_panel *p);

/* Polyline through (x[i], y[i]); NaN (or non-positive on a log axis) breaks it. step != 0:
 * each sample holds over (x[i-1], x[i]] (interval averages stamped at the interval's end). */
void chart_line(const chart_panel *p, const double *x, const double *y, size_t n, int right,
                chart_style s, int step);
/* Filled band between lo[i] and hi[i]; NaN breaks it. */
void chart_band(const chart_panel *p, const double *x, const double *lo, const double *hi, size_t n,
                chart_style s);
void chart_markers(const chart_panel *p, const double *x, const double *y, size_t n, chart_style s,
                   double radius);

enum chart_symbol {
    CHART_SYM_NONE,
    CHART_SYM_CIRCLE, /* white-filled, as chart_markers */
    CHART_SYM_DOT,    /* filled in the style's colour */
    CHART_SYM_TRIANGLE_DOWN,
    CHART_SYM_CROSS
};
/* Symbols at (x[i], y[i]) of size `radius`; NaN skips. right: y on the right-hand axis. */
void chart_symbols(const chart_panel *p, const double *x, const double *y, size_t n, int right,
                   chart_style s, int symbol, double radius);
/* One symbol at figure coordinates (cx, cy). */
void chart_symbol_at(chart_fig *f, double cx, double cy, chart_style s, int symbol, double radius);
void chart_rect(const chart_panel *p, double x0, double x1, double y0, double y1, rgb fill);
/* Shaded span [x0, x1] over the full height (x0 == x1: a dashed vertical line). */
void chart_vspan(const chart_panel *p, double x0, double x1, rgb c, double alpha);
/* A vertical line at x over the full height, in style s (nothing when x is outside). */
void chart_vline(const chart_panel *p, double x, chart_style s);
/* Vertical error bars from lo[i] to hi[i] at x[i] with caps `cap_pt` wide; NaN skips. */
void chart_errorbars(const chart_panel *p, const double *x, const double *lo, const double *hi,
                     size_t n, chart_style s, double cap_pt);
/* Horizontal reference line with a label at its right end, above the line. */
void chart_hline(const chart_panel *p, double y, int right, chart_style s, const char *label,
                 double font);

enum chart_legend_kind {
    CHART_KEY_LINE,
    CHART_KEY_PATCH,
    CHART_KEY_BAND,
    CHART_KEY_SPAN
};

typedef struct chart_key {
    const char *label;
    chart_style s;
    int kind;   /* enum chart_legend_kind */
    int symbol; /* enum chart_symbol drawn in the key's middle (0: none) */
} chart_key;

/* One row of keys, right-aligned at x_right, centred on y. Returns the row's left edge. */
double chart_legend_row(chart_fig *f, double x_right, double y, const chart_key *k, int n,
                        double font);

double chart_legend_width(chart_fig *f, const chart_key *k, int n, double font);
/* One key per line, left-aligned at x_left from y_top down. Returns the bottom edge. */
double chart_legend_col(chart_fig *f, double x_left, double y_top, const chart_key *k, int n,
                        double font);

/* Keys flowed left to right into rows no wider than `width` from (x, y_top); halign 1 aligns
 * each row to x + width. draw 0 only measures. Returns the height used (0 when n == 0). */
double chart_legend_flow(chart_fig *f, double x, double y_top, double width, const chart_key *k,
                         int n, double font, double halign, int draw);
/* The height of one legend row (the line pitch of chart_legend_flow). */
double chart_legend_row_h(double font);

/* s broken at spaces into lines no wider than width (a word longer than the width stands on
 * its own line), drawn from y_top down with a line pitch of 1.3 x size; halign as chart_text.
 * s is recorded once, whole. draw 0 only measures. Returns the height used. */
double chart_text_wrap(chart_fig *f, double x, double y_top, double width, const char *s,
                       double size, int bold, double halign, int draw);

void chart_set_source(chart_fig *f, rgb c, double alpha);

/* Font sizes, pt, for a chart drawn w_pt wide at its print size. From 600 pt up: the screen
 * sizes (title 13, ticks 8); narrower charts get smaller titles but tick labels and legends
 * never fall below 7 pt, so a chart printed at its own size stays legible. */
typedef struct chart_fonts {
    double title, subtitle, panel, tick, legend;
} chart_fonts;
chart_fonts chart_fonts_for(double w_pt);

/* A figure on a 1 x 1 image surface for measuring text and laying out before the real size is
 * known (same font options as chart_render). Release with chart_scratch_free. */
void chart_scratch(chart_fig *f, double w_pt, double h_pt);
void chart_scratch_free(chart_fig *f);

#endif
