/* test_config: the config layer (L4): defaults, round trip, @include overrides, --set, sweep keys,
 * and table-driven bad snippets -> expected one-line messages. Run from the repository root
 * (fixtures in tests/data/config/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "config.h"
#include "model.h"
#include "text.h"

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA "tests/data/config/"

/* A scratch directory for snippet files, removed at the end. */
static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/avalanche-test-config-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes text to tmpdir/name; returns the path (static buffer). */
static const char *write_snippet(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* text (freed) with every from replaced by to; a new string. */
static char *replace_text(char *text, const char *from, const char *to)
{
    size_t n = 0, lf = strlen(from), lt = strlen(to);
    for (const char *p = text; (p = strstr(p, from)); p += lf)
        n++;
    char *out = malloc(strlen(text) + n * lt + 1), *o = out;
    const char *p = text;
    for (const char *q; (q = strstr(p, from)); p = q + lf) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, lt);
        o += lt;
    }
    strcpy(o, p);
    free(text);
    return out;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("message \"%s\"\n  does not contain \"%s\"", haystack, needle);
}

/* Dumps p into a malloc'ed string. */
static char *dump_string(const params *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(config_dump(p, f), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void assert_near(double a, double b, double rel)
{
    if (!(fabs(a - b) <= rel * fmax(fabs(a), fabs(b))))
        fail_msg("%.17g != %.17g (rel %g)", a, b, rel);
}

/* ---- good configurations ---- */

static void test_defaults(void **state)
{
    (void)state;
    params p, d;
    err e;
    err_clear(&e);
    params_defaults(&d);
    assert_int_equal(config_load(&p, NULL, NULL, 0, &e), 0);
    assert_memory_equal(&p, &d, sizeof p);
    assert_int_equal(config_validate(&d, &e), 0);
    assert_int_equal(e.set, 0);
}

static void test_defaults_round_trip(void **state)
{
    (void)state;
    params p, q;
    err e;
    err_clear(&e);
    params_defaults(&p);
    char *text = dump_string(&p);
    const char *path = write_snippet("defaults.cfg", text);
    assert_int_equal(config_load(&q, path, NULL, 0, &e), 0);
    assert_memory_equal(&p, &q, sizeof p);
    free(text);
}

static void test_full_round_trip(void **state)
{
    (void)state;
    params p, q;
    err e;
    err_clear(&e);
    if (config_load(&p, DATA "full.cfg", NULL, 0, &e) < 0)
        fail_msg("%s", e.msg);
    /* a few fields straight from the file */
    assert_true(p.sim.seed == 12345678901ULL);
    assert_near(p.sim.duration_s, 3600.5, 0);
    assert_near(p.sim.warmup_s, 120.0, 0);
    assert_false(p.sim.warm_start);
    assert_int_equal(p.apiserver.service_time.kind, DIST_UNIFORM);
    assert_int_equal(p.apiserver.sa_lookup.get_time.kind, DIST_DETERMINISTIC);
    assert_near(p.apiserver.sa_lookup.get_time.cv, 0.0, 0);
    assert_int_equal(p.apiserver.sa_lookup.mode, SA_LOOKUP_INFORMER);
    assert_int_equal(p.metrics_server.auth, MS_AUTH_CERTIFICATE);
    assert_int_equal(p.trigger.kind, TRIGGER_BURST);
    assert_int_equal(p.trigger.flush, FLUSH_KUBELET);
    assert_int_equal(p.trigger.target, BURST_TOKENREVIEW);
    assert_true(p.sweep.x.present);
    assert_string_equal(p.sweep.x.key, "cluster.nodes");
    assert_int_equal(p.sweep.x.scale, SCALE_LOG);
    assert_int_equal(p.sweep.x.nvalues, 0);
    assert_int_equal(p.sweep.y.nvalues, 6);
    assert_near(p.sweep.y.values[2], 30.0, 0);
    assert_int_equal(p.plot.formats, PLOT_PNG | PLOT_SVG);
    assert_int_equal(p.ninterventions, 5);
    assert_int_equal(p.interventions[1].kind, INTERVENE_RESTART);
    assert_int_equal(p.interventions[2].flush, FLUSH_KUBELET);
    assert_int_equal(p.interventions[3].kind, INTERVENE_RAMP);
    assert_near(p.interventions[3].sets[0].value, 300, 0);
    assert_int_equal(p.interventions[4].nsets, 2);
    assert_near(p.interventions[4].sets[1].value, SA_LOOKUP_UNLIMITED, 0);
    assert_string_equal(p.interventions[4].sets[0].text, "metrics_server.auth = \"token\"");

    /* awkward doubles must survive too */
    assert_int_equal(config_set_number(&p, "kubelet.retry.jitter", 1.0 / 3.0, NULL, &e), 0);
    assert_int_equal(config_set_number(&p, "apiserver.cpu.reject_cost", 5e-324, NULL, &e), 0);
    assert_int_equal(config_set_number(&p, "kubelet.api_qps", 1e21, NULL, &e), 0);
    assert_int_equal(config_set_number(&p, "sa_clients.zipf", 0.1 + 0.2, NULL, &e), 0);
    assert_int_equal(config_set_number(&p, "sa_clients.rate", -0.0, NULL, &e), 0);

    char *first = dump_string(&p);
    const char *path = write_snippet("resolved.cfg", first);
    if (config_load(&q, path, NULL, 0, &e) < 0)
        fail_msg("%s\n%s", e.msg, first);
    assert_memory_equal(&p, &q, sizeof p);
    char *second = dump_string(&q);
    assert_string_equal(first, second);
    free(first);
    free(second);
}

static void test_include_override(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    if (config_load(&p, DATA "mitigation.cfg", NULL, 0, &e) < 0)
        fail_msg("%s", e.msg);
    assert_near(p.sim.duration_s, 2400.0, 0);          /* base */
    assert_near(p.sim.warmup_s, 200.0, 0);             /* base, an int for a float */
    assert_true(p.sim.seed == 7);                      /* base */
    assert_int_equal(p.cluster.nodes, 3000);           /* override */
    assert_near(p.apiserver.loopback.qps, 0.0, 0);     /* override */
    assert_int_equal(p.apiserver.loopback.burst, 100); /* base, same group */
    assert_int_equal(p.apiserver.service_time.kind, DIST_GAMMA);
    assert_near(p.apiserver.service_time.mean, 0.008, 0);
    assert_near(p.apiserver.service_time.cv, 0.5, 0);
    assert_near(p.apiserver.service_time.b, 0.008 * 0.25, 1e-15); /* dist_set ran */

    /* two levels, the include relative to the including file's directory */
    if (config_load(&p, DATA "mitigations/informer.cfg", NULL, 0, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(p.cluster.nodes, 3000);
    assert_true(p.sim.seed == 11);
    assert_int_equal(p.apiserver.sa_lookup.mode, SA_LOOKUP_INFORMER);
    assert_near(p.apiserver.loopback.qps, 0.0, 0);

    /* --set comes last */
    const char *sets[] = {"cluster.nodes=42", "apiserver.loopback.burst=5"};
    if (config_load(&p, DATA "mitigation.cfg", sets, 2, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(p.cluster.nodes, 42);
    assert_int_equal(p.apiserver.loopback.burst, 5);

    /* an @include inside a group is libconfig's textual include */
    write_snippet("inner.cfg", "duration = 1999.0;\n");
    const char *path = write_snippet("outer.cfg", "sim = {\n  @include \"inner.cfg\"\n};\n");
    if (config_load(&p, path, NULL, 0, &e) < 0)
        fail_msg("%s", e.msg);
    assert_near(p.sim.duration_s, 1999.0, 0);
}

static void test_int_for_float(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    const char *path = write_snippet(
        "ints.cfg", "sim = { duration = 3600; };\nkubelet = { retry = { factor = 2; }; };\n"
                    "sweep = { x = { key = \"apiserver.loopback.qps\"; values = ( 1, 2.5, 10 ); "
                    "}; };\n");
    if (config_load(&p, path, NULL, 0, &e) < 0)
        fail_msg("%s", e.msg);
    assert_near(p.sim.duration_s, 3600.0, 0);
    assert_near(p.kubelet.retry.factor, 2.0, 0);
    assert_int_equal(p.sweep.x.nvalues, 3);
    assert_near(p.sweep.x.values[1], 2.5, 0);
}

static void test_dist_partial(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    /* exponential inherits the lognormal default cv 1 silently; deterministic with cv = 0 is fine
     */
    const char *path =
        write_snippet("dist.cfg", "apiserver = {\n  service_time = { dist = \"deterministic\"; };\n"
                                  "  sa_lookup = { get_time = { dist = \"deterministic\"; cv = 0; "
                                  "mean = 0.5; }; };\n};\n");
    if (config_load(&p, path, NULL, 0, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(p.apiserver.service_time.kind, DIST_DETERMINISTIC);
    assert_near(p.apiserver.service_time.cv, 0.0, 0);
    assert_near(p.apiserver.service_time.mean, 0.005, 0);
    assert_near(p.apiserver.sa_lookup.get_time.mean, 0.5, 0);

    /* only the mean: kind and cv stay */
    assert_int_equal(config_apply_set(&p, "apiserver.sa_lookup.get_time.mean=0.25", &e), 0);
    assert_int_equal(p.apiserver.sa_lookup.get_time.kind, DIST_DETERMINISTIC);
    assert_near(p.apiserver.sa_lookup.get_time.mean, 0.25, 0);
    /* a kind change keeps the inherited cv */
    assert_int_equal(config_apply_set(&p, "apiserver.sa_lookup.get_time.dist=gamma", &e), 0);
    assert_int_equal(p.apiserver.sa_lookup.get_time.kind, DIST_GAMMA);
    assert_int_equal(config_apply_set(&p, "apiserver.sa_lookup.get_time.cv=2", &e), 0);
    assert_near(p.apiserver.sa_lookup.get_time.a, 0.25, 1e-15); /* shape 1/cv^2 */
}

static void test_set_good(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    params_defaults(&p);
    assert_int_equal(config_apply_set(&p, "plot.formats=png,pdf", &e), 0);
    assert_int_equal(p.plot.formats, PLOT_PNG | PLOT_PDF);
    assert_int_equal(config_apply_set(&p, "plot.formats=[\"svg\"]", &e), 0);
    assert_int_equal(p.plot.formats, PLOT_SVG);
    assert_int_equal(config_apply_set(&p, "apiserver.sa_lookup.mode=\"unlimited\"", &e), 0);
    assert_int_equal(p.apiserver.sa_lookup.mode, SA_LOOKUP_UNLIMITED);
    assert_int_equal(config_apply_set(&p, "metrics_server.auth=certificate", &e), 0);
    assert_int_equal(p.metrics_server.auth, MS_AUTH_CERTIFICATE);
    assert_int_equal(config_apply_set(&p, "metrics_server.enabled=false", &e), 0);
    assert_false(p.metrics_server.enabled);
    assert_int_equal(config_apply_set(&p, "sim.seed=9223372036854775807", &e), 0);
    assert_true(p.sim.seed == 9223372036854775807ULL);
    assert_int_equal(config_apply_set(&p, "apiserver.loopback.qps=12.5", &e), 0);
    assert_near(p.apiserver.loopback.qps, 12.5, 0);
    assert_int_equal(config_apply_set(&p, "sweep.x.key=cluster.nodes", &e), 0);
    assert_true(p.sweep.x.present);
    assert_string_equal(p.sweep.x.key, "cluster.nodes");
    assert_int_equal(config_apply_set(&p, "sweep.x.values=100, 200,300", &e), 0);
    assert_int_equal(p.sweep.x.nvalues, 3);
    assert_near(p.sweep.x.values[2], 300.0, 0);
    assert_int_equal(config_apply_set(&p, "sweep.x.from=100", &e), 0); /* back to the grid */
    assert_int_equal(p.sweep.x.nvalues, 0);
    assert_int_equal(config_validate(&p, &e), 0);
    assert_int_equal(e.set, 0);

    /* big seeds round-trip with an L suffix */
    char *text = dump_string(&p);
    assert_contains(text, "seed = 9223372036854775807L;");
    free(text);
}

static void test_numeric_keys(void **state)
{
    (void)state;
    params p;
    err e;
    int is_int = -1;
    double v;
    params_defaults(&p);

    err_clear(&e);
    assert_int_equal(config_key_numeric("cluster.nodes", &is_int, &e), 0);
    assert_int_equal(is_int, 1);
    assert_int_equal(config_key_numeric("apiserver.loopback.qps", &is_int, &e), 0);
    assert_int_equal(is_int, 0);
    assert_int_equal(config_key_numeric("apiserver.service_time.mean", &is_int, &e), 0);
    assert_int_equal(is_int, 0);

    assert_int_equal(config_key_numeric("cluster.node", &is_int, &e), -1);
    assert_contains(e.msg, "cluster.node: unknown key; did you mean 'cluster.nodes'?");
    err_clear(&e);
    assert_int_equal(config_key_numeric("metrics_server.enabled", &is_int, &e), -1);
    assert_contains(e.msg, "metrics_server.enabled: not a numeric key");
    err_clear(&e);
    assert_int_equal(config_key_numeric("sweep.replications", &is_int, &e), -1);
    assert_contains(e.msg, "sweep.replications: a sweep setting");
    err_clear(&e);
    assert_int_equal(config_key_numeric("apiserver.loopback", &is_int, &e), -1);
    assert_contains(e.msg, "a group");
    err_clear(&e);
    assert_int_equal(config_key_numeric("sim.seed", &is_int, &e), -1);
    err_clear(&e);
    assert_int_equal(config_key_numeric("apiserver.service_time.dist", &is_int, &e), -1);
    err_clear(&e);

    assert_int_equal(config_set_number(&p, "cluster.nodes", 12000, "sweep.x value 12000", &e), 0);
    assert_int_equal(config_get_number(&p, "cluster.nodes", &v, &e), 0);
    assert_near(v, 12000, 0);
    assert_int_equal(p.cluster.nodes, 12000);
    assert_int_equal(config_set_number(&p, "health.window", 90.5, NULL, &e), 0);
    assert_int_equal(config_get_number(&p, "health.window", &v, &e), 0);
    assert_near(v, 90.5, 0);
    assert_int_equal(config_set_number(&p, "apiserver.service_time.mean", 0.02, NULL, &e), 0);
    assert_near(p.apiserver.service_time.mean, 0.02, 0);
    assert_near(p.apiserver.service_time.a, log(0.02) - 0.5 * log(2.0), 1e-12); /* dist_set ran */
    assert_int_equal(config_get_number(&p, "apiserver.service_time.cv", &v, &e), 0);
    assert_near(v, 1.0, 0);
    assert_int_equal(e.set, 0);

    assert_int_equal(config_set_number(&p, "cluster.nodes", 2e6, "sweep.x value 2000000", &e), -1);
    assert_string_equal(e.msg, "sweep.x value 2000000: cluster.nodes: expected an integer in "
                               "[0, 1000000] (got 2000000)");
    err_clear(&e);
    assert_int_equal(config_set_number(&p, "cluster.nodes", 2.5, "x", &e), -1);
    assert_contains(e.msg, "x: cluster.nodes: expected an integer in [0, 1000000] (got 2.5)");
    err_clear(&e);
    assert_int_equal(config_set_number(&p, "apiserver.loopback.qps", NAN, "y", &e), -1);
    assert_contains(e.msg, "y: apiserver.loopback.qps: expected a finite number >= 0 (got nan)");
    err_clear(&e);
    assert_int_equal(config_set_number(&p, "sim.duration", 0.0, "z", &e), -1);
    assert_contains(e.msg, "z: sim.duration: expected a number > 0 (got 0");
    err_clear(&e);
    assert_int_equal(config_set_number(&p, "apiserver.sa_lookup.get_time.cv", 0.5, "w", &e), -1);
    assert_contains(e.msg, "expected 1 for dist \"exponential\" (got 0.5)");
    err_clear(&e);
    assert_int_equal(config_set_number(&p, "cluster.nodez", 1, "sweep.x", &e), -1);
    assert_contains(e.msg, "sweep.x: cluster.nodez: unknown key; did you mean 'cluster.nodes'?");
    err_clear(&e);
    assert_int_equal(config_get_number(&p, "plot.formats", &v, &e), -1);
    assert_int_equal(p.cluster.nodes, 12000); /* failed sets change nothing */
}

static void test_validate_direct(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    params_defaults(&p);
    p.sim.warmup_s = p.sim.duration_s;
    assert_int_equal(config_validate(&p, &e), -1);
    assert_string_equal(e.msg, "sim.warmup: expected less than sim.duration = 1800 (got 1800); "
                               "lower sim.warmup below 1800 or raise sim.duration above 1800");

    err_clear(&e);
    params_defaults(&p);
    p.trigger.kind = TRIGGER_NONE;
    p.trigger.at_s = 1e9; /* ignored without a trigger */
    assert_int_equal(config_validate(&p, &e), 0);

    /* the --set that caused a cross-field error is named */
    const char *sets[] = {"sim.warmup=1800"};
    assert_int_equal(config_load(&p, NULL, sets, 1, &e), -1);
    assert_string_equal(e.msg, "--set sim.warmup=1800: sim.warmup: expected less than "
                               "sim.duration = 1800 (got 1800); lower sim.warmup below 1800 or "
                               "raise sim.duration above 1800");
}

/* A --set of either key of a cross-field check is blamed, not the base file's line of the other
 * key; the message says which key to change and where the other one was set. */
static void test_cross_field_blames_the_set(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    const char *path =
        write_snippet("base.cfg", "sim = {\n  duration = 1000.0;\n  warmup = 300.0;\n};\n"
                                  "trigger = { at = 400.0; };\n");
    const char *sets[] = {"sim.duration=100"};
    assert_int_equal(config_load(&p, path, sets, 1, &e), -1);
    char want[512];
    snprintf(want, sizeof want,
             "--set sim.duration=100: sim.warmup: expected less than sim.duration = 100 (got "
             "300); lower sim.warmup below 100 or raise sim.duration above 300 (sim.warmup is set "
             "at %s:3)",
             path);
    assert_string_equal(e.msg, want);

    /* the file alone: its line of the key the message is about */
    err_clear(&e);
    const char *sets2[] = {"trigger.at=990"};
    assert_int_equal(config_load(&p, path, sets2, 1, &e), -1);
    assert_contains(e.msg, "--set trigger.at=990: trigger.at: expected trigger.at + "
                           "trigger.duration + health.window <= sim.duration = 1000");
    assert_contains(e.msg, "; move the trigger earlier or raise sim.duration to at least 1050");

    /* of two --sets involved, the last one applied */
    err_clear(&e);
    const char *sets3[] = {"sim.warmup=2000", "health.window=30"};
    assert_int_equal(config_load(&p, path, sets3, 2, &e), -1);
    assert_contains(e.msg, "--set sim.warmup=2000: sim.warmup: expected less than sim.duration");
    err_clear(&e);
    const char *sets4[] = {"sim.duration=200", "sim.warmup=250"};
    assert_int_equal(config_load(&p, path, sets4, 2, &e), -1);
    assert_contains(e.msg, "--set sim.warmup=250: sim.warmup:");

    /* no --set involved: the file's line, as before */
    err_clear(&e);
    const char *sets5[] = {"cluster.nodes=10"};
    path = write_snippet("base2.cfg", "sim = {\n  duration = 100.0;\n  warmup = 300.0;\n};\n");
    assert_int_equal(config_load(&p, path, sets5, 1, &e), -1);
    snprintf(want, sizeof want,
             "%s:3: sim.warmup: expected less than sim.duration = 100 (got 300); lower sim.warmup "
             "below 100 or raise sim.duration above 300",
             path);
    assert_string_equal(e.msg, want);
}

/* Runs that cannot finish sensibly are refused, each bound named with its limit. */
static void test_cost_bounds(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    const char *s1[] = {"sim.sample_interval=0.000001"};
    assert_int_equal(config_load(&p, NULL, s1, 1, &e), -1);
    assert_contains(e.msg, "--set sim.sample_interval=0.000001: sim.sample_interval: the run would "
                           "take 1.44e+10 samples");
    assert_contains(e.msg, "more than the limit of 1000000 samples");
    err_clear(&e);
    const char *s2[] = {"sim.duration=1e15"};
    assert_int_equal(config_load(&p, NULL, s2, 1, &e), -1);
    assert_contains(e.msg,
                    "--set sim.duration=1e15: sim.duration: the run would take 1e+15 samples");
    err_clear(&e);
    const char *s3[] = {"cluster.nodes=1000000", "sim.max_duration=100000"};
    assert_int_equal(config_load(&p, NULL, s3, 2, &e), -1);
    assert_contains(e.msg, "the run would need about 3.25e+10 engine events");
    assert_contains(e.msg, "more than the limit of 1e+10");
    err_clear(&e);
    const char *s4[] = {"sa_clients.rate=1e9"};
    assert_int_equal(config_load(&p, NULL, s4, 1, &e), -1);
    assert_contains(e.msg, "--set sa_clients.rate=1e9: sa_clients.rate: the run would need about");
    /* the limits leave room: a million nodes for the default horizon, a day at 0.1 s */
    err_clear(&e);
    const char *s5[] = {"cluster.nodes=1000000"};
    assert_int_equal(config_load(&p, NULL, s5, 1, &e), 0);
    const char *s6[] = {"sim.max_duration=86400", "sim.sample_interval=0.1"};
    assert_int_equal(config_load(&p, NULL, s6, 2, &e), 0);
}

/* The a-priori estimate is within a factor 2 of what healthy runs take. */
static void test_event_estimate(void **state)
{
    (void)state;
    const char *cases[][6] = {
        {"cluster.nodes=400", "metrics_server.enabled=false", NULL},
        {"cluster.nodes=400", NULL},
        {"cluster.nodes=0", "metrics_server.enabled=false", "sa_clients.rate=50",
         "sa_clients.tokens=40", NULL},
        {"cluster.nodes=0", "metrics_server.enabled=false", "background.mutating_rate=40",
         "background.readonly_rate=40", NULL},
        {"cluster.nodes=300", "sa_clients.rate=20", "sa_clients.tokens=20",
         "background.readonly_rate=30", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *sets[12];
        int n = 0;
        sets[n++] = "trigger.kind=none";
        sets[n++] = "sim.duration=600";
        sets[n++] = "sim.max_duration=600";
        sets[n++] = "sim.warmup=100";
        for (int j = 0; cases[i][j]; j++)
            sets[n++] = cases[i][j];
        params p;
        err e;
        err_clear(&e);
        if (config_load(&p, NULL, sets, n, &e) < 0)
            fail_msg("%s", e.msg);
        run_output o;
        model_run(&p, 0, 0, NULL, NULL, &o);
        double est = config_estimate_events(&p), got = (double)o.events;
        run_output_free(&o);
        if (!(est >= 0.5 * got && est <= 2 * got))
            fail_msg("case %zu: estimated %.3g events, the run took %.3g", i, est, got);
    }
}

/* plot.title: the config file's name unless set; the --set or file value as written. */
static void test_plot_title(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    assert_int_equal(config_load(&p, DATA "mitigation.cfg", NULL, 0, &e), 0);
    assert_string_equal(p.plot.title, "mitigation.cfg"); /* the outer file, not its base */
    assert_string_equal(config_title(&p), "mitigation.cfg");
    const char *sets[] = {"plot.title=Mitigation: no loopback limit"};
    assert_int_equal(config_load(&p, DATA "mitigation.cfg", sets, 1, &e), 0);
    assert_string_equal(config_title(&p), "Mitigation: no loopback limit");
    const char *path =
        write_snippet("titled.cfg", "plot = { title = \"Base \\\"quoted\\\"\"; };\n");
    assert_int_equal(config_load(&p, path, NULL, 0, &e), 0);
    assert_string_equal(p.plot.title, "Base \"quoted\"");
    /* written back and read again */
    char *text = dump_string(&p);
    assert_contains(text, "    title = \"Base \\\"quoted\\\"\";\n");
    params q;
    path = write_snippet("titled2.cfg", text);
    assert_int_equal(config_load(&q, path, NULL, 0, &e), 0);
    assert_string_equal(q.plot.title, p.plot.title);
    free(text);
    /* no file: empty, and the charts say what ran */
    assert_int_equal(config_load(&p, NULL, NULL, 0, &e), 0);
    assert_string_equal(p.plot.title, "");
    assert_string_equal(config_title(&p), "built-in Kubernetes 1.12 defaults");
    /* not a string, too long */
    path = write_snippet("badtitle.cfg", "plot = { title = 5; };\n");
    assert_int_equal(config_load(&p, path, NULL, 0, &e), -1);
    assert_contains(e.msg, "badtitle.cfg:1: plot.title: expected a string (got 5)");
    char longset[300] = "plot.title=";
    memset(longset + 11, 'x', 200);
    longset[211] = '\0';
    err_clear(&e);
    assert_int_equal(config_apply_set(&p, longset, &e), -1);
    assert_contains(e.msg, "plot.title: expected a string of at most 127 characters (got 200)");
}

/* config.resolved.cfg starts with the build; comparing two of them ignores that line. */
static void test_resolved_provenance(void **state)
{
    (void)state;
    params p, q;
    err e;
    err_clear(&e);
    params_defaults(&p);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(config_dump_resolved(&p, f), 0);
    fclose(f);
    assert_int_equal(strncmp(buf, "# avalanche ", 12), 0);
    char *plain = dump_string(&p);
    assert_string_equal(strchr(buf, '\n') + 1, plain);
    /* another build's line: the same config */
    char *other = malloc(strlen(plain) + 64);
    sprintf(other, "# avalanche 9.9.9 (commit 0000000-dirty)\n%s", plain);
    assert_true(config_resolved_same(buf, other));
    assert_true(config_resolved_same(buf, plain));
    /* a different config is not */
    other[strlen(other) - 2] = 'X';
    assert_false(config_resolved_same(buf, other));
    /* and the file loads, the line being a comment */
    const char *path = write_snippet("resolved-provenance.cfg", buf);
    assert_int_equal(config_load(&q, path, NULL, 0, &e), 0);
    assert_memory_equal(&p, &q, sizeof p);
    free(other);
    free(plain);
    free(buf);
}

/* Every shipped config resolves to exactly the text pinned in tests/data/config/check/ (what
 * `avalanche check configs/X.cfg` printed when it was pinned), and that text reads back to itself.
 * Regenerate a pinned file only for a change meant to alter the resolved config:
 *   build/avalanche check configs/X.cfg > tests/data/config/check/X.cfg */
static void test_shipped_configs_pinned(void **state)
{
    (void)state;
    DIR *d = opendir("configs");
    assert_non_null(d);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".cfg") != 0)
            continue;
        char path[512], pinned[512];
        snprintf(path, sizeof path, "configs/%s", de->d_name);
        snprintf(pinned, sizeof pinned, DATA "check/%s", de->d_name);
        params p, q;
        err e;
        err_clear(&e);
        if (config_load(&p, path, NULL, 0, &e) < 0)
            fail_msg("%s", e.msg);
        char *got = dump_string(&p), *want = text_read_file(pinned, SIZE_MAX, &(size_t){0});
        if (!want)
            fail_msg("%s has no pinned resolved config %s", path, pinned);
        /* a config axis's files resolve to absolute paths: pinned as @CONFIGS@/NAME */
        char configs[PATH_MAX];
        assert_non_null(realpath("configs", configs));
        want = replace_text(want, "@CONFIGS@", configs);
        if (strcmp(got, want) != 0)
            fail_msg("%s resolves differently from %s", path, pinned);
        if (config_load(&q, write_snippet("pinned.cfg", want), NULL, 0, &e) < 0)
            fail_msg("%s", e.msg);
        char *again = dump_string(&q);
        assert_string_equal(again, want);
        free(got);
        free(want);
        free(again);
        n++;
    }
    closedir(d);
    assert_true(n >= 10);
}

/* ---- bad files ---- */

typedef struct bad {
    const char *snippet;
    const char *want;  /* must appear in the message (after the tmpdir/ prefix) */
    const char *want2; /* NULL or a second fragment */
} bad;

static const bad bad_files[] = {
    /* syntax */
    {"sim = {\n  duration = ;\n};\n", "bad.cfg:2: syntax error", NULL},
    {"\n\nsim = { duration = = 1.0; };\n", "bad.cfg:3: syntax error", NULL},
    {"a = [ 1, 2.5 ];\n", "bad.cfg:1: syntax error: mismatched element type in array", NULL},
    /* unknown keys and groups */
    {"apiserver = {\n  loopback = { qpss = 5; };\n};\n",
     "bad.cfg:2: apiserver.loopback.qpss: unknown key; did you mean 'qps'?", NULL},
    {"sim = { warmpu = 5.0; };\n", "bad.cfg:1: sim.warmpu: unknown key; did you mean 'warmup'?",
     NULL},
    {"sim = { zzzzzz = 1; };\n", "bad.cfg:1: sim.zzzzzz: unknown key", NULL},
    {"\nsimm = { seed = 2; };\n", "bad.cfg:2: simm: unknown group; did you mean 'sim'?", NULL},
    {"apiserver = { service_time = { sd = 1.0; }; };\n",
     "bad.cfg:1: apiserver.service_time.sd: unknown key", NULL},
    /* types */
    {"cluster = { nodes = \"many\"; };\n",
     "bad.cfg:1: cluster.nodes: expected an integer in [0, 1000000] (got \"many\")", NULL},
    {"apiserver = { loopback = { burst = 5.0; }; };\n",
     "bad.cfg:1: apiserver.loopback.burst: expected an integer >= 1 (got 5.0)", NULL},
    {"metrics_server = { enabled = \"yes\"; };\n",
     "bad.cfg:1: metrics_server.enabled: expected true or false (got \"yes\")", NULL},
    {"cluster = 5;\n", "bad.cfg:1: cluster: expected a group (got 5)", NULL},
    {"sim = { seed = -3; };\n",
     "bad.cfg:1: sim.seed: expected a non-negative 64-bit integer (got -3)", NULL},
    {"sim = { seed = 3000000000; };\n", "bad.cfg:1: integer 3000000000 is out of the 32-bit range",
     "write 3000000000L"},
    /* ranges */
    {"apiserver = {\n  loopback = {\n    burst = -5;\n  };\n};\n",
     "bad.cfg:3: apiserver.loopback.burst: expected an integer >= 1 (got -5)", NULL},
    {"kubelet = { webhook_cache_ttl = -1.0; };\n",
     "bad.cfg:1: kubelet.webhook_cache_ttl: expected a number >= 0 (got -1.0)", NULL},
    {"sim = { duration = 0; };\n", "bad.cfg:1: sim.duration: expected a number > 0 (got 0)", NULL},
    {"sim = { duration = 1e400; };\n",
     "bad.cfg:1: sim.duration: expected a finite number > 0 (got inf)", NULL},
    {"health = { min_sa_success = 1.5; };\n",
     "bad.cfg:1: health.min_sa_success: expected a number in [0, 1] (got 1.5)", NULL},
    {"cluster = { nodes = 1000001; };\n",
     "bad.cfg:1: cluster.nodes: expected an integer in [0, 1000000] (got 1000001)", NULL},
    {"kubelet = { retry = { factor = 0.5; }; };\n",
     "bad.cfg:1: kubelet.retry.factor: expected a number >= 1 (got 0.5)", NULL},
    {"client_go = { max_tries = 0; };\n",
     "bad.cfg:1: client_go.max_tries: expected an integer in [1, 65535] (got 0)", NULL},
    /* distributions */
    {"apiserver = {\n  service_time = { dist = \"exponential\"; cv = 0.5; };\n};\n",
     "bad.cfg:2: apiserver.service_time.cv: expected 1 for dist \"exponential\" (got 0.5)", NULL},
    {"apiserver = { sa_lookup = { get_time = { cv = 0.5; }; }; };\n",
     "apiserver.sa_lookup.get_time.cv: expected 1 for dist \"exponential\" (got 0.5)", NULL},
    {"apiserver = { service_time = { dist = \"deterministic\"; cv = 0.1; }; };\n",
     "apiserver.service_time.cv: expected 0 for dist \"deterministic\" (got 0.1)", NULL},
    {"apiserver = { service_time = { dist = \"uniform\"; cv = 0.9; }; };\n",
     "apiserver.service_time.cv: expected a number in [0, 0.57735] for dist \"uniform\" (got 0.9)",
     NULL},
    {"apiserver = { service_time = { dist = \"uniform\"; }; };\n",
     "bad.cfg:1: apiserver.service_time.dist: expected a cv <= 0.57735 for \"uniform\"", NULL},
    {"apiserver = { service_time = { mean = 0; }; };\n",
     "bad.cfg:1: apiserver.service_time.mean: expected a number > 0 (got 0)", NULL},
    {"apiserver = { service_time = { dist = \"weibull\"; }; };\n",
     "apiserver.service_time.dist: expected one of \"exponential\"", "(got \"weibull\")"},
    /* enums and formats */
    {"trigger = { kind = \"explode\"; };\n",
     "bad.cfg:1: trigger.kind: expected one of \"none\", \"burst\", \"cache_flush\", "
     "\"apiserver_restart\" (got \"explode\")",
     NULL},
    {"apiserver = { sa_lookup = { mode = \"loopbak\"; }; };\n",
     "(got \"loopbak\"); did you mean 'loopback'?", NULL},
    {"plot = { formats = []; };\n",
     "bad.cfg:1: plot.formats: expected a non-empty list of \"png\", \"svg\", \"pdf\"", NULL},
    {"plot = { formats = [ \"png\", \"gif\" ]; };\n",
     "plot.formats[1]: expected one of \"png\", \"svg\", \"pdf\" (got \"gif\")", NULL},
    {"plot = { formats = [ \"png\", \"png\" ]; };\n",
     "plot.formats[1]: expected each format once (got \"png\" twice)", NULL},
    /* interventions */
    {"interventions = ( { at = 100.0; set = [ \"cluster.nodes = 5\" ]; } );\n",
     "bad.cfg:1: interventions[0].set[0]: cluster.nodes can not change during a run", NULL},
    {"interventions = ( { at = 100.0; set = [ \"apiserver.loopback.qps = 500\" ]; } );\n",
     "apiserver.loopback.qps is process configuration: it changes only in the set list of an "
     "action \"apiserver_restart\"",
     NULL},
    {"interventions = ( { at = 100.0; action = \"apiserver_restart\"; } );\n",
     "interventions[0].duration: expected a duration > 0 for action \"apiserver_restart\"", NULL},
    {"interventions = ( { at = 100.0; set = [ \"apiserver.max_mutating_requests_inflight = 0\" ]; "
     "} );\n",
     "interventions[0].set[0]: apiserver.max_mutating_requests_inflight: expected an integer >= 1 "
     "(got 0)",
     NULL},
    {"interventions = ( { at = 100.0; sett = [ \"a = 1\" ]; } );\n",
     "interventions[0].sett: unknown key; did you mean 'set'?", NULL},
    {"interventions = ( { at = 100.0; set = [ \"metrics_server.auth = \\\"certs\\\"\" ]; } );\n",
     "metrics_server.auth: expected one of \"token\", \"certificate\" (got \"certs\")", NULL},
    {"interventions = ( { at = 1790.0; set = [ \"sa_clients.rate = 3\" ]; } );\n",
     "interventions[0].at: expected the intervention (1790 s) and a health window after it to end "
     "by sim.duration = 1800 (got 1850)",
     NULL},
    {"interventions = ( { at = 900.0; set = [ \"sa_clients.rate = 3\" ]; },\n"
     "  { at = 800.0; action = \"cache_flush\"; } );\n",
     "bad.cfg:2: interventions[1].at: expected at least interventions[0].at = 900", NULL},
    {"interventions = ( { at = 900.0; ramp = [ \"metrics_server.auth = \\\"certificate\\\"\" ]; "
     "duration = 60.0; } );\n",
     "interventions[0].ramp[0]: expected a numeric key for a ramp (got metrics_server.auth)", NULL},
    {"interventions = ( { at = 900.0; action = \"cache_flush\"; duration = 5.0; } );\n",
     "interventions[0].duration: expected no duration except for action", NULL},
    {"interventions = ( { at = 900.0; } );\n",
     "interventions[0]: expected set, action or ramp (got none of them)", NULL},
    {"interventions = ( { set = [ \"sa_clients.rate = 3\" ]; } );\n",
     "interventions[0].at: expected a time (got none)", NULL},
    {"interventions = 5;\n", "interventions: expected a list of groups", NULL},
    /* cross-field */
    {"sim = {\n  duration = 600.0;\n  warmup = 600.0;\n};\n",
     "bad.cfg:3: sim.warmup: expected less than sim.duration = 600 (got 600)", NULL},
    {"trigger = {\n  at = 1790.0;\n};\n",
     "bad.cfg:2: trigger.at: expected trigger.at + trigger.duration + health.window <= "
     "sim.duration = 1800, so that the run can be judged after the trigger (got 1790 + 0 + 60 = "
     "1850)",
     NULL},
    {"trigger = { at = 320.0; };\n",
     "bad.cfg:1: trigger.at: expected at least sim.warmup + health.window = 300 + 60 = 360",
     "(got 320)"},
    {"trigger = { kind = \"burst\"; duration = 60.0; };\n",
     "trigger.rate: expected > 0 for kind \"burst\" (got 0)", NULL},
    {"trigger = { kind = \"apiserver_restart\"; };\n",
     "trigger.duration: expected > 0 for kind \"apiserver_restart\" (got 0)", NULL},
    {"sim = { sample_interval = 120.0; };\n",
     "bad.cfg:1: sim.sample_interval: expected at most health.window = 60 (got 120)", NULL},
    /* sweeps */
    {"sweep = {\n  x = { key = \"cluster.nodes\"; from = 0; to = 5000; scale = \"log\"; };\n};\n",
     "bad.cfg:2: sweep.x.from: expected from > 0 and to > 0 for scale \"log\" (got from = 0, "
     "to = 5000)",
     NULL},
    {"sweep = {\n  x = { key = \"cluster.nodes\"; values = []; };\n};\n",
     "bad.cfg:2: sweep.x.values: expected a non-empty list of numbers (got an empty array)", NULL},
    {"sweep = { x = { key = \"cluster.node\"; }; };\n",
     "bad.cfg:1: sweep.x.key: expected a numeric, enum or bool config key or \"config\" (got "
     "\"cluster.node\": unknown key; "
     "did you mean 'cluster.nodes'?)",
     NULL},
    {"sweep = { x = { key = \"plot.title\"; }; };\n",
     "sweep.x.key: expected a numeric, enum or bool config key or \"config\" (got \"plot.title\": "
     "not a numeric key)",
     NULL},
    {"sweep = { x = { key = \"sweep.replications\"; }; };\n",
     "sweep.x.key: expected a numeric, enum or bool config key or \"config\" (got "
     "\"sweep.replications\": a sweep setting",
     NULL},
    {"sweep = { x = { from = 1; to = 2; }; };\n",
     "sweep.x.key: expected a numeric, enum or bool config key or \"config\" (got none)", NULL},
    {"sweep = {\n  y = { key = \"cluster.nodes\"; values = [ 1 ]; };\n};\n",
     "bad.cfg:2: sweep.y: expected sweep.x too (got sweep.y alone)", NULL},
    {"sweep = {\n  x = { key = \"cluster.nodes\";\n        values = [ 10, 2000000 ]; };\n};\n",
     "bad.cfg:3: sweep.x.values[1]: cluster.nodes: expected an integer in [0, 1000000] (got "
     "2000000)",
     NULL},
    {"sweep = { x = { key = \"cluster.nodes\"; values = [ 1 ]; };\n"
     "          y = { key = \"cluster.nodes\"; values = [ 2 ]; }; };\n",
     "bad.cfg:2: sweep.y.key: expected a key other than sweep.x.key", NULL},
    {"sweep = { replications = 0; };\n",
     "bad.cfg:1: sweep.replications: expected an integer >= 1 (got 0)", NULL},
    {"sweep = { x = { key = \"cluster.nodes\"; steps = 0; }; };\n",
     "sweep.x.steps: expected an integer >= 1 (got 0)", NULL},
    /* includes */
    {"@include \"missing.cfg\"\n", "bad.cfg:1: @include \"missing.cfg\": cannot read",
     "No such file or directory"},
    {"sim = { seed = 2; };\n@include \"bad.cfg\"\n",
     "bad.cfg:2: @include \"bad.cfg\": include cycle", NULL},
    {"sim = {\n  @include \"missing.cfg\"\n};\n",
     "bad.cfg:2: @include: cannot open the included file", NULL},
    {"sim = {\n  @include \"bad.cfg\"\n};\n", "bad.cfg:2: @include: nested too deeply", NULL},
};

static void test_bad_files(void **state)
{
    (void)state;
    size_t n = sizeof bad_files / sizeof bad_files[0];
    assert_true(n >= 20);
    for (size_t i = 0; i < n; i++) {
        params p;
        err e;
        err_clear(&e);
        const char *path = write_snippet("bad.cfg", bad_files[i].snippet);
        if (config_load(&p, path, NULL, 0, &e) == 0)
            fail_msg("snippet %zu was accepted:\n%s", i, bad_files[i].snippet);
        assert_int_equal(e.set, 1);
        assert_null(strchr(e.msg, '\n'));
        assert_contains(e.msg, bad_files[i].want);
        if (bad_files[i].want2)
            assert_contains(e.msg, bad_files[i].want2);
        /* the location is the snippet (or a file it includes), with a path */
        assert_contains(e.msg, tmpdir);
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    assert_int_equal(config_load(&p, DATA "does-not-exist.cfg", NULL, 0, &e), -1);
    assert_string_equal(e.msg, DATA "does-not-exist.cfg: cannot read: No such file or directory");
}

/* ---- bad --set ---- */

typedef struct badset {
    const char *set;
    const char *want; /* the whole message */
} badset;

static const badset bad_sets[] = {
    {"apiserver.loopback.qps", "--set apiserver.loopback.qps: expected KEY=VALUE (got no '=')"},
    {"=5", "--set =5: expected KEY=VALUE (got an empty KEY)"},
    {"apiserver.loopback.qpss=5", "--set apiserver.loopback.qpss=5: apiserver.loopback.qpss: "
                                  "unknown key; did you mean 'apiserver.loopback.qps'?"},
    {"apiserver.loopbak.qps=5", "--set apiserver.loopbak.qps=5: apiserver.loopbak.qps: unknown "
                                "key; did you mean 'apiserver.loopback.qps'?"},
    {"nosuch=1", "--set nosuch=1: nosuch: unknown key"},
    {"apiserver.loopback.qps=nan",
     "--set apiserver.loopback.qps=nan: apiserver.loopback.qps: expected a finite number >= 0 "
     "(got nan)"},
    {"apiserver.loopback.qps=inf",
     "--set apiserver.loopback.qps=inf: apiserver.loopback.qps: expected a finite number >= 0 "
     "(got inf)"},
    {"apiserver.loopback.qps=5x",
     "--set apiserver.loopback.qps=5x: apiserver.loopback.qps: expected a number >= 0 (got 5x)"},
    {"apiserver.loopback.qps=", "--set apiserver.loopback.qps=: apiserver.loopback.qps: expected a "
                                "number >= 0 (got an empty value)"},
    {"apiserver.loopback.qps=-5",
     "--set apiserver.loopback.qps=-5: apiserver.loopback.qps: expected a number >= 0 (got -5)"},
    {"apiserver.loopback.burst=0",
     "--set apiserver.loopback.burst=0: apiserver.loopback.burst: expected an integer >= 1 (got "
     "0)"},
    {"apiserver.loopback.burst=2.5",
     "--set apiserver.loopback.burst=2.5: apiserver.loopback.burst: expected an integer >= 1 (got "
     "2.5)"},
    {"cluster.nodes=99999999999", "--set cluster.nodes=99999999999: cluster.nodes: expected an "
                                  "integer in [0, 1000000] (got 99999999999)"},
    {"sim.warm_start=yes", "--set sim.warm_start=yes: sim.warm_start: expected true or false (got "
                           "yes)"},
    {"trigger.kind=explode",
     "--set trigger.kind=explode: trigger.kind: expected one of \"none\", \"burst\", "
     "\"cache_flush\", \"apiserver_restart\" (got \"explode\")"},
    {"sim.seed=-1", "--set sim.seed=-1: sim.seed: expected a non-negative 64-bit integer (got -1)"},
    {"plot.formats=", "--set plot.formats=: plot.formats: expected a non-empty list of \"png\", "
                      "\"svg\", \"pdf\" (got an empty array)"},
    {"plot.formats=png,gif", "--set plot.formats=png,gif: plot.formats[1]: expected one of "
                             "\"png\", \"svg\", \"pdf\" (got \"gif\")"},
    {"sweep.x.values=1,a", "--set sweep.x.values=1,a: sweep.x.values: expected a comma-separated "
                           "list of numbers (got a)"},
    {"sweep.x.values=1,,2", "--set sweep.x.values=1,,2: sweep.x.values: expected a "
                            "comma-separated list of numbers (got an empty element)"},
    {"plot.formats=png,,svg", "--set plot.formats=png,,svg: plot.formats: expected a "
                              "comma-separated list of formats (got an empty element)"},
    {"cluster.nodes=1e3", "--set cluster.nodes=1e3: cluster.nodes: expected an integer in [0, "
                          "1000000] (got 1e3)"},
    {"sim.seed=18446744073709551616", "--set sim.seed=18446744073709551616: sim.seed: expected a "
                                      "non-negative 64-bit integer (got 18446744073709551616)"},
    {"sim.warm_start= ", "--set sim.warm_start= : sim.warm_start: expected true or false (got an "
                         "empty value)"},
    {"trigger.kind=a\nb", "--set trigger.kind=a\\nb: trigger.kind: expected one of \"none\", "
                          "\"burst\", \"cache_flush\", \"apiserver_restart\" (got \"a\\nb\")"},
    {"sweep.x.key=plot.formats", "--set sweep.x.key=plot.formats: sweep.x.key: expected a numeric, "
                                 "enum or bool config key or \"config\" (got \"plot.formats\": "
                                 "not a numeric key)"},
    {"apiserver.loopback=5", "--set apiserver.loopback=5: apiserver.loopback: expected a key, not "
                             "a group (e.g. apiserver.loopback.qps)"},
    {"apiserver.sa_lookup.get_time.cv=0.3",
     "--set apiserver.sa_lookup.get_time.cv=0.3: apiserver.sa_lookup.get_time.cv: expected 1 for "
     "dist \"exponential\" (got 0.3)"},
};

static void test_bad_sets(void **state)
{
    (void)state;
    size_t n = sizeof bad_sets / sizeof bad_sets[0];
    assert_true(n >= 8);
    for (size_t i = 0; i < n; i++) {
        params p;
        err e;
        err_clear(&e);
        params_defaults(&p);
        if (config_apply_set(&p, bad_sets[i].set, &e) == 0)
            fail_msg("--set %s was accepted", bad_sets[i].set);
        assert_string_equal(e.msg, bad_sets[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_defaults_round_trip),
        cmocka_unit_test(test_full_round_trip),
        cmocka_unit_test(test_include_override),
        cmocka_unit_test(test_int_for_float),
        cmocka_unit_test(test_dist_partial),
        cmocka_unit_test(test_set_good),
        cmocka_unit_test(test_numeric_keys),
        cmocka_unit_test(test_validate_direct),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_bad_sets),
        cmocka_unit_test(test_shipped_configs_pinned),
        cmocka_unit_test(test_resolved_provenance),
        cmocka_unit_test(test_plot_title),
        cmocka_unit_test(test_cross_field_blames_the_set),
        cmocka_unit_test(test_cost_bounds),
        cmocka_unit_test(test_event_estimate),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
