/* sim_stat.h - running statistics: tallies and time-weighted levels.
 *
 * sim_tally: count, mean, variance (Welford), min, max of observations;
 * mergeable (Chan et al.'s parallel formula) so replications and parallel
 * branches combine without keeping samples.
 *
 * sim_level: a quantity that holds a value over time (busy threads, queue
 * length, connections in use). Updated on change with the current time; the
 * mean is the time-weighted average over [start, now]. sim_level_reset()
 * restarts the average at the end of the warm-up while keeping the value.
 * Time moves forward only: an update with an earlier time is a bug (assert).
 */
#ifndef SIM_STAT_H
#define SIM_STAT_H

#include <stdint.h>

#include "sim_time.h"

struct sim_tally {
    uint64_t n;
    double mean, m2, min, max;
};

void sim_tally_init(struct sim_tally *t);
void sim_tally_add(struct sim_tally *t, double x);
void sim_tally_merge(struct sim_tally *dst, const struct sim_tally *src);
double sim_tally_var(const struct sim_tally *t); /* sample variance, n-1; 0 if n < 2 */
double sim_tally_sd(const struct sim_tally *t);

struct sim_level {
    double value;   /* current value */
    double area;    /* integral of value over [start, last] */
    double max;     /* largest value since start */
    sim_time start; /* when averaging began */
    sim_time last;  /* time of the last update */
};

void sim_level_init(struct sim_level *l, sim_time now, double value);
static inline void sim_level_set(struct sim_level *l, sim_time now, double value)
{
    l->area += l->value * (double)(now - l->last);
    l->last = now;
    l->value = value;
    if (value > l->max) l->max = value;
}
static inline void sim_level_add(struct sim_level *l, sim_time now, double delta)
{
    sim_level_set(l, now, l->value + delta);
}
void sim_level_reset(struct sim_level *l, sim_time now);
/* Time-weighted mean over [start, now]; the current value if now == start. */
double sim_level_mean(const struct sim_level *l, sim_time now);

#endif
