/* strip: panels stacked over one shared time axis (plots, L4, private to plots/), the layout of
 * the run dashboard and the compare chart: figure titles, a figure legend, per-panel headers
 * (title and legend, wrapped to the width), intervention markers labelled once above the first
 * panel without collisions, margins fitted to the tick labels, fixed scales per panel. */
#ifndef AVALANCHE_STRIP_H
#define AVALANCHE_STRIP_H

#include "chart.h"
#include "plot.h"

#include <stddef.h>

enum strip_scale {
    STRIP_LIN0, /* linear from 0 (counts, rates) */
    STRIP_UNIT, /* a ratio on [0, 1] */
    STRIP_LOG   /* log, zeros not drawn */
};

#define STRIP_SERIES 16
#define STRIP_REFS 8
#define STRIP_KEYS 4

typedef struct strip_series {
    const double *t, *y;
    size_t n;
    chart_style st;
    const char *label; /* legend (NULL: none) */
    int right;         /* on the right-hand axis */
} strip_series;

typedef struct strip_ref {
    double y;
    int right;
    chart_style st;
    const char *label;
} strip_ref;

typedef struct strip_panel {
    const char *title, *ylabel, *y2label;
    rgb ycol, y2col; /* axis title colours */
    int scale, scale2;
    double extra_hi; /* kept in the left axis' range (caps); NAN: none */
    strip_series s[STRIP_SERIES];
    int ns;
    strip_ref r[STRIP_REFS];
    int nr;
    chart_key extra[STRIP_KEYS]; /* legend keys after the series' */
    int nextra;
    const double *span_t; /* shaded sample intervals: (t[i-1], t[i]] where span_on[i] */
    const double *span_on;
    size_t nspan;
    rgb span_c;
    double span_alpha;
    /* set by the layout */
    chart_panel p;
    double head_y, head_h; /* the header's top and height */
} strip_panel;

typedef struct strip {
    const char *title, *subtitle;
    const chart_key *fig_keys; /* a figure legend under the titles (compare: the runs) */
    int nfig_keys;
    const plot_mark *marks;
    int nmarks;
    double trig0, trig1; /* NAN: none */
    strip_panel *pan;
    int np;
    const char *xlabel;
} strip;

/* Lays out and draws s on f (f->w x f->h). */
void strip_draw(chart_fig *f, strip *s);
/* The height s needs at width w (panels of a height that suits the width). */
double strip_height(const strip *s, double w);
/* Keeps only the series with some finite value (missing columns drop out of panel and legend). */
void strip_prune(strip_panel *p);

#endif
