/* keydoc: `avalanche keys`, the keys of avalanche.cfg(5) and completion names, from the key
 * table (L4). */
#include "keydoc.h"

#include "keys.h"
#include "model.h"
#include "text.h"

#include <ctype.h>
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_WIDTH 78 /* the meaning is wrapped to this width, indented by 4 */

static void lower(const char *s, char *out, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

int keydoc_match(const char *pattern, const char *name)
{
    if (!pattern || !*pattern)
        return 1;
    char p[256], k[256];
    lower(pattern, p, sizeof p);
    lower(name, k, sizeof k);
    if (strpbrk(p, "*?["))
        return fnmatch(p, k, 0) == 0;
    return strstr(k, p) != NULL;
}

/* Shortest "%g" that reads back exactly, without an exponent for ordinary magnitudes. */
static void num(double v, char *buf, size_t n)
{
    if (isinf(v)) {
        snprintf(buf, n, v > 0 ? "inf" : "-inf");
        return;
    }
    text_shortest(buf, n, v, 1);
    if (strchr(buf, 'e') && fabs(v) >= 1 && fabs(v) < 1e15 && v == floor(v))
        snprintf(buf, n, "%.0f", v);
}

static const char *type_name(const key *k, char *buf, size_t n)
{
    switch (k->type) {
    case KEY_INT:
        return "integer";
    case KEY_SEED:
        return "64-bit integer";
    case KEY_DOUBLE:
        return "number";
    case KEY_BOOL:
        return "boolean";
    case KEY_STRING:
        return "string";
    case KEY_FORMATS:
        return k->enums == &key_enum_formats ? "list of formats" : "list of names";
    case KEY_VALUES:
        return (k->flags & KEY_F_ELEMENT) ? "list of strings" : "list of numbers";
    case KEY_LIST:
        return "list of groups";
    case KEY_ENUM: {
        size_t used = (size_t)snprintf(buf, n, "one of");
        for (int i = 0; i < k->enums->count && used < n; i++)
            used +=
                (size_t)snprintf(buf + used, n - used, "%s %s", i ? "," : "", k->enums->names[i]);
        return buf;
    }
    default:
        return "group";
    }
}

static void default_text(const key *k, char *buf, size_t n)
{
    if (k->default_text) {
        snprintf(buf, n, "%s", k->default_text);
        return;
    }
    switch (k->type) {
    case KEY_INT:
    case KEY_SEED:
    case KEY_DOUBLE:
        num(k->def, buf, n);
        break;
    case KEY_BOOL:
        snprintf(buf, n, "%s", k->def != 0 ? "true" : "false");
        break;
    case KEY_ENUM:
        snprintf(buf, n, "%s", key_enum_name(k->enums, (int)k->def));
        break;
    case KEY_FORMATS: {
        size_t used = 0;
        buf[0] = '\0';
        for (int i = 0; i < k->enums->count && used < n; i++)
            if ((unsigned)k->def & (1u << i))
                used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
                                         k->enums->names[i]);
        if (!used)
            snprintf(buf, n, "none");
        break;
    }
    case KEY_STRING:
        snprintf(buf, n, "\"\"");
        break;
    default:
        snprintf(buf, n, "none");
        break;
    }
}

/* "> 0", ">= 1", "[0, 1]", "(0, 1]", or "" (no bound). */
static void range_text(const key *k, char *buf, size_t n)
{
    buf[0] = '\0';
    if (k->type != KEY_INT && k->type != KEY_DOUBLE)
        return;
    int is_int = k->type == KEY_INT;
    int has_lo = is_int ? k->min > INT_MIN : k->min > -HUGE_VAL;
    int has_hi = is_int ? k->max < INT_MAX : k->max < HUGE_VAL;
    int excl = (k->flags & KEY_F_MIN_EXCL) != 0;
    char lo[40], hi[40];
    num(k->min, lo, sizeof lo);
    num(k->max, hi, sizeof hi);
    if (has_lo && has_hi)
        snprintf(buf, n, "%c%s, %s]", excl ? '(' : '[', lo, hi);
    else if (has_lo)
        snprintf(buf, n, "%s %s", excl ? ">" : ">=", lo);
    else if (has_hi)
        snprintf(buf, n, "<= %s", hi);
}

static void summary(const key *k, char *buf, size_t n)
{
    char type[160], def[96], range[96];
    default_text(k, def, sizeof def);
    range_text(k, range, sizeof range);
    const char *t = type_name(k, type, sizeof type);
    size_t used = (size_t)snprintf(buf, n, "%s", t);
    if (k->unit && used < n)
        used += (size_t)snprintf(buf + used, n - used, " (%s)", k->unit);
    if (used < n)
        used += (size_t)snprintf(buf + used, n - used, ", default %s", def);
    if (range[0] && used < n)
        snprintf(buf + used, n - used, ", %s", range);
}

const char *keydoc_summary(const char *name, char *buf, size_t n)
{
    const key *k = keys_find(name);
    if (!k)
        snprintf(buf, n, "unknown key");
    else
        summary(k, buf, n);
    return buf;
}

/* Whether an intervention may set the key during a run, and what happens then. */
static const char *mid_run(const key *k, const char **in_flight)
{
    *in_flight = NULL;
    const model_settable *s = model_settable_find(k->name);
    if (!s)
        return "no";
    *in_flight = s->in_flight;
    return s->at_restart ? "at apiserver_restart" : "yes";
}

/* Writes prefix and text wrapped to TEXT_WIDTH, each line indented by 4. */
static void wrapped(FILE *f, const char *prefix, const char *text)
{
    fprintf(f, "    %s", prefix);
    size_t col = 4 + strlen(prefix);
    int first = 1;
    for (const char *s = text; *s;) {
        size_t w = strcspn(s, " ");
        if (!first && col + 1 + w > TEXT_WIDTH) {
            fputs("\n    ", f);
            col = 4;
        } else if (!first) {
            fputc(' ', f);
            col++;
        }
        fwrite(s, 1, w, f);
        col += w;
        first = 0;
        s += w;
        while (*s == ' ')
            s++;
    }
    fputc('\n', f);
}

/* roff text: backslashes and hyphens escaped, no line starting with a control character. */
static void roff(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

static void print_text(FILE *f, const key *k)
{
    char sum[320];
    summary(k, sum, sizeof sum);
    const char *in_flight;
    const char *mid = mid_run(k, &in_flight);
    if (k->flags & KEY_F_ELEMENT)
        fprintf(f, "%s: %s\n", k->name, sum);
    else
        fprintf(f, "%s: %s; mid-run: %s\n", k->name, sum, mid);
    wrapped(f, "", k->doc);
    if (in_flight)
        wrapped(f, "when set mid-run: ", in_flight);
}

static void print_man(FILE *f, const key *k)
{
    char sum[320];
    summary(k, sum, sizeof sum);
    const char *in_flight;
    const char *mid = mid_run(k, &in_flight);
    fputs(".TP\n.B ", f);
    roff(f, k->name);
    fputc('\n', f);
    roff(f, sum);
    if (!(k->flags & KEY_F_ELEMENT)) {
        fputs("; mid\\-run: ", f);
        roff(f, mid);
    }
    fputs(".\n.br\n", f);
    roff(f, k->doc);
    fputs(".\n", f);
    if (in_flight) {
        fputs(".br\nWhen set mid\\-run: ", f);
        roff(f, in_flight);
        fputs(".\n", f);
    }
}

int keydoc_print(FILE *f, const char *pattern, enum keydoc_format fmt)
{
    size_t n;
    const key *t = keys_table(&n);
    int count = 0;
    const key *group = NULL; /* the last top-level group headed (KEYDOC_MAN) */
    for (size_t i = 0; i < n; i++) {
        const key *k = &t[i];
        if (keys_is_group(k) || !keydoc_match(pattern, k->name))
            continue;
        if (fmt == KEYDOC_NAMES) {
            fprintf(f, "%s\n", k->name);
        } else if (fmt == KEYDOC_MAN) {
            size_t top = strcspn(k->name, ".[");
            const key *g = NULL;
            for (size_t j = 0; j < n; j++)
                if (strlen(t[j].name) == top && strncmp(t[j].name, k->name, top) == 0) {
                    g = &t[j];
                    break;
                }
            if (g && g != group) {
                group = g;
                fputs(".SS ", f);
                roff(f, g->name);
                fputs("\n", f);
                if (g->type == KEY_GROUP) {
                    roff(f, g->doc);
                    fputs(".\n", f);
                }
            }
            print_man(f, k);
        } else {
            print_text(f, k);
        }
        count++;
    }
    return ferror(f) ? -1 : count;
}
