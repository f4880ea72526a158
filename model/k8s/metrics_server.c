/* metrics_server: metrics-server 0.3.x (L3): a tick every resolution, a scrape of every ready
 * node after a random delay, and each tick's deadline, at which its scrapes still waiting for a
 * webhook loop fail. The scrapes of a tick go into one sorted array with one engine event, the
 * deadlines into a ring of per-tick counts. The kubelet side of a scrape is kubelet_scrape.
 * Includes k8s.h and L0-L2 headers only. */
#include "k8s.h"

#include "err.h"
#include "xmem.h"

#include <gsl/gsl_heapsort.h>
#include <stdlib.h>
#include <string.h>

void ms_scrape_result(world *w, bool ok)
{
    count(w, ok ? C_SCRAPE_OK : C_SCRAPE_FAIL);
}

uint32_t ms_latest_tick(const world *w)
{
    return w->ms.tick_hi - 1;
}

static bool tick_expired(const metrics_server *ms, uint32_t tick)
{
    return (int32_t)(tick - ms->tick_lo) < 0;
}

bool ms_scrape_wait(world *w, uint32_t tick)
{
    metrics_server *ms = &w->ms;
    if (tick_expired(ms, tick))
        return false;
    ms->scr_waiting[tick & (ms->scr_waiting_cap - 1)]++;
    return true;
}

void ms_scrape_done(world *w, uint32_t tick, bool ok)
{
    metrics_server *ms = &w->ms;
    if (tick_expired(ms, tick))
        return; /* already counted as failed at the deadline */
    ms->scr_waiting[tick & (ms->scr_waiting_cap - 1)]--;
    ms_scrape_result(w, ok);
}

/* A tick's deadline: its scrapes still waiting fail (their loops go on). Deadlines come in
 * tick order, so this is tick tick_lo. */
static void ev_scrape_deadline(sim *e, void *obj, uint64_t arg)
{
    (void)e;
    world *w = obj;
    metrics_server *ms = &w->ms;
    ensure(arg == ms->tick_lo, now(w), "scrape deadlines out of order");
    uint32_t *waiting = &ms->scr_waiting[ms->tick_lo & (ms->scr_waiting_cap - 1)];
    w->cum[C_SCRAPE_FAIL] += *waiting;
    *waiting = 0;
    ms->tick_lo++;
}

/* Opens a tick: a zero count in the ring of unexpired ticks (grown when full). */
static void tick_open(metrics_server *ms)
{
    uint32_t cap = ms->scr_waiting_cap;
    if (ms->tick_hi - ms->tick_lo == cap) {
        uint32_t ncap = cap ? 2 * cap : 4;
        uint32_t *r = xcalloc(ncap, sizeof *r);
        for (uint32_t k = ms->tick_lo; k != ms->tick_hi; k++)
            r[k & (ncap - 1)] = ms->scr_waiting[k & (cap - 1)];
        free(ms->scr_waiting);
        ms->scr_waiting = r;
        ms->scr_waiting_cap = ncap;
    }
    ms->scr_waiting[ms->tick_hi & (ms->scr_waiting_cap - 1)] = 0;
    ms->tick_hi++;
}

static int due_cmp(const void *a, const void *b)
{
    const due *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    /* seq wraps after 2^32 scrapes; only differences among the ones due matter */
    int32_t d = (int32_t)(x->seq - y->seq);
    return (d > 0) - (d < 0);
}

/* In place: glibc's qsort is a merge sort that allocates a copy of the array (16 bytes a node
 * at every tick); the order is total, so an unstable sort gives the same result. */
void due_sort(due *a, size_t n)
{
    if (n > 1)
        gsl_heapsort(a, n, sizeof *a, due_cmp);
}

/* The scrapes due now, in order, then one event for the next. */
static void ev_scrape(sim *e, void *obj, uint64_t arg)
{
    (void)arg;
    world *w = obj;
    metrics_server *ms = &w->ms;
    while (ms->scr_pos < ms->scr_n && ms->scr[ms->scr_pos].t <= now(w))
        kubelet_scrape(w, ms->scr[ms->scr_pos++].node);
    ms->scr_ev = ms->scr_pos < ms->scr_n ? sim_at(e, ms->scr[ms->scr_pos].t, ev_scrape, w, 0) : 0;
}

static void ev_ms_tick(sim *e, void *obj, uint64_t arg)
{
    (void)arg;
    world *w = obj;
    metrics_server *ms = &w->ms;
    const params *p = w->p;
    if (!p->metrics_server.enabled) {
        ms->ticking = false; /* an intervention switched metrics-server off */
        return;
    }
    int nnodes = w->kl.n;
    double res = p->metrics_server.resolution_s;
    /* metrics-server 0.3.x manager.go: all nodes at once, node i after rand(min(8 ms N, 4 s)),
     * each with a deadline of 0.9 x resolution from the tick. NotReady nodes are skipped. */
    double spread = p->metrics_server.delay_per_node_s * nnodes;
    if (spread > p->metrics_server.max_delay_s)
        spread = p->metrics_server.max_delay_s;
    tick_open(ms);
    sim_at(e, now(w) + p->metrics_server.timeout_fraction * res, ev_scrape_deadline, w,
           ms->tick_hi - 1);
    /* The scrapes go into one sorted array with one engine event, not one event each. Scrapes
     * of an earlier tick still due (a spread longer than the resolution) stay, in order. */
    size_t keep = ms->scr_n - ms->scr_pos;
    if (keep > 0 && ms->scr_pos > 0)
        memmove(ms->scr, ms->scr + ms->scr_pos, keep * sizeof *ms->scr);
    ms->scr_n = keep;
    ms->scr_pos = 0;
    if (ms->scr_cap < keep + (size_t)nnodes) {
        ms->scr_cap = keep + (size_t)nnodes;
        ms->scr = xrealloc(ms->scr, ms->scr_cap * sizeof *ms->scr);
    }
    double t = now(w);
    for (int i = 0; i < nnodes; i++)
        if (!node_not_ready(&w->kl.nodes[i]))
            ms->scr[ms->scr_n++] =
                (due){t + spread * unif(w, RNG_SCRAPE), (uint32_t)i, ms->scr_seq++};
    due_sort(ms->scr, ms->scr_n);
    if (ms->scr_ev)
        sim_cancel(e, ms->scr_ev);
    ms->scr_ev = ms->scr_n > 0 ? sim_at(e, ms->scr[0].t, ev_scrape, w, 0) : 0;
    sim_after(e, res, ev_ms_tick, w, 0);
}

/* At set-up, before the first tick: the scrape array, with room for n, lent empty. */
due *ms_scrape_array(world *w, size_t n)
{
    w->ms.scr_cap = n;
    w->ms.scr = xmalloc(n * sizeof *w->ms.scr);
    return w->ms.scr;
}

/* Set-up: the first tick at a random phase of the resolution (an RNG_INIT draw). */
void ms_start(world *w)
{
    const params *p = w->p;
    if (p->metrics_server.enabled && w->kl.n > 0) {
        w->ms.ticking = true;
        sim_at(w->s, p->metrics_server.resolution_s * gsl_rng_uniform(w->r[RNG_INIT]), ev_ms_tick,
               w, 0);
    }
}

/* An intervention switched it on: a tick now, unless it still ticks. */
void ms_resume(world *w)
{
    if (w->p->metrics_server.enabled && !w->ms.ticking && w->kl.n > 0) {
        w->ms.ticking = true;
        sim_after(w->s, 0.0, ev_ms_tick, w, 0);
    }
}

void ms_destroy(world *w)
{
    free(w->ms.scr_waiting);
    free(w->ms.scr);
}
