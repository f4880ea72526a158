/* triggers: what disturbs a run (L3): the configured trigger (a burst, a cache flush, an
 * apiserver restart) and the interventions of the timeline (set keys at once or as a ramp,
 * restart, flush), with the one table of keys an intervention may set and what each does to work
 * in flight (model_settables). Acts on the other actors through their functions in k8s.h;
 * includes k8s.h and L0-L2 headers only. */
#include "k8s.h"

#include "err.h"
#include "xmem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the trigger ---- */

static void cache_flush(world *w, enum flush_scope scope)
{
    if (scope != FLUSH_KUBELET)
        for (int k = 0; k < w->nservers; k++)
            server_flush_token_cache(&w->servers[k]);
    if (scope != FLUSH_APISERVER)
        kubelet_flush_cache(w);
}

/* Replica `which` goes down, or comes back; -1: every replica (the masters restarted). Its
 * clients moved to the other replicas when it went down (server_down) and stay there; those that
 * found no live replica reconnect when it is back: after a restart of every replica, every
 * connection is drawn anew. */
static void servers_down(world *w, int which)
{
    for (int k = 0; k < w->nservers; k++)
        if (which < 0 || k == which)
            server_down(&w->servers[k]);
}

static void servers_up(world *w, int which)
{
    for (int k = 0; k < w->nservers; k++)
        if (which < 0 || k == which)
            server_up(&w->servers[k]);
    replicas_move(w, which < 0);
}

static void ev_trigger_end(sim *e, void *obj, uint64_t arg)
{
    (void)e;
    (void)arg;
    world *w = obj;
    burst_stop(w);
    if (w->p->trigger.kind == TRIGGER_APISERVER_RESTART)
        servers_up(w, w->p->trigger.replica);
}

static void ev_trigger_start(sim *e, void *obj, uint64_t arg)
{
    (void)arg;
    world *w = obj;
    const params *p = w->p;
    switch (p->trigger.kind) {
    case TRIGGER_BURST:
        burst_start(w);
        break;
    case TRIGGER_CACHE_FLUSH:
        cache_flush(w, p->trigger.flush);
        break;
    case TRIGGER_APISERVER_RESTART:
        servers_down(w, p->trigger.replica);
        break;
    default:
        break;
    }
    if (p->trigger.duration_s > 0.0)
        sim_after(e, p->trigger.duration_s, ev_trigger_end, w, 0);
}

/* ---- interventions: the settable keys (one table; the config layer checks against it) ---- */

enum apply {
    A_NONE,   /* read where it is used: nothing to update */
    A_CAPS,   /* the admission caps */
    A_LOOKUP, /* whether GETs go through the limiter */
    A_RETRY,  /* the webhook retry policy */
    A_MS,     /* metrics-server on or off */
    A_SA,     /* the SA clients' rate */
    A_BG      /* the background rates */
};

static const struct settable {
    model_settable s;
    enum apply apply;
} settables[] = {
    {{"apiserver.max_mutating_requests_inflight", false,
      "admitted requests keep their slots; a lowered cap admits nothing until the pool is below "
      "it (in Kubernetes a flag change restarts the process: add an apiserver_restart for that)"},
     A_CAPS},
    {{"apiserver.max_requests_inflight", false, "as the mutating cap"}, A_CAPS},
    {{"apiserver.sa_lookup.mode", false,
      "validations already started finish as they began (reservations waiting in the loopback "
      "queue keep their place and wait it out); new validations use the new mode"},
     A_LOOKUP},
    {{"apiserver.sa_lookup.informer_miss", false, "new validations"}, A_NONE},
    {{"apiserver.sa_lookup.gets_per_validation", false, "new validations"}, A_NONE},
    {{"apiserver.token_cache.success_ttl", false,
      "results stored from now on; stored ones keep their expiry"},
     A_NONE},
    {{"apiserver.cpu.reject_cost", false, "429s from now on"}, A_NONE},
    {{"kubelet.webhook_cache_ttl", false, "reviews cached from now on"}, A_NONE},
    {{"kubelet.retry.attempts", false, "retry loops take the new policy at their next attempt"},
     A_RETRY},
    {{"kubelet.retry.initial", false, "as kubelet.retry.attempts"}, A_RETRY},
    {{"kubelet.retry.factor", false, "as kubelet.retry.attempts"}, A_RETRY},
    {{"kubelet.retry.jitter", false, "as kubelet.retry.attempts"}, A_RETRY},
    {{"kubelet.api_qps", false, "the kubelets' client buckets refill at the new rate"}, A_NONE},
    {{"kubelet.api_burst", false, "as kubelet.api_qps"}, A_NONE},
    {{"client_go.max_tries", false, "calls in progress use the new bound at their next 429"},
     A_NONE},
    {{"metrics_server.enabled", false,
      "scrapes in flight and their webhook loops finish; the next tick starts or stops"},
     A_MS},
    {{"metrics_server.auth", false,
      "webhook loops already started finish (they outlive their scrape in 1.12); scrapes from "
      "now on use the new authentication"},
     A_NONE},
    {{"sa_clients.rate", false, "the arrival process takes the new rate at its next arrival"},
     A_SA},
    {{"sa_clients.rate_per_node", false, "as sa_clients.rate"}, A_SA},
    {{"sa_clients.mutating_fraction", false, "requests from now on"}, A_NONE},
    {{"background.mutating_rate", false, "as sa_clients.rate"}, A_BG},
    {{"background.readonly_rate", false, "as sa_clients.rate"}, A_BG},
    {{"background.retry_429", false, "calls from now on"}, A_NONE},
    {{"apiserver.loopback.qps", true,
      "hard-coded before 1.17: the new process starts with a full bucket at the new rate"},
     A_NONE},
    {{"apiserver.loopback.burst", true, "as apiserver.loopback.qps"}, A_NONE},
    {{"apiserver.token_cache.coalesce", true, "the new process starts with an empty cache"},
     A_NONE},
    {{"apiserver.token_cache.max_entries", true, "the new process starts with an empty cache"},
     A_NONE},
    {{"apiserver.request_timeout", true, "the new process's requests"}, A_NONE},
    {{"apiserver.create_timeout", true, "the new process's requests"}, A_NONE},
};
#define NSETTABLES (sizeof settables / sizeof settables[0])

const model_settable *model_settables(size_t *n)
{
    static model_settable out[NSETTABLES];
    for (size_t i = 0; i < NSETTABLES; i++)
        out[i] = settables[i].s;
    *n = NSETTABLES;
    return out;
}

static const struct settable *settable_of(const char *key)
{
    for (size_t i = 0; i < NSETTABLES; i++)
        if (strcmp(settables[i].s.key, key) == 0)
            return &settables[i];
    return NULL;
}

const model_settable *model_settable_find(const char *key)
{
    const struct settable *t = settable_of(key);
    return t ? &t->s : NULL;
}

static void store_value(world *w, const intervention_set *v, double x)
{
    char *f = (char *)&w->pv + v->off;
    if (v->type == 1)
        *(double *)f = x;
    else if (v->type == 2)
        *(bool *)f = x != 0.0;
    else
        *(int *)f = (int)lround(x);
}

static double load_value(const world *w, const intervention_set *v)
{
    const char *f = (const char *)&w->pv + v->off;
    return v->type == 1   ? *(const double *)f
           : v->type == 2 ? (double)*(const bool *)f
                          : (double)*(const int *)f;
}

/* Brings the derived state in line with a key just changed. */
static void apply(world *w, const char *key)
{
    const struct settable *t = settable_of(key);
    ensure(t != NULL, now(w), "intervention key %s is not settable", key);
    switch (t->apply) {
    case A_CAPS:
        for (int k = 0; k < w->nservers; k++)
            server_caps_changed(&w->servers[k]);
        break;
    case A_LOOKUP:
        for (int k = 0; k < w->nservers; k++)
            server_lookup_changed(&w->servers[k]);
        break;
    case A_RETRY:
        kubelet_set_retry(w);
        break;
    case A_MS:
        ms_resume(w);
        break;
    case A_SA:
        clients_sa_changed(w);
        break;
    case A_BG:
        clients_bg_changed(w);
        break;
    default:
        break;
    }
}

static void apply_sets(world *w, const intervention *v)
{
    for (int i = 0; i < v->nsets; i++) {
        store_value(w, &v->sets[i], v->sets[i].value);
        apply(w, v->sets[i].key);
    }
}

/* A ramp moves its keys linearly from their values at its start to its targets, one step per
 * sample interval (an int key is rounded at each step). arg: intervention index and step. */
static void ev_ramp(sim *e, void *obj, uint64_t arg)
{
    world *w = obj;
    uint32_t i = (uint32_t)(arg >> 32), step = (uint32_t)arg;
    const intervention *v = &w->p->interventions[i];
    double dt = w->p->sim.sample_interval_s;
    double frac = v->duration_s > 0.0 ? fmin(1.0, (double)step * dt / v->duration_s) : 1.0;
    for (int k = 0; k < v->nsets; k++) {
        double from = w->ramp_from[i * INTERVENTION_SETS_MAX + (uint32_t)k];
        store_value(w, &v->sets[k], from + (v->sets[k].value - from) * frac);
        apply(w, v->sets[k].key);
    }
    if (frac < 1.0)
        sim_after(e, dt, ev_ramp, w, ((uint64_t)i << 32) | (step + 1));
}

static void ev_restart_end(sim *e, void *obj, uint64_t arg)
{
    (void)e;
    world *w = obj;
    /* the new process's configuration (a key marked at_restart reaches the other replicas at
     * their own restart) */
    apply_sets(w, &w->p->interventions[arg]);
    servers_up(w, w->p->interventions[arg].replica);
}

static void ev_intervention(sim *e, void *obj, uint64_t arg)
{
    world *w = obj;
    const intervention *v = &w->p->interventions[arg];
    switch (v->kind) {
    case INTERVENE_SET:
        apply_sets(w, v);
        break;
    case INTERVENE_RESTART:
        servers_down(w, v->replica);
        sim_after(e, v->duration_s, ev_restart_end, w, arg);
        break;
    case INTERVENE_FLUSH:
        cache_flush(w, (enum flush_scope)v->flush);
        break;
    case INTERVENE_RAMP:
        for (int k = 0; k < v->nsets; k++)
            w->ramp_from[arg * INTERVENTION_SETS_MAX + (uint64_t)k] = load_value(w, &v->sets[k]);
        ev_ramp(e, w, arg << 32 | 1);
        break;
    default:
        break;
    }
}

void triggers_init(world *w)
{
    const params *p = w->p;
    w->ramp_from =
        xcalloc((size_t)(p->ninterventions > 0 ? p->ninterventions : 1) * INTERVENTION_SETS_MAX,
                sizeof *w->ramp_from);
}

/* The trigger's start and the interventions, each at its time (in this order: ties run so). */
void triggers_start(world *w)
{
    const params *p = w->p;
    if (p->trigger.kind != TRIGGER_NONE)
        sim_at(w->s, p->trigger.at_s, ev_trigger_start, w, 0);
    for (int i = 0; i < p->ninterventions; i++)
        sim_at(w->s, p->interventions[i].at_s, ev_intervention, w, (uint64_t)i);
}

void triggers_destroy(world *w)
{
    free(w->ramp_from);
}
