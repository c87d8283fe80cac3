/* run.h - running variants and replications, writing their results.
 *
 * Every (variant, replication) pair is an independent run: a fresh sim seeded
 * from (seed, replication), a fresh world. Runs are spread over up to `jobs`
 * worker processes (fork); each worker writes its summary and perf trees to
 * temporary files in the variant's folder and the parent folds them, so the
 * bytes of summary.json do not depend on the number of jobs. Replication 0
 * also writes timeseries.csv, timeline.log (rate-limited by fold.h) and, when
 * the variant has a circuit breaker, breakers.csv (to temporary names,
 * renamed when the whole run succeeded: a file that exists is whole; a
 * breakers.csv left by an earlier run of a variant that has none is removed).
 *
 * Progress: a worker runs its simulation in slices of simulated time (the
 * same events in the same order as one sim_run_until to the end) and, when
 * the progress line is on, sends the simulated time and event count it has
 * reached after each slice down a pipe. The parent waits on those pipes
 * (which also tell it at once when a worker exits) and redraws one line on
 * stderr a few times a second, from the first second of wall time on:
 * simulated time done of the total over all runs, runs done, events per
 * second, ETA, and each running run's share. Only the parent reads the wall
 * clock; workers report simulated quantities only.
 *
 * `domino compare` needs each replication's numbers, not only their folds:
 * with `runs` set, the per-replication summary trees the parent loaded are
 * handed over instead of freed.
 */
#ifndef RUN_H
#define RUN_H

#include <stdbool.h>

#include "models/config.h"

struct report;

struct run_variant {
    const char *name;
    struct world_config cfg;
};

/* The progress line on stderr; never shown when stderr is not a terminal. */
enum run_progress {
    RUN_PROGRESS_AUTO, /* shown unless `quiet` */
    RUN_PROGRESS_OFF,
    RUN_PROGRESS_ON, /* shown whatever `quiet` says (compare silences run's
                        stdout lines but keeps the progress line) */
};

struct run_options {
    const char *out;  /* results root, default "out" */
    int replications; /* >= 1 */
    int jobs;         /* >= 1 */
    bool quiet;       /* nothing on stdout; no progress line under AUTO */
    enum run_progress progress;
    /* Optional: an array of nv * replications NULL pointers that receives the
     * per-replication summary trees, variant-major (runs[i * replications + r]).
     * The caller frees them (report_free), also those stored before a failure. */
    struct report **runs;
};

/* Runs every variant; returns the exit status (0, or 1 on a runtime failure,
 * with one message on stderr). */
int run_all(const struct run_variant *v, int nv, const struct run_options *opt);

/* Writes `path` atomically: fill() writes to a temporary file which is
 * renamed over `path` on success. Returns false (and removes the temporary
 * file) when fill() or the write fails. */
bool run_write_file(const char *path, bool (*fill)(void *ctx, FILE *f), void *ctx);

#endif
