/* world.h - the assembled model and its runtime records.
 *
 * world_create() builds every element from a struct world_config (resolved
 * indices, no strings on the hot path), names every random stream, and
 * world_start() schedules the first events (load arrivals, faults, the
 * sampler, the warm-up reset). The run itself is sim_run_until().
 *
 * Records in flight:
 *   struct req   one execution of an endpoint at a service (server side), from
 *                arrival to the response it sends. Holds a thread while running.
 *   struct call  one client-side call through a policy stack (a `call` step, a
 *                `parallel` branch or an end user of a load source); it makes
 *                one or more attempts, each of which creates a req at the callee.
 *   struct fan   a `parallel` step waiting for its branches.
 * All three come from free lists (sim_pool) owned by the world, so memory is
 * proportional to the requests in flight, never to simulated time.
 *
 * Orphans: a caller that stops waiting (timeout, crash) bumps its call's
 * generation; the callee's req keeps working and its response, carrying the old
 * generation, is dropped on arrival. That wasted work is the point: it is how
 * retry storms and metastable failures arise.
 *
 * Ownership: the world owns every element and record; world_destroy() frees
 * them. It must run before sim_destroy() (it does not touch events).
 */
#ifndef MODELS_WORLD_H
#define MODELS_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/arrivals.h"
#include "models/config.h"
#include "models/metrics.h"
#include "sim/kernel/sim.h"
#include "sim/kernel/sim_list.h"
#include "sim/kernel/sim_pool.h"

struct world;
struct service;
struct call;
struct policy;
struct saga;
struct saga_inst;
struct bus;

/* Durations after faults: d * factor + add. */
struct slowdown {
    double factor;
    sim_time add;
};

static inline bool slowdown_is_none(const struct slowdown *sd)
{
    return sd->factor == 1.0 && sd->add == 0;
}

struct cpool {
    const struct pool_config *cfg;
    struct service *svc;
    int index;
    int size, in_use;
    struct sim_list waiters; /* reqs waiting, FIFO, linked by wlink */
    int nwaiters;
    bool exhausted;        /* for the timeline's exhausted/recovered lines */
    int iv_peak;           /* most connections in use since the last sample */
    struct slowdown slow;  /* hold times */
    sim_lane acquire_lane; /* acquire timeouts */
    struct pool_metrics m;
};

enum { EP_AHEAD = 32 };

struct endpoint {
    const struct endpoint_config *cfg;
    struct service *svc;
    int index;
    struct site **sites; /* call sites of call and parallel steps, in order */
    int *site_off;       /* per step: index of its first site in `sites` */
    gsl_rng *work_rng, *hold_rng, *err_rng;
    /* With a single work step, work_rng serves that one distribution, so its
     * draws can be made ahead in batches (endpoint.c, work_time): work_only
     * is that step's distribution, else NULL, and work_ahead[work_next ..]
     * the draws not yet used. */
    const struct sim_dist *work_only;
    int work_next;
    sim_time work_ahead[EP_AHEAD];
    gsl_rng *pub_rng; /* publish branches; NULL when it has none */
    bool publishes;   /* it has publish steps */
    struct slowdown slow;
    bool slowed;   /* its or its service's slowdown is in force (fault.c): work pays it */
    bool may_fail; /* an error rate of its own, or an errors fault on it or its service */
    double fault_error_rate;
    struct ep_metrics m;
};

enum svc_state { SVC_UP, SVC_DOWN };

struct service {
    const struct service_config *cfg;
    struct world *world;
    int index;
    enum svc_state state;
    bool hang;          /* while down: swallow requests instead of refusing */
    bool saturated;     /* for the timeline */
    bool track_running; /* it can crash or pause, which walk `running` */
    int iv_peak;        /* most threads in use since the last sample */
    int paused;         /* nesting count of active pause faults */
    int threads;        /* 0 = unlimited */
    int busy, blocked;  /* running requests by thread state */
    int64_t queued;
    struct sim_list queue;   /* accept queue, reqs linked by link */
    struct sim_list running; /* running reqs, linked by link, if track_running */
    struct sim_list resume;  /* reqs whose continuation waits for the end of a pause */
    struct cpool *pools;
    struct endpoint *eps;
    struct slowdown slow;
    double fault_error_rate;
    sim_event_id restart_ev;
    sim_lane queue_lane; /* queue timeouts */
    struct svc_metrics m;
    struct svc_interval iv;
};

/* A call site: an edge (caller endpoint -> callee endpoint) with one policy.
 * Policy state (breaker, bulkhead, budget) lives here; the edge's counters are
 * shared by every site of the same edge. */
struct site {
    struct world *world;
    const struct endpoint *caller_ep; /* NULL for a load source */
    struct service *callee;
    struct endpoint *callee_ep;
    const struct policy_config *pol; /* NULL: no policy */
    struct policy *policy;           /* its instance (policy.h); NULL: no policy */
    struct edge_metrics *m;
    const struct sim_dist *latency; /* NULL: no network delay */
    gsl_rng *latency_rng, *retry_rng;
    bool optional;
    bool ext; /* its calls have a struct call_ext (see site_ext in world.c) */
};

/* A named edge for `calls.<a -> b>` in the summary. */
struct edge {
    char *name;
    struct edge_metrics m;
    struct policy *breaker; /* the breaker its calls go through, if any */
};

enum req_phase { REQ_QUEUED, REQ_RUNNING, REQ_RESPONDING };
enum req_resume { RESUME_NONE, RESUME_STEP_OK, RESUME_STEP_FAIL, RESUME_ACQUIRED };

/* 128 bytes, two cache lines (pools align records that fill whole lines).
 * The first line holds what a request's end reads (which step, whose thread,
 * whom to answer); the second what it touches on the way (the work event,
 * the latency's start, the saga) and the wait bookkeeping. With 100,000
 * requests in flight, each end is a cache miss per line touched. */
struct req {
    struct sim_list link; /* service queue or running list */
    struct service *svc;
    struct endpoint *ep;
    struct call *caller; /* who gets the response (every request has one) */
    struct site *site;   /* the caller's call site (records outlive calls) */
    uint32_t caller_gen; /* the attempt's generation when it was sent */
    int step;
    uint8_t phase;  /* enum req_phase */
    uint8_t resume; /* enum req_resume */
    bool blocked;   /* thread state while running */
    bool failed;
    bool permit;  /* shares its caller's bulkhead permit (see call.c) */
    bool frozen;  /* paused with its work or hold event cancelled: `remaining` holds */
    int16_t pool; /* pool index held or waited for; -1 none */

    sim_time arrived;
    sim_event_id ev;        /* the pending timed event of this req, or 0 */
    struct saga_inst *corr; /* the saga instance it works for (a reference), or NULL */
    struct sim_list wlink;  /* pool waiters or the resume list */
    sim_event_id qtimer;    /* queue_timeout or acquire_timeout */
    /* One time at a time is live: a request waits for a connection with no
     * event pending, and is frozen only with its event cancelled. */
    union {
        sim_time ev_at;     /* while ev is pending: when it fires */
        sim_time since;     /* while waiting for a connection: since when */
        sim_time remaining; /* while frozen: the work or hold time left */
    };
    /* The current step's: a call step's call or a parallel step's fan. */
    union {
        struct call *out; /* STEP_CALL: the outgoing call in progress */
        struct fan *fan;  /* STEP_PARALLEL: the branches in progress */
    };
};

/* Who made a call: a load source's end user, a request's `call` step, a
 * branch of a `parallel` step, a saga's coordinator (struct saga_inst), or
 * the bus delivering an event (struct bus_delivery). */
enum call_origin { ORIGIN_LOAD, ORIGIN_REQ, ORIGIN_FAN, ORIGIN_SAGA, ORIGIN_BUS };

/* 64 bytes, one cache line: what every call touches from its creation to
 * the delivery of its outcome. A call whose site has a breaker, retries or
 * a bulkhead, or that is a parallel step's branch, has a struct call_ext
 * right after it in the same record (call_ext; a pool of its own).
 * A recycled record's lines have long left the cache when it is reused:
 * with 1e5 requests in flight, writing a second line at every creation
 * cost a quarter to a third of the time per event (README, Speed). */
struct call {
    struct site *site;
    void *owner;            /* by origin: struct load, req, fan, saga_inst or bus_delivery */
    sim_time started;       /* first attempt */
    sim_event_id timer;     /* timeout, backoff or fallback */
    struct req *inflight;   /* the callee req of the current attempt, if known */
    struct saga_inst *corr; /* passed on to its requests; its owner holds the reference */
    uint32_t gen;           /* bumped when an attempt ends */
    int attempt;            /* 1-based */
    uint8_t origin;         /* enum call_origin */
    bool ext;               /* a struct call_ext follows */
    bool counted;           /* started after the warm-up */
    bool admitted;          /* the breaker let this attempt through: record its result */
    bool throttled_in;      /* the throttle let it through: count an accept */
    bool waiting;           /* in the bulkhead's queue */
    bool permit;            /* holds a bulkhead permit (shared with the req) */
    bool uncertain;         /* an attempt timed out: it may have taken effect */
};

/* What only some calls need (see struct call). */
struct call_ext {
    sim_time attempt_started; /* a breaker's: how slow the attempt was */
    sim_time prev_delay;      /* decorrelated jitter */
    sim_event_id wait_timer;  /* bulkhead max_wait */
    struct sim_list flink;    /* a parallel fan's branches */
    struct sim_list blink;    /* the bulkhead's waiters */
};

static inline struct call_ext *call_ext(struct call *c)
{
    SIM_ASSERT(c->ext);
    return (struct call_ext *)(void *)(c + 1);
}

static inline struct call *call_of_ext(struct call_ext *x)
{
    return (struct call *)(void *)x - 1;
}

struct fan {
    struct req *req;       /* NULL once the request has moved on */
    struct sim_list calls; /* branches still running */
    int pending, ok, failed, need, n;
};

struct load {
    const struct load_config *cfg;
    struct arrivals arr;
    struct world *world;
    struct site site;
    struct load_metrics m;
    struct edge_metrics edge; /* the end user's calls; only `attempts` is reported */
    struct recovery_metrics rec;
};

/* One time-series row (SCENARIO.md s.3, timeseries.csv). */
struct world_row {
    sim_time t;
    const struct service *svc;
    int threads_busy, threads_blocked;
    int64_t queue_len;
    uint64_t arrivals, completions, failures, rejections;
    double p50_ms, p99_ms;
    int pool_in_use;
    int breaker_open;
};
typedef void world_row_fn(void *ctx, const struct world_row *row);

/* One breaker's state at a sample (breakers.csv): `policy` names it (its
 * `who` is the caller, `name` the dependency and policy); state is an enum
 * breaker_state (0 closed, 1 open, 2 half-open). */
struct world_breaker_row {
    sim_time t;
    const struct policy *policy;
    int state;
};
typedef void world_breaker_fn(void *ctx, const struct world_breaker_row *row);

struct world {
    struct sim *sim;
    const struct world_config *cfg;
    struct service *svcs;
    int nsvcs;
    struct site **sites; /* every call site, for freeing */
    int nsites;
    size_t capsites;
    struct policy **policies; /* every policy instance */
    int npolicies;
    size_t cappolicies;
    struct edge *edges; /* in order of first appearance */
    int nedges;
    size_t capedges;
    struct load *loads;
    int nloads;
    struct sim_pool reqs, calls, fans;
    struct sim_pool calls_ext; /* calls with a struct call_ext */
    gsl_rng *fault_rng;
    world_row_fn *row_fn;
    void *row_ctx;
    world_breaker_fn *breaker_fn;
    void *breaker_ctx;
    bool *fault_active;
    sim_time first_fault, last_fault_end;
    struct saga *sagas; /* orchestrated, then choreographies (saga.h) */
    int nsagas;
    struct sim_pool insts; /* saga instances, sized for the ledger */
    struct sim_list live;  /* instances not judged yet */
    uint64_t next_inst;
    struct bus *bus;      /* NULL when the scenario has no events */
    sim_lane now_lane;    /* events at the current instant (sim_event.h) */
    sim_time count_after; /* what starts later than this is counted (world_counts) */
};

/* Whether a call, saga instance or delivery starting now is counted in the
 * summary: it starts after the warm-up. The warm-up reset runs at the end of
 * its instant, so what starts at that very instant belongs to the warm-up,
 * as its requests do. */
static inline bool world_counts(const struct world *w, sim_time now)
{
    return now > w->count_after;
}

/* A call site for a caller that is not an endpoint (a saga's coordinator,
 * the bus): edge "<who> -> callee.endpoint", policy instance per who.
 * `network`: the call pays the network delay (the bus has its own). */
struct site *world_site(struct world *w, const char *who, const struct call_config *cc,
                        bool network);

struct world *world_create(struct sim *sim, const struct world_config *cfg);
void world_destroy(struct world *w);
/* Installs the time-series sink (optional; call before world_start). */
void world_set_rows(struct world *w, world_row_fn *fn, void *ctx);
/* Installs the breakers' sink: one row per breaker per sample (optional). */
void world_set_breaker_rows(struct world *w, world_breaker_fn *fn, void *ctx);
/* Schedules loads, faults, the sampler and the warm-up reset. */
void world_start(struct world *w);
/* Closes the time-weighted levels at the end of the run. */
void world_finish(struct world *w);

#endif
