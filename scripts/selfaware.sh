#!/usr/bin/env bash
# The self-awareness pipeline on the nano pool: for every agent, alone (its own base model and its own samples only),
# sample → sft → rl → calibrate; then the self-aware checkpoints (with their decision thresholds) are published to models/nano-selfaware/<agent> (what the network
# serves) and docs/selfaware.md is written. Every stage is resumable: rerunning after a crash continues where it stopped.
#
#   scripts/selfaware.sh                      # all five agents, two at a time
#   AGENTS="nano-2 nano-3" scripts/selfaware.sh
#   PARALLEL=1 SKIP_REPORT=1 scripts/selfaware.sh
#   RUNS=runs/variant SKIP_PUBLISH=1 AGENTS="nano-1 nano-2" SAMPLES=32 GAMMA=1 SFT_ALPHAS=0.1:0.9:0.1 RL_ALPHAS=0.2,0.5,0.8 scripts/selfaware.sh   # a variant, not published
#   POOL=runs/pool-x/pool RUNS=runs/sa-x SKIP_PUBLISH=1 SKIP_REPORT=1 scripts/selfaware.sh   # agents of a candidate pool
#   SEED=2 RUNS=runs/seed-2 SKIP_PUBLISH=1 SKIP_REPORT=1 scripts/selfaware.sh   # another training seed (docs/evaluation.md)
#   CHAIN_WEIGHT=0.1 …                        # SFT weighs an answer's chain 0.1 beside its decision (unset: 1, the paper's rule)
#
# The same stages and settings as the AppHost jobs selfaware-nano-{1..5} (DiSRouter.AppHost/appsettings.json, docs/jobs.md).
# Settings for the nano world (each a deviation from the paper's defaults, with its reason):
# - sampling and rollouts at temperature 0.5, not 1.0: a byte-level model of a few hundred thousand parameters makes a
#   slip somewhere in a hundred tokens at T = 1 far more often than greedy serving does, so p(x) at T = 1 says little
#   about whether the served answer is right;
# - SFT repeats the smaller class up to 32 times (--max-repeats): the weakest agents answer almost nothing with
#   p(x) ≥ 0.8, and with the paper's rule (downsample to the smallest class) the whole data set would be a few dozen
#   examples;
# - learning rates near the pretraining ones: these models were pretrained at 1e-3–3e-3, and 1e-4 moves them too little;
# - RL mixes a grid of nine α (0.1, 0.2, …, 0.9) instead of the three named scenarios, for as many steps as one pass over
#   the queries × three scenarios would take: the agents then answer for any α, and on nano-3 the grid gave the best
#   answer/reject F1 of the variants tried (0.84 against 0.83 with the three scenarios, same steps; docs/selfaware.md);
# - SFT balances answers against rejections over the whole set, not in every scenario (--balance overall): each
#   scenario keeps its labels' own proportion times one common factor, so how often to answer rises with α in the data
#   itself. With the paper's per-scenario balance every scenario is half answers and the agents' answer rates moved a
#   few points with α; measured side by side on the same samples in docs/selfaware.md;
# - calibrated decisions (calibrate, after RL): each checkpoint answers when its first-token logit gap (answer − reject)
#   reaches a threshold per α, chosen on the validation split to maximise its own reward with γ = 0.5 (the paper's γ)
#   and answer counts that never fall as α rises. On the test split the cascade went from 0.60 / 0.45 / 0.32 (greedy
#   decisions) to 0.64 / 0.46 / 0.32; γ = 0.125 or 0.25 scored as high on validation but left nano-3 answering too
#   little at α = 0.5 for its answer/reject F1 (0.78 on validation, target 0.80) (docs/selfaware.md);
# - nano-2 samples 1600 queries again, not 4800: on 4800 its SFT set held three times as many of its own correct
#   answers and it became right on 8.6 % more test queries than its base model (past the 5 % ΔPerformance bound);
#   on 1600 it moves by −1.4 %, and with calibrated decisions the cascade no longer needs that gain (docs/selfaware.md);
# - 1600 sampled queries per agent, 4800 for nano-3 and nano-4: on the whole validation split (1200 queries) 4800 for those
#   two lifted the cascade from 0.408 / 0.193 / 0.074 to 0.433 / 0.195 / 0.078 and nano-3's F1 from 0.82 to 0.84, while
#   4800 for nano-1 and nano-2 did not help them (docs/selfaware.md);
# - RL with γ = 0.125, not 0.5: a rejection earns (1 − α)^0.125, so an agent gains by answering only when p(x) > 0.97,
#   0.92, 0.82 at α = 0.2, 0.5, 0.8. On the whole validation split, after the multiple-choice fix, γ = 0.5 / 0.25 / 0.125
#   for all five agents took the cascade to 0.622 / 0.461 / 0.360, 0.636 / 0.477 / 0.365 and 0.655 / 0.492 / 0.354, the
#   F1 of nano-2 … nano-5 rising with each step (nano-3 0.83, 0.85, 0.86); 0.125 is the best at α = 0.2 and 0.5 and beats every
#   baseline there at all three α (docs/selfaware.md);
# - RL on 960 queries for nano-1, nano-2 and nano-4 (480 for nano-5), four times the 240 (120) used before; nano-3 keeps
#   240. On the whole validation split, with the same SFT checkpoints, four times for every agent took the cascade to
#   0.581 / 0.407 / 0.283 at α = 0.2 / 0.5 / 0.8, against 0.524 / 0.392 / 0.280 on eight times (1920 queries, nano-1 …
#   nano-4) and 0.550 / 0.362 / 0.244 on four times at a learning rate of 1.5e-4 (nano-1 … nano-3); but it cost nano-3's
#   answer/reject F1 (0.85 → 0.80), and nano-3 on 240 queries gives the cascade 0.578 / 0.402 / 0.277 with F1 0.85
#   (on 480: 0.575 / 0.394 / 0.279, F1 0.82). Before nano-5 was retrained, one time for every agent gave
#   0.521 / 0.365 / 0.256 and four times 0.571 / 0.399 / 0.279 (docs/selfaware.md).
#
# PAPER=1 (what scripts/selfaware-paper.sh runs): the paper's configuration instead of the departures above, into
# runs/paper/<agent>, never published; see the top of scripts/selfaware-paper.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
agents=${AGENTS:-"nano-1 nano-2 nano-3 nano-4 nano-5"}
parallel=${PARALLEL:-2}
pool=${POOL:-models/nano-pool}
paper=${PAPER:-}
if [ -n "$paper" ]; then
  runs=${RUNS:-runs/paper}
  temperature=${TEMPERATURE:-1.0}
  balance=per-scenario; rl_alphas_default=0.2,0.5,0.8; gamma_default=0.5
  # The full scenario texts, recorded with the checkpoint, in a context of 640 positions (the base models' 320 hold none
  # of the queries with a full text and the 192-token answer budget; the longest needs 582).
  sft_paper_args="--prompt-style full --context ${PAPER_CONTEXT:-640}"
  SKIP_PUBLISH=1; SKIP_REPORT=1
else
  runs=${RUNS:-runs/selfaware}
  temperature=${TEMPERATURE:-0.5}
  balance=overall; rl_alphas_default=0.1:0.9:0.1; gamma_default=0.125
  sft_paper_args=""
fi
store=models/nano-selfaware
seed=${SEED:-1}   # one seed for sampling, SFT order and RL rollouts; the committed agents are seed 1

dotnet build -c Release DiSRouter.Training >/dev/null
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
# A private copy of the binaries: a rebuild while the pipeline runs must not change the code under it.
cp -r DiSRouter.Training/bin/Release/net10.0/. "$bin"
train() { dotnet "$bin/DiSRouter.Training.dll" "$@"; }

lr_for() {
  case "$1" in
    nano-1|nano-2) echo 1e-3 ;;
    nano-3) echo 8e-4 ;;
    *) echo 5e-4 ;;
  esac
}

# SFT length: 1500 steps of 16 (about four passes over the smaller agents' balanced sets); the two largest agents cost
# several times more per step: two passes over at most 6000 examples (750 steps), and fewer RL queries for the largest.
sft_extra_for() {
  [ -n "${SFT_STEPS:-}" ] && { echo "--steps $SFT_STEPS"; return; }   # a smoke run's few steps
  case "$1" in
    nano-4|nano-5) echo "--epochs 2 --max-examples 6000" ;;
    *) echo "--steps 1500" ;;
  esac
}
queries_for() {
  case "$1" in
    nano-3|nano-4) echo 4800 ;;
    *) echo 1600 ;;
  esac
}
rl_queries_for() {
  case "$1" in
    nano-3) echo 240 ;;
    nano-5) echo 480 ;;
    *) echo 960 ;;
  esac
}
# One pass over queries × the three named scenarios at 6 prompts a step, spent on the α grid instead.
rl_steps_for() { echo $(( $(rl_queries_for "$1") * 3 / 6 )); }

one_agent() {
  set -e
  local a=$1 run=$runs/$1 lr
  lr=$(lr_for "$a")
  mkdir -p "$run"
  {
    echo "== $a: sample"
    train sample --model "$pool/$a" --out "$run" --queries "${QUERIES:-$(queries_for "$a")}" --n "${SAMPLES:-8}" --temperature "$temperature" --seed "$seed"
    echo "== $a: sft"
    # shellcheck disable=SC2046
    train sft --model "$pool/$a" --out "$run" --lr "$lr" $(sft_extra_for "$a") --balance "$balance" --alphas "${SFT_ALPHAS:-0.2,0.5,0.8}" --max-repeats 32 --seed "$seed" --bf16 ${CHAIN_WEIGHT:+--chain-loss-weight "$CHAIN_WEIGHT"} $sft_paper_args
    echo "== $a: rl"
    train rl --out "$run" --queries "${RL_QUERIES:-$(rl_queries_for "$a")}" --alphas "${RL_ALPHAS:-$rl_alphas_default}" --steps "${RL_STEPS:-$(rl_steps_for "$a")}" --k 8 --gamma "${GAMMA:-$gamma_default}" --temperature "$temperature" --lr 5e-5 --seed "$seed" --bf16
    # The paper decides greedily by the first token: nothing to calibrate.
    if [ -z "$paper" ]; then
      echo "== $a: calibrate"
      train calibrate --out "$run" --gamma "${CALIBRATION_GAMMA:-0.5}" ${CALIBRATION_ITEMS:+--items-per-family "$CALIBRATION_ITEMS"}
    fi
  } > "$run/pipeline.log" 2>&1 || { echo "$a: FAILED (see $run/pipeline.log)"; tail -3 "$run/pipeline.log"; return 1; }
  echo "$a: done ($(grep -E '^(sampled|sft:|rl:|calibrate rl:) ' "$run/pipeline.log" | tr '\n' ' '))"
}

export -f one_agent train lr_for sft_extra_for queries_for rl_queries_for rl_steps_for
export bin pool runs temperature seed paper balance rl_alphas_default gamma_default sft_paper_args
started=$(date +%s)
printf '%s\n' $agents | xargs -P "$parallel" -I{} bash -c 'one_agent {}'
echo "pipeline: $(( $(date +%s) - started )) s for $agents"

# Publish: the RL checkpoint of each agent to models/nano-selfaware/<agent> (what the network serves) and its SFT
# checkpoint to models/nano-sft/<agent> (for the report's SFT rows), each copied whole beside the store and then moved
# into place, so a store never holds half a checkpoint.
publish() {
  local src=$1 dst=$2 tmp
  [ -f "$src/config.json" ] || { echo "nothing at $src to publish"; return; }
  mkdir -p "$(dirname "$dst")"
  tmp=$(mktemp -d "$(dirname "$dst")/.publish.XXXX")
  cp "$src"/config.json "$src"/model.safetensors "$src"/tokenizer.json "$tmp"/
  [ -f "$src/decision.json" ] && cp "$src/decision.json" "$tmp"/
  [ -f "$src/scenario_prompt.json" ] && cp "$src/scenario_prompt.json" "$tmp"/
  rm -rf "$dst.old"; [ -d "$dst" ] && mv "$dst" "$dst.old"
  mv "$tmp" "$dst"; rm -rf "$dst.old"
  echo "published $src → $dst"
}
if [ -n "$paper" ]; then
  # As a models folder the routing report reads (--paper-models): greedy agents, no decision.json to wait for.
  GREEDY=1 scripts/seed-models.sh "$runs" "${PAPER_MODELS:-$runs-models}"
  exit 0
fi
[ -n "${SKIP_PUBLISH:-}" ] && exit 0
for a in $agents; do
  publish "$runs/$a/sft" "models/nano-sft/$a"
  publish "$runs/$a/rl" "$store/$a"
done

[ -n "${SKIP_REPORT:-}" ] && exit 0
train report selfaware --gamma "${GAMMA:-0.125}" --items-per-family "${REPORT_ITEMS:-200}" --delta-queries "${DELTA_QUERIES:-360}" --delta-samples "${DELTA_SAMPLES:-10}"
# Continuous α: the named scenarios, the points between the RL grid's (0.35, 0.65) and beyond its ends (0.05, 0.95).
train report selfaware --gamma "${GAMMA:-0.125}" --items-per-family "${REPORT_ITEMS:-200}" --alphas 0.05,0.2,0.35,0.5,0.65,0.8,0.95 \
  --delta-queries 0 --ideal-samples 0 --out docs/selfaware-alpha.md
# What the figures say, written by hand after the run that produced them.
cat scripts/selfaware-standing.md >> docs/selfaware.md
