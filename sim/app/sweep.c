/* sweep.c - the grid, its jobs, the points' trees, sweep.csv and the plot.
 *
 * The numbers of sweep.csv are computed in one place (write_results) from
 * per-replication summary trees, whether they were just handed over by
 * run_all or read back from the points' replications.tree files. The trees
 * keep every double exactly (report_save prints them with %a), so the two
 * ways cannot differ by a rounding: `--collect` is byte-identical to a local
 * sweep by construction, not by care.
 */
#define _POSIX_C_SOURCE 200809L

#include "sim/app/sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "sim/app/compare.h"
#include "sim/app/plot.h"
#include "sim/app/report.h"
#include "sim/kernel/sim_assert.h"
#include "sim/kernel/sim_mem.h"
#include "sim/kernel/sim_time.h"

/* ---- the grid ------------------------------------------------------------- */

void sweep_grid_init(struct sweep_grid *g)
{
    memset(g, 0, sizeof *g);
    g->npoints = 1;
}

static void axis_free(struct sweep_axis *x)
{
    for (int i = 0; i < x->nvalues; i++)
        free(x->values[i]);
    free(x->values);
    free(x->path);
    free(x->arg);
}

void sweep_grid_fini(struct sweep_grid *g)
{
    for (int a = 0; a < g->naxes; a++)
        axis_free(&g->axes[a]);
    free(g->axes);
    sweep_grid_init(g);
}

static char *trimmed(const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    char *t = sim_xmalloc(len + 1);
    memcpy(t, s, len);
    t[len] = '\0';
    return t;
}

/* Splits at the commas that separate values: outside [] {} and outside
 * YAML's quotes ('' is a quote inside '...', \" one inside "..."). */
static bool split_values(const char *s, struct sweep_axis *x, char *msg, size_t n)
{
    int depth = 0;
    char quote = 0;
    const char *start = s;
    for (const char *p = s;; p++) {
        char c = *p;
        if (quote && c) {
            if (quote == '"' && c == '\\' && p[1])
                p++;
            else if (c == quote && quote == '\'' && p[1] == '\'')
                p++;
            else if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        } else if ((c == ',' && depth == 0) || c == '\0') {
            if (!c && (quote || depth)) {
                snprintf(msg, n, "--set %s: a bracket or a quote is not closed", x->path);
                return false;
            }
            char *v = trimmed(start, (size_t)(p - start));
            if (!*v) {
                free(v);
                snprintf(msg, n,
                         "--set %s: an empty value (to remove the key, write null); expected "
                         "PATH=V1,V2,...",
                         x->path);
                return false;
            }
            for (int i = 0; i < x->nvalues; i++) {
                if (strcmp(x->values[i], v) == 0) {
                    snprintf(msg, n, "--set %s: the value %s is given twice", x->path, v);
                    free(v);
                    return false;
                }
            }
            x->values = sim_xrealloc(x->values, (size_t)(x->nvalues + 1) * sizeof *x->values);
            x->values[x->nvalues++] = v;
            if (!c) return true;
            start = p + 1;
        }
    }
}

bool sweep_grid_add(struct sweep_grid *g, const char *arg, char *msg, size_t n)
{
    for (const unsigned char *p = (const unsigned char *)arg; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            snprintf(msg, n, "--set holds a control character (tab, newline, ...)");
            return false;
        }
    }
    const char *eq = strchr(arg, '=');
    struct sweep_axis x = {0};
    if (!eq) {
        snprintf(msg, n, "--set needs PATH=V1,V2,..., got \"%s\"", arg);
        return false;
    }
    x.path = trimmed(arg, (size_t)(eq - arg));
    if (!*x.path) {
        snprintf(msg, n, "--set needs a PATH before '=', like services.payment.threads, got \"%s\"",
                 arg);
        axis_free(&x);
        return false;
    }
    for (int a = 0; a < g->naxes; a++) {
        if (strcmp(g->axes[a].path, x.path) == 0) {
            snprintf(msg, n, "--set %s is given twice; list its values in one --set", x.path);
            axis_free(&x);
            return false;
        }
    }
    if (!split_values(eq + 1, &x, msg, n)) {
        axis_free(&x);
        return false;
    }
    if ((long long)g->npoints * x.nvalues > SWEEP_MAX_POINTS) {
        snprintf(msg, n, "the grid would have more than %d points", SWEEP_MAX_POINTS);
        axis_free(&x);
        return false;
    }
    x.arg = sim_xstrdup(arg);
    g->axes = sim_xrealloc(g->axes, (size_t)(g->naxes + 1) * sizeof *g->axes);
    g->axes[g->naxes++] = x;
    g->npoints *= x.nvalues;
    return true;
}

void sweep_point_index(const struct sweep_grid *g, int k, int *idx)
{
    SIM_ASSERT(k >= 0 && k < g->npoints);
    for (int a = g->naxes - 1; a >= 0; a--) {
        idx[a] = k % g->axes[a].nvalues;
        k /= g->axes[a].nvalues;
    }
}

void sweep_point_values(const struct sweep_grid *g, int k, const char **values)
{
    int *idx = sim_xcalloc((size_t)g->naxes + 1, sizeof *idx);
    sweep_point_index(g, k, idx);
    for (int a = 0; a < g->naxes; a++)
        values[a] = g->axes[a].values[idx[a]];
    free(idx);
}

/* SWEEP_MAX_POINTS bounds k to five digits. */
void sweep_point_name(const struct sweep_grid *g, int k, char *buf, size_t n)
{
    SIM_ASSERT(k >= 0 && k < SWEEP_MAX_POINTS);
    snprintf(buf, n, g->npoints > 10000 ? "p%05d" : g->npoints > 1000 ? "p%04d" : "p%03d", k);
}

bool sweep_point_parse(const struct sweep_grid *g, const char *s, int *k)
{
    const char *d = s[0] == 'p' ? s + 1 : s;
    if (*d < '0' || *d > '9') return false;
    char *end;
    errno = 0;
    long v = strtol(d, &end, 10);
    if (errno || *end || v >= g->npoints) return false;
    *k = (int)v;
    return true;
}

/* ---- jobs ----------------------------------------------------------------- */

void sweep_shell_word(const char *s, FILE *f)
{
    bool plain = *s != '\0';
    for (const char *p = s; *p && plain; p++)
        plain = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                       "_@%+=:,./-",
                       *p) != NULL;
    if (plain) {
        fputs(s, f);
        return;
    }
    /* Inside '...' nothing is special but the quote itself, which closes,
     * is written escaped, and reopens. */
    fputc('\'', f);
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", f);
        else
            fputc(*p, f);
    }
    fputc('\'', f);
}

static void opt_word(const char *opt, const char *v, FILE *f)
{
    if (!v) return;
    fprintf(f, " %s ", opt);
    sweep_shell_word(v, f);
}

static int emit_jobs(const struct sweep_grid *g, const struct sweep_options *o)
{
    const char *prog = o->argv0 && *o->argv0 ? o->argv0 : "domino";
    for (int k = 0; k < g->npoints; k++) {
        char name[32];
        sweep_point_name(g, k, name, sizeof name);
        sweep_shell_word(prog, stdout);
        fputs(" sweep ", stdout);
        sweep_shell_word(o->file, stdout);
        for (int a = 0; a < g->naxes; a++)
            opt_word("--set", g->axes[a].arg, stdout);
        opt_word("--point", name, stdout);
        opt_word("--variant", o->variant_given ? o->variant : NULL, stdout);
        opt_word("--seed", o->seed, stdout);
        opt_word("--replications", o->replications, stdout);
        opt_word("--duration", o->duration, stdout);
        opt_word("--jobs", o->jobs, stdout);
        opt_word("--out", o->run.out, stdout);
        fputs(" --quiet\n", stdout);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "domino: cannot write the jobs: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

/* ---- the metric of the plot ----------------------------------------------- */

static bool name_is(const char *name, const char *s, size_t len)
{
    return strlen(name) == len && strncmp(name, s, len) == 0;
}

/* Whether summary section `section` (compare_metric_section's) has an
 * element named by the first len bytes of s. */
static bool has_name(const struct world_config *cfg, const char *section, const char *s, size_t len)
{
    bool found = false;
    if (strcmp(section, "load") == 0)
        for (int i = 0; i < cfg->nloads && !found; i++)
            found = name_is(cfg->loads[i].name, s, len);
    else if (strcmp(section, "services") == 0)
        for (int i = 0; i < cfg->nservices && !found; i++)
            found = name_is(cfg->services[i].name, s, len);
    else if (strcmp(section, "sagas") == 0) {
        for (int i = 0; i < cfg->nsagas && !found; i++)
            found = name_is(cfg->sagas[i].name, s, len);
        for (int i = 0; i < cfg->nchoreographies && !found; i++)
            found = name_is(cfg->choreographies[i].name, s, len);
    } else if (strcmp(section, "projections") == 0)
        for (int i = 0; i < cfg->nprojections && !found; i++)
            found = name_is(cfg->projections[i].name, s, len);
    return found;
}

/* The label of --metric (or the first load source's success rate), checked
 * against the model: "" when there is nothing to plot (no load source and no
 * --metric). Returns 0, or 2 with the expected forms on stderr. */
static int plot_metric(const char *metric, const struct world_config *cfg, char *label, size_t n)
{
    label[0] = '\0';
    if (!metric) {
        if (cfg->nloads > 0) snprintf(label, n, "%s success_rate", cfg->loads[0].name);
        return 0;
    }
    const char *sp = strrchr(metric, ' ');
    const char *section = sp ? compare_metric_section(sp + 1) : NULL;
    bool found = section && has_name(cfg, section, metric, (size_t)(sp - metric));
    if (found) {
        snprintf(label, n, "%s", metric);
        return 0;
    }
    fprintf(stderr,
            "domino: error: --metric \"%s\" is not a metric of %s: expected \"LOAD "
            "success_rate\", \"LOAD goodput_rps\", \"LOAD p99_ms\", \"SERVICE "
            "blocked_fraction\", \"SAGA completed|inconsistent|stuck|duplicates\" or "
            "\"PROJECTION stale_reads|lag_p99_ms\"; load sources:",
            metric, cfg->name);
    for (int i = 0; i < cfg->nloads; i++)
        fprintf(stderr, " %s", cfg->loads[i].name);
    fputs("; services:", stderr);
    for (int i = 0; i < cfg->nservices; i++)
        fprintf(stderr, " %s", cfg->services[i].name);
    if (cfg->nsagas + cfg->nchoreographies > 0) fputs("; sagas:", stderr);
    for (int i = 0; i < cfg->nsagas; i++)
        fprintf(stderr, " %s", cfg->sagas[i].name);
    for (int i = 0; i < cfg->nchoreographies; i++)
        fprintf(stderr, " %s", cfg->choreographies[i].name);
    if (cfg->nprojections > 0) fputs("; projections:", stderr);
    for (int i = 0; i < cfg->nprojections; i++)
        fprintf(stderr, " %s", cfg->projections[i].name);
    fputs("\n(see `domino sweep --help`)\n", stderr);
    return 2;
}

/* ---- a point's trees -------------------------------------------------------- */

static void point_dir(const struct sweep_grid *g, const struct sweep_options *o,
                      const struct run_variant *points, int k, char *buf, size_t n)
{
    char name[32];
    sweep_point_name(g, k, name, sizeof name);
    snprintf(buf, n, "%s/%s/sweep/%s", o->run.out, points[k].cfg.name, name);
}

/* What a point's results are the results of: two folders with the same
 * identity hold the same numbers. */
static struct report *identity(const struct sweep_grid *g, const struct sweep_options *o,
                               const struct run_variant *points, int k)
{
    const struct world_config *cfg = &points[k].cfg;
    struct report *id = report_object(NULL, NULL);
    char buf[64];
    report_string(id, "scenario", cfg->name);
    report_string(id, "variant", o->variant);
    snprintf(buf, sizeof buf, "%" PRIu64, cfg->seed);
    report_string(id, "seed", buf);
    sim_time_format(cfg->duration, buf, sizeof buf);
    report_string(id, "duration", buf);
    report_number(id, "replications", o->run.replications);
    struct report *set = report_object(id, "set");
    const char **values = sim_xcalloc((size_t)g->naxes + 1, sizeof *values);
    sweep_point_values(g, k, values);
    for (int a = 0; a < g->naxes; a++)
        report_string(set, g->axes[a].path, values[a]);
    free(values);
    return id;
}

static bool fill_tree(void *ctx, FILE *f)
{
    report_save(ctx, f);
    return true;
}

/* Writes dir/replications.tree: the identity `id` (freed), then "runs"
 * holding copies of the R trees runs[0..R). */
static bool save_point(const char *dir, struct report *id, struct report *const *runs, int R)
{
    struct report *runs_node = report_object(id, "runs");
    for (int r = 0; r < R; r++)
        report_copy_into(runs_node, runs[r]);
    char path[4200];
    snprintf(path, sizeof path, "%s/replications.tree", dir);
    bool ok = run_write_file(path, fill_tree, id);
    report_free(id);
    return ok;
}

static bool same_string(const struct report *a, const struct report *b, const char *key)
{
    const struct report *x = report_get(a, key), *y = report_get(b, key);
    return x && y && x->kind == REPORT_STRING && y->kind == REPORT_STRING &&
           strcmp(x->str, y->str) == 0;
}

/* Reads point k's trees into runs[0..R). Returns 0; 2 when the file is
 * missing (*missing set), unreadable as a tree, or was written by another
 * command line (a message on stderr). */
static int load_point(const struct sweep_grid *g, const struct sweep_options *o,
                      const struct run_variant *points, int k, struct report **runs, bool *missing)
{
    char dir[4096], path[4200];
    point_dir(g, o, points, k, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/replications.tree", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        *missing = true;
        return 2;
    }
    struct report *t = report_load(f);
    fclose(f);
    if (!t) {
        fprintf(stderr, "domino: error: %s is not a file `domino sweep` wrote\n", path);
        return 2;
    }
    struct report *want = identity(g, o, points, k);
    const char *bad = NULL;
    static const char *const keys[] = {"scenario", "variant", "seed", "duration"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys && !bad; i++)
        if (!same_string(t, want, keys[i])) bad = keys[i];
    const struct report *set = report_get(t, "set"), *wset = report_get(want, "set");
    for (int a = 0; a < g->naxes && !bad; a++)
        if (!set || !same_string(set, wset, g->axes[a].path)) bad = "--set values";
    if (!bad && set && set->n != g->naxes) bad = "--set paths";
    struct report *rn = report_get(t, "runs");
    if (!bad && (!rn || rn->kind != REPORT_OBJECT || rn->n != o->run.replications))
        bad = "replications";
    if (bad) {
        fprintf(stderr,
                "domino: error: %s holds the results of another sweep (its %s differ): collect "
                "with the options the jobs were given (domino sweep --emit-jobs prints them)\n",
                dir, bad);
    } else {
        for (int r = 0; r < o->run.replications; r++) { /* taken out of t */
            runs[r] = rn->kids[r];
            rn->kids[r] = NULL;
        }
    }
    report_free(want);
    report_free(t);
    return bad ? 2 : 0;
}

/* ---- sweep.csv ---------------------------------------------------------------- */

struct table {
    const struct sweep_grid *g;
    struct compare_metric *ms;
    int nm;
    double *mean, *ci; /* [k * nm + m] */
};

static bool fill_csv(void *ctx, FILE *f)
{
    const struct table *t = ctx;
    const struct sweep_grid *g = t->g;
    for (int a = 0; a < g->naxes; a++) {
        report_csv_field(f, g->axes[a].path);
        fputc(',', f);
    }
    fputs("metric,mean,ci95\n", f);
    const char **values = sim_xcalloc((size_t)g->naxes + 1, sizeof *values);
    for (int k = 0; k < g->npoints; k++) {
        sweep_point_values(g, k, values);
        for (int m = 0; m < t->nm; m++) {
            for (int a = 0; a < g->naxes; a++) {
                report_csv_field(f, values[a]);
                fputc(',', f);
            }
            report_csv_field(f, t->ms[m].label);
            fputc(',', f);
            report_csv_number(t->mean[k * t->nm + m], f);
            fputc(',', f);
            report_csv_number(t->ci[k * t->nm + m], f);
            fputc('\n', f);
        }
    }
    free(values);
    return true;
}

/* ---- the plot's data ------------------------------------------------------------ */

struct plotdata {
    const struct table *t;
    const struct sweep_options *o;
    const char *scenario;
    int m; /* the plotted metric's row */
};

static void gp_num(double v, FILE *f)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("NaN", f);
}

/* Point k of the plot: axes 0 and 1 at ix and iy, any others at their first
 * value (index 0: the point's index is the plain mixed-radix sum). */
static int plot_point(const struct sweep_grid *g, int ix, int iy)
{
    int k = 0;
    for (int a = 0; a < g->naxes; a++)
        k = k * g->axes[a].nvalues + (a == 0 ? ix : a == 1 ? iy : 0);
    return k;
}

/* One axis: "ix mean ci95" per value. Two or more: "ix iy mean ci95", one
 * block per value of the second path (gnuplot's image style reads the grid
 * scan line by scan line). */
static bool fill_dat(void *ctx, FILE *f)
{
    const struct plotdata *p = ctx;
    const struct table *t = p->t;
    const struct sweep_grid *g = t->g;
    int nx = g->axes[0].nvalues, ny = g->naxes > 1 ? g->axes[1].nvalues : 1;
    fprintf(f, "# %s: %s\n", p->scenario, t->ms[p->m].label);
    fprintf(f, g->naxes > 1 ? "# ix iy mean ci95 (value indices of the first two --set paths)\n"
                            : "# ix mean ci95 (value index of the --set path)\n");
    for (int iy = 0; iy < ny; iy++) {
        if (iy > 0) fputc('\n', f);
        for (int ix = 0; ix < nx; ix++) {
            int k = plot_point(g, ix, iy);
            if (g->naxes > 1)
                fprintf(f, "%d %d ", ix, iy);
            else
                fprintf(f, "%d ", ix);
            gp_num(t->mean[k * t->nm + p->m], f);
            fputc(' ', f);
            gp_num(t->ci[k * t->nm + p->m], f);
            fputc('\n', f);
        }
    }
    return true;
}

static void gp_assign(FILE *f, const char *var, const char *s)
{
    fprintf(f, "%s = ", var);
    plot_gp_quote(f, s);
    fputc('\n', f);
}

static bool fill_info(void *ctx, FILE *f)
{
    const struct plotdata *p = ctx;
    const struct table *t = p->t;
    const struct sweep_grid *g = t->g;
    char var[32];
    fputs("# Written by `domino sweep` for plots/sweep.gp.\n", f);
    gp_assign(f, "scenario", p->scenario);
    gp_assign(f, "variant", p->o->variant);
    gp_assign(f, "metric", t->ms[p->m].label);
    fprintf(f, "rate = %d\n", compare_metric_rate(&t->ms[p->m]) ? 1 : 0);
    fprintf(f, "replications = %d\n", p->o->run.replications);
    fprintf(f, "npaths = %d\n", g->naxes);
    for (int a = 0; a < 2 && a < g->naxes; a++) {
        char c = a == 0 ? 'x' : 'y';
        snprintf(var, sizeof var, "%cpath", c);
        gp_assign(f, var, g->axes[a].path);
        fprintf(f, "n%c = %d\n", c, g->axes[a].nvalues);
        for (int i = 0; i < g->axes[a].nvalues; i++) {
            snprintf(var, sizeof var, "%c_%d", c, i + 1);
            gp_assign(f, var, g->axes[a].values[i]);
        }
    }
    /* The paths past the second are held at their first value. */
    size_t len = 1;
    for (int a = 2; a < g->naxes; a++)
        len += strlen(g->axes[a].path) + strlen(g->axes[a].values[0]) + 8;
    char *fixed = sim_xcalloc(len, 1);
    for (int a = 2; a < g->naxes; a++)
        snprintf(fixed + strlen(fixed), len - strlen(fixed), "%s%s = %s", a > 2 ? ", " : "",
                 g->axes[a].path, g->axes[a].values[0]);
    gp_assign(f, "fixed", fixed);
    free(fixed);
    /* The extremes of the cells drawn, which the colour scale spans. */
    double lo = (double)NAN, hi = (double)NAN;
    int nx = g->axes[0].nvalues, ny = g->naxes > 1 ? g->axes[1].nvalues : 1;
    for (int k = 0; k < nx * ny; k++) {
        double v = t->mean[plot_point(g, k % nx, k / nx) * t->nm + p->m];
        if (!isfinite(v)) continue;
        if (!(v >= lo)) lo = v;
        if (!(v <= hi)) hi = v;
    }
    fputs("vmin = ", f);
    gp_num(lo, f);
    fputs("\nvmax = ", f);
    gp_num(hi, f);
    fputc('\n', f);
    return true;
}

/* ---- the results ---------------------------------------------------------------- */

/* sweep.csv, then the plot's data and the plot, from the npoints * R trees
 * (runs[k * R + r]). `label` names the plotted metric ("" for none). */
static int write_results(const struct sweep_grid *g, const struct sweep_options *o,
                         const struct run_variant *points, struct report *const *runs,
                         const char *label)
{
    int R = o->run.replications, np = g->npoints;
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/%s/sweep", o->run.out, points[0].cfg.name);
    struct table t = {.g = g};
    t.nm = compare_metrics(runs, np, R, &t.ms);
    size_t cells = (size_t)np * (size_t)t.nm;
    t.mean = sim_xmalloc((cells ? cells : 1) * sizeof *t.mean);
    t.ci = sim_xmalloc((cells ? cells : 1) * sizeof *t.ci);
    double *x = sim_xmalloc((size_t)R * sizeof *x);
    for (int k = 0; k < np; k++) {
        for (int m = 0; m < t.nm; m++) {
            for (int r = 0; r < R; r++)
                x[r] = compare_value(runs[k * R + r], &t.ms[m]);
            compare_mean(x, R, &t.mean[k * t.nm + m], &t.ci[k * t.nm + m]);
        }
    }
    free(x);

    int status = 0;
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    if (!run_write_file(path, fill_csv, &t)) {
        fprintf(stderr, "domino: cannot write %s: %s\n", path, strerror(errno));
        status = 1;
    } else if (!o->run.quiet) {
        printf("sweep: %d point%s x %d replication%s, %d metrics: %s\n", np, np == 1 ? "" : "s", R,
               R == 1 ? "" : "s", t.nm, path);
    }

    struct plotdata pd = {.t = &t, .o = o, .scenario = points[0].cfg.name, .m = -1};
    for (int m = 0; m < t.nm && label[0]; m++)
        if (strcmp(t.ms[m].label, label) == 0) pd.m = m;
    if (status == 0 && pd.m >= 0 && g->naxes > 0) {
        snprintf(path, sizeof path, "%s/sweep.dat", dir);
        bool ok = run_write_file(path, fill_dat, &pd);
        if (ok) {
            snprintf(path, sizeof path, "%s/sweepinfo.gp", dir);
            ok = run_write_file(path, fill_info, &pd);
        }
        if (!ok) {
            fprintf(stderr, "domino: cannot write %s: %s\n", path, strerror(errno));
            status = 1;
        }
    }
    if (status == 0 && pd.m >= 0 && g->naxes > 0) {
        char *scripts = plot_find_scripts(o->argv0);
        enum plot_gp r = PLOT_GP_FAILED;
        if (scripts) r = plot_run_script(scripts, "sweep", dir);
        free(scripts);
        if (r == PLOT_GP_MISSING) {
            if (!o->run.quiet)
                fprintf(stderr,
                        "domino: note: gnuplot not found (apt-get install gnuplot-nox): no "
                        "sweep plot; its data is in %s/sweep.dat\n",
                        dir);
        } else if (r != PLOT_GP_OK) {
            status = 1;
        } else if (!o->run.quiet) {
            printf("sweep plot of %s (.png, .svg): %s/sweep.png\n", label, dir);
        }
    }
    free(t.ms);
    free(t.mean);
    free(t.ci);
    return status;
}

/* ---- the command --------------------------------------------------------------- */

/* Runs points [from, to) and writes their replications.tree; with `keep`,
 * hands their trees over (keep[(k - from) * R + r]). */
static int run_points(const struct sweep_grid *g, const struct sweep_options *o,
                      const struct run_variant *points, int from, int to, struct report **keep)
{
    int R = o->run.replications, n = to - from;
    struct run_options run = o->run;
    run.runs = keep;
    int status = run_all(points + from, n, &run);
    for (int i = 0; i < n && status == 0; i++) {
        char dir[4096];
        point_dir(g, o, points, from + i, dir, sizeof dir);
        if (!save_point(dir, identity(g, o, points, from + i), keep + i * R, R)) {
            fprintf(stderr, "domino: cannot write %s/replications.tree: %s\n", dir,
                    strerror(errno));
            status = 1;
        }
    }
    return status;
}

/* Reads every point's trees. Missing points are listed (the first ten: a
 * job array that has not run at all would otherwise print a line per
 * point); a folder of another sweep stops the reading at once, since the
 * same mistake in the command line would be reported for every point. */
static int collect(const struct sweep_grid *g, const struct sweep_options *o,
                   const struct run_variant *points, struct report **runs)
{
    int R = o->run.replications, nmissing = 0, status = 0;
    for (int k = 0; k < g->npoints; k++) {
        bool missing = false;
        int st = load_point(g, o, points, k, runs + k * R, &missing);
        if (st && !missing) return st;
        if (missing) {
            char dir[4096], name[32];
            point_dir(g, o, points, k, dir, sizeof dir);
            sweep_point_name(g, k, name, sizeof name);
            if (nmissing < 10)
                fprintf(stderr,
                        "domino: error: no results of point %s in %s (has its job run? "
                        "--emit-jobs prints it)\n",
                        name, dir);
            nmissing++;
        }
        if (st && status == 0) status = st;
    }
    if (nmissing > 10)
        fprintf(stderr, "domino: error: ... %d points without results in all\n", nmissing);
    return status;
}

int sweep_main(const struct sweep_grid *g, const struct sweep_options *o,
               const struct run_variant *points)
{
    char label[256];
    int status = plot_metric(o->metric, &points[0].cfg, label, sizeof label);
    if (status) return status;
    if (o->mode == SWEEP_EMIT) return emit_jobs(g, o);

    int R = o->run.replications, np = g->npoints;
    int nkeep = o->mode == SWEEP_POINT ? 1 : np;
    struct report **runs = sim_xcalloc((size_t)nkeep * (size_t)R, sizeof *runs);
    if (o->mode == SWEEP_POINT)
        status = run_points(g, o, points, o->point, o->point + 1, runs);
    else if (o->mode == SWEEP_COLLECT)
        status = collect(g, o, points, runs);
    else
        status = run_points(g, o, points, 0, np, runs);
    if (status == 0 && o->mode != SWEEP_POINT) status = write_results(g, o, points, runs, label);
    for (int i = 0; i < nkeep * R; i++)
        report_free(runs[i]);
    free(runs);
    return status;
}
