/* sim_dist.h - the distributions of the scenario contract (SCENARIO.md s.2).
 *
 * A struct sim_dist is a plain value: a kind and its parameters in the user's
 * units (seconds for durations). Construction validates and returns NULL on
 * success or a static message naming the bad parameter ("mean must be > 0");
 * it never aborts, so the loader can turn it into a FILE:LINE:COL error.
 *
 * Kinds and parameters (the stored fields a, b are the natural parameters
 * GSL's samplers take, derived once at construction so sampling does no
 * parameter arithmetic):
 *   constant {value}          value >= 0
 *   exponential {mean}        mean > 0
 *   uniform {min, max}        0 <= min <= max
 *   normal {mean, sd}         truncated at 0 by rejection; sd >= 0; mean > 0 or
 *                             the acceptance rate P(X >= 0) would be < 50%
 *   lognormal {mean, sd}      mean > 0, sd >= 0
 *   lognormal {median, p99}   0 < median <= p99
 *   gamma {mean, cv}          mean > 0, cv > 0
 *   weibull {scale, shape}    both > 0
 *   pareto {scale, shape}     both > 0 (mean infinite when shape <= 1)
 *   mixture {of: [...]}       weights > 0 (normalised), parts any kind but mixture
 *
 * Ownership: a mixture owns a copy of its parts; sim_dist_fini() frees it.
 * Other kinds own nothing, and fini is a no-op.
 */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "sim_time.h"

enum sim_dist_kind {
    SIM_DIST_CONSTANT,
    SIM_DIST_EXPONENTIAL,
    SIM_DIST_UNIFORM,
    SIM_DIST_NORMAL,
    SIM_DIST_LOGNORMAL,
    SIM_DIST_GAMMA,
    SIM_DIST_WEIBULL,
    SIM_DIST_PARETO,
    SIM_DIST_MIXTURE,
};

struct sim_dist {
    enum sim_dist_kind kind;
    double a, b;            /* natural parameters, see sim_dist.c */
    size_t n;               /* mixture: number of parts */
    struct sim_dist *parts; /* mixture: owned copies */
    double *cum;            /* mixture: cumulative normalised weights */
};

const char *sim_dist_constant(struct sim_dist *d, double value);
const char *sim_dist_exponential(struct sim_dist *d, double mean);
const char *sim_dist_uniform(struct sim_dist *d, double min, double max);
const char *sim_dist_normal(struct sim_dist *d, double mean, double sd);
const char *sim_dist_lognormal(struct sim_dist *d, double mean, double sd);
const char *sim_dist_lognormal_p99(struct sim_dist *d, double median, double p99);
const char *sim_dist_gamma(struct sim_dist *d, double mean, double cv);
const char *sim_dist_weibull(struct sim_dist *d, double scale, double shape);
const char *sim_dist_pareto(struct sim_dist *d, double scale, double shape);
/* Copies parts (deeply) and weights. */
const char *sim_dist_mixture(struct sim_dist *d, size_t n, const double *weights,
                             const struct sim_dist *parts);
void sim_dist_copy(struct sim_dist *dst, const struct sim_dist *src);
void sim_dist_fini(struct sim_dist *d);

/* Theoretical mean and variance (of the truncated normal for normal; INFINITY
 * where they do not exist). */
double sim_dist_mean(const struct sim_dist *d);
double sim_dist_var(const struct sim_dist *d);

double sim_dist_sample(const struct sim_dist *d, gsl_rng *r);
/* A duration: the sample in seconds through sim_time_from_s(), never negative. */
sim_time sim_dist_sample_time(const struct sim_dist *d, gsl_rng *r);

/* "exponential", ... ; and the reverse lookup (-1 if unknown). */
const char *sim_dist_kind_name(enum sim_dist_kind kind);
int sim_dist_kind_from_name(const char *name);

#endif
