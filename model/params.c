/* params: the built-in defaults (Kubernetes 1.12, the incident) and enum names (L3). */
#include "params.h"

#include <stdio.h>
#include <string.h>

void params_defaults(params *p)
{
    memset(p, 0, sizeof *p);
    p->sim.duration_s = 1800.0;
    p->sim.max_duration_s = 14400.0;
    p->sim.warmup_s = 300.0;
    p->sim.seed = 1;
    p->sim.sample_interval_s = 1.0;
    p->sim.warm_start = true;

    p->cluster.nodes = 5000;

    p->apiserver.max_requests_inflight = 400;
    p->apiserver.max_mutating_requests_inflight = 200;
    p->apiserver.request_timeout_s = 60.0;
    p->apiserver.create_timeout_s = 30.0;
    p->apiserver.retry_after_s = 1.0;
    dist_set(&p->apiserver.service_time, DIST_LOGNORMAL, 0.005, 1.0);
    p->apiserver.token_cache.success_ttl_s = 10.0;
    p->apiserver.token_cache.failure_ttl_s = 0.0;
    p->apiserver.token_cache.coalesce = false;
    p->apiserver.token_cache.max_entries = 4096;
    p->apiserver.sa_lookup.mode = SA_LOOKUP_LOOPBACK;
    p->apiserver.sa_lookup.gets_per_validation = 2;
    p->apiserver.sa_lookup.informer_miss = 0.0;
    dist_set(&p->apiserver.sa_lookup.get_time, DIST_EXPONENTIAL, 0.002, 1.0);
    p->apiserver.loopback.qps = 50.0;
    p->apiserver.loopback.burst = 100;
    p->apiserver.cpu.cores = 0;
    p->apiserver.cpu.reject_cost_s = 0.0002;

    p->kubelet.webhook_cache_ttl_s = 120.0;
    p->kubelet.webhook_failure_ttl_s = 120.0;
    p->kubelet.retry.attempts = 5;
    p->kubelet.retry.initial_s = 0.5;
    p->kubelet.retry.factor = 1.5;
    p->kubelet.retry.jitter = 0.2;
    p->kubelet.heartbeat.interval_s = 10.0;
    p->kubelet.heartbeat.timeout_s = 10.0;
    p->kubelet.heartbeat.not_ready_after_s = 40.0;
    p->kubelet.heartbeat.tries = 5;
    p->kubelet.api_qps = 5.0;
    p->kubelet.api_burst = 10;

    p->client_go.max_tries = 10;

    p->metrics_server.enabled = true;
    p->metrics_server.auth = MS_AUTH_TOKEN;
    p->metrics_server.resolution_s = 60.0;
    p->metrics_server.delay_per_node_s = 0.008;
    p->metrics_server.max_delay_s = 4.0;
    p->metrics_server.timeout_fraction = 0.9;

    p->background.retry_429 = true;

    p->trigger.kind = TRIGGER_CACHE_FLUSH;
    p->trigger.at_s = 600.0;
    p->trigger.duration_s = 0.0;
    p->trigger.flush = FLUSH_ALL;
    p->trigger.target = BURST_SA_REQUESTS;

    p->health.window_s = 60.0;
    p->health.min_heartbeat_success = 0.99;
    p->health.min_scrape_success = 0.99;
    p->health.min_sa_success = 0.99;
    p->health.max_mutating_fraction = 0.9;
    p->health.recovery_window_s = 600.0;
    p->health.trend_window_s = 600.0;
    p->health.hold_s = 300.0;

    p->sweep.replications = 5;
    p->sweep.refine = 0;
    p->sweep.common_random_numbers = true;
    p->sweep.x.steps = 1;
    p->sweep.y.steps = 1;

    p->plot.formats = PLOT_PNG | PLOT_SVG | PLOT_PDF;
}

#define NAME_FN(fn, type, count, ...)                                                              \
    const char *fn(type v)                                                                         \
    {                                                                                              \
        static const char *const n[count] = {__VA_ARGS__};                                         \
        return (unsigned)v < (unsigned)(count) ? n[v] : "?";                                       \
    }

NAME_FN(sa_mode_name, enum sa_mode, SA_LOOKUP_COUNT, "loopback", "informer", "unlimited")
NAME_FN(ms_auth_name, enum ms_auth, MS_AUTH_COUNT, "token", "certificate")
NAME_FN(trigger_kind_name, enum trigger_kind, TRIGGER_KIND_COUNT, "none", "burst", "cache_flush",
        "apiserver_restart")
NAME_FN(flush_scope_name, enum flush_scope, FLUSH_COUNT, "all", "apiserver", "kubelet")
NAME_FN(burst_target_name, enum burst_target, BURST_TARGET_COUNT, "sa_requests", "tokenreview",
        "mutating")
NAME_FN(axis_scale_name, enum axis_scale, SCALE_COUNT, "linear", "log")
NAME_FN(intervention_kind_name, enum intervention_kind, INTERVENE_KIND_COUNT, "set",
        "apiserver_restart", "cache_flush", "ramp")

void intervention_describe(const intervention *v, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    if (v->kind == INTERVENE_RESTART)
        used = (size_t)snprintf(buf, n, "apiserver_restart %g s", v->duration_s);
    else if (v->kind == INTERVENE_FLUSH)
        used = (size_t)snprintf(buf, n, "cache_flush %s", flush_scope_name(v->flush));
    else if (v->kind == INTERVENE_RAMP)
        used = (size_t)snprintf(buf, n, "ramp over %g s:", v->duration_s);
    for (int i = 0; i < v->nsets && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? (i ? "; " : " ") : "",
                                 v->sets[i].text);
}
