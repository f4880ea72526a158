/* model/config/ (layer L3): every key of a config file: the key table (keys, one row per key),
 * the loader and --set (config, this file), the defaults (params), `avalanche keys` and the
 * man page's key list (keydoc). They include params.h, keys.h, engine/ and parts/ headers (the
 * enums); the model is reached only through model.h, for the keys interventions may set. */
/* config: the key table (keys.h) walked against libconfig trees; --set overrides; cross-field
 * checks; resolved output (L4). Every key lives in exactly one row of the key table (name, type,
 * offset, range): parsing, --set, sweeps, suggestions and config_dump all read the same rows. */
#include "config.h"
#include "keys.h"
#include "model.h"
#include "text.h"
#include "version.h"
#include "xmem.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 128    /* longest dotted key, with an index suffix */
#define WHERE_MAX 320  /* "FILE:LINE" or "--set ..." prefix of a message */
#define INCLUDE_MAX 16 /* top-level @include nesting */
#define SUGGEST_MAX 3  /* largest edit distance worth suggesting */

/* A config file bigger than this is a mistake (an @include of /dev/zero would never end). */
#define CONFIG_MAX_BYTES (16u << 20)

_Static_assert(sizeof(enum sa_mode) == sizeof(int), "enums are stored through int *");
_Static_assert(sizeof(dist_kind) == sizeof(int), "enums are stored through int *");

/* ---- schema: the rows of keys.h ----------------------------------------------------------- */

typedef key field;

#define INF HUGE_VAL

/* The member `name` of group (NULL: the top level), or NULL. */
static const field *find_field(const field *group, const char *name)
{
    for (const field *f = keys_first_child(group); f; f = keys_next_sibling(f))
        if (strcmp(keys_leaf(f), name) == 0)
            return f;
    return NULL;
}

static int is_group_type(enum key_type t)
{
    return t == KEY_GROUP || t == KEY_DIST || t == KEY_AXIS;
}

static const field *row(const char *name)
{
    const field *f = keys_find(name);
    if (!f)
        abort(); /* a row config.c names is missing from the key table */
    return f;
}

/* ---- small helpers ----------------------------------------------------------------------------
 */

/* snprintf whose truncation is intended (messages are cut at ERR_MAX anyway). */
static void bfmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void bfmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

/* Shortest "%.Ng" that reads back to the same double; with force_point, always a '.' or exponent
 * so that libconfig reads a float. */
static void fmt_num(double v, int force_point, char *buf, size_t n)
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

static void join(char *out, const char *prefix, const char *name)
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

/* Keeps the closest candidate; "close" means few edits relative to the word's length. */
typedef struct suggest {
    const char *word;
    int best;
    char found[KEY_MAX];
} suggest;

static void suggest_init(suggest *s, const char *word)
{
    s->word = word;
    s->best = INT_MAX;
    s->found[0] = '\0';
}

static void suggest_try(suggest *s, const char *candidate)
{
    int d = edit_distance(s->word, candidate);
    size_t len = strlen(s->word) > strlen(candidate) ? strlen(s->word) : strlen(candidate);
    if (d < s->best && d <= SUGGEST_MAX && (size_t)d * 4 <= len + 1) {
        s->best = d;
        bfmt(s->found, sizeof s->found, "%s", candidate);
    }
}

/* "; did you mean 'x'?" or "". */
static const char *suggest_text(const suggest *s, char *buf, size_t n)
{
    if (s->found[0])
        bfmt(buf, n, "; did you mean '%s'?", s->found);
    else
        buf[0] = '\0';
    return buf;
}

/* Calls fn on the dotted name of every leaf key (sweep: the key is in the sweep group). */
static void each_key(void (*fn)(void *, const char *, const field *, int sweep), void *arg)
{
    size_t n;
    const field *t = keys_table(&n);
    for (size_t i = 0; i < n; i++)
        if (keys_is_leaf(&t[i]))
            fn(arg, t[i].name, &t[i], strncmp(t[i].name, "sweep.", 6) == 0);
}

/* "an integer >= 1", "a number in [0, 1]", ... */
static void describe(const field *f, int finite, char *buf, size_t n)
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

static void describe_enum(const field *f, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "one of");
    for (int i = 0; i < f->enums->count && used < n; i++)
        used +=
            (size_t)snprintf(buf + used, n - used, "%s \"%s\"", i ? "," : "", f->enums->names[i]);
}

static int in_range(const field *f, double v)
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
static void found(const config_setting_t *s, char *buf, size_t n)
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

typedef struct loc {
    char key[KEY_MAX];
    char *where;
} loc;

typedef struct locs {
    loc *v;
    int n, cap;
} locs;

static void locs_add(locs *l, const char *key, const char *where)
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
static int locs_last(const locs *l, const char *key)
{
    for (int i = l->n - 1; i >= 0; i--)
        if (strcmp(l->v[i].key, key) == 0)
            return i;
    return -1;
}

static const char *locs_find(const locs *l, const char *key)
{
    if (!l || !key)
        return NULL;
    for (int i = l->n - 1; i >= 0; i--)
        if (strcmp(l->v[i].key, key) == 0)
            return l->v[i].where;
    return NULL;
}

static void locs_free(locs *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i].where);
    free(l->v);
}

/* ---- walking a libconfig tree against the schema -------------------------------------------- */

typedef struct ctx {
    err *e;
    const char *origin; /* non-NULL: prefixes every error instead of FILE:LINE */
    const char *path;   /* the file being read, for settings libconfig gives no file */
    locs *locs;         /* NULL: don't record */
} ctx;

static void dir_of(const char *path, char *dir, size_t n);

static void where(const ctx *c, const config_setting_t *s, char *buf, size_t n)
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

static int fail(const ctx *c, const config_setting_t *s, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(const ctx *c, const config_setting_t *s, const char *key, const char *fmt, ...)
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

static void note(const ctx *c, const config_setting_t *s, const char *key)
{
    if (c->locs) {
        char w[WHERE_MAX];
        where(c, s, w, sizeof w);
        locs_add(c->locs, key, w);
    }
}

static int expect(const ctx *c, const config_setting_t *s, const char *key, const char *what)
{
    char got[96];
    found(s, got, sizeof got);
    return fail(c, s, key, "expected %s (got %s)", what, got);
}

/* A number for KEY_INT / KEY_DOUBLE field f (int accepted for a float), range-checked. */
static int read_number(const ctx *c, const config_setting_t *s, const field *f, const char *key,
                       double *v)
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

static int read_enum(const ctx *c, const config_setting_t *s, const field *f, const char *key,
                     int *v)
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

static int apply_group(const ctx *c, const field *group, char *base, const config_setting_t *g,
                       const char *prefix);

/* An unknown member of group (NULL: the top level; or a list's element rows, named by prefix). */
static int unknown_key(const ctx *c, const config_setting_t *s, const field *group,
                       const char *elements, const char *key)
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

/* Checks that `key` names a sweepable numeric key; on failure fills why (", a group" ...) and hint
 * (did you mean). */
typedef struct keyref {
    const field *f; /* the row named (a leaf or a group) */
    const field *path[6];
    int depth;
    int in_sweep;
} keyref;

static int resolve(const char *key, keyref *r)
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

#define AXIS_KEY_WHAT "a numeric, enum or bool config key or \"" AXIS_CONFIG "\""

static int is_numeric(const keyref *r)
{
    return !r->in_sweep && (r->f->type == KEY_INT || r->f->type == KEY_DOUBLE);
}

static void suggest_numeric(void *arg, const char *key, const field *f, int sweep)
{
    if (!sweep && (f->type == KEY_INT || f->type == KEY_DOUBLE))
        suggest_try(arg, key);
}

static void suggest_any(void *arg, const char *key, const field *f, int sweep)
{
    (void)f;
    (void)sweep;
    suggest_try(arg, key);
}

/* A key a sweep axis may name: numeric, or an enum or bool (categorical), outside the sweep. */
static int is_axis_key(const keyref *r)
{
    return is_numeric(r) || (!r->in_sweep && (r->f->type == KEY_ENUM || r->f->type == KEY_BOOL));
}

/* Explains why `key` is not a sweepable numeric key ("unknown key; did you mean ..."). */
static void numeric_problem(const char *key, const keyref *r, int known, char *buf, size_t n)
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

static int apply_formats(const ctx *c, const field *f, char *base, const config_setting_t *s,
                         const char *key)
{
    const char *what = "a non-empty list of \"png\", \"svg\", \"pdf\"";
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
        if (i < 0)
            return expect(c, el, ek, "one of \"png\", \"svg\", \"pdf\"");
        if (bits & (1u << i))
            return fail(c, el, ek, "expected each format once (got \"%s\" twice)", str);
        bits |= 1u << i;
    }
    *(unsigned *)(base + f->off) = bits;
    return 0;
}

static int apply_interventions(const ctx *c, char *base, const config_setting_t *s,
                               const char *key);

static int apply_field(const ctx *c, const field *f, char *base, const config_setting_t *s,
                       const char *key)
{
    int t = config_setting_type(s);
    switch (f->type) {
    case KEY_LIST:
        if (apply_interventions(c, base, s, key) < 0)
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

static int apply_group(const ctx *c, const field *group, char *base, const config_setting_t *g,
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

/* ---- reading files: top-level @include as a base, libconfig for the rest --------------------- */

typedef struct include {
    size_t start, end; /* the @include line, without its newline */
    unsigned line;
    char name[PATH_MAX];
} include;

/* Finds the top-level (depth 0) @include lines and rejects decimal integers that libconfig 1.5
 * would silently wrap to 32 bits (it has no range check; 3000000000 reads as -1294967296). */
static int scan(const char *t, size_t len, const char *path, include **incs, int *ninc, err *e)
{
    unsigned line = 1;
    int depth = 0, line_start = 1;
    size_t bol = 0;
    *incs = NULL;
    *ninc = 0;
    for (size_t i = 0; i < len;) {
        char ch = t[i];
        if (ch == '\n') {
            line++;
            line_start = 1;
            bol = ++i;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\r') {
            i++;
            continue;
        }
        int at_start = line_start;
        line_start = 0;
        if (ch == '#' || (ch == '/' && i + 1 < len && t[i + 1] == '/')) {
            while (i < len && t[i] != '\n')
                i++;
        } else if (ch == '/' && i + 1 < len && t[i + 1] == '*') {
            for (i += 2; i < len && !(t[i] == '*' && i + 1 < len && t[i + 1] == '/'); i++)
                line += t[i] == '\n';
            i += 2;
        } else if (ch == '"') {
            for (i++; i < len && t[i] != '"' && t[i] != '\n'; i++)
                i += t[i] == '\\';
            i++;
        } else if (ch == '@' && at_start && strncmp(t + i, "@include", 8) == 0) {
            size_t j = i + 8;
            while (j < len && (t[j] == ' ' || t[j] == '\t'))
                j++;
            size_t q = j < len && t[j] == '"' ? j + 1 : len;
            size_t qe = q;
            while (qe < len && t[qe] != '"' && t[qe] != '\n')
                qe++;
            size_t eol = i;
            while (eol < len && t[eol] != '\n')
                eol++;
            if (depth == 0 && q < len && qe < len && t[qe] == '"') {
                if (qe - q >= PATH_MAX)
                    return err_set(e, "%s:%u: @include: file name too long", path, line);
                *incs = xrealloc(*incs, (size_t)(*ninc + 1) * sizeof **incs);
                include *in = &(*incs)[(*ninc)++];
                in->start = bol;
                in->end = eol;
                in->line = line;
                memcpy(in->name, t + q, qe - q);
                in->name[qe - q] = '\0';
            }
            i = eol; /* libconfig handles nested includes and reports malformed ones */
        } else if (ch == '{' || ch == '[' || ch == '(') {
            depth++;
            i++;
        } else if (ch == '}' || ch == ']' || ch == ')') {
            depth -= depth > 0;
            i++;
        } else if (isalpha((unsigned char)ch) || ch == '*' || ch == '_') {
            while (i < len && (isalnum((unsigned char)t[i]) || strchr("-_*", t[i])))
                i++;
        } else if (isdigit((unsigned char)ch) ||
                   ((ch == '-' || ch == '+' || ch == '.') && i + 1 < len &&
                    isdigit((unsigned char)t[i + 1]))) {
            size_t s = i++;
            size_t digit = s + (ch == '-' || ch == '+');
            int hex =
                t[digit] == '0' && digit + 1 < len && (t[digit + 1] == 'x' || t[digit + 1] == 'X');
            int flt = ch == '.';
            while (i < len) {
                char d = t[i];
                if (isalnum((unsigned char)d) || d == '.')
                    flt |= d == '.' || (!hex && (d == 'e' || d == 'E'));
                else if (!((d == '-' || d == '+') && !hex && (t[i - 1] == 'e' || t[i - 1] == 'E')))
                    break;
                i++;
            }
            if (!hex && !flt && t[i - 1] != 'L') {
                char tok[64];
                size_t n = i - s < sizeof tok ? i - s : sizeof tok - 1;
                memcpy(tok, t + s, n);
                tok[n] = '\0';
                errno = 0;
                long long v = strtoll(tok, NULL, 10);
                if (errno || v < INT_MIN || v > INT_MAX)
                    return err_set(e,
                                   "%s:%u: integer %s is out of the 32-bit range (libconfig "
                                   "would wrap it); write %sL for a 64-bit integer",
                                   path, line, tok, tok);
            }
        } else {
            i++;
        }
    }
    return 0;
}

static void dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        bfmt(dir, n, ".");
    else if (slash == path)
        bfmt(dir, n, "/");
    else
        bfmt(dir, n, "%.*s", (int)(slash - path), path);
}

typedef struct chain {
    const char *shown[INCLUDE_MAX + 1]; /* the files being read, outermost first */
    char real[INCLUDE_MAX + 1][PATH_MAX];
    char via[INCLUDE_MAX + 1][WHERE_MAX]; /* FILE:LINE: @include "NAME" that opened each one */
    int n;
} chain;

static int load_file(params *p, const char *path, chain *ch, locs *l, err *e);

/* Describes where libconfig's bare "syntax error" is: the text of that line of the parsed text,
 * or the end of the file when nothing follows (a group or list left open). Always one line. */
static void syntax_context(const char *seg, int line, char *buf, size_t n)
{
    const char *s = seg;
    for (int i = 1; i < line && s; i++) {
        s = strchr(s, '\n');
        s = s ? s + 1 : NULL;
    }
    size_t skip = s ? strspn(s, " \t\r") : 0;
    if (!s || s[skip] == '\0' || s[skip] == '\n') {
        const char *rest = s ? s : "";
        rest += strspn(rest, " \t\r\n");
        bfmt(buf, n, "%s", *rest ? "" : " at the end of the file (something left open?)");
        return;
    }
    s += skip;
    size_t len = strcspn(s, "\n"), k = 0;
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    char text[72];
    for (size_t i = 0; i < len && k < sizeof text - 4; i++)
        text[k++] = isprint((unsigned char)s[i]) ? s[i] : (s[i] == '\t' ? ' ' : '?');
    if (k < len)
        memcpy(text + k, "...", 3), k += 3;
    text[k] = '\0';
    bfmt(buf, n, " in: %s", text);
}

/* Parses text with everything outside [from, to) blanked (newlines kept, so lines stay right). */
static int load_segment(params *p, const char *path, const char *text, size_t len, size_t from,
                        size_t to, locs *l, err *e)
{
    int blank = 1;
    for (size_t i = from; i < to && blank; i++)
        blank = isspace((unsigned char)text[i]);
    if (blank)
        return 0;
    char *seg = xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
        seg[i] = (i >= from && i < to) || text[i] == '\n' ? text[i] : ' ';
    seg[len] = '\0';
    char dir[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    config_t cf;
    config_init(&cf);
    config_set_include_dir(&cf, dir);
    int rc = 0;
    if (config_read_string(&cf, seg) != CONFIG_TRUE) {
        char file[PATH_MAX + 256];
        if (!config_error_file(&cf) || config_error_file(&cf)[0] == '/' || strcmp(dir, ".") == 0)
            bfmt(file, sizeof file, "%s", config_error_file(&cf) ? config_error_file(&cf) : path);
        else /* an @include inside a group: libconfig keeps the name as written */
            bfmt(file, sizeof file, "%s/%s", dir, config_error_file(&cf));
        const char *text_ = config_error_text(&cf) ? config_error_text(&cf) : "unknown error";
        int line = config_error_line(&cf);
        if (strcmp(text_, "cannot open include file") == 0)
            rc = err_set(e,
                         "%s:%d: @include: cannot open the included file (a nested @include "
                         "is relative to %s)",
                         file, line, dir);
        else if (strcmp(text_, "include file nesting too deep") == 0)
            rc = err_set(e, "%s:%d: @include: nested too deeply (an include cycle?)", file, line);
        else if (strcmp(text_, "syntax error") == 0 && !config_error_file(&cf)) {
            char where_[128];
            syntax_context(seg, line, where_, sizeof where_);
            rc = err_set(e, "%s:%d: syntax error%s", file, line, where_);
        } else if (strcmp(text_, "syntax error") == 0)
            rc = err_set(e, "%s:%d: syntax error", file, line);
        else
            rc = err_set(e, "%s:%d: syntax error: %s", file, line, text_);
    } else {
        ctx c = {.e = e, .origin = NULL, .path = path, .locs = l};
        rc = apply_group(&c, NULL, (char *)p, config_root_setting(&cf), NULL);
    }
    config_destroy(&cf);
    free(seg);
    return rc;
}

static int load_file(params *p, const char *path, chain *ch, locs *l, err *e)
{
    char *text;
    size_t len;
    if (!(text = text_read_file(path, CONFIG_MAX_BYTES, &len))) {
        if (ch->n > 1) /* an included file: name the @include line too */
            return err_set(e, "%s: cannot read %s: %s", ch->via[ch->n - 1], path, strerror(errno));
        return err_set(e, "%s: cannot read: %s", path, strerror(errno));
    }
    include *incs;
    int ninc, rc = scan(text, len, path, &incs, &ninc, e);
    size_t from = 0;
    for (int i = 0; rc == 0 && i <= ninc; i++) {
        size_t to = i < ninc ? incs[i].start : len;
        rc = load_segment(p, path, text, len, from, to, l, e);
        if (rc < 0 || i == ninc)
            break;
        from = incs[i].end;
        const include *in = &incs[i];
        char dir[PATH_MAX], full[PATH_MAX];
        dir_of(path, dir, sizeof dir);
        if (in->name[0] == '/' || strcmp(dir, ".") == 0)
            bfmt(full, sizeof full, "%s", in->name);
        else
            bfmt(full, sizeof full, "%s/%s", dir, in->name);
        char real[PATH_MAX];
        if (!realpath(full, real)) {
            rc = err_set(e, "%s:%u: @include \"%s\": cannot read %s: %s", path, in->line, in->name,
                         full, strerror(errno));
            break;
        }
        for (int j = 0; j < ch->n; j++) {
            if (strcmp(ch->real[j], real) == 0) {
                char cyc[ERR_MAX] = "";
                size_t used = 0;
                for (int k = j; k < ch->n && used < sizeof cyc; k++)
                    used += (size_t)snprintf(cyc + used, sizeof cyc - used, "%s -> ", ch->shown[k]);
                rc = err_set(e, "%s:%u: @include \"%s\": include cycle (%s%s)", path, in->line,
                             in->name, cyc, full);
                break;
            }
        }
        if (rc == 0 && ch->n == INCLUDE_MAX)
            rc = err_set(e, "%s:%u: @include \"%s\": includes nested deeper than %d", path,
                         in->line, in->name, INCLUDE_MAX);
        if (rc < 0)
            break;
        ch->shown[ch->n] = full;
        bfmt(ch->real[ch->n], PATH_MAX, "%s", real);
        bfmt(ch->via[ch->n], WHERE_MAX, "%s:%u: @include \"%s\"", path, in->line, in->name);
        ch->n++;
        rc = load_file(p, full, ch, l, e);
        ch->n--;
    }
    free(incs);
    free(text);
    return rc;
}

/* ---- --set and numbers by key ---------------------------------------------------------------- */

static char *trim(char *s)
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
static config_setting_t *add_path(config_t *cf, const keyref *r, int type)
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
static int apply_tree(params *p, config_t *cf, const char *origin, locs *l, err *e)
{
    ctx c = {.e = e, .origin = origin, .path = NULL, .locs = l};
    return apply_group(&c, NULL, (char *)p, config_root_setting(cf), NULL);
}

/* Applies "KEY=VALUE" as a --set does; errors start with origin. */
static int apply_assignment(params *p, const char *assignment, const char *origin, locs *l, err *e,
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
                         "%s: %s: expected a key (interventions are a list of groups: set them "
                         "in a config file)",
                         origin, key);
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

/* ---- interventions ----------------------------------------------------------------------------
 */

static char *field_ptr(const params *p, const keyref *r)
{
    return (char *)p + r->f->off;
}

#define ELEMENTS "interventions[]." /* the rows of an intervention's members */

/* One "KEY = VALUE" of intervention v: validated on a copy of p as a --set is, then checked
 * against the keys the model can change while running. */
static int intervention_set_of(const ctx *c, params *p, intervention *v, const config_setting_t *el,
                               const char *ek)
{
    const char *str =
        config_setting_type(el) == CONFIG_TYPE_STRING ? config_setting_get_string(el) : NULL;
    if (!str || !strchr(str, '='))
        return expect(c, el, ek, "a string \"KEY = VALUE\"");
    char w[WHERE_MAX], origin[WHERE_MAX + KEY_MAX];
    where(c, el, w, sizeof w);
    bfmt(origin, sizeof origin, "%s: %s", w, ek);
    params *scratch = xmalloc(sizeof *scratch);
    *scratch = *p;
    keyref r;
    memset(&r, 0, sizeof r);
    int rc = apply_assignment(scratch, str, origin, NULL, c->e, &r);
    char keyname[KEY_MAX], value[INTERVENTION_TEXT_MAX];
    size_t klen = (size_t)(strchr(str, '=') - str);
    bfmt(keyname, sizeof keyname, "%.*s", (int)klen, str);
    bfmt(value, sizeof value, "%s", strchr(str, '=') + 1);
    char *kt = trim(keyname), *vt = trim(value);
    const model_settable *ms = rc == 0 ? model_settable_find(kt) : NULL;
    if (rc == 0 && !ms)
        rc = fail(c, el, ek,
                  "%s can not change during a run (the keys an intervention may set are listed in "
                  "the README, Interventions)",
                  kt);
    else if (rc == 0 && ms->at_restart && v->kind != INTERVENE_RESTART)
        rc = fail(c, el, ek,
                  "%s is process configuration: it changes only in the set list of an action "
                  "\"apiserver_restart\" (%s)",
                  kt, ms->in_flight);
    else if (rc == 0 && v->kind == INTERVENE_RAMP && r.f->type != KEY_INT &&
             r.f->type != KEY_DOUBLE)
        rc = fail(c, el, ek, "expected a numeric key for a ramp (got %s)", kt);
    if (rc == 0) {
        intervention_set *is = &v->sets[v->nsets++];
        bfmt(is->key, sizeof is->key, "%s", kt);
        bfmt(is->text, sizeof is->text, "%s = %s", kt, vt);
        is->off = (size_t)(field_ptr(scratch, &r) - (char *)scratch);
        is->type = r.f->type == KEY_INT      ? 0
                   : r.f->type == KEY_DOUBLE ? 1
                   : r.f->type == KEY_BOOL   ? 2
                                             : 3;
        const char *ptr = field_ptr(scratch, &r);
        is->value = is->type == 1   ? *(const double *)ptr
                    : is->type == 2 ? (double)*(const bool *)ptr
                                    : (double)*(const int *)ptr;
    }
    free(scratch);
    return rc;
}

static int apply_interventions(const ctx *c, char *base, const config_setting_t *s, const char *key)
{
    params *p = (params *)base;
    int t = config_setting_type(s), n = config_setting_length(s);
    if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY && !(t == CONFIG_TYPE_GROUP && n == 0))
        return expect(c, s, key, "a list of groups ( { at = ...; set = [ ... ]; }, ... )");
    if (n > INTERVENTIONS_MAX) {
        char got[32];
        bfmt(got, sizeof got, "%d", n);
        return fail(c, s, key, "expected at most %d interventions (got %s)", INTERVENTIONS_MAX,
                    got);
    }
    /* A list replaces the one of a base file as a whole. */
    int count = 0;
    intervention *out = xcalloc(INTERVENTIONS_MAX, sizeof *out);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const config_setting_t *g = config_setting_get_elem(s, i);
        char k[KEY_MAX], mk[KEY_MAX];
        bfmt(k, sizeof k, "%s[%d]", key, i);
        if (!config_setting_is_group(g)) {
            rc = expect(c, g, k, "a group { at, set | action | ramp, duration, flush }");
            break;
        }
        const config_setting_t *at = NULL, *set = NULL, *act = NULL, *ramp = NULL, *dur = NULL,
                               *fl = NULL;
        for (int j = 0; j < config_setting_length(g) && rc == 0; j++) {
            const config_setting_t *m = config_setting_get_elem(g, j);
            const char *nm = config_setting_name(m);
            join(mk, k, nm);
            const config_setting_t **slot = strcmp(nm, "at") == 0         ? &at
                                            : strcmp(nm, "set") == 0      ? &set
                                            : strcmp(nm, "action") == 0   ? &act
                                            : strcmp(nm, "ramp") == 0     ? &ramp
                                            : strcmp(nm, "duration") == 0 ? &dur
                                            : strcmp(nm, "flush") == 0    ? &fl
                                                                          : NULL;
            if (!slot)
                rc = unknown_key(c, m, NULL, ELEMENTS, mk);
            else
                *slot = m;
        }
        if (rc < 0)
            break;
        intervention v;
        memset(&v, 0, sizeof v);
        v.kind = INTERVENE_SET;
        v.flush = FLUSH_ALL;
        const field *num = row(ELEMENTS "at");
        double x;
        join(mk, k, "at");
        if (!at) {
            rc = fail(c, g, mk, "expected a time (got none)");
            break;
        }
        if ((rc = read_number(c, at, num, mk, &v.at_s)) < 0)
            break;
        note(c, at, mk);
        if (count > 0 && v.at_s < out[count - 1].at_s) {
            char a[40], b[40];
            fmt_num(out[count - 1].at_s, 0, a, sizeof a);
            fmt_num(v.at_s, 0, b, sizeof b);
            rc = fail(c, at, mk,
                      "expected at least %s[%d].at = %s: interventions apply in order (got %s)",
                      key, i - 1, a, b);
            break;
        }
        if (act) {
            join(mk, k, "action");
            const char *a = config_setting_type(act) == CONFIG_TYPE_STRING
                                ? config_setting_get_string(act)
                                : NULL;
            int kind = key_enum_value(&key_enum_intervention, a);
            if (kind == INTERVENE_RESTART || kind == INTERVENE_FLUSH) {
                v.kind = (enum intervention_kind)kind;
            } else {
                char what[96];
                bfmt(what, sizeof what, "one of \"%s\", \"%s\"",
                     intervention_kind_name(INTERVENE_RESTART),
                     intervention_kind_name(INTERVENE_FLUSH));
                rc = expect(c, act, mk, what);
                break;
            }
        }
        if (ramp) {
            join(mk, k, "ramp");
            if (act || set) {
                rc = fail(c, ramp, mk, "expected a ramp alone, without action or set");
                break;
            }
            v.kind = INTERVENE_RAMP;
        }
        const config_setting_t *list = ramp ? ramp : set;
        join(mk, k, ramp ? "ramp" : "set");
        if (!list && v.kind == INTERVENE_SET) {
            rc = fail(c, g, k, "expected set, action or ramp (got none of them)");
            break;
        }
        if (list && v.kind == INTERVENE_FLUSH) {
            rc = fail(c, list, mk, "expected no set for action \"cache_flush\"");
            break;
        }
        join(mk, k, "duration");
        int needs_dur = v.kind == INTERVENE_RESTART || v.kind == INTERVENE_RAMP;
        if (dur && !needs_dur) {
            rc = fail(c, dur, mk,
                      "expected no duration except for action \"apiserver_restart\" "
                      "or a ramp");
            break;
        }
        if (needs_dur && !dur) {
            rc = fail(c, g, mk, "expected a duration > 0 for %s (got none)",
                      v.kind == INTERVENE_RAMP ? "a ramp" : "action \"apiserver_restart\"");
            break;
        }
        if (dur) {
            if ((rc = read_number(c, dur, row(ELEMENTS "duration"), mk, &x)) < 0)
                break;
            v.duration_s = x;
            note(c, dur, mk);
        }
        if (fl) {
            join(mk, k, "flush");
            if (v.kind != INTERVENE_FLUSH) {
                rc = fail(c, fl, mk, "expected no flush except for action \"cache_flush\"");
                break;
            }
            if ((rc = read_enum(c, fl, row(ELEMENTS "flush"), mk, &v.flush)) < 0)
                break;
        }
        if (list) {
            int lt = config_setting_type(list), ln = config_setting_length(list);
            join(mk, k, ramp ? "ramp" : "set");
            if ((lt != CONFIG_TYPE_ARRAY && lt != CONFIG_TYPE_LIST) || ln == 0) {
                rc = expect(c, list, mk, "a non-empty list of \"KEY = VALUE\" strings");
                break;
            }
            if (ln > INTERVENTION_SETS_MAX) {
                char got[32];
                bfmt(got, sizeof got, "%d", ln);
                rc = fail(c, list, mk, "expected at most %d settings (got %s)",
                          INTERVENTION_SETS_MAX, got);
                break;
            }
            for (int j = 0; j < ln && rc == 0; j++) {
                char ek[KEY_MAX];
                bfmt(ek, sizeof ek, "%s[%d]", mk, j);
                rc = intervention_set_of(c, p, &v, config_setting_get_elem(list, j), ek);
            }
        }
        if (rc == 0)
            out[count++] = v;
    }
    if (rc == 0) {
        memcpy(p->interventions, out, sizeof p->interventions);
        p->ninterventions = count;
    }
    free(out);
    return rc;
}

static int apply_set(params *p, const char *assignment, locs *l, err *e)
{
    char origin[WHERE_MAX];
    bfmt(origin, sizeof origin, "--set %s", assignment);
    return apply_assignment(p, assignment, origin, l, e, NULL);
}

/* Messages are one line whatever the input holds (a string value, a --set argument or a file name
 * with a newline in it): control characters are shown escaped, as in C. Returns rc. */
static int one_line(err *e, int rc)
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
static _Thread_local int point_base_depth;

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

/* ---- cross-field checks ---------------------------------------------------------------------- */

typedef struct vctx {
    const locs *l;
    const char *path;
    err *e;
} vctx;

/* The keys a check involves, the first being the one its message is about. */
#define KEYS(...)                                                                                  \
    (const char *const[])                                                                          \
    {                                                                                              \
        __VA_ARGS__, NULL                                                                          \
    }

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
static int vfail_keys(const vctx *v, const char *const *keys, int follow_set, const char *fix,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int vfail_keys(const vctx *v, const char *const *keys, int follow_set, const char *fix,
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

#define vfail(v, keys, fix, ...) vfail_keys(v, keys, 0, fix, __VA_ARGS__)

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

static int check_axis(const vctx *v, const params *p, const axis *a, const char *name,
                      const axis *other)
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
    r += EV_SA_REQUEST * (p->sa_clients.rate + p->sa_clients.rate_per_node * n);
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

static int validate(const params *p, const locs *l, const char *path, err *e)
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

/* ---- output ---------------------------------------------------------------------------------- */

static void indent(FILE *f, int depth)
{
    fprintf(f, "%*s", 4 * depth, "");
}

static void dump_group(const field *group, const char *base, FILE *f, int depth);

static void dump_number(const field *fs, const char *base, FILE *f)
{
    char buf[40];
    if (fs->type == KEY_INT) {
        fprintf(f, "%d", *(const int *)(base + fs->off));
    } else {
        fmt_num(*(const double *)(base + fs->off), 1, buf, sizeof buf);
        fputs(buf, f);
    }
}

/* A libconfig string literal. */
static void dump_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void dump_interventions(const params *p, FILE *f)
{
    fputs("interventions = (", f);
    for (int i = 0; i < p->ninterventions; i++) {
        const intervention *v = &p->interventions[i];
        char buf[40];
        fmt_num(v->at_s, 1, buf, sizeof buf);
        fprintf(f, "%s\n    { at = %s;", i ? "," : "", buf);
        if (v->kind == INTERVENE_RESTART || v->kind == INTERVENE_FLUSH)
            fprintf(f, " action = \"%s\";", intervention_kind_name(v->kind));
        if (v->kind == INTERVENE_RESTART || v->kind == INTERVENE_RAMP) {
            fmt_num(v->duration_s, 1, buf, sizeof buf);
            fprintf(f, " duration = %s;", buf);
        }
        if (v->kind == INTERVENE_FLUSH)
            fprintf(f, " flush = \"%s\";", flush_scope_name((enum flush_scope)v->flush));
        if (v->nsets > 0) {
            fprintf(f, " %s = [ ", v->kind == INTERVENE_RAMP ? "ramp" : "set");
            for (int j = 0; j < v->nsets; j++) {
                if (j)
                    fputs(", ", f);
                dump_string(f, v->sets[j].text);
            }
            fputs(" ];", f);
        }
        fputs(" }", f);
    }
    fputs(p->ninterventions ? "\n);\n" : " );\n", f);
}

static void dump_field(const field *fs, const char *base, FILE *f, int depth)
{
    const char *ptr = base + fs->off;
    const char *name = keys_leaf(fs);
    switch (fs->type) {
    case KEY_LIST:
        dump_interventions((const params *)base, f);
        return;
    case KEY_GROUP:
        indent(f, depth);
        fprintf(f, "%s = {\n", name);
        dump_group(fs, base, f, depth + 1);
        indent(f, depth);
        fputs("};\n", f);
        return;
    case KEY_DIST: {
        const dist *d = (const dist *)ptr;
        indent(f, depth);
        fprintf(f, "%s = { dist = \"%s\"; mean = ", name, key_enum_name(&key_enum_dist, d->kind));
        dump_number(find_field(fs, "mean"), base, f);
        fputs("; cv = ", f);
        dump_number(find_field(fs, "cv"), base, f);
        fputs("; };\n", f);
        return;
    }
    case KEY_AXIS: {
        const axis *a = (const axis *)ptr;
        if (!a->present)
            return;
        indent(f, depth);
        if (a->ncats > 0) { /* categorical: no grid, which would be refused on reading */
            fprintf(f, "%s = { key = \"%s\";\n", name, a->key);
            indent(f, depth + 1);
            fputs("values = [ ", f);
            for (int i = 0; i < a->ncats && i < AXIS_CATS_MAX; i++) {
                fputs(i ? ", " : "", f);
                dump_string(f, a->cats[i]);
            }
            fputs(" ]; };\n", f);
            return;
        }
        fprintf(f, "%s = { key = \"%s\"; from = ", name, a->key);
        dump_number(find_field(fs, "from"), base, f);
        fputs("; to = ", f);
        dump_number(find_field(fs, "to"), base, f);
        fprintf(f, "; steps = %d; scale = \"%s\";", a->steps, axis_scale_name(a->scale));
        if (a->nvalues > 0) {
            fputs("\n", f);
            indent(f, depth + 1);
            fputs("values = [ ", f);
            for (int i = 0; i < a->nvalues && i < AXIS_VALUES_MAX; i++) {
                char buf[40];
                fmt_num(a->values[i], 1, buf, sizeof buf);
                fprintf(f, "%s%s", i ? ", " : "", buf);
            }
            fputs(" ];", f);
        }
        fputs(" };\n", f);
        return;
    }
    default:
        break;
    }
    indent(f, depth);
    fprintf(f, "%s = ", name);
    switch (fs->type) {
    case KEY_INT:
    case KEY_DOUBLE:
        dump_number(fs, base, f);
        break;
    case KEY_SEED: {
        uint64_t v = *(const uint64_t *)ptr;
        fprintf(f, "%llu%s", (unsigned long long)v, v > INT_MAX ? "L" : "");
        break;
    }
    case KEY_BOOL:
        fputs(*(const bool *)ptr ? "true" : "false", f);
        break;
    case KEY_ENUM:
        fprintf(f, "\"%s\"", key_enum_name(fs->enums, *(const int *)ptr));
        break;
    case KEY_STRING:
        dump_string(f, ptr);
        break;
    case KEY_FORMATS: {
        unsigned bits = *(const unsigned *)ptr;
        int first = 1;
        fputs("[ ", f);
        for (int i = 0; i < fs->enums->count; i++) {
            if (bits & (1u << i)) {
                fprintf(f, "%s\"%s\"", first ? "" : ", ", fs->enums->names[i]);
                first = 0;
            }
        }
        fputs(" ]", f);
        break;
    }
    default:
        break;
    }
    fputs(";\n", f);
}

static void dump_group(const field *group, const char *base, FILE *f, int depth)
{
    for (const field *fs = keys_first_child(group); fs; fs = keys_next_sibling(fs))
        dump_field(fs, base, f, depth);
}

int config_dump(const params *p, FILE *f)
{
    fputs("# avalanche resolved configuration: every key, times in seconds, rates per second\n", f);
    for (const field *fs = keys_first_child(NULL); fs; fs = keys_next_sibling(fs)) {
        fprintf(f, "\n# %s\n", fs->doc);
        dump_field(fs, (const char *)p, f, 0);
    }
    return ferror(f) ? -1 : 0;
}

int config_dump_resolved(const params *p, FILE *f)
{
    char line[256];
    fprintf(f, "# %s\n", version_line(line, sizeof line));
    return config_dump(p, f);
}

/* Skips a provenance line "# avalanche <digit>..." at the start of a resolved config. */
static const char *skip_provenance(const char *s)
{
    if (strncmp(s, "# avalanche ", 12) == 0 && isdigit((unsigned char)s[12])) {
        const char *nl = strchr(s, '\n');
        return nl ? nl + 1 : s + strlen(s);
    }
    return s;
}

int config_resolved_same(const char *a, const char *b)
{
    return strcmp(skip_provenance(a), skip_provenance(b)) == 0;
}

const char *config_title(const params *p)
{
    return p->plot.title[0] ? p->plot.title : "built-in Kubernetes 1.12 defaults";
}
