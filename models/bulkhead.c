/* bulkhead.c - permits and a fair queue (see bulkhead.h). */
#include "models/bulkhead.h"

#include <limits.h>

#include "sim/kernel/sim_assert.h"

void bulkhead_init(struct bulkhead *b, const struct bulkhead_config *cfg)
{
    b->cfg = cfg;
    b->in_use = 0;
    b->nwaiters = 0;
    sim_list_init(&b->waiters);
    if (cfg->kind == BULKHEAD_SEMAPHORE) {
        b->limit = cfg->max_concurrent;
        b->max_waiters = cfg->max_wait > 0 ? INT_MAX : 0;
    } else {
        b->limit = cfg->threads;
        b->max_waiters = cfg->queue;
    }
    SIM_ASSERT(b->limit >= 1);
}

enum bulkhead_grant bulkhead_enter(struct bulkhead *b, struct sim_list *link)
{
    if (b->in_use < b->limit) {
        SIM_ASSERT(b->nwaiters == 0);
        b->in_use++;
        return BULKHEAD_GRANTED;
    }
    if (b->nwaiters >= b->max_waiters) return BULKHEAD_FULL;
    sim_list_push_back(&b->waiters, link);
    b->nwaiters++;
    return BULKHEAD_WAIT;
}

void bulkhead_leave(struct bulkhead *b, struct sim_list *link)
{
    SIM_ASSERT(sim_list_is_linked(link) && b->nwaiters > 0);
    sim_list_remove(link);
    b->nwaiters--;
}

struct sim_list *bulkhead_release(struct bulkhead *b)
{
    SIM_ASSERT(b->in_use > 0);
    struct sim_list *n = sim_list_pop_front(&b->waiters);
    if (n) {
        b->nwaiters--; /* the permit passes on: in_use unchanged */
        return n;
    }
    b->in_use--;
    return NULL;
}

void bulkhead_check(const struct bulkhead *b)
{
    SIM_ASSERT(b->in_use >= 0 && b->in_use <= b->limit);
    SIM_ASSERT(b->nwaiters == 0 || b->in_use == b->limit);
    int n = 0;
    for (const struct sim_list *l = b->waiters.next; l != &b->waiters; l = l->next)
        n++;
    SIM_ASSERT(n == b->nwaiters);
}
