/* kubelet: every node's kubelet (L3): heartbeats (GET node, PATCH status, retried within a
 * cycle), the node lifecycle controller's NotReady watchdog over the ready list, the stale-status
 * frontier that sampling reads, and the webhook authenticator that metrics-server's scrapes go
 * through (its cache of TokenReview results, and one retry loop per uncached scrape). Includes
 * k8s.h and L0-L2 headers only; its requests go out through clients.c. */
#include "k8s.h"

#include "err.h"
#include "xmem.h"

#include <math.h>
#include <stdlib.h>

/* The kubelet's webhook cache entry for metrics-server's token: cache_expiry > 0 holds a success
 * until then; a stored failure (authenticated = false) until u is kept as -u; -INFINITY: none.
 * Returns 1 (success cached), -1 (failure cached) or 0 at time t. */
static int kubelet_cached(const node *n, double t)
{
    if (n->cache_expiry > t)
        return 1;
    return isfinite(n->cache_expiry) && -n->cache_expiry > t ? -1 : 0;
}

/* ---- webhook retry loops ---- */

static void ev_wloop_next(sim *e, void *obj, uint64_t arg);

/* The webhook loop's scrape gets its answer now, unless its tick's deadline passed. */
static void wloop_scrape_done(world *w, call *loop, bool ok)
{
    if (!loop->scrape_waiting)
        return;
    loop->scrape_waiting = false;
    ms_scrape_done(w, loop->tick, ok);
}

/* One attempt of the webhook loop: a client-go call (its own 429 retries). */
static void wloop_attempt(world *w, call *loop)
{
    count(w, C_TR_ATTEMPTS);
    loop->tries = 0;
    call_send(w, loop);
}

void wloop_result(world *w, call *loop, enum status st)
{
    const params *p = w->p;
    if (st == ST_OK) {
        /* 1.12 webhook responseCache: any returned status is cached for the TTL. */
        node *n = &w->kl.nodes[loop->node];
        n->cache_expiry = now(w) + p->kubelet.webhook_cache_ttl_s;
        wloop_scrape_done(w, loop, true);
        pool_put(&w->calls, loop);
        return;
    }
    if (st == ST_UNAUTH) {
        /* authenticated = false: cached for the failure TTL, the scrape gets 401, no retry */
        node *n = &w->kl.nodes[loop->node];
        double ttl = p->kubelet.webhook_failure_ttl_s;
        n->cache_expiry = ttl > 0.0 ? -(now(w) + ttl) : -INFINITY;
        wloop_scrape_done(w, loop, false);
        pool_put(&w->calls, loop);
        return;
    }
    /* Errors are not cached; 504 Timeout, 429 and connection errors are retried with backoff
     * (util/webhook WithExponentialBackoff). 1.12 has no ctx: the loop outlives the scrape. */
    retry *rp = &w->kl.webhook_retry;
    if (retry_more(rp, (int)loop->attempt)) {
        double d = retry_delay_s(rp, (int)loop->attempt, w->r[RNG_RETRY]);
        loop->attempt++;
        sim_after(w->s, d, ev_wloop_next, loop, loop->h.gen);
        return;
    }
    wloop_scrape_done(w, loop, false);
    pool_put(&w->calls, loop);
}

static void ev_wloop_next(sim *e, void *obj, uint64_t arg)
{
    call *loop = obj;
    if (pool_alive(loop, (uint32_t)arg))
        wloop_attempt(world_of_sim(e), loop);
}

/* metrics-server scrapes node i: the kubelet authenticates metrics-server's token. */
void kubelet_scrape(world *w, uint32_t i)
{
    node *n = &w->kl.nodes[i];
    if (w->p->metrics_server.auth == MS_AUTH_CERTIFICATE) {
        ms_scrape_result(w, true); /* no TokenReview: the kubelet verifies the certificate */
        return;
    }
    int cached = kubelet_cached(n, now(w));
    if (cached != 0) {
        count(w, C_KC_HIT);
        ms_scrape_result(w, cached > 0); /* a cached failure: 401 */
        return;
    }
    count(w, C_KC_MISS);
    count(w, C_WLOOPS);
    /* No coalescing in the kubelet: each uncached request starts its own retry loop. */
    call *loop = call_new(w, K_TOKENREVIEW, 0, true);
    loop->node = i;
    loop->tick = ms_latest_tick(w); /* the latest tick's deadline applies */
    loop->scrape_waiting = ms_scrape_wait(w, loop->tick);
    if (!loop->scrape_waiting)
        ms_scrape_result(w, false); /* that deadline has passed already */
    wloop_attempt(w, loop);
}

void kubelet_flush_cache(world *w)
{
    for (int i = 0; i < w->kl.n; i++)
        w->kl.nodes[i].cache_expiry = -INFINITY;
}

void kubelet_set_retry(world *w)
{
    const params *p = w->p;
    w->kl.webhook_retry = (retry){p->kubelet.retry.attempts, p->kubelet.retry.initial_s,
                                  p->kubelet.retry.factor, p->kubelet.retry.jitter};
}

/* ---- the ready list: nodes not NotReady, in order of last_ok (a success moves a node to the
 * tail, since its last_ok is now the newest), so the next NotReady deadline is the head's ---- */

static void ready_unlink(kubelets *kl, uint32_t i)
{
    node *n = &kl->nodes[i];
    if (n->last_ok < kl->stale_thr)
        kl->stale_ready--;
    if (kl->stale_front == i)
        kl->stale_front = n->next;
    if (n->prev != NO_NODE)
        kl->nodes[n->prev].next = n->next;
    else
        kl->ready_head = n->next;
    if (n->next != NO_NODE)
        kl->nodes[n->next].prev = n->prev;
    else
        kl->ready_tail = n->prev;
    n->prev = n->next = NO_NODE;
}

static void ready_append(kubelets *kl, uint32_t i)
{
    node *n = &kl->nodes[i];
    if (kl->stale_front == NO_NODE)
        kl->stale_front = i; /* its last_ok is the newest: not stale */
    n->prev = kl->ready_tail;
    n->next = NO_NODE;
    if (kl->ready_tail != NO_NODE)
        kl->nodes[kl->ready_tail].next = i;
    else
        kl->ready_head = i;
    kl->ready_tail = i;
}

/* One pending event, for the head of the ready list (or earlier: the head may have moved on
 * since, and the event then re-arms for the new head). */
static void ev_watchdog(sim *e, void *obj, uint64_t arg);

static void watchdog_arm(world *w)
{
    kubelets *kl = &w->kl;
    kl->watchdog_armed = kl->ready_head != NO_NODE;
    if (kl->watchdog_armed) {
        double due = kl->nodes[kl->ready_head].last_ok + w->p->kubelet.heartbeat.not_ready_after_s;
        sim_at(w->s, due > now(w) ? due : now(w), ev_watchdog, w, 0);
    }
}

static void ev_watchdog(sim *e, void *obj, uint64_t arg)
{
    (void)e;
    (void)arg;
    world *w = obj;
    kubelets *kl = &w->kl;
    double after = w->p->kubelet.heartbeat.not_ready_after_s;
    while (kl->ready_head != NO_NODE && now(w) >= kl->nodes[kl->ready_head].last_ok + after) {
        /* node lifecycle controller: no status for the grace period -> NotReady */
        uint32_t i = kl->ready_head;
        ready_unlink(kl, i);
        kl->nodes[i].prev = NOT_LISTED;
        kl->not_ready++;
    }
    watchdog_arm(w);
}

/* Nodes whose status is stale at t: no successful PATCH for interval + timeout (a beat missed,
 * whether its requests failed or never finished), NotReady ones included. Moves the frontier. */
double kubelet_stale(world *w, double t)
{
    kubelets *kl = &w->kl;
    const params *p = w->p;
    kl->stale_thr = t - (p->kubelet.heartbeat.interval_s + p->kubelet.heartbeat.timeout_s);
    while (kl->stale_front != NO_NODE && kl->nodes[kl->stale_front].last_ok < kl->stale_thr) {
        kl->stale_ready++;
        kl->stale_front = kl->nodes[kl->stale_front].next;
    }
    return (double)(kl->stale_ready + kl->not_ready);
}

/* ---- heartbeats ---- */

/* One try of tryUpdateNodeStatus (GET node, then PATCH status); tries_left counts this one. */
static void hb_try(world *w, uint32_t i, uint32_t tries_left)
{
    call *c = call_new(w, K_HB_GET, 0, true);
    c->node = i;
    c->tries_left = tries_left;
    call_send(w, c);
}

static void hb_cycle_end(world *w, uint32_t i, bool ok)
{
    count(w, ok ? C_HB_OK : C_HB_FAIL);
    /* wait.Until(syncNodeStatus, frequency): the next cycle starts a period after this ends.
     * The period is the same for every node, so these deadlines come in order: a ring. */
    tqueue_push(&w->kl.tq_cycle, now(w) + w->p->kubelet.heartbeat.interval_s, i);
}

/* c's call ended with st (clients.c frees c afterwards). */
void hb_result(world *w, call *c, enum status st)
{
    kubelets *kl = &w->kl;
    uint32_t i = c->node;
    node *n = &kl->nodes[i];
    if (st == ST_OK && c->kind == K_HB_GET) {
        call *patch = call_new(w, K_HB_PATCH, 0, true);
        patch->node = i;
        patch->tries_left = c->tries_left;
        call_send(w, patch);
        return;
    }
    if (st == ST_OK) {
        /* The newest last_ok: to the tail of the ready list (unlinked with its old last_ok). */
        if (node_not_ready(n))
            kl->not_ready--;
        else
            ready_unlink(kl, i);
        n->last_ok = now(w);
        ready_append(kl, i);
        if (!kl->watchdog_armed)
            watchdog_arm(w);
        hb_cycle_end(w, i, true);
        return;
    }
    /* tryUpdateNodeStatus failed: nodeStatusUpdateRetry tries per cycle, back to back. */
    if (c->tries_left > 1)
        hb_try(w, i, c->tries_left - 1);
    else
        hb_cycle_end(w, i, false);
}

static void tq_cycle_fire(void *ctx, uint32_t id)
{
    world *w = ctx;
    hb_try(w, id, (uint32_t)w->p->kubelet.heartbeat.tries);
}

/* ---- set-up ---- */

/* The nodes, their first heartbeat phases (drawn in node order, each with the node's webhook
 * cache expiry on a warm start), the cycle ring and the ready list in order of last_ok. */
void kubelet_init(world *w)
{
    const params *p = w->p;
    kubelets *kl = &w->kl;
    gsl_rng *ri = w->r[RNG_INIT];
    bool warm = p->sim.warm_start;
    bool tokens_used = p->metrics_server.enabled && p->metrics_server.auth == MS_AUTH_TOKEN;
    kl->n = p->cluster.nodes;
    kubelet_set_retry(w);
    tqueue_init(&kl->tq_cycle, w->s, tq_cycle_fire, w); /* nodes: every entry fires */

    size_t nn = kl->n > 0 ? (size_t)kl->n : 1;
    kl->nodes = xcalloc(nn, sizeof *kl->nodes);
    /* The first heartbeat phases, sorted (by phase, then node), go into the cycle ring, and
     * the ready list is built in order of last_ok (which the phases order too). They are sorted
     * in metrics-server's scrape array, empty until its first tick (one array of N less). */
    due *first = ms_scrape_array(w, nn);
    for (int i = 0; i < kl->n; i++) {
        node *n = &kl->nodes[i];
        n->api = (tbucket_state){p->kubelet.api_burst, 0.0};
        double phase = p->kubelet.heartbeat.interval_s * gsl_rng_uniform(ri);
        n->last_ok = warm ? phase - p->kubelet.heartbeat.interval_s : 0.0;
        n->cache_expiry = -INFINITY;
        if (warm && tokens_used) {
            n->cache_expiry = p->kubelet.webhook_cache_ttl_s * gsl_rng_uniform(ri);
        }
        first[i] = (due){phase, (uint32_t)i, (uint32_t)i};
    }
    due_sort(first, (size_t)kl->n);
    kl->ready_head = kl->ready_tail = kl->stale_front = NO_NODE;
    kl->stale_thr = -INFINITY;
    for (int k = 0; k < kl->n; k++) {
        tqueue_push(&kl->tq_cycle, first[k].t, first[k].node);
        /* warm: last_ok follows the phase; cold: every last_ok is 0, in node order */
        ready_append(kl, warm ? first[k].node : (uint32_t)k);
    }
    if (kl->n > 0)
        watchdog_arm(w);
}

void kubelet_destroy(world *w)
{
    tqueue_destroy(&w->kl.tq_cycle);
    free(w->kl.nodes);
}
