/* call.h - a client-side call through a policy stack.
 *
 * Stack, outermost first (Resilience4j's order): fallback, retry, breaker,
 * timeout, bulkhead, call. An attempt sends a request over the network to the
 * callee; its outcome comes back as call_response(), or the timeout fires
 * first. Either way the attempt ends, the call's generation is bumped so a
 * late response is recognised as orphaned, and retry decides whether to try
 * again after a backoff during which the caller's thread stays blocked.
 * The final outcome goes to the owner (load source, request step, parallel
 * fan), after which the call record is freed.
 */
#ifndef MODELS_CALL_H
#define MODELS_CALL_H

#include "models/world.h"

struct call *call_create(struct world *w, struct site *site, enum call_origin origin, void *owner);
void call_start(struct call *c);
/* A response to attempt `gen` arrived at the caller. */
void call_response(struct call *c, uint32_t gen, enum outcome o);
/* The owner is gone: stop retrying, forget the call (callee work continues). */
void call_abandon(struct call *c);
/* The callee's request r, which holds a bulkhead permit, is being freed
 * (service.c): the last holder of the permit gives it back. */
void call__req_gone(struct req *r);

#endif
