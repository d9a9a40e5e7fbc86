#!/usr/bin/env python3
"""A `--processes 4` gateway holding 60,000 connections, and /hello beside
them (issue #21: "a --processes 4 server holds 60,000 connections (clients
spread over several 127.0.0.x source addresses) and still answers /hello:
report its RSS and p99").

    python3 bench/many_connections.py

(needs the release build, `swift build -c release --product gateway`, and
wrk). It starts `gateway serve --app probe --processes 4` on a free port of
127.0.0.1, measures /hello with wrk at c=50 (the baseline), then opens
CONNECTIONS keep-alive connections from CLIENTS client processes, each bound
to its own source address (127.0.0.2, 127.0.0.3, ...); every connection gets
one /hello answered (so the server has fully set it up), then sits idle.
While all of them are held it measures /hello again, checks that none of the
idle connections was closed, closes them all, measures /hello a third time
(the baseline again: on a shared machine, a drop that the run after closing
shares is noise, not the connections) and stops the server with SIGTERM.
Each measurement is the median of ROUNDS wrk runs. It prints, for before
and after the connections:

  - the server's RSS: the supervisor's and every worker's VmRSS, summed,
    and the KiB per connection it grew by;
  - how the connections spread over the workers (each worker's open sockets,
    from /proc/<pid>/fd, less the ones it had before);
  - how long opening them took, how many took a second or more, and the
    kernel's counters of dropped or retried handshakes;
  - wrk's req/s, p50 and p99;

and writes the same figures to bench/out/many_connections.json; the server's
log (stderr) is bench/out/many_connections-server.log. Exits non-zero, with
how many connections were held and why the others failed, if the server did
not hold them all. Settings, from the environment:

  CONNECTIONS=60000  idle connections, all clients together
  CLIENTS=8          client processes, one source address each; each holds
                     CONNECTIONS/CLIENTS and must stay under its own
                     descriptor limit (20,000 on the issue's machine); 8,
                     not 4, so that a source address needs fewer ports than
                     the half of the range connect() tries first (see
                     CLIENTS below)
  PROCESSES=4        the server's --processes
  MAX_CONNECTIONS=   the server's --max-connections, per worker (default: the
                     hard descriptor limit less 1,000)
  DURATION=5s        one wrk run (after a 1 s warm-up, discarded)
  ROUNDS=3           wrk runs per measurement (before, with, after); each
                     figure is their median
  WRK_CPU=           the CPU wrk is pinned to (default: the last one); the
                     server is not pinned
  OPEN_TIMEOUT=300   seconds for all the connections to be opened and answered

Everything stays on 127.0.0.x: on Linux the whole 127.0.0.0/8 is on `lo`.
"""
import errno
import json
import os
import re
import resource
import select
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get("BUILD_DIR", os.path.join(ROOT, ".build", "release"))
GATEWAY = os.path.join(BUILD, "gateway")
OUT = os.path.join(ROOT, "bench", "out")
SERVER_LOG = os.path.join(OUT, "many_connections-server.log")
RESULTS = os.path.join(OUT, "many_connections.json")

CONNECTIONS = int(os.environ.get("CONNECTIONS", "60000"))
# Eight sources of 7,500: connect() picks a source port by walking the even
# half of the ephemeral range (32768-60999 here: 14,116 ports) from an offset
# that advances with each connect, and turns to the odd half only after a
# full walk (Linux's __inet_hash_connect). At
# 15,000 per source (4 x 15,000) the last thousand connects of each source
# each walk 14,000 taken ports: measured, 7.5 s of a 10.7 s opening was spent
# inside connect() and ~400 connections per source took 1-2 s; with 8 x 7,500
# the opening takes half as long and none takes a second.
CLIENTS = int(os.environ.get("CLIENTS", "8"))
PROCESSES = int(os.environ.get("PROCESSES", "4"))
DURATION = os.environ.get("DURATION", "5s")
ROUNDS = int(os.environ.get("ROUNDS", "3"))
WARMUP = "1s"
OPEN_TIMEOUT = float(os.environ.get("OPEN_TIMEOUT", "300"))
WRK_CPU = os.environ.get("WRK_CPU", str(sorted(os.sched_getaffinity(0))[-1]))
REQUEST = b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
# Connections a client has in flight (connecting or awaiting its answer) at
# once: all clients together stay under the server's listen backlog (1024),
# so no SYN is dropped and retried a second later.
WINDOW = max(800 // CLIENTS, 25)
# Linux's IP_BIND_ADDRESS_NO_PORT (not in Python's socket module): bind() to
# the source address without taking a port yet; connect() then picks one
# that is unique for the whole 4-tuple, not for the source address alone.
IP_BIND_ADDRESS_NO_PORT = 24
STARTED = time.monotonic()


def log(text):
    elapsed = int(time.monotonic() - STARTED)
    print(f"[{elapsed // 60:2}:{elapsed % 60:02}] {text}", flush=True)


def raise_descriptor_limit():
    """The soft limit up to the hard one: inherited by the server (every
    worker may then hold its 20,000) and by the client processes."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def seconds(duration):
    """wrk's duration syntax: a number with an optional s, m or h."""
    match = re.fullmatch(r"([\d.]+)([smh]?)", duration)
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ the server

def start_server(port, max_connections):
    # Keep-alive and idle timeouts far beyond the run: with the defaults
    # (event: 30 s, 60 s) the first connections would be dropped while the
    # last ones are still being opened; what is measured is holding them.
    command = [GATEWAY, "serve", "--app", "probe", "--host", "127.0.0.1", "--port", str(port),
               "--processes", str(PROCESSES), "--max-connections", str(max_connections),
               "--keep-alive-timeout", "3600", "--idle-timeout", "3600", "--no-access-log"]
    log("server: " + " ".join(os.path.relpath(command[0], ROOT) if i == 0 else a for i, a in enumerate(command)))
    with open(SERVER_LOG, "wb") as server_log:
        # Its own process group: on failure the supervisor and its workers
        # go together, even if the supervisor cannot forward a signal.
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=server_log, stderr=server_log,
                                   preexec_fn=raise_descriptor_limit, start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        kill_group(process)
        raise RuntimeError(f"the server did not start (exit {process.poll()}); see {SERVER_LOG}")
    # The listening socket exists before the fork: wait for every worker.
    while time.monotonic() < deadline and len(children(process.pid)) < PROCESSES:
        time.sleep(0.05)
    workers = children(process.pid)
    if len(workers) != PROCESSES:
        kill_group(process)
        raise RuntimeError(f"{len(workers)} workers, not {PROCESSES}; see {SERVER_LOG}")
    return process, workers


def children(pid):
    """The processes whose parent is `pid` (/proc/<pid>/task/*/children needs
    a kernel option; every /proc/<n>/stat has the parent)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                # "pid (comm) state ppid ...": comm may hold spaces, so after the last ')'
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(name))
    return sorted(found)


def stop_server(process):
    """SIGTERM (the supervisor forwards it, each worker drains), then wait;
    the process group is killed if that takes too long. Returns the exit
    status and how long the stop took."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        status = process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        kill_group(process)
        status = "killed after 40 s"
    return status, time.monotonic() - began


def kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def open_sockets(pid):
    """A process's open sockets: its connections, plus its listener and
    whatever else it keeps as a socket (counted once before, then subtracted)."""
    count = 0
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(f"{fd_dir}/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            pass  # closed while we looked
    return count


def snapshot(supervisor, workers):
    """RSS of the supervisor and each worker, and each worker's sockets."""
    return {"supervisor_rss": rss_kib(supervisor),
            "workers": [{"pid": pid, "rss": rss_kib(pid), "sockets": open_sockets(pid)} for pid in workers]}


def total_rss(snap):
    return snap["supervisor_rss"] + sum(w["rss"] for w in snap["workers"])


QUEUE_COUNTERS = ("ListenOverflows", "ListenDrops", "TCPReqQFullDoCookies", "TCPReqQFullDrop", "TCPSynRetrans")


def listen_queue_counters():
    """The kernel's counters of handshakes that went wrong: a full accept
    queue (ListenOverflows, ListenDrops), a full SYN queue (TCPReqQFull*),
    SYNs sent again after a second without answer (TCPSynRetrans). They
    count for the whole machine: other work on it adds to them."""
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], map(int, values.split()[1:])))
            return {key: table.get(key, 0) for key in QUEUE_COUNTERS}
    return {}


def server_log_lines():
    """The server's warnings and errors (EMFILE, accept paused, worker died...)."""
    try:
        with open(SERVER_LOG, errors="replace") as f:
            return [line.rstrip() for line in f if re.search(r"error|warning|critical|fail|died", line, re.I)]
    except OSError:
        return []


# -------------------------------------------------------------------- wrk

def wrk(port, workers=(), duration=DURATION):
    """One wrk run at c=50, pinned to WRK_CPU: req/s, p50 and p99 in ms,
    errors, and how wrk's 50 connections fell on the workers (their sockets
    a second into the run, less those before it). With a shared listening
    socket the kernel hands each connection to whichever worker accepts
    first: 50 on one worker and 50 over four are different servers on two
    cores, which is much of the spread between runs."""
    command = ["taskset", "-c", WRK_CPU, "wrk", "-t1", "-c50", f"-d{duration}", "--latency", "--timeout", "5s",
               f"http://127.0.0.1:{port}/hello"]
    # The reference once the last run's connections are gone: a worker
    # closes its side only when it reads the client's FIN.
    reference = [open_sockets(pid) for pid in workers]
    for _ in range(20):
        time.sleep(0.1)
        settled, reference = reference, [open_sockets(pid) for pid in workers]
        if settled == reference:
            break
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(min(1.0, seconds(duration) / 2))
        spread = [open_sockets(pid) - count for pid, count in zip(workers, reference)]
        text, errors_text = process.communicate(timeout=seconds(duration) + 60)
    except BaseException:
        process.kill()
        process.wait()
        raise
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not rps:
        raise RuntimeError(f"wrk reported nothing: {text}{errors_text}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)

    def latency(percent):
        match = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)\b", text)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": float(rps.group(1)), "p50_ms": latency(50), "p99_ms": latency(99), "wrk_spread": spread,
            "errors": (int(non_2xx.group(1)) if non_2xx else 0)
            + (sum(int(g) for g in socket_errors.groups()) if socket_errors else 0)}


def measure(port, workers, label):
    """ROUNDS wrk runs: the median of each figure, and every run."""
    runs = [wrk(port, workers) for _ in range(ROUNDS)]
    median = {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50_ms", "p99_ms")}
    median["errors"] = sum(run["errors"] for run in runs)
    median["runs"] = runs
    log(f"{label}, c=50: {wrk_text(median)}" + (f" (median of {ROUNDS})" if ROUNDS > 1 else ""))
    for run in runs:
        log(f"  {run['rps']:,.0f} req/s, p99 {run['p99_ms']:.2f} ms; wrk's connections per worker "
            + " / ".join(map(str, run["wrk_spread"])))
    return median


def wrk_text(run):
    errors = f", {run['errors']} errors" if run["errors"] else ""
    return f"{run['rps']:,.0f} req/s, p50 {run['p50_ms']:.2f} ms, p99 {run['p99_ms']:.2f} ms{errors}"


# ---------------------------------------------------------- client processes

def hold(source, port, count, timeout):
    """A client process (`many_connections.py --hold SOURCE PORT COUNT
    TIMEOUT`): opens `count` connections from `source`, each with one /hello
    answered, WINDOW at a time on non-blocking sockets; prints `progress N`
    now and then and `ready {JSON}` at the end (held, failed, slow: how many
    took a second or more, slowest: the longest in seconds, in_connect: the
    seconds spent in connect() itself, reasons: why the others failed), then
    obeys
    `check` (prints `open N closed M`: an idle connection that turns
    readable was closed by the server) and `close` on stdin."""
    raise_descriptor_limit()
    selector = selectors.DefaultSelector()
    held, pending, reasons = [], {}, {}
    started, failed, reported, slow, slowest, in_connect = 0, 0, 0, 0, 0.0, 0.0
    deadline = time.monotonic() + timeout

    def fail(s, reason):
        nonlocal failed
        failed += 1
        reasons[reason] = reasons.get(reason, 0) + 1
        selector.unregister(s)
        del pending[s.fileno()]
        s.close()

    while len(held) + failed < count and time.monotonic() < deadline:
        while started < count and len(pending) < WINDOW:
            s = socket.socket()
            s.setsockopt(socket.SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            s.bind((source, 0))
            s.setblocking(False)
            began = time.monotonic()
            code = s.connect_ex(("127.0.0.1", port))
            in_connect += time.monotonic() - began
            started += 1
            pending[s.fileno()] = (s, bytearray(), time.monotonic())
            selector.register(s, selectors.EVENT_WRITE)
            if code not in (0, errno.EINPROGRESS):
                fail(s, f"connect: {errno.errorcode.get(code, code)}")
        for key, events in selector.select(timeout=0.5):
            s = key.fileobj
            if events & selectors.EVENT_WRITE:
                code = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    fail(s, f"connect: {errno.errorcode.get(code, code)}")
                    continue
                try:
                    s.send(REQUEST)  # 41 bytes into an empty send buffer: all of it
                except OSError as error:
                    fail(s, f"send: {errno.errorcode.get(error.errno, error)}")
                    continue
                selector.modify(s, selectors.EVENT_READ)
                continue
            try:
                data = s.recv(4096)
            except OSError as error:
                fail(s, f"recv: {errno.errorcode.get(error.errno, error)}")
                continue
            if not data:
                fail(s, "closed before the answer")
                continue
            answer = pending[s.fileno()][1]
            answer += data
            head, end, body = bytes(answer).partition(b"\r\n\r\n")
            if not end:
                continue
            length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            if length and len(body) < int(length.group(1)):
                continue
            if not head.startswith(b"HTTP/1.1 200"):
                fail(s, "answer: " + head.split(b"\r\n", 1)[0].decode(errors="replace"))
                continue
            selector.unregister(s)
            took = time.monotonic() - pending.pop(s.fileno())[2]
            slowest = max(slowest, took)
            # Over a second: a SYN (or the handshake's ACK) was dropped and
            # retransmitted, the listen queue being full.
            slow += took >= 1
            held.append(s)
        if len(held) - reported >= 2500:
            reported = len(held)
            print(f"progress {reported}", flush=True)
    if pending:
        reasons["not answered in time"] = len(pending)
        failed += len(pending)
        for s, _, _ in pending.values():
            s.close()
    selector.close()
    print("ready " + json.dumps({"held": len(held), "failed": failed, "slow": slow, "slowest": round(slowest, 3),
                                 "in_connect": round(in_connect, 3), "reasons": reasons}), flush=True)

    for line in sys.stdin:
        if line.strip() == "check":
            poller = select_poll(held)
            closed = len(poller.poll(0))
            print(f"open {len(held) - closed} closed {closed}", flush=True)
        elif line.strip() == "close":
            break
    for s in held:
        s.close()


def select_poll(sockets):
    poller = select.poll()
    for s in sockets:
        poller.register(s, select.POLLIN | select.POLLRDHUP | select.POLLERR | select.POLLHUP)
    return poller


def start_clients(port):
    """CLIENTS processes, client i on 127.0.0.(i + 2), holding their share."""
    shares = [CONNECTIONS // CLIENTS + (1 if i < CONNECTIONS % CLIENTS else 0) for i in range(CLIENTS)]
    clients = []
    for i, share in enumerate(shares):
        source = f"127.0.0.{i + 2}"
        process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--hold", source, str(port),
                                    str(share), str(OPEN_TIMEOUT)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        clients.append({"process": process, "source": source, "share": share, "progress": 0,
                        "buffer": b"", "lines": []})
    return clients


def read_lines(clients, timeout):
    """Whatever lines the clients have written, into each one's "lines",
    waiting at most `timeout` seconds for any. The pipes are read raw: a
    buffered reader could take two lines at once and leave select() nothing
    to report for the second. A client that exited gets an "exited" line."""
    with selectors.DefaultSelector() as selector:
        for client in clients:
            if client["buffer"] is not None:
                selector.register(client["process"].stdout, selectors.EVENT_READ, client)
        if not selector.get_map():
            return
        ready = selector.select(timeout=max(timeout, 0))
    for key, _ in ready:
        client = key.data
        data = os.read(client["process"].stdout.fileno(), 65536)
        if not data:
            client["lines"].append(f"exited {client['buffer'].decode(errors='replace')!r}")
            client["buffer"] = None
            continue
        *complete, client["buffer"] = (client["buffer"] + data).split(b"\n")
        client["lines"] += [line.decode().strip() for line in complete]


def read_line(client, timeout):
    """The client's next line, or None after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not client["lines"] and client["buffer"] is not None and time.monotonic() < deadline:
        read_lines([client], deadline - time.monotonic())
    return client["lines"].pop(0) if client["lines"] else None


def wait_until_ready(clients):
    """Each client's `ready` line (its progress logged meanwhile): how many
    it held, and why the others failed."""
    deadline = time.monotonic() + OPEN_TIMEOUT + 30
    last_log = time.monotonic()
    waiting = list(clients)
    while waiting and time.monotonic() < deadline:
        read_lines(waiting, 1)
        for client in list(waiting):
            while client["lines"] and client in waiting:
                line = client["lines"].pop(0)
                if line.startswith("progress "):
                    client["progress"] = int(line.split()[1])
                elif line.startswith("ready "):
                    client.update(json.loads(line.split(" ", 1)[1]))
                    waiting.remove(client)
                else:  # the client died (its traceback is on our stderr) or said something unexpected
                    client.update(held=0, failed=client["share"], slow=0, slowest=0.0, in_connect=0.0,
                                  reasons={f"client: {line}": 1})
                    waiting.remove(client)
        if time.monotonic() - last_log >= 5:
            last_log = time.monotonic()
            log(f"  opening: {sum(c.get('held', c['progress']) for c in clients):,} held")
    for client in waiting:
        client.update(held=client["progress"], failed=client["share"] - client["progress"], slow=0, slowest=0.0,
                      in_connect=0.0, reasons={"client gave no answer in time": 1})


def tell(client, command):
    try:
        client["process"].stdin.write(command.encode() + b"\n")
        return True
    except OSError:  # it exited
        return False


def check_clients(clients):
    """How many of the held connections are still open (none turned readable)."""
    still_open = 0
    for client in clients:
        if not tell(client, "check"):
            continue
        match = re.fullmatch(r"open (\d+) closed (\d+)", read_line(client, 60) or "")
        if match:
            still_open += int(match.group(1))
    return still_open


def close_clients(clients):
    for client in clients:
        tell(client, "close")
        client["process"].stdin.close()
    for client in clients:
        try:
            client["process"].wait(timeout=30)
        except subprocess.TimeoutExpired:
            client["process"].kill()
            client["process"].wait()


# -------------------------------------------------------------------- report

def spread_text(before, after):
    """Each worker's connections: its sockets now less its sockets before."""
    counts = [a["sockets"] - b["sockets"] for b, a in zip(before["workers"], after["workers"])]
    return counts, " / ".join(f"{c:,}" for c in counts)


def main():
    if not os.access(GATEWAY, os.X_OK):
        sys.exit(f"no {GATEWAY}: swift build -c release --product gateway")
    if not shutil.which("wrk"):
        sys.exit("no wrk: apt-get install wrk")
    hard = raise_descriptor_limit()
    share = -(-CONNECTIONS // CLIENTS)
    if hard != resource.RLIM_INFINITY and share > hard - 100:
        sys.exit(f"{share} connections per client exceed the {hard} descriptors a process may open: raise CLIENTS")
    # Below the descriptor limit: at the default (20,000, the limit itself) a
    # full worker does not stop accepting but meets EMFILE, and pauses accept
    # for 100 ms at a time, logging an error each time, while the others take
    # the rest (measured: 19,992 connections on that worker, 39 such lines).
    max_connections = int(os.environ.get("MAX_CONNECTIONS", str(hard - 1000 if hard != resource.RLIM_INFINITY
                                                                 else 100_000)))
    if max_connections * PROCESSES < CONNECTIONS + 50:
        sys.exit(f"--max-connections {max_connections} x {PROCESSES} workers cannot hold {CONNECTIONS} + wrk's 50")
    os.makedirs(OUT, exist_ok=True)
    port = free_port()
    log(f"{CONNECTIONS:,} connections from {CLIENTS} clients (127.0.0.2..127.0.0.{CLIENTS + 1}) to "
        f"--processes {PROCESSES}; descriptor limit {hard} per process; wrk on CPU {WRK_CPU}")
    server, workers = start_server(port, max_connections)
    clients = []
    try:
        log(f"workers: {', '.join(map(str, workers))} (supervisor {server.pid})")
        wrk(port, duration=WARMUP)
        baseline = measure(port, workers, "baseline")
        time.sleep(1)  # wrk's 50 connections closed
        before = snapshot(server.pid, workers)
        log(f"RSS before: {total_rss(before):,} KiB (supervisor {before['supervisor_rss']:,}, workers "
            f"{', '.join(format(w['rss'], ',') for w in before['workers'])})")

        queue_before = listen_queue_counters()
        began = time.monotonic()
        clients = start_clients(port)
        wait_until_ready(clients)
        opening = time.monotonic() - began
        held = sum(c["held"] for c in clients)
        reasons = {}
        for client in clients:
            for reason, count in client["reasons"].items():
                reasons[reason] = reasons.get(reason, 0) + count
        log(f"held {held:,} of {CONNECTIONS:,} in {opening:.1f} s"
            + (f"; failed: {json.dumps(reasons)}" if reasons else ""))
        queue = {key: value - queue_before[key] for key, value in listen_queue_counters().items()}
        for client in clients:
            log(f"  {client['source']}: {client['held']:,} of {client['share']:,}; {client['slow']:,} took 1 s "
                f"or more, the slowest {client['slowest']:.2f} s; {client['in_connect']:.1f} s in connect()")
        log("  handshakes while opening (kernel counters): " + ", ".join(f"{k} {v:,}" for k, v in queue.items()))
        time.sleep(1)  # the workers' last accepts and reads are done
        after = snapshot(server.pid, workers)
        counts, spread = spread_text(before, after)
        growth = total_rss(after) - total_rss(before)
        per = growth / held if held else float("nan")
        log(f"RSS with {held:,} idle connections: {total_rss(after):,} KiB (+{growth:,} KiB, "
            f"{per:.2f} KiB per connection); workers {', '.join(format(w['rss'], ',') for w in after['workers'])}")
        log(f"connections per worker: {spread} (sum {sum(counts):,})")

        loaded = measure(port, workers, f"with {held:,} idle connections")
        still_open = check_clients(clients)
        log(f"after the run: {still_open:,} of {held:,} idle connections still open")
        complaints = server_log_lines()
        for line in complaints[:20]:
            log(f"  server: {line}")
        if len(complaints) > 20:
            log(f"  server: ... {len(complaints) - 20} more such lines in {SERVER_LOG}")
        close_clients(clients)
        clients_seen, clients = clients, []
        time.sleep(1)  # the workers have closed their side
        closed = snapshot(server.pid, workers)
        log(f"RSS after closing them: {total_rss(closed):,} KiB; sockets per worker "
            f"{spread_text(before, closed)[1]} more than before")
        again = measure(port, workers, "baseline again, after closing them")
        status, took = stop_server(server)
        log(f"SIGTERM: the server exited with {status} in {took:.1f} s")
    except BaseException:
        for client in clients:
            client["process"].kill()
            client["process"].wait()
        kill_group(server)
        raise

    results = {"connections": CONNECTIONS, "held": held, "still_open": still_open, "failed": reasons,
               "opening_seconds": round(opening, 1), "listen_queue": queue,
               "slow_connections": sum(c["slow"] for c in clients_seen),
               "slowest_connection_seconds": max(c["slowest"] for c in clients_seen), "processes": PROCESSES, "max_connections": max_connections,
               "rss_before_kib": total_rss(before), "rss_after_kib": total_rss(after),
               "kib_per_connection": round(per, 3), "per_worker_connections": counts,
               "snapshot_before": before, "snapshot_after": after,
               "snapshot_closed": closed, "rps_runs": ROUNDS, "duration": DURATION,
               "baseline": baseline, "loaded": loaded, "baseline_after": again, "server_exit": status,
               "server_log_complaints": complaints[:50]}
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2)

    print()
    print(f"--processes {PROCESSES}, {held:,} of {CONNECTIONS:,} connections held "
          f"({still_open:,} still open after the loaded run), opened in {opening:.1f} s")
    print(f"  RSS (supervisor + {PROCESSES} workers): {total_rss(before):,} KiB -> {total_rss(after):,} KiB, "
          f"{per:.2f} KiB per connection")
    print(f"  connections per worker: {spread}")
    print(f"  /hello c=50 (median of {ROUNDS} x {DURATION}):")
    print(f"    baseline:             {wrk_text(baseline)}")
    print(f"    with them:            {wrk_text(loaded)} ({loaded['rps'] / baseline['rps']:.2f}x the baseline)")
    print(f"    baseline, after them: {wrk_text(again)}")
    print(f"  RSS after closing them: {total_rss(closed):,} KiB")
    print(f"  figures in {os.path.relpath(RESULTS, ROOT)}, server log in {os.path.relpath(SERVER_LOG, ROOT)}")
    if held < CONNECTIONS or still_open < held or status != 0:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--hold":
        hold(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        main()
