#!/usr/bin/env python3
"""Each served agent's bid against its own answers, per graded set: how often it is right, what it bids on average, and
how well its logit gap ranks its own correctness (AUC). It reads what `report routing` measured (the reply cache) and the
bid scales the agents serve (models/nano-selfaware/<agent>/bid.json); it runs no model.

    python3 scripts/bid-calibration.py [--cache runs/evaluation/cache] [--models models/nano-selfaware]

Why: out of domain the bids lose to the best fixed agent at α = 0.5 (docs/evaluation.md); this shows whether the agents
know they are on unfamiliar ground. Needs a cache filled by `report routing` (any run: the served agents' passes under the
α = 0.5 prompt on every set are part of every plan).
"""
import argparse
import bisect
import glob
import json
import math
import os
import sys

SETS = [("validation", "-validation-0-"), ("test", "-test-0-"), ("out of domain", "-reworded-test-0-"), ("fresh draw", "-test-1-")]


def auc(scores, right):
    """Mann-Whitney AUC: the chance a right answer's score beats a wrong one's (ties count half)."""
    wrong = sorted(s for s, r in zip(scores, right) if not r)
    pos = [s for s, r in zip(scores, right) if r]
    if not pos or not wrong:
        return float("nan")
    total = 0.0
    for s in pos:
        lo, hi = bisect.bisect_left(wrong, s), bisect.bisect_right(wrong, s)
        total += lo + (hi - lo) / 2
    return total / (len(pos) * len(wrong))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default="runs/evaluation/cache")
    parser.add_argument("--models", default="models/nano-selfaware")
    args = parser.parse_args()
    print("| agent | set | right | mean bid | bid ÷ right | gap AUC |")
    print("|---|---|---:|---:|---:|---:|")
    for bid_file in sorted(glob.glob(os.path.join(args.models, "*", "bid.json"))):
        agent = os.path.basename(os.path.dirname(bid_file))
        bid = json.load(open(bid_file))
        folder = os.path.join(args.cache, f"{agent}-rl-{bid['weights_sha256']}")
        prompt = f"decide-{bid['prompt_alpha']:.2f}-"
        files = glob.glob(os.path.join(folder, prompt + "*.jsonl"))
        if not files:
            sys.exit(f"{folder} holds no passes under the α = {bid['prompt_alpha']} prompt: run `report routing` first.")
        by_set = {}
        for f in files:
            rows = [json.loads(line) for line in open(f)]
            if not rows or not rows[0].get("has_answer"):
                continue
            # The longest marker first: a reworded test id holds "-test-0-" too.
            for name, marker in sorted(SETS, key=lambda x: -len(x[1])):
                if marker in rows[0]["id"]:
                    by_set[name] = rows
                    break
        for name, _ in SETS:
            rows = by_set.get(name)
            if rows is None:
                continue
            right = [r["correct"] for r in rows]
            bids = [1 / (1 + math.exp(-(bid["weight"] * r["logit_gap"] + bid["bias"]))) for r in rows]
            share, mean = sum(right) / len(rows), sum(bids) / len(rows)
            ratio = mean / share if share > 0 else float("inf")
            print(f"| {agent} | {name} | {share:.3f} | {mean:.3f} | {ratio:.1f} | {auc([r['logit_gap'] for r in rows], right):.2f} |")


if __name__ == "__main__":
    main()
