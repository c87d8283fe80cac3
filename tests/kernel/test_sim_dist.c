/* test_sim_dist.c - distributions against their theory.
 *
 * Moment checks draw N = 1e6 samples and require
 *   |sample mean - mean| <= 4 sqrt(var / N)
 *   |sample var  - var | <= 4 sqrt((m4 - s^4) / N)
 * The second is the large-sample standard error of the sample variance:
 * Var(s^2) = (mu4 - sigma^4)/N + O(1/N^2), with mu4 the fourth central
 * moment, estimated here from the same sample. That estimate is stable only
 * when the eighth moment exists and E[X^8] / E[X^4]^2 is well below N, which
 * picks the parameters: Pareto shape 10 (moments of order < shape exist;
 * ratio 1.8), lognormal cv <= 1 (ratio (1 + cv^2)^16 = 65536 at cv = 1, but
 * 1.5e11 at cv = 2), gamma cv 2 (440), Weibull shape 0.7 (640). With a fixed seed each check either
 * always passes or always fails; at 4 standard errors a correct sampler fails
 * a given check with probability about 6e-5, so a failure means a bug, not
 * bad luck, and the bounds were derived, not tuned to the seed.
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

#include "sim/kernel/sim_dist.h"
#include "sim/kernel/sim_rng.h"

#define N 1000000
#define Z 4.0

/* A generator seeded per check, so checks do not share draws. */
static gsl_rng *rng_for(const char *what)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, (unsigned long)sim_rng_seed(20240601, 0, what));
    return r;
}

static double *draw(const struct sim_dist *d, const char *what)
{
    gsl_rng *r = rng_for(what);
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < N; i++)
        x[i] = sim_dist_sample(d, r);
    gsl_rng_free(r);
    return x;
}

static void within(const char *what, const char *stat, double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s: %s = %.9g, theory %.9g, tolerance %.3g (%.2f SE)\n", what, stat, got, want,
                    tol, fabs(got - want) / (tol / Z));
        fail();
    }
}

static void check_moments(const struct sim_dist *d, const char *what)
{
    double *x = draw(d, what);
    double mean = 0;
    for (size_t i = 0; i < N; i++)
        mean += x[i];
    mean /= N;
    double m2 = 0, m4 = 0;
    for (size_t i = 0; i < N; i++) {
        double e = (x[i] - mean) * (x[i] - mean);
        m2 += e;
        m4 += e * e;
    }
    free(x);
    double s2 = m2 / (N - 1);
    m4 /= N;

    double mu = sim_dist_mean(d), var = sim_dist_var(d);
    assert_true(isfinite(mu) && isfinite(var));
    within(what, "mean", mean, mu, Z * sqrt(var / N));
    within(what, "variance", s2, var, Z * sqrt((m4 - s2 * s2) / N));
}

static void test_exponential_matches_theory(void **state)
{
    (void)state;
    struct sim_dist d;
    assert_null(sim_dist_exponential(&d, 0.005));
    assert_true(sim_dist_mean(&d) == 0.005);
    assert_true(sim_dist_var(&d) == 0.005 * 0.005);
    check_moments(&d, "exponential(5ms)");
}

static void test_uniform_matches_theory(void **state)
{
    (void)state;
    struct sim_dist d;
    assert_null(sim_dist_uniform(&d, 1, 3));
    assert_true(sim_dist_mean(&d) == 2);
    assert_true(fabs(sim_dist_var(&d) - 4.0 / 12) < 1e-15);
    check_moments(&d, "uniform(1,3)");
}

static void test_normal_is_truncated_at_zero_and_matches_truncated_theory(void **state)
{
    (void)state;
    struct sim_dist d;
    /* mean = sd: 16% of the untruncated mass is below 0, so the truncated
     * formulas differ a lot from (1, 1): mean 1.2876, var 0.6297. */
    assert_null(sim_dist_normal(&d, 1, 1));
    assert_true(fabs(sim_dist_mean(&d) - 1.287600) < 1e-6);
    assert_true(fabs(sim_dist_var(&d) - 0.629686) < 1e-6);
    check_moments(&d, "normal(1,1)");
    gsl_rng *r = rng_for("normal positive");
    for (int i = 0; i < 100000; i++)
        assert_true(sim_dist_sample(&d, r) >= 0);
    gsl_rng_free(r);

    assert_null(sim_dist_normal(&d, 10, 1));
    check_moments(&d, "normal(10,1)");
    assert_null(sim_dist_normal(&d, 3, 0));
    assert_true(sim_dist_mean(&d) == 3 && sim_dist_var(&d) == 0);
}

static void test_lognormal_mean_sd_matches_theory(void **state)
{
    (void)state;
    struct sim_dist d;
    assert_null(sim_dist_lognormal(&d, 0.020, 0.010));
    /* The conversion to mu, sigma round-trips to the user's mean and sd. */
    assert_true(fabs(sim_dist_mean(&d) - 0.020) < 1e-15);
    assert_true(fabs(sqrt(sim_dist_var(&d)) - 0.010) < 1e-15);
    check_moments(&d, "lognormal(20ms,10ms)");
    assert_null(sim_dist_lognormal(&d, 1, 1));
    check_moments(&d, "lognormal(1,1)");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_lognormal_median_p99_hits_its_quantiles(void **state)
{
    (void)state;
    struct sim_dist d;
    const double median = 0.010, p99 = 0.050;
    assert_null(sim_dist_lognormal_p99(&d, median, p99));
    check_moments(&d, "lognormal(median 10ms, p99 50ms)");

    double *x = draw(&d, "lognormal p99 quantiles");
    qsort(x, N, sizeof *x, cmp_double);
    /* The sample p-quantile is asymptotically normal with standard error
     * sqrt(p (1 - p) / N) / f(x_p), f the density at the true quantile. */
    double mu = log(median), sigma = (log(p99) - log(median)) / 2.3263478740408408;
    const double ps[] = {0.5, 0.99};
    const double want[] = {median, p99};
    for (int i = 0; i < 2; i++) {
        double p = ps[i];
        double got = x[(size_t)ceil(p * N) - 1];
        double se = sqrt(p * (1 - p) / N) / gsl_ran_lognormal_pdf(want[i], mu, sigma);
        within("lognormal(median, p99)", p == 0.5 ? "median" : "p99", got, want[i], Z * se);
    }
    free(x);

    /* median == p99 is a constant, drawn through the lognormal. */
    assert_null(sim_dist_lognormal_p99(&d, 0.5, 0.5));
    assert_true(sim_dist_var(&d) == 0);
}

static void test_gamma_matches_theory(void **state)
{
    (void)state;
    struct sim_dist d;
    assert_null(sim_dist_gamma(&d, 2, 0.5));
    assert_true(fabs(sim_dist_mean(&d) - 2) < 1e-15);
    assert_true(fabs(sim_dist_var(&d) - 1) < 1e-15); /* (cv mean)^2 */
    check_moments(&d, "gamma(2, cv 0.5)");
    /* cv > 1: shape < 1 takes GSL's other algorithm. */
    assert_null(sim_dist_gamma(&d, 1, 2));
    check_moments(&d, "gamma(1, cv 2)");
}

static void test_weibull_matches_theory(void **state)
{
    (void)state;
    struct sim_dist d;
    /* shape 1 is the exponential with mean = scale. */
    assert_null(sim_dist_weibull(&d, 3, 1));
    assert_true(fabs(sim_dist_mean(&d) - 3) < 1e-12);
    assert_true(fabs(sim_dist_var(&d) - 9) < 1e-12);
    assert_null(sim_dist_weibull(&d, 2, 1.5));
    check_moments(&d, "weibull(2, 1.5)");
    assert_null(sim_dist_weibull(&d, 1, 0.7));
    check_moments(&d, "weibull(1, 0.7)");
    /* A tiny shape overflows Gamma(1 + 2/shape): infinite, not an abort. */
    assert_null(sim_dist_weibull(&d, 1, 0.005));
    assert_true(isinf(sim_dist_var(&d)));
}

static void test_pareto_matches_theory_and_has_infinite_moments_below_its_shape(void **state)
{
    (void)state;
    struct sim_dist d;
    assert_null(sim_dist_pareto(&d, 1, 10));
    assert_true(fabs(sim_dist_mean(&d) - 10.0 / 9) < 1e-15);
    check_moments(&d, "pareto(1, 10)");
    gsl_rng *r = rng_for("pareto scale");
    for (int i = 0; i < 100000; i++)
        assert_true(sim_dist_sample(&d, r) >= 1);
    gsl_rng_free(r);

    assert_null(sim_dist_pareto(&d, 0.5, 2));
    assert_true(sim_dist_mean(&d) == 1.0);
    assert_true(isinf(sim_dist_var(&d)));
    assert_null(sim_dist_pareto(&d, 0.5, 1));
    assert_true(isinf(sim_dist_mean(&d)));
}

static void test_mixture_picks_parts_by_weight(void **state)
{
    (void)state;
    struct sim_dist parts[2], d;
    assert_null(sim_dist_constant(&parts[0], 1.0));
    assert_null(sim_dist_constant(&parts[1], 2.0));
    const double w[] = {1, 3};
    assert_null(sim_dist_mixture(&d, 2, w, parts));
    assert_true(sim_dist_mean(&d) == 1.75);
    assert_true(fabs(sim_dist_var(&d) - 0.1875) < 1e-15);

    double *x = draw(&d, "mixture of constants");
    size_t ones = 0;
    for (size_t i = 0; i < N; i++) {
        assert_true(x[i] == 1.0 || x[i] == 2.0);
        ones += x[i] == 1.0;
    }
    free(x);
    double p = 0.25;
    within("mixture", "weight of part 0", (double)ones / N, p, Z * sqrt(p * (1 - p) / N));
    check_moments(&d, "mixture of constants");
    sim_dist_fini(&d);
}

static void test_mixture_of_continuous_parts_matches_total_variance(void **state)
{
    (void)state;
    struct sim_dist parts[2], d;
    assert_null(sim_dist_exponential(&parts[0], 0.005));
    assert_null(sim_dist_lognormal(&parts[1], 0.200, 0.050));
    const double w[] = {0.9, 0.1};
    assert_null(sim_dist_mixture(&d, 2, w, parts));
    check_moments(&d, "mixture exp(5ms) 0.9 + lognormal(200ms) 0.1");
    sim_dist_fini(&d);
}

static void test_mixture_copy_is_deep(void **state)
{
    (void)state;
    struct sim_dist parts[2], d, copy;
    assert_null(sim_dist_constant(&parts[0], 1.0));
    assert_null(sim_dist_exponential(&parts[1], 2.0));
    const double w[] = {1, 1};
    assert_null(sim_dist_mixture(&d, 2, w, parts));
    sim_dist_copy(&copy, &d);
    assert_ptr_not_equal(copy.parts, d.parts);
    assert_ptr_not_equal(copy.cum, d.cum);
    sim_dist_fini(&d);
    /* The copy outlives the original (ASan would catch a shared array). */
    assert_true(sim_dist_mean(&copy) == 1.5);
    gsl_rng *r = rng_for("mixture copy");
    for (int i = 0; i < 1000; i++)
        assert_true(sim_dist_sample(&copy, r) >= 0);
    gsl_rng_free(r);
    sim_dist_fini(&copy);
    sim_dist_fini(&copy); /* fini twice is harmless */
}

static void test_constant_returns_exactly_its_value_and_draws_nothing(void **state)
{
    (void)state;
    struct sim_dist d;
    assert_null(sim_dist_constant(&d, 0.0123));
    gsl_rng *r = rng_for("constant"), *twin = gsl_rng_clone(r);
    for (int i = 0; i < 100; i++)
        assert_true(sim_dist_sample(&d, r) == 0.0123);
    assert_true(gsl_rng_get(r) == gsl_rng_get(twin));
    assert_true(sim_dist_sample_time(&d, r) == 12300000);
    assert_null(sim_dist_constant(&d, 0));
    assert_true(sim_dist_sample_time(&d, r) == 0);
    assert_true(sim_dist_mean(&d) == 0 && sim_dist_var(&d) == 0);
    gsl_rng_free(r);
    gsl_rng_free(twin);
}

static void test_sample_time_is_never_negative(void **state)
{
    (void)state;
    struct sim_dist d[10];
    assert_null(sim_dist_constant(&d[0], 0));
    assert_null(sim_dist_exponential(&d[1], 1e-9));
    assert_null(sim_dist_uniform(&d[2], 0, 1e-9));
    assert_null(sim_dist_normal(&d[3], 1e-9, 1));
    assert_null(sim_dist_lognormal(&d[4], 1e-9, 1e-6));
    assert_null(sim_dist_lognormal_p99(&d[5], 1e-9, 1));
    assert_null(sim_dist_gamma(&d[6], 1e-9, 5));
    assert_null(sim_dist_weibull(&d[7], 1e-9, 0.3));
    assert_null(sim_dist_pareto(&d[8], 1e-9, 0.5));
    const double w[] = {1, 1};
    assert_null(sim_dist_mixture(&d[9], 2, w, &d[3]));
    gsl_rng *r = rng_for("sample time");
    for (int k = 0; k < 10; k++)
        for (int i = 0; i < 10000; i++)
            assert_true(sim_dist_sample_time(&d[k], r) >= 0);
    gsl_rng_free(r);
    sim_dist_fini(&d[9]);
}

static void test_bad_parameters_are_reported_not_aborted(void **state)
{
    (void)state;
    struct sim_dist d, parts[2];
    assert_string_equal(sim_dist_constant(&d, -1), "value must be >= 0");
    assert_string_equal(sim_dist_constant(&d, NAN), "value must be a finite number");
    assert_string_equal(sim_dist_exponential(&d, -1), "mean must be > 0");
    assert_string_equal(sim_dist_exponential(&d, 0), "mean must be > 0");
    assert_string_equal(sim_dist_exponential(&d, INFINITY), "mean must be a finite number");
    assert_string_equal(sim_dist_uniform(&d, 2, 1), "min must be <= max");
    assert_string_equal(sim_dist_uniform(&d, -1, 1), "min must be >= 0");
    assert_string_equal(sim_dist_normal(&d, 0, 1), "mean must be > 0");
    assert_string_equal(sim_dist_normal(&d, 1, -1), "sd must be >= 0");
    assert_string_equal(sim_dist_lognormal(&d, -1, 1), "mean must be > 0");
    assert_string_equal(sim_dist_lognormal(&d, 1, -1), "sd must be >= 0");
    assert_string_equal(sim_dist_lognormal_p99(&d, 0, 1), "median must be > 0");
    assert_string_equal(sim_dist_lognormal_p99(&d, 2, 1), "p99 must be >= median");
    assert_string_equal(sim_dist_gamma(&d, 1, 0), "cv must be > 0");
    assert_string_equal(sim_dist_gamma(&d, 1, -1), "cv must be > 0");
    assert_string_equal(sim_dist_gamma(&d, 0, 1), "mean must be > 0");
    assert_string_equal(sim_dist_weibull(&d, 0, 1), "scale must be > 0");
    assert_string_equal(sim_dist_weibull(&d, 1, 0), "shape must be > 0");
    assert_string_equal(sim_dist_pareto(&d, -1, 1), "scale must be > 0");
    assert_string_equal(sim_dist_pareto(&d, 1, 0), "shape must be > 0");

    assert_null(sim_dist_constant(&parts[0], 1));
    assert_null(sim_dist_constant(&parts[1], 2));
    const double good[] = {1, 1}, zero[] = {1, 0}, neg[] = {-1, 1};
    assert_string_equal(sim_dist_mixture(&d, 0, good, parts), "mixture needs at least one part");
    assert_string_equal(sim_dist_mixture(&d, 2, zero, parts),
                        "mixture weights must be finite and > 0");
    assert_string_equal(sim_dist_mixture(&d, 2, neg, parts),
                        "mixture weights must be finite and > 0");
    assert_null(sim_dist_mixture(&d, 2, good, parts));
    struct sim_dist nested[2] = {parts[0], d};
    struct sim_dist other;
    assert_string_equal(sim_dist_mixture(&other, 2, good, nested),
                        "a mixture part cannot be a mixture");
    sim_dist_fini(&d);
}

static void test_kind_names_round_trip(void **state)
{
    (void)state;
    for (int k = SIM_DIST_CONSTANT; k <= SIM_DIST_MIXTURE; k++)
        assert_int_equal(sim_dist_kind_from_name(sim_dist_kind_name((enum sim_dist_kind)k)), k);
    assert_string_equal(sim_dist_kind_name(SIM_DIST_LOGNORMAL), "lognormal");
    assert_int_equal(sim_dist_kind_from_name("pareto"), SIM_DIST_PARETO);
    assert_int_equal(sim_dist_kind_from_name("poisson"), -1);
    assert_int_equal(sim_dist_kind_from_name(""), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exponential_matches_theory),
        cmocka_unit_test(test_uniform_matches_theory),
        cmocka_unit_test(test_normal_is_truncated_at_zero_and_matches_truncated_theory),
        cmocka_unit_test(test_lognormal_mean_sd_matches_theory),
        cmocka_unit_test(test_lognormal_median_p99_hits_its_quantiles),
        cmocka_unit_test(test_gamma_matches_theory),
        cmocka_unit_test(test_weibull_matches_theory),
        cmocka_unit_test(test_pareto_matches_theory_and_has_infinite_moments_below_its_shape),
        cmocka_unit_test(test_mixture_picks_parts_by_weight),
        cmocka_unit_test(test_mixture_of_continuous_parts_matches_total_variance),
        cmocka_unit_test(test_mixture_copy_is_deep),
        cmocka_unit_test(test_constant_returns_exactly_its_value_and_draws_nothing),
        cmocka_unit_test(test_sample_time_is_never_negative),
        cmocka_unit_test(test_bad_parameters_are_reported_not_aborted),
        cmocka_unit_test(test_kind_names_round_trip),
    };
    return cmocka_run_group_tests_name("sim_dist", tests, NULL, NULL);
}
