/* sweep: replicated runs over a one-, two- or three-axis grid of config values (numeric or
 * categorical: enum names, config files), with adaptive refinement
 * of the class boundaries; `avalanche sweep` and `avalanche merge` (L4). This header: the grid and
 * the statistics (sweep.c), the commands. The driver and its back-ends (threads, MPI) are in
 * sweep_run.h and sweep_mpi.h, the files in sweep_files.h.
 * Outputs in DIR: points.csv (one row per (point, replication), in that order whatever -j, the
 * number of MPI ranks or the shards), regions.csv (one row per point), cells.csv (the map's
 * partition), config.resolved.cfg and stability.{png,svg,pdf}. */
#ifndef AVALANCHE_SWEEP_H
#define AVALANCHE_SWEEP_H

#include "err.h"
#include "model.h"
#include "params.h"

#include <stddef.h>

/* The command: `avalanche sweep CONFIG [--set KEY=VALUE]... [-j N] [--out DIR] [--resume]
 * [--shard K/N] [--dry-run] [--quiet]`, argv holding the arguments after "sweep". Returns the
 * exit status: 0 ok, 1 runtime failure (I/O), 2 usage or config error, 128 + signal when
 * interrupted (130 SIGINT, 143 SIGTERM; every finished row is kept and the message says how to
 * resume). Catches SIGINT and SIGTERM for its duration. */
int sweep_command(int argc, char **argv);
/* `avalanche merge DIR... --out DIR`: the shards of one sweep (`sweep --shard K/N`) -> the files
 * one process writes. Refuses (2, naming the directory, writing nothing) shards of different
 * configs or shard counts, a missing, duplicated or incomplete shard. Returns the exit status. */
int sweep_merge_command(int argc, char **argv);
/* Draws DIR/stability.{png,svg,pdf} from DIR/regions.csv for the sweep described by p; config
 * names the sweep in the title. Returns 0, or -1 with e set. */
int sweep_draw(const char *dir, const char *config, const params *p, err *e);
/* The same chart with n other sweeps drawn over it (plot_sweep_info's overlays): the P(stable)
 * = 0.5 boundary of each directory overlays[i] on the map, its P(stable) on a one-axis chart,
 * labelled labels[i] (labels or labels[i] NULL: "fluid model" for a fluid sweep's directory,
 * else the directory's name). Check the directories first with sweep_overlays_check. */
int sweep_draw_overlays(const char *dir, const params *p, const char *const *overlays,
                        const char *const *labels, int n, err *e);
/* The n directories can be drawn over the sweep of p: at most PLOT_OVERLAY_MAX, each holds a
 * regions.csv, and its config.resolved.cfg (when it has one) sweeps the same x and y keys.
 * Returns 0, or -1 with e naming the first directory that cannot. PLOT_OVERLAY_MAX: plot.h. */
int sweep_overlays_check(const params *p, const char *const *dirs, int n, err *e);

/* Grid values of axis a of p (name "x" or "y" for messages), ascending and distinct: the explicit
 * values, or `steps` values from..to spaced linearly or geometrically. An axis that sets only its
 * key (from = to = 0, one step, the defaults) is an error naming the axis. Values of an integer key
 * are rounded, then deduplicated. Each value must be accepted by config_set_number for the key
 * ("sweep.x value 12000: cluster.nodes: ..."). Returns 0 with *values (caller frees) and *n set,
 * or -1 with e set. */
int sweep_axis_values(const params *p, const axis *a, const char *name, double **values, size_t *n,
                      err *e);

/* The name of category i of the categorical axis a in CSV files and charts: the enum name, or a
 * config file's base name. */
const char *sweep_category_label(const axis *a, int i);

typedef struct sweep_point {
    double x, y; /* y is NAN in a one-axis sweep; a categorical axis holds its index 0, 1, ... */
    int level;   /* 0: the coarse grid; l: added by the l-th refinement */
    double z;    /* NAN unless sweep.z: the grid is then x fastest, then y, then z */
} sweep_point;

/* The set of grid points: the coarse grid, then points added by refinement. Point k keeps its
 * index (and so its seed) for good: new points are appended. */
typedef struct sweep_grid sweep_grid;

/* The coarse grid of p's sweep axes (x required, y optional, z only with y), points numbered x
 * fastest, then y, then z. A categorical axis holds the indices 0..n-1 of its names; beside one,
 * refinement splits the numeric axis within each category (never across categories); a
 * three-axis grid is never refined (sweep_grid_refine adds nothing).
 * Returns NULL with e set on a bad axis. */
sweep_grid *sweep_grid_new(const params *p, err *e);
void sweep_grid_free(sweep_grid *g); /* NULL is a no-op */

int sweep_grid_axes(const sweep_grid *g); /* 1, 2 or 3 */
size_t sweep_grid_count(const sweep_grid *g);
const sweep_point *sweep_grid_point(const sweep_grid *g, size_t k);
int sweep_grid_levels(const sweep_grid *g); /* refinements done so far */

/* One level of refinement. majority[k] is the majority class of point k (any int labels; every
 * existing point needs one). Every cell made at the last level (the coarse cells at first: 2
 * neighbouring points on one axis, 4 on two) whose corners disagree is split at its midpoints
 * (geometric on a log axis, rounded on an integer key; an axis whose midpoint rounds onto a
 * corner is not split); the new corner points are appended in a fixed order, each once.
 * Returns the number of points added (0: nothing left to refine). */
size_t sweep_grid_refine(sweep_grid *g, const int *majority);

/* Cell of point k for the chart: half-way to its neighbours on the grid of its level (geometric
 * mean on a log axis; at an end the half-step is mirrored). ext = {x_lo, x_hi, y_lo, y_hi}, the y
 * pair NAN in a one-axis sweep. Finer cells overlap coarser ones and are listed after them. */
void sweep_grid_extent(const sweep_grid *g, size_t k, double ext[4]);

/* The map's partition of the swept range: rectangles that tile it without overlap, each owned by
 * one point (y pair NAN in a one-axis sweep). On the finest grid made so far, every grid value's
 * cell (half-way to its neighbours, ending at the swept range) goes to the point at that value
 * when there is one, else to the point of the highest level whose own cell (sweep_grid_extent)
 * contains it, the first such point when two do; neighbouring cells of one owner are merged,
 * along x, then rows of equal extent along y.
 * Sorted by point, then y, then x. Returns the number of rectangles; *cells is the caller's. */
typedef struct sweep_cell {
    size_t point;
    double x_lo, x_hi, y_lo, y_hi;
} sweep_cell;
size_t sweep_grid_cells(const sweep_grid *g, sweep_cell **cells);

/* base with the axis keys set to point k's values, then cross-field checks (config_validate).
 * Returns 0 or -1 with e naming the axis and value. */
int sweep_point_params(const sweep_grid *g, const params *base, size_t k, params *out, err *e);

/* The same from the point itself (base->sweep says which axes there are), for processes that do
 * not hold the grid (MPI ranks). */
int sweep_point_apply(const params *base, const sweep_point *pt, params *out, err *e);

/* Exact (Clopper-Pearson) interval for a binomial proportion, x successes out of n > 0, at
 * confidence conf (0.95): lo = 0 when x = 0, hi = 1 when x = n. */
void sweep_clopper_pearson(unsigned x, unsigned n, double conf, double *lo, double *hi);

/* Median of v[0..n) (sorted in place) and a distribution-free interval of order statistics
 * (X(l), X(n+1-l)) with the largest l whose binomial(n, 1/2) coverage is >= conf. All NAN when
 * n = 0; lo and hi NAN when no pair reaches conf (n < 6 for 95 %). */
void sweep_median_ci(double *v, size_t n, double conf, double *median, double *lo, double *hi);

/* Majority class of counts[CLASS_COUNT]; a tie goes to the worse class (overloaded, then
 * metastable, then unresolved), the cautious reading for capacity planning. */
int sweep_majority(const unsigned *counts);

#endif
