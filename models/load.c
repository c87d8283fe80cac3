/* load.c - load sources (see load.h for the arrival process). */
#include "sim/kernel/sim_mem.h"
#include "models/load.h"

#include <math.h>
#include <string.h>

#include "models/call.h"

void load_init(struct world *w, struct load *l, const struct load_config *cfg, gsl_rng *rng)
{
    l->cfg = cfg;
    l->world = w;
    arr_init(&l->arr, cfg->rates, cfg->nrates, cfg->constant, rng);
    memset(&l->m, 0, sizeof l->m);
    sim_hist_init(&l->m.latency);
    memset(&l->rec, 0, sizeof l->rec);
    l->rec.last_bad = -1;
}

void load_fini(struct load *l)
{
    arr_fini(&l->arr);
}

double load_rate(const struct load *l, sim_time t)
{
    return arr_rate(&l->arr, t);
}

static void on_arrival(struct sim *sim, void *subject, void *object)
{
    (void)object;
    struct load *l = subject;
    sim_time now = sim_now(sim);
    sim_time next = arr_next(&l->arr, now);
    if (next != SIM_TIME_MAX) sim_event_at(sim, next, on_arrival, l, NULL);
    struct call *c = call_create(l->world, &l->site, ORIGIN_LOAD, l);
    if (c->counted) l->m.sent++;
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
        if (p->at > 0) sim_event_at(sim, p->at, on_rate_change, l, (void *)p);
    }
    sim_time first = arr_next(&l->arr, sim_now(sim));
    if (first != SIM_TIME_MAX) sim_event_at(sim, first, on_arrival, l, NULL);
}

#define RECOVERY_WINDOW     (10 * SIM_S)
#define RECOVERY_MARGIN     0.05
#define RECOVERY_METASTABLE (60 * SIM_S)

static bool window_good(const struct recovery_metrics *r)
{
    if (r->win_n == 0 || r->base_n == 0) return false;
    double base = (double)r->base_ok / (double)r->base_n;
    return (double)r->win_ok / (double)r->win_n >= base - RECOVERY_MARGIN;
}

static void track_recovery(struct load *l, sim_time now, bool ok)
{
    struct world *w = l->world;
    struct recovery_metrics *r = &l->rec;
    if (w->cfg->nfaults == 0) return;
    if (now < w->first_fault) {
        r->base_n++;
        r->base_ok += ok;
        return;
    }
    if (now < w->last_fault_end) return;
    int64_t k = (now - w->last_fault_end) / RECOVERY_WINDOW;
    while (r->win < k) { /* windows with no outcome at all are bad */
        if (!window_good(r)) r->last_bad = r->win;
        r->win++;
        r->win_ok = r->win_n = 0;
    }
    r->win_n++;
    r->win_ok += ok;
}

void load_done(struct load *l, struct call *c, enum outcome o)
{
    if (!c->counted) return;
    sim_time now = sim_now(l->world->sim);
    if (o == OUTCOME_OK)
        l->m.ok++;
    else
        l->m.failed++;
    if (o == OUTCOME_TIMEOUT) l->m.timed_out++;
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
    if (w->cfg->nfaults == 0) return;
    sim_time end = w->last_fault_end;
    sim_time dur = w->cfg->duration;
    int64_t full = end < dur ? (dur - end) / RECOVERY_WINDOW : 0;
    /* Settle the window in progress and any empty ones after it. */
    while (r->win < full) {
        if (!window_good(r)) r->last_bad = r->win;
        r->win++;
        r->win_ok = r->win_n = 0;
    }
    if (r->last_bad + 1 < full) r->recovered_s = sim_time_to_s((r->last_bad + 1) * RECOVERY_WINDOW);
    r->metastable = isnan(r->recovered_s) && dur - end >= RECOVERY_METASTABLE;
}
