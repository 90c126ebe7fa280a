#!/usr/bin/env bash
# The training job killed with SIGKILL during publish, with an agent serving from the directory it publishes into.
#   scripts/reliability/publish-kill.sh [KILLS] [PORT]        e.g. publish-kill.sh 100 18290
# Two committed checkpoints take turns: A = models/nano-selfaware/nano-5 (with decision.json), B = models/nano-pool/nano-5
# (without). Each round starts `DiSRouter.Training job publish --from X --to SERVING` (the publish a job ends with),
# waits until its staging folder appears beside SERVING, sleeps a random part of one publish's span and sends SIGKILL.
# Then: SERVING must hold A or B whole (sha256 of every file; a mix would be e.g. A's thresholds beside B's weights), the
# agent must still answer, and a publish run to its end must clean up what the killed one left and succeed (its
# recovery time is printed). At the end the agent's GET /checkpoint must show no failed reload, and a fresh agent
# started on SERVING must answer. Prints every figure docs/reliability.md quotes; exits 1 on the first violation.
set -euo pipefail
cd "$(dirname "$0")/../.."
KILLS=${1:-100}
PORT=${2:-18290}
WORK=${WORK:-/tmp/disrouter-publish-kill}
TRAINING=DiSRouter.Training/bin/Release/net10.0/DiSRouter.Training.dll
AGENTS=DiSRouter.Agents/bin/Release/net10.0/DiSRouter.Agents.dll
[[ -f $TRAINING && -f $AGENTS ]] || { echo "build first: dotnet build DiSRouter.Training -c Release; dotnet build DiSRouter.Agents -c Release" >&2; exit 1; }
A=models/nano-selfaware/nano-5
B=models/nano-pool/nano-5
SERVING=$WORK/store/nano-5
AGENT_PID=

rm -rf "$WORK" && mkdir -p "$WORK/store"
stop_agent() { [[ -n $AGENT_PID ]] && kill "$AGENT_PID" 2> /dev/null && wait "$AGENT_PID" 2> /dev/null; AGENT_PID=; return 0; }
trap stop_agent EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
hashes() { (cd "$1" && sha256sum -- * | sort); }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
leftovers() { compgen -G "$WORK/store/.nano-5.*" || true; }
staged() { compgen -G "$WORK/store/.nano-5.publish-*" > /dev/null; }
new_staging() { # a staging folder other than those a killed publish left ($killed)
  local d
  for d in $(compgen -G "$WORK/store/.nano-5.publish-*"); do [[ $killed == *"$d"* ]] || return 0; done
  return 1
}
which_one() {
  local h; h=$(hashes "$SERVING" 2> /dev/null || echo none)
  if [[ $h == "$HASH_A" ]]; then echo A; elif [[ $h == "$HASH_B" ]]; then echo B; else echo "a mix or nothing: $h"; fi
}
publish() { dotnet "$TRAINING" job publish --from "$1" --to "$SERVING"; }
start_agent() {
  ASPNETCORE_URLS="http://127.0.0.1:$PORT" Agent__Name=agent-5 Agent__Cost=0.9 Agent__Checkpoint="$SERVING" \
    Logging__LogLevel__Default=Warning dotnet "$AGENTS" >> "$WORK/agent.log" 2>&1 &
  AGENT_PID=$!
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && return 0; sleep 0.25; done
  fail "the agent on $SERVING did not become healthy in 60 s (log: $WORK/agent.log)"
}
ask() {
  curl -sf -m 60 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"messages":[{"role":"user","content":"What is 12+7?"}],"max_tokens":8}' "http://127.0.0.1:$PORT/raw/v1/chat/completions"
}

HASH_A=$(hashes "$A")
HASH_B=$(hashes "$B")
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
publish "$A" > /dev/null || fail "the first publish failed"
start_agent

# One publish unkilled, timed from its staging folder's appearance until nothing is left beside the serving directory
# (copy, check, swap, the old copy deleted): the kills land at random points of 1.2 times that span.
dotnet "$TRAINING" job publish --from "$B" --to "$SERVING" > "$WORK/span.txt" & pid=$! # the dotnet process itself, not a subshell
until staged || ! kill -0 $pid 2> /dev/null; do sleep 0.001; done
t0=$(now_ms)
while [[ -n $(leftovers) ]] && kill -0 $pid 2> /dev/null; do sleep 0.001; done
SPAN_MS=$(( $(now_ms) - t0 + 1 ))
wait $pid || fail "the timing publish failed"
echo "one publish, staging folder to nothing left beside it: $SPAN_MS ms ($(cat "$WORK/span.txt"))"

old=0 new=0 found=0 new_found=0 rec_ms=() rec_wall=()
for k in $(seq 1 "$KILLS"); do
  before=$(which_one)
  [[ $before == A ]] && next=$B nextname=B || { next=$A; nextname=A; }
  dotnet "$TRAINING" job publish --from "$next" --to "$SERVING" > /dev/null 2>&1 & pid=$!
  until staged || ! kill -0 $pid 2> /dev/null; do sleep 0.001; done
  delay_us=$(( (RANDOM * 32768 + RANDOM) % (SPAN_MS * 1200) ))
  sleep "$(printf '%d.%06d' $((delay_us / 1000000)) $((delay_us % 1000000)))"
  kill -KILL $pid 2> /dev/null || true
  wait $pid 2> /dev/null || true
  after=$(which_one)
  [[ $after == A || $after == B ]] || fail "kill $k ($delay_us us after staging began): $SERVING holds $after"
  if [[ $after == "$before" ]]; then old=$((old + 1)); else new=$((new + 1)); fi
  if [[ -n $(leftovers) ]]; then found=$((found + 1)); [[ $after == "$before" ]] || new_found=$((new_found + 1)); fi
  code=$(ask) || code=$?
  [[ $code == 200 ]] || fail "kill $k: the agent answered $code"
  # The recovering publish, also timed as above: the next kills spread over its span (the machine's speed changes).
  t0=$(now_ms)
  killed=$(leftovers)
  dotnet "$TRAINING" job publish --from "$next" --to "$SERVING" > "$WORK/recovery.txt" 2>&1 & pid=$!
  until new_staging || ! kill -0 $pid 2> /dev/null; do sleep 0.001; done
  t1=$(now_ms)
  while [[ -n $(leftovers) ]] && kill -0 $pid 2> /dev/null; do sleep 0.001; done
  SPAN_MS=$(( $(now_ms) - t1 + 1 ))
  wait $pid || fail "kill $k: the recovering publish failed: $(cat "$WORK/recovery.txt")"
  rec_wall+=($(( $(now_ms) - t0 )))
  rec_ms+=("$(sed -n 's/.*in \([0-9.]*\) ms; published.*/\1/p' "$WORK/recovery.txt")")
  [[ $(which_one) == "$nextname" ]] || fail "kill $k: after the recovering publish $SERVING holds $(which_one), not $nextname"
  [[ -z $(leftovers) ]] || fail "kill $k: leftovers after the recovering publish: $(leftovers)"
  (( k % 10 == 0 )) && echo "  $k kills: $old old, $new new checkpoints, $found left folders behind"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[1] " / " a[int((NR+1)/2)] " / " a[NR]}'; }
echo "kills: $KILLS; serving directory whole after every one: $KILLS ($old the old checkpoint, $new the new one); $found left folders beside it ($new_found of them after the swap, before the old copy was deleted)"
echo "recovery (Recover in the next publish, ms; min / median / max): $(median "${rec_ms[@]}")"
echo "recovering publish, whole process incl. dotnet start-up (ms; min / median / max): $(median "${rec_wall[@]}")"
status=$(curl -sf "http://127.0.0.1:$PORT/checkpoint")
echo "serving agent: $status"
grep -q '"reload_failure":null' <<< "$status" || fail "the serving agent reports a failed reload"
failures=$(grep -c "failed to load" "$WORK/agent.log" || true)
[[ $failures == 0 ]] || fail "the serving agent logged $failures failed reloads"
stop_agent
t0=$(now_ms)
start_agent
code=$(ask) || code=$?
[[ $code == 200 ]] || fail "a fresh agent on $SERVING answered $code"
echo "fresh agent on $SERVING: healthy and answering in $(( $(now_ms) - t0 )) ms (holds $(which_one))"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
