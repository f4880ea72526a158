/* ps: egalitarian processor sharing on `cores` CPUs, by virtual time (L2).
 * With n jobs active each runs at rate min(1, cores/n). Virtual time V advances at that rate, a
 * job of work w started at virtual time V0 ends when V = V0 + w, so jobs sit in a heap by
 * finishing virtual time and every operation is O(log n), never O(n). Times in seconds. */
#ifndef AVALANCHE_PS_H
#define AVALANCHE_PS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ps_job {
    double vfinish;
    uint64_t seq; /* FIFO among equal finishing times */
    void *obj;
    uint64_t tag;
} ps_job;

typedef struct ps {
    int cores; /* >= 1 */
    double v;  /* virtual time at last_s */
    double last_s;
    double busy_s; /* integral of min(n, cores)/cores dt: utilisation */
    ps_job *heap;
    size_t n, cap;
    uint64_t seq;
} ps;

void ps_init(ps *p, int cores, double now);
void ps_destroy(ps *p);
/* Starts a job needing work_s seconds of one core. */
void ps_add(ps *p, double now, double work_s, void *obj, uint64_t tag);
/* Absolute time of the next completion, INFINITY when idle. */
double ps_next_s(const ps *p);
/* Removes the job with the smallest finishing virtual time (call at ps_next_s). */
ps_job ps_pop(ps *p, double now);
/* Drops every job. */
void ps_clear(ps *p, double now);
/* Brings v and busy_s up to now. */
void ps_advance(ps *p, double now);

#endif
