/* report.c - result trees, deterministic JSON, replication statistics. */
#include "sim/app/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "sim/kernel/sim_assert.h"
#include "sim/kernel/sim_mem.h"
#include "sim/kernel/sim_stat.h"

static struct report *add(struct report *parent, enum report_kind kind, const char *key)
{
    struct report *r = sim_xcalloc(1, sizeof *r);
    r->kind = kind;
    r->key = key ? sim_xstrdup(key) : NULL;
    if (parent) {
        parent->kids =
            sim_xgrow(parent->kids, &parent->cap, (size_t)parent->n + 1, sizeof *parent->kids);
        parent->kids[parent->n++] = r;
    }
    return r;
}

struct report *report_object(struct report *parent, const char *key)
{
    return add(parent, REPORT_OBJECT, key);
}

void report_number(struct report *parent, const char *key, double v)
{
    add(parent, REPORT_NUMBER, key)->num = v;
}

void report_string(struct report *parent, const char *key, const char *s)
{
    add(parent, REPORT_STRING, key)->str = sim_xstrdup(s);
}

void report_copy_into(struct report *parent, const struct report *r)
{
    switch (r->kind) {
    case REPORT_OBJECT: {
        struct report *o = report_object(parent, r->key);
        for (int i = 0; i < r->n; i++)
            report_copy_into(o, r->kids[i]);
        return;
    }
    case REPORT_NUMBER:
        report_number(parent, r->key, r->num);
        return;
    case REPORT_STRING:
        report_string(parent, r->key, r->str);
        return;
    case REPORT_BOOL:
        report_bool(parent, r->key, r->b);
        return;
    case REPORT_NULL:
        report_null(parent, r->key);
        return;
    }
}

void report_bool(struct report *parent, const char *key, bool b)
{
    add(parent, REPORT_BOOL, key)->b = b;
}

void report_null(struct report *parent, const char *key)
{
    add(parent, REPORT_NULL, key);
}

struct report *report_get(const struct report *obj, const char *key)
{
    for (int i = 0; i < obj->n; i++)
        if (obj->kids[i]->key && strcmp(obj->kids[i]->key, key) == 0) return obj->kids[i];
    return NULL;
}

void report_free(struct report *r)
{
    if (!r) return;
    for (int i = 0; i < r->n; i++)
        report_free(r->kids[i]);
    free(r->kids);
    free(r->key);
    free(r->str);
    free(r);
}

static void json_string(const char *s, FILE *f)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void report_csv_number(double v, FILE *f)
{
    if (!isfinite(v)) return;
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        fprintf(f, "%.0f", v == 0 ? 0.0 : v); /* no "-0" */
    else
        fprintf(f, "%.10g", v);
}

void report_csv_field(FILE *f, const char *s)
{
    size_t n = strlen(s);
    if (!s[strcspn(s, ",\"\r\n")] && !(n > 0 && (s[0] == ' ' || s[n - 1] == ' '))) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void json_number(double v, FILE *f)
{
    if (isfinite(v))
        report_csv_number(v, f);
    else
        fputs("null", f);
}

static void json(const struct report *r, FILE *f, int depth)
{
    switch (r->kind) {
    case REPORT_NUMBER:
        json_number(r->num, f);
        return;
    case REPORT_STRING:
        json_string(r->str, f);
        return;
    case REPORT_BOOL:
        fputs(r->b ? "true" : "false", f);
        return;
    case REPORT_NULL:
        fputs("null", f);
        return;
    case REPORT_OBJECT:
        break;
    }
    if (r->n == 0) {
        fputs("{}", f);
        return;
    }
    fputs("{\n", f);
    for (int i = 0; i < r->n; i++) {
        fprintf(f, "%*s", 2 * (depth + 1), "");
        json_string(r->kids[i]->key, f);
        fputs(": ", f);
        json(r->kids[i], f, depth + 1);
        fputs(i + 1 < r->n ? ",\n" : "\n", f);
    }
    fprintf(f, "%*s}", 2 * depth, "");
}

void report_write_json(const struct report *r, FILE *f)
{
    json(r, f, 0);
    fputc('\n', f);
}

/* One node per line: "<kind>\t<key>\t<value>", objects closed by "}".
 * Keys never hold tabs or newlines (names are [a-z0-9_-], edges add " -> ."),
 * and numbers use %a so the parent reads back the exact double. */
static void save(const struct report *r, FILE *f)
{
    const char *key = r->key ? r->key : "";
    switch (r->kind) {
    case REPORT_OBJECT:
        fprintf(f, "{\t%s\n", key);
        for (int i = 0; i < r->n; i++)
            save(r->kids[i], f);
        fputs("}\n", f);
        return;
    case REPORT_NUMBER:
        fprintf(f, "n\t%s\t%a\n", key, r->num);
        return;
    case REPORT_STRING:
        fprintf(f, "s\t%s\t%s\n", key, r->str);
        return;
    case REPORT_BOOL:
        fprintf(f, "b\t%s\t%d\n", key, r->b);
        return;
    case REPORT_NULL:
        fprintf(f, "z\t%s\n", key);
        return;
    }
}

void report_save(const struct report *r, FILE *f)
{
    save(r, f);
}

struct report *report_load(FILE *f)
{
    char line[4096];
    struct report *stack[64];
    int depth = 0;
    struct report *root = NULL;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (line[0] == '}') {
            if (depth == 0) goto bad;
            depth--;
            continue;
        }
        char *key = strchr(line, '\t');
        if (!key) goto bad;
        *key++ = 0;
        char *val = strchr(key, '\t');
        if (val) *val++ = 0;
        struct report *parent = depth ? stack[depth - 1] : NULL;
        const char *k = parent ? key : NULL;
        if (!parent && root) goto bad;
        switch (line[0]) {
        case '{': {
            struct report *o = report_object(parent, k);
            if (!root) root = o;
            if (depth == 64) goto bad;
            stack[depth++] = o;
            break;
        }
        case 'n':
            if (!val || !parent) goto bad;
            report_number(parent, k, strtod(val, NULL));
            break;
        case 's':
            if (!val || !parent) goto bad;
            report_string(parent, k, val);
            break;
        case 'b':
            if (!val || !parent) goto bad;
            report_bool(parent, k, val[0] == '1');
            break;
        case 'z':
            if (!parent) goto bad;
            report_null(parent, k);
            break;
        default:
            goto bad;
        }
    }
    if (depth != 0 || !root) goto bad;
    return root;
bad:
    report_free(root);
    return NULL;
}

static void stats(struct report *parent, const char *key, struct report *const *runs, int n)
{
    struct sim_tally t;
    sim_tally_init(&t);
    for (int i = 0; i < n; i++) {
        double v = runs[i]->kind == REPORT_NUMBER ? runs[i]->num
                   : runs[i]->kind == REPORT_BOOL ? (double)runs[i]->b
                                                  : (double)NAN;
        if (isfinite(v)) sim_tally_add(&t, v);
    }
    if (t.n == 0) {
        report_null(parent, key);
        return;
    }
    struct report *o = report_object(parent, key);
    report_number(o, "mean", t.mean);
    double ci = t.n > 1 ? gsl_cdf_tdist_Qinv(0.025, (double)(t.n - 1)) * sim_tally_sd(&t) /
                              sqrt((double)t.n)
                        : (double)NAN;
    report_number(o, "ci95", ci);
    report_number(o, "min", t.min);
    report_number(o, "max", t.max);
}

static bool kept(const char *key, const char *const *keep)
{
    for (; keep && *keep; keep++)
        if (key && strcmp(key, *keep) == 0) return true;
    return false;
}

static void fold(struct report *parent, struct report *const *runs, int n, const char *const *keep)
{
    const struct report *first = runs[0];
    bool numeric = false;
    for (int i = 0; i < n; i++)
        numeric |= runs[i]->kind == REPORT_NUMBER || runs[i]->kind == REPORT_BOOL;
    if (first->kind == REPORT_OBJECT) {
        struct report *o = report_object(parent, first->key);
        struct report **kids = sim_xmalloc((size_t)n * sizeof *kids);
        for (int k = 0; k < first->n; k++) {
            for (int i = 0; i < n; i++) {
                SIM_ASSERT(runs[i]->kind == REPORT_OBJECT && runs[i]->n == first->n);
                kids[i] = runs[i]->kids[k];
            }
            fold(o, kids, n, NULL);
        }
        free(kids);
    } else if (kept(first->key, keep) || !numeric) {
        report_copy_into(parent, first);
    } else {
        stats(parent, first->key, runs, n);
    }
}

struct report *report_aggregate(struct report *const *runs, int n, const char *const *keep)
{
    SIM_ASSERT(n >= 1 && runs[0]->kind == REPORT_OBJECT);
    struct report *root = report_object(NULL, NULL);
    struct report **kids = sim_xmalloc((size_t)n * sizeof *kids);
    for (int k = 0; k < runs[0]->n; k++) {
        for (int i = 0; i < n; i++) {
            SIM_ASSERT(runs[i]->n == runs[0]->n);
            kids[i] = runs[i]->kids[k];
        }
        fold(root, kids, n, keep);
    }
    free(kids);
    return root;
}
