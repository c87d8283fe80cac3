/* sim_hist.c - log-bucketed latency histogram (HdrHistogram's layout).
 *
 * Bucket layout, 128 (SIM_HIST_SUB) buckets per block:
 *   block 0       [0, 2^10)           width 8 ns (the first power's width,
 *                                     extended down to 0)
 *   block j>=1    [2^(9+j), 2^(10+j))  width 2^(2+j) ns
 *   block 32      [2^41, 2^42)        width 2^34 ns; values >= 2^42 land in
 *                                     its last bucket
 * A value's bucket is computed without a loop or a branch on the block:
 * p = floor(log2(v | 2047)) from __builtin_clzll, then
 * index = (p - 10) * 128 + (v >> (p - 7)). For v < 2048, p = 10 and the index
 * is v >> 3 (blocks 0 and 1 together are one linear run of width 8); above,
 * v >> (p - 7) is in [128, 256), the sub-bucket plus one block. Adding is
 * that, a clamp, and five updates (sim_hist.h, inline): it runs several
 * times per completed request.
 *
 * A bucket's width is at most 1/128 of its lower bound from 1024 ns up, and a
 * quantile is reported as the midpoint of the bucket's integer range
 * [lo, lo + w - 1], so the error is at most (w - 1)/2 / lo < 1/256 (0.4%);
 * from 1000 to 1024 ns the 8 ns buckets give at most 3.5/1000 (0.35%).
 * Reporting exactly the min or max when the rank is 1 or n costs nothing, so
 * p0 and p100 are exact.
 *
 * A quantile runs at every sample tick on the interval histograms, so it
 * walks the 33 block sums first and then at most one block's 128 buckets,
 * rather than every bucket from min's up.
 */
#include <math.h>
#include <string.h>

#include "sim_assert.h"
#include "sim_hist.h"

/* Lowest value and width of bucket i. */
static void bucket_range(unsigned i, double *lo, double *width)
{
    unsigned block = i >> SIM_HIST_SUB_BITS, sub = i & (SIM_HIST_SUB - 1);
    if (block == 0) {
        double w = (double)(1u << (SIM_HIST_LOW_BITS - SIM_HIST_SUB_BITS));
        *lo = sub * w;
        *width = w;
    } else {
        double w = ldexp(1.0, (int)block + SIM_HIST_LOW_BITS - SIM_HIST_SUB_BITS - 1);
        *lo = (SIM_HIST_SUB + sub) * w;
        *width = w;
    }
}

/* The block of v's bucket. */
static unsigned block_of(int64_t v)
{
    return sim_hist__bucket(v) >> SIM_HIST_SUB_BITS;
}

void sim_hist_init(struct sim_hist *h)
{
    memset(h, 0, sizeof *h); /* all zero is empty (sim_hist.h) */
}

void sim_hist_clear(struct sim_hist *h)
{
    /* Only the blocks between min's and max's can be non-zero, and of those
     * only the ones that count something: a histogram cleared every sample
     * interval costs what it holds, not 33 KB. */
    if (h->n > 0) {
        unsigned lo = block_of(h->min);
        unsigned hi = block_of(h->max);
        for (unsigned j = lo; j <= hi; j++) {
            if (h->block[j] == 0) continue;
            h->block[j] = 0;
            memset(&h->bucket[j << SIM_HIST_SUB_BITS], 0, sizeof h->bucket[0] * SIM_HIST_SUB);
        }
    }
    h->n = 0;
    h->sum = 0;
    h->min = h->max = 0;
}

void sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src)
{
    if (src->n == 0) return;
    if (dst->n == 0) {
        dst->min = src->min;
        dst->max = src->max;
    } else {
        if (src->min < dst->min) dst->min = src->min;
        if (src->max > dst->max) dst->max = src->max;
    }
    dst->n += src->n;
    dst->sum += src->sum;
    /* As in sim_hist_clear, only src's occupied blocks: the sampler merges
     * every service's interval into its run histogram. */
    unsigned lo = block_of(src->min);
    unsigned hi = block_of(src->max);
    for (unsigned j = lo; j <= hi; j++) {
        if (src->block[j] == 0) continue;
        dst->block[j] += src->block[j];
        uint64_t *d = &dst->bucket[j << SIM_HIST_SUB_BITS];
        const uint64_t *s = &src->bucket[j << SIM_HIST_SUB_BITS];
        for (unsigned i = 0; i < SIM_HIST_SUB; i++)
            d[i] += s[i];
    }
}

double sim_hist_quantile(const struct sim_hist *h, double q)
{
    if (h->n == 0) return 0;
    /* Nearest rank ceil(q n). q n is computed in floating point, where
     * 0.999 * 1000 may come out a hair above 999; the 1e-9 keeps such a
     * product on its integer rank. */
    double x = ceil(q * (double)h->n - 1e-9);
    uint64_t rank = x < 1 ? 1 : x >= (double)h->n ? h->n : (uint64_t)x;
    if (rank == 1) return (double)h->min;
    if (rank == h->n) return (double)h->max;
    /* Whole blocks first (those below min's are empty), then the buckets of
     * the block where the count reaches rank: the same bucket as a scan of
     * every bucket, in at most 33 + 128 steps. */
    uint64_t cum = 0;
    unsigned j = block_of(h->min);
    for (; j < SIM_HIST_BLOCKS; j++) {
        if (cum + h->block[j] >= rank) break;
        cum += h->block[j];
    }
    SIM_ASSERT(j < SIM_HIST_BLOCKS); /* the blocks hold n values */
    unsigned i = j << SIM_HIST_SUB_BITS;
    for (;; i++) {
        cum += h->bucket[i];
        if (cum >= rank) break;
    }
    double lo, w;
    bucket_range(i, &lo, &w);
    double mid = lo + (w - 1) / 2;
    return fmin(fmax(mid, (double)h->min), (double)h->max);
}

double sim_hist_mean(const struct sim_hist *h)
{
    return h->n ? h->sum / (double)h->n : 0;
}
