/* config_walk: a libconfig tree walked against the key table: numbers, enums, distributions,
 * sweep axes, formats, groups (L3). */
#include "config_impl.h"
/* ---- walking a libconfig tree against the schema -------------------------------------------- */

void where(const ctx *c, const config_setting_t *s, char *buf, size_t n)
{
    if (c->origin) {
        bfmt(buf, n, "%s", c->origin);
        return;
    }
    const char *file = s ? config_setting_source_file(s) : NULL;
    char dir[PATH_MAX] = ".";
    if (!file)
        file = c->path ? c->path : "(config)";
    else if (file[0] != '/' && c->path)
        dir_of(c->path, dir, sizeof dir); /* libconfig 1.5 keeps the @include name as written */
    unsigned line = s ? config_setting_source_line(s) : 0;
    char shown[PATH_MAX + 256];
    if (strcmp(dir, ".") == 0)
        bfmt(shown, sizeof shown, "%s", file);
    else
        bfmt(shown, sizeof shown, "%s/%s", dir, file);
    if (line)
        bfmt(buf, n, "%s:%u", shown, line);
    else
        bfmt(buf, n, "%s", shown);
}

int fail(const ctx *c, const config_setting_t *s, const char *key, const char *fmt, ...)
{
    char w[WHERE_MAX], msg[ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->origin && !*c->origin)
        return err_set(c->e, "%s: %s", key, msg);
    where(c, s, w, sizeof w);
    return err_set(c->e, "%s: %s: %s", w, key, msg);
}

void note(const ctx *c, const config_setting_t *s, const char *key)
{
    if (c->locs) {
        char w[WHERE_MAX];
        where(c, s, w, sizeof w);
        locs_add(c->locs, key, w);
    }
}

int expect(const ctx *c, const config_setting_t *s, const char *key, const char *what)
{
    char got[96];
    found(s, got, sizeof got);
    return fail(c, s, key, "expected %s (got %s)", what, got);
}

/* A number for KEY_INT / KEY_DOUBLE field f (int accepted for a float), range-checked. */
int read_number(const ctx *c, const config_setting_t *s, const field *f, const char *key, double *v)
{
    char what[96];
    int t = config_setting_type(s);
    int ok = t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 ||
             (t == CONFIG_TYPE_FLOAT && f->type == KEY_DOUBLE);
    double x = t == CONFIG_TYPE_INT     ? (double)config_setting_get_int(s)
               : t == CONFIG_TYPE_INT64 ? (double)config_setting_get_int64(s)
               : t == CONFIG_TYPE_FLOAT ? config_setting_get_float(s)
                                        : 0.0;
    describe(f, ok && !isfinite(x), what, sizeof what);
    if (!ok || !in_range(f, x))
        return expect(c, s, key, what);
    *v = x;
    return 0;
}

int read_enum(const ctx *c, const config_setting_t *s, const field *f, const char *key, int *v)
{
    char what[160], hint[KEY_MAX + 24];
    describe_enum(f, what, sizeof what);
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return expect(c, s, key, what);
    const char *str = config_setting_get_string(s);
    suggest sg;
    suggest_init(&sg, str);
    for (int i = 0; i < f->enums->count; i++) {
        if (strcmp(str, f->enums->names[i]) == 0) {
            *v = i;
            return 0;
        }
        suggest_try(&sg, f->enums->names[i]);
    }
    char got[96];
    found(s, got, sizeof got);
    return fail(c, s, key, "expected %s (got %s)%s", what, got,
                suggest_text(&sg, hint, sizeof hint));
}

static void store_number(const field *f, char *base, double v)
{
    if (f->type == KEY_INT)
        *(int *)(base + f->off) = (int)v;
    else
        *(double *)(base + f->off) = v;
}

/* An unknown member of group (NULL: the top level; or a list's element rows, named by prefix). */
int unknown_key(const ctx *c, const config_setting_t *s, const field *group, const char *elements,
                const char *key)
{
    char hint[KEY_MAX + 24];
    suggest sg;
    suggest_init(&sg, config_setting_name(s));
    if (elements) {
        size_t n, len = strlen(elements);
        const field *t = keys_table(&n);
        for (size_t i = 0; i < n; i++)
            if (strncmp(t[i].name, elements, len) == 0 && (t[i].flags & KEY_F_ELEMENT))
                suggest_try(&sg, t[i].name + len);
    } else {
        for (const field *f = keys_first_child(group); f; f = keys_next_sibling(f))
            suggest_try(&sg, keys_leaf(f));
    }
    return fail(c, s, key, "unknown %s%s", config_setting_is_group(s) ? "group" : "key",
                suggest_text(&sg, hint, sizeof hint));
}

/* Resolves a dotted key against the key table into r; -1 when it names no row (numeric_problem
 * then says why: a group, an unknown key, did you mean). */
int resolve(const char *key, keyref *r)
{
    const field *group = NULL;
    const char *p = key;
    memset(r, 0, sizeof *r);
    for (;;) {
        size_t len = strcspn(p, ".");
        char name[KEY_MAX];
        if (len == 0 || len >= sizeof name || r->depth == 6)
            return -1;
        memcpy(name, p, len);
        name[len] = '\0';
        const field *f = find_field(group, name);
        if (!f)
            return -1;
        r->path[r->depth++] = f;
        r->f = f;
        if (r->depth == 1 && strcmp(name, "sweep") == 0)
            r->in_sweep = 1;
        if (p[len] == '\0')
            return 0;
        if (!is_group_type(f->type))
            return -1;
        group = f;
        p += len + 1;
    }
}

int is_numeric(const keyref *r)
{
    return !r->in_sweep && (r->f->type == KEY_INT || r->f->type == KEY_DOUBLE);
}

static void suggest_numeric(void *arg, const char *key, const field *f, int sweep)
{
    if (!sweep && (f->type == KEY_INT || f->type == KEY_DOUBLE))
        suggest_try(arg, key);
}

void suggest_any(void *arg, const char *key, const field *f, int sweep)
{
    (void)f;
    (void)sweep;
    suggest_try(arg, key);
}

/* A key a sweep axis may name: numeric, or an enum or bool (categorical), outside the sweep. */
int is_axis_key(const keyref *r)
{
    return is_numeric(r) || (!r->in_sweep && (r->f->type == KEY_ENUM || r->f->type == KEY_BOOL));
}

/* Explains why `key` is not a sweepable numeric key ("unknown key; did you mean ..."). */
void numeric_problem(const char *key, const keyref *r, int known, char *buf, size_t n)
{
    if (!known) {
        char hint[KEY_MAX + 24];
        suggest sg;
        suggest_init(&sg, key);
        each_key(suggest_numeric, &sg);
        bfmt(buf, n, "unknown key%s", suggest_text(&sg, hint, sizeof hint));
    } else if (is_group_type(r->f->type)) {
        bfmt(buf, n, "a group, not a numeric key");
    } else if (r->in_sweep) {
        bfmt(buf, n, "a sweep setting, which can't itself be swept");
    } else if (r->f->type == KEY_SEED) {
        bfmt(buf, n, "the seed, which replications vary; not sweepable");
    } else {
        bfmt(buf, n, "not a numeric key");
    }
}

static int apply_dist(const ctx *c, const field *f, dist *d, const config_setting_t *g,
                      const char *key)
{
    if (!config_setting_is_group(g))
        return expect(c, g, key, "a group { dist, mean, cv }");
    const config_setting_t *sk = NULL, *sm = NULL, *sc = NULL;
    int kind = d->kind;
    double mean = d->mean, cv = d->cv;
    char k[KEY_MAX], kc[KEY_MAX];
    join(kc, key, "cv");
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, i);
        const field *sf = find_field(f, config_setting_name(s));
        join(k, key, config_setting_name(s));
        if (!sf)
            return unknown_key(c, s, f, NULL, k);
        if (sf->type == KEY_ENUM) {
            if (read_enum(c, s, sf, k, &kind) < 0)
                return -1;
            sk = s;
        } else if (read_number(c, s, sf, k, strcmp(keys_leaf(sf), "mean") == 0 ? &mean : &cv) < 0) {
            return -1;
        } else if (strcmp(keys_leaf(sf), "mean") == 0) {
            sm = s;
        } else {
            sc = s;
        }
    }
    /* A cv the user wrote must agree with the kind; one inherited (from the defaults or a base
     * file) is simply replaced by dist_set. */
    if (sc && kind == DIST_EXPONENTIAL && cv != 1.0)
        return expect(c, sc, kc, "1 for dist \"exponential\"");
    if (sc && kind == DIST_DETERMINISTIC && cv != 0.0)
        return expect(c, sc, kc, "0 for dist \"deterministic\"");
    if (kind == DIST_UNIFORM && cv > 1.0 / sqrt(3.0)) {
        if (sc)
            return expect(c, sc, kc, "a number in [0, 0.57735] for dist \"uniform\"");
        join(k, key, "dist");
        char got[40];
        fmt_num(cv, 0, got, sizeof got);
        return fail(c, sk, k, "expected a cv <= 0.57735 for \"uniform\" (got inherited cv %s)",
                    got);
    }
    dist_set(d, (dist_kind)kind, mean, cv);
    const config_setting_t *set[3] = {sk, sm, sc};
    for (int i = 0; i < 3; i++) {
        if (set[i]) {
            join(k, key, config_setting_name(set[i]));
            note(c, set[i], k);
        }
    }
    return 0;
}

/* The string values of a categorical axis: each an enum name or "true"/"false" (checked with
 * the key in check_axis, which may be set elsewhere), or with key "config" a config file, named
 * relative to the file that names it (a --set: to the working directory) and kept as its
 * absolute path; values[i] = i. */
static int axis_categories(const ctx *c, const config_setting_t *s, axis *a, const char *k)
{
    int n = config_setting_length(s);
    if (n > AXIS_CATS_MAX) {
        char got[32];
        bfmt(got, sizeof got, "%d", n);
        return fail(c, s, k, "expected at most %d categories (got %s)", AXIS_CATS_MAX, got);
    }
    const config_setting_t *ks = config_setting_get_member(config_setting_parent(s), "key");
    const char *axis_key = ks && config_setting_type(ks) == CONFIG_TYPE_STRING
                               ? config_setting_get_string(ks)
                               : a->key; /* the group's own key, else one set before */
    int files = strcmp(axis_key, AXIS_CONFIG) == 0;
    char dir[PATH_MAX] = ".";
    if (files && c->path && !c->origin)
        dir_of(c->path, dir, sizeof dir);
    for (int j = 0; j < n; j++) {
        const config_setting_t *el = config_setting_get_elem(s, j);
        char ek[KEY_MAX];
        bfmt(ek, sizeof ek, "%s[%d]", k, j);
        if (config_setting_type(el) != CONFIG_TYPE_STRING)
            return expect(c, el, ek, "a string, as the first value is");
        const char *str = config_setting_get_string(el);
        if (!*str)
            return expect(c, el, ek, "a non-empty string");
        for (int i = 0; i < j; i++)
            if (strcmp(config_setting_get_string(config_setting_get_elem(s, i)), str) == 0)
                return fail(c, el, ek, "expected each value once (got \"%.60s\" twice)", str);
        if (!files) {
            bfmt(a->cats[j], sizeof a->cats[j], "%s", str);
        } else {
            char full[2 * PATH_MAX], real[PATH_MAX];
            if (str[0] == '/')
                bfmt(full, sizeof full, "%s", str);
            else
                bfmt(full, sizeof full, "%s/%s", dir, str);
            if (!realpath(full, real))
                return fail(c, el, ek, "expected a readable config file (got \"%.200s\": %s)", str,
                            strerror(errno));
            if (strlen(real) >= AXIS_CAT_MAX)
                return fail(c, el, ek, "expected a path shorter than %d bytes (got \"%.200s\")",
                            AXIS_CAT_MAX, real);
            const char *base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
            for (int i = 0; i < j; i++)
                if (strcmp(strrchr(a->cats[i], '/') + 1, base) == 0)
                    return fail(c, el, ek,
                                "expected files of different names, which label the chart "
                                "(got \"%.200s\" twice)",
                                base);
            bfmt(a->cats[j], sizeof a->cats[j], "%s", real);
        }
        a->values[j] = j;
    }
    a->nvalues = a->ncats = n;
    return 0;
}

static int apply_axis(const ctx *c, const field *f, char *base, const config_setting_t *g,
                      const char *key)
{
    axis *a = (axis *)(base + f->off);
    if (!config_setting_is_group(g))
        return expect(c, g, key, "a group { key, from, to, steps, scale, values }");
    char k[KEY_MAX];
    int grid = 0, values = 0;
    a->present = true;
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, i);
        const field *sf = find_field(f, config_setting_name(s));
        join(k, key, config_setting_name(s));
        if (!sf)
            return unknown_key(c, s, f, NULL, k);
        if (sf->type == KEY_STRING) {
            const char *str =
                config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
            if (!str)
                return expect(c, s, k, "a numeric config key as a string");
            keyref r;
            int known = resolve(str, &r) == 0;
            if (strcmp(str, AXIS_CONFIG) != 0 && (!known || !is_axis_key(&r))) {
                char why[KEY_MAX + 80];
                numeric_problem(str, &r, known, why, sizeof why);
                return fail(c, s, k, "expected %s (got \"%.*s\": %s)", AXIS_KEY_WHAT, KEY_MAX, str,
                            why);
            }
            bfmt(a->key, sizeof a->key, "%s", str);
        } else if (sf->type == KEY_ENUM) {
            int v;
            if (read_enum(c, s, sf, k, &v) < 0)
                return -1;
            a->scale = (enum axis_scale)v;
        } else if (sf->type == KEY_VALUES) {
            int t = config_setting_type(s), n = config_setting_length(s);
            if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || n == 0)
                return expect(c, s, k, "a non-empty list of numbers");
            if (config_setting_type(config_setting_get_elem(s, 0)) == CONFIG_TYPE_STRING) {
                if (axis_categories(c, s, a, k) < 0)
                    return -1;
                values = 1;
                note(c, s, k);
                continue;
            }
            if (n > AXIS_VALUES_MAX) {
                char what[64];
                bfmt(what, sizeof what, "at most %d values", AXIS_VALUES_MAX);
                char got[32];
                bfmt(got, sizeof got, "%d", n);
                return fail(c, s, k, "expected %s (got %s)", what, got);
            }
            for (int j = 0; j < n; j++) {
                const config_setting_t *el = config_setting_get_elem(s, j);
                char ek[KEY_MAX];
                bfmt(ek, sizeof ek, "%s[%d]", k, j);
                if (read_number(c, el, find_field(f, "from"), ek, &a->values[j]) < 0)
                    return -1;
            }
            a->nvalues = n;
            a->ncats = 0;
            values = 1;
        } else {
            double v;
            if (read_number(c, s, sf, k, &v) < 0)
                return -1;
            store_number(sf, base, v);
            grid = 1;
        }
        note(c, s, k);
    }
    /* Names and a grid in one group: the grid would be silently unused. */
    const config_setting_t *vs = config_setting_get_member(g, "values");
    if (vs && config_setting_length(vs) > 0 &&
        config_setting_type(config_setting_get_elem(vs, 0)) == CONFIG_TYPE_STRING) {
        static const char *const gridk[] = {"from", "to", "steps", "scale"};
        for (int i = 0; i < 4; i++) {
            const config_setting_t *gs = config_setting_get_member(g, gridk[i]);
            if (gs) {
                char got[96];
                found(gs, got, sizeof got);
                join(k, key, gridk[i]);
                return fail(c, gs, k,
                            "expected no grid on a categorical axis, whose values name the "
                            "categories (got %s)",
                            got);
            }
        }
    }
    /* Setting from/to/steps without values switches the axis to the grid (a base file's explicit
     * values would otherwise silently win). */
    if (grid && !values)
        a->nvalues = 0;
    return 0;
}

/* `"a", "b", "c"`: the names of enums, for a message. */
void enum_names(const key_enum *en, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < en->count && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s\"%s\"", i ? ", " : "", en->names[i]);
}

/* A list of distinct names of f->enums, as a bit set (plot.formats, a FlowSchema's match). */
static int apply_formats(const ctx *c, const field *f, char *base, const config_setting_t *s,
                         const char *key)
{
    char names[160], what[200];
    enum_names(f->enums, names, sizeof names);
    bfmt(what, sizeof what, "a non-empty list of %s", names);
    int t = config_setting_type(s), n = config_setting_length(s);
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || n == 0)
        return expect(c, s, key, what);
    unsigned bits = 0;
    for (int j = 0; j < n; j++) {
        const config_setting_t *el = config_setting_get_elem(s, j);
        char ek[KEY_MAX];
        bfmt(ek, sizeof ek, "%s[%d]", key, j);
        const char *str =
            config_setting_type(el) == CONFIG_TYPE_STRING ? config_setting_get_string(el) : NULL;
        int i = key_enum_value(f->enums, str);
        if (i < 0) {
            bfmt(what, sizeof what, "one of %s", names);
            return expect(c, el, ek, what);
        }
        if (bits & (1u << i))
            return fail(c, el, ek, "expected each %s once (got \"%s\" twice)",
                        f->enums == &key_enum_formats ? "format" : "name", str);
        bits |= 1u << i;
    }
    *(unsigned *)(base + f->off) = bits;
    return 0;
}

int apply_field(const ctx *c, const field *f, char *base, const config_setting_t *s,
                const char *key)
{
    int t = config_setting_type(s);
    switch (f->type) {
    case KEY_LIST:
        if (strcmp(f->name, "interventions") == 0 ? apply_interventions(c, base, s, key) < 0
                                                  : apply_list(c, f, base, s, key) < 0)
            return -1;
        break;
    case KEY_GROUP:
        if (!config_setting_is_group(s))
            return expect(c, s, key, "a group");
        return apply_group(c, f, base, s, key);
    case KEY_DIST:
        return apply_dist(c, f, (dist *)(base + f->off), s, key);
    case KEY_AXIS:
        return apply_axis(c, f, base, s, key);
    case KEY_INT:
    case KEY_DOUBLE: {
        double v;
        if (read_number(c, s, f, key, &v) < 0)
            return -1;
        store_number(f, base, v);
        break;
    }
    case KEY_SEED: {
        long long v = t == CONFIG_TYPE_INT     ? config_setting_get_int(s)
                      : t == CONFIG_TYPE_INT64 ? config_setting_get_int64(s)
                                               : -1;
        if (v < 0)
            return expect(c, s, key, "a non-negative 64-bit integer");
        *(uint64_t *)(base + f->off) = (uint64_t)v;
        break;
    }
    case KEY_BOOL:
        if (t != CONFIG_TYPE_BOOL)
            return expect(c, s, key, "true or false");
        *(bool *)(base + f->off) = config_setting_get_bool(s) != 0;
        break;
    case KEY_ENUM: {
        int v;
        if (read_enum(c, s, f, key, &v) < 0)
            return -1;
        *(int *)(base + f->off) = v;
        break;
    }
    case KEY_FORMATS:
        if (apply_formats(c, f, base, s, key) < 0)
            return -1;
        break;
    case KEY_STRING: {
        const char *str = t == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
        if (!str)
            return expect(c, s, key, "a string");
        if (strlen(str) >= f->size)
            return fail(c, s, key, "expected a string of at most %zu characters (got %zu)",
                        f->size - 1, strlen(str));
        memcpy(base + f->off, str, strlen(str) + 1);
        break;
    }
    default:
        return fail(c, s, key, "internal: no handler");
    }
    note(c, s, key);
    return 0;
}

int apply_group(const ctx *c, const field *group, char *base, const config_setting_t *g,
                const char *prefix)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, i);
        char key[KEY_MAX];
        join(key, prefix, config_setting_name(s));
        const field *f = find_field(group, config_setting_name(s));
        if (!f)
            return unknown_key(c, s, group, NULL, key);
        if (apply_field(c, f, base, s, key) < 0)
            return -1;
    }
    return 0;
}
