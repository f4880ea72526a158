/* config_check: the cross-field checks (L3). */
#include "config_impl.h"
/* ---- cross-field checks ---------------------------------------------------------------------- */

static int is_set_origin(const char *w)
{
    return w && strncmp(w, "--set ", 6) == 0;
}

/* The --set applied last among keys (the one the user just typed), or NULL; *which its key. */
static const char *last_set(const locs *l, const char *const *keys, const char **which)
{
    int best = -1;
    for (int k = 0; l && keys[k]; k++)
        for (int i = l->n - 1; i > best; i--)
            if (strcmp(l->v[i].key, keys[k]) == 0) {
                if (is_set_origin(l->v[i].where)) {
                    best = i;
                    *which = keys[k];
                }
                break; /* only the latest setting of a key counts */
            }
    return best >= 0 ? l->v[best].where : NULL;
}

/* "WHERE: SUBJECT: msg; fix". WHERE is the --set that set one of keys, when one did (the last
 * applied), else where keys[0] (else keys[1], ...) was set, else the file. SUBJECT is keys[0], or
 * with follow_set the key of that --set. When WHERE is a --set and the subject was set elsewhere,
 * that place is named too, so that the user sees both sides. */

int vfail_keys(const vctx *v, const char *const *keys, int follow_set, const char *fix,
               const char *fmt, ...)
{
    char msg[ERR_MAX], also[WHERE_MAX + KEY_MAX + 32] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *subject = keys[0], *set_key = NULL;
    const char *w = last_set(v->l, keys, &set_key);
    if (w) {
        if (follow_set)
            subject = set_key;
        const char *sw = locs_find(v->l, subject);
        if (sw && strcmp(sw, w) != 0)
            bfmt(also, sizeof also, " (%s is set at %s)", subject, sw);
    }
    for (int k = 0; !w && keys[k]; k++)
        w = locs_find(v->l, keys[k]);
    if (!w)
        w = v->path;
    const char *sep = fix ? "; " : "";
    if (!fix)
        fix = "";
    if (w)
        return err_set(v->e, "%s: %s: %s%s%s%s", w, subject, msg, sep, fix, also);
    return err_set(v->e, "%s: %s%s%s%s", subject, msg, sep, fix, also);
}

/* A categorical axis (f: its enum or bool row; NULL: config files): only values, names the key
 * accepts, files that load. */
static int check_categories(const vctx *v, const axis *a, const char *k, const field *f)
{
    static const char *const grid[] = {"from", "to", "steps", "scale"};
    char kv[KEY_MAX], kg[KEY_MAX], what[400], fix[2 * KEY_MAX + 64];
    join(kv, k, "values");
    if (f && f->type == KEY_ENUM)
        describe_enum(f, what, sizeof what);
    else if (f)
        bfmt(what, sizeof what, "one of \"false\", \"true\"");
    else
        bfmt(what, sizeof what, "config files");
    for (int i = 0; i < 4 && v->l; i++) {
        join(kg, k, grid[i]);
        /* a grid set after the names (a later file, a --set): a base's grid is replaced */
        if (locs_last(v->l, kg) > locs_last(v->l, kv)) {
            char got[40];
            if (i < 2)
                fmt_num(i == 0 ? a->from : a->to, 0, got, sizeof got);
            else if (i == 2)
                bfmt(got, sizeof got, "%d", a->steps);
            else
                bfmt(got, sizeof got, "\"%s\"", axis_scale_name(a->scale));
            bfmt(fix, sizeof fix, "drop %s and list the categories in %s", kg, kv);
            return vfail(v, KEYS(kg), fix,
                         "expected no grid on the categorical axis over %s (got %s)", a->key, got);
        }
    }
    /* A point of a config-file axis is its file: a --set of a model key would silently miss it. */
    for (int i = 0; !f && v->l && i < v->l->n; i++) {
        const char *key = v->l->v[i].key;
        if (is_set_origin(v->l->v[i].where) && strncmp(key, "sweep.", 6) != 0 &&
            strncmp(key, "plot.", 5) != 0 && strcmp(key, "sim.seed") != 0) {
            bfmt(fix, sizeof fix, "set %s in the config files of %s", key, kv);
            return vfail_keys(v, KEYS(key), 1, fix,
                              "expected only sim.seed, sweep and plot keys beside a config-file "
                              "axis, whose points are those files loaded in full");
        }
    }
    if (a->ncats == 0)
        return vfail(v, KEYS(kv, k), NULL, "expected a list of %s%s (got %s)",
                     f ? "names, each " : "", what, a->nvalues ? "numbers" : "none");
    for (int i = 0; i < a->ncats; i++) {
        const char *w = locs_find(v->l, kv);
        char origin[WHERE_MAX + KEY_MAX];
        if (w || v->path)
            bfmt(origin, sizeof origin, "%s: %s[%d]", w ? w : v->path, kv, i);
        else
            bfmt(origin, sizeof origin, "%s[%d]", kv, i);
        if (f && f->type == KEY_ENUM && key_enum_value(f->enums, a->cats[i]) < 0)
            return err_set(v->e, "%s: %s: expected %s (got \"%.60s\")", origin, a->key, what,
                           a->cats[i]);
        if (f && f->type == KEY_BOOL && strcmp(a->cats[i], "true") != 0 &&
            strcmp(a->cats[i], "false") != 0)
            return err_set(v->e, "%s: %s: expected %s (got \"%.60s\")", origin, a->key, what,
                           a->cats[i]);
        if (!f && point_base_depth == 0) {
            params *q = xmalloc(sizeof *q);
            err fe;
            err_clear(&fe);
            point_base_depth++;
            int rc = config_load(q, a->cats[i], NULL, 0, &fe);
            point_base_depth--;
            free(q);
            if (rc < 0)
                return err_set(v->e, "%s: %s", origin, fe.msg);
        }
    }
    return 0;
}

int check_axis(const vctx *v, const params *p, const axis *a, const char *name, const axis *other)
{
    char k[KEY_MAX], kk[KEY_MAX], kv[KEY_MAX], kf[KEY_MAX], kt[KEY_MAX], fix[2 * KEY_MAX];
    join(k, "sweep", name);
    join(kk, k, "key");
    join(kv, k, "values");
    join(kf, k, "from");
    join(kt, k, "to");
    keyref r;
    int files = strcmp(a->key, AXIS_CONFIG) == 0;
    int known = a->key[0] && resolve(a->key, &r) == 0;
    if (!files && (!known || !is_axis_key(&r))) {
        char why[KEY_MAX + 80];
        if (!a->key[0]) {
            bfmt(fix, sizeof fix, "name the key to sweep in %s (avalanche keys lists them)", kk);
            return vfail(v, KEYS(kk, kv, kf), fix, "expected %s (got none)", AXIS_KEY_WHAT);
        }
        numeric_problem(a->key, &r, known, why, sizeof why);
        return vfail(v, KEYS(kk, kv, kf), NULL, "expected %s (got \"%s\": %s)", AXIS_KEY_WHAT,
                     a->key, why);
    }
    const axis *others[2] = {other, other == &p->sweep.x && a == &p->sweep.z ? &p->sweep.y : NULL};
    for (int o = 0; o < 2; o++) {
        const axis *b = others[o];
        const char *bn = o == 0 ? "sweep.x.key" : "sweep.y.key";
        if (b && b->present && strcmp(b->key, a->key) == 0)
            return vfail(v, KEYS(kk, bn), "sweep another key on this axis, or drop it",
                         "expected a key other than %s (got \"%s\" twice)", bn, a->key);
    }
    if (files || !is_numeric(&r))
        return check_categories(v, a, k, files ? NULL : r.f);
    if (a->ncats > 0)
        return vfail(v, KEYS(kv, kk), NULL, "expected numbers for %s (got \"%.60s\")", a->key,
                     a->cats[0]);
    char got[40], got2[40];
    if (a->nvalues < 0 || a->nvalues > AXIS_VALUES_MAX)
        return vfail(v, KEYS(kv, kk), NULL, "expected 1 to %d values (got %d)", AXIS_VALUES_MAX,
                     a->nvalues);
    if (a->nvalues == 0) {
        if (a->steps < 1) {
            char ks[KEY_MAX];
            join(ks, k, "steps");
            return vfail(v, KEYS(ks, kk), NULL, "expected an integer >= 1 (got %d)", a->steps);
        }
        if (a->scale == SCALE_LOG && !(a->from > 0 && a->to > 0)) {
            fmt_num(a->from, 0, got, sizeof got);
            fmt_num(a->to, 0, got2, sizeof got2);
            char ksc[KEY_MAX];
            join(ksc, k, "scale");
            bfmt(fix, sizeof fix, "make both ends positive, or use %s = \"linear\"", ksc);
            return vfail(v, KEYS(a->from > 0 ? kt : kf, k, kk, ksc), fix,
                         "expected from > 0 and to > 0 for scale \"log\" (got from = %s, to = %s)",
                         got, got2);
        }
    }
    /* Each value (or the grid ends) must be one the key accepts: try it on a scratch copy. */
    params *tmp = xmalloc(sizeof *tmp);
    int rc = 0;
    int n = a->nvalues ? a->nvalues : 2;
    for (int i = 0; i < n && rc == 0; i++) {
        double x = a->nvalues ? a->values[i] : i == 0 ? a->from : a->to;
        const char *which = a->nvalues ? kv : i == 0 ? kf : kt;
        const char *w = locs_find(v->l, which);
        char origin[WHERE_MAX + KEY_MAX];
        char idx[KEY_MAX + 16];
        if (a->nvalues)
            bfmt(idx, sizeof idx, "%s[%d]", which, i);
        else
            bfmt(idx, sizeof idx, "%s", which);
        if (w || v->path)
            bfmt(origin, sizeof origin, "%s: %s", w ? w : v->path, idx);
        else
            bfmt(origin, sizeof origin, "%s", idx);
        *tmp = *p;
        rc = config_set_number(tmp, a->key, x, origin, v->e);
    }
    free(tmp);
    return rc;
}
