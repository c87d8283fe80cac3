/* connpool.c - connection pools with FIFO waiters and acquire timeouts.
 *
 * Waiters link through the request's wlink; a waiter's acquire timer is its
 * qtimer (a running request never has a queue timer at the same time).
 */
#include "models/connpool.h"

#include "models/endpoint.h"

/* An interval whose peak use stayed at or under this share of the size,
 * with nobody waiting at its end, ends an "exhausted" episode. */
#define CPOOL_RECOVERED_SHARE 0.8

void cpool_init(struct cpool *p, struct service *s, int index, const struct pool_config *cfg)
{
    sim_time now = sim_now(s->world->sim);
    p->cfg = cfg;
    p->acquire_lane = sim_lane_create(s->world->sim);
    p->svc = s;
    p->index = index;
    p->size = cfg->size;
    p->in_use = 0;
    sim_list_init(&p->waiters);
    p->nwaiters = 0;
    p->exhausted = false;
    p->slow.factor = 1.0;
    p->slow.add = 0;
    p->m.acquired = p->m.acquire_failed = 0;
    sim_hist_init(&p->m.wait);
    sim_level_init(&p->m.in_use, now, 0);
}

static void take(struct cpool *p, struct req *r)
{
    struct sim *sim = p->svc->world->sim;
    p->in_use++;
    if (p->in_use > p->iv_peak) p->iv_peak = p->in_use;
    sim_level_set(&p->m.in_use, sim_now(sim), p->in_use);
    p->m.acquired++;
    sim_hist_add(&p->m.wait, sim_now(sim) - r->since);
}

static void on_acquire_timeout(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    (void)object;
    struct req *r = subject;
    struct cpool *p = &r->svc->pools[r->pool];
    r->qtimer = 0;
    sim_list_remove(&r->wlink);
    p->nwaiters--;
    p->m.acquire_failed++;
    r->pool = -1;
    ep_step_done(r, false);
}

enum cpool_result cpool_acquire(struct cpool *p, struct req *r)
{
    struct sim *sim = p->svc->world->sim;
    r->since = sim_now(sim);
    if (p->in_use < p->size && p->nwaiters == 0) {
        take(p, r);
        return CPOOL_GOT;
    }
    if (!p->exhausted) {
        p->exhausted = true;
        sim_trace(sim, SIM_TRACE_ERROR, p->svc->cfg->name, "pool %s exhausted (%d/%d)",
                  p->cfg->name, p->in_use, p->size);
    }
    if (p->cfg->acquire_timeout == 0) {
        p->m.acquire_failed++;
        return CPOOL_FAIL;
    }
    sim_list_push_back(&p->waiters, &r->wlink);
    p->nwaiters++;
    r->qtimer = sim_event_lane_after(sim, p->acquire_lane, p->cfg->acquire_timeout,
                                     on_acquire_timeout, r, NULL);
    return CPOOL_WAIT;
}

static void serve_waiters(struct cpool *p)
{
    struct sim *sim = p->svc->world->sim;
    while (p->nwaiters > 0 && p->in_use < p->size) {
        struct req *r = SIM_LIST_ENTRY(sim_list_pop_front(&p->waiters), struct req, wlink);
        p->nwaiters--;
        sim_event_cancel(sim, r->qtimer);
        r->qtimer = 0;
        take(p, r);
        ep_acquired(r);
    }
}

void cpool_sample(struct cpool *p)
{
    if (p->exhausted && p->nwaiters == 0 &&
        (double)p->iv_peak <= CPOOL_RECOVERED_SHARE * (double)p->size) {
        p->exhausted = false;
        sim_trace(p->svc->world->sim, SIM_TRACE_INFO, p->svc->cfg->name,
                  "pool %s recovered (at most %d/%d in use over the last %gs)", p->cfg->name,
                  p->iv_peak, p->size, sim_time_to_s(p->svc->world->cfg->sample));
    }
    p->iv_peak = p->in_use;
}

void cpool_release(struct cpool *p)
{
    SIM_ASSERT(p->in_use > 0);
    p->in_use--;
    sim_level_set(&p->m.in_use, sim_now(p->svc->world->sim), p->in_use);
    serve_waiters(p);
}

void cpool_cancel_wait(struct cpool *p, struct req *r)
{
    sim_list_remove(&r->wlink);
    p->nwaiters--;
}

void cpool_resize(struct cpool *p, int size)
{
    p->size = size;
    serve_waiters(p);
}
