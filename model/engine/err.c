/* err: first-error-wins message buffer and the always-on invariant check (L0). */
#include "err.h"

#include <stdio.h>
#include <stdlib.h>

void err_clear(err *e)
{
    e->msg[0] = '\0';
    e->set = 0;
}

int err_vset(err *e, const char *fmt, va_list ap)
{
    if (e && !e->set) {
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        e->set = 1;
    }
    return -1;
}

int err_set(err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, fmt, ap);
    va_end(ap);
    return -1;
}

void err_panic(const char *file, int line, double now, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "avalanche: internal error at %s:%d (t=%.9g s): %s: ", file, line, now, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
