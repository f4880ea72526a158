/* ticks: "nice" axis tick positions and labels (plots, L4). Linear ticks follow Heckbert's
 * nice-numbers labelling (Graphics Gems, 1990); log ticks use decades, then 1-2-5 steps, then
 * linear ticks when the range is too narrow for either. Pure functions: no cairo. */
#ifndef AVALANCHE_TICKS_H
#define AVALANCHE_TICKS_H

#include <stddef.h>

#define TICKS_MAX 64

typedef struct ticks {
    int n; /* number of ticks, 0..TICKS_MAX, increasing */
    double v[TICKS_MAX];
    double lo, hi; /* axis range: the ticks' span when loose, else the data range */
    double step;   /* linear spacing (for a log axis: 0 = decade/1-2-5 ticks) */
    int decimals;  /* digits after the point for linear labels */
    int log;       /* labels for a log axis */
} ticks;

/* Ticks over [lo, hi] (swapped if reversed), about `target` of them (>= 2). loose != 0 widens
 * the range to whole steps (Heckbert's loose labelling); loose == 0 keeps [lo, hi] and only
 * places ticks inside it. A degenerate range [v, v] is widened by 10 % of |v| ([0, 0] to
 * [-1, 1]). Non-finite input is treated as [0, 1]. */
void ticks_linear(double lo, double hi, int target, int loose, ticks *t);
/* Ticks for a log axis over [lo, hi], both > 0 (non-positive values are replaced by a range
 * one decade wide). loose != 0 widens to whole decades. */
void ticks_log(double lo, double hi, int target, int loose, ticks *t);
/* Label for v (normally one of t->v): fixed decimals for linear ticks, %g style for log ones
 * ("0.01", "100", "1e+06" written "1e6"). */
void ticks_format(const ticks *t, double v, char *buf, size_t n);

#endif
