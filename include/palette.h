/* palette: colours for the charts (plots, L4). Okabe-Ito categories (safe for colour-vision
 * deficiencies) and a tabulated viridis ramp (perceptually uniform, prints well in grey). */
#ifndef AVALANCHE_PALETTE_H
#define AVALANCHE_PALETTE_H

typedef struct rgb {
    double r, g, b; /* sRGB components in [0, 1] */
} rgb;

enum palette_okabe_ito {
    PAL_BLACK,
    PAL_ORANGE,
    PAL_SKY_BLUE,
    PAL_BLUISH_GREEN,
    PAL_YELLOW,
    PAL_BLUE,
    PAL_VERMILLION,
    PAL_REDDISH_PURPLE,
    PAL_COUNT
};

/* Outcome classes of a run, in the order of the CSV columns. Unresolved: the horizon ended
 * while the run was still unhealthy but draining (not metastable). */
enum palette_class {
    PAL_CLASS_STABLE,
    PAL_CLASS_METASTABLE,
    PAL_CLASS_OVERLOADED,
    PAL_CLASS_UNRESOLVED,
    PAL_CLASS_N
};

rgb palette_okabe_ito(int i); /* i modulo PAL_COUNT */
/* Stable: bluish green; metastable: orange; overloaded: near-black; unresolved: pale sky blue
 * (still draining; not the grey of "no data"). Their CIE L* differ by at least 10 so they stay
 * apart in greyscale (bluish green and vermillion would not). */
rgb palette_class(int cls);
/* "stable", "metastable", "overloaded", "unresolved" ("?" out of range) */
const char *palette_class_name(int cls);
rgb palette_viridis(double t); /* t in [0, 1], clamped */
/* Sequential scale for durations, t in [0, 1] clamped: viridis reversed, so short is light
 * (yellow) and long is dark (purple), next to the orange of metastable cells. */
rgb palette_recovery(double t);
rgb palette_mix(rgb a, rgb b, double t); /* (1 - t) a + t b */
double palette_luminance(rgb c);         /* relative luminance Y (sRGB, D65), 0..1 */
double palette_lightness(rgb c);         /* CIE L*, 0..100 */

#endif
