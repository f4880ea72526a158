/* sweep_job: what every process of a sweep needs (L4): the options of `sweep`, interruption,
 * and running one (point, replication) job into its points.csv row (sweep_job.c). */
#ifndef AVALANCHE_SWEEP_JOB_H
#define AVALANCHE_SWEEP_JOB_H

#include "cli.h"
#include "err.h"
#include "params.h"
#include "sweep.h"
#include "sweep_files.h"

#include <signal.h>
#include <stdint.h>

/* The options of `sweep`: cli's, and --shard K/N and --dry-run, which only the sweep takes. */
typedef struct sweep_opts {
    cli c;
    unsigned shard_k, shard_n; /* --shard K/N; shard_n = 0: the whole grid */
    int dry_run;
    int fluid;   /* --method fluid: the fluid model classifies the grid (sweep_fluid.h) */
    char **rest; /* argv without --shard and --dry-run, for cli_parse */
} sweep_opts;

/* Parses argv (after "sweep"). Returns 0, or -1 with e naming the argument. sweep_opts_free
 * releases o, also after an error. */
int sweep_opts_parse(int argc, char **argv, sweep_opts *o, err *e);
void sweep_opts_free(sweep_opts *o);
/* Loads CONFIG with the --set overrides, and checks the options against it (--shard with
 * refine > 0 is refused). Returns 0, or -1 with e set (a usage or config error: exit 2). */
int sweep_opts_load(const sweep_opts *o, params *p, err *e);

/* One (point, replication) as it is handed out. */
typedef struct sweep_job {
    uint64_t task; /* point x replications + replication */
    sweep_point pt;
} sweep_job;

/* Runs job j with p (the base params with the point's axis values: sweep_point_apply) and fills
 * out, its row included (out->line, the caller's). Returns 0, or 1 when the sweep was interrupted
 * (sweep_signal) during the run: nothing filled. Thread-safe. */
int sweep_job_run(const params *p, const sweep_job *j, sweep_result *out);

/* ---- interruption ---- */

/* Catches SIGINT and SIGTERM (old: the dispositions to restore). */
void sweep_signals_catch(struct sigaction old[2]);
void sweep_signals_restore(const struct sigaction old[2]);
/* The signal that interrupted the sweep, or 0. */
int sweep_signal(void);
/* Interrupts the sweep as if sig had arrived (sig = 0: clears). */
void sweep_interrupt(int sig);

#endif
