/* test_plot: nice ticks, time and categorical axes, marching squares, palette, label thinning,
 * text wrapping, and rendering every chart from the fixtures in tests/data/plot (and small
 * inline ones) to PNG, SVG and PDF: status, pixel size, searchable labels, no temp files left,
 * unwritable output, and what used to mislead (scales that switched, series summed without a
 * label, series drawn over each other). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chart.h"
#include "contour.h"
#include "palette.h"
#include "plot.h"
#include "ticks.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIXTURES "tests/data/plot/"

static void assert_near_impl(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol * fmax(1.0, fmax(fabs(a), fabs(b))))) {
        print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
        _fail(file, line);
    }
}
#define assert_near(a, b, tol) assert_near_impl((a), (b), (tol), __FILE__, __LINE__)

static void assert_ticks(const ticks *t, const double *want, int n)
{
    assert_int_equal(t->n, n);
    for (int i = 0; i < n; i++)
        assert_near(t->v[i], want[i], 1e-12);
}

/* ---- ticks ---- */

static void test_ticks_linear(void **state)
{
    (void)state;
    ticks t;
    char buf[32];
    ticks_linear(0, 10, 5, 1, &t);
    assert_ticks(&t, (double[]){0, 2, 4, 6, 8, 10}, 6);
    assert_near(t.step, 2, 1e-12);

    ticks_linear(0.1, 0.95, 5, 1, &t); /* loose: widened to [0, 1] */
    assert_ticks(&t, (double[]){0, 0.2, 0.4, 0.6, 0.8, 1.0}, 6);
    assert_near(t.lo, 0, 1e-12);
    assert_near(t.hi, 1, 1e-12);
    ticks_format(&t, t.v[3], buf, sizeof buf);
    assert_string_equal(buf, "0.6");
    ticks_format(&t, t.v[5], buf, sizeof buf);
    assert_string_equal(buf, "1.0");

    ticks_linear(3, 97, 5, 0, &t); /* tight: range kept, ticks inside */
    assert_ticks(&t, (double[]){20, 40, 60, 80}, 4);
    assert_near(t.lo, 3, 1e-12);
    assert_near(t.hi, 97, 1e-12);
    ticks_format(&t, 40, buf, sizeof buf);
    assert_string_equal(buf, "40");

    ticks_linear(0, 1800, 10, 0, &t);
    assert_ticks(&t, (double[]){0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800}, 10);
}

static void test_ticks_degenerate_and_negative(void **state)
{
    (void)state;
    ticks t;
    ticks_linear(5, 5, 5, 1, &t);
    assert_true(t.n >= 2);
    assert_true(t.lo < 5 && t.hi > 5);
    int has5 = 0;
    for (int i = 0; i < t.n; i++)
        has5 |= fabs(t.v[i] - 5) < 1e-12;
    assert_true(has5);

    ticks_linear(0, 0, 5, 1, &t);
    assert_near(t.lo, -1, 1e-12);
    assert_near(t.hi, 1, 1e-12);
    assert_ticks(&t, (double[]){-1, -0.5, 0, 0.5, 1}, 5);
    char buf[32];
    ticks_format(&t, t.v[2], buf, sizeof buf);
    assert_string_equal(buf, "0"); /* never "-0.0" */

    ticks_linear(-7, -2, 5, 1, &t);
    assert_ticks(&t, (double[]){-7, -6, -5, -4, -3, -2}, 6);
    ticks_linear(-2, -7, 5, 1, &t); /* reversed */
    assert_ticks(&t, (double[]){-7, -6, -5, -4, -3, -2}, 6);

    ticks_linear(-0.3, 0.3, 5, 1, &t); /* straddling zero: 0 exactly */
    assert_ticks(&t, (double[]){-0.4, -0.2, 0, 0.2, 0.4}, 5);
    assert_true(t.v[2] == 0);

    ticks_linear(NAN, 1, 5, 1, &t); /* non-finite: [0, 1] */
    assert_near(t.lo, 0, 1e-12);
    assert_near(t.hi, 1, 1e-12);

    ticks_linear(1e9, 1e9 + 1, 5, 1, &t); /* tiny range on a large offset */
    assert_true(t.n >= 2 && t.n <= TICKS_MAX);
}

static void test_ticks_log(void **state)
{
    (void)state;
    ticks t;
    char buf[32];
    ticks_log(1, 1e6, 6, 1, &t);
    assert_ticks(&t, (double[]){1, 10, 100, 1e3, 1e4, 1e5, 1e6}, 7);
    ticks_format(&t, 1e6, buf, sizeof buf);
    assert_string_equal(buf, "1e6");
    ticks_format(&t, 100, buf, sizeof buf);
    assert_string_equal(buf, "100");
    ticks_format(&t, 1e-4, buf, sizeof buf);
    assert_string_equal(buf, "1e-4");

    ticks_log(1, 1e12, 5, 1, &t); /* every third decade */
    assert_ticks(&t, (double[]){1, 1e3, 1e6, 1e9, 1e12}, 5);

    ticks_log(3, 700, 6, 1, &t); /* loose: widened to whole decades */
    assert_near(t.lo, 1, 1e-12);
    assert_near(t.hi, 1000, 1e-12);

    ticks_log(5, 300, 6, 0, &t); /* two decades inside only: 1-2-5 */
    assert_ticks(&t, (double[]){5, 10, 20, 50, 100, 200}, 6);
    assert_near(t.lo, 5, 1e-12);

    ticks_log(3, 4, 5, 0, &t); /* narrower than 1-2-5: linear ticks */
    assert_true(t.n >= 2);
    for (int i = 0; i < t.n; i++)
        assert_true(t.v[i] >= 3 && t.v[i] <= 4);
    assert_true(t.log);

    ticks_log(0, 100, 5, 1, &t); /* non-positive lo: repaired, no crash */
    assert_true(t.n >= 2 && t.lo > 0);
    ticks_log(5, 5, 5, 0, &t);
    assert_true(t.n >= 2 && t.lo < 5 && t.hi > 5);
}

/* ---- contour ---- */

static int seg_cmp_y(const void *a, const void *b)
{
    const contour_seg *s = a, *u = b;
    double ya = fmin(s->y0, s->y1), yb = fmin(u->y0, u->y1);
    return (ya > yb) - (ya < yb);
}

static void test_contour_step(void **state)
{
    (void)state;
    /* z = 0 for x <= 2, 1 for x >= 3 on x = 0..4, y = 0..2: the 0.5 line is x = 2.5 */
    double xs[] = {0, 1, 2, 3, 4}, ys[] = {0, 1, 2}, z[15];
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 5; i++)
            z[j * 5 + i] = xs[i] >= 3 ? 1 : 0;
    contour_seg *s;
    size_t n = contour_lines(z, xs, ys, 5, 3, 0.5, &s);
    assert_int_equal(n, 2);
    qsort(s, n, sizeof *s, seg_cmp_y);
    for (size_t k = 0; k < n; k++) {
        assert_near(s[k].x0, 2.5, 1e-12);
        assert_near(s[k].x1, 2.5, 1e-12);
        assert_near(fmin(s[k].y0, s[k].y1), (double)k, 1e-12);
        assert_near(fmax(s[k].y0, s[k].y1), (double)k + 1, 1e-12);
    }
    free(s);

    /* the same step with uneven spacing and level 0.25: x = 2 + 0.25 * (5 - 2) */
    double xu[] = {0, 1, 2, 5, 9};
    n = contour_lines(z, xu, ys, 5, 3, 0.25, &s);
    assert_int_equal(n, 2);
    assert_near(s[0].x0, 2.75, 1e-12);
    free(s);
}

static void test_contour_peak_saddle_nan(void **state)
{
    (void)state;
    double xs[] = {0, 1, 2}, ys[] = {0, 1, 2};
    double peak[] = {0, 0, 0, 0, 1, 0, 0, 0, 0};
    contour_seg *s;
    size_t n = contour_lines(peak, xs, ys, 3, 3, 0.5, &s);
    assert_int_equal(n, 4); /* a diamond through (0.5,1) (1,0.5) (1.5,1) (1,1.5) */
    for (size_t k = 0; k < n; k++) {
        assert_near(fabs(s[k].x0 - 1) + fabs(s[k].y0 - 1), 0.5, 1e-12);
        assert_near(fabs(s[k].x1 - 1) + fabs(s[k].y1 - 1), 0.5, 1e-12);
    }
    free(s);

    double sx[] = {0, 1}, sy[] = {0, 1};
    double saddle[] = {1, 0, 0, 1}; /* a and c inside, centre 0.5 inside: cut around b, d */
    n = contour_lines(saddle, sx, sy, 2, 2, 0.5, &s);
    assert_int_equal(n, 2);
    for (size_t k = 0; k < n; k++) /* each segment joins two edge midpoints next to b or d */
        assert_near(fabs(s[k].x0 - s[k].x1), 0.5, 1e-12);
    free(s);

    double withnan[] = {0, 1, NAN, 1};
    n = contour_lines(withnan, sx, sy, 2, 2, 0.5, &s);
    assert_int_equal(n, 0);
    assert_null(s);
    double flat[] = {1, 1, 1, 1};
    assert_int_equal(contour_lines(flat, sx, sy, 2, 2, 0.5, &s), 0);
}

/* ---- palette ---- */

static void test_palette(void **state)
{
    (void)state;
    for (int a = 0; a < PAL_CLASS_N; a++)
        for (int b = a + 1; b < PAL_CLASS_N; b++) {
            double la = palette_lightness(palette_class(a)),
                   lb = palette_lightness(palette_class(b));
            assert_true(fabs(la - lb) >= 10); /* distinct in greyscale */
        }
    /* stable (bluish green) and overloaded must not be the look-alike vermillion pair */
    assert_near(palette_lightness(palette_okabe_ito(PAL_BLACK)), 0, 1e-9);
    assert_near(palette_lightness((rgb){1, 1, 1}), 100, 1e-6);
    double prev = -1;
    for (int i = 0; i <= 20; i++) { /* viridis gets lighter monotonically */
        double l = palette_lightness(palette_viridis(i / 20.0));
        assert_true(l > prev);
        prev = l;
    }
    assert_string_equal(palette_class_name(PAL_CLASS_METASTABLE), "metastable");
}

/* ---- time and categorical axes, wrapping, print fonts ---- */

static void scratch(chart_fig *f)
{
    chart_scratch(f, 400, 300);
}

static void test_time_axis(void **state)
{
    (void)state;
    char buf[32];
    chart_fmt_duration(0, buf, sizeof buf);
    assert_string_equal(buf, "0 s");
    chart_fmt_duration(30, buf, sizeof buf);
    assert_string_equal(buf, "30 s");
    chart_fmt_duration(120, buf, sizeof buf);
    assert_string_equal(buf, "2 min");
    chart_fmt_duration(5400, buf, sizeof buf);
    assert_string_equal(buf, "1.5 h");
    chart_fig f;
    scratch(&f);
    chart_axis a;
    chart_axis_fit_time(&f, &a, 10, 7200, 400, 1, 8);
    assert_true(a.log && a.t.n >= 3);
    assert_near(a.lo, 10, 1e-12); /* the range is kept */
    assert_near(a.hi, 7200, 1e-12);
    int has_min = 0;
    for (int i = 0; i < a.t.n; i++) {
        assert_true(a.t.v[i] >= 10 && a.t.v[i] <= 7200);
        chart_axis_label(&a, a.t.v[i], buf, sizeof buf);
        has_min |= strcmp(buf, "1 min") == 0 || strcmp(buf, "10 min") == 0;
    }
    assert_true(has_min);
    chart_axis_fit_time(&f, &a, 100, 150, 200, 0, 8); /* narrower than the ladder */
    assert_true(a.t.n >= 2);
    chart_axis_label(&a, a.t.v[0], buf, sizeof buf);
    assert_non_null(strstr(buf, " s"));
    chart_scratch_free(&f);
}

static void test_category_axis(void **state)
{
    (void)state;
    chart_fig f;
    scratch(&f);
    static const char *const cats[] = {"token", "certificate", "none"};
    chart_axis a;
    chart_axis_cats(&f, &a, cats, 3, 300, 1, 8);
    assert_int_equal(a.t.n, 3);
    assert_near(a.lo, -0.5, 1e-12);
    assert_near(a.hi, 2.5, 1e-12);
    assert_false(a.rotate);
    char buf[32];
    chart_axis_label(&a, 1, buf, sizeof buf);
    assert_string_equal(buf, "certificate");
    chart_axis_cats(&f, &a, cats, 3, 60, 1, 8); /* too narrow to stand level: rotated */
    assert_true(a.rotate);
    assert_true(chart_axis_extent(&f, &a, 1) > 20);
    chart_axis_cats(&f, &a, cats, 3, 12, 0, 8); /* vertical and crowded: thinned */
    assert_true(a.t.n < 3);
    chart_scratch_free(&f);
}

static void test_wrap_and_fonts(void **state)
{
    (void)state;
    chart_fig f;
    scratch(&f);
    const char *s = "trigger cache_flush at 600 s \xc2\xb7 class metastable \xc2\xb7 seed 1";
    double one = chart_text_wrap(&f, 0, 0, 1000, s, 10, 0, 0, 0);
    double three = chart_text_wrap(&f, 0, 0, 110, s, 10, 0, 0, 0);
    assert_near(one, 13, 1e-9); /* one line, pitch 1.3 em */
    assert_true(three >= 3 * 13 - 1e-9);
    assert_near(chart_text_wrap(&f, 0, 0, 100, "", 10, 0, 0, 0), 0, 0);
    chart_scratch_free(&f);
    /* print sizes: tick labels and legends never under 7 pt; the screen size unchanged */
    const double widths[] = {235, 330, 470};
    for (size_t i = 0; i < 3; i++) {
        chart_fonts fn = chart_fonts_for(widths[i]);
        assert_true(fn.tick >= 7 && fn.legend >= 7 && fn.panel >= fn.tick);
        assert_true(fn.title <= 13);
    }
    chart_fonts wide = chart_fonts_for(720);
    assert_near(wide.tick, 8, 1e-12);
    assert_near(wide.title, 13, 1e-12);
    assert_near(chart_fonts_for(0).tick, 8, 1e-12);
}

/* ---- label thinning ---- */

static void test_axis_labels_never_collide(void **state)
{
    (void)state;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10);
    chart_fig f = {0};
    f.cr = cairo_create(s);
    const double lengths[] = {40, 80, 160, 400};
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        chart_axis a;
        chart_axis_fit(&f, &a, 0, 123456, 0, 1, 10, lengths[k], 1, 8);
        assert_true(a.t.n >= 2);
        for (int i = 1; i < a.t.n; i++) {
            char l0[48], l1[48];
            ticks_format(&a.t, a.t.v[i - 1], l0, sizeof l0);
            ticks_format(&a.t, a.t.v[i], l1, sizeof l1);
            double gap =
                (chart_axis_frac(&a, a.t.v[i]) - chart_axis_frac(&a, a.t.v[i - 1])) * lengths[k];
            double need = (chart_text_width(&f, l0, 8, 0) + chart_text_width(&f, l1, 8, 0)) / 2;
            if (a.t.n > 2 || k > 0)
                assert_true(gap >= need);
        }
    }
    chart_axis a;
    chart_axis_fit(&f, &a, 0, 1000, 0, 1, 10, 400, 1, 8); /* plenty of room: many ticks */
    assert_true(a.t.n >= 6);
    assert_int_equal(cairo_status(f.cr), CAIRO_STATUS_SUCCESS);
    cairo_destroy(f.cr);
    cairo_surface_destroy(s);
}

/* ---- rendering ---- */

typedef struct tmpdir {
    char path[64];
} tmpdir;

static int setup_dir(void **state)
{
    tmpdir *d = calloc(1, sizeof *d);
    strcpy(d->path, "/tmp/avalanche-plot-XXXXXX");
    if (!mkdtemp(d->path))
        return -1;
    *state = d;
    return 0;
}

static int teardown_dir(void **state)
{
    tmpdir *d = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->path);
    int rc = system(cmd);
    free(d);
    return rc == 0 ? 0 : -1;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, fp);
    fclose(fp);
    buf[got] = '\0';
    *len = got;
    return buf;
}

static int contains(const char *buf, size_t len, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= len; i++)
        if (memcmp(buf + i, needle, m) == 0)
            return 1;
    return 0;
}

/* 1 when base.svg holds s (the labels are in its <desc>). */
static int svg_has(const char *base, const char *s)
{
    char path[256];
    snprintf(path, sizeof path, "%s.svg", base);
    size_t len;
    char *svg = slurp(path, &len);
    assert_non_null(svg);
    int r = contains(svg, len, s);
    free(svg);
    return r;
}

#define assert_svg_has(base, s)                                                                    \
    do {                                                                                           \
        if (!svg_has(base, s))                                                                     \
            fail_msg("%s.svg lacks \"%s\"", base, s);                                              \
    } while (0)
#define assert_svg_lacks(base, s)                                                                  \
    do {                                                                                           \
        if (svg_has(base, s))                                                                      \
            fail_msg("%s.svg has \"%s\"", base, s);                                                \
    } while (0)

/* Checks base.png (w x h px), base.svg (titles as text), base.pdf, and no .tmp left. */
static void check_outputs(const char *base, int w, int h, const char *const *words, int nwords)
{
    char path[256];
    snprintf(path, sizeof path, "%s.png", base);
    cairo_surface_t *png = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(png), w);
    if (h > 0)
        assert_int_equal(cairo_image_surface_get_height(png), h);
    cairo_surface_destroy(png);

    size_t len;
    snprintf(path, sizeof path, "%s.svg", base);
    char *svg = slurp(path, &len);
    assert_non_null(svg);
    assert_true(contains(svg, len, "<svg"));
    assert_true(contains(svg, len, "</svg>"));
    for (int i = 0; i < nwords; i++) {
        if (!contains(svg, len, words[i]))
            print_error("SVG lacks \"%s\"\n", words[i]);
        assert_true(contains(svg, len, words[i]));
    }
    free(svg);

    snprintf(path, sizeof path, "%s.pdf", base);
    char *pdf = slurp(path, &len);
    assert_non_null(pdf);
    assert_true(len > 1000 && memcmp(pdf, "%PDF-", 5) == 0);
    assert_true(contains(pdf, len, "%%EOF"));
    assert_true(contains(pdf, len, "/Title"));
    free(pdf);

    static const char *ext[] = {"png", "svg", "pdf"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s.%s.tmp", base, ext[i]);
        assert_int_not_equal(access(path, F_OK), 0);
    }
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* ---- pixels read back ---- */

typedef struct img {
    cairo_surface_t *s;
    const unsigned char *d;
    int w, h, stride;
} img;

static void img_load(img *m, const char *base)
{
    char path[256];
    snprintf(path, sizeof path, "%s.png", base);
    m->s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(m->s), CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(m->s);
    m->d = cairo_image_surface_get_data(m->s);
    m->w = cairo_image_surface_get_width(m->s);
    m->h = cairo_image_surface_get_height(m->s);
    m->stride = cairo_image_surface_get_stride(m->s);
}

static void img_free(img *m)
{
    cairo_surface_destroy(m->s);
}

typedef struct px {
    int r, g, b;
} px;

static px img_at(const img *m, int x, int y)
{
    assert_true(x >= 0 && x < m->w && y >= 0 && y < m->h);
    uint32_t v;
    memcpy(&v, m->d + (size_t)y * m->stride + 4 * (size_t)x, 4); /* opaque: no premultiply */
    px p = {(int)(v >> 16 & 255), (int)(v >> 8 & 255), (int)(v & 255)};
    return p;
}

static px px_of(rgb c)
{
    px p = {(int)lround(c.r * 255), (int)lround(c.g * 255), (int)lround(c.b * 255)};
    return p;
}

static int px_near(px a, px b, int tol)
{
    return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

/* ---- dashboard ---- */

/* The callers still set up plot_run_info and plot_sweep_info with the first wave's positional
 * initialisers; the tests below do the same where it matters that they keep working (and the
 * fields added since are zero). GCC's -Wextra would flag the fields left out. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static void test_dashboard(void **state)
{
    tmpdir *d = *state;
    char base[128];
    snprintf(base, sizeof base, "%s/timeseries", d->path);
    plot_run_info info = {.title = "Kubernetes 1.12 incident: 5000 nodes",
                          .subtitle = "trigger cache_flush at 600 s \xc2\xb7 class metastable "
                                      "\xc2\xb7 recovery none",
                          .mutating_cap = 200,
                          .readonly_cap = 400,
                          .trigger_start_s = 600,
                          .trigger_end_s = 630};
    err e = {0};
    int rc = plot_dashboard(FIXTURES "timeseries.csv", base,
                            PLOT_FMT_PNG | PLOT_FMT_SVG | PLOT_FMT_PDF, &info, &e);
    if (rc != 0)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
    const char *words[] = {"<title>Kubernetes 1.12 incident: 5000 nodes</title>",
                           "time (s)",
                           "mutating cap 200",
                           "(d) Cache hit ratios",
                           "NotReady (nodes)",
                           "recovery none",
                           "requests in flight",
                           "unhealthy"};
    check_outputs(base, 2 * PLOT_DASHBOARD_W, 2 * PLOT_DASHBOARD_H, words, 8);
    /* the first wave's positional fields alone: no thresholds, marks or print size */
    assert_svg_lacks(base, "health minimum");

    /* a trigger without duration and no caps; only the SVG */
    plot_run_info bare = {"bare", NULL, NAN, NAN, 600, 600};
    snprintf(base, sizeof base, "%s/bare", d->path);
    assert_int_equal(plot_dashboard(FIXTURES "timeseries.csv", base, PLOT_FMT_SVG, &bare, &e), 0);
    char path[160];
    snprintf(path, sizeof path, "%s.svg", base);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s.png", base);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(base, sizeof base, "%s/null-info", d->path);
    assert_int_equal(plot_dashboard(FIXTURES "timeseries.csv", base, PLOT_FMT_PNG, NULL, &e), 0);
}

/* Sparse inputs draw empty panels rather than failing: missing columns, one row, no rows,
 * all-empty fields, all zeros (a log panel of zeros). */
static void test_dashboard_sparse(void **state)
{
    tmpdir *d = *state;
    static const char *csv[] = {
        "t\n1\n2\n",
        "t,apiserver_current_inflight_requests_mutating\n5,3\n",
        "t,tokenreviews_per_s,loopback_wait_s\n",
        "t,tokenreviews_per_s,loopback_queue_length\n1,,\n2,,\n",
        "t,tokenreviews_per_s,token_cache_hit_ratio,not_ready_nodes\n1,0,0,0\n2,0,0,0\n",
        "t,healthy,outstanding_work\n1,0,\n2,,5\n3,1,7\n",
    };
    plot_run_info info = {"sparse", "", 200, 400, NAN, NAN};
    for (size_t i = 0; i < sizeof csv / sizeof csv[0]; i++) {
        char path[160], base[160];
        snprintf(path, sizeof path, "%s/sparse%zu.csv", d->path, i);
        snprintf(base, sizeof base, "%s/sparse%zu", d->path, i);
        write_text(path, csv[i]);
        err e = {0};
        int rc = plot_dashboard(path, base, PLOT_FMT_PNG | PLOT_FMT_SVG, &info, &e);
        if (rc != 0)
            print_error("%s: %s\n", csv[i], e.msg);
        assert_int_equal(rc, 0);
        assert_svg_has(base, "no data");
    }
}

/* Bug: panel (b) switched between a linear and a log axis from run to run (log only when the
 * peaks differed by more than 20x), so two runs' charts could not be compared. Now always log. */
static void test_dashboard_rates_scale_fixed(void **state)
{
    tmpdir *d = *state;
    char close[160], far[160], b1[160], b2[160];
    snprintf(close, sizeof close, "%s/close.csv", d->path);
    snprintf(far, sizeof far, "%s/far.csv", d->path);
    /* peaks 50 and 10 per s (the old rule: linear), 5000 and 2 per s (the old rule: log) */
    write_text(close, "t,tokenreviews_per_s,apiserver_dropped_requests_mutating_per_s\n"
                      "1,50,10\n2,40,8\n3,45,9\n");
    write_text(far, "t,tokenreviews_per_s,apiserver_dropped_requests_mutating_per_s\n"
                    "1,5000,2\n2,4000,1\n3,4500,2\n");
    snprintf(b1, sizeof b1, "%s/close", d->path);
    snprintf(b2, sizeof b2, "%s/far", d->path);
    err e = {0};
    assert_int_equal(plot_dashboard(close, b1, PLOT_FMT_SVG, NULL, &e), 0);
    assert_int_equal(plot_dashboard(far, b2, PLOT_FMT_SVG, NULL, &e), 0);
    assert_svg_has(b1, "(b) Request rates (log scale");
    assert_svg_has(b2, "(b) Request rates (log scale");
    assert_svg_lacks(b1, "(b) Request rates (per s)");
}

/* Bug: panel (b) drew TokenReview 504s plus every other request's 504s as one line labelled
 * "504 timed out"; panel (c) drew the loopback queue and wait, proportional by Little's law, on
 * top of each other. Now each 504 count has its own labelled line, and (c) shows the
 * outstanding work the stability trend test judges (the backlog for older files). */
static void test_dashboard_series_labelled(void **state)
{
    tmpdir *d = *state;
    char base[160];
    snprintf(base, sizeof base, "%s/labelled", d->path);
    err e = {0};
    assert_int_equal(plot_dashboard(FIXTURES "timeseries.csv", base, PLOT_FMT_SVG, NULL, &e), 0);
    assert_svg_has(base, "TokenReviews/s");
    assert_svg_has(base, "429s/s (all requests)");
    assert_svg_has(base, "TokenReview 504s/s (create/filter timeout)");
    assert_svg_has(base, "other requests' 504s/s");
    assert_svg_lacks(base, "504 timed out");
}

static void test_dashboard_outstanding(void **state)
{
    tmpdir *d = *state;
    char base[160], csv[160];
    snprintf(base, sizeof base, "%s/work", d->path);
    err e = {0};
    assert_int_equal(plot_dashboard(FIXTURES "timeseries.csv", base, PLOT_FMT_SVG, NULL, &e), 0);
    assert_svg_has(base, "(c) Outstanding work");
    assert_svg_has(base, "SA validations");
    assert_svg_lacks(base, "wait (right axis)");
    /* an older file: the loopback backlog with the orphaned validations */
    snprintf(csv, sizeof csv, "%s/old.csv", d->path);
    write_text(csv, "t,loopback_queue_length,loopback_wait_s,orphaned_validations\n"
                    "1,0,0,0\n2,50,1,10\n3,100,2,30\n");
    snprintf(base, sizeof base, "%s/backlog", d->path);
    assert_int_equal(plot_dashboard(csv, base, PLOT_FMT_SVG, NULL, &e), 0);
    assert_svg_has(base, "loopback backlog");
    assert_svg_has(base, "orphaned validations");
    assert_svg_lacks(base, "wait (right axis)");
}

/* A missing or empty column leaves its series (and legend key) out without an error. */
static void test_dashboard_missing_columns(void **state)
{
    tmpdir *d = *state;
    char csv[160], base[160];
    snprintf(csv, sizeof csv, "%s/hb.csv", d->path);
    write_text(csv, "t,heartbeat_success_ratio,sa_success_ratio,healthy\n"
                    "1,1,,1\n2,0.5,,0\n3,0.2,,0\n4,1,,1\n");
    snprintf(base, sizeof base, "%s/hb", d->path);
    plot_run_info info = {.trigger_start_s = NAN,
                          .trigger_end_s = NAN,
                          .min_heartbeat_success = 0.99,
                          .min_scrape_success = 0.95,
                          .min_sa_success = 0.99};
    err e = {0};
    assert_int_equal(plot_dashboard(csv, base, PLOT_FMT_SVG | PLOT_FMT_PNG, &info, &e), 0);
    assert_svg_has(base, "heartbeats");
    assert_svg_lacks(base, "metrics scrapes");
    assert_svg_lacks(base, "SA clients"); /* the column is there but empty */
    assert_svg_has(base, "unhealthy");
    assert_svg_has(base, "health minimum 0.99"); /* only the heartbeat threshold applies */
    assert_svg_lacks(base, "scrape minimum");
    assert_svg_has(base, "no data"); /* the panels of the columns not in the file */
    /* different thresholds for series that all have data: one line each */
    snprintf(csv, sizeof csv, "%s/all.csv", d->path);
    write_text(csv, "t,heartbeat_success_ratio,scrape_success_ratio,sa_success_ratio\n"
                    "1,1,1,1\n2,0.5,0.4,0.9\n");
    snprintf(base, sizeof base, "%s/all", d->path);
    assert_int_equal(plot_dashboard(csv, base, PLOT_FMT_SVG, &info, &e), 0);
    assert_svg_has(base, "heartbeat minimum 0.99");
    assert_svg_has(base, "scrape minimum 0.95");
    assert_svg_has(base, "SA clients minimum 0.99");
}

static void test_interventions(void **state)
{
    tmpdir *d = *state;
    err e = {0};
    plot_mark *m;
    int n = plot_read_interventions(FIXTURES "interventions.csv", &m, &e);
    if (n < 0)
        print_error("%s\n", e.msg);
    assert_int_equal(n, 3);
    assert_near(m[0].at_s, 1200, 0);
    assert_string_equal(m[0].label,
                        "apiserver.max_mutating_requests_inflight = 2000 \xc2\xb7 not recovered");
    assert_string_equal(m[1].label, "apiserver_restart 30 s \xc2\xb7 recovered in 85.5 s");
    /* quoted: a comma and doubled quotes inside */
    assert_string_equal(
        m[2].label, "metrics_server.auth = \"certificate\", restarted \xc2\xb7 recovered in 12 s");
    char base[160];
    snprintf(base, sizeof base, "%s/marks", d->path);
    plot_run_info info = {
        .title = "marks", .trigger_start_s = 600, .trigger_end_s = 600, .marks = m, .n_marks = n};
    assert_int_equal(plot_dashboard(FIXTURES "timeseries.csv", base, PLOT_FMT_SVG, &info, &e), 0);
    assert_svg_has(base, "apiserver_restart 30 s");
    assert_svg_lacks(base, "Interventions:"); /* room for the labels themselves */
    /* at 235 pt the labels do not fit beside their markers: numbers and a key */
    info.width_pt = 235;
    snprintf(base, sizeof base, "%s/marks-narrow", d->path);
    assert_int_equal(plot_dashboard(FIXTURES "timeseries.csv", base, PLOT_FMT_SVG, &info, &e), 0);
    assert_svg_has(base, "Interventions: 1 at 1200 s: apiserver.max_mutating");
    plot_marks_free(m, n);

    /* a missing file is no interventions; a malformed one names its line */
    char csv[160];
    snprintf(csv, sizeof csv, "%s/none.csv", d->path);
    assert_int_equal(plot_read_interventions(csv, &m, &e), 0);
    assert_null(m);
    plot_marks_free(NULL, 0);
    write_text(csv, "index,at,what,recovered,recovery_time\n0,10,\"a, b\",1,2\n1,20,x\n");
    assert_int_equal(plot_read_interventions(csv, &m, &e), -1);
    assert_non_null(strstr(e.msg, "none.csv:3: expected 5 fields (got 3)"));
    err_clear(&e);
    write_text(csv, "index,what\n0,x\n");
    assert_int_equal(plot_read_interventions(csv, &m, &e), -1);
    assert_non_null(strstr(e.msg, "no column 'at'"));
    err_clear(&e);
    write_text(csv, "index,at,what,recovered,recovery_time\n");
    assert_int_equal(plot_read_interventions(csv, &m, &e), 0);
    write_text(csv, "index,at,what,recovered,recovery_time\r\n0,10,x,1,2\r\n1,20,\"y\",,\r\n");
    assert_int_equal(plot_read_interventions(csv, &m, &e), 2);
    assert_string_equal(m[0].label, "x \xc2\xb7 recovered in 2 s");
    assert_string_equal(m[1].label, "y");
    plot_marks_free(m, 2);
}

/* ---- compare ---- */

static void test_compare(void **state)
{
    tmpdir *d = *state;
    char old[160], base[160];
    snprintf(old, sizeof old, "%s/old.csv", d->path);
    /* a run without the second wave's columns: its outstanding work is the backlog, and it has
     * no scrape column (left out of that panel, not an error) */
    write_text(old, "t,apiserver_current_inflight_requests_mutating,loopback_queue_length,"
                    "heartbeat_success_ratio\n300,10,0,1\n600,200,500,0.5\n900,200,900,0.2\n");
    const char *files[] = {FIXTURES "timeseries.csv", old, FIXTURES "timeseries.csv"};
    const char *labels[] = {"k8s 1.12", "old run", "inflight 400"};
    double caps[] = {200, 200, 400};
    plot_compare_info info = {.title = "Mitigations",
                              .mutating_caps = caps,
                              .trigger_start_s = 600,
                              .trigger_end_s = 600};
    snprintf(base, sizeof base, "%s/compare", d->path);
    err e = {0};
    int rc =
        plot_compare(files, labels, 3, base, PLOT_FMT_PNG | PLOT_FMT_SVG | PLOT_FMT_PDF, &info, &e);
    if (rc != 0)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
    const char *words[] = {"k8s 1.12",
                           "old run",
                           "inflight 400",
                           "(f) NotReady nodes",
                           "cap 200 (k8s 1.12, old run)",
                           "cap 400 (inflight 400)",
                           "loopback backlog"};
    check_outputs(base, 2 * PLOT_COMPARE_W, 2 * PLOT_COMPARE_H, words, 7);
    /* every run is drawn: each run's colour covers a good number of pixels */
    img m;
    img_load(&m, base);
    const int colour[] = {PAL_VERMILLION, PAL_BLUE};
    for (int k = 0; k < 2; k++) {
        px c = px_of(palette_okabe_ito(colour[k]));
        int n = 0;
        for (int y = 0; y < m.h; y++)
            for (int x = 0; x < m.w; x++)
                n += px_near(img_at(&m, x, y), c, 2);
        if (n < 300)
            fail_msg("run %d: %d pixels of its colour", k + 1, n);
    }
    img_free(&m);
    /* NULL info and labels */
    assert_int_equal(plot_compare(files, NULL, 1, base, PLOT_FMT_SVG, NULL, &e), 0);
    assert_svg_has(base, "run 1");
    /* 0 runs, too many runs, a missing file */
    assert_int_equal(plot_compare(files, labels, 0, base, PLOT_FMT_SVG, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "expected 1 to 8 runs"));
    err_clear(&e);
    const char *nine[9];
    for (int i = 0; i < 9; i++)
        nine[i] = files[0];
    assert_int_equal(plot_compare(nine, NULL, 9, base, PLOT_FMT_SVG, NULL, &e), -1);
    err_clear(&e);
    const char *missing[] = {files[0], FIXTURES "missing.csv"};
    assert_int_equal(plot_compare(missing, labels, 2, base, PLOT_FMT_SVG, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "missing.csv"));
}

/* ---- stability map ---- */

static void test_stability_map(void **state)
{
    tmpdir *d = *state;
    char base[128];
    snprintf(base, sizeof base, "%s/stability", d->path);
    plot_sweep_info info = {"Stability regions: cluster size x kubelet cache TTL",
                            "10 replications per point; adaptive refinement level 1",
                            "cluster size (nodes)",
                            "kubelet webhook cache TTL (s)",
                            0,
                            1};
    err e = {0};
    int rc = plot_stability(FIXTURES "regions2.csv", base,
                            PLOT_FMT_PNG | PLOT_FMT_SVG | PLOT_FMT_PDF, &info, &e);
    if (rc != 0)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
    const char *words[] = {"cluster size (nodes)", "kubelet webhook cache TTL (s)", "50 % contours",
                           "metastable"};
    check_outputs(base, 2 * PLOT_MAP_W, 2 * PLOT_MAP_H, words, 4);
}

static void test_sweep_one_axis(void **state)
{
    tmpdir *d = *state;
    char base[128];
    snprintf(base, sizeof base, "%s/sweep1", d->path);
    plot_sweep_info info = {"Outcome probability against cluster size",
                            "kubelet webhook cache TTL 60 s; 20 replications per point",
                            "cluster size (nodes)",
                            NULL,
                            0,
                            0};
    err e = {0};
    int rc = plot_stability(FIXTURES "regions1.csv", base,
                            PLOT_FMT_PNG | PLOT_FMT_SVG | PLOT_FMT_PDF, &info, &e);
    if (rc != 0)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
    const char *words[] = {"cluster size (nodes)", "probability of class", "95 % Clopper-Pearson"};
    check_outputs(base, 2 * PLOT_SWEEP1_W, 2 * PLOT_SWEEP1_H, words, 3);

    info.x_log = 1; /* a log x axis on the same data */
    snprintf(base, sizeof base, "%s/sweep1-log", d->path);
    assert_int_equal(plot_stability(FIXTURES "regions1.csv", base, PLOT_FMT_PNG, &info, &e), 0);
}

/* E: at its print size a chart keeps 7 pt labels and fits: nothing is drawn in the outermost
 * pixels (text running off the edge would be). */
static void assert_margins_clear(const char *base, int w_px)
{
    img m;
    img_load(&m, base);
    assert_int_equal(m.w, w_px);
    px white = {255, 255, 255};
    for (int y = 0; y < m.h; y++)
        for (int k = 0; k < 3; k++)
            if (!px_near(img_at(&m, k, y), white, 0) ||
                !px_near(img_at(&m, m.w - 1 - k, y), white, 0))
                fail_msg("%s.png: ink at the left or right edge, row %d", base, y);
    for (int x = 0; x < m.w; x++)
        for (int k = 0; k < 3; k++)
            if (!px_near(img_at(&m, x, k), white, 0) ||
                !px_near(img_at(&m, x, m.h - 1 - k), white, 0))
                fail_msg("%s.png: ink at the top or bottom edge, column %d", base, x);
    img_free(&m);
}

static void test_print_size(void **state)
{
    tmpdir *d = *state;
    plot_mark marks[] = {{1200, "apiserver.max_mutating_requests_inflight = 2000"},
                         {1500, "apiserver_restart 30 s"}};
    const double widths[] = {470, 235};
    for (int i = 0; i < 2; i++) {
        double w = widths[i];
        char base[160];
        err e = {0};
        plot_run_info run = {.title = "Kubernetes 1.12 incident: 5000 nodes, loopback SA lookup",
                             .subtitle = "trigger cache_flush at 600 s \xc2\xb7 class metastable",
                             .mutating_cap = 200,
                             .readonly_cap = 400,
                             .trigger_start_s = 600,
                             .trigger_end_s = 600,
                             .min_heartbeat_success = 0.99,
                             .marks = marks,
                             .n_marks = 2,
                             .width_pt = w};
        snprintf(base, sizeof base, "%s/dash-%g", d->path, w);
        assert_int_equal(plot_dashboard(FIXTURES "timeseries.csv", base, PLOT_FMT_PNG, &run, &e),
                         0);
        assert_margins_clear(base, (int)(2 * w));
        run.height_pt = 400; /* both given: exactly that size */
        assert_int_equal(plot_dashboard(FIXTURES "timeseries.csv", base, PLOT_FMT_PNG, &run, &e),
                         0);
        img m;
        img_load(&m, base);
        assert_int_equal(m.h, 800);
        img_free(&m);

        const char *files[] = {FIXTURES "timeseries.csv", FIXTURES "timeseries.csv"};
        const char *labels[] = {"k8s 1.12", "mutating inflight 400"};
        plot_compare_info cmp = {.title = "Mitigations against the 1.12 incident", .width_pt = w};
        snprintf(base, sizeof base, "%s/compare-%g", d->path, w);
        assert_int_equal(plot_compare(files, labels, 2, base, PLOT_FMT_PNG, &cmp, &e), 0);
        assert_margins_clear(base, (int)(2 * w));
    }
}

static void test_failures(void **state)
{
    tmpdir *d = *state;
    err e = {0};
    int rc = plot_dashboard(FIXTURES "timeseries.csv", "/nonexistent-avalanche/x",
                            PLOT_FMT_PNG | PLOT_FMT_SVG, NULL, &e);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, "/nonexistent-avalanche/x.png"));
    err_clear(&e);
    rc =
        plot_stability(FIXTURES "regions2.csv", "/nonexistent-avalanche/y", PLOT_FMT_SVG, NULL, &e);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, "/nonexistent-avalanche/y.svg"));
    err_clear(&e);
    rc =
        plot_stability(FIXTURES "regions2.csv", "/nonexistent-avalanche/z", PLOT_FMT_PDF, NULL, &e);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, "/nonexistent-avalanche/z.pdf"));

    char base[128];
    snprintf(base, sizeof base, "%s/none", d->path);
    err_clear(&e);
    assert_int_equal(plot_dashboard(FIXTURES "missing.csv", base, PLOT_FMT_PNG, NULL, &e), -1);
    assert_non_null(strstr(e.msg, FIXTURES "missing.csv"));
    err_clear(&e);
    /* a timeseries is not a regions file */
    assert_int_equal(plot_stability(FIXTURES "timeseries.csv", base, PLOT_FMT_PNG, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "no column 'x'"));
    err_clear(&e);
    /* log axis on data with non-positive cell edges */
    plot_sweep_info bad = {"t", NULL, "x", "y", 1, 0};
    char csv[160];
    snprintf(csv, sizeof csv, "%s/neg.csv", d->path);
    write_text(csv, "x,y,x_lo,x_hi,y_lo,y_hi,p_stable,p_stable_lo,p_stable_hi,p_metastable,"
                    "p_metastable_lo,p_metastable_hi,p_overloaded,p_overloaded_lo,p_overloaded_hi,"
                    "majority\n0,,-1,1,,,1,0.5,1,0,0,0.5,0,0,0.5,stable\n");
    assert_int_equal(plot_stability(csv, base, PLOT_FMT_PNG, &bad, &e), -1);
    assert_non_null(strstr(e.msg, "log x axis"));
}

#pragma GCC diagnostic pop

/* LeakSanitizer hook (ignored without it): fontconfig keeps its configuration for the life of
 * the process and only FcFini, which cairo does not call, frees it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

#define WITH_DIR(t) cmocka_unit_test_setup_teardown(t, setup_dir, teardown_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks_linear),
        cmocka_unit_test(test_ticks_degenerate_and_negative),
        cmocka_unit_test(test_ticks_log),
        cmocka_unit_test(test_contour_step),
        cmocka_unit_test(test_contour_peak_saddle_nan),
        cmocka_unit_test(test_palette),
        cmocka_unit_test(test_axis_labels_never_collide),
        cmocka_unit_test(test_time_axis),
        cmocka_unit_test(test_category_axis),
        cmocka_unit_test(test_wrap_and_fonts),
        WITH_DIR(test_dashboard),
        WITH_DIR(test_dashboard_sparse),
        WITH_DIR(test_dashboard_rates_scale_fixed),
        WITH_DIR(test_dashboard_series_labelled),
        WITH_DIR(test_dashboard_outstanding),
        WITH_DIR(test_dashboard_missing_columns),
        WITH_DIR(test_interventions),
        WITH_DIR(test_compare),
        WITH_DIR(test_stability_map),
        WITH_DIR(test_sweep_one_axis),
        WITH_DIR(test_print_size),
        WITH_DIR(test_failures),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    /* release cairo's font and surface caches so LeakSanitizer sees no false leaks */
    cairo_debug_reset_static_data();
    return failed;
}
