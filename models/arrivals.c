/* arrivals.c - piecewise-linear arrival processes (see arrivals.h). */
#include "models/arrivals.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "sim/kernel/sim_assert.h"
#include "sim/kernel/sim_mem.h"

void arr_init(struct arrivals *a, const struct rate_point *rates, int nrates, bool constant,
              gsl_rng *rng)
{
    a->pieces = sim_xcalloc((size_t)nrates * 2 + 1, sizeof *a->pieces);
    int n = 0;
    double prev = 0;
    sim_time t = 0;
    for (int i = 0; i < nrates; i++) {
        const struct rate_point *p = &rates[i];
        if (p->at > t)
            a->pieces[n++] = (struct rate_piece){.t0 = t, .t1 = p->at, .r0 = prev, .r1 = prev};
        t = p->at;
        if (p->ramp > 0) {
            a->pieces[n++] =
                (struct rate_piece){.t0 = t, .t1 = t + p->ramp, .r0 = prev, .r1 = p->rps};
            t += p->ramp;
        }
        prev = p->rps;
    }
    a->pieces[n++] = (struct rate_piece){.t0 = t, .t1 = SIM_TIME_MAX, .r0 = prev, .r1 = prev};
    for (int i = 0; i < n; i++) {
        struct rate_piece *p = &a->pieces[i];
        p->rmax = fmax(p->r0, p->r1);
        p->mean = p->rmax > 0 ? 1.0 / p->rmax : 0;
    }
    a->npieces = n;
    a->piece = 0;
    a->constant = constant;
    a->last_ramp = -1;
    for (int i = 0; i < n; i++)
        if (a->pieces[i].r0 != a->pieces[i].r1) a->last_ramp = i;
    a->next = a->filled = 0;
    a->steady = false;
    /* The last piece is flat and runs forever: with a positive rate and
     * random arrivals, arr_next's short path serves it (see there). */
    const struct rate_piece *last = &a->pieces[n - 1];
    a->steady_mean = !constant && last->rmax > 0 ? last->mean : 0;
    a->rng = rng;
}

void arr_fini(struct arrivals *a)
{
    free(a->pieces);
    a->pieces = NULL;
}

static double piece_rate(const struct rate_piece *p, sim_time t)
{
    if (p->r0 == p->r1 || t <= p->t0) return p->r0;
    return p->r0 + (p->r1 - p->r0) * (double)(t - p->t0) / (double)(p->t1 - p->t0);
}

double arr_rate(const struct arrivals *a, sim_time t)
{
    for (int i = 0; i < a->npieces; i++)
        if (t < a->pieces[i].t1) return piece_rate(&a->pieces[i], t);
    return 0;
}

/* Constant arrivals: the next one is where the integral of the rate since
 * the last one reaches 1, solved piece by piece (a quadratic on a ramp), so
 * rate changes take effect exactly where they happen. */
static sim_time next_constant(const struct arrivals *a, sim_time t)
{
    double need = 1.0;
    for (int i = a->piece; i < a->npieces; i++) {
        const struct rate_piece *p = &a->pieces[i];
        if (t >= p->t1) continue;
        double r = piece_rate(p, t);
        double slope =
            p->r0 == p->r1 ? 0 : (p->r1 - p->r0) / sim_time_to_s(p->t1 - p->t0); /* per s^2 */
        double span = p->t1 == SIM_TIME_MAX ? (double)INFINITY : sim_time_to_s(p->t1 - t);
        double area = slope == 0 ? r * span : r * span + 0.5 * slope * span * span;
        if (area >= need) {
            double x = slope == 0 ? need / r : (-r + sqrt(r * r + 2 * slope * need)) / slope;
            sim_time dt = sim_time_from_s(x);
            return t + (dt > 0 ? dt : 1);
        }
        need -= area;
        t = p->t1;
        if (t == SIM_TIME_MAX) break;
    }
    return SIM_TIME_MAX;
}

/* The next Exp(1) draw of the stream. A gap is mean * Exp(1), the same
 * double as gsl_ran_exponential(rng, mean), which computes -mean * log1p(-u):
 * rounding is symmetric in sign, so (-m) * L == m * (-L) bit for bit.
 *
 * Drawing ahead is what makes it fast. A sampled time decides which event
 * runs next, and whenever the processor guesses that wrong it waits for the
 * draw's log1p, whose branches mispredict on random input; a draw made an
 * arrival earlier has long finished, and a batch of them runs log1p back to
 * back (M/M/1: 16.3 -> 16.6 M events/s one ahead, -> 17.6 with batches of
 * 32 here and in endpoint.c). The stream is the arrivals' own, so only the
 * order of its draws matters: the next draw may be made early when it is
 * sure to be an exponential, which is when no thinning uniform follows this
 * one (a piece of constant rate), and a batch when no ramp lies ahead. */
static SIM_NOINLINE void draw_ahead(struct arrivals *a, int n)
{
    for (int k = 0; k < n; k++)
        a->ahead[k] = gsl_ran_exponential(a->rng, 1.0);
    a->next = 0;
    a->filled = n;
}

static double unit_exponential(struct arrivals *a, bool constant_piece)
{
    double e = a->next < a->filled ? a->ahead[a->next++] : gsl_ran_exponential(a->rng, 1.0);
    if (a->next == a->filled && constant_piece)
        draw_ahead(a, a->piece > a->last_ramp ? ARR_AHEAD : 1);
    return e;
}

/* arr_next's loop, for every case. */
static sim_time next_general(struct arrivals *a, sim_time t)
{
    for (;;) {
        while (a->piece < a->npieces && t >= a->pieces[a->piece].t1)
            a->piece++;
        if (a->piece >= a->npieces) return SIM_TIME_MAX;
        const struct rate_piece *p = &a->pieces[a->piece];
        double rmax = p->rmax;
        if (rmax <= 0) {
            if (p->t1 == SIM_TIME_MAX) return SIM_TIME_MAX;
            t = p->t1;
            continue;
        }
        if (a->constant) return next_constant(a, t);
        sim_time dt = sim_time_from_s(p->mean * unit_exponential(a, p->r0 == p->r1));
        sim_time cand = t + (dt > 0 ? dt : 1);
        if (cand >= p->t1) {
            t = p->t1; /* memoryless: restart at the boundary with the new rate */
            continue;
        }
        if (p->r0 == p->r1 || gsl_rng_uniform(a->rng) * rmax < piece_rate(p, cand)) return cand;
        t = cand; /* thinned */
    }
}

/* The loop, then whether the short path may take over. */
static SIM_NOINLINE sim_time next_slow(struct arrivals *a, sim_time t)
{
    sim_time next = next_general(a, t);
    a->steady = a->piece == a->npieces - 1 && a->steady_mean > 0 && a->next < a->filled;
    return next;
}

/* Once the last piece is reached at a constant rate, every arrival is the
 * loop's first pass: no boundary ahead (its end is SIM_TIME_MAX, which a
 * candidate reaching it returns too), no thinning, and a batch of draws
 * always ready, refilled as soon as it is used up, as unit_exponential does
 * (past the last ramp, a batch of ARR_AHEAD). So the short path returns the
 * same times from the same draws, without the loop's checks and register
 * saves, which stay in next_slow (M/M/1: 1477 -> 1423 instructions per
 * customer). */
sim_time arr_next(struct arrivals *a, sim_time t)
{
    if (SIM_LIKELY(a->steady)) {
        double e = a->ahead[a->next++];
        if (a->next == a->filled) draw_ahead(a, ARR_AHEAD);
        sim_time dt = sim_time_from_s(a->steady_mean * e);
        return t + (dt > 0 ? dt : 1);
    }
    return next_slow(a, t);
}
