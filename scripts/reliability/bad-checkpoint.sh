#!/usr/bin/env bash
# An unreadable checkpoint at reload: one nano agent (agent-1) serves a copy of models/nano-selfaware/nano-1 while its
# weights are overwritten with garbage (what a bad copy or a disk error leaves), then put back. Requests go to the
# agent all along (one at a time). Prints: the requests and their statuses before, while and after; how long until
# /health said Degraded and why, and GET /checkpoint's reload_failure; how long until Healthy again after the fix.
# Usage: scripts/reliability/bad-checkpoint.sh [PORT]
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${1:-18590}
DIR=$(mktemp -d /tmp/disrouter-badckpt.XXXXXX)
cp -r models/nano-selfaware/nano-1 "$DIR/nano-1"
dll=DiSRouter.Agents/bin/Release/net10.0/DiSRouter.Agents.dll
[[ -f $dll ]] || { echo "build first: dotnet build DiSRouter.Agents -c Release" >&2; exit 1; }
echo "== $(date -u +%FT%TZ) load average at the start: $(cut -d' ' -f1-3 /proc/loadavg); command: $0 $*"
ASPNETCORE_URLS="http://127.0.0.1:$PORT" Agent__Name=agent-1 Agent__Cost=0.1 Agent__Checkpoint="$DIR/nano-1" \
  Agent__ReloadPollSeconds=1 Logging__LogLevel__Default=Warning dotnet "$dll" > "$DIR/agent.log" 2>&1 &
AGENT=$!
trap 'kill $AGENT 2> /dev/null || true; wait $AGENT 2> /dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.5; done
ask() { curl -s -o /dev/null -w "%{http_code}\n" --max-time 60 -H 'Content-Type: application/json' \
  -d '{"alpha":0.0,"messages":[{"role":"user","content":"What is 12+7?"}]}' "http://127.0.0.1:$PORT/v1/chat/completions"; }
health() { curl -s -H 'Accept: application/json' "http://127.0.0.1:$PORT/health"; }
load() { # $1 seconds of requests one at a time; prints the status counts
  local end=$((SECONDS + $1)); while ((SECONDS < end)); do ask; done | sort | uniq -c | tr '\n' ' '; echo; }
echo "before: $(load 10)"
echo "health before: $(health)"
cp "$DIR/nano-1/model.safetensors" "$DIR/good.safetensors"
head -c "$(stat -c %s "$DIR/good.safetensors")" /dev/urandom > "$DIR/nano-1/model.safetensors"
T0=$(date +%s.%N)
( load 20 > "$DIR/during" ) &
LOADER=$!
until health | grep -q '"Degraded"'; do sleep 0.2; done
echo "health Degraded $(echo "$(date +%s.%N) - $T0" | bc) s after the weights were overwritten: $(health)"
echo "GET /checkpoint: $(curl -s "http://127.0.0.1:$PORT/checkpoint")"
wait $LOADER
echo "while the checkpoint was unreadable (20 s): $(cat "$DIR/during")"
cp "$DIR/good.safetensors" "$DIR/nano-1/model.safetensors"
T1=$(date +%s.%N)
until health | grep -q '^{"status":"Healthy"'; do sleep 0.2; done
echo "health Healthy again $(echo "$(date +%s.%N) - $T1" | bc) s after the good weights were put back"
echo "after: $(load 10)"
echo "agent's log (warnings and errors, first lines):"; grep -E "^(warn|fail)" -A1 "$DIR/agent.log" | cut -c1-300 | head -6
echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
