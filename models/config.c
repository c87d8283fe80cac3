/* config.c - names of outcomes and freeing a world configuration. */
#include "models/config.h"

#include <stdlib.h>
#include <string.h>

static const char *const outcome_names[] = {
#define OUTCOME_NAME(n, s) s,
    OUTCOME_MAP(OUTCOME_NAME)
#undef OUTCOME_NAME
};

const char *outcome_name(enum outcome o)
{
    return (unsigned)o < OUTCOME_COUNT ? outcome_names[o] : "?";
}

int outcome_from_name(const char *name)
{
    for (int i = 0; i < OUTCOME_COUNT; i++)
        if (strcmp(outcome_names[i], name) == 0) return i;
    return -1;
}

static void step_fini(struct step_config *s)
{
    sim_dist_fini(&s->dist);
    free(s->calls);
}

void world_config_fini(struct world_config *c)
{
    for (int i = 0; i < c->nservices; i++) {
        struct service_config *s = &c->services[i];
        for (int p = 0; p < s->npools; p++)
            free(s->pools[p].name);
        for (int e = 0; e < s->nendpoints; e++) {
            struct endpoint_config *ep = &s->endpoints[e];
            for (int k = 0; k < ep->nsteps; k++)
                step_fini(&ep->steps[k]);
            free(ep->steps);
            free(ep->name);
        }
        free(s->pools);
        free(s->endpoints);
        free(s->name);
    }
    for (int i = 0; i < c->npolicies; i++) {
        sim_dist_fini(&c->policies[i].latency);
        free(c->policies[i].name);
    }
    for (int i = 0; i < c->nloads; i++) {
        free(c->loads[i].rates);
        free(c->loads[i].name);
    }
    for (int i = 0; i < c->nevents; i++)
        free(c->events[i]);
    for (int i = 0; i < c->neffects; i++)
        free(c->effects[i]);
    free(c->events);
    free(c->effects);
    sim_dist_fini(&c->bus.latency);
    free(c->subscriptions);
    for (int i = 0; i < c->nchoreographies; i++) {
        struct choreography_config *ch = &c->choreographies[i];
        free(ch->name);
        free(ch->rates);
        free(ch->completed_on);
        free(ch->failed_on);
    }
    free(c->choreographies);
    for (int i = 0; i < c->nsagas; i++) {
        struct saga_config *sg = &c->sagas[i];
        for (int k = 0; k < sg->nsteps; k++)
            free(sg->steps[k].name);
        free(sg->steps);
        free(sg->rates);
        free(sg->name);
    }
    free(c->sagas);
    for (int i = 0; i < c->nprojections; i++) {
        free(c->projections[i].name);
        free(c->projections[i].events);
        sim_dist_fini(&c->projections[i].read_after);
    }
    free(c->projections);
    sim_dist_fini(&c->latency);
    free(c->services);
    free(c->policies);
    free(c->loads);
    free(c->faults);
    free(c->name);
    memset(c, 0, sizeof *c);
}
