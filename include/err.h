/* err: one-line error messages for bad user input (L0).
 * Library code fills a caller-owned `err` and returns -1; only main picks exit codes. */
#ifndef AVALANCHE_ERR_H
#define AVALANCHE_ERR_H

#include <stdarg.h>

#define ERR_MAX 512

typedef struct err {
    char msg[ERR_MAX];
    int set; /* nonzero once a message is stored: the first error wins */
} err;

void err_clear(err *e);
/* Stores a printf-style message unless one is already stored; always returns -1. */
int err_set(err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int err_vset(err *e, const char *fmt, va_list ap);

/* Broken invariant: print file, line, simulated time and message, then abort. Always on. */
#define ensure(cond, now, ...)                                                                     \
    do {                                                                                           \
        if (!(cond))                                                                               \
            err_panic(__FILE__, __LINE__, (now), #cond, __VA_ARGS__);                              \
    } while (0)

_Noreturn void err_panic(const char *file, int line, double now, const char *cond, const char *fmt,
                         ...) __attribute__((format(printf, 5, 6)));

#endif
