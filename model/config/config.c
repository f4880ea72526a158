/* model/config/ (layer L3): every key of a config file: the key table (keys, one row per key),
 * the loader (config, this file, and the config_*.c files behind config_impl.h), the defaults
 * (params), `avalanche keys` and the man page's key list (keydoc). They include params.h, keys.h,
 * engine/ and parts/ headers (the enums); the model is reached only through model.h, for the keys
 * interventions may set. */
/* config: loading a config (config_load: the files, then the checks), the checks a whole config
 * passes (config_validate) and what a run costs a priori (L3). The loader's other parts are
 * config_util.c, config_walk.c, config_file.c, config_set.c, config_list.c, config_check.c and
 * config_dump.c (config_impl.h says what each holds). Every key lives in exactly one row of the
 * key table (name, type, offset, range): parsing, --set, sweeps, suggestions and config_dump all
 * read the same rows. */
#include "config_impl.h"

_Static_assert(sizeof(enum sa_mode) == sizeof(int), "enums are stored through int *");
_Static_assert(sizeof(dist_kind) == sizeof(int), "enums are stored through int *");

/* ---- what a run costs, a priori ---------------------------------------------------------------
 * Engine events per simulated second of the healthy model (model/k8s/), measured on each
 * source alone (tests/test_config.c checks the estimate against real runs): a heartbeat is about
 * 3 events (its timer, the GET and the PATCH), a scrape with a warm kubelet cache about 1.5, an
 * SA-token request about 3 (arrival, authentication, handler), another client's request 2; a
 * sample is 1. A failing run can take a few times more (retries), which the limit allows for. */
#define EV_HEARTBEAT 3.0
#define EV_SCRAPE 1.5
#define EV_SA_REQUEST 3.0
#define EV_BG_REQUEST 2.0
#define EV_BURST_REQUEST 3.0

double config_horizon_s(const params *p)
{
    return fmax(p->sim.duration_s, p->sim.max_duration_s);
}

double config_samples(const params *p)
{
    return config_horizon_s(p) / p->sim.sample_interval_s;
}

double config_events_per_s(const params *p)
{
    double n = p->cluster.nodes;
    double r = n * EV_HEARTBEAT / p->kubelet.heartbeat.interval_s;
    if (p->metrics_server.enabled)
        r += n * EV_SCRAPE / p->metrics_server.resolution_s;
    r += EV_SA_REQUEST * params_sa_rate(p);
    r += EV_BG_REQUEST * (p->background.mutating_rate + p->background.readonly_rate);
    return r;
}

double config_estimate_events(const params *p)
{
    double ev = config_horizon_s(p) * config_events_per_s(p) + config_samples(p);
    if (p->trigger.kind == TRIGGER_BURST)
        ev += EV_BURST_REQUEST * p->trigger.rate * p->trigger.duration_s;
    return ev;
}

/* The keys the estimate reads. */
static const char *const event_keys[] = {"sim.duration",
                                         "sim.max_duration",
                                         "cluster.nodes",
                                         "kubelet.heartbeat.interval",
                                         "metrics_server.enabled",
                                         "metrics_server.resolution",
                                         "sa_clients.rate",
                                         "sa_clients.rate_per_node",
                                         "background.mutating_rate",
                                         "background.readonly_rate",
                                         "trigger.kind",
                                         "trigger.rate",
                                         "trigger.duration",
                                         "sim.sample_interval",
                                         NULL};

static int check_cost(const vctx *v, const params *p)
{
    char a[40], b[40], c[40], fix[256];
    double h = config_horizon_s(p), samples = config_samples(p);
    const char *hk =
        p->sim.max_duration_s >= p->sim.duration_s ? "sim.max_duration" : "sim.duration";
    if (!(samples <= CONFIG_MAX_SAMPLES)) {
        bfmt(a, sizeof a, "%.3g", samples);
        fmt_num(h, 0, b, sizeof b);
        fmt_num(p->sim.sample_interval_s, 0, c, sizeof c);
        char least[40];
        fmt_num(h / CONFIG_MAX_SAMPLES, 0, least, sizeof least);
        bfmt(fix, sizeof fix,
             "raise sim.sample_interval to at least %s, or shorten sim.duration and "
             "sim.max_duration",
             least);
        return vfail_keys(v, KEYS(hk, "sim.sample_interval", "sim.duration", "sim.max_duration"), 1,
                          fix,
                          "the run would take %s samples (max(sim.duration, sim.max_duration) / "
                          "sim.sample_interval = %s / %s), more than the limit of %d samples",
                          a, b, c, CONFIG_MAX_SAMPLES);
    }
    double ev = config_estimate_events(p);
    if (!(ev <= CONFIG_MAX_EVENTS)) {
        bfmt(a, sizeof a, "%.3g", ev);
        fmt_num(h, 0, b, sizeof b);
        bfmt(c, sizeof c, "%.3g", config_events_per_s(p));
        bfmt(fix, sizeof fix,
             "shorten the horizon (%s), or lower cluster.nodes or the request rates "
             "(sa_clients, background, trigger.rate)",
             hk);
        const char *keys[16];
        int n = 0;
        keys[n++] = hk;
        for (int i = 0; event_keys[i]; i++)
            keys[n++] = event_keys[i];
        keys[n] = NULL;
        return vfail_keys(v, keys, 1, fix,
                          "the run would need about %s engine events (an a-priori estimate: %s s "
                          "x %s events/s from the heartbeats, scrapes, SA and background clients, "
                          "plus the samples and the trigger), more than the limit of %.0e (about "
                          "20 minutes at 8 M events/s)",
                          a, b, c, CONFIG_MAX_EVENTS);
    }
    return 0;
}

/* APF across the two lists: FlowSchemas name existing levels; with admission "apf" there are
 * levels, every client class has a schema, and the levels make an APF (apf_new's checks). */
static int check_apf(const vctx *v, const params *p)
{
    const __typeof__(p->apiserver.apf) *a = &p->apiserver.apf;
    char k[KEY_MAX], names[APF_LEVELS_MAX * (APF_NAME_MAX + 4) + 8];
    size_t used = 0;
    names[0] = '\0';
    for (int i = 0; i < a->nlevels && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s\"%s\"", i ? ", " : "",
                                 a->levels[i].name);
    for (int i = 0; i < a->nschemas; i++) {
        int found = 0;
        for (int j = 0; j < a->nlevels; j++)
            found |= strcmp(a->schemas[i].level, a->levels[j].name) == 0;
        if (!found) {
            bfmt(k, sizeof k, "apiserver.apf.flow_schemas[%d].level", i);
            return vfail(v, KEYS(k, "apiserver.apf.flow_schemas"),
                         "name one of apiserver.apf.priority_levels",
                         "expected the name of a priority level (%s) (got \"%s\")",
                         a->nlevels ? names : "none defined", a->schemas[i].level);
        }
    }
    if (p->apiserver.admission != ADMISSION_POLICY_APF)
        return 0;
    if (a->nlevels == 0)
        return vfail(v, KEYS("apiserver.apf.priority_levels", "apiserver.admission"),
                     "@include configs/apf-current.cfg or configs/apf-1.20.cfg, or define them",
                     "expected priority levels for apiserver.admission = \"apf\" (got none)");
    unsigned matched = 0;
    for (int i = 0; i < a->nschemas; i++)
        matched |= a->schemas[i].match;
    for (int c = 0; c < CLIENT_CLASS_COUNT; c++)
        if (!(matched & (1u << c)))
            return vfail(v, KEYS("apiserver.apf.flow_schemas", "apiserver.admission"),
                         "add it to a schema's match (a catch-all schema matches every class)",
                         "expected a FlowSchema matching every client class (got none matching "
                         "\"%s\")",
                         client_class_name((enum client_class)c));
    apf_level_config lc[APF_LEVELS_MAX + 1];
    int n = 0, exempt = 0;
    for (int i = 0; i < a->nlevels; i++, n++) {
        const apf_level_param *q = &a->levels[i];
        lc[n] = (apf_level_config){q->name,
                                   q->exempt,
                                   q->shares,
                                   q->queues,
                                   q->hand_size,
                                   q->queue_length_limit,
                                   q->lendable_percent,
                                   q->borrowing_limit_percent >= 0,
                                   q->borrowing_limit_percent};
        exempt |= q->exempt;
    }
    if (!exempt)
        lc[n++] = (apf_level_config){.name = "exempt", .exempt = true};
    long sc =
        (long)p->apiserver.max_requests_inflight + p->apiserver.max_mutating_requests_inflight;
    apf_config ac = {.server_concurrency = sc > 1000000000L ? 1000000000 : (int)sc,
                     .max_queue_wait_s = 1.0,
                     .estimated_service_s = APF_ESTIMATED_SERVICE_S,
                     .levels = lc,
                     .nlevels = n};
    err ae;
    err_clear(&ae);
    apf *t = apf_new(&ac, 0.0, &ae);
    if (!t)
        return vfail(v, KEYS("apiserver.apf.priority_levels"), NULL, "expected a valid APF (%s)",
                     ae.msg);
    apf_free(t);
    return 0;
}

int validate(const params *p, const locs *l, const char *path, err *e)
{
    vctx v = {.l = l, .path = path, .e = e};
    char a[40], b[40], c[40], d[40], s[40], fix[256];
    if (!(p->sim.warmup_s < p->sim.duration_s)) {
        fmt_num(p->sim.warmup_s, 0, a, sizeof a);
        fmt_num(p->sim.duration_s, 0, b, sizeof b);
        bfmt(fix, sizeof fix, "lower sim.warmup below %s or raise sim.duration above %s", b, a);
        return vfail(&v, KEYS("sim.warmup", "sim.duration"), fix,
                     "expected less than sim.duration = %s (got %s)", b, a);
    }
    if (!(p->sim.sample_interval_s <= p->health.window_s)) {
        fmt_num(p->sim.sample_interval_s, 0, a, sizeof a);
        fmt_num(p->health.window_s, 0, b, sizeof b);
        bfmt(fix, sizeof fix,
             "lower sim.sample_interval to at most %s or raise health.window to at least %s", b, a);
        return vfail(&v, KEYS("sim.sample_interval", "health.window"), fix,
                     "expected at most health.window = %s (got %s)", b, a);
    }
    if (!(p->health.trend_window_s >= p->health.window_s)) {
        fmt_num(p->health.trend_window_s, 0, a, sizeof a);
        fmt_num(p->health.window_s, 0, b, sizeof b);
        bfmt(fix, sizeof fix,
             "raise health.trend_window to at least %s or lower health.window to at most %s", b, a);
        return vfail(&v, KEYS("health.trend_window", "health.window"), fix,
                     "expected at least health.window = %s, so that the trend is judged over "
                     "several scrape and cache waves (got %s)",
                     b, a);
    }
    if (p->trigger.kind != TRIGGER_NONE) {
        double base = p->sim.warmup_s + p->health.window_s;
        if (!(p->trigger.at_s >= base)) {
            fmt_num(p->trigger.at_s, 0, a, sizeof a);
            fmt_num(p->sim.warmup_s, 0, b, sizeof b);
            fmt_num(p->health.window_s, 0, c, sizeof c);
            fmt_num(base, 0, s, sizeof s);
            bfmt(fix, sizeof fix,
                 "move trigger.at to %s or later, or shorten sim.warmup or health.window", s);
            return vfail(&v, KEYS("trigger.at", "sim.warmup", "health.window"), fix,
                         "expected at least sim.warmup + health.window = %s + %s = %s, so the "
                         "baseline can be judged (got %s)",
                         b, c, s, a);
        }
        /* Judging needs at least one full health window after the trigger by sim.duration. */
        double end = p->trigger.at_s + p->trigger.duration_s + p->health.window_s;
        if (!(end <= p->sim.duration_s)) {
            fmt_num(p->trigger.at_s, 0, a, sizeof a);
            fmt_num(p->trigger.duration_s, 0, b, sizeof b);
            fmt_num(p->health.window_s, 0, c, sizeof c);
            fmt_num(end, 0, s, sizeof s);
            fmt_num(p->sim.duration_s, 0, d, sizeof d);
            bfmt(fix, sizeof fix, "move the trigger earlier or raise sim.duration to at least %s",
                 s);
            return vfail(
                &v, KEYS("trigger.at", "sim.duration", "health.window", "trigger.duration"), fix,
                "expected trigger.at + trigger.duration + health.window <= sim.duration "
                "= %s, so that the run can be judged after the trigger (got %s + %s + %s "
                "= %s)",
                d, a, b, c, s);
        }
    }
    if (p->trigger.kind == TRIGGER_BURST && !(p->trigger.rate > 0)) {
        fmt_num(p->trigger.rate, 0, a, sizeof a);
        return vfail(&v, KEYS("trigger.rate", "trigger.kind"),
                     "set trigger.rate to the burst's requests per second, or another "
                     "trigger.kind",
                     "expected > 0 for kind \"burst\" (got %s)", a);
    }
    if ((p->trigger.kind == TRIGGER_BURST || p->trigger.kind == TRIGGER_APISERVER_RESTART) &&
        !(p->trigger.duration_s > 0)) {
        fmt_num(p->trigger.duration_s, 0, a, sizeof a);
        return vfail(&v, KEYS("trigger.duration", "trigger.kind"),
                     p->trigger.kind == TRIGGER_BURST
                         ? "set trigger.duration to the burst's length in seconds"
                         : "set trigger.duration to the downtime in seconds",
                     "expected > 0 for kind \"%s\" (got %s)", trigger_kind_name(p->trigger.kind),
                     a);
    }
    if (p->trigger.replica >= p->apiserver.replicas)
        return vfail(&v, KEYS("trigger.replica", "apiserver.replicas"),
                     "name a replica 0 .. apiserver.replicas - 1, or -1 for every replica",
                     "expected an integer in [-1, %d] for apiserver.replicas = %d (got %d)",
                     p->apiserver.replicas - 1, p->apiserver.replicas, p->trigger.replica);
    for (int i = 0; i < p->ninterventions; i++) {
        const intervention *iv = &p->interventions[i];
        if (iv->replica >= p->apiserver.replicas) {
            char k[KEY_MAX];
            bfmt(k, sizeof k, "interventions[%d].replica", i);
            return vfail(&v, KEYS(k, "apiserver.replicas"),
                         "name a replica 0 .. apiserver.replicas - 1, or leave replica out for "
                         "every replica",
                         "expected an integer in [-1, %d] for apiserver.replicas = %d (got %d)",
                         p->apiserver.replicas - 1, p->apiserver.replicas, iv->replica);
        }
    }
    for (int i = 0; i < p->ninterventions; i++) {
        const intervention *iv = &p->interventions[i];
        double end =
            iv->at_s + (iv->kind == INTERVENE_RESTART ? iv->duration_s : 0.0) + p->health.window_s;
        if (!(end <= p->sim.duration_s)) {
            char k[KEY_MAX];
            bfmt(k, sizeof k, "interventions[%d].at", i);
            fmt_num(iv->at_s, 0, a, sizeof a);
            fmt_num(end, 0, s, sizeof s);
            fmt_num(p->sim.duration_s, 0, d, sizeof d);
            bfmt(fix, sizeof fix, "move it earlier or raise sim.duration to at least %s", s);
            return vfail(&v, KEYS(k, "sim.duration", "health.window"), fix,
                         "expected the intervention (%s s%s) and a health window after it to end "
                         "by sim.duration = %s (got %s)",
                         a, iv->kind == INTERVENE_RESTART ? " plus its downtime" : "", d, s);
        }
    }
    if (check_cost(&v, p) < 0)
        return -1;
    if (check_apf(&v, p) < 0)
        return -1;
    if (p->sweep.y.present && !p->sweep.x.present)
        return vfail(&v, KEYS("sweep.y", "sweep.y.key", "sweep.y.values"),
                     "add a sweep.x axis (a one-axis sweep is sweep.x alone)",
                     "expected sweep.x too (got sweep.y alone)");
    if (p->sweep.x.present && check_axis(&v, p, &p->sweep.x, "x", NULL) < 0)
        return -1;
    if (p->sweep.y.present && check_axis(&v, p, &p->sweep.y, "y", &p->sweep.x) < 0)
        return -1;
    if (p->sweep.z.present && !(p->sweep.x.present && p->sweep.y.present))
        return vfail(&v, KEYS("sweep.z", "sweep.z.key", "sweep.z.values"),
                     "add sweep.x and sweep.y (z draws one map of x and y per value)",
                     "expected sweep.x and sweep.y too (got sweep.z without them)");
    if (p->sweep.z.present && check_axis(&v, p, &p->sweep.z, "z", &p->sweep.x) < 0)
        return -1;
    if (p->sweep.z.present && p->sweep.refine > 0)
        return vfail(&v, KEYS("sweep.refine", "sweep.z"),
                     "set sweep.refine = 0, or sweep each z value as a two-axis sweep to refine it",
                     "expected 0 on a three-axis sweep (got %d)", p->sweep.refine);
    if (p->capacity.key[0]) {
        keyref r;
        int known = resolve(p->capacity.key, &r) == 0;
        if (!known || !is_numeric(&r)) {
            char why[KEY_MAX + 80];
            numeric_problem(p->capacity.key, &r, known, why, sizeof why);
            return vfail(&v, KEYS("capacity.key"), "name a numeric key (avalanche keys lists them)",
                         "expected a numeric config key (got \"%s\": %s)", p->capacity.key, why);
        }
        if (p->capacity.from == p->capacity.to)
            return vfail(&v, KEYS("capacity.to", "capacity.from"),
                         "give a range: capacity.to different from capacity.from",
                         "expected a value other than capacity.from");
        if (p->capacity.max_runs < p->capacity.batch)
            return vfail(&v, KEYS("capacity.max_runs", "capacity.batch"),
                         "raise capacity.max_runs or lower capacity.batch",
                         "expected at least capacity.batch = %d (got %d)", p->capacity.batch,
                         p->capacity.max_runs);
    }
    if (p->sweep.replications < 1)
        return vfail(&v, KEYS("sweep.replications"), NULL, "expected an integer >= 1 (got %d)",
                     p->sweep.replications);
    if (p->sweep.refine < 0)
        return vfail(&v, KEYS("sweep.refine"), NULL, "expected an integer >= 0 (got %d)",
                     p->sweep.refine);
    return 0;
}

int config_validate(const params *p, err *e)
{
    return one_line(e, validate(p, NULL, NULL, e));
}

int config_load(params *p, const char *path, const char *const *sets, int nsets, err *e)
{
    locs l = {0};
    int rc = 0;
    params_defaults(p);
    if (path) {
        chain *ch = xcalloc(1, sizeof *ch);
        char real[PATH_MAX];
        if (realpath(path, real)) {
            ch->shown[0] = path;
            bfmt(ch->real[0], PATH_MAX, "%s", real);
            ch->n = 1;
        }
        rc = load_file(p, path, ch, &l, e);
        free(ch);
    }
    for (int i = 0; rc == 0 && i < nsets; i++)
        rc = apply_set(p, sets[i], &l, e);
    /* plot.title defaults to the name of the file named on the command line (the outermost one
     * when it includes others); without a file it stays "" (config_title). */
    if (rc == 0 && path && !locs_find(&l, "plot.title")) {
        const char *slash = strrchr(path, '/');
        bfmt(p->plot.title, sizeof p->plot.title, "%s", slash ? slash + 1 : path);
    }
    if (rc == 0)
        rc = validate(p, &l, path, e);
    locs_free(&l);
    return one_line(e, rc);
}
