/* csv: exact number fields and atomic files (L4). */
#include "csv.h"

#include "xmem.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void csv_num(FILE *f, double v)
{
    if (isnan(v))
        return;
    if (v == 0.0) {
        fputc('0', f); /* -0 and 0 read back alike for our purposes */
        return;
    }
    char buf[40];
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, f);
}

char *path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *s = xmalloc(a + b + 2);
    memcpy(s, dir, a);
    size_t k = a;
    if (a > 0 && dir[a - 1] != '/')
        s[k++] = '/';
    memcpy(s + k, name, b + 1);
    return s;
}

int afile_open(afile *a, const char *path, err *e)
{
    memset(a, 0, sizeof *a);
    a->path = xstrdup(path);
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
    a->tmp = xmalloc(strlen(path) + 16);
    memcpy(a->tmp, path, dirlen);
    sprintf(a->tmp + dirlen, ".%s.tmp", path + dirlen);
    a->f = fopen(a->tmp, "w");
    if (!a->f) {
        int saved = errno;
        err_set(e, "%s: cannot write: %s", path, strerror(saved));
        free(a->path);
        free(a->tmp);
        memset(a, 0, sizeof *a);
        return -1;
    }
    return 0;
}

/* stdio drops the errno of a failed buffered write (and its buffer): one more byte at the end of
 * the temporary, which is removed next, shows the cause (ENOSPC, EFBIG, EDQUOT...). */
static int write_errno(FILE *f)
{
    int fd = fileno(f);
    off_t end = lseek(fd, 0, SEEK_END);
    if (end >= 0 && pwrite(fd, "", 1, end) < 0)
        return errno;
    return EIO;
}

int afile_commit(afile *a, err *e)
{
    if (!a->f)
        return err_set(e, "%s: not open", a->path ? a->path : "?");
    int saved = ferror(a->f) ? write_errno(a->f) : 0;
    if (fflush(a->f) != 0 && !saved)
        saved = errno;
    if (fclose(a->f) != 0 && !saved)
        saved = errno;
    a->f = NULL;
    if (saved) {
        err_set(e, "%s: write failed: %s", a->path, strerror(saved));
        afile_abort(a);
        return -1;
    }
    if (rename(a->tmp, a->path) != 0) {
        saved = errno;
        err_set(e, "%s: cannot rename into place: %s", a->path, strerror(saved));
        afile_abort(a);
        return -1;
    }
    free(a->path);
    free(a->tmp);
    memset(a, 0, sizeof *a);
    return 0;
}

void afile_abort(afile *a)
{
    if (a->f)
        fclose(a->f);
    if (a->tmp)
        unlink(a->tmp);
    free(a->path);
    free(a->tmp);
    memset(a, 0, sizeof *a);
}
