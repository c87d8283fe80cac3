/* summary.c - the world's metrics as a report tree. */
#include "sim/app/summary.h"

#include <math.h>

#include "models/bus.h"
#include "models/policy.h"
#include "models/saga.h"

static void latency(struct report *parent, const char *key, const struct sim_hist *h)
{
    if (h->n == 0) {
        report_null(parent, key);
        return;
    }
    struct report *o = report_object(parent, key);
    report_number(o, "mean", sim_hist_mean(h) / 1e6);
    report_number(o, "p50", sim_hist_quantile(h, 0.50) / 1e6);
    report_number(o, "p90", sim_hist_quantile(h, 0.90) / 1e6);
    report_number(o, "p99", sim_hist_quantile(h, 0.99) / 1e6);
    report_number(o, "p999", sim_hist_quantile(h, 0.999) / 1e6);
    report_number(o, "max", (double)h->max / 1e6);
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : (double)NAN;
}

static void loads(struct report *root, const struct world *w, double span_s)
{
    struct report *o = report_object(root, "load");
    for (int i = 0; i < w->nloads; i++) {
        const struct load *l = &w->loads[i];
        struct report *x = report_object(o, l->cfg->name);
        report_number(x, "sent", (double)l->m.sent);
        report_number(x, "attempts", (double)l->edge.attempts);
        report_number(x, "ok", (double)l->m.ok);
        report_number(x, "failed", (double)l->m.failed);
        report_number(x, "timed_out", (double)l->m.timed_out);
        report_number(x, "success_rate", ratio((double)l->m.ok, (double)(l->m.ok + l->m.failed)));
        report_number(x, "goodput_rps", ratio((double)l->m.ok, span_s));
        latency(x, "latency_ms", &l->m.latency);
    }
    if (w->cfg->nfaults == 0) return;
    o = report_object(root, "recovery");
    for (int i = 0; i < w->nloads; i++) {
        const struct load *l = &w->loads[i];
        struct report *x = report_object(o, l->cfg->name);
        report_number(x, "baseline_success", l->rec.baseline);
        report_number(x, "fault_end_s", sim_time_to_s(w->last_fault_end));
        report_number(x, "recovered_s", l->rec.recovered_s);
        report_bool(x, "metastable", l->rec.metastable);
    }
}

static void services(struct report *root, const struct world *w, sim_time now)
{
    struct report *o = report_object(root, "services");
    for (int i = 0; i < w->nsvcs; i++) {
        const struct service *s = &w->svcs[i];
        const struct svc_metrics *m = &s->m;
        struct report *x = report_object(o, s->cfg->name);
        report_number(x, "arrived", (double)m->arrived);
        report_number(x, "completed", (double)m->completed);
        report_number(x, "failed", (double)m->failed);
        report_number(x, "rejected", (double)m->rejected);
        report_number(x, "dropped", (double)m->dropped);
        report_number(x, "crashes", (double)m->crashes);
        double busy = sim_level_mean(&m->busy, now), blocked = sim_level_mean(&m->blocked, now);
        if (s->threads > 0) {
            report_number(x, "threads", s->threads);
            report_number(x, "utilization", (busy + blocked) / s->threads);
            report_number(x, "blocked_fraction", blocked / s->threads);
        } else {
            report_null(x, "threads");
            report_null(x, "utilization");
            report_null(x, "blocked_fraction");
        }
        report_number(x, "busy_mean", busy);
        report_number(x, "blocked_mean", blocked);
        report_number(x, "queue_mean", sim_level_mean(&m->queue, now));
        report_number(x, "wait_probability", ratio((double)m->waited, (double)m->arrived));
        latency(x, "queue_wait_ms", &m->queue_wait);
        latency(x, "latency_ms", &m->latency);
        struct report *pools = report_object(x, "pools");
        for (int p = 0; p < s->cfg->npools; p++) {
            const struct cpool *cp = &s->pools[p];
            struct report *y = report_object(pools, cp->cfg->name);
            report_number(y, "size", cp->cfg->size);
            report_number(y, "utilization", sim_level_mean(&cp->m.in_use, now) / cp->cfg->size);
            report_number(y, "acquired", (double)cp->m.acquired);
            report_number(y, "acquire_failed", (double)cp->m.acquire_failed);
            latency(y, "wait_ms", &cp->m.wait);
        }
        struct report *eps = report_object(x, "endpoints");
        for (int e = 0; e < s->cfg->nendpoints; e++) {
            const struct endpoint *ep = &s->eps[e];
            struct report *y = report_object(eps, ep->cfg->name);
            report_number(y, "completed", (double)ep->m.completed);
            report_number(y, "failed", (double)ep->m.failed);
            latency(y, "latency_ms", &ep->m.latency);
        }
    }
}

static void calls(struct report *root, const struct world *w)
{
    struct report *o = report_object(root, "calls");
    for (int i = 0; i < w->nedges; i++) {
        const struct edge_metrics *m = &w->edges[i].m;
        const struct policy *p = w->edges[i].breaker;
        struct report *x = report_object(o, w->edges[i].name);
        report_number(x, "attempts", (double)m->attempts);
        report_number(x, "ok", (double)m->ok);
        report_number(x, "errors", (double)m->errors);
        report_number(x, "timeouts", (double)m->timeouts);
        report_number(x, "rejected", (double)m->rejected);
        report_number(x, "retries", (double)m->retries);
        report_number(x, "short_circuited", (double)m->short_circuited);
        report_number(x, "bulkhead_rejected", (double)m->bulkhead_rejected);
        report_number(x, "throttled", (double)m->throttled);
        report_number(x, "retries_denied", (double)m->retries_denied);
        report_number(x, "fallbacks", (double)m->fallbacks);
        /* The breaker this edge's calls go through; one shared by several
         * edges (one caller, one dependency) shows the same figures on each. */
        struct report *b = report_object(x, "breaker");
        report_number(b, "opened", p ? (double)p->opened : 0);
        report_number(b, "open_s", p ? sim_time_to_s(p->open_ns) : 0);
    }
}

/* Sections that exist only when the scenario has sagas, projections or
 * events, so scenarios without them keep their summaries byte for byte. */
static void sagas(struct report *root, const struct world *w)
{
    if (w->nsagas == 0) return;
    struct report *o = report_object(root, "sagas");
    for (int k = 0; k < w->nsagas; k++) {
        const struct saga *s = &w->sagas[k];
        const struct saga_metrics *m = &s->m;
        struct report *x = report_object(o, s->name);
        report_string(x, "kind", s->cfg ? "orchestrated" : "choreographed");
        report_number(x, "started", (double)m->started);
        report_number(x, "completed", (double)m->completed);
        report_number(x, "compensated", (double)m->compensated);
        report_number(x, "stuck", (double)m->stuck);
        report_number(x, "inconsistent", (double)m->inconsistent);
        report_number(x, "running", (double)m->running);
        report_number(x, "duplicates", (double)m->duplicates);
        report_number(x, "compensations", (double)m->compensations);
        latency(x, "duration_ms", &m->duration);
    }
}

static void events(struct report *root, const struct world *w)
{
    const struct bus *b = w->bus;
    if (!b) return;
    if (b->nprojs > 0) {
        struct report *o = report_object(root, "projections");
        for (int k = 0; k < b->nprojs; k++) {
            const struct projection *p = &b->projs[k];
            struct report *x = report_object(o, p->cfg->name);
            report_number(x, "applied", (double)p->m.applied);
            latency(x, "lag_ms", &p->m.lag);
            report_number(x, "reads", (double)p->m.reads);
            if (p->cfg->has_read_after)
                report_number(x, "stale_reads", ratio((double)p->m.stale, (double)p->m.reads));
            else
                report_null(x, "stale_reads");
        }
    }
    struct report *x = report_object(root, "bus");
    report_number(x, "published", (double)b->m.published);
    report_number(x, "delivered", (double)b->m.delivered);
    report_number(x, "duplicated", (double)b->m.duplicated);
    report_number(x, "redelivered", (double)b->m.redelivered);
    report_number(x, "dead_lettered", (double)b->m.dead_lettered);
    report_number(x, "discarded", (double)b->m.discarded);
}

struct report *summary_build(const struct world *w, const char *variant, int replications)
{
    const struct world_config *c = w->cfg;
    sim_time now = sim_now(w->sim);
    struct report *root = report_object(NULL, NULL);
    report_string(root, "scenario", c->name);
    report_string(root, "variant", variant);
    report_number(root, "seed", (double)c->seed);
    report_number(root, "replications", replications);
    report_number(root, "duration_s", sim_time_to_s(c->duration));
    report_number(root, "warmup_s", sim_time_to_s(c->warmup));
    report_number(root, "events", (double)sim_events(w->sim));
    loads(root, w, sim_time_to_s(c->duration - c->warmup));
    services(root, w, now);
    calls(root, w);
    sagas(root, w);
    events(root, w);
    return root;
}
