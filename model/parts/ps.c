/* ps: processor sharing by virtual time (L2). */
#include "ps.h"

#include "xmem.h"

#include <math.h>
#include <stdlib.h>

void ps_init(ps *p, int cores, double now)
{
    p->cores = cores;
    p->v = 0.0;
    p->last_s = now;
    p->busy_s = 0.0;
    p->cap = 64;
    p->heap = xmalloc(p->cap * sizeof *p->heap);
    p->n = 0;
    p->seq = 0;
}

void ps_destroy(ps *p)
{
    free(p->heap);
    p->heap = NULL;
    p->n = p->cap = 0;
}

static double rate(const ps *p)
{
    return p->n <= (size_t)p->cores ? 1.0 : (double)p->cores / (double)p->n;
}

void ps_advance(ps *p, double now)
{
    double dt = now - p->last_s;
    if (dt > 0.0) {
        p->v += dt * rate(p);
        double used = p->n < (size_t)p->cores ? (double)p->n : (double)p->cores;
        p->busy_s += dt * used / p->cores;
        p->last_s = now;
    }
}

static int before(const ps_job *a, const ps_job *b)
{
    return a->vfinish < b->vfinish || (a->vfinish == b->vfinish && a->seq < b->seq);
}

void ps_add(ps *p, double now, double work_s, void *obj, uint64_t tag)
{
    ps_advance(p, now);
    if (p->n == p->cap) {
        p->cap *= 2;
        p->heap = xrealloc(p->heap, p->cap * sizeof *p->heap);
    }
    ps_job j = {p->v + work_s, p->seq++, obj, tag};
    size_t k = p->n++;
    while (k > 0) {
        size_t up = (k - 1) / 2;
        if (!before(&j, &p->heap[up]))
            break;
        p->heap[k] = p->heap[up];
        k = up;
    }
    p->heap[k] = j;
}

double ps_next_s(const ps *p)
{
    if (p->n == 0)
        return INFINITY;
    double dv = p->heap[0].vfinish - p->v;
    return p->last_s + (dv > 0.0 ? dv / rate(p) : 0.0);
}

ps_job ps_pop(ps *p, double now)
{
    ps_advance(p, now);
    ps_job top = p->heap[0];
    ps_job last = p->heap[--p->n];
    size_t k = 0, n = p->n;
    while (n > 0) {
        size_t c = 2 * k + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&p->heap[c + 1], &p->heap[c]))
            c++;
        if (!before(&p->heap[c], &last))
            break;
        p->heap[k] = p->heap[c];
        k = c;
    }
    if (n > 0)
        p->heap[k] = last;
    /* Rounding can leave v a hair short of the job's finishing time; never let it go back. */
    if (top.vfinish > p->v)
        p->v = top.vfinish;
    return top;
}

void ps_clear(ps *p, double now)
{
    ps_advance(p, now);
    p->n = 0;
}
