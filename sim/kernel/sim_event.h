/* sim_event.h - the future-event list.
 *
 * Order: events run in order of (time, phase, sequence), sequence being a
 * counter incremented on every schedule. Two events at the same time and
 * phase run in the order they were scheduled, so a run is a pure function of
 * (scenario, seed, replication). An event scheduled for sim_now() from inside
 * a callback runs later in the same instant, after every event already queued
 * for that instant and phase. SIM_PHASE_OBSERVE events (the time-series
 * sampler) run after all SIM_PHASE_NORMAL events of the same instant, so
 * they see the state at the end of the instant.
 *
 * Handles: sim_event_at() returns a nonzero 64-bit id (slot and generation; for a lane event, lane
 * and position). Cancelling is O(log n) by indexed delete and never scans; cancelling an id that
 * already ran or was already cancelled is a harmless no-op that returns false (most timeouts are
 * cancelled, often after their owner has moved on). Id 0 is never issued: use it for "no event".
 *
 * Lanes: a timer set at a fixed delay from now (a call's timeout, a queue
 * timeout) comes due in the order it was set. sim_event_lane_after() puts
 * such an event in a lane, a FIFO of which only the first event is in the
 * heap, so scheduling it costs O(1) and writes one 24-byte entry, and
 * cancelling it sets a bit, instead of a heap path. A lane changes nothing but speed: its events
 * keep their place in the one (time, phase, sequence) order, and an event
 * due earlier than the lane's latest one, or with another callback than the
 * lane's first event had, simply goes to the heap; so does one set while the
 * ring holds 64 or more entries and over 4x its live events.
 *
 * Memory: event records come from a free list that grows by doubling and is
 * never shrunk; steady state allocates nothing. The heap holds only pending
 * events, so cancelled timers do not accumulate there. A lane keeps a
 * cancelled event's entry until its head passes it (a cancel at the head
 * trims at once), and takes no new event while it holds over 4x its live
 * ones: its memory follows the timers pending.
 *
 * Ownership: the list borrows subject and object and never frees them. A
 * module must cancel its pending events before freeing what they point to.
 *
 * Prefetch: with many events pending, the list starts loading an event's
 * subject (its first 128 bytes) and object before it runs: the next one
 * from the heap, the fifth from now along a sorted bucket, so a
 * callback that will need another record soon may pass it as the object
 * even when it does not read the argument. The hint never changes order.
 */
#ifndef SIM_EVENT_H
#define SIM_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_time.h"

struct sim;

typedef void sim_event_fn(struct sim *sim, void *subject, void *object);
typedef uint64_t sim_event_id;

enum sim_phase { SIM_PHASE_NORMAL = 0, SIM_PHASE_OBSERVE = 1 };

/* Schedule fn(sim, subject, object) at absolute time `at` >= sim_now(). */
sim_event_id sim_event_at(struct sim *sim, sim_time at, sim_event_fn *fn, void *subject,
                          void *object);
sim_event_id sim_event_after(struct sim *sim, sim_time delay, sim_event_fn *fn, void *subject,
                             void *object);
sim_event_id sim_event_at_phase(struct sim *sim, sim_time at, enum sim_phase phase,
                                sim_event_fn *fn, void *subject, void *object);

/* Lanes are numbered from 1 and live as long as the simulation. */
typedef uint32_t sim_lane;
sim_lane sim_lane_create(struct sim *sim);
/* As sim_event_after(), through `lane` (normal phase). A lane stores the
 * object in 32 bits: NULL or a small integer cast to a pointer (a lane
 * entry is 24 bytes, and a ring holds a timeout's worth of them). */
sim_event_id sim_event_lane_after(struct sim *sim, sim_lane lane, sim_time delay, sim_event_fn *fn,
                                  void *subject, void *object);

/* Optional, for speed only: with many events pending the list knows the
 * next few in order, and calls hint(subject, object, ahead) for an event of
 * `fn` a few events before it runs, twice: with ahead = 2, then on the next
 * event with ahead = 1. Its subject and object are being loaded by then, so
 * the hint can start loading, one link per call, the records the callback
 * will reach through them (a request's caller, then its caller's). A hint
 * may read and prefetch, nothing else: it never changes what runs. It must
 * cope with records that are stale by then (reading them is safe as long as
 * their memory stays allocated, as pool records do). One pair per
 * simulation: setting another is a programming error (asserted), since it
 * would silently end the first's. */
typedef void sim_event_hint_fn(const void *subject, const void *object, int ahead);
void sim_event_set_hint(struct sim *sim, sim_event_fn *fn, sim_event_hint_fn *hint);

/* Remove a pending event. Returns true if it was pending. */
bool sim_event_cancel(struct sim *sim, sim_event_id id);
bool sim_event_is_pending(const struct sim *sim, sim_event_id id);
/* Number of pending events. */
uint64_t sim_event_count(const struct sim *sim);

#endif
