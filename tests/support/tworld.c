/* tworld.c - tiny worlds for model tests (see tworld.h). */
#include "tests/support/tworld.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/call.h"
#include "sim/kernel/sim_mem.h"

static struct sim_dist checked(const char *err, struct sim_dist d, const char *what)
{
    if (err) {
        fprintf(stderr, "tworld: bad %s distribution: %s\n", what, err);
        abort();
    }
    return d;
}

struct sim_dist tw_const(double s)
{
    struct sim_dist d;
    const char *e = sim_dist_constant(&d, s);
    return checked(e, d, "constant");
}

struct sim_dist tw_exp(double mean_s)
{
    struct sim_dist d;
    const char *e = sim_dist_exponential(&d, mean_s);
    return checked(e, d, "exponential");
}

struct sim_dist tw_uniform(double min_s, double max_s)
{
    struct sim_dist d;
    const char *e = sim_dist_uniform(&d, min_s, max_s);
    return checked(e, d, "uniform");
}

struct sim_dist tw_gamma(double mean_s, double cv)
{
    struct sim_dist d;
    const char *e = sim_dist_gamma(&d, mean_s, cv);
    return checked(e, d, "gamma");
}

/* Append one zeroed element to an array of n elements; returns its index. */
static int append(void **arr, int *n, size_t elem)
{
    *arr = sim_xrealloc(*arr, (size_t)(*n + 1) * elem);
    memset((char *)*arr + (size_t)*n * elem, 0, elem);
    return (*n)++;
}

void tw_init(struct world_config *c, sim_time duration)
{
    memset(c, 0, sizeof *c);
    c->name = sim_xstrdup("t");
    c->seed = 1;
    c->duration = duration;
    struct sim_dist zero = tw_const(0);
    c->latency = zero;
    c->bus.latency = zero;
    c->bus.attempts = 1; /* the runtime reads it: one delivery, no redelivery */
}

int tw_service(struct world_config *c, const char *name, int threads, int64_t queue)
{
    int i = append((void **)&c->services, &c->nservices, sizeof *c->services);
    struct service_config *s = &c->services[i];
    s->name = sim_xstrdup(name);
    s->threads = threads;
    s->queue = queue;
    return i;
}

struct service_config *tw_svc(struct world_config *c, int svc)
{
    if (svc < 0 || svc >= c->nservices) abort();
    return &c->services[svc];
}

int tw_pool(struct world_config *c, int svc, const char *name, int size, sim_time acquire_timeout)
{
    struct service_config *s = tw_svc(c, svc);
    int i = append((void **)&s->pools, &s->npools, sizeof *s->pools);
    s->pools[i].name = sim_xstrdup(name);
    s->pools[i].size = size;
    s->pools[i].acquire_timeout = acquire_timeout;
    return i;
}

int tw_endpoint(struct world_config *c, int svc, const char *name)
{
    struct service_config *s = tw_svc(c, svc);
    int i = append((void **)&s->endpoints, &s->nendpoints, sizeof *s->endpoints);
    s->endpoints[i].name = sim_xstrdup(name);
    s->endpoints[i].effect = s->endpoints[i].undo = s->endpoints[i].on_failure = -1;
    return i;
}

struct endpoint_config *tw_ep(struct world_config *c, int svc, int ep)
{
    struct service_config *s = tw_svc(c, svc);
    if (ep < 0 || ep >= s->nendpoints) abort();
    return &s->endpoints[ep];
}

static struct step_config *add_step(struct world_config *c, int svc, int ep, enum step_kind kind)
{
    struct endpoint_config *e = tw_ep(c, svc, ep);
    int i = append((void **)&e->steps, &e->nsteps, sizeof *e->steps);
    struct step_config *st = &e->steps[i];
    st->kind = kind;
    st->dist = tw_const(0);
    st->pool = -1;
    st->call.service = st->call.endpoint = st->call.policy = -1;
    st->event = st->event_else = -1;
    st->event_p = 1;
    return st;
}

void tw_work(struct world_config *c, int svc, int ep, struct sim_dist d)
{
    add_step(c, svc, ep, STEP_WORK)->dist = d;
}

void tw_use(struct world_config *c, int svc, int ep, int pool, struct sim_dist hold)
{
    if (pool < 0 || pool >= tw_svc(c, svc)->npools) abort();
    struct step_config *st = add_step(c, svc, ep, STEP_USE);
    st->pool = pool;
    st->dist = hold;
}

void tw_call(struct world_config *c, int svc, int ep, int callee, int callee_ep, int policy,
             bool optional)
{
    tw_ep(c, callee, callee_ep);
    if (policy >= c->npolicies) abort();
    struct step_config *st = add_step(c, svc, ep, STEP_CALL);
    st->call = (struct call_config){callee, callee_ep, policy, optional};
}

void tw_parallel(struct world_config *c, int svc, int ep, const struct call_config *calls, int n,
                 int need)
{
    for (int i = 0; i < n; i++) {
        tw_ep(c, calls[i].service, calls[i].endpoint);
        if (calls[i].policy >= c->npolicies) abort();
    }
    struct step_config *st = add_step(c, svc, ep, STEP_PARALLEL);
    st->calls = sim_xcalloc((size_t)n, sizeof *st->calls);
    memcpy(st->calls, calls, (size_t)n * sizeof *calls);
    st->ncalls = n;
    st->need = need;
}

int tw_policy(struct world_config *c, const char *name, sim_time timeout)
{
    int i = append((void **)&c->policies, &c->npolicies, sizeof *c->policies);
    struct policy_config *p = &c->policies[i];
    p->name = sim_xstrdup(name);
    p->timeout = timeout;
    p->latency = tw_const(0);
    return i;
}

struct policy_config *tw_pol(struct world_config *c, int pol)
{
    if (pol < 0 || pol >= c->npolicies) abort();
    return &c->policies[pol];
}

void tw_front_back(struct world_config *c, sim_time timeout, int back_threads, double work_s)
{
    tw_init(c, 60 * SIM_S);
    int f = tw_service(c, "f", 0, -1);
    int b = tw_service(c, "b", back_threads, -1);
    int fe = tw_endpoint(c, f, "e");
    int be = tw_endpoint(c, b, "e");
    tw_work(c, b, be, tw_const(work_s));
    tw_call(c, f, fe, b, be, tw_policy(c, "p", timeout), false);
    tw_load(c, "u", f, fe, 0, false);
}

void tw_retry(struct world_config *c, int pol, int attempts, enum backoff_kind backoff,
              sim_time base, double multiplier, sim_time cap, enum jitter_kind jitter, unsigned on)
{
    struct policy_config *p = tw_pol(c, pol);
    p->has_retry = true;
    p->retry = (struct retry_config){
        .attempts = attempts,
        .backoff = backoff,
        .base = base,
        .multiplier = multiplier,
        .cap = cap,
        .jitter = jitter,
        .on = on,
    };
}

void tw_retry_budget(struct world_config *c, int pol, double ratio, double min_per_s,
                     sim_time window)
{
    struct policy_config *p = tw_pol(c, pol);
    if (!p->has_retry) abort();
    p->retry.has_budget = true;
    p->retry.budget_ratio = ratio;
    p->retry.budget_min_per_s = min_per_s;
    p->retry.budget_window = window;
}

void tw_retry_bucket(struct world_config *c, int pol, double capacity, double per_call, double cost)
{
    struct policy_config *p = tw_pol(c, pol);
    if (!p->has_retry) abort();
    p->retry.has_bucket = true;
    p->retry.bucket_capacity = capacity;
    p->retry.bucket_per_call = per_call;
    p->retry.bucket_cost = cost;
}

void tw_breaker_consecutive(struct world_config *c, int pol, int failure_threshold,
                            sim_time recovery_timeout, int half_open_calls)
{
    struct policy_config *p = tw_pol(c, pol);
    p->has_breaker = true;
    p->breaker = (struct breaker_config){
        .kind = BREAKER_CONSECUTIVE,
        .failure_threshold = failure_threshold,
        .recovery_timeout = recovery_timeout,
        .half_open_calls = half_open_calls,
    };
}

void tw_breaker_sliding(struct world_config *c, int pol, enum window_kind window, int size,
                        int min_calls, double failure_rate, sim_time open_for, int half_open_calls)
{
    struct policy_config *p = tw_pol(c, pol);
    p->has_breaker = true;
    p->breaker = (struct breaker_config){
        .kind = BREAKER_SLIDING,
        .window = window,
        .size = size,
        .min_calls = min_calls,
        .failure_rate = failure_rate,
        .slow_rate = 1.0,
        .slow_call = SIM_HOUR,
        .open_for = open_for,
        .half_open_calls = half_open_calls,
    };
}

void tw_bulkhead_semaphore(struct world_config *c, int pol, int max_concurrent, sim_time max_wait)
{
    struct policy_config *p = tw_pol(c, pol);
    p->has_bulkhead = true;
    p->bulkhead = (struct bulkhead_config){
        .kind = BULKHEAD_SEMAPHORE, .max_concurrent = max_concurrent, .max_wait = max_wait};
}

void tw_bulkhead_threadpool(struct world_config *c, int pol, int threads, int queue)
{
    struct policy_config *p = tw_pol(c, pol);
    p->has_bulkhead = true;
    p->bulkhead =
        (struct bulkhead_config){.kind = BULKHEAD_THREADPOOL, .threads = threads, .queue = queue};
}

void tw_fallback(struct world_config *c, int pol, enum fallback_kind kind, sim_time latency)
{
    struct policy_config *p = tw_pol(c, pol);
    p->has_fallback = true;
    p->fallback = (struct fallback_config){.kind = kind, .latency = latency};
}

void tw_throttle(struct world_config *c, int pol, double k, sim_time window)
{
    struct policy_config *p = tw_pol(c, pol);
    p->has_throttle = true;
    p->throttle = (struct throttle_config){.k = k, .window = window};
}

int tw_load(struct world_config *c, const char *name, int svc, int ep, double rps, bool constant)
{
    tw_ep(c, svc, ep);
    int i = append((void **)&c->loads, &c->nloads, sizeof *c->loads);
    struct load_config *l = &c->loads[i];
    l->name = sim_xstrdup(name);
    l->service = svc;
    l->endpoint = ep;
    l->constant = constant;
    l->policy = -1;
    if (rps > 0) tw_rate(c, i, 0, rps, 0);
    return i;
}

void tw_rate(struct world_config *c, int load, sim_time at, double rps, sim_time ramp)
{
    if (load < 0 || load >= c->nloads) abort();
    struct load_config *l = &c->loads[load];
    int i = append((void **)&l->rates, &l->nrates, sizeof *l->rates);
    l->rates[i] = (struct rate_point){at, rps, ramp};
}

/* ---- the event bus, sagas and projections -------------------------------- */

static int name_index(char ***names, int *n, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (strcmp((*names)[i], name) == 0) return i;
    int i = append((void **)names, n, sizeof **names);
    (*names)[i] = sim_xstrdup(name);
    return i;
}

int tw_event(struct world_config *c, const char *name)
{
    return name_index(&c->events, &c->nevents, name);
}

int tw_effect(struct world_config *c, const char *name)
{
    return name_index(&c->effects, &c->neffects, name);
}

static void check_event(const struct world_config *c, int event, bool none_ok)
{
    if (event >= c->nevents || event < (none_ok ? -1 : 0)) abort();
}

void tw_publish(struct world_config *c, int svc, int ep, int event, double p, int event_else)
{
    check_event(c, event, false);
    check_event(c, event_else, true);
    if (!(p >= 0 && p <= 1)) abort();
    struct step_config *st = add_step(c, svc, ep, STEP_PUBLISH);
    st->event = event;
    st->event_p = p;
    st->event_else = event_else;
}

void tw_bus(struct world_config *c, struct sim_dist latency, double duplicate, int attempts,
            sim_time after)
{
    if (attempts < 1 || !(duplicate >= 0 && duplicate <= 1)) abort();
    sim_dist_fini(&c->bus.latency);
    c->bus.latency = latency;
    c->bus.duplicate = duplicate;
    c->bus.attempts = attempts;
    c->bus.after = after;
}

int tw_subscribe(struct world_config *c, int event, int svc, int ep)
{
    check_event(c, event, false);
    tw_ep(c, svc, ep);
    int i = append((void **)&c->subscriptions, &c->nsubscriptions, sizeof *c->subscriptions);
    c->subscriptions[i] = (struct subscription_config){event, svc, ep};
    return i;
}

static void add_rate(struct rate_point **rates, int *n, sim_time at, double rps, sim_time ramp)
{
    int i = append((void **)rates, n, sizeof **rates);
    (*rates)[i] = (struct rate_point){at, rps, ramp};
}

static void add_int(int **arr, int *n, int v)
{
    int i = append((void **)arr, n, sizeof **arr);
    (*arr)[i] = v;
}

int tw_choreography(struct world_config *c, const char *name, int start, double rps,
                    sim_time timeout)
{
    check_event(c, start, false);
    int i = append((void **)&c->choreographies, &c->nchoreographies, sizeof *c->choreographies);
    struct choreography_config *ch = &c->choreographies[i];
    ch->name = sim_xstrdup(name);
    ch->start = start;
    ch->timeout = timeout;
    if (rps > 0) tw_chor_rate(c, i, 0, rps, 0);
    return i;
}

struct choreography_config *tw_chor(struct world_config *c, int chor)
{
    if (chor < 0 || chor >= c->nchoreographies) abort();
    return &c->choreographies[chor];
}

void tw_chor_rate(struct world_config *c, int chor, sim_time at, double rps, sim_time ramp)
{
    struct choreography_config *ch = tw_chor(c, chor);
    add_rate(&ch->rates, &ch->nrates, at, rps, ramp);
}

void tw_completed_on(struct world_config *c, int chor, int event)
{
    check_event(c, event, false);
    struct choreography_config *ch = tw_chor(c, chor);
    add_int(&ch->completed_on, &ch->ncompleted, event);
}

void tw_failed_on(struct world_config *c, int chor, int event)
{
    check_event(c, event, false);
    struct choreography_config *ch = tw_chor(c, chor);
    add_int(&ch->failed_on, &ch->nfailed, event);
}

int tw_saga(struct world_config *c, const char *name, double rps, bool compensate_uncertain)
{
    int i = append((void **)&c->sagas, &c->nsagas, sizeof *c->sagas);
    struct saga_config *sg = &c->sagas[i];
    sg->name = sim_xstrdup(name);
    sg->compensate_uncertain = compensate_uncertain;
    if (rps > 0) tw_saga_rate(c, i, 0, rps, 0);
    return i;
}

struct saga_config *tw_sg(struct world_config *c, int saga)
{
    if (saga < 0 || saga >= c->nsagas) abort();
    return &c->sagas[saga];
}

void tw_saga_rate(struct world_config *c, int saga, sim_time at, double rps, sim_time ramp)
{
    struct saga_config *sg = tw_sg(c, saga);
    add_rate(&sg->rates, &sg->nrates, at, rps, ramp);
}

int tw_saga_step(struct world_config *c, int saga, const char *name, int svc, int ep, int policy)
{
    tw_ep(c, svc, ep);
    if (policy >= c->npolicies) abort();
    struct saga_config *sg = tw_sg(c, saga);
    int i = append((void **)&sg->steps, &sg->nsteps, sizeof *sg->steps);
    struct saga_step_config *st = &sg->steps[i];
    st->name = sim_xstrdup(name);
    st->call = (struct call_config){svc, ep, policy, false};
    st->compensate = (struct call_config){-1, -1, -1, false};
    return i;
}

void tw_saga_compensate(struct world_config *c, int saga, int step, int svc, int ep, int policy)
{
    tw_ep(c, svc, ep);
    if (policy >= c->npolicies) abort();
    struct saga_config *sg = tw_sg(c, saga);
    if (step < 0 || step >= sg->nsteps) abort();
    sg->steps[step].has_compensate = true;
    sg->steps[step].compensate = (struct call_config){svc, ep, policy, false};
}

int tw_projection(struct world_config *c, const char *name, int svc, int ep)
{
    tw_ep(c, svc, ep);
    int i = append((void **)&c->projections, &c->nprojections, sizeof *c->projections);
    struct projection_config *p = &c->projections[i];
    p->name = sim_xstrdup(name);
    p->service = svc;
    p->endpoint = ep;
    p->read_after = tw_const(0);
    return i;
}

static struct projection_config *proj(struct world_config *c, int k)
{
    if (k < 0 || k >= c->nprojections) abort();
    return &c->projections[k];
}

void tw_project_on(struct world_config *c, int k, int event)
{
    check_event(c, event, false);
    struct projection_config *p = proj(c, k);
    add_int(&p->events, &p->nevents, event);
}

void tw_read_after(struct world_config *c, int k, struct sim_dist d)
{
    struct projection_config *p = proj(c, k);
    sim_dist_fini(&p->read_after);
    p->has_read_after = true;
    p->read_after = d;
}

int tw_fault(struct world_config *c, enum fault_kind kind, int svc, sim_time at, sim_time until)
{
    tw_svc(c, svc);
    int i = append((void **)&c->faults, &c->nfaults, sizeof *c->faults);
    struct fault_config *f = &c->faults[i];
    f->kind = kind;
    f->at = at;
    f->until = until;
    f->service = svc;
    f->endpoint = -1;
    f->pool = -1;
    f->factor = 1.0;
    return i;
}

struct fault_config *tw_flt(struct world_config *c, int fault)
{
    if (fault < 0 || fault >= c->nfaults) abort();
    return &c->faults[fault];
}

static void on_send(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    struct load *l = subject;
    (void)object;
    struct call *c = call_create(l->world, &l->site, ORIGIN_LOAD, l);
    if (c->counted) l->m.sent++;
    call_start(c);
}

void tw_send(struct world *w, int load, sim_time at)
{
    if (load < 0 || load >= w->nloads) abort();
    sim_event_at(w->sim, at, on_send, &w->loads[load], NULL);
}

struct world *tw_create(const struct world_config *c, uint64_t seed, uint32_t rep,
                        struct sim **simp)
{
    struct sim *sim = sim_create(seed, rep);
    struct world *w = world_create(sim, c);
    *simp = sim;
    return w;
}

struct world *tw_start(const struct world_config *c, uint64_t seed, uint32_t rep, struct sim **simp)
{
    struct world *w = tw_create(c, seed, rep, simp);
    world_start(w);
    return w;
}

struct world *tw_run(const struct world_config *c, uint64_t seed, uint32_t rep, struct sim **simp)
{
    struct world *w = tw_start(c, seed, rep, simp);
    sim_run_until(*simp, c->duration);
    world_finish(w);
    return w;
}

void tw_destroy(struct world *w, struct sim *sim)
{
    world_destroy(w);
    sim_destroy(sim);
}

size_t tw_calls_live(const struct world *w)
{
    return w->calls.live + w->calls_ext.live;
}

double tw_mean_s(const struct sim_hist *h)
{
    return h->n ? h->sum / (double)h->n / (double)SIM_S : 0;
}

double tw_level_mean(const struct world *w, const struct sim_level *l)
{
    return sim_level_mean(l, sim_now(w->sim));
}
