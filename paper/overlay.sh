#!/bin/sh
# Builds the paper's chart tools (plots/overlay.c with paper/tools/overlay_main.c, and
# paper/tools/hysteresis_main.c, over build/libavalanche.a) and draws the comparison figures.
# Called by figures.sh: overlay.sh RESULTS FIGURES
set -eu
R=$1
F=$2
OV=$R/overlay
HY=$R/hysteresis-tool
CC=${CC:-cc}
FLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Iinclude $(pkg-config --cflags cairo)"
LIBS="build/libavalanche.a $(pkg-config --libs gsl cairo libconfig) -lm -lpthread"
$CC $FLAGS paper/tools/overlay_main.c plots/overlay.c $LIBS -o "$OV"
$CC $FLAGS paper/tools/hysteresis_main.c $LIBS -o "$HY"
SUB="incident scenario (SA traffic per node: 0.03 tokens, 0.004 req/s; mutating cap 1000); 60 s burst"
"$OV" boundaries "$F/overlay-tokencache" "50 % stable boundary per version" \
  "$SUB; 2 replications" "cluster size (nodes)" "apiserver token cache success TTL (s)" 1 1 \
  "1.12=$R/map-tokencache/k8s-1.12/regions.csv" \
  "1.12 certificate=$R/map-tokencache/certificate/regions.csv" \
  "1.14 informer=$R/map-tokencache/k8s-1.14/regions.csv" \
  "1.17 no limit=$R/map-tokencache/k8s-1.17/regions.csv" \
  "1.18 coalescing=$R/map-tokencache/k8s-1.18/regions.csv"
"$OV" curves "$F/capacity-curves" "P(stable) after the burst, per version" \
  "$SUB; default TTLs; 5 replications" "cluster size (nodes)" "P(stable)" 1 0 \
  "1.12=$R/capacity/k8s-1.12/regions.csv" \
  "1.12 cap 2000=$R/capacity/inflight-2000/regions.csv" \
  "1.12 certificate=$R/capacity/certificate/regions.csv" \
  "1.14 informer=$R/capacity/k8s-1.14/regions.csv" \
  "1.17 no limit=$R/capacity/k8s-1.17/regions.csv" \
  "1.18 coalescing=$R/capacity/k8s-1.18/regions.csv"
"$HY" "$F/hysteresis" "Other SA traffic ramped up from health, down from the failure" \
  "5000 nodes, 1.12, metrics-server token auth; two-hour ramps; 60 s moving averages" \
  "other SA-token requests per node (1/s)" \
  "up, cap 200=$R/hysteresis/up-200/timeseries.csv:300:7500:0:0.008" \
  "down, cap 200=$R/hysteresis/down-200/timeseries.csv:900:8100:0.008:0" \
  "up, cap 1000=$R/hysteresis/up-1000/timeseries.csv:300:7500:0:0.008" \
  "down, cap 1000=$R/hysteresis/down-1000/timeseries.csv:900:8100:0.008:0"
