/* breaker.h - circuit breakers: the seed guide's consecutive-count breaker
 * and Resilience4j's sliding-window breaker.
 *
 * A breaker is pure logic over (now, result, duration): it knows nothing of
 * calls, events or services, which is what lets every transition be tested on
 * its own. The caller asks breaker_acquire() before an attempt (false: the
 * call is short-circuited) and reports the attempt's result with
 * breaker_record() when it ends. Transitions are reported to an optional
 * callback, which the policy layer turns into a timeline line and metrics.
 *
 * What is recorded (DESIGN.md): errors, timeouts and rejections from the
 * callee are failures; a call is slow when its duration is strictly greater
 * than `slow_call` (sliding only). The breaker's own short-circuits are never
 * recorded; outcomes the caller marks IGNORED (the bulkhead's and the
 * throttle's local rejections) record nothing and give back a half-open
 * permit, as Resilience4j's releasePermission does (capped at the number of
 * permits, so an ignored call admitted before half-open cannot mint an extra
 * trial).
 *
 * In-flight calls are never cancelled by a transition. Their late results are
 * recorded in the state that sees them: in OPEN they change nothing (the
 * closed window they would go to is discarded when CLOSED is entered again);
 * in HALF_OPEN they count in the trial window and can decide it, although they
 * took no permit; in CLOSED they count in the window.
 *
 * State machine (both kinds):
 *
 *              trip                    open time over: first acquire
 *   CLOSED ------------> OPEN ----------------------------------> HALF_OPEN
 *     ^                   ^                                           |
 *     |                   +--------------- trial failed --------------+
 *     +------------------------------------ trial passed -------------+
 *
 *   | from      | to        | when (consecutive)           | when (sliding)                  |
 *   | CLOSED    | OPEN      | failures >= failure_threshold| calls >= min_calls' and (failed |
 *   |           |           |                              | rate >= failure_rate or slow    |
 *   |           |           |                              | rate >= slow_rate), at a record |
 *   | OPEN      | HALF_OPEN | acquire with now > opened +  | acquire with now > opened +     |
 *   |           |           | recovery_timeout (lazy)      | open_for (lazy)                 |
 *   | HALF_OPEN | OPEN      | any failure                  | trial calls >= min(min_calls,   |
 *   |           |           |                              | half_open_calls) and a rate >=  |
 *   |           |           |                              | its threshold                   |
 *   | HALF_OPEN | CLOSED    | half_open_calls successes    | the same count, rates below     |
 *
 * Consecutive (the seed guide's class): CLOSED counts failures; a success
 * resets the count to 0, or with decay_on_success takes one off. OPEN
 * short-circuits everything until the recovery timeout has passed (strictly);
 * the next acquire moves to HALF_OPEN, which admits half_open_calls trial
 * calls: that many successes close it (count reset), one failure reopens it
 * for another recovery_timeout.
 *
 * Sliding (Resilience4j CircuitBreakerStateMachine): CLOSED keeps a count
 * window (the last `size` results) or a time window (`size` one-second
 * buckets aligned to t = 0, see window.h) and evaluates the rates on every
 * recorded result once the window holds min_calls' results, where min_calls'
 * = min(min_calls, size) for a count window (Resilience4j's clamp) and
 * min_calls for a time window. Comparisons are `>=` against the thresholds;
 * slow is `duration > slow_call`. OPEN lasts open_for, left lazily on the
 * first acquire after it (strictly after, as Instant.isAfter). HALF_OPEN
 * starts a fresh count window of half_open_calls results, hands out that many
 * permits, and decides once min(min_calls, half_open_calls) results are in.
 * Entering CLOSED starts a fresh window.
 *
 * breaker_check() asserts the invariants of the current state; breaker
 * functions call it after every transition.
 *
 * Ownership: breaker_init allocates the window, breaker_fini frees it; the
 * config must outlive the breaker.
 */
#ifndef MODELS_BREAKER_H
#define MODELS_BREAKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/config.h"
#include "models/window.h"

enum breaker_state { BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN };
enum breaker_result { BREAKER_SUCCESS, BREAKER_FAILURE, BREAKER_IGNORED };

struct breaker;
/* Called after each transition; `from` is the state left. */
typedef void breaker_transition_fn(void *ctx, const struct breaker *b, enum breaker_state from,
                                   sim_time now);

struct breaker {
    const struct breaker_config *cfg;
    enum breaker_state state;
    enum breaker_state from; /* the state the last transition left (CLOSED before any):
                              * OPEN cannot otherwise tell a trip from a failed trial */
    sim_time opened;         /* when OPEN was last entered */
    int permits;             /* HALF_OPEN: trial calls still admitted */
    /* consecutive */
    int failures;  /* CLOSED: the (decayed) failure count */
    int successes; /* HALF_OPEN: trial successes */
    /* sliding, CLOSED: a ring of the last `size` results (count window) ... */
    uint8_t *ring; /* bit 0 failed, bit 1 slow, bit 2 present */
    int ring_head;
    /* ... or one-second buckets (time window); counters TOTAL, FAILED, SLOW */
    struct win time;
    int64_t calls, failed, slow; /* count window totals (and the half-open window's) */
    int min_calls;               /* sliding: results needed before the current window decides */
    /* what decided the last transition, for breaker_describe() */
    int64_t why_calls, why_failed, why_slow;
    breaker_transition_fn *on_transition;
    void *ctx;
};

void breaker_init(struct breaker *b, const struct breaker_config *cfg);
void breaker_fini(struct breaker *b);
void breaker_set_callback(struct breaker *b, breaker_transition_fn *fn, void *ctx);

/* May an attempt go through at `now`? Moves OPEN -> HALF_OPEN lazily and
 * takes a half-open permit. False: short-circuited (nothing recorded). */
bool breaker_acquire(struct breaker *b, sim_time now);
/* The result of an attempt admitted earlier, which took `duration`. */
void breaker_record(struct breaker *b, sim_time now, enum breaker_result r, sim_time duration);

/* Asserts the current state's invariants (SIM_ASSERT: aborts on a bug). */
void breaker_check(const struct breaker *b);
const char *breaker_state_name(enum breaker_state s);
/* Why the breaker is in its current state, e.g. "failure rate 62.5% >= 50%
 * over 16 calls" or "5/5 trial calls succeeded"; returns buf. */
const char *breaker_describe(const struct breaker *b, char *buf, size_t n);

#endif
