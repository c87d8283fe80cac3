/* report.h - a result tree (summary.json, perf.json) and its writers.
 *
 * A run produces a tree of objects, numbers, strings, booleans and nulls in
 * a fixed key order (the order the summary builder adds them), so the JSON is
 * byte-identical for the same inputs. Numbers are printed by one rule:
 * integral values below 2^53 as integers, others with %.10g; NaN and
 * infinities as null.
 *
 * Replications: each run's tree is serialised (report_save) by the worker
 * process that ran it and read back (report_load) by the parent, which folds
 * them with report_aggregate(): every number becomes {mean, ci95, min, max}
 * (ci95: half-width of the t interval, GSL's t quantile with R-1 degrees of
 * freedom), except the identity fields listed by the caller.
 *
 * Ownership: a node owns its children and strings; report_free frees a tree.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdio.h>

enum report_kind { REPORT_OBJECT, REPORT_NUMBER, REPORT_STRING, REPORT_BOOL, REPORT_NULL };

struct report {
    enum report_kind kind;
    char *key;
    double num;
    char *str;
    bool b;
    struct report **kids;
    int n;
    size_t cap;
};

struct report *report_object(struct report *parent, const char *key);
void report_number(struct report *parent, const char *key, double v);
void report_string(struct report *parent, const char *key, const char *s);
void report_bool(struct report *parent, const char *key, bool b);
void report_null(struct report *parent, const char *key);
/* Adds a deep copy of r (its key and everything below) to parent. */
void report_copy_into(struct report *parent, const struct report *r);
struct report *report_get(const struct report *obj, const char *key);
void report_free(struct report *r);

void report_write_json(const struct report *r, FILE *f);

/* One CSV field (RFC 4180): quoted, with its quotes doubled, when it holds a
 * comma, a quote or a line break or starts or ends with a space. Every CSV
 * domino writes puts its text through here. */
void report_csv_field(FILE *f, const char *s);
/* A number as summary.json writes it (integral values as integers, others
 * with %.10g), so a figure reads the same in every file; nothing for NaN or
 * infinities (an empty CSV field). */
void report_csv_number(double v, FILE *f);
/* A line format for passing trees between processes; false on a bad file. */
void report_save(const struct report *r, FILE *f);
struct report *report_load(FILE *f);

/* Folds n trees of identical shape. Keys in `keep` (top-level only) are
 * copied from the first tree as they are. */
struct report *report_aggregate(struct report *const *runs, int n, const char *const *keep);

#endif
