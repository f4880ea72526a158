/* hysteresis_main: the paper's ramp chart from two runs of the ramp experiment.
 *   hysteresis OUT_BASE TITLE SUBTITLE XLABEL LABEL=CSV:T0:T1:V0:V1 ...
 * (paper/figures.sh builds it over build/libavalanche.a) */
#include "plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 6 || argc > 9) {
        fputs("usage: hysteresis OUT_BASE TITLE SUBTITLE XLABEL LABEL=CSV:T0:T1:V0:V1 ...\n",
              stderr);
        return 2;
    }
    plot_ramp_run runs[4];
    char *bufs[4];
    int n = 0;
    for (int i = 5; i < argc; i++, n++) {
        bufs[n] = strdup(argv[i]);
        char *eq = strchr(bufs[n], '='), *c1 = eq ? strchr(eq, ':') : NULL;
        if (!eq || !c1 ||
            sscanf(c1 + 1, "%lf:%lf:%lf:%lf", &runs[n].t0_s, &runs[n].t1_s, &runs[n].v0,
                   &runs[n].v1) != 4) {
            fprintf(stderr, "hysteresis: %s: expected LABEL=CSV:T0:T1:V0:V1\n", argv[i]);
            return 2;
        }
        *eq = *c1 = '\0';
        runs[n].label = bufs[n];
        runs[n].timeseries_csv = eq + 1;
    }
    /* drawn at the width the paper prints it (the text width, 470 pt) */
    plot_hysteresis_info info = {
        .title = argv[2], .subtitle = argv[3], .x_label = argv[4], .width_pt = 470};
    err e;
    err_clear(&e);
    int rc = plot_hysteresis(runs, n, argv[1], PLOT_FMT_PNG | PLOT_FMT_PDF, &info, &e);
    if (rc != 0)
        fprintf(stderr, "hysteresis: %s\n", e.msg);
    for (int i = 0; i < n; i++)
        free(bufs[i]);
    return rc ? 1 : 0;
}
