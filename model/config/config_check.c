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

int check_axis(const vctx *v, const params *p, const axis *a, const char *name, const axis *other)
{
    char k[KEY_MAX], kk[KEY_MAX], kv[KEY_MAX], kf[KEY_MAX], kt[KEY_MAX], fix[2 * KEY_MAX];
    join(k, "sweep", name);
    join(kk, k, "key");
    join(kv, k, "values");
    join(kf, k, "from");
    join(kt, k, "to");
    keyref r;
    int known = a->key[0] && resolve(a->key, &r) == 0;
    if (!known || !is_numeric(&r)) {
        char why[KEY_MAX + 80];
        if (!a->key[0]) {
            bfmt(fix, sizeof fix, "name the key to sweep in %s (avalanche keys lists them)", kk);
            return vfail(v, KEYS(kk, kv, kf), fix, "expected a numeric config key (got none)");
        }
        numeric_problem(a->key, &r, known, why, sizeof why);
        return vfail(v, KEYS(kk, kv, kf), NULL, "expected a numeric config key (got \"%s\": %s)",
                     a->key, why);
    }
    if (other && other->present && strcmp(other->key, a->key) == 0)
        return vfail(v, KEYS(kk, "sweep.x.key"), "sweep another key on y, or drop sweep.y",
                     "expected a key other than sweep.x.key (got \"%s\" twice)", a->key);
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
