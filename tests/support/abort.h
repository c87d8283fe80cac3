/* abort.h - checking that a broken internal contract aborts. */
#ifndef TESTS_SUPPORT_ABORT_H
#define TESTS_SUPPORT_ABORT_H

#include <stddef.h>

/* Runs fn in a child process and puts what it wrote to stderr in msg (at
 * most n - 1 bytes, NUL-terminated); asserts the child died of SIGABRT. */
void tsup_expect_abort(void (*fn)(void), char *msg, size_t n);

#endif
