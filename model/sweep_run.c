/* sweep_run: `avalanche sweep`: worker threads, the ordered points.csv writer, resume, regions.csv,
 * progress and SIGINT (L4). Grid, statistics and early classification are in sweep.c. */
#include "sweep.h"

#include "classify.h"
#include "cli.h"
#include "config.h"
#include "csv.h"
#include "plot.h"
#include "stats.h"
#include "table.h"
#include "xmem.h"

#include <errno.h>
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
    EXIT_USAGE = 2,
    EXIT_INTERRUPTED = 130
};

/* The only global: set by the SIGINT handler, read by the workers and the run hook. */
static volatile sig_atomic_t sweep_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    sweep_interrupted = 1;
}

static const char sweep_usage[] =
    "usage: avalanche sweep CONFIG [--set KEY=VALUE]... [-j N] [--out DIR] [--resume] [--quiet]\n";

/* Key metrics averaged over the replications of a point in regions.csv: the points.csv column
 * each comes from, and the summary field that fills it. */
enum {
    M_INFLIGHT_MUT_RECOVERY,
    M_TR_TIMEOUTS_RECOVERY,
    M_HB_RATIO,
    M_MAX_NOT_READY,
    M_COUNT
};
static const char *const metric_cols[M_COUNT] = {"mean_inflight_mutating_recovery",
                                                 "tokenreview_timeouts_per_s_recovery",
                                                 "heartbeat_success_ratio", "max_not_ready_nodes"};

static void metrics_of(const summary *s, double m[M_COUNT])
{
    m[M_INFLIGHT_MUT_RECOVERY] = s->phase[PHASE_RECOVERY].inflight_mut;
    m[M_TR_TIMEOUTS_RECOVERY] = s->phase[PHASE_RECOVERY].tr_timeouts_per_s;
    m[M_HB_RATIO] = s->hb_ratio;
    m[M_MAX_NOT_READY] = s->max_not_ready;
}

/* One (point, replication). */
typedef struct result {
    int done;   /* finished (this session or read back from points.csv) */
    char *line; /* the points.csv row, until written */
    int cls;
    int stopped_early;
    int within_window;
    double recovery_s;
    double m[M_COUNT];
} result;

typedef struct runner {
    const params *base;
    params *pp; /* per point */
    sweep_grid *g;
    int reps, crn, quiet, tty;
    result *res;
    size_t nres;
    /* batch [next, end) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next, end;
    size_t written; /* rows in points.csv: the complete prefix */
    int active;     /* workers still running */
    FILE *out;
    int io_errno;
    /* progress */
    size_t done_session, done_total;
    double t0, last_print;
} runner;

typedef struct hook_ctx {
    classify *c;
    int interrupted;
} hook_ctx;

/* Judges each sample as it comes; stops the run once its class is certain (an overloaded one
 * at once: a sweep does not need the rest of its baseline). */
static int run_hook(void *ctx, const run_output *o)
{
    hook_ctx *h = ctx;
    if (sweep_interrupted) {
        h->interrupted = 1;
        return 1;
    }
    classify_push(h->c, &o->samples[o->nsamples - 1]);
    return classify_done(h->c, 1);
}

/* The points.csv row prefix "point,level,x,y,". */
static void row_prefix(FILE *f, const sweep_grid *g, size_t k)
{
    const sweep_point *pt = sweep_grid_point(g, k);
    fprintf(f, "%zu,%d,", k, pt->level);
    csv_num(f, pt->x);
    fputc(',', f);
    csv_num(f, pt->y);
    fputc(',', f);
}

/* Writes the longest complete prefix of rows not yet written. Caller holds mu. */
static void flush_prefix(runner *r)
{
    while (r->written < r->end && r->res[r->written].done) {
        result *x = &r->res[r->written];
        if (x->line && !r->io_errno) {
            size_t len = strlen(x->line);
            if (fwrite(x->line, 1, len, r->out) != len || fflush(r->out) != 0)
                r->io_errno = errno ? errno : EIO;
        }
        free(x->line);
        x->line = NULL;
        r->written++;
    }
}

static void *worker(void *arg)
{
    runner *r = arg;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (r->next < r->end && r->res[r->next].done)
            r->next++;
        if (r->next >= r->end || sweep_interrupted || r->io_errno)
            break;
        size_t t = r->next++;
        pthread_mutex_unlock(&r->mu);

        size_t k = t / (size_t)r->reps;
        uint64_t rep = t % (size_t)r->reps;
        const params *p = &r->pp[k];
        hook_ctx hc = {classify_new(p), 0};
        run_output o;
        model_run(p, rep, r->crn ? 0 : k, run_hook, &hc, &o);
        classify_free(hc.c);
        summary s;
        char *buf = NULL;
        size_t len = 0;
        if (!hc.interrupted) {
            stats_summarize(p, rep, &o, &s);
            FILE *m = open_memstream(&buf, &len);
            row_prefix(m, r->g, k);
            stats_summary_row(m, &s);
            fclose(m);
        }
        run_output_free(&o);

        pthread_mutex_lock(&r->mu);
        if (!hc.interrupted) {
            result *x = &r->res[t];
            x->line = buf;
            x->cls = s.cls;
            x->stopped_early = s.stopped_early;
            x->within_window = s.within_window;
            x->recovery_s = s.recovery_s;
            metrics_of(&s, x->m);
            x->done = 1;
            r->done_session++;
            r->done_total++;
            flush_prefix(r);
        }
        pthread_cond_broadcast(&r->cv);
    }
    r->active--;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void fmt_dur(char *b, size_t n, double s)
{
    if (!isfinite(s) || s < 0)
        snprintf(b, n, "--:--");
    else if (s >= 3600)
        snprintf(b, n, "%d:%02d:%02d", (int)(s / 3600), (int)fmod(s / 60, 60), (int)fmod(s, 60));
    else
        snprintf(b, n, "%d:%02d", (int)(s / 60), (int)fmod(s, 60));
}

/* Caller holds mu. */
static void progress(runner *r, int final)
{
    if (r->quiet)
        return;
    double now = cli_wall_s();
    if (!final && now - r->last_print < (r->tty ? 0.2 : 5.0))
        return;
    r->last_print = now;
    size_t total = r->end, done = r->done_total;
    double el = now - r->t0, rate = el > 0 ? (double)r->done_session / el : 0;
    char eta[32];
    fmt_dur(eta, sizeof eta, rate > 0 ? (double)(total - done) / rate : NAN);
    int level = sweep_grid_levels(r->g);
    if (r->tty) {
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

/* Runs the tasks [r->written.., end) not already done on nthreads workers. */
static void run_batch(runner *r, size_t end, int nthreads)
{
    pthread_mutex_lock(&r->mu);
    r->next = r->written;
    r->end = end;
    flush_prefix(r);
    pthread_mutex_unlock(&r->mu);
    pthread_t *th = xmalloc((size_t)nthreads * sizeof *th);
    r->active = nthreads;
    for (int i = 0; i < nthreads; i++)
        pthread_create(&th[i], NULL, worker, r);
    pthread_mutex_lock(&r->mu);
    while (r->active > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&r->cv, &r->mu, &ts);
        progress(r, 0);
    }
    pthread_mutex_unlock(&r->mu);
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    free(th);
}

/* ---- files ----------------------------------------------------------------------------------- */

static char *header_text(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    fputs("point,level,x,y,", m);
    stats_summary_header(m);
    fclose(m);
    return buf;
}

static char *config_text(const params *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    config_dump(p, m);
    fclose(m);
    return buf;
}

/* Rows read back from an interrupted points.csv. */
typedef struct loaded {
    size_t n;
    size_t *point;
    double *x, *y;
    result *res;
} loaded;

static void loaded_free(loaded *l)
{
    free(l->point);
    free(l->x);
    free(l->y);
    free(l->res);
}

/* Drops a torn last line, checks the header, reads the complete rows. */
static int load_points(const char *path, int reps, loaded *l, err *e)
{
    memset(l, 0, sizeof *l);
    size_t len;
    char *text = file_read(path, &len, NULL);
    if (!text)
        return errno == ENOENT ? 0 : err_set(e, "%s: cannot read: %s", path, strerror(errno));
    size_t keep = len;
    while (keep > 0 && text[keep - 1] != '\n')
        keep--;
    char *head = header_text();
    int ok = keep >= strlen(head) && strncmp(text, head, strlen(head)) == 0;
    free(head);
    free(text);
    if (!ok && keep > 0)
        return err_set(e, "%s: not a points.csv of this version (header differs)", path);
    if (keep < len && truncate(path, (off_t)keep) != 0)
        return err_set(e, "%s: cannot drop the partial last row: %s", path, strerror(errno));
    if (keep == 0)
        return 0;
    table *t = table_read(path, e);
    if (!t)
        return -1;
    size_t n = table_rows(t);
    l->n = n;
    l->point = xcalloc(n + 1, sizeof *l->point);
    l->x = xcalloc(n + 1, sizeof *l->x);
    l->y = xcalloc(n + 1, sizeof *l->y);
    l->res = xcalloc(n + 1, sizeof *l->res);
    int cp = table_col(t, "point"), cr = table_col(t, "replication"), cc = table_col(t, "class");
    int crec = table_col(t, "recovery_time"), cse = table_col(t, "stopped_early");
    int cww = table_col(t, "recovered_within_window");
    int cm[M_COUNT];
    for (int i = 0; i < M_COUNT; i++)
        cm[i] = table_col(t, metric_cols[i]);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        double pt = table_num(t, i, cp), rep = table_num(t, i, cr);
        int cls = run_class_of(table_str(t, i, cc));
        if (pt != (double)(i / (size_t)reps) || rep != (double)(i % (size_t)reps) || cls < 0) {
            rc = err_set(e, "%s:%zu: expected point %zu replication %zu (rows in order)", path,
                         i + 2, i / (size_t)reps, i % (size_t)reps);
            break;
        }
        l->point[i] = (size_t)pt;
        l->x[i] = table_num(t, i, table_col(t, "x"));
        l->y[i] = table_num(t, i, table_col(t, "y"));
        result *x = &l->res[i];
        x->done = 1;
        x->cls = cls;
        x->recovery_s = table_num(t, i, crec);
        x->stopped_early = table_num(t, i, cse) == 1;
        x->within_window = table_num(t, i, cww) == 1;
        for (int m = 0; m < M_COUNT; m++)
            x->m[m] = table_num(t, i, cm[m]);
    }
    table_free(t);
    return rc;
}

/* ---- regions --------------------------------------------------------------------------------- */

static void point_counts(const runner *r, size_t k, unsigned counts[CLASS_COUNT])
{
    memset(counts, 0, CLASS_COUNT * sizeof *counts);
    for (int i = 0; i < r->reps; i++) {
        const result *x = &r->res[k * (size_t)r->reps + (size_t)i];
        if (x->done)
            counts[x->cls]++;
    }
}

/* One probability with its 95 % Clopper-Pearson interval: ",p,lo,hi". */
static void write_prob(FILE *f, unsigned x, unsigned n)
{
    double lo, hi;
    sweep_clopper_pearson(x, n, 0.95, &lo, &hi);
    double v[3] = {n ? (double)x / n : NAN, lo, hi};
    for (int i = 0; i < 3; i++) {
        fputc(',', f);
        csv_num(f, v[i]);
    }
}

static void write_regions(FILE *f, const runner *r)
{
    /* x_lo..y_hi: the point's own cell (sweep_grid_extent); cells of finer levels lie inside
     * coarser ones. cells.csv holds the partition the map draws. */
    fputs("point,level,x,y,x_lo,x_hi,y_lo,y_hi,replications", f);
    for (int c = 0; c < CLASS_COUNT; c++)
        fprintf(f, ",n_%s", run_class_name((enum run_class)c));
    for (int c = 0; c < CLASS_COUNT; c++) {
        const char *nm = run_class_name((enum run_class)c);
        fprintf(f, ",p_%s,p_%s_lo,p_%s_hi", nm, nm, nm);
    }
    fputs(",majority,n_recovered,recovery_median,recovery_lo,recovery_hi,p_within_window,"
          "p_within_window_lo,p_within_window_hi",
          f);
    for (int m = 0; m < M_COUNT; m++)
        fprintf(f, ",mean_%s", metric_cols[m]);
    fputs(",n_stopped_early\n", f);
    double *rec = xmalloc((size_t)r->reps * sizeof *rec);
    for (size_t k = 0; k < sweep_grid_count(r->g); k++) {
        const sweep_point *pt = sweep_grid_point(r->g, k);
        double ext[4];
        sweep_grid_extent(r->g, k, ext);
        unsigned counts[CLASS_COUNT], n = 0, early = 0, within = 0;
        point_counts(r, k, counts);
        for (int c = 0; c < CLASS_COUNT; c++)
            n += counts[c];
        fprintf(f, "%zu,%d", k, pt->level);
        double head[] = {pt->x, pt->y, ext[0], ext[1], ext[2], ext[3]};
        for (size_t i = 0; i < 6; i++) {
            fputc(',', f);
            csv_num(f, head[i]);
        }
        fprintf(f, ",%u", n);
        for (int c = 0; c < CLASS_COUNT; c++)
            fprintf(f, ",%u", counts[c]);
        for (int c = 0; c < CLASS_COUNT; c++)
            write_prob(f, counts[c], n);
        fprintf(f, ",%s", n ? run_class_name((enum run_class)sweep_majority(counts)) : "");
        size_t nrec = 0;
        double sum[M_COUNT] = {0};
        unsigned cnt[M_COUNT] = {0};
        for (int i = 0; i < r->reps; i++) {
            const result *x = &r->res[k * (size_t)r->reps + (size_t)i];
            if (!x->done)
                continue;
            early += x->stopped_early;
            within += x->within_window;
            if (!isnan(x->recovery_s))
                rec[nrec++] = x->recovery_s;
            for (int m = 0; m < M_COUNT; m++)
                if (!isnan(x->m[m])) {
                    sum[m] += x->m[m];
                    cnt[m]++;
                }
        }
        double med, lo, hi;
        sweep_median_ci(rec, nrec, 0.95, &med, &lo, &hi);
        fprintf(f, ",%zu", nrec);
        double tail[] = {med, lo, hi};
        for (size_t i = 0; i < 3; i++) {
            fputc(',', f);
            csv_num(f, tail[i]);
        }
        write_prob(f, within, n);
        for (int m = 0; m < M_COUNT; m++) {
            fputc(',', f);
            csv_num(f, cnt[m] ? sum[m] / cnt[m] : NAN);
        }
        fprintf(f, ",%u\n", early);
    }
    free(rec);
}

/* cells.csv: the partition of the swept range that the map draws (sweep_grid_cells). */
static void write_cells(FILE *f, const runner *r)
{
    sweep_cell *c;
    size_t n = sweep_grid_cells(r->g, &c);
    fputs("point,x_lo,x_hi,y_lo,y_hi\n", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%zu", c[i].point);
        double v[4] = {c[i].x_lo, c[i].x_hi, c[i].y_lo, c[i].y_hi};
        for (int j = 0; j < 4; j++) {
            fputc(',', f);
            csv_num(f, v[j]);
        }
        fputc('\n', f);
    }
    free(c);
}

static const char *key_unit(const char *key)
{
    const char *leaf = strrchr(key, '.');
    leaf = leaf ? leaf + 1 : key;
    if (strcmp(key, "cluster.nodes") == 0)
        return "nodes";
    if (strstr(leaf, "qps") || strstr(leaf, "rate"))
        return "1/s";
    static const char *const secs[] = {"ttl",    "timeout",    "interval", "duration",
                                       "warmup", "window",     "after",    "initial",
                                       "delay",  "resolution", "mean",     "cost"};
    for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++)
        if (strstr(leaf, secs[i]))
            return "s";
    if (strcmp(leaf, "at") == 0)
        return "s";
    if (strstr(leaf, "tokens"))
        return "tokens";
    if (strstr(leaf, "inflight"))
        return "requests";
    return NULL;
}

static void axis_label(char *b, size_t n, const char *key)
{
    const char *u = key_unit(key);
    if (u)
        snprintf(b, n, "%s (%s)", key, u);
    else
        snprintf(b, n, "%s", key);
}

int sweep_draw(const char *dir, const char *config, const params *p, err *e)
{
    char title[256], subtitle[512], xl[160], yl[160];
    const char *base = strrchr(config, '/');
    snprintf(title, sizeof title, "avalanche stability regions: %s", base ? base + 1 : config);
    char trig[128];
    if (p->trigger.kind == TRIGGER_NONE)
        snprintf(trig, sizeof trig, "no trigger");
    else
        snprintf(trig, sizeof trig, "trigger %s at %g s", trigger_kind_name(p->trigger.kind),
                 p->trigger.at_s);
    char lb[48];
    if (p->apiserver.loopback.qps > 0)
        snprintf(lb, sizeof lb, "loopback %g qps", p->apiserver.loopback.qps);
    else
        snprintf(lb, sizeof lb, "loopback unlimited");
    snprintf(subtitle, sizeof subtitle, "%s · sa_lookup %s · %s · coalesce %s · %d replications%s",
             trig, sa_mode_name(p->apiserver.sa_lookup.mode), lb,
             p->apiserver.token_cache.coalesce ? "on" : "off", p->sweep.replications,
             p->sweep.refine > 0 ? " · refined" : "");
    axis_label(xl, sizeof xl, p->sweep.x.key);
    axis_label(yl, sizeof yl, p->sweep.y.present ? p->sweep.y.key : "probability");
    if (!p->sweep.y.present)
        snprintf(yl, sizeof yl, "probability");
    plot_sweep_info info = {.title = title,
                            .subtitle = subtitle,
                            .x_label = xl,
                            .y_label = yl,
                            .x_log = p->sweep.x.scale == SCALE_LOG,
                            .y_log = p->sweep.y.present && p->sweep.y.scale == SCALE_LOG,
                            .mode = PLOT_MAP_RECOVERY,
                            .recovery_window_s = p->health.recovery_window_s};
    char *csv = path_join(dir, "regions.csv"), *out = path_join(dir, "stability");
    int rc = plot_stability(csv, out, p->plot.formats, &info, e);
    free(csv);
    free(out);
    return rc;
}

/* ---- the command ----------------------------------------------------------------------------- */

/* Checks DIR against the resolved config; loads the rows to keep when resuming. */
static int prepare_dir(const cli *o, const char *dir, const char *cfgtext, int reps, loaded *l,
                       err *e)
{
    memset(l, 0, sizeof *l);
    char *cfgpath = path_join(dir, "config.resolved.cfg");
    char *ptspath = path_join(dir, "points.csv");
    size_t len;
    char *old = file_read(cfgpath, &len, NULL);
    struct stat st;
    int has_points = stat(ptspath, &st) == 0;
    int same = old && strcmp(old, cfgtext) == 0;
    int rc = 0;
    if (o->resume) {
        if (!old)
            rc = err_set(e, "--resume: %s: nothing to resume (no config.resolved.cfg)", dir);
        else if (!same)
            rc = err_set(e,
                         "--resume: %s holds a sweep of a different config (%s differs from the "
                         "resolved config of %s); use another --out or drop --resume to start a "
                         "new sweep elsewhere",
                         dir, cfgpath, o->config);
        else
            rc = load_points(ptspath, reps, l, e);
    } else if (has_points && !same) {
        rc = err_set(e,
                     "--out %s: holds a sweep of a different config (%s); use another --out or "
                     "remove it",
                     dir, old ? "config.resolved.cfg differs" : "no config.resolved.cfg");
    } else if (has_points && !o->quiet) {
        fprintf(stderr,
                "avalanche sweep: %s: same config, starting over (use --resume to continue the "
                "earlier sweep)\n",
                dir);
    }
    free(old);
    free(cfgpath);
    free(ptspath);
    return rc;
}

/* Grows per-point params and results to the grid's points; fills read-back rows. */
static int grow(runner *r, const loaded *l, err *e)
{
    size_t np = sweep_grid_count(r->g), old = r->nres / (size_t)r->reps;
    r->pp = xrealloc(r->pp, np * sizeof *r->pp);
    r->res = xrealloc(r->res, np * (size_t)r->reps * sizeof *r->res);
    memset(r->res + r->nres, 0, (np * (size_t)r->reps - r->nres) * sizeof *r->res);
    for (size_t k = old; k < np; k++)
        if (sweep_point_params(r->g, r->base, k, &r->pp[k], e) < 0)
            return -1;
    for (size_t t = r->nres; t < np * (size_t)r->reps; t++) {
        if (t >= l->n)
            break;
        const sweep_point *pt = sweep_grid_point(r->g, t / (size_t)r->reps);
        int same_y = sweep_grid_axes(r->g) == 1 ? isnan(l->y[t]) : l->y[t] == pt->y;
        if (l->x[t] != pt->x || !same_y)
            return err_set(e, "points.csv:%zu: point %zu is not where this sweep puts it", t + 2,
                           t / (size_t)r->reps);
        r->res[t] = l->res[t];
    }
    r->nres = np * (size_t)r->reps;
    return 0;
}

int sweep_command(int argc, char **argv)
{
    err e;
    err_clear(&e);
    cli o;
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(sweep_usage, stdout);
            return EXIT_OK;
        }
    params *p = xmalloc(sizeof *p);
    /* One line per error, as everywhere: the usage is one `--help` away. */
    if (cli_parse(argc, argv, CLI_OUT | CLI_JOBS | CLI_RESUME, &o, &e) < 0 ||
        (!o.config && err_set(&e, "missing CONFIG") < 0) ||
        config_load(p, o.config, o.sets, o.nsets, &e) < 0) {
        fprintf(stderr, "avalanche sweep: %s\n", e.msg);
        cli_free(&o);
        free(p);
        return EXIT_USAGE;
    }
    const char *dir = o.out ? o.out : "results/sweep";
    int status = EXIT_OK;
    sweep_grid *g = sweep_grid_new(p, &e);
    char *cfgtext = config_text(p);
    loaded l;
    memset(&l, 0, sizeof l);
    runner r;
    memset(&r, 0, sizeof r);
    char *ptspath = path_join(dir, "points.csv");
    if (!g || dir_make(dir, &e) < 0 ||
        prepare_dir(&o, dir, cfgtext, p->sweep.replications, &l, &e) < 0) {
        fprintf(stderr, "avalanche sweep: %s\n", e.msg);
        status = EXIT_USAGE;
        goto done;
    }
    r.base = p;
    r.g = g;
    r.reps = p->sweep.replications;
    r.crn = p->sweep.common_random_numbers;
    r.quiet = o.quiet;
    r.tty = isatty(STDERR_FILENO);
    if (grow(&r, &l, &e) < 0) {
        fprintf(stderr, "avalanche sweep: %s\n", e.msg);
        status = EXIT_USAGE;
        goto done;
    }
    char *cfgpath = path_join(dir, "config.resolved.cfg");
    afile af;
    int rc = afile_open(&af, cfgpath, &e);
    if (rc == 0) {
        fputs(cfgtext, af.f);
        rc = afile_commit(&af, &e);
    }
    free(cfgpath);
    if (rc < 0) {
        fprintf(stderr, "avalanche sweep: %s\n", e.msg);
        status = EXIT_RUNTIME;
        goto done;
    }
    r.out = fopen(ptspath, l.n > 0 ? "ab" : "wb");
    if (!r.out) {
        fprintf(stderr, "avalanche sweep: %s: cannot write: %s\n", ptspath, strerror(errno));
        status = EXIT_RUNTIME;
        goto done;
    }
    if (l.n == 0) {
        char *head = header_text();
        fputs(head, r.out);
        free(head);
        fflush(r.out);
    }
    r.written = 0;
    r.done_total = 0;
    for (size_t t = 0; t < r.nres; t++)
        r.done_total += r.res[t].done;

    int jobs = o.jobs;
    if (jobs <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = c > 0 ? (int)c : 1;
    }
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv, NULL);
    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sweep_interrupted = 0;
    sigaction(SIGINT, &sa, &old_sa);
    r.t0 = cli_wall_s();
    r.last_print = r.t0;

    for (int level = 0;; level++) {
        /* Rows read back from points.csv may run past this level: cap at its tasks. */
        run_batch(&r, r.nres, jobs);
        if (sweep_interrupted || r.io_errno)
            break;
        if (level >= p->sweep.refine)
            break;
        size_t np = sweep_grid_count(g);
        int *maj = xmalloc((np ? np : 1) * sizeof *maj);
        for (size_t k = 0; k < np; k++) {
            unsigned counts[CLASS_COUNT];
            point_counts(&r, k, counts);
            maj[k] = sweep_majority(counts);
        }
        size_t added = sweep_grid_refine(g, maj);
        free(maj);
        if (added == 0)
            break;
        if (grow(&r, &l, &e) < 0) {
            fprintf(stderr, "avalanche sweep: %s\n", e.msg);
            status = EXIT_USAGE;
            break;
        }
        for (size_t t = r.written; t < r.nres; t++)
            r.done_total += r.res[t].done; /* rows read back from points.csv */
    }
    pthread_mutex_lock(&r.mu);
    progress(&r, 1);
    pthread_mutex_unlock(&r.mu);
    sigaction(SIGINT, &old_sa, NULL);
    if (fclose(r.out) != 0 && !r.io_errno)
        r.io_errno = errno;
    r.out = NULL;
    pthread_mutex_destroy(&r.mu);
    pthread_cond_destroy(&r.cv);
    if (status != EXIT_OK)
        goto done;
    if (r.io_errno) {
        fprintf(stderr, "avalanche sweep: %s: cannot write: %s\n", ptspath, strerror(r.io_errno));
        status = EXIT_RUNTIME;
        goto done;
    }
    if (r.written < l.n) {
        fprintf(stderr, "avalanche sweep: %s: %zu rows but the sweep has only %zu runs\n", ptspath,
                l.n, r.written);
        status = EXIT_USAGE;
        goto done;
    }
    if (sweep_interrupted) {
        fprintf(stderr,
                "avalanche sweep: interrupted; %zu runs kept in %s\n"
                "continue with: avalanche sweep %s",
                r.written, ptspath, o.config);
        for (int i = 0; i < o.nsets; i++)
            fprintf(stderr, " --set '%s'", o.sets[i]);
        fprintf(stderr, " --out %s --resume\n", dir);
        status = EXIT_INTERRUPTED;
        goto done;
    }
    char *regpath = path_join(dir, "regions.csv"), *cellpath = path_join(dir, "cells.csv");
    rc = afile_open(&af, regpath, &e);
    if (rc == 0) {
        write_regions(af.f, &r);
        rc = afile_commit(&af, &e);
    }
    if (rc == 0 && (rc = afile_open(&af, cellpath, &e)) == 0) {
        write_cells(af.f, &r);
        rc = afile_commit(&af, &e);
    }
    free(regpath);
    free(cellpath);
    if (rc < 0 || sweep_draw(dir, o.config, p, &e) < 0) {
        fprintf(stderr, "avalanche sweep: %s\n", e.msg);
        status = EXIT_RUNTIME;
        goto done;
    }
    if (!o.quiet) {
        size_t np = sweep_grid_count(g);
        unsigned by[CLASS_COUNT] = {0};
        for (size_t k = 0; k < np; k++) {
            unsigned counts[CLASS_COUNT];
            point_counts(&r, k, counts);
            by[sweep_majority(counts)]++;
        }
        printf("avalanche sweep: %s: %zu points (%d refinement levels), %zu runs in %.1f s\n",
               o.config, np, sweep_grid_levels(g), r.written, cli_wall_s() - r.t0);
        printf("  majority class: %u stable, %u metastable, %u overloaded, %u unresolved\n",
               by[CLASS_STABLE], by[CLASS_METASTABLE], by[CLASS_OVERLOADED], by[CLASS_UNRESOLVED]);
        printf("  wrote %s/\n", dir);
    }
done:
    if (r.res)
        for (size_t t = 0; t < r.nres; t++)
            free(r.res[t].line);
    free(r.res);
    free(r.pp);
    loaded_free(&l);
    free(ptspath);
    free(cfgtext);
    sweep_grid_free(g);
    cli_free(&o);
    free(p);
    return status;
}
