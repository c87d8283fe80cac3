/* test_call.c - client calls: timeouts and orphaned work, deadline
 * propagation, retries, optional calls, parallel fan-out and quorums.
 *
 * The worlds: a front service f (unlimited threads) whose endpoint e calls
 * the endpoint e of one or more back services with constant work; end users
 * (load "u", which sends nothing by itself) send single requests to f.e at
 * chosen times with tw_send(). Every time below is exact.
 */
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

static void test_a_callers_timeout_leaves_the_callees_work_running(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 300 * MS, 1, 1.0);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 1350 * MS);
    /* the caller gave up at 1.3 and failed its request ... */
    assert_int_equal(edge(w)->timeouts, 1);
    assert_int_equal(w->svcs[F].m.failed, 1);
    assert_int_equal(w->loads[0].m.failed, 1);
    assert_int_equal(w->loads[0].m.latency.max, 300 * MS);
    /* ... while the callee keeps its thread for the orphaned work */
    assert_int_equal(w->svcs[B].busy, 1);
    sim_run_until(sim, 2050 * MS);
    world_finish(w); /* folds the services' last interval into their latency */
    assert_int_equal(w->svcs[B].m.completed, 1);
    assert_int_equal(w->svcs[B].m.latency.max, 1 * SIM_S);
    assert_int_equal(edge(w)->ok, 0); /* the late answer was dropped */
    assert_int_equal(w->loads[0].m.ok, 0);
    assert_int_equal(w->reqs.live, 0);
    assert_int_equal(tw_calls_live(w), 0);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_cancel_on_timeout_stops_the_callee(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 300 * MS, 1, 1.0);
    tw_pol(&c, 0)->cancel_on_timeout = true;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 1350 * MS);
    assert_int_equal(edge(w)->timeouts, 1);
    assert_int_equal(w->svcs[B].busy, 0);
    assert_int_equal(w->svcs[B].m.failed, 1);
    sim_run_until(sim, 3 * SIM_S);
    assert_int_equal(w->svcs[B].m.completed, 0);
    assert_int_equal(w->reqs.live, 0);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

/* A call carries the side record (struct call_ext) only where its site
 * needs one: the front's call under a plain timeout does not, the same call
 * under a retry policy (which keeps its previous delay there) does; the
 * load's call never does. */
static void test_only_calls_that_need_it_carry_the_side_record(void **state)
{
    (void)state;
    for (int retry = 0; retry <= 1; retry++) {
        struct world_config c;
        tw_front_back(&c, 300 * MS, 1, 1.0);
        if (retry)
            tw_retry(&c, 0, 1, BACKOFF_NONE, 0, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_TIMEOUT));
        struct sim *sim;
        struct world *w = tw_start(&c, 1, 0, &sim);
        tw_send(w, 0, 1 * SIM_S);
        sim_run_until(sim, 1100 * MS); /* the front's call is in flight */
        assert_int_equal(w->calls.live, retry ? 1 : 2);
        assert_int_equal(w->calls_ext.live, retry ? 1 : 0);
        sim_run_until(sim, 3 * SIM_S);
        assert_int_equal(edge(w)->timeouts, 1);
        assert_int_equal(edge(w)->attempts, 1);
        assert_int_equal(tw_calls_live(w), 0);
        tw_destroy(w, sim);
        world_config_fini(&c);
    }
}

/* A request still on the wire when its caller gives up is dropped when it
 * arrives (deadline propagation), and must not be freed twice. */
static void test_cancel_on_timeout_drops_a_request_still_travelling(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 100 * MS, 1, 0.010);
    struct policy_config *p = tw_pol(&c, 0);
    p->cancel_on_timeout = true;
    p->has_latency = true;
    sim_dist_fini(&p->latency);
    p->latency = tw_const(0.200); /* longer than the timeout */
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    tw_send(w, 0, 1150 * MS); /* sent while the first is still travelling */
    sim_run_until(sim, 5 * SIM_S);
    world_finish(w);
    assert_int_equal(edge(w)->timeouts, 2);
    assert_int_equal(w->svcs[B].m.arrived, 0);
    assert_int_equal(w->svcs[B].m.completed, 0);
    assert_int_equal(w->reqs.live, 0);
    assert_int_equal(tw_calls_live(w), 0);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

/* The retry of a timed-out attempt arrives after the cancelled attempt left:
 * with max_inflight 1 the callee must neither crash nor count a thread twice. */
static void test_cancel_on_timeout_frees_the_callee_before_the_retry_arrives(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 100 * MS, 1, 1.0);
    tw_svc(&c, B)->max_inflight = 1;
    tw_svc(&c, B)->restart = 10 * SIM_S;
    tw_pol(&c, 0)->cancel_on_timeout = true;
    tw_retry(&c, 0, 2, BACKOFF_NONE, 0, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_TIMEOUT));
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 5 * SIM_S);
    world_finish(w);
    const struct service *b = &w->svcs[B];
    assert_int_equal(b->busy, 0);
    assert_int_equal(b->blocked, 0);
    assert_int_equal(b->m.crashes, 0);
    assert_int_equal(b->m.failed, 2); /* both attempts cancelled */
    assert_int_equal(edge(w)->attempts, 2);
    assert_int_equal(edge(w)->timeouts, 2);
    assert_int_equal(w->reqs.live, 0);
    assert_int_equal(tw_calls_live(w), 0);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_retry_makes_its_attempts_and_holds_the_thread_during_backoff(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 300 * MS, 0, 1.0);
    tw_retry(&c, 0, 3, BACKOFF_FIXED, 100 * MS, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_TIMEOUT));
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    /* attempts at 1.0, 1.4, 1.8; each times out 0.3 s later */
    sim_run_until(sim, 1350 * MS);
    assert_int_equal(edge(w)->retries, 1);
    assert_int_equal(w->svcs[F].blocked, 1); /* backing off, thread held */
    assert_int_equal(w->svcs[F].busy, 0);
    sim_run_until(sim, 2150 * MS);
    assert_int_equal(edge(w)->attempts, 3);
    assert_int_equal(edge(w)->retries, 2);
    assert_int_equal(edge(w)->timeouts, 3);
    assert_int_equal(w->svcs[B].m.arrived, 3);
    assert_int_equal(w->svcs[F].blocked, 0);
    assert_int_equal(w->loads[0].m.failed, 1);
    assert_int_equal(w->loads[0].edge.attempts, 1); /* the end user did not retry */
    assert_int_equal(w->loads[0].m.latency.max, 1100 * MS);
    sim_run_until(sim, 3 * SIM_S); /* the three orphans finish their work */
    assert_int_equal(w->svcs[B].m.completed, 3);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_retry_stops_at_the_first_success(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 0, 1, 1.0);
    tw_svc(&c, B)->queue = 0;
    tw_retry(&c, 0, 5, BACKOFF_FIXED, 300 * MS, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_REJECTED));
    int direct = tw_load(&c, "direct", B, 0, 0, false);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, direct, 500 * MS); /* occupies b's only thread until 1.5 */
    tw_send(w, 0, 1 * SIM_S);     /* rejected at 1.0 and 1.3, served from 1.6 */
    sim_run_until(sim, 5 * SIM_S);
    assert_int_equal(edge(w)->attempts, 3);
    assert_int_equal(edge(w)->rejected, 2);
    assert_int_equal(edge(w)->retries, 2);
    assert_int_equal(edge(w)->ok, 1);
    assert_int_equal(w->loads[0].m.ok, 1);
    assert_int_equal(w->loads[0].m.latency.max, 1600 * MS);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_retry_leaves_outcomes_outside_on_alone(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 0, 1, 0.010);
    tw_ep(&c, B, 0)->error_rate = 1.0;
    tw_retry(&c, 0, 3, BACKOFF_NONE, 0, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_TIMEOUT));
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 2 * SIM_S);
    assert_int_equal(edge(w)->attempts, 1);
    assert_int_equal(edge(w)->errors, 1);
    assert_int_equal(edge(w)->retries, 0);
    tw_destroy(w, sim);
    world_config_fini(&c);

    tw_front_back(&c, 0, 1, 0.010);
    tw_ep(&c, B, 0)->error_rate = 1.0;
    tw_retry(&c, 0, 3, BACKOFF_NONE, 0, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_ERROR));
    w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 2 * SIM_S);
    assert_int_equal(edge(w)->attempts, 3);
    assert_int_equal(edge(w)->errors, 3);
    assert_int_equal(edge(w)->retries, 2);
    assert_int_equal(w->loads[0].m.latency.max, 30 * MS); /* three 10 ms attempts */
    tw_destroy(w, sim);
    world_config_fini(&c);
}

/* f.e: call b.e (failing), then 10 ms of work. */
static void optional_world(struct world_config *c, bool optional)
{
    tw_init(c, 60 * SIM_S);
    tw_service(c, "f", 0, -1);
    tw_service(c, "b", 0, -1);
    int fe = tw_endpoint(c, F, "e");
    int be = tw_endpoint(c, B, "e");
    tw_work(c, B, be, tw_const(0.010));
    tw_ep(c, B, be)->error_rate = 1.0;
    tw_call(c, F, fe, B, be, -1, optional);
    tw_work(c, F, fe, tw_const(0.010));
    tw_load(c, "u", F, fe, 0, false);
}

static void test_an_optional_calls_failure_does_not_fail_the_request(void **state)
{
    (void)state;
    struct world_config c;
    optional_world(&c, true);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 2 * SIM_S);
    world_finish(w);
    assert_int_equal(edge(w)->errors, 1);
    assert_int_equal(w->svcs[F].m.completed, 1);
    assert_int_equal(w->svcs[F].m.failed, 0);
    assert_int_equal(w->svcs[F].m.latency.max, 20 * MS); /* the next step ran */
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_a_required_calls_failure_fails_the_request_and_skips_the_rest(void **state)
{
    (void)state;
    struct world_config c;
    optional_world(&c, false);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 2 * SIM_S);
    assert_int_equal(w->svcs[F].m.completed, 0);
    assert_int_equal(w->svcs[F].m.failed, 1);
    assert_int_equal(w->loads[0].m.latency.max, 10 * MS); /* failed after the call */
    tw_destroy(w, sim);
    world_config_fini(&c);
}

/* f.e fans out to b1 (0.1 s), b2 (0.2 s), b3 (5 s); `failing` makes b1 and
 * b2 fail; `optional2` marks the branch to b2 optional. */
static void fan_world(struct world_config *c, int need, bool failing, bool optional2)
{
    tw_init(c, 60 * SIM_S);
    tw_service(c, "f", 0, -1);
    const double work[] = {0.1, 0.2, 5.0};
    const char *names[] = {"b1", "b2", "b3"};
    struct call_config calls[3];
    for (int i = 0; i < 3; i++) {
        int s = tw_service(c, names[i], 0, -1);
        int e = tw_endpoint(c, s, "e");
        tw_work(c, s, e, tw_const(work[i]));
        if (failing && i < 2) tw_ep(c, s, e)->error_rate = 1.0;
        calls[i] = (struct call_config){s, e, -1, optional2 && i == 1};
    }
    int fe = tw_endpoint(c, F, "e");
    tw_parallel(c, F, fe, calls, 3, need);
    tw_load(c, "u", F, fe, 0, false);
}

static sim_time fan_latency(int need, bool failing, bool optional2, bool *ok)
{
    struct world_config c;
    fan_world(&c, need, failing, optional2);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 10 * SIM_S);
    *ok = w->loads[0].m.ok == 1;
    assert_int_equal(w->loads[0].m.ok + w->loads[0].m.failed, 1);
    sim_time lat = w->loads[0].m.latency.max;
    assert_int_equal(w->calls_ext.peak, 3); /* the branches, linked to their fan */
    assert_int_equal(w->fans.live, 0);
    assert_int_equal(tw_calls_live(w), 0);
    tw_destroy(w, sim);
    world_config_fini(&c);
    return lat;
}

static void test_a_quorum_succeeds_at_its_kth_success(void **state)
{
    (void)state;
    bool ok;
    assert_int_equal(fan_latency(2, false, false, &ok), 200 * MS);
    assert_true(ok);
    assert_int_equal(fan_latency(1, false, false, &ok), 100 * MS);
    assert_true(ok);
}

static void test_a_quorum_fails_as_soon_as_it_cannot_be_reached(void **state)
{
    (void)state;
    bool ok;
    /* b1 fails at 0.1, b2 at 0.2: one branch left, two successes needed */
    assert_int_equal(fan_latency(2, true, false, &ok), 200 * MS);
    assert_false(ok);
}

static void test_parallel_all_waits_for_every_branch(void **state)
{
    (void)state;
    bool ok;
    assert_int_equal(fan_latency(3, false, false, &ok), 5 * SIM_S);
    assert_true(ok);
    assert_int_equal(fan_latency(3, true, false, &ok), 5 * SIM_S); /* and then fails */
    assert_false(ok);
}

static void test_parallel_all_ignores_an_optional_branchs_failure(void **state)
{
    (void)state;
    struct world_config c;
    fan_world(&c, 3, false, true);
    tw_ep(&c, 2, 0)->error_rate = 1.0; /* b2 fails, but its branch is optional */
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 10 * SIM_S);
    assert_int_equal(w->loads[0].m.ok, 1);
    assert_int_equal(w->loads[0].m.latency.max, 5 * SIM_S);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_an_edge_with_latency_costs_it_each_way(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 0, 1, 0.010);
    struct policy_config *p = tw_pol(&c, 0);
    p->has_latency = true;
    sim_dist_fini(&p->latency);
    p->latency = tw_const(0.005);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * SIM_S);
    sim_run_until(sim, 2 * SIM_S);
    world_finish(w);
    assert_int_equal(w->svcs[B].m.latency.max, 10 * MS);  /* at the callee */
    assert_int_equal(w->loads[0].m.latency.max, 20 * MS); /* 5 + 10 + 5 */
    tw_destroy(w, sim);
    world_config_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_callers_timeout_leaves_the_callees_work_running),
        cmocka_unit_test(test_cancel_on_timeout_stops_the_callee),
        cmocka_unit_test(test_only_calls_that_need_it_carry_the_side_record),
        cmocka_unit_test(test_cancel_on_timeout_drops_a_request_still_travelling),
        cmocka_unit_test(test_cancel_on_timeout_frees_the_callee_before_the_retry_arrives),
        cmocka_unit_test(test_retry_makes_its_attempts_and_holds_the_thread_during_backoff),
        cmocka_unit_test(test_retry_stops_at_the_first_success),
        cmocka_unit_test(test_retry_leaves_outcomes_outside_on_alone),
        cmocka_unit_test(test_an_optional_calls_failure_does_not_fail_the_request),
        cmocka_unit_test(test_a_required_calls_failure_fails_the_request_and_skips_the_rest),
        cmocka_unit_test(test_a_quorum_succeeds_at_its_kth_success),
        cmocka_unit_test(test_a_quorum_fails_as_soon_as_it_cannot_be_reached),
        cmocka_unit_test(test_parallel_all_waits_for_every_branch),
        cmocka_unit_test(test_parallel_all_ignores_an_optional_branchs_failure),
        cmocka_unit_test(test_an_edge_with_latency_costs_it_each_way),
    };
    return cmocka_run_group_tests_name("call", tests, NULL, NULL);
}
