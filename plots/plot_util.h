/* plot_util: helpers shared by the avalanche charts (plots, L4, private to plots/): columns of a
 * result table, figure titles that wrap, data ranges. */
#ifndef AVALANCHE_PLOT_UTIL_H
#define AVALANCHE_PLOT_UTIL_H

#include "chart.h"
#include "table.h"

#include <stddef.h>

#define PLOT_PAD 10.0 /* figure edge to the nearest text, pt */

extern const rgb PLOT_INK, PLOT_WHITE, PLOT_GREY_SPAN;
extern const double PLOT_SPAN_ALPHA;

/* The column `name` as n doubles (NAN where empty, all NAN when the column is absent); the
 * caller frees it. */
double *plot_column(const table *t, const char *name);
/* a + b, NAN only where both are. */
double *plot_column_sum(const table *t, const char *a, const char *b);
/* 1 when some v[i] is finite. */
int plot_has_data(const double *v, size_t n);
/* Widens [*lo, *hi] to the finite values of v. */
void plot_range(const double *v, size_t n, double *lo, double *hi);

/* Title (bold) and subtitle from y_top, wrapped to width; returns the height used. draw 0 only
 * measures. */
double plot_titles(chart_fig *f, double x, double y_top, double width, const char *title,
                   const char *subtitle, const chart_fonts *fn, int draw);

/* A panel header ending at the panel's top: the title (bold) left and the legend right on one
 * line when both fit in width, else the title wrapped and the legend flowed under it. top is
 * the header's top edge; returns its height. draw 0 only measures. */
double plot_header(chart_fig *f, double x, double top, double width, const char *title,
                   const chart_key *k, int nk, const chart_fonts *fn, int draw);

/* A [0, 1] axis with a little room beyond both ends so lines at 0 or 1 are not clipped. */
void plot_unit_axis(chart_fig *f, chart_axis *a, double length, double font);

/* name in the directory of path ("dir/regions.csv", "cells.csv" -> "dir/cells.csv"). */
char *plot_sibling(const char *path, const char *name);

/* The figure size: the caller's print size, else the default; *h = 0 when only a width is
 * given (the chart then uses the height its layout needs). */
void plot_size(double width_pt, double height_pt, double def_w, double def_h, double *w, double *h);

#endif
