#!/usr/bin/env bash
# Runs the engine benchmark and PyTorch's reference side by side on this machine and prints the markdown
# table of docs/benchmarks.md (both engines' figures and the ratios). Usage: scripts/bench-engine.sh [configs]
# Needs Debian's python3-torch for the reference (see ../shared/bench/README.md); run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
configs="${1:-abc}"
torch_script="${TORCH_REFERENCE:-../shared/bench/torch_reference.py}"
[ -f "$torch_script" ] || torch_script=/work/shared/bench/torch_reference.py
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

dotnet build -c Release DiSRouter.Training >/dev/null
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "running: dotnet run -c Release --project DiSRouter.Training -- bench engine --json --configs $configs" >&2
dotnet run -c Release --no-build --project DiSRouter.Training -- bench engine --json --configs "$configs" > "$out/ours.jsonl"
echo "running: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 $torch_script --json --configs $configs" >&2
OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$torch_script" --json --configs "$configs" > "$out/torch.jsonl"

LOAD_BEFORE="$load_before" /usr/bin/python3 - "$out/ours.jsonl" "$out/torch.jsonl" <<'PY'
import json, subprocess, sys, datetime, os
ours = {r["config"]: r for r in map(json.loads, open(sys.argv[1]))}
torch = {r["config"]: r for r in map(json.loads, open(sys.argv[2]))}
lscpu = dict(l.split(":", 1) for l in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines() if ":" in l)
load = open("/proc/loadavg").read().split()[:3]
first = next(iter(ours.values()))
print(f"Measured {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on {lscpu.get('Model name', '?').strip()}, "
      f"{lscpu.get('CPU(s)', '?').strip()} CPUs; load average before the run: {os.environ.get('LOAD_BEFORE', '?')}, after: {' '.join(load)}; engines: "
      f"{first['engine']}, {next(iter(torch.values()))['engine']}.")
if "simd_path" in first:
    print(f"Our SIMD path: {first['simd_path']}; instruction sets the runtime reports: {first['instruction_sets']}.")
print(f"PyTorch CPU capability: {os.environ.get('ATEN_CPU_CAPABILITY', 'default')}, OPENBLAS_CORETYPE: {os.environ.get('OPENBLAS_CORETYPE', 'default')}.\n")
def f(v): return "n/a" if v is None else f"{v:,.0f}"
def ratio(a, b): return "n/a" if a is None or not b else f"{a / b:.2f}×"
print("| config | d | L | H | params | metric | ours (tok/s) | PyTorch (tok/s) | ratio |")
print("|---|---|---|---|---|---|---|---|---|")
for c in sorted(ours):
    o, t = ours[c], torch.get(c, {})
    for key, name in (("train_tokens_per_s", "train"), ("generate_tokens_per_s", "generate"), ("forward_tokens_per_s", "forward")):
        print(f"| {c} | {o['d_model']} | {o['layers']} | {o['heads']} | {o['params']:,} | {name} | {f(o.get(key))} | {f(t.get(key))} | {ratio(o.get(key), t.get(key))} |")
PY
