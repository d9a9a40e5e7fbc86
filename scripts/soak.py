#!/usr/bin/env python3
"""Soak (issue #11): about REQUESTS (default 1,000,000) keep-alive requests
through the worker pool of a release `gateway serve --app probe --threads 4`:
wrk cycles /hello, a 10 KB POST to /upload and a streamed /stream response,
while another client keeps starting a large streamed response and
disconnecting mid-way. RSS is sampled each second; printed: RSS after
warm-up against RSS at the end (goal: at most 5% growth) and every error
seen (goal: none besides the intended disconnects).

Usage: scripts/soak.py [--requests N] [--warmup SECONDS] [-- server flags]
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from overload_common import memory_kib, start_server, stop_server  # noqa: E402

LUA = r"""
local bodies = string.rep("s", 10240)
local requests = {}
local i = 0
init = function(args)
  requests[1] = wrk.format("GET", "/hello")
  requests[2] = wrk.format("POST", "/upload", {["Content-Type"] = "application/octet-stream"}, bodies)
  requests[3] = wrk.format("GET", "/stream?chunks=4&size=1024")
end
request = function()
  i = i % 3 + 1
  return requests[i]
end
"""


def wrk(port, seconds, script):
    out = subprocess.run(["wrk", "-t", "1", "-c", "16", "-d", f"{seconds}s", "-s", script,
                          f"http://127.0.0.1:{port}/"], capture_output=True, text=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.findall(r"(Socket errors:.*|Non-2xx or 3xx responses: \d+)", out)
    return requests, errors, out


def main():
    args = sys.argv[1:]
    flags = args[args.index("--") + 1:] if "--" in args else ["--threads", "4"]
    args = args[:args.index("--")] if "--" in args else args
    total = int(args[args.index("--requests") + 1]) if "--requests" in args else 1_000_000
    warmup = int(args[args.index("--warmup") + 1]) if "--warmup" in args else 10
    process, port = start_server("--app", "probe", *flags)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(LUA)
    samples = []
    stop = threading.Event()
    disconnects = {"done": 0, "errors": []}

    def sampler():
        while not stop.is_set():
            samples.append(memory_kib(process.pid))
            time.sleep(1)

    def disconnecter():
        while not stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                    sock.sendall(b"GET /stream?chunks=10000&size=65536 HTTP/1.1\r\nHost: x\r\n\r\n")
                    got = sock.recv(65536)
                    if not got.startswith(b"HTTP/1.1 200"):
                        disconnects["errors"].append(got[:60])
                disconnects["done"] += 1
            except OSError as error:
                disconnects["errors"].append(str(error))
            time.sleep(0.05)

    threads = [threading.Thread(target=sampler), threading.Thread(target=disconnecter)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    warm_requests, warm_errors, _ = wrk(port, warmup, lua.name)
    after_warmup = memory_kib(process.pid)
    rate = warm_requests / warmup
    remaining = max(total - warm_requests, 0)
    seconds = max(int(remaining / rate * 1.1) + 1, 1)  # the rate sags a little later on
    print(f"warm-up: {warm_requests} requests in {warmup} s ({rate:.0f}/s), RSS {after_warmup} KiB; "
          f"then {seconds} s for the remaining ~{remaining}", flush=True)
    main_requests, main_errors, output = wrk(port, seconds, lua.name)
    at_end = memory_kib(process.pid)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    err = stop_server(process)
    os.unlink(lua.name)
    growth = (at_end - after_warmup) / after_warmup * 100
    print(output)
    print(f"requests: {warm_requests + main_requests} by wrk in {elapsed:.0f} s, plus {disconnects['done']} "
          f"intended mid-response disconnects")
    print(f"RSS after warm-up {after_warmup} KiB, at the end {at_end} KiB: {growth:+.1f}% "
          f"(max sampled {max(samples)} KiB, {len(samples)} samples)")
    print(f"errors: wrk {warm_errors + main_errors or 'none'}; disconnecting client {disconnects['errors'] or 'none'}")
    stopped = [line for line in err.splitlines() if "stopped:" in line]
    if stopped:
        print("server at stop:", stopped[-1].split("stopped: ", 1)[1])


if __name__ == "__main__":
    main()
