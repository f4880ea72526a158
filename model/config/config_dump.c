/* config_dump: resolved configs written back (L3). */
#include "config_impl.h"
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
        if (v->kind == INTERVENE_RESTART && v->replica >= 0)
            fprintf(f, " replica = %d;", v->replica);
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

/* A list of groups with element rows: one element a line, every member written. */
static void dump_list(const field *fs, const char *base, FILE *f, int depth)
{
    const list_desc *d = list_of(fs);
    int n = *(const int *)(base + d->count_off);
    size_t nrows;
    const field *rows = element_rows(fs, &nrows);
    indent(f, depth);
    fprintf(f, "%s = (", keys_leaf(fs));
    for (int i = 0; i < n; i++) {
        const char *el = base + d->array_off + (size_t)i * d->elem_size;
        fprintf(f, "%s\n", i ? "," : "");
        indent(f, depth + 1);
        fputs("{", f);
        for (size_t r = 0; r < nrows; r++) {
            const field *m = &rows[r];
            const char *fp = el + m->off;
            fprintf(f, " %s = ", keys_leaf(m));
            if (m->type == KEY_STRING) {
                dump_string(f, fp);
            } else if (m->type == KEY_INT) {
                fprintf(f, "%d", *(const int *)fp);
            } else if (m->type == KEY_BOOL) {
                fputs(*(const bool *)fp ? "true" : "false", f);
            } else if (m->type == KEY_ENUM) {
                fprintf(f, "\"%s\"", key_enum_name(m->enums, *(const int *)fp));
            } else if (m->type == KEY_FORMATS) {
                unsigned bits = *(const unsigned *)fp;
                fputs("[", f);
                for (int b = 0, first = 1; b < m->enums->count; b++)
                    if (bits & (1u << b)) {
                        fprintf(f, "%s\"%s\"", first ? " " : ", ", m->enums->names[b]);
                        first = 0;
                    }
                fputs(" ]", f);
            }
            fputs(";", f);
        }
        fputs(" }", f);
    }
    if (n) {
        fputs("\n", f);
        indent(f, depth);
        fputs(");\n", f);
    } else {
        fputs(" );\n", f);
    }
}

static void dump_field(const field *fs, const char *base, FILE *f, int depth)
{
    const char *ptr = base + fs->off;
    const char *name = keys_leaf(fs);
    switch (fs->type) {
    case KEY_LIST:
        if (strcmp(fs->name, "interventions") == 0)
            dump_interventions((const params *)base, f);
        else
            dump_list(fs, base, f, depth);
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
