/* retry: wait.Backoff-style delays (L2). */
#include "retry.h"

#include <math.h>

double retry_delay_s(const retry *r, int failed, gsl_rng *rng)
{
    double d = r->initial_s * pow(r->factor, failed);
    /* wait.Jitter(d, maxFactor) = d + rand.Float64() * maxFactor * d */
    if (r->jitter > 0.0)
        d += gsl_rng_uniform(rng) * r->jitter * d;
    return d;
}

int retry_more(const retry *r, int failed)
{
    return failed + 1 < r->attempts;
}
