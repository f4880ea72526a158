/* csv: CSV fields that read back exactly, and files that appear whole or not at all (L4).
 * A file is written to DIR/.NAME.tmp and renamed into place on success, so an interrupted or
 * failed write never leaves a partial file under the final name. */
#ifndef AVALANCHE_CSV_H
#define AVALANCHE_CSV_H

#include "err.h"

#include <stdio.h>

/* Writes v with the fewest digits that read back to the same double; NAN gives an empty field. */
void csv_num(FILE *f, double v);

/* Writes s as one field, quoted (with doubled quotes) when it holds a comma, a quote or a line
 * break (RFC 4180). */
void csv_str(FILE *f, const char *s);

typedef struct afile {
    FILE *f;
    char *path, *tmp;
} afile;

/* Opens a temporary file beside path. Returns 0, or -1 with e set. */
int afile_open(afile *a, const char *path, err *e);
/* Flushes, checks every write, renames into place. On any error removes the temporary and
 * returns -1 with e naming the file (a full disk says so). */
int afile_commit(afile *a, err *e);
/* Abandons the file: removes the temporary. Safe after commit or on a zeroed afile. */
void afile_abort(afile *a);

/* Writes dir/name atomically (afile_open, fn writes the body, afile_commit). Returns 0, or -1
 * with e set. */
typedef void (*afile_writer)(FILE *f, const void *ctx);
int afile_write(const char *dir, const char *name, afile_writer fn, const void *ctx, err *e);

/* Joins dir and name into a new string. */
char *path_join(const char *dir, const char *name);
/* Nonzero when dir/name exists and is a regular file. */
int path_is_file(const char *dir, const char *name);
/* The last component of path, without trailing slashes ("results/a/": "a"), as a new string. */
char *path_base(const char *path);

/* The whole file as a new NUL-terminated string; *len its size. NULL with e set ("PATH: cannot
 * open: ..." or "PATH: read error") when it can not be read; e may be NULL. */
char *file_read(const char *path, size_t *len, err *e);

/* Makes dir and its parents (mkdir -p) and checks that files can be created in it. Errors name
 * it as `--out DIR`. Returns 0, or -1 with e set. */
int dir_make(const char *dir, err *e);

#endif
