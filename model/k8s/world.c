/* world: the Kubernetes model wired on the engine (L3): one replication of the world, its
 * apiserver replicas, kubelets, metrics-server, clients, triggers and sampling, set up in
 * the order their first random draws and events must come, then run (model_run). Includes k8s.h
 * and L0-L2 headers only. */
#include "k8s.h"

#include "xmem.h"

#include <stdlib.h>
#include <string.h>

void model_run(const params *p, uint64_t replication, uint64_t point, model_sample_hook hook,
               void *hook_ctx, run_output *out)
{
    world ww, *w = &ww;
    memset(w, 0, sizeof *w);
    memset(out, 0, sizeof *out);
    w->pv = *p;
    p = w->p = &w->pv;
    w->horizon_s =
        p->sim.max_duration_s > p->sim.duration_s ? p->sim.max_duration_s : p->sim.duration_s;
    /* Allocations in the order of the single-file model, which the bench's peak-memory rows
     * were measured with (the heap's layout moves them by a malloc top pad or two). */
    triggers_init(w);
    w->s = sim_new();
    sim_set_context(w->s, w);
    for (unsigned k = 0; k < RNG_STREAM_COUNT; k++)
        w->r[k] = rng_new(p->sim.seed, replication, point, k);
    w->nservers = p->apiserver.replicas;
    w->servers = xcalloc((size_t)w->nservers, sizeof *w->servers);
    for (int k = 0; k < w->nservers; k++)
        server_init(&w->servers[k], w, (uint8_t)k);
    clients_init(w);

    /* What draws from RNG_INIT or schedules an event at set-up, in this order: the nodes'
     * phases and caches (and the watchdog), the warm token caches, metrics-server's first tick,
     * the clients' first arrivals, the trigger and interventions, the first sample. */
    kubelet_init(w);
    replicas_init(w); /* RNG_REPLICA only */
    if (p->sim.warm_start && p->apiserver.token_cache.success_ttl_s > 0.0) {
        /* warm start: every cache entry filled, expiries spread uniformly over the TTL */
        bool tokens_used = p->metrics_server.enabled && p->metrics_server.auth == MS_AUTH_TOKEN;
        for (int k = 0; k < w->nservers; k++)
            server_warm(&w->servers[k], tokens_used && w->kl.n > 0,
                        w->cl.sa_rate > 0.0 ? w->cl.sa_tokens : 0);
    }
    ms_start(w);
    clients_start(w);
    triggers_start(w);
    sampling_init(w, out, hook, hook_ctx);

    sim_run(w->s, w->horizon_s);
    out->events = sim_events(w->s);
    out->end_s = sim_now(w->s);

    triggers_destroy(w);
    ms_destroy(w);
    kubelet_destroy(w);
    for (int k = 0; k < w->nservers; k++)
        server_destroy(&w->servers[k]);
    free(w->servers);
    replicas_destroy(w);
    clients_destroy(w);
    for (unsigned k = 0; k < RNG_STREAM_COUNT; k++)
        gsl_rng_free(w->r[k]);
    sim_free(w->s);
}

void run_output_free(run_output *o)
{
    if (!o)
        return;
    free(o->samples);
    free(o->apf);
    o->samples = NULL;
    free(o->rsamples);
    o->rsamples = NULL;
    o->apf = NULL;
    o->nsamples = 0;
    o->apf_levels = 0;
}
