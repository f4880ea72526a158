/* sweep_files: the files of a sweep directory (L4): the points.csv header and row prefix, rows
 * read back (resume and merge), regions.csv, cells.csv, the chart and a shard's shard.csv.
 * Shared by the threaded sweep, the MPI sweep and `avalanche merge`, so that all three write the
 * same bytes. */
#ifndef AVALANCHE_SWEEP_FILES_H
#define AVALANCHE_SWEEP_FILES_H

#include "err.h"
#include "params.h"
#include "sweep.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Key metrics averaged over the replications of a point in regions.csv. */
enum {
    SWEEP_M_INFLIGHT_MUT_RECOVERY,
    SWEEP_M_TR_TIMEOUTS_RECOVERY,
    SWEEP_M_HB_RATIO,
    SWEEP_M_MAX_NOT_READY,
    SWEEP_METRICS
};

/* One finished (point, replication): its points.csv row and the numbers regions.csv needs.
 * task = point x replications + replication. */
typedef struct sweep_result {
    uint64_t task;
    int done; /* finished (this session, read back, or received) */
    int cls;  /* enum run_class */
    int stopped_early, within_window;
    double recovery_s; /* NAN: none */
    double m[SWEEP_METRICS];
    double wall_s; /* wall time of the run; not written (MPI batch sizing) */
    char *line;    /* the points.csv row with its '\n', owned; NULL once written or not kept */
} sweep_result;

/* "point,level,x,y[,z],KEY_X[,KEY_Y[,KEY_Z]],<summary columns>\n": the swept keys name their
 * columns (z only in a three-axis sweep). A categorical axis holds its index in x/y/z and its
 * name (a config file's base name) in its key's column. Caller frees. */
char *sweep_points_header(const params *p);

/* The row prefix "point,level,x,y[,z],VALUE_X[,VALUE_Y[,VALUE_Z]]," of point k at pt; p gives
 * the axes. */
void sweep_row_prefix(FILE *f, const params *p, size_t k, const sweep_point *pt);

/* Rows of a points.csv read back: row i is task first + i x stride. */
typedef struct sweep_rows {
    size_t n;
    double *x, *y, *z; /* as written, to check against the grid (z NAN without a z column) */
    sweep_result *res; /* done; line set when asked for */
} sweep_rows;

/* Reads path (absent: 0 rows, or an error when must_exist). Drops a torn last line (truncating
 * the file when truncate_torn), checks the header against header, and that row i is task
 * first + i x stride of a sweep of reps replications. Returns 0, or -1 with e naming the file and
 * line. */
int sweep_rows_read(const char *path, const char *header, int reps, uint64_t first, uint64_t stride,
                    int keep_lines, int truncate_torn, int must_exist, sweep_rows *rows, err *e);
void sweep_rows_free(sweep_rows *rows);

/* Class counts of point k over its done replications res[k x reps ...]. */
void sweep_point_counts(const sweep_result *res, int reps, size_t k, unsigned counts[]);

/* Writes DIR/regions.csv, DIR/cells.csv (each whole or not at all) and the chart
 * (sweep_draw; config names the sweep in its title) for the grid g and its results res (one per
 * task). Returns 0, or -1 with e set. */
int sweep_write_results(const char *dir, const char *config, const params *p, const sweep_grid *g,
                        const sweep_result *res, err *e);

/* DIR/provenance.csv (version_csv: program, version, commit), whole or not at all. */
int sweep_provenance_write(const char *dir, err *e);

/* DIR/shard.csv: "shard,shards,runs,config": which part of the grid DIR holds (K of N), how
 * many runs that is, and the CONFIG argument's base name (for the merged chart's title). */
int sweep_shard_write(const char *dir, unsigned k, unsigned n, size_t runs, const char *config,
                      err *e);
/* Returns 1 with the fields set, 0 when DIR has no shard.csv, -1 with e on a bad file. */
int sweep_shard_read(const char *dir, unsigned *k, unsigned *n, size_t *runs, char *config,
                     size_t config_cap, err *e);

#endif
