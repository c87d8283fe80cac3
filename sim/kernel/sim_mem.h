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

#endif
