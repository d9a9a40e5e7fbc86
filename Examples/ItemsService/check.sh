#!/usr/bin/env bash
# What CI runs for this example (as root): build and test the service,
# package it with EventGateway's scripts/make-deb.sh, install the .deb,
# run the installed program under systemd-socket-activate with a
# NOTIFY_SOCKET and wait for READY=1, answer a request, then purge.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive

swift build --build-tests
swift test

rm -f items-service_*.deb
../../scripts/make-deb.sh --product items-service --summary "Items JSON API (EventGateway example)"
deb="$(ls items-service_*.deb)"
if dpkg -s items-service >/dev/null 2>&1; then apt-get purge -y -qq items-service >/dev/null; fi
trap 'apt-get purge -y -qq items-service >/dev/null 2>&1 || true' EXIT
apt-get install -y -qq "./$deb" >/dev/null
../../scripts/check-ldd.sh --any-system-library /usr/bin/items-service
[ "$(env -i PATH=/usr/bin:/bin /usr/bin/items-service --version)" = 1.0.0 ]
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify /lib/systemd/system/items-service.socket /lib/systemd/system/items-service.service
fi

# The installed service as systemd would start it: its socket passed in
# (LISTEN_FDS), READY=1 on NOTIFY_SOCKET, its settings file.
python3 - <<'PYTHON'
import json, os, socket, subprocess, tempfile, urllib.request
folder = tempfile.mkdtemp()
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(os.path.join(folder, "notify"))
notify.settimeout(30)
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
service = subprocess.Popen(
    ["systemd-socket-activate", "-l", f"127.0.0.1:{port}", "-E", f"NOTIFY_SOCKET={folder}/notify",
     "/usr/bin/items-service", "serve", "--config", "/etc/items-service/items-service.conf"],
    stderr=subprocess.PIPE, text=True)
try:
    # "Listening on 127.0.0.1:PORT as 3.": the socket is there to connect to.
    line = service.stderr.readline()
    assert line.startswith("Listening on"), line
    # systemd-socket-activate starts the program at the first connection.
    request = urllib.request.Request(f"http://127.0.0.1:{port}/items", method="POST",
                                     data=b'{"name": "pen", "quantity": 3}', headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201, response.status
        assert json.load(response) == {"id": 1, "name": "pen", "quantity": 3}
    messages = notify.recv(4096).decode()
    assert "READY=1" in messages.split("\n"), messages
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/items/1", timeout=30) as response:
        assert json.load(response)["name"] == "pen"
    print("items-service: READY=1, answered under socket activation")
finally:
    service.terminate()
    service.wait(timeout=30)
PYTHON

apt-get purge -y -qq items-service >/dev/null
trap - EXIT
for leftover in /usr/bin/items-service /etc/items-service /lib/systemd/system/items-service.service; do
    if [ -e "$leftover" ]; then echo "check: $leftover left after purge" >&2; exit 1; fi
done
if getent passwd items-service >/dev/null; then echo "check: the items-service user is left after purge" >&2; exit 1; fi
echo "check: items-service builds, tests, packages, runs under socket activation and purges cleanly"
