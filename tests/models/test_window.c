/* test_window.c - sliding time windows of fixed buckets: counters add up,
 * whole buckets leave the window n buckets after their own, a jump longer than
 * the window empties it, and buckets are aligned to multiples of the width
 * from t = 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "models/window.h"

#define S  SIM_S
#define MS SIM_MS

static void test_add_then_sum_counts_each_counter_separately(void **state)
{
    (void)state;
    struct win w;
    win_init(&w, S, 3);
    win_add(&w, 100 * MS, 0, 2);
    win_add(&w, 200 * MS, 0, 1);
    win_add(&w, 300 * MS, 1, 5);
    win_add(&w, 1500 * MS, 2, 7);
    win_add(&w, 1500 * MS, 0, 1);
    assert_int_equal(win_sum(&w, 1600 * MS, 0), 4);
    assert_int_equal(win_sum(&w, 1600 * MS, 1), 5);
    assert_int_equal(win_sum(&w, 1600 * MS, 2), 7);
    win_fini(&w);
}

static void test_a_count_leaves_n_buckets_after_its_own(void **state)
{
    (void)state;
    struct win w;
    win_init(&w, S, 3);
    win_add(&w, 500 * MS, 0, 1); /* bucket 0: in the window while the head is 0, 1 or 2 */
    win_add(&w, 1500 * MS, 0, 10);
    assert_int_equal(win_sum(&w, 2999 * MS, 0), 11);
    assert_int_equal(win_sum(&w, 3000 * MS, 0), 10);
    assert_int_equal(win_sum(&w, 3999 * MS, 0), 10);
    assert_int_equal(win_sum(&w, 4000 * MS, 0), 0);
    win_fini(&w);
}

static void test_a_short_jump_evicts_only_the_oldest_buckets(void **state)
{
    (void)state;
    struct win w;
    win_init(&w, S, 4);
    for (int i = 0; i < 4; i++)
        win_add(&w, i * S, 0, (int64_t)1 << i); /* 1, 2, 4, 8 in buckets 0..3 */
    assert_int_equal(win_sum(&w, 3 * S, 0), 15);
    /* Head 3 -> 5: buckets 0 and 1 leave, 2 and 3 stay. */
    assert_int_equal(win_sum(&w, 5 * S, 0), 12);
    win_add(&w, 5 * S, 0, 16);
    assert_int_equal(win_sum(&w, 5 * S, 0), 28);
    win_fini(&w);
}

static void test_a_jump_longer_than_the_window_clears_it(void **state)
{
    (void)state;
    struct win w;
    win_init(&w, S, 3);
    for (int i = 0; i < 3; i++) {
        win_add(&w, i * S, 0, 1);
        win_add(&w, i * S, 1, 2);
    }
    assert_int_equal(win_sum(&w, 2 * S, 0), 3);
    assert_int_equal(win_sum(&w, 1000 * S, 0), 0);
    assert_int_equal(win_sum(&w, 1000 * S, 1), 0);
    /* The ring is reusable after the jump, and stale buckets do not come back. */
    win_add(&w, 1000 * S, 0, 4);
    assert_int_equal(win_sum(&w, 1001 * S, 0), 4);
    assert_int_equal(win_sum(&w, 1002 * S, 0), 4);
    assert_int_equal(win_sum(&w, 1003 * S, 0), 0);
    win_fini(&w);
}

static void test_a_jump_of_exactly_n_buckets_clears_it(void **state)
{
    (void)state;
    struct win w;
    win_init(&w, S, 3);
    win_add(&w, 2 * S, 0, 1);
    win_add(&w, 2 * S + 999 * MS, 0, 1);
    assert_int_equal(win_sum(&w, 4 * S + 999 * MS, 0), 2);
    assert_int_equal(win_sum(&w, 5 * S, 0), 0);
    win_fini(&w);
}

static void test_buckets_are_aligned_to_multiples_of_the_width(void **state)
{
    (void)state;
    struct win w;
    win_init(&w, S, 2);
    /* 999 ms is in bucket 0, which leaves at 2 s: 1001 ms later. */
    win_add(&w, 999 * MS, 0, 1);
    assert_int_equal(win_sum(&w, 1999 * MS, 0), 1);
    assert_int_equal(win_sum(&w, 2000 * MS, 0), 0);
    /* 2000 ms starts bucket 2, which stays until 4 s: the full 2 s. */
    win_add(&w, 2000 * MS, 0, 1);
    assert_int_equal(win_sum(&w, 3999 * MS, 0), 1);
    assert_int_equal(win_sum(&w, 4000 * MS, 0), 0);
    win_fini(&w);

    /* A width that is not a second: 250 ms buckets, one bucket. */
    win_init(&w, 250 * MS, 1);
    win_add(&w, 499 * MS, 0, 3);
    assert_int_equal(win_sum(&w, 250 * MS + 249 * MS, 0), 3);
    assert_int_equal(win_sum(&w, 500 * MS, 0), 0);
    win_fini(&w);
}

static void test_clear_empties_the_window_and_keeps_its_position(void **state)
{
    (void)state;
    struct win w;
    win_init(&w, S, 3);
    win_add(&w, 5 * S, 0, 3);
    win_add(&w, 6 * S, 2, 1);
    win_clear(&w);
    assert_int_equal(win_sum(&w, 6 * S, 0), 0);
    assert_int_equal(win_sum(&w, 6 * S, 2), 0);
    win_add(&w, 6 * S, 0, 1);
    assert_int_equal(win_sum(&w, 8 * S, 0), 1);
    assert_int_equal(win_sum(&w, 9 * S, 0), 0);
    win_fini(&w);
}

static void test_a_latch_rises_at_once_and_falls_after_a_quiet_time(void **state)
{
    (void)state;
    struct win_latch l = {0};
    sim_time quiet = 10 * S;
    assert_int_equal(win_latch_check(&l, false, 1 * S, quiet), WIN_SAME);
    assert_int_equal(win_latch_check(&l, true, 2 * S, quiet), WIN_RAISED);
    assert_true(l.on);
    assert_int_equal(win_latch_check(&l, true, 3 * S, quiet), WIN_SAME);
    /* Quiet is counted from the last time it held (3 s), not the rise. */
    assert_int_equal(win_latch_check(&l, false, 12 * S, quiet), WIN_SAME);
    assert_int_equal(win_latch_check(&l, true, 12 * S + 1, quiet), WIN_SAME);
    assert_int_equal(win_latch_check(&l, false, 22 * S, quiet), WIN_SAME);
    assert_int_equal(win_latch_check(&l, false, 22 * S + 1, quiet), WIN_LOWERED);
    assert_false(l.on);
    assert_int_equal(win_latch_check(&l, false, 40 * S, quiet), WIN_SAME);
    assert_int_equal(win_latch_check(&l, true, 41 * S, quiet), WIN_RAISED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_then_sum_counts_each_counter_separately),
        cmocka_unit_test(test_a_count_leaves_n_buckets_after_its_own),
        cmocka_unit_test(test_a_short_jump_evicts_only_the_oldest_buckets),
        cmocka_unit_test(test_a_jump_longer_than_the_window_clears_it),
        cmocka_unit_test(test_a_jump_of_exactly_n_buckets_clears_it),
        cmocka_unit_test(test_buckets_are_aligned_to_multiples_of_the_width),
        cmocka_unit_test(test_clear_empties_the_window_and_keeps_its_position),
        cmocka_unit_test(test_a_latch_rises_at_once_and_falls_after_a_quiet_time),
    };
    return cmocka_run_group_tests_name("window", tests, NULL, NULL);
}
