/* testutil: cmocka includes, a double-precision assert and replication statistics for tests. */
#ifndef AVALANCHE_TESTUTIL_H
#define AVALANCHE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>

#include "text.h"

/* |a - b| <= tol, with both values in the failure message. */
#define assert_near(a, b, tol)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b), t_ = (tol);                                                     \
        if (!(fabs(a_ - b_) <= t_))                                                                \
            fail_msg("%s = %.10g, expected %s = %.10g within %.3g", #a, a_, #b, b_, t_);           \
    } while (0)

/* Mean and 95 % Student-t half-width of n independent replications. */
typedef struct ci {
    double mean, half;
} ci;

static inline ci ci95(const double *x, size_t n)
{
    ci c;
    c.mean = gsl_stats_mean(x, 1, n);
    double sd = n > 1 ? gsl_stats_sd_m(x, 1, n, c.mean) : INFINITY;
    c.half = gsl_cdf_tdist_Pinv(0.975, (double)n - 1) * sd / sqrt((double)n);
    return c;
}

/* Mean and half-width of z standard errors of n replications (the z = 4 intervals of the
 * full-model checks). */
static inline ci ci_z(const double *x, size_t n, double z)
{
    ci c;
    c.mean = gsl_stats_mean(x, 1, n);
    c.half = z * gsl_stats_sd_m(x, 1, n, c.mean) / sqrt((double)n);
    return c;
}

/* The whole file as a new string, NULL when it can not be read. */
static inline char *test_read_text(const char *path)
{
    size_t len;
    return text_read_file(path, SIZE_MAX, &len);
}

/* The closed form must lie inside the replications' 95 % interval. Prints the validation row. */
#define assert_in_ci(name, c, expected)                                                            \
    do {                                                                                           \
        ci c_ = (c);                                                                               \
        double e_ = (expected);                                                                    \
        printf("validation: %-44s formula %.6g  simulated %.6g  95%% CI [%.6g, %.6g]\n", name, e_, \
               c_.mean, c_.mean - c_.half, c_.mean + c_.half);                                     \
        if (!(fabs(c_.mean - e_) <= c_.half))                                                      \
            fail_msg("%s: %.6g outside %.6g +- %.3g", name, e_, c_.mean, c_.half);                 \
    } while (0)

#endif
