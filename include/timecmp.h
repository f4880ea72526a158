/* timecmp: comparing times that lie on a float grid (L0). Sample times are sums and products of
 * decimal intervals, so that 3 x 0.1 is not 0.3: every comparison of a time with a limit (a
 * sample against the warm-up, the trigger's end, the horizon, a recovery against its window)
 * allows this relative and absolute slack, the same everywhere. */
#ifndef AVALANCHE_TIMECMP_H
#define AVALANCHE_TIMECMP_H

#define TIME_TOL 1e-12

/* t is later than limit by more than the slack. */
static inline int time_after(double t, double limit)
{
    return t > limit * (1 + TIME_TOL) + TIME_TOL;
}

/* t is at limit or later, within the slack. */
static inline int time_reached(double t, double limit)
{
    return !(t < limit * (1 - TIME_TOL) - TIME_TOL);
}

#endif
