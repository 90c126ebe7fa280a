#!/usr/bin/env bash
# The self-awareness pipeline in the paper's configuration (§3, App. B), one faithful run beside the shipped one
# (scripts/selfaware.sh), so the report can show what each departure buys: for every agent, alone, sample → sft → rl into
# runs/paper/<agent> (resumable, like selfaware.sh: rerun after a crash and it continues), then laid out as a models folder
# (runs/paper-models, by scripts/seed-models.sh) for `report routing --paper-models`. Never published over models/.
#
#   scripts/selfaware-paper.sh                                   # all five agents, two at a time
#   dotnet run -c Release --project DiSRouter.Training -- report routing --paper-models runs/paper-models   # the row disrouter-paper
#   AGENTS=nano-1 QUERIES=24 SAMPLES=2 SFT_STEPS=4 RL_QUERIES=6 RL_STEPS=2 RUNS=runs/paper-smoke scripts/selfaware-paper.sh   # a smoke run
#
# What is the paper's here:
# - sampling and RL rollouts at temperature 1.0;
# - SFT labels a query answerable in scenario α when p(x) ≥ 1 − α, with as many answers as rejections in every scenario
#   (--balance per-scenario) over the three named scenarios;
# - RL over the three named scenarios α = 0.2 / 0.5 / 0.8 in equal shares, reward (1 − α)^γ for a rejection with γ = 0.5;
# - the paper's full scenario instructions ("Scenario: Performance First. You must ensure …") instead of the compact
#   "Cost weight 0.50.", recorded with each checkpoint (scenario_prompt.json) and used by rl, the serving agent and the report;
# - greedy first-token decisions when served and evaluated: no calibrate stage, no decision.json.
# What still departs from it, each with its reason:
# - context: the full texts take 193–254 bytes of the nano models' 320 positions; with the task's query and the 192-token
#   answer budget none of the training, validation or test queries fits (the longest needs 582; with the longest text
#   alone, without the answer, 66–67 % of each split's prompts fit). The fine-tuned checkpoints therefore get 640 positions
#   (sft --context 640; PAPER_CONTEXT overrides): the weights carry no positions (rotary embeddings), positions past 320
#   are learnt in SFT, and every query keeps the paper's text verbatim. Measured with the nano world's suite
#   (12,000 train / 1,200 validation / 1,200 test queries, docs/evaluation.md);
# - data sizes, step counts, learning rates and --max-repeats 32 are selfaware.sh's (the nano world's; the paper's 10,000
#   queries, one epoch at 1e-5 / 1e-6 are for 7B models); RL keeps one pass over queries × the three scenarios, as the paper's one epoch.
set -euo pipefail
cd "$(dirname "$0")/.."
PAPER=1 exec scripts/selfaware.sh "$@"
