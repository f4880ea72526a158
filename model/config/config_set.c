/* config_set: --set KEY=VALUE and numbers by key (L3). */
#include "config_impl.h"
/* ---- --set and numbers by key ---------------------------------------------------------------- */

char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static char *unquote(char *s)
{
    s = trim(s);
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

/* "[a, b]" -> "a, b" */
static char *unbracket(char *s)
{
    s = trim(s);
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

static int parse_double(const char *s, double *v)
{
    char *end;
    if (!*s)
        return -1;
    errno = 0;
    *v = strtod(s, &end);
    return *end == '\0' ? 0 : -1; /* ERANGE overflow gives inf, which the range check rejects */
}

/* Adds a setting of the tree for the leaf r->f under a fresh root: groups along the path. */
config_setting_t *add_path(config_t *cf, const keyref *r, int type)
{
    config_setting_t *g = config_root_setting(cf);
    for (int i = 0; i < r->depth - 1; i++)
        g = config_setting_add(g, keys_leaf(r->path[i]), CONFIG_TYPE_GROUP);
    return config_setting_add(g, keys_leaf(r->f), type);
}

/* Fills the leaf of cf for r from the text v, by the key's type. Returns 0, or -1 with a message
 * in why (the value can't even be represented). */
static int build_leaf(config_t *cf, const keyref *r, char *v, char *why, size_t n)
{
    const field *f = r->f;
    char *end;
    switch (f->type) {
    case KEY_INT:
    case KEY_SEED: {
        char *s = trim(v);
        errno = 0;
        long long ll = strtoll(s, &end, 10);
        if (*s && *end == '\0' && errno == 0) {
            if (ll >= INT_MIN && ll <= INT_MAX)
                config_setting_set_int(add_path(cf, r, CONFIG_TYPE_INT), (int)ll);
            else
                config_setting_set_int64(add_path(cf, r, CONFIG_TYPE_INT64), ll);
            return 0;
        }
        /* Not a 64-bit decimal integer (1e3, 0x10, 2.5, 99999999999999999999): quote the text as
         * typed, as the file walker would show a float ("got 1000.0") the user never wrote. */
        char what[96];
        if (f->type == KEY_INT)
            describe(f, 0, what, sizeof what);
        else
            bfmt(what, sizeof what, "a non-negative 64-bit integer");
        bfmt(why, n, "expected %s (got %s)", what, *s ? s : "an empty value");
        return -1;
    }
    case KEY_DOUBLE: {
        double d;
        char *s = trim(v);
        errno = 0;
        long long ll = strtoll(s, &end, 10);
        if (*s && *end == '\0' && errno == 0 && ll >= INT_MIN && ll <= INT_MAX) {
            /* an int, as in a file: "got -5" reads better than "got -5.0" */
            config_setting_set_int(add_path(cf, r, CONFIG_TYPE_INT), (int)ll);
            return 0;
        }
        if (parse_double(s, &d) < 0) {
            char what[96];
            describe(f, 0, what, sizeof what);
            bfmt(why, n, "expected %s (got %s)", what, *s ? s : "an empty value");
            return -1;
        }
        config_setting_set_float(add_path(cf, r, CONFIG_TYPE_FLOAT), d);
        return 0;
    }
    case KEY_BOOL: {
        char *s = trim(v);
        if (strcasecmp(s, "true") != 0 && strcasecmp(s, "false") != 0) {
            bfmt(why, n, "expected true or false (got %s)", *s ? s : "an empty value");
            return -1;
        }
        config_setting_set_bool(add_path(cf, r, CONFIG_TYPE_BOOL), strcasecmp(s, "true") == 0);
        return 0;
    }
    case KEY_ENUM:
    case KEY_STRING:
        config_setting_set_string(add_path(cf, r, CONFIG_TYPE_STRING), unquote(v));
        return 0;
    case KEY_FORMATS:
    case KEY_VALUES: {
        config_setting_t *arr = add_path(cf, r, CONFIG_TYPE_ARRAY);
        char *s = unbracket(v);
        if (!*trim(s))
            return 0; /* empty: the walker says "expected a non-empty list" */
        /* Split by hand: strtok would skip an empty element ("1,,2") instead of rejecting it. */
        for (char *tok = s, *next; tok; tok = next) {
            double d;
            next = strchr(tok, ',');
            if (next)
                *next++ = '\0';
            if (!*trim(tok)) {
                bfmt(why, n, "expected a comma-separated list of %s (got an empty element)",
                     f->type == KEY_FORMATS ? "formats" : "numbers");
                return -1;
            }
            if (f->type == KEY_FORMATS || *trim(tok) == '"') { /* "name": a category */
                config_setting_set_string_elem(arr, -1, unquote(tok));
            } else if (parse_double(trim(tok), &d) == 0) {
                config_setting_set_float_elem(arr, -1, d);
            } else {
                bfmt(why, n, "expected a comma-separated list of numbers (got %s)", trim(tok));
                return -1;
            }
        }
        if (config_setting_length(arr) == 0)
            bfmt(why, n, "expected a non-empty list");
        return config_setting_length(arr) ? 0 : -1;
    }
    default:
        break;
    }
    return -1; /* a group: apply_set explains */
}

/* Applies a tree built for one key (same walker as the file). */
int apply_tree(params *p, config_t *cf, const char *origin, locs *l, err *e)
{
    ctx c = {.e = e, .origin = origin, .path = NULL, .locs = l};
    return apply_group(&c, NULL, (char *)p, config_root_setting(cf), NULL);
}

/* Applies "KEY=VALUE" as a --set does; errors start with origin. */
int apply_assignment(params *p, const char *assignment, const char *origin, locs *l, err *e,
                     keyref *out)
{
    const char *eq = strchr(assignment, '=');
    if (!eq)
        return err_set(e, "%s: expected KEY=VALUE (got no '=')", origin);
    char *buf = xstrdup(assignment);
    buf[eq - assignment] = '\0';
    char *key = trim(buf), *val = buf + (eq - assignment) + 1;
    int rc = 0;
    keyref r;
    if (!*key) {
        rc = err_set(e, "%s: expected KEY=VALUE (got an empty KEY)", origin);
    } else if (resolve(key, &r) < 0) {
        char hint[KEY_MAX + 24];
        suggest sg;
        suggest_init(&sg, key);
        each_key(suggest_any, &sg);
        rc = err_set(e, "%s: %s: unknown key%s", origin, key, suggest_text(&sg, hint, sizeof hint));
    } else {
        config_t cf;
        char why[ERR_MAX / 2];
        config_init(&cf);
        if (r.f->type == KEY_LIST)
            rc = err_set(e,
                         "%s: %s: expected a key (%s is a list of groups: set it in a config "
                         "file)",
                         origin, key, key);
        else if (is_group_type(r.f->type))
            rc = err_set(e, "%s: %s: expected a key, not a group (e.g. %s.%s)", origin, key, key,
                         keys_leaf(keys_first_child(r.f)));
        else if (build_leaf(&cf, &r, val, why, sizeof why) < 0)
            rc = err_set(e, "%s: %s: %s", origin, key, why);
        else
            rc = apply_tree(p, &cf, origin, l, e);
        config_destroy(&cf);
        if (out)
            *out = r;
    }
    free(buf);
    return rc;
}

int apply_set(params *p, const char *assignment, locs *l, err *e)
{
    char origin[WHERE_MAX];
    bfmt(origin, sizeof origin, "--set %s", assignment);
    return apply_assignment(p, assignment, origin, l, e, NULL);
}

/* Messages are one line whatever the input holds (a string value, a --set argument or a file name
 * with a newline in it): control characters are shown escaped, as in C. Returns rc. */
int one_line(err *e, int rc)
{
    if (rc == 0 || !e->set)
        return rc;
    char out[ERR_MAX];
    size_t k = 0;
    for (const unsigned char *s = (const unsigned char *)e->msg; *s && k + 5 < sizeof out; s++) {
        const char *esc = *s == '\n' ? "\\n" : *s == '\t' ? "\\t" : *s == '\r' ? "\\r" : NULL;
        if (*s >= 0x20 && *s != 0x7f)
            out[k++] = (char)*s;
        else if (esc)
            k += (size_t)snprintf(out + k, sizeof out - k, "%s", esc);
        else
            k += (size_t)snprintf(out + k, sizeof out - k, "\\x%02x", *s);
    }
    out[k] = '\0';
    memcpy(e->msg, out, k + 1);
    return rc;
}

int config_apply_set(params *p, const char *assignment, err *e)
{
    return one_line(e, apply_set(p, assignment, NULL, e));
}

static int numeric_ref(const char *key, keyref *r, const char *origin, err *e)
{
    int known = resolve(key, r) == 0;
    if (known && is_numeric(r))
        return 0;
    char why[KEY_MAX + 80];
    numeric_problem(key, r, known, why, sizeof why);
    if (origin)
        return err_set(e, "%s: %s: %s", origin, key, why);
    return err_set(e, "%s: %s", key, why);
}

int config_key_numeric(const char *key, int *is_int, err *e)
{
    keyref r;
    if (numeric_ref(key, &r, NULL, e) < 0)
        return one_line(e, -1);
    *is_int = r.f->type == KEY_INT;
    return 0;
}

int config_get_number(const params *p, const char *key, double *v, err *e)
{
    keyref r;
    if (numeric_ref(key, &r, NULL, e) < 0)
        return one_line(e, -1);
    const char *ptr = field_ptr(p, &r);
    *v = r.f->type == KEY_INT ? (double)*(const int *)ptr : *(const double *)ptr;
    return 0;
}

const char *config_key_label(const char *key, char *buf, size_t n)
{
    const field *f = keys_find(key);
    if (f && !(f->flags & KEY_F_ELEMENT))
        keys_label(f, buf, n);
    else
        bfmt(buf, n, "%s", key);
    return buf;
}

int config_set_number(params *p, const char *key, double v, const char *origin, err *e)
{
    keyref r;
    if (numeric_ref(key, &r, origin, e) < 0)
        return one_line(e, -1);
    config_t cf;
    config_init(&cf);
    if (r.f->type == KEY_INT && v == floor(v) && v >= INT_MIN && v <= INT_MAX)
        config_setting_set_int(add_path(&cf, &r, CONFIG_TYPE_INT), (int)v);
    else
        config_setting_set_float(add_path(&cf, &r, CONFIG_TYPE_FLOAT), v);
    int rc = apply_tree(p, &cf, origin ? origin : "", NULL, e);
    config_destroy(&cf);
    return one_line(e, rc);
}

/* Loading a config axis's files checks them, and a file's own sweep is not looked into. */
_Thread_local int point_base_depth;

int config_set_category(params *p, const axis *a, int i, const char *origin, err *e)
{
    if (i < 0 || i >= a->ncats)
        return err_set(e, "%s: %s: no category %d", origin, a->key, i);
    if (strcmp(a->key, AXIS_CONFIG) == 0) {
        params *q = xmalloc(sizeof *q);
        point_base_depth++;
        int rc = config_load(q, a->cats[i], NULL, 0, e);
        point_base_depth--;
        if (rc == 0) {
            q->sim.seed = p->sim.seed;
            q->sweep = p->sweep;
            q->plot = p->plot;
            *p = *q;
        }
        free(q);
        return rc;
    }
    keyref r;
    if (resolve(a->key, &r) < 0 || !is_axis_key(&r) || is_numeric(&r))
        return err_set(e, "%s: %s: not a categorical key", origin, a->key);
    config_t cf;
    config_init(&cf);
    if (r.f->type == KEY_BOOL)
        config_setting_set_bool(add_path(&cf, &r, CONFIG_TYPE_BOOL),
                                strcmp(a->cats[i], "true") == 0);
    else
        config_setting_set_string(add_path(&cf, &r, CONFIG_TYPE_STRING), a->cats[i]);
    int rc = apply_tree(p, &cf, origin, NULL, e);
    config_destroy(&cf);
    return one_line(e, rc);
}
