#!/usr/bin/env python3
"""Time to first chunk against total time, streamed and not, through the gateway and the committed agents.

Starts the five calibrated agents (models/nano-selfaware) and the gateway from their Release builds, each a process of
its own on loopback, then sends the same queries whole and streamed, alternating, one at a time, and prints p50/p99 of
the time to the first byte of text (streamed: the first chunk with content; whole: the response, which is the answer)
and of the total time. Usage:

    DISROUTER_ARTIFACTS=/tmp/art dotnet build DiSRouter.Agents -c Release && dotnet build DiSRouter.Gateway -c Release
    python3 scripts/stream-bench.py --bin /tmp/art/bin --requests 60 --alpha 0.5
"""
import argparse, http.client, json, os, random, signal, socket, subprocess, sys, time

AGENTS = [("agent-1", 0.1), ("agent-2", 0.2), ("agent-3", 0.4), ("agent-4", 0.7), ("agent-5", 0.9)]
KEY = "bench-key"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, deadline):
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"port {port} never became healthy")


def queries(n, seed):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b = rng.randint(10, 99), rng.randint(10, 99)
        out.append(rng.choice([f"What is {a}+{b}?", f"What is {a} times {b}?", f"Tom has {a} apples and buys {b} more. How many apples does he have?"]))
    return out


def ask(port, query, alpha, stream):
    body = json.dumps({"model": "disrouter", "alpha": alpha, "stream": stream, "max_tokens": 128,
                       "messages": [{"role": "user", "content": query}]})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    t0 = time.perf_counter()
    c.request("POST", "/v1/chat/completions", body, {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"})
    r = c.getresponse()
    if r.status != 200:
        raise SystemExit(f"HTTP {r.status}: {r.read()[:300]}")
    if not stream:
        data = json.loads(r.read())
        total = time.perf_counter() - t0
        return total, total, data["disrouter"]["answered_by"]
    first, answered = None, None
    while True:
        line = r.readline()
        if not line:
            break
        line = line.decode().strip()
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        chunk = json.loads(line[6:])
        if "error" in chunk:
            raise SystemExit(f"stream failed: {chunk['error']}")
        if first is None and any(ch["delta"].get("content") for ch in chunk["choices"]):
            first = time.perf_counter() - t0
        if chunk.get("disrouter"):
            answered = chunk["disrouter"]["answered_by"]
    return first, time.perf_counter() - t0, answered


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="the artifacts bin folder holding DiSRouter.Agents/release and DiSRouter.Gateway/release")
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ports = {name: free_port() for name, _ in AGENTS}
    gateway_port = free_port()
    procs = []
    try:
        for i, (name, cost) in reversed(list(enumerate(AGENTS))):
            env = dict(os.environ, ASPNETCORE_URLS=f"http://127.0.0.1:{ports[name]}", Agent__Name=name, Agent__Cost=str(cost),
                       Agent__Backend="local", Agent__Checkpoint=os.path.join(root, "models/nano-selfaware", f"nano-{i + 1}"),
                       Agent__ReloadPollSeconds="0", Logging__LogLevel__Default="Warning")
            for j, (successor, _) in enumerate(AGENTS[i + 1:]):
                env[f"Agent__Successors__{j}"] = successor
                env[f"services__{successor}__http__0"] = f"http://127.0.0.1:{ports[successor]}"
            procs.append(subprocess.Popen(["dotnet", os.path.join(args.bin, "DiSRouter.Agents/release/DiSRouter.Agents.dll")], env=env, cwd=root))
        deadline = time.time() + 120
        for port in ports.values():  # the gateway starts once the agents are healthy, as the AppHost starts it
            wait_healthy(port, deadline)
        env = dict(os.environ, ASPNETCORE_URLS=f"http://127.0.0.1:{gateway_port}", Gateway__ApiKeys__0=KEY, Gateway__EntryAgent="agent-1",
                   Gateway__RateLimit__RequestsPerSecond="10000", Gateway__RateLimit__Burst="10000", Logging__LogLevel__Default="Warning")
        for j, (name, _) in enumerate(AGENTS):
            env[f"Gateway__Agents__{j}"] = name
            env[f"services__{name}__http__0"] = f"http://127.0.0.1:{ports[name]}"
        procs.append(subprocess.Popen(["dotnet", os.path.join(args.bin, "DiSRouter.Gateway/release/DiSRouter.Gateway.dll")], env=env, cwd=root))
        wait_healthy(gateway_port, time.time() + 60)
        time.sleep(1)  # the gateway's first health probes

        for q in queries(args.warmup, args.seed + 1000):
            ask(gateway_port, q, args.alpha, False)
            ask(gateway_port, q, args.alpha, True)
        rows = {True: [], False: []}
        answered = {}
        for q in queries(args.requests, args.seed):
            for stream in (False, True):
                first, total, by = ask(gateway_port, q, args.alpha, stream)
                rows[stream].append((first, total))
                answered[by] = answered.get(by, 0) + 1
        sys.stdout.flush()
        print(f"alpha {args.alpha}, {args.requests} queries, each whole and streamed, one at a time; answered by {dict(sorted(answered.items()))}")
        print(f"{'mode':<10}{'first text p50':>16}{'p99':>10}{'total p50':>12}{'p99':>10}{'first/total p50':>18}")
        for stream in (False, True):
            firsts = [f for f, _ in rows[stream]]
            totals = [t for _, t in rows[stream]]
            ratio = [f / t for f, t in rows[stream]]
            print(f"{'streamed' if stream else 'whole':<10}{pct(firsts, 50) * 1000:>13.1f} ms{pct(firsts, 99) * 1000:>7.1f} ms"
                  f"{pct(totals, 50) * 1000:>9.1f} ms{pct(totals, 99) * 1000:>7.1f} ms{pct(ratio, 50):>18.2f}")
    finally:
        for p in reversed(procs):  # the gateway first, so that its probes do not report the agents' shutdown
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
