/* sim_list.h - intrusive circular doubly-linked list (header only).
 *
 * Wait queues (accept queues, pool waiters, bulkhead waiters) link their
 * records through an embedded struct sim_list, so enqueue, dequeue from either
 * end (fifo or lifo) and removal from the middle (a waiter that timed out) are
 * O(1) with no allocation. A list head is a sentinel node; an unlinked node
 * points to itself, so removing twice is harmless.
 */
#ifndef SIM_LIST_H
#define SIM_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct sim_list {
    struct sim_list *prev, *next;
};

#define SIM_LIST_ENTRY(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

static inline void sim_list_init(struct sim_list *l)
{
    l->prev = l->next = l;
}
static inline bool sim_list_is_empty(const struct sim_list *l)
{
    return l->next == l;
}
static inline bool sim_list_is_linked(const struct sim_list *n)
{
    return n->next != n;
}

static inline void sim_list_insert_after(struct sim_list *pos, struct sim_list *n)
{
    n->prev = pos;
    n->next = pos->next;
    pos->next->prev = n;
    pos->next = n;
}
static inline void sim_list_push_back(struct sim_list *head, struct sim_list *n)
{
    sim_list_insert_after(head->prev, n);
}
static inline void sim_list_push_front(struct sim_list *head, struct sim_list *n)
{
    sim_list_insert_after(head, n);
}
static inline void sim_list_remove(struct sim_list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = n;
}
/* NULL when empty. */
static inline struct sim_list *sim_list_pop_front(struct sim_list *head)
{
    struct sim_list *n = head->next;
    if (n == head) return NULL;
    sim_list_remove(n);
    return n;
}
static inline struct sim_list *sim_list_pop_back(struct sim_list *head)
{
    struct sim_list *n = head->prev;
    if (n == head) return NULL;
    sim_list_remove(n);
    return n;
}

#endif
