/* dist: service-time and delay distributions named by mean and coefficient of variation (L2).
 * Times in seconds. `dist_set` derives the sampler parameters; the config layer validates first. */
#ifndef AVALANCHE_DIST_H
#define AVALANCHE_DIST_H

#include <gsl/gsl_rng.h>

typedef enum dist_kind {
    DIST_EXPONENTIAL,   /* cv is 1 by definition */
    DIST_DETERMINISTIC, /* cv is 0 by definition */
    DIST_UNIFORM, /* on [mean (1 - sqrt(3) cv), mean (1 + sqrt(3) cv)]; needs cv <= 1/sqrt(3) */
    DIST_LOGNORMAL,
    DIST_GAMMA,
    DIST_KIND_COUNT
} dist_kind;

typedef struct dist {
    dist_kind kind;
    double mean; /* > 0 */
    double cv;   /* >= 0 */
    double a, b; /* derived sampler parameters */
} dist;

/* Sets kind, mean and cv (cv is forced to 1 / 0 for exponential / deterministic) and derives a, b.
 */
void dist_set(dist *d, dist_kind kind, double mean, double cv);
double dist_sample(const dist *d, gsl_rng *r);

const char *dist_kind_name(dist_kind k);
/* Returns the kind for a name, or -1. */
int dist_kind_parse(const char *name);

#endif
