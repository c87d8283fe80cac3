/* service.h - a service: thread pool, accept queue, crash and pause.
 *
 * Thread-per-request: a request holds one thread from dequeue to response.
 * A running request's thread is busy (in `work`) or blocked (waiting on a
 * connection, a downstream call or a retry backoff); busy, blocked and queue
 * length are time-weighted levels.
 *
 * Admission (svc_arrive): down -> refused (or swallowed when the crash hangs);
 * a free thread and an empty queue -> runs at once; a full queue -> rejected;
 * otherwise queued (fifo or lifo), dropped after queue_timeout. Queued plus
 * running above max_inflight crashes the service (out of memory).
 *
 * State machine:
 *
 *        svc_crash (fault, OOM)             restart timer / fault end
 *   UP ---------------------------> DOWN ---------------------------> UP
 *
 *   | from | to   | function    | effect                                       |
 *   | UP   | DOWN | svc_crash   | queued and running requests are lost: their  |
 *   |      |      |             | callers are refused, or left waiting (hang)  |
 *   | DOWN | UP   | svc_restart | empty queue, all threads idle                |
 *
 * A pause (svc_pause/svc_unpause, nestable) is orthogonal: nothing progresses,
 * running work keeps its remaining time, continuations wait for the end.
 */
#ifndef MODELS_SERVICE_H
#define MODELS_SERVICE_H

#include "models/world.h"

void svc_init(struct world *w, struct service *s, int index, const struct service_config *cfg);
void svc_fini(struct service *s);

/* A request from call site `site` (attempt `gen` of `caller`, never NULL), not yet sent. */
struct req *svc_new_req(struct site *site, struct call *caller, uint32_t gen);
/* The request reaches its service. */
void svc_arrive(struct req *r);
/* The request finished its steps (ok or failed): frees its thread, answers. */
void svc_finish(struct req *r, enum outcome o);
/* The request's thread changes state (busy <-> blocked). */
void svc_set_blocked(struct req *r, bool blocked);
/* Cancel a request (deadline propagation): queued or running, it stops now. */
void svc_cancel(struct req *r);

/* oom: an out-of-memory crash, which comes back after the service's
 * `restart`; a crash fault comes back when the fault ends. */
void svc_crash(struct service *s, bool hang, bool oom, const char *why);
void svc_restart(struct service *s);
/* At each sample tick: ends a saturation episode (see service.c). */
void svc_sample(struct service *s);
void svc_pause(struct service *s);
void svc_unpause(struct service *s);

/* Send a response for r to its caller (over the network) and free r. */
void svc__respond(struct req *r, enum outcome o);
void svc__free_req(struct req *r);

#endif
