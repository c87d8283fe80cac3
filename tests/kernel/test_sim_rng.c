/* test_sim_rng.c - named streams: seeding contract and independence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "sim/kernel/sim.h"
#include "sim/kernel/sim_rng.h"

#define DRAWS 16

/* The formula of sim_rng.h, written again from the header's text. */
static uint64_t splitmix_finalizer(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void draws(gsl_rng *r, unsigned long *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = gsl_rng_get(r);
}

static void test_seed_matches_the_header_formula(void **state)
{
    (void)state;
    /* Published test vectors pin the two halves: FNV-1a 64 of "a" is
     * 0xaf63dc4c8601ec8c, and splitmix64's first output from state 0 is
     * mix(0x9e3779b97f4a7c15) = 0xe220a8397b1dcdaf; mix(0) = 0. */
    assert_true(splitmix_finalizer(0x9e3779b97f4a7c15ULL) == 0xe220a8397b1dcdafULL);
    uint64_t expected = splitmix_finalizer(0xaf63dc4c8601ec8cULL ^ 0 ^ 0xe220a8397b1dcdafULL);
    assert_true(sim_rng_seed(0, 0, "a") == expected);

    /* The empty name hashes to the FNV offset basis. */
    expected = splitmix_finalizer(0xcbf29ce484222325ULL ^ splitmix_finalizer(7) ^
                                  splitmix_finalizer(3 + 0x9e3779b97f4a7c15ULL));
    assert_true(sim_rng_seed(7, 3, "") == expected);

    /* A longer name, hashed byte by byte here. */
    const char *name = "load/orders/arrivals";
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    expected = splitmix_finalizer(h ^ splitmix_finalizer(20220214) ^
                                  splitmix_finalizer(5 + 0x9e3779b97f4a7c15ULL));
    assert_true(sim_rng_seed(20220214, 5, name) == expected);
}

static void test_seed_differs_by_master_replication_and_name(void **state)
{
    (void)state;
    uint64_t base = sim_rng_seed(1, 0, "service/payment/charge/work");
    assert_true(sim_rng_seed(2, 0, "service/payment/charge/work") != base);
    assert_true(sim_rng_seed(1, 1, "service/payment/charge/work") != base);
    assert_true(sim_rng_seed(1, 0, "service/payment/charge/wark") != base);
}

static void test_same_seed_replication_and_name_give_the_same_sequence(void **state)
{
    (void)state;
    unsigned long a[DRAWS], b[DRAWS];
    struct sim *s1 = sim_create(42, 3), *s2 = sim_create(42, 3);
    draws(sim_rng_stream(s1, "load/orders/arrivals"), a, DRAWS);
    draws(sim_rng_stream(s2, "load/orders/arrivals"), b, DRAWS);
    assert_memory_equal(a, b, sizeof a);
    sim_destroy(s1);
    sim_destroy(s2);
}

static void test_different_names_replications_and_seeds_give_different_sequences(void **state)
{
    (void)state;
    unsigned long ref[DRAWS], other[DRAWS];
    struct sim *s = sim_create(42, 0);
    draws(sim_rng_stream(s, "x"), ref, DRAWS);
    draws(sim_rng_stream(s, "y"), other, DRAWS);
    assert_memory_not_equal(ref, other, sizeof ref);
    sim_destroy(s);

    s = sim_create(42, 1);
    draws(sim_rng_stream(s, "x"), other, DRAWS);
    assert_memory_not_equal(ref, other, sizeof ref);
    sim_destroy(s);

    s = sim_create(43, 0);
    draws(sim_rng_stream(s, "x"), other, DRAWS);
    assert_memory_not_equal(ref, other, sizeof ref);
    sim_destroy(s);
}

static void test_asking_twice_for_a_name_returns_the_same_stream(void **state)
{
    (void)state;
    struct sim *s = sim_create(1, 0);
    gsl_rng *a = sim_rng_stream(s, "service/a/work");
    /* Enough other streams to make the table grow and move. */
    char name[32];
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "stream/%d", i);
        sim_rng_stream(s, name);
    }
    assert_ptr_equal(sim_rng_stream(s, "service/a/work"), a);
    assert_int_equal(s->rngs.n, 101);
    sim_destroy(s);
}

static void test_a_new_stream_between_draws_does_not_change_another_streams_draws(void **state)
{
    (void)state;
    unsigned long alone[DRAWS], mixed[DRAWS], reordered[DRAWS];

    struct sim *s = sim_create(9, 2);
    draws(sim_rng_stream(s, "x"), alone, DRAWS);
    sim_destroy(s);

    /* Same stream, with another stream created and drawn from half-way. */
    s = sim_create(9, 2);
    gsl_rng *x = sim_rng_stream(s, "x");
    draws(x, mixed, DRAWS / 2);
    unsigned long junk[DRAWS];
    draws(sim_rng_stream(s, "new/element"), junk, DRAWS);
    draws(x, mixed + DRAWS / 2, DRAWS / 2);
    assert_memory_equal(alone, mixed, sizeof alone);
    sim_destroy(s);

    /* And created after others rather than first. */
    s = sim_create(9, 2);
    draws(sim_rng_stream(s, "a"), junk, DRAWS);
    draws(sim_rng_stream(s, "b"), junk, DRAWS);
    draws(sim_rng_stream(s, "x"), reordered, DRAWS);
    assert_memory_equal(alone, reordered, sizeof alone);
    sim_destroy(s);
}

static void test_stream_is_seeded_with_sim_rng_seed(void **state)
{
    (void)state;
    struct sim *s = sim_create(123, 4);
    gsl_rng *r = sim_rng_stream(s, "load/x/arrivals");
    /* The generator is part of the output contract (goldens depend on it). */
    assert_string_equal(gsl_rng_name(r), "taus2");
    gsl_rng *ref = gsl_rng_alloc(r->type);
    gsl_rng_set(ref, (unsigned long)sim_rng_seed(123, 4, "load/x/arrivals"));
    for (int i = 0; i < DRAWS; i++)
        assert_true(gsl_rng_get(r) == gsl_rng_get(ref));
    gsl_rng_free(ref);
    sim_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_matches_the_header_formula),
        cmocka_unit_test(test_seed_differs_by_master_replication_and_name),
        cmocka_unit_test(test_same_seed_replication_and_name_give_the_same_sequence),
        cmocka_unit_test(test_different_names_replications_and_seeds_give_different_sequences),
        cmocka_unit_test(test_asking_twice_for_a_name_returns_the_same_stream),
        cmocka_unit_test(test_a_new_stream_between_draws_does_not_change_another_streams_draws),
        cmocka_unit_test(test_stream_is_seeded_with_sim_rng_seed),
    };
    return cmocka_run_group_tests_name("sim_rng", tests, NULL, NULL);
}
