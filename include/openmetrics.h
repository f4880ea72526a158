/* openmetrics: a run's time series as OpenMetrics text with timestamps (timeseries.om), which
 * `promtool tsdb create-blocks-from openmetrics` loads, so that a simulated run can sit beside
 * real data in Prometheus and Grafana (L4).
 *
 * Every column of timeseries.csv but `t` is a gauge named avalanche_<column>, with every sample
 * (row) at the timestamp sim.epoch + t (seconds since the Unix epoch; OpenMetrics timestamps are
 * seconds). Rates (`_per_s`) are named `_per_second`, durations (`_s`) `_seconds` with
 * `# UNIT seconds`, ratios keep `_ratio` with `# UNIT ratio`. Gauges the apiserver itself exports
 * keep its name and labels under the prefix: apiserver_current_inflight_requests_mutating is
 * avalanche_apiserver_current_inflight_requests{request_kind="mutating"} (and "readOnly");
 * the 429 rates are avalanche_apiserver_dropped_requests_per_second{request_kind=...}; the
 * goodput columns are avalanche_goodput_per_second{client=...}; the per-replica columns NAME_rK
 * (apiserver.replicas > 1) are series of their own families labelled replica="K", e.g.
 * avalanche_apiserver_replica_current_inflight_requests{request_kind="mutating",replica="0"}
 * (metrics.h METRICS_REPLICA); APF's per-level columns (admission "apf" runs) are
 * avalanche_apiserver_flowcontrol_current_inqueue_requests, _current_executing_requests and
 * _rejected_requests_per_second{priority_level=...}. Each family has # TYPE, # HELP and, with a
 * unit, # UNIT; an empty field (no data in that interval) has no sample; the text ends with
 * "# EOF". */
#ifndef AVALANCHE_OPENMETRICS_H
#define AVALANCHE_OPENMETRICS_H

#include "table.h"

#include <stdio.h>

/* Writes the time series ts (timeseries.csv as read by table_read; column `t` required) to f.
 * Returns 0, or -1 when ts has no column t or on an I/O error (ferror(f)). */
int openmetrics_write(FILE *f, const table *ts, double epoch_s);

#endif
