/* classify: health predicate, trend test and stability class of one run, sample by sample (L3).
 *
 * Why a trend test and not a deadline: a backlog that drains by itself is a slow recovery, not a
 * metastable failure (README, "Health and classification"). What sustains the TokenReview avalanche
 * is work that the system keeps in flight for itself: validations queued behind the loopback
 * limiter (each expiring token adds more while the queue is long), requests holding slots, calls
 * waiting to retry. Its total, sample.out_*, grows or stays put while the failure sustains itself
 * and falls while the system heals, so the classifier judges its trend over a trailing window:
 *  - thirds, not a regression slope: the series is a sawtooth (60 s scrape waves, 120 s kubelet
 *    cache waves) and strongly autocorrelated, so a least-squares standard error would be far too
 *    small; comparing the means of the first and last thirds of a window several waves long
 *    averages the waves out, and batch means within each third estimate the noise of those means
 *    on the scale the noise actually has;
 *  - a stationary bad state (no decrease) counts as sustained, as does a rising one: only a
 *    decrease of more than TREND_Z standard errors, TREND_MIN_DROP of the level and one unit is a
 *    drain;
 *  - noise must not flip a draining run to metastable: a run stops as metastable only when every
 *    sample of the last CLASSIFY_SUSTAIN trend windows (30 minutes by default) says
 *    "sustained", so one noisy verdict does not end a run, and a drain shows in the 600 s window
 *    for minutes after its backlog is gone, so the health predicate's own lag does not either;
 *  - "not draining" is only the absence of evidence, so the early stop also needs evidence that
 *    the state feeds itself: over the long look-back (trend_long: the last 30 minutes, or the
 *    second half of the episode when that is longer) the work grows, by more than TREND_Z
 *    standard errors, and its last third lies above every sample of the episode before the
 *    look-back (a cap-1000 mechanism run grew for half an hour below the peak its burst had
 *    left, and was still draining at its 2 h horizon: growth alone was not enough). A flat or
 *    wandering bad state runs on to sim.max_duration and is judged there, over the same long
 *    look-back, so that a state that wanders on the scale of hours is judged on its drift and
 *    not on its latest swing. Measured reason (paper/figures.sh 5e, the
 *    studies' metastable verdicts rerun to 8 h): with "not falling for 30 minutes" alone, 3 of
 *    3 early-stopped runs of 1.12 with today's APF objects recovered 1.6 to 3.1 h after their
 *    burst, inside their own 4 h horizon (a backlog of 5000 to 10 000 under waves of 10 000
 *    every few minutes, falling by a few per second, which no 600 s window tells from a flat
 *    state); the 1.12 incident's backlog wanders between 10 000 and 40 000 for hours, so that a
 *    30-minute look-back at the horizon reads its latest swing (a dip in the cap-2000 backlog
 *    that grows to 500 000 by 8 h read as a drain);
 *  - so long, because near the boundary a bad state can hover or even grow for many minutes and
 *    then escape through a slow negative feedback (nodes going NotReady are no longer scraped,
 *    so their TokenReviews stop): with per-node SA traffic at 5000 nodes the backlog grew for
 *    20 minutes, then drained, and health returned after 77 minutes; a 4000-node run held its
 *    backlog level for 6 minutes before draining. Runs to the horizon check the early stops (the
 *    README gives the agreement). A stationary state misread as draining costs only simulated
 *    time: the run goes on and is judged again at the next sample. */
#include "classify.h"

#include "timecmp.h"
#include "xmem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *run_class_name(enum run_class c)
{
    static const char *const n[CLASS_COUNT] = {"stable", "metastable", "overloaded", "unresolved"};
    return (unsigned)c < CLASS_COUNT ? n[c] : "?";
}

int run_class_of(const char *s)
{
    for (int c = 0; c < CLASS_COUNT; c++)
        if (s && strcmp(s, run_class_name((enum run_class)c)) == 0)
            return c;
    return -1;
}

double classify_horizon(const params *p)
{
    return p->sim.max_duration_s > p->sim.duration_s ? p->sim.max_duration_s : p->sim.duration_s;
}

double classify_trigger_end(const params *p)
{
    return p->trigger.kind == TRIGGER_NONE ? p->trigger.at_s
                                           : p->trigger.at_s + p->trigger.duration_s;
}

/* ---- the trend test -------------------------------------------------------------------------- */

/* Mean of samples [a, b) from prefix sums (prefix[i] = sum of the first i samples). */
static double range_mean(const double *prefix, size_t a, size_t b)
{
    return (prefix[b] - prefix[a]) / (double)(b - a);
}

/* Mean of [a, a + m) and the variance of that mean, from nb batch means. */
static void third_stats(const double *prefix, size_t a, size_t m, double *mean, double *var)
{
    size_t nb = m < TREND_BATCHES ? m : TREND_BATCHES;
    double bm[TREND_BATCHES], s = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t lo = a + b * m / nb, hi = a + (b + 1) * m / nb;
        bm[b] = range_mean(prefix, lo, hi);
        s += bm[b];
    }
    double mu = s / (double)nb, ss = 0;
    for (size_t b = 0; b < nb; b++)
        ss += (bm[b] - mu) * (bm[b] - mu);
    *mean = range_mean(prefix, a, a + m);
    *var = nb > 1 ? ss / (double)(nb - 1) / (double)nb : 0.0;
}

/* The test on samples [lo, lo + n) of a prefix-sum array. */
static void trend_prefix(const double *prefix, size_t lo, size_t n, double dt, trend *t)
{
    memset(t, 0, sizeof *t);
    t->rate_per_s = t->rate_se = NAN;
    size_t m = n / 3;
    if (m < 3)
        return;
    double va, vb;
    third_stats(prefix, lo, m, &t->first_mean, &va);
    third_stats(prefix, lo + n - m, m, &t->last_mean, &vb);
    t->ok = 1;
    t->se = sqrt(va + vb);
    t->rate_per_s = (t->last_mean - t->first_mean) / ((double)(n - m) * dt);
    t->rate_se = t->se / ((double)(n - m) * dt);
    double drop = t->first_mean - t->last_mean;
    double need = fmax(fmax(TREND_Z * t->se, TREND_MIN_DROP * fabs(t->first_mean)), 1.0);
    t->draining = drop > need;
}

void classify_trend(const double *w, size_t n, double dt, trend *t)
{
    double *prefix = xmalloc((n + 1) * sizeof *prefix);
    prefix[0] = 0;
    for (size_t i = 0; i < n; i++)
        prefix[i + 1] = prefix[i] + w[i];
    trend_prefix(prefix, 0, n, dt, t);
    free(prefix);
}

/* ---- the health predicate and the decisions -------------------------------------------------- */

/* The counts a window adds up, per sample. */
enum wcount {
    W_HB_STALE, /* nodes with a stale status (sample.stale) */
    W_HB_NODES,
    W_SC_OK,
    W_SC_FAIL,
    W_SA_OK,
    W_SA_FAIL,
    W_OVER,
    W_COUNT
};

struct classify {
    const params *p;
    int has_hb, has_scrape, has_sa;
    double cap, dt, at, te, duration, window_s, hold_s, trend_s;
    size_t w;                /* samples per health window */
    size_t trend_w;          /* samples per trend window */
    double (*ring)[W_COUNT]; /* the last w samples' counts */
    double sum[W_COUNT];
    /* history */
    size_t n, alloc;
    double *t;
    signed char *h;
    double *prefix; /* prefix[i]: outstanding work summed over samples [0, i) */
    double base_sum;
    size_t base_n;
    /* progress of the judgement */
    long k0;             /* first sample after the trigger end (-1: not yet) */
    long last_unhealthy; /* last unhealthy sample from k0 - 1 on (-1: none) */
    long healthy_from;   /* first sample of the current healthy stretch (-1: unhealthy now) */
    int recovered;       /* after k0, the current healthy stretch has held health.hold */
    long episode;        /* first sample of the current unhealthy episode (-1: none open) */
    long sustained_from; /* first of the current run of "sustained" verdicts (-1: none) */
    long pre_from;       /* episode_max_before: the episode it covers (-1: none), */
    size_t pre_hi;       /* ... the samples [pre_from, pre_hi) it has seen, */
    double pre_max;      /* ... and their highest work */
    int next_iv;         /* the next intervention not yet passed */
    int decided;
    verdict dv;
};

classify *classify_new(const params *p)
{
    classify *c = xcalloc(1, sizeof *c);
    c->p = p;
    c->has_hb = p->cluster.nodes > 0;
    c->has_scrape = p->cluster.nodes > 0 && p->metrics_server.enabled;
    c->has_sa = params_sa_rate(p) > 0.0;
    /* a client class an intervention switches on is judged too */
    for (int i = 0; i < p->ninterventions; i++)
        for (int j = 0; j < p->interventions[i].nsets; j++) {
            const intervention_set *v = &p->interventions[i].sets[j];
            if (v->value > 0 && (strcmp(v->key, "sa_clients.rate") == 0 ||
                                 strcmp(v->key, "sa_clients.rate_per_node") == 0))
                c->has_sa = 1;
            if (v->value > 0 && strcmp(v->key, "metrics_server.enabled") == 0)
                c->has_scrape = p->cluster.nodes > 0;
        }
    /* the whole cluster's mutating cap: every replica has its own (the inflight gauge is the sum)
     */
    c->cap = p->apiserver.max_mutating_requests_inflight * p->apiserver.replicas *
             p->health.max_mutating_fraction;
    c->dt = p->sim.sample_interval_s;
    c->at = p->trigger.at_s;
    c->te = classify_trigger_end(p);
    c->duration = p->sim.duration_s;
    c->window_s = p->health.window_s;
    c->hold_s = p->health.hold_s;
    c->trend_s = p->health.trend_window_s;
    size_t w = (size_t)floor(p->health.window_s / c->dt + 1e-9);
    c->w = w > 0 ? w : 1;
    size_t tw = (size_t)floor(p->health.trend_window_s / c->dt + 1e-9);
    c->trend_w = tw > 0 ? tw : 1;
    c->ring = xcalloc(c->w, sizeof *c->ring);
    c->k0 = c->last_unhealthy = c->sustained_from = c->episode = c->healthy_from = -1;
    c->pre_from = -1;
    c->alloc = 1024;
    c->t = xmalloc(c->alloc * sizeof *c->t);
    c->h = xmalloc(c->alloc);
    c->prefix = xmalloc((c->alloc + 1) * sizeof *c->prefix);
    c->prefix[0] = 0;
    return c;
}

void classify_free(classify *c)
{
    if (!c)
        return;
    free(c->ring);
    free(c->t);
    free(c->h);
    free(c->prefix);
    free(c);
}

static double ratio(double ok, double fail)
{
    return ok / (ok + fail);
}

/* Health of the sample just added, from the window sums. */
static int health_now(const classify *c)
{
    if (c->n < c->w)
        return -1;
    const params *p = c->p;
    const double *s = c->sum;
    /* Counts are integers held in doubles: the running sums are exact. */
    int ok = s[W_OVER] == 0;
    /* heartbeats: the share of node-samples with a fresh status */
    if (c->has_hb && s[W_HB_NODES] > 0)
        ok = ok && 1.0 - s[W_HB_STALE] / s[W_HB_NODES] >= p->health.min_heartbeat_success;
    if (c->has_scrape && s[W_SC_OK] + s[W_SC_FAIL] > 0)
        ok = ok && ratio(s[W_SC_OK], s[W_SC_FAIL]) >= p->health.min_scrape_success;
    if (c->has_sa && s[W_SA_OK] + s[W_SA_FAIL] > 0)
        ok = ok && ratio(s[W_SA_OK], s[W_SA_FAIL]) >= p->health.min_sa_success;
    return ok;
}

/* The first sample of the current unhealthy episode (k when none is open). */
static size_t episode_from(const classify *c, size_t k)
{
    return c->episode >= 0 ? (size_t)c->episode : k;
}

/* The trend verdict at sample k: over the trailing trend window, within the current unhealthy
 * episode (from the trigger end, or from the first unhealthy sample after a recovery that held
 * health.hold: a relapse after a real recovery is judged on its own work, while a recovery that
 * did not hold, a flicker, stays part of the episode it interrupted). */
static void trend_over(const classify *c, size_t k, size_t w, size_t *lo, trend *t)
{
    size_t from = episode_from(c, k);
    *lo = k + 1 >= w && k + 1 - w > from ? k + 1 - w : from;
    trend_prefix(c->prefix, *lo, k + 1 - *lo, c->dt, t);
}

static void trend_at(const classify *c, size_t k, size_t *lo, trend *t)
{
    trend_over(c, k, c->trend_w, lo, t);
}

/* Mean outstanding work of the baseline (0 before any baseline sample). */
static double base_level(const classify *c)
{
    return c->base_n ? c->base_sum / (double)c->base_n : 0.0;
}

/* The long look-back that judges a state: the last CLASSIFY_SUSTAIN trend windows, or the
 * second half of the episode so far when that is longer (a state that wanders on the scale of
 * hours is judged on its drift over hours, not on its latest half-hour swing). */
static void trend_long(const classify *c, size_t k, size_t *lo, trend *t)
{
    size_t w = CLASSIFY_SUSTAIN * c->trend_w;
    size_t from = episode_from(c, k);
    if ((k + 1 - from) / 2 > w)
        w = (k + 1 - from) / 2;
    trend_over(c, k, w, lo, t);
}

/* The highest outstanding work of a sample of the episode from `from` up to sample lo (the
 * look-back's start), kept incrementally: lo never moves back within an episode. */
static double episode_max_before(classify *c, size_t from, size_t lo)
{
    if (c->pre_from != (long)from) {
        c->pre_from = (long)from;
        c->pre_hi = from;
        c->pre_max = -INFINITY;
    }
    for (; c->pre_hi < lo; c->pre_hi++) {
        double w = c->prefix[c->pre_hi + 1] - c->prefix[c->pre_hi];
        if (w > c->pre_max)
            c->pre_max = w;
    }
    return c->pre_max;
}

/* The early metastable stop's evidence that the state feeds itself: over the long look-back
 * (into *t) the outstanding work grows by more than TREND_Z standard errors, and its last third
 * lies above every sample of the episode before the look-back (a backlog that outgrows its own
 * past, not one that swings up again below the peak the trigger left). */
static int grows(classify *c, size_t k, trend *t)
{
    size_t lo;
    trend_long(c, k, &lo, t);
    if (!t->ok || t->rate_per_s - TREND_Z * t->rate_se <= 0)
        return 0;
    size_t from = episode_from(c, k);
    return t->last_mean > episode_max_before(c, from, lo);
}

static double recovery_of(const classify *c)
{
    long u = c->last_unhealthy;
    if (u >= 0 && (size_t)u + 1 < c->n && c->t[u + 1] > c->te)
        return c->t[u + 1] - c->te;
    return 0.0;
}

/* Fills the verdict fields every class shares, at the last sample. */
static void finish(const classify *c, verdict *v, const trend *t)
{
    size_t k = c->n - 1;
    v->decided_s = c->t[k];
    v->work_end = c->prefix[k + 1] - c->prefix[k];
    v->work_rate_per_s = t && t->ok ? t->rate_per_s : NAN;
    v->within_window =
        v->cls == CLASS_STABLE && !time_after(v->recovery_s, c->p->health.recovery_window_s);
}

static void decide(classify *c, enum run_class cls, const trend *t)
{
    c->decided = 1;
    verdict *v = &c->dv;
    v->cls = cls;
    v->recovery_s = cls == CLASS_STABLE ? recovery_of(c) : NAN;
    v->projected_s = NAN;
    finish(c, v, t);
}

static void grow(classify *c)
{
    c->alloc *= 2;
    c->t = xrealloc(c->t, c->alloc * sizeof *c->t);
    c->h = xrealloc(c->h, c->alloc);
    c->prefix = xrealloc(c->prefix, (c->alloc + 1) * sizeof *c->prefix);
}

int classify_push(classify *c, const sample *x)
{
    if (c->n == c->alloc)
        grow(c);
    size_t k = c->n;
    double add[W_COUNT] = {x->stale,
                           (double)c->p->cluster.nodes,
                           x->c[C_SCRAPE_OK],
                           x->c[C_SCRAPE_FAIL],
                           x->c[C_SA_OK],
                           x->c[C_SA_FAIL],
                           x->inflight_mut >= c->cap};
    double *slot = c->ring[k % c->w];
    for (int i = 0; i < W_COUNT; i++) {
        if (k >= c->w)
            c->sum[i] -= slot[i];
        c->sum[i] += add[i];
        slot[i] = add[i];
    }
    double work = x->out_calls + x->out_vals + x->out_reqs;
    c->t[k] = x->t;
    c->prefix[k + 1] = c->prefix[k] + work;
    c->n = k + 1;
    int h = health_now(c);
    c->h[k] = (signed char)h;
    const params *p = c->p;
    if (h == 1 && c->healthy_from < 0)
        c->healthy_from = (long)k;
    else if (h != 1)
        c->healthy_from = -1;
    /* the baseline: windows after the warm-up, up to trigger.at */
    if (!time_after(x->t, c->at)) {
        if (time_after(x->t, p->sim.warmup_s)) {
            c->base_sum += work;
            c->base_n++;
        }
        if (h == 0 && time_reached(x->t - c->window_s, p->sim.warmup_s) && !c->decided)
            decide(c, CLASS_OVERLOADED, NULL); /* failing before any trigger */
        return h;
    }
    if (c->k0 < 0 && time_after(x->t, c->te)) {
        c->k0 = c->episode = (long)k;
        if (k > 0 && c->h[k - 1] == 0)
            c->last_unhealthy = (long)k - 1;
    }
    if (c->k0 < 0)
        return h;
    /* an intervention changes the system: its effect is judged on the work after it */
    while (c->next_iv < p->ninterventions && time_after(x->t, p->interventions[c->next_iv].at_s)) {
        c->next_iv++;
        if (!c->recovered) {
            c->episode = (long)k;
            c->sustained_from = -1;
        }
    }
    if (h == 0) {
        c->last_unhealthy = (long)k;
        if (c->recovered) {
            c->recovered = 0; /* a relapse after a real recovery: a new episode */
            c->episode = (long)k;
            c->sustained_from = -1;
        }
    } else if (h == 1 && !c->recovered && time_reached(x->t - c->t[c->healthy_from], c->hold_s)) {
        c->recovered = 1;
        c->episode = c->sustained_from = -1;
    }
    trend t = {0};
    if (!c->recovered) {
        size_t lo;
        trend_at(c, k, &lo, &t);
        if (t.ok && !t.draining) {
            if (c->sustained_from < 0)
                c->sustained_from = (long)k;
        } else {
            c->sustained_from = -1;
        }
    }
    if (c->decided || !time_reached(x->t, c->duration))
        return h;
    if (c->recovered) {
        decide(c, CLASS_STABLE, NULL);
    } else if (h == 0 && c->sustained_from >= 0 &&
               time_reached(x->t - c->t[c->sustained_from], CLASSIFY_SUSTAIN * c->trend_s)) {
        trend tl;
        if (grows(c, k, &tl))
            decide(c, CLASS_METASTABLE, &tl);
    }
    return h;
}

int classify_done(const classify *c, int early)
{
    if (!c->decided || c->n == 0)
        return 0;
    if (early && c->dv.cls == CLASS_OVERLOADED)
        return 1;
    return time_reached(c->t[c->n - 1], c->duration);
}

void classify_verdict(const classify *c, int stopped, verdict *v)
{
    memset(v, 0, sizeof *v);
    v->recovery_s = v->projected_s = v->decided_s = v->work_end = v->work_rate_per_s = NAN;
    if (c->n == 0) {
        v->cls = CLASS_UNRESOLVED;
        return;
    }
    if (c->decided && (stopped || c->dv.cls == CLASS_OVERLOADED)) {
        *v = c->dv;
        if (!stopped)
            finish(c, v, NULL);
        return;
    }
    /* The run reached its horizon: judge its last sample. */
    size_t k = c->n - 1;
    trend t = {0};
    size_t lo = k;
    /* the horizon's single verdict looks over the long look-back a metastable stop needs, so
     * that one wave of a growing backlog is not read as a drain */
    if (c->k0 >= 0 && !c->recovered)
        trend_long(c, k, &lo, &t);
    int sustained = t.ok && !t.draining;
    if (c->h[k] == 1 && (c->recovered || !sustained)) {
        /* healthy: for good, or since a drain that has just ended */
        v->cls = CLASS_STABLE;
        v->recovery_s = recovery_of(c);
    } else if (c->h[k] != -1 && sustained) {
        /* unhealthy and not draining, or a flicker whose work does not fall: recurring */
        v->cls = CLASS_METASTABLE;
    } else {
        v->cls = CLASS_UNRESOLVED;
        if (t.ok && t.draining && t.rate_per_s < 0) {
            /* Linear extrapolation of the drain from the last third's centre down to the
             * baseline level of the outstanding work, plus the health window's lag. */
            size_t n = k + 1 - lo, m = n / 3;
            double centre = c->t[lo] + ((double)(n - m) + (double)(m - 1) / 2) * c->dt;
            double floor_ = base_level(c);
            double left = t.last_mean > floor_ ? (t.last_mean - floor_) / -t.rate_per_s : 0.0;
            double when = fmax(centre + left, c->t[k]) + c->window_s;
            v->projected_s = when - c->te;
        }
    }
    finish(c, v, &t);
}

int classify_hook(void *ctx, const run_output *o)
{
    classify *c = ctx;
    classify_push(c, &o->samples[o->nsamples - 1]);
    return classify_done(c, 0);
}

void classify_health(const params *p, const run_output *o, signed char *healthy)
{
    classify *c = classify_new(p);
    for (size_t k = 0; k < o->nsamples; k++)
        healthy[k] = (signed char)classify_push(c, &o->samples[k]);
    classify_free(c);
}
