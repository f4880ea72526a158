/* text: whole files into memory, shortest round-trip numbers (L0). */
#include "text.h"

#include "xmem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

char *text_read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (cap - n < 2)
            buf = xrealloc(buf, cap *= 2);
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0 || n > max)
            break;
    }
    int bad = ferror(f) || n > max;
    int saved = n > max ? EFBIG : errno;
    fclose(f);
    if (bad) {
        free(buf);
        errno = saved ? saved : EIO;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int text_shortest(char *buf, size_t n, double v, int min_prec)
{
    int prec = min_prec;
    for (; prec < 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return prec;
    }
    snprintf(buf, n, "%.*g", prec, v);
    return prec;
}
