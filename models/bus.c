/* bus.c - the event bus and projections (see bus.h). */
#include "models/bus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/call.h"
#include "models/saga.h"
#include "sim/kernel/sim_assert.h"
#include "sim/kernel/sim_mem.h"

void bus_build(struct world *w)
{
    const struct world_config *cfg = w->cfg;
    if (cfg->nevents == 0) return;
    struct bus *b = sim_xcalloc(1, sizeof *b);
    w->bus = b;
    b->cfg = &cfg->bus;
    b->latency_rng = sim_rng_stream(w->sim, "bus/latency");
    b->dup_rng = sim_rng_stream(w->sim, "bus/duplicate");
    sim_pool_init(&b->deliveries, sizeof(struct bus_delivery));
    sim_pool_init(&b->msgs, sizeof(struct bus_msg));
    b->nprojs = cfg->nprojections;
    b->projs = sim_xcalloc((size_t)b->nprojs + 1, sizeof *b->projs);
    for (int k = 0; k < b->nprojs; k++) {
        struct projection *p = &b->projs[k];
        char name[300];
        snprintf(name, sizeof name, "projection/%s/read_after", cfg->projections[k].name);
        p->cfg = &cfg->projections[k];
        p->read_rng = sim_rng_stream(w->sim, name);
        sim_hist_init(&p->m.lag);
    }
    /* Targets grouped by event, subscriptions first then projections, each
     * in file order: the order deliveries of one publish are scheduled. */
    int n = cfg->nsubscriptions;
    for (int k = 0; k < cfg->nprojections; k++)
        n += cfg->projections[k].nevents;
    b->targets = sim_xcalloc((size_t)n + 1, sizeof *b->targets);
    b->first = sim_xcalloc((size_t)cfg->nevents + 1, sizeof *b->first);
    for (int e = 0; e < cfg->nevents; e++) {
        b->first[e] = b->ntargets;
        for (int k = 0; k < cfg->nsubscriptions; k++) {
            const struct subscription_config *sc = &cfg->subscriptions[k];
            if (sc->event != e) continue;
            struct call_config cc = {sc->service, sc->endpoint, -1, false};
            b->targets[b->ntargets++].site = world_site(w, cfg->events[e], &cc, false);
        }
        for (int k = 0; k < cfg->nprojections; k++) {
            const struct projection_config *pc = &cfg->projections[k];
            for (int j = 0; j < pc->nevents; j++) {
                if (pc->events[j] != e) continue;
                struct call_config cc = {pc->service, pc->endpoint, -1, false};
                struct bus_target *t = &b->targets[b->ntargets++];
                t->site = world_site(w, cfg->events[e], &cc, false);
                t->proj = &b->projs[k];
            }
        }
    }
    b->first[cfg->nevents] = b->ntargets;
}

void bus_destroy(struct world *w)
{
    struct bus *b = w->bus;
    if (!b) return;
    free(b->targets);
    free(b->first);
    free(b->projs);
    sim_pool_fini(&b->deliveries);
    sim_pool_fini(&b->msgs);
    free(b);
    w->bus = NULL;
}

static void msg_unref(struct bus *b, struct bus_msg *m)
{
    SIM_ASSERT(m->refs > 0);
    if (--m->refs == 0) sim_pool_put(&b->msgs, m);
}

static void on_read(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    struct bus_msg *m = subject;
    struct bus *b = object;
    if (m->counted) {
        m->proj->m.reads++;
        m->proj->m.stale += !m->applied;
    }
    msg_unref(b, m);
}

static void done(struct bus *b, struct bus_delivery *d)
{
    msg_unref(b, d->msg);
    struct saga_inst *corr = d->corr;
    sim_pool_put(&b->deliveries, d);
    if (corr) /* last: the verdict may be written now */
        saga_unref(corr);
}

static void on_deliver(struct sim *sim, void *subject, void *object);

/* A delivery failed (or conflicted): deliver it again `after`, or give up. */
static void failed(struct bus *b, struct bus_delivery *d)
{
    if (d->attempt < b->cfg->attempts) {
        d->attempt++;
        if (d->msg->counted) b->m.redelivered++;
        sim_event_after(d->target->site->world->sim, b->cfg->after, on_deliver, d, NULL);
        return;
    }
    if (d->msg->counted) b->m.dead_lettered++;
    done(b, d);
}

static void on_deliver(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    (void)object;
    struct bus_delivery *d = subject;
    struct bus *b = d->target->site->world->bus;
    struct bus_msg *m = d->msg;
    if (d->target->site->callee_ep->cfg->idempotent) {
        if (m->handled) { /* the dedup table has it: acknowledge */
            if (d->msg->counted) b->m.discarded++;
            done(b, d);
            return;
        }
        if (m->running > 0) { /* the other copy's transaction holds the key: wait for it */
            d->next_waiting = m->waiting;
            m->waiting = d;
            return;
        }
    }
    m->running++;
    call_start(call_create(d->target->site->world, d->target->site, ORIGIN_BUS, d));
}

static void send_copy(struct world *w, struct bus_target *t, struct saga_inst *corr,
                      struct bus_msg *m)
{
    struct bus *b = w->bus;
    struct bus_delivery *d = sim_pool_get(&b->deliveries);
    d->target = t;
    d->corr = corr;
    d->msg = m;
    d->attempt = 1;
    if (corr) saga_ref(corr);
    m->refs++;
    sim_time lat = sim_dist_sample_time(&b->cfg->latency, b->latency_rng);
    sim_event_after(w->sim, lat, on_deliver, d, NULL);
}

void bus_publish(struct world *w, int event, struct saga_inst *corr)
{
    struct bus *b = w->bus;
    struct sim *sim = w->sim;
    bool counted = world_counts(w, sim_now(w->sim));
    if (counted) b->m.published++;
    if (corr) saga_event(corr, event);
    for (int k = b->first[event]; k < b->first[event + 1]; k++) {
        struct bus_target *t = &b->targets[k];
        struct bus_msg *m = sim_pool_get(&b->msgs);
        m->proj = t->proj;
        m->published = sim_now(sim);
        m->refs = m->running = 0;
        m->waiting = NULL;
        m->handled = m->applied = false;
        m->counted = counted;
        if (t->proj && t->proj->cfg->has_read_after) {
            m->refs++;
            sim_time after = sim_dist_sample_time(&t->proj->cfg->read_after, t->proj->read_rng);
            sim_event_after(sim, after, on_read, m, b);
        }
        send_copy(w, t, corr, m);
        if (b->cfg->duplicate > 0 && gsl_rng_uniform(b->dup_rng) < b->cfg->duplicate) {
            if (counted) b->m.duplicated++;
            send_copy(w, t, corr, m);
        }
    }
}

void bus_delivered(struct bus_delivery *d, struct call *c, enum outcome o)
{
    struct world *w = d->target->site->world;
    struct bus *b = w->bus;
    struct bus_msg *m = d->msg;
    m->running--;
    /* A failure the endpoint answered with an event was handled. */
    bool handled =
        o == OUTCOME_OK || (o == OUTCOME_ERROR && c->site->callee_ep->cfg->on_failure >= 0);
    if (handled) {
        if (d->msg->counted) b->m.delivered++;
        m->handled = true;
    }
    /* A projection's first successful copy applies the event. */
    if (o == OUTCOME_OK && !m->applied) {
        m->applied = true;
        if (m->proj && m->counted) {
            m->proj->m.applied++;
            sim_hist_add(&m->proj->m.lag, sim_now(w->sim) - m->published);
        }
    }
    /* Copies that waited on the dedup key go on: discarded if this one
     * handled the message, run otherwise. */
    struct bus_delivery *waiting = m->running == 0 ? m->waiting : NULL;
    if (waiting) m->waiting = NULL;
    if (handled)
        done(b, d);
    else
        failed(b, d);
    while (waiting) {
        struct bus_delivery *next = waiting->next_waiting;
        on_deliver(w->sim, waiting, NULL);
        waiting = next;
    }
}
