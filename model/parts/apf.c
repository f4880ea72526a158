/* apf: priority levels, shuffle sharding, fair queuing in seat-seconds, borrowing (L2).
 *
 * Modelled release: Kubernetes 1.28. Read in stored copies of kubernetes/kubernetes,
 * staging/src/k8s.io/apiserver/pkg/util/ (all paths below are under it):
 *   flowcontrol/fairqueuing/queueset/queueset.go at 0039f24d (QueuingConfig.RequestWaitLimit
 *     still in the queueset, as up to 1.28; PR #120222 moved the wait limit out for 1.29),
 *     with types.go and fifo_list.go of the same era;
 *   shufflesharding/shufflesharding.go (Dealer.Deal, NewDealer, RequiredEntropyBits);
 *   flowcontrol/apf_controller.go (finishQueueSetReconfigsLocked, updateBorrowingLocked,
 *     seatDemandStats.update; read in a v1-API copy, whose borrowing code is the 1.26 design
 *     with the 1.28 change that exempt levels take part), flowcontrol/conc_alloc.go
 *     (computeConcurrencyAllocation), flowcontrol/fairqueuing/integrator.go;
 *   server/options/recommended.go (1.26-1.28: utilflowcontrol.New(..., MaxRequestsInFlight +
 *     MaxMutatingRequestsInFlight, RequestTimeout/4): the server concurrency and wait limit).
 * The code here is written from those functions' behaviour, not translated from them.
 *
 * Not modelled: final seats and additional latency of mutating requests (WorkEstimate
 * FinalSeats/AdditionalLatency: a request holds `width` seats from dispatch to apf_finish); the
 * lazy 1.28 wait-limit check (a timed-out request is rejected at its deadline by apf_expire,
 * as 1.29's context deadline does, not at the next arrival to its queue); configuration
 * changes other than a restart (queues added or drained away); the epoch advance of the
 * fixed-point R (doubles here: a level of 600 seats moves R by at most 600 seat-seconds a
 * second, 5.2e7 in a simulated day, where a double still resolves 1e-8 against G >= 3e-3). */
#include "apf.h"

#include "xmem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define NOQUEUE 0xFFFFu

/* apf_controller.go seatDemandSmoothingCoefficient (half-life of 5 minutes at 10 s periods). */
#define SMOOTHING 0.977
/* conc_alloc.go MinTarget and epsilon. */
#define MIN_TARGET 0.001
#define EPSILON 0.0000001
/* shufflesharding.go MaxHashBits. */
#define MAX_HASH_BITS 60

enum slot_state {
    SLOT_FREE,
    SLOT_QUEUED,
    SLOT_EXECUTING
};

/* One request, queued or executing; free slots chain through qnext. */
typedef struct slot {
    double t_s;            /* arrival while queued, dispatch while executing */
    double arrival_r;      /* the level's R at arrival: the anti-windup bound */
    uint32_t id;           /* the caller's */
    uint32_t gen;          /* moves on when the slot is freed: tickets name (index, gen) */
    uint32_t qprev, qnext; /* its queue's FIFO */
    uint32_t gprev, gnext; /* all queued requests in arrival order, which is deadline order */
    uint16_t level, queue; /* queue NOQUEUE: executing without a queue */
    uint16_t width;
    uint8_t state;
} slot;

/* queueset.go `queue`. Its requestsWaiting.QueueSum().TotalWorkSum is G * waiting_seats here
 * (no final seats), so the shuffle-shard choice compares integers exactly as the source's
 * fixed-point sums do. */
typedef struct fqueue {
    double next_dispatch_r; /* nextDispatchR, seat-seconds */
    uint32_t head, tail;
    int waiting, waiting_seats;
    int executing, seats_in_use;
} fqueue;

/* integrator.go over a level's seat demand: seats in use + seats waiting. */
typedef struct demand {
    double x, last_s;
    double t, ix, ixx; /* integrals of 1, x and x^2 dt since the last reset */
    double min, max;
} demand;

typedef struct plevel {
    char *name;
    bool exempt;
    int shares, queues, hand_size, queue_length_limit, lendable_percent;
    int borrowing_limit_percent; /* -1: none */
    fqueue *q;
    double r, r_last_s; /* currentR and lastRealTime */
    int robin;          /* robinIndex: the queue last dispatched from */
    uint64_t enqueues;  /* shuffle-shard offsets */
    int active_queues;  /* queues with a request waiting or executing */
    demand dem;
    double hw, smoothed; /* seatDemandStats.highWatermark, .smoothed */
    apf_level_stats st;  /* the gauges are the level's own counts */
} plevel;

struct apf {
    int server_concurrency;
    double max_queue_wait_s, g_s;
    plevel *lv;
    int nlv;
    int nominal_cl_sum;
    slot *s;
    uint32_t cap, free;
    uint32_t ghead, gtail;
    double now;
    bool busy; /* inside a callback */
};

/* ---- slots and tickets ---- */

static apf_ticket ticket_of(const apf *a, uint32_t i)
{
    return ((uint64_t)a->s[i].gen << 32) | i;
}

static uint32_t slot_get(apf *a)
{
    if (a->free == NIL) {
        uint32_t old = a->cap, cap = old ? 2 * old : 64;
        ensure(cap > old && cap < NIL, a->now, "apf: request pool full (%u slots)", old);
        a->s = xrealloc(a->s, (size_t)cap * sizeof *a->s);
        for (uint32_t i = old; i < cap; i++) {
            memset(&a->s[i], 0, sizeof a->s[i]);
            a->s[i].gen = 1;
            a->s[i].qnext = i + 1 < cap ? i + 1 : NIL;
        }
        a->free = old;
        a->cap = cap;
    }
    uint32_t i = a->free;
    a->free = a->s[i].qnext;
    return i;
}

static void slot_put(apf *a, uint32_t i)
{
    slot *s = &a->s[i];
    s->state = SLOT_FREE;
    if (++s->gen == 0)
        s->gen = 1; /* ticket 0 never names a request */
    s->qnext = a->free;
    a->free = i;
}

static slot *slot_of(const apf *a, apf_ticket t, uint32_t *idx)
{
    uint32_t i = (uint32_t)t;
    if (i >= a->cap)
        return NULL;
    slot *s = &a->s[i];
    if (s->state == SLOT_FREE || s->gen != (uint32_t)(t >> 32))
        return NULL;
    *idx = i;
    return s;
}

/* ---- time: virtual clock and demand integrator ---- */

/* Every operation starts here: no re-entry from a callback, time never goes back. */
static void begin(apf *a, double now)
{
    ensure(!a->busy, now, "apf: called from inside one of its callbacks");
    ensure(now >= a->now, now, "apf: time went back from %.9g", a->now);
    a->now = now;
}

static void demand_set(plevel *L)
{
    demand *d = &L->dem;
    d->x = L->st.current_executing_seats + L->st.current_inqueue_seats;
    d->min = fmin(d->min, d->x);
    d->max = fmax(d->max, d->x);
}

/* queueset.go syncTimeLocked: R grows at getVirtualTimeRatioLocked's rate, min(seats in use +
 * seats waiting, concurrency limit) / active queues, under the state held since the last sync;
 * so must run before any change. The demand integrator is brought to now in the same step. */
static void sync_level(plevel *L, int cl, double now)
{
    double dt = now - L->r_last_s;
    if (L->active_queues > 0 && dt > 0) {
        double seats = L->st.current_executing_seats + L->st.current_inqueue_seats;
        L->r += fmin(seats, (double)cl) / L->active_queues * dt;
    }
    L->r_last_s = now;
    demand *d = &L->dem;
    dt = now - d->last_s;
    d->t += dt;
    d->ix += d->x * dt;
    d->ixx += d->x * d->x * dt;
    d->last_s = now;
}

/* ---- shuffle sharding ---- */

/* shufflesharding.go Dealer.Deal: the hash is read as a mixed-radix number with digits
 * (deck, deck-1, ...); digit i picks the i-th card among those not yet dealt, by stepping it
 * over the earlier digits from the latest back. */
static int deal(uint64_t hash, int deck, int hand, int *out)
{
    int digit[APF_MAX_HAND];
    for (int i = 0; i < hand; i++) {
        uint64_t radix = (uint64_t)(deck - i);
        digit[i] = (int)(hash % radix);
        hash /= radix;
    }
    for (int i = 0; i < hand; i++) {
        int card = digit[i];
        for (int j = i - 1; j >= 0; j--)
            card += card >= digit[j];
        out[i] = card;
    }
    return hand;
}

/* queueset.go shuffleShardLocked: visit the hand from an offset that advances with every
 * arrival (so overlapping hands are not biased towards their first cards) and take the first
 * queue with the least waiting work. */
static int choose_queue(plevel *L, uint64_t flow)
{
    int hand[APF_MAX_HAND];
    int n = deal(flow, L->queues, L->hand_size, hand);
    int off = (int)(L->enqueues % (uint64_t)n);
    L->enqueues++;
    int best = hand[off];
    for (int k = 1; k < n; k++) {
        int qi = hand[(off + k) % n];
        if (L->q[qi].waiting_seats < L->q[best].waiting_seats)
            best = qi;
    }
    return best;
}

/* ---- fair queuing ---- */

static bool active(const fqueue *q)
{
    return q->waiting > 0 || q->executing > 0;
}

/* queueset.go boundNextDispatchLocked (anti-windup): a queue's virtual start never precedes
 * the virtual arrival of its oldest waiting request. */
static void bound(const apf *a, fqueue *q)
{
    if (q->waiting > 0 && q->next_dispatch_r < a->s[q->head].arrival_r)
        q->next_dispatch_r = a->s[q->head].arrival_r;
}

/* queueset.go canAccommodateSeatsLocked. A request wider than the whole limit runs alone. */
static bool fits(const plevel *L, int cl, int seats)
{
    if (L->exempt)
        return true;
    if (seats > cl)
        return L->st.current_executing_requests == 0;
    return L->st.current_executing_seats + seats <= cl;
}

static void link_queued(apf *a, plevel *L, fqueue *q, uint32_t i)
{
    slot *s = &a->s[i];
    s->qnext = NIL;
    s->qprev = q->tail;
    if (q->tail != NIL)
        a->s[q->tail].qnext = i;
    else
        q->head = i;
    q->tail = i;
    s->gnext = NIL;
    s->gprev = a->gtail;
    if (a->gtail != NIL)
        a->s[a->gtail].gnext = i;
    else
        a->ghead = i;
    a->gtail = i;
    q->waiting++;
    q->waiting_seats += s->width;
    L->st.current_inqueue_requests++;
    L->st.current_inqueue_seats += s->width;
}

static void unlink_queued(apf *a, plevel *L, fqueue *q, uint32_t i)
{
    slot *s = &a->s[i];
    if (s->qprev != NIL)
        a->s[s->qprev].qnext = s->qnext;
    else
        q->head = s->qnext;
    if (s->qnext != NIL)
        a->s[s->qnext].qprev = s->qprev;
    else
        q->tail = s->qprev;
    if (s->gprev != NIL)
        a->s[s->gprev].gnext = s->gnext;
    else
        a->ghead = s->gnext;
    if (s->gnext != NIL)
        a->s[s->gnext].gprev = s->gprev;
    else
        a->gtail = s->gprev;
    q->waiting--;
    q->waiting_seats -= s->width;
    L->st.current_inqueue_requests--;
    L->st.current_inqueue_seats -= s->width;
}

static void start_executing(plevel *L, slot *s, double now)
{
    s->state = SLOT_EXECUTING;
    s->t_s = now;
    L->st.current_executing_requests++;
    L->st.current_executing_seats += s->width;
    L->st.dispatched_requests_total++;
}

/* queueset.go findDispatchQueueToBoundLocked + dispatchLocked: scan the queues round-robin
 * from the one after the last dispatched, take the first whose head has the least virtual
 * finish (start + width * G); if that head does not fit in the free seats nothing is
 * dispatched (narrower heads elsewhere do not overtake it). Returns the slot or NIL. */
static uint32_t dispatch_one(apf *a, plevel *L, int cl, double now)
{
    int nq = L->queues, best = -1;
    double best_finish = INFINITY;
    for (int k = 1; k <= nq; k++) {
        int qi = (L->robin + k) % nq;
        const fqueue *q = &L->q[qi];
        if (q->waiting == 0)
            continue;
        double finish = q->next_dispatch_r + a->s[q->head].width * a->g_s;
        if (finish < best_finish) {
            best_finish = finish;
            best = qi;
        }
    }
    if (best < 0)
        return NIL;
    fqueue *q = &L->q[best];
    uint32_t i = q->head;
    slot *s = &a->s[i];
    if (!fits(L, cl, s->width))
        return NIL;
    L->robin = best; /* ties now favour the queues after this one */
    unlink_queued(a, L, q, i);
    start_executing(L, s, now);
    q->executing++;
    q->seats_in_use += s->width;
    /* The virtual world serves G per seat; apf_finish corrects by the real duration. */
    q->next_dispatch_r += s->width * a->g_s;
    bound(a, q);
    demand_set(L);
    return i;
}

/* queueset.go dispatchAsMuchAsPossibleLocked. Every dispatched request but `self` goes to cb;
 * returns whether `self` was dispatched. */
static bool dispatch_all(apf *a, plevel *L, double now, uint32_t self, apf_dispatch_fn cb,
                         void *ctx)
{
    bool got_self = false;
    int cl = L->st.current_limit_seats;
    while (L->st.current_inqueue_requests > 0 && L->st.current_executing_seats < cl) {
        uint32_t i = dispatch_one(a, L, cl, now);
        if (i == NIL)
            break;
        if (i == self) {
            got_self = true;
            continue;
        }
        ensure(cb != NULL, now, "apf: level %s dispatched a queued request with no callback",
               L->name);
        a->busy = true;
        cb(ctx, a->s[i].id, ticket_of(a, i));
        a->busy = false;
    }
    return got_self;
}

/* A queued request leaves its queue without being served (time-out or cancel): the wait()
 * ejection path of queueset.go, which dispatches nothing. */
static void remove_queued(apf *a, plevel *L, uint32_t i, enum apf_reason why)
{
    fqueue *q = &L->q[a->s[i].queue];
    unlink_queued(a, L, q, i);
    bound(a, q);
    if (!active(q))
        L->active_queues--;
    L->st.rejected_requests_total[why]++;
    demand_set(L);
    slot_put(a, i);
}

/* ---- borrowing ---- */

typedef struct alloc_item {
    double lower, upper, target;
} alloc_item;

static double clamp(double x, double lo, double hi)
{
    return fmax(lo, fmin(hi, x));
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* conc_alloc.go computeConcurrencyAllocation: the allocation clamp(p * target, lower, upper)
 * per item that sums to `required`, for the one proportion p that makes it so. The sum is
 * piecewise linear and non-decreasing in p with corners at lower/target and upper/target, so
 * p lies between two adjacent corners where it is found by interpolation (the source walks
 * the same sorted corners). Returns -1, leaving out alone, where the source reports an error. */
static int allocate(int required, const alloc_item *it, int n, double *out)
{
    double req = required, low = 0, high = 0;
    for (int k = 0; k < n; k++) {
        if (it[k].lower < 0 || it[k].target < it[k].lower || it[k].upper < it[k].lower)
            return -1;
        low += it[k].lower;
        high += it[k].upper;
    }
    if (low - req > EPSILON || req - high > EPSILON)
        return -1;
    if (required == 0) {
        for (int k = 0; k < n; k++)
            out[k] = 0;
        return 0;
    }
    if (low - req > -EPSILON || req - high > -EPSILON) { /* no room: pinned to one side */
        bool lo = low - req > -EPSILON;
        for (int k = 0; k < n; k++)
            out[k] = lo ? it[k].lower : it[k].upper;
        return 0;
    }
    double *corner = xmalloc(2 * (size_t)n * sizeof *corner);
    for (int k = 0; k < n; k++) {
        double t = fmax(it[k].target, MIN_TARGET);
        corner[2 * k] = it[k].lower / t;
        corner[2 * k + 1] = it[k].upper / t;
    }
    qsort(corner, 2 * (size_t)n, sizeof *corner, cmp_double);
    double p0 = corner[0], f0 = 0, p = corner[2 * n - 1];
    for (int k = 0; k < n; k++)
        f0 += clamp(p0 * fmax(it[k].target, MIN_TARGET), it[k].lower, it[k].upper);
    for (int c = 1; c < 2 * n; c++) {
        double p1 = corner[c], f1 = 0;
        for (int k = 0; k < n; k++)
            f1 += clamp(p1 * fmax(it[k].target, MIN_TARGET), it[k].lower, it[k].upper);
        if (f1 >= req) {
            p = f1 > f0 ? p0 + (req - f0) * (p1 - p0) / (f1 - f0) : p0;
            break;
        }
        p0 = p1;
        f0 = f1;
    }
    free(corner);
    for (int k = 0; k < n; k++)
        out[k] = clamp(p * fmax(it[k].target, MIN_TARGET), it[k].lower, it[k].upper);
    return 0;
}

/* apf_controller.go updateBorrowingLocked: each level's demand since the last call (integrator
 * Reset, seatDemandStats.update) sets a target; the lower bound is the level's unlendable seats
 * or its demand high watermark up to its nominal limit; the nominal limits' sum is shared out
 * by allocate() and rounded. Exempt levels take part (1.28) but are never limited. */
static void update_borrowing(apf *a)
{
    alloc_item *it = xmalloc((size_t)a->nlv * sizeof *it);
    double *out = xmalloc((size_t)a->nlv * sizeof *out);
    for (int k = 0; k < a->nlv; k++) {
        plevel *L = &a->lv[k];
        demand *d = &L->dem;
        L->hw = d->max;
        if (d->t > 0) {
            double avg = d->ix / d->t, var = d->ixx / d->t - avg * avg;
            double envelope = avg + (var >= 0 ? sqrt(var) : 0); /* NaN deviation counts as 0 */
            L->smoothed = fmax(envelope, SMOOTHING * L->smoothed + (1 - SMOOTHING) * envelope);
        }
        d->t = d->ix = d->ixx = 0;
        d->min = d->max = d->x;
        const apf_level_stats *st = &L->st;
        double lower = fmax(st->lower_limit_seats, fmin(st->nominal_limit_seats, L->hw));
        it[k] = (alloc_item){lower, st->upper_limit_seats, fmax(lower, L->smoothed)};
        out[k] = st->current_limit_seats; /* kept if allocate fails, as the source does */
    }
    allocate(a->nominal_cl_sum, it, a->nlv, out);
    for (int k = 0; k < a->nlv; k++)
        a->lv[k].st.current_limit_seats = (int)round(out[k]);
    free(out);
    free(it);
}

/* ---- construction ---- */

static int check_level(const apf_level_config *c, int k, err *e)
{
    if (!c->name || !*c->name)
        return err_set(e, "apf: levels[%d]: name: must be a non-empty string", k);
    const char *n = c->name;
    if (c->shares < 0)
        return err_set(e, "apf: level %s: shares: must be >= 0 (got %d)", n, c->shares);
    if (c->lendable_percent < 0 || c->lendable_percent > 100)
        return err_set(e, "apf: level %s: lendable_percent: must be in 0..100 (got %d)", n,
                       c->lendable_percent);
    if (c->borrowing_limited && c->borrowing_limit_percent < 0)
        return err_set(e, "apf: level %s: borrowing_limit_percent: must be >= 0 (got %d)", n,
                       c->borrowing_limit_percent);
    if (c->exempt) {
        if (c->queues != 0)
            return err_set(e, "apf: level %s: queues: an exempt level never queues (got %d)", n,
                           c->queues);
        return 0;
    }
    if (c->queues < 0 || c->queues > APF_MAX_QUEUES)
        return err_set(e, "apf: level %s: queues: must be in 0..%d (got %d)", n, APF_MAX_QUEUES,
                       c->queues);
    if (c->queues == 0)
        return 0;
    int hmax = c->queues < APF_MAX_HAND ? c->queues : APF_MAX_HAND;
    if (c->hand_size < 1 || c->hand_size > hmax)
        return err_set(e, "apf: level %s: hand_size: must be in 1..%d (got %d)", n, hmax,
                       c->hand_size);
    /* shufflesharding.go NewDealer via RequiredEntropyBits. */
    double bits = ceil(log2((double)c->queues) * c->hand_size);
    if (bits > MAX_HASH_BITS)
        return err_set(e,
                       "apf: level %s: queues %d and hand_size %d need %.0f bits of hash "
                       "(at most %d)",
                       n, c->queues, c->hand_size, bits, MAX_HASH_BITS);
    if (c->queue_length_limit < 1)
        return err_set(e, "apf: level %s: queue_length_limit: must be >= 1 (got %d)", n,
                       c->queue_length_limit);
    return 0;
}

/* apf_controller.go finishQueueSetReconfigsLocked: nominal limit ceil(server * shares / sum of
 * every level's shares) with no floor (a level of 0 shares gets 0, and then serves one request
 * at a time: see fits()), lendable and borrowable seats rounded from percentages of it, no
 * borrowing limit meaning the whole server; then the first allocation, made at once with
 * empty demand statistics. */
static void set_limits(apf *a)
{
    double sum = 0;
    for (int k = 0; k < a->nlv; k++)
        sum += a->lv[k].shares;
    a->nominal_cl_sum = 0;
    for (int k = 0; k < a->nlv; k++) {
        plevel *L = &a->lv[k];
        int cl = sum > 0 ? (int)ceil((double)a->server_concurrency * L->shares / sum) : 0;
        int lend = (int)round((double)cl * L->lendable_percent / 100);
        /* plSpecCommons: an exempt level has no borrowing limit. */
        int borrow = L->borrowing_limit_percent >= 0
                         ? (int)round((double)cl * L->borrowing_limit_percent / 100)
                         : a->server_concurrency;
        L->st.nominal_limit_seats = cl;
        L->st.lower_limit_seats = cl - lend;
        L->st.upper_limit_seats = cl + borrow;
        L->st.current_limit_seats = cl - lend / 2; /* initialCL, the fallback */
        a->nominal_cl_sum += cl;
    }
    update_borrowing(a);
}

/* Empty queues, clocks and demand at now (construction and restart). */
static void clear_level(plevel *L, double now)
{
    for (int i = 0; i < L->queues; i++)
        L->q[i] = (fqueue){.head = NIL, .tail = NIL};
    L->r = 0;
    L->r_last_s = now;
    L->robin = 0;
    L->enqueues = 0;
    L->active_queues = 0;
    L->dem = (demand){.last_s = now};
    L->hw = L->smoothed = 0;
    L->st.current_executing_requests = L->st.current_executing_seats = 0;
    L->st.current_inqueue_requests = L->st.current_inqueue_seats = 0;
}

apf *apf_new(const apf_config *cfg, double now, err *e)
{
    if (!cfg || !cfg->levels || cfg->nlevels < 1 || cfg->nlevels > 65535) {
        err_set(e, "apf: levels: need 1..65535 levels (got %d)", cfg ? cfg->nlevels : 0);
        return NULL;
    }
    if (cfg->server_concurrency < 1) {
        err_set(e, "apf: server_concurrency: must be >= 1 (got %d)", cfg->server_concurrency);
        return NULL;
    }
    if (!(cfg->max_queue_wait_s > 0)) {
        err_set(e, "apf: max_queue_wait_s: must be > 0 (got %g)", cfg->max_queue_wait_s);
        return NULL;
    }
    if (!(cfg->estimated_service_s > 0) || !isfinite(cfg->estimated_service_s)) {
        err_set(e, "apf: estimated_service_s: must be finite and > 0 (got %g)",
                cfg->estimated_service_s);
        return NULL;
    }
    for (int k = 0; k < cfg->nlevels; k++) {
        const apf_level_config *c = &cfg->levels[k];
        if (check_level(c, k, e) < 0)
            return NULL;
        for (int j = 0; j < k; j++)
            if (strcmp(cfg->levels[j].name, c->name) == 0) {
                err_set(e, "apf: level %s: name: defined twice", c->name);
                return NULL;
            }
    }
    int nonexempt = 0;
    long sum = 0;
    for (int k = 0; k < cfg->nlevels; k++) {
        nonexempt += !cfg->levels[k].exempt;
        sum += cfg->levels[k].shares;
    }
    if (nonexempt > 0 && sum == 0) {
        err_set(e, "apf: levels: the shares sum to 0, so no level has a concurrency limit");
        return NULL;
    }
    apf *a = xcalloc(1, sizeof *a);
    a->server_concurrency = cfg->server_concurrency;
    a->max_queue_wait_s = cfg->max_queue_wait_s;
    a->g_s = cfg->estimated_service_s;
    a->nlv = cfg->nlevels;
    a->lv = xcalloc((size_t)a->nlv, sizeof *a->lv);
    a->free = a->ghead = a->gtail = NIL;
    a->now = now;
    for (int k = 0; k < a->nlv; k++) {
        const apf_level_config *c = &cfg->levels[k];
        plevel *L = &a->lv[k];
        L->name = xstrdup(c->name);
        L->exempt = c->exempt;
        L->shares = c->shares;
        L->queues = c->queues;
        L->hand_size = c->hand_size;
        L->queue_length_limit = c->queue_length_limit;
        L->lendable_percent = c->lendable_percent;
        L->borrowing_limit_percent =
            c->borrowing_limited && !c->exempt ? c->borrowing_limit_percent : -1;
        L->q = L->queues ? xcalloc((size_t)L->queues, sizeof *L->q) : NULL;
        clear_level(L, now);
    }
    set_limits(a);
    return a;
}

void apf_free(apf *a)
{
    if (!a)
        return;
    for (int k = 0; k < a->nlv; k++) {
        free(a->lv[k].name);
        free(a->lv[k].q);
    }
    free(a->lv);
    free(a->s);
    free(a);
}

/* ---- operations ---- */

static plevel *level_at(apf *a, int level, double now)
{
    ensure(level >= 0 && level < a->nlv, now, "apf: no level %d (of %d)", level, a->nlv);
    return &a->lv[level];
}

enum apf_admit apf_admit(apf *a, int level, uint64_t flow, int width, uint32_t id, double now,
                         apf_dispatch_fn cb, void *ctx, apf_ticket *ticket, enum apf_reason *reason)
{
    begin(a, now);
    plevel *L = level_at(a, level, now);
    ensure(width >= 1 && width <= APF_MAX_WIDTH, now, "apf: width %d not in 1..%d", width,
           APF_MAX_WIDTH);
    int cl = L->st.current_limit_seats;
    sync_level(L, cl, now);
    enum apf_reason why;
    if (L->queues == 0) {
        /* queueset.go StartRequest step 0: no queues (or exempt): the limit alone decides. */
        if (!fits(L, cl, width)) {
            why = APF_CONCURRENCY_LIMIT;
            goto reject;
        }
        uint32_t i = slot_get(a);
        slot *s = &a->s[i];
        *s = (slot){.gen = s->gen,
                    .id = id,
                    .level = (uint16_t)level,
                    .queue = NOQUEUE,
                    .width = (uint16_t)width};
        start_executing(L, s, now);
        demand_set(L);
        if (ticket)
            *ticket = ticket_of(a, i);
        return APF_EXECUTE;
    }
    /* queueset.go timeoutOldRequestsAndRejectOrEnqueueLocked, without its lazy time-out sweep
     * (apf_expire does that at the deadline): shuffle-shard, then rejectOrEnqueueToBoundLocked:
     * a full queue rejects only while the level's seats are all in use. */
    int qi = choose_queue(L, flow);
    fqueue *q = &L->q[qi];
    if (L->st.current_executing_seats >= cl && q->waiting >= L->queue_length_limit) {
        why = APF_QUEUE_FULL;
        goto reject;
    }
    uint32_t i = slot_get(a);
    slot *s = &a->s[i];
    if (!active(q)) {
        q->next_dispatch_r = L->r; /* enqueueToBoundLocked: an idle queue starts at R */
        L->active_queues++;
    }
    *s = (slot){.t_s = now,
                .arrival_r = L->r,
                .gen = s->gen,
                .id = id,
                .level = (uint16_t)level,
                .queue = (uint16_t)qi,
                .width = (uint16_t)width,
                .state = SLOT_QUEUED};
    link_queued(a, L, q, i);
    bound(a, q);
    demand_set(L);
    if (ticket)
        *ticket = ticket_of(a, i);
    return dispatch_all(a, L, now, i, cb, ctx) ? APF_EXECUTE : APF_QUEUED;
reject:
    L->st.rejected_requests_total[why]++;
    if (reason)
        *reason = why;
    return APF_REJECTED;
}

void apf_finish(apf *a, apf_ticket t, double now, apf_dispatch_fn cb, void *ctx)
{
    begin(a, now);
    uint32_t i;
    slot *s = slot_of(a, t, &i);
    ensure(s && s->state == SLOT_EXECUTING, now, "apf: finish of ticket %#llx, not executing",
           (unsigned long long)t);
    plevel *L = &a->lv[s->level];
    sync_level(L, L->st.current_limit_seats, now);
    L->st.current_executing_requests--;
    L->st.current_executing_seats -= s->width;
    if (s->queue != NOQUEUE) {
        /* queueset.go finishRequestLocked: the queue was charged G per seat at dispatch; now
         * that the service time S is known its start moves by width * (S - G). */
        fqueue *q = &L->q[s->queue];
        q->executing--;
        q->seats_in_use -= s->width;
        q->next_dispatch_r += s->width * ((now - s->t_s) - a->g_s);
        bound(a, q);
        if (!active(q))
            L->active_queues--;
    }
    slot_put(a, i);
    demand_set(L);
    if (L->queues > 0)
        dispatch_all(a, L, now, NIL, cb, ctx);
}

/* 1.28: a request's context is bound to its deadline (WithRequestDeadline) and to the client's
 * connection; when it is done while the request waits, the decision promise resolves to
 * decisionCancel and wait() ejects it, counting rejected{reason="cancelled"}. An executing
 * request's cancelled context is the handler's business, not the queueset's. */
bool apf_cancel(apf *a, apf_ticket t, double now)
{
    begin(a, now);
    uint32_t i;
    slot *s = slot_of(a, t, &i);
    ensure(s != NULL, now, "apf: cancel of ticket %#llx, not live", (unsigned long long)t);
    if (s->state != SLOT_QUEUED)
        return false;
    plevel *L = &a->lv[s->level];
    sync_level(L, L->st.current_limit_seats, now);
    remove_queued(a, L, i, APF_CANCELLED);
    return true;
}

double apf_next_deadline(const apf *a)
{
    if (a->ghead == NIL)
        return INFINITY;
    return a->s[a->ghead].t_s + a->max_queue_wait_s;
}

/* queueset.go removeTimedOutRequestsFromQueueToBoundLocked rejects "time-out" the requests
 * that waited longer than RequestWaitLimit (RequestTimeout/4, server/options/recommended.go).
 * One limit for all, so deadlines come in arrival order and the oldest queued request is next.
 * The source tests now - limit > arrival at the next arrival; the deadline is reached here. */
void apf_expire(apf *a, double now, apf_reject_fn cb, void *ctx)
{
    begin(a, now);
    while (a->ghead != NIL && a->s[a->ghead].t_s + a->max_queue_wait_s <= now) {
        uint32_t i = a->ghead;
        uint32_t id = a->s[i].id;
        plevel *L = &a->lv[a->s[i].level];
        sync_level(L, L->st.current_limit_seats, now);
        remove_queued(a, L, i, APF_TIME_OUT);
        ensure(cb != NULL, now, "apf: time-out of a request with no callback");
        a->busy = true;
        cb(ctx, id, APF_TIME_OUT);
        a->busy = false;
    }
}

void apf_rebalance(apf *a, double now, apf_dispatch_fn cb, void *ctx)
{
    begin(a, now);
    for (int k = 0; k < a->nlv; k++)
        sync_level(&a->lv[k], a->lv[k].st.current_limit_seats, now);
    update_borrowing(a);
    /* The new limits take effect through setConfiguration, which dispatches; the source goes
     * through its levels in map order, here in level order. */
    for (int k = 0; k < a->nlv; k++)
        if (a->lv[k].queues > 0)
            dispatch_all(a, &a->lv[k], now, NIL, cb, ctx);
}

/* A live change of the server's concurrency (an intervention on the caps; the apiserver itself
 * needs a restart for it). Every level's virtual clock is brought to now under its old limit,
 * then the limits are recomputed as at construction (set_limits: nominal, lendable and
 * borrowable seats, and one borrowing allocation from the demand seen since the last
 * rebalance, which that allocation consumes), and what the new limits let through is dispatched
 * in level order. Executing requests keep their seats: a lowered limit dispatches nothing until
 * enough of them finish. */
void apf_set_concurrency(apf *a, int server_concurrency, double now, apf_dispatch_fn cb, void *ctx)
{
    begin(a, now);
    ensure(server_concurrency >= 1, now, "apf: server concurrency %d < 1", server_concurrency);
    for (int k = 0; k < a->nlv; k++)
        sync_level(&a->lv[k], a->lv[k].st.current_limit_seats, now);
    a->server_concurrency = server_concurrency;
    set_limits(a);
    for (int k = 0; k < a->nlv; k++)
        if (a->lv[k].queues > 0)
            dispatch_all(a, &a->lv[k], now, NIL, cb, ctx);
}

void apf_reset(apf *a, double now)
{
    begin(a, now);
    for (uint32_t i = 0; i < a->cap; i++)
        if (a->s[i].state != SLOT_FREE)
            slot_put(a, i);
    a->ghead = a->gtail = NIL;
    for (int k = 0; k < a->nlv; k++)
        clear_level(&a->lv[k], now);
    set_limits(a);
}

/* ---- accessors ---- */

bool apf_ticket_live(const apf *a, apf_ticket t)
{
    uint32_t i;
    return slot_of(a, t, &i) != NULL;
}

int apf_nlevels(const apf *a)
{
    return a->nlv;
}

int apf_level_index(const apf *a, const char *name)
{
    for (int k = 0; k < a->nlv; k++)
        if (strcmp(a->lv[k].name, name) == 0)
            return k;
    return -1;
}

static const plevel *level_of(const apf *a, int level)
{
    ensure(level >= 0 && level < a->nlv, a->now, "apf: no level %d (of %d)", level, a->nlv);
    return &a->lv[level];
}

const apf_level_stats *apf_stats(const apf *a, int level)
{
    return &level_of(a, level)->st;
}

int apf_hand(const apf *a, int level, uint64_t flow, int *hand)
{
    const plevel *L = level_of(a, level);
    ensure(L->queues > 0, a->now, "apf: level %s has no queues", L->name);
    return deal(flow, L->queues, L->hand_size, hand);
}

int apf_queue_length(const apf *a, int level, int queue)
{
    const plevel *L = level_of(a, level);
    ensure(queue >= 0 && queue < L->queues, a->now, "apf: level %s has no queue %d", L->name,
           queue);
    return L->q[queue].waiting;
}

const char *apf_reason_name(enum apf_reason r)
{
    static const char *const names[APF_REASON_COUNT] = {"queue-full", "concurrency-limit",
                                                        "time-out", "cancelled"};
    return r >= 0 && r < APF_REASON_COUNT ? names[r] : "unknown";
}
