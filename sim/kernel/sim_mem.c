/* sim_mem.c - allocation wrappers that exit on failure.
 *
 * Out of memory is a resource failure, not a bug: one message, exit status 1
 * (DESIGN.md, Errors). Handling it here means no caller carries a NULL check,
 * and no half-built world is ever run. Zero-size requests are bumped to one
 * byte because malloc(0) and realloc(p, 0) may legally return NULL, which
 * would be indistinguishable from failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_assert.h"
#include "sim_mem.h"

SIM_NORETURN static void oom(size_t size)
{
    fprintf(stderr, "domino: out of memory (%zu bytes)\n", size);
    exit(1);
}

void *sim_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) oom(size);
    return p;
}

void *sim_xcalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) oom(SIZE_MAX);
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(n * size);
    return p;
}

void *sim_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) oom(size);
    return q;
}

/* Doubling keeps the amortized cost of n appends O(n). A capacity that cannot
 * double without overflowing falls back to exactly `need`; a byte count that
 * overflows size_t cannot be allocated anyway, so it is reported as OOM. */
void *sim_xgrow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return p;
    size_t n = *cap > SIZE_MAX / 2 ? need : *cap * 2;
    if (n < need) n = need;
    if (n < 8) n = 8;
    if (elem && n > SIZE_MAX / elem) {
        n = need;
        if (n > SIZE_MAX / elem) oom(SIZE_MAX);
    }
    p = sim_xrealloc(p, n * elem);
    *cap = n;
    return p;
}

char *sim_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = sim_xmalloc(n);
    memcpy(d, s, n);
    return d;
}
