#!/usr/bin/env bash
# Lays out another training seed's run directories (scripts/selfaware.sh with SEED=N RUNS=<runs>) as a models folder,
# what `report routing --seed-models` reads: <out>/nano-selfaware/<agent> from <runs>/<agent>/rl and <out>/nano-sft/<agent>
# from <runs>/<agent>/sft (weights, config, tokenizer and the calibrated decision.json). Copies only finished agents
# (an rl/ with decision.json); says which are missing.
#
#   scripts/seed-models.sh runs/seed-2 runs/seed-2-models
#   dotnet run -c Release --project DiSRouter.Training -- report routing --probe --validation-decisions --seed-models runs/seed-2-models,runs/seed-3-models
set -euo pipefail
runs=${1:?usage: scripts/seed-models.sh <runs-dir> <out-dir>}
out=${2:?usage: scripts/seed-models.sh <runs-dir> <out-dir>}
missing=0
for agent in nano-1 nano-2 nano-3 nano-4 nano-5; do
  if [[ ! -f "$runs/$agent/rl/decision.json" ]]; then echo "not finished: $runs/$agent/rl (no decision.json)" >&2; missing=1; continue; fi
  for pair in rl:nano-selfaware sft:nano-sft; do
    src="$runs/$agent/${pair%%:*}" dst="$out/${pair##*:}/$agent"
    mkdir -p "$dst"
    for f in config.json model.safetensors tokenizer.json decision.json; do
      if [[ -f "$src/$f" ]]; then cp "$src/$f" "$dst/$f"; fi
    done
  done
done
exit $missing
