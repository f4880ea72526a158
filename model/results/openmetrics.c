/* openmetrics: timeseries.csv -> OpenMetrics text with timestamps (L4). */
#include "openmetrics.h"

#include "metrics.h"
#include "text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The known columns are metrics.h's time-series rows, each a series of a metric family (rows of
 * one family adjacent, the family's # lines with its first row); t is the timestamp. */
static int same_family(int i, int j)
{
    return metric_ts_om[i].family && metric_ts_om[j].family &&
           strcmp(metric_ts_om[i].family, metric_ts_om[j].family) == 0;
}

/* Shortest text that reads back to v. */
static void num(FILE *f, double v)
{
    char buf[40];
    text_shortest(buf, sizeof buf, v, 1);
    fputs(buf, f);
}

/* A timestamp in seconds, in fixed notation with the fewest decimals that read back (up to 9:
 * nanoseconds). */
static void timestamp(FILE *f, double t)
{
    char buf[64];
    for (int d = 0; d <= 9; d++) {
        snprintf(buf, sizeof buf, "%.*f", d, t);
        if (strtod(buf, NULL) == t)
            break;
    }
    fputs(buf, f);
}

static void help_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", f);
        else if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

/* A column this file does not know (a newer stats.c): named by the rules in openmetrics.h. */
static void generic(const char *col, char *family, size_t n, const char **unit)
{
    size_t len = strlen(col);
    *unit = NULL;
    if (len > 6 && strcmp(col + len - 6, "_per_s") == 0) {
        snprintf(family, n, "%.*s_per_second", (int)(len - 6), col);
    } else if (len > 2 && strcmp(col + len - 2, "_s") == 0) {
        snprintf(family, n, "%.*s_seconds", (int)(len - 2), col);
        *unit = "seconds";
    } else {
        snprintf(family, n, "%s", col);
        if (len > 6 && strcmp(col + len - 6, "_ratio") == 0)
            *unit = "ratio";
    }
}

/* NAME_rK of a per-replica row (K digits). */
static int replica_column(const char *col)
{
    for (int i = 0; i < RS_COUNT; i++) {
        size_t n = strlen(metric_replica_name[i]);
        if (strncmp(col, metric_replica_name[i], n) != 0 || strncmp(col + n, "_r", 2) != 0)
            continue;
        const char *d = col + n + 2;
        if (*d && strspn(d, "0123456789") == strlen(d))
            return 1;
    }
    return 0;
}

static void header(FILE *f, const char *family, const char *unit, const char *help)
{
    fprintf(f, "# TYPE avalanche_%s gauge\n", family);
    if (unit)
        fprintf(f, "# UNIT avalanche_%s %s\n", family, unit);
    fprintf(f, "# HELP avalanche_%s ", family);
    help_text(f, help);
    fputc('\n', f);
}

static void series(FILE *f, const table *ts, int tcol, int col, const char *family,
                   const char *label, double epoch_s)
{
    for (size_t r = 0; r < table_rows(ts); r++) {
        double v = table_num(ts, r, col), t = table_num(ts, r, tcol);
        if (isnan(v) || isnan(t))
            continue; /* no data in that interval */
        fprintf(f, "avalanche_%s", family);
        if (label)
            fprintf(f, "{%s}", label);
        fputc(' ', f);
        if (isinf(v))
            fputs(v > 0 ? "+Inf" : "-Inf", f);
        else
            num(f, v);
        fputc(' ', f);
        timestamp(f, epoch_s + t);
        fputc('\n', f);
    }
}

int openmetrics_write(FILE *f, const table *ts, double epoch_s)
{
    int tcol = table_col(ts, "t");
    if (tcol < 0)
        return -1;
    /* the known columns, family by family, in metrics.h's order */
    for (int i = 0; i < TS_COUNT; i++) {
        const metric_om *s = &metric_ts_om[i];
        if (!s->family)
            continue;
        if (i == 0 || !same_family(i - 1, i)) {
            /* the family's help is its first column's; skip a family none of whose columns is
             * in the file */
            int any = 0;
            for (int j = i; j < TS_COUNT && same_family(i, j); j++)
                any |= table_col(ts, metric_ts_name[j]) >= 0;
            if (any)
                header(f, s->family, s->unit, s->help);
        }
        int col = table_col(ts, metric_ts_name[i]);
        if (col >= 0)
            series(f, ts, tcol, col, s->family, s->label, epoch_s);
    }
    /* the per-replica columns NAME_rK (apiserver.replicas > 1), family by family */
    for (int i = 0; i < RS_COUNT; i++) {
        const metric_om *s = &metric_replica_om[i];
        for (int k = 0;; k++) {
            char col[160], label[200];
            snprintf(col, sizeof col, "%s_r%d", metric_replica_name[i], k);
            int c = table_col(ts, col);
            if (c < 0)
                break;
            if (s->help && k == 0)
                header(f, s->family, s->unit, s->help);
            snprintf(label, sizeof label, "%s%sreplica=\"%d\"", s->label ? s->label : "",
                     s->label ? "," : "", k);
            series(f, ts, tcol, c, s->family, label, epoch_s);
        }
    }
    /* APF's per-level columns (admission "apf" runs): one family each, the level a label */
    static const struct {
        const char *prefix, *family, *help;
    } apf[] = {
        {"apiserver_flowcontrol_current_inqueue_requests_",
         "apiserver_flowcontrol_current_inqueue_requests",
         "Requests waiting in an APF priority level's queues, time-average (the apiserver's "
         "gauge; the level's name with '-' as '_')"},
        {"apiserver_flowcontrol_current_executing_requests_",
         "apiserver_flowcontrol_current_executing_requests",
         "Requests executing in an APF priority level, time-average"},
        {"apiserver_flowcontrol_rejected_requests_per_s_",
         "apiserver_flowcontrol_rejected_requests_per_second",
         "429s of an APF priority level per second, every reason (the rate of the apiserver's "
         "apiserver_flowcontrol_rejected_requests_total)"},
    };
    const size_t napf = sizeof apf / sizeof apf[0];
    for (size_t a = 0; a < napf; a++) {
        size_t len = strlen(apf[a].prefix);
        int any = 0;
        for (int c = 0; c < table_cols(ts); c++) {
            const char *name = table_col_name(ts, c);
            if (strncmp(name, apf[a].prefix, len) != 0 || !name[len])
                continue;
            if (!any++)
                header(f, apf[a].family, NULL, apf[a].help);
            char label[160];
            snprintf(label, sizeof label, "priority_level=\"%s\"", name + len);
            series(f, ts, tcol, c, apf[a].family, label, epoch_s);
        }
    }
    /* then any other column */
    for (int c = 0; c < table_cols(ts); c++) {
        const char *name = table_col_name(ts, c);
        int is_known = c == tcol || replica_column(name);
        for (size_t a = 0; a < napf && !is_known; a++)
            is_known = strncmp(name, apf[a].prefix, strlen(apf[a].prefix)) == 0 &&
                       name[strlen(apf[a].prefix)];
        for (int i = 0; i < TS_COUNT && !is_known; i++)
            is_known = metric_ts_om[i].family && strcmp(metric_ts_name[i], name) == 0;
        if (is_known)
            continue;
        char family[256], help[320];
        const char *unit;
        generic(name, family, sizeof family, &unit);
        snprintf(help, sizeof help, "timeseries.csv column %s", name);
        header(f, family, unit, help);
        series(f, ts, tcol, c, family, NULL, epoch_s);
    }
    fputs("# EOF\n", f);
    return ferror(f) ? -1 : 0;
}
