/* sweep_mpi: the MPI back-end of the sweep driver (L4): rank 0's dispatcher, the other ranks'
 * job loop, and the wire format between them. Only rank 0's main thread and each worker rank's
 * main thread call MPI (MPI_THREAD_FUNNELED); the jobs run on plain threads. Built by `make mpi`.
 *
 * Protocol (one tag each way, so the messages of a pair stay in order):
 *   up   (rank r -> 0)  RESULTS {want, code, results...}  finished jobs; want = 1 asks for a
 *                       batch (one request outstanding at a time); code = a signal caught there
 *                       BYE {results...}                  the answer to STOP, with what is left
 *                       ERROR {text}
 *   down (0 -> rank r)  JOBS {jobs...}                    the answer to a request
 *                       STOP {code}                       the sweep is over (code: its status)
 * A request that finds no job (the level waits for its last results) is parked and answered
 * when the next level is planned, or by STOP. Every send is non-blocking, and both sides keep
 * receiving while theirs are in flight, so two large messages crossing never deadlock. */
#define _GNU_SOURCE /* sched_getaffinity: the CPUs mpirun bound this rank to */
#include "sweep_mpi.h"

#include "cli.h"
#include "config.h"
#include "sweep_dry.h"
#include "sweep_run.h"
#include "sweep_wire.h"
#include "xmem.h"

#include <math.h>
#include <mpi.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A batch holds about this much work per thread of the rank that asked (from the mean wall
 * time of the results so far; one job per thread until there is one), and never more than
 * guided self-scheduling's share, a 1/(2P) part of what the level has left (P: threads in all),
 * so the batches shrink as a level ends and no rank is left with a long tail. */
#define BATCH_TARGET_S 1.0
/* A finished result waits on a worker rank at most this long before it is sent unasked. */
#define FLUSH_S 1.0
/* Polling: back off from 0.1 ms to 2 ms while nothing happens (blocking MPI calls spin). */
#define POLL_MIN_S 1e-4
#define POLL_MAX_S 2e-3
/* How long rank 0 waits for the other ranks to say goodbye: mpirun kills a job 1 s after the
 * SIGTERM of a Ctrl-C or a dead rank, and the message saying how to resume must come first. */
#define SHUTDOWN_S 10.0
#define SHUTDOWN_INTERRUPTED_S 0.5

enum {
    TAG_UP = 1,
    TAG_DOWN = 2
};

enum {
    MSG_RESULTS = 1,
    MSG_BYE,
    MSG_ERROR,
    MSG_JOBS,
    MSG_STOP
};

enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2
};

/* ---- non-blocking sends and polling receives ------------------------------------------------- */

typedef struct outq {
    MPI_Request *req;
    unsigned char **data;
    size_t n, cap;
} outq;

/* Sends b's bytes (taking them) to dest. */
static void outq_send(outq *q, sweep_wbuf *b, int dest, int tag)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? 2 * q->cap : 16;
        q->req = xrealloc(q->req, q->cap * sizeof *q->req);
        q->data = xrealloc(q->data, q->cap * sizeof *q->data);
    }
    MPI_Isend(b->p, (int)b->n, MPI_BYTE, dest, tag, MPI_COMM_WORLD, &q->req[q->n]);
    q->data[q->n++] = b->p;
    memset(b, 0, sizeof *b);
}

/* Frees the sends that have completed. */
static void outq_progress(outq *q)
{
    size_t k = 0;
    for (size_t i = 0; i < q->n; i++) {
        int done = 0;
        MPI_Test(&q->req[i], &done, MPI_STATUS_IGNORE);
        if (done) {
            free(q->data[i]);
        } else {
            q->req[k] = q->req[i];
            q->data[k++] = q->data[i];
        }
    }
    q->n = k;
}

static void nap(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Waits for every send, at most timeout_s. Returns 0 when all completed. */
static int outq_drain(outq *q, double timeout_s)
{
    double end = cli_wall_s() + timeout_s;
    for (outq_progress(q); q->n > 0 && cli_wall_s() < end; outq_progress(q))
        nap(POLL_MIN_S);
    return q->n > 0 ? -1 : 0;
}

static void outq_free(outq *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->data[i]);
    free(q->req);
    free(q->data);
}

/* One message from src with tag, if one is waiting: 1 with *data (the caller's) and *from. */
static int try_recv(int src, int tag, unsigned char **data, size_t *len, int *from)
{
    int flag = 0, n = 0;
    MPI_Status st;
    MPI_Iprobe(src, tag, MPI_COMM_WORLD, &flag, &st);
    if (!flag)
        return 0;
    MPI_Get_count(&st, MPI_BYTE, &n);
    *data = xmalloc(n > 0 ? (size_t)n : 1);
    MPI_Recv(*data, n, MPI_BYTE, st.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    *len = (size_t)n;
    *from = st.MPI_SOURCE;
    return 1;
}

/* ---- rank 0: the dispatcher ------------------------------------------------------------------ */

typedef struct peer {
    int threads;
    int want; /* a request not yet answered */
    int bye;
} peer;

typedef struct mpi_exec {
    sweep_exec x; /* first: the driver sees only this */
    int size, local_threads;
    size_t total_threads;
    peer *peers;
    outq q;
    sweep_driver *d;
    double wall_sum;
    size_t wall_n;
    /* for the summary and `make bench` */
    size_t msgs_in, msgs_out, batches, batch_min, batch_max;
    int abandoned, failed;
    char err[ERR_MAX];
    char resume[96];
} mpi_exec;

static size_t batch_size(mpi_exec *m, int threads)
{
    size_t left = sweep_driver_remaining(m->d), p2 = 2 * m->total_threads;
    size_t per = (left + p2 - 1) / p2;
    double mean = m->wall_n ? m->wall_sum / (double)m->wall_n : 0;
    size_t cap = mean > 0 ? (size_t)ceil(BATCH_TARGET_S / mean) : 1;
    if (per > cap)
        per = cap;
    if (per < 1)
        per = 1;
    return per * (size_t)(threads > 0 ? threads : 1);
}

/* Answers rank r's parked request when the level has jobs left. */
static void answer(mpi_exec *m, int r)
{
    peer *p = &m->peers[r];
    size_t b = batch_size(m, p->threads);
    sweep_job *jobs = xmalloc(b * sizeof *jobs);
    size_t n = sweep_driver_take(m->d, jobs, b);
    if (n > 0) {
        sweep_wbuf w = {0};
        sweep_wire_head(&w, MSG_JOBS, (uint32_t)n, 0, 0);
        for (size_t i = 0; i < n; i++)
            sweep_wire_job(&w, &jobs[i]);
        outq_send(&m->q, &w, r, TAG_DOWN);
        p->want = 0;
        m->msgs_out++;
        m->batches++;
        if (m->batch_min == 0 || n < m->batch_min)
            m->batch_min = n;
        if (n > m->batch_max)
            m->batch_max = n;
    }
    free(jobs);
}

static void fail(mpi_exec *m, const char *fmt, int r, const char *text)
{
    if (!m->failed)
        snprintf(m->err, sizeof m->err, fmt, r, text);
    m->failed = 1;
}

static void handle_up(mpi_exec *m, int from, const unsigned char *data, size_t len)
{
    sweep_rbuf r = {data, len, 0, 0};
    sweep_whead h = sweep_wire_read_head(&r);
    m->msgs_in++;
    if (h.type == MSG_ERROR) {
        char text[ERR_MAX - 64];
        size_t n = len - r.off < sizeof text - 1 ? len - r.off : sizeof text - 1;
        memcpy(text, data + r.off, n);
        text[n] = '\0';
        fail(m, "rank %d: %s", from, text);
        return;
    }
    for (uint32_t i = 0; i < h.count && !r.bad; i++) {
        sweep_result x;
        if (sweep_wire_read_result(&r, &x) < 0)
            break;
        if (isfinite(x.wall_s)) {
            m->wall_sum += x.wall_s;
            m->wall_n++;
        }
        sweep_driver_put(m->d, &x);
    }
    if (r.bad || (h.type != MSG_RESULTS && h.type != MSG_BYE))
        fail(m, "rank %d: %s", from, "a malformed message (another avalanche-mpi build?)");
    if (h.type == MSG_RESULTS && h.want)
        m->peers[from].want = 1;
    if (h.type == MSG_BYE)
        m->peers[from].bye = 1;
    if (h.code > 0 && !sweep_signal())
        sweep_interrupt(h.code); /* a rank was interrupted: so is the sweep */
}

/* Receives and handles every waiting message. Returns 1 when there was one. */
static int poll_up(mpi_exec *m)
{
    unsigned char *data;
    size_t len;
    int from, any = 0;
    while (try_recv(MPI_ANY_SOURCE, TAG_UP, &data, &len, &from)) {
        if (from > 0 && from < m->size)
            handle_up(m, from, data, len);
        free(data);
        any = 1;
    }
    outq_progress(&m->q);
    return any;
}

static int mpi_run_level(sweep_exec *x, sweep_driver *d, err *e)
{
    mpi_exec *m = (mpi_exec *)x;
    m->d = d;
    sweep_threads *t = m->local_threads > 0 ? sweep_threads_start(d, m->local_threads) : NULL;
    double nap_s = POLL_MIN_S;
    while (!m->failed) {
        int busy = poll_up(m);
        for (int r = 1; r < m->size; r++)
            if (m->peers[r].want && !m->peers[r].bye)
                answer(m, r);
        if (sweep_driver_stopping(d) || sweep_driver_level_done(d))
            break;
        sweep_driver_progress(d, 0);
        nap_s = busy ? POLL_MIN_S : fmin(2 * nap_s, POLL_MAX_S);
        nap(nap_s);
    }
    if (t)
        sweep_threads_join(t);
    return m->failed ? err_set(e, "%s", m->err) : 0;
}

static void mpi_finish(sweep_exec *x, int status)
{
    mpi_exec *m = (mpi_exec *)x;
    for (int r = 1; r < m->size; r++) {
        sweep_wbuf w = {0};
        sweep_wire_head(&w, MSG_STOP, 0, 0, status);
        outq_send(&m->q, &w, r, TAG_DOWN);
        m->msgs_out++;
    }
    double end = cli_wall_s() + (status == EXIT_OK ? SHUTDOWN_S : SHUTDOWN_INTERRUPTED_S);
    for (;;) {
        int left = 0;
        for (int r = 1; r < m->size; r++)
            left += !m->peers[r].bye;
        if (left == 0 || cli_wall_s() > end)
            break;
        if (!poll_up(m))
            nap(POLL_MAX_S);
    }
    for (int r = 1; r < m->size; r++)
        m->abandoned |= !m->peers[r].bye;
    if (!m->abandoned &&
        outq_drain(&m->q, status == EXIT_OK ? SHUTDOWN_S : SHUTDOWN_INTERRUPTED_S) < 0)
        m->abandoned = 1;
}

static void mpi_report(sweep_exec *x, FILE *f, size_t runs)
{
    mpi_exec *m = (mpi_exec *)x;
    size_t msgs = m->msgs_in + m->msgs_out;
    fprintf(f, "  MPI: %d rank%s, %zu worker threads: %zu runs this session, ", m->size,
            m->size == 1 ? "" : "s", m->total_threads, runs);
    if (m->size == 1)
        fputs("no messages\n", f);
    else
        fprintf(f, "%zu messages (%.3f per run), batches of %zu to %zu jobs\n", msgs,
                runs ? (double)msgs / (double)runs : 0.0, m->batch_min, m->batch_max);
}

/* ---- the other ranks: jobs on threads, results back ------------------------------------------ */

typedef struct worker {
    const params *base;
    int threads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    sweep_job *q; /* jobs [qh, qt) waiting */
    size_t qh, qt, qcap;
    int running, stop, failed;
    sweep_result *done; /* finished, not yet sent */
    size_t ndone, capdone;
    double oldest_s; /* when the oldest of them finished */
    char err[ERR_MAX];
} worker;

static int same_point(const sweep_point *a, const sweep_point *b)
{
    return a->x == b->x && (a->y == b->y || (isnan(a->y) && isnan(b->y))) &&
           (a->z == b->z || (isnan(a->z) && isnan(b->z)));
}

static void *worker_thread(void *arg)
{
    worker *w = arg;
    params *p = xmalloc(sizeof *p);
    sweep_point last = {NAN, NAN, 0, NAN};
    int have = 0;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && w->qh == w->qt)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->stop)
            break;
        sweep_job j = w->q[w->qh++];
        w->running++;
        pthread_mutex_unlock(&w->mu);
        err e;
        err_clear(&e);
        int rc = 0;
        if (!have || !same_point(&j.pt, &last)) {
            rc = sweep_point_apply(w->base, &j.pt, p, &e);
            have = rc == 0;
            last = j.pt;
        }
        sweep_result r;
        int ran = rc == 0 ? sweep_job_run(p, &j, &r) : -1;
        pthread_mutex_lock(&w->mu);
        w->running--;
        if (ran == 0) {
            if (w->ndone == w->capdone) {
                w->capdone = w->capdone ? 2 * w->capdone : 16;
                w->done = xrealloc(w->done, w->capdone * sizeof *w->done);
            }
            if (w->ndone == 0)
                w->oldest_s = cli_wall_s();
            w->done[w->ndone++] = r;
        } else if (ran < 0 && !w->failed) {
            w->failed = 1;
            snprintf(w->err, sizeof w->err, "%s", e.msg);
        }
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    free(p);
    return NULL;
}

/* Sends type with the finished results (taken from w, under mu). */
static void send_results(worker *w, outq *q, uint32_t type, int want, int code)
{
    sweep_wbuf b = {0};
    sweep_wire_head(&b, type, (uint32_t)w->ndone, (uint32_t)want, code);
    for (size_t i = 0; i < w->ndone; i++) {
        sweep_wire_result(&b, &w->done[i]);
        free(w->done[i].line);
    }
    w->ndone = 0;
    outq_send(q, &b, 0, TAG_UP);
}

/* Receives jobs until STOP; returns STOP's status. */
static int worker_serve(const params *base, int threads)
{
    worker w;
    memset(&w, 0, sizeof w);
    w.base = base;
    w.threads = threads;
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    pthread_t *th = xmalloc((size_t)threads * sizeof *th);
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, worker_thread, &w);
    outq q = {0};
    int asked = 0, told = 0, status = -1;
    double nap_s = POLL_MIN_S;
    while (status < 0) {
        unsigned char *data;
        size_t len;
        int from, busy = 0;
        while (status < 0 && try_recv(0, TAG_DOWN, &data, &len, &from)) {
            sweep_rbuf r = {data, len, 0, 0};
            sweep_whead h = sweep_wire_read_head(&r);
            busy = 1;
            if (h.type == MSG_JOBS) {
                pthread_mutex_lock(&w.mu);
                if (w.qh == w.qt)
                    w.qh = w.qt = 0;
                if (w.qt + h.count > w.qcap) {
                    w.qcap = 2 * (w.qt + h.count);
                    w.q = xrealloc(w.q, w.qcap * sizeof *w.q);
                }
                for (uint32_t i = 0; i < h.count; i++)
                    sweep_wire_read_job(&r, &w.q[w.qt++]);
                pthread_cond_broadcast(&w.cv);
                pthread_mutex_unlock(&w.mu);
                asked = 0;
            } else if (h.type == MSG_STOP) {
                status = h.code >= 0 ? h.code : EXIT_RUNTIME;
            }
            free(data);
        }
        if (status >= 0)
            break;
        pthread_mutex_lock(&w.mu);
        int sig = sweep_signal();
        size_t queued = w.qt - w.qh;
        int need = !asked && !sig && !w.failed && queued < (size_t)threads;
        int idle = queued == 0 && w.running == 0;
        int flush = w.ndone > 0 && (need || idle || cli_wall_s() - w.oldest_s >= FLUSH_S);
        if (w.failed && !told) {
            sweep_wbuf b = {0};
            sweep_wire_head(&b, MSG_ERROR, 0, 0, 0);
            sweep_wire_bytes(&b, w.err, strlen(w.err));
            outq_send(&q, &b, 0, TAG_UP);
            told = 1;
        } else if (sig && !told) {
            send_results(&w, &q, MSG_RESULTS, 0, sig);
            told = 1;
        } else if (need || flush) {
            send_results(&w, &q, MSG_RESULTS, need, 0);
            asked |= need;
        }
        outq_progress(&q);
        /* a finished job wakes this thread at once; a message waits for the next poll */
        nap_s = busy ? POLL_MIN_S : fmin(2 * nap_s, POLL_MAX_S);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long ns = ts.tv_nsec + (long)(nap_s * 1e9);
        ts.tv_sec += ns / 1000000000L;
        ts.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&w.cv, &w.mu, &ts);
        pthread_mutex_unlock(&w.mu);
    }
    /* An interrupted sweep stops the runs in progress; the finished ones go back with BYE. */
    if (status != EXIT_OK && !sweep_signal())
        sweep_interrupt(status > 128 ? status - 128 : SIGTERM);
    pthread_mutex_lock(&w.mu);
    w.stop = 1;
    pthread_cond_broadcast(&w.cv);
    pthread_mutex_unlock(&w.mu);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    send_results(&w, &q, MSG_BYE, 0, 0);
    outq_drain(&q, SHUTDOWN_S);
    outq_free(&q);
    free(th);
    free(w.q);
    free(w.done);
    pthread_mutex_destroy(&w.mu);
    pthread_cond_destroy(&w.cv);
    return status;
}

/* ---- the command ----------------------------------------------------------------------------- */

static const char mpi_usage[] =
    "usage: mpirun -n N avalanche-mpi sweep CONFIG [--set KEY=VALUE]... [-j T] [--out DIR]\n"
    "                                  [--resume] [--dry-run] [--quiet]\n"
    "  every rank runs jobs on T threads (default: its machine's online CPUs shared among the\n"
    "  ranks there); rank 0 also hands them out and writes DIR as `avalanche sweep -j 1` does\n";

static char *config_text(const params *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    config_dump(p, m);
    fclose(m);
    return buf;
}

/* A hash of a few libm results: ranks that disagree (another libm, or CPU-dependent code
 * paths) may not reproduce a one-process sweep to the last digit. */
static uint64_t libm_fingerprint(void)
{
    volatile double in[] = {0.1234567, 7.654321, 1.2345, 1e3, 0.5};
    double v[] = {exp(in[0]),   log(in[1]),   pow(in[2], in[1]), sin(in[3]),
                  expm1(in[4]), log1p(in[0]), sqrt(in[1]),       tan(in[4])};
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    const unsigned char *b = (const unsigned char *)v;
    for (size_t i = 0; i < sizeof v; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* Every rank's verdict: the worst status, printed by rank 0, or by the ranks that failed
 * when rank 0 did not. */
static int agree(int rank, int status, const char *msg)
{
    int st0 = status, worst = status;
    MPI_Bcast(&st0, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (status != 0 && (rank == 0 || st0 == 0)) {
        char host[MPI_MAX_PROCESSOR_NAME] = "";
        int hl = 0;
        MPI_Get_processor_name(host, &hl);
        if (rank == 0)
            fprintf(stderr, "avalanche-mpi sweep: %s\n", msg);
        else
            fprintf(stderr, "avalanche-mpi sweep: rank %d (%s): %s\n", rank, host, msg);
    }
    return worst;
}

/* CPUs this rank may run on (mpirun binds a rank to one core when it starts 1 or 2), or 0. */
static int bound_cpus(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
}

/* Threads of this rank: -j; else the CPUs mpirun bound it to, when it did; else the machine's
 * online CPUs shared among its ranks. */
static int rank_threads(int jobs, int bound)
{
    if (jobs > 0)
        return jobs;
    MPI_Comm node;
    int here = 1, rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &here);
        MPI_Comm_free(&node);
    }
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    if (bound > 0 && bound < c)
        return bound;
    int t = c > 0 ? (int)(c / (here > 0 ? here : 1)) : 1;
    return t > 0 ? t : 1;
}

int sweep_mpi_command(int argc, char **argv, int *abort_job)
{
    *abort_job = 0;
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            if (rank == 0)
                fputs(mpi_usage, stdout);
            return EXIT_OK;
        }
    struct sigaction old[2];
    sweep_interrupt(0);
    sweep_signals_catch(old);
    err e;
    err_clear(&e);
    sweep_opts o;
    params *p = xmalloc(sizeof *p);
    char *text = NULL, *text0 = NULL;
    int status = EXIT_OK;
    if (sweep_opts_parse(argc, argv, &o, &e) < 0 ||
        (o.shard_n && err_set(&e, "--shard: static parts are for job arrays (avalanche sweep); "
                                  "avalanche-mpi hands the jobs out itself") < 0) ||
        sweep_opts_load(&o, p, &e) < 0)
        status = EXIT_USAGE;
    if ((status = agree(rank, status, e.msg)) != 0)
        goto done;

    /* Every rank loaded CONFIG itself: they must agree on what it says. */
    text = config_text(p);
    long len = (long)strlen(text);
    MPI_Bcast(&len, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    text0 = xmalloc((size_t)len + 1);
    if (rank == 0)
        memcpy(text0, text, (size_t)len + 1);
    MPI_Bcast(text0, (int)len + 1, MPI_CHAR, 0, MPI_COMM_WORLD);
    int differs = strcmp(text, text0) != 0;
    err_clear(&e);
    if (differs)
        err_set(&e,
                "%s resolves to another config here than on rank 0: every rank needs the same "
                "CONFIG, included files and --set",
                o.c.config);
    if ((status = agree(rank, differs ? EXIT_USAGE : 0, e.msg)) != 0)
        goto done;

    int bound = bound_cpus(), threads = rank_threads(o.c.jobs, bound);
    unsigned long long fp = libm_fingerprint();
    int *all_threads = rank == 0 ? xmalloc((size_t)size * sizeof *all_threads) : NULL;
    int *all_bound = rank == 0 ? xmalloc((size_t)size * sizeof *all_bound) : NULL;
    unsigned long long *all_fp = rank == 0 ? xmalloc((size_t)size * sizeof *all_fp) : NULL;
    MPI_Gather(&threads, 1, MPI_INT, all_threads, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Gather(&bound, 1, MPI_INT, all_bound, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Gather(&fp, 1, MPI_UNSIGNED_LONG_LONG, all_fp, 1, MPI_UNSIGNED_LONG_LONG, 0,
               MPI_COMM_WORLD);
    if (rank == 0) {
        size_t total = 0;
        int crowded = -1;
        for (int r = 0; r < size; r++) {
            total += (size_t)all_threads[r];
            if (crowded < 0 && all_bound[r] > 0 && all_threads[r] > all_bound[r])
                crowded = r;
            if (all_fp[r] != all_fp[0])
                fprintf(stderr,
                        "avalanche-mpi sweep: warning: rank %d computes exp/log/pow differently "
                        "from rank 0 (another libm or CPU): its rows may differ from a "
                        "one-process sweep in the last digits\n",
                        r);
        }
        if (crowded >= 0)
            fprintf(stderr,
                    "avalanche-mpi sweep: warning: rank %d runs %d threads on the %d CPU%s mpirun "
                    "bound it to; start it with mpirun --bind-to none (or --map-by ...:PE=%d)\n",
                    crowded, all_threads[crowded], all_bound[crowded],
                    all_bound[crowded] == 1 ? "" : "s", all_threads[crowded]);
        sweep_driver *d = NULL;
        if (o.dry_run)
            status = sweep_dry_run(&o, p, (int)total, "avalanche-mpi sweep");
        else
            d = sweep_driver_new(&o, p, "avalanche-mpi sweep", &status);
        MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (d) {
            mpi_exec m;
            memset(&m, 0, sizeof m);
            m.x.run_level = mpi_run_level;
            m.x.finish = mpi_finish;
            m.x.report = mpi_report;
            m.x.threads = (int)total;
            snprintf(m.resume, sizeof m.resume, "mpirun -n %d avalanche-mpi sweep", size);
            m.x.resume_cmd = m.resume;
            m.size = size;
            m.local_threads = threads;
            m.total_threads = total;
            m.peers = xcalloc((size_t)size, sizeof *m.peers);
            for (int r = 0; r < size; r++)
                m.peers[r].threads = all_threads[r];
            status = sweep_driver_run(d, &m.x);
            *abort_job = m.abandoned;
            if (!m.abandoned) /* else MPI may still read the buffers until MPI_Abort */
                outq_free(&m.q);
            free(m.peers);
        }
        sweep_driver_free(d);
    } else {
        MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (status == EXIT_OK && !o.dry_run)
            status = worker_serve(p, threads);
    }
    free(all_threads);
    free(all_bound);
    free(all_fp);
done:
    sweep_signals_restore(old);
    sweep_opts_free(&o);
    free(text);
    free(text0);
    free(p);
    return status;
}
