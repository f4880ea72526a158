/* retry: exponential backoff with jitter, as k8s.io/apimachinery wait.Backoff (L2).
 * Used by the kubelet's TokenReview webhook (apiserver util/webhook WithExponentialBackoff:
 * 500 ms, factor 1.5, jitter 0.2, 5 steps in 1.12). */
#ifndef AVALANCHE_RETRY_H
#define AVALANCHE_RETRY_H

#include <gsl/gsl_rng.h>

typedef struct retry {
    int attempts;     /* total attempts, >= 1 */
    double initial_s; /* sleep after the first failed attempt, before jitter */
    double factor;    /* growth per attempt, >= 1 */
    double jitter;    /* each sleep is d (1 + jitter U[0,1)) */
} retry;

/* Sleep after the failed attempt number `failed` (0-based), before the next attempt. */
double retry_delay_s(const retry *r, int failed, gsl_rng *rng);
/* Whether another attempt follows the failed attempt number `failed` (0-based). */
int retry_more(const retry *r, int failed);

#endif
