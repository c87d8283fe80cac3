/* scn_yaml.c - YAML text -> the loader's document tree, and the tree itself.
 *
 * libyaml's event API is used rather than its document API because the
 * document API expands aliases into a graph: a "billion laughs" file of a
 * few hundred bytes would become gigabytes before we could object. Here an
 * alias is an error the moment it is seen, so the tree is never larger than
 * the text that describes it. Three more limits bound what a hostile or
 * generated file can cost: its size (SCN_MAX_BYTES, checked by the caller),
 * nesting depth (MAX_DEPTH, which also bounds every recursion over the tree)
 * and node count (MAX_NODES).
 *
 * Positions: libyaml's marks are 0-based; the tree stores 1-based line and
 * column, as editors and compilers print them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "sim/app/scn_internal.h"
#include "sim/kernel/sim_mem.h"

/* A scenario is nested about six levels deep (services, a service,
 * endpoints, an endpoint, steps, a step, a distribution, a mixture part);
 * 64 leaves room for any honest file and keeps recursion shallow. */
#define MAX_DEPTH 64
/* Real scenarios have thousands of nodes. A million costs about 100 MB of
 * tree and is far past anything written by hand or by a sane generator. */
#define MAX_NODES 1000000

/* ---- the tree ------------------------------------------------------------ */

struct scn_node *scn__node_new(enum scn_kind kind, int line, int col)
{
    struct scn_node *n = sim_xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = line;
    n->col = col;
    return n;
}

struct scn_node *scn__scalar_new(const char *text, bool null, int line, int col)
{
    struct scn_node *n = scn__node_new(SCN_SCALAR, line, col);
    n->str = sim_xstrdup(text);
    n->null = null;
    return n;
}

void scn__node_free(struct scn_node *n)
{
    if (!n) return;
    for (int i = 0; i < n->n; i++) {
        scn__node_free(n->items[i]);
        if (n->keys) free(n->keys[i].name);
    }
    free(n->items);
    free(n->keys);
    free(n->str);
    free(n);
}

static void grow(struct scn_node *n)
{
    if (n->n < n->cap) return;
    size_t cap = (size_t)n->cap;
    n->items = sim_xgrow(n->items, &cap, (size_t)n->n + 1, sizeof *n->items);
    if (n->kind == SCN_MAP) {
        size_t kcap = (size_t)n->cap;
        n->keys = sim_xgrow(n->keys, &kcap, (size_t)n->n + 1, sizeof *n->keys);
        SIM_ASSERT(kcap == cap);
    }
    n->cap = (int)cap;
}

void scn__seq_push(struct scn_node *seq, struct scn_node *child)
{
    SIM_ASSERT(seq->kind == SCN_SEQ);
    grow(seq);
    seq->items[seq->n++] = child;
}

void scn__map_put(struct scn_node *map, const char *key, int line, int col, struct scn_node *value)
{
    SIM_ASSERT(map->kind == SCN_MAP);
    grow(map);
    map->keys[map->n] = (struct scn_key){sim_xstrdup(key), line, col};
    map->items[map->n++] = value;
}

int scn__map_find(const struct scn_node *map, const char *key)
{
    if (!map || map->kind != SCN_MAP) return -1;
    for (int i = 0; i < map->n; i++)
        if (strcmp(map->keys[i].name, key) == 0) return i;
    return -1;
}

const struct scn_node *scn__map_get(const struct scn_node *map, const char *key)
{
    int i = scn__map_find(map, key);
    return i < 0 || map->items[i]->null ? NULL : map->items[i];
}

void scn__map_remove(struct scn_node *map, const char *key)
{
    int i = scn__map_find(map, key);
    if (i < 0) return;
    scn__node_free(map->items[i]);
    free(map->keys[i].name);
    memmove(&map->items[i], &map->items[i + 1], (size_t)(map->n - i - 1) * sizeof *map->items);
    memmove(&map->keys[i], &map->keys[i + 1], (size_t)(map->n - i - 1) * sizeof *map->keys);
    map->n--;
}

const char *scn__node_name(const struct scn_node *n)
{
    const struct scn_node *v = scn__map_get(n, "name");
    return v && v->kind == SCN_SCALAR ? v->str : NULL;
}

struct scn_node *scn__node_copy(const struct scn_node *n)
{
    struct scn_node *c = scn__node_new(n->kind, n->line, n->col);
    c->null = n->null;
    c->set = n->set;
    if (n->str) c->str = sim_xstrdup(n->str);
    for (int i = 0; i < n->n; i++) {
        if (n->kind == SCN_MAP)
            scn__map_put(c, n->keys[i].name, n->keys[i].line, n->keys[i].col,
                         scn__node_copy(n->items[i]));
        else
            scn__seq_push(c, scn__node_copy(n->items[i]));
    }
    return c;
}

/* ---- the parser ------------------------------------------------------------ */

struct frame {
    struct scn_node *node;
    bool have_key; /* mapping: a key was read, its value is next */
    bool dup;      /* mapping: that key is a duplicate; drop the value */
    struct scn_key key;
};

struct parse {
    const char *path;
    const char *text;
    struct scn_errors *err;
    struct frame stack[MAX_DEPTH];
    int depth;
    long nodes;
    struct scn_node *root;
    bool failed; /* an error that may leave the tree incomplete */
};

static void perror_at(struct parse *p, yaml_mark_t m, const char *fmt, ...) SIM_PRINTF(3, 4);
static void perror_at(struct parse *p, yaml_mark_t m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scn__verror_at(p->err, p->path, (int)m.line + 1, (int)m.column + 1, fmt, ap);
    va_end(ap);
    p->failed = true;
}

/* Hands a finished node to its parent: the root, a sequence item, or a
 * mapping's key (scalars only, checked for duplicates) or value. */
static void attach(struct parse *p, struct scn_node *n)
{
    if (p->depth == 0) {
        SIM_ASSERT(!p->root);
        p->root = n;
        return;
    }
    struct frame *f = &p->stack[p->depth - 1];
    if (f->node->kind == SCN_SEQ) {
        scn__seq_push(f->node, n);
        return;
    }
    if (!f->have_key) {
        /* Non-scalar keys are refused at their start event. */
        SIM_ASSERT(n->kind == SCN_SCALAR);
        f->have_key = true;
        f->key = (struct scn_key){n->str, n->line, n->col};
        n->str = NULL;
        scn__node_free(n);
        int first = scn__map_find(f->node, f->key.name);
        f->dup = first >= 0;
        if (f->dup) {
            char q[64];
            scn__quote(f->key.name, q, sizeof q);
            scn__error_at(p->err, p->path, f->key.line, f->key.col,
                          "duplicate key %s (first at line %d)", q, f->node->keys[first].line);
            p->failed = true;
        }
        return;
    }
    if (f->dup)
        scn__node_free(n);
    else
        scn__map_put(f->node, f->key.name, f->key.line, f->key.col, n);
    free(f->key.name);
    f->key.name = NULL;
    f->have_key = false;
}

static bool is_null_scalar(const yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    if (tag) return strcmp(tag, YAML_NULL_TAG) == 0;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        if (strcmp((const char *)ev->data.scalar.value, nulls[i]) == 0) return true;
    return false;
}

/* A reader error (bad UTF-8, a control byte) carries a byte offset, not a
 * mark; line and column are counted here, the column in characters. */
static void offset_to_mark(const char *text, size_t off, yaml_mark_t *m)
{
    m->line = 0;
    m->column = 0;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            m->line++;
            m->column = 0;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            m->column++;
        }
    }
}

static void yaml_failed(struct parse *p, const yaml_parser_t *yp)
{
    yaml_mark_t m = yp->problem_mark;
    if (yp->error == YAML_READER_ERROR) {
        offset_to_mark(p->text, yp->problem_offset, &m);
        if (yp->problem_value >= 0)
            perror_at(p, m, "invalid YAML: %s (byte 0x%02x)", yp->problem,
                      (unsigned)yp->problem_value & 0xFFu);
        else
            perror_at(p, m, "invalid YAML: %s", yp->problem);
    } else if (yp->error == YAML_MEMORY_ERROR) {
        fputs("domino: out of memory (libyaml)\n", stderr);
        exit(1);
    } else {
        /* libyaml's commonest complaint about a hand-written file is a tab
         * where YAML wants spaces; say so rather than "cannot start any token". */
        bool tab = m.index < strlen(p->text) && p->text[m.index] == '\t';
        const char *problem = yp->problem ? yp->problem : "syntax error";
        if (tab)
            perror_at(p, m, "invalid YAML: a tab; YAML indents with spaces");
        else if (yp->context)
            perror_at(p, m, "invalid YAML: %s (%s at line %d)", problem, yp->context,
                      (int)yp->context_mark.line + 1);
        else
            perror_at(p, m, "invalid YAML: %s", problem);
    }
}

/* Opens a collection: refuses it as a mapping key and past MAX_DEPTH. */
static bool open_node(struct parse *p, const yaml_event_t *ev, enum scn_kind kind)
{
    if (p->depth > 0) {
        struct frame *f = &p->stack[p->depth - 1];
        if (f->node->kind == SCN_MAP && !f->have_key) {
            perror_at(p, ev->start_mark, "a mapping key must be a plain string, got a %s",
                      kind == SCN_MAP ? "mapping" : "sequence");
            return false;
        }
    }
    if (p->depth == MAX_DEPTH) {
        perror_at(p, ev->start_mark, "nesting deeper than %d levels", MAX_DEPTH);
        return false;
    }
    struct frame *f = &p->stack[p->depth++];
    *f = (struct frame){
        scn__node_new(kind, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1),
        false,
        false,
        {NULL, 0, 0}};
    return true;
}

/* One event; false stops the parse (the tree may then be incomplete). */
static bool on_event(struct parse *p, const yaml_event_t *ev)
{
    if (ev->type == YAML_SCALAR_EVENT || ev->type == YAML_SEQUENCE_START_EVENT ||
        ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_ALIAS_EVENT) {
        if (++p->nodes > MAX_NODES) {
            perror_at(p, ev->start_mark, "more than %d YAML nodes", MAX_NODES);
            return false;
        }
    }
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (p->root) {
            perror_at(p, ev->start_mark, "a scenario file holds one YAML document, found a second");
            return false;
        }
        return true;
    case YAML_ALIAS_EVENT:
        perror_at(p, ev->start_mark, "aliases are not supported (*%s)",
                  (const char *)ev->data.alias.anchor);
        return false;
    case YAML_SCALAR_EVENT: {
        const char *v = (const char *)ev->data.scalar.value;
        if (strlen(v) != ev->data.scalar.length) {
            perror_at(p, ev->start_mark, "a string contains a NUL character");
            return false;
        }
        attach(p, scn__scalar_new(v, is_null_scalar(ev), (int)ev->start_mark.line + 1,
                                  (int)ev->start_mark.column + 1));
        return true;
    }
    case YAML_SEQUENCE_START_EVENT:
        return open_node(p, ev, SCN_SEQ);
    case YAML_MAPPING_START_EVENT:
        return open_node(p, ev, SCN_MAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        SIM_ASSERT(p->depth > 0);
        struct scn_node *n = p->stack[--p->depth].node;
        attach(p, n);
        return true;
    }
    default:
        return true;
    }
}

struct scn_node *scn__parse(const char *path, const char *text, size_t len, struct scn_errors *err)
{
    struct parse p = {.path = path, .text = text, .err = err};
    yaml_parser_t yp;
    if (!yaml_parser_initialize(&yp)) {
        fputs("domino: out of memory (libyaml)\n", stderr);
        exit(1);
    }
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&yp, &ev)) {
            yaml_failed(&p, &yp);
            break;
        }
        bool go = on_event(&p, &ev);
        bool end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (!go || end) break;
    }
    yaml_parser_delete(&yp);
    /* On an early stop the open collections are still on the stack. */
    while (p.depth > 0) {
        struct frame *f = &p.stack[--p.depth];
        free(f->key.name);
        scn__node_free(f->node);
    }
    if (p.failed) {
        scn__node_free(p.root);
        return NULL;
    }
    if (!p.root || p.root->null) {
        scn__error_at(err, path, 1, 1, "empty scenario file");
        scn__node_free(p.root);
        return NULL;
    }
    return p.root;
}
