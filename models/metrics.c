/* metrics.c - resetting metrics at the end of the warm-up.
 *
 * Load and call counters need no reset: a call counts only if it started
 * after the warm-up (struct call.counted). */
#include "models/metrics.h"

void met_svc_reset(struct svc_metrics *m, sim_time now)
{
    m->arrived = m->completed = m->failed = m->rejected = m->dropped = m->crashes = 0;
    m->waited = 0;
    sim_hist_init(&m->queue_wait);
    sim_hist_init(&m->latency);
    sim_level_reset(&m->busy, now);
    sim_level_reset(&m->blocked, now);
    sim_level_reset(&m->queue, now);
}

void met_pool_reset(struct pool_metrics *m, sim_time now)
{
    m->acquired = m->acquire_failed = 0;
    sim_hist_init(&m->wait);
    sim_level_reset(&m->in_use, now);
}

void met_ep_reset(struct ep_metrics *m)
{
    m->completed = m->failed = 0;
    sim_hist_init(&m->latency);
}

void met_interval_reset(struct svc_interval *m)
{
    m->arrivals = m->completions = m->failures = m->rejections = 0;
    sim_hist_clear(&m->latency);
}

void met_interval_warmup(struct svc_interval *m)
{
    sim_hist_merge(&m->before, &m->latency);
    sim_hist_clear(&m->latency);
}

void met_interval_fold(struct svc_interval *m, struct sim_hist *run)
{
    sim_hist_merge(run, &m->latency);
    sim_hist_merge(&m->latency, &m->before);
    sim_hist_clear(&m->before);
}
