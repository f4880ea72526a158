/* plot: the avalanche charts (L4): the run dashboard from timeseries.csv, several runs compared,
 * and the stability map (by class or by recovery time, small multiples over a third axis) or
 * the one-axis class-probability and recovery-time chart from regions.csv and cells.csv. Reads
 * result files only; knows nothing of the engine or the model. */
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
#define PLOT_COMPARE_W 720
#define PLOT_COMPARE_H 860
#define PLOT_COMPARE_MAX 8 /* runs on one compare chart */

/* Print size: a chart given width_pt (and optionally height_pt) is laid out at that size with
 * fonts for print (chart_fonts_for: tick labels and legends >= 7 pt, titles wrapped to fit), so
 * that it can be included at 1.0x: 470 pt for a full text width, 235 pt for half of it.
 * width_pt 0: today's screen size. height_pt 0: the height the layout needs at that width. */

/* An event marked on a time axis (an intervention): a vertical line on every panel, its label
 * once above the panels. */
typedef struct plot_mark {
    double at_s;       /* simulated time, s */
    const char *label; /* e.g. "apiserver.max_mutating_requests_inflight = 2000" */
} plot_mark;

typedef struct plot_run_info {
    const char *title;                     /* e.g. "Kubernetes 1.12 incident: 5000 nodes" */
    const char *subtitle;                  /* e.g. "trigger cache_flush at 600 s · ..." */
    double mutating_cap, readonly_cap;     /* reference lines on the inflight panel (<= 0 or
                                              NAN: none) */
    double trigger_start_s, trigger_end_s; /* shaded window on every panel (NAN: none; equal:
                                              a dashed line) */
    /* Added in the second wave: a zeroed field keeps the chart as before. */
    double min_heartbeat_success; /* health thresholds (health.min_*_success), drawn as */
    double min_scrape_success;    /* reference lines on the client-success panel (<= 0 or */
    double min_sa_success;        /* NAN: none) */
    const plot_mark *marks;       /* interventions, in any order (NULL: none) */
    int n_marks;
    double width_pt, height_pt; /* print size (see above; 0: 720 x 790) */
} plot_run_info;

/* Reads timeseries_csv (column `t` required, every other column optional; empty fields break
 * the lines) and writes out_base.png / .svg / .pdf for each bit in formats. Each file is
 * written to <file>.tmp and renamed into place. info may be NULL. Returns 0, or -1 with e
 * naming the file on a read or write error.
 * Panels, each on a fixed scale: (a) inflight requests with the caps (linear); (b) TokenReviews,
 * 429s, TokenReview 504s and other requests' 504s per second (log, always); (c) outstanding
 * work and its parts, the series the stability trend test judges (linear; the loopback backlog
 * and orphaned validations for files without outstanding_work); (d) cache hit ratios;
 * (e) heartbeat, scrape and SA-client success ratios with the health thresholds, the samples
 * where healthy = 0 shaded, NotReady nodes on the right; (f), APF runs only (columns
 * apiserver_flowcontrol_current_inqueue_requests_LEVEL), the requests waiting per priority
 * level but the exempt one, and the default height grows by a panel. A series whose column is
 * missing or empty is left out (and out of the legend); a panel without data says "no data". */
int plot_dashboard(const char *timeseries_csv, const char *out_base, unsigned formats,
                   const plot_run_info *info, err *e);

/* Reads interventions.csv (header index,at,what,recovered,recovery_time; `what` CSV-quoted
 * when it holds a comma or a quote) into *marks, one per row in file order: at_s = at, label
 * = what followed by " · recovered in N s" or " · not recovered" when those columns say so.
 * A file that does not exist gives 0 marks and *marks = NULL. Returns the number of marks, or
 * -1 with e naming the file and line. Free with plot_marks_free. */
int plot_read_interventions(const char *csv, plot_mark **marks, err *e);
void plot_marks_free(plot_mark *marks, int n); /* NULL is a no-op */

typedef struct plot_compare_info {
    const char *title, *subtitle;
    const double *mutating_caps;           /* n caps, one per run (NULL or <= 0: none) */
    double trigger_start_s, trigger_end_s; /* as in plot_run_info (NAN, or both 0: none) */
    const plot_mark *marks;                /* the first run's interventions (NULL: none) */
    int n_marks;
    double width_pt, height_pt; /* print size (0: PLOT_COMPARE_W x PLOT_COMPARE_H) */
} plot_compare_info;

/* n (1..PLOT_COMPARE_MAX) runs on one dashboard sharing a time axis, one colour and dash per
 * run, labelled labels[i]: (a) mutating inflight against each run's cap, (b) TokenReview 504s
 * per second, (c) outstanding work (or the loopback backlog), (d) heartbeat success, (e) scrape
 * success, (f) NotReady nodes. Missing columns leave a run out of a panel. info may be NULL.
 * Writes out_base.{png,svg,pdf} like plot_dashboard. */
int plot_compare(const char *const *timeseries_csvs, const char *const *labels, int n,
                 const char *out_base, unsigned formats, const plot_compare_info *info, err *e);

enum plot_map_mode {
    PLOT_MAP_CLASS,   /* cells coloured by majority class, shaded by its probability */
    PLOT_MAP_RECOVERY /* stable cells coloured by median recovery time (log scale); the other
                         majorities as marked fills */
};

typedef struct plot_sweep_info {
    const char *title, *subtitle;
    const char *x_label, *y_label; /* with units, e.g. "cluster size (nodes)" */
    int x_log, y_log;
    /* Added in the second wave: a zeroed field keeps the chart as before. */
    int mode;                  /* enum plot_map_mode */
    const char *const *x_cats; /* categorical x: the column x holds 0..nx_cats-1 and */
    int nx_cats;               /* band i is labelled x_cats[i] (NULL: numeric) */
    const char *const *y_cats; /* the same for y */
    int ny_cats;
    const char *z_label;       /* third axis (z column): one small map per z value, */
    const char *const *z_cats; /* titled "<z_label> = <value>" or "= z_cats[z]" */
    int nz_cats;
    double recovery_window_s;   /* health.recovery_window: reference line on the one-axis
                                   recovery panel, mark on the map's scale (<= 0: none) */
    const char *cells_csv;      /* the partition (NULL: cells.csv beside regions_csv) */
    double width_pt, height_pt; /* print size (0: PLOT_MAP_W x PLOT_MAP_H, or
                                   PLOT_SWEEP1_W x PLOT_SWEEP1_H) */
    /* Other sweeps drawn over this one (0: none): n_overlays (1..PLOT_OVERLAY_MAX) regions.csv
     * files of sweeps over the same axes, each read as regions_csv is (with the cells.csv
     * beside it, whatever cells_csv says), labelled overlay_labels[i] (NULL, or a NULL label:
     * the name of the file's directory). */
    const char *const *overlay_csvs;
    const char *const *overlay_labels;
    int n_overlays;
} plot_sweep_info;

#define PLOT_OVERLAY_MAX 4 /* other sweeps over one stability chart */

/* Reads regions_csv and, for the cells, cells_csv (point,x_lo,x_hi,y_lo,y_hi: the partition of
 * the swept area into rectangles, each owned by one point). Without cells.csv the old x_lo..y_hi
 * columns of regions.csv are used (finer levels over coarser ones), else midpoints between grid
 * values. A 2-axis sweep draws the stability map: every rectangle filled and textured together
 * (hatches never cross into another cell), thin edges only between points; PLOT_MAP_CLASS adds
 * the 50 % contour of each class, PLOT_MAP_RECOVERY the P(stable) = 0.5 contour (neither on a
 * categorical axis); with a z column one small map per z value in a grid, one legend (x and z
 * without y: z is drawn as the y axis). A 1-axis sweep (y empty) draws the class probabilities
 * and P(recovered within the window) with their 95 % intervals (bands; hairlines for the
 * window) over the median recovery time with its 95 % interval (error bars; 0 s and "none
 * recovered" marked at the bottom and top). Empty files draw "no data".
 * Overlays: on every map panel each overlay's P(stable) = 0.5 contour, computed on its own grid
 * and cells (on a panel of small multiples, from its points at that panel's z), dashed, dotted,
 * dash-dotted, then solid in one colour with the white casing, and listed under the contour's
 * legend entry; on a one-axis chart its P(stable) as a thin line in the probability panel. An
 * overlay file that cannot be read, an overlay with other axes (one axis against two, z
 * against none, a point outside the map's range or at a z without a panel) and overlays on a
 * categorical axis are errors naming the overlay's file. Writes out_base.{png,svg,pdf} like
 * plot_dashboard. */
int plot_stability(const char *regions_csv, const char *out_base, unsigned formats,
                   const plot_sweep_info *info, err *e);

/* A ramp experiment's run: a config value moved linearly from v0 at t0_s to v1 at t1_s (an
 * intervention "ramp"); the samples of the ramp are drawn against that value. */
typedef struct plot_ramp_run {
    const char *timeseries_csv, *label;
    double t0_s, t1_s, v0, v1;
} plot_ramp_run;

typedef struct plot_hysteresis_info {
    const char *title, *subtitle;
    const char *x_label; /* the ramped value, in words with its unit */
    const char *column;  /* the series drawn (NULL: outstanding_validations), on a log axis */
    const char *y_label;
    double smooth_s; /* moving average over this many seconds (0: 60) */
    double width_pt, height_pt;
} plot_hysteresis_info;

/* The state against the ramped value for each run (a line each, up and down ramps crossing the
 * bistable range in opposite directions), with the runs' unhealthy samples drawn thicker.
 * Writes out_base.{png,svg,pdf} like plot_dashboard. */
int plot_hysteresis(const plot_ramp_run *runs, int n, const char *out_base, unsigned formats,
                    const plot_hysteresis_info *info, err *e);

typedef struct plot_capacity_info {
    const char *title, *subtitle;
    const char *x_label;       /* the searched key, in words with its unit */
    double target;             /* drawn as a horizontal line */
    const char *const *names;  /* the configs, in probes.csv's order (NULL: read from the file) */
    const double *answers;     /* their answers (NAN: none), marked on the axis */
    const char *const *labels; /* legend text per config (NULL: the names) */
    int n;
    double width_pt, height_pt;
} plot_capacity_info;

/* The capacity search: P(stable) at each probe with its interval against the searched value,
 * one colour per config, the target as a line and each config's answer marked. Reads
 * probes.csv (config,index,value,runs,stable,p_stable,p_stable_lo,p_stable_hi,verdict). */
int plot_capacity(const char *probes_csv, const char *out_base, unsigned formats,
                  const plot_capacity_info *info, err *e);

#endif
