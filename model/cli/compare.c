/* compare: several runs on one dashboard, from their directories (L4). */
#include "compare.h"

#include "cli.h"
#include "config.h"
#include "csv.h"
#include "err.h"
#include "plot.h"
#include "version.h"
#include "xmem.h"

#include <errno.h>
#include <math.h>
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

static const char compare_usage[] =
    "usage: avalanche compare DIR... [--out DIR] [--label NAME]... [--quiet]\n"
    "\n"
    "Draws up to 8 run directories (written by avalanche run) on one dashboard, a mitigation\n"
    "against its base: mutating inflight against each run's cap, TokenReview 504s, outstanding\n"
    "work, heartbeat and scrape success, NotReady nodes. The caps come from each run's\n"
    "config.resolved.cfg, the trigger window and the interventions from the first run, and so\n"
    "do the formats (plot.formats). Writes compare.{png,svg,pdf} and provenance.csv to --out.\n"
    "\n"
    "  --out DIR      the output directory (default results/compare; not a run's directory)\n"
    "  --label NAME   the name of the next DIR on the chart (default: the directory's name);\n"
    "                 repeatable, in the order of the DIRs\n"
    "  -q, --quiet    nothing on stdout\n";

static const char *const chart_names[] = {"compare.png", "compare.svg", "compare.pdf"};

/* The value of option `name` at argv[*i] (--name V or --name=V), or NULL when argv[*i] is not
 * that option; *missing when it is but has no value. */
static const char *option_value(int argc, char **argv, int *i, const char *name, int *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

typedef struct runs {
    const char *dirs[PLOT_COMPARE_MAX];
    char *labels[PLOT_COMPARE_MAX];
    char *csvs[PLOT_COMPARE_MAX];
    double caps[PLOT_COMPARE_MAX];
    char titles[PLOT_COMPARE_MAX][PLOT_TITLE_MAX];
    params first;
    int n;
} runs;

static void runs_free(runs *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->labels[i]);
        free(r->csvs[i]);
    }
}

/* Checks that dir is a run directory and reads what the chart needs from its resolved config. */
static int load_run(runs *r, int i, err *e)
{
    const char *dir = r->dirs[i];
    struct stat st;
    if (stat(dir, &st) != 0)
        return err_set(e, "compare %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return err_set(e, "compare %s: not a directory (expected a directory avalanche run wrote)",
                       dir);
    if (!path_is_file(dir, "timeseries.csv") || !path_is_file(dir, "config.resolved.cfg"))
        return err_set(
            e,
            "compare %s: not a run directory (no %s; expected the --out of avalanche "
            "run)",
            dir, path_is_file(dir, "timeseries.csv") ? "config.resolved.cfg" : "timeseries.csv");
    char *cfg = path_join(dir, "config.resolved.cfg");
    params *p = xmalloc(sizeof *p);
    err le;
    err_clear(&le);
    int rc = config_load(p, cfg, NULL, 0, &le);
    free(cfg);
    if (rc == 0) {
        r->caps[i] = p->apiserver.max_mutating_requests_inflight * p->apiserver.replicas;
        snprintf(r->titles[i], sizeof r->titles[i], "%s", config_title(p));
        if (i == 0)
            r->first = *p;
    } else {
        err_set(e, "compare %s: %s", dir, le.msg);
    }
    free(p);
    if (rc != 0)
        return -1;
    r->csvs[i] = path_join(dir, "timeseries.csv");
    return 0;
}

static void w_provenance(FILE *f)
{
    version_csv(f);
}

static int write_outputs(const runs *r, const char *out, err *e)
{
    const params *p = &r->first;
    /* only this chart's files: the formats it does not draw go */
    for (int i = 0; i < 3; i++) {
        char *path = path_join(out, chart_names[i]);
        int rc = unlink(path) == 0 || errno == ENOENT
                     ? 0
                     : err_set(e, "%s: cannot remove: %s", path, strerror(errno));
        free(path);
        if (rc < 0)
            return -1;
    }
    char *prov = path_join(out, "provenance.csv");
    afile a;
    int rc = afile_open(&a, prov, e);
    if (rc == 0) {
        w_provenance(a.f);
        rc = afile_commit(&a, e);
    }
    free(prov);
    if (rc < 0)
        return -1;

    /* title: the labels; subtitle: each run's plot.title, and the first run's trigger */
    char title[512] = "", subtitle[1536] = "";
    size_t used = 0, sused = 0;
    for (int i = 0; i < r->n && used < sizeof title; i++)
        used += (size_t)snprintf(title + used, sizeof title - used, "%s%s", i ? " vs " : "",
                                 r->labels[i]);
    for (int i = 0; i < r->n && sused < sizeof subtitle; i++)
        sused += (size_t)snprintf(subtitle + sused, sizeof subtitle - sused, "%s%s", i ? ", " : "",
                                  r->titles[i]);
    if (sused < sizeof subtitle) {
        if (p->trigger.kind == TRIGGER_NONE)
            snprintf(subtitle + sused, sizeof subtitle - sused, " · no trigger");
        else
            snprintf(subtitle + sused, sizeof subtitle - sused, " · trigger %s at %g s (first run)",
                     trigger_kind_name(p->trigger.kind), p->trigger.at_s);
    }
    char *ivs = path_join(r->dirs[0], "interventions.csv");
    plot_mark *marks = NULL;
    int nmarks = plot_read_interventions(ivs, &marks, e);
    free(ivs);
    if (nmarks < 0)
        return -1;
    int has_trigger = p->trigger.kind != TRIGGER_NONE;
    plot_compare_info info = {
        .title = title,
        .subtitle = subtitle,
        .mutating_caps = r->caps,
        .trigger_start_s = has_trigger ? p->trigger.at_s : NAN,
        .trigger_end_s = has_trigger ? p->trigger.at_s + p->trigger.duration_s : NAN,
        .marks = marks,
        .n_marks = nmarks,
        .width_pt = p->plot.width_pt,
        .height_pt = p->plot.height_pt,
    };
    char *base = path_join(out, "compare");
    rc = plot_compare((const char *const *)r->csvs, (const char *const *)r->labels, r->n, base,
                      p->plot.formats, &info, e);
    free(base);
    plot_marks_free(marks, nmarks);
    return rc;
}

int compare_command(int argc, char **argv)
{
    if (cli_help(argc, argv)) {
        fputs(compare_usage, stdout);
        return EXIT_OK;
    }
    runs r;
    memset(&r, 0, sizeof r);
    const char *out = "results/compare", *labels[PLOT_COMPARE_MAX];
    int nlabels = 0, quiet = 0, status = EXIT_OK;
    err e;
    err_clear(&e);
    for (int i = 0; i < argc && status == EXIT_OK; i++) {
        int missing = 0;
        const char *v;
        if ((v = option_value(argc, argv, &i, "--out", &missing))) {
            out = v;
        } else if ((v = option_value(argc, argv, &i, "--label", &missing))) {
            if (nlabels == PLOT_COMPARE_MAX)
                status = err_set(&e, "--label %s: more labels than runs (at most %d)", v,
                                 PLOT_COMPARE_MAX);
            else
                labels[nlabels++] = v;
        } else if (missing) {
            status = err_set(&e, "%s: missing value", argv[i]);
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            quiet = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            status = err_set(&e, "%s: unknown option (see avalanche compare --help)", argv[i]);
        } else if (r.n == PLOT_COMPARE_MAX) {
            status = err_set(&e, "%s: at most %d runs on one chart", argv[i], PLOT_COMPARE_MAX);
        } else {
            r.dirs[r.n++] = argv[i];
        }
    }
    if (status == EXIT_OK && r.n == 0)
        status = err_set(&e, "missing DIR (the run directories to compare)");
    if (status == EXIT_OK && nlabels > r.n)
        status =
            err_set(&e, "--label %s: more labels (%d) than runs (%d)", labels[r.n], nlabels, r.n);
    for (int i = 0; status == EXIT_OK && i < r.n; i++)
        status = load_run(&r, i, &e);
    for (int i = 0; status == EXIT_OK && i < r.n; i++)
        r.labels[i] = i < nlabels ? xstrdup(labels[i]) : path_base(r.dirs[i]);
    /* the output is a directory of its own: never one of the runs (or a sweep) */
    if (status == EXIT_OK &&
        (path_is_file(out, "timeseries.csv") || path_is_file(out, "points.csv")))
        status = err_set(&e,
                         "--out %s: holds a %s; compare writes into a directory of its own: use "
                         "another --out",
                         out, path_is_file(out, "points.csv") ? "sweep" : "run");
    if (status != EXIT_OK) {
        fprintf(stderr, "avalanche compare: %s\n", e.msg);
        runs_free(&r);
        return EXIT_USAGE;
    }
    if (dir_make(out, &e) != 0) {
        fprintf(stderr, "avalanche compare: %s\n", e.msg);
        runs_free(&r);
        return EXIT_USAGE;
    }
    if (write_outputs(&r, out, &e) != 0) {
        fprintf(stderr, "avalanche compare: %s\n", e.msg);
        status = EXIT_RUNTIME;
    } else if (!quiet) {
        printf("avalanche compare: %d runs (", r.n);
        for (int i = 0; i < r.n; i++)
            printf("%s%s", i ? ", " : "", r.labels[i]);
        printf(")\n  wrote %s/compare.{", out);
        int first = 1;
        for (int i = 0; i < 3; i++)
            if (r.first.plot.formats & (1u << i)) {
                printf("%s%s", first ? "" : ",", chart_names[i] + 8);
                first = 0;
            }
        printf("}\n");
    }
    runs_free(&r);
    return status;
}
