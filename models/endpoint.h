/* endpoint.h - the step interpreter.
 *
 * A running request executes its endpoint's steps in order on its thread, as
 * a chain of events (continuation passing): `work` schedules its end, `use`
 * waits for a connection then holds it, `call` and `parallel` start client
 * calls and resume when they answer. A failed step (a pool timeout, a
 * required call that failed) fails the request and skips the rest. After the
 * last step the endpoint's own error_rate (plus any `errors` fault) decides
 * whether the request failed.
 *
 * While the service is paused, continuations are parked on its resume list
 * and replayed in order when the pause ends (ep_resume).
 */
#ifndef MODELS_ENDPOINT_H
#define MODELS_ENDPOINT_H

#include "models/world.h"

/* Once per world: registers the prefetch hint of work steps' ends. */
void ep_init(struct world *w);
/* Work steps skip the slowdown arithmetic unless one is in force (`slowed`),
 * and requests the error draw unless an error rate is (`may_fail`): sets
 * both from the endpoint's and its service's state, at build time and after
 * every fault change. */
void ep_set_flags(struct endpoint *ep);
void ep_start(struct req *r);
/* The current step ended; ok = false fails the request. */
void ep_step_done(struct req *r, bool ok);
/* The connection r waited for is now held. */
void ep_acquired(struct req *r);
/* A call started by r's current step answered. */
void ep_call_done(struct req *r, struct call *c, enum outcome o);
void ep_branch_done(struct fan *f, struct call *c, enum outcome o);
/* Stop everything r is doing (crash, cancel): timers, pool, calls. */
void ep_abort(struct req *r);
/* Replay a parked continuation after a pause; restart frozen timers. */
void ep_resume(struct req *r);
void ep_freeze(struct req *r);
void ep_thaw(struct req *r);

#endif
