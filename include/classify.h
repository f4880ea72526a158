/* classify: the health predicate and the stability class of one run, judged sample by sample
 * as the run goes, so that a run can stop as soon as its class is certain (L3).
 *
 * Health at sample k judges the trailing window of health.window seconds ending at t_k:
 *  - every client class present in the run (heartbeats when nodes > 0, scrapes when
 *    metrics-server is on and nodes > 0, SA-token clients when their rate > 0) with at least one
 *    outcome in the window has a success ratio >= its minimum;
 *  - the mutating inflight time-average of every sample in the window stays below
 *    max_mutating_fraction x the mutating cap.
 *
 * Classes (README, "Health and classification"), with te = trigger end (trigger.at for kind
 * "none"):
 *  - overloaded: the window ending at trigger.at is unhealthy (before any trigger);
 *  - stable: healthy at the end of the run; recovery_time = the time of the first healthy sample
 *    after the last unhealthy one, minus te (0 when never unhealthy after te), however late;
 *  - metastable: unhealthy at the end, and the outstanding work (client calls in progress, SA
 *    validations in progress, requests in the apiserver: sample.out_*) is not decreasing over the
 *    long look-back (the last CLASSIFY_SUSTAIN x health.trend_window, or the second half of the
 *    episode when longer; classify_trend) within the current unhealthy episode (from the trigger
 *    end, from an intervention, or from a relapse after a recovery that held health.hold);
 *  - unresolved: unhealthy at the end but draining: the horizon came first. Its projected
 *    recovery time extrapolates the drain to the baseline level of the outstanding work.
 *
 * Stopping (the adaptive horizon): judging may end from sim.duration on. A run stops there, or
 * later, as soon as one of these holds: healthy for health.hold seconds (stable); unhealthy,
 * sustained (not draining over health.trend_window) at every sample of the last
 * CLASSIFY_SUSTAIN x health.trend_window seconds, and growing over the long look-back by more
 * than TREND_Z standard errors (metastable); or sim.max_duration reached (then the rules above
 * classify the last sample: a flat bad state is judged only there). A sweep may stop an
 * overloaded run at the first sample after trigger.at. */
#ifndef AVALANCHE_CLASSIFY_H
#define AVALANCHE_CLASSIFY_H

#include "model.h"
#include "params.h"

#include <stddef.h>

enum run_class {
    CLASS_STABLE,
    CLASS_METASTABLE,
    CLASS_OVERLOADED,
    CLASS_UNRESOLVED,
    CLASS_COUNT
};
const char *run_class_name(enum run_class c);
/* The class named s, or -1. */
int run_class_of(const char *s);

/* The trend test on a series of n samples w[0..n) spaced dt apart (the outstanding work after the
 * trigger, over the trailing window). The first and last thirds are compared: the series is
 * draining when the last third's mean lies below the first third's by more than both
 * TREND_Z standard errors of that difference (estimated from TREND_BATCHES batch means per third,
 * so that autocorrelated noise is measured on the scale it has) and TREND_MIN_DROP of the first
 * third's mean (a decrease too small to end within hours is no drain), and by more than one unit
 * of work. Anything else, a flat series included, is sustained. ok = 0 when n < 3 batches per
 * third (too short to judge). */
#define TREND_Z 3.0
/* A metastable stop needs this many trend windows of sustained verdicts in a row. */
#define CLASSIFY_SUSTAIN 3
#define TREND_BATCHES 5
#define TREND_MIN_DROP 0.01

typedef struct trend {
    int ok;            /* enough samples to judge */
    int draining;      /* decreasing beyond noise */
    double first_mean; /* mean of the first third */
    double last_mean;  /* mean of the last third */
    double se;         /* standard error of their difference */
    double rate_per_s; /* (last - first) / (distance between the thirds' centres); < 0: falling */
    double rate_se;    /* standard error of rate_per_s (se over the same distance) */
} trend;

void classify_trend(const double *w, size_t n, double dt, trend *t);

typedef struct verdict {
    enum run_class cls;
    double recovery_s;      /* stable: seconds from trigger end to health; NAN otherwise */
    double projected_s;     /* unresolved: projected recovery time (from trigger end); NAN: none */
    double decided_s;       /* time of the sample the class was decided at (the run's last) */
    int within_window;      /* stable with recovery_s <= health.recovery_window */
    double work_end;        /* outstanding work at the last sample */
    double work_rate_per_s; /* its trend over the trailing window (NAN: not judged) */
} verdict;

typedef struct classify classify;

classify *classify_new(const params *p);
void classify_free(classify *c); /* NULL is a no-op */

/* Feeds the next sample (in time order). Returns its health: 1 healthy, 0 unhealthy, -1 not yet
 * judgeable (the first window is not full). */
int classify_push(classify *c, const sample *x);
/* Nonzero when the run may stop after the last sample pushed: its class is decided and the
 * horizon allows it (from sim.duration on; with early != 0, an overloaded run at once). */
int classify_done(const classify *c, int early);
/* The class of a run whose samples end with the last one pushed. stopped != 0: the run was
 * stopped by classify_done (its decision stands); 0: the run reached its horizon (the last
 * sample is judged by the rules above). */
void classify_verdict(const classify *c, int stopped, verdict *v);

/* A model_sample_hook whose ctx is a classify (fresh for the run): judges each sample and stops
 * the run when classify_done(c, 0). */
int classify_hook(void *ctx, const run_output *sofar);

/* Health of each of o's samples into healthy[0..o->nsamples) (1, 0 or -1 as classify_push). */
void classify_health(const params *p, const run_output *o, signed char *healthy);

/* The effective horizon: max(sim.duration, sim.max_duration). */
double classify_horizon(const params *p);
/* Trigger end: trigger.at + trigger.duration (trigger.at for kind "none"). */
double classify_trigger_end(const params *p);

#endif
