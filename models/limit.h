/* limit.h - limits on amplification: client-side throttling and retry limits.
 *
 * Retries multiply load exactly when a dependency is weakest (3 attempts at
 * each of 3 layers is 27 calls on the database). These three limits break
 * that loop; each is per policy instance (one client of one dependency).
 *
 *   throttle  the Google SRE book's adaptive throttling: over the last
 *             `window`, requests (every attempt that reached the throttle,
 *             the ones it rejected included) and accepts (attempts the backend
 *             answered: ok or error, not rejections or timeouts);
 *             an attempt is rejected locally with probability
 *             max(0, (requests - k * accepts) / (requests + 1)).
 *   budget    retries allowed while, counting the one asked for, the retries
 *             in the last `window` stay <= ratio * first tries in the window
 *             + min_per_s * window (Finagle's RetryBudget in spirit, the
 *             SRE book's "retry ratio" in effect).
 *   bucket    a token bucket that starts full at `capacity`: every first
 *             try adds per_call tokens (up to capacity); a retry needs and
 *             spends `cost` (gRPC's retry throttling, as a bucket).
 *
 * Windows are LIMIT_BUCKETS buckets of window / LIMIT_BUCKETS (window.h): a
 * count leaves the window within one bucket of `window` after it was added.
 * The throttle's coin comes from the caller (a named stream), so the module
 * stays a pure function of its inputs.
 */
#ifndef MODELS_LIMIT_H
#define MODELS_LIMIT_H

#include <stdbool.h>

#include "models/config.h"
#include "models/window.h"

#define LIMIT_BUCKETS 20

struct throttle {
    const struct throttle_config *cfg;
    struct win w; /* counters: 0 requests, 1 accepts */
};

void throttle_init(struct throttle *t, const struct throttle_config *cfg);
void throttle_fini(struct throttle *t);
/* The rejection probability at `now`, before counting a new request. */
double throttle_p(struct throttle *t, sim_time now);
/* Counts a request; `u` is a U(0,1) draw. True: let it through. */
bool throttle_admit(struct throttle *t, sim_time now, double u);
/* The backend accepted a request let through earlier. */
void throttle_accepted(struct throttle *t, sim_time now);

struct retry_limit {
    const struct retry_config *cfg;
    bool has_budget, has_bucket;
    struct win w;  /* budget counters: 0 first tries, 1 retries */
    double tokens; /* bucket */
};

void retry_limit_init(struct retry_limit *l, const struct retry_config *cfg);
void retry_limit_fini(struct retry_limit *l);
/* A call's first try. */
void retry_limit_first(struct retry_limit *l, sim_time now);
/* May a retry go now? True: allowed and paid for (budget counted, tokens
 * spent); false: refused, nothing changes. */
bool retry_limit_retry(struct retry_limit *l, sim_time now);

#endif
