/* sim_dist.c - the scenario's distributions, sampled with GSL.
 *
 * Construction does all the parameter arithmetic once (mean/sd to lognormal
 * mu/sigma, mean/cv to gamma shape/scale), so a sample is one switch and one
 * GSL call: samples are drawn for every work step, hold and network hop, and
 * are the second hottest thing after the event list. The stored a, b are the
 * arguments of the GSL sampler in GSL's own order:
 *
 *   kind         a             b              sampler
 *   constant     value         -              (no draw)
 *   exponential  mean          -              gsl_ran_exponential(r, a)
 *   uniform      min           max            gsl_ran_flat(r, a, b)
 *   normal       mean          sd             a + gsl_ran_gaussian(r, b), redrawn while < 0
 *   lognormal    mu (zeta)     sigma          gsl_ran_lognormal(r, a, b)
 *   gamma        shape k       scale theta    gsl_ran_gamma(r, a, b)
 *   weibull      scale         shape          gsl_ran_weibull(r, a, b)
 *   pareto       shape         scale          gsl_ran_pareto(r, a, b)  (GSL: exponent first)
 *   mixture      -             -              one uniform picks the part, then the part
 *
 * A constant draws nothing, so turning a distribution into a constant changes
 * only its own stream's consumption, never another stream's (streams are
 * independent anyway, see sim_rng.h).
 *
 * Validation rejects non-finite parameters as well as out-of-range ones: an
 * infinite mean would otherwise pass "mean > 0" and put INFINITY into the
 * clock. On failure *d is left untouched.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "sim_assert.h"
#include "sim_dist.h"
#include "sim_mem.h"

static const char *const kind_names[] = {
    [SIM_DIST_CONSTANT] = "constant",   [SIM_DIST_EXPONENTIAL] = "exponential",
    [SIM_DIST_UNIFORM] = "uniform",     [SIM_DIST_NORMAL] = "normal",
    [SIM_DIST_LOGNORMAL] = "lognormal", [SIM_DIST_GAMMA] = "gamma",
    [SIM_DIST_WEIBULL] = "weibull",     [SIM_DIST_PARETO] = "pareto",
    [SIM_DIST_MIXTURE] = "mixture",
};
#define NKINDS (sizeof kind_names / sizeof kind_names[0])

static void set(struct sim_dist *d, enum sim_dist_kind kind, double a, double b)
{
    d->kind = kind;
    d->a = a;
    d->b = b;
    d->n = 0;
    d->parts = NULL;
    d->cum = NULL;
}

const char *sim_dist_constant(struct sim_dist *d, double value)
{
    if (!isfinite(value)) return "value must be a finite number";
    if (value < 0) return "value must be >= 0";
    set(d, SIM_DIST_CONSTANT, value, 0);
    return NULL;
}

const char *sim_dist_exponential(struct sim_dist *d, double mean)
{
    if (!isfinite(mean)) return "mean must be a finite number";
    if (mean <= 0) return "mean must be > 0";
    set(d, SIM_DIST_EXPONENTIAL, mean, 0);
    return NULL;
}

const char *sim_dist_uniform(struct sim_dist *d, double min, double max)
{
    if (!isfinite(min) || !isfinite(max)) return "min and max must be finite numbers";
    if (min < 0) return "min must be >= 0";
    if (min > max) return "min must be <= max";
    set(d, SIM_DIST_UNIFORM, min, max);
    return NULL;
}

const char *sim_dist_normal(struct sim_dist *d, double mean, double sd)
{
    if (!isfinite(mean) || !isfinite(sd)) return "mean and sd must be finite numbers";
    /* mean > 0 keeps P(X >= 0) above 1/2, so rejection needs < 2 draws on
     * average; a mean <= 0 is better written as an exponential. */
    if (mean <= 0) return "mean must be > 0";
    if (sd < 0) return "sd must be >= 0";
    set(d, SIM_DIST_NORMAL, mean, sd);
    return NULL;
}

const char *sim_dist_lognormal(struct sim_dist *d, double mean, double sd)
{
    if (!isfinite(mean) || !isfinite(sd)) return "mean and sd must be finite numbers";
    if (mean <= 0) return "mean must be > 0";
    if (sd < 0) return "sd must be >= 0";
    /* Moment matching: E = exp(mu + s^2/2), Var = (exp(s^2) - 1) E^2.
     * log1p keeps precision when sd << mean. */
    double s2 = log1p((sd / mean) * (sd / mean));
    set(d, SIM_DIST_LOGNORMAL, log(mean) - s2 / 2, sqrt(s2));
    return NULL;
}

const char *sim_dist_lognormal_p99(struct sim_dist *d, double median, double p99)
{
    if (!isfinite(median) || !isfinite(p99)) return "median and p99 must be finite numbers";
    if (median <= 0) return "median must be > 0";
    if (p99 < median) return "p99 must be >= median";
    /* ln X ~ N(mu, sigma): the median is exp(mu), the p99 exp(mu + z99 sigma). */
    double z99 = gsl_cdf_ugaussian_Pinv(0.99);
    set(d, SIM_DIST_LOGNORMAL, log(median), (log(p99) - log(median)) / z99);
    return NULL;
}

const char *sim_dist_gamma(struct sim_dist *d, double mean, double cv)
{
    if (!isfinite(mean) || !isfinite(cv)) return "mean and cv must be finite numbers";
    if (mean <= 0) return "mean must be > 0";
    if (cv <= 0) return "cv must be > 0";
    /* mean = k theta, cv^2 = 1/k. */
    set(d, SIM_DIST_GAMMA, 1 / (cv * cv), mean * cv * cv);
    return NULL;
}

const char *sim_dist_weibull(struct sim_dist *d, double scale, double shape)
{
    if (!isfinite(scale) || !isfinite(shape)) return "scale and shape must be finite numbers";
    if (scale <= 0) return "scale must be > 0";
    if (shape <= 0) return "shape must be > 0";
    set(d, SIM_DIST_WEIBULL, scale, shape);
    return NULL;
}

const char *sim_dist_pareto(struct sim_dist *d, double scale, double shape)
{
    if (!isfinite(scale) || !isfinite(shape)) return "scale and shape must be finite numbers";
    if (scale <= 0) return "scale must be > 0";
    if (shape <= 0) return "shape must be > 0";
    set(d, SIM_DIST_PARETO, shape, scale);
    return NULL;
}

const char *sim_dist_mixture(struct sim_dist *d, size_t n, const double *weights,
                             const struct sim_dist *parts)
{
    if (n == 0) return "mixture needs at least one part";
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(weights[i]) || weights[i] <= 0)
            return "mixture weights must be finite and > 0";
        if (parts[i].kind == SIM_DIST_MIXTURE) return "a mixture part cannot be a mixture";
        total += weights[i];
    }
    if (!isfinite(total)) return "mixture weights must be finite and > 0";

    struct sim_dist *p = sim_xcalloc(n, sizeof *p);
    double *cum = sim_xcalloc(n, sizeof *cum);
    double acc = 0;
    for (size_t i = 0; i < n; i++) {
        sim_dist_copy(&p[i], &parts[i]);
        acc += weights[i];
        cum[i] = acc / total;
    }
    /* Rounding may leave the last sum a hair below 1; a uniform in [0, 1)
     * must always find a part. */
    cum[n - 1] = 1.0;
    set(d, SIM_DIST_MIXTURE, 0, 0);
    d->n = n;
    d->parts = p;
    d->cum = cum;
    return NULL;
}

void sim_dist_copy(struct sim_dist *dst, const struct sim_dist *src)
{
    *dst = *src;
    if (src->kind != SIM_DIST_MIXTURE) return;
    dst->parts = sim_xcalloc(src->n, sizeof *dst->parts);
    dst->cum = sim_xcalloc(src->n, sizeof *dst->cum);
    for (size_t i = 0; i < src->n; i++)
        sim_dist_copy(&dst->parts[i], &src->parts[i]);
    memcpy(dst->cum, src->cum, src->n * sizeof *dst->cum);
}

void sim_dist_fini(struct sim_dist *d)
{
    if (d->kind == SIM_DIST_MIXTURE) {
        for (size_t i = 0; i < d->n; i++)
            sim_dist_fini(&d->parts[i]);
        free(d->parts);
        free(d->cum);
    }
    d->n = 0;
    d->parts = NULL;
    d->cum = NULL;
}

/* Gamma function that overflows to INFINITY instead of raising a GSL error
 * (gsl_sf_gamma signals overflow above x = 171.6 through the error handler,
 * which aborts unless a stream has turned it off). */
static double gamma_fn(double x)
{
    return x < 170 ? gsl_sf_gamma(x) : exp(gsl_sf_lngamma(x));
}

double sim_dist_mean(const struct sim_dist *d)
{
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
    case SIM_DIST_EXPONENTIAL:
        return d->a;
    case SIM_DIST_UNIFORM:
        return (d->a + d->b) / 2;
    case SIM_DIST_NORMAL: {
        if (d->b == 0) return d->a;
        /* Normal truncated below at 0: alpha = -mu/sigma,
         * lambda = phi(alpha) / (1 - Phi(alpha)), mean = mu + sigma lambda. */
        double alpha = -d->a / d->b;
        double lambda = gsl_ran_ugaussian_pdf(alpha) / gsl_cdf_ugaussian_P(-alpha);
        return d->a + d->b * lambda;
    }
    case SIM_DIST_LOGNORMAL:
        return exp(d->a + d->b * d->b / 2);
    case SIM_DIST_GAMMA:
        return d->a * d->b;
    case SIM_DIST_WEIBULL:
        return d->a * gamma_fn(1 + 1 / d->b);
    case SIM_DIST_PARETO:
        return d->a > 1 ? d->b * d->a / (d->a - 1) : HUGE_VAL;
    case SIM_DIST_MIXTURE: {
        double m = 0, prev = 0;
        for (size_t i = 0; i < d->n; i++) {
            m += (d->cum[i] - prev) * sim_dist_mean(&d->parts[i]);
            prev = d->cum[i];
        }
        return m;
    }
    }
    SIM_UNREACHABLE();
}

double sim_dist_var(const struct sim_dist *d)
{
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
        return 0;
    case SIM_DIST_EXPONENTIAL:
        return d->a * d->a;
    case SIM_DIST_UNIFORM:
        return (d->b - d->a) * (d->b - d->a) / 12;
    case SIM_DIST_NORMAL: {
        if (d->b == 0) return 0;
        /* var = sigma^2 (1 + alpha lambda - lambda^2), same alpha, lambda. */
        double alpha = -d->a / d->b;
        double lambda = gsl_ran_ugaussian_pdf(alpha) / gsl_cdf_ugaussian_P(-alpha);
        return d->b * d->b * (1 + alpha * lambda - lambda * lambda);
    }
    case SIM_DIST_LOGNORMAL: {
        double s2 = d->b * d->b;
        return expm1(s2) * exp(2 * d->a + s2);
    }
    case SIM_DIST_GAMMA:
        return d->a * d->b * d->b;
    case SIM_DIST_WEIBULL: {
        double g1 = gamma_fn(1 + 1 / d->b), g2 = gamma_fn(1 + 2 / d->b);
        /* Small shapes overflow both; inf - inf would be NaN. */
        return isfinite(g2) ? d->a * d->a * (g2 - g1 * g1) : HUGE_VAL;
    }
    case SIM_DIST_PARETO: {
        double k = d->a, s = d->b;
        return k > 2 ? s * s * k / ((k - 1) * (k - 1) * (k - 2)) : HUGE_VAL;
    }
    case SIM_DIST_MIXTURE: {
        /* Law of total variance: E[Var] + Var[E] = sum w (v + m^2) - mean^2. */
        double m = sim_dist_mean(d);
        if (!isfinite(m)) return HUGE_VAL;
        double s = 0, prev = 0;
        for (size_t i = 0; i < d->n; i++) {
            double w = d->cum[i] - prev, mi = sim_dist_mean(&d->parts[i]);
            s += w * (sim_dist_var(&d->parts[i]) + mi * mi);
            prev = d->cum[i];
        }
        return isfinite(s) ? fmax(0, s - m * m) : HUGE_VAL;
    }
    }
    SIM_UNREACHABLE();
}

double sim_dist_sample(const struct sim_dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
        return d->a;
    case SIM_DIST_EXPONENTIAL:
        return gsl_ran_exponential(r, d->a);
    case SIM_DIST_UNIFORM:
        return gsl_ran_flat(r, d->a, d->b);
    case SIM_DIST_NORMAL: {
        /* Rejection keeps the shape of the normal above 0 (clamping would put
         * a point mass at 0). mean > 0 bounds the expected draws by 2. */
        double x;
        do
            x = d->a + gsl_ran_gaussian(r, d->b);
        while (x < 0);
        return x;
    }
    case SIM_DIST_LOGNORMAL:
        return gsl_ran_lognormal(r, d->a, d->b);
    case SIM_DIST_GAMMA:
        return gsl_ran_gamma(r, d->a, d->b);
    case SIM_DIST_WEIBULL:
        return gsl_ran_weibull(r, d->a, d->b);
    case SIM_DIST_PARETO:
        return gsl_ran_pareto(r, d->a, d->b);
    case SIM_DIST_MIXTURE: {
        /* Mixtures have a handful of parts: a linear scan beats a binary
         * search at that size. */
        double u = gsl_rng_uniform(r);
        size_t i = 0;
        while (u >= d->cum[i])
            i++;
        return sim_dist_sample(&d->parts[i], r);
    }
    }
    SIM_UNREACHABLE();
}

sim_time sim_dist_sample_time(const struct sim_dist *d, gsl_rng *r)
{
    /* The exponential, the common work time, without the switch's call. */
    double s =
        d->kind == SIM_DIST_EXPONENTIAL ? gsl_ran_exponential(r, d->a) : sim_dist_sample(d, r);
    /* Every kind is >= 0 by construction; the guard makes "never negative"
     * hold without relying on that. A NaN is passed on, not clamped, so that
     * sim_time_from_s() asserts on it instead of hiding a bug. */
    return sim_time_from_s(s < 0 ? 0 : s);
}

const char *sim_dist_kind_name(enum sim_dist_kind kind)
{
    SIM_ASSERT((size_t)kind < NKINDS);
    return kind_names[kind];
}

int sim_dist_kind_from_name(const char *name)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(kind_names[i], name) == 0) return (int)i;
    return -1;
}
