/* config_file: reading config files: top-level @include as a base, libconfig for the rest (L3). */
#include "config_impl.h"
/* ---- reading files: top-level @include as a base, libconfig for the rest --------------------- */

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

void dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        bfmt(dir, n, ".");
    else if (slash == path)
        bfmt(dir, n, "/");
    else
        bfmt(dir, n, "%.*s", (int)(slash - path), path);
}

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

int load_file(params *p, const char *path, chain *ch, locs *l, err *e)
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
