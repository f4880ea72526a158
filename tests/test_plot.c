/* test_plot: nice ticks, time and categorical axes, marching squares, palette, label thinning,
 * text wrapping, and rendering every chart from the fixtures in tests/data/plot (and small
 * inline ones) to PNG, SVG and PDF: status, pixel size, searchable labels, no temp files left,
 * unwritable output, and pixels read back where a chart used to mislead (textures over cells of
 * another class, scales that switched, series summed without a label). */
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
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    assert_int_equal(PAL_CLASS_N, 4);
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
    assert_string_equal(palette_class_name(PAL_CLASS_UNRESOLVED), "unresolved");
    prev = 101; /* the recovery scale darkens as recovery takes longer */
    for (int i = 0; i <= 20; i++) {
        double l = palette_lightness(palette_recovery(i / 20.0));
        assert_true(l < prev);
        prev = l;
    }
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

/* s in PDF text: literal, or as the UTF-16BE hex string cairo writes for non-ASCII metadata. */
static int pdf_has(const char *pdf, size_t len, const char *s)
{
    if (contains(pdf, len, s))
        return 1;
    char hex[512] = "";
    for (size_t i = 0; s[i] && strlen(hex) + 5 < sizeof hex; i++)
        snprintf(hex + strlen(hex), sizeof hex - strlen(hex), "00%02X", (unsigned char)s[i]);
    return contains(pdf, len, hex);
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

static double px_lightness(px p)
{
    return palette_lightness((rgb){p.r / 255.0, p.g / 255.0, p.b / 255.0});
}

/* First and last x of row y with colour c; 0 when none. */
static int row_extent(const img *m, int y, px c, int *x0, int *x1)
{
    *x0 = *x1 = -1;
    for (int x = 0; x < m->w; x++)
        if (px_near(img_at(m, x, y), c, 1)) {
            if (*x0 < 0)
                *x0 = x;
            *x1 = x;
        }
    return *x0 >= 0;
}

static int col_extent(const img *m, int x, px c, int *y0, int *y1)
{
    *y0 = *y1 = -1;
    for (int y = 0; y < m->h; y++)
        if (px_near(img_at(m, x, y), c, 1)) {
            if (*y0 < 0)
                *y0 = y;
            *y1 = y;
        }
    return *y0 >= 0;
}

/* Data to pixels for a panel whose plot area is [X0, X1] x [Y0, Y1] in px, showing
 * [0, xmax] x [0, ymax]. */
typedef struct frame {
    double X0, X1, Y0, Y1, xmax, ymax;
} frame;

static int fx(const frame *f, double x)
{
    return (int)lround(f->X0 + x / f->xmax * (f->X1 - f->X0));
}

static int fy(const frame *f, double y)
{
    return (int)lround(f->Y1 - y / f->ymax * (f->Y1 - f->Y0));
}

/* Pixels of the box [x0, x1] x [y0, y1] (data) equal to c, and the box's pixel count. */
static int count_box(const img *m, const frame *f, double x0, double x1, double y0, double y1, px c,
                     int tol, int *total)
{
    int n = 0, t = 0;
    for (int y = fy(f, y1); y <= fy(f, y0); y++)
        for (int x = fx(f, x0); x <= fx(f, x1); x++, t++)
            n += px_near(img_at(m, x, y), c, tol);
    *total = t;
    return n;
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
    plot_mark marks[] = {{1200, "apiserver_restart 30 s"}};
    plot_compare_info info = {.title = "Mitigations",
                              .mutating_caps = caps,
                              .trigger_start_s = 600,
                              .trigger_end_s = 600,
                              .marks = marks,
                              .n_marks = 1};
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
                           "loopback backlog",
                           "apiserver_restart 30 s"};
    check_outputs(base, 2 * PLOT_COMPARE_W, 2 * PLOT_COMPARE_H, words, 8);
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

/* A refined map in miniature on [0, 4] x [0, 2]: a coarse metastable point (1) whose cell has
 * been refined, its middle now owned by a finer stable point (2) and the rest by point 1 as
 * four rectangles; stable points 0 (two rectangles, one point), 3 and 4 around it. regions.csv
 * also carries the first wave's x_lo..y_hi columns (point 1's coarse cell whole). */
static const char *const MINI_REGIONS =
    "point,level,x,y,z,x_lo,x_hi,y_lo,y_hi,replications,n_stable,n_metastable,n_overloaded,"
    "n_unresolved,p_stable,p_stable_lo,p_stable_hi,p_metastable,p_metastable_lo,p_metastable_hi,"
    "p_overloaded,p_overloaded_lo,p_overloaded_hi,p_unresolved,p_unresolved_lo,p_unresolved_hi,"
    "majority,n_recovered,recovery_median,recovery_lo,recovery_hi\n"
    "0,0,0.5,1,,0,1,0,2,10,10,0,0,0,1,0.7,1,0,0,0.3,0,0,0.3,0,0,0.3,stable,10,0,0,0\n"
    "1,0,2,1,,1,3,0,2,10,0,10,0,0,0,0,0.3,1,0.7,1,0,0,0.3,0,0,0.3,metastable,0,,,\n"
    "2,1,2,1,,1.2,2.8,0.2,1.8,10,10,0,0,0,1,0.7,1,0,0,0.3,0,0,0.3,0,0,0.3,stable,10,30,20,40\n"
    "3,0,3.5,0.5,,3,4,0,1,10,10,0,0,0,1,0.7,1,0,0,0.3,0,0,0.3,0,0,0.3,stable,10,0,0,0\n"
    "4,0,3.5,1.5,,3,4,1,2,10,10,0,0,0,1,0.7,1,0,0,0.3,0,0,0.3,0,0,0.3,stable,10,0,0,0\n";
static const char *const MINI_CELLS = "point,x_lo,x_hi,y_lo,y_hi\n"
                                      "0,0,1,0,1\n"
                                      "0,0,1,1,2\n"
                                      "1,1,1.2,0,2\n"
                                      "1,2.8,3,0,2\n"
                                      "1,1.2,2.8,0,0.2\n"
                                      "1,1.2,2.8,1.8,2\n"
                                      "2,1.2,2.8,0.2,1.8\n"
                                      "3,3,4,0,1\n"
                                      "4,3,4,1,2\n";

/* The plot area of a map whose left and right columns are stable at full probability. */
static void mini_frame(const img *m, frame *f, double xmax, double ymax, px c)
{
    int x0, x1, y0, y1;
    assert_true(row_extent(m, m->h / 2, c, &x0, &x1));
    assert_true(col_extent(m, x0 + 6, c, &y0, &y1));
    /* the frame's line covers the outermost pixel */
    *f = (frame){x0 - 1, x1 + 1, y0 - 1, y1 + 1, xmax, ymax};
    assert_true(f->X1 - f->X0 > 200 && f->Y1 - f->Y0 > 100);
}

static void render_mini(const tmpdir *d, const char *name, int with_cells, int mode, char *base,
                        size_t n)
{
    char regions[160], cells[160];
    snprintf(regions, sizeof regions, "%s/%s-regions.csv", d->path, name);
    snprintf(cells, sizeof cells, "%s/%s-cells.csv", d->path, name);
    write_text(regions, MINI_REGIONS);
    write_text(cells, MINI_CELLS);
    snprintf(base, n, "%s/%s", d->path, name);
    plot_sweep_info info = {.title = "mini",
                            .x_label = "x",
                            .y_label = "y",
                            .mode = mode,
                            .cells_csv = with_cells ? cells : "/nonexistent-avalanche/cells.csv"};
    err e = {0};
    int rc = plot_stability(regions, base, PLOT_FMT_PNG | PLOT_FMT_SVG, &info, &e);
    if (rc != 0)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
}

/* Bug: the metastable texture was stroked over every metastable cell after all cells were
 * filled, so finer stable cells painted over a coarse metastable one came out textured: a
 * hatched green in no legend entry that reads as metastable in greyscale. Now each cell is
 * filled and textured together; with cells.csv or from the old columns alike. */
static void test_map_no_texture_over_finer_cells(void **state)
{
    tmpdir *d = *state;
    for (int with_cells = 1; with_cells >= 0; with_cells--) {
        char base[160];
        render_mini(d, with_cells ? "refined" : "refined-old", with_cells, PLOT_MAP_CLASS, base,
                    sizeof base);
        img m;
        img_load(&m, base);
        px green = px_of(palette_class(PAL_CLASS_STABLE));
        px orange = px_of(palette_class(PAL_CLASS_METASTABLE));
        frame f;
        mini_frame(&m, &f, 4, 2, green);
        int total;
        /* inside the fine stable cell: the stable colour and nothing else */
        int n = count_box(&m, &f, 1.7, 2.3, 0.7, 1.3, green, 1, &total);
        if (n != total)
            fail_msg("%s: %d of %d pixels of the fine stable cell are not stable green",
                     with_cells ? "cells.csv" : "old columns", total - n, total);
        /* the coarse metastable point's strip: orange with its texture */
        n = count_box(&m, &f, 1.04, 1.16, 0.2, 1.8, orange, 1, &total);
        assert_true(n > total / 3 && n < total);
        img_free(&m);
    }
}

/* Cell edges are the partition's own: between two points, never between two rectangles of one
 * point (point 0 owns [0, 1] x [0, 1] and [0, 1] x [1, 2]; points 3 and 4 meet at y = 1). */
static void test_map_partition_edges(void **state)
{
    tmpdir *d = *state;
    char base[160];
    render_mini(d, "edges", 1, PLOT_MAP_CLASS, base, sizeof base);
    img m;
    img_load(&m, base);
    px green = px_of(palette_class(PAL_CLASS_STABLE));
    frame f;
    mini_frame(&m, &f, 4, 2, green);
    int inner = 1, between = 1;
    for (int y = fy(&f, 1) - 2; y <= fy(&f, 1) + 2; y++) {
        inner &= px_near(img_at(&m, fx(&f, 0.5), y), green, 1);
        between &= px_near(img_at(&m, fx(&f, 3.5), y), green, 1);
    }
    assert_true(inner);    /* no edge inside point 0 */
    assert_false(between); /* a thin light edge between points 3 and 4 */
    img_free(&m);
}

/* Recovery mode: stable cells by median recovery on a log scale (0 s at the floor), other
 * majorities as textured fills. On [0, 7] x [0, 1]: recovery 0, 30, 100 and 300 s, then a
 * metastable, an unresolved and an overloaded cell. */
static void test_map_recovery(void **state)
{
    tmpdir *d = *state;
    char regions[160], cells[160], base[160];
    snprintf(regions, sizeof regions, "%s/rec-regions.csv", d->path);
    snprintf(cells, sizeof cells, "%s/rec-cells.csv", d->path);
    write_text(regions,
               "point,level,x,y,z,replications,p_stable,p_metastable,p_overloaded,p_unresolved,"
               "majority,n_recovered,recovery_median,recovery_lo,recovery_hi\n"
               "0,0,0.5,0.5,,10,1,0,0,0,stable,10,0,0,0\n"
               "1,0,1.5,0.5,,10,1,0,0,0,stable,10,30,20,40\n"
               "2,0,2.5,0.5,,10,1,0,0,0,stable,10,100,80,120\n"
               "3,0,3.5,0.5,,10,0.6,0.4,0,0,stable,6,300,200,400\n"
               "4,0,4.5,0.5,,10,0,1,0,0,metastable,0,,,\n"
               "5,0,5.5,0.5,,10,0.2,0,0,0.8,unresolved,2,500,,\n"
               "6,0,6.5,0.5,,10,0,0,1,0,overloaded,0,,,\n");
    char text[512] = "point,x_lo,x_hi,y_lo,y_hi\n";
    for (int i = 0; i < 7; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%d,%d,%d,0,1\n", i, i, i + 1);
    write_text(cells, text);
    snprintf(base, sizeof base, "%s/recovery", d->path);
    plot_sweep_info info = {.title = "recovery",
                            .x_label = "x",
                            .y_label = "y",
                            .mode = PLOT_MAP_RECOVERY,
                            .recovery_window_s = 200,
                            .cells_csv = cells};
    err e = {0};
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_PNG | PLOT_FMT_SVG, &info, &e), 0);
    assert_svg_has(base, "median recovery time");
    assert_svg_has(base, "0 s (no outage)");
    assert_svg_has(base, "unresolved");
    img m;
    img_load(&m, base);
    px floor_c = px_of(palette_recovery(0)), top_c = px_of(palette_recovery(1));
    int x0, x1, y0, y1;
    /* cells 0 (0 s: clamped to the floor) and 1 (30 s, the shortest) share the floor colour */
    assert_true(row_extent(&m, m.h / 2, floor_c, &x0, &x1));
    assert_true(col_extent(&m, x0 + 6, floor_c, &y0, &y1));
    frame f = {x0 - 1, x0 - 1 + (x1 + 1 - (x0 - 1)) * 3.5, y0 - 1, y1 + 1, 7, 1};
    px c0 = img_at(&m, fx(&f, 0.5), fy(&f, 0.5)), c30 = img_at(&m, fx(&f, 1.5), fy(&f, 0.5));
    px c100 = img_at(&m, fx(&f, 2.5), fy(&f, 0.5)), c300 = img_at(&m, fx(&f, 3.5), fy(&f, 0.5));
    assert_true(px_near(c0, floor_c, 1) && px_near(c30, floor_c, 1));
    assert_true(px_near(c300, top_c, 1)); /* the longest: the scale's other end */
    /* 100 s is log-halfway between 30 and 300 */
    assert_true(px_near(c100, px_of(palette_recovery(log10(100.0 / 30) / log10(10.0))), 2));
    assert_true(px_lightness(c300) < px_lightness(c100) - 10);
    assert_true(px_lightness(c100) < px_lightness(c30) - 10);
    /* the other majorities: their class fills, textured */
    int total;
    int n = count_box(&m, &f, 4.2, 4.8, 0.2, 0.8, px_of(palette_class(PAL_CLASS_METASTABLE)), 1,
                      &total);
    assert_true(n > total / 3 && n < total);
    n = count_box(&m, &f, 5.2, 5.8, 0.2, 0.8, px_of(palette_class(PAL_CLASS_UNRESOLVED)), 1,
                  &total);
    assert_true(n > total / 3 && n < total);
    n = count_box(&m, &f, 6.2, 6.8, 0.2, 0.8, px_of(palette_class(PAL_CLASS_OVERLOADED)), 1,
                  &total);
    assert_true(n > total / 3 && n < total);
    img_free(&m);
    /* no stable cell had an outage: no scale made up for it */
    write_text(regions, "point,level,x,y,z,p_stable,majority,recovery_median\n"
                        "0,0,0.5,0.5,,1,stable,0\n1,0,1.5,0.5,,0,metastable,\n");
    write_text(cells, "point,x_lo,x_hi,y_lo,y_hi\n0,0,1,0,1\n1,1,2,0,1\n");
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_SVG, &info, &e), 0);
    assert_svg_has(base, "0 s: no outage (every stable cell)");
    assert_svg_lacks(base, "log scale");
}

static void test_stability_map(void **state)
{
    tmpdir *d = *state;
    char base[128];
    snprintf(base, sizeof base, "%s/stability", d->path);
    plot_sweep_info info = {.title = "Stability regions: cluster size x kubelet cache TTL",
                            .subtitle = "10 replications per point; adaptive refinement level 1",
                            .x_label = "cluster size (nodes)",
                            .y_label = "kubelet webhook cache TTL (s)",
                            .y_log = 1,
                            .cells_csv = FIXTURES "cells2.csv"};
    err e = {0};
    int rc = plot_stability(FIXTURES "regions2.csv", base,
                            PLOT_FMT_PNG | PLOT_FMT_SVG | PLOT_FMT_PDF, &info, &e);
    if (rc != 0)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
    const char *words[] = {"cluster size (nodes)", "kubelet webhook cache TTL (s)", "50 % contours",
                           "metastable", "unresolved"};
    check_outputs(base, 2 * PLOT_MAP_W, 2 * PLOT_MAP_H, words, 5);
    /* recovery mode on the same sweep */
    info.mode = PLOT_MAP_RECOVERY;
    info.recovery_window_s = 600;
    snprintf(base, sizeof base, "%s/stability-recovery", d->path);
    assert_int_equal(plot_stability(FIXTURES "regions2.csv", base,
                                    PLOT_FMT_PNG | PLOT_FMT_SVG | PLOT_FMT_PDF, &info, &e),
                     0);
    const char *rwords[] = {"median recovery time", "other majorities", "recovery window (10 min)",
                            "P(stable) = 0.5"};
    check_outputs(base, 2 * PLOT_MAP_W, 2 * PLOT_MAP_H, rwords, 4);
    /* the first wave's file (cell edges in regions.csv, three classes), positional fields */
    plot_sweep_info old = {"old", NULL, "nodes", "ttl (s)", 0, 1};
    snprintf(base, sizeof base, "%s/stability-old", d->path);
    assert_int_equal(
        plot_stability(FIXTURES "regions2_old.csv", base, PLOT_FMT_PNG | PLOT_FMT_SVG, &old, &e),
        0);
    assert_svg_lacks(base, "unresolved");
}

static void test_map_categorical(void **state)
{
    tmpdir *d = *state;
    char base[128];
    snprintf(base, sizeof base, "%s/categorical", d->path);
    static const char *const auth[] = {"token", "certificate"};
    plot_sweep_info info = {.title = "auth",
                            .x_label = "metrics_server.auth",
                            .y_label = "kubelet webhook cache TTL (s)",
                            .y_log = 1,
                            .x_cats = auth,
                            .nx_cats = 2,
                            .cells_csv = FIXTURES "cells_cat.csv"};
    err e = {0};
    assert_int_equal(plot_stability(FIXTURES "regions_cat.csv", base,
                                    PLOT_FMT_PNG | PLOT_FMT_SVG | PLOT_FMT_PDF, &info, &e),
                     0);
    const char *words[] = {"token", "certificate", "metrics_server.auth"};
    check_outputs(base, 2 * PLOT_MAP_W, 2 * PLOT_MAP_H, words, 3);
    char path[160];
    size_t len;
    snprintf(path, sizeof path, "%s.pdf", base);
    char *pdf = slurp(path, &len);
    assert_true(pdf_has(pdf, len, "certificate")); /* the PDF keywords */
    free(pdf);
    /* categories on y too (swapped roles), and the one-axis chart over categories */
    static const char *const files[] = {"base.cfg", "mitigation.cfg", "k8s-1.18.cfg"};
    char regions[160];
    snprintf(regions, sizeof regions, "%s/cat1.csv", d->path);
    write_text(regions, "point,level,x,y,z,replications,p_stable,p_stable_lo,p_stable_hi,"
                        "p_metastable,p_metastable_lo,p_metastable_hi,majority,n_recovered,"
                        "recovery_median,recovery_lo,recovery_hi\n"
                        "0,0,0,,,10,0.2,0.03,0.56,0.8,0.44,0.97,metastable,2,900,,\n"
                        "1,0,1,,,10,0.9,0.55,1,0.1,0,0.45,stable,9,120,80,200\n"
                        "2,0,2,,,10,1,0.69,1,0,0,0.31,stable,10,0,0,0\n");
    plot_sweep_info one = {.title = "versions", .x_label = "config", .x_cats = files, .nx_cats = 3};
    snprintf(base, sizeof base, "%s/categorical1", d->path);
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_SVG | PLOT_FMT_PNG, &one, &e), 0);
    assert_svg_has(base, "mitigation.cfg");
    assert_svg_has(base, "k8s-1.18.cfg");
}

static void test_map_small_multiples(void **state)
{
    tmpdir *d = *state;
    char base[128];
    snprintf(base, sizeof base, "%s/multiples", d->path);
    plot_sweep_info info = {.title = "three axes",
                            .x_label = "cluster size (nodes)",
                            .y_label = "kubelet webhook cache TTL (s)",
                            .y_log = 1,
                            .z_label = "apiserver.replicas",
                            .cells_csv = FIXTURES "cells3.csv"};
    err e = {0};
    assert_int_equal(plot_stability(FIXTURES "regions3.csv", base,
                                    PLOT_FMT_PNG | PLOT_FMT_SVG | PLOT_FMT_PDF, &info, &e),
                     0);
    const char *words[] = {"apiserver.replicas = 1", "apiserver.replicas = 2",
                           "apiserver.replicas = 3", "majority class"};
    check_outputs(base, 2 * PLOT_MAP_W, 0, words, 4); /* as high as its grid needs */
    /* one legend for the grid */
    size_t len;
    char path[160];
    snprintf(path, sizeof path, "%s.svg", base);
    char *svg = slurp(path, &len);
    int count = 0;
    for (const char *p = svg; (p = strstr(p, "majority class")) != NULL; p++)
        count++;
    free(svg);
    assert_int_equal(count, 1);
    /* categorical z: the panel titles name the category */
    static const char *const z[] = {"none", "one", "two", "three"};
    info.z_cats = z;
    info.nz_cats = 4;
    info.mode = PLOT_MAP_RECOVERY;
    snprintf(base, sizeof base, "%s/multiples-cats", d->path);
    assert_int_equal(plot_stability(FIXTURES "regions3.csv", base, PLOT_FMT_SVG, &info, &e), 0);
    assert_svg_has(base, "apiserver.replicas = two");
    /* x and z swept without y: z becomes the map's y axis */
    char regions[160];
    snprintf(regions, sizeof regions, "%s/xz.csv", d->path);
    write_text(regions, "point,level,x,y,z,p_stable,majority\n"
                        "0,0,1,,1,1,stable\n1,0,2,,1,0,metastable\n"
                        "2,0,1,,2,1,stable\n3,0,2,,2,1,stable\n");
    plot_sweep_info xz = {.title = "xz", .x_label = "x", .z_label = "apiserver.replicas"};
    snprintf(base, sizeof base, "%s/xz", d->path);
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_SVG, &xz, &e), 0);
    assert_svg_has(base, "apiserver.replicas");
    assert_svg_lacks(base, "apiserver.replicas =");
}

static void test_sweep_one_axis(void **state)
{
    tmpdir *d = *state;
    char base[128];
    snprintf(base, sizeof base, "%s/sweep1", d->path);
    plot_sweep_info info = {.title = "Outcome probability against cluster size",
                            .subtitle = "kubelet webhook cache TTL 60 s; 20 replications per point",
                            .x_label = "cluster size (nodes)",
                            .recovery_window_s = 600,
                            .cells_csv = FIXTURES "cells1.csv"};
    err e = {0};
    int rc = plot_stability(FIXTURES "regions1.csv", base,
                            PLOT_FMT_PNG | PLOT_FMT_SVG | PLOT_FMT_PDF, &info, &e);
    if (rc != 0)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
    const char *words[] = {"cluster size (nodes)",
                           "95 % Clopper-Pearson",
                           "unresolved",
                           "recovered within the window",
                           "(b) Median time to recover",
                           "recovery window 10 min",
                           "0 s: no outage",
                           "no run recovered"};
    check_outputs(base, 2 * PLOT_SWEEP1_W, 2 * PLOT_SWEEP1_H, words, 8);

    info.x_log = 1; /* a log x axis on the same data */
    snprintf(base, sizeof base, "%s/sweep1-log", d->path);
    assert_int_equal(plot_stability(FIXTURES "regions1.csv", base, PLOT_FMT_PNG, &info, &e), 0);
    /* the first wave's positional fields and file (no recovery columns): as before */
    plot_sweep_info old = {"old", NULL, "nodes", NULL, 0, 0};
    char regions[160];
    snprintf(regions, sizeof regions, "%s/old1.csv", d->path);
    write_text(regions, "x,y,x_lo,x_hi,y_lo,y_hi,p_stable,p_stable_lo,p_stable_hi,p_metastable,"
                        "p_metastable_lo,p_metastable_hi,p_overloaded,p_overloaded_lo,"
                        "p_overloaded_hi,majority\n"
                        "1,,0.5,1.5,,,1,0.7,1,0,0,0.3,0,0,0.3,stable\n"
                        "2,,1.5,2.5,,,0.4,0.1,0.7,0.6,0.3,0.9,0,0,0.3,metastable\n");
    snprintf(base, sizeof base, "%s/sweep1-old", d->path);
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_SVG, &old, &e), 0);
    assert_svg_lacks(base, "recovery window");
    assert_svg_has(base, "no data"); /* no recovery columns: the second panel is empty */
}

/* Empty and partial sweep files draw "no data" instead of failing. */
static void test_sweep_empty(void **state)
{
    tmpdir *d = *state;
    char regions[160], cells[160], base[160];
    snprintf(regions, sizeof regions, "%s/empty.csv", d->path);
    snprintf(cells, sizeof cells, "%s/empty-cells.csv", d->path);
    snprintf(base, sizeof base, "%s/empty", d->path);
    write_text(regions, "point,level,x,y,z,p_stable,majority\n");
    plot_sweep_info info = {.title = "empty", .cells_csv = cells};
    write_text(cells, "point,x_lo,x_hi,y_lo,y_hi\n");
    err e = {0};
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_PNG | PLOT_FMT_SVG, &info, &e), 0);
    assert_svg_has(base, "no data");
    /* two axes but cells.csv without rows */
    write_text(regions, "point,level,x,y,z,p_stable,majority\n0,0,1,1,,1,stable\n");
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_PNG | PLOT_FMT_SVG, &info, &e), 0);
    assert_svg_has(base, "no data");
    /* a cell of a point that is not in regions.csv */
    write_text(cells, "point,x_lo,x_hi,y_lo,y_hi\n7,0,1,0,1\n");
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_PNG, &info, &e), -1);
    assert_non_null(strstr(e.msg, "point 7 is not in regions.csv"));
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

        plot_sweep_info map = {.title = "Stability regions: cluster size x kubelet cache TTL",
                               .subtitle = "10 replications per point \xc2\xb7 refined once",
                               .x_label = "cluster size (nodes)",
                               .y_label = "kubelet webhook cache TTL (s)",
                               .y_log = 1,
                               .recovery_window_s = 600,
                               .cells_csv = FIXTURES "cells2.csv",
                               .width_pt = w};
        for (int mode = 0; mode < 2; mode++) {
            map.mode = mode;
            snprintf(base, sizeof base, "%s/map-%d-%g", d->path, mode, w);
            assert_int_equal(plot_stability(FIXTURES "regions2.csv", base, PLOT_FMT_PNG, &map, &e),
                             0);
            assert_margins_clear(base, (int)(2 * w));
        }
        map.z_label = "apiserver.replicas";
        map.cells_csv = FIXTURES "cells3.csv";
        snprintf(base, sizeof base, "%s/multiples-%g", d->path, w);
        assert_int_equal(plot_stability(FIXTURES "regions3.csv", base, PLOT_FMT_PNG, &map, &e), 0);
        assert_margins_clear(base, (int)(2 * w));
        plot_sweep_info one = {.title = "Outcome probability against cluster size",
                               .x_label = "cluster size (nodes)",
                               .recovery_window_s = 600,
                               .cells_csv = FIXTURES "cells1.csv",
                               .width_pt = w};
        snprintf(base, sizeof base, "%s/sweep1-%g", d->path, w);
        assert_int_equal(plot_stability(FIXTURES "regions1.csv", base, PLOT_FMT_PNG, &one, &e), 0);
        assert_margins_clear(base, (int)(2 * w));
    }
}

/* ---- overlays ---- */

/* A sweep on [0, 6] x [0, 3] into dir/regions.csv and dir/cells.csv: one 1 x 1 cell per point
 * around (i + 0.5, j + 0.5), metastable for lo <= i < hi, else stable with no outage. Its
 * P(stable) = 0.5 boundary: x = lo and x = hi, from y = 0.5 to 2.5. */
static void write_band_sweep(const char *dir, int lo, int hi)
{
    char regions[4096] = "point,level,x,y,z,replications,p_stable,p_metastable,p_overloaded,"
                         "p_unresolved,majority,n_recovered,recovery_median,recovery_lo,"
                         "recovery_hi\n";
    char cells[2048] = "point,x_lo,x_hi,y_lo,y_hi\n";
    int k = 0;
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 6; i++, k++) {
            int meta = i >= lo && i < hi;
            snprintf(regions + strlen(regions), sizeof regions - strlen(regions),
                     "%d,0,%g,%g,,10,%d,%d,0,0,%s,%s\n", k, i + 0.5, j + 0.5, !meta, meta,
                     meta ? "metastable" : "stable", meta ? "0,,," : "10,0,0,0");
            snprintf(cells + strlen(cells), sizeof cells - strlen(cells), "%d,%d,%d,%d,%d\n", k, i,
                     i + 1, j, j + 1);
        }
    char path[192];
    assert_true(mkdir(dir, 0755) == 0 || errno == EEXIST);
    snprintf(path, sizeof path, "%s/regions.csv", dir);
    write_text(path, regions);
    snprintf(path, sizeof path, "%s/cells.csv", dir);
    write_text(path, cells);
}

static void render_overlays(const char *regions, const char *base, const char *const *csvs,
                            const char *const *labels, int n, double width_pt)
{
    plot_sweep_info info = {.title = "overlay",
                            .x_label = "x",
                            .y_label = "y",
                            .mode = PLOT_MAP_RECOVERY,
                            .width_pt = width_pt,
                            .overlay_csvs = csvs,
                            .overlay_labels = labels,
                            .n_overlays = n};
    err e = {0};
    int rc = plot_stability(regions, base, PLOT_FMT_PNG | PLOT_FMT_SVG, &info, &e);
    if (rc != 0)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
}

/* Pixels of the plot area f that differ between a and b: *near those within margin px of one of
 * the vertical lines x = xs[0..n) (data), *far the others. */
static void count_diffs(const img *a, const img *b, const frame *f, const double *xs, int n,
                        int margin, int *near, int *far)
{
    *near = *far = 0;
    for (int y = (int)f->Y0 + 2; y <= (int)f->Y1 - 2; y++)
        for (int x = (int)f->X0 + 2; x <= (int)f->X1 - 2; x++) {
            if (px_near(img_at(a, x, y), img_at(b, x, y), 0))
                continue;
            int close = 0;
            for (int i = 0; i < n; i++)
                close |= abs(x - fx(f, xs[i])) <= margin;
            *(close ? near : far) += 1;
        }
}

/* Another sweep's boundary over the map: drawn where that boundary is and nowhere else (the
 * map's own cells and contour untouched), named in the legend; an overlay equal to the map
 * changes nothing but the pixels along the contour it shares. */
static void test_map_overlay(void **state)
{
    tmpdir *d = *state;
    char main_dir[96], other[96], same[96], regions[128], other_csv[128], same_csv[128];
    snprintf(main_dir, sizeof main_dir, "%s/des", d->path);
    snprintf(other, sizeof other, "%s/fluid", d->path);
    snprintf(same, sizeof same, "%s/again", d->path);
    write_band_sweep(main_dir, 2, 4); /* boundary at x = 2 and x = 4 */
    write_band_sweep(other, 3, 4);    /* at x = 3 and x = 4 */
    write_band_sweep(same, 2, 4);
    snprintf(regions, sizeof regions, "%s/regions.csv", main_dir);
    snprintf(other_csv, sizeof other_csv, "%s/regions.csv", other);
    snprintf(same_csv, sizeof same_csv, "%s/regions.csv", same);
    char b0[128], b1[128], b2[128];
    snprintf(b0, sizeof b0, "%s/plain", d->path);
    snprintf(b1, sizeof b1, "%s/over-fluid", d->path);
    snprintf(b2, sizeof b2, "%s/over-same", d->path);
    const char *csvs[] = {other_csv, same_csv}, *labels[] = {"fluid model", NULL};
    render_overlays(regions, b0, NULL, NULL, 0, 0);
    render_overlays(regions, b1, csvs, labels, 1, 0);
    render_overlays(regions, b2, csvs + 1, labels + 1, 1, 0);
    assert_svg_has(b0, "P(stable) = 0.5");
    assert_svg_lacks(b0, "fluid model");
    assert_svg_has(b1, "P(stable) = 0.5");
    assert_svg_has(b1, "fluid model");
    assert_svg_has(b2, "again"); /* no label: the directory's name */

    img m0, m1, m2;
    img_load(&m0, b0);
    img_load(&m1, b1);
    img_load(&m2, b2);
    px floor_c = px_of(palette_recovery(0));
    frame f0, f1, f2;
    mini_frame(&m0, &f0, 6, 3, floor_c);
    mini_frame(&m1, &f1, 6, 3, floor_c);
    mini_frame(&m2, &f2, 6, 3, floor_c);
    assert_true(f0.X0 == f1.X0 && f0.X1 == f1.X1 && f0.Y0 == f1.Y0 && f0.Y1 == f1.Y1);
    assert_true(f0.X0 == f2.X0 && f0.X1 == f2.X1 && f0.Y0 == f2.Y0 && f0.Y1 == f2.Y1);
    int near, far;
    /* the other boundary: a line at x = 3 (and over the shared one at x = 4), nothing else */
    const double at3[] = {3, 4}, at2[] = {2};
    count_diffs(&m0, &m1, &f0, at3, 2, 8, &near, &far);
    if (far != 0 || near < 200)
        fail_msg("overlay at x = 3, 4: %d pixels changed along it, %d elsewhere", near, far);
    count_diffs(&m0, &m1, &f0, at2, 1, 8, &near, &far);
    assert_int_equal(near, 0); /* the map's own boundary at x = 2, where the overlay has none */
    /* the same sweep again: only along the shared contour */
    const double shared[] = {2, 4};
    count_diffs(&m0, &m2, &f0, shared, 2, 8, &near, &far);
    if (far != 0 || near < 200)
        fail_msg("overlay equal to the map: %d pixels changed along the contour, %d elsewhere",
                 near, far);
    /* where they coincide both lines stay visible: the map's black contour is not covered */
    int dark = 0;
    for (int y = fy(&f0, 1.2); y <= fy(&f0, 0.8); y++)
        for (int x = fx(&f0, 2) - 2; x <= fx(&f0, 2) + 2; x++)
            dark += px_lightness(img_at(&m2, x, y)) < 20;
    assert_true(dark > 10);
    img_free(&m0);
    img_free(&m1);
    img_free(&m2);

    /* two overlays, and both at print size: the legend fits inside the figure */
    char b3[128];
    snprintf(b3, sizeof b3, "%s/over-two", d->path);
    render_overlays(regions, b3, csvs, labels, 2, 0);
    assert_svg_has(b3, "fluid model");
    assert_svg_has(b3, "again");
    const double widths[] = {470, 235};
    for (int i = 0; i < 2; i++) {
        snprintf(b3, sizeof b3, "%s/over-two-%g", d->path, widths[i]);
        render_overlays(regions, b3, csvs, labels, 2, widths[i]);
        assert_margins_clear(b3, (int)(2 * widths[i]));
    }
}

/* Overlays that cannot be drawn: an unreadable file, another kind of sweep, points outside the
 * map; each an error naming the overlay's file. */
static void test_map_overlay_errors(void **state)
{
    tmpdir *d = *state;
    char main_dir[96], regions[128], base[128], bad[128];
    snprintf(main_dir, sizeof main_dir, "%s/map", d->path);
    write_band_sweep(main_dir, 2, 4);
    snprintf(regions, sizeof regions, "%s/regions.csv", main_dir);
    snprintf(base, sizeof base, "%s/bad-overlay", d->path);
    snprintf(bad, sizeof bad, "%s/nowhere/regions.csv", d->path);
    const char *csvs[] = {bad};
    plot_sweep_info info = {
        .title = "t", .mode = PLOT_MAP_RECOVERY, .overlay_csvs = csvs, .n_overlays = 1};
    err e = {0};
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_PNG, &info, &e), -1);
    if (!strstr(e.msg, bad) || !strstr(e.msg, "overlay"))
        fail_msg("'%s' does not name the overlay %s", e.msg, bad);
    /* a one-axis sweep over a two-axis map */
    snprintf(bad, sizeof bad, "%s/one.csv", d->path);
    write_text(bad, "point,level,x,y,z,p_stable,majority\n0,0,1,,,1,stable\n");
    err_clear(&e);
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_PNG, &info, &e), -1);
    assert_non_null(strstr(e.msg, bad));
    assert_non_null(strstr(e.msg, "not the same axes"));
    /* points beyond the map's range */
    write_text(bad, "point,level,x,y,z,p_stable,majority\n0,0,1,1,,1,stable\n"
                    "1,0,9,1,,0,metastable\n");
    err_clear(&e);
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_PNG, &info, &e), -1);
    assert_non_null(strstr(e.msg, bad));
    assert_non_null(strstr(e.msg, "outside the chart's range (x 0..6, y 0..3)"));
    /* a categorical axis has no boundary to draw */
    static const char *const auth[] = {"token", "certificate"};
    plot_sweep_info cat = {.title = "auth",
                           .y_log = 1,
                           .x_cats = auth,
                           .nx_cats = 2,
                           .cells_csv = FIXTURES "cells_cat.csv",
                           .overlay_csvs = csvs,
                           .n_overlays = 1};
    csvs[0] = FIXTURES "regions_cat.csv";
    err_clear(&e);
    assert_int_equal(plot_stability(FIXTURES "regions_cat.csv", base, PLOT_FMT_PNG, &cat, &e), -1);
    assert_non_null(strstr(e.msg, "categorical axis"));
    /* too many */
    const char *five[] = {regions, regions, regions, regions, regions};
    info.overlay_csvs = five;
    info.n_overlays = 5;
    err_clear(&e);
    assert_int_equal(plot_stability(regions, base, PLOT_FMT_PNG, &info, &e), -1);
    assert_non_null(strstr(e.msg, "expected 1 to 4"));
    /* nothing was written by the failed calls */
    char png[160];
    snprintf(png, sizeof png, "%s.png", base);
    assert_int_not_equal(access(png, F_OK), 0);
}

/* Small multiples: each panel gets the overlay's points at its z (here the same sweep, so the
 * lines fall on the map's own); an overlay without z over panels of z is refused. */
static void test_map_overlay_multiples(void **state)
{
    tmpdir *d = *state;
    char dir[96], path[160], base[128];
    snprintf(dir, sizeof dir, "%s/z", d->path);
    assert_int_equal(mkdir(dir, 0755), 0);
    size_t len;
    const char *copies[][2] = {{FIXTURES "regions3.csv", "regions.csv"},
                               {FIXTURES "cells3.csv", "cells.csv"}};
    for (int i = 0; i < 2; i++) {
        char *text = slurp(copies[i][0], &len);
        assert_non_null(text);
        snprintf(path, sizeof path, "%s/%s", dir, copies[i][1]);
        write_text(path, text);
        free(text);
    }
    snprintf(path, sizeof path, "%s/regions.csv", dir);
    const char *csvs[] = {path}, *labels[] = {"replicas again"};
    plot_sweep_info info = {.title = "three axes",
                            .x_label = "cluster size (nodes)",
                            .y_label = "kubelet webhook cache TTL (s)",
                            .y_log = 1,
                            .z_label = "apiserver.replicas",
                            .mode = PLOT_MAP_RECOVERY,
                            .cells_csv = FIXTURES "cells3.csv",
                            .overlay_csvs = csvs,
                            .overlay_labels = labels,
                            .n_overlays = 1};
    snprintf(base, sizeof base, "%s/multiples-overlay", d->path);
    err e = {0};
    int rc = plot_stability(FIXTURES "regions3.csv", base, PLOT_FMT_PNG | PLOT_FMT_SVG, &info, &e);
    if (rc != 0)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_svg_has(base, "replicas again");
    assert_svg_lacks(base, "none on the map");
    csvs[0] = FIXTURES "regions2.csv"; /* two axes, no z */
    err_clear(&e);
    assert_int_equal(plot_stability(FIXTURES "regions3.csv", base, PLOT_FMT_PNG, &info, &e), -1);
    assert_non_null(strstr(e.msg, "not the same axes"));
}

/* The one-axis chart: the overlay's P(stable) as a line of its own in the probability panel. */
static void test_sweep_one_axis_overlay(void **state)
{
    tmpdir *d = *state;
    char dir[96], regions[160], base0[128], base1[128];
    snprintf(dir, sizeof dir, "%s/fluid1", d->path);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(regions, sizeof regions, "%s/regions.csv", dir);
    /* a fluid-like sweep: P(stable) 1 up to 4000 nodes, 0 from 5000 */
    char text[2048] = "point,level,x,y,z,p_stable,p_metastable,majority\n";
    for (int i = 0; i < 19; i++) {
        int st = 500 * (i + 1) <= 4000;
        snprintf(text + strlen(text), sizeof text - strlen(text), "%d,0,%d,,,%d,%d,%s\n", i,
                 500 * (i + 1), st, !st, st ? "stable" : "metastable");
    }
    write_text(regions, text);
    const char *csvs[] = {regions}, *labels[] = {"fluid model"};
    plot_sweep_info info = {.title = "Outcome probability against cluster size",
                            .x_label = "cluster size (nodes)",
                            .recovery_window_s = 600,
                            .cells_csv = FIXTURES "cells1.csv"};
    snprintf(base0, sizeof base0, "%s/sweep1-plain", d->path);
    snprintf(base1, sizeof base1, "%s/sweep1-overlay", d->path);
    err e = {0};
    assert_int_equal(plot_stability(FIXTURES "regions1.csv", base0, PLOT_FMT_PNG, &info, &e), 0);
    info.overlay_csvs = csvs;
    info.overlay_labels = labels;
    info.n_overlays = 1;
    int rc = plot_stability(FIXTURES "regions1.csv", base1, PLOT_FMT_PNG | PLOT_FMT_SVG, &info, &e);
    if (rc != 0)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_svg_has(base1, "stable, fluid model");
    img a, b;
    img_load(&a, base0);
    img_load(&b, base1);
    assert_int_equal(a.w, b.w);
    assert_int_equal(a.h, b.h);
    /* the lower panel (recovery times, from 56 % of the height down) is untouched; the upper
     * one has the new line */
    int upper = 0, lower = 0;
    for (int y = 0; y < a.h; y++)
        for (int x = 0; x < a.w; x++)
            if (!px_near(img_at(&a, x, y), img_at(&b, x, y), 0))
                *(y < 0.55 * a.h ? &upper : &lower) += 1;
    assert_true(upper > 100);
    assert_int_equal(lower, 0);
    img_free(&a);
    img_free(&b);
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
    rc = plot_stability(FIXTURES "regions2_old.csv", "/nonexistent-avalanche/y", PLOT_FMT_SVG, NULL,
                        &e);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, "/nonexistent-avalanche/y.svg"));
    err_clear(&e);
    rc = plot_stability(FIXTURES "regions2_old.csv", "/nonexistent-avalanche/z", PLOT_FMT_PDF, NULL,
                        &e);
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
        WITH_DIR(test_map_no_texture_over_finer_cells),
        WITH_DIR(test_map_partition_edges),
        WITH_DIR(test_map_recovery),
        WITH_DIR(test_stability_map),
        WITH_DIR(test_map_categorical),
        WITH_DIR(test_map_small_multiples),
        WITH_DIR(test_map_overlay),
        WITH_DIR(test_map_overlay_errors),
        WITH_DIR(test_map_overlay_multiples),
        WITH_DIR(test_sweep_one_axis),
        WITH_DIR(test_sweep_one_axis_overlay),
        WITH_DIR(test_sweep_empty),
        WITH_DIR(test_print_size),
        WITH_DIR(test_failures),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    /* release cairo's font and surface caches so LeakSanitizer sees no false leaks */
    cairo_debug_reset_static_data();
    return failed;
}
