/* breaker.c - circuit breakers (see breaker.h for the state machine).
 *
 * Everything a breaker needs is allocated by breaker_init: the ring of a
 * count window or the buckets of a time window. Acquire and record do
 * integer work and at most one division per rate; the only string work is
 * breaker_describe(), which the policy layer calls once per transition.
 */
#include "models/breaker.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/kernel/sim_assert.h"
#include "sim/kernel/sim_mem.h"

/* Ring entry bits (count window). */
#define R_FAILED  1u
#define R_SLOW    2u
#define R_PRESENT 4u

/* Time window counters. */
#define W_TOTAL  0
#define W_FAILED 1
#define W_SLOW   2

static bool sliding(const struct breaker *b)
{
    return b->cfg->kind == BREAKER_SLIDING;
}

static bool count_window(const struct breaker *b)
{
    return sliding(b) && b->cfg->window == WINDOW_COUNT;
}

static bool time_window(const struct breaker *b)
{
    return sliding(b) && b->cfg->window == WINDOW_TIME;
}

static int imin(int a, int b)
{
    return a < b ? a : b;
}

/* part / calls >= threshold, in doubles: the thresholds are fractions, and
 * scaling both sides by 100 would move them (0.3 * 100 != 30). */
static bool rate_reached(int64_t part, int64_t calls, double threshold)
{
    return calls > 0 && (double)part / (double)calls >= threshold;
}

static bool rates_reached(const struct breaker *b, int64_t calls, int64_t failed, int64_t slow)
{
    return rate_reached(failed, calls, b->cfg->failure_rate) ||
           rate_reached(slow, calls, b->cfg->slow_rate);
}

static sim_time open_time(const struct breaker *b)
{
    return sliding(b) ? b->cfg->open_for : b->cfg->recovery_timeout;
}

/* Results a fresh CLOSED window needs before it may trip: Resilience4j clamps
 * the minimum to a count window's size (it could never be reached otherwise),
 * not to a time window's. */
static int closed_min_calls(const struct breaker *b)
{
    return count_window(b) ? imin(b->cfg->min_calls, b->cfg->size) : b->cfg->min_calls;
}

static void fresh_counts(struct breaker *b)
{
    b->calls = b->failed = b->slow = 0;
}

static void why(struct breaker *b, int64_t calls, int64_t failed, int64_t slow)
{
    b->why_calls = calls;
    b->why_failed = failed;
    b->why_slow = slow;
}

/* Enters `to` at `now`, sets up its state, checks it and reports it. The
 * caller has filled the why_* fields. */
static void enter(struct breaker *b, enum breaker_state to, sim_time now)
{
    enum breaker_state from = b->state;
    b->from = from;
    b->state = to;
    b->permits = 0;
    switch (to) {
    case BREAKER_CLOSED:
        /* A fresh window: nothing from before the trip may trip it again. */
        b->failures = 0;
        b->successes = 0;
        fresh_counts(b);
        if (count_window(b)) {
            memset(b->ring, 0, (size_t)b->cfg->size);
            b->ring_head = 0;
        } else if (time_window(b)) {
            win_clear(&b->time);
        }
        b->min_calls = closed_min_calls(b);
        break;
    case BREAKER_OPEN:
        /* The CLOSED window is left frozen; entering CLOSED discards it. */
        b->opened = now;
        break;
    case BREAKER_HALF_OPEN:
        b->permits = b->cfg->half_open_calls;
        b->successes = 0;
        fresh_counts(b);
        b->min_calls = imin(b->cfg->min_calls, b->cfg->half_open_calls);
        break;
    }
    breaker_check(b);
    if (b->on_transition) b->on_transition(b->ctx, b, from, now);
}

void breaker_init(struct breaker *b, const struct breaker_config *cfg)
{
    SIM_ASSERT(cfg->half_open_calls >= 1);
    memset(b, 0, sizeof *b);
    b->cfg = cfg;
    b->state = b->from = BREAKER_CLOSED;
    if (cfg->kind == BREAKER_CONSECUTIVE) {
        SIM_ASSERT(cfg->failure_threshold >= 1 && cfg->recovery_timeout >= 0);
    } else {
        SIM_ASSERT(cfg->kind == BREAKER_SLIDING);
        SIM_ASSERT(cfg->size >= 1 && cfg->min_calls >= 1);
        SIM_ASSERT(cfg->failure_rate >= 0 && cfg->failure_rate <= 1);
        SIM_ASSERT(cfg->slow_rate >= 0 && cfg->slow_rate <= 1);
        SIM_ASSERT(cfg->slow_call >= 0 && cfg->open_for >= 0);
        if (cfg->window == WINDOW_COUNT) {
            b->ring = sim_xcalloc((size_t)cfg->size, sizeof *b->ring);
        } else {
            SIM_ASSERT(cfg->window == WINDOW_TIME);
            win_init(&b->time, SIM_S, cfg->size);
        }
        b->min_calls = closed_min_calls(b);
    }
    breaker_check(b);
}

void breaker_fini(struct breaker *b)
{
    free(b->ring);
    b->ring = NULL;
    if (time_window(b)) win_fini(&b->time);
}

void breaker_set_callback(struct breaker *b, breaker_transition_fn *fn, void *ctx)
{
    b->on_transition = fn;
    b->ctx = ctx;
}

bool breaker_acquire(struct breaker *b, sim_time now)
{
    switch (b->state) {
    case BREAKER_CLOSED:
        return true;
    case BREAKER_OPEN:
        /* Strictly after, as Resilience4j's Instant.isAfter; the subtraction
         * cannot overflow where opened + timeout could. */
        if (now - b->opened <= open_time(b)) return false;
        enter(b, BREAKER_HALF_OPEN, now);
        break;
    case BREAKER_HALF_OPEN:
        break;
    }
    if (b->permits == 0) return false;
    b->permits--;
    return true;
}

/* A permit given back by an ignored outcome, capped so that an ignored call
 * admitted before HALF_OPEN cannot mint an extra trial. */
static void release_permit(struct breaker *b)
{
    if (b->state == BREAKER_HALF_OPEN && b->permits < b->cfg->half_open_calls) b->permits++;
}

static void consecutive_record(struct breaker *b, sim_time now, bool failed)
{
    const struct breaker_config *c = b->cfg;
    if (b->state == BREAKER_CLOSED) {
        if (failed) {
            if (++b->failures >= c->failure_threshold) {
                why(b, b->failures, b->failures, 0);
                enter(b, BREAKER_OPEN, now);
            }
        } else if (c->decay_on_success) {
            if (b->failures > 0) b->failures--;
        } else {
            b->failures = 0;
        }
        return;
    }
    /* HALF_OPEN: late results from calls admitted in CLOSED count as trials. */
    if (failed) {
        why(b, b->successes + 1, 1, 0);
        enter(b, BREAKER_OPEN, now);
    } else if (++b->successes >= c->half_open_calls) {
        why(b, b->successes, 0, 0);
        enter(b, BREAKER_CLOSED, now);
    }
}

static void sliding_closed_record(struct breaker *b, sim_time now, bool failed, bool slow)
{
    int64_t calls, nfailed, nslow;
    if (count_window(b)) {
        uint8_t old = b->ring[b->ring_head];
        if (old & R_PRESENT) {
            b->calls--;
            b->failed -= (old & R_FAILED) != 0;
            b->slow -= (old & R_SLOW) != 0;
        }
        b->ring[b->ring_head] =
            (uint8_t)(R_PRESENT | (failed ? R_FAILED : 0u) | (slow ? R_SLOW : 0u));
        b->ring_head = (b->ring_head + 1) % b->cfg->size;
        b->calls++;
        b->failed += failed;
        b->slow += slow;
        calls = b->calls, nfailed = b->failed, nslow = b->slow;
    } else {
        win_add(&b->time, now, W_TOTAL, 1);
        if (failed) win_add(&b->time, now, W_FAILED, 1);
        if (slow) win_add(&b->time, now, W_SLOW, 1);
        calls = win_sum(&b->time, now, W_TOTAL);
        nfailed = win_sum(&b->time, now, W_FAILED);
        nslow = win_sum(&b->time, now, W_SLOW);
    }
    if (calls >= b->min_calls && rates_reached(b, calls, nfailed, nslow)) {
        why(b, calls, nfailed, nslow);
        enter(b, BREAKER_OPEN, now);
    }
}

/* HALF_OPEN's window is a count window of half_open_calls results, but it
 * decides (and is left) at min(min_calls, half_open_calls) <= its size, so
 * it never wraps and plain counters are the whole window. */
static void sliding_half_open_record(struct breaker *b, sim_time now, bool failed, bool slow)
{
    b->calls++;
    b->failed += failed;
    b->slow += slow;
    if (b->calls < b->min_calls) return;
    why(b, b->calls, b->failed, b->slow);
    if (rates_reached(b, b->calls, b->failed, b->slow))
        enter(b, BREAKER_OPEN, now);
    else
        enter(b, BREAKER_CLOSED, now);
}

void breaker_record(struct breaker *b, sim_time now, enum breaker_result r, sim_time duration)
{
    if (r == BREAKER_IGNORED) {
        release_permit(b);
        return;
    }
    SIM_ASSERT(r == BREAKER_SUCCESS || r == BREAKER_FAILURE);
    /* A late result in OPEN would go to the frozen CLOSED window, which is
     * discarded on the way back to CLOSED: it changes nothing. */
    if (b->state == BREAKER_OPEN) return;
    bool failed = r == BREAKER_FAILURE;
    if (!sliding(b)) {
        consecutive_record(b, now, failed);
        return;
    }
    bool slow = duration > b->cfg->slow_call;
    if (b->state == BREAKER_CLOSED)
        sliding_closed_record(b, now, failed, slow);
    else
        sliding_half_open_record(b, now, failed, slow);
}

static void check_counts(int64_t calls, int64_t failed, int64_t slow)
{
    SIM_ASSERT(calls >= 0);
    SIM_ASSERT(failed >= 0 && failed <= calls);
    SIM_ASSERT(slow >= 0 && slow <= calls);
}

/* CLOSED's window: the ring's bits add up to the totals and, since a count
 * window only changes at a record, its rates are below the thresholds once it
 * is full enough. A time window's rates move as buckets leave it, so only
 * its totals are checked. O(size), but called on transitions only. */
static void check_closed_window(const struct breaker *b)
{
    const struct breaker_config *c = b->cfg;
    SIM_ASSERT(b->min_calls == closed_min_calls(b));
    if (count_window(b)) {
        int64_t calls = 0, failed = 0, slow = 0;
        for (int i = 0; i < c->size; i++) {
            uint8_t e = b->ring[i];
            SIM_ASSERT((e & ~(R_PRESENT | R_FAILED | R_SLOW)) == 0);
            SIM_ASSERT((e & R_PRESENT) || e == 0);
            calls += (e & R_PRESENT) != 0;
            failed += (e & R_FAILED) != 0;
            slow += (e & R_SLOW) != 0;
        }
        SIM_ASSERT(calls == b->calls && failed == b->failed && slow == b->slow);
        SIM_ASSERT(b->calls <= c->size);
        SIM_ASSERT(b->ring_head >= 0 && b->ring_head < c->size);
        SIM_ASSERT(b->calls < b->min_calls || !rates_reached(b, b->calls, b->failed, b->slow));
    } else {
        check_counts(b->time.total[W_TOTAL], b->time.total[W_FAILED], b->time.total[W_SLOW]);
    }
}

void breaker_check(const struct breaker *b)
{
    const struct breaker_config *c = b->cfg;
    SIM_ASSERT(c != NULL);
    SIM_ASSERT(b->state == BREAKER_CLOSED || b->state == BREAKER_OPEN ||
               b->state == BREAKER_HALF_OPEN);
    SIM_ASSERT(b->state != b->from || b->state == BREAKER_CLOSED);
    SIM_ASSERT(b->permits >= 0 && b->permits <= c->half_open_calls);
    SIM_ASSERT(b->state == BREAKER_HALF_OPEN || b->permits == 0);
    if (sliding(b)) SIM_ASSERT(count_window(b) == (b->ring != NULL));
    switch (b->state) {
    case BREAKER_CLOSED:
        if (!sliding(b))
            SIM_ASSERT(b->failures >= 0 && b->failures < c->failure_threshold);
        else
            check_closed_window(b);
        break;
    case BREAKER_OPEN:
        SIM_ASSERT(b->from != BREAKER_OPEN);
        SIM_ASSERT(b->opened >= 0);
        break;
    case BREAKER_HALF_OPEN:
        SIM_ASSERT(b->from == BREAKER_OPEN);
        if (!sliding(b)) {
            SIM_ASSERT(b->successes >= 0 && b->successes < c->half_open_calls);
        } else {
            SIM_ASSERT(b->min_calls == imin(c->min_calls, c->half_open_calls));
            check_counts(b->calls, b->failed, b->slow);
            SIM_ASSERT(b->calls < b->min_calls);
        }
        break;
    }
}

const char *breaker_state_name(enum breaker_state s)
{
    switch (s) {
    case BREAKER_CLOSED:
        return "CLOSED";
    case BREAKER_OPEN:
        return "OPEN";
    case BREAKER_HALF_OPEN:
        return "HALF_OPEN";
    }
    SIM_UNREACHABLE();
}

/* Appends to a fixed buffer, truncating silently (the text is for people). */
struct out {
    char *buf;
    size_t n, len;
};

SIM_PRINTF(2, 3) static void put(struct out *o, const char *fmt, ...)
{
    if (o->len >= o->n) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(o->buf + o->len, o->n - o->len, fmt, ap);
    va_end(ap);
    if (k > 0) o->len += (size_t)k;
}

/* A fraction as a percentage with at most one decimal: 0.625 -> "62.5",
 * 0.5 -> "50". */
static const char *pct(double x, char buf[16])
{
    snprintf(buf, 16, "%.1f", x * 100.0);
    size_t len = strlen(buf);
    if (len >= 2 && strcmp(buf + len - 2, ".0") == 0) buf[len - 2] = '\0';
    return buf;
}

static double frac(int64_t part, int64_t calls)
{
    return calls > 0 ? (double)part / (double)calls : 0.0;
}

/* "failure rate 62.5% >= 50%"; cmp is the comparison shown. */
static void put_rate(struct out *o, const char *what, int64_t part, int64_t calls, double thr,
                     const char *cmp)
{
    char a[16], t[16];
    put(o, "%s %s%% %s %s%%", what, pct(frac(part, calls), a), cmp, pct(thr, t));
}

static void describe_trip(const struct breaker *b, struct out *o)
{
    const struct breaker_config *c = b->cfg;
    long long calls = b->why_calls, failed = b->why_failed, slow = b->why_slow;
    if (!sliding(b)) {
        if (c->decay_on_success)
            put(o, "failure count %lld >= %d (one off per success)", failed, c->failure_threshold);
        else
            put(o, "%lld consecutive failures", failed);
        return;
    }
    bool f = rate_reached(failed, calls, c->failure_rate);
    bool s = rate_reached(slow, calls, c->slow_rate);
    if (f) put_rate(o, "failure rate", failed, calls, c->failure_rate, ">=");
    if (f && s) put(o, " and ");
    if (s) put_rate(o, "slow-call rate", slow, calls, c->slow_rate, ">=");
    put(o, " over %lld calls", calls);
    if (c->window == WINDOW_TIME) put(o, " in %ds", c->size);
}

static void describe_trial_failed(const struct breaker *b, struct out *o)
{
    const struct breaker_config *c = b->cfg;
    long long calls = b->why_calls, failed = b->why_failed, slow = b->why_slow;
    char a[16], t[16];
    if (!sliding(b)) {
        if (calls == 1)
            put(o, "trial call failed");
        else
            put(o, "trial call failed after %lld succeeded", calls - 1);
        return;
    }
    bool f = rate_reached(failed, calls, c->failure_rate);
    bool s = rate_reached(slow, calls, c->slow_rate);
    if (f) {
        put(o, "%lld of %lld trial calls failed (%s%% >= %s%%)", failed, calls,
            pct(frac(failed, calls), a), pct(c->failure_rate, t));
        if (s)
            put(o, ", %lld slow (%s%% >= %s%%)", slow, pct(frac(slow, calls), a),
                pct(c->slow_rate, t));
    } else {
        put(o, "%lld of %lld trial calls slow (%s%% >= %s%%)", slow, calls,
            pct(frac(slow, calls), a), pct(c->slow_rate, t));
    }
}

static void describe_trial_passed(const struct breaker *b, struct out *o)
{
    const struct breaker_config *c = b->cfg;
    long long calls = b->why_calls, failed = b->why_failed, slow = b->why_slow;
    if (!sliding(b)) {
        put(o, "%lld/%d trial calls succeeded", calls, c->half_open_calls);
        return;
    }
    put(o, "%lld/%lld trial calls succeeded", calls - failed, calls);
    if (failed == 0 && slow == 0) return;
    put(o, " (");
    if (failed > 0) put_rate(o, "failure rate", failed, calls, c->failure_rate, "<");
    if (failed > 0 && slow > 0) put(o, ", ");
    if (slow > 0) put_rate(o, "slow-call rate", slow, calls, c->slow_rate, "<");
    put(o, ")");
}

const char *breaker_describe(const struct breaker *b, char *buf, size_t n)
{
    struct out o = {buf, n, 0};
    if (n == 0) return buf;
    buf[0] = '\0';
    switch (b->state) {
    case BREAKER_CLOSED:
        if (b->from == BREAKER_CLOSED)
            put(&o, "initial state");
        else
            describe_trial_passed(b, &o);
        break;
    case BREAKER_OPEN:
        if (b->from == BREAKER_CLOSED)
            describe_trip(b, &o);
        else
            describe_trial_failed(b, &o);
        break;
    case BREAKER_HALF_OPEN: {
        char d[32];
        sim_time_format(open_time(b), d, sizeof d);
        put(&o, "open for more than %s", d);
        break;
    }
    }
    return buf;
}
