/* version: the version and commit compiled in by the Makefile ($(BUILD)/gen/build_info.h) (L0). */
#include "version.h"

#include "build_info.h"

const char *version_string(void)
{
    return AVALANCHE_VERSION;
}

const char *version_commit(void)
{
    return AVALANCHE_COMMIT;
}

const char *version_line(char *buf, size_t n)
{
    snprintf(buf, n, "avalanche %s (commit %s)", version_string(), version_commit());
    return buf;
}

void version_csv(FILE *f)
{
    fprintf(f, "program,version,commit\navalanche,%s,%s\n", version_string(), version_commit());
}
