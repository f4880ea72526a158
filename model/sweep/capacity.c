/* capacity: bisection with sequential stopping on the Clopper-Pearson interval (L4). */
#include "capacity.h"

#include "sweep.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct batch {
    capacity_probe_fn fn;
    void *ctx;
    double v;
    uint64_t rep0;
    int n;
    pthread_mutex_t mu;
    int next, ok, failed;
} batch;

static void *batch_worker(void *arg)
{
    batch *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        int i = b->failed ? b->n : b->next++;
        pthread_mutex_unlock(&b->mu);
        if (i >= b->n)
            return NULL;
        int rc = b->fn(b->ctx, b->v, b->rep0 + (uint64_t)i);
        pthread_mutex_lock(&b->mu);
        if (rc < 0)
            b->failed = 1;
        else
            b->ok += rc;
        pthread_mutex_unlock(&b->mu);
    }
}

/* Runs replications n0 .. n0 + n - 1 at v on jobs threads; the number that recovered, or -1. */
static int run_batch(capacity_probe_fn fn, void *ctx, double v, unsigned n0, int n, int jobs)
{
    batch b = {.fn = fn, .ctx = ctx, .v = v, .rep0 = n0, .n = n};
    pthread_mutex_init(&b.mu, NULL);
    int nt = jobs < n ? jobs : n;
    pthread_t th[64];
    if (nt > 64)
        nt = 64;
    for (int i = 1; i < nt; i++)
        pthread_create(&th[i], NULL, batch_worker, &b);
    batch_worker(&b);
    for (int i = 1; i < nt; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&b.mu);
    return b.failed ? -1 : b.ok;
}

/* A probe at v: batches until the interval is decided or the cap is reached. Replication
 * numbers start at 0 at every probe (common random numbers across values). */
static int probe(const capacity_spec *s, capacity_probe_fn fn, void *ctx, int jobs, double v,
                 capacity_result *r, capacity_probe **out, err *e)
{
    if (r->nprobes == CAPACITY_PROBES_MAX || r->nprobes >= s->max_probes)
        return err_set(e,
                       "capacity: more than %d probes; widen capacity.tolerance or check the "
                       "range",
                       s->max_probes < CAPACITY_PROBES_MAX ? s->max_probes : CAPACITY_PROBES_MAX);
    capacity_probe *p = &r->probes[r->nprobes++];
    memset(p, 0, sizeof *p);
    p->v = v;
    while (p->verdict == CAPACITY_UNDECIDED && (int)p->n < s->max_runs) {
        int n = s->batch;
        if ((int)p->n + n > s->max_runs)
            n = s->max_runs - (int)p->n;
        int ok = run_batch(fn, ctx, v, p->n, n, jobs);
        if (ok < 0)
            return err_set(e, "capacity: a run at %.17g failed", v);
        p->n += (unsigned)n;
        p->k += (unsigned)ok;
        r->runs += (unsigned)n;
        sweep_clopper_pearson(p->k, p->n, s->confidence, &p->lo, &p->hi);
        p->p = (double)p->k / p->n;
        if (p->lo >= s->target)
            p->verdict = CAPACITY_SAFE;
        else if (p->hi < s->target)
            p->verdict = CAPACITY_UNSAFE;
    }
    *out = p;
    return 0;
}

/* worse(a, b): a lies further toward the unsafe end than b. */
static int worse(const capacity_spec *s, double a, double b)
{
    return s->decreasing ? a > b : a < b;
}

static double midpoint(const capacity_spec *s, double a, double b)
{
    double m = a + (b - a) / 2;
    return s->is_int ? round(m) : m;
}

static int closed(const capacity_spec *s, double safe, double unsafe)
{
    double w = s->tol * fabs(s->to - s->from);
    if (s->is_int && w < 1)
        w = 1;
    return fabs(unsafe - safe) <= w;
}

static int is_safe(const capacity_probe *p)
{
    return p->verdict == CAPACITY_SAFE;
}

int capacity_search(const capacity_spec *s, capacity_probe_fn fn, void *ctx, int jobs,
                    capacity_result *r, err *e)
{
    memset(r, 0, sizeof *r);
    r->answer = r->safe_v = r->unsafe_v = NAN;
    if (!(s->target > 0 && s->target < 1) || !(s->confidence > 0 && s->confidence < 1) ||
        s->batch < 1 || s->max_runs < s->batch || s->from == s->to)
        return err_set(e, "capacity: expected 0 < target < 1, 0 < confidence < 1, batch >= 1, "
                          "max_runs >= batch and from != to");
    if (jobs < 1)
        jobs = 1;
    capacity_probe *a, *b;
    if (probe(s, fn, ctx, jobs, s->from, r, &a, e) < 0)
        return -1;
    if (!is_safe(a)) {
        r->below_range = 1;
        snprintf(r->note, sizeof r->note, "even %.17g (the range's safe end) is not safe", s->from);
        return 0;
    }
    if (probe(s, fn, ctx, jobs, s->to, r, &b, e) < 0)
        return -1;
    if (is_safe(b)) {
        r->above_range = 1;
        r->answer = r->safe_v = s->to;
        snprintf(r->note, sizeof r->note, "safe over the whole range: the answer is %s %.17g",
                 s->decreasing ? "at least" : "at most", s->to);
        return 0;
    }
    double safe = s->from, unsafe = s->to;
    for (int round = 0;; round++) {
        while (!closed(s, safe, unsafe)) {
            double m = midpoint(s, safe, unsafe);
            if (m == safe || m == unsafe)
                break;
            capacity_probe *p;
            if (probe(s, fn, ctx, jobs, m, r, &p, e) < 0)
                return -1;
            if (is_safe(p))
                safe = m;
            else
                unsafe = m;
        }
        /* monotonicity: half-way between the safe end and the answer must be safe too */
        double check = midpoint(s, s->from, safe);
        if (check == s->from || check == safe || round >= 8)
            break;
        capacity_probe *c;
        if (probe(s, fn, ctx, jobs, check, r, &c, e) < 0)
            return -1;
        if (is_safe(c))
            break;
        r->contradictions++;
        snprintf(r->note, sizeof r->note,
                 "not monotone: %.17g is %s but %.17g, further toward the unsafe end, is safe; "
                 "the answer is the edge of the safe region at %.17g",
                 check, c->verdict == CAPACITY_UNSAFE ? "unsafe" : "undecided", safe, s->from);
        unsafe = check;
        safe = s->from;
    }
    /* any safe probe beyond an unsafe one left in the record is a contradiction too */
    for (int i = 0; i < r->nprobes; i++)
        for (int j = 0; j < r->nprobes; j++)
            if (is_safe(&r->probes[i]) && !is_safe(&r->probes[j]) &&
                worse(s, r->probes[i].v, r->probes[j].v) && r->contradictions == 0) {
                r->contradictions = 1;
                snprintf(r->note, sizeof r->note,
                         "not monotone: %.17g is safe beyond %.17g, which is not", r->probes[i].v,
                         r->probes[j].v);
            }
    r->answer = r->safe_v = safe;
    r->unsafe_v = unsafe;
    return 0;
}
