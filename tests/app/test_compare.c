/* test_compare.c - `domino compare`: paired statistics against hand-computed
 * values, and the table and CSV written from summary trees built by hand.
 *
 * t quantiles used below (two-sided 95%): t_{0.975,1} = 12.706205,
 * t_{0.975,2} = 4.302653, t_{0.975,4} = 2.776445.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/app/compare.h"
#include "sim/app/report.h"

/* cmocka's assert_float_equal works in float; these values need double. */
#define assert_near(got, want, tol) near_((got), (want), (tol), #got, __LINE__)
static void near_(double got, double want, double tol, const char *what, int line)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("line %d: %s = %.12g, want %.12g +- %g", line, what, got, want, tol);
}

/* ---- statistics ---------------------------------------------------------- */

static void test_paired_mean_and_ci_match_hand_computation(void **state)
{
    (void)state;
    /* d = {1, 2, 0, 3, 1}: mean 1.4, sample variance 5.2 / 4 = 1.3,
     * ci = t_{0.975,4} * sqrt(1.3 / 5) = 2.776445 * 0.509902 = 1.415715. */
    const double a[] = {1, 2, 3, 4, 5}, b[] = {2, 4, 3, 7, 6};
    double mean, ci;
    compare_paired(a, b, 5, &mean, &ci);
    assert_near(mean, 1.4, 1e-12);
    assert_near(ci, 1.415715, 1e-6);
}

static void test_paired_is_other_minus_first(void **state)
{
    (void)state;
    const double a[] = {10, 20}, b[] = {7, 17};
    double mean, ci;
    compare_paired(a, b, 2, &mean, &ci);
    assert_true(mean == -3);
    assert_true(ci == 0);
}

static void test_identical_inputs_give_exactly_zero_and_zero(void **state)
{
    (void)state;
    /* Values whose sum is inexact in binary: a two-pass mean would leave
     * residues of 1e-17 in the variance. */
    const double a[] = {0.1, 0.7, 0.3, 1e6 + 0.1};
    double mean, ci;
    compare_paired(a, a, 4, &mean, &ci);
    assert_true(mean == 0);
    assert_true(ci == 0);
}

static void test_constant_difference_has_zero_ci(void **state)
{
    (void)state;
    const double a[] = {1, 2, 3}, b[] = {1.5, 2.5, 3.5};
    double mean, ci;
    compare_paired(a, b, 3, &mean, &ci);
    assert_true(mean == 0.5);
    assert_true(ci == 0);
}

static void test_one_replication_gives_the_difference_and_no_ci(void **state)
{
    (void)state;
    const double a[] = {0.25}, b[] = {0.75};
    double mean, ci;
    compare_paired(a, b, 1, &mean, &ci);
    assert_true(mean == 0.5);
    assert_true(isnan(ci));
}

static void test_pairs_with_a_missing_value_are_left_out(void **state)
{
    (void)state;
    /* The pair with NaN (a null p99: nothing completed) is dropped, leaving
     * d = {1, 3}: mean 2, ci = 12.706205 * sqrt(2) / sqrt(2). */
    const double a[] = {1, (double)NAN, 1}, b[] = {2, 5, 4};
    double mean, ci;
    compare_paired(a, b, 3, &mean, &ci);
    assert_near(mean, 2, 1e-12);
    assert_near(ci, 12.706205, 1e-6);
    const double none[] = {(double)NAN, (double)NAN};
    compare_paired(none, b, 2, &mean, &ci);
    assert_true(isnan(mean) && isnan(ci));
}

static void test_mean_ci_is_the_t_half_width(void **state)
{
    (void)state;
    /* x = {2, 4, 6}: mean 4, sd 2, ci = 4.302653 * 2 / sqrt(3) = 4.968276. */
    const double x[] = {2, 4, 6};
    double mean, ci;
    compare_mean(x, 3, &mean, &ci);
    assert_near(mean, 4, 1e-12);
    assert_near(ci, 4.968276, 1e-6);
    compare_mean(x, 1, &mean, &ci);
    assert_true(mean == 2 && isnan(ci));
}

/* ---- output -------------------------------------------------------------- */

/* One replication's summary tree, shaped like summary.json: a load source
 * `users`, a service `edge` with unlimited threads (null) and `api`. */
static struct report *tree(double success, double goodput, double p99, double blocked)
{
    struct report *root = report_object(NULL, NULL);
    report_string(root, "scenario", "t");
    report_number(root, "duration_s", 60);
    report_number(root, "warmup_s", 5);
    struct report *u = report_object(report_object(root, "load"), "users");
    report_number(u, "success_rate", success);
    report_number(u, "goodput_rps", goodput);
    report_number(report_object(u, "latency_ms"), "p99", p99);
    struct report *s = report_object(root, "services");
    report_null(report_object(s, "edge"), "blocked_fraction");
    report_number(report_object(s, "api"), "blocked_fraction", blocked);
    return root;
}

/* Writes the comparison of variants a and b (R = 2, or 1) to a string. */
static char *render(enum compare_format fmt, int R)
{
    struct report *runs[4] = {
        tree(0.5, 100, 20, 0.25), tree(0.75, 110, 30, 0.5),  /* a */
        tree(0.75, 100, 10, 0.25), tree(1.0, 110, 40, 0.75), /* b */
    };
    struct report *used[4] = {runs[0], runs[1], runs[2], runs[3]};
    if (R == 1) used[1] = runs[2];
    const char *names[] = {"a", "b"};
    struct compare_input in = {.scenario = "t",
                               .seed = 7,
                               .replications = R,
                               .nvariants = 2,
                               .variants = names,
                               .runs = used};
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_true(compare_write(&in, fmt, f));
    long n = ftell(f);
    rewind(f);
    char *buf = calloc((size_t)n + 1, 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    for (int i = 0; i < 4; i++)
        report_free(runs[i]);
    return buf;
}

/* The line that starts with prefix, or fails the test. */
static const char *line_of(const char *text, const char *prefix)
{
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, prefix, strlen(prefix)) == 0) return p;
    fail_msg("no line starting with \"%s\" in:\n%s", prefix, text);
    return NULL;
}

static int line_count(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* Field k (0-based) of the CSV line at p, as a number; NaN when empty. */
static double field(const char *p, int k)
{
    for (int i = 0; i < k; i++)
        p = strchr(p, ',') + 1;
    if (*p == ',' || *p == '\n' || !*p) return (double)NAN;
    return strtod(p, NULL);
}

static void test_csv_has_one_row_per_metric_and_variant(void **state)
{
    (void)state;
    char *csv = render(COMPARE_CSV, 2);
    assert_int_equal(strncmp(csv, "metric,variant,mean,ci95,diff,diff_ci95\n", 40), 0);
    assert_int_equal(line_count(csv), 1 + 5 * 2); /* 3 load metrics, 2 services */
    /* success: a = {0.5, 0.75}, b = {0.75, 1}: d = 0.25 twice. */
    const char *p = line_of(csv, "users success_rate,a,");
    assert_near(field(p, 2), 0.625, 1e-12);
    assert_near(field(p, 3), 12.706205 * 0.125, 1e-6);
    assert_true(isnan(field(p, 4)) && isnan(field(p, 5)));
    p = line_of(csv, "users success_rate,b,");
    assert_near(field(p, 4), 0.25, 1e-12);
    assert_true(field(p, 5) == 0);
    /* goodput identical: diff exactly "0,0". */
    p = line_of(csv, "users goodput_rps,b,105,");
    assert_near(field(p, 3), 12.706205 * 5, 1e-5);
    assert_non_null(strstr(p, ",0,0\n"));
    /* p99: d = {-10, 10}: mean 0, ci = 12.706205 * 10. */
    p = line_of(csv, "users p99_ms,b,");
    assert_true(field(p, 4) == 0);
    assert_near(field(p, 5), 127.06205, 1e-4);
    /* Unlimited threads: every number empty. */
    line_of(csv, "edge blocked_fraction,a,,,,\n");
    line_of(csv, "edge blocked_fraction,b,,,,\n");
    line_of(csv, "api blocked_fraction,b,");
    free(csv);
}

static void test_csv_with_one_replication_has_no_intervals(void **state)
{
    (void)state;
    char *csv = render(COMPARE_CSV, 1);
    assert_non_null(strstr(csv, "users success_rate,a,0.5,,,\n"));
    assert_non_null(strstr(csv, "users success_rate,b,0.75,,0.25,\n"));
    free(csv);
}

static void test_table_rows_marks_and_legend(void **state)
{
    (void)state;
    char *t = render(COMPARE_TABLE, 2);
    line_of(t, "t: seed 7, 2 replications, 1m simulated (first 5s excluded)\n");
    const char *h = line_of(t, "metric ");
    assert_non_null(strstr(h, "diff"));
    /* d = 0.25 in both replications: +25.00 points, CI 0, excludes 0. */
    const char *p = line_of(t, "users success_rate ");
    assert_non_null(strstr(p, "62.50%"));
    assert_non_null(strstr(p, "+25.00 \u00b1"));
    assert_true(strchr(p, '*') && strchr(p, '*') < strchr(p, '\n'));
    /* Identical in every replication: a bare 0, no interval, no mark. */
    p = line_of(t, "users goodput_rps ");
    char row[256];
    snprintf(row, sizeof row, "%.*s", (int)(strchr(p, '\n') - p), p);
    assert_null(strstr(row, "\u00b1"));
    assert_null(strchr(row, '*'));
    /* d = {-10, +10}: mean 0, wide interval, not marked. */
    p = line_of(t, "users p99_ms ");
    snprintf(row, sizeof row, "%.*s", (int)(strchr(p, '\n') - p), p);
    assert_non_null(strstr(row, "\u00b1"));
    assert_null(strchr(row, '*'));
    p = line_of(t, "edge blocked_fraction ");
    snprintf(row, sizeof row, "%.*s", (int)(strchr(p, '\n') - p), p);
    assert_non_null(strstr(row, " - "));
    line_of(t, "api blocked_fraction ");
    line_of(t, "diff = variant - a over 2 paired replications");
    free(t);
}

static void test_table_columns_line_up(void **state)
{
    (void)state;
    char *t = render(COMPARE_TABLE, 2);
    /* The first variant's values are right-aligned: every row's first value
     * ends in the column where the header's "a" does. */
    const char *h = line_of(t, "metric ");
    int end = (int)(strstr(h, " a ") - h) + 2;
    static const char *const rows[] = {"users success_rate", "users goodput_rps", "users p99_ms",
                                       "api blocked_fraction"};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const char *p = line_of(t, rows[i]);
        assert_true(p[end - 1] != ' ');
        assert_true(p[end] == ' ');
    }
    free(t);
}

static void test_wide_tables_are_cut_into_blocks_of_120_columns(void **state)
{
    (void)state;
    enum { NV = 6 };
    struct report *runs[NV];
    static const char *const names[NV] = {"reference-variant",  "second-long-variant",
                                          "third-long-variant", "fourth-long-variant",
                                          "fifth-long-variant", "sixth-long-variant"};
    for (int v = 0; v < NV; v++)
        runs[v] = tree(0.5 + 0.01 * v, 1000 + v, 123.4 * v, 0.1 * v);
    struct compare_input in = {.scenario = "t",
                               .seed = 1,
                               .replications = 1,
                               .nvariants = NV,
                               .variants = names,
                               .runs = runs};
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_true(compare_write(&in, COMPARE_TABLE, f));
    rewind(f);
    char line[512];
    int headers = 0, seen[NV] = {0};
    while (fgets(line, sizeof line, f)) {
        int cols = 0;
        for (const char *p = line; *p && *p != '\n'; p++)
            cols += ((unsigned char)*p & 0xC0) != 0x80;
        assert_true(cols <= 120);
        if (strncmp(line, "metric ", 7) == 0) {
            headers++;
            /* Every block starts with the reference. */
            assert_non_null(strstr(line, names[0]));
            for (int v = 1; v < NV; v++)
                seen[v] += strstr(line, names[v]) != NULL;
        }
    }
    fclose(f);
    assert_true(headers >= 2);
    for (int v = 1; v < NV; v++)
        assert_int_equal(seen[v], 1);
    for (int v = 0; v < NV; v++)
        report_free(runs[v]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paired_mean_and_ci_match_hand_computation),
        cmocka_unit_test(test_paired_is_other_minus_first),
        cmocka_unit_test(test_identical_inputs_give_exactly_zero_and_zero),
        cmocka_unit_test(test_constant_difference_has_zero_ci),
        cmocka_unit_test(test_one_replication_gives_the_difference_and_no_ci),
        cmocka_unit_test(test_pairs_with_a_missing_value_are_left_out),
        cmocka_unit_test(test_mean_ci_is_the_t_half_width),
        cmocka_unit_test(test_csv_has_one_row_per_metric_and_variant),
        cmocka_unit_test(test_csv_with_one_replication_has_no_intervals),
        cmocka_unit_test(test_table_rows_marks_and_legend),
        cmocka_unit_test(test_table_columns_line_up),
        cmocka_unit_test(test_wide_tables_are_cut_into_blocks_of_120_columns),
    };
    return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
