/* test_policy.c - the policy stack end to end, through tiny worlds: retry
 * amplification against theory (one layer and two), the breaker's
 * short-circuits and timeline, bulkheads at the callee (semaphore, orphaned
 * permits, thread pool), fallbacks, the adaptive throttle, retry budgets and
 * buckets, and determinism. test_call.c covers timeouts, plain retries and
 * optional calls; test_breaker.c the breaker's state machine on its own.
 *
 * The worlds: a front service f (unlimited threads) whose endpoint e calls
 * b.e through policy 0; end users (load "u") either send single requests at
 * chosen times with tw_send(), every time below then being exact, or arrive
 * at a constant rate (or Poisson, where only invariants are checked).
 *
 * Statistical checks derive their standard error (SE) from the run's own
 * size (the formulas are next to each check) and allow 4 SE: a correct model
 * fails one of them with probability about 6e-5 (normal tails; the counts
 * are in the thousands to the hundred thousands), and the seed is fixed, so a
 * pass is reproducible. Over seeds 1..100 the studentised errors
 * (measured - theory) / SE of the five checks had means within 0.15 of 0 and
 * standard deviations 0.95 to 1.07, as N(0, 1) would: the SEs are right, not
 * loose. Everything else is exact: single requests at chosen times, or
 * callees that fail every attempt. The whole binary runs in about 0.1 s
 * (0.3 s under ASan+UBSan).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/policy.h"
#include "models/world.h"
#include "sim/kernel/sim_trace.h"
#include "tests/support/tworld.h"

#define MS SIM_MS
#define S  SIM_S
enum { F, B, C };

static struct site *site(const struct world *w)
{
    return w->svcs[F].eps[0].sites[0];
}
static const struct edge_metrics *edge(const struct world *w)
{
    return site(w)->m;
}
static struct policy *policy(const struct world *w)
{
    return site(w)->policy;
}

/* n requests from end users of load `load` at time `at`. */
static void send_n(struct world *w, int load, sim_time at, int n)
{
    for (int i = 0; i < n; i++)
        tw_send(w, load, at);
}

static void finish(struct world *w, struct sim *sim, struct world_config *c)
{
    tw_destroy(w, sim);
    world_config_fini(c);
}

/* ---- retry amplification against theory -------------------------------------
 *
 * A call retried up to n times is a sequence of blocks: block i is one
 * attempt at the layer below, which makes C_i attempts at the callee and
 * fails (F_i = 1) or succeeds. The blocks are i.i.d. (every attempt at the
 * callee draws its error from its own uniform, independent of every other),
 * and the next block is made only while the previous ones failed, so with T_j
 * the callee attempts of a call that has j blocks left,
 *     T_1 = C,   T_j = C + F T'_{j-1}   (T' an independent copy),   F_j = F F'_{j-1}.
 * Taking expectations, with (C, F) independent of T':
 *     E[T_j]     = E[C] + q E[T_{j-1}]                                  (q = E[F])
 *     E[T_j^2]   = E[C^2] + 2 E[C F] E[T_{j-1}] + q E[T_{j-1}^2]      (F^2 = F)
 *     E[T_j F_j] = E[C F] q^{j-1} + q E[T_{j-1} F_{j-1}],   E[F_j] = q^j.
 * The retried call is itself a block for the layer above (C = T_n, F = F_n),
 * so layers compose. One attempt at the callee is the block C = 1, F ~
 * Bernoulli(p): one layer gives E[T] = 1 + p + ... + p^{n-1} and a failure
 * share p^n. Two layers (n_a outer attempts of n_b inner ones) give E[T] =
 * E[outer attempts] * E[inner block], Wald's identity, although the outer
 * count and the inner blocks are not independent (a block that failed made
 * n_b attempts): the number of blocks is a stopping time of the block
 * sequence.
 *
 * Over N independent calls the mean attempts per call has SE =
 * sqrt((E[T^2] - E[T]^2) / N) and the failure share SE = sqrt(q (1 - q) / N). */
struct block {
    double c1, c2, cf, q; /* E[C], E[C^2], E[C F], E[F] */
};

static struct block retried(struct block b, int n)
{
    struct block t = b;
    for (int j = 2; j <= n; j++) {
        struct block prev = t;
        t.c1 = b.c1 + b.q * prev.c1;
        t.c2 = b.c2 + 2 * b.cf * prev.c1 + b.q * prev.c2;
        t.cf = b.cf * prev.q + b.q * prev.cf;
        t.q = b.q * prev.q;
    }
    return t;
}

static struct block one_attempt(double p)
{
    return (struct block){1, 1, p, p};
}

/* |measured - theory| <= 4 SE, and print both. */
static void check_4se(const char *what, double measured, double theory, double se)
{
    print_message("%s: %.5f, theory %.5f, 4 SE = %.5f\n", what, measured, theory, 4 * se);
    assert_true(fabs(measured - theory) <= 4 * se);
}

static void test_retry_amplification_matches_theory(void **state)
{
    (void)state;
    const double p = 0.3;
    const int n = 4;
    /* 20000 calls per second for 5 s (constant arrivals: the errors are the
     * only randomness), every call over by 6 s */
    struct world_config c;
    tw_front_back(&c, 0, 0, 0.001);
    c.duration = 6 * S;
    tw_ep(&c, B, 0)->error_rate = p;
    tw_retry(&c, 0, n, BACKOFF_NONE, 0, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_ERROR));
    int u = 0;
    c.loads[u].constant = true;
    tw_rate(&c, u, 0, 20000, 0);
    tw_rate(&c, u, 5 * S, 0, 0);
    struct sim *sim;
    struct world *w = tw_run(&c, 7, 0, &sim);
    const struct edge_metrics *m = edge(w);
    const struct load_metrics *l = &w->loads[u].m;
    double calls = (double)l->sent;
    assert_int_equal(l->sent, 100000);
    assert_int_equal(l->ok + l->failed, l->sent);
    assert_int_equal(m->attempts - m->retries, l->sent); /* one first try per call */
    assert_int_equal(w->svcs[B].m.arrived, m->attempts);
    /* every error but a call's last one was retried */
    assert_int_equal(m->errors, m->retries + l->failed);

    struct block t = retried(one_attempt(p), n);
    assert_true(fabs(t.c1 - (1 + p + p * p + p * p * p)) < 1e-12);
    assert_true(fabs(t.q - pow(p, n)) < 1e-15);
    check_4se("attempts per call", (double)m->attempts / calls, t.c1,
              sqrt((t.c2 - t.c1 * t.c1) / calls));
    check_4se("failure share", (double)l->failed / calls, t.q, sqrt(t.q * (1 - t.q) / calls));
    finish(w, sim, &c);
}

static void test_layered_retries_multiply(void **state)
{
    (void)state;
    const double p = 0.5;
    const int na = 3, nb = 3;
    /* end users -> f.e -> b.e -> c.e, retried at both layers on errors; c
     * fails with probability p, b fails when its call does */
    struct world_config c;
    tw_init(&c, 6 * S);
    tw_service(&c, "f", 0, -1);
    tw_service(&c, "b", 0, -1);
    tw_service(&c, "c", 0, -1);
    int fe = tw_endpoint(&c, F, "e");
    int be = tw_endpoint(&c, B, "e");
    int ce = tw_endpoint(&c, C, "e");
    tw_work(&c, C, ce, tw_const(0.001));
    tw_ep(&c, C, ce)->error_rate = p;
    int pa = tw_policy(&c, "outer", 0);
    int pb = tw_policy(&c, "inner", 0);
    tw_retry(&c, pa, na, BACKOFF_NONE, 0, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_ERROR));
    tw_retry(&c, pb, nb, BACKOFF_NONE, 0, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_ERROR));
    tw_call(&c, F, fe, B, be, pa, false);
    tw_call(&c, B, be, C, ce, pb, false);
    int u = tw_load(&c, "u", F, fe, 20000, true);
    tw_rate(&c, u, 5 * S, 0, 0);
    struct sim *sim;
    struct world *w = tw_run(&c, 11, 0, &sim);
    const struct load_metrics *l = &w->loads[u].m;
    const struct edge_metrics *fb = w->svcs[F].eps[0].sites[0]->m;
    const struct edge_metrics *bc = w->svcs[B].eps[0].sites[0]->m;
    double calls = (double)l->sent;
    assert_int_equal(l->sent, 100000);
    assert_int_equal(l->ok + l->failed, l->sent);
    assert_int_equal(fb->attempts - fb->retries, l->sent);

    struct block inner = retried(one_attempt(p), nb);
    struct block outer = retried(one_attempt(inner.q), na);   /* attempts at b */
    struct block both = retried(inner, na);                   /* attempts at c */
    assert_true(fabs(both.c1 - outer.c1 * inner.c1) < 1e-12); /* Wald */
    check_4se("attempts at b per call", (double)fb->attempts / calls, outer.c1,
              sqrt((outer.c2 - outer.c1 * outer.c1) / calls));
    check_4se("attempts at c per call", (double)bc->attempts / calls, both.c1,
              sqrt((both.c2 - both.c1 * both.c1) / calls));
    check_4se("failure share", (double)l->failed / calls, both.q,
              sqrt(both.q * (1 - both.q) / calls));
    finish(w, sim, &c);
}

/* ---- breakers in the call path ----------------------------------------------- */

#define TRACE_MAX 32
struct trace_log {
    const char *prefix; /* the lines kept */
    int n;
    struct {
        sim_time at;
        enum sim_trace_level level;
        char who[32];
        char msg[256];
    } line[TRACE_MAX];
};

/* Keeps the timeline lines that start with t->prefix. */
static void keep_lines(void *ctx, sim_time at, enum sim_trace_level level, const char *who,
                       const char *msg)
{
    struct trace_log *t = ctx;
    if (strncmp(msg, t->prefix, strlen(t->prefix)) != 0) return;
    assert_true(t->n < TRACE_MAX);
    t->line[t->n].at = at;
    t->line[t->n].level = level;
    snprintf(t->line[t->n].who, sizeof t->line[t->n].who, "%s", who);
    snprintf(t->line[t->n].msg, sizeof t->line[t->n].msg, "%s", msg);
    t->n++;
}

/* Line i was written at `at` by f, the caller, and reads `msg`. */
static void assert_line(const struct trace_log *t, int i, sim_time at, enum sim_trace_level level,
                        const char *msg)
{
    assert_true(i < t->n);
    assert_int_equal(t->line[i].at, at);
    assert_int_equal(t->line[i].level, level);
    assert_string_equal(t->line[i].who, "f");
    assert_string_equal(t->line[i].msg, msg);
}

/* b fails everything until 8 s (an errors fault), in 10 ms; a consecutive
 * breaker with threshold 3, recovery 5 s and 2 half-open calls. */
static void test_a_breaker_short_circuits_until_recovery_then_lets_n_trials_through(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 0, 0, 0.010);
    tw_breaker_consecutive(&c, 0, 3, 5 * S, 2);
    tw_flt(&c, tw_fault(&c, FAULT_ERRORS, B, 0, 8 * S))->rate = 1.0;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    struct trace_log log = {.prefix = "breaker "};
    sim_trace_set(sim, keep_lines, &log);
    const struct service *b = &w->svcs[B];
    struct policy *p = policy(w);
    assert_ptr_equal(w->edges[0].breaker, p);

    /* three failures, answered at 1.01, 1.03, 1.05: open at 1.05 */
    tw_send(w, 0, 1000 * MS);
    tw_send(w, 0, 1020 * MS);
    tw_send(w, 0, 1040 * MS);
    sim_run_until(sim, 1049 * MS);
    assert_int_equal(p->breaker.state, BREAKER_CLOSED);
    sim_run_until(sim, 1050 * MS);
    assert_int_equal(p->breaker.state, BREAKER_OPEN);
    assert_int_equal(p->opened, 1);
    assert_int_equal(p->open_since, 1050 * MS);
    /* open: ten calls short-circuited, b sees none, the caller fails at once */
    for (int i = 0; i < 10; i++)
        tw_send(w, 0, 1500 * MS + i * 500 * MS);
    tw_send(w, 0, 6050 * MS); /* not strictly after the recovery timeout */
    sim_run_until(sim, 6400 * MS);
    assert_int_equal(edge(w)->short_circuited, 11);
    assert_int_equal(edge(w)->errors, 3);
    assert_int_equal(b->m.arrived, 3);
    assert_int_equal(w->loads[0].m.failed, 14);
    assert_int_equal(w->loads[0].m.latency.max, 10 * MS);
    /* a burst of 5 after it: 2 trials reach b, 3 short-circuited */
    send_n(w, 0, 6500 * MS, 5);
    sim_run_until(sim, 6505 * MS);
    assert_int_equal(p->breaker.state, BREAKER_HALF_OPEN);
    assert_int_equal(b->m.arrived, 5);
    assert_int_equal(b->busy, 2);
    assert_int_equal(edge(w)->short_circuited, 14);
    /* the trials fail at 6.51: open again, for another 5 s */
    sim_run_until(sim, 6510 * MS);
    assert_int_equal(p->breaker.state, BREAKER_OPEN);
    tw_send(w, 0, 7 * S);
    /* the fault is over at 8 s; at 11.6 two trials succeed and close it */
    send_n(w, 0, 11600 * MS, 5);
    tw_send(w, 0, 12 * S);
    sim_run_until(sim, 20 * S);
    world_finish(w);
    assert_int_equal(p->breaker.state, BREAKER_CLOSED);
    assert_int_equal(b->m.arrived, 8);
    const struct edge_metrics *m = edge(w);
    assert_int_equal(m->attempts, 26);
    assert_int_equal(m->short_circuited, 18);
    assert_int_equal(m->errors, 5);
    assert_int_equal(m->ok, 3);
    assert_int_equal(w->loads[0].m.ok, 3);
    assert_int_equal(w->loads[0].m.failed, 23);
    /* one trip from CLOSED (a failed trial is not another), open 1.05 .. 11.61 */
    assert_int_equal(p->opened, 1);
    assert_int_equal(p->open_ns, 11610 * MS - 1050 * MS);
    assert_int_equal(p->open_since, -1);
    /* one timeline line per transition, OPEN as a warning */
    assert_int_equal(log.n, 5);
    /* (the wording is README.md's "Timeline and metrics") */
    assert_line(&log, 0, 1050 * MS, SIM_TRACE_WARN,
                "breaker to b (p) OPEN: 3 consecutive failures");
    assert_line(&log, 1, 6500 * MS, SIM_TRACE_INFO,
                "breaker to b (p) HALF_OPEN: open for more than 5s");
    assert_line(&log, 2, 6510 * MS, SIM_TRACE_WARN, "breaker to b (p) OPEN: trial call failed");
    assert_line(&log, 3, 11600 * MS, SIM_TRACE_INFO,
                "breaker to b (p) HALF_OPEN: open for more than 5s");
    assert_line(&log, 4, 11610 * MS, SIM_TRACE_INFO,
                "breaker to b (p) CLOSED: 2/2 trial calls succeeded");
    finish(w, sim, &c);
}

/* The breaker's metrics count after the warm-up (5 s): a trip during it is
 * not an `opened`, and only the open time after it counts. */
static void test_breaker_metrics_start_at_the_end_of_the_warmup(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 0, 0, 0.010);
    c.warmup = 5 * S;
    tw_breaker_consecutive(&c, 0, 3, 10 * S, 2);
    tw_flt(&c, tw_fault(&c, FAULT_ERRORS, B, 0, 8 * S))->rate = 1.0;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    struct policy *p = policy(w);
    send_n(w, 0, 1 * S, 3);      /* open at 1.01 */
    send_n(w, 0, 11500 * MS, 2); /* trials succeed at 11.51: closed */
    tw_send(w, 0, 20 * S);
    sim_run_until(sim, 30 * S);
    world_finish(w);
    assert_int_equal(p->breaker.state, BREAKER_CLOSED);
    assert_int_equal(p->opened, 0);
    assert_int_equal(p->open_ns, 11510 * MS - 5 * S);
    /* the warm-up's calls are not in the edge's metrics either */
    assert_int_equal(edge(w)->errors, 0);
    assert_int_equal(edge(w)->attempts, 3);
    assert_int_equal(edge(w)->ok, 3);
    finish(w, sim, &c);
}

/* f.good -> b.good and f.bad -> b.bad (which always fails) through the same
 * policy: one instance, one breaker for the dependency b. Load 0 sends to
 * f.good, load 1 to f.bad; b works 10 ms. */
static void two_endpoint_world(struct world_config *c)
{
    tw_init(c, 60 * S);
    tw_service(c, "f", 0, -1);
    tw_service(c, "b", 0, -1);
    int fg = tw_endpoint(c, F, "good");
    int fb = tw_endpoint(c, F, "bad");
    int bg = tw_endpoint(c, B, "good");
    int bb = tw_endpoint(c, B, "bad");
    tw_work(c, B, bg, tw_const(0.010));
    tw_work(c, B, bb, tw_const(0.010));
    tw_ep(c, B, bb)->error_rate = 1.0;
    int pol = tw_policy(c, "p", 0);
    tw_breaker_sliding(c, pol, WINDOW_COUNT, 10, 5, 0.5, 5 * S, 2);
    tw_call(c, F, fg, B, bg, pol, false);
    tw_call(c, F, fb, B, bb, pol, false);
    tw_load(c, "good", F, fg, 0, false);
    tw_load(c, "bad", F, fb, 0, false);
}

static void test_a_sliding_breaker_opens_on_the_failure_rate_once_min_calls_are_in(void **state)
{
    (void)state;
    enum { GOOD, BAD };
    struct world_config c;
    struct sim *sim;
    /* four failures are 100% but below min_calls 5; a success makes five
     * calls at 80% and opens it */
    two_endpoint_world(&c);
    struct world *w = tw_start(&c, 1, 0, &sim);
    struct policy *p = w->svcs[F].eps[0].sites[0]->policy;
    assert_ptr_equal(w->svcs[F].eps[1].sites[0]->policy, p);
    for (int i = 0; i < 4; i++)
        tw_send(w, BAD, 1000 * MS + i * 100 * MS);
    sim_run_until(sim, 1390 * MS);
    assert_int_equal(p->breaker.state, BREAKER_CLOSED);
    tw_send(w, GOOD, 1400 * MS);
    sim_run_until(sim, 1410 * MS);
    assert_int_equal(p->breaker.state, BREAKER_OPEN);
    assert_int_equal(p->opened, 1);
    tw_send(w, BAD, 1500 * MS);
    tw_send(w, GOOD, 1500 * MS);
    sim_run_until(sim, 2 * S);
    assert_int_equal(w->svcs[B].m.arrived, 5);
    assert_int_equal(w->svcs[F].eps[1].sites[0]->m->short_circuited, 1);
    assert_int_equal(w->svcs[F].eps[0].sites[0]->m->short_circuited, 1);
    finish(w, sim, &c);

    /* 3 successes and 2 failures are 40% over 5 calls: closed; a third
     * failure makes 50% over 6, >= the rate: open */
    two_endpoint_world(&c);
    w = tw_start(&c, 1, 0, &sim);
    p = w->svcs[F].eps[0].sites[0]->policy;
    for (int i = 0; i < 3; i++)
        tw_send(w, GOOD, 1000 * MS + i * 100 * MS);
    tw_send(w, BAD, 1300 * MS);
    tw_send(w, BAD, 1400 * MS);
    sim_run_until(sim, 1490 * MS);
    assert_int_equal(p->breaker.state, BREAKER_CLOSED);
    assert_int_equal(p->breaker.calls, 5);
    assert_int_equal(p->breaker.failed, 2);
    tw_send(w, BAD, 1500 * MS);
    sim_run_until(sim, 1510 * MS);
    assert_int_equal(p->breaker.state, BREAKER_OPEN);
    tw_send(w, GOOD, 1600 * MS);
    sim_run_until(sim, 2 * S);
    assert_int_equal(w->svcs[B].m.arrived, 6);
    assert_int_equal(w->svcs[F].eps[0].sites[0]->m->short_circuited, 1);
    /* after open_for, two trial successes close it */
    tw_send(w, GOOD, 6600 * MS);
    tw_send(w, GOOD, 6700 * MS);
    sim_run_until(sim, 7 * S);
    world_finish(w);
    assert_int_equal(p->breaker.state, BREAKER_CLOSED);
    assert_int_equal(p->open_ns, 6710 * MS - 1510 * MS);
    finish(w, sim, &c);
}

/* The breaker measures each attempt: b answers in 150 ms, over slow_call
 * 100 ms, so four successes are four slow calls, 100% >= slow_rate 50%. */
static void test_a_sliding_breaker_opens_on_slow_calls_measured_by_the_call(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 0, 0, 0.150);
    tw_breaker_sliding(&c, 0, WINDOW_COUNT, 4, 4, 0.5, 5 * S, 1);
    tw_pol(&c, 0)->breaker.slow_rate = 0.5;
    tw_pol(&c, 0)->breaker.slow_call = 100 * MS;
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    struct policy *p = policy(w);
    for (int i = 0; i < 5; i++)
        tw_send(w, 0, (1 + i) * S);
    sim_run_until(sim, 3500 * MS);
    assert_int_equal(p->breaker.state, BREAKER_CLOSED);
    assert_int_equal(p->breaker.slow, 3);
    sim_run_until(sim, 4150 * MS);
    assert_int_equal(p->breaker.state, BREAKER_OPEN);
    sim_run_until(sim, 6 * S);
    assert_int_equal(edge(w)->ok, 4);
    assert_int_equal(edge(w)->short_circuited, 1);
    finish(w, sim, &c);
}

/* ---- bulkheads ---------------------------------------------------------------- */

/* Poisson end users at 40/s on b's work of mean 0.1 s would keep 4 calls in
 * flight; a semaphore of 3 without wait caps them at 3 and rejects the rest. */
static void test_a_semaphore_bulkhead_caps_concurrency_at_the_callee(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 0, 0, 0.1);
    c.duration = 30 * S;
    sim_dist_fini(&tw_ep(&c, B, 0)->steps[0].dist);
    tw_ep(&c, B, 0)->steps[0].dist = tw_exp(0.1);
    tw_bulkhead_semaphore(&c, 0, 3, 0);
    tw_rate(&c, 0, 0, 40, 0);
    struct sim *sim;
    struct world *w = tw_start(&c, 3, 0, &sim);
    const struct service *b = &w->svcs[B];
    struct bulkhead *bh = &policy(w)->bulkhead;
    int most = 0;
    for (sim_time t = 0; t <= c.duration; t += 5 * MS) {
        sim_run_until(sim, t);
        bulkhead_check(bh);
        assert_int_equal(bh->nwaiters, 0);
        assert_int_equal(b->busy, bh->in_use); /* no orphans: a permit is a callee request */
        if (b->busy > most) most = b->busy;
    }
    world_finish(w);
    const struct edge_metrics *m = edge(w);
    assert_int_equal(most, 3);
    assert_int_equal(b->iv_peak, 3); /* the most ever in use, every instant included */
    assert_true(b->m.busy.max <= 3);
    assert_true(m->bulkhead_rejected > 0);
    assert_int_equal(m->attempts, m->ok + m->bulkhead_rejected + (uint64_t)bh->in_use);
    assert_int_equal(b->m.arrived, m->attempts - m->bulkhead_rejected);
    assert_int_equal(w->loads[0].m.failed, m->bulkhead_rejected);
    finish(w, sim, &c);
}

static void test_a_semaphore_without_wait_rejects_at_once(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 0, 0, 1.0);
    tw_bulkhead_semaphore(&c, 0, 3, 0);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    struct trace_log log = {.prefix = "bulkhead "};
    sim_trace_set(sim, keep_lines, &log);
    send_n(w, 0, 1 * S, 4);
    send_n(w, 0, 1500 * MS, 2); /* the same episode: no second line */
    sim_run_until(sim, 1500 * MS);
    assert_int_equal(log.n, 1);
    assert_line(&log, 0, 1 * S, SIM_TRACE_WARN,
                "bulkhead to b (p) full (semaphore: 3/3 in use): calls rejected");
    assert_int_equal(edge(w)->bulkhead_rejected, 3);
    assert_int_equal(w->loads[0].m.failed, 3);
    assert_int_equal(w->loads[0].m.latency.max, 0);
    assert_int_equal(w->svcs[B].busy, 3);
    sim_run_until(sim, 3 * S);
    assert_int_equal(edge(w)->ok, 3);
    assert_int_equal(policy(w)->bulkhead.in_use, 0);
    finish(w, sim, &c);
}

/* Four end-user loads send one request each, to tell their latencies apart. */
static void test_semaphore_waiters_get_the_permit_in_order_or_give_up_after_max_wait(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 0, 0, 0.2);
    tw_bulkhead_semaphore(&c, 0, 1, 500 * MS);
    for (int i = 1; i < 4; i++)
        tw_load(&c, i == 1 ? "u1" : i == 2 ? "u2" : "u3", F, 0, 0, false);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    for (int i = 0; i < 4; i++)
        tw_send(w, i, 1000 * MS + i * 10 * MS);
    sim_run_until(sim, 1100 * MS);
    assert_int_equal(policy(w)->bulkhead.nwaiters, 3);
    assert_int_equal(w->svcs[F].blocked, 4); /* waiting for a permit blocks the thread */
    sim_run_until(sim, 3 * S);
    /* 0 runs 1.0-1.2, 1 1.2-1.4, 2 1.4-1.6; 3 gives up at 1.53 */
    assert_int_equal(w->loads[0].m.latency.max, 200 * MS);
    assert_int_equal(w->loads[1].m.latency.max, 390 * MS);
    assert_int_equal(w->loads[2].m.latency.max, 580 * MS);
    assert_int_equal(w->loads[3].m.latency.max, 500 * MS);
    assert_int_equal(w->loads[3].m.failed, 1);
    assert_int_equal(edge(w)->ok, 3);
    assert_int_equal(edge(w)->bulkhead_rejected, 1);
    assert_int_equal(w->svcs[B].m.arrived, 3);
    assert_int_equal(w->svcs[B].m.waited, 0); /* the queueing happened at the client */
    assert_int_equal(tw_calls_live(w), 0);
    finish(w, sim, &c);
}

/* b works 1 s; the caller's timeout is 100 ms; one permit. */
static void test_an_orphan_keeps_its_permit_unless_the_timeout_cancels_it(void **state)
{
    (void)state;
    for (int cancel = 0; cancel <= 1; cancel++) {
        struct world_config c;
        tw_front_back(&c, 100 * MS, 0, 1.0);
        tw_bulkhead_semaphore(&c, 0, 1, 0);
        tw_pol(&c, 0)->cancel_on_timeout = cancel;
        struct sim *sim;
        struct world *w = tw_start(&c, 1, 0, &sim);
        struct bulkhead *bh = &policy(w)->bulkhead;
        tw_send(w, 0, 1000 * MS); /* times out at 1.1; its work would end at 2.0 */
        tw_send(w, 0, 1500 * MS);
        tw_send(w, 0, 2100 * MS);
        sim_run_until(sim, 1300 * MS);
        assert_int_equal(edge(w)->timeouts, 1);
        assert_int_equal(bh->in_use, cancel ? 0 : 1);
        sim_run_until(sim, 1500 * MS);
        if (cancel) {
            /* the permit came back at the timeout: 1.5 is let through */
            assert_int_equal(edge(w)->bulkhead_rejected, 0);
            assert_int_equal(w->svcs[B].m.arrived, 2);
        } else {
            /* the orphan still runs: 1.5 is rejected */
            assert_int_equal(edge(w)->bulkhead_rejected, 1);
            assert_int_equal(w->svcs[B].m.arrived, 1);
            assert_int_equal(w->svcs[B].busy, 1);
        }
        /* by 2.1 the permit is free either way (the orphan ended at 2.0, or
         * 1.5's attempt was cancelled at 1.6) */
        sim_run_until(sim, 2100 * MS);
        assert_int_equal(w->svcs[B].m.arrived, cancel ? 3 : 2);
        sim_run_until(sim, 5 * S);
        assert_int_equal(bh->in_use, 0);
        assert_int_equal(w->reqs.live, 0);
        assert_int_equal(edge(w)->bulkhead_rejected, cancel ? 0 : 1);
        finish(w, sim, &c);
    }
}

static void test_a_threadpool_bulkhead_queues_then_rejects_when_the_queue_is_full(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 0, 0, 1.0);
    tw_bulkhead_threadpool(&c, 0, 2, 1);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    struct bulkhead *bh = &policy(w)->bulkhead;
    send_n(w, 0, 1 * S, 4);
    sim_run_until(sim, 1500 * MS);
    assert_int_equal(bh->in_use, 2);
    assert_int_equal(bh->nwaiters, 1);
    assert_int_equal(edge(w)->bulkhead_rejected, 1);
    assert_int_equal(w->svcs[B].busy, 2);
    /* the queued call runs when a thread frees at 2.0, however long it waited */
    sim_run_until(sim, 2 * S);
    assert_int_equal(w->svcs[B].m.arrived, 3);
    assert_int_equal(bh->nwaiters, 0);
    sim_run_until(sim, 5 * S);
    assert_int_equal(edge(w)->ok, 3);
    assert_int_equal(w->loads[0].m.latency.max, 2 * S);
    assert_int_equal(w->svcs[B].iv_peak, 2);
    assert_int_equal(bh->in_use, 0);
    finish(w, sim, &c);
}

/* A caller's timeout while queued in the bulkhead ends the wait. */
static void test_a_timeout_takes_a_call_out_of_the_bulkhead_queue(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 500 * MS, 0, 0.3);
    tw_bulkhead_threadpool(&c, 0, 1, 5);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    struct bulkhead *bh = &policy(w)->bulkhead;
    send_n(w, 0, 1 * S, 3); /* one runs 1.0-1.3, one 1.3-1.6 (times out at 1.5), one waits */
    sim_run_until(sim, 1500 * MS);
    assert_int_equal(edge(w)->ok, 1);
    assert_int_equal(edge(w)->timeouts, 2);
    assert_int_equal(bh->nwaiters, 0);
    assert_int_equal(bh->in_use, 1); /* the orphan of the second */
    sim_run_until(sim, 2 * S);
    assert_int_equal(w->svcs[B].m.arrived, 2);
    assert_int_equal(bh->in_use, 0);
    assert_int_equal(tw_calls_live(w), 0);
    finish(w, sim, &c);
}

/* The breaker does not count the bulkhead's local rejections. */
static void test_bulkhead_rejections_do_not_trip_the_breaker(void **state)
{
    (void)state;
    struct world_config c;
    tw_front_back(&c, 0, 0, 1.0);
    tw_bulkhead_semaphore(&c, 0, 1, 0);
    tw_breaker_consecutive(&c, 0, 2, 5 * S, 1);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    send_n(w, 0, 1 * S, 5);
    sim_run_until(sim, 3 * S);
    assert_int_equal(edge(w)->bulkhead_rejected, 4);
    assert_int_equal(edge(w)->ok, 1);
    assert_int_equal(policy(w)->breaker.state, BREAKER_CLOSED);
    assert_int_equal(policy(w)->breaker.failures, 0);
    finish(w, sim, &c);
}

/* ---- fallback --------------------------------------------------------------- */

/* b fails in 10 ms; the fallback answers 50 ms after the failure. */
static void fallback_world(struct world_config *c, enum fallback_kind kind)
{
    tw_front_back(c, 0, 0, 0.010);
    tw_ep(c, B, 0)->error_rate = 1.0;
    tw_fallback(c, 0, kind, 50 * MS);
}

static void test_a_fallback_value_turns_a_failure_into_a_late_success(void **state)
{
    (void)state;
    struct world_config c;
    fallback_world(&c, FALLBACK_VALUE);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * S);
    sim_run_until(sim, 1059 * MS);
    assert_int_equal(edge(w)->fallbacks, 1);
    assert_int_equal(w->svcs[F].blocked, 1); /* the fallback's latency holds the thread */
    assert_int_equal(w->loads[0].m.ok, 0);
    sim_run_until(sim, 2 * S);
    assert_int_equal(edge(w)->errors, 1);
    assert_int_equal(edge(w)->fallbacks, 1);
    assert_int_equal(w->svcs[F].m.completed, 1);
    assert_int_equal(w->svcs[F].m.failed, 0);
    assert_int_equal(w->loads[0].m.ok, 1);
    assert_int_equal(w->loads[0].m.latency.max, 60 * MS);
    finish(w, sim, &c);
}

static void test_a_fallback_fail_still_fails_after_its_latency(void **state)
{
    (void)state;
    struct world_config c;
    fallback_world(&c, FALLBACK_FAIL);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * S);
    sim_run_until(sim, 2 * S);
    assert_int_equal(edge(w)->fallbacks, 1);
    assert_int_equal(w->svcs[F].m.failed, 1);
    assert_int_equal(w->loads[0].m.failed, 1);
    assert_int_equal(w->loads[0].m.latency.max, 60 * MS);
    finish(w, sim, &c);
}

static void test_the_fallback_comes_after_the_last_retry_and_covers_short_circuits(void **state)
{
    (void)state;
    struct world_config c;
    fallback_world(&c, FALLBACK_VALUE);
    tw_retry(&c, 0, 3, BACKOFF_NONE, 0, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_ERROR));
    tw_breaker_consecutive(&c, 0, 3, 10 * S, 1);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, 0, 1 * S); /* three failed attempts trip the breaker, then the fallback */
    tw_send(w, 0, 2 * S); /* short-circuited, then the fallback at once */
    sim_run_until(sim, 3 * S);
    const struct edge_metrics *m = edge(w);
    assert_int_equal(m->errors, 3);
    assert_int_equal(m->short_circuited, 1); /* not retried: not in `on` */
    assert_int_equal(m->retries, 2);
    assert_int_equal(m->fallbacks, 2);
    assert_int_equal(w->loads[0].m.ok, 2);
    assert_int_equal(w->loads[0].m.latency.max, 80 * MS); /* 3 x 10 ms + 50 ms */
    assert_true(w->loads[0].m.latency.sum == (double)(80 * MS + 50 * MS));
    assert_int_equal(w->svcs[B].m.arrived, 3);
    finish(w, sim, &c);
}

/* ---- throttle ----------------------------------------------------------------- */

/* Against a callee that refuses everything (crashed), nothing is ever
 * accepted, so request i is rejected with p_i = R_i / (R_i + 1), R_i the
 * requests already in the window. With constant arrivals every 50 ms from
 * 50 ms (load.c: the first arrival is one interval after t = 0) and a 2 s
 * window of 20 buckets of 100 ms, R_i counts the earlier arrivals whose bucket
 * is within 19 of its own: 38 or 39 in steady state, p ~ 0.975. The coins are
 * independent, so the number throttled has mean sum p_i and variance
 * sum p_i (1 - p_i); the share's SE is sqrt(that) / N. */
static void
test_the_throttle_rejects_locally_as_the_formula_says_when_nothing_is_accepted(void **state)
{
    (void)state;
    const double rate = 20;
    const sim_time T = 500 * S, window = 2 * S, gap = 50 * MS;
    struct world_config c;
    tw_front_back(&c, 0, 0, 0.010);
    c.duration = T;
    tw_throttle(&c, 0, 2.0, window);
    tw_fault(&c, FAULT_CRASH, B, 0, SIM_TIME_MAX); /* refuses */
    tw_load(&c, "steady", F, 0, rate, true);
    struct sim *sim;
    struct world *w = tw_run(&c, 5, 0, &sim);
    const struct edge_metrics *m = edge(w);
    int64_t n = (int64_t)(T / gap);
    assert_int_equal(w->loads[1].m.sent, n);
    assert_int_equal(m->attempts, n);
    assert_int_equal(m->throttled + m->rejected, n);
    assert_int_equal(w->svcs[B].m.arrived, 0);

    const sim_time width = window / LIMIT_BUCKETS;
    double mean = 0, var = 0;
    for (int64_t i = 1; i <= n; i++) {
        int64_t bucket = i * gap / width, r = 0;
        for (int64_t j = i - 1; j >= 1 && j * gap / width > bucket - LIMIT_BUCKETS; j--)
            r++;
        double p = (double)r / (double)(r + 1);
        mean += p;
        var += p * (1 - p);
    }
    check_4se("throttled share", (double)m->throttled / (double)n, mean / (double)n,
              sqrt(var) / (double)n);
    finish(w, sim, &c);
}

/* A callee that answers, with successes or errors, is never throttled: with
 * every earlier request accepted (10 ms of work, 50 ms apart), requests - 2
 * accepts < 0. */
static void test_the_throttle_lets_everything_through_to_a_callee_that_answers(void **state)
{
    (void)state;
    for (int failing = 0; failing <= 1; failing++) {
        struct world_config c;
        tw_front_back(&c, 0, 0, 0.010);
        c.duration = 100 * S;
        tw_throttle(&c, 0, 2.0, 2 * S);
        tw_ep(&c, B, 0)->error_rate = failing ? 1.0 : 0;
        tw_load(&c, "steady", F, 0, 20, true);
        struct sim *sim;
        struct world *w = tw_run(&c, 5, 0, &sim);
        assert_int_equal(edge(w)->attempts, 2000);
        assert_int_equal(edge(w)->throttled, 0);
        /* the last, sent at 100 s, is still running */
        assert_int_equal(failing ? edge(w)->errors : edge(w)->ok, 1999);
        finish(w, sim, &c);
    }
}

/* ---- retry budget and bucket --------------------------------------------------- */

/* b fails every attempt in 1 ms; end users every 20 ms for 30 s, each call
 * asking for 3 retries at once: far more than any limit allows. */
static void limit_world(struct world_config *c)
{
    tw_front_back(c, 0, 0, 0.001);
    c->duration = 31 * S;
    tw_ep(c, B, 0)->error_rate = 1.0;
    tw_retry(c, 0, 4, BACKOFF_NONE, 0, 1, 0, JITTER_NONE, OUTCOME_BIT(OUTCOME_ERROR));
    int l = tw_load(c, "steady", F, 0, 50, true);
    tw_rate(c, l, 30 * S, 0, 0);
}

/* The budget: at the end of every 0.5 s bucket, the retries of the last 20
 * buckets (the window as the budget sees it) equal floor(0.1 * first tries in
 * them + 1/s * 10 s), counted from the edge's metrics: the cap, counting the
 * retry asked for, is reached and never passed. It is reached because each
 * bucket brings 25 calls that all ask at least once (up to 75 asks), more
 * than the room a bucket can free: the retries leaving with the oldest
 * bucket (at most 13) plus the 2.5 its own first tries add. Deterministic
 * (every attempt fails), so exact. */
static void test_a_retry_budget_caps_retries_at_its_allowance(void **state)
{
    (void)state;
    const double ratio = 0.1, min_per_s = 1;
    const sim_time window = 10 * S, width = window / LIMIT_BUCKETS;
    struct world_config c;
    limit_world(&c);
    tw_retry_budget(&c, 0, ratio, min_per_s, window);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    enum { K = 60 }; /* buckets in 30 s */
    int64_t firsts[K + 1] = {0}, retries[K + 1] = {0};
    for (int k = 1; k <= K; k++) {
        sim_run_until(sim, k * width - 1);
        firsts[k] = (int64_t)(edge(w)->attempts - edge(w)->retries);
        retries[k] = (int64_t)edge(w)->retries;
        int from = k > LIMIT_BUCKETS ? k - LIMIT_BUCKETS : 0;
        double allowed =
            ratio * (double)(firsts[k] - firsts[from]) + min_per_s * sim_time_to_s(window);
        assert_int_equal(retries[k] - retries[from], (int64_t)floor(allowed));
    }
    sim_run_until(sim, c.duration);
    world_finish(w);
    const struct edge_metrics *m = edge(w);
    uint64_t calls = w->loads[1].m.sent;
    assert_int_equal(calls, 1500);
    assert_int_equal(m->errors, m->attempts);
    assert_int_equal(w->loads[1].m.failed, calls);
    /* a call stops at its first refusal: at most one each, and every call
     * that was not refused made all 3 retries */
    assert_true(m->retries_denied <= calls);
    assert_true(calls - m->retries_denied <= m->retries / 3);
    print_message("budget: %llu retries for %llu calls, %llu denied\n",
                  (unsigned long long)m->retries, (unsigned long long)calls,
                  (unsigned long long)m->retries_denied);
    finish(w, sim, &c);
}

/* The bucket starts full at 20 and earns 0.5 per first try; a retry costs
 * 1. The first call's refill is lost to the cap (the bucket is full), every
 * later one is earned, and the run ends with less than one token left (the
 * last call was refused), so retries = 20 + 0.5 (N - 1) - tokens_left,
 * tokens_left in [0, 1). Calls 1-7 make their 3 retries (20 -> 17 -> 14.5 ->
 * 12 -> 9.5 -> 7 -> 4.5 -> 2, each +0.5 - 3), every later call is refused
 * exactly once. */
static void test_a_retry_bucket_caps_retries_at_the_tokens_earned(void **state)
{
    (void)state;
    struct world_config c;
    limit_world(&c);
    tw_retry_bucket(&c, 0, 20, 0.5, 1);
    struct sim *sim;
    struct world *w = tw_run(&c, 1, 0, &sim);
    const struct edge_metrics *m = edge(w);
    const struct retry_limit *lim = &policy(w)->limit;
    uint64_t calls = w->loads[1].m.sent;
    assert_int_equal(calls, 1500);
    assert_true(lim->tokens >= 0 && lim->tokens < 1);
    assert_true((double)m->retries == 20 + 0.5 * (double)(calls - 1) - lim->tokens);
    assert_int_equal(m->retries, (uint64_t)floor(19.5 + 0.5 * (double)calls));
    assert_int_equal(m->retries_denied, calls - 7);
    assert_int_equal(m->attempts, calls + m->retries);
    print_message("bucket: %llu retries for %llu calls, %llu denied\n",
                  (unsigned long long)m->retries, (unsigned long long)calls,
                  (unsigned long long)m->retries_denied);
    finish(w, sim, &c);
}

/* ---- every layer at once ---------------------------------------------------------- */

/* Every layer on random load, work and errors, through an overload (60 ->
 * 150 -> 60/s on 4 threads of 50 ms), a crash (refusing or hanging) with an
 * out-of-memory limit, and a pause; the end users stop at 60 s, so by 80 s
 * everything has drained. */
static void busy_world(struct world_config *c, bool threadpool, bool cancel, bool hang)
{
    tw_front_back(c, 150 * MS, 4, 0.05);
    c->duration = 80 * S;
    sim_dist_fini(&tw_ep(c, B, 0)->steps[0].dist);
    tw_ep(c, B, 0)->steps[0].dist = tw_exp(0.05);
    tw_ep(c, B, 0)->error_rate = 0.2;
    tw_svc(c, B)->queue = 20;
    tw_svc(c, B)->max_inflight = 40;
    tw_svc(c, B)->restart = 3 * S;
    tw_retry(c, 0, 3, BACKOFF_EXPONENTIAL, 10 * MS, 2, 200 * MS, JITTER_FULL,
             OUTCOME_BIT(OUTCOME_ERROR) | OUTCOME_BIT(OUTCOME_TIMEOUT) |
                 OUTCOME_BIT(OUTCOME_REJECTED) | OUTCOME_BIT(OUTCOME_BULKHEAD_FULL));
    tw_retry_budget(c, 0, 0.2, 5, 10 * S);
    tw_breaker_sliding(c, 0, WINDOW_TIME, 5, 20, 0.5, 2 * S, 3);
    if (threadpool)
        tw_bulkhead_threadpool(c, 0, 6, 4);
    else
        tw_bulkhead_semaphore(c, 0, 6, 20 * MS);
    tw_throttle(c, 0, 2.0, 5 * S);
    tw_fallback(c, 0, FALLBACK_VALUE, 5 * MS);
    tw_pol(c, 0)->cancel_on_timeout = cancel;
    tw_rate(c, 0, 0, 60, 0);
    tw_rate(c, 0, 10 * S, 150, 5 * S);
    tw_rate(c, 0, 20 * S, 60, 0);
    tw_rate(c, 0, 60 * S, 0, 0);
    tw_flt(c, tw_fault(c, FAULT_CRASH, B, 25 * S, 30 * S))->hang = hang;
    tw_fault(c, FAULT_PAUSE, B, 40 * S, 41 * S);
}

/* Permits, waiters, calls and requests all come back, whatever ends an
 * attempt (answer, timeout with or without cancel, crash, pause, bulkhead
 * wait, breaker, throttle, fallback); the invariants hold at every 7 ms. */
static void test_every_layer_at_once_drains_to_nothing(void **state)
{
    (void)state;
    for (int k = 0; k < 8; k++) {
        struct world_config c;
        busy_world(&c, k & 1, k & 2, k & 4);
        struct sim *sim;
        struct world *w = tw_start(&c, 100 + (uint64_t)k, 0, &sim);
        struct policy *p = policy(w);
        int most = 0;
        for (sim_time t = 0; t <= c.duration; t += 7 * MS) {
            sim_run_until(sim, t);
            bulkhead_check(&p->bulkhead);
            breaker_check(&p->breaker);
            if (p->bulkhead.in_use > most) most = p->bulkhead.in_use;
        }
        world_finish(w);
        const struct edge_metrics *m = edge(w);
        assert_int_equal(most, 6);
        assert_true(m->bulkhead_rejected > 0 && m->short_circuited > 0 && m->throttled > 0);
        assert_true(m->timeouts > 0 && m->fallbacks > 0 && m->retries_denied > 0);
        assert_int_equal(w->svcs[B].m.crashes, 1);
        assert_int_equal(p->bulkhead.in_use, 0);
        assert_int_equal(p->bulkhead.nwaiters, 0);
        assert_int_equal(tw_calls_live(w), 0);
        assert_int_equal(w->reqs.live, 0);
        /* every call ended once: the end users saw an outcome for each */
        assert_int_equal(w->loads[0].m.ok + w->loads[0].m.failed, w->loads[0].m.sent);
        assert_int_equal(m->attempts, w->loads[0].m.sent + m->retries);
        assert_int_equal(m->attempts, m->ok + m->errors + m->timeouts + m->rejected +
                                          m->short_circuited + m->bulkhead_rejected + m->throttled);
        finish(w, sim, &c);
    }
}

struct figures {
    struct edge_metrics edge;
    uint64_t opened, ok, failed, arrived;
    sim_time open_ns;
};

static struct figures busy_run(uint64_t seed)
{
    struct world_config c;
    busy_world(&c, false, false, false);
    struct sim *sim;
    struct world *w = tw_run(&c, seed, 0, &sim);
    struct figures f;
    memset(&f, 0, sizeof f);
    f.edge = *edge(w);
    f.opened = policy(w)->opened;
    f.open_ns = policy(w)->open_ns;
    f.ok = w->loads[0].m.ok;
    f.failed = w->loads[0].m.failed;
    f.arrived = w->svcs[B].m.arrived;
    finish(w, sim, &c);
    return f;
}

static void test_the_same_world_twice_gives_identical_policy_metrics(void **state)
{
    (void)state;
    struct figures a = busy_run(42), b = busy_run(42), d = busy_run(43);
    assert_memory_equal(&a, &b, sizeof a);
    /* the run exercised the layers it claims to */
    assert_true(a.edge.retries > 0 && a.edge.timeouts > 0 && a.edge.fallbacks > 0);
    assert_true(a.edge.attempts > 1000 && a.opened > 0);
    /* and a different seed is a different run */
    assert_true(memcmp(&a, &d, sizeof a) != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_amplification_matches_theory),
        cmocka_unit_test(test_layered_retries_multiply),
        cmocka_unit_test(test_a_breaker_short_circuits_until_recovery_then_lets_n_trials_through),
        cmocka_unit_test(test_breaker_metrics_start_at_the_end_of_the_warmup),
        cmocka_unit_test(test_a_sliding_breaker_opens_on_the_failure_rate_once_min_calls_are_in),
        cmocka_unit_test(test_a_sliding_breaker_opens_on_slow_calls_measured_by_the_call),
        cmocka_unit_test(test_a_semaphore_bulkhead_caps_concurrency_at_the_callee),
        cmocka_unit_test(test_a_semaphore_without_wait_rejects_at_once),
        cmocka_unit_test(test_semaphore_waiters_get_the_permit_in_order_or_give_up_after_max_wait),
        cmocka_unit_test(test_an_orphan_keeps_its_permit_unless_the_timeout_cancels_it),
        cmocka_unit_test(test_a_threadpool_bulkhead_queues_then_rejects_when_the_queue_is_full),
        cmocka_unit_test(test_a_timeout_takes_a_call_out_of_the_bulkhead_queue),
        cmocka_unit_test(test_bulkhead_rejections_do_not_trip_the_breaker),
        cmocka_unit_test(test_a_fallback_value_turns_a_failure_into_a_late_success),
        cmocka_unit_test(test_a_fallback_fail_still_fails_after_its_latency),
        cmocka_unit_test(test_the_fallback_comes_after_the_last_retry_and_covers_short_circuits),
        cmocka_unit_test(
            test_the_throttle_rejects_locally_as_the_formula_says_when_nothing_is_accepted),
        cmocka_unit_test(test_the_throttle_lets_everything_through_to_a_callee_that_answers),
        cmocka_unit_test(test_a_retry_budget_caps_retries_at_its_allowance),
        cmocka_unit_test(test_a_retry_bucket_caps_retries_at_the_tokens_earned),
        cmocka_unit_test(test_every_layer_at_once_drains_to_nothing),
        cmocka_unit_test(test_the_same_world_twice_gives_identical_policy_metrics),
    };
    return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
