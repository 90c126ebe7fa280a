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
