#!/usr/bin/env python3
"""Turns a sampling stage's samples.jsonl into one pseudo-query per sample, for an SFT run whose labels are each sample's
own correctness instead of p(x) against 1 - alpha: a query answered right by 5 of its 8 samples becomes 5 "answer"
examples (each with its own answer text) and 3 "I don't know!" examples, so the cross-entropy optimum of the decision
token is p(x) itself (a calibrated self-assessment target) rather than the step p(x) >= 1 - alpha.
The experiment of docs/selfaware.md (session 8):

  python3 scripts/per-sample-labels.py runs/seed-2/nano-2 runs/ps-nano-2
  dotnet run -c Release --project DiSRouter.Training -- sft --model models/nano-pool/nano-2 --out runs/ps-nano-2 \
      --lr 1e-3 --steps 1500 --balance overall --alphas 0.5 --max-repeats 32 --seed 2 --bf16
"""
import json, os, shutil, sys

src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
written = 0
with open(os.path.join(src, "samples.jsonl")) as f, open(os.path.join(dst, "samples.jsonl"), "w") as out:
    for line in f:
        query = json.loads(line)
        for k, sample in enumerate(query["samples"]):
            out.write(json.dumps({**query, "id": f"{query['id']}~{k}", "samples": [sample]}) + "\n")
            written += 1
# The SFT stage reads the sampling stage's report to know the samples are complete.
shutil.copy(os.path.join(src, "sample-report.json"), dst)
print(f"{written} pseudo-queries -> {dst}/samples.jsonl")
