/* load.c - load sources (see load.h for the arrival process). */
#include "sim/kernel/sim_mem.h"
#include "models/load.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "models/call.h"

/* Pieces: before the first point the rate is 0; point i holds rps_i from
 * at_i + ramp_i until the next point, and ramps linearly from the previous
 * rate over [at_i, at_i + ramp_i). */
static void build_pieces(struct load *l)
{
    const struct load_config *c = l->cfg;
    l->pieces = sim_xcalloc((size_t)c->nrates * 2 + 1, sizeof *l->pieces);
    int n = 0;
    double prev = 0;
    sim_time t = 0;
    for (int i = 0; i < c->nrates; i++) {
        const struct rate_point *p = &c->rates[i];
        if (p->at > t)
            l->pieces[n++] = (struct rate_piece){t, p->at, prev, prev};
        t = p->at;
        if (p->ramp > 0) {
            l->pieces[n++] = (struct rate_piece){t, t + p->ramp, prev, p->rps};
            t += p->ramp;
        }
        prev = p->rps;
    }
    l->pieces[n++] = (struct rate_piece){t, SIM_TIME_MAX, prev, prev};
    l->npieces = n;
}

void load_init(struct world *w, struct load *l, const struct load_config *cfg)
{
    l->cfg = cfg;
    l->world = w;
    l->piece = 0;
    build_pieces(l);
    memset(&l->m, 0, sizeof l->m);
    sim_hist_init(&l->m.latency);
    memset(&l->rec, 0, sizeof l->rec);
    l->rec.last_bad = -1;
}

void load_fini(struct load *l) { free(l->pieces); }

static double piece_rate(const struct rate_piece *p, sim_time t)
{
    if (p->r0 == p->r1 || t <= p->t0)
        return p->r0;
    return p->r0 + (p->r1 - p->r0) * (double)(t - p->t0) / (double)(p->t1 - p->t0);
}

double load_rate(const struct load *l, sim_time t)
{
    for (int i = 0; i < l->npieces; i++)
        if (t < l->pieces[i].t1)
            return piece_rate(&l->pieces[i], t);
    return 0;
}

/* Constant arrivals: the next one is where the integral of the rate since
 * the last one reaches 1, solved piece by piece (a quadratic on a ramp), so
 * rate changes take effect exactly where they happen. */
static sim_time next_constant(struct load *l, sim_time t)
{
    double need = 1.0;
    for (int i = l->piece; i < l->npieces; i++) {
        const struct rate_piece *p = &l->pieces[i];
        if (t >= p->t1)
            continue;
        double r = piece_rate(p, t);
        double slope = p->r0 == p->r1 ? 0
                                      : (p->r1 - p->r0) / sim_time_to_s(p->t1 - p->t0); /* per s^2 */
        double span = p->t1 == SIM_TIME_MAX ? (double)INFINITY : sim_time_to_s(p->t1 - t);
        double area = slope == 0 ? r * span : r * span + 0.5 * slope * span * span;
        if (area >= need) {
            double x = slope == 0 ? need / r : (-r + sqrt(r * r + 2 * slope * need)) / slope;
            sim_time dt = sim_time_from_s(x);
            return t + (dt > 0 ? dt : 1);
        }
        need -= area;
        t = p->t1;
        if (t == SIM_TIME_MAX)
            break;
    }
    return SIM_TIME_MAX;
}

/* The next arrival strictly after t, or SIM_TIME_MAX. */
static sim_time next_arrival(struct load *l, sim_time t)
{
    for (;;) {
        while (l->piece < l->npieces && t >= l->pieces[l->piece].t1)
            l->piece++;
        if (l->piece >= l->npieces)
            return SIM_TIME_MAX;
        const struct rate_piece *p = &l->pieces[l->piece];
        double rmax = fmax(p->r0, p->r1);
        if (rmax <= 0) {
            if (p->t1 == SIM_TIME_MAX)
                return SIM_TIME_MAX;
            t = p->t1;
            continue;
        }
        if (l->cfg->constant)
            return next_constant(l, t);
        sim_time dt = sim_time_from_s(gsl_ran_exponential(l->arrival_rng, 1.0 / rmax));
        sim_time cand = t + (dt > 0 ? dt : 1);
        if (cand >= p->t1) {
            t = p->t1; /* memoryless: restart at the boundary with the new rate */
            continue;
        }
        if (p->r0 == p->r1 || gsl_rng_uniform(l->arrival_rng) * rmax < piece_rate(p, cand))
            return cand;
        t = cand; /* thinned */
    }
}

static void on_arrival(struct sim *sim, void *subject, void *object)
{
    (void)object;
    struct load *l = subject;
    sim_time now = sim_now(sim);
    sim_time next = next_arrival(l, now);
    if (next != SIM_TIME_MAX)
        sim_event_at(sim, next, on_arrival, l, NULL);
    struct call *c = call_create(l->world, &l->site, ORIGIN_LOAD, l, 0);
    if (c->counted)
        l->m.sent++;
    call_start(c);
}

static void on_rate_change(struct sim *sim, void *subject, void *object)
{
    struct load *l = subject;
    const struct rate_point *p = object;
    double before = load_rate(l, sim_now(sim) > 0 ? sim_now(sim) - 1 : 0);
    if (p->ramp > 0)
        sim_trace(sim, SIM_TRACE_INFO, "load", "%s: %g -> %g rps over %gs", l->cfg->name, before,
                  p->rps, sim_time_to_s(p->ramp));
    else
        sim_trace(sim, SIM_TRACE_INFO, "load", "%s: %g -> %g rps", l->cfg->name, before, p->rps);
}

void load_start(struct load *l)
{
    struct sim *sim = l->world->sim;
    for (int i = 0; i < l->cfg->nrates; i++) {
        const struct rate_point *p = &l->cfg->rates[i];
        if (p->at > 0)
            sim_event_at(sim, p->at, on_rate_change, l, (void *)p);
    }
    sim_time first = next_arrival(l, sim_now(sim));
    if (first != SIM_TIME_MAX)
        sim_event_at(sim, first, on_arrival, l, NULL);
}

#define RECOVERY_WINDOW (10 * SIM_S)
#define RECOVERY_MARGIN 0.05
#define RECOVERY_METASTABLE (60 * SIM_S)

static bool window_good(const struct recovery_metrics *r)
{
    if (r->win_n == 0 || r->base_n == 0)
        return false;
    double base = (double)r->base_ok / (double)r->base_n;
    return (double)r->win_ok / (double)r->win_n >= base - RECOVERY_MARGIN;
}

static void track_recovery(struct load *l, sim_time now, bool ok)
{
    struct world *w = l->world;
    struct recovery_metrics *r = &l->rec;
    if (w->cfg->nfaults == 0)
        return;
    if (now < w->first_fault) {
        r->base_n++;
        r->base_ok += ok;
        return;
    }
    if (now < w->last_fault_end)
        return;
    int64_t k = (now - w->last_fault_end) / RECOVERY_WINDOW;
    while (r->win < k) { /* windows with no outcome at all are bad */
        if (!window_good(r))
            r->last_bad = r->win;
        r->win++;
        r->win_ok = r->win_n = 0;
    }
    r->win_n++;
    r->win_ok += ok;
}

void load_done(struct load *l, struct call *c, enum outcome o)
{
    if (!c->counted)
        return;
    sim_time now = sim_now(l->world->sim);
    if (o == OUTCOME_OK)
        l->m.ok++;
    else
        l->m.failed++;
    if (o == OUTCOME_TIMEOUT)
        l->m.timed_out++;
    sim_hist_add(&l->m.latency, now - c->started);
    track_recovery(l, now, o == OUTCOME_OK);
}

void load_finish(struct load *l)
{
    struct world *w = l->world;
    struct recovery_metrics *r = &l->rec;
    r->baseline = r->base_n ? (double)r->base_ok / (double)r->base_n : (double)NAN;
    r->recovered_s = (double)NAN;
    r->metastable = false;
    if (w->cfg->nfaults == 0)
        return;
    sim_time end = w->last_fault_end;
    sim_time dur = w->cfg->duration;
    int64_t full = end < dur ? (dur - end) / RECOVERY_WINDOW : 0;
    /* Settle the window in progress and any empty ones after it. */
    while (r->win < full) {
        if (!window_good(r))
            r->last_bad = r->win;
        r->win++;
        r->win_ok = r->win_n = 0;
    }
    if (r->last_bad + 1 < full)
        r->recovered_s = sim_time_to_s((r->last_bad + 1) * RECOVERY_WINDOW);
    r->metastable = isnan(r->recovered_s) && dur - end >= RECOVERY_METASTABLE;
}
