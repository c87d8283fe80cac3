/* test_breaker.c - the breaker state machine of breaker.h, one transition or
 * edge case per test: the seed guide's consecutive breaker and
 * Resilience4j's sliding one (count and time windows), late results, ignored
 * outcomes, the transition callback and the timeline text.
 *
 * Every test ends with breaker_check(), so the invariants hold in the state
 * each one leaves behind as well as after each transition.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "models/breaker.h"

#define S  SIM_S
#define MS SIM_MS

static struct breaker_config consecutive(int threshold, sim_time recovery, int half_open)
{
    return (struct breaker_config){.kind = BREAKER_CONSECUTIVE,
                                   .failure_threshold = threshold,
                                   .recovery_timeout = recovery,
                                   .half_open_calls = half_open};
}

/* A sliding breaker that only trips on failures (slow_rate 1 and a slow_call
 * no test reaches), open for 10 s. */
static struct breaker_config sliding(enum window_kind w, int size, int min_calls, double rate,
                                     int half_open)
{
    return (struct breaker_config){.kind = BREAKER_SLIDING,
                                   .window = w,
                                   .size = size,
                                   .min_calls = min_calls,
                                   .failure_rate = rate,
                                   .slow_rate = 1.0,
                                   .slow_call = SIM_HOUR,
                                   .open_for = 10 * S,
                                   .half_open_calls = half_open};
}

static void success(struct breaker *b, sim_time now)
{
    breaker_record(b, now, BREAKER_SUCCESS, MS);
}
static void failure(struct breaker *b, sim_time now)
{
    breaker_record(b, now, BREAKER_FAILURE, MS);
}
static void ignored(struct breaker *b, sim_time now)
{
    breaker_record(b, now, BREAKER_IGNORED, MS);
}

static void failure_n(struct breaker *b, sim_time now, int n)
{
    for (int i = 0; i < n; i++)
        failure(b, now);
}

static void success_n(struct breaker *b, sim_time now, int n)
{
    for (int i = 0; i < n; i++)
        success(b, now);
}

/* Trips a fresh breaker at `now` with failures (enough for either kind). */
static void trip(struct breaker *b, sim_time now)
{
    while (b->state == BREAKER_CLOSED)
        failure(b, now);
    assert_int_equal(b->state, BREAKER_OPEN);
    assert_int_equal(b->opened, now);
}

/* Every transition the callback saw. */
struct log {
    int n;
    enum breaker_state from[16], to[16];
    sim_time at[16];
    char why[16][96];
};

static void logger(void *ctx, const struct breaker *b, enum breaker_state from, sim_time now)
{
    struct log *l = ctx;
    assert_true(l->n < 16);
    l->from[l->n] = from;
    l->to[l->n] = b->state;
    l->at[l->n] = now;
    breaker_describe(b, l->why[l->n], sizeof l->why[l->n]);
    l->n++;
}

static const char *describe(const struct breaker *b)
{
    static char buf[128];
    return breaker_describe(b, buf, sizeof buf);
}

/* ---- consecutive ----------------------------------------------------------- */

static void test_consecutive_trips_at_exactly_failure_threshold(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(3, 30 * S, 1);
    struct breaker b;
    breaker_init(&b, &c);
    assert_int_equal(b.state, BREAKER_CLOSED);
    failure_n(&b, 1 * S, 2);
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_int_equal(b.failures, 2);
    assert_true(breaker_acquire(&b, 1 * S));
    failure(&b, 2 * S);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(b.opened, 2 * S);
    assert_string_equal(describe(&b), "3 consecutive failures");
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_consecutive_success_resets_the_failure_count(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(3, 30 * S, 1);
    struct breaker b;
    breaker_init(&b, &c);
    failure_n(&b, 0, 2);
    success(&b, 0);
    assert_int_equal(b.failures, 0);
    failure_n(&b, 0, 2);
    assert_int_equal(b.state, BREAKER_CLOSED);
    failure(&b, 0);
    assert_int_equal(b.state, BREAKER_OPEN);
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_consecutive_decay_on_success_takes_only_one_off(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(3, 30 * S, 1);
    c.decay_on_success = true;
    struct breaker b;
    breaker_init(&b, &c);
    success_n(&b, 0, 3); /* never below zero */
    assert_int_equal(b.failures, 0);
    failure_n(&b, 0, 2);
    success(&b, 0);
    assert_int_equal(b.failures, 1);
    failure(&b, 0);
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_int_equal(b.failures, 2);
    failure(&b, 0); /* 2 - 1 + 2: the third failure net of successes */
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_string_equal(describe(&b), "failure count 3 >= 3 (one off per success)");
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_open_short_circuits_until_strictly_after_recovery_timeout(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(1, 30 * S, 1);
    struct breaker b;
    breaker_init(&b, &c);
    trip(&b, 5 * S);
    assert_false(breaker_acquire(&b, 5 * S));
    assert_false(breaker_acquire(&b, 35 * S - 1));
    assert_false(breaker_acquire(&b, 35 * S)); /* equal time: still rejected */
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(b.opened, 5 * S); /* rejections do not extend the open time */
    assert_true(breaker_acquire(&b, 35 * S + 1));
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_sliding_open_short_circuits_until_strictly_after_open_for(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 2, 2, 0.5, 1);
    struct breaker b;
    breaker_init(&b, &c);
    trip(&b, 1 * S);
    assert_false(breaker_acquire(&b, 11 * S));
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_true(breaker_acquire(&b, 11 * S + 1));
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_open_moves_to_half_open_lazily_on_the_first_acquire(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(1, 30 * S, 3);
    struct breaker b;
    struct log l = {0};
    breaker_init(&b, &c);
    breaker_set_callback(&b, logger, &l);
    trip(&b, 0);
    /* Time passing alone changes nothing: there is no timer. */
    success(&b, 100 * S);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(l.n, 1);
    assert_true(breaker_acquire(&b, 100 * S));
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    assert_int_equal(b.permits, 2); /* the acquire that moved it took a permit */
    assert_int_equal(l.n, 2);
    assert_int_equal(l.at[1], 100 * S);
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_half_open_admits_only_n_calls(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(1, 30 * S, 3);
    struct breaker b;
    breaker_init(&b, &c);
    trip(&b, 0);
    for (int i = 0; i < 3; i++)
        assert_true(breaker_acquire(&b, 31 * S + i));
    assert_false(breaker_acquire(&b, 32 * S));
    assert_false(breaker_acquire(&b, 100 * S));
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    assert_int_equal(b.permits, 0);
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_half_open_n_successes_close_with_a_zero_count(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(2, 30 * S, 3);
    struct breaker b;
    breaker_init(&b, &c);
    trip(&b, 0);
    for (int i = 0; i < 3; i++)
        assert_true(breaker_acquire(&b, 31 * S));
    success_n(&b, 32 * S, 2);
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    success(&b, 33 * S);
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_int_equal(b.failures, 0);
    assert_string_equal(describe(&b), "3/3 trial calls succeeded");
    assert_true(breaker_acquire(&b, 33 * S));
    failure(&b, 34 * S);
    assert_int_equal(b.state, BREAKER_CLOSED); /* the count restarted at 0 */
    failure(&b, 34 * S);
    assert_int_equal(b.state, BREAKER_OPEN);
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_half_open_one_failure_reopens_from_the_failure_time(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(1, 30 * S, 3);
    struct breaker b;
    breaker_init(&b, &c);
    trip(&b, 0);
    assert_true(breaker_acquire(&b, 31 * S));
    assert_true(breaker_acquire(&b, 31 * S));
    success(&b, 32 * S);
    failure(&b, 40 * S);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(b.opened, 40 * S);
    assert_string_equal(describe(&b), "trial call failed after 1 succeeded");
    assert_false(breaker_acquire(&b, 70 * S));
    assert_true(breaker_acquire(&b, 70 * S + 1));
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    assert_int_equal(b.successes, 0); /* a new trial, from scratch */
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_late_results_during_open_change_nothing(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(2, 30 * S, 1);
    struct breaker b;
    struct log l = {0};
    breaker_init(&b, &c);
    breaker_set_callback(&b, logger, &l);
    trip(&b, 1 * S);
    success_n(&b, 2 * S, 5);
    failure_n(&b, 3 * S, 5);
    ignored(&b, 4 * S);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(b.opened, 1 * S);
    assert_int_equal(b.permits, 0);
    assert_int_equal(l.n, 1);
    breaker_check(&b);
    breaker_fini(&b);

    /* Sliding: the late results do not reach the window CLOSED will use. */
    struct breaker_config s = sliding(WINDOW_COUNT, 4, 4, 0.5, 1);
    breaker_init(&b, &s);
    trip(&b, 1 * S);
    failure_n(&b, 2 * S, 3);
    assert_int_equal(b.calls, 4);
    assert_int_equal(b.failed, 4);
    assert_true(breaker_acquire(&b, 12 * S));
    success(&b, 12 * S);
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_int_equal(b.calls, 0);
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_ignored_releases_a_half_open_permit_capped_at_half_open_calls(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(1, 30 * S, 2);
    struct breaker b;
    breaker_init(&b, &c);
    trip(&b, 0);
    assert_true(breaker_acquire(&b, 31 * S));
    assert_true(breaker_acquire(&b, 31 * S));
    assert_false(breaker_acquire(&b, 31 * S));
    ignored(&b, 32 * S);
    assert_int_equal(b.permits, 1);
    assert_int_equal(b.successes, 0); /* and nothing recorded */
    assert_true(breaker_acquire(&b, 32 * S));
    assert_false(breaker_acquire(&b, 32 * S));
    /* Ignored calls admitted before HALF_OPEN cannot mint extra trials. */
    for (int i = 0; i < 5; i++)
        ignored(&b, 33 * S);
    assert_int_equal(b.permits, 2);
    assert_true(breaker_acquire(&b, 33 * S));
    assert_true(breaker_acquire(&b, 33 * S));
    assert_false(breaker_acquire(&b, 33 * S));
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_ignored_in_closed_records_nothing(void **state)
{
    (void)state;
    /* Consecutive: an ignored outcome neither counts nor resets the count. */
    struct breaker_config c = consecutive(3, 30 * S, 1);
    struct breaker b;
    breaker_init(&b, &c);
    failure_n(&b, 0, 2);
    ignored(&b, 0);
    assert_int_equal(b.failures, 2);
    assert_int_equal(b.permits, 0);
    failure(&b, 0);
    assert_int_equal(b.state, BREAKER_OPEN);
    breaker_fini(&b);

    /* Sliding: an ignored outcome takes no place in the window. */
    struct breaker_config s = sliding(WINDOW_COUNT, 4, 4, 0.5, 1);
    breaker_init(&b, &s);
    failure_n(&b, 0, 3);
    for (int i = 0; i < 10; i++)
        ignored(&b, 0);
    assert_int_equal(b.calls, 3);
    assert_int_equal(b.state, BREAKER_CLOSED);
    breaker_check(&b);
    breaker_fini(&b);

    struct breaker_config t = sliding(WINDOW_TIME, 10, 4, 0.5, 1);
    breaker_init(&b, &t);
    ignored(&b, 0);
    assert_int_equal(win_sum(&b.time, 0, 0), 0);
    breaker_fini(&b);
}

/* ---- sliding, count window ------------------------------------------------- */

static void test_sliding_count_does_not_trip_below_min_calls(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 10, 5, 0.5, 1);
    struct breaker b;
    breaker_init(&b, &c);
    failure_n(&b, 0, 4); /* 100% failed, but only 4 calls */
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_int_equal(b.calls, 4);
    breaker_check(&b);
    failure(&b, 0);
    assert_int_equal(b.state, BREAKER_OPEN);
    breaker_fini(&b);
}

static void test_sliding_count_trips_at_exactly_the_failure_rate(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 10, 10, 0.5, 1);
    struct breaker b;
    breaker_init(&b, &c);
    success_n(&b, 0, 6);
    failure_n(&b, 0, 4);
    assert_int_equal(b.state, BREAKER_CLOSED); /* 40% */
    failure(&b, 0);                            /* the oldest success leaves: 5/10 */
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(b.why_calls, 10);
    assert_int_equal(b.why_failed, 5);
    breaker_fini(&b);

    /* The same at 30%, where the text shows the equality. */
    c = sliding(WINDOW_COUNT, 10, 10, 0.3, 1);
    breaker_init(&b, &c);
    success_n(&b, 0, 7);
    failure_n(&b, 0, 2);
    assert_int_equal(b.state, BREAKER_CLOSED);
    failure(&b, 0);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_string_equal(describe(&b), "failure rate 30% >= 30% over 10 calls");
    breaker_fini(&b);

    /* 7/25 >= 0.28 holds in doubles; in percent it would not, as 0.28 * 100
     * is 28.000000000000004 while 7 * 100 / 25 is 28. */
    c = sliding(WINDOW_COUNT, 25, 25, 0.28, 1);
    breaker_init(&b, &c);
    success_n(&b, 0, 18);
    failure_n(&b, 0, 6);
    assert_int_equal(b.state, BREAKER_CLOSED);
    failure(&b, 0);
    assert_int_equal(b.state, BREAKER_OPEN);
    breaker_fini(&b);
}

static void test_sliding_count_min_calls_is_clamped_to_size(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 4, 100, 0.5, 1);
    struct breaker b;
    breaker_init(&b, &c);
    assert_int_equal(b.min_calls, 4);
    failure_n(&b, 0, 3);
    assert_int_equal(b.state, BREAKER_CLOSED);
    failure(&b, 0);
    assert_int_equal(b.state, BREAKER_OPEN);
    /* And again after a trip and a recovery. */
    assert_true(breaker_acquire(&b, 11 * S));
    success(&b, 11 * S);
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_int_equal(b.min_calls, 4);
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_sliding_count_old_results_fall_out_of_the_ring(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 4, 4, 0.5, 1);
    struct breaker b;
    breaker_init(&b, &c);
    failure(&b, 0);
    success_n(&b, 0, 3); /* F S S S: 25% */
    assert_int_equal(b.failed, 1);
    success(&b, 0); /* S S S S: the failure left */
    assert_int_equal(b.calls, 4);
    assert_int_equal(b.failed, 0);
    failure(&b, 0); /* S S S F */
    assert_int_equal(b.state, BREAKER_CLOSED);
    breaker_check(&b);
    failure(&b, 0); /* S S F F: 50%, where 2 of all 7 would be 29% */
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(b.why_calls, 4);
    assert_int_equal(b.why_failed, 2);
    breaker_fini(&b);
}

static void test_slow_calls_trip_slow_rate_and_an_equal_duration_is_not_slow(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 4, 4, 1.0, 1);
    c.slow_rate = 0.5;
    c.slow_call = 100 * MS;
    struct breaker b;
    breaker_init(&b, &c);
    for (int i = 0; i < 4; i++)
        breaker_record(&b, 0, BREAKER_SUCCESS, 100 * MS);
    assert_int_equal(b.slow, 0);
    assert_int_equal(b.state, BREAKER_CLOSED);
    breaker_record(&b, 0, BREAKER_SUCCESS, 100 * MS + 1);
    assert_int_equal(b.slow, 1);
    assert_int_equal(b.state, BREAKER_CLOSED);
    /* A slow failure is both failed and slow. */
    breaker_record(&b, 0, BREAKER_FAILURE, 5 * S);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(b.why_slow, 2);
    assert_int_equal(b.why_failed, 1);
    assert_string_equal(describe(&b), "slow-call rate 50% >= 50% over 4 calls");
    breaker_fini(&b);
}

static void test_describe_names_both_rates_when_both_trip(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 2, 2, 0.5, 1);
    c.slow_rate = 0.5;
    c.slow_call = 100 * MS;
    struct breaker b;
    breaker_init(&b, &c);
    breaker_record(&b, 0, BREAKER_SUCCESS, 0);
    breaker_record(&b, 0, BREAKER_FAILURE, S);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_string_equal(describe(&b),
                        "failure rate 50% >= 50% and slow-call rate 50% >= 50% over 2 calls");
    breaker_fini(&b);
}

/* ---- sliding, time window -------------------------------------------------- */

static void test_time_window_drops_results_older_than_the_window_bucket_aligned(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_TIME, 2, 4, 0.5, 1);
    struct breaker b;
    breaker_init(&b, &c);
    failure_n(&b, 900 * MS, 2); /* bucket 0: in the window until 2 s */
    success(&b, 1500 * MS);
    assert_int_equal(win_sum(&b.time, 1500 * MS, 0), 3);
    assert_int_equal(win_sum(&b.time, 1500 * MS, 1), 2);
    success(&b, 2000 * MS); /* 1.1 s after the failures, but their bucket is gone */
    assert_int_equal(b.state, BREAKER_CLOSED); /* with them: 2/4 would trip */
    assert_int_equal(win_sum(&b.time, 2000 * MS, 0), 2);
    assert_int_equal(win_sum(&b.time, 2000 * MS, 1), 0);
    breaker_check(&b);

    /* The success at 1.5 s leaves at 3 s; the one at exactly 2 s stays the
     * full 2 s, until 4 s. */
    assert_int_equal(win_sum(&b.time, 2999 * MS, 0), 2);
    assert_int_equal(win_sum(&b.time, 3000 * MS, 0), 1);
    assert_int_equal(win_sum(&b.time, 3999 * MS, 0), 1);
    assert_int_equal(win_sum(&b.time, 4000 * MS, 0), 0);
    breaker_fini(&b);
}

static void test_time_window_trips_on_results_within_the_window(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_TIME, 2, 4, 0.5, 1);
    struct breaker b;
    breaker_init(&b, &c);
    success_n(&b, 1000 * MS, 2);
    failure(&b, 2000 * MS);
    assert_int_equal(b.state, BREAKER_CLOSED);
    failure(&b, 2999 * MS); /* buckets 1 and 2: 2 of 4 */
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_string_equal(describe(&b), "failure rate 50% >= 50% over 4 calls in 2s");
    breaker_fini(&b);
}

static void test_time_window_min_calls_is_not_clamped_to_size(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_TIME, 2, 5, 0.5, 1);
    struct breaker b;
    breaker_init(&b, &c);
    assert_int_equal(b.min_calls, 5);
    failure_n(&b, 100 * MS, 4); /* a count window of 2 would have tripped at 2 */
    assert_int_equal(b.state, BREAKER_CLOSED);
    failure(&b, 100 * MS);
    assert_int_equal(b.state, BREAKER_OPEN);
    breaker_fini(&b);
}

/* ---- sliding, half-open ---------------------------------------------------- */

/* Trips a sliding breaker at 0 and takes it to HALF_OPEN at 11 s. */
static void to_half_open(struct breaker *b)
{
    trip(b, 0);
    assert_true(breaker_acquire(b, 11 * S));
    assert_int_equal(b->state, BREAKER_HALF_OPEN);
}

static void test_sliding_half_open_decides_after_min_calls_when_fewer_than_permits(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 10, 2, 0.5, 5);
    struct breaker b;
    breaker_init(&b, &c);
    to_half_open(&b);
    assert_int_equal(b.min_calls, 2);
    success(&b, 12 * S);
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    success(&b, 12 * S);
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_string_equal(describe(&b), "2/2 trial calls succeeded");
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_sliding_half_open_decides_after_permits_when_fewer_than_min_calls(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 10, 10, 0.5, 3);
    struct breaker b;
    breaker_init(&b, &c);
    to_half_open(&b);
    assert_int_equal(b.min_calls, 3);
    success_n(&b, 12 * S, 2);
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    failure(&b, 12 * S);
    assert_int_equal(b.state, BREAKER_CLOSED); /* 1/3 < 50% */
    assert_string_equal(describe(&b), "2/3 trial calls succeeded (failure rate 33.3% < 50%)");
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_sliding_half_open_reopens_at_the_rate_from_the_deciding_result(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 10, 10, 0.3, 3);
    struct breaker b;
    breaker_init(&b, &c);
    to_half_open(&b);
    failure(&b, 12 * S);
    assert_int_equal(b.state, BREAKER_HALF_OPEN); /* one failure does not decide it */
    success_n(&b, 15 * S, 2);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(b.opened, 15 * S);
    assert_string_equal(describe(&b), "1 of 3 trial calls failed (33.3% >= 30%)");
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_sliding_half_open_reopens_on_slow_trial_calls(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 10, 10, 0.5, 2);
    c.slow_rate = 0.5;
    c.slow_call = 100 * MS;
    struct breaker b;
    breaker_init(&b, &c);
    to_half_open(&b);
    breaker_record(&b, 12 * S, BREAKER_SUCCESS, 100 * MS); /* not slow */
    breaker_record(&b, 12 * S, BREAKER_SUCCESS, 200 * MS);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_string_equal(describe(&b), "1 of 2 trial calls slow (50% >= 50%)");
    breaker_fini(&b);
}

static void test_time_window_half_open_is_a_count_of_trial_calls(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_TIME, 10, 4, 0.5, 2);
    struct breaker b;
    breaker_init(&b, &c);
    to_half_open(&b);
    assert_int_equal(b.min_calls, 2);
    success(&b, 12 * S);
    success(&b, 60 * S); /* far apart in time, still the same trial */
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_int_equal(win_sum(&b.time, 60 * S, 0), 0);
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_late_results_from_calls_admitted_in_closed_decide_half_open(void **state)
{
    (void)state;
    /* Sliding: two calls admitted in CLOSED end during HALF_OPEN and close
     * it, while the one trial that took a permit is still out. */
    struct breaker_config c = sliding(WINDOW_COUNT, 4, 4, 0.5, 2);
    struct breaker b;
    breaker_init(&b, &c);
    assert_true(breaker_acquire(&b, 0));
    assert_true(breaker_acquire(&b, 0));
    trip(&b, 1 * S);
    assert_true(breaker_acquire(&b, 12 * S));
    assert_int_equal(b.permits, 1);
    success_n(&b, 13 * S, 2);
    assert_int_equal(b.state, BREAKER_CLOSED);
    breaker_fini(&b);

    /* Consecutive: a late failure reopens it, the trial still out. */
    struct breaker_config k = consecutive(1, 30 * S, 2);
    breaker_init(&b, &k);
    assert_true(breaker_acquire(&b, 0));
    trip(&b, 1 * S);
    assert_true(breaker_acquire(&b, 32 * S));
    assert_int_equal(b.permits, 1);
    failure(&b, 33 * S);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_int_equal(b.opened, 33 * S);
    assert_string_equal(describe(&b), "trial call failed");
    breaker_fini(&b);
}

static void test_entering_closed_gives_a_fresh_window(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 4, 4, 0.5, 1);
    struct breaker b;
    breaker_init(&b, &c);
    success(&b, 0);
    failure_n(&b, 0, 3); /* S F F F: 75% trips */
    to_half_open(&b);
    success(&b, 11 * S);
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_int_equal(b.calls, 0);
    assert_int_equal(b.failed, 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(b.ring[i], 0);
    failure_n(&b, 12 * S, 3); /* with the old window these would trip at once */
    assert_int_equal(b.state, BREAKER_CLOSED);
    success(&b, 12 * S);
    assert_int_equal(b.state, BREAKER_OPEN); /* 3/4 */
    breaker_fini(&b);

    struct breaker_config t = sliding(WINDOW_TIME, 60, 2, 0.5, 1);
    breaker_init(&b, &t);
    failure_n(&b, 0, 2);
    to_half_open(&b);
    success(&b, 11 * S);
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_int_equal(win_sum(&b.time, 11 * S, 0), 0);
    failure(&b, 12 * S); /* the failures at 0 are still inside 60 s, but discarded */
    success(&b, 12 * S);
    assert_int_equal(b.state, BREAKER_OPEN); /* 1/2 from the fresh window only */
    assert_int_equal(b.why_calls, 2);
    breaker_fini(&b);
}

/* ---- callback and text ----------------------------------------------------- */

static void test_the_callback_sees_every_transition_with_its_from_state(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(2, 30 * S, 1);
    struct breaker b;
    struct log l = {0};
    breaker_init(&b, &c);
    breaker_set_callback(&b, logger, &l);
    failure_n(&b, 1 * S, 2);                  /* CLOSED -> OPEN */
    assert_true(breaker_acquire(&b, 40 * S)); /* OPEN -> HALF_OPEN */
    failure(&b, 41 * S);                      /* HALF_OPEN -> OPEN */
    assert_true(breaker_acquire(&b, 80 * S)); /* OPEN -> HALF_OPEN */
    success(&b, 81 * S);                      /* HALF_OPEN -> CLOSED */
    assert_true(breaker_acquire(&b, 82 * S));
    static const enum breaker_state from[] = {BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN,
                                              BREAKER_OPEN, BREAKER_HALF_OPEN};
    static const enum breaker_state to[] = {BREAKER_OPEN, BREAKER_HALF_OPEN, BREAKER_OPEN,
                                            BREAKER_HALF_OPEN, BREAKER_CLOSED};
    static const sim_time at[] = {1 * S, 40 * S, 41 * S, 80 * S, 81 * S};
    static const char *const why[] = {"2 consecutive failures", "open for more than 30s",
                                      "trial call failed", "open for more than 30s",
                                      "1/1 trial calls succeeded"};
    assert_int_equal(l.n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(l.from[i], from[i]);
        assert_int_equal(l.to[i], to[i]);
        assert_int_equal(l.at[i], at[i]);
        assert_string_equal(l.why[i], why[i]);
    }
    breaker_check(&b);
    breaker_fini(&b);
}

static void test_describe_explains_a_trip_with_its_figures(void **state)
{
    (void)state;
    struct breaker_config c = sliding(WINDOW_COUNT, 16, 16, 0.5, 5);
    c.open_for = 30 * S;
    struct breaker b;
    breaker_init(&b, &c);
    assert_string_equal(describe(&b), "initial state");
    success_n(&b, 0, 6);
    failure_n(&b, 0, 10);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_string_equal(describe(&b), "failure rate 62.5% >= 50% over 16 calls");
    assert_true(breaker_acquire(&b, 31 * S));
    assert_string_equal(describe(&b), "open for more than 30s");
    success_n(&b, 31 * S, 5);
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_string_equal(describe(&b), "5/5 trial calls succeeded");
    breaker_fini(&b);
}

static void test_describe_truncates_to_the_buffer(void **state)
{
    (void)state;
    struct breaker_config c = consecutive(3, 30 * S, 1);
    struct breaker b;
    breaker_init(&b, &c);
    failure_n(&b, 0, 3);
    char buf[8];
    memset(buf, 'x', sizeof buf);
    assert_string_equal(breaker_describe(&b, buf, sizeof buf), "3 conse");
    assert_ptr_equal(breaker_describe(&b, buf, 0), buf); /* n = 0 writes nothing */
    breaker_fini(&b);
}

static void test_state_names_are_the_timeline_spelling(void **state)
{
    (void)state;
    assert_string_equal(breaker_state_name(BREAKER_CLOSED), "CLOSED");
    assert_string_equal(breaker_state_name(BREAKER_OPEN), "OPEN");
    assert_string_equal(breaker_state_name(BREAKER_HALF_OPEN), "HALF_OPEN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consecutive_trips_at_exactly_failure_threshold),
        cmocka_unit_test(test_consecutive_success_resets_the_failure_count),
        cmocka_unit_test(test_consecutive_decay_on_success_takes_only_one_off),
        cmocka_unit_test(test_open_short_circuits_until_strictly_after_recovery_timeout),
        cmocka_unit_test(test_sliding_open_short_circuits_until_strictly_after_open_for),
        cmocka_unit_test(test_open_moves_to_half_open_lazily_on_the_first_acquire),
        cmocka_unit_test(test_half_open_admits_only_n_calls),
        cmocka_unit_test(test_half_open_n_successes_close_with_a_zero_count),
        cmocka_unit_test(test_half_open_one_failure_reopens_from_the_failure_time),
        cmocka_unit_test(test_late_results_during_open_change_nothing),
        cmocka_unit_test(test_ignored_releases_a_half_open_permit_capped_at_half_open_calls),
        cmocka_unit_test(test_ignored_in_closed_records_nothing),
        cmocka_unit_test(test_sliding_count_does_not_trip_below_min_calls),
        cmocka_unit_test(test_sliding_count_trips_at_exactly_the_failure_rate),
        cmocka_unit_test(test_sliding_count_min_calls_is_clamped_to_size),
        cmocka_unit_test(test_sliding_count_old_results_fall_out_of_the_ring),
        cmocka_unit_test(test_slow_calls_trip_slow_rate_and_an_equal_duration_is_not_slow),
        cmocka_unit_test(test_describe_names_both_rates_when_both_trip),
        cmocka_unit_test(test_time_window_drops_results_older_than_the_window_bucket_aligned),
        cmocka_unit_test(test_time_window_trips_on_results_within_the_window),
        cmocka_unit_test(test_time_window_min_calls_is_not_clamped_to_size),
        cmocka_unit_test(test_sliding_half_open_decides_after_min_calls_when_fewer_than_permits),
        cmocka_unit_test(test_sliding_half_open_decides_after_permits_when_fewer_than_min_calls),
        cmocka_unit_test(test_sliding_half_open_reopens_at_the_rate_from_the_deciding_result),
        cmocka_unit_test(test_sliding_half_open_reopens_on_slow_trial_calls),
        cmocka_unit_test(test_time_window_half_open_is_a_count_of_trial_calls),
        cmocka_unit_test(test_late_results_from_calls_admitted_in_closed_decide_half_open),
        cmocka_unit_test(test_entering_closed_gives_a_fresh_window),
        cmocka_unit_test(test_the_callback_sees_every_transition_with_its_from_state),
        cmocka_unit_test(test_describe_explains_a_trip_with_its_figures),
        cmocka_unit_test(test_describe_truncates_to_the_buffer),
        cmocka_unit_test(test_state_names_are_the_timeline_spelling),
    };
    return cmocka_run_group_tests_name("breaker", tests, NULL, NULL);
}
