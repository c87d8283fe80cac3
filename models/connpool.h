/* connpool.h - a connection pool owned by a service.
 *
 * `size` connections; a request that finds none free waits in FIFO order for
 * up to acquire_timeout (0: fails at once). A waiting or holding request's
 * thread is blocked. The `pool` fault resizes it: growing serves waiters at
 * once, shrinking lets the excess drain as connections are released.
 * The timeline gets "pool db exhausted (200/200)" when a request first has to
 * wait, and "recovered" at the first sample tick after an interval whose
 * peak use stayed at or under 80% of the size, with nobody waiting
 * (hysteresis in time, so a pool hovering at its limit does not write a line
 * per request).
 */
#ifndef MODELS_CONNPOOL_H
#define MODELS_CONNPOOL_H

#include "models/world.h"

enum cpool_result { CPOOL_GOT, CPOOL_WAIT, CPOOL_FAIL };

void cpool_init(struct cpool *p, struct service *s, int index, const struct pool_config *cfg);
enum cpool_result cpool_acquire(struct cpool *p, struct req *r);
void cpool_release(struct cpool *p);
/* r stops waiting (crash, cancel); its timer is the caller's business. */
void cpool_cancel_wait(struct cpool *p, struct req *r);
void cpool_resize(struct cpool *p, int size);
/* At each sample tick: ends an exhaustion episode. */
void cpool_sample(struct cpool *p);

#endif
