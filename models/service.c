/* service.c - admission, threads, the accept queue, crash and pause.
 *
 * Levels (busy, blocked, queue) change on every transition, so they are
 * updated in place with the current time; their averages are time-weighted
 * by construction. The timeline's saturation lines use hysteresis in time: a
 * service is "saturated" the moment a request must queue with every thread
 * taken, and "recovered" at the first sample tick after an interval in which
 * the queue emptied and threads in use never exceeded 80% of the pool. A
 * service hovering at its limit (an M/M/1 at rho 0.9 queues every few
 * milliseconds) therefore writes two lines, not one per queueing request.
 */
#include "models/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/call.h"
#include "models/connpool.h"
#include "models/endpoint.h"
#include "models/saga.h"

/* Under this share of threads in use a saturated service has recovered. */
#define SVC_RECOVERED_SHARE 0.8

void svc_init(struct world *w, struct service *s, int index, const struct service_config *cfg)
{
    sim_time now = sim_now(w->sim);
    s->cfg = cfg;
    s->queue_lane = sim_lane_create(w->sim);
    s->world = w;
    s->index = index;
    s->state = SVC_UP;
    s->threads = cfg->threads;
    sim_list_init(&s->queue);
    sim_list_init(&s->running);
    sim_list_init(&s->resume);
    s->slow.factor = 1.0;
    memset(&s->m, 0, sizeof s->m);
    sim_hist_init(&s->m.queue_wait);
    sim_hist_init(&s->m.latency);
    sim_level_init(&s->m.busy, now, 0);
    sim_level_init(&s->m.blocked, now, 0);
    sim_level_init(&s->m.queue, now, 0);
    /* The interval histograms come zeroed, which is empty, from world_create's
     * calloc: `before` costs no memory in a run without a warm-up. */
    met_interval_reset(&s->iv);
    /* Only a crash (a fault's, or out of memory) and a pause walk the
     * running requests. A service that can have neither keeps no list,
     * whose unlinking wrote two other requests' records at every request's
     * end (1e5 in flight: -5% time per event, medians of 7). */
    s->track_running = cfg->max_inflight > 0;
    for (int i = 0; i < w->cfg->nfaults; i++) {
        const struct fault_config *f = &w->cfg->faults[i];
        if (f->service == index && (f->kind == FAULT_CRASH || f->kind == FAULT_PAUSE))
            s->track_running = true;
    }
}

void svc_fini(struct service *s)
{
    free(s->pools);
    for (int e = 0; e < s->cfg->nendpoints; e++)
        free(s->eps[e].sites);
    free(s->eps);
}

static int in_use(const struct service *s)
{
    return s->busy + s->blocked;
}

static void set_levels(struct service *s)
{
    sim_time now = sim_now(s->world->sim);
    sim_level_set(&s->m.busy, now, s->busy);
    /* A level that stays at 0 adds 0 to its integral whenever it is
     * updated, so skipping the update is exact: services that never block
     * (no calls, no pools) pay for one level, not two. */
    if (s->blocked != 0 || s->m.blocked.value != 0) sim_level_set(&s->m.blocked, now, s->blocked);
}

static SIM_NOINLINE struct req *new_req_grown(struct site *site, struct call *caller, uint32_t gen)
{
    sim_pool_reserve(&site->world->reqs);
    return svc_new_req(site, caller, gen);
}

/* A request working for a saga instance holds a reference to it. */
static SIM_NOINLINE struct req *new_req_ref(struct req *r)
{
    saga_ref(r->corr);
    return r;
}

struct req *svc_new_req(struct site *site, struct call *caller, uint32_t gen)
{
    struct world *w = site->world;
    /* The calls that might be made are jumps to functions of their own,
     * so none of this is saved across them (see sim_pool_reserve). */
    if (SIM_UNLIKELY(!w->reqs.free)) return new_req_grown(site, caller, gen);
    struct req *r = sim_pool_get(&w->reqs);
    /* A recycled record keeps its last owner's fields: every one is set
     * here, except `arrived` (svc_arrive) and the time union (ev_at, since,
     * remaining), whose fields are written before they are read (see
     * struct req). `out` is cleared: ep_abort reads it. */
    sim_list_init(&r->link);
    r->svc = site->callee;
    r->ep = site->callee_ep;
    r->caller = caller;
    r->site = site;
    r->caller_gen = gen;
    r->step = 0;
    r->phase = REQ_QUEUED;
    r->resume = RESUME_NONE;
    r->blocked = false;
    r->failed = false;
    r->permit = false;
    r->frozen = false;
    r->pool = -1;
    r->ev = 0;
    r->corr = caller->corr;
    sim_list_init(&r->wlink);
    r->qtimer = 0;
    r->out = NULL;
    if (r->corr) return new_req_ref(r);
    return r;
}

void svc__free_req(struct req *r)
{
    if (r->permit) call__req_gone(r); /* only a bulkhead's requests hold one */
    struct call *c = r->caller;
    if (c->gen == r->caller_gen && c->inflight == r) c->inflight = NULL;
    struct saga_inst *corr = r->corr;
    sim_pool_put(&r->svc->world->reqs, r);
    if (corr) /* last: the verdict may be written now */
        saga_unref(corr);
}

/* The caller gets the outcome; the request, done, is freed first. */
static SIM_ALWAYS_INLINE void respond_now(struct req *r, enum outcome o)
{
    struct call *c = r->caller;
    uint32_t gen = r->caller_gen;
    svc__free_req(r);
    call_response(c, gen, o);
}

static void on_response(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    respond_now(subject, (enum outcome)(uintptr_t)object);
}

/* The response crosses a network edge with latency: it arrives later, or
 * at once if this draw is 0. */
static SIM_NOINLINE void respond_late(struct req *r, enum outcome o)
{
    const struct site *site = r->site;
    sim_time lat = sim_dist_sample_time(site->latency, site->latency_rng);
    if (lat > 0) {
        r->phase = REQ_RESPONDING;
        sim_event_after(r->svc->world->sim, lat, on_response, r, (void *)(uintptr_t)o);
        return;
    }
    respond_now(r, o);
}

void svc__respond(struct req *r, enum outcome o)
{
    if (r->site->latency) {
        respond_late(r, o);
        return;
    }
    respond_now(r, o);
}

static void start_running(struct req *r)
{
    struct service *s = r->svc;
    sim_time now = sim_now(s->world->sim);
    r->phase = REQ_RUNNING;
    r->blocked = false;
    s->busy++;
    if (in_use(s) > s->iv_peak) s->iv_peak = in_use(s);
    set_levels(s);
    if (s->track_running) sim_list_push_back(&s->running, &r->link); /* else self-linked */
    sim_hist_add(&s->m.queue_wait, now - r->arrived);
    ep_start(r);
}

void svc_sample(struct service *s)
{
    if (s->saturated && s->queued == 0 &&
        (double)s->iv_peak <= SVC_RECOVERED_SHARE * (double)s->threads) {
        s->saturated = false;
        sim_trace(s->world->sim, SIM_TRACE_INFO, s->cfg->name,
                  "thread pool recovered (at most %d/%d in use over the last %gs)", s->iv_peak,
                  s->threads, sim_time_to_s(s->world->cfg->sample));
    }
    s->iv_peak = in_use(s);
}

/* Start queued requests while threads are free. */
static void dispatch(struct service *s)
{
    while (s->queued > 0 && !s->paused && s->state == SVC_UP &&
           (s->threads == 0 || in_use(s) < s->threads)) {
        struct sim_list *n =
            s->cfg->lifo ? sim_list_pop_back(&s->queue) : sim_list_pop_front(&s->queue);
        struct req *r = SIM_LIST_ENTRY(n, struct req, link);
        s->queued--;
        sim_level_set(&s->m.queue, sim_now(s->world->sim), (double)s->queued);
        if (r->qtimer) {
            sim_event_cancel(s->world->sim, r->qtimer);
            r->qtimer = 0;
        }
        start_running(r);
    }
}

static void on_queue_timeout(struct sim *sim, void *subject, void *object)
{
    (void)object;
    struct req *r = subject;
    struct service *s = r->svc;
    r->qtimer = 0;
    sim_list_remove(&r->link);
    s->queued--;
    sim_level_set(&s->m.queue, sim_now(sim), (double)s->queued);
    s->m.dropped++;
    s->iv.rejections++;
    svc__respond(r, OUTCOME_REJECTED);
}

static void reject(struct req *r)
{
    struct service *s = r->svc;
    if (s->state == SVC_DOWN && s->hang) {
        /* Swallowed: the service never saw it and the caller waits for its
         * timeout, which is where it is counted. */
        svc__free_req(r);
        return;
    }
    s->m.rejected++;
    s->iv.rejections++;
    svc__respond(r, OUTCOME_REJECTED);
}

/* Kept out of svc_arrive, whose every call paid for this message's buffer. */
static SIM_NOINLINE void out_of_memory(struct service *s)
{
    char why[96];
    snprintf(why, sizeof why, "out of memory (%lld requests in flight > %lld)",
             (long long)(s->queued + in_use(s)), (long long)s->cfg->max_inflight);
    svc_crash(s, false, true, why);
}

/* The queue's rarer events: a wait with a timeout, and the first wait of a
 * saturation, which the timeline reports. */
static SIM_NOINLINE void queued_rare(struct req *r)
{
    struct service *s = r->svc;
    struct sim *sim = s->world->sim;
    if (s->cfg->queue_timeout > 0)
        r->qtimer = sim_event_lane_after(sim, s->queue_lane, s->cfg->queue_timeout,
                                         on_queue_timeout, r, NULL);
    if (!s->saturated && s->threads > 0) {
        s->saturated = true;
        sim_trace(sim, SIM_TRACE_WARN, s->cfg->name,
                  "thread pool saturated (%d/%d in use, %d blocked), requests queue", in_use(s),
                  s->threads, s->blocked);
    }
}

static inline void arrive(struct req *r)
{
    struct service *s = r->svc;
    sim_time now = sim_now(s->world->sim);
    r->arrived = now;
    bool free_thread = s->queued == 0 && !s->paused && (s->threads == 0 || in_use(s) < s->threads);
    if (s->state == SVC_DOWN ||
        (!free_thread && s->cfg->queue >= 0 && s->queued >= s->cfg->queue)) {
        reject(r); /* never admitted: not counted as arrived */
        return;
    }
    s->m.arrived++;
    s->iv.arrivals++;
    if (free_thread) {
        start_running(r);
        return;
    }
    s->m.waited++;
    s->queued++;
    sim_level_set(&s->m.queue, now, (double)s->queued);
    sim_list_push_back(&s->queue, &r->link); /* lifo pops from the back */
    if (s->cfg->queue_timeout > 0 || (!s->saturated && s->threads > 0)) queued_rare(r);
}

/* A service with a memory bound crashes when an arrival takes it past. */
static SIM_NOINLINE void arrive_bounded(struct req *r)
{
    struct service *s = r->svc;
    arrive(r);
    if (s->queued + in_use(s) > s->cfg->max_inflight) out_of_memory(s);
}

/* Without a bound every way out of arrive is a jump, and nothing is saved
 * across a call. */
void svc_arrive(struct req *r)
{
    if (SIM_UNLIKELY(r->svc->cfg->max_inflight > 0)) {
        arrive_bounded(r);
        return;
    }
    arrive(r);
}

void svc_set_blocked(struct req *r, bool blocked)
{
    if (r->blocked == blocked) return;
    struct service *s = r->svc;
    r->blocked = blocked;
    if (blocked) {
        s->busy--;
        s->blocked++;
    } else {
        s->blocked--;
        s->busy++;
    }
    set_levels(s);
}

static void release_thread(struct req *r)
{
    struct service *s = r->svc;
    if (r->blocked)
        s->blocked--;
    else
        s->busy--;
    set_levels(s);
    sim_list_remove(&r->link);
    sim_list_remove(&r->wlink);
}

void svc_finish(struct req *r, enum outcome o)
{
    struct service *s = r->svc;
    sim_time now = sim_now(s->world->sim);
    release_thread(r);
    if (o == OUTCOME_OK) {
        s->m.completed++;
        s->iv.completions++;
        r->ep->m.completed++;
        sim_hist_add(&s->iv.latency, now - r->arrived); /* and m.latency: see svc_interval */
        /* A lone endpoint's histogram is the service's: world_finish copies
         * it rather than every request paying for a second one. */
        if (s->cfg->nendpoints > 1) sim_hist_add(&r->ep->m.latency, now - r->arrived);
    } else {
        s->m.failed++;
        s->iv.failures++;
        r->ep->m.failed++;
    }
    dispatch(s);
    svc__respond(r, o);
}

void svc_cancel(struct req *r)
{
    struct service *s = r->svc;
    struct sim *sim = s->world->sim;
    if (r->phase == REQ_RESPONDING || (r->phase == REQ_QUEUED && !sim_list_is_linked(&r->link)))
        return; /* answered, or still travelling: on_arrive drops it (stale generation) */
    if (r->phase == REQ_QUEUED) {
        if (sim_list_is_linked(&r->link)) {
            sim_list_remove(&r->link);
            s->queued--;
            sim_level_set(&s->m.queue, sim_now(sim), (double)s->queued);
        }
        if (r->qtimer) sim_event_cancel(sim, r->qtimer);
        r->qtimer = 0;
        svc__free_req(r);
        return;
    }
    ep_abort(r);
    release_thread(r);
    s->m.failed++;
    s->iv.failures++;
    r->ep->m.failed++;
    dispatch(s);
    svc__free_req(r);
}

/* Lose every queued and running request; answer refused (or nothing). */
static void drop_all(struct service *s, bool answer)
{
    struct sim *sim = s->world->sim;
    struct sim_list *n;
    while ((n = sim_list_pop_front(&s->queue)) != NULL) {
        struct req *r = SIM_LIST_ENTRY(n, struct req, link);
        if (r->qtimer) sim_event_cancel(sim, r->qtimer);
        r->qtimer = 0;
        s->m.failed++;
        s->iv.failures++;
        if (answer)
            svc__respond(r, OUTCOME_ERROR);
        else
            svc__free_req(r);
    }
    s->queued = 0;
    while ((n = sim_list_pop_front(&s->running)) != NULL) {
        struct req *r = SIM_LIST_ENTRY(n, struct req, link);
        ep_abort(r);
        sim_list_remove(&r->wlink);
        s->m.failed++;
        s->iv.failures++;
        r->ep->m.failed++;
        if (answer)
            svc__respond(r, OUTCOME_ERROR);
        else
            svc__free_req(r);
    }
    s->busy = s->blocked = 0;
    set_levels(s);
    sim_level_set(&s->m.queue, sim_now(sim), 0);
}

static void on_restart(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    (void)object;
    struct service *s = subject;
    s->restart_ev = 0;
    svc_restart(s);
}

void svc_crash(struct service *s, bool hang, bool oom, const char *why)
{
    struct sim *sim = s->world->sim;
    if (s->state == SVC_DOWN) return;
    SIM_ASSERT(s->track_running);
    s->state = SVC_DOWN;
    s->hang = hang;
    s->m.crashes++;
    sim_trace(sim, SIM_TRACE_ERROR, s->cfg->name, "CRASH: %s (%lld queued, %d running); %s", why,
              (long long)s->queued, in_use(s),
              hang ? "callers hang until their timeout" : "connections refused");
    /* A process that dies resets its connections: callers of the requests it
     * held fail at once, unless the crash hangs (a frozen host never answers). */
    drop_all(s, !hang);
    s->saturated = false;
    if (oom && s->cfg->restart > 0)
        s->restart_ev = sim_event_after(sim, s->cfg->restart, on_restart, s, NULL);
    SIM_ASSERT(s->busy == 0 && s->blocked == 0 && s->queued == 0);
}

void svc_restart(struct service *s)
{
    if (s->state == SVC_UP) return;
    if (s->restart_ev) sim_event_cancel(s->world->sim, s->restart_ev);
    s->restart_ev = 0;
    s->state = SVC_UP;
    s->hang = false;
    sim_trace(s->world->sim, SIM_TRACE_INFO, s->cfg->name, "restarted");
    SIM_ASSERT(s->busy == 0 && s->blocked == 0 && s->queued == 0);
}

void svc_pause(struct service *s)
{
    SIM_ASSERT(s->track_running);
    if (s->paused++ > 0) return;
    struct sim_list *n;
    for (n = s->running.next; n != &s->running; n = n->next)
        ep_freeze(SIM_LIST_ENTRY(n, struct req, link));
}

void svc_unpause(struct service *s)
{
    SIM_ASSERT(s->paused > 0);
    if (--s->paused > 0) return;
    struct sim_list *n;
    for (n = s->running.next; n != &s->running; n = n->next)
        ep_thaw(SIM_LIST_ENTRY(n, struct req, link));
    /* Continuations parked during the pause run in the order they arrived. */
    while ((n = sim_list_pop_front(&s->resume)) != NULL)
        ep_resume(SIM_LIST_ENTRY(n, struct req, wlink));
    dispatch(s);
}
