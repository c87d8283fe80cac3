/* tworld.h - tiny worlds for model tests, built in C (no YAML).
 *
 * A test fills a struct world_config through these helpers, as the loader
 * would: every array and name is allocated with sim_x*, so world_config_fini()
 * frees the lot. Elements are referred to by index (the helpers return them);
 * pointers into the config move when an array grows, so take a pointer
 * (tw_svc, tw_pol, ...) only after the last addition of that kind.
 *
 * Defaults mirror the scenario contract's: a service has unlimited queue,
 * fifo, no queue timeout, no max_inflight; a policy has no timeout and no
 * retry; a load is poisson; a fault acts on the whole service (endpoint and
 * pool -1), slow factor 1. The world has no warm-up and no sampler.
 *
 * Running: tw_start() creates the sim (seed, replication) and the world and
 * schedules its first events; the test may then step with sim_run_until()
 * and inspect state between steps. tw_run() does the whole run to
 * cfg->duration and closes the levels (world_finish). Either way the caller
 * frees with tw_destroy() (world before sim) and then world_config_fini().
 */
#ifndef TESTS_SUPPORT_TWORLD_H
#define TESTS_SUPPORT_TWORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/config.h"
#include "models/world.h"
#include "sim/kernel/sim.h"

/* Distributions in seconds; abort the test binary on bad parameters. */
struct sim_dist tw_const(double s);
struct sim_dist tw_exp(double mean_s);
struct sim_dist tw_uniform(double min_s, double max_s);
struct sim_dist tw_gamma(double mean_s, double cv);

/* A world of `duration` with no warm-up, named "t"; its bus has latency
 * constant 0, no duplicates and attempts 1. */
void tw_init(struct world_config *c, sim_time duration);

int tw_service(struct world_config *c, const char *name, int threads, int64_t queue);
struct service_config *tw_svc(struct world_config *c, int svc);
int tw_pool(struct world_config *c, int svc, const char *name, int size, sim_time acquire_timeout);
int tw_endpoint(struct world_config *c, int svc, const char *name);
struct endpoint_config *tw_ep(struct world_config *c, int svc, int ep);

/* Steps, appended in order to endpoint (svc, ep). */
void tw_work(struct world_config *c, int svc, int ep, struct sim_dist d);
void tw_use(struct world_config *c, int svc, int ep, int pool, struct sim_dist hold);
void tw_call(struct world_config *c, int svc, int ep, int callee, int callee_ep, int policy,
             bool optional);
/* A parallel step over n branches (copied); need = n for "all". */
void tw_parallel(struct world_config *c, int svc, int ep, const struct call_config *calls, int n,
                 int need);

/* A policy with a timeout (0: none). */
int tw_policy(struct world_config *c, const char *name, sim_time timeout);
struct policy_config *tw_pol(struct world_config *c, int pol);
/* The two-service world of the call, policy and fault tests: f.e calls b.e
 * through policy "p" (the given timeout, layers added by each test); b has
 * `back_threads` and `work_s` of constant work; load "u" on f.e sends
 * nothing by itself (tw_send). Services 0 (f) and 1 (b). */
void tw_front_back(struct world_config *c, sim_time timeout, int back_threads, double work_s);
void tw_retry(struct world_config *c, int pol, int attempts, enum backoff_kind backoff,
              sim_time base, double multiplier, sim_time cap, enum jitter_kind jitter, unsigned on);
/* A retry limit on policy `pol`, after its tw_retry (which resets them). */
void tw_retry_budget(struct world_config *c, int pol, double ratio, double min_per_s,
                     sim_time window);
void tw_retry_bucket(struct world_config *c, int pol, double capacity, double per_call,
                     double cost);
/* Breakers. A sliding one trips on failures only (slow_rate 1 and a slow_call
 * of an hour); set tw_pol(c, pol)->breaker.slow_* for slow calls. */
void tw_breaker_consecutive(struct world_config *c, int pol, int failure_threshold,
                            sim_time recovery_timeout, int half_open_calls);
void tw_breaker_sliding(struct world_config *c, int pol, enum window_kind window, int size,
                        int min_calls, double failure_rate, sim_time open_for, int half_open_calls);
void tw_bulkhead_semaphore(struct world_config *c, int pol, int max_concurrent, sim_time max_wait);
void tw_bulkhead_threadpool(struct world_config *c, int pol, int threads, int queue);
void tw_fallback(struct world_config *c, int pol, enum fallback_kind kind, sim_time latency);
void tw_throttle(struct world_config *c, int pol, double k, sim_time window);

/* A load at a flat rate from t=0 (rps 0: no points yet; add them with tw_rate). */
int tw_load(struct world_config *c, const char *name, int svc, int ep, double rps, bool constant);
void tw_rate(struct world_config *c, int load, sim_time at, double rps, sim_time ramp);

/* End users of load `load` send one request at time `at` (>= now), as the
 * load's own arrivals would (counted in its metrics, through its policy).
 * A load added with rps 0 and no rate points sends nothing by itself, so a
 * test can place single requests exactly. Call after tw_start(). */
void tw_send(struct world *w, int load, sim_time at);

/* ---- the event bus, sagas and projections ---------------------------------
 *
 * Events and effects are names gathered into c->events and c->effects, as
 * the loader gathers them: tw_event() and tw_effect() return the index of
 * the name, appending it if new. The ledger keys of an endpoint (effect,
 * idempotent, undo, commutative, on_failure) are set on tw_ep() directly;
 * tw_endpoint() leaves effect, undo and on_failure at -1. tw_init() gives the
 * bus a latency of constant 0, no duplicates and one delivery (attempts 1). */
int tw_event(struct world_config *c, const char *name);
int tw_effect(struct world_config *c, const char *name);
/* A publish step: `event` with probability p (1: always), else `event_else`
 * (-1: nothing). */
void tw_publish(struct world_config *c, int svc, int ep, int event, double p, int event_else);
/* The bus (replaces the latency distribution tw_init gave it). */
void tw_bus(struct world_config *c, struct sim_dist latency, double duplicate, int attempts,
            sim_time after);
/* `on: event, run: svc.ep`. */
int tw_subscribe(struct world_config *c, int event, int svc, int ep);

/* A choreography started by publishing `start` at a flat Poisson rate from
 * t=0 (rps 0: no points yet; add them with tw_chor_rate); timeout 0: never
 * stuck by time. */
int tw_choreography(struct world_config *c, const char *name, int start, double rps,
                    sim_time timeout);
struct choreography_config *tw_chor(struct world_config *c, int chor);
void tw_chor_rate(struct world_config *c, int chor, sim_time at, double rps, sim_time ramp);
void tw_completed_on(struct world_config *c, int chor, int event);
void tw_failed_on(struct world_config *c, int chor, int event);

/* An orchestrated saga started at a flat Poisson rate from t=0 (rps 0: no
 * points yet; tw_saga_rate adds them). */
int tw_saga(struct world_config *c, const char *name, double rps, bool compensate_uncertain);
struct saga_config *tw_sg(struct world_config *c, int saga);
void tw_saga_rate(struct world_config *c, int saga, sim_time at, double rps, sim_time ramp);
/* A step calling svc.ep through `policy` (-1: none); its index. */
int tw_saga_step(struct world_config *c, int saga, const char *name, int svc, int ep, int policy);
/* The step's compensation: svc.ep through `policy` (the saga's compensation
 * policy, e.g. a tw_policy with a tw_retry; -1: none). */
void tw_saga_compensate(struct world_config *c, int saga, int step, int svc, int ep, int policy);

/* A projection run by svc.ep, with no events yet and no read_after. */
int tw_projection(struct world_config *c, const char *name, int svc, int ep);
void tw_project_on(struct world_config *c, int proj, int event);
void tw_read_after(struct world_config *c, int proj, struct sim_dist d);

/* A fault on a service from `at` to `until` (SIM_TIME_MAX: never ends). */
int tw_fault(struct world_config *c, enum fault_kind kind, int svc, sim_time at, sim_time until);
struct fault_config *tw_flt(struct world_config *c, int fault);

/* The sim and the world, nothing scheduled yet: the test may adjust the
 * built world (e.g. w->sagas[k].arr.constant = true, since the config has no
 * constant arrivals for sagas) before world_start(w). */
struct world *tw_create(const struct world_config *c, uint64_t seed, uint32_t rep,
                        struct sim **simp);
/* tw_create, then world_start. */
struct world *tw_start(const struct world_config *c, uint64_t seed, uint32_t rep,
                       struct sim **simp);
/* tw_start, run to c->duration, world_finish. */
struct world *tw_run(const struct world_config *c, uint64_t seed, uint32_t rep, struct sim **simp);
void tw_destroy(struct world *w, struct sim *sim);

/* Convenience readers. */
double tw_mean_s(const struct sim_hist *h); /* exact mean (sum / n) in seconds */
double tw_level_mean(const struct world *w, const struct sim_level *l);
/* Call records in use, of either kind (plain and with struct call_ext). */
size_t tw_calls_live(const struct world *w);

#endif
