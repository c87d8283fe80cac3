/* sim_hist.h - log-bucketed latency histogram.
 *
 * Values are nanoseconds. Buckets follow HdrHistogram's idea: each power of
 * two from 1 us upward is split into SIM_HIST_SUB linear sub-buckets, so a
 * bucket's width is at most 1/SIM_HIST_SUB of its lower bound; a quantile is
 * reported as the bucket's midpoint (clamped to the exact min and max), so its
 * relative error is at most 1/(2*SIM_HIST_SUB) < 1% over 1 us .. 1 h. Values
 * below 1 us share the first power's buckets linearly from 0; values above the
 * top are clamped to the last bucket (the exact max is kept separately).
 *
 * Memory is constant (the bucket array is inline, about 34 KiB), so histograms
 * never grow with simulated duration. Merging adds buckets: exact, and
 * associative, so replications merge in any order with the same result.
 *
 * Quantile definition (nearest rank): the smallest recorded value v such that
 * at least ceil(q * n) values are <= v; q in (0, 1]. 0 when empty.
 */
#ifndef SIM_HIST_H
#define SIM_HIST_H

#include <stdint.h>

#include "sim_assert.h"

#define SIM_HIST_SUB_BITS 7
#define SIM_HIST_SUB      (1 << SIM_HIST_SUB_BITS)
/* 1 us = 2^10 ns is the first power covered; 1 h = 3.6e12 ns < 2^42. */
#define SIM_HIST_LOW_BITS  10
#define SIM_HIST_HIGH_BITS 42
#define SIM_HIST_BLOCKS    (SIM_HIST_HIGH_BITS - SIM_HIST_LOW_BITS + 1)
#define SIM_HIST_BUCKETS   (SIM_HIST_BLOCKS * SIM_HIST_SUB)

/* min and max are 0 when n is 0. block[j] is the sum of the SIM_HIST_SUB
 * buckets of block j: a quantile skips whole blocks and a clear skips empty
 * ones, for one more increment per add. */
struct sim_hist {
    uint64_t n;
    double sum;
    int64_t min, max;
    uint64_t block[SIM_HIST_BLOCKS];
    uint64_t bucket[SIM_HIST_BUCKETS];
};

/* Empties h. All-zero bytes are the same empty histogram, so one in zeroed
 * memory needs no init (and touches no page until it is used). */
void sim_hist_init(struct sim_hist *h);

/* The bucket of v >= 0 (layout in sim_hist.c). */
static inline unsigned sim_hist__bucket(int64_t v)
{
    if (v >= (INT64_C(1) << SIM_HIST_HIGH_BITS)) return SIM_HIST_BUCKETS - 1;
    uint64_t u = (uint64_t)v;
    unsigned p =
        63u - (unsigned)__builtin_clzll(u | ((UINT64_C(1) << (SIM_HIST_LOW_BITS + 1)) - 1));
    return ((p - SIM_HIST_LOW_BITS) << SIM_HIST_SUB_BITS) +
           (unsigned)(u >> (p - SIM_HIST_SUB_BITS));
}

/* Inline: every completed request adds to two to four histograms. */
static inline void sim_hist_add(struct sim_hist *h, int64_t ns)
{
    SIM_ASSERT(ns >= 0);
    /* An empty histogram's max is 0 and ns >= 0, so max needs no special
     * case for the first value; min does. */
    if (h->n == 0 || ns < h->min) h->min = ns;
    if (ns > h->max) h->max = ns;
    h->n++;
    h->sum += (double)ns;
    unsigned b = sim_hist__bucket(ns);
    h->bucket[b]++;
    h->block[b >> SIM_HIST_SUB_BITS]++;
}
/* Empties h as sim_hist_init does; clear and merge visit only the occupied
 * blocks. */
void sim_hist_clear(struct sim_hist *h);
void sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src);
/* Quantile in nanoseconds (see the definition above). */
double sim_hist_quantile(const struct sim_hist *h, double q);
double sim_hist_mean(const struct sim_hist *h);

#endif
