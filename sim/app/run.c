/* run.c - runs in worker processes, results folded and written atomically.
 *
 * This is the only place that reads the wall clock and the process's peak
 * memory, and only for perf.json.
 */
#define _POSIX_C_SOURCE 200809L

#include "sim/app/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "models/world.h"
#include "sim/app/plot.h"
#include "sim/app/report.h"
#include "sim/app/summary.h"
#include "sim/kernel/sim.h"
#include "sim/kernel/sim_mem.h"

static int mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    return 0;
}

bool run_write_file(const char *path, bool (*fill)(void *ctx, FILE *f), void *ctx)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return false;
    bool ok = fill(ctx, f);
    ok = (fflush(f) == 0) && !ferror(f) && ok;
    ok = (fclose(f) == 0) && ok;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok)
        remove(tmp);
    return ok;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- one run, in a worker ------------------------------------------------ */

struct run_files {
    FILE *timeline, *series;
    sim_time clock;
    bool failed;
};

static void on_trace(void *ctx, sim_time at, enum sim_trace_level level, const char *who,
                     const char *msg)
{
    struct run_files *rf = ctx;
    char clock[32];
    sim_time_clock(at, rf->clock, clock, sizeof clock);
    if (fprintf(rf->timeline, "%s %s %s %s\n", clock, who, sim_trace_level_name(level), msg) < 0)
        rf->failed = true;
}

static void on_row(void *ctx, const struct world_row *row)
{
    struct run_files *rf = ctx;
    if (fprintf(rf->series, "%.3f,%s,%d,%d,%lld,%llu,%llu,%llu,%llu,%.3f,%.3f,%d,%d\n",
                sim_time_to_s(row->t), row->svc->cfg->name, row->threads_busy,
                row->threads_blocked, (long long)row->queue_len,
                (unsigned long long)row->arrivals, (unsigned long long)row->completions,
                (unsigned long long)row->failures, (unsigned long long)row->rejections,
                row->p50_ms, row->p99_ms, row->pool_in_use, row->breaker_open) < 0)
        rf->failed = true;
}

static void tmp_name(char *buf, size_t n, const char *dir, const char *file, int rep)
{
    snprintf(buf, n, "%s/.%s.rep%d.tmp", dir, file, rep);
}

static bool save_tree(const char *path, const struct report *r)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    report_save(r, f);
    return fclose(f) == 0;
}

/* Runs one replication and leaves its results in temporary files of `dir`. */
static int run_one(const struct run_variant *v, int rep, const char *dir,
                   const struct run_options *opt)
{
    const struct world_config *cfg = &v->cfg;
    char path[4200], path2[4200];
    double t0 = wall_s();
    struct sim *sim = sim_create(cfg->seed, (uint32_t)rep);
    struct world *w = world_create(sim, cfg);
    struct run_files rf = {.clock = cfg->has_clock ? cfg->clock / SIM_S : 0}; /* seconds */
    if (rep == 0) {
        tmp_name(path, sizeof path, dir, "timeline.log", rep);
        tmp_name(path2, sizeof path2, dir, "timeseries.csv", rep);
        rf.timeline = fopen(path, "w");
        rf.series = fopen(path2, "w");
        if (!rf.timeline || !rf.series) {
            fprintf(stderr, "domino: cannot write in %s: %s\n", dir, strerror(errno));
            return 1;
        }
        fputs("t_s,service,threads_busy,threads_blocked,queue_len,arrivals,completions,"
              "failures,rejections,p50_ms,p99_ms,pool_in_use,breaker_open\n",
              rf.series);
        sim_trace_set(sim, on_trace, &rf);
        world_set_rows(w, on_row, &rf);
    }
    world_start(w);
    sim_run_until(sim, cfg->duration);
    world_finish(w);
    struct report *sum = summary_build(w, v->name, opt->replications);
    double wall = wall_s() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    struct report *perf = report_object(NULL, NULL);
    report_number(perf, "wall_s", wall);
    report_number(perf, "events", (double)sim_events(sim));
    report_number(perf, "peak_rss_mb", (double)ru.ru_maxrss / 1024.0);
    bool ok = true;
    if (rep == 0) {
        ok = !rf.failed && fclose(rf.timeline) == 0;
        ok = fclose(rf.series) == 0 && ok;
    }
    tmp_name(path, sizeof path, dir, "summary", rep);
    ok = ok && save_tree(path, sum);
    tmp_name(path, sizeof path, dir, "perf", rep);
    ok = ok && save_tree(path, perf);
    report_free(sum);
    report_free(perf);
    world_destroy(w);
    sim_destroy(sim);
    if (!ok) {
        fprintf(stderr, "domino: cannot write results in %s: %s\n", dir, strerror(errno));
        return 1;
    }
    return 0;
}

/* ---- the parent ---------------------------------------------------------- */

static struct report *load_tree(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    struct report *r = report_load(f);
    fclose(f);
    return r;
}

static bool fill_json(void *ctx, FILE *f)
{
    report_write_json(ctx, f);
    return true;
}

static void variant_dir(char *buf, size_t n, const struct run_options *opt,
                        const struct run_variant *v)
{
    snprintf(buf, n, "%s/%s/%s", opt->out, v->cfg.name, v->name);
}

static void remove_tmps(const char *dir, int reps)
{
    char path[4200];
    static const char *const files[] = {"summary", "perf", "timeline.log", "timeseries.csv"};
    for (int r = 0; r < reps; r++)
        for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
            tmp_name(path, sizeof path, dir, files[k], r);
            remove(path);
        }
}

/* Folds a variant's replications and writes its files; with opt->runs, hands
 * the replications' trees over to opt->runs[index * R + r]. */
static bool finish_variant(const struct run_variant *v, int index, const struct run_options *opt)
{
    char dir[4096], path[4200], final[4200];
    variant_dir(dir, sizeof dir, opt, v);
    int R = opt->replications;
    struct report **sums = sim_xcalloc((size_t)R, sizeof *sums);
    struct report **perfs = sim_xcalloc((size_t)R, sizeof *perfs);
    bool ok = true;
    for (int r = 0; r < R && ok; r++) {
        tmp_name(path, sizeof path, dir, "summary", r);
        sums[r] = load_tree(path);
        tmp_name(path, sizeof path, dir, "perf", r);
        perfs[r] = load_tree(path);
        ok = sums[r] && perfs[r];
    }
    if (ok) {
        static const char *const keep[] = {"scenario", "variant",  "seed", "replications",
                                           "duration_s", "warmup_s", NULL};
        struct report *sum = R > 1 ? report_aggregate(sums, R, keep) : sums[0];
        snprintf(final, sizeof final, "%s/summary.json", dir);
        ok = run_write_file(final, fill_json, sum);
        if (R > 1)
            report_free(sum);

        struct report *perf = report_object(NULL, NULL);
        double wall = 0, events = 0, rss = 0;
        for (int r = 0; r < R; r++) {
            wall += report_get(perfs[r], "wall_s")->num;
            events += report_get(perfs[r], "events")->num;
            double m = report_get(perfs[r], "peak_rss_mb")->num;
            rss = m > rss ? m : rss;
        }
        report_string(perf, "variant", v->name);
        report_number(perf, "replications", R);
        report_number(perf, "wall_s", wall);
        report_number(perf, "events", events);
        report_number(perf, "events_per_s", wall > 0 ? events / wall : 0);
        report_number(perf, "peak_rss_mb", rss);
        snprintf(final, sizeof final, "%s/perf.json", dir);
        ok = ok && run_write_file(final, fill_json, perf);
        report_free(perf);
        static const char *const moved[] = {"timeline.log", "timeseries.csv"};
        for (int k = 0; k < 2 && ok; k++) {
            tmp_name(path, sizeof path, dir, moved[k], 0);
            snprintf(final, sizeof final, "%s/%s", dir, moved[k]);
            ok = rename(path, final) == 0;
        }
        if (ok && !opt->quiet)
            printf("%s: %.0f events in %.2f s (%.1f M events/s), results in %s/\n", v->name,
                   events, wall, wall > 0 ? events / wall / 1e6 : 0, dir);
        for (int r = 0; r < R && ok && opt->runs; r++) {
            opt->runs[index * R + r] = sums[r];
            sums[r] = NULL;
        }
    }
    for (int r = 0; r < R; r++) {
        report_free(sums[r]);
        report_free(perfs[r]);
    }
    free(sums);
    free(perfs);
    return ok;
}

int run_all(const struct run_variant *v, int nv, const struct run_options *opt)
{
    char dir[4096];
    for (int i = 0; i < nv; i++) {
        variant_dir(dir, sizeof dir, opt, &v[i]);
        if (mkdirs(dir) != 0) {
            fprintf(stderr, "domino: cannot create %s: %s\n", dir, strerror(errno));
            return 1;
        }
    }
    int ntasks = nv * opt->replications, next = 0, running = 0, status = 0;
    fflush(NULL);
    while (next < ntasks || running > 0) {
        while (next < ntasks && running < opt->jobs && status == 0) {
            const struct run_variant *rv = &v[next / opt->replications];
            int rep = next % opt->replications;
            variant_dir(dir, sizeof dir, opt, rv);
            pid_t pid = fork();
            if (pid < 0) {
                fprintf(stderr, "domino: fork: %s\n", strerror(errno));
                status = 1;
                break;
            }
            if (pid == 0)
                _exit(run_one(rv, rep, dir, opt));
            running++;
            next++;
        }
        if (running == 0)
            break;
        int st;
        if (wait(&st) < 0)
            break;
        running--;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            if (WIFSIGNALED(st))
                fprintf(stderr, "domino: a run died (signal %d)\n", WTERMSIG(st));
            status = 1;
        }
    }
    /* plotinfo.gp: what `domino plot` needs from the configuration, which the
     * other files do not carry (fault windows, clock origin, capacities). */
    for (int i = 0; i < nv && status == 0; i++) {
        variant_dir(dir, sizeof dir, opt, &v[i]);
        if (!finish_variant(&v[i], i, opt) || !plot_write_info(dir, &v[i].cfg, v[i].name, i)) {
            fprintf(stderr, "domino: cannot write results of %s: %s\n", v[i].name,
                    strerror(errno));
            status = 1;
        }
    }
    for (int i = 0; i < nv; i++) {
        variant_dir(dir, sizeof dir, opt, &v[i]);
        remove_tmps(dir, opt->replications);
    }
    return status;
}
