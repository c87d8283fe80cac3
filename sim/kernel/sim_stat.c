/* sim_stat.c - tallies (Welford, Chan merge) and time-weighted levels.
 *
 * Tallies use Welford's update rather than sums of x and x^2: latencies in
 * nanoseconds squared reach 1e24, where the textbook formula
 * (sum x^2 - n mean^2) loses every significant digit to cancellation. The
 * cost is one division per observation. Merging uses Chan, Golub and
 * LeVeque's pairwise formula, exact in exact arithmetic, so a merged tally
 * equals the single-pass one up to rounding.
 *
 * An empty tally reports min = max = 0 (not +-INFINITY) so that a writer that
 * prints the fields of a tally with no observations prints numbers; add and
 * merge treat n == 0 specially instead.
 *
 * A level's integral is a double of value x nanoseconds: a one-hour run with
 * values up to 1e4 stays below 4e16, where a double still resolves a unit.
 */
#include <math.h>

#include "sim_assert.h"
#include "sim_stat.h"

void sim_tally_init(struct sim_tally *t)
{
    t->n = 0;
    t->mean = t->m2 = t->min = t->max = 0;
}

void sim_tally_add(struct sim_tally *t, double x)
{
    if (t->n == 0) {
        t->min = t->max = x;
    } else {
        if (x < t->min) t->min = x;
        if (x > t->max) t->max = x;
    }
    t->n++;
    double d = x - t->mean;
    t->mean += d / (double)t->n;
    t->m2 += d * (x - t->mean);
}

void sim_tally_merge(struct sim_tally *dst, const struct sim_tally *src)
{
    if (src->n == 0) return;
    if (dst->n == 0) {
        *dst = *src;
        return;
    }
    double na = (double)dst->n, nb = (double)src->n, n = na + nb;
    double d = src->mean - dst->mean;
    dst->mean += d * (nb / n);
    dst->m2 += src->m2 + d * d * (na * nb / n);
    dst->n += src->n;
    if (src->min < dst->min) dst->min = src->min;
    if (src->max > dst->max) dst->max = src->max;
}

double sim_tally_var(const struct sim_tally *t)
{
    return t->n < 2 ? 0 : t->m2 / (double)(t->n - 1);
}

double sim_tally_sd(const struct sim_tally *t)
{
    return sqrt(sim_tally_var(t));
}

void sim_level_init(struct sim_level *l, sim_time now, double value)
{
    l->value = value;
    l->area = 0;
    l->max = value;
    l->start = l->last = now;
}

void sim_level_reset(struct sim_level *l, sim_time now)
{
    SIM_ASSERT(now >= l->last);
    l->area = 0;
    l->max = l->value;
    l->start = l->last = now;
}

double sim_level_mean(const struct sim_level *l, sim_time now)
{
    SIM_ASSERT(now >= l->last);
    if (now == l->start) return l->value;
    /* The segment since the last update has not been added to area yet. */
    double area = l->area + l->value * (double)(now - l->last);
    return area / (double)(now - l->start);
}
