/* bulkhead.h - a cap on concurrent calls from one client to one dependency.
 *
 * Two kinds (Resilience4j's), one mechanism: `limit` permits and a FIFO of
 * waiters.
 *   semaphore  {max_concurrent, max_wait}: a call takes a permit or waits for
 *              one, first come first served (a fair semaphore), at most
 *              max_wait; max_wait 0 rejects at once.
 *   threadpool {threads, queue}: a call runs on one of `threads` or waits in
 *              a queue of `queue` places, without a time bound; a full queue
 *              rejects. (The caller's own thread stays blocked meanwhile: a
 *              blocking client waits on the future.)
 * The module only counts: who waits, and for how long, is the caller's (the
 * call layer links its waiting calls through `link` and runs the max_wait
 * timer). A released permit goes straight to the oldest waiter, so a
 * newcomer can never overtake the queue.
 *
 * Invariants (bulkhead_check): 0 <= in_use <= limit; waiters only while
 * every permit is taken; nwaiters equals the length of the list.
 */
#ifndef MODELS_BULKHEAD_H
#define MODELS_BULKHEAD_H

#include "models/config.h"
#include "sim/kernel/sim_list.h"

enum bulkhead_grant { BULKHEAD_GRANTED, BULKHEAD_WAIT, BULKHEAD_FULL };

struct bulkhead {
    const struct bulkhead_config *cfg;
    int limit, in_use;
    int max_waiters;         /* INT_MAX: no bound on the number (semaphore with max_wait) */
    struct sim_list waiters; /* FIFO */
    int nwaiters;
};

void bulkhead_init(struct bulkhead *b, const struct bulkhead_config *cfg);
/* A call asks for a permit: GRANTED (it holds one), WAIT (`link` queued),
 * or FULL (rejected, nothing held). */
enum bulkhead_grant bulkhead_enter(struct bulkhead *b, struct sim_list *link);
/* A waiter gives up (max_wait or the caller's timeout). */
void bulkhead_leave(struct bulkhead *b, struct sim_list *link);
/* A permit comes back. Returns the waiter it was handed to, now holding it
 * and unlinked, or NULL when nobody waited. */
struct sim_list *bulkhead_release(struct bulkhead *b);
void bulkhead_check(const struct bulkhead *b);

#endif
