/* test_openmetrics: timeseries.om (L4). Every file is checked by a small OpenMetrics parser of
 * this test (families not interleaved, # TYPE before samples, # UNIT a suffix of the name, label
 * syntax, numbers, timestamps increasing per series, # EOF last), and by
 * `promtool tsdb create-blocks-from openmetrics` when promtool is installed (CI installs the
 * Debian package prometheus); the test says which ran. Run from the repository root. */
#include "testutil.h"

#include "openmetrics.h"
#include "table.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AVALANCHE_BIN
#define AVALANCHE_BIN "build/avalanche"
#endif

static char dir[64];
static int have_promtool;

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/avalanche-om-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    have_promtool = system("command -v promtool >/dev/null 2>&1") == 0;
    fprintf(stderr, "test_openmetrics: %s\n",
            have_promtool ? "checking with the built-in parser and with promtool"
                          : "promtool not installed: checking with the built-in parser only");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- a small OpenMetrics parser ------------------------------------------------------------ */

#define MAX_SERIES 256

typedef struct om_sample {
    char series[256]; /* name{labels} as written */
    double v, ts;
} om_sample;

typedef struct om_file {
    om_sample *s;
    size_t n, cap;
    int families;
    char err[256];
} om_file;

static int is_name_start(int c)
{
    return isalpha(c) || c == '_' || c == ':';
}

static int is_name_char(int c)
{
    return isalnum(c) || c == '_' || c == ':';
}

/* Reads a metric or label name at *p; returns its length (0: none). */
static size_t name_at(const char *p)
{
    size_t n = 0;
    if (!is_name_start((unsigned char)p[0]))
        return 0;
    while (is_name_char((unsigned char)p[n]))
        n++;
    return n;
}

static int number(const char *s, size_t len, double *v)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (strcmp(buf, "+Inf") == 0 || strcmp(buf, "-Inf") == 0 || strcmp(buf, "NaN") == 0) {
        *v = buf[0] == 'N' ? NAN : buf[0] == '+' ? INFINITY : -INFINITY;
        return 0;
    }
    char *end;
    *v = strtod(buf, &end);
    /* OpenMetrics numbers: digits, '.', an exponent, a sign; not "inf", "nan", hex */
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)buf[i]) && !strchr(".eE+-", buf[i]))
            return -1;
    return *end == '\0' ? 0 : -1;
}

static int bad(om_file *f, int line, const char *what)
{
    snprintf(f->err, sizeof f->err, "line %d: %s", line, what);
    return -1;
}

/* Parses text into f. Returns 0, or -1 with f->err. */
static int om_parse(const char *text, om_file *f)
{
    memset(f, 0, sizeof *f);
    char family[256] = "", closed[MAX_SERIES][256];
    int nclosed = 0, have_type = 0, saw_eof = 0, line = 0;
    char unit[64] = "";
    const char *p = text;
    while (*p) {
        line++;
        const char *nl = strchr(p, '\n');
        if (!nl)
            return bad(f, line, "no newline at the end");
        size_t len = (size_t)(nl - p);
        if (saw_eof)
            return bad(f, line, "text after # EOF");
        if (len == 5 && strncmp(p, "# EOF", 5) == 0) {
            saw_eof = 1;
        } else if (len > 2 && p[0] == '#' && p[1] == ' ') {
            const char *q = p + 2;
            const char *kw[] = {"TYPE ", "UNIT ", "HELP "};
            int k = 0;
            while (k < 3 && strncmp(q, kw[k], 5) != 0)
                k++;
            if (k == 3)
                return bad(f, line, "unknown # line");
            q += 5;
            size_t n = name_at(q);
            if (n == 0 || q[n] != ' ')
                return bad(f, line, "bad metric family name");
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)n, q);
            const char *rest = q + n + 1;
            size_t rlen = (size_t)(nl - rest);
            if (strcmp(name, family) != 0) {
                /* a new family: the previous one is closed for good */
                for (int i = 0; i < nclosed; i++)
                    if (strcmp(closed[i], name) == 0)
                        return bad(f, line, "family interleaved (metadata after it closed)");
                if (family[0] && nclosed < MAX_SERIES)
                    snprintf(closed[nclosed++], sizeof closed[0], "%s", family);
                snprintf(family, sizeof family, "%s", name);
                have_type = 0;
                unit[0] = '\0';
                f->families++;
            }
            if (k == 0) {
                if (have_type)
                    return bad(f, line, "second # TYPE");
                if (rlen != 5 || strncmp(rest, "gauge", 5) != 0)
                    return bad(f, line, "expected type gauge");
                have_type = 1;
            } else if (k == 1) {
                snprintf(unit, sizeof unit, "%.*s", (int)rlen, rest);
                size_t ul = strlen(unit), fl = strlen(family);
                if (ul == 0 || fl <= ul + 1 || strcmp(family + fl - ul, unit) != 0 ||
                    family[fl - ul - 1] != '_')
                    return bad(f, line, "# UNIT is not a suffix of the name");
            }
        } else {
            size_t n = name_at(p);
            if (n == 0)
                return bad(f, line, "bad sample name");
            if (strlen(family) != n || strncmp(p, family, n) != 0 || !have_type)
                return bad(f, line, "sample outside its family (or before # TYPE)");
            const char *q = p + n;
            if (*q == '{') {
                q++;
                for (;;) {
                    size_t ln = name_at(q);
                    if (ln == 0 || q[ln] != '=' || q[ln + 1] != '"')
                        return bad(f, line, "bad label");
                    q += ln + 2;
                    while (*q && *q != '"' && q < nl)
                        q += *q == '\\' ? 2 : 1;
                    if (*q != '"')
                        return bad(f, line, "unterminated label value");
                    q++;
                    if (*q == ',') {
                        q++;
                        continue;
                    }
                    if (*q != '}')
                        return bad(f, line, "bad label set");
                    q++;
                    break;
                }
            }
            size_t slen = (size_t)(q - p);
            if (*q != ' ')
                return bad(f, line, "expected a space before the value");
            q++;
            const char *sp = memchr(q, ' ', (size_t)(nl - q));
            if (!sp)
                return bad(f, line, "expected a timestamp");
            double v, ts;
            if (number(q, (size_t)(sp - q), &v) < 0)
                return bad(f, line, "bad value");
            if (number(sp + 1, (size_t)(nl - sp - 1), &ts) < 0 || !isfinite(ts))
                return bad(f, line, "bad timestamp");
            /* timestamps increase within a series */
            for (size_t i = f->n; i-- > 0;) {
                if (strlen(f->s[i].series) == slen && strncmp(f->s[i].series, p, slen) == 0) {
                    if (!(ts > f->s[i].ts))
                        return bad(f, line, "timestamp not after the series' previous one");
                    break;
                }
            }
            if (f->n == f->cap) {
                f->cap = f->cap ? 2 * f->cap : 1024;
                f->s = realloc(f->s, f->cap * sizeof *f->s);
            }
            om_sample *s = &f->s[f->n++];
            snprintf(s->series, sizeof s->series, "%.*s", (int)slen, p);
            s->v = v;
            s->ts = ts;
        }
        p = nl + 1;
    }
    if (!saw_eof)
        return bad(f, line, "no # EOF at the end");
    return 0;
}

/* promtool loads path into a fresh TSDB directory: status 0 and a block written. */
static int promtool_loads(const char *path, char *why, size_t n)
{
    char out[256], cmd[1024];
    static int k;
    snprintf(out, sizeof out, "%s/tsdb%d", dir, k++);
    snprintf(cmd, sizeof cmd,
             "promtool tsdb create-blocks-from openmetrics '%s' '%s' >'%s.log' 2>&1", path, out,
             out);
    int st = system(cmd);
    if (st != 0) {
        char log[300];
        snprintf(log, sizeof log, "%s.log", out);
        char *text = test_read_text(log);
        snprintf(why, n, "promtool failed: %s", text ? text : "?");
        free(text);
        return 0;
    }
    DIR *d = opendir(out);
    int blocks = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        blocks += de->d_name[0] != '.' && strcmp(de->d_name, "wal") != 0;
    if (d)
        closedir(d);
    snprintf(why, n, "promtool wrote no block");
    return blocks > 0;
}

/* Checks path with the parser (and promtool); returns the parse. */
static void check_file(const char *path, om_file *f)
{
    char *text = test_read_text(path);
    assert_non_null(text);
    if (om_parse(text, f) < 0)
        fail_msg("%s: %s", path, f->err);
    free(text);
    if (have_promtool) {
        char why[512];
        if (!promtool_loads(path, why, sizeof why))
            fail_msg("%s: %s", path, why);
    }
}

/* ---- tests ------------------------------------------------------------------------------------
 */

/* The fixture series: every non-empty cell is one sample at epoch + t, with the CSV's value. */
static void test_fixture(void **state)
{
    (void)state;
    err e;
    err_clear(&e);
    table *t = table_read("tests/data/plot/timeseries.csv", &e);
    assert_non_null(t);
    const double epoch = 1714564800.0; /* 2024-05-01T12:00:00Z */
    char path[128];
    snprintf(path, sizeof path, "%s/fixture.om", dir);
    FILE *out = fopen(path, "w");
    assert_int_equal(openmetrics_write(out, t, epoch), 0);
    assert_int_equal(fclose(out), 0);
    om_file f;
    check_file(path, &f);
    size_t cells = 0;
    int tcol = table_col(t, "t");
    for (size_t r = 0; r < table_rows(t); r++)
        for (int c = 0; c < table_cols(t); c++)
            cells += c != tcol && !isnan(table_num(t, r, c));
    assert_int_equal(f.n, cells);
    /* spot checks: a labelled apiserver gauge, a ratio, a duration */
    struct {
        const char *column, *series;
    } spots[] = {
        {"apiserver_current_inflight_requests_mutating",
         "avalanche_apiserver_current_inflight_requests{request_kind=\"mutating\"}"},
        {"apiserver_current_inflight_requests_readonly",
         "avalanche_apiserver_current_inflight_requests{request_kind=\"readOnly\"}"},
        {"token_cache_hit_ratio", "avalanche_token_cache_hit_ratio"},
        {"tokenreview_latency_s", "avalanche_tokenreview_latency_seconds"},
        {"goodput_heartbeat_per_s", "avalanche_goodput_per_second{client=\"heartbeat\"}"},
        {"healthy", "avalanche_healthy"},
    };
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        int col = table_col(t, spots[i].column);
        assert_true(col >= 0);
        size_t k = 0, r = 0;
        for (; k < f.n && strcmp(f.s[k].series, spots[i].series) != 0; k++)
            ;
        for (; r < table_rows(t); r++) {
            double v = table_num(t, r, col);
            if (isnan(v))
                continue;
            if (k >= f.n || strcmp(f.s[k].series, spots[i].series) != 0)
                fail_msg("%s: too few samples", spots[i].series);
            assert_true(f.s[k].v == v);
            assert_true(f.s[k].ts == epoch + table_num(t, r, tcol));
            k++;
        }
    }
    /* metadata */
    char *text = test_read_text(path);
    assert_non_null(strstr(text, "# TYPE avalanche_apiserver_current_inflight_requests gauge\n"));
    assert_non_null(strstr(text, "# UNIT avalanche_loopback_wait_seconds seconds\n"));
    assert_non_null(strstr(text, "# UNIT avalanche_heartbeat_success_ratio ratio\n"));
    assert_non_null(strstr(text, "# HELP avalanche_not_ready_nodes "));
    assert_int_equal(strcmp(text + strlen(text) - 6, "# EOF\n"), 0);
    free(text);
    free(f.s);
    table_free(t);
}

/* A column this writer does not know gets a family by the naming rules, and a missing one
 * (no CPU model) no family at all. */
static void test_unknown_and_missing_columns(void **state)
{
    (void)state;
    char csv[128], path[128];
    snprintf(csv, sizeof csv, "%s/new.csv", dir);
    snprintf(path, sizeof path, "%s/new.om", dir);
    FILE *f = fopen(csv, "w");
    fputs("t,healthy,new_wait_s,new_things_per_s,new_share_ratio,count\n1,1,0.5,3,0.25,7\n"
          "2,,0.75,4,,8\n",
          f);
    fclose(f);
    err e;
    err_clear(&e);
    table *t = table_read(csv, &e);
    assert_non_null(t);
    FILE *out = fopen(path, "w");
    assert_int_equal(openmetrics_write(out, t, 0.0), 0);
    fclose(out);
    table_free(t);
    om_file om;
    check_file(path, &om);
    assert_int_equal(om.n, 8);
    char *text = test_read_text(path);
    assert_non_null(strstr(text, "# UNIT avalanche_new_wait_seconds seconds\n"));
    assert_non_null(strstr(text, "avalanche_new_things_per_second 4 2\n"));
    assert_non_null(strstr(text, "# UNIT avalanche_new_share_ratio ratio\n"));
    assert_non_null(strstr(text, "avalanche_count 8 2\n"));
    assert_null(strstr(text, "cpu_utilization"));
    free(text);
    free(om.s);
}

/* The parser rejects what OpenMetrics forbids (so that passing it means something). */
static void test_parser_rejects(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"# TYPE a gauge\na 1 1\n", "no # EOF"},
        {"# TYPE a gauge\na 1 1\n# EOF\nx\n", "after # EOF"},
        {"# TYPE a gauge\na 1 1\n# TYPE b gauge\nb 1 1\na 2 2\n# EOF\n", "outside its family"},
        {"# TYPE a gauge\na 1 1\n# TYPE b gauge\n# TYPE a gauge\n# EOF\n", "interleaved"},
        {"# TYPE a_seconds gauge\n# UNIT a_seconds ratio\n# EOF\n", "suffix"},
        {"# TYPE a gauge\na 1 2\na 1 1\n# EOF\n", "timestamp not after"},
        {"a 1 1\n# EOF\n", "before # TYPE"},
        {"# TYPE a gauge\na{x=1} 1 1\n# EOF\n", "bad label"},
        {"# TYPE a gauge\na one 1\n# EOF\n", "bad value"},
        {"# TYPE a gauge\na 1\n# EOF\n", "expected a timestamp"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        om_file f;
        if (om_parse(cases[i][0], &f) == 0)
            fail_msg("accepted:\n%s", cases[i][0]);
        if (!strstr(f.err, cases[i][1]))
            fail_msg("case %zu: '%s' lacks '%s'", i, f.err, cases[i][1]);
        free(f.s);
    }
    if (have_promtool) {
        char path[128], why[512];
        snprintf(path, sizeof path, "%s/bad.om", dir);
        FILE *f = fopen(path, "w");
        fputs("# TYPE a gauge\na 1 1\n", f); /* no # EOF */
        fclose(f);
        assert_false(promtool_loads(path, why, sizeof why));
    }
}

/* `avalanche run` writes timeseries.om beside timeseries.csv, timestamps from sim.epoch. */
static void test_run_writes_it(void **state)
{
    (void)state;
    char out[128], cmd[1024], path[256];
    snprintf(out, sizeof out, "%s/run", dir);
    snprintf(cmd, sizeof cmd,
             "%s run --quiet --set cluster.nodes=50 --set sim.duration=700 --set sim.warmup=100 "
             "--set trigger.at=400 --set sim.epoch=1714564800 --set plot.formats=png --out '%s'",
             AVALANCHE_BIN, out);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/timeseries.om", out);
    om_file f;
    check_file(path, &f);
    assert_true(f.n > 1000);
    assert_true(f.families >= 20);
    /* the first sample is at t = sim.sample_interval */
    assert_true(f.s[0].ts == 1714564801.0);
    free(f.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_unknown_and_missing_columns),
        cmocka_unit_test(test_parser_rejects),
        cmocka_unit_test(test_run_writes_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
