#!/usr/bin/env python3
"""The answering agent killed mid-stream, over many streams: what each client gets.

The last agent (agent-5) is replaced by a slow streaming agent on its port (this script, in a child process: it speaks
the cascade protocol and streams a word every --word-ms), so that an answer is still streaming when it dies. Each
round: the slow agent starts, --streams clients ask the five-hop query at α = 0 (agents 1–4 reject it, agent-5 answers)
through the gateway with "stream": true, and once every stream has its first words the slow agent is killed with
SIGKILL. Each client reads until its stream ends or --client-timeout passes and is counted as: got the error event
(then the stream ended without [DONE]), got [DONE] (finished before the kill), ended without either (lost), or still
open at the timeout (hung). Afterwards the gateway's ledger shows what it booked for the failed streams.

    python3 scripts/reliability/midstream-kill.py --port 18480 --agent-port 18485 --rounds 5 --streams 20

Standard library only; scripts/reliability/midstream-kill.sh starts the network, runs this and stops it."""
import argparse
import http.client
import http.server
import json
import multiprocessing
import os
import signal
import threading
import time

QUERY = '{"alpha":0.0,"stream":true,"messages":[{"role":"user","content":"What is 1234+5678?"}]}'


def slow_agent(port, word_ms):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            body = b"Healthy"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()

            def send(data):
                self.wfile.write(b"data: " + data.encode() + b"\n\n")
                self.wfile.flush()

            def chunk(delta, finish=None):
                return {"id": "chatcmpl-slow", "object": "chat.completion.chunk", "created": int(time.time()), "model": "slow",
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

            send(json.dumps(chunk({"role": "assistant", "content": ""})))
            for k in range(100):
                time.sleep(word_ms / 1000)
                send(json.dumps(chunk({"content": f" word{k}"})))
            last = chunk({}, "stop")
            last["usage"] = {"prompt_tokens": 12, "completion_tokens": 100, "total_tokens": 112}
            last["disrouter"] = {"alpha": 0.0, "scenario": "performance-first", "answered_by": "agent-5", "cost": 0.9, "latency_ms": 1.0,
                                 "path": [{"agent": "agent-5", "model": "slow", "decision": "answer", "latency_ms": 1.0, "model_ms": 1.0,
                                           "prompt_tokens": 12, "completion_tokens": 100, "cost": 0.9}]}
            send(json.dumps(last))
            send("[DONE]")

    http.server.ThreadingHTTPServer.allow_reuse_address = True
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def client(args, outcome, first_words):
    state = "hung"
    try:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=args.client_timeout)
        conn.request("POST", "/v1/chat/completions", QUERY,
                     {"Content-Type": "application/json", "Authorization": "Bearer " + args.key})
        response = conn.getresponse()
        if response.status != 200:
            outcome.append(f"HTTP {response.status}")
            first_words.set()
            return
        state = "lost"
        while True:
            line = response.fp.readline()
            if not line:
                break
            line = line.decode().strip()
            if line.startswith("data: ") and "word" in line:
                first_words.set()
            if line == "data: [DONE]":
                state = "done"
                break
            if line.startswith("data: ") and '"error"' in line:
                state = "error event"
    except TimeoutError:
        state = "hung" if state != "error event" else state
    except (ConnectionError, http.client.HTTPException, OSError):
        pass  # the connection broke: what was read before decides
    finally:
        first_words.set()
    outcome.append(state)


def wait_healthy(port, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the slow agent on {port} did not start")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True, help="the gateway's port")
    p.add_argument("--agent-port", type=int, required=True, help="agent-5's port, where the slow agent listens")
    p.add_argument("--key", default=os.environ.get("DISROUTER_API_KEY", "disrouter-local"))
    p.add_argument("--admin-key", default="admin-local")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--streams", type=int, default=20)
    p.add_argument("--word-ms", type=int, default=100)
    p.add_argument("--client-timeout", type=float, default=30)
    args = p.parse_args()

    totals = {}
    for r in range(args.rounds):
        agent = multiprocessing.Process(target=slow_agent, args=(args.agent_port, args.word_ms), daemon=True)
        agent.start()
        wait_healthy(args.agent_port)
        # the gateway's probes may have found the busy entry agent slow (its /health over the probe timeout): wait until it routes again
        waited = time.monotonic()
        wait_healthy(args.port, 120)
        if time.monotonic() - waited > 1:
            print(f"  (the gateway's /health was 503 for {time.monotonic() - waited:.1f} s before this round)", flush=True)
        outcome, threads, started = [], [], []
        for _ in range(args.streams):
            event = threading.Event()
            t = threading.Thread(target=client, args=(args, outcome, event))
            t.start()
            threads.append(t)
            started.append(event)
        began = time.monotonic()
        for event in started:
            event.wait(timeout=max(0.1, 30 - (time.monotonic() - began)))
        os.kill(agent.pid, signal.SIGKILL)
        killed_after = time.monotonic() - began
        agent.join()
        for t in threads:
            t.join()
        counts = {}
        for o in outcome:
            counts[o] = counts.get(o, 0) + 1
            totals[o] = totals.get(o, 0) + 1
        print(f"round {r + 1}: slow agent killed {killed_after:.1f} s after the streams began: {counts}", flush=True)
        time.sleep(1)
    print(f"all {args.rounds * args.streams} streams: {totals}")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        conn.request("GET", "/admin/ledger", headers={"Authorization": "Bearer " + args.admin_key})
        print("gateway ledger, per key:", json.dumps(json.loads(conn.getresponse().read())["keys"]))
    except Exception as e:
        print("ledger not read:", e)


if __name__ == "__main__":
    main()
