/* retry.c - backoff delays (see retry.h for the formulas and their sources). */
#include "models/retry.h"

#include <math.h>

sim_time retry_delay(const struct retry_config *cfg, int retry, sim_time prev, gsl_rng *rng)
{
    double base = (double)cfg->base, cap = cfg->cap > 0 ? (double)cfg->cap : (double)INFINITY;
    double d;
    switch (cfg->backoff) {
    case BACKOFF_NONE:
        return 0;
    case BACKOFF_FIXED:
        d = base;
        break;
    case BACKOFF_EXPONENTIAL:
    default:
        d = base * pow(cfg->multiplier, retry - 1);
        break;
    }
    d = fmin(d, cap);
    switch (cfg->jitter) {
    case JITTER_NONE:
        break;
    case JITTER_FULL:
        d = gsl_rng_uniform(rng) * d;
        break;
    case JITTER_EQUAL:
        d = d / 2 + gsl_rng_uniform(rng) * (d / 2);
        break;
    case JITTER_DECORRELATED: {
        double p = prev > 0 ? (double)prev : base;
        d = fmin(cap, base + gsl_rng_uniform(rng) * (3 * p - base));
        break;
    }
    }
    /* Exponential growth without a cap can overflow any clock; a century is
     * "never" for a simulation. */
    if (!(d < 100.0 * 365 * 24 * (double)SIM_HOUR)) d = 100.0 * 365 * 24 * (double)SIM_HOUR;
    return d <= 0 ? 0 : (sim_time)(d + 0.5);
}
