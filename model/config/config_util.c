/* config_util: the key-table lookups, message helpers (suggestions, ranges, what was found) and
 * where each setting came from (L3). */
#include "config_impl.h"
/* ---- schema: the rows of keys.h ----------------------------------------------------------- */

/* The member `name` of group (NULL: the top level), or NULL. */
const field *find_field(const field *group, const char *name)
{
    for (const field *f = keys_first_child(group); f; f = keys_next_sibling(f))
        if (strcmp(keys_leaf(f), name) == 0)
            return f;
    return NULL;
}

int is_group_type(enum key_type t)
{
    return t == KEY_GROUP || t == KEY_DIST || t == KEY_AXIS;
}

const field *row(const char *name)
{
    const field *f = keys_find(name);
    if (!f)
        abort(); /* a row config.c names is missing from the key table */
    return f;
}

/* ---- small helpers (declared in config_impl.h) ------------------------------------------------
 */

void bfmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

/* Shortest "%.Ng" that reads back to the same double; with force_point, always a '.' or exponent
 * so that libconfig reads a float. */
void fmt_num(double v, int force_point, char *buf, size_t n)
{
    int prec = text_shortest(buf, n, v, 1);
    /* %g switches to an exponent when the integer part has more digits than prec: 1800 would
     * print as 1.8e+03, so ask for at least as many digits as the integer part has. */
    if (fabs(v) >= 1.0 && fabs(v) < 1e16) {
        int digits = 1 + (int)floor(log10(fabs(v)));
        if (digits > prec)
            prec = digits;
    }
    bfmt(buf, n, "%.*g", prec, v);
    if (force_point && isfinite(v) && !strpbrk(buf, ".eE")) {
        size_t len = strlen(buf);
        if (len + 3 <= n)
            memcpy(buf + len, ".0", 3);
    }
}

void join(char *out, const char *prefix, const char *name)
{
    if (prefix && *prefix)
        bfmt(out, KEY_MAX, "%s.%s", prefix, name);
    else
        bfmt(out, KEY_MAX, "%s", name);
}

/* Optimal-string-alignment distance (edits and adjacent swaps), ASCII case-insensitive. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > KEY_MAX || lb > KEY_MAX)
        return INT_MAX;
    int d[KEY_MAX + 1][KEY_MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            int best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                cb == tolower((unsigned char)a[i - 2]) && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

void suggest_init(suggest *s, const char *word)
{
    s->word = word;
    s->best = INT_MAX;
    s->found[0] = '\0';
}

void suggest_try(suggest *s, const char *candidate)
{
    int d = edit_distance(s->word, candidate);
    size_t len = strlen(s->word) > strlen(candidate) ? strlen(s->word) : strlen(candidate);
    if (d < s->best && d <= SUGGEST_MAX && (size_t)d * 4 <= len + 1) {
        s->best = d;
        bfmt(s->found, sizeof s->found, "%s", candidate);
    }
}

/* "; did you mean 'x'?" or "". */
const char *suggest_text(const suggest *s, char *buf, size_t n)
{
    if (s->found[0])
        bfmt(buf, n, "; did you mean '%s'?", s->found);
    else
        buf[0] = '\0';
    return buf;
}

/* Calls fn on the dotted name of every leaf key (sweep: the key is in the sweep group). */
void each_key(void (*fn)(void *, const char *, const field *, int sweep), void *arg)
{
    size_t n;
    const field *t = keys_table(&n);
    for (size_t i = 0; i < n; i++)
        if (keys_is_leaf(&t[i]))
            fn(arg, t[i].name, &t[i], strncmp(t[i].name, "sweep.", 6) == 0);
}

/* "an integer >= 1", "a number in [0, 1]", ... */
void describe(const field *f, int finite, char *buf, size_t n)
{
    char lo[40], hi[40];
    fmt_num(f->min, 0, lo, sizeof lo);
    fmt_num(f->max, 0, hi, sizeof hi);
    const char *what = f->type == KEY_INT ? "an integer" : finite ? "a finite number" : "a number";
    int has_lo = f->type == KEY_INT ? f->min > INT_MIN : f->min > -INF;
    int has_hi = f->type == KEY_INT ? f->max < INT_MAX : f->max < INF;
    if (has_lo && has_hi)
        bfmt(buf, n, "%s in %c%s, %s]", what, (f->flags & KEY_F_MIN_EXCL) ? '(' : '[', lo, hi);
    else if (has_lo)
        bfmt(buf, n, "%s %s %s", what, (f->flags & KEY_F_MIN_EXCL) ? ">" : ">=", lo);
    else if (has_hi)
        bfmt(buf, n, "%s <= %s", what, hi);
    else
        bfmt(buf, n, "%s", what);
}

void describe_enum(const field *f, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "one of");
    for (int i = 0; i < f->enums->count && used < n; i++)
        used +=
            (size_t)snprintf(buf + used, n - used, "%s \"%s\"", i ? "," : "", f->enums->names[i]);
}

int in_range(const field *f, double v)
{
    if (!isfinite(v) || v < f->min || v > f->max)
        return 0;
    if ((f->flags & KEY_F_MIN_EXCL) && v <= f->min)
        return 0;
    if (f->type == KEY_INT && v != floor(v))
        return 0;
    return 1;
}

/* What a setting holds, for "(got ...)". */
void found(const config_setting_t *s, char *buf, size_t n)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        bfmt(buf, n, "%d", config_setting_get_int(s));
        break;
    case CONFIG_TYPE_INT64:
        bfmt(buf, n, "%lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT:
        fmt_num(config_setting_get_float(s), 1, buf, n);
        break;
    case CONFIG_TYPE_STRING:
        bfmt(buf, n, "\"%.60s%s\"", config_setting_get_string(s),
             strlen(config_setting_get_string(s)) > 60 ? "..." : "");
        break;
    case CONFIG_TYPE_BOOL:
        bfmt(buf, n, "%s", config_setting_get_bool(s) ? "true" : "false");
        break;
    case CONFIG_TYPE_GROUP:
        bfmt(buf, n, "a group");
        break;
    case CONFIG_TYPE_ARRAY:
        bfmt(buf, n, config_setting_length(s) ? "an array" : "an empty array");
        break;
    case CONFIG_TYPE_LIST:
        bfmt(buf, n, config_setting_length(s) ? "a list" : "an empty list");
        break;
    default:
        bfmt(buf, n, "nothing");
        break;
    }
}

/* ---- where settings came from (for cross-field messages) ----------------------------------- */

void locs_add(locs *l, const char *key, const char *where)
{
    if (!l)
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = xrealloc(l->v, (size_t)l->cap * sizeof *l->v);
    }
    bfmt(l->v[l->n].key, KEY_MAX, "%s", key);
    l->v[l->n].where = xstrdup(where);
    l->n++;
}

/* Index of the latest setting of key, or -1. */
int locs_last(const locs *l, const char *key)
{
    for (int i = l->n - 1; i >= 0; i--)
        if (strcmp(l->v[i].key, key) == 0)
            return i;
    return -1;
}

const char *locs_find(const locs *l, const char *key)
{
    int i = l && key ? locs_last(l, key) : -1;
    return i < 0 ? NULL : l->v[i].where;
}

void locs_free(locs *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i].where);
    free(l->v);
}
