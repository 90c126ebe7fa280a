#!/usr/bin/env python3
"""Where a slow request's time goes: the request mix of mix.lua through the gateway, each request timed by the client
and split by the routing metadata the answer carries (per hop: wall time in the agent, model time; the rest is the
gateway, the network and the processes' scheduling).

    python3 scripts/reliability/tail.py --connections 4 --delay-ms 250 --duration 90 [--port 18080]

Prints p50/p99/max per query, and for the slowest 1 %: client time, time inside the agents (sum of hop latency),
model time, time agents spent outside their model (waiting for a generation slot, parsing, forwarding), and the
remainder (gateway + network + scheduling). Standard library only."""
import argparse
import http.client
import json
import os
import statistics
import threading
import time

BODIES = [
    ("1 hop", '{"alpha":0.0,"messages":[{"role":"user","content":"What is 12+7?"}]}'),
    ("4 hops", '{"alpha":0.0,"messages":[{"role":"user","content":"Spell cat backwards."}]}'),
    ("5 hops", '{"alpha":0.0,"messages":[{"role":"user","content":"What is 1234+5678?"}]}'),
]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def worker(args, stop, results, lock, offset):
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + args.key}
    i = offset
    while time.monotonic() < stop:
        name, body = BODIES[i % len(BODIES)]
        i += 1
        started = time.monotonic()
        try:
            conn.request("POST", "/v1/chat/completions", body, headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as e:
            status, data = f"error {type(e).__name__}", b""
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        ms = (time.monotonic() - started) * 1000
        hops = []
        if status == 200:
            try:
                hops = json.loads(data)["disrouter"]["path"]
            except (ValueError, KeyError, TypeError):
                pass
        with lock:
            results.append((name, status, ms, time.time(), hops))
        time.sleep(args.delay_ms / 1000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--delay-ms", type=float, default=250)
    parser.add_argument("--duration", type=float, default=90)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--key", default=os.environ.get("DISROUTER_API_KEY", "disrouter-local"))
    args = parser.parse_args()
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}")
    results, lock = [], threading.Lock()
    stop = time.monotonic() + args.duration
    threads = [threading.Thread(target=worker, args=(args, stop, results, lock, k)) for k in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
    statuses = {}
    for _, status, *_ in results:
        statuses[status] = statuses.get(status, 0) + 1
    print(f"{len(results)} requests in {args.duration:.0f} s ({len(results) / args.duration:.2f}/s): {statuses}")
    for name, _ in BODIES:
        ms = [r[2] for r in results if r[0] == name]
        print(f"  {name}: n={len(ms)} p50 {pct(ms, 50):.0f} ms, p90 {pct(ms, 90):.0f} ms, p99 {pct(ms, 99):.0f} ms, max {max(ms, default=0):.0f} ms")
    ms = [r[2] for r in results]
    print(f"  all: p50 {pct(ms, 50):.0f} ms, p99 {pct(ms, 99):.0f} ms, max {max(ms, default=0):.0f} ms")
    slow = sorted(results, key=lambda r: -r[2])[:max(1, len(results) // 100)]
    print("slowest 1 %: client ms = agents (hop wall) [model + outside model] + rest (gateway, network, scheduling)")
    t0 = min(r[3] for r in results) if results else 0
    for name, status, total, at, hops in slow:
        wall = sum(h.get("latency_ms", 0) for h in hops)
        model = sum(h.get("model_ms", 0) for h in hops)
        per = " ".join(f"{h['agent']}:{h['latency_ms']:.0f}/{h['model_ms']:.0f}" for h in hops)
        print(f"  t={at - t0 - total / 1000:6.1f}s {name:7} {status} {total:7.0f} = {wall:7.0f} [{model:6.0f} + {wall - model:7.0f}] + {total - wall:7.0f}   {per}")
    if slow:
        rest = [r[2] - sum(h.get("latency_ms", 0) for h in r[4]) for r in slow]
        outside = [sum(h.get("latency_ms", 0) - h.get("model_ms", 0) for h in r[4]) for r in slow]
        model = [sum(h.get("model_ms", 0) for h in r[4]) for r in slow]
        print(f"slowest 1 %, medians: model {statistics.median(model):.0f} ms, agents outside model {statistics.median(outside):.0f} ms, rest {statistics.median(rest):.0f} ms")


if __name__ == "__main__":
    main()
