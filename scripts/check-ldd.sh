#!/usr/bin/env bash
# Fails unless every shared library BINARY needs is one of Debian's run-time
# libraries the package depends on (libc6, libstdc++6, libgcc-s1, libevent,
# zlib1g), resolved from the system's library folders.
# A Swift runtime (libswiftCore.so, Foundation...) from a toolchain path fails it.
#
#   scripts/check-ldd.sh [--any-system-library] BINARY
#
# --any-system-library (a service's own package, which may link, say,
# libpq): any library from the system's folders will do, only a Swift
# runtime or a library that is not found fails.
set -euo pipefail
any=""
if [ "${1:-}" = --any-system-library ]; then any=1; shift; fi
binary="$1"
allowed='^(linux-vdso\.so\.1|ld-linux-x86-64\.so\.2|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libevent-2\.1\.so\.7|libevent_core-2\.1\.so\.7|libz\.so\.1)$'
status=0
while read -r line; do
    [ -z "$line" ] && continue
    name="${line%% *}"
    name="${name##*/}"
    path="$(sed -nE 's/.*=> (\/[^ ]*).*/\1/p' <<<"$line")"
    if [ -n "$any" ] && grep -Eq '^lib(swift|Foundation|dispatch|BlocksRuntime|_FoundationICU)' <<<"$name"; then
        echo "check-ldd: $binary needs the Swift runtime's $name ($line): build with --static-swift-stdlib" >&2
        status=1
    elif [ -z "$any" ] && ! grep -Eq "$allowed" <<<"$name"; then
        echo "check-ldd: $binary needs $name ($line): not an allowed Debian run-time library" >&2
        status=1
    elif [[ "$line" == *"not found"* ]]; then
        echo "check-ldd: $binary needs $name, which is not installed" >&2
        status=1
    elif [ -n "$path" ] && [[ "$path" != /lib/* && "$path" != /usr/lib/* && "$path" != /lib64/* ]]; then
        echo "check-ldd: $name resolves to $path, outside the system's library folders" >&2
        status=1
    fi
done < <(ldd "$binary")
[ "$status" -eq 0 ] && echo "check-ldd: $binary links only Debian run-time libraries"
exit "$status"
