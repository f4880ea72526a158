/* config_list: the lists of groups: interventions, and the lists with their own element rows
 * (APF priority levels and FlowSchemas) (L3). */
#include "config_impl.h"
/* ---- interventions ----------------------------------------------------------------------------
 */

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

int apply_interventions(const ctx *c, char *base, const config_setting_t *s, const char *key)
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
                               *fl = NULL, *rep = NULL;
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
                                            : strcmp(nm, "replica") == 0  ? &rep
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
        v.replica = -1;
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
        if (rep) { /* checked against apiserver.replicas in validate */
            join(mk, k, "replica");
            if (v.kind != INTERVENE_RESTART) {
                rc =
                    fail(c, rep, mk, "expected no replica except for action \"apiserver_restart\"");
                break;
            }
            if ((rc = read_number(c, rep, row(ELEMENTS "replica"), mk, &x)) < 0)
                break;
            v.replica = (int)x;
            note(c, rep, mk);
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

/* ---- lists of groups with their own element rows (APF's priority levels and FlowSchemas) ---- */

const list_desc lists[] = {
    {"apiserver.apf.priority_levels", offsetof(params, apiserver.apf.nlevels),
     offsetof(params, apiserver.apf.levels), sizeof(apf_level_param), APF_LEVELS_MAX,
     "a group { name, shares, queues, hand_size, queue_length_limit, lendable_percent, "
     "borrowing_limit_percent, exempt }"},
    {"apiserver.apf.flow_schemas", offsetof(params, apiserver.apf.nschemas),
     offsetof(params, apiserver.apf.schemas), sizeof(apf_schema_param), APF_SCHEMAS_MAX,
     "a group { name, level, precedence, match, distinguisher }"},
};

const list_desc *list_of(const field *f)
{
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (strcmp(lists[i].name, f->name) == 0)
            return &lists[i];
    abort(); /* a KEY_LIST row without a descriptor */
}

/* The element rows of list f ("LIST[]."), in table order. */
const field *element_rows(const field *f, size_t *n)
{
    size_t total;
    const field *t = keys_table(&total);
    const field *first = NULL;
    size_t len = strlen(f->name);
    *n = 0;
    for (size_t i = 0; i < total; i++)
        if ((t[i].flags & KEY_F_ELEMENT) && strncmp(t[i].name, f->name, len) == 0 &&
            strncmp(t[i].name + len, "[].", 3) == 0) {
            if (!first)
                first = &t[i];
            (*n)++;
        }
    return first;
}

static void element_defaults(const field *rows, size_t nrows, char *el)
{
    for (size_t r = 0; r < nrows; r++) {
        const field *m = &rows[r];
        char *fp = el + m->off;
        if (m->type == KEY_INT || m->type == KEY_ENUM)
            *(int *)fp = (int)m->def;
        else if (m->type == KEY_BOOL)
            *(bool *)fp = m->def != 0;
        else if (m->type == KEY_FORMATS)
            *(unsigned *)fp = (unsigned)m->def;
    }
}

/* A priority level's own constraints (the rest is apf_new's, checked in validate). */
static int check_level_param(const ctx *c, const config_setting_t *g, const char *k,
                             const apf_level_param *lv)
{
    char mk[KEY_MAX];
    if (lv->exempt && lv->queues != 0) {
        join(mk, k, "queues");
        return fail(c, g, mk, "expected 0 for an exempt level, which never queues (got %d)",
                    lv->queues);
    }
    if (!lv->exempt && lv->queues > 0) {
        int hmax = lv->queues < APF_MAX_HAND ? lv->queues : APF_MAX_HAND;
        join(mk, k, "hand_size");
        if (lv->hand_size < 1 || lv->hand_size > hmax)
            return fail(c, g, mk, "expected an integer in [1, %d] (at most queues = %d) (got %d)",
                        hmax, lv->queues, lv->hand_size);
        join(mk, k, "queue_length_limit");
        if (lv->queue_length_limit < 1)
            return fail(c, g, mk, "expected an integer >= 1 when queues > 0 (got %d)",
                        lv->queue_length_limit);
    }
    return 0;
}

int apply_list(const ctx *c, const field *f, char *base, const config_setting_t *s, const char *key)
{
    const list_desc *d = list_of(f);
    int t = config_setting_type(s), n = config_setting_length(s);
    if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY && !(t == CONFIG_TYPE_GROUP && n == 0)) {
        char what[320];
        bfmt(what, sizeof what, "a list ( %s, ... )", d->what);
        return expect(c, s, key, what);
    }
    if (n > d->max) {
        char got[32];
        bfmt(got, sizeof got, "%d", n);
        return fail(c, s, key, "expected at most %d elements (got %s)", d->max, got);
    }
    size_t nrows;
    const field *rows = element_rows(f, &nrows);
    char prefix[KEY_MAX];
    bfmt(prefix, sizeof prefix, "%s[].", f->name);
    /* A list replaces the one of a base file as a whole. */
    char *out = xcalloc((size_t)d->max, d->elem_size);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const config_setting_t *g = config_setting_get_elem(s, i);
        char k[KEY_MAX], mk[KEY_MAX];
        bfmt(k, sizeof k, "%s[%d]", key, i);
        if (!config_setting_is_group(g)) {
            rc = expect(c, g, k, d->what);
            break;
        }
        char *el = out + (size_t)i * d->elem_size;
        element_defaults(rows, nrows, el);
        for (int j = 0; j < config_setting_length(g) && rc == 0; j++) {
            const config_setting_t *m = config_setting_get_elem(g, j);
            const char *nm = config_setting_name(m);
            join(mk, k, nm);
            const field *row_m = NULL;
            for (size_t r = 0; r < nrows; r++)
                if (strcmp(keys_leaf(&rows[r]), nm) == 0)
                    row_m = &rows[r];
            if (!row_m)
                rc = unknown_key(c, m, NULL, prefix, mk);
            else
                rc = apply_field(c, row_m, el, m, mk);
        }
        if (rc < 0)
            break;
        /* every element has a unique, non-empty name */
        const char *name = el; /* name is each element struct's first member */
        join(mk, k, "name");
        if (!*name) {
            rc = fail(c, g, mk, "expected a non-empty string (got none)");
            break;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(out + (size_t)j * d->elem_size, name) == 0) {
                rc = fail(c, g, mk, "expected a name not used before in %s (got \"%s\" again)", key,
                          name);
                break;
            }
        if (rc < 0)
            break;
        if (d == &lists[0]) {
            rc = check_level_param(c, g, k, (const apf_level_param *)el);
        } else {
            const apf_schema_param *fs = (const apf_schema_param *)el;
            if (!fs->level[0]) {
                join(mk, k, "level");
                rc = fail(c, g, mk, "expected the name of a priority level (got none)");
            } else if (!fs->match) {
                join(mk, k, "match");
                char names[160];
                enum_names(&key_enum_client_class, names, sizeof names);
                rc = fail(c, g, mk, "expected a non-empty list of %s (got none)", names);
            }
        }
        note(c, g, k);
    }
    if (rc == 0) {
        memcpy(base + d->array_off, out, (size_t)d->max * d->elem_size);
        *(int *)(base + d->count_off) = n;
    }
    free(out);
    return rc;
}
