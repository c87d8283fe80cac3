/* test_load.c - load sources: piecewise-linear rates, poisson counts against
 * the integral of the rate, exact constant arrivals, end-user timeouts.
 *
 * A poisson count over a window is Poisson with mean equal to the integral
 * of the rate over the window, so it is checked to 4 standard deviations,
 * 4 sqrt(mean) (one window fails by chance with probability 6e-5). Arrivals
 * are counted at a sink: a service with unlimited threads and no work.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "models/arrivals.h"
#include "models/load.h"
#include "models/world.h"
#include "tests/support/tworld.h"

#define MS SIM_MS

static int sink_world(struct world_config *c, bool constant)
{
    tw_init(c, 100 * SIM_S);
    int s = tw_service(c, "sink", 0, -1);
    int e = tw_endpoint(c, s, "e");
    tw_work(c, s, e, tw_const(0));
    return tw_load(c, "in", s, e, 0, constant);
}

static void check_count(const char *what, uint64_t n, double mean)
{
    double dev = (double)n - mean;
    print_message("  %-24s %6llu arrivals, integral %7.1f, %+.2f sd\n", what, (unsigned long long)n,
                  mean, dev / sqrt(mean));
    if (!(fabs(dev) <= 4 * sqrt(mean))) {
        print_error("%s: %llu arrivals, want %.1f +- %.1f\n", what, (unsigned long long)n, mean,
                    4 * sqrt(mean));
        fail();
    }
}

/* 100 rps; ramp to 300 rps over 10..20 s; 300 until 30 s; then 50 rps. */
static void ramp_rates(struct world_config *c, int l)
{
    tw_rate(c, l, 0, 100, 0);
    tw_rate(c, l, 10 * SIM_S, 300, 10 * SIM_S);
    tw_rate(c, l, 30 * SIM_S, 50, 0);
}

static void test_the_rate_is_piecewise_linear_with_ramps(void **state)
{
    (void)state;
    struct world_config c;
    int l = sink_world(&c, false);
    tw_rate(&c, l, 2 * SIM_S, 100, 0); /* nothing before the first point */
    tw_rate(&c, l, 10 * SIM_S, 300, 10 * SIM_S);
    tw_rate(&c, l, 30 * SIM_S, 50, 0);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    const struct load *ld = &w->loads[0];
    assert_true(load_rate(ld, 1 * SIM_S) == 0);
    assert_true(load_rate(ld, 2 * SIM_S) == 100);
    assert_true(load_rate(ld, 10 * SIM_S) == 100);
    assert_true(fabs(load_rate(ld, 15 * SIM_S) - 200) < 1e-9);
    assert_true(fabs(load_rate(ld, 17500 * MS) - 250) < 1e-9);
    assert_true(load_rate(ld, 20 * SIM_S) == 300);
    assert_true(load_rate(ld, 29 * SIM_S) == 300);
    assert_true(load_rate(ld, 30 * SIM_S) == 50);
    assert_true(load_rate(ld, 99 * SIM_S) == 50);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_poisson_arrivals_deliver_the_integral_of_a_ramped_rate(void **state)
{
    (void)state;
    struct world_config c;
    int l = sink_world(&c, false);
    ramp_rates(&c, l);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    const uint64_t *arrived = &w->svcs[0].m.arrived;
    const sim_time at[] = {10 * SIM_S, 15 * SIM_S, 20 * SIM_S, 30 * SIM_S, 40 * SIM_S};
    const double integral[] = {1000, 750, 1250, 3000, 500}; /* ramp halves: 150 and 250 rps */
    const char *what[] = {"flat 100 rps", "ramp, first half", "ramp, second half", "flat 300 rps",
                          "flat 50 rps"};
    uint64_t before = 0;
    for (int i = 0; i < 5; i++) {
        sim_run_until(sim, at[i]);
        check_count(what[i], *arrived - before, integral[i]);
        before = *arrived;
    }
    check_count("whole run", *arrived, 6500);
    assert_int_equal(w->loads[0].m.sent, *arrived);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_poisson_counts_vary_like_poisson_over_replications(void **state)
{
    (void)state;
    /* 40 replications of a 10 s window at 100 rps: counts with mean 1000 and
     * variance 1000. The sample variance of 40 Poisson counts has relative
     * sd sqrt(2/39) = 0.23, so [0.3, 2.0] x 1000 fails by chance < 1e-4
     * while constant spacing (variance 0) or batching would fail. */
    struct world_config c;
    int l = sink_world(&c, false);
    tw_rate(&c, l, 0, 100, 0);
    c.duration = 10 * SIM_S;
    double sum = 0, sum2 = 0;
    for (uint32_t r = 1; r <= 40; r++) {
        struct sim *sim;
        struct world *w = tw_run(&c, 11, r, &sim);
        double n = (double)w->svcs[0].m.arrived;
        sum += n;
        sum2 += n * n;
        tw_destroy(w, sim);
    }
    double mean = sum / 40, var = (sum2 - 40 * mean * mean) / 39;
    print_message("  counts: mean %.1f, variance %.1f\n", mean, var);
    assert_true(fabs(mean - 1000) <= 4 * sqrt(1000.0 / 40));
    assert_true(var > 300 && var < 2000);
    world_config_fini(&c);
}

static void test_constant_arrivals_are_evenly_spaced_and_counted_exactly(void **state)
{
    (void)state;
    struct world_config c;
    int l = sink_world(&c, true);
    tw_rate(&c, l, 0, 10, 0);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    sim_run_until(sim, 99 * MS);
    assert_int_equal(w->svcs[0].m.arrived, 0);
    sim_run_until(sim, 100 * MS);
    assert_int_equal(w->svcs[0].m.arrived, 1);
    sim_run_until(sim, 10 * SIM_S);
    assert_int_equal(w->svcs[0].m.arrived, 100);
    assert_int_equal(w->loads[0].m.sent, 100);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

static void test_constant_arrivals_follow_a_ramp(void **state)
{
    (void)state;
    struct world_config c;
    int l = sink_world(&c, true);
    tw_rate(&c, l, 0, 100, 0);
    tw_rate(&c, l, 10 * SIM_S, 300, 10 * SIM_S);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    sim_run_until(sim, 10 * SIM_S);
    assert_int_equal(w->svcs[0].m.arrived, 1000);
    sim_run_until(sim, 20 * SIM_S);
    /* The ramp carries 2000 arrivals; spacing each by the rate where it
     * starts undercounts by at most one gap per arrival's rate change
     * (the rate grows by 20 rps per second, a spacing of 3 to 10 ms). */
    uint64_t n = w->svcs[0].m.arrived - 1000;
    print_message("  ramp 100 -> 300 rps over 10 s: %llu constant arrivals (integral 2000)\n",
                  (unsigned long long)n);
    /* Arrivals sit where the integral of the rate crosses whole numbers, so
     * the ramp's 2000 are exact up to the rounding of the last one. */
    assert_true(n >= 1999 && n <= 2001);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

/* A rate change takes effect where it happens, not after the gap drawn
 * under the old rate: 10 rps stopping at 1.05 s gives the 10 arrivals of
 * [0, 1.05 s) and none after; 1 rps rising to 100 rps at 1.5 s gives about
 * 50 arrivals in [1.5 s, 2 s], not one. */
static void test_constant_arrivals_obey_rate_changes_at_once(void **state)
{
    (void)state;
    struct world_config c;
    int l = sink_world(&c, true);
    tw_rate(&c, l, 0, 10, 0);
    tw_rate(&c, l, 1050 * MS, 0, 0);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    sim_run_until(sim, 5 * SIM_S);
    assert_int_equal(w->svcs[0].m.arrived, 10);
    tw_destroy(w, sim);
    world_config_fini(&c);

    l = sink_world(&c, true);
    tw_rate(&c, l, 0, 1, 0);
    tw_rate(&c, l, 1500 * MS, 100, 0);
    w = tw_start(&c, 1, 0, &sim);
    sim_run_until(sim, 1500 * MS);
    uint64_t before = w->svcs[0].m.arrived;
    assert_int_equal(before, 1);
    sim_run_until(sim, 2000 * MS);
    uint64_t n = w->svcs[0].m.arrived - before;
    assert_true(n >= 49 && n <= 51);
    tw_destroy(w, sim);
    world_config_fini(&c);
}

/* The arrival times as the straightforward algorithm draws them: an
 * exponential gap at the piece's peak rate, thinned by a uniform on a ramp,
 * restarted at each piece's end. arr_next draws gaps ahead (in batches past
 * the last ramp) and scales a unit draw by the mean; this is what it must
 * stay equal to, bit for bit. */
static sim_time reference_next(const struct arrivals *a, int *piece, gsl_rng *r, sim_time t)
{
    for (;;) {
        while (*piece < a->npieces && t >= a->pieces[*piece].t1)
            ++*piece;
        if (*piece >= a->npieces) return SIM_TIME_MAX;
        const struct rate_piece *p = &a->pieces[*piece];
        double rmax = fmax(p->r0, p->r1);
        if (rmax <= 0) {
            if (p->t1 == SIM_TIME_MAX) return SIM_TIME_MAX;
            t = p->t1;
            continue;
        }
        sim_time dt = sim_time_from_s(gsl_ran_exponential(r, 1.0 / rmax));
        sim_time cand = t + (dt > 0 ? dt : 1);
        if (cand >= p->t1) {
            t = p->t1;
            continue;
        }
        double rate = p->r0 == p->r1 ? p->r0
                                     : p->r0 + (p->r1 - p->r0) * (double)(cand - p->t0) /
                                                   (double)(p->t1 - p->t0);
        if (p->r0 == p->r1 || gsl_rng_uniform(r) * rmax < rate) return cand;
        t = cand;
    }
}

/* Walks arr_next and the reference side by side until `until`; returns the
 * arrivals and how many fell in [gap0, gap1). Both must take the short path
 * at the end (a steady last piece). */
static long walk_against_reference(const struct rate_point *rates, int nrates, sim_time until,
                                   sim_time gap0, sim_time gap1, long *in_gap)
{
    gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r1, 7);
    gsl_rng_set(r2, 7);
    struct arrivals a;
    arr_init(&a, rates, nrates, false, r1);
    int piece = 0;
    sim_time t = 0, u = 0;
    long n = 0;
    *in_gap = 0;
    while (t < until) {
        t = arr_next(&a, t);
        u = reference_next(&a, &piece, r2, u);
        assert_int_equal(t, u);
        *in_gap += t >= gap0 && t < gap1;
        n++;
    }
    assert_true(a.steady); /* the last stretch went through the short path */
    arr_fini(&a);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    return n;
}

static void test_poisson_arrivals_are_the_draws_of_the_plain_algorithm(void **state)
{
    (void)state;
    /* steady, a ramp up (thinning), a silent gap, a drop, steady again */
    const struct rate_point rates[] = {
        {.at = 0, .rps = 500},         {.at = 2 * SIM_S, .rps = 2000, .ramp = 3 * SIM_S},
        {.at = 6 * SIM_S, .rps = 0},   {.at = 7 * SIM_S, .rps = 50},
        {.at = 9 * SIM_S, .rps = 800},
    };
    long in_gap;
    long n = walk_against_reference(rates, (int)(sizeof rates / sizeof rates[0]), 12 * SIM_S,
                                    6 * SIM_S, 7 * SIM_S, &in_gap);
    assert_int_equal(in_gap, 0);
    /* 1000 + 3750 + 2000 + 0 + 100 + 2400 = 9250 expected: the walk went
     * through every piece (8000 is 13 sd below) */
    assert_true(n > 8000);
    /* one rate from the start, as most loads: the short path from the
     * first arrival, across many batches of draws (4500 expected), and
     * Poisson counts: 900 +- 30 (one sd) in the second second */
    const struct rate_point one[] = {{.at = 0, .rps = 900}};
    n = walk_against_reference(one, 1, 5 * SIM_S, 1 * SIM_S, 2 * SIM_S, &in_gap);
    assert_true(n > 4000);
    assert_in_range(in_gap, 900 - 5 * 30, 900 + 5 * 30);
}

static void test_an_end_users_timeout_counts_as_timed_out(void **state)
{
    (void)state;
    struct world_config c;
    tw_init(&c, 10 * SIM_S);
    int s = tw_service(&c, "s", 1, -1);
    int e = tw_endpoint(&c, s, "e");
    tw_work(&c, s, e, tw_const(0.5));
    int l = tw_load(&c, "in", s, e, 0, false);
    c.loads[l].policy = tw_policy(&c, "user", 300 * MS);
    struct sim *sim;
    struct world *w = tw_start(&c, 1, 0, &sim);
    tw_send(w, l, 1 * SIM_S);
    tw_send(w, l, 3 * SIM_S);
    sim_run_until(sim, 5 * SIM_S);
    assert_int_equal(w->loads[0].m.sent, 2);
    assert_int_equal(w->loads[0].m.timed_out, 2);
    assert_int_equal(w->loads[0].m.failed, 2);
    assert_int_equal(w->loads[0].m.latency.max, 300 * MS);
    assert_int_equal(w->svcs[0].m.completed, 2); /* the service finished both anyway */
    tw_destroy(w, sim);
    world_config_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_rate_is_piecewise_linear_with_ramps),
        cmocka_unit_test(test_poisson_arrivals_deliver_the_integral_of_a_ramped_rate),
        cmocka_unit_test(test_poisson_counts_vary_like_poisson_over_replications),
        cmocka_unit_test(test_constant_arrivals_are_evenly_spaced_and_counted_exactly),
        cmocka_unit_test(test_poisson_arrivals_are_the_draws_of_the_plain_algorithm),
        cmocka_unit_test(test_constant_arrivals_follow_a_ramp),
        cmocka_unit_test(test_constant_arrivals_obey_rate_changes_at_once),
        cmocka_unit_test(test_an_end_users_timeout_counts_as_timed_out),
    };
    return cmocka_run_group_tests_name("load", tests, NULL, NULL);
}
