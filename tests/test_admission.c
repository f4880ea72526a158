/* test_admission: the max-inflight policy through the admission interface, on a hand-set clock:
 * caps per kind and 429s, the system:masters exemption, release, restart (reset), caps changed
 * live with requests admitted above a lowered cap, time-averaged gauges, rejection counters, and
 * that a policy that never queues never calls a hook. Then the common part's side for a policy
 * that queues (what APF will use), through a small FIFO policy written here: queued counts and
 * gauges, dispatch and reject through the hooks, cancel, reset. */
#include "testutil.h"

#include "../model/k8s/admission_impl.h"
#include "admission.h"

#include <stdlib.h>
#include <string.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static const admission_class RO = {.kind = ADMISSION_READONLY, .subject = ADMISSION_USERS};
static const admission_class MUT = {
    .kind = ADMISSION_MUTATING, .subject = ADMISSION_NODES, .user = 7};
static const admission_class LOOPBACK = {
    .kind = ADMISSION_READONLY, .subject = ADMISSION_MASTERS, .exempt = true};

typedef struct calls {
    int dispatch, reject, wake;
} calls;

static void on_dispatch(void *ctx, uint32_t id)
{
    (void)id;
    ((calls *)ctx)->dispatch++;
}

static void on_reject(void *ctx, uint32_t id, enum admission_reason why)
{
    (void)id;
    (void)why;
    ((calls *)ctx)->reject++;
}

static void on_wake(void *ctx, double t)
{
    (void)t;
    ((calls *)ctx)->wake++;
}

static calls ncalls;

static admission *new_mi(int ro, int mut)
{
    ncalls = (calls){0, 0, 0};
    admission_hooks h = {&ncalls, on_dispatch, on_reject, on_wake};
    return admission_maxinflight_new((admission_limits){ro, mut}, &h, 0.0);
}

static double inflight_now(const admission *a, int kind)
{
    admission_gauges g;
    admission_current(a, &g);
    return g.inflight[kind];
}

static void test_cap_and_reject(void **state)
{
    (void)state;
    admission *a = new_mi(3, 2);
    assert_string_equal(admission_policy(a), "max-inflight");
    enum admission_reason why = ADMISSION_QUEUE_FULL;
    assert_int_equal(admission_acquire(a, MUT, 1, 1.0, &why), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, MUT, 2, 1.0, &why), ADMISSION_EXECUTE);
    assert_int_equal(why, ADMISSION_QUEUE_FULL); /* untouched when admitted */
    assert_int_equal(admission_acquire(a, MUT, 3, 1.0, &why), ADMISSION_REJECTED);
    assert_int_equal(why, ADMISSION_CONCURRENCY_LIMIT);
    assert_int_equal(admission_acquire(a, MUT, 4, 1.0, NULL), ADMISSION_REJECTED);
    /* the read-only pool is another pool */
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(admission_acquire(a, RO, 10 + i, 1.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, RO, 13, 1.0, &why), ADMISSION_REJECTED);
    assert_near(inflight_now(a, ADMISSION_MUTATING), 2, 0);
    assert_near(inflight_now(a, ADMISSION_READONLY), 3, 0);
    assert_int_equal(admission_rejected(a, ADMISSION_CONCURRENCY_LIMIT), 3);
    assert_int_equal(admission_rejected(a, ADMISSION_QUEUE_FULL), 0);
    admission_free(a);
}

static void test_exempt(void **state)
{
    (void)state;
    admission *a = new_mi(2, 1);
    /* with room an exempt request takes a slot like any other... */
    assert_int_equal(admission_acquire(a, LOOPBACK, 1, 0.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, RO, 2, 0.0, NULL), ADMISSION_EXECUTE);
    /* ...and when the pool is full it is served without one, never rejected */
    for (uint32_t i = 0; i < 5; i++)
        assert_int_equal(admission_acquire(a, LOOPBACK, 3 + i, 0.0, NULL), ADMISSION_EXEMPT);
    assert_near(inflight_now(a, ADMISSION_READONLY), 2, 0);
    assert_int_equal(admission_acquire(a, RO, 9, 0.0, NULL), ADMISSION_REJECTED);
    assert_int_equal(admission_rejected(a, ADMISSION_CONCURRENCY_LIMIT), 1);
    /* the exempt one holding a slot gives it back like any other */
    admission_release(a, LOOPBACK, 1, 1.0);
    assert_near(inflight_now(a, ADMISSION_READONLY), 1, 0);
    assert_int_equal(admission_acquire(a, RO, 10, 1.0, NULL), ADMISSION_EXECUTE);
    admission_free(a);
}

static void test_release(void **state)
{
    (void)state;
    admission *a = new_mi(1, 1);
    assert_int_equal(admission_acquire(a, MUT, 1, 0.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, MUT, 2, 0.0, NULL), ADMISSION_REJECTED);
    admission_release(a, MUT, 1, 0.5);
    assert_near(inflight_now(a, ADMISSION_MUTATING), 0, 0);
    assert_int_equal(admission_acquire(a, MUT, 3, 0.5, NULL), ADMISSION_EXECUTE);
    /* releasing a read-only slot does not free a mutating one */
    assert_int_equal(admission_acquire(a, RO, 4, 0.5, NULL), ADMISSION_EXECUTE);
    admission_release(a, RO, 4, 0.6);
    assert_int_equal(admission_acquire(a, MUT, 5, 0.6, NULL), ADMISSION_REJECTED);
    admission_free(a);
}

/* Releasing what nobody holds is a broken invariant: the process aborts. */
static void test_release_unheld_aborts(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *f = freopen("/dev/null", "w", stderr);
        (void)f;
        admission *a = new_mi(1, 1);
        admission_release(a, MUT, 1, 0.0);
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
}

static void test_reset(void **state)
{
    (void)state;
    admission *a = new_mi(2, 2);
    assert_int_equal(admission_acquire(a, MUT, 1, 0.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, MUT, 2, 0.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, RO, 3, 0.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, MUT, 4, 0.0, NULL), ADMISSION_REJECTED);
    /* a restart at t = 1 drops everything held, without a hook; limits and counters stay */
    admission_reset(a, 1.0);
    assert_near(inflight_now(a, ADMISSION_MUTATING), 0, 0);
    assert_near(inflight_now(a, ADMISSION_READONLY), 0, 0);
    assert_int_equal(admission_rejected(a, ADMISSION_CONCURRENCY_LIMIT), 1);
    admission_limits l = admission_limits_of(a);
    assert_int_equal(l.max_requests_inflight, 2);
    assert_int_equal(l.max_mutating_requests_inflight, 2);
    assert_int_equal(admission_acquire(a, MUT, 5, 1.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, MUT, 6, 1.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, MUT, 7, 1.0, NULL), ADMISSION_REJECTED);
    /* the gauges fell to 0 at the reset: mutating 2 over [0, 1), then 2 again from 1 on */
    admission_gauges avg;
    admission_sample(a, 2.0, 2.0, &avg);
    assert_near(avg.inflight[ADMISSION_MUTATING], 2.0, 1e-12);
    assert_near(avg.inflight[ADMISSION_READONLY], 0.5, 1e-12);
    assert_int_equal(ncalls.dispatch + ncalls.reject + ncalls.wake, 0);
    admission_free(a);
}

static void test_cap_change(void **state)
{
    (void)state;
    admission *a = new_mi(2, 5);
    for (uint32_t i = 0; i < 5; i++)
        assert_int_equal(admission_acquire(a, MUT, i, 0.0, NULL), ADMISSION_EXECUTE);
    /* lowered below what is admitted: the five keep their slots, nothing new comes in */
    admission_set_limits(a, (admission_limits){2, 3}, 1.0);
    assert_int_equal(admission_limits_of(a).max_mutating_requests_inflight, 3);
    assert_near(inflight_now(a, ADMISSION_MUTATING), 5, 0);
    assert_int_equal(admission_acquire(a, MUT, 10, 1.0, NULL), ADMISSION_REJECTED);
    admission_release(a, MUT, 0, 2.0);
    admission_release(a, MUT, 1, 2.0);
    assert_int_equal(admission_acquire(a, MUT, 11, 2.0, NULL), ADMISSION_REJECTED); /* 3 of 3 */
    admission_release(a, MUT, 2, 3.0);
    assert_int_equal(admission_acquire(a, MUT, 12, 3.0, NULL), ADMISSION_EXECUTE); /* 2 < 3 */
    assert_int_equal(admission_acquire(a, MUT, 13, 3.0, NULL), ADMISSION_REJECTED);
    /* raised: admits at once */
    admission_set_limits(a, (admission_limits){2, 4}, 4.0);
    assert_int_equal(admission_acquire(a, MUT, 14, 4.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, MUT, 15, 4.0, NULL), ADMISSION_REJECTED);
    /* the read-only cap is the other limit */
    admission_set_limits(a, (admission_limits){1, 4}, 5.0);
    assert_int_equal(admission_acquire(a, RO, 16, 5.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, RO, 17, 5.0, NULL), ADMISSION_REJECTED);
    assert_int_equal(admission_rejected(a, ADMISSION_CONCURRENCY_LIMIT), 5);
    admission_free(a);
}

static void test_gauges(void **state)
{
    (void)state;
    admission *a = new_mi(4, 4);
    admission_gauges avg;
    assert_int_equal(admission_acquire(a, MUT, 1, 1.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, MUT, 2, 2.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, LOOPBACK, 3, 2.0, NULL), ADMISSION_EXECUTE);
    admission_release(a, MUT, 1, 3.0);
    /* mutating: 0 on [0,1), 1 on [1,2), 2 on [2,3), 1 on [3,4): 4 / 4 */
    admission_sample(a, 4.0, 4.0, &avg);
    assert_near(avg.inflight[ADMISSION_MUTATING], 1.0, 1e-12);
    assert_near(avg.inflight[ADMISSION_READONLY], 0.5, 1e-12);
    assert_near(avg.inqueue[ADMISSION_MUTATING], 0.0, 0.0);
    assert_near(avg.inqueue[ADMISSION_READONLY], 0.0, 0.0);
    /* a new average starts at each sample */
    admission_release(a, LOOPBACK, 3, 5.0);
    admission_sample(a, 6.0, 2.0, &avg);
    assert_near(avg.inflight[ADMISSION_MUTATING], 1.0, 1e-12);
    assert_near(avg.inflight[ADMISSION_READONLY], 0.5, 1e-12);
    /* an EXEMPT admission holds nothing and moves no gauge */
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(admission_acquire(a, RO, 10 + i, 6.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, LOOPBACK, 20, 7.0, NULL), ADMISSION_EXEMPT);
    admission_sample(a, 8.0, 2.0, &avg);
    assert_near(avg.inflight[ADMISSION_READONLY], 4.0, 1e-12);
    /* span 0: the values now */
    admission_sample(a, 8.0, 0.0, &avg);
    assert_near(avg.inflight[ADMISSION_READONLY], 4.0, 0.0);
    assert_near(avg.inflight[ADMISSION_MUTATING], 1.0, 0.0);
    admission_free(a);
}

static void test_never_queues(void **state)
{
    (void)state;
    admission *a = new_mi(1, 1);
    assert_int_equal(admission_acquire(a, MUT, 1, 0.0, NULL), ADMISSION_EXECUTE);
    for (uint32_t i = 2; i < 50; i++) {
        assert_int_equal(admission_acquire(a, MUT, i, 0.0, NULL), ADMISSION_REJECTED);
        assert_false(admission_cancel(a, MUT, i, 0.0));
    }
    assert_false(admission_cancel(a, MUT, 1, 0.1)); /* holding a seat: not cancelled */
    admission_advance(a, 100.0);
    admission_release(a, MUT, 1, 100.0);
    admission_gauges g;
    admission_current(a, &g);
    assert_near(g.inqueue[ADMISSION_MUTATING] + g.inqueue[ADMISSION_READONLY], 0, 0);
    assert_int_equal(admission_rejected(a, ADMISSION_CANCELLED), 0);
    assert_int_equal(admission_rejected(a, ADMISSION_CONCURRENCY_LIMIT), 48);
    assert_int_equal(ncalls.dispatch + ncalls.reject + ncalls.wake, 0);
    admission_free(a);
    admission_free(NULL);
    /* no hooks at all is fine for it */
    a = admission_maxinflight_new((admission_limits){1, 1}, NULL, 0.0);
    assert_int_equal(admission_acquire(a, RO, 1, 0.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, RO, 2, 0.0, NULL), ADMISSION_REJECTED);
    admission_free(a);
}

static void test_reason_names(void **state)
{
    (void)state;
    assert_string_equal(admission_reason_name(ADMISSION_CONCURRENCY_LIMIT), "concurrency-limit");
    assert_string_equal(admission_reason_name(ADMISSION_QUEUE_FULL), "queue-full");
    assert_string_equal(admission_reason_name(ADMISSION_TIME_OUT), "time-out");
    assert_string_equal(admission_reason_name(ADMISSION_CANCELLED), "cancelled");
}

/* ---- a policy that queues: one FIFO of up to QMAX per kind, seats up to the caps ---- */

enum {
    QMAX = 4
};

typedef struct fifo {
    int used[ADMISSION_KIND_COUNT];
    uint32_t q[ADMISSION_KIND_COUNT][QMAX];
    int qn[ADMISSION_KIND_COUNT];
} fifo;

static int cap_of(const admission *a, unsigned kind)
{
    return kind == ADMISSION_MUTATING ? a->limits.max_mutating_requests_inflight
                                      : a->limits.max_requests_inflight;
}

static enum admission_result fifo_acquire(admission *a, admission_class c, uint32_t id, double now,
                                          enum admission_reason *why)
{
    fifo *f = a->impl;
    if (c.exempt || f->used[c.kind] < cap_of(a, c.kind)) {
        f->used[c.kind]++;
        admission_seat_taken(a, c.kind, now);
        return ADMISSION_EXECUTE;
    }
    if (f->qn[c.kind] == QMAX) {
        admission_rejected_at_once(a, c, ADMISSION_QUEUE_FULL, now, why);
        return ADMISSION_REJECTED;
    }
    f->q[c.kind][f->qn[c.kind]++] = id;
    admission_queued(a, c, now);
    return ADMISSION_QUEUED;
}

static uint32_t fifo_pop(fifo *f, unsigned kind)
{
    uint32_t id = f->q[kind][0];
    memmove(f->q[kind], f->q[kind] + 1, (size_t)--f->qn[kind] * sizeof(uint32_t));
    return id;
}

static void fifo_release(admission *a, admission_class c, uint32_t id, double now)
{
    (void)id;
    fifo *f = a->impl;
    f->used[c.kind]--;
    admission_seat_freed(a, c.kind, now);
    if (f->qn[c.kind] > 0 && f->used[c.kind] < cap_of(a, c.kind)) {
        f->used[c.kind]++;
        admission_report_dispatch(a, c.kind, fifo_pop(f, c.kind), now);
    }
}

static bool fifo_cancel(admission *a, admission_class c, uint32_t id, double now)
{
    fifo *f = a->impl;
    for (int i = 0; i < f->qn[c.kind]; i++)
        if (f->q[c.kind][i] == id) {
            memmove(&f->q[c.kind][i], &f->q[c.kind][i + 1],
                    (size_t)(f->qn[c.kind] - i - 1) * sizeof(uint32_t));
            f->qn[c.kind]--;
            admission_report_cancel(a, c.kind, now);
            return true;
        }
    return false;
}

static void fifo_reset(admission *a, double now)
{
    (void)now;
    memset(a->impl, 0, sizeof(fifo));
}

static void fifo_set_limits(admission *a, double now)
{
    (void)a;
    (void)now;
}

/* Every queued mutating request times out. */
static void fifo_advance(admission *a, double now)
{
    fifo *f = a->impl;
    while (f->qn[ADMISSION_MUTATING] > 0)
        admission_report_reject(a, ADMISSION_MUTATING, fifo_pop(f, ADMISSION_MUTATING),
                                ADMISSION_TIME_OUT, now);
}

static void fifo_free(admission *a)
{
    free(a->impl);
}

static const admission_ops fifo_ops = {"fifo",     fifo_acquire,    fifo_release, fifo_cancel,
                                       fifo_reset, fifo_set_limits, fifo_advance, fifo_free};

typedef struct heard {
    uint32_t dispatched[16], rejected[16];
    int nd, nr;
    admission *a; /* for a hook that re-enters */
} heard;

static void heard_dispatch(void *ctx, uint32_t id)
{
    heard *h = ctx;
    h->dispatched[h->nd++] = id;
    if (id == 99) /* a hook may call the admission: this one releases its seat at once */
        admission_release(h->a, MUT, id, 0.0);
}

static void heard_reject(void *ctx, uint32_t id, enum admission_reason why)
{
    heard *h = ctx;
    assert_int_equal(why, ADMISSION_TIME_OUT);
    h->rejected[h->nr++] = id;
}

static admission *new_fifo(heard *h, int ro, int mut)
{
    memset(h, 0, sizeof *h);
    admission_hooks hooks = {h, heard_dispatch, heard_reject, NULL};
    fifo *f = calloc(1, sizeof *f);
    assert_non_null(f);
    h->a = admission_alloc(&fifo_ops, f, (admission_limits){ro, mut}, &hooks, 0.0);
    return h->a;
}

static void test_queue_dispatch(void **state)
{
    (void)state;
    heard h;
    admission *a = new_fifo(&h, 1, 1);
    assert_int_equal(admission_acquire(a, MUT, 1, 0.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, MUT, 2, 0.0, NULL), ADMISSION_QUEUED);
    assert_int_equal(admission_acquire(a, MUT, 3, 1.0, NULL), ADMISSION_QUEUED);
    admission_gauges g;
    admission_current(a, &g);
    assert_near(g.inflight[ADMISSION_MUTATING], 1, 0);
    assert_near(g.inqueue[ADMISSION_MUTATING], 2, 0);
    assert_near(g.inqueue[ADMISSION_READONLY], 0, 0);
    /* a release dispatches the head through the hook: counts move from queue to seat */
    admission_release(a, MUT, 1, 2.0);
    assert_int_equal(h.nd, 1);
    assert_int_equal(h.dispatched[0], 2);
    admission_current(a, &g);
    assert_near(g.inflight[ADMISSION_MUTATING], 1, 0);
    assert_near(g.inqueue[ADMISSION_MUTATING], 1, 0);
    /* in queue: 1 on [0,1), 2 on [1,2), 1 on [2,4): 5 / 4 */
    admission_gauges avg;
    admission_sample(a, 4.0, 4.0, &avg);
    assert_near(avg.inqueue[ADMISSION_MUTATING], 1.25, 1e-12);
    assert_near(avg.inflight[ADMISSION_MUTATING], 1.0, 1e-12);
    assert_int_equal(admission_rejected(a, ADMISSION_QUEUE_FULL), 0);
    admission_free(a);
}

static void test_queue_reject_cancel_reset(void **state)
{
    (void)state;
    heard h;
    admission *a = new_fifo(&h, 1, 1);
    assert_int_equal(admission_acquire(a, MUT, 1, 0.0, NULL), ADMISSION_EXECUTE);
    for (uint32_t id = 2; id < 2 + QMAX; id++)
        assert_int_equal(admission_acquire(a, MUT, id, 0.0, NULL), ADMISSION_QUEUED);
    enum admission_reason why = ADMISSION_CANCELLED;
    assert_int_equal(admission_acquire(a, MUT, 9, 0.0, &why), ADMISSION_REJECTED);
    assert_int_equal(why, ADMISSION_QUEUE_FULL);
    /* a client leaves: out of the queue, counted as cancelled; not twice */
    assert_true(admission_cancel(a, MUT, 3, 0.5));
    assert_false(admission_cancel(a, MUT, 3, 0.5));
    assert_false(admission_cancel(a, MUT, 1, 0.5)); /* holds a seat */
    assert_int_equal(admission_rejected(a, ADMISSION_CANCELLED), 1);
    /* wait limits: the rest of the queue rejected through the hook, in order */
    admission_advance(a, 1.0);
    assert_int_equal(h.nr, QMAX - 1);
    assert_int_equal(h.rejected[0], 2);
    assert_int_equal(h.rejected[1], 4);
    assert_int_equal(admission_rejected(a, ADMISSION_TIME_OUT), QMAX - 1);
    admission_gauges g;
    admission_current(a, &g);
    assert_near(g.inqueue[ADMISSION_MUTATING], 0, 0);
    /* a restart drops seats and queue without a hook */
    admission_gauges avg;
    admission_sample(a, 1.0, 1.0, &avg);
    assert_int_equal(admission_acquire(a, MUT, 20, 1.0, NULL), ADMISSION_QUEUED);
    admission_reset(a, 2.0);
    admission_current(a, &g);
    assert_near(g.inflight[ADMISSION_MUTATING] + g.inqueue[ADMISSION_MUTATING], 0, 0);
    admission_sample(a, 3.0, 2.0, &avg); /* queued 1 on [1,2), 0 from the restart on */
    assert_near(avg.inqueue[ADMISSION_MUTATING], 0.5, 1e-12);
    assert_near(avg.inflight[ADMISSION_MUTATING], 0.5, 1e-12);
    assert_int_equal(h.nd, 0);
    assert_int_equal(admission_rejected(a, ADMISSION_QUEUE_FULL), 1); /* counters keep running */
    /* a hook may re-enter: request 99 is dispatched and released from inside its hook */
    assert_int_equal(admission_acquire(a, MUT, 30, 3.0, NULL), ADMISSION_EXECUTE);
    assert_int_equal(admission_acquire(a, MUT, 99, 3.0, NULL), ADMISSION_QUEUED);
    assert_int_equal(admission_acquire(a, MUT, 31, 3.0, NULL), ADMISSION_QUEUED);
    admission_release(a, MUT, 30, 4.0); /* 99 dispatched, released by its hook, 31 dispatched */
    assert_int_equal(h.nd, 2);
    assert_int_equal(h.dispatched[0], 99);
    assert_int_equal(h.dispatched[1], 31);
    admission_current(a, &g);
    assert_near(g.inflight[ADMISSION_MUTATING], 1, 0);
    assert_near(g.inqueue[ADMISSION_MUTATING], 0, 0);
    admission_free(a);
}

/* The common part checks what a policy reports: counts never go below 0, an exempt request is
 * never queued or rejected. */
static void expect_abort(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *f = freopen("/dev/null", "w", stderr);
        (void)f;
        fn();
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
}

static void free_unheld(void)
{
    heard h;
    admission *a = new_fifo(&h, 1, 1);
    admission_seat_freed(a, ADMISSION_MUTATING, 0.0);
}

static void cancel_unqueued(void)
{
    heard h;
    admission_report_cancel(new_fifo(&h, 1, 1), ADMISSION_READONLY, 0.0);
}

static void queue_exempt(void)
{
    heard h;
    admission_queued(new_fifo(&h, 1, 1), LOOPBACK, 0.0);
}

static void reject_exempt(void)
{
    heard h;
    admission_rejected_at_once(new_fifo(&h, 1, 1), LOOPBACK, ADMISSION_QUEUE_FULL, 0.0, NULL);
}

static void test_policy_checks(void **state)
{
    (void)state;
    expect_abort(free_unheld);
    expect_abort(cancel_unqueued);
    expect_abort(queue_exempt);
    expect_abort(reject_exempt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_and_reject),
        cmocka_unit_test(test_exempt),
        cmocka_unit_test(test_release),
        cmocka_unit_test(test_release_unheld_aborts),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_cap_change),
        cmocka_unit_test(test_gauges),
        cmocka_unit_test(test_never_queues),
        cmocka_unit_test(test_reason_names),
        cmocka_unit_test(test_queue_dispatch),
        cmocka_unit_test(test_queue_reject_cancel_reset),
        cmocka_unit_test(test_policy_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
