/* sim_mem.h - allocation that never returns NULL.
 *
 * Out of memory is a resource failure: the contract says one message and exit
 * status 1. These wrappers print "domino: out of memory (N bytes)" to stderr
 * and exit(1). Callers therefore never check for NULL. sim_xmalloc(0) returns a
 * valid pointer to free.
 */
#ifndef SIM_MEM_H
#define SIM_MEM_H

#include <stddef.h>

void *sim_xmalloc(size_t size);
void *sim_xcalloc(size_t n, size_t size);
void *sim_xrealloc(void *p, size_t size);
/* Grow an array to hold at least `need` elements of `elem` bytes, doubling;
 * updates *cap. Overflow of n*elem is treated as out of memory. */
void *sim_xgrow(void *p, size_t *cap, size_t need, size_t elem);
char *sim_xstrdup(const char *s);

/* Large blocks straight from the system: zeroed, aligned to a page (4 KB at
 * least), and touched by nobody until used, so memory is faulted in as it is
 * first written and nothing pays for a memset. A block of 2 MB or more is
 * laid on 2 MB boundaries and asked to be backed by transparent huge pages
 * (Linux, where the system grants them on request, which is Debian's
 * default): one fault per 2 MB instead of 512, and a TLB entry that covers
 * 512 times as much of a structure read at random. The advice changes no
 * result; where it is refused, or there is no mmap, blocks are plain.
 * sim_xunmap takes the size the block was mapped with. */
void *sim_xmap(size_t size);
void sim_xunmap(void *p, size_t size);
/* A mapped block of `old` bytes moved into a new one of `size` bytes (the
 * first min(old, size) bytes kept, the rest zero); p may be NULL, old 0. */
void *sim_xremap(void *p, size_t old, size_t size);

#endif
