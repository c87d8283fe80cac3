/* window.h - counts over a sliding time window, kept in fixed buckets.
 *
 * A ring of `n` buckets of `width` each covers the last n * width of
 * simulated time, the current bucket included. Buckets are aligned to
 * multiples of `width` from t = 0 (Resilience4j aligns its time window to
 * epoch seconds; t = 0 is our epoch), so the window holds whole buckets:
 * a count leaves the window when its bucket is reused, not exactly `n *
 * width` after it was added. Every bucket holds WIN_NCOUNT counters, and the
 * window's totals are kept by subtract-on-evict, so adding and reading are
 * O(1) amortised (a jump over k buckets clears min(k, n) of them) and the
 * memory is n buckets whatever the rate.
 *
 * Used by the time-based sliding breaker (total, failed, slow calls per
 * second), the retry budget (first tries, retries) and the client-side
 * throttle (requests, accepts).
 *
 * Also here, the latch those users' alarms share: a condition raised at
 * once and lowered only after a quiet time without it (a retry storm, a
 * compensation storm), so a condition that flickers writes two timeline
 * lines, not two per flicker.
 *
 * Time must not go backwards between calls (asserted).
 * Ownership: win_init allocates the ring, win_fini frees it.
 */
#ifndef MODELS_WINDOW_H
#define MODELS_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/kernel/sim_time.h"

#define WIN_NCOUNT 3

struct win {
    sim_time width;
    int n;
    int64_t head;                   /* index (t / width) of the newest bucket */
    int64_t (*buckets)[WIN_NCOUNT]; /* bucket i holds index head - ((head - i) mod n) */
    int64_t total[WIN_NCOUNT];
};

/* n >= 1 buckets of width > 0. */
void win_init(struct win *w, sim_time width, int n);
void win_fini(struct win *w);
/* Empties the window (the time position is kept). */
void win_clear(struct win *w);
/* Adds v to counter k (0 <= k < WIN_NCOUNT) in the bucket of `now`. */
void win_add(struct win *w, sim_time now, int k, int64_t v);
/* The sum of counter k over the window as seen at `now`. */
int64_t win_sum(struct win *w, sim_time now, int k);

struct win_latch {
    bool on;
    sim_time last; /* the last time the condition held */
};

enum win_turn { WIN_SAME, WIN_RAISED, WIN_LOWERED };

/* Whether the condition holds at `now`: the latch rises with it, and falls
 * at the first check `quiet` or more after it last held. Says which. */
static inline enum win_turn win_latch_check(struct win_latch *l, bool holds, sim_time now,
                                            sim_time quiet)
{
    if (holds) {
        l->last = now;
        if (l->on) return WIN_SAME;
        l->on = true;
        return WIN_RAISED;
    }
    if (!l->on || now - l->last < quiet) return WIN_SAME;
    l->on = false;
    return WIN_LOWERED;
}

#endif
