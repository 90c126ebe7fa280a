#!/usr/bin/env python3
"""A middle agent that hangs under load: the request mix of mix.lua through the gateway while one agent's process is
stopped with SIGSTOP (it keeps its port and accepts connections, and says nothing: what a hung process looks like)
and later continued with SIGCONT. Every request is timed and sorted by when it started: before, during and after the
hang. For each phase: statuses, p50 / p99 / max, answers marked degraded, and how many requests paid a successor
timeout ("no answer within …" on a hop) or skipped the hung agent at once ("skipped without a call": the agent's breaker).

    python3 scripts/reliability/hang.py --port 18380 --pid-file /tmp/disrouter-net/agent-3.pid \\
        --connections 4 --delay-ms 250 --before 15 --hang 60 --after 20

Standard library only; scripts/reliability/hang.sh starts the network, runs this and stops it."""
import argparse
import http.client
import json
import os
import signal
import threading
import time

BODIES = [
    '{"alpha":0.0,"messages":[{"role":"user","content":"What is 12+7?"}]}',
    '{"alpha":0.0,"messages":[{"role":"user","content":"Spell cat backwards."}]}',
    '{"alpha":0.0,"messages":[{"role":"user","content":"What is 1234+5678?"}]}',
]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def worker(args, t0, stop, results, lock, offset):
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + args.key}
    conn = None
    i = offset
    while time.monotonic() < stop:
        body = BODIES[i % len(BODIES)]
        i += 1
        started = time.monotonic()
        status, degraded, errors = None, None, []
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=args.timeout)
            conn.request("POST", "/v1/chat/completions", body, headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
            degraded = response.getheader("X-DiSRouter-Degraded")
            if status == 200:
                errors = [h.get("error") or "" for h in json.loads(data)["disrouter"]["path"]]
        except Exception as e:  # a failed request is a result, not a crash of the check
            status = "error: " + type(e).__name__
            conn = None
        ended = time.monotonic()
        with lock:
            results.append((started - t0, ended - started, status, degraded, errors))
        time.sleep(args.delay_ms / 1000)


def health(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/health", headers={"Accept": "application/json"})
        return conn.getresponse().read().decode()
    except Exception as e:
        return "error: " + str(e)


def summary(name, rows):
    latencies = [r[1] * 1000 for r in rows]
    statuses = {}
    for r in rows:
        statuses[r[2]] = statuses.get(r[2], 0) + 1
    failed = sum(n for s, n in statuses.items() if s != 200)
    timed_out = sum(1 for r in rows if any(e.startswith("no answer within") for e in r[4]))
    breaker = sum(1 for r in rows if any(e.startswith("skipped without a call") for e in r[4]))
    print(f"{name}: {len(rows)} requests, statuses {statuses}, failed {failed}, degraded {sum(1 for r in rows if r[3])}; "
          f"p50 {pct(latencies, 50):.1f} ms, p99 {pct(latencies, 99):.1f} ms, max {max(latencies, default=float('nan')):.1f} ms; "
          f"paid a successor timeout {timed_out}, skipped the hung agent at once {breaker}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=18080)
    p.add_argument("--key", default=os.environ.get("DISROUTER_API_KEY", "disrouter-local"))
    p.add_argument("--pid-file", required=True, help="the hung agent's pid file (network.sh writes them)")
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--delay-ms", type=int, default=250)
    p.add_argument("--before", type=float, default=15)
    p.add_argument("--hang", type=float, default=60)
    p.add_argument("--after", type=float, default=20)
    p.add_argument("--timeout", type=float, default=120, help="client timeout per request, s")
    args = p.parse_args()
    pid = int(open(args.pid_file).read().strip())

    results, lock = [], threading.Lock()
    t0 = time.monotonic()
    stop = t0 + args.before + args.hang + args.after
    threads = [threading.Thread(target=worker, args=(args, t0, stop, results, lock, k)) for k in range(args.connections)]
    for t in threads:
        t.start()
    time.sleep(args.before)
    os.kill(pid, signal.SIGSTOP)
    stopped_at = time.monotonic() - t0
    print(f"SIGSTOP agent pid {pid} at {stopped_at:.1f} s ({time.strftime('%H:%M:%S')})", flush=True)
    try:
        time.sleep(args.hang / 2)
        print("gateway /health mid-hang:", health(args.port), flush=True)
        time.sleep(args.hang / 2)
    finally:
        os.kill(pid, signal.SIGCONT)
    continued_at = time.monotonic() - t0
    print(f"SIGCONT at {continued_at:.1f} s", flush=True)
    for t in threads:
        t.join()

    rows = sorted(results)
    summary("before the hang", [r for r in rows if r[0] < stopped_at])
    summary("started during the hang", [r for r in rows if stopped_at <= r[0] < continued_at])
    summary("after it continued", [r for r in rows if r[0] >= continued_at])
    slow = [r for r in rows if r[0] + r[1] >= stopped_at and r[0] < continued_at and r[1] > 1]
    print("requests in flight during the hang that took over 1 s (start s, took s, status, errors on the path):")
    for r in slow:
        print(f"  {r[0]:6.1f} {r[1]:6.1f} {r[2]} {[e for e in r[4] if e]}")


if __name__ == "__main__":
    main()
