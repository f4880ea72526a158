/* sweep_run: the sweep driver and the executor seam (L4). The driver plans the grid level by
 * level, owns the results, writes points.csv in (point, replication) order as the complete
 * prefix grows, and writes regions.csv, cells.csv and the chart at the end. A back-end (an
 * executor) only runs jobs: worker threads in this process (sweep_run.c) or MPI ranks
 * (sweep_mpi.c), as Redis puts ae_epoll.c behind aeApi*. Either way the bytes are the same. */
#ifndef AVALANCHE_SWEEP_RUN_H
#define AVALANCHE_SWEEP_RUN_H

#include "cli.h"
#include "err.h"
#include "params.h"
#include "sweep.h"
#include "sweep_files.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The options of `sweep`: cli's, and --shard K/N and --dry-run, which only the sweep takes. */
typedef struct sweep_opts {
    cli c;
    unsigned shard_k, shard_n; /* --shard K/N; shard_n = 0: the whole grid */
    int dry_run;
    char **rest; /* argv without --shard and --dry-run, for cli_parse */
} sweep_opts;

/* Parses argv (after "sweep"). Returns 0, or -1 with e naming the argument. sweep_opts_free
 * releases o, also after an error. */
int sweep_opts_parse(int argc, char **argv, sweep_opts *o, err *e);
void sweep_opts_free(sweep_opts *o);
/* Loads CONFIG with the --set overrides, and checks the options against it (--shard with
 * refine > 0 is refused). Returns 0, or -1 with e set (a usage or config error: exit 2). */
int sweep_opts_load(const sweep_opts *o, params *p, err *e);

/* --dry-run: prints the coarse grid with its axis values, the number of runs and an estimated
 * wall time on `threads` workers; writes nothing. prog names the command in messages. Returns
 * the exit status (0, or 2 on a bad axis). */
int sweep_dry_run(const sweep_opts *o, const params *p, int threads, const char *prog);
/* Estimated wall seconds of one run of p stopping at horizon_s on one core of the development
 * machine (see sweep_run.c for the calibration). */
double sweep_estimate_run_s(const params *p, double horizon_s);

/* One (point, replication) as it is handed out. */
typedef struct sweep_job {
    uint64_t task; /* point x replications + replication */
    sweep_point pt;
} sweep_job;

/* Runs job j with p (the base params with the point's axis values: sweep_point_apply) and fills
 * out, its row included (out->line, the caller's). Returns 0, or 1 when the sweep was interrupted
 * (sweep_signal) during the run: nothing filled. Thread-safe. */
int sweep_job_run(const params *p, const sweep_job *j, sweep_result *out);

/* ---- the driver ---- */

typedef struct sweep_driver sweep_driver;

/* A back-end. */
typedef struct sweep_exec sweep_exec;
struct sweep_exec {
    /* Runs the driver's current level: takes jobs (sweep_driver_take) and hands back results
     * (sweep_driver_put) until the level is done, or, once the driver is stopping, until every
     * job it took is put or abandoned. Returns 0, or -1 with e set (a runtime failure). */
    int (*run_level)(sweep_exec *x, sweep_driver *d, err *e);
    /* After the last level (status: the exit status so far): lets the workers go. May be NULL. */
    void (*finish)(sweep_exec *x, int status);
    /* Extra lines of the human summary (e.g. messages per run). May be NULL. */
    void (*report)(sweep_exec *x, FILE *f, size_t runs);
    int threads;            /* worker threads in all, for the summary */
    const char *resume_cmd; /* how to continue: "avalanche sweep", "mpirun ... avalanche-mpi ..." */
};

/* Builds the grid of p (kept, not copied), checks and prepares DIR (--out, default
 * results/sweep): refuses a DIR holding a sweep of another config or another shard, reads the
 * rows to keep with --resume, writes config.resolved.cfg (and a shard's shard.csv) and opens
 * points.csv. prog prefixes messages ("avalanche sweep"). On failure prints the message and
 * returns NULL with *status set. */
sweep_driver *sweep_driver_new(const sweep_opts *o, const params *p, const char *prog, int *status);
/* Runs every level on x, then writes regions.csv, cells.csv and the chart (a shard writes none:
 * merge does) and prints the summary. Catches SIGINT and SIGTERM meanwhile; a signal caught
 * before (sweep_signal) counts too, so clear it first with sweep_interrupt(0). Returns the exit
 * status: 0, 1 runtime failure, 2 rows that do not fit the sweep, 128 + signal when interrupted
 * (every finished row kept; the message says how to resume). */
int sweep_driver_run(sweep_driver *d, sweep_exec *x);
void sweep_driver_free(sweep_driver *d); /* NULL is a no-op */

/* For back-ends; all thread-safe. */
/* Hands out up to max jobs of the current level, in task order. Returns how many: 0 when none is
 * left to hand out (the level may still wait for results) or the driver is stopping. */
size_t sweep_driver_take(sweep_driver *d, sweep_job *jobs, size_t max);
/* Stores a finished job (taking r->line) and writes the complete prefix of points.csv. */
void sweep_driver_put(sweep_driver *d, sweep_result *r);
/* n jobs taken will not come back (interrupted). */
void sweep_driver_abandon(sweep_driver *d, size_t n);
/* Every job of the level is put (nothing is left to take or wait for). */
int sweep_driver_level_done(sweep_driver *d);
/* Interrupted or a write failed: take hands out nothing more. */
int sweep_driver_stopping(sweep_driver *d);
/* Jobs of the current level not yet handed out. */
size_t sweep_driver_remaining(sweep_driver *d);
/* Waits until a job is put or a thread ends, or timeout_s passes. */
void sweep_driver_wait(sweep_driver *d, double timeout_s);
/* A progress line on stderr (a bar on a terminal), rate-limited; final: the last one. */
void sweep_driver_progress(sweep_driver *d, int final);
/* Params of point k (valid during a level). */
const params *sweep_driver_params(sweep_driver *d, size_t k);

/* Worker threads for a level: each takes one job at a time, runs it and puts it, until take
 * returns 0. */
typedef struct sweep_threads sweep_threads;
sweep_threads *sweep_threads_start(sweep_driver *d, int n);
int sweep_threads_running(sweep_driver *d, const sweep_threads *t); /* not yet ended */
void sweep_threads_join(sweep_threads *t);

/* The threads back-end: run_level on n threads. */
void sweep_exec_threads(sweep_exec *x, int n);

/* ---- interruption ---- */

/* Catches SIGINT and SIGTERM (old: the dispositions to restore). */
void sweep_signals_catch(struct sigaction old[2]);
void sweep_signals_restore(const struct sigaction old[2]);
/* The signal that interrupted the sweep, or 0. */
int sweep_signal(void);
/* Interrupts the sweep as if sig had arrived (sig = 0: clears). */
void sweep_interrupt(int sig);

#endif
