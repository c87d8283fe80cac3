/* sim_event.c - the future-event list: an indexed 4-ary min-heap.
 *
 * Layout. Three arrays, all grown by doubling and never shrunk (the far
 * store and the run, below, have arrays of their own):
 *   heap[]  16-byte entries {at, key}, key = phase << 63 | seq << 32 | slot.
 *           Ordering compares (at, key) only; the slot in the low bits never
 *           decides because seq is unique among pending events.
 *   slots[] the event records {fn, subject, object, gen}, reused through a
 *           LIFO free list, so the record a pop frees is the one the callback's
 *           next schedule takes (still in cache).
 *   pos[]   pos[slot] = the slot's heap index while pending (what makes cancel
 *           an indexed delete with no scan), or its place in the far store or
 *           the run (FAR_BIT, RUN_BIT), or the next free slot while free.
 * Every heap move writes pos[] for the moved entry; keeping pos out of slots[]
 * makes those writes land in a 4-byte-per-event array instead of dirtying a
 * 32-byte record per level. slots[], pos[] and the lanes' rings (below) are
 * mapped blocks (sim_xmap: huge pages once large, faulted in as used).
 *
 * Handles are (gen << 32 | slot). gen starts at 1 and is bumped whenever the
 * slot is released (run or cancelled), skipping 0, so an id is never 0 and a
 * stale id stops matching; cancel and is_pending also check that the entry
 * at pos[slot] (in the heap, a far bucket or the run) points back at the
 * slot, so even a forged id cannot corrupt the list. A generation wraps after 2^32 reuses of one
 * slot: a stale id kept that long could alias, which no model does.
 *
 * Why a 4-ary heap of 16-byte entries, branch-free child selection and
 * prefetching: measured with bench/bench_kernel.c (hold model, pop plus one
 * reschedule at now + Exp(1 ms); Xeon 2-core VM, gcc 12 -O2, ns/event at
 * K = 10 / 1e3 / 1e5 / 1e6 pending; single runs on a shared VM, so gaps
 * under ~15% are noise):
 *   4-ary, 24-byte {at, key, slot}, pos in slot, branchy    35 /  93 / 192 / 290
 *     same, Floyd's bottom-up pop (hole to a leaf first)   38 / 101 / 200 / 316
 *     same, branch-free choice of the least child          33 /  64 / 153 / 377
 *     branch-free, plus separate pos[] and prefetch        -- /  -- / 131 / 243
 *   4-ary, 16-byte {at, key}, branch-free, separate pos[]  30 /  57 / 127 / 264
 *     same, pos kept in the slot record                    34 /  60 / 140 / 358
 *     same, plus grandchild prefetch                       31 /  58 / 110 / 235
 *     plus prefetch of the next root's record  (kept)      33 /  60 / 109 / 200
 *   binary heap, 16-byte, all of the above                 39 /  74 / 161 / 360
 *   8-ary, 16-byte, all of the above                       45 / 135 / 232 / 345
 * The children's comparisons are coin flips, so branches mispredict about
 * once per level; selecting the minimum with arithmetic removes that (K=1e3:
 * 93 -> 64 ns) but makes each level's loads wait on the previous level's
 * compares, which loses at 1e6 (290 -> 377 ns) until the four possible next
 * child groups (16 entries = 4 cache lines, one per group thanks to the
 * alignment below) are prefetched while this level is compared.
 *
 * The price of 16-byte entries is a 31-bit sequence number. When it runs out
 * (every 2^31 schedules, minutes of wall time) renumber() gives the pending
 * events, in the heap, the lanes, the far buckets and the sorted run, the
 * sequence numbers 0..n-1 in their order; no entry moves and the order
 * events run in is unchanged. That costs
 * O(n log n) once per 2^31 - n schedules: measured 0.3 s at a million
 * pending, against the 200+ s those schedules take, so about 0.15%.
 *
 * The running event's entry stays at the root while its callback runs (the
 * "hole"): the first event the callback schedules replaces it with one
 * sift-down, instead of a sift-down to remove it and a sift-up to insert
 * the new one, the classic hold-model saving; if the callback schedules
 * nothing, the entry is removed when it returns. The hole is the least
 * entry (its time is now, everything pending is at now or later), so the
 * heap stays valid around it and cancels made meanwhile never reach it.
 *
 * Lanes (see sim_event.h) are rings of 24-byte entries {at, subject,
 * sequence number, object in 32 bits} in time order, with one callback per
 * lane, so a lane event needs no slot record: its id is LANE_ID | lane << 48
 * | its ring position. Scheduling one writes one ring entry; cancelling one
 * sets a bit in the lane's dead bitmap and never reads the entry, which was
 * written a whole timeout ago and has left the cache. A lane with events has
 * one heap entry, its marker, carrying the (time, key) of its first event
 * and a slot of its own that never runs. Dead entries at a ring's front are
 * dropped at once, so its first entry is always live; a marker left pointing
 * at a dropped entry is found stale when it reaches the root and moved on to
 * the next live entry (later in the order, so a sift-down from the root)
 * without running anything.
 *
 * The far store. With many events pending the heap is deep, and each pop
 * walks its whole depth through lines that are not in the L1 cache (1e5
 * requests in flight: sift_down was 22% of the time). So past FAR_ON heap
 * entries the list turns into a calendar in front of a small heap: events
 * due at or after `edge` go, unordered, into buckets of 2^shift ns (a ring of
 * FAR_BUCKETS, with a bitmap of the nonempty ones), unordered until they
 * come due. The heap's root runs only while it is due before the edge;
 * otherwise the first nonempty bucket is taken (far_take) and the edge moves
 * past it. Every far event is at or after the edge, so what runs is always
 * the least pending event, and the (time, phase, sequence) order is exactly
 * the heap's: the store changes nothing but speed. An event outside the
 * ring (too far ahead) and every lane marker simply stay in the heap.
 *   The bucket coming due is not heaped but sorted, into the run (run_fill:
 * a counting sort on the top bits of the time, then an insertion sort that
 * moves entries only within their group), and runs from there in order: a
 * pop from a heap of a bucket's size walked ~4 levels (sift_down was 15% of
 * the instructions at 1e5 in flight), a pop from the run is an increment.
 * The next event is then the earlier of the heap's root and the run's first
 * entry; `edge` becomes that entry's time, so the run loop's first
 * comparison still picks the root whenever it is due before the run, and
 * only an empty run sends it to far_service. Knowing the next events in
 * order, the run fetches their slot records 16 events ahead and their
 * subjects and objects 4 ahead (1e5 in flight: 239 -> 195 ns per event for
 * the run, 206 -> 183 for the subject prefetch; medians of 5). A cancel
 * marks a run entry dead in place. A bucket that would sort slowly (over
 * 2^16 events, or bunched at a few instants) goes to the heap instead.
 *   The width aims at FAR_TARGET events per bucket: first from the heap's
 * spread when the store turns on (density ~ n / mean distance), then
 * corrected when buckets come out over 4x fuller or, on average over 64, 8x
 * emptier than that, by re-bucketing everything (far_rebucket, O(n), at most
 * once per n/4 events taken). pos[] locates a far event in its bucket, so a
 * cancel takes it out at once (timers cancelled long before they are due
 * would otherwise pile up: Valentine's peak RSS doubled). A bucket's array
 * is freed when it is taken or emptied, so the store holds memory for what
 * it holds, not for every bucket's peak. Under FAR_ON / 4 pending the store
 * empties into the heap and turns off. M/M/1 never turns it on.
 *
 * Pending events are capped at 2^30 (16 GiB of heap), which keeps child
 * indices and slot numbers in 32 bits.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_mem.h"

#define ARITY         4
#define PHASE_BIT     ((uint64_t)1 << 63)
#define SEQ_LIMIT     ((uint64_t)1 << 31)
#define MAX_PENDING   ((uint32_t)1 << 30)
#define NO_SLOT       UINT32_MAX
#define GEN_MASK      ((uint32_t)INT32_MAX) /* slot ids keep bit 63 clear */
#define LANE_ID       ((uint64_t)1 << 63)
#define LANE_POS_BITS 48
#define LANE_POS_MASK (((uint64_t)1 << LANE_POS_BITS) - 1)
#define MAX_LANES     ((uint32_t)1 << 15)
#define LANE_SLACK    64 /* ring entries a lane may hold whatever its live count */
/* Slack past the last entry so the prefetch of a full child block never
 * forms a pointer outside the allocation. */
#define HEAP_SLACK (ARITY * ARITY)
#define LINE       64
/* Below this many entries everything is in cache and the prefetch of the
 * next event's subject in run_top only costs instructions (measured: -9%
 * time per event at 1e5 in flight, +2% instructions on M/M/1). */
#define PREFETCH_FROM 256
/* The far store (see the notes at the top). */
#define FAR_BUCKETS 4096 /* a power of two */
#define FAR_WORDS   (FAR_BUCKETS / 64)
#define FAR_ON      4096 /* heap entries that turn it on; under a quarter of that, off */
#define FAR_TARGET  512  /* entries per bucket it aims at */
/* pos[] of a slot whose event is in the far store: FAR_BIT | bucket << 19 |
 * index in the bucket (heap indices are < 2^30, so the bit tells them apart).
 * A bucket refuses entries past FAR_IDX_MAX (they go to the heap). */
#define FAR_BIT      ((uint32_t)1 << 31)
#define FAR_IDX_BITS 19
#define FAR_IDX_MAX  (((uint32_t)1 << FAR_IDX_BITS) - 1)
_Static_assert((1u * FAR_BUCKETS) << FAR_IDX_BITS == 1u << 31, "pos[] packs bucket and index");
/* pos[] of a slot whose event is in the run: RUN_BIT | index (no FAR_BIT).
 * A far position can have bit 30 set too (buckets from 2048 up), so FAR_BIT
 * is always tested first (pending_slot, sim_event_cancel). */
#define RUN_BIT ((uint32_t)1 << 30)
/* A run entry cancelled in place; its key still names its old slot. */
#define DEAD_AT ((sim_time)-1)
/* The run's sort (run_fill) spreads a bucket over 2^lg groups, lg <= RUN_LG_MAX,
 * and gives up on a bucket whose group holds over RUN_GROUP_MAX entries
 * (events bunched at a few instants), which goes to the heap instead: the
 * insertion sort stays linear. */
#define RUN_LG_MAX    16
#define RUN_GROUP_MAX 64
/* Prefetch distances along the run: slot records RUN_AHEAD events ahead,
 * their subjects and objects RUN_NEAR ahead (the record has arrived by then). */
#define RUN_AHEAD 16
#define RUN_NEAR  4
#define SHIFT_MIN 4 /* bucket widths from 16 ns */
#define SHIFT_MAX 56
_Static_assert(ARITY == 4, "sift_down picks the least child by a 4-way tournament");

struct heap_ent {
    sim_time at;
    uint64_t key; /* phase << 63 | seq << 32 | slot */
};

struct ev_slot {
    sim_event_fn *fn;
    void *subject;
    void *object;
    uint32_t gen;  /* bumped on release, never 0, < 2^31 */
    uint32_t lane; /* a lane's marker: that lane; else 0 */
};

/* 24 bytes: a ring holds a timeout's worth of entries, most of them
 * cancelled (a 30 s timeout at 10,000 calls/s: 300,000), so its size is a
 * large share of a run's memory. */
struct lane_ent {
    sim_time at;
    void *subject;
    uint32_t seq;    /* its key is seq << 32 (normal phase, no slot) */
    uint32_t object; /* the object, which a lane stores in 32 bits */
};
_Static_assert(sizeof(struct lane_ent) == 24, "lane entries are 24 bytes");

static inline uint64_t lane_key(const struct lane_ent *e)
{
    return (uint64_t)e->seq << 32;
}

struct lane {
    struct lane_ent *ring; /* positions head .. tail - 1, at ring[pos & mask] */
    uint64_t *dead;        /* bit (pos & mask): cancelled (see lane_dead) */
    uint64_t head, tail;   /* positions only grow: they are the events' ids */
    uint64_t mask;
    sim_event_fn *fn; /* the callback of every event in the lane */
    uint64_t live;    /* entries not cancelled */
    uint32_t marker;  /* the marker's slot */
    bool marked;      /* the marker is in the heap (stale once a cancel empties the lane) */
    sim_time last;    /* time of the lane's latest event */
};

/* The size its ring was mapped with (sim_xunmap needs it). */
static inline size_t ring_bytes(const struct lane *l)
{
    return l->ring ? (size_t)(l->mask + 1) * sizeof *l->ring : 0;
}

struct far_bucket {
    struct heap_ent *e; /* unordered */
    uint32_t n, cap;
};

struct far {
    struct far_bucket *b;     /* FAR_BUCKETS of them, b[k & (FAR_BUCKETS - 1)] */
    uint64_t full[FAR_WORDS]; /* bit k: bucket k holds entries */
    uint64_t cur;             /* the first bucket's number, at >> shift */
    uint64_t n;               /* entries held */
    int shift;                /* bucket width 2^shift ns */
    bool on;
    /* Tuning: buckets taken and the events they held (since the last 64),
     * events taken since the last re-bucketing. */
    uint64_t taken, moved, since;
    uint32_t on_at, target; /* FAR_ON and FAR_TARGET unless a test set them */
};

/* The bucket taken last, sorted: entries i .. n - 1 are still to run, in
 * order, except cancelled ones (at == DEAD_AT); e[i] is always live. */
struct run {
    struct heap_ent *e;
    uint32_t i, n, cap;
    uint32_t live;
    uint32_t *count; /* run_fill's scratch: group counts */
    uint32_t count_cap;
};

struct sim_evq {
    struct heap_ent *heap; /* inside heap_block, offset for alignment */
    uint32_t n, cap;
    bool hole; /* heap[0] is the running event's entry (see the notes) */
    uint32_t nslots, slots_cap;
    uint32_t free_slot; /* head of the free list threaded through pos[] */
    uint64_t seq;       /* next sequence number, < SEQ_LIMIT */
    struct ev_slot *slots;
    uint32_t *pos;
    void *heap_block; /* what heap_grow allocated */
    struct lane *lanes;
    uint32_t nlanes;
    /* The heap's root is the next event only while its time is before
     * `edge`: the run's first entry's time, else the far store's first
     * bucket's start, SIM_TIME_MAX when both are empty, 0 to have the run
     * loop turn the store on (see far_service). */
    sim_time edge;
    struct far far;
    struct run run;
    sim_event_fn *hint_fn; /* see sim_event_set_hint */
    sim_event_hint_fn *hint;
};

static inline uint32_t ent_slot(const struct heap_ent *e)
{
    return (uint32_t)e->key;
}

/* (a.at, a.key) < (b.at, b.key) without branches: borrow the key comparison
 * out of `at`. Times are >= 0 (nothing is scheduled before now >= 0), so
 * a.at - 1 cannot overflow. */
static inline int ent_less(const struct heap_ent *a, const struct heap_ent *b)
{
    return a->at - (a->key < b->key) < b->at;
}

struct sim_evq *sim_event__create(void)
{
    struct sim_evq *q = sim_xcalloc(1, sizeof *q);
    q->free_slot = NO_SLOT;
    q->edge = SIM_TIME_MAX;
    q->far.on_at = FAR_ON;
    q->far.target = FAR_TARGET;
    return q;
}

void sim_event__destroy(struct sim_evq *q)
{
    if (!q) return;
    for (uint32_t l = 0; l < q->nlanes; l++) {
        sim_xunmap(q->lanes[l].ring, ring_bytes(&q->lanes[l]));
        free(q->lanes[l].dead);
    }
    free(q->lanes);
    if (q->far.b)
        for (uint32_t k = 0; k < FAR_BUCKETS; k++)
            free(q->far.b[k].e);
    free(q->far.b);
    free(q->run.e);
    free(q->run.count);
    free(q->heap_block);
    sim_xunmap(q->slots, (size_t)q->slots_cap * sizeof *q->slots);
    sim_xunmap(q->pos, (size_t)q->slots_cap * sizeof *q->pos);
    free(q);
}

/* heap[0] sits 48 bytes past a cache-line boundary, so every child group
 * heap[4i+1 .. 4i+4] is exactly one line. The block is over-allocated by two
 * lines and aligned by hand (not aligned_alloc), so running out of memory
 * goes through sim_xmalloc's one message like every other allocation. */
static void heap_grow(struct sim_evq *q)
{
    SIM_ASSERT(q->cap < MAX_PENDING);
    uint32_t cap = q->cap ? q->cap * 2 : 64;
    size_t bytes = 2 * LINE + ((size_t)cap + HEAP_SLACK) * sizeof(struct heap_ent);
    char *block = sim_xmalloc(bytes);
    size_t mis = (size_t)((uintptr_t)block % LINE);
    char *line = block + (mis ? LINE - mis : 0);
    struct heap_ent *heap = (struct heap_ent *)(void *)(line + LINE - sizeof(struct heap_ent));
    if (q->n) memcpy(heap, q->heap, (size_t)q->n * sizeof *heap);
    free(q->heap_block);
    q->heap_block = block;
    q->heap = heap;
    q->cap = cap;
}

static void slots_grow(struct sim_evq *q)
{
    SIM_ASSERT(q->slots_cap < MAX_PENDING);
    uint32_t cap = q->slots_cap ? q->slots_cap * 2 : 64;
    q->slots = sim_xremap(q->slots, (size_t)q->slots_cap * sizeof *q->slots,
                          (size_t)cap * sizeof *q->slots);
    q->pos =
        sim_xremap(q->pos, (size_t)q->slots_cap * sizeof *q->pos, (size_t)cap * sizeof *q->pos);
    q->slots_cap = cap;
}

static inline void place(struct sim_evq *q, uint32_t i, const struct heap_ent *e)
{
    q->heap[i] = *e;
    q->pos[ent_slot(e)] = i;
}

static void sift_up(struct sim_evq *q, uint32_t i, struct heap_ent e)
{
    struct heap_ent *h = q->heap;
    while (i > 0) {
        uint32_t p = (i - 1) / ARITY;
        if (!ent_less(&e, &h[p])) break;
        place(q, i, &h[p]);
        i = p;
    }
    place(q, i, &e);
}

static void sift_down(struct sim_evq *q, uint32_t i, struct heap_ent e)
{
    struct heap_ent *h = q->heap;
    uint32_t n = q->n;
    for (;;) {
        uint32_t c = ARITY * i + 1, m;
        if (c + ARITY <= n) {
            /* The next level is one of these four groups: fetch all four
             * while this level's compares run (HEAP_SLACK keeps the last
             * groups inside the allocation). */
            if (ARITY * c + 1 < n) {
                const char *g = (const char *)&h[ARITY * c + 1];
                SIM_PREFETCH(g);
                SIM_PREFETCH(g + LINE);
                SIM_PREFETCH(g + 2 * LINE);
                SIM_PREFETCH(g + 3 * LINE);
            }
            uint32_t a = c + (uint32_t)ent_less(&h[c + 1], &h[c]);
            uint32_t b = c + 2 + (uint32_t)ent_less(&h[c + 3], &h[c + 2]);
            m = a ^ ((a ^ b) & (0u - (uint32_t)ent_less(&h[b], &h[a])));
        } else if (c < n) {
            m = c;
            for (uint32_t k = c + 1; k < n; k++)
                if (ent_less(&h[k], &h[m])) m = k;
        } else {
            break;
        }
        if (!ent_less(&h[m], &e)) break;
        place(q, i, &h[m]);
        i = m;
    }
    place(q, i, &e);
}

/* sift_down(q, 0, e) for a heap of at most ARITY + 1 entries, where the
 * root's children are leaves: a model with few pending events (an M/M/1
 * holds three) replaces or removes its root on every event, and the general
 * loop's setup is most of that cost. The comparisons are coin flips, so
 * the least child is picked and the two entries swapped (or each rewritten
 * in place) with selects rather than branches: M/M/1 16.7 -> 17.0 M
 * events/s (medians of 7). */
static inline void sift_root_small(struct sim_evq *q, struct heap_ent e)
{
    struct heap_ent *h = q->heap;
    uint32_t n = q->n;
    if (n <= 1) {
        place(q, 0, &e);
        return;
    }
    uint32_t m = 1;
    for (uint32_t k = 2; k < n; k++) {
        uint32_t lt = (uint32_t)ent_less(&h[k], &h[m]);
        m = k ^ ((k ^ m) & (lt - 1u));
    }
    struct heap_ent c = h[m];
    uint64_t up = 0 - (uint64_t)ent_less(&c, &e); /* all ones: c goes up */
    struct heap_ent top = {(sim_time)(((uint64_t)c.at & up) | ((uint64_t)e.at & ~up)),
                           (c.key & up) | (e.key & ~up)};
    struct heap_ent low = {(sim_time)(((uint64_t)e.at & up) | ((uint64_t)c.at & ~up)),
                           (e.key & up) | (c.key & ~up)};
    place(q, 0, &top);
    place(q, m, &low);
}

static inline void sift_root(struct sim_evq *q, struct heap_ent e)
{
    if (q->n <= ARITY + 1)
        sift_root_small(q, e);
    else
        sift_down(q, 0, e);
}

/* Removes heap[i] by moving the last entry into the hole and restoring order
 * in whichever direction it is broken. */
static void heap_delete(struct sim_evq *q, uint32_t i)
{
    uint32_t n = --q->n;
    if (i == n) return;
    struct heap_ent last = q->heap[n];
    if (i > 0 && ent_less(&last, &q->heap[(i - 1) / ARITY]))
        sift_up(q, i, last);
    else if (i == 0)
        sift_root(q, last);
    else
        sift_down(q, i, last);
}

/* Inserts e into the heap, which has no hole. */
static inline void heap_insert(struct sim_evq *q, struct heap_ent e)
{
    if (SIM_UNLIKELY(q->n == q->cap)) heap_grow(q);
    sift_up(q, q->n++, e);
}

/* Inserts e, into the running event's place when it is still there. */
static inline void heap_push(struct sim_evq *q, struct heap_ent e)
{
    if (q->hole) {
        q->hole = false;
        sift_root(q, e);
        return;
    }
    heap_insert(q, e);
}

static inline void close_hole(struct sim_evq *q)
{
    if (q->hole) {
        q->hole = false;
        heap_delete(q, 0);
    }
}

/* Takes slot s off the free list (it must be its head) and fills it. */
static inline struct ev_slot *slot_reuse(struct sim_evq *q, uint32_t s, sim_event_fn *fn,
                                         void *subject, void *object, sim_lane lane)
{
    q->free_slot = q->pos[s];
    struct ev_slot *sl = &q->slots[s];
    sl->fn = fn;
    sl->subject = subject;
    sl->object = object;
    sl->lane = lane;
    return sl;
}

static inline uint32_t slot_take(struct sim_evq *q, sim_event_fn *fn, void *subject, void *object,
                                 sim_lane lane)
{
    uint32_t s = q->free_slot;
    if (s == NO_SLOT) {
        if (SIM_UNLIKELY(q->nslots == q->slots_cap)) slots_grow(q);
        s = q->nslots++;
        q->slots[s].gen = 1;
        q->pos[s] = NO_SLOT; /* the free list's end, which slot_reuse takes */
    }
    slot_reuse(q, s, fn, subject, object, lane);
    return s;
}

static inline void slot_release(struct sim_evq *q, uint32_t s)
{
    struct ev_slot *sl = &q->slots[s];
    sl->gen = (sl->gen + 1) & GEN_MASK;
    if (sl->gen == 0) sl->gen = 1;
    q->pos[s] = q->free_slot;
    q->free_slot = s;
}

/* ---- the far store ----------------------------------------------------------- */

static inline sim_time far_edge(const struct far *f)
{
    return f->n ? (sim_time)(f->cur << f->shift) : SIM_TIME_MAX;
}

/* See `edge` in struct sim_evq: every run entry is due before the store's
 * first bucket, so a live run's first entry is the earlier of the two. */
static inline void set_edge(struct sim_evq *q)
{
    q->edge = q->run.live ? q->run.e[q->run.i].at : far_edge(&q->far);
}

/* Bucket i is empty: its array goes, and its bit. */
static void far_bucket_free(struct far *f, uint32_t i)
{
    free(f->b[i].e);
    f->b[i] = (struct far_bucket){0};
    f->full[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

/* Puts e in its bucket when the bucket is within the ring; false if not
 * (before the first bucket, or more than FAR_BUCKETS ahead) or if the
 * bucket is full (FAR_IDX_MAX entries). */
static bool far_push(struct sim_evq *q, sim_time now, struct heap_ent e)
{
    struct far *f = &q->far;
    if (f->n == 0) { /* the clock may have passed the first bucket */
        uint64_t c = (uint64_t)now >> f->shift;
        if (c > f->cur) f->cur = c;
    }
    uint64_t k = (uint64_t)e.at >> f->shift;
    if (k - f->cur >= FAR_BUCKETS) return false;
    uint32_t i = (uint32_t)(k & (FAR_BUCKETS - 1));
    struct far_bucket *b = &f->b[i];
    if (SIM_UNLIKELY(b->n == FAR_IDX_MAX)) return false;
    if (SIM_UNLIKELY(b->n == b->cap)) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->e = sim_xrealloc(b->e, (size_t)b->cap * sizeof *b->e);
    }
    q->pos[ent_slot(&e)] = FAR_BIT | i << FAR_IDX_BITS | b->n;
    b->e[b->n++] = e;
    f->full[i >> 6] |= (uint64_t)1 << (i & 63);
    f->n++;
    if (!q->run.live) q->edge = far_edge(f);
    return true;
}

static inline struct far_bucket *far_bucket_at(const struct far *f, uint32_t pos)
{
    return &f->b[(pos >> FAR_IDX_BITS) & (FAR_BUCKETS - 1)];
}

/* Whether pos (a pos[] value with FAR_BIT) is slot s's entry. */
static bool far_holds(const struct sim_evq *q, uint32_t pos, uint32_t s)
{
    if (!q->far.b) return false;
    const struct far_bucket *b = far_bucket_at(&q->far, pos);
    uint32_t j = pos & FAR_IDX_MAX;
    return j < b->n && ent_slot(&b->e[j]) == s;
}

/* Takes a cancelled event's entry out of its bucket (the last one fills
 * its place), so cancelled timers never pile up in the store. */
static void far_remove(struct sim_evq *q, uint32_t pos)
{
    struct far *f = &q->far;
    struct far_bucket *b = far_bucket_at(f, pos);
    uint32_t j = pos & FAR_IDX_MAX;
    struct heap_ent last = b->e[--b->n];
    if (j != b->n) {
        b->e[j] = last;
        q->pos[ent_slot(&last)] = pos;
    }
    if (b->n == 0) far_bucket_free(f, (pos >> FAR_IDX_BITS) & (FAR_BUCKETS - 1));
    f->n--;
    set_edge(q);
}

/* ---- the run ------------------------------------------------------------------ */

/* Drops cancelled entries at the front, so that e[i] is live when any is. */
static inline void run_trim(struct run *r)
{
    if (r->live == 0) {
        r->i = r->n = 0;
        return;
    }
    while (r->e[r->i].at == DEAD_AT)
        r->i++;
}

/* Whether pos (a pos[] value with RUN_BIT) is slot s's entry. */
static bool run_holds(const struct sim_evq *q, uint32_t pos, uint32_t s)
{
    const struct run *r = &q->run;
    uint32_t j = pos & ~RUN_BIT;
    return j >= r->i && j < r->n && r->e[j].at != DEAD_AT && ent_slot(&r->e[j]) == s;
}

/* Cancels entry j in place: entries behind it stay in order. */
static void run_remove(struct sim_evq *q, uint32_t pos)
{
    struct run *r = &q->run;
    uint32_t j = pos & ~RUN_BIT;
    r->e[j].at = DEAD_AT;
    r->live--;
    if (j == r->i) {
        run_trim(r);
        set_edge(q);
    }
}

/* Puts the run's live entries back into the heap and empties it. */
static void run_drain(struct sim_evq *q)
{
    struct run *r = &q->run;
    for (uint32_t j = r->i; r->live && j < r->n; j++)
        if (r->e[j].at != DEAD_AT) {
            heap_insert(q, r->e[j]);
            r->live--;
        }
    r->i = r->n = 0;
}

/* The group of an entry `off` ns into its bucket: the top lg of the
 * bucket's `shift` bits (down = shift - lg, negative when lg is larger). */
static inline uint32_t run_group(uint64_t off, int down)
{
    return (uint32_t)(down >= 0 ? off >> down : off << -down);
}

/* Sorts a taken bucket's n entries, all due in [base, base + 2^shift), into
 * the empty run: a counting sort on the top bits of their time into about n
 * groups, then an insertion sort, which only moves entries within a group
 * (a few each). Exact (the insertion sort compares whole (at, key) pairs),
 * and about 50 instructions per entry (callgrind, 1e5 in flight) against
 * the ~230 of a pop from a heap of a bucket's size. False, with nothing
 * changed, when the bucket is too big or its events bunch at a few
 * instants: it then goes to the heap. */
static bool run_fill(struct sim_evq *q, const struct heap_ent *in, uint32_t n, sim_time base,
                     int shift)
{
    struct run *r = &q->run;
    SIM_ASSERT(r->live == 0 && n > 0);
    int lg = 0;
    while (((uint32_t)1 << lg) < n)
        lg++;
    if (lg > RUN_LG_MAX) return false;
    uint32_t m = (uint32_t)1 << lg;
    int down = shift - lg;
    if (r->count_cap < m + 1) {
        r->count_cap = m + 1;
        r->count = sim_xrealloc(r->count, (size_t)r->count_cap * sizeof *r->count);
    }
    uint32_t *count = r->count;
    memset(count, 0, (size_t)(m + 1) * sizeof *count);
    for (uint32_t k = 0; k < n; k++)
        count[run_group((uint64_t)(in[k].at - base), down) + 1]++;
    uint32_t most = 0;
    for (uint32_t g = 1; g <= m; g++) {
        if (count[g] > most) most = count[g];
        count[g] += count[g - 1]; /* count[g]: where group g starts */
    }
    if (most > RUN_GROUP_MAX) return false;
    if (r->cap < n) {
        free(r->e);
        r->cap = n;
        r->e = sim_xmalloc((size_t)n * sizeof *r->e);
    }
    struct heap_ent *out = r->e;
    for (uint32_t k = 0; k < n; k++)
        out[count[run_group((uint64_t)(in[k].at - base), down)]++] = in[k];
    for (uint32_t k = 1; k < n; k++) {
        struct heap_ent e = out[k];
        uint32_t j = k;
        for (; j > 0 && ent_less(&e, &out[j - 1]); j--)
            out[j] = out[j - 1];
        out[j] = e;
    }
    for (uint32_t k = 0; k < n; k++) {
        q->pos[ent_slot(&out[k])] = RUN_BIT | k;
        if (k < RUN_AHEAD) SIM_PREFETCH(&q->slots[ent_slot(&out[k])]);
    }
    r->i = 0;
    r->n = r->live = n;
    return true;
}

/* Empties every bucket into `out` (which holds f->n entries); returns how
 * many it copied. */
static uint64_t far_drain(struct sim_evq *q, struct heap_ent *out)
{
    struct far *f = &q->far;
    uint64_t k = 0;
    for (uint32_t i = 0; i < FAR_BUCKETS && f->n; i++) {
        struct far_bucket *b = &f->b[i];
        if (b->n) memcpy(out + k, b->e, (size_t)b->n * sizeof *out);
        k += b->n;
        f->n -= b->n;
        if (b->e) far_bucket_free(f, i);
    }
    return k;
}

/* Takes everything out of the buckets and puts it back: into buckets of
 * 2^shift ns while the store stays on (the first one still covers the old
 * edge, so every far event stays at or after the edge), else into the heap. */
static void far_rebucket(struct sim_evq *q, int shift, bool on)
{
    struct far *f = &q->far;
    uint64_t edge = f->cur << f->shift;
    /* Narrower buckets start at the old edge, after every run entry, so the
     * bucket just sorted stays sorted. A wider first bucket may start before
     * the run's last entries: then the run goes back to the heap first. The
     * store is turned off only with the run empty (far_service). */
    SIM_ASSERT(on || q->run.live == 0);
    if ((edge >> shift) << shift != edge) run_drain(q);
    struct heap_ent *all = sim_xmalloc((size_t)(f->n ? f->n : 1) * sizeof *all);
    uint64_t k = far_drain(q, all);
    f->on = on;
    f->shift = shift;
    f->cur = edge >> shift;
    f->since = 0;
    for (uint64_t j = 0; j < k; j++)
        if (!on || !far_push(q, 0, all[j])) heap_insert(q, all[j]);
    free(all);
    set_edge(q);
}

/* Turns the far store on, with buckets about FAR_TARGET events wide at the
 * heap's present density, and moves into it what the heap holds past its
 * first bucket. */
static void far_start(struct sim_evq *q, sim_time now)
{
    struct far *f = &q->far;
    if (!f->b) f->b = sim_xcalloc(FAR_BUCKETS, sizeof *f->b);
    double sum = 0;
    uint32_t k = 0;
    for (uint32_t i = 0; i < q->n; i++)
        if (q->heap[i].at - now < ((sim_time)1 << 52)) {
            sum += (double)(q->heap[i].at - now);
            k++;
        }
    /* events per ns near now ~ k / mean distance (exact for an exponential spread) */
    double width = k ? (double)f->target * (sum / k) / k : 1;
    int shift = SHIFT_MIN;
    while (shift < SHIFT_MAX && (double)((uint64_t)1 << (shift + 1)) <= width)
        shift++;
    f->shift = shift;
    f->cur = (uint64_t)now >> shift;
    f->on = true;
    f->taken = f->moved = f->since = 0;
    struct heap_ent *all = sim_xmalloc((size_t)q->n * sizeof *all);
    uint32_t n = q->n;
    memcpy(all, q->heap, (size_t)n * sizeof *all);
    q->n = 0;
    for (uint32_t i = 0; i < n; i++)
        if (q->slots[ent_slot(&all[i])].lane || !far_push(q, now, all[i]))
            heap_insert(q, all[i]); /* lane markers always stay in the heap */
    free(all);
    set_edge(q);
}

/* Makes the first nonempty bucket the run (or, when it will not sort
 * quickly, moves it into the heap) and the next one the first. The run
 * fetches its events' slot records a few events ahead; the heap, on the
 * way in: they run within the next few hundred events, and a record
 * otherwise missed the cache when its event came to run. */
static void far_take(struct sim_evq *q)
{
    struct far *f = &q->far;
    uint32_t i = (uint32_t)(f->cur & (FAR_BUCKETS - 1)), w = i >> 6;
    uint64_t bits = f->full[w] & (~(uint64_t)0 << (i & 63));
    while (!bits) { /* f->n > 0, so some bit is set */
        w = (w + 1) & (FAR_WORDS - 1);
        bits = f->full[w];
    }
    uint32_t j = w << 6 | (uint32_t)__builtin_ctzll(bits);
    f->cur += (j - i) & (FAR_BUCKETS - 1);
    struct far_bucket *b = &f->b[j];
    uint32_t moved = b->n;
    if (!run_fill(q, b->e, moved, (sim_time)(f->cur << f->shift), f->shift))
        for (uint32_t k = 0; k < moved; k++) {
            SIM_PREFETCH(&q->slots[ent_slot(&b->e[k])]);
            heap_insert(q, b->e[k]);
        }
    f->n -= moved;
    /* Every bucket is this full once, as it comes due: kept, the arrays
     * would hold FAR_BUCKETS full buckets, whatever is pending. */
    far_bucket_free(f, j);
    f->cur++;
    set_edge(q);
    /* Tuning, at most once per quarter of what the store holds (so its
     * O(n) re-bucketing costs O(1) per event): narrower buckets when one
     * held far more than the target, wider when they hold far less. */
    f->since += moved;
    f->taken++;
    f->moved += moved;
    if (f->since <= f->n / 4) return;
    if (moved > 4 * f->target && f->shift > SHIFT_MIN) {
        far_rebucket(q, f->shift - 2, true);
    } else if (f->taken >= 64) {
        if (f->moved < f->taken * f->target / 8 && f->shift < SHIFT_MAX)
            far_rebucket(q, f->shift + 2, true);
        f->taken = f->moved = 0;
    }
}

/* Where the next event is: nowhere, the heap's root or the run's first entry. */
enum top { TOP_NONE, TOP_HEAP, TOP_RUN };

/* The earlier of the heap's root and the run's first entry (the run holds
 * some, all due before the store's first bucket). */
static inline enum top root_or_run(const struct sim_evq *q)
{
    return q->n && ent_less(&q->heap[0], &q->run.e[q->run.i]) ? TOP_HEAP : TOP_RUN;
}

/* The run loop's slow path, outside any callback (no hole): the heap's
 * root is not known to be the next event. Brings the far store's first
 * buckets in until the next event is the root or the run's first entry,
 * and turns the store on or off. */
static SIM_OUT_OF_LINE enum top far_service(struct sim_evq *q, sim_time now)
{
    struct far *f = &q->far;
    if (!f->on) {
        if (q->n < f->on_at) {
            q->edge = SIM_TIME_MAX;
            return q->n ? TOP_HEAP : TOP_NONE;
        }
        far_start(q, now);
    }
    /* The run is empty (top_ready answers while it is not). */
    while (f->n && !(q->n && q->heap[0].at < q->edge)) {
        far_take(q);
        if (q->run.live) return root_or_run(q);
    }
    if (q->n + f->n < f->on_at / 4) far_rebucket(q, f->shift, false);
    return q->n ? TOP_HEAP : TOP_NONE;
}

/* Every schedule off the small-heap path (see schedule) goes through here;
 * lane markers and events moving between the stores go to the heap directly. */
static inline void push_event(struct sim_evq *q, sim_time now, struct heap_ent e)
{
    if (q->far.on && far_push(q, now, e)) return;
    heap_push(q, e);
    if (SIM_UNLIKELY(q->n >= q->far.on_at) && !q->far.on) q->edge = 0; /* see far_service */
}

/* Whether the event at position p was cancelled. The flags live in a bitmap
 * beside the ring, not in its entries: a cancel then writes one bit of an
 * array 256 times smaller than the ring, which stays in cache, instead of an
 * entry set a whole timeout ago, which has left it (at 1e5 requests in flight
 * that miss was a tenth of the time per event). */
static inline bool lane_dead(const struct lane *l, uint64_t p)
{
    return (l->dead[(p & l->mask) >> 6] >> (p & 63)) & 1;
}

static inline void lane_set_dead(struct lane *l, uint64_t p, bool dead)
{
    uint64_t *w = &l->dead[(p & l->mask) >> 6], bit = (uint64_t)1 << (p & 63);
    *w = dead ? *w | bit : *w & ~bit;
}

/* Drops the cancelled entries at the front of the ring, so that a lane's
 * first entry, when it has one, is always live. */
static inline void lane_trim(struct lane *l)
{
    while (l->head != l->tail && lane_dead(l, l->head))
        l->head++;
}

/* Moves the lane's marker to its first live event, or takes it out of the
 * heap when there is none. The marker is at heap[0] when `hole` (the running
 * event's place), else at heap[pos[marker]]. */
static void lane_remark(struct sim_evq *q, struct lane *l, bool hole)
{
    lane_trim(l);
    if (l->head == l->tail) {
        l->marked = false;
        if (!hole) heap_delete(q, q->pos[l->marker]);
        return;
    }
    const struct lane_ent *e = &l->ring[l->head & l->mask];
    struct heap_ent m = {e->at, lane_key(e) | l->marker};
    if (hole)
        heap_push(q, m);
    else
        sift_down(q, q->pos[l->marker], m); /* later than where it was */
}

/* Doubles a full ring; an entry keeps its position, so ids stay valid. */
static void lane_grow(struct lane *l)
{
    uint64_t cap = l->ring ? (l->mask + 1) * 2 : 64;
    SIM_ASSERT(cap <= MAX_PENDING);
    struct lane_ent *ring = sim_xmap((size_t)cap * sizeof *ring);
    struct lane grown = {.ring = ring, .mask = cap - 1};
    grown.dead = sim_xcalloc((size_t)cap / 64, sizeof *grown.dead);
    for (uint64_t p = l->head; p != l->tail; p++) {
        ring[p & grown.mask] = l->ring[p & l->mask];
        lane_set_dead(&grown, p, lane_dead(l, p));
    }
    sim_xunmap(l->ring, ring_bytes(l));
    free(l->dead);
    l->ring = ring;
    l->dead = grown.dead;
    l->mask = grown.mask;
}

/* Lane markers in the heap, and live lane events. */
static void lanes_count(const struct sim_evq *q, uint64_t *markers, uint64_t *live)
{
    *markers = *live = 0;
    for (uint32_t l = 0; l < q->nlanes; l++) {
        *markers += q->lanes[l].marked;
        *live += q->lanes[l].live;
    }
}

struct renum {
    sim_time at;
    uint64_t key;
    uint64_t *where;    /* the key to rewrite, or NULL for ... */
    uint32_t *lane_seq; /* ... a lane entry's sequence number */
};

static int renum_cmp(const void *pa, const void *pb)
{
    const struct renum *a = pa, *b = pb;
    if (a->at != b->at) return a->at < b->at ? -1 : 1;
    return a->key < b->key ? -1 : a->key > b->key;
}

/* Order-preserving renumbering when the 31-bit sequence runs out; see the
 * notes at the top. Every pending event (heap, lanes, far buckets, run) gets
 * the sequence number of its rank and no entry moves, so the heap stays a
 * heap, each ring and the run stay in order; markers then copy their
 * event's new key. */
static void renumber(struct sim_evq *q)
{
    close_hole(q);
    for (uint32_t l = 0; l < q->nlanes; l++)
        if (q->lanes[l].marked) lane_remark(q, &q->lanes[l], false); /* drop stale markers */
    uint64_t markers, live;
    lanes_count(q, &markers, &live);
    uint64_t total = q->n - markers + live + q->far.n + q->run.live, k = 0;
    struct renum *all = sim_xmalloc((size_t)(total ? total : 1) * sizeof *all);
    for (uint32_t i = 0; i < q->n; i++)
        if (!q->slots[ent_slot(&q->heap[i])].lane)
            all[k++] = (struct renum){q->heap[i].at, q->heap[i].key, &q->heap[i].key, NULL};
    for (uint32_t l = 0; l < q->nlanes; l++) {
        struct lane *ln = &q->lanes[l];
        for (uint64_t p = ln->head; p != ln->tail; p++) {
            struct lane_ent *e = &ln->ring[p & ln->mask];
            if (!lane_dead(ln, p)) all[k++] = (struct renum){e->at, lane_key(e), NULL, &e->seq};
        }
    }
    for (uint32_t i = 0; q->far.n && i < FAR_BUCKETS; i++) {
        struct far_bucket *b = &q->far.b[i];
        for (uint32_t j = 0; j < b->n; j++)
            all[k++] = (struct renum){b->e[j].at, b->e[j].key, &b->e[j].key, NULL};
    }
    for (uint32_t j = q->run.i; j < q->run.n; j++) {
        struct heap_ent *e = &q->run.e[j];
        if (e->at != DEAD_AT) all[k++] = (struct renum){e->at, e->key, &e->key, NULL};
    }
    SIM_ASSERT(k == total);
    qsort(all, total, sizeof *all, renum_cmp);
    for (uint64_t i = 0; i < total; i++) {
        if (all[i].where)
            *all[i].where = (*all[i].where & (PHASE_BIT | UINT32_MAX)) | i << 32;
        else
            *all[i].lane_seq = (uint32_t)i;
    }
    free(all);
    for (uint32_t l = 0; l < q->nlanes; l++) {
        const struct lane *ln = &q->lanes[l];
        if (ln->marked)
            q->heap[q->pos[ln->marker]].key = lane_key(&ln->ring[ln->head & ln->mask]) | ln->marker;
    }
    q->seq = total;
}

/* A schedule that must renumber or grow the slots first. */
static SIM_OUT_OF_LINE sim_event_id schedule_slow(struct sim *sim, sim_time at, uint64_t phase,
                                                  sim_event_fn *fn, void *subject, void *object)
{
    struct sim_evq *q = sim->evq;
    if (SIM_UNLIKELY(q->seq == SEQ_LIMIT)) renumber(q);
    uint32_t s = slot_take(q, fn, subject, object, 0);
    push_event(q, sim->now, (struct heap_ent){at, phase << 63 | q->seq++ << 32 | s});
    return (uint64_t)q->slots[s].gen << 32 | s;
}

/* A push into a heap that has no hole to fill or is past the small case. */
static SIM_OUT_OF_LINE sim_event_id push_slow(struct sim_evq *q, sim_time now, struct heap_ent e,
                                              sim_event_id id)
{
    push_event(q, now, e);
    return id;
}

/* Every heap schedule; `phase` is already checked. The common case, a free
 * slot to reuse and, in a small heap, the running event's place to fill,
 * is a leaf function; everything else is a tail call. Inlined whole, the
 * rare paths made every schedule save and restore six registers (four now,
 * which the selects of sift_root_small need) and reload its entry from the
 * stack (M/M/1: 15.4 -> 16.1 M events/s, medians of 5). */
static SIM_ALWAYS_INLINE sim_event_id schedule(struct sim *sim, sim_time at, uint64_t phase,
                                               sim_event_fn *fn, void *subject, void *object)
{
    SIM_ASSERT(at >= sim->now);
    SIM_ASSERT(fn != NULL);
    struct sim_evq *q = sim->evq;
    uint32_t s = q->free_slot;
    if (SIM_UNLIKELY(s == NO_SLOT || q->seq == SEQ_LIMIT))
        return schedule_slow(sim, at, phase, fn, subject, object);
    const struct ev_slot *sl = slot_reuse(q, s, fn, subject, object, 0);
    struct heap_ent e = {at, phase << 63 | q->seq++ << 32 | s};
    sim_event_id id = (uint64_t)sl->gen << 32 | s;
    if (SIM_UNLIKELY(!q->hole || q->n > ARITY + 1)) return push_slow(q, sim->now, e, id);
    q->hole = false;
    sift_root_small(q, e);
    return id;
}

sim_event_id sim_event_at_phase(struct sim *sim, sim_time at, enum sim_phase phase,
                                sim_event_fn *fn, void *subject, void *object)
{
    SIM_ASSERT(phase == SIM_PHASE_NORMAL || phase == SIM_PHASE_OBSERVE);
    return schedule(sim, at, (uint64_t)phase, fn, subject, object);
}

sim_event_id sim_event_at(struct sim *sim, sim_time at, sim_event_fn *fn, void *subject,
                          void *object)
{
    return schedule(sim, at, SIM_PHASE_NORMAL, fn, subject, object);
}

/* A delay past the end of time saturates, so "never" can be written as
 * SIM_TIME_MAX; such an event runs only if a run's horizon is SIM_TIME_MAX. */
static inline sim_time after(const struct sim *sim, sim_time delay)
{
    SIM_ASSERT(delay >= 0);
    return delay > SIM_TIME_MAX - sim->now ? SIM_TIME_MAX : sim->now + delay;
}

sim_event_id sim_event_after(struct sim *sim, sim_time delay, sim_event_fn *fn, void *subject,
                             void *object)
{
    return schedule(sim, after(sim, delay), SIM_PHASE_NORMAL, fn, subject, object);
}

sim_lane sim_lane_create(struct sim *sim)
{
    struct sim_evq *q = sim->evq;
    SIM_ASSERT(q->nlanes + 1 < MAX_LANES);
    q->lanes = sim_xrealloc(q->lanes, (q->nlanes + 1) * sizeof *q->lanes);
    struct lane *l = &q->lanes[q->nlanes++];
    *l = (struct lane){0};
    l->marker = slot_take(q, NULL, NULL, NULL, q->nlanes); /* never released */
    return q->nlanes;
}

sim_event_id sim_event_lane_after(struct sim *sim, sim_lane lane, sim_time delay, sim_event_fn *fn,
                                  void *subject, void *object)
{
    struct sim_evq *q = sim->evq;
    SIM_ASSERT(lane >= 1 && lane <= q->nlanes);
    SIM_ASSERT(fn != NULL);
    SIM_ASSERT((uintptr_t)object <= UINT32_MAX);
    sim_time at = after(sim, delay);
    struct lane *l = &q->lanes[lane - 1];
    if (!l->fn) l->fn = fn;
    /* Out of the lane's order, or another callback: the heap keeps it. So
     * does a ring that is mostly dead entries held behind a long-lived one,
     * until it drains: a ring holds at most 4x its live events (or 64), so
     * lanes cost memory in proportion to timers pending, like the heap. */
    uint64_t held = l->tail - l->head;
    if (SIM_UNLIKELY(fn != l->fn || (l->marked && at < l->last) ||
                     (held >= LANE_SLACK && held > 4 * l->live)))
        return sim_event_at_phase(sim, at, SIM_PHASE_NORMAL, fn, subject, object);
    if (SIM_UNLIKELY(q->seq == SEQ_LIMIT)) renumber(q);
    if (SIM_UNLIKELY(l->tail - l->head == (l->ring ? l->mask + 1 : 0))) lane_grow(l);
    uint64_t p = l->tail++;
    struct lane_ent *e = &l->ring[p & l->mask];
    *e = (struct lane_ent){at, subject, (uint32_t)q->seq++, (uint32_t)(uintptr_t)object};
    lane_set_dead(l, p, false);
    l->last = at;
    l->live++;
    if (!l->marked) {
        l->marked = true;
        struct heap_ent m = {at, lane_key(e) | l->marker};
        heap_push(q, m);
    }
    return LANE_ID | (uint64_t)lane << LANE_POS_BITS | p;
}

/* The lane of a pending lane event's id, or NULL; *pos is its position. The
 * ring entry itself is not read (see lane_dead). */
static struct lane *pending_lane(const struct sim_evq *q, sim_event_id id, uint64_t *pos)
{
    uint32_t n = (uint32_t)(id >> LANE_POS_BITS) & (MAX_LANES - 1);
    uint64_t p = *pos = id & LANE_POS_MASK;
    if (n == 0 || n > q->nlanes) return NULL;
    struct lane *l = &q->lanes[n - 1];
    if (p < l->head || p >= l->tail || lane_dead(l, p)) return NULL;
    return l;
}

/* The slot of a pending heap event's id, or NO_SLOT. The checks past the
 * generation only matter for a forged id. */
static uint32_t pending_slot(const struct sim_evq *q, sim_event_id id)
{
    uint32_t s = (uint32_t)id, gen = (uint32_t)(id >> 32);
    if (s >= q->nslots || q->slots[s].gen != gen || q->slots[s].lane) return NO_SLOT;
    uint32_t i = q->pos[s];
    if (i & FAR_BIT) return far_holds(q, i, s) ? s : NO_SLOT;
    if (i & RUN_BIT) return run_holds(q, i, s) ? s : NO_SLOT;
    if (i >= q->n || ent_slot(&q->heap[i]) != s) return NO_SLOT;
    return s;
}

bool sim_event_cancel(struct sim *sim, sim_event_id id)
{
    struct sim_evq *q = sim->evq;
    if (id & LANE_ID) {
        uint64_t p;
        struct lane *l = pending_lane(q, id, &p);
        if (!l) return false;
        lane_set_dead(l, p, true);
        l->live--;
        /* Trim at once: timers are mostly cancelled in the order they were
         * set, so the ring holds about what is pending rather than all that
         * was set during one delay. */
        lane_trim(l);
        return true;
    }
    uint32_t s = pending_slot(q, id);
    if (s == NO_SLOT) return false;
    if (q->pos[s] & FAR_BIT)
        far_remove(q, q->pos[s]);
    else if (q->pos[s] & RUN_BIT)
        run_remove(q, q->pos[s]);
    else
        heap_delete(q, q->pos[s]);
    slot_release(q, s);
    return true;
}

bool sim_event_is_pending(const struct sim *sim, sim_event_id id)
{
    uint64_t p;
    if (id & LANE_ID) return pending_lane(sim->evq, id, &p) != NULL;
    return pending_slot(sim->evq, id) != NO_SLOT;
}

uint64_t sim_event_count(const struct sim *sim)
{
    const struct sim_evq *q = sim->evq;
    uint64_t markers, live;
    lanes_count(q, &markers, &live);
    return q->n - q->hole - markers + live + q->far.n + q->run.live;
}

void sim_event_set_hint(struct sim *sim, sim_event_fn *fn, sim_event_hint_fn *hint)
{
    /* One per simulation: a second model's would silently turn off the first's. */
    SIM_ASSERT(sim->evq->hint == NULL || (sim->evq->hint_fn == fn && sim->evq->hint == hint));
    sim->evq->hint_fn = fn;
    sim->evq->hint = hint;
}

void sim_event__set_far(struct sim *sim, uint32_t on_at, uint32_t target)
{
    struct sim_evq *q = sim->evq;
    SIM_ASSERT(on_at >= 4 && target >= 1);
    q->far.on_at = on_at;
    q->far.target = target;
}

void sim_event__set_seq(struct sim *sim, uint64_t seq)
{
    struct sim_evq *q = sim->evq;
    SIM_ASSERT(seq >= q->seq && seq <= SEQ_LIMIT);
    q->seq = seq;
}

/* Starts loading what an event's callback reads first: its subject (two
 * lines) and its object. */
static inline void prefetch_event(const struct ev_slot *sl)
{
    SIM_PREFETCH(sl->subject);
    SIM_PREFETCH((const void *)((uintptr_t)sl->subject + LINE));
    SIM_PREFETCH(sl->object);
}

/* The next event is most likely the root's least child: load its record
 * and start loading its subject (two lines) and object while this callback
 * runs (cache misses when many requests are in flight; see sim_event.h).
 * Out of line, so that small heaps, which never call it, keep run_top's
 * code as tight as without it. */
static SIM_OUT_OF_LINE void prefetch_next(const struct sim_evq *q)
{
    const struct heap_ent *h = q->heap;
    uint32_t a = 1 + (uint32_t)ent_less(&h[2], &h[1]);
    uint32_t b = 3 + (uint32_t)ent_less(&h[4], &h[3]);
    uint32_t m = ent_less(&h[b], &h[a]) ? b : a;
    prefetch_event(&q->slots[ent_slot(&h[m])]);
}

/* Runs heap[0], which is due; false when it was a stale lane marker, which
 * runs nothing (the marker moves on or leaves). */
static SIM_ALWAYS_INLINE bool run_top(struct sim *sim, struct sim_evq *q)
{
    sim_time at = q->heap[0].at;
    uint32_t s = ent_slot(&q->heap[0]);
    const struct ev_slot *sl = &q->slots[s];
    sim_event_fn *fn;
    void *subject, *object;
    if (sl->lane) {
        struct lane *l = &q->lanes[sl->lane - 1];
        const struct lane_ent *e = &l->ring[l->head & l->mask];
        if (l->head == l->tail || e->seq != q->heap[0].key >> 32) {
            /* its event was cancelled (and trimmed) after the marker was set
             * on it; a lane's first entry is never a dead one */
            lane_remark(q, l, false);
            return false;
        }
        fn = l->fn;
        subject = e->subject;
        object = (void *)(uintptr_t)e->object;
        l->head++;
        l->live--;
        q->hole = true;
        lane_remark(q, l, true);
    } else {
        fn = sl->fn;
        subject = sl->subject;
        object = sl->object;
        slot_release(q, s);
        q->hole = true;
        if (q->n > PREFETCH_FROM) prefetch_next(q);
    }
    sim->now = at;
    sim->events++;
    fn(sim, subject, object);
    close_hole(q);
    return true;
}

/* Runs the run's first entry, which is due. Nothing fills its place in the
 * run, so its callback's first schedule is an ordinary insertion. */
static SIM_ALWAYS_INLINE void run_first(struct sim *sim, struct sim_evq *q)
{
    struct run *r = &q->run;
    struct heap_ent e = r->e[r->i];
    uint32_t s = ent_slot(&e);
    const struct ev_slot *sl = &q->slots[s];
    sim_event_fn *fn = sl->fn;
    void *subject = sl->subject, *object = sl->object;
    slot_release(q, s);
    r->i++;
    r->live--;
    run_trim(r);
    set_edge(q);
    /* Cancelled entries ahead only cost a wasted prefetch: their key still
     * names a slot, whatever it holds now. */
    if (r->i + RUN_AHEAD < r->n) SIM_PREFETCH(&q->slots[ent_slot(&r->e[r->i + RUN_AHEAD])]);
    if (r->i + RUN_NEAR < r->n) prefetch_event(&q->slots[ent_slot(&r->e[r->i + RUN_NEAR])]);
    if (q->hint)
        for (uint32_t ahead = 2; ahead >= 1; ahead--)
            if (r->i + ahead < r->n) { /* e[i] runs next, e[i + ahead] ahead + 1 events on */
                const struct ev_slot *h = &q->slots[ent_slot(&r->e[r->i + ahead])];
                if (h->fn == q->hint_fn) q->hint(h->subject, h->object, (int)ahead);
            }
    sim->now = e.at;
    sim->events++;
    fn(sim, subject, object);
}

/* Where the next event is. */
static SIM_ALWAYS_INLINE enum top top_ready(struct sim *sim, struct sim_evq *q)
{
    if (SIM_LIKELY(q->n != 0 && q->heap[0].at < q->edge)) return TOP_HEAP;
    /* Without a call: every other event comes this way when many are
     * pending. */
    if (q->run.live) return root_or_run(q);
    return far_service(q, sim->now);
}

/* Runs the next event due by `horizon`; false when there is none. A stale
 * lane marker runs no callback, so `stopped` cannot change while this steps
 * over one. */
static SIM_ALWAYS_INLINE bool step(struct sim *sim, struct sim_evq *q, sim_time horizon)
{
    for (;;) {
        enum top top = top_ready(sim, q);
        if (top == TOP_NONE) return false;
        if (top == TOP_RUN) {
            if (q->run.e[q->run.i].at > horizon) return false;
            run_first(sim, q);
            return true;
        }
        if (q->heap[0].at > horizon) return false;
        if (run_top(sim, q)) return true;
    }
}

bool sim_event__run_next(struct sim *sim, sim_time horizon)
{
    return step(sim, sim->evq, horizon);
}

void sim_event__run(struct sim *sim, sim_time horizon)
{
    struct sim_evq *q = sim->evq;
    while (!sim->stopped && step(sim, q, horizon)) {
    }
}
