/* test_keys: the key table (L3): names unique and reachable once, enum names, defaults, labels,
 * and that the keys the loader accepts and writes are exactly the table's: every leaf of a
 * resolved config (parsed back with libconfig) is a row, every row is a leaf there, once, and
 * --set accepts each. */
#include "testutil.h"

#include "config.h"
#include "keydoc.h"
#include "keys.h"

#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

static size_t nrows;
static const key *rows;

static int setup(void **state)
{
    (void)state;
    rows = keys_table(&nrows);
    return 0;
}

static void test_names_unique(void **state)
{
    (void)state;
    for (size_t i = 0; i < nrows; i++) {
        assert_non_null(rows[i].name);
        assert_non_null(rows[i].doc);
        assert_true(keys_find(rows[i].name) == &rows[i]);
        for (size_t j = i + 1; j < nrows; j++)
            if (strcmp(rows[i].name, rows[j].name) == 0)
                fail_msg("key %s is listed twice", rows[i].name);
    }
}

/* Walks the tree the loader walks; counts each row reached. */
static void walk(const key *group, int *seen)
{
    for (const key *k = keys_first_child(group); k; k = keys_next_sibling(k)) {
        seen[k - rows]++;
        if (group)
            assert_int_equal(strncmp(k->name, group->name, strlen(group->name)), 0);
        if (keys_is_group(k))
            walk(k, seen);
    }
}

static void test_tree(void **state)
{
    (void)state;
    int *seen = calloc(nrows, sizeof *seen);
    walk(NULL, seen);
    for (size_t i = 0; i < nrows; i++) {
        int element = (rows[i].flags & KEY_F_ELEMENT) != 0;
        if (seen[i] != !element)
            fail_msg("%s reached %d times by the loader's walk", rows[i].name, seen[i]);
        if (!keys_is_group(&rows[i]) && !element && rows[i].type != KEY_LIST)
            assert_non_null(rows[i].label);
    }
    free(seen);
}

static void test_enum_names(void **state)
{
    (void)state;
    for (int k = 0; k < DIST_KIND_COUNT; k++) {
        assert_string_equal(key_enum_name(&key_enum_dist, k), dist_kind_name((dist_kind)k));
        assert_int_equal(key_enum_value(&key_enum_dist, dist_kind_name((dist_kind)k)), k);
    }
    assert_string_equal(sa_mode_name(SA_LOOKUP_INFORMER), "informer");
    assert_string_equal(trigger_kind_name(TRIGGER_APISERVER_RESTART), "apiserver_restart");
    assert_string_equal(intervention_kind_name(INTERVENE_FLUSH), "cache_flush");
    assert_string_equal(flush_scope_name((enum flush_scope)99), "?");
    assert_int_equal(key_enum_value(&key_enum_formats, "svg"), 1);
    assert_int_equal(1 << key_enum_value(&key_enum_formats, "pdf"), PLOT_PDF);
    assert_int_equal(key_enum_value(&key_enum_ms_auth, "nope"), -1);
}

static void test_defaults(void **state)
{
    (void)state;
    params p;
    params_defaults(&p);
    /* a few 1.12 values with their sources (include/params.h) */
    assert_int_equal(p.cluster.nodes, 5000);
    assert_int_equal(p.apiserver.max_requests_inflight, 400);
    assert_int_equal(p.apiserver.max_mutating_requests_inflight, 200);
    assert_near(p.apiserver.token_cache.success_ttl_s, 10.0, 0);
    assert_near(p.kubelet.webhook_cache_ttl_s, 120.0, 0);
    assert_near(p.apiserver.loopback.qps, 50.0, 0);
    assert_int_equal(p.apiserver.loopback.burst, 100);
    assert_int_equal(p.trigger.kind, TRIGGER_CACHE_FLUSH);
    assert_int_equal(p.sa_clients.tokens, 0);
    assert_near(p.sa_clients.rate, 0.0, 0);
    assert_int_equal(p.plot.formats, PLOT_PNG | PLOT_SVG | PLOT_PDF);
    assert_int_equal(p.apiserver.service_time.kind, DIST_LOGNORMAL);
    assert_near(p.apiserver.service_time.b, sqrt(log(2.0)), 1e-15); /* dist_set ran */
    assert_false(p.sweep.x.present);
    assert_int_equal(p.sweep.x.steps, 1);
}

static void test_labels(void **state)
{
    (void)state;
    char b[160];
    assert_string_equal(config_key_label("cluster.nodes", b, sizeof b), "cluster size (nodes)");
    assert_string_equal(config_key_label("kubelet.webhook_cache_ttl", b, sizeof b),
                        "kubelet webhook cache TTL (s)");
    assert_string_equal(config_key_label("sa_clients.rate", b, sizeof b),
                        "SA request rate (requests/s)");
    assert_string_equal(config_key_label("health.min_sa_success", b, sizeof b),
                        "minimum SA client success");
    assert_string_equal(config_key_label("no.such", b, sizeof b), "no.such");
}

/* ---- the loader's keys vs the table ---- */

typedef struct leaves {
    char names[512][128];
    char values[512][256];
    int n;
} leaves;

/* The text --set takes for a setting libconfig read back from config_dump. */
static void value_text(const config_setting_t *s, char *buf, size_t n)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        snprintf(buf, n, "%d", config_setting_get_int(s));
        break;
    case CONFIG_TYPE_INT64:
        snprintf(buf, n, "%lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT:
        snprintf(buf, n, "%.17g", config_setting_get_float(s));
        break;
    case CONFIG_TYPE_BOOL:
        snprintf(buf, n, "%s", config_setting_get_bool(s) ? "true" : "false");
        break;
    case CONFIG_TYPE_STRING:
        snprintf(buf, n, "%s", config_setting_get_string(s));
        break;
    case CONFIG_TYPE_ARRAY: {
        size_t used = 0;
        buf[0] = '\0';
        for (int i = 0; i < config_setting_length(s) && used < n; i++) {
            char el[64];
            value_text(config_setting_get_elem(s, i), el, sizeof el);
            used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? "," : "", el);
        }
        break;
    }
    default:
        buf[0] = '\0';
        break;
    }
}

static void collect(const config_setting_t *g, const char *prefix, leaves *l)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, i);
        char name[128];
        snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "", config_setting_name(s));
        if (config_setting_is_group(s)) {
            collect(s, name, l);
        } else {
            assert_true(l->n < 512);
            snprintf(l->names[l->n], sizeof l->names[0], "%s", name);
            value_text(s, l->values[l->n], sizeof l->values[0]);
            l->n++;
        }
    }
}

static void test_loader_keys_are_the_table(void **state)
{
    (void)state;
    params p;
    err e;
    err_clear(&e);
    params_defaults(&p);
    /* every axis present, so that config_dump writes every key */
    const char *sets[] = {"sweep.x.key=cluster.nodes",
                          "sweep.x.values=100,200",
                          "sweep.y.key=kubelet.webhook_cache_ttl",
                          "sweep.y.values=5,10",
                          "sweep.z.key=apiserver.max_requests_inflight",
                          "sweep.z.values=1,2"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(config_apply_set(&p, sets[i], &e), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(config_dump(&p, f), 0);
    fclose(f);
    config_t cf;
    config_init(&cf);
    assert_int_equal(config_read_string(&cf, text), CONFIG_TRUE);
    leaves *l = calloc(1, sizeof *l);
    collect(config_root_setting(&cf), "", l);

    /* every leaf written is a row, once */
    for (int i = 0; i < l->n; i++) {
        const key *k = keys_find(l->names[i]);
        if (!k || !keys_is_leaf(k))
            fail_msg("config_dump writes %s, which is not a key of the table", l->names[i]);
        for (int j = i + 1; j < l->n; j++)
            assert_string_not_equal(l->names[i], l->names[j]);
        /* and --set takes it back (interventions are a list: set in files only) */
        if (k->type == KEY_LIST)
            continue;
        char set[512];
        snprintf(set, sizeof set, "%s=%s", l->names[i], l->values[i]);
        params q = p;
        if (config_apply_set(&q, set, &e) != 0)
            fail_msg("--set %s: %s", set, e.msg);
    }
    /* every leaf row is written */
    int leaf_rows = 0;
    for (size_t r = 0; r < nrows; r++) {
        if (!keys_is_leaf(&rows[r]))
            continue;
        leaf_rows++;
        int found = 0;
        for (int i = 0; i < l->n; i++)
            found += strcmp(rows[r].name, l->names[i]) == 0;
        if (found != 1)
            fail_msg("key %s appears %d times in the resolved config", rows[r].name, found);
    }
    assert_int_equal(leaf_rows, l->n);

    /* and `avalanche keys` lists each leaf row once (the list members after their list) */
    char *names = NULL;
    f = open_memstream(&names, &len);
    int listed = keydoc_print(f, NULL, KEYDOC_NAMES);
    fclose(f);
    int elements = 0;
    for (size_t r = 0; r < nrows; r++)
        elements += (rows[r].flags & KEY_F_ELEMENT) != 0;
    assert_int_equal(listed, leaf_rows + elements);
    char *all = malloc(strlen(names) + 2);
    all[0] = '\n';
    strcpy(all + 1, names);
    for (size_t r = 0; r < nrows; r++) {
        if (keys_is_group(&rows[r]))
            continue;
        char line[160];
        snprintf(line, sizeof line, "\n%s\n", rows[r].name);
        if (!strstr(all, line))
            fail_msg("avalanche keys does not list %s", rows[r].name);
    }
    free(all);
    free(names);
    free(l);
    config_destroy(&cf);
    free(text);
}

/* The keys as pinned in a file: the resolved config of the defaults with both sweep axes
 * (tests/data/config/check/all-keys.cfg, regenerated with `avalanche check` when a key is added
 * on purpose). A row lost or added by mistake shows here. */
static void test_table_vs_pinned_keys(void **state)
{
    (void)state;
    config_t cf;
    config_init(&cf);
    if (config_read_file(&cf, "tests/data/config/check/all-keys.cfg") != CONFIG_TRUE)
        fail_msg("tests/data/config/check/all-keys.cfg: %s", config_error_text(&cf));
    leaves *l = calloc(1, sizeof *l);
    collect(config_root_setting(&cf), "", l);
    int leaf_rows = 0;
    for (size_t r = 0; r < nrows; r++)
        leaf_rows += keys_is_leaf(&rows[r]);
    for (int i = 0; i < l->n; i++) {
        const key *k = keys_find(l->names[i]);
        if (!k || !keys_is_leaf(k))
            fail_msg("all-keys.cfg has %s, which the key table lacks", l->names[i]);
    }
    if (l->n != leaf_rows)
        fail_msg("the key table has %d keys, all-keys.cfg %d", leaf_rows, l->n);
    free(l);
    config_destroy(&cf);
}

static void test_match(void **state)
{
    (void)state;
    assert_true(keydoc_match(NULL, "sim.duration"));
    assert_true(keydoc_match("ttl", "kubelet.webhook_cache_ttl"));
    assert_true(keydoc_match("TTL", "kubelet.webhook_cache_ttl"));
    assert_true(keydoc_match("kubelet.*", "kubelet.retry.factor"));
    assert_false(keydoc_match("kubelet.*", "apiserver.loopback.qps"));
    assert_true(keydoc_match("*.qps", "apiserver.loopback.qps"));
    assert_false(keydoc_match("*.qps", "kubelet.api_qps"));
    char b[160];
    assert_string_equal(keydoc_summary("cluster.nodes", b, sizeof b),
                        "integer (nodes), default 5000, [0, 1000000]");
    assert_string_equal(keydoc_summary("sim.duration", b, sizeof b),
                        "number (s), default 1800, > 0");
    assert_string_equal(keydoc_summary("metrics_server.timeout_fraction", b, sizeof b),
                        "number, default 0.9, (0, 1]");
    assert_string_equal(keydoc_summary("trigger.kind", b, sizeof b),
                        "one of none, burst, cache_flush, apiserver_restart, default cache_flush");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_unique),
        cmocka_unit_test(test_tree),
        cmocka_unit_test(test_enum_names),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_loader_keys_are_the_table),
        cmocka_unit_test(test_table_vs_pinned_keys),
        cmocka_unit_test(test_match),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
