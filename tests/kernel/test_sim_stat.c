/* test_sim_stat.c - tallies against two-pass formulas, levels against hand
 * computation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/kernel/sim_stat.h"

#define N 10000
/* Summing N doubles carries a relative error up to about N * 2^-53 = 1.1e-12,
 * whichever order; means are compared at that. Variances of data offset by
 * 1e9 with sd ~2 lose a further factor offset/sd ~ 5e8 of eps (each x is
 * only known to 1.2e-7 absolute), so they are compared at 1e-6. */
#define MEAN_TOL 1e-12
#define VAR_TOL  1e-6

static void close_to(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want))) {
        print_error("got %.17g, want %.17g (relative tolerance %g)\n", got, want, rel);
        fail();
    }
}

/* Latency-like data far from 0: a large common offset is what breaks the
 * textbook sum-of-squares formula, so it is what Welford must survive. */
static void fill(double *x, size_t n)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 7);
    for (size_t i = 0; i < n; i++)
        x[i] = 1e9 + gsl_ran_lognormal(r, 0, 1);
    gsl_rng_free(r);
}

static void two_pass(const double *x, size_t n, double *mean, double *var)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    *mean = s / (double)n;
    double ss = 0, c = 0;
    for (size_t i = 0; i < n; i++) {
        ss += (x[i] - *mean) * (x[i] - *mean);
        c += x[i] - *mean;
    }
    /* Corrected two-pass (Chan, Golub, LeVeque): removes the mean's own
     * rounding error from the sum of squares. */
    *var = (ss - c * c / (double)n) / (double)(n - 1);
}

static void test_welford_matches_two_pass_on_data_with_a_large_offset(void **state)
{
    (void)state;
    static double x[N];
    fill(x, N);
    struct sim_tally t;
    sim_tally_init(&t);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < N; i++) {
        sim_tally_add(&t, x[i]);
        lo = fmin(lo, x[i]);
        hi = fmax(hi, x[i]);
    }
    double mean, var;
    two_pass(x, N, &mean, &var);
    assert_int_equal(t.n, N);
    close_to(t.mean, mean, MEAN_TOL);
    /* The variance is about 4.7 on values of 1e9: the naive formula would
     * lose all of it (1e18 * 1e-16 = 100). */
    close_to(sim_tally_var(&t), var, VAR_TOL);
    close_to(sim_tally_sd(&t), sqrt(var), VAR_TOL);
    assert_true(t.min == lo && t.max == hi);
}

static void test_merge_equals_a_single_pass(void **state)
{
    (void)state;
    static double x[N];
    fill(x, N);
    struct sim_tally all, part[3], merged;
    sim_tally_init(&all);
    for (int k = 0; k < 3; k++)
        sim_tally_init(&part[k]);
    for (size_t i = 0; i < N; i++) {
        sim_tally_add(&all, x[i]);
        sim_tally_add(&part[i < 17 ? 0 : i < 6000 ? 1 : 2], x[i]);
    }
    sim_tally_init(&merged);
    struct sim_tally empty;
    sim_tally_init(&empty);
    sim_tally_merge(&merged, &empty); /* empty into empty */
    for (int k = 0; k < 3; k++)
        sim_tally_merge(&merged, &part[k]);
    sim_tally_merge(&merged, &empty); /* empty into non-empty */
    assert_int_equal(merged.n, all.n);
    close_to(merged.mean, all.mean, MEAN_TOL);
    close_to(sim_tally_var(&merged), sim_tally_var(&all), VAR_TOL);
    assert_true(merged.min == all.min && merged.max == all.max);
}

static void test_empty_and_single_tallies_have_zero_variance(void **state)
{
    (void)state;
    struct sim_tally t;
    sim_tally_init(&t);
    assert_int_equal(t.n, 0);
    assert_true(sim_tally_var(&t) == 0 && t.mean == 0 && t.min == 0 && t.max == 0);
    sim_tally_add(&t, -3.5);
    assert_true(sim_tally_var(&t) == 0 && t.mean == -3.5 && t.min == -3.5 && t.max == -3.5);
    sim_tally_add(&t, 2.5);
    assert_true(t.mean == -0.5 && sim_tally_var(&t) == 18 && t.min == -3.5 && t.max == 2.5);
}

static void test_level_mean_is_time_weighted(void **state)
{
    (void)state;
    /* 0 on [0,2), 3 on [2,5), 1 on [5,10]: (0*2 + 3*3 + 1*5) / 10 = 1.4. */
    struct sim_level l;
    sim_level_init(&l, 0, 0);
    sim_level_set(&l, 2 * SIM_S, 3);
    sim_level_set(&l, 5 * SIM_S, 1);
    close_to(sim_level_mean(&l, 10 * SIM_S), 1.4, 1e-15);
    assert_true(l.max == 3 && l.value == 1);
    /* Asking does not update: asking again later extends the last value. */
    close_to(sim_level_mean(&l, 20 * SIM_S), (9.0 + 15.0) / 20, 1e-15);
}

static void test_level_add_moves_by_delta_and_same_instant_changes_weigh_nothing(void **state)
{
    (void)state;
    struct sim_level l;
    sim_level_init(&l, 0, 2);
    sim_level_add(&l, SIM_S, 1);  /* 3 from 1 s */
    sim_level_add(&l, SIM_S, 5);  /* 8 for no time at all */
    sim_level_add(&l, SIM_S, -6); /* 2 from 1 s */
    sim_level_add(&l, 3 * SIM_S, -2);
    /* 2 on [0,1), 2 on [1,3), 0 on [3,4] -> 6 / 4; the 8 counts only in max. */
    close_to(sim_level_mean(&l, 4 * SIM_S), 1.5, 1e-15);
    assert_true(l.max == 8);
}

static void test_level_mean_at_its_start_is_the_current_value(void **state)
{
    (void)state;
    struct sim_level l;
    sim_level_init(&l, 5 * SIM_S, 7);
    assert_true(sim_level_mean(&l, 5 * SIM_S) == 7);
}

static void test_level_reset_at_warmup_forgets_the_past_but_keeps_the_value(void **state)
{
    (void)state;
    struct sim_level l;
    sim_level_init(&l, 0, 5);
    sim_level_set(&l, SIM_S, 100);
    sim_level_set(&l, 1500 * SIM_MS, 10);
    sim_level_reset(&l, 2 * SIM_S); /* warm-up ends: 10 carries over */
    assert_true(l.value == 10 && l.max == 10);
    sim_level_set(&l, 4 * SIM_S, 0);
    /* 10 on [2,4), 0 on [4,6]: 20 / 4 = 5; the 100 before warm-up is gone. */
    close_to(sim_level_mean(&l, 6 * SIM_S), 5, 1e-15);
    assert_true(l.max == 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_welford_matches_two_pass_on_data_with_a_large_offset),
        cmocka_unit_test(test_merge_equals_a_single_pass),
        cmocka_unit_test(test_empty_and_single_tallies_have_zero_variance),
        cmocka_unit_test(test_level_mean_is_time_weighted),
        cmocka_unit_test(test_level_add_moves_by_delta_and_same_instant_changes_weigh_nothing),
        cmocka_unit_test(test_level_mean_at_its_start_is_the_current_value),
        cmocka_unit_test(test_level_reset_at_warmup_forgets_the_past_but_keeps_the_value),
    };
    return cmocka_run_group_tests_name("sim_stat", tests, NULL, NULL);
}
