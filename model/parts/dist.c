/* dist: distributions by mean and cv over GSL samplers (L2). */
#include "dist.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

static const char *const names[DIST_KIND_COUNT] = {"exponential", "deterministic", "uniform",
                                                   "lognormal", "gamma"};

void dist_set(dist *d, dist_kind kind, double mean, double cv)
{
    d->kind = kind;
    d->mean = mean;
    if (kind == DIST_EXPONENTIAL)
        cv = 1.0;
    else if (kind == DIST_DETERMINISTIC)
        cv = 0.0;
    d->cv = cv;
    d->a = d->b = 0.0;
    switch (kind) {
    case DIST_UNIFORM:
        d->a = mean * (1.0 - sqrt(3.0) * cv);
        d->b = mean * (1.0 + sqrt(3.0) * cv);
        break;
    case DIST_LOGNORMAL:
        /* X = exp(N(mu, s^2)): E X = exp(mu + s^2/2), cv^2 = exp(s^2) - 1. */
        d->b = sqrt(log1p(cv * cv));
        d->a = log(mean) - 0.5 * d->b * d->b;
        break;
    case DIST_GAMMA:
        /* shape k = 1/cv^2, scale theta = mean cv^2; cv = 0 degenerates to deterministic. */
        if (cv > 0.0) {
            d->a = 1.0 / (cv * cv);
            d->b = mean * cv * cv;
        }
        break;
    default:
        break;
    }
}

double dist_sample(const dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case DIST_EXPONENTIAL:
        return gsl_ran_exponential(r, d->mean);
    case DIST_UNIFORM:
        return d->a + (d->b - d->a) * gsl_rng_uniform(r);
    case DIST_LOGNORMAL:
        return d->b > 0.0 ? gsl_ran_lognormal(r, d->a, d->b) : d->mean;
    case DIST_GAMMA:
        return d->a > 0.0 ? gsl_ran_gamma(r, d->a, d->b) : d->mean;
    default:
        return d->mean;
    }
}

const char *dist_kind_name(dist_kind k)
{
    return (unsigned)k < DIST_KIND_COUNT ? names[k] : "?";
}

int dist_kind_parse(const char *name)
{
    for (int i = 0; i < DIST_KIND_COUNT; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}
