/* capacity_run: `avalanche capacity CONFIG...`: the capacity group's search on the simulator, for
 * one config or several side by side; capacity.csv, probes.csv, the chart (L4). */
#include "capacity.h"

#include "classify.h"
#include "cli.h"
#include "config.h"
#include "csv.h"
#include "model.h"
#include "plot.h"
#include "stats.h"
#include "version.h"
#include "xmem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CAPACITY_CONFIGS_MAX 8

static const char usage[] =
    "usage: avalanche capacity CONFIG... [--set KEY=VALUE]... [-j N] [--out DIR] [--quiet]\n"
    "\n"
    "The largest value of capacity.key at which a run still recovers (class stable) with\n"
    "probability capacity.target, shown at capacity.confidence: bisection between\n"
    "capacity.from (safe) and capacity.to (unsafe), each probe run in batches of\n"
    "capacity.batch replications until its Clopper-Pearson interval is above or below the\n"
    "target (or capacity.max_runs). Several CONFIGs (versions, mitigations) are searched one\n"
    "after the other and drawn side by side. Writes capacity.csv (one row per config),\n"
    "probes.csv, the resolved configs and capacity.{png,svg,pdf} to DIR (default\n"
    "results/capacity). Exit status: 0 ok, 1 runtime failure, 2 usage or config error.\n";

typedef struct des_probe {
    const params *p;
    err e;
} des_probe;

/* One replication at value v of the searched key: 1 if it recovered (stable). */
static int des_run(void *ctx, double v, uint64_t rep)
{
    des_probe *d = ctx;
    params *q = xmalloc(sizeof *q);
    *q = *d->p;
    err e;
    err_clear(&e);
    int rc = -1;
    if (config_set_number(q, q->capacity.key, v, "capacity probe", &e) == 0 &&
        config_validate(q, &e) == 0) {
        run_output o;
        classify *c = classify_new(q);
        model_run(q, rep, 0, classify_hook, c, &o);
        classify_free(c);
        summary s;
        stats_summarize(q, rep, &o, &s);
        run_output_free(&o);
        rc = s.cls == CLASS_STABLE;
    }
    free(q);
    return rc;
}

static const char *verdict_name(int v)
{
    return v == CAPACITY_SAFE ? "safe" : v == CAPACITY_UNSAFE ? "unsafe" : "undecided";
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static void write_capacity(FILE *f, const params *ps, const capacity_result *rs,
                           const char *const *names, int n)
{
    fputs("config,key,answer,safe_value,unsafe_value,p_stable_safe,p_stable_safe_lo,"
          "p_stable_safe_hi,p_stable_unsafe,p_stable_unsafe_lo,p_stable_unsafe_hi,below_range,"
          "above_range,contradictions,probes,runs,target,confidence,note\n",
          f);
    for (int i = 0; i < n; i++) {
        const capacity_result *r = &rs[i];
        const capacity_probe *sp = NULL, *up = NULL;
        for (int k = 0; k < r->nprobes; k++) {
            if (r->probes[k].v == r->safe_v)
                sp = &r->probes[k];
            if (r->probes[k].v == r->unsafe_v)
                up = &r->probes[k];
        }
        csv_str(f, names[i]);
        fputc(',', f);
        csv_str(f, ps[i].capacity.key);
        double v[] = {r->answer,        r->safe_v,         r->unsafe_v,
                      sp ? sp->p : NAN, sp ? sp->lo : NAN, sp ? sp->hi : NAN,
                      up ? up->p : NAN, up ? up->lo : NAN, up ? up->hi : NAN};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
            fputc(',', f);
            csv_num(f, v[k]);
        }
        fprintf(f, ",%d,%d,%d,%d,%u,", r->below_range, r->above_range, r->contradictions,
                r->nprobes, r->runs);
        csv_num(f, ps[i].capacity.target);
        fputc(',', f);
        csv_num(f, ps[i].capacity.confidence);
        fputc(',', f);
        csv_str(f, r->note);
        fputc('\n', f);
    }
}

static void write_probes(FILE *f, const capacity_result *rs, const char *const *names, int n)
{
    fputs("config,index,value,runs,stable,p_stable,p_stable_lo,p_stable_hi,verdict\n", f);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < rs[i].nprobes; k++) {
            const capacity_probe *p = &rs[i].probes[k];
            csv_str(f, names[i]);
            fprintf(f, ",%d,", k);
            csv_num(f, p->v);
            fprintf(f, ",%u,%u,", p->n, p->k);
            csv_num(f, p->p);
            fputc(',', f);
            csv_num(f, p->lo);
            fputc(',', f);
            csv_num(f, p->hi);
            fprintf(f, ",%s\n", verdict_name(p->verdict));
        }
}

typedef struct out_ctx {
    const params *ps;
    const capacity_result *rs;
    const char *const *names;
    int n, which;
} out_ctx;

static void w_capacity(FILE *f, const void *c)
{
    const out_ctx *o = c;
    write_capacity(f, o->ps, o->rs, o->names, o->n);
}

static void w_probes(FILE *f, const void *c)
{
    const out_ctx *o = c;
    write_probes(f, o->rs, o->names, o->n);
}

static void w_config(FILE *f, const void *c)
{
    const out_ctx *o = c;
    config_dump_resolved(&o->ps[o->which], f);
}

static void w_provenance(FILE *f, const void *c)
{
    (void)c;
    version_csv(f);
}

int capacity_command(int argc, char **argv)
{
    if (cli_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    err e;
    err_clear(&e);
    cli o;
    int status = 0;
    params *ps = NULL;
    capacity_result *rs = NULL;
    if (cli_parse(argc, argv, CLI_OUT | CLI_JOBS | CLI_MULTI, &o, &e) < 0 ||
        (!o.config && err_set(&e, "missing CONFIG") < 0) ||
        (o.nconfigs > CAPACITY_CONFIGS_MAX && err_set(&e, "expected at most %d CONFIGs (got %d)",
                                                      CAPACITY_CONFIGS_MAX, o.nconfigs) < 0)) {
        fprintf(stderr, "avalanche capacity: %s\n", e.msg);
        cli_free(&o);
        return 2;
    }
    int n = o.nconfigs;
    ps = xcalloc((size_t)n, sizeof *ps);
    rs = xcalloc((size_t)n, sizeof *rs);
    const char *names[CAPACITY_CONFIGS_MAX];
    for (int i = 0; i < n; i++) {
        names[i] = base_name(o.configs[i]);
        if (config_load(&ps[i], o.configs[i], o.sets, o.nsets, &e) < 0 ||
            (!ps[i].capacity.key[0] &&
             err_set(&e,
                     "%s: capacity.key: expected the key to search (got none); add a capacity "
                     "group, e.g. capacity = { key = \"cluster.nodes\"; from = 500.0; to = "
                     "20000.0; };",
                     o.configs[i]) < 0)) {
            fprintf(stderr, "avalanche capacity: %s\n", e.msg);
            status = 2;
            goto done;
        }
    }
    const char *dir = o.out ? o.out : "results/capacity";
    if (dir_make(dir, &e) < 0) {
        fprintf(stderr, "avalanche capacity: %s\n", e.msg);
        status = 2;
        goto done;
    }
    int jobs = o.jobs;
    if (jobs <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = c > 0 ? (int)c : 1;
    }
    double t0 = cli_wall_s();
    for (int i = 0; i < n; i++) {
        const params *p = &ps[i];
        int is_int;
        config_key_numeric(p->capacity.key, &is_int, &e);
        capacity_spec s = {.from = p->capacity.from,
                           .to = p->capacity.to,
                           .is_int = is_int,
                           .tol = p->capacity.tolerance,
                           .decreasing = p->capacity.to > p->capacity.from,
                           .target = p->capacity.target,
                           .confidence = p->capacity.confidence,
                           .batch = p->capacity.batch,
                           .max_runs = p->capacity.max_runs,
                           .max_probes = CAPACITY_PROBES_MAX};
        des_probe d = {.p = p};
        if (capacity_search(&s, des_run, &d, jobs, &rs[i], &e) < 0) {
            fprintf(stderr, "avalanche capacity: %s: %s\n", o.configs[i], e.msg);
            status = 1;
            goto done;
        }
        if (!o.quiet) {
            const capacity_result *r = &rs[i];
            char ans[128];
            if (isnan(r->answer))
                snprintf(ans, sizeof ans, "none (even %g is not safe)", s.from);
            else if (r->above_range)
                snprintf(ans, sizeof ans, "%s %.17g", s.decreasing ? ">=" : "<=", r->answer);
            else {
                int uv = CAPACITY_UNSAFE;
                for (int k = 0; k < r->nprobes; k++)
                    if (r->probes[k].v == r->unsafe_v)
                        uv = r->probes[k].verdict;
                snprintf(ans, sizeof ans, "%.17g (next probe %.17g %s)", r->answer, r->unsafe_v,
                         verdict_name(uv));
            }
            printf("avalanche capacity: %s: %s: %s; %d probes, %u runs%s%s\n", o.configs[i],
                   p->capacity.key, ans, r->nprobes, r->runs, r->note[0] ? "; " : "", r->note);
        }
    }
    out_ctx oc = {.ps = ps, .rs = rs, .names = names, .n = n};
    if (afile_write(dir, "capacity.csv", w_capacity, &oc, &e) < 0 ||
        afile_write(dir, "probes.csv", w_probes, &oc, &e) < 0 ||
        afile_write(dir, "provenance.csv", w_provenance, &oc, &e) < 0) {
        fprintf(stderr, "avalanche capacity: %s\n", e.msg);
        status = 1;
        goto done;
    }
    for (int i = 0; i < n; i++) {
        char name[256];
        snprintf(name, sizeof name, n == 1 ? "config.resolved.cfg" : "%.200s.resolved.cfg",
                 names[i]);
        oc.which = i;
        if (afile_write(dir, name, w_config, &oc, &e) < 0) {
            fprintf(stderr, "avalanche capacity: %s\n", e.msg);
            status = 1;
            goto done;
        }
    }
    char label[160], sub[256];
    config_key_label(ps[0].capacity.key, label, sizeof label);
    snprintf(sub, sizeof sub, "target P(stable) %g at %g %% confidence; %s", ps[0].capacity.target,
             100 * ps[0].capacity.confidence,
             n == 1 ? "probes with 95 % Clopper-Pearson bars" : "answers side by side");
    char *probes = path_join(dir, "probes.csv"), *base = path_join(dir, "capacity");
    double answers[CAPACITY_CONFIGS_MAX];
    char lab[CAPACITY_CONFIGS_MAX][160];
    const char *labels[CAPACITY_CONFIGS_MAX];
    for (int i = 0; i < n; i++) {
        answers[i] = rs[i].answer;
        /* the legend: the config's name without .cfg, and its answer */
        int len = (int)strlen(names[i]);
        if (len > 4 && strcmp(names[i] + len - 4, ".cfg") == 0)
            len -= 4;
        if (isnan(rs[i].answer))
            snprintf(lab[i], sizeof lab[i], "%.*s: none (even %g unsafe)", len, names[i],
                     ps[i].capacity.from);
        else
            snprintf(lab[i], sizeof lab[i], "%.*s: %s%.6g", len, names[i],
                     rs[i].above_range ? (ps[i].capacity.to > ps[i].capacity.from ? "≥ " : "≤ ")
                                       : "",
                     rs[i].answer);
        labels[i] = lab[i];
    }
    char title[128];
    snprintf(title, sizeof title, "capacity: %d configs", n);
    plot_capacity_info info = {.title = n == 1 ? config_title(&ps[0]) : title,
                               .labels = labels,
                               .subtitle = sub,
                               .x_label = label,
                               .target = ps[0].capacity.target,
                               .names = names,
                               .answers = answers,
                               .n = n,
                               .width_pt = ps[0].plot.width_pt,
                               .height_pt = ps[0].plot.height_pt};
    int rc = plot_capacity(probes, base, ps[0].plot.formats, &info, &e);
    free(probes);
    free(base);
    if (rc < 0) {
        fprintf(stderr, "avalanche capacity: %s\n", e.msg);
        status = 1;
        goto done;
    }
    if (!o.quiet)
        printf("  %.1f s; wrote %s/\n", cli_wall_s() - t0, dir);
done:
    free(ps);
    free(rs);
    cli_free(&o);
    return status;
}
