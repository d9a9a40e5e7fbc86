#!/usr/bin/env python3
"""A 1 GiB upload to the probe's /async/upload (issue #23's upload goal):

    python3 bench/async_upload.py [GATEWAY] [--size BYTES]

Starts `GATEWAY serve --app probe` (default .build/release/gateway) with
PROBE_STREAM_LOG set, so the application marks its first chunk (`u`) in a
file, and sends the body in 64 KiB blocks, checking the mark after each:
how much of the body had left the client when the application had its
first chunk. Then reports the response (length and SHA-256, checked against
the client's), the server's peak RSS (VmHWM) and how many bodies it spooled
to disk (its stop line). Prints JSON; asserts nothing.
"""
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def main():
    args = sys.argv[1:]
    size = 1 << 30
    if "--size" in args:
        at = args.index("--size")
        size = int(args[at + 1])
        del args[at:at + 2]
    gateway = args[0] if args else ".build/release/gateway"
    port = free_port()
    marks = tempfile.NamedTemporaryFile(prefix="upload-marks-", delete=False).name
    server = subprocess.Popen(
        [gateway, "serve", "--app", "probe", "--port", str(port), "--no-access-log",
         "--max-body-bytes", str(size)],
        env=dict(os.environ, PROBE_STREAM_LOG=marks), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        server.stdout.readline()  # "Serving on ..."
        baseline = vm_hwm_kib(server.pid)
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(b"POST /async/upload HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size)
        block = bytes(range(256)) * 256  # 64 KiB
        digest = hashlib.sha256()
        sent = 0
        first_chunk_at = None
        started = time.monotonic()
        while sent < size:
            piece = block[:min(len(block), size - sent)]
            client.sendall(piece)
            digest.update(piece)
            sent += len(piece)
            if first_chunk_at is None and "u" in open(marks).read():
                first_chunk_at = sent
        reply = b""
        while b"}" not in reply:
            more = client.recv(65536)
            if not more:
                break
            reply += more
        seconds = time.monotonic() - started
        peak = vm_hwm_kib(server.pid)
        client.close()
        body = json.loads(reply.split(b"\r\n\r\n", 1)[1])
        server.terminate()
        _, errors = server.communicate(timeout=30)
        spooled = re.search(r"(\d+) bodies spooled", errors)
        result = {
            "size": size,
            "seconds": round(seconds, 2),
            "throughput_mib_s": round(size / seconds / (1 << 20), 1),
            "first_chunk_after_bytes_sent": first_chunk_at,
            "first_chunk_after_percent": round(100 * first_chunk_at / size, 3) if first_chunk_at else None,
            "length_ok": body.get("length") == size,
            "sha256_ok": body.get("sha256") == digest.hexdigest(),
            "peak_rss_kib": peak,
            "rss_before_kib": baseline,
            "bodies_spooled": int(spooled.group(1)) if spooled else None,
        }
        print(json.dumps(result, indent=2))
    finally:
        if server.poll() is None:
            server.kill()
        os.unlink(marks)


if __name__ == "__main__":
    main()
