/* sweep.h - `domino sweep`: one variant over a grid of overrides, one tidy CSV.
 *
 * A grid is the cartesian product of the value lists of the `--set
 * PATH=V1,V2,...` options. Point k takes, for each path, the value of index
 * idx[a] with the first path varying slowest (nested loops in the order of
 * the options); it is named "p" and k zero-padded to three digits or more
 * (p000, p001, ...), so names sort in grid order and never hold a character
 * a file system or a shell cares about. The values themselves are in the
 * CSV. The loader applies the values on top of the chosen variant
 * (scn_build_with), so a bad value or a path that names nothing is the
 * loader's usual error; main.c builds every point before anything runs.
 *
 * Each point runs like a variant named "sweep/<point>" (run_all), so its
 * results land in OUT/<scenario>/sweep/<point>/ beside a file of its own,
 * replications.tree: the point's identity (scenario, variant, seed,
 * duration, replications, its --set values) and every replication's
 * summary tree, with exact numbers (report_save). The results -- sweep.csv,
 * and the data and images of the plot -- are computed from those trees
 * alone, so a sweep run in one process and one run as a job per point
 * (--emit-jobs, --point, --collect) give the same bytes.
 *
 * sweep.csv, in OUT/<scenario>/sweep/: one row per (point, metric), points
 * in grid order, metrics those of `domino compare` (compare_metrics); a
 * column per path (header: the path) holding the point's value, then
 * `metric,mean,ci95` (ci95 empty with one replication, both empty when the
 * metric is null, as blocked_fraction of unlimited threads). Fields holding
 * a comma, a quote or a space at either end are quoted (RFC 4180).
 *
 * Failure: bad usage and bad input are reported on stderr and give 2 before
 * anything is written; an I/O error gives 1 and leaves no half-written file.
 */
#ifndef SWEEP_H
#define SWEEP_H

#include <stdbool.h>
#include <stdio.h>

#include "sim/app/run.h"

struct sweep_axis {
    char *arg;     /* the option's argument as given: PATH=V1,V2 */
    char *path;    /* services.payment.pools.db.size */
    char **values; /* YAML text, in the order given */
    int nvalues;
};

struct sweep_grid {
    struct sweep_axis *axes;
    int naxes;
    int npoints; /* the product of the nvalues; 1 with no axis */
};

/* Grids larger than this are refused: a typo in a value list should not
 * start a month of simulation. */
#define SWEEP_MAX_POINTS 100000

void sweep_grid_init(struct sweep_grid *g);
void sweep_grid_fini(struct sweep_grid *g);

/* Adds the axis of one `--set PATH=V1,V2,...`. Values are split at commas
 * outside brackets, braces and quotes, so `[{at: 0, rps: 5}]` is one value;
 * each is trimmed of surrounding blanks. Refuses (false, a message in msg)
 * a missing '=' or path, an empty value (null is written `null`), a value
 * given twice, a path given twice, control characters, and a grid past
 * SWEEP_MAX_POINTS. */
bool sweep_grid_add(struct sweep_grid *g, const char *arg, char *msg, size_t n);

/* The value index of each axis at point k, 0 <= k < npoints. */
void sweep_point_index(const struct sweep_grid *g, int k, int *idx);

/* The values of point k, one per axis, pointing into the grid. */
void sweep_point_values(const struct sweep_grid *g, int k, const char **values);

/* "p003": see above. */
void sweep_point_name(const struct sweep_grid *g, int k, char *buf, size_t n);

/* Reads `--point` as an index ("3") or a name ("p003"); false when it is
 * neither or is past the grid. */
bool sweep_point_parse(const struct sweep_grid *g, const char *s, int *k);

/* Writes s as one word for a POSIX shell: as it is when it holds only
 * characters no shell treats specially, else in single quotes. */
void sweep_shell_word(const char *s, FILE *f);

enum sweep_mode {
    SWEEP_ALL,     /* run every point, then write the results */
    SWEEP_POINT,   /* run point `point` only */
    SWEEP_EMIT,    /* print one command per point */
    SWEEP_COLLECT, /* write the results from the points' folders */
};

struct sweep_options {
    enum sweep_mode mode;
    int point;           /* SWEEP_POINT */
    const char *file;    /* the scenario, as given */
    const char *argv0;   /* the program, as given (SWEEP_EMIT) */
    const char *variant; /* the chosen variant's name */
    bool variant_given;  /* --variant was given (SWEEP_EMIT repeats it) */
    const char *seed, *replications, *duration, *jobs; /* as given, or NULL */
    const char *metric;     /* --metric, or NULL: the first load source's success_rate */
    struct run_options run; /* out (the --collect DIR too), replications, jobs, quiet */
};

/* Does what o->mode says with the built points (points[k] is point k, named
 * "sweep/<point>"). Checks --metric against points[0] first. Returns the
 * exit status. */
int sweep_main(const struct sweep_grid *g, const struct sweep_options *o,
               const struct run_variant *points);

#endif
