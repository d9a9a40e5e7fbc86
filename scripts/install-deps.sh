#!/usr/bin/env bash
# Installs the system packages EventGateway builds against (libevent, zlib),
# with apt-get, only when pkg-config does not find them already.
set -euo pipefail
if command -v pkg-config >/dev/null && pkg-config --exists libevent zlib; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing libevent-dev and zlib1g-dev with apt-get..." >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq pkg-config libevent-dev zlib1g-dev >/dev/null
pkg-config --exists libevent zlib
