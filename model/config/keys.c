/* keys: the config key table and the enum names (L3). Sources of the defaults: the comments of
 * include/params.h and paper/k8s-facts.md. */
#include "keys.h"

#include "apf.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- enum names: one table per enum ----------------------------------------------------------
 */

#define ENUM_TABLE(id, count, ...)                                                                 \
    static const char *const id##_names[count] = {__VA_ARGS__};                                    \
    const key_enum key_enum_##id = {id##_names, count}

/* dist.c keeps its own names for dist_kind_parse; tests/test_keys.c checks that they agree. */
ENUM_TABLE(dist, DIST_KIND_COUNT, "exponential", "deterministic", "uniform", "lognormal", "gamma");
ENUM_TABLE(sa_mode, SA_LOOKUP_COUNT, "loopback", "informer", "unlimited");
ENUM_TABLE(ms_auth, MS_AUTH_COUNT, "token", "certificate");
ENUM_TABLE(trigger_kind, TRIGGER_KIND_COUNT, "none", "burst", "cache_flush", "apiserver_restart");
ENUM_TABLE(flush, FLUSH_COUNT, "all", "apiserver", "kubelet");
ENUM_TABLE(burst_target, BURST_TARGET_COUNT, "sa_requests", "tokenreview", "mutating");
ENUM_TABLE(scale, SCALE_COUNT, "linear", "log");
ENUM_TABLE(formats, 3, "png", "svg", "pdf");
ENUM_TABLE(intervention, INTERVENE_KIND_COUNT, "set", "apiserver_restart", "cache_flush", "ramp");
ENUM_TABLE(admission, ADMISSION_POLICY_COUNT, "max_inflight", "apf");
ENUM_TABLE(client_class, CLIENT_CLASS_COUNT, "heartbeat", "tokenreview", "sa_clients", "background",
           "burst");
ENUM_TABLE(distinguisher, DISTINGUISH_COUNT, "user", "namespace", "none");

const char *key_enum_name(const key_enum *e, int v)
{
    return v >= 0 && v < e->count ? e->names[v] : "?";
}

int key_enum_value(const key_enum *e, const char *s)
{
    for (int i = 0; s && i < e->count; i++)
        if (strcmp(s, e->names[i]) == 0)
            return i;
    return -1;
}

/* ---- the table ------------------------------------------------------------------------------- */

#define INF HUGE_VAL
#define P(m) offsetof(params, m)
#define SZ(m) sizeof(((params *)0)->m)

#define GROUP(n, d)                                                                                \
    {                                                                                              \
        .name = n, .type = KEY_GROUP, .doc = d                                                     \
    }
#define INT(n, m, d, lo, hi, u, l, doc_)                                                           \
    {                                                                                              \
        .name = n, .type = KEY_INT, .off = P(m), .def = d, .min = lo, .max = hi, .unit = u,        \
        .label = l, .doc = doc_                                                                    \
    }
#define DBL(n, m, d, lo, hi, fl, u, l, doc_)                                                       \
    {                                                                                              \
        .name = n, .type = KEY_DOUBLE, .off = P(m), .def = d, .min = lo, .max = hi, .flags = fl,   \
        .unit = u, .label = l, .doc = doc_                                                         \
    }
#define POS(n, m, d, u, l, doc_) DBL(n, m, d, 0, INF, KEY_F_MIN_EXCL, u, l, doc_) /* > 0 */
#define NONNEG(n, m, d, u, l, doc_) DBL(n, m, d, 0, INF, 0, u, l, doc_)           /* >= 0 */
#define FRAC(n, m, d, l, doc_) DBL(n, m, d, 0, 1, 0, NULL, l, doc_)               /* [0, 1] */
#define BOOL(n, m, d, l, doc_)                                                                     \
    {                                                                                              \
        .name = n, .type = KEY_BOOL, .off = P(m), .def = d, .min = 0, .max = 1, .label = l,        \
        .doc = doc_                                                                                \
    }
#define ENUM(n, m, d, e, l, doc_)                                                                  \
    {                                                                                              \
        .name = n, .type = KEY_ENUM, .off = P(m), .def = d, .enums = &key_enum_##e, .label = l,    \
        .doc = doc_                                                                                \
    }
#define DIST(n, m, l, doc_)                                                                        \
    {                                                                                              \
        .name = n, .type = KEY_DIST, .off = P(m), .label = l, .doc = doc_                          \
    }
/* The three rows of a distribution: its kind, mean (s) and coefficient of variation. */
#define DIST_ROWS(n, m, kind_, mean_, l)                                                           \
    ENUM(n ".dist", m.kind, kind_, dist, l " distribution",                                        \
         "exponential (cv 1), deterministic (cv 0), uniform (cv <= 0.57735), lognormal or "        \
         "gamma"),                                                                                 \
        POS(n ".mean", m.mean, mean_, "s", "mean " l, "the mean"),                                 \
        NONNEG(n ".cv", m.cv, 1.0, NULL, l " cv",                                                  \
               "coefficient of variation; an inherited cv is replaced by 1 for exponential, 0 "    \
               "for deterministic")
#define AXIS(n, m, doc_)                                                                           \
    {.name = n, .type = KEY_AXIS, .off = P(m), .doc = doc_},                                       \
        {.name = n ".key",                                                                         \
         .type = KEY_STRING,                                                                       \
         .off = P(m.key),                                                                          \
         .size = SZ(m.key),                                                                        \
         .label = "swept key",                                                                     \
         .doc =                                                                                    \
             "the config key this axis sweeps: a numeric key, an enum or bool key (values names "  \
             "them), or \"config\" (values are config files)",                                     \
         .default_text = "none"},                                                                  \
        DBL(n ".from", m.from, 0, -INF, INF, 0, NULL, "first grid value",                          \
            "first value of the grid (used when values is not given)"),                            \
        DBL(n ".to", m.to, 0, -INF, INF, 0, NULL, "last grid value", "last value of the grid"),    \
        INT(n ".steps", m.steps, 1, 1, INT_MAX, NULL, "grid values",                               \
            "number of grid values from..to inclusive"),                                           \
        ENUM(n ".scale", m.scale, SCALE_LINEAR, scale, "grid spacing",                             \
             "linear or log spacing of from..to (log needs from > 0 and to > 0)"),                 \
    {                                                                                              \
        .name = n ".values", .type = KEY_VALUES, .off = P(m.values), .label = "grid values",       \
        .doc = "explicit grid values, each one the key accepts (from, to and steps unused); "      \
               "strings on a categorical axis",                                                    \
        .default_text = "none"                                                                     \
    }
#define ELEMENT_OF(list, n, t, d, lo, hi, fl, e, u, doc_)                                          \
    {                                                                                              \
        .name = list "[]." n, .type = t, .def = d, .min = lo, .max = hi,                           \
        .flags = KEY_F_ELEMENT | (fl), .enums = e, .unit = u, .doc = doc_                          \
    }
#define ELEMENT(n, t, d, lo, hi, fl, e, u, doc_)                                                   \
    ELEMENT_OF("interventions", n, t, d, lo, hi, fl, e, u, doc_)
/* APF list members: off is within the element's struct. */
#define PL(n, m, t, d, lo, hi, doc_)                                                               \
    {                                                                                              \
        .name = "apiserver.apf.priority_levels[]." n, .type = t,                                   \
        .off = offsetof(apf_level_param, m), .size = sizeof(((apf_level_param *)0)->m), .def = d,  \
        .min = lo, .max = hi, .flags = KEY_F_ELEMENT, .doc = doc_                                  \
    }
#define FS(n, m, t, d, lo, hi, e, doc_)                                                            \
    {                                                                                              \
        .name = "apiserver.apf.flow_schemas[]." n, .type = t,                                      \
        .off = offsetof(apf_schema_param, m), .size = sizeof(((apf_schema_param *)0)->m),          \
        .def = d, .min = lo, .max = hi, .flags = KEY_F_ELEMENT, .enums = e, .doc = doc_            \
    }

static const key table[] = {
    GROUP("sim", "run length, seed, sampling (seconds)"),
    POS("sim.duration", sim.duration_s, 1800.0, "s", "run length",
        "judging may end from here on (warm-up included); a run still draining goes on to "
        "sim.max_duration"),
    POS("sim.max_duration", sim.max_duration_s, 14400.0, "s", "horizon",
        "the horizon: a run not decided at sim.duration (draining, or unhealthy without a "
        "growing backlog) goes on up to here"),
    NONNEG("sim.warmup", sim.warmup_s, 300.0, "s", "warm-up",
           "discarded from every count; ends before sim.duration"),
    {.name = "sim.seed",
     .type = KEY_SEED,
     .off = P(sim.seed),
     .def = 1,
     .label = "seed",
     .doc = "master seed: every random stream is seeded by hashing it with the replication and "
            "the stream"},
    POS("sim.sample_interval", sim.sample_interval_s, 1.0, "s", "sample interval",
        "one sample (a row of timeseries.csv) per interval; at most health.window"),
    BOOL("sim.warm_start", sim.warm_start, true, "warm start",
         "caches filled and their expiries spread at time 0, so that the start is not itself a "
         "trigger"),
    DBL("sim.epoch", sim.epoch_s, 1704067200.0, 0, 253402300799.0, 0, "s", "epoch",
        "the Unix time (seconds since 1970-01-01 UTC) that simulated time 0 is in timeseries.om "
        "(1704067200: 2024-01-01T00:00:00Z); set it to an incident's start, e.g. `date -d "
        "2024-05-01T12:00Z +%s`, to put a run beside real data in Grafana"),

    GROUP("cluster", "cluster size"),
    INT("cluster.nodes", cluster.nodes, 5000, 0, 1000000, "nodes", "cluster size",
        "kubelets, each heartbeating and scraped by metrics-server (5000: the incident's cluster)"),

    GROUP("apiserver", "kube-apiserver: caps, timeouts, token authentication"),
    INT("apiserver.replicas", apiserver.replicas, 1, 1, APISERVER_REPLICAS_MAX, "replicas",
        "apiserver replicas",
        "apiservers behind a load balancer, each with its own caps (every apiserver.* key applies "
        "per replica), token cache, loopback limiter and CPU; etcd shared and not modelled. "
        "Kubelets and SA-token pods stay on one replica until its restart breaks the connection"),
    INT("apiserver.max_requests_inflight", apiserver.max_requests_inflight, 400, 1, INT_MAX,
        "requests", "read-only inflight cap",
        "--max-requests-inflight: a full read-only pool answers 429 at once (400: k8s.io/apiserver "
        "server/config.go NewConfig)"),
    INT("apiserver.max_mutating_requests_inflight", apiserver.max_mutating_requests_inflight, 200,
        1, INT_MAX, "requests", "mutating inflight cap",
        "--max-mutating-requests-inflight: the pool of every verb but get/list/watch, TokenReview "
        "creates and status PATCHes included (200: server/config.go NewConfig)"),
    POS("apiserver.request_timeout", apiserver.request_timeout_s, 60.0, "s", "request timeout",
        "--request-timeout: the timeout filter answers 504, the slot is held until the handler "
        "returns (60: server/config.go NewConfig)"),
    POS("apiserver.create_timeout", apiserver.create_timeout_s, 30.0, "s", "create timeout",
        "a create without ?timeout= (a TokenReview) answers 504 and frees its slot, its "
        "authentication goes on orphaned (30: handlers/rest.go finishRequest; 34 from 1.17)"),
    NONNEG("apiserver.retry_after", apiserver.retry_after_s, 1.0, "s", "Retry-After",
           "Retry-After of a 429 from a full pool (1: filters/maxinflight.go)"),
    DIST("apiserver.service_time", apiserver.service_time, "handler time",
         "handler time per admitted request (assumed: lognormal, mean 5 ms, cv 1)"),
    DIST_ROWS("apiserver.service_time", apiserver.service_time, DIST_LOGNORMAL, 0.005,
              "handler time"),
    GROUP("apiserver.token_cache", "the cached token authenticator of the apiserver"),
    NONNEG("apiserver.token_cache.success_ttl", apiserver.token_cache.success_ttl_s, 10.0, "s",
           "token cache success TTL",
           "TokenSuccessCacheTTL: a success lives this long from when it is stored, by whoever "
           "stores it (10: PR #50258; no flag)"),
    NONNEG("apiserver.token_cache.failure_ttl", apiserver.token_cache.failure_ttl_s, 0.0, "s",
           "token cache failure TTL", "TokenFailureCacheTTL (0: failures are not cached)"),
    BOOL("apiserver.token_cache.coalesce", apiserver.token_cache.coalesce, false,
         "token cache coalescing",
         "concurrent misses for one token share one validation (false: 1.12; true: the 1.18 "
         "singleflight, PR #85242)"),
    INT("apiserver.token_cache.max_entries", apiserver.token_cache.max_entries, 4096, 0, INT_MAX,
        "entries", "token cache size",
        "LRU bound: 32 stripes x 128 entries (4096: 1.9 to 1.16); 0: unbounded (1.17+)"),
    GROUP("apiserver.sa_lookup", "how a ServiceAccount token is validated on a cache miss"),
    ENUM("apiserver.sa_lookup.mode", apiserver.sa_lookup.mode, SA_LOOKUP_LOOPBACK, sa_mode,
         "SA lookup mode",
         "loopback: live GETs through the rate-limited loopback client (1.12); informer: "
         "informers first, loopback on a miss (1.14+, PR #71816); unlimited: loopback GETs "
         "without a rate limit (1.17+, PR #80465)"),
    INT("apiserver.sa_lookup.gets_per_validation", apiserver.sa_lookup.gets_per_validation, 2, 0,
        INT_MAX, "GETs", "GETs per validation",
        "sequential loopback GETs per validation: Secret, then ServiceAccount (2: "
        "pkg/serviceaccount legacy.go Validate)"),
    FRAC("apiserver.sa_lookup.informer_miss", apiserver.sa_lookup.informer_miss, 0.0,
         "informer miss fraction",
         "mode informer: the fraction of validations that fall back to loopback GETs"),
    DIST("apiserver.sa_lookup.get_time", apiserver.sa_lookup.get_time, "loopback GET time",
         "service time of one loopback GET (assumed: exponential, mean 2 ms)"),
    DIST_ROWS("apiserver.sa_lookup.get_time", apiserver.sa_lookup.get_time, DIST_EXPONENTIAL, 0.002,
              "loopback GET time"),
    NONNEG("apiserver.sa_lookup.fail_after", apiserver.sa_lookup.fail_after_s, 0.0, "s",
           "validation deadline",
           "an assumption: a validation whose GET is granted this long after it started fails "
           "(its TokenReview answers authenticated=false); 0: never (1.12)"),
    GROUP("apiserver.loopback", "the loopback client's token bucket"),
    NONNEG("apiserver.loopback.qps", apiserver.loopback.qps, 50.0, "requests/s", "loopback QPS",
           "rate limit of the loopback clientset the SA getter uses; 0: no limit (50: "
           "server/config_selfclient.go; removed in 1.17, PR #80465)"),
    INT("apiserver.loopback.burst", apiserver.loopback.burst, 100, 1, INT_MAX, "requests",
        "loopback burst", "token bucket size (100: config_selfclient.go)"),
    ENUM("apiserver.admission", apiserver.admission, ADMISSION_POLICY_MAX_INFLIGHT, admission,
         "admission policy",
         "max_inflight: the two max-inflight pools (1.12, filters/maxinflight.go); apf: API "
         "Priority and Fairness over apiserver.apf (the default from 1.20; its concurrency is "
         "max_requests_inflight + max_mutating_requests_inflight)"),
    GROUP("apiserver.apf", "API Priority and Fairness (apiserver.admission = \"apf\")"),
    NONNEG("apiserver.apf.max_queue_wait", apiserver.apf.max_queue_wait_s, 0.0, "s",
           "APF queue wait limit",
           "a request queued this long is rejected 429 (time-out); 0: request_timeout / 4, as the "
           "apiserver does (server/config.go DefaultBuildHandlerChain passes c.RequestTimeout/4 "
           "to WithPriorityAndFairness, 1.29+; server/options/recommended.go passed "
           "RequestTimeout/4 to utilflowcontrol.New, 1.20-1.28)"),
    {.name = "apiserver.apf.priority_levels",
     .type = KEY_LIST,
     .off = P(apiserver.apf.nlevels),
     .doc = "the PriorityLevelConfigurations, a list of groups; the loopback client "
            "(system:masters) goes to the first exempt one (an \"exempt\" level of 0 shares is "
            "added when none is); see configs/apf-1.20.cfg, configs/apf-current.cfg",
     .default_text = "none"},
    PL("name", name, KEY_STRING, 0, 0, 0, "the level's name (unique), as FlowSchemas name it"),
    PL("shares", shares, KEY_INT, 30, 0, 1000000,
       "NominalConcurrencyShares (AssuredConcurrencyShares before 1.26): the level's limit is "
       "ceil(server concurrency x shares / sum of every level's shares) (30: the API default)"),
    PL("queues", queues, KEY_INT, 64, 0, APF_MAX_QUEUES,
       "queues of the level; 0: no queuing, reject at the limit (64: the API default)"),
    PL("hand_size", hand_size, KEY_INT, 8, 0, APF_MAX_HAND,
       "shuffle-sharding hand: candidate queues per flow, at most queues (8: the API default)"),
    PL("queue_length_limit", queue_length_limit, KEY_INT, 50, 0, INT_MAX,
       "requests per queue; a full queue answers 429 (50: the API default)"),
    PL("lendable_percent", lendable_percent, KEY_INT, 0, 0, 100,
       "LendablePercent (1.26+): seats other levels may borrow (0)"),
    PL("borrowing_limit_percent", borrowing_limit_percent, KEY_INT, -1, -1, INT_MAX,
       "BorrowingLimitPercent (1.26+): seats it may borrow, percent of its nominal limit; -1: "
       "nil, no limit (the default)"),
    PL("exempt", exempt, KEY_BOOL, 0, 0, 1,
       "type Exempt: never queued or rejected, no limit (queues must be 0)"),
    {.name = "apiserver.apf.flow_schemas",
     .type = KEY_LIST,
     .off = P(apiserver.apf.nschemas),
     .doc = "the FlowSchemas, a list of groups: each client class goes to the level of the "
            "matching schema of the lowest precedence (ties: the name first in byte order); "
            "every class needs one",
     .default_text = "none"},
    FS("name", name, KEY_STRING, 0, 0, 0, NULL, "the schema's name (unique)"),
    FS("level", level, KEY_STRING, 0, 0, 0, NULL, "the priority level's name"),
    FS("precedence", precedence, KEY_INT, 1000, 1, 10000, NULL,
       "MatchingPrecedence, 1..10000: the lowest matching one wins (1000: the API default)"),
    FS("match", match, KEY_FORMATS, 0, 0, 0, &key_enum_client_class,
       "list of client classes it matches: \"heartbeat\", \"tokenreview\", \"sa_clients\", "
       "\"background\", \"burst\""),
    FS("distinguisher", distinguisher, KEY_ENUM, DISTINGUISH_NONE, 0, 0, &key_enum_distinguisher,
       "the flow: \"user\" (a kubelet's node, a pod's ServiceAccount), \"namespace\" (assumed: "
       "one per ServiceAccount; cluster-scoped kubelet requests one flow) or \"none\" (nil: one "
       "flow)"),
    GROUP("apiserver.cpu", "CPU contention in the apiserver"),
    INT("apiserver.cpu.cores", apiserver.cpu.cores, 0, 0, INT_MAX, "cores", "apiserver cores",
        "cores the handlers share; 0: no CPU contention (no Kubernetes default fixes it)"),
    NONNEG("apiserver.cpu.reject_cost", apiserver.cpu.reject_cost_s, 0.0002, "s",
           "CPU cost of a 429", "CPU seconds one 429 costs (assumed)"),

    GROUP("kubelet", "kubelet: webhook authenticator cache, retries, heartbeat"),
    NONNEG("kubelet.webhook_cache_ttl", kubelet.webhook_cache_ttl_s, 120.0, "s",
           "kubelet webhook cache TTL",
           "--authentication-token-webhook-cache-ttl: how long a kubelet caches a TokenReview "
           "answer (120: kubelet config v1beta1 defaults.go)"),
    NONNEG("kubelet.webhook_failure_ttl", kubelet.webhook_failure_ttl_s, 120.0, "s",
           "kubelet webhook failure TTL",
           "how long an authenticated=false answer is cached (120: 1.12 caches any answer for the "
           "TTL; errors are never cached)"),
    GROUP("kubelet.retry", "the webhook's retries of one authentication"),
    INT("kubelet.retry.attempts", kubelet.retry.attempts, 5, 1, 65535, "attempts",
        "webhook attempts", "attempts per authentication (5: webhook.go WithExponentialBackoff)"),
    NONNEG("kubelet.retry.initial", kubelet.retry.initial_s, 0.5, "s", "first webhook backoff",
           "sleep before the second attempt (0.5)"),
    DBL("kubelet.retry.factor", kubelet.retry.factor, 1.5, 1, INF, 0, NULL,
        "webhook backoff factor", "growth of the sleep per attempt (1.5)"),
    NONNEG("kubelet.retry.jitter", kubelet.retry.jitter, 0.2, NULL, "webhook backoff jitter",
           "each sleep is multiplied by 1 + U[0, jitter) (0.2)"),
    GROUP("kubelet.heartbeat", "node status updates"),
    POS("kubelet.heartbeat.interval", kubelet.heartbeat.interval_s, 10.0, "s", "heartbeat interval",
        "NodeStatusUpdateFrequency: a GET node and a PATCH node/status per node per interval "
        "(10: kubelet defaults.go)"),
    POS("kubelet.heartbeat.timeout", kubelet.heartbeat.timeout_s, 10.0, "s", "heartbeat timeout",
        "the heartbeat client's timeout per HTTP request (10: NodeStatusUpdateFrequency)"),
    POS("kubelet.heartbeat.not_ready_after", kubelet.heartbeat.not_ready_after_s, 40.0, "s",
        "NotReady grace period",
        "--node-monitor-grace-period: a node without a successful status update this long is "
        "NotReady (40)"),
    INT("kubelet.heartbeat.tries", kubelet.heartbeat.tries, 5, 1, INT_MAX, "tries",
        "heartbeat tries", "nodeStatusUpdateRetry: immediate tries per cycle (5; unconfirmed)"),
    NONNEG("kubelet.api_qps", kubelet.api_qps, 5.0, "requests/s", "kubelet API QPS",
           "--kube-api-qps of the kubelet's main client, which sends the TokenReviews (5)"),
    INT("kubelet.api_burst", kubelet.api_burst, 10, 1, INT_MAX, "requests", "kubelet API burst",
        "--kube-api-burst (10)"),

    GROUP("client_go", "client-go retries on 429"),
    INT("client_go.max_tries", client_go.max_tries, 10, 1, 65535, "tries", "client-go tries",
        "tries of a call answered 429 with Retry-After (10: client-go rest/request.go "
        "maxRetries)"),

    GROUP("metrics_server", "metrics-server scrapes"),
    BOOL("metrics_server.enabled", metrics_server.enabled, true, "metrics-server",
         "metrics-server scrapes every kubelet"),
    ENUM("metrics_server.auth", metrics_server.auth, MS_AUTH_TOKEN, ms_auth,
         "metrics-server authentication",
         "token: one shared SA token, which every kubelet reviews with a TokenReview; "
         "certificate: a client certificate, no TokenReviews (the incident's fix)"),
    POS("metrics_server.resolution", metrics_server.resolution_s, 60.0, "s", "scrape interval",
        "--metric-resolution: every kubelet is scraped this often (60)"),
    NONNEG("metrics_server.delay_per_node", metrics_server.delay_per_node_s, 0.008, "s",
           "scrape delay per node",
           "a tick's scrapes start over U[0, min(delay_per_node x nodes, max_delay)) (0.008)"),
    NONNEG("metrics_server.max_delay", metrics_server.max_delay_s, 4.0, "s", "maximum scrape delay",
           "cap of the start delay of a tick's scrapes (4)"),
    DBL("metrics_server.timeout_fraction", metrics_server.timeout_fraction, 0.9, 0, 1,
        KEY_F_MIN_EXCL, NULL, "scrape timeout fraction",
        "a scrape's deadline is its tick + timeout_fraction x resolution (0.9)"),

    GROUP("sa_clients", "pods calling the apiserver with their own SA tokens"),
    INT("sa_clients.tokens", sa_clients.tokens, 0, 0, INT_MAX, "tokens", "SA tokens",
        "distinct tokens: tokens + tokens_per_node x nodes (0: the 1.12 defaults have no such "
        "traffic)"),
    NONNEG("sa_clients.tokens_per_node", sa_clients.tokens_per_node, 0.0, "tokens",
           "SA tokens per node", "distinct tokens per node, added to sa_clients.tokens"),
    NONNEG("sa_clients.rate", sa_clients.rate, 0.0, "requests/s", "SA request rate",
           "Poisson request rate: rate + rate_per_node x nodes in all"),
    NONNEG("sa_clients.rate_per_node", sa_clients.rate_per_node, 0.0, "requests/s",
           "SA request rate per node", "request rate per node, added to sa_clients.rate"),
    NONNEG("sa_clients.zipf", sa_clients.zipf, 0.0, NULL, "SA token Zipf exponent",
           "0: requests spread uniformly over the tokens; s > 0: by a Zipf law with exponent s"),
    FRAC("sa_clients.mutating_fraction", sa_clients.mutating_fraction, 0.0,
         "mutating share of SA requests", "the share of their requests in the mutating pool"),

    GROUP("background", "other clients, Poisson arrivals"),
    NONNEG("background.mutating_rate", background.mutating_rate, 0.0, "requests/s",
           "background mutating rate",
           "Poisson rate of other clients' mutating requests (no SA authentication)"),
    NONNEG("background.readonly_rate", background.readonly_rate, 0.0, "requests/s",
           "background read-only rate", "Poisson rate of other clients' read-only requests"),
    BOOL("background.retry_429", background.retry_429, true, "background retries",
         "client-go retries after Retry-After, at most client_go.max_tries"),

    GROUP("trigger", "the perturbation: none, burst, cache_flush, apiserver_restart"),
    ENUM("trigger.kind", trigger.kind, TRIGGER_CACHE_FLUSH, trigger_kind, "trigger",
         "none; burst: extra requests at trigger.rate for trigger.duration; cache_flush: caches "
         "emptied at trigger.at; apiserver_restart: down for trigger.duration"),
    NONNEG("trigger.at", trigger.at_s, 600.0, "s", "trigger time",
           "start of the trigger (simulated time); at least sim.warmup + health.window"),
    NONNEG("trigger.duration", trigger.duration_s, 0.0, "s", "trigger duration",
           "burst length or apiserver downtime; 0 for a flush"),
    ENUM("trigger.flush", trigger.flush, FLUSH_ALL, flush, "flush scope",
         "cache_flush: every cache, the apiserver's token cache or the kubelets' webhook caches"),
    NONNEG("trigger.rate", trigger.rate, 0.0, "requests/s", "burst rate",
           "burst: requests per second"),
    ENUM("trigger.target", trigger.target, BURST_SA_REQUESTS, burst_target, "burst target",
         "sa_requests: API calls with fresh SA tokens (authentication filter path); tokenreview: "
         "TokenReview creates for fresh tokens; mutating: plain mutating requests"),
    INT("trigger.replica", trigger.replica, -1, -1, APISERVER_REPLICAS_MAX - 1, NULL,
        "restarted replica",
        "apiserver_restart: the one replica restarted (0 .. apiserver.replicas - 1), its clients "
        "moving to the others; -1: every replica"),

    GROUP("health", "the health predicate and the stability classification"),
    POS("health.window", health.window_s, 60.0, "s", "health window",
        "trailing window of the health predicate"),
    FRAC("health.min_heartbeat_success", health.min_heartbeat_success, 0.99,
         "minimum heartbeat success", "healthy needs at least this heartbeat success ratio"),
    FRAC("health.min_scrape_success", health.min_scrape_success, 0.99, "minimum scrape success",
         "healthy needs at least this scrape success ratio"),
    FRAC("health.min_sa_success", health.min_sa_success, 0.99, "minimum SA client success",
         "healthy needs at least this success ratio of the SA-token clients"),
    FRAC("health.max_mutating_fraction", health.max_mutating_fraction, 0.9,
         "maximum mutating fraction",
         "healthy needs the mean mutating inflight / cap of every sample in the window below "
         "this"),
    POS("health.recovery_window", health.recovery_window_s, 600.0, "s", "recovery window",
        "the operator's patience: a run recovered within it or not"),
    POS("health.trend_window", health.trend_window_s, 600.0, "s", "trend window",
        "trailing window of the outstanding-work trend test; at least health.window. A class "
        "is judged over 3 of them (or the episode's second half when longer); a run stops "
        "early as metastable after 3 sustained ones only while its backlog grows"),
    NONNEG("health.hold", health.hold_s, 300.0, "s", "health hold",
           "a recovery counts once health holds this long; a run stops as stable then"),

    GROUP("sweep", "parameter sweep (axes only when present)"),
    AXIS("sweep.x", sweep.x, "the first sweep axis (x)"),
    AXIS("sweep.y", sweep.y, "the second sweep axis (y); needs sweep.x"),
    AXIS("sweep.z", sweep.z, "the third sweep axis (z): one small map per value; needs x and y"),
    INT("sweep.replications", sweep.replications, 5, 1, INT_MAX, "runs", "replications",
        "runs per grid point, replication r with the same random streams at every point"),
    INT("sweep.refine", sweep.refine, 0, 0, INT_MAX, "levels", "refinement levels",
        "levels of adaptive refinement of the class boundaries (0: none)"),
    BOOL("sweep.common_random_numbers", sweep.common_random_numbers, true, "common random numbers",
         "true: the grid point is left out of the seed hash, so points differ only by their "
         "values"),

    GROUP("capacity", "avalanche capacity: the largest safe value of one key"),
    {.name = "capacity.key",
     .type = KEY_STRING,
     .off = P(capacity.key),
     .size = SZ(capacity.key),
     .label = "searched key",
     .doc = "the numeric config key whose largest (or smallest) safe value is searched",
     .default_text = "none"},
    DBL("capacity.from", capacity.from, 500, -INF, INF, 0, NULL, "safe end",
        "the end of the range expected safe (the search starts there)"),
    DBL("capacity.to", capacity.to, 20000, -INF, INF, 0, NULL, "unsafe end",
        "the end expected unsafe; from < to searches the largest safe value, from > to the "
        "smallest"),
    DBL("capacity.target", capacity.target, 0.9, 0, 0.999, KEY_F_MIN_EXCL, NULL, "target P(stable)",
        "a value is safe when P(stable) there is at least this, shown at capacity.confidence"),
    DBL("capacity.confidence", capacity.confidence, 0.95, 0, 1, KEY_F_MIN_EXCL, NULL, "confidence",
        "of the Clopper-Pearson interval each probe's verdict needs"),
    INT("capacity.batch", capacity.batch, 10, 1, 100000, "runs", "batch",
        "replications per round at a probe, run in parallel over -j"),
    INT("capacity.max_runs", capacity.max_runs, 60, 1, 1000000, "runs", "runs per probe",
        "a probe still undecided after this many runs counts as unsafe, and the result says so"),
    DBL("capacity.tolerance", capacity.tolerance, 0.01, 0, 1, KEY_F_MIN_EXCL, NULL, "tolerance",
        "the search stops when the bracket is this narrow, relative to |to - from| (an "
        "integer key: at adjacent integers at the narrowest)"),

    GROUP("plot", "charts: formats and title"),
    {.name = "plot.formats",
     .type = KEY_FORMATS,
     .off = P(plot.formats),
     .def = PLOT_PNG | PLOT_SVG | PLOT_PDF,
     .enums = &key_enum_formats,
     .label = "chart formats",
     .doc = "the formats every chart is written in: any of png, svg, pdf"},
    {.name = "plot.title",
     .type = KEY_STRING,
     .off = P(plot.title),
     .size = SZ(plot.title),
     .label = "chart title",
     .doc = "the title of every chart: the dashboard, the stability chart, compare; details go "
            "in the subtitle",
     .default_text = "the config file's name"},
    NONNEG("plot.width", plot.width_pt, 0, "pt", "chart width",
           "print size: every chart is laid out at this width, in points (1/72 in), fonts at "
           "their size in print (a paper's column: about 240; a page: about 470); 0: the screen "
           "size (720 and up)"),
    NONNEG("plot.height", plot.height_pt, 0, "pt", "chart height",
           "print size: the height in points; 0: what the layout needs at plot.width"),

    {.name = "interventions",
     .type = KEY_LIST,
     .off = P(ninterventions),
     .doc = "what operators do during the run, in order of time",
     .default_text = "none"},
    ELEMENT("at", KEY_DOUBLE, 0, 0, INF, 0, NULL, "s",
            "when it applies (simulated time); at least the previous one's at"),
    ELEMENT("set", KEY_VALUES, 0, 0, 0, 0, NULL, NULL,
            "list of \"KEY = VALUE\" strings: keys `avalanche keys` marks as settable mid-run"),
    ELEMENT("action", KEY_ENUM, 0, 0, 0, 0, &key_enum_intervention, NULL,
            "\"apiserver_restart\" (down for duration, then its set list applies) or "
            "\"cache_flush\""),
    ELEMENT("ramp", KEY_VALUES, 0, 0, 0, 0, NULL, NULL,
            "list of \"KEY = VALUE\" strings of numeric keys, reached linearly over duration "
            "(instead of set or action)"),
    ELEMENT("duration", KEY_DOUBLE, 0, 0, INF, KEY_F_MIN_EXCL, NULL, "s",
            "apiserver_restart: the downtime; ramp: its length"),
    ELEMENT("flush", KEY_ENUM, FLUSH_ALL, 0, 0, 0, &key_enum_flush, NULL,
            "cache_flush: all, apiserver or kubelet"),
    ELEMENT("replica", KEY_INT, -1, -1, APISERVER_REPLICAS_MAX - 1, 0, NULL, NULL,
            "apiserver_restart: the one replica restarted (0 .. apiserver.replicas - 1), its "
            "clients moving to the others at once and not back; absent or -1: every replica"),
};

#define NKEYS (sizeof table / sizeof table[0])

const key *keys_table(size_t *n)
{
    *n = NKEYS;
    return table;
}

const key *keys_find(const char *name)
{
    for (size_t i = 0; name && i < NKEYS; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

const char *keys_leaf(const key *k)
{
    const char *dot = strrchr(k->name, '.');
    return dot ? dot + 1 : k->name;
}

/* Length of the parent's name (0 at the top level). */
static size_t parent_len(const key *k)
{
    const char *dot = strrchr(k->name, '.');
    return dot ? (size_t)(dot - k->name) : 0;
}

static int is_child(const key *k, const key *group)
{
    if (k->flags & KEY_F_ELEMENT)
        return 0;
    size_t n = parent_len(k);
    if (!group)
        return n == 0;
    return n == strlen(group->name) && strncmp(k->name, group->name, n) == 0;
}

const key *keys_first_child(const key *group)
{
    const key *k = group ? group + 1 : table;
    return k < table + NKEYS && is_child(k, group) ? k : NULL;
}

const key *keys_next_sibling(const key *k)
{
    size_t plen = parent_len(k);
    const key *group = NULL;
    if (plen) { /* the parent row comes before its members */
        for (const key *g = k - 1; g >= table; g--)
            if (strlen(g->name) == plen && strncmp(g->name, k->name, plen) == 0) {
                group = g;
                break;
            }
    }
    for (const key *s = k + 1; s < table + NKEYS; s++) {
        if (is_child(s, group))
            return s;
        /* past the parent's members: the first row that is neither a member nor nested in one */
        if (group && strncmp(s->name, group->name, plen) != 0)
            return NULL;
    }
    return NULL;
}

int keys_is_group(const key *k)
{
    return k->type == KEY_GROUP || k->type == KEY_DIST || k->type == KEY_AXIS;
}

int keys_is_leaf(const key *k)
{
    return !keys_is_group(k) && !(k->flags & KEY_F_ELEMENT);
}

void keys_label(const key *k, char *buf, size_t n)
{
    const char *l = k->label ? k->label : k->name;
    if (k->unit)
        snprintf(buf, n, "%s (%s)", l, k->unit);
    else
        snprintf(buf, n, "%s", l);
}

void keys_defaults(params *p)
{
    memset(p, 0, sizeof *p);
    char *base = (char *)p;
    for (size_t i = 0; i < NKEYS; i++) {
        const key *k = &table[i];
        if (k->flags & KEY_F_ELEMENT)
            continue;
        char *f = base + k->off;
        switch (k->type) {
        case KEY_INT:
        case KEY_ENUM:
            *(int *)f = (int)k->def;
            break;
        case KEY_SEED:
            *(uint64_t *)f = (uint64_t)k->def;
            break;
        case KEY_DOUBLE:
            *(double *)f = k->def;
            break;
        case KEY_BOOL:
            *(bool *)f = k->def != 0;
            break;
        case KEY_FORMATS:
            *(unsigned *)f = (unsigned)k->def;
            break;
        default: /* groups, strings, lists: zero */
            break;
        }
    }
    /* A distribution's derived parameters, once its kind, mean and cv are in. */
    for (size_t i = 0; i < NKEYS; i++)
        if (table[i].type == KEY_DIST) {
            dist *d = (dist *)(base + table[i].off);
            dist_set(d, d->kind, d->mean, d->cv);
        }
}
