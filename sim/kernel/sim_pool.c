/* sim_pool.c - chunked free-list pool.
 *
 * Objects live in chunks that are never moved (pointers to pooled objects stay
 * valid) and never freed before sim_pool_fini(). Each new chunk holds twice as
 * many objects as the last, so n objects cost O(log n) chunks and at most
 * half the memory is ever idle; chunks stop doubling at POOL_CHUNK_MAX_BYTES
 * so that a pool of large records does not jump by hundreds of megabytes.
 * A free object's first bytes hold the free-list link, hence the minimum size.
 * Objects are aligned for any type (max_align_t), as malloc's would be, and
 * chunks start on a page: a record whose size is a multiple of the cache
 * line (requests and calls are 128 bytes) then never straddles one more line
 * than it fills, which is what a request's end costs when it misses the
 * cache, and sits within the 128-byte pair that adjacent-line prefetchers
 * fetch together.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sim_assert.h"
#include "sim_mem.h"
#include "sim_pool.h"

enum { POOL_FIRST_CHUNK = 32 };
#define POOL_CHUNK_MAX_BYTES ((size_t)4 << 20)

void sim_pool_init(struct sim_pool *p, size_t size)
{
    size_t a = alignof(max_align_t);
    if (size < sizeof(struct sim_pool_free)) size = sizeof(struct sim_pool_free);
    SIM_ASSERT(size <= SIZE_MAX - a);
    p->size = (size + a - 1) / a * a;
    p->next_chunk = POOL_FIRST_CHUNK;
    if (p->next_chunk > POOL_CHUNK_MAX_BYTES / p->size)
        p->next_chunk = POOL_CHUNK_MAX_BYTES / p->size ? POOL_CHUNK_MAX_BYTES / p->size : 1;
    p->free = NULL;
    p->carve = p->carve_end = NULL;
    p->chunks = NULL;
    p->nchunks = p->capchunks = 0;
    p->live = p->peak = 0;
}

void sim_pool_fini(struct sim_pool *p)
{
    for (size_t i = 0; i < p->nchunks; i++)
        sim_xunmap(p->chunks[i].block, p->chunks[i].bytes);
    free(p->chunks);
    p->chunks = NULL;
    p->nchunks = p->capchunks = 0;
    p->free = NULL;
    p->carve = p->carve_end = NULL;
    p->live = 0;
}

/* Called by sim_pool_reserve() (and so sim_pool_get()) when the free list
 * is empty: returns a list of one fresh object carved from the newest
 * chunk, or from a new chunk when that one is used up.
 *   Chunks are mapped (sim_xmap): zero, and untouched until carved, so an
 * object's first write is the one that uses it, and its page (a huge page
 * for large chunks) is faulted in and zeroed then, in the cache. A calloc'ed
 * chunk threaded whole onto the free list wrote every object long before
 * its use (and glibc memsets a calloc it serves from its heap, which it
 * does up to 32 MB once a large block has been freed). */
void *sim_pool__grow(struct sim_pool *p)
{
    SIM_ASSERT(p->free == NULL);
    if (p->carve == p->carve_end) {
        size_t n = p->next_chunk; /* n * size <= POOL_CHUNK_MAX_BYTES, or n is 1 */
        void *block = sim_xmap(n * p->size);
        p->chunks = sim_xgrow(p->chunks, &p->capchunks, p->nchunks + 1, sizeof *p->chunks);
        p->chunks[p->nchunks++] = (struct sim_pool_chunk){block, n * p->size};
        if (n * p->size < POOL_CHUNK_MAX_BYTES / 2) p->next_chunk = n * 2;
        p->carve = block;
        p->carve_end = p->carve + n * p->size;
    }
    struct sim_pool_free *f = (struct sim_pool_free *)(void *)p->carve;
    p->carve += p->size;
    return f; /* zero, so its `next` ends the list */
}
