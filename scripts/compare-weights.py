#!/usr/bin/env python3
"""Compare two safetensors checkpoints tensor by tensor: bit-identical or not, the largest |a - b|, how many elements differ.

Usage: python3 scripts/compare-weights.py A.safetensors B.safetensors
F32 and BF16 tensors, the standard library only (no numpy). WHY: telling whether two training runs (two SIMD paths, two
code versions, the same command twice) gave the same weights bit for bit, and if not by how much (docs/pool.md).
"""
import array
import json
import struct
import sys


def load(path):
    with open(path, 'rb') as f:
        data = f.read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    tensors = {}
    for name, t in header.items():
        if name == '__metadata__':
            continue
        start, end = t['data_offsets']
        raw = data[8 + n + start: 8 + n + end]
        if t['dtype'] == 'F32':
            values = array.array('f')
            values.frombytes(raw)
        elif t['dtype'] == 'BF16':
            halves = array.array('H')
            halves.frombytes(raw)
            values = array.array('f', struct.unpack(f'<{len(halves)}f', struct.pack(f'<{len(halves)}I', *[h << 16 for h in halves])))
        else:
            sys.exit(f'{path}: tensor {name} has dtype {t["dtype"]}; only F32 and BF16 are compared')
        tensors[name] = (raw, values)
    return tensors


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = load(sys.argv[1]), load(sys.argv[2])
    if sorted(a) != sorted(b):
        sys.exit(f'the two files hold different tensors: {sorted(set(a) ^ set(b))}')
    identical, worst = 0, 0.0
    for name in sorted(a):
        (raw_a, va), (raw_b, vb) = a[name], b[name]
        if len(va) != len(vb):
            sys.exit(f'{name}: {len(va)} against {len(vb)} elements')
        same = raw_a == raw_b
        identical += same
        diff = max((abs(x - y) for x, y in zip(va, vb)), default=0.0)
        worst = max(worst, diff)
        differing = sum(1 for x, y in zip(va, vb) if x != y)
        print(f'{name:45s} {"identical" if same else "differs":9s} max|diff| {diff:.3e}  max|a| {max(map(abs, va), default=0.0):.3e}  '
              f'elements differing {differing}/{len(va)}')
    print(f'{identical}/{len(a)} tensors bit-identical; largest |diff| {worst:.3e}')


if __name__ == '__main__':
    main()
