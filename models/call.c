/* call.c - client-side calls through the policy stack.
 *
 * Stack, outermost first: fallback, retry, breaker, throttle, timeout,
 * bulkhead, call. One attempt walks it inwards:
 *
 *   breaker_acquire   refused -> short_circuited (no timer, nothing held)
 *   throttle_admit    refused -> throttled
 *   timeout timer     armed here, so it also bounds the bulkhead wait
 *   bulkhead_enter    full -> bulkhead_full; wait -> queued (max_wait timer)
 *   send              a request to the callee, over the network
 *
 * and ends in attempt_end() with one outcome, which walks back out: the
 * bulkhead participation is dropped, the breaker records the result (not its
 * own short-circuit; local rejections as IGNORED), the throttle counts an
 * accept, retry decides (attempts, `on`, then the budget or bucket), and when
 * no retry follows, a failure goes through the fallback.
 *
 * One record per call, reused across its attempts: attempts are sequential
 * (no hedging), so the only thing that distinguishes them is the generation
 * counter, bumped whenever an attempt ends. The callee's request remembers the
 * generation it was sent with; a response whose generation is stale belongs
 * to an attempt the caller gave up on and is dropped (orphaned work). The
 * generation survives the record's return to the free list (the pool only
 * overwrites the first pointer of a free object, and `gen` is not there).
 *
 * A bulkhead permit is held while the attempt is live *or* its request still
 * exists at the callee: a caller that times out stops waiting, but the
 * work it started keeps its slot until it ends, as a Resilience4j bulkhead
 * behind a TimeLimiter does (the permit is released when the decorated call
 * returns, not when the caller stops waiting). So the permit has two holders,
 * c->permit and r->permit; whichever lets go last releases it. With
 * deadline propagation the callee's request ends at the timeout and the
 * permit comes back at once.
 *
 * With zero network latency the request is handed to the callee within the
 * same event: a call costs no event of its own, which keeps the M/M/1 path at
 * two events per customer.
 */
#include "models/call.h"

#include "models/bus.h"
#include "models/endpoint.h"
#include "models/load.h"
#include "models/policy.h"
#include "models/retry.h"
#include "models/saga.h"
#include "models/service.h"

static void call_attempt(struct call *c);
static void call_send(struct call *c);

/* The pool a call's record comes from and goes back to. */
static inline struct sim_pool *call_pool(struct world *w, bool ext)
{
    return ext ? &w->calls_ext : &w->calls;
}

static SIM_NOINLINE struct call *create_grown(struct world *w, struct site *site,
                                              enum call_origin origin, void *owner)
{
    sim_pool_reserve(call_pool(w, site->ext));
    return call_create(w, site, origin, owner);
}

/* attempt_started is set by each attempt through a breaker. */
static inline void ext_init(struct call *c)
{
    struct call_ext *x = call_ext(c);
    x->prev_delay = 0;
    x->wait_timer = 0;
    sim_list_init(&x->flink);
    sim_list_init(&x->blink);
}

struct call *call_create(struct world *w, struct site *site, enum call_origin origin, void *owner)
{
    SIM_ASSERT(site->ext || origin != ORIGIN_FAN);
    bool ext = site->ext;
    struct sim_pool *pool = call_pool(w, ext);
    /* No call on the way, so nothing to save at entry (see
     * sim_pool_reserve). */
    if (SIM_UNLIKELY(!pool->free)) return create_grown(w, site, origin, owner);
    struct call *c = sim_pool_get(pool);
    c->site = site;
    c->origin = (uint8_t)origin;
    c->ext = ext;
    c->owner = owner;
    c->attempt = 0;
    sim_time now = sim_now(w->sim);
    c->counted = world_counts(w, now);
    c->started = now;
    c->timer = 0;
    c->inflight = NULL;
    c->admitted = c->throttled_in = c->waiting = c->permit = c->uncertain = false;
    if (ext) ext_init(c);
    /* The saga instance the caller works for follows its calls. */
    switch (origin) {
    case ORIGIN_LOAD:
        c->corr = NULL;
        break;
    case ORIGIN_REQ:
        c->corr = ((struct req *)owner)->corr;
        break;
    case ORIGIN_FAN:
        c->corr = ((struct fan *)owner)->req->corr;
        break;
    case ORIGIN_SAGA:
        c->corr = owner;
        break;
    case ORIGIN_BUS:
        c->corr = ((struct bus_delivery *)owner)->corr;
        break;
    }
    return c;
}

/* A fan's branch is unlinked from its fan by now (ep_branch_done, abort_fan). */
static void call_free(struct call *c)
{
    struct world *w = c->site->world;
    c->gen++;
    sim_pool_put(call_pool(w, c->ext), c);
}

/* ---- the bulkhead permit ------------------------------------------------- */

static void on_granted(struct call *c);

/* The permit is free again: hand it to the oldest waiter, if any. */
static void permit_release(struct policy *p)
{
    struct sim_list *n = bulkhead_release(&p->bulkhead);
    if (n) on_granted(call_of_ext(SIM_LIST_ENTRY(n, struct call_ext, blink)));
}

void call__req_gone(struct req *r)
{
    /* The request is freed: if its attempt has ended already (stale
     * generation), it was the permit's last holder. */
    SIM_ASSERT(r->permit); /* only a bulkhead's requests hold one */
    r->permit = false;
    struct call *c = r->caller;
    if (c->gen == r->caller_gen) return; /* the attempt is live: it releases when it ends */
    permit_release(r->site->policy);
}

/* The attempt lets go of its bulkhead participation. */
static void attempt_drop_permit(struct call *c)
{
    struct policy *p = c->site->policy;
    struct call_ext *x = call_ext(c); /* a bulkhead's */
    if (c->waiting) {
        bulkhead_leave(&p->bulkhead, &x->blink);
        c->waiting = false;
    }
    if (x->wait_timer) {
        sim_event_cancel(c->site->world->sim, x->wait_timer);
        x->wait_timer = 0;
    }
    if (!c->permit) return;
    c->permit = false;
    if (!c->inflight) permit_release(p); /* the request is gone (or never sent) */
    /* else the request keeps the permit until it is freed (call__req_gone) */
}

/* ---- one attempt ----------------------------------------------------------- */

static void attempt_end(struct call *c, enum outcome o);

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
    if (cancel && r) svc_cancel(r);
    c->uncertain = true;
    call_response(c, gen, OUTCOME_TIMEOUT);
}

static void on_wait_timeout(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    (void)object;
    struct call *c = subject;
    call_ext(c)->wait_timer = 0;
    policy_bulkhead_rejected(c->site->policy);
    attempt_end(c, OUTCOME_BULKHEAD_FULL);
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

/* An attempt under a policy: breaker, throttle, timeout, bulkhead, in
 * Resilience4j's order of decoration. */
static SIM_NOINLINE void attempt_policy(struct call *c)
{
    struct site *site = c->site;
    struct sim *sim = site->world->sim;
    const struct policy_config *pol = site->pol;
    struct policy *p = site->policy;
    sim_time now = sim_now(sim);
    if (pol->has_breaker) {
        if (!breaker_acquire(&p->breaker, now)) {
            attempt_end(c, OUTCOME_SHORT_CIRCUITED);
            return;
        }
        c->admitted = true;
        call_ext(c)->attempt_started = now;
    }
    if (pol->has_throttle) {
        if (!throttle_admit(&p->throttle, now, gsl_rng_uniform(p->throttle_rng))) {
            attempt_end(c, OUTCOME_THROTTLED);
            return;
        }
        c->throttled_in = true;
    }
    if (pol->timeout > 0)
        c->timer = sim_event_lane_after(sim, p->timeout_lane, pol->timeout, on_timeout, c, NULL);
    if (pol->has_bulkhead) {
        struct call_ext *x = call_ext(c);
        switch (bulkhead_enter(&p->bulkhead, &x->blink)) {
        case BULKHEAD_GRANTED:
            c->permit = true;
            break;
        case BULKHEAD_WAIT:
            c->waiting = true;
            if (pol->bulkhead.kind == BULKHEAD_SEMAPHORE)
                x->wait_timer = sim_event_lane_after(sim, p->wait_lane, pol->bulkhead.max_wait,
                                                     on_wait_timeout, c, NULL);
            return;
        case BULKHEAD_FULL:
            policy_bulkhead_rejected(p);
            attempt_end(c, OUTCOME_BULKHEAD_FULL);
            return;
        }
    }
    call_send(c);
}

/* A call without a policy is sent at once; the policy's steps, with their
 * register saves, are kept out of its way. */
static void call_attempt(struct call *c)
{
    struct site *site = c->site;
    c->inflight = NULL;
    if (c->counted) site->m->attempts++; /* a load's too: its site's metrics are its edge */
    if (site->pol)
        attempt_policy(c);
    else
        call_send(c);
}

static void on_send(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    struct call *c = subject;
    if (c->gen != (uint32_t)(uintptr_t)object)
        return; /* the attempt ended meanwhile and let go of the permit */
    call_send(c);
}

/* A waiting attempt got its permit, handed over by a call or request that
 * let go of it. It is sent in an event of its own at the same instant: the
 * release happens deep inside another element's transition (a crash dropping
 * its requests), which must not be re-entered. */
static void on_granted(struct call *c)
{
    SIM_ASSERT(c->waiting);
    struct sim *sim = c->site->world->sim;
    c->waiting = false;
    c->permit = true;
    struct call_ext *x = call_ext(c);
    if (x->wait_timer) {
        sim_event_cancel(sim, x->wait_timer);
        x->wait_timer = 0;
    }
    sim_event_lane_after(sim, c->site->world->now_lane, 0, on_send, c, (void *)(uintptr_t)c->gen);
}

/* The request crosses a network edge with latency: it arrives later, or at
 * once if this draw is 0. */
static SIM_NOINLINE void send_late(struct req *r)
{
    const struct site *site = r->site;
    sim_time lat = sim_dist_sample_time(site->latency, site->latency_rng);
    if (lat > 0)
        sim_event_after(site->world->sim, lat, on_arrive, r, NULL);
    else
        svc_arrive(r);
}

static void call_send(struct call *c)
{
    struct site *site = c->site;
    struct req *r = svc_new_req(site, c, c->gen);
    r->permit = c->permit;
    c->inflight = r;
    if (site->latency)
        send_late(r);
    else
        svc_arrive(r);
}

/* ---- the way back out -------------------------------------------------------- */

/* Inline everywhere: as a call, the end of every attempt saved its call
 * record and outcome across it. */
static SIM_ALWAYS_INLINE void count_outcome(struct call *c, enum outcome o)
{
    if (!c->counted) return;
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
    case OUTCOME_THROTTLED:
        m->throttled++;
        break;
    case OUTCOME_COUNT:
        SIM_UNREACHABLE();
    }
}

/* What the breaker makes of an outcome: the callee's failures count, the
 * client's own local rejections do not. */
static enum breaker_result breaker_result_of(enum outcome o)
{
    switch (o) {
    case OUTCOME_OK:
        return BREAKER_SUCCESS;
    case OUTCOME_ERROR:
    case OUTCOME_TIMEOUT:
    case OUTCOME_REJECTED:
        return BREAKER_FAILURE;
    case OUTCOME_SHORT_CIRCUITED:
    case OUTCOME_BULKHEAD_FULL:
    case OUTCOME_THROTTLED:
        return BREAKER_IGNORED;
    case OUTCOME_COUNT:
        break;
    }
    SIM_UNREACHABLE();
}

static void call_deliver(struct call *c, enum outcome o)
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
    case ORIGIN_SAGA:
        saga_call_done(c->owner, c, o);
        break;
    case ORIGIN_BUS:
        bus_delivered(c->owner, c, o);
        break;
    }
    call_free(c);
}

/* `value` answers in place of the dependency (a cached price, a queued
 * payment): a success to the caller. `fail` answers a clean error, which is
 * what it changes: the time to get there. */
static enum outcome fallback_outcome(const struct policy_config *pol)
{
    return pol->fallback.kind == FALLBACK_VALUE ? OUTCOME_OK : OUTCOME_ERROR;
}

static void on_fallback(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    (void)object;
    struct call *c = subject;
    c->timer = 0;
    call_deliver(c, fallback_outcome(c->site->pol));
}

/* No retry follows: the outermost layer, the fallback, has the last word. */
static void call_finish(struct call *c, enum outcome o)
{
    const struct policy_config *pol = c->site->pol;
    if (o == OUTCOME_OK || !pol || !pol->has_fallback) {
        call_deliver(c, o);
        return;
    }
    if (c->counted) c->site->m->fallbacks++;
    if (pol->fallback.latency > 0) {
        c->timer =
            sim_event_after(c->site->world->sim, pol->fallback.latency, on_fallback, c, NULL);
        return;
    }
    call_deliver(c, fallback_outcome(pol));
}

static bool retry_allowed(struct call *c, enum outcome o)
{
    const struct policy_config *pol = c->site->pol;
    if (o == OUTCOME_OK || !pol || !pol->has_retry) return false;
    if (c->attempt >= pol->retry.attempts || !(pol->retry.on & OUTCOME_BIT(o))) return false;
    struct policy *p = c->site->policy;
    if (p->has_limit && !retry_limit_retry(&p->limit, sim_now(c->site->world->sim))) {
        if (c->counted) c->site->m->retries_denied++;
        return false;
    }
    return true;
}

/* The attempt is over for the caller, whether it ended (attempt_end) or its
 * owner vanished (call_abandon): timers stop, later responses become orphans,
 * the bulkhead participation goes, and the breaker gets `r` for it. */
static void attempt_close(struct call *c, enum breaker_result r)
{
    struct sim *sim = c->site->world->sim;
    struct policy *p = c->site->policy;
    sim_time now = sim_now(sim);
    if (c->timer) {
        sim_event_cancel(sim, c->timer);
        c->timer = 0;
    }
    c->gen++;
    if (p && p->cfg->has_bulkhead) attempt_drop_permit(c);
    c->inflight = NULL;
    if (c->admitted) {
        c->admitted = false;
        breaker_record(&p->breaker, now, r, now - call_ext(c)->attempt_started);
    }
}

/* attempt_end under a policy. */
static SIM_NOINLINE void attempt_end_policy(struct call *c, enum outcome o)
{
    struct site *site = c->site;
    struct policy *p = site->policy;
    struct sim *sim = site->world->sim;
    sim_time now = sim_now(sim);
    attempt_close(c, breaker_result_of(o));
    if (c->throttled_in) {
        c->throttled_in = false;
        if (o == OUTCOME_OK || o == OUTCOME_ERROR) throttle_accepted(&p->throttle, now);
    }
    count_outcome(c, o);
    if (retry_allowed(c, o)) {
        const struct retry_config *rc = &site->pol->retry;
        struct call_ext *x = call_ext(c); /* a retry's */
        sim_time d = retry_delay(rc, c->attempt, x->prev_delay, site->retry_rng);
        x->prev_delay = d;
        c->attempt++;
        if (c->counted) site->m->retries++;
        site->policy->iv_retries++;
        if (d > 0)
            c->timer = sim_event_after(sim, d, on_backoff, c, NULL);
        else
            call_attempt(c);
        return;
    }
    call_finish(c, o);
}

static void attempt_end(struct call *c, enum outcome o)
{
    if (c->site->policy) {
        attempt_end_policy(c, o);
        return;
    }
    /* No policy: no timer, permit, breaker, throttle, retry or fallback, so
     * closing the attempt is bumping its generation. */
    c->gen++;
    c->inflight = NULL;
    count_outcome(c, o);
    call_deliver(c, o);
}

void call_start(struct call *c)
{
    struct policy *p = c->site->policy;
    c->attempt = 1;
    if (p) {
        p->iv_firsts++;
        if (p->has_limit) retry_limit_first(&p->limit, sim_now(c->site->world->sim));
    }
    call_attempt(c);
}

void call_response(struct call *c, uint32_t gen, enum outcome o)
{
    if (gen != c->gen) return; /* the caller stopped waiting for this attempt: orphaned */
    attempt_end(c, o);
}

void call_abandon(struct call *c)
{
    /* The owner is gone, so this attempt's result will never be seen: the
     * breaker gets its half-open permit back instead of a result. */
    attempt_close(c, BREAKER_IGNORED);
    c->throttled_in = false;
    call_free(c);
}
