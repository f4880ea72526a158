/* sweep_files: points.csv header and rows, rows read back, regions.csv, cells.csv, the chart and
 * shard.csv (L4). One writer for the threaded sweep, the MPI sweep and `avalanche merge`. */
#include "sweep_files.h"

#include "classify.h"
#include "config.h"
#include "csv.h"
#include "metrics.h"
#include "plot.h"
#include "stats.h"
#include "table.h"
#include "version.h"
#include "xmem.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The points.csv column each regions.csv mean comes from (into buf, n bytes). */
static const char *metric_col(int m, char *buf, unsigned n)
{
    switch (m) {
    case SWEEP_M_INFLIGHT_MUT_RECOVERY:
        return metric_phase_column(PH_INFLIGHT_MUT, PHASE_RECOVERY, buf, n);
    case SWEEP_M_TR_TIMEOUTS_RECOVERY:
        return metric_phase_column(PH_TR_TIMEOUTS, PHASE_RECOVERY, buf, n);
    case SWEEP_M_HB_RATIO:
        return metric_summary_name[SUM_HEARTBEAT];
    default:
        return metric_summary_name[SUM_MAX_NOT_READY];
    }
}

/* ",KEY_X[,KEY_Y[,KEY_Z]]" */
static void key_columns(FILE *f, const params *p)
{
    fprintf(f, ",%s", p->sweep.x.key);
    if (p->sweep.y.present)
        fprintf(f, ",%s", p->sweep.y.key);
    if (p->sweep.z.present)
        fprintf(f, ",%s", p->sweep.z.key);
}

/* "point,level,x,y[,z]": z only in a three-axis sweep, so that other sweeps keep their bytes */
static void head_columns(FILE *f, const params *p)
{
    fputs(p->sweep.z.present ? "point,level,x,y,z" : "point,level,x,y", f);
}

char *sweep_points_header(const params *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    head_columns(m, p);
    key_columns(m, p);
    fputc(',', m);
    stats_summary_header(m);
    fclose(m);
    return buf;
}

/* An axis column's value: the number, or a categorical axis's name (a config file's base name). */
static void axis_value(FILE *f, const axis *a, double v)
{
    if (a->ncats == 0 || !(v >= 0 && v < a->ncats)) {
        csv_num(f, v);
        return;
    }
    csv_str(f, sweep_category_label(a, (int)v));
}

/* "point,level,x,y[,z],VALUE_X[,VALUE_Y[,VALUE_Z]]" without the trailing comma. */
static void point_head(FILE *f, const params *p, size_t k, const sweep_point *pt)
{
    fprintf(f, "%zu,%d,", k, pt->level);
    csv_num(f, pt->x);
    fputc(',', f);
    csv_num(f, pt->y);
    if (p->sweep.z.present) {
        fputc(',', f);
        csv_num(f, pt->z);
    }
    fputc(',', f);
    axis_value(f, &p->sweep.x, pt->x);
    if (p->sweep.y.present) {
        fputc(',', f);
        axis_value(f, &p->sweep.y, pt->y);
    }
    if (p->sweep.z.present) {
        fputc(',', f);
        axis_value(f, &p->sweep.z, pt->z);
    }
}

void sweep_row_prefix(FILE *f, const params *p, size_t k, const sweep_point *pt)
{
    point_head(f, p, k, pt);
    fputc(',', f);
}

void sweep_rows_free(sweep_rows *rows)
{
    if (rows->res)
        for (size_t i = 0; i < rows->n; i++)
            free(rows->res[i].line);
    free(rows->x);
    free(rows->y);
    free(rows->z);
    free(rows->res);
    memset(rows, 0, sizeof *rows);
}

int sweep_rows_read(const char *path, const char *header, int reps, uint64_t first, uint64_t stride,
                    int keep_lines, int truncate_torn, int must_exist, sweep_rows *rows, err *e)
{
    memset(rows, 0, sizeof *rows);
    size_t len;
    char *text = file_read(path, &len, NULL);
    if (!text) {
        if (errno == ENOENT && !must_exist)
            return 0;
        return err_set(e, "%s: cannot read: %s", path, strerror(errno));
    }
    size_t keep = len;
    while (keep > 0 && text[keep - 1] != '\n')
        keep--;
    size_t hl = strlen(header);
    if (keep > 0 && (keep < hl || strncmp(text, header, hl) != 0)) {
        free(text);
        return err_set(e, "%s: not a points.csv of this sweep and version (header differs)", path);
    }
    if (keep < len && truncate_torn && truncate(path, (off_t)keep) != 0) {
        free(text);
        return err_set(e, "%s: cannot drop the partial last row: %s", path, strerror(errno));
    }
    if (keep == 0) {
        free(text);
        return must_exist ? err_set(e, "%s: empty (no header)", path) : 0;
    }
    if (keep < len && !truncate_torn) {
        free(text);
        return err_set(
            e, "%s: ends in a partial row: an interrupted sweep (finish it with --resume)", path);
    }
    table *t = table_read(path, e);
    if (!t) {
        free(text);
        return -1;
    }
    size_t n = table_rows(t);
    rows->n = n;
    rows->x = xcalloc(n + 1, sizeof *rows->x);
    rows->y = xcalloc(n + 1, sizeof *rows->y);
    rows->z = xcalloc(n + 1, sizeof *rows->z);
    rows->res = xcalloc(n + 1, sizeof *rows->res);
    int cp = table_col(t, "point"), cr = table_col(t, metric_summary_name[SUM_REPLICATION]),
        cc = table_col(t, metric_summary_name[SUM_CLASS]);
    int crec = table_col(t, metric_summary_name[SUM_RECOVERY]),
        cse = table_col(t, metric_summary_name[SUM_STOPPED_EARLY]);
    int cww = table_col(t, metric_summary_name[SUM_WITHIN]);
    int cx = table_col(t, "x"), cy = table_col(t, "y"), cz = table_col(t, "z");
    int cm[SWEEP_METRICS];
    char name[96];
    for (int i = 0; i < SWEEP_METRICS; i++)
        cm[i] = table_col(t, metric_col(i, name, sizeof name));
    const char *line = text + hl;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t task = first + (uint64_t)i * stride;
        double pt = table_num(t, i, cp), rep = table_num(t, i, cr);
        int cls = run_class_of(table_str(t, i, cc));
        if (pt != (double)(task / (uint64_t)reps) || rep != (double)(task % (uint64_t)reps) ||
            cls < 0) {
            rc = err_set(e, "%s:%zu: expected point %llu replication %llu (rows in order)", path,
                         i + 2, (unsigned long long)(task / (uint64_t)reps),
                         (unsigned long long)(task % (uint64_t)reps));
            break;
        }
        rows->x[i] = table_num(t, i, cx);
        rows->y[i] = table_num(t, i, cy);
        rows->z[i] = table_num(t, i, cz);
        sweep_result *x = &rows->res[i];
        x->task = task;
        x->done = 1;
        x->cls = cls;
        x->recovery_s = table_num(t, i, crec);
        x->stopped_early = table_num(t, i, cse) == 1;
        x->within_window = table_num(t, i, cww) == 1;
        x->wall_s = NAN;
        for (int m = 0; m < SWEEP_METRICS; m++)
            x->m[m] = table_num(t, i, cm[m]);
        /* the file's own bytes, blank lines skipped as table_read skips them */
        while (*line == '\n' || *line == '\r')
            line++;
        const char *end = strchr(line, '\n');
        size_t ll = end ? (size_t)(end - line) + 1 : strlen(line);
        if (keep_lines) {
            x->line = xmalloc(ll + 1);
            memcpy(x->line, line, ll);
            x->line[ll] = '\0';
        }
        line += ll;
    }
    table_free(t);
    free(text);
    if (rc < 0)
        sweep_rows_free(rows);
    return rc;
}

/* ---- regions --------------------------------------------------------------------------------- */

void sweep_point_counts(const sweep_result *res, int reps, size_t k, unsigned counts[])
{
    memset(counts, 0, CLASS_COUNT * sizeof *counts);
    for (int i = 0; i < reps; i++) {
        const sweep_result *x = &res[k * (size_t)reps + (size_t)i];
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

static void write_regions(FILE *f, const params *p, const sweep_grid *g, const sweep_result *res)
{
    int reps = p->sweep.replications;
    /* x_lo..y_hi: the point's own cell (sweep_grid_extent); cells of finer levels lie inside
     * coarser ones. cells.csv holds the partition the map draws. */
    head_columns(f, p);
    key_columns(f, p);
    fputs(",x_lo,x_hi,y_lo,y_hi,replications", f);
    for (int c = 0; c < CLASS_COUNT; c++)
        fprintf(f, ",n_%s", run_class_name((enum run_class)c));
    for (int c = 0; c < CLASS_COUNT; c++) {
        const char *nm = run_class_name((enum run_class)c);
        fprintf(f, ",p_%s,p_%s_lo,p_%s_hi", nm, nm, nm);
    }
    fputs(",majority,n_recovered,recovery_median,recovery_lo,recovery_hi,p_within_window,"
          "p_within_window_lo,p_within_window_hi",
          f);
    char name[96];
    for (int m = 0; m < SWEEP_METRICS; m++)
        fprintf(f, ",mean_%s", metric_col(m, name, sizeof name));
    fputs(",n_stopped_early\n", f);
    double *rec = xmalloc((size_t)reps * sizeof *rec);
    for (size_t k = 0; k < sweep_grid_count(g); k++) {
        const sweep_point *pt = sweep_grid_point(g, k);
        double ext[4];
        sweep_grid_extent(g, k, ext);
        unsigned counts[CLASS_COUNT], n = 0, early = 0, within = 0;
        sweep_point_counts(res, reps, k, counts);
        for (int c = 0; c < CLASS_COUNT; c++)
            n += counts[c];
        point_head(f, p, k, pt);
        for (size_t i = 0; i < 4; i++) {
            fputc(',', f);
            csv_num(f, ext[i]);
        }
        fprintf(f, ",%u", n);
        for (int c = 0; c < CLASS_COUNT; c++)
            fprintf(f, ",%u", counts[c]);
        for (int c = 0; c < CLASS_COUNT; c++)
            write_prob(f, counts[c], n);
        fprintf(f, ",%s", n ? run_class_name((enum run_class)sweep_majority(counts)) : "");
        size_t nrec = 0;
        double sum[SWEEP_METRICS] = {0};
        unsigned cnt[SWEEP_METRICS] = {0};
        for (int i = 0; i < reps; i++) {
            const sweep_result *x = &res[k * (size_t)reps + (size_t)i];
            if (!x->done)
                continue;
            early += x->stopped_early;
            within += x->within_window;
            if (!isnan(x->recovery_s))
                rec[nrec++] = x->recovery_s;
            for (int m = 0; m < SWEEP_METRICS; m++)
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
        for (int m = 0; m < SWEEP_METRICS; m++) {
            fputc(',', f);
            csv_num(f, cnt[m] ? sum[m] / cnt[m] : NAN);
        }
        fprintf(f, ",%u\n", early);
    }
    free(rec);
}

/* cells.csv: the partition of the swept range that the map draws (sweep_grid_cells). */
static void write_cells(FILE *f, const sweep_grid *g)
{
    sweep_cell *c;
    size_t n = sweep_grid_cells(g, &c);
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

int sweep_write_results(const char *dir, const char *config, const params *p, const sweep_grid *g,
                        const sweep_result *res, err *e)
{
    char *regpath = path_join(dir, "regions.csv"), *cellpath = path_join(dir, "cells.csv");
    afile af;
    int rc = afile_open(&af, regpath, e);
    if (rc == 0) {
        write_regions(af.f, p, g, res);
        rc = afile_commit(&af, e);
    }
    if (rc == 0 && (rc = afile_open(&af, cellpath, e)) == 0) {
        write_cells(af.f, g);
        rc = afile_commit(&af, e);
    }
    free(regpath);
    free(cellpath);
    if (rc == 0)
        rc = sweep_draw(dir, config, p, e);
    return rc;
}

/* ---- the chart ------------------------------------------------------------------------------- */

/* A fluid sweep's directory holds fluid.csv (sweep_fluid.h): one classification a point. */
static int is_fluid(const char *dir)
{
    char *fl = path_join(dir, "fluid.csv");
    int yes = access(fl, F_OK) == 0;
    free(fl);
    return yes;
}

/* "x = KEY", "x = KEY, y = KEY" or "x = KEY, y = KEY, z = KEY" */
static void axes_text(const params *p, char *buf, size_t len)
{
    if (p->sweep.z.present)
        snprintf(buf, len, "x = %s, y = %s, z = %s", p->sweep.x.key, p->sweep.y.key,
                 p->sweep.z.key);
    else if (p->sweep.y.present)
        snprintf(buf, len, "x = %s, y = %s", p->sweep.x.key, p->sweep.y.key);
    else
        snprintf(buf, len, "x = %s", p->sweep.x.key);
}

int sweep_overlays_check(const params *p, const char *const *dirs, int n, err *e)
{
    if (n > PLOT_OVERLAY_MAX)
        return err_set(e, "--overlay %s: at most %d overlays on one chart", dirs[PLOT_OVERLAY_MAX],
                       PLOT_OVERLAY_MAX);
    const axis *ax[2] = {&p->sweep.x, &p->sweep.y};
    for (int a = 0; a < 2 && n > 0; a++)
        if (ax[a]->present && ax[a]->ncats > 0)
            return err_set(e,
                           "--overlay %s: the map's %s axis (%s) is categorical: there is no "
                           "boundary along it to draw",
                           dirs[0], a ? "y" : "x", ax[a]->key);
    for (int i = 0; i < n; i++) {
        const char *d = dirs[i];
        struct stat st;
        if (stat(d, &st) != 0)
            return err_set(e, "--overlay %s: %s", d, strerror(errno));
        char *reg = path_join(d, "regions.csv"), *cfg = path_join(d, "config.resolved.cfg");
        int has_regions = access(reg, F_OK) == 0, has_cfg = access(cfg, F_OK) == 0, rc = 0;
        params q;
        err ce;
        err_clear(&ce);
        if (!has_regions)
            rc = err_set(e, "--overlay %s: no regions.csv (not a sweep directory)", d);
        else if (has_cfg && config_load(&q, cfg, NULL, 0, &ce) != 0)
            rc = err_set(e, "--overlay %s: %s", d, ce.msg);
        else if (has_cfg && (strcmp(q.sweep.x.key, p->sweep.x.key) != 0 ||
                             q.sweep.y.present != p->sweep.y.present ||
                             (q.sweep.y.present && strcmp(q.sweep.y.key, p->sweep.y.key) != 0) ||
                             q.sweep.z.present != p->sweep.z.present ||
                             (q.sweep.z.present && strcmp(q.sweep.z.key, p->sweep.z.key) != 0))) {
            char mine[3 * AXIS_KEY_MAX + 24], theirs[3 * AXIS_KEY_MAX + 24];
            axes_text(p, mine, sizeof mine);
            axes_text(&q, theirs, sizeof theirs);
            rc = err_set(e, "--overlay %s: a sweep over %s, not %s: not the same axes", d, theirs,
                         mine);
        }
        free(reg);
        free(cfg);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int sweep_draw(const char *dir, const char *config, const params *p, err *e)
{
    (void)config;
    return sweep_draw_overlays(dir, p, NULL, NULL, 0, e);
}

/* The key's label with its unit; "config file" for an axis over config files. */
static void axis_label(const axis *a, char *buf, size_t n)
{
    if (strcmp(a->key, AXIS_CONFIG) == 0)
        snprintf(buf, n, "config file");
    else
        config_key_label(a->key, buf, n);
}

/* Some categorical axis of p sweeps key. */
static int swept(const params *p, const char *key)
{
    const axis *ax[3] = {&p->sweep.x, &p->sweep.y, &p->sweep.z};
    for (int i = 0; i < 3; i++)
        if (ax[i]->present && ax[i]->ncats > 0 && strcmp(ax[i]->key, key) == 0)
            return 1;
    return 0;
}

int sweep_draw_overlays(const char *dir, const params *p, const char *const *overlays,
                        const char *const *labels, int n, err *e)
{
    char subtitle[512], xl[160], yl[160];
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
    char reps[48];
    if (is_fluid(dir))
        snprintf(reps, sizeof reps, "fluid model");
    else
        snprintf(reps, sizeof reps, "%d replications", p->sweep.replications);
    /* A categorical axis over one of these keys varies it: the base's value would mislead; over
     * config files, every one of them comes from the files. */
    int files = swept(p, AXIS_CONFIG);
    /* with every axis categorical, refine has nothing to split */
    int refined =
        p->sweep.refine > 0 && !(p->sweep.x.ncats && (!p->sweep.y.present || p->sweep.y.ncats) &&
                                 (!p->sweep.z.present || p->sweep.z.ncats));
    char sa[64] = "", co[32] = "";
    if (!swept(p, "apiserver.sa_lookup.mode"))
        snprintf(sa, sizeof sa, " · sa_lookup %s", sa_mode_name(p->apiserver.sa_lookup.mode));
    if (!swept(p, "apiserver.token_cache.coalesce"))
        snprintf(co, sizeof co, " · coalesce %s", p->apiserver.token_cache.coalesce ? "on" : "off");
    if (files)
        snprintf(subtitle, sizeof subtitle, "stability regions · %s%s", reps,
                 refined ? " · refined" : "");
    else
        snprintf(subtitle, sizeof subtitle, "stability regions · %s%s · %s%s · %s%s", trig, sa, lb,
                 co, reps, refined ? " · refined" : "");
    axis_label(&p->sweep.x, xl, sizeof xl);
    if (p->sweep.y.present)
        axis_label(&p->sweep.y, yl, sizeof yl);
    else
        snprintf(yl, sizeof yl, "probability");
    char zl[160] = "";
    if (p->sweep.z.present)
        axis_label(&p->sweep.z, zl, sizeof zl);
    const char *cats[3][AXIS_CATS_MAX];
    const axis *ax[3] = {&p->sweep.x, &p->sweep.y, &p->sweep.z};
    for (int a = 0; a < 3; a++)
        for (int i = 0; i < ax[a]->ncats && ax[a]->present; i++)
            cats[a][i] = sweep_category_label(ax[a], i);
    plot_sweep_info info = {.title = config_title(p),
                            .subtitle = subtitle,
                            .x_label = xl,
                            .y_label = yl,
                            .x_log = p->sweep.x.scale == SCALE_LOG && !p->sweep.x.ncats,
                            .y_log = p->sweep.y.present && p->sweep.y.scale == SCALE_LOG &&
                                     !p->sweep.y.ncats,
                            .x_cats = p->sweep.x.ncats ? cats[0] : NULL,
                            .nx_cats = p->sweep.x.ncats,
                            .y_cats = p->sweep.y.present && p->sweep.y.ncats ? cats[1] : NULL,
                            .ny_cats = p->sweep.y.present ? p->sweep.y.ncats : 0,
                            .z_label = p->sweep.z.present ? zl : NULL,
                            .z_cats = p->sweep.z.present && p->sweep.z.ncats ? cats[2] : NULL,
                            .nz_cats = p->sweep.z.present ? p->sweep.z.ncats : 0,
                            .mode = PLOT_MAP_RECOVERY,
                            .recovery_window_s = p->health.recovery_window_s,
                            .width_pt = p->plot.width_pt,
                            .height_pt = p->plot.height_pt};
    /* each overlay's regions.csv, labelled "fluid model" or (NULL) by its directory's name */
    size_t m = n > 0 ? (size_t)n : 1;
    char **csvs = xcalloc(m, sizeof *csvs);
    const char **names = xcalloc(m, sizeof *names);
    for (int i = 0; i < n; i++) {
        csvs[i] = path_join(overlays[i], "regions.csv");
        names[i] = labels && labels[i] ? labels[i] : is_fluid(overlays[i]) ? "fluid model" : NULL;
    }
    info.overlay_csvs = (const char *const *)csvs;
    info.overlay_labels = names;
    info.n_overlays = n;
    char *csv = path_join(dir, "regions.csv"), *out = path_join(dir, "stability");
    int rc = plot_stability(csv, out, p->plot.formats, &info, e);
    for (int i = 0; i < n; i++)
        free(csvs[i]);
    free(csvs);
    free(names);
    free(csv);
    free(out);
    return rc;
}

int sweep_provenance_write(const char *dir, err *e)
{
    char *path = path_join(dir, "provenance.csv");
    afile af;
    int rc = afile_open(&af, path, e);
    free(path);
    if (rc == 0) {
        version_csv(af.f);
        rc = afile_commit(&af, e);
    }
    return rc;
}

/* ---- shard.csv ------------------------------------------------------------------------------- */

int sweep_shard_write(const char *dir, unsigned k, unsigned n, size_t runs, const char *config,
                      err *e)
{
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    char *path = path_join(dir, "shard.csv");
    afile af;
    int rc = afile_open(&af, path, e);
    if (rc == 0) {
        fprintf(af.f, "shard,shards,runs,config\n%u,%u,%zu,", k, n, runs);
        for (const char *c = base; *c; c++) /* a plain field: no quoting in these files */
            fputc(*c == ',' || *c == '\n' || *c == '\r' ? '_' : *c, af.f);
        fputc('\n', af.f);
        rc = afile_commit(&af, e);
    }
    free(path);
    return rc;
}

int sweep_shard_read(const char *dir, unsigned *k, unsigned *n, size_t *runs, char *config,
                     size_t config_cap, err *e)
{
    char *path = path_join(dir, "shard.csv");
    if (access(path, F_OK) != 0) {
        free(path);
        return 0;
    }
    table *t = table_read(path, e);
    int rc = -1;
    if (t) {
        double kk = table_num(t, 0, table_col(t, "shard"));
        double nn = table_num(t, 0, table_col(t, "shards"));
        double rr = table_num(t, 0, table_col(t, "runs"));
        if (table_rows(t) != 1 || !(nn >= 1 && nn <= 4294967295.0) || !(kk >= 1 && kk <= nn) ||
            kk != floor(kk) || nn != floor(nn) || !(rr >= 0) || rr != floor(rr)) {
            err_set(e, "%s: expected one row with 1 <= shard <= shards and runs >= 0", path);
        } else {
            *k = (unsigned)kk;
            *n = (unsigned)nn;
            *runs = (size_t)rr;
            snprintf(config, config_cap, "%s", table_str(t, 0, table_col(t, "config")));
            rc = 1;
        }
        table_free(t);
    }
    free(path);
    return rc;
}
