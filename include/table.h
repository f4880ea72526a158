/* table: a small reader for the CSV files avalanche writes (L4): a header row, comma-separated
 * fields, no quoting, empty field = missing. Used by the plots and by the sweep's resume. */
#ifndef AVALANCHE_TABLE_H
#define AVALANCHE_TABLE_H

#include "err.h"

#include <stddef.h>

typedef struct table table;

/* Reads the whole file. Blank lines are skipped; "\r\n" line ends are accepted. Every row must
 * have as many fields as the header, else `path:line: expected N fields (got M)`. Returns NULL
 * and fills e on error. The caller owns the table (table_free). */
table *table_read(const char *path, err *e);
void table_free(table *t); /* NULL is a no-op */

size_t table_rows(const table *t);
int table_cols(const table *t);
/* Index of the column named `name`, or -1 when absent (the first one if repeated). */
int table_col(const table *t, const char *name);
const char *table_col_name(const table *t, int col);
/* The field parsed with strtod; NAN when empty, non-numeric, or col out of range (col = -1
 * from table_col of an absent column gives NAN, so optional columns need no special case). */
double table_num(const table *t, size_t row, int col);
/* The field as text ("" when empty or out of range); owned by the table. */
const char *table_str(const table *t, size_t row, int col);

#endif
