/* model/cli/ (layer L4): the command line: the entry points (main, this file; main_mpi), the shared
 * option parser (cli), compare, the man pages (man/) and bash completion (completion/). Only
 * main.c picks exit codes. Files here may include any header. */
/* main: the avalanche command line (L4). The only place that picks exit codes:
 * 0 success, 1 runtime failure (I/O), 2 usage or config error. */
#include "capacity.h"
#include "classify.h"
#include "cli.h"
#include "compare.h"
#include "config.h"
#include "csv.h"
#include "err.h"
#include "keydoc.h"
#include "metrics.h"
#include "model.h"
#include "openmetrics.h"
#include "params.h"
#include "plot.h"
#include "stats.h"
#include "sweep.h"
#include "table.h"
#include "version.h"
#include "xmem.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* params.h (L3) and plot.h (L4) name the chart formats with the same bits. */
_Static_assert(PLOT_PNG == PLOT_FMT_PNG && PLOT_SVG == PLOT_FMT_SVG && PLOT_PDF == PLOT_FMT_PDF,
               "plot format bits differ");

enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2
};

static const char usage[] =
    "usage:\n"
    "  avalanche run     [CONFIG] [--set KEY=VALUE]... [--seed N] [--replication R] [--out DIR]\n"
    "                    [--quiet]\n"
    "  avalanche sweep   CONFIG [--set KEY=VALUE]... [-j N] [--out DIR] [--resume] [--quiet]\n"
    "                    [--shard K/N] [--dry-run]\n"
    "  avalanche merge   DIR... --out DIR\n"
    "  avalanche capacity CONFIG... [--set KEY=VALUE]... [-j N] [--out DIR] [--quiet]\n"
    "  avalanche plot    DIR [--overlay DIR2 [--label NAME]]...\n"
    "  avalanche check   CONFIG [--set KEY=VALUE]...\n"
    "  avalanche compare DIR... [--out DIR] [--label NAME]... [--quiet]\n"
    "  avalanche keys    [PATTERN] [--names | --man]\n"
    "  avalanche help    [COMMAND]\n"
    "  avalanche --help | --version\n"
    "\n"
    "run     simulate CONFIG (default: the built-in Kubernetes 1.12 defaults) and write\n"
    "        timeseries.csv, summary.csv, timing.csv, config.resolved.cfg and the dashboard\n"
    "        chart to DIR (default results/run)\n"
    "sweep   run the grid of CONFIG's sweep group with replications in parallel and write\n"
    "        points.csv, regions.csv, config.resolved.cfg and the stability chart to DIR\n"
    "        (default results/sweep); --resume continues an interrupted sweep, --shard K/N\n"
    "        runs one of N static parts, --dry-run prints the grid, the runs and the time\n"
    "merge   join the N shards of one sweep into the files one process writes\n"
    "capacity the largest value of capacity.key that still recovers with capacity.target\n"
    "        probability (bisection with sequential stopping); capacity.csv and its chart\n"
    "plot    redraw every chart in DIR from its CSV files, other sweeps' boundaries over a map\n"
    "check   validate CONFIG and print the fully resolved config\n"
    "compare draw several run directories on one dashboard (compare.{png,svg,pdf})\n"
    "keys    list every config key matching PATTERN: type, unit, default, range, meaning\n"
    "\n"
    "`avalanche COMMAND --help` (or avalanche help COMMAND) explains one command; the manual\n"
    "is avalanche(1), the config keys avalanche.cfg(5) and `avalanche keys`.\n"
    "Exit status: 0 ok, 1 runtime failure, 2 usage or config error.\n";

static const char run_usage[] =
    "usage: avalanche run [CONFIG] [--set KEY=VALUE]... [--seed N] [--replication R] [--out DIR]\n"
    "                     [--quiet]\n"
    "\n"
    "Simulates one run of CONFIG. Without CONFIG it runs the built-in defaults, the Kubernetes\n"
    "1.12 defaults: 5000 nodes, every cache flushed at 600 s, no other ServiceAccount-token\n"
    "traffic (configs/k8s-1.12-incident.cfg adds that traffic, 0.03 tokens and 0.004\n"
    "requests/s per node, the business cap of 1000 and a 60 s burst of fresh tokens).\n"
    "Writes to DIR: timeseries.csv, summary.csv, timing.csv, config.resolved.cfg (its first\n"
    "line records the avalanche version and commit), provenance.csv (the same as CSV),\n"
    "timeseries.om (the time series in OpenMetrics text, timestamps from sim.epoch, for\n"
    "promtool tsdb create-blocks-from openmetrics), interventions.csv (when there are\n"
    "interventions) and the dashboard\n"
    "timeseries.{png,svg,pdf} (the formats of plot.formats). Files an earlier run left in DIR\n"
    "are removed first, so that DIR holds only this run's files; a sweep's DIR is refused.\n"
    "\n"
    "  --set KEY=VALUE   override a config key by its dotted name (avalanche keys); repeatable\n"
    "  --seed N          the master seed (sim.seed)\n"
    "  --replication R   the random streams of replication R, to repeat one row of a sweep\n"
    "  --out DIR         the output directory (default results/run)\n"
    "  -q, --quiet       no progress on stderr, no summary on stdout\n"
    "\n"
    "Progress goes to stderr: a bar with the ETA on a terminal, a line every 5 s otherwise.\n";

static const char check_usage[] =
    "usage: avalanche check CONFIG [--set KEY=VALUE]...\n"
    "\n"
    "Validates CONFIG with its --set overrides exactly as run and sweep do, and prints every key\n"
    "with its resolved value (the format of config.resolved.cfg). Exit status 2 and one line on\n"
    "stderr naming the file and line (or the --set), the key, what was expected and what was\n"
    "found when the config is wrong.\n";

static const char plot_usage[] =
    "usage: avalanche plot DIR [--overlay DIR2 [--label NAME]]...\n"
    "\n"
    "Redraws every chart in DIR from its CSV files and config.resolved.cfg without simulating:\n"
    "the dashboard of a run directory (timeseries.csv), the stability chart of a sweep\n"
    "directory (regions.csv).\n"
    "\n"
    "  --overlay DIR2  draw another sweep over DIR's stability chart, e.g. the fluid model's\n"
    "                  (sweep --method fluid) over the simulated map: its P(stable) = 0.5\n"
    "                  boundary on the map, its P(stable) on a one-axis chart; the same swept\n"
    "                  keys, inside DIR's range; repeatable, up to 4; sweep directories only\n"
    "  --label NAME    the legend's name of the --overlay before it (default: \"fluid model\"\n"
    "                  for a fluid sweep, else DIR2's name)\n";

static const char keys_usage[] =
    "usage: avalanche keys [PATTERN] [--names | --man]\n"
    "\n"
    "Lists every config key whose dotted name matches PATTERN (a glob with * ? [...] on the\n"
    "whole name, else a substring; case ignored; none: every key): its type, unit, default and\n"
    "range, whether an intervention may set it during a run, and what it means (with the source\n"
    "of the default). Exit status 2 when no key matches.\n"
    "\n"
    "  --names   the names only, one a line (for scripts and shell completion)\n"
    "  --man     the keys as roff, the key reference of avalanche.cfg(5)\n";

/* The human summary (or --help, --version) went to stdout: a failed write is an I/O failure,
 * not a success (`avalanche run ... > /dev/full`). */
static int stdout_ok(int status)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return status;
    int saved = errno ? errno : EIO;
    if (status == EXIT_OK) {
        fprintf(stderr, "avalanche: cannot write to standard output: %s\n", strerror(saved));
        return EXIT_RUNTIME;
    }
    return status;
}

/* Loads the config with --set overrides and --seed. */
static int load(const cli *c, params *p, err *e)
{
    const char **sets = c->sets;
    int n = c->nsets;
    char seedset[96];
    if (c->seed) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(c->seed, &end, 10);
        if (errno || *end || c->seed[0] == '-' || c->seed[0] == '\0')
            return err_set(e, "--seed %s: expected a non-negative integer (got '%s')", c->seed,
                           c->seed);
        snprintf(seedset, sizeof seedset, "sim.seed=%llu", v);
        sets[n++] = seedset;
    }
    return config_load(p, c->config, sets, n, e);
}

/* --replication R: the random streams of replication R of a sweep point (with
 * common_random_numbers, the sweep default), so that one row of points.csv can be rerun alone. */
static int parse_replication(const char *text, uint64_t *rep, err *e)
{
    if (!text)
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || text[0] == '-' || text[0] == '\0' || v > UINT32_MAX)
        return err_set(e, "--replication %s: expected an integer in [0, 4294967295] (got '%s')",
                       text, text);
    *rep = v;
    return 0;
}

typedef struct run_ctx {
    const params *p;
    const run_output *o;
    const summary *s;
    double wall_s;
} run_ctx;

static void w_timeseries(FILE *f, const void *ctx)
{
    const run_ctx *r = ctx;
    stats_write_timeseries(f, r->p, r->o);
}

static void w_summary(FILE *f, const void *ctx)
{
    const run_ctx *r = ctx;
    stats_summary_header_run(f, r->p, r->o);
    stats_summary_row_run(f, r->s, r->p, r->o);
}

static void w_interventions(FILE *f, const void *ctx)
{
    const run_ctx *r = ctx;
    stats_write_interventions(f, r->p, r->o);
}

static void w_timing(FILE *f, const void *ctx)
{
    const run_ctx *r = ctx;
    fputs("events,wall_seconds,events_per_second,simulated_seconds_per_wall_second\n", f);
    fprintf(f, "%llu,", (unsigned long long)r->o->events);
    csv_num(f, r->wall_s);
    fputc(',', f);
    csv_num(f, r->wall_s > 0 ? (double)r->o->events / r->wall_s : NAN);
    fputc(',', f);
    csv_num(f, r->wall_s > 0 ? r->o->end_s / r->wall_s : NAN);
    fputc('\n', f);
}

typedef struct om_ctx {
    const table *ts;
    double epoch_s;
} om_ctx;

static void w_openmetrics(FILE *f, const void *ctx)
{
    const om_ctx *o = ctx;
    openmetrics_write(f, o->ts, o->epoch_s);
}

/* timeseries.om from the timeseries.csv just written, so that both hold the same numbers. */
static int write_openmetrics(const char *dir, const params *p, err *e)
{
    char *csv = path_join(dir, "timeseries.csv");
    table *t = table_read(csv, e);
    free(csv);
    if (!t)
        return -1;
    om_ctx o = {t, p->sim.epoch_s};
    int rc = afile_write(dir, "timeseries.om", w_openmetrics, &o, e);
    table_free(t);
    return rc;
}

static void w_config(FILE *f, const void *ctx)
{
    const run_ctx *r = ctx;
    config_dump_resolved(r->p, f);
}

static void w_provenance(FILE *f, const void *ctx)
{
    (void)ctx;
    version_csv(f);
}

static void fmt_num(char *buf, size_t n, double v, const char *unit)
{
    if (v != v)
        snprintf(buf, n, "-");
    else if (fabs(v) >= 1000 && fabs(v) < 1e9)
        snprintf(buf, n, "%.0f%s", v, unit); /* 1370 s, not 1.37e+03 s */
    else
        snprintf(buf, n, "%.3g%s", v, unit);
}

/* Draws the run dashboard from DIR/timeseries.csv and DIR/summary.csv-derived facts. */
static int draw_dashboard(const char *dir, const params *p, const summary *s, err *e)
{
    char setup[256], subtitle[768], rec[64];
    snprintf(setup, sizeof setup, "%d nodes, %s SA lookup, loopback %g qps / burst %d",
             p->cluster.nodes, sa_mode_name(p->apiserver.sa_lookup.mode), p->apiserver.loopback.qps,
             p->apiserver.loopback.burst);
    fmt_num(rec, sizeof rec, s->recovery_s, " s");
    if (p->trigger.kind == TRIGGER_NONE)
        snprintf(subtitle, sizeof subtitle, "%s · no trigger · class %s · seed %llu", setup,
                 run_class_name(s->cls), (unsigned long long)p->sim.seed);
    else {
        char span[48] = "";
        if (p->trigger.duration_s > 0.0)
            snprintf(span, sizeof span, " for %g s", p->trigger.duration_s);
        snprintf(subtitle, sizeof subtitle,
                 "%s · trigger %s at %g s%s · class %s · recovery %s · seed %llu", setup,
                 trigger_kind_name(p->trigger.kind), p->trigger.at_s, span, run_class_name(s->cls),
                 rec, (unsigned long long)p->sim.seed);
    }
    /* the interventions, as the run wrote them (none: no file) */
    char *ivs = path_join(dir, "interventions.csv");
    plot_mark *marks = NULL;
    int nmarks = p->ninterventions > 0 ? plot_read_interventions(ivs, &marks, e) : 0;
    free(ivs);
    if (nmarks < 0)
        return -1;
    plot_run_info info = {
        .title = config_title(p),
        .subtitle = subtitle,
        .mutating_cap = p->apiserver.max_mutating_requests_inflight * p->apiserver.replicas,
        .readonly_cap = p->apiserver.max_requests_inflight * p->apiserver.replicas,
        .trigger_start_s = p->trigger.kind == TRIGGER_NONE ? NAN : p->trigger.at_s,
        .trigger_end_s =
            p->trigger.kind == TRIGGER_NONE ? NAN : p->trigger.at_s + p->trigger.duration_s,
        .min_heartbeat_success = p->health.min_heartbeat_success,
        .min_scrape_success = p->health.min_scrape_success,
        .min_sa_success = p->health.min_sa_success,
        .marks = marks,
        .n_marks = nmarks,
        .width_pt = p->plot.width_pt,
        .height_pt = p->plot.height_pt,
    };
    char *csv = path_join(dir, "timeseries.csv");
    char *base = path_join(dir, "timeseries");
    int rc = plot_dashboard(csv, base, p->plot.formats, &info, e);
    plot_marks_free(marks, nmarks);
    free(csv);
    free(base);
    return rc;
}

static void print_summary(const params *p, const cli *c, const summary *s, const run_output *o,
                          double wall_s, const char *dir)
{
    char rec[64], a[32], b[32], d[32];
    fmt_num(rec, sizeof rec, s->recovery_s, " s");
    printf("avalanche run: %s (seed %llu)\n",
           c->config ? c->config : "built-in Kubernetes 1.12 defaults",
           (unsigned long long)p->sim.seed);
    printf("  class: %s, recovery time: %s (%s the %g s recovery window), health judged on: %s\n",
           run_class_name(s->cls), rec, s->within_window ? "within" : "not within",
           p->health.recovery_window_s, s->judged);
    if (s->cls == CLASS_UNRESOLVED) {
        fmt_num(rec, sizeof rec, s->projected_s, " s");
        printf("  still draining at the horizon (%g s): projected recovery time %s\n", s->end_s,
               rec);
    }
    fmt_num(a, sizeof a, s->work_end, "");
    fmt_num(b, sizeof b, s->work_rate_per_s, "/s");
    printf("  simulated to %g s; outstanding work at the end %s, trend %s\n", s->end_s, a, b);
    fmt_num(a, sizeof a, s->phase[PHASE_BASELINE].inflight_mut, "");
    fmt_num(b, sizeof b, s->phase[PHASE_TRIGGER].inflight_mut, "");
    fmt_num(d, sizeof d, s->phase[PHASE_RECOVERY].inflight_mut, "");
    if (o->apf_levels > 0)
        printf("  mutating inflight (APF, server concurrency %d): baseline %s, trigger %s, "
               "after %s\n",
               p->apiserver.max_requests_inflight + p->apiserver.max_mutating_requests_inflight, a,
               b, d);
    else
        printf("  mutating inflight (cap %d): baseline %s, trigger %s, after %s\n",
               p->apiserver.max_mutating_requests_inflight, a, b, d);
    if (o->apf_levels > 0) {
        /* the levels that rejected anything, with their 429s over the whole run */
        printf("  APF 429s by level:");
        int any = 0;
        for (int l = 0; l < o->apf_levels; l++) {
            double n = 0;
            for (size_t k = 0; k < o->nsamples; k++)
                n += o->apf[(k * (size_t)o->apf_levels + (size_t)l) * APF_SERIES_COUNT +
                            APF_S_REJECTED];
            if (n > 0)
                printf("%s %s %.0f", any++ ? "," : "", model_apf_level_name(p, l), n);
        }
        printf("%s\n", any ? "" : " none");
    }
    fmt_num(a, sizeof a, s->phase[PHASE_BASELINE].tr_timeouts_per_s, "/s");
    fmt_num(d, sizeof d, s->phase[PHASE_RECOVERY].tr_timeouts_per_s, "/s");
    printf("  TokenReview 504s: baseline %s, after %s; max NotReady nodes %g\n", a, d,
           s->max_not_ready);
    fmt_num(a, sizeof a, s->hb_ratio * 100, "%");
    fmt_num(b, sizeof b, s->scrape_ratio * 100, "%");
    printf("  heartbeat success %s, scrape success %s\n", a, b);
    if (p->ninterventions > 0) {
        intervention_outcome *r = xmalloc((size_t)p->ninterventions * sizeof *r);
        stats_interventions(p, o, r);
        for (int i = 0; i < p->ninterventions; i++) {
            char what[INTERVENTION_SETS_MAX * INTERVENTION_TEXT_MAX + 64];
            intervention_describe(&p->interventions[i], what, sizeof what);
            fmt_num(rec, sizeof rec, r[i].recovery_s, " s after it");
            printf("  at %g s, %s: %s\n", p->interventions[i].at_s, what,
                   r[i].recovered ? rec : "not recovered before the next step or the end");
        }
        free(r);
    }
    printf("  %llu events in %.2f s (%.2f M events/s)\n", (unsigned long long)o->events, wall_s,
           wall_s > 0 ? (double)o->events / wall_s / 1e6 : 0.0);
    printf("  wrote %s/\n", dir);
}

/* Every file `run` may write into its directory (the charts in each format). A run removes
 * all of them before it writes its own, so that a directory holds only files of its last run:
 * a chart in a format this run does not draw, interventions.csv of an earlier run with
 * interventions, a compare chart, the temporaries of an interrupted write. */
static const char *const run_outputs[] = {"config.resolved.cfg", "provenance.csv",
                                          "timeseries.csv",      "timeseries.om",
                                          "summary.csv",         "timing.csv",
                                          "interventions.csv",   "timeseries.png",
                                          "timeseries.svg",      "timeseries.pdf",
                                          "compare.png",         "compare.svg",
                                          "compare.pdf",         NULL};

/* A directory holding a sweep's results is not a run's: refuse it rather than mix the two. */
static int check_run_dir(const char *dir, err *e)
{
    static const char *const sweep_files[] = {"points.csv", "regions.csv", NULL};
    for (int i = 0; sweep_files[i]; i++) {
        char *path = path_join(dir, sweep_files[i]);
        struct stat st;
        int found = stat(path, &st) == 0;
        free(path);
        if (found)
            return err_set(e,
                           "--out %s: holds a sweep (%s); a run directory holds only one run's "
                           "files: use another --out",
                           dir, sweep_files[i]);
    }
    return 0;
}

/* Removes every run output (and its temporary DIR/.NAME.tmp) from dir. */
static int clear_run_dir(const char *dir, err *e)
{
    for (int i = 0; run_outputs[i]; i++) {
        char tmpname[128];
        snprintf(tmpname, sizeof tmpname, ".%s.tmp", run_outputs[i]);
        const char *names[2] = {run_outputs[i], tmpname};
        for (int j = 0; j < 2; j++) {
            char *path = path_join(dir, names[j]);
            int rc = unlink(path) == 0 || errno == ENOENT
                         ? 0
                         : err_set(e, "%s: cannot remove the earlier run's file: %s", path,
                                   strerror(errno));
            free(path);
            if (rc < 0)
                return -1;
        }
    }
    return 0;
}

/* The run's sample hook: classify_hook (the adaptive horizon), plus progress on stderr. Judging
 * may end at sim.duration, so that is the target first; a run still draining after it goes on to
 * the horizon, which becomes the target. */
typedef struct run_hook_ctx {
    classify *judge;
    const params *p;
    cli_progress pr;
} run_hook_ctx;

static void run_progress(run_hook_ctx *h, double t, int final)
{
    double d = h->p->sim.duration_s;
    int draining = t > d && classify_horizon(h->p) > d;
    cli_progress_update(&h->pr, draining ? "run (draining, up to sim.max_duration)" : "run", t,
                        draining ? classify_horizon(h->p) : d, "s", cli_wall_s(), final);
}

static int run_hook(void *ctx, const run_output *o)
{
    run_hook_ctx *h = ctx;
    int stop = classify_hook(h->judge, o);
    run_progress(h, o->samples[o->nsamples - 1].t, 0);
    return stop;
}

static int cmd_run(int argc, char **argv)
{
    if (cli_help(argc, argv)) {
        fputs(run_usage, stdout);
        return EXIT_OK;
    }
    err e;
    err_clear(&e);
    cli c;
    params p;
    uint64_t rep = 0;
    if (cli_parse(argc, argv, CLI_OUT | CLI_SEED | CLI_REP, &c, &e) != 0 || load(&c, &p, &e) != 0 ||
        parse_replication(c.replication, &rep, &e) != 0) {
        fprintf(stderr, "avalanche: %s\n", e.msg);
        cli_free(&c);
        return EXIT_USAGE;
    }
    const char *dir = c.out ? c.out : "results/run";
    if (dir_make(dir, &e) != 0 || check_run_dir(dir, &e) != 0) {
        fprintf(stderr, "avalanche: %s\n", e.msg);
        cli_free(&c);
        return EXIT_USAGE;
    }
    double t0 = cli_wall_s();
    run_output o;
    /* The adaptive horizon: from sim.duration on, the run stops once its class is certain; a
     * draining run goes on to sim.max_duration so that its recovery time is measured. */
    run_hook_ctx hc = {.judge = classify_new(&p), .p = &p};
    cli_progress_init(&hc.pr, stderr, isatty(STDERR_FILENO), c.quiet, t0);
    model_run(&p, rep, 0, run_hook, &hc, &o);
    if (hc.pr.printed)
        run_progress(&hc, o.end_s, 1);
    cli_progress_end(&hc.pr);
    classify_free(hc.judge);
    double wall_s = cli_wall_s() - t0;
    summary s;
    stats_summarize(&p, rep, &o, &s);
    run_ctx rc = {&p, &o, &s, wall_s};
    int status = EXIT_OK;
    if (clear_run_dir(dir, &e) != 0 ||
        afile_write(dir, "config.resolved.cfg", w_config, &rc, &e) != 0 ||
        afile_write(dir, "provenance.csv", w_provenance, &rc, &e) != 0 ||
        afile_write(dir, "timeseries.csv", w_timeseries, &rc, &e) != 0 ||
        write_openmetrics(dir, &p, &e) != 0 ||
        afile_write(dir, "summary.csv", w_summary, &rc, &e) != 0 ||
        afile_write(dir, "timing.csv", w_timing, &rc, &e) != 0 ||
        (p.ninterventions > 0 &&
         afile_write(dir, "interventions.csv", w_interventions, &rc, &e) != 0) ||
        draw_dashboard(dir, &p, &s, &e) != 0) {
        fprintf(stderr, "avalanche: %s\n", e.msg);
        status = EXIT_RUNTIME;
    }
    if (status == EXIT_OK && !c.quiet)
        print_summary(&p, &c, &s, &o, wall_s, dir);
    run_output_free(&o);
    cli_free(&c);
    return status;
}

static int cmd_check(int argc, char **argv)
{
    if (cli_help(argc, argv)) {
        fputs(check_usage, stdout);
        return stdout_ok(EXIT_OK);
    }
    err e;
    err_clear(&e);
    cli c;
    params p;
    if (cli_parse(argc, argv, 0, &c, &e) != 0 || load(&c, &p, &e) != 0) {
        fprintf(stderr, "avalanche: %s\n", e.msg);
        cli_free(&c);
        return EXIT_USAGE;
    }
    cli_free(&c);
    if (!c.config) {
        fputs("avalanche check: missing CONFIG\n", stderr);
        return EXIT_USAGE;
    }
    if (config_dump(&p, stdout) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "avalanche: cannot write to standard output: %s\n", strerror(errno));
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

/* Redraws the dashboard of a run directory from timeseries.csv and summary.csv. */
static int replot_run(const char *dir, const params *p, err *e)
{
    char *sum = path_join(dir, "summary.csv");
    table *t = table_read(sum, e);
    free(sum);
    if (!t)
        return -1;
    /* The dashboard's subtitle needs the class and recovery time: read them back. */
    summary s;
    memset(&s, 0, sizeof s);
    s.recovery_s = NAN;
    if (table_rows(t) > 0) {
        int cls = run_class_of(table_str(t, 0, table_col(t, metric_summary_name[SUM_CLASS])));
        if (cls >= 0)
            s.cls = (enum run_class)cls;
        s.recovery_s = table_num(t, 0, table_col(t, metric_summary_name[SUM_RECOVERY]));
    }
    table_free(t);
    return draw_dashboard(dir, p, &s, e);
}

static int cmd_plot(int argc, char **argv)
{
    if (cli_help(argc, argv)) {
        fputs(plot_usage, stdout);
        return stdout_ok(EXIT_OK);
    }
    err e;
    err_clear(&e);
    cli c;
    if (cli_parse(argc, argv, CLI_OVERLAY, &c, &e) != 0 || !c.config || c.nsets > 0) {
        if (!e.set)
            err_set(&e, c.nsets ? "--set: not an option of plot" : "missing DIR");
        fprintf(stderr, "avalanche plot: %s (usage: avalanche plot DIR [--overlay DIR2]...)\n",
                e.msg);
        cli_free(&c);
        return EXIT_USAGE;
    }
    const char *dir = c.config;
    params p;
    int run = path_is_file(dir, "timeseries.csv"), sweep = path_is_file(dir, "regions.csv");
    char *cfg = path_join(dir, "config.resolved.cfg");
    int bad = 0;
    if (!run && !sweep)
        bad = err_set(&e, "plot %s: no timeseries.csv or regions.csv to draw from", dir);
    else if (c.noverlays > 0 && !sweep)
        bad = err_set(&e,
                      "plot %s --overlay: a run directory has no map to draw over (overlays "
                      "are for sweep directories)",
                      dir);
    else
        bad = config_load(&p, cfg, NULL, 0, &e) != 0 ||
              sweep_overlays_check(&p, c.overlays, c.noverlays, &e) != 0;
    free(cfg);
    int rc = EXIT_OK;
    if (bad)
        rc = EXIT_USAGE;
    else if ((run && replot_run(dir, &p, &e) != 0) ||
             (sweep && sweep_draw_overlays(dir, &p, c.overlays, c.labels, c.noverlays, &e) != 0))
        rc = EXIT_RUNTIME;
    if (rc != EXIT_OK)
        fprintf(stderr, "avalanche: %s\n", e.msg);
    cli_free(&c);
    return rc;
}

static int cmd_keys(int argc, char **argv)
{
    if (cli_help(argc, argv)) {
        fputs(keys_usage, stdout);
        return stdout_ok(EXIT_OK);
    }
    const char *pattern = NULL;
    enum keydoc_format fmt = KEYDOC_TEXT;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--names") == 0) {
            fmt = KEYDOC_NAMES;
        } else if (strcmp(argv[i], "--man") == 0) {
            fmt = KEYDOC_MAN;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "avalanche keys: %s: unknown option (see avalanche keys --help)\n",
                    argv[i]);
            return EXIT_USAGE;
        } else if (pattern) {
            fprintf(stderr, "avalanche keys: %s: unexpected argument (one PATTERN at most)\n",
                    argv[i]);
            return EXIT_USAGE;
        } else {
            pattern = argv[i];
        }
    }
    int n = keydoc_print(stdout, pattern, fmt);
    if (n == 0) {
        fprintf(stderr, "avalanche keys: no key matches '%s' (avalanche keys lists them all)\n",
                pattern);
        return EXIT_USAGE;
    }
    return stdout_ok(EXIT_OK);
}

/* `avalanche help [COMMAND]`: the usage of one command, or the overview. */
static int cmd_help(int argc, char **argv);

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("avalanche: missing command (see avalanche --help)\n", stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage, stdout);
        return stdout_ok(EXIT_OK);
    }
    if (strcmp(cmd, "--version") == 0) {
        char line[256];
        printf("%s\n", version_line(line, sizeof line));
        return stdout_ok(EXIT_OK);
    }
    if (strcmp(cmd, "run") == 0)
        return stdout_ok(cmd_run(argc - 2, argv + 2));
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "sweep") == 0)
        return stdout_ok(sweep_command(argc - 2, argv + 2));
    if (strcmp(cmd, "plot") == 0)
        return cmd_plot(argc - 2, argv + 2);
    if (strcmp(cmd, "keys") == 0)
        return cmd_keys(argc - 2, argv + 2);
    if (strcmp(cmd, "compare") == 0)
        return stdout_ok(compare_command(argc - 2, argv + 2));
    if (strcmp(cmd, "capacity") == 0)
        return stdout_ok(capacity_command(argc - 2, argv + 2));
    if (strcmp(cmd, "merge") == 0)
        return stdout_ok(sweep_merge_command(argc - 2, argv + 2));
    if (strcmp(cmd, "help") == 0)
        return cmd_help(argc - 2, argv + 2);
    fprintf(stderr, "avalanche: unknown command '%s' (see avalanche --help)\n", cmd);
    return EXIT_USAGE;
}

static int cmd_help(int argc, char **argv)
{
    if (argc == 0 || cli_help(argc, argv)) {
        fputs(usage, stdout);
        return stdout_ok(EXIT_OK);
    }
    char *help[] = {"--help", NULL};
    const char *c = argv[0];
    if (argc > 1) {
        fputs("avalanche help: one COMMAND at most (see avalanche --help)\n", stderr);
        return EXIT_USAGE;
    }
    if (strcmp(c, "run") == 0)
        return stdout_ok(cmd_run(1, help));
    if (strcmp(c, "sweep") == 0)
        return stdout_ok(sweep_command(1, help));
    if (strcmp(c, "check") == 0)
        return cmd_check(1, help);
    if (strcmp(c, "plot") == 0)
        return cmd_plot(1, help);
    if (strcmp(c, "keys") == 0)
        return cmd_keys(1, help);
    if (strcmp(c, "compare") == 0)
        return stdout_ok(compare_command(1, help));
    if (strcmp(c, "capacity") == 0)
        return stdout_ok(capacity_command(1, help));
    if (strcmp(c, "merge") == 0)
        return stdout_ok(sweep_merge_command(1, help));
    if (strcmp(c, "help") == 0) {
        fputs(usage, stdout);
        return stdout_ok(EXIT_OK);
    }
    fprintf(stderr, "avalanche help: unknown command '%s' (see avalanche --help)\n", c);
    return EXIT_USAGE;
}
