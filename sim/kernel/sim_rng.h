/* sim_rng.h - named random streams (common random numbers).
 *
 * Every random draw in a run comes from a stream named after the model element
 * and its purpose ("load/orders/arrivals", "service/payment/charge/work").
 * A stream's seed depends only on (master seed, replication, name), so adding,
 * removing or changing one element never changes another element's draws, and
 * two variants of a scenario see identical arrivals and service times.
 *
 * The seed derivation (part of the output contract: summary.json byte
 * identity depends on it; changing it changes every golden):
 *
 *   h    = FNV-1a 64 of the name bytes (offset 0xcbf29ce484222325,
 *          prime 0x100000001b3)
 *   x    = h ^ mix(master) ^ mix(replication + 0x9e3779b97f4a7c15)
 *   seed = mix(x)
 *
 * where mix() is the splitmix64 finalizer:
 *   z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9; z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
 *   z ^ (z >> 31).
 * The generator is GSL's SIM_RNG_TYPE (see sim_rng.c for the measured choice),
 * seeded with gsl_rng_set(r, seed) (generators that keep 32 bits of seed use
 * the low 32 bits; seed 0 is replaced by 1 since some GSL generators treat 0
 * as "default seed"). GSL's environment-reading setup is never called: the environment
 * must not change a run.
 *
 * Ownership: the sim owns its streams and frees them in sim_destroy().
 * Asking twice for the same name returns the same stream.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

struct sim;

uint64_t sim_rng_seed(uint64_t master, uint32_t replication, const char *name);
gsl_rng *sim_rng_stream(struct sim *sim, const char *name);

/* Used by sim.c only. */
struct sim_rng_set {
    struct sim_rng_named *items;
    size_t n, cap;
};
void sim_rng__fini(struct sim_rng_set *set);

#endif
