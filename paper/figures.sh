#!/bin/sh
# Regenerates every figure and every number of the paper from the shipped configs with fixed
# seeds. Raw results go to results/paper/, figures (PDF for the paper, PNG for the README) and
# CSV tables to paper/figures/, the LaTeX macros and tables to paper/numbers.tex and
# paper/figures/*.tex. About 5-10 minutes on 2 cores (273 s measured from scratch).
#   sh paper/figures.sh            (from the repository root, after make all): from scratch
#   sh paper/figures.sh --resume   reuse the runs already in results/paper (finish a stopped
#                                  run, or redraw after editing numbers.py or overlay.c)
# Environment: JOBS (parallel runs, default 2), AVALANCHE (binary, default build/avalanche).
set -eu
cd "$(dirname "$0")/.."
AV=${AVALANCHE:-build/avalanche}
J=${JOBS:-2}
R=results/paper
F=paper/figures
[ -x "$AV" ] || { echo "figures.sh: $AV missing: run make all first" >&2; exit 2; }
case "${1:-}" in
  --resume) ;;
  "") rm -rf "$R" ;;
  *) echo "usage: sh paper/figures.sh [--resume]" >&2; exit 2 ;;
esac
mkdir -p "$R" "$F"
t0=$(date +%s)
log() { echo "figures.sh [$(( $(date +%s) - t0 )) s] $*" >&2; }

# Versions and mitigations: name | shipped config | the --set that makes paper-*.cfg (which
# include the 1.12 config) into that version. Each --set is exactly what the config changes.
VERSIONS='k8s-1.12|k8s-1.12-incident.cfg|
inflight-400|mitigation-inflight-400.cfg|--set apiserver.max_mutating_requests_inflight=400
inflight-800|mitigation-inflight-800.cfg|--set apiserver.max_mutating_requests_inflight=800
certificate|mitigation-certificate.cfg|--set metrics_server.auth="certificate"
k8s-1.14|k8s-1.14-informer.cfg|--set apiserver.sa_lookup.mode="informer" --set apiserver.sa_lookup.informer_miss=0
k8s-1.17|k8s-1.17-no-loopback-limit.cfg|--set apiserver.sa_lookup.mode="unlimited"
k8s-1.18|k8s-1.18-coalesce.cfg|--set apiserver.token_cache.coalesce=true'
MAPVERSIONS='k8s-1.12 certificate k8s-1.14 k8s-1.17 k8s-1.18'
sets_of() { echo "$VERSIONS" | awk -F'|' -v n="$1" '$1 == n { print $3 }'; }

"$AV" --version > "$F/version.txt"

# 1. Scenario table: every scenario config at 5000 nodes, seeds 1-5, full 1800 s runs.
log "scenarios"
echo "$VERSIONS" | while IFS='|' read -r name cfg sets; do
  for s in 1 2 3 4 5; do
    [ -f "$R/scen/$name/s$s/summary.csv" ] || echo "$name $cfg $s"
  done
done | xargs -r -P "$J" -n 3 sh -c \
  '"$0" run configs/$2 --seed $3 --set "plot.formats=[\"png\",\"pdf\"]" --out '"$R"'/scen/$1/s$3 --quiet' "$AV"
cp "$R/scen/k8s-1.12/s1/timeseries.pdf" "$F/incident-timeseries.pdf"
cp "$R/scen/k8s-1.12/s1/timeseries.png" "$F/incident-timeseries.png"
cp "$R/scen/certificate/s1/timeseries.pdf" "$F/certificate-timeseries.pdf"
cp "$R/scen/certificate/s1/timeseries.png" "$F/certificate-timeseries.png"

sweep() { # out config sets...
  out=$1; cfg=$2; shift 2
  if [ -f "$out/regions.csv" ] && [ ! -f "$out/.partial" ]; then return 0; fi
  mkdir -p "$out"; touch "$out/.partial"
  if [ -f "$out/points.csv" ]; then
    eval "\"$AV\" sweep \"$cfg\" $* -j $J --out \"$out\" --resume --quiet"
  else
    eval "\"$AV\" sweep \"$cfg\" $* -j $J --out \"$out\" --quiet"
  fi
  rm -f "$out/.partial"
}

# 2. Capacity: one axis over cluster.nodes per version (3 replications).
for name in $(echo "$VERSIONS" | cut -d'|' -f1); do
  log "capacity $name"
  sweep "$R/capacity/$name" configs/paper-capacity.cfg "$(sets_of "$name")"
done

# 3. Sensitivity: SA request rate (cache flush) and mutating cap (burst, no SA traffic), for
#    token and certificate auth of metrics-server.
for auth in token certificate; do
  log "sensitivity $auth"
  sweep "$R/sens-sa-rate/$auth" configs/paper-sens-sa-rate.cfg "--set metrics_server.auth=\\\"$auth\\\""
  sweep "$R/sens-cap/$auth" configs/paper-sens-cap.cfg "--set metrics_server.auth=\\\"$auth\\\""
done

# 4. Stability maps: cluster size x webhook cache TTL and x token cache TTL per version.
for name in $MAPVERSIONS; do
  for m in webhook tokencache; do
    log "map $m $name"
    sweep "$R/map-$m/$name" "configs/paper-map-$m.cfg" "$(sets_of "$name")"
  done
done

# 5. Closed-form validation table.
log "validation"
if [ -x build/tests/test_validation ]; then
  build/tests/test_validation 2>&1 | grep '^validation:' > "$R/validation.txt" || true
fi

# 6. Figures and numbers.
log "figures"
for m in webhook tokencache; do
  for name in $MAPVERSIONS; do
    cp "$R/map-$m/$name/stability.pdf" "$F/map-$m-$name.pdf"
    cp "$R/map-$m/$name/stability.png" "$F/map-$m-$name.png"
  done
done
for name in $(echo "$VERSIONS" | cut -d'|' -f1); do
  cp "$R/capacity/$name/stability.pdf" "$F/capacity-$name.pdf"
  cp "$R/capacity/$name/stability.png" "$F/capacity-$name.png"
done
for auth in token certificate; do
  for s in sens-sa-rate sens-cap; do
    cp "$R/$s/$auth/stability.pdf" "$F/$s-$auth.pdf"
    cp "$R/$s/$auth/stability.png" "$F/$s-$auth.png"
  done
done
sh paper/overlay.sh "$R" "$F"
python3 paper/tables.py "$R" "$F" paper/numbers.tex
log "done"
