/* policy.h - one instance of a named policy: the state a client keeps for
 * one dependency (its breaker, bulkhead, throttle and retry limits).
 *
 * An instance belongs to (caller service, policy name, callee service), or
 * to (load source, policy name) for an end user's policy. Every call from
 * that caller to that callee through that policy shares it, whichever
 * endpoint makes the call: a breaker named in a service's code guards the
 * dependency, as Resilience4j's registry gives one breaker per name. Two
 * callers of the same dependency have two breakers, as two processes would.
 *
 * The call layer (call.c) drives the layers in the order of the stack,
 * outermost first: fallback, retry, breaker, throttle, timeout, bulkhead,
 * call. (SCENARIO.md lists no place for the throttle; it sits where
 * Resilience4j puts its rate limiter, inside the breaker, and its local
 * rejections are not breaker failures.) This module owns the instance, turns
 * breaker transitions into timeline lines and counts `opened` and `open_s`
 * after the warm-up.
 *
 * Ownership: the world creates and destroys instances (policy_create,
 * policy_destroy); calls and requests only point at them.
 */
#ifndef MODELS_POLICY_H
#define MODELS_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/breaker.h"
#include "models/bulkhead.h"
#include "models/config.h"
#include "models/limit.h"
#include "sim/kernel/sim_event.h"

struct world;
struct service;

struct policy {
    struct world *world;
    const struct policy_config *cfg;
    const struct service *caller; /* NULL: a load source's end users */
    const struct service *callee;
    char *who;                /* timeline subject: the caller (service or load) */
    char *name;               /* "payment (pay_call)": the dependency and the policy */
    struct breaker breaker;   /* when cfg->has_breaker */
    struct bulkhead bulkhead; /* when cfg->has_bulkhead */
    struct throttle throttle; /* when cfg->has_throttle */
    struct retry_limit limit; /* when the retry has a budget or a bucket */
    bool has_limit;
    gsl_rng *throttle_rng;
    sim_lane timeout_lane, wait_lane; /* attempt timeouts, bulkhead waits (sim_event.h) */
    struct win_latch full;            /* the bulkhead refused a call: full/recovered lines */
    uint64_t iv_firsts, iv_retries;   /* calls and retries since the last sample */
    struct win_latch storm;           /* retries outnumber first tries */
    /* breaker metrics, after the warm-up */
    uint64_t opened;
    sim_time open_ns;    /* time not CLOSED */
    sim_time open_since; /* when it last left CLOSED; -1 while CLOSED */
};

/* `who` names the caller; the throttle's stream is "policy/<who>/<name>/throttle". */
struct policy *policy_create(struct world *w, const struct policy_config *cfg,
                             const struct service *caller, const struct service *callee,
                             const char *who);
void policy_destroy(struct policy *p);
/* The warm-up ends: breaker counts restart. */
void policy_warmup(struct policy *p, sim_time now);
/* The run ends: an open breaker's time so far is counted. */
void policy_finish(struct policy *p, sim_time now);
/* The bulkhead refused a call: the first refusal of an episode writes a
 * timeline line; policy_sample() ends the episode once POLICY_QUIET has
 * passed without refusals (a bulkhead at its limit refuses in bursts; one
 * line per burst would bury the story). */
#define POLICY_QUIET (10 * SIM_S)
void policy_bulkhead_rejected(struct policy *p);
void policy_sample(struct policy *p);
/* A sample interval in which retries outnumber first tries (and are at least
 * POLICY_STORM_MIN) starts a "retries exceed first tries" episode: the load
 * on the dependency is mostly its own echo. It ends after POLICY_STORM_QUIET
 * without such an interval: long, since blocking clients retry in waves (a
 * pool of threads timing out together every timeout + backoff). */
#define POLICY_STORM_MIN   10
#define POLICY_STORM_QUIET (60 * SIM_S)
/* OPEN or HALF_OPEN: not letting everything through. */
bool policy_breaker_open(const struct policy *p);

#endif
