/* sim_rng.c - named random streams.
 *
 * A stream is looked up by name with a linear scan and strcmp. That is O(n)
 * in the number of streams, which is fine because models resolve their
 * streams once, when the world is built, and keep the gsl_rng pointer; no
 * event ever asks for a stream by name. Each gsl_rng is allocated on its own,
 * so growing the array never moves a stream a model already holds.
 *
 * The generator, chosen by measurement (gcc 12 -O2, Xeon, 5 x 5e7 calls of
 * gsl_rng_uniform, best run; gsl_rng_set timed over 1e5 seeds):
 *
 *   generator  ns/uniform  ns/gsl_rng_set  state bytes
 *   taus2         3.5           13               24
 *   gfsr4         2.8       487600           131080
 *   mt19937       8.2         1100             5000
 *   ranlxs0      25.0         2400              320
 *   ranlux       46.3          104              216
 *   ranlxd1      72.7         3100              120
 *
 * taus2 (L'Ecuyer's maximally equidistributed combined Tausworthe generator,
 * period 2^88) is in the GSL manual's list of simulation-quality generators
 * with mt19937, ranlxs/ranlxd and gfsr4. It is 2.3x faster than mt19937 per
 * draw, its state is 24 bytes instead of 5 KB (a scenario has one stream per
 * element and purpose, so hundreds of streams), and seeding costs 13 ns
 * instead of 1.1 us. gfsr4 is slightly faster per draw but carries 128 KB of
 * state and half a millisecond of seeding per stream. Both taus2 and mt19937
 * are F2-linear, so both fail the linear-complexity and matrix-rank tests
 * that catch every such generator; no queueing quantity depends on that.
 * Overlap between streams seeded at random points of a 2^88 cycle is
 * negligible: 1000 streams of 1e12 draws each overlap with probability
 * about 1000^2 * 1e12 / 2^88 < 1e-8.
 *
 * Both GSL generators keep 32 bits of seed (taus2 feeds the seed through a
 * 32-bit LCG), so two streams collide with probability 2^-32 per pair; with
 * 300 streams that is about 1e-5 per scenario, and a collision only makes two
 * streams identical, never breaks determinism.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "sim.h"
#include "sim_assert.h"
#include "sim_mem.h"
#include "sim_rng.h"

#define SIM_RNG_TYPE gsl_rng_taus2

struct sim_rng_named {
    char *name; /* owned copy */
    gsl_rng *rng;
};

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t sim_rng_seed(uint64_t master, uint32_t replication, const char *name)
{
    SIM_ASSERT(name != NULL);
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    uint64_t x = h ^ mix(master) ^ mix((uint64_t)replication + UINT64_C(0x9e3779b97f4a7c15));
    return mix(x);
}

gsl_rng *sim_rng_stream(struct sim *sim, const char *name)
{
    SIM_ASSERT(sim != NULL && name != NULL);
    struct sim_rng_set *set = &sim->rngs;
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->items[i].name, name) == 0) return set->items[i].rng;

    /* GSL's error handler is process state, the one exception to "no mutable
     * globals". Turning it off is idempotent and only changes what GSL does
     * on an error: return a code instead of abort(). Two simulations in one
     * process therefore cannot interfere through it. It is done here, before
     * the first allocation, so that even gsl_rng_alloc's failure is a return
     * value. */
    gsl_set_error_handler_off();
    gsl_rng *r = gsl_rng_alloc(SIM_RNG_TYPE);
    if (!r) {
        fprintf(stderr, "domino: out of memory (random stream %s)\n", name);
        exit(1);
    }
    /* 0 means "the default seed" to some GSL generators; see sim_rng.h. */
    uint64_t seed = sim_rng_seed(sim->master_seed, sim->replication, name);
    gsl_rng_set(r, seed ? (unsigned long)seed : 1UL);

    set->items = sim_xgrow(set->items, &set->cap, set->n + 1, sizeof *set->items);
    set->items[set->n].name = sim_xstrdup(name);
    set->items[set->n].rng = r;
    set->n++;
    return r;
}

void sim_rng__fini(struct sim_rng_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        gsl_rng_free(set->items[i].rng);
        free(set->items[i].name);
    }
    free(set->items);
    set->items = NULL;
    set->n = set->cap = 0;
}
