/* test_fold.c - the timeline's rate limit: kinds, bursts, fold summaries,
 * their time order and a flapping breaker's million lines.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/app/fold.h"
#include "sim/kernel/sim_mem.h"

struct out {
    sim_time at;
    enum sim_trace_level level;
    char who[32];
    char msg[1200];
};

struct capture {
    struct out *lines;
    size_t n, cap;
    uint64_t total; /* every line emitted, also beyond `keep` */
    size_t keep;    /* lines stored; 0: all */
    sim_time last_at;
};

static void emit(void *ctx, sim_time at, enum sim_trace_level level, const char *who,
                 const char *msg)
{
    struct capture *c = ctx;
    assert_true(at >= c->last_at); /* the timeline stays in time order */
    c->last_at = at;
    c->total++;
    if (c->keep && c->n >= c->keep) return;
    c->lines = sim_xgrow(c->lines, &c->cap, c->n + 1, sizeof *c->lines);
    struct out *o = &c->lines[c->n++];
    o->at = at;
    o->level = level;
    snprintf(o->who, sizeof o->who, "%s", who);
    snprintf(o->msg, sizeof o->msg, "%s", msg);
}

#define MIN SIM_MIN
#define SEC SIM_S

static struct fold *make(struct capture *c)
{
    memset(c, 0, sizeof *c);
    c->last_at = INT64_MIN;
    return fold_create(MIN, 10 * SEC, 10, 14 * 3600, emit, c); /* clock 14:00:00 */
}

static void done(struct fold *f, struct capture *c)
{
    fold_destroy(f);
    free(c->lines);
}

static void kind_is(const char *msg, const char *want)
{
    size_t n = fold_kind_len(msg);
    if (n != strlen(want) || strncmp(msg, want, n) != 0)
        fail_msg("kind of \"%s\" is \"%.*s\", want \"%s\"", msg, (int)n, msg, want);
}

static void test_kind_is_the_subject_of_the_message(void **state)
{
    (void)state;
    kind_is("breaker to payment (order_payment) OPEN: 3 consecutive failures",
            "breaker to payment (order_payment)");
    kind_is("breaker to payment (order_payment) HALF_OPEN: open for more than 30s",
            "breaker to payment (order_payment)");
    kind_is("bulkhead to payment (pay) full (semaphore: 3/3 in use): calls rejected",
            "bulkhead to payment (pay)");
    kind_is("bulkhead to payment (pay) recovered (no call rejected for 10s)",
            "bulkhead to payment (pay)");
    kind_is("pool db exhausted (200/200)", "pool db exhausted");
    kind_is("pool db2 recovered (at most 3/200 in use over the last 1s)", "pool db2 recovered");
    kind_is("thread pool saturated (400/400 in use, 388 blocked), requests queue",
            "thread pool saturated");
    kind_is("CRASH: out of memory (601 requests in flight > 600)", "CRASH");
    kind_is("restarted", "restarted");
    kind_is("fault start: slow x50 on payment.db", "fault start");
    kind_is("checkout: 300 -> 4500 rps over 10s", "checkout");
    kind_is("retries to backend (api_call) back under first tries for 60s",
            "retries to backend (api_call)");
    kind_is("12 requests dropped", "");
    kind_is("", "");
}

static void test_a_burst_is_written_and_the_rest_folded_into_one_line(void **state)
{
    (void)state;
    struct capture c;
    struct fold *f = make(&c);
    /* 50 lines, one a second from 14:01:00: 10 written, 40 folded. */
    for (int i = 0; i < 50; i++)
        fold_line(f, MIN + i * SEC, i % 2 ? SIM_TRACE_INFO : SIM_TRACE_WARN, "order",
                  i % 2 ? "breaker to payment (p) CLOSED: trial passed"
                        : "breaker to payment (p) OPEN: trial failed");
    assert_int_equal(c.n, 10);
    fold_finish(f, 10 * MIN);
    assert_int_equal(c.n, 11);
    const struct out *o = &c.lines[10];
    assert_true(o->at ==
                MIN + 59 * SEC); /* quiet for 10 s after the last, before the window's end */
    assert_int_equal(o->level, SIM_TRACE_WARN);
    assert_string_equal(o->who, "order");
    assert_string_equal(o->msg, "... 40 similar lines folded (breaker to payment (p)) from "
                                "14:01:10.000 to 14:01:49.000; the last: breaker to payment (p) "
                                "CLOSED: trial passed");
    done(f, &c);
}

static void test_a_summary_comes_before_the_next_line_of_any_kind(void **state)
{
    (void)state;
    struct capture c;
    struct fold *f = make(&c);
    for (int i = 0; i < 12; i++)
        fold_line(f, i * SEC, SIM_TRACE_INFO, "api", "pool db exhausted (8/8)");
    /* Another element's line after the fold's end: the summary first,
     * stamped at the fold's end (10 s after its last line), which is not
     * after it. */
    fold_line(f, MIN + 5 * SEC, SIM_TRACE_ERROR, "db", "CRASH: out of memory");
    assert_int_equal(c.n, 12);
    assert_true(c.lines[10].at == 21 * SEC);
    assert_string_equal(c.lines[10].who, "api");
    assert_non_null(strstr(c.lines[10].msg, "... 2 similar lines folded (pool db exhausted)"));
    assert_string_equal(c.lines[11].msg, "CRASH: out of memory");
    fold_finish(f, 10 * MIN);
    assert_int_equal(c.n, 12);
    done(f, &c);
}

static void test_one_folded_line_is_singular(void **state)
{
    (void)state;
    struct capture c;
    struct fold *f = make(&c);
    for (int i = 0; i < 11; i++)
        fold_line(f, i * SEC, SIM_TRACE_INFO, "api", "restarted");
    fold_finish(f, 10 * MIN);
    assert_string_equal(c.lines[10].msg, "... 1 similar line folded (restarted) from 14:00:10.000 "
                                         "to 14:00:10.000; the last: restarted");
    done(f, &c);
}

static void test_keys_differ_by_caller_and_by_kind(void **state)
{
    (void)state;
    struct capture c;
    struct fold *f = make(&c);
    static const char *const who[] = {"order", "user"};
    static const char *const msg[] = {"breaker to payment (p) OPEN: x",
                                      "breaker to inventory (p) OPEN: x"};
    for (int i = 0; i < 10; i++)
        for (int w = 0; w < 2; w++)
            for (int m = 0; m < 2; m++)
                fold_line(f, i * SEC, SIM_TRACE_WARN, who[w], msg[m]);
    assert_int_equal(c.n, 40);
    fold_line(f, 10 * SEC, SIM_TRACE_WARN, "order", msg[0]);
    assert_int_equal(c.n, 40);
    done(f, &c);
}

static void test_a_line_at_the_window_end_opens_a_new_window(void **state)
{
    (void)state;
    struct capture c;
    struct fold *f = make(&c);
    for (int i = 0; i < 10; i++)
        fold_line(f, 0, SIM_TRACE_INFO, "api", "restarted");
    fold_line(f, MIN - 1, SIM_TRACE_INFO, "api", "restarted"); /* folded */
    fold_line(f, MIN, SIM_TRACE_INFO, "api", "restarted");     /* new window */
    assert_int_equal(c.n, 12);
    assert_non_null(strstr(c.lines[10].msg, "1 similar line folded"));
    assert_true(c.lines[10].at == MIN);
    assert_string_equal(c.lines[11].msg, "restarted");
    assert_true(c.lines[11].at == MIN);
    done(f, &c);
}

static void test_finish_summarises_in_due_order_at_most_at_the_end(void **state)
{
    (void)state;
    struct capture c;
    struct fold *f = make(&c);
    /* a's key appears first, b's fold is due first (20 s), a's at 22 s. */
    fold_line(f, 0, SIM_TRACE_INFO, "a", "restarted");
    for (int i = 0; i < 11; i++)
        fold_line(f, 10 * SEC, SIM_TRACE_INFO, "b", "restarted");
    for (int i = 0; i < 10; i++)
        fold_line(f, 12 * SEC, SIM_TRACE_INFO, "a", "restarted");
    fold_finish(f, 21 * SEC);
    assert_int_equal(c.n, 22);
    assert_string_equal(c.lines[20].who, "b");
    assert_true(c.lines[20].at == 20 * SEC);
    assert_string_equal(c.lines[21].who, "a");
    assert_true(c.lines[21].at == 21 * SEC); /* the run ended before a's fold did */
    done(f, &c);
}

static void test_a_quiet_fold_ends_early_without_renewing_the_burst(void **state)
{
    (void)state;
    struct capture c;
    struct fold *f = make(&c);
    for (int i = 0; i < 12; i++)
        fold_line(f, 0, SIM_TRACE_WARN, "order", "breaker to payment (p) OPEN: x");
    /* 30 s later, still in the window: the fold ended 10 s after its last
     * line, and the breaker's next line folds again. */
    fold_line(f, 30 * SEC, SIM_TRACE_INFO, "order", "breaker to payment (p) CLOSED: y");
    assert_int_equal(c.n, 11);
    assert_true(c.lines[10].at == 10 * SEC);
    assert_non_null(strstr(c.lines[10].msg, "2 similar lines folded"));
    /* A new window renews it, after the second fold's summary. */
    fold_line(f, MIN, SIM_TRACE_WARN, "order", "breaker to payment (p) OPEN: z");
    assert_int_equal(c.n, 13);
    assert_true(c.lines[11].at == 40 * SEC);
    assert_string_equal(c.lines[11].msg,
                        "... 1 similar line folded (breaker to payment (p)) from 14:00:30.000 to "
                        "14:00:30.000; the last: breaker to payment (p) CLOSED: y");
    assert_string_equal(c.lines[12].msg, "breaker to payment (p) OPEN: z");
    fold_finish(f, 10 * MIN);
    assert_int_equal(c.n, 13);
    done(f, &c);
}

static void test_the_summary_has_the_highest_folded_level(void **state)
{
    (void)state;
    struct capture c;
    struct fold *f = make(&c);
    for (int i = 0; i < 10; i++)
        fold_line(f, 0, SIM_TRACE_INFO, "s", "thread pool saturated (1/1 in use)");
    fold_line(f, SEC, SIM_TRACE_ERROR, "s", "thread pool saturated (1/1 in use)");
    fold_line(f, 2 * SEC, SIM_TRACE_INFO, "s", "thread pool saturated (1/1 in use)");
    fold_finish(f, MIN);
    assert_int_equal(c.lines[10].level, SIM_TRACE_ERROR);
    done(f, &c);
}

static void test_a_million_flapping_lines_write_eleven_a_minute(void **state)
{
    (void)state;
    struct capture c;
    struct fold *f = make(&c);
    c.keep = 1;
    /* A breaker flapping every 3.6 ms for an hour: 10^6 lines. */
    const int n = 1000000;
    for (int i = 0; i < n; i++)
        fold_line(f, (sim_time)i * 3600 * SIM_US, SIM_TRACE_WARN, "order",
                  i % 2 ? "breaker to payment (p) HALF_OPEN: open for more than 1ms"
                        : "breaker to payment (p) OPEN: trial call failed");
    fold_finish(f, SIM_HOUR);
    assert_int_equal(c.total, 60 * 11);
    done(f, &c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_is_the_subject_of_the_message),
        cmocka_unit_test(test_a_burst_is_written_and_the_rest_folded_into_one_line),
        cmocka_unit_test(test_a_summary_comes_before_the_next_line_of_any_kind),
        cmocka_unit_test(test_one_folded_line_is_singular),
        cmocka_unit_test(test_keys_differ_by_caller_and_by_kind),
        cmocka_unit_test(test_a_line_at_the_window_end_opens_a_new_window),
        cmocka_unit_test(test_finish_summarises_in_due_order_at_most_at_the_end),
        cmocka_unit_test(test_a_quiet_fold_ends_early_without_renewing_the_burst),
        cmocka_unit_test(test_the_summary_has_the_highest_folded_level),
        cmocka_unit_test(test_a_million_flapping_lines_write_eleven_a_minute),
    };
    return cmocka_run_group_tests_name("fold", tests, NULL, NULL);
}
