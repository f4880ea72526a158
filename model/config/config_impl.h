/* config_impl: what the files of the config loader share (internal to model/config/; the public
 * API is include/config.h). config.c loads and validates a file (config_load, config_validate,
 * what a run costs); config_util.c holds the key-table lookups, message helpers and the record of
 * where each setting came from; config_walk.c walks a libconfig tree against the key table;
 * config_file.c reads files and their @include lines; config_set.c applies --set and numbers by
 * key; config_list.c reads the lists of groups (interventions, APF levels and FlowSchemas);
 * config_check.c holds the cross-field checks; config_dump.c writes resolved configs. */
#ifndef AVALANCHE_CONFIG_IMPL_H
#define AVALANCHE_CONFIG_IMPL_H

#include "apf.h"
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

typedef key field;

#define INF HUGE_VAL

/* Keeps the closest candidate; "close" means few edits relative to the word's length. */
typedef struct suggest {
    const char *word;
    int best;
    char found[KEY_MAX];
} suggest;

typedef struct loc {
    char key[KEY_MAX];
    char *where;
} loc;

typedef struct locs {
    loc *v;
    int n, cap;
} locs;

typedef struct ctx {
    err *e;
    const char *origin; /* non-NULL: prefixes every error instead of FILE:LINE */
    const char *path;   /* the file being read, for settings libconfig gives no file */
    locs *locs;         /* NULL: don't record */
} ctx;

/* A dotted key resolved against the key table (resolve, in config_walk.c). */
typedef struct keyref {
    const field *f; /* the row named (a leaf or a group) */
    const field *path[6];
    int depth;
    int in_sweep;
} keyref;

typedef struct include {
    size_t start, end; /* the @include line, without its newline */
    unsigned line;
    char name[PATH_MAX];
} include;

typedef struct chain {
    const char *shown[INCLUDE_MAX + 1]; /* the files being read, outermost first */
    char real[INCLUDE_MAX + 1][PATH_MAX];
    char via[INCLUDE_MAX + 1][WHERE_MAX]; /* FILE:LINE: @include "NAME" that opened each one */
    int n;
} chain;

#define ELEMENTS "interventions[]." /* the rows of an intervention's members */

typedef struct list_desc {
    const char *name;
    size_t count_off, array_off, elem_size;
    int max;
    const char *what; /* the expected element, for messages */
} list_desc;

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

#define vfail(v, keys, fix, ...) vfail_keys(v, keys, 0, fix, __VA_ARGS__)

const field *find_field(const field *group, const char *name);
int is_group_type(enum key_type t);
const field *row(const char *name);
/* snprintf whose truncation is intended (messages are cut at ERR_MAX anyway). */
void bfmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void fmt_num(double v, int force_point, char *buf, size_t n);
void join(char *out, const char *prefix, const char *name);
void suggest_init(suggest *s, const char *word);
void suggest_try(suggest *s, const char *candidate);
const char *suggest_text(const suggest *s, char *buf, size_t n);
void each_key(void (*fn)(void *, const char *, const field *, int sweep), void *arg);
void describe(const field *f, int finite, char *buf, size_t n);
void describe_enum(const field *f, char *buf, size_t n);
int in_range(const field *f, double v);
void found(const config_setting_t *s, char *buf, size_t n);
void locs_add(locs *l, const char *key, const char *where);
const char *locs_find(const locs *l, const char *key);
void locs_free(locs *l);
void where(const ctx *c, const config_setting_t *s, char *buf, size_t n);
int fail(const ctx *c, const config_setting_t *s, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void note(const ctx *c, const config_setting_t *s, const char *key);
int expect(const ctx *c, const config_setting_t *s, const char *key, const char *what);
int read_number(const ctx *c, const config_setting_t *s, const field *f, const char *key,
                double *v);
int read_enum(const ctx *c, const config_setting_t *s, const field *f, const char *key, int *v);
int apply_group(const ctx *c, const field *group, char *base, const config_setting_t *g,
                const char *prefix);
int unknown_key(const ctx *c, const config_setting_t *s, const field *group, const char *elements,
                const char *key);
int resolve(const char *key, keyref *r);
int is_numeric(const keyref *r);
void suggest_any(void *arg, const char *key, const field *f, int sweep);
void numeric_problem(const char *key, const keyref *r, int known, char *buf, size_t n);
void enum_names(const key_enum *en, char *buf, size_t n);
int apply_interventions(const ctx *c, char *base, const config_setting_t *s, const char *key);
int apply_list(const ctx *c, const field *f, char *base, const config_setting_t *s,
               const char *key);
int apply_field(const ctx *c, const field *f, char *base, const config_setting_t *s,
                const char *key);
void dir_of(const char *path, char *dir, size_t n);
int load_file(params *p, const char *path, chain *ch, locs *l, err *e);
char *trim(char *s);
config_setting_t *add_path(config_t *cf, const keyref *r, int type);
int apply_tree(params *p, config_t *cf, const char *origin, locs *l, err *e);
int apply_assignment(params *p, const char *assignment, const char *origin, locs *l, err *e,
                     keyref *out);
extern const list_desc lists[];
const list_desc *list_of(const field *f);
const field *element_rows(const field *f, size_t *n);
int apply_set(params *p, const char *assignment, locs *l, err *e);
int one_line(err *e, int rc);
int vfail_keys(const vctx *v, const char *const *keys, int follow_set, const char *fix,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int check_axis(const vctx *v, const params *p, const axis *a, const char *name, const axis *other);
int validate(const params *p, const locs *l, const char *path, err *e);

#define AXIS_KEY_WHAT "a numeric, enum or bool config key or \"" AXIS_CONFIG "\""
/* Loading a config axis's files checks them, and a file's own sweep is not looked into
 * (config_set_category, check_categories): the depth of such loads on this thread. */
extern _Thread_local int point_base_depth;
/* r names a key a sweep axis may take: numeric, enum or bool (config_walk.c). */
int is_axis_key(const keyref *r);
/* Index of the latest setting of key, or -1. */
int locs_last(const locs *l, const char *key);

/* The field of p that r names. */
static inline char *field_ptr(const params *p, const keyref *r)
{
    return (char *)p + r->f->off;
}

#endif
