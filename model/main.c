/* main: the avalanche command line (L4). The only place that picks exit codes:
 * 0 success, 1 runtime failure (I/O), 2 usage or config error. */
#include "classify.h"
#include "cli.h"
#include "config.h"
#include "csv.h"
#include "err.h"
#include "model.h"
#include "params.h"
#include "plot.h"
#include "stats.h"
#include "sweep.h"
#include "table.h"
#include "xmem.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AVALANCHE_VERSION "0.1.0"

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
    "  avalanche run   [CONFIG] [--set KEY=VALUE]... [--seed N] [--replication R] [--out DIR]\n"
    "                  [--quiet]\n"
    "  avalanche sweep CONFIG [--set KEY=VALUE]... [-j N] [--out DIR] [--resume] [--quiet]\n"
    "  avalanche plot  DIR\n"
    "  avalanche check CONFIG [--set KEY=VALUE]...\n"
    "  avalanche --help | --version\n"
    "\n"
    "run     simulate CONFIG (default: the built-in Kubernetes 1.12 incident) and write\n"
    "        timeseries.csv, summary.csv, timing.csv, config.resolved.cfg and the dashboard\n"
    "        chart to DIR (default results/run)\n"
    "sweep   run the grid of CONFIG's sweep group with replications in parallel and write\n"
    "        points.csv, regions.csv, config.resolved.cfg and the stability chart to DIR\n"
    "        (default results/sweep); --resume continues an interrupted sweep\n"
    "plot    redraw every chart in DIR from its CSV files\n"
    "check   validate CONFIG and print the fully resolved config\n"
    "\n"
    "Exit status: 0 ok, 1 runtime failure, 2 usage or config error.\n";

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

/* Writes one output file atomically with a writer callback. */
typedef void (*writer)(FILE *f, const void *ctx);

static int write_file(const char *dir, const char *name, writer w, const void *ctx, err *e)
{
    char *path = path_join(dir, name);
    afile a;
    int rc = afile_open(&a, path, e);
    if (rc == 0) {
        w(a.f, ctx);
        rc = afile_commit(&a, e);
    }
    free(path);
    return rc;
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
    stats_summary_header(f);
    stats_summary_row(f, r->s);
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

static void w_config(FILE *f, const void *ctx)
{
    const run_ctx *r = ctx;
    config_dump(r->p, f);
}

static void fmt_num(char *buf, size_t n, double v, const char *unit)
{
    if (v != v)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.3g%s", v, unit);
}

/* Draws the run dashboard from DIR/timeseries.csv and DIR/summary.csv-derived facts. */
static int draw_dashboard(const char *dir, const params *p, const summary *s, err *e)
{
    char title[256], subtitle[512], rec[64];
    snprintf(title, sizeof title, "avalanche: %d nodes, %s SA lookup, loopback %g qps / burst %d",
             p->cluster.nodes, sa_mode_name(p->apiserver.sa_lookup.mode), p->apiserver.loopback.qps,
             p->apiserver.loopback.burst);
    fmt_num(rec, sizeof rec, s->recovery_s, " s");
    if (p->trigger.kind == TRIGGER_NONE)
        snprintf(subtitle, sizeof subtitle, "no trigger · class %s · seed %llu",
                 run_class_name(s->cls), (unsigned long long)p->sim.seed);
    else {
        char span[48] = "";
        if (p->trigger.duration_s > 0.0)
            snprintf(span, sizeof span, " for %g s", p->trigger.duration_s);
        snprintf(subtitle, sizeof subtitle,
                 "trigger %s at %g s%s · class %s · recovery %s · seed %llu",
                 trigger_kind_name(p->trigger.kind), p->trigger.at_s, span, run_class_name(s->cls),
                 rec, (unsigned long long)p->sim.seed);
    }
    plot_run_info info = {
        title,
        subtitle,
        p->apiserver.max_mutating_requests_inflight,
        p->apiserver.max_requests_inflight,
        p->trigger.kind == TRIGGER_NONE ? NAN : p->trigger.at_s,
        p->trigger.kind == TRIGGER_NONE ? NAN : p->trigger.at_s + p->trigger.duration_s};
    char *csv = path_join(dir, "timeseries.csv");
    char *base = path_join(dir, "timeseries");
    int rc = plot_dashboard(csv, base, p->plot.formats, &info, e);
    free(csv);
    free(base);
    return rc;
}

static void print_summary(const params *p, const cli *c, const summary *s, const run_output *o,
                          double wall_s, const char *dir)
{
    char rec[64], a[32], b[32], d[32];
    fmt_num(rec, sizeof rec, s->recovery_s, " s");
    printf("avalanche run: %s (seed %llu)\n", c->config ? c->config : "built-in defaults",
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
    printf("  mutating inflight (cap %d): baseline %s, trigger %s, after %s\n",
           p->apiserver.max_mutating_requests_inflight, a, b, d);
    fmt_num(a, sizeof a, s->phase[PHASE_BASELINE].tr_timeouts_per_s, "/s");
    fmt_num(d, sizeof d, s->phase[PHASE_RECOVERY].tr_timeouts_per_s, "/s");
    printf("  TokenReview 504s: baseline %s, after %s; max NotReady nodes %g\n", a, d,
           s->max_not_ready);
    fmt_num(a, sizeof a, s->hb_ratio * 100, "%");
    fmt_num(b, sizeof b, s->scrape_ratio * 100, "%");
    printf("  heartbeat success %s, scrape success %s\n", a, b);
    printf("  %llu events in %.2f s (%.2f M events/s)\n", (unsigned long long)o->events, wall_s,
           wall_s > 0 ? (double)o->events / wall_s / 1e6 : 0.0);
    printf("  wrote %s/\n", dir);
}

static int cmd_run(int argc, char **argv)
{
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
    if (dir_make(dir, &e) != 0) {
        fprintf(stderr, "avalanche: %s\n", e.msg);
        cli_free(&c);
        return EXIT_USAGE;
    }
    double t0 = cli_wall_s();
    run_output o;
    /* The adaptive horizon: from sim.duration on, the run stops once its class is certain; a
     * draining run goes on to sim.max_duration so that its recovery time is measured. */
    classify *judge = classify_new(&p);
    model_run(&p, rep, 0, classify_hook, judge, &o);
    classify_free(judge);
    double wall_s = cli_wall_s() - t0;
    summary s;
    stats_summarize(&p, rep, &o, &s);
    run_ctx rc = {&p, &o, &s, wall_s};
    int status = EXIT_OK;
    if (write_file(dir, "config.resolved.cfg", w_config, &rc, &e) != 0 ||
        write_file(dir, "timeseries.csv", w_timeseries, &rc, &e) != 0 ||
        write_file(dir, "summary.csv", w_summary, &rc, &e) != 0 ||
        write_file(dir, "timing.csv", w_timing, &rc, &e) != 0 ||
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
        int cls = run_class_of(table_str(t, 0, table_col(t, "class")));
        if (cls >= 0)
            s.cls = (enum run_class)cls;
        s.recovery_s = table_num(t, 0, table_col(t, "recovery_time"));
    }
    table_free(t);
    return draw_dashboard(dir, p, &s, e);
}

static int file_exists(const char *dir, const char *name)
{
    char *path = path_join(dir, name);
    struct stat st;
    int ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return ok;
}

static int cmd_plot(int argc, char **argv)
{
    if (argc != 1 || argv[0][0] == '-') {
        fputs("usage: avalanche plot DIR\n", stderr);
        return EXIT_USAGE;
    }
    const char *dir = argv[0];
    err e;
    err_clear(&e);
    params p;
    int run = file_exists(dir, "timeseries.csv"), sweep = file_exists(dir, "regions.csv");
    if (!run && !sweep) {
        fprintf(stderr, "avalanche: plot %s: no timeseries.csv or regions.csv to draw from\n", dir);
        return EXIT_USAGE;
    }
    char *cfg = path_join(dir, "config.resolved.cfg");
    int rc = config_load(&p, cfg, NULL, 0, &e);
    free(cfg);
    if (rc != 0) {
        fprintf(stderr, "avalanche: %s\n", e.msg);
        return EXIT_USAGE;
    }
    if ((run && replot_run(dir, &p, &e) != 0) || (sweep && sweep_draw(dir, dir, &p, &e) != 0)) {
        fprintf(stderr, "avalanche: %s\n", e.msg);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

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

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("avalanche: missing command (see avalanche --help)\n", stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return stdout_ok(EXIT_OK);
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("avalanche %s\n", AVALANCHE_VERSION);
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
    if (strcmp(cmd, "merge") == 0)
        return stdout_ok(sweep_merge_command(argc - 2, argv + 2));
    fprintf(stderr, "avalanche: unknown command '%s' (see avalanche --help)\n", cmd);
    return EXIT_USAGE;
}
