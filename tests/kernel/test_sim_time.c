/* test_sim_time.c - the one rounding rule, duration strings, printing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim/kernel/sim_time.h"

static sim_time parse_ok(const char *s)
{
    sim_time t = -12345;
    const char *err = sim_time_parse(s, &t);
    if (err) fail_msg("\"%s\" rejected: %s", s, err);
    return t;
}

static void expect_bad(const char *s)
{
    sim_time t = -12345;
    const char *err = sim_time_parse(s, &t);
    if (!err) fail_msg("\"%s\" accepted as %lld", s, (long long)t);
    assert_true(strlen(err) > 0);
    assert_true(t == -12345); /* output untouched on error */
}

static void test_from_s_rounds_to_nearest_ns_halves_away_from_zero(void **state)
{
    (void)state;
    assert_true(sim_time_from_s(1.5) == 1500000000);
    assert_true(sim_time_from_s(0.0) == 0);
    assert_true(sim_time_from_s(1.5e-9) == 2); /* 1.5 ns exactly in binary */
    assert_true(sim_time_from_s(2.5e-9) == 3);
    assert_true(sim_time_from_s(-2.5e-9) == -3);
    assert_true(sim_time_from_s(1.4e-9) == 1);
    assert_true(sim_time_from_s(0.4e-9) == 0);
    assert_true(sim_time_from_s(-0.001) == -SIM_MS);
}

static void test_from_s_saturates_instead_of_overflowing(void **state)
{
    (void)state;
    assert_true(sim_time_from_s(1e300) == SIM_TIME_MAX);
    assert_true(sim_time_from_s(-1e300) == -SIM_TIME_MAX);
    assert_true(sim_time_from_s(9.3e9) == SIM_TIME_MAX); /* 2^63 ns is 9.22e9 s */
    assert_true(sim_time_from_s(9.2e9) == (sim_time)9200000000 * SIM_S);
}

static void test_to_s_and_to_ms_convert_back(void **state)
{
    (void)state;
    assert_true(sim_time_to_s(1500 * SIM_MS) == 1.5);
    assert_true(sim_time_to_ms(1500 * SIM_US) == 1.5);
    assert_true(sim_time_to_s(0) == 0.0);
}

static void test_parse_bare_number_is_seconds(void **state)
{
    (void)state;
    assert_true(parse_ok("1.5") == 1500 * SIM_MS);
    assert_true(parse_ok("0") == 0);
    assert_true(parse_ok("30") == 30 * SIM_S);
    assert_true(parse_ok("0.25") == 250 * SIM_MS);
    assert_true(parse_ok("007") == 7 * SIM_S);
}

static void test_parse_units(void **state)
{
    (void)state;
    assert_true(parse_ok("250us") == 250 * SIM_US);
    assert_true(parse_ok("5ms") == 5 * SIM_MS);
    assert_true(parse_ok("30s") == 30 * SIM_S);
    assert_true(parse_ok("15m") == 15 * SIM_MIN);
    assert_true(parse_ok("1h") == SIM_HOUR);
    assert_true(parse_ok("100ns") == 100);
    assert_true(parse_ok("1.5ms") == 1500 * SIM_US);
    assert_true(parse_ok("0s") == 0);
    assert_true(parse_ok("0.5h") == 30 * SIM_MIN);
}

static void test_parse_compound_terms_from_largest_unit_down(void **state)
{
    (void)state;
    assert_true(parse_ok("15m10s") == 15 * SIM_MIN + 10 * SIM_S);
    assert_true(parse_ok("1h30m") == 90 * SIM_MIN);
    assert_true(parse_ok("1h0m5s") == SIM_HOUR + 5 * SIM_S);
    assert_true(parse_ok("2h3m4s5ms6us7ns") ==
                2 * SIM_HOUR + 3 * SIM_MIN + 4 * SIM_S + 5 * SIM_MS + 6 * SIM_US + 7);
    assert_true(parse_ok("1m1.5s") == SIM_MIN + 1500 * SIM_MS);
    assert_true(parse_ok("90m") == 90 * SIM_MIN); /* a term may exceed the next unit */
}

static void test_parse_fractions_are_exact_and_round_half_away_from_zero(void **state)
{
    (void)state;
    assert_true(parse_ok("0.0000000015s") == 2);
    assert_true(parse_ok("0.0000000014999999999999s") == 1);
    assert_true(parse_ok("0.5ns") == 1);
    assert_true(parse_ok("0.4999ns") == 0);
    assert_true(parse_ok("1.0000000005") == 1000000001);
    assert_true(parse_ok("0.1h") == 6 * SIM_MIN); /* not 359.99999 s via binary 0.1 */
    assert_true(parse_ok("1.123456789012345678901234567890s") == 1123456789);
    assert_true(parse_ok("2.9999999995s") == 3 * SIM_S);
    assert_true(parse_ok("0.000000000001h") == 4); /* 3.6 ns */
}

static void test_parse_limit_is_100_years(void **state)
{
    (void)state;
    assert_true(parse_ok("3155760000s") == (sim_time)3155760000 * SIM_S);
    assert_true(parse_ok("876600h") == (sim_time)3155760000 * SIM_S);
    expect_bad("3155760000.000000001s");
    expect_bad("876601h");
    expect_bad("876599h60m1ns");
    expect_bad("99999999999999999999999999999s");
    expect_bad("9223372036854775808ns");
    expect_bad("1000000000000h");
}

static void test_parse_rejects_malformed_strings(void **state)
{
    (void)state;
    const char *bad[] = {
        "",       "-3s",  "-0",    "5 sec", "5sec",  "ms",  "s",    "1.2.3s", "10s5m",
        "5s5s",   "1m1h", "1ms1s", "nan",   "inf",   "NaN", "1e3s", " 5s",    "5s ",
        "+5s",    "1m30", ".",     ".s",    "5x",    "5S",  "5MS",  "h",      "5 s",
        "1h 30m", "5mss", "5us5",  "1,5s",  "0x10s", "5d",  "1y",   "infs",   "5\ns",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_bad(bad[i]);
}

static void test_parse_messages_name_the_problem(void **state)
{
    (void)state;
    sim_time t;
    assert_non_null(strstr(sim_time_parse("", &t), "empty"));
    assert_non_null(strstr(sim_time_parse("-3s", &t), "negative"));
    assert_non_null(strstr(sim_time_parse("10s5m", &t), "largest"));
    assert_non_null(strstr(sim_time_parse("101000000h", &t), "too large"));
    assert_non_null(strstr(sim_time_parse("5 sec", &t), "unit"));
    assert_non_null(strstr(sim_time_parse("ms", &t), "number"));
    /* Static strings: the same pointer every time, nothing to free. */
    assert_ptr_equal(sim_time_parse("x", &t), sim_time_parse("y", &t));
}

static void expect_format(sim_time t, const char *want)
{
    char buf[64];
    size_t n = sim_time_format(t, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_format_writes_the_shortest_exact_form(void **state)
{
    (void)state;
    expect_format(0, "0s");
    expect_format(250 * SIM_US, "250us");
    expect_format(1500 * SIM_US, "1.5ms");
    expect_format(15 * SIM_MIN + 10 * SIM_S, "15m10s");
    expect_format(90 * SIM_MIN, "1h30m");
    expect_format(SIM_HOUR, "1h");
    expect_format(1, "1ns");
    expect_format(30 * SIM_S, "30s");
    expect_format(1500 * SIM_MS, "1.5s");
    expect_format(SIM_S + 1, "1.000000001s");
    expect_format(SIM_HOUR + 1, "1h1ns");
    expect_format(SIM_MIN + 500 * SIM_MS, "1m500ms");
    expect_format(1001 * SIM_US, "1.001ms");
    expect_format(100 * SIM_HOUR, "100h");
    expect_format(-1500 * SIM_US, "-1.5ms");
    expect_format(INT64_MIN, "-2562047h47m16.854775808s");
    expect_format(SIM_TIME_MAX, "2562047h47m16.854775807s");
}

static void test_format_truncates_but_always_terminates(void **state)
{
    (void)state;
    char buf[5];
    memset(buf, 'x', sizeof buf);
    size_t n = sim_time_format(15 * SIM_MIN + 10 * SIM_S, buf, sizeof buf);
    assert_int_equal(n, 6);
    assert_string_equal(buf, "15m1");
    assert_int_equal(sim_time_format(250 * SIM_US, NULL, 0), 5);
    char one[1] = {'x'};
    assert_int_equal(sim_time_format(SIM_S, one, 1), 2);
    assert_int_equal(one[0], '\0');
}

static void test_parse_of_format_round_trips(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    const sim_time max = (sim_time)3155760000 * SIM_S;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* Every magnitude from 1 ns to 100 years, and round values too. */
        int shift = (int)(x % 62);
        sim_time t = (sim_time)((x >> 2) >> shift) % (max + 1);
        static const sim_time round[] = {1, SIM_US, SIM_MS, SIM_S, SIM_MIN, SIM_HOUR};
        if (i % 3 == 0) t = t / round[i % 6] * round[i % 6];
        char buf[64];
        size_t n = sim_time_format(t, buf, sizeof buf);
        assert_true(n < sizeof buf);
        sim_time back = parse_ok(buf);
        if (back != t) fail_msg("%lld -> \"%s\" -> %lld", (long long)t, buf, (long long)back);
    }
}

static void expect_clock(sim_time t, sim_time origin, const char *want)
{
    char buf[32];
    size_t n = sim_time_clock(t, origin, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_clock_labels_from_an_origin(void **state)
{
    (void)state;
    expect_clock(0, 50400, "14:00:00.000");
    expect_clock(15 * SIM_MIN + 45 * SIM_S + 120 * SIM_MS, 50400, "14:15:45.120");
    expect_clock(0, 0, "00:00:00.000");
    expect_clock(999999, 0, "00:00:00.000"); /* truncated, never rounded up */
    expect_clock(SIM_MS, 0, "00:00:00.001");
    expect_clock(2 * SIM_S, 86399, "00:00:01.000"); /* wraps at midnight */
    expect_clock(3 * 24 * SIM_HOUR + SIM_S, 0, "00:00:01.000");
    expect_clock(-SIM_MS, 0, "23:59:59.999");
    expect_clock(10 * SIM_HOUR, 50400, "00:00:00.000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_s_rounds_to_nearest_ns_halves_away_from_zero),
        cmocka_unit_test(test_from_s_saturates_instead_of_overflowing),
        cmocka_unit_test(test_to_s_and_to_ms_convert_back),
        cmocka_unit_test(test_parse_bare_number_is_seconds),
        cmocka_unit_test(test_parse_units),
        cmocka_unit_test(test_parse_compound_terms_from_largest_unit_down),
        cmocka_unit_test(test_parse_fractions_are_exact_and_round_half_away_from_zero),
        cmocka_unit_test(test_parse_limit_is_100_years),
        cmocka_unit_test(test_parse_rejects_malformed_strings),
        cmocka_unit_test(test_parse_messages_name_the_problem),
        cmocka_unit_test(test_format_writes_the_shortest_exact_form),
        cmocka_unit_test(test_format_truncates_but_always_terminates),
        cmocka_unit_test(test_parse_of_format_round_trips),
        cmocka_unit_test(test_clock_labels_from_an_origin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
