/* test_ledger.c - the effects ledger on its own: every row of the table in
 * models/ledger.h (the order of its rows included: a known idempotency key
 * wins over a tombstone), one undo per application, saturation, and the
 * readers ledger_left and ledger_first.
 *
 * A ledger of n effects is LEDGER_CELLS(n) cells: in place in [0, n),
 * tombstones in [n, 2n), applications ever made in [2n, 3n). The tests use
 * n = 3 and look at the cells themselves after each operation, so a result
 * code that says one thing while the cells say another fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "models/ledger.h"

enum { N = 3, PAY = 1, CELLS = LEDGER_CELLS(N) };

#define COUNT(l, e) ((l)[(e)])
#define TOMB(l, e)  ((l)[N + (e)])
#define MADE(l, e)  ((l)[2 * N + (e)])

/* Every cell of effects other than `e` is 0. */
static void others_untouched(const int16_t *l, int e)
{
    for (int k = 0; k < N; k++)
        if (k != e) assert_int_equal(COUNT(l, k) + TOMB(l, k) + MADE(l, k), 0);
}

static void test_a_ledger_has_three_cells_per_effect(void **state)
{
    (void)state;
    assert_int_equal(LEDGER_CELLS(1), 3);
    assert_int_equal(LEDGER_CELLS(N), 9);
}

static void test_apply_of_an_effect_never_made_applies_it(void **state)
{
    (void)state;
    for (int idempotent = 0; idempotent <= 1; idempotent++) {
        int16_t l[CELLS] = {0};
        assert_int_equal(ledger_apply(l, N, PAY, idempotent), LEDGER_APPLIED);
        assert_int_equal(COUNT(l, PAY), 1);
        assert_int_equal(TOMB(l, PAY), 0);
        assert_int_equal(MADE(l, PAY), 1);
        others_untouched(l, PAY);
    }
}

static void test_a_repeat_of_an_idempotent_effect_changes_nothing(void **state)
{
    (void)state;
    int16_t l[CELLS] = {0};
    assert_int_equal(ledger_apply(l, N, PAY, true), LEDGER_APPLIED);
    assert_int_equal(ledger_apply(l, N, PAY, true), LEDGER_REPEAT);
    assert_int_equal(ledger_apply(l, N, PAY, true), LEDGER_REPEAT);
    assert_int_equal(COUNT(l, PAY), 1);
    assert_int_equal(MADE(l, PAY), 1); /* a repeat is not counted as made */
    assert_int_equal(ledger_left(l, N), 1);
}

static void test_an_idempotent_effect_is_made_once_even_after_its_undo(void **state)
{
    (void)state;
    int16_t l[CELLS] = {0};
    ledger_apply(l, N, PAY, true);
    assert_int_equal(ledger_undo(l, N, PAY, false), LEDGER_UNDONE);
    /* a late copy of the request carries the same key: nothing is charged again */
    assert_int_equal(ledger_apply(l, N, PAY, true), LEDGER_REPEAT);
    assert_int_equal(COUNT(l, PAY), 0);
    assert_int_equal(MADE(l, PAY), 1);
    assert_int_equal(ledger_left(l, N), 0);
}

static void test_a_repeat_of_a_non_idempotent_effect_is_a_duplicate(void **state)
{
    (void)state;
    int16_t l[CELLS] = {0};
    assert_int_equal(ledger_apply(l, N, PAY, false), LEDGER_APPLIED);
    assert_int_equal(ledger_apply(l, N, PAY, false), LEDGER_DUPLICATE);
    assert_int_equal(COUNT(l, PAY), 2); /* a double charge */
    assert_int_equal(MADE(l, PAY), 2);
    assert_int_equal(ledger_apply(l, N, PAY, false), LEDGER_DUPLICATE);
    assert_int_equal(COUNT(l, PAY), 3);
    assert_int_equal(ledger_left(l, N), 3);
    /* made before and undone since: a second charge all the same */
    int16_t m[CELLS] = {0};
    ledger_apply(m, N, PAY, false);
    ledger_undo(m, N, PAY, false);
    assert_int_equal(ledger_apply(m, N, PAY, false), LEDGER_DUPLICATE);
    assert_int_equal(COUNT(m, PAY), 1);
    assert_int_equal(MADE(m, PAY), 2);
}

static void test_undo_removes_an_effect_in_place(void **state)
{
    (void)state;
    for (int commutative = 0; commutative <= 1; commutative++) {
        int16_t l[CELLS] = {0};
        ledger_apply(l, N, PAY, false);
        assert_int_equal(ledger_undo(l, N, PAY, commutative), LEDGER_UNDONE);
        assert_int_equal(COUNT(l, PAY), 0);
        assert_int_equal(TOMB(l, PAY), 0); /* an undo of something leaves no tombstone */
        assert_int_equal(MADE(l, PAY), 1); /* and the key is still known */
        assert_int_equal(ledger_left(l, N), 0);
        others_untouched(l, PAY);
    }
}

static void test_a_commutative_undo_of_nothing_leaves_a_tombstone(void **state)
{
    (void)state;
    int16_t l[CELLS] = {0};
    assert_int_equal(ledger_undo(l, N, PAY, true), LEDGER_TOMBSTONE);
    assert_int_equal(COUNT(l, PAY), 0);
    assert_int_equal(TOMB(l, PAY), 1);
    assert_int_equal(MADE(l, PAY), 0);
    /* a tombstone is not an effect in place */
    assert_int_equal(ledger_left(l, N), 0);
    assert_int_equal(ledger_first(l, N), -1);
    assert_int_equal(ledger_undo(l, N, PAY, true), LEDGER_TOMBSTONE);
    assert_int_equal(TOMB(l, PAY), 2);
    others_untouched(l, PAY);
}

static void test_a_non_commutative_undo_of_nothing_does_nothing(void **state)
{
    (void)state;
    int16_t l[CELLS] = {0};
    assert_int_equal(ledger_undo(l, N, PAY, false), LEDGER_NOTHING);
    for (int k = 0; k < CELLS; k++)
        assert_int_equal(l[k], 0);
    /* so the late charge stays */
    assert_int_equal(ledger_apply(l, N, PAY, false), LEDGER_APPLIED);
    assert_int_equal(COUNT(l, PAY), 1);
    assert_int_equal(ledger_left(l, N), 1);
}

static void test_a_tombstone_voids_the_late_effect(void **state)
{
    (void)state;
    for (int idempotent = 0; idempotent <= 1; idempotent++) {
        int16_t l[CELLS] = {0};
        ledger_undo(l, N, PAY, true);
        assert_int_equal(ledger_apply(l, N, PAY, idempotent), LEDGER_VOIDED);
        assert_int_equal(COUNT(l, PAY), 0);
        assert_int_equal(TOMB(l, PAY), 0); /* consumed */
        assert_int_equal(MADE(l, PAY), 1); /* a voided application was made: its key seen */
        assert_int_equal(ledger_left(l, N), 0);
        /* one tombstone voids one application: another copy is a repeat or a
         * second charge, which stays */
        if (idempotent) {
            assert_int_equal(ledger_apply(l, N, PAY, true), LEDGER_REPEAT);
            assert_int_equal(COUNT(l, PAY), 0);
        } else {
            assert_int_equal(ledger_apply(l, N, PAY, false), LEDGER_DUPLICATE);
            assert_int_equal(COUNT(l, PAY), 1);
        }
    }
}

static void test_a_known_key_wins_over_a_tombstone(void **state)
{
    (void)state;
    /* applied, undone, then a commutative undo of nothing: a tombstone with
     * the key known. An idempotent repeat is REPEAT (the table's first row)
     * and leaves the tombstone in place. */
    int16_t l[CELLS] = {0};
    ledger_apply(l, N, PAY, true);
    ledger_undo(l, N, PAY, true);
    assert_int_equal(ledger_undo(l, N, PAY, true), LEDGER_TOMBSTONE);
    assert_int_equal(ledger_apply(l, N, PAY, true), LEDGER_REPEAT);
    assert_int_equal(TOMB(l, PAY), 1);
    assert_int_equal(COUNT(l, PAY), 0);
}

static void test_one_undo_removes_one_of_two_applications(void **state)
{
    (void)state;
    int16_t l[CELLS] = {0};
    ledger_apply(l, N, PAY, false);
    ledger_apply(l, N, PAY, false);
    assert_int_equal(ledger_undo(l, N, PAY, true), LEDGER_UNDONE);
    assert_int_equal(COUNT(l, PAY), 1); /* charged twice, refunded once: one charge left */
    assert_int_equal(TOMB(l, PAY), 0);
    assert_int_equal(ledger_left(l, N), 1);
    assert_int_equal(ledger_first(l, N), PAY);
    assert_int_equal(ledger_undo(l, N, PAY, true), LEDGER_UNDONE);
    assert_int_equal(ledger_left(l, N), 0);
}

static void test_left_sums_every_effect_and_first_is_the_lowest_in_place(void **state)
{
    (void)state;
    int16_t l[CELLS] = {0};
    assert_int_equal(ledger_left(l, N), 0);
    assert_int_equal(ledger_first(l, N), -1);
    ledger_apply(l, N, 2, false);
    assert_int_equal(ledger_first(l, N), 2);
    ledger_apply(l, N, 2, false);
    ledger_apply(l, N, PAY, false);
    assert_int_equal(ledger_left(l, N), 3);
    assert_int_equal(ledger_first(l, N), PAY);
    ledger_undo(l, N, 0, true); /* a tombstone for effect 0 is not "in place" */
    assert_int_equal(ledger_first(l, N), PAY);
    assert_int_equal(ledger_left(l, N), 3);
    ledger_undo(l, N, PAY, false);
    assert_int_equal(ledger_first(l, N), 2); /* made once, but no longer in place */
    assert_int_equal(ledger_left(l, N), 2);
}

static void test_counts_saturate_rather_than_wrap(void **state)
{
    (void)state;
    int16_t l[CELLS] = {0};
    COUNT(l, PAY) = INT16_MAX;
    MADE(l, PAY) = INT16_MAX;
    assert_int_equal(ledger_apply(l, N, PAY, false), LEDGER_DUPLICATE);
    assert_int_equal(COUNT(l, PAY), INT16_MAX);
    assert_int_equal(MADE(l, PAY), INT16_MAX);
    TOMB(l, 0) = INT16_MAX;
    assert_int_equal(ledger_undo(l, N, 0, true), LEDGER_TOMBSTONE);
    assert_int_equal(TOMB(l, 0), INT16_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_ledger_has_three_cells_per_effect),
        cmocka_unit_test(test_apply_of_an_effect_never_made_applies_it),
        cmocka_unit_test(test_a_repeat_of_an_idempotent_effect_changes_nothing),
        cmocka_unit_test(test_an_idempotent_effect_is_made_once_even_after_its_undo),
        cmocka_unit_test(test_a_repeat_of_a_non_idempotent_effect_is_a_duplicate),
        cmocka_unit_test(test_undo_removes_an_effect_in_place),
        cmocka_unit_test(test_a_commutative_undo_of_nothing_leaves_a_tombstone),
        cmocka_unit_test(test_a_non_commutative_undo_of_nothing_does_nothing),
        cmocka_unit_test(test_a_tombstone_voids_the_late_effect),
        cmocka_unit_test(test_a_known_key_wins_over_a_tombstone),
        cmocka_unit_test(test_one_undo_removes_one_of_two_applications),
        cmocka_unit_test(test_left_sums_every_effect_and_first_is_the_lowest_in_place),
        cmocka_unit_test(test_counts_saturate_rather_than_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
