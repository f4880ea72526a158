/* test_apf: API Priority and Fairness on a hand-set clock: limits from shares, configuration
 * errors, shuffle sharding, queue choice, fair queuing by seat-seconds, the three 429 reasons,
 * cancel, reset, exempt levels, borrowing, and M/M/c/(c+K) under Poisson load. */
#include "testutil.h"

#include "apf.h"
#include "rng.h"

#include <gsl/gsl_randist.h>
#include <string.h>

/* ---- helpers ---- */

static apf *make(int server, double wait_s, const apf_level_config *lv, int n)
{
    apf_config c = {.server_concurrency = server,
                    .max_queue_wait_s = wait_s,
                    .estimated_service_s = APF_ESTIMATED_SERVICE_S,
                    .levels = lv,
                    .nlevels = n};
    err e;
    err_clear(&e);
    apf *a = apf_new(&c, 0.0, &e);
    if (!a)
        fail_msg("apf_new: %s", e.msg);
    return a;
}

/* One limited level holding all the shares: its limit is the server concurrency. */
static apf *one_level_g(int cl, int queues, int hand, int qlimit, double wait_s, double g_s)
{
    apf_level_config lv = {.name = "l",
                           .shares = 1,
                           .queues = queues,
                           .hand_size = hand,
                           .queue_length_limit = qlimit};
    apf_config c = {.server_concurrency = cl,
                    .max_queue_wait_s = wait_s,
                    .estimated_service_s = g_s,
                    .levels = &lv,
                    .nlevels = 1};
    err e;
    err_clear(&e);
    apf *a = apf_new(&c, 0.0, &e);
    if (!a)
        fail_msg("apf_new: %s", e.msg);
    return a;
}

static apf *one_level(int cl, int queues, int hand, int qlimit, double wait_s)
{
    return one_level_g(cl, queues, hand, qlimit, wait_s, APF_ESTIMATED_SERVICE_S);
}

/* A flow key whose hand (of size 1) at level 0 is not `other`. */
static uint64_t key_off(const apf *a, int other, uint64_t from)
{
    for (uint64_t k = from; k < from + 10000; k++) {
        int h;
        apf_hand(a, 0, rng_mix(k), &h);
        if (h != other)
            return rng_mix(k);
    }
    fail_msg("no flow key off queue %d", other);
    return 0;
}

/* Records what the callbacks report. */
typedef struct seen {
    int n;
    uint32_t id[64];
    apf_ticket t[64];
    enum apf_reason why[64];
} seen;

static void on_dispatch(void *ctx, uint32_t id, apf_ticket t)
{
    seen *s = ctx;
    assert_true(s->n < 64);
    s->id[s->n] = id;
    s->t[s->n++] = t;
}

static void on_reject(void *ctx, uint32_t id, enum apf_reason why)
{
    seen *s = ctx;
    assert_true(s->n < 64);
    s->id[s->n] = id;
    s->why[s->n++] = why;
}

static enum apf_admit admit(apf *a, int level, uint64_t flow, int width, uint32_t id, double now,
                            seen *sn, apf_ticket *t, enum apf_reason *why)
{
    return apf_admit(a, level, flow, width, id, now, on_dispatch, sn, t, why);
}

/* ---- limits and configuration ---- */

/* apf_controller.go: ceil(server * shares / sum of shares), per level. */
static void test_limits_from_shares(void **state)
{
    (void)state;
    /* The 1.18-era bootstrap levels (bootstrap/default.go, k8s-facts.md section 10). */
    apf_level_config lv[] = {
        {.name = "exempt", .exempt = true},
        {.name = "system", .shares = 30, .queues = 64, .hand_size = 6, .queue_length_limit = 1000},
        {.name = "leader-election",
         .shares = 10,
         .queues = 16,
         .hand_size = 4,
         .queue_length_limit = 100},
        {.name = "workload-high",
         .shares = 40,
         .queues = 128,
         .hand_size = 6,
         .queue_length_limit = 100},
        {.name = "workload-low",
         .shares = 20,
         .queues = 128,
         .hand_size = 6,
         .queue_length_limit = 100},
        {.name = "catch-all",
         .shares = 100,
         .queues = 128,
         .hand_size = 6,
         .queue_length_limit = 100},
    };
    int n = (int)(sizeof lv / sizeof lv[0]);
    /* 600 * s / 200: all exact. */
    const int at600[] = {0, 90, 30, 120, 60, 300};
    /* 7 * s / 200 = 1.05, 0.35, 1.4, 0.7, 3.5: each rounded up, none floored at 1 by hand. */
    const int at7[] = {0, 2, 1, 2, 1, 4};
    apf *a = make(600, 15.0, lv, n), *b = make(7, 15.0, lv, n);
    assert_int_equal(apf_nlevels(a), n);
    for (int k = 0; k < n; k++) {
        assert_int_equal(apf_level_index(a, lv[k].name), k);
        const apf_level_stats *s = apf_stats(a, k), *t = apf_stats(b, k);
        assert_int_equal(s->nominal_limit_seats, at600[k]);
        assert_int_equal(t->nominal_limit_seats, at7[k]);
        /* Nothing lendable: the first allocation gives every level its nominal limit. */
        assert_int_equal(s->current_limit_seats, at600[k]);
        assert_int_equal(t->current_limit_seats, at7[k]);
        assert_int_equal(s->lower_limit_seats, at600[k]);
        /* No borrowing limit: the whole server may be borrowed. */
        assert_int_equal(s->upper_limit_seats, at600[k] + 600);
    }
    assert_int_equal(apf_level_index(a, "node-high"), -1);
    apf_free(a);
    apf_free(b);

    /* Lendable and borrowing percentages are rounded from the nominal limit; the shares of an
     * exempt level count in the divisor (1.28). 90 * 25 % = 22.5 -> 23, 90 * 33 % = 29.7. */
    apf_level_config lb[] = {
        {.name = "exempt",
         .exempt = true,
         .shares = 10,
         .borrowing_limited = true,
         .borrowing_limit_percent = 5},
        {.name = "x",
         .shares = 90,
         .lendable_percent = 25,
         .borrowing_limited = true,
         .borrowing_limit_percent = 33},
    };
    a = make(100, 15.0, lb, 2);
    assert_int_equal(apf_stats(a, 0)->nominal_limit_seats, 10);
    assert_int_equal(apf_stats(a, 0)->upper_limit_seats, 10 + 100);
    assert_int_equal(apf_stats(a, 1)->nominal_limit_seats, 90);
    assert_int_equal(apf_stats(a, 1)->lower_limit_seats, 90 - 23);
    assert_int_equal(apf_stats(a, 1)->upper_limit_seats, 90 + 30);
    apf_free(a);
    apf_free(NULL);
}

static void test_config_errors(void **state)
{
    (void)state;
    static const struct {
        apf_level_config lv;
        const char *msg;
    } bad[] = {
        {{.name = "a", .shares = 1, .queues = 4, .hand_size = 5, .queue_length_limit = 1},
         "apf: level a: hand_size: must be in 1..4 (got 5)"},
        {{.name = "a", .shares = 1, .queues = 1024, .hand_size = 7, .queue_length_limit = 1},
         "apf: level a: queues 1024 and hand_size 7 need 70 bits of hash (at most 60)"},
        {{.name = "a", .shares = 1, .queues = 4, .hand_size = 2, .queue_length_limit = 0},
         "apf: level a: queue_length_limit: must be >= 1 (got 0)"},
        {{.name = "a", .shares = -1}, "apf: level a: shares: must be >= 0 (got -1)"},
        {{.name = "a", .shares = 0},
         "apf: levels: the shares sum to 0, so no level has a "
         "concurrency limit"},
        {{.name = "a", .shares = 1, .lendable_percent = 101},
         "apf: level a: lendable_percent: must be in 0..100 (got 101)"},
        {{.name = "a", .exempt = true, .queues = 2},
         "apf: level a: queues: an exempt level never queues (got 2)"},
        {{.name = "", .shares = 1}, "apf: levels[0]: name: must be a non-empty string"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        apf_config c = {.server_concurrency = 10,
                        .max_queue_wait_s = 15,
                        .estimated_service_s = APF_ESTIMATED_SERVICE_S,
                        .levels = &bad[k].lv,
                        .nlevels = 1};
        err e;
        err_clear(&e);
        assert_null(apf_new(&c, 0.0, &e));
        assert_string_equal(e.msg, bad[k].msg);
    }
    apf_level_config two[] = {{.name = "a", .shares = 1}, {.name = "a", .shares = 1}};
    apf_config c = {.server_concurrency = 10,
                    .max_queue_wait_s = 15,
                    .estimated_service_s = APF_ESTIMATED_SERVICE_S,
                    .levels = two,
                    .nlevels = 2};
    err e;
    err_clear(&e);
    assert_null(apf_new(&c, 0.0, &e));
    assert_string_equal(e.msg, "apf: level a: name: defined twice");
    c.nlevels = 1;
    c.max_queue_wait_s = 0;
    err_clear(&e);
    assert_null(apf_new(&c, 0.0, &e));
    assert_string_equal(e.msg, "apf: max_queue_wait_s: must be > 0 (got 0)");
}

/* ---- shuffle sharding ---- */

static void test_deal(void **state)
{
    (void)state;
    /* By hand, deck 10, hand 3, hash 123: digits 123 % 10 = 3, 12 % 9 = 3, 1 % 8 = 1; card 0 is
     * 3; card 1 is 3, stepped over digit 3 -> 4; card 2 is 1, below both earlier digits -> 1. */
    apf *a = one_level(1, 10, 3, 1, INFINITY);
    int hand[APF_MAX_HAND];
    assert_int_equal(apf_hand(a, 0, 123, hand), 3);
    assert_int_equal(hand[0], 3);
    assert_int_equal(hand[1], 4);
    assert_int_equal(hand[2], 1);
    apf_free(a);

    /* Distinct cards in range, the same hand every time, for several deck and hand sizes. */
    static const int dh[][2] = {{128, 6}, {64, 6}, {16, 4}, {15, 15}, {7, 7}, {1, 1}};
    for (size_t k = 0; k < sizeof dh / sizeof dh[0]; k++) {
        a = one_level(1, dh[k][0], dh[k][1], 1, INFINITY);
        for (uint64_t f = 0; f < 20000; f++) {
            uint64_t key = rng_mix(f);
            int h1[APF_MAX_HAND], h2[APF_MAX_HAND];
            assert_int_equal(apf_hand(a, 0, key, h1), dh[k][1]);
            apf_hand(a, 0, key, h2);
            unsigned char used[128] = {0};
            for (int i = 0; i < dh[k][1]; i++) {
                assert_int_equal(h1[i], h2[i]);
                assert_true(h1[i] >= 0 && h1[i] < dh[k][0]);
                assert_int_equal(used[h1[i]], 0);
                used[h1[i]] = 1;
            }
        }
        apf_free(a);
    }
}

/* Chi-square of card counts over 128 queues for fixed keys; the bound is the 1e-6 upper
 * quantile, which a uniform deal passes for all but one key set in a million. */
static void test_deal_uniform(void **state)
{
    (void)state;
    enum {
        DECK = 128,
        HAND = 6,
        KEYS = 20000
    };
    apf *a = one_level(1, DECK, HAND, 1, INFINITY);
    double all[DECK] = {0}, first[DECK] = {0};
    for (uint64_t f = 0; f < KEYS; f++) {
        int h[APF_MAX_HAND];
        apf_hand(a, 0, rng_mix(f ^ 0x5eed), h);
        first[h[0]]++;
        for (int i = 0; i < HAND; i++)
            all[h[i]]++;
    }
    double chi_all = 0, chi_first = 0, e_all = (double)KEYS * HAND / DECK,
           e_first = (double)KEYS / DECK;
    for (int q = 0; q < DECK; q++) {
        assert_true(all[q] > 0);
        chi_all += (all[q] - e_all) * (all[q] - e_all) / e_all;
        chi_first += (first[q] - e_first) * (first[q] - e_first) / e_first;
    }
    double bound = gsl_cdf_chisq_Qinv(1e-6, DECK - 1);
    printf("shuffle sharding: chi2 over %d queues: all cards %.1f, first card %.1f, bound %.1f\n",
           DECK, chi_all, chi_first, bound);
    assert_true(chi_all < bound);
    assert_true(chi_first < bound);
    apf_free(a);
}

/* queueset.go shuffleShardLocked: the least-loaded queue of the hand, visited from an offset
 * that moves with every arrival, so equal queues are taken in turn. */
static void test_queue_choice(void **state)
{
    (void)state;
    apf *a = one_level(1, 8, 4, 100, INFINITY);
    int h[APF_MAX_HAND];
    apf_hand(a, 0, 42, h);
    seen sn = {0};
    apf_ticket t;
    /* The first runs at once (its queue is empty again); the next four are spread over the
     * hand in the order hand[1], hand[2], hand[3], hand[0]. */
    assert_int_equal(admit(a, 0, 42, 1, 0, 0.0, &sn, &t, NULL), APF_EXECUTE);
    const int order[] = {1, 2, 3, 0};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(admit(a, 0, 42, 1, (uint32_t)k + 1, 0.0, &sn, NULL, NULL), APF_QUEUED);
        for (int j = 0; j < 4; j++)
            assert_int_equal(apf_queue_length(a, 0, h[order[j]]), j <= k ? 1 : 0);
    }
    /* Then the shortest wins whatever the offset: a wider request weighs more. */
    apf *b = one_level(1, 8, 2, 100, INFINITY);
    apf_hand(b, 0, 7, h);
    assert_int_equal(admit(b, 0, 7, 1, 0, 0.0, &sn, NULL, NULL), APF_EXECUTE);
    assert_int_equal(admit(b, 0, 7, 3, 1, 0.0, &sn, NULL, NULL), APF_QUEUED); /* to hand[1] */
    assert_int_equal(admit(b, 0, 7, 1, 2, 0.0, &sn, NULL, NULL), APF_QUEUED); /* to hand[0] */
    assert_int_equal(admit(b, 0, 7, 1, 3, 0.0, &sn, NULL, NULL), APF_QUEUED); /* 1 < 3 seats */
    assert_int_equal(apf_queue_length(b, 0, h[0]), 2);
    assert_int_equal(apf_queue_length(b, 0, h[1]), 1);
    assert_int_equal(sn.n, 0);
    apf_free(a);
    apf_free(b);
}

/* ---- fair queuing on a hand-set clock ---- */

typedef struct flowspec {
    int width;
    double service_s;
    double period_s; /* one arrival every period_s, open loop */
} flowspec;

enum {
    MAXF = 8,
    MAXEXEC = 64
};

typedef struct fairsim {
    apf *a;
    double now;
    const flowspec *f;
    int nf;
    struct {
        double at;
        apf_ticket t;
    } exec[MAXEXEC];
    int nexec;
    double dispatched[MAXF], seat_s[MAXF];
} fairsim;

static void fair_start(fairsim *s, uint32_t flow, apf_ticket t)
{
    assert_true(s->nexec < MAXEXEC);
    s->exec[s->nexec].at = s->now + s->f[flow].service_s;
    s->exec[s->nexec++].t = t;
    s->dispatched[flow]++;
    s->seat_s[flow] += s->f[flow].width * s->f[flow].service_s;
}

static void fair_dispatch(void *ctx, uint32_t id, apf_ticket t)
{
    fair_start(ctx, id, t);
}

/* Flows on distinct queues (hand 1) of one level with cl seats, run for T seconds; the caller's
 * id is the flow. */
static void run_fair(fairsim *s, const flowspec *f, int nf, int cl, double g_s, double T)
{
    memset(s, 0, sizeof *s);
    s->a = one_level_g(cl, 64, 1, 1000000, INFINITY, g_s);
    s->f = f;
    s->nf = nf;
    uint64_t key[MAXF];
    int used[64] = {0}, h;
    for (uint64_t k = 0, n = 0; n < (uint64_t)nf; k++) {
        assert_true(k < 10000);
        apf_hand(s->a, 0, rng_mix(k), &h);
        if (!used[h]) {
            used[h] = 1;
            key[n++] = rng_mix(k);
        }
    }
    double next[MAXF];
    for (int i = 0; i < nf; i++)
        next[i] = f[i].period_s * i / nf;
    for (;;) {
        int fi = 0, ei = -1;
        for (int i = 1; i < nf; i++)
            if (next[i] < next[fi])
                fi = i;
        for (int e = 0; e < s->nexec; e++)
            if (ei < 0 || s->exec[e].at < s->exec[ei].at)
                ei = e;
        double t_fin = ei >= 0 ? s->exec[ei].at : INFINITY;
        if (fmin(next[fi], t_fin) > T)
            break;
        if (t_fin <= next[fi]) {
            apf_ticket t = s->exec[ei].t;
            s->exec[ei] = s->exec[--s->nexec];
            s->now = t_fin;
            apf_finish(s->a, t, t_fin, fair_dispatch, s);
        } else {
            s->now = next[fi];
            apf_ticket t;
            if (apf_admit(s->a, 0, key[fi], f[fi].width, (uint32_t)fi, s->now, fair_dispatch, s, &t,
                          NULL) == APF_EXECUTE)
                fair_start(s, (uint32_t)fi, t);
            next[fi] += f[fi].period_s;
        }
    }
    apf_free(s->a);
}

/* Each flow's seat-seconds within 10 % of their mean (the queueset tests' margin). */
static void expect_fair(const fairsim *s, const char *name)
{
    double mean = 0;
    for (int i = 0; i < s->nf; i++)
        mean += s->seat_s[i] / s->nf;
    printf("fair queuing, %s:", name);
    for (int i = 0; i < s->nf; i++)
        printf(" flow %d %.0f req %.0f seat-s;", i, s->dispatched[i], s->seat_s[i]);
    printf("\n");
    for (int i = 0; i < s->nf; i++)
        if (fabs(s->seat_s[i] - mean) > 0.1 * mean)
            fail_msg("%s: flow %d got %.0f seat-s, mean %.0f", name, i, s->seat_s[i], mean);
}

/* Four flows offering 8, 2, 2 and 2 requests a second to 4 seats of 1 s: each gets a quarter,
 * though one sends as many as the other three together (FIFO would give it 4/7). */
static void test_fair_equal(void **state)
{
    (void)state;
    fairsim s;
    flowspec f[] = {{1, 1.0, 1.0 / 8}, {1, 1.0, 0.5}, {1, 1.0, 0.5}, {1, 1.0, 0.5}};
    run_fair(&s, f, 4, 4, APF_ESTIMATED_SERVICE_S, 2000);
    expect_fair(&s, "4 flows, one sending 4x");
    for (int i = 1; i < 4; i++)
        assert_near(s.dispatched[0], s.dispatched[i], 0.1 * s.dispatched[i]);
}

/* Twice the width: half the requests, equal seat-seconds (the work of a request is width * G
 * in the virtual world). */
static void test_fair_width(void **state)
{
    (void)state;
    fairsim s;
    flowspec f[] = {{2, 1.0, 0.25}, {1, 1.0, 0.25}, {1, 1.0, 0.25}};
    run_fair(&s, f, 3, 6, APF_ESTIMATED_SERVICE_S, 2000);
    expect_fair(&s, "width 2 vs 1");
    assert_near(2 * s.dispatched[0], s.dispatched[1], 0.1 * s.dispatched[1]);
    /* With G equal to the service time the finish corrects nothing, so the charge of width * G
     * at dispatch alone must give the split. */
    run_fair(&s, f, 3, 6, 1.0, 2000);
    expect_fair(&s, "width 2 vs 1, G = S");
    assert_near(2 * s.dispatched[0], s.dispatched[1], 0.1 * s.dispatched[1]);
}

/* queueset.go boundNextDispatchLocked (anti-windup). Two seats: A's one long request holds one
 * from 0 to 100 s while B's backlog of 1 s requests uses the other, so R reaches 49.5 at
 * 49.5 s while A's virtual start stays at G. A then sends 10 short requests. Bounded by their
 * virtual arrival, A's start is 49.5 and it alternates with B (whose start is 50 after 50
 * requests); unbounded, A would take the next 10 seats in a row. */
static void test_anti_windup(void **state)
{
    (void)state;
    seen sn = {0};
    apf *a = one_level(2, 2, 1, 1000, INFINITY);
    uint64_t fa = rng_mix(0);
    int h;
    apf_hand(a, 0, fa, &h);
    uint64_t fb = key_off(a, h, 1);
    apf_ticket tb;
    assert_int_equal(admit(a, 0, fa, 1, 0, 0.0, &sn, NULL, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 0, fb, 1, 100, 0.0, &sn, &tb, NULL), APF_EXECUTE);
    for (uint32_t k = 1; k < 200; k++)
        assert_int_equal(admit(a, 0, fb, 1, 100 + k, 0.0, &sn, NULL, NULL), APF_QUEUED);
    for (int t = 1; t < 50; t++) {
        sn.n = 0;
        apf_finish(a, tb, t, on_dispatch, &sn);
        assert_int_equal(sn.n, 1);
        assert_int_equal(sn.id[0], 100 + t);
        tb = sn.t[0];
    }
    for (uint32_t k = 1; k <= 10; k++)
        assert_int_equal(admit(a, 0, fa, 1, k, 49.5, &sn, NULL, NULL), APF_QUEUED);
    int from_a = 0;
    for (int t = 50; t < 60; t++) {
        sn.n = 0;
        apf_finish(a, tb, t, on_dispatch, &sn);
        assert_int_equal(sn.n, 1);
        from_a += sn.id[0] < 100;
        tb = sn.t[0];
    }
    printf("anti-windup: A got %d of the 10 seats after it came back\n", from_a);
    assert_true(from_a >= 4 && from_a <= 6);
    apf_free(a);
}

/* Twice the service time: half the requests, equal seat-seconds, through the correction of the
 * queue's virtual start by S - G when a request finishes (with G alone they would tie). */
static void test_fair_duration(void **state)
{
    (void)state;
    fairsim s;
    flowspec f[] = {{1, 2.0, 0.25}, {1, 1.0, 0.25}, {1, 1.0, 0.25}};
    run_fair(&s, f, 3, 4, APF_ESTIMATED_SERVICE_S, 2000);
    expect_fair(&s, "service 2 s vs 1 s");
    assert_near(2 * s.dispatched[0], s.dispatched[1], 0.1 * s.dispatched[1]);
}

/* A flow asking less than its share gets all it asks; the rest is shared by the others. */
static void test_fair_light_flow(void **state)
{
    (void)state;
    fairsim s;
    flowspec f[] = {{1, 1.0, 2.0}, {1, 1.0, 0.2}, {1, 1.0, 0.2}};
    run_fair(&s, f, 3, 4, APF_ESTIMATED_SERVICE_S, 2000);
    printf("fair queuing, light flow: %.0f of %.0f offered; others %.0f, %.0f\n", s.dispatched[0],
           2000 / 2.0, s.dispatched[1], s.dispatched[2]);
    assert_near(s.dispatched[0], 1000, 2);
    assert_near(s.dispatched[1], 3500, 350);
    assert_near(s.dispatched[2], 3500, 350);
}

/* ---- rejections ---- */

static void test_queue_full(void **state)
{
    (void)state;
    seen sn = {0};
    apf *a = one_level(1, 1, 1, 2, INFINITY);
    enum apf_reason why = APF_REASON_COUNT;
    apf_ticket t0, t1;
    assert_int_equal(admit(a, 0, 9, 1, 0, 0.0, &sn, &t0, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 0, 9, 1, 1, 0.1, &sn, &t1, NULL), APF_QUEUED);
    assert_int_equal(admit(a, 0, 9, 1, 2, 0.2, &sn, NULL, NULL), APF_QUEUED);
    assert_int_equal(admit(a, 0, 9, 1, 3, 0.3, &sn, NULL, &why), APF_REJECTED);
    assert_int_equal(why, APF_QUEUE_FULL);
    const apf_level_stats *st = apf_stats(a, 0);
    assert_int_equal(st->current_executing_requests, 1);
    assert_int_equal(st->current_inqueue_requests, 2);
    assert_int_equal(st->rejected_requests_total[APF_QUEUE_FULL], 1);
    assert_int_equal(st->dispatched_requests_total, 1);
    /* A finish lets the head in, FIFO, through the callback. */
    apf_finish(a, t0, 1.0, on_dispatch, &sn);
    assert_int_equal(sn.n, 1);
    assert_int_equal(sn.id[0], 1);
    assert_true(sn.t[0] == t1);
    assert_false(apf_ticket_live(a, t0));
    assert_int_equal(st->current_inqueue_requests, 1);
    assert_int_equal(st->dispatched_requests_total, 2);
    assert_int_equal(admit(a, 0, 9, 1, 4, 1.0, &sn, NULL, NULL), APF_QUEUED);
    apf_free(a);

    /* rejectOrEnqueueToBoundLocked: a full queue rejects only while every seat is in use. Here
     * a wide head waits for seats that are partly free, and a narrow request joins it. */
    sn.n = 0;
    a = one_level(3, 1, 1, 1, INFINITY);
    assert_int_equal(admit(a, 0, 9, 2, 0, 0.0, &sn, &t0, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 0, 9, 2, 1, 0.0, &sn, NULL, NULL), APF_QUEUED);
    assert_int_equal(admit(a, 0, 9, 1, 2, 0.0, &sn, NULL, NULL), APF_QUEUED);
    assert_int_equal(apf_queue_length(a, 0, 0), 2);
    /* Nor does the narrow one overtake the wide head; both go when the seats free up. */
    assert_int_equal(apf_stats(a, 0)->current_executing_seats, 2);
    apf_finish(a, t0, 1.0, on_dispatch, &sn);
    assert_int_equal(sn.n, 2);
    assert_int_equal(sn.id[0], 1);
    assert_int_equal(sn.id[1], 2);
    assert_int_equal(apf_stats(a, 0)->current_executing_seats, 3);
    apf_free(a);
}

/* findDispatchQueueToBoundLocked: when the head with the least virtual finish does not fit in
 * the free seats, nothing is dispatched; a narrower head in another queue does not overtake. */
static void test_wide_head_blocks(void **state)
{
    (void)state;
    seen sn = {0};
    apf *a = one_level(3, 2, 1, 10, INFINITY);
    uint64_t fa = rng_mix(0);
    int h;
    apf_hand(a, 0, fa, &h);
    uint64_t fb = key_off(a, h, 1);
    apf_ticket t0;
    assert_int_equal(admit(a, 0, fa, 2, 0, 0.0, &sn, &t0, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 0, fa, 2, 1, 0.0, &sn, NULL, NULL), APF_QUEUED);
    /* By 1 s queue A's head finishes at 4G in the virtual world, while B, idle until now,
     * starts at R = 3 (R grew at min(4, 3) seats / 1 active queue). One seat is free. */
    assert_int_equal(admit(a, 0, fb, 1, 2, 1.0, &sn, NULL, NULL), APF_QUEUED);
    assert_int_equal(apf_stats(a, 0)->current_executing_seats, 2);
    assert_int_equal(sn.n, 0);
    /* The finish charges A for the 2 seats * 2 s its request really took: A's head now
     * finishes at 4 + 2G, after B's at 3 + G, so B goes first and then A's head fits. */
    apf_finish(a, t0, 2.0, on_dispatch, &sn);
    assert_int_equal(sn.n, 2);
    assert_int_equal(sn.id[0], 2);
    assert_int_equal(sn.id[1], 1);
    apf_free(a);
}

/* The flow key whose hand (of size 1) at level 0 is queue q. */
static uint64_t key_on(const apf *a, int q)
{
    for (uint64_t k = 0; k < 10000; k++) {
        int h;
        apf_hand(a, 0, rng_mix(k), &h);
        if (h == q)
            return rng_mix(k);
    }
    fail_msg("no flow key on queue %d", q);
    return 0;
}

/* Equal virtual finishes go round-robin from the queue after the one last dispatched. Zero
 * service times bring each queue back to the same virtual start after every request. */
static void test_round_robin_ties(void **state)
{
    (void)state;
    seen sn = {0};
    apf *a = one_level(1, 3, 1, 10, INFINITY);
    uint64_t f[3] = {key_on(a, 0), key_on(a, 1), key_on(a, 2)};
    apf_ticket t;
    assert_int_equal(admit(a, 0, f[0], 1, 0, 0.0, &sn, &t, NULL), APF_EXECUTE);
    for (uint32_t k = 1; k < 6; k++)
        assert_int_equal(admit(a, 0, f[k % 3], 1, k, 0.0, &sn, NULL, NULL), APF_QUEUED);
    /* Queued: ids 3 on queue 0, 1 and 4 on queue 1, 2 and 5 on queue 2. */
    const uint32_t order[] = {1, 2, 3, 4, 5};
    for (int k = 0; k < 5; k++) {
        sn.n = 0;
        apf_finish(a, t, 0.0, on_dispatch, &sn);
        assert_int_equal(sn.n, 1);
        assert_int_equal(sn.id[0], order[k]);
        t = sn.t[0];
    }
    apf_free(a);
}

/* queueset.go getVirtualTimeRatioLocked: R grows at min(seats in use + waiting, limit) over the
 * number of queues with requests, counted as they come and go. Three seats. At 0 a request on
 * queue C runs and ends at once, so C is idle again; A runs a 2-seat request and queues
 * another: R grows at min(4, 3) / 1 = 3 a second, and B, arriving idle at 1 s, starts at
 * R = 3. A's request ends at 1.2 s: A is charged 2 seats * 1.2 s, so its head finishes at
 * 2.4 + 2G, before B's at 3 + G. (Were C still counted, R would be 1.5 at 1 s and B first.) */
static void test_virtual_clock(void **state)
{
    (void)state;
    seen sn = {0};
    apf *a = one_level(3, 3, 1, 10, INFINITY);
    uint64_t fa = key_on(a, 0), fb = key_on(a, 1), fc = key_on(a, 2);
    apf_ticket tc, t0;
    assert_int_equal(admit(a, 0, fc, 1, 9, 0.0, &sn, &tc, NULL), APF_EXECUTE);
    apf_finish(a, tc, 0.0, on_dispatch, &sn);
    assert_int_equal(admit(a, 0, fa, 2, 0, 0.0, &sn, &t0, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 0, fa, 2, 1, 0.0, &sn, NULL, NULL), APF_QUEUED);
    assert_int_equal(admit(a, 0, fb, 1, 2, 1.0, &sn, NULL, NULL), APF_QUEUED);
    apf_finish(a, t0, 1.2, on_dispatch, &sn);
    assert_int_equal(sn.n, 2);
    assert_int_equal(sn.id[0], 1);
    assert_int_equal(sn.id[1], 2);
    apf_free(a);

    /* The same with C idle again because its only request, queued, was cancelled. */
    sn.n = 0;
    a = one_level(3, 3, 1, 10, INFINITY);
    assert_int_equal(admit(a, 0, fa, 2, 0, 0.0, &sn, &t0, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 0, fc, 2, 9, 0.0, &sn, &tc, NULL), APF_QUEUED);
    assert_true(apf_cancel(a, tc, 0.0));
    assert_int_equal(admit(a, 0, fa, 2, 1, 0.0, &sn, NULL, NULL), APF_QUEUED);
    assert_int_equal(admit(a, 0, fb, 1, 2, 1.0, &sn, NULL, NULL), APF_QUEUED);
    apf_finish(a, t0, 1.2, on_dispatch, &sn);
    assert_int_equal(sn.n, 2);
    assert_int_equal(sn.id[0], 1);
    assert_int_equal(sn.id[1], 2);
    apf_free(a);
}

/* enqueueToBoundLocked: a queue that went idle starts again at R, its past use forgiven. Four
 * seats; A's 4-seat request runs 0..10 s while B's backlog waits (R grows at 4 / 2 = 2 a second,
 * to 20). A is charged 40 seat-seconds; B's start is still 0. At 10 s B runs 4 at a time, 1 s
 * each, and A, idle, sends one request at R = 20: B's start reaches 20 after about 20
 * requests, and only then does A's request go. (Starting from A's stale 40, it would wait for
 * about 40.) */
static void test_idle_restart(void **state)
{
    (void)state;
    seen sn = {0};
    apf *a = one_level(4, 2, 1, 1000, INFINITY);
    uint64_t fa = key_on(a, 0), fb = key_on(a, 1);
    apf_ticket ta;
    assert_int_equal(admit(a, 0, fa, 4, 0, 0.0, &sn, &ta, NULL), APF_EXECUTE);
    for (uint32_t k = 1; k <= 100; k++)
        assert_int_equal(admit(a, 0, fb, 1, 100 + k, 0.0, &sn, NULL, NULL), APF_QUEUED);
    apf_finish(a, ta, 10.0, on_dispatch, &sn);
    assert_int_equal(sn.n, 4);
    assert_int_equal(admit(a, 0, fa, 1, 1, 10.0, &sn, NULL, NULL), APF_QUEUED);
    apf_ticket run[4];
    for (int k = 0; k < 4; k++)
        run[k] = sn.t[k];
    int b_before = 4;
    for (double t = 11.0; b_before < 100; t += 1.0) {
        for (int k = 0; k < 4; k++) {
            sn.n = 0;
            apf_finish(a, run[k], t, on_dispatch, &sn);
            assert_int_equal(sn.n, 1);
            run[k] = sn.t[0];
            if (sn.id[0] == 1)
                goto done;
            b_before++;
        }
    }
done:
    printf("idle restart: A's request went after %d of B's\n", b_before);
    assert_true(b_before >= 16 && b_before <= 26);
    apf_free(a);
}

/* queues = 0: the limit alone, "concurrency-limit"; a request wider than the limit runs alone. */
static void test_no_queues(void **state)
{
    (void)state;
    seen sn = {0};
    apf *a = one_level(2, 0, 0, 0, INFINITY);
    enum apf_reason why = APF_REASON_COUNT;
    apf_ticket t0, t1, t2;
    assert_int_equal(admit(a, 0, 1, 1, 0, 0.0, &sn, &t0, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 0, 2, 1, 1, 0.0, &sn, &t1, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 0, 3, 1, 2, 0.0, &sn, NULL, &why), APF_REJECTED);
    assert_int_equal(why, APF_CONCURRENCY_LIMIT);
    apf_finish(a, t0, 1.0, on_dispatch, &sn);
    assert_int_equal(admit(a, 0, 4, 2, 3, 1.0, &sn, NULL, &why), APF_REJECTED);
    apf_finish(a, t1, 2.0, on_dispatch, &sn);
    assert_int_equal(admit(a, 0, 5, 5, 4, 2.0, &sn, &t2, NULL), APF_EXECUTE);
    assert_int_equal(apf_stats(a, 0)->current_executing_seats, 5);
    assert_int_equal(admit(a, 0, 6, 1, 5, 2.0, &sn, NULL, &why), APF_REJECTED);
    assert_int_equal(apf_stats(a, 0)->rejected_requests_total[APF_CONCURRENCY_LIMIT], 3);
    assert_int_equal(apf_stats(a, 0)->rejected_requests_total[APF_QUEUE_FULL], 0);
    assert_int_equal(sn.n, 0);
    apf_free(a);
}

/* The wait limit: rejected "time-out" at arrival + max_queue_wait_s, found by next_deadline. */
static void test_time_out(void **state)
{
    (void)state;
    seen sn = {0}, rj = {0};
    apf *a = one_level(1, 1, 1, 10, 15.0);
    apf_ticket t0, t1;
    assert_true(isinf(apf_next_deadline(a)));
    assert_int_equal(admit(a, 0, 1, 1, 0, 0.0, &sn, &t0, NULL), APF_EXECUTE);
    assert_true(isinf(apf_next_deadline(a))); /* executing requests have no wait deadline */
    assert_int_equal(admit(a, 0, 1, 1, 1, 1.0, &sn, &t1, NULL), APF_QUEUED);
    assert_int_equal(admit(a, 0, 1, 1, 2, 2.0, &sn, NULL, NULL), APF_QUEUED);
    assert_near(apf_next_deadline(a), 16.0, 0);
    apf_expire(a, 15.999, on_reject, &rj);
    assert_int_equal(rj.n, 0);
    apf_expire(a, 16.0, on_reject, &rj);
    assert_int_equal(rj.n, 1);
    assert_int_equal(rj.id[0], 1);
    assert_int_equal(rj.why[0], APF_TIME_OUT);
    assert_false(apf_ticket_live(a, t1));
    assert_near(apf_next_deadline(a), 17.0, 0);
    const apf_level_stats *st = apf_stats(a, 0);
    assert_int_equal(st->rejected_requests_total[APF_TIME_OUT], 1);
    assert_int_equal(st->current_inqueue_requests, 1);
    /* Served in time: no deadline any more. */
    apf_finish(a, t0, 16.5, on_dispatch, &sn);
    assert_int_equal(sn.n, 1);
    assert_int_equal(sn.id[0], 2);
    assert_true(isinf(apf_next_deadline(a)));
    apf_expire(a, 100.0, on_reject, &rj);
    assert_int_equal(rj.n, 1);
    apf_free(a);

    /* Deadlines across levels come in arrival order, and several may fall due at once. */
    apf_level_config lv[] = {
        {.name = "a", .shares = 1, .queues = 1, .hand_size = 1, .queue_length_limit = 9},
        {.name = "b", .shares = 1, .queues = 1, .hand_size = 1, .queue_length_limit = 9},
    };
    a = make(2, 10.0, lv, 2);
    rj.n = 0;
    admit(a, 0, 1, 1, 10, 0.0, &sn, NULL, NULL);
    admit(a, 1, 1, 1, 20, 0.0, &sn, NULL, NULL);
    admit(a, 1, 1, 1, 21, 1.0, &sn, NULL, NULL);
    admit(a, 0, 1, 1, 11, 2.0, &sn, NULL, NULL);
    admit(a, 1, 1, 1, 22, 3.0, &sn, NULL, NULL);
    assert_near(apf_next_deadline(a), 11.0, 0);
    apf_expire(a, 12.5, on_reject, &rj);
    assert_int_equal(rj.n, 2);
    assert_int_equal(rj.id[0], 21);
    assert_int_equal(rj.id[1], 11);
    assert_near(apf_next_deadline(a), 13.0, 0);
    apf_free(a);
}

static void test_cancel(void **state)
{
    (void)state;
    seen sn = {0};
    apf *a = one_level(1, 1, 1, 10, 15.0);
    apf_ticket t0, t1, t2;
    admit(a, 0, 1, 1, 0, 0.0, &sn, &t0, NULL);
    admit(a, 0, 1, 1, 1, 1.0, &sn, &t1, NULL);
    admit(a, 0, 1, 1, 2, 2.0, &sn, &t2, NULL);
    /* An executing request is the handler's: cancel does nothing. */
    assert_false(apf_cancel(a, t0, 3.0));
    assert_true(apf_ticket_live(a, t0));
    /* The oldest queued one leaves; the next deadline moves to the next one's. */
    assert_true(apf_cancel(a, t1, 3.0));
    assert_false(apf_ticket_live(a, t1));
    assert_near(apf_next_deadline(a), 17.0, 0);
    const apf_level_stats *st = apf_stats(a, 0);
    assert_int_equal(st->current_inqueue_requests, 1);
    assert_int_equal(st->current_inqueue_seats, 1);
    assert_int_equal(st->rejected_requests_total[APF_CANCELLED], 1);
    assert_int_equal(apf_queue_length(a, 0, 0), 1);
    /* The finish then serves the one left. */
    apf_finish(a, t0, 4.0, on_dispatch, &sn);
    assert_int_equal(sn.n, 1);
    assert_int_equal(sn.id[0], 2);
    assert_true(sn.t[0] == t2);
    apf_free(a);
}

static void test_reset(void **state)
{
    (void)state;
    seen sn = {0};
    apf_level_config lv[] = {
        {.name = "exempt", .exempt = true},
        {.name = "q", .shares = 1, .queues = 4, .hand_size = 2, .queue_length_limit = 5},
    };
    apf *a = make(2, 15.0, lv, 2);
    apf_ticket te, tq;
    admit(a, 0, 1, 1, 0, 0.0, &sn, &te, NULL);
    for (uint32_t k = 0; k < 6; k++)
        admit(a, 1, k, 1, k, 0.0, &sn, &tq, NULL);
    admit(a, 1, 99, 3, 9, 0.5, &sn, NULL, NULL);
    const apf_level_stats *se = apf_stats(a, 0), *sq = apf_stats(a, 1);
    assert_int_equal(sq->current_executing_requests, 2);
    assert_int_equal(sq->current_inqueue_requests, 5);
    assert_int_equal(sq->current_inqueue_seats, 7);
    apf_reset(a, 1.0);
    assert_int_equal(se->current_executing_requests, 0);
    assert_int_equal(se->current_executing_seats, 0);
    assert_int_equal(sq->current_executing_requests, 0);
    assert_int_equal(sq->current_executing_seats, 0);
    assert_int_equal(sq->current_inqueue_requests, 0);
    assert_int_equal(sq->current_inqueue_seats, 0);
    for (int q = 0; q < 4; q++)
        assert_int_equal(apf_queue_length(a, 1, q), 0);
    assert_false(apf_ticket_live(a, te));
    assert_false(apf_ticket_live(a, tq));
    assert_true(isinf(apf_next_deadline(a)));
    assert_int_equal(sq->current_limit_seats, 2);
    /* Counters run on. */
    assert_int_equal(se->dispatched_requests_total, 1);
    assert_int_equal(sq->dispatched_requests_total, 2);
    /* And it serves afresh: the limit is free again. */
    assert_int_equal(admit(a, 1, 1, 1, 20, 1.0, &sn, NULL, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 1, 2, 1, 21, 1.0, &sn, NULL, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 1, 3, 1, 22, 1.0, &sn, NULL, NULL), APF_QUEUED);
    assert_int_equal(sn.n, 0);
    apf_free(a);
}

/* A live change of the server concurrency: limits recomputed from the shares, a raise
 * dispatches at once in fair-queuing order, a cut keeps what executes and admits nothing until
 * fewer than the new limit hold seats. */
static void test_set_concurrency(void **state)
{
    (void)state;
    seen sn = {0};
    apf_level_config lv[] = {
        {.name = "a", .shares = 1, .queues = 1, .hand_size = 1, .queue_length_limit = 10},
        {.name = "b", .shares = 3, .queues = 1, .hand_size = 1, .queue_length_limit = 10},
    };
    apf *a = make(4, INFINITY, lv, 2);
    assert_int_equal(apf_stats(a, 0)->current_limit_seats, 1);
    assert_int_equal(apf_stats(a, 1)->current_limit_seats, 3);
    apf_ticket t[8];
    assert_int_equal(admit(a, 0, 1, 1, 0, 0.0, &sn, &t[0], NULL), APF_EXECUTE);
    for (uint32_t k = 1; k < 4; k++)
        assert_int_equal(admit(a, 0, 1, 1, k, 0.0, &sn, &t[k], NULL), APF_QUEUED);
    /* 8 seats: a gets ceil(8 * 1/4) = 2, b 6; one queued request of a goes at once. */
    apf_set_concurrency(a, 8, 1.0, on_dispatch, &sn);
    assert_int_equal(apf_stats(a, 0)->nominal_limit_seats, 2);
    assert_int_equal(apf_stats(a, 1)->nominal_limit_seats, 6);
    assert_int_equal(apf_stats(a, 0)->current_limit_seats, 2);
    assert_int_equal(sn.n, 1);
    assert_int_equal(sn.id[0], 1);
    assert_int_equal(apf_stats(a, 0)->current_executing_requests, 2);
    assert_int_equal(apf_stats(a, 0)->current_inqueue_requests, 2);
    /* Back to 2 seats (a: 1): both keep executing; finishing one dispatches nothing. */
    apf_set_concurrency(a, 2, 2.0, on_dispatch, &sn);
    assert_int_equal(apf_stats(a, 0)->current_limit_seats, 1);
    assert_int_equal(apf_stats(a, 0)->current_executing_requests, 2);
    assert_int_equal(sn.n, 1);
    apf_finish(a, t[0], 3.0, on_dispatch, &sn);
    assert_int_equal(sn.n, 1);
    assert_int_equal(apf_stats(a, 0)->current_executing_requests, 1);
    /* The other one finishing frees the only seat: the next in line goes. */
    apf_finish(a, sn.t[0], 4.0, on_dispatch, &sn);
    assert_int_equal(sn.n, 2);
    assert_int_equal(sn.id[1], 2);
    apf_free(a);
}

/* The exempt level: no limit, never queued or rejected, but counted. */
static void test_exempt(void **state)
{
    (void)state;
    seen sn = {0};
    apf_level_config lv[] = {
        {.name = "exempt", .exempt = true},
        {.name = "l", .shares = 1, .queues = 0},
    };
    apf *a = make(1, 15.0, lv, 2);
    apf_ticket t[1000];
    for (int k = 0; k < 1000; k++)
        assert_int_equal(admit(a, 0, (uint64_t)k, 1 + k % 3, (uint32_t)k, 0.0, &sn, &t[k], NULL),
                         APF_EXECUTE);
    const apf_level_stats *st = apf_stats(a, 0);
    assert_int_equal(st->current_executing_requests, 1000);
    assert_int_equal(st->current_executing_seats, 1000 + 333 * 1 + 333 * 2);
    assert_int_equal(st->current_inqueue_requests, 0);
    for (int r = 0; r < APF_REASON_COUNT; r++)
        assert_int_equal(st->rejected_requests_total[r], 0);
    assert_true(isinf(apf_next_deadline(a)));
    for (int k = 0; k < 1000; k++)
        apf_finish(a, t[k], 1.0, on_dispatch, &sn);
    assert_int_equal(st->current_executing_requests, 0);
    assert_int_equal(st->dispatched_requests_total, 1000);
    /* The limited level next to it is still limited. */
    enum apf_reason why;
    assert_int_equal(admit(a, 1, 0, 1, 0, 1.0, &sn, NULL, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 1, 0, 1, 1, 1.0, &sn, NULL, &why), APF_REJECTED);
    assert_int_equal(sn.n, 0);
    apf_free(a);
}

/* apf_controller.go updateBorrowingLocked with numbers worked by hand. Server 20, shares
 * 10 + 10: nominal 10 each. A lends 50 % (lower bound 5), B lends nothing (10); no borrowing
 * limits (upper bounds 30). */
static void test_borrowing(void **state)
{
    (void)state;
    apf_level_config lv[] = {
        {.name = "A", .shares = 10, .lendable_percent = 50},
        {.name = "B", .shares = 10, .queues = 1, .hand_size = 1, .queue_length_limit = 100},
    };
    apf *a = make(20, INFINITY, lv, 2);
    const apf_level_stats *sa = apf_stats(a, 0), *sb = apf_stats(a, 1);
    assert_int_equal(sa->lower_limit_seats, 5);
    assert_int_equal(sb->lower_limit_seats, 10);
    assert_int_equal(sa->upper_limit_seats, 30);
    /* At construction, with no demand seen, targets are the lower bounds 5 and 10: p = 20/15
     * hits no bound, so 6.67 and 13.33, rounded to 7 and 13. */
    assert_int_equal(sa->current_limit_seats, 7);
    assert_int_equal(sb->current_limit_seats, 13);
    /* A runs 7 requests from 0 to 0.1 s; B is sent 30 requests at 0: 13 run, 17 wait, and its
     * demand is 30 seats from then on. */
    seen sn = {0};
    apf_ticket ta[7];
    for (uint32_t k = 0; k < 7; k++)
        assert_int_equal(admit(a, 0, 1, 1, 200 + k, 0.0, &sn, &ta[k], NULL), APF_EXECUTE);
    for (uint32_t k = 0; k < 30; k++)
        admit(a, 1, 5, 1, k, 0.0, &sn, NULL, NULL);
    assert_int_equal(sb->current_executing_requests, 13);
    for (int k = 0; k < 7; k++)
        apf_finish(a, ta[k], 0.1, on_dispatch, &sn);
    /* At 10 s: A's high watermark 7 lifts its lower bound to max(5, min(10, 7)) = 7 and its
     * target to 7 (its smoothed demand, avg + deviation = 0.07 + 0.70, is less). B: average 30,
     * deviation 0, target 30, lower bound 10. Sum 20: A at its bound 7, B = 13. */
    apf_rebalance(a, 10.0, on_dispatch, &sn);
    assert_int_equal(sa->current_limit_seats, 7);
    assert_int_equal(sb->current_limit_seats, 13);
    assert_int_equal(sn.n, 0);
    /* At 20 s: A was idle (watermark 0), so lower bound and target are 5; B's are 10 and 30.
     * A at its bound 5 and B = 30 p = 15, p = 1/2. B's two new seats go to two waiting
     * requests. */
    apf_rebalance(a, 20.0, on_dispatch, &sn);
    assert_int_equal(sa->current_limit_seats, 5);
    assert_int_equal(sb->current_limit_seats, 15);
    assert_int_equal(sn.n, 2);
    assert_int_equal(sn.id[0], 13);
    assert_int_equal(sn.id[1], 14);
    assert_int_equal(sb->current_executing_requests, 15);
    /* A is held to its new limit. */
    enum apf_reason why;
    for (uint32_t k = 0; k < 5; k++)
        assert_int_equal(admit(a, 0, 1, 1, 100 + k, 20.0, &sn, NULL, NULL), APF_EXECUTE);
    assert_int_equal(admit(a, 0, 1, 1, 105, 20.0, &sn, NULL, &why), APF_REJECTED);
    assert_int_equal(why, APF_CONCURRENCY_LIMIT);
    /* With both busy, A's high watermark 5 and B's 30 keep the same split. */
    apf_rebalance(a, 30.0, on_dispatch, &sn);
    assert_int_equal(sa->current_limit_seats, 5);
    assert_int_equal(sb->current_limit_seats, 15);
    apf_free(a);
}

/* seatDemandStats.update: the target is the smoothed avg + standard deviation of demand. Two
 * levels of 20 nominal seats, all lendable, server 40. Over 10 s, A runs 10 requests for 8.5 s
 * (average 8.5, deviation sqrt(85 - 8.5^2) = 3.57, envelope 12.07 > its watermark 10) and B
 * runs 10 throughout (envelope 10). Lower bounds are the watermarks, 10 each; the 40 seats go
 * in proportion 12.07 : 10, so 21.88 and 18.12, rounded to 22 and 18. */
static void test_borrowing_deviation(void **state)
{
    (void)state;
    apf_level_config lv[] = {
        {.name = "A", .shares = 1, .lendable_percent = 100},
        {.name = "B", .shares = 1, .lendable_percent = 100},
    };
    apf *a = make(40, INFINITY, lv, 2);
    assert_int_equal(apf_stats(a, 0)->current_limit_seats, 20);
    assert_int_equal(apf_stats(a, 1)->current_limit_seats, 20);
    seen sn = {0};
    apf_ticket ta[10];
    for (uint32_t k = 0; k < 10; k++) {
        assert_int_equal(admit(a, 0, 0, 1, k, 0.0, &sn, &ta[k], NULL), APF_EXECUTE);
        assert_int_equal(admit(a, 1, 0, 1, 10 + k, 0.0, &sn, NULL, NULL), APF_EXECUTE);
    }
    for (int k = 0; k < 10; k++)
        apf_finish(a, ta[k], 8.5, on_dispatch, &sn);
    apf_rebalance(a, 10.0, on_dispatch, &sn);
    assert_int_equal(apf_stats(a, 0)->current_limit_seats, 22);
    assert_int_equal(apf_stats(a, 1)->current_limit_seats, 18);
    apf_free(a);
}

/* ---- M/M/c/(c+K) ---- */

/* One level, one queue, c seats, queue length limit K, width 1, no wait limit, Poisson
 * arrivals at rate l and exponential service at rate m: a birth-death chain on n = requests in
 * the system, n = 0..N with N = c + K (an arrival is rejected iff c run and K wait). With
 * a = l/m and r = a/c, balance gives p_n = p_0 a^n / n! for n <= c and
 * p_n = p_0 (a^c / c!) r^(n-c) for c <= n <= N, so
 *   1/p_0 = sum_{n<c} a^n/n! + (a^c/c!) sum_{j=0}^{K} r^j,
 *   blocking P_N = p_0 (a^c/c!) r^K (PASTA: the fraction of arrivals rejected),
 *   L_q = sum_j j p_{c+j} = p_0 (a^c/c!) r (1 - (K+1) r^K + K r^(K+1)) / (1-r)^2   (r != 1),
 * from sum_{j=0}^{K} j r^j = r d/dr (1 - r^(K+1))/(1 - r). Little's law on admitted requests
 * gives the mean wait W_q = L_q / (l (1 - P_N)). As K -> inf with r < 1, P(wait) tends to
 * Erlang C. */
typedef struct mmck {
    double p_block, wq, lq_sum;
} mmck;

static mmck mmck_formula(int c, int K, double l, double m)
{
    double a = l / m, r = a / c, term = 1, sum = 0;
    for (int n = 0; n < c; n++) {
        sum += term;
        term *= a / (n + 1);
    }
    double ac = term; /* a^c / c! */
    double geo = 0, rj = 1, lq_direct = 0;
    for (int j = 0; j <= K; j++) {
        geo += rj;
        lq_direct += j * rj;
        rj *= r;
    }
    double p0 = 1 / (sum + ac * geo);
    mmck f;
    f.p_block = p0 * ac * pow(r, K);
    double lq = p0 * ac * r * (1 - (K + 1) * pow(r, K) + K * pow(r, K + 1)) / ((1 - r) * (1 - r));
    f.lq_sum = p0 * ac * lq_direct;
    f.wq = lq / (l * (1 - f.p_block));
    return f;
}

enum {
    MM_C = 4,
    MM_K = 6,
    MM_R = 20,
    MM_IDS = 64
};

typedef struct mmsim {
    gsl_rng *rng;
    double now, mu;
    double arrival[MM_IDS]; /* by id, the caller's request pool */
    uint32_t free_ids[MM_IDS];
    int nfree;
    struct {
        double at;
        apf_ticket t;
        uint32_t id;
    } exec[MM_C];
    int nexec;
    bool counting;
    double admitted, waited_s;
} mmsim;

static void mm_start(mmsim *s, uint32_t id, apf_ticket t)
{
    assert_true(s->nexec < MM_C);
    if (s->counting) {
        s->admitted++;
        s->waited_s += s->now - s->arrival[id];
    }
    s->exec[s->nexec].at = s->now + gsl_ran_exponential(s->rng, 1 / s->mu);
    s->exec[s->nexec].t = t;
    s->exec[s->nexec++].id = id;
}

static void mm_dispatch(void *ctx, uint32_t id, apf_ticket t)
{
    mm_start(ctx, id, t);
}

static void test_mmck(void **state)
{
    (void)state;
    const double lambda = 3.6, mu = 1.0, warm = 1000, T = 21000;
    mmck f = mmck_formula(MM_C, MM_K, lambda, mu);
    assert_near(f.lq_sum, f.wq * lambda * (1 - f.p_block), 1e-12); /* closed form = sum */
    double block[MM_R], wait[MM_R];
    for (int rep = 0; rep < MM_R; rep++) {
        mmsim s = {.mu = mu};
        s.rng = rng_new(40, (uint64_t)rep, 0, RNG_SERVICE);
        for (int k = 0; k < MM_IDS; k++)
            s.free_ids[s.nfree++] = (uint32_t)(MM_IDS - 1 - k);
        apf *a = one_level(MM_C, 1, 1, MM_K, INFINITY);
        double next = gsl_ran_exponential(s.rng, 1 / lambda), offered = 0, rejected = 0;
        for (;;) {
            int ei = -1;
            for (int e = 0; e < s.nexec; e++)
                if (ei < 0 || s.exec[e].at < s.exec[ei].at)
                    ei = e;
            double t_fin = ei >= 0 ? s.exec[ei].at : INFINITY;
            s.now = fmin(next, t_fin);
            if (s.now > T)
                break;
            s.counting = s.now >= warm;
            if (t_fin <= next) {
                apf_ticket t = s.exec[ei].t;
                s.free_ids[s.nfree++] = s.exec[ei].id;
                s.exec[ei] = s.exec[--s.nexec];
                apf_finish(a, t, s.now, mm_dispatch, &s);
                continue;
            }
            assert_true(s.nfree > 0);
            uint32_t id = s.free_ids[--s.nfree];
            s.arrival[id] = s.now;
            apf_ticket t;
            enum apf_admit r = apf_admit(a, 0, 0, 1, id, s.now, mm_dispatch, &s, &t, NULL);
            if (r == APF_EXECUTE)
                mm_start(&s, id, t);
            else if (r == APF_REJECTED)
                s.free_ids[s.nfree++] = id;
            if (s.counting) {
                offered++;
                rejected += r == APF_REJECTED;
            }
            assert_true(apf_stats(a, 0)->current_inqueue_requests <= MM_K);
            next = s.now + gsl_ran_exponential(s.rng, 1 / lambda);
        }
        block[rep] = rejected / offered;
        wait[rep] = s.waited_s / s.admitted;
        apf_free(a);
        gsl_rng_free(s.rng);
    }
    /* z = 4 on the replication means: a correct model fails this about once in 15 000 runs. */
    const char *name[2] = {"M/M/4/(4+6) blocking, l=3.6 m=1 (apf)",
                           "M/M/4/(4+6) mean wait, l=3.6 m=1 (apf)"};
    double *x[2] = {block, wait}, want[2] = {f.p_block, f.wq};
    int bad = 0;
    for (int k = 0; k < 2; k++) {
        double mean = gsl_stats_mean(x[k], 1, MM_R);
        double half = 4 * gsl_stats_sd_m(x[k], 1, MM_R, mean) / sqrt(MM_R);
        printf("validation: %-44s formula %.6g  simulated %.6g  z=4 interval [%.6g, %.6g]\n",
               name[k], want[k], mean, mean - half, mean + half);
        bad |= !(fabs(mean - want[k]) <= half) << k;
    }
    if (bad)
        fail_msg("the formula is outside the interval for%s%s", bad & 1 ? " blocking" : "",
                 bad & 2 ? " mean wait" : "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limits_from_shares),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_deal),
        cmocka_unit_test(test_deal_uniform),
        cmocka_unit_test(test_queue_choice),
        cmocka_unit_test(test_fair_equal),
        cmocka_unit_test(test_fair_width),
        cmocka_unit_test(test_fair_duration),
        cmocka_unit_test(test_anti_windup),
        cmocka_unit_test(test_fair_light_flow),
        cmocka_unit_test(test_queue_full),
        cmocka_unit_test(test_wide_head_blocks),
        cmocka_unit_test(test_round_robin_ties),
        cmocka_unit_test(test_virtual_clock),
        cmocka_unit_test(test_idle_restart),
        cmocka_unit_test(test_no_queues),
        cmocka_unit_test(test_time_out),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_set_concurrency),
        cmocka_unit_test(test_exempt),
        cmocka_unit_test(test_borrowing),
        cmocka_unit_test(test_borrowing_deviation),
        cmocka_unit_test(test_mmck),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
