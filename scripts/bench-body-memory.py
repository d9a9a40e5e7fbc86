#!/usr/bin/env python3
"""Request-body memory under abuse and under load (issue #11's benchmarks),
against a release `gateway serve --app probe`. Prints figures; asserts nothing.

  held:    N connections each send 59 of a declared 60 MB and wait; peak RSS
           (VmHWM) against idle + budget + 32 MB, and /hello latency meanwhile.
  uploads: 50 concurrent complete 10 MB uploads to /upload; every answer 200
           with the right SHA-256; peak RSS.

Usage: scripts/bench-body-memory.py [held|uploads] [--runs 3] [-- server flags...]
"""
import hashlib
import json
import os
import socket
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from overload_common import get, memory_kib, start_server, stop_server  # noqa: E402

MB = 1_000_000


def held(flags, connections=100, declared=60 * MB, sent=59 * MB):
    process, port = start_server("--app", "probe", *flags)
    time.sleep(0.5)
    idle = memory_kib(process.pid)
    body = memoryview(b"x" * sent)
    outcomes = {"held": 0, "refused": 0, "other": 0}
    lock = threading.Lock()
    sockets = []

    def client():
        sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        sockets.append(sock)
        try:
            sock.sendall(f"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\n\r\n".encode())
            sock.sendall(body)
            kind = "held"
        except OSError:
            kind = "refused"  # answered (503) and closed while sending
        if kind == "refused":
            try:
                answer = sock.recv(200)
                kind = "refused" if answer.startswith(b"HTTP/1.1 503") else "other"
            except OSError:
                kind = "other"
        with lock:
            outcomes[kind] += 1

    latencies = []
    done = threading.Event()

    def prober():
        while not done.is_set():
            status, seconds = get(port, "/hello")
            latencies.append(seconds if status == 200 else float("inf"))
            time.sleep(0.2)

    probe = threading.Thread(target=prober)
    probe.start()
    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sending = time.monotonic() - started
    time.sleep(1)
    now, peak = memory_kib(process.pid), memory_kib(process.pid, "VmHWM")
    done.set()
    probe.join()
    for sock in sockets:
        sock.close()
    err = stop_server(process)
    stopped = [line for line in err.splitlines() if "stopped:" in line]
    return {"idle_kib": idle, "peak_kib": peak, "held_kib": now, "outcomes": outcomes, "send_s": round(sending, 1),
            "hello_ms_median": round(statistics.median(latencies) * 1000, 2) if latencies else None,
            "hello_ms_max": round(max(latencies) * 1000, 2) if latencies else None, "hellos": len(latencies),
            "server": stopped[-1].split("stopped: ", 1)[1] if stopped else ""}


def uploads(flags, clients=50, size=10 * MB):
    process, port = start_server("--app", "probe", *flags)
    time.sleep(0.5)
    idle = memory_kib(process.pid)
    bodies = [os.urandom(1024) * (size // 1024) for _ in range(5)]
    digests = [hashlib.sha256(body).hexdigest() for body in bodies]
    results = []

    def client(index):
        body = bodies[index % len(bodies)]
        with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
            sock.sendall(f"POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n".encode())
            sock.sendall(body)
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head, _, payload = data.partition(b"\r\n\r\n")
        status = head.split(b" ", 2)[1].decode()
        ok = status == "200" and json.loads(payload).get("sha256") == digests[index % len(bodies)]
        results.append("ok" if ok else status)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    peak = memory_kib(process.pid, "VmHWM")
    stop_server(process)
    answers = {answer: results.count(answer) for answer in set(results)}
    return {"idle_kib": idle, "peak_kib": peak, "answers": answers, "of": clients, "seconds": round(elapsed, 2)}


def main():
    args = sys.argv[1:]
    flags = args[args.index("--") + 1:] if "--" in args else []
    args = args[:args.index("--")] if "--" in args else args
    which = args[0] if args else "held"
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 3
    results = []
    for run in range(runs):
        result = held(flags) if which == "held" else uploads(flags)
        print(f"run {run + 1}: {result}", flush=True)
        results.append(result)
    print(f"{which} {' '.join(flags)}: median peak RSS {statistics.median(r['peak_kib'] for r in results) / 1024:.1f} MiB, "
          f"median idle RSS {statistics.median(r['idle_kib'] for r in results) / 1024:.1f} MiB"
          + (f", median /hello {statistics.median(r['hello_ms_median'] for r in results)} ms"
             if which == "held" else ""))


if __name__ == "__main__":
    main()
