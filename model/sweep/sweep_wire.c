/* sweep_wire: the bytes of the MPI sweep's messages (L4): a header, then jobs or results, in
 * native byte order (the ranks of a job share one architecture). No MPI here, so it is tested in
 * one process. */
#include "sweep_wire.h"

#include "classify.h"
#include "xmem.h"

#include <string.h>

/* ---- the wire: native byte order (a cluster of one architecture) ------------------------------
 */

void sweep_wire_bytes(sweep_wbuf *b, const void *v, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = 2 * (b->n + n) + 64;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, v, n);
    b->n += n;
}

static void w_u32(sweep_wbuf *b, uint32_t v)
{
    sweep_wire_bytes(b, &v, sizeof v);
}

static void w_u64(sweep_wbuf *b, uint64_t v)
{
    sweep_wire_bytes(b, &v, sizeof v);
}

static void w_f64(sweep_wbuf *b, double v)
{
    sweep_wire_bytes(b, &v, sizeof v);
}

static void r_bytes(sweep_rbuf *r, void *v, size_t n)
{
    if (r->bad || r->n - r->off < n) {
        r->bad = 1;
        memset(v, 0, n);
        return;
    }
    memcpy(v, r->p + r->off, n);
    r->off += n;
}

static uint32_t r_u32(sweep_rbuf *r)
{
    uint32_t v;
    r_bytes(r, &v, sizeof v);
    return v;
}

static uint64_t r_u64(sweep_rbuf *r)
{
    uint64_t v;
    r_bytes(r, &v, sizeof v);
    return v;
}

static double r_f64(sweep_rbuf *r)
{
    double v;
    r_bytes(r, &v, sizeof v);
    return v;
}

void sweep_wire_head(sweep_wbuf *b, uint32_t type, uint32_t count, uint32_t want, int32_t code)
{
    w_u32(b, type);
    w_u32(b, count);
    w_u32(b, want);
    w_u32(b, (uint32_t)code);
}

sweep_whead sweep_wire_read_head(sweep_rbuf *r)
{
    sweep_whead h;
    h.type = r_u32(r);
    h.count = r_u32(r);
    h.want = r_u32(r);
    h.code = (int32_t)r_u32(r);
    return h;
}

/* A result: task, the numbers regions.csv needs, the wall time, the points.csv row. */
void sweep_wire_result(sweep_wbuf *b, const sweep_result *x)
{
    size_t len = strlen(x->line);
    w_u64(b, x->task);
    w_u32(b, (uint32_t)x->cls);
    w_u32(b, (uint32_t)x->stopped_early);
    w_u32(b, (uint32_t)x->within_window);
    w_u32(b, (uint32_t)len);
    w_f64(b, x->recovery_s);
    for (int m = 0; m < SWEEP_METRICS; m++)
        w_f64(b, x->m[m]);
    w_f64(b, x->wall_s);
    sweep_wire_bytes(b, x->line, len);
}

int sweep_wire_read_result(sweep_rbuf *r, sweep_result *x)
{
    memset(x, 0, sizeof *x);
    x->task = r_u64(r);
    x->cls = (int)r_u32(r);
    x->stopped_early = (int)r_u32(r);
    x->within_window = (int)r_u32(r);
    uint32_t len = r_u32(r);
    x->recovery_s = r_f64(r);
    for (int m = 0; m < SWEEP_METRICS; m++)
        x->m[m] = r_f64(r);
    x->wall_s = r_f64(r);
    if (r->bad || r->n - r->off < len || x->cls < 0 || x->cls >= CLASS_COUNT) {
        r->bad = 1;
        return -1;
    }
    x->line = xmalloc((size_t)len + 1);
    r_bytes(r, x->line, len);
    x->line[len] = '\0';
    x->done = 1;
    return 0;
}

void sweep_wire_job(sweep_wbuf *b, const sweep_job *j)
{
    w_u64(b, j->task);
    w_f64(b, j->pt.x);
    w_f64(b, j->pt.y);
    w_f64(b, j->pt.z);
    w_u32(b, (uint32_t)j->pt.level);
}

void sweep_wire_read_job(sweep_rbuf *r, sweep_job *j)
{
    j->task = r_u64(r);
    j->pt.x = r_f64(r);
    j->pt.y = r_f64(r);
    j->pt.z = r_f64(r);
    j->pt.level = (int)r_u32(r);
}
