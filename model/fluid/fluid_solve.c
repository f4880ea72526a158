/* fluid_solve: integration of the fluid model with gsl_odeiv2 (BDF, numerical Jacobian), the
 * health predicate of stats.c on its samples, the classification and the trajectory (L3).
 * Equations: fluid.c and fluid.md; equilibria: fluid_fixed.c. */
#include "fluid_impl.h"

#include "classify.h"

#include "timecmp.h"
#include "xmem.h"

#include <float.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The fluid's classes are the simulator's, named by the same table (classify.c). */
_Static_assert(FLUID_STABLE == (int)CLASS_STABLE && FLUID_METASTABLE == (int)CLASS_METASTABLE &&
                   FLUID_OVERLOADED == (int)CLASS_OVERLOADED &&
                   FLUID_UNRESOLVED == (int)CLASS_UNRESOLVED &&
                   FLUID_CLASS_COUNT == (int)CLASS_COUNT,
               "enum fluid_class follows enum run_class");

const char *fluid_class_name(enum fluid_class c)
{
    return run_class_name((enum run_class)c);
}

/* ---- the ODE system for GSL ---- */

static int ode_f(double t, const double y[], double dy[], void *ctx)
{
    (void)t;
    fluid_rhs(ctx, y, dy, NULL);
    return GSL_SUCCESS;
}

/* A perturbation for component j: relative, with a floor by the kind of state. */
static double jac_step(const fluid_model *m, const double *y, int j)
{
    double typ = 1.0;
    if ((j >= m->isa && j < m->inl) || (j >= m->iz && j <= m->inu))
        typ = 1e-3; /* fractions */
    return sqrt(DBL_EPSILON) * fmax(fabs(y[j]), typ);
}

/* Forward differences over the dynamic columns (the counters feed nothing back). */
static int ode_jac(double t, const double y[], double *dfdy, double dfdt[], void *ctx)
{
    (void)t;
    fluid_model *m = ctx;
    int n = m->dim;
    double *yy = xmalloc(2 * (size_t)n * sizeof *yy), *f0 = yy + n;
    memcpy(yy, y, (size_t)n * sizeof *yy);
    double *f1 = xmalloc((size_t)n * sizeof *f1);
    fluid_rhs(m, y, f0, NULL);
    memset(dfdy, 0, (size_t)n * (size_t)n * sizeof *dfdy);
    for (int j = 0; j < m->ndyn; j++) {
        double h = jac_step(m, y, j);
        yy[j] = y[j] + h;
        fluid_rhs(m, yy, f1, NULL);
        yy[j] = y[j];
        for (int i = 0; i < n; i++)
            dfdy[i * n + j] = (f1[i] - f0[i]) / h;
    }
    for (int i = 0; i < n; i++)
        dfdt[i] = 0.0; /* autonomous between the trigger's jumps */
    m->njac++;
    free(f1);
    free(yy);
    return GSL_SUCCESS;
}

/* ---- integration with samples on a grid ---- */

typedef struct integ {
    fluid_model m;
    gsl_odeiv2_system sys;
    gsl_odeiv2_driver *d;
    double *y, *yprev, *scale, *ylerp;
    double t, h, hmax;
    double dt;       /* sample interval */
    size_t ns, cap;  /* samples taken */
    double *st, *sc; /* sample times and counters (FC_COUNT per sample) */
    double cnt[FC_COUNT], cprev[FC_COUNT], rate[FC_COUNT]; /* the counters, trapezoid rule */
    fluid_trace *tr;                                       /* optional full trace */
    size_t trcap;
    bool after_trigger;
    double peak_B, peak_mut;
    size_t steps, failed;
} integ;

/* The counters' rates at the current state. */
static void counter_rates(integ *g)
{
    fluid_aux a;
    fluid_eval(&g->m, g->y, &a);
    memcpy(g->rate, a.counter_rate, sizeof g->rate);
}

static int integ_init(integ *g, const params *p, double dt, err *e)
{
    memset(g, 0, sizeof *g);
    if (fluid_model_init(&g->m, p, e))
        return -1;
    fluid_model *m = &g->m;
    int n = m->dim;
    g->y = xcalloc((size_t)n * 4, sizeof *g->y);
    g->yprev = g->y + n;
    g->scale = g->y + 2 * n;
    g->ylerp = g->y + 3 * n;
    for (int j = 0; j < n; j++) {
        double s = 1.0;
        if ((j >= m->isa && j < m->inl) || (j >= m->iz && j <= m->inu))
            s = 1e-2;
        g->scale[j] = s;
    }
    g->sys = (gsl_odeiv2_system){ode_f, ode_jac, (size_t)n, m};
    g->d = gsl_odeiv2_driver_alloc_scaled_new(&g->sys, gsl_odeiv2_step_msbdf, 1e-3, 1e-4, 1e-4, 1.0,
                                              0.0, g->scale);
    g->h = 1e-3;
    g->hmax = 5.0;
    g->dt = dt;
    fluid_initial_state(m, g->y);
    counter_rates(g);
    return 0;
}

static void integ_free(integ *g)
{
    if (g->d)
        gsl_odeiv2_driver_free(g->d);
    free(g->y);
    free(g->st);
    free(g->sc);
}

static void trace_push(integ *g, double t, const double *y)
{
    fluid_trace *tr = g->tr;
    if (tr->n == g->trcap) {
        g->trcap = g->trcap ? 2 * g->trcap : 1024;
        double **cols[] = {&tr->t,          &tr->backlog,        &tr->wait_s,     &tr->gets,
                           &tr->mutating,   &tr->readonly,       &tr->mut_reject, &tr->sa_hit,
                           &tr->tr_hit,     &tr->kubelet_hit,    &tr->loops,      &tr->not_ready,
                           &tr->hb_success, &tr->scrape_success, &tr->sa_success};
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
            *cols[k] = xrealloc(*cols[k], g->trcap * sizeof **cols[k]);
        tr->healthy = xrealloc(tr->healthy, g->trcap);
    }
    fluid_point pt;
    fluid_point_of(&g->m, y, &pt);
    size_t k = tr->n++;
    tr->t[k] = t;
    tr->backlog[k] = pt.backlog;
    tr->wait_s[k] = pt.wait_s;
    tr->gets[k] = pt.gets;
    tr->mutating[k] = pt.mutating;
    tr->readonly[k] = pt.readonly;
    tr->mut_reject[k] = pt.mut_reject;
    tr->sa_hit[k] = pt.sa_hit;
    tr->tr_hit[k] = pt.tr_hit;
    tr->kubelet_hit[k] = pt.kubelet_hit;
    tr->loops[k] = pt.loops;
    tr->not_ready[k] = pt.not_ready;
    tr->hb_success[k] = pt.hb_success;
    tr->scrape_success[k] = pt.scrape_success;
    tr->sa_success[k] = pt.sa_success;
    tr->healthy[k] = -1;
}

/* Samples every grid time in (t0, t1], the state interpolated linearly within the step. */
static void take_samples(integ *g, double t0, double t1)
{
    fluid_model *m = &g->m;
    for (;;) {
        double ts = (double)(g->ns + 1) * g->dt;
        if (time_after(ts, t1))
            break;
        double w = t1 > t0 ? (ts - t0) / (t1 - t0) : 1.0;
        if (w > 1.0)
            w = 1.0;
        if (g->ns == g->cap) {
            g->cap = g->cap ? 2 * g->cap : 1024;
            g->st = xrealloc(g->st, g->cap * sizeof *g->st);
            g->sc = xrealloc(g->sc, g->cap * FC_COUNT * sizeof *g->sc);
        }
        g->st[g->ns] = ts;
        for (int c = 0; c < FC_COUNT; c++)
            g->sc[g->ns * FC_COUNT + c] = g->cprev[c] + w * (g->cnt[c] - g->cprev[c]);
        if (g->tr) {
            for (int j = 0; j < m->dim; j++)
                g->ylerp[j] = g->yprev[j] + w * (g->y[j] - g->yprev[j]);
            trace_push(g, ts, g->ylerp);
        }
        g->ns++;
    }
}

static int integrate_to(integ *g, double t1, err *e)
{
    fluid_model *m = &g->m;
    gsl_odeiv2_driver *d = g->d;
    while (g->t < t1) {
        memcpy(g->yprev, g->y, (size_t)m->dim * sizeof *g->y);
        memcpy(g->cprev, g->cnt, sizeof g->cnt);
        double t0 = g->t, r0[FC_COUNT];
        memcpy(r0, g->rate, sizeof r0);
        if (g->h > g->hmax)
            g->h = g->hmax;
        int st = gsl_odeiv2_evolve_apply(d->e, d->c, d->s, d->sys, &g->t, t1, &g->h, g->y);
        if (st != GSL_SUCCESS)
            return err_set(e, "fluid: ODE integration failed at t = %.6g s (%s)", g->t,
                           gsl_strerror(st));
        g->steps++;
        counter_rates(g);
        for (int c = 0; c < FC_COUNT; c++)
            g->cnt[c] += 0.5 * (r0[c] + g->rate[c]) * (g->t - t0);
        if (g->after_trigger) {
            double B = g->y[m->ix] > 0.0 ? g->y[m->ix] : 0.0, mut = g->y[m->inl] + g->y[m->inf];
            if (B > g->peak_B)
                g->peak_B = B;
            if (mut > g->peak_mut)
                g->peak_mut = mut;
        }
        take_samples(g, t0, g->t);
    }
    return 0;
}

/* A jump of the state (the trigger): the multistep history is no longer valid. */
static void integ_jump(integ *g)
{
    g->failed += g->d->e->failed_steps;
    gsl_odeiv2_driver_reset(g->d);
    g->h = 1e-3;
    counter_rates(g);
}

/* ---- the health predicate of stats.c on the samples ---- */

/* h[k] for every sample: 1 healthy, 0 unhealthy, -1 window not yet full. Counts are the
 * integrated counters' differences over the trailing window; the inflight limit applies to
 * each sample's mean occupancy, as in stats_health. */
static void window_health(const integ *g, signed char *h)
{
    const fluid_model *m = &g->m;
    const params *p = m->p;
    size_t n = g->ns, w = (size_t)floor(p->health.window_s / g->dt + 1e-9);
    if (w < 1)
        w = 1;
    double cap = p->apiserver.max_mutating_requests_inflight * p->health.max_mutating_fraction;
    unsigned char *ov = xmalloc(n ? n : 1);
    size_t over = 0;
    for (size_t k = 0; k < n; k++) {
        const double *c = g->sc + k * FC_COUNT;
        double a0 = k ? g->sc[(k - 1) * FC_COUNT + FC_MUT_AREA] : 0.0;
        double t0 = k ? g->st[k - 1] : 0.0;
        ov[k] = (c[FC_MUT_AREA] - a0) / (g->st[k] - t0) >= cap;
        over += ov[k];
        if (k >= w)
            over -= ov[k - w];
        if (k + 1 < w) {
            h[k] = -1;
            continue;
        }
        const double *b = k >= w ? g->sc + (k - w) * FC_COUNT : NULL;
        double d[FC_COUNT];
        for (int i = 0; i < FC_COUNT; i++)
            d[i] = c[i] - (b ? b[i] : 0.0);
        bool ok = over == 0;
        double tiny = 1e-9;
        if (m->nodes > 0 && d[FC_HB_OK] + d[FC_HB_FAIL] > tiny)
            ok = ok &&
                 d[FC_HB_OK] / (d[FC_HB_OK] + d[FC_HB_FAIL]) >= p->health.min_heartbeat_success;
        if (m->scrapes && d[FC_SC_OK] + d[FC_SC_FAIL] > tiny)
            ok = ok && d[FC_SC_OK] / (d[FC_SC_OK] + d[FC_SC_FAIL]) >= p->health.min_scrape_success;
        if (m->sa_on && d[FC_SA_OK] + d[FC_SA_FAIL] > tiny)
            ok = ok && d[FC_SA_OK] / (d[FC_SA_OK] + d[FC_SA_FAIL]) >= p->health.min_sa_success;
        h[k] = ok;
    }
    free(ov);
}

/* Index of the last sample at or before t (relative tolerance), or -1. */
static long sample_at_or_before(const integ *g, double t)
{
    long k = -1;
    for (size_t i = 0; i < g->ns && !time_after(g->st[i], t); i++)
        k = (long)i;
    return k;
}

static double trigger_end_s(const params *p)
{
    return p->trigger.kind == TRIGGER_NONE ? p->trigger.at_s
                                           : p->trigger.at_s + p->trigger.duration_s;
}

/* Runs 0 -> trigger.at -> trigger end -> t_end, applying the trigger's jumps; the state at
 * trigger.at goes to y_at (NULL: not wanted). */
static int run_phases(integ *g, double t_end, fluid_point *baseline, double *y_at, err *e)
{
    const params *p = g->m.p;
    double at = p->trigger.kind == TRIGGER_NONE ? fmin(p->trigger.at_s, t_end) : p->trigger.at_s;
    if (integrate_to(g, at, e))
        return -1;
    if (baseline)
        fluid_point_of(&g->m, g->y, baseline);
    if (y_at)
        memcpy(y_at, g->y, (size_t)g->m.dim * sizeof *y_at);
    g->after_trigger = true;
    if (p->trigger.kind != TRIGGER_NONE) {
        fluid_trigger_start(&g->m, g->y);
        integ_jump(g);
        if (p->trigger.duration_s > 0.0) {
            if (integrate_to(g, at + p->trigger.duration_s, e))
                return -1;
            fluid_trigger_end(&g->m, g->y);
            integ_jump(g);
        }
    }
    return integrate_to(g, t_end, e);
}

/* The trend at the end of an unhealthy run (README, "Health and classification"). The loopback
 * backlog is the feedback's memory: with a backlog, the run drains if it shrinks at a rate that
 * would clear it within FLUID_MAX_HORIZON_S; without one, if the other outstanding work (slots
 * held, loops) or the NotReady nodes do. Sustained (a bad equilibrium, or growth) otherwise. */
static bool draining(integ *g)
{
    fluid_model *m = &g->m;
    double *dy = xmalloc((size_t)m->dim * sizeof *dy), lim = 1.0 / FLUID_MAX_HORIZON_S;
    fluid_rhs(m, g->y, dy, NULL);
    double B = g->y[m->ix], o = fluid_outstanding(m, g->y), h = 1e-3;
    for (int j = 0; j < m->dim; j++)
        g->ylerp[j] = g->y[j] + h * dy[j];
    double o_rate = (fluid_outstanding(m, g->ylerp) - o) / h;
    double nr = m->nodes * g->y[m->inu], nr_rate = m->nodes * dy[m->inu], B_rate = dy[m->ix];
    free(dy);
    if (m->limited && B > 1.0)
        return B_rate < -lim * B;
    return o_rate < -lim * fmax(o, 1.0) || (nr > 0.5 && nr_rate < -lim * nr);
}

/* Classifies the samples so far. Returns 1 when the run ends unhealthy after the trigger. */
static int judge(const integ *g, fluid_result *r)
{
    const params *p = g->m.p;
    signed char *h = xmalloc(g->ns ? g->ns : 1);
    window_health(g, h);
    double te = trigger_end_s(p);
    long b = sample_at_or_before(g, p->trigger.at_s), n = (long)g->ns;
    int bad_end = 0;
    r->recovery_s = NAN;
    r->recovered_within_window = 0;
    if (b >= 0 && h[b] == 0) {
        r->cls = FLUID_OVERLOADED;
    } else {
        long k0 = sample_at_or_before(g, te) + 1, u = -1;
        for (long k = n - 1; k >= (k0 > 0 ? k0 - 1 : 0); k--)
            if (h[k] == 0) {
                u = k;
                break;
            }
        if (n == 0 || u == n - 1) {
            bad_end = 1;
        } else {
            r->cls = FLUID_STABLE;
            r->recovery_s = u >= 0 && g->st[u + 1] > te ? g->st[u + 1] - te : 0.0;
            r->recovered_within_window = r->recovery_s <= p->health.recovery_window_s;
        }
    }
    free(h);
    return bad_end;
}

int fluid_classify(const params *p, fluid_result *r, err *e)
{
    memset(r, 0, sizeof *r);
    r->recovery_s = r->projected_recovery_s = NAN;
    r->trigger_end_s = trigger_end_s(p);
    integ g;
    if (integ_init(&g, p, p->sim.sample_interval_s, e))
        return -1;
    int rc = -1;
    double horizon = p->sim.duration_s;
    double *y_at = xmalloc((size_t)g.m.dim * sizeof *y_at);
    if (run_phases(&g, horizon, &r->baseline, y_at, e))
        goto out;
    if (judge(&g, r)) {
        /* As classify.c: unhealthy at sim.duration and draining, the run
         * goes on up to sim.max_duration; a recovery by then is stable with its recovery time,
         * work that stops draining is metastable, still draining at max_duration unresolved
         * (integrated on to FLUID_MAX_HORIZON_S for the projected recovery) */
        r->cls = draining(&g) ? FLUID_UNRESOLVED : FLUID_METASTABLE;
        r->extended_cls = r->cls;
        g.hmax = 30.0;
        double t = horizon, limit = fmax(horizon, fmin(p->sim.max_duration_s, FLUID_MAX_HORIZON_S));
        int judged = r->cls == FLUID_METASTABLE;
        while (r->cls == FLUID_UNRESOLVED && t < FLUID_MAX_HORIZON_S) {
            double step = fmax(p->health.trend_window_s, 60.0);
            double next = t < limit ? fmin(t + step, limit) : fmin(t + 1800.0, FLUID_MAX_HORIZON_S);
            if (integrate_to(&g, next, e))
                goto out;
            int within = next <= limit;
            t = next;
            fluid_result tmp = *r;
            if (!judge(&g, &tmp)) {
                if (within && !judged) {
                    r->cls = FLUID_STABLE;
                    r->recovery_s = tmp.recovery_s;
                    r->recovered_within_window = tmp.recovered_within_window;
                }
                r->extended_cls = FLUID_STABLE;
                r->projected_recovery_s = tmp.recovery_s;
                break;
            }
            if (!draining(&g)) {
                if (within && !judged)
                    r->cls = FLUID_METASTABLE;
                r->extended_cls = FLUID_METASTABLE;
                break;
            }
            if (t >= limit)
                judged = 1; /* still draining at max_duration: unresolved; go on for the
                             * projection only */
        }
    } else {
        r->extended_cls = r->cls;
    }
    fluid_point_of(&g.m, g.y, &r->end);
    r->peak_backlog = g.peak_B;
    r->peak_mutating = g.peak_mut;
    r->dim = (size_t)g.m.dim;
    r->steps = g.steps;
    r->failed_steps = g.failed + g.d->e->failed_steps;
    /* the equilibria, from the warm steady state reached before the trigger */
    rc = fluid_equilibria(p, y_at, r, e);
    r->rhs_evals += g.m.nrhs;
    r->jac_evals += g.m.njac;
out:
    free(y_at);
    integ_free(&g);
    return rc;
}

int fluid_fixed_points(const params *p, fluid_result *r, err *e)
{
    integ g;
    r->nfixed = 0;
    r->rhs_evals = r->jac_evals = 0;
    if (integ_init(&g, p, p->sim.sample_interval_s, e))
        return -1;
    /* a guess: the warm start relaxed for the DES's pre-trigger time (at most 600 s) */
    double t = p->trigger.kind == TRIGGER_NONE ? p->sim.duration_s : p->trigger.at_s;
    int rc = integrate_to(&g, fmin(t, 600.0), e);
    if (rc == 0)
        rc = fluid_equilibria(p, g.y, r, e);
    r->rhs_evals += g.m.nrhs;
    r->jac_evals += g.m.njac;
    integ_free(&g);
    return rc;
}

/* ---- the trajectory ---- */

int fluid_trajectory(const params *p, double dt_out, fluid_trace *t, err *e)
{
    memset(t, 0, sizeof *t);
    if (!(dt_out > 0.0))
        return err_set(e, "fluid: trajectory sample interval must be > 0 (got %g)", dt_out);
    integ g;
    if (integ_init(&g, p, dt_out, e))
        return -1;
    g.tr = t;
    int rc = run_phases(&g, p->sim.duration_s, NULL, NULL, e);
    if (rc == 0) {
        window_health(&g, t->healthy);
    } else {
        fluid_trace_free(t);
    }
    integ_free(&g);
    return rc;
}

void fluid_trace_free(fluid_trace *t)
{
    if (!t)
        return;
    double *cols[] = {t->t,        t->backlog,    t->wait_s,     t->gets,           t->mutating,
                      t->readonly, t->mut_reject, t->sa_hit,     t->tr_hit,         t->kubelet_hit,
                      t->loops,    t->not_ready,  t->hb_success, t->scrape_success, t->sa_success};
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
        free(cols[k]);
    free(t->healthy);
    memset(t, 0, sizeof *t);
}
