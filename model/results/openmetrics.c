/* openmetrics: timeseries.csv -> OpenMetrics text with timestamps (L4). */
#include "openmetrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A column of timeseries.csv as a series of a metric family. Columns of one family are listed
 * together; the family's # lines come with its first column. */
typedef struct om_series {
    const char *column;
    const char *family; /* without the avalanche_ prefix */
    const char *label;  /* NULL, or label="value" */
    const char *unit;   /* NULL, "seconds" or "ratio": the family name ends with _unit */
    const char *help;
} om_series;

static const om_series known[] = {
    {"apiserver_current_inflight_requests_mutating", "apiserver_current_inflight_requests",
     "request_kind=\"mutating\"", NULL,
     "Requests in the max-inflight pools, time-average over the sample interval "
     "(the apiserver's apiserver_current_inflight_requests)"},
    {"apiserver_current_inflight_requests_readonly", "apiserver_current_inflight_requests",
     "request_kind=\"readOnly\"", NULL, NULL},
    {"apiserver_dropped_requests_mutating_per_s", "apiserver_dropped_requests_per_second",
     "request_kind=\"mutating\"", NULL,
     "Requests the max-inflight filter rejected with 429, per second (the rate of the "
     "apiserver's apiserver_dropped_requests)"},
    {"apiserver_dropped_requests_readonly_per_s", "apiserver_dropped_requests_per_second",
     "request_kind=\"readOnly\"", NULL, NULL},
    {"tokenreviews_per_s", "tokenreviews_per_second", NULL, NULL,
     "TokenReview creates received per second"},
    {"tokenreview_timeouts_per_s", "tokenreview_timeouts_per_second", NULL, NULL,
     "TokenReviews answered 504 (create or filter timeout) per second"},
    {"request_timeouts_per_s", "request_timeouts_per_second", NULL, NULL,
     "Other requests answered 504 by the timeout filter, per second"},
    {"tokenreview_latency_s", "tokenreview_latency_seconds", NULL, "seconds",
     "Mean latency of the TokenReviews answered in the interval"},
    {"token_cache_hit_ratio", "token_cache_hit_ratio", NULL, "ratio",
     "Hit ratio of the apiserver's token cache"},
    {"kubelet_cache_hit_ratio", "kubelet_cache_hit_ratio", NULL, "ratio",
     "Hit ratio of the kubelets' webhook caches for metrics-server's token"},
    {"loopback_queue_length", "loopback_queue_length", NULL, NULL,
     "Loopback token-bucket reservations waiting, time-average"},
    {"loopback_wait_s", "loopback_wait_seconds", NULL, "seconds",
     "Mean wait of the loopback reservations made in the interval"},
    {"loopback_gets_per_s", "loopback_gets_per_second", NULL, NULL,
     "Loopback GETs started per second"},
    {"orphaned_validations", "orphaned_validations", NULL, NULL,
     "ServiceAccount validations nobody waits for any more"},
    {"scrape_success_ratio", "scrape_success_ratio", NULL, "ratio",
     "Share of metrics-server scrapes that succeeded"},
    {"heartbeat_success_ratio", "heartbeat_success_ratio", NULL, "ratio",
     "Share of nodes whose status is fresh"},
    {"not_ready_nodes", "not_ready_nodes", NULL, NULL, "Nodes the node controller marks NotReady"},
    {"goodput_tokenreview_per_s", "goodput_per_second", "client=\"tokenreview\"", NULL,
     "Successful calls per second, by client"},
    {"goodput_heartbeat_per_s", "goodput_per_second", "client=\"heartbeat\"", NULL, NULL},
    {"goodput_sa_per_s", "goodput_per_second", "client=\"sa\"", NULL, NULL},
    {"goodput_background_per_s", "goodput_per_second", "client=\"background\"", NULL, NULL},
    {"cpu_utilization", "cpu_utilization_ratio", NULL, "ratio",
     "Busy fraction of the apiserver's cores (absent without a CPU model)"},
    {"sa_success_ratio", "sa_success_ratio", NULL, "ratio",
     "Share of the SA-token clients' calls that succeeded"},
    {"outstanding_work", "outstanding_work", NULL, NULL,
     "Outstanding work, the series the stability trend test judges: calls + validations + "
     "requests"},
    {"outstanding_calls", "outstanding_calls", NULL, NULL,
     "Client-go calls in progress, waits to retry included"},
    {"outstanding_validations", "outstanding_validations", NULL, NULL,
     "ServiceAccount validations in progress (the loopback backlog included)"},
    {"outstanding_requests", "outstanding_requests", NULL, NULL, "Requests inside the apiserver"},
    {"healthy", "healthy", NULL, NULL,
     "1 when the health predicate holds over the trailing health.window, 0 when not"},
};
#define NKNOWN (sizeof known / sizeof known[0])

/* Shortest text that reads back to v. */
static void num(FILE *f, double v)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
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
    /* the known columns, family by family, in this file's order */
    for (size_t i = 0; i < NKNOWN; i++) {
        const om_series *s = &known[i];
        int first = i == 0 || strcmp(known[i - 1].family, s->family) != 0;
        if (first) {
            /* the family's help is its first column's; skip a family none of whose columns is
             * in the file */
            int any = 0;
            for (size_t j = i; j < NKNOWN && strcmp(known[j].family, s->family) == 0; j++)
                any |= table_col(ts, known[j].column) >= 0;
            if (any)
                header(f, s->family, s->unit, s->help);
        }
        int col = table_col(ts, s->column);
        if (col >= 0)
            series(f, ts, tcol, col, s->family, s->label, epoch_s);
    }
    /* then any other column */
    for (int c = 0; c < table_cols(ts); c++) {
        const char *name = table_col_name(ts, c);
        int is_known = c == tcol;
        for (size_t i = 0; i < NKNOWN && !is_known; i++)
            is_known = strcmp(known[i].column, name) == 0;
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
