/* world.c - building the model, the sampler and the warm-up.
 *
 * Everything that needs a name happens here, once: random streams are named
 * after their element ("service/payment/charge/work"), call sites are
 * deduplicated, edges get their "a.x -> b.y" names. After world_create() the
 * hot path only follows pointers.
 *
 * Call sites are shared by every step of one endpoint that calls the same
 * callee with the same policy and optionality: the policy's state (a breaker,
 * a bulkhead) belongs to that client of that callee, as it would in a
 * service's code.
 */
#include "models/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/connpool.h"
#include "models/endpoint.h"
#include "models/fault.h"
#include "models/load.h"
#include "models/policy.h"
#include "models/saga.h"
#include "models/bus.h"
#include "models/service.h"
#include "sim/kernel/sim_mem.h"

static gsl_rng *stream(struct world *w, const char *fmt, const char *a, const char *b,
                       const char *c)
{
    char name[1100];
    snprintf(name, sizeof name, fmt, a, b, c);
    return sim_rng_stream(w->sim, name);
}

static bool is_zero(const struct sim_dist *d)
{
    return d->kind == SIM_DIST_CONSTANT && d->a == 0;
}

static const struct sim_dist *site_latency(const struct world *w, const struct policy_config *pol)
{
    const struct sim_dist *d = NULL;
    if (pol && pol->has_latency)
        d = &pol->latency;
    else if (w->cfg->has_latency)
        d = &w->cfg->latency;
    return d && !is_zero(d) ? d : NULL;
}

static struct edge *edge_get(struct world *w, const char *name)
{
    for (int i = 0; i < w->nedges; i++)
        if (strcmp(w->edges[i].name, name) == 0) return &w->edges[i];
    w->edges = sim_xgrow(w->edges, &w->capedges, (size_t)w->nedges + 1, sizeof *w->edges);
    struct edge *e = &w->edges[w->nedges++];
    e->name = sim_xstrdup(name);
    memset(&e->m, 0, sizeof e->m);
    e->breaker = NULL;
    return e;
}

/* One instance per (caller, policy, callee): see policy.h. A load source's
 * end users are their own caller (caller NULL, told apart by `who`). */
static struct policy *policy_get(struct world *w, const struct policy_config *pol,
                                 const struct service *caller, const struct service *callee,
                                 const char *who)
{
    if (!pol) return NULL;
    for (int i = 0; i < w->npolicies; i++) {
        struct policy *p = w->policies[i];
        if (p->cfg == pol && p->callee == callee && p->caller == caller &&
            (caller || strcmp(p->who, who) == 0))
            return p;
    }
    struct policy *p = policy_create(w, pol, caller, callee, who);
    w->policies =
        sim_xgrow(w->policies, &w->cappolicies, (size_t)w->npolicies + 1, sizeof *w->policies);
    w->policies[w->npolicies++] = p;
    return p;
}

/* Whether the calls of a site under `pol` need a struct call_ext: its
 * breaker's attempt start, its retries' previous delay, its bulkhead's
 * links and wait timer. (A parallel step's sites need one too.) */
static bool site_ext(const struct policy_config *pol)
{
    return pol && (pol->has_breaker || pol->has_retry || pol->has_bulkhead);
}

/* A new site for `cc`, called by `who` (caller NULL: not a service). */
static struct site *site_new(struct world *w, const struct service *caller,
                             const struct endpoint *cep, const char *who,
                             const struct call_config *cc, bool network)
{
    const struct policy_config *pol = cc->policy >= 0 ? &w->cfg->policies[cc->policy] : NULL;
    struct service *callee = &w->svcs[cc->service];
    struct endpoint *ep = &callee->eps[cc->endpoint];
    char name[512];
    if (cep)
        snprintf(name, sizeof name, "%s.%s -> %s.%s", who, cep->cfg->name, callee->cfg->name,
                 ep->cfg->name);
    else
        snprintf(name, sizeof name, "%s -> %s.%s", who, callee->cfg->name, ep->cfg->name);
    struct site *s = sim_xcalloc(1, sizeof *s);
    s->world = w;
    s->caller_ep = cep;
    s->callee = callee;
    s->callee_ep = ep;
    s->pol = pol;
    s->optional = cc->optional;
    s->ext = site_ext(pol);
    s->policy = policy_get(w, pol, caller, callee, who);
    struct edge *e = edge_get(w, name);
    s->m = &e->m;
    if (!e->breaker && pol && pol->has_breaker) e->breaker = s->policy;
    s->latency = network ? site_latency(w, pol) : NULL;
    s->latency_rng = stream(w, "call/%s%s%s/latency", name, "", "");
    s->retry_rng = stream(w, "call/%s%s%s/retry", name, "", "");
    w->sites = sim_xgrow(w->sites, &w->capsites, (size_t)w->nsites + 1, sizeof *w->sites);
    w->sites[w->nsites++] = s;
    return s;
}

static struct site *site_get(struct world *w, const struct service *caller,
                             const struct endpoint *cep, const struct call_config *cc)
{
    const struct policy_config *pol = cc->policy >= 0 ? &w->cfg->policies[cc->policy] : NULL;
    const struct endpoint *ep = &w->svcs[cc->service].eps[cc->endpoint];
    for (int i = 0; i < w->nsites; i++) {
        struct site *s = w->sites[i];
        if (s->caller_ep == cep && s->callee_ep == ep && s->pol == pol &&
            s->optional == cc->optional)
            return s;
    }
    return site_new(w, caller, cep, caller->cfg->name, cc, true);
}

struct site *world_site(struct world *w, const char *who, const struct call_config *cc,
                        bool network)
{
    return site_new(w, NULL, NULL, who, cc, network);
}

static void build_endpoint(struct world *w, struct service *s, int e)
{
    struct endpoint *ep = &s->eps[e];
    const struct endpoint_config *ec = &s->cfg->endpoints[e];
    const char *sn = s->cfg->name, *en = ec->name;
    ep->cfg = ec;
    ep->svc = s;
    ep->index = e;
    ep->slow.factor = 1.0;
    ep_set_flags(ep); /* again at every fault change (fault.c) */
    ep->work_rng = stream(w, "service/%s/%s/work%s", sn, en, "");
    ep->hold_rng = stream(w, "service/%s/%s/hold%s", sn, en, "");
    ep->err_rng = stream(w, "service/%s/%s/errors%s", sn, en, "");
    int nwork = 0;
    for (int k = 0; k < ec->nsteps; k++) {
        if (ec->steps[k].kind == STEP_PUBLISH && ec->steps[k].event_p < 1 && !ep->pub_rng)
            ep->pub_rng = stream(w, "service/%s/%s/publish%s", sn, en, "");
        ep->publishes |= ec->steps[k].kind == STEP_PUBLISH;
        if (ec->steps[k].kind == STEP_WORK) {
            nwork++;
            ep->work_only = &ec->steps[k].dist;
        }
    }
    if (nwork != 1) ep->work_only = NULL;
    ep->work_next = EP_AHEAD; /* none drawn yet */
    memset(&ep->m, 0, sizeof ep->m);
    sim_hist_init(&ep->m.latency);
}

/* Sites need every endpoint to exist (they point at callees). */
static void build_sites(struct world *w, struct service *s, struct endpoint *ep)
{
    const struct endpoint_config *ec = ep->cfg;
    int n = 0;
    for (int k = 0; k < ec->nsteps; k++)
        n += ec->steps[k].kind == STEP_CALL       ? 1
             : ec->steps[k].kind == STEP_PARALLEL ? ec->steps[k].ncalls
                                                  : 0;
    ep->sites = sim_xcalloc((size_t)n + 1, sizeof *ep->sites);
    ep->site_off = sim_xcalloc((size_t)ec->nsteps + 1, sizeof *ep->site_off);
    n = 0;
    for (int k = 0; k < ec->nsteps; k++) {
        const struct step_config *st = &ec->steps[k];
        ep->site_off[k] = n;
        if (st->kind == STEP_CALL)
            ep->sites[n++] = site_get(w, s, ep, &st->call);
        else if (st->kind == STEP_PARALLEL)
            for (int b = 0; b < st->ncalls; b++) {
                ep->sites[n] = site_get(w, s, ep, &st->calls[b]);
                ep->sites[n++]->ext = true; /* a branch's link to its fan */
            }
    }
}

static void build_load(struct world *w, struct load *l, const struct load_config *lc)
{
    load_init(w, l, lc, stream(w, "load/%s/arrivals%s%s", lc->name, "", ""));
    const struct policy_config *pol = lc->policy >= 0 ? &w->cfg->policies[lc->policy] : NULL;
    struct service *callee = &w->svcs[lc->service];
    l->site.world = w;
    l->site.caller_ep = NULL;
    l->site.callee = callee;
    l->site.callee_ep = &callee->eps[lc->endpoint];
    l->site.pol = pol;
    l->site.policy = policy_get(w, pol, NULL, callee, lc->name);
    l->site.optional = false;
    l->site.ext = site_ext(pol);
    memset(&l->edge, 0, sizeof l->edge);
    l->site.m = &l->edge;
    l->site.latency = site_latency(w, pol);
    l->site.latency_rng = stream(w, "load/%s/latency%s%s", lc->name, "", "");
    l->site.retry_rng = stream(w, "load/%s/retry%s%s", lc->name, "", "");
}

/* Two cache lines for a request, one for a call (see world.h): a field
 * added to either is a cache miss more per request end with many requests
 * in flight. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct req) == 128, "struct req is 128 bytes");
_Static_assert(sizeof(void *) != 8 || sizeof(struct call) == 64, "struct call is 64 bytes");

struct world *world_create(struct sim *sim, const struct world_config *cfg)
{
    struct world *w = sim_xcalloc(1, sizeof *w);
    w->sim = sim;
    w->now_lane = sim_lane_create(sim);
    w->cfg = cfg;
    w->count_after = cfg->warmup > 0 ? cfg->warmup : -1; /* time starts at 0 */
    sim_pool_init(&w->reqs, sizeof(struct req));
    sim_pool_init(&w->calls, sizeof(struct call));
    sim_pool_init(&w->calls_ext, sizeof(struct call) + sizeof(struct call_ext));
    sim_pool_init(&w->fans, sizeof(struct fan));
    ep_init(w);
    w->nsvcs = cfg->nservices;
    w->svcs = sim_xcalloc((size_t)w->nsvcs + 1, sizeof *w->svcs);
    for (int i = 0; i < w->nsvcs; i++) {
        struct service *s = &w->svcs[i];
        const struct service_config *sc = &cfg->services[i];
        svc_init(w, s, i, sc);
        SIM_ASSERT(sc->npools <= INT16_MAX); /* struct req.pool */
        s->pools = sim_xcalloc((size_t)sc->npools + 1, sizeof *s->pools);
        for (int p = 0; p < sc->npools; p++)
            cpool_init(&s->pools[p], s, p, &sc->pools[p]);
        s->eps = sim_xcalloc((size_t)sc->nendpoints + 1, sizeof *s->eps);
        for (int e = 0; e < sc->nendpoints; e++)
            build_endpoint(w, s, e);
    }
    for (int i = 0; i < w->nsvcs; i++)
        for (int e = 0; e < w->svcs[i].cfg->nendpoints; e++)
            build_sites(w, &w->svcs[i], &w->svcs[i].eps[e]);
    w->nloads = cfg->nloads;
    w->loads = sim_xcalloc((size_t)w->nloads + 1, sizeof *w->loads);
    for (int i = 0; i < w->nloads; i++)
        build_load(w, &w->loads[i], &cfg->loads[i]);
    saga_build(w);
    bus_build(w);
    return w;
}

void world_destroy(struct world *w)
{
    if (!w) return;
    for (int i = 0; i < w->nsvcs; i++) {
        for (int e = 0; e < w->svcs[i].cfg->nendpoints; e++)
            free(w->svcs[i].eps[e].site_off);
        svc_fini(&w->svcs[i]);
    }
    for (int i = 0; i < w->nloads; i++)
        load_fini(&w->loads[i]);
    saga_destroy(w);
    bus_destroy(w);
    for (int i = 0; i < w->nsites; i++)
        free(w->sites[i]);
    for (int i = 0; i < w->npolicies; i++)
        policy_destroy(w->policies[i]);
    free(w->policies);
    for (int i = 0; i < w->nedges; i++)
        free(w->edges[i].name);
    fault_fini(w);
    free(w->sites);
    free(w->edges);
    free(w->loads);
    free(w->svcs);
    sim_pool_fini(&w->reqs);
    sim_pool_fini(&w->calls);
    sim_pool_fini(&w->calls_ext);
    sim_pool_fini(&w->fans);
    free(w);
}

void world_set_rows(struct world *w, world_row_fn *fn, void *ctx)
{
    w->row_fn = fn;
    w->row_ctx = ctx;
}

void world_set_breaker_rows(struct world *w, world_breaker_fn *fn, void *ctx)
{
    w->breaker_fn = fn;
    w->breaker_ctx = ctx;
}

static void on_sample(struct sim *sim, void *subject, void *object)
{
    (void)object;
    struct world *w = subject;
    sim_time now = sim_now(sim);
    for (int i = 0; i < w->nsvcs; i++) {
        struct service *s = &w->svcs[i];
        met_interval_fold(&s->iv, &s->m.latency);
        if (w->row_fn) {
            struct world_row row = {
                .t = now,
                .svc = s,
                .threads_busy = s->busy,
                .threads_blocked = s->blocked,
                .queue_len = s->queued,
                .arrivals = s->iv.arrivals,
                .completions = s->iv.completions,
                .failures = s->iv.failures,
                .rejections = s->iv.rejections,
                .p50_ms = sim_hist_quantile(&s->iv.latency, 0.50) / 1e6,
                .p99_ms = sim_hist_quantile(&s->iv.latency, 0.99) / 1e6,
            };
            for (int p = 0; p < s->cfg->npools; p++)
                row.pool_in_use += s->pools[p].in_use;
            for (int p = 0; p < w->npolicies; p++)
                row.breaker_open +=
                    w->policies[p]->caller == s && policy_breaker_open(w->policies[p]);
            w->row_fn(w->row_ctx, &row);
        }
        met_interval_reset(&s->iv);
        svc_sample(s);
        for (int p = 0; p < s->cfg->npools; p++)
            cpool_sample(&s->pools[p]);
    }
    for (int p = 0; p < w->npolicies; p++) {
        struct policy *pol = w->policies[p];
        if (w->breaker_fn && pol->cfg->has_breaker) {
            struct world_breaker_row row = {now, pol, (int)pol->breaker.state};
            w->breaker_fn(w->breaker_ctx, &row);
        }
        policy_sample(pol);
    }
    for (int k = 0; k < w->nsagas; k++)
        saga_sample(&w->sagas[k]);
    if (now + w->cfg->sample <= w->cfg->duration)
        sim_event_at_phase(sim, now + w->cfg->sample, SIM_PHASE_OBSERVE, on_sample, w, NULL);
}

static void on_warmup_end(struct sim *sim, void *subject, void *object)
{
    (void)object;
    struct world *w = subject;
    sim_time now = sim_now(sim);
    for (int i = 0; i < w->nsvcs; i++) {
        struct service *s = &w->svcs[i];
        met_svc_reset(&s->m, now);
        met_interval_warmup(&s->iv);
        for (int p = 0; p < s->cfg->npools; p++)
            met_pool_reset(&s->pools[p].m, now);
        for (int e = 0; e < s->cfg->nendpoints; e++)
            met_ep_reset(&s->eps[e].m);
    }
    for (int i = 0; i < w->npolicies; i++)
        policy_warmup(w->policies[i], now);
}

void world_start(struct world *w)
{
    struct sim *sim = w->sim;
    fault_start_all(w);
    for (int i = 0; i < w->nloads; i++)
        load_start(&w->loads[i]);
    saga_start(w);
    if (w->cfg->warmup > 0)
        sim_event_at_phase(sim, w->cfg->warmup, SIM_PHASE_OBSERVE, on_warmup_end, w, NULL);
    if (w->cfg->sample > 0 && w->cfg->sample <= w->cfg->duration)
        sim_event_at_phase(sim, w->cfg->sample, SIM_PHASE_OBSERVE, on_sample, w, NULL);
}

void world_finish(struct world *w)
{
    sim_time now = sim_now(w->sim);
    for (int i = 0; i < w->nsvcs; i++) {
        struct service *s = &w->svcs[i];
        sim_level_set(&s->m.busy, now, s->m.busy.value);
        sim_level_set(&s->m.blocked, now, s->m.blocked.value);
        sim_level_set(&s->m.queue, now, s->m.queue.value);
        met_interval_fold(&s->iv, &s->m.latency);
        met_interval_reset(&s->iv);
        for (int p = 0; p < s->cfg->npools; p++)
            sim_level_set(&s->pools[p].m.in_use, now, s->pools[p].m.in_use.value);
        if (s->cfg->nendpoints == 1) s->eps[0].m.latency = s->m.latency; /* see svc_finish */
    }
    for (int i = 0; i < w->nloads; i++)
        load_finish(&w->loads[i]);
    for (int i = 0; i < w->npolicies; i++)
        policy_finish(w->policies[i], now);
    saga_finish(w);
}
