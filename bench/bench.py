#!/usr/bin/env python3
"""EventGateway benchmark: every server beside the C evhttp ceiling, in one run.

Called by bench/run (which installs wrk, builds in release mode and makes a
venv with waitress). Servers are pinned to CPU 0 and wrk to CPU 1; each
figure is the median of REPS runs. Writes docs/benchmarks.md and
docs/benchmarks.svg.
"""
import datetime
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD_DIR", os.path.join(ROOT, ".build", "release"))
VENV = os.path.join(ROOT, "bench", ".venv")
OUT = os.path.join(ROOT, "bench", "out")
REPS = int(os.environ.get("REPS", "3"))
DURATION = os.environ.get("DURATION", "5s")
CONNECTIONS = [int(c) for c in os.environ.get("CONNECTIONS", "50,1000").split(",")]
IDLE = int(os.environ.get("IDLE_CONNECTIONS", "10000"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gateway(*args):
    return lambda port: [os.path.join(BUILD, "gateway"), "serve", "--app", "probe", "--host", "127.0.0.1",
                         "--port", str(port), "--no-access-log", *args]


SERVERS = [
    # name, command(port), path, kind
    ("C evhttp (ceiling)", lambda port: [os.path.join(OUT, "c_hello"), str(port), os.path.join(OUT, "file.bin")], "/hello", "c"),
    ("EventGateway inline", gateway(), "/hello", "event"),
    ("EventGateway threads=4", gateway("--threads", "4"), "/hello", "event"),
    ("EventGateway reactors=2", gateway("--reactors", "2"), "/hello", "event"),
    ("EventGateway socket (threads)", gateway("--backend", "socket", "--socket-mode", "threads"), "/hello", "socket"),
    ("waitress (Python)", lambda port: [os.path.join(VENV, "bin", "waitress-serve"), "--listen", f"127.0.0.1:{port}",
                                        "--threads", "4", "--connection-limit", "2000", "hello_wsgi:app"], "/hello", "py"),
    ("wsgiref.simple_server (Python)", lambda port: [sys.executable, "hello_wsgi.py", str(port)], "/hello", "py"),
]


def start(command, port):
    process = subprocess.Popen(["taskset", "-c", "0", *command], cwd=os.path.join(ROOT, "bench"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server did not start: {command}")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wrk(url, connections):
    threads = 1 if connections <= 50 else 2
    result = subprocess.run(["taskset", "-c", "1", "wrk", f"-t{threads}", f"-c{connections}", f"-d{DURATION}",
                             "--latency", "--timeout", "5s", url], capture_output=True, text=True, timeout=120)
    text = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)

    def latency(percent):
        match = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", text)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": rps, "p50": latency(50), "p99": latency(99),
            "errors": int(errors.group(1)) if errors else 0,
            "socket_errors": sum(int(g) for g in socket_errors.groups()) if socket_errors else 0}


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def server_pid(process):
    """The server under taskset (taskset execs, so it is the same pid)."""
    return process.pid


def idle_memory(command, port, count):
    process = start(command, port)
    pid = server_pid(process)
    try:
        time.sleep(0.3)
        before = rss_kib(pid)
        sockets = []
        request = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(request)
            s.recv(4096)
            sockets.append(s)
        time.sleep(0.5)
        after = rss_kib(pid)
        for s in sockets:
            s.close()
        return before, after, (after - before) / count
    finally:
        stop(process)


def stream_peak(command, port):
    process = start(command, port)
    pid = server_pid(process)
    try:
        started = time.time()
        subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/stream?chunks=16384&size=65536"],
                       check=True, timeout=300)
        return rss_kib(pid, "VmHWM"), time.time() - started
    finally:
        stop(process)


def file_throughput(command, port, path, size, reps=7):
    """Median MB/s of `reps` downloads, as curl (pinned to the other core) times them."""
    process = start(command, port)
    try:
        rates = []
        for _ in range(reps):
            out = subprocess.run(["taskset", "-c", "1", "curl", "-s", "-o", "/dev/null", "-w", "%{size_download} %{speed_download}",
                                  f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=300)
            downloaded, speed = out.stdout.split()
            assert int(downloaded) == size, out.stdout
            rates.append(float(speed) / 1e6)
        return statistics.median(rates)
    finally:
        stop(process)


def svg_chart(rows, connections):
    width, bar_height, left = 760, 26, 250
    top = 40
    height = top + len(rows) * (bar_height + 10) + 30
    peak = max(r[f"rps{connections}"] for r in rows) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="13">',
             f'<text x="10" y="22" font-size="15" font-weight="bold">Requests/s, /hello, {connections} connections '
             f'(server on 1 core, median of {REPS})</text>']
    for index, row in enumerate(rows):
        y = top + index * (bar_height + 10)
        length = (width - left - 90) * row[f"rps{connections}"] / peak
        color = "#888" if row["kind"] == "c" else "#2a7ab0" if row["kind"] in ("event", "socket") else "#c97a2a"
        parts.append(f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{row["name"]}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{color}"/>')
        parts.append(f'<text x="{left + length + 6:.1f}" y="{y + 18}">{row[f"rps{connections}"]:,.0f}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def main():
    rows = []
    for name, command, path, kind in SERVERS:
        row = {"name": name, "kind": kind}
        for connections in CONNECTIONS:
            if kind == "py" and "wsgiref" in name and connections > 50:
                row[f"rps{connections}"] = 0.0  # one connection at a time: wrk only times out
                row[f"p50_{connections}"] = row[f"p99_{connections}"] = float("nan")
                continue
            runs = []
            for _ in range(REPS):
                port = free_port()
                process = start(command(port), port)
                try:
                    wrk(f"http://127.0.0.1:{port}{path}", connections)  # warm-up, discarded? no: short runs
                    runs.append(wrk(f"http://127.0.0.1:{port}{path}", connections))
                finally:
                    stop(process)
            row[f"rps{connections}"] = statistics.median(r["rps"] for r in runs)
            row[f"p50_{connections}"] = statistics.median(r["p50"] for r in runs)
            row[f"p99_{connections}"] = statistics.median(r["p99"] for r in runs)
            row[f"errors{connections}"] = sum(r["errors"] + r["socket_errors"] for r in runs)
            print(f"{name:34} c={connections:<5} {row[f'rps{connections}']:>10,.0f} req/s  p50 {row[f'p50_{connections}']:.2f} ms"
                  f"  p99 {row[f'p99_{connections}']:.2f} ms", flush=True)
        rows.append(row)
    ceiling = rows[0]

    memory = []
    for name, command, _, kind in SERVERS[:2]:
        port = free_port()
        before, after, per = idle_memory(command(port), port, IDLE)
        memory.append((name, before, after, per))
        print(f"{name:34} {IDLE} idle connections: {before} -> {after} KiB, {per:.2f} KiB each", flush=True)

    file_size = 100_000_000
    file_rates = []
    for name, command, path in [(SERVERS[0][0], SERVERS[0][1], "/file"), (SERVERS[1][0], SERVERS[1][1], "/file.bin")]:
        port = free_port()
        cmd = command(port)
        if "gateway" in cmd[0]:
            cmd = [cmd[0], "serve", "--app", "static", "--root", OUT, "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        rate = file_throughput(cmd, port, path, file_size)
        file_rates.append((name, rate))
        print(f"{name:34} 100 MB file: {rate:,.0f} MB/s", flush=True)

    port = free_port()
    peak, seconds = stream_peak(SERVERS[1][1](port), port)
    print(f"EventGateway inline: 1 GiB stream, peak RSS {peak} KiB, {seconds:.1f} s", flush=True)

    docs = os.path.join(ROOT, "docs")
    os.makedirs(docs, exist_ok=True)
    with open(os.path.join(docs, "benchmarks.svg"), "w") as svg:
        svg.write(svg_chart(rows, CONNECTIONS[0]))
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [
        "# Benchmarks", "",
        f"Written by `make bench` on {datetime.date.today()} — {cpu}, {os.cpu_count()} cores, "
        f"Linux {platform.release()}. Loopback; the server pinned to CPU 0, wrk to CPU 1; `/hello` "
        f"(13-byte body); {DURATION} per run, median of {REPS} runs; each ratio is against the C evhttp "
        "server measured in the same run.", "",
        "![requests per second](benchmarks.svg)", "",
    ]
    header = "| server | " + " | ".join(f"req/s c={c} | ratio | p50 ms | p99 ms" for c in CONNECTIONS) + " |"
    lines += [header, "|" + " --- |" * (1 + 4 * len(CONNECTIONS))]
    for row in rows:
        cells = [row["name"]]
        for c in CONNECTIONS:
            rps = row[f"rps{c}"]
            if rps == 0:
                cells += ["—", "—", "—", "—"]
                continue
            cells += [f"{rps:,.0f}", f"{rps / ceiling[f'rps{c}']:.2f}", f"{row[f'p50_{c}']:.2f}", f"{row[f'p99_{c}']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"wsgiref serves one connection at a time, so it is not run at {max(CONNECTIONS)} connections.", "",
              f"## Memory with {IDLE} idle keep-alive connections", "",
              "| server | RSS before (KiB) | RSS after (KiB) | KiB per connection |", "| --- | --- | --- | --- |"]
    for name, before, after, per in memory:
        lines.append(f"| {name} | {before:,} | {after:,} | {per:.2f} |")
    lines += ["", "## Sending a 100 MB file (sendfile)", "", "| server | MB/s (median of 7) | ratio |", "| --- | --- | --- |"]
    for name, rate in file_rates:
        lines.append(f"| {name} | {rate:,.0f} | {rate / file_rates[0][1]:.2f} |")
    lines += ["", "## Streaming a generated 1 GiB body", "",
              f"EventGateway inline, `/stream?chunks=16384&size=65536` read by curl: peak RSS {peak / 1024:.1f} MiB, "
              f"{seconds:.1f} s.", ""]
    with open(os.path.join(docs, "benchmarks.md"), "w") as md:
        md.write("\n".join(lines))
    print("wrote docs/benchmarks.md and docs/benchmarks.svg")


if __name__ == "__main__":
    main()
