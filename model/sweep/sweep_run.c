/* model/sweep/ (layer L4): many runs: the grid, refinement and early stop (sweep), the driver
 * (sweep_run, this file), its files (sweep_files), shards and merge, the MPI back-end and its
 * wire format, the dry run, the fluid sweep, the capacity search (capacity, capacity_run). They
 * include everything below; cli/ includes them. */
/* sweep_run: `avalanche sweep`: the driver (levels, the ordered points.csv writer, resume,
 * shards) and the threads back-end (L4). Grid and statistics are in sweep.c, options, signals and
 * one job in sweep_job.c, the files in sweep_files.c, the MPI back-end in sweep_mpi.c. */
#include "sweep_run.h"

#include "classify.h"
#include "cli.h"
#include "config.h"
#include "csv.h"
#include "stats.h"
#include "sweep_dry.h"
#include "sweep_fluid.h"
#include "xmem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2
};

static const char sweep_usage[] =
    "usage: avalanche sweep CONFIG [--set KEY=VALUE]... [-j N] [--out DIR] [--resume]\n"
    "                       [--shard K/N] [--dry-run] [--method des|fluid] [--quiet]\n"
    "  --shard K/N  run the K-th of N parts of the grid (round-robin over (point, replication));\n"
    "               `avalanche merge` joins the N directories (needs sweep.refine = 0)\n"
    "  --dry-run    print the grid, the number of runs and an estimated wall time; write nothing\n"
    "  --method fluid  classify every point with the fluid (mean-field) model instead of\n"
    "               simulating (milliseconds; fluid.csv holds its equilibria); default des\n";

/* ---- the driver ------------------------------------------------------------------------------ */

struct sweep_driver {
    const params *base;
    const sweep_opts *o;
    const char *prog, *dir;
    char *cfgtext, *ptspath, *header;
    sweep_grid *g;
    params *pp; /* per point */
    int reps, quiet, tty;
    unsigned shard_k, shard_n;
    sweep_result *res; /* per task */
    size_t nres;
    sweep_rows loaded; /* rows read back with --resume */
    size_t loaded_used;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* the level: tasks [0, end); hand-out cursor next; written: the complete prefix */
    size_t next, end, written;
    size_t todo, handed, outstanding;
    int fd, io_errno;
    /* progress */
    size_t done_session, done_total, total;
    double t0, last_print;
};

/* The tasks of this process's share: all, or task t of shard K/N when t mod N = K - 1. */
static int mine(const sweep_driver *d, size_t t)
{
    return d->shard_n == 0 || t % d->shard_n == d->shard_k - 1;
}

/* Writes the longest complete prefix of rows not yet written, in one write(2), so that a kill
 * leaves whole rows. Caller holds mu. */
static void flush_prefix(sweep_driver *d)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    while (d->written < d->end) {
        sweep_result *x = &d->res[d->written];
        if (mine(d, d->written) && !x->done)
            break;
        if (x->line) {
            size_t n = strlen(x->line);
            if (len + n > cap) {
                cap = 2 * (len + n);
                buf = xrealloc(buf, cap);
            }
            memcpy(buf + len, x->line, n);
            len += n;
            free(x->line);
            x->line = NULL;
        }
        d->written++;
    }
    for (size_t off = 0; off < len && !d->io_errno;) {
        ssize_t w = write(d->fd, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            d->io_errno = w < 0 ? errno : EIO;
        else
            off += (size_t)w;
    }
    free(buf);
}

size_t sweep_driver_take(sweep_driver *d, sweep_job *jobs, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&d->mu);
    while (!sweep_signal() && !d->io_errno && n < max && d->next < d->end) {
        size_t t = d->next++;
        if (!mine(d, t) || d->res[t].done)
            continue;
        jobs[n].task = t;
        jobs[n].pt = *sweep_grid_point(d->g, t / (size_t)d->reps);
        n++;
    }
    d->handed += n;
    d->outstanding += n;
    pthread_mutex_unlock(&d->mu);
    return n;
}

void sweep_driver_put(sweep_driver *d, sweep_result *r)
{
    pthread_mutex_lock(&d->mu);
    size_t t = (size_t)r->task;
    if (t < d->end && !d->res[t].done) {
        d->res[t] = *r;
        d->res[t].done = 1;
        d->outstanding--;
        d->done_session++;
        d->done_total++;
        flush_prefix(d);
    } else {
        free(r->line); /* not handed out in this level: ignored */
    }
    r->line = NULL;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
}

void sweep_driver_abandon(sweep_driver *d, size_t n)
{
    pthread_mutex_lock(&d->mu);
    d->outstanding -= n < d->outstanding ? n : d->outstanding;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
}

int sweep_driver_level_done(sweep_driver *d)
{
    pthread_mutex_lock(&d->mu);
    int done = d->handed == d->todo && d->outstanding == 0;
    pthread_mutex_unlock(&d->mu);
    return done;
}

int sweep_driver_stopping(sweep_driver *d)
{
    pthread_mutex_lock(&d->mu);
    int s = sweep_signal() || d->io_errno;
    pthread_mutex_unlock(&d->mu);
    return s;
}

size_t sweep_driver_remaining(sweep_driver *d)
{
    pthread_mutex_lock(&d->mu);
    size_t r = d->todo - d->handed;
    pthread_mutex_unlock(&d->mu);
    return r;
}

static void deadline(struct timespec *ts, double s)
{
    clock_gettime(CLOCK_REALTIME, ts);
    long ns = ts->tv_nsec + (long)(s * 1e9);
    ts->tv_sec += ns / 1000000000L;
    ts->tv_nsec = ns % 1000000000L;
}

void sweep_driver_wait(sweep_driver *d, double timeout_s)
{
    struct timespec ts;
    deadline(&ts, timeout_s);
    pthread_mutex_lock(&d->mu);
    pthread_cond_timedwait(&d->cv, &d->mu, &ts);
    pthread_mutex_unlock(&d->mu);
}

const params *sweep_driver_params(sweep_driver *d, size_t k)
{
    return &d->pp[k];
}

/* Caller holds mu. */
static void progress_locked(sweep_driver *d, int final)
{
    if (d->quiet)
        return;
    double now = cli_wall_s();
    if (!final && now - d->last_print < (d->tty ? 0.2 : 5.0))
        return;
    d->last_print = now;
    size_t total = d->total, done = d->done_total;
    double el = now - d->t0, rate = el > 0 ? (double)d->done_session / el : 0;
    char eta[32];
    cli_fmt_duration(eta, sizeof eta, rate > 0 ? (double)(total - done) / rate : NAN);
    int level = sweep_grid_levels(d->g);
    if (d->tty) {
        char bar[31];
        size_t fill = total ? done * 30 / total : 30;
        for (size_t i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r\033[Ksweep level %d [%s] %zu/%zu runs  %.2f runs/s  ETA %s", level, bar,
                done, total, rate, eta);
        if (final)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "sweep level %d: %zu/%zu runs, %.2f runs/s, ETA %s\n", level, done, total,
                rate, eta);
    }
    fflush(stderr);
}

void sweep_driver_progress(sweep_driver *d, int final)
{
    pthread_mutex_lock(&d->mu);
    progress_locked(d, final);
    pthread_mutex_unlock(&d->mu);
}

/* ---- threads --------------------------------------------------------------------------------- */

struct sweep_threads {
    sweep_driver *d;
    pthread_t *th;
    int n, active; /* active: under d->mu */
};

static void *thread_main(void *arg)
{
    sweep_threads *t = arg;
    sweep_driver *d = t->d;
    sweep_job j;
    while (sweep_driver_take(d, &j, 1) == 1) {
        sweep_result r;
        if (sweep_job_run(&d->pp[j.task / (size_t)d->reps], &j, &r) == 0)
            sweep_driver_put(d, &r);
        else
            sweep_driver_abandon(d, 1);
    }
    pthread_mutex_lock(&d->mu);
    t->active--;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

sweep_threads *sweep_threads_start(sweep_driver *d, int n)
{
    sweep_threads *t = xcalloc(1, sizeof *t);
    t->d = d;
    t->n = n;
    t->active = n;
    t->th = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *t->th);
    for (int i = 0; i < n; i++)
        pthread_create(&t->th[i], NULL, thread_main, t);
    return t;
}

int sweep_threads_running(sweep_driver *d, const sweep_threads *t)
{
    pthread_mutex_lock(&d->mu);
    int a = t->active;
    pthread_mutex_unlock(&d->mu);
    return a;
}

void sweep_threads_join(sweep_threads *t)
{
    for (int i = 0; i < t->n; i++)
        pthread_join(t->th[i], NULL);
    free(t->th);
    free(t);
}

static int threads_run_level(sweep_exec *x, sweep_driver *d, err *e)
{
    (void)e;
    sweep_threads *t = sweep_threads_start(d, x->threads);
    pthread_mutex_lock(&d->mu);
    while (t->active > 0) {
        struct timespec ts;
        deadline(&ts, 0.2);
        pthread_cond_timedwait(&d->cv, &d->mu, &ts);
        progress_locked(d, 0);
    }
    pthread_mutex_unlock(&d->mu);
    sweep_threads_join(t);
    return 0;
}

void sweep_exec_threads(sweep_exec *x, int n)
{
    memset(x, 0, sizeof *x);
    x->run_level = threads_run_level;
    x->threads = n;
    x->resume_cmd = "avalanche sweep";
}

/* ---- setting up ------------------------------------------------------------------------------ */

static char *config_text(const params *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    config_dump_resolved(p, m);
    fclose(m);
    return buf;
}

static void remove_in(const char *dir, const char *name)
{
    char *path = path_join(dir, name);
    unlink(path);
    free(path);
}

/* Checks DIR against the resolved config and the shard; loads the rows to keep when resuming. */
static int prepare_dir(sweep_driver *d, err *e)
{
    const sweep_opts *o = d->o;
    const char *dir = d->dir;
    char *cfgpath = path_join(dir, "config.resolved.cfg");
    size_t len;
    char *old = file_read(cfgpath, &len, NULL);
    struct stat st;
    int has_points = stat(d->ptspath, &st) == 0;
    int same = old && config_resolved_same(old, d->cfgtext);
    unsigned sk = 0, sn = 0;
    size_t sruns;
    char scfg[8];
    int marked = sweep_shard_read(dir, &sk, &sn, &sruns, scfg, sizeof scfg, e);
    int rc = marked < 0 ? -1 : 0;
    char want[64], got[64];
    snprintf(want, sizeof want, "shard %u/%u", o->shard_k, o->shard_n);
    snprintf(got, sizeof got, "shard %u/%u", sk, sn);
    if (rc < 0) {
        /* e says what is wrong with shard.csv */
    } else if (o->c.resume) {
        if (!old)
            rc = err_set(e, "--resume: %s: nothing to resume (no config.resolved.cfg)", dir);
        else if (!same)
            rc = err_set(e,
                         "--resume: %s holds a sweep of a different config (%s differs from the "
                         "resolved config of %s); use another --out or drop --resume to start a "
                         "new sweep elsewhere",
                         dir, cfgpath, o->c.config);
        else if (o->shard_n && marked && (sk != o->shard_k || sn != o->shard_n))
            rc = err_set(e, "--resume: %s holds %s of this sweep, not %s", dir, got, want);
        else if (o->shard_n && !marked && has_points)
            rc = err_set(e, "--resume: %s holds the whole grid of this sweep, not %s", dir, want);
        else if (!o->shard_n && marked)
            rc = err_set(e, "--resume: %s holds %s of this sweep; resume it with --shard %u/%u",
                         dir, got, sk, sn);
        else
            rc = sweep_rows_read(d->ptspath, d->header, d->reps, o->shard_n ? o->shard_k - 1 : 0,
                                 o->shard_n ? o->shard_n : 1, 0, 1, 0, &d->loaded, e);
    } else if (has_points && !same) {
        rc = err_set(e,
                     "--out %s: holds a sweep of a different config (%s); use another --out or "
                     "remove it",
                     dir, old ? "config.resolved.cfg differs" : "no config.resolved.cfg");
    } else if (has_points && !d->quiet) {
        fprintf(stderr,
                "%s: %s: same config, starting over (use --resume to continue the earlier "
                "sweep)\n",
                d->prog, dir);
    }
    if (rc == 0 && !o->c.resume) {
        /* A directory holds one kind of sweep: a shard's has no map, the whole grid's no
         * shard.csv that merge could take for a part. */
        if (o->shard_n) {
            static const char *const stale[] = {"regions.csv", "cells.csv", "stability.png",
                                                "stability.svg", "stability.pdf"};
            for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++)
                remove_in(dir, stale[i]);
        } else {
            remove_in(dir, "shard.csv");
        }
    }
    free(old);
    free(cfgpath);
    return rc;
}

/* Grows per-point params and results to the grid's points; fills rows read back. */
static int grow(sweep_driver *d, err *e)
{
    size_t np = sweep_grid_count(d->g), old = d->nres / (size_t)d->reps;
    size_t nres = np * (size_t)d->reps;
    d->pp = xrealloc(d->pp, (np ? np : 1) * sizeof *d->pp);
    d->res = xrealloc(d->res, (nres ? nres : 1) * sizeof *d->res);
    memset(d->res + d->nres, 0, (nres - d->nres) * sizeof *d->res);
    for (size_t k = old; k < np; k++)
        if (sweep_point_params(d->g, d->base, k, &d->pp[k], e) < 0)
            return -1;
    size_t first = d->shard_n ? d->shard_k - 1 : 0, stride = d->shard_n ? d->shard_n : 1;
    for (size_t t = d->nres; t < nres; t++) {
        if (!mine(d, t) || (t - first) / stride >= d->loaded.n)
            continue;
        size_t i = (t - first) / stride;
        const sweep_point *pt = sweep_grid_point(d->g, t / (size_t)d->reps);
        int same_y = sweep_grid_axes(d->g) == 1 ? isnan(d->loaded.y[i]) : d->loaded.y[i] == pt->y;
        int same_z = sweep_grid_axes(d->g) < 3 || d->loaded.z[i] == pt->z;
        if (d->loaded.x[i] != pt->x || !same_y || !same_z)
            return err_set(e, "%s:%zu: point %zu is not where this sweep puts it", d->ptspath,
                           i + 2, t / (size_t)d->reps);
        d->res[t] = d->loaded.res[i];
        d->loaded_used++;
        d->done_total++;
    }
    d->nres = nres;
    return 0;
}

sweep_driver *sweep_driver_new(const sweep_opts *o, const params *p, const char *prog, int *status)
{
    err e;
    err_clear(&e);
    sweep_driver *d = xcalloc(1, sizeof *d);
    d->base = p;
    d->o = o;
    d->prog = prog;
    d->dir = o->c.out ? o->c.out : "results/sweep";
    d->reps = p->sweep.replications;
    d->quiet = o->c.quiet;
    d->tty = isatty(STDERR_FILENO);
    d->shard_k = o->shard_k;
    d->shard_n = o->shard_n;
    d->fd = -1;
    d->cfgtext = config_text(p);
    d->header = sweep_points_header(p);
    d->ptspath = path_join(d->dir, "points.csv");
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    *status = EXIT_USAGE;
    if (!(d->g = sweep_grid_new(p, &e)) || dir_make(d->dir, &e) < 0 || prepare_dir(d, &e) < 0 ||
        grow(d, &e) < 0)
        goto fail;
    *status = EXIT_RUNTIME;
    char *cfgpath = path_join(d->dir, "config.resolved.cfg");
    afile af;
    int rc = afile_open(&af, cfgpath, &e);
    if (rc == 0) {
        fputs(d->cfgtext, af.f);
        rc = afile_commit(&af, &e);
    }
    free(cfgpath);
    if (rc < 0 || sweep_provenance_write(d->dir, &e) < 0)
        goto fail;
    if (d->shard_n) {
        size_t runs = 0;
        for (size_t t = 0; t < d->nres; t++)
            runs += mine(d, t);
        if (sweep_shard_write(d->dir, d->shard_k, d->shard_n, runs, o->c.config, &e) < 0)
            goto fail;
    }
    int keep = d->loaded.n > 0;
    d->fd = open(d->ptspath, O_WRONLY | O_CREAT | (keep ? O_APPEND : O_TRUNC), 0666);
    if (d->fd < 0) {
        err_set(&e, "%s: cannot write: %s", d->ptspath, strerror(errno));
        goto fail;
    }
    if (!keep) {
        size_t n = strlen(d->header);
        if (write(d->fd, d->header, n) != (ssize_t)n) {
            err_set(&e, "%s: cannot write: %s", d->ptspath, strerror(errno ? errno : EIO));
            goto fail;
        }
    }
    *status = EXIT_OK;
    return d;
fail:
    fprintf(stderr, "%s: %s\n", prog, e.msg);
    sweep_driver_free(d);
    return NULL;
}

void sweep_driver_free(sweep_driver *d)
{
    if (!d)
        return;
    if (d->fd >= 0)
        close(d->fd);
    if (d->res)
        for (size_t t = 0; t < d->nres; t++)
            free(d->res[t].line);
    free(d->res);
    free(d->pp);
    sweep_rows_free(&d->loaded);
    sweep_grid_free(d->g);
    free(d->cfgtext);
    free(d->header);
    free(d->ptspath);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    free(d);
}

/* ---- running --------------------------------------------------------------------------------- */

/* Opens the level: tasks [0, nres), the cursor at the first row not yet written. */
static void level_open(sweep_driver *d)
{
    pthread_mutex_lock(&d->mu);
    d->next = d->written;
    d->end = d->nres;
    d->handed = d->outstanding = 0;
    d->todo = 0;
    d->total = 0;
    for (size_t t = 0; t < d->end; t++)
        if (mine(d, t)) {
            d->total++;
            d->todo += t >= d->written && !d->res[t].done;
        }
    flush_prefix(d);
    pthread_mutex_unlock(&d->mu);
}

static void print_resume(const sweep_driver *d, const sweep_exec *x)
{
    const sweep_opts *o = d->o;
    size_t kept = 0;
    for (size_t t = 0; t < d->written; t++)
        kept += mine(d, t);
    fprintf(stderr,
            "%s: interrupted; %zu runs kept in %s\n"
            "continue with: %s %s",
            d->prog, kept, d->ptspath, x->resume_cmd, o->c.config);
    for (int i = 0; i < o->c.nsets; i++)
        fprintf(stderr, " --set '%s'", o->c.sets[i]);
    if (o->shard_n)
        fprintf(stderr, " --shard %u/%u", o->shard_k, o->shard_n);
    fprintf(stderr, " --out %s --resume\n", d->dir);
}

static void print_summary(sweep_driver *d, sweep_exec *x)
{
    size_t np = sweep_grid_count(d->g), runs = 0;
    for (size_t t = 0; t < d->nres; t++)
        runs += mine(d, t);
    const char *cfg = d->o->c.config;
    if (d->shard_n) {
        printf("%s: %s: shard %u/%u: %zu of %zu runs in %.1f s\n", d->prog, cfg, d->shard_k,
               d->shard_n, runs, d->nres, cli_wall_s() - d->t0);
        if (x->report)
            x->report(x, stdout, d->done_session);
        printf("  wrote %s/ (join the %u shards with: avalanche merge DIR... --out DIR)\n", d->dir,
               d->shard_n);
        return;
    }
    unsigned by[CLASS_COUNT] = {0};
    for (size_t k = 0; k < np; k++) {
        unsigned counts[CLASS_COUNT];
        sweep_point_counts(d->res, d->reps, k, counts);
        by[sweep_majority(counts)]++;
    }
    printf("%s: %s: %zu points (%d refinement levels), %zu runs in %.1f s\n", d->prog, cfg, np,
           sweep_grid_levels(d->g), runs, cli_wall_s() - d->t0);
    printf("  majority class: %u stable, %u metastable, %u overloaded, %u unresolved\n",
           by[CLASS_STABLE], by[CLASS_METASTABLE], by[CLASS_OVERLOADED], by[CLASS_UNRESOLVED]);
    if (x->report)
        x->report(x, stdout, d->done_session);
    printf("  wrote %s/\n", d->dir);
}

int sweep_driver_run(sweep_driver *d, sweep_exec *x)
{
    err e;
    err_clear(&e);
    int status = EXIT_OK;
    struct sigaction old[2];
    sweep_signals_catch(old);
    d->t0 = d->last_print = cli_wall_s();
    for (int level = 0;; level++) {
        level_open(d);
        if (x->run_level(x, d, &e) < 0) {
            status = EXIT_RUNTIME;
            break;
        }
        if (sweep_driver_stopping(d) || level >= d->base->sweep.refine)
            break;
        size_t np = sweep_grid_count(d->g);
        int *maj = xmalloc((np ? np : 1) * sizeof *maj);
        for (size_t k = 0; k < np; k++) {
            unsigned counts[CLASS_COUNT];
            sweep_point_counts(d->res, d->reps, k, counts);
            maj[k] = sweep_majority(counts);
        }
        size_t added = sweep_grid_refine(d->g, maj);
        free(maj);
        if (added == 0)
            break;
        if (grow(d, &e) < 0) {
            status = EXIT_USAGE;
            break;
        }
    }
    int sig = sweep_signal();
    if (x->finish)
        x->finish(x, status != EXIT_OK ? status : sig ? 128 + sig : d->io_errno ? EXIT_RUNTIME : 0);
    sweep_driver_progress(d, 1);
    sweep_signals_restore(old);
    if (close(d->fd) != 0 && !d->io_errno)
        d->io_errno = errno;
    d->fd = -1;
    if (status != EXIT_OK) {
        fprintf(stderr, "%s: %s\n", d->prog, e.msg);
        return status;
    }
    if (d->io_errno) {
        fprintf(stderr, "%s: %s: cannot write: %s\n", d->prog, d->ptspath, strerror(d->io_errno));
        return EXIT_RUNTIME;
    }
    if (sig) {
        print_resume(d, x);
        return 128 + sig;
    }
    if (d->loaded_used < d->loaded.n) {
        fprintf(stderr, "%s: %s: %zu rows but the sweep has only %zu runs\n", d->prog, d->ptspath,
                d->loaded.n, d->loaded_used);
        return EXIT_USAGE;
    }
    if (!d->shard_n && sweep_write_results(d->dir, d->o->c.config, d->base, d->g, d->res, &e) < 0) {
        fprintf(stderr, "%s: %s\n", d->prog, e.msg);
        return EXIT_RUNTIME;
    }
    if (!d->quiet)
        print_summary(d, x);
    return EXIT_OK;
}

/* ---- the command ----------------------------------------------------------------------------- */

int sweep_command(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(sweep_usage, stdout);
            return EXIT_OK;
        }
    err e;
    err_clear(&e);
    sweep_opts o;
    params *p = xmalloc(sizeof *p);
    /* One line per error, as everywhere: the usage is one `--help` away. */
    if (sweep_opts_parse(argc, argv, &o, &e) < 0 || sweep_opts_load(&o, p, &e) < 0) {
        fprintf(stderr, "avalanche sweep: %s\n", e.msg);
        sweep_opts_free(&o);
        free(p);
        return EXIT_USAGE;
    }
    int jobs = o.c.jobs;
    if (jobs <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = c > 0 ? (int)c : 1;
    }
    int status;
    if (o.fluid && !o.dry_run) {
        status = sweep_fluid_run(&o, p, jobs);
    } else if (o.dry_run) {
        status = sweep_dry_run(&o, p, jobs, "avalanche sweep");
    } else {
        sweep_driver *d = sweep_driver_new(&o, p, "avalanche sweep", &status);
        sweep_interrupt(0);
        if (d) {
            sweep_exec x;
            sweep_exec_threads(&x, jobs);
            status = sweep_driver_run(d, &x);
        }
        sweep_driver_free(d);
    }
    sweep_opts_free(&o);
    free(p);
    return status;
}
