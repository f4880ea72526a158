/* contour: iso-lines of a gridded field by marching squares (plots, L4). Pure; no cairo. */
#ifndef AVALANCHE_CONTOUR_H
#define AVALANCHE_CONTOUR_H

#include <stddef.h>

typedef struct contour_seg {
    double x0, y0, x1, y1;
} contour_seg;

/* Segments of the curve z = level. z holds ny rows of nx values: z[j * nx + i] is the value at
 * (xs[i], ys[j]); xs and ys increase (any spacing). Crossings are placed by linear
 * interpolation along cell edges; saddles are resolved by the cell's mean. Squares with a NaN
 * corner produce nothing. Returns the number of segments; *out is xmalloc'd (NULL when none),
 * the caller frees it. */
size_t contour_lines(const double *z, const double *xs, const double *ys, size_t nx, size_t ny,
                     double level, contour_seg **out);

#endif
