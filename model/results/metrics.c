/* metrics: the names and OpenMetrics families of the result files' columns, from the tables of
 * metrics.h (L3). */
#include "metrics.h"

#include <stdio.h>

#define NAME_TS(id, name, value, family, label, unit, help) [id] = name,
const char *const metric_ts_name[TS_COUNT] = {METRICS_TIMESERIES(NAME_TS)};

#define OM_TS(id, name, value, family, label, unit, help) [id] = {family, label, unit, help},
const metric_om metric_ts_om[TS_COUNT] = {METRICS_TIMESERIES(OM_TS)};

#define NAME_SUM(id, name, kind, value) [id] = name,
const char *const metric_summary_name[SUM_COUNT] = {METRICS_SUMMARY_HEAD(NAME_SUM)
                                                        METRICS_SUMMARY_TAIL(NAME_SUM)};

#define NAME_PH(id, name, value) [id] = name,
const char *const metric_phase_name[PH_COUNT] = {METRICS_PHASE(NAME_PH)};

const char *const metric_phase_suffix[3] = {"baseline", "trigger", "recovery"};

char *metric_phase_column(enum metric_phase id, int ph, char *buf, unsigned n)
{
    snprintf(buf, n, "%s_%s", metric_phase_name[id], metric_phase_suffix[ph]);
    return buf;
}
