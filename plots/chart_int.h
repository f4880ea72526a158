/* chart_int: what the chart layer's files share (plots, L4, private to plots/chart*.c). */
#ifndef AVALANCHE_CHART_INT_H
#define AVALANCHE_CHART_INT_H

#include "chart.h"

#define CAP_HEIGHT CHART_CAP_EM
#define TICK_LEN 3.5
#define AXIS_GREY 0.25

/* Appends s to f->text (one label a line). */
void chart_record(chart_fig *f, const char *s);
/* Colour, width, dash, joins and caps of s on f's context. */
void chart_apply_style(chart_fig *f, chart_style s);

#endif
