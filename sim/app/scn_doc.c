/* scn_doc.c - a scenario document: reading the file, its variants, and
 * `--set` overrides of the base document.
 *
 * scn_open checks only what every variant shares: the file is readable,
 * small enough, one YAML document whose top level is a mapping, and a
 * well-formed variants list (names unique and usable as folder names, no
 * nested variants, no list in a variant naming an item twice, which the
 * merge would otherwise resolve silently). Everything else depends on the
 * merged variant and is checked by scn_build.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/app/scn_internal.h"
#include "sim/kernel/sim_mem.h"

/* Scenarios are kilobytes; 16 MiB is far past any hand-written or generated
 * one, and bounds the memory a wrong path (a log file, a core dump) costs. */
#define SCN_MAX_BYTES ((size_t)16 << 20)

/* The whole file, NUL-terminated; NULL (reported) if unreadable or too big. */
static char *read_file(const char *path, size_t *len, struct scn_errors *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        scn__error_at(err, path, 0, 0, "cannot read: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = sim_xmalloc(cap);
    for (;;) {
        if (n + 1 == cap) {
            if (cap > SCN_MAX_BYTES) {
                scn__error_at(err, path, 0, 0, "file is larger than 16 MiB; not a scenario");
                fclose(f);
                free(buf);
                return NULL;
            }
            cap *= 2;
            buf = sim_xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        /* fread on a directory fails with EISDIR, the message users expect. */
        scn__error_at(err, path, 0, 0, "cannot read: %s", strerror(errno));
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    if (n > SCN_MAX_BYTES) {
        scn__error_at(err, path, 0, 0, "file is larger than 16 MiB; not a scenario");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static bool valid_variant_name(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

static bool is_named_list(const struct scn_node *n)
{
    if (n->kind != SCN_SEQ || n->n == 0) return false;
    for (int i = 0; i < n->n; i++)
        if (n->items[i]->kind != SCN_MAP || !scn__node_name(n->items[i])) return false;
    return true;
}

/* Reports a named list of the overlay that names one item twice. */
static bool check_named_dups(const char *path, const struct scn_node *n, struct scn_errors *err)
{
    bool ok = true;
    if (is_named_list(n)) {
        for (int i = 1; i < n->n; i++) {
            const char *name = scn__node_name(n->items[i]);
            for (int j = 0; j < i; j++) {
                if (strcmp(name, scn__node_name(n->items[j])) == 0) {
                    char q[64];
                    scn__quote(name, q, sizeof q);
                    scn__error_at(err, path, n->items[i]->line, n->items[i]->col,
                                  "duplicate name %s in this list (first at line %d)", q,
                                  n->items[j]->line);
                    ok = false;
                    break;
                }
            }
        }
    }
    for (int i = 0; i < n->n; i++)
        ok &= check_named_dups(path, n->items[i], err);
    return ok;
}

static bool check_variants(struct scn_doc *doc, const struct scn_node *v, struct scn_errors *err)
{
    char q[64];
    if (v->kind != SCN_SEQ) {
        scn__error_at(err, doc->path, v->line, v->col,
                      "variants must be a list of {name, ...} mappings, got %s",
                      v->kind == SCN_MAP ? "a mapping" : "a scalar");
        return false;
    }
    bool ok = true;
    doc->variants = sim_xcalloc((size_t)v->n + 1, sizeof *doc->variants);
    for (int i = 0; i < v->n; i++) {
        const struct scn_node *m = v->items[i];
        if (m->kind != SCN_MAP) {
            scn__error_at(err, doc->path, m->line, m->col,
                          "a variant must be a mapping {name, ...}, got %s",
                          m->kind == SCN_SEQ ? "a list" : "a scalar");
            ok = false;
            continue;
        }
        const struct scn_node *name = scn__map_get(m, "name");
        if (!name) {
            scn__error_at(err, doc->path, m->line, m->col,
                          "missing required key 'name' in a variant");
            ok = false;
        } else if (name->kind != SCN_SCALAR || !valid_variant_name(name->str)) {
            if (name->kind == SCN_SCALAR) scn__quote(name->str, q, sizeof q);
            scn__error_at(err, doc->path, name->line, name->col,
                          "variant name must match [a-z0-9_-]+, got %s",
                          name->kind == SCN_SCALAR ? q : "a collection");
            ok = false;
        } else {
            for (int j = 0; j < doc->nvariants; j++) {
                const struct scn_node *o = scn__map_get(doc->variants[j], "name");
                if (strcmp(o->str, name->str) == 0) {
                    scn__quote(name->str, q, sizeof q);
                    scn__error_at(err, doc->path, name->line, name->col,
                                  "duplicate variant name %s (first at line %d)", q, o->line);
                    ok = false;
                    break;
                }
            }
        }
        int nested = scn__map_find(m, "variants");
        if (nested >= 0) {
            scn__error_at(err, doc->path, m->keys[nested].line, m->keys[nested].col,
                          "a variant cannot have variants of its own");
            ok = false;
        }
        ok &= check_named_dups(doc->path, m, err);
        if (ok) doc->variants[doc->nvariants++] = m;
    }
    return ok;
}

struct scn_doc *scn_open(const char *path, struct scn_errors *err)
{
    size_t len = 0;
    char *text = read_file(path, &len, err);
    if (!text) return NULL;
    struct scn_node *root = scn__parse(path, text, len, err);
    free(text);
    if (!root) return NULL;
    if (root->kind != SCN_MAP) {
        char q[64];
        if (root->kind == SCN_SCALAR) scn__quote(root->str, q, sizeof q);
        scn__error_at(err, path, root->line, root->col,
                      "the top level must be a mapping of scenario keys (name, duration, "
                      "services, ...), got %s",
                      root->kind == SCN_SEQ ? "a list" : q);
        scn__node_free(root);
        return NULL;
    }
    struct scn_doc *doc = sim_xcalloc(1, sizeof *doc);
    doc->path = sim_xstrdup(path);
    doc->root = root;
    const struct scn_node *v = scn__map_get(root, "variants");
    if (v && !check_variants(doc, v, err)) {
        scn_close(doc);
        return NULL;
    }
    return doc;
}

void scn_close(struct scn_doc *doc)
{
    if (!doc) return;
    scn__node_free(doc->root);
    free(doc->variants);
    free(doc->path);
    free(doc);
}

int scn_variant_count(const struct scn_doc *doc)
{
    return doc->nvariants > 0 ? doc->nvariants : 1;
}

const char *scn_variant_name(const struct scn_doc *doc, int i)
{
    SIM_ASSERT(i >= 0 && i < scn_variant_count(doc));
    return doc->nvariants > 0 ? scn__node_name(doc->variants[i]) : "base";
}

int scn_variant_find(const struct scn_doc *doc, const char *name)
{
    for (int i = 0; i < scn_variant_count(doc); i++)
        if (strcmp(scn_variant_name(doc, i), name) == 0) return i;
    return -1;
}

/* ---- --set ---------------------------------------------------------------- */

static void mark_set(struct scn_node *n)
{
    n->set = true;
    for (int i = 0; i < n->n; i++)
        mark_set(n->items[i]);
}

/* The value of --set: plain text is one scalar (so "a: b" stays text, and
 * null/~ remove the key as in a variant); text opening a flow collection or
 * a quoted string is read as YAML, so a rate list can be swept too. */
static struct scn_node *parse_value(const struct scn_doc *doc, const char *path, const char *value,
                                    struct scn_errors *err)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    if (strchr("[{\"'", value[0]) == NULL || value[0] == '\0') {
        bool null = false;
        for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
            null |= strcmp(value, nulls[i]) == 0;
        return scn__scalar_new(value, null, 0, 0);
    }
    size_t len = strlen(doc->path) + strlen(path) + 16;
    char *label = sim_xmalloc(len);
    snprintf(label, len, "%s: --set %s", doc->path, path);
    struct scn_node *n = scn__parse(label, value, strlen(value), err);
    free(label);
    return n;
}

static int seq_lookup(const struct scn_node *seq, const char *seg)
{
    for (int i = 0; i < seq->n; i++) {
        const char *name = seq->items[i]->kind == SCN_MAP ? scn__node_name(seq->items[i]) : NULL;
        if (name && strcmp(name, seg) == 0) return i;
    }
    /* Lists without names (faults, steps) are addressed by 0-based index. */
    char *end;
    errno = 0;
    long k = strtol(seg, &end, 10);
    if (*seg >= '0' && *seg <= '9' && !*end && errno == 0 && k < seq->n) return (int)k;
    return -1;
}

/* Gives a replacing node the place of the node it replaces, so errors about
 * the new value point where the old one was written. */
static void place(struct scn_node *n, int line, int col)
{
    n->line = line;
    n->col = col;
    for (int i = 0; i < n->n; i++) {
        if (n->keys) n->keys[i].line = line, n->keys[i].col = col;
        place(n->items[i], line, col);
    }
}

/* ---- overrides on top of a variant (domino sweep) ----------------------------- */

/* One path being resolved, for messages: "--set PATH: no 'x' in PREFIX". */
struct setpath {
    const struct scn_doc *doc;
    const char *path;
    char **segs;
    int nsegs;
    struct scn_errors *err;
};

/* "services.payment", the segments before i; "the top level" for none. */
static void prefix(const struct setpath *sp, int i, char *buf, size_t n)
{
    if (i == 0) {
        snprintf(buf, n, "the top level");
        return;
    }
    size_t o = 0;
    buf[0] = '\0';
    for (int k = 0; k < i && o < n; k++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", k ? "." : "", sp->segs[k]);
}

static void set_error(const struct setpath *sp, int i, const char *what, const char *word,
                      const char *const *cands, int ncands)
{
    char where[256];
    prefix(sp, i, where, sizeof where);
    const char *dym = word ? scn__did_you_mean(word, cands, ncands) : NULL;
    if (dym)
        scn__error_at(sp->err, sp->doc->path, 0, 0, "--set %s: %s in %s; did you mean '%s'?",
                      sp->path, what, where, dym);
    else
        scn__error_at(sp->err, sp->doc->path, 0, 0, "--set %s: %s in %s", sp->path, what, where);
}

/* The overlay that sets segs[i..] below `at` (a node of the merged variant)
 * to `value` (consumed), in the variant merge rule's terms: a mapping for a
 * mapping key, a one-item named list for an item of a named list, and for a
 * list without names (faults, steps, rate) a copy of the whole list with the
 * one item changed, since the rule replaces such lists whole. Nodes take the
 * positions of what they change, so an error on a value points at the line
 * of the value it replaced. NULL (reported) when the path names nothing. */
static struct scn_node *overlay_at(const struct setpath *sp, const struct scn_node *at, int i,
                                   struct scn_node *value)
{
    const char *seg = sp->segs[i];
    bool last = i == sp->nsegs - 1;
    char what[160];
    if (at->kind == SCN_SCALAR) {
        char where[256];
        prefix(sp, i, where, sizeof where);
        scn__error_at(sp->err, sp->doc->path, 0, 0,
                      "--set %s: %s is a value, not a mapping or list; it has no '%s'", sp->path,
                      where, seg);
        scn__node_free(value);
        return NULL;
    }
    if (at->kind == SCN_MAP) {
        int k = scn__map_find(at, seg);
        struct scn_node *over = scn__node_new(SCN_MAP, at->line, at->col);
        struct scn_node *child;
        if (last) {
            /* A new last key is fine (a timeout a policy did not have); the
             * build checks it like any key, with its own "did you mean". */
            if (k >= 0)
                place(value, at->items[k]->line, at->items[k]->col);
            else
                place(value, at->line, at->col);
            child = value;
        } else if (k < 0) {
            const char **keys = sim_xcalloc((size_t)at->n + 1, sizeof *keys);
            for (int j = 0; j < at->n; j++)
                keys[j] = at->keys[j].name;
            snprintf(what, sizeof what, "no key '%s'", seg);
            set_error(sp, i, what, seg, keys, at->n);
            free(keys);
            scn__node_free(value);
            scn__node_free(over);
            return NULL;
        } else if (!(child = overlay_at(sp, at->items[k], i + 1, value))) {
            scn__node_free(over);
            return NULL;
        }
        scn__map_put(over, seg, k >= 0 ? at->keys[k].line : at->line,
                     k >= 0 ? at->keys[k].col : at->col, child);
        return over;
    }

    if (is_named_list(at)) {
        int k = seq_lookup(at, seg);
        if (k < 0 || strcmp(scn__node_name(at->items[k]), seg) != 0) {
            const char **names = sim_xcalloc((size_t)at->n + 1, sizeof *names);
            for (int j = 0; j < at->n; j++)
                names[j] = scn__node_name(at->items[j]);
            snprintf(what, sizeof what, "no item named '%s'", seg);
            set_error(sp, i, what, seg, names, at->n);
            free(names);
            scn__node_free(value);
            return NULL;
        }
        if (last) {
            scn__error_at(sp->err, sp->doc->path, 0, 0,
                          "--set %s: an item of a named list is not a value; set one of its "
                          "keys (%s.KEY)",
                          sp->path, sp->path);
            scn__node_free(value);
            return NULL;
        }
        if (i + 1 == sp->nsegs - 1 && strcmp(sp->segs[i + 1], "name") == 0) {
            scn__error_at(sp->err, sp->doc->path, 0, 0,
                          "--set %s: a name is what addresses its item; it cannot be changed",
                          sp->path);
            scn__node_free(value);
            return NULL;
        }
        const struct scn_node *item = at->items[k];
        struct scn_node *child = overlay_at(sp, item, i + 1, value);
        if (!child) return NULL;
        /* The item's name is what the merge matches it by. */
        scn__map_put(child, "name", item->line, item->col,
                     scn__scalar_new(seg, false, item->line, item->col));
        struct scn_node *over = scn__node_new(SCN_SEQ, at->line, at->col);
        scn__seq_push(over, child);
        return over;
    }

    /* A list without names: 0-based index. */
    char *end;
    errno = 0;
    long k = strtol(seg, &end, 10);
    if (!(*seg >= '0' && *seg <= '9') || *end || errno || k >= at->n) {
        char where[256];
        prefix(sp, i, where, sizeof where);
        if (at->n == 0)
            scn__error_at(sp->err, sp->doc->path, 0, 0, "--set %s: %s is an empty list", sp->path,
                          where);
        else
            scn__error_at(sp->err, sp->doc->path, 0, 0,
                          "--set %s: %s is a list without names; its items are 0 to %d, not "
                          "'%s'",
                          sp->path, where, at->n - 1, seg);
        scn__node_free(value);
        return NULL;
    }
    const struct scn_node *item = at->items[k];
    struct scn_node *changed;
    if (last) {
        place(value, item->line, item->col);
        changed = value;
    } else {
        if (item->kind == SCN_MAP && i + 1 == sp->nsegs - 1 &&
            strcmp(sp->segs[i + 1], "name") == 0) {
            /* A name would turn the list into a named one, merged differently. */
            scn__error_at(sp->err, sp->doc->path, 0, 0,
                          "--set %s: the name of a list item cannot be changed", sp->path);
            scn__node_free(value);
            return NULL;
        }
        struct scn_node *sub = overlay_at(sp, item, i + 1, value);
        if (!sub) return NULL;
        changed = scn__merge(item, sub);
        scn__node_free(sub);
    }
    struct scn_node *over = scn__node_new(SCN_SEQ, at->line, at->col);
    for (int j = 0; j < at->n; j++) {
        if (j != k)
            scn__seq_push(over, scn__node_copy(at->items[j]));
        else if (!changed->null)
            scn__seq_push(over, changed); /* null removes the item */
    }
    if (changed->null) scn__node_free(changed);
    return over;
}

struct scn_node *scn__overlay(const struct scn_doc *doc, const struct scn_node *tree,
                              const char *path, const char *value, struct scn_errors *err)
{
    char *segs = sim_xstrdup(path);
    char *parts[64];
    int np = 0;
    bool ok = true;
    for (char *p = segs, *dot;; p = dot + 1) {
        dot = strchr(p, '.');
        if (dot) *dot = '\0';
        if (!*p || np == 64) {
            ok = false;
            break;
        }
        parts[np++] = p;
        if (!dot) break;
    }
    struct setpath sp = {doc, path, parts, np, err};
    struct scn_node *over = NULL;
    if (!ok) {
        scn__error_at(err, doc->path, 0, 0,
                      "--set %s: a path is keys and names separated by dots, like "
                      "services.payment.pools.db.size",
                      path);
    } else if (strcmp(parts[0], "variants") == 0) {
        scn__error_at(err, doc->path, 0, 0,
                      "--set %s: the variants cannot be changed; choose one with --variant", path);
    } else if (np == 1 && strcmp(parts[0], "name") == 0) {
        scn__error_at(err, doc->path, 0, 0,
                      "--set %s: the scenario's name names its results folder; it cannot be "
                      "changed",
                      path);
    } else {
        struct scn_node *v = parse_value(doc, path, value, err);
        if (v) {
            mark_set(v);
            over = overlay_at(&sp, tree, 0, v);
        }
    }
    free(segs);
    return over;
}
