/* xmem: allocation that aborts on out-of-memory (L0). Callers never check for NULL. */
#ifndef AVALANCHE_XMEM_H
#define AVALANCHE_XMEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
