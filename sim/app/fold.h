/* fold.h - the timeline's rate limit: similar lines beyond a burst are folded.
 *
 * A breaker whose dependency stays dead opens, half-opens and reopens every
 * few hundred milliseconds for as long as the run lasts; written out, that is
 * a million lines that bury the story and fill the disk. This module sits
 * between the trace sink and timeline.log and keeps, per kind of line, a
 * burst and a count of the rest.
 *
 * The rule:
 *   - A line's key is (who, kind). Its kind is the subject of its message:
 *     the first words up to a ':', a word that starts with a digit, or a
 *     parenthesised detail (a word that opens a '(' with a digit after it or
 *     no ')' in it), four words at most. So `breaker to payment (pay)` is the
 *     kind of that breaker's OPEN, HALF_OPEN and CLOSED lines alike,
 *     `bulkhead to payment (pay)` of its full and recovered lines, `pool db
 *     exhausted` of "pool db exhausted (200/200)", `CRASH` of every crash.
 *   - A key's window opens at its first line and lasts `window` of simulated
 *     time. The first `burst` lines of a window are written; later ones are
 *     folded (counted, not written). A line at or after the window's end
 *     opens a new window.
 *   - A fold (the folded lines since the last summary) ends at the window's
 *     end, or after `quiet` without a line of its key, whichever comes first
 *     (or at the end of the run, if sooner), with one line stamped at that
 *     time, at the highest level among the folded lines:
 *       `... 37 similar lines folded (breaker to payment (pay)) from
 *        14:12:03.120 to 14:12:58.004; the last: breaker to payment (pay)
 *        CLOSED: 5 trial calls succeeded`
 *     so a reader knows how many, when, and the state the fold left behind.
 *     The quiet rule puts the summary near what it sums up (a breaker that
 *     flapped and then closed says so seconds later, not at the end of the
 *     minute); it does not renew the burst, so later lines of the same
 *     window fold again. The summary is written before the first line of
 *     any key at or after its time, or by fold_finish(), so the timeline
 *     stays in time order.
 *   - Bound: a source that never pauses writes `burst` lines and one summary
 *     per window; one that pauses writes at most window / quiet summaries
 *     more.
 *
 * Deterministic: only simulated time and the order of the lines decide.
 * Cost: per line (never per event), the kind's words are scanned and hashed
 * with the caller's name, one table lookup, and a folded line's text is
 * copied (to say what the fold left behind). Memory grows with the number of
 * keys, which the model bounds (a few per service and dependency), never
 * with the number of lines.
 *
 * Ownership: the fold copies what it keeps; `who` and `msg` are the caller's
 * and need only live through the call. Output goes to `emit`, also with
 * strings that live through the call only.
 */
#ifndef FOLD_H
#define FOLD_H

#include <stddef.h>

#include "sim/kernel/sim_time.h"
#include "sim/kernel/sim_trace.h"

struct fold;

typedef void fold_emit_fn(void *ctx, sim_time at, enum sim_trace_level level, const char *who,
                          const char *msg);

/* window > 0, quiet > 0, burst >= 1; `clock` is the wall-clock origin of the
 * times in the folded lines (seconds since midnight at t = 0, as
 * sim_time_clock takes). */
struct fold *fold_create(sim_time window, sim_time quiet, int burst, sim_time clock,
                         fold_emit_fn *emit, void *ctx);
void fold_destroy(struct fold *f);

/* One line, at times that never decrease. It is emitted now (after any fold
 * summaries that are due), or folded. */
void fold_line(struct fold *f, sim_time at, enum sim_trace_level level, const char *who,
               const char *msg);

/* The run ended at `end` (>= every line's time): the folds still open are
 * summarised, in the order their windows end. */
void fold_finish(struct fold *f, sim_time end);

/* Length of msg's kind (see the rule above); exposed for tests. */
size_t fold_kind_len(const char *msg);

#endif
