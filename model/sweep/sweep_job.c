/* sweep_job: what every process of a sweep needs (L4): the options, interruption by SIGINT or
 * SIGTERM, and running one (point, replication) job into its points.csv row. The driver is in
 * sweep_run.c; MPI ranks other than 0 use only this. */
#include "sweep_job.h"

#include "classify.h"
#include "cli.h"
#include "config.h"
#include "stats.h"
#include "xmem.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- interruption ---------------------------------------------------------------------------- */

/* The only global: the signal that interrupted the sweep, set by the handler (or by an MPI rank
 * told so by another), read by the runs' hooks and the back-ends. */
static volatile sig_atomic_t sweep_interrupted;

static void on_signal(int sig)
{
    sweep_interrupted = sig;
}

void sweep_signals_catch(struct sigaction old[2])
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old[0]);
    sigaction(SIGTERM, &sa, &old[1]);
}

void sweep_signals_restore(const struct sigaction old[2])
{
    sigaction(SIGINT, &old[0], NULL);
    sigaction(SIGTERM, &old[1], NULL);
}

int sweep_signal(void)
{
    return sweep_interrupted;
}

void sweep_interrupt(int sig)
{
    sweep_interrupted = sig;
}

/* ---- options ----------------------------------------------------------------------------------
 */

static int parse_shard(const char *v, unsigned *k, unsigned *n, err *e)
{
    char *end;
    errno = 0;
    unsigned long kk = strtoul(v, &end, 10), nn = 0;
    int ok = errno == 0 && end != v && *end == '/' && v[0] != '-';
    if (ok) {
        const char *s = end + 1;
        nn = strtoul(s, &end, 10);
        ok = errno == 0 && end != s && *end == '\0' && s[0] != '-';
    }
    if (!ok || kk < 1 || kk > nn || nn > 1000000)
        return err_set(e, "--shard %s: expected K/N with 1 <= K <= N <= 1000000 (got '%s')", v, v);
    *k = (unsigned)kk;
    *n = (unsigned)nn;
    return 0;
}

int sweep_opts_parse(int argc, char **argv, sweep_opts *o, err *e)
{
    memset(o, 0, sizeof *o);
    o->rest = xcalloc((size_t)argc + 1, sizeof *o->rest);
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--dry-run") == 0) {
            o->dry_run = 1;
        } else if (strcmp(a, "--shard") == 0 || strncmp(a, "--shard=", 8) == 0) {
            const char *v = a[7] == '=' ? a + 8 : NULL;
            if (!v && i + 1 >= argc)
                return err_set(e, "--shard: missing value");
            if (!v)
                v = argv[++i];
            if (parse_shard(v, &o->shard_k, &o->shard_n, e) < 0)
                return -1;
        } else if (strcmp(a, "--method") == 0 || strncmp(a, "--method=", 9) == 0) {
            const char *v = a[8] == '=' ? a + 9 : NULL;
            if (!v && i + 1 >= argc)
                return err_set(e, "--method: missing value (des or fluid)");
            if (!v)
                v = argv[++i];
            if (strcmp(v, "fluid") == 0)
                o->fluid = 1;
            else if (strcmp(v, "des") == 0)
                o->fluid = 0;
            else
                return err_set(e, "--method: expected des or fluid (got \"%s\")", v);
        } else {
            o->rest[nrest++] = argv[i];
        }
    }
    return cli_parse(nrest, o->rest, CLI_OUT | CLI_JOBS | CLI_RESUME, &o->c, e);
}

void sweep_opts_free(sweep_opts *o)
{
    cli_free(&o->c);
    free(o->rest);
    o->rest = NULL;
}

int sweep_opts_load(const sweep_opts *o, params *p, err *e)
{
    if (!o->c.config)
        return err_set(e, "missing CONFIG");
    if (config_load(p, o->c.config, o->c.sets, o->c.nsets, e) < 0)
        return -1;
    /* A level is planned from the results of all the levels before it: static parts of the grid
     * can only be cut once those are in, which is what MPI's dynamic hand-out does. */
    if (o->shard_n > 0 && p->sweep.refine > 0)
        return err_set(e,
                       "--shard %u/%u: sweep.refine = %d: refined levels are planned from every "
                       "earlier result, which no single shard has; use --set sweep.refine=0, or "
                       "run the refined sweep across machines with mpirun avalanche-mpi",
                       o->shard_k, o->shard_n, p->sweep.refine);
    return 0;
}

/* ---- one job --------------------------------------------------------------------------------- */

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

int sweep_job_run(const params *p, const sweep_job *j, sweep_result *out)
{
    uint64_t reps = (uint64_t)p->sweep.replications;
    uint64_t k = j->task / reps, rep = j->task % reps;
    hook_ctx hc = {classify_new(p), 0};
    run_output o;
    double t0 = cli_wall_s();
    model_run(p, rep, p->sweep.common_random_numbers ? 0 : k, run_hook, &hc, &o);
    classify_free(hc.c);
    if (hc.interrupted) {
        run_output_free(&o);
        return 1;
    }
    summary s;
    stats_summarize(p, rep, &o, &s);
    run_output_free(&o);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    sweep_row_prefix(m, p, (size_t)k, &j->pt);
    stats_summary_row(m, &s);
    fclose(m);
    memset(out, 0, sizeof *out);
    out->task = j->task;
    out->done = 1;
    out->cls = s.cls;
    out->stopped_early = s.stopped_early;
    out->within_window = s.within_window;
    out->recovery_s = s.recovery_s;
    out->m[SWEEP_M_INFLIGHT_MUT_RECOVERY] = s.phase[PHASE_RECOVERY].inflight_mut;
    out->m[SWEEP_M_TR_TIMEOUTS_RECOVERY] = s.phase[PHASE_RECOVERY].tr_timeouts_per_s;
    out->m[SWEEP_M_HB_RATIO] = s.hb_ratio;
    out->m[SWEEP_M_MAX_NOT_READY] = s.max_not_ready;
    out->wall_s = cli_wall_s() - t0;
    out->line = buf;
    return 0;
}
