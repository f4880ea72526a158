/* model/k8s/ (layer L3), k8s: what the actors of the Kubernetes model share (internal to
 * model/k8s/; public API: include/model.h). The world (world.c) holds the engine, the random
 * streams, the client-go calls, an array of apiservers (server objects: apiserver.c, its
 * authentication in authn.c, its admission behind include/admission.h) and the state of each other
 * actor: kubelets (kubelet.c), metrics-server (metrics_server.c), the clients (clients.c), triggers
 * and interventions (triggers.c), sampling (sampling.c). Each declares here what the others call.
 * Files here include this header, the L0-L2 headers and model.h / params.h; nothing above L3.
 * The few static inline helpers below are on every request's path (call_response, call_new,
 * the kind columns): splitting the model into files lost them their inlining. Facts and sources:
 * paper/k8s-facts.md. No work here is O(nodes) per event: only the metrics-server tick and the
 * triggers touch every node, once each.
 *
 * Where things go. A new client type: a row of K8S_KINDS (here), its arrivals and how its calls
 * end (call_done) in clients.c, its counters in model.h, its rates' interventions in triggers.c's
 * table. A new admission policy: model/k8s/admission_<policy>.c over admission_impl.h, its
 * constructor in include/admission.h, the choice of policy in server_init (apiserver.c). Replicas:
 * world.c's nservers, route() and the connections' replicas in clients.c, the restart of one in
 * triggers.c. */
#ifndef AVALANCHE_K8S_H
#define AVALANCHE_K8S_H

#include "admission.h"
#include "gauge.h"
#include "model.h"
#include "params.h"
#include "pool.h"
#include "ps.h"
#include "retry.h"
#include "rng.h"
#include "sim.h"
#include "tbucket.h"
#include "tqueue.h"
#include "ttlcache.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- request kinds: one row each ----
 * X(name, requestKind, subject, sa_authn, review, node, cls):
 *   requestKind  admission_kind: which max-inflight pool (ADMISSION_ prefix left out)
 *   subject      admission_subject: who sends it
 *   sa_authn     it authenticates with its own SA token in the authn filter, before admission
 *   review       it is a TokenReview create (of the token in sreq.token)
 *   node         a kubelet sends it for its node: its call has call.node
 *   cls          client_class (CLIENT_ prefix left out): what APF's FlowSchemas match
 * Rows: the kubelet webhook's TokenReview, the kubelet heartbeat's GET node and PATCH status,
 * pods with their own SA token (read-only, mutating), other clients with certificates, and the
 * trigger's bursts (SA requests with fresh tokens, TokenReviews of fresh tokens, mutating). */
#define K8S_KINDS(X)                                                                               \
    X(K_TOKENREVIEW, MUTATING, NODES, false, true, true, TOKENREVIEW)                              \
    X(K_HB_GET, READONLY, NODES, false, false, true, HEARTBEAT)                                    \
    X(K_HB_PATCH, MUTATING, NODES, false, false, true, HEARTBEAT)                                  \
    X(K_SA_RO, READONLY, SERVICE_ACCOUNTS, true, false, false, SA)                                 \
    X(K_SA_MUT, MUTATING, SERVICE_ACCOUNTS, true, false, false, SA)                                \
    X(K_BG_RO, READONLY, USERS, false, false, false, BACKGROUND)                                   \
    X(K_BG_MUT, MUTATING, USERS, false, false, false, BACKGROUND)                                  \
    X(K_BURST_SA, READONLY, SERVICE_ACCOUNTS, true, false, false, BURST)                           \
    X(K_BURST_TR, MUTATING, NODES, false, true, false, BURST)                                      \
    X(K_BURST_MUT, MUTATING, USERS, false, false, false, BURST)

#define K8S_KIND_ENUM(name, rk, subj, sa, rev, nd, cls) name,
enum kind {
    K8S_KINDS(K8S_KIND_ENUM) K_COUNT
};
#undef K8S_KIND_ENUM

/* The columns as arrays indexed by kind (one byte or one class each: these are read on every
 * request's path). */
#define K8S_KIND_CLASS(name, rk, subj, sa, rev, nd, cls)                                           \
    [name] = {.kind = ADMISSION_##rk, .subject = ADMISSION_##subj, .flow_class = CLIENT_##cls},
static const admission_class kind_classes[K_COUNT] = {K8S_KINDS(K8S_KIND_CLASS)};
#undef K8S_KIND_CLASS
#define K8S_KIND_SA(name, rk, subj, sa, rev, nd, cls) [name] = sa,
#define K8S_KIND_REVIEW(name, rk, subj, sa, rev, nd, cls) [name] = rev,
#define K8S_KIND_NODE(name, rk, subj, sa, rev, nd, cls) [name] = nd,
static const bool kind_sa_authn[K_COUNT] = {K8S_KINDS(K8S_KIND_SA)};
static const bool kind_review[K_COUNT] = {K8S_KINDS(K8S_KIND_REVIEW)};
static const bool kind_node[K_COUNT] = {K8S_KINDS(K8S_KIND_NODE)};
#undef K8S_KIND_SA
#undef K8S_KIND_REVIEW
#undef K8S_KIND_NODE

static inline bool kind_mutating(unsigned k)
{
    return kind_classes[k].kind == ADMISSION_MUTATING;
}

/* What a client gets back for one HTTP request. */
enum status {
    ST_OK,
    ST_429,
    ST_504,
    ST_CONN,
    ST_UNAUTH /* 401, or a TokenReview answered authenticated = false */
};

/* Token ids: 0 is metrics-server's, 1..T the SA clients', fresh ones (burst) from FRESH_BASE. */
#define METRICS_TOKEN 0u
#define FRESH_BASE (1ull << 40)

/* Objects refer to each other by pool id (NO_ID: none). */
#define NO_ID UINT32_MAX

/* A client-go call: up to max_tries HTTP requests, one at a time. A kubelet TokenReview call
 * is also its webhook retry loop: it lives across the loop's attempts. 24 bytes: the config
 * bounds client_go.max_tries and kubelet.retry.attempts by 65535. */
typedef struct call {
    pool_hdr h;
    uint8_t kind;
    bool retry_429;
    bool scrape_waiting; /* webhook loop: the scrape that started it still waits for it */
    uint16_t tries;      /* requests sent */
    uint16_t attempt;    /* webhook loop: attempts made */
    union {
        uint64_t token; /* SA-token, background and burst calls */
        struct {
            uint32_t node; /* heartbeat and TokenReview calls */
            union {
                uint32_t tick;       /* webhook loop: the metrics-server tick of its scrape */
                uint32_t tries_left; /* heartbeat: tries left in this cycle, this one too */
            };
        };
    };
} call;

/* Where a server request is (apiserver.c has the transition table). A request holds an
 * admission seat exactly in RS_VALIDATING and RS_SERVICE. */
enum rstate {
    RS_ARRIVED,    /* just created: on its way through authentication and admission */
    RS_AUTHN,      /* in the authn filter, waiting for the validation of its own token */
    RS_QUEUED,     /* waiting in the admission's queue (a policy that queues) */
    RS_REJECTING,  /* rejected with 429, paying the rejection's CPU cost first */
    RS_VALIDATING, /* admitted TokenReview waiting for the validation of the reviewed token */
    RS_SERVICE     /* the handler's work */
};

static inline bool rstate_holds_seat(unsigned st)
{
    return st >= RS_VALIDATING;
}

/* A request inside an apiserver, 64 bytes with its links: to its validation's waiters, and to
 * the timeout lists it is in. */
typedef struct sreq {
    pool_hdr h;
    uint8_t kind;
    uint8_t state;   /* enum rstate */
    uint8_t server;  /* index of its apiserver in the world */
    bool answered;   /* a response (or a timeout) went to the client */
    bool in_filter;  /* in the 60 s filter timeout list (f_prev, f_next) */
    bool in_x;       /* in the create or the heartbeat timeout list (x_prev, x_next) */
    bool unauth;     /* authentication failed: the answer is 401 / authenticated = false */
    uint32_t client; /* call id; NO_ID once the client has its answer or left */
    uint32_t val;    /* validation waited for */
    uint32_t wprev, wnext;
    uint32_t f_prev, f_next, x_prev, x_next;
    uint64_t token;
    double t0;
} sreq;

/* An SA validation: gets_per_validation GETs through the loopback limiter. */
typedef struct val {
    pool_hdr h;
    uint64_t token;
    double t0; /* start, for apiserver.sa_lookup.fail_after */
    int gets_left;
    bool waited;      /* sits in the loopback backlog */
    bool slot;        /* the current GET holds a read-only seat */
    bool orphaned;    /* counted in its server's orphaned */
    uint8_t server;   /* index of its apiserver */
    uint32_t waiters; /* first waiting request (NO_ID: none) */
} val;

/* A node is 40 bytes, and its timers live in shared structures, not in the event set: the
 * heartbeat cycle in a FIFO ring (kubelets.tq_cycle), the NotReady deadline as its place in the
 * ready list, a scrape as an entry of the tick's sorted array. */
typedef struct node {
    double last_ok;      /* last successful status PATCH */
    double cache_expiry; /* kubelet webhook cache entry for metrics-server's token */
    tbucket_state api;   /* kubelet main client: --kube-api-qps / --kube-api-burst */
    uint32_t prev, next; /* ready list, oldest last_ok first (NO_NODE: none); NotReady nodes
                          * are not in it, and have prev == NOT_LISTED */
} node;

#define NO_NODE UINT32_MAX
#define NOT_LISTED (UINT32_MAX - 1)

/* Node `node` is due at time t (a scrape, or the first heartbeat); seq orders equal times in
 * the order they were drawn. */
typedef struct due {
    double t;
    uint32_t node, seq;
} due;

/* The sizes the memory budget counts on (64-bit): a node, a call, a validation, a request. */
_Static_assert(sizeof(void *) != 8 ||
                   (sizeof(node) == 40 && sizeof(call) == 24 && sizeof(sreq) == 64),
               "object sizes changed: recheck the memory per node (make bench)");
_Static_assert(sizeof(void *) != 8 || sizeof(val) == 40, "validation size changed");

typedef struct world world;
typedef struct server server;

/* A timeout list: requests in order of arrival, so in order of deadline (t0 + timeout), with
 * one engine event for the head. A request leaves the list when it is freed (O(1), no dead
 * entries to skip); the event is re-armed lazily when the head has left. */
enum tlist_kind {
    TL_FILTER, /* the timeout filter (request_timeout, f links) */
    TL_CREATE, /* the create handler of a TokenReview (create_timeout, x links) */
    TL_HB      /* the heartbeat client's own timeout (x links) */
};

typedef struct tlist {
    server *srv;
    uint32_t head, tail;
    double timeout_s;
    bool armed;
    uint8_t kind; /* enum tlist_kind */
} tlist;

/* ---- the apiserver: every piece of per-replica state ---- */

struct server {
    world *w;
    uint8_t index;     /* in w->servers */
    pool sreqs, vals;  /* its requests and SA validations */
    admission *adm;    /* max-inflight or APF (apiserver.admission) */
    sim_handle adm_ev; /* the admission's wake-up (a policy that queues) */
    /* A policy that queues: when each TokenReview's create handler started (by request id),
     * the create timeout's start; NULL: at arrival (max-inflight never queues). */
    double *create_start;
    uint32_t create_start_cap;
    double *apf_rej_mark; /* per level: its rejections at the previous sample */
    ttlcache *tc;         /* the token cache */
    /* the loopback client: its limiter, the FIFO of reservations waiting, their gauge */
    tbucket loopback;
    bool lb_limited;
    tqueue tq_loopback;
    int lbq;
    gauge g_lbq;
    double lb_wait_sum; /* over reservations made since the last sample */
    tlist tl_filter, tl_create, tl_hb;
    bool use_cpu;
    ps cpu;
    sim_handle cpu_ev;
    double cpu_busy_mark;
    int down;     /* restarts in progress (down while > 0) */
    int orphaned; /* validations nobody waits for */
    /* requests reaching its admission and its 429s: running totals, and at the last sample */
    double n_req, n_rej, mark_req, mark_rej;
};

/* ---- the other actors' state ---- */

typedef struct kubelets {
    node *nodes;
    int n;
    uint32_t ready_head, ready_tail; /* ready nodes by last_ok: the NotReady deadlines */
    /* Stale status: a ready node whose last successful PATCH is older than stale_thr (the last
     * sample's time minus interval + timeout) lies before stale_front in the ready list (which is
     * in order of last_ok), and is counted in stale_ready. */
    uint32_t stale_front;
    int stale_ready;
    double stale_thr;
    int not_ready;
    bool watchdog_armed;
    tqueue tq_cycle; /* heartbeat cycles due, by node */
    retry webhook_retry;
} kubelets;

typedef struct metrics_server {
    uint32_t *scr_waiting;                      /* per tick (ring): scrapes still waiting */
    uint32_t tick_lo, tick_hi, scr_waiting_cap; /* ticks [tick_lo, tick_hi) not yet expired */
    due *scr;                                   /* scrapes due, sorted by (t, seq), from scr_pos */
    size_t scr_n, scr_pos, scr_cap;
    uint32_t scr_seq;
    sim_handle scr_ev;
    bool ticking;
} metrics_server;

typedef struct clients {
    tqueue tq_retry; /* calls waiting out a Retry-After */
    bool burst_on;
    uint64_t next_fresh;
    uint64_t sa_tokens;
    double sa_rate;
    gsl_ran_discrete_t *zipf;
    bool sa_running, bg_running[2];
} clients;

/* Which replica each long-lived connection is on, only with more than one replica:
 * a kubelet's (its heartbeats and the TokenReviews of its webhook authenticator share it), and
 * each SA-token pod's, by token. Drawn from RNG_REPLICA at set-up; a connection moves when its
 * replica goes down, to a live replica drawn uniformly, and stays there. */
typedef struct replicas {
    uint8_t *node;  /* per node */
    uint8_t *token; /* per SA token 1..sa_tokens (index 0 unused) */
    uint64_t ntokens;
} replicas;

typedef struct sampler {
    double last[C_COUNTER_COUNT]; /* the counters at the previous sample */
    double tr_lat_sum;            /* over TokenReviews answered since the last sample */
    double sample_start;
    run_output *out;
    size_t cap_samples;
    size_t cap_apf; /* samples out->apf has room for */
    model_sample_hook hook;
    void *hook_ctx;
} sampler;

struct world {
    const params *p; /* = &pv */
    params pv;       /* the world's own copy of its parameters: interventions change it */
    sim *s;
    gsl_rng *r[RNG_STREAM_COUNT];
    pool calls;
    server *servers; /* apiserver.replicas of them */
    int nservers;
    replicas rep; /* with nservers > 1 */
    kubelets kl;
    metrics_server ms;
    clients cl;
    sampler smp;
    double cum[C_COUNTER_COUNT]; /* running totals of the counters every actor counts into */
    double horizon_s;            /* max(sim.duration, sim.max_duration) */
    double *ramp_from;           /* per intervention set: the value a ramp started from */
};

/* ---- small helpers ---- */

static inline double now(const world *w)
{
    return sim_now(w->s);
}

static inline void count(world *w, enum counter c)
{
    w->cum[c] += 1.0;
}

static inline double unif(world *w, unsigned stream)
{
    return gsl_rng_uniform(w->r[stream]);
}

/* Server s's request with this id (live or not). */
static inline sreq *sreq_at(server *s, uint32_t id)
{
    return pool_at(&s->sreqs, id);
}

/* Pooled objects do not point back to the world: the engine's context does. */
static inline world *world_of_sim(sim *s)
{
    return sim_context(s);
}

/* ---- apiserver.c: the server object ---- */

/* What a server's work item is when it completes (the tag of its engine or CPU job). */
enum work {
    W_SREQ,  /* a request's handler */
    W_GET,   /* a validation's loopback GET */
    W_REJECT /* the CPU cost of a 429 */
};

void server_init(server *s, world *w, uint8_t index);
void server_destroy(server *s);
/* A request of call c arrives (refused while the server is down). */
void server_arrive(server *s, call *c);
/* Work of work_s seconds for obj (a live request or validation of s): a delay, or CPU time
 * under processor sharing. */
void server_work(server *s, double work_s, void *obj, enum work w);
void server_lbq_add(server *s, int d);
/* The end of authentication for a request that waited for it (authn.c calls these). */
void sreq_authn_done(server *s, sreq *r);
void sreq_authn_failed(server *s, sreq *r);
/* A restart: everything in flight is lost (down), then a new process (up). Restarts nest. */
void server_down(server *s);
void server_up(server *s);
/* An intervention changed the caps (applied at once unless down). */
void server_caps_changed(server *s);
/* rs (NULL: one replica): this server's own part of the sample. */
void server_sample(server *s, double t, double span, sample *x, replica_sample *rs);
/* APF: adds the per-level series (enum apf_series) over the span before t to
 * out[level * APF_SERIES_COUNT + series]. */
void server_sample_apf(server *s, double t, double span, double *out);

/* ---- authn.c: the server's authentication ---- */

void authn_init(server *s);
void authn_destroy(server *s);
/* Starts authenticating r's token: 1 authenticated at once (cache hit or a local informer
 * lookup), 0 r now waits for a validation (sreq_authn_done or sreq_authn_failed follows), -1
 * failed at once (a cached failure). */
int authn_begin(server *s, sreq *r);
/* r stops waiting for its validation (which is orphaned when r was its last waiter). */
void authn_detach(server *s, sreq *r);
/* A validation's GET completed (W_GET). */
void authn_get_done(server *s, val *v);
/* Restart: every validation and reservation dropped; then the new process's limiter and cache. */
void authn_drop_all(server *s);
void authn_restart(server *s);
/* Warm start: the token cache holds metrics-server's token (when used) and tokens 1..sa_tokens,
 * with expiries spread uniformly over the TTL (RNG_INIT draws, in that order). */
void server_warm(server *s, bool metrics_token, uint64_t sa_tokens);
void server_lookup_changed(server *s);
void server_flush_token_cache(server *s);

/* ---- clients.c: client-go calls, the open-loop clients ---- */

void clients_init(world *w);
void clients_destroy(world *w);
/* The first arrivals (set-up). */
void clients_start(world *w);
/* An intervention changed the SA clients' or the background rates. */
void clients_sa_changed(world *w);
void clients_bg_changed(world *w);
/* A new call of kind k (inline: every retry of a heartbeat makes one). */
static inline call *call_new(world *w, enum kind k, uint64_t token, bool retry_429)
{
    call *c = pool_get(&w->calls);
    c->kind = (uint8_t)k;
    c->token = token;
    c->retry_429 = retry_429;
    return c;
}
void call_send(world *w, call *c);
/* c is over: its owner (by kind) hears how it ended; it is freed. */
void call_done(world *w, call *c, enum status st);
/* The answer to c's current request (or a connection error, or its own client's timeout).
 * Inline: the 429 storm runs through here. */
static inline void call_response(world *w, call *c, enum status st)
{
    if (st == ST_429 && c->retry_429 && c->tries < w->p->client_go.max_tries) {
        /* client-go request(): a 429 with Retry-After is retried after that many seconds; the
         * same delay for every call, so the retries wait in a ring. */
        tqueue_push(&w->cl.tq_retry, now(w) + w->p->apiserver.retry_after_s, c->h.id);
        return;
    }
    call_done(w, c, st);
}
/* The server could not take c's request: a connection error, delivered as an event. */
void call_refused(world *w, call *c);
void burst_start(world *w);
void burst_stop(world *w);
/* With more than one replica: the connections' first replicas (set-up, after the kubelets and
 * clients); every connection on a down replica moves to a uniformly drawn live one (all: every
 * connection, as after a restart of every replica); none move when no replica is live. */
void replicas_init(world *w);
void replicas_move(world *w, bool all);
void replicas_destroy(world *w);

/* ---- kubelet.c ---- */

void kubelet_init(world *w);
void kubelet_destroy(world *w);
void kubelet_set_retry(world *w);
/* A webhook loop's attempt ended with st (the loop frees itself when it ends); a heartbeat's
 * call ended with st (its caller frees it). */
void wloop_result(world *w, call *loop, enum status st);
void hb_result(world *w, call *c, enum status st);
/* metrics-server scrapes node i: the kubelet's webhook cache, or a new webhook loop. */
void kubelet_scrape(world *w, uint32_t i);
void kubelet_flush_cache(world *w);
/* Nodes whose status is stale at t (sampling), NotReady ones included. */
double kubelet_stale(world *w, double t);
static inline bool node_not_ready(const node *n)
{
    return n->prev == NOT_LISTED;
}

/* ---- metrics_server.c ---- */

void ms_start(world *w);
void ms_resume(world *w);
void ms_destroy(world *w);
void ms_scrape_result(world *w, bool ok);
/* The latest tick, whose deadline a new webhook loop's scrape takes. */
uint32_t ms_latest_tick(const world *w);
/* A scrape of tick waits for a webhook loop: false (and nothing counted) when its deadline has
 * passed already. */
bool ms_scrape_wait(world *w, uint32_t tick);
/* A waiting scrape of tick got its answer: counted, unless the deadline counted it failed. */
void ms_scrape_done(world *w, uint32_t tick, bool ok);
/* Sorts by (t, seq), in place. */
void due_sort(due *a, size_t n);
/* At set-up: the scrape array (room for n), for the kubelets to sort their first phases in; its
 * contents are dropped at the first tick. */
due *ms_scrape_array(world *w, size_t n);

/* ---- triggers.c, sampling.c ---- */

void triggers_init(world *w);
void triggers_start(world *w);
void triggers_destroy(world *w);
void sampling_init(world *w, run_output *out, model_sample_hook hook, void *hook_ctx);

#endif
