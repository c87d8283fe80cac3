/* test_fault.c - scheduled faults: crash (hang, refuse), pause, slow, errors,
 * and their ends.
 *
 * Most worlds: a front service f (unlimited threads) calls b.e through a
 * policy with a 1 s timeout; b has one thread and 10 ms of constant work.
 * Single requests are placed with tw_send(), so every time is exact.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "models/world.h"
#include "tests/support/tworld.h"

#define MS SIM_MS
enum { F, B };

static const struct edge_metrics *edge(const struct world *w)
{
    return w->svcs[F].eps[0].sites[0]->m;
}

static struct world *crash_run(struct world_config *c, bool hang, struct sim **sim)
{
    tw_front_back(c, 1 * SIM_S, 1, 0.010);
    int f = tw_fault(c, FAULT_CRASH, B, 500 * MS, 10 * SIM_S);
    tw_flt(c, f)->hang = hang;
    struct world *w = tw_start(c, 1, 0, sim);
    tw_send(w, 0, 100 * MS); /* before the crash: fine */
    tw_send(w, 0, 1 * SIM_S);
    tw_send(w, 0, 2 * SIM_S);
    sim_run_until(*sim, 5 * SIM_S);
    return w;
}

static void test_a_crash_that_hangs_makes_callers_wait_out_their_timeout(void **state)
{
    (void)state;
    struct world_config c;
    struct sim *sim;
    struct world *w = crash_run(&c, true, &sim);
    assert_int_equal(w->svcs[B].state, SVC_DOWN);
    assert_int_equal(edge(w)->ok, 1);
    assert_int_equal(edge(w)->timeouts, 2);
    assert_int_equal(edge(w)->rejected, 0);
    assert_int_equal(w->loads[0].m.latency.max, 1 * SIM_S);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_a_crash_that_refuses_fails_callers_at_once(void **state)
{
    (void)state;
    struct world_config c;
    struct sim *sim;
    struct world *w = crash_run(&c, false, &sim);
    assert_int_equal(edge(w)->ok, 1);
    assert_int_equal(edge(w)->timeouts, 0);
    assert_int_equal(edge(w)->rejected, 2);
    assert_int_equal(w->loads[0].m.latency.max, 10 * MS); /* the one success */
    assert_int_equal(w->loads[0].m.failed, 2);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_a_hanging_crash_loses_running_work_without_answering(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 1 * SIM_S, 1, 0.010);
    tw_work(&c, B, 0, tw_const(1.0)); /* b: 10 ms + 1 s */
    tw_fault(&c, FAULT_CRASH, B, 500 * MS, 10 * SIM_S);
    tw_flt(&c, 0)->hang = true;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 100 * MS); /* running at b when it dies */
    sim_run_until(sim, 1050 * MS);
    assert_int_equal(w->svcs[B].busy, 0);
    assert_int_equal(w->svcs[B].m.failed, 1);
    assert_int_equal(w->loads[0].m.failed, 0); /* still waiting at 1.05 */
    sim_run_until(sim, 1150 * MS);
    assert_int_equal(edge(w)->timeouts, 1); /* at 0.1 + 1 s */
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_a_crash_fault_ends_with_a_restart(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 1 * SIM_S, 1, 0.010);
    tw_fault(&c, FAULT_CRASH, B, 500 * MS, 1500 * MS);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    tw_send(w, 0, 2 * SIM_S);
    sim_run_until(sim, 1600 * MS);
    assert_int_equal(w->svcs[B].state, SVC_UP);
    assert_int_equal(w->svcs[B].m.crashes, 1);
    sim_run_until(sim, 3 * SIM_S);
    assert_int_equal(edge(w)->rejected, 1);
    assert_int_equal(edge(w)->ok, 1);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

/* b alone: one thread, 10 ms of work; a 1 s pause from 1.005 s. */
static void test_a_pause_freezes_running_work_and_resumes_it_where_it_stopped(void **state)
{
    (void)state;
    struct world_config c;
    tw_init(&c, 60 * SIM_S);
    int s = tw_service(&c, "b", 1, -1);
    int e = tw_endpoint(&c, s, "e");
    tw_work(&c, s, e, tw_const(0.010));
    tw_load(&c, "u", s, e, 0, false);
    tw_fault(&c, FAULT_PAUSE, s, 1005 * MS, 2005 * MS);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S); /* 5 ms done, 5 ms left when the pause starts */
    tw_send(w, 0, 2000 * MS); /* arrives during the pause: waits */
    sim_run_until(sim, 1500 * MS);
    assert_int_equal(w->svcs[0].busy, 1);
    assert_int_equal(w->svcs[0].m.completed, 0);
    sim_run_until(sim, 2002 * MS);
    assert_int_equal(w->svcs[0].queued, 1);
    sim_run_until(sim, 3 * SIM_S);
    world_finish(w); /* folds the last interval into the services' latency */
    /* the first finishes 1 s late at 2.010, the second runs 2.010 .. 2.020 */
    assert_int_equal(w->svcs[0].m.completed, 2);
    assert_int_equal(w->svcs[0].m.latency.max, 1010 * MS);
    assert_int_equal(w->svcs[0].m.latency.min, 20 * MS);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_a_response_that_arrives_during_a_pause_waits_for_its_end(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 1 * SIM_S, 1, 0.010);
    tw_work(&c, F, 0, tw_const(0.010)); /* f.e: call b (10 ms), then 10 ms */
    tw_fault(&c, FAULT_PAUSE, F, 1005 * MS, 2005 * MS);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 1500 * MS);
    assert_int_equal(w->svcs[B].m.completed, 1); /* b is not paused */
    assert_int_equal(w->svcs[F].blocked, 1);
    sim_run_until(sim, 3 * SIM_S);
    world_finish(w);
    assert_int_equal(w->svcs[F].m.latency.max, 1015 * MS); /* resumes at 2.005 */
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static sim_time slow_latency(double factor, sim_time add, double ep_factor, sim_time at)
{
    struct world_config c;
    tw_init(&c, 60 * SIM_S);
    int s = tw_service(&c, "b", 1, -1);
    int e = tw_endpoint(&c, s, "e");
    tw_work(&c, s, e, tw_const(0.010));
    tw_load(&c, "u", s, e, 0, false);
    int f = tw_fault(&c, FAULT_SLOW, s, 500 * MS, 2 * SIM_S);
    tw_flt(&c, f)->factor = factor;
    tw_flt(&c, f)->add = add;
    if (ep_factor != 1.0) {
        f = tw_fault(&c, FAULT_SLOW, s, 500 * MS, 2 * SIM_S);
        tw_flt(&c, f)->endpoint = e;
        tw_flt(&c, f)->factor = ep_factor;
    }
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, at);
    sim_run_until(sim, 5 * SIM_S);
    world_finish(w);
    assert_int_equal(w->svcs[0].m.completed, 1);
    sim_time lat = w->svcs[0].m.latency.max;
    tw_destroy(w, sim);
    world_config_fini(&c);
    return lat;
}

static void test_a_slow_fault_multiplies_work_and_adds_to_it(void **state)
{
    (void)state;
    assert_int_equal(slow_latency(3, 0, 1, 1 * SIM_S), 30 * MS);
    assert_int_equal(slow_latency(3, 5 * MS, 1, 1 * SIM_S), 35 * MS);
    assert_int_equal(slow_latency(3, 0, 2, 1 * SIM_S), 60 * MS);      /* service x endpoint */
    assert_int_equal(slow_latency(3, 5 * MS, 2, 100 * MS), 10 * MS);  /* before it */
    assert_int_equal(slow_latency(3, 5 * MS, 2, 3 * SIM_S), 10 * MS); /* after it */
}

static void test_a_slow_pool_fault_stretches_hold_times(void **state)
{
    (void)state;
    struct world_config c;
    tw_init(&c, 60 * SIM_S);
    int s = tw_service(&c, "b", 0, -1);
    int db = tw_pool(&c, s, "db", 4, 0);
    int e = tw_endpoint(&c, s, "e");
    tw_use(&c, s, e, db, tw_const(0.010));
    tw_load(&c, "u", s, e, 0, false);
    int f = tw_fault(&c, FAULT_SLOW, s, 500 * MS, 2 * SIM_S);
    tw_flt(&c, f)->pool = db;
    tw_flt(&c, f)->factor = 5;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 100 * MS);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 5 * SIM_S);
    world_finish(w);
    assert_int_equal(w->svcs[0].m.latency.min, 10 * MS);
    assert_int_equal(w->svcs[0].m.latency.max, 50 * MS);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_an_errors_fault_fails_requests_while_it_lasts(void **state)
{
    (void)state;
    struct world_config c;
    tw_init(&c, 60 * SIM_S);
    int s = tw_service(&c, "b", 0, -1);
    int e = tw_endpoint(&c, s, "e");
    int other = tw_endpoint(&c, s, "other");
    tw_work(&c, s, e, tw_const(0.010));
    tw_work(&c, s, other, tw_const(0.010));
    tw_load(&c, "u", s, e, 0, false);
    tw_load(&c, "v", s, other, 0, false);
    int f = tw_fault(&c, FAULT_ERRORS, s, 1500 * MS, 2500 * MS);
    tw_flt(&c, f)->endpoint = e;
    tw_flt(&c, f)->rate = 1.0;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    for (int i = 1; i <= 3; i++) {
        tw_send(w, 0, i * SIM_S);
        tw_send(w, 1, i * SIM_S);
    }
    sim_run_until(sim, 5 * SIM_S);
    assert_int_equal(w->svcs[0].eps[e].m.completed, 2);
    assert_int_equal(w->svcs[0].eps[e].m.failed, 1);
    assert_int_equal(w->svcs[0].eps[other].m.completed, 3); /* not its target */
    assert_int_equal(w->loads[0].m.failed, 1);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_an_errors_fault_fails_its_share_of_requests(void **state)
{
    (void)state;
    struct world_config c;
    tw_init(&c, 10 * SIM_S);
    int s = tw_service(&c, "b", 0, -1);
    int e = tw_endpoint(&c, s, "e");
    tw_work(&c, s, e, tw_const(0.001));
    tw_ep(&c, s, e)->error_rate = 0.05;
    tw_load(&c, "in", s, e, 1000, true);
    int f = tw_fault(&c, FAULT_ERRORS, s, 0, SIM_TIME_MAX);
    tw_flt(&c, f)->rate = 0.20; /* adds to the endpoint's own 5% */
    struct sim *sim;
    struct world *w = tw_run(&c, 3, 0, &sim);
    double n = (double)(w->svcs[0].m.completed + w->svcs[0].m.failed);
    double p = (double)w->svcs[0].m.failed / n, want = 0.25;
    print_message("  failed share %.4f of %.0f (want %.2f +- %.4f)\n", p, n, want,
                  4 * sqrt(want * (1 - want) / n));
    assert_true(n >= 9990);
    assert_true(fabs(p - want) <= 4 * sqrt(want * (1 - want) / n));
    tw_destroy(w, sim);
    world_config_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_crash_that_hangs_makes_callers_wait_out_their_timeout),
        cmocka_unit_test(test_a_crash_that_refuses_fails_callers_at_once),
        cmocka_unit_test(test_a_hanging_crash_loses_running_work_without_answering),
        cmocka_unit_test(test_a_crash_fault_ends_with_a_restart),
        cmocka_unit_test(test_a_pause_freezes_running_work_and_resumes_it_where_it_stopped),
        cmocka_unit_test(test_a_response_that_arrives_during_a_pause_waits_for_its_end),
        cmocka_unit_test(test_a_slow_fault_multiplies_work_and_adds_to_it),
        cmocka_unit_test(test_a_slow_pool_fault_stretches_hold_times),
        cmocka_unit_test(test_an_errors_fault_fails_requests_while_it_lasts),
        cmocka_unit_test(test_an_errors_fault_fails_its_share_of_requests),
    };
    return cmocka_run_group_tests_name("fault", tests, NULL, NULL);
}
