#!/usr/bin/env bash
# Lays out another training seed's run directories (scripts/selfaware.sh with SEED=N RUNS=<runs>) as a models folder,
# what `report routing --seed-models` reads: <out>/nano-selfaware/<agent> from <runs>/<agent>/rl and <out>/nano-sft/<agent>
# from <runs>/<agent>/sft (weights, config, tokenizer and the calibrated decision.json). Copies only finished agents
# (an rl/ with decision.json; with GREEDY=1, agents trained to decide greedily such as scripts/selfaware-paper.sh's, an rl/
# with config.json, which a stage writes only when it finishes); says which are missing. The scenario wording a checkpoint
# records (scenario_prompt.json) goes with it.
#
#   scripts/seed-models.sh runs/seed-2 runs/seed-2-models
#   dotnet run -c Release --project DiSRouter.Training -- report routing --probe --validation-decisions --seed-models runs/seed-2-models,runs/seed-3-models
set -euo pipefail
runs=${1:?usage: scripts/seed-models.sh <runs-dir> <out-dir>}
out=${2:?usage: scripts/seed-models.sh <runs-dir> <out-dir>}
missing=0
for agent in ${AGENTS:-nano-1 nano-2 nano-3 nano-4 nano-5}; do
  done_file=decision.json; [[ -n "${GREEDY:-}" ]] && done_file=config.json
  if [[ ! -f "$runs/$agent/rl/$done_file" ]]; then echo "not finished: $runs/$agent/rl (no $done_file)" >&2; missing=1; continue; fi
  for pair in rl:nano-selfaware sft:nano-sft; do
    src="$runs/$agent/${pair%%:*}" dst="$out/${pair##*:}/$agent"
    mkdir -p "$dst"
    for f in config.json model.safetensors tokenizer.json decision.json scenario_prompt.json; do
      if [[ -f "$src/$f" ]]; then cp "$src/$f" "$dst/$f"; fi
    done
  done
done
exit $missing
