/* cli: the options the commands share, parsed one way for all of them (L4).
 * `--opt VALUE` and `--opt=VALUE` both work for every option that takes a value. */
#ifndef AVALANCHE_CLI_H
#define AVALANCHE_CLI_H

#include "err.h"

#include <stdio.h>

/* Options a command accepts besides CONFIG, --set and --quiet. */
enum {
    CLI_OUT = 1,      /* --out DIR */
    CLI_SEED = 2,     /* --seed N (kept as text; the command checks it) */
    CLI_JOBS = 4,     /* -j N, -jN, --jobs N: 1..1024 */
    CLI_RESUME = 8,   /* --resume */
    CLI_REP = 16,     /* --replication R (kept as text; the command checks it) */
    CLI_MULTI = 32,   /* several CONFIGs (configs[0..nconfigs)); config is the first */
    CLI_OVERLAY = 64, /* --overlay DIR, repeatable, each optionally followed by --label NAME */
};

typedef struct cli {
    const char *config;   /* NULL: none given */
    const char **configs; /* CLI_MULTI: every CONFIG given, in order */
    int nconfigs;
    const char *out, *seed, *replication;
    const char **sets; /* argc + 1 slots, so that a command can append one more */
    int nsets;
    int jobs; /* 0: not given */
    int resume, quiet;
    const char **overlays, **labels; /* CLI_OVERLAY: noverlays DIRs in order, and the --label
                                        given after each (NULL: none) */
    int noverlays;
} cli;

/* Parses argv[0..argc) into c (which cli_free releases, also after an error). Returns 0, or -1
 * with e naming the argument: a missing value, an option this command does not take, an
 * unknown option, a second CONFIG, a bad number of jobs, a --label without an --overlay before
 * it or a second one for the same --overlay. */
int cli_parse(int argc, char **argv, unsigned allowed, cli *c, err *e);
void cli_free(cli *c);

/* Nonzero when argv[0..argc) asks for help (--help or -h), which every command answers with its
 * usage on stdout and exit status 0, whatever else is on the line. */
int cli_help(int argc, char **argv);

/* Wall-clock seconds from an arbitrary origin (monotonic), for timings and progress. */
double cli_wall_s(void);

/* Progress of long work on stderr: on a terminal a bar redrawn in place (at most every 0.2 s),
 * otherwise a line every 5 s; --quiet silences it. Times are wall-clock seconds (cli_wall_s). */
typedef struct cli_progress {
    FILE *f;
    int tty, quiet;
    double t0, last; /* wall clock at the start and at the last line */
    double every_s;  /* seconds between lines */
    int drawn;       /* a bar is on the terminal's line */
    int printed;     /* updates written */
} cli_progress;

void cli_progress_init(cli_progress *pr, FILE *f, int tty, int quiet, double now);
/* Reports done of total (e.g. simulated seconds; unit "s") for `what` ("run"), with the rate and
 * the ETA from the rate so far; at most once per every_s unless final. */
void cli_progress_update(cli_progress *pr, const char *what, double done, double total,
                         const char *unit, double now, int final);
/* Ends a bar drawn on a terminal with a newline (nothing otherwise). A caller that printed
 * anything (pr->printed) reports the final state first with final = 1. */
void cli_progress_end(cli_progress *pr);

/* "m:ss" or "h:mm:ss"; "--:--" for a negative or infinite duration. */
void cli_fmt_duration(char *buf, size_t n, double s);

#endif
