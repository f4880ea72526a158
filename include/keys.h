/* keys: the table of every config key (L3), one row per key: dotted name, params field, type,
 * default, range, unit, label and meaning (with the source of the default). The built-in
 * defaults (params_defaults), the schema the config loader walks, config_dump, chart axis
 * labels, `avalanche keys` and the man page avalanche.cfg(5) all read these rows, so adding a key
 * is one row here and a field in params.h. Enum names live here too, one table per enum. */
#ifndef AVALANCHE_KEYS_H
#define AVALANCHE_KEYS_H

#include "params.h"

#include <stddef.h>

enum key_type {
    KEY_GROUP,   /* a group { ... } of the keys named after it */
    KEY_INT,     /* int */
    KEY_SEED,    /* uint64_t, from a non-negative 64-bit integer */
    KEY_DOUBLE,  /* double; an integer is accepted */
    KEY_BOOL,    /* bool */
    KEY_ENUM,    /* int holding an index of `enums` */
    KEY_STRING,  /* char[size] */
    KEY_FORMATS, /* unsigned bit set of enum plot_format, from a list of names */
    KEY_VALUES,  /* the explicit values of a sweep axis (a list of numbers) */
    KEY_DIST,    /* a distribution group (dist, mean, cv), written on one line */
    KEY_AXIS,    /* a sweep axis group (key, from, to, steps, scale, values), on one line */
    KEY_LIST,    /* a list of groups (the interventions, APF's priority levels and FlowSchemas),
                  * whose members are the KEY_F_ELEMENT rows named "LIST[].MEMBER"; an element
                  * row's off is relative to the element's struct */
    KEY_TYPE_COUNT
};

/* Row flags. */
#define KEY_F_MIN_EXCL 1u /* the minimum is exclusive (> min) */
#define KEY_F_ELEMENT                                                                              \
    2u /* a member of each group of a list ("interventions[].at"): parsed by                       \
          the list's own reader, not a dotted key of --set */

/* The names of an enum's values 0..count-1. */
typedef struct key_enum {
    const char *const *names;
    int count;
} key_enum;

extern const key_enum key_enum_dist;          /* dist_kind (dist.h; checked against it) */
extern const key_enum key_enum_sa_mode;       /* enum sa_mode */
extern const key_enum key_enum_ms_auth;       /* enum ms_auth */
extern const key_enum key_enum_trigger_kind;  /* enum trigger_kind */
extern const key_enum key_enum_flush;         /* enum flush_scope */
extern const key_enum key_enum_burst_target;  /* enum burst_target */
extern const key_enum key_enum_scale;         /* enum axis_scale */
extern const key_enum key_enum_formats;       /* bit i of enum plot_format */
extern const key_enum key_enum_intervention;  /* enum intervention_kind */
extern const key_enum key_enum_admission;     /* enum admission_policy */
extern const key_enum key_enum_client_class;  /* enum client_class (a FlowSchema's match) */
extern const key_enum key_enum_distinguisher; /* enum flow_distinguisher */

/* The name of value v, or "?" out of range. */
const char *key_enum_name(const key_enum *e, int v);
/* The value named s, or -1. */
int key_enum_value(const key_enum *e, const char *s);

typedef struct key {
    const char *name; /* dotted, e.g. "apiserver.loopback.qps" */
    enum key_type type;
    size_t off;               /* offsetof(params, field) */
    size_t size;              /* KEY_STRING: buffer size with the NUL */
    double def;               /* default (numbers, bools, enum index, format bits) */
    double min, max;          /* range of numbers (inclusive unless KEY_F_MIN_EXCL) */
    unsigned flags;           /* KEY_F_* */
    const key_enum *enums;    /* KEY_ENUM, KEY_FORMATS: the names */
    const char *unit;         /* "s", "requests/s", "nodes", ...; NULL: none */
    const char *label;        /* in words, for a chart axis: "cluster size" */
    const char *doc;          /* one line: what it means; the source of the default */
    const char *default_text; /* NULL, or the default in words where a number would not do */
} key;

/* Every row, in config_dump order: a group comes before its members. */
const key *keys_table(size_t *n);

/* The row named name (a dotted key, a group, or an element row "interventions[].at"), or NULL. */
const key *keys_find(const char *name);

/* Children of a group row in table order (group NULL: the top level). NULL at the end. */
const key *keys_first_child(const key *group);
const key *keys_next_sibling(const key *k);

/* The part of the name after the last '.'. */
const char *keys_leaf(const key *k);

/* A group, a distribution or an axis: a row that holds other rows. */
int keys_is_group(const key *k);

/* A leaf row that --set may name (every row that is neither a group nor an element row). */
int keys_is_leaf(const key *k);

/* The label with its unit: "cluster size (nodes)", "sim.seed" without a label. */
void keys_label(const key *k, char *buf, size_t n);

/* p = the built-in defaults of every row (distributions set up with dist_set). */
void keys_defaults(params *p);

#endif
