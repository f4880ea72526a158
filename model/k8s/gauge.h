/* gauge: the time-average of a piecewise-constant value, accumulated at every change (L2, a
 * header-only helper of model/k8s/; includes nothing). Set it at each change, take it once per
 * sample interval. */
#ifndef AVALANCHE_K8S_GAUGE_H
#define AVALANCHE_K8S_GAUGE_H

typedef struct gauge {
    double v, last, area; /* value since last; integral of v since the last take */
} gauge;

/* The value becomes v at t (>= the last change). */
static inline void gauge_set(gauge *g, double t, double v)
{
    g->area += g->v * (t - g->last);
    g->last = t;
    g->v = v;
}

/* The average over the span_s before t (the value itself when span_s <= 0), and a new start. */
static inline double gauge_take(gauge *g, double t, double span_s)
{
    gauge_set(g, t, g->v);
    double avg = span_s > 0.0 ? g->area / span_s : g->v;
    g->area = 0.0;
    return avg;
}

#endif
