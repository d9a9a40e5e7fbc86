"""Shared helpers for the overload benchmarks and the soak: start a release
`gateway serve` on port 0, read its RSS, stop it."""
import os
import re
import signal
import socket
import subprocess
import time

GATEWAY = os.environ.get("GATEWAY", ".build/release/gateway")


def start_server(*flags):
    process = subprocess.Popen(
        [GATEWAY, "serve", "--host", "127.0.0.1", "--port", "0", "--no-access-log", *flags],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r":(\d+)/", line)
    if not match:
        process.kill()
        raise SystemExit(f"no port in {line!r}: {process.stderr.read()}")
    return process, int(match.group(1))


def memory_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def stop_server(process):
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err


def get(port, path, timeout=10):
    """One GET on a fresh connection; returns (status, seconds)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), time.monotonic() - started
