/* sweep_wire: the bytes of the MPI sweep's messages (L4): a header {type, count, want, code},
 * then count jobs or results, in native byte order (the ranks of one job share an architecture).
 * Writers append to a growing buffer; readers never read past the end: they set bad and yield
 * zeros instead. No MPI here (sweep_mpi.c sends the bytes). */
#ifndef AVALANCHE_SWEEP_WIRE_H
#define AVALANCHE_SWEEP_WIRE_H

#include "sweep_files.h"
#include "sweep_job.h"

#include <stddef.h>
#include <stdint.h>

typedef struct sweep_wbuf {
    unsigned char *p; /* owned; NULL when empty */
    size_t n, cap;
} sweep_wbuf;

typedef struct sweep_rbuf {
    const unsigned char *p;
    size_t n, off;
    int bad; /* a read went past the end, or a field was out of range */
} sweep_rbuf;

typedef struct sweep_whead {
    uint32_t type, count, want;
    int32_t code;
} sweep_whead;

void sweep_wire_bytes(sweep_wbuf *b, const void *v, size_t n);
void sweep_wire_head(sweep_wbuf *b, uint32_t type, uint32_t count, uint32_t want, int32_t code);
sweep_whead sweep_wire_read_head(sweep_rbuf *r);
/* A result: task, class, flags, the numbers regions.csv needs, the wall time, the row. */
void sweep_wire_result(sweep_wbuf *b, const sweep_result *x);
/* Fills x (x->line allocated, the caller's) and returns 0, or -1 with r->bad set. */
int sweep_wire_read_result(sweep_rbuf *r, sweep_result *x);
/* A job: task, x, y, level. */
void sweep_wire_job(sweep_wbuf *b, const sweep_job *j);
void sweep_wire_read_job(sweep_rbuf *r, sweep_job *j);

#endif
