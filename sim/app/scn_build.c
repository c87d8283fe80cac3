/* scn_build.c - a merged document tree -> struct world_config.
 *
 * One pass over the tree per section, in an order that lets every name be
 * resolved when it is used: the scalars of the top level, then policies
 * (steps and loads name them), services in two passes (first every
 * service's name, pools and endpoint names, then the steps, whose calls may
 * name a service defined further down), the call graph's cycles, loads
 * (which may append a synthesized policy "load/<name>"), faults, then the
 * event-driven sections: bus, subscriptions, choreographies, sagas (which
 * may append "saga/<name>/compensation") and projections. Arrays keep the
 * file's order, so indices and output follow the file. Event and effect
 * names have no section of their own: they are gathered where they are
 * used, and whether each one waited for is published (and each undone
 * effect is some endpoint's) is checked last, when every use is known.
 *
 * Every problem is reported and the build goes on, so one run of `check`
 * lists them all. Two habits keep one mistake from being reported many
 * times: an element keeps its name even when the name is malformed or a
 * duplicate (so references to it still resolve), and a bad value leaves
 * the field at its default instead of poisoning what depends on it.
 *
 * Scalars are typed here, by the key they are for; the messages name the
 * key, what it must be, and what the file says ("threads must be an
 * integer >= 1 or "unlimited", got "-3"). User text is double-quoted and
 * escaped; names this program suggests are single-quoted.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/app/scn_internal.h"
#include "sim/kernel/sim_mem.h"

/* An edge of the call graph, kept to find cycles once every step is built. */
struct edge {
    int from, to; /* flat endpoint indices */
    const struct scn_node *at;
};

/* A name used at `at` that something else in the file must define. */
struct ref {
    int index;
    const struct scn_node *at;
};

struct bld {
    const char *path;
    struct scn_errors *err;
    int nerr; /* errors of this build; the list itself drops repeats */
    struct world_config *cfg;
    int nuser_policies; /* cfg->policies before loads append theirs */
    int *ep_base;       /* flat index of each service's first endpoint */
    int nflat;
    char **ep_names;   /* "service.endpoint", by flat index */
    char **pool_names; /* "service.pool", service after service */
    int npool_names;
    struct edge *edges;
    size_t nedges, edges_cap;
    /* cfg->events and cfg->effects grow as names are met; each name has a
     * flag: the event is published somewhere, the effect is some endpoint's
     * `effect`. What needs the flag set is checked once everything is built
     * (check_refs): a subscription may name an event published by a service
     * further down, an `undo` an effect of one. */
    size_t events_cap, effects_cap;
    bool *published, *effected;
    size_t published_cap, effected_cap;
    struct ref *ev_uses; /* subscriptions, terminal events, projections */
    size_t nev_uses, ev_uses_cap;
    struct ref *undos;
    size_t nundos, undos_cap;
};

/* ---- reporting ------------------------------------------------------------ */

static void verr(struct bld *b, const struct scn_node *n, int line, int col, const char *fmt,
                 va_list ap) SIM_PRINTF(5, 0);
static void verr(struct bld *b, const struct scn_node *n, int line, int col, const char *fmt,
                 va_list ap)
{
    char *msg = scn__vformat(fmt, ap);
    scn__error_at(b->err, b->path, line, col, "%s%s", msg, n && n->set ? " (set by --set)" : "");
    free(msg);
    b->nerr++;
}

static void err_at(struct bld *b, const struct scn_node *n, const char *fmt, ...) SIM_PRINTF(3, 4);
static void err_at(struct bld *b, const struct scn_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(b, n, n->line, n->col, fmt, ap);
    va_end(ap);
}

/* At the i-th key of a mapping: unknown and misplaced keys point there. */
static void err_key(struct bld *b, const struct scn_node *map, int i, const char *fmt, ...)
    SIM_PRINTF(4, 5);
static void err_key(struct bld *b, const struct scn_node *map, int i, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(b, map->items[i], map->keys[i].line, map->keys[i].col, fmt, ap);
    va_end(ap);
}

/* What a node is, for "got X". */
static const char *got(const struct scn_node *n, char *buf, size_t len)
{
    if (n->kind == SCN_MAP) return "a mapping";
    if (n->kind == SCN_SEQ) return "a list";
    if (n->null) return "null";
    scn__quote(n->str, buf, len);
    return buf;
}

#define GOTBUF 64

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0) return true;
    return false;
}

static int list_len(const char *const *list)
{
    int n = 0;
    while (list[n])
        n++;
    return n;
}

/* "a, b or c" */
static void join(const char *const *list, char *buf, size_t len)
{
    size_t o = 0;
    int n = list_len(list);
    buf[0] = '\0';
    for (int i = 0; i < n && o < len; i++) {
        const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        o += (size_t)snprintf(buf + o, len - o, "%s%s", sep, list[i]);
    }
}

/* Every key of map must be in known. `where` reads after "unknown key X":
 * "in service 'payment'". */
static void check_keys(struct bld *b, const struct scn_node *map, const char *where,
                       const char *const *known)
{
    for (int i = 0; i < map->n; i++) {
        const char *k = map->keys[i].name;
        if (in_list(k, known)) continue;
        const char *dym = scn__did_you_mean(k, known, list_len(known));
        char q[GOTBUF];
        scn__quote(k, q, sizeof q);
        if (dym) {
            err_key(b, map, i, "unknown key %s %s; did you mean '%s'?", q, where, dym);
        } else {
            char all[512];
            join(known, all, sizeof all);
            err_key(b, map, i, "unknown key %s %s (expected %s)", q, where, all);
        }
    }
}

/* Keys that exist in this context but not for the kind chosen. */
static void reject_keys(struct bld *b, const struct scn_node *map, const char *const *keys,
                        const char *what)
{
    for (int i = 0; i < map->n; i++)
        if (in_list(map->keys[i].name, keys))
            err_key(b, map, i, "%s does not apply to %s", map->keys[i].name, what);
}

static const struct scn_node *need(struct bld *b, const struct scn_node *map, const char *key,
                                   const char *where)
{
    const struct scn_node *v = scn__map_get(map, key);
    if (!v) err_at(b, map, "missing required key '%s' %s", key, where);
    return v;
}

/* ---- scalars ------------------------------------------------------------ */

static bool is_scalar(const struct scn_node *n)
{
    return n->kind == SCN_SCALAR && !n->null;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* 0 ok, 1 not an integer, 2 out of int64 range (sign in *neg). */
static int parse_i64(const char *s, int64_t *out, bool *neg)
{
    const char *p = s;
    *neg = *p == '-';
    if (*p == '-' || *p == '+') p++;
    if (!is_digit(*p)) return 1;
    for (const char *q = p; *q; q++)
        if (!is_digit(*q)) return 1;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE) return 2;
    *out = v;
    return 0;
}

/* `alt` completes "must be an integer >= MIN": "" or ` or "unlimited"`. */
static bool to_int(struct bld *b, const struct scn_node *n, const char *key, int64_t min,
                   int64_t max, const char *alt, int64_t *out)
{
    char gb[GOTBUF];
    int64_t v = 0;
    bool neg = false;
    int r = is_scalar(n) ? parse_i64(n->str, &v, &neg) : 1;
    if (r == 1 || (r == 2 && neg) || (r == 0 && v < min)) {
        err_at(b, n, "%s must be an integer >= %" PRId64 "%s, got %s", key, min, alt,
               got(n, gb, sizeof gb));
        return false;
    }
    if (r == 2 || v > max) {
        err_at(b, n, "%s must be an integer between %" PRId64 " and %" PRId64 ", got %s", key, min,
               max, got(n, gb, sizeof gb));
        return false;
    }
    *out = v;
    return true;
}

static bool to_intv(struct bld *b, const struct scn_node *n, const char *key, int min, int *out)
{
    int64_t v;
    if (!to_int(b, n, key, min, INT_MAX, "", &v)) return false;
    *out = (int)v;
    return true;
}

/* Decimal numbers only: strtod alone would also take "0x1p3", "inf" and
 * "nan", none of which a user means as a rate or a factor. */
static bool is_number(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+') p++;
    bool digits = false;
    while (is_digit(*p))
        p++, digits = true;
    if (*p == '.') {
        p++;
        while (is_digit(*p))
            p++, digits = true;
    }
    if (!digits) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+') p++;
        if (!is_digit(*p)) return false;
        while (is_digit(*p))
            p++;
    }
    return *p == '\0';
}

enum num_rule { NUM_ANY, NUM_GE0, NUM_GT0, NUM_GE1 };

static bool to_num(struct bld *b, const struct scn_node *n, const char *key, enum num_rule rule,
                   double *out)
{
    static const char *const rules[] = {"", " >= 0", " > 0", " >= 1"};
    char gb[GOTBUF];
    double v = 0;
    bool ok = is_scalar(n) && is_number(n->str);
    if (ok) {
        v = strtod(n->str, NULL);
        ok = isfinite(v) && (rule != NUM_GE0 || v >= 0) && (rule != NUM_GT0 || v > 0) &&
             (rule != NUM_GE1 || v >= 1);
    }
    if (!ok) {
        err_at(b, n, "%s must be a number%s, got %s", key, rules[rule], got(n, gb, sizeof gb));
        return false;
    }
    *out = v;
    return true;
}

static bool to_dur(struct bld *b, const struct scn_node *n, const char *key, bool positive,
                   sim_time *out)
{
    char gb[GOTBUF];
    sim_time t = 0;
    const char *msg = is_scalar(n) ? sim_time_parse(n->str, &t) : "";
    if (msg) {
        err_at(b, n, "%s must be a duration like 250ms, 30s or 15m, got %s%s%s", key,
               got(n, gb, sizeof gb), *msg ? ": " : "", msg);
        return false;
    }
    if (positive && t == 0) {
        err_at(b, n, "%s must be a duration > 0, got %s", key, got(n, gb, sizeof gb));
        return false;
    }
    *out = t;
    return true;
}

/* "50%" or a fraction in [0, 1]; a bare 50 is refused rather than guessed. */
static bool to_pct(struct bld *b, const struct scn_node *n, const char *key, bool positive,
                   double *out)
{
    char gb[GOTBUF];
    double v = -1;
    if (is_scalar(n)) {
        size_t len = strlen(n->str);
        if (len > 1 && n->str[len - 1] == '%') {
            char num[64];
            if (len - 1 < sizeof num) {
                memcpy(num, n->str, len - 1);
                num[len - 1] = '\0';
                if (is_number(num)) v = strtod(num, NULL) / 100;
            }
        } else if (is_number(n->str)) {
            v = strtod(n->str, NULL);
        }
    }
    if (!(v >= 0 && v <= 1)) {
        err_at(b, n, "%s must be a percentage like 50%% or a fraction in [0, 1], got %s", key,
               got(n, gb, sizeof gb));
        return false;
    }
    if (positive && v == 0) {
        err_at(b, n, "%s must be above 0%%, got %s", key, got(n, gb, sizeof gb));
        return false;
    }
    *out = v;
    return true;
}

static bool to_bool(struct bld *b, const struct scn_node *n, const char *key, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", NULL};
    static const char *const no[] = {"false", "False", "FALSE", NULL};
    char gb[GOTBUF];
    if (is_scalar(n) && in_list(n->str, yes)) {
        *out = true;
        return true;
    }
    if (is_scalar(n) && in_list(n->str, no)) {
        *out = false;
        return true;
    }
    err_at(b, n, "%s must be true or false, got %s", key, got(n, gb, sizeof gb));
    return false;
}

/* Index in a NULL-terminated table of names, -1 (reported) if absent. */
static int to_enum(struct bld *b, const struct scn_node *n, const char *key,
                   const char *const *names)
{
    char gb[GOTBUF], all[256];
    if (is_scalar(n))
        for (int i = 0; names[i]; i++)
            if (strcmp(names[i], n->str) == 0) return i;
    join(names, all, sizeof all);
    const char *dym = is_scalar(n) ? scn__did_you_mean(n->str, names, list_len(names)) : NULL;
    if (dym)
        err_at(b, n, "%s must be %s, got %s; did you mean '%s'?", key, all, got(n, gb, sizeof gb),
               dym);
    else
        err_at(b, n, "%s must be %s, got %s", key, all, got(n, gb, sizeof gb));
    return -1;
}

/* Names appear in output keys, CSV columns, stream names and (scenario and
 * variant names) directory names, and `.` separates service.endpoint, so
 * they are restricted to a safe alphabet. Directory names are lowercase
 * only: on a case-insensitive file system "A" and "a" would be one folder.
 * A malformed name is still returned, so references to it resolve and the
 * one mistake is reported once. */
static const char *to_name(struct bld *b, const struct scn_node *n, const char *key, bool lower)
{
    char gb[GOTBUF];
    if (!is_scalar(n)) {
        err_at(b, n, "%s must be a name, got %s", key, got(n, gb, sizeof gb));
        return NULL;
    }
    bool ok = n->str[0] != '\0';
    for (const char *p = n->str; *p && ok; p++)
        ok = (*p >= 'a' && *p <= 'z') || is_digit(*p) || *p == '_' || *p == '-' ||
             (!lower && *p >= 'A' && *p <= 'Z');
    if (!ok)
        err_at(b, n, "%s must match %s, got %s", key, lower ? "[a-z0-9_-]+" : "[A-Za-z0-9_-]+",
               got(n, gb, sizeof gb));
    return n->str;
}

/* A list, or reported: "services must be a list of services, got a mapping". */
static bool is_list(struct bld *b, const struct scn_node *n, const char *key, const char *of)
{
    char gb[GOTBUF];
    if (n->kind == SCN_SEQ) return true;
    err_at(b, n, "%s must be a list of %s, got %s", key, of, got(n, gb, sizeof gb));
    return false;
}

static bool is_map(struct bld *b, const struct scn_node *n, const char *what)
{
    char gb[GOTBUF];
    if (n->kind == SCN_MAP) return true;
    err_at(b, n, "%s must be a mapping, got %s", what, got(n, gb, sizeof gb));
    return false;
}

/* Optional keys: leave *out (the default) alone when absent or bad. */
static void opt_dur(struct bld *b, const struct scn_node *m, const char *key, bool pos,
                    sim_time *out)
{
    const struct scn_node *n = scn__map_get(m, key);
    if (n) to_dur(b, n, key, pos, out);
}

static void opt_int(struct bld *b, const struct scn_node *m, const char *key, int min, int *out)
{
    const struct scn_node *n = scn__map_get(m, key);
    if (n) to_intv(b, n, key, min, out);
}

static void opt_num(struct bld *b, const struct scn_node *m, const char *key, enum num_rule r,
                    double *out)
{
    const struct scn_node *n = scn__map_get(m, key);
    if (n) to_num(b, n, key, r, out);
}

static void opt_pct(struct bld *b, const struct scn_node *m, const char *key, bool pos, double *out)
{
    const struct scn_node *n = scn__map_get(m, key);
    if (n) to_pct(b, n, key, pos, out);
}

static void opt_bool(struct bld *b, const struct scn_node *m, const char *key, bool *out)
{
    const struct scn_node *n = scn__map_get(m, key);
    if (n) to_bool(b, n, key, out);
}

/* Index of the chosen name, or dflt when absent or bad. */
static int opt_enum(struct bld *b, const struct scn_node *m, const char *key,
                    const char *const *names, int dflt)
{
    const struct scn_node *n = scn__map_get(m, key);
    int k = n ? to_enum(b, n, key, names) : -1;
    return k < 0 ? dflt : k;
}

/* ---- distributions ---------------------------------------------------------- */

/* Names, their kinds and their keys, row by row. Every parameter is a
 * duration except cv and shape, which are plain numbers. */
static const char *const dist_names[] = {"constant",  "exponential", "uniform", "normal",
                                         "lognormal", "gamma",       "weibull", "pareto",
                                         "mixture",   NULL};
static const char *const dist_params[][6] = {
    {"dist", "value", NULL},
    {"dist", "mean", NULL},
    {"dist", "min", "max", NULL},
    {"dist", "mean", "sd", NULL},
    {"dist", "mean", "sd", "median", "p99", NULL},
    {"dist", "mean", "cv", NULL},
    {"dist", "scale", "shape", NULL},
    {"dist", "scale", "shape", NULL},
    {"dist", "of", NULL},
};
static const enum sim_dist_kind dist_kinds[] = {
    SIM_DIST_CONSTANT, SIM_DIST_EXPONENTIAL, SIM_DIST_UNIFORM, SIM_DIST_NORMAL,  SIM_DIST_LOGNORMAL,
    SIM_DIST_GAMMA,    SIM_DIST_WEIBULL,     SIM_DIST_PARETO,  SIM_DIST_MIXTURE,
};
_Static_assert(sizeof dist_kinds / sizeof dist_kinds[0] ==
                       sizeof dist_params / sizeof dist_params[0] &&
                   sizeof dist_names / sizeof dist_names[0] ==
                       sizeof dist_kinds / sizeof dist_kinds[0] + 1,
               "one row per distribution");

/* "an exponential", "a uniform": of the names here only exponential takes "an". */
static const char *article(const char *dist)
{
    return dist[0] == 'e' ? "an" : "a";
}

/* A parameter in seconds (durations) or as a number; false if missing or bad. */
static bool dist_param(struct bld *b, const struct scn_node *m, const char *name, bool number,
                       const char *dname, double *out)
{
    const struct scn_node *n = scn__map_get(m, name);
    if (!n) {
        err_at(b, m, "%s %s distribution needs '%s'", article(dname), dname, name);
        return false;
    }
    if (number) return to_num(b, n, name, NUM_ANY, out);
    sim_time t;
    if (!to_dur(b, n, name, false, &t)) return false;
    *out = sim_time_to_s(t);
    return true;
}

/* Both parameters, each reported when missing or bad (no short circuit). */
static bool two_params(struct bld *b, const struct scn_node *m, const char *dname, const char *p1,
                       bool num1, double *x, const char *p2, bool num2, double *y)
{
    bool ok1 = dist_param(b, m, p1, num1, dname, x);
    bool ok2 = dist_param(b, m, p2, num2, dname, y);
    return ok1 && ok2;
}

static bool build_dist(struct bld *b, const struct scn_node *n, const char *key, bool part,
                       struct sim_dist *out);

static const char *build_mixture(struct bld *b, const struct scn_node *m, const char *key,
                                 struct sim_dist *out)
{
    const struct scn_node *of = scn__map_get(m, "of");
    if (!of) {
        err_at(b, m, "a mixture distribution needs 'of', a list of {weight, dist, ...}");
        return NULL;
    }
    if (!is_list(b, of, "of", "{weight, dist, ...}")) return NULL;
    if (of->n == 0) {
        err_at(b, of, "of must list at least one distribution");
        return NULL;
    }
    double *w = sim_xcalloc((size_t)of->n, sizeof *w);
    struct sim_dist *parts = sim_xcalloc((size_t)of->n, sizeof *parts);
    bool ok = true;
    for (int i = 0; i < of->n; i++) {
        const struct scn_node *p = of->items[i];
        if (!is_map(b, p, "a mixture part")) {
            ok = false;
            continue;
        }
        const struct scn_node *wn = need(b, p, "weight", "in a mixture part");
        ok &= wn && to_num(b, wn, "weight", NUM_GT0, &w[i]);
        ok &= build_dist(b, p, key, true, &parts[i]);
    }
    const char *msg = ok ? sim_dist_mixture(out, (size_t)of->n, w, parts) : NULL;
    for (int i = 0; i < of->n; i++)
        sim_dist_fini(&parts[i]);
    free(parts);
    free(w);
    return msg;
}

/* A bare duration (constant) or {dist: NAME, params}. `part`: a mixture
 * part, which may carry `weight` and may not be a mixture. On failure *out
 * is a constant 0, safe to fini. */
static bool build_dist(struct bld *b, const struct scn_node *n, const char *key, bool part,
                       struct sim_dist *out)
{
    char gb[GOTBUF];
    memset(out, 0, sizeof *out);
    if (n->kind == SCN_SCALAR) {
        sim_time t;
        if (!is_scalar(n) || sim_time_parse(n->str, &t)) {
            err_at(b, n,
                   "%s must be a duration like 5ms or a distribution {dist: exponential, "
                   "mean: 5ms}, got %s",
                   key, got(n, gb, sizeof gb));
            return false;
        }
        const char *msg = sim_dist_constant(out, sim_time_to_s(t));
        SIM_ASSERT(!msg);
        return true;
    }
    if (n->kind != SCN_MAP) {
        err_at(b, n, "%s must be a duration or a distribution {dist: NAME, ...}, got %s", key,
               got(n, gb, sizeof gb));
        return false;
    }
    const struct scn_node *dn = scn__map_get(n, "dist");
    if (!dn) {
        err_at(b, n, "missing required key 'dist' in the distribution of %s", key);
        return false;
    }
    int k = to_enum(b, dn, "dist", dist_names);
    if (k < 0) return false;
    const char *known[8];
    int nk = 0;
    for (int i = 0; dist_params[k][i]; i++)
        known[nk++] = dist_params[k][i];
    if (part) known[nk++] = "weight";
    known[nk] = NULL;
    char where[96];
    snprintf(where, sizeof where, "in %s %s distribution", article(dist_names[k]), dist_names[k]);
    int before = b->nerr;
    check_keys(b, n, where, known);
    if (b->nerr != before) return false;

    const char *dname = dist_names[k];
    double x = 0, y = 0;
    const char *msg = NULL;
    bool ok = true;
    switch (dist_kinds[k]) {
    case SIM_DIST_CONSTANT:
        ok = dist_param(b, n, "value", false, dname, &x) && !(msg = sim_dist_constant(out, x));
        break;
    case SIM_DIST_EXPONENTIAL:
        ok = dist_param(b, n, "mean", false, dname, &x) && !(msg = sim_dist_exponential(out, x));
        break;
    case SIM_DIST_UNIFORM:
        ok = two_params(b, n, dname, "min", false, &x, "max", false, &y);
        ok = ok && !(msg = sim_dist_uniform(out, x, y));
        break;
    case SIM_DIST_NORMAL:
        ok = two_params(b, n, dname, "mean", false, &x, "sd", false, &y);
        ok = ok && !(msg = sim_dist_normal(out, x, y));
        break;
    case SIM_DIST_LOGNORMAL: {
        bool ms = scn__map_get(n, "mean") || scn__map_get(n, "sd");
        bool mp = scn__map_get(n, "median") || scn__map_get(n, "p99");
        if (ms && mp) {
            err_at(b, n, "a lognormal distribution takes {mean, sd} or {median, p99}, not both");
            ok = false;
        } else if (mp) {
            ok = two_params(b, n, dname, "median", false, &x, "p99", false, &y);
            ok = ok && !(msg = sim_dist_lognormal_p99(out, x, y));
        } else {
            ok = two_params(b, n, dname, "mean", false, &x, "sd", false, &y);
            ok = ok && !(msg = sim_dist_lognormal(out, x, y));
        }
        break;
    }
    case SIM_DIST_GAMMA:
        ok = two_params(b, n, dname, "mean", false, &x, "cv", true, &y);
        ok = ok && !(msg = sim_dist_gamma(out, x, y));
        break;
    case SIM_DIST_WEIBULL:
        ok = two_params(b, n, dname, "scale", false, &x, "shape", true, &y);
        ok = ok && !(msg = sim_dist_weibull(out, x, y));
        break;
    case SIM_DIST_PARETO:
        ok = two_params(b, n, dname, "scale", false, &x, "shape", true, &y);
        ok = ok && !(msg = sim_dist_pareto(out, x, y));
        break;
    case SIM_DIST_MIXTURE:
        if (part) {
            err_at(b, dn, "a mixture part cannot itself be a mixture");
            ok = false;
        } else {
            int before2 = b->nerr;
            msg = build_mixture(b, n, key, out);
            ok = !msg && b->nerr == before2;
        }
        break;
    }
    if (msg) {
        /* The constructor names the parameter first ("mean must be > 0"):
         * point at it when the file has it. */
        char word[16];
        size_t w = strcspn(msg, " ");
        const struct scn_node *pn = NULL;
        if (w < sizeof word) {
            memcpy(word, msg, w);
            word[w] = '\0';
            pn = scn__map_get(n, word);
        }
        if (pn)
            err_at(b, pn, "%s: %s, got %s", key, msg, got(pn, gb, sizeof gb));
        else
            err_at(b, n, "%s: %s", key, msg);
    }
    if (!ok) {
        sim_dist_fini(out);
        memset(out, 0, sizeof *out);
    }
    return ok;
}

/* ---- policies ------------------------------------------------------------- */

static const char *const backoff_names[] = {"none", "fixed", "exponential", NULL};
static const char *const jitter_names[] = {"none", "full", "equal", "decorrelated", NULL};
/* The name tables of this file are indexed by the config enums. */
_Static_assert(BACKOFF_NONE == 0 && BACKOFF_FIXED == 1 && BACKOFF_EXPONENTIAL == 2, "backoff");
_Static_assert(JITTER_NONE == 0 && JITTER_FULL == 1 && JITTER_EQUAL == 2 &&
                   JITTER_DECORRELATED == 3,
               "jitter");
_Static_assert(BREAKER_CONSECUTIVE == 0 && BREAKER_SLIDING == 1, "breaker kinds");
_Static_assert(WINDOW_COUNT == 0 && WINDOW_TIME == 1, "windows");
_Static_assert(BULKHEAD_SEMAPHORE == 0 && BULKHEAD_THREADPOOL == 1, "bulkhead kinds");
_Static_assert(FALLBACK_VALUE == 0 && FALLBACK_FAIL == 1, "fallback kinds");
_Static_assert(FAULT_CRASH == 0 && FAULT_PAUSE == 1 && FAULT_SLOW == 2 && FAULT_ERRORS == 3 &&
                   FAULT_POOL == 4,
               "fault kinds");

static const char *const retryable[] = {"timeout",       "error",     "rejected", "short_circuited",
                                        "bulkhead_full", "throttled", NULL};

static void build_retry(struct bld *b, const struct scn_node *m, struct retry_config *r)
{
    static const char *const keys[] = {"attempts", "backoff", "base",   "multiplier", "cap",
                                       "jitter",   "on",      "budget", "bucket",     NULL};
    static const char *const budget_keys[] = {"ratio", "min_per_s", "window", NULL};
    static const char *const bucket_keys[] = {"capacity", "per_call", "cost", NULL};

    /* Resilience4j's default of three attempts; backoff exponential when a
     * base delay is given (what writing one means), else none. */
    r->attempts = 3;
    r->multiplier = 2;
    r->on = OUTCOME_BIT(OUTCOME_TIMEOUT) | OUTCOME_BIT(OUTCOME_ERROR);
    if (!is_map(b, m, "retry")) return;
    check_keys(b, m, "in a retry", keys);
    opt_int(b, m, "attempts", 1, &r->attempts);
    const struct scn_node *base = scn__map_get(m, "base");
    r->backoff = (enum backoff_kind)opt_enum(b, m, "backoff", backoff_names,
                                             base ? BACKOFF_EXPONENTIAL : BACKOFF_NONE);
    if (base)
        to_dur(b, base, "base", false, &r->base);
    else if (r->backoff != BACKOFF_NONE)
        err_at(b, m, "retry with backoff %s needs base (the first delay)",
               backoff_names[r->backoff]);
    opt_num(b, m, "multiplier", NUM_GE1, &r->multiplier);
    opt_dur(b, m, "cap", false, &r->cap);
    r->jitter = (enum jitter_kind)opt_enum(b, m, "jitter", jitter_names, JITTER_NONE);
    if (r->jitter != JITTER_NONE && r->backoff == BACKOFF_NONE)
        err_at(b, scn__map_get(m, "jitter"), "jitter %s needs a backoff (fixed or exponential)",
               jitter_names[r->jitter]);

    const struct scn_node *on = scn__map_get(m, "on");
    if (on) {
        r->on = 0;
        /* `on: timeout` is read as a list of one. */
        int n = on->kind == SCN_SEQ ? on->n : 1;
        for (int i = 0; i < n; i++) {
            const struct scn_node *o = on->kind == SCN_SEQ ? on->items[i] : on;
            int k = to_enum(b, o, "on", retryable);
            if (k >= 0) r->on |= OUTCOME_BIT(outcome_from_name(retryable[k]));
        }
    }

    /* Finagle's RetryBudget defaults: 20% of first tries, 10 per second, over 10 s. */
    const struct scn_node *bu = scn__map_get(m, "budget");
    if (bu && is_map(b, bu, "budget")) {
        check_keys(b, bu, "in a retry budget", budget_keys);
        r->has_budget = true;
        r->budget_ratio = 0.2;
        r->budget_min_per_s = 10;
        r->budget_window = 10 * SIM_S;
        opt_pct(b, bu, "ratio", false, &r->budget_ratio);
        opt_num(b, bu, "min_per_s", NUM_GE0, &r->budget_min_per_s);
        opt_dur(b, bu, "window", true, &r->budget_window);
    }
    const struct scn_node *bk = scn__map_get(m, "bucket");
    if (bk && is_map(b, bk, "bucket")) {
        check_keys(b, bk, "in a retry bucket", bucket_keys);
        r->has_bucket = true;
        r->bucket_capacity = 10;
        r->bucket_per_call = 0.1;
        r->bucket_cost = 1;
        opt_num(b, bk, "capacity", NUM_GT0, &r->bucket_capacity);
        opt_num(b, bk, "per_call", NUM_GE0, &r->bucket_per_call);
        opt_num(b, bk, "cost", NUM_GT0, &r->bucket_cost);
        if (r->bucket_cost > r->bucket_capacity)
            err_at(b, bk,
                   "bucket cost (%g) is larger than its capacity (%g): no retry could "
                   "ever be paid for",
                   r->bucket_cost, r->bucket_capacity);
    }
}

static const char *const breaker_kinds[] = {"consecutive", "sliding", NULL};
static const char *const consecutive_keys[] = {"failure_threshold", "recovery_timeout",
                                               "decay_on_success", NULL};
static const char *const sliding_keys[] = {"window",    "size",      "min_calls", "failure_rate",
                                           "slow_rate", "slow_call", "open_for",  NULL};
static const char *const window_names[] = {"count", "time", NULL};

static bool has_any(const struct scn_node *m, const char *const *keys)
{
    for (; *keys; keys++)
        if (scn__map_find(m, *keys) >= 0) return true;
    return false;
}

static void build_breaker(struct bld *b, const struct scn_node *m, struct breaker_config *c)
{
    static const char *const keys[] = {"kind",
                                       "half_open_calls",
                                       "failure_threshold",
                                       "recovery_timeout",
                                       "decay_on_success",
                                       "window",
                                       "size",
                                       "min_calls",
                                       "failure_rate",
                                       "slow_rate",
                                       "slow_call",
                                       "open_for",
                                       NULL};
    if (!is_map(b, m, "breaker")) return;
    check_keys(b, m, "in a breaker", keys);
    /* Without `kind`, the keys written decide; with none, Resilience4j's. */
    int dflt = has_any(m, consecutive_keys) ? BREAKER_CONSECUTIVE : BREAKER_SLIDING;
    c->kind = (enum breaker_kind)opt_enum(b, m, "kind", breaker_kinds, dflt);
    if (c->kind == BREAKER_CONSECUTIVE) {
        /* The seed guide's breaker: 5 failures, 30 s, one probe. */
        reject_keys(b, m, sliding_keys, "a consecutive breaker");
        c->failure_threshold = 5;
        c->recovery_timeout = 30 * SIM_S;
        c->half_open_calls = 1;
        c->decay_on_success = false;
        opt_int(b, m, "failure_threshold", 1, &c->failure_threshold);
        opt_dur(b, m, "recovery_timeout", true, &c->recovery_timeout);
        opt_int(b, m, "half_open_calls", 1, &c->half_open_calls);
        opt_bool(b, m, "decay_on_success", &c->decay_on_success);
        return;
    }
    /* Resilience4j's CircuitBreakerConfig defaults. */
    reject_keys(b, m, consecutive_keys, "a sliding breaker");
    c->window = (enum window_kind)opt_enum(b, m, "window", window_names, WINDOW_COUNT);
    c->size = 100;
    c->min_calls = 100;
    c->failure_rate = 0.5;
    c->slow_rate = 1.0;
    c->slow_call = 60 * SIM_S;
    c->open_for = 60 * SIM_S;
    c->half_open_calls = 10;
    const struct scn_node *sz = scn__map_get(m, "size");
    if (sz && c->window == WINDOW_COUNT) {
        to_intv(b, sz, "size", 1, &c->size);
    } else if (sz) {
        /* A time window's size is seconds; "60" and "1m" both read as 60 s. */
        sim_time t;
        if (to_dur(b, sz, "size", true, &t)) {
            char gb[GOTBUF];
            if (t % SIM_S != 0 || t / SIM_S > INT_MAX)
                err_at(b, sz, "size of a time window must be a whole number of seconds, got %s",
                       got(sz, gb, sizeof gb));
            else
                c->size = (int)(t / SIM_S);
        }
    }
    opt_int(b, m, "min_calls", 1, &c->min_calls);
    /* Resilience4j caps the minimum at the size of a count window. */
    if (c->window == WINDOW_COUNT && c->min_calls > c->size) c->min_calls = c->size;
    opt_pct(b, m, "failure_rate", true, &c->failure_rate);
    opt_pct(b, m, "slow_rate", true, &c->slow_rate);
    opt_dur(b, m, "slow_call", true, &c->slow_call);
    opt_dur(b, m, "open_for", true, &c->open_for);
    opt_int(b, m, "half_open_calls", 1, &c->half_open_calls);
}

static void build_bulkhead(struct bld *b, const struct scn_node *m, struct bulkhead_config *c)
{
    static const char *const kinds[] = {"semaphore", "threadpool", NULL};
    static const char *const keys[] = {"kind",    "max_concurrent", "max_wait",
                                       "threads", "queue",          NULL};
    static const char *const sem_keys[] = {"max_concurrent", "max_wait", NULL};
    static const char *const tp_keys[] = {"threads", "queue", NULL};
    if (!is_map(b, m, "bulkhead")) return;
    check_keys(b, m, "in a bulkhead", keys);
    int dflt = has_any(m, tp_keys) ? BULKHEAD_THREADPOOL : BULKHEAD_SEMAPHORE;
    c->kind = (enum bulkhead_kind)opt_enum(b, m, "kind", kinds, dflt);
    if (c->kind == BULKHEAD_SEMAPHORE) {
        /* Resilience4j's Bulkhead defaults: 25 permits, no wait. */
        reject_keys(b, m, tp_keys, "a semaphore bulkhead");
        c->max_concurrent = 25;
        opt_int(b, m, "max_concurrent", 1, &c->max_concurrent);
        opt_dur(b, m, "max_wait", false, &c->max_wait);
        return;
    }
    /* Resilience4j sizes a thread pool by the host's cores, which would make
     * results depend on the machine: threads are required instead. */
    reject_keys(b, m, sem_keys, "a threadpool bulkhead");
    c->queue = 100;
    const struct scn_node *t = need(b, m, "threads", "in a threadpool bulkhead");
    if (t) to_intv(b, t, "threads", 1, &c->threads);
    opt_int(b, m, "queue", 0, &c->queue);
}

static void build_policy(struct bld *b, const struct scn_node *m, struct policy_config *p)
{
    static const char *const keys[] = {"timeout",           "retry",    "breaker",
                                       "bulkhead",          "fallback", "latency",
                                       "cancel_on_timeout", "throttle", NULL};
    static const char *const fb_kinds[] = {"value", "fail", NULL};
    static const char *const fb_keys[] = {"kind", "latency", NULL};
    static const char *const th_keys[] = {"k", "window", NULL};
    char where[128];
    snprintf(where, sizeof where, "in policy '%.60s'", p->name);
    if (!is_map(b, m, "a policy")) return;
    check_keys(b, m, where, keys);
    opt_dur(b, m, "timeout", false, &p->timeout);
    const struct scn_node *n;
    if ((n = scn__map_get(m, "retry"))) {
        p->has_retry = true;
        build_retry(b, n, &p->retry);
    }
    if ((n = scn__map_get(m, "breaker"))) {
        p->has_breaker = true;
        build_breaker(b, n, &p->breaker);
    }
    if ((n = scn__map_get(m, "bulkhead"))) {
        p->has_bulkhead = true;
        build_bulkhead(b, n, &p->bulkhead);
    }
    if ((n = scn__map_get(m, "fallback")) && is_map(b, n, "fallback")) {
        p->has_fallback = true;
        check_keys(b, n, "in a fallback", fb_keys);
        p->fallback.kind = (enum fallback_kind)opt_enum(b, n, "kind", fb_kinds, FALLBACK_VALUE);
        opt_dur(b, n, "latency", false, &p->fallback.latency);
    }
    if ((n = scn__map_get(m, "latency")))
        p->has_latency = build_dist(b, n, "latency", false, &p->latency);
    opt_bool(b, m, "cancel_on_timeout", &p->cancel_on_timeout);
    if ((n = scn__map_get(m, "throttle")) && is_map(b, n, "throttle")) {
        /* The SRE book's K = 2 over two minutes. */
        p->has_throttle = true;
        check_keys(b, n, "in a throttle", th_keys);
        p->throttle.k = 2;
        p->throttle.window = 2 * SIM_MIN;
        opt_num(b, n, "k", NUM_GT0, &p->throttle.k);
        opt_dur(b, n, "window", true, &p->throttle.window);
    }
}

static void build_policies(struct bld *b, const struct scn_node *m)
{
    struct world_config *c = b->cfg;
    char gb[GOTBUF];
    if (m->kind != SCN_MAP) {
        err_at(b, m, "policies must be a mapping of name -> policy, got %s", got(m, gb, sizeof gb));
        return;
    }
    c->policies = sim_xcalloc((size_t)m->n, sizeof *c->policies);
    c->npolicies = m->n;
    b->nuser_policies = m->n;
    for (int i = 0; i < m->n; i++) {
        struct policy_config *p = &c->policies[i];
        p->name = sim_xstrdup(m->keys[i].name);
        struct scn_node key = {.kind = SCN_SCALAR,
                               .line = m->keys[i].line,
                               .col = m->keys[i].col,
                               .str = m->keys[i].name};
        to_name(b, &key, "a policy name", false);
        build_policy(b, m->items[i], p);
    }
}

static int find_policy(struct bld *b, const struct scn_node *n)
{
    char gb[GOTBUF];
    const struct world_config *c = b->cfg;
    if (!is_scalar(n)) {
        err_at(b, n, "policy must be the name of a policy, got %s", got(n, gb, sizeof gb));
        return -1;
    }
    for (int i = 0; i < b->nuser_policies; i++)
        if (strcmp(c->policies[i].name, n->str) == 0) return i;
    const char **names = sim_xcalloc((size_t)b->nuser_policies + 1, sizeof *names);
    for (int i = 0; i < b->nuser_policies; i++)
        names[i] = c->policies[i].name;
    const char *dym = scn__did_you_mean(n->str, names, b->nuser_policies);
    if (dym)
        err_at(b, n, "unknown policy %s; did you mean '%s'?", got(n, gb, sizeof gb), dym);
    else
        err_at(b, n, "unknown policy %s (not in policies)", got(n, gb, sizeof gb));
    free(names);
    return -1;
}

/* ---- events and effects -------------------------------------------------------- */

/* Index of name in a growing table of names, appended (with its flag
 * cleared) on first sight, so indices follow the order the loader meets the
 * names. A linear search: a scenario names tens of events, and the table is
 * built once. */
static int intern(char ***names, int *count, size_t *cap, bool **flags, size_t *fcap,
                  const char *name)
{
    for (int i = 0; i < *count; i++)
        if (strcmp((*names)[i], name) == 0) return i;
    *names = sim_xgrow(*names, cap, (size_t)*count + 1, sizeof **names);
    *flags = sim_xgrow(*flags, fcap, (size_t)*count + 1, sizeof **flags);
    (*names)[*count] = sim_xstrdup(name);
    (*flags)[*count] = false;
    return (*count)++;
}

static void push_ref(struct ref **refs, size_t *n, size_t *cap, int index,
                     const struct scn_node *at)
{
    if (*n == *cap) *refs = sim_xgrow(*refs, cap, *n + 1, sizeof **refs);
    (*refs)[(*n)++] = (struct ref){index, at};
}

/* EV_PUBLISH: the file puts the event on the bus here (a publish step,
 * on_failure, a choreography's start); EV_USE: it waits for it, which is
 * an error unless something publishes it (see check_refs). */
enum ev_role { EV_PUBLISH, EV_USE };

/* An event name -> its index in cfg->events; -1 (reported) if not a name.
 * Event names are CamelCase by custom (OrderCreated), so uppercase is
 * allowed as in every name but the scenario's and variants'. */
static int event_ref(struct bld *b, const struct scn_node *n, const char *key, enum ev_role role)
{
    struct world_config *c = b->cfg;
    const char *name = to_name(b, n, key, false);
    if (!name) return -1;
    int i = intern(&c->events, &c->nevents, &b->events_cap, &b->published, &b->published_cap, name);
    if (role == EV_PUBLISH)
        b->published[i] = true;
    else
        push_ref(&b->ev_uses, &b->nev_uses, &b->ev_uses_cap, i, n);
    return i;
}

/* An effect name -> its index in cfg->effects; `defines`: an `effect`, else
 * an `undo`, which must name an effect some endpoint has. */
static int effect_ref(struct bld *b, const struct scn_node *n, const char *key, bool defines)
{
    struct world_config *c = b->cfg;
    const char *name = to_name(b, n, key, false);
    if (!name) return -1;
    int i =
        intern(&c->effects, &c->neffects, &b->effects_cap, &b->effected, &b->effected_cap, name);
    if (defines)
        b->effected[i] = true;
    else
        push_ref(&b->undos, &b->nundos, &b->undos_cap, i, n);
    return i;
}

/* `on: E` or `on: [E, F]`: events waited for. An event listed twice, or
 * also in `other` (a choreography's completed_on for its failed_on), would
 * leave an instance's outcome to the order of a list, so both are errors. */
static void build_event_list(struct bld *b, const struct scn_node *n, const char *key, int **out,
                             int *count, const int *other, int nother, const char *other_key)
{
    char gb[GOTBUF];
    if (n->kind == SCN_MAP) {
        err_at(b, n, "%s must be an event name or a list of event names, got a mapping", key);
        return;
    }
    int len = n->kind == SCN_SEQ ? n->n : 1;
    if (len == 0) {
        err_at(b, n, "%s must name at least one event", key);
        return;
    }
    *out = sim_xcalloc((size_t)len, sizeof **out);
    *count = len;
    for (int i = 0; i < len; i++) {
        const struct scn_node *item = n->kind == SCN_SEQ ? n->items[i] : n;
        int ev = (*out)[i] = event_ref(b, item, key, EV_USE);
        if (ev < 0) continue;
        bool twice = false;
        for (int j = 0; j < i && !twice; j++)
            twice = (*out)[j] == ev;
        if (twice) {
            err_at(b, item, "event %s is listed twice in %s", got(item, gb, sizeof gb), key);
            continue;
        }
        for (int j = 0; j < nother; j++)
            if (other[j] == ev) {
                err_at(b, item, "event %s is in both %s and %s", got(item, gb, sizeof gb),
                       other_key, key);
                break;
            }
    }
}

/* Names whose flag is set, for suggestions; the caller frees the array. */
static const char **flagged(char *const *names, const bool *flags, int count, int *n)
{
    const char **out = sim_xcalloc((size_t)count + 1, sizeof *out);
    *n = 0;
    for (int i = 0; i < count; i++)
        if (flags[i]) out[(*n)++] = names[i];
    return out;
}

/* Once everything is built: every undo names an effect, every event waited
 * for is published. Reported at each use, with a suggestion among the names
 * that are defined (a misspelt PaymentFailed is the usual cause). */
static void check_refs(struct bld *b)
{
    const struct world_config *c = b->cfg;
    char gb[GOTBUF];
    int n;
    const char **cands = flagged(c->effects, b->effected, c->neffects, &n);
    for (size_t i = 0; i < b->nundos; i++) {
        const struct ref *r = &b->undos[i];
        if (b->effected[r->index]) continue;
        const char *dym = scn__did_you_mean(c->effects[r->index], cands, n);
        if (dym)
            err_at(b, r->at, "undo %s names an effect no endpoint has; did you mean '%s'?",
                   got(r->at, gb, sizeof gb), dym);
        else
            err_at(b, r->at, "undo %s names an effect no endpoint has", got(r->at, gb, sizeof gb));
    }
    free(cands);
    cands = flagged(c->events, b->published, c->nevents, &n);
    for (size_t i = 0; i < b->nev_uses; i++) {
        const struct ref *r = &b->ev_uses[i];
        if (b->published[r->index]) continue;
        const char *dym = scn__did_you_mean(c->events[r->index], cands, n);
        err_at(b, r->at,
               "event %s is never published (no publish step, on_failure or choreography "
               "start names it)%s%s%s",
               got(r->at, gb, sizeof gb), dym ? "; did you mean '" : "", dym ? dym : "",
               dym ? "'?" : "");
    }
    free(cands);
}

/* ---- services --------------------------------------------------------------- */

static int find_service(const struct world_config *c, const char *name, size_t len)
{
    for (int i = 0; i < c->nservices; i++)
        if (c->services[i].name && strlen(c->services[i].name) == len &&
            strncmp(c->services[i].name, name, len) == 0)
            return i;
    return -1;
}

static int find_endpoint(const struct service_config *s, const char *name)
{
    for (int i = 0; i < s->nendpoints; i++)
        if (s->endpoints[i].name && strcmp(s->endpoints[i].name, name) == 0) return i;
    return -1;
}

static int find_pool(const struct service_config *s, const char *name)
{
    for (int i = 0; i < s->npools; i++)
        if (s->pools[i].name && strcmp(s->pools[i].name, name) == 0) return i;
    return -1;
}

/* Reports a name already used by an earlier sibling; true if it was. The
 * siblings are config structs `stride` bytes apart whose first member is
 * `char *name` (services, pools, endpoints, loads); `names` points at the
 * first one's, so one function serves all four. */
static bool dup_name(struct bld *b, const struct scn_node *n, const char *what, char **names,
                     int count, size_t stride)
{
    for (int i = 0; i < count; i++) {
        const char *o = *(char **)(void *)((char *)names + (size_t)i * stride);
        if (o && strcmp(o, n->str) == 0) {
            char gb[GOTBUF];
            err_at(b, n, "duplicate %s name %s", what, got(n, gb, sizeof gb));
            return true;
        }
    }
    return false;
}

static void build_pool(struct bld *b, const struct scn_node *m, struct service_config *s, int k)
{
    static const char *const keys[] = {"name", "size", "acquire_timeout", NULL};
    struct pool_config *p = &s->pools[k];
    if (!is_map(b, m, "a pool")) return;
    char where[128];
    snprintf(where, sizeof where, "in a pool of service '%.60s'", s->name ? s->name : "?");
    check_keys(b, m, where, keys);
    const struct scn_node *n = need(b, m, "name", where);
    const char *name = n ? to_name(b, n, "pool name", false) : NULL;
    if (name && !dup_name(b, n, "pool", &s->pools[0].name, k, sizeof *s->pools))
        p->name = sim_xstrdup(name);
    if ((n = need(b, m, "size", where))) to_intv(b, n, "size", 1, &p->size);
    opt_dur(b, m, "acquire_timeout", false, &p->acquire_timeout);
}

/* An endpoint's effects-ledger keys are read here, with its name; its
 * on_failure event with its steps (pass 2), so events are numbered endpoint
 * by endpoint. */
static void build_endpoint_head(struct bld *b, const struct scn_node *m, struct service_config *s,
                                int k)
{
    static const char *const keys[] = {"name", "error_rate",  "steps",      "effect", "idempotent",
                                       "undo", "commutative", "on_failure", NULL};
    struct endpoint_config *e = &s->endpoints[k];
    e->effect = e->undo = e->on_failure = -1;
    if (!is_map(b, m, "an endpoint")) return;
    char where[128];
    snprintf(where, sizeof where, "in an endpoint of service '%.60s'", s->name ? s->name : "?");
    check_keys(b, m, where, keys);
    const struct scn_node *n = need(b, m, "name", where);
    const char *name = n ? to_name(b, n, "endpoint name", false) : NULL;
    if (name && !dup_name(b, n, "endpoint", &s->endpoints[0].name, k, sizeof *s->endpoints))
        e->name = sim_xstrdup(name);
    opt_pct(b, m, "error_rate", false, &e->error_rate);

    const struct scn_node *effect = scn__map_get(m, "effect");
    const struct scn_node *undo = scn__map_get(m, "undo");
    if (effect) e->effect = effect_ref(b, effect, "effect", true);
    if (undo) e->undo = effect_ref(b, undo, "undo", false);
    /* Each flag qualifies the key it belongs to: alone it would say nothing,
     * and most likely the key it needs was forgotten or misspelt. */
    if ((n = scn__map_get(m, "idempotent")) && to_bool(b, n, "idempotent", &e->idempotent) &&
        !effect)
        err_key(b, m, scn__map_find(m, "idempotent"),
                "idempotent applies only to an endpoint with effect");
    if ((n = scn__map_get(m, "commutative")) && to_bool(b, n, "commutative", &e->commutative) &&
        !undo)
        err_key(b, m, scn__map_find(m, "commutative"),
                "commutative applies only to an endpoint with undo");
}

/* Pass 1: names, scalars, pools and endpoint names of one service. */
static void build_service_head(struct bld *b, const struct scn_node *m, int i)
{
    static const char *const keys[] = {
        "name",       "threads",      "queue",   "discipline", "queue_timeout",
        "contention", "max_inflight", "restart", "pools",      "endpoints",
        NULL};
    static const char *const disciplines[] = {"fifo", "lifo", NULL};
    struct world_config *c = b->cfg;
    struct service_config *s = &c->services[i];
    s->queue = -1;
    if (!is_map(b, m, "a service")) return;
    const struct scn_node *n = need(b, m, "name", "in a service");
    const char *name = n ? to_name(b, n, "service name", false) : NULL;
    if (name && !dup_name(b, n, "service", &c->services[0].name, i, sizeof *c->services))
        s->name = sim_xstrdup(name);
    char where[128];
    snprintf(where, sizeof where, "in service '%.60s'", name ? name : "?");
    check_keys(b, m, where, keys);

    if ((n = need(b, m, "threads", where))) {
        int64_t v;
        if (is_scalar(n) && strcmp(n->str, "unlimited") == 0)
            s->threads = 0;
        else if (to_int(b, n, "threads", 1, INT_MAX, " or \"unlimited\"", &v))
            s->threads = (int)v;
    }
    if ((n = scn__map_get(m, "queue"))) to_int(b, n, "queue", 0, INT64_MAX, "", &s->queue);
    s->lifo = opt_enum(b, m, "discipline", disciplines, 0) == 1;
    opt_dur(b, m, "queue_timeout", false, &s->queue_timeout);
    opt_dur(b, m, "contention", false, &s->contention);
    if ((n = scn__map_get(m, "max_inflight")))
        to_int(b, n, "max_inflight", 1, INT64_MAX, "", &s->max_inflight);
    opt_dur(b, m, "restart", true, &s->restart);

    if ((n = scn__map_get(m, "pools")) && is_list(b, n, "pools", "pools")) {
        s->pools = sim_xcalloc((size_t)n->n, sizeof *s->pools);
        s->npools = n->n;
        for (int k = 0; k < n->n; k++)
            build_pool(b, n->items[k], s, k);
    }
    if ((n = scn__map_get(m, "endpoints")) && is_list(b, n, "endpoints", "endpoints")) {
        s->endpoints = sim_xcalloc((size_t)n->n, sizeof *s->endpoints);
        s->nendpoints = n->n;
        for (int k = 0; k < n->n; k++)
            build_endpoint_head(b, n->items[k], s, k);
    }
}

/* "service.endpoint" -> indices; reports unknown names with a suggestion. */
static bool resolve_endpoint(struct bld *b, const struct scn_node *n, const char *key, int *svc,
                             int *ep)
{
    char gb[GOTBUF];
    const struct world_config *c = b->cfg;
    if (!is_scalar(n)) {
        err_at(b, n, "%s must be service.endpoint, got %s", key, got(n, gb, sizeof gb));
        return false;
    }
    const char *dot = strchr(n->str, '.');
    int s = dot ? find_service(c, n->str, (size_t)(dot - n->str)) : -1;
    int e = s >= 0 ? find_endpoint(&c->services[s], dot + 1) : -1;
    if (e >= 0) {
        *svc = s;
        *ep = e;
        return true;
    }
    const char *dym = scn__did_you_mean(n->str, (const char *const *)b->ep_names, b->nflat);
    if (!dym && !dot) {
        /* "payment" for "payment.charge": suggest its first endpoint. */
        int s2 = find_service(c, n->str, strlen(n->str));
        if (s2 >= 0 && c->services[s2].nendpoints > 0) dym = b->ep_names[b->ep_base[s2]];
    }
    if (dym)
        err_at(b, n, "unknown endpoint %s in %s; did you mean '%s'?", got(n, gb, sizeof gb), key,
               dym);
    else if (!dot)
        err_at(b, n, "%s must be service.endpoint, got %s", key, got(n, gb, sizeof gb));
    else
        err_at(b, n, "unknown endpoint %s in %s", got(n, gb, sizeof gb), key);
    return false;
}

static void add_edge(struct bld *b, int from, int to, const struct scn_node *at)
{
    if (b->nedges == b->edges_cap)
        b->edges = sim_xgrow(b->edges, &b->edges_cap, b->nedges + 1, sizeof *b->edges);
    b->edges[b->nedges++] = (struct edge){from, to, at};
}

/* One call: {call, policy, optional}, or in a parallel list the shorthand
 * "service.endpoint". */
static void build_call(struct bld *b, const struct scn_node *m, int from, struct call_config *cc)
{
    static const char *const keys[] = {"call", "policy", "optional", NULL};
    cc->service = cc->endpoint = cc->policy = -1;
    const struct scn_node *n = m;
    if (m->kind == SCN_MAP) {
        check_keys(b, m, "in a parallel call", keys);
        n = need(b, m, "call", "in a parallel call");
        const struct scn_node *p = scn__map_get(m, "policy");
        if (p) cc->policy = find_policy(b, p);
        opt_bool(b, m, "optional", &cc->optional);
    }
    if (n && resolve_endpoint(b, n, "call", &cc->service, &cc->endpoint))
        add_edge(b, from, b->ep_base[cc->service] + cc->endpoint, n);
}

static void build_parallel(struct bld *b, const struct scn_node *n, int from,
                           struct step_config *st)
{
    static const char *const keys[] = {"need", "calls", NULL};
    char gb[GOTBUF];
    const struct scn_node *calls = n, *need_n = NULL;
    if (n->kind == SCN_MAP) {
        check_keys(b, n, "in a parallel step", keys);
        calls = need(b, n, "calls", "in a parallel step");
        need_n = scn__map_get(n, "need");
        if (!calls) return;
    }
    if (calls->kind != SCN_SEQ) {
        err_at(b, calls, "parallel must be a list of calls or {need: K, calls: [...]}, got %s",
               got(calls, gb, sizeof gb));
        return;
    }
    if (calls->n == 0) {
        err_at(b, calls, "parallel must list at least one call");
        return;
    }
    st->calls = sim_xcalloc((size_t)calls->n, sizeof *st->calls);
    st->ncalls = calls->n;
    st->need = calls->n;
    for (int i = 0; i < calls->n; i++)
        build_call(b, calls->items[i], from, &st->calls[i]);
    if (need_n) {
        int64_t v = 0;
        bool neg;
        if (!is_scalar(need_n) || parse_i64(need_n->str, &v, &neg) != 0 || v < 1 || v > calls->n)
            err_at(b, need_n,
                   "need must be an integer between 1 and %d (the number of calls), got %s",
                   calls->n, got(need_n, gb, sizeof gb));
        else
            st->need = (int)v;
    }
}

/* `publish: E`, or `publish: {event: E, probability: P, else: F}`: E with
 * probability P, otherwise F (or nothing), a branch such as the guide's
 * PointsDeducted / PointDeductionSkipped. */
static void build_publish(struct bld *b, const struct scn_node *v, struct step_config *st)
{
    static const char *const keys[] = {"event", "probability", "else", NULL};
    if (v->kind != SCN_MAP) {
        st->event = event_ref(b, v, "publish", EV_PUBLISH);
        return;
    }
    check_keys(b, v, "in a publish step", keys);
    const struct scn_node *n = need(b, v, "event", "in a publish step");
    if (n) st->event = event_ref(b, n, "event", EV_PUBLISH);
    const struct scn_node *p = scn__map_get(v, "probability");
    if (p) to_pct(b, p, "probability", false, &st->event_p);
    if ((n = scn__map_get(v, "else"))) {
        /* Without a probability the else branch could never be taken. */
        if (!p)
            err_key(b, v, scn__map_find(v, "else"),
                    "else applies only with probability (event is published with that "
                    "probability, else otherwise)");
        st->event_else = event_ref(b, n, "else", EV_PUBLISH);
    }
}

static void build_step(struct bld *b, const struct scn_node *m, int si, int from,
                       struct step_config *st)
{
    static const char *const keys[] = {"work",     "use",      "hold",    "call", "policy",
                                       "optional", "parallel", "publish", NULL};
    static const char *const kinds[] = {"work", "use", "call", "parallel", "publish", NULL};
    static const char *const use_keys[] = {"hold", NULL};
    static const char *const call_keys[] = {"policy", "optional", NULL};
    struct service_config *s = &b->cfg->services[si];
    st->pool = -1;
    st->call.service = st->call.endpoint = st->call.policy = -1;
    st->event = st->event_else = -1;
    st->event_p = 1;
    if (!is_map(b, m, "a step")) return;
    int before = b->nerr;
    check_keys(b, m, "in a step", keys);
    int kind = -1, kind_key = -1;
    for (int i = 0; i < m->n; i++) {
        int k = -1;
        for (int j = 0; kinds[j]; j++)
            if (strcmp(kinds[j], m->keys[i].name) == 0) k = j;
        if (k < 0) continue;
        if (kind >= 0)
            err_key(b, m, i,
                    "a step is one of work, use, call, parallel or publish, got both '%s' "
                    "and '%s'",
                    kinds[kind], kinds[k]);
        else
            kind = k, kind_key = i;
    }
    if (kind < 0) {
        if (b->nerr == before) /* an unknown key, likely a misspelt kind, was reported */
            err_at(b, m, "a step needs one of work, use, call, parallel or publish");
        return;
    }
    const struct scn_node *v = m->items[kind_key];
    char what[32];
    snprintf(what, sizeof what, "a %s step", kinds[kind]);
    if (kind != 1) reject_keys(b, m, use_keys, what);
    if (kind != 2) reject_keys(b, m, call_keys, what);
    switch (kind) {
    case 0:
        st->kind = STEP_WORK;
        build_dist(b, v, "work", false, &st->dist);
        break;
    case 1: {
        st->kind = STEP_USE;
        char gb[GOTBUF];
        if (!is_scalar(v)) {
            err_at(b, v, "use must name a pool of service '%s', got %s", s->name ? s->name : "?",
                   got(v, gb, sizeof gb));
        } else if ((st->pool = find_pool(s, v->str)) < 0) {
            const char **names = sim_xcalloc((size_t)s->npools + 1, sizeof *names);
            for (int i = 0; i < s->npools; i++)
                names[i] = s->pools[i].name;
            const char *dym = scn__did_you_mean(v->str, names, s->npools);
            if (dym)
                err_at(b, v, "unknown pool %s in service '%s'; did you mean '%s'?",
                       got(v, gb, sizeof gb), s->name ? s->name : "?", dym);
            else
                err_at(b, v, "unknown pool %s in service '%s'", got(v, gb, sizeof gb),
                       s->name ? s->name : "?");
            free(names);
        }
        const struct scn_node *h = scn__map_get(m, "hold");
        if (h)
            build_dist(b, h, "hold", false, &st->dist);
        else
            (void)sim_dist_constant(&st->dist, 0);
        break;
    }
    case 2: {
        st->kind = STEP_CALL;
        const struct scn_node *p = scn__map_get(m, "policy");
        if (p) st->call.policy = find_policy(b, p);
        opt_bool(b, m, "optional", &st->call.optional);
        if (resolve_endpoint(b, v, "call", &st->call.service, &st->call.endpoint))
            add_edge(b, from, b->ep_base[st->call.service] + st->call.endpoint, v);
        break;
    }
    case 3:
        st->kind = STEP_PARALLEL;
        build_parallel(b, v, from, st);
        break;
    default:
        st->kind = STEP_PUBLISH;
        build_publish(b, v, st);
        break;
    }
}

/* `on_failure: {publish: E}`: a mapping, so a later key (a delay, a
 * probability) can join `publish` without changing what this one means. */
static void build_on_failure(struct bld *b, const struct scn_node *n, struct endpoint_config *e)
{
    static const char *const keys[] = {"publish", NULL};
    char gb[GOTBUF];
    if (n->kind != SCN_MAP) {
        err_at(b, n, "on_failure must be a mapping {publish: EVENT}, got %s",
               got(n, gb, sizeof gb));
        return;
    }
    check_keys(b, n, "in on_failure", keys);
    const struct scn_node *p = need(b, n, "publish", "in on_failure");
    if (p) e->on_failure = event_ref(b, p, "publish", EV_PUBLISH);
}

/* Pass 2: the on_failure event and the steps of every endpoint of one
 * service. */
static void build_service_steps(struct bld *b, const struct scn_node *m, int si)
{
    struct service_config *s = &b->cfg->services[si];
    const struct scn_node *eps = m->kind == SCN_MAP ? scn__map_get(m, "endpoints") : NULL;
    if (!eps || eps->kind != SCN_SEQ) return;
    for (int k = 0; k < eps->n; k++) {
        const struct scn_node *em = eps->items[k];
        if (em->kind != SCN_MAP) continue;
        struct endpoint_config *e = &s->endpoints[k];
        const struct scn_node *of = scn__map_get(em, "on_failure");
        if (of) build_on_failure(b, of, e);
        const struct scn_node *steps = scn__map_get(em, "steps");
        if (!steps || !is_list(b, steps, "steps", "steps")) continue;
        e->steps = sim_xcalloc((size_t)steps->n, sizeof *e->steps);
        e->nsteps = steps->n;
        for (int j = 0; j < steps->n; j++)
            build_step(b, steps->items[j], si, b->ep_base[si] + k, &e->steps[j]);
    }
}

/* A request entering an endpoint on a cycle would call itself forever, so
 * any cycle is an error. Iterative DFS (a chain of thousands of endpoints
 * must not overflow the C stack); each back edge closes one cycle and is
 * reported once, at its `call`. Edges were added source by source, so each
 * endpoint's out-edges are contiguous. O(V + E). */
static void check_cycles(struct bld *b)
{
    int nv = b->nflat;
    if (nv == 0) return;
    int *first = sim_xcalloc((size_t)nv + 1, sizeof *first);
    for (size_t i = 0; i < b->nedges; i++)
        first[b->edges[i].from + 1]++;
    for (int v = 0; v < nv; v++)
        first[v + 1] += first[v];
    char *color = sim_xcalloc((size_t)nv, 1); /* 0 new, 1 on the stack, 2 done */
    int *stack = sim_xmalloc((size_t)nv * sizeof *stack);
    int *next = sim_xmalloc((size_t)nv * sizeof *next);
    for (int root = 0; root < nv; root++) {
        if (color[root]) continue;
        int sp = 0;
        stack[sp++] = root;
        color[root] = 1;
        next[root] = first[root];
        while (sp > 0) {
            int u = stack[sp - 1];
            if (next[u] == first[u + 1]) {
                color[u] = 2;
                sp--;
                continue;
            }
            const struct edge *e = &b->edges[next[u]++];
            if (color[e->to] == 0) {
                color[e->to] = 1;
                next[e->to] = first[e->to];
                stack[sp++] = e->to;
            } else if (color[e->to] == 1) {
                int from = sp - 1;
                while (stack[from] != e->to)
                    from--;
                size_t len = 32;
                for (int i = from; i < sp; i++)
                    len += strlen(b->ep_names[stack[i]]) + 4;
                len += strlen(b->ep_names[e->to]);
                char *path = sim_xmalloc(len);
                size_t o = 0;
                for (int i = from; i < sp; i++)
                    o += (size_t)snprintf(path + o, len - o, "%s -> ", b->ep_names[stack[i]]);
                snprintf(path + o, len - o, "%s", b->ep_names[e->to]);
                err_at(b, e->at, "call cycle: %s", path);
                free(path);
            }
        }
    }
    free(next);
    free(stack);
    free(color);
    free(first);
}

static void build_services(struct bld *b, const struct scn_node *seq)
{
    struct world_config *c = b->cfg;
    if (!is_list(b, seq, "services", "services")) return;
    if (seq->n == 0) {
        err_at(b, seq, "services must list at least one service");
        return;
    }
    c->services = sim_xcalloc((size_t)seq->n, sizeof *c->services);
    c->nservices = seq->n;
    for (int i = 0; i < seq->n; i++)
        build_service_head(b, seq->items[i], i);

    /* Flat endpoint and pool names, for suggestions and cycle paths. */
    b->ep_base = sim_xcalloc((size_t)c->nservices + 1, sizeof *b->ep_base);
    int npools = 0;
    for (int i = 0; i < c->nservices; i++) {
        b->ep_base[i + 1] = b->ep_base[i] + c->services[i].nendpoints;
        npools += c->services[i].npools;
    }
    b->nflat = b->ep_base[c->nservices];
    b->ep_names = sim_xcalloc((size_t)b->nflat + 1, sizeof *b->ep_names);
    b->pool_names = sim_xcalloc((size_t)npools + 1, sizeof *b->pool_names);
    for (int i = 0; i < c->nservices; i++) {
        const struct service_config *s = &c->services[i];
        for (int k = 0; k < s->nendpoints; k++) {
            size_t len = strlen(s->name ? s->name : "?") +
                         strlen(s->endpoints[k].name ? s->endpoints[k].name : "?") + 2;
            char *full = sim_xmalloc(len);
            snprintf(full, len, "%s.%s", s->name ? s->name : "?",
                     s->endpoints[k].name ? s->endpoints[k].name : "?");
            b->ep_names[b->ep_base[i] + k] = full;
        }
        for (int k = 0; k < s->npools; k++) {
            size_t len = strlen(s->name ? s->name : "?") +
                         strlen(s->pools[k].name ? s->pools[k].name : "?") + 2;
            char *full = sim_xmalloc(len);
            snprintf(full, len, "%s.%s", s->name ? s->name : "?",
                     s->pools[k].name ? s->pools[k].name : "?");
            b->pool_names[b->npool_names++] = full;
        }
    }
    for (int i = 0; i < seq->n; i++)
        build_service_steps(b, seq->items[i], i);
    check_cycles(b);
}

/* ---- load ------------------------------------------------------------------- */

/* A new, zeroed policy after the user's, for a policy the file implies
 * (a load's timeout, a saga's compensation mapping); its index. Such names
 * carry a '/', which no user policy name can, so they never collide, and
 * find_policy (which looks only at the user's) never resolves to one. */
static int push_policy(struct world_config *c)
{
    c->policies = sim_xrealloc(c->policies, (size_t)(c->npolicies + 1) * sizeof *c->policies);
    memset(&c->policies[c->npolicies], 0, sizeof *c->policies);
    return c->npolicies++;
}

static void policy_copy(struct policy_config *dst, const struct policy_config *src)
{
    *dst = *src;
    dst->name = NULL;
    memset(&dst->latency, 0, sizeof dst->latency);
    if (src->has_latency) sim_dist_copy(&dst->latency, &src->latency);
}

/* A rate over time (load `rate`, a saga's `start`, a choreography's
 * `start.rate`): a bare number, or piecewise points. `key` names it in
 * messages. */
static void build_rates(struct bld *b, const struct scn_node *n, const char *key,
                        struct rate_point **rates, int *nrates)
{
    static const char *const keys[] = {"at", "rps", "ramp", NULL};
    char gb[GOTBUF];
    if (n->kind == SCN_SCALAR) {
        /* A bare number: that many requests per second from t = 0. */
        double rps;
        if (!is_scalar(n) || !is_number(n->str) || !isfinite(rps = strtod(n->str, NULL)) ||
            rps < 0) {
            err_at(b, n,
                   "%s must be requests per second >= 0 or a list of {at, rps, ramp}, "
                   "got %s",
                   key, got(n, gb, sizeof gb));
            return;
        }
        *rates = sim_xcalloc(1, sizeof **rates);
        *nrates = 1;
        (*rates)[0].rps = rps;
        return;
    }
    if (n->kind != SCN_SEQ) {
        err_at(b, n, "%s must be requests per second or a list of {at, rps, ramp}, got %s", key,
               got(n, gb, sizeof gb));
        return;
    }
    if (n->n == 0) {
        err_at(b, n, "%s must list at least one {at, rps}", key);
        return;
    }
    *rates = sim_xcalloc((size_t)n->n, sizeof **rates);
    *nrates = n->n;
    int last = -1; /* the latest point whose `at` was good */
    for (int i = 0; i < n->n; i++) {
        const struct scn_node *m = n->items[i];
        struct rate_point *r = &(*rates)[i];
        if (!is_map(b, m, "a rate point {at, rps, ramp}")) continue;
        check_keys(b, m, "in a rate point", keys);
        const struct scn_node *at = need(b, m, "at", "in a rate point");
        const struct scn_node *rps = need(b, m, "rps", "in a rate point");
        bool ok = at && to_dur(b, at, "at", false, &r->at);
        if (rps) to_num(b, rps, "rps", NUM_GE0, &r->rps);
        opt_dur(b, m, "ramp", false, &r->ramp);
        if (!ok) continue;
        if (last >= 0) {
            /* Strictly increasing: two rates at one instant would leave the
             * rate in between undefined. A ramp must end by the next point. */
            const struct rate_point *p = &(*rates)[last];
            char pb[32];
            if (r->at <= p->at) {
                sim_time_format(p->at, pb, sizeof pb);
                err_at(b, at, "at must be later than the previous point's (%s), got %s", pb,
                       got(at, gb, sizeof gb));
            } else if (p->ramp > r->at - p->at) {
                sim_time_format(p->at + p->ramp, pb, sizeof pb);
                err_at(b, at, "the previous point's ramp runs until %s, past this point's at %s",
                       pb, got(at, gb, sizeof gb));
            }
        }
        last = i;
    }
}

static void build_load(struct bld *b, const struct scn_node *m, int i)
{
    static const char *const keys[] = {"name",    "target", "arrivals", "rate",
                                       "timeout", "policy", NULL};
    static const char *const arrivals[] = {"poisson", "constant", NULL};
    struct world_config *c = b->cfg;
    struct load_config *l = &c->loads[i];
    l->service = l->endpoint = l->policy = -1;
    if (!is_map(b, m, "a load source")) return;
    const struct scn_node *n = need(b, m, "name", "in a load source");
    const char *name = n ? to_name(b, n, "load name", false) : NULL;
    if (name && !dup_name(b, n, "load", &c->loads[0].name, i, sizeof *c->loads))
        l->name = sim_xstrdup(name);
    char where[128];
    snprintf(where, sizeof where, "in load '%.60s'", name ? name : "?");
    check_keys(b, m, where, keys);
    if ((n = need(b, m, "target", where)))
        resolve_endpoint(b, n, "target", &l->service, &l->endpoint);
    l->constant = opt_enum(b, m, "arrivals", arrivals, 0) == 1;
    if ((n = need(b, m, "rate", where))) build_rates(b, n, "rate", &l->rates, &l->nrates);

    int pol = -1;
    if ((n = scn__map_get(m, "policy"))) pol = find_policy(b, n);
    const struct scn_node *tn = scn__map_get(m, "timeout");
    sim_time timeout = 0;
    if (tn && to_dur(b, tn, "timeout", false, &timeout) && l->name) {
        /* The end user's timeout on top of their policy: a copy of the policy
         * with the timeout replaced, named so no user policy can collide
         * ('/' is not allowed in names). */
        l->policy = push_policy(c);
        struct policy_config *p = &c->policies[l->policy];
        if (pol >= 0) policy_copy(p, &c->policies[pol]);
        size_t len = strlen(l->name) + 6;
        p->name = sim_xmalloc(len);
        snprintf(p->name, len, "load/%s", l->name);
        p->timeout = timeout;
    } else {
        l->policy = pol;
    }
}

/* ---- faults ----------------------------------------------------------------- */

enum target_kind { T_SERVICE, T_ENDPOINT, T_POOL };

static bool resolve_target(struct bld *b, const struct scn_node *n, struct fault_config *f,
                           enum target_kind *tk)
{
    char gb[GOTBUF];
    const struct world_config *c = b->cfg;
    if (!is_scalar(n)) {
        err_at(b, n, "target must be service, service.endpoint or service.pool, got %s",
               got(n, gb, sizeof gb));
        return false;
    }
    const char *dot = strchr(n->str, '.');
    size_t slen = dot ? (size_t)(dot - n->str) : strlen(n->str);
    int s = find_service(c, n->str, slen);
    if (s >= 0 && !dot) {
        f->service = s;
        *tk = T_SERVICE;
        return true;
    }
    if (s >= 0) {
        int e = find_endpoint(&c->services[s], dot + 1);
        int p = find_pool(&c->services[s], dot + 1);
        if (e >= 0 && p >= 0) {
            err_at(b, n, "target %s is ambiguous: both an endpoint and a pool of %s",
                   got(n, gb, sizeof gb), c->services[s].name);
            return false;
        }
        if (e >= 0 || p >= 0) {
            f->service = s;
            f->endpoint = e;
            f->pool = p;
            *tk = e >= 0 ? T_ENDPOINT : T_POOL;
            return true;
        }
    }
    int nc = c->nservices + b->nflat + b->npool_names;
    const char **cands = sim_xcalloc((size_t)nc + 1, sizeof *cands);
    int k = 0;
    for (int i = 0; i < c->nservices; i++)
        cands[k++] = c->services[i].name;
    for (int i = 0; i < b->nflat; i++)
        cands[k++] = b->ep_names[i];
    for (int i = 0; i < b->npool_names; i++)
        cands[k++] = b->pool_names[i];
    const char *dym = scn__did_you_mean(n->str, cands, nc);
    if (dym)
        err_at(b, n, "unknown fault target %s; did you mean '%s'?", got(n, gb, sizeof gb), dym);
    else
        err_at(b, n,
               "unknown fault target %s (expected service, service.endpoint or "
               "service.pool)",
               got(n, gb, sizeof gb));
    free(cands);
    return false;
}

static void build_fault(struct bld *b, const struct scn_node *m, int i)
{
    static const char *const keys[] = {"at",     "until", "target", "kind", "mode",
                                       "factor", "add",   "rate",   "size", NULL};
    static const char *const kinds[] = {"crash", "pause", "slow", "errors", "pool", NULL};
    /* The parameters each kind takes, in the order of kinds[]. */
    static const char *const params[][3] = {
        {"mode", NULL}, {NULL}, {"factor", "add", NULL}, {"rate", NULL}, {"size", NULL}};
    static const char *const all_params[] = {"mode", "factor", "add", "rate", "size", NULL};
    static const char *const modes[] = {"refuse", "hang", NULL};
    static const char *const tnames[] = {"service", "endpoint", "pool"};
    char gb[GOTBUF];
    struct fault_config *f = &b->cfg->faults[i];
    f->service = f->endpoint = f->pool = -1;
    f->until = SIM_TIME_MAX;
    f->factor = 1;
    if (!is_map(b, m, "a fault")) return;
    check_keys(b, m, "in a fault", keys);
    const struct scn_node *n;
    bool at_ok = (n = need(b, m, "at", "in a fault")) && to_dur(b, n, "at", false, &f->at);
    if ((n = scn__map_get(m, "until")) && to_dur(b, n, "until", false, &f->until) && at_ok &&
        f->until <= f->at) {
        char ab[32];
        sim_time_format(f->at, ab, sizeof ab);
        err_at(b, n, "until must be later than at (%s), got %s", ab, got(n, gb, sizeof gb));
    }
    enum target_kind tk = T_SERVICE;
    const struct scn_node *tn = need(b, m, "target", "in a fault");
    bool target_ok = tn && resolve_target(b, tn, f, &tk);
    const struct scn_node *kn = need(b, m, "kind", "in a fault");
    int kind = kn ? to_enum(b, kn, "kind", kinds) : -1;
    if (kind < 0) return;
    f->kind = (enum fault_kind)kind;
    char what[32];
    snprintf(what, sizeof what, "a %s fault", kinds[kind]);
    for (int j = 0; all_params[j]; j++) {
        int at = scn__map_find(m, all_params[j]);
        bool takes = false;
        for (int p = 0; params[kind][p]; p++)
            takes |= strcmp(params[kind][p], all_params[j]) == 0;
        if (at >= 0 && !takes) err_key(b, m, at, "%s does not apply to %s", all_params[j], what);
    }
    switch (f->kind) {
    case FAULT_CRASH:
        f->hang = opt_enum(b, m, "mode", modes, 0) == 1;
        break;
    case FAULT_PAUSE:
        break;
    case FAULT_SLOW:
        if (!scn__map_get(m, "factor") && !scn__map_get(m, "add"))
            err_at(b, m, "a slow fault needs factor (multiplies durations) or add (a duration)");
        opt_num(b, m, "factor", NUM_GT0, &f->factor);
        opt_dur(b, m, "add", false, &f->add);
        break;
    case FAULT_ERRORS:
        if ((n = need(b, m, "rate", "in an errors fault"))) to_pct(b, n, "rate", false, &f->rate);
        break;
    case FAULT_POOL:
        if ((n = need(b, m, "size", "in a pool fault"))) to_intv(b, n, "size", 0, &f->size);
        break;
    }
    /* What each kind means for each kind of target: a crash or pause stops
     * a whole service; errors make requests fail, which a pool has none of;
     * a pool fault resizes a pool. Slow applies to all three. */
    if (!target_ok) return;
    bool fits = f->kind == FAULT_SLOW || (f->kind == FAULT_POOL && tk == T_POOL) ||
                ((f->kind == FAULT_CRASH || f->kind == FAULT_PAUSE) && tk == T_SERVICE) ||
                (f->kind == FAULT_ERRORS && tk != T_POOL);
    if (!fits) {
        const char *want = f->kind == FAULT_POOL     ? "a pool (service.pool)"
                           : f->kind == FAULT_ERRORS ? "a service or service.endpoint"
                                                     : "a whole service";
        err_at(b, tn, "a %s fault targets %s, got the %s %s", kinds[kind], want, tnames[tk],
               got(tn, gb, sizeof gb));
    }
}

/* ---- the event bus, sagas and projections ---------------------------------------- */

/* Absent or not, the bus has its defaults: delivery at once, no duplicates,
 * one delivery per copy (a failed handler is not retried). */
static void build_bus(struct bld *b, const struct scn_node *root)
{
    static const char *const keys[] = {"latency", "duplicate", "redeliver", NULL};
    static const char *const rd_keys[] = {"attempts", "after", NULL};
    struct bus_config *bus = &b->cfg->bus;
    const char *msg = sim_dist_constant(&bus->latency, 0);
    SIM_ASSERT(!msg);
    bus->attempts = 1;
    const struct scn_node *m = scn__map_get(root, "bus");
    if (!m || !is_map(b, m, "bus")) return;
    check_keys(b, m, "in bus", keys);
    const struct scn_node *n;
    if ((n = scn__map_get(m, "latency"))) build_dist(b, n, "latency", false, &bus->latency);
    opt_pct(b, m, "duplicate", false, &bus->duplicate);
    if ((n = scn__map_get(m, "redeliver")) && is_map(b, n, "redeliver")) {
        check_keys(b, n, "in bus redeliver", rd_keys);
        opt_int(b, n, "attempts", 1, &bus->attempts);
        opt_dur(b, n, "after", false, &bus->after);
    }
}

/* No call-graph edge: the bus is asynchronous, so a subscriber publishing
 * the event it handles loops in time, not on a thread's stack. */
static void build_subscription(struct bld *b, const struct scn_node *m,
                               struct subscription_config *sub)
{
    static const char *const keys[] = {"on", "run", NULL};
    sub->event = sub->service = sub->endpoint = -1;
    if (!is_map(b, m, "a subscription")) return;
    check_keys(b, m, "in a subscription", keys);
    const struct scn_node *n;
    if ((n = need(b, m, "on", "in a subscription"))) sub->event = event_ref(b, n, "on", EV_USE);
    if ((n = need(b, m, "run", "in a subscription")))
        resolve_endpoint(b, n, "run", &sub->service, &sub->endpoint);
}

/* Sagas and choreographies are both reported as sagas.<name>, so their names
 * share one namespace. `saga`: n names sagas[i], else choreographies[i]. */
static bool dup_flow_name(struct bld *b, const struct scn_node *n, bool saga, int i)
{
    const struct world_config *c = b->cfg;
    if (!saga)
        return dup_name(b, n, "choreography", &c->choreographies[0].name, i,
                        sizeof *c->choreographies);
    if (dup_name(b, n, "saga", &c->sagas[0].name, i, sizeof *c->sagas)) return true;
    for (int k = 0; k < c->nchoreographies; k++) {
        if (c->choreographies[k].name && strcmp(c->choreographies[k].name, n->str) == 0) {
            char gb[GOTBUF];
            err_at(b, n,
                   "duplicate saga name %s: a choreography has it (both report as "
                   "sagas.<name>)",
                   got(n, gb, sizeof gb));
            return true;
        }
    }
    return false;
}

static void build_choreography(struct bld *b, const struct scn_node *m, int i)
{
    static const char *const keys[] = {"name",      "start",   "completed_on",
                                       "failed_on", "timeout", NULL};
    static const char *const start_keys[] = {"publish", "rate", NULL};
    struct choreography_config *ch = &b->cfg->choreographies[i];
    ch->start = -1;
    if (!is_map(b, m, "a choreography")) return;
    const struct scn_node *n = need(b, m, "name", "in a choreography");
    const char *name = n ? to_name(b, n, "choreography name", false) : NULL;
    if (name && !dup_flow_name(b, n, false, i)) ch->name = sim_xstrdup(name);
    char where[128], swhere[128];
    snprintf(where, sizeof where, "in choreography '%.60s'", name ? name : "?");
    snprintf(swhere, sizeof swhere, "in the start of choreography '%.60s'", name ? name : "?");
    check_keys(b, m, where, keys);
    if ((n = need(b, m, "start", where)) && is_map(b, n, "start")) {
        check_keys(b, n, swhere, start_keys);
        const struct scn_node *p;
        if ((p = need(b, n, "publish", swhere))) ch->start = event_ref(b, p, "publish", EV_PUBLISH);
        if ((p = need(b, n, "rate", swhere))) build_rates(b, p, "rate", &ch->rates, &ch->nrates);
    }
    if ((n = need(b, m, "completed_on", where)))
        build_event_list(b, n, "completed_on", &ch->completed_on, &ch->ncompleted, NULL, 0, NULL);
    if ((n = scn__map_get(m, "failed_on")))
        build_event_list(b, n, "failed_on", &ch->failed_on, &ch->nfailed, ch->completed_on,
                         ch->ncompleted, "completed_on");
    opt_dur(b, m, "timeout", false, &ch->timeout);
}

/* `compensation: NAME` or a policy mapping; the mapping becomes the policy
 * "saga/<name>/compensation", appended as a load's "load/<name>" is. A saga
 * whose name is bad (reported) still has its mapping checked, into a policy
 * that is then dropped. Index of the policy, -1 if none. */
static int build_compensation(struct bld *b, const struct scn_node *n, const char *saga)
{
    char gb[GOTBUF];
    if (n->kind == SCN_SEQ) {
        err_at(b, n, "compensation must be the name of a policy or a policy mapping, got %s",
               got(n, gb, sizeof gb));
        return -1;
    }
    if (n->kind != SCN_MAP) return find_policy(b, n);
    if (!saga) {
        char name[] = "saga/?/compensation";
        struct policy_config tmp = {.name = name};
        build_policy(b, n, &tmp);
        sim_dist_fini(&tmp.latency);
        return -1;
    }
    struct world_config *c = b->cfg;
    int k = push_policy(c);
    size_t len = strlen(saga) + 19;
    c->policies[k].name = sim_xmalloc(len);
    snprintf(c->policies[k].name, len, "saga/%s/compensation", saga);
    build_policy(b, n, &c->policies[k]);
    return k;
}

static void build_saga_step(struct bld *b, const struct scn_node *m, struct saga_config *sg, int k,
                            int comp_policy)
{
    static const char *const keys[] = {"name", "call", "compensate", "policy", NULL};
    struct saga_step_config *st = &sg->steps[k];
    st->call.service = st->call.endpoint = st->call.policy = -1;
    st->compensate.service = st->compensate.endpoint = -1;
    st->compensate.policy = comp_policy;
    if (!is_map(b, m, "a saga step")) return;
    char where[128];
    snprintf(where, sizeof where, "in a step of saga '%.60s'", sg->name ? sg->name : "?");
    check_keys(b, m, where, keys);
    const struct scn_node *n = need(b, m, "name", where);
    const char *name = n ? to_name(b, n, "step name", false) : NULL;
    if (name && !dup_name(b, n, "step", &sg->steps[0].name, k, sizeof *sg->steps))
        st->name = sim_xstrdup(name);
    if ((n = need(b, m, "call", where)))
        resolve_endpoint(b, n, "call", &st->call.service, &st->call.endpoint);
    if ((n = scn__map_get(m, "policy"))) st->call.policy = find_policy(b, n);
    if ((n = scn__map_get(m, "compensate")))
        st->has_compensate =
            resolve_endpoint(b, n, "compensate", &st->compensate.service, &st->compensate.endpoint);
}

static void build_saga(struct bld *b, const struct scn_node *m, int i)
{
    static const char *const keys[] = {
        "name", "start", "steps", "compensation", "compensate_uncertain", NULL};
    struct saga_config *sg = &b->cfg->sagas[i];
    if (!is_map(b, m, "a saga")) return;
    const struct scn_node *n = need(b, m, "name", "in a saga");
    const char *name = n ? to_name(b, n, "saga name", false) : NULL;
    if (name && !dup_flow_name(b, n, true, i)) sg->name = sim_xstrdup(name);
    char where[128];
    snprintf(where, sizeof where, "in saga '%.60s'", name ? name : "?");
    check_keys(b, m, where, keys);
    if ((n = need(b, m, "start", where))) build_rates(b, n, "start", &sg->rates, &sg->nrates);
    int comp = -1;
    if ((n = scn__map_get(m, "compensation"))) comp = build_compensation(b, n, sg->name);
    opt_bool(b, m, "compensate_uncertain", &sg->compensate_uncertain);
    if (!(n = need(b, m, "steps", where)) || !is_list(b, n, "steps", "saga steps")) return;
    if (n->n == 0) {
        err_at(b, n, "steps must list at least one step");
        return;
    }
    sg->steps = sim_xcalloc((size_t)n->n, sizeof *sg->steps);
    sg->nsteps = n->n;
    for (int k = 0; k < n->n; k++)
        build_saga_step(b, n->items[k], sg, k, comp);
}

static void build_projection(struct bld *b, const struct scn_node *m, int i)
{
    static const char *const keys[] = {"name", "on", "run", "read_after", NULL};
    struct world_config *c = b->cfg;
    struct projection_config *p = &c->projections[i];
    p->service = p->endpoint = -1;
    if (!is_map(b, m, "a projection")) return;
    const struct scn_node *n = need(b, m, "name", "in a projection");
    const char *name = n ? to_name(b, n, "projection name", false) : NULL;
    if (name && !dup_name(b, n, "projection", &c->projections[0].name, i, sizeof *c->projections))
        p->name = sim_xstrdup(name);
    char where[128];
    snprintf(where, sizeof where, "in projection '%.60s'", name ? name : "?");
    check_keys(b, m, where, keys);
    if ((n = need(b, m, "on", where)))
        build_event_list(b, n, "on", &p->events, &p->nevents, NULL, 0, NULL);
    if ((n = need(b, m, "run", where))) resolve_endpoint(b, n, "run", &p->service, &p->endpoint);
    if ((n = scn__map_get(m, "read_after")))
        p->has_read_after = build_dist(b, n, "read_after", false, &p->read_after);
}

/* The event-driven sections, after services (their endpoints) and loads
 * (whose synthesized policies keep their indices: sagas append theirs
 * after). */
static void build_flows(struct bld *b, const struct scn_node *root)
{
    struct world_config *c = b->cfg;
    const struct scn_node *n;
    build_bus(b, root);
    if ((n = scn__map_get(root, "subscriptions")) &&
        is_list(b, n, "subscriptions", "subscriptions {on, run}")) {
        c->subscriptions = sim_xcalloc((size_t)n->n, sizeof *c->subscriptions);
        c->nsubscriptions = n->n;
        for (int i = 0; i < n->n; i++)
            build_subscription(b, n->items[i], &c->subscriptions[i]);
    }
    if ((n = scn__map_get(root, "choreographies")) &&
        is_list(b, n, "choreographies", "choreographies")) {
        c->choreographies = sim_xcalloc((size_t)n->n, sizeof *c->choreographies);
        c->nchoreographies = n->n;
        for (int i = 0; i < n->n; i++)
            build_choreography(b, n->items[i], i);
    }
    if ((n = scn__map_get(root, "sagas")) && is_list(b, n, "sagas", "sagas")) {
        c->sagas = sim_xcalloc((size_t)n->n, sizeof *c->sagas);
        c->nsagas = n->n;
        for (int i = 0; i < n->n; i++)
            build_saga(b, n->items[i], i);
    }
    if ((n = scn__map_get(root, "projections")) && is_list(b, n, "projections", "projections")) {
        c->projections = sim_xcalloc((size_t)n->n, sizeof *c->projections);
        c->nprojections = n->n;
        for (int i = 0; i < n->n; i++)
            build_projection(b, n->items[i], i);
    }
    check_refs(b);
}

/* ---- the top level ------------------------------------------------------------ */

static bool parse_clock(const char *s, sim_time *out)
{
    int h = 0, mi = 0, se = 0, i = 0;
    for (int k = 0; k < 2 && is_digit(s[i]); k++)
        h = h * 10 + (s[i++] - '0');
    if (i == 0 || s[i++] != ':') return false;
    for (int k = 0; k < 2; k++, i++) {
        if (!is_digit(s[i])) return false;
        mi = mi * 10 + (s[i] - '0');
    }
    if (s[i++] != ':') return false;
    for (int k = 0; k < 2; k++, i++) {
        if (!is_digit(s[i])) return false;
        se = se * 10 + (s[i] - '0');
    }
    if (s[i] || h > 23 || mi > 59 || se > 59) return false;
    *out = ((sim_time)h * 3600 + mi * 60 + se) * SIM_S;
    return true;
}

static void build_world(struct bld *b, const struct scn_node *root)
{
    static const char *const keys[] = {
        "name",  "description",   "seed",           "duration", "warmup",      "sample",
        "clock", "network",       "services",       "policies", "load",        "faults",
        "bus",   "subscriptions", "choreographies", "sagas",    "projections", "variants",
        NULL};
    static const char *const net_keys[] = {"latency", NULL};
    const char *where = "at the top level";
    char gb[GOTBUF];
    struct world_config *c = b->cfg;
    check_keys(b, root, where, keys);

    const struct scn_node *n;
    if ((n = need(b, root, "name", where))) {
        const char *name = to_name(b, n, "name", true);
        if (name) c->name = sim_xstrdup(name);
    }
    if ((n = scn__map_get(root, "description")) && !is_scalar(n))
        err_at(b, n, "description must be text, got %s", got(n, gb, sizeof gb));
    c->seed = 1;
    if ((n = scn__map_get(root, "seed"))) {
        bool ok = is_scalar(n) && n->str[0] != '\0';
        for (const char *p = n->str; ok && *p; p++)
            ok = is_digit(*p);
        errno = 0;
        unsigned long long v = ok ? strtoull(n->str, NULL, 10) : 0;
        if (!ok || errno == ERANGE)
            err_at(b, n, "seed must be an integer between 0 and %" PRIu64 ", got %s", UINT64_MAX,
                   got(n, gb, sizeof gb));
        else
            c->seed = (uint64_t)v;
    }
    bool dur_ok =
        (n = need(b, root, "duration", where)) && to_dur(b, n, "duration", true, &c->duration);
    c->sample = SIM_S;
    if ((n = scn__map_get(root, "warmup")) && to_dur(b, n, "warmup", false, &c->warmup) && dur_ok &&
        c->warmup >= c->duration) {
        char db[32];
        sim_time_format(c->duration, db, sizeof db);
        err_at(b, n, "warmup must be shorter than duration (%s), got %s", db,
               got(n, gb, sizeof gb));
    }
    opt_dur(b, root, "sample", true, &c->sample);
    if ((n = scn__map_get(root, "clock"))) {
        if (is_scalar(n) && parse_clock(n->str, &c->clock))
            c->has_clock = true;
        else
            err_at(b, n, "clock must be a time of day \"HH:MM:SS\", got %s", got(n, gb, sizeof gb));
    }
    if ((n = scn__map_get(root, "network")) && is_map(b, n, "network")) {
        check_keys(b, n, "in network", net_keys);
        const struct scn_node *l = scn__map_get(n, "latency");
        if (l) c->has_latency = build_dist(b, l, "latency", false, &c->latency);
    }

    if ((n = scn__map_get(root, "policies"))) build_policies(b, n);
    if ((n = need(b, root, "services", where))) build_services(b, n);
    if ((n = scn__map_get(root, "load")) && is_list(b, n, "load", "load sources")) {
        c->loads = sim_xcalloc((size_t)n->n, sizeof *c->loads);
        c->nloads = n->n;
        for (int i = 0; i < n->n; i++)
            build_load(b, n->items[i], i);
    }
    if ((n = scn__map_get(root, "faults")) && is_list(b, n, "faults", "faults")) {
        c->faults = sim_xcalloc((size_t)n->n, sizeof *c->faults);
        c->nfaults = n->n;
        for (int i = 0; i < n->n; i++)
            build_fault(b, n->items[i], i);
    }
    build_flows(b, root);
}

bool scn_build(const struct scn_doc *doc, int variant, struct world_config *cfg,
               struct scn_errors *err)
{
    return scn_build_with(doc, variant, NULL, NULL, 0, cfg, err);
}

bool scn_build_with(const struct scn_doc *doc, int variant, const char *const *paths,
                    const char *const *values, int n, struct world_config *cfg,
                    struct scn_errors *err)
{
    SIM_ASSERT(variant >= 0 && variant < scn_variant_count(doc));
    memset(cfg, 0, sizeof *cfg);
    struct scn_node *over = NULL;
    if (doc->nvariants > 0) {
        /* The variant's `name` names the variant, never the scenario. */
        over = scn__node_copy(doc->variants[variant]);
        scn__map_remove(over, "name");
    }
    struct scn_node *merged = scn__merge(doc->root, over);
    scn__node_free(over);
    scn__map_remove(merged, "variants");
    /* Each override is a variant of its own merged on the result, resolved
     * against it: a later path may go into what an earlier one set. */
    for (int i = 0; i < n; i++) {
        over = scn__overlay(doc, merged, paths[i], values[i], err);
        if (!over) {
            scn__node_free(merged);
            return false;
        }
        struct scn_node *next = scn__merge(merged, over);
        scn__node_free(over);
        scn__node_free(merged);
        merged = next;
    }

    struct scn_errors local;
    scn_errors_init(&local);
    struct bld b = {.path = doc->path, .err = &local, .cfg = cfg};
    build_world(&b, merged);
    scn__errors_move_sorted(err, &local, doc->path);

    for (int i = 0; i < b.nflat; i++)
        free(b.ep_names[i]);
    for (int i = 0; i < b.npool_names; i++)
        free(b.pool_names[i]);
    free(b.ep_names);
    free(b.pool_names);
    free(b.ep_base);
    free(b.edges);
    free(b.published);
    free(b.effected);
    free(b.ev_uses);
    free(b.undos);
    scn__node_free(merged);
    if (b.nerr > 0) {
        world_config_fini(cfg);
        return false;
    }
    return true;
}
