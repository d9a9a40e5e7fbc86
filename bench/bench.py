#!/usr/bin/env python3
"""EventGateway benchmark: every figure beside the same run's three
references, and beside the previous run's. The references (issue #21): C
evhttp (bench/c_hello.c), the libevent floor (bench/c_hello_bufferevent.c: C
on bare bufferevents, no HTTP layer) and bjoern (C on libev calling a Python
WSGI app, bench/hello_wsgi.py).

Called by bench/run (`make bench`; it installs wrk, curl, valgrind and
libev-dev, builds in release mode, compiles both C servers and makes a venv
with waitress and bjoern). Settings, from the environment:

  ROUNDS=5          rounds; each starts every server in turn (C evhttp, C
                    bufferevent, bjoern, the gateway inline, --threads 4,
                    --reactors 2, then the others) and measures it at every
                    connection count with wrk's bare request and the
                    browser-like one (bench/browser.lua); figures are
                    medians over rounds
  OTHER_ROUNDS=3    rounds for the rows no goal names, waitress and wsgiref,
                    and for the IDLE_LOAD runs (at most ROUNDS)
  DURATION=5s       one wrk run (WARMUP=1s of wrk, discarded, after a start)
  CONNECTIONS=50,1000
  CORES=1           servers pinned to CPUs 0..CORES-1, wrk to the others
                    (shared when none is left); the gateway runs with
                    --reactors CORES, the C server with CORES loops
  IDLE_CONNECTIONS=10000 (memory per idle connection)
  IDLE_LOAD=15000   idle keep-alive connections held open while wrk runs
                    c=50 again: the drop against the run without them
  REQUESTS=2000     (callgrind, bench/instructions.py)
  SERVERS=          a comma-separated subset of the rows' keys (c, cbev,
                    bjoern, inline, threads4, reactors2, socket, waitress,
                    wsgiref), e.g. SERVERS=c,cbev,bjoern to smoke-test the
                    references without a gateway build; the other figures
                    are then measured for the selected servers only
  RESULTS_DIR=bench/results  latest.json is this run, previous.json the one
                    before (each figure is printed with the previous value)
  DOCS_DIR=docs     where benchmarks.md and benchmarks.svg are written

`make bench-quick` (ROUNDS=1 DURATION=1s ...) smoke-tests the whole script
in a minute or two and writes to bench/out/quick instead.
"""
import datetime
import json
import math
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no bench/__pycache__ in the work tree
import instructions  # noqa: E402  (bench/instructions.py; reads REQUESTS)

BUILD = os.environ.get("BUILD_DIR", os.path.join(ROOT, ".build", "release"))
GATEWAY = os.path.join(BUILD, "gateway")
VENV = os.path.join(ROOT, "bench", ".venv")
OUT = os.path.join(ROOT, "bench", "out")
C_HELLO = os.path.join(OUT, "c_hello")
C_BUFFEREVENT = os.path.join(OUT, "c_hello_bufferevent")
ROUNDS = int(os.environ.get("ROUNDS", os.environ.get("REPS", "5")))
OTHER_ROUNDS = min(ROUNDS, int(os.environ.get("OTHER_ROUNDS", "3")))
DURATION = os.environ.get("DURATION", "5s")
WARMUP = os.environ.get("WARMUP", "1s")
CONNECTIONS = [int(c) for c in os.environ.get("CONNECTIONS", "50,1000").split(",")]
IDLE = int(os.environ.get("IDLE_CONNECTIONS", "10000"))
IDLE_LOAD = int(os.environ.get("IDLE_LOAD", "15000"))
CORES = int(os.environ.get("CORES", "1"))
RESULTS_DIR = os.path.join(ROOT, os.environ.get("RESULTS_DIR", "bench/results"))
DOCS_DIR = os.path.join(ROOT, os.environ.get("DOCS_DIR", "docs"))
FILE_SIZE = 100_000_000
KINDS = [("bare", None), ("browser", "browser.lua")]
KIND_TITLE = {"bare": "wrk's bare request", "browser": "browser-like request (bench/browser.lua)"}

CPUS = sorted(os.sched_getaffinity(0))
if not 1 <= CORES <= len(CPUS):
    sys.exit(f"CORES={CORES}: this machine offers CPUs {CPUS}")
# The idle connections (IDLE_CONNECTIONS, IDLE_LOAD) are this process's
# descriptors, and the servers it starts inherit the limit: raise it to the
# hard one (bench/run does too; this covers running bench.py by hand).
_, HARD_FILES = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (HARD_FILES, HARD_FILES))
if HARD_FILES != resource.RLIM_INFINITY and IDLE_LOAD > HARD_FILES - 1100:
    print(f"IDLE_LOAD={IDLE_LOAD} needs more than the {HARD_FILES} descriptors allowed: using {HARD_FILES - 1100}")
    IDLE_LOAD = HARD_FILES - 1100
SERVER_CPUS = CPUS[:CORES]
WRK_CPUS = CPUS[CORES:]
SHARED = not WRK_CPUS
if SHARED:
    WRK_CPUS = CPUS


def cpu_list(cpus):
    return ",".join(str(c) for c in cpus)


def seconds(duration):
    """wrk's duration syntax: a number with an optional s, m or h."""
    match = re.fullmatch(r"([\d.]+)([smh]?)", duration)
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def gateway(*args):
    return lambda port: [GATEWAY, "serve", "--app", "probe", "--host", "127.0.0.1", "--port", str(port),
                         "--no-access-log", "--no-server-header", *args]


REACTORS = ["--reactors", str(CORES)] if CORES > 1 else []
PLURAL = "s" if CORES > 1 else ""
# key (stable across runs: results/*.json), name, command(port), rounds, most connections
SERVERS = [
    {"key": "c", "name": f"C evhttp ({CORES} loop{PLURAL})", "rounds": ROUNDS,
     "command": lambda port: [C_HELLO, str(port), os.path.join(OUT, "file.bin"), str(CORES)]},
    {"key": "cbev", "name": f"C bufferevent ({CORES} loop{PLURAL})", "rounds": ROUNDS,
     "command": lambda port: [C_BUFFEREVENT, str(port), "-", str(CORES)]},
    # One process whatever CORES is: bjoern has one loop and no threads.
    {"key": "bjoern", "name": "bjoern (Python, 1 process)", "rounds": ROUNDS,
     "command": lambda port: [os.path.join(VENV, "bin", "python"), "hello_wsgi.py", str(port), "bjoern"]},
    {"key": "inline", "name": "EventGateway inline" + (f" --reactors {CORES}" if CORES > 1 else ""),
     "rounds": ROUNDS, "command": gateway(*REACTORS)},
    {"key": "threads4", "name": "EventGateway --threads 4" + (f" --reactors {CORES}" if CORES > 1 else ""),
     "rounds": ROUNDS, "command": gateway("--threads", "4", *REACTORS)},
]
if CORES == 1:
    SERVERS.append({"key": "reactors2", "name": "EventGateway --reactors 2", "rounds": ROUNDS,
                    "command": gateway("--reactors", "2")})
SERVERS += [
    # All the rounds: issue #21 wants the event server 1.3x this one at c=1000.
    {"key": "socket", "name": "EventGateway socket (threads)", "rounds": ROUNDS,
     "command": gateway("--backend", "socket", "--socket-mode", "threads")},
    {"key": "waitress", "name": "waitress (Python)", "rounds": OTHER_ROUNDS,
     "command": lambda port: [os.path.join(VENV, "bin", "waitress-serve"), "--listen", f"127.0.0.1:{port}",
                              "--threads", "4", "--connection-limit", "2000", "hello_wsgi:app"]},
    # One connection at a time: at 1000 connections wrk only times out.
    {"key": "wsgiref", "name": "wsgiref.simple_server (Python)", "rounds": OTHER_ROUNDS, "max_connections": 50,
     "command": lambda port: [sys.executable, "hello_wsgi.py", str(port)]},
]
# The references every gateway row is compared with, C evhttp first (the
# "ratio to C" of the tables and the goals), with their short names.
REFERENCES = {"c": "C evhttp", "cbev": "C bufferevent", "bjoern": "bjoern"}
GATEWAY_KEYS = ("inline", "threads4", "reactors2", "socket")
ALL_KEYS = [s["key"] for s in SERVERS]
if os.environ.get("SERVERS"):
    wanted = os.environ["SERVERS"].split(",")
    unknown = set(wanted) - set(ALL_KEYS)
    if unknown:
        sys.exit(f"SERVERS: unknown {', '.join(sorted(unknown))}; the keys are {','.join(ALL_KEYS)}")
    SERVERS = [s for s in SERVERS if s["key"] in wanted]
SELECTED = {s["key"] for s in SERVERS}
NAMES = {s["key"]: s["name"] for s in SERVERS}
# The issue's req/s figures are medians of at least 5 rounds of 5 s runs.
CAVEAT = "" if ROUNDS >= 5 and seconds(DURATION) >= 5 else \
    f"ROUNDS={ROUNDS}, DURATION={DURATION}: a smoke test, not the issue's 5 rounds of 5 s; its req/s verdicts mean little"
STARTED = time.time()


def log(text):
    elapsed = int(time.time() - STARTED)
    print(f"[{elapsed // 60:2}:{elapsed % 60:02}] {text}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command, port):
    process = subprocess.Popen(["taskset", "-c", cpu_list(SERVER_CPUS), *command], cwd=HERE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if process.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    process.wait()
    raise RuntimeError(f"server did not start: {' '.join(command)}")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wrk(url, connections, script=None, duration=DURATION):
    """One wrk run: req/s, p50 and p99 in ms, errors; None if wrk reported nothing."""
    threads = max(len(WRK_CPUS), 1 if connections <= 50 else 2)
    command = ["taskset", "-c", cpu_list(WRK_CPUS), "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}",
               "--latency", "--timeout", "5s"]
    if script:
        command += ["-s", os.path.join(HERE, script)]
    try:
        result = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds(duration) + 60)
    except subprocess.TimeoutExpired:
        return None
    text = result.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not rps:
        return None
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)

    def latency(percent):
        match = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)\b", text)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": float(rps.group(1)), "p50": latency(50), "p99": latency(99),
            "errors": (int(errors.group(1)) if errors else 0)
            + (sum(int(g) for g in socket_errors.groups()) if socket_errors else 0)}


# ---------------------------------------------------------------- previous run

def load_previous():
    try:
        with open(os.path.join(RESULTS_DIR, "latest.json")) as f:
            data = json.load(f)
        return data.get("figures", {}), data.get("meta", {})
    except (OSError, ValueError):
        return {}, {}


PREVIOUS, PREVIOUS_META = load_previous()
FIGURES = {}


def record(key, value):
    FIGURES[key] = value
    return value


def previous(key, fmt):
    """'previous (change)' of a recorded figure, or '—'."""
    old, new = PREVIOUS.get(key), FIGURES.get(key)
    if old is None or new is None or isinstance(old, str) or (isinstance(old, float) and math.isnan(old)):
        return "—", "—"
    change = "—" if old == 0 or (isinstance(new, float) and math.isnan(new)) else f"{(new / old - 1) * 100:+.1f}%"
    return fmt(old), change


def was(key, fmt):
    """The previous value with the change in one cell: '68,809 (+3.2%)', or '—'."""
    old, change = previous(key, fmt)
    return old if change == "—" else f"{old} ({change})"


def describe_previous():
    if not PREVIOUS_META:
        return "none (no earlier results in " + os.path.relpath(RESULTS_DIR, ROOT) + ")"
    meta = PREVIOUS_META
    text = meta.get("note") or (f"{meta.get('date', '?')} at {meta.get('commit', '?')}, ROUNDS={meta.get('rounds')}, "
                                f"DURATION={meta.get('duration')}, CORES={meta.get('cores')}")
    if meta.get("cores", 1) != CORES:
        text += f" — measured with CORES={meta.get('cores')}, not comparable with this run's CORES={CORES}"
    return text


# -------------------------------------------------------------- requests per second

RUNS = {}  # (server key, kind, connections) -> [{"round", "rps", "p50", "p99", "errors"}]


def measure_round(server, round_number):
    port = free_port()
    try:
        process = start(server["command"](port), port)
    except RuntimeError as error:
        log(f"round {round_number}: {error}")
        return
    url = f"http://127.0.0.1:{port}/hello"
    try:
        wrk(url, min(50, server.get("max_connections", 50)), duration=WARMUP)
        for connections in CONNECTIONS:
            if connections > server.get("max_connections", connections):
                continue
            for kind, script in KINDS:
                run = wrk(url, connections, script)
                if run is None:
                    log(f"round {round_number} {server['name']} c={connections} {kind}: wrk reported nothing")
                    continue
                run["round"] = round_number
                RUNS.setdefault((server["key"], kind, connections), []).append(run)
                log(f"r{round_number}/{ROUNDS} {run_line(server['key'], kind, connections, run)}")
    finally:
        stop(process)


def same_round(key, kind, connections, round_number):
    return next((r for r in RUNS.get((key, kind, connections), []) if r["round"] == round_number), None)


def run_line(key, kind, connections, run):
    line = (f"{NAMES[key]:40} c={connections:<5} {kind:8} {run['rps']:>9,.0f} req/s  p99 {run['p99']:7.2f} ms"
            + (f"  {run['errors']} errors" if run["errors"] else ""))
    c = same_round("c", kind, connections, run["round"])
    if key != "c" and c:
        line += f" | C {c['rps']:,.0f}: {run['rps'] / c['rps']:.2f}, C p99 {c['p99']:.2f}: {run['p99'] / c['p99']:.2f}x"
    for ref in ("cbev", "bjoern"):
        other = same_round(ref, kind, connections, run["round"])
        if key in GATEWAY_KEYS and other:
            line += f" | {REFERENCES[ref]} {other['rps']:,.0f}: {run['rps'] / other['rps']:.2f}"
    inline = same_round("inline", kind, connections, run["round"])
    if key == "threads4" and inline:
        line += f" | inline {inline['rps']:,.0f}: {run['rps'] / inline['rps']:.2f}"
    return line


def median_of(key, kind, connections):
    runs = RUNS.get((key, kind, connections))
    if not runs:
        return None
    figures = {name: statistics.median(r[name] for r in runs) for name in ("rps", "p50", "p99")}
    figures["errors"] = sum(r["errors"] for r in runs)
    figures["n"] = len(runs)
    c_runs = {r["round"]: r["rps"] for r in RUNS.get(("c", kind, connections), [])}
    figures["round_ratios"] = [r["rps"] / c_runs[r["round"]] for r in runs if r["round"] in c_runs]
    for name in ("rps", "p50", "p99", "errors"):
        record(f"{kind}.c{connections}.{key}.{name}", figures[name])
    return figures


def throughput_rows():
    """One row per (kind, connections, server) with its medians and ratios:
    "ratio" to C evhttp for every row, and a gateway row's ratios to each
    reference in "refs" (reference key -> (req/s ratio, p99 ratio))."""
    rows = []
    for kind, _ in KINDS:
        for connections in CONNECTIONS:
            medians = {s["key"]: median_of(s["key"], kind, connections) for s in SERVERS}
            c, inline = medians.get("c"), medians.get("inline")
            for server in SERVERS:
                key, m = server["key"], medians[server["key"]]
                if m is None:
                    continue
                row = {"kind": kind, "connections": connections, "key": key, "name": server["name"], **m}
                row["c_rps"] = c["rps"] if c else float("nan")
                row["c_p99"] = c["p99"] if c else float("nan")
                row["ratio"] = m["rps"] / c["rps"] if c else float("nan")
                row["p99_ratio"] = m["p99"] / c["p99"] if c and c["p99"] else float("nan")
                if key == "threads4" and inline:
                    row["of_inline"] = m["rps"] / inline["rps"]
                    record(f"{kind}.c{connections}.threads4.of_inline", row["of_inline"])
                record(f"{kind}.c{connections}.{key}.ratio", row["ratio"])
                if key in GATEWAY_KEYS:
                    row["refs"] = {}
                    for ref in REFERENCES:
                        r = medians.get(ref)
                        if r:
                            row["refs"][ref] = (m["rps"] / r["rps"], m["p99"] / r["p99"] if r["p99"] else float("nan"))
                            record(f"{kind}.c{connections}.{key}.ratio_{ref}", row["refs"][ref][0])
                rows.append(row)
    return rows


def spread(row):
    """The range of a row's per-round ratios to C (none for C itself)."""
    ratios = row["round_ratios"]
    return f"{min(ratios):.2f}–{max(ratios):.2f}" if len(ratios) > 1 and row["key"] != "c" else "—"


def print_throughput(rows):
    fewer = [s["key"] for s in SERVERS if s["rounds"] < ROUNDS]
    print(f"\nRequests per second, medians of {ROUNDS} round(s)"
          + (f" ({OTHER_ROUNDS} for {', '.join(fewer)})" if fewer else "") + "; "
          "ratio = server / C evhttp of this run; previous run: " + describe_previous())
    print(f"{'request':8} {'c':>5} {'server':40} {'req/s':>9} {'C req/s':>9} {'ratio':>5} {'rounds':>9} "
          f"{'p99 ms':>8} {'C p99':>7} {'p99/C':>5} {'errors':>6} {'previous req/s':>18} {'prev ratio':>16} "
          f"{'prev p99':>17}")
    for row in rows:
        key = f"{row['kind']}.c{row['connections']}.{row['key']}"
        line = (f"{row['kind']:8} {row['connections']:>5} {row['name']:40} {row['rps']:>9,.0f} {row['c_rps']:>9,.0f} "
                f"{row['ratio']:>5.2f} {spread(row):>9} {row['p99']:>8.2f} {row['c_p99']:>7.2f} "
                f"{row['p99_ratio']:>5.2f} {row['errors']:>6} {was(key + '.rps', lambda v: f'{v:,.0f}'):>18} "
                f"{was(key + '.ratio', lambda v: f'{v:.2f}'):>16} {was(key + '.p99', lambda v: f'{v:.2f}'):>17}")
        if "of_inline" in row:
            line += f"   {row['of_inline']:.2f} of inline"
        print(line)
    print("\nThe gateway against each reference: req/s ratio (p99 ratio)")
    for row in rows:
        if row.get("refs"):
            print(f"{row['kind']:8} {row['connections']:>5} {row['name']:40} {row['rps']:>9,.0f}  " + "  ".join(
                f"{REFERENCES[ref]} {rps:.2f} ({p99:.2f})" for ref, (rps, p99) in row["refs"].items()))


# ------------------------------------------------------------- the other figures

def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def open_idle(port, count):
    """`count` keep-alive connections that have each had one /hello answered
    (a connection the server has fully set up) and are left idle."""
    sockets = []
    request = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port))
            sockets.append(s)
            s.sendall(request)
            s.recv(4096)
    except OSError:
        close_all(sockets)
        raise
    return sockets


def close_all(sockets):
    for s in sockets:
        s.close()


def idle_memory(command, port, count):
    process = start(command, port)  # taskset execs: the server has the same pid
    try:
        time.sleep(0.3)
        before = rss_kib(process.pid)
        sockets = open_idle(port, count)
        time.sleep(0.5)
        after = rss_kib(process.pid)
        close_all(sockets)
        return before, after, (after - before) / count
    finally:
        stop(process)


def idle_load_drop(command, port):
    """/hello at c=50 (bare) without and then with IDLE_LOAD idle keep-alive
    connections open to the same server: (req/s before, after, drop)."""
    process = start(command, port)
    url = f"http://127.0.0.1:{port}/hello"
    try:
        wrk(url, 50, duration=WARMUP)
        before = wrk(url, 50)
        sockets = open_idle(port, IDLE_LOAD)
        try:
            after = wrk(url, 50)
        finally:
            close_all(sockets)
    finally:
        stop(process)
    if not before or not after:
        return None
    return before["rps"], after["rps"], 1 - after["rps"] / before["rps"]


def stream_peak(command, port):
    process = start(command, port)
    try:
        started = time.time()
        subprocess.run(["taskset", "-c", cpu_list(WRK_CPUS), "curl", "-s", "-o", "/dev/null",
                        f"http://127.0.0.1:{port}/stream?chunks=16384&size=65536"], check=True, timeout=300)
        return rss_kib(process.pid, "VmHWM"), time.time() - started
    finally:
        stop(process)


def file_throughput(command, port, path, size, reps=7):
    """Median MB/s of `reps` downloads, as curl (on wrk's CPUs) times them."""
    process = start(command, port)
    try:
        rates = []
        for _ in range(reps):
            out = subprocess.run(["taskset", "-c", cpu_list(WRK_CPUS), "curl", "-s", "-o", "/dev/null",
                                  "-w", "%{size_download} %{speed_download}", f"http://127.0.0.1:{port}{path}"],
                                 capture_output=True, text=True, timeout=300)
            downloaded, speed = out.stdout.split()
            assert int(downloaded) == size, out.stdout
            rates.append(float(speed) / 1e6)
        return statistics.median(rates)
    finally:
        stop(process)


def server(key):
    return next(s for s in SERVERS if s["key"] == key)


def measure_memory():
    rows = []
    for key in (k for k in ("c", "cbev", "bjoern", "inline") if k in SELECTED):
        port = free_port()
        try:
            before, after, per = idle_memory(server(key)["command"](port), port, IDLE)
        except (OSError, RuntimeError) as error:  # keep the rest of a long run
            log(f"{NAMES[key]}: {IDLE} idle connections failed: {error!r}")
            continue
        record(f"idle.{key}.kib_per_connection", per)
        record(f"idle.{key}.rss_before", before)
        record(f"idle.{key}.rss_after", after)
        rows.append({"key": key, "name": NAMES[key], "before": before, "after": after, "per": per})
    c = next((r["per"] for r in rows if r["key"] == "c"), 0)
    for row in rows:
        row["ratio"] = row["per"] / c if c > 0 else float("nan")
        old = was(f"idle.{row['key']}.kib_per_connection", lambda v: f"{v:.2f}")
        log(f"{row['name']:40} {IDLE} idle connections: {row['before']:,} -> {row['after']:,} KiB, "
            f"{row['per']:.2f} KiB each ({row['ratio']:.2f} of C; previous {old})")
    return rows


def measure_idle_load():
    """IDLE_LOAD idle connections' cost to the others (issue #21: the
    gateway's drop at most C evhttp's plus 2 points): OTHER_ROUNDS rounds, the
    servers alternating in each; the medians of the drops."""
    keys = [k for k in ("c", "inline") if k in SELECTED]
    drops = {key: [] for key in keys}
    for round_number in range(1, OTHER_ROUNDS + 1):
        for key in keys:
            port = free_port()
            try:
                figures = idle_load_drop(server(key)["command"](port), port)
            except (OSError, RuntimeError) as error:
                log(f"{NAMES[key]}: {IDLE_LOAD} idle connections failed: {error!r}")
                continue
            if figures:
                drops[key].append(figures)
                log(f"r{round_number}/{OTHER_ROUNDS} {NAMES[key]:40} c=50 bare: {figures[0]:,.0f} req/s, with "
                    f"{IDLE_LOAD:,} idle connections {figures[1]:,.0f}: drop {figures[2] * 100:.1f}%")
    rows = []
    for key in keys:
        if drops[key]:
            before, after, drop = (statistics.median(f[i] for f in drops[key]) for i in range(3))
            record(f"idle_load.{key}.rps_before", before)
            record(f"idle_load.{key}.rps_after", after)
            record(f"idle_load.{key}.drop", drop)
            rows.append({"key": key, "name": NAMES[key], "before": before, "after": after, "drop": drop,
                         "drops": [f[2] for f in drops[key]]})
    return rows


def measure_file():
    rows = []
    for key, path in (k for k in (("c", "/file"), ("inline", "/file.bin")) if k[0] in SELECTED):
        port = free_port()
        command = server(key)["command"](port) if key == "c" else \
            [GATEWAY, "serve", "--app", "static", "--root", OUT, "--host", "127.0.0.1", "--port", str(port),
             "--no-access-log", "--no-server-header", *REACTORS]
        rate = file_throughput(command, port, path, FILE_SIZE)
        record(f"file.{key}.mb_s", rate)
        rows.append({"key": key, "name": NAMES[key] if key == "c" else "EventGateway static app", "rate": rate})
    c = next((r["rate"] for r in rows if r["key"] == "c"), 0)
    for row in rows:
        row["ratio"] = row["rate"] / c if c else float("nan")
        old = was(f"file.{row['key']}.mb_s", lambda v: f"{v:,.0f}")
        log(f"{row['name']:40} 100 MB file: {row['rate']:,.0f} MB/s ({row['ratio']:.2f} of C; previous {old})")
    return rows


def measure_stream():
    if "inline" not in SELECTED:
        return None
    port = free_port()
    peak, took = stream_peak(gateway(*REACTORS)(port), port)
    record("stream.inline.peak_kib", peak)
    record("stream.inline.seconds", took)
    log(f"EventGateway inline: 1 GiB stream, peak RSS {peak:,} KiB "
        f"(previous {was('stream.inline.peak_kib', lambda v: f'{v:,}')}), "
        f"{took:.1f} s (previous {was('stream.inline.seconds', lambda v: f'{v:.1f}')})")
    return peak, took


# The callgrind rows: table key, name, binary, flags (the gateway's row stands
# for the inline server, so it is measured when "inline" is selected).
CALLGRIND = [("c", "C evhttp", C_HELLO, []), ("cbev", "C bufferevent", C_BUFFEREVENT, []),
             ("gateway", "EventGateway inline", GATEWAY, ["--no-server-header"])]


def measure_instructions():
    """Callgrind per request (bench/instructions.py), the C servers against
    the gateway: {table key: {kind: figures}}, the servers that failed left out."""
    if not shutil.which("valgrind"):
        log("valgrind not found: no instructions per request")
        return None
    table = {}
    for key, name, binary, flags in CALLGRIND:
        if (key if key != "gateway" else "inline") not in SELECTED:
            continue
        try:
            table[key] = instructions.per_request(binary, flags)
        except Exception as error:  # keep the rest of a long run
            log(f"callgrind failed on {binary}: {error!r}")
            continue
        for kind, figures in table[key].items():
            for figure, value in figures.items():
                record(f"instructions.{kind}.{key}.{figure}", value)
    for kind, _ in KINDS:
        c = table["c"][kind] if "c" in table else None
        for key, name, _, _ in CALLGRIND:
            if key not in table:
                continue
            f = table[key][kind]
            prefix = f"instructions.{kind}.{key}"
            log(f"callgrind {kind:8} {name:20} "
                f"{f['instructions']:>8,.0f} instructions ({ratio_text(f['instructions'], c and c['instructions'])} of C; "
                f"previous {was(prefix + '.instructions', lambda v: f'{v:,.0f}')}), "
                f"malloc {f['malloc']:.1f} (C {fmt(c and c['malloc'], '.1f')}; "
                f"previous {was(prefix + '.malloc', lambda v: f'{v:.1f}')}), "
                f"swift_allocObject {f['swift_allocObject']:.1f} "
                f"(previous {was(prefix + '.swift_allocObject', lambda v: f'{v:.1f}')})")
    return table or None


def ratio_text(value, reference):
    """value / reference with two decimals, or '—' without a reference."""
    return f"{value / reference:.2f}" if reference else "—"


# ----------------------------------------------------------------------- goals

def goals(rows, table, memory, idle_load):
    """Issue #21's goals against this run: (goal, figure, met)."""
    def row(kind, connections, key):
        return next((r for r in rows if (r["kind"], r["connections"], r["key"]) == (kind, connections, key)), None)

    out = []
    for kind, goal in (("bare", 1.2), ("browser", 1.3)):
        for connections in (50, 1000):
            r = row(kind, connections, "inline")
            if r and not math.isnan(r["ratio"]):
                out.append((f"inline, {kind}, c={connections}: req/s >= {goal:.1f} x C evhttp's",
                            f"{r['rps']:,.0f} / {r['c_rps']:,.0f} = {r['ratio']:.3f}", r["ratio"] >= goal))
    for kind, _ in KINDS:
        r = row(kind, 1000, "inline")
        if r and not math.isnan(r["p99_ratio"]):
            out.append((f"inline, {kind}, c=1000: p99 <= C evhttp's", f"{r['p99']:.2f} ms / {r['c_p99']:.2f} ms = "
                        f"{r['p99_ratio']:.2f}", r["p99_ratio"] <= 1.0))
    for kind, _ in KINDS:
        r, socket_row = row(kind, 1000, "inline"), row(kind, 1000, "socket")
        if r and socket_row:
            of_socket = r["rps"] / socket_row["rps"]
            record(f"{kind}.c1000.inline.of_socket", of_socket)
            out.append((f"event server (inline), {kind}, c=1000: req/s >= 1.3 x the socket server's",
                        f"{r['rps']:,.0f} / {socket_row['rps']:,.0f} = {of_socket:.3f}", of_socket >= 1.3))
    if table and "gateway" in table:
        for kind, _ in KINDS:
            g = table["gateway"][kind]
            if "c" in table:
                c = table["c"][kind]
                share = g["instructions"] / c["instructions"]
                out.append((f"instructions per request, {kind}: <= 0.75 x C evhttp's",
                            f"{g['instructions']:,.0f} / {c['instructions']:,.0f} = {share:.2f}", share <= 0.75))
            own = g["swift_allocObject"] - g["app_swift_allocObject"]
            out.append((f"the gateway's own Swift heap allocations per /hello, {kind}: <= 1",
                        f"{own:.1f} (all {g['swift_allocObject']:.1f}, the probe app's {g['app_swift_allocObject']:.1f})",
                        round(own, 1) <= 1))  # as shown: per-request means of whole calls
    for kind, _ in KINDS:
        for connections in CONNECTIONS:
            r = row(kind, connections, "threads4")
            if r and "of_inline" in r:
                out.append((f"--threads 4, {kind}, c={connections}: >= 0.8 x inline", f"{r['of_inline']:.3f}",
                            r["of_inline"] >= 0.8))
    per = {m["key"]: m["per"] for m in memory}
    if "inline" in per:
        out.append((f"idle memory ({IDLE:,} connections): <= 2.0 KiB per connection", f"{per['inline']:.2f} KiB"
                    + (f" (C evhttp {per['c']:.2f})" if "c" in per else ""), per["inline"] <= 2.0))
    drops = {r["key"]: r["drop"] for r in idle_load}
    if "inline" in drops and "c" in drops:
        out.append((f"with {IDLE_LOAD:,} idle connections open, c=50 bare: drop <= C evhttp's + 2 points",
                    f"{drops['inline'] * 100:.1f}% (C evhttp {drops['c'] * 100:.1f}%)", drops["inline"] <= drops["c"] + 0.02))
    for connections in CONNECTIONS:
        r, b = row("bare", connections, "inline"), row("bare", connections, "bjoern")
        if r and b:
            per_core = r["rps"] / CORES  # bjoern is one process on one core
            out.append((f"moonshot: inline, bare, c={connections}: >= bjoern's req/s per core",
                        f"{per_core:,.0f} / {b['rps']:,.0f} = {per_core / b['rps']:.3f}", per_core >= b["rps"]))
    return out


# ---------------------------------------------------------------------- output

def svg_chart(rows, connections):
    chosen = [r for r in rows if r["connections"] == connections]
    names = [s["name"] for s in SERVERS if any(r["key"] == s["key"] for r in chosen)]
    width, bar, left, top = 800, 13, 260, 46
    height = top + len(names) * (2 * bar + 12) + 20
    peak = max((r["rps"] for r in chosen), default=1) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             'font-size="12">',
             f'<text x="10" y="20" font-size="15" font-weight="bold">Requests/s, /hello, {connections} connections '
             f'(servers on {CORES} core{PLURAL}, median of {ROUNDS})</text>',
             '<rect x="10" y="30" width="10" height="10" fill="#2a7ab0"/><text x="24" y="39">bare request</text>',
             '<rect x="120" y="30" width="10" height="10" fill="#9cc7e4"/><text x="134" y="39">browser-like</text>']
    for index, name in enumerate(names):
        y = top + index * (2 * bar + 12)
        parts.append(f'<text x="{left - 8}" y="{y + bar + 4}" text-anchor="end">{name}</text>')
        for offset, (kind, color) in enumerate((("bare", "#2a7ab0"), ("browser", "#9cc7e4"))):
            r = next((r for r in chosen if r["name"] == name and r["kind"] == kind), None)
            if not r:
                continue
            if r["key"] in REFERENCES:
                color = "#666" if kind == "bare" else "#aaa"
            length = (width - left - 140) * r["rps"] / peak
            yy = y + offset * bar
            parts.append(f'<rect x="{left}" y="{yy}" width="{length:.1f}" height="{bar - 1}" fill="{color}"/>')
            label = f"{r['rps']:,.0f}" + ("" if r["key"] == "c" or math.isnan(r["ratio"]) else f" ({r['ratio']:.2f})")
            parts.append(f'<text x="{left + length + 5:.1f}" y="{yy + bar - 3}">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def fmt(value, spec):
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, spec)


def markdown(rows, memory, idle_load, files, stream, table, goal_rows, took):
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    wrk_where = (f"wrk shares them (CORES={CORES} leaves no CPU of the {len(CPUS)} for wrk: client and servers "
                 "compete, so the figures are lower than on separate CPUs)") if SHARED else \
        f"wrk (and curl) to CPU{'s' if len(WRK_CPUS) > 1 else ''} {cpu_list(WRK_CPUS)}"
    lines = [
        "# Benchmarks", "",
        f"Written by `make bench` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC at commit "
        f"{commit()} — {cpu}, {len(CPUS)} CPUs, Linux {platform.release()}. The whole measurement took "
        f"{took / 60:.1f} minutes (ROUNDS={ROUNDS}, DURATION={DURATION}, the release build excluded).", "",
        "How it is measured:", "",
        f"- Loopback. The servers are pinned to CPU{'s' if CORES > 1 else ''} {cpu_list(SERVER_CPUS)} "
        f"(CORES={CORES}), {wrk_where}.",
        f"- {ROUNDS} round{'s' if ROUNDS > 1 else ''}; each round starts every server in turn — "
        + ", ".join(s["name"] for s in SERVERS if s["rounds"] == ROUNDS)
        + (f" (and, in the first {OTHER_ROUNDS}, " + ", ".join(s["name"] for s in SERVERS if s["rounds"] < ROUNDS)
           + ")" if OTHER_ROUNDS < ROUNDS else "")
        + f" — warms it up with wrk for {WARMUP}, then runs wrk for {DURATION} at each of "
        f"{', '.join(map(str, CONNECTIONS))} connections with wrk's bare request (`GET /hello` with only a Host "
        "header) and with the browser-like one of `bench/browser.lua` (eight more headers, about 450 bytes). "
        "A figure is the median over rounds; its ratio is against the C server's median of the same run; "
        "\"per round\" is the range of the ratio to C's figure of the same round (the noise).",
        f"- The C server (\"C\" in the tables) is `bench/c_hello.c`: evhttp with EPOLL_USE_CHANGELIST, {CORES} event "
        f"loop{PLURAL}, the same 13-byte body and Content-Type as the gateway's `/hello`. **It sends no Server header, "
        "so the gateway runs with `--no-server-header`** (by issue #14's profile the default Server header costs it "
        "about 2k instructions a request); both answer with Content-Type, Date and Content-Length.",
        f"- Two more references (issue #21), measured in the same rounds: **C bufferevent** "
        f"(`bench/c_hello_bufferevent.c`, {CORES} event loop{PLURAL}), the libevent floor: an evconnlistener and one "
        "bufferevent per connection, a request found by `\\r\\n\\r\\n` in the input buffer (no parsing), the same "
        "fixed response with a Date rewritten once a second, keep-alive and pipelining; and **bjoern** (C on libev "
        "and http-parser, one process and loop, installed into `bench/.venv`) calling the Python WSGI app of "
        "`bench/hello_wsgi.py`, which answers the same body and headers (its Date formatted once a second; bjoern "
        "adds `Connection: Keep-Alive`).",
        f"- \"previous\" is the run before this one: {describe_previous()}. Its figures are in "
        f"`{os.path.relpath(RESULTS_DIR, ROOT)}/previous.json`, this run's in `latest.json`.", "",
    ]
    if goal_rows:
        lines += ["## Issue #21's goals in this run", ""] + ([f"**{CAVEAT[0].upper() + CAVEAT[1:]}.**", ""] if CAVEAT else [])
        lines += ["| goal | this run | met |", "| --- | --- | --- |"]
        lines += [f"| {goal} | {figure} | {'yes' if met else 'no'} |" for goal, figure, met in goal_rows]
        lines += ["", "Not measured by `make bench`: a `--processes 4` server holding 60,000 connections (clients on "
                  "several 127.0.0.x source addresses).", ""]
    lines += ["## Requests per second", "", "![requests per second](benchmarks.svg)", ""]
    for kind, _ in KINDS:
        lines += [f"### /hello, {KIND_TITLE[kind]}", "",
                  "| conns | server | req/s | C req/s | ratio to C | per round | p50 ms | p99 ms | C p99 ms | p99 / C "
                  "| errors | previous req/s | previous ratio | previous p99 ms |",
                  "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for row in (r for r in rows if r["kind"] == kind):
            key = f"{kind}.c{row['connections']}.{row['key']}"
            ratio = f"{row['ratio']:.2f}" + (f" ({row['of_inline']:.2f} of inline)" if "of_inline" in row else "")
            name = row["name"] + (f" ({row['n']} rounds)" if row["n"] != ROUNDS else "")
            lines.append(f"| {row['connections']} | {name} | {row['rps']:,.0f} | {fmt(row['c_rps'], ',.0f')} | {ratio} "
                         f"| {spread(row)} | {row['p50']:.2f} | {row['p99']:.2f} | "
                         f"{fmt(row['c_p99'], '.2f')} | {fmt(row['p99_ratio'], '.2f')} | {row['errors']} | "
                         f"{was(key + '.rps', lambda v: f'{v:,.0f}')} | {was(key + '.ratio', lambda v: f'{v:.2f}')} | "
                         f"{was(key + '.p99', lambda v: f'{v:.2f}')} |")
        lines.append("")
    lines += [f"wsgiref serves one connection at a time, so it runs only at 50 connections. Errors are wrk's "
              "non-2xx responses and socket errors, summed over the rounds.", ""]
    lines += reference_table(rows)

    lines += ["## Instructions and allocations per request (callgrind)", ""]
    if table:
        lines += [f"User-space instructions, calls to malloc (every heap allocation, libevent's included) and to "
                  "swift_allocObject (Swift objects) per request, under valgrind's callgrind "
                  f"(`bench/instructions.py`): one keep-alive connection sends {instructions.N:,} and then "
                  f"{2 * instructions.N:,} requests to a fresh server; the difference divided by {instructions.N:,} "
                  "is one request's cost, start-up excluded. Machine load does not move these figures. The gateway "
                  "runs inline with `--no-server-header`. \"of which the app's\" are the swift_allocObject calls "
                  "whose nearest caller in the project's modules is the probe application (its `start_response` "
                  "call is the gateway's); the gateway's own are the rest.", "",
                  "| request | server | instructions | ratio to C | malloc | ratio to C | swift_allocObject "
                  "| of which the app's | previous instructions | previous malloc | previous swift_allocObject |",
                  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for kind, _ in KINDS:
            c = table["c"][kind] if "c" in table else None
            for key, name, _, _ in CALLGRIND:
                if key not in table:
                    continue
                f = table[key][kind]
                prefix = f"instructions.{kind}.{key}"
                lines.append(f"| {kind} | {name} | {f['instructions']:,.0f} | {ratio_text(f['instructions'], c and c['instructions'])} "
                             f"| {f['malloc']:.1f} | {ratio_text(f['malloc'], c and c['malloc'])} | {f['swift_allocObject']:.1f} "
                             f"| {f['app_swift_allocObject']:.1f} "
                             f"| {was(prefix + '.instructions', lambda v: f'{v:,.0f}')} "
                             f"| {was(prefix + '.malloc', lambda v: f'{v:.1f}')} "
                             f"| {was(prefix + '.swift_allocObject', lambda v: f'{v:.1f}')} |")
        lines.append("")
    else:
        lines += ["Not measured: valgrind was not found (or callgrind failed on every server).", ""]

    lines += [f"## Memory with {IDLE:,} idle keep-alive connections", "",
              "| server | RSS before (KiB) | RSS after (KiB) | KiB per connection | ratio to C | previous | change |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in memory:
        old, change = previous(f"idle.{row['key']}.kib_per_connection", lambda v: f"{v:.2f}")
        lines.append(f"| {row['name']} | {row['before']:,} | {row['after']:,} | {row['per']:.2f} | "
                     f"{fmt(row['ratio'], '.2f')} | {old} | {change} |")
    if idle_load:
        lines += ["", f"## /hello with {IDLE_LOAD:,} idle keep-alive connections open", "",
                  f"wrk's bare request at 50 connections for {DURATION}, then again while {IDLE_LOAD:,} more "
                  "connections, each with one request answered, sit idle on the same server; the drop is "
                  f"1 - after / before, the median of {OTHER_ROUNDS} round{'s' if OTHER_ROUNDS > 1 else ''} "
                  "(the servers alternating).", "",
                  "| server | req/s without | req/s with | drop | per round | previous drop |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for row in idle_load:
            old = was(f"idle_load.{row['key']}.drop", lambda v: f"{v * 100:.1f}%")
            lines.append(f"| {row['name']} | {row['before']:,.0f} | {row['after']:,.0f} | {row['drop'] * 100:.1f}% | "
                         + ", ".join(f"{d * 100:.1f}%" for d in row["drops"]) + f" | {old} |")
    if files:
        lines += ["", "## Sending a 100 MB file (sendfile)", "",
                  "The C server's `/file` (evbuffer_add_file) against `gateway serve --app static` (a `FileWrapper`); "
                  "curl downloads it 7 times, the median is shown.", "",
                  "| server | MB/s | ratio to C | previous | change |", "| --- | ---: | ---: | ---: | ---: |"]
        for row in files:
            old, change = previous(f"file.{row['key']}.mb_s", lambda v: f"{v:,.0f}")
            lines.append(f"| {row['name']} | {row['rate']:,.0f} | {fmt(row['ratio'], '.2f')} | {old} | {change} |")
    if stream:
        peak, took_stream = stream
        old, change = previous("stream.inline.peak_kib", lambda v: f"{v / 1024:.1f}")
        old_s, change_s = previous("stream.inline.seconds", lambda v: f"{v:.1f}")
        lines += ["", "## Streaming a generated 1 GiB body", "",
                  "EventGateway inline, `/stream?chunks=16384&size=65536` read by curl (the C server has no streaming "
                  "counterpart: compared with the previous run only).", "",
                  "| figure | this run | previous | change |", "| --- | ---: | ---: | ---: |",
                  f"| peak RSS (MiB) | {peak / 1024:.1f} | {old} | {change} |",
                  f"| seconds | {took_stream:.1f} | {old_s} | {change_s} |"]
    lines += ["", "## More cores", "",
              "`CORES=N make bench` pins the servers to CPUs 0..N-1 and wrk (and curl) to the others, runs every "
              "gateway row with `--reactors N` (the `--reactors 2` row is left out: inline is then N reactors) and "
              "both C servers with N event loops, each a thread with its own event_base accepting on one "
              "shared listening socket (`evhttp_accept_socket` or an evconnlistener, as the gateway's reactors do); "
              "bjoern stays one process, so its goal is per core. Use a machine with "
              "at least 2N CPUs so that wrk has N of its own; with fewer, wrk shares the servers' CPUs and this "
              "page says so. Results of different CORES are not compared with each other."
              + (f" This machine has {len(CPUS)} CPUs: only CORES=1 gives the servers and wrk CPUs of their own, "
                 "so figures for more cores await a larger machine." if len(CPUS) < 4 else ""), "",
              "## Running it", "",
              "`make bench` takes about 19 minutes on 2 CPUs with the defaults (about 16 for the wrk rounds, 1.5 for "
              "the idle-load rounds, 1.5 for callgrind, the idle connections, the file and the stream), plus the "
              "release build; settings through the environment: `ROUNDS` (5), "
              "`OTHER_ROUNDS` (3), `DURATION` (5s), `CONNECTIONS` (50,1000), `CORES` (1), `IDLE_CONNECTIONS` "
              "(10000), `IDLE_LOAD` (15000), `REQUESTS` (2000, callgrind), `SERVERS` (all; a subset of the keys "
              f"{', '.join(ALL_KEYS)}). `make bench-quick` smoke-tests the whole script "
              "(one round of 1 s runs, 1,000 idle connections, 300 callgrind requests) and writes to "
              "`bench/out/quick/` instead of `docs/` and `bench/results/`.", ""]
    return "\n".join(lines)


def reference_table(rows):
    """Each gateway row against each reference of the same run."""
    chosen = [r for r in rows if r.get("refs")]
    if not chosen:
        return []
    refs = [ref for ref in REFERENCES if ref in SELECTED]
    lines = ["## EventGateway against the three references", "",
             "Req/s and p99 of each gateway row divided by each reference's, medians of this run: C evhttp, the "
             "libevent floor (C bufferevent) and bjoern.", "",
             "| request | conns | server | req/s | " + " | ".join(f"÷ {REFERENCES[r]}" for r in refs) + " | p99 ms | "
             + " | ".join(f"p99 ÷ {REFERENCES[r]}" for r in refs) + " |",
             "| --- | ---: | --- | ---: | " + " | ".join("---:" for _ in refs * 2) + " | ---: |"]
    for row in chosen:
        cells = [row["refs"].get(ref, (float("nan"), float("nan"))) for ref in refs]
        lines.append(f"| {row['kind']} | {row['connections']} | {row['name']} | {row['rps']:,.0f} | "
                     + " | ".join(fmt(rps, ".2f") for rps, _ in cells) + f" | {row['p99']:.2f} | "
                     + " | ".join(fmt(p99, ".2f") for _, p99 in cells) + " |")
    return lines + [""]


def commit():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "Sources", "Package.swift"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def estimate():
    """Seconds the wrk rounds should take (start, warm-up, runs, stop)."""
    total = 0.0
    for server in SERVERS:
        counts = [c for c in CONNECTIONS if c <= server.get("max_connections", c)]
        total += server["rounds"] * (1.5 + seconds(WARMUP) + len(counts) * len(KINDS) * (seconds(DURATION) + 0.3))
    return total


def main():
    print(f"Servers on CPUs {cpu_list(SERVER_CPUS)} (CORES={CORES}), wrk on CPUs {cpu_list(WRK_CPUS)}"
          + (" — SHARED with the servers: no CPU left for wrk" if SHARED else "")
          + f"; {ROUNDS} round(s) of {DURATION} runs; the wrk rounds take about {estimate() / 60:.0f} min, "
          "the rest a few more. Previous run: " + describe_previous(), flush=True)
    for round_number in range(1, ROUNDS + 1):
        for server in SERVERS:
            if round_number <= server["rounds"]:
                measure_round(server, round_number)
    rows = throughput_rows()
    print_throughput(rows)
    print(flush=True)
    table = measure_instructions()
    memory = measure_memory()
    idle_load = measure_idle_load()
    files = measure_file()
    stream = measure_stream()
    goal_rows = goals(rows, table, memory, idle_load)
    print("\nIssue #21's goals in this run" + (f" ({CAVEAT})" if CAVEAT else "") + ":")
    for goal, figure, met in goal_rows:
        print(f"  {'met    ' if met else 'not met'}  {goal}: {figure}")
    took = time.time() - STARTED

    os.makedirs(RESULTS_DIR, exist_ok=True)
    latest = os.path.join(RESULTS_DIR, "latest.json")
    if os.path.exists(latest):
        os.replace(latest, os.path.join(RESULTS_DIR, "previous.json"))
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit(),
            "rounds": ROUNDS, "other_rounds": OTHER_ROUNDS, "duration": DURATION, "connections": CONNECTIONS,
            "cores": CORES, "server_cpus": SERVER_CPUS, "wrk_cpus": WRK_CPUS, "shared": SHARED,
            "idle_connections": IDLE, "idle_load": IDLE_LOAD, "requests": instructions.N, "servers": sorted(SELECTED),
            "seconds": round(took)}
    runs = [{"server": key, "kind": kind, "connections": connections, **run}
            for (key, kind, connections), runs in RUNS.items() for run in runs]
    with open(latest, "w") as f:
        json.dump({"meta": meta, "figures": FIGURES, "runs": runs}, f, indent=1, sort_keys=True)
        f.write("\n")
    os.makedirs(DOCS_DIR, exist_ok=True)
    with open(os.path.join(DOCS_DIR, "benchmarks.svg"), "w") as svg:
        svg.write(svg_chart(rows, CONNECTIONS[0]))
    with open(os.path.join(DOCS_DIR, "benchmarks.md"), "w") as md:
        md.write(markdown(rows, memory, idle_load, files, stream, table, goal_rows, took))
    rel = os.path.relpath
    print(f"\nTook {took / 60:.1f} min. Wrote {rel(latest, ROOT)} (the run before it: previous.json), "
          f"{rel(os.path.join(DOCS_DIR, 'benchmarks.md'), ROOT)} and benchmarks.svg")


if __name__ == "__main__":
    main()
