/* test_limit.c - the amplification limits of limit.h on their own: the
 * adaptive throttle's rejection probability from hand-made counts, the retry
 * budget's allowance and the retry bucket's tokens.
 *
 * Windows of 10 s are LIMIT_BUCKETS = 20 buckets of 0.5 s aligned to t = 0,
 * so a count made at 0.2 s (bucket 0) is in the window up to 9.999... s and
 * leaves it at 10.0 s, when bucket 20 reuses its slot. Every figure below is
 * exact: the probabilities are ratios of small integers, compared with the
 * same double arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "models/limit.h"

#define S  SIM_S
#define MS SIM_MS

/* ---- throttle ------------------------------------------------------------- */

/* n requests, all let through (u = 1 is above any p < 1), at `now`. */
static void requests(struct throttle *t, sim_time now, int n)
{
    for (int i = 0; i < n; i++)
        assert_true(throttle_admit(t, now, 1.0));
}

static void accepts(struct throttle *t, sim_time now, int n)
{
    for (int i = 0; i < n; i++)
        throttle_accepted(t, now);
}

static void test_throttle_p_is_requests_minus_k_accepts_over_requests_plus_one(void **state)
{
    (void)state;
    struct throttle_config cfg = {.k = 2.0, .window = 10 * S};
    struct throttle t;
    throttle_init(&t, &cfg);
    assert_true(throttle_p(&t, 0) == 0.0); /* nothing seen: everything goes */
    requests(&t, 100 * MS, 10);
    accepts(&t, 100 * MS, 3);
    assert_true(throttle_p(&t, 200 * MS) == (10.0 - 2.0 * 3.0) / 11.0);
    /* more accepts than requests / k: never negative */
    accepts(&t, 300 * MS, 2);
    assert_true(throttle_p(&t, 300 * MS) == 0.0);
    throttle_fini(&t);

    /* a fractional k */
    cfg.k = 1.5;
    throttle_init(&t, &cfg);
    requests(&t, 0, 7);
    accepts(&t, 0, 2);
    assert_true(throttle_p(&t, 0) == (7.0 - 1.5 * 2.0) / 8.0);
    throttle_fini(&t);
}

static void test_throttle_with_no_accepts_tends_to_reject_everything(void **state)
{
    (void)state;
    struct throttle_config cfg = {.k = 2.0, .window = 10 * S};
    struct throttle t;
    throttle_init(&t, &cfg);
    /* with accepts = 0, p = requests / (requests + 1) */
    for (int n = 0; n < 50; n++) {
        assert_true(throttle_p(&t, 0) == (double)n / (n + 1.0));
        throttle_admit(&t, 0, 0.999); /* rejected once p > 0.999, counted all the same */
    }
    throttle_fini(&t);
}

static void test_throttle_admits_when_u_is_at_or_above_p_and_counts_either_way(void **state)
{
    (void)state;
    struct throttle_config cfg = {.k = 2.0, .window = 10 * S};
    struct throttle t;
    throttle_init(&t, &cfg);
    requests(&t, 0, 3); /* p = 3/4 */
    double p = throttle_p(&t, 0);
    assert_true(p == 0.75);
    assert_false(throttle_admit(&t, 0, 0.7499)); /* rejected: u < p */
    /* the rejected request was counted: p = 4/5 now */
    assert_true(throttle_p(&t, 0) == 0.8);
    assert_true(throttle_admit(&t, 0, 0.8)); /* u == p goes through */
    assert_true(throttle_p(&t, 0) == 5.0 / 6.0);
    assert_true(throttle_admit(&t, 0, 0.9));
    throttle_fini(&t);
}

static void test_throttle_counts_leave_the_window_with_their_bucket(void **state)
{
    (void)state;
    struct throttle_config cfg = {.k = 2.0, .window = 10 * S};
    struct throttle t;
    throttle_init(&t, &cfg);
    requests(&t, 200 * MS, 4);  /* bucket 0 */
    requests(&t, 5200 * MS, 2); /* bucket 10 */
    accepts(&t, 5200 * MS, 1);  /* bucket 10 */
    assert_true(throttle_p(&t, 9999 * MS) == (6.0 - 2.0) / 7.0);
    /* bucket 0 leaves at 10.0 s; bucket 10 at 15.0 s */
    assert_true(throttle_p(&t, 10 * S) == (2.0 - 2.0) / 3.0);
    requests(&t, 10 * S, 3);
    assert_true(throttle_p(&t, 14999 * MS) == (5.0 - 2.0) / 6.0);
    assert_true(throttle_p(&t, 15 * S) == 3.0 / 4.0);
    /* a jump past the whole window forgets everything */
    assert_true(throttle_p(&t, 60 * S) == 0.0);
    throttle_fini(&t);
}

/* ---- retry budget -------------------------------------------------------- */

static struct retry_config budget(double ratio, double min_per_s, sim_time window)
{
    return (struct retry_config){.attempts = 3,
                                 .has_budget = true,
                                 .budget_ratio = ratio,
                                 .budget_min_per_s = min_per_s,
                                 .budget_window = window};
}

/* How many retries in a row the limit allows at `now` (stops at 1000). */
static int retries_allowed(struct retry_limit *l, sim_time now)
{
    int n = 0;
    while (n < 1000 && retry_limit_retry(l, now))
        n++;
    return n;
}

static void test_budget_allows_ratio_times_first_tries_plus_the_minimum(void **state)
{
    (void)state;
    /* 0.2 * 10 first tries + 0.5/s * 10 s = 7 retries, the asked-for one
     * counted: the 7th makes 7 <= 7, the 8th 8 > 7 */
    struct retry_config cfg = budget(0.2, 0.5, 10 * S);
    struct retry_limit l;
    retry_limit_init(&l, &cfg);
    for (int i = 0; i < 10; i++)
        retry_limit_first(&l, 100 * MS);
    assert_int_equal(retries_allowed(&l, 200 * MS), 7);
    /* one more first try adds 0.2: 7.2 allows no 8th */
    retry_limit_first(&l, 300 * MS);
    assert_false(retry_limit_retry(&l, 300 * MS));
    /* four more reach 8.0: exactly one more */
    for (int i = 0; i < 4; i++)
        retry_limit_first(&l, 300 * MS);
    assert_int_equal(retries_allowed(&l, 300 * MS), 1);
    retry_limit_fini(&l);
}

static void test_budget_without_minimum_rounds_the_allowance_down(void **state)
{
    (void)state;
    struct retry_config cfg = budget(0.1, 0, 10 * S);
    struct retry_limit l;
    retry_limit_init(&l, &cfg);
    assert_false(retry_limit_retry(&l, 0)); /* no first tries: no retry */
    for (int i = 0; i < 25; i++)
        retry_limit_first(&l, 0);
    assert_int_equal(retries_allowed(&l, 0), 2); /* 2.5 allowed */
    retry_limit_fini(&l);
}

static void test_budget_counts_leave_the_window(void **state)
{
    (void)state;
    struct retry_config cfg = budget(0.5, 0, 10 * S);
    struct retry_limit l;
    retry_limit_init(&l, &cfg);
    for (int i = 0; i < 10; i++)
        retry_limit_first(&l, 200 * MS);                 /* bucket 0 */
    assert_int_equal(retries_allowed(&l, 5200 * MS), 5); /* bucket 10 */
    for (int i = 0; i < 4; i++)
        retry_limit_first(&l, 5200 * MS);
    /* 14 first tries, 5 retries: 7 allowed, two more */
    assert_int_equal(retries_allowed(&l, 9999 * MS), 2);
    /* at 10.0 s the first 10 leave: 4 first tries allow 2, 7 retries are in */
    assert_false(retry_limit_retry(&l, 10 * S));
    /* at 15.0 s the rest leave too (the 2 retries of 9.999 s stay) */
    for (int i = 0; i < 8; i++)
        retry_limit_first(&l, 15 * S);
    assert_int_equal(retries_allowed(&l, 15 * S), 2); /* 4 allowed, 2 in */
    retry_limit_fini(&l);
}

/* ---- retry bucket -------------------------------------------------------- */

static struct retry_config bucket(double capacity, double per_call, double cost)
{
    return (struct retry_config){.attempts = 3,
                                 .has_bucket = true,
                                 .bucket_capacity = capacity,
                                 .bucket_per_call = per_call,
                                 .bucket_cost = cost};
}

static void test_bucket_starts_full_and_spends_cost_per_retry(void **state)
{
    (void)state;
    struct retry_config cfg = bucket(10, 1, 4);
    struct retry_limit l;
    retry_limit_init(&l, &cfg);
    assert_true(l.tokens == 10);
    assert_true(retry_limit_retry(&l, 0));
    assert_true(l.tokens == 6);
    assert_true(retry_limit_retry(&l, 0));
    assert_true(l.tokens == 2);
    /* short of the cost: refused, and the refusal costs nothing */
    assert_false(retry_limit_retry(&l, 0));
    assert_true(l.tokens == 2);
    assert_false(retry_limit_retry(&l, 0));
    assert_true(l.tokens == 2);
    /* two first tries add 1 each: exactly the cost */
    retry_limit_first(&l, 0);
    retry_limit_first(&l, 0);
    assert_true(retry_limit_retry(&l, 0));
    assert_true(l.tokens == 0);
    retry_limit_fini(&l);
}

static void test_bucket_refills_per_first_try_up_to_capacity(void **state)
{
    (void)state;
    struct retry_config cfg = bucket(5, 0.5, 1);
    struct retry_limit l;
    retry_limit_init(&l, &cfg);
    assert_int_equal(retries_allowed(&l, 0), 5);
    assert_true(l.tokens == 0);
    for (int i = 0; i < 3; i++)
        retry_limit_first(&l, 0);
    assert_true(l.tokens == 1.5);
    for (int i = 0; i < 100; i++)
        retry_limit_first(&l, 0);
    assert_true(l.tokens == 5); /* capped */
    assert_int_equal(retries_allowed(&l, 0), 5);
    retry_limit_fini(&l);
}

/* budget ratio 1 over a 10 s window and a bucket of `capacity` tokens with
 * no refill, each retry costing 1; three first tries. */
static void both_limits(struct retry_config *cfg, struct retry_limit *l, double capacity)
{
    *cfg = budget(1, 0, 10 * S);
    cfg->has_bucket = true;
    cfg->bucket_capacity = capacity;
    cfg->bucket_per_call = 0;
    cfg->bucket_cost = 1;
    retry_limit_init(l, cfg);
    for (int i = 0; i < 3; i++)
        retry_limit_first(l, 0);
}

static void test_a_refusal_by_either_limit_leaves_the_other_untouched(void **state)
{
    (void)state;
    struct retry_config cfg;
    struct retry_limit l;
    /* the budget refuses the 4th retry: the bucket keeps its tokens */
    both_limits(&cfg, &l, 10);
    assert_int_equal(retries_allowed(&l, 0), 3);
    assert_true(l.tokens == 7);
    assert_int_equal(win_sum(&l.w, 0, 1), 3);
    retry_limit_fini(&l);
    /* the bucket refuses the 3rd: the budget does not count it */
    both_limits(&cfg, &l, 2);
    assert_int_equal(retries_allowed(&l, 0), 2);
    assert_true(l.tokens == 0);
    assert_int_equal(win_sum(&l.w, 0, 1), 2);
    retry_limit_fini(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_throttle_p_is_requests_minus_k_accepts_over_requests_plus_one),
        cmocka_unit_test(test_throttle_with_no_accepts_tends_to_reject_everything),
        cmocka_unit_test(test_throttle_admits_when_u_is_at_or_above_p_and_counts_either_way),
        cmocka_unit_test(test_throttle_counts_leave_the_window_with_their_bucket),
        cmocka_unit_test(test_budget_allows_ratio_times_first_tries_plus_the_minimum),
        cmocka_unit_test(test_budget_without_minimum_rounds_the_allowance_down),
        cmocka_unit_test(test_budget_counts_leave_the_window),
        cmocka_unit_test(test_bucket_starts_full_and_spends_cost_per_retry),
        cmocka_unit_test(test_bucket_refills_per_first_try_up_to_capacity),
        cmocka_unit_test(test_a_refusal_by_either_limit_leaves_the_other_untouched),
    };
    return cmocka_run_group_tests_name("limit", tests, NULL, NULL);
}
