/* clients: client-go calls and the open-loop clients (L3). A call sends one HTTP request at a
 * time to an apiserver (route), retries a 429 after Retry-After up to client_go.max_tries, and
 * hands its end to its owner by kind: the kubelet's webhook loops and heartbeats (kubelet.c),
 * or the counters of the SA-token pods, the background clients and the trigger's burst, whose
 * Poisson arrival processes live here. Includes k8s.h and L0-L2 headers only. */
#include "k8s.h"

#include "err.h"
#include "xmem.h"

#include <math.h>
#include <stdlib.h>

/* ---- client-go calls ---- */

static void ev_call_transmit(sim *e, void *obj, uint64_t arg);

/* ---- apiserver replicas (README, "Configuration": apiserver.replicas) ---- */

/* A live replica drawn uniformly (RNG_REPLICA); -1 when every replica is down. */
static int pick_live(world *w)
{
    int live = 0;
    for (int k = 0; k < w->nservers; k++)
        live += !w->servers[k].down;
    if (live == 0)
        return -1;
    unsigned long u = gsl_rng_uniform_int(w->r[RNG_REPLICA], (unsigned long)live);
    for (int k = 0;; k++)
        if (!w->servers[k].down && u-- == 0)
            return k;
}

/* A kubelet keeps one connection (its heartbeats and its webhook's TokenReviews go over the
 * kubelet's client; ASSUMPTION: client-go shares the transport of one kubeconfig), and so does
 * each SA-token pod; the connection goes through the load balancer once, to a replica it keeps
 * until that replica goes down. Metrics-server sends nothing to the apiserver here: its token's
 * TokenReviews are the kubelets', so they follow the kubelets' replicas, not metrics-server's own
 * connection. */
void replicas_init(world *w)
{
    replicas *rp = &w->rep;
    if (w->nservers <= 1)
        return;
    gsl_rng *r = w->r[RNG_REPLICA];
    unsigned long n = (unsigned long)w->nservers;
    rp->node = xmalloc((size_t)(w->kl.n > 0 ? w->kl.n : 1));
    for (int i = 0; i < w->kl.n; i++)
        rp->node[i] = (uint8_t)gsl_rng_uniform_int(r, n);
    rp->ntokens = w->cl.sa_tokens;
    rp->token = xmalloc((size_t)rp->ntokens + 1);
    rp->token[0] = 0;
    for (uint64_t t = 1; t <= rp->ntokens; t++)
        rp->token[t] = (uint8_t)gsl_rng_uniform_int(r, n);
}

static void move_one(world *w, uint8_t *a, bool all)
{
    if (!all && !w->servers[*a].down)
        return;
    int k = pick_live(w);
    if (k >= 0)
        *a = (uint8_t)k;
}

/* Long-lived connections do not come back to a replica that returns: only broken ones move. */
void replicas_move(world *w, bool all)
{
    replicas *rp = &w->rep;
    if (w->nservers <= 1)
        return;
    for (int i = 0; i < w->kl.n; i++)
        move_one(w, &rp->node[i], all);
    for (uint64_t t = 1; t <= rp->ntokens; t++)
        move_one(w, &rp->token[t], all);
}

void replicas_destroy(world *w)
{
    free(w->rep.node);
    free(w->rep.token);
}

/* The apiserver a call's request goes to: a kubelet's or an SA-token pod's replica, or, for the
 * background clients and the burst, a live replica drawn per request (every replica when all
 * are down: the request is refused). */
static server *route(world *w, const call *c)
{
    if (w->nservers == 1)
        return &w->servers[0];
    if (kind_node[c->kind])
        return &w->servers[w->rep.node[c->node]];
    if ((c->kind == K_SA_RO || c->kind == K_SA_MUT) && c->token <= w->rep.ntokens)
        return &w->servers[w->rep.token[c->token]];
    int k = pick_live(w);
    if (k < 0)
        k = (int)gsl_rng_uniform_int(w->r[RNG_REPLICA], (unsigned long)w->nservers);
    return &w->servers[k];
}

void call_send(world *w, call *c)
{
    c->tries++;
    if (c->kind == K_TOKENREVIEW) {
        /* The kubelet's main clientset is rate limited (--kube-api-qps 5, burst 10). */
        double wait = tbucket_state_reserve(&w->kl.nodes[c->node].api, w->p->kubelet.api_qps,
                                            w->p->kubelet.api_burst, now(w));
        if (wait > 0.0) {
            sim_after(w->s, wait, ev_call_transmit, c, c->h.gen);
            return;
        }
    }
    server_arrive(route(w, c), c);
}

void call_done(world *w, call *c, enum status st)
{
    bool ok = st == ST_OK;
    switch (c->kind) {
    case K_TOKENREVIEW:
        wloop_result(w, c, st); /* the loop goes on or ends; it frees itself */
        return;
    case K_HB_GET:
    case K_HB_PATCH:
        hb_result(w, c, st);
        break;
    case K_SA_RO:
    case K_SA_MUT:
        count(w, ok ? C_SA_OK : C_SA_FAIL);
        break;
    case K_BG_RO:
    case K_BG_MUT:
        count(w, ok ? C_BG_OK : C_BG_FAIL);
        break;
    default:
        count(w, ok ? C_BURST_OK : C_BURST_FAIL);
        break;
    }
    pool_put(&w->calls, c);
}

static void ev_call_refused(sim *e, void *obj, uint64_t arg)
{
    call *c = obj;
    if (pool_alive(c, (uint32_t)arg))
        call_response(world_of_sim(e), c, ST_CONN);
}

/* Connection refused, delivered as an event so that retries never recurse. */
void call_refused(world *w, call *c)
{
    sim_after(w->s, 0.0, ev_call_refused, c, c->h.gen);
}

static void ev_call_transmit(sim *e, void *obj, uint64_t arg)
{
    call *c = obj;
    if (pool_alive(c, (uint32_t)arg)) {
        world *w = world_of_sim(e);
        server_arrive(route(w, c), c);
    }
}

/* A call waiting out a Retry-After has no request in flight, so nothing can end it. */
static void tq_retry_fire(void *ctx, uint32_t id)
{
    world *w = ctx;
    call *c = pool_at(&w->calls, id);
    ensure(pool_is_live(c), now(w), "429 retry of a gone call");
    call_send(w, c);
}

/* ---- open-loop clients ---- */

static void ev_sa_arrival(sim *e, void *obj, uint64_t arg)
{
    (void)arg;
    world *w = obj;
    clients *cl = &w->cl;
    if (cl->sa_rate <= 0.0) {
        cl->sa_running = false; /* an intervention stopped them */
        return;
    }
    gsl_rng *r = w->r[RNG_SA];
    uint64_t tok = 1 + (cl->zipf ? (uint64_t)gsl_ran_discrete(r, cl->zipf)
                                 : (uint64_t)gsl_rng_uniform_int(r, cl->sa_tokens));
    bool mut = gsl_rng_uniform(r) < w->p->sa_clients.mutating_fraction;
    call_send(w, call_new(w, mut ? K_SA_MUT : K_SA_RO, tok, true));
    sim_after(e, gsl_ran_exponential(r, 1.0 / cl->sa_rate), ev_sa_arrival, w, 0);
}

static void ev_bg_arrival(sim *e, void *obj, uint64_t arg)
{
    world *w = obj;
    bool mut = arg != 0;
    double rate = mut ? w->p->background.mutating_rate : w->p->background.readonly_rate;
    if (rate <= 0.0) {
        w->cl.bg_running[mut] = false;
        return;
    }
    call_send(w, call_new(w, mut ? K_BG_MUT : K_BG_RO, 0, w->p->background.retry_429));
    sim_after(e, gsl_ran_exponential(w->r[RNG_BACKGROUND], 1.0 / rate), ev_bg_arrival, w, arg);
}

static void ev_burst_arrival(sim *e, void *obj, uint64_t arg)
{
    (void)arg;
    world *w = obj;
    const params *p = w->p;
    if (!w->cl.burst_on)
        return;
    switch (p->trigger.target) {
    case BURST_SA_REQUESTS:
        call_send(w, call_new(w, K_BURST_SA, w->cl.next_fresh++, true));
        break;
    case BURST_TOKENREVIEW:
        call_send(w, call_new(w, K_BURST_TR, w->cl.next_fresh++, true));
        break;
    default:
        call_send(w, call_new(w, K_BURST_MUT, 0, p->background.retry_429));
        break;
    }
    sim_after(e, gsl_ran_exponential(w->r[RNG_TRIGGER], 1.0 / p->trigger.rate), ev_burst_arrival, w,
              0);
}

void burst_start(world *w)
{
    w->cl.burst_on = true;
    sim_after(w->s, gsl_ran_exponential(w->r[RNG_TRIGGER], 1.0 / w->p->trigger.rate),
              ev_burst_arrival, w, 0);
}

void burst_stop(world *w)
{
    w->cl.burst_on = false;
}

/* An intervention changed the SA clients' rate: the process takes it at its next arrival, or
 * starts when it was stopped. */
void clients_sa_changed(world *w)
{
    const params *p = w->p;
    clients *cl = &w->cl;
    cl->sa_rate = params_sa_rate(p);
    if (cl->sa_rate > 0.0 && !cl->sa_running) {
        cl->sa_running = true;
        sim_after(w->s, gsl_ran_exponential(w->r[RNG_SA], 1.0 / cl->sa_rate), ev_sa_arrival, w, 0);
    }
}

/* The same for the background rates (read-only first). */
void clients_bg_changed(world *w)
{
    const params *p = w->p;
    for (int mut = 0; mut < 2; mut++) {
        double rate = mut ? p->background.mutating_rate : p->background.readonly_rate;
        if (rate > 0.0 && !w->cl.bg_running[mut]) {
            w->cl.bg_running[mut] = true;
            sim_after(w->s, gsl_ran_exponential(w->r[RNG_BACKGROUND], 1.0 / rate), ev_bg_arrival, w,
                      (uint64_t)mut);
        }
    }
}

/* ---- set-up ---- */

void clients_init(world *w)
{
    const params *p = w->p;
    clients *cl = &w->cl;
    pool_init(&w->calls, sizeof(call));
    tqueue_init(&cl->tq_retry, w->s, tq_retry_fire, w);
    cl->next_fresh = FRESH_BASE;
    double nodes = p->cluster.nodes;
    double tokens = p->sa_clients.tokens + floor(p->sa_clients.tokens_per_node * nodes + 0.5);
    cl->sa_tokens = tokens >= 1.0 ? (uint64_t)tokens : 1;
    cl->sa_rate = params_sa_rate(p);
    if (p->sa_clients.zipf > 0.0) { /* also for SA traffic an intervention starts */
        double *wt = xmalloc(cl->sa_tokens * sizeof *wt);
        for (uint64_t k = 0; k < cl->sa_tokens; k++)
            wt[k] = pow((double)(k + 1), -p->sa_clients.zipf);
        cl->zipf = gsl_ran_discrete_preproc(cl->sa_tokens, wt);
        free(wt);
    }
}

/* The first arrivals: SA-token pods, then background mutating, then read-only. */
void clients_start(world *w)
{
    const params *p = w->p;
    clients *cl = &w->cl;
    if (cl->sa_rate > 0.0) {
        cl->sa_running = true;
        sim_at(w->s, gsl_ran_exponential(w->r[RNG_SA], 1.0 / cl->sa_rate), ev_sa_arrival, w, 0);
    }
    if (p->background.mutating_rate > 0.0) {
        cl->bg_running[1] = true;
        sim_at(w->s, gsl_ran_exponential(w->r[RNG_BACKGROUND], 1.0 / p->background.mutating_rate),
               ev_bg_arrival, w, 1);
    }
    if (p->background.readonly_rate > 0.0) {
        cl->bg_running[0] = true;
        sim_at(w->s, gsl_ran_exponential(w->r[RNG_BACKGROUND], 1.0 / p->background.readonly_rate),
               ev_bg_arrival, w, 0);
    }
}

void clients_destroy(world *w)
{
    if (w->cl.zipf)
        gsl_ran_discrete_free(w->cl.zipf);
    tqueue_destroy(&w->cl.tq_retry);
    pool_destroy(&w->calls);
}
