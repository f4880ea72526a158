/* csv: exact number fields and atomic files (L4). */
#include "csv.h"

#include "text.h"
#include "xmem.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void csv_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void csv_num(FILE *f, double v)
{
    if (isnan(v))
        return;
    if (v == 0.0) {
        fputc('0', f); /* -0 and 0 read back alike for our purposes */
        return;
    }
    char buf[40];
    text_shortest(buf, sizeof buf, v, 6);
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

int path_is_file(const char *dir, const char *name)
{
    char *path = path_join(dir, name);
    struct stat st;
    int ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return ok;
}

char *path_base(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    size_t start = n;
    while (start > 0 && path[start - 1] != '/')
        start--;
    char *s = xmalloc(n - start + 1);
    memcpy(s, path + start, n - start);
    s[n - start] = '\0';
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

int afile_write(const char *dir, const char *name, afile_writer fn, const void *ctx, err *e)
{
    char *path = path_join(dir, name);
    afile a;
    int rc = afile_open(&a, path, e);
    if (rc == 0) {
        fn(a.f, ctx);
        rc = afile_commit(&a, e);
    }
    free(path);
    return rc;
}

char *file_read(const char *path, size_t *len, err *e)
{
    FILE *probe = fopen(path, "rb"); /* to tell "cannot open" from a read error */
    if (!probe) {
        int saved = errno;
        if (e)
            err_set(e, "%s: cannot open: %s", path, strerror(saved));
        return NULL;
    }
    fclose(probe);
    char *buf = text_read_file(path, SIZE_MAX, len);
    if (!buf && e)
        err_set(e, "%s: read error", path);
    return buf;
}

int dir_make(const char *dir, err *e)
{
    char *d = xstrdup(dir);
    for (char *s = d + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(d, 0777) != 0 && errno != EEXIST) {
            int saved = errno;
            err_set(e, "--out %s: cannot create %s: %s", dir, d, strerror(saved));
            free(d);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(d, 0777);
    int saved = errno;
    free(d);
    struct stat st;
    if (rc != 0 && saved != EEXIST)
        return err_set(e, "--out %s: cannot create: %s", dir, strerror(saved));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(e, "--out %s: not a directory", dir);
    /* Find out now, not after the simulation, whether files can be written there. */
    char *probe = path_join(dir, ".avalanche-probe-XXXXXX");
    int fd = mkstemp(probe);
    saved = errno;
    if (fd >= 0) {
        close(fd);
        unlink(probe);
    }
    free(probe);
    if (fd < 0)
        return err_set(e, "--out %s: cannot write files there: %s", dir, strerror(saved));
    return 0;
}
