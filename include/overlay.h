/* overlay: figures that compare several sweeps (plots, L4): the 50 % stable boundaries of
 * several two-axis stability maps on one chart, and the stable probability of several one-axis
 * sweeps on one chart. Reads regions.csv files only. */
#ifndef AVALANCHE_OVERLAY_H
#define AVALANCHE_OVERLAY_H

#include "err.h"

typedef struct overlay_info {
    const char *title, *subtitle;
    const char *x_label, *y_label;
    int x_log, y_log;
} overlay_info;

/* n regions.csv files of two-axis sweeps (level-0 points; refined points are ignored), each
 * drawn as its P(stable) = 0.5 contour in its own colour and dash, labelled labels[i].
 * Writes out_base.{png,svg,pdf} per bit of formats (PLOT_FMT_*). Returns 0 or -1 with e set. */
int overlay_boundaries(const char *const *regions_csv, const char *const *labels, int n,
                       const char *out_base, unsigned formats, const overlay_info *info, err *e);

/* n regions.csv files of one-axis sweeps: P(stable) against x with its 95 % Clopper-Pearson
 * band, one colour per file. */
int overlay_curves(const char *const *regions_csv, const char *const *labels, int n,
                   const char *out_base, unsigned formats, const overlay_info *info, err *e);

#endif
