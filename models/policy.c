/* policy.c - policy instances and their breaker's timeline (see policy.h). */
#include "models/policy.h"

#include <stdio.h>
#include <stdlib.h>

#include "models/world.h"
#include "sim/kernel/sim_mem.h"
#include "sim/kernel/sim_rng.h"
#include "sim/kernel/sim_trace.h"

static void on_transition(void *ctx, const struct breaker *b, enum breaker_state from, sim_time now)
{
    struct policy *p = ctx;
    if (from == BREAKER_CLOSED) {
        p->opened++;
        p->open_since = now;
    } else if (b->state == BREAKER_CLOSED) {
        p->open_ns += now - p->open_since;
        p->open_since = -1;
    }
    struct sim *sim = p->world->sim;
    if (!sim_trace_enabled(sim)) return;
    char why[160];
    sim_trace(sim, b->state == BREAKER_OPEN ? SIM_TRACE_WARN : SIM_TRACE_INFO, p->who,
              "breaker to %s %s: %s", p->name, breaker_state_name(b->state),
              breaker_describe(b, why, sizeof why));
}

struct policy *policy_create(struct world *w, const struct policy_config *cfg,
                             const struct service *caller, const struct service *callee,
                             const char *who)
{
    struct policy *p = sim_xcalloc(1, sizeof *p);
    char name[600];
    p->world = w;
    p->cfg = cfg;
    p->caller = caller;
    p->callee = callee;
    p->who = sim_xstrdup(who);
    snprintf(name, sizeof name, "%s (%s)", callee->cfg->name, cfg->name);
    p->name = sim_xstrdup(name);
    p->open_since = -1;
    p->timeout_lane = sim_lane_create(w->sim);
    p->wait_lane = sim_lane_create(w->sim);
    if (cfg->has_breaker) {
        breaker_init(&p->breaker, &cfg->breaker);
        breaker_set_callback(&p->breaker, on_transition, p);
    }
    if (cfg->has_bulkhead) bulkhead_init(&p->bulkhead, &cfg->bulkhead);
    if (cfg->has_throttle) {
        throttle_init(&p->throttle, &cfg->throttle);
        char stream[1300];
        snprintf(stream, sizeof stream, "policy/%s/%s/throttle", who, name);
        p->throttle_rng = sim_rng_stream(w->sim, stream);
    }
    p->has_limit = cfg->has_retry && (cfg->retry.has_budget || cfg->retry.has_bucket);
    if (p->has_limit) retry_limit_init(&p->limit, &cfg->retry);
    return p;
}

void policy_destroy(struct policy *p)
{
    if (!p) return;
    if (p->cfg->has_breaker) breaker_fini(&p->breaker);
    if (p->cfg->has_throttle) throttle_fini(&p->throttle);
    if (p->has_limit) retry_limit_fini(&p->limit);
    free(p->who);
    free(p->name);
    free(p);
}

void policy_warmup(struct policy *p, sim_time now)
{
    p->opened = 0;
    p->open_ns = 0;
    if (p->open_since >= 0) p->open_since = now;
}

void policy_finish(struct policy *p, sim_time now)
{
    if (p->open_since >= 0) {
        p->open_ns += now - p->open_since;
        p->open_since = now;
    }
}

void policy_bulkhead_rejected(struct policy *p)
{
    if (win_latch_check(&p->full, true, sim_now(p->world->sim), POLICY_QUIET) != WIN_RAISED) return;
    const struct bulkhead *b = &p->bulkhead;
    const char *kind = p->cfg->bulkhead.kind == BULKHEAD_SEMAPHORE ? "semaphore" : "threadpool";
    if (b->max_waiters > 0 && b->max_waiters < b->limit * 1000)
        sim_trace(p->world->sim, SIM_TRACE_WARN, p->who,
                  "bulkhead to %s full (%s: %d/%d in use, %d/%d waiting): calls rejected", p->name,
                  kind, b->in_use, b->limit, b->nwaiters, b->max_waiters);
    else
        sim_trace(p->world->sim, SIM_TRACE_WARN, p->who,
                  "bulkhead to %s full (%s: %d/%d in use): calls rejected", p->name, kind,
                  b->in_use, b->limit);
}

void policy_sample(struct policy *p)
{
    struct sim *sim = p->world->sim;
    sim_time now = sim_now(sim);
    bool storm = p->iv_retries > p->iv_firsts && p->iv_retries >= POLICY_STORM_MIN;
    switch (win_latch_check(&p->storm, storm, now, POLICY_STORM_QUIET)) {
    case WIN_SAME:
        break;
    case WIN_RAISED:
        sim_trace(sim, SIM_TRACE_WARN, p->who,
                  "retries to %s exceed first tries (%llu retries, %llu first tries in the "
                  "last %gs)",
                  p->name, (unsigned long long)p->iv_retries, (unsigned long long)p->iv_firsts,
                  sim_time_to_s(p->world->cfg->sample));
        break;
    case WIN_LOWERED:
        sim_trace(sim, SIM_TRACE_INFO, p->who, "retries to %s back under first tries for %llds",
                  p->name, (long long)(POLICY_STORM_QUIET / SIM_S));
        break;
    }
    p->iv_firsts = p->iv_retries = 0;
    if (win_latch_check(&p->full, false, now, POLICY_QUIET) == WIN_LOWERED)
        sim_trace(sim, SIM_TRACE_INFO, p->who,
                  "bulkhead to %s recovered (no call rejected for %llds)", p->name,
                  (long long)(POLICY_QUIET / SIM_S));
}

bool policy_breaker_open(const struct policy *p)
{
    return p->cfg->has_breaker && p->breaker.state != BREAKER_CLOSED;
}
