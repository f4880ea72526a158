/* test_metrics: the results contract of metrics.h against the files: the headers stats writes are
 * the tables' names, in order and without duplicates; each value lands in its own column (a
 * hand-built sample with a distinct value in every field it reads); the summary's header and rows
 * have the same fields; the OpenMetrics families are well formed (rows of a family adjacent, help
 * on the first, units matching the names); every time-series column is documented in README.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "metrics.h"
#include "model.h"
#include "params.h"
#include "stats.h"
#include "testutil.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole of a stream written by fn, as a string (caller frees). */
static char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    fn(f, arg);
    long len = ftell(f);
    assert_true(len >= 0);
    char *buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    rewind(f);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

/* Splits line (up to its newline) at commas into at most max fields; returns the count. */
static int fields(char *line, char **out, int max)
{
    int n = 0;
    char *end = strchr(line, '\n');
    if (end)
        *end = '\0';
    for (char *p = line;; n++) {
        char *c = strchr(p, ',');
        if (n < max)
            out[n] = p;
        if (!c) {
            n++;
            break;
        }
        *c = '\0';
        p = c + 1;
    }
    return n;
}

static void test_names_unique(void **state)
{
    (void)state;
    for (int i = 0; i < TS_COUNT; i++) {
        assert_non_null(metric_ts_name[i]);
        for (int j = 0; j < i; j++)
            if (strcmp(metric_ts_name[i], metric_ts_name[j]) == 0)
                fail_msg("timeseries column %s twice", metric_ts_name[i]);
    }
    /* summary.csv's columns as the header spells them */
    char names[SUM_COUNT + 3 * PH_COUNT][96];
    int n = 0;
    for (int i = 0; i < SUM_COUNT; i++)
        snprintf(names[n++], sizeof names[0], "%s", metric_summary_name[i]);
    for (int ph = 0; ph < 3; ph++)
        for (int i = 0; i < PH_COUNT; i++)
            metric_phase_column((enum metric_phase)i, ph, names[n++], sizeof names[0]);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                fail_msg("summary column %s twice", names[i]);
    assert_string_equal(names[SUM_COUNT + 2 * PH_COUNT + PH_INFLIGHT_MUT],
                        "mean_inflight_mutating_recovery");
}

/* ---- the time series ---- */

typedef struct ts_case {
    params p;
    run_output o;
} ts_case;

static void write_ts(FILE *f, const void *arg)
{
    const ts_case *c = arg;
    stats_write_timeseries(f, &c->p, &c->o);
}

/* Two samples, 5 s apart, the second with a distinct value in every field. */
static void ts_case_init(ts_case *c, sample s[2])
{
    memset(c, 0, sizeof *c);
    params_defaults(&c->p);
    c->p.cluster.nodes = 1000;
    memset(s, 0, 2 * sizeof *s);
    s[0].t = 5;
    s[1].t = 10;
    for (int i = 0; i < C_COUNTER_COUNT; i++)
        s[1].c[i] = 10.0 * (i + 1); /* per 5 s: 2 (i + 1) per second */
    s[1].inflight_mut = 401;
    s[1].inflight_ro = 402;
    s[1].lb_queue = 403;
    s[1].cpu_util = 0.404;
    s[1].tr_latency_sum_s = 4050;
    s[1].lb_wait_sum_s = 4060;
    s[1].orphaned = 407;
    s[1].not_ready = 408;
    s[1].stale = 250;
    s[1].out_calls = 1000;
    s[1].out_vals = 200;
    s[1].out_reqs = 30;
    c->o.samples = s;
    c->o.nsamples = 2;
    c->o.end_s = 10;
}

static double col_of(char **f, int id)
{
    return f[id][0] ? strtod(f[id], NULL) : NAN;
}

static void test_timeseries_columns(void **state)
{
    (void)state;
    ts_case c;
    sample s[2];
    ts_case_init(&c, s);
    char *text = capture(write_ts, &c);
    char *lines[3];
    lines[0] = text;
    lines[1] = strchr(lines[0], '\n') + 1;
    lines[2] = strchr(lines[1], '\n') + 1;

    char *h[TS_COUNT + 1];
    assert_int_equal(fields(lines[0], h, TS_COUNT + 1), TS_COUNT);
    for (int i = 0; i < TS_COUNT; i++)
        assert_string_equal(h[i], metric_ts_name[i]);

    char *v[TS_COUNT + 1];
    assert_int_equal(fields(lines[2], v, TS_COUNT + 1), TS_COUNT);
    /* counter i over 5 s is 2 (i + 1) per second */
#define RATE(ci) (2.0 * ((ci) + 1))
    assert_true(col_of(v, TS_T) == 10);
    assert_true(col_of(v, TS_INFLIGHT_MUT) == 401);
    assert_true(col_of(v, TS_INFLIGHT_RO) == 402);
    assert_true(col_of(v, TS_DROPPED_MUT) == RATE(C_REJ_MUT));
    assert_true(col_of(v, TS_DROPPED_RO) == RATE(C_REJ_RO));
    assert_true(col_of(v, TS_TR) == RATE(C_TR));
    assert_true(col_of(v, TS_TR_TIMEOUTS) == RATE(C_TR_TIMEOUT));
    assert_true(col_of(v, TS_REQ_TIMEOUTS) == RATE(C_REQ_TIMEOUT));
    assert_near(col_of(v, TS_TR_LATENCY), 4050 / (10.0 * (C_TR_OK + 1) + 10.0 * (C_TR_TIMEOUT + 1)),
                1e-12);
    assert_near(col_of(v, TS_TOKEN_HIT), (C_TC_HIT + 1.0) / (C_TC_HIT + 1.0 + C_TC_MISS + 1.0),
                1e-12);
    assert_near(col_of(v, TS_KUBELET_HIT), (C_KC_HIT + 1.0) / (C_KC_HIT + 1.0 + C_KC_MISS + 1.0),
                1e-12);
    assert_true(col_of(v, TS_LB_QUEUE) == 403);
    assert_near(col_of(v, TS_LB_WAIT), 4060 / (10.0 * (C_LB_RESERVE + 1)), 1e-12);
    assert_true(col_of(v, TS_LB_GETS) == RATE(C_LB_GETS));
    assert_true(col_of(v, TS_ORPHANED) == 407);
    assert_near(col_of(v, TS_SCRAPE),
                (C_SCRAPE_OK + 1.0) / (C_SCRAPE_OK + 1.0 + C_SCRAPE_FAIL + 1.0), 1e-12);
    assert_near(col_of(v, TS_HEARTBEAT), 0.75, 1e-12);
    assert_true(col_of(v, TS_NOT_READY) == 408);
    assert_true(col_of(v, TS_GOOD_TR) == RATE(C_TR_OK));
    assert_true(col_of(v, TS_GOOD_HB) == RATE(C_HB_OK));
    assert_true(col_of(v, TS_GOOD_SA) == RATE(C_SA_OK));
    assert_true(col_of(v, TS_GOOD_BG) == RATE(C_BG_OK));
    assert_true(col_of(v, TS_CPU) == 0.404);
    assert_near(col_of(v, TS_SA), (C_SA_OK + 1.0) / (C_SA_OK + 1.0 + C_SA_FAIL + 1.0), 1e-12);
    assert_true(col_of(v, TS_WORK) == 1230);
    assert_true(col_of(v, TS_WORK_CALLS) == 1000);
    assert_true(col_of(v, TS_WORK_VALS) == 200);
    assert_true(col_of(v, TS_WORK_REQS) == 30);
    /* two samples are less than a health window: not judged yet */
    assert_true(isnan(col_of(v, TS_HEALTHY)));
#undef RATE
    free(text);
}

/* ---- the summary ---- */

static void write_summary(FILE *f, const void *arg)
{
    const summary *s = arg;
    stats_summary_header(f);
    stats_summary_row(f, s);
}

static void test_summary_header_and_row(void **state)
{
    (void)state;
    ts_case c;
    sample s[2];
    ts_case_init(&c, s);
    summary sum;
    stats_summarize(&c.p, 3, &c.o, &sum);
    char *text = capture(write_summary, &sum);
    char *row = strchr(text, '\n') + 1;
    enum {
        MAX = SUM_COUNT + 3 * PH_COUNT + 1
    };
    char *h[MAX], *v[MAX];
    int nh = fields(text, h, MAX), nv = fields(row, v, MAX);
    assert_int_equal(nh, SUM_COUNT + 3 * PH_COUNT);
    assert_int_equal(nv, nh);
    for (int i = 0; i < SUM_TAIL_FIRST; i++)
        assert_string_equal(h[i], metric_summary_name[i]);
    for (int i = SUM_TAIL_FIRST; i < SUM_COUNT; i++)
        assert_string_equal(h[3 * PH_COUNT + i], metric_summary_name[i]);
    assert_string_equal(v[SUM_REPLICATION], "3");
    assert_string_equal(v[SUM_CLASS], run_class_name(sum.cls));
    /* the totals come after warm-up: the defaults' warm-up removes both samples */
    assert_true(c.p.sim.warmup_s >= 10);
    assert_string_equal(v[SUM_REQ_MUT], "0");
    free(text);
}

/* ---- OpenMetrics families ---- */

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void test_openmetrics_families(void **state)
{
    (void)state;
    assert_null(metric_ts_om[TS_T].family); /* the timestamp */
    for (int i = 1; i < TS_COUNT; i++) {
        const metric_om *m = &metric_ts_om[i];
        assert_non_null(m->family);
        int first =
            strcmp(metric_ts_om[i - 1].family ? metric_ts_om[i - 1].family : "", m->family) != 0;
        if (first != (m->help != NULL))
            fail_msg("%s: the help goes with a family's first row, only", metric_ts_name[i]);
        if (first)
            for (int j = 1; j < i; j++)
                if (strcmp(metric_ts_om[j].family, m->family) == 0)
                    fail_msg("family %s: rows not adjacent", m->family);
        if (m->unit && !ends_with(m->family, m->unit))
            fail_msg("family %s: unit %s not at the end of its name", m->family, m->unit);
        if (!first && (metric_ts_om[i - 1].unit != m->unit))
            fail_msg("family %s: rows with different units", m->family);
        if (ends_with(metric_ts_name[i], "_per_s") && !ends_with(m->family, "_per_second"))
            fail_msg("%s: a rate whose family is not per second", metric_ts_name[i]);
    }
}

/* ---- README ---- */

/* Every time-series column is named in README.md, literally or by a `pattern*` there. */
static void test_readme_documents_columns(void **state)
{
    (void)state;
    FILE *f = fopen("README.md", "r");
    assert_non_null(f);
    char *text = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&text, &cap, '\0', f);
    fclose(f);
    assert_true(n > 0);
    for (int i = 0; i < TS_COUNT; i++) {
        char quoted[128];
        snprintf(quoted, sizeof quoted, "`%s`", metric_ts_name[i]);
        int found = strstr(text, quoted) != NULL;
        for (const char *p = text; !found && (p = strchr(p, '`')) != NULL;) {
            const char *q = strchr(p + 1, '`');
            if (!q)
                break;
            char pat[128];
            size_t len = (size_t)(q - p - 1);
            if (len < sizeof pat && memchr(p + 1, '*', len)) {
                memcpy(pat, p + 1, len);
                pat[len] = '\0';
                found = fnmatch(pat, metric_ts_name[i], 0) == 0;
            }
            p = q + 1;
        }
        if (!found)
            fail_msg("README.md does not document timeseries.csv column %s", metric_ts_name[i]);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_unique),
        cmocka_unit_test(test_timeseries_columns),
        cmocka_unit_test(test_summary_header_and_row),
        cmocka_unit_test(test_openmetrics_families),
        cmocka_unit_test(test_readme_documents_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
