#!/usr/bin/env python3
"""User-space instructions and allocations per request, under callgrind:
figures that do not move with machine load, unlike req/s.

    bench/instructions.py BINARY [BINARY ...] [-- EXTRA SERVE FLAGS]

A BINARY is a `gateway` (run as `gateway serve --app probe`) or the C
baseline `c_hello` (bench/c_hello.c). Each runs under valgrind, then serves N
and 2N keep-alive GET /hello requests (bare, and browser-like with eight more
headers) from one client; the difference between the two runs, divided by N,
is the cost of one request (start-up cancels out): instructions, calls to
malloc (every heap allocation, libevent's included) and to
swift_allocObject (Swift objects: classes, closures' contexts, boxes), and
of these the probe application's own (issue #21 counts the gateway's apart):
those whose nearest caller in the project's Swift modules, among their 16
nearest callers (callgrind's --separate-callers), is in GatewayProbe. A
`start_response` the application calls is the gateway's.
bench/bench.py (`make bench`) calls per_request() for its table.
"""
import os
import re
import socket
import subprocess
import sys
import time

N = int(os.environ.get("REQUESTS", "2000"))
BROWSER = ("Connection: keep-alive\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0.0.0 Safari/537.36\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
           "image/webp,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.9,de;q=0.8\r\nAccept-Encoding: gzip, deflate, br\r\n"
           "Cookie: session=3f2a9c1e8b7d4f60a1b2c3d4e5f60718; theme=dark; consent=yes\r\n"
           "Referer: http://127.0.0.1/index.html\r\nUpgrade-Insecure-Requests: 1\r\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drive(port, count, extra):
    request = f"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        for _ in range(count):
            connection.sendall(request)
            data = b""
            while not data.endswith(b"Hello, World!"):
                chunk = connection.recv(65536)
                if not chunk:
                    raise SystemExit("connection closed")
                data += chunk


def command(binary, port, flags):
    if os.path.basename(binary).startswith("c_hello"):
        return [binary, str(port)]
    return [without_debug_info(binary), "serve", "--app", "probe", "--host", "127.0.0.1", "--port", str(port),
            "--no-access-log", *flags]


def without_debug_info(binary):
    """A copy of `binary` with its DWARF stripped (its symbols kept): valgrind
    3.19 gives up on the whole file at the DWARF 5 that clang writes for a
    C dependency's shim (swift-atomics', through swift-prometheus), and
    instruction counts need no line numbers. The copy is the same code."""
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", os.path.basename(binary) + "-nodebug")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subprocess.run(["objcopy", "--strip-debug", binary, out], check=True)
    return out


# Swift symbols of the project's modules ($s, the module name's length, the
# name): the application's, and the gateway's (its libraries and executable).
APP_MODULE = re.compile(r"\$s12GatewayProbe")
PROJECT_MODULE = re.compile(r"\$s\d+(Gateway|gateway|CLibEvent)")
CONTEXT = 16  # callers kept in a swift_allocObject's name


def owner(context):
    """'app' if the nearest project frame of a call context (callgrind's
    "swift_allocObject'caller'caller's caller'...") is the application's."""
    for frame in context.split("'")[1:]:
        if PROJECT_MODULE.match(frame):
            return "app" if APP_MODULE.match(frame) else "gateway"
    return "gateway"  # none within CONTEXT callers: not the application's for sure


def calls(path, names):
    """Calls to each function named in `names`, summed over every caller
    (callgrind's `cfn=` / `calls=` lines; names are compressed to ids), and
    under NAME.app those of the application's own (see owner())."""
    ids, totals, current = {}, {**dict.fromkeys(names, 0), **{f"{n}.app": 0 for n in names}}, None
    with open(path) as profile:
        for line in profile:
            if line.startswith(("fn=", "cfn=")):
                match = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line.rstrip("\n"))
                if match.group(2):
                    ids[match.group(1)] = match.group(2)
                if line.startswith("cfn="):
                    current = ids.get(match.group(1))
            elif line.startswith("calls=") and current is not None:
                name = current.split("'", 1)[0]
                if name in names:
                    count = int(line.split()[0][6:])
                    totals[name] += count
                    if "'" in current and owner(current) == "app":
                        totals[f"{name}.app"] += count
    return totals


COUNTED = ("malloc", "swift_allocObject")


def callgrind(binary, count, extra, flags, out):
    """Runs `binary` under callgrind, writing its profile to `out`, while
    `count` keep-alive requests go to it; returns valgrind's stderr."""
    port = free_port()
    process = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                                f"--separate-callers{CONTEXT}=swift_allocObject", *command(binary, port, flags)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    drive(port, count, extra)
    process.send_signal(2)
    return process.communicate(timeout=120)[1]


def measure(binary, count, extra, flags):
    out = f"/tmp/callgrind.{os.getpid()}.{count}"
    stderr = callgrind(binary, count, extra, flags, out)
    match = re.search(r"Collected : (\d+)", stderr)
    counted = calls(out, COUNTED)
    os.unlink(out)
    return [int(match.group(1))] + [counted[name] for name in COUNTED] + [counted["swift_allocObject.app"]]


KINDS = (("bare", ""), ("browser", BROWSER))


def per_request(binary, flags=(), count=N):
    """{"bare": {...}, "browser": {...}}: instructions, malloc and
    swift_allocObject calls per request of `binary` (flags go to a gateway),
    and app_swift_allocObject: the probe application's share of the latter."""
    figures = {}
    for kind, extra in KINDS:
        one, two = measure(binary, count, extra, flags), measure(binary, 2 * count, extra, flags)
        per = [(b - a) / count for a, b in zip(one, two)]
        figures[kind] = {"instructions": per[0], "malloc": per[1], "swift_allocObject": per[2],
                         "app_swift_allocObject": per[3]}
    return figures


def main():
    arguments = sys.argv[1:]
    flags = arguments[arguments.index("--") + 1:] if "--" in arguments else []
    binaries = arguments[:arguments.index("--")] if "--" in arguments else arguments
    print("| binary | request | instructions | malloc | swift_allocObject | of which the application's |")
    print("|---|---|---:|---:|---:|---:|")
    for binary in binaries:
        for kind, figures in per_request(binary, flags).items():
            print(f"| {binary} | {kind} | {figures['instructions']:,.0f} | {figures['malloc']:.1f} | "
                  f"{figures['swift_allocObject']:.1f} | {figures['app_swift_allocObject']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
