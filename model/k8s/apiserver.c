/* apiserver: one kube-apiserver replica, the server object (L3). Its requests and their states
 * (the table below), authentication (the token cache; SA validation through the loopback
 * limiter, in authn.c), admission through the admission interface, the handler and its CPU
 * work, the filter, create and heartbeat timeouts, and restart (down / up). Includes k8s.h and
 * L0-L2 headers only; talks to clients through call_response and call_refused.
 *
 * Server request states (sreq.state) and the events that move them, as the code below does it.
 * "seat": holds an admission seat; ending a request (DONE) frees it: unlinks it from its
 * validation (which is orphaned when it was its last waiter) and from its timeout lists, gives a
 * client still waiting a connection error, releases its seat (a queued one is cancelled). The
 * flag `answered` is set when a response went to the client; only a request holding a seat
 * lives on after it (answered by the filter's 504).
 *
 *   state        seat  event                                      next
 *   (arrival)    -     server down                                (refused, no request)
 *   ARRIVED      -     SA-token kind: token cache hit             -> admission
 *                      SA-token kind: cached failure              401, DONE
 *                      SA-token kind: miss, or join a validation  AUTHN
 *                      other kinds                                -> admission
 *   AUTHN        -     the validation succeeds                    -> admission
 *                      the validation fails                       401, DONE
 *                      filter timeout (request_timeout)           504, DONE
 *   -> admission       REJECTED, CPU model with reject_cost > 0   REJECTING
 *                      REJECTED                                   429, DONE
 *                      QUEUED (a policy that queues)              QUEUED
 *                      EXECUTE, a TokenReview: the reviewed token's authentication:
 *                        cache hit                                SERVICE
 *                        cached failure                           SERVICE (unauth)
 *                        miss, or join a validation               VALIDATING
 *                      EXECUTE, other kinds                       SERVICE
 *   QUEUED       -     dispatched by the admission                as EXECUTE above
 *                      rejected by the admission (wait limit)     as REJECTED above
 *                      filter timeout                             504, DONE (cancelled)
 *   REJECTING    -     the rejection's CPU work done              429, DONE
 *                      filter timeout                             504, DONE
 *   VALIDATING   seat  the validation succeeds                    SERVICE
 *                      the validation fails                       SERVICE (unauth)
 *                      create timeout (create_timeout)            504, DONE
 *                      filter timeout                             504, answered (keeps seat)
 *   SERVICE      seat  the handler's work done                    200/201, or 401 (unauth), DONE
 *                      create timeout (TokenReviews)              504, DONE
 *                      filter timeout                             504, answered (keeps seat)
 *   any                heartbeat client timeout (heartbeats)      the client leaves, the request
 *                                                                 stays (not answered)
 *   any                apiserver restart                          DONE without releasing (the
 *                                                                 admission is reset)
 * A request answered by the filter's 504 still counts once: a later handler return or create
 * timeout finds its client gone. The create timeout is the handler's: its list keys on arrival,
 * which is when a TokenReview is admitted unless it queued (checked in sreq_admitted). */
#include "k8s.h"

#include "dist.h"
#include "err.h"
#include "xmem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---- */

void server_lbq_add(server *s, int d)
{
    s->lbq += d;
    gauge_set(&s->g_lbq, now(s->w), s->lbq);
}

/* ---- work: a delay, or CPU under processor sharing ---- */

static void work_done(server *s, void *obj, enum work w);

static void ev_work(sim *e, void *obj, uint64_t arg);

static void cpu_reschedule(server *s)
{
    world *w = s->w;
    if (s->cpu_ev)
        sim_cancel(w->s, s->cpu_ev);
    double t = ps_next_s(&s->cpu);
    s->cpu_ev = isfinite(t) ? sim_at(w->s, t < now(w) ? now(w) : t, ev_work, s, UINT64_MAX) : 0;
}

void server_work(server *s, double work_s, void *obj, enum work w)
{
    uint32_t gen = ((pool_hdr *)obj)->gen;
    uint64_t tag = ((uint64_t)w << 32) | gen;
    if (s->use_cpu) {
        ps_add(&s->cpu, now(s->w), work_s, obj, tag);
        cpu_reschedule(s);
    } else {
        sim_after(s->w->s, work_s, ev_work, obj, tag);
    }
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

static void ev_tlist(sim *e, void *obj, uint64_t arg);

/* When r's timeout in list l started: its arrival, but for the create list of a policy that
 * queues, when the create handler started (a TokenReview may wait in a queue first). */
static inline double tl_start(const server *s, const tlist *l, const sreq *r)
{
    return l->kind == TL_CREATE && s->create_start ? s->create_start[r->h.id] : r->t0;
}

static void tl_arm(server *s, tlist *l)
{
    l->armed = l->head != NO_ID;
    if (l->armed)
        sim_at(s->w->s, tl_start(s, l, sreq_at(s, l->head)) + l->timeout_s, ev_tlist, l, 0);
}

/* Appends r, which arrived now: its deadline is the latest. */
static void tl_append(server *s, tlist *l, sreq *r)
{
    bool x = l->kind != TL_FILTER;
    *tl_prev(r, x) = l->tail;
    *tl_next(r, x) = NO_ID;
    if (l->tail != NO_ID)
        *tl_next(sreq_at(s, l->tail), x) = r->h.id;
    else
        l->head = r->h.id;
    l->tail = r->h.id;
    if (x)
        r->in_x = true;
    else
        r->in_filter = true;
    if (!l->armed)
        tl_arm(s, l);
}

static void tl_unlink(server *s, tlist *l, sreq *r)
{
    bool x = l->kind != TL_FILTER;
    uint32_t prev = *tl_prev(r, x), next = *tl_next(r, x);
    if (prev != NO_ID)
        *tl_next(sreq_at(s, prev), x) = next;
    else
        l->head = next;
    if (next != NO_ID)
        *tl_prev(sreq_at(s, next), x) = prev;
    else
        l->tail = prev;
    if (x)
        r->in_x = false;
    else
        r->in_filter = false;
}

static void tl_init(tlist *l, server *s, enum tlist_kind kind, double timeout_s)
{
    *l = (tlist){s, NO_ID, NO_ID, timeout_s, false, (uint8_t)kind};
}

/* ---- ending a request ---- */

static void respond(server *s, sreq *r, enum status st)
{
    if (r->client == NO_ID)
        return;
    call *c = pool_at(&s->w->calls, r->client);
    r->client = NO_ID;
    r->answered = true;
    call_response(s->w, c, st);
}

/* DONE: see the table. release false: a restart, whose admission reset drops every seat. */
static void sreq_end(server *s, sreq *r, bool release)
{
    if (r->val != NO_ID)
        authn_detach(s, r);
    if (r->in_filter)
        tl_unlink(s, &s->tl_filter, r);
    if (r->in_x)
        tl_unlink(s, kind_review[r->kind] ? &s->tl_create : &s->tl_hb, r);
    if (r->client != NO_ID)
        respond(s, r, ST_CONN);
    /* A policy that queues may dispatch another request from inside the release: r is out of
     * every list by now and nobody reaches it. */
    if (release && rstate_holds_seat(r->state))
        admission_release(s->adm, kind_classes[r->kind], r->h.id, now(s->w));
    else if (release && r->state == RS_QUEUED)
        ensure(admission_cancel(s->adm, kind_classes[r->kind], r->h.id, now(s->w)), now(s->w),
               "a queued request was not in its admission's queue");
    pool_put(&s->sreqs, r);
}

static void sreq_free(server *s, sreq *r)
{
    sreq_end(s, r, true);
}

static void tr_answered(server *s, sreq *r, bool ok)
{
    count(s->w, ok ? C_TR_OK : C_TR_TIMEOUT);
    s->w->smp.tr_lat_sum += now(s->w) - r->t0;
}

/* ---- service, admission ---- */

static void sreq_service(server *s, sreq *r)
{
    r->state = RS_SERVICE;
    world *w = s->w;
    server_work(s, dist_sample(&w->p->apiserver.service_time, w->r[RNG_SERVICE]), r, W_SREQ);
}

/* r's token did not authenticate. A TokenReview still completes (201, authenticated = false);
 * a request authenticating with its own token gets 401 from the authn filter. */
void sreq_authn_failed(server *s, sreq *r)
{
    r->unauth = true;
    if (kind_review[r->kind]) {
        sreq_service(s, r);
        return;
    }
    respond(s, r, ST_UNAUTH);
    sreq_free(s, r);
}

/* Admitted holding a seat (at once, or dispatched from the admission's queue). */
static void sreq_admitted(server *s, sreq *r)
{
    if (kind_review[r->kind]) {
        /* create handler: finishRequest gives up after create_timeout (30 s in 1.12) and the
         * handler returns, freeing the slot; the authentication it started goes on. */
        /* A TokenReview is admitted on arrival (no authentication of its own first), so the
         * list's deadline t0 + create_timeout is the handler's; under a policy that queues it
         * may start later, and the list keys on create_start (appended in order of start). */
        if (s->create_start) {
            if (r->h.id >= s->create_start_cap) {
                uint32_t n = s->create_start_cap ? s->create_start_cap : 1024;
                while (n <= r->h.id)
                    n *= 2;
                s->create_start = xrealloc(s->create_start, n * sizeof *s->create_start);
                s->create_start_cap = n;
            }
            s->create_start[r->h.id] = now(s->w);
        } else {
            ensure(r->t0 == now(s->w), now(s->w), "TokenReview admitted after its arrival");
        }
        tl_append(s, &s->tl_create, r);
        r->state = RS_VALIDATING;
        int a = authn_begin(s, r);
        if (a > 0)
            sreq_service(s, r);
        else if (a < 0)
            sreq_authn_failed(s, r);
    } else {
        sreq_service(s, r);
    }
}

/* Rejected with 429 (at once, or out of the admission's queue). */
static inline void sreq_rejected(server *s, sreq *r)
{
    const params *p = s->w->p;
    count(s->w, kind_mutating(r->kind) ? C_REJ_MUT : C_REJ_RO);
    /* Immediate 429 with Retry-After: 1 (maxinflight.go tooManyRequests). */
    if (s->use_cpu && p->apiserver.cpu.reject_cost_s > 0.0) {
        r->state = RS_REJECTING;
        server_work(s, p->apiserver.cpu.reject_cost_s, r, W_REJECT);
    } else {
        work_done(s, r, W_REJECT);
    }
}

/* At time t (now: the caller has it at hand); user: who sends it (a kubelet's node, a pod's
 * ServiceAccount token), for the admission. */
static void sreq_admit(server *s, sreq *r, double t, uint64_t user)
{
    world *w = s->w;
    count(w, kind_mutating(r->kind) ? C_REQ_MUT : C_REQ_RO);
    s->n_req += 1.0;
    admission_class cls = kind_classes[r->kind];
    cls.user = user;
    switch (admission_acquire(s->adm, cls, r->h.id, t, NULL)) {
    case ADMISSION_REJECTED:
        sreq_rejected(s, r);
        break;
    case ADMISSION_QUEUED:
        r->state = RS_QUEUED;
        break;
    case ADMISSION_EXECUTE:
        sreq_admitted(s, r);
        break;
    default:
        ensure(false, t, "admission exempted a client request");
    }
}

/* r's token is authenticated (r was waiting on a validation, or hit the cache). */
void sreq_authn_done(server *s, sreq *r)
{
    if (kind_review[r->kind])
        sreq_service(s, r); /* TokenReview: the reviewed token is known; finish the create */
    else
        sreq_admit(s, r, now(s->w), r->token); /* SA-token request: on to admission */
}

/* ---- admission hooks (a policy that queues; max-inflight never calls them) ---- */

static sreq *queued_sreq(server *s, uint32_t id)
{
    sreq *r = sreq_at(s, id);
    ensure(pool_is_live(r) && r->state == RS_QUEUED, now(s->w),
           "admission reported a request that is not queued");
    return r;
}

static void adm_dispatch(void *ctx, uint32_t id)
{
    server *s = ctx;
    sreq_admitted(s, queued_sreq(s, id));
}

static void adm_reject(void *ctx, uint32_t id, enum admission_reason why)
{
    (void)why;
    server *s = ctx;
    sreq *r = queued_sreq(s, id);
    r->state = RS_ARRIVED; /* out of the queue, holding nothing: ending it cancels nothing */
    sreq_rejected(s, r);
}

static void ev_admission(sim *e, void *obj, uint64_t arg)
{
    (void)e;
    (void)arg;
    server *s = obj;
    s->adm_ev = 0;
    admission_advance(s->adm, now(s->w));
}

static void adm_wake(void *ctx, double t)
{
    server *s = ctx;
    world *w = s->w;
    if (s->adm_ev)
        sim_cancel(w->s, s->adm_ev);
    s->adm_ev = isfinite(t) ? sim_at(w->s, t < now(w) ? now(w) : t, ev_admission, s, 0) : 0;
}

static admission_limits limits_of(const params *p)
{
    return (admission_limits){p->apiserver.max_requests_inflight,
                              p->apiserver.max_mutating_requests_inflight};
}

/* ---- arrival, completion, timeouts ---- */

void server_arrive(server *s, call *c)
{
    world *w = s->w;
    if (s->down) {
        call_refused(w, c);
        return;
    }
    sreq *r = pool_get(&s->sreqs);
    r->kind = c->kind;
    r->server = s->index;
    r->client = c->h.id;
    r->val = r->wprev = r->wnext = NO_ID;
    /* A kubelet TokenReview reviews metrics-server's token; heartbeats use a certificate. The
     * user, for the admission: a kubelet's node, a pod's ServiceAccount (its token). */
    uint64_t user;
    if (kind_node[c->kind]) {
        r->token = METRICS_TOKEN;
        user = c->node;
    } else {
        r->token = user = c->token;
    }
    r->t0 = now(w);
    if (kind_review[r->kind])
        count(w, C_TR);
    uint32_t gen = r->h.gen;
    if (kind_sa_authn[r->kind]) {
        /* Authentication runs before admission: no seat is held while it waits. */
        r->state = RS_AUTHN;
        int a = authn_begin(s, r);
        if (a > 0)
            sreq_admit(s, r, r->t0, user);
        else if (a < 0)
            sreq_authn_failed(s, r);
    } else {
        sreq_admit(s, r, r->t0, user);
    }
    /* The timeout filter wraps everything (60 s; DefaultBuildHandlerChain), and a heartbeat
     * client gives up after its own timeout. A request answered on arrival (most 429s) is gone
     * already and needs neither; nothing else can have arrived since, at this instant, for an
     * admitted or waiting request, so the lists stay in order of arrival. */
    if (!pool_alive(r, gen))
        return;
    tl_append(s, &s->tl_filter, r);
    if (r->kind == K_HB_GET || r->kind == K_HB_PATCH)
        tl_append(s, &s->tl_hb, r);
}

static void work_done(server *s, void *obj, enum work w)
{
    if (w == W_GET) {
        authn_get_done(s, obj);
        return;
    }
    sreq *r = obj;
    if (w == W_REJECT) {
        respond(s, r, ST_429);
        sreq_free(s, r);
        return;
    }
    /* The handler returns: release the slot, answer if nobody has yet. */
    if (!r->answered && kind_review[r->kind])
        tr_answered(s, r, true);
    respond(s, r, r->unauth ? ST_UNAUTH : ST_OK);
    sreq_free(s, r);
}

static void create_timeout(server *s, sreq *r)
{
    /* finishRequest returns 504 Timeout without Retry-After; the handler returns, the slot is
     * freed, and a validation it waits for goes on orphaned. */
    if (!r->answered)
        tr_answered(s, r, false);
    respond(s, r, ST_504);
    sreq_free(s, r);
}

static void filter_timeout(server *s, sreq *r)
{
    if (r->answered)
        return;
    /* The timeout filter answers 504 but the inner handler keeps its slot until it returns. */
    if (kind_review[r->kind])
        tr_answered(s, r, false);
    else
        count(s->w, C_REQ_TIMEOUT);
    respond(s, r, ST_504);
    if (!rstate_holds_seat(r->state))
        sreq_free(s, r); /* in authentication, queued or rejecting: nothing more to wait for */
}

static void hb_timeout(server *s, sreq *r)
{
    if (r->client == NO_ID)
        return;
    /* The heartbeat client's own timeout: it leaves; the server goes on without it. */
    call *c = pool_at(&s->w->calls, r->client);
    r->client = NO_ID;
    call_response(s->w, c, ST_CONN);
}

/* A list's head is due: every request whose deadline has come leaves the list and times out,
 * in order of arrival; then the event is re-armed for the new head. */
static void ev_tlist(sim *e, void *obj, uint64_t arg)
{
    (void)e;
    (void)arg;
    tlist *l = obj;
    server *s = l->srv;
    while (l->head != NO_ID) {
        sreq *r = sreq_at(s, l->head);
        if (tl_start(s, l, r) + l->timeout_s > now(s->w))
            break;
        tl_unlink(s, l, r);
        if (l->kind == TL_FILTER)
            filter_timeout(s, r);
        else if (l->kind == TL_CREATE)
            create_timeout(s, r);
        else
            hb_timeout(s, r);
    }
    tl_arm(s, l);
}

/* obj is a pooled request or validation whose events carry its gen, or (arg UINT64_MAX) the
 * server whose processor-sharing head job has finished. */
static void ev_work(sim *e, void *obj, uint64_t arg)
{
    if (arg == UINT64_MAX) {
        server *s = obj;
        s->cpu_ev = 0;
        ps_job j = ps_pop(&s->cpu, now(s->w));
        if (pool_alive(j.obj, (uint32_t)j.tag))
            work_done(s, j.obj, (enum work)(j.tag >> 32));
        cpu_reschedule(s);
        return;
    }
    if (!pool_alive(obj, (uint32_t)arg))
        return;
    enum work w = (enum work)(arg >> 32);
    world *wd = world_of_sim(e);
    unsigned idx = w == W_GET ? ((val *)obj)->server : ((sreq *)obj)->server;
    work_done(&wd->servers[idx], obj, w);
}

/* ---- restart ---- */

static void drop_sreq(void *obj, void *ctx)
{
    sreq *r = obj;
    r->val = NO_ID; /* the validations are dropped wholesale */
    sreq_end(ctx, r, false);
}

/* Every connection breaks, all in-process state is lost: requests, validations, the token cache,
 * the limiter, the admission's seats. Clients see connection errors until it is back; with other
 * replicas live, its kubelets and pods reconnect to them at once (before the requests in flight
 * fail, so that their retries go there). */
void server_down(server *s)
{
    s->down++;
    replicas_move(s->w, false);
    pool_each(&s->sreqs, drop_sreq, s);
    authn_drop_all(s);
    admission_reset(s->adm, now(s->w));
    ttlcache_clear(s->tc);
    if (s->use_cpu) {
        ps_clear(&s->cpu, now(s->w));
        cpu_reschedule(s);
    }
}

/* A new process with the current process configuration: a full loopback bucket, an empty token
 * cache, the timeouts and caps of w->pv. */
void server_up(server *s)
{
    if (--s->down > 0)
        return;
    const params *p = s->w->p;
    authn_restart(s);
    s->tl_filter.timeout_s = p->apiserver.request_timeout_s; /* the lists are empty now */
    s->tl_create.timeout_s = p->apiserver.create_timeout_s;
    admission_set_limits(s->adm, limits_of(p), now(s->w));
}

/* While down, the new process takes them (server_up). */
void server_caps_changed(server *s)
{
    if (!s->down)
        admission_set_limits(s->adm, limits_of(s->w->p), now(s->w));
}

/* ---- set-up, sampling ---- */

/* ---- APF ---- */

_Static_assert((int)DISTINGUISH_USER == (int)ADMISSION_BY_USER &&
                   (int)DISTINGUISH_NAMESPACE == (int)ADMISSION_BY_NAMESPACE &&
                   (int)DISTINGUISH_NONE == (int)ADMISSION_BY_NONE,
               "flow distinguishers out of step");

int model_apf_levels(const params *p)
{
    if (p->apiserver.admission != ADMISSION_POLICY_APF)
        return 0;
    const __typeof__(p->apiserver.apf) *a = &p->apiserver.apf;
    for (int i = 0; i < a->nlevels; i++)
        if (a->levels[i].exempt)
            return a->nlevels;
    return a->nlevels + 1;
}

const char *model_apf_level_name(const params *p, int level)
{
    return level < p->apiserver.apf.nlevels ? p->apiserver.apf.levels[level].name : "exempt";
}

/* The levels as configured (plus the mandatory "exempt" one when none is: the apiserver always
 * creates it, bootstrap/default.go MandatoryPriorityLevelConfigurationExempt), and one route
 * per client class: the matching FlowSchema of the lowest precedence, ties by name
 * (apf_controller.go sorts FlowSchemas by MatchingPrecedence, then name). The config layer
 * checked all of it; a failure here is a broken invariant. */
static void server_apf_init(server *s, const admission_hooks *hooks)
{
    const params *p = s->w->p;
    const __typeof__(p->apiserver.apf) *a = &p->apiserver.apf;
    int n = model_apf_levels(p);
    apf_level_config *lc = xcalloc((size_t)n, sizeof *lc);
    for (int i = 0; i < n; i++) {
        if (i == a->nlevels) {
            lc[i] = (apf_level_config){.name = "exempt", .exempt = true};
            continue;
        }
        const apf_level_param *q = &a->levels[i];
        lc[i] = (apf_level_config){.name = q->name,
                                   .exempt = q->exempt,
                                   .shares = q->shares,
                                   .queues = q->queues,
                                   .hand_size = q->hand_size,
                                   .queue_length_limit = q->queue_length_limit,
                                   .lendable_percent = q->lendable_percent,
                                   .borrowing_limited = q->borrowing_limit_percent >= 0,
                                   .borrowing_limit_percent = q->borrowing_limit_percent};
    }
    admission_apf_route routes[CLIENT_CLASS_COUNT];
    for (int c = 0; c < CLIENT_CLASS_COUNT; c++) {
        int best = -1;
        for (int i = 0; i < a->nschemas; i++) {
            const apf_schema_param *fs = &a->schemas[i];
            if (!(fs->match & (1u << c)))
                continue;
            if (best < 0 || fs->precedence < a->schemas[best].precedence ||
                (fs->precedence == a->schemas[best].precedence &&
                 strcmp(fs->name, a->schemas[best].name) < 0))
                best = i;
        }
        ensure(best >= 0, 0.0, "apf: no FlowSchema for client class %d", c);
        const apf_schema_param *fs = &a->schemas[best];
        int level = -1;
        for (int i = 0; i < a->nlevels && level < 0; i++)
            if (strcmp(a->levels[i].name, fs->level) == 0)
                level = i;
        ensure(level >= 0, 0.0, "apf: FlowSchema %s names no level", fs->name);
        routes[c] = (admission_apf_route){level, (uint32_t)best, (uint8_t)fs->distinguisher};
    }
    /* The queue wait limit, unless set: RequestTimeout / 4 (server/config.go
     * DefaultBuildHandlerChain: WithPriorityAndFairness(..., c.RequestTimeout/4), 1.29+;
     * server/options/recommended.go: utilflowcontrol.New(..., RequestTimeout/4), 1.20-1.28). */
    double wait =
        a->max_queue_wait_s > 0.0 ? a->max_queue_wait_s : p->apiserver.request_timeout_s / 4;
    admission_apf_config ac = {lc, n, wait, routes, CLIENT_CLASS_COUNT};
    err e;
    err_clear(&e);
    s->adm = admission_apf_new(limits_of(p), &ac, hooks, 0.0, &e);
    ensure(s->adm != NULL, 0.0, "%s", e.msg);
    free(lc);
    s->apf_rej_mark = xcalloc((size_t)n, sizeof *s->apf_rej_mark);
    s->create_start_cap = 1024;
    s->create_start = xcalloc(s->create_start_cap, sizeof *s->create_start);
}

/* Adds this server's per-level series over the span before t to out[level * APF_SERIES_COUNT]. */
void server_sample_apf(server *s, double t, double span, double *out)
{
    for (int k = 0, n = admission_apf_nlevels(s->adm); k < n; k++) {
        double inq, ex;
        admission_apf_sample(s->adm, k, t, span, &inq, &ex);
        double rej = (double)admission_apf_rejected(s->adm, k);
        out[k * APF_SERIES_COUNT + APF_S_INQUEUE] += inq;
        out[k * APF_SERIES_COUNT + APF_S_EXECUTING] += ex;
        out[k * APF_SERIES_COUNT + APF_S_REJECTED] += rej - s->apf_rej_mark[k];
        s->apf_rej_mark[k] = rej;
    }
}

void server_init(server *s, world *w, uint8_t index)
{
    const params *p = w->p;
    s->w = w;
    s->index = index;
    pool_init(&s->sreqs, sizeof(sreq));
    pool_init(&s->vals, sizeof(val));
    admission_hooks hooks = {s, adm_dispatch, adm_reject, adm_wake};
    if (p->apiserver.admission == ADMISSION_POLICY_APF)
        server_apf_init(s, &hooks);
    else
        s->adm = admission_maxinflight_new(limits_of(p), &hooks, 0.0);
    authn_init(s);
    s->use_cpu = p->apiserver.cpu.cores > 0;
    if (s->use_cpu)
        ps_init(&s->cpu, p->apiserver.cpu.cores, 0.0);
    /* The timeouts of the filter (60 s; DefaultBuildHandlerChain), of the create handler (30 s)
     * and of the heartbeat client (10 s). */
    tl_init(&s->tl_filter, s, TL_FILTER, p->apiserver.request_timeout_s);
    tl_init(&s->tl_create, s, TL_CREATE, p->apiserver.create_timeout_s);
    tl_init(&s->tl_hb, s, TL_HB, p->kubelet.heartbeat.timeout_s);
}

void server_destroy(server *s)
{
    authn_destroy(s);
    if (s->use_cpu)
        ps_destroy(&s->cpu);
    admission_free(s->adm);
    free(s->create_start);
    free(s->apf_rej_mark);
    pool_destroy(&s->sreqs);
    pool_destroy(&s->vals);
}

/* Adds this server's part of sample x over the span before t: inflight and loopback gauges, CPU
 * busy time (sampling averages it over the servers), orphaned validations, outstanding work. */
void server_sample(server *s, double t, double span, sample *x, replica_sample *rs)
{
    admission_gauges ag;
    admission_sample(s->adm, t, span, &ag);
    if (rs) {
        s->n_rej = (double)(admission_rejected(s->adm, ADMISSION_CONCURRENCY_LIMIT) +
                            admission_rejected(s->adm, ADMISSION_QUEUE_FULL) +
                            admission_rejected(s->adm, ADMISSION_TIME_OUT));
        *rs = (replica_sample){ag.inflight[ADMISSION_MUTATING], ag.inflight[ADMISSION_READONLY],
                               s->n_req - s->mark_req, s->n_rej - s->mark_rej};
        s->mark_req = s->n_req;
        s->mark_rej = s->n_rej;
    }
    x->inflight_mut += ag.inflight[ADMISSION_MUTATING];
    x->inflight_ro += ag.inflight[ADMISSION_READONLY];
    x->lb_queue += gauge_take(&s->g_lbq, t, span);
    if (s->use_cpu) {
        ps_advance(&s->cpu, t);
        x->cpu_util += span > 0.0 ? (s->cpu.busy_s - s->cpu_busy_mark) / span : 0.0;
        s->cpu_busy_mark = s->cpu.busy_s;
    }
    x->lb_wait_sum_s += s->lb_wait_sum;
    s->lb_wait_sum = 0.0;
    x->orphaned += s->orphaned;
    x->out_vals += (double)s->vals.live;
    x->out_reqs += (double)s->sreqs.live;
}
