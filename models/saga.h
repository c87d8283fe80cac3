/* saga.h - saga instances: orchestrated sagas, choreographies, and the
 * verdict of the effects ledger.
 *
 * A `struct saga` is one entry of `sagas` (orchestrated: a coordinator with
 * no capacity limit calls the steps in order through their policies) or of
 * `choreographies` (no coordinator: an instance starts by publishing an
 * event, and a tracker watches the bus for its terminal events). Both start
 * instances at a rate (arrivals.h) and report as `sagas.<name>`.
 *
 * A `struct saga_inst` is one instance. Its address is the correlation id
 * every call, request and event it causes carries (req->corr, call->corr,
 * bus deliveries), and it holds the effects ledger (ledger.h), written by
 * the participants themselves when their endpoint succeeds (saga_participant),
 * whatever the caller saw. The instance is reference counted: the
 * coordinator (until it decides), each request and each bus delivery that
 * carries it. It is judged when it is decided and nothing that carries it is
 * left, so a payment that times out at the orchestrator and charges anyway
 * a second later is in the ledger before the verdict. Memory is therefore
 * proportional to instances with work in flight.
 *
 * The coordinator's view, a state machine:
 *
 *                step ok (not last)
 *               +------+
 *               v      |       last step ok
 *   start --> RUNNING -+-----------------------------> COMPLETED
 *               |  \        terminal event (chor.)        ^
 *               |   \-------------------------------------+
 *               | step failed                 failed_on event (chor.)
 *               v                             -------------------------> FAILED
 *          COMPENSATING --- compensation ok, none left ----------------> FAILED
 *               |  ^ compensation ok, more left
 *               |  +--+
 *               +-- a compensation gave up ----------------------------> STUCK
 *   RUNNING (chor.) --- no terminal event by `timeout` ----------------> STUCK
 *
 *   | from         | to           | when                                          |
 *   | RUNNING      | RUNNING      | orchestrated: a step succeeded, more follow   |
 *   | RUNNING      | COMPLETED    | the last step succeeded; chor.: completed_on  |
 *   | RUNNING      | COMPENSATING | a step failed (after its policy's retries)    |
 *   | RUNNING      | FAILED       | chor.: a failed_on event                      |
 *   | COMPENSATING | COMPENSATING | a compensation succeeded, more are left       |
 *   | COMPENSATING | FAILED       | the last compensation succeeded (at once when |
 *   |              |              | no completed step has a compensation)         |
 *   | COMPENSATING | STUCK        | a compensation gave up (manual intervention)  |
 *   | RUNNING      | STUCK        | chor.: no terminal event within `timeout`     |
 *
 * Compensations run in reverse order of the completed steps, skipping steps
 * without `compensate`; with compensate_uncertain, a failed step whose call
 * had an attempt time out (the last or an earlier one) is compensated too:
 * its effect is unknown. The first decision stands:
 * a choreography's late terminal event does not change it.
 *
 * The verdict (sagas.<name>), once decided and judged (SCENARIO.md): an
 * instance with an effect applied twice (a duplicate), or FAILED or STUCK
 * with effects left in its ledger, is `inconsistent`; otherwise STUCK ->
 * `stuck`, FAILED -> `compensated` (an empty ledger), COMPLETED ->
 * `completed`.
 * Timeline: a stuck instance, an inconsistent verdict, and a compensation
 * storm: over the last SAGA_STORM_WINDOW (checked at each sample), more
 * instances failed than completed, and at least SAGA_STORM_MIN. A window
 * long enough that a steady failure share under one half does not trip it
 * by chance; the storm is over after SAGA_STORM_QUIET without.
 */
#ifndef MODELS_SAGA_H
#define MODELS_SAGA_H

#include "models/window.h"
#include "models/world.h"

#define SAGA_STORM_WINDOW (10 * SIM_S)
#define SAGA_STORM_MIN    10
#define SAGA_STORM_QUIET  (60 * SIM_S)

enum saga_state { SAGA_RUNNING, SAGA_COMPENSATING, SAGA_COMPLETED, SAGA_FAILED, SAGA_STUCK };

struct saga {
    struct world *world;
    const char *name;
    const struct saga_config *cfg;          /* orchestrated, else NULL */
    const struct choreography_config *chor; /* choreographed, else NULL */
    struct arrivals arr;
    struct site **steps; /* orchestrated: per step */
    struct site **comps; /* per step; NULL: no compensation */
    int8_t *terminal;    /* chor.: per event, 0, 1 completed, 2 failed */
    struct saga_metrics m;
    struct win outcomes;    /* counters 0 failed, 1 completed */
    struct win_latch storm; /* failures outnumber completions */
};

struct saga_inst {
    struct sim_list link; /* the world's live instances */
    struct saga *saga;
    uint64_t id; /* printed in the timeline */
    int refs;
    enum saga_state state;
    bool counted; /* started after the warm-up */
    int step;     /* the step, or the compensation, under way */
    sim_time started;
    sim_event_id timer; /* chor.: the timeout */
    uint32_t dups;      /* effects applied on top of themselves */
    int16_t ledger[];   /* LEDGER_CELLS(world_config.neffects) cells (ledger.h) */
};

/* Builds every saga and choreography of the config into w->sagas (after
 * the services exist) and frees them. */
void saga_build(struct world *w);
void saga_destroy(struct world *w);
/* Schedules the first starts. */
void saga_start(struct world *w);
/* Settles the storms and counts the undecided; judges the decided ones
 * whose stragglers are still in flight. */
void saga_finish(struct world *w);
void saga_sample(struct saga *s);

void saga_ref(struct saga_inst *i);
void saga_unref(struct saga_inst *i);
/* An orchestrated step's or compensation's call ended (ORIGIN_SAGA). */
void saga_call_done(struct saga_inst *i, struct call *c, enum outcome o);
/* Request r succeeded at its endpoint: apply its effect or undo to the
 * ledger of the instance it carries (r->corr != NULL). */
void saga_participant(struct req *r);
/* Event `event` was published by or for instance i (the choreography tracker). */
void saga_event(struct saga_inst *i, int event);

#endif
