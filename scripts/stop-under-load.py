#!/usr/bin/env python3
"""A SIGTERM under load loses nothing (issue #20), on the release build, as
a shell starts it: `gateway serve --app probe` in each socket mode (or the
flags given), 8 clients each opening a connection per /sleep?ms=200
request in a loop, SIGTERM once 8 were answered, each client going on
until a connect is refused. Printed for each run: answered, refused, lost
(a reset, a close without a response, a timeout, a status other than 200)
and how the server ended. Exits 1 when anything was lost or a server did
not exit with status 0.

Usage: scripts/stop-under-load.py [--rounds N] [-- server flags]
"""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from overload_common import start_server, stop_server  # noqa: E402

CLIENTS = 8
MODES = [["--backend", "socket", "--socket-mode", mode] for mode in ("single", "threads", "fork")]


def client(port, tally, lock):
    """Requests on fresh connections until a connect is refused."""
    for _ in range(5000):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        except ConnectionRefusedError:
            with lock:
                tally["refused"] += 1
            return
        except OSError as error:
            with lock:
                tally["lost"].append(f"connect: {error}")
            return
        try:
            with sock:
                sock.sendall(b"GET /sleep?ms=200 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
            if data.startswith(b"HTTP/1.1 200 ") and data.endswith(b"slept"):
                with lock:
                    tally["answered"] += 1
            else:
                with lock:
                    tally["lost"].append(f"answer {data[:40]!r}")
        except OSError as error:
            with lock:
                tally["lost"].append(str(error))
    with lock:
        tally["lost"].append("never refused")


def run(flags):
    process, port = start_server("--app", "probe", *flags)
    tally, lock = {"answered": 0, "refused": 0, "lost": []}, threading.Lock()
    threads = [threading.Thread(target=client, args=(port, tally, lock)) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while tally["answered"] < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop_server(process)  # SIGTERM, then waits for the exit
    for thread in threads:
        thread.join(60)
    status = process.returncode
    ended = f"exit {status}" if status >= 0 else f"killed by signal {-status}"
    print(f"{' '.join(flags)}: {tally['answered']} answered, {tally['refused']} refused, "
          f"{len(tally['lost'])} lost, {ended}", flush=True)
    return not tally["lost"] and tally["refused"] == CLIENTS and status == 0


def main():
    args = sys.argv[1:]
    modes = [args[args.index("--") + 1:]] if "--" in args else MODES
    args = args[:args.index("--")] if "--" in args else args
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 3
    results = [run(flags) for _ in range(rounds) for flags in modes]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
