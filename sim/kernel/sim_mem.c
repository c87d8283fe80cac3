/* sim_mem.c - allocation wrappers that exit on failure.
 *
 * Out of memory is a resource failure, not a bug: one message, exit status 1
 * (DESIGN.md, Errors). Handling it here means no caller carries a NULL check,
 * and no half-built world is ever run. Zero-size requests are bumped to one
 * byte because malloc(0) and realloc(p, 0) may legally return NULL, which
 * would be indistinguishable from failure.
 */
#define _DEFAULT_SOURCE /* mmap's MAP_ANONYMOUS, madvise */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_assert.h"
#include "sim_mem.h"

#if defined(__unix__)
#include <sys/mman.h>
#endif
#if defined(MAP_ANONYMOUS)
#define HAVE_MMAP 1
#else
#define HAVE_MMAP 0
#endif

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

/* ---- mapped blocks -------------------------------------------------------- */

#define PAGE      ((size_t)4096)
#define HUGE_PAGE ((size_t)2 << 20)

static size_t round_up(size_t n, size_t to)
{
    if (n > SIZE_MAX - (to - 1)) oom(SIZE_MAX);
    return (n + to - 1) / to * to;
}

/* What a block of `size` bytes really spans. */
static size_t mapped_size(size_t size)
{
    return round_up(size ? size : 1, size >= HUGE_PAGE ? HUGE_PAGE : PAGE);
}

#if HAVE_MMAP
void *sim_xmap(size_t size)
{
    size_t len = mapped_size(size);
    size_t slack = len >= HUGE_PAGE ? HUGE_PAGE : 0;
    if (len > SIZE_MAX - slack) oom(SIZE_MAX);
    char *p = mmap(NULL, len + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) oom(size);
    if (slack) {
        /* Mapped one huge page long, then the ends cut off, so that the
         * block starts on a huge page's boundary. */
        size_t head = -(uintptr_t)p & (HUGE_PAGE - 1);
        if (head) munmap(p, head);
        if (slack - head) munmap(p + head + len, slack - head);
        p += head;
#if defined(MADV_HUGEPAGE)
        (void)madvise(p, len, MADV_HUGEPAGE);
#endif
    }
    return p;
}

void sim_xunmap(void *p, size_t size)
{
    if (p) munmap(p, mapped_size(size));
}
#else
void *sim_xmap(size_t size)
{
    size_t len = mapped_size(size);
    void *p = aligned_alloc(PAGE, len);
    if (!p) oom(size);
    memset(p, 0, len);
    return p;
}

void sim_xunmap(void *p, size_t size)
{
    (void)size;
    free(p);
}
#endif

void *sim_xremap(void *p, size_t old, size_t size)
{
    void *q = sim_xmap(size);
    if (p) {
        memcpy(q, p, old < size ? old : size);
        sim_xunmap(p, old);
    }
    return q;
}
