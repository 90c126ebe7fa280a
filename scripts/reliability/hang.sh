#!/usr/bin/env bash
# A middle agent (agent-3) hung under load (SIGSTOP, then SIGCONT): how fast requests move on, and whether anything
# fails. Default settings (Agent:ForwardTimeoutSeconds 30, Agent:SuccessorBreakSeconds 30, commit budgets). Prints
# the load average, hang.py's figures per phase, the gateway's /health mid-hang, and every circuit-breaker event of the
# standard resilience handler found in the agents' logs. Usage: scripts/reliability/hang.sh [BASE_PORT]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR=${RUN_DIR:-/tmp/disrouter-net}
BASE=${1:-18380}
NET=scripts/reliability/network.sh
trap '$NET stop "$BASE"' EXIT
echo "== $(date -u +%FT%TZ) load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   command: $0 $*  (HANG_ARGS: ${HANG_ARGS:-defaults})"
$NET start "$BASE"
DELAY_MS=250 wrk -t1 -c4 -d15s --timeout 60s -s scripts/reliability/mix.lua "http://127.0.0.1:$BASE" > /dev/null
echo "warmed up (15 s of load, not counted)"
python3 scripts/reliability/hang.py --port "$BASE" --pid-file "$RUN_DIR/agent-3.pid" ${HANG_ARGS:-}
echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "circuit-breaker events in the agents' logs (the standard resilience handler):"
grep -h -i -E "circuit|OnCircuit" "$RUN_DIR"/agent-*.log | head -20 || echo "  none"
echo "successor timeouts and skips logged by agent-2:"
grep -c -E "agent-3" "$RUN_DIR/agent-2.log" || true
