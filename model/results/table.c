/* table: CSV reader for result files (L4). The file is read into one buffer and split in place;
 * numbers are parsed once at load so table_num is a lookup. */
#include "table.h"

#include "csv.h"

#include "xmem.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct table {
    char *buf;     /* the file, with separators replaced by '\0' */
    int ncol;      /* fields per row, from the header */
    char **names;  /* ncol column names (into buf) */
    size_t nrow;   /* data rows */
    char **fields; /* nrow * ncol field texts (into buf) */
    double *nums;  /* nrow * ncol parsed values, NAN when not a number */
};

/* Splits `line` at commas in place; stores up to `max` field pointers; returns the count. */
static int split(char *line, char **out, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n < max)
            out[n] = p;
        n++;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

static double parse_num(const char *s)
{
    if (*s == '\0')
        return NAN;
    char *end;
    double v = strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    return (end == s || *end != '\0') ? NAN : v;
}

table *table_read(const char *path, err *e)
{
    size_t len;
    char *buf = file_read(path, &len, e);
    if (!buf)
        return NULL;
    table *t = xcalloc(1, sizeof *t);
    t->buf = buf;
    size_t cap = 0;
    char *p = buf;
    long lineno = 0;
    while (p < buf + len) {
        char *nl = strchr(p, '\n');
        char *next = nl ? nl + 1 : buf + len;
        if (nl)
            *nl = '\0';
        lineno++;
        size_t l = strlen(p);
        if (l > 0 && p[l - 1] == '\r')
            p[--l] = '\0';
        if (l == 0) {
            p = next;
            continue;
        }
        if (!t->names) {
            int n = 1;
            for (const char *c = p; *c; c++)
                n += *c == ',';
            t->names = xmalloc((size_t)n * sizeof *t->names);
            t->ncol = split(p, t->names, n);
        } else {
            if (t->nrow == cap) {
                cap = cap ? 2 * cap : 256;
                t->fields = xrealloc(t->fields, cap * (size_t)t->ncol * sizeof *t->fields);
            }
            char **row = t->fields + t->nrow * (size_t)t->ncol;
            int n = split(p, row, t->ncol);
            if (n != t->ncol) {
                err_set(e, "%s:%ld: expected %d fields (got %d)", path, lineno, t->ncol, n);
                table_free(t);
                return NULL;
            }
            t->nrow++;
        }
        p = next;
    }
    if (!t->names) {
        err_set(e, "%s: empty file (no header row)", path);
        table_free(t);
        return NULL;
    }
    size_t cells = t->nrow * (size_t)t->ncol;
    t->nums = xmalloc((cells ? cells : 1) * sizeof *t->nums);
    for (size_t i = 0; i < cells; i++)
        t->nums[i] = parse_num(t->fields[i]);
    return t;
}

void table_free(table *t)
{
    if (!t)
        return;
    free(t->buf);
    free(t->names);
    free(t->fields);
    free(t->nums);
    free(t);
}

size_t table_rows(const table *t)
{
    return t->nrow;
}

int table_cols(const table *t)
{
    return t->ncol;
}

int table_col(const table *t, const char *name)
{
    for (int c = 0; c < t->ncol; c++)
        if (strcmp(t->names[c], name) == 0)
            return c;
    return -1;
}

const char *table_col_name(const table *t, int col)
{
    return (col >= 0 && col < t->ncol) ? t->names[col] : "";
}

double table_num(const table *t, size_t row, int col)
{
    if (col < 0 || col >= t->ncol || row >= t->nrow)
        return NAN;
    return t->nums[row * (size_t)t->ncol + (size_t)col];
}

const char *table_str(const table *t, size_t row, int col)
{
    if (col < 0 || col >= t->ncol || row >= t->nrow)
        return "";
    return t->fields[row * (size_t)t->ncol + (size_t)col];
}
