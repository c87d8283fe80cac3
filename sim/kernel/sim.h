/* sim.h - the run context.
 *
 * struct sim owns everything a run needs: the clock, the future-event list,
 * the named random streams, the trace sink and the event counter. There are no
 * mutable globals anywhere in the kernel or the models, so two simulations in
 * one process never interfere.
 *
 * A run: sim_create(seed, replication); build the model (which schedules its
 * first events); sim_run_until(sim, horizon); read the metrics; sim_destroy().
 * sim_run_until() executes every event with time <= horizon in (time, phase,
 * sequence) order, then leaves the clock at the horizon (or at the stop
 * time if a callback called sim_stop()).
 *
 * Ownership: sim_destroy() frees the event list and the streams. Events still
 * pending are dropped without being called; their subjects belong to the
 * model, which frees them itself.
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_assert.h"
#include "sim_event.h"
#include "sim_rng.h"
#include "sim_time.h"
#include "sim_trace.h"

struct sim_evq; /* private to sim_event.c */

struct sim {
    sim_time now;
    uint64_t events; /* events executed */
    bool stopped;
    uint64_t master_seed;
    uint32_t replication;
    struct sim_evq *evq;
    struct sim_rng_set rngs;
    sim_trace_fn *trace_fn;
    void *trace_ctx;
};

struct sim *sim_create(uint64_t master_seed, uint32_t replication);
void sim_destroy(struct sim *sim);

static inline sim_time sim_now(const struct sim *sim)
{
    return sim->now;
}
static inline uint64_t sim_events(const struct sim *sim)
{
    return sim->events;
}

void sim_run_until(struct sim *sim, sim_time horizon);
/* Ends sim_run_until() after the current event. */
void sim_stop(struct sim *sim);

/* Used by sim.c: the event list's lifetime and its run loop. */
struct sim_evq *sim_event__create(void);
void sim_event__destroy(struct sim_evq *q);
/* Pops and runs the next event if its time <= horizon; false if none (the
 * tests step with it; runs use sim_event__run). */
bool sim_event__run_next(struct sim *sim, sim_time horizon);
/* Runs events while their time <= horizon, until the list empties or a
 * callback calls sim_stop(). */
void sim_event__run(struct sim *sim, sim_time horizon);
/* Test hook: moves the insertion sequence forward to `seq` (<= 2^31) so a
 * test can reach the sequence renumbering of sim_event.c without 2^31
 * schedules. Order is unchanged: later schedules still sort later. */
void sim_event__set_seq(struct sim *sim, uint64_t seq);
/* Test hook: the far store (sim_event.c) turns on at `on_at` heap entries
 * and aims at `target` entries per bucket, so tests reach it with few
 * events. */
void sim_event__set_far(struct sim *sim, uint32_t on_at, uint32_t target);

#endif
