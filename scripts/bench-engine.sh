#!/usr/bin/env bash
# Runs the engine benchmark and PyTorch's reference side by side on this machine and prints the markdown
# table of docs/benchmarks.md (both engines' figures and the ratios), with what the table's header needs: date,
# CPU, instruction sets, our SIMD path, PyTorch's CPU capability, commit, load average before and after each engine.
#
# Usage: scripts/bench-engine.sh [configs] [runs]
#   configs  which of a, b, c (default abc)
#   runs     how many times to run the pair, ours then PyTorch each time (default 1); with more than one, a last table
#            gives each ratio's median and its min–max over the runs.
# Environment: BENCH_PRIORITY=1 (root) runs both engines in a scheduler group of nice −19, so that on a machine shared
# with other sessions' builds and tests they get the cores most of the time (the table says so when it is set).
# Needs Debian's python3-torch for the reference (see ../shared/bench/README.md); run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
configs="${1:-abc}"
runs="${2:-1}"
torch_script="${TORCH_REFERENCE:-../shared/bench/torch_reference.py}"
[ -f "$torch_script" ] || torch_script=/work/shared/bench/torch_reference.py
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if [ "${BENCH_PRIORITY:-0}" = 1 ]; then
  echo -19 > /proc/self/autogroup || { echo "BENCH_PRIORITY=1 needs root (writes /proc/self/autogroup)" >&2; exit 2; }
fi
dotnet build -c Release DiSRouter.Training >/dev/null
commit="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo '+changes')"
for r in $(seq 1 "$runs"); do
  date -u '+%Y-%m-%d %H:%M UTC' > "$out/date-$r"
  cut -d' ' -f1-3 /proc/loadavg > "$out/load-$r-0"
  echo "run $r/$runs: dotnet run -c Release --project DiSRouter.Training -- bench engine --json --configs $configs" >&2
  dotnet run -c Release --no-build --project DiSRouter.Training -- bench engine --json --configs "$configs" > "$out/ours-$r.jsonl"
  cut -d' ' -f1-3 /proc/loadavg > "$out/load-$r-1"
  echo "run $r/$runs: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 $torch_script --json --configs $configs" >&2
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$torch_script" --json --configs "$configs" > "$out/torch-$r.jsonl"
  cut -d' ' -f1-3 /proc/loadavg > "$out/load-$r-2"
done

COMMIT="$commit" RUNS="$runs" /usr/bin/python3 - "$out" <<'PY'
import json, subprocess, sys, os, statistics
out, runs = sys.argv[1], int(os.environ["RUNS"])
lscpu = dict(l.split(":", 1) for l in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines() if ":" in l)
flags = open("/proc/cpuinfo").read().split("flags")[1].split("\n")[0].split()
def f(v): return "n/a" if v is None else f"{v:,.0f}"
def ratio(a, b): return None if a is None or not b else a / b
metrics = (("train_tokens_per_s", "train"), ("generate_tokens_per_s", "generate"), ("forward_tokens_per_s", "forward"))
ratios = {}
for r in range(1, runs + 1):
    ours = {x["config"]: x for x in map(json.loads, open(f"{out}/ours-{r}.jsonl"))}
    torch = {x["config"]: x for x in map(json.loads, open(f"{out}/torch-{r}.jsonl"))}
    load = [open(f"{out}/load-{r}-{i}").read().strip() for i in range(3)]
    first = next(iter(ours.values()))
    print(f"Run {r} of {runs}, {open(f'{out}/date-{r}').read().strip()}, commit {os.environ['COMMIT']}, on "
          f"{lscpu.get('Model name', '?').strip()}, {lscpu.get('CPU(s)', '?').strip()} CPUs (CPU flags: "
          f"{', '.join(x for x in ('avx2', 'fma', 'avx512f') if x in flags)}); engines: {first['engine']}, {next(iter(torch.values()))['engine']}.")
    print(f"Load average (1, 5, 15 min) before ours: {load[0]}; after ours, before PyTorch: {load[1]}; after PyTorch: {load[2]}"
          + ("; both run at scheduler-group nice −19 (BENCH_PRIORITY=1)." if os.environ.get("BENCH_PRIORITY") == "1" else "."))
    if "simd_path" in first:
        print(f"Our SIMD path: {first['simd_path']}; instruction sets the runtime reports: {first['instruction_sets']}.")
    print(f"PyTorch CPU capability: {os.environ.get('ATEN_CPU_CAPABILITY', 'default')}, OPENBLAS_CORETYPE: {os.environ.get('OPENBLAS_CORETYPE', 'default')}.\n")
    print("| config | d | L | H | params | metric | ours (tok/s) | PyTorch (tok/s) | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for c in sorted(ours):
        o, t = ours[c], torch.get(c, {})
        for key, name in metrics:
            x = ratio(o.get(key), t.get(key))
            if x is not None: ratios.setdefault((c, name), []).append(x)
            print(f"| {c} | {o['d_model']} | {o['layers']} | {o['heads']} | {o['params']:,} | {name} | {f(o.get(key))} | {f(t.get(key))} | "
                  f"{'n/a' if x is None else f'{x:.2f}×'} |")
    print()
if runs > 1:
    print(f"Ratios over the {runs} runs: median (min–max).\n")
    print("| config | train | generate | forward |")
    print("|---|---|---|---|")
    for c in sorted({c for c, _ in ratios}):
        cells = []
        for _, name in metrics:
            v = ratios.get((c, name), [])
            cells.append("n/a" if not v else f"{statistics.median(v):.2f}× ({min(v):.2f}–{max(v):.2f})")
        print(f"| {c} | " + " | ".join(cells) + " |")
PY
