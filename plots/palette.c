/* palette: Okabe-Ito and viridis (plots, L4). Okabe & Ito, "Color Universal Design" (2008);
 * viridis: van der Walt & Smith, matplotlib 1.5 (10 samples, interpolated linearly). */
#include "palette.h"

#include "classify.h"

_Static_assert(PAL_CLASS_STABLE == (int)CLASS_STABLE &&
                   PAL_CLASS_METASTABLE == (int)CLASS_METASTABLE &&
                   PAL_CLASS_OVERLOADED == (int)CLASS_OVERLOADED &&
                   PAL_CLASS_UNRESOLVED == (int)CLASS_UNRESOLVED && PAL_CLASS_N == (int)CLASS_COUNT,
               "the palette's classes follow enum run_class");

#include <math.h>

static rgb hex(unsigned v)
{
    rgb c = {((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0};
    return c;
}

rgb palette_okabe_ito(int i)
{
    static const unsigned oi[PAL_COUNT] = {0x000000, 0xE69F00, 0x56B4E9, 0x009E73,
                                           0xF0E442, 0x0072B2, 0xD55E00, 0xCC79A7};
    i %= PAL_COUNT;
    if (i < 0)
        i += PAL_COUNT;
    return hex(oi[i]);
}

rgb palette_class(int cls)
{
    switch (cls) {
    case PAL_CLASS_STABLE:
        return palette_okabe_ito(PAL_BLUISH_GREEN);
    case PAL_CLASS_METASTABLE:
        return palette_okabe_ito(PAL_ORANGE);
    case PAL_CLASS_UNRESOLVED:
        return hex(0xa2d6f3); /* Okabe-Ito sky blue, 45 % toward white */
    default:
        /* Okabe-Ito black lifted to a dark grey so that contour lines stay visible on it. */
        return palette_mix(palette_okabe_ito(PAL_BLACK), hex(0xffffff), 0.2);
    }
}

const char *palette_class_name(int cls)
{
    return cls >= 0 && cls < PAL_CLASS_N ? run_class_name((enum run_class)cls) : "?";
}

rgb palette_viridis(double t)
{
    static const unsigned v[] = {0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E,
                                 0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725};
    const int n = (int)(sizeof v / sizeof v[0]);
    if (!(t > 0))
        t = 0;
    if (t > 1)
        t = 1;
    double x = t * (n - 1);
    int i = (int)floor(x);
    if (i >= n - 1)
        return hex(v[n - 1]);
    return palette_mix(hex(v[i]), hex(v[i + 1]), x - i);
}

rgb palette_recovery(double t)
{
    return palette_viridis(1 - (t > 1 ? 1 : t));
}

rgb palette_mix(rgb a, rgb b, double t)
{
    rgb c = {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
    return c;
}

static double linear(double u)
{
    return u <= 0.04045 ? u / 12.92 : pow((u + 0.055) / 1.055, 2.4);
}

double palette_luminance(rgb c)
{
    return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

double palette_lightness(rgb c)
{
    double y = palette_luminance(c);
    return y > 216.0 / 24389.0 ? 116.0 * cbrt(y) - 16.0 : y * 24389.0 / 27.0;
}
