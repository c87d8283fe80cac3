/* compare.h - `domino compare`: variants side by side, paired differences.
 *
 * Input: every variant's per-replication summary trees (run_options.runs),
 * variant-major. Replication r of every variant ran on the same random
 * streams (the seed and replication name them), so the difference of a
 * metric between two variants is taken per replication, d_r = x_v,r -
 * x_first,r, and its spread is the spread of d: what both variants share
 * (the same arrivals, the same service times) cancels, and the interval is
 * much narrower than one built from two independent samples.
 *
 * Rows, in this order: for each load source (the order of the file)
 * `L success_rate`, `L goodput_rps`, `L p99_ms` (load.L.latency_ms.p99);
 * then for each service `S blocked_fraction`; for each saga `G completed`,
 * `G inconsistent`, `G stuck`, `G duplicates`; for each projection
 * `P stale_reads`, `P lag_p99_ms`. A source or service that only
 * some variants have gets a row, blank where it is missing. A value that is
 * null in summary.json (no completed request, unlimited threads) is left out
 * of means and pairs; when none is left the cell is "-" (empty in CSV).
 *
 * Output: an aligned table for a terminal (at most 120 columns: more
 * variants are cut into blocks, each repeating the metric and the first
 * variant), or tidy CSV with the header
 * `metric,variant,mean,ci95,diff,diff_ci95`. The trees are only read.
 *
 * The rows are shared: `domino sweep` writes the same metrics per grid point
 * (compare_metrics, compare_value), numbers printed by the same rule.
 */
#ifndef COMPARE_H
#define COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct report;

enum compare_format { COMPARE_TABLE, COMPARE_CSV };

struct compare_input {
    const char *scenario;
    uint64_t seed;
    int replications;            /* R >= 1 */
    int nvariants;               /* >= 1; the first is the reference */
    const char *const *variants; /* names */
    struct report *const *runs;  /* nvariants * R trees, runs[v * R + r] */
};

/* One row: a number of one load source or service in a summary tree. */
struct compare_metric_def; /* which number; private to compare.c */
struct compare_metric {
    const char *section; /* summary.json's: load, services, sagas or projections */
    const char *name;    /* the load, service, saga or projection; points into a tree */
    const struct compare_metric_def *def;
    char label[160]; /* "L success_rate", "S blocked_fraction" */
};

/* The rows for trees[0], trees[stride], ... trees[(ntrees - 1) * stride], in
 * the order above (a name only some trees have is included). *out is
 * allocated (the caller frees it) and its names point into the trees, which
 * must outlive it. Returns the number of rows. */
int compare_metrics(struct report *const *trees, int ntrees, int stride,
                    struct compare_metric **out);

/* The row's number in one tree; NaN when absent or null. */
double compare_value(const struct report *tree, const struct compare_metric *m);

/* Whether the row is a fraction (success_rate, blocked_fraction, stale_reads). */
bool compare_metric_rate(const struct compare_metric *m);

/* The summary section ("load", "services", "sagas", "projections") of a row
 * label's suffix (`success_rate`, `blocked_fraction`, `stuck`, ...), NULL
 * for another word. */
const char *compare_metric_section(const char *suffix);

/* Mean of the n values of x that are finite, and the half-width of its 95%
 * confidence interval: t_{0.975, m-1} * sd / sqrt(m) over the m finite
 * values. mean is NaN when m = 0, ci NaN when m < 2. */
void compare_mean(const double *x, int n, double *mean, double *ci);

/* The same for the paired differences b[i] - a[i] over the pairs where both
 * are finite. Identical inputs give exactly 0 and 0. */
void compare_paired(const double *a, const double *b, int n, double *mean, double *ci);

/* Writes the comparison to f; false when the write failed. */
bool compare_write(const struct compare_input *in, enum compare_format fmt, FILE *f);

#endif
