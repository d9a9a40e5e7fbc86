#!/usr/bin/env bash
# Builds eventgateway_<version>_<arch>.deb in the repository root (`make
# deb`): the gateway's own package, made by the same tool as any service's
# (scripts/make-deb.sh), with its settings file and description, and only
# Debian's libc, libstdc++, libgcc, libevent and zlib allowed as libraries.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/make-deb.sh --product gateway --name eventgateway \
    --config packaging/deb/gateway.conf \
    --summary "PEP 3333 (WSGI) gateway server in Swift, on libevent" \
    --description-file packaging/deb/eventgateway.description \
    --doc README.md --copyright "EventGateway developers" \
    --maintainer "EventGateway developers <eventgateway@localhost>" \
    --strict-libraries "$@"
