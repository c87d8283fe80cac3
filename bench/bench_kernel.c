/* bench_kernel.c - speed of the future-event list.
 *
 * 1. The classic hold model: K events pending; each event, when run, schedules
 *    one more at now + an exponential-ish increment, so the list stays at K
 *    and every event costs one pop plus one insert at a random depth. The
 *    increment comes from a 1024-entry quantile table of Exp(mean 1 ms) plus
 *    up to 65 us of uniform jitter, indexed by an inline xorshift64*: about
 *    2 ns, so the figure is the event list's and not GSL's. Timed after a
 *    warm-up of 2K events (the heap's shape settles once every initial event
 *    has been replaced).
 * 2. The timeout pattern of every call in a domino model, 10 000 requests/s
 *    for 600 simulated seconds: a request schedules its timeout at +30 s and
 *    its completion; 90% complete after Exp(50 ms) and cancel their timeout,
 *    10% hang and their timeout fires and cancels the completion. The figure
 *    is per list operation (schedule, cancel or executed event). Pending
 *    events must plateau at two per request in flight (~61 000); a list that
 *    kept cancelled timers until their time would hold ~270 000 more.
 *
 * The machine may be shared, so each figure is the best of REPS timings
 * (interference only ever adds time); the hold lines show the slowest too.
 * Wall time comes from clock_gettime(CLOCK_MONOTONIC), allowed in bench/ only.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/kernel/sim.h"
#include "sim/kernel/sim_pool.h"

#define TABLE 1024

struct gen {
    uint64_t x;
    sim_time q[TABLE]; /* quantiles of the increment distribution */
};

static void gen_init(struct gen *g, uint64_t seed, double mean_ns)
{
    g->x = seed | 1;
    for (int i = 0; i < TABLE; i++)
        g->q[i] = (sim_time)(-log(1.0 - (i + 0.5) / TABLE) * mean_ns);
}

static inline uint64_t gen_next(struct gen *g)
{
    g->x ^= g->x >> 12;
    g->x ^= g->x << 25;
    g->x ^= g->x >> 27;
    return g->x * 0x2545f4914f6cdd1dULL;
}

static inline sim_time gen_exp(struct gen *g)
{
    uint64_t r = gen_next(g);
    return g->q[r >> 54] + (sim_time)(r & 0xffff);
}

static double wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- 1. hold model ------------------------------------------------------ */

struct hold {
    struct gen g;
    uint64_t left;
};

static void hold_fn(struct sim *sim, void *subject, void *object)
{
    struct hold *h = subject;
    (void)object;
    sim_event_after(sim, gen_exp(&h->g), hold_fn, h, NULL);
    if (--h->left == 0) sim_stop(sim);
}

/* Each hold case is timed as REPS equal segments of one run. */
enum { REPS = 3 };

static void bench_hold(uint64_t k, uint64_t events)
{
    static struct hold h; /* the table is 8 KiB; keep it off the stack */
    struct sim *sim = sim_create(1, 0);
    gen_init(&h.g, 0x9e3779b97f4a7c15ULL ^ k, 1e6);
    for (uint64_t i = 0; i < k; i++)
        sim_event_after(sim, gen_exp(&h.g), hold_fn, &h, NULL);
    h.left = 2 * k + 1000;
    sim_run_until(sim, SIM_TIME_MAX);
    uint64_t seg = events / REPS;
    double best = 0, worst = 0;
    for (int r = 0; r < REPS; r++) {
        h.left = seg;
        double t0 = wall_ns();
        sim_run_until(sim, SIM_TIME_MAX);
        double ns = (wall_ns() - t0) / (double)seg;
        if (r == 0 || ns < best) best = ns;
        if (ns > worst) worst = ns;
    }
    if (sim_event_count(sim) != k)
        fprintf(stderr, "bench: hold K=%llu ended with %llu pending\n", (unsigned long long)k,
                (unsigned long long)sim_event_count(sim));
    printf("hold K=%llu: %.1f ns/event (best of %d x %llu events; slowest %.1f)\n",
           (unsigned long long)k, best, REPS, (unsigned long long)seg, worst);
    sim_destroy(sim);
}

/* ---- 2. timeout pattern ------------------------------------------------- */

struct tmo_world {
    struct gen g;
    struct sim_pool reqs;
    uint64_t ops, requests, cancelled, max_early, max_late;
    sim_time end, half;
};

struct req {
    struct tmo_world *w;
    sim_event_id timeout, done;
};

static void on_done(struct sim *sim, void *subject, void *object)
{
    struct req *r = subject;
    (void)object;
    r->w->ops += 2; /* this event and the cancel */
    r->w->cancelled += sim_event_cancel(sim, r->timeout);
    sim_pool_put(&r->w->reqs, r);
}

static void on_timeout(struct sim *sim, void *subject, void *object)
{
    struct req *r = subject;
    (void)object;
    r->w->ops += 2;
    sim_event_cancel(sim, r->done);
    sim_pool_put(&r->w->reqs, r);
}

static void on_arrival(struct sim *sim, void *subject, void *object)
{
    struct tmo_world *w = subject;
    (void)object;
    struct req *r = sim_pool_get(&w->reqs);
    r->w = w;
    r->timeout = sim_event_after(sim, 30 * SIM_S, on_timeout, r, NULL);
    uint64_t u = gen_next(&w->g);
    sim_time d = u % 10 ? gen_exp(&w->g) : 40 * SIM_S; /* 10% hang past the timeout */
    r->done = sim_event_after(sim, d, on_done, r, NULL);
    w->requests++;
    w->ops += 4; /* this event, two schedules, and the next arrival's schedule */
    uint64_t pending = sim_event_count(sim);
    uint64_t *max = sim_now(sim) < w->half ? &w->max_early : &w->max_late;
    if (pending > *max) *max = pending;
    /* 10 000 requests/s: interarrival Exp(100 us), the same table scaled */
    sim_time next = gen_exp(&w->g) / 500;
    if (sim_now(sim) + next < w->end) sim_event_after(sim, next, on_arrival, w, NULL);
}

/* Returns ns per operation; the world is identical on every call. */
static double timeouts_once(struct tmo_world *w)
{
    struct sim *sim = sim_create(1, 0);
    *w = (struct tmo_world){.end = 600 * SIM_S, .half = 300 * SIM_S};
    gen_init(&w->g, 42, 50e6); /* Exp(50 ms) completions */
    sim_pool_init(&w->reqs, sizeof(struct req));
    sim_event_at(sim, 0, on_arrival, w, NULL);
    double t0 = wall_ns();
    sim_run_until(sim, w->end + 60 * SIM_S);
    double dt = wall_ns() - t0;
    if (sim_event_count(sim) != 0 || w->reqs.live != 0)
        fprintf(stderr, "bench: timeouts left %llu events, %zu requests\n",
                (unsigned long long)sim_event_count(sim), w->reqs.live);
    sim_pool_fini(&w->reqs);
    sim_destroy(sim);
    return dt / (double)w->ops;
}

static void bench_timeouts(void)
{
    static struct tmo_world w;
    double best = 0;
    for (int r = 0; r < REPS; r++) {
        double ns = timeouts_once(&w);
        if (r == 0 || ns < best) best = ns;
    }
    printf("timeouts: %.1f ns/op (best of %d; %llu ops, %llu requests, %.1f%% of timeouts "
           "cancelled before firing)\n",
           best, REPS, (unsigned long long)w.ops, (unsigned long long)w.requests,
           100.0 * (double)w.cancelled / (double)w.requests);
    printf("timeouts: max pending %llu in 0-300 s, %llu in 300-600 s simulated (%s)\n",
           (unsigned long long)w.max_early, (unsigned long long)w.max_late,
           (double)w.max_late <= 1.05 * (double)w.max_early ? "no growth" : "GROWING");
}

/* With arguments K EVENTS, runs that one hold case (for perf and profilers). */
int main(int argc, char **argv)
{
    if (argc == 3) {
        bench_hold(strtoull(argv[1], NULL, 10), strtoull(argv[2], NULL, 10));
        return 0;
    }
    bench_hold(10, 20000000);
    bench_hold(1000, 20000000);
    bench_hold(100000, 10000000);
    bench_hold(1000000, 5000000);
    bench_timeouts();
    return 0;
}
