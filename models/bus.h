/* bus.h - the event bus: publish, deliver to subscribers and projectors.
 *
 * bus_publish() puts an event on the bus for every target of it (each
 * `subscriptions` entry and each projection that lists it). Each target gets
 * its own copy, delivered after the bus `latency`; with probability
 * `duplicate` a second copy with its own latency (at-least-once delivery).
 * A delivery runs the target endpoint as a request on its service's threads
 * and queue, so a slow subscriber backs up like any server. An `idempotent`
 * endpoint is an idempotent consumer: it keeps a table of the messages it
 * has handled, so a copy of a message that another copy already handled is
 * acknowledged without running (`discarded`); one that arrives while another
 * copy is being handled waits for it, as a second transaction waits on the
 * dedup table's key, and is then discarded, or run if that copy failed. A copy whose
 * handler fails is delivered again `after` later, up to `attempts`
 * deliveries, then dead-lettered. A failure the handler turned into an event
 * (`on_failure: {publish}`) is handled, not redelivered: the business said
 * no, the broker has nothing to retry.
 *
 * Every delivery carries the correlation (saga instance) of its publisher,
 * and holds a reference to it while in flight.
 *
 * Projections (CQRS read models): a projection's target endpoint applies the
 * event; the first successful delivery of an event is its application
 * (lag = applied - published). With `read_after`, each published event
 * schedules one read of the writer's own write that long after publishing:
 * stale if the event is not applied yet.
 *
 * Random streams: "bus/latency", "bus/duplicate", and
 * "projection/<name>/read_after"; drawn only when the scenario has a bus
 * target, so adding a bus never shifts any other element's draws.
 */
#ifndef MODELS_BUS_H
#define MODELS_BUS_H

#include "models/world.h"

struct projection {
    const struct projection_config *cfg;
    gsl_rng *read_rng;
    struct proj_metrics m;
};

/* A subscriber or projector of one event. */
struct bus_target {
    struct site *site;       /* bus -> endpoint, no policy, no network delay */
    struct projection *proj; /* NULL: a subscription */
};

/* One published event for one target: its copies share it. */
struct bus_msg {
    struct projection *proj; /* NULL: a subscription */
    sim_time published;
    int refs;     /* copies in flight + a projection's pending read */
    int running;  /* copies being handled now */
    bool handled; /* a copy was handled (ok, or failed into its on_failure event) */
    bool applied; /* a copy succeeded (a projection's: the event is applied) */
    bool counted;
    struct bus_delivery *waiting; /* copies of an idempotent consumer waiting on the key */
};

/* One copy of one event on its way to one target. */
struct bus_delivery {
    struct bus_target *target;
    struct saga_inst *corr;
    struct bus_msg *msg;
    struct bus_delivery *next_waiting;
    int attempt; /* 1-based */
};

struct bus {
    const struct bus_config *cfg;
    struct bus_target *targets; /* grouped by event */
    int *first;                 /* per event: its first target; first[nevents] = ntargets */
    int ntargets;
    struct projection *projs;
    int nprojs;
    gsl_rng *latency_rng, *dup_rng;
    struct sim_pool deliveries, msgs;
    struct bus_metrics m;
};

void bus_build(struct world *w);
void bus_destroy(struct world *w);
/* Publish `event` now on behalf of instance corr (may be NULL). */
void bus_publish(struct world *w, int event, struct saga_inst *corr);
/* A delivery's request answered (ORIGIN_BUS). */
void bus_delivered(struct bus_delivery *d, struct call *c, enum outcome o);

#endif
