/* params: every model parameter as a plain, copyable struct, and the Kubernetes 1.12 defaults (L3).
 * Times in seconds, rates per second. The config layer (L4) fills and validates it; the model
 * reads it. Field comments name the config key and the source of the default
 * (see paper/k8s-facts.md); the key table (keys.c) holds the defaults themselves,
 * with units, ranges and meanings. */
#ifndef AVALANCHE_PARAMS_H
#define AVALANCHE_PARAMS_H

#include "dist.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sa_mode {
    SA_LOOKUP_LOOPBACK,  /* 1.12: live GETs through the rate-limited loopback client */
    SA_LOOKUP_INFORMER,  /* 1.14+ (PR #71816): informer first, loopback on a miss */
    SA_LOOKUP_UNLIMITED, /* 1.17+ (PR #80465): loopback GETs without a rate limit */
    SA_LOOKUP_COUNT
};

enum ms_auth {
    MS_AUTH_TOKEN,
    MS_AUTH_CERTIFICATE,
    MS_AUTH_COUNT
};

enum trigger_kind {
    TRIGGER_NONE,
    TRIGGER_BURST,
    TRIGGER_CACHE_FLUSH,
    TRIGGER_APISERVER_RESTART,
    TRIGGER_KIND_COUNT
};

enum flush_scope {
    FLUSH_ALL,
    FLUSH_APISERVER,
    FLUSH_KUBELET,
    FLUSH_COUNT
};

enum burst_target {
    BURST_SA_REQUESTS, /* API calls authenticated with fresh SA tokens (authn filter path) */
    BURST_TOKENREVIEW, /* TokenReview creates for fresh tokens (mutating pool) */
    BURST_MUTATING,    /* plain mutating requests (mutating pool, no authn cost) */
    BURST_TARGET_COUNT
};

enum axis_scale {
    SCALE_LINEAR,
    SCALE_LOG,
    SCALE_COUNT
};

enum plot_format {
    PLOT_PNG = 1,
    PLOT_SVG = 2,
    PLOT_PDF = 4
};

/* apiserver.admission: which policy decides admission (include/admission.h). */
enum admission_policy {
    ADMISSION_POLICY_MAX_INFLIGHT, /* 1.12: two loss pools (filters/maxinflight.go) */
    ADMISSION_POLICY_APF,          /* API Priority and Fairness (1.20+ default) */
    ADMISSION_POLICY_COUNT
};

/* The client classes a FlowSchema may match (apiserver.apf.flow_schemas[].match): the kubelet
 * heartbeat (GET node, PATCH status), the kubelet webhook's TokenReviews, pods with their own SA
 * tokens, the background clients, the trigger's burst. The loopback client is always exempt. */
enum client_class {
    CLIENT_HEARTBEAT,
    CLIENT_TOKENREVIEW,
    CLIENT_SA,
    CLIENT_BACKGROUND,
    CLIENT_BURST,
    CLIENT_CLASS_COUNT
};

/* FlowSchema distinguisher (in the order of admission.h's admission_distinguisher). */
enum flow_distinguisher {
    DISTINGUISH_USER,
    DISTINGUISH_NAMESPACE,
    DISTINGUISH_NONE,
    DISTINGUISH_COUNT
};

#define APF_LEVELS_MAX 16
#define APF_SCHEMAS_MAX 32
#define APF_NAME_MAX 48

/* A PriorityLevelConfiguration (apiserver.apf.priority_levels[]). */
typedef struct apf_level_param {
    char name[APF_NAME_MAX];
    int shares;                  /* NominalConcurrencyShares (AssuredConcurrencyShares < 1.26) */
    int queues;                  /* 0: reject at the limit (LimitResponse Reject) */
    int hand_size;               /* shuffle-sharding hand */
    int queue_length_limit;      /* requests per queue */
    int lendable_percent;        /* LendablePercent (1.26+), 0..100 */
    int borrowing_limit_percent; /* BorrowingLimitPercent (1.26+); -1: nil, no limit */
    bool exempt;                 /* type Exempt: never queued, never rejected */
} apf_level_param;

/* A FlowSchema (apiserver.apf.flow_schemas[]), matching client classes. */
typedef struct apf_schema_param {
    char name[APF_NAME_MAX];
    char level[APF_NAME_MAX]; /* the priority level's name */
    int precedence;           /* MatchingPrecedence: the lowest matching one wins */
    unsigned match;           /* bit set of enum client_class */
    int distinguisher;        /* enum flow_distinguisher */
} apf_schema_param;

#define AXIS_KEY_MAX 96
#define PLOT_TITLE_MAX 128
#define AXIS_VALUES_MAX 256
#define AXIS_CATS_MAX 16     /* categories of one axis */
#define AXIS_CAT_MAX 512     /* an enum name, or a config file's absolute path */
#define AXIS_CONFIG "config" /* the key of an axis over whole config files */

/* Interventions: what operators do during an outage (README, "Interventions"). */
#define INTERVENTIONS_MAX 64
#define INTERVENTION_SETS_MAX 4
#define INTERVENTION_TEXT_MAX 128

/* apiserver.replicas at most (a server's index is a byte in its requests). */
#define APISERVER_REPLICAS_MAX 64

enum intervention_kind {
    INTERVENE_SET,     /* set config keys on the running state */
    INTERVENE_RESTART, /* apiserver_restart: down for duration, then its sets apply */
    INTERVENE_FLUSH,   /* cache_flush of scope flush */
    INTERVENE_RAMP,    /* sets reached linearly over duration (numeric keys) */
    INTERVENE_KIND_COUNT
};

/* One "key = value" of an intervention, resolved by the config layer: the value is stored
 * through off/type into the model's own copy of params (type: 0 int, 1 double, 2 bool, 3 enum). */
typedef struct intervention_set {
    char key[AXIS_KEY_MAX];
    char text[INTERVENTION_TEXT_MAX]; /* as written back: key = value */
    size_t off;
    int type;
    double value;
} intervention_set;

typedef struct intervention {
    double at_s;
    enum intervention_kind kind;
    double duration_s; /* restart: downtime; ramp: length */
    int flush;         /* cache_flush: enum flush_scope */
    int replica;       /* apiserver_restart: the replica restarted; -1: every replica */
    int nsets;
    intervention_set sets[INTERVENTION_SETS_MAX];
} intervention;

typedef struct axis {
    bool present;           /* the group exists in the config */
    char key[AXIS_KEY_MAX]; /* dotted config key swept, e.g. "cluster.nodes" */
    double from, to;        /* used when nvalues == 0 */
    int steps;              /* number of grid values from..to inclusive (>= 1) */
    enum axis_scale scale;  /* linear or log spacing of from..to */
    int nvalues;            /* > 0: explicit values, from/to/steps unused */
    double values[AXIS_VALUES_MAX];
    /* > 0: a categorical axis (an enum or bool key, or AXIS_CONFIG): values[i] = i names
     * cats[i], an enum name, "true"/"false", or a config file's absolute path. Never refined. */
    int ncats;
    char cats[AXIS_CATS_MAX][AXIS_CAT_MAX];
} axis;

typedef struct params {
    struct {
        double duration_s;     /* sim.duration: judging may end from here on (warm-up included) */
        double max_duration_s; /* sim.max_duration: a run still draining goes on to here */
        double warmup_s;       /* sim.warmup: discarded from every count */
        uint64_t seed;         /* sim.seed */
        double sample_interval_s; /* sim.sample_interval */
        bool warm_start;          /* sim.warm_start: caches filled, expiries spread (MODEL 4) */
        double epoch_s;           /* sim.epoch: Unix time of simulated time 0 in timeseries.om */
    } sim;
    struct {
        int nodes; /* cluster.nodes */
    } cluster;
    struct {
        int replicas; /* apiserver.replicas: behind a load balancer, each with its own state */
        int max_requests_inflight;          /* 400, k8s.io/apiserver server/config.go NewConfig */
        int max_mutating_requests_inflight; /* 200, same */
        double request_timeout_s;           /* 60, timeout filter (slot held until return) */
        double create_timeout_s;            /* 30, handlers/rest.go finishRequest default */
        double retry_after_s;               /* 1, maxinflight.go Retry-After on 429 */
        dist service_time;                  /* handler time per admitted request (U: assumed) */
        struct {
            double success_ttl_s; /* 10, TokenSuccessCacheTTL (PR #50258) */
            double failure_ttl_s; /* 0, TokenFailureCacheTTL */
            bool coalesce;        /* false; 1.18 singleflight (PR #85242) */
            int max_entries;      /* 4096: 32 stripes x LRU(128), 1.9-1.16; 0: unbounded (1.17+) */
        } token_cache;
        struct {
            enum sa_mode mode; /* apiserver.sa_lookup.mode: "loopback" | "informer" | "unlimited" */
            int gets_per_validation; /* 2: Secret then ServiceAccount (legacy.go Validate) */
            double informer_miss;    /* informer mode: fraction that falls back to loopback */
            dist get_time;           /* service time of one loopback GET (U: assumed) */
            double fail_after_s;     /* ASSUMPTION, 0: never (1.12). A validation whose GET is
                                      * granted this long after it started fails */
        } sa_lookup;
        struct {
            double qps; /* 50, config_selfclient.go; 0: no limit (1.17+) */
            int burst;  /* 100 */
        } loopback;
        int admission; /* apiserver.admission: enum admission_policy */
        struct {
            double max_queue_wait_s; /* 0: request_timeout / 4 (server/options/recommended.go) */
            int nlevels;
            apf_level_param levels[APF_LEVELS_MAX];
            int nschemas;
            apf_schema_param schemas[APF_SCHEMAS_MAX];
        } apf;
        struct {
            int cores;            /* 0: no CPU contention (no Kubernetes default fixes it) */
            double reject_cost_s; /* CPU seconds one 429 costs */
        } cpu;
    } apiserver;
    struct {
        double webhook_cache_ttl_s;   /* 120, --authentication-token-webhook-cache-ttl */
        double webhook_failure_ttl_s; /* 120, 1.12 caches authenticated=false for the TTL too */
        struct {
            int attempts;     /* 5, webhook.go WithExponentialBackoff Steps */
            double initial_s; /* 0.5 */
            double factor;    /* 1.5 */
            double jitter;    /* 0.2: sleep x (1 + U[0, jitter)) */
        } retry;
        struct {
            double interval_s;        /* 10, NodeStatusUpdateFrequency */
            double timeout_s;         /* 10, heartbeat client Timeout per HTTP request */
            double not_ready_after_s; /* 40, --node-monitor-grace-period */
            int tries;                /* 5, nodeStatusUpdateRetry (U: from memory) */
        } heartbeat;
        double api_qps; /* 5, --kube-api-qps of the kubelet's main client (TokenReviews) */
        int api_burst;  /* 10, --kube-api-burst */
    } kubelet;
    struct {
        int max_tries; /* 10, client-go rest/request.go maxRetries: tries on 429 + Retry-After */
    } client_go;
    struct {
        bool enabled;            /* metrics_server.enabled */
        enum ms_auth auth;       /* "token" (one shared SA token) | "certificate" */
        double resolution_s;     /* 60, --metric-resolution */
        double delay_per_node_s; /* 0.008: start delay U[0, min(delay_per_node N, max_delay)) */
        double max_delay_s;      /* 4.0 */
        double timeout_fraction; /* 0.9: scrape deadline = tick + fraction x resolution */
    } metrics_server;
    struct {
        int tokens; /* distinct tokens = tokens + tokens_per_node x nodes */
        double tokens_per_node;
        double rate; /* total Poisson rate = rate + rate_per_node x nodes */
        double rate_per_node;
        double zipf;              /* 0: uniform over tokens; s > 0: Zipf law with exponent s */
        double mutating_fraction; /* share of their requests in the mutating pool */
    } sa_clients;
    struct {
        double mutating_rate; /* Poisson, requests/s */
        double readonly_rate;
        bool retry_429; /* client-go retries after Retry-After, at most client_go.max_tries */
    } background;
    struct {
        enum trigger_kind kind;
        double at_s;       /* trigger start (absolute simulated time) */
        double duration_s; /* burst length or apiserver downtime; 0 for a flush */
        enum flush_scope flush;
        double rate; /* burst: requests/s */
        enum burst_target target;
        int replica; /* apiserver_restart: the replica restarted; -1: every replica */
    } trigger;
    struct {
        double window_s; /* trailing window of the health predicate */
        double min_heartbeat_success;
        double min_scrape_success;
        double min_sa_success;
        double max_mutating_fraction; /* mean mutating inflight / cap, per sample, in the window */
        double recovery_window_s;     /* the operator's patience: recovered within it or not */
        double trend_window_s;        /* trailing window of the outstanding-work trend test */
        double hold_s;                /* a run stops as stable once health has held this long */
    } health;
    struct {
        axis x, y, z; /* z: small multiples, needs x and y */
        int replications;
        int refine;                 /* adaptive refinement levels (0: none) */
        bool common_random_numbers; /* true: the grid point is left out of the seed hash */
    } sweep;
    struct {
        unsigned formats;           /* bit set of enum plot_format */
        char title[PLOT_TITLE_MAX]; /* plot.title; "" (no config file): config_title's default */
        double width_pt, height_pt; /* print size of every chart, points; 0: the screen size */
    } plot;
    struct {
        char key[AXIS_KEY_MAX]; /* capacity.key: the numeric key searched; "" none */
        double from, to;        /* the range: from is expected safe, to unsafe */
        double target;          /* P(stable) required */
        double confidence;      /* of the Clopper-Pearson interval */
        int batch;              /* replications per round at a probe */
        int max_runs;           /* per probe */
        double tolerance;       /* float key: the bracket's width, relative to |to - from| */
    } capacity;
    int ninterventions; /* interventions[0..n), in order of at_s */
    intervention interventions[INTERVENTIONS_MAX];
} params;

/* Fills p with the built-in defaults, the default of every row of the key table (keys.h): the
 * Kubernetes 1.12 defaults (5000 nodes, every cache flushed at 600 s, no other SA-token traffic;
 * configs/k8s-1.12-incident.cfg adds that traffic). */
void params_defaults(params *p);
/* The other SA-token traffic in requests/s: sa_clients.rate + rate_per_node x cluster.nodes. */
double params_sa_rate(const params *p);

const char *sa_mode_name(enum sa_mode m);
const char *ms_auth_name(enum ms_auth a);
const char *trigger_kind_name(enum trigger_kind k);
const char *flush_scope_name(enum flush_scope f);
const char *burst_target_name(enum burst_target t);
const char *axis_scale_name(enum axis_scale s);
const char *intervention_kind_name(enum intervention_kind k);
const char *client_class_name(enum client_class c);
/* "apiserver_restart 30 s", "cache_flush all", "metrics_server.auth = \"certificate\"", ... */
void intervention_describe(const intervention *v, char *buf, size_t n);

#endif
