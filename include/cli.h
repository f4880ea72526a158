/* cli: the options the commands share, parsed one way for all of them (L4).
 * `--opt VALUE` and `--opt=VALUE` both work for every option that takes a value. */
#ifndef AVALANCHE_CLI_H
#define AVALANCHE_CLI_H

#include "err.h"

/* Options a command accepts besides CONFIG, --set and --quiet. */
enum {
    CLI_OUT = 1,    /* --out DIR */
    CLI_SEED = 2,   /* --seed N (kept as text; the command checks it) */
    CLI_JOBS = 4,   /* -j N, -jN, --jobs N: 1..1024 */
    CLI_RESUME = 8, /* --resume */
    CLI_REP = 16,   /* --replication R (kept as text; the command checks it) */
};

typedef struct cli {
    const char *config; /* NULL: none given */
    const char *out, *seed, *replication;
    const char **sets; /* argc + 1 slots, so that a command can append one more */
    int nsets;
    int jobs; /* 0: not given */
    int resume, quiet;
} cli;

/* Parses argv[0..argc) into c (which cli_free releases, also after an error). Returns 0, or -1
 * with e naming the argument: a missing value, an option this command does not take, an
 * unknown option, a second CONFIG, a bad number of jobs. */
int cli_parse(int argc, char **argv, unsigned allowed, cli *c, err *e);
void cli_free(cli *c);

/* Nonzero when argv[0..argc) asks for help (--help or -h), which every command answers with its
 * usage on stdout and exit status 0, whatever else is on the line. */
int cli_help(int argc, char **argv);

/* Wall-clock seconds from an arbitrary origin (monotonic), for timings and progress. */
double cli_wall_s(void);

#endif
