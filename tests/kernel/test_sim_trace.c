/* test_sim_trace.c - the trace sink: formatting only when a sink is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/kernel/sim.h"

struct sink {
    int calls;
    sim_time at;
    enum sim_trace_level level;
    char who[64];
    char msg[1024];
};

static void sink_fn(void *ctx, sim_time at, enum sim_trace_level level, const char *who,
                    const char *msg)
{
    struct sink *s = ctx;
    s->calls++;
    s->at = at;
    s->level = level;
    strncpy(s->who, who, sizeof s->who - 1);
    strncpy(s->msg, msg, sizeof s->msg - 1);
}

static void test_trace_without_sink_is_disabled_and_does_nothing(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    assert_false(sim_trace_enabled(sim));
    sim_trace(sim, SIM_TRACE_ERROR, "payment", "pool %s exhausted (%d/%d)", "db", 200, 200);
    sim_destroy(sim);
}

static void trace_at_event(struct sim *sim, void *subject, void *object)
{
    (void)subject;
    (void)object;
    sim_trace(sim, SIM_TRACE_WARN, "payment", "breaker %s", "opened");
}

static void test_trace_sink_receives_formatted_message_at_current_time(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct sink s = {0};
    sim_trace_set(sim, sink_fn, &s);
    assert_true(sim_trace_enabled(sim));
    sim_trace(sim, SIM_TRACE_ERROR, "payment", "pool %s exhausted (%d/%d)", "db", 200, 200);
    assert_int_equal(s.calls, 1);
    assert_true(s.at == 0);
    assert_int_equal(s.level, SIM_TRACE_ERROR);
    assert_string_equal(s.who, "payment");
    assert_string_equal(s.msg, "pool db exhausted (200/200)");

    sim_event_at(sim, 15 * SIM_MIN, trace_at_event, NULL, NULL);
    sim_run_until(sim, SIM_HOUR);
    assert_int_equal(s.calls, 2);
    assert_true(s.at == 15 * SIM_MIN);
    assert_int_equal(s.level, SIM_TRACE_WARN);
    assert_string_equal(s.msg, "breaker opened");

    sim_trace_set(sim, NULL, NULL); /* removing the sink silences it */
    sim_trace(sim, SIM_TRACE_INFO, "x", "y");
    assert_int_equal(s.calls, 2);
    sim_destroy(sim);
}

static void test_trace_truncates_messages_to_511_bytes(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct sink s = {0};
    sim_trace_set(sim, sink_fn, &s);
    char big[800];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sim_trace(sim, SIM_TRACE_INFO, "load", "%s", big);
    assert_int_equal(strlen(s.msg), 511);
    sim_destroy(sim);
}

static void test_trace_level_names(void **state)
{
    (void)state;
    assert_string_equal(sim_trace_level_name(SIM_TRACE_INFO), "INFO");
    assert_string_equal(sim_trace_level_name(SIM_TRACE_WARN), "WARN");
    assert_string_equal(sim_trace_level_name(SIM_TRACE_ERROR), "ERROR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_without_sink_is_disabled_and_does_nothing),
        cmocka_unit_test(test_trace_sink_receives_formatted_message_at_current_time),
        cmocka_unit_test(test_trace_truncates_messages_to_511_bytes),
        cmocka_unit_test(test_trace_level_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
