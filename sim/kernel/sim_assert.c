/* sim_assert.c - the one place every failed SIM_ASSERT lands.
 *
 * Kept out of line and noreturn so the inline check at each call site is one
 * predictable branch and the cold path costs no code size there. A debugger
 * breakpoint on sim_assert_failed catches every broken invariant. stderr is
 * unbuffered, so the line is out before abort() raises SIGABRT.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim_assert.h"

void sim_assert_failed(const char *file, int line, const char *func, const char *expr)
{
    fprintf(stderr, "domino: assertion failed: %s (%s:%d, %s)\n", expr, file, line, func);
    abort();
}
