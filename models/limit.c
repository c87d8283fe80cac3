/* limit.c - throttle, retry budget and retry bucket (see limit.h). */
#include "models/limit.h"

#include "sim/kernel/sim_assert.h"

enum { REQUESTS, ACCEPTS };
enum { FIRSTS, RETRIES };

static void window_init(struct win *w, sim_time window)
{
    sim_time width = window / LIMIT_BUCKETS;
    win_init(w, width > 0 ? width : 1, LIMIT_BUCKETS);
}

void throttle_init(struct throttle *t, const struct throttle_config *cfg)
{
    t->cfg = cfg;
    window_init(&t->w, cfg->window);
}

void throttle_fini(struct throttle *t)
{
    win_fini(&t->w);
}

double throttle_p(struct throttle *t, sim_time now)
{
    double req = (double)win_sum(&t->w, now, REQUESTS);
    double acc = (double)win_sum(&t->w, now, ACCEPTS);
    double p = (req - t->cfg->k * acc) / (req + 1);
    return p > 0 ? p : 0;
}

bool throttle_admit(struct throttle *t, sim_time now, double u)
{
    double p = throttle_p(t, now);
    win_add(&t->w, now, REQUESTS, 1);
    return u >= p;
}

void throttle_accepted(struct throttle *t, sim_time now)
{
    win_add(&t->w, now, ACCEPTS, 1);
}

void retry_limit_init(struct retry_limit *l, const struct retry_config *cfg)
{
    l->cfg = cfg;
    l->has_budget = cfg->has_budget;
    l->has_bucket = cfg->has_bucket;
    if (l->has_budget) window_init(&l->w, cfg->budget_window);
    l->tokens = cfg->bucket_capacity;
}

void retry_limit_fini(struct retry_limit *l)
{
    if (l->has_budget) win_fini(&l->w);
}

void retry_limit_first(struct retry_limit *l, sim_time now)
{
    if (l->has_budget) win_add(&l->w, now, FIRSTS, 1);
    if (l->has_bucket) {
        l->tokens += l->cfg->bucket_per_call;
        if (l->tokens > l->cfg->bucket_capacity) l->tokens = l->cfg->bucket_capacity;
    }
}

bool retry_limit_retry(struct retry_limit *l, sim_time now)
{
    const struct retry_config *c = l->cfg;
    if (l->has_budget) {
        double firsts = (double)win_sum(&l->w, now, FIRSTS);
        double retries = (double)win_sum(&l->w, now, RETRIES);
        double allowed =
            c->budget_ratio * firsts + c->budget_min_per_s * sim_time_to_s(c->budget_window);
        if (retries + 1 > allowed) return false;
    }
    if (l->has_bucket && l->tokens < c->bucket_cost) return false;
    if (l->has_budget) win_add(&l->w, now, RETRIES, 1);
    if (l->has_bucket) l->tokens -= c->bucket_cost;
    SIM_ASSERT(!l->has_bucket || l->tokens >= 0);
    return true;
}
