/* contour: marching squares (plots, L4). A corner is "inside" when z >= level; each square
 * yields 0, 1 or 2 segments joining the edge crossings. */
#include "contour.h"

#include "xmem.h"

#include <math.h>

typedef struct pt {
    double x, y;
} pt;

static pt cross(double xa, double ya, double za, double xb, double yb, double zb, double level)
{
    double t = zb != za ? (level - za) / (zb - za) : 0.5;
    pt p = {xa + (xb - xa) * t, ya + (yb - ya) * t};
    return p;
}

size_t contour_lines(const double *z, const double *xs, const double *ys, size_t nx, size_t ny,
                     double level, contour_seg **out)
{
    size_t n = 0, cap = 0;
    contour_seg *segs = NULL;
    for (size_t j = 0; j + 1 < ny; j++) {
        for (size_t i = 0; i + 1 < nx; i++) {
            /* corners counter-clockwise from bottom-left: a, b, c, d */
            double za = z[j * nx + i], zb = z[j * nx + i + 1];
            double zc = z[(j + 1) * nx + i + 1], zd = z[(j + 1) * nx + i];
            if (isnan(za) || isnan(zb) || isnan(zc) || isnan(zd))
                continue;
            int code = (za >= level) | (zb >= level) << 1 | (zc >= level) << 2 | (zd >= level) << 3;
            if (code == 0 || code == 15)
                continue;
            double x0 = xs[i], x1 = xs[i + 1], y0 = ys[j], y1 = ys[j + 1];
            /* crossing on each edge: 0 bottom a-b, 1 right b-c, 2 top d-c, 3 left a-d */
            pt e[4];
            int has[4] = {(code & 1) != ((code >> 1) & 1), ((code >> 1) & 1) != ((code >> 2) & 1),
                          ((code >> 3) & 1) != ((code >> 2) & 1), (code & 1) != ((code >> 3) & 1)};
            if (has[0])
                e[0] = cross(x0, y0, za, x1, y0, zb, level);
            if (has[1])
                e[1] = cross(x1, y0, zb, x1, y1, zc, level);
            if (has[2])
                e[2] = cross(x0, y1, zd, x1, y1, zc, level);
            if (has[3])
                e[3] = cross(x0, y0, za, x0, y1, zd, level);
            int pairs[2][2], np = 0;
            if (code == 5 || code == 10) {
                /* Saddle: the centre decides whether the two inside corners connect. */
                int centre_in = (za + zb + zc + zd) / 4 >= level;
                int cut_a_c = (code == 5) != centre_in; /* cut around a and c */
                if (cut_a_c) {
                    pairs[0][0] = 3, pairs[0][1] = 0;
                    pairs[1][0] = 1, pairs[1][1] = 2;
                } else {
                    pairs[0][0] = 0, pairs[0][1] = 1;
                    pairs[1][0] = 2, pairs[1][1] = 3;
                }
                np = 2;
            } else {
                int k = 0;
                for (int m = 0; m < 4; m++)
                    if (has[m])
                        pairs[0][k++] = m;
                np = 1;
            }
            for (int p = 0; p < np; p++) {
                if (n == cap) {
                    cap = cap ? 2 * cap : 64;
                    segs = xrealloc(segs, cap * sizeof *segs);
                }
                pt u = e[pairs[p][0]], v = e[pairs[p][1]];
                segs[n].x0 = u.x, segs[n].y0 = u.y, segs[n].x1 = v.x, segs[n].y1 = v.y;
                n++;
            }
        }
    }
    *out = segs;
    return n;
}
