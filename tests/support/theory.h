/* theory.h - queueing formulas the validation tests compare against. */
#ifndef TESTS_SUPPORT_THEORY_H
#define TESTS_SUPPORT_THEORY_H

/* Erlang B (blocking probability of M/M/n/n at offered load a = lambda/mu),
 * by the stable recursion B(0) = 1, B(n) = a B(n-1) / (n + a B(n-1)). */
double theory_erlang_b(int n, double a);
/* Erlang C (probability of waiting in M/M/c, a < c) from B:
 * C = c B / (c - a (1 - B)). */
double theory_erlang_c(int c, double a);

#endif
