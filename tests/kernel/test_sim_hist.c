/* test_sim_hist.c - histogram quantiles against exact sorted quantiles.
 *
 * The contract: at most 1% relative error for values in [1 us, 1 h]. The
 * layout gives 1/256 in the worst case, so the 1% checks below have slack by
 * construction; a bucket-index bug moves values by whole buckets or powers of
 * two and fails them.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/kernel/sim_hist.h"
#include "sim/kernel/sim_time.h"

#define N   1000000
#define REL 0.01

static const double quantiles[] = {0.5, 0.9, 0.99, 0.999, 1.0};

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Exact nearest rank on sorted data: the ceil(q n)-th smallest value. */
static int64_t exact_quantile(const int64_t *sorted, size_t n, double q)
{
    size_t rank = (size_t)ceil(q * (double)n - 1e-9);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return sorted[rank - 1];
}

static void rel_within(const char *what, double q, double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * want)) {
        print_error("%s q=%g: histogram %.0f, exact %.0f, relative error %.4f%%\n", what, q, got,
                    want, 100 * fabs(got - want) / want);
        fail();
    }
}

static struct sim_hist *hist_new(void)
{
    struct sim_hist *h = malloc(sizeof *h);
    assert_non_null(h);
    sim_hist_init(h);
    return h;
}

/* Fills x with n values in [1 us, 1 h] drawn by `kind`. */
static void fill(int64_t *x, size_t n, int kind, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, seed);
    for (size_t i = 0; i < n;) {
        /* lognormal: median 1 ms, sigma 3 covers 1 us .. 1 h (e^{+-6.9},
         * e^{8.2}); exponential: mean 1 s. */
        double s = kind == 0 ? gsl_ran_lognormal(r, log(1e-3), 3) : gsl_ran_exponential(r, 1.0);
        int64_t v = sim_time_from_s(s);
        if (v >= SIM_US && v <= SIM_HOUR) x[i++] = v;
    }
    gsl_rng_free(r);
}

static void check_against_exact(int kind, const char *what)
{
    int64_t *x = malloc(N * sizeof *x);
    assert_non_null(x);
    fill(x, N, kind, 11 + (unsigned long)kind);
    struct sim_hist *h = hist_new();
    double sum = 0;
    for (size_t i = 0; i < N; i++) {
        sim_hist_add(h, x[i]);
        sum += (double)x[i];
    }
    qsort(x, N, sizeof *x, cmp_i64);
    assert_int_equal(h->n, N);
    assert_int_equal(h->min, x[0]);
    assert_int_equal(h->max, x[N - 1]);
    assert_true(fabs(sim_hist_mean(h) - sum / N) <= 1e-12 * (sum / N));
    for (size_t k = 0; k < sizeof quantiles / sizeof quantiles[0]; k++) {
        double q = quantiles[k];
        rel_within(what, q, sim_hist_quantile(h, q), (double)exact_quantile(x, N, q), REL);
    }
    /* And every 0.1% in between, to reach every decade the data covers. */
    for (int k = 1; k <= 1000; k++) {
        double q = k / 1000.0;
        rel_within(what, q, sim_hist_quantile(h, q), (double)exact_quantile(x, N, q), REL);
    }
    free(h);
    free(x);
}

static void test_percentiles_of_lognormal_data_are_within_one_percent(void **state)
{
    (void)state;
    check_against_exact(0, "lognormal");
}

static void test_percentiles_of_exponential_data_are_within_one_percent(void **state)
{
    (void)state;
    check_against_exact(1, "exponential");
}

static void test_every_value_from_1us_to_1h_lands_within_half_a_bucket(void **state)
{
    (void)state;
    /* A value between a tiny and a huge one is the median, so the median
     * reports its bucket: this checks the bucket of each value on its own,
     * including every power of two and its neighbours, against the layout's
     * own bound (sim_hist.h): half a bucket, under 1/256 of the value. */
    struct sim_hist *h = hist_new();
    for (int p = 10; p <= 41; p++) {
        for (int d = -1; d <= 1; d++) {
            int64_t v = (INT64_C(1) << p) + d;
            sim_hist_init(h);
            sim_hist_add(h, 0);
            sim_hist_add(h, v);
            sim_hist_add(h, SIM_HOUR * 10);
            rel_within("power of two", 0.5, sim_hist_quantile(h, 0.5), (double)v, 1.0 / 256);
        }
    }
    for (double v = 1000; v <= 3.6e12; v *= 1.0007) {
        sim_hist_init(h);
        sim_hist_add(h, 0);
        sim_hist_add(h, (int64_t)v);
        sim_hist_add(h, SIM_HOUR * 10);
        rel_within("log grid", 0.5, sim_hist_quantile(h, 0.5), (double)(int64_t)v, 1.0 / 256);
    }
    free(h);
}

static void test_merge_equals_adding_everything_to_one_histogram(void **state)
{
    (void)state;
    int64_t *x = malloc(N * sizeof *x);
    assert_non_null(x);
    fill(x, N, 0, 99);
    struct sim_hist *all = hist_new(), *a = hist_new(), *b = hist_new(), *m = hist_new();
    for (size_t i = 0; i < N; i++) {
        sim_hist_add(all, x[i]);
        sim_hist_add(i % 3 ? a : b, x[i]);
    }
    struct sim_hist *empty = hist_new();
    sim_hist_merge(m, empty); /* empty into empty stays empty */
    assert_int_equal(m->n, 0);
    sim_hist_merge(m, a);
    sim_hist_merge(m, b);
    sim_hist_merge(m, empty);
    assert_int_equal(m->n, all->n);
    assert_int_equal(m->min, all->min);
    assert_int_equal(m->max, all->max);
    assert_memory_equal(m->bucket, all->bucket, sizeof all->bucket);
    assert_memory_equal(m->block, all->block, sizeof all->block);
    /* Sums of up to 1e6 values near 1e12 pass 2^53, so order may round. */
    assert_true(fabs(m->sum - all->sum) <= 1e-12 * all->sum);
    for (size_t k = 0; k < sizeof quantiles / sizeof quantiles[0]; k++)
        assert_true(sim_hist_quantile(m, quantiles[k]) == sim_hist_quantile(all, quantiles[k]));
    free(all);
    free(a);
    free(b);
    free(m);
    free(empty);
    free(x);
}

/* The sampler clears its interval histograms block by block: what is left
 * must be a fresh histogram, whatever the values spanned, so the next
 * interval's quantiles are those of its own values only. */
static void test_clear_leaves_a_fresh_histogram(void **state)
{
    (void)state;
    struct sim_hist *h = hist_new(), *fresh = hist_new(), *once = hist_new();
    const int64_t spans[][2] = {{0, 1}, {5, 900}, {SIM_US, SIM_HOUR}, {0, INT64_MAX}};
    for (size_t k = 0; k < sizeof spans / sizeof spans[0]; k++) {
        for (int64_t v = spans[k][0]; v <= spans[k][1] && v < INT64_MAX / 4; v = v * 3 + 7)
            sim_hist_add(h, v);
        sim_hist_add(h, spans[k][1]);
        sim_hist_clear(h);
        assert_memory_equal(h, fresh, sizeof *h);
    }
    for (int i = 1; i <= 1000; i++) {
        sim_hist_add(h, (int64_t)i * 777);
        sim_hist_add(once, (int64_t)i * 777);
    }
    for (size_t k = 0; k < sizeof quantiles / sizeof quantiles[0]; k++)
        assert_true(sim_hist_quantile(h, quantiles[k]) == sim_hist_quantile(once, quantiles[k]));
    free(h);
    free(fresh);
    free(once);
}

static void test_empty_histogram_reports_zero(void **state)
{
    (void)state;
    struct sim_hist *h = hist_new();
    assert_int_equal(h->n, 0);
    assert_true(sim_hist_mean(h) == 0);
    for (size_t k = 0; k < sizeof quantiles / sizeof quantiles[0]; k++)
        assert_true(sim_hist_quantile(h, quantiles[k]) == 0);
    free(h);
}

static void test_values_below_1us_share_8ns_buckets_from_zero(void **state)
{
    (void)state;
    struct sim_hist *h = hist_new();
    const int64_t values[] = {0, 1, 7, 8, 9, 500, 999, 1023};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        sim_hist_init(h);
        sim_hist_add(h, 0);
        sim_hist_add(h, values[i]);
        sim_hist_add(h, SIM_HOUR);
        /* A bucket of 8 integers reports its centre: at most 3.5 ns off. */
        assert_true(fabs(sim_hist_quantile(h, 0.5) - (double)values[i]) <= 3.5);
    }
    /* A lone small value is exact: min and max clamp it. */
    sim_hist_init(h);
    sim_hist_add(h, 3);
    assert_true(sim_hist_quantile(h, 0.5) == 3);
    free(h);
}

static void test_values_above_1h_are_counted_with_an_exact_max(void **state)
{
    (void)state;
    struct sim_hist *h = hist_new();
    const int64_t top = INT64_C(1) << SIM_HIST_HIGH_BITS;
    sim_hist_add(h, SIM_MS);
    sim_hist_add(h, 2 * SIM_HOUR);
    sim_hist_add(h, 1000 * SIM_HOUR);
    sim_hist_add(h, INT64_MAX);
    assert_int_equal(h->n, 4);
    assert_int_equal(h->bucket[SIM_HIST_BUCKETS - 1], 3);
    assert_int_equal(h->max, INT64_MAX);
    assert_true(sim_hist_quantile(h, 1.0) == (double)INT64_MAX);
    assert_true(sim_hist_quantile(h, 0.25) == (double)SIM_MS);
    /* Clamped values report from the last bucket, near the top. */
    double p50 = sim_hist_quantile(h, 0.5);
    assert_true(p50 >= (double)top * (1 - 1.0 / SIM_HIST_SUB) && p50 <= (double)top);
    free(h);
}

static void test_rank_rounding_picks_the_nearest_rank(void **state)
{
    (void)state;
    /* 1000 distinct values far apart: p99.9 is the 999th, not the 1000th,
     * although 0.999 * 1000 is not exactly 999 in binary. */
    struct sim_hist *h = hist_new();
    for (int i = 1; i <= 1000; i++)
        sim_hist_add(h, (int64_t)i * SIM_MS);
    rel_within("ranks", 0.999, sim_hist_quantile(h, 0.999), 999.0 * SIM_MS, 1.0 / 256);
    rel_within("ranks", 0.5, sim_hist_quantile(h, 0.5), 500.0 * SIM_MS, 1.0 / 256);
    assert_true(sim_hist_quantile(h, 0.001) == (double)SIM_MS);
    assert_true(sim_hist_quantile(h, 1e-9) == (double)SIM_MS);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentiles_of_lognormal_data_are_within_one_percent),
        cmocka_unit_test(test_percentiles_of_exponential_data_are_within_one_percent),
        cmocka_unit_test(test_every_value_from_1us_to_1h_lands_within_half_a_bucket),
        cmocka_unit_test(test_merge_equals_adding_everything_to_one_histogram),
        cmocka_unit_test(test_clear_leaves_a_fresh_histogram),
        cmocka_unit_test(test_empty_histogram_reports_zero),
        cmocka_unit_test(test_values_below_1us_share_8ns_buckets_from_zero),
        cmocka_unit_test(test_values_above_1h_are_counted_with_an_exact_max),
        cmocka_unit_test(test_rank_rounding_picks_the_nearest_rank),
    };
    return cmocka_run_group_tests_name("sim_hist", tests, NULL, NULL);
}
