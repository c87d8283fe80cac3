/* fold.c - the timeline's rate limit (see fold.h).
 *
 * Keys live in an array in order of first appearance (so summaries due at
 * the same instant come out in a fixed order) and are found through an
 * open-addressing table of indices. Summaries due are found by a scan of
 * the keys, only when `next_due` has passed. It is a lower bound of the
 * earliest due time, not always that time: a folded line pushes its fold's
 * due time later without a scan, and the next scan finds the bound stale,
 * raises it and writes nothing. A source that keeps flapping therefore
 * costs a scan per quiet period at most, not one per line.
 */
#include "sim/app/fold.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/kernel/sim_assert.h"
#include "sim/kernel/sim_mem.h"

/* The trace sink's messages are at most 511 bytes (sim_trace.h). */
enum { FOLD_MSG = 512, FOLD_MAX_WORDS = 4 };

struct fold_key {
    uint64_t hash;
    char *who, *kind;
    sim_time end;               /* of the current window */
    int count;                  /* lines in the current window */
    uint64_t folded;            /* of them, not written */
    sim_time first, last;       /* times of the first and last folded lines */
    enum sim_trace_level level; /* the highest among the folded lines */
    char last_msg[FOLD_MSG];    /* the last folded line's message */
};

struct fold {
    sim_time window, quiet, clock;
    int burst;
    fold_emit_fn *emit;
    void *ctx;
    struct fold_key *keys;
    size_t nkeys, capkeys;
    int *slots; /* index into keys, or -1; size a power of two */
    size_t nslots;
    sim_time next_due; /* at most the earliest due time of a fold (see above) */
};

struct fold *fold_create(sim_time window, sim_time quiet, int burst, sim_time clock,
                         fold_emit_fn *emit, void *ctx)
{
    SIM_ASSERT(window > 0 && quiet > 0 && burst >= 1 && emit);
    struct fold *f = sim_xcalloc(1, sizeof *f);
    f->window = window;
    f->quiet = quiet;
    f->burst = burst;
    f->clock = clock;
    f->emit = emit;
    f->ctx = ctx;
    f->nslots = 64;
    f->slots = sim_xmalloc(f->nslots * sizeof *f->slots);
    for (size_t i = 0; i < f->nslots; i++)
        f->slots[i] = -1;
    f->next_due = SIM_TIME_MAX;
    return f;
}

void fold_destroy(struct fold *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->nkeys; i++) {
        free(f->keys[i].who);
        free(f->keys[i].kind);
    }
    free(f->keys);
    free(f->slots);
    free(f);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

size_t fold_kind_len(const char *msg)
{
    size_t end = 0;
    const char *p = msg;
    for (int words = 0; words < FOLD_MAX_WORDS; words++) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0 || is_digit(p[0])) break;
        if (p[0] == '(' && (is_digit(p[1]) || !memchr(p, ')', n))) break;
        const char *colon = memchr(p, ':', n);
        if (colon) {
            if (colon > p) end = (size_t)(colon - msg);
            break;
        }
        end = (size_t)(p + n - msg);
        p += n;
    }
    return end;
}

/* FNV-1a over who, a separator no name holds, and the kind. */
static uint64_t key_hash(const char *who, const char *kind, size_t klen)
{
    uint64_t h = 14695981039346656037u;
    for (const char *s = who; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    h = (h ^ 0xffu) * 1099511628211u;
    for (size_t i = 0; i < klen; i++)
        h = (h ^ (unsigned char)kind[i]) * 1099511628211u;
    return h;
}

static void rehash(struct fold *f)
{
    free(f->slots);
    f->nslots *= 2;
    f->slots = sim_xmalloc(f->nslots * sizeof *f->slots);
    for (size_t i = 0; i < f->nslots; i++)
        f->slots[i] = -1;
    for (size_t k = 0; k < f->nkeys; k++) {
        size_t s = (size_t)f->keys[k].hash & (f->nslots - 1);
        while (f->slots[s] >= 0)
            s = (s + 1) & (f->nslots - 1);
        f->slots[s] = (int)k;
    }
}

static struct fold_key *find_key(struct fold *f, const char *who, const char *msg)
{
    size_t klen = fold_kind_len(msg);
    uint64_t h = key_hash(who, msg, klen);
    size_t s = (size_t)h & (f->nslots - 1);
    for (; f->slots[s] >= 0; s = (s + 1) & (f->nslots - 1)) {
        struct fold_key *k = &f->keys[f->slots[s]];
        if (k->hash == h && strcmp(k->who, who) == 0 && strncmp(k->kind, msg, klen) == 0 &&
            k->kind[klen] == 0)
            return k;
    }
    f->keys = sim_xgrow(f->keys, &f->capkeys, f->nkeys + 1, sizeof *f->keys);
    struct fold_key *k = &f->keys[f->nkeys];
    memset(k, 0, sizeof *k);
    k->hash = h;
    k->who = sim_xstrdup(who);
    k->kind = sim_xmalloc(klen + 1);
    memcpy(k->kind, msg, klen);
    k->kind[klen] = 0;
    k->end = INT64_MIN; /* no window yet: the first line opens one */
    f->slots[s] = (int)f->nkeys++;
    if (2 * f->nkeys > f->nslots) rehash(f); /* moves slots, not keys: k stays valid */
    return k;
}

static void summarise(struct fold *f, struct fold_key *k, sim_time at)
{
    char first[32], last[32], msg[FOLD_MSG + 640];
    sim_time_clock(k->first, f->clock, first, sizeof first);
    sim_time_clock(k->last, f->clock, last, sizeof last);
    snprintf(msg, sizeof msg, "... %llu similar line%s folded (%s) from %s to %s; the last: %s",
             (unsigned long long)k->folded, k->folded == 1 ? "" : "s",
             k->kind[0] ? k->kind : "no subject", first, last, k->last_msg);
    f->emit(f->ctx, at, k->level, k->who, msg);
    k->folded = 0; /* the window's count stays: the burst is not renewed */
}

/* When k's fold ends: the window's end, or `quiet` after its last line. */
static sim_time due_time(const struct fold *f, const struct fold_key *k)
{
    sim_time q = k->last + f->quiet;
    return q < k->end ? q : k->end;
}

/* Writes, in order of due time (then of first appearance), the summaries of
 * folds due at or before `upto`, each stamped at min(due time, cap). */
static void flush_due(struct fold *f, sim_time upto, sim_time cap)
{
    while (f->next_due <= upto) {
        struct fold_key *due = NULL;
        sim_time best = SIM_TIME_MAX;
        for (size_t i = 0; i < f->nkeys; i++) {
            const struct fold_key *k = &f->keys[i];
            if (k->folded > 0 && due_time(f, k) < best) {
                best = due_time(f, k);
                due = &f->keys[i];
            }
        }
        f->next_due = best;
        if (!due || best > upto) return;
        summarise(f, due, best < cap ? best : cap);
    }
}

void fold_line(struct fold *f, sim_time at, enum sim_trace_level level, const char *who,
               const char *msg)
{
    flush_due(f, at, SIM_TIME_MAX);
    struct fold_key *k = find_key(f, who, msg);
    if (at >= k->end) {
        SIM_ASSERT(k->folded == 0); /* flushed above */
        k->end = at + f->window;
        k->count = 0;
    }
    if (++k->count <= f->burst) {
        f->emit(f->ctx, at, level, who, msg);
        return;
    }
    if (k->folded++ == 0) {
        k->first = at;
        k->level = level;
    }
    k->last = at;
    if (due_time(f, k) < f->next_due) f->next_due = due_time(f, k);
    if (level > k->level) k->level = level;
    snprintf(k->last_msg, sizeof k->last_msg, "%s", msg);
}

void fold_finish(struct fold *f, sim_time end)
{
    flush_due(f, SIM_TIME_MAX, end);
}
