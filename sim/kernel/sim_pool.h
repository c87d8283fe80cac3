/* sim_pool.h - fixed-size object pool with a free list.
 *
 * Requests, waiters and other per-request records come from pools so that the
 * steady state allocates nothing: sim_pool_get() pops the free list and,
 * when the list is empty, takes the next never-used object of the newest
 * chunk, mapping a new chunk (doubling in size) only when that one is used
 * up. Memory therefore tracks the peak number of objects alive at once
 * (requests in flight), never the simulated duration. Fresh objects are
 * zeroed; a recycled object keeps what its last owner left in it, except
 * its first pointer-sized bytes, which held the free-list link. Models rely on
 * this to keep a generation counter valid across reuse (see models/call.c).
 *
 * Ownership: the pool owns its chunks; sim_pool_fini() frees them all,
 * including objects still handed out.
 */
#ifndef SIM_POOL_H
#define SIM_POOL_H

#include <stddef.h>

struct sim_pool_free {
    struct sim_pool_free *next;
};

struct sim_pool_chunk {
    void *block; /* mapped (sim_xmap) */
    size_t bytes;
};

struct sim_pool {
    size_t size;                /* object size, rounded up for alignment */
    size_t next_chunk;          /* objects in the next chunk */
    struct sim_pool_free *free; /* free list */
    char *carve, *carve_end;    /* the newest chunk's objects not handed out yet */
    struct sim_pool_chunk *chunks;
    size_t nchunks, capchunks;
    size_t live; /* objects handed out */
    size_t peak; /* most objects handed out at once */
};

void sim_pool_init(struct sim_pool *p, size_t size);
void sim_pool_fini(struct sim_pool *p);
void *sim_pool__grow(struct sim_pool *p);

/* Makes the next sim_pool_get() take no call. A hot constructor that
 * reserves on a cold path of its own, then starts over, keeps its arguments
 * out of callee-saved registers (which the call inside sim_pool_get would
 * need them in, at the price of saving those at every entry). */
static inline void sim_pool_reserve(struct sim_pool *p)
{
    if (!p->free) p->free = (struct sim_pool_free *)sim_pool__grow(p);
}

static inline void *sim_pool_get(struct sim_pool *p)
{
    sim_pool_reserve(p);
    struct sim_pool_free *f = p->free;
    p->free = f->next;
    if (++p->live > p->peak) p->peak = p->live;
    return f;
}

static inline void sim_pool_put(struct sim_pool *p, void *obj)
{
    struct sim_pool_free *f = (struct sim_pool_free *)obj;
    f->next = p->free;
    p->free = f;
    p->live--;
}

#endif
