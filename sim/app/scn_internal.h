/* scn_internal.h - what the loader's files share: the document tree, error
 * reporting and the few helpers more than one stage needs.
 *
 * The tree is deliberately dumber than YAML: three node kinds, scalars kept
 * as text (a scalar is typed only when the builder knows which key it is
 * for, so `threads: "200"` and `threads: 200` mean the same), and every node
 * and every mapping key remembers its 1-based line and column for errors.
 * Mapping keys are unique and kept in file order, because the build order of
 * policies is the file's order of keys.
 *
 * Ownership: a node owns its children, strings and key array; scn__node_free
 * frees a whole subtree. Merge and copy always build new trees, so nothing
 * is ever shared between two trees.
 */
#ifndef SCN_INTERNAL_H
#define SCN_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>

#include "sim/app/scn.h"
#include "sim/kernel/sim_assert.h"

enum scn_kind { SCN_SCALAR, SCN_SEQ, SCN_MAP };

struct scn_key {
    char *name;
    int line, col;
};

struct scn_node {
    enum scn_kind kind;
    bool null; /* a plain `null`, `~`, empty value or `!!null`: "absent" */
    bool set;  /* set by a --set override: errors on it say so */
    int line, col;
    char *str;               /* scalar text */
    int n, cap;              /* sequence items or mapping pairs */
    struct scn_node **items; /* sequence items; mapping values */
    struct scn_key *keys;    /* mapping keys, parallel to items */
};

struct scn_doc {
    char *path;
    struct scn_node *root;            /* the base document, `variants` included */
    int nvariants;                    /* 0: the one implicit variant "base" */
    const struct scn_node **variants; /* mapping nodes inside root */
};

/* ---- tree (scn_yaml.c) -------------------------------------------------- */

struct scn_node *scn__node_new(enum scn_kind kind, int line, int col);
struct scn_node *scn__scalar_new(const char *text, bool null, int line, int col);
void scn__node_free(struct scn_node *n);
struct scn_node *scn__node_copy(const struct scn_node *n);
/* Appends; the node takes ownership of child (and of a copy of key). */
void scn__seq_push(struct scn_node *seq, struct scn_node *child);
void scn__map_put(struct scn_node *map, const char *key, int line, int col, struct scn_node *value);
/* Index of key in a mapping, -1 if absent. */
int scn__map_find(const struct scn_node *map, const char *key);
/* The value, or NULL when absent or null. */
const struct scn_node *scn__map_get(const struct scn_node *map, const char *key);
/* Removes and frees a key and its value; no-op when absent. */
void scn__map_remove(struct scn_node *map, const char *key);
/* The `name` text of a mapping, NULL when it has no scalar name. */
const char *scn__node_name(const struct scn_node *n);

/* Parses a whole YAML text (one document). `path` labels errors. Returns the
 * root, or NULL with errors reported; an empty document is reported too. */
struct scn_node *scn__parse(const char *path, const char *text, size_t len, struct scn_errors *err);

/* ---- merge (scn_merge.c) ------------------------------------------------ */

/* A new tree: over merged onto base by the contract's rule. Either may be
 * NULL (a copy of the other, with null-valued mapping keys dropped). */
struct scn_node *scn__merge(const struct scn_node *base, const struct scn_node *over);

/* ---- overrides (scn_doc.c) ---------------------------------------------- */

/* The overlay that sets `path` to `value` (YAML text) when merged onto
 * `tree`, a merged variant (see scn_build_with). NULL, reported, when the
 * path names nothing in `tree` or the value does not parse. */
struct scn_node *scn__overlay(const struct scn_doc *doc, const struct scn_node *tree,
                              const char *path, const char *value, struct scn_errors *err);

/* ---- errors (scn_errors.c) ---------------------------------------------- */

/* "PATH:LINE:COL: error: MESSAGE"; line 0 leaves out LINE:COL. Identical
 * lines are kept once (the same base error seen through every variant), and
 * past SCN__MAX_ERRORS the rest are counted, not stored. */
#define SCN__MAX_ERRORS 200
void scn__error_at(struct scn_errors *e, const char *path, int line, int col, const char *fmt, ...)
    SIM_PRINTF(5, 6);
void scn__verror_at(struct scn_errors *e, const char *path, int line, int col, const char *fmt,
                    va_list ap) SIM_PRINTF(5, 0);

/* Moves src's lines into dst ordered by line and column (stable: messages
 * about one spot keep the order they were found in), then frees src. A
 * build finds problems section by section; the user reads the file top
 * down. `path` is the prefix every line starts with. */
void scn__errors_move_sorted(struct scn_errors *dst, struct scn_errors *src, const char *path);

/* vsnprintf into a fresh allocation of the exact size; the caller frees. */
char *scn__vformat(const char *fmt, va_list ap) SIM_PRINTF(1, 0);

/* The closest candidate to word within a small edit distance, or NULL.
 * Ties go to the earlier candidate, so suggestions are deterministic. */
const char *scn__did_you_mean(const char *word, const char *const *cands, int n);
/* Writes `"text"` with control bytes escaped and long text cut, for "got
 * "X"" in messages. Always NUL-terminates. */
void scn__quote(const char *s, char *buf, size_t n);

#endif
