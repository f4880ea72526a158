/* ticks: nice tick positions (plots, L4). Tick values are computed as k * step from integers k
 * so labels never show 0.30000000000000004. */
#include "ticks.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Heckbert's nicenum: a 1, 2, 5 or 10 multiple of a power of ten near x (x > 0). */
static double nicenum(double x, int round)
{
    double e = floor(log10(x));
    double f = x / pow(10.0, e);
    double nf;
    if (round)
        nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * pow(10.0, e);
}

void ticks_linear(double lo, double hi, int target, int loose, ticks *t)
{
    memset(t, 0, sizeof *t);
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (lo > hi) {
        double s = lo;
        lo = hi;
        hi = s;
    }
    if (hi - lo <= 1e-12 * fmax(fabs(lo), fabs(hi))) {
        double d = lo == 0 ? 1 : 0.1 * fabs(lo);
        lo -= d;
        hi += d;
    }
    if (target < 2)
        target = 2;
    double range = nicenum(hi - lo, 0);
    double d = nicenum(range / (target - 1), 1);
    double k0, k1;
    double eps = 1e-9;
    if (loose) {
        k0 = floor(lo / d + eps);
        k1 = ceil(hi / d - eps);
    } else {
        k0 = ceil(lo / d - eps);
        k1 = floor(hi / d + eps);
    }
    if (k1 - k0 + 1 > TICKS_MAX) /* cannot happen for sane targets; keep the array bounded */
        k1 = k0 + TICKS_MAX - 1;
    for (double k = k0; k <= k1; k++) {
        double v = k * d;
        t->v[t->n++] = fabs(v) < 1e-12 * d ? 0.0 : v;
    }
    t->step = d;
    t->lo = loose ? k0 * d : lo;
    t->hi = loose ? k1 * d : hi;
    int dec = (int)-floor(log10(d) + 1e-9);
    t->decimals = dec > 0 ? dec : 0;
}

void ticks_log(double lo, double hi, int target, int loose, ticks *t)
{
    if (!(lo > 0) || !isfinite(lo))
        lo = hi > 0 && isfinite(hi) ? hi / 10 : 1;
    if (!(hi > 0) || !isfinite(hi))
        hi = lo * 10;
    if (lo > hi) {
        double s = lo;
        lo = hi;
        hi = s;
    }
    if (hi <= lo * (1 + 1e-12)) {
        lo /= 2;
        hi *= 2;
    }
    if (target < 2)
        target = 2;
    double e0 = floor(log10(lo) + 1e-9), e1 = ceil(log10(hi) - 1e-9);
    if (loose) {
        lo = pow(10.0, e0);
        hi = pow(10.0, e1);
    }
    memset(t, 0, sizeof *t);
    t->log = 1;
    t->lo = lo;
    t->hi = hi;
    double tol = 1e-9;
    /* Decades, every k-th one so that about `target` ticks remain. */
    int nd = (int)(e1 - e0);
    int k = (nd + target - 1) / target;
    if (k < 1)
        k = 1;
    int n = 0;
    for (double e = e0; e <= e1 && n < TICKS_MAX; e += k) {
        double v = pow(10.0, e);
        if (v >= lo * (1 - tol) && v <= hi * (1 + tol))
            t->v[n++] = v;
    }
    if (n >= 2 && n >= target / 2) {
        t->n = n;
        return;
    }
    /* Too few decades inside: 1, 2, 5 multiples. */
    static const double m125[] = {1, 2, 5};
    n = 0;
    for (double e = e0 - 1; e <= e1 && n < TICKS_MAX; e++)
        for (int i = 0; i < 3 && n < TICKS_MAX; i++) {
            double v = m125[i] * pow(10.0, e);
            if (v >= lo * (1 - tol) && v <= hi * (1 + tol))
                t->v[n++] = v;
        }
    if (n >= 2) {
        t->n = n;
        return;
    }
    /* Less than a factor 2.5 wide: plain linear ticks read best. */
    ticks_linear(lo, hi, target, 0, t);
    t->lo = lo;
    t->hi = hi;
    t->log = 1; /* step != 0: labels use the linear decimals */
}

void ticks_format(const ticks *t, double v, char *buf, size_t n)
{
    if (v == 0) {
        snprintf(buf, n, "0");
        return;
    }
    if (t->log && t->step == 0) {
        double a = fabs(v);
        if (a >= 1e5 || a < 1e-3) {
            int e = (int)floor(log10(a) + 1e-9);
            double m = v / pow(10.0, e);
            if (fabs(m - 1) < 1e-9)
                snprintf(buf, n, "1e%d", e);
            else
                snprintf(buf, n, "%.3ge%d", m, e);
        } else {
            snprintf(buf, n, "%.6g", v);
        }
        return;
    }
    snprintf(buf, n, "%.*f", t->decimals, v);
}
