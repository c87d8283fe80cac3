/* arrivals.h - a piecewise-linear arrival process: when the next one comes.
 *
 * Load sources, orchestrated sagas and choreographies all start things at a
 * rate given as points (`{at, rps, ramp}`), so the process lives here once.
 * The rate is 0 before the first point; point i holds rps_i from at_i +
 * ramp_i to the next point and ramps linearly from the previous rate over
 * [at_i, at_i + ramp_i).
 *
 * Poisson arrivals of a time-varying rate are drawn by thinning (Lewis and
 * Shedler) against the largest rate of the current piece; on a flat piece
 * every candidate is accepted and no uniform is drawn. A candidate past the
 * piece's end restarts at the boundary (memorylessness), so arrivals never
 * use a stale rate. Constant arrivals are spaced where the integral of the
 * rate since the last one reaches 1.
 *
 * Ownership: arr_init allocates the pieces, arr_fini frees them; the rng
 * belongs to the caller (the kernel's named streams).
 */
#ifndef MODELS_ARRIVALS_H
#define MODELS_ARRIVALS_H

#include <stdbool.h>

#include <gsl/gsl_rng.h>

#include "models/config.h"

/* A linear piece of the rate: r0 at t0 to r1 at t1. rmax and mean (1 /
 * rmax, when rmax > 0) are the thinning bound and its exponential's mean,
 * worked out once rather than at every arrival. */
struct rate_piece {
    sim_time t0, t1;
    double r0, r1;
    double rmax, mean;
};

enum { ARR_AHEAD = 32 };

struct arrivals {
    struct rate_piece *pieces;
    int npieces;
    int piece; /* current piece: time only moves forward */
    bool constant;
    int last_ramp; /* index of the last piece whose rate changes, or -1 */
    /* ahead[next .. filled - 1] are the stream's next Exp(1) draws, made
     * early (see unit_exponential in arrivals.c) */
    int next, filled;
    /* On the last piece, at a constant positive rate, with a draw always
     * ready: arr_next takes its short path (see there). Stays true. */
    bool steady;
    double steady_mean; /* the last piece's mean gap in seconds, 0: no short path */
    double ahead[ARR_AHEAD];
    gsl_rng *rng;
};

void arr_init(struct arrivals *a, const struct rate_point *rates, int nrates, bool constant,
              gsl_rng *rng);
void arr_fini(struct arrivals *a);
/* The next arrival strictly after t, or SIM_TIME_MAX. Calls must not go back in time. */
sim_time arr_next(struct arrivals *a, sim_time t);
/* Rate at time t (per second). */
double arr_rate(const struct arrivals *a, sim_time t);

#endif
