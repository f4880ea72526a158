/* tbucket: token bucket with uncancellable FIFO reservations (L2). */
#include "tbucket.h"

void tbucket_init(tbucket *b, double rate_per_s, double burst, double now)
{
    b->rate_per_s = rate_per_s;
    b->burst = burst;
    b->st.tokens = burst;
    b->st.last_s = now;
}

double tbucket_state_reserve(tbucket_state *st, double rate_per_s, double burst, double now)
{
    if (rate_per_s <= 0.0)
        return 0.0;
    if (now > st->last_s) {
        double t = st->tokens + (now - st->last_s) * rate_per_s;
        st->tokens = t < burst ? t : burst;
        st->last_s = now;
    }
    st->tokens -= 1.0;
    return st->tokens < 0.0 ? -st->tokens / rate_per_s : 0.0;
}

double tbucket_reserve(tbucket *b, double now)
{
    return tbucket_state_reserve(&b->st, b->rate_per_s, b->burst, now);
}

double tbucket_backlog(const tbucket *b, double now)
{
    if (b->rate_per_s <= 0.0)
        return 0.0;
    double t = b->st.tokens + (now > b->st.last_s ? (now - b->st.last_s) * b->rate_per_s : 0.0);
    return t < 0.0 ? -t : 0.0;
}
