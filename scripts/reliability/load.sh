#!/usr/bin/env bash
# Load through the gateway on loopback with wrk and the request mix of mix.lua, sampling every process's RSS.
#   DELAY_MS=250 scripts/reliability/load.sh DURATION CONNECTIONS [BASE_PORT]    e.g. load.sh 180s 4
# DELAY_MS is each connection's pause between requests (mix.lua): 4 connections at 250 ms stay under 16 requests/s.
# Needs a running network (network.sh start). Prints wrk's figures, the mix's statuses, and RSS per process over time.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR=${RUN_DIR:-/tmp/disrouter-net}
DURATION=${1:-60s}
CONNECTIONS=${2:-2}
BASE=${3:-18080}
echo "$(date -u '+%F %T UTC') load.sh $DURATION $CONNECTIONS $BASE, DELAY_MS=${DELAY_MS:-0}, $(nproc) cores"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
rss() {
  local line="t=$(( $(date +%s) - START ))s"
  for f in "$RUN_DIR"/*.pid; do
    local pid; pid=$(cat "$f")
    line+=" $(basename "$f" .pid)=$(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2> /dev/null || echo 0) / 1024 ))MB"
  done
  echo "$line"
}
START=$(date +%s)
( while true; do rss; sleep 15; done ) > "$RUN_DIR/rss.txt" &
SAMPLER=$!
trap 'kill $SAMPLER 2> /dev/null || true' EXIT
wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 60s --latency -s scripts/reliability/mix.lua "http://127.0.0.1:$BASE"
rss >> "$RUN_DIR/rss.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RSS (MB) every 15 s:"
cat "$RUN_DIR/rss.txt"
# Per process: the first sample, the peak (and when), the end, and the growth over the run's second half (past warm-up):
# "memory flat" means that last figure stays within a few MB.
awk '{ t = substr($1, 3) + 0; for (i = 2; i <= NF; i++) { split($i, kv, "="); p = kv[1]; mb = kv[2] + 0
         if (!(p in first)) { first[p] = mb; order[++n] = p }
         if (mb > peak[p]) { peak[p] = mb; peak_t[p] = t }
         last[p] = mb; samples[p, ++count[p]] = mb; times[p, count[p]] = t } }
     END { printf "RSS summary (MB): process first -> peak (at s) -> end; change over the second half\n"
           for (k = 1; k <= n; k++) { p = order[k]; half = samples[p, int((count[p] + 1) / 2)]
             printf "  %-8s %4d -> %4d (%4d s) -> %4d; second half %+d (from %d at %d s)\n", p, first[p], peak[p], peak_t[p], last[p], last[p] - half, half, times[p, int((count[p] + 1) / 2)] } }' "$RUN_DIR/rss.txt"
