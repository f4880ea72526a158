/* plot_sweep: the sweep results as the stability charts read them (plots, L4, private to
 * plots/): points from regions.csv, the rectangles of cells.csv, and the elementary grid that
 * every rectangle edge cuts the swept area into (for painting, cell edges and contours). */
#ifndef AVALANCHE_PLOT_SWEEP_H
#define AVALANCHE_PLOT_SWEEP_H

#include "chart.h"
#include "contour.h"
#include "palette.h"
#include "plot.h"

#include <stddef.h>

typedef struct sw_point {
    double id; /* the `point` column (the row index when absent) */
    double level;
    double x, y, z;
    double p[PAL_CLASS_N], lo[PAL_CLASS_N], hi[PAL_CLASS_N];
    int major; /* enum palette_class, -1 unknown */
    double reps, n_rec;
    double rec_med, rec_lo, rec_hi; /* s after the trigger end, over the runs that recovered */
    double pw, pw_lo, pw_hi;        /* P(recovered within the window) */
    int zi;                         /* index into sweep.zv */
} sw_point;

typedef struct sw_rect {
    double x0, x1, y0, y1; /* x0 < x1, y0 < y1 */
    size_t pt;             /* index into sweep.pt */
} sw_rect;

typedef struct sweep {
    const plot_sweep_info *info; /* with the y axis replaced for an x-z sweep */
    plot_sweep_info in;          /* that copy */
    size_t n;
    sw_point *pt;   /* a one-axis sweep's by x */
    size_t nr;
    sw_rect *r;            /* in paint order (later over earlier; a partition from cells.csv);
                              none on a one-axis sweep */
    int two_axis, has_z;   /* after an x-z sweep's z became its y */
    int nz;                /* panels: distinct z values (1 without z) */
    double *zv;            /* nz values, increasing (NAN without z) */
    int cols[PAL_CLASS_N]; /* the class's probability columns are present */
    int has_window, has_recovery;
    double x_lo, x_hi, y_lo, y_hi; /* the range the cells cover (INFINITY, -INFINITY: none) */
    struct sweep *ov;              /* nov other sweeps drawn over this one, read as it was */
    int nov;
    char *ov_label[PLOT_OVERLAY_MAX];
} sweep;

/* The panel of sw whose z is z (0 without z), -1 when none. */
int sweep_panel(const sweep *sw, double z);

/* The elementary grid of one z panel: all distinct rectangle edges, and for every elementary
 * cell the point painted last over it (-1: none). */
typedef struct egrid {
    size_t nx, ny;
    double *ex, *ey; /* nx + 1 and ny + 1 edges, increasing */
    long *own;       /* ny rows of nx */
} egrid;

void egrid_build(const sweep *sw, int zi, egrid *g);
void egrid_free(egrid *g);

/* A contour of one sweep, in the axes' own scales (log10 on a log axis). */
typedef struct sw_contour {
    contour_seg *seg;
    size_t n;
    int x_log, y_log;
} sw_contour;

/* The contour v(point, k) = level over g (values at the elementary cells' centres) into c, which
 * sw_contour_free releases. Nothing on a categorical axis or a grid under 2 x 2. Returns 1 when
 * there is a contour. */
int sweep_contour(const sweep *sw, const egrid *g, double (*v)(const sw_point *, int), int k,
                  double level, sw_contour *c);
/* Strokes c on p (any panel with the same axes), clipped to it: casing != 0 the white casing
 * that keeps a line visible on every cell colour, else the line in st. Stroke every casing
 * before any line so that a line is never covered by another's casing. */
void sw_contour_stroke(const chart_panel *p, const sw_contour *c, chart_style st, int casing);
void sw_contour_free(sw_contour *c);

/* The style of overlay i (dashed, dotted, dash-dotted, solid: one colour on every cell). */
chart_style sweep_overlay_style(int i);

void draw_map(chart_fig *f, void *ctx);
void draw_sweep1(chart_fig *f, void *ctx);
/* Natural heights at width w (print size without a height). */
double map_height(const sweep *sw, double w);
double sweep1_height(const sweep *sw, double w);

/* Label of category v of cats (n), or the number. */
void sweep_value_label(double v, const char *const *cats, int n, char *buf, size_t len);

#endif
