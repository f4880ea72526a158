/* sweep_fluid: the sweep's grid classified by the fluid model (L4). */
#include "sweep_fluid.h"

#include "classify.h"
#include "cli.h"
#include "config.h"
#include "csv.h"
#include "fluid.h"
#include "sweep.h"
#include "sweep_files.h"
#include "xmem.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2
};

/* One point's classification. */
typedef struct fpoint {
    int done, failed;
    fluid_result r;
    char why[ERR_MAX]; /* failed: the fluid model's message */
} fpoint;

typedef struct fwork {
    const params *p;
    sweep_grid *g;
    fpoint *pts;
    size_t next, end;
    pthread_mutex_t mu;
} fwork;

static void classify_point(const fwork *w, size_t k, fpoint *out)
{
    params *q = xmalloc(sizeof *q);
    err e;
    err_clear(&e);
    if (sweep_point_params(w->g, w->p, k, q, &e) < 0 || fluid_classify(q, &out->r, &e) < 0) {
        out->failed = 1;
        snprintf(out->why, sizeof out->why, "%s", e.msg);
    }
    out->done = 1;
    free(q);
}

static void *worker(void *arg)
{
    fwork *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        size_t k = w->next < w->end ? w->next++ : w->end;
        pthread_mutex_unlock(&w->mu);
        if (k >= w->end)
            return NULL;
        classify_point(w, k, &w->pts[k]);
    }
}

/* Classifies points [from, to) on jobs threads. */
static void classify_range(fwork *w, size_t from, size_t to, int jobs)
{
    w->next = from;
    w->end = to;
    size_t n = to - from;
    int nt = jobs < 1 ? 1 : jobs;
    if ((size_t)nt > n)
        nt = (int)n;
    if (nt > 64)
        nt = 64;
    pthread_t th[64];
    for (int i = 1; i < nt; i++)
        pthread_create(&th[i], NULL, worker, w);
    worker(w);
    for (int i = 1; i < nt; i++)
        pthread_join(th[i], NULL);
}

static int run_class_of_fluid(enum fluid_class c)
{
    switch (c) {
    case FLUID_STABLE:
        return CLASS_STABLE;
    case FLUID_METASTABLE:
        return CLASS_METASTABLE;
    case FLUID_OVERLOADED:
        return CLASS_OVERLOADED;
    default:
        return CLASS_UNRESOLVED;
    }
}

static void fluid_header(FILE *f, const params *p)
{
    fprintf(f, "point,level,x,y,%s", p->sweep.x.key);
    if (p->sweep.y.present)
        fprintf(f, ",%s", p->sweep.y.key);
    fputs(",class,recovery_time,recovered_within_window,projected_recovery_time,"
          "stable_equilibria,unstable_equilibria,unbounded,bistable,healthy_equilibrium_backlog,"
          "slowest_mode_per_s,peak_backlog,peak_mutating,backlog_end,mutating_end,"
          "heartbeat_success_end,scrape_success_end,ode_dim,ode_steps,rhs_evals\n",
          f);
}

static void fluid_row(FILE *f, const params *p, const sweep_grid *g, size_t k,
                      const fluid_result *r)
{
    const sweep_point *pt = sweep_grid_point(g, k);
    fprintf(f, "%zu,%d,", k, pt->level);
    double head[] = {pt->x, pt->y, pt->x, pt->y};
    int nh = p->sweep.y.present ? 4 : 3;
    for (int i = 0; i < nh; i++) {
        if (i)
            fputc(',', f);
        csv_num(f, head[i]);
    }
    fprintf(f, ",%s,", run_class_name((enum run_class)run_class_of_fluid(r->cls)));
    csv_num(f, r->recovery_s);
    fprintf(f, ",%d,", r->recovered_within_window);
    csv_num(f, r->projected_recovery_s);
    int stable = 0, unstable = 0, unbounded = 0;
    double healthy_backlog = NAN, slowest = NAN;
    for (int i = 0; i < r->nfixed; i++) {
        const fluid_fixed *x = &r->fixed[i];
        if (x->unbounded)
            unbounded = 1;
        else if (x->stable) {
            if (stable == 0) {
                healthy_backlog = x->at.backlog;
                slowest = x->max_re;
            }
            stable++;
        } else
            unstable++;
    }
    /* two attractors: the healthy equilibrium and a second stable one or the unbounded end */
    int bistable = stable + unbounded >= 2;
    fprintf(f, ",%d,%d,%d,%d,", stable, unstable, unbounded, bistable);
    double tail[] = {healthy_backlog, slowest,         r->peak_backlog,   r->peak_mutating,
                     r->end.backlog,  r->end.mutating, r->end.hb_success, r->end.scrape_success};
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) {
        if (i)
            fputc(',', f);
        csv_num(f, tail[i]);
    }
    fprintf(f, ",%zu,%zu,%zu\n", r->dim, r->steps, r->rhs_evals);
}

static int exists_in(const char *dir, const char *name)
{
    char *path = path_join(dir, name);
    struct stat st;
    int rc = stat(path, &st) == 0;
    free(path);
    return rc;
}

int sweep_fluid_run(const sweep_opts *o, const params *p, int jobs)
{
    err e;
    err_clear(&e);
    const char *dir = o->c.out ? o->c.out : "results/sweep";
    if (o->c.resume || o->shard_n) {
        fprintf(stderr,
                "avalanche sweep: --method fluid: expected no %s (the fluid map takes "
                "milliseconds: run it again)\n",
                o->c.resume ? "--resume" : "--shard");
        return EXIT_USAGE;
    }
    if (p->apiserver.admission == ADMISSION_POLICY_APF) {
        /* before --out exists: a refused sweep leaves nothing behind */
        fprintf(stderr, "avalanche sweep: --method fluid: apiserver.admission = \"apf\": API "
                        "Priority and Fairness is not in the fluid model (it has the max-inflight "
                        "pools; simulate)\n");
        return EXIT_USAGE;
    }
    /* The fluid model's files and boundaries are numeric: its map over an enum, bool or config
     * axis would be a handful of separate fluid sweeps; three axes likewise. */
    const axis *ax[3] = {&p->sweep.x, &p->sweep.y, &p->sweep.z};
    for (int i = 0; i < 3; i++) {
        const char *nm = i == 0 ? "x" : i == 1 ? "y" : "z";
        if (ax[i]->present && (i == 2 || ax[i]->ncats > 0)) {
            fprintf(stderr,
                    "avalanche sweep: --method fluid: sweep.%s: %s; the fluid sweep takes one or "
                    "two numeric axes (drop --method fluid, or give each category a fluid sweep of "
                    "its own)\n",
                    nm, i == 2 ? "a third axis" : "a categorical axis");
            return EXIT_USAGE;
        }
    }
    if (dir_make(dir, &e) < 0) {
        fprintf(stderr, "avalanche sweep: %s\n", e.msg);
        return EXIT_USAGE;
    }
    if (exists_in(dir, "points.csv")) {
        fprintf(stderr,
                "avalanche sweep: --out %s: holds a simulated sweep (points.csv); use another "
                "--out for the fluid map, so that both can be compared\n",
                dir);
        return EXIT_USAGE;
    }
    double t0 = cli_wall_s();
    /* regions.csv of a fluid sweep: one deterministic "replication" per point */
    params *q = xmalloc(sizeof *q);
    *q = *p;
    q->sweep.replications = 1;
    int status = EXIT_RUNTIME;
    fwork w = {.p = p};
    pthread_mutex_init(&w.mu, NULL);
    sweep_result *res = NULL;
    int *maj = NULL;
    char *text = NULL;
    size_t cap = 0, done = 0;
    if (!(w.g = sweep_grid_new(p, &e))) {
        fprintf(stderr, "avalanche sweep: %s\n", e.msg);
        status = EXIT_USAGE;
        goto out;
    }
    for (int level = 0;; level++) {
        size_t n = sweep_grid_count(w.g);
        if (n > cap) {
            w.pts = xrealloc(w.pts, n * sizeof *w.pts);
            memset(w.pts + cap, 0, (n - cap) * sizeof *w.pts);
            cap = n;
        }
        classify_range(&w, done, n, jobs);
        for (size_t k = done; k < n; k++)
            if (w.pts[k].failed) {
                const sweep_point *pt = sweep_grid_point(w.g, k);
                char at[2 * AXIS_KEY_MAX + 96];
                if (p->sweep.y.present)
                    snprintf(at, sizeof at, "%s = %.17g, %s = %.17g", p->sweep.x.key, pt->x,
                             p->sweep.y.key, pt->y);
                else
                    snprintf(at, sizeof at, "%s = %.17g", p->sweep.x.key, pt->x);
                fprintf(stderr, "avalanche sweep: --method fluid: at point %zu (%s): %s\n", k, at,
                        w.pts[k].why);
                status = strncmp(w.pts[k].why, "fluid: ODE", 10) == 0 ? EXIT_RUNTIME : EXIT_USAGE;
                goto out;
            }
        done = n;
        if (level >= p->sweep.refine)
            break;
        maj = xrealloc(maj, n * sizeof *maj);
        for (size_t k = 0; k < n; k++)
            maj[k] = run_class_of_fluid(w.pts[k].r.cls);
        if (sweep_grid_refine(w.g, maj) == 0)
            break;
    }
    res = xcalloc(done, sizeof *res);
    for (size_t k = 0; k < done; k++) {
        const fluid_result *r = &w.pts[k].r;
        sweep_result *x = &res[k];
        x->task = k;
        x->done = 1;
        x->cls = run_class_of_fluid(r->cls);
        x->within_window = r->recovered_within_window;
        x->recovery_s = r->recovery_s;
        x->m[SWEEP_M_INFLIGHT_MUT_RECOVERY] = r->end.mutating;
        x->m[SWEEP_M_TR_TIMEOUTS_RECOVERY] = NAN;
        x->m[SWEEP_M_HB_RATIO] = r->end.hb_success;
        x->m[SWEEP_M_MAX_NOT_READY] = NAN;
    }
    /* the files: fluid.csv first (it marks the directory for the chart's subtitle) */
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    fluid_header(m, p);
    for (size_t k = 0; k < done; k++)
        fluid_row(m, p, w.g, k, &w.pts[k].r);
    fclose(m);
    char *cfg = NULL;
    size_t cfglen = 0;
    m = open_memstream(&cfg, &cfglen);
    config_dump_resolved(p, m);
    fclose(m);
    const char *names[] = {SWEEP_FLUID_CSV, "config.resolved.cfg"};
    const char *bodies[] = {text, cfg};
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        char *path = path_join(dir, names[i]);
        afile af;
        rc = afile_open(&af, path, &e);
        if (rc == 0) {
            fputs(bodies[i], af.f);
            rc = afile_commit(&af, &e);
        }
        free(path);
    }
    free(cfg);
    if (rc == 0)
        rc = sweep_provenance_write(dir, &e);
    if (rc == 0)
        rc = sweep_write_results(dir, o->c.config, q, w.g, res, &e);
    if (rc < 0) {
        fprintf(stderr, "avalanche sweep: %s\n", e.msg);
        goto out;
    }
    if (!o->c.quiet) {
        unsigned counts[CLASS_COUNT] = {0};
        for (size_t k = 0; k < done; k++)
            counts[res[k].cls]++;
        printf("avalanche sweep: fluid model: %zu points (%d refinement levels): %u stable, %u "
               "metastable, %u overloaded, %u unresolved; %.3f s; wrote %s/\n",
               done, sweep_grid_levels(w.g), counts[CLASS_STABLE], counts[CLASS_METASTABLE],
               counts[CLASS_OVERLOADED], counts[CLASS_UNRESOLVED], cli_wall_s() - t0, dir);
    }
    status = EXIT_OK;
out:
    free(text);
    free(res);
    free(maj);
    free(w.pts);
    sweep_grid_free(w.g);
    pthread_mutex_destroy(&w.mu);
    free(q);
    return status;
}
