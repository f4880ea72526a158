#!/bin/sh
# Regenerates every figure and every number of the paper from the shipped configs with fixed
# seeds. Raw results go to results/paper/, figures (PDF for the paper, PNG for the README) and
# CSV tables to paper/figures/, the LaTeX macros and tables to paper/numbers.tex and
# paper/figures/*.tex. About half an hour on 2 cores from scratch.
#   sh paper/figures.sh            (from the repository root, after make all): from scratch
#   sh paper/figures.sh --resume   reuse the runs already in results/paper (finish a stopped
#                                  run, or redraw after editing tables.py or a chart)
# Environment: JOBS (parallel runs, default 2), AVALANCHE (binary, default build/avalanche),
# REPS (replications of the scenario, runbook and mechanism rows, default 20).
set -eu
cd "$(dirname "$0")/.."
AV=${AVALANCHE:-build/avalanche}
J=${JOBS:-2}
N=${REPS:-20}
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
# include the incident config) into that version. Each --set is exactly what the config changes.
VERSIONS='k8s-1.12|k8s-1.12-incident.cfg|
inflight-2000|mitigation-inflight-2000.cfg|--set apiserver.max_mutating_requests_inflight=2000
certificate|mitigation-certificate.cfg|--set metrics_server.auth="certificate"
k8s-1.14|k8s-1.14-informer.cfg|--set apiserver.sa_lookup.mode="informer" --set apiserver.sa_lookup.informer_miss=0
k8s-1.17|k8s-1.17-no-loopback-limit.cfg|--set apiserver.sa_lookup.mode="unlimited"
k8s-1.18|k8s-1.18-coalesce.cfg|--set apiserver.token_cache.coalesce=true'
MAPVERSIONS='k8s-1.12 certificate k8s-1.14 k8s-1.17 k8s-1.18'
sets_of() { echo "$VERSIONS" | awk -F'|' -v n="$1" '$1 == n { print $3 }'; }

"$AV" --version > "$F/version.txt"

# runs NAME CONFIG [--set ...]: N replications of a shipped config (avalanche run --replication)
# into $R/runs/NAME/rK, in parallel; a finished one (summary.csv) is kept.
runs() {
  name=$1; cfg=$2; shift 2
  r=0
  while [ $r -lt "$N" ]; do
    [ -f "$R/runs/$name/r$r/summary.csv" ] || printf '%s\n' "$r"
    r=$((r + 1))
  done | xargs -r -P "$J" -I{} sh -c \
    '"$0" run "$@" --replication {} --set "plot.formats=[\"png\",\"pdf\"]" --set plot.width=470 --out "'"$R"'/runs/'"$name"'/r{}" --quiet' \
    "$AV" "configs/$cfg" "$@"
}

# Charts are drawn at the size the paper prints them (plot.width, points; \textwidth is 470 pt):
# dashboards 470, maps 400; the LaTeX includes them at their natural size.
sweep() { # out config sets...
  out=$1; cfg=$2; shift 2
  set -- "$@" --set plot.width=400
  if [ -f "$out/regions.csv" ] && [ ! -f "$out/.partial" ]; then return 0; fi
  mkdir -p "$out"; touch "$out/.partial"
  if [ -f "$out/points.csv" ]; then
    eval "\"$AV\" sweep \"$cfg\" $* -j $J --out \"$out\" --resume --quiet"
  else
    eval "\"$AV\" sweep \"$cfg\" $* -j $J --out \"$out\" --quiet"
  fi
  rm -f "$out/.partial"
}

# 1. The incident and its runbook, N replications each (O1-O6): the scenario configs from the
#    start of the run, the runbook replayed during the failure, and its steps one at a time.
log "scenarios and runbook"
echo "$VERSIONS" | while IFS='|' read -r name cfg sets; do runs "scen-$name" "$cfg"; done
runs scen-k8s-1.12-3000 k8s-1.12-incident.cfg --set cluster.nodes=3000
for v in "" -restart -certificate -informer -unlimited; do
  runs "runbook$v" "k8s-1.12-runbook$v.cfg"
done
cp "$R/runs/scen-k8s-1.12/r0/timeseries.pdf" "$F/incident-timeseries.pdf"
cp "$R/runs/scen-k8s-1.12/r0/timeseries.png" "$F/incident-timeseries.png"
cp "$R/runs/runbook/r0/timeseries.pdf" "$F/runbook-timeseries.pdf"
cp "$R/runs/runbook/r0/timeseries.png" "$F/runbook-timeseries.png"
cp "$R/runs/runbook-certificate/r0/timeseries.pdf" "$F/runbook-certificate-timeseries.pdf"
cp "$R/runs/runbook-certificate/r0/timeseries.png" "$F/runbook-certificate-timeseries.png"

# 2. The mechanism study: which mechanism makes metrics-server's token decisive? One point, 5000
#    nodes, N replications, per row: token auth, certificate auth, and token switched to
#    certificate 10 minutes after the burst (paper-mechanisms-switch.cfg). name | --set | what.
#    Sourced values and ASSUMPTIONS are named in the paper's table (tables.py MECHANISMS).
MECH='defaults|--set apiserver.max_mutating_requests_inflight=200 --set sa_clients.rate_per_node=0 --set sa_clients.tokens_per_node=0
sa-10|--set apiserver.max_mutating_requests_inflight=200 --set sa_clients.rate_per_node=0.002
sa-20|--set apiserver.max_mutating_requests_inflight=200
sa-15|--set apiserver.max_mutating_requests_inflight=200 --set sa_clients.rate_per_node=0.003
sa-25|--set apiserver.max_mutating_requests_inflight=200 --set sa_clients.rate_per_node=0.005
sa-30|--set apiserver.max_mutating_requests_inflight=200 --set sa_clients.rate_per_node=0.006
sa-35|--set apiserver.max_mutating_requests_inflight=200 --set sa_clients.rate_per_node=0.007
sa-40|--set apiserver.max_mutating_requests_inflight=200 --set sa_clients.rate_per_node=0.008
cap-500|--set apiserver.max_mutating_requests_inflight=500
cap-1000|
cpu-16|--set apiserver.max_mutating_requests_inflight=200 --set apiserver.cpu.cores=16
cpu-64|--set apiserver.max_mutating_requests_inflight=200 --set apiserver.cpu.cores=64
lru|--set apiserver.max_mutating_requests_inflight=200 --set sa_clients.tokens_per_node=1
lru-off|--set apiserver.max_mutating_requests_inflight=200 --set sa_clients.tokens_per_node=1 --set apiserver.token_cache.max_entries=0
fail-60|--set apiserver.max_mutating_requests_inflight=200 --set apiserver.sa_lookup.fail_after=60
replicas-3|--set apiserver.replicas=3'
echo "$MECH" | while IFS='|' read -r name sets; do
  log "mechanism $name"
  sweep "$R/mech/$name/token" configs/paper-mechanisms.cfg "$sets"
  sweep "$R/mech/$name/certificate" configs/paper-mechanisms.cfg "$sets --set metrics_server.auth=\\\"certificate\\\""
  sweep "$R/mech/$name/switch" configs/paper-mechanisms-switch.cfg "$sets"
done

# 3. Hysteresis: the other SA traffic ramped up from health and down from the failure, at the
#    1.12 default cap and at the incident's business cap.
log "hysteresis"
for cap in 200 1000; do
  for d in up down; do
    out="$R/hysteresis/$d-$cap"
    [ -f "$out/summary.csv" ] || "$AV" run "configs/paper-hysteresis-$d.cfg" \
      --set apiserver.max_mutating_requests_inflight=$cap --out "$out" --quiet
  done
done

# 4. Capacity on a grid: one axis over cluster.nodes per version (5 replications).
for name in $(echo "$VERSIONS" | cut -d'|' -f1); do
  log "capacity $name"
  sweep "$R/capacity/$name" configs/paper-capacity.cfg "$(sets_of "$name")"
done

# 4b. The same question answered by bisection (avalanche capacity, capacity group of
#     paper-capacity.cfg): the shipped version configs side by side, in the paper's shortened
#     scenario (paper-short.cfg's keys as --set), P(stable) >= 0.9 at 95 % confidence.
log "capacity search"
SHORT='--set sim.duration=900 --set sim.warmup=100 --set sim.max_duration=7200 --set trigger.at=200 --set health.recovery_window=300'
CAPK='--set capacity.key=cluster.nodes --set capacity.from=500 --set capacity.to=12000 --set capacity.target=0.9 --set capacity.batch=10 --set capacity.max_runs=40 --set capacity.tolerance=0.005'
if [ ! -f "$R/capacity-search/capacity.csv" ]; then
  # shellcheck disable=SC2086
  "$AV" capacity $(echo "$VERSIONS" | cut -d'|' -f2 | sed 's|^|configs/|') $SHORT $CAPK \
    --set "plot.formats=[\"png\",\"pdf\"]" --set plot.width=470 -j "$J" --quiet \
    --out "$R/capacity-search"
fi

# 5. Stability maps: cluster size x token cache TTL per version; x webhook cache TTL for 1.12.
for name in $MAPVERSIONS; do
  log "map tokencache $name"
  sweep "$R/map-tokencache/$name" configs/paper-map-tokencache.cfg "$(sets_of "$name")"
done
log "map webhook k8s-1.12"
sweep "$R/map-webhook/k8s-1.12" configs/paper-map-webhook.cfg ""

# 5b. The stock chart of the README (configs/stability.cfg, `make run`).
log "stock chart"
if [ ! -f "$R/stability/regions.csv" ]; then
  a=$(date +%s.%N)
  sweep "$R/stability" configs/stability.cfg ""
  b=$(date +%s.%N)
  echo "$a $b $J" | awk '{ printf "%.2f %d\n", $2 - $1, $3 }' > "$R/stability/wall.txt"
fi

# 5c. The fluid model on the same three maps (sweep --method fluid), its agreement with the
#     simulated maps (paper/tools/agreement.py) and its speed: medians of 5 whole commands each,
#     the stock chart's simulated sweep timed once as run above (wall.txt).
log "fluid maps"
mkdir -p "$R/fluid"
rm -f "$R/fluid/agreement.csv"
for m in stability:configs/stability.cfg map-tokencache:configs/paper-map-tokencache.cfg \
         map-webhook:configs/paper-map-webhook.cfg; do
  name=${m%%:*}; cfg=${m#*:}
  des=$R/$name; [ "$name" = stability ] || des=$R/$name/k8s-1.12
  "$AV" sweep "$cfg" --method fluid --set plot.width=400 --quiet --out "$R/fluid/$name"
  python3 paper/tools/agreement.py "$des" "$R/fluid/$name" --name "$name" --csv "$R/fluid/agreement.csv" > "$R/fluid/$name.txt"
  "$AV" plot "$des" --overlay "$R/fluid/$name" --label "fluid model"
  cp "$des/stability.pdf" "$F/fluid-overlay-$name.pdf"
  cp "$des/stability.png" "$F/fluid-overlay-$name.png"
done
for i in 1 2 3 4 5; do
  a=$(date +%s.%N)
  "$AV" sweep configs/stability.cfg --method fluid --quiet --out "$R/fluid/timing" >/dev/null
  b=$(date +%s.%N)
  echo "$a $b" | awk '{ printf "%.4f\n", $2 - $1 }'
done > "$R/fluid/fluid-seconds.txt"

# 5d. Today's control plane: the incident's traffic under 1.12, 1.20 (APF) and a current release,
#     with 1 and 3 apiserver replicas: N replications of the 5000-node scenario and the size x
#     token TTL map of each; and 1.12 with only the current APF objects (apf-only), which separates
#     what today's APF does from the release's other changes. 1.12 with one replica is sections 1
#     and 5 (scen-k8s-1.12 and map-tokencache/k8s-1.12).
TODAY='k8s-1.12|k8s-1.12-incident.cfg|paper-map-tokencache.cfg
k8s-1.20|k8s-1.20-apf.cfg|paper-map-k8s-1.20.cfg
k8s-current|k8s-current.cfg|paper-map-k8s-current.cfg
apf-only|paper-apf-current-only.cfg|paper-map-apf-current-only.cfg'
log "today's control plane"
# (runs and sweep set name, cfg, out and r: this loop's variables are its own)
echo "$TODAY" | while IFS='|' read -r t_name t_cfg t_map; do
  for t_reps in 1 3; do
    [ "$t_name-$t_reps" = k8s-1.12-1 ] && continue
    runs "today-$t_name-r$t_reps" "$t_cfg" --set apiserver.replicas=$t_reps
    sweep "$R/today/$t_name-r$t_reps" "configs/$t_map" "--set apiserver.replicas=$t_reps"
  done
done

# 5e. The verdicts checked. (a) Every run the scenarios, today's runs and the mechanism study
#     call metastable or unresolved is run again to 8 hours with judging only at the end
#     (sim.duration = sim.max_duration = 28800 s, so no early stop): $R/long/NAME/rR.
#     (b) Every run stopped early as metastable is run again to its own horizon without early
#     stop (sim.duration = its sim.max_duration): $R/horizon/NAME/rR, the early stop's agreement.
log "long-horizon checks"
LONG_S=28800
# verdict_jobs NAME CONFIG SETS CSV...: one line "NAME|CONFIG|R|SETS|HORIZON|EARLY" per metastable
# or unresolved row of the CSVs (HORIZON: the row's sim.max_duration, from the resolved config
# beside it; EARLY: 1 when the row stopped early as metastable)
verdict_jobs() {
  l_name=$1; l_cfg=$2; l_sets=$3; shift 3
  for l_csv in "$@"; do
    [ -f "$l_csv" ] || continue
    l_h=$(awk '$1 == "max_duration" { gsub(/;/, "", $3); print $3 + 0; exit }' "$(dirname "$l_csv")/config.resolved.cfg")
    awk -F, -v n="$l_name" -v c="$l_cfg" -v s="$l_sets" -v h="$l_h" '
      NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "class") k = i; if ($i == "replication") r = i
                                            if ($i == "end_time") e = i } next }
      $k == "metastable" || $k == "unresolved" {
        print n "|" c "|" $r "|" s "|" h "|" ($k == "metastable" && $e + 0 < h ? 1 : 0) }' "$l_csv"
  done
}
{
  echo "$VERSIONS" | while IFS='|' read -r l_v l_c l_s; do
    verdict_jobs "scen-$l_v" "configs/$l_c" "" "$R"/runs/scen-"$l_v"/r*/summary.csv
  done
  verdict_jobs today-apf-only-r1 configs/paper-apf-current-only.cfg "" "$R"/runs/today-apf-only-r1/r*/summary.csv
  echo "$MECH" | while IFS='|' read -r l_m l_s; do
    verdict_jobs "mech-$l_m" configs/paper-mechanisms.cfg "$l_s" "$R/mech/$l_m/token/points.csv"
  done
} > "$R/long-jobs.txt"
# one line "DIR|CONFIG|R|SETS|SECONDS" per run still to do, then run them J at a time
while IFS='|' read -r l_name l_cfg l_r l_sets l_h l_early; do
  [ -f "$R/long/$l_name/r$l_r/summary.csv" ] ||
    printf '%s|%s|%s|%s|%s\n' "long/$l_name/r$l_r" "$l_cfg" "$l_r" "$l_sets" "$LONG_S"
  [ "$l_early" = 1 ] && [ ! -f "$R/horizon/$l_name/r$l_r/summary.csv" ] &&
    printf '%s|%s|%s|%s|%s\n' "horizon/$l_name/r$l_r" "$l_cfg" "$l_r" "$l_sets" "$l_h"
done < "$R/long-jobs.txt" | xargs -r -P "$J" -I{} sh -c '
  IFS="|"; set -- $1; IFS=" "
  eval "\"$0\" run \"$2\" --replication $3 $4 --set sim.duration=$5 --set sim.max_duration=$5 \
    --set \"plot.formats=[\\\"png\\\"]\" --out \"'"$R"'/$1\" --quiet"' "$AV" {}

# 6. Closed-form validation table.
log "validation"
if [ -x build/tests/test_validation ]; then
  build/tests/test_validation 2>&1 | grep '^validation:' > "$R/validation.txt" || true
fi
for t in model_apf replicas; do # APF and replicas through the full model (z = 4 intervals)
  if [ -x "build/tests/test_$t" ]; then
    "build/tests/test_$t" 2>&1 | grep '^validation:' > "$R/validation-$t.txt" || true
  fi
done
if [ -x build/tests/test_classify ]; then
  build/tests/test_classify 2>&1 | grep -E '^(validation|agreement):' > "$R/classify.txt" || true
fi

# 7. Figures and numbers.
log "figures"
for name in $MAPVERSIONS; do
  cp "$R/map-tokencache/$name/stability.pdf" "$F/map-tokencache-$name.pdf"
  cp "$R/map-tokencache/$name/stability.png" "$F/map-tokencache-$name.png"
done
cp "$R/stability/stability.png" "$F/stability.png"
cp "$R/map-webhook/k8s-1.12/stability.pdf" "$F/map-webhook-k8s-1.12.pdf"
cp "$R/map-webhook/k8s-1.12/stability.png" "$F/map-webhook-k8s-1.12.png"
for name in $(echo "$VERSIONS" | cut -d'|' -f1); do
  cp "$R/capacity/$name/stability.pdf" "$F/capacity-$name.pdf"
  cp "$R/capacity/$name/stability.png" "$F/capacity-$name.png"
done
cp "$R/capacity-search/capacity.pdf" "$F/capacity-search.pdf"
cp "$R/capacity-search/capacity.png" "$F/capacity-search.png"
for v in k8s-1.20 k8s-current apf-only; do
  for r in 1 3; do
    cp "$R/today/$v-r$r/stability.pdf" "$F/today-$v-r$r.pdf"
    cp "$R/today/$v-r$r/stability.png" "$F/today-$v-r$r.png"
  done
done
cp "$R/today/k8s-1.12-r3/stability.pdf" "$F/today-k8s-1.12-r3.pdf"
cp "$R/today/k8s-1.12-r3/stability.png" "$F/today-k8s-1.12-r3.png"
cp "$R/runs/today-k8s-1.20-r1/r0/timeseries.pdf" "$F/today-k8s-1.20-timeseries.pdf"
cp "$R/runs/today-k8s-1.20-r1/r0/timeseries.png" "$F/today-k8s-1.20-timeseries.png"
sh paper/overlay.sh "$R" "$F"
python3 paper/tables.py "$R" "$F" paper/numbers.tex
log "done"
