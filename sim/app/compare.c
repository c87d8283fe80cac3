/* compare.c - rows from the summary trees, paired statistics, table and CSV.
 *
 * The table is built as strings first and printed second: column widths
 * depend on every cell (variant names, magnitudes, the length of the
 * intervals), and a terminal reader scans down columns, so they must line up.
 */
#include "sim/app/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "sim/app/report.h"
#include "sim/kernel/sim_mem.h"
#include "sim/kernel/sim_stat.h"
#include "sim/kernel/sim_time.h"

/* ---- statistics ---------------------------------------------------------- */

/* Welford's update (sim_tally), not a two-pass sum: n equal values give a
 * variance of exactly 0, so identical variants show a difference of exactly
 * 0 +- 0, not 0 +- 1e-17. */
static void finish(const struct sim_tally *t, double *mean, double *ci)
{
    *mean = t->n > 0 ? t->mean : (double)NAN;
    *ci = t->n > 1
              ? gsl_cdf_tdist_Pinv(0.975, (double)(t->n - 1)) * sim_tally_sd(t) / sqrt((double)t->n)
              : (double)NAN;
}

void compare_mean(const double *x, int n, double *mean, double *ci)
{
    struct sim_tally t;
    sim_tally_init(&t);
    for (int i = 0; i < n; i++)
        if (isfinite(x[i])) sim_tally_add(&t, x[i]);
    finish(&t, mean, ci);
}

void compare_paired(const double *a, const double *b, int n, double *mean, double *ci)
{
    struct sim_tally t;
    sim_tally_init(&t);
    for (int i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i])) sim_tally_add(&t, b[i] - a[i]);
    finish(&t, mean, ci);
}

/* ---- rows ---------------------------------------------------------------- */

struct compare_metric_def {
    const char *k1, *k2; /* path below section.name */
    const char *label;
    bool rate; /* a fraction: shown in %, its differences in percentage points */
};

static const struct compare_metric_def load_metrics[] = {
    {"success_rate", NULL, "success_rate", true},
    {"goodput_rps", NULL, "goodput_rps", false},
    {"latency_ms", "p99", "p99_ms", false},
};
static const struct compare_metric_def service_metrics[] = {
    {"blocked_fraction", NULL, "blocked_fraction", true},
};
/* Saga verdicts as counts of instances: every variant starts the same
 * instances (common random numbers), so counts compare directly. */
static const struct compare_metric_def saga_metrics[] = {
    {"completed", NULL, "completed", false},
    {"inconsistent", NULL, "inconsistent", false},
    {"stuck", NULL, "stuck", false},
    {"duplicates", NULL, "duplicates", false},
};
static const struct compare_metric_def projection_metrics[] = {
    {"stale_reads", NULL, "stale_reads", true},
    {"lag_ms", "p99", "lag_p99_ms", false},
};

#define COUNT(a) ((int)(sizeof a / sizeof *a))

/* The summary's sections, in row order, and their metrics. */
static const struct {
    const char *section;
    const struct compare_metric_def *defs;
    int n;
} sections[] = {
    {"load", load_metrics, COUNT(load_metrics)},
    {"services", service_metrics, COUNT(service_metrics)},
    {"sagas", saga_metrics, COUNT(saga_metrics)},
    {"projections", projection_metrics, COUNT(projection_metrics)},
};

double compare_value(const struct report *tree, const struct compare_metric *m)
{
    const struct compare_metric_def *d = m->def;
    const struct report *o = report_get(tree, m->section);
    o = o ? report_get(o, m->name) : NULL;
    o = o ? report_get(o, d->k1) : NULL;
    if (o && d->k2) o = report_get(o, d->k2);
    return o && o->kind == REPORT_NUMBER ? o->num : (double)NAN;
}

bool compare_metric_rate(const struct compare_metric *m)
{
    return m->def->rate;
}

const char *compare_metric_section(const char *suffix)
{
    for (int k = 0; k < COUNT(sections); k++)
        for (int i = 0; i < sections[k].n; i++)
            if (strcmp(suffix, sections[k].defs[i].label) == 0) return sections[k].section;
    return NULL;
}

struct metrics {
    struct compare_metric *m;
    int n, cap;
};

/* Adds the rows of one section: its names in the first tree's order (the
 * file's), then those only later trees have, in their order. */
static void add_section(struct metrics *ms, struct report *const *trees, int ntrees, int stride,
                        const char *section, const struct compare_metric_def *defs, int ndefs)
{
    int first = ms->n;
    for (int t = 0; t < ntrees; t++) {
        const struct report *o = report_get(trees[t * stride], section);
        for (int k = 0; o && k < o->n; k++) {
            const char *name = o->kids[k]->key;
            bool seen = false;
            for (int i = first; i < ms->n && !seen; i++)
                seen = strcmp(ms->m[i].name, name) == 0;
            if (seen) continue;
            for (int d = 0; d < ndefs; d++) {
                if (ms->n == ms->cap) {
                    ms->cap = ms->cap ? 2 * ms->cap : 16;
                    ms->m = sim_xrealloc(ms->m, (size_t)ms->cap * sizeof *ms->m);
                }
                struct compare_metric *m = &ms->m[ms->n++];
                m->section = section;
                m->name = name;
                m->def = &defs[d];
                snprintf(m->label, sizeof m->label, "%s %s", name, defs[d].label);
            }
        }
    }
}

int compare_metrics(struct report *const *trees, int ntrees, int stride,
                    struct compare_metric **out)
{
    struct metrics ms = {0};
    for (int k = 0; k < COUNT(sections); k++)
        add_section(&ms, trees, ntrees, stride, sections[k].section, sections[k].defs,
                    sections[k].n);
    *out = ms.m;
    return ms.n;
}

struct row {
    const struct compare_metric *m;
    /* per variant: mean and ci95 of its values, mean and ci95 of its paired
     * differences to the first variant */
    double *mean, *ci, *dmean, *dci;
};

struct rows {
    struct row *r;
    int n;
};

static void compute(struct row *row, const struct compare_input *in)
{
    int nv = in->nvariants, R = in->replications;
    double *x = sim_xmalloc((size_t)nv * (size_t)R * sizeof *x);
    for (int i = 0; i < nv * R; i++)
        x[i] = compare_value(in->runs[i], row->m);
    row->mean = sim_xmalloc(4 * (size_t)nv * sizeof *row->mean);
    row->ci = row->mean + nv;
    row->dmean = row->ci + nv;
    row->dci = row->dmean + nv;
    for (int v = 0; v < nv; v++) {
        compare_mean(x + v * R, R, &row->mean[v], &row->ci[v]);
        compare_paired(x, x + v * R, R, &row->dmean[v], &row->dci[v]);
    }
    free(x);
}

/* ---- CSV ----------------------------------------------------------------- */

static void csv_num(double v, FILE *f)
{
    fputc(',', f);
    report_csv_number(v, f);
}

static void write_csv(const struct rows *rows, const struct compare_input *in, FILE *f)
{
    fputs("metric,variant,mean,ci95,diff,diff_ci95\n", f);
    for (int i = 0; i < rows->n; i++) {
        const struct row *r = &rows->r[i];
        for (int v = 0; v < in->nvariants; v++) {
            report_csv_field(f, r->m->label);
            fputc(',', f);
            report_csv_field(f, in->variants[v]);
            csv_num(r->mean[v], f);
            csv_num(r->ci[v], f);
            csv_num(v > 0 ? r->dmean[v] : (double)NAN, f);
            csv_num(v > 0 ? r->dci[v] : (double)NAN, f);
            fputc('\n', f);
        }
    }
}

/* ---- table --------------------------------------------------------------- */

#define CELL 192
/* Wider tables are cut into blocks of variants: 120 columns fit a laptop
 * terminal beside nothing else, and the layout must not depend on the
 * terminal (the same bytes whatever the size of the window). */
#define TABLE_WIDTH 120

/* Terminal columns of a UTF-8 string: "±" is two bytes, one column. */
static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* Decimals for a row: about four significant digits of its largest mean,
 * the same for every cell of the row so they compare digit by digit. */
static int decimals(const struct row *r, int nv)
{
    if (compare_metric_rate(r->m)) return 2;
    double big = 0;
    for (int v = 0; v < nv; v++)
        if (isfinite(r->mean[v]) && fabs(r->mean[v]) > big) big = fabs(r->mean[v]);
    return big >= 1000 ? 0 : big >= 100 ? 1 : big >= 1 ? 2 : 3;
}

static void fmt_value(char *buf, double x, const struct row *r, int dec)
{
    if (!isfinite(x))
        snprintf(buf, CELL, "-");
    else if (compare_metric_rate(r->m))
        snprintf(buf, CELL, "%.*f%%", dec, 100 * x);
    else
        snprintf(buf, CELL, "%.*f", dec, x);
}

/* An exact zero prints as "0": with common random numbers it means the
 * variant changed nothing this metric sees, which "+0.00" would hide. A
 * difference that is 0 in every replication is that "0" alone, no "+- 0". */
static void fmt_diff(char *buf, double d, const struct row *r, int dec)
{
    if (!isfinite(d))
        snprintf(buf, CELL, "-");
    else if (d == 0)
        snprintf(buf, CELL, "0");
    else
        snprintf(buf, CELL, "%+.*f", dec, compare_metric_rate(r->m) ? 100 * d : d);
}

static void fmt_ci(char *buf, double ci, const struct row *r, int dec)
{
    if (!isfinite(ci))
        buf[0] = 0;
    else if (ci == 0)
        snprintf(buf, CELL, "0");
    else
        snprintf(buf, CELL, "%.*f", dec, compare_metric_rate(r->m) ? 100 * ci : ci);
}

/* The interval [d - ci, d + ci] excludes 0. */
static bool significant(double d, double ci)
{
    return isfinite(ci) && fabs(d) > ci;
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

static void write_header(const struct compare_input *in, FILE *f)
{
    char dur[32], warm[32];
    const struct report *d = report_get(in->runs[0], "duration_s");
    const struct report *wu = report_get(in->runs[0], "warmup_s");
    sim_time_format(sim_time_from_s(d ? d->num : 0), dur, sizeof dur);
    sim_time_format(sim_time_from_s(wu ? wu->num : 0), warm, sizeof warm);
    int R = in->replications;
    fprintf(f, "%s: seed %llu, %d replication%s, %s simulated (first %s excluded)\n\n",
            in->scenario, (unsigned long long)in->seed, R, R == 1 ? "" : "s", dur, warm);
}

static void write_legend(const struct compare_input *in, FILE *f)
{
    if (in->nvariants > 1 && in->replications > 1)
        fprintf(f,
                "diff = variant - %s over %d paired replications \u00b1 95%% CI, * CI "
                "excludes 0; rates in %%, diffs in points\n",
                in->variants[0], in->replications);
    else if (in->nvariants > 1)
        fprintf(f,
                "diff = variant - %s on the same seed (no CI with 1 replication); "
                "rates in %%, diffs in points\n",
                in->variants[0]);
    else
        fputs("one variant, nothing to compare with; rates in %\n", f);
}

/* Screen columns: 0 the metric (left-aligned), 1 the first variant's value,
 * then for each other variant v its value (2v, right-aligned) and its
 * difference (2v + 1, left-aligned, its parts aligned inside). */
static void write_table(const struct rows *rows, const struct compare_input *in, FILE *f)
{
    int nv = in->nvariants, n = rows->n, ncol = 2 * nv;
    char(*cells)[CELL] = sim_xcalloc((size_t)(n + 1) * (size_t)ncol, sizeof *cells);
    char(*dm)[CELL] = sim_xcalloc((size_t)n * (size_t)nv, sizeof *dm);
    char(*dc)[CELL] = sim_xcalloc((size_t)n * (size_t)nv, sizeof *dc);
    int *wdm = sim_xcalloc((size_t)nv, sizeof *wdm), *wdc = sim_xcalloc((size_t)nv, sizeof *wdc);
    int *w = sim_xcalloc((size_t)ncol, sizeof *w);

    snprintf(cells[0], CELL, "metric");
    snprintf(cells[1], CELL, "%.*s", CELL - 1, in->variants[0]);
    for (int v = 1; v < nv; v++) {
        snprintf(cells[2 * v], CELL, "%.*s", CELL - 1, in->variants[v]);
        snprintf(cells[2 * v + 1], CELL, "diff");
    }
    /* The differences' parts first, to align the signs within a column. */
    for (int i = 0; i < n; i++) {
        const struct row *r = &rows->r[i];
        int dec = decimals(r, nv);
        for (int v = 1; v < nv; v++) {
            fmt_diff(dm[i * nv + v], r->dmean[v], r, dec);
            fmt_ci(dc[i * nv + v], r->dci[v], r, dec);
            wdm[v] = max_int(wdm[v], width(dm[i * nv + v]));
            wdc[v] = max_int(wdc[v], width(dc[i * nv + v]));
        }
    }
    for (int i = 0; i < n; i++) {
        const struct row *r = &rows->r[i];
        char(*line)[CELL] = cells + (i + 1) * ncol;
        int dec = decimals(r, nv);
        snprintf(line[0], CELL, "%.*s", CELL - 1, r->m->label);
        fmt_value(line[1], r->mean[0], r, dec);
        for (int v = 1; v < nv; v++) {
            fmt_value(line[2 * v], r->mean[v], r, dec);
            const char *m = dm[i * nv + v], *c = dc[i * nv + v];
            int len = snprintf(line[2 * v + 1], CELL, "%*s%s", wdm[v] - width(m), "", m);
            bool same = r->dmean[v] == 0 && r->dci[v] == 0;
            if (c[0] && !same && len < CELL)
                snprintf(line[2 * v + 1] + len, CELL - (size_t)len, " \u00b1 %*s%s", wdc[v], c,
                         significant(r->dmean[v], r->dci[v]) ? " *" : "");
        }
    }
    for (int i = 0; i <= n; i++)
        for (int c = 0; c < ncol; c++)
            w[c] = max_int(w[c], width(cells[i * ncol + c]));

    write_header(in, f);
    /* Blocks of variants that fit TABLE_WIDTH, each repeating the metric and
     * the reference column. */
    int from = 1;
    do {
        int to = from, used = w[0] + 2 + w[1];
        while (to < nv && (to == from || used + 4 + w[2 * to] + w[2 * to + 1] <= TABLE_WIDTH)) {
            used += 4 + w[2 * to] + w[2 * to + 1];
            to++;
        }
        int lastc = to > from ? 2 * to - 1 : 1;
        for (int i = 0; i <= n; i++) {
            for (int c = 0; c <= lastc; c++) {
                if (c >= 2 && c < 2 * from) continue;
                const char *s = cells[i * ncol + c];
                int pad = w[c] - width(s);
                bool left = c == 0 || (c > 1 && c % 2 == 1);
                if (c > 0) fputs("  ", f);
                if (!left) fprintf(f, "%*s", pad, "");
                fputs(s, f);
                if (left && c < lastc) fprintf(f, "%*s", pad, "");
            }
            fputc('\n', f);
        }
        fputc('\n', f);
        from = to;
    } while (from < nv);
    write_legend(in, f);
    free(w);
    free(wdm);
    free(wdc);
    free(dm);
    free(dc);
    free(cells);
}

bool compare_write(const struct compare_input *in, enum compare_format fmt, FILE *f)
{
    struct compare_metric *ms = NULL;
    int n = compare_metrics(in->runs, in->nvariants, in->replications, &ms);
    struct rows rows = {.r = sim_xcalloc((size_t)(n ? n : 1), sizeof *rows.r), .n = n};
    for (int i = 0; i < n; i++) {
        rows.r[i].m = &ms[i];
        compute(&rows.r[i], in);
    }
    if (fmt == COMPARE_CSV)
        write_csv(&rows, in, f);
    else
        write_table(&rows, in, f);
    for (int i = 0; i < rows.n; i++)
        free(rows.r[i].mean);
    free(rows.r);
    free(ms);
    return fflush(f) == 0 && !ferror(f);
}
