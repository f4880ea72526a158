/* tbucket: token bucket with FIFO reservations that can not be cancelled (L2).
 * The semantics of golang.org/x/time/rate Limiter.ReserveN(now, 1), which client-go's
 * tokenBucketRateLimiter.Accept uses in 1.12 (util/flowcontrol/throttle.go): the bucket may go
 * negative, and each reservation waits until its token has accrued. Time in seconds. */
#ifndef AVALANCHE_TBUCKET_H
#define AVALANCHE_TBUCKET_H

/* The changing part of a bucket. Many buckets with one rate and burst (a limiter per node) keep
 * only this and pass the rate and burst to tbucket_state_reserve. */
typedef struct tbucket_state {
    double tokens; /* may be negative: that many tokens are already promised */
    double last_s; /* time of the last update */
} tbucket_state;

typedef struct tbucket {
    double rate_per_s; /* <= 0: unlimited (every wait is 0) */
    double burst;      /* capacity in tokens, >= 1 */
    tbucket_state st;
} tbucket;

/* A full bucket at time now. */
void tbucket_init(tbucket *b, double rate_per_s, double burst, double now);
/* Reserves the next token at now (non-decreasing across calls) and returns how long the caller
 * must wait for it, >= 0. The reservation holds even if the caller leaves. */
double tbucket_reserve(tbucket *b, double now);
/* tbucket_reserve on a bare state (a full one: st->tokens = burst, st->last_s = now). */
double tbucket_state_reserve(tbucket_state *st, double rate_per_s, double burst, double now);
/* Reservations made but not yet due at now (the FIFO queue length). */
double tbucket_backlog(const tbucket *b, double now);

#endif
