/* scn.h - the scenario loader: YAML file -> struct world_config.
 *
 * Stages: libyaml events become a small document tree with line:column on
 * every node (scn_yaml.c); a variant is merged onto the base document by the
 * contract's rule (scn_merge.c: mappings key by key, lists of named mappings
 * item by item by name, `null` removes a key, everything else replaced); the
 * merged tree is validated and converted into the model's config structs
 * (scn_build.c), resolving every name to an index.
 *
 * Errors: bad input is never fatal inside the loader. Every problem found is
 * appended to a struct scn_errors as "FILE:LINE:COL: error: MESSAGE" (naming
 * the key and what was expected, with "did you mean" for near misses), and
 * the caller prints them all and exits 2. A function that reports an error
 * leaves its output zeroed; nothing is half-built.
 */
#ifndef SCN_H
#define SCN_H

#include <stdbool.h>
#include <stdio.h>

#include "models/config.h"

struct scn_errors {
    char **lines;
    int n, cap;
};

void scn_errors_init(struct scn_errors *e);
void scn_errors_fini(struct scn_errors *e);
void scn_errors_print(const struct scn_errors *e, FILE *f);

struct scn_doc;

/* Reads and parses the file and checks the variants list. NULL on error. */
struct scn_doc *scn_open(const char *path, struct scn_errors *err);
void scn_close(struct scn_doc *doc);

/* Variants in file order; a file with no `variants` has one, "base". */
int scn_variant_count(const struct scn_doc *doc);
const char *scn_variant_name(const struct scn_doc *doc, int i);
int scn_variant_find(const struct scn_doc *doc, const char *name); /* -1 if none */

/* Merges variant i onto the base and builds its config. On error returns
 * false with *cfg zeroed. */
bool scn_build(const struct scn_doc *doc, int variant, struct world_config *cfg,
               struct scn_errors *err);

/* scn_build with n overrides on top of the variant, for `domino sweep --set
 * PATH=VALUE`: values[i] (YAML text: a scalar, or a flow collection) is set
 * at paths[i] exactly as if the variant had set it (a mapping merges into
 * the one it replaces, null removes the key), in order, each on the result
 * of the previous. A path is dot-separated: mapping keys, items of named
 * lists by name (services.payment.pools.db.size), items of other lists by
 * 0-based index (faults.0.factor, a list replaced whole, as a variant would).
 * Every step but the last must exist in the merged variant; a path that
 * names nothing is reported with "did you mean" where close. The last key
 * may be new: the build checks it like any other, and errors on a value set
 * this way end in "(set by --set)". */
bool scn_build_with(const struct scn_doc *doc, int variant, const char *const *paths,
                    const char *const *values, int n, struct world_config *cfg,
                    struct scn_errors *err);

#endif
