/* metrics.h - what a run measures, per element (SCENARIO.md section 3).
 *
 * Plain data: counters, histograms (sim_hist) and time-weighted levels
 * (sim_level), updated in place by the models on the hot path and read by the
 * app's writers after the run. No formatting here. Summary metrics exclude
 * the warm-up: world resets them all at the warm-up instant (met_*_reset),
 * while the levels keep their current value and restart their average.
 *
 * Interval metrics (the time series) are kept per service and cleared by the
 * sampler after each row, so memory does not grow with simulated time.
 */
#ifndef MODELS_METRICS_H
#define MODELS_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/kernel/sim_hist.h"
#include "sim/kernel/sim_stat.h"

struct svc_metrics {
    uint64_t arrived, completed, failed, rejected, dropped, crashes;
    uint64_t waited; /* admitted (arrived) requests that queued for a thread */
    struct sim_hist queue_wait, latency;
    struct sim_level busy, blocked, queue;
};

/* A completion is added to one histogram, the interval's `latency`; the run's
 * (svc_metrics.latency) receives it when the sampler folds the interval in
 * (met_interval_fold), and at the end of the run. Adding to both cost M/M/1
 * 10 more instructions per customer (1487 against 1477, merges included).
 * Completions from before the warm-up's end
 * wait in `before`: reported with their interval, never folded. */
struct svc_interval {
    uint64_t arrivals, completions, failures, rejections;
    struct sim_hist latency, before;
};

struct pool_metrics {
    uint64_t acquired, acquire_failed;
    struct sim_hist wait;
    struct sim_level in_use;
};

struct ep_metrics {
    uint64_t completed, failed;
    struct sim_hist latency;
};

struct edge_metrics {
    uint64_t attempts, ok, errors, timeouts, rejected, retries;
    uint64_t short_circuited, bulkhead_rejected, throttled, fallbacks;
    uint64_t retries_denied; /* retries refused by a budget or bucket */
};

struct load_metrics {
    uint64_t sent, ok, failed, timed_out; /* attempts: struct load.edge */
    struct sim_hist latency;
};

/* sagas.<name>: instances started after the warm-up, by verdict (saga.h).
 * Instances still undecided at the end are `running`; `duplicates` counts
 * applications of an effect on top of itself; `compensations` counts the
 * compensating calls started. */
struct saga_metrics {
    uint64_t started, completed, compensated, stuck, inconsistent, running;
    uint64_t duplicates, compensations;
    struct sim_hist duration; /* start to the coordinator's decision */
};

/* projections.<name>: events published after the warm-up. */
struct proj_metrics {
    uint64_t applied;      /* events applied (a duplicate counts once) */
    uint64_t reads, stale; /* reads-after-write, and those that missed it */
    struct sim_hist lag;   /* publish to applied */
};

/* bus: deliveries of events published after the warm-up. */
struct bus_metrics {
    uint64_t published;     /* publish calls */
    uint64_t delivered;     /* deliveries handled (ok, or failed with an on_failure event) */
    uint64_t duplicated;    /* extra copies made by `duplicate` */
    uint64_t redelivered;   /* deliveries repeated after a handler failure */
    uint64_t dead_lettered; /* copies whose every delivery failed */
    uint64_t discarded;     /* copies an idempotent consumer had handled already */
};

/* The recovery verdict of SCENARIO.md s.3, computed online from 10 s
 * windows after the last fault, so no time series is kept in memory.
 * Outcomes count at the time the end user sees them. */
struct recovery_metrics {
    uint64_t base_ok, base_n; /* warm-up .. first fault */
    uint64_t win_ok, win_n;   /* current window */
    int64_t win;              /* its index (0 = the first 10 s after the last fault) */
    int64_t last_bad;         /* last window off the baseline; -1: none */
    /* results, set by load_finish() */
    double baseline;    /* success rate; NAN when nothing completed */
    double recovered_s; /* NAN: not recovered */
    bool metastable;
};

void met_svc_reset(struct svc_metrics *m, sim_time now);
void met_pool_reset(struct pool_metrics *m, sim_time now);
void met_ep_reset(struct ep_metrics *m);
void met_interval_reset(struct svc_interval *m);
/* The warm-up ends: what the interval holds so far moves to `before`. */
void met_interval_warmup(struct svc_interval *m);
/* Adds the interval's post-warm-up completions to `run`; then `latency`
 * holds the whole interval, ready to report. Once per interval. */
void met_interval_fold(struct svc_interval *m, struct sim_hist *run);

#endif
