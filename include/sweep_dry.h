/* sweep_dry: `sweep --dry-run`: the grid, the number of runs and an estimated wall time, with
 * nothing run or written (L4). */
#ifndef AVALANCHE_SWEEP_DRY_H
#define AVALANCHE_SWEEP_DRY_H

#include "params.h"
#include "sweep_job.h"

/* --dry-run: prints the coarse grid with its axis values, the number of runs and an estimated
 * wall time on `threads` workers; writes nothing. prog names the command in messages. Returns
 * the exit status (0, or 2 on a bad axis). */
int sweep_dry_run(const sweep_opts *o, const params *p, int threads, const char *prog);
/* Estimated wall seconds of one run of p stopping at horizon_s on one core of the development
 * machine (see sweep_run.c for the calibration). */
double sweep_estimate_run_s(const params *p, double horizon_s);

#endif
