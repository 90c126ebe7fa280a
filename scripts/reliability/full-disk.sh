#!/usr/bin/env bash
# A full disk at publish and at reload, with an agent serving from a small tmpfs (needs root: mount -t tmpfs).
#   scripts/reliability/full-disk.sh [PORT]        e.g. full-disk.sh 18295
# 1. `job publish` of a 2.3 MB checkpoint (models/nano-selfaware/nano-5) onto the tmpfs filled to 512 KB free: it must
#    fail with the system's reason, leave the serving checkpoint (models/nano-selfaware/nano-4, 1.1 MB) byte for byte
#    and nothing beside it, and the agent must go on answering with it, its reload status untouched.
# 2. The same checkpoint copied over the served files in place (as `cp` would, not the atomic publish): the disk fills
#    part way through the weights. The agent must keep answering with the old model and say why: /health Degraded,
#    GET /checkpoint with the reason.
# 3. Space freed, a publish goes through and the agent reloads: Healthy, no failure reported.
# Prints what each step saw; exits 1 on the first violation.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${1:-18295}
WORK=${WORK:-/tmp/disrouter-full-disk}
TRAINING=DiSRouter.Training/bin/Release/net10.0/DiSRouter.Training.dll
AGENTS=DiSRouter.Agents/bin/Release/net10.0/DiSRouter.Agents.dll
[[ -f $TRAINING && -f $AGENTS ]] || { echo "build first: dotnet build DiSRouter.Training -c Release; dotnet build DiSRouter.Agents -c Release" >&2; exit 1; }
OLD=models/nano-selfaware/nano-4
NEW=models/nano-selfaware/nano-5
DISK=$WORK/disk
SERVING=$DISK/store/nano-x
AGENT_PID=

cleanup() {
  [[ -n $AGENT_PID ]] && kill "$AGENT_PID" 2> /dev/null && wait "$AGENT_PID" 2> /dev/null
  mountpoint -q "$DISK" && umount -l "$DISK"
  return 0
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
hashes() { (cd "$1" && sha256sum -- * | sort); }
leftovers() { compgen -G "$DISK/store/.nano-x.*" || true; }
ask() {
  curl -s -m 60 -o "$WORK/answer.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"messages":[{"role":"user","content":"What is 12+7?"}],"max_tokens":12}' "http://127.0.0.1:$PORT/raw/v1/chat/completions"
}
checkpoint() { curl -sf "http://127.0.0.1:$PORT/checkpoint"; }
health() { curl -s "http://127.0.0.1:$PORT/health"; }

rm -rf "$WORK" && mkdir -p "$DISK"
mount -t tmpfs -o size=6m tmpfs "$DISK" || fail "mount -t tmpfs failed (needs root with CAP_SYS_ADMIN)"
dotnet "$TRAINING" job publish --from "$OLD" --to "$SERVING" > /dev/null
ASPNETCORE_URLS="http://127.0.0.1:$PORT" Agent__Name=agent-x Agent__Cost=0.9 Agent__Checkpoint="$SERVING" \
  Logging__LogLevel__Default=Warning dotnet "$AGENTS" > "$WORK/agent.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.25; done
[[ $(ask) == 200 ]] || fail "the agent does not answer"
served_answer=$(sed 's/.*"content":"\([^"]*\)".*/\1/' "$WORK/answer.json")
BEFORE=$(hashes "$SERVING")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "serving $OLD from a 6 MB tmpfs; the agent answers: \"$served_answer\""

free_kb=$(df --output=avail -k "$DISK" | tail -1)
dd if=/dev/zero of="$DISK/filler" bs=1k count=$((free_kb - 512)) status=none
echo "filled: $(df --output=avail -k "$DISK" | tail -1) KB free, $(( $(stat -c %s "$NEW/model.safetensors") / 1024 )) KB of weights to publish"

echo "--- 1. job publish onto the full disk"
set +e
out=$(dotnet "$TRAINING" job publish --from "$NEW" --to "$SERVING" 2>&1); code=$?
set -e
echo "exit code $code: $out"
[[ $code == 1 ]] || fail "the publish did not fail with exit code 1"
grep -q "No space left on device" <<< "$out" || fail "the publish does not give the reason"
[[ $(hashes "$SERVING") == "$BEFORE" ]] || fail "the serving directory changed"
[[ -z $(leftovers) ]] || fail "the failed publish left $(leftovers)"
[[ $(ask) == 200 ]] || fail "the agent stopped answering"
echo "serving directory byte for byte as before, nothing beside it; the agent answers; GET /checkpoint: $(checkpoint)"

echo "--- 2. the same checkpoint copied over the served files in place"
set +e
cp "$NEW/config.json" "$SERVING/config.json" && cp "$NEW/model.safetensors" "$SERVING/model.safetensors" 2> "$WORK/cp.txt"; code=$?
set -e
echo "cp exit code $code: $(cat "$WORK/cp.txt"); weights now $(stat -c %s "$SERVING/model.safetensors") of $(stat -c %s "$NEW/model.safetensors") bytes"
[[ $code != 0 ]] || fail "the copy fitted: fill the disk further"
status=
for _ in $(seq 1 80); do status=$(checkpoint); grep -q '"reload_failure":{' <<< "$status" && break; sleep 0.25; done
grep -q '"reload_failure":{' <<< "$status" || fail "the agent reports no failed reload: $status"
[[ $(ask) == 200 ]] || fail "the agent stopped answering"
answer=$(sed 's/.*"content":"\([^"]*\)".*/\1/' "$WORK/answer.json")
[[ $answer == "$served_answer" ]] || fail "the agent answers \"$answer\", not the old model's \"$served_answer\""
echo "the agent still answers with the old model: \"$answer\""
echo "GET /health: $(health)"
echo "GET /checkpoint: $status"
[[ $(health) == Degraded ]] || fail "/health is not Degraded"
echo "agent log: $(grep -c 'failed to load' "$WORK/agent.log") \"failed to load\" line(s)"

echo "--- 3. space freed, the checkpoint published"
rm "$DISK/filler"
dotnet "$TRAINING" job publish --from "$NEW" --to "$SERVING"
for _ in $(seq 1 80); do status=$(checkpoint); grep -q '"reload_failure":null' <<< "$status" && break; sleep 0.25; done
echo "GET /health: $(health); GET /checkpoint: $status"
[[ $(health) == Healthy ]] || fail "/health is not Healthy after the publish"
[[ $(hashes "$SERVING") == "$(hashes "$NEW")" ]] || fail "the serving directory does not hold $NEW"
echo "ok"
