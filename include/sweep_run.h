/* sweep_run: the sweep driver and the executor seam (L4). The driver plans the grid level by
 * level, owns the results, writes points.csv in (point, replication) order as the complete
 * prefix grows, and writes regions.csv, cells.csv and the chart at the end. A back-end (an
 * executor) only runs jobs: worker threads in this process (sweep_run.c) or MPI ranks
 * (sweep_mpi.c), as Redis puts ae_epoll.c behind aeApi*. Either way the bytes are the same. */
#ifndef AVALANCHE_SWEEP_RUN_H
#define AVALANCHE_SWEEP_RUN_H

#include "err.h"
#include "params.h"
#include "sweep.h"
#include "sweep_files.h"
#include "sweep_job.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

#endif
