#!/usr/bin/env bash
# Installs the programs the integration tests drive, only when missing:
# systemd-socket-activate (package systemd) for socket activation, nginx for
# the reverse-proxy tests, python3 to decode gzip and run `gateway cgi` under
# http.server. Tests that need one skip or fail, saying so, when it is absent.
set -euo pipefail
missing=()
command -v python3 >/dev/null || missing+=(python3)
command -v systemd-socket-activate >/dev/null || missing+=(systemd)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ "${#missing[@]}" -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing ${missing[*]} with apt-get (for the integration tests)..." >&2
$sudo apt-get update -qq
# policy-rc.d 101: install nginx without starting its own service on port 80.
policy=/usr/sbin/policy-rc.d
added_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  added_policy=1
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
if [ -n "$added_policy" ]; then $sudo rm -f "$policy"; fi
exit "${status:-0}"
