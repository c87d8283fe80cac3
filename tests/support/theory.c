/* theory.c - queueing formulas (see theory.h). */
#include "tests/support/theory.h"

double theory_erlang_b(int n, double a)
{
    double b = 1.0;
    for (int k = 1; k <= n; k++)
        b = a * b / ((double)k + a * b);
    return b;
}

double theory_erlang_c(int c, double a)
{
    double b = theory_erlang_b(c, a);
    return (double)c * b / ((double)c - a * (1.0 - b));
}
