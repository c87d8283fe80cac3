/* test_sim_event.c - the future-event list and the run loop: order, phases,
 * cancellation, run_until/stop, and a million random operations checked
 * against a brute-force reference. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/kernel/sim.h"
#include "tests/support/abort.h"

/* ---- helpers ------------------------------------------------------------ */

/* Records which events ran, in order, and when. */
struct log {
    int tags[64];
    sim_time at[64];
    int n;
};

static void log_fn(struct sim *sim, void *subject, void *object)
{
    struct log *l = subject;
    assert_true(l->n < 64);
    l->tags[l->n] = (int)(intptr_t)object;
    l->at[l->n] = sim_now(sim);
    l->n++;
}

static void *tag(int t)
{
    return (void *)(intptr_t)t;
}

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* ---- ordering ----------------------------------------------------------- */

static void test_equal_time_events_run_in_scheduling_order(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    for (int i = 0; i < 20; i++)
        sim_event_at(sim, 5 * SIM_S, log_fn, &l, tag(i));
    sim_event_at(sim, 1 * SIM_S, log_fn, &l, tag(100));
    sim_run_until(sim, 10 * SIM_S);
    assert_int_equal(l.n, 21);
    assert_int_equal(l.tags[0], 100);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(l.tags[i + 1], i);
        assert_true(l.at[i + 1] == 5 * SIM_S);
    }
    sim_destroy(sim);
}

static void test_events_run_in_time_order_whatever_the_scheduling_order(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    const int times[] = {7, 3, 9, 1, 4, 8, 2, 6, 5, 0};
    for (int i = 0; i < 10; i++)
        sim_event_at(sim, times[i] * SIM_MS, log_fn, &l, tag(times[i]));
    sim_run_until(sim, SIM_S);
    assert_int_equal(l.n, 10);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(l.tags[i], i);
        assert_true(l.at[i] == i * SIM_MS);
    }
    sim_destroy(sim);
}

static void schedule_now_fn(struct sim *sim, void *subject, void *object)
{
    struct log *l = subject;
    log_fn(sim, subject, object);
    sim_event_after(sim, 0, log_fn, l, tag(99));
}

static void test_event_scheduled_now_from_callback_runs_after_those_already_queued(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    sim_event_at(sim, SIM_S, schedule_now_fn, &l, tag(0));
    sim_event_at(sim, SIM_S, log_fn, &l, tag(1));
    sim_event_at(sim, SIM_S, log_fn, &l, tag(2));
    sim_event_at(sim, SIM_S + 1, log_fn, &l, tag(3));
    sim_run_until(sim, 2 * SIM_S);
    assert_int_equal(l.n, 5);
    const int want[] = {0, 1, 2, 99, 3};
    for (int i = 0; i < 5; i++)
        assert_int_equal(l.tags[i], want[i]);
    assert_true(l.at[3] == SIM_S);
    sim_destroy(sim);
}

static void test_observe_phase_runs_after_normal_phase_at_same_instant(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    /* The observer is scheduled first, and a normal event is added at the
     * same instant by a callback during that instant: both still precede it. */
    sim_event_at_phase(sim, SIM_S, SIM_PHASE_OBSERVE, log_fn, &l, tag(50));
    sim_event_at(sim, SIM_S, log_fn, &l, tag(1));
    sim_event_at(sim, SIM_S, schedule_now_fn, &l, tag(2));
    /* An observer at an earlier instant still runs before later normal events. */
    sim_event_at_phase(sim, SIM_S - 1, SIM_PHASE_OBSERVE, log_fn, &l, tag(40));
    sim_event_at(sim, SIM_S + 1, log_fn, &l, tag(3));
    sim_run_until(sim, 2 * SIM_S);
    const int want[] = {40, 1, 2, 99, 50, 3};
    assert_int_equal(l.n, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(l.tags[i], want[i]);
    sim_destroy(sim);
}

static void test_observe_events_at_same_instant_keep_scheduling_order(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    for (int i = 0; i < 5; i++)
        sim_event_at_phase(sim, SIM_S, SIM_PHASE_OBSERVE, log_fn, &l, tag(i));
    sim_event_at(sim, SIM_S, log_fn, &l, tag(10));
    sim_run_until(sim, SIM_S);
    const int want[] = {10, 0, 1, 2, 3, 4};
    assert_int_equal(l.n, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(l.tags[i], want[i]);
    sim_destroy(sim);
}

/* ---- cancellation and handles ------------------------------------------- */

static void test_cancel_of_pending_event_prevents_it_and_returns_true(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    sim_event_id a = sim_event_at(sim, SIM_S, log_fn, &l, tag(1));
    sim_event_id b = sim_event_at(sim, 2 * SIM_S, log_fn, &l, tag(2));
    sim_event_id c = sim_event_at(sim, 3 * SIM_S, log_fn, &l, tag(3));
    assert_true(sim_event_is_pending(sim, b));
    assert_true(sim_event_cancel(sim, b));
    assert_false(sim_event_is_pending(sim, b));
    assert_true(sim_event_is_pending(sim, a));
    assert_true(sim_event_is_pending(sim, c));
    assert_int_equal(sim_event_count(sim), 2);
    sim_run_until(sim, 10 * SIM_S);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.tags[0], 1);
    assert_int_equal(l.tags[1], 3);
    sim_destroy(sim);
}

static void test_cancel_of_already_run_event_returns_false(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    sim_event_id a = sim_event_at(sim, SIM_S, log_fn, &l, tag(1));
    sim_run_until(sim, 2 * SIM_S);
    assert_int_equal(l.n, 1);
    assert_false(sim_event_is_pending(sim, a));
    assert_false(sim_event_cancel(sim, a));
    /* The slot is reused by the next event; the stale id must not touch it. */
    sim_event_id b = sim_event_at(sim, 3 * SIM_S, log_fn, &l, tag(2));
    assert_true(b != a);
    assert_false(sim_event_cancel(sim, a));
    assert_true(sim_event_is_pending(sim, b));
    sim_run_until(sim, 4 * SIM_S);
    assert_int_equal(l.n, 2);
    sim_destroy(sim);
}

static void test_cancel_twice_returns_false_the_second_time(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    sim_event_id a = sim_event_at(sim, SIM_S, log_fn, &l, tag(1));
    sim_event_at(sim, SIM_S, log_fn, &l, tag(2));
    assert_true(sim_event_cancel(sim, a));
    assert_false(sim_event_cancel(sim, a));
    assert_int_equal(sim_event_count(sim), 1);
    sim_run_until(sim, SIM_S);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.tags[0], 2);
    sim_destroy(sim);
}

static void test_cancel_of_id_zero_or_unknown_id_returns_false(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    assert_false(sim_event_cancel(sim, 0));
    assert_false(sim_event_is_pending(sim, 0));
    sim_event_id a = sim_event_at(sim, SIM_S, log_fn, &l, tag(1));
    assert_false(sim_event_cancel(sim, 0));
    assert_false(sim_event_cancel(sim, a + 1));                   /* another slot */
    assert_false(sim_event_cancel(sim, a + ((uint64_t)1 << 32))); /* another generation */
    assert_false(sim_event_cancel(sim, UINT64_MAX));
    assert_true(sim_event_is_pending(sim, a));
    sim_destroy(sim);
}

static void test_ids_are_nonzero_and_distinct(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    enum { N = 1000 };
    static sim_event_id ids[N];
    for (int i = 0; i < N; i++) {
        ids[i] = sim_event_at(sim, (sim_time)i, log_fn, &l, tag(0));
        assert_true(ids[i] != 0);
    }
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            assert_true(ids[i] != ids[j]);
    /* Cancel and reschedule: reused slots get fresh ids. */
    for (int i = 0; i < N; i += 2) {
        assert_true(sim_event_cancel(sim, ids[i]));
        sim_event_id id = sim_event_at(sim, SIM_S, log_fn, &l, tag(0));
        assert_true(id != 0 && id != ids[i]);
        assert_false(sim_event_is_pending(sim, ids[i]));
    }
    sim_destroy(sim);
}

struct self {
    sim_event_id id;
    int seen_pending, cancel_result;
};

static void self_fn(struct sim *sim, void *subject, void *object)
{
    struct self *s = subject;
    (void)object;
    s->seen_pending = sim_event_is_pending(sim, s->id);
    s->cancel_result = sim_event_cancel(sim, s->id);
}

static void test_running_event_is_no_longer_pending_in_its_own_callback(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct self s = {0, -1, -1};
    s.id = sim_event_at(sim, SIM_S, self_fn, &s, NULL);
    sim_run_until(sim, SIM_S);
    assert_int_equal(s.seen_pending, 0);
    assert_int_equal(s.cancel_result, 0);
    sim_destroy(sim);
}

struct canceller {
    sim_event_id victim;
    int result;
};

static void cancel_fn(struct sim *sim, void *subject, void *object)
{
    struct canceller *c = subject;
    (void)object;
    c->result = sim_event_cancel(sim, c->victim);
}

static void test_callback_can_cancel_an_event_of_the_same_instant(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    struct canceller c = {0, -1};
    sim_event_at(sim, SIM_S, cancel_fn, &c, NULL);
    c.victim = sim_event_at(sim, SIM_S, log_fn, &l, tag(1));
    sim_event_at(sim, SIM_S, log_fn, &l, tag(2));
    sim_run_until(sim, SIM_S);
    assert_int_equal(c.result, 1);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.tags[0], 2);
    sim_destroy(sim);
}

/* ---- random operations against a reference ------------------------------- */

/* The reference is the specification itself: an unordered array scanned for
 * the smallest (time, phase, schedule number) on every pop. */
struct ref_ev {
    sim_time at;
    int phase;
    uint64_t seq;
    sim_event_id id;
};

struct rnd {
    struct ref_ev *ev;
    size_t n, cap;
    uint64_t seq;
    uint64_t ran; /* schedule number of the event that just ran */
    sim_time ran_at;
};

static void rnd_fn(struct sim *sim, void *subject, void *object)
{
    struct rnd *r = subject;
    r->ran = (uint64_t)(uintptr_t)object;
    r->ran_at = sim_now(sim);
}

static size_t ref_min(const struct rnd *r)
{
    size_t m = 0;
    for (size_t i = 1; i < r->n; i++) {
        const struct ref_ev *a = &r->ev[i], *b = &r->ev[m];
        if (a->at < b->at ||
            (a->at == b->at && (a->phase < b->phase || (a->phase == b->phase && a->seq < b->seq))))
            m = i;
    }
    return m;
}

/* Runs what is left: it must come out in reference order too. */
static void drain_against_reference(struct sim *sim, struct rnd *r)
{
    while (r->n) {
        assert_true(sim_event__run_next(sim, SIM_TIME_MAX));
        size_t m = ref_min(r);
        assert_true(r->ran == r->ev[m].seq);
        r->ev[m] = r->ev[--r->n];
    }
    assert_false(sim_event__run_next(sim, SIM_TIME_MAX));
}

/* far_on: 0 leaves the far store to its defaults (the heap alone at these
 * sizes); else it turns on at that many heap entries, with tiny buckets, and
 * one event in 16 is scheduled up to 20 s ahead (past the ring at first). */
static void random_ops_against_reference(uint32_t far_on)
{
    struct sim *sim = sim_create(1, 0);
    if (far_on) sim_event__set_far(sim, far_on, 4);
    struct rnd r = {0};
    r.cap = 4096;
    r.ev = calloc(r.cap, sizeof *r.ev);
    enum { STALE = 64 };
    sim_event_id stale[STALE] = {0};
    size_t nstale = 0;
    uint64_t x = 0x2545f4914f6cdd1dULL;
    size_t target = 50;
    for (long op = 0; op < 1000000; op++) {
        uint64_t u = xorshift(&x);
        if (op % 20000 == 0)
            target = 1 + (size_t)(u >> 40) % 400; /* sizes wander, growth and shrink */
        if (op % 100000 == 50000)                 /* cross the 31-bit sequence limit now and then */
            sim_event__set_seq(sim, ((uint64_t)1 << 31) - (u >> 58));
        unsigned what = (unsigned)(u % 100);
        unsigned bias = r.n < target ? 15 : 0;
        if (what < 40 + bias && r.n < r.cap) {
            /* Few distinct times, so ties on time and phase are common. */
            sim_time at = sim_now(sim) + (sim_time)((u >> 8) % 8) * SIM_MS;
            if (far_on && (u >> 20) % 16 == 0)
                at = sim_now(sim) + (sim_time)((u >> 24) % (20 * SIM_S));
            int phase = (u >> 16) % 5 == 0;
            uint64_t seq = r.seq++;
            sim_event_id id = sim_event_at_phase(sim, at, (enum sim_phase)phase, rnd_fn, &r,
                                                 (void *)(uintptr_t)seq);
            assert_true(id != 0);
            r.ev[r.n++] = (struct ref_ev){at, phase, seq, id};
        } else if (what < 65) {
            if (r.n && what < 60) {
                size_t i = (size_t)(u >> 24) % r.n;
                assert_true(sim_event_cancel(sim, r.ev[i].id));
                stale[nstale++ % STALE] = r.ev[i].id;
                r.ev[i] = r.ev[--r.n];
            } else if (nstale) {
                sim_event_id id = stale[(u >> 24) % (nstale < STALE ? nstale : STALE)];
                assert_false(sim_event_cancel(sim, id));
                assert_false(sim_event_is_pending(sim, id));
            }
        } else {
            bool ran = sim_event__run_next(sim, SIM_TIME_MAX);
            assert_int_equal(ran, r.n > 0);
            if (ran) {
                size_t m = ref_min(&r);
                assert_true(r.ran == r.ev[m].seq);
                assert_true(r.ran_at == r.ev[m].at);
                assert_false(sim_event_is_pending(sim, r.ev[m].id));
                stale[nstale++ % STALE] = r.ev[m].id;
                r.ev[m] = r.ev[--r.n];
            }
        }
        assert_int_equal(sim_event_count(sim), r.n);
        if (r.n && op % 97 == 0) assert_true(sim_event_is_pending(sim, r.ev[(u >> 32) % r.n].id));
    }
    drain_against_reference(sim, &r);
    free(r.ev);
    sim_destroy(sim);
}

static void test_random_schedule_cancel_pop_match_reference_model(void **state)
{
    (void)state;
    random_ops_against_reference(0);
}

static void test_far_store_random_schedule_cancel_pop_match_reference_model(void **state)
{
    (void)state;
    random_ops_against_reference(16);
}

/* The same reference, with the operations also made from inside callbacks
 * (where the running event's entry is the heap's hole) and through lanes,
 * scheduled mostly at each lane's own delay and sometimes at another one (an
 * event out of the lane's order goes to the heap). */
struct fuzz {
    struct sim *sim;
    struct rnd r;
    sim_lane lane[3];
    sim_time delay[3];
    sim_event_id stale[64];
    size_t nstale;
    uint64_t x;
    long ran, in_callback_ops;
};

static void fuzz_fn(struct sim *sim, void *subject, void *object);

static void fuzz_op(struct fuzz *f, bool in_callback)
{
    struct rnd *r = &f->r;
    uint64_t u = xorshift(&f->x);
    unsigned what = (unsigned)(u % 100);
    if (what < 45 && r->n < r->cap) {
        uint64_t seq = r->seq++;
        sim_time at;
        int phase = 0;
        sim_event_id id;
        if (what < 25) {
            int k = (int)((u >> 8) % 3);
            sim_time d = (u >> 12) % 8 == 0 ? (sim_time)((u >> 16) % 8) * SIM_MS : f->delay[k];
            at = sim_now(f->sim) + d;
            id = sim_event_lane_after(f->sim, f->lane[k], d, fuzz_fn, f, (void *)(uintptr_t)seq);
        } else {
            at = sim_now(f->sim) + (sim_time)((u >> 8) % 8) * SIM_MS;
            phase = (u >> 16) % 5 == 0;
            id = sim_event_at_phase(f->sim, at, (enum sim_phase)phase, fuzz_fn, f,
                                    (void *)(uintptr_t)seq);
        }
        assert_true(id != 0);
        r->ev[r->n++] = (struct ref_ev){at, phase, seq, id};
    } else if (what < 75) {
        if (r->n && what < 68) {
            size_t i = (size_t)(u >> 24) % r->n;
            assert_true(sim_event_is_pending(f->sim, r->ev[i].id));
            assert_true(sim_event_cancel(f->sim, r->ev[i].id));
            f->stale[f->nstale++ % 64] = r->ev[i].id;
            r->ev[i] = r->ev[--r->n];
        } else if (f->nstale) {
            sim_event_id id = f->stale[(u >> 24) % (f->nstale < 64 ? f->nstale : 64)];
            assert_false(sim_event_cancel(f->sim, id));
            assert_false(sim_event_is_pending(f->sim, id));
        }
    } else if (!in_callback) {
        size_t before = r->n;
        assert_int_equal(sim_event__run_next(f->sim, SIM_TIME_MAX), before > 0);
    }
    assert_int_equal(sim_event_count(f->sim), r->n);
}

static void fuzz_fn(struct sim *sim, void *subject, void *object)
{
    struct fuzz *f = subject;
    struct rnd *r = &f->r;
    uint64_t seq = (uint64_t)(uintptr_t)object;
    size_t m = ref_min(r);
    assert_true(r->n > 0);
    assert_true(seq == r->ev[m].seq);
    assert_true(sim_now(sim) == r->ev[m].at);
    assert_false(sim_event_is_pending(sim, r->ev[m].id));
    f->stale[f->nstale++ % 64] = r->ev[m].id;
    r->ev[m] = r->ev[--r->n];
    f->ran++;
    assert_int_equal(sim_event_count(sim), r->n);
    for (int k = (int)(xorshift(&f->x) % 4); k > 0; k--) {
        fuzz_op(f, true);
        f->in_callback_ops++;
    }
}

static void ops_in_callbacks_against_reference(uint32_t far_on)
{
    struct fuzz *f = calloc(1, sizeof *f);
    f->sim = sim_create(1, 0);
    if (far_on) sim_event__set_far(f->sim, far_on, 4);
    f->r.cap = 4096;
    f->r.ev = calloc(f->r.cap, sizeof *f->r.ev);
    f->x = 0x9e3779b97f4a7c15ULL;
    const sim_time delays[3] = {0, 3 * SIM_MS, 5 * SIM_MS};
    for (int k = 0; k < 3; k++) {
        f->lane[k] = sim_lane_create(f->sim);
        f->delay[k] = delays[k];
    }
    for (long op = 0; op < 600000; op++) {
        if (op % 100000 == 50000) /* cross the 31-bit sequence limit now and then */
            sim_event__set_seq(f->sim, ((uint64_t)1 << 31) - (xorshift(&f->x) >> 58));
        fuzz_op(f, false);
    }
    while (f->r.n) {
        long before = f->ran;
        assert_true(sim_event__run_next(f->sim, SIM_TIME_MAX));
        assert_int_equal(f->ran, before + 1);
        /* callbacks keep scheduling; stop them from growing the list forever */
        if (f->ran % 8 == 0)
            while (f->r.n > 64) {
                assert_true(sim_event_cancel(f->sim, f->r.ev[f->r.n - 1].id));
                f->r.n--;
            }
    }
    assert_false(sim_event__run_next(f->sim, SIM_TIME_MAX));
    assert_true(f->ran > 100000);
    assert_true(f->in_callback_ops > 100000);
    free(f->r.ev);
    sim_destroy(f->sim);
    free(f);
}

static void test_operations_in_callbacks_and_lanes_match_reference_model(void **state)
{
    (void)state;
    ops_in_callbacks_against_reference(0);
}

static void test_far_store_operations_in_callbacks_and_lanes_match_reference_model(void **state)
{
    (void)state;
    ops_in_callbacks_against_reference(16);
}

/* The far store re-buckets when its buckets turn out far fuller or emptier
 * than it aims at: here the spread of new events swings between 1 ms and
 * 1000 s every 50,000 operations, with the list holding thousands, and every
 * pop must still be the least pending event. Cancelled events and the
 * 31-bit sequence renumbering happen meanwhile. */
static void test_far_store_keeps_order_while_event_spread_changes(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    sim_event__set_far(sim, 256, 32);
    struct rnd r = {0};
    r.cap = 20000;
    r.ev = calloc(r.cap, sizeof *r.ev);
    uint64_t x = 0x853c49e6748fea9bULL;
    const sim_time spread[] = {SIM_MS, 1000 * SIM_S, 10 * SIM_MS, 50 * SIM_S};
    long popped = 0;
    for (long op = 0; op < 400000; op++) {
        uint64_t u = xorshift(&x);
        sim_time span = spread[(op / 50000) % 4];
        if (op == 300000) sim_event__set_seq(sim, ((uint64_t)1 << 31) - 100);
        unsigned what = (unsigned)(u % 100);
        if (what < 52 && r.n < r.cap) {
            sim_time at = sim_now(sim) + (sim_time)((u >> 8) % (uint64_t)span);
            uint64_t seq = r.seq++;
            sim_event_id id = sim_event_at(sim, at, rnd_fn, &r, (void *)(uintptr_t)seq);
            r.ev[r.n++] = (struct ref_ev){at, 0, seq, id};
        } else if (what < 60 && r.n) {
            size_t i = (size_t)(u >> 24) % r.n;
            assert_true(sim_event_cancel(sim, r.ev[i].id));
            assert_false(sim_event_is_pending(sim, r.ev[i].id));
            r.ev[i] = r.ev[--r.n];
        } else if (r.n) {
            assert_true(sim_event__run_next(sim, SIM_TIME_MAX));
            size_t m = ref_min(&r);
            assert_true(r.ran == r.ev[m].seq);
            assert_true(r.ran_at == r.ev[m].at);
            r.ev[m] = r.ev[--r.n];
            popped++;
        }
        if (op % 1000 == 0) assert_int_equal(sim_event_count(sim), r.n);
    }
    drain_against_reference(sim, &r);
    assert_true(popped > 100000);
    free(r.ev);
    sim_destroy(sim);
}

/* A far bucket is sorted into order as it comes due, unless it would sort
 * slowly: too big (over 2^16 events) or bunched at a few instants. Then it
 * goes through the heap, and the order must be the same. */
static void test_far_buckets_too_big_or_bunched_to_sort_still_run_in_order(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    sim_event__set_far(sim, 64, 4);
    struct rnd r = {0};
    uint64_t n = 0;
    /* 200 events over 1 s set the buckets about 10 ms wide when the store
     * turns on (at the first run). */
    for (int i = 0; i < 200; i++)
        sim_event_at(sim, (sim_time)i * 5 * SIM_MS, rnd_fn, &r, (void *)(uintptr_t)n++);
    assert_true(sim_event__run_next(sim, SIM_TIME_MAX));
    /* 70,000 distinct times within 1 ms: one bucket, too big to sort. */
    for (uint64_t i = 0; i < 70000; i++)
        sim_event_at(sim, 10 * SIM_S + (sim_time)(i * 13 % 1000000), rnd_fn, &r,
                     (void *)(uintptr_t)n++);
    /* 1000 at one instant and 1000 a microsecond later, in one bucket. */
    for (int i = 0; i < 2000; i++)
        sim_event_at(sim, 10500 * SIM_MS + (i % 2) * SIM_US, rnd_fn, &r, (void *)(uintptr_t)n++);
    sim_time last = r.ran_at;
    uint64_t last_seq = r.ran, ran = 1;
    while (sim_event__run_next(sim, SIM_TIME_MAX)) {
        assert_true(r.ran_at > last || (r.ran_at == last && r.ran > last_seq));
        last = r.ran_at;
        last_seq = r.ran;
        ran++;
    }
    assert_int_equal(ran, n);
    assert_int_equal(last, 10500 * SIM_MS + SIM_US);
    sim_destroy(sim);
}

/* The hint (sim_event_set_hint) sees an event of its callback, with that
 * event's subject and object, before the event runs: ahead = 2, then 1. */
struct hinted {
    int ahead2, ahead1; /* calls before it ran */
    bool ran;
};

static int hint_tag_a, hint_tag_b;

/* Each callback checks its own tag, so the two never have identical bodies
 * (a linker folding them would make the hint's callback ambiguous). */
static void hinted_fn(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    assert_ptr_equal(object, &hint_tag_a);
    ((struct hinted *)subject)->ran = true;
}

static void other_fn(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    assert_ptr_equal(object, &hint_tag_b);
    ((struct hinted *)subject)->ran = true;
}

static void record_hint(const void *subject, const void *object, int ahead)
{
    struct hinted *h = (struct hinted *)(uintptr_t)subject;
    assert_ptr_equal(object, &hint_tag_a); /* only hinted_fn's events */
    assert_false(h->ran);
    assert_true(ahead == 1 || ahead == 2);
    if (ahead == 2) {
        assert_int_equal(h->ahead1, 0); /* 2 comes first */
        h->ahead2++;
    } else {
        h->ahead1++;
    }
}

static void test_hint_sees_events_of_its_callback_before_they_run(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    sim_event__set_far(sim, 64, 64);
    sim_event_set_hint(sim, hinted_fn, record_hint);
    enum { N = 20000 };
    struct hinted *ev = calloc(N, sizeof *ev);
    uint64_t x = 99;
    for (int i = 0; i < N; i++) {
        sim_time at = (sim_time)(xorshift(&x) % (100 * (uint64_t)SIM_S));
        if (i % 4 == 3)
            sim_event_at(sim, at, other_fn, &ev[i], &hint_tag_b);
        else
            sim_event_at(sim, at, hinted_fn, &ev[i], &hint_tag_a);
    }
    sim_run_until(sim, SIM_TIME_MAX);
    int both = 0;
    for (int i = 0; i < N; i++) {
        assert_true(ev[i].ran);
        if (i % 4 == 3) {
            assert_int_equal(ev[i].ahead2 + ev[i].ahead1, 0);
        } else {
            assert_true(ev[i].ahead2 <= 1 && ev[i].ahead1 <= 1);
            both += ev[i].ahead2 && ev[i].ahead1;
        }
    }
    /* The run hints only at entries ahead of the one running, so the first
     * two of each sorted bucket get no hint and the third only ahead = 1:
     * 13,321 of the 15,000 get both here; 80% allows buckets down to 15. */
    assert_true(both > N * 3 / 4 * 8 / 10);
    free(ev);
    sim_destroy(sim);
}

static void test_large_heap_pops_in_order_after_random_cancels(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct rnd r = {0};
    enum { N = 200000 };
    sim_event_id *ids = malloc(N * sizeof *ids);
    uint64_t x = 12345;
    for (int i = 0; i < N; i++)
        ids[i] =
            sim_event_at(sim, (sim_time)(xorshift(&x) % 1000000), rnd_fn, &r, (void *)(uintptr_t)i);
    for (int i = 0; i < N; i += 3)
        assert_true(sim_event_cancel(sim, ids[i]));
    assert_int_equal(sim_event_count(sim), N - (N + 2) / 3);
    sim_time last = -1;
    uint64_t last_seq = 0;
    uint64_t n = 0;
    while (sim_event__run_next(sim, SIM_TIME_MAX)) {
        assert_true(r.ran % 3 != 0);
        assert_true(r.ran_at > last || (r.ran_at == last && r.ran > last_seq));
        last = r.ran_at;
        last_seq = r.ran;
        n++;
    }
    assert_int_equal(n, N - (N + 2) / 3);
    free(ids);
    sim_destroy(sim);
}

static void test_sequence_renumbering_keeps_scheduling_order(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    for (int i = 0; i < 10; i++)
        sim_event_at(sim, SIM_S, log_fn, &l, tag(i));
    sim_event_at_phase(sim, SIM_S, SIM_PHASE_OBSERVE, log_fn, &l, tag(40));
    sim_event__set_seq(sim, ((uint64_t)1 << 31) - 3);
    for (int i = 10; i < 20; i++) /* renumbering happens among these */
        sim_event_at(sim, i % 2 ? SIM_S : 2 * SIM_S, log_fn, &l, tag(i));
    sim_event_at_phase(sim, SIM_S, SIM_PHASE_OBSERVE, log_fn, &l, tag(41));
    sim_run_until(sim, 3 * SIM_S);
    const int want[] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  11,
                        13, 15, 17, 19, 40, 41, 10, 12, 14, 16, 18};
    assert_int_equal(l.n, 22);
    for (int i = 0; i < 22; i++)
        assert_int_equal(l.tags[i], want[i]);
    sim_destroy(sim);
}

/* ---- the timeout pattern -------------------------------------------------- */

struct tmo {
    struct sim *sim;
    uint64_t x;
    long inflight, arrivals, cancelled, fired;
    uint64_t max_count;
    int arrival_pending;
};

struct req {
    struct tmo *t;
    sim_event_id timeout, done;
};

static void req_done(struct sim *sim, void *subject, void *object)
{
    struct req *q = subject;
    (void)object;
    q->t->cancelled += sim_event_cancel(sim, q->timeout);
    q->t->inflight--;
    free(q);
}

static void req_timeout(struct sim *sim, void *subject, void *object)
{
    struct req *q = subject;
    (void)object;
    q->t->fired++;
    assert_true(sim_event_cancel(sim, q->done));
    q->t->inflight--;
    free(q);
}

static void arrival(struct sim *sim, void *subject, void *object)
{
    struct tmo *t = subject;
    (void)object;
    t->arrival_pending = 0;
    /* Every pending event belongs to a request in flight or is the next
     * arrival: cancelled timers leave nothing behind. */
    assert_int_equal(sim_event_count(sim), 2 * t->inflight);
    struct req *q = malloc(sizeof *q);
    q->t = t;
    q->timeout = sim_event_after(sim, 30 * SIM_S, req_timeout, q, NULL);
    uint64_t u = xorshift(&t->x);
    sim_time d = u % 10 ? (sim_time)(u >> 20) % (2 * SIM_S) : 60 * SIM_S;
    q->done = sim_event_after(sim, d, req_done, q, NULL);
    t->inflight++;
    if (++t->arrivals < 200000) {
        sim_event_after(sim, SIM_MS, arrival, t, NULL);
        t->arrival_pending = 1;
    }
    if (sim_event_count(sim) > t->max_count) t->max_count = sim_event_count(sim);
}

static void test_timeout_pattern_keeps_event_count_bounded(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct tmo t = {.sim = sim, .x = 99};
    sim_event_at(sim, 0, arrival, &t, NULL);
    sim_run_until(sim, 1000 * SIM_S);
    assert_int_equal(t.arrivals, 200000);
    assert_int_equal(t.inflight, 0);
    assert_int_equal(sim_event_count(sim), 0);
    assert_int_equal(t.cancelled + t.fired, 200000);
    assert_true(t.cancelled > 170000); /* about 90% complete before their timeout */
    /* 1000 arrivals/s: ~900 quick requests and ~3000 hung ones in flight,
     * two events each, ~7800 in all. Lazy deletion would also keep every
     * cancelled timeout for its full 30 s (30 000 more). */
    assert_true(t.max_count < 10000);
    sim_destroy(sim);
}

/* ---- run_until and stop ---------------------------------------------------- */

static void test_run_until_runs_events_at_the_horizon_then_sets_clock_to_it(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    sim_event_at(sim, SIM_S, log_fn, &l, tag(1));
    sim_event_at(sim, 5 * SIM_S, log_fn, &l, tag(2));
    sim_event_at_phase(sim, 5 * SIM_S, SIM_PHASE_OBSERVE, log_fn, &l, tag(3));
    sim_event_at(sim, 5 * SIM_S + 1, log_fn, &l, tag(4));
    sim_run_until(sim, 5 * SIM_S);
    assert_int_equal(l.n, 3);
    assert_true(sim_now(sim) == 5 * SIM_S);
    assert_int_equal(sim_event_count(sim), 1);
    assert_int_equal(sim_events(sim), 3);

    /* A horizon with nothing before it still advances the clock. */
    sim_run_until(sim, 5 * SIM_S);
    assert_int_equal(l.n, 3);
    sim_run_until(sim, 7 * SIM_S);
    assert_int_equal(l.n, 4);
    assert_true(l.at[3] == 5 * SIM_S + 1);
    assert_true(sim_now(sim) == 7 * SIM_S);
    assert_int_equal(sim_events(sim), 4);
    sim_destroy(sim);
}

static void test_run_until_on_empty_list_advances_clock(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    assert_true(sim_now(sim) == 0);
    sim_run_until(sim, 42 * SIM_S);
    assert_true(sim_now(sim) == 42 * SIM_S);
    assert_int_equal(sim_events(sim), 0);
    sim_destroy(sim);
}

static void test_event_after_is_relative_to_now(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    sim_run_until(sim, 10 * SIM_S);
    sim_event_after(sim, 2 * SIM_S, log_fn, &l, tag(1));
    sim_event_after(sim, 0, log_fn, &l, tag(0));
    sim_run_until(sim, 20 * SIM_S);
    assert_int_equal(l.n, 2);
    assert_true(l.at[0] == 10 * SIM_S);
    assert_true(l.at[1] == 12 * SIM_S);
    sim_destroy(sim);
}

static void test_event_after_saturates_at_the_end_of_time(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    sim_run_until(sim, SIM_S);
    sim_event_id id = sim_event_after(sim, SIM_TIME_MAX, log_fn, &l, tag(1));
    sim_run_until(sim, SIM_TIME_MAX - 1);
    assert_int_equal(l.n, 0);
    assert_true(sim_event_is_pending(sim, id));
    sim_run_until(sim, SIM_TIME_MAX);
    assert_int_equal(l.n, 1);
    assert_true(l.at[0] == SIM_TIME_MAX);
    sim_destroy(sim);
}

static void stop_fn(struct sim *sim, void *subject, void *object)
{
    log_fn(sim, subject, object);
    sim_stop(sim);
}

static void test_stop_ends_run_after_current_event_and_keeps_its_time(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    sim_event_at(sim, SIM_S, log_fn, &l, tag(1));
    sim_event_at(sim, 2 * SIM_S, stop_fn, &l, tag(2));
    sim_event_at(sim, 2 * SIM_S, log_fn, &l, tag(3)); /* same instant, after the stop */
    sim_event_at(sim, 3 * SIM_S, log_fn, &l, tag(4));
    sim_run_until(sim, 10 * SIM_S);
    assert_int_equal(l.n, 2);
    assert_true(sim_now(sim) == 2 * SIM_S);
    assert_int_equal(sim_events(sim), 2);
    assert_int_equal(sim_event_count(sim), 2);

    /* A later run resumes where the stop left off. */
    sim_run_until(sim, 10 * SIM_S);
    assert_int_equal(l.n, 4);
    assert_int_equal(l.tags[2], 3);
    assert_int_equal(l.tags[3], 4);
    assert_true(sim_now(sim) == 10 * SIM_S);
    sim_destroy(sim);
}

static void test_destroy_drops_pending_events_without_calling_them(void **state)
{
    (void)state;
    struct sim *sim = sim_create(1, 0);
    struct log l = {0};
    for (int i = 0; i < 1000; i++)
        sim_event_at(sim, (sim_time)i * SIM_S, log_fn, &l, tag(i));
    sim_destroy(sim);
    assert_int_equal(l.n, 0);
    sim_destroy(NULL);
}

static void test_two_simulations_do_not_interfere(void **state)
{
    (void)state;
    struct sim *a = sim_create(1, 0), *b = sim_create(1, 0);
    struct log la = {0}, lb = {0};
    sim_event_id ia = sim_event_at(a, SIM_S, log_fn, &la, tag(1));
    sim_event_id ib = sim_event_at(b, 2 * SIM_S, log_fn, &lb, tag(2));
    assert_true(ia == ib); /* same slot and generation, different lists */
    sim_run_until(a, 5 * SIM_S);
    assert_int_equal(la.n, 1);
    assert_int_equal(lb.n, 0);
    assert_true(sim_event_is_pending(b, ib));
    assert_true(sim_now(b) == 0);
    sim_run_until(b, 5 * SIM_S);
    assert_int_equal(lb.n, 1);
    sim_destroy(a);
    sim_destroy(b);
}

/* ---- bugs abort with the assert message ---------------------------------- */

/* Kept reachable so valgrind, which follows the fork, does not call the
 * aborted child's simulation a leak. */
static struct sim *volatile dying_sim;

static void schedule_in_the_past(void)
{
    struct sim *sim = dying_sim = sim_create(1, 0);
    sim_run_until(sim, 10 * SIM_S);
    sim_event_at(sim, 9 * SIM_S, log_fn, NULL, NULL);
}

static void test_scheduling_before_now_is_a_bug_that_aborts(void **state)
{
    (void)state;
    char msg[512];
    tsup_expect_abort(schedule_in_the_past, msg, sizeof msg);
    assert_non_null(
        strstr(msg, "domino: assertion failed: at >= sim->now (sim/kernel/sim_event.c:"));
    assert_non_null(strstr(msg, ", schedule)\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_time_events_run_in_scheduling_order),
        cmocka_unit_test(test_events_run_in_time_order_whatever_the_scheduling_order),
        cmocka_unit_test(test_event_scheduled_now_from_callback_runs_after_those_already_queued),
        cmocka_unit_test(test_observe_phase_runs_after_normal_phase_at_same_instant),
        cmocka_unit_test(test_observe_events_at_same_instant_keep_scheduling_order),
        cmocka_unit_test(test_cancel_of_pending_event_prevents_it_and_returns_true),
        cmocka_unit_test(test_cancel_of_already_run_event_returns_false),
        cmocka_unit_test(test_cancel_twice_returns_false_the_second_time),
        cmocka_unit_test(test_cancel_of_id_zero_or_unknown_id_returns_false),
        cmocka_unit_test(test_ids_are_nonzero_and_distinct),
        cmocka_unit_test(test_running_event_is_no_longer_pending_in_its_own_callback),
        cmocka_unit_test(test_callback_can_cancel_an_event_of_the_same_instant),
        cmocka_unit_test(test_random_schedule_cancel_pop_match_reference_model),
        cmocka_unit_test(test_operations_in_callbacks_and_lanes_match_reference_model),
        cmocka_unit_test(test_far_store_random_schedule_cancel_pop_match_reference_model),
        cmocka_unit_test(test_far_store_operations_in_callbacks_and_lanes_match_reference_model),
        cmocka_unit_test(test_far_store_keeps_order_while_event_spread_changes),
        cmocka_unit_test(test_far_buckets_too_big_or_bunched_to_sort_still_run_in_order),
        cmocka_unit_test(test_hint_sees_events_of_its_callback_before_they_run),
        cmocka_unit_test(test_large_heap_pops_in_order_after_random_cancels),
        cmocka_unit_test(test_sequence_renumbering_keeps_scheduling_order),
        cmocka_unit_test(test_timeout_pattern_keeps_event_count_bounded),
        cmocka_unit_test(test_run_until_runs_events_at_the_horizon_then_sets_clock_to_it),
        cmocka_unit_test(test_run_until_on_empty_list_advances_clock),
        cmocka_unit_test(test_event_after_is_relative_to_now),
        cmocka_unit_test(test_event_after_saturates_at_the_end_of_time),
        cmocka_unit_test(test_stop_ends_run_after_current_event_and_keeps_its_time),
        cmocka_unit_test(test_destroy_drops_pending_events_without_calling_them),
        cmocka_unit_test(test_two_simulations_do_not_interfere),
        cmocka_unit_test(test_scheduling_before_now_is_a_bug_that_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
