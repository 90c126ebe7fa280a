#!/usr/bin/env bash
# Starts the committed nano agents (models/nano-selfaware) and the gateway as plain processes on 127.0.0.1, for the
# fault and load checks of docs/reliability.md. No Aspire: each process gets its discovery entries as environment
# variables (services__agent-2__http__0=...), exactly the keys the AppHost sets.
#   scripts/reliability/network.sh start [BASE_PORT]   # agents on BASE_PORT+1..5, gateway on BASE_PORT (default 18080)
#   scripts/reliability/network.sh stop
# Extra gateway settings pass through GATEWAY_ENV ("Gateway__DegradedAnswers=Refuse ..."), extra agent settings
# through AGENT_ENV. Pids and logs go to ${RUN_DIR:-/tmp/disrouter-net}.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR=${RUN_DIR:-/tmp/disrouter-net}
BASE=${2:-18080}
COSTS=(0.1 0.2 0.4 0.7 0.9)
KEY=${DISROUTER_API_KEY:-disrouter-local}

start() {
  mkdir -p "$RUN_DIR"
  local agents_dll=DiSRouter.Agents/bin/Release/net10.0/DiSRouter.Agents.dll
  local gateway_dll=DiSRouter.Gateway/bin/Release/net10.0/DiSRouter.Gateway.dll
  [[ -f $agents_dll && -f $gateway_dll ]] || { echo "build first: dotnet build DiSRouter.Gateway -c Release; dotnet build DiSRouter.Agents -c Release" >&2; exit 1; }
  local discovery=()
  for i in 1 2 3 4 5; do discovery+=("services__agent-${i}__http__0=http://127.0.0.1:$((BASE + i))"); done
  for i in 1 2 3 4 5; do
    local succ=()
    for j in $(seq $((i + 1)) 5); do succ+=("Agent__Successors__$((j - i - 1))=agent-$j"); done
    env "${discovery[@]}" "${succ[@]}" ${AGENT_ENV:-} \
      ASPNETCORE_URLS="http://127.0.0.1:$((BASE + i))" Agent__Name="agent-$i" Agent__Cost="${COSTS[$((i - 1))]}" \
      Agent__Checkpoint="models/nano-selfaware/nano-$i" Logging__LogLevel__Default=Warning \
      dotnet "$agents_dll" > "$RUN_DIR/agent-$i.log" 2>&1 &
    echo $! > "$RUN_DIR/agent-$i.pid"
  done
  local list=()
  for i in 1 2 3 4 5; do list+=("Gateway__Agents__$((i - 1))=agent-$i"); done
  env "${discovery[@]}" "${list[@]}" ${GATEWAY_ENV:-} \
    ASPNETCORE_URLS="http://127.0.0.1:$BASE" Gateway__EntryAgent=agent-1 DISROUTER_API_KEY="$KEY" Logging__LogLevel__Default=Warning \
    Gateway__Ledger__Directory="${LEDGER_DIR:-$RUN_DIR/ledger-$BASE}" \
    dotnet "$gateway_dll" > "$RUN_DIR/gateway.log" 2>&1 &
  echo $! > "$RUN_DIR/gateway.pid"
  for _ in $(seq 1 240); do
    if curl -sf "http://127.0.0.1:$BASE/health" > /dev/null; then echo "ready: http://127.0.0.1:$BASE (key $KEY)"; return 0; fi
    sleep 0.5
  done
  echo "the network did not become healthy in 120 s; logs in $RUN_DIR" >&2
  return 1
}

stop() {
  for f in "$RUN_DIR"/*.pid; do
    [[ -f $f ]] || continue
    kill "$(cat "$f")" 2> /dev/null || true
    rm -f "$f"
  done
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start [BASE_PORT] | stop" >&2; exit 2 ;;
esac
