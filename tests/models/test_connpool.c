/* test_connpool.c - connection pools: FIFO waiters, acquire timeouts, no-wait
 * pools, resizing, and the thread state of a request that waits or holds.
 *
 * The worlds: service s with unlimited threads and one pool "db"; endpoint e
 * is a single `use: db` step holding the connection a constant 1 s; a
 * constant 10 rps load sends at 0.1 s, 0.2 s, ...
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "models/world.h"
#include "tests/support/tworld.h"

#define MS SIM_MS

static void pool_world(struct world_config *c, int size, sim_time acquire_timeout)
{
    tw_init(c, 60 * SIM_S);
    int s = tw_service(c, "s", 0, -1);
    int db = tw_pool(c, s, "db", size, acquire_timeout);
    int e = tw_endpoint(c, s, "e");
    tw_use(c, s, e, db, tw_const(1.0));
    tw_load(c, "in", s, e, 10, true);
}

/* One connection, 1 s holds, a request every 0.1 s: the k-th request (k = 0,
 * 1, ...) gets the connection at 0.1 + k s, after waiting 0.9 k s, if and
 * only if waiters are served in arrival order. */
static void test_pool_waiters_are_served_in_arrival_order(void **state)
{
    (void)state;
    struct world_config c;
    pool_world(&c, 1, 100 * SIM_S);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    const struct cpool *p = &w->svcs[0].pools[0];
    sim_run_until(sim, 3150 * MS);
    assert_int_equal(p->m.acquired, 4);
    assert_int_equal(p->m.wait.min, 0);
    assert_int_equal(p->m.wait.max, 2700 * MS);
    assert_true(p->m.wait.sum == (double)(5400 * MS)); /* 0 + 0.9 + 1.8 + 2.7 */
    assert_int_equal(p->nwaiters, 31 - 4);             /* 31 sent by 3.1 */
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_a_waiting_or_holding_request_blocks_its_thread(void **state)
{
    (void)state;
    struct world_config c;
    pool_world(&c, 1, 100 * SIM_S);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    sim_run_until(sim, 350 * MS);
    assert_int_equal(w->svcs[0].busy, 0);
    assert_int_equal(w->svcs[0].blocked, 3);
    assert_int_equal(w->svcs[0].pools[0].in_use, 1);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_an_acquire_timeout_fails_the_request(void **state)
{
    (void)state;
    struct world_config c;
    pool_world(&c, 1, 450 * MS);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    const struct service *s = &w->svcs[0];
    const struct cpool *p = &s->pools[0];
    /* 0.1 holds until 1.1; 0.2 .. 0.6 give up at 0.65 .. 1.05; at 1.1 the
     * connection goes to 0.7, which had waited 0.4 s */
    sim_run_until(sim, 1120 * MS);
    assert_int_equal(p->m.acquire_failed, 5);
    assert_int_equal(p->m.acquired, 2);
    assert_int_equal(p->m.wait.max, 400 * MS);
    assert_int_equal(s->m.failed, 5);
    assert_int_equal(w->loads[0].m.failed, 5);
    assert_int_equal(w->loads[0].edge.errors, 5);
    assert_int_equal(w->loads[0].m.latency.min, 450 * MS);
    assert_int_equal(p->nwaiters, 4); /* 0.8 .. 1.1 */
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_a_pool_without_wait_fails_at_once_when_all_are_taken(void **state)
{
    (void)state;
    struct world_config c;
    pool_world(&c, 2, 0);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    sim_run_until(sim, 1050 * MS); /* 0.1 and 0.2 hold; 0.3 .. 1.0 fail */
    const struct cpool *p = &w->svcs[0].pools[0];
    assert_int_equal(p->m.acquired, 2);
    assert_int_equal(p->m.acquire_failed, 8);
    assert_int_equal(p->nwaiters, 0);
    assert_int_equal(w->loads[0].m.latency.max, 0);
    assert_int_equal(w->svcs[0].blocked, 2);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_growing_a_pool_serves_its_waiters_at_once(void **state)
{
    (void)state;
    struct world_config c;
    pool_world(&c, 1, 100 * SIM_S);
    int f = tw_fault(&c, FAULT_POOL, 0, 450 * MS, 5 * SIM_S);
    tw_flt(&c, f)->pool = 0;
    tw_flt(&c, f)->size = 3;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    const struct cpool *p = &w->svcs[0].pools[0];
    sim_run_until(sim, 460 * MS); /* 0.1 holds; 0.2 .. 0.4 wait; at 0.45 two of them get one */
    assert_int_equal(p->size, 3);
    assert_int_equal(p->in_use, 3);
    assert_int_equal(p->nwaiters, 1);
    assert_int_equal(p->m.wait.max, 250 * MS); /* 0.2 and 0.3, in that order */
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_shrinking_a_pool_lets_the_excess_drain(void **state)
{
    (void)state;
    struct world_config c;
    pool_world(&c, 3, 100 * SIM_S);
    int f = tw_fault(&c, FAULT_POOL, 0, 350 * MS, 50 * SIM_S);
    tw_flt(&c, f)->pool = 0;
    tw_flt(&c, f)->size = 1;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    const struct cpool *p = &w->svcs[0].pools[0];
    sim_run_until(sim, 1150 * MS); /* 0.1 released at 1.1; 2 still held > size 1 */
    assert_int_equal(p->in_use, 2);
    assert_int_equal(p->m.acquired, 3);
    sim_run_until(sim, 1350 * MS); /* 0.2 and 0.3 released: one connection is free */
    assert_int_equal(p->in_use, 1);
    assert_int_equal(p->m.acquired, 4);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_waiters_are_served_in_arrival_order),
        cmocka_unit_test(test_a_waiting_or_holding_request_blocks_its_thread),
        cmocka_unit_test(test_an_acquire_timeout_fails_the_request),
        cmocka_unit_test(test_a_pool_without_wait_fails_at_once_when_all_are_taken),
        cmocka_unit_test(test_growing_a_pool_serves_its_waiters_at_once),
        cmocka_unit_test(test_shrinking_a_pool_lets_the_excess_drain),
    };
    return cmocka_run_group_tests_name("connpool", tests, NULL, NULL);
}
