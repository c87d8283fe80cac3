/* call.c - client-side calls: attempts, timeout, retry with backoff.
 *
 * One record per call, reused across its attempts: attempts are sequential
 * (no hedging), so the only thing that distinguishes them is the generation
 * counter, bumped whenever an attempt ends. The callee's request remembers the
 * generation it was sent with; a response whose generation is stale belongs
 * to an attempt the caller gave up on and is dropped (orphaned work).
 *
 * The generation also survives the record's return to the free list (the
 * pool only overwrites the first pointer of a free object, and `gen` is not
 * there), so a response for a call that finished long ago cannot be mistaken
 * for one of the record's next life.
 *
 * With zero network latency the request is handed to the callee within the
 * same event: a call costs no event of its own, which keeps the M/M/1 path at
 * two events per customer.
 */
#include "models/call.h"

#include "models/endpoint.h"
#include "models/load.h"
#include "models/retry.h"
#include "models/service.h"

static void call_attempt(struct call *c);

struct call *call_create(struct world *w, struct site *site, enum call_origin origin, void *owner,
                         int branch)
{
    struct call *c = sim_pool_get(&w->calls);
    c->site = site;
    c->origin = origin;
    c->owner = owner;
    c->branch = branch;
    c->attempt = 0;
    /* The warm-up reset runs at the end of its instant, so a call started at
     * that very instant belongs to the warm-up, as its requests do. */
    c->counted = w->cfg->warmup == 0 || sim_now(w->sim) > w->cfg->warmup;
    c->started = sim_now(w->sim);
    c->attempt_started = c->started;
    c->prev_delay = 0;
    c->timer = 0;
    c->inflight = NULL;
    sim_list_init(&c->flink);
    return c;
}

static void call_free(struct call *c)
{
    struct world *w = c->site->world;
    c->gen++;
    sim_list_remove(&c->flink);
    sim_pool_put(&w->calls, c);
}

void call_start(struct call *c)
{
    c->attempt = 1;
    call_attempt(c);
}

static void on_timeout(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    (void)object;
    struct call *c = subject;
    struct req *r = c->inflight;
    uint32_t gen = c->gen;
    bool cancel = c->site->pol && c->site->pol->cancel_on_timeout;
    c->timer = 0;
    /* Deadline propagation: the callee stops too. Without it the request
     * keeps its thread and connections until it finishes on its own. It
     * stops before the caller hears of the timeout, since what the caller
     * does next (a retry that crashes the callee) may free r; gen is read
     * first since the cancel's own ripple may end the caller and free c. */
    if (cancel && r)
        svc_cancel(r);
    call_response(c, gen, OUTCOME_TIMEOUT);
}

static void on_arrive(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    (void)object;
    struct req *r = subject;
    /* A request still travelling when its caller gave up arrives anyway; it
     * is dropped only under deadline propagation. The call record may have
     * been reused since: only its generation is trusted, never its site. */
    if (r->caller_gen != r->caller->gen && r->site->pol && r->site->pol->cancel_on_timeout) {
        svc__free_req(r);
        return;
    }
    svc_arrive(r);
}

static void on_backoff(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    (void)object;
    struct call *c = subject;
    c->timer = 0;
    call_attempt(c);
}

static void call_attempt(struct call *c)
{
    struct site *site = c->site;
    struct world *w = site->world;
    struct sim *sim = w->sim;
    const struct policy_config *pol = site->pol;

    c->attempt_started = sim_now(sim);
    c->inflight = NULL;
    if (c->counted) {
        site->m->attempts++;
        if (c->origin == ORIGIN_LOAD)
            ((struct load *)c->owner)->m.attempts++;
    }
    if (pol && pol->timeout > 0)
        c->timer = sim_event_after(sim, pol->timeout, on_timeout, c, NULL);
    struct req *r = svc_new_req(site, c, c->gen);
    c->inflight = r;
    sim_time lat = site->latency ? sim_dist_sample_time(site->latency, site->latency_rng) : 0;
    if (lat > 0)
        sim_event_after(sim, lat, on_arrive, r, NULL);
    else
        svc_arrive(r);
}

static bool retry_allowed(const struct call *c, enum outcome o)
{
    const struct policy_config *pol = c->site->pol;
    if (!pol || !pol->has_retry)
        return false;
    return c->attempt < pol->retry.attempts && (pol->retry.on & OUTCOME_BIT(o));
}

static void call_finish(struct call *c, enum outcome o)
{
    switch (c->origin) {
    case ORIGIN_LOAD:
        load_done(c->owner, c, o);
        break;
    case ORIGIN_REQ:
        ep_call_done(c->owner, c, o);
        break;
    case ORIGIN_FAN:
        ep_branch_done(c->owner, c, o);
        break;
    }
    call_free(c);
}

static void count_outcome(struct call *c, enum outcome o)
{
    if (!c->counted)
        return;
    struct edge_metrics *m = c->site->m;
    switch (o) {
    case OUTCOME_OK:
        m->ok++;
        break;
    case OUTCOME_ERROR:
        m->errors++;
        break;
    case OUTCOME_TIMEOUT:
        m->timeouts++;
        break;
    case OUTCOME_REJECTED:
        m->rejected++;
        break;
    case OUTCOME_SHORT_CIRCUITED:
        m->short_circuited++;
        break;
    case OUTCOME_BULKHEAD_FULL:
        m->bulkhead_rejected++;
        break;
    case OUTCOME_COUNT:
        SIM_UNREACHABLE();
    }
}

void call_response(struct call *c, uint32_t gen, enum outcome o)
{
    if (gen != c->gen)
        return; /* the caller stopped waiting for this attempt: orphaned */
    struct site *site = c->site;
    struct sim *sim = site->world->sim;
    if (c->timer) {
        sim_event_cancel(sim, c->timer);
        c->timer = 0;
    }
    c->gen++;
    c->inflight = NULL;
    count_outcome(c, o);
    if (o != OUTCOME_OK && retry_allowed(c, o)) {
        const struct retry_config *rc = &site->pol->retry;
        sim_time d = retry_delay(rc, c->attempt, c->prev_delay, site->retry_rng);
        c->prev_delay = d;
        c->attempt++;
        if (c->counted)
            site->m->retries++;
        if (d > 0)
            c->timer = sim_event_after(sim, d, on_backoff, c, NULL);
        else
            call_attempt(c);
        return;
    }
    call_finish(c, o);
}

void call_abandon(struct call *c)
{
    if (c->timer)
        sim_event_cancel(c->site->world->sim, c->timer);
    c->timer = 0;
    call_free(c);
}
