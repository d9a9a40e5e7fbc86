#!/usr/bin/env python3
"""User-space instructions per request, under callgrind: a figure that does
not move with machine load, unlike req/s.

    bench/instructions.py GATEWAY [GATEWAY ...]

For each binary: `gateway serve --app probe` under valgrind, then N and 2N
keep-alive GET /hello requests (bare, and browser-like with eight more
headers) from one client; the difference in instructions between the two
runs, divided by N, is the cost of one request (start-up cancels out).
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


def instructions(binary, count, extra):
    port = free_port()
    out = f"/tmp/callgrind.{os.getpid()}.{port}"
    process = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, "serve",
                                "--app", "probe", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    drive(port, count, extra)
    process.send_signal(2)
    _, stderr = process.communicate(timeout=120)
    match = re.search(r"Collected : (\d+)", stderr)
    os.unlink(out)
    return int(match.group(1))


def main():
    for binary in sys.argv[1:]:
        for kind, extra in (("bare", ""), ("browser", BROWSER)):
            one, two = instructions(binary, N, extra), instructions(binary, 2 * N, extra)
            print(f"{binary} {kind}: {(two - one) / N:,.0f} instructions per request", flush=True)


if __name__ == "__main__":
    main()
