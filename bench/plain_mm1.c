/* plain_mm1.c - the yardstick of issue 7: M/M/1 as a plain C program.
 *
 * The speed aims for domino's M/M/1 file (18 M model events/s, "within 10%
 * of the plain-C program" as the stretch) were set against a plain C
 * binary-heap program measured at 23.1 M/s on this kind of machine. This is
 * a program of that kind (it runs faster than that figure here), so that
 * `make bench` measures it in the same minute as domino: the VM is shared
 * and its speed drifts by up to a third within a day, and the yardstick
 * shows how fast the machine was while the table was taken.
 *
 * Same model as scenarios/mm1.yaml: Poisson arrivals at 900/s, one server,
 * exponential service with mean 1 ms, 1.08e6 customers (1200 s). Random
 * numbers drawn as domino draws them, GSL's taus2 and gsl_ran_exponential,
 * one stream for arrivals and one for service (seeded 1 and 2, not with
 * domino's seed derivation, so the draws themselves differ; the work per
 * draw is the same). Nothing else: a binary heap
 * of (time, kind) events, a ring of waiting customers' arrival times, and
 * the mean time in system (theory: 1 / (mu - lambda) = 10 ms) printed so
 * that a broken program shows. Model events/s = 2 x customers / wall, as
 * the issue counts them.
 *
 * Wall time comes from clock_gettime(CLOCK_MONOTONIC), allowed in bench/ only.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

enum { ARRIVE, DEPART };
enum { HEAP_MAX = 8, RING = 1 << 16 }; /* a queue of 65,536 at rho 0.9: never */

struct ev {
    double t;
    int kind;
};

struct heap {
    struct ev e[HEAP_MAX];
    int n;
};

static void push(struct heap *h, double t, int kind)
{
    int i = h->n++;
    while (i > 0 && h->e[(i - 1) / 2].t > t) {
        h->e[i] = h->e[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->e[i] = (struct ev){t, kind};
}

static struct ev pop(struct heap *h)
{
    struct ev top = h->e[0], last = h->e[--h->n];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && h->e[c + 1].t < h->e[c].t) c++;
        if (h->e[c].t >= last.t) break;
        h->e[i] = h->e[c];
        i = c;
    }
    h->e[i] = last;
    return top;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
    const double lambda = 900, service_mean = 1e-3, horizon = 1200;
    gsl_rng *ra = gsl_rng_alloc(gsl_rng_taus2), *rs = gsl_rng_alloc(gsl_rng_taus2);
    double *ring = malloc(RING * sizeof *ring);
    if (!ra || !rs || !ring) return 1;
    gsl_rng_set(ra, 1);
    gsl_rng_set(rs, 2);

    double t0 = now_s();
    struct heap h = {.n = 0};
    uint32_t head = 0, tail = 0; /* ring[head..tail): customers in the system */
    uint64_t customers = 0;
    double sojourn = 0;
    push(&h, gsl_ran_exponential(ra, 1 / lambda), ARRIVE);
    while (h.n > 0) {
        struct ev e = pop(&h);
        if (e.kind == ARRIVE) {
            if (e.t >= horizon) continue; /* arrivals stop; the system drains */
            if (tail - head == RING) return 1;
            ring[tail++ % RING] = e.t;
            if (tail - head == 1) push(&h, e.t + gsl_ran_exponential(rs, service_mean), DEPART);
            push(&h, e.t + gsl_ran_exponential(ra, 1 / lambda), ARRIVE);
        } else {
            sojourn += e.t - ring[head++ % RING];
            customers++;
            if (tail != head) push(&h, e.t + gsl_ran_exponential(rs, service_mean), DEPART);
        }
    }
    double wall = now_s() - t0;

    printf("plain M/M/1 (binary heap, GSL taus2): %.2f M model events/s "
           "(%llu customers in %.3f s; mean time in system %.2f ms, theory 10)\n",
           2.0 * (double)customers / wall / 1e6, (unsigned long long)customers, wall,
           sojourn / (double)customers * 1e3);
    free(ring);
    gsl_rng_free(ra);
    gsl_rng_free(rs);
    return 0;
}
