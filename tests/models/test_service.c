/* test_service.c - admission, the accept queue, lifo, queue timeouts and the
 * out-of-memory crash, on worlds small enough to follow by hand.
 *
 * The worlds use constant work and constant arrivals (or single requests
 * placed with tw_send), so every time below is exact: a constant 10 rps load
 * sends at 0.1 s, 0.2 s, ... and a request's latency is a sum of known
 * durations. State is read between sim_run_until() steps placed between
 * events, never on an instant where two events tie.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "models/world.h"
#include "tests/support/tworld.h"

#define MS SIM_MS

/* One service s.e with `threads`, queue `queue`, constant work, and a
 * constant 10 rps load "in". */
static void one_service(struct world_config *c, int threads, int64_t queue, double work_s)
{
    tw_init(c, 60 * SIM_S);
    int s = tw_service(c, "s", threads, queue);
    int e = tw_endpoint(c, s, "e");
    tw_work(c, s, e, tw_const(work_s));
    tw_load(c, "in", s, e, 10, true);
}

static void test_a_request_that_finds_the_queue_full_is_rejected(void **state)
{
    (void)state;
    struct world_config c;
    one_service(&c, 1, 1, 1.0);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    const struct service *s = &w->svcs[0];
    sim_run_until(sim, 350 * MS); /* arrivals at 0.1 (runs), 0.2 (queued), 0.3 (full) */
    assert_int_equal(s->busy, 1);
    assert_int_equal(s->queued, 1);
    assert_int_equal(s->m.rejected, 1);
    assert_int_equal(s->m.arrived, 2); /* a rejected request is not an arrival */
    assert_int_equal(s->m.waited, 1);
    /* the end user got the rejection at once */
    assert_int_equal(w->loads[0].m.failed, 1);
    assert_int_equal(w->loads[0].edge.rejected, 1);
    assert_int_equal(w->loads[0].m.latency.max, 0);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_a_zero_queue_rejects_whenever_every_thread_is_taken(void **state)
{
    (void)state;
    struct world_config c;
    one_service(&c, 2, 0, 1.0);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    sim_run_until(sim, 1050 * MS); /* 0.1 and 0.2 run; 0.3 .. 1.0 are rejected */
    assert_int_equal(w->svcs[0].busy, 2);
    assert_int_equal(w->svcs[0].queued, 0);
    assert_int_equal(w->svcs[0].m.rejected, 8);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

/* Arrivals every 0.1 s, 1 s of work on one thread: the first request runs
 * 0.1 .. 1.1 while 0.2 .. 1.0 queue. At 1.1 fifo starts the one from 0.2,
 * lifo the one from 1.0. */
static sim_time started_at_1_15(bool lifo, sim_time *max_latency_at_2_15)
{
    struct world_config c;
    one_service(&c, 1, -1, 1.0);
    tw_svc(&c, 0)->lifo = lifo;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    w->svcs[0].track_running = true; /* to look at the running request */
    const struct service *s = &w->svcs[0];
    sim_run_until(sim, 1150 * MS);
    assert_int_equal(s->m.completed, 1);
    assert_int_equal(s->busy, 1);
    const struct req *r = SIM_LIST_ENTRY(s->running.next, struct req, link);
    sim_time arrived = r->arrived;
    sim_run_until(sim, 2150 * MS);
    world_finish(w); /* folds the last interval into the service's latency */
    assert_int_equal(s->m.completed, 2);
    *max_latency_at_2_15 = s->m.latency.max;
    tw_destroy(w, sim);
    world_config_fini(&c);
    return arrived;
}

static void test_lifo_serves_the_newest_waiting_request_first(void **state)
{
    (void)state;
    sim_time fifo_max, lifo_max;
    assert_int_equal(started_at_1_15(false, &fifo_max), 200 * MS);
    assert_int_equal(started_at_1_15(true, &lifo_max), 1000 * MS);
    /* second completion at 2.1: fifo's waited since 0.2, lifo's since 1.0 */
    assert_int_equal(fifo_max, 1900 * MS);
    assert_int_equal(lifo_max, 1100 * MS);
}

static void test_queue_timeout_drops_a_request_still_waiting(void **state)
{
    (void)state;
    struct world_config c;
    one_service(&c, 1, -1, 1.0);
    tw_svc(&c, 0)->queue_timeout = 450 * MS;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    w->svcs[0].track_running = true; /* to look at the running request */
    const struct service *s = &w->svcs[0];
    /* 0.1 runs until 1.1; 0.2 .. 0.6 leave the queue at 0.65 .. 1.05 */
    sim_run_until(sim, 1080 * MS);
    assert_int_equal(s->m.dropped, 5);
    assert_int_equal(s->queued, 4); /* 0.7 .. 1.0 */
    assert_int_equal(w->loads[0].m.failed, 5);
    assert_int_equal(w->loads[0].edge.rejected, 5);
    /* each dropped request told its caller after exactly queue_timeout */
    assert_int_equal(w->loads[0].m.latency.min, 450 * MS);
    assert_int_equal(w->loads[0].m.latency.max, 450 * MS);
    /* at 1.1 the thread takes 0.7, 50 ms before its deadline: its timer is
     * cancelled, so it is not dropped at 1.15 */
    sim_run_until(sim, 1200 * MS);
    assert_int_equal(s->m.dropped, 5);
    assert_int_equal(s->m.queue_wait.max, 400 * MS);
    const struct req *r = SIM_LIST_ENTRY(s->running.next, struct req, link);
    assert_int_equal(r->arrived, 700 * MS);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_max_inflight_crash_drops_everything_and_restart_brings_it_back(void **state)
{
    (void)state;
    struct world_config c;
    one_service(&c, 1, -1, 1.0);
    tw_svc(&c, 0)->max_inflight = 3;
    tw_svc(&c, 0)->restart = 2 * SIM_S;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    const struct service *s = &w->svcs[0];
    sim_run_until(sim, 350 * MS); /* 1 running + 2 queued = 3: at the limit, up */
    assert_int_equal(s->state, SVC_UP);
    assert_int_equal(s->queued + s->busy, 3);
    sim_run_until(sim, 450 * MS); /* the 4th request is one too many */
    assert_int_equal(s->state, SVC_DOWN);
    assert_int_equal(s->m.crashes, 1);
    assert_int_equal(s->busy, 0);
    assert_int_equal(s->queued, 0);
    /* a crash that refuses answers every lost request with an error at once */
    assert_int_equal(w->loads[0].m.failed, 4);
    assert_int_equal(w->loads[0].edge.errors, 4);
    sim_run_until(sim, 2350 * MS); /* down until 0.4 + 2 s: 0.5 .. 2.3 refused */
    assert_int_equal(s->state, SVC_DOWN);
    assert_int_equal(s->m.rejected, 19);
    assert_int_equal(w->loads[0].edge.rejected, 19);
    sim_run_until(sim, 2450 * MS); /* restarted at 2.4, empty; 2.4 runs */
    assert_int_equal(s->state, SVC_UP);
    assert_int_equal(s->busy, 1);
    assert_int_equal(s->queued, 0);
    assert_int_equal(s->m.rejected, 19);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_unlimited_threads_never_queue(void **state)
{
    (void)state;
    struct world_config c;
    one_service(&c, 0, 0, 1.0);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    sim_run_until(sim, 1050 * MS);
    assert_int_equal(w->svcs[0].busy, 10);
    assert_int_equal(w->svcs[0].m.rejected, 0);
    assert_int_equal(w->svcs[0].m.waited, 0);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_contention_adds_work_per_other_request_in_service(void **state)
{
    (void)state;
    struct world_config c;
    one_service(&c, 0, -1, 0.5);
    tw_svc(&c, 0)->contention = 100 * MS;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    /* 0.1: alone, 0.5 s; 0.2: one other, 0.6 s; 0.3: two others, 0.7 s ... */
    sim_run_until(sim, 350 * MS);
    assert_int_equal(w->svcs[0].busy, 3);
    sim_run_until(sim, 950 * MS);
    world_finish(w);
    assert_int_equal(w->svcs[0].m.latency.min, 500 * MS);
    assert_int_equal(w->svcs[0].m.completed, 2); /* 0.1 -> 0.6 and 0.2 -> 0.8 */
    assert_int_equal(w->svcs[0].m.latency.max, 600 * MS);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_request_that_finds_the_queue_full_is_rejected),
        cmocka_unit_test(test_a_zero_queue_rejects_whenever_every_thread_is_taken),
        cmocka_unit_test(test_lifo_serves_the_newest_waiting_request_first),
        cmocka_unit_test(test_queue_timeout_drops_a_request_still_waiting),
        cmocka_unit_test(test_max_inflight_crash_drops_everything_and_restart_brings_it_back),
        cmocka_unit_test(test_unlimited_threads_never_queue),
        cmocka_unit_test(test_contention_adds_work_per_other_request_in_service),
    };
    return cmocka_run_group_tests_name("service", tests, NULL, NULL);
}
