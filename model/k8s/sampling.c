/* sampling: one sample of the run every sim.sample_interval (L3): the counters' differences,
 * the time-averaged gauges and the state at the sample's time, gathered from every actor (the
 * apiservers through server_sample), and the hook that may stop the run early. Includes k8s.h
 * and L0-L2 headers only. */
#include "k8s.h"

#include "timecmp.h"
#include "xmem.h"

#include <math.h>

static void ev_sample(sim *e, void *obj, uint64_t arg)
{
    (void)arg;
    world *w = obj;
    sampler *sm = &w->smp;
    double t = now(w), span = t - sm->sample_start;
    run_output *o = sm->out;
    if (o->nsamples == sm->cap_samples) {
        sm->cap_samples = sm->cap_samples ? 2 * sm->cap_samples : 1024;
        o->samples = xrealloc(o->samples, sm->cap_samples * sizeof *o->samples);
        if (w->nservers > 1)
            o->rsamples =
                xrealloc(o->rsamples, sm->cap_samples * (size_t)w->nservers * sizeof *o->rsamples);
    }
    sample *x = &o->samples[o->nsamples++];
    x->t = t;
    for (int i = 0; i < C_COUNTER_COUNT; i++) {
        x->c[i] = w->cum[i] - sm->last[i];
        sm->last[i] = w->cum[i];
    }
    /* the apiservers' parts: sums (the CPU's an average) over the replicas */
    x->inflight_mut = x->inflight_ro = x->lb_queue = x->cpu_util = 0.0;
    x->lb_wait_sum_s = x->orphaned = x->out_vals = x->out_reqs = 0.0;
    replica_sample *rs = o->rsamples ? &o->rsamples[(o->nsamples - 1) * (size_t)w->nservers] : NULL;
    for (int k = 0; k < w->nservers; k++)
        server_sample(&w->servers[k], t, span, x, rs ? &rs[k] : NULL);
    int nlevels = admission_apf_nlevels(w->servers[0].adm); /* 0 without APF */
    if (nlevels) {
        /* grown with the samples: room for cap_samples rows */
        size_t row = (size_t)nlevels * APF_SERIES_COUNT;
        if (o->nsamples == 1 || o->nsamples > sm->cap_apf) {
            sm->cap_apf = sm->cap_samples;
            o->apf = xrealloc(o->apf, sm->cap_apf * row * sizeof *o->apf);
        }
        o->apf_levels = nlevels;
        double *out = o->apf + (o->nsamples - 1) * row;
        for (size_t j = 0; j < row; j++)
            out[j] = 0.0;
        for (int k = 0; k < w->nservers; k++)
            server_sample_apf(&w->servers[k], t, span, out);
    }
    x->cpu_util = w->servers[0].use_cpu ? x->cpu_util / w->nservers : NAN;
    x->tr_latency_sum_s = sm->tr_lat_sum;
    sm->tr_lat_sum = 0.0;
    x->not_ready = w->kl.not_ready;
    x->stale = kubelet_stale(w, t);
    x->out_calls = (double)w->calls.live;
    sm->sample_start = t;
    size_t pending = sim_pending(e);
    if (pending > o->peak_pending)
        o->peak_pending = pending;
    if (sm->hook && sm->hook(sm->hook_ctx, o)) {
        o->stopped_early = 1;
        sim_stop(e);
        return;
    }
    double next = (double)(o->nsamples + 1) * w->p->sim.sample_interval_s;
    if (!time_after(next, w->horizon_s))
        sim_at(e, next, ev_sample, w, 0);
}

void sampling_init(world *w, run_output *out, model_sample_hook hook, void *hook_ctx)
{
    w->smp.out = out;
    out->replicas = w->nservers;
    w->smp.hook = hook;
    w->smp.hook_ctx = hook_ctx;
    sim_at(w->s, w->p->sim.sample_interval_s, ev_sample, w, 0);
}
