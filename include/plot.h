/* plot: the avalanche charts (L4): the run dashboard from timeseries.csv and the stability map
 * or one-axis class-probability chart from regions.csv. Reads result files only; knows nothing
 * of the engine or the model. */
#ifndef AVALANCHE_PLOT_H
#define AVALANCHE_PLOT_H

#include "err.h"

/* Output formats, a bit set (params.h's enum plot_format uses the same values). */
#define PLOT_FMT_PNG 1 /* 2x device scale: a 720 x 790 pt chart is 1440 x 1580 px */
#define PLOT_FMT_SVG 2
#define PLOT_FMT_PDF 4

/* Chart sizes in points (1/72 in); the PNG has twice as many pixels per side. */
#define PLOT_DASHBOARD_W 720
#define PLOT_DASHBOARD_H 790
#define PLOT_MAP_W 720
#define PLOT_MAP_H 500
#define PLOT_SWEEP1_W 720
#define PLOT_SWEEP1_H 420

typedef struct plot_run_info {
    const char *title;                     /* e.g. "Kubernetes 1.12 incident: 5000 nodes" */
    const char *subtitle;                  /* e.g. "trigger cache_flush at 600 s · ..." */
    double mutating_cap, readonly_cap;     /* reference lines on the inflight panel (<= 0 or
                                              NAN: none) */
    double trigger_start_s, trigger_end_s; /* shaded window on every panel (NAN: none; equal:
                                              a dashed line) */
} plot_run_info;

/* Reads timeseries_csv (column `t` required, every other column optional; empty fields break
 * the lines) and writes out_base.png / .svg / .pdf for each bit in formats. Each file is
 * written to <file>.tmp and renamed into place. info may be NULL. Returns 0, or -1 with e
 * naming the file on a read or write error. */
int plot_dashboard(const char *timeseries_csv, const char *out_base, unsigned formats,
                   const plot_run_info *info, err *e);

typedef struct plot_sweep_info {
    const char *title, *subtitle;
    const char *x_label, *y_label; /* with units, e.g. "cluster size (nodes)" */
    int x_log, y_log;
} plot_sweep_info;

/* Reads regions_csv; a 2-axis sweep draws the stability map (cells coloured by majority class,
 * shaded by its probability, 50 % contours of each class), a 1-axis sweep (y column empty) the
 * class probabilities with 95 % bands. Writes out_base.{png,svg,pdf} like plot_dashboard. */
int plot_stability(const char *regions_csv, const char *out_base, unsigned formats,
                   const plot_sweep_info *info, err *e);

#endif
