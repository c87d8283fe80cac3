/* window.c - sliding time windows of fixed buckets (see window.h). */
#include "models/window.h"

#include <stdlib.h>
#include <string.h>

#include "sim/kernel/sim_assert.h"
#include "sim/kernel/sim_mem.h"

void win_init(struct win *w, sim_time width, int n)
{
    SIM_ASSERT(width > 0 && n >= 1);
    w->width = width;
    w->n = n;
    w->head = 0;
    w->buckets = sim_xcalloc((size_t)n, sizeof *w->buckets);
    memset(w->total, 0, sizeof w->total);
}

void win_fini(struct win *w)
{
    free(w->buckets);
    w->buckets = NULL;
}

void win_clear(struct win *w)
{
    memset(w->buckets, 0, (size_t)w->n * sizeof *w->buckets);
    memset(w->total, 0, sizeof w->total);
}

/* Moves the head to the bucket of `now`, evicting what falls out. */
static void advance(struct win *w, sim_time now)
{
    int64_t idx = now / w->width;
    SIM_ASSERT(idx >= w->head);
    if (idx == w->head) return;
    if (idx - w->head >= w->n) {
        win_clear(w);
    } else {
        for (int64_t i = w->head + 1; i <= idx; i++) {
            int64_t *b = w->buckets[i % w->n];
            for (int k = 0; k < WIN_NCOUNT; k++) {
                w->total[k] -= b[k];
                b[k] = 0;
            }
        }
    }
    w->head = idx;
}

void win_add(struct win *w, sim_time now, int k, int64_t v)
{
    SIM_ASSERT(k >= 0 && k < WIN_NCOUNT);
    advance(w, now);
    w->buckets[w->head % w->n][k] += v;
    w->total[k] += v;
}

int64_t win_sum(struct win *w, sim_time now, int k)
{
    SIM_ASSERT(k >= 0 && k < WIN_NCOUNT);
    advance(w, now);
    return w->total[k];
}
