/* retry.h - backoff delays, a pure function of its inputs.
 *
 * d(n) = min(cap, base * multiplier^(n-1)) for the n-th retry (n >= 1);
 * fixed: d = base; none: 0. Jitter (DESIGN.md, the AWS formulas):
 *   full         U(0, d)
 *   equal        d/2 + U(0, d/2)
 *   decorrelated min(cap, U(base, 3 * previous)), previous starting at base
 * The uniform draws come from the call site's own stream, so a retry's delay
 * never disturbs another element's randomness.
 */
#ifndef MODELS_RETRY_H
#define MODELS_RETRY_H

#include <gsl/gsl_rng.h>

#include "models/config.h"

sim_time retry_delay(const struct retry_config *cfg, int retry, sim_time prev, gsl_rng *rng);

#endif
