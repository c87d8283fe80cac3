/* sim.c - the run context and the main loop.
 *
 * The loop itself is in sim_event.c (sim_event__run), next to the heap it
 * pops, so one event costs no call but its callback. The stop flag is cleared when a run starts,
 * so a run ended by sim_stop() can be resumed by a later sim_run_until().
 */
#include <stdlib.h>

#include "sim.h"
#include "sim_mem.h"

struct sim *sim_create(uint64_t master_seed, uint32_t replication)
{
    struct sim *sim = sim_xcalloc(1, sizeof *sim);
    sim->master_seed = master_seed;
    sim->replication = replication;
    sim->evq = sim_event__create();
    return sim;
}

void sim_destroy(struct sim *sim)
{
    if (!sim) return;
    sim_event__destroy(sim->evq);
    sim_rng__fini(&sim->rngs);
    free(sim);
}

void sim_run_until(struct sim *sim, sim_time horizon)
{
    SIM_ASSERT(horizon >= sim->now);
    sim->stopped = false;
    sim_event__run(sim, horizon);
    /* A stopped run leaves the clock at the event that stopped it, so the
     * caller can read the state as of that instant. */
    if (!sim->stopped) sim->now = horizon;
}

void sim_stop(struct sim *sim)
{
    sim->stopped = true;
}
