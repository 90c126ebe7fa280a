#!/usr/bin/env bash
# The answering agent killed mid-stream over many streams (midstream-kill.py): the network of network.sh with its
# agent-5 replaced by a slow streaming agent that is SIGKILLed once every stream has its first words. Prints the load
# average, each round's outcome per client (error event / [DONE] / lost / hung) and the gateway ledger's totals.
# Usage: scripts/reliability/midstream-kill.sh [BASE_PORT] [ROUNDS] [STREAMS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR=${RUN_DIR:-/tmp/disrouter-net}
BASE=${1:-18480}
NET=scripts/reliability/network.sh
trap '$NET stop' EXIT
echo "== $(date -u +%FT%TZ) load average at the start: $(cut -d' ' -f1-3 /proc/loadavg); command: $0 $*"
GATEWAY_ENV="Gateway__AdminKeys__0=admin-local" $NET start "$BASE"
kill "$(cat "$RUN_DIR/agent-5.pid")"; rm -f "$RUN_DIR/agent-5.pid"
sleep 1
python3 scripts/reliability/midstream-kill.py --port "$BASE" --agent-port $((BASE + 5)) --rounds "${2:-5}" --streams "${3:-20}"
echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
