/* config.h - the model's configuration: what a scenario describes.
 *
 * The loader (sim/app/) fills these structs from YAML; the models never parse.
 * Every name is already resolved to an index here (services, endpoints,
 * pools, policies), so building and running the world does no string work.
 * Names are kept only for output and for naming random streams.
 *
 * Conventions:
 *   - durations are sim_time (ns); 0 means "none" where the field says so;
 *   - probabilities and rates are in [0, 1] (the loader converts "50%");
 *   - arrays are (pointer, count) pairs owned by the config;
 *   - indices are int, -1 meaning "none".
 *
 * Ownership: world_config_fini() frees everything a config owns (names,
 * arrays, mixture distributions). The loader allocates with sim_x*.
 */
#ifndef MODELS_CONFIG_H
#define MODELS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/kernel/sim_dist.h"
#include "sim/kernel/sim_time.h"

/* Outcomes of one attempt or call, as the caller sees them. The X-macro keeps
 * the enum, its names and the `on:` keys of retry in one table. */
#define OUTCOME_MAP(X)                                                                             \
    X(OK, "ok")                                                                                    \
    X(ERROR, "error")                                                                              \
    X(TIMEOUT, "timeout")                                                                          \
    X(REJECTED, "rejected")                                                                        \
    X(SHORT_CIRCUITED, "short_circuited")                                                          \
    X(BULKHEAD_FULL, "bulkhead_full")                                                              \
    X(THROTTLED, "throttled")

enum outcome {
#define OUTCOME_ENUM(n, s) OUTCOME_##n,
    OUTCOME_MAP(OUTCOME_ENUM)
#undef OUTCOME_ENUM
        OUTCOME_COUNT
};
#define OUTCOME_BIT(o) (1u << (o))

const char *outcome_name(enum outcome o);
int outcome_from_name(const char *name); /* -1 if unknown */

/* ---- policies ------------------------------------------------------------ */

enum backoff_kind { BACKOFF_NONE, BACKOFF_FIXED, BACKOFF_EXPONENTIAL };
enum jitter_kind { JITTER_NONE, JITTER_FULL, JITTER_EQUAL, JITTER_DECORRELATED };

struct retry_config {
    int attempts;              /* total attempts, the first included (>= 1) */
    enum backoff_kind backoff; /* none: retry at once */
    sim_time base;             /* first delay */
    double multiplier;         /* exponential: base * multiplier^(retry-1) */
    sim_time cap;              /* 0 = no cap */
    enum jitter_kind jitter;
    unsigned on; /* OUTCOME_BIT set of outcomes that are retried */
    /* budget: retries in the last `window` <= ratio * first tries + min_per_s * window */
    bool has_budget;
    double budget_ratio, budget_min_per_s;
    sim_time budget_window;
    /* token bucket: starts full; a first try adds per_call; a retry needs `cost` */
    bool has_bucket;
    double bucket_capacity, bucket_per_call, bucket_cost;
};

enum breaker_kind { BREAKER_CONSECUTIVE, BREAKER_SLIDING };
enum window_kind { WINDOW_COUNT, WINDOW_TIME };

struct breaker_config {
    enum breaker_kind kind;
    /* consecutive */
    int failure_threshold;
    sim_time recovery_timeout;
    bool decay_on_success;
    /* sliding (Resilience4j) */
    enum window_kind window;
    int size; /* calls (count) or seconds (time) */
    int min_calls;
    double failure_rate; /* [0, 1]; trips at >= */
    double slow_rate;    /* [0, 1]; trips at >= */
    sim_time slow_call;  /* a call is slow if duration > slow_call */
    sim_time open_for;
    /* both */
    int half_open_calls;
};

enum bulkhead_kind { BULKHEAD_SEMAPHORE, BULKHEAD_THREADPOOL };

struct bulkhead_config {
    enum bulkhead_kind kind;
    int max_concurrent; /* semaphore */
    sim_time max_wait;  /* semaphore: 0 = reject at once */
    int threads, queue; /* threadpool */
};

enum fallback_kind { FALLBACK_VALUE, FALLBACK_FAIL };

struct fallback_config {
    enum fallback_kind kind;
    sim_time latency;
};

struct throttle_config {
    double k;
    sim_time window;
};

struct policy_config {
    char *name;
    sim_time timeout; /* 0 = wait forever */
    bool has_retry, has_breaker, has_bulkhead, has_fallback, has_throttle, has_latency;
    struct retry_config retry;
    struct breaker_config breaker;
    struct bulkhead_config bulkhead;
    struct fallback_config fallback;
    struct throttle_config throttle;
    struct sim_dist latency; /* this edge's one-way network delay */
    bool cancel_on_timeout;
};

/* ---- services -------------------------------------------------------------- */

enum step_kind { STEP_WORK, STEP_USE, STEP_CALL, STEP_PARALLEL, STEP_PUBLISH };

struct call_config {
    int service, endpoint; /* callee */
    int policy;            /* -1: no policy */
    bool optional;         /* its failure does not fail the calling request */
};

struct step_config {
    enum step_kind kind;
    struct sim_dist dist;      /* work: CPU time; use: hold time */
    int pool;                  /* use: index in the service's pools */
    struct call_config call;   /* call */
    struct call_config *calls; /* parallel branches */
    int ncalls;
    int need; /* parallel: successes needed (ncalls = all) */
    /* publish: event index in world_config.events. With probability
     * `event_p` (1 unless the step says `probability`) the step publishes
     * `event`, otherwise `event_else` (-1: nothing), a branch such as the
     * guide's PointsDeducted / PointDeductionSkipped. */
    int event;
    double event_p;
    int event_else;
};

struct endpoint_config {
    char *name;
    double error_rate;
    struct step_config *steps;
    int nsteps;
    /* The effects ledger (SCENARIO.md s.2): indices in world_config.effects,
     * -1 for none. A success with `effect` adds it to the ledger of the saga
     * instance the request belongs to; one with `undo` removes it. */
    int effect;
    bool idempotent; /* effect: a repeat for the same instance adds nothing */
    int undo;
    bool commutative; /* undo: arriving before its effect leaves a tombstone */
    int on_failure;   /* event published when a request fails; -1 none */
};

struct pool_config {
    char *name;
    int size;
    sim_time acquire_timeout; /* 0: fail at once when none is free */
};

struct service_config {
    char *name;
    int threads;   /* 0 = unlimited (infinite server) */
    int64_t queue; /* accept queue capacity; -1 = unbounded */
    bool lifo;
    sim_time queue_timeout; /* 0 = none */
    sim_time contention;    /* 0 = none: extra work per request in service */
    int64_t max_inflight;   /* 0 = none */
    sim_time restart;       /* after an OOM crash; 0 = never comes back */
    struct pool_config *pools;
    int npools;
    struct endpoint_config *endpoints;
    int nendpoints;
};

/* ---- load and faults --------------------------------------------------------- */

struct rate_point {
    sim_time at;
    double rps;
    sim_time ramp; /* linear ramp from the previous rate, ending at `at + ramp` */
};

struct load_config {
    char *name;
    int service, endpoint;
    bool constant; /* constant inter-arrival times, else poisson */
    struct rate_point *rates;
    int nrates;
    int policy; /* the end user's policy (with `timeout` merged in); -1 none */
};

enum fault_kind { FAULT_CRASH, FAULT_PAUSE, FAULT_SLOW, FAULT_ERRORS, FAULT_POOL };

struct fault_config {
    enum fault_kind kind;
    sim_time at, until; /* until = SIM_TIME_MAX: never ends */
    int service;
    int endpoint;  /* -1: the whole service */
    int pool;      /* -1: not a pool target */
    bool hang;     /* crash: callers wait for their timeout, else refused */
    double factor; /* slow: multiply durations (1 = none) */
    sim_time add;  /* slow: add to durations */
    double rate;   /* errors: extra failure probability */
    int size;      /* pool: new size */
};

/* ---- the event bus, sagas and projections ------------------------------------ */

struct bus_config {
    struct sim_dist latency; /* publish to delivery; constant 0 by default */
    double duplicate;        /* probability a delivery is made twice */
    int attempts;            /* deliveries of one copy when the handler fails (>= 1) */
    sim_time after;          /* between them */
};

/* `on: E, run: s.e`: every event E is delivered to s.e on s's threads. */
struct subscription_config {
    int event;
    int service, endpoint;
};

struct choreography_config {
    char *name;
    int start; /* event published to start an instance */
    struct rate_point *rates;
    int nrates;
    int *completed_on, ncompleted; /* events that end an instance well */
    int *failed_on, nfailed;       /* events that end it failed */
    sim_time timeout;              /* 0 = never stuck by time */
};

struct saga_step_config {
    char *name;
    struct call_config call; /* the step; its policy is the step's `policy` */
    bool has_compensate;
    struct call_config compensate; /* its policy is the saga's `compensation`: a
                                    * policy name, or a mapping the loader appends
                                    * to `policies` as "saga/<name>/compensation" */
};

struct saga_config {
    char *name;
    struct rate_point *rates; /* `start` */
    int nrates;
    struct saga_step_config *steps;
    int nsteps;
    bool compensate_uncertain; /* also compensate a step whose call timed out */
};

struct projection_config {
    char *name;
    int *events, nevents;  /* `on` */
    int service, endpoint; /* `run`: the projector */
    bool has_read_after;
    struct sim_dist read_after; /* a read of one's own write, this long after publish */
};

struct world_config {
    char *name;
    uint64_t seed;
    sim_time duration, warmup, sample;
    bool has_clock;
    sim_time clock; /* t=0 as time since midnight */
    bool has_latency;
    struct sim_dist latency; /* default one-way network delay */
    struct service_config *services;
    int nservices;
    struct policy_config *policies;
    int npolicies;
    struct load_config *loads;
    int nloads;
    struct fault_config *faults;
    int nfaults;
    /* events and effects: names gathered from the whole file, in order of
     * first appearance; every int event/effect field indexes these. */
    char **events;
    int nevents;
    char **effects;
    int neffects;
    struct bus_config bus;
    struct subscription_config *subscriptions;
    int nsubscriptions;
    struct choreography_config *choreographies;
    int nchoreographies;
    struct saga_config *sagas;
    int nsagas;
    struct projection_config *projections;
    int nprojections;
};

void world_config_fini(struct world_config *c);

#endif
