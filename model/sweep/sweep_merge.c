/* sweep_merge: `avalanche merge DIR... --out DIR`: the shards of one sweep (`sweep --shard K/N`)
 * joined into exactly the files one process writes (L4). Every input is checked before anything
 * is written, so a refusal leaves --out as it was. */
#include "sweep.h"

#include "classify.h"
#include "config.h"
#include "csv.h"
#include "sweep_files.h"
#include "xmem.h"

#include <errno.h>
#include <limits.h>
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

static const char merge_usage[] =
    "usage: avalanche merge DIR... --out DIR [--quiet]\n"
    "  joins the N directories of `avalanche sweep CONFIG --shard K/N --out DIR` (K = 1..N, each\n"
    "  once, all of one config) into points.csv, regions.csv, cells.csv, config.resolved.cfg and\n"
    "  the stability chart in --out, byte for byte what one process writes\n";

typedef struct shard {
    const char *dir;
    unsigned k, n;
    size_t runs;
    char config[256];
    char *cfgtext;
} shard;

static int same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Reads and cross-checks every shard's config.resolved.cfg and shard.csv. */
static int check_shards(shard *s, int n, err *e)
{
    for (int i = 0; i < n; i++) {
        char *path = path_join(s[i].dir, "config.resolved.cfg");
        size_t len;
        s[i].cfgtext = file_read(path, &len, NULL);
        free(path);
        if (!s[i].cfgtext)
            return err_set(e, "%s: not a sweep directory (no config.resolved.cfg)", s[i].dir);
        int rc = sweep_shard_read(s[i].dir, &s[i].k, &s[i].n, &s[i].runs, s[i].config,
                                  sizeof s[i].config, e);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return err_set(e,
                           "%s: not a shard (no shard.csv; shards are written by avalanche sweep "
                           "CONFIG --shard K/N)",
                           s[i].dir);
        if (strcmp(s[i].cfgtext, s[0].cfgtext) != 0)
            return err_set(e,
                           "%s: a shard of another sweep (its config.resolved.cfg differs from "
                           "%s's)",
                           s[i].dir, s[0].dir);
        if (s[i].n != s[0].n)
            return err_set(e, "%s: shard %u/%u, but %s is shard %u/%u: not parts of one split",
                           s[i].dir, s[i].k, s[i].n, s[0].dir, s[0].k, s[0].n);
        for (int j = 0; j < i; j++)
            if (s[j].k == s[i].k)
                return err_set(e, "%s and %s are both shard %u/%u", s[j].dir, s[i].dir, s[i].k,
                               s[i].n);
    }
    unsigned total = s[0].n;
    if ((unsigned)n < total) {
        for (unsigned k = 1; k <= total; k++) {
            int seen = 0;
            for (int i = 0; i < n; i++)
                seen |= s[i].k == k;
            if (!seen)
                return err_set(e,
                               "shard %u/%u missing: got %d of the %u shards (%s is shard %u/%u)",
                               k, total, n, total, s[0].dir, s[0].k, total);
        }
    }
    return 0;
}

/* Reads every shard's rows into res (one per task of the grid). */
static int read_rows(const shard *s, int n, const params *p, const sweep_grid *g, sweep_result *res,
                     size_t nres, err *e)
{
    char *header = sweep_points_header(p);
    int reps = p->sweep.replications, rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        unsigned k = s[i].k, N = s[i].n;
        size_t want = 0;
        for (size_t t = k - 1; t < nres; t += N)
            want++;
        char *path = path_join(s[i].dir, "points.csv");
        sweep_rows rows;
        rc = sweep_rows_read(path, header, reps, k - 1, N, 1, 0, 1, &rows, e);
        if (rc == 0 && s[i].runs != want)
            rc = err_set(e, "%s: shard.csv says %zu runs, but shard %u/%u of this grid has %zu",
                         s[i].dir, s[i].runs, k, N, want);
        else if (rc == 0 && rows.n > want)
            rc = err_set(e, "%s: %zu rows, but shard %u/%u has only %zu runs", path, rows.n, k, N,
                         want);
        else if (rc == 0 && rows.n < want)
            rc = err_set(e,
                         "%s: shard %u/%u is incomplete (%zu of %zu runs); finish it with "
                         "avalanche sweep CONFIG --shard %u/%u --out %s --resume",
                         s[i].dir, k, N, rows.n, want, k, N, s[i].dir);
        for (size_t r = 0; rc == 0 && r < rows.n; r++) {
            size_t t = (size_t)rows.res[r].task;
            const sweep_point *pt = sweep_grid_point(g, t / (size_t)reps);
            int same_y = sweep_grid_axes(g) == 1 ? rows.y[r] != rows.y[r] : rows.y[r] == pt->y;
            int same_z = sweep_grid_axes(g) < 3 || rows.z[r] == pt->z;
            if (rows.x[r] != pt->x || !same_y || !same_z) {
                rc = err_set(e, "%s:%zu: point %zu is not where this sweep puts it", path, r + 2,
                             t / (size_t)reps);
                break;
            }
            res[t] = rows.res[r];
            rows.res[r].line = NULL; /* res[t] owns it now */
        }
        sweep_rows_free(&rows);
        free(path);
    }
    free(header);
    return rc;
}

/* points.csv and config.resolved.cfg, each whole or not at all. */
static int write_points(const char *dir, const params *p, const char *cfgtext,
                        const sweep_result *res, size_t nres, err *e)
{
    char *path = path_join(dir, "points.csv");
    afile af;
    int rc = afile_open(&af, path, e);
    free(path);
    if (rc < 0)
        return -1;
    char *header = sweep_points_header(p);
    fputs(header, af.f);
    free(header);
    for (size_t t = 0; t < nres; t++)
        fputs(res[t].line, af.f);
    if (afile_commit(&af, e) < 0)
        return -1;
    path = path_join(dir, "config.resolved.cfg");
    rc = afile_open(&af, path, e);
    free(path);
    if (rc == 0) {
        fputs(cfgtext, af.f);
        rc = afile_commit(&af, e);
    }
    return rc < 0 ? -1 : sweep_provenance_write(dir, e);
}

/* --out must not be an input, a shard, or a sweep of another config. */
static int check_out(const char *out, const shard *s, int n, err *e)
{
    for (int i = 0; i < n; i++)
        if (same_dir(out, s[i].dir))
            return err_set(e, "--out %s: is one of the shards; merge into a new directory", out);
    char *path = path_join(out, "shard.csv");
    int is_shard = access(path, F_OK) == 0;
    free(path);
    if (is_shard)
        return err_set(e, "--out %s: holds a shard (shard.csv); merge into another directory", out);
    path = path_join(out, "points.csv");
    int has_points = access(path, F_OK) == 0;
    free(path);
    path = path_join(out, "config.resolved.cfg");
    size_t len;
    char *old = file_read(path, &len, NULL);
    free(path);
    int rc = 0;
    if (has_points && (!old || !config_resolved_same(old, s[0].cfgtext)))
        rc = err_set(e, "--out %s: holds a sweep of a different config; use another --out", out);
    free(old);
    return rc;
}

int sweep_merge_command(int argc, char **argv)
{
    err e;
    err_clear(&e);
    const char *out = NULL;
    int quiet = 0, n = 0;
    shard *s = xcalloc((size_t)argc + 1, sizeof *s);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(merge_usage, stdout);
            free(s);
            return EXIT_OK;
        }
        if (strcmp(a, "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strncmp(a, "--out=", 6) == 0)
            out = a + 6;
        else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
            quiet = 1;
        else if (strcmp(a, "--out") == 0)
            err_set(&e, "--out: missing value");
        else if (a[0] == '-' && a[1] != '\0')
            err_set(&e, "%s: unknown option (see avalanche merge --help)", a);
        else
            s[n++].dir = a;
    }
    if (!e.set && n == 0)
        err_set(&e, "expected the shard directories (got none)");
    if (!e.set && !out)
        err_set(&e, "missing --out DIR");
    if (e.set) {
        fprintf(stderr, "avalanche merge: %s\n", e.msg);
        free(s);
        return EXIT_USAGE;
    }
    int status = EXIT_USAGE;
    params *p = xmalloc(sizeof *p);
    sweep_grid *g = NULL;
    sweep_result *res = NULL;
    size_t nres = 0;
    char *cfgpath = NULL;
    if (check_shards(s, n, &e) < 0)
        goto done;
    cfgpath = path_join(s[0].dir, "config.resolved.cfg");
    if (config_load(p, cfgpath, NULL, 0, &e) < 0 || !(g = sweep_grid_new(p, &e)))
        goto done;
    if (p->sweep.refine > 0) {
        err_set(&e, "%s: sweep.refine = %d: not a config of shards", cfgpath, p->sweep.refine);
        goto done;
    }
    nres = sweep_grid_count(g) * (size_t)p->sweep.replications;
    res = xcalloc(nres ? nres : 1, sizeof *res);
    if (read_rows(s, n, p, g, res, nres, &e) < 0 || check_out(out, s, n, &e) < 0)
        goto done;
    status = EXIT_RUNTIME;
    if (dir_make(out, &e) < 0 || write_points(out, p, s[0].cfgtext, res, nres, &e) < 0 ||
        sweep_write_results(out, s[0].config, p, g, res, &e) < 0)
        goto done;
    status = EXIT_OK;
    if (!quiet) {
        unsigned by[CLASS_COUNT] = {0};
        for (size_t k = 0; k < sweep_grid_count(g); k++) {
            unsigned counts[CLASS_COUNT];
            sweep_point_counts(res, p->sweep.replications, k, counts);
            by[sweep_majority(counts)]++;
        }
        printf("avalanche merge: %d shards of %s: %zu points, %zu runs\n", n, s[0].config,
               sweep_grid_count(g), nres);
        printf("  majority class: %u stable, %u metastable, %u overloaded, %u unresolved\n",
               by[CLASS_STABLE], by[CLASS_METASTABLE], by[CLASS_OVERLOADED], by[CLASS_UNRESOLVED]);
        printf("  wrote %s/\n", out);
    }
done:
    if (status != EXIT_OK)
        fprintf(stderr, "avalanche merge: %s\n", e.msg);
    for (size_t t = 0; res && t < nres; t++)
        free(res[t].line);
    free(res);
    for (int i = 0; i < n; i++)
        free(s[i].cfgtext);
    free(s);
    free(cfgpath);
    sweep_grid_free(g);
    free(p);
    return status;
}
