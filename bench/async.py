#!/usr/bin/env python3
"""Issue #23's async goals, measured with wrk on loopback as bench/bench.py
measures /hello (its helpers are imported: the same pinning, wrk command and
parsing, server start and stop):

  - `/async/sleep?ms=10` at c=1000 (and c=50) on the libevent server inline
    (`gateway serve --app probe`), beside Hummingbird 2 serving a handler that
    awaits the same 10 ms (bench/hb-sleep, `hb-sleep HOST PORT`) and beside
    the probe's sync `/sleep?ms=10` (usleep) on `--threads 64`. The goals:
    inline >= 2x Hummingbird's req/s with a p99 no worse, and >= 5x the sync
    sleep on 64 threads.
  - HELD=10000 concurrent `/async/sleep?ms=5000` requests held by one
    process, inline and Hummingbird: the server's VmRSS before, with HELD idle
    keep-alive connections (each has had one /hello answered) and with a
    request in flight on each of them; KiB per request in flight.

Called by bench/run-async (`make bench-async`), which builds the release
`gateway` and hb-sleep first. Settings, from the environment (the names
bench/bench.py reads, with its defaults):

  ROUNDS=5          rounds; each starts every server in turn and measures it at
                    every connection count; figures are medians over rounds
  DURATION=5s       one wrk run (WARMUP=1s of wrk at c=50, discarded, first)
  CONNECTIONS=50,1000
  CORES=1           servers pinned to CPUs 0..CORES-1, wrk and this script's
                    clients to the others
  SLEEP_MS=10       the sleep of the wrk runs
  HELD=10000        requests held at once (0: skip that measure)
  HELD_MS=5000      their sleep
  HELD_ROUNDS=3     rounds of the held measure; medians
  ASYNC_SERVERS=    a comma-separated subset of inline,hummingbird,threads64
  HB_SLEEP=bench/out/hb-sleep-build/release/hb-sleep

Writes bench/out/async.json (every run, the medians, the ratios) and
bench/out/async.md (the markdown table it prints). A gateway without the
probe's /async/sleep (404) is reported as such and its rows left out.
"""
import datetime
import http.client
import json
import os
import selectors
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no bench/__pycache__ in the work tree
import bench as B  # noqa: E402  (raises RLIMIT_NOFILE to the hard limit, reads ROUNDS, DURATION, ...)

ROOT = B.ROOT
OUT = B.OUT
SLEEP_MS = int(os.environ.get("SLEEP_MS", "10"))
HELD = int(os.environ.get("HELD", "10000"))
HELD_MS = int(os.environ.get("HELD_MS", "5000"))
HELD_ROUNDS = int(os.environ.get("HELD_ROUNDS", "3"))
HB_SLEEP = os.path.join(ROOT, os.environ.get("HB_SLEEP", "bench/out/hb-sleep-build/release/hb-sleep"))
JSON_PATH = os.path.join(OUT, "async.json")
MD_PATH = os.path.join(OUT, "async.md")

SERVERS = [
    {"key": "inline", "name": "EventGateway inline, async", "path": f"/async/sleep?ms={SLEEP_MS}",
     "command": B.gateway()},
    {"key": "hummingbird", "name": "Hummingbird 2 (hb-sleep)", "path": f"/async/sleep?ms={SLEEP_MS}",
     "command": lambda port: [HB_SLEEP, "127.0.0.1", str(port)]},
    {"key": "threads64", "name": "EventGateway --threads 64, sync", "path": f"/sleep?ms={SLEEP_MS}",
     "command": B.gateway("--threads", "64")},
]
if os.environ.get("ASYNC_SERVERS"):
    wanted = os.environ["ASYNC_SERVERS"].split(",")
    unknown = set(wanted) - {s["key"] for s in SERVERS}
    if unknown:
        sys.exit(f"ASYNC_SERVERS: unknown {', '.join(sorted(unknown))}")
    SERVERS = [s for s in SERVERS if s["key"] in wanted]
NAMES = {s["key"]: s["name"] for s in SERVERS}
HELD_PATH = f"/async/sleep?ms={HELD_MS}"
log = B.log


def status_of(port, path):
    """The status of one GET, or None if the server did not answer."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HELD_MS / 1000 + 10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body
    except OSError:
        return None, b""


def threads_of(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return -1


# ------------------------------------------------------------------ wrk rounds

RUNS = {}  # (key, connections) -> [{"round", "rps", "p50", "p99", "errors"}]
MISSING = {}  # key -> why its rows are absent


def measure_round(server, round_number):
    if server["key"] in MISSING:
        return
    port = B.free_port()
    try:
        process = B.start(server["command"](port), port)
    except RuntimeError as error:
        log(f"round {round_number}: {error}")
        MISSING[server["key"]] = str(error)
        return
    try:
        status, body = status_of(port, server["path"])
        if status != 200:
            MISSING[server["key"]] = f"GET {server['path']} answered {status} {body[:40]!r}"
            log(f"{server['name']}: {MISSING[server['key']]}: left out")
            return
        server["threads"] = threads_of(process.pid)
        url = f"http://127.0.0.1:{port}{server['path']}"
        B.wrk(url, 50, duration=B.WARMUP)
        for connections in B.CONNECTIONS:
            run = B.wrk(url, connections)
            if run is None:
                log(f"r{round_number} {server['name']} c={connections}: wrk reported nothing")
                continue
            run["round"] = round_number
            RUNS.setdefault((server["key"], connections), []).append(run)
            log(f"r{round_number}/{B.ROUNDS} {server['name']:34} c={connections:<5} {run['rps']:>9,.0f} req/s  "
                f"p50 {run['p50']:7.2f} ms  p99 {run['p99']:7.2f} ms" + (f"  {run['errors']} errors" if run["errors"] else ""))
    finally:
        B.stop(process)


def medians():
    result = {}
    for (key, connections), runs in RUNS.items():
        figures = {name: statistics.median(r[name] for r in runs) for name in ("rps", "p50", "p99")}
        figures["errors"] = sum(r["errors"] for r in runs)
        figures["n"] = len(runs)
        result.setdefault(key, {})[connections] = figures
    return result


def ratios(med):
    """inline / hummingbird and inline / threads64 at each connection count:
    the ratio of the medians and the range of the same-round ratios."""
    result = {}
    for other in ("hummingbird", "threads64"):
        for connections in B.CONNECTIONS:
            a, b = med.get("inline", {}).get(connections), med.get(other, {}).get(connections)
            if not a or not b:
                continue
            rounds = {r["round"]: r for r in RUNS[(other, connections)]}
            per_round = [r["rps"] / rounds[r["round"]]["rps"] for r in RUNS[("inline", connections)]
                         if r["round"] in rounds]
            result[f"inline/{other}.c{connections}"] = {
                "rps": a["rps"] / b["rps"], "p99": a["p99"] / b["p99"] if b["p99"] else float("nan"),
                "rps_rounds": [round(x, 3) for x in per_round]}
    return result


# --------------------------------------------------------- requests held at once

def established_backlog(port):
    """(server-side ESTABLISHED sockets on `port`, how many of them hold
    received bytes the server has not read), from /proc/net/tcp."""
    established = unread = 0
    suffix = f":{port:04X}"
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            if fields[3] == "01" and fields[1].endswith(suffix):
                established += 1
                if int(fields[4].split(":")[1], 16):
                    unread += 1
    return established, unread


class Responses:
    """Reads one HTTP/1.1 response on each of many sockets at once."""

    def __init__(self, sockets):
        self.buffers = {s.fileno(): bytearray() for s in sockets}
        self.done = {}  # fd -> (status, body, time)
        self.selector = selectors.DefaultSelector()
        for s in sockets:
            s.setblocking(False)
            self.selector.register(s, selectors.EVENT_READ)

    def poll(self, timeout):
        for key, _ in self.selector.select(timeout):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            fd = s.fileno()
            if not data:
                self.done[fd] = (None, bytes(self.buffers[fd]), time.time())
                self.selector.unregister(s)
                continue
            buffer = self.buffers[fd]
            buffer += data
            complete = self.complete(buffer)
            if complete:
                self.done[fd] = (*complete, time.time())
                self.selector.unregister(s)

    @staticmethod
    def complete(buffer):
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
        body = bytes(buffer[end + 4:])
        if "content-length" in headers:
            return (status, body) if len(body) >= int(headers["content-length"]) else None
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return (status, body) if body.endswith(b"0\r\n\r\n") else None
        return None

    def close(self):
        self.selector.close()


def held_round(server, round_number):
    """One server: RSS before, with HELD idle connections, with a request in
    flight on each; then every answer read and checked."""
    port = B.free_port()
    process = B.start(server["command"](port), port)
    sockets = []
    try:
        status, body = status_of(port, HELD_PATH.replace(str(HELD_MS), "1"))
        if status != 200:
            return {"error": f"GET {HELD_PATH} answered {status} {body[:40]!r}"}
        time.sleep(0.3)
        rss_before = B.rss_kib(process.pid)
        started = time.time()
        sockets = B.open_idle(port, HELD)
        opened = time.time() - started
        time.sleep(0.5)
        rss_idle = B.rss_kib(process.pid)
        request = f"GET {HELD_PATH} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        sent_at = time.time()
        for s in sockets:
            s.sendall(request)
        send_took = time.time() - sent_at
        responses = Responses(sockets)
        # In flight: every connection established on the server's side with
        # nothing left unread in its receive queue, and no answer yet.
        all_read_at = None
        samples = []
        while time.time() - sent_at < HELD_MS / 1000 * 0.5:
            responses.poll(0.05)
            established, unread = established_backlog(port)
            if all_read_at is None and established >= HELD and unread == 0:
                all_read_at = time.time()
            if all_read_at is not None and time.time() - all_read_at >= 0.5:
                samples.append(B.rss_kib(process.pid))
                if time.time() - all_read_at >= 1.5:
                    break
        answered_early = len(responses.done)
        rss_held = samples[-1] if samples else B.rss_kib(process.pid)
        rss_held_max = max(samples) if samples else rss_held
        threads = threads_of(process.pid)
        while len(responses.done) < HELD and time.time() - sent_at < HELD_MS / 1000 + 60:
            responses.poll(0.2)
        responses.close()
        ok = sum(1 for status, body, _ in responses.done.values() if status == 200 and b"slept" in body)
        times = sorted(t - sent_at for _, _, t in responses.done.values())
        result = {
            "round": round_number, "rss_before": rss_before, "rss_idle": rss_idle, "rss_held": rss_held,
            "rss_held_max": rss_held_max, "threads_held": threads,
            "kib_per_request": (rss_held - rss_idle) / HELD,
            "kib_per_connection_and_request": (rss_held - rss_before) / HELD,
            "kib_per_idle_connection": (rss_idle - rss_before) / HELD,
            "open_seconds": round(opened, 2), "send_seconds": round(send_took, 3),
            "all_read_after": round(all_read_at - sent_at, 3) if all_read_at else None,
            "answered_before_rss": answered_early, "answered_ok": ok, "answered": len(responses.done),
            "first_answer_after": round(times[0], 3) if times else None,
            "last_answer_after": round(times[-1], 3) if times else None,
        }
        log(f"r{round_number}/{HELD_ROUNDS} {server['name']:34} {HELD:,} x {HELD_PATH}: RSS {rss_before:,} -> idle "
            f"{rss_idle:,} -> held {rss_held:,} KiB: {result['kib_per_request']:.2f} KiB per request in flight "
            f"({result['kib_per_connection_and_request']:.2f} with its connection); all read by the server "
            f"{result['all_read_after']} s after the first send; {ok:,}/{HELD:,} answered 200 'slept' "
            f"between {result['first_answer_after']} and {result['last_answer_after']} s"
            + (f"; {answered_early} answered before the RSS was read" if answered_early else ""))
        return result
    finally:
        B.close_all(sockets)
        B.stop(process)


def measure_held():
    rounds = {}
    keys = [k for k in ("inline", "hummingbird") if k in NAMES and k not in MISSING]
    for round_number in range(1, HELD_ROUNDS + 1):
        for key in keys:
            server = next(s for s in SERVERS if s["key"] == key)
            try:
                result = held_round(server, round_number)
            except (OSError, RuntimeError) as error:
                result = {"error": repr(error)}
            if "error" in result:
                log(f"{server['name']}: held requests failed: {result['error']}")
            rounds.setdefault(key, []).append(result)
    summary = {}
    for key, results in rounds.items():
        good = [r for r in results if "error" not in r]
        if not good:
            summary[key] = {"error": results[0]["error"], "rounds": results}
            continue
        summary[key] = {name: statistics.median(r[name] for r in good) for name in (
            "rss_before", "rss_idle", "rss_held", "kib_per_request", "kib_per_connection_and_request",
            "kib_per_idle_connection")}
        summary[key]["answered_ok"] = min(r["answered_ok"] for r in good)
        summary[key]["n"] = len(good)
        summary[key]["rounds"] = results
    return summary


# ------------------------------------------------------------------- reporting

def markdown(med, rat, held, meta):
    lines = [f"### Issue #23: async sleep, medians of {meta['rounds']} round(s) of {meta['duration']} wrk runs",
             "", f"`{meta['command']}` at {meta['date']}, commit {meta['commit']}; servers on CPU "
             f"{B.cpu_list(B.SERVER_CPUS)}, wrk on CPU {B.cpu_list(B.WRK_CPUS)}; swift compiler processes running "
             f"beside it at start / end: {meta['others_at_start']['swift_processes']} / "
             f"{meta['others_at_end']['swift_processes']} (load average {meta['others_at_start']['loadavg']:.1f} / "
             f"{meta['others_at_end']['loadavg']:.1f}).", "",
             "| server | path | c | req/s | p50 ms | p99 ms | errors | threads |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for server in SERVERS:
        key = server["key"]
        if key in MISSING:
            lines.append(f"| {server['name']} | `{server['path']}` | — | not measured: {MISSING[key]} | | | | |")
            continue
        for connections in B.CONNECTIONS:
            m = med.get(key, {}).get(connections)
            if m:
                lines.append(f"| {server['name']} | `{server['path']}` | {connections} | {m['rps']:,.0f} | "
                             f"{m['p50']:.2f} | {m['p99']:.2f} | {m['errors']} | {server.get('threads', '?')} |")
    if rat:
        lines += ["", "| ratio | c | req/s ratio (per round) | p99 ratio | goal |", "| --- | ---: | ---: | ---: | --- |"]
        for name, r in rat.items():
            pair, connections = name.rsplit(".c", 1)
            goal = ""
            if connections == "1000" and pair == "inline/hummingbird":
                met = r["rps"] >= 2 and r["p99"] <= 1
                goal = f"≥ 2× with p99 ≤ 1×: {'met' if met else 'not met'}"
            elif connections == "1000" and pair == "inline/threads64":
                goal = f"≥ 5×: {'met' if r['rps'] >= 5 else 'not met'}"
            rounds = ", ".join(f"{x:.2f}" for x in r["rps_rounds"])
            lines.append(f"| {pair} | {connections} | {r['rps']:.2f} ({rounds}) | {r['p99']:.2f} | {goal} |")
    if held:
        lines += ["", f"### {HELD:,} concurrent `{HELD_PATH}` held by one process, medians of {HELD_ROUNDS} round(s)", "",
                  "| server | RSS before (KiB) | with idle connections | with requests in flight | "
                  "KiB per request in flight | KiB per connection + request | KiB per idle connection | answered 200 |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for key, h in held.items():
            if "error" in h:
                lines.append(f"| {NAMES[key]} | failed: {h['error']} | | | | | | |")
                continue
            lines.append(f"| {NAMES[key]} | {h['rss_before']:,.0f} | {h['rss_idle']:,.0f} | {h['rss_held']:,.0f} | "
                         f"{h['kib_per_request']:.2f} | {h['kib_per_connection_and_request']:.2f} | "
                         f"{h['kib_per_idle_connection']:.2f} | {h['answered_ok']:,}/{HELD:,} |")
    return "\n".join(lines) + "\n"


def others_building():
    """Compiler processes running beside the benchmark (the machine is shared):
    their count and the load average, kept with the figures."""
    found = subprocess.run(["pgrep", "-c", "-f", "swift-build|swift-frontend"], capture_output=True, text=True)
    return {"swift_processes": int(found.stdout.strip() or 0), "loadavg": os.getloadavg()[0]}


def main():
    os.sched_setaffinity(0, B.WRK_CPUS)  # this script's own clients beside wrk, off the servers' CPUs
    started = time.time()
    load_start = others_building()
    if load_start["swift_processes"]:
        log(f"warning: {load_start['swift_processes']} swift compiler process(es) running beside this benchmark "
            f"(load average {load_start['loadavg']:.2f}): its figures will be noisier")
    log(f"servers on CPUs {B.cpu_list(B.SERVER_CPUS)}, wrk and clients on {B.cpu_list(B.WRK_CPUS)}; "
        f"{B.ROUNDS} round(s) of {B.DURATION}; c={B.CONNECTIONS}; {', '.join(NAMES[s['key']] for s in SERVERS)}")
    for round_number in range(1, B.ROUNDS + 1):
        for server in SERVERS:
            measure_round(server, round_number)
    med = medians()
    rat = ratios(med)
    held = measure_held() if HELD > 0 else {}
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": B.commit(), "rounds": B.ROUNDS, "duration": B.DURATION, "warmup": B.WARMUP,
            "connections": B.CONNECTIONS, "cores": B.CORES, "server_cpus": B.SERVER_CPUS, "wrk_cpus": B.WRK_CPUS,
            "sleep_ms": SLEEP_MS, "held": HELD, "held_ms": HELD_MS, "held_rounds": HELD_ROUNDS,
            "command": "make bench-async" + "".join(f" {k}={os.environ[k]}" for k in (
                "ROUNDS", "DURATION", "CONNECTIONS", "CORES", "HELD", "HELD_ROUNDS", "ASYNC_SERVERS")
                if k in os.environ),
            "servers": {s["key"]: {"name": s["name"], "path": s["path"], "threads": s.get("threads"),
                                   "command": " ".join(s["command"](0)).replace(ROOT + "/", "")} for s in SERVERS},
            "missing": MISSING, "seconds": round(time.time() - started),
            "others_at_start": load_start, "others_at_end": others_building()}
    runs = [{"server": key, "connections": connections, **run}
            for (key, connections), runs in RUNS.items() for run in runs]
    os.makedirs(OUT, exist_ok=True)
    with open(JSON_PATH, "w") as f:
        json.dump({"meta": meta, "medians": {k: {str(c): v for c, v in m.items()} for k, m in med.items()},
                   "ratios": rat, "held": held, "runs": runs}, f, indent=1, sort_keys=True)
        f.write("\n")
    table = markdown(med, rat, held, meta)
    with open(MD_PATH, "w") as f:
        f.write(table)
    print()
    print(table)
    log(f"wrote {os.path.relpath(JSON_PATH, ROOT)} and {os.path.relpath(MD_PATH, ROOT)}")


if __name__ == "__main__":
    main()
