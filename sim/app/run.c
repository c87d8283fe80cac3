/* run.c - runs in worker processes, results folded and written atomically.
 *
 * This is the only place that reads the wall clock and the process's peak
 * memory: for perf.json and for the progress line, never for anything a
 * simulation sees.
 *
 * The timeline goes through fold.h on its way to timeline.log: per caller and
 * kind of line (its subject, e.g. `breaker to payment (pay)`), at most
 * RUN_FOLD_BURST lines per RUN_FOLD_WINDOW of simulated time (a window opens
 * at a kind's first line) are written; the rest are summed up in one
 * `... N similar lines folded` line, naming the time span and the last folded
 * line, at the window's end or after RUN_FOLD_QUIET without such a line,
 * whichever is first. A breaker flapping for an hour then costs 11 lines a
 * minute, not a million, and the summary still tells the reader the state it
 * left behind, near the time it did. Simulated time only: the same run folds
 * the same lines.
 */
#define _POSIX_C_SOURCE 200809L

#include "sim/app/run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "models/policy.h"
#include "models/world.h"
#include "sim/app/compare.h"
#include "sim/app/fold.h"
#include "sim/app/plot.h"
#include "sim/app/report.h"
#include "sim/app/summary.h"
#include "sim/kernel/sim.h"
#include "sim/kernel/sim_mem.h"

#define RUN_FOLD_WINDOW SIM_MIN
#define RUN_FOLD_QUIET  (10 * SIM_S)
#define RUN_FOLD_BURST  10
/* A run is simulated in this many slices of simulated time, each followed by
 * a progress report: fine enough for a smooth percentage, and a thousand
 * calls cost nothing next to millions of events. */
#define RUN_SLICES 1000

static int mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf) return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            buf[i] = c;
        }
    }
    return 0;
}

bool run_write_file(const char *path, bool (*fill)(void *ctx, FILE *f), void *ctx)
{
    char tmp[4200];
    int len = snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    if (len < 0 || (size_t)len >= sizeof tmp) /* a cut name would be another file */
        return false;
    FILE *f = fopen(tmp, "w");
    if (!f) return false;
    bool ok = fill(ctx, f);
    ok = (fflush(f) == 0) && !ferror(f) && ok;
    ok = (fclose(f) == 0) && ok;
    if (ok && rename(tmp, path) != 0) ok = false;
    if (!ok) remove(tmp);
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
    FILE *timeline, *series, *breakers;
    struct fold *fold;
    sim_time clock;
    bool failed;
};

static void write_line(void *ctx, sim_time at, enum sim_trace_level level, const char *who,
                       const char *msg)
{
    struct run_files *rf = ctx;
    char clock[32];
    sim_time_clock(at, rf->clock, clock, sizeof clock);
    if (fprintf(rf->timeline, "%s %s %s %s\n", clock, who, sim_trace_level_name(level), msg) < 0)
        rf->failed = true;
}

static void on_trace(void *ctx, sim_time at, enum sim_trace_level level, const char *who,
                     const char *msg)
{
    struct run_files *rf = ctx;
    fold_line(rf->fold, at, level, who, msg);
}

static void on_row(void *ctx, const struct world_row *row)
{
    struct run_files *rf = ctx;
    /* Names are [A-Za-z0-9_-] today; the format does not depend on it. */
    fprintf(rf->series, "%.3f,", sim_time_to_s(row->t));
    report_csv_field(rf->series, row->svc->cfg->name);
    if (fprintf(rf->series, ",%d,%d,%lld,%llu,%llu,%llu,%llu,%.3f,%.3f,%d,%d\n", row->threads_busy,
                row->threads_blocked, (long long)row->queue_len, (unsigned long long)row->arrivals,
                (unsigned long long)row->completions, (unsigned long long)row->failures,
                (unsigned long long)row->rejections, row->p50_ms, row->p99_ms, row->pool_in_use,
                row->breaker_open) < 0)
        rf->failed = true;
}

/* breakers.csv's state: the order of severity (closed < half-open < open), so
 * a plotted level rises as the breaker lets less through; enum
 * breaker_state's own order is the order states were added. */
static int breaker_level(int state)
{
    switch (state) {
    case BREAKER_CLOSED:
        return 0;
    case BREAKER_HALF_OPEN:
        return 1;
    case BREAKER_OPEN:
    default:
        return 2;
    }
}

static void on_breaker(void *ctx, const struct world_breaker_row *row)
{
    struct run_files *rf = ctx;
    char name[1200];
    snprintf(name, sizeof name, "%s -> %s", row->policy->who, row->policy->name);
    fprintf(rf->breakers, "%.3f,", sim_time_to_s(row->t));
    report_csv_field(rf->breakers, name);
    if (fprintf(rf->breakers, ",%d\n", breaker_level(row->state)) < 0) rf->failed = true;
}

static bool has_breakers(const struct world *w)
{
    for (int i = 0; i < w->npolicies; i++)
        if (w->policies[i]->cfg->has_breaker) return true;
    return false;
}

static void tmp_name(char *buf, size_t n, const char *dir, const char *file, int rep)
{
    snprintf(buf, n, "%s/.%s.rep%d.tmp", dir, file, rep);
}

static bool save_tree(const char *path, const struct report *r)
{
    FILE *f = fopen(path, "w");
    if (!f) return false;
    report_save(r, f);
    return fclose(f) == 0;
}

/* What a worker tells the parent after each slice (one write, atomic on a
 * pipe). */
struct progress_msg {
    int64_t done;    /* simulated time reached */
    uint64_t events; /* executed so far */
};

static bool open_tmp(FILE **f, const char *dir, const char *file)
{
    char path[4200];
    tmp_name(path, sizeof path, dir, file, 0);
    *f = fopen(path, "w");
    if (!*f) fprintf(stderr, "domino: cannot write in %s: %s\n", dir, strerror(errno));
    return *f != NULL;
}

/* Runs one replication and leaves its results in temporary files of `dir`.
 * With progress_fd >= 0, reports each slice there. */
static int run_one(const struct run_variant *v, int rep, const char *dir,
                   const struct run_options *opt, int progress_fd)
{
    const struct world_config *cfg = &v->cfg;
    char path[4200];
    double t0 = wall_s();
    struct sim *sim = sim_create(cfg->seed, (uint32_t)rep);
    struct world *w = world_create(sim, cfg);
    struct run_files rf = {.clock = cfg->has_clock ? cfg->clock / SIM_S : 0}; /* seconds */
    if (rep == 0) {
        if (!open_tmp(&rf.timeline, dir, "timeline.log") ||
            !open_tmp(&rf.series, dir, "timeseries.csv") ||
            (has_breakers(w) && !open_tmp(&rf.breakers, dir, "breakers.csv")))
            return 1;
        fputs("t_s,service,threads_busy,threads_blocked,queue_len,arrivals,completions,"
              "failures,rejections,p50_ms,p99_ms,pool_in_use,breaker_open\n",
              rf.series);
        rf.fold =
            fold_create(RUN_FOLD_WINDOW, RUN_FOLD_QUIET, RUN_FOLD_BURST, rf.clock, write_line, &rf);
        sim_trace_set(sim, on_trace, &rf);
        world_set_rows(w, on_row, &rf);
        if (rf.breakers) {
            fputs("t_s,breaker,state\n", rf.breakers);
            world_set_breaker_rows(w, on_breaker, &rf);
        }
    }
    world_start(w);
    /* Slices change nothing the model sees: sim_run_until runs every event up
     * to its horizon, and the next call goes on from there (the goldens run
     * through here). */
    sim_time step = cfg->duration / RUN_SLICES > 0 ? cfg->duration / RUN_SLICES : 1;
    for (sim_time t = 0;;) {
        t = cfg->duration - t > step ? t + step : cfg->duration;
        sim_run_until(sim, t);
        if (progress_fd >= 0) {
            struct progress_msg m = {sim_now(sim), sim_events(sim)};
            if (write(progress_fd, &m, sizeof m) != (ssize_t)sizeof m) {
                close(progress_fd); /* the parent went away: run on, quietly */
                progress_fd = -1;
            }
        }
        if (t >= cfg->duration) break;
    }
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
        fold_finish(rf.fold, cfg->duration);
        ok = !rf.failed && fclose(rf.timeline) == 0;
        ok = fclose(rf.series) == 0 && ok;
        if (rf.breakers) ok = fclose(rf.breakers) == 0 && ok;
        fold_destroy(rf.fold);
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
    if (!f) return NULL;
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
    static const char *const files[] = {"summary", "perf", "timeline.log", "timeseries.csv",
                                        "breakers.csv"};
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
        static const char *const keep[] = {"scenario",   "variant",  "seed", "replications",
                                           "duration_s", "warmup_s", NULL};
        struct report *sum = R > 1 ? report_aggregate(sums, R, keep) : sums[0];
        snprintf(final, sizeof final, "%s/summary.json", dir);
        ok = run_write_file(final, fill_json, sum);
        if (R > 1) report_free(sum);

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
        /* breakers.csv is written only when the variant has breakers; one
         * from an earlier run of another configuration would be plotted as
         * this one's, so its absence removes the old file. */
        static const struct {
            const char *name;
            bool optional;
        } moved[] = {{"timeline.log", false}, {"timeseries.csv", false}, {"breakers.csv", true}};
        for (size_t k = 0; k < sizeof moved / sizeof *moved && ok; k++) {
            tmp_name(path, sizeof path, dir, moved[k].name, 0);
            snprintf(final, sizeof final, "%s/%s", dir, moved[k].name);
            if (moved[k].optional && access(path, F_OK) != 0)
                ok = remove(final) == 0 || errno == ENOENT;
            else
                ok = rename(path, final) == 0;
        }
        if (ok && !opt->quiet)
            printf("%s: %.0f events in %.2f s (%.1f M events/s), results in %s/\n", v->name, events,
                   wall, wall > 0 ? events / wall / 1e6 : 0, dir);
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

/* ---- the progress line ----------------------------------------------------- */

/* A worker in flight: its process, the read end of its progress pipe, what it
 * reported last, and a partial message (a read may end mid-message). */
struct worker {
    pid_t pid;
    int fd;
    int task;
    struct progress_msg last;
    unsigned char buf[sizeof(struct progress_msg)];
    size_t nbuf;
};

struct progress {
    bool on, drawn;
    double t0, last_draw;
    int width;
    const struct run_variant *v;
    int R, ntasks, done;
    sim_time total, finished; /* simulated time: of every run, of the runs done */
    uint64_t events;          /* of the runs done */
};

static void fmt_eta(char *buf, size_t n, double s)
{
    long long x = (long long)(s + 0.5);
    if (x < 60)
        snprintf(buf, n, "%llds", x);
    else if (x < 3600)
        snprintf(buf, n, "%lldm%02llds", x / 60, x % 60);
    else
        snprintf(buf, n, "%lldh%02lldm", x / 3600, x / 60 % 60);
}

/* Simulated time in whole seconds, "1h02m07s": the line changes a few times a
 * second, and fixed-width fields keep it from jittering. */
static void fmt_sim(char *buf, size_t n, sim_time t)
{
    long long s = (long long)(t / SIM_S);
    if (s >= 3600)
        snprintf(buf, n, "%lldh%02lldm%02llds", s / 3600, s / 60 % 60, s % 60);
    else if (s >= 60)
        snprintf(buf, n, "%lldm%02llds", s / 60, s % 60);
    else
        snprintf(buf, n, "%llds", s);
}

/* Appends to line[*n..cap); a long name cuts the line, never overflows it. */
static void put(char *line, size_t cap, int *n, const char *fmt, ...) SIM_PRINTF(4, 5);
static void put(char *line, size_t cap, int *n, const char *fmt, ...)
{
    if ((size_t)*n >= cap - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(line + *n, cap - (size_t)*n, fmt, ap);
    va_end(ap);
    if (k > 0) *n = (size_t)*n + (size_t)k < cap ? *n + k : (int)cap - 1;
}

static void draw_progress(struct progress *p, const struct worker *w, int running)
{
    double now = wall_s();
    if (!p->on || now - p->t0 < 1.0 || now - p->last_draw < 0.25) return;
    p->last_draw = now;
    sim_time done = p->finished;
    uint64_t events = p->events;
    for (int i = 0; i < running; i++) {
        done += w[i].last.done;
        events += w[i].last.events;
    }
    double share = p->total > 0 ? (double)done / (double)p->total : 1;
    char d[32], t[32], eta[32] = "?", line[1024];
    fmt_sim(d, sizeof d, done);
    fmt_sim(t, sizeof t, p->total);
    if (share > 0) fmt_eta(eta, sizeof eta, (now - p->t0) * (1 - share) / share);
    /* Most telling first: a narrow terminal cuts the end. */
    int n = 0;
    if (p->ntasks == 1)
        put(line, sizeof line, &n, "%s/%s: ", p->v[0].cfg.name, p->v[0].name);
    else
        put(line, sizeof line, &n, "%s: ", p->v[0].cfg.name);
    put(line, sizeof line, &n, "%s/%s simulated (%.0f%%), ETA %s, %.1fM events/s", d, t,
        100 * share, eta, (double)events / (now - p->t0) / 1e6);
    if (p->ntasks > 1) put(line, sizeof line, &n, ", %d/%d runs done", p->done, p->ntasks);
    /* The running runs in task order (workers' slots move as others finish). */
    int order[64], nshow = running < 64 ? running : 64;
    for (int i = 0; i < nshow; i++) {
        int k = i;
        for (; k > 0 && w[order[k - 1]].task > w[i].task; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    for (int j = 0; j < nshow && p->ntasks > 1 && n < p->width; j++) {
        const struct worker *wk = &w[order[j]];
        const struct run_variant *rv = &p->v[wk->task / p->R];
        sim_time dur = rv->cfg.duration;
        put(line, sizeof line, &n, "%s%s", j ? ", " : " | ", rv->name);
        if (p->R > 1) put(line, sizeof line, &n, " r%d", wk->task % p->R);
        put(line, sizeof line, &n, " %.0f%%",
            dur > 0 ? 100.0 * (double)wk->last.done / (double)dur : 100.0);
    }
    /* One line that never wraps, or \r would return to its second row. */
    if (n > p->width - 1) n = p->width - 1;
    fprintf(stderr, "\r%.*s\033[K", n, line);
    p->drawn = true;
}

static void clear_progress(struct progress *p)
{
    if (p->drawn) fputs("\r\033[K", stderr);
    p->drawn = false;
}

static void progress_init(struct progress *p, const struct run_variant *v, int nv,
                          const struct run_options *opt)
{
    *p = (struct progress){.v = v, .R = opt->replications};
    p->ntasks = nv * opt->replications;
    p->on =
        (opt->progress == RUN_PROGRESS_ON || (opt->progress == RUN_PROGRESS_AUTO && !opt->quiet)) &&
        isatty(STDERR_FILENO);
    p->t0 = wall_s();
    p->width = 80;
    struct winsize ws;
    if (p->on && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        p->width = ws.ws_col;
    if (p->width > 1000) p->width = 1000;
    for (int i = 0; i < nv; i++)
        p->total += v[i].cfg.duration * opt->replications;
}

/* Reads what a worker sent; returns false at end of file (it exited). */
static bool drain(struct worker *w)
{
    unsigned char buf[4096];
    ssize_t got = read(w->fd, buf, sizeof buf);
    if (got < 0) return errno == EINTR || errno == EAGAIN;
    if (got == 0) return false;
    for (ssize_t i = 0; i < got; i++) {
        w->buf[w->nbuf++] = buf[i];
        if (w->nbuf == sizeof w->buf) {
            memcpy(&w->last, w->buf, sizeof w->last);
            w->nbuf = 0;
        }
    }
    return true;
}

/* ---- starting workers ------------------------------------------------------- */

/* Forks a worker for task `task`; false (with a message) on failure. */
static bool start_worker(struct worker *w, struct worker *running, int nrunning, int task,
                         const struct run_variant *v, const struct run_options *opt, bool progress)
{
    const struct run_variant *rv = &v[task / opt->replications];
    int rep = task % opt->replications;
    char dir[4096];
    variant_dir(dir, sizeof dir, opt, rv);
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "domino: pipe: %s\n", strerror(errno));
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "domino: fork: %s\n", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        /* Only this worker may hold its pipe's write end: the parent learns
         * it exited when the pipe reads end of file. */
        close(fds[0]);
        for (int i = 0; i < nrunning; i++)
            close(running[i].fd);
        free(running); /* the parent's table, copied by fork: not this process's */
        signal(SIGPIPE, SIG_IGN);
        int status = run_one(rv, rep, dir, opt, progress ? fds[1] : -1);
        _exit(status);
    }
    close(fds[1]);
    *w = (struct worker){.pid = pid, .fd = fds[0], .task = task};
    return true;
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
    struct progress pg;
    progress_init(&pg, v, nv, opt);
    int ntasks = pg.ntasks, next = 0, running = 0, status = 0;
    struct worker *w = sim_xcalloc((size_t)opt->jobs, sizeof *w);
    struct pollfd *pfd = sim_xcalloc((size_t)opt->jobs, sizeof *pfd);
    fflush(NULL);
    while (next < ntasks || running > 0) {
        while (next < ntasks && running < opt->jobs && status == 0) {
            if (!start_worker(&w[running], w, running, next, v, opt, pg.on)) {
                status = 1;
                break;
            }
            running++;
            next++;
        }
        if (running == 0) break;
        for (int i = 0; i < running; i++)
            pfd[i] = (struct pollfd){.fd = w[i].fd, .events = POLLIN};
        /* Without the progress line, sleep until a worker writes or exits. */
        int ready = poll(pfd, (nfds_t)running, pg.on ? 100 : -1);
        if (ready < 0 && errno != EINTR) {
            clear_progress(&pg);
            fprintf(stderr, "domino: poll: %s\n", strerror(errno));
            status = 1;
            break;
        }
        for (int i = running - 1; i >= 0 && ready > 0; i--) {
            if (!pfd[i].revents || drain(&w[i])) continue;
            int st;
            while (waitpid(w[i].pid, &st, 0) < 0 && errno == EINTR)
                ;
            close(w[i].fd);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                clear_progress(&pg);
                if (WIFSIGNALED(st))
                    fprintf(stderr, "domino: a run died (signal %d)\n", WTERMSIG(st));
                status = 1;
            }
            pg.done++;
            pg.finished += v[w[i].task / opt->replications].cfg.duration;
            pg.events += w[i].last.events;
            w[i] = w[--running];
        }
        draw_progress(&pg, w, running);
    }
    clear_progress(&pg);
    free(w);
    free(pfd);
    /* plotinfo.gp: what `domino plot` needs from the configuration, which the
     * other files do not carry (fault windows, clock origin, capacities). */
    for (int i = 0; i < nv && status == 0; i++) {
        variant_dir(dir, sizeof dir, opt, &v[i]);
        if (!finish_variant(&v[i], i, opt) || !plot_write_info(dir, &v[i].cfg, v[i].name, i)) {
            fprintf(stderr, "domino: cannot write results of %s: %s\n", v[i].name, strerror(errno));
            status = 1;
        }
    }
    for (int i = 0; i < nv; i++) {
        variant_dir(dir, sizeof dir, opt, &v[i]);
        remove_tmps(dir, opt->replications);
    }
    return status;
}
