/* test_retry.c - retry_delay(): the backoff formulas of DESIGN.md, exactly,
 * and the ranges and means of the jittered ones.
 *
 *   d(n) = min(cap, base * multiplier^(n-1)) for the n-th retry; fixed: base;
 *   full = U(0, d); equal = d/2 + U(0, d/2);
 *   decorrelated = min(cap, U(base, 3 * previous)), previous starting at base.
 *
 * Means of jittered delays are checked against 4 standard errors of N draws
 * (the standard deviation of U(a, b) is (b - a) / sqrt(12)), plus 1 ns of
 * rounding per draw.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "models/retry.h"

#define MS SIM_MS
#define N  20000

static struct retry_config exp_cfg(sim_time base, double mult, sim_time cap, enum jitter_kind j)
{
    return (struct retry_config){.attempts = 10,
                                 .backoff = BACKOFF_EXPONENTIAL,
                                 .base = base,
                                 .multiplier = mult,
                                 .cap = cap,
                                 .jitter = j};
}

static gsl_rng *rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, seed);
    return r;
}

static void test_no_backoff_retries_at_once(void **state)
{
    (void)state;
    struct retry_config c = exp_cfg(100 * MS, 2, 0, JITTER_FULL);
    c.backoff = BACKOFF_NONE;
    gsl_rng *r = rng(1);
    for (int n = 1; n < 5; n++)
        assert_int_equal(retry_delay(&c, n, 0, r), 0);
    gsl_rng_free(r);
}

static void test_fixed_backoff_is_base_on_every_retry(void **state)
{
    (void)state;
    struct retry_config c = exp_cfg(250 * MS, 2, 0, JITTER_NONE);
    c.backoff = BACKOFF_FIXED;
    for (int n = 1; n < 10; n++)
        assert_int_equal(retry_delay(&c, n, 0, NULL), 250 * MS);
}

static void test_exponential_backoff_doubles_from_base_up_to_the_cap(void **state)
{
    (void)state;
    struct retry_config c = exp_cfg(100 * MS, 2, 1 * SIM_S, JITTER_NONE);
    const sim_time want[] = {100 * MS, 200 * MS, 400 * MS, 800 * MS, 1000 * MS, 1000 * MS};
    for (int n = 1; n <= 6; n++)
        assert_int_equal(retry_delay(&c, n, 0, NULL), want[n - 1]);
    c.multiplier = 1.5;
    c.cap = 0; /* none */
    assert_int_equal(retry_delay(&c, 3, 0, NULL), 225 * MS);
    assert_int_equal(retry_delay(&c, 11, 0, NULL), (sim_time)(100 * MS * pow(1.5, 10) + 0.5));
}

static void test_uncapped_exponential_backoff_saturates_instead_of_overflowing(void **state)
{
    (void)state;
    struct retry_config c = exp_cfg(1 * SIM_S, 10, 0, JITTER_NONE);
    sim_time century = (sim_time)(100.0 * 365 * 24 * 3600) * SIM_S;
    assert_int_equal(retry_delay(&c, 400, 0, NULL), century);
    assert_true(retry_delay(&c, 5, 0, NULL) < century);
}

/* Draws n delays; checks they lie in [lo, hi] and their mean is within 4 SE
 * of that of U(lo, hi). */
static void check_uniform(const struct retry_config *c, int retry, sim_time prev, double lo,
                          double hi, unsigned long seed)
{
    gsl_rng *r = rng(seed);
    double sum = 0;
    sim_time min = INT64_MAX, max = 0;
    for (int i = 0; i < N; i++) {
        sim_time d = retry_delay(c, retry, prev, r);
        sum += (double)d;
        min = d < min ? d : min;
        max = d > max ? d : max;
    }
    gsl_rng_free(r);
    double mean = sum / N, want = (lo + hi) / 2, se = (hi - lo) / sqrt(12.0 * N);
    assert_true((double)min >= lo - 1 && (double)max <= hi + 1); /* 1 ns rounding */
    if (!(fabs(mean - want) <= 4 * se + 1)) {
        print_error("mean %.6g, want %.6g (4 SE = %.3g)\n", mean, want, 4 * se);
        fail();
    }
    /* the draws spread over the range, not a corner of it */
    assert_true((double)min < lo + 0.01 * (hi - lo) && (double)max > hi - 0.01 * (hi - lo));
}

static void test_full_jitter_is_uniform_between_zero_and_the_delay(void **state)
{
    (void)state;
    struct retry_config c = exp_cfg(100 * MS, 2, 1 * SIM_S, JITTER_FULL);
    check_uniform(&c, 3, 0, 0, 400 * MS, 11);
    check_uniform(&c, 9, 0, 0, 1000 * MS, 12); /* capped first, then jittered */
}

static void test_equal_jitter_is_uniform_between_half_the_delay_and_the_delay(void **state)
{
    (void)state;
    struct retry_config c = exp_cfg(100 * MS, 2, 1 * SIM_S, JITTER_EQUAL);
    check_uniform(&c, 2, 0, 100 * MS, 200 * MS, 21);
    check_uniform(&c, 7, 0, 500 * MS, 1000 * MS, 22);
}

static void
test_decorrelated_jitter_is_uniform_between_base_and_three_times_the_previous(void **state)
{
    (void)state;
    struct retry_config c = exp_cfg(100 * MS, 2, 10 * SIM_S, JITTER_DECORRELATED);
    check_uniform(&c, 1, 0, 100 * MS, 300 * MS, 31); /* previous starts at base */
    check_uniform(&c, 4, 500 * MS, 100 * MS, 1500 * MS, 32);
}

static void test_decorrelated_jitter_never_exceeds_the_cap(void **state)
{
    (void)state;
    struct retry_config c = exp_cfg(100 * MS, 2, 1 * SIM_S, JITTER_DECORRELATED);
    gsl_rng *r = rng(41);
    sim_time prev = 0, hits = 0;
    for (int i = 0; i < N; i++) {
        sim_time d = retry_delay(&c, i % 8 + 1, prev, r);
        assert_true(d >= 100 * MS && d <= 1 * SIM_S);
        assert_true(d <= 3 * (prev > 0 ? prev : 100 * MS) + 1);
        hits += d == 1 * SIM_S;
        prev = d;
    }
    gsl_rng_free(r);
    assert_true(hits > 0); /* the chain does reach the cap, where it is clamped */
}

static void test_the_same_stream_state_gives_the_same_delays(void **state)
{
    (void)state;
    struct retry_config c = exp_cfg(100 * MS, 2, 5 * SIM_S, JITTER_FULL);
    gsl_rng *a = rng(7), *b = rng(7);
    for (int n = 1; n < 100; n++)
        assert_int_equal(retry_delay(&c, n % 6 + 1, 0, a), retry_delay(&c, n % 6 + 1, 0, b));
    gsl_rng_free(a);
    gsl_rng_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_backoff_retries_at_once),
        cmocka_unit_test(test_fixed_backoff_is_base_on_every_retry),
        cmocka_unit_test(test_exponential_backoff_doubles_from_base_up_to_the_cap),
        cmocka_unit_test(test_uncapped_exponential_backoff_saturates_instead_of_overflowing),
        cmocka_unit_test(test_full_jitter_is_uniform_between_zero_and_the_delay),
        cmocka_unit_test(test_equal_jitter_is_uniform_between_half_the_delay_and_the_delay),
        cmocka_unit_test(
            test_decorrelated_jitter_is_uniform_between_base_and_three_times_the_previous),
        cmocka_unit_test(test_decorrelated_jitter_never_exceeds_the_cap),
        cmocka_unit_test(test_the_same_stream_state_gives_the_same_delays),
    };
    return cmocka_run_group_tests_name("retry", tests, NULL, NULL);
}
