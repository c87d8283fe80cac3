/* saga.c - saga instances, orchestration, choreography tracking and the
 * ledger's verdict (see saga.h for the state machine). */
#include "models/saga.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/bus.h"
#include "models/call.h"
#include "models/ledger.h"
#include "sim/kernel/sim_assert.h"
#include "sim/kernel/sim_mem.h"
#include "sim/kernel/sim_trace.h"

/* The transitions of saga.h's table, checked after each one. */
static void check(const struct saga_inst *i, enum saga_state from)
{
    enum saga_state to = i->state;
    bool ok;
    switch (from) {
    case SAGA_RUNNING:
        ok = to == SAGA_RUNNING || to == SAGA_COMPLETED || to == SAGA_FAILED ||
             (to == SAGA_COMPENSATING && i->saga->cfg) || (to == SAGA_STUCK && i->saga->chor);
        break;
    case SAGA_COMPENSATING:
        ok = to == SAGA_COMPENSATING || to == SAGA_FAILED || to == SAGA_STUCK;
        break;
    default:
        ok = false; /* decided states are final */
        break;
    }
    SIM_ASSERT(ok);
}

static int neffects(const struct world *w)
{
    return w->cfg->neffects;
}

static bool decided(const struct saga_inst *i)
{
    return i->state == SAGA_COMPLETED || i->state == SAGA_FAILED || i->state == SAGA_STUCK;
}

/* ---- building ------------------------------------------------------------------ */

static void init_saga(struct world *w, struct saga *s, const char *name,
                      const struct rate_point *rates, int nrates)
{
    char stream[300];
    snprintf(stream, sizeof stream, "saga/%s/arrivals", name);
    s->world = w;
    s->name = name;
    arr_init(&s->arr, rates, nrates, false, sim_rng_stream(w->sim, stream));
    memset(&s->m, 0, sizeof s->m);
    sim_hist_init(&s->m.duration);
    win_init(&s->outcomes, SIM_S, (int)(SAGA_STORM_WINDOW / SIM_S));
}

void saga_build(struct world *w)
{
    const struct world_config *cfg = w->cfg;
    w->nsagas = cfg->nsagas + cfg->nchoreographies;
    w->sagas = sim_xcalloc((size_t)w->nsagas + 1, sizeof *w->sagas);
    sim_pool_init(&w->insts,
                  sizeof(struct saga_inst) + (size_t)LEDGER_CELLS(cfg->neffects) * sizeof(int16_t));
    sim_list_init(&w->live);
    for (int k = 0; k < cfg->nsagas; k++) {
        const struct saga_config *sc = &cfg->sagas[k];
        struct saga *s = &w->sagas[k];
        init_saga(w, s, sc->name, sc->rates, sc->nrates);
        s->cfg = sc;
        s->steps = sim_xcalloc((size_t)sc->nsteps + 1, sizeof *s->steps);
        s->comps = sim_xcalloc((size_t)sc->nsteps + 1, sizeof *s->comps);
        for (int j = 0; j < sc->nsteps; j++) {
            s->steps[j] = world_site(w, sc->name, &sc->steps[j].call, true);
            if (sc->steps[j].has_compensate)
                s->comps[j] = world_site(w, sc->name, &sc->steps[j].compensate, true);
        }
    }
    for (int k = 0; k < cfg->nchoreographies; k++) {
        const struct choreography_config *cc = &cfg->choreographies[k];
        struct saga *s = &w->sagas[cfg->nsagas + k];
        init_saga(w, s, cc->name, cc->rates, cc->nrates);
        s->chor = cc;
        s->terminal = sim_xcalloc((size_t)cfg->nevents + 1, sizeof *s->terminal);
        for (int j = 0; j < cc->nfailed; j++)
            s->terminal[cc->failed_on[j]] = 2;
        for (int j = 0; j < cc->ncompleted; j++)
            s->terminal[cc->completed_on[j]] = 1;
    }
}

void saga_destroy(struct world *w)
{
    for (int k = 0; k < w->nsagas; k++) {
        struct saga *s = &w->sagas[k];
        arr_fini(&s->arr);
        win_fini(&s->outcomes);
        free(s->steps);
        free(s->comps);
        free(s->terminal);
    }
    free(w->sagas);
    sim_pool_fini(&w->insts);
}

/* ---- the verdict -------------------------------------------------------------------- */

/* Counts the verdict of a decided instance (see saga.h) and explains an
 * inconsistent one in the timeline. */
static void judge(struct saga_inst *i)
{
    struct saga *s = i->saga;
    const struct world *w = s->world;
    int left = ledger_left(i->ledger, neffects(w));
    bool stuck = i->state == SAGA_STUCK, failed = i->state == SAGA_FAILED;
    SIM_ASSERT(decided(i));
    /* SCENARIO.md: failed or stuck with effects left, or an effect applied
     * twice, is inconsistent whatever else holds. */
    bool bad = i->dups > 0 || ((failed || stuck) && left > 0);
    if (i->counted) {
        s->m.duplicates += i->dups;
        if (bad)
            s->m.inconsistent++;
        else if (stuck)
            s->m.stuck++;
        else if (failed)
            s->m.compensated++;
        else
            s->m.completed++;
    }
    if (!bad || !sim_trace_enabled(w->sim)) return;
    if ((failed || stuck) && left > 0)
        sim_trace(w->sim, SIM_TRACE_WARN, s->name,
                  "inconsistent saga %llu: %s left in place after it %s", (unsigned long long)i->id,
                  w->cfg->effects[ledger_first(i->ledger, neffects(w))],
                  failed ? "failed" : "got stuck");
    else
        sim_trace(w->sim, SIM_TRACE_WARN, s->name,
                  "inconsistent saga %llu: %s with %u effect(s) applied twice",
                  (unsigned long long)i->id,
                  failed  ? "failed"
                  : stuck ? "stuck"
                          : "completed",
                  i->dups);
}

static void release(struct saga_inst *i)
{
    judge(i);
    sim_list_remove(&i->link);
    sim_pool_put(&i->saga->world->insts, i);
}

void saga_ref(struct saga_inst *i)
{
    i->refs++;
}

void saga_unref(struct saga_inst *i)
{
    SIM_ASSERT(i->refs > 0);
    if (--i->refs == 0) release(i);
}

/* The coordinator decides: the instance's duration ends here, and the
 * coordinator's own reference goes. */
static void decide(struct saga_inst *i, enum saga_state to)
{
    struct saga *s = i->saga;
    struct sim *sim = s->world->sim;
    enum saga_state from = i->state;
    i->state = to;
    check(i, from);
    if (i->timer) {
        sim_event_cancel(sim, i->timer);
        i->timer = 0;
    }
    if (i->counted) sim_hist_add(&s->m.duration, sim_now(sim) - i->started);
    if (to == SAGA_COMPLETED) win_add(&s->outcomes, sim_now(sim), 1, 1);
    saga_unref(i);
}

static void stuck(struct saga_inst *i, const char *why)
{
    struct saga *s = i->saga;
    if (sim_trace_enabled(s->world->sim))
        sim_trace(s->world->sim, SIM_TRACE_ERROR, s->name, "stuck saga %llu: %s",
                  (unsigned long long)i->id, why);
    decide(i, SAGA_STUCK);
}

/* ---- orchestration ------------------------------------------------------------------ */

static void call_site(struct saga_inst *i, struct site *site)
{
    call_start(call_create(i->saga->world, site, ORIGIN_SAGA, i));
}

/* Compensate step i->step and the completed ones before it, last first,
 * skipping steps that have nothing to compensate. */
static void compensate_next(struct saga_inst *i)
{
    struct saga *s = i->saga;
    while (i->step >= 0 && !s->comps[i->step])
        i->step--;
    if (i->step < 0) {
        decide(i, SAGA_FAILED);
        return;
    }
    if (i->counted) s->m.compensations++;
    call_site(i, s->comps[i->step]);
}

void saga_call_done(struct saga_inst *i, struct call *c, enum outcome o)
{
    struct saga *s = i->saga;
    const struct saga_config *sc = s->cfg;
    if (i->state == SAGA_RUNNING) {
        if (o == OUTCOME_OK) {
            if (++i->step == sc->nsteps) {
                decide(i, SAGA_COMPLETED);
                return;
            }
            call_site(i, s->steps[i->step]);
            return;
        }
        /* A step with a timed-out attempt (the last or an earlier one) may
         * have taken effect: compensate it too only when the saga says so
         * (its compensation must then cope with an effect that is not
         * there yet, or arrives later). */
        if (!(c->uncertain && sc->compensate_uncertain)) i->step--;
        i->state = SAGA_COMPENSATING;
        check(i, SAGA_RUNNING);
        win_add(&s->outcomes, sim_now(s->world->sim), 0, 1);
        compensate_next(i);
        return;
    }
    SIM_ASSERT(i->state == SAGA_COMPENSATING);
    if (o != OUTCOME_OK) {
        char why[300];
        const struct site *site = s->comps[i->step];
        snprintf(why, sizeof why, "compensation of %s (%s.%s) gave up: %s", sc->steps[i->step].name,
                 site->callee->cfg->name, site->callee_ep->cfg->name, outcome_name(o));
        stuck(i, why);
        return;
    }
    i->step--;
    compensate_next(i);
}

/* ---- choreography ------------------------------------------------------------------- */

static void on_timeout(struct sim *sim, void *subject, void *object)
{
    (void)sim;
    (void)object;
    struct saga_inst *i = subject;
    i->timer = 0;
    char why[120];
    snprintf(why, sizeof why, "no terminal event within %gs",
             sim_time_to_s(i->saga->chor->timeout));
    stuck(i, why);
}

void saga_event(struct saga_inst *i, int event)
{
    struct saga *s = i->saga;
    if (!s->chor || i->state != SAGA_RUNNING)
        return; /* orchestrated, or decided already: the first decision stands */
    switch (s->terminal[event]) {
    case 1:
        decide(i, SAGA_COMPLETED);
        break;
    case 2:
        win_add(&s->outcomes, sim_now(s->world->sim), 0, 1);
        decide(i, SAGA_FAILED);
        break;
    default:
        break;
    }
}

/* ---- participants ------------------------------------------------------------------- */

void saga_participant(struct req *r)
{
    struct saga_inst *i = r->corr;
    const struct endpoint_config *ec = r->ep->cfg;
    int n = neffects(r->svc->world);
    if (ec->effect >= 0 &&
        ledger_apply(i->ledger, n, ec->effect, ec->idempotent) == LEDGER_DUPLICATE)
        i->dups++;
    if (ec->undo >= 0) (void)ledger_undo(i->ledger, n, ec->undo, ec->commutative);
}

/* ---- starting ------------------------------------------------------------------------ */

static void on_start(struct sim *sim, void *subject, void *object)
{
    (void)object;
    struct saga *s = subject;
    struct world *w = s->world;
    sim_time now = sim_now(sim);
    sim_time next = arr_next(&s->arr, now);
    if (next != SIM_TIME_MAX) sim_event_at(sim, next, on_start, s, NULL);
    struct saga_inst *i = sim_pool_get(&w->insts);
    memset(i, 0, w->insts.size);
    i->saga = s;
    i->id = ++w->next_inst;
    i->refs = 1; /* the coordinator's */
    i->state = SAGA_RUNNING;
    i->counted = world_counts(w, now);
    i->started = now;
    sim_list_push_back(&w->live, &i->link);
    if (i->counted) s->m.started++;
    if (s->cfg) {
        call_site(i, s->steps[0]);
        return;
    }
    if (s->chor->timeout > 0)
        i->timer = sim_event_after(sim, s->chor->timeout, on_timeout, i, NULL);
    saga_ref(i); /* the start event may decide the instance at once */
    bus_publish(w, s->chor->start, i);
    saga_unref(i);
}

void saga_start(struct world *w)
{
    for (int k = 0; k < w->nsagas; k++) {
        struct saga *s = &w->sagas[k];
        sim_time first = arr_next(&s->arr, sim_now(w->sim));
        if (first != SIM_TIME_MAX) sim_event_at(w->sim, first, on_start, s, NULL);
    }
}

/* ---- storms and the end ------------------------------------------------------------ */

void saga_sample(struct saga *s)
{
    struct sim *sim = s->world->sim;
    sim_time now = sim_now(sim);
    int64_t failed = win_sum(&s->outcomes, now, 0), completed = win_sum(&s->outcomes, now, 1);
    switch (win_latch_check(&s->storm, failed > completed && failed >= SAGA_STORM_MIN, now,
                            SAGA_STORM_QUIET)) {
    case WIN_SAME:
        break;
    case WIN_RAISED:
        if (sim_trace_enabled(sim))
            sim_trace(
                sim, SIM_TRACE_WARN, s->name,
                "compensation storm: %lld instances failed vs %lld completed in the last %llds",
                (long long)failed, (long long)completed, (long long)(SAGA_STORM_WINDOW / SIM_S));
        break;
    case WIN_LOWERED:
        if (sim_trace_enabled(sim))
            sim_trace(sim, SIM_TRACE_INFO, s->name,
                      "compensation storm over: completions above failures for %llds",
                      (long long)(SAGA_STORM_QUIET / SIM_S));
        break;
    }
}

void saga_finish(struct world *w)
{
    /* Decided instances whose stragglers are still in flight are judged on
     * the ledger as it stands; undecided ones are still running. */
    for (struct sim_list *n = w->live.next; n != &w->live; n = n->next) {
        struct saga_inst *i = SIM_LIST_ENTRY(n, struct saga_inst, link);
        if (decided(i))
            judge(i);
        else if (i->counted)
            i->saga->m.running++;
    }
}
