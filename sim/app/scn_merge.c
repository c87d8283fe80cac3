/* scn_merge.c - the variant merge rule of the contract (SCENARIO.md s.2).
 *
 *   - two mappings merge key by key, keeping the base's order of keys and
 *     appending the overlay's new keys in its order; an overlay value that
 *     is null removes the key;
 *   - a list whose overlay items are all mappings with a `name` merges item
 *     by item: an item merges onto the base item of the same name, a new
 *     name is appended (so `services: [{name: payment, pools: [{name: db,
 *     size: 400}]}]` changes one pool of one service);
 *   - anything else is replaced by the overlay, including an empty list
 *     (`faults: []` is how a variant says "no faults": merging nothing by
 *     name would change nothing, which nobody writes on purpose).
 *
 * The function is pure: it reads both trees and returns a new one, so the
 * base document is merged once per variant without being disturbed. Nulls
 * that survive the merge (a null in the base, or under a key the base does
 * not have) are dropped too, so the builder never has to tell "removed" from
 * "absent". Recursion depth is bounded by the parser's nesting limit.
 */
#include <string.h>

#include "sim/app/scn_internal.h"
#include "sim/kernel/sim_mem.h"

static bool is_named_list(const struct scn_node *seq)
{
    if (seq->kind != SCN_SEQ || seq->n == 0) return false;
    for (int i = 0; i < seq->n; i++)
        if (seq->items[i]->kind != SCN_MAP || !scn__node_name(seq->items[i])) return false;
    return true;
}

static int find_named(const struct scn_node *seq, const char *name)
{
    for (int i = 0; i < seq->n; i++) {
        const char *n = seq->items[i]->kind == SCN_MAP ? scn__node_name(seq->items[i]) : NULL;
        if (n && strcmp(n, name) == 0) return i;
    }
    return -1;
}

/* A copy with null mapping values dropped at every level. */
static struct scn_node *copy_clean(const struct scn_node *n)
{
    struct scn_node *c = scn__node_new(n->kind, n->line, n->col);
    c->null = n->null;
    c->set = n->set;
    if (n->kind == SCN_SCALAR) {
        c->str = sim_xstrdup(n->str);
        return c;
    }
    for (int i = 0; i < n->n; i++) {
        if (n->kind == SCN_SEQ)
            scn__seq_push(c, copy_clean(n->items[i]));
        else if (!n->items[i]->null)
            scn__map_put(c, n->keys[i].name, n->keys[i].line, n->keys[i].col,
                         copy_clean(n->items[i]));
    }
    return c;
}

struct scn_node *scn__merge(const struct scn_node *base, const struct scn_node *over)
{
    if (!over) return base ? copy_clean(base) : NULL;
    if (!base) return copy_clean(over);

    if (base->kind == SCN_MAP && over->kind == SCN_MAP) {
        struct scn_node *m = scn__node_new(SCN_MAP, base->line, base->col);
        for (int i = 0; i < base->n; i++) {
            int j = scn__map_find(over, base->keys[i].name);
            const struct scn_node *ov = j >= 0 ? over->items[j] : NULL;
            if ((ov && ov->null) || (!ov && base->items[i]->null)) continue;
            /* A key the overlay sets points at the overlay's line. */
            const struct scn_key *k = ov ? &over->keys[j] : &base->keys[i];
            scn__map_put(m, k->name, k->line, k->col, scn__merge(base->items[i], ov));
        }
        for (int j = 0; j < over->n; j++) {
            if (scn__map_find(base, over->keys[j].name) >= 0 || over->items[j]->null) continue;
            scn__map_put(m, over->keys[j].name, over->keys[j].line, over->keys[j].col,
                         copy_clean(over->items[j]));
        }
        return m;
    }

    if (base->kind == SCN_SEQ && is_named_list(over)) {
        struct scn_node *s = scn__node_new(SCN_SEQ, over->line, over->col);
        for (int i = 0; i < base->n; i++) {
            const struct scn_node *b = base->items[i];
            const char *name = b->kind == SCN_MAP ? scn__node_name(b) : NULL;
            /* scn_open refuses a variant list naming an item twice. */
            int j = name ? find_named(over, name) : -1;
            const struct scn_node *ov = j >= 0 ? over->items[j] : NULL;
            scn__seq_push(s, scn__merge(b, ov));
        }
        for (int j = 0; j < over->n; j++) {
            const char *name = scn__node_name(over->items[j]);
            if (find_named(base, name) < 0 && find_named(s, name) < 0)
                scn__seq_push(s, copy_clean(over->items[j]));
        }
        return s;
    }

    return copy_clean(over);
}
