/* test_saga.c - saga instances end to end, through tiny worlds: the verdicts
 * of orchestrated sagas against probability, the order of compensations, a
 * compensation that gives up (stuck, with its timeline line), a timed-out
 * step that took effect anyway (inconsistent unless compensated
 * commutatively; an earlier timed-out attempt counts too), compensation
 * storms in the timeline, choreographies (completion, failure event,
 * timeout) and a publish branch.
 *
 * The worlds: services with unlimited threads (so instances never interact)
 * and constant work, no network delay, sagas or choreographies started at a
 * Poisson rate that stops a few seconds before the end of the run, so every
 * instance is decided and judged by then (`running` is 0 and every instance
 * is in exactly one verdict); or one instance, started at 1 s by constant
 * arrivals, whose every transition has an exact time.
 *
 * Statistical checks: the instances are independent Bernoulli trials (each
 * draws its errors from the endpoints' own streams; unlimited threads mean
 * no queueing couples them), so a share over n started instances has the
 * binomial SE sqrt(p (1 - p) / n), and the check allows 4 SE (a correct
 * model fails one with probability about 6e-5; the seed is fixed, so a pass
 * is reproducible). Each such check also asserts that 4 SE is under a stated
 * bound, so a run too short to discriminate fails rather than passes. All
 * other checks are exact identities between counters. Over 40 other seeds
 * every test here passed. The binary runs in a few tens of ms.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/bus.h"
#include "models/saga.h"
#include "models/world.h"
#include "sim/kernel/sim_trace.h"
#include "tests/support/tworld.h"

#define MS SIM_MS
#define S  SIM_S

static void finish(struct world *w, struct sim *sim, struct world_config *c)
{
    tw_destroy(w, sim);
    world_config_fini(c);
}

/* The edge named `name` ("order -> payment.charge"); fails the test if none. */
static const struct edge_metrics *edge(const struct world *w, const char *name)
{
    for (int i = 0; i < w->nedges; i++)
        if (strcmp(w->edges[i].name, name) == 0) return &w->edges[i].m;
    print_message("no edge \"%s\"\n", name);
    fail();
    return NULL;
}

/* The only live (not yet judged) instance of the world. */
static struct saga_inst *only_live(const struct world *w)
{
    assert_true(w->live.next != &w->live);
    assert_true(w->live.next->next == &w->live);
    return SIM_LIST_ENTRY(w->live.next, struct saga_inst, link);
}

/* |measured - theory| <= 4 SE with SE the binomial one over n trials, and
 * 4 SE <= max4se (the run is long enough to tell). */
static void check_share(const char *what, uint64_t k, uint64_t n, double p, double max4se)
{
    double share = (double)k / (double)n, se = sqrt(p * (1 - p) / (double)n);
    print_message("%s: %.4f (%llu/%llu), theory %.4f, 4 SE = %.4f\n", what, share,
                  (unsigned long long)k, (unsigned long long)n, p, 4 * se);
    assert_true(4 * se <= max4se);
    assert_true(fabs(share - p) <= 4 * se);
}

/* Every started instance has exactly one verdict and none is left running. */
static void all_judged(const struct saga_metrics *m)
{
    assert_true(m->started > 0);
    assert_int_equal(m->running, 0);
    assert_int_equal(m->completed + m->compensated + m->stuck + m->inconsistent, m->started);
}

/* ---- the timeline --------------------------------------------------------------- */

/* Counts the lines that start with `prefix` and keeps the first. */
struct trace_count {
    const char *prefix;
    int n;
    sim_time at;
    enum sim_trace_level level;
    char who[32];
    char msg[256];
};

static void count_lines(void *ctx, sim_time at, enum sim_trace_level level, const char *who,
                        const char *msg)
{
    struct trace_count *t = ctx;
    if (strncmp(msg, t->prefix, strlen(t->prefix)) != 0) return;
    if (t->n++ > 0) return;
    t->at = at;
    t->level = level;
    snprintf(t->who, sizeof t->who, "%s", who);
    snprintf(t->msg, sizeof t->msg, "%s", msg);
}

/* Two prefixes counted from one trace sink. */
struct trace_pair {
    struct trace_count *a, *b;
};

static void count_both(void *ctx, sim_time at, enum sim_trace_level level, const char *who,
                       const char *msg)
{
    struct trace_pair *p = ctx;
    count_lines(p->a, at, level, who, msg);
    count_lines(p->b, at, level, who, msg);
}

/* The message is "stuck saga <id>: <why>" with an id >= 1. */
static void assert_stuck_line(const struct trace_count *t, const char *who, const char *why)
{
    unsigned long long id = 0;
    int used = 0;
    assert_int_equal(sscanf(t->msg, "stuck saga %llu: %n", &id, &used), 1);
    assert_true(id >= 1 && used > 0);
    assert_int_equal(t->level, SIM_TRACE_ERROR);
    assert_string_equal(t->who, who);
    assert_string_equal(t->msg + used, why);
}

/* ---- orchestration: outcome shares ---------------------------------------------- */

enum { INV, PAY };
enum { RESERVE, RELEASE };
enum { CHARGE, REFUND };

/* inventory.reserve (effect inventory) / release (undo inventory), and
 * payment.charge (effect payment) / refund (undo payment), every one 5 ms of
 * work; saga "order" = reserve then charge, each compensated by its undo
 * through `comp_policy`, started at `rps` for `starts` then stopped. */
static void order_world(struct world_config *c, double rps, sim_time starts, sim_time duration,
                        int comp_policy)
{
    tw_init(c, duration);
    tw_service(c, "inventory", 0, -1);
    tw_service(c, "payment", 0, -1);
    int inventory = tw_effect(c, "inventory"), payment = tw_effect(c, "payment");
    tw_endpoint(c, INV, "reserve");
    tw_endpoint(c, INV, "release");
    tw_endpoint(c, PAY, "charge");
    tw_endpoint(c, PAY, "refund");
    for (int s = INV; s <= PAY; s++)
        for (int e = 0; e < 2; e++)
            tw_work(c, s, e, tw_const(0.005));
    tw_ep(c, INV, RESERVE)->effect = inventory;
    tw_ep(c, INV, RELEASE)->undo = inventory;
    tw_ep(c, PAY, CHARGE)->effect = payment;
    tw_ep(c, PAY, REFUND)->undo = payment;
    int o = tw_saga(c, "order", rps, false);
    tw_saga_rate(c, o, starts, 0, 0);
    int r = tw_saga_step(c, o, "reserve", INV, RESERVE, -1);
    int p = tw_saga_step(c, o, "charge", PAY, CHARGE, -1);
    tw_saga_compensate(c, o, r, INV, RELEASE, comp_policy);
    tw_saga_compensate(c, o, p, PAY, REFUND, comp_policy);
}

static void test_orchestrated_outcome_shares_match_the_step_failure_probabilities(void **state)
{
    (void)state;
    const double p_inv = 0.10, p_pay = 0.30;
    /* 4 SE of the completed share is 4 sqrt(0.63 * 0.37 / n): 1.5 points at
     * n = 16600, so about 17000 instances (1000/s for 17 s) */
    struct world_config c;
    order_world(&c, 1000, 17 * S, 20 * S, -1);
    tw_ep(&c, INV, RESERVE)->error_rate = p_inv;
    tw_ep(&c, PAY, CHARGE)->error_rate = p_pay;
    struct sim *sim;
    struct world *w = tw_run(&c, 3, 0, &sim);
    const struct saga_metrics *m = &w->sagas[0].m;
    all_judged(m);
    assert_int_equal(m->inconsistent, 0);
    assert_int_equal(m->stuck, 0);
    assert_int_equal(m->duplicates, 0);
    check_share("completed share", m->completed, m->started, (1 - p_inv) * (1 - p_pay), 0.016);
    check_share("compensated share", m->compensated, m->started, 1 - (1 - p_inv) * (1 - p_pay),
                0.016);
    check_share("instances compensating the reservation", m->compensations, m->started,
                (1 - p_inv) * p_pay, 0.016);

    /* A failure at payment compensates the reservation only (the charge
     * never took effect); a failure at inventory compensates nothing. */
    const struct edge_metrics *reserve = edge(w, "order -> inventory.reserve");
    const struct edge_metrics *charge = edge(w, "order -> payment.charge");
    const struct edge_metrics *release = edge(w, "order -> inventory.release");
    const struct edge_metrics *refund = edge(w, "order -> payment.refund");
    assert_int_equal(reserve->attempts, m->started);
    assert_int_equal(charge->attempts, reserve->ok);
    assert_int_equal(m->compensations, charge->errors);
    assert_int_equal(release->attempts, charge->errors);
    assert_int_equal(release->ok, release->attempts);
    assert_int_equal(refund->attempts, 0);
    assert_int_equal(m->completed, charge->ok);
    assert_int_equal(m->compensated, reserve->errors + charge->errors);
    /* every duration is whole steps of 5 ms: 5 (inventory failed), 10
     * (completed) or 15 (payment failed, then released) */
    assert_int_equal(m->duration.n, m->started);
    assert_int_equal(m->duration.min, 5 * MS);
    assert_int_equal(m->duration.max, 15 * MS);
    assert_true(fabs(m->duration.sum - (double)(5 * MS * reserve->errors + 10 * MS * charge->ok +
                                                15 * MS * charge->errors)) < 1);
    finish(w, sim, &c);
}

/* ---- orchestration: the order of compensations ---------------------------------- */

static void test_compensations_run_in_reverse_order_of_the_completed_steps(void **state)
{
    (void)state;
    enum { A, B, C };
    enum { DO, UNDO };
    const char *names[] = {"a", "b", "c"};
    /* a, b, c each on its own service with its own compensation there, 1 s
     * of work each; c always fails. One instance, started at 1 s: a runs
     * 1..2, b 2..3, c 3..4 (fails), then b.undo 4..5 and a.undo 5..6. */
    struct world_config c;
    tw_init(&c, 10 * S);
    int o = tw_saga(&c, "abc", 0, false);
    for (int k = A; k <= C; k++) {
        int effect = tw_effect(&c, names[k]);
        tw_service(&c, names[k], 0, -1);
        tw_endpoint(&c, k, "do");
        tw_endpoint(&c, k, "undo");
        tw_work(&c, k, DO, tw_const(1));
        tw_work(&c, k, UNDO, tw_const(1));
        tw_ep(&c, k, DO)->effect = effect;
        tw_ep(&c, k, UNDO)->undo = effect;
        int st = tw_saga_step(&c, o, names[k], k, DO, -1);
        tw_saga_compensate(&c, o, st, k, UNDO, -1);
    }
    tw_ep(&c, C, DO)->error_rate = 1;
    /* one start: constant arrivals at 1/s from 0 to 1.5 s (the config has
     * no constant arrivals for sagas, so the built world's are switched) */
    tw_saga_rate(&c, o, 0, 1, 0);
    tw_saga_rate(&c, o, 1500 * MS, 0, 0);
    struct sim *sim;
    struct world *w = tw_create(&c, 1, 0, &sim);
    w->sagas[0].arr.constant = true;
    world_start(w);
    const struct saga *s = &w->sagas[0];
    const struct endpoint *ep[3][2];
    for (int k = A; k <= C; k++)
        for (int e = DO; e <= UNDO; e++)
            ep[k][e] = &w->svcs[k].eps[e];

    sim_run_until(sim, 999 * MS);
    assert_int_equal(s->m.started, 0);
    sim_run_until(sim, 3500 * MS);
    struct saga_inst *i = only_live(w);
    assert_int_equal(i->state, SAGA_RUNNING);
    assert_int_equal(i->step, C);
    assert_int_equal(w->svcs[C].busy, 1);
    /* c has failed at 4 s: b's compensation runs, a's waits for it */
    sim_run_until(sim, 4500 * MS);
    assert_int_equal(ep[C][DO]->m.failed, 1);
    assert_int_equal(i->state, SAGA_COMPENSATING);
    assert_int_equal(i->step, B);
    assert_int_equal(w->svcs[B].busy, 1);
    assert_int_equal(w->svcs[A].busy, 0);
    assert_int_equal(s->m.compensations, 1);
    assert_int_equal(i->ledger[0] + i->ledger[1] + i->ledger[2], 2); /* a and b in place */
    sim_run_until(sim, 5500 * MS);
    assert_int_equal(ep[B][UNDO]->m.completed, 1);
    assert_int_equal(ep[A][UNDO]->m.completed, 0);
    assert_int_equal(i->step, A);
    assert_int_equal(w->svcs[A].busy, 1);
    assert_int_equal(s->m.compensations, 2);
    assert_int_equal(i->ledger[1], 0); /* b undone, a still in place */
    assert_int_equal(i->ledger[0], 1);
    sim_run_until(sim, 6500 * MS);
    assert_true(w->live.next == &w->live); /* judged */
    assert_int_equal(ep[A][UNDO]->m.completed, 1);
    /* c never completed, so it was never compensated */
    assert_int_equal(ep[C][UNDO]->m.completed + ep[C][UNDO]->m.failed, 0);
    assert_int_equal(w->svcs[C].m.arrived, 1);
    assert_int_equal(s->m.started, 1);
    assert_int_equal(s->m.compensated, 1);
    assert_int_equal(s->m.compensations, 2);
    assert_int_equal(s->m.duration.max, 5 * S); /* 1 s to 6 s */
    sim_run_until(sim, c.duration);
    world_finish(w);
    assert_int_equal(s->m.started, 1); /* one start only */
    assert_int_equal(s->m.running, 0);
    finish(w, sim, &c);
}

/* ---- orchestration: a compensation that gives up ------------------------------------ */

static void test_a_compensation_that_gives_up_leaves_the_saga_inconsistent(void **state)
{
    (void)state;
    /* the release always fails and is retried to 3 attempts; the charge
     * fails 30% of the time, so those instances compensate the reservation,
     * give up and are stuck; the reservation is left in their ledger, which
     * makes the verdict inconsistent (SCENARIO.md: failed or stuck with
     * effects left) */
    struct world_config c;
    int comp = -1;
    order_world(&c, 200, 10 * S, 12 * S, comp);
    comp = tw_policy(&c, "comp", 0);
    tw_retry(&c, comp, 3, BACKOFF_NONE, 0, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_ERROR));
    for (int k = 0; k < 2; k++)
        tw_sg(&c, 0)->steps[k].compensate.policy = comp;
    tw_ep(&c, PAY, CHARGE)->error_rate = 0.3;
    tw_ep(&c, INV, RELEASE)->error_rate = 1;
    struct sim *sim;
    struct world *w = tw_start(&c, 5, 0, &sim);
    struct trace_count log = {.prefix = "stuck saga "};
    sim_trace_set(sim, count_lines, &log);
    sim_run_until(sim, c.duration);
    world_finish(w);
    const struct saga_metrics *m = &w->sagas[0].m;
    const struct edge_metrics *charge = edge(w, "order -> payment.charge");
    const struct edge_metrics *release = edge(w, "order -> inventory.release");
    all_judged(m);
    print_message("started %llu, completed %llu, inconsistent %llu, release attempts %llu\n",
                  (unsigned long long)m->started, (unsigned long long)m->completed,
                  (unsigned long long)m->inconsistent, (unsigned long long)release->attempts);
    assert_true(m->inconsistent > 0);
    assert_int_equal(m->inconsistent, charge->errors);
    assert_int_equal(m->completed, charge->ok);
    assert_int_equal(m->stuck, 0);
    assert_int_equal(m->compensated, 0);
    assert_int_equal(m->compensations, m->inconsistent);
    assert_int_equal(release->attempts, 3 * m->inconsistent);
    assert_int_equal(release->retries, 2 * m->inconsistent);
    assert_int_equal(release->errors, 3 * m->inconsistent);
    /* one timeline line per instance that got stuck, saying which
     * compensation gave up */
    assert_int_equal(log.n, (int)m->inconsistent);
    assert_stuck_line(&log, "order", "compensation of reserve (inventory.release) gave up: error");
    finish(w, sim, &c);
}

/* ---- orchestration: a timed-out step that took effect --------------------------------- */

/* order_world with a charge of 2 s behind a 1 s timeout: every charge times
 * out at the orchestrator and lands a second later. */
static const struct saga_metrics *run_late_charge(struct world_config *c, bool uncertain,
                                                  bool commutative, struct world **wp,
                                                  struct sim **simp)
{
    order_world(c, 50, 10 * S, 15 * S, -1);
    int pay = tw_policy(c, "pay", 1 * S);
    tw_sg(c, 0)->steps[1].call.policy = pay;
    tw_sg(c, 0)->compensate_uncertain = uncertain;
    struct endpoint_config *charge = tw_ep(c, PAY, CHARGE);
    sim_dist_fini(&charge->steps[0].dist);
    charge->steps[0].dist = tw_const(2);
    tw_ep(c, PAY, REFUND)->commutative = commutative;
    *wp = tw_run(c, 9, 0, simp);
    const struct saga_metrics *m = &(*wp)->sagas[0].m;
    all_judged(m);
    print_message("compensate_uncertain %d, refund commutative %d: started %llu, compensated "
                  "%llu, inconsistent %llu\n",
                  uncertain, commutative, (unsigned long long)m->started,
                  (unsigned long long)m->compensated, (unsigned long long)m->inconsistent);
    assert_int_equal(edge(*wp, "order -> payment.charge")->timeouts, m->started);
    assert_int_equal((*wp)->svcs[PAY].eps[CHARGE].m.completed, m->started); /* charged anyway */
    return m;
}

static void
test_a_timed_out_charge_that_lands_later_is_inconsistent_unless_compensated(void **state)
{
    (void)state;
    struct world_config c;
    struct world *w;
    struct sim *sim;
    /* not compensated: the orchestrator released the reservation and the
     * charge stays */
    const struct saga_metrics *m = run_late_charge(&c, false, false, &w, &sim);
    assert_int_equal(m->inconsistent, m->started);
    assert_int_equal(m->compensations, m->started);
    assert_int_equal(edge(w, "order -> payment.refund")->attempts, 0);
    finish(w, sim, &c);
    /* compensated with a commutative refund: it runs first and leaves a
     * tombstone that voids the late charge */
    m = run_late_charge(&c, true, true, &w, &sim);
    assert_int_equal(m->compensated, m->started);
    assert_int_equal(m->compensations, 2 * m->started);
    assert_int_equal(edge(w, "order -> payment.refund")->ok, m->started);
    finish(w, sim, &c);
    /* compensated with a refund that is not commutative: it found nothing
     * to refund, and the late charge stays */
    m = run_late_charge(&c, true, false, &w, &sim);
    assert_int_equal(m->inconsistent, m->started);
    assert_int_equal(m->compensations, 2 * m->started);
    finish(w, sim, &c);
}

/* One instance (started at 1 s) whose charge's first attempt times out and
 * lands later, while its retry fails outright: the step failed with an
 * error, but an earlier attempt of it may have (and did) take effect.
 *   1.000  reserve (5 ms)
 *   1.005  charge attempt 1: 0.5 s of work slowed by 1.5 s (a slow fault
 *          until 1.2 s), so it ends at 3.005, ok, and charges
 *   2.005  the 1 s timeout: retried on timeout, attempt 2, not slowed, ends
 *          at 2.505 in an error (an errors fault on charge from 2 s to 2.9 s)
 *   2.505  the step failed: compensations from here (5 ms each)
 *   3.005  attempt 1 lands: the charge is in the ledger, or voided. */
static const struct saga_metrics *run_retried_charge(struct world_config *c, bool uncertain,
                                                     struct world **wp, struct sim **simp)
{
    order_world(c, 1, 1500 * MS, 10 * S, -1); /* constant arrivals below: one at 1 s */
    int o = 0;
    tw_sg(c, o)->compensate_uncertain = uncertain;
    int pay = tw_policy(c, "pay", 1 * S);
    tw_retry(c, pay, 2, BACKOFF_NONE, 0, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_TIMEOUT));
    tw_sg(c, o)->steps[1].call.policy = pay;
    struct endpoint_config *charge = tw_ep(c, PAY, CHARGE);
    sim_dist_fini(&charge->steps[0].dist);
    charge->steps[0].dist = tw_const(0.5);
    tw_ep(c, PAY, REFUND)->commutative = true;
    struct fault_config *slow = tw_flt(c, tw_fault(c, FAULT_SLOW, PAY, 0, 1200 * MS));
    slow->endpoint = CHARGE;
    slow->add = 1500 * MS;
    struct fault_config *errors = tw_flt(c, tw_fault(c, FAULT_ERRORS, PAY, 2 * S, 2900 * MS));
    errors->endpoint = CHARGE;
    errors->rate = 1;
    *wp = tw_create(c, 1, 0, simp);
    (*wp)->sagas[o].arr.constant = true;
    world_start(*wp);
    sim_run_until(*simp, c->duration);
    world_finish(*wp);
    const struct saga_metrics *m = &(*wp)->sagas[o].m;
    const struct edge_metrics *e = edge(*wp, "order -> payment.charge");
    all_judged(m);
    assert_int_equal(m->started, 1);
    assert_int_equal(e->attempts, 2);
    assert_int_equal(e->timeouts, 1);
    assert_int_equal(e->errors, 1);
    assert_int_equal((*wp)->svcs[PAY].eps[CHARGE].m.completed, 1);            /* the late one */
    assert_int_equal(m->duration.max, 1505 * MS + (uncertain ? 10 : 5) * MS); /* from 1 s */
    return m;
}

static void test_a_step_with_an_earlier_timed_out_attempt_is_uncertain(void **state)
{
    (void)state;
    struct world_config c;
    struct world *w;
    struct sim *sim;
    const struct saga_metrics *m = run_retried_charge(&c, false, &w, &sim);
    assert_int_equal(m->inconsistent, 1); /* the late charge stays */
    assert_int_equal(m->compensations, 1);
    finish(w, sim, &c);
    m = run_retried_charge(&c, true, &w, &sim);
    assert_int_equal(m->compensated, 1); /* refunded first, the late charge voided */
    assert_int_equal(m->compensations, 2);
    assert_int_equal(edge(w, "order -> payment.refund")->ok, 1);
    finish(w, sim, &c);
}

/* ---- compensation storms ----------------------------------------------------------- */

#define STORM_MAX 8
struct storm_log {
    int n;
    sim_time at[STORM_MAX];
    enum sim_trace_level level[STORM_MAX];
    char msg[STORM_MAX][256];
};

static void keep_storms(void *ctx, sim_time at, enum sim_trace_level level, const char *who,
                        const char *msg)
{
    struct storm_log *t = ctx;
    if (strncmp(msg, "compensation storm", 18) != 0) return;
    assert_string_equal(who, "order");
    assert_true(t->n < STORM_MAX);
    t->at[t->n] = at;
    t->level[t->n] = level;
    snprintf(t->msg[t->n], sizeof t->msg[t->n], "%s", msg);
    t->n++;
}

static void
test_a_compensation_storm_is_reported_only_while_failures_outnumber_completions(void **state)
{
    (void)state;
    /* 100 instances/s, 37% failing: no storm (a window of SAGA_STORM_WINDOW
     * holds ~330 failures against ~570 completions, binomial SE ~15: they
     * never cross by chance). Every charge fails from 10 s to 20 s. The
     * window's buckets are whole seconds, the current one included, so a
     * sample at a whole second sees the 9 s before it; with k of them in the
     * fault, failures pass completions when 37 (9 - k) + 100 k > 63 (9 - k),
     * k > 1.9: at 12 s (k = 2, a close call) or 13 s (k = 3, 5 SE clear).
     * After the fault they fall back below when k < 2: the last stormy
     * sample is at 26 or 27 s, and the storm is over SAGA_STORM_QUIET (60 s)
     * later, at 86 or 87 s. The bounds allow one more second each way. */
    struct world_config c;
    order_world(&c, 100, 118 * S, 120 * S, -1);
    c.sample = 1 * S;
    tw_ep(&c, INV, RESERVE)->error_rate = 0.1;
    tw_ep(&c, PAY, CHARGE)->error_rate = 0.3;
    tw_flt(&c, tw_fault(&c, FAULT_ERRORS, PAY, 10 * S, 20 * S))->rate = 1;
    struct sim *sim;
    struct world *w = tw_start(&c, 61, 0, &sim);
    struct storm_log log = {0};
    sim_trace_set(sim, keep_storms, &log);
    sim_run_until(sim, c.duration);
    world_finish(w);
    for (int i = 0; i < log.n; i++)
        print_message("%.3f s: %s\n", sim_time_to_s(log.at[i]), log.msg[i]);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.level[0], SIM_TRACE_WARN);
    assert_true(log.at[0] >= 11 * S && log.at[0] <= 14 * S);
    assert_true(strncmp(log.msg[0], "compensation storm: ", 20) == 0);
    assert_int_equal(log.level[1], SIM_TRACE_INFO);
    assert_true(strncmp(log.msg[1], "compensation storm over", 23) == 0);
    assert_true(log.at[1] >= 85 * S && log.at[1] <= 88 * S);
    assert_true(w->sagas[0].m.started > 0);
    finish(w, sim, &c);
}

/* ---- choreography ---------------------------------------------------------------------- */

enum { SHIP = 1 };
enum { CREATE };

/* OrderCreated -> inventory.reserve (effect inventory; publishes
 * InventoryReserved; on failure InventoryFailed) -> shipping.create
 * (effect shipment; publishes ShipmentCreated). Choreography "order_flow":
 * completed on ShipmentCreated, failed on InventoryFailed. */
static void chor_world(struct world_config *c, double rps, sim_time starts, sim_time duration,
                       sim_time timeout)
{
    tw_init(c, duration);
    tw_bus(c, tw_exp(0.002), 0, 1, 0);
    tw_service(c, "inventory", 0, -1);
    tw_service(c, "shipping", 0, -1);
    int created = tw_event(c, "OrderCreated"), reserved = tw_event(c, "InventoryReserved");
    int failed = tw_event(c, "InventoryFailed"), shipped = tw_event(c, "ShipmentCreated");
    tw_endpoint(c, INV, "reserve");
    tw_endpoint(c, SHIP, "create");
    tw_work(c, INV, RESERVE, tw_const(0.005));
    tw_publish(c, INV, RESERVE, reserved, 1, -1);
    tw_ep(c, INV, RESERVE)->effect = tw_effect(c, "inventory");
    tw_ep(c, INV, RESERVE)->on_failure = failed;
    tw_work(c, SHIP, CREATE, tw_const(0.005));
    tw_publish(c, SHIP, CREATE, shipped, 1, -1);
    tw_ep(c, SHIP, CREATE)->effect = tw_effect(c, "shipment");
    tw_subscribe(c, created, INV, RESERVE);
    tw_subscribe(c, reserved, SHIP, CREATE);
    int k = tw_choreography(c, "order_flow", created, rps, timeout);
    tw_chor_rate(c, k, starts, 0, 0);
    tw_completed_on(c, k, shipped);
    tw_failed_on(c, k, failed);
}

static void test_a_choreography_completes_or_fails_on_its_terminal_events(void **state)
{
    (void)state;
    const double p = 0.2;
    /* 4 SE of the completed share = 4 sqrt(0.16 / n): 1.2 points at n = 17000 */
    struct world_config c;
    chor_world(&c, 1000, 17 * S, 20 * S, 60 * S);
    tw_ep(&c, INV, RESERVE)->error_rate = p;
    struct sim *sim;
    struct world *w = tw_run(&c, 13, 0, &sim);
    const struct saga_metrics *m = &w->sagas[0].m;
    const struct ep_metrics *reserve = &w->svcs[INV].eps[RESERVE].m;
    const struct ep_metrics *create = &w->svcs[SHIP].eps[CREATE].m;
    all_judged(m);
    check_share("completed share", m->completed, m->started, 1 - p, 0.014);
    check_share("compensated share", m->compensated, m->started, p, 0.014);
    /* a failed reservation has no effect and publishes only InventoryFailed
     * (its InventoryReserved never leaves the outbox): nothing to undo */
    assert_int_equal(m->inconsistent, 0);
    assert_int_equal(m->stuck, 0);
    assert_int_equal(m->compensated, reserve->failed);
    assert_int_equal(m->completed, reserve->completed);
    assert_int_equal(create->completed, reserve->completed);
    assert_int_equal(create->failed, 0);
    /* publications: the starts, then one event per reservation, one per shipment */
    assert_int_equal(w->bus->m.published,
                     m->started + reserve->completed + reserve->failed + create->completed);
    assert_int_equal(w->bus->m.delivered, m->started + reserve->completed);
    finish(w, sim, &c);
}

/* chor_world with shipping refusing everything for the whole run:
 * InventoryReserved is dead-lettered, ShipmentCreated never comes, every
 * instance is stuck 5 s after it started. With `reserve_effect`, the
 * reservation stays in each ledger. */
static void run_stuck_choreography(bool reserve_effect)
{
    struct world_config c;
    chor_world(&c, 100, 5 * S, 12 * S, 5 * S);
    if (!reserve_effect) tw_ep(&c, INV, RESERVE)->effect = -1;
    tw_fault(&c, FAULT_CRASH, SHIP, 0, SIM_TIME_MAX); /* hang false: refuse */
    struct sim *sim;
    struct world *w = tw_start(&c, 17, 0, &sim);
    struct trace_count log = {.prefix = "stuck saga "}, left = {.prefix = "inconsistent saga "};
    struct trace_pair both = {&log, &left};
    sim_trace_set(sim, count_both, &both);
    sim_run_until(sim, c.duration);
    world_finish(w);
    const struct saga_metrics *m = &w->sagas[0].m;
    all_judged(m);
    print_message("started %llu, stuck %llu, inconsistent %llu\n", (unsigned long long)m->started,
                  (unsigned long long)m->stuck, (unsigned long long)m->inconsistent);
    /* SCENARIO.md: stuck with effects left is inconsistent */
    assert_true(m->started > 0);
    assert_int_equal(reserve_effect ? m->inconsistent : m->stuck, m->started);
    assert_int_equal(reserve_effect ? m->stuck : m->inconsistent, 0);
    assert_int_equal(w->bus->m.dead_lettered, m->started);
    assert_int_equal(w->svcs[INV].eps[RESERVE].m.completed, m->started);
    assert_int_equal(m->duration.min, 5 * S);
    assert_int_equal(m->duration.max, 5 * S);
    assert_int_equal(log.n, (int)m->started);
    assert_stuck_line(&log, "order_flow", "no terminal event within 5s");
    /* and, for each with the reservation left, the line that says so */
    assert_int_equal(left.n, reserve_effect ? (int)m->started : 0);
    if (reserve_effect) {
        assert_string_equal(left.who, "order_flow");
        assert_non_null(strstr(left.msg, ": inventory left in place after it got stuck"));
    }
    finish(w, sim, &c);
}

static void test_a_choreography_without_its_terminal_event_is_stuck_at_the_timeout(void **state)
{
    (void)state;
    run_stuck_choreography(false); /* an empty ledger: stuck */
    run_stuck_choreography(true);  /* the reservation left: inconsistent */
}

/* ---- a publish branch ------------------------------------------------------------------- */

static void test_a_publish_branch_publishes_its_event_with_its_probability(void **state)
{
    (void)state;
    enum { LOYALTY, NOTIFY, AUDIT };
    const double p = 0.6;
    /* OrderPlaced -> loyalty.deduct, which publishes PointsDeducted with
     * probability 0.6, else PointDeductionSkipped; each has its own
     * subscriber, and both end the choreography well. 4 SE = 4 sqrt(0.24 /
     * n): 2 points at n = 10000. */
    struct world_config c;
    tw_init(&c, 12 * S);
    tw_service(&c, "loyalty", 0, -1);
    tw_service(&c, "notify", 0, -1);
    tw_service(&c, "audit", 0, -1);
    int placed = tw_event(&c, "OrderPlaced"), deducted = tw_event(&c, "PointsDeducted");
    int skipped = tw_event(&c, "PointDeductionSkipped");
    tw_endpoint(&c, LOYALTY, "deduct");
    tw_endpoint(&c, NOTIFY, "on_deducted");
    tw_endpoint(&c, AUDIT, "on_skipped");
    tw_work(&c, LOYALTY, 0, tw_const(0.002));
    tw_publish(&c, LOYALTY, 0, deducted, p, skipped);
    tw_work(&c, NOTIFY, 0, tw_const(0.001));
    tw_work(&c, AUDIT, 0, tw_const(0.001));
    tw_subscribe(&c, placed, LOYALTY, 0);
    tw_subscribe(&c, deducted, NOTIFY, 0);
    tw_subscribe(&c, skipped, AUDIT, 0);
    int k = tw_choreography(&c, "points", placed, 1000, 0);
    tw_chor_rate(&c, k, 10 * S, 0, 0);
    tw_completed_on(&c, k, deducted);
    tw_completed_on(&c, k, skipped);
    struct sim *sim;
    struct world *w = tw_run(&c, 21, 0, &sim);
    const struct saga_metrics *m = &w->sagas[0].m;
    uint64_t yes = w->svcs[NOTIFY].m.completed, no = w->svcs[AUDIT].m.completed;
    all_judged(m);
    assert_int_equal(m->completed, m->started);
    assert_int_equal(yes + no, m->started);
    check_share("PointsDeducted share", yes, m->started, p, 0.02);
    finish(w, sim, &c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orchestrated_outcome_shares_match_the_step_failure_probabilities),
        cmocka_unit_test(test_compensations_run_in_reverse_order_of_the_completed_steps),
        cmocka_unit_test(test_a_compensation_that_gives_up_leaves_the_saga_inconsistent),
        cmocka_unit_test(
            test_a_timed_out_charge_that_lands_later_is_inconsistent_unless_compensated),
        cmocka_unit_test(test_a_step_with_an_earlier_timed_out_attempt_is_uncertain),
        cmocka_unit_test(
            test_a_compensation_storm_is_reported_only_while_failures_outnumber_completions),
        cmocka_unit_test(test_a_choreography_completes_or_fails_on_its_terminal_events),
        cmocka_unit_test(test_a_choreography_without_its_terminal_event_is_stuck_at_the_timeout),
        cmocka_unit_test(test_a_publish_branch_publishes_its_event_with_its_probability),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
