#!/usr/bin/env python3
"""How much of an agent's capability p(x) its question's shape tells, from the sampling stage's own records.

For each agent's samples.jsonl (runs/<variant>/<agent>/samples.jsonl): the share of p(x)'s variance that family and
difficulty explain, the sampling noise of N samples a query (mean p(1 - p) / N) beside the variance left inside a
(family, difficulty) cell, and the F1 of answering when the cell's mean p(x) reaches the SFT threshold 1 - alpha
against the label p(x) >= 1 - alpha: the best an agent does that reads only which family and difficulty a query has.
In-sample (the training queries themselves), so an upper bound for that kind of agent.

    python3 scripts/px-lookup.py runs/selfaware
"""
import collections
import json
import statistics as st
import sys
from pathlib import Path

root = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/selfaware")
print("| agent | queries × samples | mean p(x) | variance | explained by family and difficulty | left in a cell | of it sampling noise | lookup F1 at 1 − α = 0.8 / 0.5 / 0.2 |")
print("|---|---|---:|---:|---:|---:|---:|---|")
for samples in sorted(root.glob("*/samples.jsonl")):
    rows = [json.loads(line) for line in open(samples)]
    n = len(rows[0]["samples"])
    cells = collections.defaultdict(list)
    for r in rows:
        cells[(r["family"], r["difficulty"])].append(r["p"])
    ps = [r["p"] for r in rows]
    total = st.pvariance(ps)
    within = sum(st.pvariance(v) * len(v) for v in cells.values()) / len(ps)
    noise = st.mean(p * (1 - p) for p in ps) / n
    f1s = []
    for threshold in (0.8, 0.5, 0.2):
        tp = fp = fn = 0
        for r in rows:
            predicted = st.mean(cells[(r["family"], r["difficulty"])]) >= threshold
            label = r["p"] >= threshold
            tp += predicted and label
            fp += predicted and not label
            fn += label and not predicted
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    print(f"| {samples.parent.name} | {len(rows)} × {n} | {st.mean(ps):.3f} | {total:.3f} | {100 * (1 - within / total):.0f} % "
          f"| {within:.3f} | {noise:.3f} | {' / '.join(f'{f:.2f}' for f in f1s)} |")
