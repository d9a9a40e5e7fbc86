#!/usr/bin/env python3
"""A/B two builds of `gateway` on /hello, alternating runs in one sitting.

    bench/ab.py OLD_GATEWAY NEW_GATEWAY [ROUNDS] [-- extra serve flags]

Each round runs OLD then NEW (server pinned to CPU 0, wrk to CPU 1, 50
connections, 5 s) with wrk's bare request and with a browser-like one
(bench/browser.lua); prints every run and the medians and NEW/OLD ratios.
"""
import os
import re
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(binary, port, extra):
    process = subprocess.Popen(["taskset", "-c", "0", binary, "serve", "--app", "probe", "--host", "127.0.0.1",
                                "--port", str(port), "--no-access-log", *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"{binary} did not start")


def wrk(port, script):
    command = ["taskset", "-c", "1", "wrk", "-t1", "-c50", "-d5s"]
    if script:
        command += ["-s", os.path.join(HERE, script)]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}/hello"], capture_output=True, text=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"errors: {output}")
    return float(match.group(1)) if match else 0.0


def main():
    args = sys.argv[1:]
    extra = args[args.index("--") + 1:] if "--" in args else []
    args = args[:args.index("--")] if "--" in args else args
    old, new = args[0], args[1]
    rounds = int(args[2]) if len(args) > 2 else 5
    results = {(build, kind): [] for build in ("old", "new") for kind in ("bare", "browser")}
    for round in range(rounds):
        for build, binary in (("old", old), ("new", new)):
            port = free_port()
            process = serve(binary, port, extra)
            try:
                wrk(port, None)  # warm-up
                for kind, script in (("bare", None), ("browser", "browser.lua")):
                    rate = wrk(port, script)
                    results[(build, kind)].append(rate)
                    print(f"round {round + 1} {build} {kind}: {rate:,.0f} req/s", flush=True)
            finally:
                process.terminate()
                process.wait()
    for kind in ("bare", "browser"):
        old_median = statistics.median(results[("old", kind)])
        new_median = statistics.median(results[("new", kind)])
        print(f"{kind}: old {old_median:,.0f}  new {new_median:,.0f}  new/old {new_median / old_median:.3f}")


if __name__ == "__main__":
    main()
