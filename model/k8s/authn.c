/* authn: an apiserver's authentication of ServiceAccount tokens (L3, part of the server object):
 * the token cache, SA validations (gets_per_validation GETs, each through the loopback client's
 * limiter, an uncancellable FIFO reservation, then a read-only admission as system:masters),
 * their waiters and orphans. apiserver.c calls in here and hears back through sreq_authn_done
 * and sreq_authn_failed. Includes k8s.h and L0-L2 headers only. */
#include "k8s.h"

#include "dist.h"
#include "err.h"

#include <math.h>

/* The loopback client is system:masters: exempt. */
static const admission_class loopback_class = {
    .kind = ADMISSION_READONLY, .subject = ADMISSION_MASTERS, .exempt = true};

static bool loopback_limited(const params *p)
{
    return p->apiserver.sa_lookup.mode != SA_LOOKUP_UNLIMITED && p->apiserver.loopback.qps > 0.0;
}

/* ---- waiters ---- */

void authn_detach(server *s, sreq *r)
{
    if (r->val == NO_ID)
        return;
    val *v = pool_at(&s->vals, r->val);
    if (r->wprev != NO_ID)
        sreq_at(s, r->wprev)->wnext = r->wnext;
    else
        v->waiters = r->wnext;
    if (r->wnext != NO_ID)
        sreq_at(s, r->wnext)->wprev = r->wprev;
    r->val = r->wprev = r->wnext = NO_ID;
    if (v->waiters == NO_ID && !v->orphaned) {
        v->orphaned = true;
        s->orphaned++;
    }
}

static void val_attach(server *s, val *v, sreq *r)
{
    r->val = v->h.id;
    r->wprev = NO_ID;
    r->wnext = v->waiters;
    if (v->waiters != NO_ID)
        sreq_at(s, v->waiters)->wprev = r->h.id;
    v->waiters = r->h.id;
    if (v->orphaned) {
        v->orphaned = false;
        s->orphaned--;
    }
}

/* Hands every waiter of v, in order, to done (ok) or failed. */
static void val_release_waiters(server *s, val *v, bool ok)
{
    while (v->waiters != NO_ID) {
        sreq *r = sreq_at(s, v->waiters);
        v->waiters = r->wnext;
        if (v->waiters != NO_ID)
            sreq_at(s, v->waiters)->wprev = NO_ID;
        r->val = r->wprev = r->wnext = NO_ID;
        if (ok)
            sreq_authn_done(s, r);
        else
            sreq_authn_failed(s, r);
    }
}

/* ---- SA validation: gets_per_validation GETs through the loopback limiter ---- */

/* A validation ends: its token is cached for token_cache.success_ttl, or, when it failed
 * (ASSUMPTION apiserver.sa_lookup.fail_after), for token_cache.failure_ttl (nothing unless > 0:
 * 1.13+ caches errors for that long); everyone waiting gets the outcome. */
static void val_end(server *s, val *v, bool ok)
{
    world *w = s->w;
    const double ttl =
        ok ? w->p->apiserver.token_cache.success_ttl_s : w->p->apiserver.token_cache.failure_ttl_s;
    if (!ok)
        count(w, C_VAL_FAIL);
    ttlcache_fill(s->tc, v->token, now(w), ttl, ok);
    if (v->orphaned)
        s->orphaned--;
    val_release_waiters(s, v, ok);
    pool_put(&s->vals, v);
}

static void get_grant(server *s, val *v)
{
    world *w = s->w;
    double fail_after = w->p->apiserver.sa_lookup.fail_after_s;
    if (fail_after > 0.0 && now(w) - v->t0 > fail_after) {
        val_end(s, v, false); /* the token of its reservation is spent, the GET not sent */
        return;
    }
    count(w, C_LB_GETS);
    /* The loopback user is system:masters: it takes a read-only slot when one is free and is
     * served without one when the pool is full (maxinflight.go). */
    v->slot = admission_acquire(s->adm, loopback_class, v->h.id, now(w), NULL) == ADMISSION_EXECUTE;
    server_work(s, dist_sample(&w->p->apiserver.sa_lookup.get_time, w->r[RNG_SERVICE]), v, W_GET);
}

static void val_next_get(server *s, val *v)
{
    if (!s->lb_limited) {
        get_grant(s, v);
        return;
    }
    /* client-go 1.12 tryThrottle -> Accept(): an uncancellable FIFO reservation. */
    double wait = tbucket_reserve(&s->loopback, now(s->w));
    count(s->w, C_LB_RESERVE);
    s->lb_wait_sum += wait;
    if (wait > 0.0) {
        v->waited = true;
        server_lbq_add(s, 1);
        /* FIFO reservations are granted in order: a ring, not one engine event each */
        tqueue_push(&s->tq_loopback, now(s->w) + wait, v->h.id);
    } else {
        get_grant(s, v);
    }
}

void authn_get_done(server *s, val *v)
{
    if (v->slot) {
        v->slot = false;
        admission_release(s->adm, loopback_class, v->h.id, now(s->w));
    }
    if (--v->gets_left > 0)
        val_next_get(s, v);
    else
        val_end(s, v, true);
}

/* A validation waiting in the loopback queue ends only at a restart, which clears the queue. */
static void tq_loopback_fire(void *ctx, uint32_t id)
{
    server *s = ctx;
    val *v = pool_at(&s->vals, id);
    ensure(pool_is_live(v) && v->waited, now(s->w), "loopback reservation of a gone validation");
    v->waited = false;
    server_lbq_add(s, -1);
    get_grant(s, v);
}

/* ---- authentication of a request ---- */

int authn_begin(server *s, sreq *r)
{
    world *w = s->w;
    const params *p = w->p;
    void *pending = NULL;
    val *v;
    switch (ttlcache_lookup(s->tc, r->token, now(w), &pending)) {
    case TTLCACHE_HIT:
        count(w, C_TC_HIT);
        return 1;
    case TTLCACHE_HIT_FAIL:
        count(w, C_TC_HIT);
        return -1;
    case TTLCACHE_JOIN: /* 1.18 singleflight: wait for the validation in flight */
        count(w, C_TC_MISS);
        v = pending;
        val_attach(s, v, r);
        return 0;
    default:
        break;
    }
    count(w, C_TC_MISS);
    count(w, C_VALIDATIONS);
    bool local = p->apiserver.sa_lookup.gets_per_validation == 0 ||
                 (p->apiserver.sa_lookup.mode == SA_LOOKUP_INFORMER &&
                  unif(w, RNG_LOOKUP) >= p->apiserver.sa_lookup.informer_miss);
    if (local) {
        /* 1.14+ (PR #71816): served from the informer's cache, no loopback GETs. */
        ttlcache_fill(s->tc, r->token, now(w), p->apiserver.token_cache.success_ttl_s, true);
        return 1;
    }
    v = pool_get(&s->vals);
    v->server = s->index;
    v->waiters = NO_ID;
    v->token = r->token;
    v->t0 = now(w);
    v->gets_left = p->apiserver.sa_lookup.gets_per_validation;
    ttlcache_set_pending(s->tc, r->token, now(w), v);
    val_attach(s, v, r);
    val_next_get(s, v);
    return 0;
}

/* ---- life cycle ---- */

void authn_init(server *s)
{
    const params *p = s->w->p;
    s->lb_limited = loopback_limited(p);
    tbucket_init(&s->loopback, p->apiserver.loopback.qps, p->apiserver.loopback.burst, 0.0);
    s->tc = ttlcache_new(p->apiserver.token_cache.coalesce,
                         (size_t)p->apiserver.token_cache.max_entries);
    tqueue_init(&s->tq_loopback, s->w->s, tq_loopback_fire, s);
}

void authn_destroy(server *s)
{
    tqueue_destroy(&s->tq_loopback);
    ttlcache_free(s->tc);
}

static void drop_val(void *obj, void *ctx)
{
    server *s = ctx;
    val *v = obj;
    v->waiters = NO_ID; /* their requests are dropped separately */
    if (v->waited)
        server_lbq_add(s, -1);
    pool_put(&s->vals, v);
}

void authn_drop_all(server *s)
{
    pool_each(&s->vals, drop_val, s);
    tqueue_clear(&s->tq_loopback); /* the reservations of the validations just dropped */
    s->orphaned = 0;
}

/* The new process: a full loopback bucket at the configured rate, an empty token cache. */
void authn_restart(server *s)
{
    const params *p = s->w->p;
    tbucket_init(&s->loopback, p->apiserver.loopback.qps, p->apiserver.loopback.burst, now(s->w));
    s->lb_limited = loopback_limited(p);
    ttlcache_free(s->tc);
    s->tc = ttlcache_new(p->apiserver.token_cache.coalesce,
                         (size_t)p->apiserver.token_cache.max_entries);
}

void server_lookup_changed(server *s)
{
    s->lb_limited = loopback_limited(s->w->p);
}

void server_flush_token_cache(server *s)
{
    ttlcache_flush(s->tc);
}

void server_warm(server *s, bool metrics_token, uint64_t sa_tokens)
{
    world *w = s->w;
    gsl_rng *ri = w->r[RNG_INIT];
    double ttl = w->p->apiserver.token_cache.success_ttl_s;
    if (metrics_token)
        ttlcache_fill(s->tc, METRICS_TOKEN, 0.0, ttl * gsl_rng_uniform_pos(ri), true);
    for (uint64_t k = 1; k <= sa_tokens; k++)
        ttlcache_fill(s->tc, k, 0.0, ttl * gsl_rng_uniform_pos(ri), true);
}
