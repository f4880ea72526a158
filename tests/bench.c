/* bench: engine and model throughput (issue 6); not a cmocka test, run by `make bench`.
 * Prints a table and writes it as CSV to argv[1]. Every ratio is against a baseline measured in
 * the same invocation; every figure is a median over repeated runs. */
#include "cli.h"
#include "config.h"
#include "model.h"
#include "sim.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AVALANCHE_BIN
#define AVALANCHE_BIN "build/avalanche"
#endif

#define INCIDENT "configs/k8s-1.12-incident.cfg"
#define STABILITY "configs/stability.cfg"

/* The hold model is timed in CPU seconds: the machine is shared, and time-slicing with other
 * jobs would otherwise swamp the difference between two heaps. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double median(double *v, int n)
{
    gsl_sort(v, 1, (size_t)n);
    return gsl_stats_median_from_sorted_data(v, 1, (size_t)n);
}

/* ---- The table: printed as it fills, written as CSV at the end. ---- */

typedef struct row {
    char section[32], item[48], unit[24], note[96];
    double value;
} row;

static row rows[96];
static int nrows;

static void put(const char *section, const char *item, double value, const char *unit,
                const char *note)
{
    if (nrows == (int)(sizeof rows / sizeof rows[0]))
        return;
    row *r = &rows[nrows++];
    snprintf(r->section, sizeof r->section, "%s", section);
    snprintf(r->item, sizeof r->item, "%s", item);
    snprintf(r->unit, sizeof r->unit, "%s", unit);
    snprintf(r->note, sizeof r->note, "%s", note);
    r->value = value;
    if (isnan(value))
        printf("%-16s %-34s %14s %-14s %s\n", section, item, "n/a", unit, note);
    else
        printf("%-16s %-34s %14.4g %-14s %s\n", section, item, value, unit, note);
    fflush(stdout);
}

static int write_csv(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "section,item,value,unit,note\n");
    for (int i = 0; i < nrows; i++) {
        if (isnan(rows[i].value))
            fprintf(f, "%s,\"%s\",NA,%s,\"%s\"\n", rows[i].section, rows[i].item, rows[i].unit,
                    rows[i].note);
        else
            fprintf(f, "%s,\"%s\",%.6g,%s,\"%s\"\n", rows[i].section, rows[i].item, rows[i].value,
                    rows[i].unit, rows[i].note);
    }
    return fclose(f);
}

/* ---- Baseline: a textbook binary min-heap of (time, seq) keys with the payload inline. ---- */

typedef struct bh_entry {
    double t;
    uint64_t seq;
    sim_fn fn;
    void *obj;
    uint64_t arg;
} bh_entry;

typedef struct bheap {
    bh_entry *a;
    size_t n, cap;
    uint64_t seq;
    double now;
} bheap;

static int bh_less(const bh_entry *x, const bh_entry *y)
{
    return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static void bh_swap(bh_entry *x, bh_entry *y)
{
    bh_entry tmp = *x;
    *x = *y;
    *y = tmp;
}

static void bh_push(bheap *h, double t, sim_fn fn, void *obj, uint64_t arg)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 1024;
        h->a = realloc(h->a, h->cap * sizeof *h->a);
        if (!h->a)
            abort();
    }
    size_t i = h->n++;
    h->a[i] = (bh_entry){t, h->seq++, fn, obj, arg};
    while (i > 0 && bh_less(&h->a[i], &h->a[(i - 1) / 2])) {
        bh_swap(&h->a[i], &h->a[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static bh_entry bh_pop(bheap *h)
{
    bh_entry top = h->a[0];
    h->a[0] = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && bh_less(&h->a[l], &h->a[m]))
            m = l;
        if (r < h->n && bh_less(&h->a[r], &h->a[m]))
            m = r;
        if (m == i)
            break;
        bh_swap(&h->a[i], &h->a[m]);
        i = m;
    }
    return top;
}

/* ---- Self-check: both queues pop a random workload (ties, cancels) in the same order. ---- */

typedef struct trace {
    uint64_t *id;
    double *t;
    size_t n;
} trace;

static void trace_fn(sim *s, void *obj, uint64_t arg)
{
    trace *tr = obj;
    tr->id[tr->n] = arg;
    tr->t[tr->n++] = sim_now(s);
}

static int self_check(void)
{
    enum {
        OPS = 400000,
        MAXID = OPS
    };
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    sim *s = sim_new();
    bheap h = {0};
    trace tr = {malloc(MAXID * sizeof(uint64_t)), malloc(MAXID * sizeof(double)), 0};
    sim_handle *hd = malloc(MAXID * sizeof *hd);
    unsigned char *dead = calloc(MAXID, 1);
    uint64_t next_id = 0, bad = 0;
    size_t live = 0;
    for (int op = 0; op < OPS && next_id < MAXID; op++) {
        double u = gsl_rng_uniform(r);
        /* Grow to ~20k pending, then churn; times on a coarse grid so ties are common. */
        if (u < 0.55 || live < 16) {
            double t = sim_now(s) + floor(gsl_rng_uniform(r) * 64.0) * 0.25;
            if (gsl_rng_uniform(r) < 0.02)
                t = sim_now(s);
            uint64_t id = next_id++;
            hd[id] = sim_at(s, t, trace_fn, &tr, id);
            bh_push(&h, t, NULL, NULL, id);
            live++;
        } else if (u < 0.62 && next_id > 0) {
            uint64_t id = gsl_rng_uniform_int(r, next_id);
            int was = sim_cancel(s, hd[id]);
            int again = sim_cancel(s, hd[id]);
            if (again != 0)
                bad++;
            if (was) {
                dead[id] = 1;
                live--;
            }
        } else {
            /* Pop one live event from each. */
            bh_entry e;
            do {
                e = bh_pop(&h);
            } while (dead[e.arg]);
            size_t before_n = tr.n;
            sim_run(s, e.t);
            /* sim_run(t) runs every event at time <= t; drain the baseline alike. */
            size_t k = before_n;
            if (tr.n == before_n || tr.id[k] != e.arg || tr.t[k] != e.t)
                bad++;
            for (k = before_n + 1; k < tr.n; k++) {
                do {
                    e = bh_pop(&h);
                } while (dead[e.arg]);
                if (tr.id[k] != e.arg || tr.t[k] != e.t)
                    bad++;
            }
            live -= tr.n - before_n;
            for (k = before_n; k < tr.n; k++)
                dead[tr.id[k]] = 1;
            if (sim_cancel(s, hd[tr.id[tr.n - 1]]) != 0)
                bad++;
        }
        if (sim_pending(s) != live)
            bad++;
    }
    size_t before_n = tr.n;
    sim_run(s, INFINITY);
    for (size_t k = before_n; k < tr.n; k++) {
        bh_entry e;
        do {
            e = bh_pop(&h);
        } while (dead[e.arg]);
        if (tr.id[k] != e.arg || tr.t[k] != e.t)
            bad++;
    }
    if (sim_pending(s) != 0)
        bad++;
    sim_free(s);
    free(h.a);
    free(tr.id);
    free(tr.t);
    free(hd);
    free(dead);
    gsl_rng_free(r);
    printf("self-check: %llu ops compared, %s\n", (unsigned long long)next_id,
           bad ? "MISMATCH" : "pop order identical");
    return bad ? -1 : 0;
}

/* ---- Hold model: pop the minimum, schedule one at now + Exp(1). ---- */

typedef struct hold {
    gsl_rng *r;
    uint64_t left;
    bheap *h; /* baseline only */
} hold;

static void hold_sim_fn(sim *s, void *obj, uint64_t arg)
{
    hold *hm = obj;
    if (--hm->left == 0) {
        sim_stop(s);
        return;
    }
    sim_after(s, gsl_ran_exponential(hm->r, 1.0), hold_sim_fn, hm, arg);
}

static void hold_bh_fn(sim *s, void *obj, uint64_t arg)
{
    (void)s;
    hold *hm = obj;
    --hm->left;
    bh_push(hm->h, hm->h->now + gsl_ran_exponential(hm->r, 1.0), hold_bh_fn, hm, arg);
}

/* Returns events/s of `events` hold operations with `pending` events queued (setup untimed). */
static double hold_sim(size_t pending, uint64_t events, unsigned long seed)
{
    hold hm = {gsl_rng_alloc(gsl_rng_mt19937), events, NULL};
    gsl_rng_set(hm.r, seed);
    sim *s = sim_new();
    for (size_t i = 0; i < pending; i++)
        sim_at(s, gsl_ran_exponential(hm.r, 1.0), hold_sim_fn, &hm, i);
    double t0 = cpu_s();
    uint64_t ran = sim_run(s, INFINITY);
    double dt = cpu_s() - t0;
    if (ran != events || sim_pending(s) != pending - 1)
        fprintf(stderr, "bench: hold model ran %llu events, expected %llu\n",
                (unsigned long long)ran, (unsigned long long)events);
    sim_free(s);
    gsl_rng_free(hm.r);
    return (double)events / dt;
}

static double hold_bh(size_t pending, uint64_t events, unsigned long seed)
{
    bheap h = {0};
    hold hm = {gsl_rng_alloc(gsl_rng_mt19937), events, &h};
    gsl_rng_set(hm.r, seed);
    for (size_t i = 0; i < pending; i++)
        bh_push(&h, gsl_ran_exponential(hm.r, 1.0), hold_bh_fn, &hm, i);
    double t0 = cpu_s();
    while (hm.left > 0) {
        bh_entry e = bh_pop(&h);
        h.now = e.t;
        e.fn(NULL, e.obj, e.arg);
    }
    double dt = cpu_s() - t0;
    free(h.a);
    gsl_rng_free(hm.r);
    return (double)events / dt;
}

static void bench_hold(size_t pending, uint64_t events, const char *section)
{
    enum {
        RUNS = 5
    };
    double a[RUNS], b[RUNS];
    /* Interleaved, so drift in machine load hits both alike. */
    for (int i = 0; i < RUNS; i++) {
        a[i] = hold_sim(pending, events, 100 + (unsigned long)i);
        b[i] = hold_bh(pending, events, 100 + (unsigned long)i);
    }
    char note[96];
    snprintf(note, sizeof note, "median of %d, %.3g events/run, CPU time", RUNS, (double)events);
    double ma = median(a, RUNS), mb = median(b, RUNS);
    put(section, "avalanche engine", ma, "events/s", note);
    put(section, "binary heap baseline", mb, "events/s", note);
    put(section, "ratio engine/baseline", ma / mb, "x", "target >= 1.5 at 1e5, >= 1.2 at 1e3");
}

/* ---- The 1.12 incident config, in process. ---- */

static int load_incident(params *p, int nodes)
{
    err e;
    if (config_load(p, INCIDENT, NULL, 0, &e) != 0) {
        fprintf(stderr, "bench: %s\n", e.msg);
        return -1;
    }
    if (nodes >= 0 && config_set_number(p, "cluster.nodes", nodes, "bench", &e) != 0) {
        fprintf(stderr, "bench: %s\n", e.msg);
        return -1;
    }
    /* the same work at every measurement: the run to sim.duration, as before the horizon */
    p->sim.max_duration_s = p->sim.duration_s;
    return 0;
}

static void bench_incident(void)
{
    enum {
        RUNS = 3
    };
    params p;
    if (load_incident(&p, -1) != 0) {
        put("incident", "events/s", NAN, "events/s", "config did not load");
        return;
    }
    double ev[RUNS], speed[RUNS], events = 0, end_s = 0;
    for (int i = 0; i < RUNS; i++) {
        run_output out;
        double t0 = cli_wall_s();
        model_run(&p, 0, 0, NULL, NULL, &out);
        double dt = cli_wall_s() - t0;
        ev[i] = (double)out.events / dt;
        speed[i] = out.end_s / dt;
        events = (double)out.events;
        end_s = out.end_s;
        run_output_free(&out);
    }
    char note[96];
    snprintf(note, sizeof note, "median of %d; %.4g events, %.0f sim s per run", RUNS, events,
             end_s);
    put("incident", "events/s", median(ev, RUNS), "events/s", note);
    put("incident", "simulated s per wall s", median(speed, RUNS), "sim s/s", note);
}

/* ---- The stock stability chart through the CLI. ---- */

static int run_cmd(char *const argv[], int quiet)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (quiet) {
            FILE *f = freopen("/dev/null", "w", stdout);
            f = freopen("/dev/null", "w", stderr);
            (void)f;
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static long count_rows(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long lines = 0;
    int c, last = '\n';
    while ((c = getc(f)) != EOF) {
        if (c == '\n')
            lines++;
        last = c;
    }
    if (last != '\n')
        lines++;
    fclose(f);
    return lines > 0 ? lines - 1 : 0; /* header */
}

static void bench_sweep(void)
{
    char *help[] = {AVALANCHE_BIN, "sweep", "--help", NULL};
    struct stat st;
    if (stat(STABILITY, &st) != 0 || run_cmd(help, 1) != 0) {
        put("stability", "sweep", NAN, "s", "n/a (sweep not built)");
        return;
    }
    char dir[] = "/tmp/avalanche-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        put("stability", "sweep", NAN, "s", "n/a (no temporary directory)");
        return;
    }
    char *argv[] = {AVALANCHE_BIN, "sweep", STABILITY, "-j", "2", "--quiet", "--out", dir, NULL};
    char points[sizeof dir + 16];
    snprintf(points, sizeof points, "%s/points.csv", dir);
    double t[3];
    int n = 0;
    long runs = -1;
    for (; n < 3; n++) {
        double t0 = cli_wall_s();
        int rc = run_cmd(argv, 1);
        t[n] = cli_wall_s() - t0;
        if (rc != 0) {
            put("stability", "sweep", NAN, "s", "n/a (sweep failed)");
            return;
        }
        runs = count_rows(points);
        if (t[0] > 30.0) { /* slow: one run is enough, and the note says so */
            n++;
            break;
        }
    }
    char note[96];
    snprintf(note, sizeof note, "%s, -j 2", n == 1 ? "1 run (slow)" : "median of 3");
    double m = median(t, n);
    put("stability", "wall time", m, "s", note);
    put("stability", "runs (rows of points.csv)", (double)runs, "runs", "");
    put("stability", "runs/s", (double)runs / m, "runs/s", note);
    /* the same map from the fluid model (sweep --method fluid), in the same invocation */
    char fdir[sizeof dir + 8];
    snprintf(fdir, sizeof fdir, "%s/fluid", dir);
    char *fargv[] = {AVALANCHE_BIN, "sweep",   STABILITY, "--method", "fluid", "-j",
                     "1",           "--quiet", "--out",   fdir,       NULL};
    double ft[5];
    for (int i = 0; i < 5; i++) {
        double t0 = cli_wall_s();
        if (run_cmd(fargv, 1) != 0) {
            put("stability", "fluid wall time", NAN, "s", "n/a (fluid sweep failed)");
            return;
        }
        ft[i] = cli_wall_s() - t0;
    }
    double fm = median(ft, 5);
    put("stability", "fluid wall time", fm, "s", "--method fluid -j 1, median of 5");
    put("stability", "simulated / fluid wall time", m / fm, "x", "the medians above");
}

/* ---- Scaling out: the MPI sweep on 1 and 2 ranks against the threaded one on 1 and 2 threads.
 * Two sweeps: the tiny test sweep with 20 replications (440 runs of about 15 ms: the case where
 * messages and mpirun's start-up weigh most) and the stock stability sweep with one replication
 * (0.1 to 1 s each). Each figure is the median wall time of 5 (tiny) or 3 runs of the whole command
 * (mpirun's start-up included; ranks unbound, as threads are); the ratios are against `-j 1` of
 * the same invocation. */

#define SCALE_RUNS 5 /* rounds at most */
#define MPI_BIN AVALANCHE_BIN "-mpi"

/* Runs argv with stdout to out_path and stderr to /dev/null; *cpu_s: the user and system time of
 * the child and every descendant it waited for (mpirun waits for its ranks). */
static int run_capture(char *const argv[], const char *out_path, double *cpu_s)
{
    fflush(stdout); /* else the child's freopen writes this process's buffer a second time */
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        FILE *f = freopen(out_path, "w", stdout);
        f = freopen("/dev/null", "w", stderr);
        (void)f;
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0)
        return -1;
    *cpu_s = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
             (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* One layout: threads (ranks = 0) or MPI ranks, each with jobs threads. */
typedef struct layout {
    const char *item;
    int ranks;
    const char *jobs;
    double t[SCALE_RUNS], cpu[SCALE_RUNS];
    int n;
    double msgs_per_run; /* from avalanche-mpi's summary line */
} layout;

/* One timed sweep of l into dir (emptied first); appends the wall time to l->t. */
static int time_once(const char *cfg, const char *set, layout *l, const char *dir)
{
    char out[512], n[16], cmd[512];
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(n, sizeof n, "%d", l->ranks);
    char *threads[] = {AVALANCHE_BIN, "sweep",         (char *)cfg, "--set",     (char *)set,
                       "-j",          (char *)l->jobs, "--out",     (char *)dir, NULL};
    char *mpi[] = {"mpirun",
                   "--allow-run-as-root",
                   "--oversubscribe",
                   "--bind-to",
                   "none",
                   "-n",
                   n,
                   MPI_BIN,
                   "sweep",
                   (char *)cfg,
                   "--set",
                   (char *)set,
                   "-j",
                   (char *)l->jobs,
                   "--out",
                   (char *)dir,
                   NULL};
    snprintf(cmd, sizeof cmd, "rm -f '%s'/*.csv", dir);
    if (system(cmd) != 0)
        return -1;
    double t0 = cli_wall_s(), cpu;
    if (run_capture(l->ranks > 0 ? mpi : threads, out, &cpu) != 0)
        return -1;
    l->cpu[l->n] = cpu;
    l->t[l->n++] = cli_wall_s() - t0;
    FILE *f = fopen(out, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        const char *m = strstr(line, " messages (");
        if (m)
            l->msgs_per_run = strtod(m + strlen(" messages ("), NULL);
        else if (strstr(line, "no messages"))
            l->msgs_per_run = 0;
    }
    if (f)
        fclose(f);
    return 0;
}

/* The layouts take turns, round after round, so that a change in the machine's load (it is
 * shared) falls on all of them alike; each figure is a median over the rounds. */
static void bench_scale_one(const char *section, const char *cfg, const char *set, int rounds)
{
    struct stat st;
    int have_mpi = stat(MPI_BIN, &st) == 0;
    layout l[] = {{"threads -j 1 (baseline)", 0, "1", {0}, {0}, 0, NAN},
                  {"threads -j 2", 0, "2", {0}, {0}, 0, NAN},
                  {"mpi 1 rank x 1 thread", 1, "1", {0}, {0}, 0, NAN},
                  {"mpi 1 rank x 2 threads", 1, "2", {0}, {0}, 0, NAN},
                  {"mpi 2 ranks x 1 thread", 2, "1", {0}, {0}, 0, NAN}};
    enum {
        NL = sizeof l / sizeof l[0]
    };
    char dir[] = "/tmp/avalanche-bench-scale-XXXXXX";
    if (!mkdtemp(dir)) {
        put(section, "sweep", NAN, "s", "n/a (no temporary directory)");
        return;
    }
    int failed[NL] = {0};
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < NL; i++)
            if (!failed[i] && (l[i].ranks == 0 || have_mpi) && time_once(cfg, set, &l[i], dir) < 0)
                failed[i] = 1;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: cannot remove %s\n", dir);
    double med[NL], cpu[NL];
    char note[96];
    snprintf(note, sizeof note, "median of %d interleaved rounds, %s", rounds, set);
    for (int i = 0; i < NL; i++) {
        med[i] = !failed[i] && l[i].n == rounds ? median(l[i].t, l[i].n) : NAN;
        cpu[i] = !failed[i] && l[i].n == rounds ? median(l[i].cpu, l[i].n) : NAN;
        put(section, l[i].item, med[i], "s", l[i].ranks > 0 && !have_mpi ? "n/a (make mpi)" : note);
    }
    put(section, "speed-up -j 2 / -j 1", med[0] / med[1], "x", "");
    put(section, "speed-up mpi 1 rank / -j 1", med[0] / med[2], "x", "MPI path on one worker");
    put(section, "speed-up mpi 1 rank x 2 / -j 1", med[0] / med[3], "x", "");
    put(section, "speed-up mpi 2 ranks / -j 1", med[0] / med[4], "x", "");
    put(section, "mpi 2 ranks / -j 2", med[1] / med[4], "x", "same workers: processes vs threads");
    put(section, "messages per run, 2 ranks", l[4].msgs_per_run, "msg/run",
        "both directions, counted by rank 0");
    /* CPU time is what the shared machine cannot distort much: its ratio to -j 1 is the cost of
     * the threads, the processes, the polling and mpirun itself. */
    put(section, "cpu -j 1 (baseline)", cpu[0], "s", "user + system, the command and its children");
    put(section, "cpu -j 2 / -j 1", cpu[1] / cpu[0], "x", "");
    put(section, "cpu mpi 1 rank / -j 1", cpu[2] / cpu[0], "x", "");
    put(section, "cpu mpi 1 rank x 2 / -j 1", cpu[3] / cpu[0], "x", "");
    put(section, "cpu mpi 2 ranks / -j 1", cpu[4] / cpu[0], "x", "");
}

static void bench_scale(void)
{
    bench_scale_one("scale tiny", "tests/data/sweep/tiny.cfg", "sweep.replications=20", 5);
    bench_scale_one("scale stability", STABILITY, "sweep.replications=1", 3);
}

/* ---- Peak memory per node: 10 000-node runs in a child, minus 0-node ones. ----
 * Two scenarios: the 1.12 incident (the failure, with every node's heartbeat and webhook loop
 * retrying and a loopback backlog that grows for the whole run) and the same cluster without
 * its trigger (the steady state: what a node costs). Peak RSS moves in steps of malloc's
 * 128 KiB top pad and the 0-node baseline varies a little, so each figure is the median of
 * three (10 000, 0) pairs. */

static long child_maxrss_kib(int nodes, int no_trigger)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        params p;
        err e;
        if (load_incident(&p, nodes) != 0)
            _exit(2);
        if (no_trigger && config_apply_set(&p, "trigger.kind=\"none\"", &e) != 0)
            _exit(2);
        run_output out;
        model_run(&p, 0, 0, NULL, NULL, &out);
        run_output_free(&out);
        _exit(0);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    return ru.ru_maxrss; /* KiB on Linux */
}

static void bench_memory_one(const char *item, int no_trigger)
{
    enum {
        NODES = 10000,
        RUNS = 3
    };
    double per[RUNS];
    long big = 0, base = 0;
    for (int i = 0; i < RUNS; i++) {
        base = child_maxrss_kib(0, no_trigger);
        big = child_maxrss_kib(NODES, no_trigger);
        if (base < 0 || big < 0) {
            put("memory", item, NAN, "B/node", "child run failed");
            return;
        }
        per[i] = (double)(big - base) * 1024.0 / NODES;
    }
    char note[96];
    snprintf(note, sizeof note,
             "median of %d: (maxrss 1e4 nodes - 0 nodes) / 1e4; last %ld-%ld KiB", RUNS, big, base);
    put("memory", item, median(per, RUNS), "B/node", note);
}

static void bench_memory(void)
{
    bench_memory_one("peak B/node (incident)", 0);
    bench_memory_one("peak B/node (no trigger)", 1);
}

int main(int argc, char **argv)
{
    /* "hold": only the self-check and the hold model, for quick engine iterations;
     * "memory": only the memory rows; "scale": only the MPI and thread scaling rows. */
    int hold_only = argc == 3 && strcmp(argv[2], "hold") == 0;
    int memory_only = argc == 3 && strcmp(argv[2], "memory") == 0;
    int scale_only = argc == 3 && strcmp(argv[2], "scale") == 0;
    if (argc != 2 && !hold_only && !memory_only && !scale_only) {
        fprintf(stderr, "usage: %s OUT.csv [hold|memory|scale]\n", argv[0]);
        return 2;
    }
    double t0 = cli_wall_s();
    if (self_check() != 0) {
        fprintf(stderr, "bench: the engine and the baseline disagree; not timing\n");
        return 1;
    }
    printf("%-16s %-34s %14s %-14s %s\n", "section", "item", "value", "unit", "note");
    if (scale_only) {
        bench_scale();
        printf("bench: %.1f s in all\n", cli_wall_s() - t0);
        return write_csv(argv[1]) != 0;
    }
    /* Memory first: the children inherit this process's pages, so fork before it grows. */
    if (!hold_only)
        bench_memory();
    if (memory_only) {
        printf("bench: %.1f s in all\n", cli_wall_s() - t0);
        return write_csv(argv[1]) != 0;
    }
    bench_hold(1000, 5000000, "hold 1e3");
    bench_hold(100000, 6000000, "hold 1e5");
    if (!hold_only) {
        bench_incident();
        bench_sweep();
        bench_scale();
    }
    printf("bench: %.1f s in all\n", cli_wall_s() - t0);
    if (write_csv(argv[1]) != 0) {
        fprintf(stderr, "bench: cannot write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
