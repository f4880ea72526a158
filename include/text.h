/* text: whole files into memory and numbers as the shortest text that reads back (L0). The one
 * place for both: the config loader, the CSV writer, the result-file reader, the chart's SVG pass,
 * OpenMetrics and `avalanche keys` use these. */
#ifndef AVALANCHE_TEXT_H
#define AVALANCHE_TEXT_H

#include <stddef.h>

/* The whole file as a new NUL-terminated string (its size in *len). NULL with errno set when it
 * can not be opened or read, or (EFBIG) when it is larger than max bytes. */
char *text_read_file(const char *path, size_t max, size_t *len);

/* "%.Pg" of v with the smallest P >= min_prec (at most 17) that reads back to v exactly, into
 * buf (n bytes); returns P (17 when none does, as for NaN). */
int text_shortest(char *buf, size_t n, double v, int min_prec);

#endif
