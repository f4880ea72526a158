/* tbucket: token bucket with uncancellable FIFO reservations (L2). */
#include "tbucket.h"

void tbucket_init(tbucket *b, double rate_per_s, double burst, double now)
{
    b->rate_per_s = rate_per_s;
    b->burst = burst;
    b->tokens = burst;
    b->last_s = now;
}

static void advance(tbucket *b, double now)
{
    if (now > b->last_s) {
        double t = b->tokens + (now - b->last_s) * b->rate_per_s;
        b->tokens = t < b->burst ? t : b->burst;
        b->last_s = now;
    }
}

double tbucket_reserve(tbucket *b, double now)
{
    if (b->rate_per_s <= 0.0)
        return 0.0;
    advance(b, now);
    b->tokens -= 1.0;
    return b->tokens < 0.0 ? -b->tokens / b->rate_per_s : 0.0;
}

double tbucket_backlog(const tbucket *b, double now)
{
    if (b->rate_per_s <= 0.0)
        return 0.0;
    double t = b->tokens + (now > b->last_s ? (now - b->last_s) * b->rate_per_s : 0.0);
    return t < 0.0 ? -t : 0.0;
}
