/* fault.c - scheduled faults (see fault.h). */
#include "sim/kernel/sim_mem.h"
#include "models/fault.h"

#include <stdio.h>
#include <stdlib.h>

#include "models/connpool.h"
#include "models/endpoint.h"
#include "models/service.h"

/* "payment", "payment.charge" or "payment.db" */
static void target_name(const struct world *w, const struct fault_config *f, char *buf, size_t n)
{
    const struct service_config *s = &w->cfg->services[f->service];
    if (f->pool >= 0)
        snprintf(buf, n, "%s.%s", s->name, s->pools[f->pool].name);
    else if (f->endpoint >= 0)
        snprintf(buf, n, "%s.%s", s->name, s->endpoints[f->endpoint].name);
    else
        snprintf(buf, n, "%s", s->name);
}

/* Recompute slowdowns and error rates of every element from the active
 * faults. Rare (twice per fault), and exact: nothing is undone by division. */
static void recompute(struct world *w)
{
    for (int i = 0; i < w->nsvcs; i++) {
        struct service *s = &w->svcs[i];
        s->slow = (struct slowdown){1.0, 0};
        s->fault_error_rate = 0;
        for (int e = 0; e < s->cfg->nendpoints; e++) {
            s->eps[e].slow = (struct slowdown){1.0, 0};
            s->eps[e].fault_error_rate = 0;
        }
        for (int p = 0; p < s->cfg->npools; p++)
            s->pools[p].slow = (struct slowdown){1.0, 0};
    }
    for (int i = 0; i < w->cfg->nfaults; i++) {
        const struct fault_config *f = &w->cfg->faults[i];
        if (!w->fault_active[i]) continue;
        struct service *s = &w->svcs[f->service];
        struct slowdown *sd = f->pool >= 0       ? &s->pools[f->pool].slow
                              : f->endpoint >= 0 ? &s->eps[f->endpoint].slow
                                                 : &s->slow;
        double *er =
            f->endpoint >= 0 ? &s->eps[f->endpoint].fault_error_rate : &s->fault_error_rate;
        if (f->kind == FAULT_SLOW) {
            sd->factor *= f->factor;
            sd->add += f->add;
        } else if (f->kind == FAULT_ERRORS) {
            *er += f->rate;
        }
    }
    for (int i = 0; i < w->nsvcs; i++)
        for (int e = 0; e < w->svcs[i].cfg->nendpoints; e++)
            ep_set_flags(&w->svcs[i].eps[e]);
}

static void describe(const struct fault_config *f, char *buf, size_t n)
{
    switch (f->kind) {
    case FAULT_CRASH:
        snprintf(buf, n, "crash (%s)", f->hang ? "hang" : "refuse");
        break;
    case FAULT_SLOW:
        if (f->add > 0)
            snprintf(buf, n, "slow x%g +%gms", f->factor, sim_time_to_ms(f->add));
        else
            snprintf(buf, n, "slow x%g", f->factor);
        break;
    case FAULT_ERRORS:
        snprintf(buf, n, "errors %g%%", f->rate * 100);
        break;
    case FAULT_POOL:
        snprintf(buf, n, "pool size %d", f->size);
        break;
    case FAULT_PAUSE:
        snprintf(buf, n, "pause");
        break;
    }
}

static void apply(struct world *w, int i, bool on)
{
    const struct fault_config *f = &w->cfg->faults[i];
    struct service *s = &w->svcs[f->service];
    char target[160], what[64];
    target_name(w, f, target, sizeof target);
    describe(f, what, sizeof what);
    w->fault_active[i] = on;
    sim_trace(w->sim, SIM_TRACE_WARN, s->cfg->name, "fault %s: %s on %s", on ? "start" : "end",
              what, target);
    switch (f->kind) {
    case FAULT_CRASH:
        if (on)
            svc_crash(s, f->hang, false, what);
        else
            svc_restart(s);
        break;
    case FAULT_PAUSE:
        if (on)
            svc_pause(s);
        else
            svc_unpause(s);
        break;
    case FAULT_SLOW:
    case FAULT_ERRORS:
        recompute(w);
        break;
    case FAULT_POOL:
        cpool_resize(&s->pools[f->pool], on ? f->size : s->pools[f->pool].cfg->size);
        break;
    }
}

static void on_fault_start(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    apply(subject, (int)(intptr_t)object, true);
}

static void on_fault_end(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    apply(subject, (int)(intptr_t)object, false);
}

void fault_start_all(struct world *w)
{
    w->fault_active = sim_xcalloc((size_t)w->cfg->nfaults + 1, sizeof *w->fault_active);
    w->first_fault = SIM_TIME_MAX;
    w->last_fault_end = 0;
    for (int i = 0; i < w->cfg->nfaults; i++) {
        const struct fault_config *f = &w->cfg->faults[i];
        sim_event_at(w->sim, f->at, on_fault_start, w, (void *)(intptr_t)i);
        if (f->until != SIM_TIME_MAX)
            sim_event_at(w->sim, f->until, on_fault_end, w, (void *)(intptr_t)i);
        if (f->at < w->first_fault) w->first_fault = f->at;
        sim_time end = f->until == SIM_TIME_MAX ? f->at : f->until;
        if (end > w->last_fault_end) w->last_fault_end = end;
    }
}

void fault_fini(struct world *w)
{
    free(w->fault_active);
}
