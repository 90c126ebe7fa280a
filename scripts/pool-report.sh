#!/usr/bin/env bash
# Evaluates the committed nano pool on the test split and writes docs/pool.md: accuracy per model, domain and family
# beside the paper's pool (its Table 1), latency and tokens per query, FLOPs per token, costs, and the checks of the
# pool issue (rising accuracy, spread, item-level variance). Usage: scripts/pool-report.sh [items-per-family]
set -euo pipefail
cd "$(dirname "$0")/.."
items=${1:-1000}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cmd="dotnet run -c Release --project DiSRouter.Training -- evaluate --pool nano --split test --items-per-family $items --parallel 1 --json"
echo "running: $cmd" >&2
$cmd > "$out"
python3 - "$out" models/nano-pool/manifest.json "$cmd" > docs/pool.md <<'PY'
import json, sys, datetime, subprocess
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
manifest = json.load(open(sys.argv[2]))
cmd = sys.argv[3]
models = [m["name"] for m in manifest["models"]]
by = {(r["model"], r["family"], r["domain"]): r for r in rows}
fam_id = sorted({r["family"] for r in rows if r["domain"] == "id" and r["family"] != "all"})
fam_ood = sorted({r["family"] for r in rows if r["domain"] == "ood" and r["family"] != "all"})
paper = {"nano-1": ("Qwen2.5-0.5B", 38.32), "nano-2": ("Qwen2.5-1.5B", 59.14), "nano-3": ("Qwen2.5-3B", 72.96),
         "nano-4": ("Qwen2.5-7B", 81.14), "nano-5": ("Qwen2.5-14B", 85.33)}
cpu = next((l.split(":", 1)[1].strip() for l in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
            if l.startswith("Model name")), "?")
p = print
p("# The nano pool\n")
p("Five byte-level decoders of rising size, trained from scratch on the nano world by")
p("`dotnet run -c Release --project DiSRouter.Training -- pretrain --pool nano` (spec in `DiSRouter.Training/Pool/NanoPool.cs`,")
p("checkpoints and manifest in `models/nano-pool/`). They stand in for the paper's Qwen2.5 0.5B–14B pool.\n")
p(f"Figures below: `{cmd}` (greedy, {rows[0]['n'] if rows else '?'} test items per family), measured "
  f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on {cpu}. Regenerate with `scripts/pool-report.sh`.\n")
p("## Accuracy beside the paper's pool\n")
p("| model | params | cost | in-domain | out-of-domain | paper's model | paper's in-domain |")
p("|---|---|---|---|---|---|---|")
for m in manifest["models"]:
    n = m["name"]; a = by.get((n, "all", "id"), {}); o = by.get((n, "all", "ood"), {})
    pm, pa = paper.get(n, ("", 0))
    p(f"| {n} | {m['parameters']:,} | {m['cost']} | {100*a.get('accuracy', 0):.1f} % | {100*o.get('accuracy', 0):.1f} % | {pm} | {pa:.1f} % |")
p("\n## Per family (accuracy, %)\n")
p("| model | " + " | ".join(fam_id) + " | " + " | ".join(f"{f} (ood)" for f in fam_ood) + " |")
p("|---|" + "---|" * (len(fam_id) + len(fam_ood)))
def cell(r):
    # Whole percents, but never a rounded 0 or 100: the item-level check below reads those cells.
    a = 100 * r["accuracy"]
    return f"{a:.1f}" if round(a) in (0, 100) and 0 < a < 100 else f"{a:.0f}"
for n in models:
    cells = [cell(by[(n, f, "id")]) if (n, f, "id") in by else "–" for f in fam_id]
    cells += [cell(by[(n, f, "ood")]) if (n, f, "ood") in by else "–" for f in fam_ood]
    p(f"| {n} | " + " | ".join(cells) + " |")
p("\n## Cost of a query (the paper's Tables 10–11)\n")
p("| model | FLOPs per token | mean latency per query (ms) | mean generated tokens | train steps × batch | train time (s) | final loss |")
p("|---|---|---|---|---|---|---|")
for m in manifest["models"]:
    n = m["name"]; a = by.get((n, "all", "id"), {}); t = m["training"]
    p(f"| {n} | {m['flops_per_token']:,} | {a.get('mean_latency_ms', 0):.1f} | {a.get('mean_tokens', 0):.1f} | {t['steps']} × {t['batch_size']} | {t['train_seconds']:.0f} | {t['final_loss']:.3f} |")
p("\nLatency: one query at a time through the engine's generator (`--parallel 1`: with two queries at once on two cores the "
  "figures depend on which model runs first and move by a factor of two between runs), greedy, after a few untimed queries.\n")
p("## Checks of the pool's requirements\n")
ids = [by.get((n, "all", "id"), {}).get("accuracy", 0) for n in models]
oods = [by.get((n, "all", "ood"), {}).get("accuracy", 0) for n in models]
def check(ok, text): p(f"- {'PASS' if ok else 'FAIL'} {text}")
check(all(b - a >= 0.05 for a, b in zip(ids, ids[1:])), "in-domain accuracy rises by at least 5 points per step: " + " → ".join(f"{100*x:.1f}" for x in ids))
check(0.25 <= ids[0] <= 0.45, f"smallest between 25 % and 45 %: {100*ids[0]:.1f} %")
check(ids[-1] >= 0.80, f"largest at least 80 %: {100*ids[-1]:.1f} %")
check(all(o < i for o, i in zip(oods, ids)) and all(b > a for a, b in zip(oods, oods[1:])), "out-of-domain lower and rising: " + " → ".join(f"{100*x:.1f}" for x in oods))
extremes = [(n, f) for n in models for f in fam_id + fam_ood
            for r in [by.get((n, f, "id")) or by.get((n, f, "ood"))] if r and r["accuracy"] in (0.0, 1.0)]
def listing(pairs): return ", ".join(f"{n}/{f}" for n, f in pairs) or "none"
check(not extremes, "no family that a model gets all right or all wrong: in domain " + listing([x for x in extremes if x[1] in fam_id])
      + "; out of domain " + listing([x for x in extremes if x[1] in fam_ood]))
p("""
## The world they are trained on (nano world 3, `NanoWorld.GeneratorVersion`)

Every in-domain family has five difficulties, and difficulty is the number of steps a chain of thought needs:

- **arithmetic**: d operations, each adding, subtracting or multiplying by one digit, on values kept in 0–99
  ("What is 14+3*2?" is two steps); from d = 4 the start is a one-digit product;
- **word-problem**: d steps of a story (gets, loses, buys k packs of m), from d = 4 opening with packs;
- **variable-chain**: d assignments, every value below 100;
- **knowledge**: recall of one of 200 synthetic facts; each fact is stated in the corpus as often as its Zipf–Mandelbrot
  rank gives (400 times for the first, 8 for the last; tier medians 122, 39, 21, 13, 9), and asked in training wordings
  as often again, so frequent facts are learnt by every member and rare ones only by the fast learners (difficulty =
  frequency band); test questions use held-out wordings;
- **multiple-choice**: options A–D over facts or sums of five tiers (one digit + one digit up to two digits ± two digits);
  the chain works the value out and answers with the right option's text ("What is 7*8? A) 59 B) 66 C) 57 D) 56" →
  "7*8=56. The final answer is: 56."), which the grader takes for the letter D (`ChoiceChain.OptionText`);
- **reading**: a passage of 2–9 people and counts, one question about it.

Out of domain (never trained on): each of the six in-domain families asked in words no training item uses, the chain
and the answer unchanged (`Rewordings` in `DiSRouter.Core/Tasks/Families/`) — the paper's out-of-domain sets are likewise
skills its pool was trained on in formats it was not (SQuAD beside RACE, HeadQA beside MMLU):

- **arithmetic-reworded**: "Compute 14+7-5.", "How much is 14+7-5?";
- **word-problem-reworded**: new verbs and questions ("Sam owns 3 bags of 4 cards. Sam drops 2. How many cards are left?");
- **variable-chain-reworded**: "Let a=3, b=a+4. Find b.", "Given a=3, b=a+4, what is b?";
- **knowledge-reworded**: question forms never trained on ("The capital of Vornia is which city?", "Tell me who made the snex.");
- **reading-reworded**: the passage as trained, the question worded anew ("Count the cups of Ola and Mia.");
- **multiple-choice-reworded**: the options as trained, the stem asked as the arithmetic and knowledge rewordings ask it
  ("Compute 7*8.", "The capital of Vornia is which city?"), added on 2026-12-05 (third session) to complete the set.

A test item's split is its in-domain question's, so no test item rewords a training question. The families of new
operations and relations that stood here before (comparisons, inverse knowledge questions, price problems, reading
comparisons) were answered by no member (0–3 % for all five at 100 items a family; the pool of 2026-12-05 in git history
of this file): nothing for an agent to tell apart, so they were replaced.

The training corpus draws 4000 train items per in-domain family, weighting difficulties 3/3/2/1/1, plus the fact
statements and 16,000 drill sheets (`DrillSheets`): ten drills a sheet, most of them the world's step primitive written as
a chain writes it ("16-1=15, 3*7=21"), three in ten copy drills, half of them invented names ("Zosmor -> Zosmor") and half
numbers or people ("47+3-8 -> 47+3-8", "Uma has 6 -> Uma has 6"), with the loss on the results and copies only. A chain's errors sit in the few tokens that carry an operand copied from the
question or a computed value; a task example holds a handful of those among a hundred template tokens, a sheet holds
dozens (`CorpusSpec` in `DiSRouter.Training/Pool/CorpusSpec.cs`; data hash in the manifest).

## Pilots that set the spec

Single-member runs, each `dotnet run -c Release --project DiSRouter.Training -- pretrain --only <member> --set <overrides>
--eval-items 40 --pool-dir <scratch> --work-dir <scratch>` (40 test items per family), on the two-core AMD EPYC with
AVX-512 that trained the pool. On nano world 3 (the overrides give the drill settings each run had):

| member | overrides | training time | in-domain |
|---|---|---:|---:|
| nano-3 | `nano-3.steps=2000,corpus.drillsize=12,corpus.copyshare=0,corpus.nameshare=0` (drills, no copy drills) | 2.9 min | 6.2 % |
| nano-3 | `nano-3.steps=2000,corpus.drillsize=12,corpus.copyshare=0.5,corpus.nameshare=0` | 3.0 min | 10.0 % |
| nano-1 | `nano-1.steps=6000,nano-1.lr=1e-2,corpus.drillsize=12,corpus.copyshare=0,corpus.nameshare=0` | 2.3 min | 7.9 % |
| nano-1 | `nano-1.steps=6000,nano-1.lr=1e-2,corpus.drillsize=12,corpus.copyshare=0.5,corpus.nameshare=0` | 2.3 min | 8.3 % |
| nano-1 | `nano-1.steps=8000,corpus.nameshare=0` (a full-pool run without invented names; 100 items a family) | 3.2 min | 12.3 % |
| nano-1 | `corpus.nameshare=0` (16000 steps; the previous committed pool, 100 items a family) | 7.8 min | 25.2 % |
| nano-3 | `corpus.nameshare=0` (the previous committed pool, 100 items a family) | 6.0 min | 35.0 % |
| nano-3 | `corpus.optionshare=0.1` (invented names and option drills; 100 items a family) | 6.8 min | 53.8 % |
| nano-3 | none; the multiple-choice chain reads the options up to the right one ("7*8=56; A) 59, B) 66, C) 57, D) 56, option D"; a code change, not kept) | 7.2 min* | 46.7 % |
| nano-3 | `corpus.choicechain=copiedpairs` ("59 A, 66 B, 57 C, 56 D; 7*8=56 D") | 8.4 min* | 50.4 % |
| nano-1 | `nano-1.steps=48000` (the letter chain; one engine thread, as on a lane; 100 items a family) | 14.5 min** | 31.0 % |

What they say: after 2000 steps a member computes a step right when it has the operands (nano-3: "12+9=21" for "What
is 12+8?") but miscopies operands and names from the question; copying arrives only after several thousand steps, so every
member is given thousands of steps and the pool is no longer split by equal wall time. Copying invented names is what
knowledge questions wait on ("Name the capital of Zosmor" answered about another land): with name copy drills nano-3's
knowledge went from 22 to 89 %. Option drills did not move multiple choice (22 %) and lengthen the sheets: they are off. Multiple choice sits near chance because
every member names one constant letter: nano-5 works the value out right ("7*8=56") and then writes "option C" whatever the
options. Two chains that make the letter a step a few tokens long were piloted on nano-3 (* on 2026-12-05, on a machine
where nano-3's step took 80–110 ms against 58 ms when the pool was trained): reading the options in order up to the right
one, and copying them as value-letter pairs before writing the value and the letter that followed it. In both the copies
come out right and the letter does not: the first reads all four options and names D, the second writes the value and
then D or another constant. Multiple choice stayed at 25 % and 19 % (100 items; the nano-3 of the pool before had 27 %), so
the pool now answers with the option's text instead (`corpus.choicechain=optiontext`, the spec's setting), the form of a
multiple-choice reply that the grader accepts besides the letter; the other two chains stay selectable. The same two runs moved nano-3's other families by
up to 45 points against the committed member (arithmetic 43 → 64 and 88 %, word problems 39 → 43 and 22 %), with only the
multiple-choice documents changed: a member's per-family figures vary that much from one training run to the next.
nano-1 at twice the steps of the pool before (** 2026-12-05, one thread, 18–20 ms a step) went from 21.2 to 31.0 %, every
family up (arithmetic 46 → 39 % aside): the smallest members were the most under-trained, which the two training lanes now
pay for. The previous world's pilots
(nano world 2, in the git history of this file) found accuracy following compute at every size, near 12 %.
""")
p(open("scripts/pool-standing.md").read())
PY
echo "wrote docs/pool.md" >&2
