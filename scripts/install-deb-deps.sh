#!/usr/bin/env bash
# Installs what `make deb` needs besides the build's own dependencies:
# dpkg-shlibdeps (dpkg-dev) and strip (binutils), only when missing.
set -euo pipefail
if command -v dpkg-shlibdeps >/dev/null && command -v strip >/dev/null; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing dpkg-dev and binutils with apt-get..." >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dpkg-dev binutils >/dev/null
