/* plot.c - `domino plot`: prepares the plots' data, runs gnuplot (see plot.h).
 *
 * Everything here reads files domino itself wrote, whose formats are fixed by
 * SCENARIO.md section 3 and by report.c (2-space indented JSON, one key per
 * line), so line-oriented reading is enough and no JSON parser is needed.
 */
#define _POSIX_C_SOURCE 200809L

#include "sim/app/plot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/app/run.h"
#include "sim/kernel/sim_mem.h"
#include "sim/kernel/sim_time.h"

/* "a/b", allocated: paths here are built from user-given folders of any
 * length, so no fixed buffer can be trusted to hold them. */
static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = sim_xmalloc(n);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* The per-variant scripts, in the order they run; the last, breakers, only
 * for a variant with a breakers.csv. */
static const char *const variant_plots[] = {"latency", "threads", "queues", "breakers"};
enum { NVARIANT_PLOTS = sizeof variant_plots / sizeof *variant_plots };

void plot_gp_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* ---- plotinfo.gp, written by `domino run` ----------------------------------- */

struct info_ctx {
    const struct world_config *cfg;
    const char *variant;
    int order;
};

/* Same wording as the timeline's "fault start: ..." lines (models/fault.c keeps
 * its own copy static, and the models layer must not know about plots). */
static void fault_what(const struct world_config *c, const struct fault_config *f, char *buf,
                       size_t n)
{
    char what[64];
    switch (f->kind) {
    case FAULT_CRASH:
        snprintf(what, sizeof what, "crash (%s)", f->hang ? "hang" : "refuse");
        break;
    case FAULT_SLOW:
        if (f->add > 0)
            snprintf(what, sizeof what, "slow x%g +%gms", f->factor, sim_time_to_ms(f->add));
        else
            snprintf(what, sizeof what, "slow x%g", f->factor);
        break;
    case FAULT_ERRORS:
        snprintf(what, sizeof what, "errors %g%%", f->rate * 100);
        break;
    case FAULT_POOL:
        snprintf(what, sizeof what, "pool size %d", f->size);
        break;
    case FAULT_PAUSE:
    default:
        snprintf(what, sizeof what, "pause");
        break;
    }
    const struct service_config *s = &c->services[f->service];
    const char *sub = f->pool >= 0       ? s->pools[f->pool].name
                      : f->endpoint >= 0 ? s->endpoints[f->endpoint].name
                                         : NULL;
    snprintf(buf, n, "%s on %s%s%s", what, s->name, sub ? "." : "", sub ? sub : "");
}

/* A time as the plots' axis shows it: the wall clock when the scenario has
 * one, else the time since the start (mm:ss, or h:mm:ss from an hour on);
 * milliseconds only when there are some. */
static void when(const struct world_config *c, sim_time t, char *buf, size_t n)
{
    if (c->has_clock) {
        sim_time_clock(t, c->clock / SIM_S, buf, n);
    } else {
        long long ms = (long long)(t / SIM_MS), s = ms / 1000;
        if (c->duration >= SIM_HOUR)
            snprintf(buf, n, "%lld:%02lld:%02lld.%03lld", s / 3600, s / 60 % 60, s % 60, ms % 1000);
        else
            snprintf(buf, n, "%02lld:%02lld.%03lld", s / 60, s % 60, ms % 1000);
    }
    size_t len = strlen(buf);
    if (len > 4 && strcmp(buf + len - 4, ".000") == 0) buf[len - 4] = 0;
}

static bool fill_info(void *vctx, FILE *f)
{
    const struct info_ctx *ctx = vctx;
    const struct world_config *c = ctx->cfg;
    char buf[256];
    fputs("# plotinfo.gp - written by `domino run` for `domino plot` and plots/*.gp:\n"
          "# what the plots need that timeseries.csv does not say. gnuplot syntax;\n"
          "# times in seconds since the start of the run.\n",
          f);
    fputs("scenario = ", f);
    plot_gp_quote(f, c->name);
    fputs("\nvariant = ", f);
    plot_gp_quote(f, ctx->variant);
    fprintf(f, "\nvariant_order = %d\n", ctx->order);
    fprintf(f, "clock0 = %lld    # wall-clock seconds since midnight at t = 0; -1: no `clock:`\n",
            c->has_clock ? (long long)(c->clock / SIM_S) : -1LL);
    fprintf(f, "duration = %.9g\nwarmup = %.9g\n", sim_time_to_s(c->duration),
            sim_time_to_s(c->warmup));
    sim_time_format(c->sample, buf, sizeof buf);
    fputs("sample_text = ", f);
    plot_gp_quote(f, buf);
    fputs("\nservices = \"", f);
    for (int i = 0; i < c->nservices; i++)
        fprintf(f, "%s%s", i ? " " : "", c->services[i].name);
    fputs("\"\nthreads = \"", f);
    for (int i = 0; i < c->nservices; i++)
        fprintf(f, "%s%d", i ? " " : "", c->services[i].threads);
    fputs("\"    # 0: unlimited\nqueue_cap = \"", f);
    for (int i = 0; i < c->nservices; i++)
        fprintf(f, "%s%lld", i ? " " : "", (long long)c->services[i].queue);
    fputs("\"    # -1: unbounded\npool_size = \"", f);
    for (int i = 0; i < c->nservices; i++) {
        long long size = 0;
        for (int p = 0; p < c->services[i].npools; p++)
            size += c->services[i].pools[p].size;
        fprintf(f, "%s%lld", i ? " " : "", size);
    }
    fputs("\"    # connections over all of the service's pools\n", f);

    /* Fault windows, clipped to the run; one that starts after the end is not
     * drawn. When their list would not fit in a subtitle, it counts them. */
    int shown = 0;
    char text[1024] = "shaded: ";
    for (int i = 0; i < c->nfaults; i++) {
        const struct fault_config *ft = &c->faults[i];
        if (ft->at >= c->duration) continue;
        sim_time until = ft->until < c->duration ? ft->until : c->duration;
        shown++;
        fprintf(f, "fault_from_%d = %.9g\nfault_to_%d = %.9g\n", shown, sim_time_to_s(ft->at),
                shown, sim_time_to_s(until));
        char what[200], a[32], b[32], one[300];
        fault_what(c, ft, what, sizeof what);
        when(c, ft->at, a, sizeof a);
        if (ft->until < c->duration)
            when(c, ft->until, b, sizeof b);
        else
            snprintf(b, sizeof b, "end");
        snprintf(one, sizeof one, "%s%s, %s-%s", shown > 1 ? "; " : "", what, a, b);
        if (strlen(text) + strlen(one) < sizeof text) strcat(text, one);
    }
    fprintf(f, "nfaults = %d\n", shown);
    /* A subtitle holds about 200 characters, half of them the plot's own. */
    if (shown == 0)
        snprintf(text, sizeof text, "no faults");
    else if (strlen(text) > 90)
        snprintf(text, sizeof text, "shaded: %d fault windows (timeline.log lists them)", shown);
    fputs("faults_text = ", f);
    plot_gp_quote(f, text);
    fputc('\n', f);
    return true;
}

bool plot_write_info(const char *dir, const struct world_config *cfg, const char *variant,
                     int order)
{
    char *path = join(dir, "plotinfo.gp");
    struct info_ctx ctx = {cfg, variant, order};
    bool ok = run_write_file(path, fill_info, &ctx);
    free(path);
    return ok;
}

/* ---- reading a variant folder ------------------------------------------------ */

/* Columns of timeseries.csv after t_s and service, in order. */
enum {
    C_BUSY,
    C_BLOCKED,
    C_QUEUE,
    C_ARRIVALS,
    C_COMPLETIONS,
    C_FAILURES,
    C_REJECTIONS,
    C_P50,
    C_P99,
    C_POOL,
    C_BREAKER,
    NCOLS
};
static const char csv_header[] =
    "t_s,service,threads_busy,threads_blocked,queue_len,arrivals,completions,failures,"
    "rejections,p50_ms,p99_ms,pool_in_use,breaker_open";

struct row {
    double t, v[NCOLS];
};

struct span {
    double from, to;
};

struct series {
    char *name;
    struct row *rows;
    size_t n, cap;
    struct span *down;
    size_t ndown, capdown;
    double queue_max, pool_max, lat_min, lat_max; /* lat_*: NaN when nothing completed */
};

/* One breaker of breakers.csv: its samples (state 0 closed, 1 half-open,
 * 2 open) and what its panel title says about them. */
struct breaker_series {
    char *name; /* "order -> payment (pay)": caller -> dependency (policy) */
    int callee; /* the dependency's service number (1-based), 0 if unknown */
    struct {
        double t;
        int state;
    } * rows;
    size_t n, cap;
    size_t nstate[3]; /* samples in each state */
    struct {
        double t;
        int state;
    } * marks; /* its transitions that timeline.log holds, exact times */
    size_t nmarks, capmarks;
    unsigned long long folded; /* transitions the timeline folded, without a dot */
};

struct variant {
    char *name, *dir, *scenario;
    int order;
    double clock0, duration;
    struct series *svc;
    int nsvc;
    struct breaker_series *brk; /* from breakers.csv; none when it is absent */
    int nbrk;
};

static void variant_free(struct variant *v)
{
    for (int i = 0; i < v->nsvc; i++) {
        free(v->svc[i].name);
        free(v->svc[i].rows);
        free(v->svc[i].down);
    }
    free(v->svc);
    for (int i = 0; i < v->nbrk; i++) {
        free(v->brk[i].name);
        free(v->brk[i].rows);
        free(v->brk[i].marks);
    }
    free(v->brk);
    free(v->name);
    free(v->dir);
    free(v->scenario);
}

static int bad_input(const char *path, long line, const char *what)
{
    if (line > 0)
        fprintf(stderr, "domino: error: %s:%ld: %s\n", path, line, what);
    else
        fprintf(stderr, "domino: error: %s: %s\n", path, what);
    return 2;
}

/* The value of `key = ...` in plotinfo.gp, unquoted in place: a string in
 * '...' (plot_gp_quote's), one in "..." (the lists of names and numbers, and
 * every string in results from before plot_gp_quote), or the text up to a
 * comment. Returns false when the line is another key. */
static bool info_value(char *line, const char *key, char **out)
{
    size_t k = strlen(key);
    if (strncmp(line, key, k) != 0 || strncmp(line + k, " = ", 3) != 0) return false;
    char *v = line + k + 3;
    if (*v == '\'') {
        char *to = ++v;
        for (char *from = v; *from && (*from != '\'' || from[1] == '\''); from++) {
            if (*from == '\'') from++;
            *to++ = *from;
        }
        *to = 0;
    } else if (*v == '"') {
        v++;
        char *end = strchr(v, '"');
        if (end) *end = 0;
    } else {
        v[strcspn(v, " #\n")] = 0;
    }
    *out = v;
    return true;
}

static int read_info(struct variant *v)
{
    char *path = join(v->dir, "plotinfo.gp");
    FILE *f = fopen(path, "r");
    if (!f) {
        int status = bad_input(path, 0,
                               "missing: these results predate `domino plot`; rerun "
                               "`domino run` to write it");
        free(path);
        return status;
    }
    char *line = NULL, *val;
    size_t cap = 0;
    bool have_services = false;
    v->clock0 = -1;
    while (getline(&line, &cap, f) > 0) {
        if (info_value(line, "services", &val)) {
            have_services = true;
            for (char *tok = strtok(val, " "); tok; tok = strtok(NULL, " ")) {
                v->svc = sim_xrealloc(v->svc, (size_t)(v->nsvc + 1) * sizeof *v->svc);
                v->svc[v->nsvc++] = (struct series){
                    .name = sim_xstrdup(tok), .lat_min = (double)NAN, .lat_max = (double)NAN};
            }
        } else if (info_value(line, "scenario", &val)) {
            free(v->scenario);
            v->scenario = sim_xstrdup(val);
        } else if (info_value(line, "clock0", &val)) {
            v->clock0 = strtod(val, NULL);
        } else if (info_value(line, "duration", &val)) {
            v->duration = strtod(val, NULL);
        } else if (info_value(line, "variant_order", &val)) {
            v->order = atoi(val);
        }
    }
    free(line);
    fclose(f);
    if (!v->scenario) v->scenario = sim_xstrdup("");
    int status = 0;
    if (!have_services || v->nsvc == 0)
        status = bad_input(path, 0, "no `services` line; rerun `domino run`");
    free(path);
    return status;
}

static struct series *find_series(struct variant *v, const char *name)
{
    for (int i = 0; i < v->nsvc; i++)
        if (strcmp(v->svc[i].name, name) == 0) return &v->svc[i];
    return NULL;
}

/* Splits timeseries.csv by service and records each one's extremes. */
static int read_series(struct variant *v)
{
    char *path = join(v->dir, "timeseries.csv");
    FILE *f = fopen(path, "r");
    if (!f) {
        int status = bad_input(path, 0, strerror(errno));
        free(path);
        return status;
    }
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int status = 0;
    while (status == 0 && getline(&line, &cap, f) > 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (lineno == 1) {
            if (strcmp(line, csv_header) != 0)
                status = bad_input(path, 1, "not the header of a domino time series");
            continue;
        }
        char *fields[NCOLS + 2];
        int nf = 0;
        for (char *p = line; nf < NCOLS + 2;) {
            fields[nf++] = p;
            p = strchr(p, ',');
            if (!p) break;
            *p++ = 0;
        }
        if (nf != NCOLS + 2 || strchr(fields[NCOLS + 1], ',')) {
            status = bad_input(path, lineno, "expected 13 comma-separated fields");
            break;
        }
        struct series *s = find_series(v, fields[1]);
        if (!s) {
            status =
                bad_input(path, lineno, "a service plotinfo.gp does not list; rerun `domino run`");
            break;
        }
        struct row r;
        char *end;
        r.t = strtod(fields[0], &end);
        bool ok = end != fields[0] && !*end;
        for (int k = 0; k < NCOLS && ok; k++) {
            r.v[k] = strtod(fields[k + 2], &end);
            ok = end != fields[k + 2] && !*end;
        }
        if (!ok) {
            status = bad_input(path, lineno, "a field is not a number");
            break;
        }
        /* A percentile over an interval in which nothing completed does not
         * exist (the CSV writes 0): NaN leaves a gap in the line. */
        for (int k = C_P50; k <= C_P99; k++) {
            if (r.v[C_COMPLETIONS] <= 0 || r.v[k] <= 0) {
                r.v[k] = (double)NAN;
                continue;
            }
            if (!(r.v[k] >= s->lat_min)) s->lat_min = r.v[k];
            if (!(r.v[k] <= s->lat_max)) s->lat_max = r.v[k];
        }
        s->queue_max = fmax(s->queue_max, r.v[C_QUEUE]);
        s->pool_max = fmax(s->pool_max, r.v[C_POOL]);
        s->rows = sim_xgrow(s->rows, &s->cap, s->n + 1, sizeof *s->rows);
        s->rows[s->n++] = r;
    }
    if (status == 0 && lineno == 0) status = bad_input(path, 0, "empty");
    free(line);
    fclose(f);
    free(path);
    return status;
}

static struct breaker_series *lookup_breaker(struct variant *v, const char *who, const char *name,
                                             size_t nlen)
{
    size_t wlen = strlen(who);
    for (int i = 0; i < v->nbrk; i++) {
        const char *b = v->brk[i].name;
        if (strncmp(b, who, wlen) == 0 && strncmp(b + wlen, " -> ", 4) == 0 &&
            strncmp(b + wlen + 4, name, nlen) == 0 && b[wlen + 4 + nlen] == 0)
            return &v->brk[i];
    }
    return NULL;
}

/* A breaker's transition, "breaker to NAME STATE: why" from `who`: marks it
 * at its exact time (the samples of breakers.csv miss what lasts less than
 * a sample, such as a half-open trial of a few milliseconds). */
static struct breaker_series *breaker_mark(struct variant *v, const char *who, const char *msg,
                                           double t)
{
    static const char *const states[] = {"CLOSED", "HALF_OPEN", "OPEN"}; /* by level */
    if (strncmp(msg, "breaker to ", 11) != 0) return NULL;
    const char *name = msg + 11, *colon = strchr(name, ':');
    if (!colon) return NULL;
    const char *sp = colon;
    while (sp > name && sp[-1] != ' ')
        sp--;
    if (sp <= name) return NULL;
    struct breaker_series *b = lookup_breaker(v, who, name, (size_t)(sp - 1 - name));
    size_t n = (size_t)(colon - sp);
    for (int k = 0; b && k < 3; k++)
        if (n == strlen(states[k]) && strncmp(sp, states[k], n) == 0) {
            b->marks = sim_xgrow(b->marks, &b->capmarks, b->nmarks + 1, sizeof *b->marks);
            b->marks[b->nmarks].t = t;
            b->marks[b->nmarks++].state = k;
        }
    return b;
}

/* A fold summary of the timeline (fold.h): "... N similar line(s) folded
 * (KIND) from A to B; the last: MSG". A and B are clock times before the
 * summary's own (`wall` on the clock, `t` in seconds since the start), within
 * a day of it. */
struct folded {
    unsigned long long n;
    const char *kind, *last;
    size_t klen;
    double from, to;
};

static bool parse_fold(const char *msg, double t, double wall, struct folded *fd)
{
    if (strncmp(msg, "... ", 4) != 0) return false;
    char *end;
    fd->n = strtoull(msg + 4, &end, 10);
    const char *k = strstr(end, " folded (");
    const char *from = k ? strstr(k, ") from ") : NULL;
    if (end == msg + 4 || !from) return false;
    fd->kind = k + 9;
    fd->klen = (size_t)(from - fd->kind);
    int fh, fm, fs, fms, th, tm, ts, tms, used = 0;
    if (sscanf(from, ") from %d:%d:%d.%d to %d:%d:%d.%d; the last: %n", &fh, &fm, &fs, &fms, &th,
               &tm, &ts, &tms, &used) < 8 ||
        used == 0)
        return false;
    fd->from = t - fmod(wall - (fh * 3600.0 + fm * 60.0 + fs + fms / 1000.0) + 86400, 86400);
    fd->to = t - fmod(wall - (th * 3600.0 + tm * 60.0 + ts + tms / 1000.0) + 86400, 86400);
    fd->last = from + used;
    return true;
}

/* Down periods from timeline.log: "HH:MM:SS.mmm who LEVEL message", a period
 * opening at "who ERROR CRASH: ..." and closing at "who INFO restarted" (or
 * at the end of the run). A service crashing more than the timeline's burst
 * a minute has crashes folded (run.c): "... N similar lines folded (CRASH)
 * from A to B; ..." marks it down from A to B, since it spent that span
 * crashing and restarting, and a fold of its "restarted" lines that ends
 * later stretches that period to its last restart. The clock wraps at
 * midnight; lines are in time order, so each wrap adds a day. */
static int read_timeline(struct variant *v)
{
    char *path = join(v->dir, "timeline.log");
    FILE *f = fopen(path, "r");
    free(path);
    if (!f) return 0; /* the plots lose their down strips, nothing else */
    char *line = NULL, *msg_end;
    size_t cap = 0;
    double origin = v->clock0 >= 0 ? v->clock0 : 0, day = 0, last = 0;
    while (getline(&line, &cap, f) > 0) {
        int h, m, sec, ms, nread = 0;
        char who[256], level[16];
        if (sscanf(line, "%d:%d:%d.%d %255s %15s %n", &h, &m, &sec, &ms, who, level, &nread) < 6 ||
            nread == 0)
            continue;
        double wall = h * 3600.0 + m * 60.0 + sec + ms / 1000.0;
        double t = wall - origin + day;
        if (t < 0) {
            day += 86400;
            t += 86400;
        }
        while (t < last - 1e-6) {
            day += 86400;
            t += 86400;
        }
        last = t;
        const char *msg = line + nread;
        msg_end = strchr(msg, '\n');
        if (msg_end) *msg_end = 0;
        struct series *s = find_series(v, who);
        struct folded fd;
        if (parse_fold(msg, t, wall, &fd)) {
            /* A breaker's fold: a dot for its last transition, a count of the
             * others. */
            struct breaker_series *b = breaker_mark(v, who, fd.last, fd.to);
            if (b) b->folded += fd.n - 1;
            if (s && s->ndown && fd.klen == 9 && strncmp(fd.kind, "restarted", 9) == 0) {
                /* Its crashes were folded too: the last one ended with the last
                 * restart. */
                struct span *d = &s->down[s->ndown - 1];
                if (d->to >= fd.from && d->to < fd.to) d->to = fd.to;
            }
            if (!s || fd.klen != 5 || strncmp(fd.kind, "CRASH", 5) != 0) continue;
            s->down = sim_xgrow(s->down, &s->capdown, s->ndown + 1, sizeof *s->down);
            s->down[s->ndown++] = (struct span){fd.from, fd.to};
            if (s->ndown > 1 && isnan(s->down[s->ndown - 2].to)) {
                /* An open period stays the last one, so a "restarted" closes it. */
                struct span open = s->down[s->ndown - 2];
                s->down[s->ndown - 2] = s->down[s->ndown - 1];
                s->down[s->ndown - 1] = open;
            }
            continue;
        }
        breaker_mark(v, who, msg, t);
        if (!s) continue;
        if (strncmp(msg, "CRASH:", 6) == 0) {
            if (s->ndown && isnan(s->down[s->ndown - 1].to)) continue;
            s->down = sim_xgrow(s->down, &s->capdown, s->ndown + 1, sizeof *s->down);
            s->down[s->ndown++] = (struct span){t, (double)NAN};
        } else if (strncmp(msg, "restarted", 9) == 0 && s->ndown &&
                   isnan(s->down[s->ndown - 1].to)) {
            s->down[s->ndown - 1].to = t;
        }
    }
    free(line);
    fclose(f);
    for (int i = 0; i < v->nsvc; i++)
        if (v->svc[i].ndown && isnan(v->svc[i].down[v->svc[i].ndown - 1].to))
            v->svc[i].down[v->svc[i].ndown - 1].to = v->duration;
    return 0;
}

/* Files `domino plot` draws from breakers.csv, or left by an earlier run of a
 * configuration that had breakers. */
static const char *const breaker_files[] = {"breakers.dat", "breakersinfo.gp", "breakers.png",
                                            "breakers.svg"};

static struct breaker_series *find_breaker(struct variant *v, const char *name)
{
    for (int i = 0; i < v->nbrk; i++)
        if (strcmp(v->brk[i].name, name) == 0) return &v->brk[i];
    v->brk = sim_xrealloc(v->brk, (size_t)(v->nbrk + 1) * sizeof *v->brk);
    struct breaker_series *b = &v->brk[v->nbrk++];
    *b = (struct breaker_series){.name = sim_xstrdup(name)};
    /* "who -> dependency (policy)": the dependency is a service whose down
     * periods explain the breaker's. */
    const char *arrow = strstr(name, " -> ");
    if (arrow) {
        const char *dep = arrow + 4;
        size_t n = strcspn(dep, " ");
        for (int i = 0; i < v->nsvc; i++)
            if (strlen(v->svc[i].name) == n && strncmp(v->svc[i].name, dep, n) == 0)
                b->callee = i + 1;
    }
    return b;
}

/* breakers.csv: `t_s,breaker,state`, the breaker's name quoted CSV-style when
 * it needs to be. Absent when the variant has no breaker: then the files an
 * earlier breakers plot left are removed, so none outlives its data. */
static void remove_breaker_files(const struct variant *v)
{
    for (size_t k = 0; k < sizeof breaker_files / sizeof *breaker_files; k++) {
        char *stale = join(v->dir, breaker_files[k]);
        remove(stale);
        free(stale);
    }
}

static int read_breakers(struct variant *v)
{
    char *path = join(v->dir, "breakers.csv");
    FILE *f = fopen(path, "r");
    if (!f) {
        int status = errno == ENOENT ? 0 : bad_input(path, 0, strerror(errno));
        free(path);
        if (status == 0) remove_breaker_files(v);
        return status;
    }
    char *line = NULL, *name = NULL;
    size_t cap = 0;
    long lineno = 0;
    int status = 0;
    while (status == 0 && getline(&line, &cap, f) > 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (lineno == 1) {
            if (strcmp(line, "t_s,breaker,state") != 0)
                status = bad_input(path, 1, "not the header of domino's breakers.csv");
            continue;
        }
        char *p = strchr(line, ','), *end;
        bool ok = p != NULL;
        double t = ok ? strtod(line, &end) : 0;
        ok = ok && end == p;
        /* The name: up to the next comma, or a quoted field ("" is a quote). */
        free(name);
        name = sim_xmalloc(strlen(line) + 1);
        size_t n = 0;
        if (ok && p[1] == '"') {
            for (p += 2; *p && !(*p == '"' && p[1] != '"'); p++) {
                if (*p == '"') p++;
                name[n++] = *p;
            }
            ok = *p == '"';
            p += ok;
        } else if (ok) {
            for (p++; *p && *p != ','; p++)
                name[n++] = *p;
        }
        name[n] = 0;
        ok = ok && *p == ',' && n > 0;
        long state = ok ? strtol(p + 1, &end, 10) : -1;
        ok = ok && end != p + 1 && !*end && state >= 0 && state <= 2;
        if (!ok) {
            status = bad_input(path, lineno, "expected `t_s,breaker,state`, state 0, 1 or 2");
            break;
        }
        struct breaker_series *b = find_breaker(v, name);
        b->rows = sim_xgrow(b->rows, &b->cap, b->n + 1, sizeof *b->rows);
        b->rows[b->n].t = t;
        b->rows[b->n++].state = (int)state;
        b->nstate[state]++;
    }
    free(name);
    free(line);
    fclose(f);
    free(path);
    if (status == 0 && v->nbrk == 0) remove_breaker_files(v); /* a run shorter than a sample */
    return status;
}

static bool fill_breakers_dat(void *ctx, FILE *f)
{
    const struct variant *v = ctx;
    fputs("# breakers.dat - written by `domino plot` from breakers.csv: one block per\n"
          "# breaker in breakersinfo.gp's order (select with `index`), blocks separated\n"
          "# by two blank lines; each starts closed at t = 0, as every breaker does.\n"
          "# Then as many blocks again: each breaker's transitions in timeline.log, at\n"
          "# their exact times (a fold of the timeline leaves some out).\n"
          "# t_s state (0 closed, 1 half-open, 2 open)\n",
          f);
    for (int i = 0; i < v->nbrk; i++) {
        const struct breaker_series *b = &v->brk[i];
        fprintf(f, "%s# breaker %d: %s\n0 0\n", i ? "\n\n" : "", i + 1, b->name);
        for (size_t r = 0; r < b->n; r++)
            fprintf(f, "%.3f %d\n", b->rows[r].t, b->rows[r].state);
    }
    for (int i = 0; i < v->nbrk; i++) {
        const struct breaker_series *b = &v->brk[i];
        fprintf(f, "\n\n# transitions of breaker %d: %s\n", i + 1, b->name);
        /* An empty block would merge with the separators and shift `index`. */
        if (b->nmarks == 0) fputs("NaN NaN\n", f);
        for (size_t r = 0; r < b->nmarks; r++)
            fprintf(f, "%.3f %d\n", b->marks[r].t, b->marks[r].state);
    }
    return true;
}

static bool fill_breakers_info(void *ctx, FILE *f)
{
    const struct variant *v = ctx;
    fputs("# breakersinfo.gp - written by `domino plot` for plots/breakers.gp: per\n"
          "# breaker (numbered as the blocks of breakers.dat), its name, its dependency's\n"
          "# service number in plotinfo.gp's `services` (0: not a service), the share of\n"
          "# samples (%) that found it half-open and open, how many of its\n"
          "# transitions the timeline folded that breakers.dat has no dot for (it has\n"
          "# the last of each fold), and how many dots it has.\n",
          f);
    fprintf(f, "nbreakers = %d\n", v->nbrk);
    for (int i = 0; i < v->nbrk; i++) {
        const struct breaker_series *b = &v->brk[i];
        double n = b->n ? (double)b->n : 1;
        fprintf(f, "breaker_%d = ", i + 1);
        plot_gp_quote(f, b->name);
        fprintf(f,
                "\nbreaker_svc_%d = %d\nbreaker_half_%d = %.1f\nbreaker_open_%d = %.1f\n"
                "breaker_folded_%d = %llu\nbreaker_marks_%d = %zu\n",
                i + 1, b->callee, i + 1, 100.0 * (double)b->nstate[1] / n, i + 1,
                100.0 * (double)b->nstate[2] / n, i + 1, b->folded, i + 1, b->nmarks);
    }
    return true;
}

/* ---- series.dat and series.gp ---------------------------------------------- */

static void put_num(FILE *f, const char *fmt, double x)
{
    if (isnan(x))
        fputs(" NaN", f);
    else
        fprintf(f, fmt, x);
}

static bool fill_series_dat(void *ctx, FILE *f)
{
    const struct variant *v = ctx;
    fputs("# series.dat - written by `domino plot` from timeseries.csv: one block per\n"
          "# service in plotinfo.gp's order (select with `index`), blocks separated by\n"
          "# two blank lines. p50/p99 are NaN in intervals where nothing completed.\n"
          "# t_s busy blocked queue arrivals completions failures rejections p50_ms p99_ms "
          "pool_in_use breaker_open\n",
          f);
    for (int i = 0; i < v->nsvc; i++) {
        const struct series *s = &v->svc[i];
        fprintf(f, "%s# service %d: %s\n", i ? "\n\n" : "", i + 1, s->name);
        /* An empty block would merge with the separators and shift every
         * later `index`: give it one row that draws nothing. */
        if (s->n == 0) fputs("0 NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN NaN\n", f);
        for (size_t r = 0; r < s->n; r++) {
            const struct row *row = &s->rows[r];
            fprintf(f, "%.3f", row->t);
            for (int k = 0; k < NCOLS; k++)
                put_num(f, k == C_P50 || k == C_P99 ? " %.3f" : " %.0f", row->v[k]);
            fputc('\n', f);
        }
    }
    return true;
}

static bool fill_series_gp(void *ctx, FILE *f)
{
    const struct variant *v = ctx;
    fputs("# series.gp - written by `domino plot`: per service (numbered as in\n"
          "# plotinfo.gp's `services`), its down periods in seconds (timeline.log: a\n"
          "# CRASH to \"restarted\", or to the end of the run) and the extremes of\n"
          "# series.dat (lat_*: over p50 and p99; NaN when nothing completed).\n",
          f);
    bool any = false;
    for (int i = 0; i < v->nsvc; i++)
        any = any || v->svc[i].ndown > 0;
    fprintf(f, "down_any = %d\n", any);
    for (int i = 0; i < v->nsvc; i++) {
        const struct series *s = &v->svc[i];
        fprintf(f, "# %s\ndown_n_%d = %zu\n", s->name, i + 1, s->ndown);
        for (size_t k = 0; k < s->ndown; k++)
            fprintf(f, "down_from_%d_%zu = %.3f\ndown_to_%d_%zu = %.3f\n", i + 1, k + 1,
                    s->down[k].from, i + 1, k + 1, s->down[k].to);
        fprintf(f, "queue_max_%d = %.0f\npool_max_%d = %.0f\n", i + 1, s->queue_max, i + 1,
                s->pool_max);
        fprintf(f, "lat_min_%d =", i + 1);
        put_num(f, " %.3f", s->lat_min);
        fprintf(f, "\nlat_max_%d =", i + 1);
        put_num(f, " %.3f", s->lat_max);
        fputc('\n', f);
    }
    return true;
}

/* Writes dir/dat and dir/gp; false (with a message) on failure. */
static bool write_pair(struct variant *v, const char *dat_name, bool (*fill_dat)(void *, FILE *),
                       const char *gp_name, bool (*fill_gp)(void *, FILE *))
{
    char *dat = join(v->dir, dat_name), *gp = join(v->dir, gp_name);
    bool dat_ok = run_write_file(dat, fill_dat, v);
    bool ok = dat_ok && run_write_file(gp, fill_gp, v);
    if (!ok) fprintf(stderr, "domino: cannot write %s: %s\n", dat_ok ? gp : dat, strerror(errno));
    free(dat);
    free(gp);
    return ok;
}

static int prepare_variant(struct variant *v)
{
    int status = read_info(v);
    if (status == 0) status = read_series(v);
    if (status == 0) status = read_breakers(v);
    if (status == 0) status = read_timeline(v); /* after breakers: marks their transitions */
    if (status) return status;
    bool ok = write_pair(v, "series.dat", fill_series_dat, "series.gp", fill_series_gp);
    if (ok && v->nbrk > 0)
        ok =
            write_pair(v, "breakers.dat", fill_breakers_dat, "breakersinfo.gp", fill_breakers_info);
    return ok ? 0 : 1;
}

/* ---- compare: success rate and p99 per load source, from summary.json ----- */

struct compare {
    char **loads;
    int nloads;
    double *success, *p99; /* [variant * nloads + load]: NaN when absent */
    int nvariants;
    int replications;
};

static int load_index(struct compare *c, const char *name, bool add)
{
    for (int i = 0; i < c->nloads; i++)
        if (strcmp(c->loads[i], name) == 0) return i;
    if (!add) return -1;
    c->loads = sim_xrealloc(c->loads, (size_t)(c->nloads + 1) * sizeof *c->loads);
    c->loads[c->nloads] = sim_xstrdup(name);
    return c->nloads++;
}

/* One summary.json, read by indentation: a line "<2d spaces>"key": value" is
 * at depth d, so the path of every key is known without parsing braces. With
 * replications every number is an object whose "mean" is taken. Pass 0 only
 * collects load names (so every variant's row has the same columns). */
static int read_summary(struct compare *c, const struct variant *v, int vi, bool collect)
{
    char *path = join(v->dir, "summary.json");
    FILE *f = fopen(path, "r");
    if (!f) {
        int status = bad_input(path, 0, strerror(errno));
        free(path);
        return status;
    }
    free(path);
    char *line = NULL;
    size_t cap = 0;
    char keys[8][128] = {{0}};
    while (getline(&line, &cap, f) > 0) {
        size_t indent = strspn(line, " ");
        char *p = line + indent;
        if (*p != '"' || indent % 2 || indent / 2 > 6) continue;
        int depth = (int)(indent / 2);
        char *end = strchr(p + 1, '"');
        if (!end || strncmp(end, "\": ", 3) != 0) continue;
        *end = 0;
        snprintf(keys[depth], sizeof keys[depth], "%s", p + 1);
        const char *val = end + 3;
        if (depth == 1 && strcmp(keys[1], "replications") == 0) c->replications = atoi(val);
        if (depth < 2 || strcmp(keys[1], "load") != 0) continue;
        if (depth == 2 && collect) load_index(c, keys[2], true);
        if (collect || *val == '{') continue;
        /* Leaves: load.L.success_rate[.mean], load.L.latency_ms.p99[.mean]. */
        bool mean = false;
        int d = depth;
        if (strcmp(keys[d], "mean") == 0) {
            mean = true;
            d--;
        }
        double *slot = NULL;
        int li = load_index(c, keys[2], false);
        if (li < 0) continue;
        if (d == 3 && strcmp(keys[3], "success_rate") == 0)
            slot = &c->success[vi * c->nloads + li];
        else if (d == 4 && strcmp(keys[3], "latency_ms") == 0 && strcmp(keys[4], "p99") == 0)
            slot = &c->p99[vi * c->nloads + li];
        if (!slot || (mean && depth != d + 1)) continue;
        *slot = strncmp(val, "null", 4) == 0 ? (double)NAN : strtod(val, NULL);
        if (slot == &c->success[vi * c->nloads + li]) *slot *= 100; /* percent */
    }
    free(line);
    fclose(f);
    return 0;
}

struct compare_out {
    const struct compare *c;
    const struct variant *v;
};

static bool fill_compare_dat(void *ctx, FILE *f)
{
    const struct compare_out *o = ctx;
    const struct compare *c = o->c;
    fputs("# compare.dat - written by `domino plot` from each variant's summary.json:\n"
          "# one row per load source; per variant (compareinfo.gp's order) its success\n"
          "# rate (%) and p99 latency (ms; every outcome the end user saw). NaN: absent.\n"
          "# load",
          f);
    for (int j = 0; j < c->nvariants; j++)
        fprintf(f, " %s:success_pct %s:p99_ms", o->v[j].name, o->v[j].name);
    fputc('\n', f);
    for (int i = 0; i < c->nloads; i++) {
        fputs(c->loads[i], f);
        for (int j = 0; j < c->nvariants; j++) {
            put_num(f, " %.4f", c->success[j * c->nloads + i]);
            put_num(f, " %.4f", c->p99[j * c->nloads + i]);
        }
        fputc('\n', f);
    }
    return true;
}

static bool fill_compare_info(void *ctx, FILE *f)
{
    const struct compare_out *o = ctx;
    const struct compare *c = o->c;
    fputs("# compareinfo.gp - written by `domino plot` for plots/compare.gp: the\n"
          "# columns of compare.dat and the range of its p99 values (ms).\n",
          f);
    fputs("scenario = ", f);
    plot_gp_quote(f, o->v[0].scenario);
    fputs("\nvariants = \"", f);
    for (int j = 0; j < c->nvariants; j++)
        fprintf(f, "%s%s", j ? " " : "", o->v[j].name);
    fputs("\"\nloads = \"", f);
    for (int i = 0; i < c->nloads; i++)
        fprintf(f, "%s%s", i ? " " : "", c->loads[i]);
    double lo = (double)NAN, hi = (double)NAN;
    for (int k = 0; k < c->nloads * c->nvariants; k++)
        if (c->p99[k] > 0) {
            if (!(c->p99[k] >= lo)) lo = c->p99[k];
            if (!(c->p99[k] <= hi)) hi = c->p99[k];
        }
    fprintf(f, "\"\nreplications = %d\np99_min =", c->replications);
    put_num(f, " %.4f", lo);
    fputs("\np99_max =", f);
    put_num(f, " %.4f", hi);
    fputc('\n', f);
    return true;
}

/* ---- finding and running gnuplot ------------------------------------------ */

static bool has_common(const char *dir)
{
    char *path = join(dir, "common.gp");
    bool ok = access(path, R_OK) == 0;
    free(path);
    return ok;
}

/* The running binary's path: /proc/self/exe (symlinks resolved, so an
 * installed link still finds the repository), else argv[0] when it names a
 * path. NULL when neither does. */
static char *exe_path(const char *argv0)
{
    for (size_t cap = 256; cap <= ((size_t)1 << 20); cap *= 2) {
        char *buf = sim_xmalloc(cap);
        ssize_t n = readlink("/proc/self/exe", buf, cap);
        if (n < 0) {
            free(buf);
            break;
        }
        if ((size_t)n < cap) {
            buf[n] = 0;
            return buf;
        }
        free(buf);
    }
    return argv0 && strchr(argv0, '/') ? sim_xstrdup(argv0) : NULL;
}

char *plot_find_scripts(const char *argv0)
{
    const char *env = getenv("DOMINO_PLOTS");
    if (env && *env) {
        if (has_common(env)) return sim_xstrdup(env);
        fprintf(stderr, "domino: DOMINO_PLOTS=%s holds no common.gp\n", env);
        return NULL;
    }
    char *exe = exe_path(argv0);
    if (exe) {
        /* Parents by appending "/..": works for relative paths too. */
        char *slash = strrchr(exe, '/');
        *slash = 0;
        size_t n = strlen(exe) + 5 * 3 + 8;
        char *cand = sim_xmalloc(n);
        snprintf(cand, n, "%s", *exe ? exe : "/");
        for (int up = 0; up < 5; up++) {
            size_t len = strlen(cand);
            snprintf(cand + len, n - len, "/plots");
            if (has_common(cand)) {
                free(exe);
                return cand;
            }
            snprintf(cand + len, n - len, "/..");
        }
        free(cand);
        free(exe);
    }
    if (has_common("plots")) return sim_xstrdup("plots");
    fprintf(stderr, "domino: cannot find the plot scripts (plots/common.gp) near the domino "
                    "binary; set DOMINO_PLOTS to the repository's plots/ folder\n");
    return NULL;
}

/* Runs `gnuplot -e "dir='DIR'" SCRIPT` and waits for it. No shell: DIR goes
 * to gnuplot as one argument, quoted for gnuplot's own string syntax. A
 * close-on-exec pipe tells the parent whether exec itself failed (and why),
 * which an exit status alone cannot. */
enum plot_gp plot_run_script(const char *plots, const char *script, const char *dir)
{
    char file[64];
    snprintf(file, sizeof file, "%s.gp", script);
    char *script_path = join(plots, file);
    char *expr = NULL;
    size_t expr_len;
    enum plot_gp result = PLOT_GP_FAILED;
    FILE *ef = open_memstream(&expr, &expr_len);
    if (ef) {
        fputs("dir=", ef);
        plot_gp_quote(ef, dir);
    }
    if (!ef || fclose(ef) != 0) { /* expr is set by fclose */
        fprintf(stderr, "domino: %s\n", strerror(errno));
        goto out;
    }
    char prog[] = "gnuplot", opt_e[] = "-e";
    char *argv[] = {prog, opt_e, expr, script_path, NULL};
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "domino: pipe: %s\n", strerror(errno));
        goto out;
    }
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    fflush(NULL); /* or the child's copy of buffered output prints twice */
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "domino: fork: %s\n", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        goto out;
    }
    if (pid == 0) {
        close(fds[0]);
        execvp(argv[0], argv);
        int err = errno;
        ssize_t w = write(fds[1], &err, sizeof err);
        (void)w;
        _exit(127);
    }
    close(fds[1]);
    int err = 0;
    ssize_t got;
    do
        got = read(fds[0], &err, sizeof err);
    while (got < 0 && errno == EINTR);
    close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (got == (ssize_t)sizeof err) {
        if (err == ENOENT)
            result = PLOT_GP_MISSING;
        else
            fprintf(stderr, "domino: cannot run gnuplot: %s\n", strerror(err));
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "domino: gnuplot failed on %s for %s\n", script_path, dir);
    } else {
        result = PLOT_GP_OK;
    }
out:
    free(expr);
    free(script_path);
    return result;
}

/* ---- the command ------------------------------------------------------------ */

static int by_order(const void *a, const void *b)
{
    const struct variant *x = a, *y = b;
    if (x->order != y->order) return x->order < y->order ? -1 : 1;
    return strcmp(x->name, y->name);
}

static bool is_file(const char *dir, const char *name)
{
    char *path = join(dir, name);
    struct stat st;
    bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return ok;
}

static int not_results(const char *dir, const char *why)
{
    fprintf(stderr,
            "domino: error: %s is not a results folder (%s): expected OUT/<scenario>, "
            "holding the <variant>/timeseries.csv that `domino run` writes\n",
            dir, why);
    return 2;
}

/* The variant folders of `dir`: subfolders holding a timeseries.csv. */
static int list_variants(const char *dir, struct variant **out, int *nout)
{
    DIR *d = opendir(dir);
    if (!d) return not_results(dir, strerror(errno));
    struct variant *v = NULL;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *sub = join(dir, e->d_name);
        if (!is_file(sub, "timeseries.csv")) {
            free(sub);
            continue;
        }
        v = sim_xrealloc(v, (size_t)(n + 1) * sizeof *v);
        v[n++] = (struct variant){.name = sim_xstrdup(e->d_name), .dir = sub};
    }
    closedir(d);
    *out = v;
    *nout = n;
    if (n == 0) return not_results(dir, "no <variant>/timeseries.csv in it");
    return 0;
}

static int write_compare(const char *dir, struct variant *v, int nv)
{
    struct compare c = {.nvariants = nv, .replications = 1};
    int status = 0;
    for (int j = 0; j < nv && status == 0; j++)
        status = read_summary(&c, &v[j], j, true);
    size_t cells = (size_t)c.nloads * (size_t)nv;
    c.success = sim_xmalloc((cells ? cells : 1) * sizeof *c.success);
    c.p99 = sim_xmalloc((cells ? cells : 1) * sizeof *c.p99);
    for (size_t k = 0; k < cells; k++)
        c.success[k] = c.p99[k] = (double)NAN;
    for (int j = 0; j < nv && status == 0; j++)
        status = read_summary(&c, &v[j], j, false);
    if (status == 0) {
        struct compare_out o = {&c, v};
        char *dat = join(dir, "compare.dat"), *gp = join(dir, "compareinfo.gp");
        bool dat_ok = run_write_file(dat, fill_compare_dat, &o);
        if (!dat_ok || !run_write_file(gp, fill_compare_info, &o)) {
            fprintf(stderr, "domino: cannot write %s: %s\n", dat_ok ? gp : dat, strerror(errno));
            status = 1;
        }
        free(dat);
        free(gp);
    }
    for (int i = 0; i < c.nloads; i++)
        free(c.loads[i]);
    free(c.loads);
    free(c.success);
    free(c.p99);
    return status;
}

/* Runs every script; stops at the first sign that gnuplot is missing, as every
 * later run would say the same. */
static int render(const char *plots, const char *dir, const struct variant *v, int nv, bool quiet)
{
    int status = 0;
    for (int j = 0; j <= nv; j++) {
        bool cmp = j == nv; /* the scenario's compare plot comes last */
        int nscripts = cmp ? 1 : NVARIANT_PLOTS - (v[j].nbrk == 0);
        bool all = true;
        for (int k = 0; k < nscripts; k++) {
            enum plot_gp r =
                plot_run_script(plots, cmp ? "compare" : variant_plots[k], cmp ? dir : v[j].dir);
            if (r == PLOT_GP_MISSING) {
                fputs("domino: gnuplot not found; install gnuplot-nox\n", stderr);
                return 1;
            }
            if (r != PLOT_GP_OK) {
                status = 1;
                all = false;
            }
        }
        if (quiet || !all) continue;
        if (cmp)
            printf("compare (.png, .svg) in %s/\n", dir);
        else
            printf("%s: latency, threads, queues%s (.png, .svg) in %s/\n", v[j].name,
                   v[j].nbrk > 0 ? ", breakers" : "", v[j].dir);
    }
    return status;
}

int plot_main(int argc, char **argv, const char *argv0)
{
    const char *dir = NULL;
    bool quiet = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "domino: error: unknown option %s\n(see `domino plot --help`)\n",
                    argv[i]);
            return 2;
        } else if (!dir) {
            dir = argv[i];
        } else {
            fprintf(stderr,
                    "domino: error: unexpected argument \"%s\"\n(see `domino plot "
                    "--help`)\n",
                    argv[i]);
            return 2;
        }
    }
    if (!dir) {
        fputs("domino: error: missing DIR, the results of one scenario (OUT/<scenario>)\n"
              "(see `domino plot --help`)\n",
              stderr);
        return 2;
    }
    /* A trailing slash would double in every path printed. */
    char *root = sim_xstrdup(dir);
    for (size_t n = strlen(root); n > 1 && root[n - 1] == '/'; n--)
        root[n - 1] = 0;
    if (is_file(root, "timeseries.csv")) {
        const char *slash = strrchr(root, '/');
        int len = slash ? (int)(slash - root) : 1;
        fprintf(stderr,
                "domino: error: %s is one variant's folder; give its scenario folder, %.*s, "
                "which holds every variant\n",
                root, slash == root ? 1 : len, slash ? root : ".");
        free(root);
        return 2;
    }
    struct variant *v = NULL;
    int nv = 0;
    int status = list_variants(root, &v, &nv);
    for (int j = 0; j < nv && status == 0; j++)
        status = prepare_variant(&v[j]);
    if (status == 0) {
        qsort(v, (size_t)nv, sizeof *v, by_order);
        status = write_compare(root, v, nv);
    }
    if (status == 0) {
        char *plots = plot_find_scripts(argv0);
        status = plots ? render(plots, root, v, nv, quiet) : 1;
        free(plots);
    }
    for (int j = 0; j < nv; j++)
        variant_free(&v[j]);
    free(v);
    free(root);
    return status;
}
