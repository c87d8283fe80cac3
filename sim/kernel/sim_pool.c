/* sim_pool.c - chunked free-list pool.
 *
 * Objects live in chunks that are never moved (pointers to pooled objects stay
 * valid) and never freed before sim_pool_fini(). Each new chunk holds twice as
 * many objects as the last, so n objects cost O(log n) mallocs and at most
 * half the memory is ever idle; chunks stop doubling at POOL_CHUNK_MAX_BYTES
 * so that a pool of large records does not jump by hundreds of megabytes.
 * A free object's first bytes hold the free-list link, hence the minimum size.
 * Objects are aligned for any type (max_align_t), as malloc's would be, and
 * chunks start on a CHUNK_ALIGN boundary: a record whose size is a multiple
 * of the cache line (requests and calls are 128 bytes) then never straddles
 * one more line than it fills, which is what a request's end costs when it
 * misses the cache.
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
/* Two cache lines, the pair that adjacent-line prefetchers fetch together. */
#define CHUNK_ALIGN ((size_t)128)

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
    p->chunks = NULL;
    p->nchunks = p->capchunks = 0;
    p->live = p->peak = 0;
}

void sim_pool_fini(struct sim_pool *p)
{
    for (size_t i = 0; i < p->nchunks; i++)
        free(p->chunks[i]);
    free(p->chunks);
    p->chunks = NULL;
    p->nchunks = p->capchunks = 0;
    p->free = NULL;
    p->live = 0;
}

/* Called by sim_pool_reserve() (and so sim_pool_get()) when the free list
 * is empty: allocates a chunk, threads every object of it onto a list and
 * returns the list's head, which becomes the free list. */
void *sim_pool__grow(struct sim_pool *p)
{
    SIM_ASSERT(p->free == NULL);
    size_t n = p->next_chunk;
    if (n > (SIZE_MAX - CHUNK_ALIGN) / p->size) n = (SIZE_MAX - CHUNK_ALIGN) / p->size;
    /* calloc rather than aligned_alloc and memset: large chunks come zeroed
     * from the system, page by page as they are first used. The block is
     * what is freed; objects start at its first aligned byte. */
    char *block = sim_xcalloc(1, n * p->size + CHUNK_ALIGN - 1);
    char *chunk = block + (-(uintptr_t)block & (CHUNK_ALIGN - 1));
    p->chunks = sim_xgrow(p->chunks, &p->capchunks, p->nchunks + 1, sizeof *p->chunks);
    p->chunks[p->nchunks++] = block;
    if (n * p->size < POOL_CHUNK_MAX_BYTES / 2) p->next_chunk = n * 2;

    struct sim_pool_free *head = NULL;
    for (size_t i = n; i-- > 0;) {
        struct sim_pool_free *f = (struct sim_pool_free *)(void *)(chunk + i * p->size);
        f->next = head;
        head = f;
    }
    return head;
}
