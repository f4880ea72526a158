/* capacity: the largest value of one config key at which the control plane still recovers with a
 * target probability, found by bisection with sequential stopping (L4).
 *
 * At each probe, replications run in batches until the Clopper-Pearson interval of P(stable)
 * (at the given confidence) lies wholly above the target (the value is safe) or wholly below it
 * (unsafe), or a cap on runs is reached (undecided: the value counts as unsafe, the cautious
 * reading, and the result says so). The search assumes that P(stable) falls as the key grows
 * (`decreasing = 0`: it rises, e.g. a cache TTL; the answer is then the smallest safe value). It
 * checks that assumption: after the bracket closes, a probe half-way between the range's safe
 * end and the answer must be safe too; an unsafe verdict there (or any safe probe beyond an
 * unsafe one) is a contradiction, reported, and the search widens to the bracket between them
 * and starts again, so that the answer is the edge of the safe region at the safe end. */
#ifndef AVALANCHE_CAPACITY_H
#define AVALANCHE_CAPACITY_H

#include "err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct capacity_spec {
    double from, to;   /* the searched range; from is expected safe, to unsafe */
    int is_int;        /* integer key: probes at integers, the bracket at least 1 wide */
    double tol;        /* stops when the bracket is this narrow (relative to |to - from|) */
    int decreasing;    /* 1: larger values are worse (cluster.nodes); 0: smaller are worse */
    double target;     /* P(stable) required, in (0, 1) */
    double confidence; /* of the Clopper-Pearson interval, e.g. 0.95 */
    int batch;         /* replications per round at a probe */
    int max_runs;      /* per probe; reached: undecided */
    int max_probes;    /* in all */
} capacity_spec;

/* Runs replication rep at value v; returns 1 if the run recovered (stable), 0 if not, -1 on an
 * error (the search stops). Called from several threads at once with distinct (v, rep). */
typedef int (*capacity_probe_fn)(void *ctx, double v, uint64_t rep);

enum capacity_verdict {
    CAPACITY_UNSAFE = -1,
    CAPACITY_UNDECIDED = 0,
    CAPACITY_SAFE = 1
};

typedef struct capacity_probe {
    double v;
    unsigned n, k; /* runs, stable runs */
    double p, lo, hi;
    int verdict; /* enum capacity_verdict */
} capacity_probe;

#define CAPACITY_PROBES_MAX 64

typedef struct capacity_result {
    double answer;           /* largest (decreasing) or smallest safe value; NAN: none safe */
    double safe_v, unsafe_v; /* the bracket: the answer's probe and its unsafe neighbour (NAN) */
    int below_range;         /* even `from` is unsafe */
    int above_range;         /* even `to` is safe: the answer is at least `to` (at most, when
                              * decreasing = 0) */
    int contradictions;      /* probes that broke monotonicity */
    unsigned runs;           /* replications in all */
    capacity_probe probes[CAPACITY_PROBES_MAX];
    int nprobes; /* in the order they were made */
    char note[256];
} capacity_result;

/* The search, with jobs threads running a probe's batch. Returns 0, or -1 with e set (a bad
 * spec, or the probe failed). */
int capacity_search(const capacity_spec *s, capacity_probe_fn fn, void *ctx, int jobs,
                    capacity_result *r, err *e);

/* The command: `avalanche capacity CONFIG... [--set KEY=VALUE]... [-j N] [--out DIR]
 * [--quiet]`, argv holding the arguments after "capacity". Returns the exit status: 0 ok,
 * 1 runtime failure, 2 usage or config error. */
int capacity_command(int argc, char **argv);

#endif
