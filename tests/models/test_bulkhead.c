/* test_bulkhead.c - the bulkhead's permits and fair queue (bulkhead.h), on
 * their own: no world, no events. Waiters are bare list nodes, as the call
 * layer's struct call links its own.
 *
 * Every test ends with bulkhead_check(); the last ones corrupt a bulkhead on
 * purpose, in a child process, to show the check catches each invariant.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/bulkhead.h"
#include "tests/support/abort.h"

#define MS SIM_MS

static struct bulkhead_config semaphore(int max_concurrent, sim_time max_wait)
{
    return (struct bulkhead_config){
        .kind = BULKHEAD_SEMAPHORE, .max_concurrent = max_concurrent, .max_wait = max_wait};
}

static struct bulkhead_config threadpool(int threads, int queue)
{
    return (struct bulkhead_config){
        .kind = BULKHEAD_THREADPOOL, .threads = threads, .queue = queue};
}

static void init_links(struct sim_list *l, int n)
{
    for (int i = 0; i < n; i++)
        sim_list_init(&l[i]);
}

static void test_grants_up_to_the_limit_then_rejects_without_wait(void **state)
{
    (void)state;
    struct bulkhead_config cfg = semaphore(3, 0);
    struct bulkhead b;
    bulkhead_init(&b, &cfg);
    struct sim_list l[4];
    init_links(l, 4);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(bulkhead_enter(&b, &l[i]), BULKHEAD_GRANTED);
        assert_int_equal(b.in_use, i + 1);
    }
    /* max_wait 0: the fourth is rejected at once and holds nothing */
    assert_int_equal(bulkhead_enter(&b, &l[3]), BULKHEAD_FULL);
    assert_int_equal(b.in_use, 3);
    assert_int_equal(b.nwaiters, 0);
    assert_false(sim_list_is_linked(&l[3]));
    bulkhead_check(&b);
    /* a release with nobody waiting frees a permit, which the next takes */
    assert_null(bulkhead_release(&b));
    assert_int_equal(b.in_use, 2);
    assert_int_equal(bulkhead_enter(&b, &l[3]), BULKHEAD_GRANTED);
    assert_int_equal(b.in_use, 3);
    bulkhead_check(&b);
}

static void test_a_release_hands_the_permit_to_the_oldest_waiter(void **state)
{
    (void)state;
    struct bulkhead_config cfg = semaphore(1, 100 * MS);
    struct bulkhead b;
    bulkhead_init(&b, &cfg);
    struct sim_list l[4];
    init_links(l, 4);
    assert_int_equal(bulkhead_enter(&b, &l[0]), BULKHEAD_GRANTED);
    for (int i = 1; i < 4; i++)
        assert_int_equal(bulkhead_enter(&b, &l[i]), BULKHEAD_WAIT);
    assert_int_equal(b.nwaiters, 3);
    bulkhead_check(&b);
    /* each release passes the permit on, in arrival order; in_use stays 1 */
    for (int i = 1; i < 4; i++) {
        struct sim_list *n = bulkhead_release(&b);
        assert_ptr_equal(n, &l[i]);
        assert_false(sim_list_is_linked(n));
        assert_int_equal(b.in_use, 1);
        assert_int_equal(b.nwaiters, 3 - i);
        bulkhead_check(&b);
    }
    assert_null(bulkhead_release(&b));
    assert_int_equal(b.in_use, 0);
    bulkhead_check(&b);
}

static void test_a_newcomer_cannot_overtake_the_queue(void **state)
{
    (void)state;
    struct bulkhead_config cfg = semaphore(2, 100 * MS);
    struct bulkhead b;
    bulkhead_init(&b, &cfg);
    struct sim_list l[4];
    init_links(l, 4);
    assert_int_equal(bulkhead_enter(&b, &l[0]), BULKHEAD_GRANTED);
    assert_int_equal(bulkhead_enter(&b, &l[1]), BULKHEAD_GRANTED);
    assert_int_equal(bulkhead_enter(&b, &l[2]), BULKHEAD_WAIT);
    /* the released permit went to l[2]: nothing is free for l[3] */
    assert_ptr_equal(bulkhead_release(&b), &l[2]);
    assert_int_equal(bulkhead_enter(&b, &l[3]), BULKHEAD_WAIT);
    assert_int_equal(b.in_use, 2);
    assert_ptr_equal(bulkhead_release(&b), &l[3]);
    bulkhead_check(&b);
}

static void test_a_semaphore_with_max_wait_queues_without_a_bound(void **state)
{
    (void)state;
    struct bulkhead_config cfg = semaphore(1, 1);
    struct bulkhead b;
    bulkhead_init(&b, &cfg);
    enum { N = 1000 };
    static struct sim_list l[N];
    init_links(l, N);
    assert_int_equal(bulkhead_enter(&b, &l[0]), BULKHEAD_GRANTED);
    for (int i = 1; i < N; i++)
        assert_int_equal(bulkhead_enter(&b, &l[i]), BULKHEAD_WAIT);
    assert_int_equal(b.nwaiters, N - 1);
    bulkhead_check(&b);
    for (int i = 1; i < N; i++)
        bulkhead_leave(&b, &l[i]);
    assert_int_equal(b.nwaiters, 0);
    bulkhead_check(&b);
}

static void test_a_threadpool_queues_up_to_its_bound_then_rejects(void **state)
{
    (void)state;
    struct bulkhead_config cfg = threadpool(2, 3);
    struct bulkhead b;
    bulkhead_init(&b, &cfg);
    struct sim_list l[7];
    init_links(l, 7);
    assert_int_equal(bulkhead_enter(&b, &l[0]), BULKHEAD_GRANTED);
    assert_int_equal(bulkhead_enter(&b, &l[1]), BULKHEAD_GRANTED);
    for (int i = 2; i < 5; i++)
        assert_int_equal(bulkhead_enter(&b, &l[i]), BULKHEAD_WAIT);
    assert_int_equal(bulkhead_enter(&b, &l[5]), BULKHEAD_FULL);
    assert_false(sim_list_is_linked(&l[5]));
    assert_int_equal(b.nwaiters, 3);
    bulkhead_check(&b);
    /* a hand-over frees a queue place, not a thread */
    assert_ptr_equal(bulkhead_release(&b), &l[2]);
    assert_int_equal(b.in_use, 2);
    assert_int_equal(bulkhead_enter(&b, &l[5]), BULKHEAD_WAIT);
    assert_int_equal(bulkhead_enter(&b, &l[6]), BULKHEAD_FULL);
    assert_ptr_equal(bulkhead_release(&b), &l[3]);
    assert_ptr_equal(bulkhead_release(&b), &l[4]);
    assert_ptr_equal(bulkhead_release(&b), &l[5]);
    bulkhead_check(&b);
}

static void test_a_threadpool_without_queue_rejects_when_every_thread_is_taken(void **state)
{
    (void)state;
    struct bulkhead_config cfg = threadpool(1, 0);
    struct bulkhead b;
    bulkhead_init(&b, &cfg);
    struct sim_list l[2];
    init_links(l, 2);
    assert_int_equal(bulkhead_enter(&b, &l[0]), BULKHEAD_GRANTED);
    assert_int_equal(bulkhead_enter(&b, &l[1]), BULKHEAD_FULL);
    assert_null(bulkhead_release(&b));
    assert_int_equal(bulkhead_enter(&b, &l[1]), BULKHEAD_GRANTED);
    bulkhead_check(&b);
}

static void test_a_waiter_that_leaves_is_skipped_by_the_next_release(void **state)
{
    (void)state;
    struct bulkhead_config cfg = semaphore(1, 100 * MS);
    struct bulkhead b;
    bulkhead_init(&b, &cfg);
    struct sim_list l[4];
    init_links(l, 4);
    assert_int_equal(bulkhead_enter(&b, &l[0]), BULKHEAD_GRANTED);
    for (int i = 1; i < 4; i++)
        assert_int_equal(bulkhead_enter(&b, &l[i]), BULKHEAD_WAIT);
    /* the middle one gives up, then the oldest */
    bulkhead_leave(&b, &l[2]);
    assert_false(sim_list_is_linked(&l[2]));
    assert_int_equal(b.nwaiters, 2);
    bulkhead_check(&b);
    bulkhead_leave(&b, &l[1]);
    assert_int_equal(b.nwaiters, 1);
    bulkhead_check(&b);
    /* leaving changes no permit: the holder's release goes to l[3] */
    assert_int_equal(b.in_use, 1);
    assert_ptr_equal(bulkhead_release(&b), &l[3]);
    assert_null(bulkhead_release(&b));
    assert_int_equal(b.in_use, 0);
    bulkhead_check(&b);
}

static void test_a_threadpool_waiter_that_leaves_frees_its_queue_place(void **state)
{
    (void)state;
    struct bulkhead_config cfg = threadpool(1, 1);
    struct bulkhead b;
    bulkhead_init(&b, &cfg);
    struct sim_list l[3];
    init_links(l, 3);
    assert_int_equal(bulkhead_enter(&b, &l[0]), BULKHEAD_GRANTED);
    assert_int_equal(bulkhead_enter(&b, &l[1]), BULKHEAD_WAIT);
    assert_int_equal(bulkhead_enter(&b, &l[2]), BULKHEAD_FULL);
    bulkhead_leave(&b, &l[1]);
    assert_int_equal(bulkhead_enter(&b, &l[2]), BULKHEAD_WAIT);
    assert_ptr_equal(bulkhead_release(&b), &l[2]);
    bulkhead_check(&b);
}

/* ---- bulkhead_check catches a broken invariant ------------------------------ */

static void over_the_limit(void)
{
    struct bulkhead_config cfg = semaphore(1, 0);
    struct bulkhead b;
    bulkhead_init(&b, &cfg);
    b.in_use = 2;
    bulkhead_check(&b);
}

static void waiting_with_a_free_permit(void)
{
    struct bulkhead_config cfg = semaphore(2, 100 * MS);
    struct bulkhead b;
    bulkhead_init(&b, &cfg);
    struct sim_list l[3];
    init_links(l, 3);
    bulkhead_enter(&b, &l[0]);
    bulkhead_enter(&b, &l[1]);
    bulkhead_enter(&b, &l[2]);
    b.in_use = 1; /* a permit freed without going to the waiter */
    bulkhead_check(&b);
}

static void a_count_that_is_not_the_list(void)
{
    struct bulkhead_config cfg = semaphore(1, 100 * MS);
    struct bulkhead b;
    bulkhead_init(&b, &cfg);
    struct sim_list l[3];
    init_links(l, 3);
    bulkhead_enter(&b, &l[0]);
    bulkhead_enter(&b, &l[1]);
    bulkhead_enter(&b, &l[2]);
    sim_list_remove(&l[1]); /* unlinked behind the bulkhead's back */
    bulkhead_check(&b);
}

static void test_check_catches_each_broken_invariant(void **state)
{
    (void)state;
    char msg[512];
    tsup_expect_abort(over_the_limit, msg, sizeof msg);
    assert_non_null(strstr(msg, "b->in_use <= b->limit"));
    tsup_expect_abort(waiting_with_a_free_permit, msg, sizeof msg);
    assert_non_null(strstr(msg, "b->nwaiters == 0 || b->in_use == b->limit"));
    tsup_expect_abort(a_count_that_is_not_the_list, msg, sizeof msg);
    assert_non_null(strstr(msg, "n == b->nwaiters"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grants_up_to_the_limit_then_rejects_without_wait),
        cmocka_unit_test(test_a_release_hands_the_permit_to_the_oldest_waiter),
        cmocka_unit_test(test_a_newcomer_cannot_overtake_the_queue),
        cmocka_unit_test(test_a_semaphore_with_max_wait_queues_without_a_bound),
        cmocka_unit_test(test_a_threadpool_queues_up_to_its_bound_then_rejects),
        cmocka_unit_test(test_a_threadpool_without_queue_rejects_when_every_thread_is_taken),
        cmocka_unit_test(test_a_waiter_that_leaves_is_skipped_by_the_next_release),
        cmocka_unit_test(test_a_threadpool_waiter_that_leaves_frees_its_queue_place),
        cmocka_unit_test(test_check_catches_each_broken_invariant),
    };
    return cmocka_run_group_tests_name("bulkhead", tests, NULL, NULL);
}
