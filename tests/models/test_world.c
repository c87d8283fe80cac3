/* test_world.c - whole-world properties: determinism, common random numbers,
 * the warm-up reset, the time-series sampler, and no leaked records.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "models/world.h"
#include "tests/support/tworld.h"

#define MS SIM_MS

/* Equality of everything a service measured, histograms bucket by bucket. */
static bool hist_same(const struct sim_hist *a, const struct sim_hist *b)
{
    return a->n == b->n && a->sum == b->sum && a->min == b->min && a->max == b->max &&
           memcmp(a->bucket, b->bucket, sizeof a->bucket) == 0;
}

static bool level_same(const struct sim_level *a, const struct sim_level *b)
{
    return a->value == b->value && a->area == b->area && a->max == b->max && a->start == b->start &&
           a->last == b->last;
}

static bool svc_same(const struct service *a, const struct service *b)
{
    const struct svc_metrics *x = &a->m, *y = &b->m;
    if (x->arrived != y->arrived || x->completed != y->completed || x->failed != y->failed ||
        x->rejected != y->rejected || x->dropped != y->dropped || x->crashes != y->crashes ||
        x->waited != y->waited)
        return false;
    if (!hist_same(&x->latency, &y->latency) || !hist_same(&x->queue_wait, &y->queue_wait))
        return false;
    if (!level_same(&x->busy, &y->busy) || !level_same(&x->blocked, &y->blocked) ||
        !level_same(&x->queue, &y->queue))
        return false;
    for (int p = 0; p < a->cfg->npools; p++) {
        const struct pool_metrics *pa = &a->pools[p].m, *pb = &b->pools[p].m;
        if (pa->acquired != pb->acquired || pa->acquire_failed != pb->acquire_failed ||
            !hist_same(&pa->wait, &pb->wait) || !level_same(&pa->in_use, &pb->in_use))
            return false;
    }
    return true;
}

static bool edge_same(const struct edge_metrics *a, const struct edge_metrics *b)
{
    return memcmp(a, b, sizeof *a) == 0; /* integers only, no padding */
}

/* A world with some of everything random: poisson load with an end-user
 * timeout and retries, exponential work, a pool with waits, a call with
 * timeout, jittered retry and network latency, errors, and a slow fault. */
static void busy_world(struct world_config *c, const char *prefix, bool extra_first)
{
    char name[64];
    tw_init(c, 30 * SIM_S);
    c->warmup = 5 * SIM_S;
    int x = -1;
    if (extra_first) { /* an unrelated service, placed before the others */
        x = tw_service(c, "unrelated", 2, 5);
        int xe = tw_endpoint(c, x, "e");
        tw_work(c, x, xe, tw_exp(0.02));
        tw_ep(c, x, xe)->error_rate = 0.1;
    }
    snprintf(name, sizeof name, "%sfront", prefix);
    int f = tw_service(c, name, 8, 20);
    snprintf(name, sizeof name, "%sback", prefix);
    int b = tw_service(c, name, 3, 10);
    int db = tw_pool(c, b, "db", 2, 5 * MS);
    int fe = tw_endpoint(c, f, "e");
    int be = tw_endpoint(c, b, "e");
    tw_work(c, b, be, tw_exp(0.004));
    tw_use(c, b, be, db, tw_exp(0.005));
    tw_ep(c, b, be)->error_rate = 0.02;
    int pol = tw_policy(c, "p", 40 * MS);
    tw_retry(c, pol, 3, BACKOFF_EXPONENTIAL, 5 * MS, 2, 50 * MS, JITTER_FULL,
             OUTCOME_BIT(OUTCOME_TIMEOUT) | OUTCOME_BIT(OUTCOME_ERROR) |
                 OUTCOME_BIT(OUTCOME_REJECTED));
    struct policy_config *p = tw_pol(c, pol);
    p->has_latency = true;
    sim_dist_fini(&p->latency);
    p->latency = tw_exp(0.001);
    int user = tw_policy(c, "user", 200 * MS);
    tw_work(c, f, fe, tw_exp(0.002));
    tw_call(c, f, fe, b, be, pol, false);
    int l = tw_load(c, "orders", f, fe, 250, false);
    c->loads[l].policy = user;
    int sl = tw_fault(c, FAULT_SLOW, b, 12 * SIM_S, 15 * SIM_S);
    tw_flt(c, sl)->factor = 4;
    if (x >= 0) {
        tw_load(c, "noise", x, 0, 150, false);
        tw_fault(c, FAULT_CRASH, x, 8 * SIM_S, 9 * SIM_S);
    }
}

static void test_the_same_seed_gives_identical_metrics(void **state)
{
    (void)state;
    struct world_config c;
    busy_world(&c, "", false);
    struct sim *s1, *s2, *s3;
    struct world *a = tw_run(&c, 42, 3, &s1);
    struct world *b = tw_run(&c, 42, 3, &s2);
    struct world *other = tw_run(&c, 42, 4, &s3);
    assert_true(a->svcs[1].m.completed > 1000);
    assert_int_equal(a->nedges, 1);
    assert_true(a->edges[0].m.retries > 0); /* the world exercises what it claims */
    assert_true(a->edges[0].m.timeouts > 0 && a->edges[0].m.errors > 0);
    assert_true(a->svcs[1].pools[0].m.acquire_failed > 0);
    assert_int_equal(sim_events(s1), sim_events(s2));
    for (int i = 0; i < a->nsvcs; i++)
        assert_true(svc_same(&a->svcs[i], &b->svcs[i]));
    for (int i = 0; i < a->nedges; i++)
        assert_true(edge_same(&a->edges[i].m, &b->edges[i].m));
    assert_true(hist_same(&a->loads[0].m.latency, &b->loads[0].m.latency));
    assert_true(a->loads[0].m.ok == b->loads[0].m.ok);
    /* another replication is another sample path */
    assert_false(svc_same(&a->svcs[0], &other->svcs[0]));
    assert_true(sim_events(s1) != sim_events(s3));
    tw_destroy(a, s1);
    tw_destroy(b, s2);
    tw_destroy(other, s3);
    world_config_fini(&c);
}

static void test_adding_an_unrelated_service_leaves_the_others_results_unchanged(void **state)
{
    (void)state;
    struct world_config c1, c2;
    busy_world(&c1, "", false);
    busy_world(&c2, "", true); /* shifts every index by one */
    struct sim *s1, *s2;
    struct world *a = tw_run(&c1, 42, 1, &s1);
    struct world *b = tw_run(&c2, 42, 1, &s2);
    assert_true(b->svcs[0].m.crashes == 1 && b->svcs[0].m.failed > 0);
    assert_true(svc_same(&a->svcs[0], &b->svcs[1]));
    assert_true(svc_same(&a->svcs[1], &b->svcs[2]));
    assert_true(hist_same(&a->loads[0].m.latency, &b->loads[0].m.latency));
    tw_destroy(a, s1);
    tw_destroy(b, s2);
    world_config_fini(&c1);
    world_config_fini(&c2);

    /* and renaming the services (the streams' names) changes the draws */
    busy_world(&c1, "", false);
    busy_world(&c2, "x", false);
    a = tw_run(&c1, 42, 1, &s1);
    b = tw_run(&c2, 42, 1, &s2);
    assert_false(svc_same(&a->svcs[1], &b->svcs[1]));
    tw_destroy(a, s1);
    tw_destroy(b, s2);
    world_config_fini(&c1);
    world_config_fini(&c2);
}

/* 10 rps constant, 10 ms of work then a 10 ms hold; warm-up 5.05 s, run 10 s.
 * Counted: arrivals 5.1 .. 10.0 (50), completions of 5.1 .. 9.9 (49). */
static void test_the_warmup_resets_service_pool_and_load_counters(void **state)
{
    (void)state;
    struct world_config c;
    tw_init(&c, 10 * SIM_S);
    c.warmup = 5050 * MS;
    int s = tw_service(&c, "s", 1, -1);
    int db = tw_pool(&c, s, "db", 1, 0);
    int e = tw_endpoint(&c, s, "e");
    tw_work(&c, s, e, tw_const(0.010));
    tw_use(&c, s, e, db, tw_const(0.010));
    tw_load(&c, "in", s, e, 10, true);
    struct sim *sim;
    struct world *w = tw_run(&c, 1, 0, &sim);
    const struct service *sv = &w->svcs[0];
    assert_int_equal(sv->m.arrived, 50);
    assert_int_equal(sv->m.completed, 49);
    assert_int_equal(sv->m.latency.n, 49);
    assert_int_equal(sv->eps[0].m.completed, 49);
    assert_int_equal(sv->pools[0].m.acquired, 49);
    assert_int_equal(w->loads[0].m.sent, 50);
    assert_int_equal(w->loads[0].m.ok, 49);
    assert_int_equal(w->loads[0].edge.attempts, 50);
    /* levels average over [5.05, 10] only: 49 x 10 ms busy, 49 x 10 ms held */
    double T = 4.95;
    assert_true(fabs(tw_level_mean(w, &sv->m.busy) - 0.49 / T) < 1e-9);
    assert_true(fabs(tw_level_mean(w, &sv->m.blocked) - 0.49 / T) < 1e-9);
    assert_true(fabs(tw_level_mean(w, &sv->pools[0].m.in_use) - 0.49 / T) < 1e-9);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

/* A whole run (seed 1) with the sampler's rows going to fn. */
static struct world *run_with_rows(const struct world_config *c, world_row_fn *fn, void *ctx,
                                   struct sim **sim)
{
    struct world *w = tw_create(c, 1, 0, sim);
    world_set_rows(w, fn, ctx);
    world_start(w);
    sim_run_until(*sim, c->duration);
    world_finish(w);
    return w;
}

struct rows {
    int n;
    uint64_t arrivals[16];
    sim_time t[16];
};

static void on_row(void *ctx, const struct world_row *row)
{
    struct rows *r = ctx;
    if (r->n < 16) {
        r->arrivals[r->n] = row->arrivals;
        r->t[r->n] = row->t;
    }
    r->n++;
}

static void test_the_sampler_writes_a_row_per_service_per_sample(void **state)
{
    (void)state;
    struct world_config c;
    tw_init(&c, 5 * SIM_S);
    c.sample = 1 * SIM_S;
    int s = tw_service(&c, "s", 0, -1);
    int e = tw_endpoint(&c, s, "e");
    tw_work(&c, s, e, tw_const(0.010));
    tw_load(&c, "in", s, e, 10, true);
    struct rows rows = {0};
    struct sim *sim;
    struct world *w = run_with_rows(&c, on_row, &rows, &sim);
    assert_int_equal(rows.n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(rows.t[i], (i + 1) * SIM_S);
        /* the sampler runs after the instant's arrivals: (t - 1 s, t] */
        assert_int_equal(rows.arrivals[i], 10);
    }
    tw_destroy(w, sim);
    world_config_fini(&c);
}

struct interval_rows {
    int n;
    uint64_t completions;
    double p50_ms, p99_ms;
};

static void on_interval_row(void *ctx, const struct world_row *row)
{
    struct interval_rows *r = ctx;
    if (++r->n == 6) { /* the row of (5 s, 6 s] */
        r->completions = row->completions;
        r->p50_ms = row->p50_ms;
        r->p99_ms = row->p99_ms;
    }
}

/* A completion is added to the interval's histogram only; the run's is
 * folded from it. The warm-up (5.05 s) ends inside the interval (5 s, 6 s]:
 * its row reports all ten completions, the 30 ms one at 5.03 (work slowed
 * 3x until 5.05 s) with the nine 10 ms ones after, while the run's histogram
 * counts only completions after 5.05 s. */
static void test_the_run_latency_is_folded_from_intervals_without_the_warmup(void **state)
{
    (void)state;
    struct world_config c;
    tw_init(&c, 10 * SIM_S);
    c.warmup = 5050 * MS;
    c.sample = 1 * SIM_S;
    int s = tw_service(&c, "s", 1, -1);
    int e = tw_endpoint(&c, s, "e");
    tw_work(&c, s, e, tw_const(0.010));
    tw_load(&c, "in", s, e, 10, true);
    int f = tw_fault(&c, FAULT_SLOW, s, 0, 5050 * MS);
    tw_flt(&c, f)->factor = 3;
    struct interval_rows rows = {0};
    struct sim *sim;
    struct world *w = run_with_rows(&c, on_interval_row, &rows, &sim);
    assert_int_equal(rows.n, 10);
    assert_int_equal(rows.completions, 10);
    assert_true(fabs(rows.p50_ms - 10) < 0.1); /* quantiles are within 1% */
    assert_true(fabs(rows.p99_ms - 30) < 0.3);
    const struct sim_hist *run = &w->svcs[0].m.latency;
    assert_int_equal(run->n, 49); /* completions of 5.1 .. 9.9 */
    assert_int_equal(run->min, 10 * MS);
    assert_int_equal(run->max, 10 * MS);
    assert_true(run->sum == 49.0 * (double)(10 * MS));
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_a_finished_run_holds_no_records_beyond_those_in_flight(void **state)
{
    (void)state;
    struct world_config c;
    busy_world(&c, "", true);
    c.duration = 20 * SIM_S;
    /* stop the load before the end: everything drains */
    tw_rate(&c, 0, 18 * SIM_S, 0, 0);
    tw_rate(&c, 1, 18 * SIM_S, 0, 0);
    struct sim *sim;
    struct world *w = tw_run(&c, 9, 1, &sim);
    assert_int_equal(w->reqs.live, 0);
    assert_int_equal(tw_calls_live(w), 0);
    assert_int_equal(w->fans.live, 0);
    for (int i = 0; i < w->nsvcs; i++) {
        assert_int_equal(w->svcs[i].busy, 0);
        assert_int_equal(w->svcs[i].blocked, 0);
        assert_int_equal(w->svcs[i].queued, 0);
        for (int p = 0; p < w->svcs[i].cfg->npools; p++)
            assert_int_equal(w->svcs[i].pools[p].in_use, 0);
    }
    tw_destroy(w, sim);
    world_config_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_same_seed_gives_identical_metrics),
        cmocka_unit_test(test_adding_an_unrelated_service_leaves_the_others_results_unchanged),
        cmocka_unit_test(test_the_warmup_resets_service_pool_and_load_counters),
        cmocka_unit_test(test_the_sampler_writes_a_row_per_service_per_sample),
        cmocka_unit_test(test_the_run_latency_is_folded_from_intervals_without_the_warmup),
        cmocka_unit_test(test_a_finished_run_holds_no_records_beyond_those_in_flight),
    };
    return cmocka_run_group_tests_name("world", tests, NULL, NULL);
}
