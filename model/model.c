/* model: the Kubernetes 1.12 control plane under ServiceAccount-token load, on the engine (L3).
 * Clients (kubelet webhook loops, heartbeats, metrics-server, SA-token pods, background) make
 * client-go calls; a call sends server requests (sreq) one at a time; the apiserver runs
 * authentication (token cache, SA validation through the loopback limiter), max-inflight and the
 * handler. Facts and their sources: paper/k8s-facts.md. No work here is O(nodes)
 * per event: only the metrics-server tick and the triggers touch every node, once each. */
#include "model.h"

#include "admission.h"
#include "dist.h"
#include "err.h"
#include "pool.h"
#include "ps.h"
#include "retry.h"
#include "rng.h"
#include "sim.h"
#include "tbucket.h"
#include "tqueue.h"
#include "ttlcache.h"
#include "xmem.h"

#include <gsl/gsl_heapsort.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Request kinds: which pool, whether the request authenticates with its own SA token in the
 * authn filter (before max-inflight), and whether it is a TokenReview. */
enum kind {
    K_TOKENREVIEW, /* kubelet webhook: create TokenReview (mutating) */
    K_HB_GET,      /* kubelet heartbeat: GET node (read-only) */
    K_HB_PATCH,    /* kubelet heartbeat: PATCH node/status (mutating) */
    K_SA_RO,       /* pod with its own SA token */
    K_SA_MUT,
    K_BG_RO, /* other clients (certificate auth) */
    K_BG_MUT,
    K_BURST_SA, /* trigger traffic */
    K_BURST_TR,
    K_BURST_MUT,
    K_COUNT
};

static const bool kind_mutating[K_COUNT] = {true,  false, true,  false, true,
                                            false, true,  false, true,  true};
static const bool kind_sa_authn[K_COUNT] = {false, false, false, true,  true,
                                            false, false, true,  false, false};
static const bool kind_review[K_COUNT] = {true,  false, false, false, false,
                                          false, false, false, true,  false};
/* Who sends it, for admission (the burst's TokenReviews stand for more kubelets). */
static const uint8_t kind_subject[K_COUNT] = {ADMISSION_NODES,
                                              ADMISSION_NODES,
                                              ADMISSION_NODES,
                                              ADMISSION_SERVICE_ACCOUNTS,
                                              ADMISSION_SERVICE_ACCOUNTS,
                                              ADMISSION_USERS,
                                              ADMISSION_USERS,
                                              ADMISSION_SERVICE_ACCOUNTS,
                                              ADMISSION_NODES,
                                              ADMISSION_USERS};

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

enum work {
    W_SREQ,
    W_GET,
    W_REJECT
};

typedef struct sreq sreq;
typedef struct val val;

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

/* Objects refer to each other by pool id (NO_ID: none), so a request is 64 bytes with its
 * links: to its validation's waiters, and to the timeout lists it is in. */
#define NO_ID UINT32_MAX

struct sreq {
    pool_hdr h;
    uint8_t kind;
    bool answered; /* a response (or a timeout) went to the client */
    bool slot;     /* holds a max-inflight slot */
    bool in_service;
    bool in_filter;  /* in the 60 s filter timeout list (f_prev, f_next) */
    bool in_x;       /* in the create or the heartbeat timeout list (x_prev, x_next) */
    bool unauth;     /* authentication failed: the answer is 401 / authenticated = false */
    uint32_t client; /* call id; NO_ID once the client has its answer or left */
    uint32_t val;    /* validation waited for */
    uint32_t wprev, wnext;
    uint32_t f_prev, f_next, x_prev, x_next;
    uint64_t token;
    double t0;
};

struct val {
    pool_hdr h;
    uint64_t token;
    double t0; /* start, for apiserver.sa_lookup.fail_after */
    int gets_left;
    bool waited;      /* sits in the loopback backlog */
    bool slot;        /* the current GET holds a read-only slot */
    bool orphaned;    /* counted in m->orphaned */
    uint32_t waiters; /* first waiting request (NO_ID: none) */
};

/* A node is 40 bytes, and its timers live in shared structures, not in the event set: the
 * heartbeat cycle in a FIFO ring (tq_cycle), the NotReady deadline as its place in the ready
 * list, a scrape as an entry of the tick's sorted array. */
typedef struct node {
    double last_ok;      /* last successful status PATCH */
    double cache_expiry; /* kubelet webhook cache entry for metrics-server's token */
    tbucket_state api;   /* kubelet main client: --kube-api-qps / --kube-api-burst */
    uint32_t prev, next; /* ready list, oldest last_ok first (NO_NODE: none); NotReady nodes
                          * are not in it, and have prev == NOT_LISTED */
} node;

#define NO_NODE UINT32_MAX
#define NOT_LISTED (UINT32_MAX - 1)

static bool node_not_ready(const node *n)
{
    return n->prev == NOT_LISTED;
}

/* The kubelet's webhook cache entry for metrics-server's token: cache_expiry > 0 holds a success
 * until then; a stored failure (authenticated = false) until u is kept as -u; -INFINITY: none.
 * Returns 1 (success cached), -1 (failure cached) or 0 at time t. */
static int kubelet_cached(const node *n, double t)
{
    if (n->cache_expiry > t)
        return 1;
    return isfinite(n->cache_expiry) && -n->cache_expiry > t ? -1 : 0;
}

/* A scrape due: node `node` at time t; seq orders equal times in the order they were drawn. */
typedef struct scrape {
    double t;
    uint32_t node, seq;
} scrape;

/* The sizes the memory budget counts on (64-bit): a node, a call, a validation, a request. */
_Static_assert(sizeof(void *) != 8 ||
                   (sizeof(node) == 40 && sizeof(call) == 24 && sizeof(sreq) == 64),
               "object sizes changed: recheck the memory per node (make bench)");
_Static_assert(sizeof(void *) != 8 || sizeof(val) == 40, "validation size changed");

/* A timeout list: requests in order of arrival, so in order of deadline (t0 + timeout), with
 * one engine event for the head. A request leaves the list when it is freed (O(1), no dead
 * entries to skip); the event is re-armed lazily when the head has left. */
typedef struct tlist {
    uint32_t head, tail;
    double timeout_s;
    bool armed;
    bool x; /* uses the x links (create, heartbeat), not the f links (filter) */
} tlist;

typedef struct gauge {
    double v, last, area;
} gauge;

typedef struct model {
    const params *p;
    sim *s;
    gsl_rng *r[RNG_STREAM_COUNT];
    pool calls, sreqs, vals;
    node *nodes;
    int nnodes;
    admission *adm; /* max-inflight */
    gauge g_lbq;
    tbucket loopback;
    bool lb_limited;
    ttlcache *tc;
    bool use_cpu;
    ps cpu;
    sim_handle cpu_ev;
    double cpu_busy_mark;
    tlist tl_filter, tl_create, tl_hb;
    tqueue tq_loopback, tq_cycle, tq_retry;
    uint32_t *scr_waiting; /* per metrics-server tick (ring): scrapes still waiting */
    uint32_t tick_lo, tick_hi, scr_waiting_cap; /* ticks [tick_lo, tick_hi) not yet expired */
    uint32_t ready_head, ready_tail;            /* ready nodes by last_ok: the NotReady deadlines */
    /* Stale status: a ready node whose last successful PATCH is older than stale_thr (the last
     * sample's time minus interval + timeout) lies before stale_front in the ready list (which is
     * in order of last_ok), and is counted in stale_ready. */
    uint32_t stale_front;
    int stale_ready;
    double stale_thr;
    bool watchdog_armed;
    scrape *scr; /* scrapes due, sorted by (t, seq), from scr_pos on */
    size_t scr_n, scr_pos, scr_cap;
    uint32_t scr_seq;
    sim_handle scr_ev;
    retry webhook_retry;
    bool burst_on;
    uint64_t next_fresh;
    uint64_t sa_tokens;
    double sa_rate;
    gsl_ran_discrete_t *zipf;
    double cum[C_COUNTER_COUNT], last[C_COUNTER_COUNT];
    double tr_lat_sum, lb_wait_sum;
    int lbq, orphaned, not_ready;
    double sample_start;
    run_output *out;
    size_t cap_samples;
    model_sample_hook hook;
    void *hook_ctx;
    double horizon_s; /* max(sim.duration, sim.max_duration) */
    params pv;        /* the model's own copy of its parameters: interventions change it */
    int down;         /* restarts in progress (the apiserver is down while > 0) */
    bool ms_ticking, sa_running, bg_running[2];
    double *ramp_from; /* per intervention set: the value a ramp started from */
} model;

/* ---- small helpers ---- */

static double now(const model *m)
{
    return sim_now(m->s);
}

static void gauge_set(gauge *g, double t, double v)
{
    g->area += g->v * (t - g->last);
    g->last = t;
    g->v = v;
}

static double gauge_take(gauge *g, double t, double span)
{
    gauge_set(g, t, g->v);
    double avg = span > 0.0 ? g->area / span : g->v;
    g->area = 0.0;
    return avg;
}

static void count(model *m, enum counter c)
{
    m->cum[c] += 1.0;
}

static double unif(model *m, unsigned stream)
{
    return gsl_rng_uniform(m->r[stream]);
}

static void lbq_add(model *m, int d)
{
    m->lbq += d;
    gauge_set(&m->g_lbq, now(m), m->lbq);
}

/* The loopback client is system:masters: exempt. */
static const admission_class loopback_class = {ADMISSION_READONLY, ADMISSION_MASTERS, true, 0};

static admission_class kind_class(enum kind k)
{
    return (admission_class){kind_mutating[k] ? ADMISSION_MUTATING : ADMISSION_READONLY,
                             kind_subject[k], false, 0};
}

/* ---- work: a delay, or CPU under processor sharing ---- */

static void work_done(model *m, void *obj, enum work w);

static void ev_work(sim *s, void *obj, uint64_t arg);

static void cpu_reschedule(model *m)
{
    if (m->cpu_ev)
        sim_cancel(m->s, m->cpu_ev);
    double t = ps_next_s(&m->cpu);
    m->cpu_ev = isfinite(t) ? sim_at(m->s, t < now(m) ? now(m) : t, ev_work, m, UINT64_MAX) : 0;
}

static void start_work(model *m, double work_s, void *obj, enum work w)
{
    uint32_t gen = ((pool_hdr *)obj)->gen;
    uint64_t tag = ((uint64_t)w << 32) | gen;
    if (m->use_cpu) {
        ps_add(&m->cpu, now(m), work_s, obj, tag);
        cpu_reschedule(m);
    } else {
        sim_after(m->s, work_s, ev_work, obj, tag);
    }
}

/* ---- forward declarations ---- */

static void call_send(model *m, call *c);
static void call_response(model *m, call *c, enum status st);
static void sreq_admit(model *m, sreq *r);
static void sreq_service(model *m, sreq *r);
static void authn_done(model *m, sreq *r);

/* ---- server requests ---- */

static sreq *sreq_at(model *m, uint32_t id)
{
    return pool_at(&m->sreqs, id);
}

/* ---- timeout lists ---- */

static uint32_t *tl_prev(sreq *r, bool x)
{
    return x ? &r->x_prev : &r->f_prev;
}

static uint32_t *tl_next(sreq *r, bool x)
{
    return x ? &r->x_next : &r->f_next;
}

static void ev_tlist(sim *s, void *obj, uint64_t arg);

static void tl_arm(model *m, tlist *l)
{
    l->armed = l->head != NO_ID;
    if (l->armed)
        sim_at(m->s, sreq_at(m, l->head)->t0 + l->timeout_s, ev_tlist, l, 0);
}

/* Appends r, which arrived now: its deadline is the latest. */
static void tl_append(model *m, tlist *l, sreq *r)
{
    *tl_prev(r, l->x) = l->tail;
    *tl_next(r, l->x) = NO_ID;
    if (l->tail != NO_ID)
        *tl_next(sreq_at(m, l->tail), l->x) = r->h.id;
    else
        l->head = r->h.id;
    l->tail = r->h.id;
    if (l->x)
        r->in_x = true;
    else
        r->in_filter = true;
    if (!l->armed)
        tl_arm(m, l);
}

static void tl_unlink(model *m, tlist *l, sreq *r)
{
    uint32_t prev = *tl_prev(r, l->x), next = *tl_next(r, l->x);
    if (prev != NO_ID)
        *tl_next(sreq_at(m, prev), l->x) = next;
    else
        l->head = next;
    if (next != NO_ID)
        *tl_prev(sreq_at(m, next), l->x) = prev;
    else
        l->tail = prev;
    if (l->x)
        r->in_x = false;
    else
        r->in_filter = false;
}

/* ---- server requests ---- */

static void respond(model *m, sreq *r, enum status st)
{
    if (r->client == NO_ID)
        return;
    call *c = pool_at(&m->calls, r->client);
    r->client = NO_ID;
    r->answered = true;
    call_response(m, c, st);
}

static void val_detach(model *m, sreq *r)
{
    if (r->val == NO_ID)
        return;
    val *v = pool_at(&m->vals, r->val);
    if (r->wprev != NO_ID)
        sreq_at(m, r->wprev)->wnext = r->wnext;
    else
        v->waiters = r->wnext;
    if (r->wnext != NO_ID)
        sreq_at(m, r->wnext)->wprev = r->wprev;
    r->val = r->wprev = r->wnext = NO_ID;
    if (v->waiters == NO_ID && !v->orphaned) {
        v->orphaned = true;
        m->orphaned++;
    }
}

static void sreq_free(model *m, sreq *r)
{
    val_detach(m, r);
    if (r->in_filter)
        tl_unlink(m, &m->tl_filter, r);
    if (r->in_x)
        tl_unlink(m, kind_review[r->kind] ? &m->tl_create : &m->tl_hb, r);
    if (r->client != NO_ID)
        respond(m, r, ST_CONN);
    if (r->slot) {
        r->slot = false;
        admission_release(m->adm, kind_class(r->kind), r->h.id, now(m));
    }
    pool_put(&m->sreqs, r);
}

static void tr_answered(model *m, sreq *r, bool ok)
{
    count(m, ok ? C_TR_OK : C_TR_TIMEOUT);
    m->tr_lat_sum += now(m) - r->t0;
}

/* ---- SA validation: gets_per_validation GETs through the loopback limiter ---- */

static void val_next_get(model *m, val *v);

static void val_complete(model *m, val *v)
{
    ttlcache_fill(m->tc, v->token, now(m), m->p->apiserver.token_cache.success_ttl_s, true);
    if (v->orphaned)
        m->orphaned--;
    while (v->waiters != NO_ID) {
        sreq *r = sreq_at(m, v->waiters);
        v->waiters = r->wnext;
        if (v->waiters != NO_ID)
            sreq_at(m, v->waiters)->wprev = NO_ID;
        r->val = r->wprev = r->wnext = NO_ID;
        authn_done(m, r);
    }
    pool_put(&m->vals, v);
}

static void authn_failed(model *m, sreq *r);

/* ASSUMPTION (apiserver.sa_lookup.fail_after): the validation fails. Nothing is cached unless
 * failures are (token_cache.failure_ttl > 0: 1.13+ caches errors for that long); everyone waiting
 * gets the failure. */
static void val_fail(model *m, val *v)
{
    count(m, C_VAL_FAIL);
    ttlcache_fill(m->tc, v->token, now(m), m->p->apiserver.token_cache.failure_ttl_s, false);
    if (v->orphaned)
        m->orphaned--;
    while (v->waiters != NO_ID) {
        sreq *r = sreq_at(m, v->waiters);
        v->waiters = r->wnext;
        if (v->waiters != NO_ID)
            sreq_at(m, v->waiters)->wprev = NO_ID;
        r->val = r->wprev = r->wnext = NO_ID;
        authn_failed(m, r);
    }
    pool_put(&m->vals, v);
}

static void val_attach(model *m, val *v, sreq *r)
{
    r->val = v->h.id;
    r->wprev = NO_ID;
    r->wnext = v->waiters;
    if (v->waiters != NO_ID)
        sreq_at(m, v->waiters)->wprev = r->h.id;
    v->waiters = r->h.id;
    if (v->orphaned) {
        v->orphaned = false;
        m->orphaned--;
    }
}

static void val_fail(model *m, val *v);

static void get_grant(model *m, val *v)
{
    double fail_after = m->p->apiserver.sa_lookup.fail_after_s;
    if (fail_after > 0.0 && now(m) - v->t0 > fail_after) {
        val_fail(m, v); /* the token of its reservation is spent, the GET not sent */
        return;
    }
    count(m, C_LB_GETS);
    /* The loopback user is system:masters: it takes a read-only slot when one is free and is
     * served without one when the pool is full (maxinflight.go). */
    v->slot = admission_acquire(m->adm, loopback_class, v->h.id, now(m), NULL) == ADMISSION_EXECUTE;
    start_work(m, dist_sample(&m->p->apiserver.sa_lookup.get_time, m->r[RNG_SERVICE]), v, W_GET);
}

static void val_next_get(model *m, val *v)
{
    if (!m->lb_limited) {
        get_grant(m, v);
        return;
    }
    /* client-go 1.12 tryThrottle -> Accept(): an uncancellable FIFO reservation. */
    double wait = tbucket_reserve(&m->loopback, now(m));
    count(m, C_LB_RESERVE);
    m->lb_wait_sum += wait;
    if (wait > 0.0) {
        v->waited = true;
        lbq_add(m, 1);
        /* FIFO reservations are granted in order: a ring, not one engine event each */
        tqueue_push(&m->tq_loopback, now(m) + wait, v->h.id);
    } else {
        get_grant(m, v);
    }
}

static void get_done(model *m, val *v)
{
    if (v->slot) {
        v->slot = false;
        admission_release(m->adm, loopback_class, v->h.id, now(m));
    }
    if (--v->gets_left > 0)
        val_next_get(m, v);
    else
        val_complete(m, v);
}

/* Starts authenticating r's token. Returns 1 when authenticated at once (cache hit or a local
 * informer lookup), 0 when r now waits for a validation (authn_done or authn_failed follows), -1
 * when it failed at once (a cached failure). */
static int authn_begin(model *m, sreq *r)
{
    const params *p = m->p;
    void *pending = NULL;
    val *v;
    switch (ttlcache_lookup(m->tc, r->token, now(m), &pending)) {
    case TTLCACHE_HIT:
        count(m, C_TC_HIT);
        return 1;
    case TTLCACHE_HIT_FAIL:
        count(m, C_TC_HIT);
        return -1;
    case TTLCACHE_JOIN: /* 1.18 singleflight: wait for the validation in flight */
        count(m, C_TC_MISS);
        v = pending;
        val_attach(m, v, r);
        return 0;
    default:
        break;
    }
    count(m, C_TC_MISS);
    count(m, C_VALIDATIONS);
    bool local = p->apiserver.sa_lookup.gets_per_validation == 0 ||
                 (p->apiserver.sa_lookup.mode == SA_LOOKUP_INFORMER &&
                  unif(m, RNG_LOOKUP) >= p->apiserver.sa_lookup.informer_miss);
    if (local) {
        /* 1.14+ (PR #71816): served from the informer's cache, no loopback GETs. */
        ttlcache_fill(m->tc, r->token, now(m), p->apiserver.token_cache.success_ttl_s, true);
        return 1;
    }
    v = pool_get(&m->vals);
    v->waiters = NO_ID;
    v->token = r->token;
    v->t0 = now(m);
    v->gets_left = p->apiserver.sa_lookup.gets_per_validation;
    ttlcache_set_pending(m->tc, r->token, now(m), v);
    val_attach(m, v, r);
    val_next_get(m, v);
    return 0;
}

/* r's token is authenticated (r was waiting on a validation, or hit the cache). */
static void authn_done(model *m, sreq *r)
{
    if (kind_review[r->kind])
        sreq_service(m, r); /* TokenReview: the reviewed token is known; finish the create */
    else
        sreq_admit(m, r); /* SA-token request: authn filter passed, on to max-inflight */
}

/* r's token did not authenticate. A TokenReview still completes (201, authenticated = false);
 * a request authenticating with its own token gets 401 from the authn filter. */
static void authn_failed(model *m, sreq *r)
{
    r->unauth = true;
    if (kind_review[r->kind]) {
        sreq_service(m, r);
        return;
    }
    respond(m, r, ST_UNAUTH);
    sreq_free(m, r);
}

static void sreq_service(model *m, sreq *r)
{
    r->in_service = true;
    start_work(m, dist_sample(&m->p->apiserver.service_time, m->r[RNG_SERVICE]), r, W_SREQ);
}

static void sreq_admit(model *m, sreq *r)
{
    const params *p = m->p;
    bool mut = kind_mutating[r->kind];
    count(m, mut ? C_REQ_MUT : C_REQ_RO);
    admission_class cls = kind_class(r->kind);
    /* the requesting user: a kubelet's node, a pod's ServiceAccount token */
    bool kubelet = r->kind == K_TOKENREVIEW || r->kind == K_HB_GET || r->kind == K_HB_PATCH;
    cls.user = kubelet ? ((call *)pool_at(&m->calls, r->client))->node : r->token;
    if (admission_acquire(m->adm, cls, r->h.id, now(m), NULL) == ADMISSION_REJECTED) {
        /* Immediate 429 with Retry-After: 1 (maxinflight.go tooManyRequests). */
        count(m, mut ? C_REJ_MUT : C_REJ_RO);
        if (m->use_cpu && p->apiserver.cpu.reject_cost_s > 0.0)
            start_work(m, p->apiserver.cpu.reject_cost_s, r, W_REJECT);
        else
            work_done(m, r, W_REJECT);
        return;
    }
    r->slot = true;
    if (kind_review[r->kind]) {
        /* create handler: finishRequest gives up after create_timeout (30 s in 1.12) and the
         * handler returns, freeing the slot; the authentication it started goes on. */
        /* A TokenReview is admitted on arrival (no authentication of its own first), so the
         * list's deadline t0 + create_timeout is the handler's. */
        ensure(r->t0 == now(m), now(m), "TokenReview admitted after its arrival");
        tl_append(m, &m->tl_create, r);
        int a = authn_begin(m, r);
        if (a > 0)
            sreq_service(m, r);
        else if (a < 0)
            authn_failed(m, r);
    } else {
        sreq_service(m, r);
    }
}

static void ev_call_refused(sim *s, void *obj, uint64_t arg);

static void sreq_arrive(model *m, call *c)
{
    if (m->down) {
        /* connection refused, delivered as an event so that retries never recurse */
        sim_after(m->s, 0.0, ev_call_refused, c, c->h.gen);
        return;
    }
    sreq *r = pool_get(&m->sreqs);
    r->kind = c->kind;
    r->client = c->h.id;
    r->val = r->wprev = r->wnext = NO_ID;
    /* A kubelet TokenReview reviews metrics-server's token; heartbeats use a certificate. */
    bool kubelet = c->kind == K_TOKENREVIEW || c->kind == K_HB_GET || c->kind == K_HB_PATCH;
    r->token = kubelet ? METRICS_TOKEN : c->token;
    r->t0 = now(m);
    if (kind_review[r->kind])
        count(m, C_TR);
    uint32_t gen = r->h.gen;
    if (kind_sa_authn[r->kind]) {
        /* Authentication runs before max-inflight: no slot is held while it waits. */
        int a = authn_begin(m, r);
        if (a > 0)
            sreq_admit(m, r);
        else if (a < 0)
            authn_failed(m, r);
    } else {
        sreq_admit(m, r);
    }
    /* The timeout filter wraps everything (60 s; DefaultBuildHandlerChain), and a heartbeat
     * client gives up after its own timeout. A request answered on arrival (most 429s) is gone
     * already and needs neither; nothing else can have arrived since, at this instant, for an
     * admitted or waiting request, so the lists stay in order of arrival. */
    if (!pool_alive(r, gen))
        return;
    tl_append(m, &m->tl_filter, r);
    if (r->kind == K_HB_GET || r->kind == K_HB_PATCH)
        tl_append(m, &m->tl_hb, r);
}

static void work_done(model *m, void *obj, enum work w)
{
    if (w == W_GET) {
        get_done(m, obj);
        return;
    }
    sreq *r = obj;
    if (w == W_REJECT) {
        respond(m, r, ST_429);
        sreq_free(m, r);
        return;
    }
    /* The handler returns: release the slot, answer if nobody has yet. */
    if (!r->answered && kind_review[r->kind])
        tr_answered(m, r, true);
    respond(m, r, r->unauth ? ST_UNAUTH : ST_OK);
    sreq_free(m, r);
}

static void create_timeout(model *m, sreq *r)
{
    /* finishRequest returns 504 Timeout without Retry-After; the handler returns, the slot is
     * freed, and a validation it waits for goes on orphaned. */
    if (!r->answered)
        tr_answered(m, r, false);
    respond(m, r, ST_504);
    sreq_free(m, r);
}

static void filter_timeout(model *m, sreq *r)
{
    if (r->answered)
        return;
    /* The timeout filter answers 504 but the inner handler keeps its slot until it returns. */
    if (kind_review[r->kind])
        tr_answered(m, r, false);
    else
        count(m, C_REQ_TIMEOUT);
    respond(m, r, ST_504);
    if (!r->slot)
        sreq_free(m, r); /* still in authentication: nothing more to wait for */
}

static void hb_timeout(model *m, sreq *r)
{
    if (r->client == NO_ID)
        return;
    /* The heartbeat client's own timeout: it leaves; the server goes on without it. */
    call *c = pool_at(&m->calls, r->client);
    r->client = NO_ID;
    call_response(m, c, ST_CONN);
}

/* A list's head is due: every request whose deadline has come leaves the list and times out,
 * in order of arrival; then the event is re-armed for the new head. */
static void ev_tlist(sim *s, void *obj, uint64_t arg)
{
    (void)arg;
    model *m = sim_context(s);
    tlist *l = obj;
    while (l->head != NO_ID) {
        sreq *r = sreq_at(m, l->head);
        if (r->t0 + l->timeout_s > now(m))
            break;
        tl_unlink(m, l, r);
        if (l == &m->tl_filter)
            filter_timeout(m, r);
        else if (l == &m->tl_create)
            create_timeout(m, r);
        else
            hb_timeout(m, r);
    }
    tl_arm(m, l);
}

/* ---- client-go calls ---- */

static void ev_call_transmit(sim *s, void *obj, uint64_t arg);
static void call_done(model *m, call *c, enum status st);

static call *call_new(model *m, enum kind k, uint64_t token, bool retry_429)
{
    call *c = pool_get(&m->calls);
    c->kind = (uint8_t)k;
    c->token = token;
    c->retry_429 = retry_429;
    return c;
}

static void call_send(model *m, call *c)
{
    c->tries++;
    if (c->kind == K_TOKENREVIEW) {
        /* The kubelet's main clientset is rate limited (--kube-api-qps 5, burst 10). */
        double wait = tbucket_state_reserve(&m->nodes[c->node].api, m->p->kubelet.api_qps,
                                            m->p->kubelet.api_burst, now(m));
        if (wait > 0.0) {
            sim_after(m->s, wait, ev_call_transmit, c, c->h.gen);
            return;
        }
    }
    sreq_arrive(m, c);
}

static void call_response(model *m, call *c, enum status st)
{
    if (st == ST_429 && c->retry_429 && c->tries < m->p->client_go.max_tries) {
        /* client-go request(): a 429 with Retry-After is retried after that many seconds; the
         * same delay for every call, so the retries wait in a ring. */
        tqueue_push(&m->tq_retry, now(m) + m->p->apiserver.retry_after_s, c->h.id);
        return;
    }
    call_done(m, c, st);
}

/* ---- kubelet: webhook retry loops, heartbeats, NotReady watchdog ---- */

static void ev_wloop_next(sim *s, void *obj, uint64_t arg);

static void scrape_result(model *m, bool ok)
{
    count(m, ok ? C_SCRAPE_OK : C_SCRAPE_FAIL);
}

/* The webhook loop's scrape gets its answer now, unless its tick's deadline passed. */
static void wloop_scrape_done(model *m, call *w, bool ok)
{
    if (!w->scrape_waiting)
        return;
    w->scrape_waiting = false;
    if ((int32_t)(w->tick - m->tick_lo) < 0)
        return; /* already counted as failed at the deadline */
    m->scr_waiting[w->tick & (m->scr_waiting_cap - 1)]--;
    scrape_result(m, ok);
}

/* One attempt of the webhook loop: a client-go call (its own 429 retries). */
static void wloop_attempt(model *m, call *w)
{
    count(m, C_TR_ATTEMPTS);
    w->tries = 0;
    call_send(m, w);
}

static void wloop_result(model *m, call *w, enum status st)
{
    const params *p = m->p;
    if (st == ST_OK) {
        /* 1.12 webhook responseCache: any returned status is cached for the TTL. */
        node *n = &m->nodes[w->node];
        n->cache_expiry = now(m) + p->kubelet.webhook_cache_ttl_s;
        wloop_scrape_done(m, w, true);
        pool_put(&m->calls, w);
        return;
    }
    if (st == ST_UNAUTH) {
        /* authenticated = false: cached for the failure TTL, the scrape gets 401, no retry */
        node *n = &m->nodes[w->node];
        double ttl = p->kubelet.webhook_failure_ttl_s;
        n->cache_expiry = ttl > 0.0 ? -(now(m) + ttl) : -INFINITY;
        wloop_scrape_done(m, w, false);
        pool_put(&m->calls, w);
        return;
    }
    /* Errors are not cached; 504 Timeout, 429 and connection errors are retried with backoff
     * (util/webhook WithExponentialBackoff). 1.12 has no ctx: the loop outlives the scrape. */
    if (retry_more(&m->webhook_retry, (int)w->attempt)) {
        double d = retry_delay_s(&m->webhook_retry, (int)w->attempt, m->r[RNG_RETRY]);
        w->attempt++;
        sim_after(m->s, d, ev_wloop_next, w, w->h.gen);
        return;
    }
    wloop_scrape_done(m, w, false);
    pool_put(&m->calls, w);
}

static void watchdog_arm(model *m);

/* ---- the ready list: nodes not NotReady, in order of last_ok (a success moves a node to the
 * tail, since its last_ok is now the newest), so the next NotReady deadline is the head's ---- */

static void ready_unlink(model *m, uint32_t i)
{
    node *n = &m->nodes[i];
    if (n->last_ok < m->stale_thr)
        m->stale_ready--;
    if (m->stale_front == i)
        m->stale_front = n->next;
    if (n->prev != NO_NODE)
        m->nodes[n->prev].next = n->next;
    else
        m->ready_head = n->next;
    if (n->next != NO_NODE)
        m->nodes[n->next].prev = n->prev;
    else
        m->ready_tail = n->prev;
    n->prev = n->next = NO_NODE;
}

static void ready_append(model *m, uint32_t i)
{
    node *n = &m->nodes[i];
    if (m->stale_front == NO_NODE)
        m->stale_front = i; /* its last_ok is the newest: not stale */
    n->prev = m->ready_tail;
    n->next = NO_NODE;
    if (m->ready_tail != NO_NODE)
        m->nodes[m->ready_tail].next = i;
    else
        m->ready_head = i;
    m->ready_tail = i;
}

/* One try of tryUpdateNodeStatus (GET node, then PATCH status); tries_left counts this one. */
static void hb_try(model *m, uint32_t i, uint32_t tries_left)
{
    call *c = call_new(m, K_HB_GET, 0, true);
    c->node = i;
    c->tries_left = tries_left;
    call_send(m, c);
}

static void hb_cycle_end(model *m, uint32_t i, bool ok)
{
    count(m, ok ? C_HB_OK : C_HB_FAIL);
    /* wait.Until(syncNodeStatus, frequency): the next cycle starts a period after this ends.
     * The period is the same for every node, so these deadlines come in order: a ring. */
    tqueue_push(&m->tq_cycle, now(m) + m->p->kubelet.heartbeat.interval_s, i);
}

static void hb_result(model *m, call *c, enum status st)
{
    uint32_t i = c->node;
    node *n = &m->nodes[i];
    if (st == ST_OK && c->kind == K_HB_GET) {
        call *patch = call_new(m, K_HB_PATCH, 0, true);
        patch->node = i;
        patch->tries_left = c->tries_left;
        call_send(m, patch);
        return;
    }
    if (st == ST_OK) {
        /* The newest last_ok: to the tail of the ready list (unlinked with its old last_ok). */
        if (node_not_ready(n))
            m->not_ready--;
        else
            ready_unlink(m, i);
        n->last_ok = now(m);
        ready_append(m, i);
        if (!m->watchdog_armed)
            watchdog_arm(m);
        hb_cycle_end(m, i, true);
        return;
    }
    /* tryUpdateNodeStatus failed: nodeStatusUpdateRetry tries per cycle, back to back. */
    if (c->tries_left > 1)
        hb_try(m, i, c->tries_left - 1);
    else
        hb_cycle_end(m, i, false);
}

static void call_done(model *m, call *c, enum status st)
{
    bool ok = st == ST_OK;
    switch (c->kind) {
    case K_TOKENREVIEW:
        wloop_result(m, c, st); /* the loop goes on or ends; it frees itself */
        return;
    case K_HB_GET:
    case K_HB_PATCH:
        hb_result(m, c, st);
        break;
    case K_SA_RO:
    case K_SA_MUT:
        count(m, ok ? C_SA_OK : C_SA_FAIL);
        break;
    case K_BG_RO:
    case K_BG_MUT:
        count(m, ok ? C_BG_OK : C_BG_FAIL);
        break;
    default:
        count(m, ok ? C_BURST_OK : C_BURST_FAIL);
        break;
    }
    pool_put(&m->calls, c);
}

/* ---- event trampolines: obj is a pooled object whose events carry its gen ---- */

/* Pooled objects do not point back to the model: the engine's context does. */
static model *model_of_sim(sim *s)
{
    return sim_context(s);
}

static void ev_work(sim *s, void *obj, uint64_t arg)
{
    model *m = model_of_sim(s);
    if (arg == UINT64_MAX) {
        /* processor sharing: the head job has finished */
        m->cpu_ev = 0;
        ps_job j = ps_pop(&m->cpu, now(m));
        if (pool_alive(j.obj, (uint32_t)j.tag))
            work_done(m, j.obj, (enum work)(j.tag >> 32));
        cpu_reschedule(m);
        return;
    }
    if (pool_alive(obj, (uint32_t)arg))
        work_done(m, obj, (enum work)(arg >> 32));
}

/* A validation waiting in the loopback queue ends only at a restart, which clears the queue. */
static void tq_loopback_fire(void *ctx, uint32_t id)
{
    model *m = ctx;
    val *v = pool_at(&m->vals, id);
    ensure(pool_is_live(v) && v->waited, now(m), "loopback reservation of a gone validation");
    v->waited = false;
    lbq_add(m, -1);
    get_grant(m, v);
}

/* A call waiting out a Retry-After has no request in flight, so nothing can end it. */
static void tq_retry_fire(void *ctx, uint32_t id)
{
    model *m = ctx;
    call *c = pool_at(&m->calls, id);
    ensure(pool_is_live(c), now(m), "429 retry of a gone call");
    call_send(m, c);
}

static void ev_call_transmit(sim *s, void *obj, uint64_t arg)
{
    call *c = obj;
    if (pool_alive(c, (uint32_t)arg))
        sreq_arrive(model_of_sim(s), c);
}

static void ev_call_refused(sim *s, void *obj, uint64_t arg)
{
    call *c = obj;
    if (pool_alive(c, (uint32_t)arg))
        call_response(model_of_sim(s), c, ST_CONN);
}

static void ev_wloop_next(sim *s, void *obj, uint64_t arg)
{
    call *w = obj;
    if (pool_alive(w, (uint32_t)arg))
        wloop_attempt(model_of_sim(s), w);
}

static void hb_cycle_start(model *m, uint32_t i)
{
    hb_try(m, i, (uint32_t)m->p->kubelet.heartbeat.tries);
}

static void tq_cycle_fire(void *ctx, uint32_t id)
{
    hb_cycle_start(ctx, id);
}

/* One pending event, for the head of the ready list (or earlier: the head may have moved on
 * since, and the event then re-arms for the new head). */
static void ev_watchdog(sim *s, void *obj, uint64_t arg);

static void watchdog_arm(model *m)
{
    m->watchdog_armed = m->ready_head != NO_NODE;
    if (m->watchdog_armed) {
        double due = m->nodes[m->ready_head].last_ok + m->p->kubelet.heartbeat.not_ready_after_s;
        sim_at(m->s, due > now(m) ? due : now(m), ev_watchdog, m, 0);
    }
}

static void ev_watchdog(sim *s, void *obj, uint64_t arg)
{
    (void)s;
    (void)arg;
    model *m = obj;
    double after = m->p->kubelet.heartbeat.not_ready_after_s;
    while (m->ready_head != NO_NODE && now(m) >= m->nodes[m->ready_head].last_ok + after) {
        /* node lifecycle controller: no status for the grace period -> NotReady */
        uint32_t i = m->ready_head;
        ready_unlink(m, i);
        m->nodes[i].prev = NOT_LISTED;
        m->not_ready++;
    }
    watchdog_arm(m);
}

/* ---- metrics-server ---- */

static void scrape_node(model *m, uint32_t i)
{
    node *n = &m->nodes[i];
    if (m->p->metrics_server.auth == MS_AUTH_CERTIFICATE) {
        scrape_result(m, true); /* no TokenReview: the kubelet verifies the client certificate */
        return;
    }
    int cached = kubelet_cached(n, now(m));
    if (cached != 0) {
        count(m, C_KC_HIT);
        scrape_result(m, cached > 0); /* a cached failure: 401 */
        return;
    }
    count(m, C_KC_MISS);
    count(m, C_WLOOPS);
    /* No coalescing in the kubelet: each uncached request starts its own retry loop. */
    call *w = call_new(m, K_TOKENREVIEW, 0, true);
    w->node = i;
    w->tick = m->tick_hi - 1; /* the latest tick's deadline applies */
    if ((int32_t)(w->tick - m->tick_lo) < 0) {
        scrape_result(m, false); /* that deadline has passed already */
    } else {
        w->scrape_waiting = true;
        m->scr_waiting[w->tick & (m->scr_waiting_cap - 1)]++;
    }
    wloop_attempt(m, w);
}

/* A tick's deadline: its scrapes still waiting fail (their loops go on). Deadlines come in
 * tick order, so this is tick tick_lo. */
static void ev_scrape_deadline(sim *s, void *obj, uint64_t arg)
{
    (void)s;
    model *m = obj;
    ensure(arg == m->tick_lo, now(m), "scrape deadlines out of order");
    uint32_t *w = &m->scr_waiting[m->tick_lo & (m->scr_waiting_cap - 1)];
    m->cum[C_SCRAPE_FAIL] += *w;
    *w = 0;
    m->tick_lo++;
}

/* Opens a tick: a zero count in the ring of unexpired ticks (grown when full). */
static void tick_open(model *m)
{
    uint32_t cap = m->scr_waiting_cap;
    if (m->tick_hi - m->tick_lo == cap) {
        uint32_t ncap = cap ? 2 * cap : 4;
        uint32_t *r = xcalloc(ncap, sizeof *r);
        for (uint32_t k = m->tick_lo; k != m->tick_hi; k++)
            r[k & (ncap - 1)] = m->scr_waiting[k & (cap - 1)];
        free(m->scr_waiting);
        m->scr_waiting = r;
        m->scr_waiting_cap = ncap;
    }
    m->scr_waiting[m->tick_hi & (m->scr_waiting_cap - 1)] = 0;
    m->tick_hi++;
}

static int scrape_cmp(const void *a, const void *b)
{
    const scrape *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    /* seq wraps after 2^32 scrapes; only differences among the ones due matter */
    int32_t d = (int32_t)(x->seq - y->seq);
    return (d > 0) - (d < 0);
}

/* In place: glibc's qsort is a merge sort that allocates a copy of the array (16 bytes a node
 * at every tick); the order is total, so an unstable sort gives the same result. */
static void scrape_sort(scrape *a, size_t n)
{
    if (n > 1)
        gsl_heapsort(a, n, sizeof *a, scrape_cmp);
}

/* The scrapes due now, in order, then one event for the next. */
static void ev_scrape(sim *s, void *obj, uint64_t arg)
{
    (void)arg;
    model *m = obj;
    while (m->scr_pos < m->scr_n && m->scr[m->scr_pos].t <= now(m))
        scrape_node(m, m->scr[m->scr_pos++].node);
    m->scr_ev = m->scr_pos < m->scr_n ? sim_at(s, m->scr[m->scr_pos].t, ev_scrape, m, 0) : 0;
}

static void ev_ms_tick(sim *s, void *obj, uint64_t arg)
{
    (void)arg;
    model *m = obj;
    const params *p = m->p;
    if (!p->metrics_server.enabled) {
        m->ms_ticking = false; /* an intervention switched metrics-server off */
        return;
    }
    double res = p->metrics_server.resolution_s;
    /* metrics-server 0.3.x manager.go: all nodes at once, node i after rand(min(8 ms N, 4 s)),
     * each with a deadline of 0.9 x resolution from the tick. NotReady nodes are skipped. */
    double spread = p->metrics_server.delay_per_node_s * m->nnodes;
    if (spread > p->metrics_server.max_delay_s)
        spread = p->metrics_server.max_delay_s;
    tick_open(m);
    sim_at(s, now(m) + p->metrics_server.timeout_fraction * res, ev_scrape_deadline, m,
           m->tick_hi - 1);
    /* The scrapes go into one sorted array with one engine event, not one event each. Scrapes
     * of an earlier tick still due (a spread longer than the resolution) stay, in order. */
    size_t keep = m->scr_n - m->scr_pos;
    if (keep > 0 && m->scr_pos > 0)
        memmove(m->scr, m->scr + m->scr_pos, keep * sizeof *m->scr);
    m->scr_n = keep;
    m->scr_pos = 0;
    if (m->scr_cap < keep + (size_t)m->nnodes) {
        m->scr_cap = keep + (size_t)m->nnodes;
        m->scr = xrealloc(m->scr, m->scr_cap * sizeof *m->scr);
    }
    double t = now(m);
    for (int i = 0; i < m->nnodes; i++)
        if (!node_not_ready(&m->nodes[i]))
            m->scr[m->scr_n++] =
                (scrape){t + spread * unif(m, RNG_SCRAPE), (uint32_t)i, m->scr_seq++};
    scrape_sort(m->scr, m->scr_n);
    if (m->scr_ev)
        sim_cancel(s, m->scr_ev);
    m->scr_ev = m->scr_n > 0 ? sim_at(s, m->scr[0].t, ev_scrape, m, 0) : 0;
    sim_after(s, res, ev_ms_tick, m, 0);
}

/* ---- open-loop clients ---- */

static void ev_sa_arrival(sim *s, void *obj, uint64_t arg)
{
    (void)arg;
    model *m = obj;
    if (m->sa_rate <= 0.0) {
        m->sa_running = false; /* an intervention stopped them */
        return;
    }
    gsl_rng *r = m->r[RNG_SA];
    uint64_t tok = 1 + (m->zipf ? (uint64_t)gsl_ran_discrete(r, m->zipf)
                                : (uint64_t)gsl_rng_uniform_int(r, m->sa_tokens));
    bool mut = gsl_rng_uniform(r) < m->p->sa_clients.mutating_fraction;
    call_send(m, call_new(m, mut ? K_SA_MUT : K_SA_RO, tok, true));
    sim_after(s, gsl_ran_exponential(r, 1.0 / m->sa_rate), ev_sa_arrival, m, 0);
}

static void ev_bg_arrival(sim *s, void *obj, uint64_t arg)
{
    model *m = obj;
    bool mut = arg != 0;
    double rate = mut ? m->p->background.mutating_rate : m->p->background.readonly_rate;
    if (rate <= 0.0) {
        m->bg_running[mut] = false;
        return;
    }
    call_send(m, call_new(m, mut ? K_BG_MUT : K_BG_RO, 0, m->p->background.retry_429));
    sim_after(s, gsl_ran_exponential(m->r[RNG_BACKGROUND], 1.0 / rate), ev_bg_arrival, m, arg);
}

static void ev_burst_arrival(sim *s, void *obj, uint64_t arg)
{
    (void)arg;
    model *m = obj;
    const params *p = m->p;
    if (!m->burst_on)
        return;
    switch (p->trigger.target) {
    case BURST_SA_REQUESTS:
        call_send(m, call_new(m, K_BURST_SA, m->next_fresh++, true));
        break;
    case BURST_TOKENREVIEW:
        call_send(m, call_new(m, K_BURST_TR, m->next_fresh++, true));
        break;
    default:
        call_send(m, call_new(m, K_BURST_MUT, 0, p->background.retry_429));
        break;
    }
    sim_after(s, gsl_ran_exponential(m->r[RNG_TRIGGER], 1.0 / p->trigger.rate), ev_burst_arrival, m,
              0);
}

/* ---- triggers ---- */

static void drop_sreq(void *obj, void *ctx)
{
    model *m = ctx;
    sreq *r = obj;
    r->slot = false; /* the pools and validations are reset wholesale */
    r->val = NO_ID;
    sreq_free(m, r);
}

static void drop_val(void *obj, void *ctx)
{
    model *m = ctx;
    val *v = obj;
    v->waiters = NO_ID; /* their requests are dropped separately */
    if (v->waited)
        lbq_add(m, -1);
    pool_put(&m->vals, v);
}

static admission_limits limits_of(const params *p)
{
    return (admission_limits){p->apiserver.max_requests_inflight,
                              p->apiserver.max_mutating_requests_inflight};
}

/* Every connection breaks, all in-process state is lost: requests, validations, the token cache,
 * the limiter, the inflight counts. Clients see connection errors until it is back. */
static void apiserver_down(model *m)
{
    m->down++;
    pool_each(&m->sreqs, drop_sreq, m);
    pool_each(&m->vals, drop_val, m);
    tqueue_clear(&m->tq_loopback); /* the reservations of the validations just dropped */
    m->orphaned = 0;
    admission_reset(m->adm, now(m));
    ttlcache_clear(m->tc);
    if (m->use_cpu) {
        ps_clear(&m->cpu, now(m));
        cpu_reschedule(m);
    }
}

/* A new process with the current process configuration: a full loopback bucket, an empty token
 * cache, the timeouts and caps of m->pv. */
static void apiserver_up(model *m)
{
    if (--m->down > 0)
        return;
    const params *p = m->p;
    tbucket_init(&m->loopback, p->apiserver.loopback.qps, p->apiserver.loopback.burst, now(m));
    m->lb_limited =
        p->apiserver.sa_lookup.mode != SA_LOOKUP_UNLIMITED && p->apiserver.loopback.qps > 0.0;
    ttlcache_free(m->tc);
    m->tc = ttlcache_new(p->apiserver.token_cache.coalesce,
                         (size_t)p->apiserver.token_cache.max_entries);
    m->tl_filter.timeout_s = p->apiserver.request_timeout_s; /* the lists are empty now */
    m->tl_create.timeout_s = p->apiserver.create_timeout_s;
    admission_set_limits(m->adm, limits_of(p), now(m));
}

static void cache_flush(model *m, enum flush_scope scope)
{
    if (scope != FLUSH_KUBELET)
        ttlcache_flush(m->tc);
    if (scope != FLUSH_APISERVER)
        for (int i = 0; i < m->nnodes; i++)
            m->nodes[i].cache_expiry = -INFINITY;
}

static void ev_trigger_end(sim *s, void *obj, uint64_t arg)
{
    (void)s;
    (void)arg;
    model *m = obj;
    m->burst_on = false;
    if (m->p->trigger.kind == TRIGGER_APISERVER_RESTART)
        apiserver_up(m);
}

static void ev_trigger_start(sim *s, void *obj, uint64_t arg)
{
    (void)arg;
    model *m = obj;
    const params *p = m->p;
    switch (p->trigger.kind) {
    case TRIGGER_BURST:
        m->burst_on = true;
        sim_after(s, gsl_ran_exponential(m->r[RNG_TRIGGER], 1.0 / p->trigger.rate),
                  ev_burst_arrival, m, 0);
        break;
    case TRIGGER_CACHE_FLUSH:
        cache_flush(m, p->trigger.flush);
        break;
    case TRIGGER_APISERVER_RESTART:
        apiserver_down(m);
        break;
    default:
        break;
    }
    if (p->trigger.duration_s > 0.0)
        sim_after(s, p->trigger.duration_s, ev_trigger_end, m, 0);
}

/* ---- interventions ---- */

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

static void ev_sa_arrival(sim *s, void *obj, uint64_t arg);
static void ev_bg_arrival(sim *s, void *obj, uint64_t arg);
static void ev_ms_tick(sim *s, void *obj, uint64_t arg);

static void store_value(model *m, const intervention_set *v, double x)
{
    char *f = (char *)&m->pv + v->off;
    if (v->type == 1)
        *(double *)f = x;
    else if (v->type == 2)
        *(bool *)f = x != 0.0;
    else
        *(int *)f = (int)lround(x);
}

static double load_value(const model *m, const intervention_set *v)
{
    const char *f = (const char *)&m->pv + v->off;
    return v->type == 1   ? *(const double *)f
           : v->type == 2 ? (double)*(const bool *)f
                          : (double)*(const int *)f;
}

/* Brings the derived state in line with a key just changed. */
static void apply(model *m, const char *key)
{
    const struct settable *t = settable_of(key);
    const params *p = m->p;
    ensure(t != NULL, now(m), "intervention key %s is not settable", key);
    switch (t->apply) {
    case A_CAPS: /* while down, the new process takes them (apiserver_up) */
        if (!m->down)
            admission_set_limits(m->adm, limits_of(p), now(m));
        break;
    case A_LOOKUP:
        m->lb_limited =
            p->apiserver.sa_lookup.mode != SA_LOOKUP_UNLIMITED && p->apiserver.loopback.qps > 0.0;
        break;
    case A_RETRY:
        m->webhook_retry = (retry){p->kubelet.retry.attempts, p->kubelet.retry.initial_s,
                                   p->kubelet.retry.factor, p->kubelet.retry.jitter};
        break;
    case A_MS:
        if (p->metrics_server.enabled && !m->ms_ticking && m->nnodes > 0) {
            m->ms_ticking = true;
            sim_after(m->s, 0.0, ev_ms_tick, m, 0);
        }
        break;
    case A_SA:
        m->sa_rate = p->sa_clients.rate + p->sa_clients.rate_per_node * p->cluster.nodes;
        if (m->sa_rate > 0.0 && !m->sa_running) {
            m->sa_running = true;
            sim_after(m->s, gsl_ran_exponential(m->r[RNG_SA], 1.0 / m->sa_rate), ev_sa_arrival, m,
                      0);
        }
        break;
    case A_BG:
        for (int mut = 0; mut < 2; mut++) {
            double rate = mut ? p->background.mutating_rate : p->background.readonly_rate;
            if (rate > 0.0 && !m->bg_running[mut]) {
                m->bg_running[mut] = true;
                sim_after(m->s, gsl_ran_exponential(m->r[RNG_BACKGROUND], 1.0 / rate),
                          ev_bg_arrival, m, (uint64_t)mut);
            }
        }
        break;
    default:
        break;
    }
}

static void apply_sets(model *m, const intervention *v)
{
    for (int i = 0; i < v->nsets; i++) {
        store_value(m, &v->sets[i], v->sets[i].value);
        apply(m, v->sets[i].key);
    }
}

/* A ramp moves its keys linearly from their values at its start to its targets, one step per
 * sample interval (an int key is rounded at each step). arg: intervention index and step. */
static void ev_ramp(sim *s, void *obj, uint64_t arg)
{
    model *m = obj;
    uint32_t i = (uint32_t)(arg >> 32), step = (uint32_t)arg;
    const intervention *v = &m->p->interventions[i];
    double dt = m->p->sim.sample_interval_s;
    double frac = v->duration_s > 0.0 ? fmin(1.0, (double)step * dt / v->duration_s) : 1.0;
    for (int k = 0; k < v->nsets; k++) {
        double from = m->ramp_from[i * INTERVENTION_SETS_MAX + (uint32_t)k];
        store_value(m, &v->sets[k], from + (v->sets[k].value - from) * frac);
        apply(m, v->sets[k].key);
    }
    if (frac < 1.0)
        sim_after(s, dt, ev_ramp, m, ((uint64_t)i << 32) | (step + 1));
}

static void ev_restart_end(sim *s, void *obj, uint64_t arg)
{
    (void)s;
    model *m = obj;
    apply_sets(m, &m->p->interventions[arg]); /* the new process's configuration */
    apiserver_up(m);
}

static void ev_intervention(sim *s, void *obj, uint64_t arg)
{
    model *m = obj;
    const intervention *v = &m->p->interventions[arg];
    switch (v->kind) {
    case INTERVENE_SET:
        apply_sets(m, v);
        break;
    case INTERVENE_RESTART:
        apiserver_down(m);
        sim_after(s, v->duration_s, ev_restart_end, m, arg);
        break;
    case INTERVENE_FLUSH:
        cache_flush(m, (enum flush_scope)v->flush);
        break;
    case INTERVENE_RAMP:
        for (int k = 0; k < v->nsets; k++)
            m->ramp_from[arg * INTERVENTION_SETS_MAX + (uint64_t)k] = load_value(m, &v->sets[k]);
        ev_ramp(s, m, arg << 32 | 1);
        break;
    default:
        break;
    }
}

/* ---- sampling ---- */

static void ev_sample(sim *s, void *obj, uint64_t arg)
{
    (void)arg;
    model *m = obj;
    double t = now(m), span = t - m->sample_start;
    run_output *o = m->out;
    if (o->nsamples == m->cap_samples) {
        m->cap_samples = m->cap_samples ? 2 * m->cap_samples : 1024;
        o->samples = xrealloc(o->samples, m->cap_samples * sizeof *o->samples);
    }
    sample *x = &o->samples[o->nsamples++];
    x->t = t;
    for (int i = 0; i < C_COUNTER_COUNT; i++) {
        x->c[i] = m->cum[i] - m->last[i];
        m->last[i] = m->cum[i];
    }
    admission_gauges ag;
    admission_sample(m->adm, t, span, &ag);
    x->inflight_mut = ag.inflight[ADMISSION_MUTATING];
    x->inflight_ro = ag.inflight[ADMISSION_READONLY];
    x->lb_queue = gauge_take(&m->g_lbq, t, span);
    if (m->use_cpu) {
        ps_advance(&m->cpu, t);
        x->cpu_util = span > 0.0 ? (m->cpu.busy_s - m->cpu_busy_mark) / span : 0.0;
        m->cpu_busy_mark = m->cpu.busy_s;
    } else {
        x->cpu_util = NAN;
    }
    x->tr_latency_sum_s = m->tr_lat_sum;
    x->lb_wait_sum_s = m->lb_wait_sum;
    m->tr_lat_sum = m->lb_wait_sum = 0.0;
    x->orphaned = m->orphaned;
    x->not_ready = m->not_ready;
    /* nodes whose status is stale now: no successful PATCH for interval + timeout (a beat missed,
     * whether its requests failed or never finished), NotReady ones included */
    m->stale_thr = t - (m->p->kubelet.heartbeat.interval_s + m->p->kubelet.heartbeat.timeout_s);
    while (m->stale_front != NO_NODE && m->nodes[m->stale_front].last_ok < m->stale_thr) {
        m->stale_ready++;
        m->stale_front = m->nodes[m->stale_front].next;
    }
    x->stale = (double)(m->stale_ready + m->not_ready);
    x->out_calls = (double)m->calls.live;
    x->out_vals = (double)m->vals.live;
    x->out_reqs = (double)m->sreqs.live;
    m->sample_start = t;
    size_t pending = sim_pending(s);
    if (pending > o->peak_pending)
        o->peak_pending = pending;
    if (m->hook && m->hook(m->hook_ctx, o)) {
        o->stopped_early = 1;
        sim_stop(s);
        return;
    }
    double next = (double)(o->nsamples + 1) * m->p->sim.sample_interval_s;
    if (next <= m->horizon_s * (1.0 + 1e-12))
        sim_at(s, next, ev_sample, m, 0);
}

/* ---- set-up and run ---- */

static void init_state(model *m)
{
    const params *p = m->p;
    gsl_rng *ri = m->r[RNG_INIT];
    bool warm = p->sim.warm_start;
    bool tokens_used = p->metrics_server.enabled && p->metrics_server.auth == MS_AUTH_TOKEN;
    double ttl = p->apiserver.token_cache.success_ttl_s;

    size_t nn = m->nnodes > 0 ? (size_t)m->nnodes : 1;
    m->nodes = xcalloc(nn, sizeof *m->nodes);
    /* The first heartbeat phases, sorted (by phase, then node), go into the cycle ring, and
     * the ready list is built in order of last_ok (which the phases order too). The scrape
     * array, empty until the first tick, holds them meanwhile. */
    m->scr_cap = nn;
    m->scr = xmalloc(nn * sizeof *m->scr);
    scrape *first = m->scr;
    for (int i = 0; i < m->nnodes; i++) {
        node *n = &m->nodes[i];
        n->api = (tbucket_state){p->kubelet.api_burst, 0.0};
        double phase = p->kubelet.heartbeat.interval_s * gsl_rng_uniform(ri);
        n->last_ok = warm ? phase - p->kubelet.heartbeat.interval_s : 0.0;
        n->cache_expiry = -INFINITY;
        if (warm && tokens_used) {
            n->cache_expiry = p->kubelet.webhook_cache_ttl_s * gsl_rng_uniform(ri);
        }
        first[i] = (scrape){phase, (uint32_t)i, (uint32_t)i};
    }
    scrape_sort(first, (size_t)m->nnodes);
    m->ready_head = m->ready_tail = m->stale_front = NO_NODE;
    m->stale_thr = -INFINITY;
    for (int k = 0; k < m->nnodes; k++) {
        tqueue_push(&m->tq_cycle, first[k].t, first[k].node);
        /* warm: last_ok follows the phase; cold: every last_ok is 0, in node order */
        ready_append(m, warm ? first[k].node : (uint32_t)k);
    }
    if (m->nnodes > 0)
        watchdog_arm(m);
    if (warm && ttl > 0.0) {
        /* warm start: every cache entry filled, expiries spread uniformly over the TTL */
        if (tokens_used && m->nnodes > 0)
            ttlcache_fill(m->tc, METRICS_TOKEN, 0.0, ttl * gsl_rng_uniform_pos(ri), true);
        if (m->sa_rate > 0.0)
            for (uint64_t k = 1; k <= m->sa_tokens; k++)
                ttlcache_fill(m->tc, k, 0.0, ttl * gsl_rng_uniform_pos(ri), true);
    }
    if (p->metrics_server.enabled && m->nnodes > 0) {
        m->ms_ticking = true;
        sim_at(m->s, p->metrics_server.resolution_s * gsl_rng_uniform(ri), ev_ms_tick, m, 0);
    }
    if (m->sa_rate > 0.0) {
        m->sa_running = true;
        sim_at(m->s, gsl_ran_exponential(m->r[RNG_SA], 1.0 / m->sa_rate), ev_sa_arrival, m, 0);
    }
    if (p->background.mutating_rate > 0.0) {
        m->bg_running[1] = true;
        sim_at(m->s, gsl_ran_exponential(m->r[RNG_BACKGROUND], 1.0 / p->background.mutating_rate),
               ev_bg_arrival, m, 1);
    }
    if (p->background.readonly_rate > 0.0) {
        m->bg_running[0] = true;
        sim_at(m->s, gsl_ran_exponential(m->r[RNG_BACKGROUND], 1.0 / p->background.readonly_rate),
               ev_bg_arrival, m, 0);
    }
    if (p->trigger.kind != TRIGGER_NONE)
        sim_at(m->s, p->trigger.at_s, ev_trigger_start, m, 0);
    for (int i = 0; i < p->ninterventions; i++)
        sim_at(m->s, p->interventions[i].at_s, ev_intervention, m, (uint64_t)i);
    sim_at(m->s, p->sim.sample_interval_s, ev_sample, m, 0);
}

void model_run(const params *p, uint64_t replication, uint64_t point, model_sample_hook hook,
               void *hook_ctx, run_output *out)
{
    model mm, *m = &mm;
    memset(m, 0, sizeof *m);
    memset(out, 0, sizeof *out);
    m->pv = *p;
    p = m->p = &m->pv;
    m->ramp_from =
        xcalloc((size_t)(p->ninterventions > 0 ? p->ninterventions : 1) * INTERVENTION_SETS_MAX,
                sizeof *m->ramp_from);
    m->s = sim_new();
    m->out = out;
    m->hook = hook;
    m->hook_ctx = hook_ctx;
    sim_set_context(m->s, m);
    for (unsigned k = 0; k < RNG_STREAM_COUNT; k++)
        m->r[k] = rng_new(p->sim.seed, replication, point, k);
    pool_init(&m->calls, sizeof(call));
    pool_init(&m->sreqs, sizeof(sreq));
    pool_init(&m->vals, sizeof(val));
    m->nnodes = p->cluster.nodes;
    m->adm = admission_maxinflight_new(limits_of(p), NULL, 0.0);
    m->lb_limited =
        p->apiserver.sa_lookup.mode != SA_LOOKUP_UNLIMITED && p->apiserver.loopback.qps > 0.0;
    tbucket_init(&m->loopback, p->apiserver.loopback.qps, p->apiserver.loopback.burst, 0.0);
    m->tc = ttlcache_new(p->apiserver.token_cache.coalesce,
                         (size_t)p->apiserver.token_cache.max_entries);
    m->use_cpu = p->apiserver.cpu.cores > 0;
    if (m->use_cpu)
        ps_init(&m->cpu, p->apiserver.cpu.cores, 0.0);
    /* The timeouts of the filter (60 s; DefaultBuildHandlerChain), of the create handler (30 s)
     * and of the heartbeat client (10 s). */
    m->tl_filter = (tlist){NO_ID, NO_ID, p->apiserver.request_timeout_s, false, false};
    m->tl_create = (tlist){NO_ID, NO_ID, p->apiserver.create_timeout_s, false, true};
    m->tl_hb = (tlist){NO_ID, NO_ID, p->kubelet.heartbeat.timeout_s, false, true};
    tqueue_init(&m->tq_loopback, m->s, tq_loopback_fire, m);
    tqueue_init(&m->tq_retry, m->s, tq_retry_fire, m);
    tqueue_init(&m->tq_cycle, m->s, tq_cycle_fire, m); /* nodes: every entry fires */
    m->webhook_retry = (retry){p->kubelet.retry.attempts, p->kubelet.retry.initial_s,
                               p->kubelet.retry.factor, p->kubelet.retry.jitter};
    m->next_fresh = FRESH_BASE;
    double nodes = p->cluster.nodes;
    double tokens = p->sa_clients.tokens + floor(p->sa_clients.tokens_per_node * nodes + 0.5);
    m->sa_tokens = tokens >= 1.0 ? (uint64_t)tokens : 1;
    m->sa_rate = p->sa_clients.rate + p->sa_clients.rate_per_node * nodes;
    if (p->sa_clients.zipf > 0.0) { /* also for SA traffic an intervention starts */
        double *w = xmalloc(m->sa_tokens * sizeof *w);
        for (uint64_t k = 0; k < m->sa_tokens; k++)
            w[k] = pow((double)(k + 1), -p->sa_clients.zipf);
        m->zipf = gsl_ran_discrete_preproc(m->sa_tokens, w);
        free(w);
    }

    m->horizon_s =
        p->sim.max_duration_s > p->sim.duration_s ? p->sim.max_duration_s : p->sim.duration_s;
    init_state(m);
    sim_run(m->s, m->horizon_s);
    out->events = sim_events(m->s);
    out->end_s = sim_now(m->s);

    free(m->ramp_from);
    if (m->zipf)
        gsl_ran_discrete_free(m->zipf);
    tqueue_destroy(&m->tq_retry);
    free(m->scr_waiting);
    tqueue_destroy(&m->tq_loopback);
    tqueue_destroy(&m->tq_cycle);
    free(m->scr);
    if (m->use_cpu)
        ps_destroy(&m->cpu);
    ttlcache_free(m->tc);
    admission_free(m->adm);
    free(m->nodes);
    pool_destroy(&m->calls);
    pool_destroy(&m->sreqs);
    pool_destroy(&m->vals);
    for (unsigned k = 0; k < RNG_STREAM_COUNT; k++)
        gsl_rng_free(m->r[k]);
    sim_free(m->s);
}

void run_output_free(run_output *o)
{
    if (!o)
        return;
    free(o->samples);
    o->samples = NULL;
    o->nsamples = 0;
}
