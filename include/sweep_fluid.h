/* sweep_fluid: `avalanche sweep CONFIG --method fluid`: the sweep's grid (and its refinement)
 * classified by the fluid model (fluid.h) instead of replicated simulations (L4). One
 * deterministic classification per point, so the map takes milliseconds: regions.csv and
 * cells.csv in the format of a simulated sweep (one "replication" per point), fluid.csv (one row
 * per point: the class, the recovery time, the equilibria and their stability, the peaks),
 * config.resolved.cfg, provenance.csv and the stability chart (its subtitle says "fluid model"). */
#ifndef AVALANCHE_SWEEP_FLUID_H
#define AVALANCHE_SWEEP_FLUID_H

#include "params.h"
#include "sweep_job.h"

/* The file that marks a fluid sweep's directory. */
#define SWEEP_FLUID_CSV "fluid.csv"

/* Runs the fluid sweep of p (loaded from o's CONFIG) on jobs threads into o's --out (default
 * results/sweep). Returns the exit status: 0 ok, 1 runtime failure, 2 usage error (--resume or
 * --shard given, a point outside what the fluid model covers, DIR holding a simulated sweep). */
int sweep_fluid_run(const sweep_opts *o, const params *p, int jobs);

#endif
