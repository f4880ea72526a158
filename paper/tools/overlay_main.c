/* overlay_main: command-line driver of plots/overlay.c for paper/figures.sh.
 *   overlay boundaries|curves OUT_BASE TITLE SUBTITLE XLABEL YLABEL XLOG YLOG LABEL=FILE...
 * Writes OUT_BASE.png and OUT_BASE.pdf. */
#include "overlay.h"
#include "plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 10) {
        fprintf(stderr,
                "usage: %s boundaries|curves OUT TITLE SUBTITLE XLABEL YLABEL XLOG YLOG "
                "LABEL=FILE...\n",
                argv[0]);
        return 2;
    }
    overlay_info in = {argv[3], argv[4], argv[5], argv[6], atoi(argv[7]), atoi(argv[8])};
    int n = argc - 9;
    const char *files[12], *labels[12];
    if (n > 12)
        n = 12;
    for (int i = 0; i < n; i++) {
        char *a = argv[9 + i], *eq = strchr(a, '=');
        if (!eq) {
            fprintf(stderr, "overlay: expected LABEL=FILE (got %s)\n", a);
            return 2;
        }
        *eq = 0;
        labels[i] = a;
        files[i] = eq + 1;
    }
    err e = {0};
    int rc =
        strcmp(argv[1], "boundaries") == 0
            ? overlay_boundaries(files, labels, n, argv[2], PLOT_FMT_PNG | PLOT_FMT_PDF, &in, &e)
            : overlay_curves(files, labels, n, argv[2], PLOT_FMT_PNG | PLOT_FMT_PDF, &in, &e);
    if (rc != 0) {
        fprintf(stderr, "overlay: %s\n", e.msg);
        return 1;
    }
    return 0;
}
