/* cli: the shared option parser of run, check and sweep (L4). */
#include "cli.h"

#include "xmem.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct option {
    const char *name, *alias; /* alias: a short form, or NULL */
    unsigned flag;            /* 0: every command takes it */
    int has_value;
} option;

enum {
    O_SET,
    O_OUT,
    O_SEED,
    O_JOBS,
    O_RESUME,
    O_QUIET,
    O_REP,
    O_OVERLAY,
    O_LABEL,
    O_COUNT
};

static const option options[O_COUNT] = {
    [O_SET] = {"--set", NULL, 0, 1},
    [O_OUT] = {"--out", NULL, CLI_OUT, 1},
    [O_SEED] = {"--seed", NULL, CLI_SEED, 1},
    [O_JOBS] = {"--jobs", "-j", CLI_JOBS, 1},
    [O_RESUME] = {"--resume", NULL, CLI_RESUME, 0},
    [O_QUIET] = {"--quiet", "-q", 0, 0},
    [O_REP] = {"--replication", NULL, CLI_REP, 1},
    [O_OVERLAY] = {"--overlay", NULL, CLI_OVERLAY, 1},
    [O_LABEL] = {"--label", NULL, CLI_OVERLAY, 1},
};

/* Which option a is, and its inline value if any (--opt=V, or -jN for -j). -1: none. */
static int lookup(const char *a, const char **inline_value)
{
    *inline_value = NULL;
    for (int k = 0; k < O_COUNT; k++) {
        const option *o = &options[k];
        size_t n = strlen(o->name);
        if (strcmp(a, o->name) == 0 || (o->alias && strcmp(a, o->alias) == 0))
            return k;
        if (o->has_value && strncmp(a, o->name, n) == 0 && a[n] == '=') {
            *inline_value = a + n + 1;
            return k;
        }
        if (o->has_value && o->alias && strncmp(a, o->alias, strlen(o->alias)) == 0 &&
            a[strlen(o->alias)] != '\0' && o->alias[1] != '-') {
            *inline_value = a + strlen(o->alias);
            return k;
        }
    }
    return -1;
}

static int parse_jobs(const char *a, const char *v, int *jobs, err *e)
{
    char *end;
    errno = 0;
    long j = strtol(v, &end, 10);
    if (errno || *end || end == v || j < 1 || j > 1024)
        return err_set(e, "%s %s: expected a number of threads 1..1024 (got '%s')", a, v, v);
    *jobs = (int)j;
    return 0;
}

int cli_parse(int argc, char **argv, unsigned allowed, cli *c, err *e)
{
    memset(c, 0, sizeof *c);
    c->sets = xcalloc((size_t)argc + 1, sizeof *c->sets);
    c->configs = xcalloc((size_t)argc + 1, sizeof *c->configs);
    c->overlays = xcalloc((size_t)argc + 1, sizeof *c->overlays);
    c->labels = xcalloc((size_t)argc + 1, sizeof *c->labels);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v;
        int k = lookup(a, &v);
        if (k < 0) {
            if (a[0] == '-' && a[1] != '\0')
                return err_set(e, "%s: unknown option (see avalanche --help)", a);
            if (c->config && !(allowed & CLI_MULTI))
                return err_set(e, "%s: unexpected argument (one CONFIG at most)", a);
            if (!c->config)
                c->config = a;
            c->configs[c->nconfigs++] = a;
            continue;
        }
        const option *o = &options[k];
        if (o->flag && !(allowed & o->flag))
            return err_set(e, "%s: not an option of this command", o->name);
        if (o->has_value && !v) {
            if (i + 1 >= argc)
                return err_set(e, "%s: missing value", a);
            v = argv[++i];
        }
        switch (k) {
        case O_SET:
            c->sets[c->nsets++] = v;
            break;
        case O_OUT:
            c->out = v;
            break;
        case O_SEED:
            c->seed = v;
            break;
        case O_JOBS:
            if (parse_jobs(a[1] == 'j' ? "-j" : o->name, v, &c->jobs, e) < 0)
                return -1;
            break;
        case O_RESUME:
            c->resume = 1;
            break;
        case O_REP:
            c->replication = v;
            break;
        case O_OVERLAY:
            c->overlays[c->noverlays++] = v;
            break;
        case O_LABEL:
            if (c->noverlays == 0)
                return err_set(e, "--label %s: no --overlay before it", v);
            if (c->labels[c->noverlays - 1])
                return err_set(e, "--label %s: a second label for --overlay %s", v,
                               c->overlays[c->noverlays - 1]);
            c->labels[c->noverlays - 1] = v;
            break;
        default:
            c->quiet = 1;
            break;
        }
    }
    return 0;
}

void cli_free(cli *c)
{
    free(c->sets);
    free(c->configs);
    free(c->overlays);
    free(c->labels);
    c->sets = NULL;
    c->configs = NULL;
    c->overlays = NULL;
    c->labels = NULL;
}

int cli_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

double cli_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_fmt_duration(char *buf, size_t n, double s)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, n, "--:--");
    else if (s >= 3600)
        snprintf(buf, n, "%d:%02d:%02d", (int)(s / 3600), (int)fmod(s / 60, 60), (int)fmod(s, 60));
    else
        snprintf(buf, n, "%d:%02d", (int)(s / 60), (int)fmod(s, 60));
}

void cli_progress_init(cli_progress *pr, FILE *f, int tty, int quiet, double now)
{
    memset(pr, 0, sizeof *pr);
    pr->f = f;
    pr->tty = tty;
    pr->quiet = quiet;
    pr->t0 = pr->last = now;
    pr->every_s = tty ? 0.2 : 5.0;
}

void cli_progress_update(cli_progress *pr, const char *what, double done, double total,
                         const char *unit, double now, int final)
{
    if (pr->quiet || (!final && now - pr->last < pr->every_s))
        return;
    pr->last = now;
    double el = now - pr->t0, rate = el > 0 ? done / el : 0;
    char eta[32];
    cli_fmt_duration(eta, sizeof eta, rate > 0 ? (total - done) / rate : NAN);
    if (pr->tty) {
        char bar[31];
        size_t fill = total > 0 ? (size_t)(fmin(done / total, 1.0) * 30) : 30;
        for (size_t i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(pr->f, "\r\033[K%s [%s] %.0f/%.0f %s  %.3g %s/s  ETA %s", what, bar, done, total,
                unit, rate, unit, eta);
        pr->drawn = 1;
    } else {
        fprintf(pr->f, "%s: %.0f/%.0f %s, %.3g %s/s, ETA %s\n", what, done, total, unit, rate, unit,
                eta);
    }
    pr->printed++;
    fflush(pr->f);
}

void cli_progress_end(cli_progress *pr)
{
    if (pr->drawn && !pr->quiet) {
        fputc('\n', pr->f);
        fflush(pr->f);
    }
    pr->drawn = 0;
}
