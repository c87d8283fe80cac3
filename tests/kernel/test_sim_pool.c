/* test_sim_pool.c - kernel memory helpers: the object pool, the intrusive
 * list and the x-allocation wrappers. */
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/kernel/sim_list.h"
#include "sim/kernel/sim_mem.h"
#include "sim/kernel/sim_pool.h"

/* ---- pool ----------------------------------------------------------------- */

struct rec {
    int id;
    double payload[3];
};

static void test_pool_put_then_get_reuses_the_same_object(void **state)
{
    (void)state;
    struct sim_pool p;
    sim_pool_init(&p, sizeof(struct rec));
    struct rec *a = sim_pool_get(&p);
    struct rec *b = sim_pool_get(&p);
    assert_ptr_not_equal(a, b);
    sim_pool_put(&p, a);
    assert_ptr_equal(sim_pool_get(&p), a); /* LIFO: the cache-warm one first */
    sim_pool_put(&p, b);
    sim_pool_put(&p, a);
    assert_ptr_equal(sim_pool_get(&p), a);
    assert_ptr_equal(sim_pool_get(&p), b);
    sim_pool_fini(&p);
}

static void test_pool_counts_live_objects_and_remembers_the_peak(void **state)
{
    (void)state;
    struct sim_pool p;
    sim_pool_init(&p, sizeof(struct rec));
    void *objs[100];
    for (int i = 0; i < 100; i++)
        objs[i] = sim_pool_get(&p);
    assert_int_equal(p.live, 100);
    assert_int_equal(p.peak, 100);
    for (int i = 0; i < 60; i++)
        sim_pool_put(&p, objs[i]);
    assert_int_equal(p.live, 40);
    assert_int_equal(p.peak, 100);
    for (int i = 0; i < 30; i++)
        objs[i] = sim_pool_get(&p);
    assert_int_equal(p.live, 70);
    assert_int_equal(p.peak, 100);
    sim_pool_fini(&p);
}

static void test_pool_memory_tracks_the_peak_not_the_number_of_gets(void **state)
{
    (void)state;
    struct sim_pool p;
    sim_pool_init(&p, sizeof(struct rec));
    void *objs[500];
    for (int round = 0; round < 1000; round++) {
        for (int i = 0; i < 500; i++)
            objs[i] = sim_pool_get(&p);
        for (int i = 0; i < 500; i++)
            sim_pool_put(&p, objs[i]);
    }
    assert_int_equal(p.peak, 500);
    assert_int_equal(p.live, 0);
    /* Chunks double from 32: 32+64+128+256 < 500 <= 32+...+512. */
    assert_int_equal(p.nchunks, 5);
    sim_pool_fini(&p);
}

static void test_pool_objects_are_distinct_aligned_and_writable(void **state)
{
    (void)state;
    struct sim_pool p;
    sim_pool_init(&p, 1); /* smaller than the free-list link */
    assert_true(p.size >= sizeof(struct sim_pool_free));
    assert_int_equal(p.size % alignof(max_align_t), 0);
    enum { N = 5000 };
    unsigned char **objs = malloc(N * sizeof *objs);
    for (int i = 0; i < N; i++) {
        objs[i] = sim_pool_get(&p);
        assert_int_equal((uintptr_t)objs[i] % alignof(max_align_t), 0);
        memset(objs[i], (unsigned char)i, p.size);
    }
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < p.size; k++)
            assert_int_equal(objs[i][k], (unsigned char)i);
    free(objs);
    sim_pool_fini(&p); /* frees objects still handed out (ASan checks) */
}

static void test_pool_of_large_objects_grows_in_bounded_chunks(void **state)
{
    (void)state;
    struct sim_pool p;
    sim_pool_init(&p, (size_t)1 << 20);
    void *a = sim_pool_get(&p), *b = sim_pool_get(&p);
    memset(a, 1, (size_t)1 << 20);
    memset(b, 2, (size_t)1 << 20);
    assert_int_equal(p.live, 2);
    sim_pool_fini(&p);
}

/* Models rely on it (a call's generation starts at 0 in a new record). */
static void test_pool_objects_fresh_from_a_chunk_are_zero(void **state)
{
    (void)state;
    struct sim_pool p;
    sim_pool_init(&p, 200);
    enum { N = 3000 }; /* several chunks */
    for (int i = 0; i < N; i++) {
        unsigned char *o = sim_pool_get(&p);
        for (size_t k = 0; k < p.size; k++)
            assert_int_equal(o[k], 0);
        memset(o, 0xa5, p.size); /* dirty it, as a model would */
    }
    assert_true(p.nchunks > 3);
    sim_pool_fini(&p);
}

static void test_pool_fini_then_init_starts_empty(void **state)
{
    (void)state;
    struct sim_pool p;
    sim_pool_init(&p, 24);
    sim_pool_get(&p);
    sim_pool_fini(&p);
    sim_pool_init(&p, 24);
    assert_int_equal(p.live, 0);
    assert_int_equal(p.peak, 0);
    assert_non_null(sim_pool_get(&p));
    sim_pool_fini(&p);
}

/* ---- intrusive list ------------------------------------------------------- */

struct waiter {
    int id;
    struct sim_list link;
};

static int pop_front_id(struct sim_list *head)
{
    struct sim_list *n = sim_list_pop_front(head);
    return n ? SIM_LIST_ENTRY(n, struct waiter, link)->id : -1;
}

static int pop_back_id(struct sim_list *head)
{
    struct sim_list *n = sim_list_pop_back(head);
    return n ? SIM_LIST_ENTRY(n, struct waiter, link)->id : -1;
}

static void test_list_push_back_pop_front_is_fifo(void **state)
{
    (void)state;
    struct sim_list q;
    sim_list_init(&q);
    assert_true(sim_list_is_empty(&q));
    struct waiter w[4];
    for (int i = 0; i < 4; i++) {
        w[i].id = i;
        sim_list_init(&w[i].link);
        sim_list_push_back(&q, &w[i].link);
    }
    assert_false(sim_list_is_empty(&q));
    for (int i = 0; i < 4; i++)
        assert_int_equal(pop_front_id(&q), i);
    assert_true(sim_list_is_empty(&q));
    assert_null(sim_list_pop_front(&q));
    assert_null(sim_list_pop_back(&q));
}

static void test_list_push_front_pop_front_is_lifo(void **state)
{
    (void)state;
    struct sim_list q;
    sim_list_init(&q);
    struct waiter w[3];
    for (int i = 0; i < 3; i++) {
        w[i].id = i;
        sim_list_push_front(&q, &w[i].link);
    }
    assert_int_equal(pop_front_id(&q), 2);
    assert_int_equal(pop_front_id(&q), 1);
    assert_int_equal(pop_front_id(&q), 0);
}

static void test_list_pop_back_takes_the_newest_of_push_back(void **state)
{
    (void)state;
    struct sim_list q;
    sim_list_init(&q);
    struct waiter w[3];
    for (int i = 0; i < 3; i++) {
        w[i].id = i;
        sim_list_push_back(&q, &w[i].link);
    }
    assert_int_equal(pop_back_id(&q), 2);
    assert_int_equal(pop_front_id(&q), 0);
    assert_int_equal(pop_back_id(&q), 1);
    assert_true(sim_list_is_empty(&q));
}

static void test_list_remove_from_middle_keeps_the_rest_in_order(void **state)
{
    (void)state;
    struct sim_list q;
    sim_list_init(&q);
    struct waiter w[5];
    for (int i = 0; i < 5; i++) {
        w[i].id = i;
        sim_list_push_back(&q, &w[i].link);
    }
    sim_list_remove(&w[2].link);
    assert_false(sim_list_is_linked(&w[2].link));
    sim_list_remove(&w[0].link); /* the head end */
    sim_list_remove(&w[4].link); /* the tail end */
    assert_int_equal(pop_front_id(&q), 1);
    assert_int_equal(pop_front_id(&q), 3);
    assert_true(sim_list_is_empty(&q));
}

static void test_list_removing_twice_is_harmless(void **state)
{
    (void)state;
    struct sim_list q;
    sim_list_init(&q);
    struct waiter a = {1, {0}}, b = {2, {0}};
    sim_list_push_back(&q, &a.link);
    sim_list_push_back(&q, &b.link);
    assert_true(sim_list_is_linked(&a.link));
    sim_list_remove(&a.link);
    sim_list_remove(&a.link); /* a timed-out waiter removed again */
    assert_int_equal(pop_front_id(&q), 2);
    assert_true(sim_list_is_empty(&q));
    /* A popped node is unlinked too. */
    assert_false(sim_list_is_linked(&b.link));
    sim_list_remove(&b.link);
    assert_true(sim_list_is_empty(&q));
}

static void test_list_entry_recovers_the_containing_record(void **state)
{
    (void)state;
    struct waiter w = {42, {0}};
    assert_ptr_equal(SIM_LIST_ENTRY(&w.link, struct waiter, link), &w);
}

/* ---- x-wrappers ------------------------------------------------------------ */

static void test_xmalloc_of_zero_returns_a_freeable_pointer(void **state)
{
    (void)state;
    void *p = sim_xmalloc(0);
    assert_non_null(p);
    free(p);
    p = sim_xcalloc(0, 8);
    assert_non_null(p);
    free(p);
    p = sim_xrealloc(NULL, 0);
    assert_non_null(p);
    free(p);
}

static void test_xcalloc_zeroes_and_xrealloc_keeps_contents(void **state)
{
    (void)state;
    int *a = sim_xcalloc(100, sizeof *a);
    for (int i = 0; i < 100; i++)
        assert_int_equal(a[i], 0);
    for (int i = 0; i < 100; i++)
        a[i] = i;
    a = sim_xrealloc(a, 1000 * sizeof *a);
    for (int i = 0; i < 100; i++)
        assert_int_equal(a[i], i);
    free(a);
}

static void test_xgrow_doubles_and_reaches_what_is_needed(void **state)
{
    (void)state;
    size_t cap = 0;
    int *a = sim_xgrow(NULL, &cap, 1, sizeof *a);
    assert_true(cap >= 1);
    size_t first = cap;
    a[0] = 7;
    a = sim_xgrow(a, &cap, first, sizeof *a); /* already enough: unchanged */
    assert_int_equal(cap, first);
    a = sim_xgrow(a, &cap, first + 1, sizeof *a);
    assert_int_equal(cap, 2 * first);
    a = sim_xgrow(a, &cap, 10 * cap, sizeof *a); /* a jump past double */
    assert_true(cap >= 20 * first);
    assert_int_equal(a[0], 7);
    a[cap - 1] = 1;
    free(a);
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

static void test_xmap_gives_zeroed_page_aligned_writable_blocks(void **state)
{
    (void)state;
    /* under a page, a few pages, and past the huge-page size (2 MB), odd sizes */
    const size_t sizes[] = {1, 5000, ((size_t)3 << 20) + 123};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        unsigned char *b = sim_xmap(sizes[k]);
        assert_int_equal((uintptr_t)b % 4096, 0);
        if (sizes[k] >= ((size_t)2 << 20)) /* huge-page sized: on a huge page's boundary */
            assert_int_equal((uintptr_t)b % ((size_t)2 << 20), 0);
        assert_true(all_zero(b, sizes[k]));
        memset(b, 0x5a, sizes[k]); /* every byte is writable */
        assert_int_equal(b[sizes[k] - 1], 0x5a);
        sim_xunmap(b, sizes[k]);
    }
    sim_xunmap(NULL, 10); /* like free(NULL) */
}

static void test_xremap_keeps_the_bytes_that_fit_and_zeroes_the_rest(void **state)
{
    (void)state;
    size_t small = 100, big = (size_t)5 << 20;
    unsigned char *b = sim_xremap(NULL, 0, small);
    assert_true(all_zero(b, small));
    for (size_t i = 0; i < small; i++)
        b[i] = (unsigned char)(i + 1);
    b = sim_xremap(b, small, big); /* grows */
    for (size_t i = 0; i < small; i++)
        assert_int_equal(b[i], (unsigned char)(i + 1));
    assert_true(all_zero(b + small, big - small));
    b[big - 1] = 7;
    b = sim_xremap(b, big, 50); /* shrinks */
    for (size_t i = 0; i < 50; i++)
        assert_int_equal(b[i], (unsigned char)(i + 1));
    sim_xunmap(b, 50);
}

static void test_xstrdup_copies(void **state)
{
    (void)state;
    const char *s = "service/payment";
    char *d = sim_xstrdup(s);
    assert_ptr_not_equal(d, s);
    assert_string_equal(d, s);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_put_then_get_reuses_the_same_object),
        cmocka_unit_test(test_pool_counts_live_objects_and_remembers_the_peak),
        cmocka_unit_test(test_pool_memory_tracks_the_peak_not_the_number_of_gets),
        cmocka_unit_test(test_pool_objects_are_distinct_aligned_and_writable),
        cmocka_unit_test(test_pool_of_large_objects_grows_in_bounded_chunks),
        cmocka_unit_test(test_pool_objects_fresh_from_a_chunk_are_zero),
        cmocka_unit_test(test_pool_fini_then_init_starts_empty),
        cmocka_unit_test(test_list_push_back_pop_front_is_fifo),
        cmocka_unit_test(test_list_push_front_pop_front_is_lifo),
        cmocka_unit_test(test_list_pop_back_takes_the_newest_of_push_back),
        cmocka_unit_test(test_list_remove_from_middle_keeps_the_rest_in_order),
        cmocka_unit_test(test_list_removing_twice_is_harmless),
        cmocka_unit_test(test_list_entry_recovers_the_containing_record),
        cmocka_unit_test(test_xmalloc_of_zero_returns_a_freeable_pointer),
        cmocka_unit_test(test_xcalloc_zeroes_and_xrealloc_keeps_contents),
        cmocka_unit_test(test_xgrow_doubles_and_reaches_what_is_needed),
        cmocka_unit_test(test_xmap_gives_zeroed_page_aligned_writable_blocks),
        cmocka_unit_test(test_xremap_keeps_the_bytes_that_fit_and_zeroes_the_rest),
        cmocka_unit_test(test_xstrdup_copies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
