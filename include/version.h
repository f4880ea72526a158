/* version: the avalanche version and the commit it was built from, for --version and for the
 * provenance every output directory records (L0). The Makefile compiles them in: the version
 * from VERSION, the commit from `git rev-parse --short HEAD` with "-dirty" when tracked files
 * differ from it, "unknown" outside a git checkout. */
#ifndef AVALANCHE_VERSION_H
#define AVALANCHE_VERSION_H

#include <stddef.h>
#include <stdio.h>

const char *version_string(void); /* "0.2.0" */
const char *version_commit(void); /* "5df96ab", "5df96ab-dirty" or "unknown" */

/* "avalanche 0.2.0 (commit 5df96ab)". Returns buf. */
const char *version_line(char *buf, size_t n);

/* provenance.csv: the header "program,version,commit" and one row. */
void version_csv(FILE *f);

#endif
