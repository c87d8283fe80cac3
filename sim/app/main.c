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
#include "sim/app/sweep.h"
#include "sim/kernel/sim_mem.h"

static const char usage_text[] =
    "usage: domino COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run FILE      simulate every variant (or those named) and write results\n"
    "  check FILE    parse and validate only; print a one-line summary of the model\n"
    "  compare FILE  run the variants on the same random numbers; print them side by side\n"
    "  sweep FILE    one variant over a grid of --set values: a tidy CSV, a heatmap\n"
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
    "  --quiet            print nothing on success (and no progress line)\n";

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
    "threads are unlimited); for each saga G, `G completed`, `G inconsistent`,\n"
    "`G stuck` and `G duplicates`; for each projection P, `P stale_reads` and\n"
    "`P lag_p99_ms`. Columns: the first variant's value (the mean over\n"
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

static const char sweep_help[] =
    "usage: domino sweep FILE --set PATH=V1,V2,... [--set ...] [--variant NAME]\n"
    "                         [--replications R] [--seed N] [--duration D] [--jobs J]\n"
    "                         [--out DIR] [--metric M] [--quiet]\n"
    "       domino sweep FILE --set ... [options] --emit-jobs\n"
    "       domino sweep FILE --set ... [options] --point K\n"
    "       domino sweep FILE --set ... [options] --collect DIR\n"
    "\n"
    "Runs one variant of FILE at every point of a grid: the cartesian product of the\n"
    "--set value lists, the first --set varying slowest. Each point is the variant\n"
    "with its values set on top, exactly as if the variant had set them, so a bad\n"
    "value is the usual FILE:LINE:COL error. Every point is checked before anything\n"
    "runs. Points are named p000, p001, ... in grid order.\n"
    "\n"
    "PATH is dot-separated: mapping keys, items of named lists by name, items of\n"
    "other lists by 0-based index: services.payment.pools.db.size,\n"
    "policies.pay.timeout, load.checkout.rate, faults.0.factor. Every step but the\n"
    "last must exist in the variant (a miss says \"did you mean\"); the last key may\n"
    "be new. Values are YAML: 30s, 100, 50%, true, null (removes the key), or a flow\n"
    "collection such as [{at: 0, rps: 50}]; commas inside brackets or quotes do not\n"
    "split values.\n"
    "\n"
    "Writes, in DIR/<scenario>/sweep/:\n"
    "  <point>/      what `domino run` writes for a variant (summary.json, ...), plus\n"
    "                replications.tree: the point's identity and every replication's\n"
    "                summary with exact numbers, which --collect reads\n"
    "  sweep.csv     one row per point and metric: a column per --set path\n"
    "                (header: the path), then metric,mean,ci95 (ci95 empty with\n"
    "                R = 1). Metrics are compare's (see `domino compare\n"
    "                --help`): `L success_rate`, `L goodput_rps`, `L p99_ms` per\n"
    "                load source, `S blocked_fraction` per service, saga counts\n"
    "                and projection staleness\n"
    "  sweep.png/.svg  the --metric as a heatmap over the first two paths (more\n"
    "                paths are held at their first value, as the subtitle says),\n"
    "                or a line with 95% intervals over one path; drawn by\n"
    "                plots/sweep.gp when gnuplot is installed (otherwise a note),\n"
    "                from sweep.dat and sweepinfo.gp\n"
    "\n"
    "  --set PATH=V1,...  a path and its values (repeatable; at least one)\n"
    "  --variant NAME     the variant the values are set on; default: the first\n"
    "  --replications R   runs per point (seeds differ by replication and are the\n"
    "                     same at every point: common random numbers); default 1\n"
    "  --seed N           master seed (uint64); default: the file's `seed`\n"
    "  --duration D       simulated horizon (e.g. 10m); default: the file's\n"
    "                     `duration`\n"
    "  --jobs J           worker processes; default: one per core. Results do not\n"
    "                     depend on J\n"
    "  --out DIR          results root; default out\n"
    "  --metric M         the plotted metric, a row label of sweep.csv such as\n"
    "                     \"checkout p99_ms\"; default: the first load source's\n"
    "                     success_rate\n"
    "  --quiet            print nothing on success\n"
    "\n"
    "On many machines: --emit-jobs prints one shell command per point (a `--point K`\n"
    "run of this same command line, with --out DIR and --quiet), for\n"
    "  domino sweep FILE --set ... --emit-jobs > jobs.txt\n"
    "  parallel < jobs.txt                 (GNU parallel; --sshloginfile for hosts)\n"
    "  sed -n \"${SLURM_ARRAY_TASK_ID}p\" jobs.txt | sh   (sbatch --array=1-<points>)\n"
    "  domino sweep FILE --set ... --collect DIR\n"
    "--point K (K or pK) runs grid point K alone into DIR/<scenario>/sweep/<point>/.\n"
    "--collect DIR reads the points' folders under DIR (the jobs' --out, on a shared\n"
    "file system or copied back) and writes sweep.csv and the plot exactly as a sweep\n"
    "in one process would; give it the jobs' --set, --variant, --seed, --duration and\n"
    "--replications (it checks them). Paths in the commands are as given here: use\n"
    "absolute ones for other hosts.\n"
    "\n"
    "exit status: 0 success, 1 runtime failure, 2 bad usage, a bad scenario or value,\n"
    "or (--collect) a point without results\n";

static const char check_help[] =
    "usage: domino check FILE\n"
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
    "  DIR/<variant>/breakers  breaker state (closed, half-open, open) per breaker\n"
    "  DIR/compare             success rate and p99 per load source, variants side by side\n"
    "Fault windows are shaded; a crashed service's down time is a dark strip.\n"
    "Breakers are plotted only for variants that have them.\n"
    "\n"
    "Needs gnuplot (apt-get install gnuplot-nox). The scripts, plots/*.gp, are found\n"
    "in $DOMINO_PLOTS, else in a plots/ folder beside the domino binary or in one of\n"
    "its parents, else in ./plots. Also writes the data the scripts read: series.dat\n"
    "and series.gp in each variant folder (and breakers.dat and breakersinfo.gp\n"
    "where breakers.csv is), compare.dat and compareinfo.gp in DIR.\n"
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
    if (!*s || *s == '-') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !*s || *end || v < lo || v > hi) return false;
    *out = (int)v;
    return true;
}

struct cli {
    const char *file;
    const char **variants;
    int nvariants;
    uint64_t seed;
    sim_time duration;
    struct run_options run;
    bool compare;               /* accept compare's options */
    enum compare_format format; /* compare only */
    bool sweep;                 /* accept sweep's options */
    struct sweep_grid grid;     /* sweep only, from here on */
    const char *metric, *point, *collect;
    bool emit_jobs, has_out;
    /* as given, for the commands --emit-jobs prints */
    const char *seed_arg, *replications_arg, *duration_arg, *jobs_arg;
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
        bool sweep_takes = c->sweep && (strcmp(a, "--set") == 0 || strcmp(a, "--metric") == 0 ||
                                        strcmp(a, "--point") == 0 || strcmp(a, "--collect") == 0);
        bool takes = strcmp(a, "--variant") == 0 || strcmp(a, "--seed") == 0 ||
                     strcmp(a, "--replications") == 0 || strcmp(a, "--duration") == 0 ||
                     strcmp(a, "--jobs") == 0 || strcmp(a, "--out") == 0 ||
                     (c->compare && strcmp(a, "--format") == 0) || sweep_takes;
        if (takes && !v) return usage_error("%s needs a value", a);
        if (sweep_takes) {
            if (strcmp(a, "--set") == 0) {
                char msg[512];
                if (!sweep_grid_add(&c->grid, v, msg, sizeof msg)) return usage_error("%s", msg);
            } else if (strcmp(a, "--metric") == 0) {
                c->metric = v;
            } else if (strcmp(a, "--point") == 0) {
                c->point = v;
            } else {
                c->collect = v;
            }
        } else if (c->sweep && strcmp(a, "--emit-jobs") == 0) {
            c->emit_jobs = true;
            continue;
        } else if (strcmp(a, "--variant") == 0) {
            c->variants[c->nvariants++] = v;
        } else if (strcmp(a, "--seed") == 0) {
            c->seed_arg = v;
            if (!parse_u64(v, &c->seed))
                return usage_error("--seed must be an unsigned 64-bit integer, got \"%s\"", v);
        } else if (strcmp(a, "--replications") == 0) {
            c->replications_arg = v;
            if (!parse_int(v, 1, 100000, &c->run.replications))
                return usage_error("--replications must be an integer >= 1, got \"%s\"", v);
        } else if (strcmp(a, "--jobs") == 0) {
            c->jobs_arg = v;
            if (!parse_int(v, 1, 4096, &c->run.jobs))
                return usage_error("--jobs must be an integer >= 1, got \"%s\"", v);
        } else if (strcmp(a, "--duration") == 0) {
            c->duration_arg = v;
            const char *msg = sim_time_parse(v, &c->duration);
            if (msg || c->duration <= 0)
                return usage_error("--duration must be a positive duration like 10m, got \"%s\"",
                                   v);
        } else if (strcmp(a, "--out") == 0) {
            c->run.out = v;
            c->has_out = true;
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
    if (!c->file) return usage_error("%s", "missing scenario FILE");
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
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return true;
    return false;
}

/* --seed and --duration over what the file says. Returns 0, or 2 when the
 * duration leaves nothing after a variant's warm-up; with `first_only` (a
 * sweep's grid points, which mostly share a warm-up) only the first such
 * variant is named. */
static int apply_cli(const struct cli *c, struct run_variant *v, int n, bool first_only)
{
    int status = 0;
    for (int i = 0; i < n; i++) {
        if (c->seed_arg) v[i].cfg.seed = c->seed;
        if (c->duration_arg) {
            v[i].cfg.duration = c->duration;
            if (v[i].cfg.warmup >= c->duration) {
                char w[32];
                sim_time_format(v[i].cfg.warmup, w, sizeof w);
                fprintf(stderr,
                        "domino: error: --duration must be longer than the warm-up (%s) of "
                        "variant %s\n",
                        w, v[i].name);
                status = 2;
                if (first_only) return status;
            }
        }
    }
    return status;
}

/* The index of variant `name`, or -1 after listing the file's variants. */
static int find_variant(const struct scn_doc *doc, const char *file, const char *name)
{
    int idx = scn_variant_find(doc, name);
    if (idx < 0) {
        fprintf(stderr, "domino: error: no variant \"%s\" in %s (variants:", name, file);
        for (int k = 0; k < scn_variant_count(doc); k++)
            fprintf(stderr, " %s", scn_variant_name(doc, k));
        fputs(")\n", stderr);
    }
    return idx;
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
            idx = find_variant(doc, c->file, c->variants[i]);
            if (idx < 0) continue;
        }
        v[built].name = scn_variant_name(doc, idx);
        if (scn_build(doc, idx, &v[built].cfg, &err)) built++;
    }
    int status = 0;
    if (err.n || built < n) {
        scn_errors_print(&err, stderr);
        for (int i = 0; i < built; i++)
            world_config_fini(&v[i].cfg);
        free(v);
        status = 2;
    } else {
        status = apply_cli(c, v, n, false);
        if (status) {
            for (int i = 0; i < n; i++)
                world_config_fini(&v[i].cfg);
            free(v);
        } else {
            *out = v;
            *nout = n;
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
    if (!doc) scn_errors_print(&err, stderr);
    scn_errors_fini(&err);
    return doc;
}

/* What `run` and `compare` share: options, the scenario, the selected
 * variants built. On success the caller owns *doc and *v (release()). */
static int prepare(int argc, char **argv, struct cli *c, struct scn_doc **doc,
                   struct run_variant **v, int *nv)
{
    int status = parse_run_args(argc, argv, c);
    if (status) return status;
    if (!(*doc = open_doc(c->file))) return 2;
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
    if (doc) scn_close(doc);
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
    if (status == 0) status = run_all(v, nv, &c.run);
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
    c.run.progress = quiet ? RUN_PROGRESS_OFF : RUN_PROGRESS_ON;
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

/* Sweep's own rules on top of run's options. */
static int check_sweep_args(struct cli *c, struct sweep_options *o)
{
    if (c->grid.naxes == 0)
        return usage_error("%s", "sweep needs at least one --set PATH=V1,V2,...");
    if (c->nvariants > 1)
        return usage_error("%s", "sweep takes at most one --variant (sweep each in turn)");
    if ((c->emit_jobs ? 1 : 0) + (c->point ? 1 : 0) + (c->collect ? 1 : 0) > 1)
        return usage_error("%s", "--emit-jobs, --point and --collect exclude each other");
    if (c->collect && c->has_out)
        return usage_error("%s", "--collect DIR reads and writes DIR; leave out --out");
    o->mode = c->emit_jobs ? SWEEP_EMIT
              : c->point   ? SWEEP_POINT
              : c->collect ? SWEEP_COLLECT
                           : SWEEP_ALL;
    if (c->point && !sweep_point_parse(&c->grid, c->point, &o->point)) {
        char msg[160];
        snprintf(msg, sizeof msg, "--point must be a grid point, 0 to %d (or p000 ...), got",
                 c->grid.npoints - 1);
        fprintf(stderr, "domino: error: %s \"%s\"\n(see `domino sweep --help`)\n", msg, c->point);
        return 2;
    }
    if (c->collect) c->run.out = c->collect;
    return 0;
}

/* Builds every grid point on top of variant `vi`, named "sweep/<point>".
 * Errors of all points are gathered (a bad value shared by several points is
 * printed once) and give 2 before anything runs. */
static int build_points(struct scn_doc *doc, const struct cli *c, int vi, struct run_variant **out)
{
    const struct sweep_grid *g = &c->grid;
    struct scn_errors err;
    scn_errors_init(&err);
    struct run_variant *v = sim_xcalloc((size_t)g->npoints, sizeof *v);
    const char **paths = sim_xcalloc((size_t)g->naxes, sizeof *paths);
    const char **values = sim_xcalloc((size_t)g->naxes, sizeof *values);
    for (int a = 0; a < g->naxes; a++)
        paths[a] = g->axes[a].path;
    int built = 0;
    for (int k = 0; k < g->npoints; k++) {
        sweep_point_values(g, k, values);
        if (!scn_build_with(doc, vi, paths, values, g->naxes, &v[k].cfg, &err)) continue;
        char name[40];
        size_t len = (size_t)snprintf(name, sizeof name, "sweep/");
        sweep_point_name(g, k, name + len, sizeof name - len);
        v[k].name = sim_xstrdup(name);
        built++;
    }
    free(paths);
    free(values);
    int status = 0;
    if (built < g->npoints) {
        scn_errors_print(&err, stderr);
        status = 2;
    } else {
        status = apply_cli(c, v, g->npoints, true);
    }
    scn_errors_fini(&err);
    if (status) {
        for (int k = 0; k < g->npoints; k++) {
            if (v[k].name) world_config_fini(&v[k].cfg);
            free((char *)v[k].name);
        }
        free(v);
        return status;
    }
    *out = v;
    return 0;
}

static int cmd_sweep(int argc, char **argv, const char *argv0)
{
    if (wants_help(argc, argv)) {
        fputs(sweep_help, stdout);
        return 0;
    }
    struct cli c = {.sweep = true};
    sweep_grid_init(&c.grid);
    struct sweep_options o = {.file = NULL, .argv0 = argv0};
    struct scn_doc *doc = NULL;
    struct run_variant *points = NULL;
    int status = parse_run_args(argc, argv, &c);
    if (status == 0) status = check_sweep_args(&c, &o);
    if (status == 0 && !(doc = open_doc(c.file))) status = 2;
    int vi = 0;
    if (status == 0 && c.nvariants && (vi = find_variant(doc, c.file, c.variants[0])) < 0)
        status = 2;
    if (status == 0) status = build_points(doc, &c, vi, &points);
    if (status == 0) {
        o.file = c.file;
        o.variant = scn_variant_name(doc, vi);
        o.variant_given = c.nvariants > 0;
        o.seed = c.seed_arg;
        o.replications = c.replications_arg;
        o.duration = c.duration_arg;
        o.jobs = c.jobs_arg;
        o.metric = c.metric;
        o.run = c.run;
        status = sweep_main(&c.grid, &o, points);
        for (int k = 0; k < c.grid.npoints; k++) {
            world_config_fini(&points[k].cfg);
            free((char *)points[k].name);
        }
        free(points);
    }
    if (doc) scn_close(doc);
    free(c.variants);
    sweep_grid_fini(&c.grid);
    return status;
}

static int cmd_check(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(check_help, stdout);
        return 0;
    }
    if (argc != 1) return usage_error("%s", "check takes exactly one FILE");
    struct cli c = {.file = argv[0]};
    struct scn_doc *doc = open_doc(c.file);
    if (!doc) return 2;
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
        /* Sagas and events are named only when the file has them, so the
         * line of every other scenario stays as it was. */
        char flows[160] = "";
        if (w->nsagas + w->nchoreographies + w->nprojections + w->nevents > 0)
            snprintf(flows, sizeof flows,
                     "%d sagas, %d choreographies, %d projections, %d events, ", w->nsagas,
                     w->nchoreographies, w->nprojections, w->nevents);
        printf("%s: %d services, %d endpoints, %d load sources, %d faults, %d policies, "
               "%s%d variants, %s simulated: ok\n",
               w->name, w->nservices, eps, w->nloads, w->nfaults, w->npolicies, flows, nv, dur);
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
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "compare") == 0) return cmd_compare(argc - 2, argv + 2);
    if (strcmp(cmd, "plot") == 0) return cmd_plot(argc - 2, argv + 2, argv[0]);
    if (strcmp(cmd, "sweep") == 0) return cmd_sweep(argc - 2, argv + 2, argv[0]);
    return usage_error("unknown command \"%s\"", cmd);
}
