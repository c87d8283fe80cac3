/* load.h - load sources: end users sending requests at a rate.
 *
 * Arrivals follow the load's rate points (arrivals.h: piecewise linear,
 * Poisson by thinning or constant spacing), drawn from `rng`.
 *
 * Recovery (when the scenario has faults): the baseline is the success rate
 * of outcomes seen from the warm-up to the first fault; after the last fault
 * ends, each full 10 s window is good when its success rate is at least the
 * baseline minus 5 points (doing better than the baseline is not a symptom).
 * An empty window is bad: nobody got an answer. recovered_s is the start of
 * the first window from which every window to the end is good.
 */
#ifndef MODELS_LOAD_H
#define MODELS_LOAD_H

#include "models/world.h"

void load_init(struct world *w, struct load *l, const struct load_config *cfg, gsl_rng *rng);
void load_fini(struct load *l);
void load_start(struct load *l);
/* The end user's call finished. */
void load_done(struct load *l, struct call *c, enum outcome o);
/* End of run: settles the recovery verdict. */
void load_finish(struct load *l);
/* Rate at time t (requests per second). */
double load_rate(const struct load *l, sim_time t);

#endif
