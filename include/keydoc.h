/* keydoc: the key reference, generated from the key table (keys.h): the listing of
 * `avalanche keys`, the key sections of the man page avalanche.cfg(5), and the bare names for
 * shell completion (L4). */
#ifndef AVALANCHE_KEYDOC_H
#define AVALANCHE_KEYDOC_H

#include <stdio.h>

enum keydoc_format {
    KEYDOC_TEXT,  /* per key: "NAME: TYPE (UNIT), default D, RANGE; mid-run: ..." and its meaning */
    KEYDOC_NAMES, /* one dotted name a line */
    KEYDOC_MAN    /* roff (man(7) macros): one .SS per group, one .TP per key */
};

/* Does key name match pattern? A pattern with *, ? or [ is a glob on the whole name (fnmatch),
 * any other a substring; both ignore ASCII case. NULL or "" matches every key. */
int keydoc_match(const char *pattern, const char *name);

/* Writes every key that matches pattern, in table order; list members ("interventions[].at")
 * with their list. Returns the number of keys written (0: none matched), or -1 on an I/O error
 * (ferror(f)). */
int keydoc_print(FILE *f, const char *pattern, enum keydoc_format fmt);

/* Text of a key's type, default and range: "number (s), default 1800, > 0". Returns buf. */
const char *keydoc_summary(const char *name, char *buf, size_t n);

#endif
