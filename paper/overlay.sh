#!/bin/sh
# Builds the overlay tool (plots/overlay.c + paper/tools/overlay_main.c over build/libavalanche.a)
# and draws the comparison figures. Called by figures.sh: overlay.sh RESULTS FIGURES
set -eu
R=$1
F=$2
OV=$R/overlay
CC=${CC:-cc}
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Iinclude \
  $(pkg-config --cflags cairo) paper/tools/overlay_main.c plots/overlay.c build/libavalanche.a \
  $(pkg-config --libs gsl cairo libconfig) -lm -lpthread -o "$OV"
for m in webhook tokencache; do
  case $m in
    webhook) yl="kubelet webhook cache TTL (s)" ;;
    tokencache) yl="apiserver token cache success TTL (s)" ;;
  esac
  "$OV" boundaries "$F/overlay-$m" "50 % stable boundary per version" \
    "SA traffic per node: 0.03 tokens, 0.04 req/s; 2 replications" \
    "cluster size (nodes)" "$yl" 1 1 \
    "1.12=$R/map-$m/k8s-1.12/regions.csv" \
    "1.12 certificate=$R/map-$m/certificate/regions.csv" \
    "1.14 informer=$R/map-$m/k8s-1.14/regions.csv" \
    "1.17 no limit=$R/map-$m/k8s-1.17/regions.csv" \
    "1.18 coalescing=$R/map-$m/k8s-1.18/regions.csv"
done
"$OV" curves "$F/capacity-curves" "P(stable) after a cache flush, per version" \
  "default TTLs; SA traffic per node: 0.03 tokens, 0.04 req/s; 3 replications" \
  "cluster size (nodes)" "P(stable)" 1 0 \
  "1.12=$R/capacity/k8s-1.12/regions.csv" \
  "1.12 cap 400=$R/capacity/inflight-400/regions.csv" \
  "1.12 cap 800=$R/capacity/inflight-800/regions.csv" \
  "1.12 certificate=$R/capacity/certificate/regions.csv" \
  "1.14 informer=$R/capacity/k8s-1.14/regions.csv" \
  "1.17 no limit=$R/capacity/k8s-1.17/regions.csv" \
  "1.18 coalescing=$R/capacity/k8s-1.18/regions.csv"
"$OV" curves "$F/sens-sa-rate" "Token vs certificate auth: other SA traffic" \
  "5000 nodes, cache flush, 150 SA tokens; 3 reps, 95 % CP bands" \
  "other SA-token requests (req/s)" "P(stable)" 0 0 \
  "token=$R/sens-sa-rate/token/regions.csv" "certificate=$R/sens-sa-rate/certificate/regions.csv"
"$OV" curves "$F/sens-cap" "Token vs certificate auth: mutating cap" \
  "5000 nodes, no other SA traffic, 60 s SA burst; 3 reps, 95 % CP" \
  "mutating inflight cap" "P(stable)" 0 0 \
  "token=$R/sens-cap/token/regions.csv" "certificate=$R/sens-cap/certificate/regions.csv"
