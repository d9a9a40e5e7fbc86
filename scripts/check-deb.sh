#!/usr/bin/env bash
# CI's package check: builds the .deb (make deb), installs it the way a user
# would (apt-get install ./eventgateway_*.deb), checks what it installed,
# runs /usr/bin/gateway with no Swift toolchain on any path, and purges it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

rm -f eventgateway_*_amd64.deb
make deb
deb="$(ls eventgateway_*_amd64.deb)"
version="${deb#eventgateway_}"
version="${version%_amd64.deb}"

echo "== dpkg-deb -I $deb"
info="$(dpkg-deb -I "$deb")"
echo "$info"
# libevent's core library only: the server uses no evhttp (libevent-2.1-7) and no libevent_pthreads.
grep -Eq "^ Depends: .*libevent-core-2\.1-7t64( \([^)]*\))? \| libevent-core-2\.1-7" <<<"$info"
if grep -qE "^ Depends: .*libevent-(pthreads-)?2\.1-7" <<<"$info"; then echo "check-deb: Depends names more of libevent than its core" >&2; exit 1; fi
if grep -qiE "^ Depends: .*swift" <<<"$info"; then echo "check-deb: Depends names a Swift package" >&2; exit 1; fi
contents="$(dpkg-deb -c "$deb")"
for file in ./usr/bin/gateway ./etc/eventgateway/gateway.conf ./usr/share/man/man1/gateway.1.gz \
    ./lib/systemd/system/eventgateway.service ./lib/systemd/system/eventgateway.socket \
    ./usr/share/doc/eventgateway/copyright; do
    grep -q " $file\$" <<<"$contents" || { echo "check-deb: $file missing from $deb" >&2; exit 1; }
done
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ]
# The units and the copyright, as scripts/make-deb.sh fills them in for this package.
unit="$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/eventgateway.service)"
for line in "Type=notify" "User=eventgateway" "ExecStart=/usr/bin/gateway serve --config /etc/eventgateway/gateway.conf" \
    "ProtectSystem=strict" "RuntimeDirectory=eventgateway" "Also=eventgateway.socket"; do
    grep -qxF -- "$line" <<<"$unit" || { echo "check-deb: eventgateway.service lacks $line" >&2; exit 1; }
done
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/eventgateway.socket | grep -qx "ListenStream=127.0.0.1:8000"
copyright="$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/eventgateway/copyright)"
grep -q '^License: Apache-2.0$' <<<"$copyright" && grep -q '/usr/share/common-licenses/Apache-2.0' <<<"$copyright" \
    || { echo "check-deb: the copyright file does not give the Apache-2.0 license" >&2; exit 1; }
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/eventgateway/gateway.conf ]

if dpkg -s eventgateway >/dev/null 2>&1; then apt-get purge -y -qq eventgateway >/dev/null; fi
trap 'apt-get purge -y -qq eventgateway >/dev/null 2>&1 || true' EXIT
apt-get install -y -qq "./$deb" >/dev/null

echo "== ldd /usr/bin/gateway"
ldd /usr/bin/gateway
scripts/check-ldd.sh /usr/bin/gateway

echo "== gateway --version (clean environment)"
shown="$(env -i PATH=/usr/bin:/bin /usr/bin/gateway --version)"
echo "$shown"
[ "$shown" = "$version" ]
help="$(env -i PATH=/usr/bin:/bin /usr/bin/gateway help serve)"
manual="$(zcat /usr/share/man/man1/gateway.1.gz)"
grep -q -- "forwarded-allow-ips" <<<"$manual" || { echo "check-deb: gateway(1) lacks the serve flags" >&2; exit 1; }
for flag in --config --unix-mode --forwarded-allow-ips --processes; do
    grep -q -- "$flag" <<<"$help" || { echo "check-deb: gateway help serve does not list $flag" >&2; exit 1; }
done

getent passwd eventgateway >/dev/null || { echo "check-deb: postinst did not create the eventgateway user" >&2; exit 1; }
# Configuring again (a reinstall) must not fail on the existing user.
dpkg-reconfigure eventgateway >/dev/null 2>&1 || dpkg --configure -a
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify /lib/systemd/system/eventgateway.socket /lib/systemd/system/eventgateway.service
fi

apt-get purge -y -qq eventgateway >/dev/null
trap - EXIT
for leftover in /usr/bin/gateway /etc/eventgateway /lib/systemd/system/eventgateway.service; do
    if [ -e "$leftover" ]; then echo "check-deb: $leftover left after purge" >&2; exit 1; fi
done
if getent passwd eventgateway >/dev/null; then echo "check-deb: the eventgateway user is left after purge" >&2; exit 1; fi
echo "check-deb: $deb installs, runs from /usr/bin and purges cleanly"
