#!/usr/bin/env bash
# The fault checks of docs/reliability.md on the committed nano agents, over loopback, each bounded in time:
#   1. a middle agent (agent-3) killed with SIGKILL 10 s into a 40 s load: no failed request; skips marked degraded
#   2. then the last agent (agent-5) killed too, 20 s of load: the five-hop query answered by agent-4, marked degraded
#   3. a fresh network with Gateway:DegradedAnswers=Refuse, agent-5 killed, 30 s of load: those queries get 503
# Each network is warmed up with 15 s of load first (a cold agent's first generations include JIT time).
# Prints /health after each kill and the ledger's per-key totals. Usage: scripts/reliability/faults.sh [BASE_PORT]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR=${RUN_DIR:-/tmp/disrouter-net}
BASE=${1:-18180}
NET=scripts/reliability/network.sh
trap '$NET stop' EXIT
export GATEWAY_ENV="Gateway__AdminKeys__0=admin-local"
# 2 connections with 150 ms think time each (mix.lua) stay under 14 requests/s, below the key's 20/s rate limit,
# so every non-200 is the fault's and none the limiter's
export DELAY_MS=${DELAY_MS:-150}
load() { wrk -t1 -c2 -d"$1" --timeout 60s -s scripts/reliability/mix.lua "http://127.0.0.1:$BASE" | grep -E "status|degraded|p50|requests in|Socket errors"; }
health() { echo "gateway /health: $(curl -s "http://127.0.0.1:$BASE/health")"; }
warm() { wrk -t1 -c2 -d15s --timeout 60s -s scripts/reliability/mix.lua "http://127.0.0.1:$BASE" > /dev/null; echo "warmed up (15 s of load, not counted)"; }
kill9() { kill -9 "$(cat "$RUN_DIR/$1.pid")"; rm -f "$RUN_DIR/$1.pid"; echo "killed $1 (SIGKILL) at $(date +%T)"; }

echo "== 1. middle agent killed under load (load average $(cut -d' ' -f1 /proc/loadavg))"
$NET start "$BASE"
warm
( sleep 10; kill9 agent-3 ) &
load 40s
health

echo "== 2. last agent killed as well (policy Answer, the default)"
kill9 agent-5
sleep 2
load 20s
health
echo "ledger: $(curl -s -H 'Authorization: Bearer admin-local' "http://127.0.0.1:$BASE/admin/ledger" | python3 -c 'import json,sys; print(json.load(sys.stdin)["keys"])')"
$NET stop

echo "== 3. last agent killed, policy Refuse"
export GATEWAY_ENV="Gateway__DegradedAnswers=Refuse"
$NET start "$BASE"
warm
kill9 agent-5
sleep 2
load 30s
health
