#!/usr/bin/env python3
"""Where a server's time goes under load, per request: user and system CPU
microseconds and context switches (all its threads, from /proc), for a
`gateway` binary with the flags given.

    bench/cpu.py GATEWAY [FLAGS...]      e.g. bench/cpu.py .build/release/gateway --threads 4

The server is pinned to CPU 0 and wrk (50 connections, 5 s, /hello) to CPU 1.
"""
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ab  # noqa: E402  (free_port, serve)


def totals(pid):
    user = system = switches = 0
    for task in glob.glob(f"/proc/{pid}/task/*"):
        fields = open(f"{task}/stat").read().rsplit(")", 1)[1].split()
        user, system = user + int(fields[11]), system + int(fields[12])
        for line in open(f"{task}/status"):
            if "ctxt_switches" in line:
                switches += int(line.split()[1])
    return user, system, switches


def main():
    binary, flags = sys.argv[1], sys.argv[2:]
    port = ab.free_port()
    server = ab.serve(binary, port, flags)  # pinned to CPU 0, answering once this returns
    try:
        before = totals(server.pid)
        output = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", "-c50", "-d5s", f"http://127.0.0.1:{port}/hello"],
                                capture_output=True, text=True).stdout
        after = totals(server.pid)
    finally:
        server.terminate()
        server.wait()
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    hz = os.sysconf("SC_CLK_TCK")
    user, system, switches = (b - a for a, b in zip(before, after))
    print(f"{' '.join(flags) or 'inline'}: {requests / 5:,.0f} req/s, per request {user / hz / requests * 1e6:.2f} µs user, "
          f"{system / hz / requests * 1e6:.2f} µs system, {switches / requests:.2f} context switches")


if __name__ == "__main__":
    main()
