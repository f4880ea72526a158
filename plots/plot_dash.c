/* plot_dash: the run dashboard, several runs compared, and the interventions reader (plots,
 * L4). Every panel keeps one scale whatever the data (a chart that switched between linear and
 * log from run to run could not be compared); a missing column drops its series. */
#include "plot.h"

#include "csv.h"
#include "metrics.h"
#include "plot_util.h"
#include "strip.h"
#include "table.h"
#include "xmem.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rgb UNHEALTHY = {0.835, 0.369, 0.0}; /* Okabe-Ito vermillion */
static const double UNHEALTHY_ALPHA = 0.13;

static chart_style line_of(int colour, double width, int dash)
{
    chart_style s = {palette_okabe_ito(colour), width, dash, 0};
    return s;
}

static void add(strip_panel *p, const double *t, const double *y, size_t n, chart_style st,
                const char *label, int right)
{
    if (p->ns >= STRIP_SERIES)
        return;
    strip_series *s = &p->s[p->ns++];
    s->t = t;
    s->y = y;
    s->n = n;
    s->st = st;
    s->label = label;
    s->right = right;
}

static void ref(strip_panel *p, double y, chart_style st, const char *label)
{
    if (p->nr >= STRIP_REFS || !(y > 0))
        return;
    strip_ref *r = &p->r[p->nr++];
    r->y = y;
    r->right = 0;
    r->st = st;
    r->label = label;
}

static void trigger_key(strip_panel *p, double t0, double t1)
{
    if (isnan(t0) || isnan(t1) || p->nextra >= STRIP_KEYS)
        return;
    int span = t1 > t0;
    chart_key *k = &p->extra[p->nextra++];
    k->label = "trigger";
    k->s = (chart_style){PLOT_GREY_SPAN, 1.0, CHART_DASHED, span ? PLOT_SPAN_ALPHA : 0};
    k->kind = span ? CHART_KEY_SPAN : CHART_KEY_LINE;
    k->symbol = CHART_SYM_NONE;
}

/* ---------------- dashboard ---------------- */

enum {
    S_MUT,
    S_RO,
    S_TR,
    S_429,
    S_TR504,
    S_REQ504,
    S_OUT,
    S_OCALLS,
    S_OVAL,
    S_OREQ,
    S_LBQ,
    S_ORPH,
    S_TOKHIT,
    S_KUBHIT,
    S_HB,
    S_SCRAPE,
    S_SA,
    S_NR,
    S_UNHEALTHY,
    S_COUNT
};

/* Replicas drawn on panel (f): two series each (STRIP_SERIES 16). */
#define DASH_REPLICAS 8
/* APF runs: the requests waiting per priority level (the timeseries.csv columns
 * apiserver_flowcontrol_current_inqueue_requests_LEVEL, present only with admission "apf"). */
#define APF_INQUEUE_PREFIX "apiserver_flowcontrol_current_inqueue_requests_"
#define DASH_APF_MAX PAL_COUNT

typedef struct dash {
    size_t n;
    double *t;
    double *s[S_COUNT];
    double *apf[DASH_APF_MAX];
    char apf_name[DASH_APF_MAX][64];
    int napf;
    char cap_mut[64], cap_ro[64], thr[3][64];
    /* with more than one apiserver replica: each one's inflight (the _rK columns), panel (f) */
    int nrep;
    double *rep_mut[DASH_REPLICAS], *rep_ro[DASH_REPLICAS];
    char rep_label[DASH_REPLICAS][2][40], cap_rep[64];
    strip_panel pan[7];
    strip st;
} dash;

static void dash_load(dash *d, const table *t)
{
    /* the time-series column of each strip (metrics.h); TS_T (0): none */
    static const enum metric_ts cols[S_COUNT] = {
        [S_MUT] = TS_INFLIGHT_MUT,
        [S_RO] = TS_INFLIGHT_RO,
        [S_TR] = TS_TR,
        [S_TR504] = TS_TR_TIMEOUTS,
        [S_REQ504] = TS_REQ_TIMEOUTS,
        [S_OUT] = TS_WORK,
        [S_OCALLS] = TS_WORK_CALLS,
        [S_OVAL] = TS_WORK_VALS,
        [S_OREQ] = TS_WORK_REQS,
        [S_LBQ] = TS_LB_QUEUE,
        [S_ORPH] = TS_ORPHANED,
        [S_TOKHIT] = TS_TOKEN_HIT,
        [S_KUBHIT] = TS_KUBELET_HIT,
        [S_HB] = TS_HEARTBEAT,
        [S_SCRAPE] = TS_SCRAPE,
        [S_SA] = TS_SA,
        [S_NR] = TS_NOT_READY,
    };
    d->n = table_rows(t);
    d->t = plot_column(t, metric_ts_name[TS_T]);
    for (int k = 0; k < S_COUNT; k++)
        if (cols[k] != TS_T)
            d->s[k] = plot_column(t, metric_ts_name[cols[k]]);
    d->s[S_429] = plot_column_sum(t, metric_ts_name[TS_DROPPED_MUT], metric_ts_name[TS_DROPPED_RO]);
    /* shade the samples judged unhealthy (healthy = 0; empty = not judged) */
    double *h = plot_column(t, metric_ts_name[TS_HEALTHY]);
    for (size_t i = 0; i < d->n; i++)
        h[i] = h[i] == 0 ? 1 : 0;
    d->s[S_UNHEALTHY] = h;
    char name[160];
    for (int k = 0; k < DASH_REPLICAS; k++) {
        snprintf(name, sizeof name, "%s_r%d", metric_replica_name[RS_INFLIGHT_MUT], k);
        if (table_col(t, name) < 0)
            break;
        d->rep_mut[k] = plot_column(t, name);
        snprintf(name, sizeof name, "%s_r%d", metric_replica_name[RS_INFLIGHT_RO], k);
        d->rep_ro[k] = plot_column(t, name);
        d->nrep++;
    }
    /* the levels that can queue: the exempt level never does */
    size_t plen = strlen(APF_INQUEUE_PREFIX);
    for (int c = 0; c < table_cols(t) && d->napf < DASH_APF_MAX; c++) {
        const char *name = table_col_name(t, c);
        if (strncmp(name, APF_INQUEUE_PREFIX, plen) != 0 || strcmp(name + plen, "exempt") == 0)
            continue;
        snprintf(d->apf_name[d->napf], sizeof d->apf_name[0], "%s", name + plen);
        d->apf[d->napf++] = plot_column(t, name);
    }
}

/* (f), with replicas: each replica's mutating (solid) and read-only (dashed) inflight in its
 * colour, and one replica's mutating cap (the cluster's over the replicas). */
static void replica_panel(dash *d, strip_panel *p, const plot_run_info *in)
{
    static const int col[DASH_REPLICAS] = {PAL_VERMILLION, PAL_BLUE,  PAL_BLUISH_GREEN,
                                           PAL_ORANGE,     PAL_BLACK, PAL_REDDISH_PURPLE,
                                           PAL_SKY_BLUE,   PAL_YELLOW};
    p->title = "(f) Inflight requests per apiserver replica, time-average";
    p->ylabel = "requests in flight";
    p->scale = STRIP_LIN0;
    for (int k = 0; k < d->nrep; k++) {
        snprintf(d->rep_label[k][0], sizeof d->rep_label[k][0], "replica %d mutating", k);
        snprintf(d->rep_label[k][1], sizeof d->rep_label[k][1], "replica %d read-only", k);
        add(p, d->t, d->rep_mut[k], d->n, line_of(col[k], 1.0, CHART_SOLID), d->rep_label[k][0], 0);
        add(p, d->t, d->rep_ro[k], d->n, line_of(col[k], 0.8, CHART_DOTTED), d->rep_label[k][1], 0);
    }
    double cap = in->mutating_cap / d->nrep;
    if (cap > 0) {
        snprintf(d->cap_rep, sizeof d->cap_rep, "mutating cap %g per replica", cap);
        ref(p, cap, line_of(PAL_VERMILLION, 0.9, CHART_DASHED), d->cap_rep);
        p->extra_hi = cap;
    }
}

/* Health thresholds on the client-success panel: one line when they are equal, else one per
 * series in its colour; only for series that have data. */
static void thresholds(dash *d, strip_panel *p, const plot_run_info *in)
{
    const double v[3] = {in->min_heartbeat_success, in->min_scrape_success, in->min_sa_success};
    const int id[3] = {S_HB, S_SCRAPE, S_SA};
    const int col[3] = {PAL_BLUISH_GREEN, PAL_BLUE, PAL_REDDISH_PURPLE};
    static const char *name[3] = {"heartbeat", "scrape", "SA clients"};
    int use[3], nuse = 0, same = 1;
    double first = NAN;
    for (int k = 0; k < 3; k++) {
        use[k] = v[k] > 0 && v[k] <= 1 && plot_has_data(d->s[id[k]], d->n);
        if (!use[k])
            continue;
        if (nuse++ == 0)
            first = v[k];
        else if (v[k] != first)
            same = 0;
    }
    if (nuse == 0)
        return;
    if (same) {
        snprintf(d->thr[0], sizeof d->thr[0], "health minimum %g", first);
        ref(p, first, (chart_style){{0.3, 0.3, 0.3}, 0.8, CHART_DASHED, 0}, d->thr[0]);
        return;
    }
    for (int k = 0; k < 3; k++)
        if (use[k]) {
            snprintf(d->thr[k], sizeof d->thr[k], "%s minimum %g", name[k], v[k]);
            ref(p, v[k], line_of(col[k], 0.8, CHART_DASHED), d->thr[k]);
        }
}

static void dash_build(dash *d, const plot_run_info *in)
{
    const double *t = d->t;
    size_t n = d->n;
    strip_panel *p = d->pan;
    memset(p, 0, sizeof d->pan);

    p[0].title = "(a) Inflight requests, time-average";
    p[0].ylabel = "requests in flight";
    p[0].scale = STRIP_LIN0;
    p[0].extra_hi = fmax(in->mutating_cap > 0 ? in->mutating_cap : 0,
                         in->readonly_cap > 0 ? in->readonly_cap : 0);
    add(&p[0], t, d->s[S_MUT], n, line_of(PAL_VERMILLION, 1.0, CHART_SOLID), "mutating", 0);
    add(&p[0], t, d->s[S_RO], n, line_of(PAL_BLUE, 1.0, CHART_SOLID), "read-only", 0);
    if (in->mutating_cap > 0) {
        snprintf(d->cap_mut, sizeof d->cap_mut, "mutating cap %g", in->mutating_cap);
        ref(&p[0], in->mutating_cap, line_of(PAL_VERMILLION, 0.9, CHART_DASHED), d->cap_mut);
    }
    if (in->readonly_cap > 0) {
        snprintf(d->cap_ro, sizeof d->cap_ro, "read-only cap %g", in->readonly_cap);
        ref(&p[0], in->readonly_cap, line_of(PAL_BLUE, 0.9, CHART_DASHED), d->cap_ro);
    }

    /* always log: TokenReviews run in the thousands while 504s are a few per second */
    p[1].title = "(b) Request rates (log scale; zero not drawn)";
    p[1].ylabel = "per second";
    p[1].scale = STRIP_LOG;
    add(&p[1], t, d->s[S_TR], n, line_of(PAL_BLUE, 1.0, CHART_SOLID), "TokenReviews/s", 0);
    add(&p[1], t, d->s[S_429], n, line_of(PAL_ORANGE, 1.0, CHART_SOLID), "429s/s (all requests)",
        0);
    add(&p[1], t, d->s[S_TR504], n, line_of(PAL_VERMILLION, 1.0, CHART_SOLID),
        "TokenReview 504s/s (create/filter timeout)", 0);
    add(&p[1], t, d->s[S_REQ504], n, line_of(PAL_REDDISH_PURPLE, 1.0, CHART_DASHED),
        "other requests' 504s/s", 0);

    p[2].scale = STRIP_LIN0;
    p[2].ylabel = "items in progress";
    if (plot_has_data(d->s[S_OUT], n)) {
        p[2].title = "(c) Outstanding work (the series the stability trend test judges)";
        add(&p[2], t, d->s[S_OUT], n, line_of(PAL_BLACK, 1.4, CHART_SOLID), "outstanding work", 0);
        add(&p[2], t, d->s[S_OCALLS], n, line_of(PAL_BLUE, 1.0, CHART_SOLID),
            "client calls (incl. retry waits)", 0);
        add(&p[2], t, d->s[S_OVAL], n, line_of(PAL_ORANGE, 1.0, CHART_DASHED), "SA validations", 0);
        add(&p[2], t, d->s[S_OREQ], n, line_of(PAL_VERMILLION, 1.0, CHART_DOTTED),
            "requests in the apiserver", 0);
    } else {
        p[2].title = "(c) Loopback backlog and orphaned validations";
        add(&p[2], t, d->s[S_LBQ], n, line_of(PAL_BLUE, 1.0, CHART_SOLID), "loopback backlog", 0);
        add(&p[2], t, d->s[S_ORPH], n, line_of(PAL_ORANGE, 1.0, CHART_DASHED),
            "orphaned validations", 0);
    }

    p[3].title = "(d) Cache hit ratios";
    p[3].ylabel = "hit ratio";
    p[3].scale = STRIP_UNIT;
    add(&p[3], t, d->s[S_TOKHIT], n, line_of(PAL_BLUE, 1.0, CHART_SOLID), "apiserver token cache",
        0);
    add(&p[3], t, d->s[S_KUBHIT], n, line_of(PAL_BLUISH_GREEN, 1.0, CHART_SOLID),
        "kubelet webhook cache", 0);

    p[4].title = "(e) Client success ratios, health, NotReady nodes";
    p[4].ylabel = "success ratio";
    p[4].y2label = "NotReady (nodes)";
    p[4].scale = STRIP_UNIT;
    p[4].scale2 = STRIP_LIN0;
    add(&p[4], t, d->s[S_HB], n, line_of(PAL_BLUISH_GREEN, 1.0, CHART_SOLID), "heartbeats", 0);
    /* three dash patterns: at 1.0 before the trigger the three ratios coincide */
    add(&p[4], t, d->s[S_SCRAPE], n, line_of(PAL_BLUE, 1.0, CHART_DASHED), "metrics scrapes", 0);
    add(&p[4], t, d->s[S_SA], n, line_of(PAL_REDDISH_PURPLE, 1.2, CHART_DOTTED), "SA clients", 0);
    add(&p[4], t, d->s[S_NR], n, line_of(PAL_BLACK, 1.0, CHART_DASHDOT), "NotReady (right axis)",
        1);
    thresholds(d, &p[4], in);
    if (plot_has_data(d->s[S_UNHEALTHY], n)) {
        int any = 0;
        for (size_t i = 0; i < n; i++)
            any |= d->s[S_UNHEALTHY][i] > 0.5;
        if (any) {
            p[4].span_t = t;
            p[4].span_on = d->s[S_UNHEALTHY];
            p[4].nspan = n;
            p[4].span_c = UNHEALTHY;
            p[4].span_alpha = UNHEALTHY_ALPHA;
            chart_key *k = &p[4].extra[p[4].nextra++];
            k->label = "unhealthy";
            k->s = (chart_style){UNHEALTHY, 0, CHART_SOLID, UNHEALTHY_ALPHA};
            k->kind = CHART_KEY_SPAN;
            k->symbol = CHART_SYM_NONE;
        }
    }
    int np = 5;
    if (d->nrep > 1)
        replica_panel(d, &p[np++], in);
    if (d->napf > 0) {
        /* one line per level, the palette's colours in turn, dash patterns alternating so that
         * levels at 0 together stay apart in the key */
        static const int dashes[3] = {CHART_SOLID, CHART_DASHED, CHART_DOTTED};
        strip_panel *q = &p[np++];
        q->title = d->nrep > 1 ? "(g) APF: requests waiting per priority level, time-average"
                               : "(f) APF: requests waiting per priority level, time-average";
        q->ylabel = "requests in queues";
        q->scale = STRIP_LIN0;
        for (int k = 0; k < d->napf; k++)
            add(q, t, d->apf[k], n, line_of((k + 1) % PAL_COUNT, 1.0, dashes[k % 3]),
                d->apf_name[k], 0);
    }
    for (int i = 0; i < np; i++) {
        p[i].ycol = p[i].y2col = PLOT_INK;
        strip_prune(&p[i]);
    }
    trigger_key(&p[0], in->trigger_start_s, in->trigger_end_s);

    strip *s = &d->st;
    memset(s, 0, sizeof *s);
    s->title = in->title ? in->title : "avalanche run";
    s->subtitle = in->subtitle;
    s->marks = in->marks;
    s->nmarks = in->marks ? in->n_marks : 0;
    s->trig0 = in->trigger_start_s;
    s->trig1 = in->trigger_end_s;
    s->pan = p;
    s->np = np;
    s->xlabel = "simulated time (s)";
}

static void draw_dashboard(chart_fig *f, void *ctx)
{
    dash *d = ctx;
    strip_draw(f, &d->st);
}

int plot_dashboard(const char *timeseries_csv, const char *out_base, unsigned formats,
                   const plot_run_info *info, err *e)
{
    static const plot_run_info none = {
        .mutating_cap = NAN, .readonly_cap = NAN, .trigger_start_s = NAN, .trigger_end_s = NAN};
    const plot_run_info *in = info ? info : &none;
    table *t = table_read(timeseries_csv, e);
    if (!t)
        return -1;
    if (table_col(t, "t") < 0) {
        table_free(t);
        return err_set(e, "%s: no column 't'", timeseries_csv);
    }
    dash *d = xcalloc(1, sizeof *d);
    dash_load(d, t);
    table_free(t);
    dash_build(d, in);
    double w, h;
    plot_size(in->width_pt, in->height_pt, PLOT_DASHBOARD_W, PLOT_DASHBOARD_H, &w, &h);
    if (h > 0 && d->st.np > 5 && !(in->height_pt > 0))
        h *= d->st.np / 5.0; /* the screen size is for five panels; (f) adds one */
    if (h <= 0)
        h = strip_height(&d->st, w);
    else if (!(in->height_pt > 0) && d->st.np > 5)
        h *= d->st.np / 5.0; /* the default height is for five panels */
    int rc = chart_render(out_base, formats, w, h, in->title, in->subtitle, draw_dashboard, d, e);
    free(d->t);
    for (int k = 0; k < S_COUNT; k++)
        free(d->s[k]);
    for (int k = 0; k < d->nrep; k++) {
        free(d->rep_mut[k]);
        free(d->rep_ro[k]);
    }
    for (int k = 0; k < d->napf; k++)
        free(d->apf[k]);
    free(d);
    return rc;
}

/* ---------------- interventions.csv ---------------- */

/* One CSV record from *p (RFC 4180: quoted fields with "" for a quote, newlines inside quotes);
 * fields are unquoted in place and NUL-terminated. Returns the field count (0 at the end). */
static int csv_record(char **p, char **f, int max, long *line)
{
    char *s = *p;
    while (*s == '\n' || *s == '\r') {
        *line += *s == '\n';
        s++;
    }
    if (!*s) {
        *p = s;
        return 0;
    }
    int n = 0;
    for (;;) {
        char *out = s, *start = s;
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s)
                    break;
                if (*s == '"' && s[1] == '"') {
                    *out++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *line += *s == '\n';
                    *out++ = *s++;
                }
            }
            while (*s && *s != ',' && *s != '\n' && *s != '\r')
                s++; /* text after a closing quote: dropped */
        } else {
            while (*s && *s != ',' && *s != '\n' && *s != '\r')
                out++, s++;
        }
        char c = *s;
        *out = '\0';
        if (n < max)
            f[n] = start;
        n++;
        /* c was read before the terminator went in: out may point at it */
        if (c == ',') {
            s++;
            continue;
        }
        if (c == '\r')
            s++;
        if (c == '\n' || (c == '\r' && *s == '\n')) {
            (*line)++;
            s++;
        }
        break;
    }
    *p = s;
    return n;
}

static double num_of(const char *s)
{
    if (!s || !*s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    return *end == '\0' ? v : NAN;
}

void plot_marks_free(plot_mark *marks, int n)
{
    if (!marks)
        return;
    for (int i = 0; i < n; i++)
        free((char *)marks[i].label);
    free(marks);
}

int plot_read_interventions(const char *csv, plot_mark **marks, err *e)
{
    *marks = NULL;
    FILE *probe = fopen(csv, "rb");
    if (!probe && errno == ENOENT)
        return 0;
    if (probe)
        fclose(probe);
    size_t len;
    char *buf = file_read(csv, &len, e);
    if (!buf)
        return -1;
    enum {
        MAXF = 16
    };
    char *f[MAXF];
    char *p = buf;
    long line = 1;
    int nh = csv_record(&p, f, MAXF, &line);
    int c_at = -1, c_what = -1, c_rec = -1, c_time = -1;
    for (int i = 0; i < nh && i < MAXF; i++) {
        if (strcmp(f[i], "at") == 0)
            c_at = i;
        else if (strcmp(f[i], "what") == 0)
            c_what = i;
        else if (strcmp(f[i], "recovered") == 0)
            c_rec = i;
        else if (strcmp(f[i], "recovery_time") == 0)
            c_time = i;
    }
    if (c_at < 0) {
        free(buf);
        return err_set(e, "%s: no column 'at'", csv);
    }
    int n = 0, cap = 0;
    plot_mark *m = NULL;
    for (;;) {
        long at_line = line;
        int nf = csv_record(&p, f, MAXF, &line);
        if (nf == 0)
            break;
        if (nf != nh) {
            plot_marks_free(m, n);
            free(buf);
            return err_set(e, "%s:%ld: expected %d fields (got %d)", csv, at_line, nh, nf);
        }
        double at = num_of(f[c_at]);
        if (isnan(at)) {
            plot_marks_free(m, n);
            free(buf);
            return err_set(e, "%s:%ld: at: expected a time in seconds (got '%s')", csv, at_line,
                           f[c_at]);
        }
        const char *what = c_what >= 0 ? f[c_what] : "";
        double rec = c_rec >= 0 ? num_of(f[c_rec]) : NAN;
        double rt = c_time >= 0 ? num_of(f[c_time]) : NAN;
        char tail[64] = "";
        if (rec == 1 && isfinite(rt)) {
            char d[32];
            if (rt < 600) /* seconds read best up to ten minutes */
                snprintf(d, sizeof d, "%.4g s", rt);
            else
                chart_fmt_duration(rt, d, sizeof d);
            snprintf(tail, sizeof tail, " \xc2\xb7 recovered in %s", d);
        } else if (rec == 1) {
            snprintf(tail, sizeof tail, " \xc2\xb7 recovered");
        } else if (rec == 0) {
            snprintf(tail, sizeof tail, " \xc2\xb7 not recovered");
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            m = xrealloc(m, (size_t)cap * sizeof *m);
        }
        size_t ln = strlen(what) + strlen(tail) + 1;
        char *label = xmalloc(ln);
        snprintf(label, ln, "%s%s", what, tail);
        m[n].at_s = at;
        m[n].label = label;
        n++;
    }
    free(buf);
    *marks = m;
    return n;
}

/* ---------------- compare ---------------- */

enum {
    C_MUT,
    C_TR504,
    C_WORK,
    C_HB,
    C_SCRAPE,
    C_NR,
    C_COUNT
};

typedef struct run {
    size_t n;
    double *t, *s[C_COUNT];
    int work_is_backlog; /* no outstanding_work: the loopback backlog instead */
} run;

typedef struct cmp {
    run r[PLOT_COMPARE_MAX];
    int n;
    chart_key keys[PLOT_COMPARE_MAX];
    double wscale; /* line widths: thinner on a narrow print */
    char caps[PLOT_COMPARE_MAX][160];
    strip_panel pan[C_COUNT];
    strip st;
} cmp;

static chart_style run_style(int i, double scale)
{
    /* Okabe-Ito without yellow (too pale on white), black first; the base run widest so a
     * mitigation drawn on top of it leaves it visible where they coincide */
    static const int order[] = {PAL_BLACK,          PAL_VERMILLION, PAL_BLUE,    PAL_BLUISH_GREEN,
                                PAL_REDDISH_PURPLE, PAL_ORANGE,     PAL_SKY_BLUE};
    static const int dash[] = {CHART_SOLID, CHART_DASHED, CHART_DASHDOT, CHART_DOTTED};
    double w = 1.9 - 0.3 * i;
    chart_style s = {palette_okabe_ito(order[i % 7]), scale * (w < 0.9 ? 0.9 : w), dash[i % 4], 0};
    return s;
}

static void cmp_build(cmp *c, const char *const *labels, const plot_compare_info *in)
{
    strip_panel *p = c->pan;
    memset(p, 0, sizeof c->pan);
    static const char *titles[C_COUNT] = {"(a) Mutating requests in flight, against each run's cap",
                                          "(b) TokenReview 504s per second (create/filter timeout)",
                                          "(c) Outstanding work (items in progress)",
                                          "(d) Heartbeat success ratio",
                                          "(e) Metrics scrape success ratio",
                                          "(f) NotReady nodes"};
    static const char *ylabels[C_COUNT] = {"requests", "per second", "items",
                                           "success",  "success",    "nodes"};
    int backlog = 0;
    for (int i = 0; i < c->n; i++)
        backlog |= c->r[i].work_is_backlog;
    for (int k = 0; k < C_COUNT; k++) {
        p[k].title = titles[k];
        p[k].ylabel = ylabels[k];
        p[k].ycol = p[k].y2col = PLOT_INK;
        p[k].scale = k == C_HB || k == C_SCRAPE ? STRIP_UNIT : STRIP_LIN0;
        for (int i = 0; i < c->n; i++)
            add(&p[k], c->r[i].t, c->r[i].s[k], c->r[i].n, run_style(i, c->wscale), NULL, 0);
        strip_prune(&p[k]);
    }
    if (backlog)
        p[C_WORK].title = "(c) Outstanding work, or the loopback backlog where not recorded";
    /* caps: one line per distinct value, in the run's colour when only one run has it, grey
     * and naming its runs when several share it ("every run" when all do) */
    for (int i = 0; i < c->n && in->mutating_caps; i++) {
        double cap = in->mutating_caps[i];
        int first = 1, count = 0;
        for (int j = 0; j < c->n; j++)
            if (in->mutating_caps[j] == cap) {
                first &= j >= i;
                count++;
            }
        if (!(cap > 0) || !first)
            continue;
        char *buf = c->caps[i];
        size_t len = (size_t)snprintf(buf, sizeof c->caps[i], "cap %g", cap);
        if (c->n > 1 && count == c->n) {
            snprintf(buf + len, sizeof c->caps[i] - len, " (every run)");
        } else if (c->n > 1) {
            const char *sep = " (";
            for (int j = 0; j < c->n && len < sizeof c->caps[i]; j++)
                if (in->mutating_caps[j] == cap) {
                    len += (size_t)snprintf(buf + len, sizeof c->caps[i] - len, "%s%s", sep,
                                            labels[j] ? labels[j] : "");
                    sep = ", ";
                }
            if (len < sizeof c->caps[i])
                snprintf(buf + len, sizeof c->caps[i] - len, ")");
        }
        chart_style st = count == 1 && c->n > 1
                             ? run_style(i, c->wscale)
                             : (chart_style){{0.35, 0.35, 0.35}, 0.9, CHART_DASHED, 0};
        st.width = 0.9;
        st.dash = count == 1 && c->n > 1 ? CHART_DOTTED : CHART_DASHED;
        ref(&p[C_MUT], cap, st, buf);
        p[C_MUT].extra_hi = fmax(p[C_MUT].extra_hi, cap);
    }
    double t0 = in->trigger_start_s, t1 = in->trigger_end_s;
    if (t0 == 0 && t1 == 0)
        t0 = t1 = NAN;
    trigger_key(&p[C_MUT], t0, t1);
    for (int i = 0; i < c->n; i++) {
        c->keys[i].label = labels[i] ? labels[i] : "";
        c->keys[i].s = run_style(i, c->wscale);
        c->keys[i].s.width = fmax(c->keys[i].s.width, 1.6);
        c->keys[i].kind = CHART_KEY_LINE;
        c->keys[i].symbol = CHART_SYM_NONE;
    }
    strip *s = &c->st;
    memset(s, 0, sizeof *s);
    s->title = in->title ? in->title : "avalanche: runs compared";
    s->subtitle = in->subtitle;
    s->fig_keys = c->keys;
    s->nfig_keys = c->n;
    s->marks = in->marks;
    s->nmarks = in->marks ? in->n_marks : 0;
    s->trig0 = t0;
    s->trig1 = t1;
    s->pan = p;
    s->np = C_COUNT;
    s->xlabel = "simulated time (s)";
}

static void draw_compare(chart_fig *f, void *ctx)
{
    cmp *c = ctx;
    strip_draw(f, &c->st);
}

int plot_compare(const char *const *timeseries_csvs, const char *const *labels, int n,
                 const char *out_base, unsigned formats, const plot_compare_info *info, err *e)
{
    static const plot_compare_info none = {.trigger_start_s = NAN, .trigger_end_s = NAN};
    const plot_compare_info *in = info ? info : &none;
    if (n < 1 || n > PLOT_COMPARE_MAX)
        return err_set(e, "compare: expected 1 to %d runs (got %d)", PLOT_COMPARE_MAX, n);
    cmp *c = xcalloc(1, sizeof *c);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        table *t = table_read(timeseries_csvs[i], e);
        if (!t) {
            rc = -1;
            break;
        }
        if (table_col(t, "t") < 0) {
            rc = err_set(e, "%s: no column 't'", timeseries_csvs[i]);
            table_free(t);
            break;
        }
        run *r = &c->r[c->n++];
        r->n = table_rows(t);
        r->t = plot_column(t, metric_ts_name[TS_T]);
        r->s[C_MUT] = plot_column(t, metric_ts_name[TS_INFLIGHT_MUT]);
        r->s[C_TR504] = plot_column(t, metric_ts_name[TS_TR_TIMEOUTS]);
        r->s[C_WORK] = plot_column(t, metric_ts_name[TS_WORK]);
        if (!plot_has_data(r->s[C_WORK], r->n)) {
            free(r->s[C_WORK]);
            r->s[C_WORK] = plot_column(t, metric_ts_name[TS_LB_QUEUE]);
            r->work_is_backlog = plot_has_data(r->s[C_WORK], r->n);
        }
        r->s[C_HB] = plot_column(t, metric_ts_name[TS_HEARTBEAT]);
        r->s[C_SCRAPE] = plot_column(t, metric_ts_name[TS_SCRAPE]);
        r->s[C_NR] = plot_column(t, metric_ts_name[TS_NOT_READY]);
        table_free(t);
    }
    if (rc == 0) {
        static const char *const unnamed[PLOT_COMPARE_MAX] = {"run 1", "run 2", "run 3", "run 4",
                                                              "run 5", "run 6", "run 7", "run 8"};
        double w, h;
        plot_size(in->width_pt, in->height_pt, PLOT_COMPARE_W, PLOT_COMPARE_H, &w, &h);
        c->wscale = fmin(1, fmax(0.65, w / 600));
        cmp_build(c, labels ? labels : unnamed, in);
        if (h <= 0)
            h = strip_height(&c->st, w);
        rc = chart_render(out_base, formats, w, h, in->title ? in->title : "avalanche compare",
                          in->subtitle, draw_compare, c, e);
    }
    for (int i = 0; i < c->n; i++) {
        free(c->r[i].t);
        for (int k = 0; k < C_COUNT; k++)
            free(c->r[i].s[k]);
    }
    free(c);
    return rc;
}
