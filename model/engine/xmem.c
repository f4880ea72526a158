/* xmem: allocation that aborts on out-of-memory (L0). */
#include "xmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p, size_t n)
{
    if (!p && n) {
        fprintf(stderr, "avalanche: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

void *xmalloc(size_t n)
{
    return check(malloc(n), n);
}

void *xcalloc(size_t count, size_t size)
{
    return check(calloc(count, size), count * size);
}

void *xrealloc(void *p, size_t n)
{
    return check(realloc(p, n), n);
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}
