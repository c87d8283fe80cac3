/* endpoint.c - the step interpreter.
 *
 * Each request carries at most one pending timed event (`ev`: the end of a
 * work or hold step) and one wait timer (`qtimer`: queue or acquire timeout),
 * both cancelled when the request stops; so a request never leaves an event
 * behind that could fire on a recycled record.
 *
 * Random draws: work times, hold times and error decisions come from the
 * endpoint's own streams, and the error stream is drawn only when an error
 * probability is in force, so a variant that adds an `errors` fault elsewhere
 * does not shift this endpoint's draws.
 */
#include "models/endpoint.h"

#include "models/bus.h"
#include "models/call.h"
#include "models/connpool.h"
#include "models/saga.h"
#include "models/service.h"

static void run(struct req *r);

static sim_time slowed(sim_time d, const struct slowdown *sd)
{
    if (slowdown_is_none(sd)) return d;
    double x = (double)d * sd->factor + (double)sd->add;
    return x <= 0 ? 0 : (sim_time)(x + 0.5);
}

/* The object is a prefetch hint (see sim_event.h): the end of the last step
 * answers the caller, whose call record is then the next cache miss. */
static void schedule(struct req *r, sim_time d, sim_event_fn *fn)
{
    struct sim *sim = r->svc->world->sim;
    r->ev_at = sim_now(sim) + d;
    r->ev = sim_event_at(sim, r->ev_at, fn, r, r->caller);
}

static void on_work_done(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    struct req *r = subject;
    const struct call *c = object; /* r->caller, fetched with r (see schedule) */
    /* ... and whoever made the call comes after it: start loading it now,
     * while this request's own end is accounted (1e5 in flight: -3% time
     * per event). */
    SIM_PREFETCH(c->owner);
    SIM_PREFETCH((const void *)((uintptr_t)c->owner + 64));
    r->ev = 0;
    ep_step_done(r, true);
}

/* The hint for on_work_done (see sim_event_set_hint): when a request that
 * serves another request's call finishes its work, that request (the
 * call's owner) continues, and finishes in turn by answering its own
 * caller's call; fetch one, then the other. The call and the owner may be
 * stale (a call that timed out left this request running): their fields
 * are only prefetched, and every record stays mapped in its pool. */
static void hint_work_done(const void *subject, const void *object, int ahead)
{
    (void)subject;
    const struct call *c = object; /* r->caller: see schedule */
    if (c->origin != ORIGIN_REQ) return;
    const struct req *owner = c->owner;
    if (ahead == 2) {
        SIM_PREFETCH(owner);
        SIM_PREFETCH((const void *)((uintptr_t)owner + 64));
    } else {
        SIM_PREFETCH(owner->caller);
    }
}

void ep_init(struct world *w)
{
    sim_event_set_hint(w->sim, on_work_done, hint_work_done);
}

static void on_hold_done(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    (void)object;
    struct req *r = subject;
    r->ev = 0;
    struct cpool *p = &r->svc->pools[r->pool];
    r->pool = -1;
    cpool_release(p);
    ep_step_done(r, true);
}

static void start_hold(struct req *r)
{
    const struct step_config *st = &r->ep->cfg->steps[r->step];
    struct cpool *p = &r->svc->pools[r->pool];
    sim_time d = sim_dist_sample_time(&st->dist, r->ep->hold_rng);
    d = slowed(slowed(slowed(d, &p->slow), &r->ep->slow), &r->svc->slow);
    schedule(r, d, on_hold_done);
}

static void park(struct req *r, enum req_resume how)
{
    r->resume = how;
    sim_list_push_back(&r->svc->resume, &r->wlink);
}

/* A transactional outbox: the events of a request's publish steps commit
 * with its local transaction, so they leave only when it succeeds, in step
 * order, at its end. A request that fails publishes nothing but its
 * on_failure event: a declined payment never says PaymentProcessed. */
static void publish_all(struct req *r)
{
    const struct endpoint_config *ec = r->ep->cfg;
    struct world *w = r->svc->world;
    for (int k = 0; k < ec->nsteps; k++) {
        const struct step_config *st = &ec->steps[k];
        if (st->kind != STEP_PUBLISH) continue;
        int event = st->event;
        if (st->event_p < 1 && gsl_rng_uniform(r->ep->pub_rng) >= st->event_p)
            event = st->event_else;
        if (event >= 0) bus_publish(w, event, r->corr);
    }
}

static SIM_NOINLINE void finish_full(struct req *r)
{
    struct endpoint *ep = r->ep;
    enum outcome o = OUTCOME_OK;
    if (r->failed) {
        o = OUTCOME_ERROR;
    } else if (ep->may_fail) {
        double p = ep->cfg->error_rate + ep->fault_error_rate + r->svc->fault_error_rate;
        if (p > 0 && gsl_rng_uniform(ep->err_rng) < p) o = OUTCOME_ERROR;
    }
    /* The participant's truth (its effect, its events) is settled here,
     * before the response can be lost on its way back. */
    if (o == OUTCOME_OK) {
        if (r->corr) saga_participant(r);
        if (ep->publishes) publish_all(r);
    } else if (ep->cfg->on_failure >= 0) {
        bus_publish(r->svc->world, ep->cfg->on_failure, r->corr);
    }
    svc_finish(r, o);
}

/* A request with no failure, error rate, saga or event to publish succeeds:
 * a jump, with nothing saved. */
static SIM_NOINLINE void finish(struct req *r)
{
    const struct endpoint *ep = r->ep;
    if (r->failed || ep->may_fail || r->corr || ep->publishes) {
        finish_full(r);
        return;
    }
    svc_finish(r, OUTCOME_OK);
}

void ep_set_flags(struct endpoint *ep)
{
    const struct service *s = ep->svc;
    ep->slowed = !slowdown_is_none(&ep->slow) || !slowdown_is_none(&s->slow);
    ep->may_fail =
        ep->cfg->error_rate != 0 || ep->fault_error_rate != 0 || s->fault_error_rate != 0;
}

void ep_start(struct req *r)
{
    SIM_ASSERT(r->step == 0); /* svc_new_req's */
    run(r);
}

static void start_parallel(struct req *r, const struct step_config *st)
{
    struct world *w = r->svc->world;
    struct fan *f = sim_pool_get(&w->fans);
    f->req = r;
    sim_list_init(&f->calls);
    f->n = st->ncalls;
    f->need = st->need;
    f->pending = st->ncalls; /* keeps the fan alive while branches start */
    f->ok = f->failed = 0;
    r->fan = f;
    struct site **sites = &r->ep->sites[r->ep->site_off[r->step]];
    for (int i = 0; i < st->ncalls; i++) {
        struct call *c = call_create(w, sites[i], ORIGIN_FAN, f);
        sim_list_push_back(&f->calls, &call_ext(c)->flink);
        call_start(c);
    }
}

/* A work step's time. An endpoint with one work step draws its times in
 * batches: the same values in the same order (the stream serves only that
 * step), but drawn back to back, and ready long before a request needs one,
 * instead of each being a logarithm the processor waits for whenever it
 * guessed the next event wrong (see arrivals.c, unit_exponential). */
static SIM_NOINLINE sim_time work_time_drawn(struct endpoint *ep, const struct sim_dist *dist)
{
    if (!ep->work_only) return sim_dist_sample_time(dist, ep->work_rng);
    for (int k = 0; k < EP_AHEAD; k++)
        ep->work_ahead[k] = sim_dist_sample_time(ep->work_only, ep->work_rng);
    ep->work_next = 0;
    return ep->work_ahead[ep->work_next++];
}

/* Taking a draw made ahead needs no call; drawing does (work_time_drawn). */
static sim_time work_time(struct endpoint *ep, const struct sim_dist *dist)
{
    if (ep->work_only && ep->work_next < EP_AHEAD) return ep->work_ahead[ep->work_next++];
    return work_time_drawn(ep, dist);
}

/* Every step but work (which start_work takes). */
static SIM_NOINLINE void run_step(struct req *r, const struct step_config *st)
{
    struct service *s = r->svc;
    switch (st->kind) {
    case STEP_WORK: /* run takes it */
        break;
    case STEP_USE:
        svc_set_blocked(r, true);
        r->pool = st->pool;
        switch (cpool_acquire(&s->pools[st->pool], r)) {
        case CPOOL_GOT:
            start_hold(r);
            return;
        case CPOOL_WAIT:
            return;
        case CPOOL_FAIL:
            r->pool = -1;
            ep_step_done(r, false);
            return;
        }
        SIM_UNREACHABLE();
    case STEP_CALL: {
        svc_set_blocked(r, true);
        struct site *site = r->ep->sites[r->ep->site_off[r->step]];
        struct call *c = call_create(s->world, site, ORIGIN_REQ, r);
        r->out = c;
        call_start(c);
        return;
    }
    case STEP_PARALLEL:
        svc_set_blocked(r, true);
        start_parallel(r, st);
        return;
    case STEP_PUBLISH:
        /* Written to the outbox: sent when the request succeeds (publish_all). */
        ep_step_done(r, true);
        return;
    }
    SIM_UNREACHABLE();
}

static SIM_NOINLINE void start_work(struct req *r, const struct step_config *st)
{
    if (r->blocked) svc_set_blocked(r, false);
    struct service *s = r->svc;
    sim_time d = work_time(r->ep, &st->dist);
    if (r->ep->slowed) d = slowed(slowed(d, &r->ep->slow), &s->slow);
    /* A server that slows as it fills: each other request in service when
     * this step starts adds `contention` to it. */
    if (s->cfg->contention > 0) d += s->cfg->contention * (sim_time)(s->busy + s->blocked - 1);
    schedule(r, d, on_work_done);
}

/* Runs the current step, or finishes after the last. Each way out is a
 * function of its own, entered by a jump: one function with all of them
 * saved and restored six registers at every run, twice per request
 * (M/M/1: 1388 -> 1378 instructions per customer). */
static void run(struct req *r)
{
    const struct endpoint_config *ec = r->ep->cfg;
    if (r->step >= ec->nsteps) {
        finish(r);
        return;
    }
    const struct step_config *st = &ec->steps[r->step];
    if (st->kind == STEP_WORK)
        start_work(r, st);
    else
        run_step(r, st);
}

void ep_step_done(struct req *r, bool ok)
{
    if (r->svc->paused) {
        park(r, ok ? RESUME_STEP_OK : RESUME_STEP_FAIL);
        return;
    }
    if (!ok) {
        r->failed = true;
        finish(r);
        return;
    }
    r->step++;
    run(r);
}

void ep_acquired(struct req *r)
{
    if (r->svc->paused) {
        park(r, RESUME_ACQUIRED);
        return;
    }
    start_hold(r);
}

void ep_call_done(struct req *r, struct call *c, enum outcome o)
{
    r->out = NULL;
    ep_step_done(r, o == OUTCOME_OK || c->site->optional);
}

void ep_branch_done(struct fan *f, struct call *c, enum outcome o)
{
    sim_list_remove(&call_ext(c)->flink);
    f->pending--;
    if (o == OUTCOME_OK)
        f->ok++;
    else if (!c->site->optional || f->need < f->n)
        f->failed++;
    struct req *r = f->req;
    bool decide, success;
    if (f->need < f->n) { /* quorum: the first `need` successes win */
        success = f->ok >= f->need;
        decide = success || f->ok + f->pending < f->need;
    } else { /* all: wait for every branch; a required failure fails */
        decide = f->pending == 0;
        success = f->failed == 0;
    }
    if (r && decide) {
        f->req = NULL;
        r->fan = NULL;
    } else {
        r = NULL;
    }
    if (f->pending == 0) sim_pool_put(&c->site->world->fans, f);
    if (r) ep_step_done(r, success);
}

static void abort_fan(struct req *r)
{
    struct fan *f = r->fan;
    struct sim_list *n;
    while ((n = sim_list_pop_front(&f->calls)) != NULL)
        call_abandon(call_of_ext(SIM_LIST_ENTRY(n, struct call_ext, flink)));
    r->fan = NULL;
    sim_pool_put(&r->svc->world->fans, f);
}

void ep_abort(struct req *r)
{
    struct sim *sim = r->svc->world->sim;
    if (r->ev) sim_event_cancel(sim, r->ev);
    r->ev = 0;
    r->frozen = false;
    if (r->qtimer) sim_event_cancel(sim, r->qtimer);
    r->qtimer = 0;
    if (r->resume != RESUME_NONE) {
        sim_list_remove(&r->wlink);
        r->resume = RESUME_NONE;
    }
    if (r->pool >= 0) {
        struct cpool *p = &r->svc->pools[r->pool];
        r->pool = -1;
        if (sim_list_is_linked(&r->wlink))
            cpool_cancel_wait(p, r);
        else
            cpool_release(p);
    }
    /* out and fan share their place: the step says which one it is. */
    if (r->out && r->ep->cfg->steps[r->step].kind == STEP_CALL) {
        call_abandon(r->out);
        r->out = NULL;
    } else if (r->fan) {
        abort_fan(r);
    }
}

void ep_freeze(struct req *r)
{
    if (!r->ev) return;
    struct sim *sim = r->svc->world->sim;
    r->remaining = r->ev_at - sim_now(sim);
    r->frozen = true;
    sim_event_cancel(sim, r->ev);
    r->ev = 0;
}

void ep_thaw(struct req *r)
{
    if (!r->frozen) return;
    sim_time d = r->remaining;
    r->frozen = false;
    bool work = r->ep->cfg->steps[r->step].kind == STEP_WORK;
    schedule(r, d, work ? on_work_done : on_hold_done);
}

void ep_resume(struct req *r)
{
    enum req_resume how = r->resume;
    r->resume = RESUME_NONE;
    switch (how) {
    case RESUME_STEP_OK:
        ep_step_done(r, true);
        return;
    case RESUME_STEP_FAIL:
        ep_step_done(r, false);
        return;
    case RESUME_ACQUIRED:
        start_hold(r);
        return;
    case RESUME_NONE:
        break;
    }
    SIM_UNREACHABLE();
}
