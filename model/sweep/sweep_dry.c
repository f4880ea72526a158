/* sweep_dry: `avalanche sweep --dry-run`: the grid, the number of runs and an estimated wall time,
 * without running or writing anything (L4). */
#include "sweep_dry.h"

#include "classify.h"
#include "xmem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The estimate counts engine events: a simulated second costs about EV_PER_NODE_S events per
 * node (heartbeats, scrapes, their webhook calls and timers) and EV_PER_REQUEST per client
 * request (SA-token, background and burst traffic), executed at EV_PER_S per core. Measured on
 * the 2-core development machine with `avalanche run configs/paper-short.cfg --set
 * trigger.kind="none"`: 1.13 M events in 700 s at 5000 nodes without clients (0.32), 0.28 M in
 * 700 s of 200 background requests/s without nodes (2.0; SA-token clients 2.06), 6.8 to 10.5 M
 * events/s. Against the CPU time of `-j 1` sweeps of tiny.cfg, stability.cfg,
 * paper-map-webhook.cfg and paper-capacity.cfg (refine = 0), the figure at sim.duration came out
 * 1.0 to 1.33 times too high: runs that stop early at their verdict cost less. */
#define EV_PER_NODE_S 0.32
#define EV_PER_REQUEST 2.0
#define EV_PER_S 8.0e6

double sweep_estimate_run_s(const params *p, double horizon_s)
{
    double nodes = p->cluster.nodes;
    double rate = params_sa_rate(p) + p->background.mutating_rate + p->background.readonly_rate;
    double burst = p->trigger.kind == TRIGGER_BURST ? p->trigger.rate * p->trigger.duration_s : 0;
    double events =
        horizon_s * (EV_PER_NODE_S * nodes + EV_PER_REQUEST * rate) + EV_PER_REQUEST * burst;
    return events / EV_PER_S;
}

static void fmt_wall(char *b, size_t n, double s)
{
    if (s < 60)
        snprintf(b, n, "%.1f s", s);
    else if (s < 3600)
        snprintf(b, n, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(b, n, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

/* Sums the estimate over points [from, to) of g, every replication, at both horizons. */
static int estimate(const params *p, const sweep_grid *g, size_t from, size_t to, double *lo,
                    double *hi, err *e)
{
    params *q = xmalloc(sizeof *q);
    *lo = *hi = 0;
    int rc = 0;
    for (size_t k = from; k < to && rc == 0; k++) {
        rc = sweep_point_params(g, p, k, q, e);
        double h0 = q->sim.duration_s, h1 = fmax(q->sim.duration_s, q->sim.max_duration_s);
        *lo += q->sweep.replications * sweep_estimate_run_s(q, h0);
        *hi += q->sweep.replications * sweep_estimate_run_s(q, h1);
    }
    free(q);
    return rc;
}

static void print_axis(const params *p, const char *name, const axis *a)
{
    double *v;
    size_t n;
    err e;
    err_clear(&e);
    if (sweep_axis_values(p, a, name, &v, &n, &e) < 0)
        return; /* sweep_grid_new has checked it */
    if (a->ncats > 0)
        printf("  %s = %s: %zu categor%s, %s .. %s (categorical)\n", name, a->key, n,
               n == 1 ? "y" : "ies", sweep_category_label(a, 0),
               sweep_category_label(a, a->ncats - 1));
    else
        printf("  %s = %s: %zu value%s, %.17g .. %.17g (%s%s)\n", name, a->key, n,
               n == 1 ? "" : "s", v[0], v[n - 1], a->nvalues ? "explicit values, " : "",
               axis_scale_name(a->scale));
    free(v);
}

/* A grid value in the point list: the number, or the category's name. */
static void print_value(const axis *a, int w, double v)
{
    if (a->ncats > 0 && v >= 0 && v < a->ncats)
        printf("  %*s", w, sweep_category_label(a, (int)v));
    else
        printf("  %*.17g", w, v);
}

int sweep_dry_run(const sweep_opts *o, const params *p, int threads, const char *prog)
{
    err e;
    err_clear(&e);
    sweep_grid *g = sweep_grid_new(p, &e), *bound = sweep_grid_new(p, &e);
    if (!g || !bound) {
        fprintf(stderr, "%s: %s\n", prog, e.msg);
        sweep_grid_free(g);
        sweep_grid_free(bound);
        return 2;
    }
    int naxes = sweep_grid_axes(g), reps = p->sweep.replications;
    size_t np = sweep_grid_count(g), runs = np * (size_t)reps;
    const axis *ax[3] = {&p->sweep.x, &p->sweep.y, &p->sweep.z};
    static const char *const names[3] = {"x", "y", "z"};
    printf("%s: %s: dry run (nothing run, nothing written)\n", prog, o->c.config);
    int w[3] = {0, 0, 0};
    for (int i = 0; i < naxes; i++) {
        print_axis(p, names[i], ax[i]);
        w[i] = (int)strlen(ax[i]->key);
    }
    printf("  %6s", "point");
    for (int i = 0; i < naxes; i++)
        printf("  %*s", w[i], ax[i]->key);
    putchar('\n');
    for (size_t k = 0; k < np; k++) {
        const sweep_point *pt = sweep_grid_point(g, k);
        const double v[3] = {pt->x, pt->y, pt->z};
        printf("  %6zu", k);
        for (int i = 0; i < naxes; i++)
            print_value(ax[i], w[i], v[i]);
        putchar('\n');
    }
    printf("  %zu points x %d replications = %zu runs\n", np, reps, runs);
    /* The most refinement can add: every cell split at every level (a label per point makes
     * every corner disagree). */
    size_t bound_runs = runs;
    int levels = 0;
    for (int l = 0; l < p->sweep.refine; l++) {
        size_t n = sweep_grid_count(bound);
        int *lab = xmalloc((n ? n : 1) * sizeof *lab);
        for (size_t k = 0; k < n; k++)
            lab[k] = (int)k;
        size_t added = sweep_grid_refine(bound, lab);
        free(lab);
        if (added == 0)
            break;
        bound_runs += added * (size_t)reps;
        levels++;
    }
    if (p->sweep.refine > 0)
        printf("  refine = %d: at most %zu runs in all (if every cell were split at each of %d "
               "level%s; a level splits only the cells whose corners disagree)\n",
               p->sweep.refine, bound_runs, levels, levels == 1 ? "" : "s");
    if (o->shard_n) {
        size_t mine = 0;
        for (size_t t = 0; t < runs; t++)
            mine += t % o->shard_n == o->shard_k - 1;
        printf("  shard %u/%u: %zu of the %zu runs (task t = point x %d + replication, when t mod "
               "%u = %u)\n",
               o->shard_k, o->shard_n, mine, runs, reps, o->shard_n, o->shard_k - 1);
    }
    double lo, hi, blo = 0, bhi = 0; /* lo: at sim.duration, hi: at sim.max_duration */
    if (estimate(p, g, 0, np, &lo, &hi, &e) < 0 ||
        estimate(p, bound, np, sweep_grid_count(bound), &blo, &bhi, &e) < 0) {
        fprintf(stderr, "%s: %s\n", prog, e.msg);
        sweep_grid_free(g);
        sweep_grid_free(bound);
        return 2;
    }
    double share = o->shard_n ? 1.0 / o->shard_n : 1.0;
    char a[32], b[32], c[32];
    fmt_wall(a, sizeof a, lo * share / threads);
    fmt_wall(b, sizeof b, hi * share / threads);
    int files = 0; /* a config-file axis: each point has its own file's durations */
    for (int i = 0; i < naxes; i++)
        files |= strcmp(ax[i]->key, AXIS_CONFIG) == 0;
    if (files)
        printf("  estimated wall time on %d thread%s: about %s (every run judged at its file's "
               "sim.duration), at most %s (every run draining to its sim.max_duration)\n",
               threads, threads == 1 ? "" : "s", a, b);
    else
        printf("  estimated wall time on %d thread%s: about %s (every run judged at "
               "sim.duration = %g s), at most %s (every run draining to sim.max_duration = "
               "%g s)\n",
               threads, threads == 1 ? "" : "s", a, p->sim.duration_s, b,
               fmax(p->sim.duration_s, p->sim.max_duration_s));
    if (p->sweep.refine > 0 && bhi > 0) {
        fmt_wall(c, sizeof c, blo / threads);
        printf("  refinement adds at most about %s\n", c);
    }
    printf("  (measured on the shipped configs: 0.75 to 1.0 times the first figure; an overload's "
           "retry storms can cost more)\n");
    sweep_grid_free(g);
    sweep_grid_free(bound);
    return 0;
}
