/* main.c - the domino command line.
 *
 * Exit status: 0 success; 1 runtime failure (I/O, out of memory); 2 bad usage
 * or a bad scenario. Bad input is found before anything is written: every
 * selected variant is built (validated) first, so an error leaves no partial
 * output behind.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/app/compare.h"
#include "sim/app/plot.h"
#include "sim/app/report.h"
#include "sim/app/run.h"
#include "sim/app/scn.h"
#include "sim/kernel/sim_mem.h"

static const char usage_text[] =
    "usage: domino COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run FILE      simulate every variant (or those named) and write results\n"
    "  check FILE    parse and validate only; print a one-line summary of the model\n"
    "  compare FILE  run the variants on the same random numbers; print them side by side\n"
    "  plot DIR      render PNG and SVG plots of OUT/<scenario> (needs gnuplot)\n"
    "  help          this text; `domino COMMAND --help` for a command's options\n"
    "\n"
    "exit status: 0 success, 1 runtime failure, 2 bad usage or bad scenario\n";

static const char run_help[] =
    "usage: domino run FILE [--variant NAME]... [--seed N] [--replications R]\n"
    "                       [--duration D] [--jobs J] [--out DIR] [--quiet]\n"
    "\n"
    "  --variant NAME     run only this variant (repeatable); default: all\n"
    "  --seed N           master seed (uint64); default: the file's `seed`\n"
    "  --replications R   independent runs per variant (seeds differ by replication);\n"
    "                     with R > 1 every number in summary.json becomes\n"
    "                     {mean, ci95, min, max}; default 1\n"
    "  --duration D       simulated horizon (e.g. 10m); default: the file's `duration`\n"
    "  --jobs J           worker processes; default: one per core. Results do not\n"
    "                     depend on J\n"
    "  --out DIR          results root; files go to DIR/<scenario>/<variant>/; default out\n"
    "  --quiet            print nothing on success\n";

static const char compare_help[] =
    "usage: domino compare FILE [--replications R] [--variant NAME]... [--seed N]\n"
    "                           [--duration D] [--jobs J] [--out DIR]\n"
    "                           [--format table|csv] [--quiet]\n"
    "\n"
    "Runs the variants exactly as `domino run` does (and writes the same results\n"
    "to DIR/<scenario>/<variant>/, so `domino plot` works afterwards), then prints\n"
    "them side by side. Replication r of every variant uses the same random streams\n"
    "(common random numbers), so a difference is measured per replication: the\n"
    "noise both variants share cancels.\n"
    "\n"
    "Rows: for each load source L, `L success_rate`, `L goodput_rps` and `L p99_ms`\n"
    "(end-user latency, retries included); for each service S, `S blocked_fraction`\n"
    "(share of its threads blocked on calls, pools, permits or backoff; - when its\n"
    "threads are unlimited). Columns: the first variant's value (the mean over\n"
    "replications), then each other variant's value and its difference to the\n"
    "first: with R >= 2, the mean of the paired differences +- the half-width of\n"
    "their 95% t interval, marked * when the interval excludes 0. Tables wider than\n"
    "120 columns are cut into blocks of variants, each repeating the first.\n"
    "\n"
    "  --variant NAME     compare only these variants (repeatable), the first named\n"
    "                     being the reference; default: all, in file order\n"
    "  --replications R   runs per variant; R >= 2 gives confidence intervals; default 1\n"
    "  --seed N           master seed (uint64); default: the file's `seed`\n"
    "  --duration D       simulated horizon (e.g. 10m); default: the file's `duration`\n"
    "  --jobs J           worker processes; default: one per core. Output does not\n"
    "                     depend on J\n"
    "  --out DIR          results root, as for run; default out\n"
    "  --format F         table (default): aligned for a terminal; csv: tidy, one row\n"
    "                     per metric and variant, header\n"
    "                     metric,variant,mean,ci95,diff,diff_ci95 (raw fractions; diff\n"
    "                     columns empty for the first variant, ci95 columns with R = 1)\n"
    "  --quiet            print only the comparison (no note on stderr)\n"
    "\n"
    "exit status: 0 success, 1 runtime failure, 2 bad usage or bad scenario\n";

static const char check_help[] = "usage: domino check FILE\n"
                                 "\n"
                                 "Parses and validates every variant of FILE; prints one line\n"
                                 "describing the model, or every error as FILE:LINE:COL: error: ...\n";

static const char plot_help[] =
    "usage: domino plot DIR [--quiet]\n"
    "\n"
    "Renders PNG and SVG plots of what `domino run` wrote in DIR = OUT/<scenario>:\n"
    "  DIR/<variant>/latency   p50 and p99 latency over time per service (log scale)\n"
    "  DIR/<variant>/threads   busy and blocked threads over time per service\n"
    "  DIR/<variant>/queues    queue length and connection-pool use per service\n"
    "  DIR/compare             success rate and p99 per load source, variants side by side\n"
    "Fault windows are shaded; a crashed service's down time is a dark strip. No\n"
    "breakers plot yet: circuit breakers are not simulated.\n"
    "\n"
    "Needs gnuplot (apt-get install gnuplot-nox). The scripts, plots/*.gp, are found\n"
    "in $DOMINO_PLOTS, else in a plots/ folder beside the domino binary or in one of\n"
    "its parents, else in ./plots. Also writes the data the scripts read: series.dat\n"
    "and series.gp in each variant folder, compare.dat and compareinfo.gp in DIR.\n"
    "\n"
    "  --quiet   print nothing on success\n"
    "\n"
    "exit status: 0 success, 1 gnuplot missing or failed, 2 DIR is not a results folder\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("domino: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(see `domino --help`)\n", stderr);
    return 2;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s || *s == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !*s || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

struct cli {
    const char *file;
    const char **variants;
    int nvariants;
    bool has_seed, has_duration;
    uint64_t seed;
    sim_time duration;
    struct run_options run;
    bool compare;               /* accept compare's options */
    enum compare_format format; /* compare only */
};

static int parse_run_args(int argc, char **argv, struct cli *c)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c->run.out = "out";
    c->run.replications = 1;
    c->run.jobs = cores > 0 ? (int)cores : 1;
    c->variants = sim_xcalloc((size_t)argc, sizeof *c->variants);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = strcmp(a, "--variant") == 0 || strcmp(a, "--seed") == 0 ||
                     strcmp(a, "--replications") == 0 || strcmp(a, "--duration") == 0 ||
                     strcmp(a, "--jobs") == 0 || strcmp(a, "--out") == 0 ||
                     (c->compare && strcmp(a, "--format") == 0);
        if (takes && !v)
            return usage_error("%s needs a value", a);
        if (strcmp(a, "--variant") == 0) {
            c->variants[c->nvariants++] = v;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(v, &c->seed))
                return usage_error("--seed must be an unsigned 64-bit integer, got \"%s\"", v);
            c->has_seed = true;
        } else if (strcmp(a, "--replications") == 0) {
            if (!parse_int(v, 1, 100000, &c->run.replications))
                return usage_error("--replications must be an integer >= 1, got \"%s\"", v);
        } else if (strcmp(a, "--jobs") == 0) {
            if (!parse_int(v, 1, 4096, &c->run.jobs))
                return usage_error("--jobs must be an integer >= 1, got \"%s\"", v);
        } else if (strcmp(a, "--duration") == 0) {
            const char *msg = sim_time_parse(v, &c->duration);
            if (msg || c->duration <= 0)
                return usage_error("--duration must be a positive duration like 10m, got \"%s\"",
                                   v);
            c->has_duration = true;
        } else if (strcmp(a, "--out") == 0) {
            c->run.out = v;
        } else if (c->compare && strcmp(a, "--format") == 0) {
            if (strcmp(v, "table") == 0)
                c->format = COMPARE_TABLE;
            else if (strcmp(v, "csv") == 0)
                c->format = COMPARE_CSV;
            else
                return usage_error("--format must be table or csv, got \"%s\"", v);
        } else if (strcmp(a, "--quiet") == 0) {
            c->run.quiet = true;
            continue;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option %s", a);
        } else if (!c->file) {
            c->file = a;
            continue;
        } else {
            return usage_error("unexpected argument \"%s\"", a);
        }
        i++;
    }
    if (!c->file)
        return usage_error("%s", "missing scenario FILE");
    /* Two columns of one variant would compare it with itself, and its runs
     * would share one results folder. */
    for (int i = 0; c->compare && i < c->nvariants; i++)
        for (int k = 0; k < i; k++)
            if (strcmp(c->variants[i], c->variants[k]) == 0)
                return usage_error("--variant %s is given twice", c->variants[i]);
    return 0;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

/* Builds the selected variants (all of them when none is named). On a bad
 * scenario prints every error and returns 2. */
static int build_variants(struct scn_doc *doc, const struct cli *c, struct run_variant **out,
                          int *nout)
{
    struct scn_errors err;
    scn_errors_init(&err);
    int n = c->nvariants ? c->nvariants : scn_variant_count(doc);
    struct run_variant *v = sim_xcalloc((size_t)n, sizeof *v);
    int built = 0;
    for (int i = 0; i < n; i++) {
        int idx = i;
        if (c->nvariants) {
            idx = scn_variant_find(doc, c->variants[i]);
            if (idx < 0) {
                fprintf(stderr, "domino: error: no variant \"%s\" in %s (variants:",
                        c->variants[i], c->file);
                for (int k = 0; k < scn_variant_count(doc); k++)
                    fprintf(stderr, " %s", scn_variant_name(doc, k));
                fputs(")\n", stderr);
                continue;
            }
        }
        v[built].name = scn_variant_name(doc, idx);
        if (scn_build(doc, idx, &v[built].cfg, &err))
            built++;
    }
    int status = 0;
    if (err.n || built < n) {
        scn_errors_print(&err, stderr);
        for (int i = 0; i < built; i++)
            world_config_fini(&v[i].cfg);
        free(v);
        status = 2;
    } else {
        for (int i = 0; i < n; i++) {
            if (c->has_seed)
                v[i].cfg.seed = c->seed;
            if (c->has_duration) {
                v[i].cfg.duration = c->duration;
                if (v[i].cfg.warmup >= c->duration) {
                    char w[32];
                    sim_time_format(v[i].cfg.warmup, w, sizeof w);
                    fprintf(stderr,
                            "domino: error: --duration must be longer than the warm-up (%s) of "
                            "variant %s\n",
                            w, v[i].name);
                    status = 2;
                }
            }
        }
        *out = v;
        *nout = n;
        if (status) {
            for (int i = 0; i < n; i++)
                world_config_fini(&v[i].cfg);
            free(v);
        }
    }
    scn_errors_fini(&err);
    return status;
}

static struct scn_doc *open_doc(const char *file)
{
    struct scn_errors err;
    scn_errors_init(&err);
    struct scn_doc *doc = scn_open(file, &err);
    if (!doc)
        scn_errors_print(&err, stderr);
    scn_errors_fini(&err);
    return doc;
}

/* What `run` and `compare` share: options, the scenario, the selected
 * variants built. On success the caller owns *doc and *v (release()). */
static int prepare(int argc, char **argv, struct cli *c, struct scn_doc **doc,
                   struct run_variant **v, int *nv)
{
    int status = parse_run_args(argc, argv, c);
    if (status)
        return status;
    if (!(*doc = open_doc(c->file)))
        return 2;
    status = build_variants(*doc, c, v, nv);
    if (status) {
        scn_close(*doc);
        *doc = NULL;
    }
    return status;
}

static void release(struct cli *c, struct scn_doc *doc, struct run_variant *v, int nv)
{
    for (int i = 0; i < nv; i++)
        world_config_fini(&v[i].cfg);
    free(v);
    if (doc)
        scn_close(doc);
    free(c->variants);
}

static int cmd_run(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(run_help, stdout);
        return 0;
    }
    struct cli c = {0};
    struct scn_doc *doc = NULL;
    struct run_variant *v = NULL;
    int nv = 0;
    int status = prepare(argc, argv, &c, &doc, &v, &nv);
    if (status == 0)
        status = run_all(v, nv, &c.run);
    release(&c, doc, v, nv);
    return status;
}

/* Runs like `run`, keeping each replication's summary, then prints the
 * comparison. stdout carries the comparison only (it may be CSV piped into
 * another tool), so run's per-variant lines are silenced and the one note
 * goes to stderr. */
static int cmd_compare(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(compare_help, stdout);
        return 0;
    }
    struct cli c = {.compare = true};
    struct scn_doc *doc = NULL;
    struct run_variant *v = NULL;
    int nv = 0;
    int status = prepare(argc, argv, &c, &doc, &v, &nv);
    if (status) {
        release(&c, doc, v, nv);
        return status;
    }
    bool quiet = c.run.quiet;
    int R = c.run.replications;
    for (int i = 1; i < nv && !quiet; i++)
        if (v[i].cfg.seed != v[0].cfg.seed)
            fprintf(stderr,
                    "domino: note: variant %s sets seed %" PRIu64 ", not %" PRIu64
                    ": its differences are not on common random numbers\n",
                    v[i].name, v[i].cfg.seed, v[0].cfg.seed);
    c.run.quiet = true;
    c.run.runs = sim_xcalloc((size_t)nv * (size_t)R, sizeof *c.run.runs);
    status = run_all(v, nv, &c.run);
    if (status == 0) {
        const char **names = sim_xcalloc((size_t)nv, sizeof *names);
        for (int i = 0; i < nv; i++)
            names[i] = v[i].name;
        struct compare_input in = {.scenario = v[0].cfg.name,
                                   .seed = v[0].cfg.seed,
                                   .replications = R,
                                   .nvariants = nv,
                                   .variants = names,
                                   .runs = c.run.runs};
        if (!compare_write(&in, c.format, stdout)) {
            fprintf(stderr, "domino: cannot write the comparison: %s\n", strerror(errno));
            status = 1;
        } else if (!quiet) {
            fprintf(stderr, "domino: results in %s/%s/ (plots: domino plot %s/%s)\n", c.run.out,
                    v[0].cfg.name, c.run.out, v[0].cfg.name);
        }
        free(names);
    }
    for (int i = 0; i < nv * R; i++)
        report_free(c.run.runs[i]);
    free(c.run.runs);
    release(&c, doc, v, nv);
    return status;
}

static int cmd_check(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(check_help, stdout);
        return 0;
    }
    if (argc != 1)
        return usage_error("%s", "check takes exactly one FILE");
    struct cli c = {.file = argv[0]};
    struct scn_doc *doc = open_doc(c.file);
    if (!doc)
        return 2;
    struct run_variant *v = NULL;
    int nv = 0;
    int status = build_variants(doc, &c, &v, &nv);
    if (status == 0) {
        const struct world_config *w = &v[0].cfg;
        int eps = 0;
        for (int i = 0; i < w->nservices; i++)
            eps += w->services[i].nendpoints;
        char dur[32];
        sim_time_format(w->duration, dur, sizeof dur);
        printf("%s: %d services, %d endpoints, %d load sources, %d faults, %d policies, "
               "%d variants, %s simulated: ok\n",
               w->name, w->nservices, eps, w->nloads, w->nfaults, w->npolicies, nv, dur);
        for (int i = 0; i < nv; i++)
            world_config_fini(&v[i].cfg);
        free(v);
    }
    scn_close(doc);
    return status;
}

static int cmd_plot(int argc, char **argv, const char *argv0)
{
    if (wants_help(argc, argv)) {
        fputs(plot_help, stdout);
        return 0;
    }
    return plot_main(argc, argv, argv0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "compare") == 0)
        return cmd_compare(argc - 2, argv + 2);
    if (strcmp(cmd, "plot") == 0)
        return cmd_plot(argc - 2, argv + 2, argv[0]);
    return usage_error("unknown command \"%s\"", cmd);
}
